//! Properties that must hold on any input.

use chrono::{Duration, NaiveDate};
use mommytrack::config::ValidConfig;
use mommytrack::Error;
use proptest::prelude::*;

mod finite;

const EMP_HEADER: &str =
    "employee_id,gender,hire_date,grade,responsibility,employment_type,weekly_hours";
const EV_HEADER: &str = "employee_id,date,event,leave_type,grade,rating";

/// Rows read = accepted + rejected + duplicates, when ingest succeeds;
/// `Ok(false)` when it stops with an error, which must be one a file
/// without a usable header or without any dated row can give.
fn balanced(employees: &[u8], events: &[u8]) -> Result<bool, TestCaseError> {
    let data = match mommytrack::Dataset::builder(&ValidConfig::default())
        .from_readers(employees, events)
    {
        Ok(data) => data,
        Err(e) => {
            prop_assert!(
                matches!(
                    e,
                    Error::EmptyFile { .. }
                        | Error::MissingColumn { .. }
                        | Error::DuplicateColumn { .. }
                        | Error::NoAnalysisDate
                ),
                "unexpected error {}",
                e
            );
            return Ok(false);
        }
    };
    {
        for t in [&data.report.employees, &data.report.events] {
            prop_assert_eq!(t.rows_read, t.accepted + t.rejected + t.duplicates_dropped);
        }
        prop_assert_eq!(
            data.report.rejections.len() as u64,
            data.report.employees.rejected + data.report.events.rejected
        );
        prop_assert_eq!(data.timelines.len() as u64, data.report.employees.accepted);
    }
    Ok(true)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Arbitrary bytes after a valid header: never a panic, and every row accounted for.
    #[test]
    fn rows_read_equal_accepted_plus_rejected_plus_duplicates(
        emp_body in proptest::collection::vec(any::<u8>(), 0..400),
        ev_body in proptest::collection::vec(any::<u8>(), 0..400),
    ) {
        let mut employees = format!("{EMP_HEADER}\ne1,F,2018-04-01,2,3,regular,40\n").into_bytes();
        employees.extend_from_slice(&emp_body);
        let mut events = format!("{EV_HEADER}\n").into_bytes();
        events.extend_from_slice(&ev_body);
        // A valid header and one good employee row: ingest always succeeds.
        prop_assert!(balanced(&employees, &events)?);
        // And with no header at all: accounted for, or one of the header errors.
        balanced(&emp_body, &ev_body)?;
    }

    /// Rows assembled from plausible and implausible field values.
    #[test]
    fn plausible_rows_are_accounted_for(
        rows in proptest::collection::vec(
            (0u8..4, 0i64..4000, 0usize..9, prop_oneof![Just(""), Just("maternity"), Just("parental"), Just("x")], 0u32..6, 0u32..8),
            0..60),
    ) {
        let employees = format!("{EMP_HEADER}\ne0,F,2015-04-01,2,3,regular,40\ne1,M,2016-04-01,2,3,regular,40\ne2,F,2017-04-01,1,1,part_time,20\n");
        let kinds = ["leave_start", "leave_end", "promotion", "evaluation", "role_change", "child_birth", "bogus", "", "salary_change"];
        let base = NaiveDate::from_ymd_opt(2014, 1, 1).unwrap();
        let mut events = format!("{EV_HEADER}\n");
        for (who, day, kind, leave, grade, rating) in rows {
            let date = base + Duration::days(day);
            events.push_str(&format!("e{who},{date},{},{leave},{grade},{rating}\n", kinds[kind]));
        }
        prop_assert!(balanced(employees.as_bytes(), events.as_bytes())?);
    }

    /// The whole analysis on arbitrary histories (small groups shown, so that
    /// every code path runs): never a panic, flags sorted, severities in [0, 1].
    #[test]
    fn the_analysis_never_panics(
        rows in proptest::collection::vec(
            (0u8..6, 0i64..4000, 0usize..12, prop_oneof![Just("maternity"), Just("parental"), Just("paternity"), Just("medical")], 1u32..6, 1u32..6),
            0..80),
    ) {
        let employees = format!(
            "{EMP_HEADER},birth_year,manager_id,salary\n\
             zqid0,F,2013-04-01,2,3,regular,40,1985,m1,4000000\n\
             zqid1,M,2013-04-01,2,3,regular,40,1984,m1,4100000\n\
             zqid2,F,2014-04-01,2,3,part_time,20,1990,m2,2000000\n\
             zqid3,F,2013-04-01,2,3,regular,40,,m1,\n\
             zqid4,M,2014-04-01,2,3,regular,40,1988,m2,3900000\n\
             zqid5,X,2013-04-01,2,3,regular,40,1991,m1,4000000\n"
        );
        let kinds = ["leave_start", "leave_end", "promotion", "evaluation", "role_change", "child_birth", "leave_start", "leave_end", "evaluation", "promotion", "child_birth", "evaluation"];
        let base = NaiveDate::from_ymd_opt(2013, 6, 1).unwrap();
        let mut events = format!("{EV_HEADER}\n");
        for (who, day, kind, leave, grade, rating) in rows {
            let date = base + Duration::days(day);
            events.push_str(&format!("zqid{who},{date},{},{leave},{grade},{rating}\n", kinds[kind]));
        }
        let mut c = mommytrack::config::Config::default();
        c.privacy.min_group_size = 1;
        c.concentration.policy_date = NaiveDate::from_ymd_opt(2018, 1, 1);
        let config = c.validate().unwrap();

        let data = mommytrack::Dataset::builder(&config).from_readers(employees.as_bytes(), events.as_bytes()).unwrap();
        let report = mommytrack::Analysis::run(&data, &config);
        // Every figure is a finite number or absent (JSON would hide a NaN as null).
        if let Err(e) = finite::all_finite(&report) {
            prop_assert!(false, "non-finite figure at {}", e);
        }
        // No employee id in any aggregate output, even with groups of one shown.
        let json = serde_json::to_string(&report).unwrap();
        for (name, text) in [("report.json", json), ("report.html", report.to_html()), ("report.md", report.to_markdown())] {
            prop_assert!(!text.contains("zqid"), "an employee id in {}", name);
        }
        for f in &report.flags {
            prop_assert!((0.0..=1.0).contains(&f.severity), "{:?}", f);
        }
        for w in report.flags.windows(2) {
            prop_assert!((&w[0].employee_id, w[0].return_date) <= (&w[1].employee_id, w[1].return_date));
        }
    }

    /// Shuffling the event rows changes no timeline (one event per employee and date,
    /// so that no tie is left to file order).
    #[test]
    fn shuffling_event_rows_changes_no_timeline(
        plan in proptest::collection::btree_map((0u8..3, 0i64..3000), (0usize..6, 1u32..6), 0..50),
        seed in any::<u64>(),
    ) {
        let employees = format!("{EMP_HEADER}\ne0,F,2015-04-01,2,3,regular,40\ne1,M,2016-04-01,2,3,regular,40\ne2,F,2017-04-01,1,1,part_time,20\n");
        let kinds = ["leave_start,maternity", "leave_end,maternity", "promotion,", "evaluation,", "leave_start,parental", "leave_end,parental"];
        let base = NaiveDate::from_ymd_opt(2015, 1, 1).unwrap();
        let rows: Vec<String> = plan
            .iter()
            .map(|((who, day), (kind, value))| {
                let date = base + Duration::days(*day);
                format!("e{who},{date},{},{value},{value}", kinds[*kind])
            })
            .collect();
        let mut shuffled = rows.clone();
        // A seeded Fisher-Yates with a simple LCG: the order only has to be arbitrary.
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            shuffled.swap(i, (state >> 33) as usize % (i + 1));
        }
        let read = |rows: &[String]| {
            let events = format!("{EV_HEADER}\n{}\n", rows.join("\n"));
            mommytrack::Dataset::builder(&ValidConfig::default()).from_readers(employees.as_bytes(), events.as_bytes()).unwrap()
        };
        let (a, b) = (read(&rows), read(&shuffled));
        let strip = |d: &mommytrack::Dataset| -> Vec<_> {
            d.timelines.iter().map(|t| t.events().iter().map(|e| (e.date, e.kind.clone())).collect::<Vec<_>>()).collect()
        };
        prop_assert_eq!(strip(&a), strip(&b));
        prop_assert_eq!(a.report.events.rejected, b.report.events.rejected);
        let config = ValidConfig::default();
        for (x, y) in a.timelines.iter().zip(&b.timelines) {
            prop_assert_eq!(x.absences(config.absences()), y.absences(config.absences()));
        }
    }
}
