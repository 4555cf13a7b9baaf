//! Small-cell suppression: the privacy primitives every published people
//! count and sum of pay goes through.
//!
//! A [`Count`] over fewer people than the configured minimum group size
//! (default 5) is withheld when it is made (primary suppression); zero is
//! shown, since it singles nobody out (unless `privacy.protect_zeros`).
//! That alone does not protect a small group: a suppressed count beside
//! its total and the other shown cells, or beside a rate with its
//! denominator, is the difference or the product. So what [`Analysis`]
//! publishes goes through [`crate::privacy`] as well, which withholds
//! further counts (secondary suppression) and every figure resting on a
//! withheld one, and proves with an integer program that no withheld count
//! can be narrowed to an interval smaller than the minimum group size.
//!
//! [`Analysis`]: crate::Analysis
//!
//! ```
//! use mommytrack::Count;
//! assert_eq!((Count::new(3, 5).value, Count::new(3, 5).suppressed), (None, true));
//! assert_eq!((Count::new(7, 5).value, Count::new(7, 5).suppressed), (Some(7), false));
//! assert_eq!((Count::new(0, 5).value, Count::new(0, 5).suppressed), (Some(0), false));
//! ```

use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::cell::Cell;

thread_local! {
    /// While set, counts and pay sums serialize their true values too, for
    /// the publication step ([`crate::privacy`]) and nothing else.
    static RAW: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` with counts and pay sums serializing their true values
/// (`"n"`, `"pay"`) beside the published ones: only the publication step
/// reads that form.
pub(crate) fn with_raw<R>(f: impl FnOnce() -> R) -> R {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            RAW.with(|r| r.set(self.0));
        }
    }
    let _reset = Reset(RAW.with(|r| r.replace(true)));
    f()
}

fn raw() -> bool {
    RAW.with(|r| r.get())
}

/// For `skip_serializing_if`: a field only the publication step reads.
pub(crate) fn not_raw<T>(_: &T) -> bool {
    !raw()
}

/// A head count that is hidden when it is small enough to single people out.
///
/// Serialized as the contract's count object `{"value": n or null,
/// "suppressed": true/false}`. Zero is shown: it singles nobody out.
#[derive(Debug, Clone, Copy)]
pub struct Count {
    /// The count, or `None` when suppressed.
    pub value: Option<u64>,
    /// `true` when the count is withheld, for any reason.
    pub suppressed: bool,
    /// The true count, for the publication step; a count read back from
    /// a published report holds its shown value (0 when withheld).
    n: u64,
}

impl PartialEq for Count {
    fn eq(&self, other: &Count) -> bool {
        (self.value, self.suppressed) == (other.value, other.suppressed)
    }
}

impl Eq for Count {}

impl Count {
    /// A count, suppressed when `0 < n < min_group_size`.
    pub fn new(n: u64, min_group_size: usize) -> Count {
        let suppressed = n > 0 && n < min_group_size as u64;
        Count {
            value: (!suppressed).then_some(n),
            suppressed,
            n,
        }
    }

    /// A count as published: shown with `value`, or withheld (`None`).
    ///
    /// ```
    /// use mommytrack::Count;
    /// assert_eq!(Count::published(Some(9)), Count::new(9, 5));
    /// assert!(Count::published(None).suppressed);
    /// ```
    pub fn published(value: Option<u64>) -> Count {
        Count {
            value,
            suppressed: value.is_none(),
            n: value.unwrap_or(0),
        }
    }
}

/// The count, or `suppressed`.
///
/// ```
/// use mommytrack::Count;
/// assert_eq!(Count::new(12, 5).to_string(), "12");
/// assert_eq!(Count::new(2, 5).to_string(), "suppressed");
/// ```
impl std::fmt::Display for Count {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.value {
            Some(v) => std::fmt::Display::fmt(&v, f),
            None => f.pad("suppressed"),
        }
    }
}

impl Serialize for Count {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(if raw() { 3 } else { 2 }))?;
        m.serialize_entry("value", &self.value)?;
        m.serialize_entry("suppressed", &self.suppressed)?;
        if raw() {
            m.serialize_entry("n", &self.n)?;
        }
        m.end()
    }
}

#[derive(Deserialize)]
struct CountForm {
    value: Option<u64>,
    #[serde(default)]
    suppressed: bool,
}

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Count, D::Error> {
        let f = CountForm::deserialize(d)?;
        Ok(Count {
            value: f.value,
            suppressed: f.suppressed || f.value.is_none(),
            n: f.value.unwrap_or(0),
        })
    }
}

/// A sum of pay over a group of people, withheld when the group is smaller
/// than the minimum group size or when the p% rule fails: the sum minus its
/// two largest contributions is less than `p`% of the largest, so that the
/// second-largest earner could estimate the largest to within `p`%.
///
/// Serialized as `{"value": x or null, "suppressed": true/false}`.
///
/// ```
/// use mommytrack::PaySum;
/// // Three earners, 100, 10 and 1: 111 − 100 − 10 = 1 < 10% of 100.
/// let s = PaySum::new(&[100.0, 10.0, 1.0], 3, 1, 10.0);
/// assert!(s.suppressed);
/// let s = PaySum::new(&[100.0, 60.0, 50.0], 3, 1, 10.0);
/// assert_eq!(s.value, Some(210.0));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct PaySum {
    /// The sum, or `None` when withheld.
    pub value: Option<f64>,
    /// `true` when the sum is withheld, for any reason.
    pub suppressed: bool,
    /// The true sum and its two largest contributions.
    raw: [f64; 3],
    /// Contributors.
    persons: u64,
}

impl PartialEq for PaySum {
    fn eq(&self, other: &PaySum) -> bool {
        (self.value, self.suppressed) == (other.value, other.suppressed)
    }
}

impl PaySum {
    /// The sum of `contributions` (one per person, any order), withheld
    /// when fewer than `min_group_size` people contribute (and some do) or
    /// the p% rule fails at `p_percent`.
    pub fn new(contributions: &[f64], persons: u64, min_group_size: usize, p_percent: f64) -> Self {
        let (mut x1, mut x2, mut total) = (0.0f64, 0.0f64, 0.0);
        for &x in contributions {
            total += x;
            if x > x1 {
                x2 = x1;
                x1 = x;
            } else if x > x2 {
                x2 = x;
            }
        }
        PaySum::from_parts(total, x1, x2, persons, min_group_size, p_percent)
    }

    /// The same from the sum and its two largest contributions.
    pub(crate) fn from_parts(
        total: f64,
        x1: f64,
        x2: f64,
        persons: u64,
        min_group_size: usize,
        p_percent: f64,
    ) -> Self {
        let small = persons > 0 && persons < min_group_size as u64;
        let suppressed = small || p_rule_fails(total, x1, x2, p_percent);
        PaySum {
            value: (!suppressed).then_some(total),
            suppressed,
            raw: [total, x1, x2],
            persons,
        }
    }
}

/// The p% rule: unsafe when `total − x1 − x2 < p/100 · x1`.
pub(crate) fn p_rule_fails(total: f64, x1: f64, x2: f64, p_percent: f64) -> bool {
    x1 > 0.0 && total - x1 - x2 < p_percent / 100.0 * x1
}

impl Serialize for PaySum {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(if raw() { 3 } else { 2 }))?;
        m.serialize_entry("value", &self.value)?;
        m.serialize_entry("suppressed", &self.suppressed)?;
        if raw() {
            m.serialize_entry("pay", &(self.raw, self.persons))?;
        }
        m.end()
    }
}

#[derive(Deserialize)]
struct PayForm {
    value: Option<f64>,
    #[serde(default)]
    suppressed: bool,
}

impl<'de> Deserialize<'de> for PaySum {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<PaySum, D::Error> {
        let f = PayForm::deserialize(d)?;
        let v = f.value.unwrap_or(0.0);
        Ok(PaySum {
            value: f.value,
            suppressed: f.suppressed || f.value.is_none(),
            raw: [v, 0.0, 0.0],
            persons: 0,
        })
    }
}

/// A float that JSON printed as `null` because it was not finite (an
/// unbounded interval), read back as NaN.
pub(crate) fn f64_or_nan<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}

/// `num / den`, or `None` when the denominator is below the minimum group size.
pub(crate) fn share(num: u64, den: u64, min: usize) -> Option<f64> {
    (den >= min as u64 && den > 0).then(|| num as f64 / den as f64)
}
