//! A Japanese HR service's employee master and full-state history (encoding
//! detected, Japanese headers, era dates, hours.minutes): the bytes before
//! the first NUL are `従業員.csv`, the rest `人事異動.csv`; never a panic.
#![no_main]
#[path = "common.rs"]
mod common;
use libfuzzer_sys::fuzz_target;
use mommytrack::import::{import_from_memory, Mapping};
use mommytrack::ValidConfig;
use std::collections::BTreeMap;
use std::sync::OnceLock;

const MAPPING: &str = r#"
[settings]
dates = ["ymd", "wareki"]
[master]
file = "従業員.csv"
[master.columns]
employee_id = "社員番号"
gender = "性別"
birth_date = "生年月日"
hire_date = "入社年月日"
exit_date = "退職年月日"
exit_reason = "退職理由"
[master.codes.gender]
"女性" = "F"
"男性" = "M"
[master.codes.exit_reason]
"自己都合" = "voluntary"
"会社都合" = "involuntary"
[[history]]
file = "人事異動.csv"
blank = "cleared"
hours_format = "hours_minutes"
[history.columns]
employee_id = "社員番号"
date = "発令日"
sequence = "連番"
event = ["発令区分", "事由"]
status = ["在籍区分", "休職区分"]
grade = "等級"
responsibility = "役職"
department = "所属"
employment_type = "雇用形態"
daily_hours = "1日の所定労働時間"
[history.codes.event]
"入社|*" = "hire"
"昇格|*" = "promotion"
"退職|*" = "exit"
"降格|会社都合" = { kind = "change", initiated_by = "employer" }
"*|*" = "change"
[history.codes.status]
"在籍|" = "active"
"退職|" = "exit"
"休職中|産前産後休業" = "maternity"
"休職中|育児休業" = "parental"
[history.codes.grade]
"1等級" = 1
"2等級" = 2
"3等級" = 3
[history.codes.responsibility]
"一般" = 0
"主任" = 1
"課長" = 3
[history.codes.employment_type]
"正社員" = "regular"
"パート" = "part_time"
"#;

/// The mapping, parsed once.
static PARSED: OnceLock<Mapping> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    common::on_this_thread();
    let m = PARSED.get_or_init(|| Mapping::from_toml(MAPPING).unwrap());
    let cut = data.iter().position(|b| *b == 0).unwrap_or(data.len());
    let files = BTreeMap::from([
        ("従業員.csv".to_string(), data[..cut].to_vec()),
        (
            "人事異動.csv".to_string(),
            data.get(cut + 1..).unwrap_or(&[]).to_vec(),
        ),
    ]);
    if let Ok(out) = import_from_memory(m, &files) {
        let _ = out.dataset(&ValidConfig::default());
    }
});
