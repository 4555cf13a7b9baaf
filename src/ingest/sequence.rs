//! Sequence rules: each employee's events replayed in timeline order (no
//! leave_end without a leave, no promotion that does not raise the grade, …).

#[allow(unused_imports)]
use super::*;

/// What the second pass over one employee's events found.
pub(super) struct Checked {
    pub(super) rejected: Vec<Rejection>,
    pub(super) duplicates: u64,
}

/// Exact duplicates among same-day events of one rank beyond this many are
/// found with a hash set rather than by comparing each pair.
const PAIRWISE: usize = 16;

/// The second pass over one employee's events, in place: brings them into
/// timeline order (date, same-day rank, line), drops exact duplicates
/// (equal `fingerprints`, which run beside the events; the first in the
/// file is kept), then replays the rest with [`sequence_check`], dropping
/// what it rejects.
pub(super) fn check_employee_events(
    events: &mut Vec<Event>,
    fingerprints: &mut [u64],
    hire_grade: u32,
    as_of: NaiveDate,
) -> Checked {
    let key = |e: &Event| (e.date, e.kind.same_day_rank(), e.line);
    if !events.windows(2).all(|w| key(&w[0]) <= key(&w[1])) {
        let mut paired: Vec<(Event, u64)> =
            events.drain(..).zip(fingerprints.iter().copied()).collect();
        paired.sort_unstable_by_key(|(e, _)| key(e));
        for (slot, (e, f)) in fingerprints.iter_mut().zip(paired) {
            *slot = f;
            events.push(e);
        }
    }
    // Duplicates: within each run of one date and rank, a fingerprint
    // seen on an earlier line of the run.
    let mut duplicate = vec![false; events.len()];
    let mut start = 0;
    while start < events.len() {
        let group = (events[start].date, events[start].kind.same_day_rank());
        let mut end = start + 1;
        while end < events.len() && (events[end].date, events[end].kind.same_day_rank()) == group {
            end += 1;
        }
        if end - start <= PAIRWISE {
            for k in start + 1..end {
                duplicate[k] = fingerprints[start..k].contains(&fingerprints[k]);
            }
        } else {
            let mut seen = HashSet::with_capacity_and_hasher(end - start, FixedState::default());
            for k in start..end {
                duplicate[k] = !seen.insert(fingerprints[k]);
            }
        }
        start = end;
    }
    let duplicates = duplicate.iter().filter(|d| **d).count() as u64;
    let mut grade = hire_grade;
    let mut open: Option<(LeaveType, NaiveDate)> = None;
    let mut rejected = Vec::new();
    let mut k = 0;
    events.retain(|ev| {
        k += 1;
        if duplicate[k - 1] {
            return false;
        }
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
    if events.len() < events.capacity() {
        events.shrink_to_fit();
    }
    Checked {
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
            line: u64::from(ev.line),
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
