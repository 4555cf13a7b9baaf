//! The promotion stall as a test: for each childcare return, how unlikely
//! her promotion-free time since the return is for someone like her.
//!
//! # Method
//!
//! The reference is the matched peers' own follow-ups ([`super::peers`]):
//! time from the return date to the first promotion, censored as the
//! headline design censors. A Cox model (Efron ties) is fitted on them,
//! **stratified by the grade held on the return date** (each grade its own
//! baseline hazard), with the person's **rating level** as covariate: the
//! mean of every rating dated before the return date (ratings are the best
//! proxy the data hold for ability, and ability drives promotion: a strong
//! performer left unpromoted is far stronger evidence than an average one),
//! centred on the peers' mean, with a `no_rating` indicator for people with
//! none (their level set to the centre).
//!
//! For a returner followed `t` months since her return without a promotion,
//! `stall_p = S(t | her rating level, her grade)`, the model's probability
//! that someone like her is still unpromoted after as long
//! ([`CoxSurvival`], Breslow's baseline); a returner promoted in her
//! follow-up has `stall_p = 1`. `promotion_stall` is flagged when `stall_p`
//! is below `[flags] stall_level`. A return followed too briefly for even
//! no promotion at all to reach that level gets no flag; how many such
//! returns there are is counted in [`StallSummary::too_short`].
//!
//! # Who is stalled: the mixture posterior
//!
//! A p-value says how unusual her wait is, not how likely she is to be
//! stalled: that depends on how common stalls are among returns, which the
//! returns themselves tell. Each returner's promotion record is read as one
//! of two kinds, promoted at a multiple of the rate of peers like her
//! (cumulative hazard `Hᵢ = −ln S(tᵢ | her level, her grade)` over her
//! follow-up): *stalled*, at `φ` times that rate, or *on track*, at `ρ`
//! times it, `φ < ρ ≤ 1` (`ρ` is estimated, so that a slower pace shared
//! by all returners, which the promotion gap reports, is not read as
//! stalls; it is held at most 1, the peers' own rate, because unbounded
//! EM splits the returners of a small data set into a fast and a slow
//! group, neither of them a stall). With `π` the share stalled and `dᵢ` = 1 when she was
//! promoted, her likelihood is `π·φ^dᵢ·e^(−φHᵢ) + (1−π)·ρ^dᵢ·e^(−ρHᵢ)`;
//! `π`, `φ` and `ρ` are the maximum-likelihood estimates over all childcare returns with a
//! follow-up, found by EM (Dempster, Laird & Rubin 1977) to reach the
//! maximum's basin, then Newton's method to converge where the likelihood
//! is flat and EM crawls ([`StallMixture::fit`], checked against scipy on
//! 1,500, 227,919, 11,342 and 16,026 returns, the last two with the maximum
//! at `φ` = 0, the last also at `ρ` = 1).
//! Her posterior probability of being stalled,
//! `π·φ^dᵢ·e^(−φHᵢ) ÷ (π·φ^dᵢ·e^(−φHᵢ) + (1−π)·ρ^dᵢ·e^(−ρHᵢ))`, grows with
//! every promotion-free month, the faster the more promotable peers like
//! her are. `flags.csv` carries it as `stall_posterior`. Her own record's
//! weight of evidence is the Bayes factor `(φ/ρ)^dᵢ·e^((ρ−φ)Hᵢ)`: how many
//! times more likely her record is if stalled than if on track.
//!
//! With `stall_rule = "posterior"` (the default) the flagged returns are
//! the unpromoted ones whose Bayes factor reaches `stall_bayes_factor` (2:
//! her own record must favour a stall at least two to one, so that the
//! share of stalls among returns alone never flags anyone) and, of those,
//! the most probable, as many as keep the mean of `1 − posterior` over them
//! (the expected share of false flags) within `stall_fdr` (0.35): a Bayesian
//! false discovery rate ([`fdr_set`]; Newton et al. 2004). On generated
//! data (`examples/evaluate.rs`, 50,000 employees) the flagged share truly
//! stalled was 0.639–0.663 at recall 0.450–0.493 (the README's long-career
//! setting, seeds 1–4) and 0.633–0.721 where stalled returners are promoted
//! at a fifth of the rate (seeds 1–2); at 0.3 it was 0.677–0.703 at recall
//! 0.391–0.424 and 0.663–0.746. The default aims a little above a precision
//! of 0.6 rather than at 0.7: that keeps the realised precision above 0.6
//! on every setting tried while finding about 0.06 more of the stalls. Where the returns
//! show no stalled group (`π` at 0, or `φ` not below `ρ`), or the
//! maximisation does not converge (`report.json` then says
//! `concentration.stall.mixture_converged: false`), no posterior is given
//! and nothing is flagged; so is a data set with one return, which is no
//! population to fit. With `stall_rule = "test"` a return is flagged when
//! `stall_p` is below `stall_level` instead.
//!
//! The p-value is exact for the fitted model; the model's own uncertainty
//! (its coefficients and baseline come from the peers) is not carried into
//! it, which makes it somewhat too small where peers at her grade are few.

use super::gap::Design;
use super::locality::extend_in_order;
use super::peers::{FollowUp, PeerSample};
use super::Context;
use crate::config::{StallRule, ValidConfig};
use crate::dates::add_months;
use crate::schema::EventKind;
use crate::stats::{CoxModel, CoxSurvival};
use crate::suppress::Count;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// The stall test of one return.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StallScore {
    /// Months followed since the return (to promotion or censoring).
    pub months_followed: f64,
    /// Promoted within the follow-up.
    pub promoted: bool,
    /// The probability that someone like her is still unpromoted after as
    /// long (1 when she was promoted).
    pub stall_p: f64,
    /// Her rating level (mean of her ratings outside the post-return
    /// window), if any.
    pub rating_level: Option<f64>,
    /// The posterior probability that she is stalled (see the module
    /// docs), when the returns show a stalled group.
    pub posterior: Option<f64>,
    /// How many times more likely her promotion record is if she is
    /// stalled than if on track (the Bayes factor; see the module docs).
    pub bayes_factor: Option<f64>,
    /// Flagged as a `promotion_stall` by the configured rule (`posterior`
    /// or `test`).
    pub stalled: bool,
}

/// The stall test of every return, and the mixture fitted to them.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct StallScores {
    /// By return index; `None` for returns without a follow-up (such as
    /// non-childcare ones), and all `None` when the peers' model cannot be
    /// fitted.
    pub scores: Vec<Option<StallScore>>,
    /// The two-kind model of the returners' promotions, when the returns
    /// show a stalled group.
    pub mixture: Option<StallMixture>,
}

/// The two-kind model of returners' promotion records: a share `share` of
/// them promoted at `factor` times the rate of peers like them, the rest
/// at the peers' rate (see the module docs).
///
/// ```
/// use mommytrack::analysis::stall::StallMixture;
/// // Returners promoted early, and others still waiting after long
/// // stretches in which peers like them would mostly have been promoted.
/// let d = [true, true, true, true, false, false, false, false];
/// let h = [0.2, 0.4, 0.5, 0.7, 0.3, 2.5, 3.0, 4.0];
/// let m = StallMixture::fit(&d, &h).unwrap();
/// assert!(m.factor < 1.0 && m.share > 0.0 && m.share < 1.0);
/// // Her posterior grows with her wait; a promotion lowers it.
/// assert!(m.posterior(false, 4.0) > m.posterior(false, 0.3));
/// assert!(m.posterior(true, 0.3) < m.posterior(false, 0.3));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StallMixture {
    /// The share of returners stalled, `π`.
    pub share: f64,
    /// Their promotion rate as a multiple of peers like them, `φ`.
    pub factor: f64,
    /// The other returners' promotion rate as a multiple of peers like
    /// them, `ρ`, at most 1.
    pub on_track: f64,
    /// The maximised log-likelihood (terms not depending on `π`, `φ` left out).
    pub log_likelihood: f64,
    /// Iterations taken (EM, then Newton).
    pub iterations: u32,
    /// Whether the maximisation converged. When it did not, no posterior
    /// is given and nothing is flagged by the posterior rule.
    pub converged: bool,
}

impl StallMixture {
    /// Fits `π` and `φ` by EM to returners promoted or not (`promoted`) with
    /// cumulative hazards `hazard` under the peers' model. `None` when
    /// there is nothing to fit (no returner, lengths differ, a hazard not
    /// finite and non-negative) or the fit shows no stalled group (`π` at
    /// 0, or `φ` not below `ρ`).
    pub fn fit(promoted: &[bool], hazard: &[f64]) -> Option<StallMixture> {
        if promoted.is_empty()
            || promoted.len() != hazard.len()
            || hazard.iter().any(|h| !(h.is_finite() && *h >= 0.0))
        {
            return None;
        }
        // EM, accelerated by SQUAREM (Varadhan & Roland, Scand. J. Stat.
        // 35, 2008): two EM steps give a direction, a step along it is
        // taken when it does not lower the likelihood, else the plain EM
        // step is kept (so the likelihood never falls). EM finds the basin
        // of the maximum from any start, but crawls where the likelihood
        // is flat (on 228k returns it had not converged after 500 steps):
        // a few dozen steps, then Newton's method finishes.
        let n = hazard.len() as f64;
        let mut theta = [0.2, 0.2, 1.0];
        let mut last = f64::NEG_INFINITY;
        let mut iterations = 0;
        let mut w = vec![0.0; hazard.len()];
        while iterations < Self::EM_STEPS {
            iterations += 1;
            let (t1, ll0) = Self::em_step(promoted, hazard, theta, &mut w);
            let (t2, ll1) = Self::em_step(promoted, hazard, t1, &mut w);
            let r: Vec<f64> = (0..3).map(|k| t1[k] - theta[k]).collect();
            let v: Vec<f64> = (0..3).map(|k| t2[k] - t1[k] - r[k]).collect();
            let norm = |x: &[f64]| x.iter().map(|a| a * a).sum::<f64>().sqrt();
            let next = if norm(&v) > 0.0 {
                let alpha = (-norm(&r) / norm(&v)).min(-1.0);
                let jump = Self::feasible(std::array::from_fn(|k| {
                    theta[k] - 2.0 * alpha * r[k] + alpha * alpha * v[k]
                }));
                let (t3, ll_jump) = Self::em_step(promoted, hazard, jump, &mut w);
                if ll_jump >= ll1 {
                    t3
                } else {
                    t2
                }
            } else {
                t2
            };
            let settled =
                norm(&r) <= 1e-12 || ((ll0 - last).abs() <= 1e-14 * n && norm(&r) <= 1e-9);
            last = ll0;
            theta = next;
            if settled {
                break;
            }
        }
        // No stalled group (the share or the gap between the rates gone to
        // nothing): there is no interior maximum for Newton to find.
        let degenerate = |t: [f64; 3]| t[0] <= 1e-9 || t[1] >= t[2];
        let mut converged = false;
        if !degenerate(theta) && last.is_finite() {
            let (t, steps, ok) = Self::newton(promoted, hazard, theta);
            theta = t;
            iterations += steps;
            converged = ok;
        }
        let [share, factor, on_track] = theta;
        // The log-likelihood at the final estimates.
        let last = if last.is_finite() {
            Self::em_step(promoted, hazard, theta, &mut w).1
        } else {
            last
        };
        (!degenerate(theta) && last.is_finite()).then_some(StallMixture {
            share,
            factor,
            on_track,
            log_likelihood: last,
            iterations,
            converged,
        })
    }

    /// EM steps (each two plus a SQUAREM jump) before Newton's method.
    const EM_STEPS: u32 = 30;
    /// Newton steps at most.
    const NEWTON_STEPS: u32 = 100;

    /// The log-likelihood, its gradient and its Hessian in (`π`, `φ`, `ρ`)
    /// at `theta`. With `w` her posterior of being stalled and `u = d/φ −
    /// H`, `v = d/ρ − H`, her scores are `w/π − (1−w)/(1−π)`, `w·u`,
    /// `(1−w)·v`, and each second derivative is her likelihood's second
    /// derivative over her likelihood less the product of the scores.
    fn derivatives(
        promoted: &[bool],
        hazard: &[f64],
        theta: [f64; 3],
    ) -> (f64, [f64; 3], [[f64; 3]; 3]) {
        let [share, factor, on_track] = theta;
        let logs = Logs::new(theta);
        let (mut ll, mut g, mut hess) = (0.0, [0.0; 3], [[0.0; 3]; 3]);
        for (&d, &h) in promoted.iter().zip(hazard) {
            let df = f64::from(u8::from(d));
            let (a, b) = logs.parts(d, h);
            let top = a.max(b);
            ll += top + ((a - top).exp() + (b - top).exp()).ln();
            let w = 1.0 / (1.0 + (b - a).exp());
            let (u, v) = (df / factor - h, df / on_track - h);
            // At `φ = 0` her score in `φ` is its limit from above (`w·u`
            // tends to `π/Lᵢ = e^(ln π − b)` when promoted, `w` being 0
            // there); the second derivatives in `φ` are not needed there
            // (Newton holds `φ` at 0) and are left at 0.
            let (s_factor, second_factor) = if factor > 0.0 {
                (w * u, [w / share * u, w * (u * u - df / (factor * factor))])
            } else if d {
                ((logs.share - b).exp(), [0.0; 2])
            } else {
                (-w * h, [0.0; 2])
            };
            let s = [
                w / share - (1.0 - w) / (1.0 - share),
                s_factor,
                (1.0 - w) * v,
            ];
            let second = [
                [0.0, second_factor[0], -(1.0 - w) / (1.0 - share) * v],
                [0.0, second_factor[1], 0.0],
                [0.0, 0.0, (1.0 - w) * (v * v - df / (on_track * on_track))],
            ];
            for j in 0..3 {
                g[j] += s[j];
                for k in j..3 {
                    hess[j][k] += second[j][k] - s[j] * s[k];
                }
            }
        }
        // The lower triangle from the upper one.
        let hess = std::array::from_fn(|j| std::array::from_fn(|k| hess[j.min(k)][j.max(k)]));
        (ll, g, hess)
    }

    /// Newton's method from `theta` within `0 < π < 1`, `0 ≤ φ < ρ ≤ 1`:
    /// `φ` is held at 0, and `ρ` at 1, while the likelihood rises beyond
    /// them; a step that
    /// would leave the space or lower the likelihood is halved; where the
    /// Hessian is not negative definite it is shifted until it is
    /// (Levenberg). Stops when the Newton decrement `gᵀ(−H)⁻¹g` is below
    /// 1e-18 per returner (the estimates then move no further in double
    /// precision). Returns the estimates, the steps taken and whether it
    /// stopped so.
    fn newton(promoted: &[bool], hazard: &[f64], mut theta: [f64; 3]) -> ([f64; 3], u32, bool) {
        use nalgebra::{DMatrix, DVector};
        let n = hazard.len() as f64;
        let loglik = |t: [f64; 3]| Self::derivatives(promoted, hazard, t).0;
        for step in 1..=Self::NEWTON_STEPS {
            let (ll, g, hess) = Self::derivatives(promoted, hazard, theta);
            if !ll.is_finite() {
                return (theta, step, false);
            }
            // `φ` within 1e-8 of 0 (relative to `ρ`), or `ρ` within 1e-12
            // of 1, with the likelihood rising towards the bound: onto the
            // bound, where the next step holds it. EM approaches a bound
            // only geometrically, and a Newton step from just inside it
            // that crosses it is cut back to the bound, where the
            // likelihood can no longer be told from its value just inside:
            // every step was refused, and the fit reported no convergence
            // with `φ` at 2e-15 (a case `the_fit_converges_to_a_maximum`
            // in tests/stall_mixture.rs found).
            let snap_factor = theta[1] > 0.0 && theta[1] <= 1e-8 * theta[2] && g[1] < 0.0;
            let snap_on_track = theta[2] < 1.0 && theta[2] >= 1.0 - 1e-12 && g[2] > 0.0;
            if snap_factor || snap_on_track {
                if snap_factor {
                    theta[1] = 0.0;
                }
                if snap_on_track {
                    theta[2] = 1.0;
                }
                continue;
            }
            // `φ` at 0 with the likelihood rising from there: a small step
            // in, where the derivatives are those of the interior.
            if theta[1] <= 0.0 && g[1] > 0.0 {
                theta[1] = 1e-6 * theta[2];
                continue;
            }
            let pinned = theta[2] >= 1.0 && g[2] >= 0.0;
            if pinned {
                theta[2] = 1.0;
            }
            let free: Vec<usize> = [0, 1, 2]
                .into_iter()
                .filter(|&k| match k {
                    1 => theta[1] > 0.0,
                    2 => !pinned,
                    _ => true,
                })
                .collect();
            let m = free.len();
            let neg = DMatrix::from_fn(m, m, |i, j| -hess[free[i]][free[j]]);
            let grad = DVector::from_fn(m, |i, _| g[free[i]]);
            let scale = (0..m)
                .map(|i| neg[(i, i)].abs())
                .fold(0.0, f64::max)
                .max(1e-300);
            let mut shift = 0.0;
            let dir = loop {
                let shifted = &neg + DMatrix::identity(m, m) * shift;
                if let Some(chol) = shifted.cholesky() {
                    break chol.solve(&grad);
                }
                shift = if shift == 0.0 {
                    1e-10 * scale
                } else {
                    shift * 10.0
                };
                if shift > 1e10 * scale {
                    return (theta, step, false);
                }
            };
            let decrement = grad.dot(&dir);
            if decrement.is_finite() && decrement <= 1e-18 * n {
                return (theta, step, true);
            }
            // The rise a full step promises (half the decrement), when it
            // is below what the log-likelihood, a sum of `n` terms, can
            // resolve: comparing the two sums then compares their
            // rounding, which can refuse every step and leave the
            // estimates short of the maximum (on 16,026 returns, the share
            // stuck 2e-9 from it with its score at 6e-5). Close enough to
            // the maximum for that, Newton's full step is taken as it is.
            let unresolvable = 0.5 * decrement <= 1e-12 * ll.abs().max(1.0);
            let mut t = 1.0;
            loop {
                let mut cand = theta;
                for (i, &k) in free.iter().enumerate() {
                    cand[k] = theta[k] + t * dir[i];
                }
                // Onto the bounds `φ ≥ 0` and `ρ ≤ 1` (held there next step
                // while the likelihood rises beyond them).
                cand[1] = cand[1].max(0.0);
                cand[2] = cand[2].min(1.0);
                if cand == theta {
                    // A step too small to change the estimates in double
                    // precision: they are at the maximum as far as it can
                    // be told.
                    return (theta, step, decrement <= 1e-9 * n);
                }
                let inside = cand[0] > 0.0 && cand[0] < 1.0 && cand[1] < cand[2];
                if inside && ((unresolvable && t == 1.0) || loglik(cand) >= ll) {
                    theta = cand;
                    break;
                }
                t /= 2.0;
                if t < 1e-12 {
                    // No step along the direction raises the likelihood:
                    // at the maximum to machine precision, or stuck.
                    return (theta, step, decrement <= 1e-9 * n);
                }
            }
        }
        (theta, Self::NEWTON_STEPS, false)
    }

    /// One EM step from `theta` = (`π`, `φ`, `ρ`): the next estimates, and
    /// the log-likelihood at `theta`. `w` is scratch space, one per returner.
    fn em_step(
        promoted: &[bool],
        hazard: &[f64],
        theta: [f64; 3],
        w: &mut [f64],
    ) -> ([f64; 3], f64) {
        let mut ll = 0.0;
        // `Logs::parts` with its logarithms taken once, and no exponential
        // taken twice: exp(0) is exactly 1, and when `a` is the larger
        // part, e^(b − top) is the e^(b − a) of the weight. The values are
        // the same to the bit.
        let logs = Logs::new(theta);
        for ((wi, &d), &h) in w.iter_mut().zip(promoted).zip(hazard) {
            let (a, b) = logs.parts(d, h);
            let top = a.max(b);
            let (da, db) = (a - top, b - top);
            let ea = if da == 0.0 { 1.0 } else { da.exp() };
            let eb = if db == 0.0 { 1.0 } else { db.exp() };
            ll += top + (ea + eb).ln();
            let b_over_a = if top == a && db == b - a {
                eb
            } else {
                (b - a).exp()
            };
            *wi = 1.0 / (1.0 + b_over_a);
        }
        // Each kind's rate: its expected promotions over its expected
        // exposure; on track at most the peers' rate (the likelihood is
        // concave in each rate, so the clipped step is the constrained
        // maximum).
        let (mut events, mut exposure, mut stalled) = ([0.0; 2], [0.0; 2], 0.0);
        for ((wi, &d), &h) in w.iter().zip(promoted).zip(hazard) {
            let d = f64::from(u8::from(d));
            stalled += wi;
            events[0] += wi * d;
            exposure[0] += wi * h;
            events[1] += (1.0 - wi) * d;
            exposure[1] += (1.0 - wi) * h;
        }
        let rate = |k: usize| {
            if exposure[k] > 0.0 {
                events[k] / exposure[k]
            } else {
                1.0
            }
        };
        let on_track = rate(1).min(1.0);
        let next = [stalled / w.len() as f64, rate(0).min(on_track), on_track];
        (next, ll)
    }

    /// `theta` moved into the parameter space: `0 < π < 1`, `0 ≤ φ ≤ ρ ≤ 1`.
    fn feasible(theta: [f64; 3]) -> [f64; 3] {
        let fix = |x: f64, lo: f64, hi: f64| if x.is_nan() { hi } else { x.clamp(lo, hi) };
        let on_track = fix(theta[2], 1e-12, 1.0);
        [
            fix(theta[0], 1e-12, 1.0 - 1e-12),
            fix(theta[1], 0.0, on_track),
            on_track,
        ]
    }

    /// How many times more likely a record (promoted or not, cumulative
    /// hazard `hazard`) is for a stalled returner than for one on track:
    /// `(φ/ρ)^d · e^((ρ−φ)·hazard)`.
    pub fn bayes_factor(&self, promoted: bool, hazard: f64) -> f64 {
        let rate = if promoted {
            (self.factor / self.on_track).ln()
        } else {
            0.0
        };
        (rate + (self.on_track - self.factor) * hazard).exp()
    }

    /// The posterior probability that a returner promoted or not, with
    /// cumulative hazard `hazard`, is stalled.
    pub fn posterior(&self, promoted: bool, hazard: f64) -> f64 {
        let (a, b) = Logs::new([self.share, self.factor, self.on_track]).parts(promoted, hazard);
        let odds_on_track = (b - a).exp();
        if odds_on_track.is_nan() {
            return 0.0;
        }
        1.0 / (1.0 + odds_on_track)
    }
}

/// The logarithms of a model's parameters, taken once for every returner.
struct Logs {
    share: f64,
    rest: f64,
    factor_ln: f64,
    on_track_ln: f64,
    factor: f64,
    on_track: f64,
}

impl Logs {
    fn new([share, factor, on_track]: [f64; 3]) -> Logs {
        Logs {
            share: share.ln(),
            rest: (1.0 - share).ln(),
            factor_ln: factor.ln(),
            on_track_ln: on_track.ln(),
            factor,
            on_track,
        }
    }

    /// The logarithms of the two kinds' shares of her likelihood (promoted
    /// or not, cumulative hazard `h`): stalled, on track.
    fn parts(&self, promoted: bool, h: f64) -> (f64, f64) {
        let (rf, rr) = if promoted {
            (self.factor_ln, self.on_track_ln)
        } else {
            (0.0, 0.0)
        };
        (
            self.share + rf - self.factor * h,
            self.rest + rr - self.on_track * h,
        )
    }
}

/// How many returns the stall test could judge (`stall` in `report.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StallSummary {
    /// Childcare returns with a stall test.
    pub tested: Count,
    /// Of which flagged by the configured rule.
    pub flagged: Count,
    /// Of which not promoted, yet not flagged: followed too briefly for the
    /// evidence to tell (longer without a promotion, it would): no flag,
    /// and no clearance either.
    pub too_short: Count,
    /// The p-value level (`stall_rule = "test"`).
    pub level: f64,
    /// The expected share of false flags allowed (`stall_rule =
    /// "posterior"`, the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fdr: Option<f64>,
    /// The mixture's estimated share of returns stalled, `π` (none when the
    /// returns show no stalled group).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stalled_share: Option<f64>,
    /// Their estimated promotion rate as a multiple of peers like them, `φ`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stalled_rate: Option<f64>,
    /// Whether the mixture's maximisation converged (none when the returns
    /// show no stalled group). When it did not, no posterior is given and
    /// the posterior rule flags no one: the estimates above are then the
    /// last reached, not a maximum.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mixture_converged: Option<bool>,
}

/// The stall test of every return (by return index; `None` for returns
/// without a follow-up, such as non-childcare ones), or all `None` when the
/// reference model cannot be fitted.
pub fn stall_scores(ctx: &Context<'_>, peers: &PeerSample) -> StallScores {
    let mut out = vec![None; ctx.returns().len()];
    // Her level: every rating outside the window that runs from the index
    // date for `rating_lookback_months` (where a rating drop would show).
    let window = ctx.config().rating_lookback_months();
    let level = |f: &FollowUp| {
        let t = &ctx.timelines()[f.employee];
        let from = t.employee().hire_date;
        let before = f.index.pred_opt().unwrap_or(f.index);
        let after = add_months(f.index, window);
        // The ratings from hire to the day before the index date, then
        // those from the window's end on, summed in that order.
        let (mut sum, mut count) = (0.0, 0u32);
        for e in t.events() {
            if let EventKind::Evaluation { rating } = e.kind {
                if (from..=before).contains(&e.date) || e.date >= after {
                    sum += rating;
                    count += 1;
                }
            }
        }
        (count > 0).then(|| sum / f64::from(count))
    };
    let reference: Vec<&FollowUp> = peers.follow_ups.iter().filter(|f| !f.returner).collect();
    // In the order of the peers' timelines (see `locality`).
    let mut levels: Vec<Option<f64>> = Vec::with_capacity(reference.len());
    extend_in_order(
        &mut levels,
        reference.len(),
        |j| reference[j].employee,
        |j| level(reference[j]),
    );
    let rated: Vec<f64> = levels.iter().flatten().copied().collect();
    if reference.is_empty() {
        return StallScores {
            scores: out,
            mixture: None,
        };
    }
    let centre = if rated.is_empty() {
        0.0
    } else {
        rated.iter().sum::<f64>() / rated.len() as f64
    };
    // Constant columns (everyone rated, say) are left out by `Design`.
    let value = |name: &str, l: Option<f64>| match name {
        "rating_level" => l.map_or(0.0, |v| v - centre),
        _ => f64::from(u8::from(l.is_none())),
    };
    let design = Design::new(
        ["rating_level", "no_rating"].map(|n| (n, levels.iter().map(|l| value(n, *l)).collect())),
    );
    let (names, columns) = (&design.names, design.slices());
    let d: Vec<f64> = reference.iter().map(|f| f.months).collect();
    let e: Vec<bool> = reference.iter().map(|f| f.promoted).collect();
    let strata: Vec<u32> = reference.iter().map(|f| f.grade).collect();
    // With no covariate left (no one rated, or everyone alike), each
    // grade's Nelson–Aalen estimate.
    let survival = if columns.is_empty() {
        CoxSurvival::without_covariates(&d, &e, Some(&strata))
    } else {
        CoxModel::default()
            .fit(&d, &e, &columns, names, Some(&strata))
            .and_then(|fit| CoxSurvival::new(&fit, &d, &e, &columns, Some(&strata)))
    };
    let Ok(survival) = survival else {
        return StallScores {
            scores: out,
            mixture: None,
        };
    };
    let returners: Vec<&FollowUp> = peers.follow_ups.iter().filter(|f| f.returner).collect();
    let scored: Vec<(Option<f64>, f64)> = returners
        .par_iter()
        .map(|f| {
            let l = level(f);
            let xs: Vec<f64> = names.iter().map(|n| value(n, l)).collect();
            (l, survival.survival(&xs, f.grade, f.months))
        })
        .collect();
    let mut hazards = Vec::new();
    for (f, (l, at_end)) in returners.into_iter().zip(scored) {
        let stall_p = if f.promoted { 1.0 } else { at_end };
        // S = 0 (an infinite hazard) only past a stratum's last time where
        // everyone was promoted: a wait no peer had.
        let hazard = if at_end > 0.0 {
            -at_end.ln()
        } else {
            f64::MAX.ln()
        };
        if let Some(slot) = out.get_mut(f.return_index as usize) {
            *slot = Some(StallScore {
                months_followed: f.months,
                promoted: f.promoted,
                stall_p,
                rating_level: l,
                posterior: None,
                bayes_factor: None,
                stalled: false,
            });
            hazards.push((f.return_index as usize, f.promoted, hazard.max(0.0)));
        }
    }
    let (promoted, h): (Vec<bool>, Vec<f64>) = hazards.iter().map(|x| (x.1, x.2)).unzip();
    let mixture = StallMixture::fit(&promoted, &h);
    if let Some(mixture) = mixture.filter(|m| m.converged) {
        for (i, d, h) in hazards {
            if let Some(Some(score)) = out.get_mut(i) {
                score.posterior = Some(mixture.posterior(d, h));
                score.bayes_factor = Some(mixture.bayes_factor(d, h));
            }
        }
    }
    let config = ctx.config();
    match config.stall_rule() {
        StallRule::Posterior => {
            // Candidates: unpromoted, and her own record at least
            // `stall_bayes_factor` times as likely if stalled.
            let min_factor = config.stall_bayes_factor();
            let posteriors: Vec<Option<f64>> = out
                .iter()
                .map(|s| {
                    s.filter(|s| !s.promoted && s.bayes_factor.is_some_and(|b| b >= min_factor))
                        .and_then(|s| s.posterior)
                })
                .collect();
            for (slot, flag) in out.iter_mut().zip(fdr_set(&posteriors, config.stall_fdr())) {
                if let Some(score) = slot {
                    score.stalled = flag;
                }
            }
        }
        StallRule::Test => {
            for score in out.iter_mut().flatten() {
                score.stalled = !score.promoted && score.stall_p < config.stall_level();
            }
        }
        _ => {}
    }
    StallScores {
        scores: out,
        mixture,
    }
}

/// The Bayesian false-discovery-rate set (Newton, Noueiry, Sarkar &
/// Ahlquist 2004; Müller, Parmigiani & Rice 2006): of the items with a
/// posterior probability, the largest set of the most probable whose mean
/// `1 − posterior` (the expected share of false discoveries) is at most
/// `fdr`. Items tied in posterior are taken or left together.
///
/// ```
/// use mommytrack::analysis::stall::fdr_set;
/// let p = [Some(0.9), None, Some(0.5), Some(0.75), Some(0.1)];
/// // 0.9 alone: 0.1 false expected; with 0.75: (0.1 + 0.25) / 2 = 0.175;
/// // with 0.5: 0.85 / 3 = 0.283; with 0.1: 1.75 / 4 = 0.4375.
/// assert_eq!(fdr_set(&p, 0.3), [true, false, true, true, false]);
/// assert_eq!(fdr_set(&p, 0.2), [true, false, false, true, false]);
/// assert_eq!(fdr_set(&p, 0.05), [false; 5]);
/// ```
pub fn fdr_set(posteriors: &[Option<f64>], fdr: f64) -> Vec<bool> {
    let mut order: Vec<(usize, f64)> = posteriors
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.filter(|p| !p.is_nan()).map(|p| (i, p)))
        .collect();
    order.sort_by(|a, b| b.1.total_cmp(&a.1));
    let (mut false_sum, mut take) = (0.0, 0);
    for (k, (_, p)) in order.iter().enumerate() {
        false_sum += 1.0 - p;
        let tie_ends = order.get(k + 1).is_none_or(|next| next.1 < *p);
        if tie_ends && false_sum <= fdr * (k + 1) as f64 {
            take = k + 1;
        }
    }
    let mut out = vec![false; posteriors.len()];
    for (i, _) in &order[..take] {
        out[*i] = true;
    }
    out
}

/// The summary of `scores` at the configured level.
pub(crate) fn summary(scores: &StallScores, config: &ValidConfig) -> StallSummary {
    let min = config.min_group_size();
    let tested: Vec<&StallScore> = scores.scores.iter().flatten().collect();
    let flagged = tested.iter().filter(|s| s.stalled).count() as u64;
    let too_short = tested.iter().filter(|s| !s.promoted && !s.stalled).count() as u64;
    let posterior = config.stall_rule() == StallRule::Posterior;
    StallSummary {
        tested: Count::new(tested.len() as u64, min),
        flagged: Count::new(flagged, min),
        too_short: Count::new(too_short, min),
        level: config.stall_level(),
        fdr: posterior.then(|| config.stall_fdr()),
        stalled_share: scores.mixture.map(|m| m.share),
        stalled_rate: scores.mixture.map(|m| m.factor),
        mixture_converged: scores.mixture.map(|m| m.converged),
    }
}
