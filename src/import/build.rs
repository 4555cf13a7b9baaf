//! From parsed rows to the contract's `employees` and `events`: ordering,
//! corrections, blank handling, the state at hire, events from consecutive
//! states, leave records, snapshots.

use super::fields::{Action, ActionKind, Row, Status, DEPARTMENT, MANAGER, P, TRACK};
use super::mapping::{ChangeDate, ExitDate, LeaveEnd, LeftCensored};
use super::{ImportRejection, ImportedEmployee, ImportedEvent, Outcome, Outcomes, SnapshotReport};
use crate::schema::{
    EmploymentType, EventKind, ExitReason, Gender, InitiatedBy, LeaveType, Name, Reassignment,
};
use chrono::{Datelike, Days, NaiveDate};
use std::collections::BTreeSet;

/// The state an employee is in, as far as the rows have told it.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct St {
    pub(crate) grade: Option<u32>,
    pub(crate) responsibility: Option<u8>,
    pub(crate) track: Option<Name>,
    pub(crate) department: Option<Name>,
    pub(crate) manager_id: Option<Name>,
    pub(crate) employment_type: Option<EmploymentType>,
    pub(crate) weekly_hours: Option<f64>,
    pub(crate) salary: Option<f64>,
}

fn apply<T: Clone>(slot: &mut Option<T>, p: &P<T>) {
    match p {
        P::Keep => {}
        P::Set(v) => *slot = Some(v.clone()),
        P::Clear => *slot = None,
    }
}

impl St {
    /// Applies what `row` changes.
    pub(crate) fn apply(&mut self, row: &Row) {
        apply(&mut self.salary, &row.salary);
        let Some(p) = &row.patch else { return };
        apply(&mut self.grade, &p.grade);
        apply(&mut self.responsibility, &p.responsibility);
        let name = |slot: &mut Option<Name>, set: &Option<Name>, bit: u8| match set {
            Some(v) => *slot = Some(v.clone()),
            None if p.cleared & bit != 0 => *slot = None,
            None => {}
        };
        name(&mut self.track, &p.track, TRACK);
        name(&mut self.department, &p.department, DEPARTMENT);
        name(&mut self.manager_id, &p.manager_id, MANAGER);
        apply(&mut self.employment_type, &p.employment_type);
        apply(&mut self.weekly_hours, &p.weekly_hours);
    }

    /// The first required field with no value, if any.
    fn missing(&self) -> Option<&'static str> {
        if self.grade.is_none() {
            Some("grade")
        } else if self.responsibility.is_none() {
            Some("responsibility")
        } else if self.employment_type.is_none() {
            Some("employment_type")
        } else if self.weekly_hours.is_none() {
            Some("weekly_hours")
        } else {
            None
        }
    }
}

/// Where a row came from, for rejections.
pub(crate) struct Origin<'a> {
    pub(crate) files: &'a [String],
    pub(crate) sheets: &'a [Option<String>],
    /// The id of each file's first row (rows are numbered file after file).
    pub(crate) file_start: &'a [usize],
}

impl Origin<'_> {
    pub(crate) fn reject(
        &self,
        row: &Row,
        column: Option<&str>,
        value: &str,
        reason: String,
    ) -> ImportRejection {
        // the last file whose first row is at or before this one
        let f = self.file_start.partition_point(|&s| s <= row.id) - 1;
        ImportRejection {
            file: self.files[f].clone(),
            line: row.line,
            column: column.map(str::to_string),
            sheet: self.sheets[f].clone(),
            cell: None,
            value: value.to_string(),
            reason,
        }
    }
}

/// Everything one employee's rows produce.
pub(crate) struct Built {
    pub(crate) employee: Option<ImportedEmployee>,
    pub(crate) events: Vec<ImportedEvent>,
}

/// The person's attributes: the master's, else the first value any row gives.
#[derive(Default)]
pub(crate) struct Person {
    pub(crate) gender: Option<Gender>,
    pub(crate) birth_year: Option<i32>,
    pub(crate) hire_date: Option<NaiveDate>,
    pub(crate) exit_date: Option<NaiveDate>,
    pub(crate) exit_reason: Option<ExitReason>,
}

impl Person {
    pub(crate) fn take(&mut self, r: &Row) {
        let r = r.x();
        self.gender = self.gender.or(r.gender);
        self.birth_year = self
            .birth_year
            .or(r.birth_year)
            .or(r.birth_date.map(|d| d.year()));
        self.hire_date = self.hire_date.or(r.hire_date);
        if self.exit_date.is_none() {
            self.exit_date = r.exit_date.flatten();
        }
        self.exit_reason = self.exit_reason.or(r.exit_reason);
    }
}

fn event(id: &Name, date: NaiveDate, kind: EventKind) -> ImportedEvent {
    ImportedEvent::new(id.clone(), date, kind)
}

/// The employee from the person and the state at hire.
fn employee(id: &Name, p: &Person, hire: NaiveDate, st: &St) -> ImportedEmployee {
    ImportedEmployee {
        employee_id: id.clone(),
        gender: p.gender,
        birth_year: p.birth_year,
        hire_date: hire,
        exit_date: p.exit_date,
        exit_reason: p.exit_reason,
        department: st.department.clone(),
        grade: st.grade,
        responsibility: st.responsibility,
        track: st.track.clone(),
        manager_id: st.manager_id.clone(),
        employment_type: st.employment_type,
        weekly_hours: st.weekly_hours,
        salary: st.salary,
    }
}

/// Events from the state before a row to the state after it, in the
/// order the contract applies them: role (promotion or role change), then
/// employment, hours, salary; added to `out`. `Err((value, reason))` when
/// the row cannot be applied.
fn diff(
    id: &Name,
    date: NaiveDate,
    before: &St,
    after: &St,
    action: &Action,
    out: &mut Vec<ImportedEvent>,
) -> Result<(), (String, String)> {
    let by = action.initiated_by.unwrap_or(InitiatedBy::Unknown);
    fn changed<T: Clone + PartialEq>(a: &Option<T>, b: &Option<T>) -> Option<T> {
        if a != b {
            b.clone()
        } else {
            None
        }
    }
    let role = Reassignment {
        grade: changed(&before.grade, &after.grade),
        responsibility: changed(&before.responsibility, &after.responsibility),
        track: changed(&before.track, &after.track),
        department: changed(&before.department, &after.department),
        manager_id: changed(&before.manager_id, &after.manager_id),
        initiated_by: InitiatedBy::Unknown,
    };
    let role_changed = role.grade.is_some()
        || role.responsibility.is_some()
        || role.track.is_some()
        || role.department.is_some()
        || role.manager_id.is_some();
    let up = matches!((before.grade, after.grade), (Some(a), Some(b)) if b > a);
    if action.kind == ActionKind::Promotion && !up {
        return Err((
            after.grade.map_or(String::new(), |g| g.to_string()),
            format!(
                "the code says promotion, but the grade does not rise (from {:?} to {:?})",
                before.grade, after.grade
            ),
        ));
    }
    if role_changed {
        let kind = if up {
            EventKind::Promotion(Box::new(role))
        } else {
            EventKind::RoleChange(Box::new(Reassignment {
                initiated_by: by,
                ..role
            }))
        };
        out.push(event(id, date, kind));
    }
    if before.employment_type != after.employment_type {
        if let Some(t) = after.employment_type {
            let kind = EventKind::EmploymentChange {
                employment_type: t,
                initiated_by: by,
            };
            out.push(event(id, date, kind));
        }
    }
    if before.weekly_hours != after.weekly_hours {
        if let Some(h) = after.weekly_hours {
            let kind = EventKind::HoursChange {
                weekly_hours: h,
                initiated_by: by,
            };
            out.push(event(id, date, kind));
        }
    }
    if before.salary != after.salary {
        if let Some(s) = after.salary {
            out.push(event(id, date, EventKind::SalaryChange { salary: s }));
        }
    }
    Ok(())
}

/// Names of the required fields that cannot be cleared, and the optional
/// ones the contract has no way to clear.
fn cleared_fields(before: &St, after: &St) -> Vec<&'static str> {
    let pairs: [(&str, bool); 8] = [
        ("grade", before.grade.is_some() && after.grade.is_none()),
        (
            "responsibility",
            before.responsibility.is_some() && after.responsibility.is_none(),
        ),
        (
            "employment_type",
            before.employment_type.is_some() && after.employment_type.is_none(),
        ),
        (
            "weekly_hours",
            before.weekly_hours.is_some() && after.weekly_hours.is_none(),
        ),
        ("track", before.track.is_some() && after.track.is_none()),
        (
            "department",
            before.department.is_some() && after.department.is_none(),
        ),
        (
            "manager_id",
            before.manager_id.is_some() && after.manager_id.is_none(),
        ),
        ("salary", before.salary.is_some() && after.salary.is_none()),
    ];
    pairs.iter().filter(|(_, c)| *c).map(|(n, _)| *n).collect()
}

/// Keeps the earlier value of every field `after` clears (the contract
/// cannot clear a field once set), with one rejection per field.
fn refuse_clears(
    before: &St,
    after: &mut St,
    r: &Row,
    origin: &Origin,
    rejections: &mut Vec<ImportRejection>,
    how: &str,
) -> u64 {
    let fields = cleared_fields(before, after);
    for f in &fields {
        rejections.push(origin.reject(r, Some(f), "", format!(
            "{f} is {how} here, but the contract keeps a value until it changes; the earlier value is kept"
        )));
        match *f {
            "grade" => after.grade = before.grade,
            "responsibility" => after.responsibility = before.responsibility,
            "employment_type" => after.employment_type = before.employment_type,
            "weekly_hours" => after.weekly_hours = before.weekly_hours,
            "track" => after.track = before.track.clone(),
            "department" => after.department = before.department.clone(),
            "manager_id" => after.manager_id = before.manager_id.clone(),
            _ => after.salary = before.salary,
        }
    }
    fields.len() as u64
}

/// What the history walk needs to know of the mapping.
pub(crate) struct HistoryOptions<'a> {
    pub(crate) exit_date_is: &'a [ExitDate],
    /// Whether leave files give the leaves (then the history's leave
    /// statuses and codes are not used for leave events).
    pub(crate) leaves_from_files: bool,
}

/// One employee from the master row (if any) and the history rows.
#[allow(clippy::too_many_arguments)]
pub(crate) fn history_employee(
    id: &Name,
    master: Option<&Row>,
    rows: &mut [&Row],
    opts: &HistoryOptions,
    origin: &Origin,
    outcome: &Outcomes,
    rejections: &mut Vec<ImportRejection>,
    notes: &mut Notes,
) -> Built {
    // Corrections: within one file, rows with the same date and sequence
    // number are one record; the last modified (else the last line) wins.
    rows.sort_by(|a, b| {
        (a.date, a.source)
            .cmp(&(b.date, b.source))
            .then(
                a.sequence
                    .partial_cmp(&b.sequence)
                    .unwrap_or(std::cmp::Ordering::Equal),
            )
            .then(a.modified.cmp(&b.modified))
            .then(a.line.cmp(&b.line))
    });
    let mut keep: Vec<&Row> = Vec::with_capacity(rows.len());
    for &r in rows.iter() {
        if let Some(last) = keep.last_mut() {
            if last.source == r.source && last.date == r.date && last.sequence == r.sequence {
                outcome.set(last.id, Outcome::Superseded);
                *last = r;
                continue;
            }
        }
        keep.push(r);
    }
    let mut person = Person::default();
    if let Some(m) = master {
        person.take(m);
    }
    for r in &keep {
        person.take(r);
    }
    let first_date = keep.first().and_then(|r| r.date);
    let hire_row = keep
        .iter()
        .find(|r| r.action.is_some_and(|a| a.kind == ActionKind::Hire));
    let hire = person
        .hire_date
        .or(hire_row.and_then(|r| r.date))
        .or(first_date);
    let all: Vec<&Row> = master.into_iter().chain(keep.iter().copied()).collect();
    // The employee cannot be imported: row `at` rejected for `reason`,
    // naming `field`, and every other row of hers rejected pointing to it.
    let give_up = |at: &Row,
                   field: &str,
                   reason: String,
                   outcome: &Outcomes,
                   rejections: &mut Vec<ImportRejection>| {
        outcome.set(at.id, Outcome::Rejected);
        let why = origin.reject(at, Some(field), "", reason);
        let first = (why.file.clone(), why.line);
        rejections.push(why);
        for r in &all {
            if outcome.get(r.id) == Outcome::Accepted {
                outcome.set(r.id, Outcome::Rejected);
                let mut x = origin.reject(
                    r,
                    None,
                    id,
                    format!(
                        "employee {id} could not be imported (see {} line {})",
                        first.0, first.1
                    ),
                );
                x.value = id.to_string();
                rejections.push(x);
            }
        }
        Built {
            employee: None,
            events: vec![],
        }
    };
    let Some(hire) = hire else {
        return give_up(
            all[0],
            "hire_date",
            "a hire date: no column or row gives one".into(),
            outcome,
            rejections,
        );
    };
    let mut st = St::default();
    if let Some(m) = master {
        st.apply(m);
    }
    let mut events = Vec::new();
    let mut status = Status::Active;
    let mut open: Option<LeaveType> = None;
    let mut exit = person.exit_date;
    let mut exit_reason = person.exit_reason;
    let mut hired = false;
    // Rows up to the hire date make the state at hire; when the history
    // starts after the hire date, its first day's rows stand for it.
    let fold_until = match first_date {
        Some(d) if d > hire => {
            notes.history_starts_after_hire += 1;
            d
        }
        _ => hire,
    };
    // one row's events, in the order the contract applies them
    let mut row_events = Vec::new();
    for r in &keep {
        // `date` is required in history and snapshot sections, so a parsed
        // row always has one; a row without would be skipped, not a panic
        let Some(date) = r.date else { continue };
        let action = r.action.unwrap_or_default();
        if date <= fold_until {
            if date < hire {
                notes.rows_before_hire += 1;
            }
            st.apply(r);
            if let Some(s) = r.status {
                status = s;
            }
            if date >= hire {
                if let Some(v) = r.rating {
                    let e = event(id, date, EventKind::Evaluation { rating: v });
                    events.push(e);
                }
            }
            continue;
        }
        if !hired {
            hired = true;
            if let Some(f) = st.missing() {
                return give_up(
                    keep[0],
                    f,
                    format!("{f}: no value on the hire date {hire}"),
                    outcome,
                    rejections,
                );
            }
        }
        if exit.is_some_and(|x| date > x) {
            outcome.set(r.id, Outcome::Rejected);
            rejections.push(origin.reject(
                r,
                None,
                &date.to_string(),
                format!("a row after the exit date {}", exit.unwrap_or(date)),
            ));
            continue;
        }
        let mut after = st.clone();
        after.apply(r);
        notes.clears_refused += refuse_clears(&st, &mut after, r, origin, rejections, "cleared");
        let exit_day = |d: NaiveDate| match opts
            .exit_date_is
            .get(r.source as usize)
            .copied()
            .unwrap_or_default()
        {
            ExitDate::LastDay => d,
            ExitDate::DayAfter => d.pred_opt().unwrap_or(d),
        };
        let new_status = r.status.unwrap_or(status);
        if action.kind == ActionKind::Exit || (new_status == Status::Exit && status != Status::Exit)
        {
            if exit.is_none() {
                exit = Some(exit_day(date));
            }
            exit_reason = exit_reason.or(action.exit_reason);
            status = Status::Exit;
            st = after;
            continue;
        }
        if action.kind == ActionKind::Hire {
            outcome.set(r.id, Outcome::Rejected);
            rejections.push(origin.reject(
                r,
                None,
                &date.to_string(),
                "a second hire (a rehire): the contract holds one employment per employee".into(),
            ));
            continue;
        }
        if action.kind == ActionKind::Ignore {
            st = after;
            status = new_status;
            continue;
        }
        row_events.clear();
        if !opts.leaves_from_files {
            let leave_type = action.leave_type.or(r.leave_type);
            let starts = action.kind == ActionKind::LeaveStart
                || matches!((status, new_status), (Status::Active, Status::Leave(_)));
            let ends = action.kind == ActionKind::LeaveEnd
                || matches!((status, new_status), (Status::Leave(_), Status::Active));
            if ends {
                match open.take() {
                    Some(t) => {
                        let e = event(id, date, EventKind::LeaveEnd { leave_type: t });
                        row_events.push(e);
                    }
                    None => {
                        outcome.set(r.id, Outcome::Rejected);
                        rejections.push(origin.reject(
                            r,
                            None,
                            &date.to_string(),
                            "a return from leave with no leave open".into(),
                        ));
                        continue;
                    }
                }
            }
            if starts {
                let t = match new_status {
                    Status::Leave(Some(t)) => Some(t),
                    _ => leave_type,
                };
                let Some(t) = t else {
                    outcome.set(r.id, Outcome::Rejected);
                    rejections.push(origin.reject(r, None, &date.to_string(),
                        "a leave starts here but nothing gives its type: map it in codes.status, codes.event (leave_type) or a leave_type column".into()));
                    continue;
                };
                if open.is_some() {
                    outcome.set(r.id, Outcome::Rejected);
                    rejections.push(origin.reject(
                        r,
                        None,
                        &date.to_string(),
                        "a leave starts while another is open".into(),
                    ));
                    continue;
                }
                open = Some(t);
                let e = event(id, date, EventKind::LeaveStart { leave_type: t });
                row_events.push(e);
            }
        }
        // leave_end first, leave_start last, as the contract orders a day
        let start = row_events
            .iter()
            .position(|e| matches!(e.kind, EventKind::LeaveStart { .. }));
        match diff(id, date, &st, &after, &action, &mut row_events) {
            Ok(()) => {
                if let Some(i) = start {
                    row_events[i..].rotate_left(1);
                }
            }
            Err((value, reason)) => {
                outcome.set(r.id, Outcome::Rejected);
                rejections.push(origin.reject(r, None, &value, reason));
                continue;
            }
        }
        if let Some(v) = r.rating {
            let e = event(id, date, EventKind::Evaluation { rating: v });
            let at = row_events
                .iter()
                .position(|e| matches!(e.kind, EventKind::LeaveStart { .. }))
                .unwrap_or(row_events.len());
            row_events.insert(at, e);
        }
        events.append(&mut row_events);
        st = after;
        status = new_status;
    }
    if !hired {
        if let Some(f) = st.missing() {
            return give_up(
                all[0],
                f,
                format!("{f}: no value on the hire date {hire}"),
                outcome,
                rejections,
            );
        }
    }
    person.exit_date = exit;
    person.exit_reason = exit_reason;
    if person.gender.is_none() {
        return give_up(
            all[0],
            "gender",
            "a gender: no column gives one".into(),
            outcome,
            rejections,
        );
    }
    let mut at_hire = St::default();
    if let Some(m) = master {
        at_hire.apply(m);
    }
    for r in keep
        .iter()
        .filter(|r| r.date.is_some_and(|d| d <= fold_until))
    {
        at_hire.apply(r);
    }
    Built {
        employee: Some(employee(id, &person, hire, &at_hire)),
        events,
    }
}

/// Counts the import report gives.
#[derive(Debug, Default)]
pub(crate) struct Notes {
    pub(crate) history_starts_after_hire: u64,
    pub(crate) rows_before_hire: u64,
    pub(crate) clears_refused: u64,
}

/// Leave events from leave records.
pub(crate) fn leave_events(id: &Name, r: &Row, end_is: LeaveEnd) -> Vec<ImportedEvent> {
    let mut out = Vec::new();
    let (Some(start), Some(t)) = (r.x().start, r.leave_type) else {
        return out;
    };
    let e = event(id, start, EventKind::LeaveStart { leave_type: t });
    out.push(e);
    if let Some(end) = r.x().end {
        let back = match end_is {
            LeaveEnd::LastDay => end.checked_add_days(Days::new(1)).unwrap_or(end),
            LeaveEnd::FirstDayBack => end,
        };
        let e = event(id, back, EventKind::LeaveEnd { leave_type: t });
        out.push(e);
    }
    out
}

/// A child_birth event.
pub(crate) fn birth_event(id: &Name, date: NaiveDate) -> ImportedEvent {
    event(id, date, EventKind::ChildBirth)
}

/// One employee from snapshot rows (sorted by date) given the sorted list
/// of every snapshot date.
#[allow(clippy::too_many_arguments)]
pub(crate) fn snapshot_employee(
    id: &Name,
    master: Option<&Row>,
    rows: &mut [&Row],
    dates: &[NaiveDate],
    change_date: ChangeDate,
    left_censored: LeftCensored,
    origin: &Origin,
    outcome: &Outcomes,
    rejections: &mut Vec<ImportRejection>,
    report: &mut SnapshotReport,
) -> Built {
    rows.sort_by(|a, b| a.date.cmp(&b.date).then(a.line.cmp(&b.line)));
    // the same employee twice in one snapshot: the later line wins
    let mut keep: Vec<&Row> = Vec::with_capacity(rows.len());
    for &r in rows.iter() {
        if let Some(last) = keep.last_mut() {
            if last.date == r.date {
                outcome.set(last.id, Outcome::Superseded);
                *last = r;
                continue;
            }
        }
        keep.push(r);
    }
    let pos = |d: NaiveDate| dates.binary_search(&d).unwrap_or(0);
    let mut person = Person::default();
    if let Some(m) = master {
        person.take(m);
    }
    for r in &keep {
        person.take(r);
    }
    let first = &keep[0];
    let Some(first_date) = first.date else {
        return Built {
            employee: None,
            events: vec![],
        };
    };
    let k = pos(first_date);
    let hire = match person.hire_date {
        Some(h) => h.min(first_date),
        None if k > 0 => {
            report.hires_dated_by_snapshot += 1;
            first_date
        }
        None => match left_censored {
            LeftCensored::FirstSnapshot => {
                report.left_censored += 1;
                first_date
            }
            LeftCensored::Reject => {
                for r in &keep {
                    outcome.set(r.id, Outcome::Rejected);
                }
                rejections.push(origin.reject(first, Some("hire_date"), "",
                    format!("a hire date: employee {id} is in the first snapshot ({first_date}) and no column gives the hire date (set left_censored = \"first_snapshot\" to take that date)")));
                for r in &keep[1..] {
                    rejections.push(origin.reject(
                        r,
                        None,
                        id,
                        format!(
                            "employee {id} could not be imported (see line {})",
                            first.line
                        ),
                    ));
                }
                return Built {
                    employee: None,
                    events: vec![],
                };
            }
        },
    };
    let mut st = St::default();
    if let Some(m) = master {
        st.apply(m);
    }
    st.apply(first);
    if let Some(f) = st.missing() {
        for r in &keep {
            outcome.set(r.id, Outcome::Rejected);
        }
        rejections.push(origin.reject(
            first,
            Some(f),
            "",
            format!("{f}: no value in the first snapshot of employee {id}"),
        ));
        for r in &keep[1..] {
            rejections.push(origin.reject(
                r,
                None,
                id,
                format!(
                    "employee {id} could not be imported (see line {})",
                    first.line
                ),
            ));
        }
        return Built {
            employee: None,
            events: vec![],
        };
    }
    if person.gender.is_none() {
        for r in &keep {
            outcome.set(r.id, Outcome::Rejected);
        }
        rejections.push(origin.reject(
            first,
            Some("gender"),
            "",
            "a gender: no column gives one".into(),
        ));
        return Built {
            employee: None,
            events: vec![],
        };
    }
    let at_hire = st.clone();
    let mut status = first.status.unwrap_or(Status::Active);
    let mut open = match status {
        Status::Leave(t) => t,
        _ => None,
    };
    let mut events = Vec::new();
    // a leave open in the first snapshot starts on it
    if let Some(t) = open {
        let mut e = event(id, first_date, EventKind::LeaveStart { leave_type: t });
        e.earliest = Some(hire);
        events.push(e);
    }
    let mut last_rating: Option<(Option<NaiveDate>, f64)> = None;
    let mut rate =
        |r: &Row, date: NaiveDate, earliest: Option<NaiveDate>, events: &mut Vec<ImportedEvent>| {
            if let Some(v) = r.rating {
                let now = (r.rating_date, v);
                if last_rating != Some(now) {
                    let (d, e0) = match r.rating_date {
                        Some(d) => (d, None),
                        None => (date, earliest),
                    };
                    let mut e = event(id, d, EventKind::Evaluation { rating: v });
                    e.earliest = e0;
                    events.push(e);
                    last_rating = Some(now);
                }
            }
        };
    rate(first, first_date, Some(hire), &mut events);
    let mut prev = k;
    let mut exit = person.exit_date;
    // one row's events, in the order the contract applies them
    let mut row_events = Vec::new();
    for r in &keep[1..] {
        let Some(date) = r.date else { continue };
        let j = pos(date);
        if j > prev + 1 {
            report.employees_with_gaps += 1;
        }
        let prev_date = dates[prev];
        let earliest = prev_date.succ_opt();
        let at = match change_date {
            ChangeDate::Snapshot => date,
            ChangeDate::PeriodStart => earliest.unwrap_or(date),
        };
        let mut after = st.clone();
        after.apply(r);
        refuse_clears(&st, &mut after, r, origin, rejections, "blank");
        let new_status = r.status.unwrap_or(Status::Active);
        row_events.clear();
        if let (Status::Leave(_), Status::Active) | (Status::Leave(_), Status::Leave(_)) =
            (status, new_status)
        {
            let new_t = match new_status {
                Status::Leave(t) => t,
                _ => None,
            };
            if new_status == Status::Active || new_t != open {
                if let Some(t) = open.take() {
                    let mut e = event(id, at, EventKind::LeaveEnd { leave_type: t });
                    e.earliest = earliest;
                    row_events.push(e);
                }
            }
        }
        let mut starting = None;
        if let Status::Leave(t) = new_status {
            if open.is_none() {
                match t {
                    Some(t) => starting = Some(t),
                    None => {
                        outcome.set(r.id, Outcome::Rejected);
                        rejections.push(origin.reject(r, None, &date.to_string(),
                            "a leave shows here but nothing gives its type: map the status to a leave type in codes.status, or a leave_type column".into()));
                        continue;
                    }
                }
            }
        }
        let from = row_events.len();
        match diff(id, at, &st, &after, &Action::default(), &mut row_events) {
            Ok(()) => {
                for e in &mut row_events[from..] {
                    e.earliest = earliest;
                }
            }
            Err((value, reason)) => {
                outcome.set(r.id, Outcome::Rejected);
                rejections.push(origin.reject(r, None, &value, reason));
                continue;
            }
        }
        rate(r, date, earliest, &mut row_events);
        if let Some(t) = starting {
            // two leaves within one period: the new type starts where the old ends
            let mut e = event(id, at, EventKind::LeaveStart { leave_type: t });
            e.earliest = earliest;
            row_events.push(e);
            open = Some(t);
        }
        if new_status == Status::Exit && exit.is_none() {
            exit = Some(date);
        }
        events.append(&mut row_events);
        st = after;
        status = new_status;
        prev = j;
    }
    let last = keep.last().and_then(|r| r.date).unwrap_or(first_date);
    if exit.is_none() && pos(last) + 1 < dates.len() {
        exit = Some(last);
        report.exits_dated_by_snapshot += 1;
    }
    person.exit_date = exit;
    Built {
        employee: Some(employee(id, &person, hire, &at_hire)),
        events,
    }
}

/// Months between the first and last snapshot with no snapshot.
pub(crate) fn missing_months(dates: &[NaiveDate]) -> Vec<String> {
    let have: BTreeSet<(i32, u32)> = dates.iter().map(|d| (d.year(), d.month())).collect();
    let (Some(&(y0, m0)), Some(&(y1, m1))) = (have.first(), have.last()) else {
        return vec![];
    };
    let mut out = Vec::new();
    let (mut y, mut m) = (y0, m0);
    while (y, m) < (y1, m1) {
        if !have.contains(&(y, m)) {
            out.push(format!("{y:04}-{m:02}"));
        }
        m += 1;
        if m > 12 {
            m = 1;
            y += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rejection_names_the_file_its_row_came_from_past_empty_files() {
        // rows 0-1 from a.csv, none from b.csv, rows 2-4 from c.csv
        let files = ["a.csv".to_string(), "b.csv".into(), "c.csv".into()];
        let origin = Origin {
            files: &files,
            sheets: &[None, None, None],
            file_start: &[0, 2, 2, 5],
        };
        let file_of = |id| {
            let row = Row {
                id,
                ..Row::default()
            };
            origin.reject(&row, None, "", String::new()).file
        };
        let got: Vec<String> = (0..5).map(file_of).collect();
        assert_eq!(got, ["a.csv", "a.csv", "c.csv", "c.csv", "c.csv"]);
    }
}
