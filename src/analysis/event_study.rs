//! The child-penalty event study (Kleven, Landais & Søgaard, "Children and
//! Gender Inequality: Evidence from Denmark", AEJ: Applied 11(4), 2019).
//!
//! # Panel
//!
//! Parents are employees with an absence holding maternity, paternity or
//! parental leave; the event is the start of the first such absence. Each
//! parent contributes one row per calendar year `y` in which they are
//! employed on 31 December, with event time `t = y − year(event)` inside
//! [`event_time_min`, `event_time_max`] (default −3 … 5). The outcome is read
//! from the state on that 31 December: `grade`, `responsibility`, `salary`
//! (rows without a salary are left out of that outcome) and `regular`
//! (1 = regular employment). Rows need a `birth_year` (for the age
//! dummies); rows without one are counted and left out.
//!
//! # Model
//!
//! Separately for women and men, ordinary least squares of the outcome on an
//! intercept, event-time dummies (t = −1 omitted), age dummies (the lowest
//! age present omitted) and calendar-year dummies (the earliest omitted),
//! with standard errors clustered by employee as statsmodels'
//! `cov_type="cluster"` computes them (small-sample factor
//! G/(G−1)·(N−1)/(N−K)). A dummy with no row in a gender's sample is left
//! out of that gender's model.
//!
//! The counterfactual Ỹ of a row is its prediction without the event-time
//! terms; the penalty at t is
//! `P_t = (α̂_women,t − α̂_men,t) / E[Ỹ_women | t]`, negative when women fall
//! below (the paper states it with the sign flipped). Its confidence
//! interval uses `se(P_t) = sqrt(se_w,t² + se_m,t²) / E[Ỹ_women | t]`: the
//! two samples are independent, and the variance of the counterfactual mean
//! is ignored (a delta-method simplification, documented here on purpose).
//!
//! `tests/event_study.rs` checks the coefficients against statsmodels OLS on
//! the same panel.

use super::Context;
use crate::schema::Gender;
use crate::stats::z_for;
use crate::suppress::Count;
use chrono::{Datelike, NaiveDate};
use nalgebra::{DMatrix, DVector};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The outcomes of the event study, in report order.
pub const OUTCOMES: [&str; 4] = ["grade", "responsibility", "salary", "regular"];

/// One parent-year of the panel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PanelRow {
    /// Index of the employee in the timelines (the cluster).
    pub employee: usize,
    /// Woman (`true`) or man.
    pub female: bool,
    /// Calendar year.
    pub year: i32,
    /// Age in that year.
    pub age: i32,
    /// Years since the event.
    pub event_time: i32,
    /// Grade on 31 December.
    pub grade: f64,
    /// Responsibility on 31 December.
    pub responsibility: f64,
    /// Salary on 31 December, when known.
    pub salary: Option<f64>,
    /// 1 when regular on 31 December.
    pub regular: f64,
}

impl PanelRow {
    /// The named outcome (see [`OUTCOMES`]).
    pub fn outcome(&self, name: &str) -> Option<f64> {
        match name {
            "grade" => Some(self.grade),
            "responsibility" => Some(self.responsibility),
            "salary" => self.salary,
            "regular" => Some(self.regular),
            _ => None,
        }
    }
}

/// Builds the panel (see the module docs); the second value counts the
/// parent-years left out for want of a birth year.
pub fn panel(ctx: &Context<'_>) -> (Vec<PanelRow>, u64) {
    let (timelines, config, as_of) = (ctx.timelines(), ctx.config(), ctx.as_of());
    let (lo, hi) = config.event_times();
    // Employees in parallel; `collect` keeps their order.
    let per_employee: Vec<(Vec<PanelRow>, u64)> = timelines
        .par_iter()
        .enumerate()
        .filter_map(|(i, t)| {
            let e = t.employee();
            if !matches!(e.gender, Gender::Female | Gender::Male) || !t.has_childcare_leave() {
                return None;
            }
            let first = ctx.absences_of(i).iter().find(|a| a.is_childcare())?;
            let event_year = first.start.year();
            let mut walk = t.walk();
            let mut rows = Vec::new();
            let mut no_birth_year = 0u64;
            for year in (event_year + lo)..=(event_year + hi) {
                let Some(dec31) = NaiveDate::from_ymd_opt(year, 12, 31) else {
                    continue;
                };
                if dec31 > as_of || !t.employed_on(dec31) {
                    continue;
                }
                let Some(birth_year) = e.birth_year else {
                    no_birth_year += 1;
                    continue;
                };
                let s = walk.state_on(dec31);
                rows.push(PanelRow {
                    employee: i,
                    female: e.gender == Gender::Female,
                    year,
                    age: year - birth_year,
                    event_time: year - event_year,
                    grade: f64::from(s.grade),
                    responsibility: f64::from(s.responsibility),
                    salary: s.salary,
                    regular: f64::from(u8::from(s.employment_type.is_regular())),
                });
            }
            Some((rows, no_birth_year))
        })
        .collect();
    let no_birth_year = per_employee.iter().map(|p| p.1).sum();
    let rows = per_employee.into_iter().flat_map(|p| p.0).collect();
    (rows, no_birth_year)
}

/// An OLS fit with clustered standard errors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OlsFit {
    /// Column names: `const`, `t_<k>`, `age_<a>`, `year_<y>`.
    pub names: Vec<String>,
    /// Coefficients.
    pub coefficients: Vec<f64>,
    /// Cluster-robust standard errors.
    pub se: Vec<f64>,
    /// Rows.
    pub n: usize,
    /// Clusters (employees).
    pub clusters: usize,
}

/// The distinct values, ascending: marked in a table over their range
/// (ages, years and event times span a few dozen values), else sorted.
fn distinct(values: impl Iterator<Item = i32> + Clone) -> Vec<i32> {
    let Some((lo, hi)) = values.clone().fold(None, |m: Option<(i32, i32)>, v| {
        Some(m.map_or((v, v), |(lo, hi)| (lo.min(v), hi.max(v))))
    }) else {
        return Vec::new();
    };
    let span = (i64::from(hi) - i64::from(lo)) as usize + 1;
    if span > 1 << 16 {
        let mut all: Vec<i32> = values.collect();
        all.sort_unstable();
        all.dedup();
        return all;
    }
    let mut seen = vec![false; span];
    for v in values {
        seen[(i64::from(v) - i64::from(lo)) as usize] = true;
    }
    (0..span)
        .filter(|&i| seen[i])
        .map(|i| (i64::from(lo) + i as i64) as i32)
        .collect()
}

/// OLS of `y` on dummies for event time (−1 omitted), age and year (lowest
/// omitted) with an intercept; standard errors clustered by `cluster`.
/// `None` when the design is singular or there are too few rows or clusters.
pub fn fit_event_model(rows: &[(&PanelRow, f64)], omit_event_time: i32) -> Option<OlsFit> {
    let times: Vec<i32> = distinct(rows.iter().map(|r| r.0.event_time))
        .into_iter()
        .filter(|t| *t != omit_event_time)
        .collect();
    let ages: Vec<i32> = distinct(rows.iter().map(|r| r.0.age))
        .into_iter()
        .skip(1)
        .collect();
    let years: Vec<i32> = distinct(rows.iter().map(|r| r.0.year))
        .into_iter()
        .skip(1)
        .collect();
    let mut names = vec!["const".to_string()];
    names.extend(times.iter().map(|t| format!("t_{t}")));
    names.extend(ages.iter().map(|a| format!("age_{a}")));
    names.extend(years.iter().map(|y| format!("year_{y}")));
    let k = names.len();
    let n = rows.len();
    // Rows of one cluster are taken together: in the order given when that
    // is already grouped by employee (as `panel` builds it), else sorted.
    let mut order: Vec<usize> = (0..n).collect();
    if !rows.windows(2).all(|w| w[0].0.employee <= w[1].0.employee) {
        order.sort_by_key(|&i| rows[i].0.employee);
    }
    let g = 1 + order
        .windows(2)
        .filter(|w| rows[w[0]].0.employee != rows[w[1]].0.employee)
        .count();
    if n <= k || n == 0 || g < 2 {
        return None;
    }
    // Each row has at most four ones (intercept, event time, age, year):
    // X'X, X'y and the cluster scores are accumulated from those columns.
    const NONE: usize = usize::MAX;
    let col = |list: &[i32], v: i32, base: usize| list.binary_search(&v).map_or(NONE, |j| base + j);
    let row_cols: Vec<[usize; 4]> = rows
        .iter()
        .map(|(r, _)| {
            [
                0,
                col(&times, r.event_time, 1),
                col(&ages, r.age, 1 + times.len()),
                col(&years, r.year, 1 + times.len() + ages.len()),
            ]
        })
        .collect();
    fn present(cols: &[usize; 4]) -> impl Iterator<Item = usize> + '_ {
        cols.iter().copied().filter(|&c| c != usize::MAX)
    }
    let mut xtx = DMatrix::<f64>::zeros(k, k);
    let mut xty = DVector::<f64>::zeros(k);
    for (cols, (_, y)) in row_cols.iter().zip(rows) {
        for a in present(cols) {
            xty[a] += y;
            for b in present(cols) {
                xtx[(a, b)] += 1.0;
            }
        }
    }
    let xtx_inv = xtx.cholesky()?.inverse();
    let beta = &xtx_inv * xty;
    // Σ_g (X_g' u_g)(X_g' u_g)', as S'S for blocks of cluster scores S
    // (one row per cluster), so that memory stays small.
    const BLOCK: usize = 2048;
    let mut meat = DMatrix::<f64>::zeros(k, k);
    let mut block = DMatrix::<f64>::zeros(BLOCK, k);
    let mut filled = 0usize;
    let mut previous = None;
    for &i in &order {
        let (r, y) = rows[i];
        if previous != Some(r.employee) {
            if filled == BLOCK {
                meat.gemm_tr(1.0, &block, &block, 1.0);
                block.fill(0.0);
                filled = 0;
            }
            filled += 1;
            previous = Some(r.employee);
        }
        let cols = &row_cols[i];
        let resid = y - present(cols).map(|j| beta[j]).sum::<f64>();
        for j in present(cols) {
            block[(filled - 1, j)] += resid;
        }
    }
    let used = block.rows(0, filled);
    meat.gemm_tr(1.0, &used, &used, 1.0);
    let factor = (g as f64 / (g as f64 - 1.0)) * ((n as f64 - 1.0) / (n as f64 - k as f64));
    let cov = &xtx_inv * meat * &xtx_inv * factor;
    Some(OlsFit {
        names,
        coefficients: beta.iter().copied().collect(),
        se: (0..k).map(|j| cov[(j, j)].max(0.0).sqrt()).collect(),
        n,
        clusters: g,
    })
}

impl OlsFit {
    fn coef(&self, name: &str) -> Option<(f64, f64)> {
        let j = self.names.iter().position(|n| n == name)?;
        Some((self.coefficients[j], self.se[j]))
    }

    /// The prediction without event-time terms, as a function of (age,
    /// year): the intercept plus the age and year coefficients (0 for the
    /// omitted or absent levels).
    fn counterfactual(&self) -> impl Fn(&PanelRow) -> f64 + '_ {
        let level = |prefix: &str| -> BTreeMap<i32, f64> {
            self.names
                .iter()
                .zip(&self.coefficients)
                .filter_map(|(n, c)| Some((n.strip_prefix(prefix)?.parse().ok()?, *c)))
                .collect()
        };
        let (ages, years) = (level("age_"), level("year_"));
        move |r: &PanelRow| {
            self.coefficients[0]
                + ages.get(&r.age).copied().unwrap_or(0.0)
                + years.get(&r.year).copied().unwrap_or(0.0)
        }
    }
}

/// The child penalty of one outcome, as `report.json` shows it (`event_study.<outcome>`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Penalty {
    /// Event times, years.
    pub event_time: Vec<i32>,
    /// P_t as a fraction (−0.2 = 20% below the counterfactual); `None` when not estimable or suppressed.
    pub penalty: Vec<Option<f64>>,
    /// Lower confidence bound.
    pub ci_lower: Vec<Option<f64>>,
    /// Upper confidence bound.
    pub ci_upper: Vec<Option<f64>>,
    /// α̂ for women.
    pub women_coef: Vec<Option<f64>>,
    /// α̂ for men.
    pub men_coef: Vec<Option<f64>>,
    /// E[Ỹ_women | t].
    pub women_counterfactual: Vec<Option<f64>>,
    /// Women in the sample at each event time.
    pub women: Vec<Count>,
    /// Men in the sample at each event time.
    pub men: Vec<Count>,
}

/// The event study for every outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EventStudy {
    /// Parent-years in the panel.
    pub panel_rows: u64,
    /// Parent-years left out for want of a birth year.
    pub rows_without_birth_year: u64,
    /// By outcome: `grade`, `responsibility`, `salary`, `regular`.
    #[serde(flatten)]
    pub outcomes: BTreeMap<String, Penalty>,
}

impl EventStudy {
    /// Runs the event study; `None` when there is no parent of either gender.
    pub fn new(ctx: &Context<'_>) -> Option<EventStudy> {
        let config = ctx.config();
        let (rows, no_birth_year) = panel(ctx);
        if !rows.iter().any(|r| r.female) || !rows.iter().any(|r| !r.female) {
            return None;
        }
        let (lo, hi) = config.event_times();
        let z = z_for(config.confidence_level());
        let min = config.min_group_size() as u64;
        // Outcomes, and within each the two genders, in parallel.
        let outcomes: BTreeMap<String, Penalty> = OUTCOMES
            .par_iter()
            .map(|&name| {
                let sample = |female: bool| -> Vec<(&PanelRow, f64)> {
                    rows.iter()
                        .filter(|r| r.female == female)
                        .filter_map(|r| r.outcome(name).map(|y| (r, y)))
                        .collect()
                };
                let (w, m) = (sample(true), sample(false));
                let (fw, fm) = rayon::join(|| fit_event_model(&w, -1), || fit_event_model(&m, -1));
                let mut p = Penalty {
                    event_time: (lo..=hi).collect(),
                    penalty: vec![],
                    ci_lower: vec![],
                    ci_upper: vec![],
                    women_coef: vec![],
                    men_coef: vec![],
                    women_counterfactual: vec![],
                    women: vec![],
                    men: vec![],
                };
                // Each parent has at most one row per event time: rows are persons.
                let persons = |s: &[(&PanelRow, f64)], t: i32| {
                    s.iter().filter(|r| r.0.event_time == t).count() as u64
                };
                let women_cf = fw.as_ref().map(|f| f.counterfactual());
                for t in lo..=hi {
                    let (nw, nm) = (persons(&w, t), persons(&m, t));
                    let shown = nw >= min && nm >= min;
                    let coef = |f: &Option<OlsFit>| {
                        if t == -1 {
                            f.as_ref().map(|_| (0.0, 0.0))
                        } else {
                            f.as_ref().and_then(|f| f.coef(&format!("t_{t}")))
                        }
                    };
                    let (cw, cm) = (coef(&fw), coef(&fm));
                    let cf = women_cf.as_ref().and_then(|f| {
                        let (sum, count) = w
                            .iter()
                            .filter(|r| r.0.event_time == t)
                            .fold((0.0, 0usize), |(s, c), r| (s + f(r.0), c + 1));
                        (count > 0).then(|| sum / count as f64)
                    });
                    let est = match (shown, cw, cm, cf) {
                        (true, Some(a), Some(b), Some(c)) if c.abs() > 1e-12 => {
                            let pen = (a.0 - b.0) / c;
                            let se = (a.1 * a.1 + b.1 * b.1).sqrt() / c.abs();
                            Some((pen, pen - z * se, pen + z * se))
                        }
                        _ => None,
                    };
                    p.penalty.push(est.map(|e| e.0));
                    p.ci_lower.push(est.map(|e| e.1));
                    p.ci_upper.push(est.map(|e| e.2));
                    p.women_coef
                        .push(shown.then_some(cw.map(|c| c.0)).flatten());
                    p.men_coef.push(shown.then_some(cm.map(|c| c.0)).flatten());
                    p.women_counterfactual.push(shown.then_some(cf).flatten());
                    p.women.push(Count::new(nw, min as usize));
                    p.men.push(Count::new(nm, min as usize));
                }
                (name.to_string(), p)
            })
            .collect();
        Some(EventStudy {
            panel_rows: rows.len() as u64,
            rows_without_birth_year: no_birth_year,
            outcomes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::distinct;
    use proptest::prelude::*;

    proptest! {
        /// Both ways (a table over a small range, sorting a wide one) give
        /// the sorted distinct values.
        #[test]
        fn distinct_is_sorted_dedup(
            v in proptest::collection::vec(-40i32..120, 0..300),
            wide in any::<bool>(),
        ) {
            let mut v = v;
            if wide {
                v.push(1 << 20);
            }
            let mut want = v.clone();
            want.sort_unstable();
            want.dedup();
            prop_assert_eq!(distinct(v.iter().copied()), want);
        }
    }
}
