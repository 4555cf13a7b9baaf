//! Statutory disclosure figures for one fiscal year: Japan's parental-leave
//! uptake and gender pay ratio (with the share of women among managers,
//! workers and hires, and years of service), and the UK gender pay gap.
//!
//! `cargo run --release --example disclose -- [--employees FILE] [--events FILE]
//! [--fiscal-year-start MM-DD] [--year YYYY] [--as-of DATE] [--config FILE]
//! [--min-group-size N] [--pay-p-percent P] [--json FILE]`
//!
//! With no arguments it reads `data-samples/`, takes the latest fiscal year
//! (April–March) that ended by the analysis date, prints a table and writes
//! the figures to `out/disclosure.json`.

use chrono::NaiveDate;
use clap::Parser;
use mommytrack::analysis::disclosure::{Disclosure, FiscalYear};
use mommytrack::config::Config;
use mommytrack::report::write_json;
use mommytrack::Error;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(about = "Statutory disclosure figures from HR records")]
struct Args {
    /// The employees table (.csv or .parquet).
    #[arg(long, default_value = "data-samples/employees.csv")]
    employees: PathBuf,
    /// The events table (.csv or .parquet).
    #[arg(long, default_value = "data-samples/events.csv")]
    events: PathBuf,
    /// First day of the fiscal year, MM-DD (default: the configuration's, 04-01).
    #[arg(long)]
    fiscal_year_start: Option<String>,
    /// UK snapshot date, MM-DD (04-05 for private employers, 03-31 for
    /// public ones; default: the configuration's, 04-05).
    #[arg(long)]
    uk_snapshot: Option<String>,
    /// The fiscal year, by the calendar year it starts in (default: the latest
    /// one that ended by the analysis date).
    #[arg(long)]
    year: Option<i32>,
    /// Analysis date (default: the latest date in the input).
    #[arg(long)]
    as_of: Option<NaiveDate>,
    /// Configuration file (.toml or .json).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Smallest group a figure may show (1 for the filing itself).
    #[arg(long)]
    min_group_size: Option<usize>,
    /// The p% rule for sums of pay (0 for the filing itself).
    #[arg(long)]
    pay_p_percent: Option<f64>,
    /// Where to write the figures as JSON.
    #[arg(long, default_value = "out/disclosure.json")]
    json: PathBuf,
}

fn run(args: Args) -> Result<(), Error> {
    let mut config = match &args.config {
        Some(path) => Config::from_file(path)?,
        None => Config::default(),
    };
    if let Some(m) = args.min_group_size {
        config.privacy.min_group_size = m;
    }
    if let Some(p) = args.pay_p_percent {
        config.privacy.pay_p_percent = p;
    }
    if args.uk_snapshot.is_some() {
        config.disclosure.uk_snapshot = args.uk_snapshot.clone();
    }
    if let Some(s) = &args.fiscal_year_start {
        config.disclosure.fiscal_year_start = s.clone();
    }
    if args.as_of.is_some() {
        config.ingest.as_of = args.as_of;
    }
    let config = config.validate()?;
    let data = mommytrack::Dataset::builder(&config).from_paths(&args.employees, &args.events)?;
    let start = config.fiscal_year_start();
    let fiscal_year = match args.year {
        Some(y) => FiscalYear::new(y, start),
        None => FiscalYear::last_complete(data.as_of(), start),
    }
    .ok_or_else(|| Error::InvalidConfig {
        field: "year",
        value: format!("{:?}", args.year),
        expected: "a year whose fiscal year starts on a real date".into(),
    })?;
    let rejected = data.report.rejections.len();
    if rejected > 0 {
        eprintln!("note: {rejected} input rows were rejected (run `analyze` for rejections.csv)");
    }
    let computed = Disclosure::compute(&data.timelines, fiscal_year, &config);
    // Published as in the report: withheld where a figure would give a
    // small group back, with the ledger of what was withheld.
    let (disclosure, ledger) =
        mommytrack::privacy::publish_section("disclosure", &computed, &config)?;
    print!("{}", disclosure.to_text());
    if let Some(dir) = args.json.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| Error::Output {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    // The figures at the top level as before, the ledger beside them.
    let mut json = serde_json::to_value(&disclosure).map_err(|source| Error::Publish {
        section: "disclosure".into(),
        source,
    })?;
    json["privacy"] = serde_json::to_value(&ledger).map_err(|source| Error::Publish {
        section: "disclosure".into(),
        source,
    })?;
    write_json(&args.json, &json)?;
    eprintln!("wrote {}", args.json.display());
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
