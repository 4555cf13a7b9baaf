//! Configuration: one [`Config`] (serde, with documented defaults), checked
//! once into a [`ValidConfig`] that every analysis takes.
//!
//! | key | default | meaning |
//! |---|---|---|
//! | `as_of` | latest date in the input | analysis date; events after it are rejected, open leaves are censored at it |
//! | `rating_scale` | `{ min = 1, max = 5 }` | range of `rating`; higher is better |
//! | `track_order` | `["general", "specialist", "career"]` | career tracks from least to most senior |
//! | `absence_gap_days` | 7 | leaves at most this many days apart form one absence |
//! | `rating_lookback_months` | 24 | pre-leave ratings are those in this window before the absence |
//! | `min_group_size` | 5 | aggregates over fewer people are suppressed |
//! | `strict` | `false` | stop at the first rejected row |
//!
//! ```
//! use mommytrack::config::Config;
//! let config = Config::from_toml_str("absence_gap_days = 10\nmin_group_size = 10").unwrap();
//! let valid = config.validate().unwrap();
//! assert_eq!(valid.absence_gap_days(), 10);
//! assert!(Config::from_toml_str("min_group_size = 0").unwrap().validate().is_err());
//! ```

use crate::error::{Error, Result};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The range of the `rating` column.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RatingScale {
    /// Lowest possible rating.
    pub min: f64,
    /// Highest possible rating (the best).
    pub max: f64,
}

impl Default for RatingScale {
    fn default() -> Self {
        RatingScale { min: 1.0, max: 5.0 }
    }
}

/// Every option of the analysis, as written in a TOML or JSON file.
///
/// Unknown keys are an error, so that a misspelt option is not silently ignored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Analysis date; `None` = the latest date found in the input.
    pub as_of: Option<NaiveDate>,
    /// Range of ratings.
    pub rating_scale: RatingScale,
    /// Career tracks from least to most senior.
    pub track_order: Vec<String>,
    /// Largest gap in days between a `leave_end` and the next `leave_start` that still joins them into one absence.
    pub absence_gap_days: u32,
    /// Months before an absence whose ratings count as pre-leave performance.
    pub rating_lookback_months: u32,
    /// Aggregates over fewer people than this are suppressed.
    pub min_group_size: usize,
    /// Stop at the first rejected row instead of collecting them all.
    pub strict: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            as_of: None,
            rating_scale: RatingScale::default(),
            track_order: vec!["general".into(), "specialist".into(), "career".into()],
            absence_gap_days: 7,
            rating_lookback_months: 24,
            min_group_size: 5,
            strict: false,
        }
    }
}

impl Config {
    /// Parses a TOML document; absent keys take their defaults.
    pub fn from_toml_str(text: &str) -> Result<Config> {
        toml::from_str(text).map_err(|e| Error::ConfigFile {
            path: "<string>".into(),
            message: e.to_string(),
        })
    }

    /// Reads a `.toml` or `.json` configuration file.
    pub fn from_file(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::ConfigFile {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        let is_json = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        let parsed = if is_json {
            serde_json::from_str(&text).map_err(|e| e.to_string())
        } else {
            toml::from_str(&text).map_err(|e| e.to_string())
        };
        parsed.map_err(|message| Error::ConfigFile {
            path: path.to_path_buf(),
            message,
        })
    }

    /// Checks every value once; the analyses only take the result.
    pub fn validate(self) -> Result<ValidConfig> {
        let invalid = |field: &str, value: String, expected: &str| Error::InvalidConfig {
            field: field.into(),
            value,
            expected: expected.into(),
        };
        let s = self.rating_scale;
        if !(s.min.is_finite() && s.max.is_finite() && s.min < s.max) {
            return Err(invalid(
                "rating_scale",
                format!("{}..{}", s.min, s.max),
                "finite numbers with min < max",
            ));
        }
        for (i, t) in self.track_order.iter().enumerate() {
            if t.trim().is_empty() {
                return Err(invalid(
                    "track_order",
                    format!("{t:?}"),
                    "non-empty track names",
                ));
            }
            if self.track_order[..i].contains(t) {
                return Err(invalid(
                    "track_order",
                    format!("{t:?} twice"),
                    "each track once",
                ));
            }
        }
        if self.absence_gap_days > 366 {
            return Err(invalid(
                "absence_gap_days",
                self.absence_gap_days.to_string(),
                "0 to 366 days",
            ));
        }
        if !(1..=240).contains(&self.rating_lookback_months) {
            return Err(invalid(
                "rating_lookback_months",
                self.rating_lookback_months.to_string(),
                "1 to 240 months",
            ));
        }
        if self.min_group_size == 0 {
            return Err(invalid("min_group_size", "0".into(), "at least 1"));
        }
        Ok(ValidConfig(self))
    }
}

/// A [`Config`] whose every value has been checked; built only by [`Config::validate`].
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ValidConfig(Config);

impl ValidConfig {
    /// The checked options.
    pub fn config(&self) -> &Config {
        &self.0
    }
    /// Analysis date, when set.
    pub fn as_of(&self) -> Option<NaiveDate> {
        self.0.as_of
    }
    /// Range of ratings.
    pub fn rating_scale(&self) -> RatingScale {
        self.0.rating_scale
    }
    /// Career tracks from least to most senior.
    pub fn track_order(&self) -> &[String] {
        &self.0.track_order
    }
    /// Rank of a track in [`Self::track_order`] (0 = least senior); `None` when unlisted.
    pub fn track_rank(&self, track: &str) -> Option<usize> {
        self.0.track_order.iter().position(|t| t == track)
    }
    /// Largest gap in days that still joins two leaves.
    pub fn absence_gap_days(&self) -> u32 {
        self.0.absence_gap_days
    }
    /// Look-back window for pre-leave ratings, in months.
    pub fn rating_lookback_months(&self) -> u32 {
        self.0.rating_lookback_months
    }
    /// Smallest group an aggregate may show.
    pub fn min_group_size(&self) -> usize {
        self.0.min_group_size
    }
    /// Whether the first rejection stops ingestion.
    pub fn strict(&self) -> bool {
        self.0.strict
    }
    /// The same configuration with another analysis date.
    pub fn with_as_of(mut self, as_of: Option<NaiveDate>) -> ValidConfig {
        self.0.as_of = as_of;
        self
    }
    /// The same configuration in strict or lenient mode.
    pub fn with_strict(mut self, strict: bool) -> ValidConfig {
        self.0.strict = strict;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_documented_ones() {
        let c = ValidConfig::default();
        assert_eq!(c.absence_gap_days(), 7);
        assert_eq!(c.min_group_size(), 5);
        assert_eq!(c.rating_lookback_months(), 24);
        assert_eq!(c.rating_scale(), RatingScale { min: 1.0, max: 5.0 });
        assert_eq!(c.track_rank("career"), Some(2));
        assert!(!c.strict());
    }

    #[test]
    fn invalid_values_are_errors_naming_the_field() {
        let bad = [
            "rating_scale = { min = 5, max = 1 }",
            "track_order = [\"a\", \"a\"]",
            "absence_gap_days = 400",
            "rating_lookback_months = 0",
            "min_group_size = 0",
        ];
        for text in bad {
            let err = Config::from_toml_str(text).unwrap().validate().unwrap_err();
            let field = text.split(' ').next().unwrap();
            assert!(err.to_string().contains(field), "{err}");
        }
    }

    #[test]
    fn unknown_keys_and_json_files_are_handled() {
        assert!(Config::from_toml_str("min_group = 3").is_err());
        let dir = std::env::temp_dir().join(format!("mt-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("c.json");
        std::fs::write(&path, r#"{"as_of": "2024-03-31", "min_group_size": 3}"#).unwrap();
        let c = Config::from_file(&path).unwrap().validate().unwrap();
        assert_eq!(c.as_of(), NaiveDate::from_ymd_opt(2024, 3, 31));
        assert_eq!(c.min_group_size(), 3);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
