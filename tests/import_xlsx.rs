//! A spreadsheet export: the sheet named in the mapping, a title above the
//! header, Excel dates in a Japanese date format and era text, ids with
//! leading zeros, and a rejection that names the sheet and the cell.
//! The fixture is made by `tests/reference/make_xlsx.py` (openpyxl).
#![cfg(feature = "xlsx")]

use mommytrack::import::{import, Mapping};
use std::path::Path;

const MAPPING: &str = r#"
[settings]
dates = ["ymd", "wareki"]
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

fn dir() -> &'static Path {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/import"
    ))
}

#[test]
fn a_sheet_is_read_with_its_dates_and_a_rejection_names_its_cell() {
    let out = import(&Mapping::from_toml(MAPPING).unwrap(), dir()).unwrap();
    assert_eq!(out.report.files[0].encoding, "xlsx");
    let emp: Vec<(&str, String, &str)> = out
        .employees
        .iter()
        .map(|e| {
            (
                &*e.employee_id,
                e.hire_date.to_string(),
                e.employment_type.map_or("", |t| t.as_str()),
            )
        })
        .collect();
    assert_eq!(
        emp,
        [
            ("00101", "2019-04-01".to_string(), "regular"),
            ("00102", "2020-04-01".to_string(), "regular")
        ]
    );
    let ev: Vec<(String, String, String, String)> = out
        .events
        .iter()
        .map(|e| {
            let r = e.row();
            (r.employee_id, r.date, r.event, r.grade)
        })
        .collect();
    assert_eq!(
        ev,
        [(
            "00101".to_string(),
            "2022-04-01".to_string(),
            "promotion".to_string(),
            "2".to_string()
        )]
    );
    assert_eq!(out.rejections.len(), 1);
    let r = &out.rejections[0];
    assert_eq!(
        (r.sheet.as_deref(), r.cell.as_deref(), r.line),
        (Some("Job"), Some("E7"), 7)
    );
    assert_eq!(
        r.to_string(),
        "jobs.xlsx sheet \"Job\" cell E7, column \"雇用形態\", value \"嘱託\": \"嘱託\" is not in [history[0].codes.employment_type]: add it there"
    );
}

#[test]
fn a_missing_sheet_is_an_error_that_lists_the_sheets() {
    let m = Mapping::from_toml(&MAPPING.replace("sheet = \"Job\"", "sheet = \"Jobs\"")).unwrap();
    let err = import(&m, dir()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "jobs.xlsx: no sheet \"Jobs\"; the workbook has README, Job"
    );
}

/// Found by fuzzing (fuzz target `export_xlsx`): a workbook whose cell
/// reference overflows calamine's arithmetic. With overflow checks (debug
/// builds, the fuzz build) calamine panics; the import gives an error
/// naming the file instead, and never lets a panic out.
#[test]
fn a_workbook_that_panics_calamine_is_an_error() {
    let bytes = std::fs::read(dir().join("../fuzz/xlsx-cell-reference-overflow.xlsx")).unwrap();
    let files = std::collections::BTreeMap::from([("jobs.xlsx".to_string(), bytes)]);
    let m = Mapping::from_toml(MAPPING).unwrap();
    let result = mommytrack::import::import_from_memory(&m, &files);
    #[cfg(debug_assertions)]
    {
        let err = result.unwrap_err().to_string();
        assert!(
            err.starts_with("jobs.xlsx: not a readable workbook (the spreadsheet reader failed: attempt to multiply with overflow"),
            "{err}"
        );
    }
    #[cfg(not(debug_assertions))]
    let _ = result;
}
