//! What the analysis reports, and how it is written: `rejections.csv`,
//! `report.json` and a human-readable `report.md`.
//!
//! The analyses return plain serializable structs; this module gathers them
//! into a [`Report`] and renders it. Aggregates obey small-cell suppression:
//! a [`Count`] over fewer people than
//! [`min_group_size`](crate::config::ValidConfig::min_group_size) is shown as
//! suppressed, and no employee id appears in any aggregate.
//!
//! ```
//! use mommytrack::report::Count;
//! assert_eq!(Count::new(3, 5), Count { value: None, suppressed: true });
//! assert_eq!(Count::new(7, 5), Count { value: Some(7), suppressed: false });
//! assert_eq!(Count::new(0, 5), Count { value: Some(0), suppressed: false });
//! ```

use crate::config::ValidConfig;
use crate::disclosure::{Disclosure, FiscalYear};
use crate::error::{Error, Result};
use crate::event_study::EventStudy;
use crate::flags::{flag_all, policy_effect, Concentration, Flag, PolicyEffect};
use crate::gap::{PeerSample, PromotionGap};
use crate::ingest::{Dataset, Rejection, TableReport};
use crate::schema::{Gender, LeaveType};
use crate::timeline::AbsenceEnd;
use crate::trajectory::{returns, Trajectory, TrajectorySummary};
use chrono::NaiveDate;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

mod html;

/// A head count that is hidden when it is small enough to single people out.
///
/// Zero is shown: it singles nobody out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Count {
    /// The count, or `None` when suppressed.
    pub value: Option<u64>,
    /// `true` when the count is below the minimum group size (and above zero).
    pub suppressed: bool,
}

impl Count {
    /// A count, suppressed when `0 < n < min_group_size`.
    pub fn new(n: u64, min_group_size: usize) -> Count {
        if n > 0 && n < min_group_size as u64 {
            Count {
                value: None,
                suppressed: true,
            }
        } else {
            Count {
                value: Some(n),
                suppressed: false,
            }
        }
    }
}

/// Ingest figures as `report.json` shows them (`ingest.employees`, `ingest.events`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IngestSummary {
    /// Counts for `employees`.
    pub employees: TableReport,
    /// Counts for `events`.
    pub events: TableReport,
    /// Number of rejected rows, both tables.
    pub rejections: u64,
    /// Rejections by rule, both tables.
    pub rejections_by_kind: BTreeMap<String, u64>,
}

/// Absences that include one leave type, for one gender.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
pub struct AbsenceSummary {
    /// All absences.
    pub total: Count,
    /// Absences holding a maternity, paternity or parental leave.
    pub childcare: Count,
    /// By leave type and gender.
    pub by_leave_type_and_gender: Vec<AbsenceCell>,
}

impl AbsenceSummary {
    /// Counts the absences of every timeline.
    pub fn from_dataset(data: &Dataset, config: &ValidConfig) -> AbsenceSummary {
        let min = config.min_group_size();
        let mut cells: BTreeMap<(LeaveType, Gender), [u64; 4]> = BTreeMap::new();
        let (mut total, mut childcare) = (0u64, 0u64);
        for t in &data.timelines {
            for a in t.absences(config, data.as_of()) {
                total += 1;
                childcare += u64::from(a.is_childcare());
                for lt in &a.leave_types {
                    let c = cells.entry((*lt, t.employee().gender)).or_default();
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

/// Everything the analysis found; serialized as `report.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The crate version that made the report.
    pub crate_version: String,
    /// Analysis date.
    pub as_of: NaiveDate,
    /// The configuration used.
    pub config: crate::config::Config,
    /// What ingestion did.
    pub ingest: IngestSummary,
    /// Absences from work.
    pub absences: AbsenceSummary,
    /// Statutory disclosure figures for the latest fiscal year that ended by
    /// the analysis date (absent when none did).
    pub disclosure: Option<Disclosure>,
    /// Return-to-work trajectories (absent when no one returned).
    pub trajectories: Option<TrajectorySummary>,
    /// Returners against matched peers, mothers against fathers.
    pub promotion_gap: Option<PromotionGap>,
    /// Flags by kind and where they concentrate.
    pub concentration: Option<Concentration>,
    /// Flag rates before and after `policy_date`, when configured.
    pub policy: Option<PolicyEffect>,
    /// The child-penalty event study (`event_study.<outcome>`).
    pub event_study: Option<EventStudy>,
    /// The flagged returns, written to `flags.csv` (never to `report.json`: they carry ids).
    #[serde(skip)]
    pub flags: Vec<Flag>,
}

impl Report {
    /// Runs every analysis on a dataset and gathers the results.
    ///
    /// Uses two threads: the peer sample with the flags, promotion gap,
    /// concentration and policy figures on one; trajectories, the event
    /// study, absences and disclosure on the other. The result does not
    /// depend on the threads.
    pub fn new(data: &Dataset, config: &ValidConfig) -> Report {
        let mut by_kind: BTreeMap<String, u64> = BTreeMap::new();
        for r in &data.report.rejections {
            *by_kind.entry(r.kind.as_str().to_string()).or_default() += 1;
        }
        let as_of = data.as_of();
        let returns = returns(&data.timelines, config, as_of);
        let any_childcare = returns.iter().any(|r| r.absence.is_childcare());
        // Two independent halves, joined on rayon's pool (each also uses
        // it inside): the peer sample and everything built on it, and the
        // rest. Both only read the data.
        let (side, (peers_part, flags)) = rayon::join(
            || {
                let trajectories = (!returns.is_empty()).then(|| {
                    let t: Vec<Trajectory> = returns
                        .par_iter()
                        .map(|r| Trajectory::of(r, config, as_of))
                        .collect();
                    TrajectorySummary::new(&data.timelines, &returns, &t, config, as_of)
                });
                let event_study = EventStudy::new(&data.timelines, config, as_of);
                let absences = AbsenceSummary::from_dataset(data, config);
                let disclosure =
                    FiscalYear::last_complete(data.as_of(), config.fiscal_year_start())
                        .filter(|fy| {
                            data.timelines
                                .iter()
                                .any(|t| t.employee().hire_date <= fy.end)
                        })
                        .map(|fy| Disclosure::compute(&data.timelines, fy, config));
                (trajectories, event_study, absences, disclosure)
            },
            || {
                let peers = PeerSample::build(&data.timelines, &returns, config, as_of);
                let flags = flag_all(&returns, &peers, config, as_of);
                let promotion_gap = any_childcare
                    .then(|| PromotionGap::new(&data.timelines, &returns, &peers, config, as_of));
                let concentration = any_childcare
                    .then(|| Concentration::new(&returns, &flags, &data.timelines, config, as_of));
                let policy = config
                    .policy_date()
                    .filter(|_| any_childcare)
                    .map(|d| policy_effect(d, &returns, &flags, config));
                ((promotion_gap, concentration, policy), flags)
            },
        );
        let (trajectories, event_study, absences, disclosure) = side;
        let (promotion_gap, concentration, policy) = peers_part;
        Report {
            event_study,
            trajectories,
            promotion_gap,
            concentration,
            policy,
            flags,
            absences,
            disclosure,
            crate_version: env!("CARGO_PKG_VERSION").to_string(),
            as_of: data.as_of(),
            config: config
                .clone()
                .with_as_of(Some(data.as_of()))
                .config()
                .clone(),
            ingest: IngestSummary {
                employees: data.report.employees.clone(),
                events: data.report.events.clone(),
                rejections: data.report.rejections.len() as u64,
                rejections_by_kind: by_kind,
            },
        }
    }

    /// The report as Markdown, for people.
    pub fn to_markdown(&self) -> String {
        let mut s = String::new();
        let count = |c: &Count| match c.value {
            Some(v) => v.to_string(),
            None => "<5 (suppressed)".replace('5', &self.config.min_group_size.to_string()),
        };
        s.push_str("# mommytrack report\n\n");
        s.push_str(&format!(
            "Analysis date: {}. Made by mommytrack {}.\n\n",
            self.as_of, self.crate_version
        ));
        s.push_str("## Input\n\n| table | rows read | accepted | rejected | duplicates dropped | unknown columns |\n|---|---|---|---|---|---|\n");
        for (name, t) in [
            ("employees", &self.ingest.employees),
            ("events", &self.ingest.events),
        ] {
            s.push_str(&format!(
                "| {name} | {} | {} | {} | {} | {} |\n",
                t.rows_read,
                t.accepted,
                t.rejected,
                t.duplicates_dropped,
                t.unknown_columns.join(", ")
            ));
        }
        if !self.ingest.rejections_by_kind.is_empty() {
            s.push_str("\nRejected rows by rule (each is listed in `rejections.csv`):\n\n");
            for (kind, n) in &self.ingest.rejections_by_kind {
                s.push_str(&format!("- {kind}: {n}\n"));
            }
        }
        s.push_str(&format!(
            "\n## Absences from work\n\n{} absences, of which {} for a child (maternity, paternity or parental leave). Leaves at most {} days apart count as one absence.\n\n",
            count(&self.absences.total),
            count(&self.absences.childcare),
            self.config.absence_gap_days
        ));
        s.push_str("| leave type | gender | absences | returned | still on leave | left during leave |\n|---|---|---|---|---|---|\n");
        for c in &self.absences.by_leave_type_and_gender {
            s.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} |\n",
                c.leave_type,
                c.gender,
                count(&c.absences),
                count(&c.returned),
                count(&c.on_leave),
                count(&c.exited)
            ));
        }
        let min = self.config.min_group_size;
        let num = |v: Option<f64>, d: usize| v.map_or("—".to_string(), |v| format!("{v:.d$}"));
        if let Some(g) = &self.promotion_gap {
            let c = &g.returners_vs_peers;
            s.push_str("\n## Promotion after a return from childcare leave\n\n");
            match &c.cox {
                Some(hr) => s.push_str(&format!(
                    "Hazard ratio of promotion, returners vs matched peers: **{:.2}** (95% CI {:.2}–{:.2}, p = {:.3}); log-rank p = {}. Matching: {}.\n\n",
                    hr.hazard_ratio, hr.ci_lower, hr.ci_upper, hr.p_value, num(c.logrank_p_value, 3), g.matching
                )),
                None => s.push_str(&format!(
                    "The Cox model could not be fitted: {}.\n\n",
                    c.cox_error.as_deref().unwrap_or("no data")
                )),
            }
            s.push_str("| promoted within | returners | peers | difference | impact ratio | Fisher p |\n|---|---|---|---|---|---|\n");
            for r in &c.rates {
                s.push_str(&format!(
                    "| {} year(s) | {} of {} | {} of {} | {} | {} | {} |\n",
                    r.years,
                    count(&r.group.promoted),
                    count(&r.group.eligible),
                    count(&r.reference.promoted),
                    count(&r.reference.eligible),
                    r.difference
                        .map_or("—".into(), |d| format!("{:+.1} pts", d[0] * 100.0)),
                    num(r.impact_ratio, 2),
                    num(r.fisher_p_value, 3)
                ));
            }
        }
        if let Some(c) = &self.concentration {
            s.push_str(&format!(
                "\n## Mommy-track flags\n\n{} childcare returns; {} flagged with an employer-initiated or unrecorded change, {} with changes the employee asked for (each in `flags.csv`).\n\n",
                count(&c.returns),
                count(&c.flagged_involuntary),
                count(&c.flagged_employee_initiated)
            ));
            s.push_str(&format!("Managers with at least {min} returns:\n\n| manager | returns | flagged | p | p (BH) | significant |\n|---|---|---|---|---|---|\n"));
            for m in &c.managers {
                s.push_str(&format!(
                    "| {} | {} | {} | {:.4} | {:.4} | {} |\n",
                    m.manager_id.as_deref().unwrap_or(""),
                    m.returns,
                    m.flagged,
                    m.p_value,
                    m.p_adjusted,
                    if m.significant { "**yes**" } else { "no" }
                ));
            }
        }
        if let Some(p) = &self.policy {
            s.push_str(&format!(
                "\n## Before and after {}\n\nInvoluntary flag rate {} before, {} after (Fisher p = {}).\n",
                p.date,
                p.flag_rate_before.map_or("—".into(), |v| format!("{:.1}%", v * 100.0)),
                p.flag_rate_after.map_or("—".into(), |v| format!("{:.1}%", v * 100.0)),
                num(p.p_value, 3)
            ));
        }
        if let Some(e) = &self.event_study {
            s.push_str("\n## Child penalty (event study)\n\nWomen's outcome relative to men's, as a share of the counterfactual, by years since the first childcare leave (t = −1 is the reference).\n\n| outcome |");
            let times = e
                .outcomes
                .values()
                .next()
                .map(|p| p.event_time.clone())
                .unwrap_or_default();
            for t in &times {
                s.push_str(&format!(" {t} |"));
            }
            s.push_str(&format!("\n|---|{}\n", "---|".repeat(times.len())));
            for (name, p) in &e.outcomes {
                s.push_str(&format!("| {name} |"));
                for v in &p.penalty {
                    s.push_str(&format!(
                        " {} |",
                        v.map_or("—".into(), |v| format!("{:+.1}%", v * 100.0))
                    ));
                }
                s.push('\n');
            }
        }
        if let Some(d) = &self.disclosure {
            s.push_str("\n## Disclosure figures\n\n```text\n");
            s.push_str(&d.to_text());
            s.push_str("```\n");
        }
        s
    }
}

/// Writes `rejections.csv`: `file,line,column,value,reason,kind`, sorted by file then line; header only when empty.
pub fn write_rejections(path: &Path, rejections: &[Rejection]) -> Result<()> {
    let err = |e: csv::Error| Error::Output {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let mut w = csv::Writer::from_path(path).map_err(err)?;
    w.write_record(["file", "line", "column", "value", "reason", "kind"])
        .map_err(err)?;
    let mut sorted: Vec<&Rejection> = rejections.iter().collect();
    sorted.sort_by_key(|r| (r.file, r.line));
    for r in sorted {
        w.write_record([
            r.file.as_str(),
            &r.line.to_string(),
            r.column.as_deref().unwrap_or(""),
            &r.value,
            &r.reason,
            r.kind.as_str(),
        ])
        .map_err(err)?;
    }
    w.flush().map_err(|e| Error::Output {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

/// Writes any serializable value as pretty JSON.
pub fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let text = serde_json::to_string_pretty(value).map_err(|e| Error::Output {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    write_text(path, &text)
}

/// Writes a text file.
pub fn write_text(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).map_err(|e| Error::Output {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}
