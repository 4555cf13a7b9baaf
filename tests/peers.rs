//! Peer matching by hand: one returner `r1` (F, grade 3, sales, hired
//! 2015-04-01) back from maternity leave on 2021-01-04, and peers (women)
//! hired the same day, none with childcare leave, whose grade and department
//! move around that date; the same peers under both designs. A peer's state on the return date is the state after
//! every event dated that day.

use mommytrack::analysis::peers::PeerSample;
use mommytrack::config::Config;
use mommytrack::config::PeerDesign;
use mommytrack::Context;
use std::collections::{BTreeMap, BTreeSet};

const EMP: &str =
    "employee_id,gender,hire_date,department,grade,responsibility,employment_type,weekly_hours";
const EV: &str = "employee_id,date,event,leave_type,grade,department";

fn matched(same_department: bool) -> BTreeSet<String> {
    let legacy = matched_by(same_department, PeerDesign::Legacy);
    assert_eq!(legacy, matched_by(same_department, PeerDesign::Symmetric));
    legacy
}

fn matched_by(same_department: bool, design: PeerDesign) -> BTreeSet<String> {
    let emp = [
        "r1,F,2015-04-01,sales,3,3,regular,40",
        // Sales all along: a peer either way.
        "p1,F,2015-04-01,sales,3,3,regular,40",
        // Ops, moved to sales before her return: a same-department peer.
        "p2,F,2015-04-01,ops,3,3,regular,40",
        // Sales, moved to ops before her return: grade peer only.
        "p3,F,2015-04-01,sales,3,3,regular,40",
        // Sales, moved to ops on the return date itself: grade peer only.
        "p4,F,2015-04-01,sales,3,3,regular,40",
        // Ops, moved to sales the day after: grade peer only.
        "p5,F,2015-04-01,ops,3,3,regular,40",
        // Sales, promoted to grade 4 before her return: no peer.
        "p6,F,2015-04-01,sales,3,3,regular,40",
        // Ops, moved to sales on the return date: a same-department peer.
        "p7,F,2015-04-01,ops,3,3,regular,40",
        // Sales, promoted on the return date: no peer.
        "p8,F,2015-04-01,sales,3,3,regular,40",
    ];
    let ev = [
        "r1,2020-01-06,leave_start,maternity,,",
        "r1,2021-01-04,leave_end,maternity,,",
        "p2,2020-06-01,role_change,,,sales",
        "p3,2020-12-01,role_change,,,ops",
        "p4,2021-01-04,role_change,,,ops",
        "p5,2021-01-05,role_change,,,sales",
        "p6,2020-03-01,promotion,,4,",
        "p7,2021-01-04,role_change,,,sales",
        "p8,2021-01-04,promotion,,4,",
    ];
    let mut c = Config::default();
    c.ingest.as_of = "2025-03-31".parse().ok();
    c.peers.same_department = same_department;
    c.peers.per_return = 10;
    c.peers.design = design;
    let config = c.validate().unwrap();

    let emp = format!("{EMP}\n{}\n", emp.join("\n"));
    let ev = format!("{EV}\n{}\n", ev.join("\n"));
    let data = mommytrack::Dataset::builder(&config)
        .from_readers(emp.as_bytes(), ev.as_bytes())
        .unwrap();
    assert_eq!(data.report.rejections, vec![]);
    let ctx = Context::new(&data, &config);
    let sample = PeerSample::build(&ctx);
    sample
        .follow_ups
        .iter()
        .filter(|f| !f.returner)
        .map(|f| data.timelines[f.employee].employee().employee_id.clone())
        .collect()
}

#[test]
fn peers_hold_her_grade_on_the_return_date() {
    let want: BTreeSet<String> = ["p1", "p2", "p3", "p4", "p5", "p7"]
        .map(String::from)
        .into();
    assert_eq!(matched(false), want);
}

#[test]
fn same_department_peers_are_in_her_department_on_the_return_date() {
    let want: BTreeSet<String> = ["p1", "p2", "p7"].map(String::from).into();
    assert_eq!(matched(true), want);
}

/// The symmetric design (`[peers] design = "symmetric"`), by hand. Returner
/// r1 (F, grade 3, hired 2015-04-01) is on maternity leave from 2020-01-06,
/// back on 2021-01-04, and on maternity leave again from 2023-03-01. The
/// candidates, all grade 3 and hired the same day:
///
/// | id | | legacy | symmetric |
/// |---|---|---|---|
/// | q1 | F, no leave | peer | peer, followed to the analysis date |
/// | q2 | F, parental leave from 2022-06-01 | — (took childcare leave) | peer, censored on 2022-06-01 |
/// | q3 | F, medical leave 2020-12-01 to 2021-02-01 | peer | — (on leave on the return date) |
/// | q4 | F, parental leave 2019-01-07 to 2019-06-03 | — | — (childcare leave before the return date) |
/// | q5 | M, no leave | peer | — (other gender) |
/// | q6 | F, promoted 2021-06-01 | peer | peer, promoted |
///
/// r1's own follow-up ends at her second leave (2023-03-01), censored. On
/// the return date r1 has worked in grade 3 from her hire to her leave
/// (the year on leave does not count); the peers from their hire.
#[test]
fn symmetric_design_by_hand() {
    let emp = ["r1,F", "q1,F", "q2,F", "q3,F", "q4,F", "q5,M", "q6,F"]
        .iter()
        .map(|p| format!("{p},2015-04-01,sales,3,3,regular,40"))
        .collect::<Vec<_>>()
        .join("\n");
    let ev = [
        "r1,2020-01-06,leave_start,maternity,,",
        "r1,2021-01-04,leave_end,maternity,,",
        "r1,2023-03-01,leave_start,maternity,,",
        "q2,2022-06-01,leave_start,parental,,",
        "q3,2020-12-01,leave_start,medical,,",
        "q3,2021-02-01,leave_end,medical,,",
        "q4,2019-01-07,leave_start,parental,,",
        "q4,2019-06-03,leave_end,parental,,",
        "q6,2021-06-01,promotion,,4,",
    ]
    .join("\n");
    let follow_ups = |design: PeerDesign| {
        let mut c = Config::default();
        c.ingest.as_of = "2025-03-31".parse().ok();
        c.peers.per_return = 10;
        c.peers.design = design;
        let config = c.validate().unwrap();
        let data = mommytrack::Dataset::builder(&config)
            .from_readers(
                format!("{EMP}\n{emp}\n").as_bytes(),
                format!("{EV}\n{ev}\n").as_bytes(),
            )
            .unwrap();
        assert_eq!(data.report.rejections, vec![]);
        let ctx = Context::new(&data, &config);
        let sample = PeerSample::build(&ctx);
        let r1_return: chrono::NaiveDate = "2021-01-04".parse().unwrap();
        sample
            .follow_ups
            .iter()
            // q4's own return (2019-06-03) has follow-ups too: keep r1's.
            .filter(|f| f.index == r1_return)
            .map(|f| {
                let id = data.timelines[f.employee].employee().employee_id.clone();
                (id, (f.months, f.promoted, f.worked_years_in_grade))
            })
            .collect::<BTreeMap<String, (f64, bool, f64)>>()
    };
    let months = |from: &str, to: &str| {
        let (a, b): (chrono::NaiveDate, chrono::NaiveDate) =
            (from.parse().unwrap(), to.parse().unwrap());
        (b - a).num_days() as f64 / 30.4375
    };
    let years = |from: &str, to: &str| months(from, to) * 30.4375 / 365.25;
    let legacy = follow_ups(PeerDesign::Legacy);
    assert_eq!(
        legacy.keys().cloned().collect::<BTreeSet<_>>(),
        ["r1", "q1", "q3", "q5", "q6"].map(String::from).into()
    );
    // Legacy follows r1 to the analysis date, through her second leave.
    assert_eq!(
        legacy["r1"],
        (
            months("2021-01-04", "2025-03-31"),
            false,
            years("2015-04-01", "2020-01-06")
        )
    );
    let symmetric = follow_ups(PeerDesign::Symmetric);
    assert_eq!(
        symmetric.keys().cloned().collect::<BTreeSet<_>>(),
        ["r1", "q1", "q2", "q6"].map(String::from).into()
    );
    assert_eq!(
        symmetric["r1"],
        (
            months("2021-01-04", "2023-03-01"),
            false,
            years("2015-04-01", "2020-01-06")
        )
    );
    assert_eq!(
        symmetric["q1"],
        (
            months("2021-01-04", "2025-03-31"),
            false,
            years("2015-04-01", "2021-01-04")
        )
    );
    assert_eq!(
        symmetric["q2"],
        (
            months("2021-01-04", "2022-06-01"),
            false,
            years("2015-04-01", "2021-01-04")
        )
    );
    assert_eq!(
        symmetric["q6"],
        (
            months("2021-01-04", "2021-06-01"),
            true,
            years("2015-04-01", "2021-01-04")
        )
    );
}
