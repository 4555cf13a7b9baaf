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

use crate::schema::{EmployeeRow, EventRow};
use chrono::{Datelike, Duration, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
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
    /// First fiscal year in which people are hired.
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
    /// Promotion hazard multiplier after a mommy-track return.
    pub mommy_track_promotion_factor: f64,
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
            as_of: NaiveDate::from_ymd_opt(2025, 3, 31).unwrap_or_default(),
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
            mommy_track_promotion_factor: 0.2,
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

const DEPARTMENTS: [&str; 6] = [
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

struct Person {
    id: String,
    female: bool,
    birth_year: i32,
    ability: f64,
    grade: u32,
    responsibility: u32,
    track: &'static str,
    department: usize,
    manager: String,
    regular: bool,
    hours: f64,
    salary: f64,
    children: u32,
    promotion_factor: f64,
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn manager_id(department: usize, k: usize) -> String {
    format!("M{:02}{:02}", department + 1, k + 1)
}

fn generate_employee(config: &SynthConfig, rng: &mut ChaCha8Rng, i: usize, out: &mut Synthetic) {
    let std_normal = Normal::new(0.0, 1.0).unwrap_or_else(|_| unreachable!());
    let last_hire_year = config.as_of.year() - 1;
    let hire_year = rng.random_range(config.first_year..=last_hire_year.max(config.first_year));
    let hire = if rng.random_bool(0.7) {
        date(hire_year, 4, 1)
    } else {
        date(hire_year, 4, 1) + Duration::days(rng.random_range(0..365))
    };
    let female = rng.random_bool(config.share_women);
    let age_at_hire = rng.random_range(22..=38);
    let grade = if age_at_hire < 26 {
        1
    } else {
        rng.random_range(1..=3)
    };
    let track = match rng.random_range(0..10) {
        0..=5 => "career",
        6..=7 => "specialist",
        _ => "general",
    };
    let regular = rng.random_bool(0.88);
    let department = rng.random_range(0..DEPARTMENTS.len());
    let hire_hours = if regular {
        40.0
    } else {
        f64::from(rng.random_range(20..=32))
    };
    let hire_salary =
        (3_200_000.0 + 600_000.0 * f64::from(grade) + rng.random_range(-200..=200) as f64 * 1000.0)
            .round();
    let hire_manager = manager_id(department, rng.random_range(0..MANAGERS_PER_DEPARTMENT));
    let mut p = Person {
        id: format!("E{:06}", i + 1),
        female,
        birth_year: hire.year() - age_at_hire,
        ability: std_normal.sample(rng),
        grade,
        responsibility: grade + u32::from(track == "career"),
        track,
        department,
        manager: hire_manager.clone(),
        regular,
        hours: hire_hours,
        salary: hire_salary,
        children: 0,
        promotion_factor: 1.0,
    };
    let mut events: Vec<(NaiveDate, u32, EventRow)> = Vec::new();
    let mut exit: Option<(NaiveDate, &'static str)> = None;
    let mut busy_until = hire; // on leave (or just back) until this date
    let push = |events: &mut Vec<(NaiveDate, u32, EventRow)>, d: NaiveDate, row: EventRow| {
        let seq = events.len() as u32;
        events.push((d, seq, row));
    };
    let base = |id: &str, d: NaiveDate, event: &str| EventRow {
        employee_id: id.to_string(),
        date: d.to_string(),
        event: event.to_string(),
        ..Default::default()
    };

    let mut fy = if hire.month() >= 4 {
        hire.year()
    } else {
        hire.year() - 1
    };
    while date(fy, 4, 1) <= config.as_of && exit.is_none() {
        let april = date(fy, 4, 1);
        let march = date(fy + 1, 3, 31);
        // Promotion and salary review on 1 April, when at work.
        if april > hire && april >= busy_until {
            let hazard = 0.16 * (0.7 * p.ability).exp() * p.promotion_factor
                / (1.0 + 0.25 * f64::from(p.grade));
            if p.grade < 9 && rng.random_bool(hazard.min(0.9)) {
                p.grade += 1;
                let mut row = base(&p.id, april, "promotion");
                row.grade = p.grade.to_string();
                if p.responsibility < 9 && rng.random_bool(0.7) {
                    p.responsibility += 1;
                    row.responsibility = p.responsibility.to_string();
                }
                push(&mut events, april, row);
                p.salary = (p.salary * 1.08).round();
            } else {
                p.salary = (p.salary * (1.0 + rng.random_range(0..=30) as f64 / 1000.0)).round();
            }
            let mut row = base(&p.id, april, "salary_change");
            row.salary = format!("{}", p.salary);
            push(&mut events, april, row);
            if rng.random_bool(0.05) {
                let k = rng.random_range(0..MANAGERS_PER_DEPARTMENT);
                let new_manager = manager_id(p.department, k);
                if new_manager != p.manager {
                    p.manager = new_manager;
                    let mut row = base(&p.id, april, "role_change");
                    row.manager_id = p.manager.clone();
                    row.initiated_by = "employer".into();
                    push(&mut events, april, row);
                }
            }
        }
        // A child during the year.
        let age = fy - p.birth_year;
        if (25..=42).contains(&age)
            && p.children < 2
            && april >= busy_until
            && rng.random_bool(config.birth_rate)
        {
            let birth = april + Duration::days(rng.random_range(60..300));
            p.children += 1;
            push(&mut events, birth, base(&p.id, birth, "child_birth"));
            if p.female {
                busy_until = mother_leave(config, rng, &mut p, birth, &mut events, out);
            } else if rng.random_bool(config.father_leave_share) {
                let start = birth + Duration::days(rng.random_range(0..30));
                let days = if rng.random_bool(0.6) {
                    rng.random_range(5..30)
                } else {
                    rng.random_range(30..180)
                };
                let kind = if days < 30 { "paternity" } else { "parental" };
                let mut row = base(&p.id, start, "leave_start");
                row.leave_type = kind.into();
                push(&mut events, start, row);
                let back = start + Duration::days(days);
                let mut row = base(&p.id, back, "leave_end");
                row.leave_type = kind.into();
                push(&mut events, back, row);
                busy_until = back;
                p.promotion_factor *= config.returner_promotion_factor;
            }
        } else if april >= busy_until && rng.random_bool(0.01) {
            // Medical or family-care leave, as controls.
            let start = april + Duration::days(rng.random_range(30..200));
            let kind = if rng.random_bool(0.5) {
                "medical"
            } else {
                "family_care"
            };
            let mut row = base(&p.id, start, "leave_start");
            row.leave_type = kind.into();
            push(&mut events, start, row);
            let back = start + Duration::days(rng.random_range(20..120));
            let mut row = base(&p.id, back, "leave_end");
            row.leave_type = kind.into();
            push(&mut events, back, row);
            busy_until = back;
        }
        // Evaluation at the end of the fiscal year, when at work.
        if march >= busy_until && march > hire {
            let hours_penalty = if p.hours < 35.0 { 0.4 } else { 0.0 };
            let raw = 3.2 + 0.8 * p.ability - hours_penalty + 0.5 * std_normal.sample(rng);
            let rating = raw.round().clamp(1.0, 5.0);
            let mut row = base(&p.id, march, "evaluation");
            row.rating = format!("{rating}");
            push(&mut events, march, row);
        }
        // Leaving during the year, when at work.
        if march >= busy_until && rng.random_bool(config.exit_rate) {
            let day = april.max(busy_until) + Duration::days(rng.random_range(1..300));
            let reason = if rng.random_bool(0.85) {
                "voluntary"
            } else {
                "involuntary"
            };
            exit = Some((day.min(march), reason));
        }
        fy += 1;
    }
    let exit = exit.filter(|(d, _)| *d <= config.as_of && *d > hire);
    let cutoff = exit.map_or(config.as_of, |(d, _)| d);
    events.retain(|(d, _, _)| *d <= cutoff);
    // Leaves still open at the cutoff stay open (censored or ended by exit).
    events.sort_by_key(|(d, seq, _)| (*d, *seq));
    out.events.extend(events.into_iter().map(|(_, _, row)| row));
    // Only this employee's returns (the last ones pushed) can fall after the cutoff.
    let cutoff_text = cutoff.to_string();
    let first_own = out.truth.len()
        - out
            .truth
            .iter()
            .rev()
            .take_while(|t| t.employee_id == p.id)
            .count();
    let mut own = out.truth.split_off(first_own);
    own.retain(|t| t.return_date.as_str() <= cutoff_text.as_str());
    out.truth.extend(own);
    out.employees.push(EmployeeRow {
        employee_id: p.id.clone(),
        gender: if p.female { "F" } else { "M" }.into(),
        birth_year: p.birth_year.to_string(),
        hire_date: hire.to_string(),
        exit_date: exit.map(|(d, _)| d.to_string()).unwrap_or_default(),
        exit_reason: exit.map(|(_, r)| r.to_string()).unwrap_or_default(),
        department: DEPARTMENTS[department].into(),
        grade: grade.to_string(),
        responsibility: (grade + u32::from(track == "career")).to_string(),
        track: track.into(),
        manager_id: hire_manager,
        employment_type: if regular { "regular" } else { "fixed_term" }.into(),
        weekly_hours: format!("{hire_hours}"),
        salary: format!("{hire_salary}"),
    });
}

/// Maternity then parental leave around `birth`, and the planted return; returns the return date.
fn mother_leave(
    config: &SynthConfig,
    rng: &mut ChaCha8Rng,
    p: &mut Person,
    birth: NaiveDate,
    events: &mut Vec<(NaiveDate, u32, EventRow)>,
    out: &mut Synthetic,
) -> NaiveDate {
    let mut push = |d: NaiveDate, row: EventRow| {
        let seq = events.len() as u32;
        events.push((d, seq, row));
    };
    let row = |d: NaiveDate, event: &str| EventRow {
        employee_id: p.id.clone(),
        date: d.to_string(),
        event: event.into(),
        ..Default::default()
    };
    let start = birth - Duration::days(42);
    let maternity_end = birth + Duration::days(56);
    let mut r = row(start, "leave_start");
    r.leave_type = "maternity".into();
    push(start, r);
    let mut r = row(maternity_end, "leave_end");
    r.leave_type = "maternity".into();
    push(maternity_end, r);
    let parental_start = maternity_end + Duration::days(rng.random_range(0..=3));
    let back = birth + Duration::days(rng.random_range(180..540));
    let mut r = row(parental_start, "leave_start");
    r.leave_type = "parental".into();
    push(parental_start, r);
    let mut r = row(back, "leave_end");
    r.leave_type = "parental".into();
    push(back, r);

    let biased = config.biased_managers.contains(&p.manager);
    let after_policy = config.policy_date.is_some_and(|d| back >= d);
    let mommy = (config.mommy_track_share
        * if biased {
            config.biased_manager_factor
        } else {
            1.0
        }
        * if after_policy {
            config.policy_factor
        } else {
            1.0
        })
    .min(0.95);
    let u: f64 = rng.random();
    let class = if u < mommy {
        ReturnClass::MommyTrack
    } else if u < mommy + config.voluntary_share {
        ReturnClass::VoluntaryDownshift
    } else if u < mommy + config.voluntary_share + config.reduced_hours_share {
        ReturnClass::ProlongedReducedHours
    } else if u < mommy + config.voluntary_share + config.reduced_hours_share + config.stall_share {
        ReturnClass::PromotionStall
    } else {
        ReturnClass::Normal
    };
    let change_day = back + Duration::days(rng.random_range(0..60));
    let manager_before = p.manager.clone();
    // Planted kinds in the contract's order: responsibility_drop,
    // track_downgrade, non_regular_conversion, promotion_stall, prolonged_reduced_hours.
    let mut kinds = [false; 5];
    match class {
        ReturnClass::Normal => {}
        ReturnClass::PromotionStall => {
            p.promotion_factor *= config.mommy_track_promotion_factor;
            kinds[3] = true;
        }
        ReturnClass::MommyTrack | ReturnClass::VoluntaryDownshift => {
            let who = if class == ReturnClass::MommyTrack {
                "employer"
            } else {
                "employee"
            };
            let mut r = row(change_day, "role_change");
            let before = p.responsibility;
            p.responsibility = p
                .responsibility
                .saturating_sub(rng.random_range(1..=2))
                .min(1);
            kinds[0] = p.responsibility < before;
            r.responsibility = p.responsibility.to_string();
            if p.track == "career" && rng.random_bool(0.4) {
                p.track = "general";
                r.track = "general".into();
                kinds[1] = true;
            }
            r.initiated_by = who.into();
            push(change_day, r);
            if p.regular && rng.random_bool(0.3) {
                p.regular = false;
                let mut r = row(change_day, "employment_change");
                r.employment_type = "part_time".into();
                r.initiated_by = who.into();
                push(change_day, r);
                let reduces = p.hours > 30.0;
                p.hours = 30.0;
                let mut r = row(change_day, "hours_change");
                r.weekly_hours = "30".into();
                r.initiated_by = who.into();
                push(change_day, r);
                kinds[2] = true;
                kinds[4] = reduces;
            }
            if class == ReturnClass::MommyTrack {
                p.promotion_factor *= config.mommy_track_promotion_factor;
                kinds[3] = true;
            }
        }
        ReturnClass::ProlongedReducedHours => {
            kinds[4] = p.hours > 30.0;
            p.hours = 30.0;
            let mut r = row(back, "hours_change");
            r.weekly_hours = "30".into();
            r.initiated_by = "employee".into();
            push(back, r);
        }
    }
    p.promotion_factor *= config.returner_promotion_factor;
    const NAMES: [&str; 5] = [
        "responsibility_drop",
        "track_downgrade",
        "non_regular_conversion",
        "promotion_stall",
        "prolonged_reduced_hours",
    ];
    let planted: Vec<&str> = NAMES
        .iter()
        .zip(kinds)
        .filter_map(|(n, k)| k.then_some(*n))
        .collect();
    out.truth.push(ReturnTruth {
        employee_id: p.id.clone(),
        leave_start: start.to_string(),
        return_date: back.to_string(),
        class,
        planted_kinds: planted.join(";"),
        employee_initiated: matches!(
            class,
            ReturnClass::VoluntaryDownshift | ReturnClass::ProlongedReducedHours
        ),
        manager_id: manager_before,
    });
    back
}

/// Writes the tables as CSV (`employees.csv`, `events.csv`, `truth.csv`) into `dir`.
pub fn write_csv(data: &Synthetic, dir: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let write =
        |name: &str, rows: &mut dyn FnMut(&mut csv::Writer<std::fs::File>) -> csv::Result<()>| {
            let mut w = csv::Writer::from_path(dir.join(name))?;
            rows(&mut w)?;
            w.flush()?;
            Ok::<(), csv::Error>(())
        };
    let io = |e: csv::Error| std::io::Error::other(e.to_string());
    write("employees.csv", &mut |w| {
        data.employees.iter().try_for_each(|r| w.serialize(r))
    })
    .map_err(io)?;
    write("events.csv", &mut |w| {
        data.events.iter().try_for_each(|r| w.serialize(r))
    })
    .map_err(io)?;
    write("truth.csv", &mut |w| {
        data.truth.iter().try_for_each(|r| w.serialize(r))
    })
    .map_err(io)?;
    Ok(())
}

/// Rows written by [`generate_to_dir`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    /// Employee rows.
    pub employees: usize,
    /// Event rows.
    pub events: usize,
    /// Planted returns (rows of `truth.csv`).
    pub returns: usize,
}

/// [`generate`] then [`write_csv`], byte for byte, without holding the whole
/// data set: rows go to the files as each few thousand employees are made,
/// so memory stays flat however many employees (a million employees with
/// long careers take some 11 GB in memory as [`Synthetic`]).
///
/// ```
/// use mommytrack::synth::{generate_to_dir, SynthConfig};
/// let dir = std::env::temp_dir().join("mommytrack-doc-generate-to-dir");
/// let n = generate_to_dir(&SynthConfig { employees: 20, ..SynthConfig::default() }, &dir).unwrap();
/// assert_eq!(n.employees, 20);
/// assert!(dir.join("events.csv").exists());
/// ```
pub fn generate_to_dir(config: &SynthConfig, dir: &std::path::Path) -> std::io::Result<Written> {
    stream_to_dir(config, dir, 4096)
}

fn stream_to_dir(
    config: &SynthConfig,
    dir: &std::path::Path,
    chunk: usize,
) -> std::io::Result<Written> {
    std::fs::create_dir_all(dir)?;
    let io = |e: csv::Error| std::io::Error::other(e.to_string());
    let open = |name: &str| csv::Writer::from_path(dir.join(name)).map_err(io);
    let (mut we, mut wv, mut wt) = (
        open("employees.csv")?,
        open("events.csv")?,
        open("truth.csv")?,
    );
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let mut buffer = Synthetic {
        employees: Vec::new(),
        events: Vec::new(),
        truth: Vec::new(),
    };
    let mut written = Written {
        employees: 0,
        events: 0,
        returns: 0,
    };
    let mut flush = |buffer: &mut Synthetic| -> std::io::Result<()> {
        written.employees += buffer.employees.len();
        written.events += buffer.events.len();
        written.returns += buffer.truth.len();
        buffer
            .employees
            .drain(..)
            .try_for_each(|r| we.serialize(r))
            .map_err(io)?;
        buffer
            .events
            .drain(..)
            .try_for_each(|r| wv.serialize(r))
            .map_err(io)?;
        buffer
            .truth
            .drain(..)
            .try_for_each(|r| wt.serialize(r))
            .map_err(io)
    };
    for i in 0..config.employees {
        generate_employee(config, &mut rng, i, &mut buffer);
        if (i + 1) % chunk.max(1) == 0 {
            flush(&mut buffer)?;
        }
    }
    flush(&mut buffer)?;
    for w in [&mut we, &mut wv, &mut wt] {
        w.flush()?;
    }
    Ok(written)
}

/// Writes the planted parameters as `synth.json` into `dir`.
pub fn write_parameters(config: &SynthConfig, dir: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let text = serde_json::to_string_pretty(config).map_err(std::io::Error::other)?;
    std::fs::write(dir.join("synth.json"), text + "\n")
}

/// A bad row planted in a dirty copy: where it is and which rule it breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlantedRejection {
    /// `employees` or `events`.
    pub file: String,
    /// Line in the dirty file (header = line 1).
    pub line: u64,
    /// The column at fault; empty for the whole row.
    pub column: String,
    /// The rule, as [`crate::ingest::RejectionKind`] in snake case.
    pub kind: String,
}

/// A copy of a generated data set with bad rows planted among the good ones.
#[derive(Debug, Clone, PartialEq)]
pub struct DirtyCopy {
    /// The `employees` CSV, bytes (one row holds invalid UTF-8).
    pub employees_csv: Vec<u8>,
    /// The `events` CSV, bytes.
    pub events_csv: Vec<u8>,
    /// Every planted bad row, sorted by file then line.
    pub planted: Vec<PlantedRejection>,
    /// Exact duplicate event rows planted (dropped, not rejected).
    pub duplicates: u64,
}

fn csv_lines<T: Serialize>(rows: &[T]) -> Vec<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(vec![]);
    for r in rows {
        // Writing to memory cannot fail.
        let _ = w.serialize(r);
    }
    let bytes = w.into_inner().unwrap_or_default();
    bytes
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| l.to_vec())
        .collect()
}

fn csv_line(fields: &[&str]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(vec![]);
    let _ = w.write_record(fields);
    let mut bytes = w.into_inner().unwrap_or_default();
    bytes.pop();
    bytes
}

/// Plants one row of each kind of bad input among the good rows of `data`.
///
/// Every good row is kept unchanged, so ingesting the copy must accept
/// exactly what ingesting `data` accepts. Each planted row is spread through
/// the file at a fixed place, and its line recorded.
pub fn dirty_copy(data: &Synthetic) -> DirtyCopy {
    let mut emp_lines = csv_lines(&data.employees);
    let mut ev_lines = csv_lines(&data.events);
    let first = &data.employees[0];
    // Employees to hang sequence errors on.
    let has_event = |id: &str, kinds: &[&str]| {
        data.events
            .iter()
            .any(|e| e.employee_id == id && kinds.contains(&e.event.as_str()))
    };
    let quiet = data
        .employees
        .iter()
        .find(|e| {
            e.exit_date.is_empty()
                && !has_event(
                    &e.employee_id,
                    &["leave_start", "leave_end", "promotion", "role_change"],
                )
        })
        .unwrap_or(first);
    let leaver = data
        .employees
        .iter()
        .find(|e| !e.exit_date.is_empty())
        .unwrap_or(first);
    let mother = data
        .events
        .iter()
        .find(|e| e.event == "leave_start" && e.leave_type == "maternity")
        .cloned()
        .unwrap_or_default();
    let shift = |d: &str, days: i64| {
        NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map(|d| (d + Duration::days(days)).to_string())
            .unwrap_or_default()
    };
    let employee = |id: &str| -> Vec<String> {
        vec![
            id.into(),
            "F".into(),
            "1990".into(),
            "2018-04-01".into(),
            "".into(),
            "".into(),
            "sales".into(),
            "2".into(),
            "2".into(),
            "career".into(),
            "M0101".into(),
            "regular".into(),
            "40".into(),
            "4000000".into(),
        ]
    };
    let with = |mut row: Vec<String>, i: usize, v: &str| {
        row[i] = v.into();
        row
    };
    let as_line = |row: Vec<String>| csv_line(&row.iter().map(|s| s.as_str()).collect::<Vec<_>>());
    let mut bad_utf8 = as_line(employee("X000010"));
    // Department field becomes invalid UTF-8.
    if let Some(pos) = bad_utf8.windows(5).position(|w| w == b"sales") {
        bad_utf8.splice(pos..pos + 5, b"sal\xff\xfees".iter().copied());
    }
    let employees_bad: Vec<(Vec<u8>, &str, &str)> = vec![
        (
            as_line(with(employee("X000001"), 3, "2019-13-01")),
            "hire_date",
            "unparsable",
        ),
        (
            as_line(with(employee("X000002"), 1, "female")),
            "gender",
            "unparsable",
        ),
        (
            as_line(with(employee("X000003"), 8, "12")),
            "responsibility",
            "out_of_range",
        ),
        (
            as_line(with(employee("X000004"), 7, "")),
            "grade",
            "missing_field",
        ),
        (
            as_line(with(employee(&first.employee_id), 6, "finance")),
            "employee_id",
            "duplicate_employee",
        ),
        (
            as_line(with(employee("X000006"), 12, "0")),
            "weekly_hours",
            "out_of_range",
        ),
        (
            as_line(with(employee("X000007"), 4, "2017-03-31")),
            "exit_date",
            "exit_before_hire",
        ),
        (
            csv_line(&["X000008", "M", "1985", "2019-04-01"]),
            "",
            "wrong_field_count",
        ),
        (
            as_line(employee(&"Y".repeat(65))),
            "employee_id",
            "out_of_range",
        ),
        (bad_utf8, "department", "invalid_utf8"),
        (
            as_line(with(employee("X000011"), 11, "permanent")),
            "employment_type",
            "unparsable",
        ),
    ];
    let event = |id: &str, date: &str, event: &str| -> Vec<String> {
        let mut row = vec![String::new(); 14];
        row[0] = id.into();
        row[1] = date.into();
        row[2] = event.into();
        row
    };
    let duplicate = ev_lines
        .get(ev_lines.len() / 2)
        .cloned()
        .unwrap_or_default();
    let events_bad: Vec<(Vec<u8>, &str, &str)> = vec![
        (
            as_line(with(event("Z999999", "2020-05-01", "evaluation"), 10, "3")),
            "employee_id",
            "unknown_employee",
        ),
        (
            as_line(with(
                event(
                    &quiet.employee_id,
                    &shift(&quiet.hire_date, -30),
                    "evaluation",
                ),
                10,
                "3",
            )),
            "date",
            "before_hire",
        ),
        (
            as_line(with(
                event(
                    &leaver.employee_id,
                    &shift(&leaver.exit_date, 10),
                    "evaluation",
                ),
                10,
                "3",
            )),
            "date",
            "after_exit",
        ),
        (
            as_line(with(
                event(
                    &quiet.employee_id,
                    &shift(&quiet.hire_date, 40),
                    "leave_end",
                ),
                3,
                "parental",
            )),
            "event",
            "leave_end_without_leave",
        ),
        (
            as_line(with(
                event(&mother.employee_id, &shift(&mother.date, 10), "leave_start"),
                3,
                "medical",
            )),
            "event",
            "leave_start_during_leave",
        ),
        (
            as_line(with(
                event(
                    &quiet.employee_id,
                    &shift(&quiet.hire_date, 50),
                    "promotion",
                ),
                4,
                &quiet.grade,
            )),
            "grade",
            "promotion_not_raising_grade",
        ),
        (
            as_line(event(
                &quiet.employee_id,
                &shift(&quiet.hire_date, 60),
                "evaluation",
            )),
            "rating",
            "missing_field",
        ),
        (
            as_line(with(
                event(
                    &quiet.employee_id,
                    &shift(&quiet.hire_date, 61),
                    "evaluation",
                ),
                10,
                "excellent",
            )),
            "rating",
            "unparsable",
        ),
        (
            as_line(with(
                event(
                    &quiet.employee_id,
                    &shift(&quiet.hire_date, 62),
                    "evaluation",
                ),
                10,
                "7",
            )),
            "rating",
            "out_of_range",
        ),
        (
            as_line(event(
                &quiet.employee_id,
                &shift(&quiet.hire_date, 63),
                "vacation",
            )),
            "event",
            "unparsable",
        ),
        (
            as_line(with(
                event(&quiet.employee_id, "2021-02-30", "evaluation"),
                10,
                "3",
            )),
            "date",
            "unparsable",
        ),
        (
            as_line(event(
                &quiet.employee_id,
                &shift(&quiet.hire_date, 64),
                "role_change",
            )),
            "",
            "missing_field",
        ),
        (
            as_line(with(
                event(
                    &quiet.employee_id,
                    &shift(&quiet.hire_date, 65),
                    "hours_change",
                ),
                12,
                "-5",
            )),
            "weekly_hours",
            "out_of_range",
        ),
        (
            as_line(with(
                event(
                    &quiet.employee_id,
                    &shift(&quiet.hire_date, 66),
                    "employment_change",
                ),
                9,
                "boss",
            )),
            "initiated_by",
            "unparsable",
        ),
        (
            csv_line(&[&quiet.employee_id, "2020-01-01"]),
            "",
            "wrong_field_count",
        ),
    ];
    let mut planted = Vec::new();
    let mut place = |lines: &mut Vec<Vec<u8>>, bad: Vec<(Vec<u8>, &str, &str)>, file: &str| {
        let n = bad.len();
        let good = lines.len();
        for (k, (row, column, kind)) in bad.into_iter().enumerate() {
            // After the k-th share of the good rows (and after earlier planted rows).
            let at = ((k + 1) * good / (n + 1)).max(1) + k;
            let at = at.min(lines.len());
            lines.insert(at, row);
            planted.push((file.to_string(), at, column.to_string(), kind.to_string()));
        }
    };
    place(&mut emp_lines, employees_bad, "employees");
    place(&mut ev_lines, events_bad, "events");
    ev_lines.push(duplicate);
    let planted = planted
        .into_iter()
        .map(|(file, at, column, kind)| PlantedRejection {
            file,
            line: at as u64 + 1,
            column,
            kind,
        })
        .collect();
    let join = |lines: Vec<Vec<u8>>| {
        let mut out = Vec::new();
        for l in lines {
            out.extend_from_slice(&l);
            out.push(b'\n');
        }
        out
    };
    DirtyCopy {
        employees_csv: join(emp_lines),
        events_csv: join(ev_lines),
        planted,
        duplicates: 1,
    }
}

#[cfg(test)]
mod tests {
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
