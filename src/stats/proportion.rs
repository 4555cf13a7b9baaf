//! Proportions, their intervals, and 2×2 tables.

use super::{z_for, StatsError};
use serde::{Deserialize, Serialize};
use statrs::distribution::{ChiSquared, ContinuousCDF, Discrete, Hypergeometric};

/// A point estimate with a confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// The estimate.
    pub estimate: f64,
    /// Lower bound.
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
}

fn check_counts(x: u64, n: u64) -> Result<(), StatsError> {
    if n == 0 {
        return Err(StatsError::NotEnoughData("a group of size 0".into()));
    }
    if x > n {
        return Err(StatsError::InvalidInput(format!(
            "{x} successes out of {n}"
        )));
    }
    Ok(())
}

/// Wilson score interval for x successes out of n, as statsmodels
/// `proportion_confint(x, n, alpha, method="wilson")`.
///
/// ```
/// use mommytrack::stats::wilson;
/// let i = wilson(0, 10, 0.95).unwrap();
/// assert_eq!(i.lower, 0.0);
/// assert!((i.upper - 0.2775328).abs() < 1e-6); // statsmodels 0.14
/// ```
pub fn wilson(x: u64, n: u64, level: f64) -> Result<Interval, StatsError> {
    check_counts(x, n)?;
    let z = z_for(level);
    let (nf, p) = (n as f64, x as f64 / n as f64);
    let z2 = z * z;
    let denom = 1.0 + z2 / nf;
    let center = (p + z2 / (2.0 * nf)) / denom;
    let half = z * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt() / denom;
    Ok(Interval {
        estimate: p,
        // Exact bounds at the edges (the formula leaves ~1e-17 of rounding).
        lower: if x == 0 {
            0.0
        } else {
            (center - half).max(0.0)
        },
        upper: if x == n {
            1.0
        } else {
            (center + half).min(1.0)
        },
    })
}

/// Newcombe's hybrid score interval for p1 − p2 (his method 10), as
/// statsmodels `confint_proportions_2indep(x1, n1, x2, n2, method="newcomb", compare="diff")`.
pub fn newcombe(x1: u64, n1: u64, x2: u64, n2: u64, level: f64) -> Result<Interval, StatsError> {
    let w1 = wilson(x1, n1, level)?;
    let w2 = wilson(x2, n2, level)?;
    let (p1, p2) = (w1.estimate, w2.estimate);
    let d = p1 - p2;
    Ok(Interval {
        estimate: d,
        lower: d - ((p1 - w1.lower).powi(2) + (w2.upper - p2).powi(2)).sqrt(),
        upper: d + ((w1.upper - p1).powi(2) + (p2 - w2.lower).powi(2)).sqrt(),
    })
}

/// The adverse impact ratio (selection-rate ratio) and the four-fifths rule.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ImpactRatio {
    /// Selection rate of the focal group.
    pub focal_rate: f64,
    /// Selection rate of the reference group.
    pub reference_rate: f64,
    /// focal_rate / reference_rate (`None` when the reference rate is 0).
    pub ratio: Option<f64>,
    /// `true` when the ratio is below 0.8 (29 CFR 1607.4(D)): a screen, not proof.
    pub below_four_fifths: bool,
}

/// A 2×2 table: rows are groups (exposed, unexposed), columns outcome yes/no.
///
/// ```
/// use mommytrack::stats::TwoByTwo;
/// let t = TwoByTwo::new(8, 2, 1, 5);
/// let p = t.fisher_exact_p().unwrap();
/// assert!((p - 0.03496503).abs() < 1e-7); // scipy.stats.fisher_exact([[8, 2], [1, 5]])
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoByTwo {
    /// Group 1, outcome yes.
    pub a: u64,
    /// Group 1, outcome no.
    pub b: u64,
    /// Group 2, outcome yes.
    pub c: u64,
    /// Group 2, outcome no.
    pub d: u64,
}

/// A chi-square test result.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ChiSquare {
    /// Statistic.
    pub statistic: f64,
    /// Degrees of freedom.
    pub df: usize,
    /// p-value.
    pub p_value: f64,
}

impl TwoByTwo {
    /// The table `[[a, b], [c, d]]`.
    pub fn new(a: u64, b: u64, c: u64, d: u64) -> TwoByTwo {
        TwoByTwo { a, b, c, d }
    }

    /// Two-sided Fisher exact test: the sum of the probabilities of all
    /// tables with the same margins that are no more likely than the one
    /// observed (relative tolerance 1e-7, as R's `fisher.test`), as
    /// `scipy.stats.fisher_exact(table)`.
    pub fn fisher_exact_p(&self) -> Result<f64, StatsError> {
        let n = self.a + self.b + self.c + self.d;
        let row1 = self.a + self.b;
        let col1 = self.a + self.c;
        if n == 0 {
            return Err(StatsError::NotEnoughData("an empty table".into()));
        }
        let h = Hypergeometric::new(n, col1, row1)
            .map_err(|e| StatsError::InvalidInput(e.to_string()))?;
        let lo = (row1 + col1).saturating_sub(n);
        let hi = row1.min(col1);
        let observed = h.ln_pmf(self.a);
        let mut p = 0.0;
        for k in lo..=hi {
            let lp = h.ln_pmf(k);
            if lp <= observed + 1e-7 {
                p += lp.exp();
            }
        }
        Ok(p.min(1.0))
    }

    /// Pearson's chi-square test, with Yates' continuity correction when
    /// `yates`, as `scipy.stats.chi2_contingency(table, correction=yates)`.
    pub fn chi_square(&self, yates: bool) -> Result<ChiSquare, StatsError> {
        let obs = [self.a as f64, self.b as f64, self.c as f64, self.d as f64];
        let n: f64 = obs.iter().sum();
        let rows = [obs[0] + obs[1], obs[2] + obs[3]];
        let cols = [obs[0] + obs[2], obs[1] + obs[3]];
        if rows.contains(&0.0) || cols.contains(&0.0) {
            return Err(StatsError::NotEnoughData(
                "a row or column of the table sums to 0".into(),
            ));
        }
        let mut statistic = 0.0;
        for (k, o) in obs.iter().enumerate() {
            let e = rows[k / 2] * cols[k % 2] / n;
            let mut diff = (o - e).abs();
            if yates {
                diff = (diff - 0.5f64.min(diff)).max(0.0);
            }
            statistic += diff * diff / e;
        }
        let chi2 = ChiSquared::new(1.0).map_err(|e| StatsError::InvalidInput(e.to_string()))?;
        Ok(ChiSquare {
            statistic,
            df: 1,
            p_value: chi2.sf(statistic),
        })
    }

    /// Risk ratio (a/(a+b)) / (c/(c+d)) with its log-scale Wald interval,
    /// as statsmodels `Table2x2(table).riskratio_confint()`.
    pub fn risk_ratio(&self, level: f64) -> Result<Interval, StatsError> {
        let (a, b, c, d) = (self.a as f64, self.b as f64, self.c as f64, self.d as f64);
        if a == 0.0 || c == 0.0 {
            return Err(StatsError::NotEnoughData(
                "a zero cell makes the risk ratio's log undefined".into(),
            ));
        }
        let rr = (a / (a + b)) / (c / (c + d));
        let se = (1.0 / a - 1.0 / (a + b) + 1.0 / c - 1.0 / (c + d)).sqrt();
        Ok(log_interval(rr, se, level))
    }

    /// Odds ratio ad/bc with its log-scale Wald interval, as statsmodels
    /// `Table2x2(table).oddsratio_confint()`.
    pub fn odds_ratio(&self, level: f64) -> Result<Interval, StatsError> {
        let (a, b, c, d) = (self.a as f64, self.b as f64, self.c as f64, self.d as f64);
        if a == 0.0 || b == 0.0 || c == 0.0 || d == 0.0 {
            return Err(StatsError::NotEnoughData(
                "a zero cell makes the odds ratio's log undefined".into(),
            ));
        }
        let or = a * d / (b * c);
        let se = (1.0 / a + 1.0 / b + 1.0 / c + 1.0 / d).sqrt();
        Ok(log_interval(or, se, level))
    }

    /// Impact ratio of group 1 (focal) against group 2 (reference).
    pub fn impact_ratio(&self) -> Result<ImpactRatio, StatsError> {
        check_counts(self.a, self.a + self.b)?;
        check_counts(self.c, self.c + self.d)?;
        let focal_rate = self.a as f64 / (self.a + self.b) as f64;
        let reference_rate = self.c as f64 / (self.c + self.d) as f64;
        let ratio = (reference_rate > 0.0).then(|| focal_rate / reference_rate);
        Ok(ImpactRatio {
            focal_rate,
            reference_rate,
            ratio,
            below_four_fifths: ratio.is_some_and(|r| r < 0.8),
        })
    }
}

fn log_interval(estimate: f64, se: f64, level: f64) -> Interval {
    let z = z_for(level);
    Interval {
        estimate,
        lower: (estimate.ln() - z * se).exp(),
        upper: (estimate.ln() + z * se).exp(),
    }
}
