//! Kaplan–Meier estimator with Greenwood variance and delayed entry.

use super::{z_for, StatsError};
use serde::{Deserialize, Serialize};

/// The estimate at one distinct observed time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SurvivalPoint {
    /// The time.
    pub time: f64,
    /// Subjects at risk just before `time`.
    pub at_risk: u64,
    /// Events at `time`.
    pub events: u64,
    /// Censored at `time`.
    pub censored: u64,
    /// Survival S(time).
    pub survival: f64,
    /// Greenwood's sum Σ d / (n (n − d)) up to `time`.
    pub greenwood: f64,
    /// Lower bound of the log(−log) confidence interval.
    pub ci_lower: f64,
    /// Upper bound of the log(−log) confidence interval.
    pub ci_upper: f64,
}

/// A fitted Kaplan–Meier curve.
///
/// Matches lifelines `KaplanMeierFitter().fit(durations, event_observed,
/// entry=entry)`: one point per distinct observed time (events and
/// censorings), Greenwood's variance, and the "exponential Greenwood"
/// interval `exp(−exp(log(−log S) ± z √G / log S))`. With delayed entry a
/// subject is at risk at `t` when entry < t ≤ duration, the convention behind
/// lifelines' estimate (its `event_table.at_risk` column counts entry ≤ t, but
/// its survival uses entry < t). Where S = 1 the interval is [1, 1]; where
/// S = 0, [0, 0].
///
/// ```
/// use mommytrack::stats::KaplanMeier;
/// // Hand-computed: at t=1, 1 of 4 fails -> 0.75; t=2 censored; t=3, 1 of 2 -> 0.375.
/// let km = KaplanMeier::fit(&[1.0, 2.0, 3.0, 4.0], &[true, false, true, false], None, 0.95).unwrap();
/// assert_eq!(km.points.iter().map(|p| p.survival).collect::<Vec<_>>(), vec![0.75, 0.75, 0.375, 0.375]);
/// assert_eq!(km.median(), Some(3.0));
/// assert_eq!(km.survival_at(2.5), 0.75);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KaplanMeier {
    /// One point per distinct observed time, in increasing order.
    pub points: Vec<SurvivalPoint>,
    /// Confidence level of the intervals.
    pub level: f64,
}

impl KaplanMeier {
    /// Fits the curve. `entry`, when given, holds each subject's entry time
    /// (left truncation); it must not exceed the duration.
    pub fn fit(
        durations: &[f64],
        events: &[bool],
        entry: Option<&[f64]>,
        level: f64,
    ) -> Result<KaplanMeier, StatsError> {
        let n = durations.len();
        if events.len() != n || entry.is_some_and(|e| e.len() != n) {
            return Err(StatsError::LengthMismatch(format!(
                "{n} durations, {} events, {} entries",
                events.len(),
                entry.map_or(n, |e| e.len())
            )));
        }
        if !(level > 0.0 && level < 1.0) {
            return Err(StatsError::InvalidInput(format!(
                "confidence level {level}"
            )));
        }
        for (i, &d) in durations.iter().enumerate() {
            let e = entry.map_or(0.0, |e| e[i]);
            if !d.is_finite() || d < 0.0 || !e.is_finite() || e > d {
                return Err(StatsError::InvalidInput(format!(
                    "subject {i}: duration {d}, entry {e}; expected finite 0 ≤ entry ≤ duration"
                )));
            }
        }
        let z = z_for(level);
        let tally = super::tally(durations, events, None, 1);
        let mut entries: Vec<u64> = entry.map_or_else(Vec::new, |e| {
            e.iter().map(|x| (x + 0.0).to_bits()).collect()
        });
        entries.sort_unstable();
        let delayed = entry.is_some();
        let (mut s, mut g) = (1.0f64, 0.0f64);
        let mut removed = 0u64; // subjects with duration < current time
        let mut entered_idx = 0usize;
        let mut points = Vec::with_capacity(tally.times.len());
        for (&t, &[c, d]) in tally.times.iter().zip(&tally.counts) {
            let entered = if delayed {
                let bits = t.to_bits();
                entered_idx += entries[entered_idx..].partition_point(|&x| x < bits);
                entered_idx as u64
            } else {
                n as u64
            };
            let at_risk = entered.saturating_sub(removed);
            if d > 0 && at_risk > 0 {
                let (df, nf) = (d as f64, at_risk as f64);
                s *= 1.0 - df / nf;
                g += if at_risk > d {
                    df / (nf * (nf - df))
                } else {
                    f64::INFINITY
                };
            }
            let (ci_lower, ci_upper) = log_log_interval(s, g, z);
            points.push(SurvivalPoint {
                time: t,
                at_risk,
                events: d,
                censored: c,
                survival: s,
                greenwood: g,
                ci_lower,
                ci_upper,
            });
            removed += d + c;
        }
        Ok(KaplanMeier { points, level })
    }

    /// S(t): the survival at the last observed time ≤ `t` (1 before the first).
    pub fn survival_at(&self, t: f64) -> f64 {
        let k = self.points.partition_point(|p| p.time <= t);
        if k == 0 {
            1.0
        } else {
            self.points[k - 1].survival
        }
    }

    /// Median survival: the smallest time with S ≤ 0.5; `None` when not reached.
    pub fn median(&self) -> Option<f64> {
        self.points
            .iter()
            .find(|p| p.survival <= 0.5)
            .map(|p| p.time)
    }

    /// Numbers at risk just before `t`, from the fitted points (0 after the last).
    pub fn at_risk(&self, t: f64) -> u64 {
        let k = self.points.partition_point(|p| p.time < t);
        self.points.get(k).map_or(0, |p| p.at_risk)
    }
}

/// The log(−log) interval as lifelines computes it; [1, 1] where S = 1,
/// [0, 0] where S = 0, and [0, 1] where S > 0 but the variance is infinite.
fn log_log_interval(s: f64, greenwood: f64, z: f64) -> (f64, f64) {
    if s >= 1.0 {
        return (1.0, 1.0);
    }
    if s <= 0.0 {
        return (0.0, 0.0);
    }
    if !greenwood.is_finite() {
        return (0.0, 1.0);
    }
    let v = s.ln();
    let half = z * greenwood.sqrt() / v;
    // `half` < 0 since log S < 0.
    let lower = (-((-v).ln() - half).exp()).exp();
    let upper = (-((-v).ln() + half).exp()).exp();
    (lower, upper)
}
