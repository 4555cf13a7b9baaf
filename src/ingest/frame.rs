//! Parquet files and polars `DataFrame`s as input (feature `parquet`):
//! every column is read through its text form and checked like a CSV row.

use super::{Builder, Known, Remembered};
use crate::error::{Error, Result};
use crate::schema::Table;
use polars::error::PolarsError;
use polars::prelude::{DataFrame, DataType, ParquetReader, SerReader};
use std::path::Path;

/// Reads a Parquet file into a `DataFrame` and feeds it.
pub(super) fn feed_parquet(
    builder: &mut Builder,
    table: Table,
    file: std::fs::File,
    path: &Path,
) -> Result<()> {
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut { file }, &mut bytes).map_err(|source| Error::Io {
        table,
        path: path.to_path_buf(),
        source,
    })?;
    // A footer that would make polars ask for more memory than exists
    // aborts the process: it is checked first (see `footer`).
    if let Err(what) = super::footer::check(&bytes).and_then(|()| {
        // The page reader can panic on a malformed file, as polars' can.
        std::panic::catch_unwind(|| super::footer::check_pages(&bytes)).unwrap_or_else(|panic| {
            Err(format!(
                "the page reader failed: {}",
                crate::panics::message(panic.as_ref())
            ))
        })
    }) {
        return Err(Error::Frame {
            table,
            path: Some(path.to_path_buf()),
            source: Box::new(PolarsError::ComputeError(
                format!("not a readable Parquet file: {what}").into(),
            )),
        });
    }
    // polars' Parquet reader panics on some malformed files (found by
    // fuzzing: a thrift bool field without its value in the column
    // statistics, polars-parquet 0.55); a panic becomes an error here.
    let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        ParquetReader::new(std::io::Cursor::new(bytes)).finish()
    }));
    let df = match read {
        Ok(r) => r,
        Err(panic) => Err(PolarsError::ComputeError(
            format!(
                "not a readable Parquet file (the reader failed: {})",
                crate::panics::message(panic.as_ref())
            )
            .into(),
        )),
    }
    .map_err(|source| Error::Frame {
        table,
        path: Some(path.to_path_buf()),
        source: Box::new(source),
    })?;
    feed_frame(builder, table, &df)
}

pub(super) fn feed_frame(builder: &mut Builder, table: Table, df: &DataFrame) -> Result<()> {
    let frame_error = |source: PolarsError| Error::Frame {
        table,
        path: None,
        source: Box::new(source),
    };
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    let columns = builder.header(table, &names)?;
    let mut texts = Vec::with_capacity(names.len());
    for column in df.columns() {
        // polars panics casting some values to text (found by fuzzing: a
        // Date column holding a day out of chrono's range); that becomes an
        // error naming the column
        let text = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            column.cast(&DataType::String)
        }))
        .unwrap_or_else(|panic| {
            Err(PolarsError::ComputeError(
                format!(
                    "column {:?} cannot be read as text (polars failed: {})",
                    column.name().as_str(),
                    crate::panics::message(panic.as_ref())
                )
                .into(),
            ))
        })
        .map_err(frame_error)?;
        texts.push(text.str().map_err(frame_error)?.clone());
    }
    let mut iters: Vec<_> = texts.iter().map(|ca| ca.iter()).collect();
    let mut fields: Vec<Option<&str>> = Vec::with_capacity(names.len());
    let none = Known::default();
    let (checker, acc, mut known) = builder.parts(table, &columns, &names, &none);
    let mut memory = Remembered::default();
    for row in 0..df.height() {
        fields.clear();
        for it in iters.iter_mut() {
            let value = it.next().flatten().map(str::trim).filter(|s| !s.is_empty());
            fields.push(value);
        }
        let line = row as u64 + 2;
        match known.as_deref_mut() {
            Some(known) => {
                acc.apply_employee(known, checker.employee_row(line, &fields, &mut memory))?
            }
            None => acc.apply_event(checker.event_row(line, &fields, &mut memory))?,
        }
    }
    Ok(())
}
