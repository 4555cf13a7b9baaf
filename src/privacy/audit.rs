//! The attack the publication must withstand, and the secondary
//! suppression that makes it fail.
//!
//! A [`System`] is a set of cells (people counts and sums of pay), some
//! withheld, tied by sum relations (`total = part + part + …`). A reader
//! who knows every shown cell and every relation knows each withheld count
//! only as a non-negative integer that satisfies them all; the tightest
//! bounds she can reach are the minimum and maximum of that cell over the
//! integer points of the system ([`System::bounds`], over the withheld
//! cells connected to the target only, with `good_lp`'s pure-Rust `microlp`
//! backend). This is the attack of R's sdcTable `attack()` and tau-ARGUS's
//! audit (ESSnet *Handbook on Statistical Disclosure Control*, ch. 4.4).
//!
//! Each bound is first solved as a linear program; when its optimum is
//! integral in every count (always so for tables with margins, whose
//! matrices are totally unimodular) it is the integer bound. When it is
//! fractional, the integer program is solved for components of at most 40
//! withheld cells; above that the linear bound rounded inwards is used,
//! which can only be wider than the integer one (a difference by design
//! from an exact attack, for time and memory; the test suite checks the
//! bounds against brute-force enumeration, and `tests/reference/
//! attack_ledger.py` against scipy's exact MILP on whole reports).
//!
//! [`System::protect`] withholds more cells until every withheld count's
//! interval is at least `min_group_size` wide and every withheld pay sum's
//! interval reaches `p`% of its largest contribution on both sides of it
//! (the p% rule as protection levels), choosing each time the smallest
//! shown cell of a relation that pins a narrow cell (a greedy heuristic:
//! not the fewest cells possible, but every choice is audited again).
//!
//! ```
//! use mommytrack::privacy::{CellKind, System};
//! // 3 + 9 = 12, with the 3 withheld: the total gives it back exactly.
//! let mut s = System::new();
//! let a = s.count(3.0, true);
//! let b = s.count(9.0, false);
//! let t = s.count(12.0, false);
//! s.sum(t, &[a, b]);
//! assert_eq!(s.bounds(a).unwrap(), (3.0, 3.0));
//! let outcome = s.protect(5, 10.0);
//! assert!(outcome.passed);
//! assert!(s.is_withheld(b) || s.is_withheld(t));
//! let (lo, hi) = s.bounds(a).unwrap();
//! assert!(hi - lo >= 5.0);
//! # let _ = CellKind::Count;
//! ```

use good_lp::{variable, variables, Expression, ResolutionError, Solution, SolverModel};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashSet};

/// What a cell holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CellKind {
    /// A number of people: a non-negative integer.
    Count,
    /// A sum of pay: a non-negative real number.
    PaySum,
}

#[derive(Debug, Clone)]
struct Cell {
    kind: CellKind,
    value: f64,
    /// The largest contribution (pay sums).
    largest: f64,
    withheld: bool,
}

/// Above this, a bound is taken as unbounded (the solver's integer
/// variables live in `i32`).
const CAP: f64 = 1.0e9;

/// The most withheld cells a component may have for the integer program
/// to be run when the linear relaxation's optimum is fractional; above
/// it the relaxation's bounds, rounded inwards, are used (branching on
/// hundreds of variables can take minutes and gigabytes).
const IP_LIMIT: usize = 40;

/// Cells, which of them are withheld, and the sum relations between them.
#[derive(Debug, Clone, Default)]
pub struct System {
    cells: Vec<Cell>,
    sums: Vec<(usize, Vec<usize>)>,
    /// For each cell, the relations it is in.
    member_of: Vec<Vec<usize>>,
}

/// What [`System::protect`] did.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Protection {
    /// Cells withheld beyond the primary ones.
    pub secondary: usize,
    /// The smallest width of a withheld count's interval (`None` when no
    /// withheld count has a finite one).
    pub narrowest: Option<f64>,
    /// Every withheld count at least `min_group_size` wide and every
    /// withheld pay sum protected by the p% rule.
    pub passed: bool,
    /// Cells that could not be protected however much was withheld.
    pub unprotected: Vec<usize>,
}

/// A failed solve of the attack's integer program.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("the attack's integer program could not be solved: {0}")]
pub struct AuditError(pub String);

impl System {
    /// An empty system.
    pub fn new() -> System {
        System::default()
    }

    /// Adds a people count; returns its index.
    pub fn count(&mut self, value: f64, withheld: bool) -> usize {
        self.push(Cell {
            kind: CellKind::Count,
            value,
            largest: 0.0,
            withheld,
        })
    }

    /// Adds a sum of pay with its largest contribution; returns its index.
    pub fn pay_sum(&mut self, value: f64, largest: f64, withheld: bool) -> usize {
        self.push(Cell {
            kind: CellKind::PaySum,
            value,
            largest,
            withheld,
        })
    }

    fn push(&mut self, c: Cell) -> usize {
        self.cells.push(c);
        self.member_of.push(Vec::new());
        self.cells.len() - 1
    }

    /// Declares `total = Σ parts`.
    pub fn sum(&mut self, total: usize, parts: &[usize]) {
        let r = self.sums.len();
        let mut members: BTreeSet<usize> = parts.iter().copied().collect();
        members.insert(total);
        for m in members {
            if let Some(v) = self.member_of.get_mut(m) {
                v.push(r);
            }
        }
        self.sums.push((total, parts.to_vec()));
    }

    /// Whether cell `i` is withheld.
    pub fn is_withheld(&self, i: usize) -> bool {
        self.cells.get(i).is_some_and(|c| c.withheld)
    }

    /// Withholds cell `i`.
    pub fn withhold(&mut self, i: usize) {
        if let Some(c) = self.cells.get_mut(i) {
            c.withheld = true;
        }
    }

    /// The number of cells.
    pub fn len(&self) -> usize {
        self.cells.len()
    }

    /// Whether there are no cells.
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// The withheld cells connected to `i` through relations that hold
    /// another withheld cell, `i` first.
    fn component(&self, i: usize) -> Vec<usize> {
        let mut seen: HashSet<usize> = HashSet::from([i]);
        let mut order = vec![i];
        let mut k = 0;
        while k < order.len() {
            let c = order[k];
            k += 1;
            for &r in &self.member_of[c] {
                let (t, parts) = &self.sums[r];
                for &m in std::iter::once(t).chain(parts) {
                    if self.cells[m].withheld && seen.insert(m) {
                        order.push(m);
                    }
                }
            }
        }
        order
    }

    /// The tightest bounds a reader can put on cell `i` from the shown
    /// cells and the relations (`f64::INFINITY` above when unbounded); a
    /// shown cell is its own bounds.
    pub fn bounds(&self, i: usize) -> Result<(f64, f64), AuditError> {
        let Some(cell) = self.cells.get(i) else {
            return Err(AuditError(format!("no cell {i}")));
        };
        if !cell.withheld {
            return Ok((cell.value, cell.value));
        }
        let comp = self.component(i);
        let relations: BTreeSet<usize> = comp
            .iter()
            .flat_map(|&c| self.member_of[c].iter().copied())
            .collect();
        if relations.is_empty() {
            return Ok((0.0, f64::INFINITY));
        }
        // A relation in which `i` is the only withheld cell pins it.
        if self.member_of[i].iter().any(|&r| {
            let (t, parts) = &self.sums[r];
            std::iter::once(t)
                .chain(parts)
                .all(|&m| m == i || !self.cells[m].withheld)
        }) {
            return Ok((cell.value, cell.value));
        }
        // The linear relaxation first: its interval holds the integer one,
        // and is the integer one when its optimal vertex is integral (as it
        // is for tables with margins, whose matrices are totally
        // unimodular). Otherwise the integer program, for components small
        // enough to branch on.
        let integer = cell.kind == CellKind::Count;
        let bound = |maximise: bool| -> Result<f64, AuditError> {
            let (v, integral) = self.solve(i, &comp, &relations, maximise, false)?;
            if !integer || integral || !v.is_finite() || comp.len() > IP_LIMIT {
                return Ok(v);
            }
            Ok(self.solve(i, &comp, &relations, maximise, true)?.0)
        };
        let lo = bound(false)?;
        let hi = bound(true)?;
        Ok(if integer {
            (lo.ceil(), hi.floor())
        } else {
            (lo, hi)
        })
    }

    /// The optimum of cell `target` over the component, and whether the
    /// optimal solution is integral in every count.
    fn solve(
        &self,
        target: usize,
        comp: &[usize],
        relations: &BTreeSet<usize>,
        maximise: bool,
        integer: bool,
    ) -> Result<(f64, bool), AuditError> {
        let mut vars = variables!();
        let x: Vec<_> = comp
            .iter()
            .map(|&c| {
                let v = variable().min(0.0).max(CAP);
                vars.add(if integer && self.cells[c].kind == CellKind::Count {
                    v.integer()
                } else {
                    v
                })
            })
            .collect();
        let term = |m: usize| -> Expression {
            match comp.iter().position(|&c| c == m) {
                Some(k) => Expression::from(x[k]),
                None => Expression::from(self.cells[m].value),
            }
        };
        let objective = Expression::from(x[0]);
        let mut problem = if maximise {
            vars.maximise(objective)
        } else {
            vars.minimise(objective)
        }
        .using(good_lp::microlp);
        for &r in relations {
            let (t, parts) = &self.sums[r];
            let mut rhs = Expression::from(0.0);
            for &p in parts {
                rhs += term(p);
            }
            problem = problem.with(term(*t).eq(rhs));
        }
        debug_assert_eq!(comp[0], target);
        match problem.solve() {
            Ok(s) => {
                let v = s.value(x[0]);
                let integral = comp.iter().zip(&x).all(|(&c, &xc)| {
                    let v = s.value(xc);
                    self.cells[c].kind != CellKind::Count || (v - v.round()).abs() < 1e-7
                });
                let v = if integral { v.round() } else { v };
                Ok((if v >= CAP * 0.5 { f64::INFINITY } else { v }, integral))
            }
            Err(ResolutionError::Unbounded) => Ok((f64::INFINITY, true)),
            Err(e) => Err(AuditError(e.to_string())),
        }
    }

    /// Whether withheld cell `i` is narrower than allowed, given its bounds.
    fn narrow(&self, i: usize, (lo, hi): (f64, f64), min: usize, p: f64) -> bool {
        let c = &self.cells[i];
        match c.kind {
            CellKind::Count => hi.floor() - lo.ceil() < min as f64,
            CellKind::PaySum => {
                let margin = p / 100.0 * c.largest;
                lo > c.value - margin + 1e-9 * c.value.abs().max(1.0)
                    || hi < c.value + margin - 1e-9 * c.value.abs().max(1.0)
            }
        }
    }

    /// Withholds further cells until no withheld cell is narrower than
    /// allowed: counts at least `min_group_size` wide, pay sums at least
    /// `p_percent` of their largest contribution on each side.
    pub fn protect(&mut self, min_group_size: usize, p_percent: f64) -> Protection {
        let mut secondary = 0;
        let mut unprotected = Vec::new();
        // Components already audited and found wide enough, and the bounds
        // of their cells (valid while a component keeps its cells: a
        // newly withheld cell in a relation of it would join it).
        let mut passed: HashSet<Vec<usize>> = HashSet::new();
        let mut cached: std::collections::HashMap<usize, (f64, f64)> = Default::default();
        loop {
            let mut changed = false;
            let mut done: HashSet<usize> = HashSet::new();
            for i in 0..self.cells.len() {
                if !self.cells[i].withheld || done.contains(&i) || unprotected.contains(&i) {
                    continue;
                }
                let mut comp = self.component(i);
                comp.sort_unstable();
                done.extend(comp.iter().copied());
                if passed.contains(&comp) {
                    continue;
                }
                let mut failing = None;
                let mut found = Vec::with_capacity(comp.len());
                for &c in &comp {
                    match self.bounds(c) {
                        Ok(b) if !self.narrow(c, b, min_group_size, p_percent) => {
                            found.push((c, b))
                        }
                        _ => {
                            failing = Some(c);
                            break;
                        }
                    }
                }
                match failing {
                    None => {
                        cached.extend(found);
                        passed.insert(comp);
                    }
                    Some(c) => match self.candidate(c, &comp) {
                        Some(extra) => {
                            self.cells[extra].withheld = true;
                            secondary += 1;
                            changed = true;
                        }
                        None => unprotected.push(c),
                    },
                }
            }
            if !changed {
                break;
            }
        }
        let narrowest = (0..self.cells.len())
            .filter(|&i| self.cells[i].withheld && self.cells[i].kind == CellKind::Count)
            .filter_map(|i| cached.get(&i))
            .map(|(lo, hi)| hi.floor() - lo.ceil())
            .filter(|w| w.is_finite())
            .min_by(f64::total_cmp);
        // Every withheld cell is in a component that passed, or unprotected.
        let all_audited = (0..self.cells.len())
            .filter(|&i| self.cells[i].withheld)
            .all(|i| {
                cached.contains_key(&i)
                    || self.component(i).len() == 1 && self.member_of[i].is_empty()
            });
        Protection {
            secondary,
            narrowest,
            passed: unprotected.is_empty() && all_audited,
            unprotected,
        }
    }

    /// The shown cell to withhold next for narrow cell `c`: in the
    /// relation holding `c` with the fewest withheld cells (one that pins
    /// it), else in any relation holding `c`, else in those of its
    /// component; a part before a total (a table's margins are its
    /// headline figures: a total is withheld only when no part can be),
    /// the smallest positive cell first (a zero adds no room), then the
    /// smallest.
    fn candidate(&self, c: usize, comp: &[usize]) -> Option<usize> {
        let members = |r: usize| {
            let (t, parts) = &self.sums[r];
            std::iter::once(*t).chain(parts.iter().copied())
        };
        let total = |m: usize| self.member_of[m].iter().any(|&r| self.sums[r].0 == m);
        let best = |cells: &mut dyn Iterator<Item = usize>| -> Option<usize> {
            cells.filter(|&m| !self.cells[m].withheld).min_by(|&a, &b| {
                let (va, vb) = (self.cells[a].value, self.cells[b].value);
                total(a)
                    .cmp(&total(b))
                    .then((va <= 0.0).cmp(&(vb <= 0.0)))
                    .then(va.total_cmp(&vb))
                    .then(a.cmp(&b))
            })
        };
        // The relations of `c` that still have a shown cell, fewest
        // withheld first.
        let mut rels: Vec<(usize, usize)> = self.member_of[c]
            .iter()
            .map(|&r| (members(r).filter(|&m| self.cells[m].withheld).count(), r))
            .filter(|&(_, r)| members(r).any(|m| !self.cells[m].withheld))
            .collect();
        rels.sort_unstable();
        if let Some(&(_, r)) = rels.first() {
            return best(&mut members(r));
        }
        let mut all = comp
            .iter()
            .flat_map(|&m| self.member_of[m].iter().copied())
            .collect::<BTreeSet<usize>>()
            .into_iter()
            .flat_map(members);
        best(&mut all)
    }

    /// The smallest width of a withheld count's interval, when any is finite.
    pub fn narrowest(&self) -> Option<f64> {
        (0..self.cells.len())
            .filter(|&i| self.cells[i].withheld && self.cells[i].kind == CellKind::Count)
            .filter_map(|i| self.bounds(i).ok())
            .map(|(lo, hi)| hi.floor() - lo.ceil())
            .filter(|w| w.is_finite())
            .min_by(f64::total_cmp)
    }
}
