//! The contract's "What bad input gets" rules, one test each, with the exact
//! line, column and rule of every rejection (hand-built inputs; line numbers
//! counted by hand: header = line 1).

use chrono::NaiveDate;
use mommytrack::config::{Config, ValidConfig};
use mommytrack::Error;
use mommytrack::{Dataset, RejectionKind, Table};

const EMP_HEADER: &str = "employee_id,gender,birth_year,hire_date,exit_date,exit_reason,department,grade,responsibility,track,manager_id,employment_type,weekly_hours,salary";
const EV_HEADER: &str = "employee_id,date,event,leave_type,grade,responsibility,track,department,manager_id,initiated_by,rating,employment_type,weekly_hours,salary";

/// Two good employees: e1 (hired 2018-04-01, still employed), e2 (2018-04-01 to 2022-03-31).
fn employees(extra: &[&str]) -> String {
    let mut s = format!(
        "{EMP_HEADER}\n\
         e1,F,1990,2018-04-01,,,sales,2,3,career,m1,regular,40,4000000\n\
         e2,M,1988,2018-04-01,2022-03-31,voluntary,sales,2,3,career,m1,regular,40,4000000\n"
    );
    for line in extra {
        s.push_str(line);
        s.push('\n');
    }
    s
}

fn events(rows: &[&str]) -> String {
    let mut s = format!("{EV_HEADER}\n");
    for line in rows {
        s.push_str(line);
        s.push('\n');
    }
    s
}

fn ingest_with(emp: &str, ev: &str, config: &ValidConfig) -> Dataset {
    Dataset::builder(config)
        .from_readers(emp.as_bytes(), ev.as_bytes())
        .expect("ingest")
}

fn ingest(emp: &str, ev: &str) -> Dataset {
    ingest_with(emp, ev, &ValidConfig::default())
}

/// The (file, line, column, kind) of every rejection.
fn rejections(data: &Dataset) -> Vec<(Table, u64, Option<String>, RejectionKind)> {
    data.report
        .rejections
        .iter()
        .map(|r| (r.file, r.line, r.column.clone(), r.kind))
        .collect()
}

fn one(
    table: Table,
    line: u64,
    column: &str,
    kind: RejectionKind,
) -> Vec<(Table, u64, Option<String>, RejectionKind)> {
    let column = (!column.is_empty()).then(|| column.to_string());
    vec![(table, line, column, kind)]
}

fn assert_balanced(data: &Dataset) {
    for t in [&data.report.employees, &data.report.events] {
        assert_eq!(
            t.rows_read,
            t.accepted + t.rejected + t.duplicates_dropped,
            "{t:?}"
        );
    }
}

fn employee_rule(row: &str, column: &str, kind: RejectionKind) {
    let data = ingest(&employees(&[row]), &events(&[]));
    assert_eq!(
        rejections(&data),
        one(Table::Employees, 4, column, kind),
        "{row}"
    );
    assert_eq!(data.timelines.len(), 2);
    assert_balanced(&data);
}

fn event_rule(rows: &[&str], line: u64, column: &str, kind: RejectionKind) {
    let data = ingest(&employees(&[]), &events(rows));
    assert_eq!(
        rejections(&data),
        one(Table::Events, line, column, kind),
        "{rows:?}"
    );
    assert_eq!(data.report.events.accepted, rows.len() as u64 - 1);
    assert_balanced(&data);
}

#[test]
fn employee_values_that_do_not_parse_are_rejected() {
    use RejectionKind::*;
    employee_rule(
        "e3,F,1990,2018-02-30,,,sales,2,3,,,regular,40,",
        "hire_date",
        Unparsable,
    );
    employee_rule(
        "e3,female,1990,2018-04-01,,,sales,2,3,,,regular,40,",
        "gender",
        Unparsable,
    );
    employee_rule(
        "e3,F,19x0,2018-04-01,,,sales,2,3,,,regular,40,",
        "birth_year",
        Unparsable,
    );
    employee_rule(
        "e3,F,1990,2018-04-01,,,sales,two,3,,,regular,40,",
        "grade",
        Unparsable,
    );
    employee_rule(
        "e3,F,1990,2018-04-01,,,sales,2,3,,,permanent,40,",
        "employment_type",
        Unparsable,
    );
    employee_rule(
        "e3,F,1990,2018-04-01,,fired,sales,2,3,,,regular,40,",
        "exit_reason",
        Unparsable,
    );
    employee_rule(
        "e3,F,1990,2018/04/01,,,sales,2,3,,,regular,40,",
        "hire_date",
        Unparsable,
    );
}

#[test]
fn employee_values_out_of_range_are_rejected() {
    use RejectionKind::*;
    employee_rule(
        "e3,F,1990,2018-04-01,,,sales,-1,3,,,regular,40,",
        "grade",
        OutOfRange,
    );
    employee_rule(
        "e3,F,1990,2018-04-01,,,sales,2,10,,,regular,40,",
        "responsibility",
        OutOfRange,
    );
    employee_rule(
        "e3,F,1990,2018-04-01,,,sales,2,3,,,regular,0,",
        "weekly_hours",
        OutOfRange,
    );
    employee_rule(
        "e3,F,1990,2018-04-01,,,sales,2,3,,,regular,40,-1",
        "salary",
        OutOfRange,
    );
    let long_id = format!(
        "{},F,1990,2018-04-01,,,sales,2,3,,,regular,40,",
        "x".repeat(65)
    );
    employee_rule(&long_id, "employee_id", OutOfRange);
    employee_rule(
        "e3,F,1990,2018-04-01,2018-03-31,,sales,2,3,,,regular,40,",
        "exit_date",
        ExitBeforeHire,
    );
}

#[test]
fn employee_required_fields_and_repeated_ids() {
    use RejectionKind::*;
    employee_rule(
        ",F,1990,2018-04-01,,,sales,2,3,,,regular,40,",
        "employee_id",
        MissingField,
    );
    employee_rule(
        "e3,,1990,2018-04-01,,,sales,2,3,,,regular,40,",
        "gender",
        MissingField,
    );
    employee_rule(
        "e3,F,1990,,,,sales,2,3,,,regular,40,",
        "hire_date",
        MissingField,
    );
    employee_rule(
        "e3,F,1990,2018-04-01,,,sales,2,,,,regular,40,",
        "responsibility",
        MissingField,
    );
    employee_rule(
        "e3,F,1990,2018-04-01,,,sales,2,3,,,,40,",
        "employment_type",
        MissingField,
    );
    employee_rule(
        "e3,F,1990,2018-04-01,,,sales,2,3,,,regular,,",
        "weekly_hours",
        MissingField,
    );
    // The first row of a repeated id is kept.
    let data = ingest(
        &employees(&["e1,M,1970,2010-04-01,,,hr,5,5,,,regular,40,"]),
        &events(&[]),
    );
    assert_eq!(
        rejections(&data),
        one(Table::Employees, 4, "employee_id", DuplicateEmployee)
    );
    assert_eq!(
        data.timelines[0].employee().gender,
        mommytrack::schema::Gender::Female
    );
}

#[test]
fn event_values_that_do_not_parse_or_are_out_of_range() {
    use RejectionKind::*;
    event_rule(
        &[
            "e1,2019-03-31,evaluation,,,,,,,,4,,,",
            "e1,2019-13-31,evaluation,,,,,,,,4,,,",
        ],
        3,
        "date",
        Unparsable,
    );
    event_rule(
        &[
            "e1,2019-03-31,evaluation,,,,,,,,4,,,",
            "e1,2019-03-31,vacation,,,,,,,,,,,",
        ],
        3,
        "event",
        Unparsable,
    );
    event_rule(
        &[
            "e1,2019-03-31,evaluation,,,,,,,,4,,,",
            "e1,2020-03-31,evaluation,,,,,,,,6,,,",
        ],
        3,
        "rating",
        OutOfRange,
    );
    event_rule(
        &[
            "e1,2019-03-31,evaluation,,,,,,,,good,,,",
            "e1,2020-03-31,evaluation,,,,,,,,4,,,",
        ],
        2,
        "rating",
        Unparsable,
    );
    event_rule(
        &[
            "e1,2019-03-31,evaluation,,,,,,,,4,,,",
            "e1,2020-01-01,leave_start,holiday,,,,,,,,,,",
        ],
        3,
        "leave_type",
        Unparsable,
    );
    event_rule(
        &[
            "e1,2019-03-31,evaluation,,,,,,,,4,,,",
            "e1,2020-01-01,hours_change,,,,,,,,,,-3,",
        ],
        3,
        "weekly_hours",
        OutOfRange,
    );
    event_rule(
        &[
            "e1,2019-03-31,evaluation,,,,,,,,4,,,",
            "e1,2020-01-01,role_change,,,12,,,,,,,,",
        ],
        3,
        "responsibility",
        OutOfRange,
    );
    event_rule(
        &[
            "e1,2019-03-31,evaluation,,,,,,,,4,,,",
            "e1,2020-01-01,hours_change,,,,,,,boss,,,30,",
        ],
        3,
        "initiated_by",
        Unparsable,
    );
}

#[test]
fn event_required_fields() {
    use RejectionKind::*;
    let good = "e1,2019-03-31,evaluation,,,,,,,,4,,,";
    event_rule(
        &[good, "e1,2020-01-01,leave_start,,,,,,,,,,,"],
        3,
        "leave_type",
        MissingField,
    );
    event_rule(
        &[good, "e1,2020-01-01,promotion,,,,,,,,,,,"],
        3,
        "grade",
        MissingField,
    );
    event_rule(
        &[good, "e1,2020-01-01,evaluation,,,,,,,,,,,"],
        3,
        "rating",
        MissingField,
    );
    event_rule(
        &[good, "e1,2020-01-01,employment_change,,,,,,,,,,,"],
        3,
        "employment_type",
        MissingField,
    );
    event_rule(
        &[good, "e1,2020-01-01,hours_change,,,,,,,,,,,"],
        3,
        "weekly_hours",
        MissingField,
    );
    event_rule(
        &[good, "e1,2020-01-01,salary_change,,,,,,,,,,,"],
        3,
        "salary",
        MissingField,
    );
    event_rule(
        &[good, "e1,2020-01-01,role_change,,,,,,,employer,,,,"],
        3,
        "",
        MissingField,
    );
    event_rule(
        &[good, ",2020-01-01,evaluation,,,,,,,,3,,,"],
        3,
        "employee_id",
        MissingField,
    );
    event_rule(
        &[good, "e1,,evaluation,,,,,,,,3,,,"],
        3,
        "date",
        MissingField,
    );
}

#[test]
fn events_of_unknown_employees_or_outside_employment() {
    use RejectionKind::*;
    let good = "e1,2019-03-31,evaluation,,,,,,,,4,,,";
    event_rule(
        &[good, "e9,2020-03-31,evaluation,,,,,,,,4,,,"],
        3,
        "employee_id",
        UnknownEmployee,
    );
    event_rule(
        &[good, "e1,2018-03-31,evaluation,,,,,,,,4,,,"],
        3,
        "date",
        BeforeHire,
    );
    event_rule(
        &[good, "e2,2022-04-01,evaluation,,,,,,,,4,,,"],
        3,
        "date",
        AfterExit,
    );
    // On the exit date itself the event is within employment.
    let data = ingest(
        &employees(&[]),
        &events(&["e2,2022-03-31,evaluation,,,,,,,,4,,,"]),
    );
    assert!(data.report.rejections.is_empty());
}

#[test]
fn events_after_the_analysis_date_are_rejected() {
    let mut c = Config::default();
    c.ingest.as_of = NaiveDate::from_ymd_opt(2020, 12, 31);
    let config = c.validate().unwrap();

    let data = ingest_with(
        &employees(&[]),
        &events(&[
            "e1,2020-12-31,evaluation,,,,,,,,4,,,",
            "e1,2021-01-01,evaluation,,,,,,,,4,,,",
        ]),
        &config,
    );
    assert_eq!(
        rejections(&data),
        one(Table::Events, 3, "date", RejectionKind::AfterAnalysisDate)
    );
    assert_eq!(data.as_of(), NaiveDate::from_ymd_opt(2020, 12, 31).unwrap());
    // Without a configured date, the latest date in the input is the analysis date.
    let data = ingest(
        &employees(&[]),
        &events(&["e1,2024-06-30,evaluation,,,,,,,,4,,,"]),
    );
    assert_eq!(data.as_of(), NaiveDate::from_ymd_opt(2024, 6, 30).unwrap());
    assert!(!data.report.as_of_configured);
}

#[test]
fn leave_sequence_rules() {
    use RejectionKind::*;
    // A leave_end with no open leave (line 2), then a good leave.
    event_rule(
        &[
            "e1,2019-01-10,leave_end,parental,,,,,,,,,,",
            "e1,2020-01-10,leave_start,maternity,,,,,,,,,,",
            "e1,2020-05-10,leave_end,maternity,,,,,,,,,,",
        ],
        2,
        "event",
        LeaveEndWithoutLeave,
    );
    // A leave_start while one is open; the file order differs from the date order.
    event_rule(
        &[
            "e1,2021-05-10,leave_end,maternity,,,,,,,,,,",
            "e1,2020-03-01,leave_start,medical,,,,,,,,,,",
            "e1,2020-01-10,leave_start,maternity,,,,,,,,,,",
        ],
        3,
        "event",
        LeaveStartDuringLeave,
    );
    // Return and new leave on one date: leave_end applies first, whatever the file order.
    let data = ingest(
        &employees(&[]),
        &events(&[
            "e1,2020-01-10,leave_start,maternity,,,,,,,,,,",
            "e1,2020-05-10,leave_start,parental,,,,,,,,,,",
            "e1,2020-05-10,leave_end,maternity,,,,,,,,,,",
        ]),
    );
    assert!(data.report.rejections.is_empty());
}

#[test]
fn promotion_must_raise_the_grade() {
    use RejectionKind::*;
    // e1 starts at grade 2; promotion to 3 is fine, then "promotion" to 3 again is not.
    event_rule(
        &[
            "e1,2019-04-01,promotion,,3,,,,,,,,,",
            "e1,2020-04-01,promotion,,3,,,,,,,,,",
        ],
        3,
        "grade",
        PromotionNotRaisingGrade,
    );
    // After a demotion by role_change to 1, a promotion to 2 raises the grade.
    let data = ingest(
        &employees(&[]),
        &events(&[
            "e1,2019-04-01,role_change,,1,,,,,employer,,,,",
            "e1,2020-04-01,promotion,,2,,,,,,,,,",
        ]),
    );
    assert!(data.report.rejections.is_empty());
}

#[test]
fn exact_duplicate_event_rows_are_dropped_and_counted() {
    let row = "e1,2019-03-31,evaluation,,,,,,,,4,,,";
    let data = ingest(&employees(&[]), &events(&[row, row, row]));
    let r = &data.report.events;
    assert_eq!(
        (r.rows_read, r.accepted, r.rejected, r.duplicates_dropped),
        (3, 1, 0, 2)
    );
    assert_eq!(data.timelines[0].events().len(), 1);
}

/// Duplicates out of file order and among many same-day rows: the first
/// of each in the file is kept, the events come out in timeline order.
#[test]
fn duplicates_are_found_out_of_order_and_in_large_same_day_groups() {
    // 20 distinct evaluations on one day (beyond the pairwise comparison),
    // each written twice, the copies in reverse order after an earlier date.
    let day: Vec<String> = (1..=20)
        .map(|k| format!("e1,2019-03-31,evaluation,,,,,,,,{}.{k:02},,,", 1 + k % 4))
        .collect();
    let mut rows: Vec<String> = day.clone();
    rows.push("e1,2019-01-31,evaluation,,,,,,,,3,,,".into());
    rows.extend(day.iter().rev().cloned());
    rows.push("e1,2019-01-31,evaluation,,,,,,,,3,,,".into());
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    let data = ingest(&employees(&[]), &events(&rows));
    let r = &data.report.events;
    assert_eq!(
        (r.rows_read, r.accepted, r.rejected, r.duplicates_dropped),
        (42, 21, 0, 21)
    );
    let kept: Vec<(String, u32)> = data.timelines[0]
        .events()
        .iter()
        .map(|e| (e.date.to_string(), e.line))
        .collect();
    // The January row first (line 22: header is line 1), then the day's rows
    // in file order, each from its first copy (lines 2..=21).
    let mut expected = vec![("2019-01-31".to_string(), 22)];
    expected.extend((2..=21).map(|l| ("2019-03-31".to_string(), l)));
    assert_eq!(kept, expected);
}

#[test]
fn ragged_rows_and_invalid_utf8_are_rejected_whole_or_by_column() {
    let emp = employees(&[
        "e3,F,1990",
        "e4,F,1990,2018-04-01,,,sales,2,3,,,regular,40,,extra",
    ]);
    let data = ingest(&emp, &events(&[]));
    assert_eq!(
        rejections(&data),
        vec![
            (Table::Employees, 4, None, RejectionKind::WrongFieldCount),
            (Table::Employees, 5, None, RejectionKind::WrongFieldCount),
        ]
    );
    let mut bytes = employees(&[]).into_bytes();
    bytes.extend_from_slice(b"e3,F,1990,2018-04-01,,,sal\xffes,2,3,,,regular,40,\n");
    let data = Dataset::builder(&ValidConfig::default())
        .from_readers(&bytes[..], events(&[]).as_bytes())
        .unwrap();
    assert_eq!(
        rejections(&data),
        one(
            Table::Employees,
            4,
            "department",
            RejectionKind::InvalidUtf8
        )
    );
}

#[test]
fn bom_crlf_quotes_and_unknown_columns_are_read() {
    let emp = format!(
        "\u{feff}{EMP_HEADER},note\r\ne1,F,1990,2018-04-01,,,\"sales, east\",2,3,career,m1,regular,40,4000000,\"multi\r\nline\"\r\ne2,M,1988,2018-04-01,,,hr,2,3,,,regular,40,,x\r\n"
    );
    let ev = format!("{EV_HEADER}\r\ne2,2019-03-31,evaluation,,,,,,,,4,,,\r\ne2,2019-13-31,evaluation,,,,,,,,4,,,\r\n");
    let data = ingest(&emp, &ev);
    assert_eq!(data.report.employees.accepted, 2);
    assert_eq!(
        data.report.employees.unknown_columns,
        vec!["note".to_string()]
    );
    assert_eq!(
        data.timelines[0].employee().department.as_deref(),
        Some("sales, east")
    );
    // The first employee's row spans lines 2-3, so the next is on line 4; events count from their own header.
    assert_eq!(
        rejections(&data),
        one(Table::Events, 3, "date", RejectionKind::Unparsable)
    );
}

#[test]
fn a_row_after_blank_lines_is_named_by_its_own_line() {
    // Lines counted by hand: header 1, a good row 2, blank lines 3 and 4,
    // bad rows on 5 and 6, the last with no line break after it. csv's own
    // record position would name line 3 for the row on line 5.
    for nl in ["\n", "\r\n"] {
        let ev = format!(
            "{EV_HEADER}{nl}e2,2019-03-31,evaluation,,,,,,,,4,,,{nl}{nl}{nl}\
             e2,2019-13-31,evaluation,,,,,,,,4,,,{nl}\
             e2,2019-12-32,evaluation,,,,,,,,4,,,"
        );
        let data = ingest(&employees(&[]), &ev);
        let lines: Vec<u64> = rejections(&data).iter().map(|r| r.1).collect();
        assert_eq!(lines, [5, 6], "line breaks {nl:?}");
    }
}

#[test]
fn empty_files_header_only_and_missing_columns() {
    let config = ValidConfig::default();
    let err = Dataset::builder(&config)
        .from_readers(&b""[..], events(&[]).as_bytes())
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::EmptyFile {
                table: Table::Employees
            }
        ),
        "{err}"
    );
    // Header-only tables: no row to take the analysis date from.
    let err = Dataset::builder(&config)
        .from_readers(EMP_HEADER.as_bytes(), EV_HEADER.as_bytes())
        .unwrap_err();
    assert!(matches!(err, Error::NoAnalysisDate), "{err}");
    let data = Dataset::builder(&config)
        .as_of("2024-03-31".parse().ok())
        .from_readers(EMP_HEADER.as_bytes(), EV_HEADER.as_bytes())
        .unwrap();
    assert_eq!(data.timelines.len(), 0);
    assert_eq!(data.report.employees.rows_read, 0);
    let err = Dataset::builder(&config)
        .from_readers(&b"employee_id,gender\ne1,F\n"[..], EV_HEADER.as_bytes())
        .unwrap_err();
    match &err {
        Error::MissingColumn { table, column } => {
            assert_eq!((*table, column.as_str()), (Table::Employees, "hire_date"))
        }
        other => panic!("unexpected {other}"),
    }
    assert!(err.to_string().contains("hire_date"));
    let twice = format!("{EMP_HEADER},grade\n");
    let err = Dataset::builder(&config)
        .from_readers(twice.as_bytes(), EV_HEADER.as_bytes())
        .unwrap_err();
    assert!(matches!(err, Error::DuplicateColumn { .. }), "{err}");
}

#[test]
fn strict_mode_stops_at_the_first_rejection() {
    let config = ValidConfig::default().with_strict(true);
    let emp = employees(&["e3,F,1990,2018-04-01,,,sales,two,3,,,regular,40,"]);
    let err = Dataset::builder(&config)
        .from_readers(emp.as_bytes(), events(&[]).as_bytes())
        .unwrap_err();
    match err {
        Error::Rejected(r) => {
            assert_eq!(
                (r.file, r.line, r.column.as_deref()),
                (Table::Employees, 4, Some("grade"))
            );
            assert!(r
                .to_string()
                .contains("employees line 4, column `grade`, value \"two\""));
        }
        other => panic!("unexpected {other}"),
    }
    // A clean input passes in strict mode.
    assert!(Dataset::builder(&config)
        .from_readers(employees(&[]).as_bytes(), events(&[]).as_bytes())
        .is_ok());
}

#[cfg(feature = "parquet")]
#[test]
fn dataframes_and_parquet_read_the_same_as_csv() {
    use polars::prelude::*;
    let rows = [
        "e1,2019-03-31,evaluation,,,,,,,,4,,,",
        "e1,2020-01-10,leave_start,maternity,,,,,,,,,,",
        "e1,2020-02-10,promotion,,1,,,,,,,,,",
    ];
    let csv_data = ingest(&employees(&[]), &events(&rows));
    let emp = df! {
        "employee_id" => ["e1", "e2"],
        "gender" => ["F", "M"],
        "hire_date" => ["2018-04-01", "2018-04-01"],
        "exit_date" => [None, Some("2022-03-31")],
        "department" => ["sales", "sales"],
        "grade" => [2i64, 2],
        "responsibility" => [3i64, 3],
        "track" => ["career", "career"],
        "manager_id" => ["m1", "m1"],
        "employment_type" => ["regular", "regular"],
        "weekly_hours" => [40.0f64, 40.0],
        "salary" => [4_000_000.0f64, 4_000_000.0],
        "birth_year" => [1990i64, 1988],
        "exit_reason" => [None, Some("voluntary")],
    }
    .unwrap();
    let mut ev = df! {
        "employee_id" => ["e1", "e1", "e1"],
        "date" => ["2019-03-31", "2020-01-10", "2020-02-10"],
        "event" => ["evaluation", "leave_start", "promotion"],
        "leave_type" => [None, Some("maternity"), None],
        "grade" => [None, None, Some(1i64)],
        "rating" => [Some(4.0f64), None, None],
    }
    .unwrap();
    let frame_data = Dataset::builder(&ValidConfig::default())
        .from_frames(&emp, &ev)
        .unwrap();
    assert_eq!(rejections(&frame_data), rejections(&csv_data));
    assert_eq!(
        rejections(&frame_data),
        one(
            Table::Events,
            4,
            "grade",
            RejectionKind::PromotionNotRaisingGrade
        )
    );
    let strip = |d: &Dataset| -> Vec<_> {
        d.timelines
            .iter()
            .map(|t| {
                (
                    t.employee().clone(),
                    t.events()
                        .iter()
                        .map(|e| (e.date, e.kind.clone()))
                        .collect::<Vec<_>>(),
                )
            })
            .collect()
    };
    assert_eq!(strip(&frame_data), strip(&csv_data));

    // Parquet with a real Date column.
    let dir = std::env::temp_dir().join(format!("mt-parquet-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
    let days: Vec<i32> = ["2019-03-31", "2020-01-10", "2020-02-10"]
        .iter()
        .map(|d| (NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap() - epoch).num_days() as i32)
        .collect();
    let dates = Series::new("date".into(), days)
        .cast(&DataType::Date)
        .unwrap();
    ev.with_column(dates.into_column()).unwrap();
    assert_eq!(ev.column("date").unwrap().dtype(), &DataType::Date);
    let mut emp = emp;
    for (frame, name) in [(&mut emp, "employees.parquet"), (&mut ev, "events.parquet")] {
        let file = std::fs::File::create(dir.join(name)).unwrap();
        ParquetWriter::new(file).finish(frame).unwrap();
    }
    let pq = Dataset::builder(&ValidConfig::default())
        .from_paths(dir.join("employees.parquet"), dir.join("events.parquet"))
        .unwrap();
    assert_eq!(strip(&pq), strip(&csv_data));
    assert_eq!(rejections(&pq), rejections(&csv_data));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn unreadable_files_are_errors_naming_the_path() {
    let config = ValidConfig::default();
    let err = Dataset::builder(&config)
        .from_paths("no/such/employees.csv", "no/such/events.csv")
        .unwrap_err();
    assert!(err.to_string().contains("no/such/employees.csv"), "{err}");
    let err = Dataset::builder(&config)
        .from_paths("employees.xlsx", "events.csv")
        .unwrap_err();
    assert!(matches!(err, Error::UnknownFormat { .. }));
}

/// Without the `parquet` feature a Parquet path is a clear error naming the
/// feature, not an unknown format.
#[cfg(not(feature = "parquet"))]
#[test]
fn parquet_without_the_feature_names_the_feature() {
    let config = ValidConfig::default();
    let err = Dataset::builder(&config)
        .from_paths("employees.parquet", "events.csv")
        .unwrap_err();
    assert!(
        matches!(
            &err,
            Error::FeatureDisabled {
                feature: "parquet",
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("--features parquet"), "{err}");
}

/// Found by fuzzing (fuzz target `parquet`): polars' Parquet reader panics
/// on this malformed file (a thrift bool field with no value in the column
/// statistics); the crate returns an error naming the file instead (the
/// footer's field types, checked before polars reads it, refuse it first).
#[cfg(feature = "parquet")]
#[test]
fn a_parquet_file_that_panics_polars_is_an_error() {
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let err = Dataset::builder(&ValidConfig::default())
        .from_paths(
            format!("{fixtures}/fuzz/parquet-thrift-bool-panic.parquet"),
            format!("{fixtures}/../../data-samples/events.csv"),
        )
        .unwrap_err();
    assert!(matches!(err, Error::Frame { .. }), "{err}");
    let text = err.to_string();
    assert!(
        text.contains("parquet-thrift-bool-panic.parquet")
            && text.contains(
                "not a readable Parquet file: its footer is not valid metadata: \
                 field 1 of Statistics has wire type 5, not the binary it must be"
            ),
        "{text}"
    );
}

/// Found by fuzzing (fuzz target `parquet`): a Date column holding a day
/// out of range makes polars panic when it casts the column to text; the
/// crate returns an error naming the column instead.
#[cfg(feature = "parquet")]
#[test]
fn a_parquet_date_out_of_range_is_an_error() {
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let err = Dataset::builder(&ValidConfig::default())
        .from_paths(
            format!("{fixtures}/fuzz/parquet-date-out-of-range.parquet"),
            format!("{fixtures}/../../data-samples/events.csv"),
        )
        .unwrap_err();
    assert!(matches!(err, Error::Frame { .. }), "{err}");
    let text = err.to_string();
    assert!(
        text.contains("cannot be read as text (polars failed: out-of-range date)"),
        "{text}"
    );
}

/// Found by fuzzing (fuzz target `parquet`): a footer declaring a list of
/// billions of elements made polars-parquet ask for 190 GB, and the process
/// aborted (an allocation failure cannot be caught). The footer is checked
/// before polars reads it, and the file is an error naming it.
#[cfg(feature = "parquet")]
#[test]
fn a_parquet_footer_declaring_a_huge_list_is_an_error() {
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let err = Dataset::builder(&ValidConfig::default())
        .from_paths(
            format!("{fixtures}/fuzz/parquet-huge-list-allocation.parquet"),
            format!("{fixtures}/../../data-samples/events.csv"),
        )
        .unwrap_err();
    assert!(matches!(err, Error::Frame { .. }), "{err}");
    let text = err.to_string();
    assert!(
        text.contains(
            "not a readable Parquet file: its footer is not valid metadata: a collection of"
        ),
        "{text}"
    );
}

/// Found by fuzzing (fuzz target `parquet`): a data page of column
/// `birth_year` declaring −25 values made polars-parquet 0.55 read the
/// count as an unsigned one near 2⁶⁴ and reserve that many bits, and the
/// process aborted. Every page header is checked
/// before polars decodes the pages, and the file is an error naming the
/// column.
#[cfg(feature = "parquet")]
#[test]
fn a_parquet_page_declaring_a_negative_count_is_an_error() {
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let err = Dataset::builder(&ValidConfig::default())
        .from_paths(
            format!("{fixtures}/fuzz/parquet-negative-page-count.parquet"),
            format!("{fixtures}/../../data-samples/events.csv"),
        )
        .unwrap_err();
    assert!(matches!(err, Error::Frame { .. }), "{err}");
    let text = err.to_string();
    assert!(
        text.contains("not a readable Parquet file: column birth_year, row group 0: a page declares -25 values"),
        "{text}"
    );
}

/// Found by fuzzing (fuzz target `parquet`): polars-parquet 0.55 reads a
/// footer field by its id whatever wire type it declares, so a field
/// declared as an integer where the schema list is expected was read as a
/// list header and the reader asked for 80 GB. The footer's fields are
/// checked against the types polars reads them as.
#[cfg(feature = "parquet")]
#[test]
fn a_parquet_footer_field_of_the_wrong_type_is_an_error() {
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let err = Dataset::builder(&ValidConfig::default())
        .from_paths(
            format!("{fixtures}/fuzz/parquet-field-read-as-list.parquet"),
            format!("{fixtures}/../../data-samples/events.csv"),
        )
        .unwrap_err();
    assert!(matches!(err, Error::Frame { .. }), "{err}");
    let text = err.to_string();
    assert!(
        text.contains("not a readable Parquet file: its footer is not valid metadata: field"),
        "{text}"
    );
}

/// Found by fuzzing (fuzz target `parquet`): polars-parquet 0.55 skips a
/// bool element of an unknown list field as no bytes, where it takes one,
/// and read the rest of the footer out of step until it asked for 44 GB.
/// Lists of bools (Parquet's metadata has none) are refused.
#[cfg(feature = "parquet")]
#[test]
fn a_parquet_footer_with_a_list_of_bools_is_an_error() {
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let err = Dataset::builder(&ValidConfig::default())
        .from_paths(
            format!("{fixtures}/fuzz/parquet-bool-list-out-of-step.parquet"),
            format!("{fixtures}/../../data-samples/events.csv"),
        )
        .unwrap_err();
    assert!(matches!(err, Error::Frame { .. }), "{err}");
    assert!(err.to_string().contains("a list of bools"), "{err}");
}
