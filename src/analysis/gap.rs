//! The promotion gap: returners from childcare leave against matched peers
//! who had taken none by then, and mothers against fathers.
//!
//! The matched sample, and every reading behind it, is in [`super::peers`].
//!
//! # Figures
//!
//! - Kaplan–Meier of time to promotion for returners and peers; log-rank
//!   test.
//! - **The headline hazard ratio** (`returners_vs_peers.cox`): Cox (Efron
//!   ties) on `returner`, `grade` and `tenure_years`, **stratified by
//!   gender**, with **cluster-robust variance by employee** (a peer serves
//!   several returns, a returner may be followed twice); the same model
//!   within women and within men (`cox_mothers`, `cox_fathers`), and with
//!   `worked_years_in_grade` added (`cox_worked_time`: time on leave does
//!   not count, so a returner whose grade stood still while she was away is
//!   compared with peers who worked as long in theirs).
//! - Under the legacy design, Cox on `returner`, `female`, `grade` and
//!   `tenure_years` with model-based variance, and again with
//!   `returner_x_female` added.
//! - The promotion rate within 1, 2 and 3 years **among complete cases**
//!   (those promoted by then or followed that long: leavers drop out, so it
//!   overstates the share promoted) with Wilson intervals, the Newcombe
//!   interval of the difference, the risk ratio, Fisher's exact test and the
//!   adverse impact ratio (four-fifths rule); the cumulative incidence with
//!   leaving as a competing event, which does not drop anyone, is in
//!   [`super::diagnostics`] beside the proportional-hazards test and the
//!   hazard ratio by follow-up period.
//! - The same comparison of mothers and fathers; by department, Fisher's
//!   test with Benjamini–Hochberg adjustment.
//!
//! # Methods and their sources
//!
//! | figure | method | source | reproduces |
//! |---|---|---|---|
//! | time to promotion | Kaplan–Meier, Greenwood variance, log(−log) interval | Kaplan & Meier, JASA 53 (1958) | lifelines `KaplanMeierFitter` |
//! | returners against peers | log-rank test | Mantel, Cancer Chemother. Rep. 50 (1966) | lifelines `logrank_test` |
//! | hazard ratio | Cox proportional hazards, Efron ties, strata | Cox, JRSS B 34 (1972); Efron, JASA 72 (1977) | lifelines `CoxPHFitter(...).fit(strata=…)` |
//! | its interval | cluster-robust (sandwich) variance | Lin & Wei, JASA 84 (1989) | statsmodels `PHReg(...).fit(groups=…)`, lifelines `robust=True, cluster_col=…` |
//! | promotion rate interval | Wilson score interval | Wilson, JASA 22 (1927) | statsmodels `proportion_confint(method="wilson")` |
//! | difference of rates | Newcombe's hybrid score interval (method 10) | Newcombe, Stat. Med. 17 (1998) | statsmodels `confint_proportions_2indep(method="newcomb")` |
//! | rate comparison | Fisher's exact test, two-sided | Fisher, JRSS 85 (1922) | scipy `fisher_exact` |
//! | adverse impact | rate ratio below 0.8 | the four-fifths rule, Uniform Guidelines on Employee Selection Procedures, 29 CFR 1607.4(D) | — |
//! | many departments | false discovery rate | Benjamini & Hochberg, JRSS B 57 (1995) | statsmodels `multipletests(method="fdr_bh")` |
//!
//! The mothers-against-fathers comparison, the rate tables and the
//! log-rank test treat every follow-up as independent; peers serving
//! several returns make their intervals and p-values somewhat narrow.

use super::peers::{FollowUp, PeerSample};
use super::Context;
use crate::config::{PeerDesign, ValidConfig};
use crate::schema::Gender;
use crate::stats::{
    benjamini_hochberg, logrank, newcombe, wilson, CoxFit, CoxModel, KaplanMeier, PhTest,
    StatsError, TimeTransform, TwoByTwo,
};
use crate::suppress::Count;

use crate::dates::{DAYS_PER_MONTH, DAYS_PER_YEAR};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// A Cox hazard ratio as `report.json` shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct HazardRatio {
    /// Covariate.
    pub covariate: String,
    /// exp(coef).
    #[serde(deserialize_with = "crate::suppress::f64_or_nan")]
    pub hazard_ratio: f64,
    /// Lower confidence bound.
    #[serde(deserialize_with = "crate::suppress::f64_or_nan")]
    pub ci_lower: f64,
    /// Upper confidence bound (infinite for a fit that cannot bound it,
    /// printed as `null`).
    #[serde(deserialize_with = "crate::suppress::f64_or_nan")]
    pub ci_upper: f64,
    /// Wald p-value.
    #[serde(deserialize_with = "crate::suppress::f64_or_nan")]
    pub p_value: f64,
}

/// A promotion rate with its Wilson interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Rate {
    /// Promoted within the horizon.
    pub promoted: Count,
    /// Promoted within it or followed that long.
    pub eligible: Count,
    /// promoted ÷ eligible.
    pub rate: Option<f64>,
    /// Wilson lower bound.
    pub ci_lower: Option<f64>,
    /// Wilson upper bound.
    pub ci_upper: Option<f64>,
}

/// Two groups' promotion rates within one horizon, compared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RateComparison {
    /// Years after the index date.
    pub years: u32,
    /// The first group (returners, or mothers).
    pub group: Rate,
    /// The reference group (peers, or fathers).
    pub reference: Rate,
    /// group − reference, with the Newcombe interval.
    pub difference: Option<[f64; 3]>,
    /// group ÷ reference, with the log-scale interval.
    pub risk_ratio: Option<[f64; 3]>,
    /// Fisher's exact two-sided p-value.
    pub fisher_p_value: Option<f64>,
    /// Adverse impact ratio: the first group's rate ÷ the reference group's.
    pub impact_ratio: Option<f64>,
    /// The impact ratio is below 0.8 (a screen, not proof: read with the p-value).
    pub four_fifths_violated: Option<bool>,
}

/// One survival comparison of two groups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Comparison {
    /// Follow-ups in the first group.
    pub group_n: Count,
    /// Follow-ups in the reference group.
    pub reference_n: Count,
    /// Kaplan–Meier median months to promotion, first group.
    pub group_median_months: Option<f64>,
    /// The same for the reference group.
    pub reference_median_months: Option<f64>,
    /// Log-rank p-value.
    pub logrank_p_value: Option<f64>,
    /// Cox hazard ratio of being in the first group (`returner` for returners vs peers).
    pub cox: Option<HazardRatio>,
    /// Every Cox coefficient.
    pub cox_terms: Vec<HazardRatio>,
    /// Why Cox could not be fitted, when it could not.
    pub cox_error: Option<String>,
    /// Returners vs peers only: the Cox terms of the model with the
    /// `returner_x_female` interaction (its `returner` term is the effect for men).
    pub cox_interaction_terms: Vec<HazardRatio>,
    /// Symmetric design only: the returner hazard ratio among women.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub cox_mothers: Option<HazardRatio>,
    /// Symmetric design only: the returner hazard ratio among men.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub cox_fathers: Option<HazardRatio>,
    /// Returners vs peers only: the returner term of the headline model
    /// with `worked_years_in_grade` added (years in the grade held on the
    /// return date, time on leave not counted).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub cox_worked_time: Option<HazardRatio>,
    /// Every term of that model.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub cox_worked_time_terms: Vec<HazardRatio>,
    /// Why that model is not shown, when it could not be fitted.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub cox_worked_time_error: Option<String>,
    /// Promotion rates within 1, 2 and 3 years.
    pub rates: Vec<RateComparison>,
    /// Kaplan–Meier curve of the first group (`None` when suppressed).
    pub group_curve: Option<Curve>,
    /// Kaplan–Meier curve of the reference group.
    pub reference_curve: Option<Curve>,
}

/// A Kaplan–Meier curve: the share not yet promoted at each event time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Curve {
    /// Months since the index date.
    pub months: Vec<f64>,
    /// Share not yet promoted.
    pub survival: Vec<f64>,
    /// Lower bound of the survival's confidence interval at each time
    /// (Greenwood, log(−log); see [`KaplanMeier`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ci_lower: Vec<f64>,
    /// Upper bound.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ci_upper: Vec<f64>,
    /// Numbers still followed and not yet promoted at 0, 12, 24, … months
    /// (for the numbers at risk under a chart), each a suppressible count.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub at_risk: Vec<AtRisk>,
}

/// Follow-ups at risk (followed that long and not yet promoted) at a time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AtRisk {
    /// Months since the index date.
    pub months: u32,
    /// Follow-ups lasting at least that long.
    pub n: Count,
}

/// The promotion gap in one department.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DepartmentGap {
    /// Department at the index date.
    pub department: String,
    /// Promotion rate within 2 years, returners vs their peers.
    pub rates: RateComparison,
    /// Benjamini–Hochberg adjusted Fisher p-value.
    pub p_adjusted: Option<f64>,
    /// Significant after adjustment.
    pub significant: bool,
}

/// Everything on the promotion gap.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PromotionGap {
    /// Matching options used.
    pub matching: String,
    /// Childcare returns with no peer.
    pub unmatched_returns: Count,
    /// Returners against matched peers (`returners_vs_peers.cox`, `.logrank_p_value`).
    pub returners_vs_peers: Comparison,
    /// Mothers against fathers, both returners.
    pub mothers_vs_fathers: Comparison,
    /// By department, 2-year promotion rates.
    pub by_department: Vec<DepartmentGap>,
    /// Returners against peers beyond the headline model: robust interval,
    /// proportional hazards, hazard ratio by period, cumulative incidence
    /// (when `[statistics] diagnostics` is on; absent from `report.json`
    /// otherwise).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub diagnostics: Option<super::diagnostics::Diagnostics>,
}

fn rate(promoted: u64, eligible: u64, config: &ValidConfig) -> Rate {
    let min = config.min_group_size();
    let shown = eligible >= min as u64;
    let w = shown
        .then(|| wilson(promoted, eligible, config.confidence_level()).ok())
        .flatten();
    Rate {
        promoted: Count::new(promoted, min),
        eligible: Count::new(eligible, min),
        rate: w.as_ref().map(|w| w.estimate),
        ci_lower: w.as_ref().map(|w| w.lower),
        ci_upper: w.as_ref().map(|w| w.upper),
    }
}

fn within(f: &[&FollowUp], years: u32) -> (u64, u64) {
    let h = f64::from(years) * DAYS_PER_YEAR / DAYS_PER_MONTH;
    let promoted = f.iter().filter(|x| x.promoted && x.months <= h).count() as u64;
    let eligible = f
        .iter()
        .filter(|x| x.months >= h || (x.promoted && x.months <= h))
        .count() as u64;
    (promoted, eligible)
}

fn compare_rates(
    a: &[&FollowUp],
    b: &[&FollowUp],
    years: u32,
    config: &ValidConfig,
) -> RateComparison {
    let (pa, na) = within(a, years);
    let (pb, nb) = within(b, years);
    let level = config.confidence_level();
    let min = config.min_group_size() as u64;
    let shown = na >= min && nb >= min;
    let table = TwoByTwo::new(pa, na - pa, pb, nb - pb);
    let ir = shown.then(|| table.impact_ratio().ok()).flatten();
    RateComparison {
        years,
        group: rate(pa, na, config),
        reference: rate(pb, nb, config),
        difference: shown
            .then(|| newcombe(pa, na, pb, nb, level).ok())
            .flatten()
            .map(|i| [i.estimate, i.lower, i.upper]),
        risk_ratio: shown
            .then(|| table.risk_ratio(level).ok())
            .flatten()
            .map(|i| [i.estimate, i.lower, i.upper]),
        fisher_p_value: shown.then(|| table.fisher_exact_p().ok()).flatten(),
        impact_ratio: ir.as_ref().and_then(|r| r.ratio),
        four_fifths_violated: ir.as_ref().map(|r| r.below_four_fifths),
    }
}

/// Cox (Efron) of time to promotion on `covariates`, over `a` then `b`.
/// Covariates that are constant here (e.g. `female` when every returner and
/// peer is a woman) are left out.
fn fit_cox(
    a: &[&FollowUp],
    b: &[&FollowUp],
    covariates: &[(&str, Covariate<'_>)],
    level: f64,
) -> Result<Vec<HazardRatio>, String> {
    let all: Vec<(&FollowUp, bool)> = a
        .iter()
        .map(|x| (*x, true))
        .chain(b.iter().map(|x| (*x, false)))
        .collect();
    let d: Vec<f64> = all.iter().map(|x| x.0.months).collect();
    let e: Vec<bool> = all.iter().map(|x| x.0.promoted).collect();
    let design = Design::new(
        covariates
            .iter()
            .map(|(name, f)| (*name, all.iter().map(|(x, ga)| f(x, *ga)).collect())),
    );
    let (names, slices) = (&design.names, design.slices());
    let model = CoxModel {
        level,
        ..CoxModel::default()
    };
    let fit = model
        .fit(&d, &e, &slices, names, None)
        .map_err(|err| err.to_string())?;
    Ok(fit.coefficients.iter().map(HazardRatio::from).collect())
}

impl From<&crate::stats::CoxCoefficient> for HazardRatio {
    fn from(c: &crate::stats::CoxCoefficient) -> HazardRatio {
        HazardRatio {
            covariate: c.name.clone(),
            hazard_ratio: c.hazard_ratio,
            ci_lower: c.hr_ci_lower,
            ci_upper: c.hr_ci_upper,
            p_value: c.p_value,
        }
    }
}

/// The headline Cox model of the configured design (Efron ties):
///
/// - symmetric: `returner`, `grade`, `tenure_years`, stratified by gender,
///   cluster-robust variance by employee (peers serve several returns, a
///   returner may be followed twice);
/// - legacy: `returner`, `female`, `grade`, `tenure_years`, model-based
///   variance.
///
/// Columns that are constant over the rows are left out ([`Design`]).
pub(super) struct Headline {
    symmetric: bool,
    model: CoxModel,
}

/// How [`Headline::fit`] fits.
#[derive(Default, Clone, Copy)]
pub(super) struct FitOptions {
    /// Only the follow-up from `.0` months (delayed entry) to `.1`
    /// (promotions after it censored there).
    pub(super) window: Option<(f64, Option<f64>)>,
    /// Cluster-robust variance by employee even in the legacy design.
    pub(super) robust: bool,
    /// Also the proportional-hazards test (ignored with a window).
    pub(super) ph_test: bool,
    /// `worked_years_in_grade` as an extra covariate.
    pub(super) worked_time: bool,
    /// Rows of one gender only: no strata.
    pub(super) one_gender: bool,
}

impl Headline {
    pub(super) fn new(config: &ValidConfig) -> Headline {
        Headline {
            symmetric: config.peers().design == PeerDesign::Symmetric,
            model: CoxModel {
                level: config.confidence_level(),
                ..CoxModel::default()
            },
        }
    }

    /// Whether the headline model already has cluster-robust variance.
    pub(super) fn is_robust(&self) -> bool {
        self.symmetric
    }

    /// The model on `rows`, with the proportional-hazards tests when asked.
    pub(super) fn fit(
        &self,
        rows: &[&FollowUp],
        o: FitOptions,
    ) -> Result<(CoxFit, Vec<PhTest>), StatsError> {
        let (from, to) = o.window.unwrap_or((0.0, None));
        let end = to.unwrap_or(f64::INFINITY);
        let rows: Vec<&FollowUp> = rows.iter().copied().filter(|x| x.months > from).collect();
        let d: Vec<f64> = rows.iter().map(|x| x.months.min(end)).collect();
        let e: Vec<bool> = rows.iter().map(|x| x.promoted && x.months <= end).collect();
        type Column = (&'static str, fn(&FollowUp) -> f64);
        let mut columns: Vec<Column> = vec![("returner", |x| f64::from(u8::from(x.returner)))];
        if !self.symmetric {
            columns.push(("female", |x| f64::from(u8::from(x.female))));
        }
        columns.push(("grade", |x| f64::from(x.grade)));
        columns.push(("tenure_years", |x| x.tenure_years));
        if o.worked_time {
            columns.push(("worked_years_in_grade", |x| x.worked_years_in_grade));
        }
        let design = Design::new(
            columns
                .into_iter()
                .map(|(name, f)| (name, rows.iter().map(|x| f(x)).collect())),
        );
        let strata: Option<Vec<u32>> = (self.symmetric && !o.one_gender)
            .then(|| rows.iter().map(|x| u32::from(x.female)).collect());
        let clusters: Option<Vec<u64>> =
            (self.symmetric || o.robust).then(|| rows.iter().map(|x| x.employee as u64).collect());
        let (slices, names) = (design.slices(), &design.names);
        if o.ph_test && o.window.is_none() {
            let tested = self.model.fit_clustered_ph_test(
                &d,
                &e,
                &slices,
                names,
                strata.as_deref(),
                clusters.as_deref(),
                TimeTransform::KaplanMeier,
            );
            // A test that is undefined here (events at one time only) must
            // not cost the model: fit it alone.
            if tested.is_ok() {
                return tested;
            }
        }
        let entry = (from > 0.0).then(|| vec![from; d.len()]);
        let fit = match &clusters {
            Some(c) => self.model.fit_clustered(
                entry.as_deref(),
                &d,
                &e,
                &slices,
                names,
                strata.as_deref(),
                c,
            ),
            None => self.model.fit_with_entry(
                entry.as_deref(),
                &d,
                &e,
                &slices,
                names,
                strata.as_deref(),
            ),
        }?;
        Ok((fit, Vec::new()))
    }
}

/// The returner term of a fit.
pub(super) fn returner_term(fit: &CoxFit) -> Option<HazardRatio> {
    fit.coefficients
        .iter()
        .find(|c| c.name == "returner")
        .map(HazardRatio::from)
}

/// Fills `c`'s Cox fields from the headline model on returners `a` and
/// peers `b`; with the symmetric design, also the returner hazard ratio
/// among women and among men. Returns the proportional-hazards test of the
/// returner term when `ph_test`.
fn headline_cox(
    c: &mut Comparison,
    a: &[&FollowUp],
    b: &[&FollowUp],
    model: &Headline,
    ph_test: bool,
    config: &ValidConfig,
) -> Option<PhTest> {
    let all: Vec<&FollowUp> = a.iter().chain(b).copied().collect();
    let min = config.min_group_size();
    let options = FitOptions {
        ph_test,
        ..FitOptions::default()
    };
    let with_worked = FitOptions {
        worked_time: true,
        ..FitOptions::default()
    };
    // One after the other: each holds its own copy of the follow-ups,
    // sorted, while it runs, and these are the largest fits of the
    // analysis (peak memory falls here); the flags and the other half of
    // the analysis keep the other cores busy meanwhile.
    let headline = model.fit(&all, options);
    let worked = model.fit(&all, with_worked);
    let mut test = None;
    match headline {
        Ok((fit, tests)) => {
            c.cox = returner_term(&fit);
            c.cox_terms = fit.coefficients.iter().map(HazardRatio::from).collect();
            c.cox_error = None;
            test = tests.into_iter().find(|t| t.name == "returner");
        }
        Err(err) => {
            c.cox = None;
            c.cox_terms = Vec::new();
            c.cox_error = Some(err.to_string());
        }
    }
    match worked {
        // A fit with a term it cannot bound (an infinite or undefined
        // estimate or interval: monotone likelihood, as on a handful of
        // employees whose worked time separates who is promoted) is not
        // published; the reason is.
        Ok((fit, _))
            if fit.coefficients.iter().any(|t| {
                [t.hazard_ratio, t.hr_ci_lower, t.hr_ci_upper, t.p_value]
                    .iter()
                    .any(|v| !v.is_finite())
            }) =>
        {
            c.cox_worked_time_error = Some(
                "the model with worked time in grade cannot bound a term (monotone likelihood: too few promotions for this many covariates)".into(),
            );
        }
        Ok((fit, _)) => {
            c.cox_worked_time = returner_term(&fit);
            c.cox_worked_time_terms = fit.coefficients.iter().map(HazardRatio::from).collect();
        }
        Err(err) => c.cox_worked_time_error = Some(err.to_string()),
    }
    if model.symmetric {
        let of_gender = |female: bool| {
            let (ga, gb) = (
                a.iter().filter(|x| x.female == female).count(),
                b.iter().filter(|x| x.female == female).count(),
            );
            if ga < min || gb < min {
                return None;
            }
            let rows: Vec<&FollowUp> = all.iter().copied().filter(|x| x.female == female).collect();
            let one = FitOptions {
                one_gender: true,
                ..FitOptions::default()
            };
            model
                .fit(&rows, one)
                .ok()
                .and_then(|(f, _)| returner_term(&f))
        };
        let (m, f) = rayon::join(|| of_gender(true), || of_gender(false));
        c.cox_mothers = m;
        c.cox_fathers = f;
    }
    test
}

/// Cox covariate columns, leaving out those that are constant here (e.g.
/// `female` when every returner and peer is a woman): Cox cannot estimate
/// them.
pub(super) struct Design<'n> {
    pub(super) names: Vec<&'n str>,
    columns: Vec<Vec<f64>>,
}

impl<'n> Design<'n> {
    pub(super) fn new(columns: impl IntoIterator<Item = (&'n str, Vec<f64>)>) -> Design<'n> {
        let (names, columns) = columns
            .into_iter()
            .filter(|(_, v)| v.iter().any(|x| *x != v[0]))
            .unzip();
        Design { names, columns }
    }

    pub(super) fn slices(&self) -> Vec<&[f64]> {
        self.columns.iter().map(Vec::as_slice).collect()
    }
}

/// A covariate column: its value for a follow-up in the first group (`true`) or the reference.
type Covariate<'a> = &'a (dyn Fn(&FollowUp, bool) -> f64 + Sync);

fn compare(
    a: &[&FollowUp],
    b: &[&FollowUp],
    first: &str,
    covariates: Option<&[(&str, Covariate<'_>)]>,
    config: &ValidConfig,
) -> Comparison {
    let min = config.min_group_size();
    let shown = a.len() >= min && b.len() >= min;
    let level = config.confidence_level();
    let km = |v: &[&FollowUp]| {
        if v.len() < min {
            return None;
        }
        let d: Vec<f64> = v.iter().map(|x| x.months).collect();
        let e: Vec<bool> = v.iter().map(|x| x.promoted).collect();
        KaplanMeier::fit(&d, &e, None, level).ok()
    };
    let (km_a, km_b) = (km(a), km(b));
    let curve = |k: &Option<KaplanMeier>, v: &[&FollowUp]| {
        k.as_ref().map(|k| {
            // Event times only: censoring-only points do not move the curve.
            let pts: Vec<_> = k.points.iter().filter(|p| p.events > 0).collect();
            let last = v.iter().map(|x| x.months).fold(0.0, f64::max);
            Curve {
                months: pts.iter().map(|p| p.time).collect(),
                survival: pts.iter().map(|p| p.survival).collect(),
                ci_lower: pts.iter().map(|p| p.ci_lower).collect(),
                ci_upper: pts.iter().map(|p| p.ci_upper).collect(),
                at_risk: (0..)
                    .map(|i| i * 12)
                    .take_while(|&m| f64::from(m) <= last)
                    .map(|m| AtRisk {
                        months: m,
                        n: Count::new(
                            v.iter().filter(|x| x.months >= f64::from(m)).count() as u64,
                            min,
                        ),
                    })
                    .collect(),
            }
        })
    };
    let d: Vec<f64> = a.iter().chain(b).map(|x| x.months).collect();
    let e: Vec<bool> = a.iter().chain(b).map(|x| x.promoted).collect();
    let g: Vec<&str> = a.iter().map(|_| "a").chain(b.iter().map(|_| "b")).collect();
    let logrank_p_value = shown
        .then(|| logrank(&d, &e, &g).ok())
        .flatten()
        .map(|l| l.p_value);
    let (cox_terms, cox_error) = if shown {
        match covariates.map(|c| fit_cox(a, b, c, level)) {
            Some(Ok(terms)) => (terms, None),
            Some(Err(err)) => (Vec::new(), Some(err)),
            None => (Vec::new(), None),
        }
    } else {
        (
            Vec::new(),
            Some(format!("fewer than {min} follow-ups in a group")),
        )
    };
    let cox = cox_terms.iter().find(|c| c.covariate == first).cloned();
    Comparison {
        group_n: Count::new(a.len() as u64, min),
        reference_n: Count::new(b.len() as u64, min),
        group_median_months: km_a.as_ref().and_then(KaplanMeier::median),
        reference_median_months: km_b.as_ref().and_then(KaplanMeier::median),
        group_curve: curve(&km_a, a),
        reference_curve: curve(&km_b, b),
        logrank_p_value,
        cox,
        cox_terms,
        cox_error,
        cox_interaction_terms: Vec::new(),
        cox_mothers: None,
        cox_fathers: None,
        cox_worked_time: None,
        cox_worked_time_terms: Vec::new(),
        cox_worked_time_error: None,
        rates: [1, 2, 3]
            .iter()
            .map(|&y| compare_rates(a, b, y, config))
            .collect(),
    }
}

impl PromotionGap {
    /// Compares returners with their peers, mothers with fathers, and by department.
    pub(crate) fn new(ctx: &Context<'_>, sample: &PeerSample) -> PromotionGap {
        let (timelines, returns, config) = (ctx.timelines(), ctx.returns(), ctx.config());
        let min = config.min_group_size();
        let returners: Vec<&FollowUp> = sample.follow_ups.iter().filter(|x| x.returner).collect();
        let peers: Vec<&FollowUp> = sample.follow_ups.iter().filter(|x| !x.returner).collect();
        let headline = Headline::new(config);
        let diagnostics_on = config.diagnostics();
        // Returners against peers (the headline Cox fits) beside mothers
        // against fathers: independent of each other.
        let ((returners_vs_peers, ph_test), mothers_vs_fathers) = rayon::join(
            || {
                let mut returners_vs_peers = compare(&returners, &peers, "returner", None, config);
                let shown = returners.len() >= min && peers.len() >= min;
                let ph_test = if shown {
                    let f = |x: &FollowUp| f64::from(u8::from(x.female));
                    let returner = |x: &FollowUp, _| f64::from(u8::from(x.returner));
                    let female = |x: &FollowUp, _| f(x);
                    let grade = |x: &FollowUp, _| f64::from(x.grade);
                    let tenure = |x: &FollowUp, _| x.tenure_years;
                    let interaction = |x: &FollowUp, _| f64::from(u8::from(x.returner)) * f(x);
                    // The headline model, and (legacy design) the same with the
                    // returner × female interaction (there the `returner` term is
                    // the effect for men, so it is reported apart), side by side.
                    let (test, interaction_terms) = rayon::join(
                        || {
                            headline_cox(
                                &mut returners_vs_peers,
                                &returners,
                                &peers,
                                &headline,
                                diagnostics_on,
                                config,
                            )
                        },
                        || {
                            (!headline.symmetric).then(|| {
                                fit_cox(
                                    &returners,
                                    &peers,
                                    &[
                                        ("returner", &returner),
                                        ("female", &female),
                                        ("grade", &grade),
                                        ("tenure_years", &tenure),
                                        ("returner_x_female", &interaction),
                                    ],
                                    config.confidence_level(),
                                )
                            })
                        },
                    );
                    if returners_vs_peers.cox_error.is_none() {
                        returners_vs_peers.cox_interaction_terms =
                            interaction_terms.and_then(Result::ok).unwrap_or_default();
                    }
                    test
                } else {
                    None
                };
                (returners_vs_peers, ph_test)
            },
            || {
                let mothers: Vec<&FollowUp> =
                    returners.iter().copied().filter(|x| x.female).collect();
                let fathers: Vec<&FollowUp> = returners
                    .iter()
                    .copied()
                    .filter(|x| {
                        !x.female
                            && timelines
                                .get(x.employee)
                                .is_some_and(|t| t.employee().gender == Gender::Male)
                    })
                    .collect();
                compare(
                    &mothers,
                    &fathers,
                    "mother",
                    Some(&[
                        ("mother", &|_, a| f64::from(u8::from(a))),
                        ("grade", &|x, _| f64::from(x.grade)),
                        ("tenure_years", &|x, _| x.tenure_years),
                    ]),
                    config,
                )
            },
        );
        // By department of the returner at the index date.
        let mut by_dept: BTreeMap<String, (Vec<&FollowUp>, Vec<&FollowUp>)> = BTreeMap::new();
        let dept_of_return: HashMap<u32, String> = returners
            .iter()
            .filter_map(|x| {
                let r = returns.get(x.return_index as usize)?;
                Some((
                    x.return_index,
                    r.state_at_return()
                        .department
                        .as_deref()
                        .unwrap_or("(none)")
                        .to_string(),
                ))
            })
            .collect();
        for x in &sample.follow_ups {
            if let Some(d) = dept_of_return.get(&x.return_index) {
                let cell = by_dept.entry(d.clone()).or_default();
                if x.returner {
                    cell.0.push(x);
                } else {
                    cell.1.push(x);
                }
            }
        }
        let mut by_department: Vec<DepartmentGap> = by_dept
            .into_iter()
            .filter(|(_, (a, _))| a.len() >= min)
            .map(|(department, (a, b))| DepartmentGap {
                department,
                rates: compare_rates(&a, &b, 2, config),
                p_adjusted: None,
                significant: false,
            })
            .collect();
        let tested: Vec<usize> = (0..by_department.len())
            .filter(|&i| by_department[i].rates.fisher_p_value.is_some())
            .collect();
        let p: Vec<f64> = tested
            .iter()
            .filter_map(|&i| by_department[i].rates.fisher_p_value)
            .collect();
        if let Ok(adj) = benjamini_hochberg(&p) {
            for (&i, q) in tested.iter().zip(adj) {
                by_department[i].p_adjusted = Some(q);
                by_department[i].significant = q <= config.significance_level();
            }
        }
        PromotionGap {
            matching: if config.peers().design == PeerDesign::Symmetric {
                format!(
                    "exact grade and gender at the return date, at work and with no childcare leave yet that day, hire date within {} years, {}{} nearest peers with replacement; everyone censored at the start of their next childcare leave; Cox stratified by gender with cluster-robust variance by employee",
                    config.peer_tenure_band_years(),
                    if config.peer_same_department() { "same department, " } else { "" },
                    config.peers_per_return()
                )
            } else {
                format!(
                    "exact grade at the return date, hire date within {} years, {}{} nearest peers with replacement, no childcare leave ever",
                    config.peer_tenure_band_years(),
                    if config.peer_same_department() { "same department, " } else { "" },
                    config.peers_per_return()
                )
            },
            unmatched_returns: Count::new(sample.unmatched_returns as u64, min),
            diagnostics: diagnostics_on.then(|| {
                super::diagnostics::diagnose(
                    &returners,
                    &peers,
                    config,
                    &headline,
                    &returners_vs_peers,
                    ph_test,
                )
            }),
            returners_vs_peers,
            mothers_vs_fathers,
            by_department,
        }
    }
}
