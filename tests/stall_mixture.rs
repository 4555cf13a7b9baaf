//! The stall mixture's fit against a direct maximisation of its
//! likelihood with scipy.optimize (tests/reference/stall_mixture.py, scipy
//! 1.17.1, L-BFGS-B within the model's bounds from three starts, polished by
//! Nelder-Mead): the EM
//! answer must be the same maximum.

use mommytrack::analysis::stall::{fdr_set, StallMixture};

/// The returners of a fixture: promoted, and the cumulative hazard of peers
/// like them over their follow-up; a third column, where there is one,
/// counts the returners sharing the pair.
fn returners_of(name: &str) -> (Vec<bool>, Vec<f64>) {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let mut rd = csv::Reader::from_path(path).unwrap();
    let (mut promoted, mut hazard) = (Vec::new(), Vec::new());
    for r in rd.records() {
        let r = r.unwrap();
        let count: usize = r.get(2).map_or(1, |c| c.parse().unwrap());
        promoted.extend(std::iter::repeat_n(&r[0] == "1", count));
        hazard.extend(std::iter::repeat_n(r[1].parse::<f64>().unwrap(), count));
    }
    (promoted, hazard)
}

/// The 1,500 returners of tests/fixtures/stall_mixture.csv.
fn returners() -> (Vec<bool>, Vec<f64>) {
    returners_of("stall_mixture.csv")
}

/// The fit to a fixture's returners, which must number `n`, show a
/// stalled group and converge.
fn converged_fit(name: &str, n: usize) -> StallMixture {
    let (promoted, hazard) = returners_of(name);
    assert_eq!(promoted.len(), n);
    let m = StallMixture::fit(&promoted, &hazard).expect("a stalled group");
    assert!(m.converged, "{m:?}");
    m
}

fn close(got: f64, want: f64, tol: f64) {
    assert!(
        (got - want).abs() <= tol * want.abs().max(1e-12),
        "got {got}, want {want}"
    );
}

#[test]
fn em_reaches_the_scipy_maximum() {
    let (promoted, hazard) = returners();
    assert_eq!(promoted.len(), 1500);
    let m = StallMixture::fit(&promoted, &hazard).expect("a stalled group");
    close(m.share, 0.115888355839, 1e-6);
    close(m.factor, 0.078059893174, 1e-6);
    close(m.on_track, 0.702956719956, 1e-6);
    close(m.log_likelihood, -1685.649026261037, 1e-9);
    close(m.posterior(false, 0.5), 0.151934591339, 1e-6);
    close(m.posterior(false, 2.0), 0.313854022835, 1e-6);
    close(m.posterior(true, 1.0), 0.026470990815, 1e-6);
}

/// Returners all promoted at their peers' rate or faster show no stalled
/// group: no fit, so no posterior and no flag.
#[test]
fn no_stalled_group_no_fit() {
    let promoted = [true; 8];
    let hazard = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8];
    assert_eq!(StallMixture::fit(&promoted, &hazard), None);
    assert_eq!(StallMixture::fit(&[], &[]), None);
    assert_eq!(StallMixture::fit(&[true], &[f64::NAN]), None);
    assert_eq!(StallMixture::fit(&[true, false], &[1.0]), None);
}

/// A property of the Bayesian FDR set: its mean (1 − posterior) is within
/// the level, and adding the next most probable items (all those tied
/// with it) would break it.
#[test]
fn fdr_set_is_the_largest_within_the_level() {
    let (promoted, hazard) = returners();
    let m = StallMixture::fit(&promoted, &hazard).expect("a stalled group");
    let post: Vec<Option<f64>> = promoted
        .iter()
        .zip(&hazard)
        .map(|(d, h)| (!d).then(|| m.posterior(*d, *h)))
        .collect();
    for level in [0.05, 0.1, 0.2, 0.3, 0.5] {
        let set = fdr_set(&post, level);
        let chosen: Vec<f64> = post
            .iter()
            .zip(&set)
            .filter(|(_, s)| **s)
            .filter_map(|(p, _)| *p)
            .collect();
        let false_share = chosen.iter().map(|p| 1.0 - p).sum::<f64>() / chosen.len().max(1) as f64;
        assert!(false_share <= level + 1e-12, "level {level}: {false_share}");
        let lowest = chosen.iter().copied().fold(f64::INFINITY, f64::min);
        let next = post
            .iter()
            .zip(&set)
            .filter(|(_, s)| !**s)
            .filter_map(|(p, _)| *p)
            .fold(f64::NEG_INFINITY, f64::max);
        assert!(next <= lowest, "the set is the most probable first");
        if next.is_finite() {
            // Items tied in posterior are taken together.
            let tied = post.iter().filter(|p| **p == Some(next)).count() as f64;
            let with_next = (false_share * chosen.len() as f64 + tied * (1.0 - next))
                / (chosen.len() as f64 + tied);
            assert!(with_next > level, "level {level}: the next items would fit");
        }
    }
}

/// 227,919 returns on a flat likelihood, where EM alone crawls (500 steps
/// left the share at 0.163, the maximum being at 0.130): the fit must still
/// reach the maximum scipy finds (tests/reference/stall_mixture_counts.py,
/// scipy 1.17.1: L-BFGS-B, polished by solving the EM fixed point to a
/// residual of 0) and say it converged.
#[test]
fn large_flat_likelihood_reaches_the_maximum() {
    let m = converged_fit("stall_mixture_large.csv", 227_919);
    close(m.share, 0.129790359435, 1e-6);
    close(m.factor, 0.022180033858, 1e-6);
    close(m.on_track, 0.959800581867, 1e-6);
    close(m.log_likelihood, -64917.847662844, 1e-11);
    close(m.posterior(false, 0.5), 0.192475682872, 1e-6);
    close(m.posterior(false, 2.0), 0.493107305744, 1e-6);
    close(m.posterior(true, 1.0), 0.008725635077, 1e-6);
}

/// 11,342 returns whose maximum has the stalled rate at its bound, 0 (the
/// likelihood falls as it rises from there: slope −3.24 by scipy's finite
/// difference): the fit holds it at 0, converges, and matches scipy
/// (tests/reference/stall_mixture_counts.py: L-BFGS-B within the bounds,
/// then the EM fixed point in the other two). Stopping there unconverged
/// would leave every return without a posterior and unflagged.
#[test]
fn a_maximum_on_the_boundary_holds_the_stalled_rate_at_zero() {
    let m = converged_fit("stall_mixture_boundary.csv", 11_342);
    assert_eq!(m.factor, 0.0);
    close(m.share, 0.148412400766, 1e-6);
    close(m.on_track, 0.975318099277, 1e-6);
    close(m.log_likelihood, -3220.329264620, 1e-11);
    close(m.posterior(false, 0.5), 0.221068856331, 1e-6);
    close(m.posterior(false, 2.0), 0.550707258959, 1e-6);
    assert_eq!(m.posterior(true, 1.0), 0.0);
}

/// 16,026 returns whose maximum has both rates at their bounds: the
/// stalled never promoted (`φ` = 0) and the others promoted at the peers'
/// own rate (`ρ` = 1), so that only the share is left free. Near the
/// maximum the rise a Newton step promises (about 1e-13) is below what the
/// log-likelihood (about −9,198) can resolve; the fit used to refuse every
/// such step, stop 2e-9 short of the maximum in the share and report no
/// convergence, which left every return of `evaluate`'s long-career
/// setting (README) without a posterior and unflagged. The returns are
/// those of `evaluate --employees 50000 --managers-per-department 20
/// --biased-managers 4 --rating-drop-share 0.15 --synth first_year=2000
/// --synth promotion_hazard=0.3 --synth promotion_ability_effect=1.0
/// --synth stall_promotion_factor=0.0 --synth
/// mommy_track_promotion_factor=0.0 --seed 1`, hazards rounded to 3
/// decimals. Golden numbers: tests/reference/stall_mixture_counts.py
/// (scipy 1.17.1; slope of the log-likelihood in `φ` at 0: −778.2).
#[test]
fn a_maximum_on_both_bounds_converges() {
    let m = converged_fit("stall_mixture_both_bounds.csv", 16_026);
    assert_eq!(m.factor, 0.0);
    assert_eq!(m.on_track, 1.0);
    close(m.share, 0.233121513856, 1e-6);
    close(m.log_likelihood, -9197.909923484, 1e-11);
    close(m.posterior(false, 0.5), 0.333862132837, 1e-6);
    close(m.posterior(false, 2.0), 0.691945712098, 1e-6);
    assert_eq!(m.posterior(true, 1.0), 0.0);
}

/// The mixture's log-likelihood, written out here from its definition
/// (module docs of `mommytrack::analysis::stall`), not taken from the crate.
fn log_likelihood(promoted: &[bool], hazard: &[f64], [share, factor, on_track]: [f64; 3]) -> f64 {
    promoted
        .iter()
        .zip(hazard)
        .map(|(&d, &h)| {
            let (rf, rr) = if d { (factor, on_track) } else { (1.0, 1.0) };
            (share * rf * (-factor * h).exp() + (1.0 - share) * rr * (-on_track * h).exp()).ln()
        })
        .sum()
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
    /// Returners drawn from the two-kind model itself, the stalled rate
    /// often 0 and the on-track rate often above the peers' (so that the
    /// maximum sits on one bound, the other or both, as it did on
    /// `evaluate`'s data when the fit failed there): whenever the fit
    /// finds a stalled group it converges, and no feasible point nearby
    /// (each estimate moved by 1e-4 of its range either way, within
    /// `0 < π < 1`, `0 ≤ φ < ρ ≤ 1`) has a higher likelihood beyond
    /// rounding.
    #[test]
    fn the_fit_converges_to_a_maximum(
        share in 0.02f64..0.8,
        factor in proptest::prop_oneof![proptest::strategy::Just(0.0), 0.0f64..0.5],
        on_track in 0.3f64..1.5,
        n in 500usize..20_000,
        seed in proptest::prelude::any::<u64>(),
    ) {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let (mut promoted, mut hazard) = (Vec::with_capacity(n), Vec::with_capacity(n));
        for _ in 0..n {
            let rate = if rng.random::<f64>() < share { factor } else { on_track };
            let end = rng.random_range(0.05..8.0);
            let first: f64 = rng.sample::<f64, _>(rand_distr::Exp1) / rate;
            promoted.push(first < end);
            hazard.push(first.min(end));
        }
        let Some(m) = StallMixture::fit(&promoted, &hazard) else {
            return Ok(());
        };
        proptest::prop_assert!(m.converged, "{m:?}");
        let best = [m.share, m.factor, m.on_track];
        let ll = log_likelihood(&promoted, &hazard, best);
        proptest::prop_assert!((ll - m.log_likelihood).abs() <= 1e-9 * ll.abs());
        for k in 0..3 {
            for sign in [-1.0, 1.0] {
                let mut t = best;
                t[k] += sign * 1e-4;
                let feasible = t[0] > 0.0 && t[0] < 1.0 && t[1] >= 0.0 && t[1] < t[2] && t[2] <= 1.0;
                if feasible {
                    let other = log_likelihood(&promoted, &hazard, t);
                    proptest::prop_assert!(other <= ll + 1e-10 * ll.abs(), "{k} {sign}: {other} > {ll} at {m:?}");
                }
            }
        }
    }
}
