//! The promotion gap: returners from childcare leave against matched peers
//! who took none, and mothers against fathers.
//!
//! # Matching
//!
//! For each return from an absence holding maternity, paternity or parental
//! leave (the *index date* is the return date), the peers are employees who
//! never took such leave and who, on the index date, are employed, hold the
//! returner's grade on that date, were hired within
//! `peer_tenure_band_years` of the returner, and (when
//! `peer_same_department`) work in her department. Of those, the
//! `peers_per_return` nearest in hire date are taken; among people hired on
//! the same day, the walk starts at an employee picked by a fixed hash of the
//! returner's id and the chosen few are ordered by a hash of the two ids:
//! exact matching on grade, caliper matching on tenure,
//! k nearest, with replacement (a peer may serve several returns). No seed;
//! the same data always give the same peers.
//!
//! Everyone is followed from the index date to the first promotion (grade
//! increase), censored at exit or the analysis date. A peer who serves
//! several returns contributes one follow-up per return; the Cox standard
//! errors treat those as independent (no robust variance), which makes them
//! slightly narrow when peers repeat often.
//!
//! # Figures
//!
//! Kaplan–Meier of time to promotion for returners and peers; log-rank test;
//! Cox (Efron) with covariates `returner`, `female`, `grade` and
//! `tenure_years` (the headline hazard ratio), and again with
//! `returner_x_female` added; the promotion rate within 1, 2 and 3 years
//! (among those promoted by then or followed that long) with Wilson
//! intervals, the Newcombe interval of the difference, the risk ratio,
//! Fisher's exact test and the adverse impact ratio (four-fifths rule); the
//! same comparison of mothers and fathers; by department, Fisher's test with
//! Benjamini–Hochberg adjustment.

use crate::config::ValidConfig;
use crate::report::Count;
use crate::schema::Gender;
use crate::stats::{
    benjamini_hochberg, logrank, newcombe, wilson, CoxModel, KaplanMeier, TwoByTwo,
};
use crate::timeline::{State, Timeline};
use crate::trajectory::{first_promotion_after, months_between, Return, DAYS_PER_MONTH};
use chrono::NaiveDate;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// One follow-up from an index date to promotion or censoring.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowUp {
    /// Index of the employee in the timelines.
    pub employee: usize,
    /// Index of the return this follow-up belongs to (its own or the one it is a peer of).
    pub return_index: usize,
    /// Whether this is the returner (else a peer).
    pub returner: bool,
    /// The employee is a woman.
    pub female: bool,
    /// Grade on the index date.
    pub grade: u32,
    /// Years since hire on the index date.
    pub tenure_years: f64,
    /// Months to promotion or censoring.
    pub months: f64,
    /// Promoted (else censored).
    pub promoted: bool,
}

/// The matched sample: a follow-up for each childcare return and each of its peers.
#[derive(Debug, Clone, PartialEq)]
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
    hire: NaiveDate,
    from: NaiveDate,
    to: NaiveDate, // inclusive
    employee: usize,
}

/// The pool spells of one grade in (hire date, employee, spell) order, and
/// which of them are active on the current sweep date.
#[derive(Default)]
struct GradeIndex {
    entries: Vec<(NaiveDate, usize, usize)>,
    active: ActiveSet,
}

/// A set of positions `0..n` as bits, with a summary bit per 64-bit word so
/// that the next or previous member is found without walking empty words.
#[derive(Default)]
struct ActiveSet {
    words: Vec<u64>,
    summary: Vec<u64>,
}

impl ActiveSet {
    fn new(n: usize) -> ActiveSet {
        let words = n.div_ceil(64);
        ActiveSet {
            words: vec![0; words],
            summary: vec![0; words.div_ceil(64)],
        }
    }

    fn set(&mut self, i: usize) {
        let w = i / 64;
        self.words[w] |= 1 << (i % 64);
        self.summary[w / 64] |= 1 << (w % 64);
    }

    fn clear(&mut self, i: usize) {
        let w = i / 64;
        self.words[w] &= !(1 << (i % 64));
        if self.words[w] == 0 {
            self.summary[w / 64] &= !(1 << (w % 64));
        }
    }

    /// The first member at or after `i`.
    fn next(&self, i: usize) -> Option<usize> {
        let w = i / 64;
        let m = *self.words.get(w)? & (u64::MAX << (i % 64));
        if m != 0 {
            return Some(w * 64 + m.trailing_zeros() as usize);
        }
        // The first non-empty word after `w`.
        let w = w + 1;
        let mut s = w / 64;
        let mut sm = *self.summary.get(s)? & (u64::MAX << (w % 64));
        loop {
            if sm != 0 {
                let wi = s * 64 + sm.trailing_zeros() as usize;
                return Some(wi * 64 + self.words[wi].trailing_zeros() as usize);
            }
            s += 1;
            sm = *self.summary.get(s)?;
        }
    }

    /// The last member before `i`.
    fn prev(&self, i: usize) -> Option<usize> {
        let j = i
            .checked_sub(1)?
            .min((self.words.len() * 64).checked_sub(1)?);
        let w = j / 64;
        let m = self.words[w] & (u64::MAX >> (63 - j % 64));
        if m != 0 {
            return Some(w * 64 + 63 - m.leading_zeros() as usize);
        }
        // The last non-empty word before `w`.
        let w = w.checked_sub(1)?;
        let mut s = w / 64;
        let mut sm = self.summary[s] & (u64::MAX >> (63 - w % 64));
        loop {
            if sm != 0 {
                let wi = s * 64 + 63 - sm.leading_zeros() as usize;
                return Some(wi * 64 + 63 - self.words[wi].leading_zeros() as usize);
            }
            s = s.checked_sub(1)?;
            sm = self.summary[s];
        }
    }

    /// The members in `from..to`, in order.
    fn within(&self, from: usize, to: usize) -> impl Iterator<Item = usize> + '_ {
        let mut i = from;
        std::iter::from_fn(move || {
            let p = self.next(i).filter(|&p| p < to)?;
            i = p + 1;
            Some(p)
        })
    }
}

/// Spells of constant grade (and department, with `by_department`) of
/// every employee who never took childcare leave. The state on a day is
/// that after all events dated that day, as [`Timeline::state_on`] has it.
fn peer_pool(timelines: &[Timeline], as_of: NaiveDate, by_department: bool) -> Vec<Spell<'_>> {
    let mut pool = Vec::new();
    for (i, t) in timelines.iter().enumerate() {
        if t.has_childcare_leave() {
            continue;
        }
        let e = t.employee();
        let last = e.exit_date.map_or(as_of, |x| x.min(as_of));
        let mut grade = e.grade;
        let mut department = e.department.as_deref().filter(|_| by_department);
        let mut from = e.hire_date;
        for ev in t.events() {
            if let crate::schema::EventKind::Promotion(r)
            | crate::schema::EventKind::RoleChange(r) = &ev.kind
            {
                let g = r.grade.unwrap_or(grade);
                let d = match (&r.department, by_department) {
                    (Some(d), true) => Some(d.as_str()),
                    _ => department,
                };
                if (g, d) != (grade, department) {
                    if ev.date > from {
                        pool.push(Spell {
                            grade,
                            department,
                            hire: e.hire_date,
                            from,
                            to: ev.date.pred_opt().unwrap_or(ev.date),
                            employee: i,
                        });
                    }
                    (grade, department) = (g, d);
                    from = ev.date;
                }
            }
        }
        if from <= last {
            pool.push(Spell {
                grade,
                department,
                hire: e.hire_date,
                from,
                to: last,
                employee: i,
            });
        }
    }
    pool
}

fn follow(t: &Timeline, index: NaiveDate, as_of: NaiveDate) -> (f64, bool) {
    let until = t.employee().exit_date.map_or(as_of, |x| x.min(as_of));
    match first_promotion_after(t, index.succ_opt().unwrap_or(index), until) {
        Some(p) => (months_between(index, p), true),
        None => (months_between(index, until.max(index)), false),
    }
}

impl PeerSample {
    /// Matches peers to every childcare return (see the module docs).
    pub fn build(
        timelines: &[Timeline],
        returns: &[Return<'_>],
        config: &ValidConfig,
        as_of: NaiveDate,
    ) -> PeerSample {
        let by_department = config.peer_same_department();
        let pool = peer_pool(timelines, as_of, by_department);
        let band =
            chrono::Duration::days((config.peer_tenure_band_years() * 365.25).round() as i64);
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
        // Sweep the returns in date order. Every pool spell sits, per grade
        // (and department), in (hire date, employee, spell) order; the sweep
        // switches spells on and off in a bit set over that order, so that
        // on a return date the active spells of her grade nearest in hire
        // date are found by scanning bits outwards from hers.
        let mut grade_slot: HashMap<(u32, Option<&str>), usize> = HashMap::new();
        let mut grades: Vec<GradeIndex> = Vec::new();
        for (si, s) in pool.iter().enumerate() {
            let g = *grade_slot
                .entry((s.grade, s.department))
                .or_insert_with(|| {
                    grades.push(GradeIndex::default());
                    grades.len() - 1
                });
            grades[g].entries.push((s.hire, s.employee, si));
        }
        // Where each spell sits: (grade index, position).
        let mut slot: Vec<(usize, usize)> = vec![(0, 0); pool.len()];
        for (gi, g) in grades.iter_mut().enumerate() {
            g.entries.sort_unstable();
            g.active = ActiveSet::new(g.entries.len());
            for (pos, e) in g.entries.iter().enumerate() {
                slot[e.2] = (gi, pos);
            }
        }
        let mut by_date: Vec<usize> = (0..returns.len())
            .filter(|&i| eligible(&returns[i]))
            .collect();
        by_date.sort_by_key(|&i| returns[i].return_date);
        let mut adds: Vec<usize> = (0..pool.len()).collect();
        adds.sort_unstable_by_key(|&i| (pool[i].from, i));
        let mut removes: Vec<usize> = (0..pool.len()).collect();
        removes.sort_unstable_by_key(|&i| (pool[i].to, i));
        let (mut ai, mut di) = (0, 0);
        let mut matched: Vec<Option<Vec<usize>>> = vec![None; returns.len()];
        for &ri in &by_date {
            let r = &returns[ri];
            while ai < adds.len() && pool[adds[ai]].from <= r.return_date {
                let (gi, pos) = slot[adds[ai]];
                grades[gi].active.set(pos);
                ai += 1;
            }
            while di < removes.len() && pool[removes[di]].to < r.return_date {
                let (gi, pos) = slot[removes[di]];
                grades[gi].active.clear(pos);
                di += 1;
            }
            let Some(state) = states[ri] else { continue };
            let key = (
                state.grade,
                state.department.as_deref().filter(|_| by_department),
            );
            let Some(g) = grade_slot.get(&key).map(|&gi| &grades[gi]) else {
                continue;
            };
            let hire = r.timeline.employee().hire_date;
            let id = &r.timeline.employee().employee_id;
            // First position at or after (date, employee).
            let at = |date: NaiveDate, employee: usize| {
                g.entries.partition_point(|e| (e.0, e.1) < (date, employee))
            };
            // Ties in hire date (many people are hired on the same day) are
            // broken from a starting employee picked by hashing the
            // returner's id: O(k log n) per return, however large the tie.
            let pivot = (fnv(id, "") % timelines.len().max(1) as u64) as usize;
            let mut candidates: Vec<(u64, usize)> = Vec::new();
            let one_day = chrono::Duration::days(1);
            let (mut below_end, mut above_start) = (hire, hire);
            while candidates.len() < k {
                let nb = g.active.prev(at(below_end, 0)).map(|p| g.entries[p].0);
                let na = g.active.next(at(above_start, 0)).map(|p| g.entries[p].0);
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
                    let start = at(date, 0);
                    let split = at(date, pivot);
                    let end = g.entries.partition_point(|e| e.0 <= date);
                    let from_pivot = g
                        .active
                        .within(split, end)
                        .chain(g.active.within(start, split));
                    group.extend(
                        from_pivot
                            .map(|pos| g.entries[pos].1)
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
            matched[ri] = Some(candidates.into_iter().map(|c| c.1).collect());
        }
        // Each return's follow-ups, in parallel (`collect` keeps the order).
        let per_return: Vec<Option<(FollowUp, Vec<FollowUp>)>> = returns
            .par_iter()
            .zip(&states)
            .zip(matched)
            .enumerate()
            .map(|(ri, ((r, state), chosen))| {
                if !eligible(r) {
                    return None;
                }
                let state = (*state)?;
                let hire = r.timeline.employee().hire_date;
                let tenure = |h: NaiveDate| (r.return_date - h).num_days() as f64 / 365.25;
                let (months, promoted) = follow(r.timeline, r.return_date, as_of);
                let own = FollowUp {
                    employee: r.employee,
                    return_index: ri,
                    returner: true,
                    female: r.gender() == Gender::Female,
                    grade: state.grade,
                    tenure_years: tenure(hire),
                    months,
                    promoted,
                };
                let peers = chosen
                    .unwrap_or_default()
                    .into_iter()
                    .map(|p| {
                        let t = &timelines[p];
                        let (months, promoted) = follow(t, r.return_date, as_of);
                        FollowUp {
                            employee: p,
                            return_index: ri,
                            returner: false,
                            female: t.employee().gender == Gender::Female,
                            grade: state.grade,
                            tenure_years: tenure(t.employee().hire_date),
                            months,
                            promoted,
                        }
                    })
                    .collect();
                Some((own, peers))
            })
            .collect();
        let mut follow_ups = Vec::new();
        let mut peers = Vec::new();
        let mut unmatched = 0;
        for (own, chosen) in per_return.into_iter().flatten() {
            follow_ups.push(own);
            unmatched += usize::from(chosen.is_empty());
            peers.extend(chosen);
        }
        let mut by_grade: BTreeMap<u32, Vec<&FollowUp>> = BTreeMap::new();
        for p in &peers {
            by_grade.entry(p.grade).or_default().push(p);
        }
        let peer_medians = by_grade
            .iter()
            .filter_map(|(g, v)| km_median(v).map(|m| (*g, m)))
            .collect();
        let overall_peer_median = km_median(&peers.iter().collect::<Vec<_>>());
        follow_ups.extend(peers);
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

/// A Cox hazard ratio as `report.json` shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HazardRatio {
    /// Covariate.
    pub covariate: String,
    /// exp(coef).
    pub hazard_ratio: f64,
    /// Lower confidence bound.
    pub ci_lower: f64,
    /// Upper confidence bound.
    pub ci_upper: f64,
    /// Wald p-value.
    pub p_value: f64,
}

/// A promotion rate with its Wilson interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    /// Promotion rates within 1, 2 and 3 years.
    pub rates: Vec<RateComparison>,
    /// Kaplan–Meier curve of the first group (`None` when suppressed).
    pub group_curve: Option<Curve>,
    /// Kaplan–Meier curve of the reference group.
    pub reference_curve: Option<Curve>,
}

/// A Kaplan–Meier curve: the share not yet promoted at each event time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Curve {
    /// Months since the index date.
    pub months: Vec<f64>,
    /// Share not yet promoted.
    pub survival: Vec<f64>,
}

/// The promotion gap in one department.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    let h = f64::from(years) * 365.25 / DAYS_PER_MONTH;
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
    let cols: Vec<(&str, Vec<f64>)> = covariates
        .iter()
        .map(|(name, f)| {
            (
                *name,
                all.iter().map(|(x, ga)| f(x, *ga)).collect::<Vec<f64>>(),
            )
        })
        .filter(|(_, v)| v.iter().any(|x| *x != v[0]))
        .collect();
    let names: Vec<&str> = cols.iter().map(|c| c.0).collect();
    let slices: Vec<&[f64]> = cols.iter().map(|c| c.1.as_slice()).collect();
    let model = CoxModel {
        level,
        ..CoxModel::default()
    };
    let fit = model
        .fit(&d, &e, &slices, &names, None)
        .map_err(|err| err.to_string())?;
    Ok(fit
        .coefficients
        .iter()
        .map(|c| HazardRatio {
            covariate: c.name.clone(),
            hazard_ratio: c.hazard_ratio,
            ci_lower: c.hr_ci_lower,
            ci_upper: c.hr_ci_upper,
            p_value: c.p_value,
        })
        .collect())
}

/// A covariate column: its value for a follow-up in the first group (`true`) or the reference.
type Covariate<'a> = &'a (dyn Fn(&FollowUp, bool) -> f64 + Sync);

fn compare(
    a: &[&FollowUp],
    b: &[&FollowUp],
    first: &str,
    covariates: &[(&str, Covariate<'_>)],
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
    let curve = |k: &Option<KaplanMeier>| {
        k.as_ref().map(|k| {
            // Event times only: censoring-only points do not move the curve.
            let pts: Vec<_> = k.points.iter().filter(|p| p.events > 0).collect();
            Curve {
                months: pts.iter().map(|p| p.time).collect(),
                survival: pts.iter().map(|p| p.survival).collect(),
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
        match fit_cox(a, b, covariates, level) {
            Ok(terms) => (terms, None),
            Err(err) => (Vec::new(), Some(err)),
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
        group_curve: curve(&km_a),
        reference_curve: curve(&km_b),
        logrank_p_value,
        cox,
        cox_terms,
        cox_error,
        cox_interaction_terms: Vec::new(),
        rates: [1, 2, 3]
            .iter()
            .map(|&y| compare_rates(a, b, y, config))
            .collect(),
    }
}

impl PromotionGap {
    /// Compares returners with their peers, mothers with fathers, and by department.
    pub fn new(
        timelines: &[Timeline],
        returns: &[Return<'_>],
        sample: &PeerSample,
        config: &ValidConfig,
        as_of: NaiveDate,
    ) -> PromotionGap {
        let min = config.min_group_size();
        let returners: Vec<&FollowUp> = sample.follow_ups.iter().filter(|x| x.returner).collect();
        let peers: Vec<&FollowUp> = sample.follow_ups.iter().filter(|x| !x.returner).collect();
        let f = |x: &FollowUp| f64::from(u8::from(x.female));
        let returner = |x: &FollowUp, _| f64::from(u8::from(x.returner));
        let female = |x: &FollowUp, _| f(x);
        let grade = |x: &FollowUp, _| f64::from(x.grade);
        let tenure = |x: &FollowUp, _| x.tenure_years;
        let interaction = |x: &FollowUp, _| f64::from(u8::from(x.returner)) * f(x);
        // The headline model, and the same with the returner × female
        // interaction (there the `returner` term is the effect for men, so
        // it is reported apart), fitted side by side.
        let (mut returners_vs_peers, interaction_terms) = rayon::join(
            || {
                compare(
                    &returners,
                    &peers,
                    "returner",
                    &[
                        ("returner", &returner),
                        ("female", &female),
                        ("grade", &grade),
                        ("tenure_years", &tenure),
                    ],
                    config,
                )
            },
            || {
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
            },
        );
        if returners_vs_peers.cox_error.is_none() {
            returners_vs_peers.cox_interaction_terms = interaction_terms.unwrap_or_default();
        }
        let mothers: Vec<&FollowUp> = returners.iter().copied().filter(|x| x.female).collect();
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
        let mothers_vs_fathers = compare(
            &mothers,
            &fathers,
            "mother",
            &[
                ("mother", &|_, a| f64::from(u8::from(a))),
                ("grade", &|x, _| f64::from(x.grade)),
                ("tenure_years", &|x, _| x.tenure_years),
            ],
            config,
        );
        // By department of the returner at the index date.
        let mut by_dept: BTreeMap<String, (Vec<&FollowUp>, Vec<&FollowUp>)> = BTreeMap::new();
        let dept_of_return: HashMap<usize, String> = returners
            .iter()
            .filter_map(|x| {
                let r = returns.get(x.return_index)?;
                Some((
                    x.return_index,
                    r.state_at_return()
                        .department
                        .clone()
                        .unwrap_or_else(|| "(none)".into()),
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
        let _ = as_of;
        PromotionGap {
            matching: format!(
                "exact grade at the return date, hire date within {} years, {}{} nearest peers with replacement, no childcare leave ever",
                config.peer_tenure_band_years(),
                if config.peer_same_department() { "same department, " } else { "" },
                config.peers_per_return()
            ),
            unmatched_returns: Count::new(sample.unmatched_returns as u64, min),
            returners_vs_peers,
            mothers_vs_fathers,
            by_department,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ActiveSet;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    proptest! {
        /// The bit set answers next / previous / range queries exactly as a
        /// `BTreeSet` holding the same members does, after any sequence of
        /// insertions and removals (sizes cross the 64- and 4096-bit words).
        #[test]
        fn active_set_agrees_with_btreeset(
            n in 1usize..9000,
            ops in proptest::collection::vec((any::<bool>(), any::<usize>()), 0..400),
            probes in proptest::collection::vec(any::<usize>(), 1..40),
        ) {
            let mut bits = ActiveSet::new(n);
            let mut set = BTreeSet::new();
            for (insert, i) in ops {
                let i = i % n;
                if insert {
                    bits.set(i);
                    set.insert(i);
                } else {
                    bits.clear(i);
                    set.remove(&i);
                }
            }
            for p in probes {
                let i = p % (n + 2);
                prop_assert_eq!(bits.next(i), set.range(i..).next().copied());
                prop_assert_eq!(bits.prev(i), set.range(..i).next_back().copied());
                let j = (i + p % 700).min(n + 1);
                let got: Vec<usize> = bits.within(i, j).collect();
                let want: Vec<usize> = set.range(i..j.max(i)).copied().collect();
                prop_assert_eq!(got, want);
            }
        }
    }
}
