//! The event study's anchor, worked by hand on six parents (all born 1985,
//! hired 2010, employed to the analysis date 2025-03-31):
//!
//! | id | gender | births | childcare leave | first leave | first birth |
//! |---|---|---|---|---|---|
//! | m1 | F | 2019-01-20 | maternity from 2018-12-01 | 2018 | 2019 |
//! | m2 | F | 2017-06-01 | maternity from 2017-05-01 | 2017 | 2017 |
//! | m3 | F | none | parental from 2016-04-01 | 2016 | 2016 (fallback) |
//! | f1 | M | 2015-03-01, 2019-03-01 | paternity from 2019-03-05 | 2019 | 2015 |
//! | f2 | M | 2018-09-01 | none | — | 2018 |
//! | f3 | M | none | none | — | — |
//!
//! Event times run −3…5 and a row needs 31 December employed and not after
//! the analysis date (so years up to 2024).

use mommytrack::analysis::event_study::panel;
use mommytrack::config::{Config, EventAnchor};
use mommytrack::{Analysis, Context, Count, Dataset};
use std::collections::BTreeMap;

const EMP: &str =
    "employee_id,gender,birth_year,hire_date,grade,responsibility,employment_type,weekly_hours";
const EV: &str = "employee_id,date,event,leave_type";

fn data(anchor: EventAnchor) -> (Dataset, mommytrack::ValidConfig) {
    let emp = ["m1,F", "m2,F", "m3,F", "f1,M", "f2,M", "f3,M"]
        .iter()
        .map(|p| format!("{p},1985,2010-04-01,2,2,regular,40"))
        .collect::<Vec<_>>()
        .join("\n");
    let ev = [
        "m1,2018-12-01,leave_start,maternity",
        "m1,2019-01-20,child_birth,",
        "m1,2019-09-01,leave_end,maternity",
        "m2,2017-05-01,leave_start,maternity",
        "m2,2017-06-01,child_birth,",
        "m2,2018-05-01,leave_end,maternity",
        "m3,2016-04-01,leave_start,parental",
        "m3,2017-04-01,leave_end,parental",
        "f1,2015-03-01,child_birth,",
        "f1,2019-03-01,child_birth,",
        "f1,2019-03-05,leave_start,paternity",
        "f1,2019-04-05,leave_end,paternity",
        "f2,2018-09-01,child_birth,",
    ]
    .join("\n");
    let mut c = Config::default();
    c.ingest.as_of = "2025-03-31".parse().ok();
    c.privacy.min_group_size = 1;
    c.event_study.anchor = anchor;
    let config = c.validate().unwrap();
    let data = Dataset::builder(&config)
        .from_readers(
            format!("{EMP}\n{emp}\n").as_bytes(),
            format!("{EV}\n{ev}\n").as_bytes(),
        )
        .unwrap();
    assert_eq!(data.report.rejections, vec![]);
    (data, config)
}

/// Each parent's first row: (event year − 3 or later, its event time).
fn first_rows(anchor: EventAnchor) -> BTreeMap<String, (i32, i32, usize)> {
    let (data, config) = data(anchor);
    let ctx = Context::new(&data, &config);
    let (rows, without_birth_year) = panel(&ctx);
    assert_eq!(without_birth_year, 0);
    let mut first = BTreeMap::new();
    for r in &rows {
        let id = data.timelines[r.employee].employee().employee_id.clone();
        first
            .entry(id)
            .and_modify(|e: &mut (i32, i32, usize)| e.2 += 1)
            .or_insert((r.year, r.event_time, 1));
    }
    first
}

#[test]
fn leave_anchor_by_hand() {
    let got = first_rows(EventAnchor::FirstChildcareLeave);
    // (first year, its event time, rows): event year − 3 … min(event + 5, 2024).
    let want: BTreeMap<String, (i32, i32, usize)> = [
        ("m1", (2015, -3, 9)), // 2015..=2023
        ("m2", (2014, -3, 9)), // 2014..=2022
        ("m3", (2013, -3, 9)), // 2013..=2021
        ("f1", (2016, -3, 9)), // 2016..=2024
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(got, want);
}

#[test]
fn birth_anchor_by_hand() {
    let got = first_rows(EventAnchor::FirstBirth);
    let want: BTreeMap<String, (i32, i32, usize)> = [
        ("m1", (2016, -3, 9)), // 2016..=2024: one year later than on leave
        ("m2", (2014, -3, 9)),
        ("m3", (2013, -3, 9)), // no birth: anchored on her leave
        ("f1", (2012, -3, 9)), // his first child, not the one he took leave for
        ("f2", (2015, -3, 9)), // no leave at all, in the panel all the same
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(got, want);
    let (data, config) = data(EventAnchor::FirstBirth);
    let analysis = Analysis::run(&data, &config);
    let study = analysis.event_study.as_ref().expect("mothers and fathers");
    assert_eq!(study.parents_anchored_on_leave, Some(Count::new(1, 1)));
    // Both reports say so.
    let said = "Parents with no recorded birth are anchored on their first childcare leave: 1.";
    assert!(analysis.to_markdown().contains(said));
    assert!(analysis.to_html().contains(said));
    assert!(analysis.to_html().contains("years since the first birth"));
    // The leave anchor leaves the key out of report.json.
    let (data, config) = self::data(EventAnchor::FirstChildcareLeave);
    let study = Analysis::run(&data, &config)
        .event_study
        .expect("mothers and fathers");
    assert_eq!(study.parents_anchored_on_leave, None);
}
