//! CSV ingest checks rows in batches of 4,096 on several threads and applies
//! the results in file order. These inputs span many batches, so they check
//! that what comes out is what the rules say row by row: exactly the planted
//! bad rows are rejected, at their lines; exact duplicates far apart in the
//! file are dropped (a duplicate of a rejected row too); every good row is
//! kept; strict mode stops at the first bad row in file order.
#![cfg(feature = "synth")]

use mommytrack::config::ValidConfig;
use mommytrack::synth::{dirty_copy, generate, DirtyCopy, SynthConfig};
use mommytrack::{Dataset, Table};

mod common;
use common::{as_planted, histories};
use mommytrack::Error;

/// Row-level event rules (the others are checked on the sequence of events).
const SEQUENCE_KINDS: [&str; 4] = [
    "after_analysis_date",
    "leave_end_without_leave",
    "leave_start_during_leave",
    "promotion_not_raising_grade",
];

fn big() -> (Dataset, DirtyCopy) {
    let data = generate(&SynthConfig {
        employees: 3_000,
        seed: 11,
        ..SynthConfig::default()
    });
    let (emp, ev) = data.to_csv().unwrap();
    let clean = Dataset::builder(&ValidConfig::default())
        .from_readers(&emp[..], &ev[..])
        .unwrap();
    (
        clean,
        dirty_copy(&data).expect("generated data has employees"),
    )
}

fn line(csv: &[u8], n: u64) -> Vec<u8> {
    csv.split(|b| *b == b'\n')
        .nth(n as usize - 1)
        .unwrap()
        .to_vec()
}

#[test]
fn many_batches_reject_exactly_the_planted_rows_and_drop_far_duplicates() {
    let (clean, dirty) = big();
    let events_lines = dirty.events_csv.split(|b| *b == b'\n').count();
    assert!(
        events_lines > 8 * 4096,
        "{events_lines} lines: too few batches"
    );
    // Append, at the very end, copies of the 2nd line (a good row, in the
    // first batch) and of the first row-level planted event rejection.
    let bad = dirty
        .planted
        .iter()
        .find(|p| p.file == Table::Events && !SEQUENCE_KINDS.contains(&p.kind.as_str()))
        .unwrap();
    let mut events = dirty.events_csv.clone();
    if events.last() != Some(&b'\n') {
        events.push(b'\n');
    }
    for n in [2, bad.line] {
        events.extend(line(&dirty.events_csv, n));
        events.push(b'\n');
    }
    let data = Dataset::builder(&ValidConfig::default())
        .from_readers(&dirty.employees_csv[..], &events[..])
        .unwrap();
    assert_eq!(as_planted(&data), dirty.planted);
    assert_eq!(data.report.events.duplicates_dropped, dirty.duplicates + 2);
    assert_eq!(histories(&data), histories(&clean));
    for t in [&data.report.employees, &data.report.events] {
        assert_eq!(t.rows_read, t.accepted + t.rejected + t.duplicates_dropped);
    }
}

#[test]
fn strict_mode_stops_at_the_first_planted_row_in_file_order() {
    let (_, dirty) = big();
    let strict = ValidConfig::default().with_strict(true);
    let first = |file: &str| {
        dirty
            .planted
            .iter()
            .filter(|p| p.file.as_str() == file && !SEQUENCE_KINDS.contains(&p.kind.as_str()))
            .map(|p| p.line)
            .min()
            .unwrap()
    };
    let err = Dataset::builder(&strict)
        .from_readers(&dirty.employees_csv[..], &dirty.events_csv[..])
        .unwrap_err();
    match err {
        Error::Rejected(r) => assert_eq!((r.file, r.line), (Table::Employees, first("employees"))),
        other => panic!("unexpected {other}"),
    }
    // Clean employees: the first bad events row stops it.
    let data = generate(&SynthConfig {
        employees: 3_000,
        seed: 11,
        ..SynthConfig::default()
    });
    let (emp, _) = data.to_csv().unwrap();
    let err = Dataset::builder(&strict)
        .from_readers(&emp[..], &dirty.events_csv[..])
        .unwrap_err();
    match err {
        Error::Rejected(r) => assert_eq!((r.file, r.line), (Table::Events, first("events"))),
        other => panic!("unexpected {other}"),
    }
}

#[test]
fn a_ragged_row_at_the_end_of_a_large_file_is_rejected_at_its_line() {
    let data = generate(&SynthConfig {
        employees: 1_000,
        seed: 3,
        ..SynthConfig::default()
    });
    let (emp, mut ev) = data.to_csv().unwrap();
    let lines = ev.split(|b| *b == b'\n').filter(|l| !l.is_empty()).count() as u64;
    // Line numbers are counted by the reader thread across batches: the
    // ragged last row (2 fields of 14) must carry its own.
    ev.extend_from_slice(b"E000001,2020-01-01\n");
    let d = Dataset::builder(&ValidConfig::default())
        .from_readers(&emp[..], &ev[..])
        .unwrap();
    let last = d.report.rejections.last().unwrap();
    assert_eq!(
        (last.file, last.line, last.kind.as_str()),
        (Table::Events, lines + 1, "wrong_field_count")
    );
}

#[test]
fn results_do_not_depend_on_the_number_of_threads() {
    let (_, dirty) = big();
    let config = ValidConfig::default();
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let data = Dataset::builder(&config)
                .from_readers(&dirty.employees_csv[..], &dirty.events_csv[..])
                .unwrap();
            let report = mommytrack::Analysis::run(&data, &config);
            (
                serde_json::to_string(&report).unwrap(),
                format!("{:?}", report.flags),
                format!("{:?}", data.report.rejections),
                histories(&data),
            )
        })
    };
    let one = run(1);
    assert!(one.0.contains("returners_vs_peers"));
    assert_eq!(one, run(4));
}
