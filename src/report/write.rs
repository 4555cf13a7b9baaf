//! Writing the outputs: `flags.csv`, `rejections.csv`, `report.json`,
//! `report.md`, `report.html`.

use crate::analysis::flags::Flag;
use crate::error::{EncodeError, Error, Result};
use crate::schema::Rejection;
use rayon::prelude::*;
use serde::Serialize;
use std::borrow::Cow;
use std::io::Write;
use std::path::Path;

/// Items whose records one thread formats at a time.
const BLOCK: usize = 1024;

/// Writes a CSV file: the header, then the record `row` makes of each item.
///
/// The records are formatted in blocks of 1,024 items on rayon's pool
/// (each block by a CSV writer of its own, which quotes a field as one
/// writer of the whole file would: nothing carries from record to record),
/// then written in order. Formatting was nearly all of the time: 33-43 ms
/// for 13,048 flags on one thread.
fn write_csv<T: Sync>(
    path: &Path,
    header: &[&str],
    items: &[T],
    row: impl Fn(&T) -> Vec<Cow<'_, str>> + Sync,
) -> Result<()> {
    let encode = |e: csv::Error| Error::Encode {
        path: path.to_path_buf(),
        source: EncodeError::Csv(e),
    };
    let output = |source: std::io::Error| Error::Output {
        path: path.to_path_buf(),
        source,
    };
    let blocks: Vec<std::result::Result<Vec<u8>, csv::Error>> = items
        .par_chunks(BLOCK)
        .map(|block| {
            let mut w = csv::WriterBuilder::new()
                .has_headers(false)
                .from_writer(Vec::new());
            for item in block {
                w.write_record(row(item).iter().map(|c| c.as_bytes()))?;
            }
            w.into_inner().map_err(|e| e.into_error().into())
        })
        .collect();
    let mut w = csv::Writer::from_path(path).map_err(encode)?;
    w.write_record(header).map_err(encode)?;
    let mut file = w.into_inner().map_err(|e| output(e.into_error()))?;
    for block in blocks {
        file.write_all(&block.map_err(encode)?).map_err(output)?;
    }
    file.flush().map_err(output)
}

fn leave_types(types: &[crate::schema::LeaveType]) -> String {
    let names: Vec<&str> = types.iter().map(|t| t.as_str()).collect();
    names.join(";")
}

/// The columns of `flags.csv`.
const FLAG_COLUMNS: [&str; 11] = [
    "employee_id",
    "leave_start",
    "return_date",
    "leave_types",
    "kinds",
    "employee_initiated",
    "severity",
    "evidence",
    "stall_p",
    "rating_drop_score",
    "stall_posterior",
];

/// One flag's row of `flags.csv`.
fn flag_row(f: &Flag) -> Vec<Cow<'_, str>> {
    let kinds: Vec<&str> = f.kinds.iter().map(|k| k.as_str()).collect();
    vec![
        f.employee_id.as_str().into(),
        f.leave_start.to_string().into(),
        f.return_date.to_string().into(),
        leave_types(&f.leave_types).into(),
        kinds.join(";").into(),
        (if f.employee_initiated {
            "true"
        } else {
            "false"
        })
        .into(),
        format!("{}", f.severity).into(),
        f.evidence.to_string().into(),
        f.stall_p.map_or(String::new(), |p| format!("{p}")).into(),
        f.rating_drop_score
            .map_or(String::new(), |z| format!("{z}"))
            .into(),
        f.stall_posterior
            .map_or(String::new(), |q| format!("{q}"))
            .into(),
    ]
}

/// Writes `flags.csv` with the contract's columns.
pub fn write_flags(path: &Path, flags: &[Flag]) -> Result<()> {
    write_csv(path, &FLAG_COLUMNS, flags, flag_row)
}

/// Writes `rejections.csv`: `file,line,column,value,reason,kind`, sorted by
/// file then line; header only when empty.
pub fn write_rejections(path: &Path, rejections: &[Rejection]) -> Result<()> {
    let mut sorted: Vec<&Rejection> = rejections.iter().collect();
    sorted.sort_by_key(|r| (r.file, r.line));
    write_csv(
        path,
        &["file", "line", "column", "value", "reason", "kind"],
        &sorted,
        |r| {
            vec![
                r.file.as_str().into(),
                r.line.to_string().into(),
                r.column.as_deref().unwrap_or("").into(),
                r.value.as_str().into(),
                r.reason.as_str().into(),
                r.kind.as_str().into(),
            ]
        },
    )
}

/// Writes any serializable value as pretty JSON.
pub fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let text = serde_json::to_string_pretty(value).map_err(|e| Error::Encode {
        path: path.to_path_buf(),
        source: EncodeError::Json(e),
    })?;
    write_text(path, &text)
}

/// Writes a text file.
pub fn write_text(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).map_err(|source| Error::Output {
        path: path.to_path_buf(),
        source,
    })
}
