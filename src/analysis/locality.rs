//! Work over many employees' timelines in the order they lie in memory.
//!
//! Peers are matched to returns across the whole organisation, so a pass
//! over the peer follow-ups in return order reaches a random timeline at
//! each step, and the time goes in fetching its events rather than in
//! reading them. [`extend_in_order`] computes the items in the order of
//! their timelines (a peer matched to several returns is then reached while
//! her events are still in cache) and puts them back in their own order in
//! place.

use rayon::prelude::*;

/// Appends `f(0), f(1), …, f(n − 1)` to `out`, in that order, computing
/// them in parallel in the order of `key` (ties in index order).
///
/// The results are put in place by following the cycles of the
/// permutation, so nothing beyond `out` and one `u32` per item is held
/// (more than `u32::MAX` items are computed in plain order).
pub(crate) fn extend_in_order<T: Send>(
    out: &mut Vec<T>,
    n: usize,
    key: impl Fn(usize) -> usize + Sync,
    f: impl Fn(usize) -> T + Sync + Send,
) {
    let start = out.len();
    // Positions are held as `u32`; beyond that, in plain order.
    let Ok(items) = u32::try_from(n) else {
        out.par_extend((0..n).into_par_iter().map(f));
        return;
    };
    // `order[s]`: the item computed into slot `s`, and so where it belongs.
    let mut order = order_by_key(items, key);
    out.par_extend(order.par_iter().map(|&j| f(j as usize)));
    let placed = &mut out[start..];
    for s in 0..order.len() {
        while order[s] as usize != s {
            let j = order[s] as usize;
            placed.swap(s, j);
            order.swap(s, j);
        }
    }
}

/// The indices `0..n` ordered by `key`, ties in index order.
///
/// Each item's key is taken once and packed with its index into one `u64`
/// (key in the high half): sorting these orders as (key, index) does,
/// without calling `key` (a read of the caller's item, often a cache miss)
/// at every comparison. At 1,137,735 items (1M employees) the sort took
/// 0.05 s instead of 0.11 s (peer follow-ups) and 0.34 s (stall levels).
/// Keys beyond `u32` sort as tuples.
pub(crate) fn order_by_key(n: u32, key: impl Fn(usize) -> usize + Sync) -> Vec<u32> {
    let packed: Option<Vec<u64>> = (0..n)
        .into_par_iter()
        .map(|j| {
            u32::try_from(key(j as usize))
                .ok()
                .map(|k| (u64::from(k) << 32) | u64::from(j))
        })
        .collect();
    match packed {
        Some(mut packed) => {
            packed.par_sort_unstable();
            packed.into_iter().map(|k| k as u32).collect()
        }
        None => {
            let mut order: Vec<u32> = (0..n).collect();
            order.par_sort_unstable_by_key(|&j| (key(j as usize), j));
            order
        }
    }
}

#[cfg(test)]
mod tests {
    use super::extend_in_order;
    use proptest::prelude::*;

    proptest! {
        /// The same items in the same order as a plain map, whatever the
        /// keys (repeated, reversed, all alike) and what `out` held.
        #[test]
        fn the_order_is_the_plain_one(
            // Keys beyond `u32` too (sorted as tuples rather than packed).
            keys in proptest::collection::vec(
                prop_oneof![4 => 0usize..50, 1 => (1usize << 33)..(1usize << 33) + 50],
                0..400
            ),
            held in 0usize..5,
        ) {
            let mut out: Vec<(usize, usize)> = (0..held).map(|i| (usize::MAX, i)).collect();
            let mut plain = out.clone();
            extend_in_order(&mut out, keys.len(), |j| keys[j], |j| (j, keys[j]));
            plain.extend((0..keys.len()).map(|j| (j, keys[j])));
            prop_assert_eq!(out, plain);
        }
    }
}
