//! One test per pitfall of real HR exports (`../shared/hris-notes.md` §8),
//! each on a hand-built export, asserting the exact events or the exact
//! rejection the importer gives.

use mommytrack::import::{import, suggest, Imported, Mapping};
use std::path::PathBuf;

/// Writes `files` into a fresh folder and imports them through `mapping`.
fn run(name: &str, mapping: &str, files: &[(&str, &[u8])]) -> Imported {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("pitfall-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (f, bytes) in files {
        std::fs::write(dir.join(f), bytes).unwrap();
    }
    let m = Mapping::from_toml(mapping).unwrap();
    import(&m, &dir).unwrap()
}

/// Each row of a CSV table as `k=v` pairs of its non-empty cells, in column order.
fn compact(csv: &[u8]) -> Vec<String> {
    let mut r = csv::Reader::from_reader(csv);
    let h = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            h.iter()
                .zip(rec.iter())
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

fn employees(out: &Imported) -> Vec<String> {
    compact(&out.to_csv().unwrap().0)
}

/// The events, without the employee id when there is one employee.
fn events(out: &Imported) -> Vec<String> {
    compact(&out.to_csv().unwrap().1)
        .into_iter()
        .map(|s| s.replacen("employee_id=E1 ", "", 1))
        .collect()
}

fn rejections(out: &Imported) -> Vec<String> {
    out.rejections.iter().map(|r| r.to_string()).collect()
}

const MASTER: &str = "\
id,sex,hired
E1,F,2020-04-01
";

/// A master and one job-history file with the given header, columns and extra keys.
fn job_mapping(extra: &str, columns: &str, codes: &str) -> String {
    format!(
        r#"
[master]
file = "master.csv"
[master.columns]
employee_id = "id"
gender = "sex"
hire_date = "hired"

[[history]]
file = "job.csv"
{extra}
[history.columns]
{columns}
{codes}
"#
    )
}

const JOB_COLUMNS: &str = r#"
employee_id = "id"
date = "effective"
sequence = "seq"
grade = "grade"
responsibility = "level"
department = "dept"
employment_type = "contract"
weekly_hours = "hours"
"#;

#[test]
fn several_rows_on_one_day_are_applied_in_sequence_order() {
    // the file lists the day's second record first
    let job = "\
id,effective,seq,grade,level,dept,contract,hours
E1,2020-04-01,1,1,0,sales,regular,40
E1,2022-04-01,2,3,1,hr,regular,40
E1,2022-04-01,1,2,0,hr,regular,40
";
    let out = run(
        "sequence",
        &job_mapping("", JOB_COLUMNS, ""),
        &[
            ("master.csv", MASTER.as_bytes()),
            ("job.csv", job.as_bytes()),
        ],
    );
    assert_eq!(rejections(&out), Vec::<String>::new());
    assert_eq!(
        employees(&out),
        ["employee_id=E1 gender=F hire_date=2020-04-01 department=sales grade=1 responsibility=0 employment_type=regular weekly_hours=40"]
    );
    // seq 1: the transfer with a grade rise; seq 2: the next grade and a level
    assert_eq!(
        events(&out),
        [
            "date=2022-04-01 event=promotion grade=2 department=hr",
            "date=2022-04-01 event=promotion grade=3 responsibility=1",
        ]
    );
}

#[test]
fn a_later_correction_of_the_same_record_wins() {
    // the same (date, seq) twice: the row modified last wins wherever it is
    let job = "\
id,effective,seq,grade,level,dept,contract,hours,changed
E1,2020-04-01,1,1,0,sales,regular,40,2020-03-20T10:00:00
E1,2022-04-01,1,2,1,sales,regular,40,2022-05-10T09:00:00
E1,2022-04-01,1,3,1,sales,regular,40,2022-03-25T09:00:00
";
    let columns = format!("{JOB_COLUMNS}modified = \"changed\"\n");
    let out = run(
        "correction",
        &job_mapping("", &columns, ""),
        &[
            ("master.csv", MASTER.as_bytes()),
            ("job.csv", job.as_bytes()),
        ],
    );
    assert_eq!(rejections(&out), Vec::<String>::new());
    assert_eq!(
        events(&out),
        ["date=2022-04-01 event=promotion grade=2 responsibility=1"]
    );
    let f = &out.report.files[1];
    assert_eq!(
        (f.rows, f.accepted, f.superseded),
        (3, 2, 1),
        "{:?}",
        out.report.files
    );
}

const SPARSE: &str = "\
id,effective,grade,level,dept,manager,contract,hours
E1,2020-04-01,1,0,sales,M1,regular,40
E1,2021-10-01,,,hr,,,
E1,2022-04-01,2,,,,,
";

const SPARSE_COLUMNS: &str = r#"
employee_id = "id"
date = "effective"
grade = "grade"
responsibility = "level"
department = "dept"
manager_id = "manager"
employment_type = "contract"
weekly_hours = "hours"
"#;

#[test]
fn a_blank_cell_keeps_the_value_when_blank_is_unchanged() {
    let out = run(
        "blank-unchanged",
        &job_mapping("blank = \"unchanged\"", SPARSE_COLUMNS, ""),
        &[
            ("master.csv", MASTER.as_bytes()),
            ("job.csv", SPARSE.as_bytes()),
        ],
    );
    assert_eq!(rejections(&out), Vec::<String>::new());
    assert_eq!(
        events(&out),
        [
            "date=2021-10-01 event=role_change department=hr",
            "date=2022-04-01 event=promotion grade=2",
        ]
    );
}

#[test]
fn a_blank_cell_clears_the_field_when_blank_is_cleared() {
    // a full-state row with a blank: the field is emptied, which the
    // contract cannot say of a required field or of the manager
    let out = run(
        "blank-cleared",
        &job_mapping("blank = \"cleared\"", SPARSE_COLUMNS, ""),
        &[
            ("master.csv", MASTER.as_bytes()),
            ("job.csv", SPARSE.as_bytes()),
        ],
    );
    // one rejection per field emptied, each keeping the earlier value
    let got: Vec<(u64, &str)> = out
        .rejections
        .iter()
        .map(|r| (r.line, r.column.as_deref().unwrap_or("")))
        .collect();
    assert_eq!(
        got,
        [
            (3, "grade"),
            (3, "responsibility"),
            (3, "employment_type"),
            (3, "weekly_hours"),
            (3, "manager_id"),
            (4, "responsibility"),
            (4, "employment_type"),
            (4, "weekly_hours"),
            (4, "department"),
            (4, "manager_id"),
        ]
    );
    assert_eq!(
        out.rejections[0].to_string(),
        "job.csv line 3, column \"grade\", value \"\": grade is cleared here, but the contract keeps a value until it changes; the earlier value is kept"
    );
    assert_eq!(
        events(&out),
        [
            "date=2021-10-01 event=role_change department=hr",
            "date=2022-04-01 event=promotion grade=2",
        ]
    );
    assert_eq!(out.report.clears_refused, 10);
}

#[test]
fn a_clear_token_clears_an_optional_field_only_where_written() {
    // Oracle HDL: blank = unchanged, `#NULL` = cleared
    let job = "\
id,effective,grade,level,dept,manager,contract,hours
E1,2020-04-01,1,0,sales,M1,regular,40
E1,2021-10-01,,,hr,#NULL,,
";
    let mapping = format!(
        "[settings]\nclear_token = \"#NULL\"\n{}",
        job_mapping("", SPARSE_COLUMNS, "")
    );
    let out = run(
        "clear-token",
        &mapping,
        &[
            ("master.csv", MASTER.as_bytes()),
            ("job.csv", job.as_bytes()),
        ],
    );
    assert_eq!(
        rejections(&out),
        ["job.csv line 3, column \"manager_id\", value \"\": manager_id is cleared here, but the contract keeps a value until it changes; the earlier value is kept"]
    );
    assert_eq!(
        events(&out),
        ["date=2021-10-01 event=role_change department=hr"]
    );
}

#[test]
fn an_end_of_time_date_means_no_end() {
    let master = "\
id,sex,hired,left
E1,F,2020-04-01,4712/12/31
E2,M,2020-04-01,9999-12-31
E3,M,2020-04-01,2023-09-30
";
    let job = "\
id,effective,grade,level,contract,hours
E1,2020-04-01,1,0,regular,40
E2,2020-04-01,1,0,regular,40
E3,2020-04-01,1,0,regular,40
";
    let leaves = "\
id,type,from,to
E1,maternity,2022-01-10,4712-12-31
";
    let mapping = r#"
[master]
file = "master.csv"
columns = { employee_id = "id", gender = "sex", hire_date = "hired", exit_date = "left" }
[[history]]
file = "job.csv"
columns = { employee_id = "id", date = "effective", grade = "grade", responsibility = "level", employment_type = "contract", weekly_hours = "hours" }
[[leaves]]
file = "leaves.csv"
columns = { employee_id = "id", leave_type = "type", start = "from", end = "to" }
"#;
    let out = run(
        "end-of-time",
        mapping,
        &[
            ("master.csv", master.as_bytes()),
            ("job.csv", job.as_bytes()),
            ("leaves.csv", leaves.as_bytes()),
        ],
    );
    assert_eq!(rejections(&out), Vec::<String>::new());
    let emp = employees(&out);
    assert!(!emp[0].contains("exit_date"), "{emp:?}");
    assert!(!emp[1].contains("exit_date"), "{emp:?}");
    assert!(emp[2].contains("exit_date=2023-09-30"), "{emp:?}");
    // a leave with no end yet: it starts and stays open
    assert_eq!(
        events(&out),
        ["date=2022-01-10 event=leave_start leave_type=maternity"]
    );
}

#[test]
fn a_leave_end_is_read_as_the_last_day_or_the_first_day_back() {
    let leaves = "\
id,type,from,to
E1,maternity,2022-01-10,2022-03-31
";
    let mapping = |end_is: &str| {
        format!(
            r#"
[master]
file = "master.csv"
columns = {{ employee_id = "id", gender = "sex", hire_date = "hired", grade = "g", responsibility = "r", employment_type = "t", weekly_hours = "h" }}
[[leaves]]
file = "leaves.csv"
end_is = "{end_is}"
columns = {{ employee_id = "id", leave_type = "type", start = "from", end = "to" }}
"#
        )
    };
    let master = "id,sex,hired,g,r,t,h\nE1,F,2020-04-01,1,0,regular,40\n";
    let files: [(&str, &[u8]); 2] = [
        ("master.csv", master.as_bytes()),
        ("leaves.csv", leaves.as_bytes()),
    ];
    let last_day = run("leave-last-day", &mapping("last_day"), &files);
    assert_eq!(
        events(&last_day),
        [
            "date=2022-01-10 event=leave_start leave_type=maternity",
            "date=2022-04-01 event=leave_end leave_type=maternity",
        ]
    );
    let first_back = run("leave-first-back", &mapping("first_day_back"), &files);
    assert_eq!(
        events(&first_back),
        [
            "date=2022-01-10 event=leave_start leave_type=maternity",
            "date=2022-03-31 event=leave_end leave_type=maternity",
        ]
    );
    // a leave that ends on its first day, read as a first day back, is empty
    let empty = "id,type,from,to\nE1,maternity,2022-01-10,2022-01-10\n";
    let out = run(
        "leave-empty",
        &mapping("first_day_back"),
        &[
            ("master.csv", master.as_bytes()),
            ("leaves.csv", empty.as_bytes()),
        ],
    );
    assert_eq!(
        rejections(&out),
        ["leaves.csv line 2, value \"2022-01-10 – 2022-01-10\": a leave that ends after it starts (end_is = \"first_day_back\")"]
    );
}

#[test]
fn a_termination_row_dated_the_day_after_gives_the_last_day() {
    let job = "\
id,effective,ev,grade,level,contract,hours
E1,2020-04-01,H,1,0,regular,40
E1,2024-07-01,26,,,,
";
    let codes = r#"
[history.codes.event]
H = "hire"
26 = { kind = "exit", exit_reason = "voluntary" }
"#;
    let columns = r#"
employee_id = "id"
date = "effective"
event = "ev"
grade = "grade"
responsibility = "level"
employment_type = "contract"
weekly_hours = "hours"
"#;
    let out = run(
        "termination",
        &job_mapping("exit_date_is = \"day_after\"", columns, codes),
        &[
            ("master.csv", MASTER.as_bytes()),
            ("job.csv", job.as_bytes()),
        ],
    );
    assert_eq!(rejections(&out), Vec::<String>::new());
    assert_eq!(
        employees(&out),
        ["employee_id=E1 gender=F hire_date=2020-04-01 exit_date=2024-06-30 exit_reason=voluntary grade=1 responsibility=0 employment_type=regular weekly_hours=40"]
    );
}

#[test]
fn a_promotion_code_without_a_grade_rise_is_rejected_and_the_row_after_it_applies() {
    // line 3: coded promotion, same grade; line 4: a leave starts on the day
    // the department changes; line 5: back
    let job = "\
id,effective,ev,status,grade,level,dept,contract,hours
E1,2020-04-01,H,A,1,0,sales,regular,40
E1,2021-04-01,P,A,1,1,sales,regular,40
E1,2022-04-01,C,L,1,0,hr,regular,40
E1,2023-04-01,C,A,1,0,hr,regular,40
";
    let codes = r#"
[history.codes.event]
H = "hire"
P = "promotion"
C = "change"
[history.codes.status]
A = "active"
L = "maternity"
"#;
    let columns = r#"
employee_id = "id"
date = "effective"
event = "ev"
status = "status"
grade = "grade"
responsibility = "level"
department = "dept"
employment_type = "contract"
weekly_hours = "hours"
"#;
    let out = run(
        "promotion-no-rise",
        &job_mapping("", columns, codes),
        &[
            ("master.csv", MASTER.as_bytes()),
            ("job.csv", job.as_bytes()),
        ],
    );
    assert_eq!(
        rejections(&out),
        ["job.csv line 3, value \"1\": the code says promotion, but the grade does not rise (from Some(1) to Some(1))"]
    );
    // the rejected row changed nothing: line 4 drops no level; on its day
    // the department change comes before the leave starts
    assert_eq!(
        events(&out),
        [
            "date=2022-04-01 event=role_change department=hr",
            "date=2022-04-01 event=leave_start leave_type=maternity",
            "date=2023-04-01 event=leave_end leave_type=maternity",
        ]
    );
}

#[test]
fn cp932_bytes_with_japanese_headers_are_read() {
    let text = "社員番号,性別,入社年月日,等級,役職,雇用形態,週所定労働時間\r\n101,女性,令和2年4月1日,１,0,正社員,４０\r\n";
    let (bytes, _, bad) = encoding_rs::SHIFT_JIS.encode(text);
    assert!(!bad && std::str::from_utf8(&bytes).is_err());
    let mapping = |encoding: &str| {
        format!(
            r#"
[master]
file = "従業員.csv"
encoding = "{encoding}"
[master.columns]
employee_id = "社員番号"
gender = "性別"
hire_date = "入社年月日"
grade = "等級"
responsibility = "役職"
employment_type = "雇用形態"
weekly_hours = "週所定労働時間"
[master.codes.gender]
"女性" = "F"
"男性" = "M"
[master.codes.employment_type]
"正社員" = "regular"
"#
        )
    };
    for enc in ["auto", "cp932", "shift_jis"] {
        let out = run(
            &format!("cp932-{enc}"),
            &mapping(enc),
            &[("従業員.csv", &bytes)],
        );
        assert_eq!(rejections(&out), Vec::<String>::new(), "{enc}");
        assert_eq!(out.report.files[0].encoding, "Shift_JIS");
        assert_eq!(
            employees(&out),
            ["employee_id=101 gender=F hire_date=2020-04-01 grade=1 responsibility=0 employment_type=regular weekly_hours=40"]
        );
    }
    // read as UTF-8, the same bytes are an error naming the line
    let err = import(
        &Mapping::from_toml(&mapping("utf-8")).unwrap(),
        &PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("pitfall-cp932-auto"),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "従業員.csv line 1: bytes that are not valid UTF-8; set `encoding` for this file in the mapping"
    );
}

#[test]
fn a_rejection_names_its_own_line_in_crlf_files_and_after_blank_lines() {
    // As Excel saves it: CRLF, a blank line, a quoted cell with a line
    // break. Lines counted by hand: header 1, 101 on 2, blank 3, 102 on 4,
    // 103 on 5-6, 104 on 7. csv's own record positions name 2, 4 and 6
    // for the rows on 4, 5 and 7.
    let text = "社員番号,性別,入社年月日,備考\r\n\
                101,女性,2020-04-01,\r\n\
                \r\n\
                102,不明,2020-04-01,\r\n\
                103,不明,2020-04-01,\"二行の\r\n備考\"\r\n\
                104,不明,2020-04-01,\r\n";
    let mapping = r#"
[master]
file = "従業員.csv"
[master.columns]
employee_id = "社員番号"
gender = "性別"
hire_date = "入社年月日"
[master.codes.gender]
"女性" = "F"
"#;
    let out = run("crlf-lines", mapping, &[("従業員.csv", text.as_bytes())]);
    let lines: Vec<u64> = out
        .rejections
        .iter()
        .filter(|r| r.column.as_deref() == Some("性別"))
        .map(|r| r.line)
        .collect();
    assert_eq!(lines, [4, 5, 7], "{:#?}", rejections(&out));
}

#[test]
fn every_date_form_and_full_width_digits_give_the_same_days() {
    // one employee per form, each hired on 1 April 2024 (full-width digits
    // and separators as Japanese Excel files write them)
    let forms = [
        "2024-04-01",
        "2024/4/1",
        "20240401",
        "2024年4月1日",
        "令和6年4月1日",
        "R6.4.1",
        "Ｒ６．４．１",
        "２０２４／０４／０１",
        "04/01/2024",
        "/Date(1711929600000)/",
        "45383",
    ];
    let mut master = String::from("id,sex,hired,g,r,t,h\n");
    for (i, f) in forms.iter().enumerate() {
        master.push_str(&format!("E{i},F,{f},３,0,regular,４０\n"));
    }
    let mapping = r#"
[settings]
dates = ["ymd", "wareki", "%m/%d/%Y", "odata", "excel"]
[master]
file = "master.csv"
columns = { employee_id = "id", gender = "sex", hire_date = "hired", grade = "g", responsibility = "r", employment_type = "t", weekly_hours = "h" }
"#;
    let out = run("dates", mapping, &[("master.csv", master.as_bytes())]);
    assert_eq!(rejections(&out), Vec::<String>::new());
    assert_eq!(out.employees.len(), forms.len());
    for e in &out.employees {
        assert_eq!(
            (e.hire_date.to_string(), e.grade, e.weekly_hours),
            ("2024-04-01".to_string(), Some(3), Some(40.0)),
            "{e:?}"
        );
    }
    // a form not listed in [settings] dates is a rejection that lists them
    let bad = "id,sex,hired,g,r,t,h\nE1,F,1 April 2024,1,0,regular,40\n";
    let out = run("dates-bad", mapping, &[("master.csv", bad.as_bytes())]);
    assert_eq!(
        rejections(&out),
        ["master.csv line 2, column \"hired\", value \"1 April 2024\": a date in one of the forms ymd (2024-04-01, 2024/4/1, 20240401, 2024年4月1日), wareki (令和6年4月1日, R6.4.1), %m/%d/%Y, odata (/Date(ms)/), excel (a serial day number)"]
    );
}

#[test]
fn an_unknown_code_is_a_rejection_never_a_default() {
    let job = "\
id,effective,ev,reason,grade,level,contract,hours
E1,2020-04-01,H,NEW,1,0,regular,40
E1,2022-04-01,5,REORG,1,1,regular,40
E1,2023-04-01,5,XYZ,1,2,regular,40
";
    let columns = r#"
employee_id = "id"
date = "effective"
event = ["ev", "reason"]
grade = "grade"
responsibility = "level"
employment_type = "contract"
weekly_hours = "hours"
"#;
    let codes = r#"
[history.codes.event]
"H|*" = "hire"
"5|REORG" = { kind = "change", initiated_by = "employer" }
"#;
    let mapping = job_mapping("", columns, codes);
    let files: [(&str, &[u8]); 2] = [
        ("master.csv", MASTER.as_bytes()),
        ("job.csv", job.as_bytes()),
    ];
    let out = run("unknown-code", &mapping, &files);
    assert_eq!(
        rejections(&out),
        ["job.csv line 4, column \"ev|reason\", value \"5|XYZ\": \"5|XYZ\" is not in [history[0].codes.event]: add it there"]
    );
    assert_eq!(
        events(&out),
        ["date=2022-04-01 event=role_change responsibility=1 initiated_by=employer"]
    );
    assert_eq!(out.report.unmapped_codes["history[0].event"]["5|XYZ"], 1);
    // the suggestion stub lists it to fill in
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("pitfall-unknown-code");
    let stub = suggest(&Mapping::from_toml(&mapping).unwrap(), &dir).unwrap();
    assert!(
        stub.contains("[history.codes.event]\n\"5|XYZ\" = \"\"  # 1 rows"),
        "{stub}"
    );
}

#[test]
fn a_missing_snapshot_month_is_reported_and_changes_carry_their_interval() {
    let snaps = "\
as_of,id,sex,hired,grade,level,contract,hours,status
2024-01-31,E1,F,2020-04-01,1,0,regular,40,active
2024-02-29,E1,F,2020-04-01,1,0,regular,40,active
2024-04-30,E1,F,2020-04-01,2,0,regular,40,active
2024-05-31,E1,F,2020-04-01,2,0,regular,40,maternity
2024-06-30,E1,F,2020-04-01,2,0,regular,40,maternity
2024-07-31,E1,F,2020-04-01,2,0,part_time,20,active
";
    let mapping = r#"
[snapshots]
file = "snaps.csv"
[snapshots.columns]
date = "as_of"
employee_id = "id"
gender = "sex"
hire_date = "hired"
grade = "grade"
responsibility = "level"
employment_type = "contract"
weekly_hours = "hours"
status = "status"
"#;
    let out = run("snapshots", mapping, &[("snaps.csv", snaps.as_bytes())]);
    assert_eq!(rejections(&out), Vec::<String>::new());
    let s = out.report.snapshots.as_ref().unwrap();
    assert_eq!(s.missing_periods, ["2024-03"]);
    assert_eq!(s.snapshot_dates, 6);
    // each change dated to the snapshot where it first shows, with the day
    // after the previous snapshot as its earliest date
    assert_eq!(
        events(&out),
        [
            "date=2024-04-30 event=promotion grade=2 date_earliest=2024-03-01",
            "date=2024-05-31 event=leave_start leave_type=maternity date_earliest=2024-05-01",
            "date=2024-07-31 event=leave_end leave_type=maternity date_earliest=2024-07-01",
            "date=2024-07-31 event=employment_change employment_type=part_time date_earliest=2024-07-01",
            "date=2024-07-31 event=hours_change weekly_hours=20 date_earliest=2024-07-01",
        ]
    );
    assert_eq!(out.report.dates.interval, 5);
    assert_eq!(out.report.dates.widest_interval_days, 61);
}

/// The fenced blocks of `docs/import.md` with the given info string, in order.
fn doc_blocks(lang: &str) -> Vec<String> {
    let doc = include_str!("../docs/import.md");
    let mut out = Vec::new();
    let mut cur: Option<String> = None;
    for line in doc.lines() {
        match &mut cur {
            None if line == format!("```{lang}") => cur = Some(String::new()),
            Some(b) if line == "```" => {
                out.push(std::mem::take(b));
                cur = None;
            }
            Some(b) => {
                b.push_str(line);
                b.push('\n');
            }
            None => {}
        }
    }
    out
}

#[test]
fn every_mapping_in_the_import_docs_parses() {
    let blocks = doc_blocks("toml");
    assert_eq!(blocks.len(), 5);
    for b in blocks {
        if let Err(e) = Mapping::from_toml(&b) {
            panic!("{e}\n{b}");
        }
    }
}

#[test]
fn the_docs_sap_example_gives_what_the_docs_say() {
    // the job rows and the mapping as printed; the other files empty
    let job = doc_blocks("text")
        .into_iter()
        .find(|b| b.starts_with("user-id,start-date"))
        .unwrap();
    let mapping = doc_blocks("toml").remove(0);
    let out = run(
        "docs-sap",
        &mapping,
        &[
            ("job_information.csv", job.as_bytes()),
            (
                "per_person.csv",
                b"person-id-external,gender,date-of-birth\nE1,F,/Date(334368000000)/\n",
            ),
            (
                "compensation.csv",
                b"user-id,start-date,seq-number,paycompvalue\n",
            ),
            ("performance.csv", b"user-id,review-date,rating\n"),
            (
                "employee_time.csv",
                b"user-id,time-type,start-date,end-date\n",
            ),
            (
                "dependents.csv",
                b"user-id,relationship-type,date-of-birth\n",
            ),
        ],
    );
    assert_eq!(rejections(&out), Vec::<String>::new());
    assert_eq!(
        employees(&out),
        ["employee_id=E1 gender=F birth_year=1980 hire_date=2019-04-01 exit_date=2024-06-30 exit_reason=voluntary department=sales grade=2 responsibility=0 manager_id=M7 employment_type=regular weekly_hours=40"]
    );
    assert_eq!(
        events(&out),
        [
            "date=2022-04-01 event=promotion grade=3 responsibility=1",
            "date=2023-10-01 event=role_change responsibility=0 manager_id=M9 initiated_by=employer",
            "date=2023-10-01 event=employment_change initiated_by=employee employment_type=part_time",
            "date=2023-10-01 event=hours_change initiated_by=employee weekly_hours=30",
        ]
    );
}

#[test]
fn an_employee_whose_state_at_hire_is_incomplete_is_rejected_row_by_row() {
    // no responsibility anywhere for E1: every row of hers is rejected,
    // the first naming the field, the others pointing to it; E2 imports
    let job = "\
id,sex,effective,grade,contract,hours
E1,F,2020-04-01,1,regular,40
E1,,2022-04-01,2,,
E2,M,2020-04-01,1,regular,40
";
    let level = "id,effective,level\nE2,2020-04-01,0\n";
    let mapping = r#"
[[history]]
file = "job.csv"
columns = { employee_id = "id", gender = "sex", date = "effective", grade = "grade", employment_type = "contract", weekly_hours = "hours" }
[[history]]
file = "level.csv"
columns = { employee_id = "id", date = "effective", responsibility = "level" }
"#;
    let out = run(
        "incomplete",
        mapping,
        &[("job.csv", job.as_bytes()), ("level.csv", level.as_bytes())],
    );
    assert_eq!(
        rejections(&out),
        [
            "job.csv line 2, column \"responsibility\", value \"\": responsibility: no value on the hire date 2020-04-01",
            "job.csv line 3, value \"E1\": employee E1 could not be imported (see job.csv line 2)",
        ]
    );
    assert_eq!(out.employees.len(), 1);
    assert_eq!(&*out.employees[0].employee_id, "E2");
    let f = &out.report.files[0];
    assert_eq!((f.rows, f.accepted, f.rejected), (3, 1, 2));
}

#[test]
fn rows_of_employees_missing_from_the_master_or_not_imported_are_each_rejected_in_their_file() {
    // E1's second master row, E3 (no master row) in two history files, E2
    // (no responsibility at hire) and leave rows of E2 and of E9 (in no
    // file but the leaves): each rejection names its own file and line,
    // and each file's counts add up
    let master = "id,sex,hired\nE1,F,2020-04-01\nE2,F,2020-04-01\nE1,M,2019-04-01\n";
    let job = "\
id,effective,grade,level,contract,hours
E1,2020-04-01,1,0,regular,40
E3,2020-04-01,1,0,regular,40
E2,2020-04-01,1,,regular,40
E1,2022-04-01,2,0,regular,40
";
    let ratings = "id,effective,rating\nE3,2021-03-31,3\nE1,2021-03-31,4\nE2,2021-03-31,2\n";
    let leaves = "\
id,type,from,to
E9,maternity,2021-05-01,2021-12-31
E2,maternity,2021-05-01,2021-12-31
E1,maternity,2023-05-01,2023-12-31
";
    let mapping = r#"
[master]
file = "master.csv"
columns = { employee_id = "id", gender = "sex", hire_date = "hired" }
[[history]]
file = "job.csv"
columns = { employee_id = "id", date = "effective", grade = "grade", responsibility = "level", employment_type = "contract", weekly_hours = "hours" }
[[history]]
file = "ratings.csv"
columns = { employee_id = "id", date = "effective", rating = "rating" }
[[leaves]]
file = "leaves.csv"
columns = { employee_id = "id", leave_type = "type", start = "from", end = "to" }
"#;
    let out = run(
        "unknown-employees",
        mapping,
        &[
            ("master.csv", master.as_bytes()),
            ("job.csv", job.as_bytes()),
            ("ratings.csv", ratings.as_bytes()),
            ("leaves.csv", leaves.as_bytes()),
        ],
    );
    assert_eq!(
        rejections(&out),
        [
            "master.csv line 4, value \"E1\": a second master row for employee E1 (the first is on line 2): one row per employee",
            "job.csv line 3, value \"E3\": employee E3 is not in the master file",
            "ratings.csv line 2, value \"E3\": employee E3 is not in the master file",
            "job.csv line 4, column \"responsibility\", value \"\": responsibility: no value on the hire date 2020-04-01",
            "master.csv line 3, value \"E2\": employee E2 could not be imported (see job.csv line 4)",
            "ratings.csv line 4, value \"E2\": employee E2 could not be imported (see job.csv line 4)",
            "leaves.csv line 2, value \"E9\": employee E9 is in no master, history or snapshot file",
            "leaves.csv line 3, value \"E2\": employee E2 could not be imported (see the rejections of their other rows)",
        ]
    );
    assert_eq!(employees(&out).len(), 1);
    assert_eq!(
        events(&out),
        [
            "date=2021-03-31 event=evaluation rating=4",
            "date=2022-04-01 event=promotion grade=2",
            "date=2023-05-01 event=leave_start leave_type=maternity",
            "date=2024-01-01 event=leave_end leave_type=maternity",
        ]
    );
    let counts: Vec<(u64, u64, u64)> = out
        .report
        .files
        .iter()
        .map(|f| (f.rows, f.accepted, f.rejected))
        .collect();
    assert_eq!(counts, [(3, 1, 2), (4, 2, 2), (3, 1, 2), (3, 1, 2)]);
}
