//! Where involuntary flags concentrate: by manager and department (Fisher's
//! exact test, Benjamini–Hochberg adjusted), by return-year cohort, before
//! and after a policy date; with parental-leave uptake and the hours/ratings
//! comparison beside them.
//!
//! Fisher's exact test: Fisher, "On the interpretation of χ² from
//! contingency tables", J. R. Stat. Soc. 85 (1922); scipy's
//! `fisher_exact`. The false discovery rate: Benjamini & Hochberg,
//! "Controlling the false discovery rate", J. R. Stat. Soc. B 57 (1995);
//! statsmodels' `multipletests(method="fdr_bh")`.

use super::flags::Flag;
use super::Context;
use crate::config::ValidConfig;
use crate::dates::add_months;
use crate::schema::{EventKind, Gender};
use crate::stats::{benjamini_hochberg, mann_whitney_u, TwoByTwo};
use crate::suppress::Count;
use crate::timeline::Return;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Involuntary flag rate of one group of returns against all others.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GroupConcentration {
    /// Manager pseudonym (for `concentration.managers`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manager_id: Option<String>,
    /// Department (for `concentration.departments`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// Childcare returns in the group.
    pub returns: u64,
    /// Of which flagged involuntary.
    pub flagged: u64,
    /// Fisher's exact two-sided p-value, the group against all other
    /// returns; `None` when the test could not be computed.
    pub p_value: Option<f64>,
    /// Benjamini–Hochberg adjusted over the groups with a p-value; `None`
    /// when the group has none, or the adjustment failed (never the raw
    /// p-value under this name).
    pub p_adjusted: Option<f64>,
    /// `p_adjusted ≤ significance_level`.
    pub significant: bool,
}

/// Flag rates before and after a policy date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PolicyEffect {
    /// The policy date (returns on or after it are "after").
    pub date: NaiveDate,
    /// Returns before.
    pub returns_before: Count,
    /// Returns after.
    pub returns_after: Count,
    /// Involuntary flag rate before (`None` when suppressed).
    pub flag_rate_before: Option<f64>,
    /// Involuntary flag rate after.
    pub flag_rate_after: Option<f64>,
    /// Fisher's exact two-sided p-value.
    pub p_value: Option<f64>,
}

/// Flag rate in one return-year cohort.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CohortRate {
    /// Year of return.
    pub year: i32,
    /// Childcare returns.
    pub returns: Count,
    /// Of which flagged involuntary.
    pub flagged: Count,
    /// flagged ÷ returns.
    pub rate: Option<f64>,
}

/// Parental-leave uptake among parents (`child_birth`), all years.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ParentUptake {
    /// The gender.
    pub gender: Gender,
    /// Employees with a recorded birth.
    pub parents: Count,
    /// Of whom took maternity, paternity or parental leave.
    pub took_leave: Count,
    /// took_leave ÷ parents.
    pub rate: Option<f64>,
}

/// Whether lower ratings after return go with reduced hours at equal pre-leave rating.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct HoursAndRatings {
    /// Returns with reduced hours 12 months after return, and ratings before and after.
    pub reduced_hours: Count,
    /// Returns with full hours, and ratings before and after.
    pub full_hours: Count,
    /// Mean rating change (after − before), reduced hours.
    pub mean_change_reduced: Option<f64>,
    /// Mean rating change, full hours.
    pub mean_change_full: Option<f64>,
    /// Mann–Whitney two-sided p-value on the changes.
    pub p_value: Option<f64>,
}

/// Where flags concentrate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Concentration {
    /// Organisation-wide: childcare returns, involuntary flags, rate.
    pub returns: Count,
    /// Returns flagged involuntary.
    pub flagged_involuntary: Count,
    /// Returns flagged with an employee-initiated change only.
    pub flagged_employee_initiated: Count,
    /// Share of flagged structural changes that were employee-initiated (self-selection).
    pub employee_initiated_share: Option<f64>,
    /// Flags by kind (rows holding it).
    pub by_kind: BTreeMap<String, Count>,
    /// Managers with at least `min_group_size` returns.
    pub managers: Vec<GroupConcentration>,
    /// Departments with at least `min_group_size` returns.
    pub departments: Vec<GroupConcentration>,
    /// By return-year cohort.
    pub by_cohort: Vec<CohortRate>,
    /// Ratings against hours.
    pub hours_and_ratings: HoursAndRatings,
    /// Childcare-leave uptake among parents.
    pub parent_uptake: Vec<ParentUptake>,
}

/// What a group of returns is keyed by.
#[derive(Clone, Copy)]
enum GroupBy {
    /// The manager before the absence.
    Manager,
    /// The department before the absence.
    Department,
}

/// Involuntary flag rates of the groups with at least `min_group_size`
/// childcare returns, each against all other childcare returns (Fisher),
/// adjusted across groups (Benjamini–Hochberg).
fn concentration_of(
    by: GroupBy,
    returns: &[Return<'_>],
    involuntary: &[bool],
    config: &ValidConfig,
) -> Vec<GroupConcentration> {
    let mut cells: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    let (mut total, mut total_flagged) = (0u64, 0u64);
    for (i, r) in returns
        .iter()
        .enumerate()
        .filter(|(_, r)| r.absence.is_childcare())
    {
        total += 1;
        total_flagged += u64::from(involuntary[i]);
        let key = match by {
            GroupBy::Manager => r.manager(),
            GroupBy::Department => r.department(),
        };
        if let Some(k) = key {
            let c = cells.entry(k).or_default();
            c.0 += 1;
            c.1 += u64::from(involuntary[i]);
        }
    }
    let mut groups: Vec<GroupConcentration> = cells
        .into_iter()
        .filter(|(_, (n, _))| *n >= config.min_group_size() as u64)
        .map(|(k, (n, f))| {
            let (on, of) = (total - n, total_flagged - f);
            GroupConcentration {
                manager_id: matches!(by, GroupBy::Manager).then(|| k.to_string()),
                department: matches!(by, GroupBy::Department).then(|| k.to_string()),
                returns: n,
                flagged: f,
                p_value: TwoByTwo::new(f, n - f, of, on - of).fisher_exact_p().ok(),
                p_adjusted: None,
                significant: false,
            }
        })
        .collect();
    // Adjusted over the groups that have a p-value; a failed adjustment
    // leaves every adjusted value empty rather than relabelling raw ones.
    let p: Vec<f64> = groups.iter().filter_map(|g| g.p_value).collect();
    if let Ok(adjusted) = benjamini_hochberg(&p) {
        let mut adjusted = adjusted.into_iter();
        for g in groups.iter_mut().filter(|g| g.p_value.is_some()) {
            g.p_adjusted = adjusted.next();
            g.significant = g
                .p_adjusted
                .is_some_and(|q| q <= config.significance_level());
        }
    }
    groups
}

impl Concentration {
    /// Computes every concentration figure.
    pub(crate) fn new(ctx: &Context<'_>, flags: &[Flag]) -> Concentration {
        let (timelines, returns, config, as_of) =
            (ctx.timelines(), ctx.returns(), ctx.config(), ctx.as_of());
        let min = config.min_group_size();
        let involuntary = involuntary_by_return(returns.len(), flags);
        let mut voluntary_only = 0u64;
        let mut by_kind: BTreeMap<String, u64> = BTreeMap::new();
        for f in flags {
            voluntary_only += u64::from(f.employee_initiated);
            for k in &f.kinds {
                *by_kind.entry(k.as_str().into()).or_default() += 1;
            }
        }
        // Self-selection: of the structural changes behind flags, the share the employee asked for.
        let mut structural = 0u64;
        let mut asked = 0u64;
        for f in flags {
            if f.kinds.iter().any(|k| k.is_structural()) {
                structural += 1;
                asked += u64::from(f.employee_initiated);
            }
        }
        let childcare = returns.iter().filter(|r| r.absence.is_childcare()).count() as u64;
        let flagged = involuntary.iter().filter(|x| **x).count() as u64;
        let managers = concentration_of(GroupBy::Manager, returns, &involuntary, config);
        let departments = concentration_of(GroupBy::Department, returns, &involuntary, config);
        let mut cohorts: BTreeMap<i32, (u64, u64)> = BTreeMap::new();
        for (i, r) in returns
            .iter()
            .enumerate()
            .filter(|(_, r)| r.absence.is_childcare())
        {
            let c = cohorts.entry(r.return_date.year()).or_default();
            c.0 += 1;
            c.1 += u64::from(involuntary[i]);
        }
        let by_cohort = cohorts
            .into_iter()
            .map(|(year, (n, f))| CohortRate {
                year,
                returns: Count::new(n, min),
                flagged: Count::new(f, min),
                rate: (n >= min as u64).then(|| f as f64 / n as f64),
            })
            .collect();
        // Ratings and hours, childcare returns with ratings on both sides.
        let (mut reduced, mut full) = (Vec::new(), Vec::new());
        for r in returns.iter().filter(|r| r.absence.is_childcare()) {
            let Some(pre) = r.absence.pre_leave_mean_rating() else {
                continue;
            };
            let at = add_months(r.return_date, 12);
            if at > r.observed_until(as_of) {
                continue;
            }
            let post = r.post_return_ratings(config, as_of);
            if post.is_empty() {
                continue;
            }
            let change = post.iter().sum::<f64>() / post.len() as f64 - pre;
            if r.timeline.state_on(at).weekly_hours < r.absence.pre_leave.weekly_hours {
                reduced.push(change);
            } else {
                full.push(change);
            }
        }
        let mean = |v: &[f64]| {
            (v.len() >= min && !v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
        };
        let hours_and_ratings = HoursAndRatings {
            reduced_hours: Count::new(reduced.len() as u64, min),
            full_hours: Count::new(full.len() as u64, min),
            mean_change_reduced: mean(&reduced),
            mean_change_full: mean(&full),
            p_value: (reduced.len() >= min && full.len() >= min)
                .then(|| mann_whitney_u(&reduced, &full).ok().map(|m| m.p_value))
                .flatten(),
        };
        let parent_uptake = [Gender::Female, Gender::Male]
            .into_iter()
            .map(|g| {
                let (mut parents, mut took) = (0u64, 0u64);
                for t in timelines.iter().filter(|t| t.employee().gender == g) {
                    if t.events()
                        .iter()
                        .any(|e| matches!(e.kind, EventKind::ChildBirth))
                    {
                        parents += 1;
                        took += u64::from(t.has_childcare_leave());
                    }
                }
                ParentUptake {
                    gender: g,
                    parents: Count::new(parents, min),
                    took_leave: Count::new(took, min),
                    rate: (parents >= min as u64).then(|| took as f64 / parents as f64),
                }
            })
            .collect();
        Concentration {
            returns: Count::new(childcare, min),
            flagged_involuntary: Count::new(flagged, min),
            flagged_employee_initiated: Count::new(voluntary_only, min),
            employee_initiated_share: (structural >= min as u64)
                .then(|| asked as f64 / structural as f64),
            by_kind: by_kind
                .into_iter()
                .map(|(k, n)| (k, Count::new(n, min)))
                .collect(),
            managers,
            departments,
            by_cohort,
            hours_and_ratings,
            parent_uptake,
        }
    }
}

/// For each of `returns` returns, whether its flag is involuntary.
fn involuntary_by_return(returns: usize, flags: &[Flag]) -> Vec<bool> {
    let mut involuntary = vec![false; returns];
    for f in flags {
        if let Some(slot) = involuntary.get_mut(f.return_index) {
            *slot = f.is_involuntary();
        }
    }
    involuntary
}

/// Compares involuntary flag rates of childcare returns before and after `date`.
pub(crate) fn policy_effect(ctx: &Context<'_>, date: NaiveDate, flags: &[Flag]) -> PolicyEffect {
    let (returns, config) = (ctx.returns(), ctx.config());
    let min = config.min_group_size() as u64;
    let involuntary = involuntary_by_return(returns.len(), flags);
    let (mut nb, mut fb, mut na, mut fa) = (0u64, 0u64, 0u64, 0u64);
    for (i, r) in returns
        .iter()
        .enumerate()
        .filter(|(_, r)| r.absence.is_childcare())
    {
        if r.return_date < date {
            nb += 1;
            fb += u64::from(involuntary[i]);
        } else {
            na += 1;
            fa += u64::from(involuntary[i]);
        }
    }
    let shown = nb >= min && na >= min;
    PolicyEffect {
        date,
        returns_before: Count::new(nb, min as usize),
        returns_after: Count::new(na, min as usize),
        flag_rate_before: (nb >= min).then(|| fb as f64 / nb as f64),
        flag_rate_after: (na >= min).then(|| fa as f64 / na as f64),
        p_value: shown
            .then(|| {
                TwoByTwo::new(fa, na - fa, fb, nb - fb)
                    .fisher_exact_p()
                    .ok()
            })
            .flatten(),
    }
}
