//! Japan: parental-leave uptake (育児・介護休業法施行規則 71条の4) and the
//! figures of the Act on Promotion of Women's Participation (女性活躍推進法):
//! pay ratio, years of service.

use super::{display, round_half_up, FigureStatus, FiscalYear, Rate};
use crate::schema::{EventKind, Gender, LeaveType};
use crate::suppress::{Count, PaySum};
use crate::timeline::{State, Timeline};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Parental-leave uptake for one gender (育児休業等取得率).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Uptake {
    /// `M` or `F`.
    pub gender: Gender,
    /// Persons who started leave in the year ÷ persons with a birth in the year.
    pub rate: Rate,
}

/// Pay of one gender in one group of workers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PayCell {
    /// Distinct persons who worked in the group during the year.
    pub persons: Count,
    /// People as person-years.
    pub person_years: Option<f64>,
    /// Total pay earned in the year (withheld under the p% rule as well).
    pub total_pay: PaySum,
    /// `total_pay ÷ person_years`.
    pub mean_pay: Option<f64>,
}

/// The women-to-men ratio of mean pay in one group (男女の賃金の差異).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PayRatio {
    /// `all`, `regular` or `non_regular`.
    pub group: String,
    /// Women.
    pub women: PayCell,
    /// Men.
    pub men: PayCell,
    /// Women's mean ÷ men's mean × 100, rounded half-up to one decimal.
    pub ratio_percent: Option<f64>,
    /// As a person reads it.
    pub display: String,
    /// The rule's rounding.
    pub rounding: String,
    /// Whether the figure is shown.
    pub status: FigureStatus,
}

/// Mean years of service by gender on the last day of the year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceYears {
    /// Women employed on the last day.
    pub women: Count,
    /// Men employed on the last day.
    pub men: Count,
    /// Women's mean years of service, rounded half-up to one decimal.
    pub women_mean_years: Option<f64>,
    /// Men's mean years of service, rounded half-up to one decimal.
    pub men_mean_years: Option<f64>,
    /// Men's mean − women's mean, in years, from the unrounded means, rounded half-up to one decimal.
    pub gap_years: Option<f64>,
    /// Women's mean ÷ men's mean × 100, rounded half-up to one decimal.
    pub ratio_percent: Option<f64>,
    /// Whether the figure is shown.
    pub status: FigureStatus,
}

fn is_childcare_leave(leave_type: LeaveType) -> bool {
    matches!(leave_type, LeaveType::Paternity | LeaveType::Parental)
}

/// (persons who started leave in the year, persons with a birth in the year).
pub(super) fn uptake_counts(timelines: &[Timeline], fy: FiscalYear, gender: Gender) -> (u64, u64) {
    let (mut numerator, mut denominator) = (0u64, 0u64);
    for t in timelines.iter().filter(|t| t.employee().gender == gender) {
        let mut births = 0usize;
        let mut birth_in_year = false;
        // The child each leave belongs to is the latest birth on or before its
        // start (0 = before any recorded birth); its first leave decides the year.
        let mut first_leave_of_child: Option<usize> = None;
        let mut took_leave_in_year = false;
        for e in t.events() {
            match e.kind {
                EventKind::ChildBirth => {
                    births += 1;
                    birth_in_year |= fy.contains(e.date);
                }
                EventKind::LeaveStart { leave_type }
                    if is_childcare_leave(leave_type) && first_leave_of_child != Some(births) =>
                {
                    first_leave_of_child = Some(births);
                    took_leave_in_year |= fy.contains(e.date);
                }
                _ => {}
            }
        }
        numerator += u64::from(took_leave_in_year);
        denominator += u64::from(birth_in_year);
    }
    (numerator, denominator)
}

#[derive(Default, Clone, Copy)]
struct PayAcc {
    persons: u64,
    days: i64,
    pay: f64,
    /// The two largest pay contributions of one person.
    top: [f64; 2],
}

impl PayAcc {
    fn contributed(&mut self, pay: f64) {
        if pay > self.top[0] {
            self.top = [pay, self.top[0]];
        } else if pay > self.top[1] {
            self.top[1] = pay;
        }
    }
}

pub(super) fn pay_ratios(
    timelines: &[Timeline],
    fy: FiscalYear,
    min: usize,
    p_percent: f64,
) -> Vec<PayRatio> {
    // [group][gender]: group 0 regular, 1 non-regular; gender 0 women, 1 men.
    let mut acc = [[PayAcc::default(); 2]; 2];
    let mut all = [PayAcc::default(); 2];
    let days_in_year = fy.days() as f64;
    for t in timelines {
        let g = match t.employee().gender {
            Gender::Female => 0,
            Gender::Male => 1,
            _ => continue,
        };
        let mut seen = [false; 2];
        let mut seen_any = false;
        // This person's pay in each group and in all.
        let (mut mine, mut mine_all) = ([0.0f64; 2], 0.0f64);
        for (from, to, state) in segments(t, fy) {
            let Some(salary) = state.salary else { continue };
            if state.on_leave.is_some() {
                continue;
            }
            let days = (to - from).num_days();
            let group = usize::from(!state.employment_type.is_regular());
            let cell = &mut acc[group][g];
            cell.days += days;
            cell.pay += salary * days as f64 / days_in_year;
            mine[group] += salary * days as f64 / days_in_year;
            mine_all += salary * days as f64 / days_in_year;
            if !seen[group] {
                seen[group] = true;
                cell.persons += 1;
            }
            all[g].days += days;
            if !seen_any {
                seen_any = true;
                all[g].persons += 1;
            }
        }
        for group in 0..2 {
            if seen[group] {
                acc[group][g].contributed(mine[group]);
            }
        }
        if seen_any {
            all[g].contributed(mine_all);
        }
    }
    // All workers' pay is the two groups' pay added, so that the published
    // identity all = regular + non-regular holds to the last bit (the
    // privacy ledger states it, and an auditor checks it).
    for g in 0..2 {
        all[g].pay = acc[0][g].pay + acc[1][g].pay;
    }
    let make = |name: &str, cells: [PayAcc; 2]| {
        let status = if cells.iter().any(|c| c.days == 0) {
            FigureStatus::NoDenominator
        } else if cells.iter().any(|c| c.persons < min as u64) {
            FigureStatus::Suppressed
        } else {
            FigureStatus::Shown
        };
        let shown = status != FigureStatus::Suppressed;
        let cell = |c: PayAcc| {
            let py = c.days as f64 / days_in_year;
            let total_pay =
                PaySum::from_parts(c.pay, c.top[0], c.top[1], c.persons, min, p_percent);
            let shown = shown && !total_pay.suppressed;
            PayCell {
                persons: Count::new(c.persons, min),
                person_years: shown.then_some(py),
                total_pay,
                mean_pay: (shown && c.days > 0).then(|| c.pay / py),
            }
        };
        let (women, men) = (cell(cells[0]), cell(cells[1]));
        let ratio_percent = match (status, women.mean_pay, men.mean_pay) {
            (FigureStatus::Shown, Some(w), Some(m)) if m > 0.0 => {
                Some(round_half_up(w / m * 100.0, 1))
            }
            _ => None,
        };
        PayRatio {
            group: name.into(),
            women,
            men,
            ratio_percent,
            display: display(ratio_percent, 1, status),
            rounding: "rounded half-up to 1 decimal".into(),
            status,
        }
    };
    vec![
        make("all", all),
        make("regular", acc[0]),
        make("non_regular", acc[1]),
    ]
}

/// The employee's state over the fiscal year in pieces `[from, to)` of
/// constant state, limited to the days employed.
fn segments(t: &Timeline, fy: FiscalYear) -> Vec<(NaiveDate, NaiveDate, State)> {
    let e = t.employee();
    let first = fy.start.max(e.hire_date);
    let after_last = match e.exit_date {
        Some(x) => fy.end.min(x),
        None => fy.end,
    }
    .succ_opt()
    .unwrap_or(fy.end);
    if first >= after_last {
        return vec![];
    }
    let mut state = State::at_hire(e);
    let events = t.events();
    let mut i = 0;
    while i < events.len() && events[i].date <= first {
        state.apply(&events[i]);
        i += 1;
    }
    let mut out = Vec::new();
    let mut from = first;
    while i < events.len() && events[i].date < after_last {
        let date = events[i].date;
        if date > from {
            out.push((from, date, state.clone()));
            from = date;
        }
        while i < events.len() && events[i].date == date {
            state.apply(&events[i]);
            i += 1;
        }
    }
    out.push((from, after_last, state));
    out
}
