//! The contract's CSV reader, `employees` table: any bytes give a dataset
//! or a typed error, never a panic.
#![no_main]
#[path = "common.rs"]
mod common;
use libfuzzer_sys::fuzz_target;
use mommytrack::{Dataset, ValidConfig};

const EVENTS: &[u8] = b"employee_id,date,event\n";

fuzz_target!(|data: &[u8]| {
    common::on_this_thread();
    let config = ValidConfig::default();
    let _ = Dataset::builder(&config).from_readers(data, EVENTS);
});
