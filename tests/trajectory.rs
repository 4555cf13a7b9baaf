//! Trajectories on a hand-built fixture; every expected number is worked
//! out in the comments. Analysis date 2025-03-31, horizons 6/12/24/36 months,
//! durations in months = days ÷ 30.4375.

use mommytrack::analysis::trajectory::{Trajectory, TrajectorySummary};
use mommytrack::config::{Config, ValidConfig};
use mommytrack::schema::Gender;
use mommytrack::Context;
use mommytrack::Count;
use mommytrack::Dataset;

const EMP: &str = "employee_id,gender,hire_date,exit_date,exit_reason,grade,responsibility,track,employment_type,weekly_hours,salary";
const EV: &str = "employee_id,date,event,leave_type,grade,responsibility,initiated_by,rating,employment_type,weekly_hours,salary";

fn fixture() -> (Dataset, ValidConfig) {
    let emp = format!(
        "{EMP}\n\
         a1,F,2015-04-01,,,3,3,career,regular,40,5000000\n\
         a2,F,2016-04-01,2024-03-31,voluntary,2,2,general,regular,40,4000000\n\
         a3,M,2014-04-01,,,4,4,career,regular,40,6000000\n\
         b1,F,2017-04-01,,,2,2,general,regular,40,4000000\n"
    );
    let ev = format!(
        "{EV}\n\
         a1,2018-03-31,evaluation,,,,,4,,,\n\
         a1,2019-03-31,evaluation,,,,,4,,,\n\
         a1,2020-01-01,leave_start,maternity,,,,,,,\n\
         a1,2020-03-01,leave_end,maternity,,,,,,,\n\
         a1,2020-03-01,leave_start,parental,,,,,,,\n\
         a1,2021-01-01,leave_end,parental,,,,,,,\n\
         a1,2021-02-01,role_change,,,1,employer,,,,\n\
         a1,2021-03-31,evaluation,,,,,3,,,\n\
         a1,2021-04-01,salary_change,,,,,,,,4000000\n\
         a1,2022-03-31,evaluation,,,,,3,,,\n\
         a1,2023-03-31,evaluation,,,,,4,,,\n\
         a1,2023-04-01,promotion,,4,,,,,,\n\
         a2,2022-06-01,leave_start,maternity,,,,,,,\n\
         a2,2022-08-01,leave_end,maternity,,,,,,,\n\
         a2,2022-08-01,leave_start,parental,,,,,,,\n\
         a2,2023-06-01,leave_end,parental,,,,,,,\n\
         a2,2023-07-01,employment_change,,,,employer,,part_time,,\n\
         a2,2023-07-01,hours_change,,,,employer,,,30,\n\
         a3,2024-05-01,leave_start,paternity,,,,,,,\n\
         a3,2024-05-21,leave_end,paternity,,,,,,,\n\
         b1,2019-01-01,leave_start,medical,,,,,,,\n\
         b1,2019-03-01,leave_end,medical,,,,,,,\n"
    );
    let mut c = Config::default();
    c.ingest.as_of = "2025-03-31".parse().ok();
    c.privacy.min_group_size = 1;
    let config = c.validate().unwrap();

    let data = Dataset::builder(&config)
        .from_readers(emp.as_bytes(), ev.as_bytes())
        .unwrap();
    assert_eq!(data.report.rejections, vec![]);
    (data, config)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn each_return_is_read_at_every_horizon() {
    let (data, config) = fixture();
    let as_of = data.as_of();
    let ctx = Context::new(&data, &config);
    let rets = ctx.returns();
    // a1 (one absence: maternity + parental), a2, a3 and b1's medical leave.
    assert_eq!(rets.len(), 4);
    let t: Vec<Trajectory> = rets
        .iter()
        .map(|r| Trajectory::of(r, &config, as_of))
        .collect();

    // a1: back 2021-01-01; responsibility 3 → 1 on 2021-02-01, salary 5.0M → 4.0M
    // on 2021-04-01, promoted 3 → 4 on 2023-04-01 (820 days = 26.94 months).
    let a1 = &t[0];
    assert!(a1.childcare && a1.promoted && !a1.exited);
    assert!(close(a1.months_to_promotion, 820.0 / 30.4375));
    assert!(close(a1.months_to_exit, 1550.0 / 30.4375)); // to 2025-03-31, censored
    let s = &a1.snapshots;
    assert_eq!(
        s.iter().map(|s| s.months).collect::<Vec<_>>(),
        vec![6, 12, 24, 36]
    );
    assert!(s.iter().all(|s| s.observed));
    assert_eq!(
        s.iter()
            .map(|s| s.responsibility_change)
            .collect::<Vec<_>>(),
        vec![-2, -2, -2, -2]
    );
    assert_eq!(
        s.iter().map(|s| s.grade_change).collect::<Vec<_>>(),
        vec![0, 0, 0, 1]
    );
    // 6 months = 2021-07-01: salary already 4.0M: 4/5 − 1 = −0.2.
    assert!(close(s[0].salary_change.unwrap(), -0.2));
    // Ratings from the return to the horizon vs the pre-leave mean 4:
    // 6 and 12 months: [3] → −1; 24 months: [3, 3] → −1; 36 months: [3, 3, 4] → −2/3.
    assert!(close(s[0].rating_change.unwrap(), -1.0));
    assert!(close(s[2].rating_change.unwrap(), -1.0));
    assert!(close(s[3].rating_change.unwrap(), 10.0 / 3.0 - 4.0));
    assert_eq!(s[0].track_change, Some(0));

    // a2: back 2023-06-01, part-time at 30 h from 2023-07-01, left 2024-03-31
    // (304 days = 9.99 months): 6 months (2023-12-01) observed, later ones not.
    let a2 = &t[1];
    assert!(a2.exited && !a2.promoted);
    assert!(close(a2.months_to_exit, 304.0 / 30.4375));
    assert_eq!(
        a2.snapshots.iter().map(|s| s.observed).collect::<Vec<_>>(),
        vec![true, false, false, false]
    );
    assert!(a2.snapshots[0].became_non_regular);
    assert!(close(a2.snapshots[0].hours_change, -10.0));
    assert_eq!(a2.snapshots[0].rating_change, None); // no ratings at all

    // a3: back 2024-05-21; 6 months (2024-11-21) observed, 12 months (2025-05-21) after the analysis date.
    let a3 = &t[2];
    assert_eq!(a3.gender, Gender::Male);
    assert_eq!(
        a3.snapshots.iter().map(|s| s.observed).collect::<Vec<_>>(),
        vec![true, false, false, false]
    );
    assert_eq!(a3.snapshots[0].grade_change, 0);

    // b1's medical leave is a return, but not childcare.
    assert!(!t[3].childcare);
}

#[test]
fn aggregates_by_gender_with_km_retention_and_gri_rates() {
    let (data, config) = fixture();
    let as_of = data.as_of();
    let ctx = Context::new(&data, &config);
    let rets = ctx.returns();
    let t: Vec<Trajectory> = rets
        .iter()
        .map(|r| Trajectory::of(r, &config, as_of))
        .collect();
    let s = TrajectorySummary::new(&ctx, &t);
    let women = s
        .by_leave_and_gender
        .iter()
        .find(|g| g.group == "childcare/F")
        .unwrap();
    assert_eq!(women.returns, Count::new(2, 1));
    // Exit times: a1 50.92 censored, a2 9.99 exit with 2 at risk → S = 1 − 1/2.
    let retained: Vec<f64> = women
        .retention
        .iter()
        .map(|r| r.retained.unwrap())
        .collect();
    assert_eq!(retained, vec![1.0, 0.5, 0.5, 0.5]);
    // 6 months: both observed; a1 responsibility lower; a2 non-regular, fewer
    // hours; salary change mean (−0.2 + 0) / 2 = −0.1; rating change only a1: −1.
    let h = &women.at_horizon[0];
    assert_eq!(h.observed.value, Some(2));
    assert_eq!(h.responsibility_lower.value, Some(1));
    assert_eq!(h.became_non_regular.value, Some(1));
    assert_eq!(h.hours_reduced.value, Some(1));
    assert!(close(h.mean_salary_change.unwrap(), -0.1));
    assert!(close(h.mean_rating_change.unwrap(), -1.0));
    assert_eq!(women.at_horizon[1].observed.value, Some(1));
    // Time to promotion: a2 censored at 9.99, a1 promoted at 26.94 (1 at risk) → S = 0 → median 26.94.
    assert!(close(
        women.median_months_to_promotion.unwrap(),
        820.0 / 30.4375
    ));
    // GRI 401-3. Women: 2 took childcare leave, 2 returned (100%); both
    // observed 12 months after return; a1 still employed, a2 gone → 50%.
    let f = s
        .return_to_work
        .iter()
        .find(|r| r.gender == Gender::Female)
        .unwrap();
    assert_eq!((f.took_leave.value, f.returned.value), (Some(2), Some(2)));
    assert_eq!(f.return_rate, Some(1.0));
    assert_eq!(
        (f.observed_12_months.value, f.retained_12_months.value),
        (Some(2), Some(1))
    );
    assert_eq!(f.retention_rate_12_months, Some(0.5));
    // Men: a3 returned, but 12 months after is beyond the analysis date.
    let m = s
        .return_to_work
        .iter()
        .find(|r| r.gender == Gender::Male)
        .unwrap();
    assert_eq!(
        (
            m.took_leave.value,
            m.returned.value,
            m.observed_12_months.value
        ),
        (Some(1), Some(1), Some(0))
    );
    assert_eq!(m.retention_rate_12_months, None);
    // Cohorts by return year: 2021 (a1), 2023 (a2), 2024 (a3).
    let cohorts: Vec<&str> = s.by_cohort.iter().map(|g| g.group.as_str()).collect();
    assert_eq!(cohorts, vec!["cohort/2021", "cohort/2023", "cohort/2024"]);
    assert!(s.by_leave_and_gender.iter().any(|g| g.group == "other/F"));
}

/// Eight mothers in `ops`, all back on 2021-01-01 (maternity from
/// 2020-01-01): m1–m3 lose responsibility (3 → 1) on 2021-02-01, m4–m5 become
/// part-time on 2021-03-01, m6 leaves on 2021-06-30; m7–m8 change nothing.
/// The default minimum group size (5) applies.
fn department_fixture() -> (Dataset, ValidConfig) {
    let mut emp = format!("{EMP}\n");
    let mut ev = format!("{EV}\n");
    for i in 1..=8 {
        let exit = if i == 6 { "2021-06-30,voluntary" } else { "," };
        emp.push_str(&format!(
            "m{i},F,2015-04-01,{exit},3,3,career,regular,40,5000000\n"
        ));
        ev.push_str(&format!("m{i},2020-01-01,leave_start,maternity,,,,,,,\n"));
        ev.push_str(&format!("m{i},2021-01-01,leave_end,maternity,,,,,,,\n"));
        match i {
            1..=3 => ev.push_str(&format!("m{i},2021-02-01,role_change,,,1,employer,,,,\n")),
            4 | 5 => ev.push_str(&format!(
                "m{i},2021-03-01,employment_change,,,,employer,,part_time,,\n"
            )),
            _ => {}
        }
    }
    let mut c = Config::default();
    c.ingest.as_of = "2025-03-31".parse().ok();
    let config = c.validate().unwrap();

    // The employees table has no department column in EMP: every return is in "(none)".
    let data = Dataset::builder(&config)
        .from_readers(emp.as_bytes(), ev.as_bytes())
        .unwrap();
    assert_eq!(data.report.rejections, vec![]);
    (data, config)
}

#[test]
fn group_counts_are_suppressed_below_the_minimum() {
    let (data, config) = department_fixture();
    let as_of = data.as_of();
    let ctx = Context::new(&data, &config);
    let rets = ctx.returns();
    assert_eq!(rets.len(), 8);
    let t: Vec<Trajectory> = rets
        .iter()
        .map(|r| Trajectory::of(r, &config, as_of))
        .collect();
    let s = TrajectorySummary::new(&ctx, &t);
    let g = &s.by_department[0];
    assert_eq!(g.group, "department/(none)");
    assert_eq!(g.returns, Count::new(8, 5));
    // 6 months (2021-07-01): m6 left the day before, so 7 observed;
    // 3 with lower responsibility and 2 non-regular: both under 5, suppressed.
    let h = &g.at_horizon[0];
    assert_eq!(h.observed.value, Some(7));
    assert_eq!(h.responsibility_lower, Count::published(None));
    assert_eq!(h.became_non_regular, Count::published(None));
    assert_eq!(h.grade_lower.value, Some(0)); // zero singles nobody out
                                              // Salaries unchanged for all seven: mean change 0.
    assert_eq!(h.mean_salary_change, Some(0.0));
    // Retention: one exit at 180 days (5.91 months) among 8 → 7/8 from then on.
    let r: Vec<f64> = g.retention.iter().map(|r| r.retained.unwrap()).collect();
    assert_eq!(r, vec![0.875, 0.875, 0.875, 0.875]);
    // GRI 401-3: 8 took leave, 8 returned; 8 observed 12 months later, 7 still employed.
    let f = &s.return_to_work[0];
    assert_eq!(
        (
            f.took_leave.value,
            f.returned.value,
            f.retained_12_months.value
        ),
        (Some(8), Some(8), Some(7))
    );
    assert_eq!(f.retention_rate_12_months, Some(0.875));
    // One cohort (2021) of 8.
    assert_eq!(s.by_cohort.len(), 1);
    assert_eq!(s.by_cohort[0].returns.value, Some(8));
}
