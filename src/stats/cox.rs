//! Cox proportional hazards by Newton–Raphson on the partial likelihood.

use super::{normal_two_sided_p, z_for, StatsError};
use nalgebra::{DMatrix, DVector};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use statrs::distribution::{ChiSquared, ContinuousCDF};

/// How tied event times enter the partial likelihood.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ties {
    /// Efron's approximation (lifelines' and R's default).
    #[default]
    Efron,
    /// Breslow's approximation (SAS's and SPSS's default).
    Breslow,
}

/// Options of a Cox fit; [`CoxModel::fit`] does the work.
///
/// Covariates are centred and scaled before fitting, as lifelines does, and
/// the results are put back on the original scale. Newton–Raphson starts at
/// zero; a step that lowers the log-likelihood is halved (up to 30 times).
/// It stops when the largest change of a (scaled) coefficient is below
/// `tolerance` (default 1e-10) after a full step, and fails after
/// `max_iterations` (default 100). With perfect separation the MLE is
/// infinite: a scaled coefficient passing 30, or a scaled standard error above
/// 1000 at the end, is reported as [`StatsError::Fit`], never as a number.
///
/// ```
/// use mommytrack::stats::CoxModel;
/// let t = [5.0, 8.0, 3.0, 9.0, 2.0, 7.0, 4.0, 6.0];
/// let e = [true, true, true, false, true, true, true, false];
/// let x = [0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0];
/// let fit = CoxModel::default().fit(&t, &e, &[&x], &["x"], None).unwrap();
/// assert!(fit.coefficients[0].hazard_ratio < 1.0);
/// assert!(fit.log_likelihood >= fit.null_log_likelihood);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CoxModel {
    /// Handling of tied times.
    pub ties: Ties,
    /// Confidence level of the hazard-ratio intervals.
    pub level: f64,
    /// Largest number of Newton–Raphson steps.
    pub max_iterations: usize,
    /// Convergence threshold on the largest scaled coefficient change.
    pub tolerance: f64,
}

impl Default for CoxModel {
    fn default() -> Self {
        CoxModel {
            ties: Ties::Efron,
            level: 0.95,
            max_iterations: 100,
            tolerance: 1e-10,
        }
    }
}

/// One fitted coefficient.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoxCoefficient {
    /// Covariate name.
    pub name: String,
    /// Log hazard ratio.
    pub coef: f64,
    /// Standard error of `coef`: cluster-robust when the fit was clustered
    /// ([`CoxModel::fit_clustered`]), else model-based. `z`, `p_value` and
    /// the interval use it.
    pub se: f64,
    /// The model-based standard error (inverse information), clustered or not.
    pub model_se: f64,
    /// Wald z = coef / se.
    pub z: f64,
    /// Two-sided Wald p-value.
    pub p_value: f64,
    /// exp(coef).
    pub hazard_ratio: f64,
    /// Lower bound of the hazard ratio's interval.
    pub hr_ci_lower: f64,
    /// Upper bound of the hazard ratio's interval.
    pub hr_ci_upper: f64,
}

/// A fitted Cox model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoxFit {
    /// Tie handling used.
    pub ties: Ties,
    /// One entry per covariate, in the given order.
    pub coefficients: Vec<CoxCoefficient>,
    /// Partial log-likelihood at the estimate.
    pub log_likelihood: f64,
    /// Partial log-likelihood with every coefficient zero.
    pub null_log_likelihood: f64,
    /// Likelihood-ratio statistic against the null model.
    pub lr_statistic: f64,
    /// Its degrees of freedom.
    pub lr_df: usize,
    /// Its p-value.
    pub lr_p_value: f64,
    /// Subjects.
    pub n: usize,
    /// Events.
    pub events: usize,
    /// Newton–Raphson steps taken.
    pub iterations: usize,
    /// Clusters of the robust variance, when the fit was clustered.
    pub clusters: Option<usize>,
}

impl CoxModel {
    /// The same options with another tie method.
    pub fn with_ties(mut self, ties: Ties) -> Self {
        self.ties = ties;
        self
    }

    /// Fits the model. `covariates` holds one column per covariate; `strata`,
    /// when given, one stratum label per subject (each stratum has its own
    /// baseline hazard).
    pub fn fit(
        &self,
        durations: &[f64],
        events: &[bool],
        covariates: &[&[f64]],
        names: &[&str],
        strata: Option<&[u32]>,
    ) -> Result<CoxFit, StatsError> {
        self.fit_with_entry(None, durations, events, covariates, names, strata)
    }

    /// [`CoxModel::fit`] with delayed entry (left truncation): `entry`, when
    /// given, holds each subject's entry time, and a subject is in the risk
    /// set at `t` when `entry < t ≤ duration` (R's counting-process
    /// convention `(start, stop]`, as [`super::KaplanMeier`] uses). Each entry
    /// must be ≥ 0 and below its duration. statsmodels' `PHReg(entry=…)`
    /// counts `entry ≤ t`; the two agree unless an entry time equals an
    /// event time.
    ///
    /// ```
    /// use mommytrack::stats::CoxModel;
    /// let t = [5.0, 8.0, 3.0, 9.0, 2.0, 7.0, 4.0, 6.0];
    /// let e = [true, true, true, false, true, true, true, false];
    /// let x = [0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0];
    /// let model = CoxModel::default();
    /// // Entry at 0 for everyone is no truncation at all.
    /// let zero = [0.0; 8];
    /// let a = model.fit_with_entry(Some(&zero), &t, &e, &[&x], &["x"], None).unwrap();
    /// let b = model.fit(&t, &e, &[&x], &["x"], None).unwrap();
    /// assert!((a.coefficients[0].coef - b.coefficients[0].coef).abs() < 1e-12);
    /// // An entry must be below its duration.
    /// let late = [0.0, 0.0, 3.0, 0.0, 0.0, 0.0, 0.0, 0.0];
    /// assert!(model.fit_with_entry(Some(&late), &t, &e, &[&x], &["x"], None).is_err());
    /// ```
    pub fn fit_with_entry(
        &self,
        entry: Option<&[f64]>,
        durations: &[f64],
        events: &[bool],
        covariates: &[&[f64]],
        names: &[&str],
        strata: Option<&[u32]>,
    ) -> Result<CoxFit, StatsError> {
        self.fit_inner(entry, durations, events, covariates, names, strata, None)
            .map(|(fit, _)| fit)
    }

    /// [`CoxModel::fit_with_entry`] with cluster-robust standard errors:
    /// subjects sharing a `clusters` label (an employee who is followed
    /// several times, say) may be dependent. The variance is the sandwich
    /// `I⁻¹ (Σ_g U_g U_gᵀ) I⁻¹` of Lin & Wei ("The robust inference for the
    /// Cox proportional hazards model", JASA 84, 1989), `I` the information
    /// of the chosen tie method and `U_g` the sum of the cluster's score
    /// residuals, without a small-sample factor: as statsmodels'
    /// `PHReg(...).fit(groups=…)`, which takes the Breslow score residuals
    /// whatever the tie method, and as lifelines'
    /// `CoxPHFitter().fit(..., robust=True, cluster_col=…)` where no times
    /// are tied (lifelines' residuals depend on the row order of tied times).
    /// The coefficients are those of the unclustered fit.
    ///
    /// ```
    /// use mommytrack::stats::CoxModel;
    /// let t = [5.0, 8.0, 3.0, 9.0, 2.0, 7.0, 4.0, 6.0];
    /// let e = [true, true, true, false, true, true, true, false];
    /// let x = [0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0];
    /// let model = CoxModel::default();
    /// // One subject per cluster: the plain sandwich of the independent fit.
    /// let each = [0, 1, 2, 3, 4, 5, 6, 7];
    /// let fit = model.fit_clustered(None, &t, &e, &[&x], &["x"], None, &each).unwrap();
    /// let plain = model.fit(&t, &e, &[&x], &["x"], None).unwrap();
    /// assert_eq!(fit.coefficients[0].coef, plain.coefficients[0].coef);
    /// assert_eq!(fit.coefficients[0].model_se, plain.coefficients[0].se);
    /// assert_eq!(fit.clusters, Some(8));
    /// ```
    #[allow(clippy::too_many_arguments)]
    pub fn fit_clustered(
        &self,
        entry: Option<&[f64]>,
        durations: &[f64],
        events: &[bool],
        covariates: &[&[f64]],
        names: &[&str],
        strata: Option<&[u32]>,
        clusters: &[u64],
    ) -> Result<CoxFit, StatsError> {
        if clusters.len() != durations.len() {
            return Err(StatsError::LengthMismatch(format!(
                "{} durations, {} cluster labels",
                durations.len(),
                clusters.len()
            )));
        }
        self.fit_inner(
            entry,
            durations,
            events,
            covariates,
            names,
            strata,
            Some(clusters),
        )
        .map(|(fit, _)| fit)
    }

    #[allow(clippy::too_many_arguments)]
    fn fit_inner(
        &self,
        entry: Option<&[f64]>,
        durations: &[f64],
        events: &[bool],
        covariates: &[&[f64]],
        names: &[&str],
        strata: Option<&[u32]>,
        clusters: Option<&[u64]>,
    ) -> Result<(CoxFit, Fitted), StatsError> {
        let n = durations.len();
        let p = covariates.len();
        if events.len() != n
            || names.len() != p
            || covariates.iter().any(|c| c.len() != n)
            || strata.is_some_and(|s| s.len() != n)
            || entry.is_some_and(|e| e.len() != n)
        {
            return Err(StatsError::LengthMismatch(format!(
                "{n} durations, {} events, {p} covariates, {} names",
                events.len(),
                names.len()
            )));
        }
        if p == 0 {
            return Err(StatsError::InvalidInput("no covariates".into()));
        }
        if let Some(d) = durations.iter().find(|d| !d.is_finite() || **d < 0.0) {
            return Err(StatsError::InvalidInput(format!("duration {d}")));
        }
        super::check_entry(entry, durations)?;
        let n_events = events.iter().filter(|e| **e).count();
        if n_events == 0 {
            return Err(StatsError::NotEnoughData("no events".into()));
        }
        // Entry times all before the first event time leave every risk set
        // as it is without them (a subject is at risk at t when entry < t ≤
        // duration): they are dropped, and the fit is the same to the bit
        // (the subjects they would take out of the risk sets leave them
        // only at times before the first event time, where nothing is
        // counted any more, and the score residuals' hazard before entry
        // is then 0). The periods of the promotion gap's
        // diagnostics are such fits: everyone enters at the period's start.
        let first_event = durations
            .iter()
            .zip(events)
            .filter(|(_, e)| **e)
            .fold(f64::INFINITY, |m, (d, _)| m.min(*d));
        let entry = entry.filter(|en| en.iter().any(|&x| x >= first_event));
        // Order: by stratum, then time descending (risk sets accumulate).
        // Sorted on precomputed keys, the row last so that ties keep their
        // input order (what a stable sort by stratum and time would give).
        let order = sorted_positions(n, |i| {
            (strata.map_or(0, |s| s[i]), !total_order_key(durations[i]))
        });
        // Everything is laid out in that order once, so that each
        // evaluation reads memory front to back; the scaled covariates are
        // written in it directly.
        let (x, scale) = standardize(covariates, names, &order)?;
        let data = Prepared {
            x,
            p,
            durations: order.iter().map(|&i| durations[i]).collect(),
            events: order.iter().map(|&i| events[i]).collect(),
            strata: strata.map(|s| order.iter().map(|&i| s[i]).collect()),
            entry: entry.map(|en| {
                let sorted: Vec<f64> = order.iter().map(|&i| en[i]).collect();
                // Positions by stratum, then entry time descending: the
                // order in which subjects leave the risk set as t falls.
                let st = |k: usize| strata.map_or(0, |s| s[order[k]]);
                let exits = sorted_positions(n, |k| (st(k), !total_order_key(sorted[k])));
                (sorted, exits)
            }),
            ties: self.ties,
        };
        let mut beta = vec![0f64; p];
        let (null_ll, mut grad, mut hess) = data.evaluate(&beta);
        let mut ll = null_ll;
        let mut iterations = 0;
        loop {
            if iterations >= self.max_iterations {
                return Err(StatsError::Fit(format!(
                    "no convergence after {iterations} Newton–Raphson steps"
                )));
            }
            iterations += 1;
            let neg_h = DMatrix::from_fn(p, p, |a, b| -hess[a * p + b]);
            let g = DVector::from_column_slice(&grad);
            let delta = neg_h
                .clone()
                .cholesky()
                .map(|c| c.solve(&g))
                .or_else(|| neg_h.lu().solve(&g))
                .ok_or_else(|| {
                    StatsError::Fit("singular information matrix (collinear covariates?)".into())
                })?;
            let mut step = 1.0;
            let mut halvings = 0;
            let (new_beta, new_ll, new_grad, new_hess) = loop {
                let candidate: Vec<f64> = beta
                    .iter()
                    .zip(delta.iter())
                    .map(|(b, d)| b + step * d)
                    .collect();
                let (cll, cg, ch) = data.evaluate(&candidate);
                if cll.is_finite() && cll >= ll - 1e-12 * ll.abs().max(1.0) || halvings >= 30 {
                    break (candidate, cll, cg, ch);
                }
                step /= 2.0;
                halvings += 1;
            };
            let largest = delta.iter().fold(0f64, |m, d| m.max((step * d).abs()));
            beta = new_beta;
            ll = new_ll;
            grad = new_grad;
            hess = new_hess;
            if beta.iter().any(|b| b.abs() > 30.0) {
                return Err(StatsError::Fit(
                    "a coefficient diverges: a covariate separates events from non-events, so the estimate is infinite".into(),
                ));
            }
            if largest < self.tolerance && halvings == 0 {
                break;
            }
        }
        let neg_h = DMatrix::from_fn(p, p, |a, b| -hess[a * p + b]);
        let cov = neg_h
            .try_inverse()
            .ok_or_else(|| StatsError::Fit("singular information matrix at the estimate".into()))?;
        // With separation the likelihood keeps rising towards a limit while the
        // information vanishes: on the scaled covariates a standard error this
        // large means the estimate is not finite.
        if (0..p).any(|j| cov[(j, j)].sqrt() > 1e3 || !cov[(j, j)].is_finite()) {
            return Err(StatsError::Fit(
                "the likelihood has no finite maximum: a covariate (nearly) separates events from non-events".into(),
            ));
        }
        // The sandwich, on the scaled covariates like `cov`.
        let robust = clusters.map(|labels| data.sandwich(&beta, &cov, &order, labels));
        let z_crit = z_for(self.level);
        let coefficients = (0..p)
            .map(|j| {
                let coef = beta[j] / scale[j];
                let model_se = cov[(j, j)].max(0.0).sqrt() / scale[j];
                let se = robust
                    .as_ref()
                    .map_or(model_se, |(r, _)| r[(j, j)].max(0.0).sqrt() / scale[j]);
                let z = coef / se;
                CoxCoefficient {
                    name: names[j].to_string(),
                    coef,
                    se,
                    model_se,
                    z,
                    p_value: normal_two_sided_p(z),
                    hazard_ratio: coef.exp(),
                    hr_ci_lower: (coef - z_crit * se).exp(),
                    hr_ci_upper: (coef + z_crit * se).exp(),
                }
            })
            .collect();
        let lr_statistic = (2.0 * (ll - null_ll)).max(0.0);
        let chi2 =
            ChiSquared::new(p as f64).map_err(|e| StatsError::InvalidInput(e.to_string()))?;
        let fit = CoxFit {
            ties: self.ties,
            coefficients,
            log_likelihood: ll,
            null_log_likelihood: null_ll,
            lr_statistic,
            lr_df: p,
            lr_p_value: chi2.sf(lr_statistic),
            n,
            events: n_events,
            iterations,
            clusters: robust.map(|r| r.1),
        };
        Ok((
            fit,
            Fitted {
                data,
                scale,
                beta,
                cov,
            },
        ))
    }

    /// [`CoxModel::fit`] (no strata) and the test of proportional hazards
    /// for each covariate: Grambsch & Therneau's score test on the scaled
    /// Schoenfeld residuals ("Proportional hazards tests and diagnostics
    /// based on weighted residuals", Biometrika 81, 1994) in the one-degree
    /// form lifelines' `proportional_hazard_test` computes (and R's
    /// `cox.zph` did before 2019): with `s*ₖ = D · rₖ V` the scaled residual
    /// of the k-th event (D events, `rₖ` its Schoenfeld residual with Efron
    /// means, `V` the model variance) and `gₖ` the transformed time,
    /// `T_j = (Σ (gₖ − ḡ) s*ₖⱼ)² / (D · Var(β̂ⱼ) · Σ (gₖ − ḡ)²)`, χ² with one
    /// degree of freedom. A small p-value says the covariate's effect changes
    /// over time. Matches lifelines 0.30.3 at 1e-6.
    ///
    /// ```
    /// use mommytrack::stats::{CoxModel, TimeTransform};
    /// let t = [5.0, 8.0, 3.0, 9.0, 2.0, 7.0, 4.0, 6.0, 1.0, 10.0];
    /// let e = [true, true, true, false, true, true, true, false, true, true];
    /// let x = [0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0];
    /// let (fit, tests) = CoxModel::default()
    ///     .fit_ph_test(&t, &e, &[&x], &["x"], TimeTransform::KaplanMeier)
    ///     .unwrap();
    /// assert_eq!(tests[0].name, fit.coefficients[0].name);
    /// assert!((0.0..=1.0).contains(&tests[0].p_value));
    /// ```
    pub fn fit_ph_test(
        &self,
        durations: &[f64],
        events: &[bool],
        covariates: &[&[f64]],
        names: &[&str],
        transform: TimeTransform,
    ) -> Result<(CoxFit, Vec<PhTest>), StatsError> {
        self.fit_clustered_ph_test(durations, events, covariates, names, None, None, transform)
    }

    /// [`CoxModel::fit_ph_test`] with, when `strata` is given, a model
    /// stratified on it (the residuals are taken within each stratum's risk
    /// sets; [`TimeTransform::KaplanMeier`] is the Kaplan–Meier of all
    /// durations, as lifelines' `proportional_hazard_test` on a
    /// `CoxPHFitter().fit(..., strata=…)`), and, when `clusters` is given, the
    /// cluster-robust standard errors of [`CoxModel::fit_clustered`]: one
    /// fit for all. The test itself always uses the model-based variance,
    /// as lifelines' does.
    ///
    /// ```
    /// use mommytrack::stats::{CoxModel, TimeTransform};
    /// let t = [5.0, 8.0, 3.0, 9.0, 2.0, 7.0, 4.0, 6.0, 1.0, 10.0];
    /// let e = [true, true, true, false, true, true, true, false, true, true];
    /// let x = [0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0];
    /// let s = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1];
    /// let model = CoxModel::default();
    /// let (fit, tests) = model
    ///     .fit_clustered_ph_test(&t, &e, &[&x], &["x"], Some(&s), None, TimeTransform::KaplanMeier)
    ///     .unwrap();
    /// // The same coefficient as the stratified fit without the test.
    /// let plain = model.fit(&t, &e, &[&x], &["x"], Some(&s)).unwrap();
    /// assert!((fit.coefficients[0].coef - plain.coefficients[0].coef).abs() < 1e-12);
    /// assert!((0.0..=1.0).contains(&tests[0].p_value));
    /// ```
    #[allow(clippy::too_many_arguments)]
    pub fn fit_clustered_ph_test(
        &self,
        durations: &[f64],
        events: &[bool],
        covariates: &[&[f64]],
        names: &[&str],
        strata: Option<&[u32]>,
        clusters: Option<&[u64]>,
        transform: TimeTransform,
    ) -> Result<(CoxFit, Vec<PhTest>), StatsError> {
        if clusters.is_some_and(|c| c.len() != durations.len()) {
            return Err(StatsError::LengthMismatch(format!(
                "{} durations, {} cluster labels",
                durations.len(),
                clusters.map_or(0, <[u64]>::len)
            )));
        }
        let (fit, f) =
            self.fit_inner(None, durations, events, covariates, names, strata, clusters)?;
        let p = f.data.p;
        let n = f.data.durations.len();
        // Events in ascending time (the sorted layout is descending).
        let residuals = f.data.schoenfeld(&f.beta);
        // Each event's time and its row in `residuals` (not a vector of
        // its residuals each: 362,152 allocations at 1M employees).
        let mut rows: Vec<(f64, usize)> = Vec::with_capacity(fit.events);
        for k in (0..n).rev() {
            if f.data.events[k] {
                rows.push((f.data.durations[k], k));
            }
        }
        // An event's residual back on the covariate's own scale.
        let residual = |k: usize, a: usize| residuals[k * p + a] * f.scale[a];
        // Strata are laid out one after another: bring the events into one
        // time order (stable, so the unstratified order stays as it was).
        rows.sort_by(|a, b| a.0.total_cmp(&b.0));
        let g: Vec<f64> = match transform {
            TimeTransform::Identity => rows.iter().map(|r| r.0).collect(),
            TimeTransform::Log => rows.iter().map(|r| r.0.ln()).collect(),
            TimeTransform::Rank => (1..=rows.len()).map(|k| k as f64).collect(),
            TimeTransform::KaplanMeier => {
                let km = super::KaplanMeier::fit(durations, events, None, 0.95)?;
                rows.iter()
                    .map(|r| {
                        let k = km.points.partition_point(|q| q.time <= r.0);
                        1.0 - k.checked_sub(1).map_or(1.0, |k| km.points[k].survival)
                    })
                    .collect()
            }
        };
        let d = rows.len() as f64;
        let mean = g.iter().sum::<f64>() / d;
        let ss: f64 = g.iter().map(|v| (v - mean).powi(2)).sum();
        if !(ss > 0.0 && ss.is_finite()) {
            return Err(StatsError::InvalidInput(
                "the proportional-hazards test needs events at two or more distinct times".into(),
            ));
        }
        // V on the covariates' own scale.
        let v = |a: usize, b: usize| f.cov[(a, b)] / (f.scale[a] * f.scale[b]);
        let chi2 = ChiSquared::new(1.0).map_err(|e| StatsError::InvalidInput(e.to_string()))?;
        let tests = (0..p)
            .map(|j| {
                // Σ (g − ḡ) s*_j with s* = D · r · V.
                let num: f64 = rows
                    .iter()
                    .zip(&g)
                    .map(|(&(_, k), gk)| {
                        (gk - mean) * d * (0..p).map(|a| residual(k, a) * v(a, j)).sum::<f64>()
                    })
                    .sum();
                let se = fit.coefficients[j].model_se;
                let statistic = num * num / (d * se * se * ss);
                if !statistic.is_finite() {
                    return Err(StatsError::InvalidInput(format!(
                        "the proportional-hazards test of {} is undefined (standard error {se})",
                        names[j]
                    )));
                }
                Ok(PhTest {
                    name: names[j].to_string(),
                    statistic,
                    p_value: chi2.sf(statistic),
                })
            })
            .collect::<Result<Vec<_>, StatsError>>()?;
        Ok((fit, tests))
    }
}

/// How time enters [`CoxModel::fit_ph_test`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TimeTransform {
    /// 1 − Kaplan–Meier at the event time (R's `cox.zph` default).
    #[default]
    KaplanMeier,
    /// The event's rank in time (lifelines' default; tied times take
    /// consecutive ranks in the order of the input, so use it where times
    /// are distinct).
    Rank,
    /// The time itself.
    Identity,
    /// Its logarithm.
    Log,
}

/// The proportional-hazards test of one covariate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PhTest {
    /// Covariate name.
    pub name: String,
    /// χ² statistic, one degree of freedom.
    pub statistic: f64,
    /// Its p-value.
    pub p_value: f64,
}

/// What the statistics after a fit need of it.
struct Fitted {
    data: Prepared,
    scale: Vec<f64>,
    /// Coefficients on the scaled covariates.
    beta: Vec<f64>,
    /// Inverse information on the scaled covariates.
    cov: DMatrix<f64>,
}

/// The positions `0..n` sorted by `key` and then by position (what a
/// stable sort by `key` gives). Below 2³² positions, each (key, position)
/// is packed into one `u128` (stratum, then the 64-bit key, then the
/// position), which sorts in the same order as the tuple and about a third
/// faster; otherwise the tuples are sorted.
fn sorted_positions(n: usize, key: impl Fn(usize) -> (u32, u64) + Sync) -> Vec<usize> {
    if u32::try_from(n).is_ok() {
        let mut packed: Vec<u128> = (0..n)
            .into_par_iter()
            .map(|i| {
                let (a, b) = key(i);
                (u128::from(a) << 96) | (u128::from(b) << 32) | i as u128
            })
            .collect();
        packed.par_sort_unstable();
        packed
            .into_iter()
            .map(|k| (k & u128::from(u32::MAX)) as usize)
            .collect()
    } else {
        let mut keyed: Vec<(u32, u64, usize)> = (0..n)
            .map(|i| {
                let (a, b) = key(i);
                (a, b, i)
            })
            .collect();
        keyed.par_sort_unstable();
        keyed.into_iter().map(|(_, _, i)| i).collect()
    }
}

/// `v`'s place in [`f64::total_cmp`]'s order, as an unsigned integer.
fn total_order_key(v: f64) -> u64 {
    let bits = v.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}

/// The covariates centred and scaled by their sample standard deviation
/// (as lifelines does), row-major n × p with row `k` the caller's row
/// `order[k]`, and the scales. The means and deviations are summed over
/// the caller's rows in their own order.
fn standardize(
    covariates: &[&[f64]],
    names: &[&str],
    order: &[usize],
) -> Result<(Vec<f64>, Vec<f64>), StatsError> {
    let p = covariates.len();
    let n = order.len();
    let mut x = vec![0f64; n * p];
    let mut scale = vec![0f64; p];
    for (j, col) in covariates.iter().enumerate() {
        if let Some(v) = col.iter().find(|v| !v.is_finite()) {
            return Err(StatsError::InvalidInput(format!(
                "covariate `{}` has the value {v}",
                names[j]
            )));
        }
        let mean = col.iter().sum::<f64>() / n as f64;
        let var = col.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n as f64 - 1.0).max(1.0);
        let sd = var.sqrt();
        if sd == 0.0 || !sd.is_finite() {
            return Err(StatsError::Fit(format!(
                "covariate `{}` is constant",
                names[j]
            )));
        }
        scale[j] = sd;
        for (k, &i) in order.iter().enumerate() {
            x[k * p + j] = (col[i] - mean) / sd;
        }
    }
    Ok((x, scale))
}

/// The subjects sorted by stratum, then time descending.
struct Prepared {
    /// Scaled covariates, row-major n × p.
    x: Vec<f64>,
    p: usize,
    durations: Vec<f64>,
    events: Vec<bool>,
    strata: Option<Vec<u32>>,
    /// Entry times, and positions in leaving order (see `fit_with_entry`).
    entry: Option<(Vec<f64>, Vec<usize>)>,
    ties: Ties,
}

impl Prepared {
    /// The robust covariance `cov (Σ_g U_g U_gᵀ) cov` on the scaled
    /// covariates, `U_g` the sum of cluster `g`'s score residuals (`order`
    /// maps sorted positions to the caller's rows, whose labels these are),
    /// and the number of clusters.
    fn sandwich(
        &self,
        beta: &[f64],
        cov: &DMatrix<f64>,
        order: &[usize],
        labels: &[u64],
    ) -> (DMatrix<f64>, usize) {
        let p = self.p;
        let n = order.len();
        // Labels that are small numbers (as row or employee indices are)
        // index each cluster's sums directly; others are numbered through
        // a hash map.
        let dense = labels
            .iter()
            .max()
            .and_then(|&m| usize::try_from(m).ok())
            .filter(|&m| m < n.max(1).saturating_mul(4) && n < u32::MAX as usize);
        let mut meat = DMatrix::<f64>::zeros(p, p);
        let mut add = |v: &[f64]| {
            for a in 0..p {
                for b in 0..p {
                    meat[(a, b)] += v[a] * v[b];
                }
            }
        };
        // Each cluster's residuals are summed from zero in sorted order,
        // and the clusters' outer products in label order, so that the
        // result does not depend on how the clusters are found.
        let clusters = match dense {
            Some(m) => {
                // Each sorted row's label gathered first, in a loop of its
                // own: there the loads are independent and overlap, where
                // inside the residuals' loop each waited on the one before
                // (a cluster's rows lie far apart in time order). At
                // 1,365,080 rows (1M employees) the sandwich took 0.17 s
                // instead of 0.35 s.
                let label: Vec<u32> = order.iter().map(|&i| labels[i] as u32).collect();
                let mut present = vec![false; m + 1];
                // Pages of labels never seen are never written, so never
                // resident.
                let mut sums = vec![0f64; (m + 1) * p];
                // The residuals of up to BLOCK rows are kept (20 KiB at four
                // covariates), then added to their clusters' sums in a short
                // loop of their own, in the same order: there many rows'
                // cache misses are in flight at once, where each row's
                // residuals took long enough to compute that few were
                // (1,365,080 rows: residuals and sums 0.13-0.15 s -> 0.07-0.08 s).
                const BLOCK: usize = 512;
                let mut rows: Vec<usize> = Vec::with_capacity(BLOCK);
                let mut values: Vec<f64> = Vec::with_capacity(BLOCK * p);
                let mut flush = |rows: &mut Vec<usize>, values: &mut Vec<f64>| {
                    for (&k, u) in rows.iter().zip(values.chunks_exact(p)) {
                        let g = label[k] as usize;
                        present[g] = true;
                        for (v, r) in sums[g * p..(g + 1) * p].iter_mut().zip(u) {
                            *v += r;
                        }
                    }
                    rows.clear();
                    values.clear();
                };
                self.score_residuals(beta, |k, u| {
                    if rows.len() == BLOCK {
                        flush(&mut rows, &mut values);
                    }
                    rows.push(k);
                    values.extend_from_slice(u);
                });
                flush(&mut rows, &mut values);
                let mut count = 0;
                for (g, _) in present.iter().enumerate().filter(|(_, &x)| x) {
                    add(&sums[g * p..(g + 1) * p]);
                    count += 1;
                }
                count
            }
            None => {
                let mut slot: foldhash::HashMap<u64, usize> = foldhash::HashMap::default();
                // Room for as many clusters as there can be, so that it is
                // not grown and copied as clusters appear (pages never
                // written are never resident).
                let mut sums: Vec<f64> = Vec::with_capacity(n * p);
                self.score_residuals(beta, |k, u| {
                    let next = sums.len() / p.max(1);
                    let g = *slot.entry(labels[order[k]]).or_insert(next);
                    if g == next {
                        sums.resize(sums.len() + p, 0.0);
                    }
                    for (v, r) in sums[g * p..(g + 1) * p].iter_mut().zip(u) {
                        *v += r;
                    }
                });
                let mut sorted: Vec<(u64, usize)> = slot.into_iter().collect();
                sorted.sort_unstable();
                for (_, g) in &sorted {
                    add(&sums[g * p..(g + 1) * p]);
                }
                sorted.len()
            }
        };
        (cov * meat * cov, clusters)
    }

    /// Schoenfeld residuals at `beta` (row-major n × p in the sorted order,
    /// zero for censored subjects): `x_i − x̄(t_i)` with Efron's mean over
    /// the tied events, `x̄ = (1/d) Σ_l (S1 − (l/d) T1) / (S0 − (l/d) T0)`
    /// (Breslow: the risk-set mean), as lifelines computes them.
    fn schoenfeld(&self, beta: &[f64]) -> Vec<f64> {
        let p = self.p;
        let n = self.durations.len();
        let stratum = |k: usize| self.strata.as_ref().map_or(0, |s| s[k]);
        let mut r = vec![0.0; n * p];
        let (mut s0, mut s1) = (0.0, vec![0.0; p]);
        let mut i = 0;
        while i < n {
            if i > 0 && stratum(i) != stratum(i - 1) {
                s0 = 0.0;
                s1.iter_mut().for_each(|v| *v = 0.0);
            }
            let (t, st) = (self.durations[i], stratum(i));
            let (mut t0, mut t1, mut d) = (0.0, vec![0.0; p], 0usize);
            let mut j = i;
            while j < n && self.durations[j] == t && stratum(j) == st {
                let xj = &self.x[j * p..(j + 1) * p];
                let w = xj.iter().zip(beta).map(|(a, b)| a * b).sum::<f64>().exp();
                s0 += w;
                for (v, xa) in s1.iter_mut().zip(xj) {
                    *v += w * xa;
                }
                if self.events[j] {
                    d += 1;
                    t0 += w;
                    for (v, xa) in t1.iter_mut().zip(xj) {
                        *v += w * xa;
                    }
                }
                j += 1;
            }
            if d > 0 {
                let mut mean = vec![0.0; p];
                for l in 0..d {
                    let f = match self.ties {
                        Ties::Efron => l as f64 / d as f64,
                        Ties::Breslow => 0.0,
                    };
                    let denom = s0 - f * t0;
                    for a in 0..p {
                        mean[a] += (s1[a] - f * t1[a]) / (denom * d as f64);
                    }
                }
                for k in i..j {
                    if self.events[k] {
                        for a in 0..p {
                            r[k * p + a] = self.x[k * p + a] - mean[a];
                        }
                    }
                }
            }
            i = j;
        }
        r
    }

    /// Breslow score residuals at `beta`, each row's `p` values handed to
    /// `emit` with its sorted position, positions ascending (nothing n × p
    /// is kept): `U_i = δ_i (x_i − x̄(t_i)) − r_i Σ_{t at risk} (x_i − x̄(t)) dΛ(t)`
    /// with `dΛ(t) = d(t) / S0(t)` over the event times `t` at which `i` is
    /// at risk (statsmodels' `PHReg.score_residuals`).
    fn score_residuals(&self, beta: &[f64], mut emit: impl FnMut(usize, &[f64])) {
        let p = self.p;
        let n = self.durations.len();
        let stratum = |k: usize| self.strata.as_ref().map_or(0, |s| s[k]);
        // Each subject's relative risk, taken once (each pass below reads
        // it; the same arithmetic as before, so the same bits).
        let risk: Vec<f64> = (0..n)
            .map(|k| {
                self.x[k * p..(k + 1) * p]
                    .iter()
                    .zip(beta)
                    .map(|(a, b)| a * b)
                    .sum::<f64>()
                    .exp()
            })
            .collect();
        let mut row = vec![0.0; p];
        let mut lo = 0;
        let mut q = 0;
        // Per event time of a stratum, in one flat array each: the time,
        // dΛ, x̄ (p values), then the cumulative Λ and Σ x̄ dΛ (p values).
        let (mut times, mut dls, mut xbars) = (Vec::new(), Vec::new(), Vec::new());
        let (mut cum_l, mut cum_x) = (Vec::new(), Vec::new());
        while lo < n {
            let st = stratum(lo);
            let mut hi = lo;
            while hi < n && stratum(hi) == st {
                hi += 1;
            }
            // Pass 1, time descending: S0 and S1 of the risk set at each
            // event time (entry < t ≤ duration), as `evaluate` builds them.
            let (mut s0, mut s1) = (0.0, vec![0.0; p]);
            times.clear();
            dls.clear();
            xbars.clear();
            let mut i = lo;
            while i < hi {
                let t = self.durations[i];
                let mut j = i;
                let mut d = 0usize;
                while j < hi && self.durations[j] == t {
                    let w = risk[j];
                    s0 += w;
                    for (v, xa) in s1.iter_mut().zip(&self.x[j * p..(j + 1) * p]) {
                        *v += w * xa;
                    }
                    d += usize::from(self.events[j]);
                    j += 1;
                }
                if let Some((entry, exits)) = &self.entry {
                    while q < exits.len() && stratum(exits[q]) < st {
                        q += 1;
                    }
                    while q < exits.len() && stratum(exits[q]) == st && entry[exits[q]] >= t {
                        let s = exits[q];
                        let w = risk[s];
                        s0 -= w;
                        for (v, xa) in s1.iter_mut().zip(&self.x[s * p..(s + 1) * p]) {
                            *v -= w * xa;
                        }
                        q += 1;
                    }
                }
                if d > 0 {
                    times.push(t);
                    dls.push(d as f64 / s0);
                    xbars.extend(s1.iter().map(|v| v / s0));
                }
                i = j;
            }
            // Pass 2, time ascending: cumulative Λ and Σ x̄ dΛ at each
            // event time (position `c` in ascending order is `m − 1 − c`
            // in the arrays of pass 1).
            let m = times.len();
            cum_l.clear();
            cum_x.clear();
            let (mut lam, mut lamx) = (0.0, vec![0.0; p]);
            for c in (0..m).rev() {
                let dl = dls[c];
                lam += dl;
                for a in 0..p {
                    lamx[a] += xbars[c * p + a] * dl;
                }
                cum_l.push(lam);
                cum_x.extend_from_slice(&lamx);
            }
            // The number of event times ≤ t (ascending positions below it).
            let count_upto = |t: f64| m - times.partition_point(|&s| s > t);
            // Rows come in time descending, so the count only falls:
            // followed with a pointer rather than searched for each row.
            let mut upto = m;
            for k in lo..hi {
                let xi = &self.x[k * p..(k + 1) * p];
                let r = risk[k];
                let t = self.durations[k];
                while upto > 0 && times[m - upto] > t {
                    upto -= 1;
                }
                let at = upto.checked_sub(1);
                let before = self
                    .entry
                    .as_ref()
                    .and_then(|(entry, _)| count_upto(entry[k]).checked_sub(1));
                let cum_at = |c: Option<usize>, a: usize| -> (f64, f64) {
                    c.map_or((0.0, 0.0), |c| (cum_l[c], cum_x[c * p + a]))
                };
                for a in 0..p {
                    let (l1, lx1) = cum_at(at, a);
                    let (l0, lx0) = cum_at(before, a);
                    let mut v = -r * (xi[a] * (l1 - l0) - (lx1 - lx0));
                    if self.events[k] {
                        if let Some(c) = at {
                            v += xi[a] - xbars[(m - 1 - c) * p + a];
                        }
                    }
                    row[a] = v;
                }
                emit(k, &row);
            }
            lo = hi;
        }
    }

    /// Log-likelihood, gradient and Hessian (row-major p × p) at `beta`.
    fn evaluate(&self, beta: &[f64]) -> (f64, Vec<f64>, Vec<f64>) {
        // The few covariates of this crate's own models, each with its
        // width known to the compiler (its loops unrolled); the same
        // arithmetic in the same order as the general case.
        match self.p {
            1 => self.evaluate_width::<1>(beta),
            2 => self.evaluate_width::<2>(beta),
            3 => self.evaluate_width::<3>(beta),
            4 => self.evaluate_width::<4>(beta),
            _ => self.evaluate_width::<0>(beta),
        }
    }

    /// [`Prepared::evaluate`] for `P` covariates (`P = 0`: as many as the
    /// data have).
    fn evaluate_width<const P: usize>(&self, beta: &[f64]) -> (f64, Vec<f64>, Vec<f64>) {
        let p = if P == 0 { self.p } else { P };
        let n = self.durations.len();
        let mut ll = 0.0;
        let mut grad = vec![0.0; p];
        let mut hess = vec![0.0; p * p];
        let (mut s0, mut s1, mut s2) = (0.0, vec![0.0; p], vec![0.0; p * p]);
        let (mut t1, mut t2) = (vec![0.0; p], vec![0.0; p * p]);
        let mut a1 = vec![0.0; p];
        let mut i = 0;
        // Next subject to leave the risk set (delayed entry only).
        let mut q = 0;
        let stratum = |k: usize| self.strata.as_ref().map_or(0, |s| s[k]);
        while i < n {
            if i > 0 && stratum(i) != stratum(i - 1) {
                s0 = 0.0;
                s1.iter_mut().for_each(|v| *v = 0.0);
                s2.iter_mut().for_each(|v| *v = 0.0);
            }
            let t = self.durations[i];
            let st = stratum(i);
            let mut j = i;
            let (mut t0, mut d) = (0.0, 0usize);
            t1.iter_mut().for_each(|v| *v = 0.0);
            t2.iter_mut().for_each(|v| *v = 0.0);
            while j < n && self.durations[j] == t && stratum(j) == st {
                let s = j;
                let xi = &self.x[s * p..(s + 1) * p];
                let eta: f64 = xi.iter().zip(beta).map(|(a, b)| a * b).sum();
                let w = eta.exp();
                s0 += w;
                for a in 0..p {
                    s1[a] += w * xi[a];
                    for b in 0..=a {
                        s2[a * p + b] += w * xi[a] * xi[b];
                    }
                }
                if self.events[s] {
                    d += 1;
                    ll += eta;
                    t0 += w;
                    for a in 0..p {
                        grad[a] += xi[a];
                        t1[a] += w * xi[a];
                        for b in 0..=a {
                            t2[a * p + b] += w * xi[a] * xi[b];
                        }
                    }
                }
                j += 1;
            }
            // Delayed entry: whoever entered at or after t is not at risk at t.
            if let Some((entry, exits)) = &self.entry {
                while q < exits.len() && stratum(exits[q]) < st {
                    q += 1;
                }
                while q < exits.len() && stratum(exits[q]) == st && entry[exits[q]] >= t {
                    let s = exits[q];
                    let xi = &self.x[s * p..(s + 1) * p];
                    let w = xi.iter().zip(beta).map(|(a, b)| a * b).sum::<f64>().exp();
                    s0 -= w;
                    for a in 0..p {
                        s1[a] -= w * xi[a];
                        for b in 0..=a {
                            s2[a * p + b] -= w * xi[a] * xi[b];
                        }
                    }
                    q += 1;
                }
            }
            for l in 0..d {
                let f = match self.ties {
                    Ties::Efron => l as f64 / d as f64,
                    Ties::Breslow => 0.0,
                };
                let a0 = s0 - f * t0;
                ll -= a0.ln();
                for a in 0..p {
                    a1[a] = (s1[a] - f * t1[a]) / a0;
                    grad[a] -= a1[a];
                }
                for a in 0..p {
                    for b in 0..=a {
                        let a2 = (s2[a * p + b] - f * t2[a * p + b]) / a0;
                        hess[a * p + b] -= a2 - a1[a] * a1[b];
                    }
                }
            }
            i = j;
        }
        for a in 0..p {
            for b in 0..a {
                hess[b * p + a] = hess[a * p + b];
            }
        }
        (ll, grad, hess)
    }
}

#[cfg(test)]
mod tests {
    use super::{sorted_positions, total_order_key, CoxModel};
    use proptest::prelude::*;

    proptest! {
        /// The packed sort gives the positions a stable sort by (stratum,
        /// key) gives, whatever the ties and the extremes of either part.
        #[test]
        fn packed_positions_sort_as_the_tuples_do(
            keys in proptest::collection::vec(
                (prop_oneof![Just(0u32), Just(u32::MAX), 0u32..3],
                 prop_oneof![Just(0u64), Just(u64::MAX), 0u64..4, any::<u64>()]),
                0..300,
            ),
        ) {
            let mut stable: Vec<usize> = (0..keys.len()).collect();
            stable.sort_by_key(|&i| keys[i]);
            prop_assert_eq!(sorted_positions(keys.len(), |i| keys[i]), stable);
        }

        /// Cluster labels that are small numbers (summed through a table)
        /// and the same clusters under labels spread over the whole range
        /// (summed through a hash map), in the same order, give the same
        /// robust variance to the last bit.
        #[test]
        fn clusters_by_table_and_by_hash_agree(
            rows in proptest::collection::vec((1u8..40, any::<bool>(), -2.0f64..2.0, 0u64..12), 12..80),
        ) {
            let t: Vec<f64> = rows.iter().map(|r| f64::from(r.0)).collect();
            let e: Vec<bool> = rows.iter().map(|r| r.1).collect();
            let x: Vec<f64> = rows.iter().map(|r| r.2).collect();
            let small: Vec<u64> = rows.iter().map(|r| r.3).collect();
            let wide: Vec<u64> = small.iter().map(|l| l * (1 << 40) + 7).collect();
            let model = CoxModel::default();
            let a = model.fit_clustered(None, &t, &e, &[&x], &["x"], None, &small);
            let b = model.fit_clustered(None, &t, &e, &[&x], &["x"], None, &wide);
            match (a, b) {
                (Ok(a), Ok(b)) => {
                    prop_assert_eq!(a.clusters, b.clusters);
                    prop_assert_eq!(a.coefficients[0].se.to_bits(), b.coefficients[0].se.to_bits());
                }
                (a, b) => prop_assert_eq!(a.is_err(), b.is_err()),
            }
        }

        /// The key orders any two values (signed zeros, infinities and NaN
        /// included) as `f64::total_cmp` does.
        #[test]
        fn the_sort_key_keeps_total_cmp_order(a in any::<f64>(), b in any::<f64>()) {
            prop_assert_eq!(total_order_key(a).cmp(&total_order_key(b)), a.total_cmp(&b));
        }
    }

    /// Delayed entry before the first event time is no delayed entry (every
    /// risk set is the same); an entry at the first event time takes its
    /// subject out of that risk set and moves the estimate.
    #[test]
    fn entry_before_the_first_event_changes_nothing() {
        let t = [2.0, 3.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0];
        let e = [
            true, true, false, true, true, false, true, true, false, true,
        ];
        let x = [1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0];
        let s = [0, 1, 0, 1, 0, 1, 0, 1, 0, 1];
        let g = [1, 2, 3, 1, 2, 3, 4, 5, 4, 5];
        let model = CoxModel::default();
        let fit = |entry: Option<&[f64]>| {
            model
                .fit_clustered(entry, &t, &e, &[&x], &["x"], Some(&s), &g)
                .unwrap()
                .coefficients[0]
                .clone()
        };
        let none = fit(None);
        let early = fit(Some(&[1.5; 10]));
        assert_eq!(early.coef.to_bits(), none.coef.to_bits());
        assert_eq!(early.se.to_bits(), none.se.to_bits());
        let mut at_first = [0.0; 10];
        at_first[8] = 2.0; // its stratum's first event time: not at risk then
        let late = fit(Some(&at_first));
        assert!((late.coef - none.coef).abs() > 1e-6, "{late:?} {none:?}");
    }

    #[test]
    fn the_sort_key_orders_zeros_and_infinities() {
        let v = [f64::NEG_INFINITY, -1.5, -0.0, 0.0, 2.0, f64::INFINITY];
        for w in v.windows(2) {
            assert!(total_order_key(w[0]) < total_order_key(w[1]), "{w:?}");
        }
    }
}
