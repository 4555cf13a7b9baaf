//! Returns from absences: the unit every analysis after the timelines works on.

use super::{Absence, AbsenceEnd, State, Timeline};
use crate::config::ValidConfig;
use crate::dates::add_months;
use crate::schema::{EventKind, Gender};
use chrono::NaiveDate;
use std::sync::OnceLock;

/// One absence the employee came back from.
#[derive(Debug, Clone, PartialEq)]
pub struct Return<'a> {
    /// Index of the employee's timeline in the analysed slice.
    pub employee: usize,
    /// The employee's timeline.
    pub timeline: &'a Timeline,
    /// The absence.
    pub absence: Absence,
    /// First day back.
    pub return_date: NaiveDate,
    /// The state on the return date, read once (see [`Return::state_at_return`]).
    state: OnceLock<State>,
}

impl Return<'_> {
    /// The employee's gender.
    pub fn gender(&self) -> Gender {
        self.timeline.employee().gender
    }
    /// The state on the return date (events of that day applied), read
    /// from the timeline on first use and kept: peer matching, the flags
    /// and the promotion gap all ask for it.
    pub fn state_at_return(&self) -> &State {
        self.state
            .get_or_init(|| self.timeline.state_on(self.return_date))
    }
    /// The manager before the absence, when recorded.
    pub fn manager(&self) -> Option<&str> {
        self.absence.pre_leave.manager_id.as_deref()
    }
    /// The department before the absence, when recorded.
    pub fn department(&self) -> Option<&str> {
        self.absence.pre_leave.department.as_deref()
    }
    /// Last day the employee can be observed: exit date or the analysis date.
    pub fn observed_until(&self, as_of: NaiveDate) -> NaiveDate {
        self.timeline
            .employee()
            .exit_date
            .map_or(as_of, |x| x.min(as_of))
    }
    /// Ratings from the return date to `rating_lookback_months` after it,
    /// while the employee is observed: the post-return side of every
    /// before/after rating comparison.
    pub fn post_return_ratings(&self, config: &ValidConfig, as_of: NaiveDate) -> Vec<f64> {
        let end = add_months(self.return_date, config.rating_lookback_months())
            .min(self.observed_until(as_of));
        self.timeline.ratings_between(self.return_date, end)
    }
    /// First promotion (grade increase) on or after the return date, if any, up to `as_of`.
    pub fn first_promotion(&self, as_of: NaiveDate) -> Option<NaiveDate> {
        self.timeline
            .first_promotion_between(self.return_date, as_of)
    }
}

impl Timeline {
    /// First grade increase dated on or after `from` and on or before `until`.
    pub fn first_promotion_between(&self, from: NaiveDate, until: NaiveDate) -> Option<NaiveDate> {
        // One pass: the grade before `from` is followed from hire.
        let mut grade = self.employee().grade;
        for e in self.events() {
            if e.date > until {
                break;
            }
            if let EventKind::Promotion(r) | EventKind::RoleChange(r) = &e.kind {
                if let Some(g) = r.grade {
                    if e.date >= from && g > grade {
                        return Some(e.date);
                    }
                    grade = g;
                }
            }
        }
        None
    }
}

/// The return from `absence`, when the employee came back from it
/// (`employee` is the timeline's index in the analysed slice).
pub(crate) fn return_from(
    employee: usize,
    timeline: &Timeline,
    absence: Absence,
) -> Option<Return<'_>> {
    match (absence.end, absence.return_date) {
        (AbsenceEnd::Returned, Some(return_date)) => Some(Return {
            employee,
            timeline,
            absence,
            return_date,
            state: OnceLock::new(),
        }),
        _ => None,
    }
}
