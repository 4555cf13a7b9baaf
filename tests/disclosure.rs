//! Disclosure figures on hand-worked fixtures. Every expected number is worked
//! out in the comments from the rows above it (fiscal year FY2024 =
//! 2024-04-01 … 2025-03-31, 365 days).

use mommytrack::analysis::disclosure::{Disclosure, FigureStatus, FiscalYear};
use mommytrack::config::{Config, ValidConfig};
use mommytrack::schema::{Gender, LeaveType};

const EMP: &str = "employee_id,gender,hire_date,exit_date,grade,responsibility,employment_type,weekly_hours,salary";
const EV: &str = "employee_id,date,event,leave_type,grade,employment_type,weekly_hours,salary";

fn config(min_group_size: usize) -> ValidConfig {
    let mut c = Config::default();
    c.privacy.min_group_size = min_group_size;
    // A minimum of 1 is the statutory filing, where every figure is wanted:
    // the p% rule on pay sums goes too.
    if min_group_size == 1 {
        c.privacy.pay_p_percent = 0.0;
    }
    c.ingest.as_of = "2026-03-31".parse().ok();
    c.validate().unwrap()
}

fn disclose(emp: &[&str], ev: &[&str], year: i32, min: usize) -> Disclosure {
    let emp = format!("{EMP}\n{}\n", emp.join("\n"));
    let ev = format!("{EV}\n{}\n", ev.join("\n"));
    let config = config(min);
    let data = mommytrack::Dataset::builder(&config)
        .from_readers(emp.as_bytes(), ev.as_bytes())
        .unwrap();
    assert_eq!(
        data.report.rejections,
        vec![],
        "fixture rows must all be valid"
    );
    let fy = FiscalYear::new(year, config.fiscal_year_start()).unwrap();
    Disclosure::compute(&data.timelines, fy, &config)
}

/// Men m1–m8 and women w1–w2, all hired 2015-04-01, regular, 40 h.
fn uptake_fixture(year: i32) -> Disclosure {
    let emp: Vec<String> = ["m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "w1", "w2"]
        .iter()
        .map(|id| {
            let g = if id.starts_with('m') { "M" } else { "F" };
            format!("{id},{g},2015-04-01,,3,3,regular,40,5000000")
        })
        .collect();
    let emp: Vec<&str> = emp.iter().map(String::as_str).collect();
    let ev = [
        // m1: birth in FY2024; paternity in May, then a second part of leave
        // for the same child starting in FY2024 and ending in FY2025: one person, FY2024.
        "m1,2024-05-01,child_birth,,,,,",
        "m1,2024-05-10,leave_start,paternity,,,,",
        "m1,2024-05-20,leave_end,paternity,,,,",
        "m1,2025-03-20,leave_start,parental,,,,",
        "m1,2025-04-15,leave_end,parental,,,,",
        // m2: birth in FY2023, leave starts in FY2024: counts in FY2024's
        // numerator but not its denominator (so the ratio can pass 100%).
        "m2,2024-03-15,child_birth,,,,,",
        "m2,2024-04-10,leave_start,parental,,,,",
        "m2,2024-05-10,leave_end,parental,,,,",
        // m3: birth and a leave crossing into FY2025: FY2024.
        "m3,2025-01-10,child_birth,,,,,",
        "m3,2025-03-25,leave_start,parental,,,,",
        "m3,2025-05-01,leave_end,parental,,,,",
        // m4, m7, m8: births in FY2024, no leave.
        "m4,2024-06-01,child_birth,,,,,",
        "m7,2024-10-01,child_birth,,,,,",
        "m8,2024-11-01,child_birth,,,,,",
        // m5: one child, a leave in FY2023 and a second part in FY2024: FY2023 only.
        "m5,2023-06-01,child_birth,,,,,",
        "m5,2023-07-01,leave_start,parental,,,,",
        "m5,2023-07-10,leave_end,parental,,,,",
        "m5,2024-05-01,leave_start,parental,,,,",
        "m5,2024-05-10,leave_end,parental,,,,",
        // m6: two children, a leave for each: FY2023 and FY2024.
        "m6,2023-05-01,child_birth,,,,,",
        "m6,2023-05-10,leave_start,paternity,,,,",
        "m6,2023-05-20,leave_end,paternity,,,,",
        "m6,2024-08-01,child_birth,,,,,",
        "m6,2024-08-05,leave_start,paternity,,,,",
        "m6,2024-08-15,leave_end,paternity,,,,",
        // w1: maternity then parental leave: counts (the parental part).
        "w1,2024-04-20,leave_start,maternity,,,,",
        "w1,2024-06-01,child_birth,,,,,",
        "w1,2024-07-27,leave_end,maternity,,,,",
        "w1,2024-07-27,leave_start,parental,,,,",
        "w1,2025-06-01,leave_end,parental,,,,",
        // w2: maternity leave only (産休 is not 育児休業): does not count.
        "w2,2024-07-20,leave_start,maternity,,,,",
        "w2,2024-09-01,child_birth,,,,,",
        "w2,2024-10-27,leave_end,maternity,,,,",
    ];
    disclose(&emp, &ev, year, 1)
}

#[test]
fn male_uptake_counts_persons_once_per_child_in_the_year_the_first_leave_starts() {
    let d = uptake_fixture(2024);
    let men = &d.leave_uptake[0];
    assert_eq!(men.gender, Gender::Male);
    // Births in FY2024: m1, m3, m4, m6, m7, m8 = 6.
    // First leave for a child started in FY2024: m1, m2, m3, m6 = 4.
    // 4 / 6 = 66.666…% → truncated to 66.6% (rounding would give 66.7%).
    assert_eq!(men.rate.numerator.value, Some(4));
    assert_eq!(men.rate.denominator.value, Some(6));
    assert_eq!(men.rate.percent, Some(66.6));
    assert_eq!(men.rate.display, "66.6%");
    assert_eq!(men.rate.rounding, "truncated to 1 decimal");
    // Women: births w1, w2 = 2; parental leave started: w1 = 1 → 50.0%.
    let women = &d.leave_uptake[1];
    assert_eq!(women.gender, Gender::Female);
    assert_eq!(
        (women.rate.numerator.value, women.rate.denominator.value),
        (Some(1), Some(2))
    );
    assert_eq!(women.rate.percent, Some(50.0));
}

#[test]
fn split_leave_counts_in_the_first_year_only() {
    let d = uptake_fixture(2023);
    // FY2023 births: m2 (2024-03-15), m5, m6 (first child) = 3.
    // First leaves in FY2023: m5 (2023-07-01), m6 (2023-05-10) = 2; m2's leave is in FY2024.
    // 2 / 3 = 66.666…% → 66.6%.
    let men = &d.leave_uptake[0].rate;
    assert_eq!(
        (men.numerator.value, men.denominator.value),
        (Some(2), Some(3))
    );
    assert_eq!(men.percent, Some(66.6));
}

#[test]
fn a_year_with_no_births_has_no_figure_not_zero() {
    // FY2025: no births; m1's and m3's leaves continue into it but started before.
    let d = uptake_fixture(2025);
    let men = &d.leave_uptake[0].rate;
    assert_eq!(men.status, FigureStatus::NoDenominator);
    assert_eq!(
        (men.numerator.value, men.denominator.value),
        (Some(0), Some(0))
    );
    assert_eq!(men.percent, None);
    assert_eq!(men.display, "—");
}

#[test]
fn small_groups_are_suppressed() {
    // Two women with births and one man, under the default minimum of 5:
    // the women's uptake (denominator 2) and the pay ratio are suppressed;
    // of the counts only the zero (no woman took leave) is shown, since it
    // singles nobody out.
    let d = {
        let ids = ["m1", "w1", "w2"];
        let emp: Vec<String> = ids
            .iter()
            .map(|id| {
                let g = if id.starts_with('m') { "M" } else { "F" };
                format!("{id},{g},2015-04-01,,3,3,regular,40,5000000")
            })
            .collect();
        let emp: Vec<&str> = emp.iter().map(String::as_str).collect();
        disclose(
            &emp,
            &[
                "w1,2024-06-01,child_birth,,,,,",
                "w2,2024-07-01,child_birth,,,,,",
            ],
            2024,
            5,
        )
    };
    let women = &d.leave_uptake[1].rate;
    assert_eq!(women.status, FigureStatus::Suppressed);
    assert_eq!(
        (
            women.numerator.value,
            women.denominator.value,
            women.percent
        ),
        (Some(0), None, None)
    );
    assert_eq!(women.display, "suppressed");
    assert_eq!(d.pay_ratio[0].status, FigureStatus::Suppressed);
    assert_eq!(d.pay_ratio[0].women.mean_pay, None);
}

/// Four women and three men; see each row's comment.
fn pay_fixture() -> Disclosure {
    let emp = [
        // w1: regular all year at 3,000,000; grade 5 (manager).
        "w1,F,2015-04-01,,5,5,regular,40,3000000",
        // w2: hired 2024-10-01 (182 days of FY2024), regular, 4,000,000.
        "w2,F,2024-10-01,,3,3,regular,40,4000000",
        // w3: part-time at 667,000 for 275 days (Apr–Dec), then regular at
        // 2,000,000 for 90 days (Jan–Mar).
        "w3,F,2020-04-01,,2,2,part_time,20,667000",
        // w4: regular, 3,500,000; on parental leave until 2024-05-01 (30 days
        // of FY2024 on leave, 335 worked).
        "w4,F,2016-04-01,,3,3,regular,40,3500000",
        // m1: regular all year at 5,000,000; grade 6 (manager).
        "m1,M,2010-04-01,,6,6,regular,40,5000000",
        // m2: regular, 6,000,000, grade 5 (manager); parental leave
        // 2024-06-01 … 2024-07-31 (61 days), 304 worked.
        "m2,M,2015-04-01,,5,5,regular,40,6000000",
        // m3: part-time all year at 2,000,000, 30 h.
        "m3,M,2020-04-01,,2,2,part_time,30,2000000",
    ];
    let ev = [
        "w3,2025-01-01,employment_change,,,regular,,",
        "w3,2025-01-01,hours_change,,,,40,",
        "w3,2025-01-01,salary_change,,,,,2000000",
        "w4,2024-03-01,leave_start,parental,,,,",
        "w4,2024-05-01,leave_end,parental,,,,",
        "m2,2024-06-01,leave_start,parental,,,,",
        "m2,2024-08-01,leave_end,parental,,,,",
    ];
    disclose(&emp, &ev, 2024, 1)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

#[test]
fn pay_ratio_by_employment_type_pools_totals_and_rounds_half_up() {
    let d = pay_fixture();
    let [all, regular, non_regular] = [&d.pay_ratio[0], &d.pay_ratio[1], &d.pay_ratio[2]];
    // Non-regular: women 667,000 (w3) ÷ men 2,000,000 (m3) = 33.35% → 33.4%
    // (half-up; a truncation or bankers' rounding would give 33.3%).
    assert!(close(non_regular.women.mean_pay.unwrap(), 667_000.0));
    assert!(close(non_regular.men.mean_pay.unwrap(), 2_000_000.0));
    assert_eq!(non_regular.ratio_percent, Some(33.4));
    assert_eq!(non_regular.display, "33.4%");
    // Regular women: pay = 3e6 + 4e6·182/365 + 2e6·90/365 + 3.5e6·335/365,
    // person-years = (365+182+90+335)/365 = 972/365; mean =
    // (3e6·365 + 4e6·182 + 2e6·90 + 3.5e6·335) / 972 = 3,266,975.3086…
    let w_reg = (3e6 * 365.0 + 4e6 * 182.0 + 2e6 * 90.0 + 3.5e6 * 335.0) / 972.0;
    assert!(close(regular.women.mean_pay.unwrap(), w_reg));
    assert!(close(regular.women.person_years.unwrap(), 972.0 / 365.0));
    assert_eq!(regular.women.persons.value, Some(4));
    // Regular men: (5e6·365 + 6e6·304) / 669 = 5,454,409.5665…
    let m_reg = (5e6 * 365.0 + 6e6 * 304.0) / 669.0;
    assert!(close(regular.men.mean_pay.unwrap(), m_reg));
    // 3,266,975.31 / 5,454,409.57 = 59.896…% → 59.9%.
    assert_eq!(regular.ratio_percent, Some(59.9));
    // All workers pool totals (not a mean of the two means):
    // women (w_reg·972 + 667,000·275) / 1247 = 2,693,604.65…,
    // men (m_reg·669 + 2e6·365) / 1034 = 4,235,009.67… → 63.603…% → 63.6%.
    assert!(close(
        all.women.mean_pay.unwrap(),
        (w_reg * 972.0 + 667_000.0 * 275.0) / 1247.0
    ));
    assert!(close(
        all.men.mean_pay.unwrap(),
        (m_reg * 669.0 + 2e6 * 365.0) / 1034.0
    ));
    assert_eq!(all.ratio_percent, Some(63.6));
    assert_eq!(all.women.persons.value, Some(4));
    assert!(d.pay_basis.contains("base"));
}

#[test]
fn shares_and_years_of_service() {
    let d = pay_fixture();
    // On 2025-03-31, grade ≥ 5: w1, m1, m2 → 1 of 3 = 33.33…% → 33.3%.
    assert_eq!(
        (
            d.women_among_managers.numerator.value,
            d.women_among_managers.denominator.value
        ),
        (Some(1), Some(3))
    );
    assert_eq!(d.women_among_managers.percent, Some(33.3));
    // Workers: 4 women of 7 = 57.142…% → 57.1%. Hires in FY2024: w2 → 100.0%.
    assert_eq!(d.women_among_workers.percent, Some(57.1));
    assert_eq!(
        (
            d.women_among_hires.numerator.value,
            d.women_among_hires.denominator.value
        ),
        (Some(1), Some(1))
    );
    // Years of service on 2025-03-31 (days incl. both ends ÷ 365.25):
    // women 3653, 182, 1826, 3287 → mean 6.1246 → 6.1;
    // men 5479, 3653, 1826 → mean 10.0005 → 10.0; gap 3.876 → 3.9; ratio 61.24…% → 61.2%.
    let y = &d.service_years;
    assert_eq!(y.women_mean_years, Some(6.1));
    assert_eq!(y.men_mean_years, Some(10.0));
    assert_eq!(y.gap_years, Some(3.9));
    assert_eq!(y.ratio_percent, Some(61.2));
}

#[test]
fn uk_gap_leaves_out_staff_on_leave_and_splits_quartiles() {
    let d = pay_fixture();
    let uk = &d.uk_pay_gap;
    // Snapshot 2024-04-01: w2 not yet hired; w4 on leave (left out).
    assert_eq!(uk.excluded_on_leave.value, Some(1));
    assert_eq!((uk.women.value, uk.men.value), (Some(2), Some(3)));
    // Hourly = salary ÷ (hours × 52): w1 1442.31, w3 641.35; m1 2403.85, m2 2884.62, m3 1282.05.
    // Means: women 1041.83, men 2190.17 → gap 52.4317…% → 52.4%.
    // Medians: women 1041.83, men 2403.85 → 56.66% → 56.7%.
    assert_eq!(uk.mean_gap_percent, Some(52.4));
    assert_eq!(uk.median_gap_percent, Some(56.7));
    // Five people sorted: w3, m3 | w1 | m1 | m2 (the lowest quartile takes the remainder).
    let q: Vec<(u64, u64)> = uk
        .quartiles
        .iter()
        .map(|q| (q.women.value.unwrap(), q.men.value.unwrap()))
        .collect();
    assert_eq!(q, vec![(1, 1), (1, 0), (0, 1), (0, 1)]);
    assert_eq!(uk.quartiles[0].women_percent, Some(50.0));
}

/// The UK snapshot moved to 15 June 2024 (`uk_snapshot = "06-15"`): w2 not
/// yet hired, w4 back from leave, m2 on parental leave (m3's medical leave
/// in April is over). By default m2 is
/// left out; with no leave type counted as reduced pay
/// (`uk_reduced_pay_leave = []`) he stays in. Hourly pay (salary ÷ hours ×
/// 52): w1 1442.31, w3 641.35, w4 1682.69; m1 2403.85, m2 2884.62, m3 1282.05.
/// Means 1255.45 and 2190.17 → gap 42.68% → 42.7%; medians w1 1442.31 and
/// m1 2403.85 → 1 − 3/5 = 40.0%.
#[test]
fn uk_snapshot_date_and_reduced_pay_leave_are_configurable() {
    let emp = [
        "w1,F,2015-04-01,,5,5,regular,40,3000000",
        "w2,F,2024-10-01,,3,3,regular,40,4000000",
        "w3,F,2020-04-01,,2,2,part_time,20,667000",
        "w4,F,2016-04-01,,3,3,regular,40,3500000",
        "m1,M,2010-04-01,,6,6,regular,40,5000000",
        "m2,M,2015-04-01,,5,5,regular,40,6000000",
        "m3,M,2020-04-01,,2,2,part_time,30,2000000",
    ];
    let ev = [
        "w4,2024-03-01,leave_start,parental,,,,",
        "w4,2024-05-01,leave_end,parental,,,,",
        "m2,2024-06-01,leave_start,parental,,,,",
        "m2,2024-08-01,leave_end,parental,,,,",
        "m3,2024-04-01,leave_start,medical,,,,",
        "m3,2024-04-30,leave_end,medical,,,,",
    ];
    let run_on = |snapshot: Option<&str>, reduced: Option<Vec<LeaveType>>| {
        let mut c = Config::default();
        c.privacy.min_group_size = 1;
        c.ingest.as_of = "2026-03-31".parse().ok();
        if let Some(s) = snapshot {
            c.disclosure.uk_snapshot = Some(s.into());
        }
        if let Some(r) = reduced {
            c.disclosure.uk_reduced_pay_leave = r;
        }
        let config = c.validate().unwrap();
        let emp = format!("{EMP}\n{}\n", emp.join("\n"));
        let ev = format!("{EV}\n{}\n", ev.join("\n"));
        let data = mommytrack::Dataset::builder(&config)
            .from_readers(emp.as_bytes(), ev.as_bytes())
            .unwrap();
        let fy = FiscalYear::new(2024, config.fiscal_year_start()).unwrap();
        Disclosure::compute(&data.timelines, fy, &config).uk_pay_gap
    };
    let run = |reduced| run_on(Some("06-15"), reduced);
    // The defaults: the snapshot on 5 April (private employers), w4 on
    // parental leave left out, m3 on medical leave kept in (medical leave
    // is taken as on full sick pay).
    let april = run_on(None, None);
    assert_eq!(april.snapshot.to_string(), "2024-04-05");
    assert_eq!(april.excluded_on_leave.value, Some(1));
    assert_eq!((april.women.value, april.men.value), (Some(2), Some(3)));
    let default = run(None);
    assert_eq!(default.snapshot.to_string(), "2024-06-15");
    assert_eq!(default.excluded_on_leave.value, Some(1));
    assert_eq!((default.women.value, default.men.value), (Some(3), Some(2)));
    let full_pay = run(Some(vec![]));
    assert_eq!(full_pay.excluded_on_leave.value, Some(0));
    assert_eq!(
        (full_pay.women.value, full_pay.men.value),
        (Some(3), Some(3))
    );
    assert_eq!(full_pay.mean_gap_percent, Some(42.7));
    assert_eq!(full_pay.median_gap_percent, Some(40.0));
    // An impossible date is refused when the configuration is checked.
    let mut c = Config::default();
    c.disclosure.uk_snapshot = Some("02-29".into());
    assert!(c.validate().is_err());
}
