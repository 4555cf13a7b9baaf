//! UK: the gender pay gap (Equality Act 2010 (Gender Pay Gap Information)
//! Regulations 2017): mean and median hourly gap, pay quartiles.

use super::{round_half_up, FigureStatus};
use crate::schema::{Gender, LeaveType};
use crate::suppress::Count;
use crate::timeline::Timeline;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One pay quartile of the UK figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quartile {
    /// `lower`, `lower_middle`, `upper_middle`, `upper`.
    pub quartile: String,
    /// Women in it.
    pub women: Count,
    /// Men in it.
    pub men: Count,
    /// Everyone in it (a quarter of the full-pay relevant employees).
    #[serde(default = "withheld")]
    pub people: Count,
    /// Women's share, rounded half-up to one decimal.
    pub women_percent: Option<f64>,
    /// Men's share, rounded half-up to one decimal.
    pub men_percent: Option<f64>,
}

fn withheld() -> Count {
    Count::published(None)
}

/// The UK gender pay gap on hourly pay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UkPayGap {
    /// The snapshot date.
    pub snapshot: NaiveDate,
    /// Full-pay relevant women.
    pub women: Count,
    /// Full-pay relevant men.
    pub men: Count,
    /// Full-pay relevant employees, women and men.
    #[serde(default = "withheld")]
    pub people: Count,
    /// Employees left out because they were on leave on the snapshot date.
    pub excluded_on_leave: Count,
    /// Employees left out because their salary is unknown.
    pub excluded_no_salary: Count,
    /// Employees left out because their gender is `X` or `U` (the regulations count men and women).
    pub excluded_other_gender: Count,
    /// (men's mean − women's mean) ÷ men's mean × 100, half-up to one decimal.
    pub mean_gap_percent: Option<f64>,
    /// The same with medians.
    pub median_gap_percent: Option<f64>,
    /// Pay quartiles from lower to upper.
    pub quartiles: Vec<Quartile>,
    /// Whether the figure is shown.
    pub status: FigureStatus,
}

fn median(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

pub(super) fn uk_pay_gap(
    timelines: &[Timeline],
    snapshot: NaiveDate,
    reduced_pay: &[LeaveType],
    min: usize,
) -> UkPayGap {
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
        if state.on_leave.is_some_and(|l| reduced_pay.contains(&l)) {
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
    let everyone = people.len() as u64;
    let quartiles = if shown && people.len() >= 4 {
        quartiles(people, min)
    } else {
        vec![]
    };
    UkPayGap {
        snapshot,
        women: Count::new(women.len() as u64, min),
        men: Count::new(men.len() as u64, min),
        people: Count::new(everyone, min),
        excluded_on_leave: Count::new(on_leave, min),
        excluded_no_salary: Count::new(no_salary, min),
        excluded_other_gender: Count::new(other, min),
        mean_gap_percent: shown.then(|| gap(mean(&ms), mean(&ws))),
        median_gap_percent: shown.then(|| gap(median(&ms), median(&ws))),
        quartiles,
        status,
    }
}

fn quartiles(mut people: Vec<(f64, bool)>, min: usize) -> Vec<Quartile> {
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
        let (w, m) = (Count::new(women, min), Count::new(men, min));
        let shown = !w.suppressed && !m.suppressed;
        out.push(Quartile {
            quartile: (*name).into(),
            women: w,
            men: m,
            people: Count::new(size as u64, min),
            women_percent: shown.then(|| round_half_up(women as f64 * 100.0 / size as f64, 1)),
            men_percent: shown.then(|| round_half_up(men as f64 * 100.0 / size as f64, 1)),
        });
    }
    out
}
