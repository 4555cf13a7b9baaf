//! The outputs of the whole analysis on `data-samples/`, against the data
//! contract: the keys outside checks read, `flags.csv`'s columns and order,
//! the charts of the HTML report, and privacy (no employee id in any aggregate).

use mommytrack::config::ValidConfig;
use mommytrack::report::write_flags;
use mommytrack::Analysis;
use serde_json::Value;
use std::path::Path;

fn report() -> Analysis {
    let config = ValidConfig::default().with_policy_date("2020-04-01".parse().ok());
    let data = mommytrack::Dataset::builder(&config)
        .from_paths(
            Path::new("data-samples/employees.csv"),
            Path::new("data-samples/events.csv"),
        )
        .unwrap();
    Analysis::run(&data, &config)
}

#[test]
fn report_json_has_the_contract_keys() {
    let r = report();
    let j: Value = serde_json::to_value(&r).unwrap();
    for table in ["employees", "events"] {
        for key in ["rows_read", "accepted", "rejected", "duplicates_dropped"] {
            assert!(j["ingest"][table][key].is_u64(), "ingest.{table}.{key}");
        }
    }
    let cox = &j["promotion_gap"]["returners_vs_peers"]["cox"];
    for key in ["hazard_ratio", "ci_lower", "ci_upper", "p_value"] {
        assert!(cox[key].is_f64(), "cox.{key}");
    }
    assert!(cox["ci_lower"].as_f64() <= cox["hazard_ratio"].as_f64());
    assert!(cox["hazard_ratio"].as_f64() <= cox["ci_upper"].as_f64());
    let p = j["promotion_gap"]["returners_vs_peers"]["logrank_p_value"]
        .as_f64()
        .unwrap();
    assert!((0.0..=1.0).contains(&p));
    let managers = j["concentration"]["managers"].as_array().unwrap();
    assert!(!managers.is_empty());
    let count = |c: &Value| {
        assert!(c["suppressed"].is_boolean(), "a count object: {c}");
        assert_eq!(c["value"].is_null(), c["suppressed"] == true, "{c}");
        c["value"].as_u64()
    };
    for m in managers {
        for key in ["manager_id", "returns", "flagged", "significant"] {
            assert!(!m[key].is_null(), "concentration.managers[].{key}");
        }
        // Listed with at least 5 returns; the count itself may be withheld
        // to protect another (a manager's flags within her department).
        assert!(count(&m["returns"]).is_none_or(|n| n >= 5));
        // The test's p-value gives the flagged count back: withheld with it.
        match count(&m["flagged"]) {
            Some(_) => assert!(m["p_adjusted"].as_f64() >= m["p_value"].as_f64()),
            None => assert!(m["p_value"].is_null() && m["p_adjusted"].is_null()),
        }
    }
    let policy = &j["policy"];
    assert!(policy["date"].is_string());
    for (rate, flagged, returns) in [
        ("flag_rate_before", "flagged_before", "returns_before"),
        ("flag_rate_after", "flagged_after", "returns_after"),
    ] {
        let shown = count(&policy[flagged]).is_some() && count(&policy[returns]).is_some();
        assert_eq!(policy[rate].is_f64(), shown, "policy.{rate}");
    }
    for outcome in ["grade", "responsibility", "salary", "regular"] {
        let e = &j["event_study"][outcome];
        let n = e["event_time"].as_array().unwrap().len();
        assert_eq!(n, 9);
        for key in ["penalty", "ci_lower", "ci_upper"] {
            assert_eq!(
                e[key].as_array().unwrap().len(),
                n,
                "event_study.{outcome}.{key}"
            );
        }
        // t = −1 is the reference: penalty 0.
        assert_eq!(e["penalty"][2].as_f64(), Some(0.0));
    }
}

#[test]
fn aggregates_carry_no_employee_id() {
    let r = report();
    let json = serde_json::to_string(&r).unwrap();
    let html = r.to_html();
    let md = r.to_markdown();
    let ids = std::fs::read_to_string("data-samples/employees.csv").unwrap();
    let mut checked = 0;
    for line in ids.lines().skip(1) {
        let id = line.split(',').next().unwrap();
        assert!(!json.contains(&format!("\"{id}\"")), "{id} in report.json");
        assert!(
            !html.contains(id) && !md.contains(id),
            "{id} in a human-readable report"
        );
        checked += 1;
    }
    assert_eq!(checked, 300);
    // The flags, which do carry ids, are not in report.json.
    assert!(!r.flags.is_empty());
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(v.get("flags").is_none());
    // (`config.flags` is the section of thresholds, not the list.)
    assert!(v["config"]["flags"].is_object());
}

#[test]
fn flags_csv_has_the_contract_columns_sorted() {
    let r = report();
    let dir = std::env::temp_dir().join(format!("mt-flags-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("flags.csv");
    write_flags(&path, &r.flags).unwrap();
    let mut rd = csv::Reader::from_path(&path).unwrap();
    let header: Vec<String> = rd.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(
        header,
        [
            "employee_id",
            "leave_start",
            "return_date",
            "leave_types",
            "kinds",
            "employee_initiated",
            "severity",
            "evidence",
            // Optional columns after the contract's.
            "stall_p",
            "rating_drop_score",
            "stall_posterior"
        ]
    );
    let rows: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), r.flags.len());
    let kinds = [
        "responsibility_drop",
        "track_downgrade",
        "demotion",
        "non_regular_conversion",
        "promotion_stall",
        "rating_drop",
        "prolonged_reduced_hours",
    ];
    let mut prev = (String::new(), String::new());
    for row in &rows {
        let key = (row[0].to_string(), row[2].to_string());
        assert!(key > prev, "not sorted: {key:?} after {prev:?}");
        prev = key;
        assert!(row[4].split(';').all(|k| kinds.contains(&k)), "{}", &row[4]);
        assert!(["true", "false"].contains(&&row[5]));
        let severity: f64 = row[6].parse().unwrap();
        assert!((0.0..=1.0).contains(&severity));
        assert!(!row[7].is_empty());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn html_report_is_self_contained_with_its_charts() {
    let html = report().to_html();
    // KM curves, trajectory lines, flag rates by cohort, a funnel plot for
    // managers and one for departments, one event-study chart per outcome
    // (the samples support them all).
    assert_eq!(html.matches("<svg").count(), 5 + 4);
    assert!(html.contains("Kaplan–Meier: share not yet promoted"));
    assert!(html.contains("Funnel plot, managers"));
    assert!(html.contains("Funnel plot, departments"));
    // The findings come first, and link to their sections.
    let findings = html.find("id=\"findings\"").unwrap();
    assert!(findings < html.find("id=\"input\"").unwrap());
    assert!(html.contains("<a href=\"#promotion\">"));
    assert!(!html.contains("<script") && !html.contains("src=\"http"));
}
