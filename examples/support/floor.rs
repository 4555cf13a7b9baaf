//! The floor of the pipeline bench and of `profile --floor`: polars reading
//! both CSV files and sorting the events by employee and date, timed in a
//! process of its own (the program run again with [`CHILD`] set) so that
//! the allocator is as it comes: the settings `analyze` runs with
//! (`allocator::tune`) cost polars' reading and sort up to about 40% (2012
//! shape at 200,000 employees: 0.54–0.56 s as it comes, 0.76–0.77 s under
//! them). Included with `#[path]` (it is not an example of its own).

use polars::prelude::*;
use std::path::Path;
use std::time::Instant;

/// Set in the child process: `EMPLOYEES|EVENTS|RUNS`.
pub const CHILD: &str = "MOMMYTRACK_FLOOR_CHILD";

/// Polars reads both files and sorts the events by employee and date.
fn read_sort(employees: &Path, events: &Path) -> PolarsResult<(DataFrame, DataFrame)> {
    let read = |p: &Path| {
        CsvReadOptions::default()
            .with_has_header(true)
            .try_into_reader_with_file_path(Some(p.to_path_buf()))
            .and_then(|r| r.finish())
    };
    let e = read(employees)?;
    let v = read(events)?.sort(["employee_id", "date"], SortMultipleOptions::default())?;
    Ok((e, v))
}

/// In the child (when [`CHILD`] is set): one untimed floor, then `RUNS`
/// timed ones, each printed in seconds on its own line; returns whether
/// this was the child (the caller then exits). Call it first in `main`,
/// before `allocator::tune`.
pub fn run_child() -> bool {
    let Ok(spec) = std::env::var(CHILD) else {
        return false;
    };
    let parts: Vec<&str> = spec.split('|').collect();
    if let [e, v, runs] = parts[..] {
        let (e, v) = (Path::new(e), Path::new(v));
        if let Err(err) = read_sort(e, v) {
            eprintln!("floor: polars cannot read the files: {err}");
            return true;
        }
        for _ in 0..runs.parse::<usize>().unwrap_or(1) {
            let start = Instant::now();
            let out = std::hint::black_box(read_sort(e, v));
            println!("{}", start.elapsed().as_secs_f64());
            drop(out);
        }
    }
    true
}

/// The floor's times in seconds over `runs` runs in a process of its own
/// (empty when it could not be run or polars could not read the files).
pub fn times_in_child(employees: &Path, events: &Path, runs: usize) -> Vec<f64> {
    let spec = format!("{}|{}|{runs}", employees.display(), events.display());
    std::env::current_exe()
        .and_then(|exe| std::process::Command::new(exe).env(CHILD, spec).output())
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .filter_map(|l| l.trim().parse().ok())
                .collect()
        })
        .unwrap_or_default()
}
