//! Survival statistics for any CSV: Kaplan–Meier, log-rank, Cox.
//!
//! `cargo run --release --example survival -- FILE --duration COL --event COL
//! [--group COL] [--covariates A,B,...] [--ties efron|breslow] [--entry COL] [--cluster COL] --json`
//!
//! `--entry` gives each subject's entry time (left truncation, at risk when
//! entry < t ≤ duration) to Kaplan–Meier, the log-rank test and Cox.
//! `--cluster` gives Cox cluster-robust standard errors (rows with the same
//! value may be dependent: the same person followed twice, say); `se` is
//! then the robust one and `model_se` the model-based one.

use clap::Parser;
use mommytrack::stats::{logrank_with_entry, CoxModel, KaplanMeier, Ties};
use serde_json::{json, Map, Value};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(about = "Kaplan–Meier, log-rank and Cox on any CSV (duration ≥ 0, event 0/1)")]
struct Args {
    /// The CSV file (header row).
    file: PathBuf,
    /// Column of durations.
    #[arg(long)]
    duration: String,
    /// Column of event indicators (1 = event, 0 = censored).
    #[arg(long)]
    event: String,
    /// Column of groups: one curve each, and a log-rank test.
    #[arg(long)]
    group: Option<String>,
    /// Comma-separated covariate columns for a Cox model.
    #[arg(long, value_delimiter = ',')]
    covariates: Vec<String>,
    /// Tie handling for Cox.
    #[arg(long, default_value = "efron")]
    ties: String,
    /// Column of entry times (left truncation) for Kaplan–Meier, log-rank and Cox.
    #[arg(long)]
    entry: Option<String>,
    /// Column of cluster labels (any text) for Cox's robust standard errors.
    #[arg(long)]
    cluster: Option<String>,
    /// Print one JSON object (the contract's format).
    #[arg(long)]
    json: bool,
}

struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn column(&self, name: &str) -> Result<Vec<&str>, String> {
        let i = self
            .header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| format!("no column `{name}` in the header"))?;
        Ok(self.rows.iter().map(|r| r[i].as_str()).collect())
    }

    fn numbers(&self, name: &str) -> Result<Vec<f64>, String> {
        self.column(name)?
            .iter()
            .enumerate()
            .map(|(k, v)| {
                v.trim()
                    .parse::<f64>()
                    .map_err(|_| format!("line {}, column `{name}`: {v:?} is not a number", k + 2))
            })
            .collect()
    }
}

fn run(args: &Args) -> Result<Value, String> {
    let mut reader =
        csv::Reader::from_path(&args.file).map_err(|e| format!("{}: {e}", args.file.display()))?;
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| e.to_string())?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let mut rows = Vec::new();
    for (k, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|e| format!("line {}: {e}", k + 2))?;
        rows.push(rec.iter().map(String::from).collect());
    }
    let table = Table { header, rows };
    let durations = table.numbers(&args.duration)?;
    let events: Vec<bool> = table
        .numbers(&args.event)?
        .iter()
        .enumerate()
        .map(|(k, v)| {
            if *v == 0.0 {
                Ok(false)
            } else if *v == 1.0 {
                Ok(true)
            } else {
                let column = &args.event;
                Err(format!(
                    "line {}, column `{column}`: {v} is not 0 or 1",
                    k + 2
                ))
            }
        })
        .collect::<Result<_, _>>()?;
    let groups: Option<Vec<&str>> = args.group.as_deref().map(|g| table.column(g)).transpose()?;
    let entry: Option<Vec<f64>> = args
        .entry
        .as_deref()
        .map(|c| table.numbers(c))
        .transpose()?;
    let mut curves = Map::new();
    let mut labels: Vec<&str> = groups.as_ref().map_or(vec!["all"], |g| g.clone());
    labels.sort();
    labels.dedup();
    for label in &labels {
        let idx: Vec<usize> = (0..durations.len())
            .filter(|&i| groups.as_ref().is_none_or(|g| g[i] == *label))
            .collect();
        let d: Vec<f64> = idx.iter().map(|&i| durations[i]).collect();
        let e: Vec<bool> = idx.iter().map(|&i| events[i]).collect();
        let en: Option<Vec<f64>> = entry
            .as_ref()
            .map(|en| idx.iter().map(|&i| en[i]).collect());
        let km = KaplanMeier::fit(&d, &e, en.as_deref(), 0.95).map_err(|e| e.to_string())?;
        curves.insert(
            label.to_string(),
            json!({
                "time": km.points.iter().map(|p| p.time).collect::<Vec<_>>(),
                "survival": km.points.iter().map(|p| p.survival).collect::<Vec<_>>(),
                "ci_lower": km.points.iter().map(|p| p.ci_lower).collect::<Vec<_>>(),
                "ci_upper": km.points.iter().map(|p| p.ci_upper).collect::<Vec<_>>(),
                "median": km.median(),
            }),
        );
    }
    let logrank = match &groups {
        Some(g) => {
            let r = logrank_with_entry(entry.as_deref(), &durations, &events, g)
                .map_err(|e| e.to_string())?;
            json!({ "statistic": r.statistic, "df": r.df, "p_value": r.p_value })
        }
        None => Value::Null,
    };
    let cox = if args.covariates.is_empty() {
        Value::Null
    } else {
        let ties = match args.ties.as_str() {
            "efron" => Ties::Efron,
            "breslow" => Ties::Breslow,
            other => return Err(format!("--ties {other}: expected efron or breslow")),
        };
        let cols: Vec<Vec<f64>> = args
            .covariates
            .iter()
            .map(|c| table.numbers(c))
            .collect::<Result<_, _>>()?;
        let refs: Vec<&[f64]> = cols.iter().map(|c| c.as_slice()).collect();
        let names: Vec<&str> = args.covariates.iter().map(|c| c.as_str()).collect();
        let model = CoxModel::default().with_ties(ties);
        let fit = match &args.cluster {
            Some(col) => {
                // Labels as numbers, by first appearance.
                let mut ids = std::collections::HashMap::new();
                let labels: Vec<u64> = table
                    .column(col)?
                    .iter()
                    .map(|v| {
                        let next = ids.len() as u64;
                        *ids.entry(*v).or_insert(next)
                    })
                    .collect();
                model.fit_clustered(
                    entry.as_deref(),
                    &durations,
                    &events,
                    &refs,
                    &names,
                    None,
                    &labels,
                )
            }
            None => {
                model.fit_with_entry(entry.as_deref(), &durations, &events, &refs, &names, None)
            }
        }
        .map_err(|e| e.to_string())?;
        let mut coefficients = Map::new();
        for c in &fit.coefficients {
            coefficients.insert(
                c.name.clone(),
                json!({ "coef": c.coef, "se": c.se, "model_se": c.model_se, "z": c.z, "p_value": c.p_value,
                        "hazard_ratio": c.hazard_ratio, "hr_ci_lower": c.hr_ci_lower, "hr_ci_upper": c.hr_ci_upper }),
            );
        }
        json!({ "ties": args.ties, "log_likelihood": fit.log_likelihood, "clusters": fit.clusters,
                "coefficients": coefficients })
    };
    Ok(json!({
        "n": durations.len(),
        "events": events.iter().filter(|e| **e).count(),
        "kaplan_meier": curves,
        "logrank": logrank,
        "cox": cox,
    }))
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(v) => {
            if args.json {
                println!("{v}");
            } else {
                println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
