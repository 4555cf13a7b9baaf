//! Recipes for common tasks. Each is compiled and run as a doctest on
//! `data-samples/`.
//!
//! # Ingest your own tables from memory
//!
//! Any `Read` works: a file, a network stream, bytes in memory.
//!
//! ```
//! use mommytrack::{Dataset, RejectionKind, ValidConfig};
//! let employees = "employee_id,gender,hire_date,grade,responsibility,employment_type,weekly_hours\n\
//!                  e1,F,2019-04-01,2,3,regular,40\n\
//!                  e2,M,2019-04-01,two,3,regular,40\n";
//! let events = "employee_id,date,event,leave_type\n\
//!               e1,2021-01-04,leave_start,maternity\n\
//!               e1,2022-01-04,leave_end,maternity\n";
//! let config = ValidConfig::default();
//! let data = Dataset::builder(&config).from_readers(employees.as_bytes(), events.as_bytes())?;
//! assert_eq!(data.timelines.len(), 1);
//! assert_eq!(data.report.rejections[0].kind, RejectionKind::Unparsable);
//! assert_eq!(data.report.rejections[0].column.as_deref(), Some("grade"));
//! # Ok::<(), mommytrack::Error>(())
//! ```
//!
//! # Stop at the first bad row
//!
//! ```
//! use mommytrack::{Dataset, Error, ValidConfig};
//! let employees = "employee_id,gender,hire_date,grade,responsibility,employment_type,weekly_hours\n\
//!                  e1,F,2019-04-01,two,3,regular,40\n";
//! let events = "employee_id,date,event\n";
//! let config = ValidConfig::default();
//! let err = Dataset::builder(&config).strict(true)
//!     .from_readers(employees.as_bytes(), events.as_bytes())
//!     .unwrap_err();
//! assert!(matches!(err, Error::Rejected(r) if r.line == 2));
//! ```
//!
//! # Turn a DataFrame into records (feature `parquet`)
//!
//! ```
//! # #[cfg(feature = "parquet")] {
//! use mommytrack::{Dataset, ValidConfig};
//! use polars::prelude::*;
//! let employees = df!(
//!     "employee_id" => ["e1"], "gender" => ["F"], "hire_date" => ["2019-04-01"],
//!     "grade" => [2i64], "responsibility" => [3i64], "employment_type" => ["regular"],
//!     "weekly_hours" => [40.0],
//! ).unwrap();
//! let events = df!(
//!     "employee_id" => ["e1"], "date" => ["2021-01-04"], "event" => ["leave_start"],
//!     "leave_type" => ["maternity"],
//! ).unwrap();
//! let config = ValidConfig::default();
//! let data = Dataset::builder(&config).from_frames(&employees, &events).unwrap();
//! assert_eq!(data.timelines[0].events().len(), 1);
//! # }
//! ```
//!
//! # Read one figure
//!
//! The men's parental-leave uptake that Japanese law asks employers to
//! publish, for the latest fiscal year that ended:
//!
//! ```
//! use mommytrack::{Analysis, Dataset, ValidConfig};
//! use mommytrack::schema::Gender;
//! let config = ValidConfig::default();
//! let data = Dataset::builder(&config)
//!     .from_paths("data-samples/employees.csv", "data-samples/events.csv")?;
//! let analysis = Analysis::run(&data, &config);
//! let disclosure = analysis.disclosure.expect("a fiscal year ended in the samples");
//! let men = disclosure.leave_uptake.iter().find(|u| u.gender == Gender::Male).unwrap();
//! println!("FY{}: men's uptake {}", disclosure.fiscal_year.year, men.rate.display);
//! # Ok::<(), mommytrack::Error>(())
//! ```
//!
//! # Embed in a service with a bounded thread pool
//!
//! Ingest and the analyses use rayon's pool; run them inside your own pool
//! to bound the threads. The results do not depend on the thread count.
//!
//! ```
//! use mommytrack::{Analysis, Dataset, ValidConfig};
//! let config = ValidConfig::default();
//! let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
//! let flagged = pool.install(|| -> mommytrack::Result<usize> {
//!     let data = Dataset::builder(&config)
//!         .from_paths("data-samples/employees.csv", "data-samples/events.csv")?;
//!     Ok(Analysis::run(&data, &config).flags.len())
//! })?;
//! let data = Dataset::builder(&config)
//!     .from_paths("data-samples/employees.csv", "data-samples/events.csv")?;
//! assert_eq!(flagged, Analysis::run(&data, &config).flags.len());
//! # Ok::<(), mommytrack::Error>(())
//! ```
//!
//! # Time each step
//!
//! ```
//! use mommytrack::{Analysis, Dataset, ValidConfig};
//! use std::sync::Mutex;
//! let config = ValidConfig::default();
//! let data = Dataset::builder(&config)
//!     .from_paths("data-samples/employees.csv", "data-samples/events.csv")?;
//! let steps = Mutex::new(Vec::new());
//! Analysis::run_with(&data, &config, &|step, took| steps.lock().unwrap().push((step, took)));
//! assert!(steps.into_inner().unwrap().len() >= 8);
//! # Ok::<(), mommytrack::Error>(())
//! ```
