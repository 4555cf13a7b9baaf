//! # mommytrack
//!
//! Finds "mommy track" patterns in anonymized HR records: after a return from
//! maternity or parental leave, an employee is moved to work with less
//! responsibility, converted to non-regular employment, or simply stops being
//! promoted, whatever her ability or wishes.
//!
//! The data moves one way, and the modules follow it:
//! [`schema`] (the contract's types) → [`ingest`] (validated records and a
//! report of every rejected row) → [`timeline`] (per-employee histories and
//! absences) → [`trajectory`] (what happens after each return) → [`gap`]
//! (returners against matched peers) → [`flags`] (mommy-track flags and where
//! they concentrate) → [`event_study`] (the child penalty) and
//! [`disclosure`] (statutory figures) → [`report`] (what the example binaries
//! write). [`stats`] is general-purpose and knows nothing of HR; [`config`]
//! holds every option; [`synth`] generates realistic data with a known truth.
//!
//! Ingest and the analyses use every core through rayon's global pool; to
//! bound them inside a larger program, run the calls in
//! `rayon::ThreadPoolBuilder::new().num_threads(n).build()?.install(|| …)`
//! or set `RAYON_NUM_THREADS`. Results do not depend on the thread count.
//!
//! [`report::Report::new`] runs every analysis on a dataset:
//!
//! ```no_run
//! use mommytrack::{config::Config, ingest, report::Report};
//! use std::path::Path;
//!
//! let config = Config::default().validate()?;
//! let data = ingest::read_files(
//!     Path::new("data-samples/employees.csv"),
//!     Path::new("data-samples/events.csv"),
//!     &config,
//! )?;
//! let report = Report::new(&data, &config);
//! if let Some(hr) = report.promotion_gap.as_ref().and_then(|g| g.returners_vs_peers.cox.as_ref()) {
//!     println!("returners are promoted at {:.2}× the rate of matched peers", hr.hazard_ratio);
//! }
//! for flag in &report.flags {
//!     println!("{} {:?} {}", flag.employee_id, flag.kinds, flag.evidence);
//! }
//! # Ok::<(), mommytrack::Error>(())
//! ```
//!
//! Lower down, the same records give timelines and absences:
//!
//! ```no_run
//! use mommytrack::{config::Config, ingest};
//! use std::path::Path;
//!
//! let config = Config::default().validate()?;
//! let data = ingest::read_files(
//!     Path::new("data-samples/employees.csv"),
//!     Path::new("data-samples/events.csv"),
//!     &config,
//! )?;
//! println!("{} employees, {} rejected rows", data.timelines.len(), data.report.rejections.len());
//! for timeline in &data.timelines {
//!     for absence in timeline.absences(&config, data.as_of()) {
//!         println!("{} returned on {:?}", timeline.employee().employee_id, absence.return_date);
//!     }
//! }
//! # Ok::<(), mommytrack::Error>(())
//! ```
//!
//! The input and output formats are in [`contract`].
#![warn(missing_docs)]

pub mod config;
pub mod disclosure;
pub mod error;
pub mod event_study;
pub mod flags;
pub mod gap;
pub mod ingest;
pub mod report;
pub mod schema;
pub mod stats;
pub mod synth;
pub mod timeline;
pub mod trajectory;

#[doc = include_str!("../docs/data-contract.md")]
pub mod contract {}

pub use error::{Error, Result};
