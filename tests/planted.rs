//! The promotion gap recovers a planted effect, and finds none when none is
//! planted. Data from the seeded generator with every mommy-track class
//! switched off, so that the only difference between returners and their
//! peers is `returner_promotion_factor`.
#![cfg(feature = "synth")]

use mommytrack::config::ValidConfig;
use mommytrack::synth::{generate, SynthConfig};
use mommytrack::Analysis;

fn report(employees: usize, seed: u64, factor: f64) -> Analysis {
    let data = generate(&SynthConfig {
        employees,
        seed,
        mommy_track_share: 0.0,
        voluntary_share: 0.0,
        reduced_hours_share: 0.0,
        stall_share: 0.0,
        biased_managers: vec![],
        returner_promotion_factor: factor,
        ..SynthConfig::default()
    });
    let (e, v) = data.to_csv().unwrap();
    let config = ValidConfig::default();
    let ds = mommytrack::Dataset::builder(&config)
        .from_readers(e.as_slice(), v.as_slice())
        .unwrap();
    Analysis::run(&ds, &config)
}

#[test]
fn planted_returner_hazard_ratio_is_recovered_within_its_ci() {
    let r = report(6000, 2024, 0.4);
    let gap = r.promotion_gap.unwrap();
    let cox = gap.returners_vs_peers.cox.unwrap();
    eprintln!("{cox:?} {:?}", gap.returners_vs_peers.group_n);
    assert!(cox.ci_lower <= 0.4 && 0.4 <= cox.ci_upper, "{cox:?}");
    assert!(cox.p_value < 0.05, "{cox:?}");
}

#[test]
fn no_planted_effect_is_rarely_significant() {
    let mut significant = 0;
    let mut fitted = 0;
    for seed in 0..100 {
        let r = report(1500, 1000 + seed, 1.0);
        if let Some(cox) = r.promotion_gap.and_then(|g| g.returners_vs_peers.cox) {
            fitted += 1;
            significant += usize::from(cox.p_value < 0.05);
        }
    }
    eprintln!("{significant} of {fitted} significant");
    assert_eq!(fitted, 100);
    assert!(
        significant <= 10,
        "{significant} of 100 replications significant at 0.05"
    );
}
