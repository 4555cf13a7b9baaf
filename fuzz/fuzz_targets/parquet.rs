//! The Parquet reader: any bytes as the `employees` file give a dataset or
//! a typed error, never a panic that leaves the crate.
#![no_main]
#[path = "common.rs"]
mod common;
use libfuzzer_sys::fuzz_target;
use mommytrack::{Dataset, ValidConfig};
use std::path::PathBuf;
use std::sync::OnceLock;

fn paths() -> &'static (PathBuf, PathBuf) {
    static P: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    P.get_or_init(|| {
        let dir =
            std::env::temp_dir().join(format!("mommytrack-fuzz-parquet-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let events = dir.join("events.csv");
        std::fs::write(&events, "employee_id,date,event\n").unwrap();
        (dir.join("employees.parquet"), events)
    })
}

fuzz_target!(
    // polars panics on some malformed files and the crate catches it
    // (`catch_unwind`); libfuzzer-sys' hook would abort on the caught panic
    // first, so it is replaced by a silent one: a panic that escapes the
    // crate still aborts the target (libfuzzer-sys checks for it).
    init: std::panic::set_hook(Box::new(|_| {})),
    |data: &[u8]| {
        common::on_this_thread();
    let (employees, events) = paths();
    std::fs::write(employees, data).unwrap();
    let config = ValidConfig::default();
    let _ = Dataset::builder(&config).from_paths(employees, events);
    }
);
