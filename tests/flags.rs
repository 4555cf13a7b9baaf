//! One hand-built history per flag kind that must flag, and a near miss that
//! must not. The returner `r1` (F, hired 2015-04-01, grade 3, responsibility
//! 3, `career`, regular, 40 h, ratings 4 and 4 before leave) is on maternity
//! leave from 2020-01-01 and parental leave until she returns on 2021-01-01;
//! the analysis date is 2025-03-31 and the flag window 12 months
//! (to 2022-01-01).

use mommytrack::analysis::flags::{Change, Flag, FlagKind};
use mommytrack::config::Config;
use mommytrack::schema::{InitiatedBy, LeaveType};
use mommytrack::Analysis;

const EMP: &str =
    "employee_id,gender,hire_date,grade,responsibility,track,employment_type,weekly_hours,salary";
const EV: &str = "employee_id,date,event,leave_type,grade,responsibility,track,initiated_by,rating,employment_type,weekly_hours";

const LEAVE: [&str; 6] = [
    "r1,2018-03-31,evaluation,,,,,,4,,",
    "r1,2019-03-31,evaluation,,,,,,4,,",
    "r1,2020-01-01,leave_start,maternity,,,,,,,",
    "r1,2020-03-01,leave_end,maternity,,,,,,,",
    "r1,2020-03-01,leave_start,parental,,,,,,,",
    "r1,2021-01-01,leave_end,parental,,,,,,,",
];

fn flags_with(employment_type: &str, extra_emp: &[&str], events: &[&str]) -> Vec<Flag> {
    let mut emp = format!("{EMP}\nr1,F,2015-04-01,3,3,career,{employment_type},40,5000000\n");
    for e in extra_emp {
        emp.push_str(e);
        emp.push('\n');
    }
    let mut ev = format!("{EV}\n");
    for e in LEAVE.iter().chain(events) {
        ev.push_str(e);
        ev.push('\n');
    }
    let mut c = Config::default();
    c.ingest.as_of = "2025-03-31".parse().ok();
    let config = c.validate().unwrap();

    let data = mommytrack::Dataset::builder(&config)
        .from_readers(emp.as_bytes(), ev.as_bytes())
        .unwrap();
    assert_eq!(data.report.rejections, vec![]);
    Analysis::run(&data, &config).flags
}

fn flags(events: &[&str]) -> Vec<Flag> {
    flags_with("regular", &[], events)
}

fn only(flags: &[Flag]) -> &Flag {
    assert_eq!(flags.len(), 1, "{flags:?}");
    &flags[0]
}

#[test]
fn responsibility_drop_by_the_employer_is_flagged() {
    let f = flags(&["r1,2021-02-01,role_change,,,1,,employer,,,"]);
    let f = only(&f);
    assert_eq!(f.kinds, vec![FlagKind::ResponsibilityDrop]);
    assert!(!f.employee_initiated);
    assert!(f.is_involuntary());
    assert_eq!(f.return_date.to_string(), "2021-01-01");
    assert_eq!(
        f.leave_types,
        vec![LeaveType::Maternity, LeaveType::Parental]
    );
    assert_eq!(
        f.evidence.changes,
        vec![Change::ResponsibilityDrop {
            date: "2021-02-01".parse().unwrap(),
            from: 3,
            to: 1,
            initiated_by: InitiatedBy::Employer,
        }]
    );
    assert_eq!(f.evidence.pre_leave_mean_rating, Some(4.0));
    // Two levels: weight 0.5.
    assert_eq!(f.severity, 0.5);
    assert!(
        f.evidence
            .to_string()
            .contains("responsibility 3 → 1 on 2021-02-01 (employer)"),
        "{}",
        f.evidence
    );
    assert!(
        f.evidence
            .to_string()
            .contains("pre-leave mean rating 4.00"),
        "{}",
        f.evidence
    );
}

#[test]
fn responsibility_drop_at_her_request_is_flagged_as_employee_initiated() {
    let f = flags(&["r1,2021-02-01,role_change,,,2,,employee,,,"]);
    let f = only(&f);
    assert_eq!(f.kinds, vec![FlagKind::ResponsibilityDrop]);
    assert!(f.employee_initiated);
    assert!(!f.is_involuntary());
    // One level: weight 0.25, halved for employee-initiated.
    assert_eq!(f.severity, 0.125);
}

#[test]
fn responsibility_drop_13_months_after_return_is_outside_the_window() {
    assert_eq!(
        flags(&["r1,2022-02-01,role_change,,,1,,employer,,,"]),
        vec![]
    );
}

#[test]
fn track_downgrade_is_flagged_but_a_change_before_the_leave_is_not() {
    let f = flags(&["r1,2021-03-01,role_change,,,,general,employer,,,"]);
    assert_eq!(only(&f).kinds, vec![FlagKind::TrackDowngrade]);
    assert!(only(&f)
        .evidence
        .to_string()
        .contains("track career → general"));
    // The same move before the absence is part of the pre-leave state.
    assert_eq!(
        flags(&["r1,2019-12-01,role_change,,,,general,employer,,,"]),
        vec![]
    );
    // A track not in `track_order` has no rank: not a downgrade.
    assert_eq!(
        flags(&["r1,2021-03-01,role_change,,,,research,employer,,,"]),
        vec![]
    );
}

#[test]
fn demotion_on_the_return_day_is_flagged_not_13_months_later() {
    let f = flags(&["r1,2021-01-01,role_change,,2,,,employer,,,"]);
    assert_eq!(only(&f).kinds, vec![FlagKind::Demotion]);
    assert_eq!(only(&f).severity, 0.6);
    assert_eq!(
        flags(&["r1,2022-02-01,role_change,,2,,,employer,,,"]),
        vec![]
    );
}

#[test]
fn non_regular_conversion_needs_a_regular_start() {
    let f = flags(&["r1,2021-06-01,employment_change,,,,,employer,,part_time,"]);
    assert_eq!(only(&f).kinds, vec![FlagKind::NonRegularConversion]);
    // Already fixed-term before the leave: a move to part-time is no conversion.
    assert_eq!(
        flags_with(
            "fixed_term",
            &[],
            &["r1,2021-06-01,employment_change,,,,,employer,,part_time,"]
        ),
        vec![]
    );
}

#[test]
fn rating_drop_against_her_own_pre_leave_ratings() {
    // Pre-leave mean 4; after: 2 and 3 → mean 2.5, a fall of 1.5 ≥ 1.0.
    let f = flags(&[
        "r1,2021-03-31,evaluation,,,,,,2,,",
        "r1,2022-03-31,evaluation,,,,,,3,,",
    ]);
    let f = only(&f);
    assert_eq!(f.kinds, vec![FlagKind::RatingDrop]);
    assert!(!f.employee_initiated && !f.is_involuntary());
    // A fall of 0.75 (3 and 3.5) is below the threshold.
    assert_eq!(
        flags(&[
            "r1,2021-03-31,evaluation,,,,,,3,,",
            "r1,2022-03-31,evaluation,,,,,,3.5,,",
        ]),
        vec![]
    );
    // One low rating alone is not judged (at least two are needed).
    assert_eq!(flags(&["r1,2021-03-31,evaluation,,,,,,1,,"]), vec![]);
}

#[test]
fn reduced_hours_kept_36_months_are_flagged_but_restored_hours_are_not() {
    let f = flags(&["r1,2021-01-01,hours_change,,,,,employee,,,30"]);
    let f = only(&f);
    assert_eq!(f.kinds, vec![FlagKind::ProlongedReducedHours]);
    assert!(f.employee_initiated);
    assert_eq!(
        flags(&[
            "r1,2021-01-01,hours_change,,,,,employee,,,30",
            "r1,2023-06-01,hours_change,,,,,employee,,,40",
        ]),
        vec![]
    );
}

/// Six peers (women: same gender) at grade 3, hired with her, no childcare leave, all promoted on
/// 2022-01-01: 365 days = 11.99 months after her return, so the peers'
/// Kaplan–Meier median is 11.99 months and the stall limit 1.5 × that.
fn peers() -> (Vec<String>, Vec<String>) {
    let emp = (1..=6)
        .map(|i| format!("p{i},F,2015-04-01,3,3,career,regular,40,5000000"))
        .collect();
    let ev = (1..=6)
        .map(|i| format!("p{i},2022-01-01,promotion,,4,,,,,,"))
        .collect();
    (emp, ev)
}

#[test]
fn promotion_stall_is_measured_on_the_matched_peers() {
    let (emp, ev) = peers();
    let emp: Vec<&str> = emp.iter().map(String::as_str).collect();
    let ev: Vec<&str> = ev.iter().map(String::as_str).collect();
    // Not promoted in 50 months: far beyond 1.5 × 11.99.
    let f = flags_with("regular", &emp, &ev);
    let f = only(&f);
    assert_eq!(f.kinds, vec![FlagKind::PromotionStall]);
    assert!(
        f.evidence.to_string().contains("peers' median 12.0 months"),
        "{}",
        f.evidence
    );
    // Promoted after 9 months: no stall.
    let mut ev2 = ev.clone();
    ev2.push("r1,2021-10-01,promotion,,4,,,,,,");
    assert_eq!(flags_with("regular", &emp, &ev2), vec![]);
}

#[test]
fn a_normal_return_is_not_flagged() {
    assert_eq!(
        flags(&[
            "r1,2021-03-31,evaluation,,,,,,4,,",
            "r1,2022-03-31,evaluation,,,,,,5,,",
            "r1,2022-04-01,promotion,,4,,,,,,",
        ]),
        vec![]
    );
}
