//! A dirty copy of generated data: one bad row of each kind planted among
//! the good ones, with where it is and the rule it breaks.

#[allow(unused_imports)]
use super::*;
use crate::schema::{RejectionKind, Table};

/// A bad row planted in a dirty copy: where it is and which rule it breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlantedRejection {
    /// `employees` or `events`.
    pub file: Table,
    /// Line in the dirty file (header = line 1).
    pub line: u64,
    /// The column at fault; empty for the whole row.
    pub column: String,
    /// The rule it breaks.
    pub kind: RejectionKind,
}

/// A copy of a generated data set with bad rows planted among the good ones.
#[derive(Debug, Clone, PartialEq)]
pub struct DirtyCopy {
    /// The `employees` CSV, bytes (one row holds invalid UTF-8).
    pub employees_csv: Vec<u8>,
    /// The `events` CSV, bytes.
    pub events_csv: Vec<u8>,
    /// Every planted bad row, sorted by file then line.
    pub planted: Vec<PlantedRejection>,
    /// Exact duplicate event rows planted (dropped, not rejected).
    pub duplicates: u64,
}

pub(super) fn csv_lines<T: Serialize>(rows: &[T]) -> Vec<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(vec![]);
    for r in rows {
        // Writing to memory cannot fail.
        let _ = w.serialize(r);
    }
    let bytes = w.into_inner().unwrap_or_default();
    bytes
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| l.to_vec())
        .collect()
}

pub(super) fn csv_line(fields: &[&str]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(vec![]);
    let _ = w.write_record(fields);
    let mut bytes = w.into_inner().unwrap_or_default();
    bytes.pop();
    bytes
}

/// Plants one row of each kind of bad input among the good rows of `data`.
///
/// Every good row is kept unchanged, so ingesting the copy must accept
/// exactly what ingesting `data` accepts. Each planted row is spread through
/// the file at a fixed place, and its line recorded. `None` when `data`
/// has no employee to hang the bad rows on.
pub fn dirty_copy(data: &Synthetic) -> Option<DirtyCopy> {
    let first = data.employees.first()?;
    let mut emp_lines = csv_lines(&data.employees);
    let mut ev_lines = csv_lines(&data.events);
    // Employees to hang sequence errors on.
    let has_event = |id: &str, kinds: &[&str]| {
        data.events
            .iter()
            .any(|e| e.employee_id == id && kinds.contains(&e.event.as_str()))
    };
    let quiet = data
        .employees
        .iter()
        .find(|e| {
            e.exit_date.is_empty()
                && !has_event(
                    &e.employee_id,
                    &["leave_start", "leave_end", "promotion", "role_change"],
                )
        })
        .unwrap_or(first);
    let leaver = data
        .employees
        .iter()
        .find(|e| !e.exit_date.is_empty())
        .unwrap_or(first);
    let mother = data
        .events
        .iter()
        .find(|e| e.event == "leave_start" && e.leave_type == "maternity")
        .cloned()
        .unwrap_or_default();
    let shift = |d: &str, days: i64| {
        NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map(|d| (d + Duration::days(days)).to_string())
            .unwrap_or_default()
    };
    let employee = |id: &str| -> Vec<String> {
        vec![
            id.into(),
            "F".into(),
            "1990".into(),
            "2018-04-01".into(),
            "".into(),
            "".into(),
            "sales".into(),
            "2".into(),
            "2".into(),
            "career".into(),
            "M0101".into(),
            "regular".into(),
            "40".into(),
            "4000000".into(),
        ]
    };
    let with = |mut row: Vec<String>, i: usize, v: &str| {
        row[i] = v.into();
        row
    };
    let as_line = |row: Vec<String>| csv_line(&row.iter().map(|s| s.as_str()).collect::<Vec<_>>());
    let mut bad_utf8 = as_line(employee("X000010"));
    // Department field becomes invalid UTF-8.
    if let Some(pos) = bad_utf8.windows(5).position(|w| w == b"sales") {
        bad_utf8.splice(pos..pos + 5, b"sal\xff\xfees".iter().copied());
    }
    let employees_bad: Vec<(Vec<u8>, &str, RejectionKind)> = vec![
        (
            as_line(with(employee("X000001"), 3, "2019-13-01")),
            "hire_date",
            RejectionKind::Unparsable,
        ),
        (
            as_line(with(employee("X000002"), 1, "female")),
            "gender",
            RejectionKind::Unparsable,
        ),
        (
            as_line(with(employee("X000003"), 8, "12")),
            "responsibility",
            RejectionKind::OutOfRange,
        ),
        (
            as_line(with(employee("X000004"), 7, "")),
            "grade",
            RejectionKind::MissingField,
        ),
        (
            as_line(with(employee(&first.employee_id), 6, "finance")),
            "employee_id",
            RejectionKind::DuplicateEmployee,
        ),
        (
            as_line(with(employee("X000006"), 12, "0")),
            "weekly_hours",
            RejectionKind::OutOfRange,
        ),
        (
            as_line(with(employee("X000007"), 4, "2017-03-31")),
            "exit_date",
            RejectionKind::ExitBeforeHire,
        ),
        (
            csv_line(&["X000008", "M", "1985", "2019-04-01"]),
            "",
            RejectionKind::WrongFieldCount,
        ),
        (
            as_line(employee(&"Y".repeat(65))),
            "employee_id",
            RejectionKind::OutOfRange,
        ),
        (bad_utf8, "department", RejectionKind::InvalidUtf8),
        (
            as_line(with(employee("X000011"), 11, "permanent")),
            "employment_type",
            RejectionKind::Unparsable,
        ),
    ];
    let event = |id: &str, date: &str, event: &str| -> Vec<String> {
        let mut row = vec![String::new(); 14];
        row[0] = id.into();
        row[1] = date.into();
        row[2] = event.into();
        row
    };
    let duplicate = ev_lines
        .get(ev_lines.len() / 2)
        .cloned()
        .unwrap_or_default();
    let events_bad: Vec<(Vec<u8>, &str, RejectionKind)> = vec![
        (
            as_line(with(event("Z999999", "2020-05-01", "evaluation"), 10, "3")),
            "employee_id",
            RejectionKind::UnknownEmployee,
        ),
        (
            as_line(with(
                event(
                    &quiet.employee_id,
                    &shift(&quiet.hire_date, -30),
                    "evaluation",
                ),
                10,
                "3",
            )),
            "date",
            RejectionKind::BeforeHire,
        ),
        (
            as_line(with(
                event(
                    &leaver.employee_id,
                    &shift(&leaver.exit_date, 10),
                    "evaluation",
                ),
                10,
                "3",
            )),
            "date",
            RejectionKind::AfterExit,
        ),
        (
            as_line(with(
                event(
                    &quiet.employee_id,
                    &shift(&quiet.hire_date, 40),
                    "leave_end",
                ),
                3,
                "parental",
            )),
            "event",
            RejectionKind::LeaveEndWithoutLeave,
        ),
        (
            as_line(with(
                event(&mother.employee_id, &shift(&mother.date, 10), "leave_start"),
                3,
                "medical",
            )),
            "event",
            RejectionKind::LeaveStartDuringLeave,
        ),
        (
            as_line(with(
                event(
                    &quiet.employee_id,
                    &shift(&quiet.hire_date, 50),
                    "promotion",
                ),
                4,
                &quiet.grade,
            )),
            "grade",
            RejectionKind::PromotionNotRaisingGrade,
        ),
        (
            as_line(event(
                &quiet.employee_id,
                &shift(&quiet.hire_date, 60),
                "evaluation",
            )),
            "rating",
            RejectionKind::MissingField,
        ),
        (
            as_line(with(
                event(
                    &quiet.employee_id,
                    &shift(&quiet.hire_date, 61),
                    "evaluation",
                ),
                10,
                "excellent",
            )),
            "rating",
            RejectionKind::Unparsable,
        ),
        (
            as_line(with(
                event(
                    &quiet.employee_id,
                    &shift(&quiet.hire_date, 62),
                    "evaluation",
                ),
                10,
                "7",
            )),
            "rating",
            RejectionKind::OutOfRange,
        ),
        (
            as_line(event(
                &quiet.employee_id,
                &shift(&quiet.hire_date, 63),
                "vacation",
            )),
            "event",
            RejectionKind::Unparsable,
        ),
        (
            as_line(with(
                event(&quiet.employee_id, "2021-02-30", "evaluation"),
                10,
                "3",
            )),
            "date",
            RejectionKind::Unparsable,
        ),
        (
            as_line(event(
                &quiet.employee_id,
                &shift(&quiet.hire_date, 64),
                "role_change",
            )),
            "",
            RejectionKind::MissingField,
        ),
        (
            as_line(with(
                event(
                    &quiet.employee_id,
                    &shift(&quiet.hire_date, 65),
                    "hours_change",
                ),
                12,
                "-5",
            )),
            "weekly_hours",
            RejectionKind::OutOfRange,
        ),
        (
            as_line(with(
                event(
                    &quiet.employee_id,
                    &shift(&quiet.hire_date, 66),
                    "employment_change",
                ),
                9,
                "boss",
            )),
            "initiated_by",
            RejectionKind::Unparsable,
        ),
        (
            csv_line(&[&quiet.employee_id, "2020-01-01"]),
            "",
            RejectionKind::WrongFieldCount,
        ),
    ];
    let mut planted = Vec::new();
    let mut place =
        |lines: &mut Vec<Vec<u8>>, bad: Vec<(Vec<u8>, &str, RejectionKind)>, file: Table| {
            let n = bad.len();
            let good = lines.len();
            for (k, (row, column, kind)) in bad.into_iter().enumerate() {
                // After the k-th share of the good rows (and after earlier planted rows).
                let at = ((k + 1) * good / (n + 1)).max(1) + k;
                let at = at.min(lines.len());
                lines.insert(at, row);
                planted.push((file, at, column.to_string(), kind));
            }
        };
    place(&mut emp_lines, employees_bad, Table::Employees);
    place(&mut ev_lines, events_bad, Table::Events);
    ev_lines.push(duplicate);
    let planted = planted
        .into_iter()
        .map(|(file, at, column, kind)| PlantedRejection {
            file,
            line: at as u64 + 1,
            column,
            kind,
        })
        .collect();
    let join = |lines: Vec<Vec<u8>>| {
        let mut out = Vec::new();
        for l in lines {
            out.extend_from_slice(&l);
            out.push(b'\n');
        }
        out
    };
    Some(DirtyCopy {
        employees_csv: join(emp_lines),
        events_csv: join(ev_lines),
        planted,
        duplicates: 1,
    })
}
