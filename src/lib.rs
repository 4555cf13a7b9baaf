//! # mommytrack
//!
//! Finds "mommy track" patterns in anonymized HR records: after a return from
//! maternity or parental leave, an employee is moved to work with less
//! responsibility, converted to non-regular employment, or simply stops being
//! promoted, whatever her ability or wishes.
//!
//! The data moves one way, and the modules follow it:
//! [`schema`] (the contract's types, rejections included) → [`ingest`]
//! (validated records and a report of every rejected row) → [`timeline`]
//! (per-employee histories, absences, returns) → [`analysis`] (one
//! [`Context`] per run; trajectories, peers, the promotion gap, flags and
//! where they concentrate, the child penalty, statutory figures) →
//! [`report`] (what is written, and how it reads). [`stats`] is
//! general-purpose and knows nothing of HR; [`Count`] (and [`PaySum`]) is
//! the suppression primitive every published head count (sum of pay) goes
//! through, and [`privacy`] the publication step that withholds whatever
//! would give a small group back and keeps the ledger of it; [`config`] holds every
//! option; [`synth`] (feature `synth`) generates realistic data with a known
//! truth.
//!
//! Ingest and the analyses use every core through rayon's global pool; to
//! bound them inside a larger program, run the calls in
//! `rayon::ThreadPoolBuilder::new().num_threads(n).build()?.install(|| …)`
//! or set `RAYON_NUM_THREADS`. Results do not depend on the thread count.
//! The [`tutorial`] walks through a first analysis; the [`cookbook`] has
//! recipes.
//!
//! [`Analysis::run`] runs every analysis on a dataset:
//!
//! ```
//! use mommytrack::{Analysis, Dataset, ValidConfig};
//!
//! let config = ValidConfig::default();
//! let data = Dataset::builder(&config)
//!     .from_paths("data-samples/employees.csv", "data-samples/events.csv")?;
//! let analysis = Analysis::run(&data, &config);
//! if let Some(hr) = analysis.promotion_gap.as_ref().and_then(|g| g.returners_vs_peers.cox.as_ref()) {
//!     println!("returners are promoted at {:.2}× the rate of matched peers", hr.hazard_ratio);
//! }
//! for flag in &analysis.flags {
//!     println!("{} {:?} {}", flag.employee_id, flag.kinds, flag.evidence);
//! }
//! # Ok::<(), mommytrack::Error>(())
//! ```
//!
//! Lower down, the same records give timelines and absences:
//!
//! ```
//! use mommytrack::{Dataset, ValidConfig};
//!
//! let config = ValidConfig::default();
//! let data = Dataset::builder(&config)
//!     .from_paths("data-samples/employees.csv", "data-samples/events.csv")?;
//! println!("{} employees, {} rejected rows", data.timelines.len(), data.report.rejections.len());
//! for timeline in &data.timelines {
//!     for absence in timeline.absences(config.absences()) {
//!         println!("{} returned on {:?}", timeline.employee().employee_id, absence.return_date);
//!     }
//! }
//! # Ok::<(), mommytrack::Error>(())
//! ```
//!
//! # Features
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `parquet` | on | Parquet files and polars `DataFrame`s as input (polars) |
//! | `synth` | on | the synthetic-data generator [`synth`] (rand) |
//!
//! `cargo build --no-default-features` builds the CSV-only core.
//!
//! The input and output formats are in [`contract`].
#![warn(missing_docs)]
#![warn(unnameable_types)]

pub mod analysis;
pub mod config;
mod dates;
mod error;
pub mod import;
pub mod ingest;
#[cfg(any(feature = "parquet", feature = "xlsx"))]
mod panics;
pub mod privacy;
pub mod report;
pub mod schema;
pub mod stats;
mod suppress;
#[cfg(feature = "synth")]
pub mod synth;
pub mod timeline;

#[doc = include_str!("../docs/data-contract.md")]
pub mod contract {}

pub mod cookbook;
pub mod tutorial;

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

pub use analysis::flags::{Flag, FlagKind};
pub use analysis::{Analysis, Context, Step};
pub use config::{Config, ValidConfig};
pub use error::{ConfigFileError, EncodeError, Error, Result};
pub use ingest::{Dataset, IngestBuilder, IngestReport};
pub use schema::{Rejection, RejectionKind, Table, TableReport};
pub use suppress::{Count, PaySum};
pub use timeline::{Absence, AbsenceFacts, Return, Timeline};
