//! Mommy-track flags per return, and where they concentrate.
//!
//! # Flag kinds
//!
//! Each return from an absence holding maternity, paternity or parental
//! leave is checked against the state the day before the absence. Changes
//! count from the absence's first day to `flag_window_months` (default 12)
//! after the return, both included; a change during the leave counts too.
//!
//! | kind | when |
//! |---|---|
//! | `responsibility_drop` | a `role_change` or `promotion` sets responsibility below the pre-leave level |
//! | `track_downgrade` | the track becomes less senior (by `track_order`) |
//! | `demotion` | the grade falls below the pre-leave grade |
//! | `non_regular_conversion` | regular before, an `employment_change` to a non-regular type |
//! | `rating_drop` | the mean of at least `rating_drop_min_ratings` (2) ratings from the return to `rating_lookback_months` after it is at least `rating_drop_threshold` (1.0) below the pre-leave mean |
//! | `prolonged_reduced_hours` | hours below the pre-leave hours are still in force `reduced_hours_months` (default 36) after the return |
//! | `promotion_stall` | no promotion by `stall_multiple` × the matched peers' median time to promotion (Kaplan–Meier, peers at the returner's grade), while observed that long |
//!
//! `employee_initiated` is `true` when every change behind the structural
//! kinds (the first four and reduced hours) was asked for by the employee
//! (`initiated_by = employee`); `false` when any was employer-initiated or
//! unknown, or when the row has only `rating_drop` / `promotion_stall`, which
//! no one asks for.
//!
//! # Severity
//!
//! Each kind has a weight: demotion 0.6, non-regular conversion 0.6,
//! responsibility drop 0.25 per level (at most 0.75), track downgrade 0.5,
//! promotion stall 0.4, rating drop 0.3, prolonged reduced hours 0.2. The
//! severity is `1 − Π(1 − weight)` over the row's kinds, halved when
//! `employee_initiated`: in [0, 1], rising with every further kind.
//!
//! # Involuntary
//!
//! A flag is *involuntary* when it holds a structural kind and is not
//! employee-initiated. Concentration and policy figures count involuntary
//! flags: they are the ones a manager decides.

use crate::config::ValidConfig;
use crate::gap::PeerSample;
use crate::report::Count;
use crate::schema::{EventKind, Gender, InitiatedBy};
use crate::stats::{benjamini_hochberg, mann_whitney_u, TwoByTwo};
use crate::trajectory::{add_months, months_between, Return};
use chrono::{Datelike, NaiveDate};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The kinds of flag, in the contract's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagKind {
    /// Responsibility below the pre-leave level.
    ResponsibilityDrop,
    /// A less senior track.
    TrackDowngrade,
    /// A lower grade.
    Demotion,
    /// Regular to non-regular employment.
    NonRegularConversion,
    /// No promotion long after the peers' median time to promotion.
    PromotionStall,
    /// Ratings after return below the employee's own pre-leave ratings.
    RatingDrop,
    /// Reduced hours kept for years.
    ProlongedReducedHours,
}

impl FlagKind {
    /// The name in `flags.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            FlagKind::ResponsibilityDrop => "responsibility_drop",
            FlagKind::TrackDowngrade => "track_downgrade",
            FlagKind::Demotion => "demotion",
            FlagKind::NonRegularConversion => "non_regular_conversion",
            FlagKind::PromotionStall => "promotion_stall",
            FlagKind::RatingDrop => "rating_drop",
            FlagKind::ProlongedReducedHours => "prolonged_reduced_hours",
        }
    }

    /// Whether the kind is a change someone decides (not a rating or a stall).
    pub fn is_structural(self) -> bool {
        !matches!(self, FlagKind::PromotionStall | FlagKind::RatingDrop)
    }
}

/// One flagged return: a row of `flags.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Flag {
    /// The employee (pseudonym). Never in an aggregate.
    pub employee_id: String,
    /// First day of the absence.
    pub leave_start: NaiveDate,
    /// First day back.
    pub return_date: NaiveDate,
    /// `;`-joined leave types.
    pub leave_types: String,
    /// The kinds, in contract order.
    pub kinds: Vec<FlagKind>,
    /// Every change behind the structural kinds was asked for by the employee.
    pub employee_initiated: bool,
    /// In [0, 1]; see the module docs.
    pub severity: f64,
    /// What changed, when, from what to what, pre-leave performance and the peer benchmark.
    pub evidence: String,
    /// Index of the return in the analysis (not written out).
    #[serde(skip)]
    pub return_index: usize,
}

impl Flag {
    /// Structural and not employee-initiated.
    pub fn is_involuntary(&self) -> bool {
        !self.employee_initiated && self.kinds.iter().any(|k| k.is_structural())
    }
}

fn weight(kind: FlagKind, responsibility_levels: i64) -> f64 {
    match kind {
        FlagKind::Demotion | FlagKind::NonRegularConversion => 0.6,
        FlagKind::ResponsibilityDrop => (0.25 * responsibility_levels as f64).clamp(0.25, 0.75),
        FlagKind::TrackDowngrade => 0.5,
        FlagKind::PromotionStall => 0.4,
        FlagKind::RatingDrop => 0.3,
        FlagKind::ProlongedReducedHours => 0.2,
    }
}

/// Flags one return; `None` when nothing is flagged.
pub fn flag_return(
    index: usize,
    ret: &Return<'_>,
    peers: &PeerSample,
    config: &ValidConfig,
    as_of: NaiveDate,
) -> Option<Flag> {
    if !ret.absence.is_childcare() {
        return None;
    }
    let before = &ret.absence.pre_leave;
    let window_end = add_months(ret.return_date, config.flag_window_months());
    let until = ret.observed_until(as_of);
    let mut kinds: BTreeMap<FlagKind, String> = BTreeMap::new();
    let mut initiators: Vec<InitiatedBy> = Vec::new();
    let mut resp_levels = 0i64;
    let rank = |t: &Option<String>| t.as_deref().and_then(|t| config.track_rank(t));
    for e in ret.timeline.events() {
        if e.date < ret.absence.start || e.date > window_end || e.date > as_of {
            continue;
        }
        match &e.kind {
            EventKind::RoleChange(r) | EventKind::Promotion(r) => {
                if let Some(x) = r.responsibility.filter(|x| *x < before.responsibility) {
                    if let std::collections::btree_map::Entry::Vacant(slot) =
                        kinds.entry(FlagKind::ResponsibilityDrop)
                    {
                        resp_levels = i64::from(before.responsibility) - i64::from(x);
                        slot.insert(format!(
                            "responsibility {} → {x} on {} ({})",
                            before.responsibility, e.date, r.initiated_by
                        ));
                        initiators.push(r.initiated_by);
                    }
                }
                if let (Some(new), Some(old)) = (rank(&r.track), rank(&before.track)) {
                    if new < old && !kinds.contains_key(&FlagKind::TrackDowngrade) {
                        kinds.insert(
                            FlagKind::TrackDowngrade,
                            format!(
                                "track {} → {} on {} ({})",
                                before.track.as_deref().unwrap_or(""),
                                r.track.as_deref().unwrap_or(""),
                                e.date,
                                r.initiated_by
                            ),
                        );
                        initiators.push(r.initiated_by);
                    }
                }
                if let Some(g) = r.grade.filter(|g| *g < before.grade) {
                    if let std::collections::btree_map::Entry::Vacant(slot) =
                        kinds.entry(FlagKind::Demotion)
                    {
                        slot.insert(format!(
                            "grade {} → {g} on {} ({})",
                            before.grade, e.date, r.initiated_by
                        ));
                        initiators.push(r.initiated_by);
                    }
                }
            }
            EventKind::EmploymentChange {
                employment_type,
                initiated_by,
            } if before.employment_type.is_regular()
                && !employment_type.is_regular()
                && !kinds.contains_key(&FlagKind::NonRegularConversion) =>
            {
                kinds.insert(
                    FlagKind::NonRegularConversion,
                    format!(
                        "employment {} → {employment_type} on {} ({initiated_by})",
                        before.employment_type, e.date
                    ),
                );
                initiators.push(*initiated_by);
            }
            _ => {}
        }
    }
    // Reduced hours still in force long after return.
    let hours_at = add_months(ret.return_date, config.reduced_hours_months());
    if hours_at <= until {
        let then = ret.timeline.state_on(hours_at);
        if then.weekly_hours < before.weekly_hours {
            let cut = ret
                .timeline
                .events()
                .iter()
                .filter(|e| e.date >= ret.absence.start && e.date <= hours_at)
                .filter_map(|e| match e.kind {
                    EventKind::HoursChange {
                        weekly_hours,
                        initiated_by,
                    } if weekly_hours < before.weekly_hours => Some((e.date, initiated_by)),
                    _ => None,
                })
                .next();
            let who = cut.map_or(InitiatedBy::Unknown, |c| c.1);
            kinds.insert(
                FlagKind::ProlongedReducedHours,
                format!(
                    "hours {} → {} still {} months after return{}",
                    before.weekly_hours,
                    then.weekly_hours,
                    config.reduced_hours_months(),
                    cut.map_or(String::new(), |c| format!(" (cut on {}, {})", c.0, c.1))
                ),
            );
            initiators.push(who);
        }
    }
    // Ratings after return against the employee's own pre-leave ratings.
    let pre = ret.absence.pre_leave_mean_rating();
    let post = ret.post_return_ratings(config, as_of);
    if let (Some(pre), true) = (pre, post.len() >= config.rating_drop_min_ratings()) {
        let mean = post.iter().sum::<f64>() / post.len() as f64;
        if pre - mean >= config.rating_drop_threshold() - 1e-12 {
            kinds.insert(
                FlagKind::RatingDrop,
                format!(
                    "mean rating {pre:.2} before → {mean:.2} after ({} ratings)",
                    post.len()
                ),
            );
        }
    }
    // Promotion stall against the matched peers' median.
    let state = ret.state_at_return();
    let benchmark = peers.peer_median_months(state.grade);
    if let Some(median) = benchmark {
        let limit = config.stall_multiple() * median;
        let promoted = ret.first_promotion(until);
        let followed = months_between(ret.return_date, until);
        if promoted.is_none() && followed >= limit {
            kinds.insert(
                FlagKind::PromotionStall,
                format!(
                    "no promotion in {followed:.0} months since return; peers' median {median:.1} months (×{} = {limit:.1})",
                    config.stall_multiple()
                ),
            );
        }
    }
    if kinds.is_empty() {
        return None;
    }
    let employee_initiated =
        !initiators.is_empty() && initiators.iter().all(|i| *i == InitiatedBy::Employee);
    let mut severity = 1.0
        - kinds
            .keys()
            .map(|k| 1.0 - weight(*k, resp_levels))
            .product::<f64>();
    if employee_initiated {
        severity /= 2.0;
    }
    let performance = match pre {
        Some(p) => format!(
            "pre-leave mean rating {p:.2} ({} ratings)",
            ret.absence.pre_leave_ratings.len()
        ),
        None => "no pre-leave rating".into(),
    };
    let peer = match benchmark {
        Some(m) => format!("peers' median time to promotion {m:.1} months"),
        None => "no peer benchmark".into(),
    };
    let mut evidence: Vec<String> = kinds.values().cloned().collect();
    evidence.push(performance);
    evidence.push(peer);
    Some(Flag {
        employee_id: ret.timeline.employee().employee_id.clone(),
        leave_start: ret.absence.start,
        return_date: ret.return_date,
        leave_types: ret.absence.leave_types_label(),
        kinds: kinds.keys().copied().collect(),
        employee_initiated,
        severity: (severity * 1e4).round() / 1e4,
        evidence: evidence.join("; "),
        return_index: index,
    })
}

/// Flags every childcare return, sorted by employee id then return date.
pub fn flag_all(
    returns: &[Return<'_>],
    peers: &PeerSample,
    config: &ValidConfig,
    as_of: NaiveDate,
) -> Vec<Flag> {
    let mut flags: Vec<Flag> = returns
        .par_iter()
        .enumerate()
        .filter_map(|(i, r)| flag_return(i, r, peers, config, as_of))
        .collect();
    flags.par_sort_by(|a, b| (&a.employee_id, a.return_date).cmp(&(&b.employee_id, b.return_date)));
    flags
}

/// Writes `flags.csv` with the contract's columns.
pub fn write_flags(path: &std::path::Path, flags: &[Flag]) -> crate::Result<()> {
    let err = |e: csv::Error| crate::Error::Output {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let mut w = csv::Writer::from_path(path).map_err(err)?;
    w.write_record([
        "employee_id",
        "leave_start",
        "return_date",
        "leave_types",
        "kinds",
        "employee_initiated",
        "severity",
        "evidence",
    ])
    .map_err(err)?;
    for f in flags {
        let kinds: Vec<&str> = f.kinds.iter().map(|k| k.as_str()).collect();
        w.write_record([
            f.employee_id.as_str(),
            &f.leave_start.to_string(),
            &f.return_date.to_string(),
            &f.leave_types,
            &kinds.join(";"),
            if f.employee_initiated {
                "true"
            } else {
                "false"
            },
            &format!("{}", f.severity),
            &f.evidence,
        ])
        .map_err(err)?;
    }
    w.flush().map_err(|e| crate::Error::Output {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

/// Involuntary flag rate of one group of returns against all others.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    /// Fisher's exact two-sided p-value, the group against all other returns.
    pub p_value: f64,
    /// Benjamini–Hochberg adjusted.
    pub p_adjusted: f64,
    /// `p_adjusted ≤ significance_level`.
    pub significant: bool,
}

/// Flag rates before and after a policy date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

fn concentration_of(
    key: &dyn Fn(&Return<'_>) -> Option<String>,
    returns: &[Return<'_>],
    involuntary: &[bool],
    config: &ValidConfig,
) -> Vec<(String, u64, u64, f64, f64, bool)> {
    let mut cells: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let (mut total, mut total_flagged) = (0u64, 0u64);
    for (i, r) in returns
        .iter()
        .enumerate()
        .filter(|(_, r)| r.absence.is_childcare())
    {
        total += 1;
        total_flagged += u64::from(involuntary[i]);
        if let Some(k) = key(r) {
            let c = cells.entry(k).or_default();
            c.0 += 1;
            c.1 += u64::from(involuntary[i]);
        }
    }
    let tested: Vec<(String, u64, u64, f64)> = cells
        .into_iter()
        .filter(|(_, (n, _))| *n >= config.min_group_size() as u64)
        .map(|(k, (n, f))| {
            let (on, of) = (total - n, total_flagged - f);
            let p = TwoByTwo::new(f, n - f, of, on - of)
                .fisher_exact_p()
                .unwrap_or(1.0);
            (k, n, f, p)
        })
        .collect();
    let p: Vec<f64> = tested.iter().map(|t| t.3).collect();
    let adj = benjamini_hochberg(&p).unwrap_or_else(|_| p.clone());
    tested
        .into_iter()
        .zip(adj)
        .map(|((k, n, f, p), q)| (k, n, f, p, q, q <= config.significance_level()))
        .collect()
}

impl Concentration {
    /// Computes every concentration figure.
    pub fn new(
        returns: &[Return<'_>],
        flags: &[Flag],
        timelines: &[crate::timeline::Timeline],
        config: &ValidConfig,
        as_of: NaiveDate,
    ) -> Concentration {
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
        let to_group = |v: Vec<(String, u64, u64, f64, f64, bool)>, manager: bool| {
            v.into_iter()
                .map(|(k, n, f, p, q, s)| GroupConcentration {
                    manager_id: manager.then(|| k.clone()),
                    department: (!manager).then_some(k),
                    returns: n,
                    flagged: f,
                    p_value: p,
                    p_adjusted: q,
                    significant: s,
                })
                .collect::<Vec<_>>()
        };
        let managers = to_group(
            concentration_of(
                &|r| r.manager().map(str::to_string),
                returns,
                &involuntary,
                config,
            ),
            true,
        );
        let departments = to_group(
            concentration_of(
                &|r| r.department().map(str::to_string),
                returns,
                &involuntary,
                config,
            ),
            false,
        );
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
pub fn policy_effect(
    date: NaiveDate,
    returns: &[Return<'_>],
    flags: &[Flag],
    config: &ValidConfig,
) -> PolicyEffect {
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
