//! Publication that holds by construction: no withheld figure can be worked
//! back out of `report.json`, the Markdown or the HTML report.
//!
//! Every people count in the report is a [`Count`](crate::Count) and every
//! sum of pay a [`PaySum`](crate::PaySum); [`Analysis::run`](crate::Analysis::run)
//! (and [`publish_section`], for one section) reads all of them
//! from the analysis at once, with the relations between them and the
//! figures computed from them, and:
//!
//! 1. withholds each count in `1..min_group_size` (and each zero with
//!    `protect_zeros`), and each pay sum over fewer people or failing the
//!    p% rule (primary suppression);
//! 2. withholds further cells until no withheld count can be narrowed by
//!    the published cells and relations to an interval narrower than
//!    `min_group_size`, nor a withheld pay sum to within `pay_p_percent` of
//!    its largest contribution ([`System::protect`], secondary suppression,
//!    audited by integer programming);
//! 3. withholds every figure that rests on a withheld cell: rates, shares,
//!    means, medians, intervals, tests, impact ratios, pay ratios;
//! 4. records the whole publication in the ledger `report.json` →
//!    `privacy` ([`Ledger`]), in the contract's form, so that an outside
//!    auditor can run the same attack.
//!
//! What relates to what is listed in one place, `spec.rs`:
//!
//! | relation | where |
//! |---|---|
//! | a row and its total | absences by type × gender (absences = returned + on leave + exited) |
//! | groups and the whole | return-year cohorts, the trajectory groups by leave × gender, by department and by cohort (their returns, and each count seen at each horizon), the listed managers and departments (+ the rest, printed in the ledger only) |
//! | nested groups | a department = Σ of its returns from each listed manager + the rest; a manager likewise over departments (the department × manager cells are in the ledger only) |
//! | before + after = overall | the policy date's returns and flags |
//! | mothers + fathers = all | returners' head counts and every promotion rate's counts; the departments' returners in the two-year rate |
//! | the same people twice | a cohort in `trajectories` and in `concentration`; the women on the last day of the fiscal year |
//! | statutory margins | all workers = women + men + the rest; regular + non-regular pay = all pay; UK quartiles = women + men, and their sums |
//! | ratios | every rate, share and percentage, with its numerator, denominator and rounding |
//! | derived figures | intervals, tests, means, medians, excess and shrunken ratios, pay ratios, comparisons: withheld with any cell they rest on |
//!
//! A cell the report prints nowhere (the rest of a list) is published in
//! the ledger alone, by the same rules as every count: shown when it is
//! safe, withheld and protected otherwise.
//!
//! ```
//! use mommytrack::{Analysis, Dataset, ValidConfig};
//! let config = ValidConfig::default();
//! let data = Dataset::builder(&config)
//!     .from_paths("data-samples/employees.csv", "data-samples/events.csv")?;
//! let analysis = Analysis::run(&data, &config);
//! let audit = &analysis.privacy.audit;
//! assert!(audit.passed);
//! assert!(audit.narrowest.is_none_or(|w| w >= 5));
//! # Ok::<(), mommytrack::Error>(())
//! ```

mod audit;
mod spec;

pub use audit::{AuditError, CellKind, Protection, System};

use crate::config::ValidConfig;
use serde::{Deserialize, Serialize};
use serde_json::{Number, Value};
use std::collections::HashMap;

/// One published cell of the ledger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LedgerCell {
    /// A stable, unique name.
    pub id: String,
    /// `count` or `pay_sum`.
    pub kind: CellKind,
    /// The value, `None` when withheld.
    pub value: Option<Number>,
    /// Whether it is withheld, for any reason.
    pub suppressed: bool,
    /// Every place in `report.json` where it is printed.
    pub paths: Vec<String>,
}

/// A relation between published cells and figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum Relation {
    /// `sum` = Σ `of`.
    Sum {
        /// The total's cell id.
        sum: String,
        /// The parts' cell ids.
        of: Vec<String>,
    },
    /// A published figure = numerator ÷ denominator × scale.
    Ratio {
        /// The path of the figure in `report.json`.
        ratio: String,
        /// The numerator's cell id.
        numerator: String,
        /// The denominator's cell id.
        denominator: String,
        /// 1, or 100 for a percentage.
        scale: u32,
        /// The figure as published, `None` when withheld.
        value: Option<f64>,
        /// Its rounding in decimals; `None` for full precision.
        decimals: Option<u32>,
    },
}

/// What the library's own audit found.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LedgerAudit {
    /// Cells in the ledger.
    pub cells: usize,
    /// Of which withheld.
    pub suppressed: usize,
    /// Relations in the ledger.
    pub relations: usize,
    /// The smallest width to which any withheld count can be narrowed
    /// (`None` when nothing is withheld, or no withheld count is bounded).
    pub narrowest: Option<u64>,
    /// `narrowest ≥ min_group_size` and every withheld pay sum protected,
    /// or nothing withheld.
    pub passed: bool,
    /// Cells that could not be protected (and whose tables were therefore
    /// withheld whole); empty when the audit passed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refused: Vec<String>,
}

/// The publication ledger, `report.json` → `privacy`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Ledger {
    /// The minimum group size.
    pub min_group_size: usize,
    /// The p% rule's percentage.
    pub pay_p_percent: f64,
    /// Every published cell.
    pub cells: Vec<LedgerCell>,
    /// Every relation between them and the figures computed from them.
    pub relations: Vec<Relation>,
    /// The audit.
    pub audit: LedgerAudit,
}

impl Ledger {
    /// Records a part of the report withheld whole, and why; the audit
    /// then fails.
    pub(crate) fn refuse(&mut self, why: String) {
        self.audit.refused.push(why);
        self.audit.passed = false;
    }

    /// The ledger of a publication that was refused whole, and why.
    pub(crate) fn refused(config: &ValidConfig, why: String) -> Ledger {
        Ledger {
            min_group_size: config.min_group_size(),
            pay_p_percent: config.pay_p_percent(),
            cells: Vec::new(),
            relations: Vec::new(),
            audit: LedgerAudit {
                passed: false,
                refused: vec![format!("the whole report: {why}")],
                ..LedgerAudit::default()
            },
        }
    }
}

/// A path in a JSON tree, as the ledger writes it: `a.b[0].c`.
fn child(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// The value at `path`.
pub(crate) fn get<'v>(root: &'v Value, path: &str) -> Option<&'v Value> {
    let mut v = root;
    for seg in segments(path) {
        v = match seg {
            Seg::Key(k) => v.get(k)?,
            Seg::Index(i) => v.get(i)?,
        };
    }
    Some(v)
}

fn get_mut<'v>(root: &'v mut Value, path: &str) -> Option<&'v mut Value> {
    let mut v = root;
    for seg in segments(path) {
        v = match seg {
            Seg::Key(k) => v.get_mut(k)?,
            Seg::Index(i) => v.get_mut(i)?,
        };
    }
    Some(v)
}

enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

fn segments(path: &str) -> Vec<Seg<'_>> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (key, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            out.push(Seg::Key(key));
        }
        while let Some(end) = rest.find(']') {
            if let Ok(i) = rest[1..end].parse() {
                out.push(Seg::Index(i));
            }
            rest = &rest[end + 1..];
        }
    }
    out
}

/// What the raw tree holds for the publication step alone: read by the
/// spec, removed from what is published.
const RAW_ONLY: [&str; 1] = ["concentration.department_managers"];

/// A cell as the analysis made it.
#[derive(Debug, Clone)]
struct RawCell {
    /// Where the report prints it; for a cell printed nowhere (the rest of
    /// a list that shows only its larger groups), its id.
    path: String,
    /// Whether the report prints it at `path`.
    printed: bool,
    kind: CellKind,
    value: f64,
    largest: f64,
    second: f64,
    persons: u64,
    withheld: bool,
}

/// A figure computed from cells, withheld with any of them.
#[derive(Debug, Clone)]
struct Derived {
    path: String,
    rests_on: Vec<usize>,
    /// What the figure becomes when withheld (null, an empty list, …).
    withheld_as: Value,
    /// (numerator, denominator, scale, decimals) of a ratio.
    ratio: Option<(usize, usize, u32, Option<u32>)>,
}

/// The cells of a raw analysis, and what the spec declares about them.
pub(crate) struct Builder<'a> {
    raw: &'a Value,
    cells: Vec<RawCell>,
    by_path: HashMap<String, usize>,
    sums: Vec<(usize, Vec<usize>)>,
    derived: Vec<Derived>,
}

impl<'a> Builder<'a> {
    fn new(raw: &'a Value) -> Builder<'a> {
        let mut b = Builder {
            raw,
            cells: Vec::new(),
            by_path: HashMap::new(),
            sums: Vec::new(),
            derived: Vec::new(),
        };
        b.collect(raw, String::new());
        b
    }

    /// Every count object (`value`, `suppressed`, `n`) and pay sum
    /// (`value`, `suppressed`, `pay`) of the raw tree.
    fn collect(&mut self, v: &Value, path: String) {
        match v {
            Value::Object(m) if m.contains_key("suppressed") && m.contains_key("n") => {
                let n = m.get("n").and_then(Value::as_f64).unwrap_or(0.0);
                let withheld = m.get("suppressed").and_then(Value::as_bool).unwrap_or(true);
                self.push(RawCell {
                    path,
                    printed: true,
                    kind: CellKind::Count,
                    value: n,
                    largest: 0.0,
                    second: 0.0,
                    persons: 0,
                    withheld,
                });
            }
            Value::Object(m) if m.contains_key("suppressed") && m.contains_key("pay") => {
                let pay = m.get("pay");
                let num = |i: usize, j: usize| {
                    pay.and_then(|p| p.get(i))
                        .and_then(|p| if j == usize::MAX { Some(p) } else { p.get(j) })
                        .and_then(Value::as_f64)
                        .unwrap_or(0.0)
                };
                let withheld = m.get("suppressed").and_then(Value::as_bool).unwrap_or(true);
                self.push(RawCell {
                    path,
                    printed: true,
                    kind: CellKind::PaySum,
                    value: num(0, 0),
                    largest: num(0, 1),
                    second: num(0, 2),
                    persons: num(1, usize::MAX) as u64,
                    withheld,
                });
            }
            Value::Object(m) => {
                for (k, x) in m {
                    if (path.is_empty() && k == "config")
                        || RAW_ONLY.contains(&child(&path, k).as_str())
                    {
                        continue;
                    }
                    self.collect(x, child(&path, k));
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    self.collect(x, format!("{path}[{i}]"));
                }
            }
            _ => {}
        }
    }

    fn push(&mut self, c: RawCell) {
        self.by_path.insert(c.path.clone(), self.cells.len());
        self.cells.push(c);
    }

    /// The raw tree.
    pub(crate) fn raw(&self) -> &'a Value {
        self.raw
    }

    /// The length of the list at `path` (0 when there is none).
    pub(crate) fn len(&self, path: &str) -> usize {
        get(self.raw, path)
            .and_then(Value::as_array)
            .map_or(0, Vec::len)
    }

    /// The cell printed at `path`.
    pub(crate) fn cell(&self, path: &str) -> Option<usize> {
        self.by_path.get(path).copied()
    }

    /// The true value of the count at `path`.
    pub(crate) fn value(&self, path: &str) -> Option<f64> {
        self.cell(path).map(|i| self.cells[i].value)
    }

    /// A count the report prints nowhere, published in the ledger alone
    /// under `id` by the same rules as every count; returns its id.
    pub(crate) fn hidden(&mut self, id: &str, value: f64) -> String {
        self.push(RawCell {
            path: id.to_string(),
            printed: false,
            kind: CellKind::Count,
            value,
            largest: 0.0,
            second: 0.0,
            persons: 0,
            withheld: false,
        });
        id.to_string()
    }

    /// Declares that every list of `partitions` adds up to one total,
    /// printed nowhere (published in the ledger alone, under `id`, by the
    /// same rules as every count). Nothing is declared unless every list
    /// holds cells whose true values add up to the same total.
    pub(crate) fn same_total(&mut self, id: &str, partitions: &[Vec<String>]) {
        let sums: Option<Vec<f64>> = partitions
            .iter()
            .map(|p| p.iter().map(|c| self.value(c)).sum::<Option<f64>>())
            .collect();
        let Some(sums) = sums.filter(|s| !s.is_empty()) else {
            return;
        };
        if sums.iter().any(|s| *s != sums[0]) {
            return;
        }
        self.hidden(id, sums[0]);
        for p in partitions.iter().filter(|p| !p.is_empty()) {
            self.sum(id, p);
        }
    }

    /// Declares `total = Σ parts + rest`, where `rest` is a count the
    /// report prints nowhere (the groups a list leaves out), named `id`;
    /// the rest is published in the ledger alone, under the same rules as
    /// every count. Nothing is declared when the parts exceed the total
    /// (then they are not a partition of it).
    pub(crate) fn sum_with_rest(&mut self, id: &str, total: &str, parts: &[String]) {
        let (Some(t), Some(vs)) = (
            self.value(total),
            parts
                .iter()
                .map(|p| self.value(p))
                .collect::<Option<Vec<f64>>>(),
        ) else {
            return;
        };
        let rest = t - vs.iter().sum::<f64>();
        if rest < 0.0 {
            return;
        }
        self.hidden(id, rest);
        let mut all = parts.to_vec();
        all.push(id.to_string());
        self.sum(total, &all);
    }

    /// Declares `total = Σ parts` (ignored when a path holds no cell).
    pub(crate) fn sum(&mut self, total: &str, parts: &[String]) {
        let Some(t) = self.cell(total) else { return };
        let ps: Option<Vec<usize>> = parts.iter().map(|p| self.cell(p)).collect();
        if let Some(ps) = ps.filter(|ps| !ps.is_empty()) {
            self.sums.push((t, ps));
        }
    }

    /// Declares that the figure at `path` rests on the cells at `cells`
    /// and becomes `withheld_as` with any of them.
    pub(crate) fn derived(&mut self, path: &str, cells: &[&str], withheld_as: Value) {
        if get(self.raw, path).is_none() {
            return;
        }
        let rests_on: Vec<usize> = cells.iter().filter_map(|c| self.cell(c)).collect();
        self.derived.push(Derived {
            path: path.to_string(),
            rests_on,
            withheld_as,
            ratio: None,
        });
    }

    /// Declares the figure at `path` = `num ÷ den × scale`, printed with
    /// `decimals` (`None`: full precision).
    pub(crate) fn ratio(
        &mut self,
        path: &str,
        num: &str,
        den: &str,
        scale: u32,
        decimals: Option<u32>,
    ) {
        if get(self.raw, path).is_none() {
            return;
        }
        let (Some(n), Some(d)) = (self.cell(num), self.cell(den)) else {
            return;
        };
        self.derived.push(Derived {
            path: path.to_string(),
            rests_on: vec![n, d],
            withheld_as: Value::Null,
            ratio: Some((n, d, scale, decimals)),
        });
    }
}

/// Publishes one section of the report on its own (for example the
/// disclosure figures, `"disclosure"`, as the `disclose` example writes
/// them): the same suppression, relations and audit as in the whole
/// report, over that section's cells only. Returns the section as it may
/// be published, with its ledger.
///
/// ```
/// use mommytrack::analysis::disclosure::{Disclosure, FiscalYear};
/// use mommytrack::{privacy, Dataset, ValidConfig};
/// let config = ValidConfig::default();
/// let data = Dataset::builder(&config)
///     .from_paths("data-samples/employees.csv", "data-samples/events.csv")?;
/// let fy = FiscalYear::new(2024, (4, 1)).unwrap();
/// let d = Disclosure::compute(&data.timelines, fy, &config);
/// let (published, ledger) = privacy::publish_section("disclosure", &d, &config)?;
/// assert!(ledger.audit.passed);
/// assert!(published.leave_uptake.iter().all(|u| u.rate.numerator.value.is_none() == u.rate.percent.is_none() || u.rate.denominator.value == Some(0)));
/// # Ok::<(), mommytrack::Error>(())
/// ```
pub fn publish_section<T>(key: &str, part: &T, config: &ValidConfig) -> crate::Result<(T, Ledger)>
where
    T: Serialize + serde::de::DeserializeOwned,
{
    let encode = |source: serde_json::Error| crate::Error::Publish {
        section: key.to_string(),
        source,
    };
    let raw = crate::suppress::with_raw(|| serde_json::to_value(part)).map_err(encode)?;
    let mut wrapped = serde_json::Map::new();
    wrapped.insert(key.to_string(), raw);
    let (mut tree, ledger) = publish(&Value::Object(wrapped), config);
    let section = tree[key].take();
    let published = serde_json::from_value(section).map_err(encode)?;
    Ok((published, ledger))
}

/// Publishes a raw analysis tree (counts and pay sums with their true
/// values): returns the tree as it may be published and its ledger.
pub(crate) fn publish(raw: &Value, config: &ValidConfig) -> (Value, Ledger) {
    let (min, p) = (config.min_group_size(), config.pay_p_percent());
    let mut b = Builder::new(raw);
    spec::declare(&mut b);
    // Primary suppression, then the system of cells and relations.
    let mut system = System::new();
    for c in &b.cells {
        let primary = match c.kind {
            CellKind::Count => {
                (c.value > 0.0 && c.value < min as f64)
                    || (config.protect_zeros() && c.value == 0.0)
            }
            CellKind::PaySum => {
                (c.persons > 0 && c.persons < min as u64)
                    || crate::suppress::p_rule_fails(c.value, c.largest, c.second, p)
            }
        };
        let withheld = c.withheld || primary;
        match c.kind {
            CellKind::Count => system.count(c.value, withheld),
            CellKind::PaySum => system.pay_sum(c.value, c.largest, withheld),
        };
    }
    for (t, parts) in &b.sums {
        system.sum(*t, parts);
    }
    let mut protection = system.protect(min, p);
    if !protection.passed {
        // Fail closed: withhold every cell of every relation that holds an
        // unprotected cell, and audit again.
        for &u in &protection.unprotected {
            for (t, parts) in &b.sums {
                if *t == u || parts.contains(&u) {
                    system.withhold(*t);
                    for &q in parts {
                        system.withhold(q);
                    }
                }
            }
        }
        protection = system.protect(min, p);
    }
    let withheld: Vec<bool> = (0..b.cells.len()).map(|i| system.is_withheld(i)).collect();
    // The published tree.
    let mut out = raw.clone();
    for path in RAW_ONLY {
        if let Some((parent, key)) = path.rsplit_once('.') {
            if let Some(Value::Object(m)) = get_mut(&mut out, parent) {
                m.remove(key);
            }
        }
    }
    for (i, c) in b.cells.iter().enumerate().filter(|(_, c)| c.printed) {
        if let Some(Value::Object(m)) = get_mut(&mut out, &c.path) {
            m.remove("n");
            m.remove("pay");
            let value = (!withheld[i]).then(|| number(c.kind, c.value));
            m.insert("value".into(), value.map_or(Value::Null, Value::Number));
            m.insert("suppressed".into(), Value::Bool(withheld[i]));
        }
    }
    let mut relations = Vec::new();
    for (t, parts) in &b.sums {
        relations.push(Relation::Sum {
            sum: b.cells[*t].path.clone(),
            of: parts.iter().map(|&q| b.cells[q].path.clone()).collect(),
        });
    }
    for d in &b.derived {
        if d.rests_on.iter().any(|&c| withheld[c]) {
            if let Some(v) = get_mut(&mut out, &d.path) {
                *v = d.withheld_as.clone();
            }
        }
        if let Some((n, den, scale, decimals)) = d.ratio {
            relations.push(Relation::Ratio {
                ratio: d.path.clone(),
                numerator: b.cells[n].path.clone(),
                denominator: b.cells[den].path.clone(),
                scale,
                value: get(&out, &d.path).and_then(Value::as_f64),
                decimals,
            });
        }
    }
    let cells: Vec<LedgerCell> = b
        .cells
        .iter()
        .enumerate()
        .map(|(i, c)| LedgerCell {
            id: c.path.clone(),
            kind: c.kind,
            value: (!withheld[i]).then(|| number(c.kind, c.value)),
            suppressed: withheld[i],
            paths: if c.printed {
                vec![c.path.clone()]
            } else {
                vec![]
            },
        })
        .collect();
    let suppressed = withheld.iter().filter(|w| **w).count();
    let narrowest = protection.narrowest.map(|w| w.max(0.0) as u64);
    let audit = LedgerAudit {
        cells: cells.len(),
        suppressed,
        relations: relations.len(),
        narrowest,
        passed: protection.passed,
        refused: protection
            .unprotected
            .iter()
            .map(|&u| b.cells[u].path.clone())
            .collect(),
    };
    let ledger = Ledger {
        min_group_size: min,
        pay_p_percent: p,
        cells,
        relations,
        audit,
    };
    (out, ledger)
}

fn number(kind: CellKind, v: f64) -> Number {
    match kind {
        CellKind::Count => Number::from(v.max(0.0) as u64),
        CellKind::PaySum => Number::from_f64(v).unwrap_or_else(|| Number::from(0)),
    }
}
