//! The mapping file: any text gives a mapping or a typed error, and a
//! mapping that parses is imported against small fixed exports (every
//! file name it may give is there) without a panic.
#![no_main]
#[path = "common.rs"]
mod common;
use libfuzzer_sys::fuzz_target;
use mommytrack::import::{import_from_memory, Mapping};
use std::collections::BTreeMap;
use std::sync::OnceLock;

fn files() -> &'static BTreeMap<String, Vec<u8>> {
    static F: OnceLock<BTreeMap<String, Vec<u8>>> = OnceLock::new();
    F.get_or_init(|| {
        let job = "id,date,seq,ev,status,grade,level,dept,contract,hours,sex,hired\n\
                   E1,2020-04-01,1,H,active,1,0,sales,regular,40,F,2020-04-01\n\
                   E1,2022-04-01,1,P,active,2,1,sales,regular,40,,\n\
                   E1,2023-01-10,1,L,maternity,,,,,,,\n\
                   E1,2024-01-15,1,R,active,,,,part_time,30,,\n";
        let leaves = "id,type,from,to,birth\nE1,maternity,2023-01-10,2024-01-14,2023-02-01\n";
        let family = "id,relation,born\nE1,child,2023-02-01\n";
        let snaps = "date,id,sex,hired,grade,level,contract,hours,status\n\
                     2024-01-31,E1,F,2020-04-01,1,0,regular,40,active\n\
                     2024-03-31,E1,F,2020-04-01,2,0,regular,40,maternity\n";
        ["job.csv", "master.csv", "a.csv", "b.csv", "x.csv"]
            .iter()
            .map(|n| (n.to_string(), job.as_bytes().to_vec()))
            .chain([
                ("leaves.csv".to_string(), leaves.as_bytes().to_vec()),
                ("family.csv".to_string(), family.as_bytes().to_vec()),
                ("snaps.csv".to_string(), snaps.as_bytes().to_vec()),
            ])
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    common::on_this_thread();
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(m) = Mapping::from_toml(text) {
        let _ = import_from_memory(&m, files());
    }
});
