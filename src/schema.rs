//! The data model of the contract: typed values for every column and event.
//!
//! Names follow `docs/data-contract.md` (see [`crate::contract`]): an
//! [`Employee`] is one row of the `employees` table, an [`Event`] one accepted
//! row of the `events` table. [`EmployeeRow`] and [`EventRow`] are the raw,
//! column-for-column CSV shapes used to *write* the tables (the generator and
//! tests use them); reading goes through [`crate::ingest`], which validates
//! every field and reports each rejection.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Declares a closed set of contract values with its textual form.
macro_rules! contract_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $what:literal { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in the contract's order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The value as written in the contract.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
            /// What the contract accepts in this column, for error messages.
            pub fn expected() -> String {
                let values: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                format!("{} (one of {})", $what, values.join(", "))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(Self::expected()),
                }
            }
        }
    };
}

contract_enum! {
    /// Gender as recorded (`gender` column).
    ///
    /// ```
    /// use mommytrack::schema::Gender;
    /// assert_eq!("F".parse::<Gender>(), Ok(Gender::Female));
    /// assert!("female".parse::<Gender>().is_err());
    /// ```
    Gender, "a gender code" {
        /// `F`
        Female => "F",
        /// `M`
        Male => "M",
        /// `X`: other or non-binary.
        Other => "X",
        /// `U`: not recorded.
        Unknown => "U",
    }
}

contract_enum! {
    /// Why employment ended (`exit_reason`).
    ExitReason, "an exit reason" {
        /// The employee left.
        Voluntary => "voluntary",
        /// The employer ended the employment.
        Involuntary => "involuntary",
        /// Retirement.
        Retirement => "retirement",
        /// Anything else.
        Other => "other",
    }
}

contract_enum! {
    /// Employment type (`employment_type`); only `regular` is regular (正規).
    ///
    /// ```
    /// use mommytrack::schema::EmploymentType;
    /// assert!(EmploymentType::Regular.is_regular());
    /// assert!(!EmploymentType::PartTime.is_regular());
    /// ```
    EmploymentType, "an employment type" {
        /// Indefinite, full-time.
        Regular => "regular",
        /// Fixed-term contract.
        FixedTerm => "fixed_term",
        /// Part-time.
        PartTime => "part_time",
        /// Dispatched (agency) worker.
        Dispatched => "dispatched",
        /// Any other non-regular arrangement.
        Other => "other",
    }
}

impl EmploymentType {
    /// `true` for `regular`, `false` for every non-regular type.
    pub fn is_regular(self) -> bool {
        self == EmploymentType::Regular
    }
}

contract_enum! {
    /// Kind of leave (`leave_type`).
    LeaveType, "a leave type" {
        /// Maternity leave (around the birth, for the mother).
        Maternity => "maternity",
        /// Paternity leave (around the birth, for the father or partner).
        Paternity => "paternity",
        /// Parental (childcare) leave, any gender.
        Parental => "parental",
        /// Medical leave.
        Medical => "medical",
        /// Leave to care for a family member.
        FamilyCare => "family_care",
        /// Any other leave.
        Other => "other",
    }
}

impl LeaveType {
    /// `true` for the leaves taken because of a child: maternity, paternity, parental.
    ///
    /// ```
    /// use mommytrack::schema::LeaveType;
    /// assert!(LeaveType::Parental.is_childcare());
    /// assert!(!LeaveType::Medical.is_childcare());
    /// ```
    pub fn is_childcare(self) -> bool {
        matches!(
            self,
            LeaveType::Maternity | LeaveType::Paternity | LeaveType::Parental
        )
    }
}

contract_enum! {
    /// Who asked for a change (`initiated_by`); empty means `unknown`.
    InitiatedBy, "who initiated the change" {
        /// The employee asked for it.
        Employee => "employee",
        /// The employer decided it.
        Employer => "employer",
        /// Not recorded.
        Unknown => "unknown",
    }
}

// The enum's derives come from `contract_enum!`, shared by all contract enums.
#[allow(clippy::derivable_impls)]
impl Default for InitiatedBy {
    fn default() -> Self {
        InitiatedBy::Unknown
    }
}

contract_enum! {
    /// The `event` column's values.
    EventType, "an event type" {
        /// First day of a leave.
        LeaveStart => "leave_start",
        /// First day back at work.
        LeaveEnd => "leave_end",
        /// Reassignment.
        RoleChange => "role_change",
        /// Promotion (grade must rise).
        Promotion => "promotion",
        /// Performance evaluation.
        Evaluation => "evaluation",
        /// Change of employment type.
        EmploymentChange => "employment_change",
        /// Change of contracted weekly hours.
        HoursChange => "hours_change",
        /// Change of annual base salary.
        SalaryChange => "salary_change",
        /// A child was born to or adopted by the employee.
        ChildBirth => "child_birth",
    }
}

/// One validated row of the `employees` table: who, and the state on `hire_date`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Employee {
    /// Pseudonymous id, unique in the table.
    pub employee_id: String,
    /// Recorded gender.
    pub gender: Gender,
    /// Year of birth, when known.
    pub birth_year: Option<i32>,
    /// First day of employment.
    pub hire_date: NaiveDate,
    /// Last day of employment; `None` while still employed.
    pub exit_date: Option<NaiveDate>,
    /// Why employment ended.
    pub exit_reason: Option<ExitReason>,
    /// Department at hire.
    pub department: Option<Name>,
    /// Job grade at hire (higher = more senior).
    pub grade: u32,
    /// Responsibility level at hire, 0–9.
    pub responsibility: u8,
    /// Career track at hire.
    pub track: Option<Name>,
    /// Pseudonymous id of the manager at hire.
    pub manager_id: Option<Name>,
    /// Employment type at hire.
    pub employment_type: EmploymentType,
    /// Contracted weekly hours at hire (> 0).
    pub weekly_hours: f64,
    /// Annual base salary at hire.
    pub salary: Option<f64>,
}

/// The new values carried by a `role_change` or `promotion`; `None` keeps the old value.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Reassignment {
    /// New grade.
    pub grade: Option<u32>,
    /// New responsibility level.
    pub responsibility: Option<u8>,
    /// New track.
    pub track: Option<Name>,
    /// New department.
    pub department: Option<Name>,
    /// New manager.
    pub manager_id: Option<Name>,
    /// Who asked for the change.
    pub initiated_by: InitiatedBy,
}

/// What an [`Event`] does, with the fields its event type carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum EventKind {
    /// First day of a leave.
    LeaveStart {
        /// Kind of leave.
        leave_type: LeaveType,
    },
    /// First day back at work after a leave.
    LeaveEnd {
        /// Kind of leave that ends.
        leave_type: LeaveType,
    },
    /// Reassignment (a grade rise is a promotion, a fall a demotion).
    /// Boxed, so that the common small events stay small.
    RoleChange(Box<Reassignment>),
    /// Promotion; `grade` is always set and above the previous grade.
    Promotion(Box<Reassignment>),
    /// Performance evaluation result.
    Evaluation {
        /// The rating, on the configured scale.
        rating: f64,
    },
    /// Change of employment type.
    EmploymentChange {
        /// New employment type.
        employment_type: EmploymentType,
        /// Who asked for it.
        initiated_by: InitiatedBy,
    },
    /// Change of contracted weekly hours.
    HoursChange {
        /// New weekly hours (> 0).
        weekly_hours: f64,
        /// Who asked for it.
        initiated_by: InitiatedBy,
    },
    /// Change of annual base salary.
    SalaryChange {
        /// New salary (≥ 0).
        salary: f64,
    },
    /// A child was born to or adopted by the employee.
    ChildBirth,
}

impl EventKind {
    /// The contract's `event` value for this kind.
    pub fn event_type(&self) -> EventType {
        match self {
            EventKind::LeaveStart { .. } => EventType::LeaveStart,
            EventKind::LeaveEnd { .. } => EventType::LeaveEnd,
            EventKind::RoleChange(_) => EventType::RoleChange,
            EventKind::Promotion(_) => EventType::Promotion,
            EventKind::Evaluation { .. } => EventType::Evaluation,
            EventKind::EmploymentChange { .. } => EventType::EmploymentChange,
            EventKind::HoursChange { .. } => EventType::HoursChange,
            EventKind::SalaryChange { .. } => EventType::SalaryChange,
            EventKind::ChildBirth => EventType::ChildBirth,
        }
    }

    /// Order among events of one employee on one date: `leave_end` first (0),
    /// then the others (1) in file order, `leave_start` last (2).
    pub fn same_day_rank(&self) -> u8 {
        match self {
            EventKind::LeaveEnd { .. } => 0,
            EventKind::LeaveStart { .. } => 2,
            _ => 1,
        }
    }
}

/// One accepted row of the `events` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Effective date.
    pub date: NaiveDate,
    /// What happened.
    pub kind: EventKind,
    /// Line of the source row (header = line 1; for a DataFrame or Parquet,
    /// row index + 2). 32 bits keep an event at 24 bytes; a row past line
    /// 4,294,967,295 is rejected (`out_of_range`).
    pub line: u32,
}

/// A row of the `employees` table as written to CSV, column for column.
///
/// ```
/// use mommytrack::schema::EmployeeRow;
/// let row = EmployeeRow { employee_id: "e1".into(), gender: "F".into(),
///     hire_date: "2020-04-01".into(), grade: "2".into(), responsibility: "1".into(),
///     employment_type: "regular".into(), weekly_hours: "40".into(), ..Default::default() };
/// let mut w = csv::Writer::from_writer(vec![]);
/// w.serialize(&row).unwrap();
/// let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
/// assert!(text.starts_with("employee_id,gender,birth_year,hire_date"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct EmployeeRow {
    pub employee_id: String,
    pub gender: String,
    pub birth_year: String,
    pub hire_date: String,
    pub exit_date: String,
    pub exit_reason: String,
    pub department: String,
    pub grade: String,
    pub responsibility: String,
    pub track: String,
    pub manager_id: String,
    pub employment_type: String,
    pub weekly_hours: String,
    pub salary: String,
}

/// A row of the `events` table as written to CSV, column for column.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct EventRow {
    pub employee_id: String,
    pub date: String,
    pub event: String,
    pub leave_type: String,
    pub grade: String,
    pub responsibility: String,
    pub track: String,
    pub department: String,
    pub manager_id: String,
    pub initiated_by: String,
    pub rating: String,
    pub employment_type: String,
    pub weekly_hours: String,
    pub salary: String,
}

/// Columns of the `employees` table and whether each is required.
pub const EMPLOYEE_COLUMNS: &[(&str, bool)] = &[
    ("employee_id", true),
    ("gender", true),
    ("birth_year", false),
    ("hire_date", true),
    ("exit_date", false),
    ("exit_reason", false),
    ("department", false),
    ("grade", true),
    ("responsibility", true),
    ("track", false),
    ("manager_id", false),
    ("employment_type", true),
    ("weekly_hours", true),
    ("salary", false),
];

/// Columns of the `events` table and whether each is required as a column.
pub const EVENT_COLUMNS: &[(&str, bool)] = &[
    ("employee_id", true),
    ("date", true),
    ("event", true),
    ("leave_type", false),
    ("grade", false),
    ("responsibility", false),
    ("track", false),
    ("department", false),
    ("manager_id", false),
    ("initiated_by", false),
    ("rating", false),
    ("employment_type", false),
    ("weekly_hours", false),
    ("salary", false),
];

// --- Rejections: part of the contract (`rejections.csv`) ---

contract_enum! {
    /// Which input table a row or error belongs to.
    #[non_exhaustive]
    Table, "a table name" {
        /// The `employees` table.
        Employees => "employees",
        /// The `events` table.
        Events => "events",
    }
}

contract_enum! {
    /// Why a row was rejected, one variant per rule of the contract; its
    /// text is the `kind` column of `rejections.csv`.
    #[non_exhaustive]
    RejectionKind, "a rejection rule" {
        /// A field is not valid UTF-8.
        InvalidUtf8 => "invalid_utf8",
        /// The row has more or fewer fields than the header.
        WrongFieldCount => "wrong_field_count",
        /// A required field is empty.
        MissingField => "missing_field",
        /// A value does not parse as the column's type.
        Unparsable => "unparsable",
        /// A value parses but lies outside the allowed range.
        OutOfRange => "out_of_range",
        /// An event names an `employee_id` not in `employees`.
        UnknownEmployee => "unknown_employee",
        /// An `employee_id` repeated in `employees` (the first row is kept).
        DuplicateEmployee => "duplicate_employee",
        /// An employee whose `exit_date` is before `hire_date`.
        ExitBeforeHire => "exit_before_hire",
        /// An event dated before the employee's `hire_date`.
        BeforeHire => "before_hire",
        /// An event dated after the employee's `exit_date`.
        AfterExit => "after_exit",
        /// An event dated after the analysis date.
        AfterAnalysisDate => "after_analysis_date",
        /// A `leave_end` with no open leave.
        LeaveEndWithoutLeave => "leave_end_without_leave",
        /// A `leave_start` while a leave is open.
        LeaveStartDuringLeave => "leave_start_during_leave",
        /// A `promotion` whose grade is not above the current grade.
        PromotionNotRaisingGrade => "promotion_not_raising_grade",
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

/// A department, track or manager id as the timelines hold it: shared, so
/// that the thousands of events and states naming one department point to
/// one copy of its name and copying a state copies no text. Build one
/// from a `&str` or `String` with `.into()`; read it as a `&str` with
/// `as_deref()` on the `Option` or `&*` on the name.
///
/// ```
/// use mommytrack::schema::Name;
/// let sales: Name = "sales".into();
/// let copy = sales.clone(); // the same text, not a second copy of it
/// assert_eq!(&*copy, "sales");
/// ```
pub type Name = std::sync::Arc<str>;

/// Names made from text, shared: a text that comes again gets the copy
/// made the first time (one allocation per distinct text, not per row).
/// A reader keeps one per thread. At most [`Names::MAX`] are kept (a
/// column of ever-new values empties it now and then); which are kept
/// changes no value, only which copy a row holds.
#[derive(Default)]
pub(crate) struct Names(std::collections::HashSet<Name, foldhash::fast::FixedState>);

impl Names {
    /// Names kept at most.
    pub(crate) const MAX: usize = 1 << 16;

    /// The name `s`, shared with the rows before that had it.
    pub(crate) fn name(&mut self, s: &str) -> Name {
        if let Some(n) = self.0.get(s) {
            return n.clone();
        }
        if self.0.len() >= Self::MAX {
            self.0.clear();
        }
        let n = Name::from(s);
        self.0.insert(n.clone());
        n
    }

    /// How many names are kept.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_its_text_and_shared_when_it_comes_again() {
        let mut names = Names::default();
        let (a, b) = (names.name("Sales"), names.name("Sales"));
        assert_eq!(&*a, "Sales");
        assert!(Name::ptr_eq(&a, &b));
        assert!(!Name::ptr_eq(&a, &names.name("Sales ")));
        // Past the cap the cache starts over: every value stays its text.
        for i in 0..Names::MAX + 10 {
            assert_eq!(&*names.name(&i.to_string()), i.to_string());
            assert!(names.len() <= Names::MAX);
        }
        assert_eq!(&*names.name("Sales"), "Sales");
    }

    #[test]
    fn an_event_takes_24_bytes() {
        // The events are most of a data set's memory (2.44 million of them
        // for 200,000 employees of the generator's default shape): a date
        // (4 bytes), a line (4) and a kind (16: its tag beside an f64 or a
        // box). A wider field here costs 8 bytes an event.
        assert_eq!(std::mem::size_of::<EventKind>(), 16);
        assert_eq!(std::mem::size_of::<Event>(), 24);
    }

    #[test]
    fn every_enum_value_round_trips_through_its_text() {
        for g in Gender::ALL {
            assert_eq!(g.as_str().parse::<Gender>(), Ok(*g));
        }
        for t in LeaveType::ALL {
            assert_eq!(t.as_str().parse::<LeaveType>(), Ok(*t));
        }
        for t in EventType::ALL {
            assert_eq!(t.as_str().parse::<EventType>(), Ok(*t));
        }
        for t in EmploymentType::ALL {
            assert_eq!(t.as_str().parse::<EmploymentType>(), Ok(*t));
        }
    }

    #[test]
    fn csv_row_headers_match_the_contract_columns() {
        let mut w = csv::Writer::from_writer(vec![]);
        w.serialize(EventRow::default()).unwrap();
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
        let expected: Vec<&str> = EVENT_COLUMNS.iter().map(|c| c.0).collect();
        assert_eq!(header, expected);
        let mut w = csv::Writer::from_writer(vec![]);
        w.serialize(EmployeeRow::default()).unwrap();
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
        let expected: Vec<&str> = EMPLOYEE_COLUMNS.iter().map(|c| c.0).collect();
        assert_eq!(header, expected);
    }
}
