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
///
/// Each non-empty field is one write into the hasher and a byte no UTF-8
/// text holds (0xff) after it; which fields are empty is written once per
/// 64 fields as a bit mask, after their number. Together they tell the
/// fields apart, in fewer writes than hashing the slice of options (three
/// a field: its discriminant, its text and a separator).
pub(super) fn fingerprint(fields: &[Option<&str>]) -> u64 {
    use std::hash::Hasher;
    let mut h = foldhash::quality::FixedState::with_seed(0x243f_6a88_85a3_08d3).build_hasher();
    h.write_usize(fields.len());
    let mut present = 0u64;
    for (i, f) in fields.iter().enumerate() {
        if let Some(s) = f {
            h.write(s.as_bytes());
            h.write_u8(0xff);
            present |= 1 << (i % 64);
        }
        if i % 64 == 63 {
            h.write_u64(present);
            present = 0;
        }
    }
    h.write_u64(present);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::fingerprint;

    #[test]
    fn a_fingerprint_tells_fields_apart_where_they_break() {
        // Equal rows, equal fingerprints; the same characters split
        // differently, or an empty field moved, different ones.
        let rows: [&[Option<&str>]; 7] = [
            &[Some("ab"), None],
            &[Some("a"), Some("b")],
            &[None, Some("ab")],
            &[Some("ab"), Some("")],
            &[Some("ab")],
            &[Some("a\u{0}b")],
            &[Some("a"), Some("b"), None],
        ];
        for (i, a) in rows.iter().enumerate() {
            // The same fields copied elsewhere in memory.
            let owned: Vec<Option<String>> = a.iter().map(|f| f.map(String::from)).collect();
            let copy: Vec<Option<&str>> = owned.iter().map(|f| f.as_deref()).collect();
            assert_eq!(fingerprint(a), fingerprint(&copy));
            for b in &rows[i + 1..] {
                assert_ne!(fingerprint(a), fingerprint(b), "{a:?} and {b:?}");
            }
        }
        // Rows wider than one mask's 64 fields, the same text in field 0
        // or in field 64: told apart.
        let mut wide_a = vec![None; 70];
        let mut wide_b = vec![None; 70];
        wide_a[0] = Some("x");
        wide_b[64] = Some("x");
        assert_ne!(fingerprint(&wide_a), fingerprint(&wide_b));
    }
}
