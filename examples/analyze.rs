//! Runs the analysis on an `employees` and an `events` table.
//!
//! `cargo run --release --example analyze -- --employees FILE --events FILE --out DIR
//! [--as-of DATE] [--policy-date DATE] [--config FILE] [--strict]`
//!
//! With no arguments it reads `data-samples/` and writes `out/`. It writes
//! `flags.csv`, `rejections.csv`, `report.json`, `report.md` and `report.html`, and exits non-zero only
//! when it could not produce them.

use chrono::NaiveDate;
use clap::Parser;
use mommytrack::config::Config;
use mommytrack::flags::write_flags;
use mommytrack::report::{write_json, write_rejections, write_text, Report};
use mommytrack::{ingest, Error};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(about = "Find mommy-track patterns in HR records")]
struct Args {
    /// The employees table (.csv or .parquet).
    #[arg(long, default_value = "data-samples/employees.csv")]
    employees: PathBuf,
    /// The events table (.csv or .parquet).
    #[arg(long, default_value = "data-samples/events.csv")]
    events: PathBuf,
    /// Output folder.
    #[arg(long, default_value = "out")]
    out: PathBuf,
    /// Analysis date (default: the latest date in the input).
    #[arg(long)]
    as_of: Option<NaiveDate>,
    /// Date of a policy change, to compare before and after.
    #[arg(long)]
    policy_date: Option<NaiveDate>,
    /// Configuration file (.toml or .json).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Stop at the first rejected row.
    #[arg(long)]
    strict: bool,
}

fn run(args: Args) -> Result<(), Error> {
    let config = match &args.config {
        Some(path) => Config::from_file(path)?,
        None => Config::default(),
    };
    let mut config = config.validate()?;
    if args.as_of.is_some() {
        config = config.with_as_of(args.as_of);
    }
    if args.policy_date.is_some() {
        config = config.with_policy_date(args.policy_date);
    }
    if args.strict {
        config = config.with_strict(true);
    }
    // A status line on stderr while the long steps run, only on a terminal.
    let tty = std::io::stderr().is_terminal();
    let started = std::time::Instant::now();
    let stage = |step: &str| {
        if tty {
            eprint!("\r\x1b[2K[{:>6.1?}] {step}", started.elapsed());
        }
    };
    stage("1/3 reading and checking the input…");
    let data = ingest::read_files(&args.employees, &args.events, &config)?;
    stage("2/3 trajectories, peers, flags, event study, disclosure…");
    std::fs::create_dir_all(&args.out).map_err(|e| Error::Output {
        path: args.out.clone(),
        message: e.to_string(),
    })?;
    write_rejections(&args.out.join("rejections.csv"), &data.report.rejections)?;
    let report = Report::new(&data, &config);
    stage("3/3 writing the outputs…");
    write_flags(&args.out.join("flags.csv"), &report.flags)?;
    write_json(&args.out.join("report.json"), &report)?;
    write_text(&args.out.join("report.md"), &report.to_markdown())?;
    write_text(&args.out.join("report.html"), &report.to_html())?;
    if tty {
        eprint!("\r\x1b[2K");
    }
    let e = &data.report.employees;
    let v = &data.report.events;
    eprintln!(
        "employees: {} read, {} accepted, {} rejected; events: {} read, {} accepted, {} rejected, {} duplicates dropped; as of {}",
        e.rows_read, e.accepted, e.rejected, v.rows_read, v.accepted, v.rejected, v.duplicates_dropped, data.as_of()
    );
    eprintln!(
        "{} returns flagged; wrote flags.csv, rejections.csv, report.json, report.md, report.html to {}",
        report.flags.len(),
        args.out.display()
    );
    Ok(())
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
