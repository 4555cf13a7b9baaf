//! Where involuntary flags concentrate: by manager and department, by
//! return-year cohort, before and after a policy date; with parental-leave
//! uptake and the hours/ratings comparison beside them.
//!
//! # Managers and departments: excess over what their returns lead to expect
//!
//! The flag rate differs by when and where a return happens (it falls after
//! a policy takes effect, and differs by grade), so a manager whose returns
//! fall mostly before the policy date would look worse than she is against
//! the plain rest of the organisation. Each group's returns are therefore
//! stratified by **return period** (before / on or after the configured
//! policy date; the calendar year of the return when none is configured)
//! **gender** (mothers and fathers meet the mommy track at very different
//! rates, so a manager with more fathers among her returners would
//! otherwise look better than she is) and **grade on the return date**, and
//! compared with what the same returns would give at their strata's flag
//! rates:
//!
//! | figure | method | source | reproduces |
//! |---|---|---|---|
//! | `expected`, `excess` | Σ over strata of the group's returns × the stratum's flag rate; observed − expected | indirect standardisation | — |
//! | `p_value` | one-sided exact conditional test of more flags than expected: the group's flags in each stratum are hypergeometric given the stratum's margins; the p-value is the upper tail of their sum | Mehta, Patel & Gray, JASA 80 (1985); R's `mantelhaen.test(exact = TRUE, alternative = "greater")` | scipy `fisher_exact(alternative="greater")` with one stratum, scipy `hypergeom` convolved over several (`tests/reference/make_excess_golden.py`) |
//! | `p_adjusted`, `significant` | false discovery rate across the groups tested | Benjamini & Hochberg, JRSS B 57 (1995) | statsmodels `multipletests(method="fdr_bh")` |
//! | `shrunken_ratio` | observed ÷ expected shrunk towards the pooled ratio, for ranking | Marshall, Applied Statistics 40 (1991); Clayton & Kaldor, Biometrics 43 (1987) | worked by hand |
//!
//! A group with fewer flags than expected is never significant: the test
//! is one-sided. The policy comparison itself uses Fisher's exact test,
//! two-sided (Fisher, J. R. Stat. Soc. 85, 1922; scipy's `fisher_exact`).

use super::flags::Flag;
use super::Context;
use crate::config::ValidConfig;
use crate::dates::add_months;
use crate::schema::{EventKind, Gender};
use crate::stats::{
    benjamini_hochberg, excess_test, mann_whitney_u, shrink_ratios, Stratum, TwoByTwo,
};
use crate::suppress::Count;
use crate::timeline::{Return, Timeline};
use chrono::{Datelike, NaiveDate};
use rayon::prelude::*;
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
    pub returns: Count,
    /// Of which flagged involuntary.
    pub flagged: Count,
    /// One-sided exact p-value of more flags than expected, conditional on
    /// the strata (return period × gender × grade; see [`Concentration`]); `None`
    /// when the test could not be computed.
    pub p_value: Option<f64>,
    /// Benjamini–Hochberg adjusted over the groups with a p-value; `None`
    /// when the group has none, or the adjustment failed (never the raw
    /// p-value under this name).
    pub p_adjusted: Option<f64>,
    /// `p_adjusted ≤ significance_level`: more flags than expected, beyond
    /// chance across all groups tested.
    pub significant: bool,
    /// Flags expected from the group's returns: Σ over strata of its returns
    /// × the stratum's flag rate.
    pub expected: Option<f64>,
    /// flagged − expected.
    pub excess: Option<f64>,
    /// flagged ÷ expected, shrunk towards the pooled ratio by empirical
    /// Bayes (Marshall 1991): the figure to rank groups by, since a group
    /// with few returns does not top it by chance.
    pub shrunken_ratio: Option<f64>,
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
    /// Returns before flagged involuntary.
    #[serde(default = "withheld")]
    pub flagged_before: Count,
    /// Returns after flagged involuntary.
    #[serde(default = "withheld")]
    pub flagged_after: Count,
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
    /// Flags with a structural change (a drop in responsibility, track or
    /// grade, or a conversion to non-regular work).
    #[serde(default = "withheld")]
    pub structural: Count,
    /// Of which employee-initiated.
    #[serde(default = "withheld")]
    pub structural_employee_initiated: Count,
    /// Share of flagged structural changes that were employee-initiated
    /// (self-selection): `structural_employee_initiated ÷ structural`.
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
    /// Childcare returns and involuntary flags by (department, manager),
    /// for the listed departments and managers: read by the publication
    /// step alone (the ledger's department = Σ its managers relations),
    /// never printed in the report.
    #[serde(
        default,
        skip_serializing_if = "crate::suppress::not_raw",
        rename = "department_managers"
    )]
    pub(crate) pairs: Vec<(String, String, u64, u64)>,
    /// How many returns the promotion-stall test judged.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub stall: Option<super::stall::StallSummary>,
}

fn withheld() -> Count {
    Count::published(None)
}

/// What a group of returns is keyed by.
#[derive(Clone, Copy)]
enum GroupBy {
    /// The manager before the absence.
    Manager,
    /// The department before the absence.
    Department,
}

/// Involuntary flags of the groups with at least `min_group_size`
/// childcare returns against what their mix of returns leads to expect:
/// the returns are stratified by return period (before / after the policy
/// date when one is configured, else the calendar year of the return),
/// gender, and the grade held on the return date; within each stratum a group's
/// expected flags are its returns × the stratum's flag rate. Each group is
/// tested one-sided for more flags than expected, exactly and conditionally
/// on the strata ([`excess_test`]), the p-values adjusted across groups
/// (Benjamini–Hochberg), and the observed ÷ expected ratios shrunk towards
/// the pooled ratio ([`shrink_ratios`]) for ranking.
fn concentration_of(
    by: GroupBy,
    returns: &[Return<'_>],
    involuntary: &[bool],
    config: &ValidConfig,
) -> Vec<GroupConcentration> {
    let policy = config.policy_date();
    let min = config.min_group_size();
    let stratum_of = |r: &Return<'_>| {
        let period = match policy {
            Some(date) => i32::from(r.return_date >= date),
            None => r.return_date.year(),
        };
        let gender = match r.timeline.employee().gender {
            Gender::Female => 0u8,
            Gender::Male => 1,
            _ => 2,
        };
        (period, gender, r.state_at_return().grade)
    };
    // (period, gender, grade) -> (returns, flagged), over everyone and per group.
    type ByStratum = BTreeMap<(i32, u8, u32), (u64, u64)>;
    let mut strata: ByStratum = BTreeMap::new();
    let mut cells: BTreeMap<&str, ByStratum> = BTreeMap::new();
    for (i, r) in returns
        .iter()
        .enumerate()
        .filter(|(_, r)| r.absence.is_childcare())
    {
        let s = stratum_of(r);
        let flagged = u64::from(involuntary[i]);
        let t = strata.entry(s).or_default();
        t.0 += 1;
        t.1 += flagged;
        let key = match by {
            GroupBy::Manager => r.manager(),
            GroupBy::Department => r.department(),
        };
        if let Some(k) = key {
            let c = cells.entry(k).or_default().entry(s).or_default();
            c.0 += 1;
            c.1 += flagged;
        }
    }
    let cells: Vec<(&str, ByStratum)> = cells
        .into_iter()
        .filter(|(_, c)| c.values().map(|x| x.0).sum::<u64>() >= config.min_group_size() as u64)
        .collect();
    // Each group's exact test in parallel (`collect` keeps the order).
    let (flagged_of, mut groups): (Vec<u64>, Vec<GroupConcentration>) = cells
        .into_par_iter()
        .map(|(k, c)| {
            let tables: Vec<Stratum> = c
                .iter()
                .map(|(s, (n, f))| {
                    let (total, events) = strata[s];
                    Stratum {
                        total,
                        events,
                        unit: *n,
                        unit_events: *f,
                    }
                })
                .collect();
            let test = excess_test(&tables).ok();
            let flagged = c.values().map(|x| x.1).sum();
            let group = GroupConcentration {
                manager_id: matches!(by, GroupBy::Manager).then(|| k.to_string()),
                department: matches!(by, GroupBy::Department).then(|| k.to_string()),
                returns: Count::new(c.values().map(|x| x.0).sum(), min),
                flagged: Count::new(flagged, min),
                p_value: test.map(|t| t.p_value),
                p_adjusted: None,
                significant: false,
                expected: test.map(|t| t.expected),
                excess: test.map(|t| t.excess),
                shrunken_ratio: None,
            };
            (flagged, group)
        })
        .unzip();
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
    let tested: Vec<usize> = (0..groups.len())
        .filter(|&i| groups[i].expected.is_some())
        .collect();
    let observed: Vec<u64> = tested.iter().map(|&i| flagged_of[i]).collect();
    let expected: Vec<f64> = tested.iter().filter_map(|&i| groups[i].expected).collect();
    if let Ok(shrunk) = shrink_ratios(&observed, &expected) {
        for (&i, r) in tested.iter().zip(shrunk) {
            groups[i].shrunken_ratio = Some(r);
        }
    }
    groups
}

/// Ratings and hours: the change in mean rating over the first year back of
/// each childcare return with ratings on both sides, split by whether her
/// hours a year on are below those before the leave. Each return is read
/// in parallel; the changes are kept in return order, so the means sum
/// them as one pass in order would.
fn hours_and_ratings(
    returns: &[Return<'_>],
    config: &ValidConfig,
    as_of: NaiveDate,
) -> HoursAndRatings {
    let min = config.min_group_size();
    let changes: Vec<Option<(bool, f64)>> = returns
        .par_iter()
        .map(|r| {
            if !r.absence.is_childcare() {
                return None;
            }
            let pre = r.absence.pre_leave_mean_rating()?;
            let at = add_months(r.return_date, 12);
            if at > r.observed_until(as_of) {
                return None;
            }
            let post = r.post_return_ratings(config, as_of);
            if post.is_empty() {
                return None;
            }
            let change = post.iter().sum::<f64>() / post.len() as f64 - pre;
            let reduced = r.timeline.state_on(at).weekly_hours < r.absence.pre_leave.weekly_hours;
            Some((reduced, change))
        })
        .collect();
    let (mut reduced, mut full) = (Vec::new(), Vec::new());
    for (is_reduced, change) in changes.into_iter().flatten() {
        if is_reduced {
            reduced.push(change);
        } else {
            full.push(change);
        }
    }
    let mean = |v: &[f64]| {
        (v.len() >= min && !v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
    };
    HoursAndRatings {
        reduced_hours: Count::new(reduced.len() as u64, min),
        full_hours: Count::new(full.len() as u64, min),
        mean_change_reduced: mean(&reduced),
        mean_change_full: mean(&full),
        p_value: (reduced.len() >= min && full.len() >= min)
            .then(|| mann_whitney_u(&reduced, &full).ok().map(|m| m.p_value))
            .flatten(),
    }
}

/// Of the women and of the men with a child born (a `child_birth` event),
/// how many took childcare leave: one parallel pass over the timelines
/// (counts, so the order does not matter).
fn parent_uptake(timelines: &[Timeline], min: usize) -> Vec<ParentUptake> {
    // (parents, took leave) of women, then of men.
    let counts = timelines
        .par_iter()
        .fold(
            || [(0u64, 0u64); 2],
            |mut acc, t| {
                let g = match t.employee().gender {
                    Gender::Female => 0,
                    Gender::Male => 1,
                    _ => return acc,
                };
                if t.events()
                    .iter()
                    .any(|e| matches!(e.kind, EventKind::ChildBirth))
                {
                    acc[g].0 += 1;
                    acc[g].1 += u64::from(t.has_childcare_leave());
                }
                acc
            },
        )
        .reduce(
            || [(0u64, 0u64); 2],
            |a, b| {
                [
                    (a[0].0 + b[0].0, a[0].1 + b[0].1),
                    (a[1].0 + b[1].0, a[1].1 + b[1].1),
                ]
            },
        );
    [Gender::Female, Gender::Male]
        .into_iter()
        .zip(counts)
        .map(|(gender, (parents, took))| ParentUptake {
            gender,
            parents: Count::new(parents, min),
            took_leave: Count::new(took, min),
            rate: (parents >= min as u64).then(|| took as f64 / parents as f64),
        })
        .collect()
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
        // The groups' exact tests (departments are few and large, so their
        // tests run beside the managers'), beside the ratings and hours of
        // returns and the parents' uptake of leave: independent parts, side
        // by side on rayon's pool.
        let ((managers, departments), (hours_and_ratings, parent_uptake)) = rayon::join(
            || {
                rayon::join(
                    || concentration_of(GroupBy::Manager, returns, &involuntary, config),
                    || concentration_of(GroupBy::Department, returns, &involuntary, config),
                )
            },
            || {
                rayon::join(
                    || hours_and_ratings(returns, config, as_of),
                    || parent_uptake(timelines, min),
                )
            },
        );
        let pairs = department_managers(returns, &involuntary, &managers, &departments);
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
        Concentration {
            returns: Count::new(childcare, min),
            flagged_involuntary: Count::new(flagged, min),
            flagged_employee_initiated: Count::new(voluntary_only, min),
            structural: Count::new(structural, min),
            structural_employee_initiated: Count::new(asked, min),
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
            pairs,
            stall: None,
        }
    }
}

/// Childcare returns and involuntary flags by (department, manager) over
/// the listed departments and managers.
fn department_managers(
    returns: &[Return<'_>],
    involuntary: &[bool],
    managers: &[GroupConcentration],
    departments: &[GroupConcentration],
) -> Vec<(String, String, u64, u64)> {
    let listed_m: std::collections::BTreeSet<&str> = managers
        .iter()
        .filter_map(|g| g.manager_id.as_deref())
        .collect();
    let listed_d: std::collections::BTreeSet<&str> = departments
        .iter()
        .filter_map(|g| g.department.as_deref())
        .collect();
    let mut pairs: BTreeMap<(&str, &str), (u64, u64)> = BTreeMap::new();
    for (i, r) in returns
        .iter()
        .enumerate()
        .filter(|(_, r)| r.absence.is_childcare())
    {
        if let (Some(d), Some(m)) = (r.department(), r.manager()) {
            if listed_d.contains(d) && listed_m.contains(m) {
                let c = pairs.entry((d, m)).or_default();
                c.0 += 1;
                c.1 += u64::from(involuntary[i]);
            }
        }
    }
    pairs
        .into_iter()
        .map(|((d, m), (n, f))| (d.to_string(), m.to_string(), n, f))
        .collect()
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
        flagged_before: Count::new(fb, min as usize),
        flagged_after: Count::new(fa, min as usize),
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
