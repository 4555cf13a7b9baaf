//! Importing an HR system's export against ingesting the same population
//! from the contract's CSV files, in the same run.
//!
//! Sizes: 100,000 employees by default; `MOMMYTRACK_BENCH_SIZES` takes a
//! comma-separated list instead (e.g. `1000000`). The population is the
//! generator's (seed 42, hires from 2012); it is written once to a
//! temporary folder as the contract's two CSV files and as the SAP-style
//! export of `data-samples/hris/sap` (job information with two header
//! rows, US dates and sequence numbers, compensation, ratings, leaves,
//! dependents, the person master). Each group:
//!
//! - `ingest_contract_csv`: the baseline, validated reading of the two
//!   contract files into timelines (`Dataset::builder().from_paths`);
//! - `import_sap`: the import, export files to the contract's tables
//!   (`import_file`);
//! - `import_sap_to_dataset`: the import and then the ingest of its tables
//!   (`import_file` then `Imported::dataset`), what `analyze --mapping` does
//!   before the analysis.
//!
//! The figure is `import_sap` ÷ `ingest_contract_csv`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use mommytrack::config::ValidConfig;
use mommytrack::import::import_file;
use mommytrack::synth::{self, generate, write_csv, SynthConfig};
use std::hint::black_box;
use std::path::PathBuf;

fn sizes() -> Vec<usize> {
    std::env::var("MOMMYTRACK_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![100_000])
}

/// The folder with `employees.csv`, `events.csv` and `sap/`.
fn files(n: usize) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mommytrack-bench-import-{n}"));
    if !dir.join("sap").join("mapping.toml").exists() {
        let data = generate(&SynthConfig {
            employees: n,
            seed: 42,
            ..SynthConfig::default()
        });
        write_csv(&data, &dir).expect("writing the contract files");
        synth::sap(&data)
            .expect("the generated population exports")
            .write(&dir.join("sap"))
            .expect("writing the export");
    }
    dir
}

fn bench_import(c: &mut Criterion) {
    let config = ValidConfig::default();
    for n in sizes() {
        let dir = files(n);
        let size = |p: PathBuf| std::fs::metadata(p).map_or(0, |m| m.len());
        let export: u64 = std::fs::read_dir(dir.join("sap"))
            .map(|d| d.flatten().map(|e| size(e.path())).sum())
            .unwrap_or(0);
        eprintln!(
            "{n} employees: contract CSV {:.1} MB, SAP export {:.1} MB",
            (size(dir.join("employees.csv")) + size(dir.join("events.csv"))) as f64 / 1e6,
            export as f64 / 1e6
        );
        let mut group = c.benchmark_group("import");
        group.sample_size(10);
        group.bench_with_input(BenchmarkId::new("ingest_contract_csv", n), &n, |b, _| {
            b.iter(|| {
                let data = mommytrack::Dataset::builder(&config)
                    .from_paths(dir.join("employees.csv"), dir.join("events.csv"))
                    .unwrap();
                black_box(data.timelines.len())
            })
        });
        let mapping = dir.join("sap").join("mapping.toml");
        group.bench_with_input(BenchmarkId::new("import_sap", n), &n, |b, _| {
            b.iter(|| black_box(import_file(&mapping).unwrap().events.len()))
        });
        group.bench_with_input(BenchmarkId::new("import_sap_to_dataset", n), &n, |b, _| {
            b.iter(|| {
                let data = import_file(&mapping).unwrap().dataset(&config).unwrap();
                black_box(data.timelines.len())
            })
        });
        group.finish();
    }
}

criterion_group!(benches, bench_import);
criterion_main!(benches);
