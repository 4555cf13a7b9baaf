//! General-purpose statistics: plain slices in, serializable results out.
//!
//! Nothing here knows about HR. Every method reproduces a reference
//! implementation named in its docs (lifelines, scipy, statsmodels), and the
//! tests in `tests/stats_reference.rs` hold the reference numbers with the
//! call that produced them.
//!
//! | item | reference |
//! |---|---|
//! | [`KaplanMeier`] | lifelines `KaplanMeierFitter` (log(−log) CI, Greenwood) |
//! | [`logrank`] | lifelines `multivariate_logrank_test` |
//! | [`CoxModel`] | lifelines `CoxPHFitter` (Efron ties), Breslow as an option |
//! | [`wilson`], [`newcombe`] | statsmodels `proportion_confint(method="wilson")`, `confint_proportions_2indep(method="newcomb")` |
//! | [`TwoByTwo`] | scipy `fisher_exact`, `chi2_contingency`; statsmodels `Table2x2` |
//! | [`mann_whitney_u`] | scipy `mannwhitneyu(method="asymptotic")` |
//! | [`benjamini_hochberg`] | statsmodels `multipletests(method="fdr_bh")` |

mod cox;
mod km;
mod logrank;
mod proportion;
mod rank;

pub use cox::{CoxCoefficient, CoxFit, CoxModel, Ties};
pub use km::{KaplanMeier, SurvivalPoint};
pub use logrank::{logrank, LogRank};
pub use proportion::{newcombe, wilson, ImpactRatio, Interval, TwoByTwo};
pub use rank::{benjamini_hochberg, mann_whitney_u, MannWhitney};

use statrs::distribution::{ContinuousCDF, Normal};

/// Why a statistic could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
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
pub fn z_for(level: f64) -> f64 {
    standard_normal().inverse_cdf(1.0 - (1.0 - level) / 2.0)
}

/// Two-sided p-value of a standard normal statistic.
pub fn normal_two_sided_p(z: f64) -> f64 {
    (2.0 * standard_normal().sf(z.abs())).min(1.0)
}

fn standard_normal() -> Normal {
    // (0, 1) are valid parameters; `new` fails only for a non-positive sd.
    Normal::standard()
}
