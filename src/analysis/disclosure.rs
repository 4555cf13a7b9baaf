//! Statutory disclosure figures computed from the same validated records:
//! Japan's male parental-leave uptake (育児・介護休業法), the gender pay ratio
//! and related figures of the Act on Promotion of Women's Participation
//! (女性活躍推進法, as revised from April 2026), and the UK gender pay gap.
//!
//! Every figure carries its numerator, denominator, the rounding its rule asks
//! for and a [`FigureStatus`]: `shown`, `no_denominator` (e.g. no births in the
//! year: the figure is "—", never 0%) or `suppressed` (the group is smaller
//! than [`min_group_size`](crate::config::ValidConfig::min_group_size); set it
//! to 1 for the filing itself, where the law wants every figure).
//!
//! # What each figure uses
//!
//! | figure | rule | method here |
//! |---|---|---|
//! | leave uptake (男性の育児休業等取得率) | 育児・介護休業法施行規則 71条の4 | persons of the gender who started `paternity` or `parental` leave in the fiscal year ÷ persons of the gender with a `child_birth` in it. Leaves between one birth and the next are one child's leave: the person counts once, in the fiscal year the first of them started, even when a leave spans two years. `maternity` (産前産後休業) is not 育児休業 and is not counted. Percentage truncated to `uptake_decimals` (default 1). |
//! | pay ratio (男女の賃金の差異) | 女性活躍推進法, 省令 | for all, regular and non-regular workers: total pay ÷ people, women's mean ÷ men's mean × 100, rounded half-up to one decimal. Pay is the contract's `salary` (annual **base** pay) pro-rated by the days of the fiscal year worked under it; people are person-years (days employed ÷ days in the year), split by the employment type of each day. Days on leave are left out of both pay and people, since the records hold no pay during leave. Bonuses and allowances are not in the data: the figure says so. |
//! | women among managers (管理職に占める女性労働者の割合) | 女性活躍推進法 | women ÷ employees with grade ≥ `manager_grade` on the last day of the fiscal year, × 100, half-up to one decimal |
//! | women among workers, among hires | 女性活躍推進法 | on the last day of the year; hires = `hire_date` in the year |
//! | years of service | 女性活躍推進法 | mean years since `hire_date` on the last day of the year, by gender; gap = men − women, and women ÷ men × 100 |
//! | UK gender pay gap | Equality Act 2010 (Gender Pay Gap Information) Regulations 2017 | snapshot = first day of the fiscal year; full-pay relevant employees = employed, `F` or `M`, not on leave, salary known; hourly pay = salary ÷ (weekly hours × 52); mean and median gap = (men − women) ÷ men × 100; quartiles of hourly pay (sizes as equal as possible, the lower quartiles taking the remainder; employees tied across a boundary are interleaved by gender so that both are spread evenly) |
//!
//! ```
//! use mommytrack::disclosure::FiscalYear;
//! let fy = FiscalYear::new(2024, (4, 1)).unwrap();
//! assert_eq!(fy.start.to_string(), "2024-04-01");
//! assert_eq!(fy.end.to_string(), "2025-03-31");
//! assert_eq!(mommytrack::disclosure::truncated_percent(1, 3, 1), Some(33.3));
//! assert_eq!(mommytrack::disclosure::round_half_up(33.35, 1), 33.4);
//! ```

use crate::config::ValidConfig;
use crate::schema::{EventKind, Gender, LeaveType};
use crate::timeline::{State, Timeline};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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

/// Whether a figure is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FigureStatus {
    /// The figure is computed and shown.
    Shown,
    /// The rule's denominator is zero: the figure is "—", not 0%.
    NoDenominator,
    /// The group is smaller than the minimum group size.
    Suppressed,
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

fn display(value: Option<f64>, decimals: u32, status: FigureStatus) -> String {
    match (status, value) {
        (FigureStatus::Shown, Some(v)) => format!("{v:.*}%", decimals as usize),
        (FigureStatus::Suppressed, _) => "suppressed".into(),
        _ => "—".into(),
    }
}

/// A share or rate in persons: numerator, denominator and percentage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rate {
    /// Persons counted above the line (`None` when suppressed).
    pub numerator: Option<u64>,
    /// Persons counted below the line (`None` when suppressed).
    pub denominator: Option<u64>,
    /// The percentage after the rule's rounding.
    pub percent: Option<f64>,
    /// As a person reads it: `33.3%`, `—` or `suppressed`.
    pub display: String,
    /// The rule's rounding.
    pub rounding: String,
    /// Whether the figure is shown.
    pub status: FigureStatus,
}

impl Rate {
    fn new(numerator: u64, denominator: u64, truncate: bool, decimals: u32, min: usize) -> Rate {
        let status = if denominator == 0 {
            FigureStatus::NoDenominator
        } else if denominator < min as u64 {
            FigureStatus::Suppressed
        } else {
            FigureStatus::Shown
        };
        let percent = match status {
            FigureStatus::Shown if truncate => truncated_percent(numerator, denominator, decimals),
            FigureStatus::Shown => Some(round_half_up(
                numerator as f64 * 100.0 / denominator as f64,
                decimals,
            )),
            _ => None,
        };
        let shown = status != FigureStatus::Suppressed;
        Rate {
            numerator: shown.then_some(numerator),
            denominator: shown.then_some(denominator),
            percent,
            display: display(percent, decimals, status),
            rounding: format!(
                "{} to {decimals} decimal{}",
                if truncate {
                    "truncated"
                } else {
                    "rounded half-up"
                },
                if decimals == 1 { "" } else { "s" }
            ),
            status,
        }
    }
}

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
    /// Distinct persons who worked in the group during the year (`None` when suppressed).
    pub persons: Option<u64>,
    /// People as person-years.
    pub person_years: Option<f64>,
    /// Total pay earned in the year.
    pub total_pay: Option<f64>,
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
    pub women: Option<u64>,
    /// Men employed on the last day.
    pub men: Option<u64>,
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

/// One pay quartile of the UK figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quartile {
    /// `lower`, `lower_middle`, `upper_middle`, `upper`.
    pub quartile: String,
    /// Women in it.
    pub women: u64,
    /// Men in it.
    pub men: u64,
    /// Women's share, rounded half-up to one decimal.
    pub women_percent: f64,
    /// Men's share, rounded half-up to one decimal.
    pub men_percent: f64,
}

/// The UK gender pay gap on hourly pay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UkPayGap {
    /// The snapshot date.
    pub snapshot: NaiveDate,
    /// Full-pay relevant women.
    pub women: Option<u64>,
    /// Full-pay relevant men.
    pub men: Option<u64>,
    /// Employees left out because they were on leave on the snapshot date.
    pub excluded_on_leave: u64,
    /// Employees left out because their salary is unknown.
    pub excluded_no_salary: u64,
    /// Employees left out because their gender is `X` or `U` (the regulations count men and women).
    pub excluded_other_gender: u64,
    /// (men's mean − women's mean) ÷ men's mean × 100, half-up to one decimal.
    pub mean_gap_percent: Option<f64>,
    /// The same with medians.
    pub median_gap_percent: Option<f64>,
    /// Pay quartiles from lower to upper.
    pub quartiles: Vec<Quartile>,
    /// Whether the figure is shown.
    pub status: FigureStatus,
}

/// Every disclosure figure for one fiscal year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Disclosure {
    /// The fiscal year.
    pub fiscal_year: FiscalYear,
    /// Parental-leave uptake: men (the statutory figure), then women for comparison.
    pub leave_uptake: Vec<Uptake>,
    /// Pay ratios: all, regular, non-regular workers.
    pub pay_ratio: Vec<PayRatio>,
    /// What pay the ratios use.
    pub pay_basis: String,
    /// Women among managers (grade ≥ `manager_grade`) on the last day.
    pub women_among_managers: Rate,
    /// The manager grade threshold used.
    pub manager_grade: u32,
    /// Women among all employees on the last day.
    pub women_among_workers: Rate,
    /// Women among the year's hires.
    pub women_among_hires: Rate,
    /// Years of service by gender.
    pub service_years: ServiceYears,
    /// UK gender pay gap.
    pub uk_pay_gap: UkPayGap,
}

/// Pay basis stated with every pay figure.
pub const PAY_BASIS: &str = "annual base salary (the contract's `salary`) pro-rated by the days of the fiscal year worked under it; days on leave left out of pay and people; bonuses and allowances are not in the data, so the figure covers base pay only";

/// Heads on the last day of the fiscal year, and hires during it.
struct Headcounts {
    managers: u64,
    women_managers: u64,
    workers: u64,
    women_workers: u64,
    hires: u64,
    women_hires: u64,
    /// By gender: people employed at the end, and their summed years of service.
    service: BTreeMap<Gender, (u64, f64)>,
}

fn headcounts(timelines: &[Timeline], fiscal_year: FiscalYear, manager_grade: u32) -> Headcounts {
    let end = fiscal_year.end;
    let mut h = Headcounts {
        managers: 0,
        women_managers: 0,
        workers: 0,
        women_workers: 0,
        hires: 0,
        women_hires: 0,
        service: BTreeMap::new(),
    };
    for t in timelines {
        let e = t.employee();
        let woman = u64::from(e.gender == Gender::Female);
        if fiscal_year.contains(e.hire_date) {
            h.hires += 1;
            h.women_hires += woman;
        }
        if !t.employed_on(end) {
            continue;
        }
        h.workers += 1;
        h.women_workers += woman;
        if t.state_on(end).grade >= manager_grade {
            h.managers += 1;
            h.women_managers += woman;
        }
        let years = ((end - e.hire_date).num_days() + 1) as f64 / 365.25;
        let s = h.service.entry(e.gender).or_default();
        s.0 += 1;
        s.1 += years;
    }
    h
}

impl Disclosure {
    /// Computes every figure for `fiscal_year` from the timelines.
    pub fn compute(
        timelines: &[Timeline],
        fiscal_year: FiscalYear,
        config: &ValidConfig,
    ) -> Disclosure {
        let min = config.min_group_size();
        // Four independent passes over the timelines, side by side (each
        // sums in a fixed order, so the figures do not depend on threads).
        let ((leave_uptake, pay_ratio), (counts, uk_pay_gap)) = rayon::join(
            || {
                rayon::join(
                    || {
                        [Gender::Male, Gender::Female]
                            .into_iter()
                            .map(|gender| {
                                let (num, den) = uptake_counts(timelines, fiscal_year, gender);
                                Uptake {
                                    gender,
                                    rate: Rate::new(num, den, true, config.uptake_decimals(), min),
                                }
                            })
                            .collect::<Vec<_>>()
                    },
                    || pay_ratios(timelines, fiscal_year, min),
                )
            },
            || {
                rayon::join(
                    || headcounts(timelines, fiscal_year, config.manager_grade()),
                    || uk_pay_gap(timelines, fiscal_year.start, min),
                )
            },
        );
        let Headcounts {
            managers,
            women_managers,
            workers,
            women_workers,
            hires,
            women_hires,
            service,
        } = counts;
        let (w, m) = (
            service.get(&Gender::Female).copied().unwrap_or_default(),
            service.get(&Gender::Male).copied().unwrap_or_default(),
        );
        let status = if w.0 == 0 || m.0 == 0 {
            FigureStatus::NoDenominator
        } else if w.0 < min as u64 || m.0 < min as u64 {
            FigureStatus::Suppressed
        } else {
            FigureStatus::Shown
        };
        let shown = status == FigureStatus::Shown;
        let (wm, mm) = (w.1 / w.0.max(1) as f64, m.1 / m.0.max(1) as f64);
        let service_years = ServiceYears {
            women: (status != FigureStatus::Suppressed).then_some(w.0),
            men: (status != FigureStatus::Suppressed).then_some(m.0),
            women_mean_years: shown.then(|| round_half_up(wm, 1)),
            men_mean_years: shown.then(|| round_half_up(mm, 1)),
            gap_years: shown.then(|| round_half_up(mm - wm, 1)),
            ratio_percent: shown.then(|| round_half_up(wm / mm * 100.0, 1)),
            status,
        };
        Disclosure {
            fiscal_year,
            leave_uptake,
            pay_ratio,
            pay_basis: PAY_BASIS.into(),
            women_among_managers: Rate::new(women_managers, managers, false, 1, min),
            manager_grade: config.manager_grade(),
            women_among_workers: Rate::new(women_workers, workers, false, 1, min),
            women_among_hires: Rate::new(women_hires, hires, false, 1, min),
            service_years,
            uk_pay_gap,
        }
    }
}

fn is_childcare_leave(leave_type: LeaveType) -> bool {
    matches!(leave_type, LeaveType::Paternity | LeaveType::Parental)
}

/// (persons who started leave in the year, persons with a birth in the year).
fn uptake_counts(timelines: &[Timeline], fy: FiscalYear, gender: Gender) -> (u64, u64) {
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
}

fn pay_ratios(timelines: &[Timeline], fy: FiscalYear, min: usize) -> Vec<PayRatio> {
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
            if !seen[group] {
                seen[group] = true;
                cell.persons += 1;
            }
            all[g].days += days;
            all[g].pay += salary * days as f64 / days_in_year;
            if !seen_any {
                seen_any = true;
                all[g].persons += 1;
            }
        }
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
            PayCell {
                persons: shown.then_some(c.persons),
                person_years: shown.then_some(py),
                total_pay: shown.then_some(c.pay),
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

fn median(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

fn uk_pay_gap(timelines: &[Timeline], snapshot: NaiveDate, min: usize) -> UkPayGap {
    let (mut on_leave, mut no_salary, mut other) = (0u64, 0u64, 0u64);
    // (hourly pay, is woman)
    let mut people: Vec<(f64, bool)> = Vec::new();
    for t in timelines.iter().filter(|t| t.employed_on(snapshot)) {
        let woman = match t.employee().gender {
            Gender::Female => true,
            Gender::Male => false,
            _ => {
                other += 1;
                continue;
            }
        };
        let state = t.state_on(snapshot);
        if state.on_leave.is_some() {
            on_leave += 1;
            continue;
        }
        match state.salary {
            Some(s) if state.weekly_hours > 0.0 => {
                people.push((s / (state.weekly_hours * 52.0), woman));
            }
            _ => no_salary += 1,
        }
    }
    let women: Vec<f64> = people.iter().filter(|p| p.1).map(|p| p.0).collect();
    let men: Vec<f64> = people.iter().filter(|p| !p.1).map(|p| p.0).collect();
    let status = if women.is_empty() || men.is_empty() {
        FigureStatus::NoDenominator
    } else if women.len() < min || men.len() < min {
        FigureStatus::Suppressed
    } else {
        FigureStatus::Shown
    };
    let shown = status == FigureStatus::Shown;
    let (mut ws, mut ms) = (women.clone(), men.clone());
    ws.sort_by(f64::total_cmp);
    ms.sort_by(f64::total_cmp);
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let gap = |m: f64, w: f64| round_half_up((m - w) / m * 100.0, 1);
    let quartiles = if shown && people.len() >= 4 {
        quartiles(people)
    } else {
        vec![]
    };
    UkPayGap {
        snapshot,
        women: (status != FigureStatus::Suppressed).then_some(women.len() as u64),
        men: (status != FigureStatus::Suppressed).then_some(men.len() as u64),
        excluded_on_leave: on_leave,
        excluded_no_salary: no_salary,
        excluded_other_gender: other,
        mean_gap_percent: shown.then(|| gap(mean(&ms), mean(&ws))),
        median_gap_percent: shown.then(|| gap(median(&ms), median(&ws))),
        quartiles,
        status,
    }
}

fn quartiles(mut people: Vec<(f64, bool)>) -> Vec<Quartile> {
    people.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Within a run of equal pay, interleave women and men in proportion, so
    // that a run cut by a quartile boundary is split evenly between genders.
    let mut ordered: Vec<bool> = Vec::with_capacity(people.len());
    let mut i = 0;
    while i < people.len() {
        let mut j = i;
        while j < people.len() && people[j].0 == people[i].0 {
            j += 1;
        }
        let n = j - i;
        let w = people[i..j].iter().filter(|p| p.1).count();
        let mut placed_w = 0;
        for k in 0..n {
            // Place a woman when the women placed so far fall behind her share.
            let due = ((k + 1) * w).div_ceil(n);
            if placed_w < due {
                ordered.push(true);
                placed_w += 1;
            } else {
                ordered.push(false);
            }
        }
        i = j;
    }
    let n = ordered.len();
    let names = ["lower", "lower_middle", "upper_middle", "upper"];
    let mut out = Vec::new();
    let mut start = 0;
    for (q, name) in names.iter().enumerate() {
        let size = n / 4 + usize::from(q < n % 4);
        let part = &ordered[start..start + size];
        start += size;
        let women = part.iter().filter(|w| **w).count() as u64;
        let men = size as u64 - women;
        out.push(Quartile {
            quartile: (*name).into(),
            women,
            men,
            women_percent: round_half_up(women as f64 * 100.0 / size as f64, 1),
            men_percent: round_half_up(men as f64 * 100.0 / size as f64, 1),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_and_rounding_follow_their_rules() {
        assert_eq!(truncated_percent(3339, 10000, 1), Some(33.3));
        assert_eq!(truncated_percent(2, 3, 1), Some(66.6));
        assert_eq!(truncated_percent(2, 3, 0), Some(66.0));
        assert_eq!(truncated_percent(5, 4, 1), Some(125.0));
        assert_eq!(truncated_percent(1, 0, 1), None);
        assert_eq!(round_half_up(33.35, 1), 33.4);
        assert_eq!(round_half_up(33.349, 1), 33.3);
        assert_eq!(round_half_up(66.65, 1), 66.7);
        assert_eq!(round_half_up(-2.25, 1), -2.3);
    }

    #[test]
    fn fiscal_years() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let fy = FiscalYear::containing(d("2025-02-10"), (4, 1)).unwrap();
        assert_eq!(
            (fy.year, fy.start, fy.end),
            (2024, d("2024-04-01"), d("2025-03-31"))
        );
        assert_eq!(fy.days(), 365);
        assert_eq!(FiscalYear::new(2023, (4, 1)).unwrap().days(), 366);
        assert_eq!(
            FiscalYear::last_complete(d("2025-03-31"), (4, 1))
                .unwrap()
                .year,
            2024
        );
        assert_eq!(
            FiscalYear::last_complete(d("2025-03-30"), (4, 1))
                .unwrap()
                .year,
            2023
        );
        assert_eq!(FiscalYear::new(2024, (1, 1)).unwrap().end, d("2024-12-31"));
    }
}
