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
//! | `rating_drop` | at least `rating_drop_min_ratings` (2) ratings from the return to `rating_lookback_months` after it score at most `−rating_drop_score` (−2.0) against her own level from all her other ratings, net of company-wide shifts, in units of the rating spread of employees who took no leave ([`super::ratings`]); with `rating_drop_rule = "points"`, their mean is at least `rating_drop_threshold` (1.0) below the mean of the ratings in the look-back before the leave |
//! | `prolonged_reduced_hours` | hours below the pre-leave hours are still in force `reduced_hours_months` (default 36) after the return |
//! | `promotion_stall` | no promotion since the return, and the probability that a matched peer at her grade and rating level is still unpromoted after as long is below `stall_level` (0.1; [`super::stall`]); with `stall_rule = "median_multiple"`, no promotion by `stall_multiple` × the matched peers' median time to promotion (Kaplan–Meier, peers at the returner's grade), while observed that long |
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
//! Why these weights: they are an ordinal judgement, not an estimate, and
//! no published scale exists to take them from. They rank the changes by
//! how far they move a career off the promotion path in the literature on
//! the mommy track: a demotion or a conversion to non-regular work changes
//! pay, status and the route back at once (in Japan a non-regular contract
//! rarely leads back to a regular one), so they weigh most; a track
//! downgrade (コース別管理: a move off the management course) closes the
//! path without a pay cut; responsibility falls by degrees, so it weighs by
//! level; a stall and a rating drop are outcomes that other causes share,
//! so they weigh less; reduced hours are often the employee's own wish and
//! legally protected (短時間勤務制度), so they weigh least. The product form
//! treats the kinds as independent pieces of evidence (a noisy-OR), so no
//! combination exceeds 1 and each further kind raises the severity. Halving
//! for changes the employee asked for keeps them visible without ranking
//! them with imposed ones. The order of flags matters more than the values;
//! change them by forking `weight` if your organisation ranks otherwise.
//!
//! # Involuntary
//!
//! A flag is *involuntary* when it holds a structural kind and is not
//! employee-initiated. Concentration and policy figures count involuntary
//! flags: they are the ones a manager decides.

use super::locality::order_by_key;
use super::peers::{FollowUp, PeerSample};
use super::ratings::{rating_score, RatingNorms};
use super::stall::StallScore;
use super::Context;
use crate::config::{RatingDropRule, StallRule, ValidConfig};
use crate::dates::{add_months, months_between};
use crate::schema::{EmploymentType, EventKind, InitiatedBy, LeaveType};
use crate::timeline::Return;
use chrono::{Datelike, NaiveDate};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The kinds of flag, in the contract's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
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
#[non_exhaustive]
pub struct Flag {
    /// The employee (pseudonym). Never in an aggregate.
    pub employee_id: String,
    /// First day of the absence.
    pub leave_start: NaiveDate,
    /// First day back.
    pub return_date: NaiveDate,
    /// The leave types of the absence, in contract order (`;`-joined in `flags.csv`).
    pub leave_types: Vec<LeaveType>,
    /// The kinds, in contract order.
    pub kinds: Vec<FlagKind>,
    /// Every change behind the structural kinds was asked for by the employee.
    pub employee_initiated: bool,
    /// In [0, 1]; see the module docs.
    pub severity: f64,
    /// What changed, when, from what to what, pre-leave performance and
    /// the peer benchmark; `flags.csv` writes it as one sentence.
    pub evidence: Evidence,
    /// The stall test's p-value for this return (`stall_p` in `flags.csv`),
    /// whatever it was flagged for; `None` when it had none.
    pub stall_p: Option<f64>,
    /// The posterior probability that this return is stalled
    /// (`stall_posterior` in `flags.csv`, [`super::stall`]); `None` when
    /// it had none.
    pub stall_posterior: Option<f64>,
    /// The rating-drop score of this return (`rating_drop_score` in
    /// `flags.csv`), whatever it was flagged for; `None` when it had none.
    pub rating_drop_score: Option<f64>,
    /// Index of the return in the analysis (not written out).
    #[serde(skip)]
    pub(crate) return_index: usize,
}

impl Flag {
    /// Structural and not employee-initiated.
    pub fn is_involuntary(&self) -> bool {
        !self.employee_initiated && self.kinds.iter().any(|k| k.is_structural())
    }
}

/// The evidence behind one flag: each change found, then the employee's
/// pre-leave performance and the peer benchmark.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Evidence {
    /// One entry per kind, in contract order.
    pub changes: Vec<Change>,
    /// Mean of the pre-leave ratings, when there were any.
    pub pre_leave_mean_rating: Option<f64>,
    /// Number of pre-leave ratings.
    pub pre_leave_ratings: usize,
    /// The matched peers' median months to promotion at her grade, when known.
    pub peer_median_months: Option<f64>,
    /// For each structural kind of the flag, how often matched peers had
    /// the same change over the same window (see [`PeerRate`]).
    #[serde(default)]
    pub peer_rates: Vec<PeerRate>,
}

/// How often matched peers had a change of one kind: among the peer
/// follow-ups of every childcare return in the same calendar year as this
/// one, each looked at over its own return's window (from the absence's
/// first day to `flag_window_months` after the return) against its own
/// state the day before that absence, the share with a change of `kind`
/// initiated as hers was (by the employee, or not). A base rate: a change
/// that peers have as often is more likely a reorganisation than a
/// pattern. Shown only when at least `min_group_size` peer follow-ups
/// stand behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PeerRate {
    /// The kind.
    pub kind: FlagKind,
    /// Whether the changes counted are employee-initiated.
    pub employee_initiated: bool,
    /// The share of peer follow-ups with such a change.
    pub share: f64,
    /// The peer follow-ups behind it.
    pub peers: u64,
}

/// Counts by (kind, initiated by the employee).
type KindCounts = BTreeMap<(FlagKind, bool), u64>;

/// What every return is measured against: the matched peers, the company's
/// rating norms and the peers' base rates of structural changes.
struct Benchmarks<'a> {
    peers: &'a PeerSample,
    norms: RatingNorms,
    base: PeerBaseRates,
}

/// Per return year: peer follow-ups, and those with a change of each
/// structural kind, split by whether the employee initiated it.
struct PeerBaseRates {
    by_year: BTreeMap<i32, (u64, KindCounts)>,
    min: u64,
}

impl PeerBaseRates {
    fn new(ctx: &Context<'_>, peers: &PeerSample) -> PeerBaseRates {
        let (returns, config, as_of) = (ctx.returns(), ctx.config(), ctx.as_of());
        // In the order of the peers' timelines rather than of the returns
        // they are matched to: the time goes in reaching a timeline's
        // events, and a peer matched to several returns is then reached
        // once while her events are still in cache. The counts below do
        // not depend on the order.
        let reference: Vec<&FollowUp> = peers.follow_ups.iter().filter(|f| !f.returner).collect();
        // (Sorted on keys taken once, see `order_by_key`: at 1M employees
        // 0.09 s of sorting the references by a key read at each
        // comparison.)
        let order: Vec<&FollowUp> = match u32::try_from(reference.len()) {
            Ok(n) => order_by_key(n, |j| reference[j].employee)
                .into_iter()
                .map(|j| reference[j as usize])
                .collect(),
            Err(_) => reference,
        };
        // Counted as they are found (integer counts: the same in any
        // order), not held per peer first.
        type ByYear = BTreeMap<i32, (u64, KindCounts)>;
        let by_year: ByYear = order
            .par_iter()
            .filter_map(|f| {
                let r = returns.get(f.return_index as usize)?;
                let t = ctx.timelines().get(f.employee)?;
                Some((r, t))
            })
            .fold(ByYear::new, |mut by_year, (r, t)| {
                let start = r.absence.start;
                let before = Baseline::on(t, start.pred_opt().unwrap_or(start));
                let end = add_months(r.return_date, config.flag_window_months()).min(as_of);
                let cell = by_year.entry(r.return_date.year()).or_default();
                cell.0 += 1;
                // The first change of each kind, with whether she asked for it.
                let mut seen: Vec<FlagKind> = Vec::new();
                structural_kinds_in(t, before, (start, end), config, |kind, _, who| {
                    if !seen.contains(&kind) {
                        seen.push(kind);
                        *cell
                            .1
                            .entry((kind, who == InitiatedBy::Employee))
                            .or_default() += 1;
                    }
                });
                by_year
            })
            .reduce(ByYear::new, |mut a, b| {
                for (year, (n, counts)) in b {
                    let cell = a.entry(year).or_default();
                    cell.0 += n;
                    for (k, c) in counts {
                        *cell.1.entry(k).or_default() += c;
                    }
                }
                a
            });
        drop(order);
        PeerBaseRates {
            by_year,
            min: config.min_group_size() as u64,
        }
    }

    /// The peers' rate of `kind`, initiated as `employee_initiated` says,
    /// around returns of `year`.
    fn rate(&self, year: i32, kind: FlagKind, employee_initiated: bool) -> Option<PeerRate> {
        let (n, counts) = self.by_year.get(&year)?;
        (*n >= self.min).then(|| PeerRate {
            kind,
            employee_initiated,
            share: counts
                .get(&(kind, employee_initiated))
                .copied()
                .unwrap_or(0) as f64
                / *n as f64,
            peers: *n,
        })
    }
}

impl Change {
    /// Who asked for a structural change (`None` for a rating drop or a stall).
    pub fn initiated_by(&self) -> Option<InitiatedBy> {
        match self {
            Change::ResponsibilityDrop { initiated_by, .. }
            | Change::TrackDowngrade { initiated_by, .. }
            | Change::Demotion { initiated_by, .. }
            | Change::NonRegularConversion { initiated_by, .. } => Some(*initiated_by),
            Change::ProlongedReducedHours { cut, .. } => cut.map(|c| c.1),
            _ => None,
        }
    }
}

/// One change behind a flag kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Change {
    /// Responsibility below the pre-leave level.
    ResponsibilityDrop {
        /// Date of the change.
        date: NaiveDate,
        /// Pre-leave level.
        from: u8,
        /// New level.
        to: u8,
        /// Who asked for it.
        initiated_by: InitiatedBy,
    },
    /// A less senior track.
    TrackDowngrade {
        /// Date of the change.
        date: NaiveDate,
        /// Pre-leave track.
        from: Option<String>,
        /// New track.
        to: Option<String>,
        /// Who asked for it.
        initiated_by: InitiatedBy,
    },
    /// A lower grade.
    Demotion {
        /// Date of the change.
        date: NaiveDate,
        /// Pre-leave grade.
        from: u32,
        /// New grade.
        to: u32,
        /// Who asked for it.
        initiated_by: InitiatedBy,
    },
    /// Regular to non-regular employment.
    NonRegularConversion {
        /// Date of the change.
        date: NaiveDate,
        /// Pre-leave employment type.
        from: EmploymentType,
        /// New employment type.
        to: EmploymentType,
        /// Who asked for it.
        initiated_by: InitiatedBy,
    },
    /// Reduced hours still in force `months` after the return.
    ProlongedReducedHours {
        /// Pre-leave weekly hours.
        from: f64,
        /// Weekly hours `months` after the return.
        to: f64,
        /// `reduced_hours_months`.
        months: u32,
        /// The first cut after the absence began, and who asked for it.
        cut: Option<(NaiveDate, InitiatedBy)>,
    },
    /// Ratings after the return below her own level.
    RatingDrop {
        /// Her level: the mean of her ratings outside the post-return
        /// window (`rating_drop_rule = "score"`), or of those in the
        /// look-back before the leave (`"points"`).
        before: f64,
        /// Post-return mean.
        after: f64,
        /// Post-return ratings.
        ratings: usize,
        /// The score ([`super::ratings`]; `rating_drop_rule = "score"`).
        score: Option<f64>,
        /// Ratings behind her level (`rating_drop_rule = "score"`).
        level_ratings: Option<usize>,
    },
    /// No promotion since the return, for longer than peers like her wait.
    PromotionStall {
        /// Months followed since the return.
        months_followed: f64,
        /// The stall test's p-value ([`super::stall`]; `stall_rule = "test"`).
        stall_p: Option<f64>,
        /// Her rating level (mean of her ratings outside the post-return
        /// window), when the test used one.
        rating_level: Option<f64>,
        /// The posterior probability that she is stalled
        /// (`stall_rule = "posterior"`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        posterior: Option<f64>,
        /// The peers' median months to promotion (`stall_rule = "median_multiple"`).
        peer_median_months: Option<f64>,
        /// `stall_multiple` (`stall_rule = "median_multiple"`).
        multiple: Option<f64>,
    },
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

/// The kinds found on one return so far, with who asked for each structural change.
#[derive(Default)]
struct Found {
    kinds: BTreeMap<FlagKind, Change>,
    initiators: Vec<InitiatedBy>,
    /// Levels of the responsibility drop (its weight grows with them).
    responsibility_levels: i64,
}

impl Found {
    /// Records `change` under `kind` unless an earlier change already holds it.
    fn first(&mut self, kind: FlagKind, change: Change, initiated_by: Option<InitiatedBy>) -> bool {
        if self.kinds.contains_key(&kind) {
            return false;
        }
        self.kinds.insert(kind, change);
        self.initiators.extend(initiated_by);
        true
    }
}

/// Flags one return; `None` when nothing is flagged.
fn flag_return(
    index: usize,
    ret: &Return<'_>,
    stall: Option<&StallScore>,
    bench: &Benchmarks<'_>,
    config: &ValidConfig,
    as_of: NaiveDate,
) -> Option<Flag> {
    let (peers, norms, base) = (bench.peers, &bench.norms, &bench.base);
    if !ret.absence.is_childcare() {
        return None;
    }
    let until = ret.observed_until(as_of);
    let mut found = Found::default();
    structural_changes(ret, config, as_of, &mut found);
    reduced_hours(ret, config, until, &mut found);
    let pre = ret.absence.pre_leave_mean_rating();
    let window_end = add_months(ret.return_date, config.rating_lookback_months()).min(until);
    let score = rating_score(
        norms,
        ret.timeline,
        ret.absence.start,
        ret.return_date,
        window_end,
        config.rating_drop_min_ratings(),
    );
    let drop = match config.rating_drop_rule() {
        RatingDropRule::Points => rating_drop(ret, config, as_of, pre),
        _ => score
            .filter(|s| s.score <= -config.rating_drop_score())
            .map(|s| Change::RatingDrop {
                before: s.level,
                after: s.after,
                ratings: s.ratings_after,
                score: Some(s.score),
                level_ratings: Some(s.ratings_level),
            }),
    };
    if let Some(change) = drop {
        found.first(FlagKind::RatingDrop, change, None);
    }
    let benchmark = peers.peer_median_months(ret.state_at_return().grade);
    let stall_change = match config.stall_rule() {
        StallRule::MedianMultiple => promotion_stall(ret, config, until, benchmark),
        _ => stall.filter(|s| s.stalled).map(|s| Change::PromotionStall {
            months_followed: s.months_followed,
            stall_p: Some(s.stall_p),
            rating_level: s.rating_level,
            posterior: s.posterior,
            peer_median_months: None,
            multiple: None,
        }),
    };
    if let Some(change) = stall_change {
        found.first(FlagKind::PromotionStall, change, None);
    }
    if found.kinds.is_empty() {
        return None;
    }
    let employee_initiated = !found.initiators.is_empty()
        && found.initiators.iter().all(|i| *i == InitiatedBy::Employee);
    let mut severity = 1.0
        - found
            .kinds
            .keys()
            .map(|k| 1.0 - weight(*k, found.responsibility_levels))
            .product::<f64>();
    if employee_initiated {
        severity /= 2.0;
    }
    let peer_rates = found
        .kinds
        .iter()
        .filter(|(k, _)| k.is_structural() && **k != FlagKind::ProlongedReducedHours)
        .filter_map(|(k, c)| {
            let by_employee = c.initiated_by() == Some(InitiatedBy::Employee);
            base.rate(ret.return_date.year(), *k, by_employee)
        })
        .collect();
    Some(Flag {
        employee_id: ret.timeline.employee().employee_id.clone(),
        leave_start: ret.absence.start,
        return_date: ret.return_date,
        leave_types: ret.absence.leave_types.clone(),
        kinds: found.kinds.keys().copied().collect(),
        employee_initiated,
        severity: (severity * 1e4).round() / 1e4,
        evidence: Evidence {
            changes: found.kinds.into_values().collect(),
            pre_leave_mean_rating: pre,
            pre_leave_ratings: ret.absence.pre_leave_ratings.len(),
            peer_median_months: benchmark,
            peer_rates,
        },
        stall_p: stall.map(|s| s.stall_p),
        stall_posterior: stall.and_then(|s| s.posterior),
        rating_drop_score: score.map(|s| s.score),
        return_index: index,
    })
}

/// Responsibility drops, track downgrades, demotions and conversions to
/// non-regular work from the absence's first day to `flag_window_months`
/// after the return: the first of each kind.
fn structural_changes(ret: &Return<'_>, config: &ValidConfig, as_of: NaiveDate, found: &mut Found) {
    let window_end = add_months(ret.return_date, config.flag_window_months());
    let window = (ret.absence.start, window_end.min(as_of));
    structural_changes_in(ret.timeline, &ret.absence.pre_leave, window, config, found);
}

/// What a structural change is measured against: the fields of the state
/// the day before the absence that [`structural_kinds_in`] reads, borrowed
/// (a peer's baseline is replayed for every return she is a peer of, and
/// cloning each name on the way cost more than the comparison).
#[derive(Clone, Copy)]
struct Baseline<'a> {
    grade: u32,
    responsibility: u8,
    track: Option<&'a str>,
    employment_type: crate::schema::EmploymentType,
}

impl<'a> Baseline<'a> {
    /// The fields of `state`.
    fn of(state: &'a crate::timeline::State) -> Baseline<'a> {
        Baseline {
            grade: state.grade,
            responsibility: state.responsibility,
            track: state.track.as_deref(),
            employment_type: state.employment_type,
        }
    }

    /// The fields of `timeline.state_on(date)`, replayed without the rest
    /// of the state.
    fn on(timeline: &'a crate::Timeline, date: NaiveDate) -> Baseline<'a> {
        let e = timeline.employee();
        let mut b = Baseline {
            grade: e.grade,
            responsibility: e.responsibility,
            track: e.track.as_deref(),
            employment_type: e.employment_type,
        };
        for event in timeline.events().iter().take_while(|x| x.date <= date) {
            match &event.kind {
                EventKind::RoleChange(r) | EventKind::Promotion(r) => {
                    if let Some(g) = r.grade {
                        b.grade = g;
                    }
                    if let Some(x) = r.responsibility {
                        b.responsibility = x;
                    }
                    if let Some(t) = &r.track {
                        b.track = Some(t);
                    }
                }
                EventKind::EmploymentChange {
                    employment_type, ..
                } => b.employment_type = *employment_type,
                _ => {}
            }
        }
        b
    }
}

/// The structural changes of `timeline` against `before` dated within
/// `window` (both ends included), in date order: each with its kind, its
/// event and who asked for it. A kind may occur more than once; callers
/// keep the first.
fn structural_kinds_in<'t>(
    timeline: &'t crate::Timeline,
    before: Baseline<'_>,
    window: (NaiveDate, NaiveDate),
    config: &ValidConfig,
    mut on: impl FnMut(FlagKind, &'t crate::schema::Event, InitiatedBy),
) {
    let before_rank = before.track.and_then(|t| config.track_rank(t));
    let events = timeline.events();
    let first = events.partition_point(|e| e.date < window.0);
    for e in events[first..].iter().take_while(|e| e.date <= window.1) {
        match &e.kind {
            EventKind::RoleChange(r) | EventKind::Promotion(r) => {
                if r.responsibility.is_some_and(|x| x < before.responsibility) {
                    on(FlagKind::ResponsibilityDrop, e, r.initiated_by);
                }
                let rank = r.track.as_deref().and_then(|t| config.track_rank(t));
                if let (Some(new), Some(old)) = (rank, before_rank) {
                    if new < old {
                        on(FlagKind::TrackDowngrade, e, r.initiated_by);
                    }
                }
                if r.grade.is_some_and(|g| g < before.grade) {
                    on(FlagKind::Demotion, e, r.initiated_by);
                }
            }
            EventKind::EmploymentChange {
                employment_type,
                initiated_by,
            } if before.employment_type.is_regular() && !employment_type.is_regular() => {
                on(FlagKind::NonRegularConversion, e, *initiated_by);
            }
            _ => {}
        }
    }
}

/// The structural changes of `timeline` against `before` dated within
/// `window` (both ends included): the first of each kind.
fn structural_changes_in(
    timeline: &crate::Timeline,
    before: &crate::timeline::State,
    window: (NaiveDate, NaiveDate),
    config: &ValidConfig,
    found: &mut Found,
) {
    structural_kinds_in(
        timeline,
        Baseline::of(before),
        window,
        config,
        |kind, e, who| {
            let (change, levels) = match (kind, &e.kind) {
                (
                    FlagKind::ResponsibilityDrop,
                    EventKind::RoleChange(r) | EventKind::Promotion(r),
                ) => {
                    let to = r.responsibility.unwrap_or(before.responsibility);
                    let change = Change::ResponsibilityDrop {
                        date: e.date,
                        from: before.responsibility,
                        to,
                        initiated_by: who,
                    };
                    (
                        change,
                        Some(i64::from(before.responsibility) - i64::from(to)),
                    )
                }
                (FlagKind::TrackDowngrade, EventKind::RoleChange(r) | EventKind::Promotion(r)) => {
                    let change = Change::TrackDowngrade {
                        date: e.date,
                        from: before.track.as_deref().map(str::to_string),
                        to: r.track.as_deref().map(str::to_string),
                        initiated_by: who,
                    };
                    (change, None)
                }
                (FlagKind::Demotion, EventKind::RoleChange(r) | EventKind::Promotion(r)) => {
                    let change = Change::Demotion {
                        date: e.date,
                        from: before.grade,
                        to: r.grade.unwrap_or(before.grade),
                        initiated_by: who,
                    };
                    (change, None)
                }
                (
                    FlagKind::NonRegularConversion,
                    EventKind::EmploymentChange {
                        employment_type, ..
                    },
                ) => {
                    let change = Change::NonRegularConversion {
                        date: e.date,
                        from: before.employment_type,
                        to: *employment_type,
                        initiated_by: who,
                    };
                    (change, None)
                }
                // `structural_kinds_in` names no other pairing.
                _ => return,
            };
            if found.first(kind, change, Some(who)) {
                if let Some(levels) = levels {
                    found.responsibility_levels = levels;
                }
            }
        },
    );
}

/// Hours below the pre-leave hours still in force `reduced_hours_months`
/// after the return, while she is observed that long; who asked for the
/// first cut after the absence began (unknown when none is recorded).
fn reduced_hours(ret: &Return<'_>, config: &ValidConfig, until: NaiveDate, found: &mut Found) {
    let before = &ret.absence.pre_leave;
    let hours_at = add_months(ret.return_date, config.reduced_hours_months());
    if hours_at > until {
        return;
    }
    let then = ret.timeline.state_on(hours_at);
    if then.weekly_hours >= before.weekly_hours {
        return;
    }
    let cut = ret
        .timeline
        .events()
        .iter()
        .filter(|e| e.date >= ret.absence.start && e.date <= hours_at)
        .find_map(|e| match e.kind {
            EventKind::HoursChange {
                weekly_hours,
                initiated_by,
            } if weekly_hours < before.weekly_hours => Some((e.date, initiated_by)),
            _ => None,
        });
    let who = cut.map_or(InitiatedBy::Unknown, |c| c.1);
    let change = Change::ProlongedReducedHours {
        from: before.weekly_hours,
        to: then.weekly_hours,
        months: config.reduced_hours_months(),
        cut,
    };
    found.first(FlagKind::ProlongedReducedHours, change, Some(who));
}

/// The mean of at least `rating_drop_min_ratings` ratings after the return
/// at least `rating_drop_threshold` below her own pre-leave mean.
fn rating_drop(
    ret: &Return<'_>,
    config: &ValidConfig,
    as_of: NaiveDate,
    pre: Option<f64>,
) -> Option<Change> {
    let pre = pre?;
    let post = ret.post_return_ratings(config, as_of);
    if post.len() < config.rating_drop_min_ratings() {
        return None;
    }
    let mean = post.iter().sum::<f64>() / post.len() as f64;
    // The tolerance lets a drop of exactly the threshold count despite
    // binary rounding of the means.
    (pre - mean >= config.rating_drop_threshold() - 1e-12).then_some(Change::RatingDrop {
        before: pre,
        after: mean,
        ratings: post.len(),
        score: None,
        level_ratings: None,
    })
}

/// No promotion by `stall_multiple` × the matched peers' median months to
/// promotion, while she is observed that long.
fn promotion_stall(
    ret: &Return<'_>,
    config: &ValidConfig,
    until: NaiveDate,
    peer_median: Option<f64>,
) -> Option<Change> {
    let median = peer_median?;
    let limit = config.stall_multiple() * median;
    let followed = months_between(ret.return_date, until);
    (ret.first_promotion(until).is_none() && followed >= limit).then_some(Change::PromotionStall {
        months_followed: followed,
        stall_p: None,
        posterior: None,
        rating_level: None,
        peer_median_months: Some(median),
        multiple: Some(config.stall_multiple()),
    })
}

/// Flags every childcare return, sorted by employee id then return date.
pub(crate) fn flag_all(
    ctx: &Context<'_>,
    peers: &PeerSample,
    stall: &[Option<StallScore>],
) -> Vec<Flag> {
    let (returns, config, as_of) = (ctx.returns(), ctx.config(), ctx.as_of());
    let (norms, base) = rayon::join(|| RatingNorms::new(ctx), || PeerBaseRates::new(ctx, peers));
    let bench = Benchmarks { peers, norms, base };
    let mut flags: Vec<Flag> = returns
        .par_iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let score = stall.get(i).and_then(Option::as_ref);
            flag_return(i, r, score, &bench, config, as_of)
        })
        .collect();
    flags.par_sort_by(|a, b| (&a.employee_id, a.return_date).cmp(&(&b.employee_id, b.return_date)));
    flags
}

#[cfg(test)]
mod tests {
    use super::Baseline;
    use crate::{Dataset, ValidConfig};

    /// `Baseline::on` replays only the fields it keeps; they must be those
    /// of the whole state, on every day an event changes something and on
    /// the days around it, for every timeline of the bundled sample and of
    /// its dirty copy.
    #[test]
    fn the_baseline_is_the_states_fields() {
        let config = ValidConfig::default();
        for dir in ["data-samples", "data-samples/dirty"] {
            let data = Dataset::builder(&config)
                .from_paths(format!("{dir}/employees.csv"), format!("{dir}/events.csv"))
                .expect("the bundled sample reads");
            let mut days = 0;
            for t in &data.timelines {
                let hire = t.employee().hire_date;
                let dates = t
                    .events()
                    .iter()
                    .flat_map(|e| [e.date.pred_opt(), Some(e.date), e.date.succ_opt()])
                    .flatten()
                    .chain(hire.pred_opt())
                    .chain([hire]);
                for d in dates {
                    let (b, s) = (Baseline::on(t, d), t.state_on(d));
                    assert_eq!(
                        (b.grade, b.responsibility, b.track, b.employment_type),
                        (
                            s.grade,
                            s.responsibility,
                            s.track.as_deref(),
                            s.employment_type
                        ),
                        "{} on {d}",
                        t.employee().employee_id
                    );
                    days += 1;
                }
            }
            assert!(days > 1000, "{dir}: only {days} days compared");
        }
    }
}
