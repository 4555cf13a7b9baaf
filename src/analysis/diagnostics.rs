//! Returners against peers beyond the headline Cox model: how far its
//! assumptions hold and what it leaves out (`promotion_gap.diagnostics` in
//! `report.json`).
//!
//! | figure | what it answers | method |
//! |---|---|---|
//! | `cox_robust` | the headline hazard ratio with an interval that allows for a peer serving several returns and a returner followed twice | [`CoxModel::fit_clustered`](crate::stats::CoxModel::fit_clustered) by employee (Lin & Wei 1989; lifelines `robust=True, cluster_col`): the headline model itself under the default design, a clustered refit of the legacy one |
//! | `proportional_hazards` | whether the returner effect changes with time since the return | [`CoxModel::fit_clustered_ph_test`](crate::stats::CoxModel::fit_clustered_ph_test), 1 − Kaplan–Meier time scale (R's `cox.zph` default), within strata; the same fit as `cox_robust` |
//! | `by_period` | when the gap opens and closes | the headline model (strata and robust variance included) fitted on each follow-up period (0–12, 12–24, 24–36, 36–60, 60+ months) with delayed entry at its start |
//! | `cumulative_incidence` | the share promoted within 1, 2 and 3 years when leaving first is a competing event | [`CumulativeIncidence`] (Aalen–Johansen; lifelines `AalenJohansenFitter`) |
//!
//! The difference of the two cumulative incidences takes the two samples
//! as independent (its variance is the sum of theirs); peers who serve
//! several returns make it somewhat narrow, as the model-based Cox interval
//! is. Every figure is withheld when either group has fewer follow-ups than
//! the minimum group size.

use super::gap::{returner_term, Comparison, FitOptions, HazardRatio, Headline};
use super::peers::FollowUp;
use crate::config::ValidConfig;
use crate::stats::{z_for, CumulativeIncidence, PhTest};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// The proportional-hazards test of the returner term.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PhCheck {
    /// χ² statistic (one degree of freedom).
    pub statistic: f64,
    /// Its p-value: small when the returner effect changes over follow-up.
    pub p_value: f64,
}

/// The returner hazard ratio within one follow-up period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PeriodHazardRatio {
    /// Start of the period, months since the return.
    pub from_months: f64,
    /// End of the period (`None`: open-ended).
    pub to_months: Option<f64>,
    /// The returner term of the headline model fitted on the period.
    pub hazard_ratio: Option<HazardRatio>,
}

/// One group's cumulative incidence of promotion at a horizon.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Incidence {
    /// Share promoted by the horizon (leaving first competes).
    pub estimate: f64,
    /// Lower confidence bound (log(−log) scale).
    pub ci_lower: Option<f64>,
    /// Upper confidence bound.
    pub ci_upper: Option<f64>,
}

/// Returners' and peers' cumulative incidence of promotion at one horizon.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IncidenceComparison {
    /// Years after the return.
    pub years: u32,
    /// Returners.
    pub group: Option<Incidence>,
    /// Matched peers.
    pub reference: Option<Incidence>,
    /// Returners − peers, with its normal-approximation interval.
    pub difference: Option<[f64; 3]>,
}

/// Everything in the module table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Diagnostics {
    /// The headline returner hazard ratio with cluster-robust variance by employee.
    pub cox_robust: Option<HazardRatio>,
    /// The proportional-hazards test of the returner term.
    pub proportional_hazards: Option<PhCheck>,
    /// The returner hazard ratio by follow-up period.
    pub by_period: Vec<PeriodHazardRatio>,
    /// Cumulative incidence of promotion within 1, 2 and 3 years.
    pub cumulative_incidence: Vec<IncidenceComparison>,
}

/// The follow-up periods of [`Diagnostics::by_period`], in months.
const PERIODS: [(f64, Option<f64>); 5] = [
    (0.0, Some(12.0)),
    (12.0, Some(24.0)),
    (24.0, Some(36.0)),
    (36.0, Some(60.0)),
    (60.0, None),
];

/// The diagnostics of returners (`a`) against their peers (`b`) under the
/// `headline` model, whose fit on them is in `fitted` (with its
/// proportional-hazards test of the returner term, `ph_test`).
pub(super) fn diagnose(
    a: &[&FollowUp],
    b: &[&FollowUp],
    config: &ValidConfig,
    headline: &Headline,
    fitted: &Comparison,
    ph_test: Option<PhTest>,
) -> Diagnostics {
    let min = config.min_group_size();
    let shown = a.len() >= min && b.len() >= min;
    let rows: Vec<&FollowUp> = a.iter().chain(b).copied().collect();
    let check = |t: PhTest| PhCheck {
        statistic: t.statistic,
        p_value: t.p_value,
    };
    // The headline model with robust variance and its test: the headline
    // fit itself when it is robust already; the periods and the incidences
    // run beside it.
    let ((cox_robust, proportional_hazards), (by_period, cumulative_incidence)) = rayon::join(
        || {
            if !shown {
                return (None, None);
            }
            if headline.is_robust() {
                return (fitted.cox.clone(), ph_test.map(check));
            }
            let options = FitOptions {
                robust: true,
                ph_test: true,
                ..FitOptions::default()
            };
            match headline.fit(&rows, options) {
                Ok((fit, tests)) => (
                    returner_term(&fit),
                    tests.into_iter().find(|t| t.name == "returner").map(check),
                ),
                Err(_) => (None, None),
            }
        },
        || {
            let by_period: Vec<PeriodHazardRatio> = PERIODS
                .par_iter()
                .map(|&(from, to)| PeriodHazardRatio {
                    from_months: from,
                    to_months: to,
                    hazard_ratio: period_fit(&rows, a.len(), from, to, headline, min),
                })
                .collect();
            (by_period, incidence(a, b, config, shown))
        },
    );
    Diagnostics {
        cox_robust,
        proportional_hazards,
        by_period,
        cumulative_incidence,
    }
}

/// The headline model on the follow-up from `from` to `to` months: who is
/// still followed at `from` enters then, and a promotion after `to` is
/// censored at `to`. `None` when either group has fewer than `min`
/// follow-ups in the period, or the model cannot be fitted there.
fn period_fit(
    rows: &[&FollowUp],
    returners: usize,
    from: f64,
    to: Option<f64>,
    headline: &Headline,
    min: usize,
) -> Option<HazardRatio> {
    let in_a = rows[..returners].iter().filter(|x| x.months > from).count();
    let in_b = rows[returners..].iter().filter(|x| x.months > from).count();
    if in_a < min || in_b < min {
        return None;
    }
    let options = FitOptions {
        window: Some((from, to)),
        ..FitOptions::default()
    };
    let (fit, _) = headline.fit(rows, options).ok()?;
    returner_term(&fit)
}

/// Cumulative incidence of promotion (cause 1) with leaving (cause 2)
/// competing, for returners and peers at 1, 2 and 3 years.
fn incidence(
    a: &[&FollowUp],
    b: &[&FollowUp],
    config: &ValidConfig,
    shown: bool,
) -> Vec<IncidenceComparison> {
    let level = config.confidence_level();
    let fit = |v: &[&FollowUp]| {
        let t: Vec<f64> = v.iter().map(|x| x.months).collect();
        let c: Vec<u32> = v
            .iter()
            .map(|x| {
                if x.promoted {
                    1
                } else if x.left {
                    2
                } else {
                    0
                }
            })
            .collect();
        CumulativeIncidence::fit(&t, &c, 1, level).ok()
    };
    let (fa, fb) = if shown {
        (fit(a), fit(b))
    } else {
        (None, None)
    };
    let z = z_for(level);
    [1u32, 2, 3]
        .iter()
        .map(|&years| {
            let months = f64::from(years) * 12.0;
            let at = |f: &Option<CumulativeIncidence>| {
                f.as_ref().map(|f| {
                    f.at(months).map_or((0.0, 0.0, None, None), |p| {
                        (p.estimate, p.variance, p.ci_lower, p.ci_upper)
                    })
                })
            };
            let (ia, ib) = (at(&fa), at(&fb));
            let incidence = |i: Option<(f64, f64, Option<f64>, Option<f64>)>| {
                i.map(|(estimate, _, ci_lower, ci_upper)| Incidence {
                    estimate,
                    ci_lower,
                    ci_upper,
                })
            };
            let difference = match (ia, ib) {
                (Some(x), Some(y)) => {
                    let d = x.0 - y.0;
                    let se = (x.1 + y.1).sqrt();
                    se.is_finite().then_some([d, d - z * se, d + z * se])
                }
                _ => None,
            };
            IncidenceComparison {
                years,
                group: incidence(ia),
                reference: incidence(ib),
                difference,
            }
        })
        .collect()
}
