//! The child-penalty event study (Kleven, Landais & Søgaard, "Children and
//! Gender Inequality: Evidence from Denmark", AEJ: Applied 11(4), 2019).
//!
//! # Panel
//!
//! With the default `[event_study] anchor = "first_birth"` the panel is
//! built as Kleven, Landais & Søgaard define it: every woman or man with a
//! recorded `child_birth`, whether or not they took leave, the event being
//! the first birth; a parent with a childcare absence but no recorded birth
//! is anchored on the absence and counted in `parents_anchored_on_leave`
//! (and the report says so). With `anchor = "first_childcare_leave"` (the
//! panel of versions before 0.2, kept for comparison), parents are
//! employees with an absence holding maternity, paternity or parental
//! leave, and the event is the start of the first such absence. The two
//! differ where
//! maternity leave starts the year before the birth (event time shifts by
//! one), where a father took leave only for a later child, and by the
//! parents who took no leave at all (see `tests/event_anchor.rs`). Each
//! parent contributes one row per calendar year `y` in which they are
//! employed on 31 December, with event time `t = y − year(event)` inside
//! [`event_time_min`, `event_time_max`] (default −3 … 5). The outcome is read
//! from the state on that 31 December: `grade`, `responsibility`, `salary`
//! (rows without a salary are left out of that outcome) and `regular`
//! (1 = regular employment). Rows need a `birth_year` (for the age
//! dummies); rows without one are counted and left out.
//!
//! # Model
//!
//! Separately for women and men, ordinary least squares of the outcome on an
//! intercept, event-time dummies (t = −1 omitted), age dummies (the lowest
//! age present omitted) and calendar-year dummies (the earliest omitted),
//! with standard errors clustered by employee as statsmodels'
//! `cov_type="cluster"` computes them (small-sample factor
//! G/(G−1)·(N−1)/(N−K)). A dummy with no row in a gender's sample is left
//! out of that gender's model.
//!
//! The counterfactual Ỹ of a row is its prediction without the event-time
//! terms; the penalty at t is
//! `P_t = (α̂_women,t − α̂_men,t) / E[Ỹ_women | t]`, negative when women fall
//! below (the paper states it with the sign flipped). Its confidence
//! interval uses `se(P_t) = sqrt(se_w,t² + se_m,t²) / E[Ỹ_women | t]`: the
//! two samples are independent, and the variance of the counterfactual mean
//! is ignored (a delta-method simplification, documented here on purpose).
//!
//! `tests/event_study.rs` checks the coefficients against statsmodels OLS on
//! the same panel.

use super::Context;
use crate::config::EventAnchor;
use crate::schema::EventKind;
use crate::schema::Gender;
use crate::stats::{z_for, DummyOls, Factor, Reference, StatsError};
use crate::suppress::Count;
use chrono::{Datelike, NaiveDate};

use crate::Timeline;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An outcome of the event study; its name is the key under
/// `report.json`'s `event_study` (variants in the keys' alphabetical order,
/// which is the order of the map).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Outcome {
    /// Grade on 31 December.
    Grade,
    /// 1 when regular on 31 December.
    Regular,
    /// Responsibility on 31 December.
    Responsibility,
    /// Salary on 31 December.
    Salary,
}

impl Outcome {
    /// The name, as in `report.json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Grade => "grade",
            Outcome::Regular => "regular",
            Outcome::Responsibility => "responsibility",
            Outcome::Salary => "salary",
        }
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The outcomes of the event study, in report order.
pub const OUTCOMES: [Outcome; 4] = [
    Outcome::Grade,
    Outcome::Responsibility,
    Outcome::Salary,
    Outcome::Regular,
];

/// One parent-year of the panel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PanelRow {
    /// Index of the employee in the timelines (the cluster).
    pub employee: usize,
    /// Woman (`true`) or man.
    pub female: bool,
    /// Calendar year.
    pub year: i32,
    /// Age in that year.
    pub age: i32,
    /// Years since the event.
    pub event_time: i32,
    /// Grade on 31 December.
    pub grade: f64,
    /// Responsibility on 31 December.
    pub responsibility: f64,
    /// Salary on 31 December, when known.
    pub salary: Option<f64>,
    /// 1 when regular on 31 December.
    pub regular: f64,
}

impl PanelRow {
    /// The named outcome (see [`OUTCOMES`]).
    pub fn outcome(&self, outcome: Outcome) -> Option<f64> {
        match outcome {
            Outcome::Grade => Some(self.grade),
            Outcome::Responsibility => Some(self.responsibility),
            Outcome::Salary => self.salary,
            Outcome::Regular => Some(self.regular),
        }
    }
}

/// The years (and their 31 December) employee `t` contributes to the
/// panel around `event_year`: within the event window, up to the analysis
/// date, while employed.
fn panel_years<'t>(
    t: &'t Timeline,
    event_year: i32,
    (lo, hi): (i32, i32),
    as_of: NaiveDate,
) -> impl Iterator<Item = (i32, NaiveDate)> + 't {
    ((event_year + lo)..=(event_year + hi)).filter_map(move |year| {
        let dec31 = NaiveDate::from_ymd_opt(year, 12, 31)?;
        (dec31 <= as_of && t.employed_on(dec31)).then_some((year, dec31))
    })
}

/// Builds the panel (see the module docs); the second value counts the
/// parent-years left out for want of a birth year.
pub fn panel(ctx: &Context<'_>) -> (Vec<PanelRow>, u64) {
    let (timelines, config, as_of) = (ctx.timelines(), ctx.config(), ctx.as_of());
    let window = config.event_times();
    // Each employee's event year, when she is in the study.
    let event_year = |i: usize, t: &Timeline| {
        let e = t.employee();
        if !matches!(e.gender, Gender::Female | Gender::Male) {
            return None;
        }
        anchor_year(ctx, i).map(|(y, _)| y)
    };
    // How many rows each employee gives (and the years left out for want
    // of a birth year), then the rows written straight into one vector of
    // exactly that length, each employee's into her own slice: collecting
    // a flattened parallel iterator held the panel twice at once, in
    // per-thread blocks and in the joined vector.
    // (rows, years left out, event year)
    let counts: Vec<(usize, u64, i32)> = timelines
        .par_iter()
        .enumerate()
        .map(|(i, t)| match event_year(i, t) {
            None => (0, 0, 0),
            Some(y) => {
                let n = panel_years(t, y, window, as_of).count();
                match t.employee().birth_year {
                    Some(_) => (n, 0, y),
                    None => (0, n as u64, y),
                }
            }
        })
        .collect();
    let no_birth_year = counts.iter().map(|c| c.1).sum();
    let blank = PanelRow {
        employee: 0,
        female: false,
        year: 0,
        age: 0,
        event_time: 0,
        grade: 0.0,
        responsibility: 0.0,
        salary: None,
        regular: 0.0,
    };
    let mut rows = vec![blank; counts.iter().map(|c| c.0).sum()];
    let mut rest = rows.as_mut_slice();
    let slices: Vec<&mut [PanelRow]> = counts
        .iter()
        .map(|&(n, _, _)| {
            let (mine, after) = std::mem::take(&mut rest).split_at_mut(n);
            rest = after;
            mine
        })
        .collect();
    slices
        .into_par_iter()
        .enumerate()
        .filter(|(_, out)| !out.is_empty())
        .for_each(|(i, out)| {
            let (t, y) = (&timelines[i], counts[i].2);
            let e = t.employee();
            // rows were counted only for employees with a birth year
            let Some(birth_year) = e.birth_year else {
                return;
            };
            let mut walk = t.walk();
            for (row, (year, dec31)) in out.iter_mut().zip(panel_years(t, y, window, as_of)) {
                let s = walk.state_on(dec31);
                *row = PanelRow {
                    employee: i,
                    female: e.gender == Gender::Female,
                    year,
                    age: year - birth_year,
                    event_time: year - y,
                    grade: f64::from(s.grade),
                    responsibility: f64::from(s.responsibility),
                    salary: s.salary,
                    regular: f64::from(u8::from(s.employment_type.is_regular())),
                };
            }
        });
    (rows, no_birth_year)
}

/// Event time 0 of timeline `i` under the configured anchor (see
/// [`EventAnchor`]), and whether it fell back to the first childcare
/// absence for want of a recorded birth; `None` when the employee is not
/// in the study.
fn anchor_year(ctx: &Context<'_>, i: usize) -> Option<(i32, bool)> {
    let t = &ctx.timelines()[i];
    let first_leave = || {
        ctx.absences_of(i)
            .iter()
            .find(|a| a.is_childcare())
            .map(|a| a.start.year())
    };
    match ctx.config().event_study().anchor {
        EventAnchor::FirstBirth => {
            let birth = t
                .events()
                .iter()
                .find(|e| matches!(e.kind, EventKind::ChildBirth))
                .map(|e| e.date.year());
            match birth {
                Some(y) => Some((y, false)),
                None => first_leave().map(|y| (y, true)),
            }
        }
        _ => {
            if !t.has_childcare_leave() {
                return None;
            }
            first_leave().map(|y| (y, false))
        }
    }
}

/// The event-study model of one sample: OLS of the outcome on dummies for
/// event time (`omit_event_time` is the reference), age and year (lowest
/// omitted) with an intercept, standard errors clustered by employee
/// (statsmodels `OLS(y, X).fit(cov_type="cluster")`). Columns are named
/// `const`, `t_<k>`, `age_<a>`, `year_<y>`.
pub fn fit_event_model(
    rows: &[(&PanelRow, f64)],
    omit_event_time: i32,
) -> Result<DummyOls, StatsError> {
    DummyOls::fit_rows(
        rows.len(),
        |i| {
            let (r, y) = rows[i];
            ([r.event_time, r.age, r.year], y, r.employee)
        },
        &event_factors(omit_event_time),
    )
}

/// The factors of the event-study model, in its column order (see
/// [`EVENT_TIME`], [`AGE`], [`YEAR`]).
fn event_factors(omit_event_time: i32) -> [Factor<'static>; 3] {
    [
        Factor::new("t", Reference::Level(omit_event_time)),
        Factor::new("age", Reference::Lowest),
        Factor::new("year", Reference::Lowest),
    ]
}

/// [`fit_event_model`] of the outcomes every row has (grade,
/// responsibility, regular), on one design: the fits are the same, to the
/// bit, as three calls would give.
fn fit_event_models_observed(
    rows: &[&PanelRow],
    omit_event_time: i32,
) -> Result<Vec<DummyOls>, StatsError> {
    let at = |i: usize| rows[i];
    DummyOls::fit_rows_many(
        rows.len(),
        |i| ([at(i).event_time, at(i).age, at(i).year], at(i).employee),
        &[&|i| at(i).grade, &|i| at(i).responsibility, &|i| {
            at(i).regular
        }],
        &event_factors(omit_event_time),
    )
}

/// The outcomes [`fit_event_models_observed`] fits, in its order.
const OBSERVED: [Outcome; 3] = [Outcome::Grade, Outcome::Responsibility, Outcome::Regular];

/// Factors of [`fit_event_model`], in its column order.
const EVENT_TIME: usize = 0;
const AGE: usize = 1;
const YEAR: usize = 2;

/// The child penalty of one outcome, as `report.json` shows it (`event_study.<outcome>`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Penalty {
    /// Event times, years.
    pub event_time: Vec<i32>,
    /// P_t as a fraction (−0.2 = 20% below the counterfactual); `None` when not estimable or suppressed.
    pub penalty: Vec<Option<f64>>,
    /// Lower confidence bound.
    pub ci_lower: Vec<Option<f64>>,
    /// Upper confidence bound.
    pub ci_upper: Vec<Option<f64>>,
    /// α̂ for women.
    pub women_coef: Vec<Option<f64>>,
    /// α̂ for men.
    pub men_coef: Vec<Option<f64>>,
    /// E[Ỹ_women | t].
    pub women_counterfactual: Vec<Option<f64>>,
    /// Women in the sample at each event time.
    pub women: Vec<Count>,
    /// Men in the sample at each event time.
    pub men: Vec<Count>,
}

/// The event study for every outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EventStudy {
    /// Parent-years in the panel.
    pub panel_rows: u64,
    /// Parent-years left out for want of a birth year.
    pub rows_without_birth_year: u64,
    /// With `anchor = "first_birth"`: parents anchored on their first
    /// childcare absence because no birth is recorded (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub parents_anchored_on_leave: Option<Count>,
    /// By outcome: `grade`, `responsibility`, `salary`, `regular`.
    #[serde(flatten)]
    pub outcomes: BTreeMap<Outcome, Penalty>,
}

impl EventStudy {
    /// Runs the event study; `None` when there is no parent of either gender.
    pub fn new(ctx: &Context<'_>) -> Option<EventStudy> {
        let config = ctx.config();
        let (rows, no_birth_year) = panel(ctx);
        if !rows.iter().any(|r| r.female) || !rows.iter().any(|r| !r.female) {
            return None;
        }
        let (lo, hi) = config.event_times();
        let z = z_for(config.confidence_level());
        let min = config.min_group_size() as u64;
        // Per gender, the outcomes every row has on one design, and the
        // salary on the rows that have one; the genders in parallel.
        let fits_of = |female: bool| -> BTreeMap<Outcome, DummyOls> {
            let own: Vec<&PanelRow> = rows.iter().filter(|r| r.female == female).collect();
            let (observed, salary) = rayon::join(
                || fit_event_models_observed(&own, -1).ok(),
                || {
                    let sample: Vec<(&PanelRow, f64)> = own
                        .iter()
                        .filter_map(|r| r.salary.map(|y| (*r, y)))
                        .collect();
                    fit_event_model(&sample, -1).ok()
                },
            );
            let observed = observed
                .into_iter()
                .flat_map(|fits| OBSERVED.into_iter().zip(fits));
            observed
                .chain(salary.map(|f| (Outcome::Salary, f)))
                .collect()
        };
        let (mut women_fits, mut men_fits) = rayon::join(|| fits_of(true), || fits_of(false));
        let fitted: Vec<(Outcome, Option<DummyOls>, Option<DummyOls>)> = OUTCOMES
            .iter()
            .map(|o| (*o, women_fits.remove(o), men_fits.remove(o)))
            .collect();
        // Each outcome's figures, in parallel.
        let outcomes: BTreeMap<Outcome, Penalty> = fitted
            .into_par_iter()
            .map(|(name, fw, fm)| {
                // Each gender's rows with this outcome, read where they
                // lie (not gathered: a vector per outcome and gender was
                // about 16 bytes a panel row).
                let sample = |female: bool| {
                    rows.iter()
                        .filter(move |r| r.female == female && r.outcome(name).is_some())
                };
                let mut p = Penalty {
                    event_time: (lo..=hi).collect(),
                    penalty: vec![],
                    ci_lower: vec![],
                    ci_upper: vec![],
                    women_coef: vec![],
                    men_coef: vec![],
                    women_counterfactual: vec![],
                    women: vec![],
                    men: vec![],
                };
                // Each parent has at most one row per event time: rows are
                // persons. Per event time, in one pass over each sample: the
                // persons, and the women's prediction without event-time
                // terms (the intercept plus the age and year effects, 0 for
                // omitted levels), summed in row order.
                let span = (hi - lo + 1).max(0) as usize;
                let slot = |t: i32| usize::try_from(t - lo).ok().filter(|&k| k < span);
                let mut women_at = vec![0u64; span];
                let mut men_at = vec![0u64; span];
                let mut cf_sum = vec![0.0f64; span];
                for r in sample(true) {
                    if let Some(k) = slot(r.event_time) {
                        women_at[k] += 1;
                        if let Some(f) = &fw {
                            cf_sum[k] +=
                                f.coefficients[0] + f.effect(AGE, r.age) + f.effect(YEAR, r.year);
                        }
                    }
                }
                for r in sample(false) {
                    if let Some(k) = slot(r.event_time) {
                        men_at[k] += 1;
                    }
                }
                for (k, t) in (lo..=hi).enumerate() {
                    let (nw, nm) = (women_at[k], men_at[k]);
                    let shown = nw >= min && nm >= min;
                    let coef = |f: &Option<DummyOls>| {
                        if t == -1 {
                            f.as_ref().map(|_| (0.0, 0.0))
                        } else {
                            f.as_ref().and_then(|f| f.level(EVENT_TIME, t))
                        }
                    };
                    let (cw, cm) = (coef(&fw), coef(&fm));
                    let cf = (fw.is_some() && nw > 0).then(|| cf_sum[k] / nw as f64);
                    let est = match (shown, cw, cm, cf) {
                        (true, Some(a), Some(b), Some(c)) if c.abs() > 1e-12 => {
                            let pen = (a.0 - b.0) / c;
                            let se = (a.1 * a.1 + b.1 * b.1).sqrt() / c.abs();
                            Some((pen, pen - z * se, pen + z * se))
                        }
                        _ => None,
                    };
                    p.penalty.push(est.map(|e| e.0));
                    p.ci_lower.push(est.map(|e| e.1));
                    p.ci_upper.push(est.map(|e| e.2));
                    p.women_coef
                        .push(shown.then_some(cw.map(|c| c.0)).flatten());
                    p.men_coef.push(shown.then_some(cm.map(|c| c.0)).flatten());
                    p.women_counterfactual.push(shown.then_some(cf).flatten());
                    p.women.push(Count::new(nw, min as usize));
                    p.men.push(Count::new(nm, min as usize));
                }
                (name, p)
            })
            .collect();
        let parents_anchored_on_leave = (config.event_study().anchor == EventAnchor::FirstBirth)
            .then(|| {
                let n = (0..ctx.timelines().len())
                    .into_par_iter()
                    .filter(|&i| {
                        matches!(
                            ctx.timelines()[i].employee().gender,
                            Gender::Female | Gender::Male
                        ) && anchor_year(ctx, i).is_some_and(|a| a.1)
                    })
                    .count();
                Count::new(n as u64, config.min_group_size())
            });
        Some(EventStudy {
            parents_anchored_on_leave,
            panel_rows: rows.len() as u64,
            rows_without_birth_year: no_birth_year,
            outcomes,
        })
    }
}
