//! Validated ingestion of the `employees` and `events` tables.
//!
//! Reads CSV (through the `csv` crate, streaming), Parquet (through polars) or
//! in-memory polars `DataFrame`s, checks every row against the contract (see
//! [`crate::contract`]) and returns a [`Dataset`]: one [`Timeline`] per
//! accepted employee and an [`IngestReport`] that lists every [`Rejection`].
//! For each table, rows read = accepted + rejected + duplicates dropped.
//!
//! Validation runs in two passes. The first checks each row on its own
//! (values parse and lie in range, required fields are present, the employee
//! exists, the date lies within employment). The second replays each
//! employee's events in timeline order and rejects what the sequence forbids:
//! an event after the analysis date, a `leave_end` with no open leave, a
//! `leave_start` while one is open, a `promotion` that does not raise the grade.
//! A rejected event leaves the state as it was.
//!
//! CSV is read on the calling thread and checked in batches of 4,096 rows on
//! as many threads as rayon's pool has (at most 8; `RAYON_NUM_THREADS` or
//! `ThreadPool::install` bound them); the results are applied in file order,
//! so the outcome (rejections, the kept copy of a duplicate, the first error
//! in strict mode) is exactly that of checking the rows one by one. The
//! second pass runs employee by employee on rayon's pool. Exact duplicate
//! event rows are found by a 64-bit fingerprint of their fields compared
//! among rows of the same employee, date and same-day rank (rejected rows:
//! a 128-bit fingerprint over the file).
//!
//! ```
//! use mommytrack::{Dataset, ValidConfig};
//! let employees = "employee_id,gender,hire_date,grade,responsibility,employment_type,weekly_hours\n\
//!                  e1,F,2019-04-01,2,3,regular,40\n\
//!                  e2,M,2019-04-01,two,3,regular,40\n";
//! let events = "employee_id,date,event,leave_type\n\
//!               e1,2021-01-04,leave_start,maternity\n\
//!               e1,2022-01-04,leave_end,maternity\n\
//!               e1,2022-02-01,leave_end,parental\n";
//! let data = Dataset::builder(&ValidConfig::default())
//!     .from_readers(employees.as_bytes(), events.as_bytes())
//!     .unwrap();
//! assert_eq!(data.timelines.len(), 1);
//! let r = &data.report;
//! assert_eq!((r.employees.rows_read, r.employees.accepted, r.employees.rejected), (2, 1, 1));
//! assert_eq!(r.rejections[0].line, 3);
//! assert_eq!(r.rejections[0].column.as_deref(), Some("grade"));
//! assert_eq!(r.rejections[1].line, 4); // the leave_end with no open leave
//! ```

use crate::config::ValidConfig;
use crate::error::{Error, Result};
use crate::schema::{
    Employee, EmploymentType, Event, EventKind, EventType, ExitReason, Gender, InitiatedBy,
    LeaveType, Reassignment, Rejection, RejectionKind, Table, TableReport, EMPLOYEE_COLUMNS,
    EVENT_COLUMNS,
};
use crate::timeline::Timeline;
use chrono::NaiveDate;
use foldhash::fast::FixedState;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap, HashSet};

use std::hash::BuildHasher;
use std::io::Read;
use std::path::Path;
use std::sync::{mpsc, Arc, Mutex};

mod dedup;
mod fields;
#[cfg(feature = "parquet")]
mod footer;
#[cfg(feature = "parquet")]
mod frame;
mod reader;
mod rows;
mod sequence;

use dedup::*;
use fields::*;
use reader::*;
use rows::*;
use sequence::*;

/// What ingestion did with every row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IngestReport {
    /// Counts for `employees`.
    pub employees: TableReport,
    /// Counts for `events`.
    pub events: TableReport,
    /// The analysis date used.
    pub as_of: NaiveDate,
    /// Whether `as_of` was configured (`false`: the latest date in the input).
    pub as_of_configured: bool,
    /// Every rejection, sorted by file then line.
    pub rejections: Vec<Rejection>,
}

/// The validated input: one timeline per accepted employee, and the report.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// One timeline per accepted employee, in input order.
    pub timelines: Vec<Timeline>,
    /// Counts and rejections.
    pub report: IngestReport,
}

impl Dataset {
    /// The analysis date.
    pub fn as_of(&self) -> NaiveDate {
        self.report.as_of
    }
}

/// Reads the two tables with the options of a [`ValidConfig`], in the
/// manner of `csv::ReaderBuilder`: set what differs, then read from paths,
/// readers or (feature `parquet`) DataFrames. Every option has the default
/// of the configuration it was made from.
///
/// ```
/// use mommytrack::{Dataset, ValidConfig};
/// let employees = "employee_id,gender,hire_date,grade,responsibility,employment_type,weekly_hours\n\
///                  e1,F,2019-04-01,2,3,regular,40\n";
/// let events = "employee_id,date,event,leave_type\n\
///               e1,2021-01-04,leave_start,maternity\n";
/// let config = ValidConfig::default();
/// let data = Dataset::builder(&config)
///     .as_of("2023-03-31".parse().ok())
///     .from_readers(employees.as_bytes(), events.as_bytes())?;
/// assert_eq!(data.as_of().to_string(), "2023-03-31");
/// assert!(Dataset::builder(&config).strict(true)
///     .from_readers(employees.as_bytes(), "employee_id,date,event\ne2,2021-01-04,exit\n".as_bytes())
///     .is_err());
/// # Ok::<(), mommytrack::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct IngestBuilder {
    config: ValidConfig,
}

impl Dataset {
    /// An [`IngestBuilder`] with the options of `config`.
    pub fn builder(config: &ValidConfig) -> IngestBuilder {
        IngestBuilder::new(config)
    }
}

impl IngestBuilder {
    /// A builder with the ingest options of `config` (`strict`, `as_of`,
    /// `rating_scale`).
    pub fn new(config: &ValidConfig) -> IngestBuilder {
        IngestBuilder {
            config: config.clone(),
        }
    }

    /// Stop at the first rejected row (default: the configuration's `strict`).
    pub fn strict(mut self, yes: bool) -> IngestBuilder {
        self.config = self.config.with_strict(yes);
        self
    }

    /// The analysis date; `None` takes the latest date in the input
    /// (default: the configuration's `as_of`).
    pub fn as_of(mut self, date: Option<NaiveDate>) -> IngestBuilder {
        self.config = self.config.with_as_of(date);
        self
    }

    /// Reads both tables from files, each `.csv` or `.parquet` by its
    /// extension (Parquet needs the feature `parquet`).
    pub fn from_paths(
        &self,
        employees: impl AsRef<Path>,
        events: impl AsRef<Path>,
    ) -> Result<Dataset> {
        let mut builder = Builder::new(&self.config);
        feed_path(&mut builder, Table::Employees, employees.as_ref())?;
        feed_path(&mut builder, Table::Events, events.as_ref())?;
        builder.finish()
    }

    /// Reads both tables from CSV readers (any `Read`: a file, bytes in memory).
    pub fn from_readers<R1: Read, R2: Read>(&self, employees: R1, events: R2) -> Result<Dataset> {
        let mut builder = Builder::new(&self.config);
        feed_csv(&mut builder, Table::Employees, employees)?;
        feed_csv(&mut builder, Table::Events, events)?;
        builder.finish()
    }

    /// Reads both tables from polars `DataFrame`s with the contract's column
    /// names (feature `parquet`).
    ///
    /// Columns of any type are read through their text form (dates as
    /// `YYYY-MM-DD`); line numbers in rejections are row index + 2.
    #[cfg(feature = "parquet")]
    pub fn from_frames(
        &self,
        employees: &polars::prelude::DataFrame,
        events: &polars::prelude::DataFrame,
    ) -> Result<Dataset> {
        let mut builder = Builder::new(&self.config);
        frame::feed_frame(&mut builder, Table::Employees, employees)?;
        frame::feed_frame(&mut builder, Table::Events, events)?;
        builder.finish()
    }
}

fn feed_path(builder: &mut Builder, table: Table, path: &Path) -> Result<()> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase());
    let open = || {
        std::fs::File::open(path).map_err(|source| Error::Io {
            table,
            path: path.to_path_buf(),
            source,
        })
    };
    match ext.as_deref() {
        Some("csv") => feed_csv(builder, table, std::io::BufReader::new(open()?)),
        #[cfg(feature = "parquet")]
        Some("parquet") | Some("pq") => frame::feed_parquet(builder, table, open()?, path),
        #[cfg(not(feature = "parquet"))]
        Some("parquet") | Some("pq") => Err(Error::FeatureDisabled {
            path: path.to_path_buf(),
            feature: "parquet",
        }),
        _ => Err(Error::UnknownFormat {
            path: path.to_path_buf(),
        }),
    }
}

/// What the applied rows add up to so far.
struct Acc {
    strict: bool,
    /// Events that passed the row checks, in file order, in chunks of
    /// [`EVENT_CHUNK`] (so that no doubling of one vector sets the peak),
    /// one list of chunks per range of [`Acc::part_width`] employees, so
    /// that each range's events are put together on a thread of its own.
    events: Vec<Vec<Vec<PendingEvent>>>,
    /// Employees per range of `events` (at least 1).
    part_width: usize,
    /// How many of them each employee has, by employee index.
    event_counts: Vec<u32>,
    /// Fingerprints of rejected event rows, to drop their exact duplicates.
    rejected_seen: HashSet<u128, FixedState>,
    employees_report: TableReport,
    events_report: TableReport,
    rejections: Vec<Rejection>,
    latest: Option<NaiveDate>,
}

impl Acc {
    fn table_report(&mut self, table: Table) -> &mut TableReport {
        match table {
            Table::Employees => &mut self.employees_report,
            Table::Events => &mut self.events_report,
        }
    }

    fn reject(&mut self, rejection: Rejection) -> Result<()> {
        self.table_report(rejection.file).rejected += 1;
        if self.strict {
            return Err(Error::Rejected(Box::new(rejection)));
        }
        self.rejections.push(rejection);
        Ok(())
    }

    /// A rejected row, unless it is an exact duplicate of an earlier one.
    fn rejected(&mut self, rejection: Rejection, fingerprint: Option<u128>) -> Result<()> {
        if let Some(f) = fingerprint {
            if !self.rejected_seen.insert(f) {
                self.table_report(rejection.file).duplicates_dropped += 1;
                return Ok(());
            }
        }
        self.reject(rejection)
    }

    fn see_date(&mut self, date: NaiveDate) {
        self.latest = Some(self.latest.map_or(date, |l| l.max(date)));
    }

    fn apply_employee(&mut self, known: &mut Known, parsed: Parsed<PendingEmployee>) -> Result<()> {
        let (e, line) = match parsed {
            Parsed::Blank => return Ok(()),
            Parsed::Rejected(r, f) => {
                self.employees_report.rows_read += 1;
                return self.rejected(*r, f);
            }
            Parsed::Accepted(v) => v,
        };
        self.employees_report.rows_read += 1;
        let reject = |column: usize, value: &str, kind, reason: String| Rejection {
            file: Table::Employees,
            line,
            column: Some(EMPLOYEE_COLUMNS[column].0.to_string()),
            value: cut(value),
            kind,
            reason,
        };
        // The id is looked up once: the slot it takes if the row is kept.
        let slot = match known.index.entry(e.employee_id.clone()) {
            Entry::Occupied(_) => {
                return self.reject(reject(
                    col::E_ID,
                    &e.employee_id,
                    RejectionKind::DuplicateEmployee,
                    "the employee_id appeared on an earlier row (kept); expected each id once"
                        .into(),
                ))
            }
            Entry::Vacant(slot) => slot,
        };
        if let Some(x) = e.exit_date {
            if x < e.hire_date {
                return self.reject(reject(
                    col::E_EXIT,
                    &x.to_string(),
                    RejectionKind::ExitBeforeHire,
                    format!(
                        "the exit_date is before the hire_date {}; expected a date on or after it",
                        e.hire_date
                    ),
                ));
            }
        }
        self.see_date(e.hire_date);
        if let Some(x) = e.exit_date {
            self.see_date(x);
        }
        slot.insert(known.employees.len() as u32);
        known.employees.push(e);
        self.employees_report.accepted += 1;
        Ok(())
    }

    fn apply_event(&mut self, parsed: Parsed<PendingEvent>) -> Result<()> {
        match parsed {
            Parsed::Blank => Ok(()),
            Parsed::Rejected(r, f) => {
                self.events_report.rows_read += 1;
                self.rejected(*r, f)
            }
            Parsed::Accepted(v) => {
                self.events_report.rows_read += 1;
                self.see_date(v.2.date);
                let who = v.0 as usize;
                if self.event_counts.len() <= who {
                    self.event_counts.resize(who + 1, 0);
                }
                self.event_counts[who] += 1;
                let part = who / self.part_width;
                if self.events.len() <= part {
                    self.events.resize_with(part + 1, Vec::new);
                }
                let chunks = &mut self.events[part];
                match chunks.last_mut() {
                    Some(chunk) if chunk.len() < chunk.capacity() => chunk.push(v),
                    _ => {
                        let mut chunk = Vec::with_capacity(EVENT_CHUNK);
                        chunk.push(v);
                        chunks.push(chunk);
                    }
                }
                Ok(())
            }
        }
    }
}

/// Events a chunk of [`Acc::events`] holds.
const EVENT_CHUNK: usize = 1 << 16;

fn contract_columns(table: Table) -> &'static [(&'static str, bool)] {
    match table {
        Table::Employees => EMPLOYEE_COLUMNS,
        Table::Events => EVENT_COLUMNS,
    }
}

/// Collects rows of both tables and builds the [`Dataset`].
struct Builder<'c> {
    config: &'c ValidConfig,
    expected: Expected,
    known: Known,
    acc: Acc,
}

impl<'c> Builder<'c> {
    fn new(config: &'c ValidConfig) -> Self {
        Builder {
            config,
            expected: Expected {
                gender: Gender::expected(),
                employment: EmploymentType::expected(),
                event: EventType::expected(),
                rating: format!(
                    "a rating from {} to {}",
                    config.rating_scale().min,
                    config.rating_scale().max
                ),
            },
            known: Known::default(),
            acc: Acc {
                strict: config.strict(),
                events: Vec::new(),
                part_width: 1,
                event_counts: Vec::new(),
                rejected_seen: HashSet::default(),
                employees_report: TableReport::default(),
                events_report: TableReport::default(),
                rejections: Vec::new(),
                latest: None,
            },
        }
    }

    fn header(&mut self, table: Table, names: &[String]) -> Result<Columns> {
        let contract = contract_columns(table);
        let mut positions = vec![None; contract.len()];
        let mut unknown = Vec::new();
        for (i, raw) in names.iter().enumerate() {
            let name = raw.trim_start_matches('\u{feff}').trim();
            match contract.iter().position(|(c, _)| *c == name) {
                Some(c) if positions[c].is_some() => {
                    return Err(Error::DuplicateColumn {
                        table,
                        column: name.to_string(),
                    })
                }
                Some(c) => positions[c] = Some(i),
                None => unknown.push(name.to_string()),
            }
        }
        for (c, (name, required)) in contract.iter().enumerate() {
            if *required && positions[c].is_none() {
                return Err(Error::MissingColumn {
                    table,
                    column: name.to_string(),
                });
            }
        }
        self.acc.table_report(table).unknown_columns = unknown;
        Ok(Columns { positions })
    }

    /// The checker of `table`'s rows, the accumulator, and (employees only)
    /// the accepted employees their rows are added to. Event rows are
    /// checked against those employees, so for them it is `None`; employee
    /// rows are checked against `none`.
    fn parts<'a>(
        &'a mut self,
        table: Table,
        columns: &'a Columns,
        names: &'a [String],
        none: &'a Known,
    ) -> (Checker<'a>, &'a mut Acc, Option<&'a mut Known>) {
        let Builder {
            config,
            expected,
            known,
            acc,
        } = self;
        let (against, adds_to) = match table {
            Table::Employees => (none, Some(known)),
            Table::Events => {
                // The employees are known: as many ranges of them as
                // threads to put their events together.
                let parts = rayon::current_num_threads().clamp(1, 8);
                acc.part_width = known.employees.len().div_ceil(parts).max(1);
                (&*known, None)
            }
        };
        let checker = Checker {
            table,
            config,
            expected,
            columns,
            names,
            known: against,
        };
        (checker, acc, adds_to)
    }

    /// Second pass: drops exact duplicates, replays each employee's events
    /// in timeline order and builds the timelines (employees in parallel).
    fn finish(self) -> Result<Dataset> {
        let Builder {
            config,
            known,
            mut acc,
            ..
        } = self;
        let as_of_configured = config.as_of().is_some();
        // No configured date and no dated row accepted: there is nothing to
        // take the analysis date from (it used to become the earliest
        // representable date).
        let as_of = config.as_of().or(acc.latest).ok_or(Error::NoAnalysisDate)?;
        acc.rejected_seen = HashSet::default();
        let Known { employees, index } = known;
        drop(index);
        // Each employee's events together (a counting scatter, chunk by
        // chunk, each freed once moved), then sorted by date, same-day
        // rank, fingerprint and line: exact duplicates (equal fingerprints,
        // hence equal dates and ranks) side by side, the first in the file
        // first.
        let parts = std::mem::take(&mut acc.events);
        let width = acc.part_width;
        let counts = std::mem::take(&mut acc.event_counts);
        let count = |who: usize| counts.get(who).map_or(0, |&c| c as usize);
        // Each employee's events in her own vector, which becomes her
        // timeline's, and their fingerprints in one array beside them, at
        // her offset (a counting scatter, each chunk freed once moved).
        // (Each vector takes its size at its first event, so that the
        // chunks already moved are freed before the last vectors exist.)
        let mut per_employee: Vec<Vec<Event>> = Vec::new();
        per_employee.resize_with(employees.len(), Vec::new);
        let mut offsets: Vec<usize> = Vec::with_capacity(employees.len() + 1);
        offsets.push(0);
        for who in 0..employees.len() {
            offsets.push(offsets[who] + count(who));
        }
        let mut fingerprints = vec![0u64; offsets[employees.len()]];
        // Each range of employees with its events, its vectors and its part
        // of the fingerprints, on a thread of its own (the ranges are
        // disjoint, and each keeps its events' file order). One thread did
        // it all in 70-87 ms at 200,000 employees (2012 shape).
        let mut jobs = Vec::with_capacity(parts.len());
        let (mut vectors, mut prints) = (per_employee.as_mut_slice(), fingerprints.as_mut_slice());
        for (p, chunks) in parts.into_iter().enumerate() {
            let lo = (p * width).min(employees.len());
            let hi = ((p + 1) * width).min(employees.len());
            let (v, v_rest) = std::mem::take(&mut vectors).split_at_mut(hi - lo);
            let (f, f_rest) = std::mem::take(&mut prints).split_at_mut(offsets[hi] - offsets[lo]);
            (vectors, prints) = (v_rest, f_rest);
            jobs.push((lo, chunks, v, f));
        }
        jobs.into_par_iter()
            .for_each(|(lo, chunks, vectors, prints)| {
                for chunk in chunks {
                    for (who, fingerprint, event) in chunk {
                        let who = who as usize;
                        let (Some(events), Some(&at)) =
                            (vectors.get_mut(who.wrapping_sub(lo)), offsets.get(who))
                        else {
                            continue;
                        };
                        if let Some(slot) = prints.get_mut(at - offsets[lo] + events.len()) {
                            if events.capacity() == 0 {
                                events.reserve_exact(count(who));
                            }
                            *slot = fingerprint;
                            events.push(event);
                        }
                    }
                }
            });
        drop(counts);
        let mut slices: Vec<&mut [u64]> = Vec::with_capacity(employees.len());
        let mut rest = fingerprints.as_mut_slice();
        for who in 0..employees.len() {
            let (head, tail) = rest.split_at_mut(offsets[who + 1] - offsets[who]);
            slices.push(head);
            rest = tail;
        }
        let checked: Vec<Checked> = per_employee
            .par_iter_mut()
            .zip(slices)
            .zip(employees.par_iter())
            .map(|((events, fingerprints), employee)| {
                check_employee_events(events, fingerprints, employee.grade, as_of)
            })
            .collect();
        drop(fingerprints);
        for (c, events) in checked.into_iter().zip(&per_employee) {
            acc.events_report.duplicates_dropped += c.duplicates;
            acc.events_report.accepted += events.len() as u64;
            for r in c.rejected {
                acc.reject(r)?;
            }
        }
        let timelines = employees
            .into_par_iter()
            .zip(per_employee)
            .map(|(e, events)| Timeline::new(e, events))
            .collect();
        acc.rejections.sort_by_key(|r| (r.file, r.line));
        Ok(Dataset {
            timelines,
            report: IngestReport {
                employees: acc.employees_report,
                events: acc.events_report,
                as_of,
                as_of_configured,
                rejections: acc.rejections,
            },
        })
    }
}
