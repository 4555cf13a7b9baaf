//! Peer matching by hand: one returner `r1` (F, grade 3, sales, hired
//! 2015-04-01) back from maternity leave on 2021-01-04, and peers hired the
//! same day, none with childcare leave, whose grade and department move
//! around that date. A peer's state on the return date is the state after
//! every event dated that day.

use mommytrack::analysis::peers::PeerSample;
use mommytrack::config::Config;
use mommytrack::Context;
use std::collections::BTreeSet;

const EMP: &str =
    "employee_id,gender,hire_date,department,grade,responsibility,employment_type,weekly_hours";
const EV: &str = "employee_id,date,event,leave_type,grade,department";

fn matched(same_department: bool) -> BTreeSet<String> {
    let emp = [
        "r1,F,2015-04-01,sales,3,3,regular,40",
        // Sales all along: a peer either way.
        "p1,M,2015-04-01,sales,3,3,regular,40",
        // Ops, moved to sales before her return: a same-department peer.
        "p2,M,2015-04-01,ops,3,3,regular,40",
        // Sales, moved to ops before her return: grade peer only.
        "p3,M,2015-04-01,sales,3,3,regular,40",
        // Sales, moved to ops on the return date itself: grade peer only.
        "p4,M,2015-04-01,sales,3,3,regular,40",
        // Ops, moved to sales the day after: grade peer only.
        "p5,M,2015-04-01,ops,3,3,regular,40",
        // Sales, promoted to grade 4 before her return: no peer.
        "p6,M,2015-04-01,sales,3,3,regular,40",
        // Ops, moved to sales on the return date: a same-department peer.
        "p7,M,2015-04-01,ops,3,3,regular,40",
        // Sales, promoted on the return date: no peer.
        "p8,M,2015-04-01,sales,3,3,regular,40",
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
