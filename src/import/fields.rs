//! Each mapped column of a row parsed into a typed field, through its code
//! table where the mapping gives one.

use super::mapping::{Blank, CodeTable, HoursFormat, Resolved, Source};
use super::read::RawTable;
use super::text::{
    fold, fold_cow, fold_header, hours_minutes, parse_date, parse_number, DateValue,
};
use super::{ImportError, ImportRejection};
use crate::schema::{EmploymentType, ExitReason, Gender, InitiatedBy, LeaveType};
use crate::schema::{Name, Names};
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::str::FromStr;

/// The shapes of export the importer reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Shape {
    Master,
    History,
    Leaves,
    Family,
    Snapshots,
}

impl Shape {
    pub(crate) fn section(self) -> &'static str {
        match self {
            Shape::Master => "master",
            Shape::History => "history",
            Shape::Leaves => "leaves",
            Shape::Family => "family",
            Shape::Snapshots => "snapshots",
        }
    }
}

/// Fields that carry the employee's state (job, contract, pay).
pub(crate) const STATE: &[&str] = &[
    "grade",
    "responsibility",
    "track",
    "department",
    "manager_id",
    "employment_type",
    "weekly_hours",
    "fte",
    "daily_hours",
    "monthly_hours",
    "salary",
    "monthly_salary",
];
/// Fields that describe the person.
pub(crate) const PERSON: &[&str] = &[
    "gender",
    "birth_year",
    "birth_date",
    "hire_date",
    "exit_date",
    "exit_reason",
];

/// The fields a shape accepts, and which of them are required.
pub(crate) fn fields(shape: Shape) -> (Vec<&'static str>, &'static [&'static str]) {
    let mut v: Vec<&'static str> = vec!["employee_id"];
    let required: &'static [&'static str] = match shape {
        Shape::Master => {
            v.extend(PERSON);
            v.extend(STATE);
            &["employee_id"]
        }
        Shape::History => {
            v.extend([
                "date",
                "sequence",
                "modified",
                "event",
                "status",
                "leave_type",
                "rating",
            ]);
            v.extend(STATE);
            v.extend(PERSON);
            &["employee_id", "date"]
        }
        Shape::Leaves => {
            v.extend(["leave_type", "start", "end", "child_birth"]);
            &["employee_id", "leave_type", "start"]
        }
        Shape::Family => {
            v.extend(["birth_date", "relation"]);
            &["employee_id", "birth_date"]
        }
        Shape::Snapshots => {
            v.extend(["date", "status", "leave_type", "rating", "rating_date"]);
            v.extend(STATE);
            v.extend(PERSON);
            &["employee_id", "date"]
        }
    };
    (v, required)
}

/// A change to one field: kept, set, or cleared.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) enum P<T> {
    #[default]
    Keep,
    Set(T),
    Clear,
}

/// What a row says of the employee's state, but its salary (see
/// [`Row::patch`], [`Row::salary`]).
///
/// The three text fields are `Some` when set, and cleared when their bit
/// of `cleared` is on ([`TRACK`], [`DEPARTMENT`], [`MANAGER`]): a
/// `P<Name>` would take 24 bytes each, this 16 and one bit.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Patch {
    pub(crate) grade: P<u32>,
    pub(crate) responsibility: P<u8>,
    pub(crate) track: Option<Name>,
    pub(crate) department: Option<Name>,
    pub(crate) manager_id: Option<Name>,
    pub(crate) cleared: u8,
    pub(crate) employment_type: P<EmploymentType>,
    pub(crate) weekly_hours: P<f64>,
}

/// [`Patch::cleared`]'s bit for the track.
pub(crate) const TRACK: u8 = 1;
/// [`Patch::cleared`]'s bit for the department.
pub(crate) const DEPARTMENT: u8 = 2;
/// [`Patch::cleared`]'s bit for the manager.
pub(crate) const MANAGER: u8 = 4;

/// Employment status, from `codes.status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Active,
    Leave(Option<LeaveType>),
    Exit,
}

/// What an event / reason code says happened, from `codes.event`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum ActionKind {
    /// Compare the row with the state before it (the default).
    #[default]
    Change,
    Promotion,
    Hire,
    Exit,
    LeaveStart,
    LeaveEnd,
    /// Apply the row's values, emit no event.
    Ignore,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Action {
    pub(crate) kind: ActionKind,
    pub(crate) initiated_by: Option<InitiatedBy>,
    pub(crate) leave_type: Option<LeaveType>,
    pub(crate) exit_reason: Option<ExitReason>,
}

/// One row, parsed. The fields most rows have are inline; those only
/// master, leave and dependents rows give are in [`Extra`], boxed, so that
/// a history row (most rows of an export) takes less room.
#[derive(Debug, Clone, Default)]
pub(crate) struct Row {
    /// Index of the row in the import (for its outcome).
    pub(crate) id: usize,
    /// Index of the input (mapping section and file) it was read from.
    pub(crate) source: u32,
    pub(crate) line: u64,
    pub(crate) employee_id: Name,
    pub(crate) date: Option<NaiveDate>,
    pub(crate) sequence: Option<f64>,
    pub(crate) modified: Option<Box<str>>,
    pub(crate) action: Option<Action>,
    pub(crate) status: Option<Status>,
    pub(crate) leave_type: Option<LeaveType>,
    /// `None`: the row changes no field of the state but the salary.
    /// Boxed: most rows of a history export give one value (a salary, a
    /// rating), and a row is held until every file is read.
    pub(crate) patch: Option<Box<Patch>>,
    pub(crate) salary: P<f64>,
    pub(crate) rating: Option<f64>,
    pub(crate) rating_date: Option<NaiveDate>,
    /// `None`: every field of [`Extra`] is empty.
    pub(crate) extra: Option<Box<Extra>>,
}

/// The fields of a row that only some shapes give (see [`Row`]).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Extra {
    pub(crate) gender: Option<Gender>,
    pub(crate) birth_year: Option<i32>,
    pub(crate) hire_date: Option<NaiveDate>,
    /// `Some(None)`: an exit date column that says "no end".
    pub(crate) exit_date: Option<Option<NaiveDate>>,
    pub(crate) exit_reason: Option<ExitReason>,
    pub(crate) start: Option<NaiveDate>,
    pub(crate) end: Option<NaiveDate>,
    pub(crate) child_birth: Option<NaiveDate>,
    pub(crate) birth_date: Option<NaiveDate>,
    /// Family rows: whether the dependent is a child.
    pub(crate) is_child: bool,
}

/// A row's [`Extra`] when it gives none of its fields.
const NO_EXTRA: Extra = Extra {
    gender: None,
    birth_year: None,
    hire_date: None,
    exit_date: None,
    exit_reason: None,
    start: None,
    end: None,
    child_birth: None,
    birth_date: None,
    is_child: true,
};

impl Row {
    /// A row that gives nothing yet, with `employee_id` for its id (not
    /// `Default::default()`: that clones the process-wide empty `Arc<str>`,
    /// a counter every parsing thread would increment and decrement).
    fn blank(line: u64, employee_id: Name) -> Row {
        Row {
            id: 0,
            source: 0,
            line,
            employee_id,
            date: None,
            sequence: None,
            modified: None,
            action: None,
            status: None,
            leave_type: None,
            patch: None,
            salary: P::Keep,
            rating: None,
            rating_date: None,
            extra: None,
        }
    }

    /// What the row changes of the state but the salary, to set a field.
    fn patch_mut(&mut self) -> &mut Patch {
        self.patch.get_or_insert_with(Box::default)
    }

    /// The fields only some shapes give.
    pub(crate) fn x(&self) -> &Extra {
        self.extra.as_deref().unwrap_or(&NO_EXTRA)
    }

    /// The same, to set one.
    fn x_mut(&mut self) -> &mut Extra {
        self.extra.get_or_insert_with(|| Box::new(NO_EXTRA))
    }
}

/// The last text each shared field took, so that consecutive rows with the
/// same employee, track, department or manager share one allocation.
#[derive(Default)]
pub(crate) struct Interned {
    last: [Option<Name>; 4],
    /// An empty id of this parser's own (see [`Row::blank`]).
    empty: Option<Name>,
    /// A buffer for joining the cells of a multi-column field.
    joined: String,
    /// Each date text this parser has read, and what it gave: a piece of
    /// an export repeats its dates (1 MB of SAP-style job history, 9,000
    /// rows, has 30% distinct dates; of compensation or ratings, 5% and
    /// fewer), and trying each form costs more than looking one up.
    dates: foldhash::HashMap<Box<str>, DateValue>,
    /// Each track, department and manager text this parser has read, one
    /// allocation each (a piece's rows share a few dozen departments and
    /// a few hundred managers across its employees).
    names: Names,
}

impl Interned {
    /// An empty name, one allocation per parser.
    fn empty(&mut self) -> Name {
        self.empty
            .get_or_insert_with(|| Name::from(String::new()))
            .clone()
    }

    /// [`parse_date`] of `s`, remembered when it is a date.
    fn date(&mut self, s: &str, resolved: &Resolved) -> Result<DateValue, String> {
        if let Some(&d) = self.dates.get(s) {
            return Ok(d);
        }
        let d = parse_date(s, &resolved.forms, &resolved.end_of_time)?;
        self.dates.insert(s.into(), d);
        Ok(d)
    }

    /// The id or name `s` read into field `slot` (0 the employee id, then
    /// track, department, manager): the row before's when it is the same,
    /// else, but for an id, one this parser has read before.
    fn get(&mut self, slot: usize, s: &str) -> Name {
        if let Some(n) = &self.last[slot] {
            if &**n == s {
                return n.clone();
            }
        }
        let n: Name = if slot == 0 {
            s.into()
        } else {
            self.names.name(s)
        };
        self.last[slot] = Some(n.clone());
        n
    }
}

/// A mapped field, resolved from its name once per file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum F {
    EmployeeId,
    Date,
    Start,
    End,
    ChildBirth,
    BirthDate,
    RatingDate,
    HireDate,
    ExitDate,
    Sequence,
    Modified,
    Gender,
    BirthYear,
    ExitReason,
    LeaveType,
    Relation,
    Status,
    Event,
    Rating,
    Grade,
    Responsibility,
    Track,
    Department,
    ManagerId,
    EmploymentType,
    WeeklyHours,
    Fte,
    DailyHours,
    MonthlyHours,
    Salary,
    MonthlySalary,
    /// A field the row parser does not read (e.g. `end_date`).
    Other,
}

impl F {
    fn of(name: &str) -> F {
        match name {
            "employee_id" => F::EmployeeId,
            "date" => F::Date,
            "start" => F::Start,
            "end" => F::End,
            "child_birth" => F::ChildBirth,
            "birth_date" => F::BirthDate,
            "rating_date" => F::RatingDate,
            "hire_date" => F::HireDate,
            "exit_date" => F::ExitDate,
            "sequence" => F::Sequence,
            "modified" => F::Modified,
            "gender" => F::Gender,
            "birth_year" => F::BirthYear,
            "exit_reason" => F::ExitReason,
            "leave_type" => F::LeaveType,
            "relation" => F::Relation,
            "status" => F::Status,
            "event" => F::Event,
            "rating" => F::Rating,
            "grade" => F::Grade,
            "responsibility" => F::Responsibility,
            "track" => F::Track,
            "department" => F::Department,
            "manager_id" => F::ManagerId,
            "employment_type" => F::EmploymentType,
            "weekly_hours" => F::WeeklyHours,
            "fte" => F::Fte,
            "daily_hours" => F::DailyHours,
            "monthly_hours" => F::MonthlyHours,
            "salary" => F::Salary,
            "monthly_salary" => F::MonthlySalary,
            _ => F::Other,
        }
    }
}

/// One mapped field as a row is parsed.
struct Col {
    field: &'static str,
    kind: F,
    idx: Vec<usize>,
    header: String,
    code: Option<CodeTable>,
    /// `event` columns: each code table value read as an action, once.
    actions: Vec<Result<Action, String>>,
    required: bool,
    state: bool,
}

/// A source's columns resolved against one file's header.
pub(crate) struct Layout {
    pub(crate) section: String,
    columns: BTreeMap<&'static str, (Vec<usize>, String)>,
    codes: BTreeMap<String, CodeTable>,
    /// The columns as `parse` walks them, everything it asks of each
    /// looked up once.
    cols: Vec<Col>,
    blank: Blank,
    hours_format: HoursFormat,
    clear_token: Option<String>,
    full_time: f64,
    days_per_week: f64,
}

impl Layout {
    /// Checks the source's keys for its shape and finds every column in the
    /// header (exact name first, then folded: case, width, `_`/`-`/spaces).
    pub(crate) fn new(
        shape: Shape,
        index: Option<usize>,
        source: &Source,
        table: &RawTable,
        full_time: f64,
        days_per_week: f64,
        clear_token: Option<&str>,
    ) -> Result<Layout, ImportError> {
        let section = match index {
            Some(i) => format!("{}[{i}]", shape.section()),
            None => shape.section().to_string(),
        };
        let (allowed, required) = fields(shape);
        let bad = |reason: String| ImportError::Mapping { path: None, reason };
        let folded: Vec<String> = table.headers.iter().map(|h| fold_header(h)).collect();
        let mut columns = BTreeMap::new();
        for (key, cols) in &source.columns {
            let Some(&field) = allowed.iter().find(|f| **f == key.as_str()) else {
                return Err(bad(format!(
                    "[{section}.columns] {key}: not a field of this shape; expected one of {}",
                    allowed.join(", ")
                )));
            };
            let mut idx = Vec::new();
            for name in cols.names() {
                let i = table
                    .headers
                    .iter()
                    .position(|h| h == name)
                    .or_else(|| {
                        let f = fold_header(name);
                        folded.iter().position(|h| *h == f)
                    })
                    .ok_or_else(|| ImportError::MissingColumn {
                        file: table.file.clone(),
                        column: name.to_string(),
                        field: field.to_string(),
                        found: table.headers.join(", "),
                    })?;
                idx.push(i);
            }
            columns.insert(field, (idx, cols.names().join("|")));
        }
        for r in required {
            if !columns.contains_key(r) {
                return Err(bad(format!(
                    "[{section}.columns] has no `{r}`: it is required for this shape"
                )));
            }
        }
        let hours = ["weekly_hours", "fte", "daily_hours", "monthly_hours"];
        if hours.iter().filter(|h| columns.contains_key(*h)).count() > 1 {
            return Err(bad(format!(
                "[{section}.columns] maps more than one of {}: keep one",
                hours.join(", ")
            )));
        }
        if columns.contains_key("salary") && columns.contains_key("monthly_salary") {
            return Err(bad(format!(
                "[{section}.columns] maps both salary and monthly_salary: keep one"
            )));
        }
        let mut codes = BTreeMap::new();
        for (name, t) in &source.codes {
            if !columns.contains_key(name.as_str()) {
                return Err(bad(format!(
                    "[{section}.codes.{name}]: no column is mapped to `{name}` in [{section}.columns]"
                )));
            }
            codes.insert(
                name.clone(),
                CodeTable::new(format!("{section}.codes.{name}"), t),
            );
        }
        let cols = columns
            .iter()
            .map(|(&field, (idx, header))| {
                let code = codes.get(field).cloned();
                let actions = match (&code, field) {
                    (Some(t), "event") => t
                        .values()
                        .iter()
                        .map(|v| match v {
                            toml::Value::Table(t) => action_table(t),
                            toml::Value::String(s) => action_kind(s).map(|kind| Action {
                                kind,
                                ..Default::default()
                            }),
                            _ => Err(format!(
                                "[{section}.codes.event] must give a string or a table"
                            )),
                        })
                        .collect(),
                    _ => vec![],
                };
                Col {
                    field,
                    kind: F::of(field),
                    idx: idx.clone(),
                    header: header.clone(),
                    code,
                    actions,
                    required: required.contains(&field),
                    state: STATE.contains(&field),
                }
            })
            .collect();
        Ok(Layout {
            section,
            columns,
            codes,
            cols,
            blank: source.blank,
            hours_format: source.hours_format,
            clear_token: clear_token.map(fold),
            full_time,
            days_per_week,
        })
    }

    /// The mapped fields, for the suggestion stub.
    pub(crate) fn coded_columns(&self) -> impl Iterator<Item = (&'static str, &[usize])> {
        self.columns.iter().map(|(f, (i, _))| (*f, i.as_slice()))
    }

    /// The code table of `field`, if the mapping gives one.
    pub(crate) fn code_table(&self, field: &str) -> Option<&CodeTable> {
        self.codes.get(field)
    }

    /// Parses one row. A value that cannot be mapped rejects the row; the
    /// rejection names the column, the value and what was expected.
    pub(crate) fn parse(
        &self,
        table: &RawTable,
        line: u64,
        cells: super::read::Cells<'_>,
        resolved: &Resolved,
        unmapped: &mut BTreeMap<String, BTreeMap<String, u64>>,
        interned: &mut Interned,
    ) -> Result<Row, Box<ImportRejection>> {
        let mut row = Row::blank(line, interned.empty());
        // the cells of a field mapped from several columns, joined by `|`
        // (the parser's buffer, kept from row to row; an early return
        // only costs the next row a new one)
        let mut joined = std::mem::take(&mut interned.joined);
        // a cell that is not ASCII, folded
        let mut folded: String;
        for col in &self.cols {
            let (field, idx, header) = (col.field, &col.idx, &col.header);
            // the cell, folded (`fold_cow`; an ASCII cell is only trimmed)
            let (raw, blank, single): (&str, bool, bool) = match idx.as_slice() {
                [i] => {
                    let c = cells.get(*i).unwrap_or("");
                    let v = if c.is_ascii() {
                        c.trim()
                    } else {
                        folded = fold_cow(c).into_owned();
                        folded.as_str()
                    };
                    (v, v.is_empty(), true)
                }
                _ => {
                    joined.clear();
                    let mut b = true;
                    for (k, &i) in idx.iter().enumerate() {
                        if k > 0 {
                            joined.push('|');
                        }
                        let c = cells
                            .get(i)
                            .map_or(std::borrow::Cow::Borrowed(""), fold_cow);
                        b &= c.is_empty();
                        joined.push_str(&c);
                    }
                    (joined.as_str(), b, false)
                }
            };
            let reject = |expected: String| {
                Box::new(ImportRejection {
                    file: table.file.clone(),
                    line,
                    column: Some(header.clone()),
                    sheet: table.sheet.clone(),
                    cell: table.cell(idx[0], line),
                    value: raw.chars().take(200).collect(),
                    reason: expected,
                })
            };
            let cleared = self
                .clear_token
                .as_ref()
                .is_some_and(|t| single && raw == t.as_str());
            if blank || cleared {
                if col.required {
                    return Err(reject(format!(
                        "a value: `{field}` is required in [{}]",
                        self.section
                    )));
                }
                if cleared || (self.blank == Blank::Cleared && col.state) {
                    clear(&mut row, field);
                }
                continue;
            }
            // Through the code table when there is one.
            let found = match &col.code {
                Some(t) => match t.find(raw) {
                    Some(i) => Some((i, t.entry(i))),
                    None => {
                        *unmapped
                            .entry(format!("{}.{field}", self.section))
                            .or_default()
                            .entry(raw.to_string())
                            .or_default() += 1;
                        return Err(reject(format!(
                            "{raw:?} is not in [{}]: add it there",
                            t.name
                        )));
                    }
                },
                None => None,
            };
            let code = found.map(|(_, (value, _))| value);
            let text: &str = match found {
                Some((_, (_, text))) => text,
                None => raw,
            };
            let coded = |what: &str| match code {
                Some(_) => format!("{what} (the value [{}.codes.{field}] gives)", self.section),
                None => format!(
                    "{what}, or a code listed in [{}.codes.{field}]",
                    self.section
                ),
            };
            let mut date = |s: &str| -> Result<DateValue, Box<ImportRejection>> {
                interned.date(s, resolved).map_err(reject)
            };
            let mut exact = |s: &str| -> Result<NaiveDate, Box<ImportRejection>> {
                match date(s)? {
                    DateValue::Date(d) => Ok(d),
                    DateValue::Open => Err(reject("a date, not an end-of-time date".into())),
                }
            };
            let number = |s: &str, what: &str| parse_number(s).ok_or_else(|| reject(coded(what)));
            let hours = |s: &str| -> Result<f64, Box<ImportRejection>> {
                let v = number(s, "a number of hours")?;
                match self.hours_format {
                    HoursFormat::Decimal => Ok(v),
                    HoursFormat::HoursMinutes => hours_minutes(v, s)
                        .ok_or_else(|| reject("hours.minutes (7.30 = 7 h 30 min)".into())),
                }
            };
            match col.kind {
                F::EmployeeId => {
                    // (no more than 64 bytes is no more than 64 characters)
                    if raw.len() > 64 && raw.chars().count() > 64 {
                        return Err(reject("an employee id of 1–64 characters".into()));
                    }
                    row.employee_id = interned.get(0, raw);
                }
                F::Date => row.date = Some(exact(text)?),
                F::Start => row.x_mut().start = Some(exact(text)?),
                F::End => {
                    row.x_mut().end = match date(text)? {
                        DateValue::Date(d) => Some(d),
                        DateValue::Open => None,
                    }
                }
                F::ChildBirth => row.x_mut().child_birth = Some(exact(text)?),
                F::BirthDate => row.x_mut().birth_date = Some(exact(text)?),
                F::RatingDate => row.rating_date = Some(exact(text)?),
                F::HireDate => row.x_mut().hire_date = Some(exact(text)?),
                F::ExitDate => {
                    row.x_mut().exit_date = Some(match date(text)? {
                        DateValue::Date(d) => Some(d),
                        DateValue::Open => None,
                    })
                }
                F::Sequence => row.sequence = Some(number(text, "a sequence number")?),
                F::Modified => row.modified = Some(text.into()),
                F::Gender => {
                    row.x_mut().gender =
                        Some(Gender::from_str(text).map_err(|e| reject(coded(&e)))?)
                }
                F::BirthYear => {
                    let y = number(text, "a year of birth")?;
                    if y.fract() != 0.0 || !(1900.0..=2100.0).contains(&y) {
                        return Err(reject("a year of birth between 1900 and 2100".into()));
                    }
                    row.x_mut().birth_year = Some(y as i32);
                }
                F::ExitReason => {
                    row.x_mut().exit_reason =
                        Some(ExitReason::from_str(text).map_err(|e| reject(coded(&e)))?)
                }
                F::LeaveType => {
                    row.leave_type = Some(LeaveType::from_str(text).map_err(|e| reject(coded(&e)))?)
                }
                F::Relation => {
                    row.x_mut().is_child = match text {
                        "child" => true,
                        "ignore" => false,
                        _ => return Err(reject(coded("child or ignore"))),
                    }
                }
                F::Status => {
                    row.status = Some(
                        status(text)
                            .ok_or_else(|| reject(coded("active, leave, exit, or a leave type")))?,
                    )
                }
                F::Event => {
                    row.action = Some(match found {
                        Some((i, _)) => col.actions[i].clone().map_err(reject)?,
                        None => Action {
                            kind: action_kind(text).map_err(|e| reject(coded(&e)))?,
                            ..Default::default()
                        },
                    })
                }
                F::Rating => row.rating = Some(number(text, "a rating")?),
                F::Grade => {
                    let g = number(text, "a grade (an integer ≥ 0)")?;
                    if g.fract() != 0.0 || !(0.0..=u32::MAX as f64).contains(&g) {
                        return Err(reject(coded("a grade (an integer ≥ 0)")));
                    }
                    row.patch_mut().grade = P::Set(g as u32);
                }
                F::Responsibility => {
                    let g = number(text, "a responsibility level (an integer 0–9)")?;
                    if g.fract() != 0.0 || !(0.0..=9.0).contains(&g) {
                        return Err(reject(coded("a responsibility level (an integer 0–9)")));
                    }
                    row.patch_mut().responsibility = P::Set(g as u8);
                }
                F::Track => row.patch_mut().track = Some(interned.get(1, text)),
                F::Department => row.patch_mut().department = Some(interned.get(2, text)),
                F::ManagerId => row.patch_mut().manager_id = Some(interned.get(3, text)),
                F::EmploymentType => {
                    row.patch_mut().employment_type =
                        P::Set(EmploymentType::from_str(text).map_err(|e| reject(coded(&e)))?)
                }
                F::WeeklyHours | F::Fte | F::DailyHours | F::MonthlyHours => {
                    let v = if col.kind == F::Fte {
                        number(text, "an FTE (1 = full time)")? * self.full_time
                    } else {
                        let h = hours(text)?;
                        match col.kind {
                            F::DailyHours => h * self.days_per_week,
                            F::MonthlyHours => h * 12.0 / 52.0,
                            _ => h,
                        }
                    };
                    if !(v > 0.0 && v <= 168.0) {
                        return Err(reject("hours giving 0 < weekly hours ≤ 168".into()));
                    }
                    row.patch_mut().weekly_hours = P::Set(v);
                }
                F::Salary | F::MonthlySalary => {
                    let v = number(text, "an amount ≥ 0")?;
                    if v < 0.0 {
                        return Err(reject("an amount ≥ 0".into()));
                    }
                    row.salary = P::Set(if col.kind == F::MonthlySalary {
                        v * 12.0
                    } else {
                        v
                    });
                }
                F::Other => {}
            }
        }
        interned.joined = joined;
        if row.employee_id.is_empty() {
            let (i, h) = &self.columns["employee_id"];
            return Err(Box::new(ImportRejection {
                file: table.file.clone(),
                line,
                column: Some(h.clone()),
                sheet: table.sheet.clone(),
                cell: table.cell(i[0], line),
                value: String::new(),
                reason: "an employee id (required)".into(),
            }));
        }
        Ok(row)
    }
}

fn clear(row: &mut Row, field: &str) {
    if let "salary" | "monthly_salary" = field {
        row.salary = P::Clear;
        return;
    }
    let p = row.patch_mut();
    match field {
        "grade" => p.grade = P::Clear,
        "responsibility" => p.responsibility = P::Clear,
        "track" => p.cleared |= TRACK,
        "department" => p.cleared |= DEPARTMENT,
        "manager_id" => p.cleared |= MANAGER,
        "employment_type" => p.employment_type = P::Clear,
        "weekly_hours" | "fte" | "daily_hours" | "monthly_hours" => p.weekly_hours = P::Clear,
        _ => {}
    }
}

fn status(s: &str) -> Option<Status> {
    match s {
        "active" => Some(Status::Active),
        "exit" => Some(Status::Exit),
        "leave" => Some(Status::Leave(None)),
        other => LeaveType::from_str(other)
            .ok()
            .map(|t| Status::Leave(Some(t))),
    }
}

fn action_kind(s: &str) -> Result<ActionKind, String> {
    Ok(match s {
        "change" => ActionKind::Change,
        "promotion" => ActionKind::Promotion,
        "hire" => ActionKind::Hire,
        "exit" => ActionKind::Exit,
        "leave_start" => ActionKind::LeaveStart,
        "leave_end" => ActionKind::LeaveEnd,
        "ignore" => ActionKind::Ignore,
        other => {
            return Err(format!(
                "an action ({other:?} is none of change, promotion, hire, exit, leave_start, leave_end, ignore)"
            ))
        }
    })
}

fn action_table(t: &toml::map::Map<String, toml::Value>) -> Result<Action, String> {
    let mut a = Action::default();
    for (k, v) in t {
        let s = v
            .as_str()
            .ok_or_else(|| format!("[codes.event] key {k}: expected a string"))?;
        match k.as_str() {
            "kind" => a.kind = action_kind(s)?,
            "initiated_by" => a.initiated_by = Some(InitiatedBy::from_str(s)?),
            "leave_type" => a.leave_type = Some(LeaveType::from_str(s)?),
            "exit_reason" => a.exit_reason = Some(ExitReason::from_str(s)?),
            other => {
                return Err(format!(
                    "[codes.event]: unknown key {other:?}; expected kind, initiated_by, leave_type, exit_reason"
                ))
            }
        }
    }
    Ok(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remembered_date_is_what_the_forms_give_and_a_bad_one_is_not_remembered() {
        let m = super::super::Mapping::from_toml(
            "[settings]\ndates = [\"%m/%d/%Y\", \"ymd\"]\nend_of_time = [\"9999-12-31\"]\n\
             [[history]]\nfile = \"x.csv\"\ncolumns = { employee_id = \"id\", date = \"d\" }\n",
        )
        .unwrap();
        let r = m.resolve().unwrap();
        let mut memo = Interned::default();
        let day = |y, m, d| DateValue::Date(NaiveDate::from_ymd_opt(y, m, d).unwrap());
        for _ in 0..2 {
            assert_eq!(memo.date("04/01/2024", &r), Ok(day(2024, 4, 1)));
            assert_eq!(memo.date("2024-04-02", &r), Ok(day(2024, 4, 2)));
            assert_eq!(memo.date("12/31/9999", &r), Ok(DateValue::Open));
            assert!(memo.date("13/01/2024", &r).is_err());
            assert!(memo.date("", &r).is_err());
        }
        assert_eq!(memo.dates.len(), 3);
    }

    #[test]
    fn a_row_keeps_its_rare_fields_boxed_and_its_names_narrow() {
        // An export's rows are all held until every file is read (16
        // million at a million employees), so each byte of a row is 16 MB
        // there. The fields only master, leave and dependents rows give are
        // one boxed pointer; a text field's patch is 16 bytes and a bit.
        assert_eq!(std::mem::size_of::<Option<Box<Extra>>>(), 8);
        assert_eq!(std::mem::size_of::<Option<Name>>(), 16);
        assert_eq!(std::mem::size_of::<Option<Box<Patch>>>(), 8);
        // 272 before the box and the narrow text patches, 208 before the
        // patch (but the salary) was boxed
        assert_eq!(std::mem::size_of::<Row>(), 136);
        // a row that gives no rare field reads them all as empty
        let row = Row::default();
        assert_eq!(row.x(), &NO_EXTRA);
        assert!(row.x().is_child);
        assert!(row.patch.is_none());
    }
}
