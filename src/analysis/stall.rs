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
//! The p-value is exact for the fitted model; the model's own uncertainty
//! (its coefficients and baseline come from the peers) is not carried into
//! it, which makes it somewhat too small where peers at her grade are few.

use super::gap::Design;
use super::peers::{FollowUp, PeerSample};
use super::Context;
use crate::config::ValidConfig;
use crate::stats::{CoxModel, CoxSurvival};
use crate::suppress::Count;
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
    /// Her rating level (mean of her ratings before the return), if any.
    pub rating_level: Option<f64>,
}

/// How many returns the stall test could judge (`stall` in `report.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StallSummary {
    /// Childcare returns with a stall test.
    pub tested: Count,
    /// Of which flagged (`stall_p` below the level).
    pub flagged: Count,
    /// Of which not promoted, yet followed too briefly for the test to
    /// reach the level (longer without a promotion, it would): no flag,
    /// and no clearance either.
    pub too_short: Count,
    /// The level.
    pub level: f64,
}

/// The stall test of every return (by return index; `None` for returns
/// without a follow-up, such as non-childcare ones), or all `None` when the
/// reference model cannot be fitted.
pub fn stall_scores(ctx: &Context<'_>, peers: &PeerSample) -> Vec<Option<StallScore>> {
    let mut out = vec![None; ctx.returns().len()];
    let level = |f: &FollowUp| {
        let t = &ctx.timelines()[f.employee];
        let from = t.employee().hire_date;
        let before = f.index.pred_opt().unwrap_or(f.index);
        let r = t.ratings_between(from, before);
        (!r.is_empty()).then(|| r.iter().sum::<f64>() / r.len() as f64)
    };
    let reference: Vec<&FollowUp> = peers.follow_ups.iter().filter(|f| !f.returner).collect();
    let levels: Vec<Option<f64>> = reference.iter().map(|f| level(f)).collect();
    let rated: Vec<f64> = levels.iter().flatten().copied().collect();
    if reference.is_empty() {
        return out;
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
        return out;
    };
    for f in peers.follow_ups.iter().filter(|f| f.returner) {
        let l = level(f);
        let xs: Vec<f64> = names.iter().map(|n| value(n, l)).collect();
        let stall_p = if f.promoted {
            1.0
        } else {
            survival.survival(&xs, f.grade, f.months)
        };
        if let Some(slot) = out.get_mut(f.return_index as usize) {
            *slot = Some(StallScore {
                months_followed: f.months,
                promoted: f.promoted,
                stall_p,
                rating_level: l,
            });
        }
    }
    out
}

/// The summary of `scores` at the configured level.
pub(crate) fn summary(scores: &[Option<StallScore>], config: &ValidConfig) -> StallSummary {
    let min = config.min_group_size();
    let level = config.stall_level();
    let tested: Vec<&StallScore> = scores.iter().flatten().collect();
    let flagged = tested.iter().filter(|s| s.stall_p < level).count() as u64;
    let too_short = tested
        .iter()
        .filter(|s| !s.promoted && s.stall_p >= level)
        .count() as u64;
    StallSummary {
        tested: Count::new(tested.len() as u64, min),
        flagged: Count::new(flagged, min),
        too_short: Count::new(too_short, min),
        level,
    }
}
