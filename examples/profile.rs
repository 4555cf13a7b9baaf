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

#[path = "support/allocator.rs"]
mod allocator;

#[path = "support/floor.rs"]
mod floor;

fn main() -> ExitCode {
    if floor::run_child() {
        return ExitCode::SUCCESS;
    }
    let args = Args::parse();
    allocator::tune(allocator::input_bytes(&[&args.employees, &args.events]));
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
        let best_floor = floor::times_in_child(&args.employees, &args.events, args.floor)
            .into_iter()
            .map(Duration::from_secs_f64)
            .min()
            .unwrap_or(Duration::MAX);
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
