//! The event study against statsmodels OLS with clustered standard errors.
//!
//! The panel is built from `data-samples/` and must equal the committed
//! `tests/data/event_panel.csv`; `tests/reference/make_event_study_golden.py`
//! fitted statsmodels 0.15.0 `OLS(y, X).fit(cov_type="cluster",
//! cov_kwds={"groups": employee})` on that file, with the same dummies, and
//! wrote `tests/reference/event_study_golden.json`. Coefficients agree to
//! 1e-6 relative (1e-9 absolute near zero), clustered SEs to 1e-4.
//! `MOMMYTRACK_WRITE_PANEL=1 cargo test --test event_study` rewrites the CSV.

use mommytrack::analysis::event_study::{fit_event_model, panel, EventStudy, PanelRow, OUTCOMES};
use mommytrack::config::ValidConfig;
use mommytrack::{Context, Dataset};
use serde_json::Value;
use std::path::Path;

fn samples() -> (mommytrack::ingest::Dataset, ValidConfig) {
    let config = ValidConfig::default();
    let data = Dataset::builder(&config)
        .from_paths(
            Path::new("data-samples/employees.csv"),
            Path::new("data-samples/events.csv"),
        )
        .unwrap();
    (data, config)
}

fn panel_csv(rows: &[PanelRow]) -> String {
    let mut s =
        String::from("employee,female,year,age,event_time,grade,responsibility,salary,regular\n");
    for r in rows {
        s.push_str(&format!(
            "{},{},{},{},{},{},{},{},{}\n",
            r.employee,
            u8::from(r.female),
            r.year,
            r.age,
            r.event_time,
            r.grade,
            r.responsibility,
            r.salary.map_or(String::new(), |v| v.to_string()),
            r.regular
        ));
    }
    s
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs().max(1e-3)
}

#[test]
fn event_study_matches_statsmodels_ols_with_clustered_errors() {
    let (data, config) = samples();
    let (rows, _) = panel(&Context::new(&data, &config));
    let csv = panel_csv(&rows);
    if std::env::var_os("MOMMYTRACK_WRITE_PANEL").is_some() {
        std::fs::write("tests/data/event_panel.csv", &csv).unwrap();
    }
    assert_eq!(
        csv,
        std::fs::read_to_string("tests/data/event_panel.csv").unwrap()
    );
    let golden: Value = serde_json::from_str(
        &std::fs::read_to_string("tests/reference/event_study_golden.json").unwrap(),
    )
    .unwrap();
    let mut checked = 0;
    for outcome in OUTCOMES {
        for (gender, female) in [("women", true), ("men", false)] {
            let sample: Vec<(&PanelRow, f64)> = rows
                .iter()
                .filter(|r| r.female == female)
                .filter_map(|r| r.outcome(outcome).map(|y| (r, y)))
                .collect();
            let fit = fit_event_model(&sample, -1).expect("fit");
            let g = &golden[outcome.as_str()][gender];
            assert_eq!(fit.n as u64, g["n"].as_u64().unwrap());
            for (j, name) in fit.names.iter().enumerate() {
                let coef = g["params"][name]
                    .as_f64()
                    .unwrap_or_else(|| panic!("{name} missing"));
                let se = g["bse"][name].as_f64().unwrap();
                assert!(
                    close(fit.coefficients[j], coef, 1e-6),
                    "{outcome} {gender} {name}: {} vs {coef}",
                    fit.coefficients[j]
                );
                assert!(
                    close(fit.se[j], se, 1e-4),
                    "{outcome} {gender} {name} se: {} vs {se}",
                    fit.se[j]
                );
                checked += 1;
            }
            assert_eq!(fit.names.len(), g["params"].as_object().unwrap().len());
        }
    }
    assert!(checked > 100, "{checked}");
    // The penalty, from the same fits, as the script computes it.
    let config = ValidConfig::default();
    let study = EventStudy::new(&Context::new(&data, &config)).unwrap();
    for outcome in OUTCOMES {
        let ours = &study.outcomes[&outcome];
        let theirs = golden[outcome.as_str()]["penalty"].as_array().unwrap();
        for (i, t) in ours.event_time.iter().enumerate() {
            let expected = &theirs[i];
            assert_eq!(expected["event_time"].as_i64().unwrap(), i64::from(*t));
            match (ours.penalty[i], expected["penalty"].as_f64()) {
                (Some(a), Some(b)) => assert!(close(a, b, 1e-6), "{outcome} t={t}: {a} vs {b}"),
                // Suppressed here (fewer than 5 persons), computed there.
                (None, _) => assert!(
                    ours.women[i].suppressed || ours.men[i].suppressed,
                    "{outcome} t={t}: no penalty although both groups are shown"
                ),
                (Some(a), None) => panic!("{outcome} t={t}: {a} vs none"),
            }
        }
    }
}
