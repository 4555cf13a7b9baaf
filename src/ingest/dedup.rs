//! Fingerprints of rows, for dropping exact duplicates.

#[allow(unused_imports)]
use super::*;

/// A 128-bit fingerprint of a row's fields, for dropping exact duplicates
/// without keeping every row (a collision among 10⁸ rows has odds below 10⁻²⁰).
pub(super) fn row_hash(fields: &[Option<&str>]) -> u128 {
    // Two independently seeded 64-bit hashes (foldhash's quality variant):
    // a collision of both is out of reach for any real file.
    let a = foldhash::quality::FixedState::with_seed(0x243f_6a88_85a3_08d3).hash_one(fields);
    let b = foldhash::quality::FixedState::with_seed(0x9e37_79b9_7f4a_7c15).hash_one(fields);
    (u128::from(a) << 64) | u128::from(b)
}

/// A 64-bit fingerprint of an accepted event row's fields. Only rows of the
/// same employee, date and same-day rank are compared by it, a few at a
/// time: a false match within one employee's day is out of reach (about
/// 10⁻¹⁹ per pair).
pub(super) fn fingerprint(fields: &[Option<&str>]) -> u64 {
    foldhash::quality::FixedState::with_seed(0x243f_6a88_85a3_08d3).hash_one(fields)
}
