//! The crate's error type.
//!
//! An [`Error`] stops a whole operation (a file that cannot be read, a missing
//! column, an invalid configuration, or the first rejection in strict mode). A
//! single bad input row is not an error: it becomes a
//! [`Rejection`] in the ingest report.

use crate::ingest::{Rejection, Table};
use std::path::PathBuf;

/// Everything that can stop an operation of this crate.
#[derive(Debug, thiserror::Error)]
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
    #[error("cannot read the {table} file at line {line}: {message}")]
    Csv {
        /// Which input table.
        table: Table,
        /// Line where reading failed (header = line 1).
        line: u64,
        /// What the CSV reader said.
        message: String,
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
    #[error("cannot read the {table} table as a DataFrame: {message}")]
    Frame {
        /// Which input table.
        table: Table,
        /// What polars said.
        message: String,
    },
    /// A file extension the crate does not know how to read.
    #[error("cannot tell the format of {path}: expected a name ending in .csv or .parquet")]
    UnknownFormat {
        /// The path given.
        path: PathBuf,
    },
    /// Strict mode: the first rejected row stops ingestion.
    #[error("strict mode: {0}")]
    Rejected(Box<Rejection>),
    /// A configuration value is invalid.
    #[error("invalid configuration: `{field}` is {value}; expected {expected}")]
    InvalidConfig {
        /// The configuration key.
        field: String,
        /// The value found.
        value: String,
        /// What would be valid.
        expected: String,
    },
    /// A configuration file could not be parsed.
    #[error("cannot parse the configuration file {path}: {message}")]
    ConfigFile {
        /// The path given.
        path: PathBuf,
        /// What the parser said.
        message: String,
    },
    /// An output could not be written.
    #[error("cannot write {path}: {message}")]
    Output {
        /// The path being written.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
