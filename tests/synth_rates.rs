//! The generator's planted rates come back out of the data it writes, within
//! sampling error (4 standard errors), on 20,000 employees.
#![cfg(feature = "synth")]

use mommytrack::config::ValidConfig;
use mommytrack::schema::{EventKind, Gender};
use mommytrack::synth::{generate, ReturnClass, SynthConfig};

fn within(observed: u64, n: u64, p: f64, what: &str) {
    assert!(n > 100, "{what}: only {n} cases");
    let rate = observed as f64 / n as f64;
    let se = (p * (1.0 - p) / n as f64).sqrt();
    assert!(
        (rate - p).abs() <= 4.0 * se,
        "{what}: {observed}/{n} = {rate:.4}, planted {p} (4 SE = {:.4})",
        4.0 * se
    );
}

#[test]
fn planted_rates_are_recovered() {
    let config = SynthConfig {
        employees: 20_000,
        seed: 99,
        ..SynthConfig::default()
    };
    let data = generate(&config);
    let (e, v) = data.to_csv().unwrap();
    let ds = mommytrack::Dataset::builder(&ValidConfig::default())
        .from_readers(e.as_slice(), v.as_slice())
        .unwrap();
    assert!(ds.report.rejections.is_empty());

    // Share of women among hires, from the employees table.
    let women = ds
        .timelines
        .iter()
        .filter(|t| t.employee().gender == Gender::Female)
        .count();
    within(
        women as u64,
        ds.timelines.len() as u64,
        config.share_women,
        "share of women",
    );

    // Fathers' leave uptake, from the events: fathers whose first child's
    // birth is followed by a paternity or parental leave (the generator
    // decides once per birth; first births only, so each father counts once).
    let (mut fathers, mut took) = (0u64, 0u64);
    for t in ds
        .timelines
        .iter()
        .filter(|t| t.employee().gender == Gender::Male)
    {
        let ev = t.events();
        let Some(i) = ev
            .iter()
            .position(|e| matches!(e.kind, EventKind::ChildBirth))
        else {
            continue;
        };
        // Only births with room for the leave before the analysis date or exit.
        let birth = ev[i].date;
        if birth + chrono::Duration::days(40) > ds.as_of()
            || t.employee()
                .exit_date
                .is_some_and(|x| x < birth + chrono::Duration::days(40))
        {
            continue;
        }
        fathers += 1;
        let next_birth = ev[i + 1..]
            .iter()
            .find(|e| matches!(e.kind, EventKind::ChildBirth))
            .map(|e| e.date);
        took += u64::from(ev[i + 1..].iter().any(|e| {
            matches!(e.kind, EventKind::LeaveStart { leave_type } if leave_type.is_childcare())
                && next_birth.is_none_or(|n| e.date < n)
        }));
    }
    within(
        took,
        fathers,
        config.father_leave_share,
        "fathers' leave uptake",
    );

    // Return classes among mothers whose manager is not biased, before the
    // policy date: each class at its planted share.
    let policy = config.policy_date.unwrap().to_string();
    let base: Vec<_> = data
        .truth
        .iter()
        .filter(|t| !config.biased_managers.contains(&t.manager_id) && t.return_date < policy)
        .collect();
    let n = base.len() as u64;
    let count = |c: ReturnClass| base.iter().filter(|t| t.class == c).count() as u64;
    within(
        count(ReturnClass::MommyTrack),
        n,
        config.mommy_track_share,
        "mommy-track share",
    );
    within(
        count(ReturnClass::VoluntaryDownshift),
        n,
        config.voluntary_share,
        "voluntary share",
    );
    within(
        count(ReturnClass::ProlongedReducedHours),
        n,
        config.reduced_hours_share,
        "reduced-hours share",
    );
    within(
        count(ReturnClass::PromotionStall),
        n,
        config.stall_share,
        "stall share",
    );

    // After the policy date the mommy-track share falls by `policy_factor`.
    let after: Vec<_> = data
        .truth
        .iter()
        .filter(|t| !config.biased_managers.contains(&t.manager_id) && t.return_date >= policy)
        .collect();
    let mt = after
        .iter()
        .filter(|t| t.class == ReturnClass::MommyTrack)
        .count() as u64;
    within(
        mt,
        after.len() as u64,
        config.mommy_track_share * config.policy_factor,
        "mommy-track share after the policy",
    );

    // Planted kinds are consistent with the class.
    for t in &data.truth {
        match t.class {
            ReturnClass::Normal => assert!(t.planted_kinds.is_empty()),
            ReturnClass::PromotionStall => assert_eq!(t.planted_kinds, "promotion_stall"),
            ReturnClass::VoluntaryDownshift | ReturnClass::ProlongedReducedHours => {
                assert!(t.employee_initiated)
            }
            ReturnClass::MommyTrack => {
                assert!(!t.employee_initiated && t.planted_kinds.contains("promotion_stall"))
            }
        }
    }
}

#[test]
fn same_seed_gives_identical_tables() {
    let c = SynthConfig {
        employees: 500,
        seed: 3,
        ..SynthConfig::default()
    };
    assert_eq!(generate(&c), generate(&c));
    let other = SynthConfig {
        seed: 4,
        ..c.clone()
    };
    assert_ne!(generate(&c).events, generate(&other).events);
}
