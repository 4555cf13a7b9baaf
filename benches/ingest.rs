//! Ingestion throughput on generated data (100,000 employees by default;
//! `MOMMYTRACK_BENCH_EMPLOYEES` sets another size).
//!
//! Reports rows per second over both tables, from CSV bytes in memory (no
//! disk), and the time to build every absence, as a ratio to the ingest itself.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use mommytrack::config::ValidConfig;
use mommytrack::synth::{generate, SynthConfig};
use std::hint::black_box;

fn tables(employees: usize) -> (Vec<u8>, Vec<u8>) {
    let data = generate(&SynthConfig {
        employees,
        seed: 42,
        ..SynthConfig::default()
    });
    data.to_csv().expect("CSV in memory")
}

fn bench_ingest(c: &mut Criterion) {
    let n: usize = std::env::var("MOMMYTRACK_BENCH_EMPLOYEES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let (employees, events) = tables(n);
    let config = ValidConfig::default();
    let rows = bytecount(&employees) + bytecount(&events) - 2;
    eprintln!(
        "{n} employees: {rows} rows, {:.1} MB of CSV",
        (employees.len() + events.len()) as f64 / 1e6
    );
    let mut group = c.benchmark_group("ingest");
    group.sample_size(10);
    group.throughput(Throughput::Elements(rows as u64));
    group.bench_with_input(BenchmarkId::new("csv_in_memory", n), &n, |b, _| {
        b.iter(|| {
            let data = mommytrack::Dataset::builder(&config)
                .from_readers(&employees[..], &events[..])
                .unwrap();
            black_box(data.timelines.len())
        })
    });
    let data = mommytrack::Dataset::builder(&config)
        .from_readers(&employees[..], &events[..])
        .unwrap();
    group.bench_with_input(BenchmarkId::new("absences", n), &n, |b, _| {
        b.iter(|| {
            let total: usize = data
                .timelines
                .iter()
                .map(|t| t.absences(config.absences()).len())
                .sum();
            black_box(total)
        })
    });
    group.finish();
}

fn bytecount(bytes: &[u8]) -> usize {
    bytes.iter().filter(|b| **b == b'\n').count()
}

criterion_group!(benches, bench_ingest);
criterion_main!(benches);
