//! The log-rank test for two or more groups.

use super::StatsError;
use nalgebra::{DMatrix, DVector};
use serde::{Deserialize, Serialize};
use statrs::distribution::{ChiSquared, ContinuousCDF};

/// Result of a log-rank test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogRank {
    /// Chi-square statistic.
    pub statistic: f64,
    /// Degrees of freedom (groups − 1).
    pub df: usize,
    /// p-value.
    pub p_value: f64,
    /// Group labels, sorted.
    pub groups: Vec<String>,
    /// Observed events per group.
    pub observed: Vec<f64>,
    /// Expected events per group under the null.
    pub expected: Vec<f64>,
}

/// Log-rank test of equal hazards across groups, as lifelines'
/// `multivariate_logrank_test(durations, groups, event_observed)`.
///
/// ```
/// use mommytrack::stats::logrank;
/// let t = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
/// let e = [true; 6];
/// let g = ["a", "b", "a", "b", "a", "b"];
/// let r = logrank(&t, &e, &g).unwrap();
/// assert_eq!(r.df, 1);
/// assert!(r.statistic >= 0.0 && r.p_value > 0.05); // interleaved groups: no difference
/// ```
pub fn logrank<G: AsRef<str>>(
    durations: &[f64],
    events: &[bool],
    groups: &[G],
) -> Result<LogRank, StatsError> {
    logrank_with_entry(None, durations, events, groups)
}

/// [`logrank`] with delayed entry (left truncation): `entry`, when given,
/// holds each subject's entry time, and a subject is at risk at `t` when
/// `entry < t ≤ duration`, as in statsmodels'
/// `survdiff(time, status, group, entry=entry)` and [`super::CoxModel::fit_with_entry`].
/// Each entry must be ≥ 0 and below its duration.
///
/// ```
/// use mommytrack::stats::{logrank, logrank_with_entry};
/// let t = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
/// let e = [true; 6];
/// let g = ["a", "b", "a", "b", "a", "b"];
/// // Everyone at risk from 0: the plain test.
/// let zero = [0.0; 6];
/// let a = logrank_with_entry(Some(&zero), &t, &e, &g).unwrap();
/// assert!((a.statistic - logrank(&t, &e, &g).unwrap().statistic).abs() < 1e-12);
/// ```
pub fn logrank_with_entry<G: AsRef<str>>(
    entry: Option<&[f64]>,
    durations: &[f64],
    events: &[bool],
    groups: &[G],
) -> Result<LogRank, StatsError> {
    let n = durations.len();
    super::check_entry(entry, durations)?;
    if events.len() != n || groups.len() != n {
        return Err(StatsError::LengthMismatch(format!(
            "{n} durations, {} events, {} groups",
            events.len(),
            groups.len()
        )));
    }
    if let Some(d) = durations.iter().find(|d| !d.is_finite() || **d < 0.0) {
        return Err(StatsError::InvalidInput(format!("duration {d}")));
    }
    let labels: Vec<&str> = groups
        .iter()
        .map(|g| g.as_ref())
        .collect::<std::collections::BTreeSet<&str>>()
        .into_iter()
        .collect();
    let k = labels.len();
    if k < 2 {
        return Err(StatsError::NotEnoughData(format!(
            "{k} group(s); expected at least 2"
        )));
    }
    let group_of: Vec<usize> = groups
        .iter()
        .map(|g| labels.binary_search(&g.as_ref()).unwrap_or(0))
        .collect();
    let tally = super::tally(durations, events, Some(&group_of), k);
    let mut at_risk = vec![0f64; k];
    // With delayed entry everyone starts outside the risk set and comes in
    // (ascending entry) before the first time past their entry.
    let mut entries: Vec<(f64, usize)> = match entry {
        Some(en) => en.iter().copied().zip(group_of.iter().copied()).collect(),
        None => {
            for &gi in &group_of {
                at_risk[gi] += 1.0;
            }
            Vec::new()
        }
    };
    entries.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut next_entry = 0;
    let mut observed = vec![0f64; k];
    let mut expected = vec![0f64; k];
    let mut v = DMatrix::<f64>::zeros(k, k);
    for (t, cells) in tally.times.iter().zip(tally.counts.chunks_exact(k)) {
        while next_entry < entries.len() && entries[next_entry].0 < *t {
            at_risk[entries[next_entry].1] += 1.0;
            next_entry += 1;
        }
        let d: f64 = cells.iter().map(|c| c[1] as f64).sum();
        let total: f64 = at_risk.iter().sum();
        if d > 0.0 {
            let factor = if total > 1.0 {
                d * (total - d) / (total - 1.0)
            } else {
                0.0
            };
            for a in 0..k {
                let pa = at_risk[a] / total;
                observed[a] += cells[a][1] as f64;
                expected[a] += d * pa;
                for b in 0..k {
                    let pb = at_risk[b] / total;
                    let delta = if a == b { 1.0 } else { 0.0 };
                    v[(a, b)] += factor * pa * (delta - pb);
                }
            }
        }
        for a in 0..k {
            at_risk[a] -= (cells[a][0] + cells[a][1]) as f64;
        }
    }
    let m = k - 1;
    let diff = DVector::from_iterator(m, (0..m).map(|a| observed[a] - expected[a]));
    let vm = v.view((0, 0), (m, m)).into_owned();
    let inv = vm.try_inverse().ok_or_else(|| {
        StatsError::NotEnoughData("no events, or a group with no one at risk at any event".into())
    })?;
    let statistic = (diff.transpose() * inv * &diff)[(0, 0)];
    let chi2 = ChiSquared::new(m as f64).map_err(|e| StatsError::InvalidInput(e.to_string()))?;
    Ok(LogRank {
        statistic,
        df: m,
        p_value: chi2.sf(statistic),
        groups: labels.iter().map(|l| l.to_string()).collect(),
        observed,
        expected,
    })
}
