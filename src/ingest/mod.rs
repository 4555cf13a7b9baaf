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
//! CSV is read on the calling thread and checked in batches of 4,096 rows on
//! as many threads as rayon's pool has (at most 8; `RAYON_NUM_THREADS` or
//! `ThreadPool::install` bound them); the results are applied in file order,
//! so the outcome (rejections, the kept copy of a duplicate, the first error
//! in strict mode) is exactly that of checking the rows one by one. The
//! second pass runs employee by employee on rayon's pool. Exact duplicate
//! event rows are found by a 64-bit fingerprint of their fields compared
//! among rows of the same employee, date and same-day rank (rejected rows:
//! a 128-bit fingerprint over the file).
//!
//! ```
//! use mommytrack::{Dataset, ValidConfig};
//! let employees = "employee_id,gender,hire_date,grade,responsibility,employment_type,weekly_hours\n\
//!                  e1,F,2019-04-01,2,3,regular,40\n\
//!                  e2,M,2019-04-01,two,3,regular,40\n";
//! let events = "employee_id,date,event,leave_type\n\
//!               e1,2021-01-04,leave_start,maternity\n\
//!               e1,2022-01-04,leave_end,maternity\n\
//!               e1,2022-02-01,leave_end,parental\n";
//! let data = Dataset::builder(&ValidConfig::default())
//!     .from_readers(employees.as_bytes(), events.as_bytes())
//!     .unwrap();
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
    LeaveType, Reassignment, Rejection, RejectionKind, Table, TableReport, EMPLOYEE_COLUMNS,
    EVENT_COLUMNS,
};
use crate::timeline::Timeline;
use chrono::NaiveDate;
use foldhash::fast::FixedState;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

use std::hash::BuildHasher;
use std::io::Read;
use std::path::Path;
use std::sync::{mpsc, Arc, Mutex};

#[cfg(feature = "parquet")]
mod frame;

/// What ingestion did with every row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
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

/// Reads the two tables with the options of a [`ValidConfig`], in the
/// manner of `csv::ReaderBuilder`: set what differs, then read from paths,
/// readers or (feature `parquet`) DataFrames. Every option has the default
/// of the configuration it was made from.
///
/// ```
/// use mommytrack::{Dataset, ValidConfig};
/// let employees = "employee_id,gender,hire_date,grade,responsibility,employment_type,weekly_hours\n\
///                  e1,F,2019-04-01,2,3,regular,40\n";
/// let events = "employee_id,date,event,leave_type\n\
///               e1,2021-01-04,leave_start,maternity\n";
/// let config = ValidConfig::default();
/// let data = Dataset::builder(&config)
///     .as_of("2023-03-31".parse().ok())
///     .from_readers(employees.as_bytes(), events.as_bytes())?;
/// assert_eq!(data.as_of().to_string(), "2023-03-31");
/// assert!(Dataset::builder(&config).strict(true)
///     .from_readers(employees.as_bytes(), "employee_id,date,event\ne2,2021-01-04,exit\n".as_bytes())
///     .is_err());
/// # Ok::<(), mommytrack::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct IngestBuilder {
    config: ValidConfig,
}

impl Dataset {
    /// An [`IngestBuilder`] with the options of `config`.
    pub fn builder(config: &ValidConfig) -> IngestBuilder {
        IngestBuilder::new(config)
    }
}

impl IngestBuilder {
    /// A builder with the ingest options of `config` (`strict`, `as_of`,
    /// `rating_scale`).
    pub fn new(config: &ValidConfig) -> IngestBuilder {
        IngestBuilder {
            config: config.clone(),
        }
    }

    /// Stop at the first rejected row (default: the configuration's `strict`).
    pub fn strict(mut self, yes: bool) -> IngestBuilder {
        self.config = self.config.with_strict(yes);
        self
    }

    /// The analysis date; `None` takes the latest date in the input
    /// (default: the configuration's `as_of`).
    pub fn as_of(mut self, date: Option<NaiveDate>) -> IngestBuilder {
        self.config = self.config.with_as_of(date);
        self
    }

    /// Reads both tables from files, each `.csv` or `.parquet` by its
    /// extension (Parquet needs the feature `parquet`).
    pub fn from_paths(
        &self,
        employees: impl AsRef<Path>,
        events: impl AsRef<Path>,
    ) -> Result<Dataset> {
        let mut builder = Builder::new(&self.config);
        feed_path(&mut builder, Table::Employees, employees.as_ref())?;
        feed_path(&mut builder, Table::Events, events.as_ref())?;
        builder.finish()
    }

    /// Reads both tables from CSV readers (any `Read`: a file, bytes in memory).
    pub fn from_readers<R1: Read, R2: Read>(&self, employees: R1, events: R2) -> Result<Dataset> {
        let mut builder = Builder::new(&self.config);
        feed_csv(&mut builder, Table::Employees, employees)?;
        feed_csv(&mut builder, Table::Events, events)?;
        builder.finish()
    }

    /// Reads both tables from polars `DataFrame`s with the contract's column
    /// names (feature `parquet`).
    ///
    /// Columns of any type are read through their text form (dates as
    /// `YYYY-MM-DD`); line numbers in rejections are row index + 2.
    #[cfg(feature = "parquet")]
    pub fn from_frames(
        &self,
        employees: &polars::prelude::DataFrame,
        events: &polars::prelude::DataFrame,
    ) -> Result<Dataset> {
        let mut builder = Builder::new(&self.config);
        frame::feed_frame(&mut builder, Table::Employees, employees)?;
        frame::feed_frame(&mut builder, Table::Events, events)?;
        builder.finish()
    }
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
        #[cfg(feature = "parquet")]
        Some("parquet") | Some("pq") => frame::feed_parquet(builder, table, open()?, path),
        #[cfg(not(feature = "parquet"))]
        Some("parquet") | Some("pq") => Err(Error::FeatureDisabled {
            path: path.to_path_buf(),
            feature: "parquet",
        }),
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
    if !csv
        .read_byte_record(&mut record)
        .map_err(|source| Error::Csv {
            table,
            line: 1,
            source,
        })?
    {
        return Err(Error::EmptyFile { table });
    }
    let header_line = record.position().map_or(1, |p| p.line());
    let names: Vec<String> = record
        .iter()
        .map(|f| String::from_utf8_lossy(f).into_owned())
        .collect();
    let columns = builder.header(table, &names)?;
    let none = Known::default();
    let (checker, acc, known) = builder.parts(table, &columns, &names, &none);
    match known {
        Some(known) => read_parallel(
            &mut csv,
            table,
            header_line,
            &|r, spare| checker.record(r, spare, Checker::employee_row),
            &mut |p| acc.apply_employee(known, p),
        ),
        None => read_parallel(
            &mut csv,
            table,
            header_line,
            &|r, spare| checker.record(r, spare, Checker::event_row),
            &mut |p| acc.apply_event(p),
        ),
    }
}

/// Checks one CSV record, with a field buffer kept between calls.
type CheckRecord<'a, T> =
    dyn Fn(&csv::ByteRecord, &mut Vec<Option<&'static str>>) -> Parsed<T> + Sync + 'a;

/// Records per batch handed to a checking thread.
const BATCH: usize = 4096;

/// Reads records on this thread, checks them in batches on one thread per
/// core and applies the results in file order on another: the output is
/// exactly that of checking the rows one by one.
///
/// When `apply` fails (a rejection in strict mode) the reading stops; a CSV
/// error is returned after every row before it has been applied.
fn read_parallel<R: Read, T: Send>(
    csv: &mut csv::Reader<R>,
    table: Table,
    header_line: u64,
    check: &CheckRecord<'_, T>,
    apply: &mut (dyn FnMut(Parsed<T>) -> Result<()> + Send),
) -> Result<()> {
    type Checked<T> = (usize, Vec<Parsed<T>>, Vec<csv::ByteRecord>);
    // As many as rayon's pool has threads (so `ThreadPool::install` bounds it too).
    let workers = rayon::current_num_threads().clamp(1, 8);
    std::thread::scope(|scope| {
        let (work_tx, work_rx) = mpsc::sync_channel::<(usize, Vec<csv::ByteRecord>)>(2 * workers);
        // Shared by the checkers; dropped with the last of them, so that the
        // reader stops when nobody is left to check.
        let work_rx = Arc::new(Mutex::new(work_rx));
        let (done_tx, done_rx) = mpsc::sync_channel::<Checked<T>>(2 * workers);
        let (back_tx, back_rx) = mpsc::channel::<Vec<csv::ByteRecord>>();
        for _ in 0..workers {
            let (work_rx, done_tx) = (Arc::clone(&work_rx), done_tx.clone());
            scope.spawn(move || {
                let mut spare = Vec::new();
                loop {
                    let job = match work_rx.lock() {
                        Ok(rx) => rx.recv().ok(),
                        Err(_) => None,
                    };
                    let Some((seq, batch)) = job else { break };
                    let out = batch.iter().map(|r| check(r, &mut spare)).collect();
                    if done_tx.send((seq, out, batch)).is_err() {
                        break;
                    }
                }
            });
        }
        drop((work_rx, done_tx));
        let merger = scope.spawn(move || -> Result<()> {
            let mut waiting = BTreeMap::new();
            let mut next = 0usize;
            for (seq, out, batch) in done_rx {
                waiting.insert(seq, (out, batch));
                while let Some((out, batch)) = waiting.remove(&next) {
                    for parsed in out {
                        apply(parsed)?;
                    }
                    // The reader reuses the records' buffers.
                    let _ = back_tx.send(batch);
                    next += 1;
                }
            }
            Ok(())
        });
        let mut seq = 0usize;
        let mut last_line = header_line;
        let mut read_error = None;
        loop {
            let mut batch = back_rx.try_recv().unwrap_or_default();
            batch.resize_with(BATCH, csv::ByteRecord::new);
            let mut filled = 0;
            while filled < BATCH {
                match csv.read_byte_record(&mut batch[filled]) {
                    Ok(true) => {
                        last_line = batch[filled].position().map_or(last_line, |p| p.line());
                        filled += 1;
                    }
                    Ok(false) => break,
                    Err(e) => {
                        read_error = Some(Error::Csv {
                            table,
                            line: last_line + 1,
                            source: e,
                        });
                        break;
                    }
                }
            }
            let more = filled == BATCH;
            batch.truncate(filled);
            if filled > 0 {
                if work_tx.send((seq, batch)).is_err() {
                    break; // the merger stopped: its error is the answer
                }
                seq += 1;
            }
            if !more {
                break;
            }
        }
        drop(work_tx);
        // A panic on another thread is a bug, not an input error: pass it on.
        merger
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p))?;
        read_error.map_or(Ok(()), Err)
    })
}

/// Empties a buffer of borrowed fields so that it can hold the next row's:
/// the collect reuses the allocation (same layout, no element kept).
fn recycle<'b>(mut v: Vec<Option<&str>>) -> Vec<Option<&'b str>> {
    v.clear();
    v.into_iter().map(|_| None).collect()
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

/// What the row checks made of one data row. They need only the row, the
/// configuration and (for events) the accepted employees, so they run on
/// several threads; the results are applied in file order.
enum Parsed<T> {
    /// A blank line: not a row.
    Blank,
    /// A row whose values passed the checks.
    Accepted(T),
    /// A rejected row; for events, with a fingerprint of its fields that
    /// identifies its exact duplicates.
    Rejected(Box<Rejection>, Option<u128>),
}

/// An employee row that passed the row checks, and its line.
type PendingEmployee = (Employee, u64);

/// An event row that passed the row checks: the employee, a fingerprint of
/// the row's fields (its exact duplicates have the same), and the event.
type PendingEvent = (u32, u64, Event);

/// The accepted employees.
#[derive(Default)]
struct Known {
    employees: Vec<Employee>,
    index: HashMap<String, u32, FixedState>,
}

/// Checks rows of one table on their own (see [`Parsed`]).
struct Checker<'a> {
    table: Table,
    config: &'a ValidConfig,
    expected: &'a Expected,
    columns: &'a Columns,
    /// The header as read.
    names: &'a [String],
    /// Empty while the employees table is read.
    known: &'a Known,
}

impl Checker<'_> {
    /// Checks the field count and UTF-8 of one CSV record, then its fields
    /// with `check`; `spare` is a field buffer kept between calls (see [`recycle`]).
    fn record<T>(
        &self,
        record: &csv::ByteRecord,
        spare: &mut Vec<Option<&'static str>>,
        check: impl Fn(&Self, u64, &[Option<&str>]) -> Parsed<T>,
    ) -> Parsed<T> {
        let line = record.position().map_or(0, |p| p.line());
        if record.len() == 1 && record[0].trim_ascii().is_empty() {
            return Parsed::Blank; // a blank line (LF blank lines never reach here; CRLF ones do)
        }
        if record.len() != self.names.len() {
            let raw: Vec<String> = record
                .iter()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect();
            return Parsed::Rejected(
                Box::new(Rejection {
                    file: self.table,
                    line,
                    column: None,
                    value: cut(&raw.join(",")),
                    kind: RejectionKind::WrongFieldCount,
                    reason: format!(
                        "the row has {} fields; expected {}, as many as the header",
                        record.len(),
                        self.names.len()
                    ),
                }),
                None,
            );
        }
        let mut fields = recycle(std::mem::take(spare));
        for (i, raw) in record.iter().enumerate() {
            match std::str::from_utf8(raw) {
                Ok(s) => {
                    let s = s.trim();
                    fields.push(if s.is_empty() { None } else { Some(s) });
                }
                Err(_) => {
                    *spare = recycle(fields);
                    return Parsed::Rejected(
                        Box::new(Rejection {
                            file: self.table,
                            line,
                            column: Some(self.names[i].trim().to_string()),
                            value: cut(&String::from_utf8_lossy(raw)),
                            kind: RejectionKind::InvalidUtf8,
                            reason: "the value is not valid UTF-8; expected UTF-8 text".into(),
                        }),
                        None,
                    );
                }
            }
        }
        let parsed = check(self, line, &fields);
        *spare = recycle(fields);
        parsed
    }

    fn row<'r>(&'r self, line: u64, fields: &'r [Option<&'r str>]) -> Row<'r> {
        Row {
            table: self.table,
            line,
            names: contract_columns(self.table),
            columns: self.columns,
            fields,
        }
    }

    /// Checks an employee row (the duplicate-id and exit-before-hire checks
    /// come when it is applied, in file order).
    fn employee_row(&self, line: u64, fields: &[Option<&str>]) -> Parsed<PendingEmployee> {
        match self.employee(&self.row(line, fields)) {
            Ok(e) => Parsed::Accepted((e, line)),
            Err(r) => Parsed::Rejected(Box::new(r), None),
        }
    }

    /// Checks an event row.
    fn event_row(&self, line: u64, fields: &[Option<&str>]) -> Parsed<PendingEvent> {
        match self.event(&self.row(line, fields)) {
            Ok((employee, event)) => Parsed::Accepted((employee, fingerprint(fields), event)),
            Err(r) => Parsed::Rejected(Box::new(r), Some(row_hash(fields))),
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

    fn event(&self, row: &Row) -> Result<(u32, Event), Rejection> {
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

        let Some(&employee) = self.known.index.get(employee_id) else {
            return Err(row.reject(
                Some(V_ID),
                employee_id,
                RejectionKind::UnknownEmployee,
                "no such employee_id in the employees table; expected an accepted employee".into(),
            ));
        };
        let Some(e) = self.known.employees.get(employee as usize) else {
            return Err(row.reject(
                Some(V_ID),
                employee_id,
                RejectionKind::UnknownEmployee,
                "no such employee_id in the employees table; expected an accepted employee".into(),
            ));
        };
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
        Ok((
            employee,
            Event {
                date,
                kind,
                line: row.line,
            },
        ))
    }
}

/// What the applied rows add up to so far.
struct Acc {
    strict: bool,
    /// Events that passed the row checks, in file order.
    events: Vec<PendingEvent>,
    /// Fingerprints of rejected event rows, to drop their exact duplicates.
    rejected_seen: HashSet<u128, FixedState>,
    employees_report: TableReport,
    events_report: TableReport,
    rejections: Vec<Rejection>,
    latest: Option<NaiveDate>,
}

impl Acc {
    fn table_report(&mut self, table: Table) -> &mut TableReport {
        match table {
            Table::Employees => &mut self.employees_report,
            Table::Events => &mut self.events_report,
        }
    }

    fn reject(&mut self, rejection: Rejection) -> Result<()> {
        self.table_report(rejection.file).rejected += 1;
        if self.strict {
            return Err(Error::Rejected(Box::new(rejection)));
        }
        self.rejections.push(rejection);
        Ok(())
    }

    /// A rejected row, unless it is an exact duplicate of an earlier one.
    fn rejected(&mut self, rejection: Rejection, fingerprint: Option<u128>) -> Result<()> {
        if let Some(f) = fingerprint {
            if !self.rejected_seen.insert(f) {
                self.table_report(rejection.file).duplicates_dropped += 1;
                return Ok(());
            }
        }
        self.reject(rejection)
    }

    fn see_date(&mut self, date: NaiveDate) {
        self.latest = Some(self.latest.map_or(date, |l| l.max(date)));
    }

    fn apply_employee(&mut self, known: &mut Known, parsed: Parsed<PendingEmployee>) -> Result<()> {
        let (e, line) = match parsed {
            Parsed::Blank => return Ok(()),
            Parsed::Rejected(r, f) => {
                self.employees_report.rows_read += 1;
                return self.rejected(*r, f);
            }
            Parsed::Accepted(v) => v,
        };
        self.employees_report.rows_read += 1;
        let reject = |column: usize, value: &str, kind, reason: String| Rejection {
            file: Table::Employees,
            line,
            column: Some(EMPLOYEE_COLUMNS[column].0.to_string()),
            value: cut(value),
            kind,
            reason,
        };
        if known.index.contains_key(&e.employee_id) {
            return self.reject(reject(
                col::E_ID,
                &e.employee_id,
                RejectionKind::DuplicateEmployee,
                "the employee_id appeared on an earlier row (kept); expected each id once".into(),
            ));
        }
        if let Some(x) = e.exit_date {
            if x < e.hire_date {
                return self.reject(reject(
                    col::E_EXIT,
                    &x.to_string(),
                    RejectionKind::ExitBeforeHire,
                    format!(
                        "the exit_date is before the hire_date {}; expected a date on or after it",
                        e.hire_date
                    ),
                ));
            }
        }
        self.see_date(e.hire_date);
        if let Some(x) = e.exit_date {
            self.see_date(x);
        }
        known
            .index
            .insert(e.employee_id.clone(), known.employees.len() as u32);
        known.employees.push(e);
        self.employees_report.accepted += 1;
        Ok(())
    }

    fn apply_event(&mut self, parsed: Parsed<PendingEvent>) -> Result<()> {
        match parsed {
            Parsed::Blank => Ok(()),
            Parsed::Rejected(r, f) => {
                self.events_report.rows_read += 1;
                self.rejected(*r, f)
            }
            Parsed::Accepted(v) => {
                self.events_report.rows_read += 1;
                self.see_date(v.2.date);
                self.events.push(v);
                Ok(())
            }
        }
    }
}

fn contract_columns(table: Table) -> &'static [(&'static str, bool)] {
    match table {
        Table::Employees => EMPLOYEE_COLUMNS,
        Table::Events => EVENT_COLUMNS,
    }
}

/// Collects rows of both tables and builds the [`Dataset`].
struct Builder<'c> {
    config: &'c ValidConfig,
    expected: Expected,
    known: Known,
    acc: Acc,
}

impl<'c> Builder<'c> {
    fn new(config: &'c ValidConfig) -> Self {
        Builder {
            config,
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
            known: Known::default(),
            acc: Acc {
                strict: config.strict(),
                events: Vec::new(),
                rejected_seen: HashSet::default(),
                employees_report: TableReport::default(),
                events_report: TableReport::default(),
                rejections: Vec::new(),
                latest: None,
            },
        }
    }

    fn header(&mut self, table: Table, names: &[String]) -> Result<Columns> {
        let contract = contract_columns(table);
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
        self.acc.table_report(table).unknown_columns = unknown;
        Ok(Columns { positions })
    }

    /// The checker of `table`'s rows, the accumulator, and (employees only)
    /// the accepted employees their rows are added to. Event rows are
    /// checked against those employees, so for them it is `None`; employee
    /// rows are checked against `none`.
    fn parts<'a>(
        &'a mut self,
        table: Table,
        columns: &'a Columns,
        names: &'a [String],
        none: &'a Known,
    ) -> (Checker<'a>, &'a mut Acc, Option<&'a mut Known>) {
        let Builder {
            config,
            expected,
            known,
            acc,
        } = self;
        let (against, adds_to) = match table {
            Table::Employees => (none, Some(known)),
            Table::Events => (&*known, None),
        };
        let checker = Checker {
            table,
            config,
            expected,
            columns,
            names,
            known: against,
        };
        (checker, acc, adds_to)
    }

    /// Second pass: drops exact duplicates, replays each employee's events
    /// in timeline order and builds the timelines (employees in parallel).
    fn finish(self) -> Result<Dataset> {
        let Builder {
            config,
            known,
            mut acc,
            ..
        } = self;
        let as_of_configured = config.as_of().is_some();
        // No configured date and no dated row accepted: there is nothing to
        // take the analysis date from (it used to become the earliest
        // representable date).
        let as_of = config.as_of().or(acc.latest).ok_or(Error::NoAnalysisDate)?;
        acc.rejected_seen = HashSet::default();
        let Known { employees, index } = known;
        drop(index);
        let mut events = std::mem::take(&mut acc.events);
        // Each employee's events together, by date and same-day rank; exact
        // duplicates (equal fingerprints, hence equal dates and ranks) side
        // by side, the first in the file first.
        events.par_sort_unstable_by_key(|(who, fingerprint, e)| {
            (*who, e.date, e.kind.same_day_rank(), *fingerprint, e.line)
        });
        let checked: Vec<Checked> = events
            .par_chunk_by_mut(|a, b| a.0 == b.0)
            .filter_map(|chunk| {
                let who = chunk.first()?.0;
                let grade = employees.get(who as usize)?.grade;
                Some(check_employee_events(who, chunk, grade, as_of))
            })
            .collect();
        drop(events);
        let mut per_employee: Vec<Vec<Event>> = Vec::new();
        per_employee.resize_with(employees.len(), Vec::new);
        for c in checked {
            acc.events_report.duplicates_dropped += c.duplicates;
            acc.events_report.accepted += c.events.len() as u64;
            for r in c.rejected {
                acc.reject(r)?;
            }
            if let Some(slot) = per_employee.get_mut(c.employee as usize) {
                *slot = c.events;
            }
        }
        let timelines = employees
            .into_par_iter()
            .zip(per_employee)
            .map(|(e, events)| Timeline::new(e, events))
            .collect();
        acc.rejections.sort_by_key(|r| (r.file, r.line));
        Ok(Dataset {
            timelines,
            report: IngestReport {
                employees: acc.employees_report,
                events: acc.events_report,
                as_of,
                as_of_configured,
                rejections: acc.rejections,
            },
        })
    }
}

/// One employee's events after the second pass.
struct Checked {
    employee: u32,
    events: Vec<Event>,
    rejected: Vec<Rejection>,
    duplicates: u64,
}

/// The second pass over one employee's events, sorted as in
/// [`Builder::finish`]: drops exact duplicates, then replays the rest in
/// timeline order (date, same-day rank, line) with [`sequence_check`].
fn check_employee_events(
    employee: u32,
    chunk: &mut [PendingEvent],
    hire_grade: u32,
    as_of: NaiveDate,
) -> Checked {
    let placeholder = || Event {
        date: NaiveDate::MIN,
        kind: EventKind::ChildBirth,
        line: 0,
    };
    let mut kept: Vec<Event> = Vec::with_capacity(chunk.len());
    let mut duplicates = 0;
    let mut previous: Option<(NaiveDate, u8, u64)> = None;
    for (_, fingerprint, ev) in chunk.iter_mut() {
        let key = (ev.date, ev.kind.same_day_rank(), *fingerprint);
        if previous == Some(key) {
            duplicates += 1;
            continue;
        }
        previous = Some(key);
        kept.push(std::mem::replace(ev, placeholder()));
    }
    // Back to file order among same-day events of the same rank.
    kept.sort_by_key(|e| (e.date, e.kind.same_day_rank(), e.line));
    let mut grade = hire_grade;
    let mut open: Option<(LeaveType, NaiveDate)> = None;
    let mut rejected = Vec::new();
    kept.retain(|ev| {
        if let Some(r) = sequence_check(ev, grade, open, as_of) {
            rejected.push(r);
            return false;
        }
        match &ev.kind {
            EventKind::LeaveStart { leave_type } => open = Some((*leave_type, ev.date)),
            EventKind::LeaveEnd { .. } => open = None,
            EventKind::Promotion(r) | EventKind::RoleChange(r) => grade = r.grade.unwrap_or(grade),
            _ => {}
        }
        true
    });
    kept.shrink_to_fit();
    Checked {
        employee,
        events: kept,
        rejected,
        duplicates,
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

/// A 64-bit fingerprint of an accepted event row's fields. Only rows of the
/// same employee, date and same-day rank are compared by it, a few at a
/// time: a false match within one employee's day is out of reach (about
/// 10⁻¹⁹ per pair).
fn fingerprint(fields: &[Option<&str>]) -> u64 {
    foldhash::quality::FixedState::with_seed(0x243f_6a88_85a3_08d3).hash_one(fields)
}
