//! Small-cell suppression: the privacy primitive every published people
//! count goes through.
//!
//! A [`Count`] over fewer people than the configured minimum group size
//! (default 5) is shown as suppressed; zero is shown, since it singles
//! nobody out. A rate is shown only when its denominator is large enough
//! (see the crate's privacy notes in the README).
//!
//! ```
//! use mommytrack::Count;
//! assert_eq!(Count::new(3, 5), Count { value: None, suppressed: true });
//! assert_eq!(Count::new(7, 5), Count { value: Some(7), suppressed: false });
//! assert_eq!(Count::new(0, 5), Count { value: Some(0), suppressed: false });
//! ```

use serde::{Deserialize, Serialize};

/// A head count that is hidden when it is small enough to single people out.
///
/// Zero is shown: it singles nobody out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Count {
    /// The count, or `None` when suppressed.
    pub value: Option<u64>,
    /// `true` when the count is below the minimum group size (and above zero).
    pub suppressed: bool,
}

impl Count {
    /// A count, suppressed when `0 < n < min_group_size`.
    pub fn new(n: u64, min_group_size: usize) -> Count {
        if n > 0 && n < min_group_size as u64 {
            Count {
                value: None,
                suppressed: true,
            }
        } else {
            Count {
                value: Some(n),
                suppressed: false,
            }
        }
    }
}

/// `num / den`, or `None` when the denominator is below the minimum group size.
pub(crate) fn share(num: u64, den: u64, min: usize) -> Option<f64> {
    (den >= min as u64 && den > 0).then(|| num as f64 / den as f64)
}
