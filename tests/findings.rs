//! The report's findings on 50,000 generated employees with four planted
//! biased managers (120 managers in six departments, as `evaluate`
//! plants them): the findings name exactly the managers and departments
//! that the concentration analysis calls significant, and each of them
//! lies above the funnel plot's upper control limit, computed here
//! independently from the binomial (Spiegelhalter 2005, appendix A.1.1).
#![cfg(feature = "synth")]

use mommytrack::synth::{generate, SynthConfig};
use mommytrack::{Analysis, Dataset, ValidConfig};
use statrs::distribution::{Binomial, DiscreteCDF};
use std::collections::BTreeSet;

fn analysis() -> Analysis {
    let synth = SynthConfig {
        employees: 50_000,
        seed: 1,
        managers_per_department: 20,
        biased_managers: ["M0102", "M0203", "M0304", "M0405"]
            .map(String::from)
            .to_vec(),
        ..SynthConfig::default()
    };
    let (e, v) = generate(&synth).to_csv().unwrap();
    let config = ValidConfig::default();
    let data = Dataset::builder(&config)
        .from_readers(e.as_slice(), v.as_slice())
        .unwrap();
    Analysis::run(&data, &config)
}

/// The names in bold in the findings' line about `unit`s.
fn named(md: &str, unit: &str) -> BTreeSet<String> {
    let findings = md.split("## ").find(|s| s.starts_with("Findings")).unwrap();
    let line = findings
        .lines()
        .find(|l| l.starts_with("- **Concentration**") && l.contains(&format!(" {unit}")))
        .unwrap_or_else(|| panic!("no finding on {unit}s"));
    line.split("**")
        .skip(1)
        .step_by(2)
        .filter(|s| *s != "Concentration")
        .map(str::to_string)
        .collect()
}

/// The upper funnel limit at `n` around `p0`, two-sided coverage
/// `level`: the interpolated binomial quantile (r − α) / n.
fn upper(n: u64, p0: f64, level: f64) -> f64 {
    let b = Binomial::new(p0, n).unwrap();
    let p = 1.0 - (1.0 - level) / 2.0;
    let r = b.inverse_cdf(p);
    let below = if r == 0 { 0.0 } else { b.cdf(r - 1) };
    let alpha = (b.cdf(r) - p) / (b.cdf(r) - below);
    (r as f64 - alpha) / n as f64
}

#[test]
fn findings_name_the_significant_units_and_the_funnel_shows_them_outside() {
    let a = analysis();
    let c = a.concentration.as_ref().unwrap();
    let md = a.to_markdown();
    let html = a.to_html();
    let p0 = c.flagged_involuntary.value.unwrap() as f64 / c.returns.value.unwrap() as f64;
    for (unit, groups) in [("manager", &c.managers), ("department", &c.departments)] {
        let significant: BTreeSet<String> = groups
            .iter()
            .filter(|g| g.significant)
            .map(|g| g.manager_id.clone().or(g.department.clone()).unwrap())
            .collect();
        if significant.is_empty() {
            assert!(md.contains(&format!("no {unit} has significantly more flagged returns")));
        } else {
            assert_eq!(named(&md, unit), significant, "{unit}s");
        }
        // The funnel: each significant unit above the 95% upper limit, and
        // named on the plot.
        let funnel = html
            .split("<figure class=\"chart\"")
            .find(|f| f.contains(&format!("Funnel plot, {unit}s")))
            .unwrap();
        for g in groups.iter().filter(|g| g.significant) {
            let (n, x) = (g.returns.value.unwrap(), g.flagged.value.unwrap());
            let rate = x as f64 / n as f64;
            let (u95, u998) = (upper(n, p0, 0.95), upper(n, p0, 0.998));
            let name = g.manager_id.clone().or(g.department.clone()).unwrap();
            eprintln!("{name}: {x} of {n} = {rate:.3}; limits {u95:.3} (95%), {u998:.3} (99.8%)");
            assert!(rate > u95, "{name} inside the 95% limit");
            assert!(
                funnel.contains(&format!(">\n{name}\n<")) || funnel.contains(&format!(">{name}<")),
                "{name} not named on the funnel plot"
            );
        }
    }
    // The planted managers are the ones found.
    let found: BTreeSet<&str> = c
        .managers
        .iter()
        .filter(|g| g.significant)
        .filter_map(|g| g.manager_id.as_deref())
        .collect();
    assert_eq!(found, BTreeSet::from(["M0102", "M0203", "M0304", "M0405"]));
}
