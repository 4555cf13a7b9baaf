//! Calendar arithmetic shared by the analyses: calendar months and
//! durations in months (days ÷ 30.4375, the mean Gregorian month).

use chrono::{Months, NaiveDate};

/// Days in an average month, for durations in months.
pub(crate) const DAYS_PER_MONTH: f64 = 30.4375;

/// `date` plus `months` calendar months (the last day of the month when the
/// day does not exist, e.g. 31 January + 1 month = 28/29 February).
///
/// Saturates at `NaiveDate::MAX` past chrono's range (year 262,143): such a
/// date lies after every analysis date, so a horizon there is simply not
/// observed, which is what every caller needs.
pub(crate) fn add_months(date: NaiveDate, months: u32) -> NaiveDate {
    date.checked_add_months(Months::new(months))
        .unwrap_or(NaiveDate::MAX)
}

/// Days in an average year, for durations in years.
pub(crate) const DAYS_PER_YEAR: f64 = 365.25;

/// Months between two dates (days ÷ 30.4375).
pub(crate) fn months_between(from: NaiveDate, to: NaiveDate) -> f64 {
    (to - from).num_days() as f64 / DAYS_PER_MONTH
}
