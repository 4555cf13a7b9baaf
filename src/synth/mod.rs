//! Seeded synthetic HR data with a planted truth.
//!
//! Real HR data cannot be shared, so samples, tests and benchmarks use this
//! generator. Employees are hired over many years; each fiscal year (April to
//! March) brings an evaluation, a salary change and a chance of promotion that
//! rises with a latent ability; some leave. Women have children and take
//! maternity leave followed by parental leave; a share of fathers take a
//! shorter paternity or parental leave. Each mother's return falls into a
//! planted [`ReturnClass`], recorded in [`Synthetic::truth`]. Everything is
//! deterministic for a seed (ChaCha8).
//!
//! ```
//! use mommytrack::synth::{generate, SynthConfig};
//! let data = generate(&SynthConfig { employees: 50, seed: 1, ..SynthConfig::default() });
//! assert_eq!(data.employees.len(), 50);
//! let again = generate(&SynthConfig { employees: 50, seed: 1, ..SynthConfig::default() });
//! assert_eq!(data.events, again.events);
//! ```

mod career;
mod dirty;
mod hris;
mod write;

pub use dirty::{dirty_copy, DirtyCopy, PlantedRejection};
pub use hris::{japanese, sap, snapshots, ExportError, HrisExport, MISSING_SNAPSHOT};
pub use write::{generate_to_dir, write_csv, write_parameters, Written};

use career::generate_employee;

use crate::schema::{EmployeeRow, EventRow};
use chrono::{Datelike, Duration, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::Distribution;
use serde::{Deserialize, Serialize};

/// What happens to a returning mother, as planted by the generator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReturnClass {
    /// Back to the same work and the same promotion prospects.
    Normal,
    /// Employer-initiated responsibility drop (with, at times, a track downgrade
    /// or a conversion to part-time), then a strongly reduced promotion hazard.
    MommyTrack,
    /// The same kind of changes, asked for by the employee.
    VoluntaryDownshift,
    /// Reduced hours at the employee's request, kept for years.
    ProlongedReducedHours,
    /// No change at all, but a strongly reduced promotion hazard.
    PromotionStall,
}

/// The planted class of one return.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnTruth {
    /// The returning employee.
    pub employee_id: String,
    /// First day of the absence.
    pub leave_start: String,
    /// First day back.
    pub return_date: String,
    /// What was planted.
    pub class: ReturnClass,
    /// The flag kinds planted, `;`-joined in the contract's order (empty for `normal`).
    pub planted_kinds: String,
    /// Whether the planted changes were asked for by the employee.
    pub employee_initiated: bool,
    /// The manager before the absence.
    pub manager_id: String,
}

/// Rates and sizes of the generated data, with defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SynthConfig {
    /// Number of employees.
    pub employees: usize,
    /// Random seed.
    pub seed: u64,
    /// First fiscal year in which people are hired (taken within 1900 and
    /// the year of `as_of`).
    pub first_year: i32,
    /// Analysis date: nothing is dated after it.
    pub as_of: NaiveDate,
    /// Share of women among hires.
    pub share_women: f64,
    /// Yearly chance of a child for an employee aged 25–42 (at most two children).
    pub birth_rate: f64,
    /// Share of fathers who take paternity or parental leave.
    pub father_leave_share: f64,
    /// Share of mothers' returns planted as involuntary mommy track.
    pub mommy_track_share: f64,
    /// Share planted as voluntary downshift.
    pub voluntary_share: f64,
    /// Share planted as prolonged reduced hours.
    pub reduced_hours_share: f64,
    /// Share planted as promotion stall only (no change, reduced promotion hazard).
    pub stall_share: f64,
    /// Date of a countermeasure: returns on or after it are put on the mommy
    /// track `policy_factor` times as often.
    pub policy_date: Option<NaiveDate>,
    /// Multiplier of the mommy-track share from `policy_date` on.
    pub policy_factor: f64,
    /// How many times more often biased managers' returners are put on the mommy track.
    pub biased_manager_factor: f64,
    /// Managers whose returners are more often put on the mommy track.
    pub biased_managers: Vec<String>,
    /// Share of mothers' returns (any class) whose evaluations in the two
    /// years after the return are lowered by `rating_drop_points` (planted
    /// kind `rating_drop`); 0 by default.
    pub rating_drop_share: f64,
    /// How far a planted rating drop lowers the raw rating (before rounding
    /// to the 1–5 scale).
    pub rating_drop_points: f64,
    /// Managers in each of the six departments (at least 1), named
    /// `M{department:02}{k:02}` from `M0101`.
    pub managers_per_department: usize,
    /// Promotion hazard multiplier after a mommy-track return.
    pub mommy_track_promotion_factor: f64,
    /// Promotion hazard multiplier after a return planted as
    /// `promotion_stall` only (0 stops promotion altogether).
    pub stall_promotion_factor: f64,
    /// The yearly promotion hazard at grade 0 and average ability (it falls
    /// with the grade as `1 / (1 + 0.25 · grade)`).
    pub promotion_hazard: f64,
    /// How strongly ability drives promotion: the hazard is multiplied by
    /// `exp(promotion_ability_effect · ability)`, ability standard normal
    /// (ratings are `3.2 + 0.8 · ability` plus noise).
    pub promotion_ability_effect: f64,
    /// Promotion hazard multiplier for every parent after a return from
    /// childcare leave, mothers and fathers alike (1 = no planted effect);
    /// applied on top of the mommy-track factor.
    pub returner_promotion_factor: f64,
    /// Yearly chance of leaving.
    pub exit_rate: f64,
}

impl Default for SynthConfig {
    fn default() -> Self {
        SynthConfig {
            employees: 300,
            seed: 7,
            first_year: 2012,
            as_of: career::date(2025, 3, 31),
            share_women: 0.45,
            birth_rate: 0.09,
            father_leave_share: 0.3,
            mommy_track_share: 0.25,
            voluntary_share: 0.15,
            reduced_hours_share: 0.10,
            stall_share: 0.05,
            policy_date: NaiveDate::from_ymd_opt(2021, 4, 1),
            policy_factor: 0.5,
            biased_manager_factor: 2.5,
            biased_managers: vec!["M0201".into()],
            managers_per_department: MANAGERS_PER_DEPARTMENT,
            rating_drop_share: 0.0,
            rating_drop_points: 0.8,
            mommy_track_promotion_factor: 0.2,
            stall_promotion_factor: 0.2,
            promotion_hazard: 0.16,
            promotion_ability_effect: 0.7,
            returner_promotion_factor: 1.0,
            exit_rate: 0.05,
        }
    }
}

/// Generated tables and the planted truth.
#[derive(Debug, Clone, PartialEq)]
pub struct Synthetic {
    /// The `employees` table.
    pub employees: Vec<EmployeeRow>,
    /// The `events` table, by employee then date.
    pub events: Vec<EventRow>,
    /// One row per mother's return.
    pub truth: Vec<ReturnTruth>,
}

impl Synthetic {
    /// The `employees` and `events` tables as CSV bytes, as [`write_csv`]
    /// writes them: for ingesting generated data without touching the disk.
    pub fn to_csv(&self) -> csv::Result<(Vec<u8>, Vec<u8>)> {
        fn table<T: Serialize>(rows: &[T]) -> csv::Result<Vec<u8>> {
            let mut w = csv::Writer::from_writer(vec![]);
            for r in rows {
                w.serialize(r)?;
            }
            w.into_inner().map_err(|e| e.into_error().into())
        }
        Ok((table(&self.employees)?, table(&self.events)?))
    }
}

/// The generator's departments, in order: department `d` (1-based) holds
/// managers `M{d:02}01`, `M{d:02}02`, ….
pub const DEPARTMENTS: [&str; 6] = [
    "sales",
    "engineering",
    "finance",
    "operations",
    "marketing",
    "hr",
];
const MANAGERS_PER_DEPARTMENT: usize = 4;

/// Generates a data set; the same configuration gives the same rows.
pub fn generate(config: &SynthConfig) -> Synthetic {
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let mut out = Synthetic {
        employees: Vec::with_capacity(config.employees),
        events: Vec::new(),
        truth: Vec::new(),
    };
    for i in 0..config.employees {
        generate_employee(config, &mut rng, i, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::write::stream_to_dir;
    use super::*;

    /// Streaming in chunks (7 employees, so many flushes and a partial last
    /// one) writes the very bytes of generating everything, then writing.
    #[test]
    fn streamed_files_equal_generate_then_write() {
        let config = SynthConfig {
            employees: 300,
            seed: 5,
            ..SynthConfig::default()
        };
        let base = std::env::temp_dir().join(format!("mommytrack-stream-{}", std::process::id()));
        let (a, b) = (base.join("whole"), base.join("streamed"));
        let data = generate(&config);
        write_csv(&data, &a).unwrap();
        let n = stream_to_dir(&config, &b, 7).unwrap();
        assert_eq!(
            (n.employees, n.events, n.returns),
            (data.employees.len(), data.events.len(), data.truth.len())
        );
        for f in ["employees.csv", "events.csv", "truth.csv"] {
            assert_eq!(
                std::fs::read(a.join(f)).unwrap(),
                std::fs::read(b.join(f)).unwrap(),
                "{f}"
            );
        }
        let _ = std::fs::remove_dir_all(&base);
    }
}
