//! A spreadsheet export: any bytes as `jobs.xlsx` give an import or a typed
//! error, never a panic.
#![no_main]
#[path = "common.rs"]
mod common;
use libfuzzer_sys::fuzz_target;
use mommytrack::import::{import_from_memory, Mapping};
use std::collections::BTreeMap;
use std::sync::OnceLock;

const MAPPING: &str = r#"
[settings]
dates = ["ymd", "wareki", "excel"]
[[history]]
file = "jobs.xlsx"
sheet = "Job"
header_row = 3
[history.columns]
employee_id = "社員番号"
gender = "性別"
date = "発令日"
grade = "等級"
employment_type = "雇用形態"
weekly_hours = "週所定労働時間"
responsibility = "役職"
[history.codes.gender]
"女性" = "F"
"男性" = "M"
[history.codes.employment_type]
"正社員" = "regular"
"#;

/// The mapping, parsed once.
static PARSED: OnceLock<Mapping> = OnceLock::new();

fuzz_target!(
    // calamine panics on some malformed workbooks and the crate catches it;
    // libfuzzer-sys' hook would abort on the caught panic first, so it is
    // replaced by a silent one: a panic that escapes the crate still aborts.
    init: std::panic::set_hook(Box::new(|_| {})),
    |data: &[u8]| {
        common::on_this_thread();
        let m = PARSED.get_or_init(|| Mapping::from_toml(MAPPING).unwrap());
        let files = BTreeMap::from([("jobs.xlsx".to_string(), data.to_vec())]);
        let _ = import_from_memory(m, &files);
    }
);
