//! The headline design rebuilt independently: `tests/reference/rebuild_headline.py`
//! reads the contract CSV files of `generate --employees 4000 --seed 11`
//! and, from the crate's documentation alone (pandas and plain Python for
//! the absences, the peer matching with its tie-breaking, the follow-ups and
//! the worked time in grade; statsmodels 0.15.0 `PHReg(..., strata=gender,
//! ties="efron").fit(groups=employee)` for the Cox models and
//! `OLS(...).fit(cov_type="cluster")` for the child penalty), wrote
//! `tests/reference/headline_rebuild_golden.json`. The crate must find the
//! same sample and the same figures: hazard ratios to 1e-6 relative,
//! interval bounds to 1e-5, the child penalty at +5 to 1e-6.
#![cfg(feature = "synth")]

use mommytrack::synth::{generate, SynthConfig};
use mommytrack::{Analysis, Dataset, ValidConfig};
use serde_json::Value;

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs().max(1e-3)
}

#[test]
fn headline_design_matches_an_independent_rebuild() {
    let golden: Value = serde_json::from_str(
        &std::fs::read_to_string("tests/reference/headline_rebuild_golden.json").unwrap(),
    )
    .unwrap();
    let synthetic = generate(&SynthConfig {
        employees: 4000,
        seed: 11,
        ..SynthConfig::default()
    });
    let (e, v) = synthetic.to_csv().unwrap();
    let config = ValidConfig::default();
    let data = Dataset::builder(&config)
        .from_readers(e.as_slice(), v.as_slice())
        .unwrap();
    assert_eq!(data.as_of().to_string(), "2025-03-31");
    let analysis = Analysis::run(&data, &config);
    let gap = analysis.promotion_gap.expect("returns");
    let c = &gap.returners_vs_peers;
    let n = |x: &mommytrack::Count| x.value.unwrap();
    assert_eq!(n(&c.group_n), golden["returners"].as_u64().unwrap());
    assert_eq!(
        n(&c.group_n) + n(&c.reference_n),
        golden["follow_ups"].as_u64().unwrap()
    );
    for (key, ours) in [
        ("cox", &c.cox),
        ("cox_mothers", &c.cox_mothers),
        ("cox_fathers", &c.cox_fathers),
        ("cox_worked_time", &c.cox_worked_time),
    ] {
        let ours = ours.as_ref().unwrap_or_else(|| panic!("{key} missing"));
        let theirs = &golden[key];
        let f = |k: &str| theirs[k].as_f64().unwrap();
        assert!(
            close(ours.hazard_ratio, f("hazard_ratio"), 1e-6),
            "{key}: {} vs {}",
            ours.hazard_ratio,
            f("hazard_ratio")
        );
        assert!(close(ours.ci_lower, f("ci_lower"), 1e-5), "{key} lower");
        assert!(close(ours.ci_upper, f("ci_upper"), 1e-5), "{key} upper");
    }
    let study = analysis.event_study.expect("parents");
    assert_eq!(study.panel_rows, golden["panel_rows"].as_u64().unwrap());
    for (outcome, penalty) in &study.outcomes {
        let at5 = penalty.event_time.iter().position(|t| *t == 5).unwrap();
        let ours = penalty.penalty[at5].expect("shown");
        let theirs = golden["child_penalty_at_5"][outcome.as_str()]
            .as_f64()
            .unwrap();
        assert!(close(ours, theirs, 1e-6), "{outcome:?}: {ours} vs {theirs}");
    }
}
