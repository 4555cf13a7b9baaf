//! Statutory disclosure figures computed from the same validated records:
//! Japan's male parental-leave uptake (育児・介護休業法), the gender pay ratio
//! and related figures of the Act on Promotion of Women's Participation
//! (女性活躍推進法, as revised from April 2026), and the UK gender pay gap.
//!
//! Every figure carries its numerator, denominator, the rounding its rule asks
//! for and a [`FigureStatus`]: `shown`, `no_denominator` (e.g. no births in the
//! year: the figure is "—", never 0%) or `suppressed` (the group is smaller
//! than [`min_group_size`](crate::config::ValidConfig::min_group_size), or a
//! pay sum fails the p% rule; for the filing itself, where the law wants
//! every figure, set `min_group_size = 1` and `pay_p_percent = 0`).
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
//! | UK gender pay gap | Equality Act 2010 (Gender Pay Gap Information) Regulations 2017 | snapshot = `uk_snapshot`, the first such day in the fiscal year (default `"04-05"`, the regulations' date for private employers; `"03-31"` for public ones); full-pay relevant employees = employed, `F` or `M`, not on a leave with reduced or no pay (`uk_reduced_pay_leave`; default: maternity, paternity, parental, family care and other leave — medical leave is taken as on full sick pay), salary known; hourly pay = salary ÷ (weekly hours × 52); mean and median gap = (men − women) ÷ men × 100; quartiles of hourly pay (sizes as equal as possible, the lower quartiles taking the remainder; employees tied across a boundary are interleaved by gender so that both are spread evenly) |
//!
//! ```
//! use mommytrack::analysis::disclosure::FiscalYear;
//! let fy = FiscalYear::new(2024, (4, 1)).unwrap();
//! assert_eq!(fy.start.to_string(), "2024-04-01");
//! assert_eq!(fy.end.to_string(), "2025-03-31");
//! assert_eq!(mommytrack::analysis::disclosure::truncated_percent(1, 3, 1), Some(33.3));
//! assert_eq!(mommytrack::analysis::disclosure::round_half_up(33.35, 1), 33.4);
//! ```

mod fiscal;
mod japan;
mod uk;

pub use fiscal::{round_half_up, truncated_percent, FiscalYear};
pub use japan::{PayCell, PayRatio, ServiceYears, Uptake};
pub use uk::{Quartile, UkPayGap};

use crate::config::ValidConfig;
use crate::schema::Gender;
use crate::suppress::Count;
use crate::timeline::Timeline;
use japan::{pay_ratios, uptake_counts};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uk::uk_pay_gap;

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

pub(super) fn display(value: Option<f64>, decimals: u32, status: FigureStatus) -> String {
    match (status, value) {
        (FigureStatus::Shown, Some(v)) => format!("{v:.*}%", decimals as usize),
        (FigureStatus::Suppressed, _) => "suppressed".into(),
        _ => "—".into(),
    }
}

/// A share or rate in persons: numerator, denominator and percentage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rate {
    /// Persons counted above the line.
    pub numerator: Count,
    /// Persons counted below the line.
    pub denominator: Count,
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
        let (num, den) = (Count::new(numerator, min), Count::new(denominator, min));
        let status = if denominator == 0 {
            FigureStatus::NoDenominator
        } else if num.suppressed || den.suppressed {
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
        Rate {
            numerator: num,
            denominator: den,
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

/// Every disclosure figure for one fiscal year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
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
                    || pay_ratios(timelines, fiscal_year, min, config.pay_p_percent()),
                )
            },
            || {
                rayon::join(
                    || headcounts(timelines, fiscal_year, config.manager_grade()),
                    || {
                        uk_pay_gap(
                            timelines,
                            fiscal_year.uk_snapshot(config.uk_snapshot()),
                            &config.disclosure().uk_reduced_pay_leave,
                            min,
                        )
                    },
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
            women: Count::new(w.0, min),
            men: Count::new(m.0, min),
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

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
