//! Scores the mommy-track flags against the generator's planted truth.
//!
//! `cargo run --release --example evaluate -- [--employees N] [--seed S] [--policy-date DATE]`
//!
//! Generates a data set in memory, runs the whole analysis on it, and
//! reports, for *involuntary detection* (a flag holding an employer-initiated
//! or unrecorded structural change): precision, recall and F1 against the
//! returns planted as `mommy_track`, and the false-positive rate on `normal`
//! returns; then, per planted class, the share of returns flagged with each
//! kind; then, for the two kinds that need years of follow-up
//! (`prolonged_reduced_hours`, `promotion_stall`), how many planted returns
//! were followed long enough for the rule to apply, and the recall among
//! those; then the managers the concentration analysis finds.

use chrono::NaiveDate;
use clap::Parser;
use mommytrack::analysis::peers::PeerSample;
use mommytrack::config::Config;
use mommytrack::synth::{generate, ReturnClass, SynthConfig};
use mommytrack::Analysis;
use mommytrack::{Context, Return};
use std::collections::{BTreeMap, HashMap};

#[derive(Parser)]
#[command(about = "Score mommy-track flags against planted truth")]
struct Args {
    /// Employees to generate.
    #[arg(long, default_value_t = 20_000)]
    employees: usize,
    /// Random seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Policy date for the before/after comparison.
    #[arg(long)]
    policy_date: Option<NaiveDate>,
    /// Managers per department (six departments).
    #[arg(long, default_value_t = 4)]
    managers_per_department: usize,
    /// Biased managers to plant (the generator's default is one, M0201):
    /// the k-th is the (k+1)-th manager of department k mod 6 + 1.
    #[arg(long, default_value_t = 1)]
    biased_managers: usize,
    /// How many times more often a biased manager's returners are put on
    /// the mommy track.
    #[arg(long)]
    biased_manager_factor: Option<f64>,
}

fn main() {
    let args = Args::parse();
    let defaults = SynthConfig::default();
    let biased_managers = if args.biased_managers == 1 {
        defaults.biased_managers.clone()
    } else {
        (0..args.biased_managers)
            .map(|k| {
                format!(
                    "M{:02}{:02}",
                    k % 6 + 1,
                    (k + 1) % args.managers_per_department.max(1) + 1
                )
            })
            .collect()
    };
    let synth = SynthConfig {
        employees: args.employees,
        seed: args.seed,
        managers_per_department: args.managers_per_department,
        biased_managers,
        biased_manager_factor: args
            .biased_manager_factor
            .unwrap_or(defaults.biased_manager_factor),
        ..defaults
    };
    let data = generate(&synth);
    let (e, v) = data.to_csv().expect("CSV in memory");
    let config = Config::default()
        .validate()
        .expect("defaults are valid")
        .with_policy_date(args.policy_date);
    let ds = mommytrack::Dataset::builder(&config)
        .from_readers(e.as_slice(), v.as_slice())
        .expect("generated data ingest");
    let report = Analysis::run(&ds, &config);
    let flags: HashMap<(String, String), &mommytrack::Flag> = report
        .flags
        .iter()
        .map(|f| ((f.employee_id.clone(), f.return_date.to_string()), f))
        .collect();
    let (mut tp, mut fp, mut fn_, mut normal, mut normal_fp) = (0u64, 0u64, 0u64, 0u64, 0u64);
    let mut by_class: BTreeMap<String, (u64, BTreeMap<&str, u64>, u64)> = BTreeMap::new();
    for t in &data.truth {
        let flag = flags.get(&(t.employee_id.clone(), t.return_date.clone()));
        let predicted = flag.is_some_and(|f| f.is_involuntary());
        let actual = t.class == ReturnClass::MommyTrack;
        match (predicted, actual) {
            (true, true) => tp += 1,
            (true, false) => fp += 1,
            (false, true) => fn_ += 1,
            _ => {}
        }
        if t.class == ReturnClass::Normal {
            normal += 1;
            normal_fp += u64::from(predicted);
        }
        let cell = by_class.entry(format!("{:?}", t.class)).or_default();
        cell.0 += 1;
        cell.2 += u64::from(predicted);
        if let Some(f) = flag {
            for k in &f.kinds {
                *cell.1.entry(k.as_str()).or_default() += 1;
            }
        }
    }
    let precision = tp as f64 / (tp + fp).max(1) as f64;
    let recall = tp as f64 / (tp + fn_).max(1) as f64;
    let f1 = 2.0 * precision * recall / (precision + recall).max(f64::MIN_POSITIVE);
    println!(
        "{} employees, seed {}: {} mothers' returns planted ({} mommy track, {} normal)",
        args.employees,
        args.seed,
        data.truth.len(),
        tp + fn_,
        normal
    );
    println!("involuntary detection: precision {precision:.4}, recall {recall:.4}, F1 {f1:.4} (tp {tp}, fp {fp}, fn {fn_})");
    println!(
        "false positives on normal returns: {normal_fp} of {normal} = {:.4}",
        normal_fp as f64 / normal.max(1) as f64
    );
    println!("\nper planted class: returns, flagged involuntary, and returns holding each kind");
    for (class, (n, kinds, inv)) in &by_class {
        let kinds: Vec<String> = kinds.iter().map(|(k, c)| format!("{k} {c}")).collect();
        println!(
            "  {class:<24} {n:>6}  involuntary {inv:>6}  {}",
            kinds.join(", ")
        );
    }
    println!("\nper flag kind, against the kinds planted (truth.csv `planted_kinds`):");
    for kind in [
        "responsibility_drop",
        "track_downgrade",
        "non_regular_conversion",
        "promotion_stall",
        "prolonged_reduced_hours",
    ] {
        let (mut tp, mut fp, mut fn_) = (0u64, 0u64, 0u64);
        for t in &data.truth {
            let planted = t.planted_kinds.split(';').any(|k| k == kind);
            let flagged = flags
                .get(&(t.employee_id.clone(), t.return_date.clone()))
                .is_some_and(|f| f.kinds.iter().any(|k| k.as_str() == kind));
            match (flagged, planted) {
                (true, true) => tp += 1,
                (true, false) => fp += 1,
                (false, true) => fn_ += 1,
                _ => {}
            }
        }
        let p = tp as f64 / (tp + fp).max(1) as f64;
        let r = tp as f64 / (tp + fn_).max(1) as f64;
        let f1 = 2.0 * p * r / (p + r).max(f64::MIN_POSITIVE);
        println!(
            "  {kind:<24} precision {p:.4} recall {r:.4} F1 {f1:.4} (tp {tp}, fp {fp}, fn {fn_})"
        );
    }
    // Two kinds need years of follow-up: how much of their low recall is
    // censoring (returns not yet followed long enough for the rule to
    // apply) and how much is chance (stalled, yet promoted all the same).
    let as_of = ds.as_of();
    let ctx = Context::new(&ds, &config);
    let rets = ctx.returns();
    let peers = PeerSample::build(&ctx);
    let by_key: HashMap<(String, String), &Return> = rets
        .iter()
        .map(|r| {
            let id = r.timeline.employee().employee_id.clone();
            ((id, r.return_date.to_string()), r)
        })
        .collect();
    println!(
        "
follow-up-bound kinds, planted returns: followed long enough for the rule, and recall among those"
    );
    for kind in ["prolonged_reduced_hours", "promotion_stall"] {
        let (mut planted, mut observable, mut promoted, mut caught) = (0u64, 0u64, 0u64, 0u64);
        for t in &data.truth {
            if !t.planted_kinds.split(';').any(|k| k == kind) {
                continue;
            }
            planted += 1;
            let key = (t.employee_id.clone(), t.return_date.clone());
            let Some(r) = by_key.get(&key) else { continue };
            let until = r.observed_until(as_of);
            let followed = (until - r.return_date).num_days() as f64 / 30.4375; // months, as the flags count them
            let needed = match kind {
                "prolonged_reduced_hours" => Some(f64::from(config.reduced_hours_months())),
                _ => peers
                    .peer_median_months(r.state_at_return().grade)
                    .map(|m| config.stall_multiple() * m),
            };
            if !needed.is_some_and(|n| followed >= n) {
                continue;
            }
            observable += 1;
            if kind == "promotion_stall" && r.first_promotion(until).is_some() {
                promoted += 1;
                continue;
            }
            caught += u64::from(
                flags
                    .get(&key)
                    .is_some_and(|f| f.kinds.iter().any(|k| k.as_str() == kind)),
            );
        }
        let eligible = observable - promoted;
        println!(
            "  {kind:<24} planted {planted}, followed long enough {observable}{}, flagged {caught} = recall {:.4} among those",
            if kind == "promotion_stall" {
                format!(" (of which promoted all the same {promoted})")
            } else {
                String::new()
            },
            caught as f64 / eligible.max(1) as f64
        );
    }
    if let Some(c) = &report.concentration {
        let significant: Vec<&str> = c
            .managers
            .iter()
            .filter(|m| m.significant)
            .filter_map(|m| m.manager_id.as_deref())
            .collect();
        let planted = &synth.biased_managers;
        let found = planted
            .iter()
            .filter(|m| significant.contains(&m.as_str()))
            .count();
        let others: Vec<&str> = significant
            .iter()
            .copied()
            .filter(|m| !planted.iter().any(|p| p == m))
            .collect();
        println!(
            "\nmanagers tested: {}; planted biased: {} ({:?}); found significant: {found}; other managers significant: {} {:?}",
            c.managers.len(),
            planted.len(),
            planted,
            others.len(),
            others
        );
        // Manager `M{d}{k}` works in department d (1-based, by name order).
        let planted_departments: Vec<usize> = planted
            .iter()
            .filter_map(|m| m.get(1..3)?.parse::<usize>().ok())
            .collect();
        let departments: Vec<(&str, bool)> = c
            .departments
            .iter()
            .filter(|d| d.significant)
            .filter_map(|d| {
                let name = d.department.as_deref()?;
                let index = mommytrack::synth::DEPARTMENTS
                    .iter()
                    .position(|x| *x == name)?
                    + 1;
                Some((name, planted_departments.contains(&index)))
            })
            .collect();
        println!(
            "departments significant: {:?} (each with whether a planted manager works in it)",
            departments
        );
        let mut ranked: Vec<_> = c.managers.iter().collect();
        ranked.sort_by(|a, b| {
            b.shrunken_ratio
                .partial_cmp(&a.shrunken_ratio)
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        println!("top managers by shrunken ratio (id, returns, flagged, expected, shrunken ratio, p adjusted):");
        for m in ranked.iter().take(8) {
            println!(
                "  {:<6} {:>5} {:>5} {:>8.1} {:>6.2} {:.2e}",
                m.manager_id.as_deref().unwrap_or(""),
                m.returns,
                m.flagged,
                m.expected.unwrap_or(f64::NAN),
                m.shrunken_ratio.unwrap_or(f64::NAN),
                m.p_adjusted.unwrap_or(f64::NAN)
            );
        }
    }
    if let Some(p) = &report.policy {
        println!(
            "policy {}: flag rate before {:?}, after {:?}, p {:?}",
            p.date, p.flag_rate_before, p.flag_rate_after, p.p_value
        );
    }
}
