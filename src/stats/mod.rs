//! General-purpose statistics: plain slices in, serializable results out.
//!
//! Nothing here knows about HR. Every method reproduces a reference
//! implementation named in its docs (lifelines, scipy, statsmodels), and the
//! tests in `tests/stats_reference.rs` hold the reference numbers with the
//! call that produced them.
//!
//! | item | reference |
//! |---|---|
//! | [`KaplanMeier`] | lifelines `KaplanMeierFitter` (log(−log) CI, Greenwood), delayed entry as `fit(…, entry=…)` |
//! | [`logrank`] | lifelines `multivariate_logrank_test`; delayed entry ([`logrank_with_entry`]) against statsmodels `survdiff(entry=…)` |
//! | [`CoxModel`] | lifelines `CoxPHFitter` (Efron ties), Breslow as an option, strata; delayed entry ([`CoxModel::fit_with_entry`]) against statsmodels `PHReg(entry=…)` |
//! | [`wilson`], [`newcombe`] | statsmodels `proportion_confint(method="wilson")`, `confint_proportions_2indep(method="newcomb")` |
//! | [`TwoByTwo`] | scipy `fisher_exact`, `chi2_contingency`; statsmodels `Table2x2` |
//! | [`mann_whitney_u`] | scipy `mannwhitneyu(method="asymptotic")` |
//! | [`benjamini_hochberg`] | statsmodels `multipletests(method="fdr_bh")` |
//! | [`CoxModel::fit_ph_test`] | lifelines `proportional_hazard_test` (scaled Schoenfeld residuals) |
//! | [`CumulativeIncidence`] | lifelines `AalenJohansenFitter(calculate_variance=True)` |
//! | [`DummyOls`] | statsmodels `OLS(...).fit(cov_type="cluster")` on dummy-coded factors |
//! | [`CoxSurvival`] | lifelines `CoxPHFitter.predict_survival_function` (Breslow baseline), strata |
//! | [`excess_test`] | scipy `fisher_exact(alternative="greater")` (one stratum); the convolution of scipy `hypergeom` over strata (R's `mantelhaen.test(exact=TRUE)`) |
//! | [`shrink_ratios`] | Marshall's global empirical-Bayes estimator, worked by hand |

mod baseline;
mod cif;
mod cox;
mod excess;
mod km;
mod logrank;
mod ols;
mod proportion;
mod rank;

pub use baseline::CoxSurvival;
pub use cif::{CumulativeIncidence, IncidencePoint};
pub use cox::{CoxCoefficient, CoxFit, CoxModel, PhTest, Ties, TimeTransform};
pub use excess::{excess_test, shrink_ratios, Excess, Stratum};
pub use km::{KaplanMeier, SurvivalPoint};
pub use logrank::{logrank, logrank_with_entry, LogRank};
pub use ols::{DummyOls, Factor, Reference};
pub use proportion::{newcombe, wilson, ChiSquare, ImpactRatio, Interval, TwoByTwo};
pub use rank::{benjamini_hochberg, mann_whitney_u, MannWhitney};

use statrs::distribution::{ContinuousCDF, Normal};

/// Why a statistic could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum StatsError {
    /// Inputs of different lengths.
    #[error("the inputs have different lengths: {0}")]
    LengthMismatch(String),
    /// A value that is NaN, infinite or out of its domain.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// Not enough data for the statistic.
    #[error("not enough data: {0}")]
    NotEnoughData(String),
    /// The model cannot be fitted (singular design, separation, no convergence).
    #[error("the model cannot be fitted: {0}")]
    Fit(String),
}

/// The two-sided standard normal quantile for a confidence level, e.g. 1.959964 for 0.95.
pub(crate) fn z_for(level: f64) -> f64 {
    standard_normal().inverse_cdf(1.0 - (1.0 - level) / 2.0)
}

/// Two-sided p-value of a standard normal statistic.
pub(crate) fn normal_two_sided_p(z: f64) -> f64 {
    (2.0 * standard_normal().sf(z.abs())).min(1.0)
}

fn standard_normal() -> Normal {
    // (0, 1) are valid parameters; `new` fails only for a non-positive sd.
    Normal::standard()
}

/// Event and censoring counts at each distinct time, by class.
///
/// `counts[t * classes + c]` holds `[censored, events]` of class `c` at
/// `times[t]`. Durations must be finite and ≥ 0 (checked by the callers).
pub(crate) struct Tally {
    pub times: Vec<f64>,
    pub counts: Vec<[u64; 2]>,
}

/// Checks delayed-entry times for [`CoxModel::fit_with_entry`] and
/// [`logrank_with_entry`]: one per subject, each finite, ≥ 0 and below its
/// duration (a subject entering at or after its end is never at risk).
pub(crate) fn check_entry(entry: Option<&[f64]>, durations: &[f64]) -> Result<(), StatsError> {
    let Some(entry) = entry else { return Ok(()) };
    if entry.len() != durations.len() {
        return Err(StatsError::LengthMismatch(format!(
            "{} durations, {} entry times",
            durations.len(),
            entry.len()
        )));
    }
    match (0..entry.len())
        .find(|&i| !entry[i].is_finite() || entry[i] < 0.0 || entry[i] >= durations[i])
    {
        Some(i) => Err(StatsError::InvalidInput(format!(
            "subject {i}: entry {} is not in [0, duration {})",
            entry[i], durations[i]
        ))),
        None => Ok(()),
    }
}

/// Counts by distinct time. Non-negative finite `f64` order like their bit
/// patterns as `u64`, so each (class, event) bucket is sorted as integers
/// (pattern-defeating quicksort, quick on the many ties of HR data) and the
/// buckets are merged by binary search over runs: much faster than sorting
/// an index by a float key.
pub(crate) fn tally(
    durations: &[f64],
    events: &[bool],
    class: Option<&[usize]>,
    classes: usize,
) -> Tally {
    // Each bucket made at its final size (counted first), not grown.
    let bucket = |i: usize, e: bool| class.map_or(0, |c| c[i]) * 2 + usize::from(e);
    let mut sizes = vec![0usize; classes * 2];
    for (i, &e) in events.iter().enumerate().take(durations.len()) {
        sizes[bucket(i, e)] += 1;
    }
    let mut buckets: Vec<Vec<u64>> = sizes.into_iter().map(Vec::with_capacity).collect();
    for (i, (&d, &e)) in durations.iter().zip(events).enumerate() {
        // `+ 0.0` turns −0.0 into 0.0, whose bits sort first.
        buckets[bucket(i, e)].push((d + 0.0).to_bits());
    }
    for b in &mut buckets {
        b.sort_unstable();
    }
    let mut pos = vec![0usize; buckets.len()];
    let mut times = Vec::new();
    let mut counts = Vec::new();
    loop {
        let next = buckets
            .iter()
            .zip(&pos)
            .filter_map(|(b, &p)| b.get(p).copied())
            .min();
        let Some(t) = next else { break };
        times.push(f64::from_bits(t));
        for c in 0..classes {
            let mut cell = [0u64; 2];
            for (k, slot) in cell.iter_mut().enumerate() {
                let b = &buckets[c * 2 + k];
                let p = &mut pos[c * 2 + k];
                let run = b[*p..].partition_point(|&x| x <= t);
                *slot = run as u64;
                *p += run;
            }
            counts.push(cell);
        }
    }
    Tally { times, counts }
}
