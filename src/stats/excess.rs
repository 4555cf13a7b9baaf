//! More events in a unit than expected, given where they happened: the
//! exact conditional test over strata, and empirical-Bayes shrinkage of
//! observed ÷ expected ratios for ranking.

use super::StatsError;
use serde::{Deserialize, Serialize};
use statrs::distribution::{Discrete, Hypergeometric};

/// One stratum of [`excess_test`]: `total` items of which `events` had the
/// event; the unit holds `unit` of the items and `unit_events` of the
/// events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stratum {
    /// Items in the stratum (the unit's and everyone else's).
    pub total: u64,
    /// Of which had the event.
    pub events: u64,
    /// Items of the unit in the stratum.
    pub unit: u64,
    /// Of which had the event.
    pub unit_events: u64,
}

/// The result of [`excess_test`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Excess {
    /// Events in the unit.
    pub observed: u64,
    /// Their expectation given each stratum's margins: Σ unit × events ÷ total.
    pub expected: f64,
    /// observed − expected.
    pub excess: f64,
    /// One-sided exact p-value: P(X ≥ observed) under no association.
    pub p_value: f64,
}

/// One-sided exact conditional test that a unit has more events than
/// expected, stratified: within each stratum, given its margins, the unit's
/// event count is hypergeometric under no association, and the p-value is
/// the upper tail of their sum (the convolution of the strata's
/// distributions) at the observed total. With one stratum it is Fisher's
/// exact test with `alternative="greater"` (scipy `fisher_exact`); over
/// several, the exact conditional test of a common odds ratio of 1 against
/// one above it (R's `mantelhaen.test(exact = TRUE, alternative =
/// "greater")`; Mehta, Patel & Gray, JASA 80, 1985).
///
/// ```
/// use mommytrack::stats::{excess_test, Stratum};
/// // One stratum: 3 of the unit's 4 items have the event, 3 of the other 6.
/// let one = excess_test(&[Stratum { total: 10, events: 6, unit: 4, unit_events: 3 }]).unwrap();
/// // scipy.stats.fisher_exact([[3, 1], [3, 3]], alternative="greater").pvalue
/// assert!((one.p_value - 0.45238095238095233).abs() < 1e-12);
/// assert!((one.expected - 2.4).abs() < 1e-12);
/// ```
pub fn excess_test(strata: &[Stratum]) -> Result<Excess, StatsError> {
    // The distribution of the unit's total, built stratum by stratum: `pmf[i]`
    // is P(total = offset + i). Probabilities that underflow to nothing
    // (below 1e-300) are trimmed from both ends after each stratum, which
    // keeps the work near the support that matters on large units.
    let mut pmf = vec![1.0f64];
    let mut offset = 0usize;
    let (mut observed, mut expected) = (0u64, 0.0f64);
    for s in strata.iter().filter(|s| s.unit > 0) {
        if s.events > s.total || s.unit > s.total || s.unit_events > s.unit.min(s.events) {
            return Err(StatsError::InvalidInput(format!(
                "a stratum of {} items with {} events cannot hold {} of the unit's with {} events",
                s.total, s.events, s.unit, s.unit_events
            )));
        }
        if s.unit - s.unit_events > s.total - s.events {
            return Err(StatsError::InvalidInput(format!(
                "the unit's {} items without the event exceed the stratum's {}",
                s.unit - s.unit_events,
                s.total - s.events
            )));
        }
        observed += s.unit_events;
        expected += s.unit as f64 * s.events as f64 / s.total as f64;
        let h = Hypergeometric::new(s.total, s.events, s.unit)
            .map_err(|e| StatsError::InvalidInput(e.to_string()))?;
        let lo = (s.unit + s.events).saturating_sub(s.total);
        let hi = s.unit.min(s.events);
        let mut here: Vec<f64> = (lo..=hi).map(|k| h.ln_pmf(k).exp()).collect();
        if here.iter().any(|p| !p.is_finite()) {
            return Err(StatsError::InvalidInput(format!(
                "the hypergeometric law of a stratum of {} items is not computable",
                s.total
            )));
        }
        let mut here_offset = lo as usize;
        trim(&mut here, &mut here_offset);
        let mut next = vec![0.0; pmf.len() + here.len().max(1) - 1];
        // `next[k] = Σ_i pmf[i] · here[k − i]`, one term of `here` at a
        // time over the whole of `pmf` (the long side: a loop the compiler
        // vectorises), taken from the last term of `here` down so that
        // each `next[k]` receives its terms in the order of `i`, as a
        // loop over `pmf` outside would add them: the same sums to the bit.
        for (j, b) in here.iter().enumerate().rev() {
            for (n, a) in next[j..].iter_mut().zip(&pmf) {
                *n += a * b;
            }
        }
        pmf = next;
        offset += here_offset;
        trim(&mut pmf, &mut offset);
    }
    let from = (observed as usize).saturating_sub(offset);
    let p_value = if (observed as usize) < offset {
        1.0
    } else {
        pmf.iter().skip(from).sum::<f64>().clamp(0.0, 1.0)
    };
    Ok(Excess {
        observed,
        expected,
        excess: observed as f64 - expected,
        p_value,
    })
}

/// Empirical-Bayes shrinkage of observed ÷ expected ratios towards their
/// pooled value, by Marshall's global method of moments (Marshall,
/// "Mapping disease and mortality rates using empirical Bayes estimators",
/// Applied Statistics 40, 1991; the estimator Clayton & Kaldor, Biometrics
/// 43, 1987, derive for a gamma prior): with `r_i = O_i ÷ E_i`,
/// `m = ΣO ÷ ΣE`, `s² = Σ E_i (r_i − m)² ÷ ΣE`, `A = max(0, s² − m ÷ Ē)`
/// (`Ē` the mean of the `E_i`), each ratio becomes
/// `m + A ÷ (A + m ÷ E_i) × (r_i − m)`: a unit with few expected events is
/// pulled most of the way to the pool, so that it does not top a ranking by
/// chance. Units with `E_i = 0` keep `m`.
///
/// ```
/// use mommytrack::stats::shrink_ratios;
/// // Three units: 10 of 4 expected, 1 of 5, 30 of 20.
/// let s = shrink_ratios(&[10, 1, 30], &[4.0, 5.0, 20.0]).unwrap();
/// let m: f64 = 41.0 / 29.0;
/// let s2 = (4.0 * (2.5 - m).powi(2) + 5.0 * (0.2 - m).powi(2) + 20.0 * (1.5 - m).powi(2)) / 29.0;
/// let a = s2 - m / (29.0 / 3.0);
/// assert!(a > 0.0);
/// for (i, (o, e)) in [(10.0, 4.0), (1.0, 5.0), (30.0, 20.0)].iter().enumerate() {
///     assert!((s[i] - (m + a / (a + m / e) * (o / e - m))).abs() < 1e-12);
/// }
/// // The unit with most expected events moves least.
/// assert!((s[2] - 1.5).abs() < (s[0] - 2.5).abs());
/// // No more spread than chance gives: every ratio becomes the pooled one.
/// let flat = shrink_ratios(&[2, 30], &[1.0, 20.0]).unwrap();
/// assert!(flat.iter().all(|r| (r - 32.0 / 21.0).abs() < 1e-12));
/// ```
pub fn shrink_ratios(observed: &[u64], expected: &[f64]) -> Result<Vec<f64>, StatsError> {
    if observed.len() != expected.len() {
        return Err(StatsError::LengthMismatch(format!(
            "{} observed, {} expected",
            observed.len(),
            expected.len()
        )));
    }
    if expected.iter().any(|e| !e.is_finite() || *e < 0.0) {
        return Err(StatsError::InvalidInput(
            "expected counts must be finite and not negative".into(),
        ));
    }
    let total_e: f64 = expected.iter().sum();
    if observed.is_empty() || total_e <= 0.0 {
        return Err(StatsError::NotEnoughData("no expected events".into()));
    }
    let m = observed.iter().sum::<u64>() as f64 / total_e;
    let mean_e = total_e / expected.len() as f64;
    let s2 = observed
        .iter()
        .zip(expected)
        .filter(|(_, e)| **e > 0.0)
        .map(|(o, e)| e * (*o as f64 / e - m).powi(2))
        .sum::<f64>()
        / total_e;
    let a = (s2 - m / mean_e).max(0.0);
    Ok(observed
        .iter()
        .zip(expected)
        .map(|(o, e)| {
            if *e > 0.0 && a > 0.0 {
                m + a / (a + m / e) * (*o as f64 / e - m)
            } else {
                m
            }
        })
        .collect())
}

/// Drops the leading and trailing probabilities below 1e-300 (moving
/// `offset` past the leading ones); keeps at least one entry.
fn trim(pmf: &mut Vec<f64>, offset: &mut usize) {
    const TINY: f64 = 1e-300;
    let first = pmf.iter().position(|p| *p >= TINY).unwrap_or(0);
    let last = pmf.iter().rposition(|p| *p >= TINY).unwrap_or(first);
    pmf.truncate(last + 1);
    pmf.drain(..first);
    *offset += first;
}
