//! A periodic snapshot export: any bytes as `headcount.csv` give an import
//! or a typed error, never a panic; what imports goes through the contract.
#![no_main]
#[path = "common.rs"]
mod common;
use libfuzzer_sys::fuzz_target;
use mommytrack::import::{import_from_memory, Mapping};
use mommytrack::ValidConfig;
use std::collections::BTreeMap;
use std::sync::OnceLock;

const MAPPING: &str = r#"
[snapshots]
file = "headcount.csv"
period = "month"
left_censored = "first_snapshot"
[snapshots.columns]
date = "snapshot_date"
employee_id = "emp_no"
gender = "sex"
birth_year = "birth_year"
hire_date = "hire_date"
status = "status"
grade = "grade"
responsibility = "level"
track = "track"
department = "org_unit"
manager_id = "supervisor"
employment_type = "contract"
weekly_hours = "weekly_hours"
salary = "annual_salary"
rating = "last_rating"
rating_date = "last_rating_date"
[snapshots.codes.status]
active = "active"
"leave:maternity" = "maternity"
"leave:paternity" = "paternity"
"leave:parental" = "parental"
"leave:medical" = "medical"
"leave:family_care" = "family_care"
"leave:other" = "other"
gone = "exit"
"#;

/// The mapping, parsed once.
static PARSED: OnceLock<Mapping> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    common::on_this_thread();
    let m = PARSED.get_or_init(|| Mapping::from_toml(MAPPING).unwrap());
    let files = BTreeMap::from([("headcount.csv".to_string(), data.to_vec())]);
    if let Ok(out) = import_from_memory(m, &files) {
        let _ = out.dataset(&ValidConfig::default());
    }
});
