//! One hand-built history per flag kind that must flag, and a near miss that
//! must not. The returner `r1` (F, hired 2015-04-01, grade 3, responsibility
//! 3, `career`, regular, 40 h, ratings 4 and 4 before leave) is on maternity
//! leave from 2020-01-01 and parental leave until she returns on 2021-01-01;
//! the analysis date is 2025-03-31 and the flag window 12 months
//! (to 2022-01-01).

use mommytrack::analysis::flags::{Change, Flag, FlagKind};
use mommytrack::config::{Config, RatingDropRule, StallRule};
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
    flags_configured(employment_type, extra_emp, events, &|_| {})
}

fn flags_by_rule(
    employment_type: &str,
    extra_emp: &[&str],
    events: &[&str],
    rule: StallRule,
) -> Vec<Flag> {
    flags_configured(employment_type, extra_emp, events, &|c| {
        c.flags.stall_rule = rule
    })
}

fn flags_configured(
    employment_type: &str,
    extra_emp: &[&str],
    events: &[&str],
    configure: &dyn Fn(&mut Config),
) -> Vec<Flag> {
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
    configure(&mut c);
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

/// The base rate beside a structural flag. Five peers (women, grade 3,
/// responsibility 3, hired with her) serve her return; p1 too has her
/// responsibility cut to 2 by the employer on 2021-06-01, inside the window
/// her return's peers are looked at over (2020-01-01 to 2022-01-01), and p2
/// has one cut at her own request. Of the 5 peer follow-ups around returns
/// of 2021, 1 (20%) had an employer-initiated drop: the evidence says so.
/// With a drop at her own request, the employee-initiated rate is shown:
/// also 1 of 5. With p1's cut in 2022-06 (outside the window) the
/// employer-initiated rate is 0%.
#[test]
fn structural_flags_carry_the_peers_base_rate() {
    let emp: Vec<String> = (1..=5)
        .map(|i| format!("p{i},F,2015-04-01,3,3,career,regular,40,5000000"))
        .collect();
    let emp: Vec<&str> = emp.iter().map(String::as_str).collect();
    let run = |hers: &str, p1: &str| {
        flags_with(
            "regular",
            &emp,
            &[hers, p1, "p2,2021-03-01,role_change,,,2,,employee,,,"],
        )
    };
    let employer = "r1,2021-02-01,role_change,,,1,,employer,,,";
    let f = run(employer, "p1,2021-06-01,role_change,,,2,,employer,,,");
    let f = only(&f);
    assert_eq!(f.evidence.peer_rates.len(), 1);
    let r = &f.evidence.peer_rates[0];
    assert_eq!(
        (r.kind, r.employee_initiated, r.share, r.peers),
        (FlagKind::ResponsibilityDrop, false, 0.2, 5)
    );
    assert!(
        f.evidence.to_string().contains(
            "peers: 20.0% of 5 had an employer-initiated or unrecorded responsibility drop in the same window"
        ),
        "{}",
        f.evidence
    );
    let asked = "r1,2021-02-01,role_change,,,1,,employee,,,";
    let f = run(asked, "p1,2021-06-01,role_change,,,2,,employer,,,");
    let r = &only(&f).evidence.peer_rates[0];
    assert_eq!((r.employee_initiated, r.share), (true, 0.2));
    let f = run(employer, "p1,2022-06-01,role_change,,,2,,employer,,,");
    let r = &only(&f).evidence.peer_rates[0];
    assert_eq!((r.employee_initiated, r.share), (false, 0.0));
}

#[test]
fn rating_drop_by_the_earlier_rule_against_her_pre_leave_ratings() {
    let points = |events: &[&str]| flags_by_rule_drop("regular", &[], events);
    // Pre-leave mean 4; after: 2 and 3 → mean 2.5, a fall of 1.5 ≥ 1.0.
    let f = points(&[
        "r1,2021-03-31,evaluation,,,,,,2,,",
        "r1,2022-03-31,evaluation,,,,,,3,,",
    ]);
    let f = only(&f);
    assert_eq!(f.kinds, vec![FlagKind::RatingDrop]);
    assert!(!f.employee_initiated && !f.is_involuntary());
    // A fall of 0.75 (3 and 3.5) is below the threshold.
    assert_eq!(
        points(&[
            "r1,2021-03-31,evaluation,,,,,,3,,",
            "r1,2022-03-31,evaluation,,,,,,3.5,,",
        ]),
        vec![]
    );
    // One low rating alone is not judged (at least two are needed).
    assert_eq!(points(&["r1,2021-03-31,evaluation,,,,,,1,,"]), vec![]);
}

fn flags_by_rule_drop(employment_type: &str, extra_emp: &[&str], events: &[&str]) -> Vec<Flag> {
    flags_configured(employment_type, extra_emp, events, &|c| {
        c.flags.rating_drop_rule = RatingDropRule::Points
    })
}

/// The rating-drop score by hand. Two colleagues with no leave (men, so
/// not her peers) are rated every 31 March from 2018 to 2023: c1 3, 4, 3,
/// 4, 3, 4 and c2 4, 3, 4, 3, 4, 3. Every year's mean is 3.5, so there is no
/// company-wide shift; each colleague's ratings lie 0.5 from his mean, so
/// the pooled within-person variance is (6 + 6) · 0.25 ÷ (5 + 5) = 0.3.
/// r1 (ratings 4 and 4 before the leave) is rated 2 and 3 in the two years
/// after her return and 4 in 2024, after the window (which ends on
/// 2023-01-01): her level is 4 from three ratings, her mean after 2.5 from
/// two, and the score (2.5 − 4) ÷ (√0.3 · √(1/2 + 1/3)) = −1.5 ÷ 0.5 = −3:
/// flagged at the default −2. Rated 3.5 and 3.5 after with no 2024 rating,
/// the score is −0.5 ÷ (√0.3 · 1) = −0.91: no flag.
#[test]
fn rating_drop_score_by_hand() {
    let colleagues = [
        "c1,M,2015-04-01,3,3,career,regular,40,5000000",
        "c2,M,2015-04-01,3,3,career,regular,40,5000000",
    ];
    let mut events: Vec<String> = Vec::new();
    for (k, year) in (2018..=2023).enumerate() {
        let (a, b) = if k % 2 == 0 { (3, 4) } else { (4, 3) };
        events.push(format!("c1,{year}-03-31,evaluation,,,,,,{a},,"));
        events.push(format!("c2,{year}-03-31,evaluation,,,,,,{b},,"));
    }
    let with = |extra: &[&str]| {
        let mut all: Vec<&str> = events.iter().map(String::as_str).collect();
        all.extend_from_slice(extra);
        flags_with("regular", &colleagues, &all)
    };
    let f = with(&[
        "r1,2021-03-31,evaluation,,,,,,2,,",
        "r1,2022-03-31,evaluation,,,,,,3,,",
        "r1,2024-03-31,evaluation,,,,,,4,,",
    ]);
    let f = only(&f);
    assert_eq!(f.kinds, vec![FlagKind::RatingDrop]);
    assert!(
        f.rating_drop_score.is_some_and(|z| (z + 3.0).abs() < 1e-9),
        "{:?}",
        f.rating_drop_score
    );
    match &f.evidence.changes[0] {
        Change::RatingDrop {
            before,
            after,
            ratings,
            level_ratings,
            ..
        } => assert_eq!(
            (*before, *after, *ratings, *level_ratings),
            (4.0, 2.5, 2, Some(3))
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        with(&[
            "r1,2021-03-31,evaluation,,,,,,3.5,,",
            "r1,2022-03-31,evaluation,,,,,,3.5,,",
        ]),
        vec![]
    );
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
fn promotion_stall_by_the_earlier_rule_is_measured_on_the_matched_peers() {
    let (emp, ev) = peers();
    let emp: Vec<&str> = emp.iter().map(String::as_str).collect();
    let ev: Vec<&str> = ev.iter().map(String::as_str).collect();
    let rule = StallRule::MedianMultiple;
    // Not promoted in 50 months: far beyond 1.5 × 11.99.
    let f = flags_by_rule("regular", &emp, &ev, rule);
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
    assert_eq!(flags_by_rule("regular", &emp, &ev2, rule), vec![]);
}

/// The stall test by hand, with up to 10 peers per return. Six peers
/// (women, grade 3, hired with her, no ratings) are promoted 6, 8, 10, 12, 14 and 16 months after her return
/// (on the first of July 2021 … May 2022). No one is rated, so the model
/// has no covariate and is the Nelson–Aalen estimate at grade 3: at each
/// promotion one of those still at risk, H = 1/6 + 1/5 + 1/4 + 1/3 + 1/2 +
/// 1 = 2.45 once all are promoted. Unpromoted for 50.9 months, she has
/// stall_p = e^−2.45 = 0.0863 < 0.1: flagged. With only the first five
/// peers promoted and the sixth never (followed to the analysis date),
/// H = 1/6 + 1/5 + 1/4 + 1/3 + 1/2 = 1.45 at her follow-up: stall_p =
/// e^−1.45 = 0.2346, no flag.
#[test]
fn promotion_stall_test_by_hand() {
    let dates = [
        "2021-07-01",
        "2021-09-01",
        "2021-11-01",
        "2022-01-01",
        "2022-03-01",
        "2022-05-01",
    ];
    let emp: Vec<String> = (1..=6)
        .map(|i| format!("p{i},F,2015-04-01,3,3,career,regular,40,5000000"))
        .collect();
    let emp: Vec<&str> = emp.iter().map(String::as_str).collect();
    let ev: Vec<String> = dates
        .iter()
        .enumerate()
        .map(|(i, d)| format!("p{},{d},promotion,,4,,,,,,", i + 1))
        .collect();
    let all: Vec<&str> = ev.iter().map(String::as_str).collect();
    // The p-value rule (the posterior rule needs a population of returns
    // to fit its mixture; tests/stall_mixture.rs covers it).
    let ten = |c: &mut Config| {
        c.peers.per_return = 10;
        c.flags.stall_rule = StallRule::Test;
    };
    let f = flags_configured("regular", &emp, &all, &ten);
    let f = only(&f);
    assert_eq!(f.kinds, vec![FlagKind::PromotionStall]);
    let want = (-2.45f64).exp();
    assert!(
        f.stall_p.is_some_and(|p| (p - want).abs() < 1e-12),
        "{:?}",
        f.stall_p
    );
    match &f.evidence.changes[0] {
        Change::PromotionStall {
            months_followed,
            stall_p,
            ..
        } => {
            let months = ("2025-03-31".parse::<chrono::NaiveDate>().unwrap()
                - "2021-01-01".parse::<chrono::NaiveDate>().unwrap())
            .num_days() as f64
                / 30.4375;
            assert!((months_followed - months).abs() < 1e-12);
            assert_eq!(*stall_p, f.stall_p);
        }
        other => panic!("{other:?}"),
    }
    assert!(
        f.evidence.to_string().contains("probability 0.086"),
        "{}",
        f.evidence
    );
    // The sixth peer never promoted: not unusual enough.
    assert_eq!(flags_configured("regular", &emp, &all[..5], &ten), vec![]);
    // Promoted after 9 months: no stall whatever the peers.
    let mut promoted = all.clone();
    promoted.push("r1,2021-10-01,promotion,,4,,,,,,");
    assert_eq!(flags_configured("regular", &emp, &promoted, &ten), vec![]);
    // With the default 5 peers per return, at most five are promoted before
    // her: H ≤ 1/5 + … + 1 = 2.283, stall_p ≥ 0.102, never below 0.1.
    assert_eq!(
        flags_by_rule("regular", &emp, &all, StallRule::Test),
        vec![]
    );
    // One returner is no population: the posterior rule fits no mixture
    // and flags nothing.
    assert_eq!(flags_with("regular", &emp, &all), vec![]);
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
