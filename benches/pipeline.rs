//! The whole pipeline on generated data, as ratios to a floor: the time
//! polars itself needs to read the two CSV files and sort the events by
//! employee and date.
//!
//! Sizes: 10,000 and 100,000 employees by default; `MOMMYTRACK_BENCH_SIZES`
//! takes a comma-separated list instead (e.g. `1000000`). The generator
//! hires from 1990 here (`MOMMYTRACK_BENCH_FIRST_YEAR` changes it): careers
//! of up to 35 years give about 24 events per employee, so 1M employees make
//! about 24 million events, the scale of the largest employers; the
//! generator's own default, 2012, gives about 12. The files are written to a
//! temporary folder first; each group:
//!
//! - `polars_read_sort`: the floor (CSV → DataFrame, both tables; events sorted);
//! - `ingest`: validated reading of both files into timelines;
//! - `timeline`: every absence and the state at each return, from timelines;
//! - `analyze`: ingest plus every analysis (`Analysis::run`), what the
//!   `analyze` example does short of writing its outputs.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use mommytrack::config::ValidConfig;
use mommytrack::synth::{generate_to_dir, SynthConfig};
use mommytrack::Analysis;
use polars::prelude::*;
use std::hint::black_box;
use std::path::{Path, PathBuf};

fn sizes() -> Vec<usize> {
    std::env::var("MOMMYTRACK_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10_000, 100_000])
}

fn first_year() -> i32 {
    std::env::var("MOMMYTRACK_BENCH_FIRST_YEAR")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(1990)
}

fn files(n: usize) -> (PathBuf, PathBuf) {
    let year = first_year();
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

fn polars_read_sort(e: &Path, v: &Path) -> (DataFrame, DataFrame) {
    let read = |p: &Path| {
        CsvReadOptions::default()
            .with_has_header(true)
            .try_into_reader_with_file_path(Some(p.to_path_buf()))
            .and_then(|r| r.finish())
            .expect("polars reads the bench CSV")
    };
    let employees = read(e);
    let events = read(v)
        .sort(["employee_id", "date"], SortMultipleOptions::default())
        .expect("sort");
    (employees, events)
}

fn bench_pipeline(c: &mut Criterion) {
    let config = ValidConfig::default();
    for n in sizes() {
        let (e, v) = files(n);
        let bytes = std::fs::metadata(&e).map(|m| m.len()).unwrap_or(0)
            + std::fs::metadata(&v).map(|m| m.len()).unwrap_or(0);
        eprintln!(
            "{n} employees hired from {}: {:.1} MB of CSV",
            first_year(),
            bytes as f64 / 1e6
        );
        let mut group = c.benchmark_group("pipeline");
        group.sample_size(10);
        group.bench_with_input(BenchmarkId::new("polars_read_sort", n), &n, |b, _| {
            b.iter(|| black_box(polars_read_sort(&e, &v)))
        });
        group.bench_with_input(BenchmarkId::new("ingest", n), &n, |b, _| {
            b.iter(|| {
                black_box(
                    mommytrack::Dataset::builder(&config)
                        .from_paths(&e, &v)
                        .expect("ingest"),
                )
            })
        });
        let data = mommytrack::Dataset::builder(&config)
            .from_paths(&e, &v)
            .expect("ingest");
        group.bench_with_input(BenchmarkId::new("timeline", n), &n, |b, _| {
            b.iter(|| {
                let ctx = mommytrack::Context::new(&data, &config);
                let r = ctx.returns();
                let states: u64 = r.iter().map(|r| u64::from(r.state_at_return().grade)).sum();
                black_box((r.len(), states))
            })
        });
        drop(data);
        group.bench_with_input(BenchmarkId::new("analyze", n), &n, |b, _| {
            b.iter(|| {
                let data = mommytrack::Dataset::builder(&config)
                    .from_paths(&e, &v)
                    .expect("ingest");
                black_box(Analysis::run(&data, &config))
            })
        });
        group.finish();
    }
}

criterion_group!(benches, bench_pipeline);
criterion_main!(benches);
