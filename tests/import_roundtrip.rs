//! Round trips: a generated population, exported as an HR system writes
//! it, imported through the export's mapping file, gives the timelines of
//! the original (history shapes: on every day; snapshots: on every
//! snapshot date, every change dated to the snapshot where it first shows).
#![cfg(feature = "synth")]

use chrono::NaiveDate;
use mommytrack::import::{import_file, Imported};
use mommytrack::schema::{EventKind, InitiatedBy};
use mommytrack::synth::{self, HrisExport, SynthConfig, Synthetic};
use mommytrack::timeline::{State, Timeline};
use mommytrack::{Dataset, ValidConfig};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

fn population(seed: u64) -> (Synthetic, Dataset) {
    let config = SynthConfig {
        employees: 400,
        seed,
        ..SynthConfig::default()
    };
    let data = synth::generate(&config);
    let (emp, ev) = data.to_csv().unwrap();
    let ds = Dataset::builder(&ValidConfig::default())
        .as_of(Some(config.as_of))
        .from_readers(emp.as_slice(), ev.as_slice())
        .unwrap();
    assert!(
        ds.report.rejections.is_empty(),
        "{:?}",
        ds.report.rejections
    );
    (data, ds)
}

fn imported(name: &str, export: &HrisExport, as_of: NaiveDate) -> (Imported, Dataset) {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("roundtrip-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    export.write(&dir).unwrap();
    let out = import_file(dir.join("mapping.toml")).unwrap();
    let (emp, ev) = out.to_csv().unwrap();
    let ds = Dataset::builder(&ValidConfig::default())
        .as_of(Some(as_of))
        .from_readers(emp.as_slice(), ev.as_slice())
        .unwrap();
    (out, ds)
}

/// Who asked for each change that changes something, by date.
fn initiators(t: &Timeline) -> BTreeSet<(NaiveDate, &'static str, String)> {
    let mut out = BTreeSet::new();
    let mut st = State::at_hire(t.employee());
    for e in t.events() {
        let before = st.clone();
        st.apply(e);
        let (what, by) = match &e.kind {
            EventKind::RoleChange(r) => ("role", r.initiated_by),
            EventKind::EmploymentChange { initiated_by, .. } => ("employment", *initiated_by),
            EventKind::HoursChange { initiated_by, .. } => ("hours", *initiated_by),
            _ => continue,
        };
        if before != st && by != InitiatedBy::Unknown {
            out.insert((e.date, what, by.as_str().to_string()));
        }
    }
    out
}

fn births(t: &Timeline) -> Vec<NaiveDate> {
    t.events()
        .iter()
        .filter(|e| matches!(e.kind, EventKind::ChildBirth))
        .map(|e| e.date)
        .collect()
}

/// Every difference between two datasets at the given dates of each
/// employee (at most `limit` listed).
fn differences(
    a: &Dataset,
    b: &Dataset,
    dates: impl Fn(&Timeline) -> Vec<NaiveDate>,
    exact_dates: bool,
) -> Vec<String> {
    let mut out = Vec::new();
    let by: BTreeMap<&str, &Timeline> = b
        .timelines
        .iter()
        .map(|t| (t.employee().employee_id.as_str(), t))
        .collect();
    if a.timelines.len() != b.timelines.len() {
        out.push(format!(
            "{} employees against {}",
            a.timelines.len(),
            b.timelines.len()
        ));
    }
    for ta in &a.timelines {
        let id = ta.employee().employee_id.as_str();
        let Some(tb) = by.get(id) else {
            out.push(format!("{id}: missing"));
            continue;
        };
        let (ea, eb) = (ta.employee(), tb.employee());
        let person = |e: &mommytrack::schema::Employee| (e.gender, e.birth_year, e.hire_date);
        // snapshots: the state at hire is the first snapshot's, compared below
        if (exact_dates && ea != eb) || person(ea) != person(eb) {
            out.push(format!("{id}: employee {ea:?} against {eb:?}"));
        }
        let mut ds: BTreeSet<NaiveDate> = dates(ta).into_iter().collect();
        ds.extend(dates(tb));
        for d in ds {
            let (sa, sb) = (ta.state_on(d), tb.state_on(d));
            // snapshots see nothing after an employee's last one: a change
            // between it and the exit cannot show, so only employed days count
            if !exact_dates && !sa.employed && !sb.employed {
                continue;
            }
            if sa != sb {
                out.push(format!("{id} on {d}: {sa:?} against {sb:?}"));
                break;
            }
        }
        if exact_dates {
            if ta.leave_spells() != tb.leave_spells() {
                out.push(format!(
                    "{id}: leaves {:?} against {:?}",
                    ta.leave_spells(),
                    tb.leave_spells()
                ));
            }
            if births(ta) != births(tb) {
                out.push(format!(
                    "{id}: births {:?} against {:?}",
                    births(ta),
                    births(tb)
                ));
            }
            if initiators(ta) != initiators(tb) {
                out.push(format!(
                    "{id}: initiators {:?} against {:?}",
                    initiators(ta),
                    initiators(tb)
                ));
            }
        }
    }
    out
}

/// Every event date, the day before it, and the hire and exit dates.
fn every_change(t: &Timeline) -> Vec<NaiveDate> {
    let mut v: Vec<NaiveDate> = t.events().iter().map(|e| e.date).collect();
    v.extend(v.clone().iter().filter_map(|d| d.pred_opt()));
    v.push(t.employee().hire_date);
    v.extend(t.employee().exit_date);
    v
}

#[test]
fn sap_history_round_trip_gives_the_original_timelines() {
    let (data, original) = population(7);
    let export = synth::sap(&data).expect("the generated population exports");
    let (out, back) = imported("sap", &export, original.as_of());
    assert!(
        out.rejections.is_empty(),
        "{:?}",
        &out.rejections[..out.rejections.len().min(5)]
    );
    assert!(
        back.report.rejections.is_empty(),
        "{:?}",
        back.report.rejections
    );
    // the planted corrections (every 20th employee's first promotion) were superseded
    let job = &out.report.files[1];
    assert_eq!(job.file, "job_information.csv");
    assert!(job.superseded > 0);
    let diffs = differences(&original, &back, every_change, true);
    assert!(
        diffs.is_empty(),
        "{} differences, first: {:#?}",
        diffs.len(),
        &diffs[..diffs.len().min(5)]
    );
}

#[test]
fn japanese_cp932_history_round_trip_gives_the_original_timelines() {
    let (data, original) = population(11);
    let export = synth::japanese(&data).expect("the generated population exports");
    // the files are CP932, not UTF-8
    let (_, moves) = &export.files[1];
    assert!(std::str::from_utf8(moves).is_err());
    let (out, back) = imported("japanese", &export, original.as_of());
    assert!(
        out.rejections.is_empty(),
        "{:?}",
        &out.rejections[..out.rejections.len().min(5)]
    );
    assert!(
        back.report.rejections.is_empty(),
        "{:?}",
        back.report.rejections
    );
    assert!(
        out.report.files.iter().all(|f| f.encoding == "Shift_JIS"),
        "{:?}",
        out.report.files
    );
    let diffs = differences(&original, &back, every_change, true);
    assert!(
        diffs.is_empty(),
        "{} differences, first: {:#?}",
        diffs.len(),
        &diffs[..diffs.len().min(5)]
    );
}

#[test]
fn snapshot_round_trip_is_exact_at_every_snapshot_date() {
    let (data, original) = population(13);
    let export =
        synth::snapshots(&data, original.as_of()).expect("the generated population exports");
    let (out, back) = imported("snapshots", &export, original.as_of());
    assert!(
        out.rejections.is_empty(),
        "{:?}",
        &out.rejections[..out.rejections.len().min(5)]
    );
    assert!(
        back.report.rejections.is_empty(),
        "{:?}",
        back.report.rejections
    );
    let report = out.report.snapshots.as_ref().unwrap();
    // 120 month ends less the one left out
    assert_eq!(report.snapshot_dates, 119);
    let dates: Vec<NaiveDate> = {
        let text = String::from_utf8(export.files[0].1.clone()).unwrap();
        let set: BTreeSet<NaiveDate> = text
            .lines()
            .skip(1)
            .map(|l| l[..10].parse().unwrap())
            .collect();
        set.into_iter().collect()
    };
    assert_eq!(dates.len(), 119);
    let missing = dates[mommytrack::synth::MISSING_SNAPSHOT - 1]
        .succ_opt()
        .unwrap()
        .format("%Y-%m")
        .to_string();
    assert_eq!(report.missing_periods, vec![missing]);
    // the original's employees employed on some snapshot date
    let seen = Dataset {
        timelines: original
            .timelines
            .iter()
            .filter(|t| dates.iter().any(|d| t.employed_on(*d)))
            .cloned()
            .collect(),
        report: original.report.clone(),
    };
    let at_snapshots = |_: &Timeline| dates.clone();
    let diffs = differences(&seen, &back, at_snapshots, false);
    assert!(
        diffs.is_empty(),
        "{} differences, first: {:#?}",
        diffs.len(),
        &diffs[..diffs.len().min(5)]
    );
    // each change is dated to the snapshot in which it first shows
    for t in &back.timelines {
        for e in t.events() {
            if !matches!(e.kind, EventKind::Evaluation { .. }) {
                assert!(dates.binary_search(&e.date).is_ok(), "{:?}", e);
            }
        }
    }
    // and the dates say so: every one but ratings dated by their own column is an interval
    assert!(out.report.dates.interval > 0);
}
