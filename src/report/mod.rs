//! What the analysis reports, and how it is written: `flags.csv`,
//! `rejections.csv`, `report.json`, `report.md` and `report.html`.
//!
//! The analyses return plain serializable data ([`Analysis`]); this module
//! only renders it. Aggregates obey small-cell suppression (see
//! [`Count`](crate::Count)), and no employee id appears in any aggregate:
//! ids are only in `flags.csv` and `rejections.csv`, which go to the HR
//! team, never to a wider audience.
//!
//! ```no_run
//! use mommytrack::{report, Analysis, Dataset, ValidConfig};
//! let config = ValidConfig::default();
//! let data = Dataset::builder(&config)
//!     .from_paths("data-samples/employees.csv", "data-samples/events.csv")?;
//! let analysis = Analysis::run(&data, &config);
//! report::write_all("out".as_ref(), &data, &analysis)?;
//! # Ok::<(), mommytrack::Error>(())
//! ```

mod charts;
mod disclosure_text;
mod doc;
mod document;
mod evidence;
mod html;
mod markdown;
mod returner;
mod write;

pub use returner::returner_page;
pub use write::{write_flags, write_json, write_rejections, write_text};

use crate::analysis::Analysis;
use crate::error::{Error, Result};
use crate::ingest::Dataset;
use std::path::Path;

/// The files [`write_all`] writes (side by side; an error is reported
/// for the first of them in this order).
pub const OUTPUT_FILES: [&str; 5] = [
    "rejections.csv",
    "flags.csv",
    "report.json",
    "report.md",
    "report.html",
];

/// Writes every output into `dir` (created when missing): `rejections.csv`,
/// `flags.csv`, `report.json`, `report.md` and `report.html`.
pub fn write_all(dir: &Path, data: &Dataset, analysis: &Analysis) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Output {
        path: dir.to_path_buf(),
        source,
    })?;
    // The two CSV files beside the three reports (each side in order);
    // the first error in the order of [`OUTPUT_FILES`] is the answer.
    let (tables, reports) = rayon::join(
        || {
            write_rejections(&dir.join("rejections.csv"), &data.report.rejections)?;
            write_flags(&dir.join("flags.csv"), &analysis.flags)
        },
        || {
            write_json(&dir.join("report.json"), analysis)?;
            write_text(&dir.join("report.md"), &analysis.to_markdown())?;
            write_text(&dir.join("report.html"), &analysis.to_html())
        },
    );
    tables.and(reports)
}

/// The confidence level of every interval, in percent, for labels: `95`
/// for a significance level of 0.05, `99.5` for 0.005.
///
/// ```
/// assert_eq!(mommytrack::report::confidence_percent(0.05), "95");
/// assert_eq!(mommytrack::report::confidence_percent(0.1), "90");
/// assert_eq!(mommytrack::report::confidence_percent(0.005), "99.5");
/// ```
pub fn confidence_percent(significance_level: f64) -> String {
    let pct = (1.0 - significance_level) * 100.0;
    // Twelve significant digits drop the binary noise of 1 − α (0.95 → 94.99999999999999).
    let rounded = (pct * 1e9).round() / 1e9;
    format!("{rounded}")
}

/// What event time 0 of the event study is, in words.
pub(crate) fn event_label(anchor: crate::config::EventAnchor) -> &'static str {
    match anchor {
        crate::config::EventAnchor::FirstChildcareLeave => "the first childcare leave",
        _ => "the first birth",
    }
}

/// Groups for a reader: the significant first, then by excess of flags
/// over expected, largest first (ties by name).
pub(crate) fn by_excess(
    groups: &[crate::analysis::concentration::GroupConcentration],
) -> Vec<&crate::analysis::concentration::GroupConcentration> {
    let mut v: Vec<_> = groups.iter().collect();
    v.sort_by(|a, b| {
        b.significant.cmp(&a.significant).then(
            b.excess
                .unwrap_or(f64::NEG_INFINITY)
                .total_cmp(&a.excess.unwrap_or(f64::NEG_INFINITY)),
        )
    });
    v
}

/// A difference of shares with its interval, in percentage points
/// ("−4.8 pts (−5.1 to −4.5)"), or a dash.
pub(crate) fn points(d: Option<[f64; 3]>) -> String {
    d.map_or("—".into(), |d| {
        format!(
            "{:+.1} pts ({:+.1} to {:+.1})",
            d[0] * 100.0,
            d[1] * 100.0,
            d[2] * 100.0
        )
    })
}

/// A follow-up period in months ("12–24", "60+").
pub(crate) fn period(p: &crate::analysis::diagnostics::PeriodHazardRatio) -> String {
    match p.to_months {
        Some(to) => format!("{}–{}", p.from_months, to),
        None => format!("{}+", p.from_months),
    }
}
