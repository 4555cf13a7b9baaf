//! Rank tests and multiple-testing adjustment.

use super::{normal_two_sided_p, StatsError};
use serde::{Deserialize, Serialize};

/// Result of a Mann–Whitney U test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MannWhitney {
    /// U statistic of the first sample (scipy's `statistic`).
    pub u: f64,
    /// Two-sided p-value (normal approximation, tie-corrected, continuity-corrected).
    pub p_value: f64,
}

/// Two-sided Mann–Whitney U test, as `scipy.stats.mannwhitneyu(x, y,
/// method="asymptotic")` (continuity correction on, tie correction on).
///
/// ```
/// use mommytrack::stats::mann_whitney_u;
/// let r = mann_whitney_u(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]).unwrap();
/// assert_eq!(r.u, 0.0);
/// ```
pub fn mann_whitney_u(x: &[f64], y: &[f64]) -> Result<MannWhitney, StatsError> {
    let (n1, n2) = (x.len(), y.len());
    if n1 == 0 || n2 == 0 {
        return Err(StatsError::NotEnoughData("an empty sample".into()));
    }
    if let Some(v) = x.iter().chain(y).find(|v| v.is_nan()) {
        return Err(StatsError::InvalidInput(format!("value {v}")));
    }
    let mut all: Vec<(f64, bool)> = x
        .iter()
        .map(|v| (*v, true))
        .chain(y.iter().map(|v| (*v, false)))
        .collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    let n = all.len();
    let (mut r1, mut tie_term) = (0.0, 0.0);
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j < n && all[j].0 == all[i].0 {
            j += 1;
        }
        let rank = (i + j + 1) as f64 / 2.0; // mean of ranks i+1..=j
        let t = (j - i) as f64;
        tie_term += t * t * t - t;
        r1 += rank * all[i..j].iter().filter(|v| v.1).count() as f64;
        i = j;
    }
    let (f1, f2, nf) = (n1 as f64, n2 as f64, n as f64);
    let u1 = r1 - f1 * (f1 + 1.0) / 2.0;
    let u2 = f1 * f2 - u1;
    let mu = f1 * f2 / 2.0;
    let sigma = (f1 * f2 / 12.0 * ((nf + 1.0) - tie_term / (nf * (nf - 1.0)))).sqrt();
    let p_value = if sigma > 0.0 {
        let z = (u1.max(u2) - mu - 0.5) / sigma;
        normal_two_sided_p(z)
    } else {
        1.0
    };
    Ok(MannWhitney { u: u1, p_value })
}

/// Benjamini–Hochberg adjusted p-values, in the input order, as statsmodels
/// `multipletests(p, method="fdr_bh")[1]`.
///
/// ```
/// use mommytrack::stats::benjamini_hochberg;
/// let adj = benjamini_hochberg(&[0.01, 0.04, 0.03, 0.5]).unwrap();
/// assert_eq!(adj, vec![0.04, 0.05333333333333334, 0.05333333333333334, 0.5]);
/// ```
pub fn benjamini_hochberg(p: &[f64]) -> Result<Vec<f64>, StatsError> {
    if let Some(v) = p.iter().find(|v| !(0.0..=1.0).contains(*v)) {
        return Err(StatsError::InvalidInput(format!("p-value {v}")));
    }
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let mut adjusted = vec![0.0; m];
    let mut running = 1.0f64;
    for k in (0..m).rev() {
        let i = order[k];
        running = running.min(p[i] * m as f64 / (k + 1) as f64);
        adjusted[i] = running.min(1.0);
    }
    Ok(adjusted)
}
