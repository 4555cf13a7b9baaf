//! Sequence rules: each employee's events replayed in timeline order (no
//! leave_end without a leave, no promotion that does not raise the grade, …).

#[allow(unused_imports)]
use super::*;

/// One employee's events after the second pass.
pub(super) struct Checked {
    pub(super) employee: u32,
    pub(super) events: Vec<Event>,
    pub(super) rejected: Vec<Rejection>,
    pub(super) duplicates: u64,
}

/// The second pass over one employee's events, sorted as in
/// [`Builder::finish`]: drops exact duplicates, then replays the rest in
/// timeline order (date, same-day rank, line) with [`sequence_check`].
pub(super) fn check_employee_events(
    employee: u32,
    chunk: &mut [PendingEvent],
    hire_grade: u32,
    as_of: NaiveDate,
) -> Checked {
    let placeholder = || Event {
        date: NaiveDate::MIN,
        kind: EventKind::ChildBirth,
        line: 0,
    };
    let mut kept: Vec<Event> = Vec::with_capacity(chunk.len());
    let mut duplicates = 0;
    let mut previous: Option<(NaiveDate, u8, u64)> = None;
    for (_, fingerprint, ev) in chunk.iter_mut() {
        let key = (ev.date, ev.kind.same_day_rank(), *fingerprint);
        if previous == Some(key) {
            duplicates += 1;
            continue;
        }
        previous = Some(key);
        kept.push(std::mem::replace(ev, placeholder()));
    }
    // Back to file order among same-day events of the same rank.
    kept.sort_by_key(|e| (e.date, e.kind.same_day_rank(), e.line));
    let mut grade = hire_grade;
    let mut open: Option<(LeaveType, NaiveDate)> = None;
    let mut rejected = Vec::new();
    kept.retain(|ev| {
        if let Some(r) = sequence_check(ev, grade, open, as_of) {
            rejected.push(r);
            return false;
        }
        match &ev.kind {
            EventKind::LeaveStart { leave_type } => open = Some((*leave_type, ev.date)),
            EventKind::LeaveEnd { .. } => open = None,
            EventKind::Promotion(r) | EventKind::RoleChange(r) => grade = r.grade.unwrap_or(grade),
            _ => {}
        }
        true
    });
    kept.shrink_to_fit();
    Checked {
        employee,
        events: kept,
        rejected,
        duplicates,
    }
}

/// The checks that need the employee's earlier events.
pub(super) fn sequence_check(
    ev: &Event,
    grade: u32,
    open: Option<(LeaveType, NaiveDate)>,
    as_of: NaiveDate,
) -> Option<Rejection> {
    let reject = |column: &str, value: String, kind, reason: String| {
        Some(Rejection {
            file: Table::Events,
            line: ev.line,
            column: Some(column.to_string()),
            value,
            kind,
            reason,
        })
    };
    if ev.date > as_of {
        return reject(
            "date",
            ev.date.to_string(),
            RejectionKind::AfterAnalysisDate,
            format!(
                "the event is after the analysis date {as_of}; expected a date on or before it"
            ),
        );
    }
    match (&ev.kind, open) {
            (EventKind::LeaveEnd { .. }, None) => reject(
                "event",
                "leave_end".into(),
                RejectionKind::LeaveEndWithoutLeave,
                "a leave_end with no open leave; expected a leave_start before it".into(),
            ),
            (EventKind::LeaveStart { .. }, Some((t, since))) => reject(
                "event",
                "leave_start".into(),
                RejectionKind::LeaveStartDuringLeave,
                format!("a leave_start while the {t} leave that started on {since} is open; expected a leave_end first"),
            ),
            (EventKind::Promotion(r), _) if r.grade.is_some_and(|g| g <= grade) => reject(
                "grade",
                r.grade.map(|g| g.to_string()).unwrap_or_default(),
                RejectionKind::PromotionNotRaisingGrade,
                format!("a promotion that does not raise the grade; expected a grade above the current {grade}"),
            ),
            _ => None,
        }
}
