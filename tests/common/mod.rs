//! Helpers shared by the ingest tests that compare a dirty copy with its
//! clean original.

use mommytrack::schema::EventKind;
use mommytrack::synth::PlantedRejection;
use mommytrack::Dataset;

/// Each employee's events without source line numbers (planted rows shift them).
pub fn histories(data: &Dataset) -> Vec<(String, Vec<(chrono::NaiveDate, EventKind)>)> {
    data.timelines
        .iter()
        .map(|t| {
            let events = t
                .events()
                .iter()
                .map(|e| (e.date, e.kind.clone()))
                .collect();
            (t.employee().employee_id.clone(), events)
        })
        .collect()
}

/// The rejections in the form the generator lists what it planted.
pub fn as_planted(data: &Dataset) -> Vec<PlantedRejection> {
    data.report
        .rejections
        .iter()
        .map(|r| PlantedRejection {
            file: r.file,
            line: r.line,
            column: r.column.clone().unwrap_or_default(),
            kind: r.kind,
        })
        .collect()
}
