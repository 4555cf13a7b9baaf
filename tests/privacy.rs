//! Privacy that holds by construction: no withheld count can be worked back
//! out of what is published.
//!
//! - Three leaks of version 0.2.0, each a regression test written against
//!   `report.json` alone (they fail on 0.2.0: a rate beside a withheld
//!   numerator, a row total minus its shown cells, the whole minus the
//!   period before a policy date).
//! - The audit's bounds against an independent brute-force enumeration on
//!   tiny tables, before and after secondary suppression.
//! - Random small organisations: the ledger alone, attacked, narrows no
//!   withheld count below `min_group_size`; every count object is in it
//!   once; no published ratio rests on a withheld cell.

use mommytrack::config::Config;
use mommytrack::privacy::System;
use mommytrack::{Analysis, Dataset};
use proptest::prelude::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

const EMP: &str = "employee_id,gender,birth_year,hire_date,department,manager_id,grade,responsibility,employment_type,weekly_hours";
const EV: &str = "employee_id,date,event,leave_type,grade,responsibility,initiated_by";

/// Thirteen mothers in one department under one manager; the policy date
/// is 2020-01-01.
/// - `p0`–`p2`: back from maternity leave on 2019-01-07, `p0` flagged (an
///   employer-initiated responsibility drop two months later): 3 returns
///   before the policy date, withheld.
/// - `q0`–`q7`: back on 2021-01-04, `q0` and `q1` flagged: the 2021 cohort
///   has 8 returns (shown) and 2 flagged (withheld).
/// - `r0`, `r1`: on maternity leave since 2024-06-03, still away: of the 13
///   maternity absences 11 returned, 2 are on leave (withheld), 0 exited.
fn org() -> Value {
    let mut emp = format!("{EMP}\n");
    let mut ev = format!("{EV}\n");
    let mut mother = |id: String, start: &str, end: Option<&str>, flagged: Option<&str>| {
        emp.push_str(&format!("{id},F,1986,2012-04-01,sales,mA,3,3,regular,40\n"));
        ev.push_str(&format!("{id},{start},leave_start,maternity,,,\n"));
        if let Some(end) = end {
            ev.push_str(&format!("{id},{end},leave_end,maternity,,,\n"));
        }
        if let Some(date) = flagged {
            ev.push_str(&format!("{id},{date},role_change,,,1,employer\n"));
        }
    };
    for i in 0..3 {
        let flag = (i == 0).then_some("2019-03-07");
        mother(format!("p{i}"), "2018-01-10", Some("2019-01-07"), flag);
    }
    for i in 0..8 {
        let flag = (i < 2).then_some("2021-03-04");
        mother(format!("q{i}"), "2020-01-13", Some("2021-01-04"), flag);
    }
    for i in 0..2 {
        mother(format!("r{i}"), "2024-06-03", None, None);
    }
    let mut c = Config::default();
    c.ingest.as_of = "2025-03-31".parse().ok();
    c.concentration.policy_date = "2020-01-01".parse().ok();
    let config = c.validate().unwrap();
    let data = Dataset::builder(&config)
        .from_readers(emp.as_bytes(), ev.as_bytes())
        .unwrap();
    assert!(data.report.rejections.is_empty());
    serde_json::to_value(Analysis::run(&data, &config)).unwrap()
}

/// Whether a count object is withheld.
fn withheld(c: &Value) -> bool {
    c["value"].is_null()
}

#[test]
fn a_rate_beside_a_withheld_numerator_is_withheld() {
    let j = org();
    let cohorts = j["concentration"]["by_cohort"].as_array().unwrap();
    let c2021 = cohorts.iter().find(|c| c["year"] == 2021).unwrap();
    // 2 flagged of 8 returns: with the rate shown, 0.25 × 8 gives the 2
    // back (0.2.0 showed 8, the rate and a suppressed 2). The 8 itself may
    // be withheld too, to protect the 3 returns of 2019 from the total.
    assert!(withheld(&c2021["flagged"]));
    assert!(c2021["rate"].is_null(), "{c2021}");
    // The same everywhere: no cohort rate beside a withheld count.
    for c in cohorts {
        if withheld(&c["flagged"]) || withheld(&c["returns"]) {
            assert!(c["rate"].is_null(), "{c}");
        }
    }
}

#[test]
fn a_total_minus_its_shown_cells_gives_nothing_back() {
    let j = org();
    let rows = j["absences"]["by_leave_type_and_gender"]
        .as_array()
        .unwrap();
    let m = rows
        .iter()
        .find(|r| r["leave_type"] == "maternity" && r["gender"] == "F")
        .unwrap();
    // 13 = 11 + 2 + 0: with 13, 11 and 0 shown, the 2 on leave are the
    // difference (0.2.0 showed them so). A second cell must be withheld.
    assert!(withheld(&m["on_leave"]));
    let cells = ["absences", "returned", "on_leave", "exited"];
    let hidden = cells.iter().filter(|c| withheld(&m[**c])).count();
    assert!(hidden >= 2, "{m}");
    for r in rows {
        let hidden = cells.iter().filter(|c| withheld(&r[**c])).count();
        assert_ne!(hidden, 1, "{r}");
    }
}

#[test]
fn the_whole_minus_the_period_before_a_policy_gives_nothing_back() {
    let j = org();
    let p = &j["policy"];
    // 11 returns = 3 before + 8 after: with 11 and 8 shown, the 3 are the
    // difference (0.2.0 showed them so).
    assert!(withheld(&p["returns_before"]));
    let total = &j["concentration"]["returns"];
    assert!(
        withheld(&p["returns_after"]) || withheld(total),
        "after {} and total {} both shown",
        p["returns_after"],
        total
    );
    assert!(p["flag_rate_before"].is_null());
}

#[test]
fn the_ledger_lists_every_count_and_its_audit_passes_on_the_fixture() {
    let j = org();
    let ledger = &j["privacy"];
    assert_eq!(ledger["min_group_size"], 5);
    assert_eq!(ledger["audit"]["passed"], true);
    let (cells, paths) = counts_and_ledger(&j);
    assert_eq!(cells, paths, "every count object under exactly one cell");
    assert!(attack(&j) >= 5);
}

/// Every count object's path in the report, and every path the ledger
/// lists (each once).
fn counts_and_ledger(j: &Value) -> (BTreeSet<String>, BTreeSet<String>) {
    fn walk(v: &Value, path: String, out: &mut BTreeSet<String>) {
        match v {
            Value::Object(m) if m.len() == 2 && m.contains_key("suppressed") => {
                out.insert(path);
            }
            Value::Object(m) => {
                for (k, x) in m {
                    if path.is_empty() && (k == "config" || k == "privacy") {
                        continue;
                    }
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    walk(x, p, out);
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    walk(x, format!("{path}[{i}]"), out);
                }
            }
            _ => {}
        }
    }
    let mut objects = BTreeSet::new();
    walk(j, String::new(), &mut objects);
    let mut listed = BTreeSet::new();
    for c in j["privacy"]["cells"].as_array().unwrap() {
        for p in c["paths"].as_array().unwrap() {
            assert!(listed.insert(p.as_str().unwrap().to_string()), "{p} twice");
        }
    }
    (objects, listed)
}

/// The attack on the ledger alone: the system of its cells and sum
/// relations (the library's own solver, fed nothing but the published
/// JSON); checks that no published ratio rests on a withheld cell and that
/// every published cell's value is what the report prints; returns the
/// narrowest width of a withheld count (`u64::MAX` when none is bounded).
fn attack(j: &Value) -> u64 {
    let ledger = &j["privacy"];
    let mut system = System::new();
    let mut index = BTreeMap::new();
    let mut counts = Vec::new();
    for c in ledger["cells"].as_array().unwrap() {
        let shown = !c["suppressed"].as_bool().unwrap();
        assert_eq!(shown, !c["value"].is_null());
        let value = c["value"].as_f64().unwrap_or(0.0);
        let i = if c["kind"] == "count" {
            counts.push((system.len(), shown));
            system.count(value, !shown)
        } else {
            system.pay_sum(value, 0.0, !shown)
        };
        index.insert(c["id"].as_str().unwrap().to_string(), i);
        // The report prints what the ledger says.
        for p in c["paths"].as_array().unwrap() {
            let at = pointer(j, p.as_str().unwrap());
            assert_eq!(at["value"], c["value"], "{p}");
        }
    }
    for r in ledger["relations"].as_array().unwrap() {
        if let Some(sum) = r["sum"].as_str() {
            let parts: Vec<usize> = r["of"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| index[p.as_str().unwrap()])
                .collect();
            system.sum(index[sum], &parts);
        } else {
            let (n, d) = (
                index[r["numerator"].as_str().unwrap()],
                index[r["denominator"].as_str().unwrap()],
            );
            if !r["value"].is_null() {
                assert!(
                    !system.is_withheld(n) && !system.is_withheld(d),
                    "a published ratio on a withheld cell: {r}"
                );
            }
        }
    }
    let mut narrowest = u64::MAX;
    for (i, shown) in counts {
        if shown {
            continue;
        }
        let (lo, hi) = system.bounds(i).unwrap();
        if hi.is_finite() {
            narrowest = narrowest.min((hi.floor() - lo.ceil()) as u64);
        }
    }
    narrowest
}

/// The value at a ledger path (`a.b[0].c`).
fn pointer<'v>(j: &'v Value, path: &str) -> &'v Value {
    let mut v = j;
    for part in path.split('.') {
        let (key, rest) = part.split_at(part.find('[').unwrap_or(part.len()));
        v = &v[key];
        for i in rest.split(['[', ']']).filter(|s| !s.is_empty()) {
            v = &v[i.parse::<usize>().unwrap()];
        }
    }
    v
}

/// A 2 × 2 table with its row, column and grand totals, as a system:
/// cells 0–3 inner (row-major), 4–5 row totals, 6–7 column totals, 8 the
/// grand total.
fn table(inner: [u64; 4], withheld: &[bool; 9]) -> (System, Vec<u64>) {
    let [a, b, c, d] = inner;
    let values = vec![a, b, c, d, a + b, c + d, a + c, b + d, a + b + c + d];
    let mut s = System::new();
    for (i, v) in values.iter().enumerate() {
        s.count(*v as f64, withheld[i]);
    }
    s.sum(4, &[0, 1]);
    s.sum(5, &[2, 3]);
    s.sum(6, &[0, 2]);
    s.sum(7, &[1, 3]);
    s.sum(8, &[4, 5]);
    s.sum(8, &[6, 7]);
    (s, values)
}

/// The tightest bounds on each withheld cell by enumerating every
/// non-negative integer assignment of the withheld cells up to the grand
/// total (which must be shown) that satisfies all six relations.
fn brute_force(s: &System, values: &[u64]) -> BTreeMap<usize, (u64, u64)> {
    assert!(!s.is_withheld(8));
    let hidden: Vec<usize> = (0..8).filter(|&i| s.is_withheld(i)).collect();
    let max = values[8];
    let mut x = values.to_vec();
    let mut bounds: BTreeMap<usize, (u64, u64)> = BTreeMap::new();
    let mut assignment = vec![0u64; hidden.len()];
    loop {
        for (k, &i) in hidden.iter().enumerate() {
            x[i] = assignment[k];
        }
        let ok = x[4] == x[0] + x[1]
            && x[5] == x[2] + x[3]
            && x[6] == x[0] + x[2]
            && x[7] == x[1] + x[3]
            && x[8] == x[4] + x[5]
            && x[8] == x[6] + x[7];
        if ok {
            for &i in &hidden {
                let e = bounds.entry(i).or_insert((x[i], x[i]));
                e.0 = e.0.min(x[i]);
                e.1 = e.1.max(x[i]);
            }
        }
        // Next assignment (odometer).
        let mut k = 0;
        while k < assignment.len() {
            assignment[k] += 1;
            if assignment[k] <= max {
                break;
            }
            assignment[k] = 0;
            k += 1;
        }
        if k == assignment.len() {
            break;
        }
    }
    bounds
}

fn check_against_brute_force(s: &System, values: &[u64]) {
    let brute = brute_force(s, values);
    for (i, (lo, hi)) in brute {
        let (l, h) = s.bounds(i).unwrap();
        assert_eq!((l, h), (lo as f64, hi as f64), "cell {i} of {values:?}");
    }
}

#[test]
fn the_audit_agrees_with_brute_force_on_a_worked_table() {
    // 1 2 | 3
    // 4 8 | 12
    // ---------
    // 5 10| 15, with the 1 and the 2 withheld: the row total pins their
    // sum, the column totals each one (1 = 5 − 4, 2 = 10 − 8).
    let mut hide = [false; 9];
    hide[..2].fill(true);
    let (s, v) = table([1, 2, 4, 8], &hide);
    assert_eq!(s.bounds(0).unwrap(), (1.0, 1.0));
    check_against_brute_force(&s, &v);
    // Withholding the 4 and the 8 as well leaves 1 + 2 = 3, 1 + 4 = 5,
    // 2 + 8 = 10, 4 + 8 = 12: the 1 lies in [0, 3].
    hide[..4].fill(true);
    let (s, v) = table([1, 2, 4, 8], &hide);
    assert_eq!(s.bounds(0).unwrap(), (0.0, 3.0));
    check_against_brute_force(&s, &v);
}

#[test]
fn pay_sums_obey_the_p_percent_rule_through_their_margin() {
    // All men 1000 = regular 900 + non-regular 100 (two men, 60 and 40):
    // withheld alone, the non-regular sum is the difference.
    let mut s = System::new();
    let all = s.pay_sum(1000.0, 200.0, false);
    let reg = s.pay_sum(900.0, 200.0, false);
    let non = s.pay_sum(100.0, 60.0, true);
    s.sum(all, &[reg, non]);
    assert_eq!(s.bounds(non).unwrap(), (100.0, 100.0));
    let outcome = s.protect(5, 10.0);
    assert!(outcome.passed);
    assert!(s.is_withheld(reg) || s.is_withheld(all));
    // Now 100 lies anywhere in [0, 1000]: far more than 10% of 60 each side.
    let (lo, hi) = s.bounds(non).unwrap();
    assert!(lo <= 100.0 - 6.0 && hi >= 100.0 + 6.0, "{lo} {hi}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// On random 2 × 2 tables (cells 0–6) and random withheld sets of up
    /// to four cells, the integer program's bounds are the brute-force
    /// bounds.
    #[test]
    fn audit_bounds_match_brute_force(
        inner in prop::array::uniform4(0u64..7),
        hide in prop::array::uniform8(prop::bool::weighted(0.35)),
    ) {
        let mut h = [false; 9];
        h[..8].copy_from_slice(&hide);
        let (s, v) = table(inner, &h);
        if hide.iter().filter(|x| **x).count() <= 4 {
            check_against_brute_force(&s, &v);
        }
    }

    /// After primary suppression at 5 and protection, every withheld
    /// count is at least 5 wide (by brute force where that is small
    /// enough, else by the integer program the test above checks).
    #[test]
    fn protection_leaves_every_withheld_count_wide(inner in prop::array::uniform4(0u64..9)) {
        let (_, v) = table(inner, &[false; 9]);
        let primary: [bool; 9] = std::array::from_fn(|i| v[i] > 0 && v[i] < 5);
        let (mut p, v) = table(inner, &primary);
        let outcome = p.protect(5, 10.0);
        prop_assert!(outcome.passed);
        let hidden: Vec<usize> = (0..9).filter(|&i| p.is_withheld(i)).collect();
        if !p.is_withheld(8) && hidden.len() <= 4 {
            for (i, (lo, hi)) in brute_force(&p, &v) {
                prop_assert!(hi - lo >= 5, "cell {} of {:?}: [{}, {}]", i, v, lo, hi);
            }
        }
        for i in hidden {
            let (lo, hi) = p.bounds(i).unwrap();
            prop_assert!(hi.floor() - lo.ceil() >= 5.0, "cell {} of {:?}: [{}, {}]", i, v, lo, hi);
        }
    }
}

#[cfg(feature = "synth")]
proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Random small organisations (tens of employees, groups of 1–10): the
    /// ledger, attacked alone, narrows no withheld count below the minimum
    /// group size; it lists every count object once.
    #[test]
    fn small_organisations_leak_no_small_count(
        seed in 0u64..1_000_000,
        employees in 30usize..90,
        managers in 1usize..4,
        policy in prop::bool::ANY,
        min in prop::sample::select(vec![3usize, 5, 10]),
        protect_zeros in prop::bool::ANY,
    ) {
        use mommytrack::synth::{generate, SynthConfig};
        let synth = SynthConfig {
            employees,
            seed,
            first_year: 2014,
            managers_per_department: managers,
            policy_date: policy.then(|| "2020-04-01".parse().unwrap()),
            ..SynthConfig::default()
        };
        let (e, v) = generate(&synth).to_csv().unwrap();
        let mut c = Config::default();
        c.concentration.policy_date = synth.policy_date;
        c.privacy.min_group_size = min;
        c.privacy.protect_zeros = protect_zeros;
        let config = c.validate().unwrap();
        let data = Dataset::builder(&config)
            .from_readers(e.as_slice(), v.as_slice())
            .unwrap();
        let j = serde_json::to_value(Analysis::run(&data, &config)).unwrap();
        prop_assert_eq!(&j["privacy"]["audit"]["passed"], &Value::Bool(true));
        let (objects, listed) = counts_and_ledger(&j);
        prop_assert_eq!(objects, listed);
        prop_assert!(attack(&j) >= min as u64);
        if protect_zeros {
            // No zero is published anywhere.
            for cell in j["privacy"]["cells"].as_array().unwrap() {
                prop_assert!(cell["value"] != 0, "{}", cell);
            }
        }
    }
}
