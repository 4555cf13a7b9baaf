//! Where the time goes: runs `analyze`'s pipeline (ingest, then
//! [`Analysis::run_with`]) once and prints the wall time of each step.
//!
//! `cargo run --release --example profile -- --employees FILE --events FILE`
//!
//! The analysis runs in two halves side by side on rayon's pool (and most
//! steps use every core inside), so the steps' times overlap: their sum is
//! more than the whole run, which is printed last. Nothing is written.

use clap::Parser;
use mommytrack::config::{Config, ValidConfig};
use mommytrack::{Analysis, Dataset, Step};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Times each analysis step on one data set.
#[derive(Parser)]
struct Args {
    /// The employees table (CSV or Parquet).
    #[arg(long, default_value = "data-samples/employees.csv")]
    employees: PathBuf,
    /// The events table (CSV or Parquet).
    #[arg(long, default_value = "data-samples/events.csv")]
    events: PathBuf,
    /// A TOML configuration file (defaults otherwise).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Also time the floor (polars reading both CSVs and sorting the
    /// events by employee and date, in a process of its own with the
    /// allocator as it comes), and print the whole run as a ratio to it.
    /// Each is run this many times, best taken: the floor first.
    #[arg(long, default_value_t = 0)]
    floor: usize,
    /// Run the analysis this many times on the data read once and print
    /// each step's best time (steady figures on a noisy machine).
    #[arg(long, default_value_t = 1)]
    repeat: usize,
}

/// The floor: polars reads both CSV files and sorts the events by
/// employee and date (what `benches/pipeline.rs` calls `polars_read_sort`).
fn floor(employees: &std::path::Path, events: &std::path::Path) -> Duration {
    use polars::prelude::*;
    let start = Instant::now();
    let read = |p: &std::path::Path| {
        CsvReadOptions::default()
            .with_has_header(true)
            .try_into_reader_with_file_path(Some(p.to_path_buf()))
            .and_then(|r| r.finish())
    };
    let e = read(employees);
    let v =
        read(events).and_then(|v| v.sort(["employee_id", "date"], SortMultipleOptions::default()));
    let took = start.elapsed();
    if let Err(err) = e.and(v) {
        eprintln!("floor: polars cannot read the files: {err}");
    }
    took
}

#[path = "support/allocator.rs"]
mod allocator;

/// Set when this program runs again to time the floor in a process of its
/// own: `EMPLOYEES|EVENTS|RUNS`.
const FLOOR_CHILD: &str = "MOMMYTRACK_PROFILE_FLOOR_CHILD";

/// The floor's best of `runs`, in a process of its own with the allocator as
/// it comes: the settings the analysis runs with (`allocator::tune`) cost
/// polars' reading and sort up to about 40% (2012 shape, 200,000
/// employees: 0.54-0.56 s as it comes, 0.76-0.77 s under them).
fn floor_in_child(employees: &std::path::Path, events: &std::path::Path, runs: usize) -> Duration {
    let spec = format!("{}|{}|{runs}", employees.display(), events.display());
    let times: Vec<f64> = std::env::current_exe()
        .and_then(|exe| {
            std::process::Command::new(exe)
                .env(FLOOR_CHILD, spec)
                .output()
        })
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .filter_map(|l| l.trim().parse().ok())
                .collect()
        })
        .unwrap_or_default();
    times
        .into_iter()
        .map(Duration::from_secs_f64)
        .min()
        .unwrap_or(Duration::MAX)
}

fn main() -> ExitCode {
    if let Ok(spec) = std::env::var(FLOOR_CHILD) {
        let parts: Vec<&str> = spec.split('|').collect();
        if let [e, v, runs] = parts[..] {
            for _ in 0..runs.parse::<usize>().unwrap_or(1) {
                let took = floor(std::path::Path::new(e), std::path::Path::new(v));
                println!("{}", took.as_secs_f64());
            }
        }
        return ExitCode::SUCCESS;
    }
    allocator::tune();
    let args = Args::parse();
    let config = match &args.config {
        Some(p) => Config::from_file(p).and_then(|c| c.validate()),
        None => Ok(ValidConfig::default()),
    };
    let config = match config {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    if args.floor > 0 {
        let best_floor = floor_in_child(&args.employees, &args.events, args.floor);
        let mut best_run = Duration::MAX;
        for _ in 0..args.floor {
            let start = Instant::now();
            match Dataset::builder(&config).from_paths(&args.employees, &args.events) {
                Ok(d) => drop(std::hint::black_box(Analysis::run(&d, &config))),
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::FAILURE;
                }
            }
            best_run = best_run.min(start.elapsed());
        }
        println!(
            "best of {}: floor {:.3} s, ingest + analysis {:.3} s, ratio {:.2}",
            args.floor,
            best_floor.as_secs_f64(),
            best_run.as_secs_f64(),
            best_run.as_secs_f64() / best_floor.as_secs_f64()
        );
    }
    let started = Instant::now();
    let data = match Dataset::builder(&config).from_paths(&args.employees, &args.events) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let ingest = started.elapsed();
    let steps: Mutex<Vec<(Step, Duration)>> = Mutex::new(Vec::new());
    let mut whole_analysis = Duration::MAX;
    let mut analysis = None;
    for _ in 0..args.repeat.max(1) {
        let analysis_start = Instant::now();
        analysis = Some(Analysis::run_with(&data, &config, &|step, took| {
            // A poisoned lock only means another step panicked; keep counting.
            let mut steps = steps.lock().unwrap_or_else(|p| p.into_inner());
            match steps.iter_mut().find(|(s, _)| *s == step) {
                Some((_, best)) => *best = (*best).min(took),
                None => steps.push((step, took)),
            }
        }));
        whole_analysis = whole_analysis.min(analysis_start.elapsed());
    }
    let Some(analysis) = analysis else {
        return ExitCode::FAILURE;
    };
    let steps = steps.into_inner().unwrap_or_else(|p| p.into_inner());
    let total = ingest + whole_analysis;
    println!(
        "{} employees, {} events, {} returns flagged",
        data.timelines.len(),
        data.report.events.accepted,
        analysis.flags.len()
    );
    let share = |d: Duration| 100.0 * d.as_secs_f64() / total.as_secs_f64();
    println!("{:<38} {:>9} {:>7}", "step", "seconds", "of run");
    println!(
        "{:<38} {:>9.2} {:>6.1}%",
        "ingest (read, check, timelines)",
        ingest.as_secs_f64(),
        share(ingest)
    );
    for (step, took) in &steps {
        println!(
            "  {:<36} {:>9.2} {:>6.1}%",
            step.describe(),
            took.as_secs_f64(),
            share(*took)
        );
    }
    println!(
        "{:<38} {:>9.2} {:>6.1}%",
        "analysis (steps overlap)",
        whole_analysis.as_secs_f64(),
        share(whole_analysis)
    );
    println!(
        "{:<38} {:>9.2} {:>6.1}%",
        "whole run",
        total.as_secs_f64(),
        100.0
    );
    ExitCode::SUCCESS
}
