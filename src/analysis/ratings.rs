//! The rating drop as a score: a returner's ratings after the return
//! against her own level, in units of the rating spread.
//!
//! # Method
//!
//! 1. **Company-wide shift.** Among employees who never took leave, the mean
//!    rating of each calendar year (of the rating's date) less their mean
//!    over all years; every rating is read net of its year's shift, so that
//!    a year in which everyone is rated lower moves no one's score.
//! 2. **Spread.** The pooled within-person standard deviation of those
//!    employees' net ratings, `s = √(Σᵢ Σⱼ (rᵢⱼ − r̄ᵢ)² ÷ Σᵢ (nᵢ − 1))`: how
//!    much one person's ratings vary from year to year when nothing happens.
//! 3. **Her level.** The mean of every net rating of hers *outside* the
//!    post-return window: before the absence and after the window (the
//!    window runs from the return to `rating_lookback_months` after it).
//! 4. **Score.** `(mean after − level) ÷ (s · √(1/n_after + 1/n_level))`,
//!    the two-sample z of her ratings in the window against her own other
//!    ratings: negative when she is rated below her own level, and larger in
//!    size the more ratings back it.
//!
//! `rating_drop` is flagged (`rating_drop_rule = "score"`, the default)
//! when at least `rating_drop_min_ratings` ratings fall in the window, at
//! least one outside it, and the score is at most `−rating_drop_score`
//! (2.0). `flags.csv` carries the score as `rating_drop_score`.

use super::Context;
use chrono::Datelike;
use std::collections::BTreeMap;

/// The company-wide rating norms of [`rating_score`].
#[derive(Debug, Clone, PartialEq)]
pub struct RatingNorms {
    /// Per calendar year: that year's mean less the mean over all years.
    shift: BTreeMap<i32, f64>,
    /// Pooled within-person standard deviation of net ratings.
    spread: Option<f64>,
}

impl RatingNorms {
    /// The norms of the employees in `ctx` who never took leave.
    pub fn new(ctx: &Context<'_>) -> RatingNorms {
        let mut by_year: BTreeMap<i32, (f64, u64)> = BTreeMap::new();
        let mut people: Vec<Vec<(i32, f64)>> = Vec::new();
        for (i, t) in ctx.timelines().iter().enumerate() {
            if !ctx.absences_of(i).is_empty() {
                continue;
            }
            let ratings: Vec<(i32, f64)> = t
                .events()
                .iter()
                .filter_map(|e| match e.kind {
                    crate::schema::EventKind::Evaluation { rating } => {
                        Some((e.date.year(), rating))
                    }
                    _ => None,
                })
                .collect();
            for (y, r) in &ratings {
                let c = by_year.entry(*y).or_default();
                c.0 += r;
                c.1 += 1;
            }
            if ratings.len() >= 2 {
                people.push(ratings);
            }
        }
        let total: (f64, u64) = by_year
            .values()
            .fold((0.0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
        let overall = if total.1 > 0 {
            total.0 / total.1 as f64
        } else {
            0.0
        };
        let shift: BTreeMap<i32, f64> = by_year
            .into_iter()
            .map(|(y, (sum, n))| (y, sum / n as f64 - overall))
            .collect();
        let (mut ss, mut df) = (0.0, 0u64);
        for ratings in &people {
            let net: Vec<f64> = ratings
                .iter()
                .map(|(y, r)| r - shift.get(y).copied().unwrap_or(0.0))
                .collect();
            let mean = net.iter().sum::<f64>() / net.len() as f64;
            ss += net.iter().map(|r| (r - mean).powi(2)).sum::<f64>();
            df += net.len() as u64 - 1;
        }
        let spread = (df > 0 && ss > 0.0).then(|| (ss / df as f64).sqrt());
        RatingNorms { shift, spread }
    }

    /// A rating net of its year's company-wide shift (years no one without
    /// leave was rated in are taken as unshifted).
    fn net(&self, year: i32, rating: f64) -> f64 {
        rating - self.shift.get(&year).copied().unwrap_or(0.0)
    }
}

/// The rating-drop score of one return.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RatingScore {
    /// The score (see the module docs); negative below her own level.
    pub score: f64,
    /// Her level: the mean of her raw ratings outside the window.
    pub level: f64,
    /// The mean of her raw ratings in the window.
    pub after: f64,
    /// Ratings in the window.
    pub ratings_after: usize,
    /// Ratings outside it.
    pub ratings_level: usize,
}

/// The score of a return whose post-return window runs from `from` to
/// `to` (both included), the absence having started on `absence_start`;
/// `None` with fewer than `min_after` ratings in the window, none outside
/// it, or no measurable spread.
pub fn rating_score(
    norms: &RatingNorms,
    timeline: &crate::Timeline,
    absence_start: chrono::NaiveDate,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    min_after: usize,
) -> Option<RatingScore> {
    let spread = norms.spread?;
    let (mut after, mut other) = (Vec::new(), Vec::new());
    for e in timeline.events() {
        if let crate::schema::EventKind::Evaluation { rating } = e.kind {
            let net = norms.net(e.date.year(), rating);
            if e.date >= from && e.date <= to {
                after.push((net, rating));
            } else if e.date < absence_start || e.date > to {
                other.push((net, rating));
            }
        }
    }
    if after.len() < min_after.max(1) || other.is_empty() {
        return None;
    }
    let mean =
        |v: &[(f64, f64)], k: fn(&(f64, f64)) -> f64| v.iter().map(k).sum::<f64>() / v.len() as f64;
    let (na, no) = (after.len() as f64, other.len() as f64);
    let score =
        (mean(&after, |x| x.0) - mean(&other, |x| x.0)) / (spread * (1.0 / na + 1.0 / no).sqrt());
    Some(RatingScore {
        score,
        level: mean(&other, |x| x.1),
        after: mean(&after, |x| x.1),
        ratings_after: after.len(),
        ratings_level: other.len(),
    })
}
