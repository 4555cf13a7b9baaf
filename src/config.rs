//! Configuration: one [`Config`] in sections (serde, every option with a
//! documented default), checked once into a [`ValidConfig`] that the
//! analyses take; each analysis reads its own section.
//!
//! | section | key | default | meaning |
//! |---|---|---|---|
//! | `[ingest]` | `as_of` | latest date in the input | analysis date; events after it are rejected, open leaves are censored at it |
//! | | `strict` | `false` | stop at the first rejected row |
//! | | `rating_scale` | `{ min = 1, max = 5 }` | range of `rating`; higher is better |
//! | `[absences]` | `gap_days` | 7 | leaves at most this many days apart form one absence |
//! | | `rating_lookback_months` | 24 | pre-leave ratings are those in this window before the absence (and post-return ratings those this long after the return) |
//! | `[careers]` | `track_order` | `["general", "specialist", "career"]` | career tracks from least to most senior |
//! | `[privacy]` | `min_group_size` | 5 | aggregates over fewer people are suppressed, and no withheld count can be narrowed to fewer than this many values |
//! | | `pay_p_percent` | 10 | the p% rule for sums of pay |
//! | | `protect_zeros` | false | withhold zero counts too |
//! | `[statistics]` | `significance_level` | 0.05 | level of every test and of the Benjamini–Hochberg adjustment; intervals are at 1 − level |
//! | | `diagnostics` | `true` | compute `promotion_gap.diagnostics` (see [`crate::analysis::diagnostics`]); `false` saves about 5% of a run |
//! | `[trajectories]` | `horizons_months` | `[6, 12, 24, 36]` | months after return at which trajectories are read |
//! | `[peers]` | `per_return` | 5 | matched peers per return (with replacement) |
//! | | `tenure_band_years` | 2.0 | a peer's tenure differs from the returner's by at most this |
//! | | `same_department` | `false` | peers must also share the returner's department |
//! | | `design` | `"symmetric"` | same-gender peers at work and with no childcare leave yet on the return date, everyone censored at their next childcare leave, Cox stratified by gender with robust variance; `"legacy"`: peers who never take childcare leave, any gender, followed to promotion, exit or the analysis date (the design before 0.2, kept for comparison) |
//! | `[flags]` | `window_months` | 12 | a drop, downgrade, demotion or conversion counts when it happens this long after return |
//! | | `rating_drop_rule` | `"score"` | `rating_drop` when her ratings after the return score at most `−rating_drop_score` against her own level ([`crate::analysis::ratings`]); `"points"`: the rule before 0.2 |
//! | | `rating_drop_score` | 2.0 | the score (a z of her post-return ratings against her other ratings, in units of the no-leave rating spread) at or below whose negative a return is a `rating_drop` |
//! | | `rating_drop_threshold` | 1.0 | with `rating_drop_rule = "points"`: post-return mean rating this far below the pre-leave mean is a `rating_drop` |
//! | | `rating_drop_min_ratings` | 2 | ratings after return needed before a `rating_drop` is judged (at least 1) |
//! | | `reduced_hours_months` | 36 | reduced hours still in force this long after return is `prolonged_reduced_hours` |
//! | | `stall_rule` | `"posterior"` | `promotion_stall` for the returns most likely stalled, as many as keep the expected share of false flags among them within `stall_fdr` ([`crate::analysis::stall`]); `"test"`: when the probability that a peer at her grade and rating level is still unpromoted after her follow-up is below `stall_level`; `"median_multiple"`: the rule before 0.2 |
//! | | `stall_bayes_factor` | 2 | with `stall_rule = "posterior"`: only a return whose own record is at least this many times as likely if stalled as if on track can be flagged |
//! | | `stall_fdr` | 0.35 | with `stall_rule = "posterior"`: the expected share of flagged returns that are not stalled (Bayesian false discovery rate) |
//! | | `stall_level` | 0.1 | the stall p-value below which a return is flagged (a screening level: the evidence says how far below it lies) |
//! | | `stall_multiple` | 1.5 | with `stall_rule = "median_multiple"`: no promotion by this multiple of the peers' median time to promotion is a `promotion_stall` |
//! | `[concentration]` | `policy_date` | none | countermeasure date: flag rates before and after it are compared |
//! | `[event_study]` | `event_time_min` / `event_time_max` | −3 / 5 | years around event time 0 |
//! | | `anchor` | `"first_birth"` | event time 0: the first recorded birth, every parent (Kleven, Landais & Søgaard), or `"first_childcare_leave"` (the first childcare absence, leave-takers only) |
//! | `[disclosure]` | `fiscal_year_start` | `"04-01"` | first day (MM-DD) of the fiscal year of the statutory figures |
//! | | `manager_grade` | 5 | lowest grade counted as manager (管理職, 課長級 and above) |
//! | | `uptake_decimals` | 1 | decimals kept (truncated) in the leave-uptake percentage |
//! | | `uk_snapshot` | `"04-05"` | UK snapshot date, `MM-DD`: `"04-05"` private employers, `"03-31"` public ones (the first such day in the fiscal year) |
//! | | `uk_reduced_pay_leave` | `["maternity", "paternity", "parental", "family_care", "other"]` | leave types with reduced or no pay: staff on them on the snapshot date are left out of the UK figures (medical leave is taken as on full sick pay; add it where it is not) |
//! | `[report]` | `lang` | `"en"` | language of `report.html` and `report.md`: `"en"` or `"ja"` (`report.json` is the same in both) |
//! | | `funnel_levels` | `[0.95, 0.998]` | two-sided coverage of the funnel plots' control limits around the overall flag rate |
//!
//! Unknown keys are an error, so that a misspelt option is not silently
//! ignored. Files written for earlier versions, with every key at the top
//! level (`absence_gap_days = 10`, `peer_same_department = true`, …), are
//! still read: each such key is moved into its section (the table in
//! [`LEGACY_KEYS`]); giving a key both ways is an error.
//!
//! ```
//! use mommytrack::config::Config;
//! let config = Config::from_toml_str("[absences]\ngap_days = 10\n\n[privacy]\nmin_group_size = 10").unwrap();
//! let valid = config.validate().unwrap();
//! assert_eq!(valid.absences().gap_days, 10);
//! assert_eq!(valid.min_group_size(), 10);
//! // The flat keys of earlier versions still read the same.
//! let flat = Config::from_toml_str("absence_gap_days = 10\nmin_group_size = 10").unwrap();
//! assert_eq!(flat.validate().unwrap(), valid);
//! assert!(Config::from_toml_str("[privacy]\nmin_group_size = 0").unwrap().validate().is_err());
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

/// `[ingest]`: how the tables are read.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IngestConfig {
    /// Analysis date; `None` = the latest date found in the input.
    pub as_of: Option<NaiveDate>,
    /// Stop at the first rejected row instead of collecting them all.
    pub strict: bool,
    /// Range of ratings.
    pub rating_scale: RatingScale,
}

/// `[absences]`: how leaves form absences.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AbsenceConfig {
    /// Largest gap in days between a `leave_end` and the next `leave_start` that still joins them into one absence.
    pub gap_days: u32,
    /// Months before an absence whose ratings count as pre-leave performance
    /// (and after a return, as post-return performance).
    pub rating_lookback_months: u32,
}

impl Default for AbsenceConfig {
    fn default() -> Self {
        AbsenceConfig {
            gap_days: 7,
            rating_lookback_months: 24,
        }
    }
}

/// `[careers]`: the organisation's career structure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CareerConfig {
    /// Career tracks from least to most senior.
    pub track_order: Vec<String>,
}

impl Default for CareerConfig {
    fn default() -> Self {
        CareerConfig {
            track_order: vec!["general".into(), "specialist".into(), "career".into()],
        }
    }
}

/// `[privacy]`: what may be published.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PrivacyConfig {
    /// Aggregates over fewer people than this are suppressed, and no
    /// withheld count may be narrowed by the published figures to an
    /// interval narrower than this.
    pub min_group_size: usize,
    /// The p% rule for sums of pay: a sum is withheld when it minus its two
    /// largest contributions is less than this percentage of the largest,
    /// and no withheld sum may be bounded to within this percentage of its
    /// largest contribution.
    pub pay_p_percent: f64,
    /// Withhold zero counts too (a zero says "nobody in this group", which
    /// can itself be sensitive); off by default.
    pub protect_zeros: bool,
}

impl Default for PrivacyConfig {
    fn default() -> Self {
        PrivacyConfig {
            min_group_size: 5,
            pay_p_percent: 10.0,
            protect_zeros: false,
        }
    }
}

/// `[statistics]`: the level of tests and intervals, and the optional
/// diagnostics of the promotion gap.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StatisticsConfig {
    /// Level of every test; confidence intervals are at `1 − significance_level`.
    pub significance_level: f64,
    /// Compute `promotion_gap.diagnostics` (robust interval,
    /// proportional-hazards test, hazard ratio by period, cumulative
    /// incidence): five more Cox fits on windows of the follow-up, about
    /// 5% of a run at 1M employees. On by default.
    pub diagnostics: bool,
}

impl Default for StatisticsConfig {
    fn default() -> Self {
        StatisticsConfig {
            significance_level: 0.05,
            diagnostics: true,
        }
    }
}

/// `[trajectories]`: when careers are read after a return.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrajectoryConfig {
    /// Months after return at which trajectories are read.
    pub horizons_months: Vec<u32>,
}

impl Default for TrajectoryConfig {
    fn default() -> Self {
        TrajectoryConfig {
            horizons_months: vec![6, 12, 24, 36],
        }
    }
}

/// `[peers]`: how matched peers are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PeerConfig {
    /// Matched peers per return, drawn with replacement.
    pub per_return: usize,
    /// Largest tenure difference, in years, between a returner and a peer.
    pub tenure_band_years: f64,
    /// Whether a peer must work in the returner's department.
    pub same_department: bool,
    /// Who may be a peer and how long everyone is followed.
    pub design: PeerDesign,
}

/// Who may be a peer, and when follow-up ends (see [`crate::analysis::peers`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PeerDesign {
    /// The design before 0.2, kept for comparison: peers of any gender who
    /// never take childcare leave (which uses the future); follow-up runs to
    /// promotion, exit or the analysis date; Cox on `returner`, `female`,
    /// `grade` and `tenure_years` with model-based variance.
    Legacy,
    /// Returners and peers followed alike: peers of the returner's gender
    /// who, on the return date, are at work (on no leave) and have taken no
    /// childcare leave yet; everyone censored at the start of their next
    /// childcare leave; the Cox model stratified by gender with
    /// cluster-robust variance by employee, and fitted for mothers and for
    /// fathers apart. The default.
    #[default]
    Symmetric,
}

impl Default for PeerConfig {
    fn default() -> Self {
        PeerConfig {
            per_return: 5,
            tenure_band_years: 2.0,
            same_department: false,
            design: PeerDesign::Symmetric,
        }
    }
}

/// `[flags]`: the thresholds of the mommy-track flags.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FlagConfig {
    /// Months after return within which a drop, downgrade, demotion or conversion is flagged.
    pub window_months: u32,
    /// How a `rating_drop` is judged.
    pub rating_drop_rule: RatingDropRule,
    /// With `rating_drop_rule = "score"`: the score at or below minus this
    /// is a `rating_drop` (see [`crate::analysis::ratings`]).
    pub rating_drop_score: f64,
    /// With `rating_drop_rule = "points"`: the fall in mean rating
    /// (post-return against pre-leave) that is a `rating_drop`.
    pub rating_drop_threshold: f64,
    /// Ratings after return needed before a `rating_drop` is judged.
    pub rating_drop_min_ratings: usize,
    /// Months of reduced hours after return that make `prolonged_reduced_hours`.
    pub reduced_hours_months: u32,
    /// How a `promotion_stall` is judged.
    pub stall_rule: StallRule,
    /// With `stall_rule = "test"`: the stall p-value below which a return
    /// is flagged (see [`crate::analysis::stall`]).
    pub stall_level: f64,
    /// With `stall_rule = "posterior"`: the expected share of flagged
    /// returns that are not stalled (see [`crate::analysis::stall`]).
    pub stall_fdr: f64,
    /// With `stall_rule = "posterior"`: the Bayes factor her own record
    /// must reach before she can be flagged (see [`crate::analysis::stall`]).
    pub stall_bayes_factor: f64,
    /// With `stall_rule = "median_multiple"`: the multiple of the peers'
    /// median time to promotion after which no promotion is a `promotion_stall`.
    pub stall_multiple: f64,
}

/// How a `rating_drop` is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RatingDropRule {
    /// Her ratings after the return against her own level from all her
    /// other ratings, net of company-wide shifts, in units of the rating
    /// spread of employees who took no leave ([`crate::analysis::ratings`]).
    /// The default.
    #[default]
    Score,
    /// The rule before 0.2, kept for comparison: the post-return mean at
    /// least `rating_drop_threshold` points below the mean of the ratings in
    /// the `rating_lookback_months` before the leave.
    Points,
}

/// How a `promotion_stall` is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum StallRule {
    /// The returns most likely stalled, by the posterior probability of a
    /// two-kind model of returners' promotions, as many as keep the
    /// expected share of false flags among them within `stall_fdr`
    /// ([`crate::analysis::stall`]). The default.
    #[default]
    Posterior,
    /// A test: the probability that someone at her grade and rating level
    /// is still unpromoted after as long as she has been followed is below
    /// `stall_level` ([`crate::analysis::stall`]).
    Test,
    /// The rule before 0.2, kept for comparison: no promotion by
    /// `stall_multiple` × the matched peers' median time to promotion.
    MedianMultiple,
}

impl Default for FlagConfig {
    fn default() -> Self {
        FlagConfig {
            window_months: 12,
            rating_drop_rule: RatingDropRule::Score,
            rating_drop_score: 2.0,
            rating_drop_threshold: 1.0,
            rating_drop_min_ratings: 2,
            reduced_hours_months: 36,
            stall_rule: StallRule::Posterior,
            stall_level: 0.1,
            stall_fdr: 0.35,
            stall_bayes_factor: 2.0,
            stall_multiple: 1.5,
        }
    }
}

/// `[concentration]`: where flags are compared.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConcentrationConfig {
    /// Date of a countermeasure; flag rates before and after it are compared.
    pub policy_date: Option<NaiveDate>,
}

/// What event time 0 of the child-penalty event study is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EventAnchor {
    /// The year each parent's first childcare absence began; parents who
    /// took no childcare leave are left out (the anchor before 0.2, kept
    /// for comparison).
    FirstChildcareLeave,
    /// The year of each parent's first recorded `child_birth`, as Kleven,
    /// Landais & Søgaard (2019) define it: every parent, whether or not they
    /// took leave. A parent with no birth recorded but a childcare absence
    /// is anchored on that absence, and counted in
    /// `event_study.parents_anchored_on_leave`. The default.
    #[default]
    FirstBirth,
}

/// `[event_study]`: the window and anchor of the child-penalty event study.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EventStudyConfig {
    /// First event time (years).
    pub event_time_min: i32,
    /// Last event time (years).
    pub event_time_max: i32,
    /// What event time 0 is.
    pub anchor: EventAnchor,
}

impl Default for EventStudyConfig {
    fn default() -> Self {
        EventStudyConfig {
            event_time_min: -3,
            event_time_max: 5,
            anchor: EventAnchor::FirstBirth,
        }
    }
}

/// The language of `report.html` and `report.md` (`report.json`'s keys
/// are the same in every language).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Lang {
    /// English (the default).
    #[default]
    En,
    /// Japanese: headings, sentences, labels and the statutory names as the
    /// laws write them.
    Ja,
}

impl std::str::FromStr for Lang {
    type Err = Error;
    /// `"en"` or `"ja"`.
    ///
    /// ```
    /// use mommytrack::config::Lang;
    /// assert_eq!("ja".parse::<Lang>().unwrap(), Lang::Ja);
    /// assert!("fr".parse::<Lang>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Lang> {
        match s {
            "en" => Ok(Lang::En),
            "ja" => Ok(Lang::Ja),
            _ => Err(Error::InvalidConfig {
                field: "report.lang",
                value: s.into(),
                expected: "\"en\" or \"ja\"".into(),
            }),
        }
    }
}

/// `[report]`: how `report.html` and `report.md` are written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReportConfig {
    /// Language of the human-readable reports. Default English.
    pub lang: Lang,
    /// Two-sided coverage of the funnel plots' control limits around the
    /// overall flag rate (Spiegelhalter 2005 uses about 95% and 99.8%).
    pub funnel_levels: Vec<f64>,
}

impl Default for ReportConfig {
    fn default() -> Self {
        ReportConfig {
            lang: Lang::En,
            funnel_levels: vec![0.95, 0.998],
        }
    }
}

/// `[disclosure]`: the statutory figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DisclosureConfig {
    /// First day of the fiscal year, `MM-DD`.
    pub fiscal_year_start: String,
    /// Lowest grade counted as manager (管理職).
    pub manager_grade: u32,
    /// Decimals kept, by truncation, in the leave-uptake percentage.
    pub uptake_decimals: u32,
    /// The UK snapshot date, `MM-DD` (the first such day in the fiscal
    /// year): the regulations use `"04-05"` for private employers and
    /// `"03-31"` for public ones. Default `"04-05"`; `None` (in code only):
    /// the fiscal year's first day.
    pub uk_snapshot: Option<String>,
    /// Leave types on which pay is reduced or nil: UK staff on such a leave
    /// on the snapshot date are not full-pay relevant employees and are left
    /// out (the regulations exclude only those). Default: maternity,
    /// paternity, parental, family care and other leave (statutory pay or
    /// none); medical leave is taken as on full sick pay.
    pub uk_reduced_pay_leave: Vec<crate::schema::LeaveType>,
}

impl Default for DisclosureConfig {
    fn default() -> Self {
        DisclosureConfig {
            fiscal_year_start: "04-01".into(),
            manager_grade: 5,
            uptake_decimals: 1,
            uk_snapshot: Some("04-05".into()),
            uk_reduced_pay_leave: {
                use crate::schema::LeaveType::*;
                vec![Maternity, Paternity, Parental, FamilyCare, Other]
            },
        }
    }
}

/// Every option of the analysis, as written in a TOML or JSON file: one
/// field per section.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// `[ingest]`
    pub ingest: IngestConfig,
    /// `[absences]`
    pub absences: AbsenceConfig,
    /// `[careers]`
    pub careers: CareerConfig,
    /// `[privacy]`
    pub privacy: PrivacyConfig,
    /// `[statistics]`
    pub statistics: StatisticsConfig,
    /// `[trajectories]`
    pub trajectories: TrajectoryConfig,
    /// `[peers]`
    pub peers: PeerConfig,
    /// `[flags]`
    pub flags: FlagConfig,
    /// `[concentration]`
    pub concentration: ConcentrationConfig,
    /// `[event_study]`
    pub event_study: EventStudyConfig,
    /// `[disclosure]`
    pub disclosure: DisclosureConfig,
    /// `[report]`
    pub report: ReportConfig,
}

/// The top-level keys of earlier versions and where each now lives
/// (`section`, `key`).
pub const LEGACY_KEYS: [(&str, &str, &str); 23] = [
    ("as_of", "ingest", "as_of"),
    ("strict", "ingest", "strict"),
    ("rating_scale", "ingest", "rating_scale"),
    ("absence_gap_days", "absences", "gap_days"),
    (
        "rating_lookback_months",
        "absences",
        "rating_lookback_months",
    ),
    ("track_order", "careers", "track_order"),
    ("min_group_size", "privacy", "min_group_size"),
    ("significance_level", "statistics", "significance_level"),
    ("horizons_months", "trajectories", "horizons_months"),
    ("peers_per_return", "peers", "per_return"),
    ("peer_tenure_band_years", "peers", "tenure_band_years"),
    ("peer_same_department", "peers", "same_department"),
    ("flag_window_months", "flags", "window_months"),
    ("rating_drop_threshold", "flags", "rating_drop_threshold"),
    (
        "rating_drop_min_ratings",
        "flags",
        "rating_drop_min_ratings",
    ),
    ("reduced_hours_months", "flags", "reduced_hours_months"),
    ("stall_multiple", "flags", "stall_multiple"),
    ("policy_date", "concentration", "policy_date"),
    ("event_time_min", "event_study", "event_time_min"),
    ("event_time_max", "event_study", "event_time_max"),
    ("fiscal_year_start", "disclosure", "fiscal_year_start"),
    ("manager_grade", "disclosure", "manager_grade"),
    ("uptake_decimals", "disclosure", "uptake_decimals"),
];

/// Moves the flat keys of earlier versions into their sections, in a
/// TOML table or a JSON object alike; `Err` names a key given both ways.
fn move_legacy_keys<V>(
    root: &mut impl MapLike<V>,
    new_table: impl Fn() -> V,
) -> std::result::Result<(), String> {
    for (old, section, key) in LEGACY_KEYS {
        let Some(value) = root.take(old) else {
            continue;
        };
        let table = root.table_entry(section, &new_table)?;
        if !table.insert_new(key, value) {
            return Err(format!(
                "`{old}` is given both at the top level and as `[{section}] {key}`"
            ));
        }
    }
    Ok(())
}

/// The two map types a configuration file parses into.
trait MapLike<V> {
    fn take(&mut self, key: &str) -> Option<V>;
    fn table_entry(
        &mut self,
        key: &str,
        new_table: &dyn Fn() -> V,
    ) -> std::result::Result<&mut Self, String>;
    fn insert_new(&mut self, key: &str, value: V) -> bool;
}

impl MapLike<toml::Value> for toml::Table {
    fn take(&mut self, key: &str) -> Option<toml::Value> {
        self.remove(key)
    }
    fn table_entry(
        &mut self,
        key: &str,
        new_table: &dyn Fn() -> toml::Value,
    ) -> std::result::Result<&mut Self, String> {
        match self.entry(key.to_string()).or_insert_with(new_table) {
            toml::Value::Table(t) => Ok(t),
            _ => Err(format!("`{key}` must be a section (a table)")),
        }
    }
    fn insert_new(&mut self, key: &str, value: toml::Value) -> bool {
        if self.contains_key(key) {
            return false;
        }
        self.insert(key.to_string(), value);
        true
    }
}

impl MapLike<serde_json::Value> for serde_json::Map<String, serde_json::Value> {
    fn take(&mut self, key: &str) -> Option<serde_json::Value> {
        self.remove(key)
    }
    fn table_entry(
        &mut self,
        key: &str,
        new_table: &dyn Fn() -> serde_json::Value,
    ) -> std::result::Result<&mut Self, String> {
        match self.entry(key.to_string()).or_insert_with(new_table) {
            serde_json::Value::Object(t) => Ok(t),
            _ => Err(format!("`{key}` must be a section (an object)")),
        }
    }
    fn insert_new(&mut self, key: &str, value: serde_json::Value) -> bool {
        if self.contains_key(key) {
            return false;
        }
        self.insert(key.to_string(), value);
        true
    }
}

impl Config {
    /// Parses a TOML document; absent keys take their defaults.
    pub fn from_toml_str(text: &str) -> Result<Config> {
        Config::parse_toml(text).map_err(|source| Error::ConfigFile {
            path: "<string>".into(),
            source,
        })
    }

    fn parse_toml(text: &str) -> std::result::Result<Config, ConfigFileError> {
        let mut table: toml::Table = toml::from_str(text)?;
        move_legacy_keys(&mut table, || toml::Value::Table(toml::Table::new()))
            .map_err(ConfigFileError::Layout)?;
        Ok(Config::deserialize(toml::Value::Table(table))?)
    }

    fn parse_json(text: &str) -> std::result::Result<Config, ConfigFileError> {
        let mut value: serde_json::Value = serde_json::from_str(text)?;
        if let serde_json::Value::Object(map) = &mut value {
            move_legacy_keys(map, || serde_json::Value::Object(serde_json::Map::new()))
                .map_err(ConfigFileError::Layout)?;
        }
        Ok(serde_json::from_value(value)?)
    }

    /// Reads a `.toml` or `.json` configuration file.
    pub fn from_file(path: &Path) -> Result<Config> {
        let at = |source| Error::ConfigFile {
            path: path.to_path_buf(),
            source,
        };
        let text = std::fs::read_to_string(path).map_err(|e| at(ConfigFileError::Io(e)))?;
        let is_json = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        if is_json {
            Config::parse_json(&text).map_err(at)
        } else {
            Config::parse_toml(&text).map_err(at)
        }
    }

    /// Checks every section once; the analyses only take the result.
    pub fn validate(self) -> Result<ValidConfig> {
        let fiscal_year_start = check(&self)?;
        Ok(ValidConfig {
            config: self,
            fiscal_year_start,
        })
    }
}

/// Every rule of every section; the parsed fiscal-year start.
fn check(c: &Config) -> Result<(u32, u32)> {
    let invalid = |field: &'static str, value: String, expected: &str| {
        Err(Error::InvalidConfig {
            field,
            value,
            expected: expected.into(),
        })
    };
    let s = c.ingest.rating_scale;
    if !(s.min.is_finite() && s.max.is_finite() && s.min < s.max) {
        return invalid(
            "ingest.rating_scale",
            format!("{}..{}", s.min, s.max),
            "finite numbers with min < max",
        );
    }
    if c.report.funnel_levels.is_empty()
        || c.report.funnel_levels.len() > 3
        || !c.report.funnel_levels.iter().all(|l| *l > 0.0 && *l < 1.0)
    {
        return invalid(
            "report.funnel_levels",
            format!("{:?}", c.report.funnel_levels),
            "one to three levels, each strictly between 0 and 1",
        );
    }
    let a = c.absences;
    if a.gap_days > 366 {
        return invalid("absences.gap_days", a.gap_days.to_string(), "0 to 366 days");
    }
    if !(1..=240).contains(&a.rating_lookback_months) {
        return invalid(
            "absences.rating_lookback_months",
            a.rating_lookback_months.to_string(),
            "1 to 240 months",
        );
    }
    let tracks = &c.careers.track_order;
    for (i, t) in tracks.iter().enumerate() {
        if t.trim().is_empty() {
            return invalid(
                "careers.track_order",
                format!("{t:?}"),
                "non-empty track names",
            );
        }
        if tracks[..i].contains(t) {
            return invalid(
                "careers.track_order",
                format!("{t:?} twice"),
                "each track once",
            );
        }
    }
    if c.privacy.min_group_size == 0 {
        return invalid("privacy.min_group_size", "0".into(), "at least 1");
    }
    let p = c.privacy.pay_p_percent;
    if !(p.is_finite() && (0.0..100.0).contains(&p)) {
        return invalid(
            "privacy.pay_p_percent",
            p.to_string(),
            "a percentage from 0 up to (not including) 100",
        );
    }
    let level = c.statistics.significance_level;
    if !(level > 0.0 && level < 0.5) {
        return invalid(
            "statistics.significance_level",
            level.to_string(),
            "a number between 0 and 0.5",
        );
    }
    let h = &c.trajectories.horizons_months;
    if h.is_empty() || h.iter().any(|m| *m == 0 || *m > 600) {
        return invalid(
            "trajectories.horizons_months",
            format!("{h:?}"),
            "one or more months from 1 to 600",
        );
    }
    let p = c.peers;
    if !(1..=100).contains(&p.per_return) {
        return invalid("peers.per_return", p.per_return.to_string(), "1 to 100");
    }
    if !(p.tenure_band_years >= 0.0 && p.tenure_band_years <= 50.0) {
        return invalid(
            "peers.tenure_band_years",
            p.tenure_band_years.to_string(),
            "0 to 50 years",
        );
    }
    let f = c.flags;
    for (field, months) in [
        ("flags.window_months", f.window_months),
        ("flags.reduced_hours_months", f.reduced_hours_months),
    ] {
        if !(1..=600).contains(&months) {
            return invalid(field, months.to_string(), "1 to 600 months");
        }
    }
    if !(f.rating_drop_threshold > 0.0 && f.rating_drop_threshold.is_finite()) {
        return invalid(
            "flags.rating_drop_threshold",
            f.rating_drop_threshold.to_string(),
            "a positive number",
        );
    }
    if f.rating_drop_min_ratings == 0 {
        return invalid(
            "flags.rating_drop_min_ratings",
            "0".into(),
            "at least 1 (a rating drop needs a rating after the return)",
        );
    }
    if !(f.rating_drop_score > 0.0 && f.rating_drop_score.is_finite()) {
        return invalid(
            "flags.rating_drop_score",
            f.rating_drop_score.to_string(),
            "a positive number (a score at or below its negative is a drop)",
        );
    }
    if !(f.stall_level > 0.0 && f.stall_level < 1.0) {
        return invalid(
            "flags.stall_level",
            f.stall_level.to_string(),
            "a probability between 0 and 1 (exclusive)",
        );
    }
    if !(f.stall_fdr > 0.0 && f.stall_fdr < 1.0) {
        return invalid(
            "flags.stall_fdr",
            f.stall_fdr.to_string(),
            "a share between 0 and 1 (exclusive)",
        );
    }
    if !(f.stall_bayes_factor >= 1.0 && f.stall_bayes_factor.is_finite()) {
        return invalid(
            "flags.stall_bayes_factor",
            f.stall_bayes_factor.to_string(),
            "a number of at least 1",
        );
    }
    if !(f.stall_multiple >= 1.0 && f.stall_multiple <= 20.0) {
        return invalid(
            "flags.stall_multiple",
            f.stall_multiple.to_string(),
            "1 to 20",
        );
    }
    let e = c.event_study;
    if !(e.event_time_min < -1
        && e.event_time_max >= 0
        && e.event_time_max <= 30
        && e.event_time_min >= -30)
    {
        return invalid(
            "event_study.event_time_min",
            format!("{}..{}", e.event_time_min, e.event_time_max),
            "event_time_min from -30 to -2 and event_time_max from 0 to 30",
        );
    }
    let d = &c.disclosure;
    let Some(fiscal_year_start) = parse_month_day(&d.fiscal_year_start) else {
        return invalid(
            "disclosure.fiscal_year_start",
            format!("{:?}", d.fiscal_year_start),
            FISCAL_START,
        );
    };
    if d.uptake_decimals > 3 {
        return invalid(
            "disclosure.uptake_decimals",
            d.uptake_decimals.to_string(),
            "0 to 3",
        );
    }
    if let Some(s) = d
        .uk_snapshot
        .as_deref()
        .filter(|s| parse_month_day(s).is_none())
    {
        return invalid("disclosure.uk_snapshot", format!("{s:?}"), FISCAL_START);
    }
    Ok(fiscal_year_start)
}

const FISCAL_START: &str = "a month and day as MM-DD, e.g. \"04-01\" (29 February is not allowed)";

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
    /// `[ingest]`, checked.
    pub fn ingest(&self) -> &IngestConfig {
        &self.config.ingest
    }
    /// `[absences]`, checked.
    pub fn absences(&self) -> &AbsenceConfig {
        &self.config.absences
    }
    /// `[peers]`, checked.
    pub fn peers(&self) -> &PeerConfig {
        &self.config.peers
    }
    /// `[flags]`, checked.
    pub fn flags(&self) -> &FlagConfig {
        &self.config.flags
    }
    /// Analysis date, when set.
    pub fn as_of(&self) -> Option<NaiveDate> {
        self.config.ingest.as_of
    }
    /// Range of ratings.
    pub fn rating_scale(&self) -> RatingScale {
        self.config.ingest.rating_scale
    }
    /// Career tracks from least to most senior.
    pub fn track_order(&self) -> &[String] {
        &self.config.careers.track_order
    }
    /// Rank of a track in [`Self::track_order`] (0 = least senior); `None` when unlisted.
    pub fn track_rank(&self, track: &str) -> Option<usize> {
        self.track_order().iter().position(|t| t == track)
    }
    /// Largest gap in days that still joins two leaves.
    pub fn absence_gap_days(&self) -> u32 {
        self.config.absences.gap_days
    }
    /// Look-back window for pre-leave ratings, in months.
    pub fn rating_lookback_months(&self) -> u32 {
        self.config.absences.rating_lookback_months
    }
    /// Smallest group an aggregate may show.
    pub fn min_group_size(&self) -> usize {
        self.config.privacy.min_group_size
    }
    /// The p% rule's percentage for sums of pay.
    pub fn pay_p_percent(&self) -> f64 {
        self.config.privacy.pay_p_percent
    }
    /// Whether zero counts are withheld too.
    pub fn protect_zeros(&self) -> bool {
        self.config.privacy.protect_zeros
    }
    /// Whether the first rejection stops ingestion.
    pub fn strict(&self) -> bool {
        self.config.ingest.strict
    }
    /// Level of every test.
    pub fn significance_level(&self) -> f64 {
        self.config.statistics.significance_level
    }
    /// Whether the promotion gap's diagnostics are computed.
    pub fn diagnostics(&self) -> bool {
        self.config.statistics.diagnostics
    }
    /// The same configuration with its reports in another language.
    pub fn with_lang(mut self, lang: Lang) -> ValidConfig {
        self.config.report.lang = lang;
        self
    }
    /// The same configuration with the promotion gap's diagnostics on or off.
    pub fn with_diagnostics(mut self, on: bool) -> ValidConfig {
        self.config.statistics.diagnostics = on;
        self
    }
    /// Confidence level of every interval, `1 − significance_level`.
    pub fn confidence_level(&self) -> f64 {
        1.0 - self.significance_level()
    }
    /// Months after return at which trajectories are read.
    pub fn horizons_months(&self) -> &[u32] {
        &self.config.trajectories.horizons_months
    }
    /// Matched peers per return.
    pub fn peers_per_return(&self) -> usize {
        self.config.peers.per_return
    }
    /// Largest tenure difference between a returner and a peer, in years.
    pub fn peer_tenure_band_years(&self) -> f64 {
        self.config.peers.tenure_band_years
    }
    /// Whether peers must share the returner's department.
    pub fn peer_same_department(&self) -> bool {
        self.config.peers.same_department
    }
    /// Flag window after return, in months.
    pub fn flag_window_months(&self) -> u32 {
        self.config.flags.window_months
    }
    /// Fall in mean rating that is a `rating_drop`.
    pub fn rating_drop_threshold(&self) -> f64 {
        self.config.flags.rating_drop_threshold
    }
    /// Ratings after return needed before a `rating_drop` is judged (at least 1).
    pub fn rating_drop_min_ratings(&self) -> usize {
        self.config.flags.rating_drop_min_ratings
    }
    /// Months of reduced hours that make `prolonged_reduced_hours`.
    pub fn reduced_hours_months(&self) -> u32 {
        self.config.flags.reduced_hours_months
    }
    /// Multiple of the peers' median time to promotion that makes a stall
    /// (`stall_rule = "median_multiple"`).
    pub fn stall_multiple(&self) -> f64 {
        self.config.flags.stall_multiple
    }
    /// How a rating drop is judged.
    pub fn rating_drop_rule(&self) -> RatingDropRule {
        self.config.flags.rating_drop_rule
    }
    /// The score at or below whose negative a return is a rating drop.
    pub fn rating_drop_score(&self) -> f64 {
        self.config.flags.rating_drop_score
    }
    /// How a stall is judged.
    pub fn stall_rule(&self) -> StallRule {
        self.config.flags.stall_rule
    }
    /// The stall p-value below which a return is flagged (`stall_rule = "test"`).
    pub fn stall_level(&self) -> f64 {
        self.config.flags.stall_level
    }
    /// The expected share of false flags allowed among stalls
    /// (`stall_rule = "posterior"`).
    pub fn stall_fdr(&self) -> f64 {
        self.config.flags.stall_fdr
    }
    /// The Bayes factor her own record must reach before a stall can be
    /// flagged (`stall_rule = "posterior"`).
    pub fn stall_bayes_factor(&self) -> f64 {
        self.config.flags.stall_bayes_factor
    }
    /// Countermeasure date, when set.
    pub fn policy_date(&self) -> Option<NaiveDate> {
        self.config.concentration.policy_date
    }
    /// `[event_study]`, checked.
    pub fn event_study(&self) -> &EventStudyConfig {
        &self.config.event_study
    }
    /// Event-time window of the event study, in years (inclusive).
    pub fn event_times(&self) -> (i32, i32) {
        let e = self.config.event_study;
        (e.event_time_min, e.event_time_max)
    }
    /// First day of the fiscal year as (month, day), parsed once.
    pub fn fiscal_year_start(&self) -> (u32, u32) {
        self.fiscal_year_start
    }
    /// Lowest manager grade.
    pub fn manager_grade(&self) -> u32 {
        self.config.disclosure.manager_grade
    }
    /// `[disclosure]`, checked.
    pub fn disclosure(&self) -> &DisclosureConfig {
        &self.config.disclosure
    }
    /// The UK snapshot as (month, day), when configured.
    pub fn uk_snapshot(&self) -> Option<(u32, u32)> {
        self.config
            .disclosure
            .uk_snapshot
            .as_deref()
            .and_then(parse_month_day)
    }
    /// Decimals kept in the uptake percentage.
    pub fn uptake_decimals(&self) -> u32 {
        self.config.disclosure.uptake_decimals
    }
    /// The same configuration with another policy date.
    pub fn with_policy_date(mut self, date: Option<NaiveDate>) -> ValidConfig {
        self.config.concentration.policy_date = date;
        self
    }
    /// The same configuration with another fiscal-year start, `MM-DD`; an
    /// [`Error::InvalidConfig`] when that is not a valid start.
    pub fn with_fiscal_year_start(mut self, month_day: &str) -> Result<ValidConfig> {
        let Some(parsed) = parse_month_day(month_day) else {
            return Err(Error::InvalidConfig {
                field: "disclosure.fiscal_year_start",
                value: format!("{month_day:?}"),
                expected: FISCAL_START.into(),
            });
        };
        self.config.disclosure.fiscal_year_start = month_day.trim().to_string();
        self.fiscal_year_start = parsed;
        Ok(self)
    }
    /// The same configuration with another analysis date.
    pub fn with_as_of(mut self, as_of: Option<NaiveDate>) -> ValidConfig {
        self.config.ingest.as_of = as_of;
        self
    }
    /// The same configuration in strict or lenient mode.
    pub fn with_strict(mut self, strict: bool) -> ValidConfig {
        self.config.ingest.strict = strict;
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
        assert_eq!(c.fiscal_year_start(), (4, 1));
        assert!(!c.strict());
        assert_eq!(Config::default().validate().unwrap(), c);
    }

    #[test]
    fn invalid_values_are_errors_naming_the_field() {
        let bad = [
            (
                "[ingest]\nrating_scale = { min = 5, max = 1 }",
                "ingest.rating_scale",
            ),
            (
                "[careers]\ntrack_order = [\"a\", \"a\"]",
                "careers.track_order",
            ),
            ("[absences]\ngap_days = 400", "absences.gap_days"),
            (
                "[absences]\nrating_lookback_months = 0",
                "absences.rating_lookback_months",
            ),
            ("[privacy]\nmin_group_size = 0", "privacy.min_group_size"),
            (
                "[statistics]\nsignificance_level = 0.7",
                "statistics.significance_level",
            ),
            (
                "[trajectories]\nhorizons_months = []",
                "trajectories.horizons_months",
            ),
            ("[peers]\nper_return = 0", "peers.per_return"),
            ("[flags]\nwindow_months = 0", "flags.window_months"),
            ("[flags]\nstall_multiple = 0.5", "flags.stall_multiple"),
            ("[flags]\nstall_level = 1.5", "flags.stall_level"),
            ("[flags]\nstall_fdr = 0", "flags.stall_fdr"),
            (
                "[flags]\nstall_bayes_factor = 0.5",
                "flags.stall_bayes_factor",
            ),
            (
                "[flags]\nrating_drop_min_ratings = 0",
                "flags.rating_drop_min_ratings",
            ),
            (
                "[disclosure]\nfiscal_year_start = \"02-29\"",
                "disclosure.fiscal_year_start",
            ),
            (
                "[disclosure]\nuptake_decimals = 9",
                "disclosure.uptake_decimals",
            ),
            // The flat keys of earlier versions are checked the same.
            ("absence_gap_days = 400", "absences.gap_days"),
            (
                "rating_drop_min_ratings = 0",
                "flags.rating_drop_min_ratings",
            ),
        ];
        for (text, field) in bad {
            let err = Config::from_toml_str(text).unwrap().validate().unwrap_err();
            assert!(
                matches!(&err, Error::InvalidConfig { field: f, .. } if *f == field),
                "{text}: {err}"
            );
        }
    }

    #[test]
    fn flat_keys_of_earlier_versions_move_into_their_sections() {
        let flat = "as_of = 2024-03-31\nabsence_gap_days = 10\npeer_same_department = true\n\
                    fiscal_year_start = \"01-01\"\nmin_group_size = 3";
        let sectioned = "[ingest]\nas_of = 2024-03-31\n[absences]\ngap_days = 10\n\
                         [peers]\nsame_department = true\n[disclosure]\nfiscal_year_start = \"01-01\"\n\
                         [privacy]\nmin_group_size = 3";
        let a = Config::from_toml_str(flat).unwrap();
        assert_eq!(a, Config::from_toml_str(sectioned).unwrap());
        let v = a.validate().unwrap();
        assert_eq!(v.as_of(), NaiveDate::from_ymd_opt(2024, 3, 31));
        assert_eq!((v.absence_gap_days(), v.peer_same_department()), (10, true));
        assert_eq!(v.fiscal_year_start(), (1, 1));
        // Mixed: a flat key beside other keys of its section.
        let mixed =
            Config::from_toml_str("absence_gap_days = 10\n[absences]\nrating_lookback_months = 12")
                .unwrap();
        assert_eq!(
            (
                mixed.absences.gap_days,
                mixed.absences.rating_lookback_months
            ),
            (10, 12)
        );
        // The same key both ways is an error naming it.
        let both =
            Config::from_toml_str("absence_gap_days = 10\n[absences]\ngap_days = 9").unwrap_err();
        assert!(both.to_string().contains("absence_gap_days"), "{both}");
    }

    #[test]
    fn unknown_keys_and_json_files_are_handled() {
        assert!(Config::from_toml_str("min_group = 3").is_err());
        assert!(Config::from_toml_str("[privacy]\nmin_group = 3").is_err());
        let dir = std::env::temp_dir().join(format!("mt-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for (name, text) in [
            (
                "flat.json",
                r#"{"as_of": "2024-03-31", "min_group_size": 3}"#,
            ),
            (
                "sections.json",
                r#"{"ingest": {"as_of": "2024-03-31"}, "privacy": {"min_group_size": 3}}"#,
            ),
        ] {
            let path = dir.join(name);
            std::fs::write(&path, text).unwrap();
            let c = Config::from_file(&path).unwrap().validate().unwrap();
            assert_eq!(c.as_of(), NaiveDate::from_ymd_opt(2024, 3, 31));
            assert_eq!(c.min_group_size(), 3);
        }
        // The configuration as report.json echoes it reads back to the same.
        let path = dir.join("echo.json");
        let c = Config::from_file(&dir.join("sections.json")).unwrap();
        std::fs::write(&path, serde_json::to_string(&c).unwrap()).unwrap();
        assert_eq!(Config::from_file(&path).unwrap(), c);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
