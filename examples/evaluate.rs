//! Scores the mommy-track flags against the generator's planted truth.
//!
//! `cargo run --release --example evaluate -- [--employees N] [--seed S] [--policy-date DATE]`
//!
//! Generates a data set in memory, runs the whole analysis on it, and
//! reports, for *involuntary detection* (a flag holding an employer-initiated
//! or unrecorded structural change): precision, recall and F1 against the
//! returns planted as `mommy_track`, and the false-positive rate on `normal`
//! returns; then, per planted class, the share of returns flagged with each
//! kind; for `prolonged_reduced_hours`, how many planted returns were
//! followed long enough for the rule to apply, and the recall among those;
//! the stall test as a score (precision and recall at several levels, and
//! the area under the precision-recall curve; `--features FILE` writes the
//! per-return features for a supervised comparison); then the managers and
//! departments the concentration analysis finds, and the managers the same
//! test finds on the planted truth itself (what perfect flags would give).

use chrono::NaiveDate;
use clap::Parser;
use mommytrack::analysis::peers::PeerSample;
use mommytrack::analysis::ratings::{rating_score, RatingNorms};
use mommytrack::analysis::stall::stall_scores;
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
    /// Write each mothers' return's stall features and planted label here
    /// (CSV), for `tests/reference/supervised_stall.py`.
    #[arg(long)]
    features: Option<std::path::PathBuf>,
    /// Plant rating drops in this share of mothers' returns (the generator's
    /// `rating_drop_share`; 0, the default, plants none).
    #[arg(long, default_value_t = 0.0)]
    rating_drop_share: f64,
    /// Write each mothers' return's rating features and planted label here
    /// (CSV), for `tests/reference/supervised_rating.py`.
    #[arg(long)]
    rating_features: Option<std::path::PathBuf>,
    /// Any other generator setting, as a TOML line (`SynthConfig`'s field
    /// names), e.g. `--synth 'stall_promotion_factor = 0.0'`; repeatable.
    /// The options above take precedence.
    #[arg(long)]
    synth: Vec<String>,
    /// The analysis configuration (TOML), e.g. to try `[flags] stall_fdr`.
    #[arg(long)]
    config: Option<std::path::PathBuf>,
}

/// Average precision of `(score, positive)` pairs: Σ over distinct
/// thresholds, highest first, of (recall gained) × precision there, as
/// scikit-learn's `average_precision_score`.
fn average_precision(scored: &[(f64, bool)]) -> f64 {
    let mut v = scored.to_vec();
    v.sort_by(|a, b| b.0.total_cmp(&a.0));
    let positives = v.iter().filter(|x| x.1).count() as f64;
    if positives == 0.0 {
        return f64::NAN;
    }
    let (mut tp, mut seen, mut ap, mut last_recall) = (0.0, 0.0, 0.0, 0.0);
    let mut k = 0;
    while k < v.len() {
        let t = v[k].0;
        while k < v.len() && v[k].0 == t {
            tp += f64::from(u8::from(v[k].1));
            seen += 1.0;
            k += 1;
        }
        let recall = tp / positives;
        ap += (recall - last_recall) * tp / seen;
        last_recall = recall;
    }
    ap
}

fn main() {
    let args = Args::parse();
    let defaults: SynthConfig =
        toml::from_str(&args.synth.join("\n")).expect("--synth: SynthConfig fields as TOML");
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
        rating_drop_share: args.rating_drop_share,
        biased_manager_factor: args
            .biased_manager_factor
            .unwrap_or(defaults.biased_manager_factor),
        ..defaults
    };
    let data = generate(&synth);
    let (e, v) = data.to_csv().expect("CSV in memory");
    let config = match &args.config {
        Some(path) => Config::from_file(path).expect("--config: a readable configuration"),
        None => Config::default(),
    }
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
prolonged_reduced_hours, planted returns: followed long enough for the rule, and recall among those"
    );
    {
        let kind = "prolonged_reduced_hours";
        let (mut planted, mut observable, mut caught) = (0u64, 0u64, 0u64);
        for t in &data.truth {
            if !t.planted_kinds.split(';').any(|k| k == kind) {
                continue;
            }
            planted += 1;
            let key = (t.employee_id.clone(), t.return_date.clone());
            let Some(r) = by_key.get(&key) else { continue };
            let followed = (r.observed_until(as_of) - r.return_date).num_days() as f64 / 30.4375;
            if followed < f64::from(config.reduced_hours_months()) {
                continue;
            }
            observable += 1;
            caught += u64::from(
                flags
                    .get(&key)
                    .is_some_and(|f| f.kinds.iter().any(|k| k.as_str() == kind)),
            );
        }
        println!(
            "  planted {planted}, followed long enough {observable}, flagged {caught} = recall {:.4} among those",
            caught as f64 / observable.max(1) as f64
        );
    }
    // The stall test as a score over every mothers' return: precision,
    // recall, and the area under the precision-recall curve (average
    // precision, as scikit-learn's `average_precision_score`).
    let stall = stall_scores(&ctx, &peers);
    if let Some(m) = stall.mixture {
        println!(
            "\nstall mixture: share {:.4}, stalled rate {:.3e}, on-track rate {:.4} ({} iterations, {})",
            m.share,
            m.factor,
            m.on_track,
            m.iterations,
            if m.converged { "converged" } else { "NOT converged" }
        );
    }
    let scores = stall.scores;
    let index_of: HashMap<(String, String), usize> = rets
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let id = r.timeline.employee().employee_id.clone();
            ((id, r.return_date.to_string()), i)
        })
        .collect();
    let mut scored: Vec<(f64, bool)> = Vec::new();
    let mut by_posterior: Vec<(f64, bool)> = Vec::new();
    let planted_anywhere = data
        .truth
        .iter()
        .filter(|t| t.planted_kinds.split(';').any(|k| k == "promotion_stall"))
        .count();
    let mut features = String::from(
        "employee_id,return_date,grade,months_followed,promoted,rating_level,pre_leave_ratings,stall_p,posterior,planted\n",
    );
    for t in &data.truth {
        let key = (t.employee_id.clone(), t.return_date.clone());
        let Some(&i) = index_of.get(&key) else {
            continue;
        };
        let Some(s) = scores[i] else { continue };
        let planted = t.planted_kinds.split(';').any(|k| k == "promotion_stall");
        scored.push((1.0 - s.stall_p, planted));
        by_posterior.push((s.posterior.unwrap_or(0.0), planted));
        let r = &rets[i];
        features.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{}\n",
            t.employee_id,
            t.return_date,
            r.state_at_return().grade,
            s.months_followed,
            u8::from(s.promoted),
            s.rating_level.map_or(String::new(), |v| v.to_string()),
            r.absence.pre_leave_ratings.len(),
            s.stall_p,
            s.posterior.map_or(String::new(), |v| v.to_string()),
            u8::from(planted)
        ));
    }
    if let Some(path) = &args.features {
        std::fs::write(path, features).expect("write the features file");
    }
    let at_level = |level: f64| {
        let tp = scored.iter().filter(|(x, y)| *y && 1.0 - x < level).count();
        let flagged = scored.iter().filter(|(x, _)| 1.0 - x < level).count();
        let planted = scored.iter().filter(|(_, y)| *y).count();
        (
            tp as f64 / flagged.max(1) as f64,
            tp as f64 / planted.max(1) as f64,
        )
    };
    let (p, r) = at_level(config.stall_level());
    println!(
        "\npromotion_stall test over {} mothers' returns ({} planted): at stall_level {}: precision {p:.4} recall {r:.4}; average precision {:.4}",
        scored.len(),
        scored.iter().filter(|(_, y)| *y).count(),
        config.stall_level(),
        average_precision(&scored)
    );
    for level in [0.01, 0.02, 0.1, 0.2, 0.3] {
        let (p, r) = at_level(level);
        println!("  at stall_level {level}: precision {p:.4} recall {r:.4}");
    }
    // The posterior, with recall over every planted stall (returns
    // without a follow-up count as missed).
    println!(
        "promotion_stall posterior: average precision {:.4} over the scored returns; recall below is over all {planted_anywhere} planted stalls",
        average_precision(&by_posterior)
    );
    for level in [0.3, 0.4, 0.5, 0.6, 0.7, 0.8] {
        let tp = by_posterior
            .iter()
            .filter(|(x, y)| *y && *x >= level)
            .count();
        let flagged = by_posterior.iter().filter(|(x, _)| *x >= level).count();
        println!(
            "  at posterior >= {level}: flagged {flagged}, precision {:.4} recall {:.4}",
            tp as f64 / flagged.max(1) as f64,
            tp as f64 / planted_anywhere.max(1) as f64
        );
    }
    // The rating-drop score over every mothers' return with one.
    let norms = RatingNorms::new(&ctx);
    let mut rated: Vec<(f64, bool)> = Vec::new();
    let mut rating_features = String::from(
        "employee_id,return_date,after_mean,level_mean,ratings_after,ratings_level,pre_leave_mean,pre_leave_ratings,score,planted\n",
    );
    for t in &data.truth {
        let key = (t.employee_id.clone(), t.return_date.clone());
        let Some(&i) = index_of.get(&key) else {
            continue;
        };
        let r = &rets[i];
        let end = r
            .return_date
            .checked_add_months(chrono::Months::new(config.rating_lookback_months()))
            .unwrap_or(r.return_date)
            .min(r.observed_until(as_of));
        let Some(s) = rating_score(
            &norms,
            r.timeline,
            r.absence.start,
            r.return_date,
            end,
            config.rating_drop_min_ratings(),
        ) else {
            continue;
        };
        let planted = t.planted_kinds.split(';').any(|k| k == "rating_drop");
        rated.push((-s.score, planted));
        rating_features.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{}\n",
            t.employee_id,
            t.return_date,
            s.after,
            s.level,
            s.ratings_after,
            s.ratings_level,
            r.absence
                .pre_leave_mean_rating()
                .map_or(String::new(), |v| v.to_string()),
            r.absence.pre_leave_ratings.len(),
            s.score,
            u8::from(planted)
        ));
    }
    if let Some(path) = &args.rating_features {
        std::fs::write(path, rating_features).expect("write the rating features file");
    }
    let planted_drops = rated.iter().filter(|(_, y)| *y).count();
    if planted_drops > 0 {
        let at = |z: f64| {
            let flagged = rated.iter().filter(|(x, _)| *x >= z).count();
            let tp = rated.iter().filter(|(x, y)| *y && *x >= z).count();
            (
                tp as f64 / flagged.max(1) as f64,
                tp as f64 / planted_drops as f64,
            )
        };
        let (p, r) = at(config.rating_drop_score());
        println!(
            "\nrating_drop score over {} mothers' returns with one ({planted_drops} planted): at rating_drop_score {}: precision {p:.4} recall {r:.4}; average precision {:.4}",
            rated.len(),
            config.rating_drop_score(),
            average_precision(&rated)
        );
        for z in [1.0, 1.5, 2.5, 3.0] {
            let (p, r) = at(z);
            println!("  at rating_drop_score {z}: precision {p:.4} recall {r:.4}");
        }
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
        // How far apart the planted and the other managers' adjusted p
        // values lie: the largest of the planted, the smallest of the rest.
        let (mut worst_planted, mut best_other) = (0.0f64, 1.0f64);
        for m in &c.managers {
            let (Some(id), Some(q)) = (m.manager_id.as_deref(), m.p_adjusted) else {
                continue;
            };
            if planted.iter().any(|p| p == id) {
                worst_planted = worst_planted.max(q);
            } else {
                best_other = best_other.min(q);
            }
        }
        println!(
            "adjusted p: largest among planted managers {worst_planted:.3e}, smallest among the others {best_other:.3e}"
        );
        // Whether the test holds its level where nothing is planted: the
        // other managers' unadjusted p values below 0.05 and 0.01 (a
        // calibrated one-sided test gives at most those shares).
        let null_p: Vec<f64> = c
            .managers
            .iter()
            .filter(|m| {
                m.manager_id
                    .as_deref()
                    .is_some_and(|id| !planted.iter().any(|p| p == id))
            })
            .filter_map(|m| m.p_value)
            .collect();
        let below = |level: f64| null_p.iter().filter(|p| **p < level).count();
        println!(
            "unadjusted p among the {} other managers tested: {} below 0.05, {} below 0.01, smallest {:.3e}",
            null_p.len(),
            below(0.05),
            below(0.01),
            null_p.iter().copied().fold(1.0, f64::min)
        );
        oracle_concentration(&data.truth, &synth, &report, config.significance_level());
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

/// The same test on the planted truth instead of the flags: each manager's
/// mothers' returns put on the mommy track by the generator, stratified by
/// the generator's own policy period (the only thing its mommy-track share
/// depends on besides the manager), Benjamini–Hochberg across the managers
/// the report tested. What this finds is what any test of a manager's
/// excess could find from perfect flags on the same returns: where it too
/// misses a planted manager or names another, the data hold no more.
fn oracle_concentration(
    truth: &[mommytrack::synth::ReturnTruth],
    synth: &SynthConfig,
    report: &Analysis,
    level: f64,
) {
    use mommytrack::stats::{benjamini_hochberg, excess_test, Stratum};
    let Some(c) = &report.concentration else {
        return;
    };
    let period = |t: &mommytrack::synth::ReturnTruth| {
        let back = NaiveDate::parse_from_str(&t.return_date, "%Y-%m-%d").ok();
        usize::from(matches!((back, synth.policy_date), (Some(b), Some(p)) if b >= p))
    };
    // (returns, mommy-tracked) by period, over all and per manager.
    let mut all = [(0u64, 0u64); 2];
    let mut by_manager: BTreeMap<&str, [(u64, u64); 2]> = BTreeMap::new();
    for t in truth {
        let (s, m) = (period(t), u64::from(t.class == ReturnClass::MommyTrack));
        all[s].0 += 1;
        all[s].1 += m;
        let cell = &mut by_manager.entry(t.manager_id.as_str()).or_default()[s];
        cell.0 += 1;
        cell.1 += m;
    }
    let tested: Vec<&str> = c
        .managers
        .iter()
        .filter(|m| m.p_value.is_some())
        .filter_map(|m| m.manager_id.as_deref())
        .filter(|id| by_manager.contains_key(id))
        .collect();
    let p: Vec<f64> = tested
        .iter()
        .map(|id| {
            let strata: Vec<Stratum> = (0..2)
                .filter(|&s| all[s].0 > 0)
                .map(|s| Stratum {
                    total: all[s].0,
                    events: all[s].1,
                    unit: by_manager[id][s].0,
                    unit_events: by_manager[id][s].1,
                })
                .collect();
            excess_test(&strata).map_or(1.0, |e| e.p_value)
        })
        .collect();
    let Ok(q) = benjamini_hochberg(&p) else {
        return;
    };
    let planted = &synth.biased_managers;
    let is_planted = |id: &str| planted.iter().any(|p| p == id);
    let significant: Vec<&str> = tested
        .iter()
        .zip(&q)
        .filter(|(_, q)| **q <= level)
        .map(|(id, _)| *id)
        .collect();
    let found = significant.iter().filter(|id| is_planted(id)).count();
    let others: Vec<&str> = significant
        .iter()
        .copied()
        .filter(|id| !is_planted(id))
        .collect();
    let worst_planted = tested
        .iter()
        .zip(&q)
        .filter(|(id, _)| is_planted(id))
        .map(|(_, q)| *q)
        .fold(0.0f64, f64::max);
    let best_other = tested
        .iter()
        .zip(&q)
        .filter(|(id, _)| !is_planted(id))
        .map(|(_, q)| *q)
        .fold(1.0f64, f64::min);
    println!(
        "the same test on the planted truth (mommy-tracked mothers' returns, by policy period): found significant: {found}; other managers significant: {} {:?}; adjusted p: largest among planted managers {worst_planted:.3e}, smallest among the others {best_other:.3e}",
        others.len(),
        others
    );
}
