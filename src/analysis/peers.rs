//! Peer matching: for each return from childcare leave, the employees who
//! are like the returner on the return date and have not taken such leave,
//! and everyone's follow-up to the first promotion.
//!
//! # The headline design (`[peers] design = "symmetric"`, the default)
//!
//! For each return from an absence holding maternity, paternity or
//! parental leave (a *childcare return*; the *index date* is the return
//! date, the first day back), up to `peers_per_return` (5) peers are
//! chosen among the employees who on the index date
//!
//! - are of the returner's **gender**;
//! - are **employed** (hire date ≤ index date ≤ exit date) and **at work**:
//!   on no leave of any type;
//! - hold the returner's **grade** (and, with `peer_same_department`, work
//!   in her department);
//! - were **hired within `peer_tenure_band_years`** (2) of her;
//! - have taken **no childcare leave by that date**: their first childcare
//!   absence, if any, starts after the index date.
//!
//! Of those, the nearest in hire date are taken, **with replacement** (a
//! peer may serve several returns, and returns of the same person are
//! matched independently). Everyone — returner and peers — is **followed
//! from the index date to the first promotion** (a grade increase dated
//! after the index date), **censored** at exit (leaving is recorded as a
//! competing event for the cumulative incidence), at the analysis date,
//! and at the **start of their next childcare leave** (a returner's next
//! childcare absence; a peer's first). The Cox model of
//! [`super::gap`] is stratified by gender, with cluster-robust variance by
//! employee.
//!
//! Readings this design had to choose:
//!
//! - **The state on a day** is the state at the end of it, after every event
//!   dated that day ([`Timeline::state_on`]): a peer promoted or moved on the
//!   return date is matched on the new grade or department. A returner's
//!   own grade is her grade at the end of the return day.
//! - **On leave** on the index date: inside a recorded leave, from its
//!   `leave_start` to the day before its `leave_end` (the `leave_end` is the
//!   first day back). A leave that ends on the index date leaves the peer at
//!   work; one that starts on it makes the peer on leave.
//! - **A childcare leave** is an absence (leaves at most
//!   `absence_gap_days` apart joined) holding maternity, paternity or
//!   parental leave; a peer's *first childcare leave* is the start of the
//!   first such absence, so a medical leave joined to a parental one counts
//!   from the medical leave's start. A person whose first childcare absence
//!   starts on or before their hire date is never a peer.
//! - **Censoring at a leave** happens on the leave's first day; a promotion
//!   dated that very day still counts (the day's other events precede its
//!   `leave_start`).
//! - **Ties in hire-date distance**: candidates at the same distance are
//!   taken in the order of a fixed hash (FNV-1a) of the returner's id and
//!   the candidate's id, starting from an employee picked by a hash of the
//!   returner's id: no seed, so the same data always give the same peers,
//!   and no one is favoured by the order of the input. A hire date
//!   `d` days before hers and one `d` days after are at the same distance.
//! - **Tenure** is years since hire on the index date (365.25-day years),
//!   whatever leave was taken; **worked time in grade**
//!   ([`Timeline::worked_years_in_grade`]) is years since the grade was
//!   reached, leave days not counted: the extra covariate of
//!   `returners_vs_peers.cox_worked_time`.
//!
//! This is exact matching on grade and gender, caliper matching on hire
//! date, k nearest with replacement: Stuart, "Matching methods for causal
//! inference: a review and a look forward", Statistical Science 25(1),
//! 2010, §3; censoring both arms at the next childcare leave keeps the
//! future out of who counts as a peer (the comparison is of people who had
//! not taken such leave *by then*, not of people who never will).
//!
//! # The legacy design (`design = "legacy"`)
//!
//! The design of versions before 0.2, kept for comparison: peers of any
//! gender who **never** take childcare leave (which uses the future), not
//! required to be at work on the index date, followed to promotion, exit or
//! the analysis date; the Cox model on `returner`, `female`, `grade` and
//! `tenure_years` with model-based variance. A returner's follow-up runs on
//! through her next childcare leave.

use super::bitset::ActiveSet;
use super::locality::extend_in_order;
use super::Context;
use crate::config::PeerDesign;
use crate::dates::{months_between, DAYS_PER_YEAR};
use crate::schema::Gender;
use crate::stats::KaplanMeier;
use crate::timeline::{Return, State, Timeline};
use chrono::{Datelike, NaiveDate};
use rayon::prelude::*;
use std::collections::BTreeMap;

/// One follow-up from an index date to promotion or censoring.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FollowUp {
    /// Index of the employee in the timelines.
    pub employee: usize,
    /// Index of the return this follow-up belongs to (its own or the one it is a peer of).
    pub(crate) return_index: u32,
    /// The index date: the return date this follow-up belongs to (its own,
    /// or the one it is a peer of).
    pub index: NaiveDate,
    /// Whether this is the returner (else a peer).
    pub returner: bool,
    /// The employee is a woman.
    pub female: bool,
    /// Grade on the index date.
    pub grade: u32,
    /// Years since hire on the index date.
    pub tenure_years: f64,
    /// Years worked in the index grade by the index date, time on leave
    /// left out ([`Timeline::worked_years_in_grade`]).
    pub worked_years_in_grade: f64,
    /// Months to promotion or censoring.
    pub months: f64,
    /// Promoted (else censored).
    pub promoted: bool,
    /// Not promoted because the employee left first (a competing event;
    /// else censored at the analysis date).
    pub left: bool,
}

/// The matched sample: a follow-up for each childcare return and each of its peers.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct PeerSample {
    /// Returner follow-ups then peer follow-ups, in return order.
    pub follow_ups: Vec<FollowUp>,
    /// Returns with no peer found.
    pub unmatched_returns: usize,
    /// Kaplan–Meier median months to promotion of the peers, by index grade
    /// (grades whose median is reached).
    pub peer_medians: BTreeMap<u32, f64>,
    /// The same over all peers.
    pub overall_peer_median: Option<f64>,
}

fn km_median(v: &[&FollowUp]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let d: Vec<f64> = v.iter().map(|x| x.months).collect();
    let e: Vec<bool> = v.iter().map(|x| x.promoted).collect();
    KaplanMeier::fit(&d, &e, None, 0.95).ok()?.median()
}

fn fnv(a: &str, b: &str) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for byte in a.bytes().chain([0u8]).chain(b.bytes()) {
        h ^= u64::from(byte);
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

struct Spell<'a> {
    grade: u32,
    /// The department, when peers must share it (else always `None`).
    department: Option<&'a str>,
    /// The gender, when peers must share it (symmetric design; else `None`).
    gender: Option<Gender>,
    hire: NaiveDate,
    from: NaiveDate,
    to: NaiveDate, // inclusive
    /// The timeline's index (timelines are numbered in `u32` at ingest).
    employee: u32,
}

/// The pool spells of one grade in (hire date, employee, spell) order, and
/// which of them are active on the current sweep date.
#[derive(Default)]
struct GradeIndex {
    /// (hire date, employee, spell index), in 12 bytes: one entry per
    /// pool spell, held while the peers are matched.
    entries: Vec<(NaiveDate, u32, u32)>,
    /// Each distinct hire date of `entries`, ascending, and where its
    /// entries begin (one more: the end), so that a date's entries are
    /// found by searching this short array rather than `entries`.
    days: Vec<NaiveDate>,
    starts: Vec<u32>,
    active: ActiveSet,
}

impl GradeIndex {
    /// The positions of the entries hired on `date`: from the first at or
    /// after it to the first after it.
    fn day(&self, date: NaiveDate) -> (usize, usize) {
        let i = self.days.partition_point(|d| *d < date);
        let start = self
            .starts
            .get(i)
            .map_or(self.entries.len(), |&s| s as usize);
        let end = match (self.days.get(i), self.starts.get(i + 1)) {
            (Some(d), Some(&e)) if *d == date => e as usize,
            _ => start,
        };
        (start, end)
    }
}

/// Spells of constant grade (and department, with `by_department`) of
/// every employee who never took childcare leave. The state on a day is
/// that after all events dated that day, as [`Timeline::state_on`] has it.
///
/// With `symmetric`, everyone is in the pool until the day before their
/// first childcare absence, spells also carry the gender, and days on any
/// leave are left out (a peer is at work on the return date).
fn peer_pool<'a>(
    ctx: &Context<'a>,
    as_of: NaiveDate,
    by_department: bool,
    symmetric: bool,
) -> Vec<Spell<'a>> {
    // Each timeline's spells, in parallel; `collect` keeps timeline order.
    ctx.timelines()
        .par_iter()
        .enumerate()
        .flat_map_iter(|(i, t)| spells_of(ctx, i, t, as_of, by_department, symmetric))
        .collect()
}

/// One timeline's spells in the pool (see [`peer_pool`]).
fn spells_of<'a>(
    ctx: &Context<'a>,
    i: usize,
    t: &'a Timeline,
    as_of: NaiveDate,
    by_department: bool,
    symmetric: bool,
) -> Vec<Spell<'a>> {
    let mut pool = Vec::new();
    {
        let first_childcare = ctx
            .absences_of(i)
            .iter()
            .find(|a| a.is_childcare())
            .map(|a| a.start);
        if !symmetric && t.has_childcare_leave() {
            return pool;
        }
        let e = t.employee();
        let mut last = e.exit_date.map_or(as_of, |x| x.min(as_of));
        if let Some(c) = first_childcare.filter(|_| symmetric) {
            last = last.min(c.pred_opt().unwrap_or(c));
            if c <= e.hire_date {
                return pool;
            }
        }
        let gender = symmetric.then_some(e.gender);
        let mut grade = e.grade;
        let mut department = e.department.as_deref().filter(|_| by_department);
        let mut on_leave = false;
        let mut from = e.hire_date;
        let close =
            |from: NaiveDate, to: NaiveDate, grade, department, pool: &mut Vec<Spell<'a>>| {
                let to = to.min(last);
                if from <= to {
                    pool.push(Spell {
                        grade,
                        department,
                        gender,
                        hire: e.hire_date,
                        from,
                        to,
                        employee: i as u32,
                    });
                }
            };
        let events = t.events();
        let mut k = 0;
        while k < events.len() {
            // All events of one day, then the state after them.
            let day = events[k].date;
            let (mut g, mut d, mut leave) = (grade, department, on_leave);
            while k < events.len() && events[k].date == day {
                match &events[k].kind {
                    crate::schema::EventKind::Promotion(r)
                    | crate::schema::EventKind::RoleChange(r) => {
                        g = r.grade.unwrap_or(g);
                        if let (Some(x), true) = (&r.department, by_department) {
                            d = Some(&**x);
                        }
                    }
                    crate::schema::EventKind::LeaveStart { .. } if symmetric => leave = true,
                    crate::schema::EventKind::LeaveEnd { .. } if symmetric => leave = false,
                    _ => {}
                }
                k += 1;
            }
            if (g, d, leave) != (grade, department, on_leave) {
                if !on_leave && day > from {
                    close(
                        from,
                        day.pred_opt().unwrap_or(day),
                        grade,
                        department,
                        &mut pool,
                    );
                }
                (grade, department, on_leave) = (g, d, leave);
                from = day;
            }
        }
        if !on_leave {
            close(from, last, grade, department, &mut pool);
        }
    }
    pool
}

/// Months from `index` to the first promotion (`true`) or to censoring;
/// and whether the censoring is the employee leaving. `censor_at` (the
/// start of the next childcare leave, symmetric design) ends the follow-up
/// early when it comes first; a promotion dated that very day still counts
/// (events of a day precede the day's `leave_start`).
fn follow(
    t: &Timeline,
    index: NaiveDate,
    as_of: NaiveDate,
    censor_at: Option<NaiveDate>,
) -> (f64, bool, bool) {
    let mut exit = t.employee().exit_date.filter(|x| *x <= as_of);
    let mut until = exit.unwrap_or(as_of);
    if let Some(c) = censor_at.filter(|c| *c < until) {
        until = c;
        exit = None;
    }
    match t.first_promotion_between(index.succ_opt().unwrap_or(index), until) {
        Some(p) => (months_between(index, p), true, false),
        None => (
            months_between(index, until.max(index)),
            false,
            exit.is_some(),
        ),
    }
}

/// Every pool spell, per (grade, department, gender) in (hire date,
/// employee, spell) order, with a bit set of the spells active on the
/// sweep date.
struct PoolIndex<'a> {
    slot_of: foldhash::HashMap<(u32, Option<&'a str>, Option<Gender>), usize>,
    grades: Vec<GradeIndex>,
}

impl<'a> PoolIndex<'a> {
    fn new(pool: &[Spell<'a>]) -> PoolIndex<'a> {
        // Looked up, never iterated: a fast hasher's order does not matter.
        let mut slot_of: foldhash::HashMap<(u32, Option<&str>, Option<Gender>), usize> =
            foldhash::HashMap::default();
        let mut grades: Vec<GradeIndex> = Vec::new();
        for (si, s) in pool.iter().enumerate() {
            let g = *slot_of
                .entry((s.grade, s.department, s.gender))
                .or_insert_with(|| {
                    grades.push(GradeIndex::default());
                    grades.len() - 1
                });
            grades[g].entries.push((s.hire, s.employee, si as u32));
        }
        // Each slot's entries sorted and its days found, slots side by side.
        grades.par_iter_mut().for_each(|g| {
            g.entries.sort_unstable();
            for (pos, e) in g.entries.iter().enumerate() {
                if g.days.last() != Some(&e.0) {
                    g.days.push(e.0);
                    g.starts.push(pos as u32);
                }
            }
            g.starts.push(g.entries.len() as u32);
            g.active = ActiveSet::new(g.entries.len());
        });
        PoolIndex { slot_of, grades }
    }
}

/// A day as a `u32` in date order (`i32` days with the sign bit flipped).
fn day_key(date: NaiveDate) -> u64 {
    u64::from(date.num_days_from_ce().cast_unsigned() ^ (1 << 31))
}

/// One slot's spells switched on as they begin and off after they end, as
/// the sweep date moves forward: (day, position in the slot's entries)
/// packed in one `u64`, by start day and by end day. Spells switched on (or
/// off) on the same day are switched together, before any return of that
/// date is matched, so their order among themselves does not matter.
struct Sweep {
    adds: Vec<u64>,
    removes: Vec<u64>,
    next_add: usize,
    next_remove: usize,
}

impl Sweep {
    /// The sweep over `spans`, each position's (first, last) day.
    fn new(spans: impl Iterator<Item = (NaiveDate, NaiveDate)> + Clone) -> Sweep {
        let packed = |day: NaiveDate, pos: usize| (day_key(day) << 32) | pos as u64;
        let mut adds: Vec<u64> = spans
            .clone()
            .enumerate()
            .map(|(pos, (from, _))| packed(from, pos))
            .collect();
        let mut removes: Vec<u64> = spans
            .enumerate()
            .map(|(pos, (_, to))| packed(to, pos))
            .collect();
        adds.sort_unstable();
        removes.sort_unstable();
        Sweep {
            adds,
            removes,
            next_add: 0,
            next_remove: 0,
        }
    }

    /// Moves the sweep to `date` (never backwards): afterwards `active`
    /// holds exactly the positions whose span holds `date`.
    fn advance(&mut self, date: NaiveDate, active: &mut ActiveSet) {
        let day = day_key(date);
        let pos = |x: u64| (x & u64::from(u32::MAX)) as usize;
        while let Some(&a) = self.adds.get(self.next_add).filter(|&&a| a >> 32 <= day) {
            active.set(pos(a));
            self.next_add += 1;
        }
        while let Some(&r) = self
            .removes
            .get(self.next_remove)
            .filter(|&&r| r >> 32 < day)
        {
            active.clear(pos(r));
            self.next_remove += 1;
        }
    }
}

/// The `k` active spells of one grade nearest in hire date to `hire`,
/// within `band`: people hired the same day are taken from a starting
/// employee picked by hashing the returner's id (O(k log n) per return,
/// however large the tie), ordered by a hash of the two ids.
fn nearest(
    g: &GradeIndex,
    timelines: &[Timeline],
    id: &str,
    hire: NaiveDate,
    k: usize,
    band: chrono::Duration,
) -> Vec<usize> {
    // First position at or after `date`.
    let at = |date: NaiveDate| g.day(date).0;
    let pivot = (fnv(id, "") % timelines.len().max(1) as u64) as u32;
    let mut candidates: Vec<(u64, usize)> = Vec::new();
    let one_day = chrono::Duration::days(1);
    let (mut below_end, mut above_start) = (hire, hire);
    while candidates.len() < k {
        let nb = g.active.prev(at(below_end)).map(|p| g.entries[p].0);
        let na = g.active.next(at(above_start)).map(|p| g.entries[p].0);
        let d = match (nb, na) {
            (None, None) => break,
            (Some(b), None) => (hire - b).num_days(),
            (None, Some(a)) => (a - hire).num_days(),
            (Some(b), Some(a)) => (hire - b).num_days().min((a - hire).num_days()),
        };
        if d > band.num_days() {
            break;
        }
        let need = k - candidates.len();
        let mut group = Vec::new();
        let dd = chrono::Duration::days(d);
        let mut dates = vec![hire + dd];
        if d > 0 {
            dates.push(hire - dd);
        }
        for date in dates {
            // The entries hired that day, from the first at or after
            // (date, pivot).
            let (start, end) = g.day(date);
            let split = start + g.entries[start..end].partition_point(|e| e.1 < pivot);
            let from_pivot = g
                .active
                .within(split, end)
                .chain(g.active.within(start, split));
            group.extend(
                from_pivot
                    .map(|pos| g.entries[pos].1 as usize)
                    .take(need)
                    .map(|e| (fnv(id, &timelines[e].employee().employee_id), e)),
            );
        }
        group.sort_unstable();
        candidates.extend(group.into_iter().take(need));
        below_end = hire - dd;
        above_start = hire + dd + one_day;
    }
    candidates.truncate(k);
    candidates.into_iter().map(|c| c.1).collect()
}

/// The follow-up of return `ri` (`r`, in state `state`) of the returner
/// herself (`peer` = `None`) or of her matched peer, timeline `peer`: from
/// her return date to a promotion, an exit, the next childcare leave under
/// `censor_at`, or the analysis date.
fn follow_up_of(
    ri: usize,
    r: &Return<'_>,
    state: &State,
    peer: Option<usize>,
    timelines: &[Timeline],
    as_of: NaiveDate,
    censor_at: &(dyn Fn(usize, NaiveDate) -> Option<NaiveDate> + Sync),
) -> FollowUp {
    let (employee, t) = match peer {
        None => (r.employee, r.timeline),
        Some(p) => (p, &timelines[p]),
    };
    let (months, promoted, left) =
        follow(t, r.return_date, as_of, censor_at(employee, r.return_date));
    FollowUp {
        employee,
        return_index: ri as u32,
        index: r.return_date,
        returner: peer.is_none(),
        female: t.employee().gender == Gender::Female,
        grade: state.grade,
        tenure_years: (r.return_date - t.employee().hire_date).num_days() as f64 / DAYS_PER_YEAR,
        worked_years_in_grade: t.worked_years_in_grade(r.return_date),
        months,
        promoted,
        left,
    }
}

impl PeerSample {
    /// Matches peers to every childcare return (see the module docs).
    pub fn build(ctx: &Context<'_>) -> PeerSample {
        let (timelines, returns, config, as_of) =
            (ctx.timelines(), ctx.returns(), ctx.config(), ctx.as_of());
        let by_department = config.peer_same_department();
        let symmetric = config.peers().design == PeerDesign::Symmetric;
        let pool = peer_pool(ctx, as_of, by_department, symmetric);
        let band = chrono::Duration::days(
            (config.peer_tenure_band_years() * DAYS_PER_YEAR).round() as i64,
        );
        let k = config.peers_per_return();
        // Returns of other timelines than `timelines` are skipped.
        let eligible = |r: &Return<'_>| {
            r.absence.is_childcare() && r.return_date < as_of && r.employee < timelines.len()
        };
        // The state on each return date (read in parallel here, and kept by
        // the return for the flags and the gap).
        let states: Vec<Option<&State>> = returns
            .par_iter()
            .map(|r| eligible(r).then(|| r.state_at_return()))
            .collect();
        // Sweep the returns in date order, switching pool spells on as
        // they begin and off after they end, so that on a return date the
        // active spells of her grade nearest in hire date are found by
        // scanning bits outwards from hers. Each slot (grade, department,
        // gender) is swept on its own, slots side by side: a return reads
        // the active spells of her slot only.
        let mut index = PoolIndex::new(&pool);
        // Each slot's returns as (day, return index) packed in one `u64`,
        // to be sorted by date, ties in return order.
        let mut queues: Vec<Vec<u64>> = vec![Vec::new(); index.grades.len()];
        for (ri, (r, state)) in returns.iter().zip(&states).enumerate() {
            let Some(state) = state else { continue };
            let key = (
                state.grade,
                state.department.as_deref().filter(|_| by_department),
                symmetric.then(|| r.gender()),
            );
            if let Some(&gi) = index.slot_of.get(&key) {
                queues[gi].push((day_key(r.return_date) << 32) | ri as u64);
            }
        }
        let found: Vec<Vec<(u32, Vec<usize>)>> = index
            .grades
            .par_iter_mut()
            .zip(queues)
            .map(|(g, mut queue)| {
                if queue.is_empty() {
                    return Vec::new();
                }
                queue.sort_unstable();
                let spans = g.entries.iter().map(|e| {
                    let s = &pool[e.2 as usize];
                    (s.from, s.to)
                });
                let mut sweep = Sweep::new(spans);
                queue
                    .into_iter()
                    .map(|packed| {
                        let ri = (packed & u64::from(u32::MAX)) as u32;
                        let r = &returns[ri as usize];
                        sweep.advance(r.return_date, &mut g.active);
                        let employee = r.timeline.employee();
                        let chosen = nearest(
                            g,
                            timelines,
                            &employee.employee_id,
                            employee.hire_date,
                            k,
                            band,
                        );
                        (ri, chosen)
                    })
                    .collect()
            })
            .collect();
        drop(index);
        let mut matched: Vec<Option<Vec<usize>>> = vec![None; returns.len()];
        for (ri, chosen) in found.into_iter().flatten() {
            matched[ri as usize] = Some(chosen);
        }
        // Symmetric design: everyone is censored at their next childcare leave.
        let next_childcare = |employee: usize, after: NaiveDate| {
            if !symmetric {
                return None;
            }
            ctx.absences_of(employee)
                .iter()
                .find(|a| a.is_childcare() && a.start > after)
                .map(|a| a.start)
        };
        // The returns' own follow-ups, then every peer's (in return order,
        // each return's peers in the order matched), computed in parallel
        // straight into one vector of exactly that length: built per return
        // and then gathered, they were held two or three times over at the
        // analysis' peak memory.
        let followed: Vec<(usize, &State, Vec<usize>)> = returns
            .iter()
            .zip(&states)
            .zip(matched)
            .enumerate()
            .filter(|(_, ((r, _), _))| eligible(r))
            .filter_map(|(ri, ((_, state), chosen))| {
                Some((ri, (*state)?, chosen.unwrap_or_default()))
            })
            .collect();
        let unmatched = followed.iter().filter(|f| f.2.is_empty()).count();
        let pairs: Vec<(u32, usize)> = followed
            .iter()
            .enumerate()
            .flat_map(|(k, f)| f.2.iter().map(move |&p| (k as u32, p)))
            .collect();
        let returned = followed.len();
        let mut follow_ups = Vec::with_capacity(returned + pairs.len());
        let one = |k: usize, peer: Option<usize>| {
            let (ri, state, _) = &followed[k];
            follow_up_of(
                *ri,
                &returns[*ri],
                state,
                peer,
                timelines,
                as_of,
                &next_childcare,
            )
        };
        follow_ups.par_extend((0..returned).into_par_iter().map(|k| one(k, None)));
        // In the order of the peers' timelines (see `locality`).
        extend_in_order(
            &mut follow_ups,
            pairs.len(),
            |j| pairs[j].1,
            |j| one(pairs[j].0 as usize, Some(pairs[j].1)),
        );
        drop(pairs);
        let peers = &follow_ups[returned..];
        let mut by_grade: BTreeMap<u32, Vec<&FollowUp>> = BTreeMap::new();
        for p in peers {
            by_grade.entry(p.grade).or_default().push(p);
        }
        let peer_medians = by_grade
            .iter()
            .filter_map(|(g, v)| km_median(v).map(|m| (*g, m)))
            .collect();
        let overall_peer_median = km_median(&peers.iter().collect::<Vec<_>>());
        PeerSample {
            follow_ups,
            unmatched_returns: unmatched,
            peer_medians,
            overall_peer_median,
        }
    }

    /// Kaplan–Meier median months to promotion of the peers of returns whose
    /// index grade is `grade`, falling back to all peers when that median is
    /// not reached; `None` when neither is.
    pub fn peer_median_months(&self, grade: u32) -> Option<f64> {
        self.peer_medians
            .get(&grade)
            .copied()
            .or(self.overall_peer_median)
    }
}

#[cfg(test)]
mod tests {
    use super::{ActiveSet, Sweep};
    use chrono::NaiveDate;
    use proptest::prelude::*;

    proptest! {
        /// On every date the sweep is moved to, forward, the active
        /// positions are exactly those whose span holds the date (counted
        /// one by one), dates before the common era and repeated days
        /// included.
        #[test]
        fn the_sweep_holds_the_spans_that_hold_the_date(
            spans in proptest::collection::vec(
                (prop_oneof![-3i32..3, -800_000i32..3_000_000], 0i32..400), 0..200),
            mut dates in proptest::collection::vec(prop_oneof![-3i32..3, -800_000i32..3_000_400], 1..40),
        ) {
            let day = |d: i32| NaiveDate::from_num_days_from_ce_opt(d).unwrap();
            let spans: Vec<(NaiveDate, NaiveDate)> =
                spans.iter().map(|&(from, len)| (day(from), day(from + len))).collect();
            dates.sort_unstable();
            let mut active = ActiveSet::new(spans.len());
            let mut sweep = Sweep::new(spans.iter().copied());
            for d in dates {
                sweep.advance(day(d), &mut active);
                let expected: Vec<usize> = (0..spans.len())
                    .filter(|&i| spans[i].0 <= day(d) && day(d) <= spans[i].1)
                    .collect();
                let held: Vec<usize> = active.within(0, spans.len()).collect();
                prop_assert_eq!(held, expected);
            }
        }
    }
}
