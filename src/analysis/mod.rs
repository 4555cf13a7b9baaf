//! The analyses, and the one entry point that runs them all.
//!
//! [`Context`] builds what every analysis reads, once per run: the
//! timelines' absences and the returns from them. [`Analysis::run`] then runs
//! each analysis on it and gathers the results as plain serializable data,
//! which [`crate::report`] renders.
//!
//! | module | what it computes |
//! |---|---|
//! | [`trajectory`] | what happens after each return, by group; GRI 401-3 |
//! | [`peers`] | the matched peers of each return and their follow-ups |
//! | [`gap`] | returners against peers, mothers against fathers (KM, log-rank, Cox, rates) |
//! | [`diagnostics`] | the gap's robust interval, proportional hazards, hazard ratio by period, cumulative incidence |
//! | [`flags`] | mommy-track flags per return |
//! | [`concentration`] | where flags concentrate; the policy comparison |
//! | [`event_study`] | the child penalty (Kleven, Landais & Søgaard 2019) |
//! | [`disclosure`] | statutory figures (Japan, UK) |
//!
//! ```no_run
//! use mommytrack::{Analysis, Dataset, ValidConfig};
//! let config = ValidConfig::default();
//! let data = Dataset::builder(&config)
//!     .from_paths("data-samples/employees.csv", "data-samples/events.csv")?;
//! let analysis = Analysis::run(&data, &config);
//! println!("{} returns flagged", analysis.flags.len());
//! # Ok::<(), mommytrack::Error>(())
//! ```

pub mod absences;
mod bitset;
pub mod concentration;
pub mod diagnostics;
pub mod disclosure;
pub mod event_study;
pub mod flags;
pub mod gap;
mod locality;
pub mod peers;
pub mod ratings;
pub mod stall;
pub mod trajectory;

use crate::config::ValidConfig;
use crate::ingest::Dataset;
use crate::schema::TableReport;
use crate::timeline::{return_from, AbsenceFacts, Return, Timeline};
use absences::AbsenceSummary;
use chrono::NaiveDate;
use concentration::{policy_effect, Concentration, PolicyEffect};
use disclosure::{Disclosure, FiscalYear};
use event_study::EventStudy;
use flags::{flag_all, Flag};
use gap::PromotionGap;
use peers::PeerSample;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use trajectory::{Trajectory, TrajectorySummary};

/// What every analysis reads: the timelines, their absences and the returns
/// from them, built once per run, with the configuration and the analysis
/// date.
#[derive(Debug)]
pub struct Context<'a> {
    timelines: &'a [Timeline],
    config: &'a ValidConfig,
    as_of: NaiveDate,
    /// Every timeline's absences, back to back; timeline `i`'s are
    /// `absences[offsets[i]..offsets[i + 1]]`.
    absences: Vec<AbsenceFacts>,
    offsets: Vec<usize>,
    returns: Vec<Return<'a>>,
}

impl<'a> Context<'a> {
    /// Builds the absences and returns of every timeline of `data`.
    pub fn new(data: &'a Dataset, config: &'a ValidConfig) -> Context<'a> {
        Context::from_timelines(&data.timelines, config, data.as_of())
    }

    /// The same from timelines and an analysis date of the caller's.
    pub fn from_timelines(
        timelines: &'a [Timeline],
        config: &'a ValidConfig,
        as_of: NaiveDate,
    ) -> Context<'a> {
        // Each timeline's absences, once: their facts for the counts, and
        // the absences the employee came back from moved into returns.
        // Chunks of timelines in parallel (`collect` keeps their order),
        // each with one vector per kind, so that memory stays flat.
        const CHUNK: usize = 4096;
        type Chunk<'a> = (Vec<AbsenceFacts>, Vec<usize>, Vec<Return<'a>>);
        let chunks: Vec<Chunk<'a>> = timelines
            .par_chunks(CHUNK)
            .enumerate()
            .map(|(c, chunk)| {
                // The chunk's absences first, so that its returns (large:
                // each keeps its absence and a state) take their room once
                // instead of growing by doubling, each growth a copy into
                // fresh pages.
                let all: Vec<_> = chunk
                    .iter()
                    .map(|t| t.absences(config.absences()))
                    .collect();
                let upper = all.iter().map(Vec::len).sum();
                let (mut facts, mut counts) =
                    (Vec::with_capacity(upper), Vec::with_capacity(chunk.len()));
                let mut returns = Vec::with_capacity(upper);
                for (j, (t, absences)) in chunk.iter().zip(all).enumerate() {
                    counts.push(absences.len());
                    facts.extend(absences.iter().map(AbsenceFacts::of));
                    returns.extend(
                        absences
                            .into_iter()
                            .filter_map(|a| return_from(c * CHUNK + j, t, a)),
                    );
                }
                (facts, counts, returns)
            })
            .collect();
        let mut offsets = Vec::with_capacity(timelines.len() + 1);
        offsets.push(0);
        let mut absences = Vec::with_capacity(chunks.iter().map(|c| c.0.len()).sum());
        let mut returns = Vec::with_capacity(chunks.iter().map(|c| c.2.len()).sum());
        for (facts, counts, rets) in chunks {
            absences.extend(facts);
            for n in counts {
                offsets.push(offsets.last().copied().unwrap_or(0) + n);
            }
            returns.extend(rets);
        }
        Context {
            timelines,
            config,
            as_of,
            absences,
            offsets,
            returns,
        }
    }

    /// Every timeline, in input order.
    pub fn timelines(&self) -> &'a [Timeline] {
        self.timelines
    }

    /// The configuration.
    pub fn config(&self) -> &'a ValidConfig {
        self.config
    }

    /// The analysis date.
    pub fn as_of(&self) -> NaiveDate {
        self.as_of
    }

    /// The absences of timeline `i` (empty for an index out of range).
    pub fn absences_of(&self, i: usize) -> &[AbsenceFacts] {
        match (self.offsets.get(i), self.offsets.get(i + 1)) {
            (Some(&a), Some(&b)) => &self.absences[a..b],
            _ => &[],
        }
    }

    /// Every timeline with its absences, in input order.
    pub fn absences(&self) -> impl Iterator<Item = (&'a Timeline, &[AbsenceFacts])> + '_ {
        self.timelines
            .iter()
            .enumerate()
            .map(|(i, t)| (t, self.absences_of(i)))
    }

    /// Every return from an absence, in timeline order.
    pub fn returns(&self) -> &[Return<'a>] {
        &self.returns
    }

    /// Whether any return is from a childcare absence (the peer-based
    /// analyses need one).
    pub fn any_childcare_return(&self) -> bool {
        self.returns.iter().any(|r| r.absence.is_childcare())
    }
}

/// Runs `f` as `step` of [`Analysis::run_with`] and reports its wall time.
fn time<T>(on_step: &(dyn Fn(Step, Duration) + Sync), step: Step, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    on_step(step, start.elapsed());
    out
}

/// A step of [`Analysis::run_with`], reported with its wall time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Step {
    /// Absences and returns of every timeline ([`Context`]).
    Context,
    /// Trajectories after each return and their groups.
    Trajectories,
    /// The event-study panel and its fits.
    EventStudy,
    /// Absence counts.
    Absences,
    /// The statutory disclosure figures.
    Disclosure,
    /// Peer matching and follow-ups.
    Peers,
    /// Flags per return.
    Flags,
    /// The promotion gap (Kaplan–Meier, log-rank, Cox, rates).
    PromotionGap,
    /// Concentration of flags, and the policy comparison.
    Concentration,
    /// The publication step: suppression, its audit and the ledger.
    Publication,
}

impl Step {
    /// A short description, for progress and profiles.
    pub fn describe(self) -> &'static str {
        match self {
            Step::Context => "absences and returns",
            Step::Trajectories => "trajectories",
            Step::EventStudy => "event study (panel, 8 OLS fits)",
            Step::Absences => "absence counts",
            Step::Disclosure => "disclosure",
            Step::Peers => "peer matching and follow-ups",
            Step::Flags => "flags",
            Step::PromotionGap => "promotion gap (KM, log-rank, Cox fits)",
            Step::Concentration => "concentration and policy",
            Step::Publication => "publication and its audit",
        }
    }
}

/// The sections of a published tree that do not read back into their
/// types, with why.
fn unreadable_sections(tree: &serde_json::Value) -> Vec<(&'static str, String)> {
    fn check<T: serde::de::DeserializeOwned>(v: &serde_json::Value) -> Result<(), String> {
        serde_json::from_value::<T>(v.clone())
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
    type Check = fn(&serde_json::Value) -> Result<(), String>;
    let checks: [(&'static str, Check); 7] = [
        ("absences", check::<AbsenceSummary>),
        ("disclosure", check::<Option<Disclosure>>),
        ("trajectories", check::<Option<TrajectorySummary>>),
        ("promotion_gap", check::<Option<PromotionGap>>),
        ("concentration", check::<Option<Concentration>>),
        ("policy", check::<Option<PolicyEffect>>),
        ("event_study", check::<Option<EventStudy>>),
    ];
    checks
        .iter()
        .filter_map(|(key, f)| f(&tree[*key]).err().map(|why| (*key, why)))
        .collect()
}

/// Ingest figures as `report.json` shows them (`ingest.employees`, `ingest.events`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IngestSummary {
    /// Counts for `employees`.
    pub employees: TableReport,
    /// Counts for `events`.
    pub events: TableReport,
    /// Number of rejected rows, both tables.
    pub rejections: u64,
    /// Rejections by rule, both tables.
    pub rejections_by_kind: BTreeMap<String, u64>,
}

/// Everything the analysis found, as it may be published; serialized as
/// `report.json`.
///
/// [`Analysis::run`] publishes what the analyses computed through
/// [`crate::privacy`]: small counts and every figure resting on them are
/// withheld, further counts withheld where margins would give them back,
/// and [`Analysis::privacy`] is the ledger of it all.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Analysis {
    /// The crate version that made the report.
    pub crate_version: String,
    /// Analysis date.
    pub as_of: NaiveDate,
    /// The configuration used.
    pub config: crate::config::Config,
    /// What ingestion did.
    pub ingest: IngestSummary,
    /// Absences from work.
    pub absences: AbsenceSummary,
    /// Statutory disclosure figures for the latest fiscal year that ended by
    /// the analysis date (absent when none did).
    pub disclosure: Option<Disclosure>,
    /// Return-to-work trajectories (absent when no one returned).
    pub trajectories: Option<TrajectorySummary>,
    /// Returners against matched peers, mothers against fathers.
    pub promotion_gap: Option<PromotionGap>,
    /// Flags by kind and where they concentrate.
    pub concentration: Option<Concentration>,
    /// Flag rates before and after `policy_date`, when configured.
    pub policy: Option<PolicyEffect>,
    /// The child-penalty event study (`event_study.<outcome>`).
    pub event_study: Option<EventStudy>,
    /// The publication ledger: every count and pay sum, the relations
    /// between them, and the audit that no withheld one can be worked out.
    #[serde(default)]
    pub privacy: crate::privacy::Ledger,
    /// The flagged returns, written to `flags.csv` (never to `report.json`: they carry ids).
    #[serde(skip)]
    pub flags: Vec<Flag>,
}

impl Analysis {
    /// Runs every analysis on a dataset and gathers the results.
    ///
    /// ```
    /// use mommytrack::{Analysis, Dataset, ValidConfig};
    /// let config = ValidConfig::default();
    /// let data = Dataset::builder(&config)
    ///     .from_paths("data-samples/employees.csv", "data-samples/events.csv")?;
    /// let analysis = Analysis::run(&data, &config);
    /// assert!(analysis.promotion_gap.is_some());
    /// assert!(analysis.flags.iter().all(|f| (0.0..=1.0).contains(&f.severity)));
    /// # Ok::<(), mommytrack::Error>(())
    /// ```
    pub fn run(data: &Dataset, config: &ValidConfig) -> Analysis {
        Analysis::run_with(data, config, &|_, _| {})
    }

    /// [`Analysis::run`], calling `on_step` as each step ends with its wall
    /// time. The steps run in two halves side by side on rayon's pool (the
    /// peer sample and what is built on it; the rest), so `on_step` is
    /// called from both and the times overlap.
    pub fn run_with(
        data: &Dataset,
        config: &ValidConfig,
        on_step: &(dyn Fn(Step, Duration) + Sync),
    ) -> Analysis {
        let mut by_kind: BTreeMap<String, u64> = BTreeMap::new();
        for r in &data.report.rejections {
            *by_kind.entry(r.kind.as_str().to_string()).or_default() += 1;
        }
        let ctx = time(on_step, Step::Context, || Context::new(data, config));
        let any_childcare = ctx.any_childcare_return();
        // Independent parts side by side on rayon's pool (each also uses it
        // inside); all only read the context. One half: trajectories, the
        // event study, absence counts and disclosure. The other: the peers,
        // then the flags (with where they concentrate) beside the
        // promotion gap, which both need only the peers.
        let (side, (peers_part, flags)) = rayon::join(
            || {
                let ((trajectories, event_study), (absences, disclosure)) = rayon::join(
                    || {
                        rayon::join(
                            || {
                                time(on_step, Step::Trajectories, || {
                                    (!ctx.returns().is_empty()).then(|| {
                                        let t: Vec<Trajectory> = ctx
                                            .returns()
                                            .par_iter()
                                            .map(|r| Trajectory::of(r, config, ctx.as_of()))
                                            .collect();
                                        TrajectorySummary::new(&ctx, &t)
                                    })
                                })
                            },
                            || time(on_step, Step::EventStudy, || EventStudy::new(&ctx)),
                        )
                    },
                    || {
                        rayon::join(
                            || time(on_step, Step::Absences, || AbsenceSummary::new(&ctx)),
                            || {
                                time(on_step, Step::Disclosure, || {
                                    FiscalYear::last_complete(
                                        ctx.as_of(),
                                        config.fiscal_year_start(),
                                    )
                                    .filter(|fy| {
                                        ctx.timelines()
                                            .iter()
                                            .any(|t| t.employee().hire_date <= fy.end)
                                    })
                                    .map(|fy| Disclosure::compute(ctx.timelines(), fy, config))
                                })
                            },
                        )
                    },
                );
                (trajectories, event_study, absences, disclosure)
            },
            || {
                let peers = time(on_step, Step::Peers, || PeerSample::build(&ctx));
                let ((flags, concentration, policy), promotion_gap) = rayon::join(
                    || {
                        let (flags, stall_summary) = time(on_step, Step::Flags, || {
                            let stall = stall::stall_scores(&ctx, &peers);
                            let flags = flag_all(&ctx, &peers, &stall.scores);
                            (flags, stall::summary(&stall, config))
                        });
                        let (concentration, policy) = time(on_step, Step::Concentration, || {
                            let concentration = any_childcare.then(|| {
                                let mut c = Concentration::new(&ctx, &flags);
                                c.stall = Some(stall_summary);
                                c
                            });
                            let policy = config
                                .policy_date()
                                .filter(|_| any_childcare)
                                .map(|d| policy_effect(&ctx, d, &flags));
                            (concentration, policy)
                        });
                        (flags, concentration, policy)
                    },
                    || {
                        time(on_step, Step::PromotionGap, || {
                            any_childcare.then(|| PromotionGap::new(&ctx, &peers))
                        })
                    },
                );
                ((promotion_gap, concentration, policy), flags)
            },
        );
        let (trajectories, event_study, absences, disclosure) = side;
        let (promotion_gap, concentration, policy) = peers_part;
        let computed = Analysis {
            event_study,
            trajectories,
            promotion_gap,
            concentration,
            policy,
            flags,
            absences,
            disclosure,
            crate_version: env!("CARGO_PKG_VERSION").to_string(),
            as_of: data.as_of(),
            config: config
                .clone()
                .with_as_of(Some(data.as_of()))
                .config()
                .clone(),
            ingest: IngestSummary {
                employees: data.report.employees.clone(),
                events: data.report.events.clone(),
                rejections: data.report.rejections.len() as u64,
                rejections_by_kind: by_kind,
            },
            privacy: crate::privacy::Ledger::default(),
        };
        time(on_step, Step::Publication, || computed.published(config))
    }

    /// What the analyses computed, as it may be published: every count and
    /// figure through [`crate::privacy::publish`]. Fails closed: an analysis
    /// that cannot be put through it keeps nothing but its ingest figures,
    /// and its ledger says why.
    fn published(mut self, config: &ValidConfig) -> Analysis {
        let flags = std::mem::take(&mut self.flags);
        let raw = crate::suppress::with_raw(|| serde_json::to_value(&self));
        let published = raw.map_err(|e| e.to_string()).and_then(|raw| {
            let (mut tree, mut ledger) = crate::privacy::publish(&raw, config);
            if serde_json::from_value::<Analysis>(tree.clone()).is_err() {
                // Withhold whole the sections that cannot be read back.
                for (key, why) in unreadable_sections(&tree) {
                    tree[key] = match key {
                        "absences" => serde_json::to_value(AbsenceSummary::withheld())
                            .unwrap_or(serde_json::Value::Null),
                        _ => serde_json::Value::Null,
                    };
                    ledger.refuse(format!("{key}: {why}"));
                }
            }
            serde_json::from_value::<Analysis>(tree)
                .map(|mut a| {
                    a.privacy = ledger;
                    a
                })
                .map_err(|e| e.to_string())
        });
        let mut out = match published {
            Ok(a) => a,
            Err(why) => Analysis {
                absences: AbsenceSummary::withheld(),
                disclosure: None,
                trajectories: None,
                promotion_gap: None,
                concentration: None,
                policy: None,
                event_study: None,
                privacy: crate::privacy::Ledger::refused(config, why),
                ..self
            },
        };
        out.flags = flags;
        out
    }
}
