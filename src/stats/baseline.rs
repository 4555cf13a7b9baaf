//! Predicted survival from a fitted Cox model: the Breslow estimate of each
//! stratum's baseline cumulative hazard.

use super::{CoxFit, StatsError};
use std::collections::BTreeMap;

/// Survival curves of a fitted Cox model for new subjects:
/// `S(t | x, stratum) = exp(−H₀(t) · exp(β·x))`, with `H₀` the Breslow
/// estimate `H₀(t) = Σ_{s ≤ t} d_s ÷ Σ_{j at risk at s} exp(β·x_j)` within
/// the stratum (Breslow, discussion of Cox 1972). The same prediction as
/// lifelines' `CoxPHFitter.predict_survival_function` (whose baseline is
/// Breslow's, for either tie method) and R's `survfit(coxph(...),
/// newdata, stype = 2, ctype = 1)`.
///
/// ```
/// use mommytrack::stats::{CoxModel, CoxSurvival};
/// let t = [1.0, 2.0, 3.0, 4.0, 5.0];
/// let e = [true, true, false, true, true];
/// let x = [1.0, 0.0, 1.0, 0.0, 0.0];
/// let fit = CoxModel::default().fit(&t, &e, &[&x], &["x"], None).unwrap();
/// let s = CoxSurvival::new(&fit, &t, &e, &[&x], None).unwrap();
/// // By hand: at t = 1 all five are at risk, at t = 2 the last four.
/// let r = fit.coefficients[0].hazard_ratio;
/// let h = 1.0 / (2.0 * r + 3.0) + 1.0 / (r + 3.0);
/// assert!((s.survival(&[0.0], 0, 2.5) - (-h).exp()).abs() < 1e-12);
/// assert!((s.survival(&[1.0], 0, 2.5) - (-h * r).exp()).abs() < 1e-12);
/// assert_eq!(s.survival(&[1.0], 0, 0.5), 1.0);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CoxSurvival {
    beta: Vec<f64>,
    /// The linear predictor's centre, taken out of every exponent.
    centre: f64,
    /// Per stratum: the distinct event times and the cumulative hazard
    /// reached at each, for a subject at the centre.
    strata: BTreeMap<u32, (Vec<f64>, Vec<f64>)>,
}

impl CoxSurvival {
    /// The baseline of `fit`, estimated on the data it was fitted on
    /// (`covariates` one column per coefficient, in its order).
    pub fn new(
        fit: &CoxFit,
        durations: &[f64],
        events: &[bool],
        covariates: &[&[f64]],
        strata: Option<&[u32]>,
    ) -> Result<CoxSurvival, StatsError> {
        if covariates.len() != fit.coefficients.len() {
            return Err(StatsError::LengthMismatch(format!(
                "{} coefficients, {} covariate columns",
                fit.coefficients.len(),
                covariates.len()
            )));
        }
        let beta: Vec<f64> = fit.coefficients.iter().map(|c| c.coef).collect();
        CoxSurvival::estimate(beta, durations, events, covariates, strata)
    }

    /// The same with no covariates: each stratum's Nelson–Aalen estimate
    /// (Nelson, Technometrics 14, 1972; Aalen, Ann. Stat. 6, 1978), as
    /// lifelines' `NelsonAalenFitter` with `nelson_aalen_smoothing=False`.
    ///
    /// ```
    /// use mommytrack::stats::CoxSurvival;
    /// let t = [1.0, 2.0, 2.0, 4.0, 5.0];
    /// let e = [true, true, false, true, false];
    /// let s = CoxSurvival::without_covariates(&t, &e, None).unwrap();
    /// // H(4) = 1/5 + 1/4 + 1/2.
    /// assert!((s.survival(&[], 0, 4.0) - (-(0.2f64 + 0.25 + 0.5)).exp()).abs() < 1e-12);
    /// ```
    pub fn without_covariates(
        durations: &[f64],
        events: &[bool],
        strata: Option<&[u32]>,
    ) -> Result<CoxSurvival, StatsError> {
        CoxSurvival::estimate(Vec::new(), durations, events, &[], strata)
    }

    fn estimate(
        beta: Vec<f64>,
        durations: &[f64],
        events: &[bool],
        covariates: &[&[f64]],
        strata: Option<&[u32]>,
    ) -> Result<CoxSurvival, StatsError> {
        let n = durations.len();
        if events.len() != n
            || covariates.iter().any(|c| c.len() != n)
            || strata.is_some_and(|s| s.len() != n)
        {
            return Err(StatsError::LengthMismatch(format!(
                "{n} durations and events, columns or strata of other lengths"
            )));
        }
        if durations.iter().any(|d| !d.is_finite()) {
            return Err(StatsError::InvalidInput("a duration is not finite".into()));
        }
        let lp: Vec<f64> = (0..n)
            .map(|i| covariates.iter().zip(&beta).map(|(c, b)| c[i] * b).sum())
            .collect();
        let centre = if n == 0 {
            0.0
        } else {
            lp.iter().sum::<f64>() / n as f64
        };
        let mut rows: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
        for i in 0..n {
            rows.entry(strata.map_or(0, |s| s[i])).or_default().push(i);
        }
        let mut out = BTreeMap::new();
        for (stratum, mut idx) in rows {
            // Latest first, so that the risk set grows as we go.
            idx.sort_by(|&a, &b| durations[b].total_cmp(&durations[a]));
            let mut risk = 0.0;
            let mut steps: Vec<(f64, f64)> = Vec::new();
            let mut k = 0;
            while k < idx.len() {
                let t = durations[idx[k]];
                let mut d = 0u64;
                while k < idx.len() && durations[idx[k]] == t {
                    risk += (lp[idx[k]] - centre).exp();
                    d += u64::from(events[idx[k]]);
                    k += 1;
                }
                if d > 0 {
                    steps.push((t, d as f64 / risk));
                }
            }
            steps.reverse();
            let mut cumulative = 0.0;
            let (times, hazard) = steps
                .into_iter()
                .map(|(t, h)| {
                    cumulative += h;
                    (t, cumulative)
                })
                .unzip();
            out.insert(stratum, (times, hazard));
        }
        Ok(CoxSurvival {
            beta,
            centre,
            strata: out,
        })
    }

    /// The baseline cumulative hazard of `stratum` at `t`, for a subject at
    /// the centre of the fitting data's linear predictor; 0 for a stratum
    /// with no events.
    fn baseline(&self, stratum: u32, t: f64) -> f64 {
        self.strata.get(&stratum).map_or(0.0, |(times, hazard)| {
            let k = times.partition_point(|s| *s <= t);
            k.checked_sub(1).map_or(0.0, |k| hazard[k])
        })
    }

    /// The probability of no event by `t` for a subject with covariates `x`
    /// (one per coefficient) in `stratum`.
    pub fn survival(&self, x: &[f64], stratum: u32, t: f64) -> f64 {
        let lp: f64 = x.iter().zip(&self.beta).map(|(a, b)| a * b).sum();
        (-self.baseline(stratum, t) * (lp - self.centre).exp()).exp()
    }
}
