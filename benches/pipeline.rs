//! The whole pipeline on generated data, as ratios to a floor: the time
//! polars itself needs to read the two CSV files and sort the events by
//! employee and date.
//!
//! Two shapes of data, each at 200,000 and 1,000,000 employees by default:
//! careers from 1990 (up to 35 years, about 24 events per employee) and
//! from 2012 (the generator's default, about 12 events per employee, a
//! larger share of them around returns). `MOMMYTRACK_BENCH_SIZES` takes a
//! comma-separated list of sizes instead (e.g. `10000`), and
//! `MOMMYTRACK_BENCH_FIRST_YEARS` one of first years (e.g. `2012`). The
//! files are generated once into the temporary folder (seed 42). Each
//! group:
//!
//! - the floor: polars reading both CSVs into DataFrames and sorting the
//!   events, timed in a process of its own with the allocator as it comes
//!   (median of 10 runs after one untimed; not a criterion benchmark);
//! - `ingest`: validated reading of both files into timelines;
//! - `analyze`: what the `analyze` example does: ingest, every analysis
//!   ([`Analysis::run`]) and every output written (`report::write_all`);
//!   each run timed on its own and what it made dropped after the time is
//!   taken, since the example leaves that to its exit.
//!
//! After each size the bench prints a summary line: the three medians,
//! ingest and analyze as ratios to the floor, and the peak memory of one
//! `analyze` run in a process of its own (its high-water resident set,
//! Linux only) as a ratio to the size of the two CSV files.

use criterion::{criterion_group, BatchSize, BenchmarkId, Criterion};
use mommytrack::config::ValidConfig;
use mommytrack::synth::{generate_to_dir, SynthConfig};
use mommytrack::Analysis;
use std::hint::black_box;
use std::path::{Path, PathBuf};

/// Set in the process that measures peak memory: `EMPLOYEES|EVENTS|OUT`.
const PEAK_CHILD: &str = "MOMMYTRACK_BENCH_PEAK_CHILD";
/// Timed runs of the floor (after one untimed).
const FLOOR_RUNS: usize = 10;

fn list<T: std::str::FromStr + Clone>(var: &str, default: &[T]) -> Vec<T> {
    std::env::var(var)
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| default.to_vec())
}

fn files(n: usize, year: i32) -> (PathBuf, PathBuf) {
    let dir = std::env::temp_dir().join(format!("mommytrack-bench-{n}-{year}"));
    let (e, v) = (dir.join("employees.csv"), dir.join("events.csv"));
    if !e.exists() || !v.exists() {
        let config = SynthConfig {
            employees: n,
            seed: 42,
            first_year: year,
            ..SynthConfig::default()
        };
        generate_to_dir(&config, &dir).expect("writing bench data");
    }
    (e, v)
}

/// What `analyze` does: ingest, every analysis, every output. What it
/// read and computed is returned, to be dropped outside the time: the
/// example does not free it (it exits).
fn analyze(
    e: &Path,
    v: &Path,
    out: &Path,
    config: &ValidConfig,
) -> (mommytrack::Dataset, Analysis) {
    let data = mommytrack::Dataset::builder(config)
        .from_paths(e, v)
        .expect("ingest");
    let analysis = Analysis::run(&data, config);
    mommytrack::report::write_all(out, &data, &analysis).expect("writing the outputs");
    (data, analysis)
}

/// The high-water resident set of this process, bytes (Linux).
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Peak memory of one `analyze` run, in a process of its own (this bench
/// run again with [`PEAK_CHILD`] set).
fn peak_of_analyze(e: &Path, v: &Path, out: &Path) -> Option<u64> {
    let exe = std::env::current_exe().ok()?;
    let spec = format!("{}|{}|{}", e.display(), v.display(), out.display());
    let output = std::process::Command::new(exe)
        .env(PEAK_CHILD, spec)
        .output()
        .ok()?;
    String::from_utf8_lossy(&output.stdout).trim().parse().ok()
}

/// The floor's median time, seconds, over [`FLOOR_RUNS`] runs in a process
/// of its own (`examples/support/floor.rs`: the allocator as it comes, so
/// that the floor is polars at its best, not under `analyze`'s settings).
fn floor_median(e: &Path, v: &Path) -> Option<f64> {
    let mut times = floor::times_in_child(e, v, FLOOR_RUNS);
    if times.is_empty() {
        return None;
    }
    times.sort_by(f64::total_cmp);
    let m = times.len() / 2;
    Some(if times.len() % 2 == 1 {
        times[m]
    } else {
        (times[m - 1] + times[m]) / 2.0
    })
}

/// Criterion's median for one benchmark, seconds (from its estimates file).
fn median(group: &str, id: &str, n: usize) -> Option<f64> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    let path = target
        .join("criterion")
        .join(group)
        .join(id)
        .join(n.to_string())
        .join("new")
        .join("estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    Some(json["median"]["point_estimate"].as_f64()? / 1e9)
}

fn bench_pipeline(c: &mut Criterion) {
    let config = ValidConfig::default();
    let mut summary = Vec::new();
    for year in list(
        "MOMMYTRACK_BENCH_FIRST_YEARS",
        &list("MOMMYTRACK_BENCH_FIRST_YEAR", &[1990, 2012]),
    ) {
        for n in list("MOMMYTRACK_BENCH_SIZES", &[200_000, 1_000_000]) {
            let (e, v) = files(n, year);
            let out = e.with_file_name("out");
            let bytes = std::fs::metadata(&e).map(|m| m.len()).unwrap_or(0)
                + std::fs::metadata(&v).map(|m| m.len()).unwrap_or(0);
            eprintln!(
                "{n} employees hired from {year}: {:.1} MB of CSV",
                bytes as f64 / 1e6
            );
            // SAFETY: between runs: criterion runs nothing in the
            // background, and rayon's and polars' workers are idle.
            unsafe { allocator::retune(bytes) };
            let group_name = format!("pipeline-{year}");
            let floor = floor_median(&e, &v);
            eprintln!(
                "floor (polars, own process, {FLOOR_RUNS} runs): median {}",
                floor.map_or("n/a".into(), |f| format!("{f:.3} s"))
            );
            let mut group = c.benchmark_group(&group_name);
            group.sample_size(10);
            group.bench_with_input(BenchmarkId::new("ingest", n), &n, |b, _| {
                b.iter(|| {
                    black_box(
                        mommytrack::Dataset::builder(&config)
                            .from_paths(&e, &v)
                            .expect("ingest"),
                    )
                })
            });
            group.bench_with_input(BenchmarkId::new("analyze", n), &n, |b, _| {
                // Each run timed on its own, its results dropped after the
                // time is taken (`analyze` leaves them to the exit).
                b.iter_batched(
                    || (),
                    |()| analyze(&e, &v, &out, &config),
                    BatchSize::PerIteration,
                )
            });
            group.finish();
            let peak = peak_of_analyze(&e, &v, &out);
            let m = |id| median(&group_name, id, n);
            let line = match (floor, m("ingest"), m("analyze")) {
                (Some(floor), Some(ingest), Some(whole)) => format!(
                    "{year} {n:>9}: floor {floor:.3} s, ingest {ingest:.3} s ({:.2}x), analyze {whole:.3} s ({:.2}x), peak memory {} ({})",
                    ingest / floor,
                    whole / floor,
                    peak.map_or("n/a".into(), |p| format!("{:.0} MB", p as f64 / 1e6)),
                    peak.map_or("n/a".into(), |p| format!("{:.2}x the CSV", p as f64 / bytes as f64)),
                ),
                _ => format!("{year} {n:>9}: criterion's estimates not found"),
            };
            eprintln!("{line}");
            summary.push(line);
        }
    }
    eprintln!("\nmedians, ratios to the floor (polars reading both CSVs and sorting the events):");
    for line in summary {
        eprintln!("  {line}");
    }
}

criterion_group!(benches, bench_pipeline);

#[path = "../examples/support/allocator.rs"]
mod allocator;
#[path = "../examples/support/floor.rs"]
mod floor;

fn main() {
    if floor::run_child() {
        return;
    }
    // The allocator `examples/analyze` has, so that the times and the
    // peak measured here are the example's (set again for each size's
    // files, as `analyze` sets it for the files it reads).
    if let Ok(spec) = std::env::var(PEAK_CHILD) {
        let parts: Vec<&str> = spec.split('|').collect();
        if let [e, v, out] = parts[..] {
            allocator::tune(allocator::input_bytes(&[Path::new(e), Path::new(v)]));
            analyze(
                Path::new(e),
                Path::new(v),
                Path::new(out),
                &ValidConfig::default(),
            );
            if let Some(p) = peak_rss() {
                println!("{p}");
            }
        }
        return;
    }
    allocator::tune(0);
    benches();
    Criterion::default().configure_from_args().final_summary();
}
