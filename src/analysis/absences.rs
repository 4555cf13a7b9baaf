//! Absence counts by leave type and gender (`report.json`'s `absences`).

use super::Context;
use crate::schema::{Gender, LeaveType};
use crate::suppress::Count;
use crate::timeline::AbsenceEnd;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Absences that include one leave type, for one gender.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AbsenceCell {
    /// The leave type (an absence counts under each type it contains).
    pub leave_type: LeaveType,
    /// The gender.
    pub gender: Gender,
    /// Absences.
    pub absences: Count,
    /// Of which the employee came back.
    pub returned: Count,
    /// Of which still on leave at the analysis date.
    pub on_leave: Count,
    /// Of which the employee left during the leave.
    pub exited: Count,
}

/// Absence counts for the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AbsenceSummary {
    /// All absences.
    pub total: Count,
    /// Absences holding a maternity, paternity or parental leave.
    pub childcare: Count,
    /// By leave type and gender.
    pub by_leave_type_and_gender: Vec<AbsenceCell>,
}

impl AbsenceSummary {
    /// Every count withheld: what is published when publication fails.
    pub(crate) fn withheld() -> AbsenceSummary {
        AbsenceSummary {
            total: Count::published(None),
            childcare: Count::published(None),
            by_leave_type_and_gender: Vec::new(),
        }
    }

    /// Counts the absences of every timeline.
    pub(crate) fn new(ctx: &Context<'_>) -> AbsenceSummary {
        let min = ctx.config().min_group_size();
        let mut cells: BTreeMap<(LeaveType, Gender), [u64; 4]> = BTreeMap::new();
        let (mut total, mut childcare) = (0u64, 0u64);
        for (t, absences) in ctx.absences() {
            for a in absences {
                total += 1;
                childcare += u64::from(a.is_childcare());
                for lt in a.leave_types() {
                    let c = cells.entry((lt, t.employee().gender)).or_default();
                    c[0] += 1;
                    match a.end {
                        AbsenceEnd::Returned => c[1] += 1,
                        AbsenceEnd::OnLeave => c[2] += 1,
                        AbsenceEnd::Exited => c[3] += 1,
                    }
                }
            }
        }
        AbsenceSummary {
            total: Count::new(total, min),
            childcare: Count::new(childcare, min),
            by_leave_type_and_gender: cells
                .into_iter()
                .map(|((leave_type, gender), c)| AbsenceCell {
                    leave_type,
                    gender,
                    absences: Count::new(c[0], min),
                    returned: Count::new(c[1], min),
                    on_leave: Count::new(c[2], min),
                    exited: Count::new(c[3], min),
                })
                .collect(),
        }
    }
}
