//! The promotion gap's rate table, worked by hand.
//!
//! Five mothers (grade 3, hired 2012-04-01) return from maternity leave on
//! 2020-01-06; `r0` is promoted on 2020-07-01 (within a year), the others
//! never. Ten women colleagues with no childcare leave, same grade and hire date,
//! are all promoted on 2021-06-01 (17 months after the index date). Each
//! return gets 5 peers (all ten qualify and are alike), so 25 peer
//! follow-ups. The analysis date (2025-03-31) follows everyone five years,
//! so everyone is eligible at every horizon. Groups of one are shown.
//!
//! | years | returners | peers | Fisher two-sided p |
//! |---|---|---|---|
//! | 1 | 1 of 5 | 0 of 25 | only X = 1 is as unlikely: P = C(29,4)/C(30,5) = 5/30 = 1/6 |
//! | 2 | 1 of 5 | 25 of 25 | 26 promoted of 30, X ≥ 1: P(X = 1) = 26·C(4,4)/C(30,5) = 26/142506 |
//! | 3 | 1 of 5 | 25 of 25 | the same |
//!
//! The impact ratio at 2 years is 0.2 ÷ 1.0 = 0.2 < 0.8 (four-fifths rule
//! violated); at 1 year the reference rate is 0, so there is none.

use mommytrack::config::Config;
use mommytrack::{Analysis, Count, Dataset};

#[test]
fn rate_table_by_hand() {
    let mut emp = String::from(
        "employee_id,gender,hire_date,grade,responsibility,employment_type,weekly_hours\n",
    );
    let mut ev = String::from("employee_id,date,event,leave_type,grade\n");
    for i in 0..5 {
        emp.push_str(&format!("r{i},F,2012-04-01,3,3,regular,40\n"));
        ev.push_str(&format!("r{i},2019-01-07,leave_start,maternity,\n"));
        ev.push_str(&format!("r{i},2020-01-06,leave_end,maternity,\n"));
    }
    ev.push_str("r0,2020-07-01,promotion,,4\n");
    for i in 0..10 {
        // Women, so that they are peers under the default design (same gender).
        emp.push_str(&format!("p{i},F,2012-04-01,3,3,regular,40\n"));
        ev.push_str(&format!("p{i},2021-06-01,promotion,,4\n"));
    }
    let mut c = Config::default();
    c.ingest.as_of = "2025-03-31".parse().ok();
    c.privacy.min_group_size = 1;
    c.statistics.diagnostics = true;
    let config = c.validate().unwrap();

    let data = Dataset::builder(&config)
        .from_readers(emp.as_bytes(), ev.as_bytes())
        .unwrap();
    assert_eq!(data.report.rejections, vec![]);
    let gap = Analysis::run(&data, &config)
        .promotion_gap
        .expect("childcare returns");
    let c = &gap.returners_vs_peers;
    assert_eq!(
        (c.group_n, c.reference_n),
        (Count::new(5, 1), Count::new(25, 1))
    );
    let shown = |n| Count::new(n, 1);
    let table: Vec<_> = c
        .rates
        .iter()
        .map(|r| {
            (
                r.years,
                r.group.promoted,
                r.group.eligible,
                r.reference.promoted,
                r.reference.eligible,
            )
        })
        .collect();
    assert_eq!(
        table,
        vec![
            (1, shown(1), shown(5), shown(0), shown(25)),
            (2, shown(1), shown(5), shown(25), shown(25)),
            (3, shown(1), shown(5), shown(25), shown(25)),
        ]
    );
    let close =
        |a: Option<f64>, b: f64| a.is_some_and(|a| (a - b).abs() <= 1e-9 * b.abs().max(1.0));
    assert!(close(c.rates[0].group.rate, 0.2));
    assert!(close(c.rates[0].reference.rate, 0.0));
    assert!(
        close(c.rates[0].fisher_p_value, 1.0 / 6.0),
        "{:?}",
        c.rates[0].fisher_p_value
    );
    assert_eq!(c.rates[0].impact_ratio, None);
    for r in &c.rates[1..] {
        assert!(
            close(r.fisher_p_value, 26.0 / 142506.0),
            "{:?}",
            r.fisher_p_value
        );
        assert!(close(r.impact_ratio, 0.2));
        assert_eq!(r.four_fifths_violated, Some(true));
        assert!(close(r.difference.map(|d| d[0]), -0.8));
    }
    // Cumulative incidence: nobody leaves, so it is the share promoted by
    // then among all (everyone is followed five years): 1/5 and 0 at one
    // year, 1/5 and 25/25 at two and three.
    let d = gap.diagnostics.as_ref().expect("diagnostics on");
    let ci: Vec<(u32, f64, f64)> = d
        .cumulative_incidence
        .iter()
        .map(|c| {
            (
                c.years,
                c.group.as_ref().unwrap().estimate,
                c.reference.as_ref().unwrap().estimate,
            )
        })
        .collect();
    for ((years, a, b), (y, wa, wb)) in ci.iter().zip([(1, 0.2, 0.0), (2, 0.2, 1.0), (3, 0.2, 1.0)])
    {
        assert_eq!(*years, y);
        assert!(
            (a - wa).abs() < 1e-12 && (b - wb).abs() < 1e-12,
            "{years}: {a} {b}"
        );
    }
    assert!(close(
        d.cumulative_incidence[1].difference.map(|x| x[0]),
        -0.8
    ));
    // The robust fit has the headline coefficient; only its interval differs.
    let (hr, robust) = (c.cox.as_ref().unwrap(), d.cox_robust.as_ref().unwrap());
    assert!((hr.hazard_ratio - robust.hazard_ratio).abs() <= 1e-12 * hr.hazard_ratio);
    assert!(robust.ci_lower <= robust.hazard_ratio && robust.hazard_ratio <= robust.ci_upper);
    // In the first year the peers have no promotion: the period fit cannot
    // be estimated (separation) and says so by its absence.
    assert_eq!(d.by_period.len(), 5);
    assert!(d.by_period[0].hazard_ratio.is_none());
}
