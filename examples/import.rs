//! Imports HR-system exports through a mapping file into the contract's
//! `employees.csv` and `events.csv`.
//!
//! `cargo run --release --example import -- --mapping FILE [--out DIR] [--suggest]`
//!
//! Writes `employees.csv`, `events.csv`, `import_rejections.csv` and
//! `import_report.json` into `--out` (default `out/import`). With
//! `--suggest` it writes nothing but prints a mapping stub to standard
//! output: every header each file has and every code its tables lack.
//! Exits non-zero only when the import could not run (a file that cannot be
//! read, a mapping that is not valid); rejected rows are listed, not fatal.

use clap::Parser;
use mommytrack::import::{import_file, suggest, Mapping};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(about = "Import HR-system exports through a mapping file")]
struct Args {
    /// The mapping file (TOML); file paths in it are relative to its folder.
    #[arg(long)]
    mapping: PathBuf,
    /// Output folder.
    #[arg(long, default_value = "out/import")]
    out: PathBuf,
    /// Print a mapping stub (headers and unmapped codes) instead of importing.
    #[arg(long)]
    suggest: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if args.suggest {
        let stub = Mapping::from_file(&args.mapping).and_then(|m| {
            let base = args.mapping.parent().unwrap_or(std::path::Path::new("."));
            suggest(&m, base)
        });
        return match stub {
            Ok(s) => {
                print!("{s}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let started = std::time::Instant::now();
    let out = match import_file(&args.mapping).and_then(|out| out.write(&args.out).map(|_| out)) {
        Ok(out) => out,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    for f in &out.report.files {
        eprintln!(
            "{} ({}, {}): {} rows, {} accepted, {} rejected, {} superseded, {} after as_of",
            f.file,
            f.section,
            f.encoding,
            f.rows,
            f.accepted,
            f.rejected,
            f.superseded,
            f.after_as_of
        );
    }
    eprintln!(
        "{} employees, {} events ({} dated to an interval), {} rejections in {:.2?} -> {}",
        out.employees.len(),
        out.events.len(),
        out.report.dates.interval,
        out.rejections.len(),
        started.elapsed(),
        args.out.display()
    );
    for r in out.rejections.iter().take(10) {
        eprintln!("  rejected: {r}");
    }
    if out.rejections.len() > 10 {
        eprintln!(
            "  … {} more in import_rejections.csv",
            out.rejections.len() - 10
        );
    }
    ExitCode::SUCCESS
}
