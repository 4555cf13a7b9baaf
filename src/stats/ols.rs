//! Ordinary least squares on dummy-coded factors, with cluster-robust
//! standard errors.
//!
//! Reproduces statsmodels `OLS(y, X).fit(cov_type="cluster",
//! cov_kwds={"groups": g})` (CR1: the sandwich `(X'X)⁻¹ Σ_g X_g'u_g u_g'X_g
//! (X'X)⁻¹` scaled by `G/(G−1) · (N−1)/(N−K)`) where `X` is an intercept and
//! one 0/1 column per non-reference level of each factor, as
//! `pandas.get_dummies(..., drop_first=True)` makes it. Each row has at most
//! one 1 per factor, so `X'X` and the cluster scores are accumulated from
//! those columns without forming `X`.
//!
//! ```
//! use mommytrack::stats::{DummyOls, Factor, Reference};
//! // y = 1 + 2·[level b] exactly, in four clusters.
//! let levels = [[0], [1], [0], [1], [0], [1]];
//! let y = [1.0, 3.0, 1.0, 3.0, 1.0, 3.0];
//! let fit = DummyOls::fit(&levels, &y, &[0, 0, 1, 1, 2, 3], &[Factor::new("g", Reference::Lowest)]).unwrap();
//! assert_eq!(fit.names, ["const", "g_1"]);
//! assert!((fit.coefficients[1] - 2.0).abs() < 1e-12);
//! assert_eq!(fit.effect(0, 0), 0.0); // the reference level
//! ```

use super::StatsError;
use nalgebra::{DMatrix, DVector};
use serde::{Deserialize, Serialize};

/// Which level of a factor is left out (absorbed by the intercept).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reference {
    /// The lowest level present.
    Lowest,
    /// This level (when present; otherwise none is left out).
    Level(i32),
}

/// One dummy-coded factor: its column-name prefix and reference level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Factor<'a> {
    /// Columns are named `<prefix>_<level>`.
    pub prefix: &'a str,
    /// The level left out.
    pub reference: Reference,
}

impl<'a> Factor<'a> {
    /// A factor with its column prefix and reference level.
    pub fn new(prefix: &'a str, reference: Reference) -> Factor<'a> {
        Factor { prefix, reference }
    }
}

/// An OLS fit on dummy-coded factors with cluster-robust standard errors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DummyOls {
    /// Column names: `const`, then `<prefix>_<level>` factor by factor.
    pub names: Vec<String>,
    /// Coefficients, in column order.
    pub coefficients: Vec<f64>,
    /// Cluster-robust standard errors (CR1), in column order.
    pub se: Vec<f64>,
    /// Rows.
    pub n: usize,
    /// Clusters.
    pub clusters: usize,
    /// Each factor's non-reference levels, ascending, and the column of the first.
    levels: Vec<(Vec<i32>, usize)>,
}

impl DummyOls {
    /// Fits `y` on an intercept and the dummies of `factors`; `levels[i][f]`
    /// is row `i`'s level of factor `f`, `clusters[i]` its cluster.
    ///
    /// Errors: inputs of different lengths; fewer rows than columns + 1 or
    /// fewer than two clusters; a singular design (a level that is
    /// collinear with others).
    pub fn fit<const F: usize>(
        levels: &[[i32; F]],
        y: &[f64],
        clusters: &[usize],
        factors: &[Factor<'_>; F],
    ) -> Result<DummyOls, StatsError> {
        let n = levels.len();
        if y.len() != n || clusters.len() != n {
            return Err(StatsError::LengthMismatch(format!(
                "{n} rows of levels, {} outcomes, {} clusters",
                y.len(),
                clusters.len()
            )));
        }
        DummyOls::fit_rows(n, |i| (levels[i], y[i], clusters[i]), factors)
    }

    /// [`DummyOls::fit`] reading row `i` as `row(i) = (levels, y, cluster)`,
    /// so that a caller's own rows need not be copied into columns.
    pub fn fit_rows<const F: usize>(
        n: usize,
        row: impl Fn(usize) -> ([i32; F], f64, usize),
        factors: &[Factor<'_>; F],
    ) -> Result<DummyOls, StatsError> {
        let y = |i: usize| row(i).1;
        let design = |i: usize| {
            let (levels, _, cluster) = row(i);
            (levels, cluster)
        };
        let mut fits = DummyOls::fit_rows_many(n, design, &[&y], factors)?;
        fits.pop()
            .ok_or_else(|| StatsError::Fit("no fit for the one outcome".into()))
    }

    /// [`DummyOls::fit_rows`] of several outcomes on the same rows, `row(i)
    /// = (levels, cluster)` and `outcomes[j](i)` the j-th outcome of row
    /// `i`: the design (its dummy columns, X'X and its inverse, the
    /// clusters) is built once, and each fit is the one `fit_rows` gives
    /// that outcome (the same sums in the same order). One fit per
    /// outcome, in their order.
    ///
    /// ```
    /// use mommytrack::stats::{DummyOls, Factor, Reference};
    /// let levels = [[0], [1], [0], [1], [0], [1], [0], [1]];
    /// let (a, b) = ([1.0, 3.0, 2.0, 5.0, 1.5, 4.0, 2.5, 3.5], [0.0, 1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0]);
    /// let f = [Factor::new("x", Reference::Lowest)];
    /// let fits = DummyOls::fit_rows_many(8, |i| (levels[i], i / 2), &[&|i| a[i], &|i| b[i]], &f).unwrap();
    /// let one = DummyOls::fit_rows(8, |i| (levels[i], b[i], i / 2), &f).unwrap();
    /// assert_eq!(fits[1], one);
    /// // The slope of a on x: the difference of the two groups' means.
    /// assert!((fits[0].coefficients[1] - (15.5 - 7.0) / 4.0).abs() < 1e-12);
    /// ```
    pub fn fit_rows_many<const F: usize>(
        n: usize,
        row: impl Fn(usize) -> ([i32; F], usize),
        outcomes: &[&dyn Fn(usize) -> f64],
        factors: &[Factor<'_>; F],
    ) -> Result<Vec<DummyOls>, StatsError> {
        let cluster = |i: usize| row(i).1;
        // Each row's levels read once, into the vector that then holds its
        // dummy columns (12 bytes a row for three factors): the caller's
        // rows are read again only for the outcome and the cluster.
        let mut row_cols: Vec<[u32; F]> = (0..n)
            .map(|i| row(i).0.map(|v| v.cast_unsigned()))
            .collect();
        let mut names = vec!["const".to_string()];
        let mut kept: Vec<(Vec<i32>, usize)> = Vec::with_capacity(F);
        for (f, factor) in factors.iter().enumerate() {
            let all = distinct(row_cols.iter().map(|c| c[f].cast_signed()));
            let list: Vec<i32> = match factor.reference {
                Reference::Lowest => all.into_iter().skip(1).collect(),
                Reference::Level(r) => all.into_iter().filter(|v| *v != r).collect(),
            };
            let base = names.len();
            names.extend(list.iter().map(|v| format!("{}_{v}", factor.prefix)));
            kept.push((list, base));
        }
        let k = names.len();
        // Rows of one cluster are taken together: in the order given when
        // that is already grouped, else sorted.
        // (None when they are grouped already, as the event study's are:
        // no index of n rows is then held.)
        // One pass finds whether they are, and how many clusters there
        // are when they are.
        let (mut grouped, mut changes) = (true, 0usize);
        let mut last = (n > 0).then(|| cluster(0));
        for i in 1..n {
            let c = cluster(i);
            grouped &= last <= Some(c);
            changes += usize::from(last != Some(c));
            last = Some(c);
        }
        let order: Option<Vec<usize>> = (!grouped).then(|| {
            let mut order: Vec<usize> = (0..n).collect();
            order.sort_by_key(|&i| cluster(i));
            order
        });
        let nth = |j: usize| order.as_ref().map_or(j, |o| o[j]);
        let g = match &order {
            None => 1 + changes,
            Some(_) => {
                1 + (1..n)
                    .filter(|&j| cluster(nth(j - 1)) != cluster(nth(j)))
                    .count()
            }
        };
        if n <= k || n == 0 || g < 2 {
            return Err(StatsError::NotEnoughData(format!(
                "{n} rows in {g} clusters for {k} columns (need more rows than columns and two clusters)"
            )));
        }
        // The columns holding a 1 in each row besides the intercept (column
        // 0): at most one per factor, `NONE` for a reference level; in 32
        // bits.
        const NONE: u32 = u32::MAX;
        if u32::try_from(k).map_or(true, |k| k == NONE) {
            return Err(StatsError::InvalidInput(format!(
                "{k} dummy columns; expected fewer than {NONE}"
            )));
        }
        // Each factor's level → column, as a table over the levels' range
        // where that is small (ages, years, event times), else searched.
        let lookup: Vec<Option<(i32, Vec<u32>)>> = kept
            .iter()
            .map(|(list, base)| {
                let (&lo, &hi) = (list.first()?, list.last()?);
                let span = usize::try_from(i64::from(hi) - i64::from(lo) + 1).ok()?;
                (span <= 1 << 16).then(|| {
                    let mut table = vec![NONE; span];
                    for (j, v) in list.iter().enumerate() {
                        // base + j < k, which fits (checked above).
                        table[(i64::from(*v) - i64::from(lo)) as usize] = (base + j) as u32;
                    }
                    (lo, table)
                })
            })
            .collect();
        for cols in row_cols.iter_mut() {
            for ((c, (list, base)), table) in cols.iter_mut().zip(&kept).zip(&lookup) {
                let v = c.cast_signed();
                *c = match table {
                    Some((lo, table)) => usize::try_from(i64::from(v) - i64::from(*lo))
                        .ok()
                        .and_then(|i| table.get(i).copied())
                        .unwrap_or(NONE),
                    // base + j < k, which fits (checked above).
                    None => list.binary_search(&v).map_or(NONE, |j| (base + j) as u32),
                };
            }
        }
        fn present<const F: usize>(cols: &[u32; F]) -> impl Iterator<Item = usize> + '_ {
            std::iter::once(0).chain(cols.iter().filter(|&&c| c != u32::MAX).map(|&c| c as usize))
        }
        // X'X summed in a flat array (row-major k × k), a matrix made of it
        // afterwards: the same sums, without a matrix index to compute and
        // check for each of a row's (1 + F)² cells.
        let mut xtx_flat = vec![0.0f64; k * k];
        for cols in &row_cols {
            for a in present(cols) {
                let row = &mut xtx_flat[a * k..(a + 1) * k];
                for b in present(cols) {
                    row[b] += 1.0;
                }
            }
        }
        let xtx = DMatrix::from_row_slice(k, k, &xtx_flat);
        drop(xtx_flat);
        let xtx_inv = xtx
            .cholesky()
            .ok_or_else(|| StatsError::Fit("X'X is singular (collinear dummies)".into()))?
            .inverse();
        let factor = (g as f64 / (g as f64 - 1.0)) * ((n as f64 - 1.0) / (n as f64 - k as f64));
        let mut fits = Vec::with_capacity(outcomes.len());
        for y in outcomes {
            let mut xty_flat = vec![0.0f64; k];
            for (i, cols) in row_cols.iter().enumerate() {
                let y = y(i);
                for a in present(cols) {
                    xty_flat[a] += y;
                }
            }
            let beta = &xtx_inv * DVector::from_vec(xty_flat);
            // Σ_g s_g s_g' with s_g = X_g' u_g, the cluster's score. A row
            // has at most one 1 per factor, so s_g is sparse: it is summed
            // in a dense scratch vector, and only the columns it touched
            // enter the outer product (the upper triangle, in a flat
            // row-major array; mirrored below).
            let mut meat = vec![0.0f64; k * k];
            let mut score = vec![0.0f64; k];
            let mut touched: Vec<usize> = Vec::with_capacity(k);
            let mut marked = vec![false; k];
            let flush = |score: &mut [f64],
                         touched: &mut Vec<usize>,
                         marked: &mut [bool],
                         meat: &mut [f64]| {
                touched.sort_unstable();
                for (x, &a) in touched.iter().enumerate() {
                    let sa = score[a];
                    let row = &mut meat[a * k..(a + 1) * k];
                    for &b in &touched[x..] {
                        row[b] += sa * score[b];
                    }
                }
                for &a in touched.iter() {
                    score[a] = 0.0;
                    marked[a] = false;
                }
                touched.clear();
            };
            let mut previous = None;
            for i in (0..n).map(nth) {
                if previous != Some(cluster(i)) {
                    flush(&mut score, &mut touched, &mut marked, &mut meat);
                    previous = Some(cluster(i));
                }
                let cols = &row_cols[i];
                let resid = y(i) - present(cols).map(|j| beta[j]).sum::<f64>();
                for j in present(cols) {
                    if !marked[j] {
                        marked[j] = true;
                        touched.push(j);
                    }
                    score[j] += resid;
                }
            }
            flush(&mut score, &mut touched, &mut marked, &mut meat);
            // Lower triangle from the upper one.
            let meat = DMatrix::from_fn(k, k, |a, b| meat[a.min(b) * k + a.max(b)]);
            let cov = &xtx_inv * meat * &xtx_inv * factor;
            fits.push(DummyOls {
                names: names.clone(),
                coefficients: beta.iter().copied().collect(),
                se: (0..k).map(|j| cov[(j, j)].max(0.0).sqrt()).collect(),
                n,
                clusters: g,
                levels: kept.clone(),
            });
        }
        Ok(fits)
    }

    /// Coefficient and standard error of `level` of factor `factor`;
    /// `None` for the reference level or a level not in the data.
    pub fn level(&self, factor: usize, level: i32) -> Option<(f64, f64)> {
        let (list, base) = self.levels.get(factor)?;
        let j = base + list.binary_search(&level).ok()?;
        Some((self.coefficients[j], self.se[j]))
    }

    /// The coefficient of `level` of factor `factor`, 0 for the reference
    /// level or a level not in the data (its effect in a prediction).
    pub fn effect(&self, factor: usize, level: i32) -> f64 {
        self.level(factor, level).map_or(0.0, |c| c.0)
    }
}

/// The distinct values, ascending: marked in a table over their range
/// (ages, years and event times span a few dozen values), else sorted.
fn distinct(values: impl Iterator<Item = i32> + Clone) -> Vec<i32> {
    let Some((lo, hi)) = values.clone().fold(None, |m: Option<(i32, i32)>, v| {
        Some(m.map_or((v, v), |(lo, hi)| (lo.min(v), hi.max(v))))
    }) else {
        return Vec::new();
    };
    let span = (i64::from(hi) - i64::from(lo)) as usize + 1;
    if span > 1 << 16 {
        let mut all: Vec<i32> = values.collect();
        all.sort_unstable();
        all.dedup();
        return all;
    }
    let mut seen = vec![false; span];
    for v in values {
        seen[(i64::from(v) - i64::from(lo)) as usize] = true;
    }
    (0..span)
        .filter(|&i| seen[i])
        .map(|i| (i64::from(lo) + i as i64) as i32)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{distinct, DummyOls, Factor, Reference};
    use proptest::prelude::*;

    proptest! {
        /// The same levels in the same order fit the same whether they
        /// span a small range (columns found in a table) or a wide one
        /// (found by search), with the reference level at either end or
        /// in the middle.
        #[test]
        fn a_wide_range_of_levels_fits_as_a_narrow_one(
            rows in proptest::collection::vec((0usize..4, 0usize..3, -3.0f64..3.0), 30..120),
            middle in any::<bool>(),
        ) {
            let narrow = [10, 11, 12, 13];
            let wide = [-70_000, 5, 6, 90_000];
            let (other, wide_other) = ([1, 2, 3], [-1, 0, 200_000]);
            let reference = if middle { Reference::Level(11) } else { Reference::Lowest };
            let wide_reference = if middle { Reference::Level(5) } else { Reference::Lowest };
            let fit = |a: &[i32; 4], b: &[i32; 3], r: Reference| {
                let levels: Vec<[i32; 2]> = rows.iter().map(|x| [a[x.0], b[x.1]]).collect();
                let y: Vec<f64> = rows.iter().map(|x| x.2).collect();
                let clusters: Vec<usize> = (0..rows.len()).map(|i| i / 2).collect();
                DummyOls::fit(
                    &levels,
                    &y,
                    &clusters,
                    &[Factor::new("a", r), Factor::new("b", Reference::Lowest)],
                )
            };
            match (fit(&narrow, &other, reference), fit(&wide, &wide_other, wide_reference)) {
                (Ok(n), Ok(w)) => {
                    prop_assert_eq!(n.coefficients, w.coefficients);
                    prop_assert_eq!(n.se, w.se);
                }
                (n, w) => prop_assert_eq!(n.is_err(), w.is_err()),
            }
        }

        /// Both ways (a table over a small range, sorting a wide one) give
        /// the sorted distinct values.
        #[test]
        fn distinct_is_sorted_dedup(
            v in proptest::collection::vec(-40i32..120, 0..300),
            wide in any::<bool>(),
        ) {
            let mut v = v;
            if wide {
                v.push(1 << 20);
            }
            let mut want = v.clone();
            want.sort_unstable();
            want.dedup();
            prop_assert_eq!(distinct(v.iter().copied()), want);
        }
    }
}
