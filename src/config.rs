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
//! | `significance_level` | 0.05 | level of every test and of the Benjamini–Hochberg adjustment; intervals are at 1 − level |
//! | `horizons_months` | `[6, 12, 24, 36]` | months after return at which trajectories are read |
//! | `peers_per_return` | 5 | matched peers per return (with replacement) |
//! | `peer_tenure_band_years` | 2.0 | a peer's tenure differs from the returner's by at most this |
//! | `peer_same_department` | `false` | peers must also share the returner's department |
//! | `flag_window_months` | 12 | a drop, downgrade, demotion or conversion counts when it happens this long after return |
//! | `rating_drop_threshold` | 1.0 | post-return mean rating this far below the pre-leave mean is a `rating_drop` |
//! | `rating_drop_min_ratings` | 2 | ratings after return needed before a `rating_drop` is judged |
//! | `reduced_hours_months` | 36 | reduced hours still in force this long after return is `prolonged_reduced_hours` |
//! | `stall_multiple` | 1.5 | no promotion by this multiple of the peers' median time to promotion is a `promotion_stall` |
//! | `policy_date` | none | countermeasure date: flag rates before and after it are compared |
//! | `event_time_min` / `event_time_max` | −3 / 5 | years around the first parental absence in the event study |
//! | `fiscal_year_start` | `"04-01"` | first day (MM-DD) of the fiscal year used by the disclosure figures |
//! | `manager_grade` | 5 | lowest grade counted as manager (管理職, 課長級 and above) |
//! | `uptake_decimals` | 1 | decimals kept (truncated) in the leave-uptake percentage |
//!
//! ```
//! use mommytrack::config::Config;
//! let config = Config::from_toml_str("absence_gap_days = 10\nmin_group_size = 10").unwrap();
//! let valid = config.validate().unwrap();
//! assert_eq!(valid.absence_gap_days(), 10);
//! assert!(Config::from_toml_str("min_group_size = 0").unwrap().validate().is_err());
//! ```

use crate::error::{ConfigFileError, Error, Result};
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
    /// Level of every test; confidence intervals are at `1 − significance_level`.
    pub significance_level: f64,
    /// Months after return at which trajectories are read.
    pub horizons_months: Vec<u32>,
    /// Matched peers per return, drawn with replacement.
    pub peers_per_return: usize,
    /// Largest tenure difference, in years, between a returner and a peer.
    pub peer_tenure_band_years: f64,
    /// Whether a peer must work in the returner's department.
    pub peer_same_department: bool,
    /// Months after return within which a drop, downgrade, demotion or conversion is flagged.
    pub flag_window_months: u32,
    /// Fall in mean rating (post-return against pre-leave) that is a `rating_drop`.
    pub rating_drop_threshold: f64,
    /// Ratings after return needed before a `rating_drop` is judged.
    pub rating_drop_min_ratings: usize,
    /// Months of reduced hours after return that make `prolonged_reduced_hours`.
    pub reduced_hours_months: u32,
    /// Multiple of the peers' median time to promotion after which no promotion is a `promotion_stall`.
    pub stall_multiple: f64,
    /// Date of a countermeasure; flag rates before and after it are compared.
    pub policy_date: Option<NaiveDate>,
    /// First event time (years) of the child-penalty event study.
    pub event_time_min: i32,
    /// Last event time (years) of the child-penalty event study.
    pub event_time_max: i32,
    /// First day of the fiscal year, `MM-DD`.
    pub fiscal_year_start: String,
    /// Lowest grade counted as manager (管理職).
    pub manager_grade: u32,
    /// Decimals kept, by truncation, in the leave-uptake percentage.
    pub uptake_decimals: u32,
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
            significance_level: 0.05,
            horizons_months: vec![6, 12, 24, 36],
            peers_per_return: 5,
            peer_tenure_band_years: 2.0,
            peer_same_department: false,
            flag_window_months: 12,
            rating_drop_threshold: 1.0,
            rating_drop_min_ratings: 2,
            reduced_hours_months: 36,
            stall_multiple: 1.5,
            policy_date: None,
            event_time_min: -3,
            event_time_max: 5,
            fiscal_year_start: "04-01".into(),
            manager_grade: 5,
            uptake_decimals: 1,
        }
    }
}

impl Config {
    /// Parses a TOML document; absent keys take their defaults.
    pub fn from_toml_str(text: &str) -> Result<Config> {
        toml::from_str(text).map_err(|e| Error::ConfigFile {
            path: "<string>".into(),
            source: ConfigFileError::Toml(e),
        })
    }

    /// Reads a `.toml` or `.json` configuration file.
    pub fn from_file(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::ConfigFile {
            path: path.to_path_buf(),
            source: ConfigFileError::Io(e),
        })?;
        let is_json = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        let parsed = if is_json {
            serde_json::from_str(&text).map_err(ConfigFileError::Json)
        } else {
            toml::from_str(&text).map_err(ConfigFileError::Toml)
        };
        parsed.map_err(|source| Error::ConfigFile {
            path: path.to_path_buf(),
            source,
        })
    }

    /// Checks every value once; the analyses only take the result.
    pub fn validate(self) -> Result<ValidConfig> {
        let invalid = |field: &'static str, value: String, expected: &str| Error::InvalidConfig {
            field,
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
        let level = self.significance_level;
        if !(level > 0.0 && level < 0.5) {
            return Err(invalid(
                "significance_level",
                level.to_string(),
                "a number between 0 and 0.5",
            ));
        }
        if self.horizons_months.is_empty()
            || self.horizons_months.iter().any(|m| *m == 0 || *m > 600)
        {
            return Err(invalid(
                "horizons_months",
                format!("{:?}", self.horizons_months),
                "one or more months from 1 to 600",
            ));
        }
        if !(1..=100).contains(&self.peers_per_return) {
            return Err(invalid(
                "peers_per_return",
                self.peers_per_return.to_string(),
                "1 to 100",
            ));
        }
        if !(self.peer_tenure_band_years >= 0.0 && self.peer_tenure_band_years <= 50.0) {
            return Err(invalid(
                "peer_tenure_band_years",
                self.peer_tenure_band_years.to_string(),
                "0 to 50 years",
            ));
        }
        for (field, months) in [
            ("flag_window_months", self.flag_window_months),
            ("reduced_hours_months", self.reduced_hours_months),
        ] {
            if !(1..=600).contains(&months) {
                return Err(invalid(field, months.to_string(), "1 to 600 months"));
            }
        }
        if !(self.rating_drop_threshold > 0.0 && self.rating_drop_threshold.is_finite()) {
            return Err(invalid(
                "rating_drop_threshold",
                self.rating_drop_threshold.to_string(),
                "a positive number",
            ));
        }
        if !(self.stall_multiple >= 1.0 && self.stall_multiple <= 20.0) {
            return Err(invalid(
                "stall_multiple",
                self.stall_multiple.to_string(),
                "1 to 20",
            ));
        }
        if !(self.event_time_min < -1
            && self.event_time_max >= 0
            && self.event_time_max <= 30
            && self.event_time_min >= -30)
        {
            return Err(invalid(
                "event_time_min",
                format!("{}..{}", self.event_time_min, self.event_time_max),
                "event_time_min from -30 to -2 and event_time_max from 0 to 30",
            ));
        }
        let Some(fiscal_year_start) = parse_month_day(&self.fiscal_year_start) else {
            return Err(invalid(
                "fiscal_year_start",
                format!("{:?}", self.fiscal_year_start),
                "a month and day as MM-DD, e.g. \"04-01\" (29 February is not allowed)",
            ));
        };
        if self.rating_drop_min_ratings == 0 {
            return Err(invalid(
                "rating_drop_min_ratings",
                "0".into(),
                "at least 1 (a rating drop needs a rating after the return)",
            ));
        }
        if self.uptake_decimals > 3 {
            return Err(invalid(
                "uptake_decimals",
                self.uptake_decimals.to_string(),
                "0 to 3",
            ));
        }
        Ok(ValidConfig {
            config: self,
            fiscal_year_start,
        })
    }
}

/// Parses `MM-DD` into (month, day); 29 February is refused, since a fiscal
/// year must start on a day every year has.
pub(crate) fn parse_month_day(text: &str) -> Option<(u32, u32)> {
    let (m, d) = text.trim().split_once('-')?;
    if m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (m, d): (u32, u32) = (m.parse().ok()?, d.parse().ok()?);
    if (m, d) == (2, 29) {
        return None;
    }
    NaiveDate::from_ymd_opt(2023, m, d).map(|_| (m, d))
}

/// A [`Config`] whose every value has been checked, with the values that
/// needed parsing kept parsed; built only by [`Config::validate`].
/// Serializes as its [`Config`].
#[derive(Debug, Clone, PartialEq)]
pub struct ValidConfig {
    config: Config,
    fiscal_year_start: (u32, u32),
}

impl Default for ValidConfig {
    fn default() -> Self {
        ValidConfig {
            config: Config::default(),
            fiscal_year_start: (4, 1),
        }
    }
}

impl Serialize for ValidConfig {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        self.config.serialize(serializer)
    }
}

impl ValidConfig {
    /// The checked options.
    pub fn config(&self) -> &Config {
        &self.config
    }
    /// Analysis date, when set.
    pub fn as_of(&self) -> Option<NaiveDate> {
        self.config.as_of
    }
    /// Range of ratings.
    pub fn rating_scale(&self) -> RatingScale {
        self.config.rating_scale
    }
    /// Career tracks from least to most senior.
    pub fn track_order(&self) -> &[String] {
        &self.config.track_order
    }
    /// Rank of a track in [`Self::track_order`] (0 = least senior); `None` when unlisted.
    pub fn track_rank(&self, track: &str) -> Option<usize> {
        self.config.track_order.iter().position(|t| t == track)
    }
    /// Largest gap in days that still joins two leaves.
    pub fn absence_gap_days(&self) -> u32 {
        self.config.absence_gap_days
    }
    /// Look-back window for pre-leave ratings, in months.
    pub fn rating_lookback_months(&self) -> u32 {
        self.config.rating_lookback_months
    }
    /// Smallest group an aggregate may show.
    pub fn min_group_size(&self) -> usize {
        self.config.min_group_size
    }
    /// Whether the first rejection stops ingestion.
    pub fn strict(&self) -> bool {
        self.config.strict
    }
    /// Level of every test.
    pub fn significance_level(&self) -> f64 {
        self.config.significance_level
    }
    /// Confidence level of every interval, `1 − significance_level`.
    pub fn confidence_level(&self) -> f64 {
        1.0 - self.config.significance_level
    }
    /// Months after return at which trajectories are read.
    pub fn horizons_months(&self) -> &[u32] {
        &self.config.horizons_months
    }
    /// Matched peers per return.
    pub fn peers_per_return(&self) -> usize {
        self.config.peers_per_return
    }
    /// Largest tenure difference between a returner and a peer, in years.
    pub fn peer_tenure_band_years(&self) -> f64 {
        self.config.peer_tenure_band_years
    }
    /// Whether peers must share the returner's department.
    pub fn peer_same_department(&self) -> bool {
        self.config.peer_same_department
    }
    /// Flag window after return, in months.
    pub fn flag_window_months(&self) -> u32 {
        self.config.flag_window_months
    }
    /// Fall in mean rating that is a `rating_drop`.
    pub fn rating_drop_threshold(&self) -> f64 {
        self.config.rating_drop_threshold
    }
    /// Ratings after return needed before a `rating_drop` is judged.
    pub fn rating_drop_min_ratings(&self) -> usize {
        self.config.rating_drop_min_ratings
    }
    /// Months of reduced hours that make `prolonged_reduced_hours`.
    pub fn reduced_hours_months(&self) -> u32 {
        self.config.reduced_hours_months
    }
    /// Multiple of the peers' median time to promotion that makes a stall.
    pub fn stall_multiple(&self) -> f64 {
        self.config.stall_multiple
    }
    /// Countermeasure date, when set.
    pub fn policy_date(&self) -> Option<NaiveDate> {
        self.config.policy_date
    }
    /// Event-time window of the event study, in years (inclusive).
    pub fn event_times(&self) -> (i32, i32) {
        (self.config.event_time_min, self.config.event_time_max)
    }
    /// First day of the fiscal year as (month, day).
    pub fn fiscal_year_start(&self) -> (u32, u32) {
        self.fiscal_year_start
    }
    /// Lowest manager grade.
    pub fn manager_grade(&self) -> u32 {
        self.config.manager_grade
    }
    /// Decimals kept in the uptake percentage.
    pub fn uptake_decimals(&self) -> u32 {
        self.config.uptake_decimals
    }
    /// The same configuration with another policy date.
    pub fn with_policy_date(mut self, date: Option<NaiveDate>) -> ValidConfig {
        self.config.policy_date = date;
        self
    }
    /// The same configuration with another fiscal-year start, `MM-DD`; an
    /// [`Error::InvalidConfig`] when that is not a valid start.
    pub fn with_fiscal_year_start(mut self, month_day: &str) -> Result<ValidConfig> {
        let Some(parsed) = parse_month_day(month_day) else {
            return Err(Error::InvalidConfig {
                field: "fiscal_year_start",
                value: format!("{month_day:?}"),
                expected: "a month and day as MM-DD, e.g. \"04-01\" (29 February is not allowed)"
                    .into(),
            });
        };
        self.config.fiscal_year_start = month_day.trim().to_string();
        self.fiscal_year_start = parsed;
        Ok(self)
    }
    /// The same configuration with another analysis date.
    pub fn with_as_of(mut self, as_of: Option<NaiveDate>) -> ValidConfig {
        self.config.as_of = as_of;
        self
    }
    /// The same configuration in strict or lenient mode.
    pub fn with_strict(mut self, strict: bool) -> ValidConfig {
        self.config.strict = strict;
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
            "significance_level = 0.7",
            "horizons_months = []",
            "peers_per_return = 0",
            "flag_window_months = 0",
            "stall_multiple = 0.5",
            "fiscal_year_start = \"02-29\"",
            "uptake_decimals = 9",
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
