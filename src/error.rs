//! The crate's error type.
//!
//! An [`Error`] stops a whole operation (a file that cannot be read, a missing
//! column, an invalid configuration, or the first rejection in strict mode). A
//! single bad input row is not an error: it becomes a
//! [`Rejection`] in the ingest report.

use crate::schema::{Rejection, Table};
use std::path::PathBuf;

/// Everything that can stop an operation of this crate.
///
/// Each variant keeps the error that caused it as its
/// [`source`](std::error::Error::source), so that a caller can tell, for
/// example, a full disk from a permission error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be opened or read.
    #[error("cannot read the {table} file {path}: {source}")]
    Io {
        /// Which input table.
        table: Table,
        /// The path given.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The CSV reader failed in the middle of a file (an I/O error while reading).
    #[error("cannot read the {table} file at line {line}: {source}")]
    Csv {
        /// Which input table.
        table: Table,
        /// Line where reading failed (header = line 1).
        line: u64,
        /// What the CSV reader said.
        #[source]
        source: csv::Error,
    },
    /// The file has no header row at all (it is empty).
    #[error("the {table} file is empty: expected a header row naming the columns")]
    EmptyFile {
        /// Which input table.
        table: Table,
    },
    /// A required column is absent from the header.
    #[error("the {table} file has no `{column}` column in its header (line 1); it is required")]
    MissingColumn {
        /// Which input table.
        table: Table,
        /// The missing column.
        column: String,
    },
    /// A contract column appears twice in the header.
    #[error("the {table} file names the column `{column}` twice in its header (line 1); expected each column once")]
    DuplicateColumn {
        /// Which input table.
        table: Table,
        /// The repeated column.
        column: String,
    },
    /// A Parquet file or DataFrame could not be read or converted.
    #[cfg(feature = "parquet")]
    #[error("cannot read the {table} table{} as a DataFrame: {source}", path.as_ref().map(|p| format!(" ({})", p.display())).unwrap_or_default())]
    Frame {
        /// Which input table.
        table: Table,
        /// The Parquet file, when the table came from one.
        path: Option<PathBuf>,
        /// What polars said.
        #[source]
        source: Box<polars::error::PolarsError>,
    },
    /// A file needs a feature this build was made without.
    #[error("cannot read {path}: this build has no `{feature}` feature (build with `--features {feature}`)")]
    FeatureDisabled {
        /// The path given.
        path: PathBuf,
        /// The Cargo feature it needs.
        feature: &'static str,
    },
    /// A file extension the crate does not know how to read.
    #[error("cannot tell the format of {path}: expected a name ending in .csv or .parquet")]
    UnknownFormat {
        /// The path given.
        path: PathBuf,
    },
    /// No analysis date was configured and no accepted row carries a date
    /// to take it from (both tables empty, or every row rejected).
    #[error("no analysis date: `as_of` is not configured and no accepted row has a date to take it from; set `as_of` or supply rows")]
    NoAnalysisDate,
    /// Strict mode: the first rejected row stops ingestion.
    #[error("strict mode: {0}")]
    Rejected(Box<Rejection>),
    /// A configuration value is invalid.
    #[error("invalid configuration: `{field}` is {value}; expected {expected}")]
    InvalidConfig {
        /// The configuration key.
        field: &'static str,
        /// The value found.
        value: String,
        /// What would be valid.
        expected: String,
    },
    /// A configuration file could not be parsed.
    #[error("cannot read the configuration file {path}: {source}")]
    ConfigFile {
        /// The path given (`<string>` for [`Config::from_toml_str`](crate::Config::from_toml_str)).
        path: PathBuf,
        /// What went wrong: reading the file, or parsing it.
        #[source]
        source: ConfigFileError,
    },
    /// An output could not be written.
    #[error("cannot write {path}: {source}")]
    Output {
        /// The path being written.
        path: PathBuf,
        /// What went wrong.
        #[source]
        source: std::io::Error,
    },
    /// An output could not be encoded (CSV or JSON).
    #[error("cannot write {path}: {source}")]
    Encode {
        /// The path being written.
        path: PathBuf,
        /// What the encoder said.
        #[source]
        source: EncodeError,
    },
    /// A returner's page was asked for an employee with no return from
    /// childcare leave before the analysis date (or no such employee).
    #[error("no return from childcare leave before the analysis date for employee `{employee_id}`: a returner's page needs one")]
    NoReturn {
        /// The employee asked for.
        employee_id: String,
    },
    /// A section of the report could not be put through the publication
    /// step ([`crate::privacy::publish_section`]); nothing of it is published.
    #[error("cannot publish the {section} section: {source}")]
    Publish {
        /// The section.
        section: String,
        /// Why its figures could not be read back once published.
        #[source]
        source: serde_json::Error,
    },
}

/// Why a configuration file could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigFileError {
    /// The file could not be read.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// The TOML did not parse into a [`Config`](crate::Config).
    #[error(transparent)]
    Toml(#[from] toml::de::Error),
    /// The JSON did not parse into a [`Config`](crate::Config).
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    /// A key of an earlier version's flat layout clashes with its section.
    #[error("{0}")]
    Layout(String),
}

/// Why an output could not be encoded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// The CSV writer failed (its I/O errors included).
    #[error(transparent)]
    Csv(#[from] csv::Error),
    /// JSON serialization failed.
    #[error(transparent)]
    Json(#[from] serde_json::Error),
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
