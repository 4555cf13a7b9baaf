//! Returners against peers beyond the headline Cox model: how far its
//! assumptions hold and what it leaves out (`promotion_gap.diagnostics` in
//! `report.json`).
//!
//! | figure | what it answers | method |
//! |---|---|---|
//! | `cox_robust` | the headline hazard ratio with an interval that allows for a peer serving several returns and a returner followed twice | [`CoxModel::fit_clustered`] by employee (Lin & Wei 1989; lifelines `robust=True, cluster_col`) |
//! | `proportional_hazards` | whether the returner effect changes with time since the return | [`CoxModel::fit_ph_test`], 1 − Kaplan–Meier time scale (R's `cox.zph` default); the same fit as `cox_robust` |
//! | `by_period` | when the gap opens and closes | the headline model fitted on each follow-up period (0–12, 12–24, 24–36, 36–60, 60+ months) with delayed entry at its start |
//! | `cumulative_incidence` | the share promoted within 1, 2 and 3 years when leaving first is a competing event | [`CumulativeIncidence`] (Aalen–Johansen; lifelines `AalenJohansenFitter`) |
//!
//! The difference of the two cumulative incidences takes the two samples
//! as independent (its variance is the sum of theirs); peers who serve
//! several returns make it somewhat narrow, as the model-based Cox interval
//! is. Every figure is withheld when either group has fewer follow-ups than
//! the minimum group size.

use super::gap::{Design, HazardRatio};
use super::peers::FollowUp;
use crate::config::ValidConfig;
use crate::stats::{z_for, CoxModel, CumulativeIncidence, StatsError, TimeTransform};
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

/// The headline model's columns over `rows`: returner, female, grade and
/// tenure (constant ones left out).
fn design<'r>(rows: &[&FollowUp]) -> Design<'r> {
    type Column = (&'static str, fn(&FollowUp) -> f64);
    let all: [Column; 4] = [
        ("returner", |x| f64::from(u8::from(x.returner))),
        ("female", |x| f64::from(u8::from(x.female))),
        ("grade", |x| f64::from(x.grade)),
        ("tenure_years", |x| x.tenure_years),
    ];
    Design::new(all.map(|(name, f)| (name, rows.iter().map(|x| f(x)).collect())))
}

fn returner_term(fit: &crate::stats::CoxFit) -> Option<HazardRatio> {
    fit.coefficients
        .iter()
        .find(|c| c.name == "returner")
        .map(HazardRatio::from)
}

/// The diagnostics of returners (`a`) against their peers (`b`).
pub(crate) fn diagnose(a: &[&FollowUp], b: &[&FollowUp], config: &ValidConfig) -> Diagnostics {
    let min = config.min_group_size();
    let level = config.confidence_level();
    let shown = a.len() >= min && b.len() >= min;
    let rows: Vec<&FollowUp> = a.iter().chain(b).copied().collect();
    let model = CoxModel {
        level,
        ..CoxModel::default()
    };
    let months: Vec<f64> = rows.iter().map(|x| x.months).collect();
    let promoted: Vec<bool> = rows.iter().map(|x| x.promoted).collect();
    let design = design(&rows);
    // One fit gives the robust interval and the test; the periods and the
    // incidences run beside it.
    let clusters: Vec<u64> = rows.iter().map(|x| x.employee as u64).collect();
    let ((cox_robust, proportional_hazards), (by_period, cumulative_incidence)) = rayon::join(
        || {
            if !shown {
                return (None, None);
            }
            match model.fit_clustered_ph_test(
                &months,
                &promoted,
                &design.slices(),
                &design.names,
                Some(&clusters),
                TimeTransform::KaplanMeier,
            ) {
                Ok((fit, tests)) => (
                    returner_term(&fit),
                    tests
                        .into_iter()
                        .find(|t| t.name == "returner")
                        .map(|t| PhCheck {
                            statistic: t.statistic,
                            p_value: t.p_value,
                        }),
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
                    hazard_ratio: period_fit(&rows, a.len(), from, to, &model, min)
                        .ok()
                        .flatten(),
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
/// follow-ups in the period.
fn period_fit(
    rows: &[&FollowUp],
    returners: usize,
    from: f64,
    to: Option<f64>,
    model: &CoxModel,
    min: usize,
) -> Result<Option<HazardRatio>, StatsError> {
    let inside: Vec<usize> = (0..rows.len()).filter(|&i| rows[i].months > from).collect();
    let in_a = inside.iter().filter(|&&i| i < returners).count();
    if in_a < min || inside.len() - in_a < min {
        return Ok(None);
    }
    let end = to.unwrap_or(f64::INFINITY);
    let sub: Vec<&FollowUp> = inside.iter().map(|&i| rows[i]).collect();
    let durations: Vec<f64> = sub.iter().map(|x| x.months.min(end)).collect();
    let events: Vec<bool> = sub.iter().map(|x| x.promoted && x.months <= end).collect();
    let entry = vec![from; sub.len()];
    let design = design(&sub);
    let fit = model.fit_with_entry(
        (from > 0.0).then_some(entry.as_slice()),
        &durations,
        &events,
        &design.slices(),
        &design.names,
        None,
    )?;
    Ok(returner_term(&fit))
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
