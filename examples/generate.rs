//! Generates a synthetic data set with a planted truth.
//!
//! `cargo run --release --example generate -- --employees 300 --seed 7 --out data-samples [--first-year 2012] [--dirty data-samples/dirty]
//! [--managers-per-department 20] [--biased-managers M0102,M0203] [--hris data-samples/hris]`
//!
//! `--hris DIR` also writes the population as three HR systems would export
//! it, each with its mapping file: `DIR/sap/` (an SAP-style effective-dated
//! job history with compensation, rating, leave and dependents files),
//! `DIR/japanese/` (a Japanese HR service's CP932 CSV files with era dates)
//! and `DIR/snapshots/` (a monthly headcount snapshot series).

use clap::Parser;
use mommytrack::synth::{
    self, dirty_copy, generate, generate_to_dir, write_csv, write_parameters, SynthConfig, Written,
};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(about = "Generate seeded synthetic HR data (employees.csv, events.csv, truth.csv)")]
struct Args {
    /// Number of employees.
    #[arg(long, default_value_t = 300)]
    employees: usize,
    /// Random seed.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// First fiscal year of hiring (default 2012). Earlier years mean
    /// longer careers, hence more events per employee: about 12 at 2012,
    /// 19 at 2000, 24 at 1990.
    #[arg(long)]
    first_year: Option<i32>,
    /// Output folder.
    #[arg(long, default_value = "out/generated")]
    out: PathBuf,
    /// Also write a copy with one bad row of each kind into this folder.
    #[arg(long)]
    dirty: Option<PathBuf>,
    /// Managers in each of the six departments (the generator's default
    /// unless given).
    #[arg(long)]
    managers_per_department: Option<usize>,
    /// Managers whose returners are more often put on the mommy track,
    /// comma-separated (e.g. `M0102,M0203`; the generator's default, one,
    /// unless given).
    #[arg(long, value_delimiter = ',')]
    biased_managers: Option<Vec<String>>,
    /// Also write HR-system exports of the population (with their mapping
    /// files) into `sap/`, `japanese/` and `snapshots/` under this folder.
    #[arg(long)]
    hris: Option<PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let defaults = SynthConfig::default();
    let config = SynthConfig {
        employees: args.employees,
        seed: args.seed,
        first_year: args.first_year.unwrap_or(defaults.first_year),
        managers_per_department: args
            .managers_per_department
            .unwrap_or(defaults.managers_per_department),
        biased_managers: args
            .biased_managers
            .clone()
            .unwrap_or_else(|| defaults.biased_managers.clone()),
        ..defaults
    };
    let started = std::time::Instant::now();
    // Streamed to the files unless a dirty copy (which needs every row) is asked for.
    let (written, data) = if args.dirty.is_some() || args.hris.is_some() {
        let data = generate(&config);
        let n = write_csv(&data, &args.out).map(|_| Written {
            employees: data.employees.len(),
            events: data.events.len(),
            returns: data.truth.len(),
        });
        (n, Some(data))
    } else {
        (generate_to_dir(&config, &args.out), None)
    };
    let n = match written.and_then(|n| write_parameters(&config, &args.out).map(|_| n)) {
        Ok(n) => n,
        Err(e) => {
            eprintln!("error: cannot write {}: {e}", args.out.display());
            return ExitCode::FAILURE;
        }
    };
    eprintln!(
        "{} employees, {} events, {} returns in {:.2?} -> {}",
        n.employees,
        n.events,
        n.returns,
        started.elapsed(),
        args.out.display()
    );
    if let (Some(dir), Some(data)) = (&args.hris, &data) {
        let exports = [
            ("sap", synth::sap(data)),
            ("japanese", synth::japanese(data)),
            ("snapshots", synth::snapshots(data, config.as_of)),
        ];
        for (name, export) in exports {
            let export = match export {
                Ok(export) => export,
                Err(e) => {
                    eprintln!("error: cannot export the population as {name}: {e}");
                    return ExitCode::FAILURE;
                }
            };
            let to = dir.join(name);
            if let Err(e) = export.write(&to) {
                eprintln!("error: cannot write {}: {e}", to.display());
                return ExitCode::FAILURE;
            }
            eprintln!(
                "{} files and mapping.toml -> {}",
                export.files.len(),
                to.display()
            );
        }
    }
    if let (Some(dir), Some(data)) = (args.dirty, data) {
        let dirty = dirty_copy(&data).expect("generated data has employees");
        let written = std::fs::create_dir_all(&dir)
            .and_then(|_| std::fs::write(dir.join("employees.csv"), &dirty.employees_csv))
            .and_then(|_| std::fs::write(dir.join("events.csv"), &dirty.events_csv))
            .and_then(|_| {
                let mut w = csv::Writer::from_path(dir.join("expected_rejections.csv"))?;
                for p in &dirty.planted {
                    w.serialize(p)?;
                }
                w.flush()
            });
        if let Err(e) = written {
            eprintln!("error: cannot write {}: {e}", dir.display());
            return ExitCode::FAILURE;
        }
        eprintln!(
            "{} planted bad rows -> {}",
            dirty.planted.len(),
            dir.display()
        );
    }
    ExitCode::SUCCESS
}
