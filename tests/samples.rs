//! The bundled samples: the clean pair ingests without a rejection, and the
//! dirty copy rejects exactly the planted rows (listed, with their lines, in
//! `data-samples/dirty/expected_rejections.csv`) and keeps every good row.
#![cfg(feature = "synth")]

use mommytrack::config::ValidConfig;
use mommytrack::synth::{dirty_copy, generate, PlantedRejection, SynthConfig};
use mommytrack::Dataset;
use std::path::Path;

mod common;
use common::{as_planted, histories};

fn read(dir: &str) -> Dataset {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    Dataset::builder(&ValidConfig::default())
        .from_paths(dir.join("employees.csv"), dir.join("events.csv"))
        .unwrap()
}

#[test]
fn clean_samples_ingest_without_rejection() {
    let data = read("data-samples");
    assert!(
        data.report.rejections.is_empty(),
        "{:?}",
        data.report.rejections.first()
    );
    assert_eq!(data.report.employees.accepted, 300);
    assert_eq!(data.report.events.accepted, data.report.events.rows_read);
    // Mothers, fathers on leave, and people who never take leave are all there.
    let config = ValidConfig::default();
    let with_leave = data
        .timelines
        .iter()
        .filter(|t| !t.absences(config.absences()).is_empty())
        .count();
    assert!(with_leave > 30 && with_leave < 250, "{with_leave}");
}

#[test]
fn dirty_samples_reject_exactly_the_planted_rows() {
    let clean = read("data-samples");
    let dirty = read("data-samples/dirty");
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("data-samples/dirty/expected_rejections.csv");
    let expected: Vec<PlantedRejection> = csv::Reader::from_path(path)
        .unwrap()
        .deserialize()
        .collect::<Result<_, _>>()
        .unwrap();
    let found = as_planted(&dirty);
    assert_eq!(found, expected);
    assert_eq!(expected.len(), 26);
    assert_eq!(dirty.report.events.duplicates_dropped, 1);
    assert_eq!(histories(&dirty), histories(&clean));
    for t in [&dirty.report.employees, &dirty.report.events] {
        assert_eq!(t.rows_read, t.accepted + t.rejected + t.duplicates_dropped);
    }
}

#[test]
fn committed_samples_are_what_the_generator_makes() {
    let data = generate(&SynthConfig {
        employees: 300,
        seed: 7,
        ..SynthConfig::default()
    });
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data-samples");
    let mut w = csv::Writer::from_writer(vec![]);
    data.employees.iter().for_each(|r| w.serialize(r).unwrap());
    assert_eq!(
        w.into_inner().unwrap(),
        std::fs::read(dir.join("employees.csv")).unwrap()
    );
    let dirty = dirty_copy(&data).expect("generated data has employees");
    assert_eq!(
        dirty.events_csv,
        std::fs::read(dir.join("dirty/events.csv")).unwrap()
    );
    assert_eq!(
        dirty.employees_csv,
        std::fs::read(dir.join("dirty/employees.csv")).unwrap()
    );
}
