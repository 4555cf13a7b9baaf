//! Field parsing: typed access to one row's fields, or the rejection that
//! says what was expected.

#[allow(unused_imports)]
use super::*;

pub(super) fn cut(value: &str) -> String {
    match value.char_indices().nth(200) {
        Some((i, _)) => format!("{}…", &value[..i]),
        None => value.to_string(),
    }
}

/// Positions of the contract's columns in a header.
pub(super) struct Columns {
    /// Position of each contract column (in the order of `EMPLOYEE_COLUMNS` or `EVENT_COLUMNS`).
    pub(super) positions: Vec<Option<usize>>,
}

/// Column indices into `EMPLOYEE_COLUMNS` / `EVENT_COLUMNS`, found by name
/// at compile time so that the two cannot drift apart (a missing name fails
/// the build).
pub(super) mod col {
    use crate::schema::{EMPLOYEE_COLUMNS as E, EVENT_COLUMNS as V};

    const fn same(a: &str, b: &str) -> bool {
        let (a, b) = (a.as_bytes(), b.as_bytes());
        if a.len() != b.len() {
            return false;
        }
        let mut i = 0;
        while i < a.len() {
            if a[i] != b[i] {
                return false;
            }
            i += 1;
        }
        true
    }

    const fn at(columns: &[(&str, bool)], name: &str) -> usize {
        let mut i = 0;
        while i < columns.len() {
            if same(columns[i].0, name) {
                return i;
            }
            i += 1;
        }
        panic!("a column the checks read is missing from the schema")
    }

    pub const E_ID: usize = at(E, "employee_id");
    pub const E_GENDER: usize = at(E, "gender");
    pub const E_BIRTH_YEAR: usize = at(E, "birth_year");
    pub const E_HIRE: usize = at(E, "hire_date");
    pub const E_EXIT: usize = at(E, "exit_date");
    pub const E_EXIT_REASON: usize = at(E, "exit_reason");
    pub const E_DEPARTMENT: usize = at(E, "department");
    pub const E_GRADE: usize = at(E, "grade");
    pub const E_RESPONSIBILITY: usize = at(E, "responsibility");
    pub const E_TRACK: usize = at(E, "track");
    pub const E_MANAGER: usize = at(E, "manager_id");
    pub const E_EMPLOYMENT: usize = at(E, "employment_type");
    pub const E_HOURS: usize = at(E, "weekly_hours");
    pub const E_SALARY: usize = at(E, "salary");

    pub const V_ID: usize = at(V, "employee_id");
    pub const V_DATE: usize = at(V, "date");
    pub const V_EVENT: usize = at(V, "event");
    pub const V_LEAVE_TYPE: usize = at(V, "leave_type");
    pub const V_GRADE: usize = at(V, "grade");
    pub const V_RESPONSIBILITY: usize = at(V, "responsibility");
    pub const V_TRACK: usize = at(V, "track");
    pub const V_DEPARTMENT: usize = at(V, "department");
    pub const V_MANAGER: usize = at(V, "manager_id");
    pub const V_INITIATED_BY: usize = at(V, "initiated_by");
    pub const V_RATING: usize = at(V, "rating");
    pub const V_EMPLOYMENT: usize = at(V, "employment_type");
    pub const V_HOURS: usize = at(V, "weekly_hours");
    pub const V_SALARY: usize = at(V, "salary");
}

/// One row being checked: gives typed access to its fields, or a rejection.
pub(super) struct Row<'a> {
    pub(super) table: Table,
    pub(super) line: u64,
    pub(super) names: &'static [(&'static str, bool)],
    pub(super) columns: &'a Columns,
    pub(super) fields: &'a [Option<&'a str>],
}

impl<'a> Row<'a> {
    #[inline]
    pub(super) fn text(&self, c: usize) -> Option<&'a str> {
        self.columns.positions[c].and_then(|p| self.fields.get(p).copied().flatten())
    }

    pub(super) fn reject(
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

    /// The rejection of an empty required field.
    #[cold]
    #[inline(never)]
    fn missing(&self, c: usize, expected: &str) -> Rejection {
        self.reject(
            Some(c),
            "",
            RejectionKind::MissingField,
            format!("the field is empty; expected {expected}"),
        )
    }

    /// Parses an optional field; `parse` returns `Err((kind, expected))`.
    ///
    /// Inlined where it is called: most fields of an event row are empty,
    /// and an empty one then costs a look at the field rather than a call
    /// returning a `Result` as large as a rejection.
    #[inline(always)]
    pub(super) fn parse<T>(
        &self,
        c: usize,
        parse: impl FnOnce(&str) -> Result<T, (RejectionKind, String)>,
    ) -> Result<Option<T>, Rejection> {
        match self.text(c) {
            None => Ok(None),
            Some(s) => match parse(s) {
                Ok(v) => Ok(Some(v)),
                Err((kind, expected)) => Err(self.unparsed(c, s, kind, &expected)),
            },
        }
    }

    /// The rejection of a value `parse` refused.
    #[cold]
    #[inline(never)]
    fn unparsed(&self, c: usize, s: &str, kind: RejectionKind, expected: &str) -> Rejection {
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
    }

    /// Parses a required field (inlined as [`Row::parse`] is).
    #[inline(always)]
    pub(super) fn parse_required<T>(
        &self,
        c: usize,
        expected: &str,
        parse: impl FnOnce(&str) -> Result<T, (RejectionKind, String)>,
    ) -> Result<T, Rejection> {
        match self.parse(c, parse)? {
            Some(v) => Ok(v),
            None => Err(self.missing(c, expected)),
        }
    }
}

pub(super) fn unparsable(expected: &str) -> (RejectionKind, String) {
    (RejectionKind::Unparsable, expected.to_string())
}

pub(super) fn out_of_range(expected: &str) -> (RejectionKind, String) {
    (RejectionKind::OutOfRange, expected.to_string())
}

pub(super) const DATE: &str = "a date YYYY-MM-DD";

pub(super) fn parse_date(s: &str) -> Result<NaiveDate, (RejectionKind, String)> {
    if s.len() != 10 {
        return Err(unparsable(DATE));
    }
    // The common form, four digits, two and two, is read here; chrono's
    // `FromStr` (`%Y-%m-%d`, which also takes white space between the
    // parts) gets the rest. The length check keeps out signs and extra digits.
    if let Some(date) = iso_digits(s.as_bytes()) {
        return date.ok_or_else(|| unparsable(DATE));
    }
    s.parse::<NaiveDate>().map_err(|_| unparsable(DATE))
}

/// `YYYY-MM-DD` in ASCII digits: `Some` of the date, or `Some(None)` when
/// there is no such day; `None` for any other shape.
fn iso_digits(b: &[u8]) -> Option<Option<NaiveDate>> {
    let [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = *b else {
        return None;
    };
    let digits = [y0, y1, y2, y3, m0, m1, d0, d1];
    if !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = |d: &[u8]| d.iter().fold(0u32, |v, c| v * 10 + u32::from(c - b'0'));
    let year = n(&digits[..4]) as i32;
    Some(NaiveDate::from_ymd_opt(
        year,
        n(&digits[4..6]),
        n(&digits[6..]),
    ))
}

pub(super) fn parse_enum<T: std::str::FromStr<Err = String>>(
    s: &str,
) -> Result<T, (RejectionKind, String)> {
    s.parse::<T>().map_err(|e| (RejectionKind::Unparsable, e))
}

/// An integer in `lo..=hi`; an integral decimal such as `3.0` is accepted
/// (Parquet files written from pandas store nullable integers as floats).
pub(super) fn parse_int(
    s: &str,
    lo: i64,
    hi: i64,
    expected: &str,
) -> Result<i64, (RejectionKind, String)> {
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
pub(super) fn parse_number(
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

pub(super) const ID: &str = "an id of 1 to 64 characters";

pub(super) fn parse_id(s: &str) -> Result<String, (RejectionKind, String)> {
    parse_id_len(s).map(|()| s.to_string())
}

/// The id rule without the copy: 1 to 64 characters (empty is "missing").
pub(super) fn parse_id_len(s: &str) -> Result<(), (RejectionKind, String)> {
    if s.len() > 64 && s.chars().count() > 64 {
        return Err(out_of_range(ID));
    }
    Ok(())
}

/// Texts of what a column expects, made once rather than per row.
pub(super) struct Expected {
    pub(super) gender: String,
    pub(super) employment: String,
    pub(super) event: String,
    pub(super) rating: String,
}

pub(super) const GRADE: &str = "an integer grade ≥ 0";
pub(super) const RESPONSIBILITY: &str = "an integer responsibility level from 0 to 9";
pub(super) const HOURS: &str = "a number of weekly hours > 0 and ≤ 168";
pub(super) const SALARY: &str = "a salary ≥ 0";

pub(super) fn grade(s: &str) -> Result<u32, (RejectionKind, String)> {
    parse_int(s, 0, i64::from(u32::MAX), GRADE).map(|v| v as u32)
}

pub(super) fn responsibility(s: &str) -> Result<u8, (RejectionKind, String)> {
    parse_int(s, 0, 9, RESPONSIBILITY).map(|v| v as u8)
}

pub(super) fn hours(s: &str) -> Result<f64, (RejectionKind, String)> {
    parse_number(s, |h| h > 0.0 && h <= 168.0, HOURS)
}

pub(super) fn salary(s: &str) -> Result<f64, (RejectionKind, String)> {
    parse_number(s, |v| v >= 0.0, SALARY)
}

/// A field that the event type requires.
pub(super) fn required_for<T>(
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The fast path gives what chrono gives, on any ten characters
        /// made of digits, dashes, signs and spaces.
        #[test]
        fn dates_read_as_chrono_reads_them(s in "[0-9 +-]{10}") {
            let chrono = s.parse::<NaiveDate>().ok();
            prop_assert_eq!(parse_date(&s).ok(), chrono);
        }

        /// Every valid date in the common form, and its neighbours.
        #[test]
        fn every_common_date_reads(y in 0i32..=9999, m in 0u32..=13, d in 0u32..=32) {
            let s = format!("{y:04}-{m:02}-{d:02}");
            prop_assert_eq!(parse_date(&s).ok(), NaiveDate::from_ymd_opt(y, m, d));
            prop_assert_eq!(parse_date(&s).ok(), s.parse::<NaiveDate>().ok());
        }
    }

    #[test]
    fn dates_outside_the_common_form() {
        assert_eq!(
            parse_date("2024-02-29").ok(),
            NaiveDate::from_ymd_opt(2024, 2, 29)
        );
        assert!(parse_date("2023-02-29").is_err());
        assert!(parse_date("2024-2-291").is_err());
        assert!(parse_date("２０２４-02-01").is_err());
        assert!(parse_date("2024/02/01").is_err());
    }
}
