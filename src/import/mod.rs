#![doc = include_str!("../../docs/import.md")]

mod build;
mod fields;
mod mapping;
mod read;
mod text;

pub use mapping::{
    Blank, ChangeDate, Columns, ExitDate, Files, HoursFormat, LeaveEnd, LeftCensored, Mapping,
    Settings, Source,
};
pub use text::fold;

use crate::schema::{
    EmployeeRow, EmploymentType, EventKind, EventRow, ExitReason, Gender, InitiatedBy, Name,
};
use crate::{Dataset, ValidConfig};
use build::{HistoryOptions, Notes, Origin};
use chrono::NaiveDate;
use fields::{Layout, Row, Shape};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Why an import could not run at all (a row that cannot be mapped is an
/// [`ImportRejection`] instead, and the import goes on).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path tried.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The mapping file is not valid: a key, a value, or a mapped column
    /// that the shape does not have.
    #[error("mapping{}: {reason}", path.as_ref().map(|p| format!(" {}", p.display())).unwrap_or_default())]
    Mapping {
        /// The mapping file, when read from one.
        path: Option<PathBuf>,
        /// What is wrong, naming the section and key.
        reason: String,
    },
    /// Bytes that are not valid in the file's encoding.
    #[error("{file} line {line}: bytes that are not valid {encoding}; set `encoding` for this file in the mapping")]
    Encoding {
        /// The file, as the mapping names it.
        file: String,
        /// The first line with a malformed byte.
        line: u64,
        /// The encoding tried.
        encoding: String,
    },
    /// The CSV reader failed (unbalanced quotes, I/O).
    #[error("{file} line {line}: {reason}")]
    Csv {
        /// The file, as the mapping names it.
        file: String,
        /// The line where reading failed.
        line: u64,
        /// What the CSV reader said.
        reason: String,
    },
    /// A spreadsheet that cannot be opened, or lacks the sheet named.
    #[error("{file}: {reason}")]
    Spreadsheet {
        /// The file, as the mapping names it.
        file: String,
        /// What is wrong.
        reason: String,
    },
    /// A column the mapping names is not in the file's header.
    #[error("{file}: no column {column:?} (mapped to `{field}`) in the header; found {found}")]
    MissingColumn {
        /// The file, as the mapping names it.
        file: String,
        /// The header the mapping names.
        column: String,
        /// The field it is mapped to.
        field: String,
        /// The headers the file has.
        found: String,
    },
}

/// A row (or one value in it) that could not be imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportRejection {
    /// The file, as the mapping names it.
    pub file: String,
    /// Line in the file (the header is the line the mapping gives, 1 by
    /// default); in a spreadsheet, the row number.
    pub line: u64,
    /// The header of the column, when one value is at fault.
    pub column: Option<String>,
    /// The sheet, when the file is a spreadsheet.
    pub sheet: Option<String>,
    /// The cell (`C7`), when the file is a spreadsheet and one value is at
    /// fault (the first column of a tuple).
    pub cell: Option<String>,
    /// The value (folded; at most 200 characters).
    pub value: String,
    /// What was expected instead.
    pub reason: String,
}

impl std::fmt::Display for ImportRejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(s) = &self.sheet {
            write!(f, " sheet {s:?}")?;
        }
        match &self.cell {
            Some(c) => write!(f, " cell {c}")?,
            None => write!(f, " line {}", self.line)?,
        }
        if let Some(c) = &self.column {
            write!(f, ", column {c:?}")?;
        }
        write!(f, ", value {:?}: {}", self.value, self.reason)
    }
}

/// One employee the import produced: her `employees` row, typed as
/// [`ImportedEvent`] is. The fields from `department` on are her state on
/// the hire date; her `employees.csv` row is [`ImportedEmployee::row`].
///
/// A field no export gives is `None` (a required one then fails the
/// contract's validation, as in [`Imported::dataset`]).
///
/// ```
/// use mommytrack::import::ImportedEmployee;
/// use mommytrack::schema::{EmploymentType, Gender};
/// let e = ImportedEmployee {
///     gender: Some(Gender::Female),
///     grade: Some(2),
///     responsibility: Some(0),
///     employment_type: Some(EmploymentType::Regular),
///     weekly_hours: Some(37.5),
///     ..ImportedEmployee::new("E1".into(), chrono::NaiveDate::from_ymd_opt(2019, 4, 1).unwrap())
/// };
/// let row = e.row();
/// assert_eq!(
///     (row.hire_date.as_str(), row.gender.as_str(), row.weekly_hours.as_str(), row.salary.as_str()),
///     ("2019-04-01", "F", "37.5", "")
/// );
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedEmployee {
    /// The employee's id.
    pub employee_id: Name,
    /// Her gender.
    pub gender: Option<Gender>,
    /// Her year of birth (from a birth year or a birth date).
    pub birth_year: Option<i32>,
    /// Her hire date.
    pub hire_date: NaiveDate,
    /// Her last day, when she has left.
    pub exit_date: Option<NaiveDate>,
    /// Why she left.
    pub exit_reason: Option<ExitReason>,
    /// Her department on the hire date.
    pub department: Option<Name>,
    /// Her grade on the hire date.
    pub grade: Option<u32>,
    /// Her responsibility level on the hire date.
    pub responsibility: Option<u8>,
    /// Her career track on the hire date.
    pub track: Option<Name>,
    /// Her manager on the hire date.
    pub manager_id: Option<Name>,
    /// Her employment type on the hire date.
    pub employment_type: Option<EmploymentType>,
    /// Her weekly hours on the hire date.
    pub weekly_hours: Option<f64>,
    /// Her salary on the hire date.
    pub salary: Option<f64>,
}

impl ImportedEmployee {
    /// An employee with an id and a hire date and no other field.
    pub fn new(employee_id: Name, hire_date: NaiveDate) -> ImportedEmployee {
        ImportedEmployee {
            employee_id,
            gender: None,
            birth_year: None,
            hire_date,
            exit_date: None,
            exit_reason: None,
            department: None,
            grade: None,
            responsibility: None,
            track: None,
            manager_id: None,
            employment_type: None,
            weekly_hours: None,
            salary: None,
        }
    }

    /// The contract's `employees` row, as [`Imported::to_csv`] writes it.
    pub fn row(&self) -> EmployeeRow {
        fn text<T: std::fmt::Display>(v: Option<T>) -> String {
            v.map_or(String::new(), |v| v.to_string())
        }
        EmployeeRow {
            employee_id: self.employee_id.to_string(),
            gender: text(self.gender.map(Gender::as_str)),
            birth_year: text(self.birth_year),
            hire_date: self.hire_date.to_string(),
            exit_date: text(self.exit_date),
            exit_reason: text(self.exit_reason.map(ExitReason::as_str)),
            department: text(self.department.as_deref()),
            grade: text(self.grade),
            responsibility: text(self.responsibility),
            track: text(self.track.as_deref()),
            manager_id: text(self.manager_id.as_deref()),
            employment_type: text(self.employment_type.map(EmploymentType::as_str)),
            weekly_hours: text(self.weekly_hours),
            salary: text(self.salary),
        }
    }
}

/// One event the import produced, with the precision of its date.
///
/// Typed, as the contract's validated events are ([`EventKind`]); its
/// `events.csv` row is [`ImportedEvent::row`].
///
/// ```
/// use mommytrack::import::ImportedEvent;
/// use mommytrack::schema::{EventKind, LeaveType};
/// let e = ImportedEvent::new(
///     "E1".into(),
///     chrono::NaiveDate::from_ymd_opt(2024, 4, 1).unwrap(),
///     EventKind::LeaveStart { leave_type: LeaveType::Maternity },
/// );
/// let row = e.row();
/// assert_eq!((row.date.as_str(), row.event.as_str(), row.leave_type.as_str()),
///     ("2024-04-01", "leave_start", "maternity"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedEvent {
    /// The employee's id.
    pub employee_id: Name,
    /// The event's date; when it is known only to lie in an interval, the
    /// interval's last day.
    pub date: NaiveDate,
    /// What happened, with the fields its event type carries.
    pub kind: EventKind,
    /// When the date is known only to lie in an interval (a change found
    /// between two snapshots), the interval's first day. `None`: the date
    /// is exact.
    pub earliest: Option<NaiveDate>,
}

impl ImportedEvent {
    /// An event with an exact date.
    pub fn new(employee_id: Name, date: NaiveDate, kind: EventKind) -> ImportedEvent {
        ImportedEvent {
            employee_id,
            date,
            kind,
            earliest: None,
        }
    }

    /// The contract's `events` row, as [`Imported::to_csv`] writes it.
    pub fn row(&self) -> EventRow {
        let mut row = EventRow::default();
        self.fill(&mut row);
        row
    }

    /// Writes the row into `row`, reusing its strings (every field is set).
    fn fill(&self, row: &mut EventRow) {
        use std::fmt::Write;
        fn put(s: &mut String, v: impl std::fmt::Display) {
            s.clear();
            let _ = write!(s, "{v}");
        }
        fn opt<T: std::fmt::Display>(s: &mut String, v: Option<T>) {
            s.clear();
            if let Some(v) = v {
                let _ = write!(s, "{v}");
            }
        }
        fn by(s: &mut String, b: InitiatedBy) {
            s.clear();
            if b != InitiatedBy::Unknown {
                s.push_str(b.as_str());
            }
        }
        put(&mut row.employee_id, &self.employee_id);
        put(&mut row.date, self.date);
        put(&mut row.event, self.kind.event_type().as_str());
        for s in [
            &mut row.leave_type,
            &mut row.grade,
            &mut row.responsibility,
            &mut row.track,
            &mut row.department,
            &mut row.manager_id,
            &mut row.initiated_by,
            &mut row.rating,
            &mut row.employment_type,
            &mut row.weekly_hours,
            &mut row.salary,
        ] {
            s.clear();
        }
        match &self.kind {
            EventKind::LeaveStart { leave_type } | EventKind::LeaveEnd { leave_type } => {
                row.leave_type.push_str(leave_type.as_str())
            }
            EventKind::RoleChange(r) | EventKind::Promotion(r) => {
                opt(&mut row.grade, r.grade);
                opt(&mut row.responsibility, r.responsibility);
                opt(&mut row.track, r.track.as_deref());
                opt(&mut row.department, r.department.as_deref());
                opt(&mut row.manager_id, r.manager_id.as_deref());
                by(&mut row.initiated_by, r.initiated_by);
            }
            EventKind::Evaluation { rating } => put(&mut row.rating, rating),
            EventKind::EmploymentChange {
                employment_type,
                initiated_by,
            } => {
                row.employment_type.push_str(employment_type.as_str());
                by(&mut row.initiated_by, *initiated_by);
            }
            EventKind::HoursChange {
                weekly_hours,
                initiated_by,
            } => {
                put(&mut row.weekly_hours, weekly_hours);
                by(&mut row.initiated_by, *initiated_by);
            }
            EventKind::SalaryChange { salary } => put(&mut row.salary, salary),
            EventKind::ChildBirth => {}
        }
    }
}

/// What became of one input row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Outcome {
    Accepted = 0,
    Rejected,
    /// An earlier version of a record that a later row corrects.
    Superseded,
    /// Dated after `[settings] as_of`.
    AfterAsOf,
}

/// What became of each row, by row index; rows of different employees are
/// set from different threads.
pub(crate) struct Outcomes(Vec<std::sync::atomic::AtomicU8>);

impl Outcomes {
    fn new(v: Vec<Outcome>) -> Outcomes {
        Outcomes(
            v.into_iter()
                .map(|o| std::sync::atomic::AtomicU8::new(o as u8))
                .collect(),
        )
    }

    pub(crate) fn set(&self, id: usize, o: Outcome) {
        self.0[id].store(o as u8, std::sync::atomic::Ordering::Relaxed);
    }

    pub(crate) fn get(&self, id: usize) -> Outcome {
        match self.0[id].load(std::sync::atomic::Ordering::Relaxed) {
            0 => Outcome::Accepted,
            1 => Outcome::Rejected,
            2 => Outcome::Superseded,
            _ => Outcome::AfterAsOf,
        }
    }
}

/// Rows of one input file and what became of them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FileReport {
    /// The file, as the mapping names it.
    pub file: String,
    /// The mapping section that read it (`history[0]`, `leaves[1]`, …).
    pub section: String,
    /// The encoding it was read in.
    pub encoding: String,
    /// Data rows read (blank rows and skipped rows not counted).
    pub rows: u64,
    /// Rows used.
    pub accepted: u64,
    /// Rows rejected (each has at least one rejection).
    pub rejected: u64,
    /// Rows replaced by a later correction of the same record.
    pub superseded: u64,
    /// Rows dated after `[settings] as_of`.
    pub after_as_of: u64,
}

/// What a snapshot series gave and lacked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SnapshotReport {
    /// Distinct snapshot dates.
    pub snapshot_dates: u64,
    /// The first and last snapshot dates.
    pub first: Option<NaiveDate>,
    /// The last snapshot date.
    pub last: Option<NaiveDate>,
    /// Months (`YYYY-MM`) between the first and last snapshot with no
    /// snapshot (when `period = "month"`).
    pub missing_periods: Vec<String>,
    /// Employees whose hire date is their first snapshot's date (no column
    /// gave it; the hire lies between the previous snapshot and that one).
    pub hires_dated_by_snapshot: u64,
    /// Employees present in the first snapshot with no hire date, taken as
    /// hired on it (`left_censored = "first_snapshot"`).
    pub left_censored: u64,
    /// Employees missing from a snapshot between two they are in.
    pub employees_with_gaps: u64,
    /// Employees whose exit date is their last snapshot's date (they are
    /// missing from the next one; the exit lies between the two).
    pub exits_dated_by_snapshot: u64,
}

/// How exactly the events' dates are known.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DatePrecision {
    /// Events with an exact date.
    pub exact: u64,
    /// Events known only to lie in an interval (`date_earliest` to `date`).
    pub interval: u64,
    /// The widest such interval, in days.
    pub widest_interval_days: i64,
}

/// Everything the import did, for `import_report.json`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// Each input file.
    pub files: Vec<FileReport>,
    /// Employees produced.
    pub employees: u64,
    /// Events produced.
    pub events: u64,
    /// Rejections (see [`Imported::rejections`]).
    pub rejections: u64,
    /// Precision of the events' dates.
    pub dates: DatePrecision,
    /// The snapshot series, when the mapping has one.
    pub snapshots: Option<SnapshotReport>,
    /// Values with no entry in their code table, by `section.field`, with
    /// how many rows carry each: what to add to the mapping.
    pub unmapped_codes: BTreeMap<String, BTreeMap<String, u64>>,
    /// Employees whose history starts after their hire date (its first day
    /// is taken as the state at hire).
    pub history_starts_after_hire: u64,
    /// History rows dated before the hire date (folded into the state at hire).
    pub rows_before_hire: u64,
    /// Values cleared by a row that the contract cannot clear (kept, each
    /// with a rejection).
    pub clears_refused: u64,
}

/// The contract's `employees` and `events`, made from HR exports.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The `employees` table, by id.
    pub employees: Vec<ImportedEmployee>,
    /// The `events` table, by employee then date.
    pub events: Vec<ImportedEvent>,
    /// Every row or value that could not be imported.
    pub rejections: Vec<ImportRejection>,
    /// Counts per file and what was derived.
    pub report: ImportReport,
}

fn event_record<'a>(r: &'a EventRow, earliest: &'a str) -> [&'a str; 15] {
    [
        &r.employee_id,
        &r.date,
        &r.event,
        &r.leave_type,
        &r.grade,
        &r.responsibility,
        &r.track,
        &r.department,
        &r.manager_id,
        &r.initiated_by,
        &r.rating,
        &r.employment_type,
        &r.weekly_hours,
        &r.salary,
        earliest,
    ]
}

impl Imported {
    /// The `employees` and `events` tables as contract CSV bytes. The events
    /// carry one optional column after the contract's, `date_earliest`:
    /// filled when the date is known only to lie between it and `date`.
    pub fn to_csv(&self) -> Result<(Vec<u8>, Vec<u8>), csv::Error> {
        let mut w = csv::Writer::from_writer(vec![]);
        for e in &self.employees {
            w.serialize(e.row())?;
        }
        if self.employees.is_empty() {
            w.write_record(crate::schema::EMPLOYEE_COLUMNS.iter().map(|c| c.0))?;
        }
        let employees = w.into_inner().map_err(|e| e.into_error())?;
        let mut w = csv::Writer::from_writer(vec![]);
        w.write_record(
            crate::schema::EVENT_COLUMNS
                .iter()
                .map(|c| c.0)
                .chain(["date_earliest"]),
        )?;
        let (mut row, mut earliest) = (EventRow::default(), String::new());
        for e in &self.events {
            e.fill(&mut row);
            earliest.clear();
            if let Some(d) = e.earliest {
                use std::fmt::Write;
                let _ = write!(earliest, "{d}");
            }
            w.write_record(event_record(&row, &earliest))?;
        }
        let events = w.into_inner().map_err(|e| e.into_error())?;
        Ok((employees, events))
    }

    /// Writes `employees.csv`, `events.csv`, `import_rejections.csv` and
    /// `import_report.json` into `dir`.
    pub fn write(&self, dir: &Path) -> Result<(), ImportError> {
        let io = |path: PathBuf| move |source| ImportError::Io { path, source };
        std::fs::create_dir_all(dir).map_err(io(dir.to_path_buf()))?;
        let csv_err = |e: csv::Error| std::io::Error::other(e.to_string());
        let (emp, ev) = self.to_csv().map_err(|e| ImportError::Io {
            path: dir.to_path_buf(),
            source: csv_err(e),
        })?;
        let put = |name: &str, bytes: &[u8]| {
            let p = dir.join(name);
            std::fs::write(&p, bytes).map_err(io(p))
        };
        put("employees.csv", &emp)?;
        put("events.csv", &ev)?;
        let mut w = csv::Writer::from_writer(vec![]);
        w.write_record(["file", "line", "column", "value", "reason", "sheet", "cell"])
            .and_then(|_| {
                self.rejections.iter().try_for_each(|r| {
                    w.write_record([
                        r.file.as_str(),
                        &r.line.to_string(),
                        r.column.as_deref().unwrap_or(""),
                        &r.value,
                        &r.reason,
                        r.sheet.as_deref().unwrap_or(""),
                        r.cell.as_deref().unwrap_or(""),
                    ])
                })
            })
            .map_err(|e| ImportError::Io {
                path: dir.join("import_rejections.csv"),
                source: csv_err(e),
            })?;
        let rej = w.into_inner().map_err(|e| ImportError::Io {
            path: dir.join("import_rejections.csv"),
            source: std::io::Error::other(e.to_string()),
        })?;
        put("import_rejections.csv", &rej)?;
        let json = serde_json::to_string_pretty(&self.report).map_err(|e| ImportError::Io {
            path: dir.join("import_report.json"),
            source: std::io::Error::other(e),
        })?;
        put("import_report.json", (json + "\n").as_bytes())
    }

    /// Ingests the imported tables as a [`Dataset`], through every
    /// validation rule of the contract: what the importer made and the
    /// contract refuses is in the dataset's own report, by line of the
    /// tables [`Imported::to_csv`] writes.
    pub fn dataset(&self, config: &ValidConfig) -> crate::Result<Dataset> {
        let (emp, ev) = self.to_csv().map_err(|e| crate::Error::Csv {
            table: crate::Table::Events,
            line: 0,
            source: e,
        })?;
        Dataset::builder(config).from_readers(emp.as_slice(), ev.as_slice())
    }
}

/// Reads the exports a mapping file names (paths relative to the mapping
/// file's folder) and imports them: see [`import`].
pub fn import_file(mapping: impl AsRef<Path>) -> Result<Imported, ImportError> {
    let path = mapping.as_ref();
    let m = Mapping::from_file(path)?;
    let base = path.parent().unwrap_or(Path::new("."));
    import(&m, base).map_err(|e| match e {
        ImportError::Mapping { path: None, reason } => ImportError::Mapping {
            path: Some(path.to_path_buf()),
            reason,
        },
        e => e,
    })
}

struct Input<'a> {
    shape: Shape,
    index: Option<usize>,
    source: &'a Source,
}

fn inputs(m: &Mapping) -> Vec<Input<'_>> {
    let mut v = Vec::new();
    if let Some(s) = &m.master {
        v.push(Input {
            shape: Shape::Master,
            index: None,
            source: s,
        });
    }
    fn many(shape: Shape, list: &[Source]) -> Vec<Input<'_>> {
        list.iter()
            .enumerate()
            .map(|(i, s)| Input {
                shape,
                index: Some(i),
                source: s,
            })
            .collect()
    }
    v.extend(many(Shape::History, &m.history));
    v.extend(many(Shape::Leaves, &m.leaves));
    v.extend(many(Shape::Family, &m.family));
    if let Some(s) = &m.snapshots {
        v.push(Input {
            shape: Shape::Snapshots,
            index: None,
            source: s,
        });
    }
    v
}

/// Every row of every file, parsed.
struct Parsed {
    files: Vec<String>,
    sheets: Vec<Option<String>>,
    reports: Vec<FileReport>,
    /// The id of each file's first row; one more, the number of rows.
    file_start: Vec<usize>,
    outcome: Vec<Outcome>,
    /// Per input, its rows in chunks (in file order).
    rows: Vec<Vec<Vec<Row>>>,
    /// Per input and chunk, where each run of one employee's consecutive
    /// rows starts (see `Chunk::starts`).
    starts: Vec<Vec<Vec<usize>>>,
    rejections: Vec<ImportRejection>,
    unmapped: BTreeMap<String, BTreeMap<String, u64>>,
}

/// The events of one employee's leave and dependents rows, in their order:
/// leaves (and a child's birth a leave row gives), then births from
/// dependents whose relation is a child; one birth per day.
fn extra_events(id: &Name, rows: &[&Row], inputs: &[Input<'_>]) -> Vec<ImportedEvent> {
    let mut out = Vec::new();
    let mut births: BTreeSet<NaiveDate> = BTreeSet::new();
    let mut birth = |out: &mut Vec<ImportedEvent>, d: NaiveDate| {
        if births.insert(d) {
            out.push(build::birth_event(id, d));
        }
    };
    for r in rows {
        let input = &inputs[r.source as usize];
        match input.shape {
            Shape::Leaves => {
                out.extend(build::leave_events(id, r, input.source.end_is));
                if let Some(d) = r.x().child_birth {
                    birth(&mut out, d);
                }
            }
            _ => {
                if let (true, Some(d)) = (r.x().is_child, r.x().birth_date) {
                    birth(&mut out, d);
                }
            }
        }
    }
    out
}

/// Rows grouped by employee slot, each slot's rows in the order given:
/// slot `k`'s rows are `rows[start[k]..start[k + 1]]`.
struct Grouped<'r> {
    rows: Vec<&'r Row>,
    start: Vec<usize>,
}

/// Groups `(slot, run of rows)` pairs by slot (`slots` of them), keeping
/// the rows' order within a slot: a counting sort.
fn group_by_slot<'r>(tagged: &[(usize, &'r [Row])], slots: usize) -> Grouped<'r> {
    let mut start = vec![0usize; slots + 1];
    for &(k, run) in tagged {
        start[k + 1] += run.len();
    }
    for k in 0..slots {
        start[k + 1] += start[k];
    }
    let mut next = start.clone();
    let mut rows = match tagged.iter().find_map(|(_, run)| run.first()) {
        Some(r) => vec![r; start[slots]],
        None => vec![],
    };
    for &(k, run) in tagged {
        for (to, r) in rows[next[k]..next[k] + run.len()].iter_mut().zip(run) {
            *to = r;
        }
        next[k] += run.len();
    }
    Grouped { rows, start }
}

impl<'r> Grouped<'r> {
    /// Each slot's rows.
    fn slices(&self) -> Vec<&[&'r Row]> {
        self.start
            .windows(2)
            .map(|w| &self.rows[w[0]..w[1]])
            .collect()
    }

    /// Each slot's rows, to reorder in place.
    fn slices_mut(&mut self) -> Vec<&mut [&'r Row]> {
        let mut rest = self.rows.as_mut_slice();
        self.start
            .windows(2)
            .map(|w| {
                let (a, b) = std::mem::take(&mut rest).split_at_mut(w[1] - w[0]);
                rest = b;
                a
            })
            .collect()
    }
}

/// The size of the pieces a CSV file is parsed in, on rayon's pool: about
/// 1 MB, enough pieces to keep every thread busy. Under cargo-fuzz
/// (`--cfg fuzzing`) 512 bytes, so that the fuzzers' inputs (up to 8 KB)
/// are cut into pieces too, and the cutting and its fallback are fuzzed
/// with the rest (64 bytes halved the executions a second: 516 against
/// 1,121 on `export_history`).
const PIECE: usize = if cfg!(fuzzing) { 512 } else { 1 << 20 };

/// One employee to build: her slot, id, master row, history or snapshot
/// rows, and leave and dependents rows.
type Work<'a, 'r> = (
    usize,
    &'r Name,
    Option<&'r Row>,
    &'a mut [&'r Row],
    &'a [&'r Row],
);

/// What a run of consecutive employees built (see `import_files`).
#[derive(Default)]
struct Batch {
    /// Their slots, of those imported.
    made: Vec<usize>,
    employees: Vec<ImportedEmployee>,
    events: Vec<ImportedEvent>,
    rejections: Vec<ImportRejection>,
    notes: Notes,
    counts: SnapshotReport,
}

/// One chunk of a file's rows, parsed.
struct Chunk {
    rows: Vec<Row>,
    /// Where each run of rows sharing one id allocation starts (rows of
    /// one employee parsed one after another, see `fields::Interned`): a
    /// run never mixes employees, and one employee's rows may make several.
    starts: Vec<usize>,
    outcome: Vec<Outcome>,
    rejections: Vec<ImportRejection>,
    unmapped: BTreeMap<String, BTreeMap<String, u64>>,
}

/// A parsed row's checks that need its whole: `Err(None)` when it is dated
/// after `as_of`, `Err(Some(_))` when it is rejected.
fn check_row(
    row: &Row,
    inp: &Input<'_>,
    as_of: Option<NaiveDate>,
    table: &read::RawTable,
    file: &str,
    line: u64,
) -> Result<(), Option<Box<ImportRejection>>> {
    let dated = match inp.shape {
        Shape::Family => row.x().birth_date,
        Shape::Leaves => row.x().start,
        _ => row.date,
    };
    if as_of.is_some_and(|a| dated.is_some_and(|d| d > a)) {
        return Err(None);
    }
    if inp.shape == Shape::Leaves {
        if let (Some(s), Some(e)) = (row.x().start, row.x().end) {
            let (back, name) = match inp.source.end_is {
                LeaveEnd::LastDay => (e.succ_opt().unwrap_or(e), "last_day"),
                LeaveEnd::FirstDayBack => (e, "first_day_back"),
            };
            if back <= s {
                return Err(Some(Box::new(ImportRejection {
                    file: file.to_string(),
                    line,
                    column: None,
                    sheet: table.sheet.clone(),
                    cell: None,
                    value: format!("{s} – {e}"),
                    reason: format!("a leave that ends after it starts (end_is = \"{name}\")"),
                })));
            }
        }
    }
    Ok(())
}

fn parse_all(m: &Mapping, inputs: &[Input], files: &Store<'_>) -> Result<Parsed, ImportError> {
    let resolved = m.resolve()?;
    let mut p = Parsed {
        files: vec![],
        sheets: vec![],
        reports: vec![],
        file_start: vec![0],
        outcome: vec![],
        rows: inputs.iter().map(|_| vec![]).collect(),
        starts: inputs.iter().map(|_| vec![]).collect(),
        rejections: vec![],
        unmapped: BTreeMap::new(),
    };
    // Each file in the mapping's order: read, its header found, then its
    // rows parsed on rayon's pool in pieces of consecutive rows, each
    // piece's rows kept in the piece's vector (a row is large: it is not
    // moved again), the pieces in file order.
    // The next file is read from disk while this one is parsed.
    let list: Vec<(usize, &str)> = inputs
        .iter()
        .enumerate()
        .flat_map(|(si, inp)| inp.source.files().into_iter().map(move |f| (si, f)))
        .collect();
    let mut next = list.first().map(|&(_, f)| files.load(f));
    for (k, &(si, f)) in list.iter().enumerate() {
        let Some(bytes) = next.take() else { break };
        let bytes = bytes?;
        let (done, following) = rayon::join(
            || parse_file(m, inputs, &resolved, si, f, &bytes, &mut p),
            || list.get(k + 1).map(|&(_, f)| files.load(f)),
        );
        done?;
        next = following;
    }
    Ok(p)
}

/// Reads one file's rows into `p` (see [`parse_all`]).
fn parse_file(
    m: &Mapping,
    inputs: &[Input],
    resolved: &mapping::Resolved,
    si: usize,
    f: &str,
    bytes: &[u8],
    p: &mut Parsed,
) -> Result<(), ImportError> {
    let inp = &inputs[si];
    let layout_of = |table: &read::RawTable| {
        Layout::new(
            inp.shape,
            inp.index,
            inp.source,
            table,
            m.settings.full_time_hours,
            m.settings.days_per_week,
            m.settings.clear_token.as_deref(),
        )
    };
    // One piece's rows (`most` at most) parsed into a chunk; rows
    // numbered within it.
    let parse_piece = |table: &read::RawTable,
                       layout: &Layout,
                       most: usize,
                       rows: &mut read::Feed<'_>|
     -> Chunk {
        let mut interned = fields::Interned::default();
        let mut c = Chunk {
            rows: Vec::with_capacity(most),
            starts: vec![],
            outcome: Vec::with_capacity(most),
            rejections: vec![],
            unmapped: BTreeMap::new(),
        };
        rows(&mut |line, cells| {
            let o = match layout.parse(table, line, cells, resolved, &mut c.unmapped, &mut interned)
            {
                Err(x) => {
                    c.rejections.push(*x);
                    Outcome::Rejected
                }
                Ok(mut row) => {
                    row.id = c.outcome.len();
                    row.source = si as u32;
                    match check_row(&row, inp, m.settings.as_of, table, f, line) {
                        Ok(()) => {
                            let same = c.rows.last().is_some_and(|l| {
                                std::sync::Arc::ptr_eq(&l.employee_id, &row.employee_id)
                            });
                            if !same {
                                c.starts.push(c.rows.len());
                            }
                            c.rows.push(row);
                            Outcome::Accepted
                        }
                        Err(None) => Outcome::AfterAsOf,
                        Err(Some(x)) => {
                            c.rejections.push(*x);
                            Outcome::Rejected
                        }
                    }
                }
            };
            c.outcome.push(o);
        });
        c
    };
    let (table, section, mut chunks) = if read::is_spreadsheet(f) {
        let table = read::read_bytes(bytes, f, inp.source)?;
        let layout = layout_of(&table)?;
        const CHUNK: usize = 2048;
        let n = table.rows.len();
        let chunks = (0..n.div_ceil(CHUNK))
            .into_par_iter()
            .map(|k| {
                let range = k * CHUNK..n.min((k + 1) * CHUNK);
                parse_piece(&table, &layout, range.len(), &mut |each| {
                    for r in range.clone() {
                        let (line, cells) = table.rows.row(r);
                        each(line, cells);
                    }
                })
            })
            .collect();
        (table, layout.section, chunks)
    } else {
        let (text, enc) = read::decode(bytes, &inp.source.encoding, f)?;
        let (table, csv) = read::csv_head(&text, enc, f, inp.source)?;
        let layout = layout_of(&table)?;
        let chunks = csv.par_pieces(PIECE, f, |most, feed| {
            parse_piece(&table, &layout, most, feed)
        })?;
        (table, layout.section, chunks)
    };
    // rows numbered across the import
    let mut first = p.outcome.len();
    let starts: Vec<usize> = chunks
        .iter()
        .map(|c| {
            let s = first;
            first += c.outcome.len();
            s
        })
        .collect();
    chunks
        .par_iter_mut()
        .zip(starts)
        .for_each(|(c, s)| c.rows.iter_mut().for_each(|r| r.id += s));
    p.files.push(f.to_string());
    p.sheets.push(table.sheet.clone());
    p.reports.push(FileReport {
        file: f.to_string(),
        section,
        encoding: table.encoding.to_string(),
        ..Default::default()
    });
    for c in chunks {
        p.outcome.extend(c.outcome);
        p.rejections.extend(c.rejections);
        for (k, m) in c.unmapped {
            let to = p.unmapped.entry(k).or_default();
            for (code, n) in m {
                *to.entry(code).or_default() += n;
            }
        }
        p.rows[si].push(c.rows);
        p.starts[si].push(c.starts);
    }
    p.file_start.push(p.outcome.len());
    Ok(())
}

/// Reads the exports `mapping` names (paths relative to `base`) and makes
/// the contract's `employees` and `events` from them.
///
/// Fails only when the import cannot run (a file that cannot be read, a
/// mapping that is not valid, a mapped column missing from a header); a row
/// or value that cannot be mapped becomes an [`ImportRejection`] and the
/// rest goes on.
///
/// ```
/// use mommytrack::import::{import, Mapping};
/// let dir = std::env::temp_dir().join("mommytrack-doc-import");
/// std::fs::create_dir_all(&dir).unwrap();
/// std::fs::write(dir.join("people.csv"), "\
/// id,sex,hired,grade,level,contract,hours
/// 1,F,2015-04-01,2,1,regular,40
/// 2,Q,2016-04-01,1,0,regular,40
/// ").unwrap();
/// let m = Mapping::from_toml(r#"
///     [master]
///     file = "people.csv"
///     [master.columns]
///     employee_id = "id"
///     gender = "sex"
///     hire_date = "hired"
///     grade = "grade"
///     responsibility = "level"
///     employment_type = "contract"
///     weekly_hours = "hours"
/// "#).unwrap();
/// let out = import(&m, &dir).unwrap();
/// assert_eq!(out.employees.len(), 1);
/// assert_eq!(out.rejections[0].line, 3);
/// assert_eq!(out.rejections[0].column.as_deref(), Some("sex"));
/// ```
pub fn import(mapping: &Mapping, base: &Path) -> Result<Imported, ImportError> {
    import_files(mapping, &Store::Dir(base))
}

/// Imports exports held in memory: `files` maps each file name the mapping
/// gives to its bytes (a name the mapping gives and `files` lacks is an
/// [`ImportError::Io`] of kind `NotFound`).
///
/// ```
/// use mommytrack::import::{import_from_memory, Mapping};
/// use std::collections::BTreeMap;
/// let m = Mapping::from_toml(r#"
///     [master]
///     file = "people.csv"
///     columns = { employee_id = "id", gender = "sex", hire_date = "hired", grade = "g", responsibility = "r", employment_type = "t", weekly_hours = "h" }
/// "#).unwrap();
/// let files = BTreeMap::from([(
///     "people.csv".to_string(),
///     b"id,sex,hired,g,r,t,h\n7,F,2015-04-01,2,1,regular,40\n".to_vec(),
/// )]);
/// let out = import_from_memory(&m, &files).unwrap();
/// assert_eq!(out.employees[0].row().hire_date, "2015-04-01");
/// ```
pub fn import_from_memory(
    mapping: &Mapping,
    files: &BTreeMap<String, Vec<u8>>,
) -> Result<Imported, ImportError> {
    import_files(mapping, &Store::Memory(files))
}

/// Where the export files are.
enum Store<'a> {
    Dir(&'a Path),
    Memory(&'a BTreeMap<String, Vec<u8>>),
}

impl Store<'_> {
    fn load(&self, name: &str) -> Result<std::borrow::Cow<'_, [u8]>, ImportError> {
        match self {
            Store::Dir(base) => {
                let path = base.join(name);
                std::fs::read(&path)
                    .map(std::borrow::Cow::Owned)
                    .map_err(|source| ImportError::Io { path, source })
            }
            Store::Memory(m) => m
                .get(name)
                .map(|b| std::borrow::Cow::Borrowed(b.as_slice()))
                .ok_or_else(|| ImportError::Io {
                    path: PathBuf::from(name),
                    source: std::io::Error::new(
                        std::io::ErrorKind::NotFound,
                        "no such file among those given",
                    ),
                }),
        }
    }
}

fn import_files(mapping: &Mapping, files: &Store<'_>) -> Result<Imported, ImportError> {
    let bad = |reason: String| ImportError::Mapping { path: None, reason };
    if !mapping.history.is_empty() && mapping.snapshots.is_some() {
        return Err(bad(
            "the mapping has both [[history]] and [snapshots]: import them separately".into(),
        ));
    }
    if let Some(s) = &mapping.snapshots {
        if s.period != "month" && s.period != "none" {
            return Err(bad(format!(
                "[snapshots] period = {:?}: expected \"month\" or \"none\"",
                s.period
            )));
        }
    }
    let inputs = inputs(mapping);
    let mut p = parse_all(mapping, &inputs, files)?;
    let shape_of = |si: usize| inputs[si].shape;
    // each file's rows stay where they were parsed (rows are large: not moved)
    let mut rows: BTreeMap<Shape, Vec<Vec<Row>>> = BTreeMap::new();
    let mut starts: BTreeMap<Shape, Vec<Vec<usize>>> = BTreeMap::new();
    for (si, (r, st)) in p.rows.drain(..).zip(p.starts.drain(..)).enumerate() {
        starts.entry(shape_of(si)).or_default().extend(st);
        rows.entry(shape_of(si)).or_default().extend(r);
    }
    let origin_files = p.files.clone();
    let origin_sheets = p.sheets.clone();
    let file_start = std::mem::take(&mut p.file_start);
    let origin = Origin {
        files: &origin_files,
        sheets: &origin_sheets,
        file_start: &file_start,
    };
    let outcome = Outcomes::new(std::mem::take(&mut p.outcome));
    let mut rejections = std::mem::take(&mut p.rejections);
    let mut notes = Notes::default();
    let mut snapshot_report = None;

    let has_master = mapping.master.is_some();
    let mut employees = Vec::new();
    let mut events: Vec<ImportedEvent> = Vec::new();
    let master = rows.remove(&Shape::Master).unwrap_or_default();
    let history = rows.remove(&Shape::History).unwrap_or_default();
    let snapshots = rows.remove(&Shape::Snapshots).unwrap_or_default();
    // Employees numbered as they are first seen (the master's first), each
    // with her master row if she has one; then each history or snapshot
    // row tagged with hers and the rows grouped by employee, keeping their
    // order.
    let mut slot_of: foldhash::HashMap<&str, usize> = foldhash::HashMap::with_capacity_and_hasher(
        master.iter().map(Vec::len).sum(),
        Default::default(),
    );
    let mut names: Vec<&Name> = Vec::with_capacity(slot_of.capacity());
    let mut master_of: Vec<Option<&Row>> = Vec::with_capacity(slot_of.capacity());
    // The master: one row per employee.
    for r in master.iter().flatten() {
        match slot_of.entry(&r.employee_id) {
            std::collections::hash_map::Entry::Occupied(e) => {
                let first = master_of[*e.get()].map_or(0, |f| f.line);
                outcome.set(r.id, Outcome::Rejected);
                rejections.push(origin.reject(
                    r,
                    None,
                    &r.employee_id,
                    format!(
                        "a second master row for employee {} (the first is on line {first}): one row per employee",
                        r.employee_id
                    ),
                ));
            }
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(names.len());
                names.push(&r.employee_id);
                master_of.push(Some(r));
            }
        }
    }
    // Each chunk's runs of consecutive rows of one employee (found as they
    // were parsed): one slot looked up per run, not per row, on the pool
    // when the master gives it.
    let history_starts = starts.remove(&Shape::History).unwrap_or_default();
    let snapshot_starts = starts.remove(&Shape::Snapshots).unwrap_or_default();
    let chunks: Vec<&[Row]> = history
        .iter()
        .chain(&snapshots)
        .map(Vec::as_slice)
        .collect();
    let runs: Vec<Vec<(std::ops::Range<usize>, Option<usize>)>> = chunks
        .par_iter()
        .zip(history_starts.par_iter().chain(&snapshot_starts))
        .map(|(c, st)| {
            let ends = st.iter().skip(1).copied().chain([c.len()]);
            st.iter()
                .zip(ends)
                .map(|(&a, b)| (a..b, slot_of.get(&*c[a].employee_id).copied()))
                .collect()
        })
        .collect();
    let mut tagged: Vec<(usize, &[Row])> = Vec::with_capacity(runs.iter().map(Vec::len).sum());
    for (c, rs) in chunks.iter().zip(runs) {
        for (range, found) in rs {
            let run = &c[range];
            let id = &run[0].employee_id;
            let slot = match found.or_else(|| slot_of.get(&**id).copied()) {
                Some(k) => k,
                None if has_master => {
                    for r in run {
                        outcome.set(r.id, Outcome::Rejected);
                        rejections.push(origin.reject(
                            r,
                            None,
                            &r.employee_id,
                            format!("employee {} is not in the master file", r.employee_id),
                        ));
                    }
                    continue;
                }
                None => {
                    slot_of.insert(id, names.len());
                    names.push(id);
                    master_of.push(None);
                    names.len() - 1
                }
            };
            tagged.push((slot, run));
        }
    }
    let mut grouped = group_by_slot(&tagged, names.len());
    // employees in id order
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.par_sort_unstable_by(|&a, &b| names[a].cmp(names[b]));
    let exit_date_is: Vec<ExitDate> = inputs.iter().map(|i| i.source.exit_date_is).collect();
    let opts = HistoryOptions {
        exit_date_is: &exit_date_is,
        leaves_from_files: !mapping.leaves.is_empty(),
    };
    let dates: Vec<NaiveDate> = if mapping.snapshots.is_some() {
        grouped
            .rows
            .iter()
            .filter_map(|r| r.date)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    } else {
        vec![]
    };
    let mut snap_counts = SnapshotReport::default();
    // Each employee is built on rayon's pool; the results are taken in id order.
    // Leave and dependents rows, by employee: their events are made with
    // hers on the pool.
    let leaves = rows.remove(&Shape::Leaves).unwrap_or_default();
    let family = rows.remove(&Shape::Family).unwrap_or_default();
    let extra_rows = || leaves.iter().flatten().chain(family.iter().flatten());
    // (rows of employees with no history or snapshot row are rejected below)
    let extra_slot: Vec<Option<usize>> = extra_rows()
        .map(|r| slot_of.get(&*r.employee_id).copied())
        .collect();
    let extra_tagged: Vec<(usize, &[Row])> = extra_rows()
        .zip(&extra_slot)
        .filter_map(|(r, k)| k.map(|k| (k, std::slice::from_ref(r))))
        .collect();
    let extras = group_by_slot(&extra_tagged, names.len());
    drop((tagged, extra_tagged));
    let (mut rows_of, extras_of) = (grouped.slices_mut(), extras.slices());
    let work: Vec<Work<'_, '_>> = order
        .iter()
        .map(|&k| {
            let list = std::mem::take(&mut rows_of[k]);
            (k, names[k], master_of[k], list, extras_of[k])
        })
        .collect();
    // Built on the pool in batches of consecutive employees (in id order),
    // each batch's employees, events and rejections in one vector apiece;
    // the batches then appended in order.
    let mut batches: Vec<Batch> = work
        .into_par_iter()
        .fold_chunks(
            256,
            Batch::default,
            |mut batch, (k, id, master, list, xs)| {
                // (the builders add to the batch's rejections and counts)
                let mut b = match &mapping.snapshots {
                    Some(snap) if !list.is_empty() => build::snapshot_employee(
                        id,
                        master,
                        list,
                        &dates,
                        snap.change_date,
                        snap.left_censored,
                        &origin,
                        &outcome,
                        &mut batch.rejections,
                        &mut batch.counts,
                    ),
                    _ => build::history_employee(
                        id,
                        master,
                        list,
                        &opts,
                        &origin,
                        &outcome,
                        &mut batch.rejections,
                        &mut batch.notes,
                    ),
                };
                if let Some(e) = b.employee {
                    b.events.extend(extra_events(id, xs, &inputs));
                    b.events.sort_by_key(|e| e.date);
                    batch.made.push(k);
                    batch.employees.push(e);
                    batch.events.append(&mut b.events);
                }
                batch
            },
        )
        .collect();
    // whether each slot's employee was imported
    let mut made = vec![false; names.len()];
    // the batches' employees and their events appended side by side (most
    // of the time is the kernel giving the new vectors their pages)
    let (mut staff, mut evs): (Vec<_>, Vec<_>) = batches
        .iter_mut()
        .map(|b| {
            (
                std::mem::take(&mut b.employees),
                std::mem::take(&mut b.events),
            )
        })
        .unzip();
    rayon::join(
        || {
            employees.reserve_exact(staff.iter().map(Vec::len).sum());
            staff.iter_mut().for_each(|v| employees.append(v));
        },
        || {
            events.reserve_exact(evs.iter().map(Vec::len).sum());
            evs.iter_mut().for_each(|v| events.append(v));
        },
    );
    for mut b in batches {
        for k in b.made {
            made[k] = true;
        }
        rejections.append(&mut b.rejections);
        notes.history_starts_after_hire += b.notes.history_starts_after_hire;
        notes.rows_before_hire += b.notes.rows_before_hire;
        notes.clears_refused += b.notes.clears_refused;
        let c = &b.counts;
        snap_counts.hires_dated_by_snapshot += c.hires_dated_by_snapshot;
        snap_counts.left_censored += c.left_censored;
        snap_counts.employees_with_gaps += c.employees_with_gaps;
        snap_counts.exits_dated_by_snapshot += c.exits_dated_by_snapshot;
    }
    if let Some(snap) = &mapping.snapshots {
        snapshot_report = Some(SnapshotReport {
            snapshot_dates: dates.len() as u64,
            first: dates.first().copied(),
            last: dates.last().copied(),
            missing_periods: if snap.period == "month" {
                build::missing_months(&dates)
            } else {
                vec![]
            },
            ..snap_counts
        });
    }
    // Leave and dependents rows of employees who were not imported.
    for (r, slot) in extra_rows().zip(&extra_slot) {
        if slot.is_some_and(|k| made[k]) {
            continue;
        }
        outcome.set(r.id, Outcome::Rejected);
        let why = if slot.is_some() {
            format!(
                "employee {} could not be imported (see the rejections of their other rows)",
                r.employee_id
            )
        } else {
            format!(
                "employee {} is in no master, history or snapshot file",
                r.employee_id
            )
        };
        rejections.push(origin.reject(r, None, &r.employee_id, why));
    }

    let mut report = ImportReport {
        files: p.reports,
        employees: employees.len() as u64,
        events: events.len() as u64,
        rejections: rejections.len() as u64,
        snapshots: snapshot_report,
        unmapped_codes: p.unmapped,
        history_starts_after_hire: notes.history_starts_after_hire,
        rows_before_hire: notes.rows_before_hire,
        clears_refused: notes.clears_refused,
        ..Default::default()
    };
    for (f, w) in report.files.iter_mut().zip(file_start.windows(2)) {
        for id in w[0]..w[1] {
            f.rows += 1;
            match outcome.get(id) {
                Outcome::Accepted => f.accepted += 1,
                Outcome::Rejected => f.rejected += 1,
                Outcome::Superseded => f.superseded += 1,
                Outcome::AfterAsOf => f.after_as_of += 1,
            }
        }
    }
    for e in &events {
        match e.earliest {
            None => report.dates.exact += 1,
            Some(first) => {
                report.dates.interval += 1;
                report.dates.widest_interval_days = report
                    .dates
                    .widest_interval_days
                    .max((e.date - first).num_days() + 1);
            }
        }
    }
    // The parsed rows freed on the pool, chunk by chunk (1.6 million rows
    // at 100,000 employees: 0.07 s on one thread).
    drop((
        slot_of, names, master_of, grouped, extras, extra_slot, order,
    ));
    let left: Vec<Vec<Row>> = [master, history, snapshots, leaves, family]
        .into_iter()
        .chain(rows.into_values())
        .flatten()
        .collect();
    left.into_par_iter().for_each(drop);
    Ok(Imported {
        employees,
        events,
        rejections,
        report,
    })
}

/// The fields whose values go through a code table when they are not
/// already the contract's words.
const CODED: &[&str] = &[
    "event",
    "status",
    "leave_type",
    "gender",
    "employment_type",
    "exit_reason",
    "relation",
    "rating",
    "grade",
    "responsibility",
];

/// A mapping stub for the exports `mapping` names: every header each file
/// has (those no column is mapped to marked), and every distinct value of
/// a coded field that its code table lacks, with how many rows carry it,
/// as a TOML table to fill in. Paths are relative to `base`.
///
/// A mapping with only `file` (and `columns.employee_id`) per section is
/// enough to start: map the columns the stub lists, run it again, and it
/// lists the codes.
pub fn suggest(mapping: &Mapping, base: &Path) -> Result<String, ImportError> {
    use std::fmt::Write;
    let mut out = String::from(
        "# Mapping stub written by mommytrack's importer (--suggest).\n\
         # Copy what you need into your mapping; give every \"\" a contract value.\n",
    );
    for inp in inputs(mapping) {
        let name = match inp.index {
            Some(_) => format!("[[{}]]", inp.shape.section()),
            None => format!("[{}]", inp.shape.section()),
        };
        for f in inp.source.files() {
            let table = read::read_bytes(&Store::Dir(base).load(f)?, f, inp.source)?;
            let _ = writeln!(out, "\n{name}\nfile = {f:?}");
            let _ = writeln!(
                out,
                "# {} data rows, read as {}",
                table.rows.len(),
                table.encoding
            );
            let mapped: BTreeSet<String> = inp
                .source
                .columns
                .values()
                .flat_map(|c| {
                    c.names()
                        .into_iter()
                        .map(text::fold_header)
                        .collect::<Vec<_>>()
                })
                .collect();
            let (allowed, required) = fields::fields(inp.shape);
            let _ = writeln!(
                out,
                "# fields: {} (required: {})",
                allowed.join(", "),
                required.join(", ")
            );
            let _ = writeln!(out, "[{}.columns]", inp.shape.section());
            for (k, c) in &inp.source.columns {
                let names = c.names();
                if names.len() == 1 {
                    let _ = writeln!(out, "{k} = {:?}", names[0]);
                } else {
                    let _ = writeln!(out, "{k} = {names:?}");
                }
            }
            for h in &table.headers {
                if !mapped.contains(&text::fold_header(h)) {
                    let _ = writeln!(out, "# ? = {h:?}");
                }
            }
            let Ok(layout) = Layout::new(inp.shape, inp.index, inp.source, &table, 40.0, 5.0, None)
            else {
                continue;
            };
            let mut found: BTreeMap<&str, BTreeMap<String, u64>> = BTreeMap::new();
            for (field, idx) in layout.coded_columns() {
                if !CODED.contains(&field) {
                    continue;
                }
                let table_of = layout.code_table(field);
                for (_, cells) in table.rows.iter() {
                    let raw = idx
                        .iter()
                        .map(|&i| cells.get(i).map_or(String::new(), fold))
                        .collect::<Vec<_>>()
                        .join("|");
                    if raw.chars().all(|c| c == '|') {
                        continue;
                    }
                    if table_of.is_some_and(|t| t.get(&raw).is_some()) {
                        continue;
                    }
                    if table_of.is_none() && text::parse_number(&raw).is_some() {
                        continue;
                    }
                    *found.entry(field).or_default().entry(raw).or_default() += 1;
                }
            }
            for (field, values) in found {
                let _ = writeln!(out, "[{}.codes.{field}]", inp.shape.section());
                if values.len() > 200 {
                    let _ = writeln!(
                        out,
                        "# {} distinct values: a free-form column, not a code?",
                        values.len()
                    );
                }
                for (v, n) in values.into_iter().take(200) {
                    let _ = writeln!(out, "{v:?} = \"\"  # {n} rows");
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_grouped_by_slot_keep_their_order_within_a_slot() {
        // runs tagged with slots 1, 0, 1, 2; slot 3 has none
        let rows: Vec<Row> = (0..6)
            .map(|line| Row {
                line,
                ..Row::default()
            })
            .collect();
        let tagged = [
            (1, &rows[0..2]),
            (0, &rows[2..3]),
            (1, &rows[3..5]),
            (2, &rows[5..6]),
        ];
        let g = group_by_slot(&tagged, 4);
        let lines: Vec<Vec<u64>> = g
            .slices()
            .iter()
            .map(|s| s.iter().map(|r| r.line).collect())
            .collect();
        assert_eq!(lines, [vec![2], vec![0, 1, 3, 4], vec![5], vec![]]);
    }
}
