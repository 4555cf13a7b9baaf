//! Runs the analysis on an `employees` and an `events` table.
//!
//! `cargo run --release --example analyze -- --employees FILE --events FILE --out DIR
//! [--as-of DATE] [--policy-date DATE] [--config FILE] [--strict] [--lang en|ja] [--employee ID]`
//!
//! or, on an HR system's export, `--mapping FILE` instead of the two tables
//! (see `mommytrack::import`; it also writes `employees.csv`, `events.csv`,
//! `import_rejections.csv` and `import_report.json` into `import/` under the
//! output folder).
//!
//! With no arguments it reads `data-samples/` and writes `out/`. It writes
//! `flags.csv`, `rejections.csv`, `report.json`, `report.md` and `report.html`, and exits non-zero only
//! when it could not produce them.

use chrono::NaiveDate;
use clap::Parser;
use mommytrack::config::Config;
use mommytrack::Error;
use mommytrack::Table;
use mommytrack::{report, Analysis, Dataset};
use std::cell::Cell;
use std::io::{BufReader, IsTerminal, Read};
use std::path::PathBuf;
use std::process::ExitCode;
use std::rc::Rc;
use std::time::{Duration, Instant};

#[derive(Parser)]
#[command(about = "Find mommy-track patterns in HR records")]
struct Args {
    /// The employees table (.csv or .parquet).
    #[arg(long, default_value = "data-samples/employees.csv")]
    employees: PathBuf,
    /// The events table (.csv or .parquet).
    #[arg(long, default_value = "data-samples/events.csv")]
    events: PathBuf,
    /// An HR system's export, through this mapping file (instead of
    /// `--employees` and `--events`).
    #[arg(long, conflicts_with_all = ["employees", "events"])]
    mapping: Option<PathBuf>,
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
    /// Leave out the promotion gap's diagnostics (robust interval,
    /// proportional-hazards test, hazard ratio by period, cumulative
    /// incidence), which are computed by default.
    #[arg(long)]
    no_diagnostics: bool,
    /// Language of report.html and report.md: `en` (the default) or `ja`
    /// (overrides `[report] lang` of the configuration).
    #[arg(long)]
    lang: Option<mommytrack::config::Lang>,
    /// Also write `returner-ID.html`: the page for this employee's latest
    /// return from childcare leave, for her career conversation (written
    /// only on this request; it is hers alone to see).
    #[arg(long, value_name = "ID")]
    employee: Option<String>,
    /// Compute the diagnostics (the default; kept for scripts written
    /// when they were opt-in).
    #[arg(long, hide = true, conflicts_with = "no_diagnostics")]
    diagnostics: bool,
}

fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
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
    if let Some(lang) = args.lang {
        config = config.with_lang(lang);
    }
    if args.diagnostics || args.no_diagnostics {
        config = config.with_diagnostics(args.diagnostics);
    }
    // Progress on stderr, only on a terminal: a bar over the bytes of the two
    // CSV files while they are read, then the analysis steps.
    let tty = std::io::stderr().is_terminal();
    let started = Instant::now();
    let stage = |step: &str| {
        if tty {
            eprint!("\r\x1b[2K[{:>6.1?}] {step}", started.elapsed());
        }
    };
    let is_csv = |p: &PathBuf| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let data = if let Some(mapping) = &args.mapping {
        stage("1/3 importing the export and checking it…");
        let imported = mommytrack::import::import_file(mapping)
            .and_then(|i| i.write(&args.out.join("import")).map(|_| i))?;
        if tty {
            eprint!("\r\x1b[2K");
        }
        eprintln!(
            "import: {} employees, {} events, {} rows rejected (import_rejections.csv)",
            imported.employees.len(),
            imported.events.len(),
            imported.rejections.len()
        );
        imported.dataset(&config)?
    } else if tty && is_csv(&args.employees) && is_csv(&args.events) {
        let open = |path: &PathBuf, table| {
            std::fs::File::open(path).map_err(|source| Error::Io {
                table,
                path: path.clone(),
                source,
            })
        };
        let (e, v) = (
            open(&args.employees, Table::Employees)?,
            open(&args.events, Table::Events)?,
        );
        let size = |f: &std::fs::File| f.metadata().map_or(0, |m| m.len());
        let bar = Rc::new(Bar {
            read: Cell::new(0),
            total: size(&e) + size(&v),
            drawn: Cell::new(started),
            started,
        });
        let data = Dataset::builder(&config).from_readers(
            BufReader::new(Counted {
                inner: e,
                bar: bar.clone(),
            }),
            BufReader::new(Counted {
                inner: v,
                bar: bar.clone(),
            }),
        )?;
        bar.draw();
        data
    } else {
        stage("1/3 reading and checking the input…");
        Dataset::builder(&config).from_paths(&args.employees, &args.events)?
    };
    stage("2/3 trajectories, peers, flags, event study, disclosure…");
    let analysis = Analysis::run(&data, &config);
    stage("3/3 writing the outputs…");
    report::write_all(&args.out, &data, &analysis)?;
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
        analysis.flags.len(),
        args.out.display()
    );
    if let Some(id) = &args.employee {
        let page = report::returner_page(&data, &config, &analysis, id)?;
        // The id in the file name, with anything but letters, digits, `-`
        // and `_` replaced, so that it cannot leave the folder.
        let safe: String = id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let path = args.out.join(format!("returner-{safe}.html"));
        report::write_text(&path, &page)?;
        eprintln!("wrote {}", path.display());
    }
    // The process ends here, and its memory goes back to the system with
    // it: the timelines and results are not freed one allocation at a time
    // first (as clang's `-disable-free` skips its frees at exit). That took
    // 41-47 ms at 200,000 employees (2012 shape, seed 11) and 190-220 ms at
    // 1,000,000, with nothing else left to do; freeing them on every core
    // took as long.
    std::mem::forget(analysis);
    std::mem::forget(data);
    Ok(())
}

/// Bytes read so far of both input files, drawn as a bar at most every 100 ms.
struct Bar {
    read: Cell<u64>,
    total: u64,
    drawn: Cell<Instant>,
    started: Instant,
}

impl Bar {
    fn draw(&self) {
        let frac = self.read.get() as f64 / self.total.max(1) as f64;
        let filled = (frac * 30.0).round() as usize;
        eprint!(
            "\r\x1b[2K[{:>6.1?}] 1/3 reading [{}{}] {:>3.0}%",
            self.started.elapsed(),
            "#".repeat(filled.min(30)),
            " ".repeat(30 - filled.min(30)),
            frac * 100.0
        );
        self.drawn.set(Instant::now());
    }
}

/// A reader that adds what it reads to a [`Bar`].
struct Counted<R> {
    inner: R,
    bar: Rc<Bar>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bar.read.set(self.bar.read.get() + n as u64);
        if self.bar.drawn.get().elapsed() >= Duration::from_millis(100) {
            self.bar.draw();
        }
        Ok(n)
    }
}

#[path = "support/allocator.rs"]
mod allocator;

fn main() -> ExitCode {
    let args = Args::parse();
    // The tables' size sets how soon freed memory goes back to the system
    // (an HR export's files count as small).
    let bytes = match args.mapping {
        Some(_) => 0,
        None => allocator::input_bytes(&[&args.employees, &args.events]),
    };
    allocator::tune(bytes);
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
