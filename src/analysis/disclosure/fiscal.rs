//! Fiscal years and the rounding rules of the statutory figures.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// A fiscal year: from `start` to `end`, both included. `year` is the
/// calendar year it starts in (FY2024 = April 2024 – March 2025 by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FiscalYear {
    /// Calendar year of `start`.
    pub year: i32,
    /// First day.
    pub start: NaiveDate,
    /// Last day.
    pub end: NaiveDate,
}

impl FiscalYear {
    /// The first day in the year with the given (month, day), or the first
    /// day of the year when none is given: the UK snapshot date.
    ///
    /// ```
    /// use mommytrack::analysis::disclosure::FiscalYear;
    /// let fy = FiscalYear::new(2024, (4, 1)).unwrap();
    /// assert_eq!(fy.uk_snapshot(Some((4, 5))).to_string(), "2024-04-05");
    /// assert_eq!(fy.uk_snapshot(Some((3, 31))).to_string(), "2025-03-31");
    /// assert_eq!(fy.uk_snapshot(None), fy.start);
    /// ```
    pub fn uk_snapshot(&self, month_day: Option<(u32, u32)>) -> NaiveDate {
        let Some((m, d)) = month_day else {
            return self.start;
        };
        [self.start.year(), self.start.year() + 1]
            .into_iter()
            .filter_map(|y| NaiveDate::from_ymd_opt(y, m, d))
            .find(|date| self.contains(*date))
            // Every MM-DD but 29 February (refused by the configuration)
            // falls once in a year-long span, so this is never taken.
            .unwrap_or(self.start)
    }

    /// The fiscal year starting on `(month, day)` of `year`; `None` for an impossible date.
    pub fn new(year: i32, (month, day): (u32, u32)) -> Option<FiscalYear> {
        let start = NaiveDate::from_ymd_opt(year, month, day)?;
        let next = NaiveDate::from_ymd_opt(year + 1, month, day)?;
        Some(FiscalYear {
            year,
            start,
            end: next.pred_opt()?,
        })
    }

    /// The fiscal year that contains `date`.
    pub fn containing(date: NaiveDate, start: (u32, u32)) -> Option<FiscalYear> {
        let this = FiscalYear::new(date.year(), start)?;
        if date >= this.start {
            Some(this)
        } else {
            FiscalYear::new(date.year() - 1, start)
        }
    }

    /// The latest fiscal year that has ended on or before `date`.
    pub fn last_complete(date: NaiveDate, start: (u32, u32)) -> Option<FiscalYear> {
        let fy = FiscalYear::containing(date, start)?;
        if fy.end == date {
            Some(fy)
        } else {
            FiscalYear::new(fy.year - 1, start)
        }
    }

    /// Whether `date` falls in the year.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end
    }

    /// Days in the year (365 or 366).
    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days() + 1
    }
}

/// `numerator ÷ denominator × 100`, truncated (not rounded) to `decimals`
/// decimals in exact integer arithmetic; `None` when the denominator is 0.
pub fn truncated_percent(numerator: u64, denominator: u64, decimals: u32) -> Option<f64> {
    if denominator == 0 {
        return None;
    }
    let scale = 10u128.pow(decimals);
    let units = u128::from(numerator) * 100 * scale / u128::from(denominator);
    Some(units as f64 / scale as f64)
}

/// Rounds half-up (away from zero for halves) to `decimals` decimals.
///
/// A decimal half such as 33.35 is stored in binary just below itself
/// (33.3499999…); a relative tolerance of 1e-9 lets it round up as the rule
/// means. Pay ratios are never that close to a half by accident.
pub fn round_half_up(x: f64, decimals: u32) -> f64 {
    let scale = 10f64.powi(decimals as i32);
    let y = x.abs() * scale;
    let r = (y + 0.5 + 1e-9 * y.max(1.0)).floor() / scale;
    r.copysign(x)
}
