//! An effective-dated history export (SAP-style job information, with a
//! fixed person master): any bytes as `job_information.csv` give an import
//! or a typed error, never a panic; what imports goes through the contract.
#![no_main]
#[path = "common.rs"]
mod common;
use libfuzzer_sys::fuzz_target;
use mommytrack::import::{import_from_memory, Mapping};
use mommytrack::ValidConfig;
use std::collections::BTreeMap;
use std::sync::OnceLock;

const MAPPING: &str = r##"
[settings]
dates = ["%m/%d/%Y", "ymd", "odata", "excel"]
clear_token = "#NULL"
as_of = 2025-03-31
[master]
file = "per_person.csv"
columns = { employee_id = "person-id-external", gender = "gender", birth_date = "date-of-birth" }
[[history]]
file = "job_information.csv"
skip_rows = 1
exit_date_is = "day_after"
[history.columns]
employee_id = "user-id"
date = "start-date"
sequence = "seq-number"
modified = "last-modified-on"
event = ["event", "event-reason"]
status = "emplStatus"
grade = "pay-grade"
responsibility = "job-title"
track = "custom-string1"
department = "department"
manager_id = "manager-id"
employment_type = ["employee-class", "regular-temp"]
fte = "fte"
[history.codes.event]
"H|*" = "hire"
"8|*" = "promotion"
"26|*" = { kind = "exit", exit_reason = "voluntary" }
"10|*" = { kind = "leave_start", leave_type = "parental" }
"23|*" = "leave_end"
"5|*" = { kind = "change", initiated_by = "employer" }
"6|*" = "change"
"4|*" = "ignore"
[history.codes.status]
A = "active"
U = "leave"
P = "maternity"
T = "exit"
[history.codes.grade]
GR01 = 1
GR02 = 2
GR03 = 3
[history.codes.responsibility]
"Associate" = 0
"Team Lead" = 1
"Manager" = 2
[history.codes.employment_type]
"1|R" = "regular"
"1|T" = "fixed_term"
"2|*" = "part_time"
"##;

const MASTER: &[u8] = b"person-id-external,gender,date-of-birth
E000001,F,/Date(334368000000)/
E000002,M,1975-02-03
E000003,F,
";

/// The mapping, parsed once.
static PARSED: OnceLock<Mapping> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    common::on_this_thread();
    let m = PARSED.get_or_init(|| Mapping::from_toml(MAPPING).unwrap());
    let files = BTreeMap::from([
        ("per_person.csv".to_string(), MASTER.to_vec()),
        ("job_information.csv".to_string(), data.to_vec()),
    ]);
    if let Ok(out) = import_from_memory(m, &files) {
        let _ = out.dataset(&ValidConfig::default());
    }
});
