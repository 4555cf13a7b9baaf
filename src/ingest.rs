//! Validated ingestion of the `employees` and `events` tables.
//!
//! Reads CSV (through the `csv` crate, streaming), Parquet (through polars) or
//! in-memory polars `DataFrame`s, checks every row against the contract (see
//! [`crate::contract`]) and returns a [`Dataset`]: one [`Timeline`] per
//! accepted employee and an [`IngestReport`] that lists every [`Rejection`].
//! For each table, rows read = accepted + rejected + duplicates dropped.
//!
//! Validation runs in two passes. The first checks each row on its own
//! (values parse and lie in range, required fields are present, the employee
//! exists, the date lies within employment). The second replays each
//! employee's events in timeline order and rejects what the sequence forbids:
//! an event after the analysis date, a `leave_end` with no open leave, a
//! `leave_start` while one is open, a `promotion` that does not raise the grade.
//! A rejected event leaves the state as it was.
//!
//! ```
//! use mommytrack::{config::ValidConfig, ingest};
//! let employees = "employee_id,gender,hire_date,grade,responsibility,employment_type,weekly_hours\n\
//!                  e1,F,2019-04-01,2,3,regular,40\n\
//!                  e2,M,2019-04-01,two,3,regular,40\n";
//! let events = "employee_id,date,event,leave_type\n\
//!               e1,2021-01-04,leave_start,maternity\n\
//!               e1,2022-01-04,leave_end,maternity\n\
//!               e1,2022-02-01,leave_end,parental\n";
//! let data = ingest::read_csv_from(employees.as_bytes(), events.as_bytes(),
//!                                  &ValidConfig::default()).unwrap();
//! assert_eq!(data.timelines.len(), 1);
//! let r = &data.report;
//! assert_eq!((r.employees.rows_read, r.employees.accepted, r.employees.rejected), (2, 1, 1));
//! assert_eq!(r.rejections[0].line, 3);
//! assert_eq!(r.rejections[0].column.as_deref(), Some("grade"));
//! assert_eq!(r.rejections[1].line, 4); // the leave_end with no open leave
//! ```

use crate::config::ValidConfig;
use crate::error::{Error, Result};
use crate::schema::{
    Employee, EmploymentType, Event, EventKind, EventType, ExitReason, Gender, InitiatedBy,
    LeaveType, Reassignment, EMPLOYEE_COLUMNS, EVENT_COLUMNS,
};
use crate::timeline::Timeline;
use chrono::NaiveDate;
use foldhash::fast::FixedState;
use polars::prelude::{DataFrame, DataType, ParquetReader, SerReader};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::hash::BuildHasher;
use std::io::Read;
use std::path::Path;

/// Which input table a row or error belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Table {
    /// The `employees` table.
    Employees,
    /// The `events` table.
    Events,
}

impl Table {
    /// The table's name as in `rejections.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            Table::Employees => "employees",
            Table::Events => "events",
        }
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a row was rejected, one variant per rule of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectionKind {
    /// A field is not valid UTF-8.
    InvalidUtf8,
    /// The row has more or fewer fields than the header.
    WrongFieldCount,
    /// A required field is empty.
    MissingField,
    /// A value does not parse as the column's type.
    Unparsable,
    /// A value parses but lies outside the allowed range.
    OutOfRange,
    /// An event names an `employee_id` not in `employees`.
    UnknownEmployee,
    /// An `employee_id` repeated in `employees` (the first row is kept).
    DuplicateEmployee,
    /// An employee whose `exit_date` is before `hire_date`.
    ExitBeforeHire,
    /// An event dated before the employee's `hire_date`.
    BeforeHire,
    /// An event dated after the employee's `exit_date`.
    AfterExit,
    /// An event dated after the analysis date.
    AfterAnalysisDate,
    /// A `leave_end` with no open leave.
    LeaveEndWithoutLeave,
    /// A `leave_start` while a leave is open.
    LeaveStartDuringLeave,
    /// A `promotion` whose grade is not above the current grade.
    PromotionNotRaisingGrade,
}

impl RejectionKind {
    /// The rule's name in snake case, as in `rejections.csv`'s `kind` column.
    pub fn as_str(self) -> &'static str {
        match self {
            RejectionKind::InvalidUtf8 => "invalid_utf8",
            RejectionKind::WrongFieldCount => "wrong_field_count",
            RejectionKind::MissingField => "missing_field",
            RejectionKind::Unparsable => "unparsable",
            RejectionKind::OutOfRange => "out_of_range",
            RejectionKind::UnknownEmployee => "unknown_employee",
            RejectionKind::DuplicateEmployee => "duplicate_employee",
            RejectionKind::ExitBeforeHire => "exit_before_hire",
            RejectionKind::BeforeHire => "before_hire",
            RejectionKind::AfterExit => "after_exit",
            RejectionKind::AfterAnalysisDate => "after_analysis_date",
            RejectionKind::LeaveEndWithoutLeave => "leave_end_without_leave",
            RejectionKind::LeaveStartDuringLeave => "leave_start_during_leave",
            RejectionKind::PromotionNotRaisingGrade => "promotion_not_raising_grade",
        }
    }
}

/// One rejected input row: where it is, what was found, what was expected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rejection {
    /// `employees` or `events`.
    pub file: Table,
    /// Line of the row (header = line 1; for Parquet and DataFrames, row index + 2).
    pub line: u64,
    /// The column at fault; `None` when the whole row is.
    pub column: Option<String>,
    /// The offending value (cut to 200 characters).
    pub value: String,
    /// Which rule the row broke.
    pub kind: RejectionKind,
    /// A sentence: what is wrong and what was expected.
    pub reason: String,
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} line {}", self.file, self.line)?;
        if let Some(c) = &self.column {
            write!(f, ", column `{c}`")?;
        }
        write!(f, ", value {:?}: {}", self.value, self.reason)
    }
}

/// Row counts of one table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableReport {
    /// Data rows read (the header not counted).
    pub rows_read: u64,
    /// Rows accepted.
    pub accepted: u64,
    /// Rows rejected (each has a [`Rejection`]).
    pub rejected: u64,
    /// Exact duplicates of an earlier row, dropped (events only).
    pub duplicates_dropped: u64,
    /// Columns in the header that the contract does not know; ignored.
    pub unknown_columns: Vec<String>,
}

/// What ingestion did with every row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IngestReport {
    /// Counts for `employees`.
    pub employees: TableReport,
    /// Counts for `events`.
    pub events: TableReport,
    /// The analysis date used.
    pub as_of: NaiveDate,
    /// Whether `as_of` was configured (`false`: the latest date in the input).
    pub as_of_configured: bool,
    /// Every rejection, sorted by file then line.
    pub rejections: Vec<Rejection>,
}

/// The validated input: one timeline per accepted employee, and the report.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// One timeline per accepted employee, in input order.
    pub timelines: Vec<Timeline>,
    /// Counts and rejections.
    pub report: IngestReport,
}

impl Dataset {
    /// The analysis date.
    pub fn as_of(&self) -> NaiveDate {
        self.report.as_of
    }
}

/// Reads both tables from files, each `.csv` or `.parquet` by its extension.
pub fn read_files(employees: &Path, events: &Path, config: &ValidConfig) -> Result<Dataset> {
    let mut builder = Builder::new(config);
    feed_path(&mut builder, Table::Employees, employees)?;
    feed_path(&mut builder, Table::Events, events)?;
    builder.finish()
}

/// Reads both tables from CSV readers (any `Read`: a file, bytes in memory).
pub fn read_csv_from<R1: Read, R2: Read>(
    employees: R1,
    events: R2,
    config: &ValidConfig,
) -> Result<Dataset> {
    let mut builder = Builder::new(config);
    feed_csv(&mut builder, Table::Employees, employees)?;
    feed_csv(&mut builder, Table::Events, events)?;
    builder.finish()
}

/// Reads both tables from polars `DataFrame`s with the contract's column names.
///
/// Columns of any type are read through their text form (dates as
/// `YYYY-MM-DD`); line numbers in rejections are row index + 2.
pub fn from_dataframes(
    employees: &DataFrame,
    events: &DataFrame,
    config: &ValidConfig,
) -> Result<Dataset> {
    let mut builder = Builder::new(config);
    feed_frame(&mut builder, Table::Employees, employees)?;
    feed_frame(&mut builder, Table::Events, events)?;
    builder.finish()
}

fn feed_path(builder: &mut Builder, table: Table, path: &Path) -> Result<()> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase());
    let open = || {
        std::fs::File::open(path).map_err(|source| Error::Io {
            table,
            path: path.to_path_buf(),
            source,
        })
    };
    match ext.as_deref() {
        Some("csv") => feed_csv(builder, table, std::io::BufReader::new(open()?)),
        Some("parquet") | Some("pq") => {
            let df = ParquetReader::new(open()?)
                .finish()
                .map_err(|e| Error::Frame {
                    table,
                    message: format!("{}: {e}", path.display()),
                })?;
            feed_frame(builder, table, &df)
        }
        _ => Err(Error::UnknownFormat {
            path: path.to_path_buf(),
        }),
    }
}

fn feed_csv<R: Read>(builder: &mut Builder, table: Table, reader: R) -> Result<()> {
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        // `\n` alone ends a record so that line numbers stay right in CRLF
        // files (a trailing `\r` is trimmed off like other white space).
        .terminator(csv::Terminator::Any(b'\n'))
        .from_reader(reader);
    let mut record = csv::ByteRecord::new();
    let csv_error = |e: csv::Error, line: u64| Error::Csv {
        table,
        line,
        message: e.to_string(),
    };
    if !csv
        .read_byte_record(&mut record)
        .map_err(|e| csv_error(e, 1))?
    {
        return Err(Error::EmptyFile { table });
    }
    let names: Vec<String> = record
        .iter()
        .map(|f| String::from_utf8_lossy(f).into_owned())
        .collect();
    let columns = builder.header(table, &names)?;
    // One field buffer for every row (see `recycle`).
    let mut spare: Vec<Option<&str>> = Vec::with_capacity(names.len());
    loop {
        let line = record.position().map_or(1, |p| p.line()) + 1;
        match csv.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_error(e, line)),
        }
        let line = record.position().map_or(0, |p| p.line());
        if record.len() == 1 && record[0].trim_ascii().is_empty() {
            continue; // a blank line (LF blank lines never reach here; CRLF ones do)
        }
        builder.count_read(table);
        if record.len() != names.len() {
            let raw: Vec<String> = record
                .iter()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect();
            builder.reject(Rejection {
                file: table,
                line,
                column: None,
                value: cut(&raw.join(",")),
                kind: RejectionKind::WrongFieldCount,
                reason: format!(
                    "the row has {} fields; expected {}, as many as the header",
                    record.len(),
                    names.len()
                ),
            })?;
            continue;
        }
        let mut fields = recycle(std::mem::take(&mut spare));
        let mut bad_utf8 = None;
        for (i, raw) in record.iter().enumerate() {
            match std::str::from_utf8(raw) {
                Ok(s) => {
                    let s = s.trim();
                    fields.push(if s.is_empty() { None } else { Some(s) });
                }
                Err(_) => {
                    bad_utf8 = Some((i, String::from_utf8_lossy(raw).into_owned()));
                    break;
                }
            }
        }
        if let Some((i, value)) = bad_utf8 {
            builder.reject(Rejection {
                file: table,
                line,
                column: Some(names[i].trim().to_string()),
                value: cut(&value),
                kind: RejectionKind::InvalidUtf8,
                reason: "the value is not valid UTF-8; expected UTF-8 text".into(),
            })?;
            continue;
        }
        builder.row(table, &columns, line, &fields)?;
        spare = recycle(fields);
    }
    Ok(())
}

/// Empties a buffer of borrowed fields so that it can hold the next row's:
/// the collect reuses the allocation (same layout, no element kept).
fn recycle<'b>(mut v: Vec<Option<&str>>) -> Vec<Option<&'b str>> {
    v.clear();
    v.into_iter().map(|_| None).collect()
}

fn feed_frame(builder: &mut Builder, table: Table, df: &DataFrame) -> Result<()> {
    let frame_error = |e: polars::error::PolarsError| Error::Frame {
        table,
        message: e.to_string(),
    };
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    let columns = builder.header(table, &names)?;
    let mut texts = Vec::with_capacity(names.len());
    for column in df.columns() {
        let text = column.cast(&DataType::String).map_err(frame_error)?;
        texts.push(text.str().map_err(frame_error)?.clone());
    }
    let mut iters: Vec<_> = texts.iter().map(|ca| ca.iter()).collect();
    let mut fields: Vec<Option<&str>> = Vec::with_capacity(names.len());
    for row in 0..df.height() {
        fields.clear();
        for it in iters.iter_mut() {
            let value = it.next().flatten().map(str::trim).filter(|s| !s.is_empty());
            fields.push(value);
        }
        builder.count_read(table);
        builder.row(table, &columns, row as u64 + 2, &fields)?;
    }
    Ok(())
}

fn cut(value: &str) -> String {
    match value.char_indices().nth(200) {
        Some((i, _)) => format!("{}…", &value[..i]),
        None => value.to_string(),
    }
}

/// Positions of the contract's columns in a header.
struct Columns {
    /// Position of each contract column (in the order of `EMPLOYEE_COLUMNS` or `EVENT_COLUMNS`).
    positions: Vec<Option<usize>>,
}

/// Column indices into `EMPLOYEE_COLUMNS` / `EVENT_COLUMNS`.
mod col {
    pub const E_ID: usize = 0;
    pub const E_GENDER: usize = 1;
    pub const E_BIRTH_YEAR: usize = 2;
    pub const E_HIRE: usize = 3;
    pub const E_EXIT: usize = 4;
    pub const E_EXIT_REASON: usize = 5;
    pub const E_DEPARTMENT: usize = 6;
    pub const E_GRADE: usize = 7;
    pub const E_RESPONSIBILITY: usize = 8;
    pub const E_TRACK: usize = 9;
    pub const E_MANAGER: usize = 10;
    pub const E_EMPLOYMENT: usize = 11;
    pub const E_HOURS: usize = 12;
    pub const E_SALARY: usize = 13;

    pub const V_ID: usize = 0;
    pub const V_DATE: usize = 1;
    pub const V_EVENT: usize = 2;
    pub const V_LEAVE_TYPE: usize = 3;
    pub const V_GRADE: usize = 4;
    pub const V_RESPONSIBILITY: usize = 5;
    pub const V_TRACK: usize = 6;
    pub const V_DEPARTMENT: usize = 7;
    pub const V_MANAGER: usize = 8;
    pub const V_INITIATED_BY: usize = 9;
    pub const V_RATING: usize = 10;
    pub const V_EMPLOYMENT: usize = 11;
    pub const V_HOURS: usize = 12;
    pub const V_SALARY: usize = 13;
}

/// One row being checked: gives typed access to its fields, or a rejection.
struct Row<'a> {
    table: Table,
    line: u64,
    names: &'static [(&'static str, bool)],
    columns: &'a Columns,
    fields: &'a [Option<&'a str>],
}

impl<'a> Row<'a> {
    fn text(&self, c: usize) -> Option<&'a str> {
        self.columns.positions[c].and_then(|p| self.fields.get(p).copied().flatten())
    }

    fn reject(
        &self,
        c: Option<usize>,
        value: &str,
        kind: RejectionKind,
        reason: String,
    ) -> Rejection {
        Rejection {
            file: self.table,
            line: self.line,
            column: c.map(|c| self.names[c].0.to_string()),
            value: cut(value),
            kind,
            reason,
        }
    }

    fn required(&self, c: usize, expected: &str) -> Result<&'a str, Rejection> {
        self.text(c).ok_or_else(|| {
            self.reject(
                Some(c),
                "",
                RejectionKind::MissingField,
                format!("the field is empty; expected {expected}"),
            )
        })
    }

    /// Parses an optional field; `parse` returns `Err((kind, expected))`.
    fn parse<T>(
        &self,
        c: usize,
        parse: impl Fn(&str) -> Result<T, (RejectionKind, String)>,
    ) -> Result<Option<T>, Rejection> {
        match self.text(c) {
            None => Ok(None),
            Some(s) => parse(s).map(Some).map_err(|(kind, expected)| {
                let what = match kind {
                    RejectionKind::OutOfRange => "is out of range",
                    _ => "does not parse",
                };
                self.reject(
                    Some(c),
                    s,
                    kind,
                    format!("the value {what}; expected {expected}"),
                )
            }),
        }
    }

    /// Parses a required field.
    fn parse_required<T>(
        &self,
        c: usize,
        expected: &str,
        parse: impl Fn(&str) -> Result<T, (RejectionKind, String)>,
    ) -> Result<T, Rejection> {
        self.required(c, expected)?;
        self.parse(c, parse)?.ok_or_else(|| {
            self.reject(
                Some(c),
                "",
                RejectionKind::MissingField,
                expected.to_string(),
            )
        })
    }
}

fn unparsable(expected: &str) -> (RejectionKind, String) {
    (RejectionKind::Unparsable, expected.to_string())
}

fn out_of_range(expected: &str) -> (RejectionKind, String) {
    (RejectionKind::OutOfRange, expected.to_string())
}

const DATE: &str = "a date YYYY-MM-DD";

fn parse_date(s: &str) -> Result<NaiveDate, (RejectionKind, String)> {
    if s.len() != 10 {
        return Err(unparsable(DATE));
    }
    // `FromStr` is `%Y-%m-%d` with its format pre-parsed (much faster than
    // `parse_from_str`); the length check keeps out signs and extra digits.
    s.parse::<NaiveDate>().map_err(|_| unparsable(DATE))
}

fn parse_enum<T: std::str::FromStr<Err = String>>(s: &str) -> Result<T, (RejectionKind, String)> {
    s.parse::<T>().map_err(|e| (RejectionKind::Unparsable, e))
}

/// An integer in `lo..=hi`; an integral decimal such as `3.0` is accepted
/// (Parquet files written from pandas store nullable integers as floats).
fn parse_int(s: &str, lo: i64, hi: i64, expected: &str) -> Result<i64, (RejectionKind, String)> {
    let value = match s.parse::<i64>() {
        Ok(v) => v,
        Err(_) => match s.parse::<f64>() {
            Ok(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 => f as i64,
            _ => return Err(unparsable(expected)),
        },
    };
    if value < lo || value > hi {
        return Err(out_of_range(expected));
    }
    Ok(value)
}

/// A finite number with `ok(value)`.
fn parse_number(
    s: &str,
    ok: impl Fn(f64) -> bool,
    expected: &str,
) -> Result<f64, (RejectionKind, String)> {
    let value: f64 = s.parse().map_err(|_| unparsable(expected))?;
    if !value.is_finite() {
        return Err(unparsable(expected));
    }
    if !ok(value) {
        return Err(out_of_range(expected));
    }
    Ok(value)
}

const ID: &str = "an id of 1 to 64 characters";

fn parse_id(s: &str) -> Result<String, (RejectionKind, String)> {
    parse_id_len(s).map(|()| s.to_string())
}

/// The id rule without the copy: 1 to 64 characters (empty is "missing").
fn parse_id_len(s: &str) -> Result<(), (RejectionKind, String)> {
    if s.len() > 64 && s.chars().count() > 64 {
        return Err(out_of_range(ID));
    }
    Ok(())
}

/// Texts of what a column expects, made once rather than per row.
struct Expected {
    gender: String,
    employment: String,
    event: String,
    rating: String,
}

const GRADE: &str = "an integer grade ≥ 0";
const RESPONSIBILITY: &str = "an integer responsibility level from 0 to 9";
const HOURS: &str = "a number of weekly hours > 0 and ≤ 168";
const SALARY: &str = "a salary ≥ 0";

fn grade(s: &str) -> Result<u32, (RejectionKind, String)> {
    parse_int(s, 0, i64::from(u32::MAX), GRADE).map(|v| v as u32)
}

fn responsibility(s: &str) -> Result<u8, (RejectionKind, String)> {
    parse_int(s, 0, 9, RESPONSIBILITY).map(|v| v as u8)
}

fn hours(s: &str) -> Result<f64, (RejectionKind, String)> {
    parse_number(s, |h| h > 0.0 && h <= 168.0, HOURS)
}

fn salary(s: &str) -> Result<f64, (RejectionKind, String)> {
    parse_number(s, |v| v >= 0.0, SALARY)
}

fn text_value(s: &str) -> Result<String, (RejectionKind, String)> {
    Ok(s.to_string())
}

/// A field that the event type requires.
fn required_for<T>(
    row: &Row,
    c: usize,
    value: Option<T>,
    event: EventType,
) -> Result<T, Rejection> {
    value.ok_or_else(|| {
        row.reject(
            Some(c),
            "",
            RejectionKind::MissingField,
            format!("the field is empty; the event {event} requires it"),
        )
    })
}

/// An event that passed the row checks, waiting for the sequence checks.
struct Pending {
    employee: u32,
    event: Event,
}

/// Collects rows of both tables and builds the [`Dataset`].
struct Builder<'c> {
    config: &'c ValidConfig,
    employees: Vec<Employee>,
    index: HashMap<String, u32, FixedState>,
    /// Accepted-so-far events of each employee, in file order.
    pending: Vec<Vec<Event>>,
    seen_events: HashSet<u128, FixedState>,
    employees_report: TableReport,
    events_report: TableReport,
    rejections: Vec<Rejection>,
    latest: Option<NaiveDate>,
    expected: Expected,
}

impl<'c> Builder<'c> {
    fn new(config: &'c ValidConfig) -> Self {
        Builder {
            config,
            employees: Vec::new(),
            index: HashMap::default(),
            pending: Vec::new(),
            seen_events: HashSet::default(),
            employees_report: TableReport::default(),
            events_report: TableReport::default(),
            rejections: Vec::new(),
            expected: Expected {
                gender: Gender::expected(),
                employment: EmploymentType::expected(),
                event: EventType::expected(),
                rating: format!(
                    "a rating from {} to {}",
                    config.rating_scale().min,
                    config.rating_scale().max
                ),
            },
            latest: None,
        }
    }

    fn table_report(&mut self, table: Table) -> &mut TableReport {
        match table {
            Table::Employees => &mut self.employees_report,
            Table::Events => &mut self.events_report,
        }
    }

    fn contract_columns(table: Table) -> &'static [(&'static str, bool)] {
        match table {
            Table::Employees => EMPLOYEE_COLUMNS,
            Table::Events => EVENT_COLUMNS,
        }
    }

    fn header(&mut self, table: Table, names: &[String]) -> Result<Columns> {
        let contract = Self::contract_columns(table);
        let mut positions = vec![None; contract.len()];
        let mut unknown = Vec::new();
        for (i, raw) in names.iter().enumerate() {
            let name = raw.trim_start_matches('\u{feff}').trim();
            match contract.iter().position(|(c, _)| *c == name) {
                Some(c) if positions[c].is_some() => {
                    return Err(Error::DuplicateColumn {
                        table,
                        column: name.to_string(),
                    })
                }
                Some(c) => positions[c] = Some(i),
                None => unknown.push(name.to_string()),
            }
        }
        for (c, (name, required)) in contract.iter().enumerate() {
            if *required && positions[c].is_none() {
                return Err(Error::MissingColumn {
                    table,
                    column: name.to_string(),
                });
            }
        }
        self.table_report(table).unknown_columns = unknown;
        Ok(Columns { positions })
    }

    fn count_read(&mut self, table: Table) {
        self.table_report(table).rows_read += 1;
    }

    fn reject(&mut self, rejection: Rejection) -> Result<()> {
        self.table_report(rejection.file).rejected += 1;
        if self.config.strict() {
            return Err(Error::Rejected(Box::new(rejection)));
        }
        self.rejections.push(rejection);
        Ok(())
    }

    fn see_date(&mut self, date: NaiveDate) {
        self.latest = Some(self.latest.map_or(date, |l| l.max(date)));
    }

    fn row(
        &mut self,
        table: Table,
        columns: &Columns,
        line: u64,
        fields: &[Option<&str>],
    ) -> Result<()> {
        let row = Row {
            table,
            line,
            names: Self::contract_columns(table),
            columns,
            fields,
        };
        match table {
            Table::Employees => match self.employee(&row) {
                Ok(e) => {
                    self.see_date(e.hire_date);
                    if let Some(x) = e.exit_date {
                        self.see_date(x);
                    }
                    self.index
                        .insert(e.employee_id.clone(), self.employees.len() as u32);
                    self.employees.push(e);
                    self.employees_report.accepted += 1;
                    Ok(())
                }
                Err(r) => self.reject(r),
            },
            Table::Events => {
                if !self.seen_events.insert(row_hash(fields)) {
                    self.events_report.duplicates_dropped += 1;
                    return Ok(());
                }
                match self.event(&row) {
                    Ok(p) => {
                        self.see_date(p.event.date);
                        let who = p.employee as usize;
                        if self.pending.len() <= who {
                            self.pending
                                .resize_with(self.employees.len().max(who + 1), Vec::new);
                        }
                        self.pending[who].push(p.event);
                        Ok(())
                    }
                    Err(r) => self.reject(r),
                }
            }
        }
    }

    fn employee(&self, row: &Row) -> Result<Employee, Rejection> {
        use col::*;
        let employee_id = row.parse_required(E_ID, ID, parse_id)?;
        let gender: Gender = row.parse_required(E_GENDER, &self.expected.gender, parse_enum)?;
        let birth_year = row
            .parse(E_BIRTH_YEAR, |s| {
                parse_int(s, 1900, 2100, "a year from 1900 to 2100")
            })?
            .map(|y| y as i32);
        let hire_date = row.parse_required(E_HIRE, DATE, parse_date)?;
        let exit_date = row.parse(E_EXIT, parse_date)?;
        let exit_reason: Option<ExitReason> = row.parse(E_EXIT_REASON, parse_enum)?;
        let department = row.parse(E_DEPARTMENT, text_value)?;
        let grade = row.parse_required(E_GRADE, GRADE, grade)?;
        let responsibility =
            row.parse_required(E_RESPONSIBILITY, RESPONSIBILITY, responsibility)?;
        let track = row.parse(E_TRACK, text_value)?;
        let manager_id = row.parse(E_MANAGER, parse_id)?;
        let employment_type: EmploymentType =
            row.parse_required(E_EMPLOYMENT, &self.expected.employment, parse_enum)?;
        let weekly_hours = row.parse_required(E_HOURS, HOURS, hours)?;
        let salary = row.parse(E_SALARY, salary)?;
        if self.index.contains_key(&employee_id) {
            return Err(row.reject(
                Some(E_ID),
                &employee_id,
                RejectionKind::DuplicateEmployee,
                "the employee_id appeared on an earlier row (kept); expected each id once".into(),
            ));
        }
        if let Some(x) = exit_date {
            if x < hire_date {
                return Err(row.reject(
                    Some(E_EXIT),
                    &x.to_string(),
                    RejectionKind::ExitBeforeHire,
                    format!("the exit_date is before the hire_date {hire_date}; expected a date on or after it"),
                ));
            }
        }
        Ok(Employee {
            employee_id,
            gender,
            birth_year,
            hire_date,
            exit_date,
            exit_reason,
            department,
            grade,
            responsibility,
            track,
            manager_id,
            employment_type,
            weekly_hours,
            salary,
        })
    }

    fn event(&self, row: &Row) -> Result<Pending, Rejection> {
        use col::*;
        // The id is checked, then borrowed from the row: no copy per event.
        row.parse_required(V_ID, ID, parse_id_len)?;
        let employee_id = row.text(V_ID).unwrap_or_default();
        let date = row.parse_required(V_DATE, DATE, parse_date)?;
        let event: EventType = row.parse_required(V_EVENT, &self.expected.event, parse_enum)?;
        let leave_type: Option<LeaveType> = row.parse(V_LEAVE_TYPE, parse_enum)?;
        let new_grade = row.parse(V_GRADE, grade)?;
        let new_responsibility = row.parse(V_RESPONSIBILITY, responsibility)?;
        let track = row.parse(V_TRACK, text_value)?;
        let department = row.parse(V_DEPARTMENT, text_value)?;
        let manager_id = row.parse(V_MANAGER, parse_id)?;
        let initiated_by: InitiatedBy = row.parse(V_INITIATED_BY, parse_enum)?.unwrap_or_default();
        let scale = self.config.rating_scale();
        let rating = row.parse(V_RATING, |s| {
            parse_number(
                s,
                |r| r >= scale.min && r <= scale.max,
                &self.expected.rating,
            )
        })?;
        let employment_type: Option<EmploymentType> = row.parse(V_EMPLOYMENT, parse_enum)?;
        let weekly_hours = row.parse(V_HOURS, hours)?;
        let salary = row.parse(V_SALARY, salary)?;

        let reassignment = || Reassignment {
            grade: new_grade,
            responsibility: new_responsibility,
            track: track.clone(),
            department: department.clone(),
            manager_id: manager_id.clone(),
            initiated_by,
        };
        let kind = match event {
            EventType::LeaveStart => EventKind::LeaveStart {
                leave_type: required_for(row, V_LEAVE_TYPE, leave_type, event)?,
            },
            EventType::LeaveEnd => EventKind::LeaveEnd {
                leave_type: required_for(row, V_LEAVE_TYPE, leave_type, event)?,
            },
            EventType::RoleChange => {
                let r = reassignment();
                if r.grade.is_none()
                    && r.responsibility.is_none()
                    && r.track.is_none()
                    && r.department.is_none()
                    && r.manager_id.is_none()
                {
                    return Err(row.reject(
                        None,
                        "",
                        RejectionKind::MissingField,
                        "a role_change changes nothing; expected at least one of grade, responsibility, track, department, manager_id".into(),
                    ));
                }
                EventKind::RoleChange(Box::new(r))
            }
            EventType::Promotion => {
                required_for(row, V_GRADE, new_grade, event)?;
                EventKind::Promotion(Box::new(reassignment()))
            }
            EventType::Evaluation => EventKind::Evaluation {
                rating: required_for(row, V_RATING, rating, event)?,
            },
            EventType::EmploymentChange => EventKind::EmploymentChange {
                employment_type: required_for(row, V_EMPLOYMENT, employment_type, event)?,
                initiated_by,
            },
            EventType::HoursChange => EventKind::HoursChange {
                weekly_hours: required_for(row, V_HOURS, weekly_hours, event)?,
                initiated_by,
            },
            EventType::SalaryChange => EventKind::SalaryChange {
                salary: required_for(row, V_SALARY, salary, event)?,
            },
            EventType::ChildBirth => EventKind::ChildBirth,
        };

        let Some(&employee) = self.index.get(employee_id) else {
            return Err(row.reject(
                Some(V_ID),
                employee_id,
                RejectionKind::UnknownEmployee,
                "no such employee_id in the employees table; expected an accepted employee".into(),
            ));
        };
        let e = &self.employees[employee as usize];
        if date < e.hire_date {
            return Err(row.reject(
                Some(V_DATE),
                &date.to_string(),
                RejectionKind::BeforeHire,
                format!(
                    "the event is before the hire_date {}; expected a date within employment",
                    e.hire_date
                ),
            ));
        }
        if let Some(exit) = e.exit_date {
            if date > exit {
                return Err(row.reject(
                    Some(V_DATE),
                    &date.to_string(),
                    RejectionKind::AfterExit,
                    format!("the event is after the exit_date {exit}; expected a date within employment"),
                ));
            }
        }
        Ok(Pending {
            employee,
            event: Event {
                date,
                kind,
                line: row.line,
            },
        })
    }

    /// Second pass: replays each employee's events and builds the timelines.
    fn finish(mut self) -> Result<Dataset> {
        let as_of_configured = self.config.as_of().is_some();
        let as_of = self
            .config
            .as_of()
            .or(self.latest)
            .unwrap_or(NaiveDate::MIN);
        // Each employee's events are sorted and checked in place: no second
        // copy of all the events is ever held.
        let mut per_employee = std::mem::take(&mut self.pending);
        per_employee.resize_with(self.employees.len(), Vec::new);
        self.seen_events = HashSet::default();
        for (who, events) in per_employee.iter_mut().enumerate() {
            events.sort_by_key(|e| (e.date, e.kind.same_day_rank(), e.line));
            let mut grade = self.employees[who].grade;
            let mut open: Option<(LeaveType, NaiveDate)> = None;
            let mut rejected = Vec::new();
            events.retain(|ev| {
                if let Some(r) = sequence_check(ev, grade, open, as_of) {
                    rejected.push(r);
                    return false;
                }
                match &ev.kind {
                    EventKind::LeaveStart { leave_type } => open = Some((*leave_type, ev.date)),
                    EventKind::LeaveEnd { .. } => open = None,
                    EventKind::Promotion(r) | EventKind::RoleChange(r) => {
                        grade = r.grade.unwrap_or(grade)
                    }
                    _ => {}
                }
                true
            });
            for r in rejected {
                self.reject(r)?;
            }
            self.events_report.accepted += events.len() as u64;
            events.shrink_to_fit();
        }
        let timelines = self
            .employees
            .into_iter()
            .zip(per_employee)
            .map(|(e, events)| Timeline::new(e, events))
            .collect();
        self.rejections.sort_by_key(|r| (r.file, r.line));
        Ok(Dataset {
            timelines,
            report: IngestReport {
                employees: self.employees_report,
                events: self.events_report,
                as_of,
                as_of_configured,
                rejections: self.rejections,
            },
        })
    }
}

/// The checks that need the employee's earlier events.
fn sequence_check(
    ev: &Event,
    grade: u32,
    open: Option<(LeaveType, NaiveDate)>,
    as_of: NaiveDate,
) -> Option<Rejection> {
    let reject = |column: &str, value: String, kind, reason: String| {
        Some(Rejection {
            file: Table::Events,
            line: ev.line,
            column: Some(column.to_string()),
            value,
            kind,
            reason,
        })
    };
    if ev.date > as_of {
        return reject(
            "date",
            ev.date.to_string(),
            RejectionKind::AfterAnalysisDate,
            format!(
                "the event is after the analysis date {as_of}; expected a date on or before it"
            ),
        );
    }
    match (&ev.kind, open) {
            (EventKind::LeaveEnd { .. }, None) => reject(
                "event",
                "leave_end".into(),
                RejectionKind::LeaveEndWithoutLeave,
                "a leave_end with no open leave; expected a leave_start before it".into(),
            ),
            (EventKind::LeaveStart { .. }, Some((t, since))) => reject(
                "event",
                "leave_start".into(),
                RejectionKind::LeaveStartDuringLeave,
                format!("a leave_start while the {t} leave that started on {since} is open; expected a leave_end first"),
            ),
            (EventKind::Promotion(r), _) if r.grade.is_some_and(|g| g <= grade) => reject(
                "grade",
                r.grade.map(|g| g.to_string()).unwrap_or_default(),
                RejectionKind::PromotionNotRaisingGrade,
                format!("a promotion that does not raise the grade; expected a grade above the current {grade}"),
            ),
            _ => None,
        }
}

/// A 128-bit fingerprint of a row's fields, for dropping exact duplicates
/// without keeping every row (a collision among 10⁸ rows has odds below 10⁻²⁰).
fn row_hash(fields: &[Option<&str>]) -> u128 {
    // Two independently seeded 64-bit hashes (foldhash's quality variant):
    // a collision of both is out of reach for any real file.
    let a = foldhash::quality::FixedState::with_seed(0x243f_6a88_85a3_08d3).hash_one(fields);
    let b = foldhash::quality::FixedState::with_seed(0x9e37_79b9_7f4a_7c15).hash_one(fields);
    (u128::from(a) << 64) | u128::from(b)
}
