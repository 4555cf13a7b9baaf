//! Per-employee timelines: events in order, the state on any date, and absences.
//!
//! Events of one employee are ordered by date; on one date `leave_end` comes
//! first (the return), then the other events in file order, `leave_start`
//! last. [`Timeline::state_on`] replays them up to a date, and
//! [`Timeline::absences`] joins leaves that are at most
//! [`gap_days`](crate::config::AbsenceConfig::gap_days) apart
//! (for example maternity then parental leave) into one [`Absence`].
//!
//! ```
//! use chrono::NaiveDate;
//! use mommytrack::config::AbsenceConfig;
//! use mommytrack::schema::*;
//! use mommytrack::timeline::Timeline;
//!
//! let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
//! let employee = Employee { employee_id: "e1".into(), gender: Gender::Female, birth_year: None,
//!     hire_date: d("2018-04-01"), exit_date: None, exit_reason: None, department: None,
//!     grade: 3, responsibility: 4, track: None, manager_id: None,
//!     employment_type: EmploymentType::Regular, weekly_hours: 40.0, salary: None };
//! let ev = |date: &str, kind| Event { date: d(date), kind, line: 0 };
//! let timeline = Timeline::new(employee, vec![
//!     ev("2021-01-10", EventKind::LeaveStart { leave_type: LeaveType::Maternity }),
//!     ev("2021-04-01", EventKind::LeaveEnd { leave_type: LeaveType::Maternity }),
//!     ev("2021-04-03", EventKind::LeaveStart { leave_type: LeaveType::Parental }),
//!     ev("2022-04-01", EventKind::LeaveEnd { leave_type: LeaveType::Parental }),
//! ]);
//! let absences = timeline.absences(&AbsenceConfig::default());
//! assert_eq!(absences.len(), 1);
//! assert_eq!(absences[0].return_date, Some(d("2022-04-01")));
//! assert!(timeline.state_on(d("2021-06-01")).on_leave.is_some());
//! ```

use crate::config::AbsenceConfig;
mod returns;

pub(crate) use returns::return_from;
pub use returns::Return;

use crate::schema::{Employee, EmploymentType, Event, EventKind, LeaveType, Name};
use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// The state of one employee on one date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    /// The date this state is for.
    pub date: NaiveDate,
    /// Between `hire_date` and `exit_date`, both included.
    pub employed: bool,
    /// The type of the leave the employee is on, if any.
    pub on_leave: Option<LeaveType>,
    /// Job grade.
    pub grade: u32,
    /// Responsibility level, 0–9.
    pub responsibility: u8,
    /// Career track.
    pub track: Option<Name>,
    /// Department.
    pub department: Option<Name>,
    /// Manager's pseudonymous id.
    pub manager_id: Option<Name>,
    /// Employment type.
    pub employment_type: EmploymentType,
    /// Contracted weekly hours.
    pub weekly_hours: f64,
    /// Annual base salary.
    pub salary: Option<f64>,
    /// The latest evaluation on or before the date.
    pub rating: Option<Rating>,
}

impl State {
    /// The state on `hire_date`, before any event.
    pub fn at_hire(employee: &Employee) -> State {
        State {
            date: employee.hire_date,
            employed: true,
            on_leave: None,
            grade: employee.grade,
            responsibility: employee.responsibility,
            track: employee.track.clone(),
            department: employee.department.clone(),
            manager_id: employee.manager_id.clone(),
            employment_type: employee.employment_type,
            weekly_hours: employee.weekly_hours,
            salary: employee.salary,
            rating: None,
        }
    }

    /// Applies one event to the state.
    pub fn apply(&mut self, event: &Event) {
        match &event.kind {
            EventKind::LeaveStart { leave_type } => self.on_leave = Some(*leave_type),
            EventKind::LeaveEnd { .. } => self.on_leave = None,
            EventKind::RoleChange(r) | EventKind::Promotion(r) => {
                if let Some(g) = r.grade {
                    self.grade = g;
                }
                if let Some(x) = r.responsibility {
                    self.responsibility = x;
                }
                if let Some(t) = &r.track {
                    self.track = Some(t.clone());
                }
                if let Some(d) = &r.department {
                    self.department = Some(d.clone());
                }
                if let Some(m) = &r.manager_id {
                    self.manager_id = Some(m.clone());
                }
            }
            EventKind::Evaluation { rating } => {
                self.rating = Some(Rating {
                    date: event.date,
                    rating: *rating,
                })
            }
            EventKind::EmploymentChange {
                employment_type, ..
            } => self.employment_type = *employment_type,
            EventKind::HoursChange { weekly_hours, .. } => self.weekly_hours = *weekly_hours,
            EventKind::SalaryChange { salary } => self.salary = Some(*salary),
            EventKind::ChildBirth => {}
        }
    }
}

/// See [`Timeline::walk`].
#[derive(Debug, Clone)]
pub struct StateWalk<'a> {
    timeline: &'a Timeline,
    state: State,
    next: usize,
}

impl StateWalk<'_> {
    /// The state at the end of `date`, as [`Timeline::state_on`] gives it.
    pub fn state_on(&mut self, date: NaiveDate) -> &State {
        let events = &self.timeline.events;
        if self.next > 0 && events[self.next - 1].date > date {
            self.state = State::at_hire(&self.timeline.employee);
            self.next = 0;
        }
        while self.next < events.len() && events[self.next].date <= date {
            self.state.apply(&events[self.next]);
            self.next += 1;
        }
        self.state.date = date;
        self.state.employed = self.timeline.employed_on(date);
        &self.state
    }
}

/// One evaluation result and its date.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Rating {
    /// Date of the evaluation.
    pub date: NaiveDate,
    /// The rating.
    pub rating: f64,
}

/// One leave as recorded: a `leave_start` and its `leave_end`, if any.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LeaveSpell {
    /// Kind of leave (from its `leave_start`).
    pub leave_type: LeaveType,
    /// First day of leave.
    pub start: NaiveDate,
    /// First day back; `None` while the leave is open.
    pub end: Option<NaiveDate>,
}

/// How an absence ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AbsenceEnd {
    /// The employee came back on `return_date`.
    Returned,
    /// Employment ended during the leave (on the exit date).
    Exited,
    /// Still on leave at the analysis date: censored.
    OnLeave,
}

/// Leaves joined into one absence from work, with the state before it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Absence {
    /// First day of the first leave.
    pub start: NaiveDate,
    /// First day back after the last leave; `None` when the employee has not come back.
    pub return_date: Option<NaiveDate>,
    /// Whether the employee returned, left, or is still on leave (censored).
    pub end: AbsenceEnd,
    /// The distinct leave types in the absence, in contract order.
    pub leave_types: Vec<LeaveType>,
    /// The recorded leaves that make it up.
    pub spells: Vec<LeaveSpell>,
    /// The state on the day before `start`.
    pub pre_leave: State,
    /// Evaluations in the look-back window before `start`, oldest first.
    pub pre_leave_ratings: Vec<Rating>,
}

/// What the aggregate analyses need of an absence, in 12 bytes: when it
/// began, how it ended and its leave types (the full [`Absence`] of a
/// return lives in its [`Return`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AbsenceFacts {
    /// First day of the first leave.
    pub start: NaiveDate,
    /// Whether the employee returned, left, or is still on leave.
    pub end: AbsenceEnd,
    /// One bit per [`LeaveType::ALL`] position.
    leave_types: u8,
}

impl AbsenceFacts {
    /// The facts of `absence`.
    pub fn of(absence: &Absence) -> AbsenceFacts {
        let mut bits = 0u8;
        for t in &absence.leave_types {
            if let Some(i) = LeaveType::ALL.iter().position(|x| x == t) {
                bits |= 1 << i;
            }
        }
        AbsenceFacts {
            start: absence.start,
            end: absence.end,
            leave_types: bits,
        }
    }

    /// The distinct leave types, in contract order (as [`Absence::leave_types`]).
    pub fn leave_types(&self) -> impl Iterator<Item = LeaveType> + '_ {
        LeaveType::ALL
            .iter()
            .enumerate()
            .filter(|(i, _)| self.leave_types & (1 << i) != 0)
            .map(|(_, t)| *t)
    }

    /// `true` when the absence holds a maternity, paternity or parental leave.
    pub fn is_childcare(&self) -> bool {
        self.leave_types().any(LeaveType::is_childcare)
    }
}

impl Absence {
    /// `true` when the absence holds a maternity, paternity or parental leave.
    pub fn is_childcare(&self) -> bool {
        self.leave_types.iter().any(|t| t.is_childcare())
    }

    /// The leave types joined with `;`, as in `flags.csv`.
    pub fn leave_types_label(&self) -> String {
        let names: Vec<&str> = self.leave_types.iter().map(|t| t.as_str()).collect();
        names.join(";")
    }

    /// Mean of the pre-leave ratings, when there are any.
    pub fn pre_leave_mean_rating(&self) -> Option<f64> {
        if self.pre_leave_ratings.is_empty() {
            return None;
        }
        let sum: f64 = self.pre_leave_ratings.iter().map(|r| r.rating).sum();
        Some(sum / self.pre_leave_ratings.len() as f64)
    }
}

/// One employee with every accepted event, in timeline order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timeline {
    employee: Employee,
    events: Vec<Event>,
}

impl Timeline {
    /// Builds a timeline, ordering the events by date and, on one date,
    /// `leave_end` first, `leave_start` last, the others in the given order.
    pub fn new(employee: Employee, mut events: Vec<Event>) -> Timeline {
        events.sort_by_key(|e| (e.date, e.kind.same_day_rank()));
        Timeline { employee, events }
    }

    /// The employee's record.
    pub fn employee(&self) -> &Employee {
        &self.employee
    }

    /// The events in timeline order.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// Whether the employee is employed on `date` (hire and exit dates included).
    pub fn employed_on(&self, date: NaiveDate) -> bool {
        date >= self.employee.hire_date && self.employee.exit_date.is_none_or(|x| date <= x)
    }

    /// The state at the end of `date`: every event dated on or before it applied.
    ///
    /// Before `hire_date` it is the hire state with `employed == false`.
    pub fn state_on(&self, date: NaiveDate) -> State {
        let mut state = State::at_hire(&self.employee);
        for event in self.events.iter().take_while(|e| e.date <= date) {
            state.apply(event);
        }
        state.date = date;
        state.employed = self.employed_on(date);
        state
    }

    /// Years worked in the grade held at the end of `date`: from the day the
    /// grade was reached (the last event on or before `date` that changed
    /// it, else the hire date) to `date`, less the days on leave of any type
    /// in between (a leave runs from its `leave_start` to the day before its
    /// `leave_end`, or to `date` while it is open). Zero before the hire date.
    ///
    /// ```
    /// use mommytrack::{Dataset, ValidConfig};
    /// let employees = "employee_id,gender,hire_date,grade,responsibility,employment_type,weekly_hours\n\
    ///                  e1,F,2018-01-01,2,3,regular,40\n";
    /// let events = "employee_id,date,event,leave_type,grade\n\
    ///               e1,2019-01-01,promotion,,3\n\
    ///               e1,2020-01-01,leave_start,maternity,\n\
    ///               e1,2021-01-01,leave_end,maternity,\n";
    /// let config = ValidConfig::default();
    /// let data = Dataset::builder(&config)
    ///     .as_of("2023-03-31".parse().ok())
    ///     .from_readers(employees.as_bytes(), events.as_bytes())?;
    /// let t = &data.timelines[0];
    /// let d = |s: &str| s.parse().unwrap();
    /// // Grade 3 since 2019-01-01: three calendar years, one of them (366
    /// // days, 2020 is a leap year) on leave.
    /// let worked = t.worked_years_in_grade(d("2022-01-01"));
    /// assert!((worked - (1096.0 - 366.0) / 365.25).abs() < 1e-12);
    /// // On leave since 2020-01-01: only the year before counts.
    /// assert!((t.worked_years_in_grade(d("2020-07-01")) - 365.0 / 365.25).abs() < 1e-12);
    /// // Grade 2 from hire to the promotion.
    /// assert!((t.worked_years_in_grade(d("2018-12-31")) - 364.0 / 365.25).abs() < 1e-12);
    /// # Ok::<(), mommytrack::Error>(())
    /// ```
    pub fn worked_years_in_grade(&self, date: NaiveDate) -> f64 {
        if date < self.employee.hire_date {
            return 0.0;
        }
        let mut grade = self.employee.grade;
        let mut since = self.employee.hire_date;
        let mut leave_days = 0i64;
        let mut open: Option<NaiveDate> = None;
        for event in self.events.iter().take_while(|e| e.date <= date) {
            match &event.kind {
                EventKind::Promotion(r) | EventKind::RoleChange(r) => {
                    if let Some(g) = r.grade.filter(|g| *g != grade) {
                        grade = g;
                        since = event.date;
                        leave_days = 0;
                        if let Some(o) = open.as_mut() {
                            *o = event.date;
                        }
                    }
                }
                EventKind::LeaveStart { .. } => open = open.or(Some(event.date.max(since))),
                EventKind::LeaveEnd { .. } => {
                    if let Some(o) = open.take() {
                        leave_days += (event.date - o).num_days().max(0);
                    }
                }
                _ => {}
            }
        }
        if let Some(o) = open {
            leave_days += (date - o).num_days().max(0);
        }
        ((date - since).num_days() - leave_days).max(0) as f64 / crate::dates::DAYS_PER_YEAR
    }

    /// Whether the employee ever started a maternity, paternity or parental
    /// leave: the same as any absence [`is_childcare`](Absence::is_childcare),
    /// without building the absences.
    pub fn has_childcare_leave(&self) -> bool {
        self.events.iter().any(
            |e| matches!(e.kind, EventKind::LeaveStart { leave_type } if leave_type.is_childcare()),
        )
    }

    /// The ratings dated from `from` to `to`, both included, oldest first.
    pub fn ratings_between(&self, from: NaiveDate, to: NaiveDate) -> Vec<f64> {
        let first = self.events.partition_point(|e| e.date < from);
        self.events[first..]
            .iter()
            .take_while(|e| e.date <= to)
            .filter_map(|e| match e.kind {
                EventKind::Evaluation { rating } => Some(rating),
                _ => None,
            })
            .collect()
    }

    /// A cursor that gives the state on a series of dates with one pass over
    /// the events when the dates do not go backwards (it starts again when
    /// they do); each answer equals [`Timeline::state_on`].
    ///
    /// ```
    /// # use mommytrack::{Dataset, ValidConfig};
    /// # let emp = "employee_id,gender,hire_date,grade,responsibility,employment_type,weekly_hours\ne1,F,2020-04-01,1,1,regular,40\n";
    /// # let ev = "employee_id,date,event,grade\ne1,2022-04-01,promotion,2\n";
    /// # let data = Dataset::builder(&ValidConfig::default()).from_readers(emp.as_bytes(), ev.as_bytes()).unwrap();
    /// let t = &data.timelines[0];
    /// let mut walk = t.walk();
    /// for date in ["2021-12-31", "2022-12-31"] {
    ///     let date = date.parse().unwrap();
    ///     assert_eq!(walk.state_on(date), &t.state_on(date));
    /// }
    /// ```
    pub fn walk(&self) -> StateWalk<'_> {
        StateWalk {
            timeline: self,
            state: State::at_hire(&self.employee),
            next: 0,
        }
    }

    /// Every recorded leave, in order; the last may be open.
    ///
    /// A `leave_start` while a leave is open and a `leave_end` with none open
    /// are skipped (ingestion rejects them, so this only matters for timelines
    /// built by hand).
    pub fn leave_spells(&self) -> Vec<LeaveSpell> {
        let mut spells: Vec<LeaveSpell> = Vec::new();
        let mut open: Option<LeaveSpell> = None;
        for event in &self.events {
            match event.kind {
                EventKind::LeaveStart { leave_type } if open.is_none() => {
                    open = Some(LeaveSpell {
                        leave_type,
                        start: event.date,
                        end: None,
                    })
                }
                EventKind::LeaveEnd { .. } => {
                    if let Some(mut spell) = open.take() {
                        spell.end = Some(event.date);
                        spells.push(spell);
                    }
                }
                _ => {}
            }
        }
        spells.extend(open);
        spells
    }

    /// Absences: leaves at most `absence_gap_days` apart joined into one.
    ///
    /// An absence with no return is [`AbsenceEnd::Exited`] when the employee
    /// has an exit date, otherwise [`AbsenceEnd::OnLeave`] (censored at the
    /// analysis date).
    pub fn absences(&self, config: &AbsenceConfig) -> Vec<Absence> {
        let gap = i64::from(config.gap_days);
        let mut groups: Vec<Vec<LeaveSpell>> = Vec::new();
        for spell in self.leave_spells() {
            let joins = groups
                .last()
                .and_then(|g| g.last())
                .and_then(|prev| prev.end)
                .is_some_and(|end| (spell.start - end).num_days() <= gap);
            match groups.last_mut() {
                Some(group) if joins => group.push(spell),
                _ => groups.push(vec![spell]),
            }
        }
        groups
            .into_iter()
            .map(|spells| self.absence_from(spells, config))
            .collect()
    }

    fn absence_from(&self, spells: Vec<LeaveSpell>, config: &AbsenceConfig) -> Absence {
        let start = spells[0].start;
        let return_date = spells.last().and_then(|s| s.end);
        let end = match (return_date, self.employee.exit_date) {
            (Some(_), _) => AbsenceEnd::Returned,
            (None, Some(_)) => AbsenceEnd::Exited,
            (None, None) => AbsenceEnd::OnLeave,
        };
        let mut leave_types: Vec<LeaveType> = spells.iter().map(|s| s.leave_type).collect();
        leave_types.sort();
        leave_types.dedup();
        let day_before = start.pred_opt().unwrap_or(start);
        let window_start = start
            .checked_sub_months(Months::new(config.rating_lookback_months))
            .unwrap_or(NaiveDate::MIN);
        let pre_leave_ratings = self
            .events
            .iter()
            .take_while(|e| e.date < start)
            .filter(|e| e.date >= window_start)
            .filter_map(|e| match e.kind {
                EventKind::Evaluation { rating } => Some(Rating {
                    date: e.date,
                    rating,
                }),
                _ => None,
            })
            .collect();
        Absence {
            start,
            return_date,
            end,
            leave_types,
            spells,
            pre_leave: self.state_on(day_before),
            pre_leave_ratings,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Gender, Reassignment};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn employee(exit: Option<&str>) -> Employee {
        Employee {
            employee_id: "e1".into(),
            gender: Gender::Female,
            birth_year: Some(1990),
            hire_date: d("2015-04-01"),
            exit_date: exit.map(d),
            exit_reason: None,
            department: Some("sales".into()),
            grade: 2,
            responsibility: 3,
            track: Some("career".into()),
            manager_id: Some("m1".into()),
            employment_type: EmploymentType::Regular,
            weekly_hours: 40.0,
            salary: Some(5_000_000.0),
        }
    }

    fn ev(date: &str, kind: EventKind) -> Event {
        Event {
            date: d(date),
            kind,
            line: 0,
        }
    }

    fn maternity_then_parental(gap_days: i64) -> Timeline {
        let end1 = d("2020-06-01");
        let start2 = end1 + chrono::Duration::days(gap_days);
        Timeline::new(
            employee(None),
            vec![
                ev(
                    "2020-03-01",
                    EventKind::LeaveStart {
                        leave_type: LeaveType::Maternity,
                    },
                ),
                ev(
                    "2020-06-01",
                    EventKind::LeaveEnd {
                        leave_type: LeaveType::Maternity,
                    },
                ),
                ev(
                    &start2.to_string(),
                    EventKind::LeaveStart {
                        leave_type: LeaveType::Parental,
                    },
                ),
                ev(
                    "2021-04-01",
                    EventKind::LeaveEnd {
                        leave_type: LeaveType::Parental,
                    },
                ),
            ],
        )
    }

    #[test]
    fn maternity_then_parental_joins_at_gaps_of_0_and_3_days_not_8() {
        let config = AbsenceConfig::default();
        for (gap, expected) in [(0, 1), (3, 1), (7, 1), (8, 2)] {
            let absences = maternity_then_parental(gap).absences(&config);
            assert_eq!(absences.len(), expected, "gap {gap}");
            if expected == 1 {
                let a = &absences[0];
                assert_eq!(a.start, d("2020-03-01"));
                assert_eq!(a.return_date, Some(d("2021-04-01")));
                assert_eq!(
                    a.leave_types,
                    vec![LeaveType::Maternity, LeaveType::Parental]
                );
                assert_eq!(a.end, AbsenceEnd::Returned);
                assert_eq!(a.leave_types_label(), "maternity;parental");
            } else {
                assert_eq!(absences[0].return_date, Some(d("2020-06-01")));
                assert_eq!(absences[1].leave_types, vec![LeaveType::Parental]);
            }
        }
    }

    #[test]
    fn a_gap_of_zero_days_means_return_and_new_leave_on_one_date() {
        // On one date leave_end sorts before leave_start whatever the input order.
        let t = Timeline::new(
            employee(None),
            vec![
                ev(
                    "2020-06-01",
                    EventKind::LeaveStart {
                        leave_type: LeaveType::Parental,
                    },
                ),
                ev(
                    "2020-06-01",
                    EventKind::LeaveEnd {
                        leave_type: LeaveType::Maternity,
                    },
                ),
                ev(
                    "2020-03-01",
                    EventKind::LeaveStart {
                        leave_type: LeaveType::Maternity,
                    },
                ),
            ],
        );
        let spells = t.leave_spells();
        assert_eq!(spells.len(), 2);
        assert_eq!(spells[1].end, None);
        let absences = t.absences(&AbsenceConfig::default());
        assert_eq!(absences.len(), 1);
        assert_eq!(absences[0].end, AbsenceEnd::OnLeave);
        assert_eq!(absences[0].return_date, None);
    }

    #[test]
    fn open_leave_is_censored_or_ended_by_exit() {
        let start = ev(
            "2023-09-01",
            EventKind::LeaveStart {
                leave_type: LeaveType::Maternity,
            },
        );
        let open = Timeline::new(employee(None), vec![start.clone()]);
        let a = open.absences(&AbsenceConfig::default());
        assert_eq!(a[0].end, AbsenceEnd::OnLeave);
        assert!(open.state_on(d("2024-03-31")).on_leave.is_some());
        let exited = Timeline::new(employee(Some("2024-01-31")), vec![start]);
        let a = exited.absences(&AbsenceConfig::default());
        assert_eq!(a[0].end, AbsenceEnd::Exited);
        assert!(!exited.state_on(d("2024-02-01")).employed);
        assert!(exited.state_on(d("2024-01-31")).employed);
    }

    #[test]
    fn state_and_pre_leave_ratings_follow_the_events() {
        let t = Timeline::new(
            employee(None),
            vec![
                ev("2017-03-31", EventKind::Evaluation { rating: 4.0 }),
                ev("2019-03-31", EventKind::Evaluation { rating: 5.0 }),
                ev("2020-03-31", EventKind::Evaluation { rating: 3.0 }),
                ev(
                    "2019-04-01",
                    EventKind::Promotion(Box::new(Reassignment {
                        grade: Some(3),
                        responsibility: Some(5),
                        ..Default::default()
                    })),
                ),
                ev(
                    "2020-05-01",
                    EventKind::LeaveStart {
                        leave_type: LeaveType::Maternity,
                    },
                ),
                ev(
                    "2021-05-01",
                    EventKind::LeaveEnd {
                        leave_type: LeaveType::Maternity,
                    },
                ),
                ev(
                    "2021-05-01",
                    EventKind::RoleChange(Box::new(Reassignment {
                        responsibility: Some(1),
                        ..Default::default()
                    })),
                ),
                ev(
                    "2021-06-01",
                    EventKind::HoursChange {
                        weekly_hours: 30.0,
                        initiated_by: crate::schema::InitiatedBy::Employee,
                    },
                ),
            ],
        );
        let before = t.state_on(d("2019-03-31"));
        assert_eq!((before.grade, before.responsibility), (2, 3));
        let after = t.state_on(d("2021-06-01"));
        assert_eq!((after.grade, after.responsibility), (3, 1));
        assert_eq!(after.weekly_hours, 30.0);
        assert_eq!(after.rating.map(|r| r.rating), Some(3.0));
        assert!(!t.state_on(d("2015-03-31")).employed);
        let a = &t.absences(&AbsenceConfig::default())[0];
        assert_eq!(a.pre_leave.date, d("2020-04-30"));
        assert_eq!(a.pre_leave.responsibility, 5);
        // 24-month window before 2020-05-01 starts 2018-05-01: the 2017 rating is out.
        let ratings: Vec<f64> = a.pre_leave_ratings.iter().map(|r| r.rating).collect();
        assert_eq!(ratings, vec![5.0, 3.0]);
        assert_eq!(a.pre_leave_mean_rating(), Some(4.0));
    }
}
