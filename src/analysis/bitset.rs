//! A set of small integers as bits, for the peer sweep.

/// A set of positions `0..n` as bits, with a summary bit per 64-bit word so
/// that the next or previous member is found without walking empty words.
#[derive(Default)]
pub(crate) struct ActiveSet {
    words: Vec<u64>,
    summary: Vec<u64>,
}

impl ActiveSet {
    pub(crate) fn new(n: usize) -> ActiveSet {
        let words = n.div_ceil(64);
        ActiveSet {
            words: vec![0; words],
            summary: vec![0; words.div_ceil(64)],
        }
    }

    pub(crate) fn set(&mut self, i: usize) {
        let w = i / 64;
        self.words[w] |= 1 << (i % 64);
        self.summary[w / 64] |= 1 << (w % 64);
    }

    pub(crate) fn clear(&mut self, i: usize) {
        let w = i / 64;
        self.words[w] &= !(1 << (i % 64));
        if self.words[w] == 0 {
            self.summary[w / 64] &= !(1 << (w % 64));
        }
    }

    /// The first member at or after `i`.
    pub(crate) fn next(&self, i: usize) -> Option<usize> {
        let w = i / 64;
        let m = *self.words.get(w)? & (u64::MAX << (i % 64));
        if m != 0 {
            return Some(w * 64 + m.trailing_zeros() as usize);
        }
        // The first non-empty word after `w`.
        let w = w + 1;
        let mut s = w / 64;
        let mut sm = *self.summary.get(s)? & (u64::MAX << (w % 64));
        loop {
            if sm != 0 {
                let wi = s * 64 + sm.trailing_zeros() as usize;
                return Some(wi * 64 + self.words[wi].trailing_zeros() as usize);
            }
            s += 1;
            sm = *self.summary.get(s)?;
        }
    }

    /// The last member before `i`.
    pub(crate) fn prev(&self, i: usize) -> Option<usize> {
        let j = i
            .checked_sub(1)?
            .min((self.words.len() * 64).checked_sub(1)?);
        let w = j / 64;
        let m = self.words[w] & (u64::MAX >> (63 - j % 64));
        if m != 0 {
            return Some(w * 64 + 63 - m.leading_zeros() as usize);
        }
        // The last non-empty word before `w`.
        let w = w.checked_sub(1)?;
        let mut s = w / 64;
        let mut sm = self.summary[s] & (u64::MAX >> (63 - w % 64));
        loop {
            if sm != 0 {
                let wi = s * 64 + 63 - sm.leading_zeros() as usize;
                return Some(wi * 64 + 63 - self.words[wi].leading_zeros() as usize);
            }
            s = s.checked_sub(1)?;
            sm = self.summary[s];
        }
    }

    /// The members in `from..to`, in order.
    pub(crate) fn within(&self, from: usize, to: usize) -> impl Iterator<Item = usize> + '_ {
        let mut i = from;
        std::iter::from_fn(move || {
            let p = self.next(i).filter(|&p| p < to)?;
            i = p + 1;
            Some(p)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::ActiveSet;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    proptest! {
        /// The bit set answers next / previous / range queries exactly as a
        /// `BTreeSet` holding the same members does, after any sequence of
        /// insertions and removals (sizes cross the 64- and 4096-bit words).
        #[test]
        fn active_set_agrees_with_btreeset(
            n in 1usize..9000,
            ops in proptest::collection::vec((any::<bool>(), any::<usize>()), 0..400),
            probes in proptest::collection::vec(any::<usize>(), 1..40),
        ) {
            let mut bits = ActiveSet::new(n);
            let mut set = BTreeSet::new();
            for (insert, i) in ops {
                let i = i % n;
                if insert {
                    bits.set(i);
                    set.insert(i);
                } else {
                    bits.clear(i);
                    set.remove(&i);
                }
            }
            for p in probes {
                let i = p % (n + 2);
                prop_assert_eq!(bits.next(i), set.range(i..).next().copied());
                prop_assert_eq!(bits.prev(i), set.range(..i).next_back().copied());
                let j = (i + p % 700).min(n + 1);
                let got: Vec<usize> = bits.within(i, j).collect();
                let want: Vec<usize> = set.range(i..j.max(i)).copied().collect();
                prop_assert_eq!(got, want);
            }
        }
    }
}
