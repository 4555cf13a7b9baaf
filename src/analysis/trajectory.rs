//! Return-to-work trajectories: what happens after each return from an absence.
//!
//! For every absence the employee came back from, [`Trajectory`] reads the
//! state at each horizon (default 6, 12, 24 and 36 months after the return
//! date) against the pre-leave state (the day before the absence): grade,
//! responsibility, track rank, regular → non-regular, weekly hours, salary
//! and mean rating. A horizon after the analysis date or after the employee
//! left is *not observed* and is left out of that horizon's figures;
//! retention uses Kaplan–Meier on the time from return to exit (censored at
//! the analysis date), so that recent returns are not dropped. Time to the
//! first promotion (a grade increase) is measured from the return, censored
//! at exit or the analysis date.
//!
//! [`TrajectorySummary`] aggregates the trajectories by leave kind × gender,
//! by department and by return-year cohort, with GRI 401-3's return and
//! retention rates by gender; every count obeys small-cell suppression and no
//! employee id appears in it.
//!
//! Months are calendar months (`chrono`'s `checked_add_months`); durations in
//! months are days ÷ 30.4375.

use super::Context;
use crate::config::ValidConfig;
use crate::dates::{add_months, months_between};
use crate::schema::Gender;
use crate::stats::KaplanMeier;
use crate::suppress::share;
use crate::suppress::Count;
use crate::timeline::Return;
use crate::timeline::{AbsenceEnd, State};
use chrono::{Datelike, NaiveDate};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The state at one horizon after a return, against the pre-leave state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Snapshot {
    /// Months after return.
    pub months: u32,
    /// `false` when the horizon is after the analysis date or after the employee left.
    pub observed: bool,
    /// Grade then − grade before the absence.
    pub grade_change: i64,
    /// Responsibility then − before.
    pub responsibility_change: i64,
    /// Track rank then − before (`None` when either track is not in `track_order`).
    pub track_change: Option<i64>,
    /// Regular before, non-regular then.
    pub became_non_regular: bool,
    /// Weekly hours then − before.
    pub hours_change: f64,
    /// Salary then ÷ before − 1 (`None` without both salaries or with a zero salary before).
    pub salary_change: Option<f64>,
    /// Mean rating from the return to the horizon − pre-leave mean (`None` without both).
    pub rating_change: Option<f64>,
}

/// What happened after one return.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Trajectory {
    /// First day back.
    pub return_date: NaiveDate,
    /// Whether the absence held maternity, paternity or parental leave.
    pub childcare: bool,
    /// The returner's gender.
    pub gender: Gender,
    /// Department before the absence.
    pub department: Option<String>,
    /// Months from return to exit, or to the analysis date when still employed.
    pub months_to_exit: f64,
    /// Whether the employee left (else censored).
    pub exited: bool,
    /// Months from return to the first promotion, or to exit / the analysis date.
    pub months_to_promotion: f64,
    /// Whether promoted (else censored).
    pub promoted: bool,
    /// One snapshot per configured horizon.
    pub snapshots: Vec<Snapshot>,
}

impl Trajectory {
    /// Reads the trajectory of one return.
    pub fn of(ret: &Return<'_>, config: &ValidConfig, as_of: NaiveDate) -> Trajectory {
        let before = &ret.absence.pre_leave;
        let until = ret.observed_until(as_of);
        let exit = ret.timeline.employee().exit_date.filter(|x| *x <= as_of);
        let promotion = ret.first_promotion(until);
        let pre_rating = ret.absence.pre_leave_mean_rating();
        let rank = |s: &State| s.track.as_deref().and_then(|t| config.track_rank(t));
        let mut walk = ret.timeline.walk();
        let snapshots = config
            .horizons_months()
            .iter()
            .map(|&m| {
                let at = add_months(ret.return_date, m);
                let then = walk.state_on(at);
                let ratings = ret.timeline.ratings_between(ret.return_date, at);
                let post_rating = (!ratings.is_empty())
                    .then(|| ratings.iter().sum::<f64>() / ratings.len() as f64);
                Snapshot {
                    months: m,
                    observed: at <= until,
                    grade_change: i64::from(then.grade) - i64::from(before.grade),
                    responsibility_change: i64::from(then.responsibility)
                        - i64::from(before.responsibility),
                    track_change: rank(then)
                        .zip(rank(before))
                        .map(|(a, b)| a as i64 - b as i64),
                    became_non_regular: before.employment_type.is_regular()
                        && !then.employment_type.is_regular(),
                    hours_change: then.weekly_hours - before.weekly_hours,
                    salary_change: match (then.salary, before.salary) {
                        (Some(a), Some(b)) if b > 0.0 => Some(a / b - 1.0),
                        _ => None,
                    },
                    rating_change: post_rating.zip(pre_rating).map(|(a, b)| a - b),
                }
            })
            .collect();
        Trajectory {
            return_date: ret.return_date,
            childcare: ret.absence.is_childcare(),
            gender: ret.gender(),
            department: ret.department().map(str::to_string),
            months_to_exit: months_between(
                ret.return_date,
                exit.unwrap_or(as_of).max(ret.return_date),
            ),
            exited: exit.is_some(),
            months_to_promotion: months_between(
                ret.return_date,
                promotion.unwrap_or(until).max(ret.return_date),
            ),
            promoted: promotion.is_some(),
            snapshots,
        }
    }
}

/// Retention at one horizon: Kaplan–Meier probability of still being employed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Retention {
    /// Months after return.
    pub months: u32,
    /// S(months) on time from return to exit.
    pub retained: Option<f64>,
    /// Lower confidence bound.
    pub ci_lower: Option<f64>,
    /// Upper confidence bound.
    pub ci_upper: Option<f64>,
}

/// Changes seen at one horizon, among the returns observed that long.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct HorizonChanges {
    /// Months after return.
    pub months: u32,
    /// Returns observed at this horizon.
    pub observed: Count,
    /// With a lower grade than before the absence.
    pub grade_lower: Count,
    /// With a lower responsibility level.
    pub responsibility_lower: Count,
    /// On a less senior track.
    pub track_lower: Count,
    /// Regular before, non-regular now.
    pub became_non_regular: Count,
    /// Working fewer weekly hours.
    pub hours_reduced: Count,
    /// With a higher grade (promoted since).
    pub grade_higher: Count,
    /// Mean salary change, as a fraction (`None` when suppressed or unknown).
    pub mean_salary_change: Option<f64>,
    /// Mean rating change against the pre-leave mean.
    pub mean_rating_change: Option<f64>,
}

/// Aggregate trajectories of one group of returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TrajectoryGroup {
    /// What the group is, e.g. `childcare/F`, `department/D03`, `cohort/2021`.
    pub group: String,
    /// Returns in it.
    pub returns: Count,
    /// Retention at each horizon.
    pub retention: Vec<Retention>,
    /// Changes at each horizon.
    pub at_horizon: Vec<HorizonChanges>,
    /// Kaplan–Meier median months from return to first promotion (`None` when not reached or suppressed).
    pub median_months_to_promotion: Option<f64>,
}

/// GRI 401-3 return-to-work figures for one gender (childcare leave).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ReturnToWork {
    /// The gender.
    pub gender: Gender,
    /// Employees who took maternity, paternity or parental leave.
    pub took_leave: Count,
    /// Of those, employees who came back from it.
    pub returned: Count,
    /// returned ÷ took leave.
    pub return_rate: Option<f64>,
    /// Returns with 12 months observed since.
    pub observed_12_months: Count,
    /// Of those, still employed 12 months after return.
    pub retained_12_months: Count,
    /// retained ÷ observed.
    pub retention_rate_12_months: Option<f64>,
}

/// Trajectories aggregated for the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TrajectorySummary {
    /// Horizons, months after return.
    pub horizons_months: Vec<u32>,
    /// GRI 401-3 figures by gender.
    pub return_to_work: Vec<ReturnToWork>,
    /// By leave kind (`childcare` or `other`) and gender.
    pub by_leave_and_gender: Vec<TrajectoryGroup>,
    /// Childcare returns by department before the absence.
    pub by_department: Vec<TrajectoryGroup>,
    /// Childcare returns by year of return.
    pub by_cohort: Vec<TrajectoryGroup>,
}

/// [`group`] of each cell, in key order, cells in parallel.
fn groups<K: Send>(
    cells: BTreeMap<K, Vec<&Trajectory>>,
    config: &ValidConfig,
    name: impl Fn(&K) -> String + Sync,
) -> Vec<TrajectoryGroup> {
    let cells: Vec<(K, Vec<&Trajectory>)> = cells.into_iter().collect();
    cells
        .into_par_iter()
        .map(|(k, items)| group(name(&k), &items, config))
        .collect()
}

fn group(name: String, items: &[&Trajectory], config: &ValidConfig) -> TrajectoryGroup {
    let min = config.min_group_size();
    let n = items.len();
    let shown = n >= min;
    let level = config.confidence_level();
    let km_exit = shown
        .then(|| {
            let d: Vec<f64> = items.iter().map(|t| t.months_to_exit).collect();
            let e: Vec<bool> = items.iter().map(|t| t.exited).collect();
            KaplanMeier::fit(&d, &e, None, level).ok()
        })
        .flatten();
    let retention = config
        .horizons_months()
        .iter()
        .map(|&m| {
            let point = km_exit.as_ref().map(|km| {
                let k = km.points.partition_point(|p| p.time <= f64::from(m));
                if k == 0 {
                    (1.0, 1.0, 1.0)
                } else {
                    let p = &km.points[k - 1];
                    (p.survival, p.ci_lower, p.ci_upper)
                }
            });
            Retention {
                months: m,
                retained: point.map(|p| p.0),
                ci_lower: point.map(|p| p.1),
                ci_upper: point.map(|p| p.2),
            }
        })
        .collect();
    let at_horizon = config
        .horizons_months()
        .iter()
        .enumerate()
        .map(|(h, &m)| {
            let obs: Vec<&Snapshot> = items
                .iter()
                .map(|t| &t.snapshots[h])
                .filter(|s| s.observed)
                .collect();
            let c = |f: &dyn Fn(&Snapshot) -> bool| {
                Count::new(obs.iter().filter(|s| f(s)).count() as u64, min)
            };
            let mean = |f: &dyn Fn(&Snapshot) -> Option<f64>| {
                let v: Vec<f64> = obs.iter().filter_map(|s| f(s)).collect();
                (v.len() >= min && !v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
            };
            HorizonChanges {
                months: m,
                observed: Count::new(obs.len() as u64, min),
                grade_lower: c(&|s| s.grade_change < 0),
                responsibility_lower: c(&|s| s.responsibility_change < 0),
                track_lower: c(&|s| s.track_change.is_some_and(|x| x < 0)),
                became_non_regular: c(&|s| s.became_non_regular),
                hours_reduced: c(&|s| s.hours_change < 0.0),
                grade_higher: c(&|s| s.grade_change > 0),
                mean_salary_change: mean(&|s| s.salary_change),
                mean_rating_change: mean(&|s| s.rating_change),
            }
        })
        .collect();
    let median = shown
        .then(|| {
            let d: Vec<f64> = items.iter().map(|t| t.months_to_promotion).collect();
            let e: Vec<bool> = items.iter().map(|t| t.promoted).collect();
            KaplanMeier::fit(&d, &e, None, level).ok()?.median()
        })
        .flatten();
    TrajectoryGroup {
        group: name,
        returns: Count::new(n as u64, min),
        retention,
        at_horizon,
        median_months_to_promotion: median,
    }
}

impl TrajectorySummary {
    /// Aggregates the trajectories of `returns`.
    pub fn new(ctx: &Context<'_>, trajectories: &[Trajectory]) -> TrajectorySummary {
        let (returns, config, as_of) = (ctx.returns(), ctx.config(), ctx.as_of());
        let min = config.min_group_size();
        let mut by_lg: BTreeMap<(bool, Gender), Vec<&Trajectory>> = BTreeMap::new();
        let mut by_dept: BTreeMap<String, Vec<&Trajectory>> = BTreeMap::new();
        let mut by_cohort: BTreeMap<i32, Vec<&Trajectory>> = BTreeMap::new();
        for t in trajectories {
            by_lg.entry((!t.childcare, t.gender)).or_default().push(t);
            if t.childcare {
                by_dept
                    .entry(t.department.clone().unwrap_or_else(|| "(none)".into()))
                    .or_default()
                    .push(t);
                by_cohort.entry(t.return_date.year()).or_default().push(t);
            }
        }
        // GRI 401-3 by gender, in persons: each parent's gender and whether
        // any childcare absence ended in a return (timelines in parallel).
        let parents: Vec<(Gender, bool)> = ctx
            .timelines()
            .par_iter()
            .enumerate()
            .filter_map(|(i, t)| {
                let mut childcare = ctx
                    .absences_of(i)
                    .iter()
                    .filter(|a| a.is_childcare())
                    .peekable();
                childcare.peek()?;
                let back = childcare.any(|a| a.end == AbsenceEnd::Returned);
                Some((t.employee().gender, back))
            })
            .collect();
        let mut rtw = Vec::new();
        for gender in [Gender::Female, Gender::Male] {
            let took = parents.iter().filter(|p| p.0 == gender).count() as u64;
            let came_back = parents.iter().filter(|p| p.0 == gender && p.1).count() as u64;
            let mut observed = 0u64;
            let mut retained = 0u64;
            for r in returns
                .iter()
                .filter(|r| r.gender() == gender && r.absence.is_childcare())
            {
                let at = add_months(r.return_date, 12);
                if at <= as_of {
                    observed += 1;
                    retained += u64::from(r.timeline.employed_on(at));
                }
            }
            rtw.push(ReturnToWork {
                gender,
                took_leave: Count::new(took, min),
                returned: Count::new(came_back, min),
                return_rate: share(came_back, took, min),
                observed_12_months: Count::new(observed, min),
                retained_12_months: Count::new(retained, min),
                retention_rate_12_months: share(retained, observed, min),
            });
        }
        TrajectorySummary {
            horizons_months: config.horizons_months().to_vec(),
            return_to_work: rtw,
            by_leave_and_gender: groups(by_lg, config, |(other, g)| {
                let kind = if *other { "other" } else { "childcare" };
                format!("{kind}/{g}")
            }),
            by_department: groups(by_dept, config, |d| format!("department/{d}")),
            by_cohort: groups(by_cohort, config, |y| format!("cohort/{y}")),
        }
    }
}
