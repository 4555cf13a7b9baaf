//! Concentration, the policy comparison and the event-study panel, worked
//! by hand.
//!
//! Ten mothers back from maternity leave, no one else (so no peers and no
//! stall or rating flags). Manager `mA` (department `sales`): five returns
//! on 2019-01-07, four of them followed by an employer-initiated
//! responsibility drop two months later. Manager `mB` (`ops`): five returns
//! on 2021-01-04, none changed. The policy date is 2020-01-01.
//!
//! Managers and departments are tested one-sided for more flags than their
//! returns lead to expect, stratified by return period (before / after the
//! policy date), gender and grade:
//!
//! - As built, `mA`'s returns are all before the policy date and `mB`'s all
//!   after, so each stratum holds one manager: `mA` is expected to have
//!   exactly the 4 flags she has (p = 1) and `mB` the 0 he has (p = 1).
//!   The excess an unstratified comparison shows is explained entirely by
//!   the period of the returns: neither is significant. (The two-sided,
//!   unstratified Fisher test of earlier versions called both significant
//!   at p = 12/252 = 0.0476, `mB` for having *fewer* flags.)
//! - With every return on 2019-01-07 (one stratum), `mA` has 4 flags where
//!   5 × 4/10 = 2 are expected: P(X ≥ 4) for X hypergeometric (10 returns,
//!   4 flagged, 5 drawn) is C(4,4)·C(6,1)/C(10,5) = 6/252 (scipy
//!   `fisher_exact([[4, 1], [0, 5]], alternative="greater")` gives the
//!   same); `mB`, with markedly fewer flags than expected (0 of 2), has
//!   P(X ≥ 0) = 1. Benjamini–Hochberg: 6/252 · 2/1 = 12/252 ≤ 0.05, so `mA`
//!   alone is significant. The shrunken ratios (Marshall): m = 4/4 = 1,
//!   ratios 2 and 0, s² = (2·1² + 2·1²)/4 = 1, Ē = 2, A = 1 − 1/2 = 0.5,
//!   each ratio pulled halfway, A/(A + m/2) = 0.5: 1.5 and 0.5.

use mommytrack::analysis::event_study::panel;
use mommytrack::config::Config;
use mommytrack::{Analysis, Context, Count, Dataset};

const EMP: &str = "employee_id,gender,birth_year,hire_date,department,manager_id,grade,responsibility,employment_type,weekly_hours";
const EV: &str = "employee_id,date,event,leave_type,grade,responsibility,initiated_by";

fn ten_mothers() -> (Dataset, mommytrack::ValidConfig) {
    mothers(false)
}

/// The ten mothers; with `same_day`, `mB`'s returns are on `mA`'s date.
fn mothers(same_day: bool) -> (Dataset, mommytrack::ValidConfig) {
    parents(same_day, false)
}

/// As [`mothers`]; with `b_fathers`, `mB`'s five returners are fathers back
/// from parental leave.
fn parents(same_day: bool, b_fathers: bool) -> (Dataset, mommytrack::ValidConfig) {
    let mut emp = format!("{EMP}\n");
    let mut ev = format!("{EV}\n");
    for i in 0..5 {
        emp.push_str(&format!("a{i},F,1985,2012-04-01,sales,mA,3,3,regular,40\n"));
        ev.push_str(&format!("a{i},2018-01-10,leave_start,maternity,,,\n"));
        ev.push_str(&format!("a{i},2019-01-07,leave_end,maternity,,,\n"));
        if i < 4 {
            ev.push_str(&format!("a{i},2019-03-07,role_change,,,1,employer\n"));
        }
        let (g, leave) = if b_fathers {
            ("M", "parental")
        } else {
            ("F", "maternity")
        };
        emp.push_str(&format!("b{i},{g},1986,2012-04-01,ops,mB,3,3,regular,40\n"));
        if same_day {
            ev.push_str(&format!("b{i},2018-01-10,leave_start,{leave},,,\n"));
            ev.push_str(&format!("b{i},2019-01-07,leave_end,{leave},,,\n"));
        } else {
            ev.push_str(&format!("b{i},2020-01-13,leave_start,maternity,,,\n"));
            ev.push_str(&format!("b{i},2021-01-04,leave_end,maternity,,,\n"));
        }
    }
    let mut c = Config::default();
    c.ingest.as_of = "2025-03-31".parse().ok();
    c.concentration.policy_date = "2020-01-01".parse().ok();
    // Groups of 4 and 5 are the point here, not their privacy: every count
    // may be shown (tests/privacy.rs covers what min_group_size 5 withholds).
    c.privacy.min_group_size = 1;
    let config = c.validate().unwrap();

    let data = Dataset::builder(&config)
        .from_readers(emp.as_bytes(), ev.as_bytes())
        .unwrap();
    assert_eq!(data.report.rejections, vec![]);
    (data, config)
}

const P: f64 = 12.0 / 252.0;

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-12)
}

/// A group as (returns, flagged, p, p adjusted, significant, expected,
/// shrunken ratio).
type Row = (u64, u64, f64, f64, bool, f64, f64);

/// The rows of managers mA, mB and of departments sales, ops.
fn groups(same_day: bool) -> Vec<Vec<Row>> {
    groups_of(parents(same_day, false))
}

fn groups_of((data, config): (Dataset, mommytrack::ValidConfig)) -> Vec<Vec<Row>> {
    let analysis = Analysis::run(&data, &config);
    assert_eq!(analysis.flags.len(), 4);
    let c = analysis.concentration.expect("childcare returns");
    assert_eq!(c.returns, Count::new(10, 1));
    assert_eq!(c.flagged_involuntary, Count::new(4, 1));
    // Listed by key: managers mA, mB; departments ops, sales.
    assert_eq!(c.managers[0].manager_id.as_deref(), Some("mA"));
    assert_eq!(c.departments[0].department.as_deref(), Some("ops"));
    let row = |g: &mommytrack::analysis::concentration::GroupConcentration| {
        (
            g.returns.value.unwrap(),
            g.flagged.value.unwrap(),
            g.p_value.unwrap(),
            g.p_adjusted.unwrap(),
            g.significant,
            g.expected.unwrap(),
            g.shrunken_ratio.unwrap(),
        )
    };
    let departments = vec![row(&c.departments[1]), row(&c.departments[0])];
    vec![c.managers.iter().map(row).collect(), departments]
}

#[test]
fn an_excess_explained_by_the_period_of_the_returns_is_not_significant() {
    for g in groups(false) {
        // Each stratum (period × grade) holds one group's returns only.
        assert_eq!(g[0], (5, 4, 1.0, 1.0, false, 4.0, 1.0));
        assert_eq!(g[1], (5, 0, 1.0, 1.0, false, 0.0, 1.0));
    }
}

#[test]
fn an_excess_in_one_stratum_is_found_and_a_deficit_is_not() {
    for g in groups(true) {
        let (a, b) = (g[0], g[1]);
        assert_eq!((a.0, a.1, b.0, b.1), (5, 4, 5, 0));
        assert!((a.2 - 6.0 / 252.0).abs() < 1e-12, "{}", a.2);
        assert!((a.3 - 12.0 / 252.0).abs() < 1e-12, "{}", a.3);
        assert!(a.4, "mA significant");
        assert!((a.5 - 2.0).abs() < 1e-12 && (a.6 - 1.5).abs() < 1e-12);
        // Fewer flags than expected: p = 1, not significant.
        assert!((b.2 - 1.0).abs() < 1e-12 && !b.4);
        assert!((b.5 - 2.0).abs() < 1e-12 && (b.6 - 0.5).abs() < 1e-12);
    }
}

/// The same day, but `mB`'s returners are fathers: mothers and fathers are
/// strata of their own, so `mA`'s 4 flags among 5 mothers are compared with
/// the mothers' rate (4 of 5: expected 4, p = 1) and not with the 4 of 10
/// of everyone, which made her significant above.
#[test]
fn an_excess_explained_by_gender_is_not_significant() {
    for g in groups_of(parents(true, true)) {
        assert_eq!(g[0], (5, 4, 1.0, 1.0, false, 4.0, 1.0));
        assert_eq!(g[1], (5, 0, 1.0, 1.0, false, 0.0, 1.0));
    }
}

#[test]
fn policy_comparison_by_hand() {
    let (data, config) = ten_mothers();
    let p = Analysis::run(&data, &config).policy.expect("a policy date");
    assert_eq!(p.date.to_string(), "2020-01-01");
    assert_eq!(
        (p.returns_before, p.returns_after),
        (Count::new(5, 1), Count::new(5, 1))
    );
    assert!(close(p.flag_rate_before, 0.8));
    assert!(close(p.flag_rate_after, 0.0));
    // Before against after, two-sided: [[0, 5], [4, 1]] gives 12/252, as
    // mA against mB would (P(X = 4) = P(X = 0) = 6/252, the only outcomes
    // as unlikely; scipy `fisher_exact` gives the same).
    assert!(close(p.p_value, P), "{:?}", p.p_value);
}

/// The panel: one row per parent and 31 December from three years before
/// the year the first childcare absence began (2018 for `a*`, 2020 for
/// `b*`) to five after, while employed and not after the analysis date.
/// `a0`, born 1985, hired 2012: years 2015–2023, ages 30–38, event times
/// −3…5, responsibility 3 until the drop of 2019-03-07, then 1.
#[test]
fn event_study_panel_by_hand() {
    let (data, config) = ten_mothers();
    let ctx = Context::new(&data, &config);
    let (rows, no_birth_year) = panel(&ctx);
    assert_eq!(no_birth_year, 0);
    let a0: Vec<_> = rows.iter().filter(|r| r.employee == 0).collect();
    assert_eq!(
        a0.iter().map(|r| r.year).collect::<Vec<_>>(),
        (2015..=2023).collect::<Vec<_>>()
    );
    assert_eq!(
        a0.iter().map(|r| r.event_time).collect::<Vec<_>>(),
        (-3..=5).collect::<Vec<_>>()
    );
    assert_eq!(
        a0.iter().map(|r| r.age).collect::<Vec<_>>(),
        (30..=38).collect::<Vec<_>>()
    );
    let resp: Vec<f64> = a0.iter().map(|r| r.responsibility).collect();
    assert_eq!(resp, [3.0, 3.0, 3.0, 3.0, 1.0, 1.0, 1.0, 1.0, 1.0]);
    assert!(a0
        .iter()
        .all(|r| r.female && r.grade == 3.0 && r.regular == 1.0 && r.salary.is_none()));
    // `b0` (timeline 1): event year 2020, years 2017–2024 (31 Dec 2025 is after the analysis date).
    let b0: Vec<i32> = rows
        .iter()
        .filter(|r| r.employee == 1)
        .map(|r| r.year)
        .collect();
    assert_eq!(b0, (2017..=2024).collect::<Vec<_>>());
    assert_eq!(rows.len(), 5 * 9 + 5 * 8);
}
