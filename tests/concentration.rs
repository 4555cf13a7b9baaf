//! Concentration, the policy comparison and the event-study panel, worked
//! by hand.
//!
//! Ten mothers back from maternity leave, no one else (so no peers and no
//! stall or rating flags). Manager `mA` (department `sales`): five returns
//! on 2019-01-07, four of them followed by an employer-initiated
//! responsibility drop two months later. Manager `mB` (`ops`): five returns
//! on 2021-01-04, none changed. The policy date is 2020-01-01.
//!
//! Fisher's exact test of `mA` against the rest: the table [[4, 1], [0, 5]]
//! has margins 5/5 and 4 flagged of 10; under the hypergeometric law
//! P(X = 4) = C(4,4)·C(6,1)/C(10,5) = 6/252 and P(X = 0) = 6/252, the only
//! outcomes as unlikely, so the two-sided p = 12/252 = 0.047619… (scipy
//! `fisher_exact([[4, 1], [0, 5]])` gives the same). `mB` against the rest is
//! the mirror table with the same p. Benjamini–Hochberg over the two equal
//! p-values leaves each at p·2/2 = 12/252 ≤ 0.05: both significant.

use mommytrack::analysis::event_study::panel;
use mommytrack::config::Config;
use mommytrack::{Analysis, Context, Count, Dataset};

const EMP: &str = "employee_id,gender,birth_year,hire_date,department,manager_id,grade,responsibility,employment_type,weekly_hours";
const EV: &str = "employee_id,date,event,leave_type,grade,responsibility,initiated_by";

fn ten_mothers() -> (Dataset, mommytrack::ValidConfig) {
    let mut emp = format!("{EMP}\n");
    let mut ev = format!("{EV}\n");
    for i in 0..5 {
        emp.push_str(&format!("a{i},F,1985,2012-04-01,sales,mA,3,3,regular,40\n"));
        ev.push_str(&format!("a{i},2018-01-10,leave_start,maternity,,,\n"));
        ev.push_str(&format!("a{i},2019-01-07,leave_end,maternity,,,\n"));
        if i < 4 {
            ev.push_str(&format!("a{i},2019-03-07,role_change,,,1,employer\n"));
        }
        emp.push_str(&format!("b{i},F,1986,2012-04-01,ops,mB,3,3,regular,40\n"));
        ev.push_str(&format!("b{i},2020-01-13,leave_start,maternity,,,\n"));
        ev.push_str(&format!("b{i},2021-01-04,leave_end,maternity,,,\n"));
    }
    let mut c = Config::default();
    c.ingest.as_of = "2025-03-31".parse().ok();
    c.concentration.policy_date = "2020-01-01".parse().ok();
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

#[test]
fn managers_and_departments_by_hand() {
    let (data, config) = ten_mothers();
    let analysis = Analysis::run(&data, &config);
    assert_eq!(analysis.flags.len(), 4);
    let c = analysis.concentration.expect("childcare returns");
    assert_eq!(c.returns, Count::new(10, 5));
    assert_eq!(c.flagged_involuntary, Count::new(4, 5));
    // Listed by key: managers mA, mB; departments ops, sales.
    for (groups, a_first) in [(&c.managers, true), (&c.departments, false)] {
        assert_eq!(groups.len(), 2);
        let (a, b) = if a_first {
            (&groups[0], &groups[1])
        } else {
            (&groups[1], &groups[0])
        };
        assert_eq!((a.returns, a.flagged), (5, 4));
        assert_eq!((b.returns, b.flagged), (5, 0));
        for g in [a, b] {
            assert!(close(g.p_value, P), "{:?}", g.p_value);
            assert!(close(g.p_adjusted, P), "{:?}", g.p_adjusted);
            assert!(g.significant);
        }
    }
    assert_eq!(c.managers[0].manager_id.as_deref(), Some("mA"));
    assert_eq!(c.departments[0].department.as_deref(), Some("ops"));
}

#[test]
fn policy_comparison_by_hand() {
    let (data, config) = ten_mothers();
    let p = Analysis::run(&data, &config).policy.expect("a policy date");
    assert_eq!(p.date.to_string(), "2020-01-01");
    assert_eq!(
        (p.returns_before, p.returns_after),
        (Count::new(5, 5), Count::new(5, 5))
    );
    assert!(close(p.flag_rate_before, 0.8));
    assert!(close(p.flag_rate_after, 0.0));
    // Before against after is the same table as mA against mB.
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
