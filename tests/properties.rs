//! Properties that must hold on any input.

use chrono::{Duration, NaiveDate};
use mommytrack::config::ValidConfig;
use mommytrack::ingest;
use proptest::prelude::*;

const EMP_HEADER: &str =
    "employee_id,gender,hire_date,grade,responsibility,employment_type,weekly_hours";
const EV_HEADER: &str = "employee_id,date,event,leave_type,grade,rating";

fn balanced(employees: &[u8], events: &[u8]) -> Result<(), TestCaseError> {
    if let Ok(data) = ingest::read_csv_from(employees, events, &ValidConfig::default()) {
        for t in [&data.report.employees, &data.report.events] {
            prop_assert_eq!(t.rows_read, t.accepted + t.rejected + t.duplicates_dropped);
        }
        prop_assert_eq!(
            data.report.rejections.len() as u64,
            data.report.employees.rejected + data.report.events.rejected
        );
        prop_assert_eq!(data.timelines.len() as u64, data.report.employees.accepted);
    }
    Ok(())
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
        balanced(&employees, &events)?;
        // And with no header at all.
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
        balanced(employees.as_bytes(), events.as_bytes())?;
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
            ingest::read_csv_from(employees.as_bytes(), events.as_bytes(), &ValidConfig::default()).unwrap()
        };
        let (a, b) = (read(&rows), read(&shuffled));
        let strip = |d: &ingest::Dataset| -> Vec<_> {
            d.timelines.iter().map(|t| t.events().iter().map(|e| (e.date, e.kind.clone())).collect::<Vec<_>>()).collect()
        };
        prop_assert_eq!(strip(&a), strip(&b));
        prop_assert_eq!(a.report.events.rejected, b.report.events.rejected);
        let config = ValidConfig::default();
        for (x, y) in a.timelines.iter().zip(&b.timelines) {
            prop_assert_eq!(x.absences(&config, a.as_of()), y.absences(&config, b.as_of()));
        }
    }
}
