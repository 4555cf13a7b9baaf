//! What in the report relates to what: every sum relation between
//! published counts and pay sums, and every figure that rests on them.
//! This is the one place to extend when a table is added to the report.
//!
//! Rules that hold wherever their shape appears:
//! - a promotion rate `{promoted, eligible, rate, ci_lower, ci_upper}`:
//!   `rate` = promoted ÷ eligible, the interval rests on both;
//! - a comparison `{group, reference, difference, risk_ratio, …}` of two
//!   promotion rates: every comparison figure rests on the four counts;
//! - a statutory rate `{numerator, denominator, percent, display, status}`:
//!   `percent` = numerator ÷ denominator × 100 at the rule's decimals.
//!
//! Then each table's own margins and figures, by path.

use super::{child, get, Builder};
use serde_json::Value;

/// Declares every relation and derived figure of the raw tree.
pub(super) fn declare(b: &mut Builder<'_>) {
    let raw = b.raw();
    shapes(b, raw, String::new());
    promotion_gap(b);
    absences(b);
    trajectories(b);
    concentration(b);
    policy(b);
    event_study(b);
    disclosure(b);
}

fn s(v: &str) -> Value {
    Value::String(v.into())
}

fn idx(path: &str, i: usize) -> String {
    format!("{path}[{i}]")
}

/// The rules by shape, anywhere outside `config`.
fn shapes(b: &mut Builder<'_>, v: &Value, path: String) {
    match v {
        Value::Object(m) => {
            if path == "config" {
                return;
            }
            let has = |b: &Builder<'_>, k: &str| b.cell(&child(&path, k)).is_some();
            let (rate, counts) = (
                has(b, "promoted") && has(b, "eligible"),
                has(b, "numerator") && has(b, "denominator"),
            );
            if rate {
                let (p, e) = (child(&path, "promoted"), child(&path, "eligible"));
                b.ratio(&child(&path, "rate"), &p, &e, 1, None);
                for f in ["ci_lower", "ci_upper"] {
                    b.derived(&child(&path, f), &[&p, &e], Value::Null);
                }
            }
            if m.contains_key("group")
                && m.contains_key("reference")
                && m.contains_key("risk_ratio")
            {
                let cells: Vec<String> = ["group", "reference"]
                    .iter()
                    .flat_map(|g| {
                        let path = &path;
                        ["promoted", "eligible"]
                            .iter()
                            .map(move |c| format!("{path}.{g}.{c}"))
                    })
                    .collect();
                let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
                for f in [
                    "difference",
                    "risk_ratio",
                    "fisher_p_value",
                    "impact_ratio",
                    "four_fifths_violated",
                ] {
                    b.derived(&child(&path, f), &cells, Value::Null);
                }
            }
            if counts && m.contains_key("percent") {
                let (n, d) = (child(&path, "numerator"), child(&path, "denominator"));
                let decimals = m
                    .get("rounding")
                    .and_then(Value::as_str)
                    .and_then(|r| r.split_whitespace().find_map(|w| w.parse::<u32>().ok()));
                b.ratio(&child(&path, "percent"), &n, &d, 100, decimals);
                b.derived(&child(&path, "display"), &[&n, &d], s("suppressed"));
                b.derived(&child(&path, "status"), &[&n, &d], s("suppressed"));
            }
            for (k, x) in m {
                shapes(b, x, child(&path, k));
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                shapes(b, x, idx(&path, i));
            }
        }
        _ => {}
    }
}

/// Returners = mothers + fathers (+ returners of another gender, printed
/// nowhere), in head counts and in each promotion rate; the departments'
/// returners (+ those of departments too small to list) in the two-year
/// rate.
fn promotion_gap(b: &mut Builder<'_>) {
    let (all, mf) = (
        "promotion_gap.returners_vs_peers",
        "promotion_gap.mothers_vs_fathers",
    );
    b.sum_with_rest(
        "promotion_gap/returners/other_gender/n",
        &child(all, "group_n"),
        &[child(mf, "group_n"), child(mf, "reference_n")],
    );
    let years = |b: &Builder<'_>, table: &str, i: usize| {
        get(b.raw(), &child(&idx(table, i), "years")).and_then(Value::as_u64)
    };
    let (ra, rm) = (child(all, "rates"), child(mf, "rates"));
    for i in 0..b.len(&ra) {
        let Some(y) = years(b, &ra, i) else { continue };
        let a = idx(&ra, i);
        let same: Vec<usize> = (0..b.len(&rm))
            .filter(|&j| years(b, &rm, j) == Some(y))
            .collect();
        for j in same {
            let m = idx(&rm, j);
            for c in ["promoted", "eligible"] {
                b.sum_with_rest(
                    &format!("promotion_gap/returners/other_gender/{y}y/{c}"),
                    &format!("{a}.group.{c}"),
                    &[format!("{m}.group.{c}"), format!("{m}.reference.{c}")],
                );
            }
        }
        let d = "promotion_gap.by_department";
        let dy = (0..b.len(d))
            .filter_map(|k| get(b.raw(), &format!("{d}[{k}].rates.years")).and_then(Value::as_u64))
            .next();
        if dy == Some(y) && b.len(d) > 0 {
            for c in ["promoted", "eligible"] {
                let parts: Vec<String> = (0..b.len(d))
                    .map(|k| format!("{d}[{k}].rates.group.{c}"))
                    .collect();
                b.sum_with_rest(
                    &format!("promotion_gap/returners/unlisted_departments/{y}y/{c}"),
                    &format!("{a}.group.{c}"),
                    &parts,
                );
            }
        }
    }
}

/// Absences by type × gender: absences = returned + on leave + exited.
fn absences(b: &mut Builder<'_>) {
    let rows = "absences.by_leave_type_and_gender";
    for i in 0..b.len(rows) {
        let r = idx(rows, i);
        let parts: Vec<String> = ["returned", "on_leave", "exited"]
            .iter()
            .map(|c| child(&r, c))
            .collect();
        b.sum(&child(&r, "absences"), &parts);
    }
}

/// Returns by group, and the figures of each group.
fn trajectories(b: &mut Builder<'_>) {
    let rtw = "trajectories.return_to_work";
    for i in 0..b.len(rtw) {
        let r = idx(rtw, i);
        b.ratio(
            &child(&r, "return_rate"),
            &child(&r, "returned"),
            &child(&r, "took_leave"),
            1,
            None,
        );
        b.ratio(
            &child(&r, "retention_rate_12_months"),
            &child(&r, "retained_12_months"),
            &child(&r, "observed_12_months"),
            1,
            None,
        );
    }
    let total = "concentration.returns";
    for table in [
        "trajectories.by_leave_and_gender",
        "trajectories.by_department",
        "trajectories.by_cohort",
    ] {
        let mut childcare = Vec::new();
        for i in 0..b.len(table) {
            let g = idx(table, i);
            let returns = child(&g, "returns");
            let name = get(b.raw(), &child(&g, "group"))
                .and_then(Value::as_str)
                .unwrap_or("");
            if !table.ends_with("by_leave_and_gender") || name.starts_with("childcare/") {
                childcare.push(returns.clone());
            }
            // Retention, medians and means are read off the group's people.
            let horizons = child(&g, "at_horizon");
            b.derived(&child(&g, "retention"), &[&returns], Value::Array(vec![]));
            b.derived(
                &child(&g, "median_months_to_promotion"),
                &[&returns],
                Value::Null,
            );
            for h in 0..b.len(&horizons) {
                let hz = idx(&horizons, h);
                let observed = child(&hz, "observed");
                for f in ["mean_salary_change", "mean_rating_change"] {
                    b.derived(&child(&hz, f), &[&observed], Value::Null);
                }
            }
        }
        // The childcare returns of every grouping add up to the same total.
        b.sum(total, &childcare);
    }
    // What was seen at each horizon, over the same childcare returns
    // grouped three ways (leave × gender, department, cohort), adds up to
    // the same totals.
    let horizons = b.len("trajectories.by_leave_and_gender[0].at_horizon");
    for h in 0..horizons {
        for c in [
            "observed",
            "grade_lower",
            "responsibility_lower",
            "track_lower",
            "became_non_regular",
            "hours_reduced",
            "grade_higher",
        ] {
            let mut partitions = Vec::new();
            for table in [
                "trajectories.by_leave_and_gender",
                "trajectories.by_department",
                "trajectories.by_cohort",
            ] {
                let part: Vec<String> = (0..b.len(table))
                    .filter(|&i| {
                        !table.ends_with("by_leave_and_gender")
                            || get(b.raw(), &child(&idx(table, i), "group"))
                                .and_then(Value::as_str)
                                .is_some_and(|g| g.starts_with("childcare/"))
                    })
                    .map(|i| format!("{table}[{i}].at_horizon[{h}].{c}"))
                    .collect();
                partitions.push(part);
            }
            b.same_total(
                &format!("trajectories/childcare/at_horizon[{h}]/{c}"),
                &partitions,
            );
        }
    }
    // A return-year cohort is the same returns in both tables.
    let (tc, cc) = ("trajectories.by_cohort", "concentration.by_cohort");
    for i in 0..b.len(tc) {
        let name = get(b.raw(), &child(&idx(tc, i), "group"))
            .and_then(Value::as_str)
            .and_then(|g| g.strip_prefix("cohort/"))
            .and_then(|y| y.parse::<i64>().ok());
        for j in 0..b.len(cc) {
            let year = get(b.raw(), &child(&idx(cc, j), "year")).and_then(Value::as_i64);
            if name.is_some() && name == year {
                b.sum(
                    &child(&idx(tc, i), "returns"),
                    &[child(&idx(cc, j), "returns")],
                );
            }
        }
    }
}

/// Flags: the organisation's totals, cohorts and their sums, managers and
/// departments, uptake, ratings against hours.
fn concentration(b: &mut Builder<'_>) {
    let c = "concentration";
    let (returns, flagged) = (child(c, "returns"), child(c, "flagged_involuntary"));
    let cohorts = child(c, "by_cohort");
    let (mut rs, mut fs) = (Vec::new(), Vec::new());
    for i in 0..b.len(&cohorts) {
        let r = idx(&cohorts, i);
        rs.push(child(&r, "returns"));
        fs.push(child(&r, "flagged"));
        b.ratio(
            &child(&r, "rate"),
            &child(&r, "flagged"),
            &child(&r, "returns"),
            1,
            None,
        );
    }
    b.sum(&returns, &rs);
    b.sum(&flagged, &fs);
    b.ratio(
        &child(c, "employee_initiated_share"),
        &child(c, "structural_employee_initiated"),
        &child(c, "structural"),
        1,
        None,
    );
    for table in ["managers", "departments"] {
        let t = child(c, table);
        // The listed groups and the rest (too small to list, or no
        // manager / department recorded) add up to the whole.
        for (cell, total) in [("returns", &returns), ("flagged", &flagged)] {
            let parts: Vec<String> = (0..b.len(&t)).map(|i| child(&idx(&t, i), cell)).collect();
            b.sum_with_rest(
                &format!("concentration/{table}/unlisted/{cell}"),
                total,
                &parts,
            );
        }
        for i in 0..b.len(&t) {
            let g = idx(&t, i);
            let f = child(&g, "flagged");
            // The test, its expectation's excess and the shrunken ratio
            // each give the flagged count back.
            for x in ["p_value", "p_adjusted", "excess", "shrunken_ratio"] {
                b.derived(&child(&g, x), &[&f], Value::Null);
            }
        }
    }
    department_managers(b);
    let h = child(c, "hours_and_ratings");
    let (reduced, full) = (child(&h, "reduced_hours"), child(&h, "full_hours"));
    b.derived(&child(&h, "mean_change_reduced"), &[&reduced], Value::Null);
    b.derived(&child(&h, "mean_change_full"), &[&full], Value::Null);
    b.derived(&child(&h, "p_value"), &[&reduced, &full], Value::Null);
    let u = child(c, "parent_uptake");
    for i in 0..b.len(&u) {
        let r = idx(&u, i);
        b.ratio(
            &child(&r, "rate"),
            &child(&r, "took_leave"),
            &child(&r, "parents"),
            1,
            None,
        );
    }
}

/// A listed department = Σ over the listed managers of its returns from
/// them + the rest (returns from unlisted managers or none); a listed
/// manager = Σ over the listed departments + the rest. A manager whose
/// returns all lie in one listed department enters that department's sum
/// with her own printed cells (a hierarchy, as statistical offices protect
/// one); only a manager spread over several departments gets (department,
/// manager) cells, printed nowhere and held by the ledger. Declaring the
/// pair cells for everyone would make every manager's count equal to a
/// second cell pinned by the department's total, and secondary
/// suppression would then cascade through every manager.
fn department_managers(b: &mut Builder<'_>) {
    let pairs: Vec<(String, String, f64, f64)> = get(b.raw(), "concentration.department_managers")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|p| {
                    Some((
                        p.get(0)?.as_str()?.to_string(),
                        p.get(1)?.as_str()?.to_string(),
                        p.get(2)?.as_f64()?,
                        p.get(3)?.as_f64()?,
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    if pairs.is_empty() {
        return;
    }
    let row_of = |b: &Builder<'_>, table: &str, key: &str, name: &str| {
        let t = format!("concentration.{table}");
        (0..b.len(&t))
            .find(|&i| {
                get(b.raw(), &format!("{t}[{i}].{key}")).and_then(Value::as_str) == Some(name)
            })
            .map(|i| format!("{t}[{i}]"))
    };
    let mut spread: std::collections::BTreeMap<&str, usize> = Default::default();
    for (_, m, _, _) in &pairs {
        *spread.entry(m.as_str()).or_default() += 1;
    }
    let mut by_dept: std::collections::BTreeMap<String, Vec<(String, String)>> = Default::default();
    let mut by_manager: std::collections::BTreeMap<String, Vec<(String, String)>> =
        Default::default();
    for (d, m, n, f) in &pairs {
        // The manager's own printed cells, when they count exactly this
        // pair's returns.
        let own = (spread[m.as_str()] == 1)
            .then(|| row_of(b, "managers", "manager_id", m))
            .flatten()
            .map(|row| (child(&row, "returns"), child(&row, "flagged")))
            .filter(|(rn, rf)| b.value(rn) == Some(*n) && b.value(rf) == Some(*f));
        let cells = match own {
            Some(cells) => cells,
            None => {
                let id = format!("concentration/department_managers/{d}/{m}");
                let cells = (
                    b.hidden(&format!("{id}/returns"), *n),
                    b.hidden(&format!("{id}/flagged"), *f),
                );
                by_manager.entry(m.clone()).or_default().push(cells.clone());
                cells
            }
        };
        by_dept.entry(d.clone()).or_default().push(cells);
    }
    for (table, key, groups) in [
        ("departments", "department", &by_dept),
        ("managers", "manager_id", &by_manager),
    ] {
        for (name, cells) in groups {
            let Some(row) = row_of(b, table, key, name) else {
                continue;
            };
            let returns: Vec<String> = cells.iter().map(|c| c.0.clone()).collect();
            let flagged: Vec<String> = cells.iter().map(|c| c.1.clone()).collect();
            b.sum_with_rest(
                &format!("concentration/{table}/{name}/other_groups/returns"),
                &child(&row, "returns"),
                &returns,
            );
            b.sum_with_rest(
                &format!("concentration/{table}/{name}/other_groups/flagged"),
                &child(&row, "flagged"),
                &flagged,
            );
        }
    }
}

/// Before + after a policy date = the whole.
fn policy(b: &mut Builder<'_>) {
    let p = "policy";
    if get(b.raw(), p).is_none_or(Value::is_null) {
        return;
    }
    let f = |k: &str| child(p, k);
    b.sum(
        "concentration.returns",
        &[f("returns_before"), f("returns_after")],
    );
    b.sum(
        "concentration.flagged_involuntary",
        &[f("flagged_before"), f("flagged_after")],
    );
    b.ratio(
        &f("flag_rate_before"),
        &f("flagged_before"),
        &f("returns_before"),
        1,
        None,
    );
    b.ratio(
        &f("flag_rate_after"),
        &f("flagged_after"),
        &f("returns_after"),
        1,
        None,
    );
    let cells = [
        f("flagged_before"),
        f("returns_before"),
        f("flagged_after"),
        f("returns_after"),
    ];
    let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
    b.derived(&f("p_value"), &cells, Value::Null);
}

/// The event study's counts per event time carry no margins; nothing to
/// declare beyond the cells themselves.
fn event_study(_b: &mut Builder<'_>) {}

/// Statutory figures: pay of regular + non-regular = all workers, UK
/// quartiles and their sums, and every figure computed from them.
fn disclosure(b: &mut Builder<'_>) {
    let d = "disclosure";
    if get(b.raw(), d).is_none_or(Value::is_null) {
        return;
    }
    let pay = child(d, "pay_ratio");
    let mut by_group = std::collections::BTreeMap::new();
    for i in 0..b.len(&pay) {
        let r = idx(&pay, i);
        let group = get(b.raw(), &child(&r, "group"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let mut cells = Vec::new();
        for g in ["women", "men"] {
            let cell = child(&r, g);
            let (persons, total) = (child(&cell, "persons"), child(&cell, "total_pay"));
            for f in ["person_years", "mean_pay"] {
                b.derived(&child(&cell, f), &[&persons, &total], Value::Null);
            }
            cells.push(persons);
            cells.push(total);
        }
        let cells_ref: Vec<&str> = cells.iter().map(String::as_str).collect();
        b.derived(&child(&r, "ratio_percent"), &cells_ref, Value::Null);
        b.derived(&child(&r, "display"), &cells_ref, s("suppressed"));
        b.derived(&child(&r, "status"), &cells_ref, s("suppressed"));
        by_group.insert(group, r);
    }
    if let (Some(all), Some(reg), Some(non)) = (
        by_group.get("all"),
        by_group.get("regular"),
        by_group.get("non_regular"),
    ) {
        for g in ["women", "men"] {
            let t = |r: &str| child(&child(r, g), "total_pay");
            b.sum(&t(all), &[t(reg), t(non)]);
        }
    }
    // All workers on the last day: women, men and the rest.
    b.sum_with_rest(
        "disclosure/workers/other_gender",
        &child(d, "women_among_workers.denominator"),
        &[
            child(d, "service_years.women"),
            child(d, "service_years.men"),
        ],
    );
    // Women on the last day are the same people in two figures.
    b.sum(
        &child(d, "service_years.women"),
        &[child(d, "women_among_workers.numerator")],
    );
    let sy = child(d, "service_years");
    let (w, m) = (child(&sy, "women"), child(&sy, "men"));
    for f in [
        "women_mean_years",
        "men_mean_years",
        "gap_years",
        "ratio_percent",
    ] {
        b.derived(&child(&sy, f), &[&w, &m], Value::Null);
    }
    b.derived(&child(&sy, "status"), &[&w, &m], s("suppressed"));
    let uk = child(d, "uk_pay_gap");
    let (w, m) = (child(&uk, "women"), child(&uk, "men"));
    for f in ["mean_gap_percent", "median_gap_percent"] {
        b.derived(&child(&uk, f), &[&w, &m], Value::Null);
    }
    b.derived(&child(&uk, "status"), &[&w, &m], s("suppressed"));
    let q = child(&uk, "quartiles");
    let (mut ws, mut ms, mut ts) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..b.len(&q) {
        let r = idx(&q, i);
        let (qw, qm, qt) = (child(&r, "women"), child(&r, "men"), child(&r, "people"));
        b.sum(&qt, &[qw.clone(), qm.clone()]);
        b.ratio(&child(&r, "women_percent"), &qw, &qt, 100, Some(1));
        b.ratio(&child(&r, "men_percent"), &qm, &qt, 100, Some(1));
        ws.push(qw);
        ms.push(qm);
        ts.push(qt);
    }
    b.sum(&w, &ws);
    b.sum(&m, &ms);
    b.sum(&child(&uk, "people"), &ts);
    b.sum(&child(&uk, "people"), &[w, m]);
}
