//! Row rules: each row checked on its own (values, required fields, the
//! employee exists, the date lies within employment).

#[allow(unused_imports)]
use super::*;
use crate::schema::{Name, Names};

/// What the row checks made of one data row. They need only the row, the
/// configuration and (for events) the accepted employees, so they run on
/// several threads; the results are applied in file order.
pub(super) enum Parsed<T> {
    /// A blank line: not a row.
    Blank,
    /// A row whose values passed the checks.
    Accepted(T),
    /// A rejected row; for events, with a fingerprint of its fields that
    /// identifies its exact duplicates.
    Rejected(Box<Rejection>, Option<u128>),
}

/// An employee row that passed the row checks, and its line.
pub(super) type PendingEmployee = (Employee, u64);

/// An event row that passed the row checks: the employee, a fingerprint of
/// the row's fields (its exact duplicates have the same), and the event.
pub(super) type PendingEvent = (u32, u64, Event);

/// The accepted employees.
#[derive(Default)]
pub(super) struct Known {
    pub(super) employees: Vec<Employee>,
    pub(super) index: HashMap<String, u32, FixedState>,
}

/// What one checking thread keeps from row to row: the field buffer (see
/// [`recycle`]) and what the row checks remember.
#[derive(Default)]
pub(super) struct Scratch {
    fields: Vec<Option<&'static str>>,
    memory: Remembered,
}

/// What the row checks of one thread remember from row to row: the last
/// employee an event row named, and the names (departments, tracks,
/// manager ids) they have made, shared by the rows that have them: one
/// copy per checking thread, instead of one per row. (Each row's names
/// used to be allocated on the checking thread, then looked up by the
/// thread that applies the rows in a set of every name, swapped for the
/// copy kept there and freed: a free from another thread, which mimalloc
/// defers and collects. That was about half of the applying thread's time
/// on the employees table, and that thread sets the pace there.)
#[derive(Default)]
pub(super) struct Remembered {
    pub(super) last: LastEmployee,
    names: Names,
}

/// The last employee id an event row named, and its index: an export
/// lists one employee's events together, so most rows compare one id
/// instead of hashing it. Only found ids are kept, so the answer is the
/// map's answer for every id.
#[derive(Default)]
pub(super) struct LastEmployee {
    id: String,
    index: Option<u32>,
}

impl LastEmployee {
    /// `index[id]`, or `None` when the id is not in it.
    pub(super) fn find(
        &mut self,
        index: &HashMap<String, u32, FixedState>,
        id: &str,
    ) -> Option<u32> {
        if self.index.is_some() && self.id == id {
            return self.index;
        }
        let found = index.get(id).copied();
        if found.is_some() {
            self.id.clear();
            self.id.push_str(id);
            self.index = found;
        }
        found
    }
}

/// Checks rows of one table on their own (see [`Parsed`]).
pub(super) struct Checker<'a> {
    pub(super) table: Table,
    pub(super) config: &'a ValidConfig,
    pub(super) expected: &'a Expected,
    pub(super) columns: &'a Columns,
    /// The header as read.
    pub(super) names: &'a [String],
    /// Empty while the employees table is read.
    pub(super) known: &'a Known,
}

impl Checker<'_> {
    /// Checks the field count and UTF-8 of one CSV record, then its fields
    /// with `check`; `scratch` is kept between calls.
    pub(super) fn record<T>(
        &self,
        record: &csv::ByteRecord,
        scratch: &mut Scratch,
        check: impl Fn(&Self, u64, &[Option<&str>], &mut Remembered) -> Parsed<T>,
    ) -> Parsed<T> {
        let spare = &mut scratch.fields;
        let line = record.position().map_or(0, |p| p.line());
        if record.len() == 1 && record[0].trim_ascii().is_empty() {
            return Parsed::Blank; // a blank line (LF blank lines never reach here; CRLF ones do)
        }
        if record.len() != self.names.len() {
            let raw: Vec<String> = record
                .iter()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect();
            return Parsed::Rejected(
                Box::new(Rejection {
                    file: self.table,
                    line,
                    column: None,
                    value: cut(&raw.join(",")),
                    kind: RejectionKind::WrongFieldCount,
                    reason: format!(
                        "the row has {} fields; expected {}, as many as the header",
                        record.len(),
                        self.names.len()
                    ),
                }),
                None,
            );
        }
        let mut fields = recycle(std::mem::take(spare));
        // The record's bytes checked as UTF-8 once, each field then a slice
        // of that text; a field that is not (the record is not valid, or a
        // character spans two fields) is checked on its own, for its
        // rejection.
        let whole = std::str::from_utf8(record.as_slice()).ok();
        let mut start = 0;
        for (i, raw) in record.iter().enumerate() {
            let end = start + raw.len();
            let text = match whole.and_then(|w| w.get(start..end)) {
                Some(s) => Ok(s),
                None => std::str::from_utf8(raw),
            };
            start = end;
            match text {
                Ok(s) => {
                    // Most fields are empty or begin and end with a
                    // visible ASCII character: nothing to trim, and no
                    // need to decode the ends to look for Unicode white
                    // space.
                    let s = match (s.as_bytes().first(), s.as_bytes().last()) {
                        (Some(a), Some(z)) if a.is_ascii_graphic() && z.is_ascii_graphic() => s,
                        (None, _) => s,
                        _ => s.trim(),
                    };
                    fields.push(if s.is_empty() { None } else { Some(s) });
                }
                Err(_) => {
                    *spare = recycle(fields);
                    return Parsed::Rejected(
                        Box::new(Rejection {
                            file: self.table,
                            line,
                            column: Some(self.names[i].trim().to_string()),
                            value: cut(&String::from_utf8_lossy(raw)),
                            kind: RejectionKind::InvalidUtf8,
                            reason: "the value is not valid UTF-8; expected UTF-8 text".into(),
                        }),
                        None,
                    );
                }
            }
        }
        let parsed = check(self, line, &fields, &mut scratch.memory);
        scratch.fields = recycle(fields);
        parsed
    }

    pub(super) fn row<'r>(&'r self, line: u64, fields: &'r [Option<&'r str>]) -> Row<'r> {
        Row {
            table: self.table,
            line,
            names: contract_columns(self.table),
            columns: self.columns,
            fields,
        }
    }

    /// Checks an employee row (the duplicate-id and exit-before-hire checks
    /// come when it is applied, in file order).
    pub(super) fn employee_row(
        &self,
        line: u64,
        fields: &[Option<&str>],
        memory: &mut Remembered,
    ) -> Parsed<PendingEmployee> {
        match self.employee(&self.row(line, fields), &mut memory.names) {
            Ok(e) => Parsed::Accepted((e, line)),
            Err(r) => Parsed::Rejected(Box::new(r), None),
        }
    }

    /// Checks an event row.
    pub(super) fn event_row(
        &self,
        line: u64,
        fields: &[Option<&str>],
        memory: &mut Remembered,
    ) -> Parsed<PendingEvent> {
        match self.event(&self.row(line, fields), memory) {
            Ok((employee, event)) => Parsed::Accepted((employee, fingerprint(fields), event)),
            Err(r) => Parsed::Rejected(Box::new(r), Some(row_hash(fields))),
        }
    }

    pub(super) fn employee(&self, row: &Row, names: &mut Names) -> Result<Employee, Rejection> {
        use col::*;
        let employee_id = row.parse_required(E_ID, ID, parse_id)?;
        let gender: Gender = row.parse_required(E_GENDER, &self.expected.gender, parse_enum)?;
        let birth_year = row
            .parse(E_BIRTH_YEAR, |s| {
                parse_int(s, 1900, 2100, "a year from 1900 to 2100")
            })?
            .map(|y| y as i32);
        let hire_date = row.parse_required(E_HIRE, DATE, parse_date)?;
        let exit_date = row.parse(E_EXIT, parse_date)?;
        let exit_reason: Option<ExitReason> = row.parse(E_EXIT_REASON, parse_enum)?;
        let department = row.parse(E_DEPARTMENT, |s| Ok(names.name(s)))?;
        let grade = row.parse_required(E_GRADE, GRADE, grade)?;
        let responsibility =
            row.parse_required(E_RESPONSIBILITY, RESPONSIBILITY, responsibility)?;
        let track = row.parse(E_TRACK, |s| Ok(names.name(s)))?;
        let manager_id = row.parse(E_MANAGER, |s| parse_id_len(s).map(|()| names.name(s)))?;
        let employment_type: EmploymentType =
            row.parse_required(E_EMPLOYMENT, &self.expected.employment, parse_enum)?;
        let weekly_hours = row.parse_required(E_HOURS, HOURS, hours)?;
        let salary = row.parse(E_SALARY, salary)?;
        Ok(Employee {
            employee_id,
            gender,
            birth_year,
            hire_date,
            exit_date,
            exit_reason,
            department,
            grade,
            responsibility,
            track,
            manager_id,
            employment_type,
            weekly_hours,
            salary,
        })
    }

    pub(super) fn event(
        &self,
        row: &Row,
        memory: &mut Remembered,
    ) -> Result<(u32, Event), Rejection> {
        let Remembered { last, names } = memory;
        use col::*;
        // The id is checked, then borrowed from the row: no copy per event.
        row.parse_required(V_ID, ID, parse_id_len)?;
        let employee_id = row.text(V_ID).unwrap_or_default();
        let date = row.parse_required(V_DATE, DATE, parse_date)?;
        let event: EventType = row.parse_required(V_EVENT, &self.expected.event, parse_enum)?;
        let leave_type: Option<LeaveType> = row.parse(V_LEAVE_TYPE, parse_enum)?;
        let new_grade = row.parse(V_GRADE, grade)?;
        let new_responsibility = row.parse(V_RESPONSIBILITY, responsibility)?;
        let track: Option<Name> = row.parse(V_TRACK, |s| Ok(names.name(s)))?;
        let department: Option<Name> = row.parse(V_DEPARTMENT, |s| Ok(names.name(s)))?;
        let manager_id: Option<Name> =
            row.parse(V_MANAGER, |s| parse_id_len(s).map(|()| names.name(s)))?;
        let initiated_by: InitiatedBy = row.parse(V_INITIATED_BY, parse_enum)?.unwrap_or_default();
        let scale = self.config.rating_scale();
        let rating = row.parse(V_RATING, |s| {
            parse_number(
                s,
                |r| r >= scale.min && r <= scale.max,
                &self.expected.rating,
            )
        })?;
        let employment_type: Option<EmploymentType> = row.parse(V_EMPLOYMENT, parse_enum)?;
        let weekly_hours = row.parse(V_HOURS, hours)?;
        let salary = row.parse(V_SALARY, salary)?;

        let reassignment = || Reassignment {
            grade: new_grade,
            responsibility: new_responsibility,
            track: track.clone(),
            department: department.clone(),
            manager_id: manager_id.clone(),
            initiated_by,
        };
        let kind = match event {
            EventType::LeaveStart => EventKind::LeaveStart {
                leave_type: required_for(row, V_LEAVE_TYPE, leave_type, event)?,
            },
            EventType::LeaveEnd => EventKind::LeaveEnd {
                leave_type: required_for(row, V_LEAVE_TYPE, leave_type, event)?,
            },
            EventType::RoleChange => {
                let r = reassignment();
                if r.grade.is_none()
                    && r.responsibility.is_none()
                    && r.track.is_none()
                    && r.department.is_none()
                    && r.manager_id.is_none()
                {
                    return Err(row.reject(
                        None,
                        "",
                        RejectionKind::MissingField,
                        "a role_change changes nothing; expected at least one of grade, responsibility, track, department, manager_id".into(),
                    ));
                }
                EventKind::RoleChange(Box::new(r))
            }
            EventType::Promotion => {
                required_for(row, V_GRADE, new_grade, event)?;
                EventKind::Promotion(Box::new(reassignment()))
            }
            EventType::Evaluation => EventKind::Evaluation {
                rating: required_for(row, V_RATING, rating, event)?,
            },
            EventType::EmploymentChange => EventKind::EmploymentChange {
                employment_type: required_for(row, V_EMPLOYMENT, employment_type, event)?,
                initiated_by,
            },
            EventType::HoursChange => EventKind::HoursChange {
                weekly_hours: required_for(row, V_HOURS, weekly_hours, event)?,
                initiated_by,
            },
            EventType::SalaryChange => EventKind::SalaryChange {
                salary: required_for(row, V_SALARY, salary, event)?,
            },
            EventType::ChildBirth => EventKind::ChildBirth,
        };

        let Some(employee) = last.find(&self.known.index, employee_id) else {
            return Err(row.reject(
                Some(V_ID),
                employee_id,
                RejectionKind::UnknownEmployee,
                "no such employee_id in the employees table; expected an accepted employee".into(),
            ));
        };
        let Some(e) = self.known.employees.get(employee as usize) else {
            return Err(row.reject(
                Some(V_ID),
                employee_id,
                RejectionKind::UnknownEmployee,
                "no such employee_id in the employees table; expected an accepted employee".into(),
            ));
        };
        if date < e.hire_date {
            return Err(row.reject(
                Some(V_DATE),
                &date.to_string(),
                RejectionKind::BeforeHire,
                format!(
                    "the event is before the hire_date {}; expected a date within employment",
                    e.hire_date
                ),
            ));
        }
        if let Some(exit) = e.exit_date {
            if date > exit {
                return Err(row.reject(
                    Some(V_DATE),
                    &date.to_string(),
                    RejectionKind::AfterExit,
                    format!("the event is after the exit_date {exit}; expected a date within employment"),
                ));
            }
        }
        // An event keeps its line in 32 bits (24 bytes an event, not 32):
        // a file of more than 4,294,967,295 lines (over 100 GB) is read,
        // and each row past that line is reported.
        let Ok(line) = u32::try_from(row.line) else {
            return Err(row.reject(
                None,
                &row.line.to_string(),
                RejectionKind::OutOfRange,
                format!(
                    "the row is on line {}; expected a line number up to {} (this reader keeps an event's line in 32 bits)",
                    row.line,
                    u32::MAX
                ),
            ));
        };
        Ok((employee, Event { date, kind, line }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_employee_answers_as_the_map_does() {
        // Runs of one id, unknown ids between them, an id coming back after
        // another: every answer the map's own.
        let index: HashMap<String, u32, FixedState> = [
            ("a".to_string(), 0),
            ("b".to_string(), 1),
            ("ab".to_string(), 2),
        ]
        .into_iter()
        .collect();
        let mut last = LastEmployee::default();
        for id in [
            "a", "a", "x", "a", "b", "x", "x", "b", "ab", "a", "", "ab", "b",
        ] {
            assert_eq!(last.find(&index, id), index.get(id).copied(), "{id}");
        }
    }
}
