//! A first analysis, step by step, on the bundled sample data.
//!
//! # 1. Two tables
//!
//! The crate reads two tables (the contract is in [`crate::contract`]):
//! `employees`, one row per person with the state on the hire date, and
//! `events`, one row per change (leaves, promotions, reassignments,
//! evaluations, employment-type, hours and salary changes, births). Ids are
//! pseudonyms: the crate never needs a name.
//!
//! # 2. Options, checked once
//!
//! [`Config`](crate::Config) holds every option with its default, in one
//! section per analysis (`ingest`, `absences`, `peers`, `flags`, …); it is
//! checked once into a [`ValidConfig`](crate::ValidConfig), the only type the
//! analyses take. A value that makes no sense is an error here, not later:
//!
//! ```
//! use mommytrack::{Config, Error};
//! let mut config = Config::default();
//! config.privacy.min_group_size = 10;
//! config.peers.same_department = true;
//! let config = config.validate()?;
//! assert_eq!(config.min_group_size(), 10);
//!
//! let mut bad = Config::default();
//! bad.flags.rating_drop_min_ratings = 0;
//! assert!(matches!(bad.validate(),
//!                  Err(Error::InvalidConfig { field: "flags.rating_drop_min_ratings", .. })));
//!
//! // The same from a file, section by section (see the table in `mommytrack::config`).
//! let from_file = Config::from_toml_str("[privacy]\nmin_group_size = 10\n[peers]\nsame_department = true")?;
//! assert_eq!(from_file.validate()?, config);
//! # Ok::<(), mommytrack::Error>(())
//! ```
//!
//! # 3. Read and check every row
//!
//! [`Dataset::builder`](crate::Dataset::builder) reads the two tables. Each
//! row is accepted, rejected with a reason, or dropped as an exact
//! duplicate; nothing is lost silently:
//!
//! ```
//! use mommytrack::{Dataset, ValidConfig};
//! let config = ValidConfig::default();
//! let data = Dataset::builder(&config)
//!     .from_paths("data-samples/employees.csv", "data-samples/events.csv")?;
//! let e = &data.report.employees;
//! assert_eq!(e.rows_read, e.accepted + e.rejected);
//! let v = &data.report.events;
//! assert_eq!(v.rows_read, v.accepted + v.rejected + v.duplicates_dropped);
//! for r in &data.report.rejections {
//!     println!("{r}"); // file, line, column, value, and what was expected
//! }
//! # Ok::<(), mommytrack::Error>(())
//! ```
//!
//! # 4. Timelines, absences, returns
//!
//! Each accepted employee has a [`Timeline`](crate::Timeline); its
//! [`absences`](crate::Timeline::absences) join leaves a few days apart
//! (maternity, then parental leave) into one. An analysis
//! [`Context`](crate::Context) builds them once for every analysis:
//!
//! ```
//! use mommytrack::{Context, Dataset, ValidConfig};
//! let config = ValidConfig::default();
//! let data = Dataset::builder(&config)
//!     .from_paths("data-samples/employees.csv", "data-samples/events.csv")?;
//! let ctx = Context::new(&data, &config);
//! let childcare = ctx.returns().iter().filter(|r| r.absence.is_childcare()).count();
//! assert!(childcare > 0);
//! for r in ctx.returns().iter().take(3) {
//!     let before = &r.absence.pre_leave;
//!     let after = r.state_at_return();
//!     println!("{}: grade {} before, {} on return", r.timeline.employee().employee_id,
//!              before.grade, after.grade);
//! }
//! # Ok::<(), mommytrack::Error>(())
//! ```
//!
//! # 5. Every analysis
//!
//! [`Analysis::run`](crate::Analysis::run) runs them all and returns plain
//! serializable data; [`report`](crate::report) writes it:
//!
//! ```
//! use mommytrack::{Analysis, Dataset, ValidConfig};
//! let config = ValidConfig::default();
//! let data = Dataset::builder(&config)
//!     .from_paths("data-samples/employees.csv", "data-samples/events.csv")?;
//! let analysis = Analysis::run(&data, &config);
//! let gap = analysis.promotion_gap.as_ref().expect("the samples hold childcare returns");
//! if let Some(hr) = &gap.returners_vs_peers.cox {
//!     assert!(hr.ci_lower <= hr.hazard_ratio && hr.hazard_ratio <= hr.ci_upper);
//! }
//! let dir = std::env::temp_dir().join("mommytrack-tutorial");
//! mommytrack::report::write_all(&dir, &data, &analysis)?;
//! assert!(dir.join("flags.csv").exists());
//! # Ok::<(), mommytrack::Error>(())
//! ```
//!
//! Aggregates never show a head count below the minimum group size (see
//! [`Count`](crate::Count)), and no employee id appears in `report.json`.
