//! Leave and dependents records: the bytes before the first NUL byte are
//! `leaves.csv`, the rest `dependents.csv`, beside a fixed master; any bytes
//! give an import or a typed error, never a panic.
#![no_main]
#[path = "common.rs"]
mod common;
use libfuzzer_sys::fuzz_target;
use mommytrack::import::{import_from_memory, Mapping};
use mommytrack::ValidConfig;
use std::collections::BTreeMap;
use std::sync::OnceLock;

const MAPPING: &str = r#"
[master]
file = "master.csv"
columns = { employee_id = "id", gender = "sex", hire_date = "hired", exit_date = "left", grade = "g", responsibility = "r", employment_type = "t", weekly_hours = "h" }
[[leaves]]
file = "leaves.csv"
end_is = "last_day"
columns = { employee_id = "user-id", leave_type = "time-type", start = "start-date", end = "end-date", child_birth = "birth" }
[leaves.codes.leave_type]
MAT = "maternity"
PAR = "parental"
PAT = "paternity"
SICK = "medical"
[[family]]
file = "dependents.csv"
columns = { employee_id = "user-id", relation = "relationship-type", birth_date = "date-of-birth" }
[family.codes.relation]
child = "child"
spouse = "ignore"
"#;

const MASTER: &[u8] = b"id,sex,hired,left,g,r,t,h
E000001,F,2012-04-01,,1,0,regular,40
E000002,M,2013-04-01,2024-03-31,2,1,regular,40
";

/// The mapping, parsed once.
static PARSED: OnceLock<Mapping> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    common::on_this_thread();
    let m = PARSED.get_or_init(|| Mapping::from_toml(MAPPING).unwrap());
    let cut = data.iter().position(|b| *b == 0).unwrap_or(data.len());
    let files = BTreeMap::from([
        ("master.csv".to_string(), MASTER.to_vec()),
        ("leaves.csv".to_string(), data[..cut].to_vec()),
        (
            "dependents.csv".to_string(),
            data.get(cut + 1..).unwrap_or(&[]).to_vec(),
        ),
    ]);
    if let Ok(out) = import_from_memory(m, &files) {
        let _ = out.dataset(&ValidConfig::default());
    }
});
