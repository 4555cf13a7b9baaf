//! Where the time goes: runs each step of `analyze` on its own, one after
//! the other, and prints its wall time and share.
//!
//! `cargo run --release --example profile -- --employees FILE --events FILE`
//!
//! `analyze` runs the same steps with two halves side by side on rayon's
//! pool (and most steps use both cores inside), so its total is less than
//! the sum printed here; this is the per-step cost, for finding what to
//! speed up. Nothing is written.

use clap::Parser;
use mommytrack::config::{Config, ValidConfig};
use mommytrack::disclosure::{Disclosure, FiscalYear};
use mommytrack::event_study::EventStudy;
use mommytrack::flags::{flag_all, policy_effect, Concentration};
use mommytrack::gap::{PeerSample, PromotionGap};
use mommytrack::ingest;
use mommytrack::report::AbsenceSummary;
use mommytrack::trajectory::{returns, Trajectory, TrajectorySummary};
use std::hint::black_box;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

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
}

fn main() -> ExitCode {
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
    let mut steps: Vec<(&str, f64)> = Vec::new();
    let mut lap = Instant::now();
    let mut step = |name: &'static str, steps: &mut Vec<(&str, f64)>| {
        steps.push((name, lap.elapsed().as_secs_f64()));
        lap = Instant::now();
    };
    let data = match ingest::read_files(&args.employees, &args.events, &config) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    step("ingest (read, check, timelines)", &mut steps);
    let as_of = data.as_of();
    let r = returns(&data.timelines, &config, as_of);
    step("returns (absences of everyone)", &mut steps);
    let t: Vec<Trajectory> = r
        .iter()
        .map(|x| Trajectory::of(x, &config, as_of))
        .collect();
    black_box(TrajectorySummary::new(
        &data.timelines,
        &r,
        &t,
        &config,
        as_of,
    ));
    step("trajectories", &mut steps);
    black_box(EventStudy::new(&data.timelines, &config, as_of));
    step("event study (panel, 8 OLS fits)", &mut steps);
    black_box(AbsenceSummary::from_dataset(&data, &config));
    step("absence counts", &mut steps);
    if let Some(fy) = FiscalYear::last_complete(as_of, config.fiscal_year_start()) {
        black_box(Disclosure::compute(&data.timelines, fy, &config));
    }
    step("disclosure", &mut steps);
    let peers = PeerSample::build(&data.timelines, &r, &config, as_of);
    step("peer matching and follow-ups", &mut steps);
    let flags = flag_all(&r, &peers, &config, as_of);
    step("flags", &mut steps);
    black_box(PromotionGap::new(
        &data.timelines,
        &r,
        &peers,
        &config,
        as_of,
    ));
    step("promotion gap (KM, log-rank, 2 Cox)", &mut steps);
    black_box(Concentration::new(
        &r,
        &flags,
        &data.timelines,
        &config,
        as_of,
    ));
    if let Some(d) = config.policy_date() {
        black_box(policy_effect(d, &r, &flags, &config));
    }
    step("concentration and policy", &mut steps);
    let total: f64 = steps.iter().map(|s| s.1).sum();
    println!(
        "{} employees, {} events, {} returns",
        data.timelines.len(),
        data.report.events.accepted,
        r.len()
    );
    println!("{:<38} {:>9} {:>7}", "step", "seconds", "share");
    for (name, secs) in &steps {
        println!("{name:<38} {secs:>9.2} {:>6.1}%", 100.0 * secs / total);
    }
    println!("{:<38} {total:>9.2} {:>6.1}%", "sum", 100.0);
    ExitCode::SUCCESS
}
