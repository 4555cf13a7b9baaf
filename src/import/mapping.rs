//! The mapping file: which export files to read and how their columns and
//! codes become the contract's. Documented key by key in [`crate::import`].

use super::text::{fold, DateForm};
use super::ImportError;
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// A mapping file, parsed: see the [module documentation](crate::import).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// `[settings]`: date forms, end-of-time dates, hours.
    #[serde(default)]
    pub settings: Settings,
    /// `[master]`: the employee master (one row per employee).
    pub master: Option<Source>,
    /// `[[history]]`: effective-dated history files (job, compensation,
    /// ratings), each with its own columns and codes.
    #[serde(default)]
    pub history: Vec<Source>,
    /// `[[leaves]]`: leave / absence records.
    #[serde(default)]
    pub leaves: Vec<Source>,
    /// `[[family]]`: dependents records (a child's birth date).
    #[serde(default)]
    pub family: Vec<Source>,
    /// `[snapshots]`: periodic snapshots of every employee's state.
    pub snapshots: Option<Source>,
}

/// `[settings]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Accepted date forms, tried in order: `ymd`, `wareki`, `odata`,
    /// `excel`, or a chrono format such as `%m/%d/%Y`.
    #[serde(default = "default_dates")]
    pub dates: Vec<String>,
    /// Dates that mean "no end" (`9999-12-31` in SAP, `4712-12-31` in Oracle).
    #[serde(default = "default_end_of_time")]
    pub end_of_time: Vec<String>,
    /// Weekly hours of a full-time employee, for `fte` columns.
    #[serde(default = "default_full_time")]
    pub full_time_hours: f64,
    /// Working days per week, for `daily_hours` columns.
    #[serde(default = "default_days")]
    pub days_per_week: f64,
    /// A cell value that clears the field (Oracle HDL's `#NULL`).
    #[serde(default)]
    pub clear_token: Option<String>,
    /// Rows dated after this day are left out (future-dated entries) and
    /// counted in the import report.
    #[serde(default)]
    pub as_of: Option<NaiveDate>,
}

fn default_dates() -> Vec<String> {
    vec!["ymd".into(), "wareki".into(), "odata".into()]
}
fn default_end_of_time() -> Vec<String> {
    vec!["9999-12-31".into(), "4712-12-31".into()]
}
fn default_full_time() -> f64 {
    40.0
}
fn default_days() -> f64 {
    5.0
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            dates: default_dates(),
            end_of_time: default_end_of_time(),
            full_time_hours: default_full_time(),
            days_per_week: default_days(),
            clear_token: None,
            as_of: None,
        }
    }
}

/// One or several header names for a field; several are joined with `|`
/// into one code (a tuple key such as `employee-class|regular-temp`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Columns {
    /// One header.
    One(String),
    /// Several headers, read as one tuple.
    Many(Vec<String>),
}

impl Columns {
    pub(crate) fn names(&self) -> Vec<&str> {
        match self {
            Columns::One(s) => vec![s.as_str()],
            Columns::Many(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

/// One or several files.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Files {
    /// One file.
    One(String),
    /// Several files with the same layout.
    Many(Vec<String>),
}

/// What a blank cell means in a history file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Blank {
    /// The field keeps its earlier value (Workday job history, Oracle HDL, SAP sparse rows).
    #[default]
    Unchanged,
    /// The field is emptied (SmartHR, HRMOS).
    Cleared,
}

/// What the end date of a leave record is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeaveEnd {
    /// The last day of the leave (the return is the day after).
    #[default]
    LastDay,
    /// The first day back at work (the contract's `leave_end`).
    FirstDayBack,
}

/// What the date of an exit row is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExitDate {
    /// The last day of employment (the contract's `exit_date`).
    #[default]
    LastDay,
    /// The day after the last day (SAP's termination record).
    DayAfter,
}

/// How hours are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HoursFormat {
    /// Decimal hours: `7.5`.
    #[default]
    Decimal,
    /// Hours and minutes (freee's 60進数): `7.30` = 7 h 30 min.
    HoursMinutes,
}

/// Which date a change found between two snapshots gets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeDate {
    /// The date of the snapshot in which the change first shows.
    #[default]
    Snapshot,
    /// The day after the previous snapshot.
    PeriodStart,
}

/// What to do with employees present in the first snapshot whose hire date
/// no column gives.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeftCensored {
    /// Reject them (each with a rejection).
    #[default]
    Reject,
    /// Take the first snapshot's date as the hire date, and count them in the
    /// import report.
    FirstSnapshot,
}

/// One export file (or several with one layout) and how to read it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// File path(s), relative to the mapping file.
    pub file: Files,
    /// `auto` (BOM, else valid UTF-8, else Shift_JIS/CP932), `utf-8`,
    /// `shift_jis` (= `cp932`, `ms932`, `windows-31j`, `sjis`), or any
    /// WHATWG encoding label.
    #[serde(default = "default_encoding")]
    pub encoding: String,
    /// Spreadsheets: the sheet to read (default: the first).
    #[serde(default)]
    pub sheet: Option<String>,
    /// Field separator; default `,`, or a tab for `.tsv` files.
    #[serde(default)]
    pub delimiter: Option<char>,
    /// Line of the header (title lines above it are skipped); default 1.
    #[serde(default = "default_header_row")]
    pub header_row: u64,
    /// Rows right after the header to skip (SAP's second, label header row).
    #[serde(default)]
    pub skip_rows: u64,
    /// The contract field (or importer field) each header gives.
    #[serde(default)]
    pub columns: BTreeMap<String, Columns>,
    /// Code tables, one per field: export value (folded) → contract value.
    #[serde(default)]
    pub codes: BTreeMap<String, BTreeMap<String, toml::Value>>,
    /// History files: what a blank cell means.
    #[serde(default)]
    pub blank: Blank,
    /// Leave files: what the end date is.
    #[serde(default)]
    pub end_is: LeaveEnd,
    /// History files: what an exit row's date is.
    #[serde(default)]
    pub exit_date_is: ExitDate,
    /// How hour columns are written.
    #[serde(default)]
    pub hours_format: HoursFormat,
    /// Snapshots: which date a change gets.
    #[serde(default)]
    pub change_date: ChangeDate,
    /// Snapshots: the expected spacing of snapshots, `month` (default) or
    /// `none`, for reporting missing periods.
    #[serde(default = "default_period")]
    pub period: String,
    /// Snapshots: employees in the first snapshot with no hire date.
    #[serde(default)]
    pub left_censored: LeftCensored,
}

fn default_encoding() -> String {
    "auto".into()
}
fn default_header_row() -> u64 {
    1
}
fn default_period() -> String {
    "month".into()
}

impl Source {
    pub(crate) fn files(&self) -> Vec<&str> {
        match &self.file {
            Files::One(s) => vec![s.as_str()],
            Files::Many(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

/// A code table lookup, with `*` wildcards in tuple keys.
#[derive(Debug, Clone, Default)]
pub(crate) struct CodeTable {
    pub(crate) name: String,
    /// Folded code → index in `values`.
    exact: foldhash::HashMap<String, usize>,
    /// (parts, index in `values`), the most specific (fewest `*`) first.
    wild: Vec<(Vec<String>, usize)>,
    /// Every value the table gives, in key order.
    values: Vec<toml::Value>,
    /// Each value as the text the row parser reads (a number as its
    /// digits), made once rather than per row.
    texts: Vec<String>,
}

impl CodeTable {
    pub(crate) fn new(name: String, table: &BTreeMap<String, toml::Value>) -> CodeTable {
        let mut t = CodeTable {
            name,
            ..Default::default()
        };
        for (k, v) in table {
            let i = t.values.len();
            t.texts.push(match v {
                toml::Value::String(s) => s.clone(),
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::Float(f) => f.to_string(),
                toml::Value::Boolean(b) => b.to_string(),
                _ => String::new(),
            });
            t.values.push(v.clone());
            let parts: Vec<String> = k.split('|').map(fold).collect();
            if parts.iter().any(|p| p == "*") {
                t.wild.push((parts, i));
            } else {
                t.exact.insert(parts.join("|"), i);
            }
        }
        t.wild
            .sort_by_key(|(p, _)| p.iter().filter(|x| *x == "*").count());
        t
    }

    /// The value for `code` (folded parts joined with `|`), if any.
    pub(crate) fn get(&self, code: &str) -> Option<&toml::Value> {
        self.find(code).map(|i| &self.values[i])
    }

    /// The index of `code`'s value, if any.
    pub(crate) fn find(&self, code: &str) -> Option<usize> {
        if let Some(&i) = self.exact.get(code) {
            return Some(i);
        }
        if self.wild.is_empty() {
            return None;
        }
        let n = code.split('|').count();
        self.wild.iter().find_map(|(p, i)| {
            (p.len() == n
                && p.iter()
                    .zip(code.split('|'))
                    .all(|(a, b)| a == "*" || a == b))
            .then_some(*i)
        })
    }

    /// Every value, by index.
    pub(crate) fn values(&self) -> &[toml::Value] {
        &self.values
    }

    /// Value `i` and its text.
    pub(crate) fn entry(&self, i: usize) -> (&toml::Value, &str) {
        (&self.values[i], &self.texts[i])
    }
}

/// Parses through a `toml::Value`, so that a TOML date literal
/// (`as_of = 2025-03-31`) reads as a date, as a quoted one does.
fn parse(text: &str) -> Result<Mapping, String> {
    use serde::Deserialize as _;
    // Read directly first: its errors name the line and column. Only a
    // mapping that fails so is read again through a value (where a TOML
    // date literal reads as a date); when that fails too, the first error
    // is the one given.
    toml::from_str::<Mapping>(text).or_else(|direct| {
        toml::from_str::<toml::Value>(text)
            .ok()
            .and_then(|value| Mapping::deserialize(value).ok())
            .ok_or_else(|| direct.to_string())
    })
}

/// Settings checked once: date forms and end-of-time dates parsed.
#[derive(Debug, Clone)]
pub(crate) struct Resolved {
    pub(crate) forms: Vec<DateForm>,
    pub(crate) end_of_time: Vec<NaiveDate>,
}

impl Mapping {
    /// Parses a mapping file.
    ///
    /// ```
    /// use mommytrack::import::Mapping;
    /// let m = Mapping::from_toml(r#"
    ///     [master]
    ///     file = "people.csv"
    ///     columns = { employee_id = "id", gender = "sex", hire_date = "hired" }
    /// "#).unwrap();
    /// assert!(m.master.is_some());
    /// assert!(Mapping::from_toml("[mastre]\nfile = \"x\"").is_err());
    /// // a TOML date literal or a quoted date
    /// let a = Mapping::from_toml("[settings]\nas_of = 2025-03-31\n[master]\nfile = \"p.csv\"").unwrap();
    /// let b = Mapping::from_toml("[settings]\nas_of = \"2025-03-31\"\n[master]\nfile = \"p.csv\"").unwrap();
    /// assert_eq!(a.settings.as_of, b.settings.as_of);
    /// // an error names the line
    /// let err = Mapping::from_toml("[master]\nfile = \"p.csv\"\nencodng = \"cp932\"").unwrap_err();
    /// assert!(err.to_string().contains("line 3"), "{err}");
    /// ```
    pub fn from_toml(text: &str) -> Result<Mapping, ImportError> {
        parse(text).map_err(|reason| ImportError::Mapping { path: None, reason })
    }

    /// Reads and parses a mapping file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Mapping, ImportError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| ImportError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        parse(&text).map_err(|reason| ImportError::Mapping {
            path: Some(path.to_path_buf()),
            reason,
        })
    }

    pub(crate) fn resolve(&self) -> Result<Resolved, ImportError> {
        let bad = |reason: String| ImportError::Mapping { path: None, reason };
        let forms = self
            .settings
            .dates
            .iter()
            .map(|s| DateForm::parse(s))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| bad(format!("[settings] dates: {e}")))?;
        let end_of_time = self
            .settings
            .end_of_time
            .iter()
            .map(|s| {
                NaiveDate::parse_from_str(&s.replace('/', "-"), "%Y-%m-%d").map_err(|_| {
                    bad(format!(
                        "[settings] end_of_time: {s:?} is not a date (YYYY-MM-DD)"
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        if !(self.settings.full_time_hours > 0.0 && self.settings.days_per_week > 0.0) {
            return Err(bad(
                "[settings] full_time_hours and days_per_week must be above 0".into(),
            ));
        }
        if self.master.is_none() && self.history.is_empty() && self.snapshots.is_none() {
            return Err(bad(
                "the mapping names no [master], [[history]] or [snapshots] file: nothing gives the employees".into(),
            ));
        }
        Ok(Resolved { forms, end_of_time })
    }
}
