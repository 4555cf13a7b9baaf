//! The contract's CSV reader, `events` table, against a small fixed
//! `employees` table: any bytes give a dataset or a typed error.
#![no_main]
#[path = "common.rs"]
mod common;
use libfuzzer_sys::fuzz_target;
use mommytrack::{Dataset, ValidConfig};

const EMPLOYEES: &[u8] = b"employee_id,gender,birth_year,hire_date,exit_date,exit_reason,department,grade,responsibility,track,manager_id,employment_type,weekly_hours,salary
E000001,F,1985,2012-04-01,,,sales,1,0,career,M0101,regular,40,3900000
E000002,M,1984,2012-04-01,,,sales,2,1,career,M0101,regular,40,4200000
E000003,F,1990,2015-04-01,2024-03-31,voluntary,hr,1,0,general,M0601,part_time,20,2000000
";

fuzz_target!(|data: &[u8]| {
    common::on_this_thread();
    let config = ValidConfig::default();
    let _ = Dataset::builder(&config).from_readers(EMPLOYEES, data);
});
