//! The self-contained HTML report: tables and inline SVG charts, no scripts,
//! no external files, so that an HR person can open it in any browser.

use crate::analysis::Analysis;
use crate::suppress::Count;
use std::fmt::Write;

const COLORS: [&str; 4] = ["#b2182b", "#2166ac", "#1b7837", "#762a83"];

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A head count, or that it is withheld (never why: a withheld count may
/// be large, withheld to protect another).
fn count(c: &Count, _min: usize) -> String {
    c.value.map_or("suppressed".into(), |v| v.to_string())
}

fn pct(v: Option<f64>) -> String {
    v.map_or("—".into(), |v| format!("{:.1}%", v * 100.0))
}

/// One line series of a chart.
struct Series<'a> {
    name: &'a str,
    points: Vec<(f64, f64)>,
    step: bool,
}

/// A line chart with axes, ticks and a legend.
fn line_chart(
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[Series<'_>],
    y_range: Option<(f64, f64)>,
) -> String {
    let (w, h, left, right, top, bottom) = (640.0, 320.0, 60.0, 160.0, 30.0, 45.0);
    let all: Vec<(f64, f64)> = series
        .iter()
        .flat_map(|s| s.points.iter().copied())
        .collect();
    if all.is_empty() {
        return format!("<p><em>{}: not enough data to draw.</em></p>", esc(title));
    }
    let (mut x0, mut x1) = all
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
    let (mut y0, mut y1) = y_range.unwrap_or_else(|| {
        all.iter()
            .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)))
    });
    if x1 <= x0 {
        x0 -= 1.0;
        x1 += 1.0;
    }
    if y1 <= y0 {
        y0 -= 0.5;
        y1 += 0.5;
    }
    let pw = w - left - right;
    let ph = h - top - bottom;
    let sx = |x: f64| left + (x - x0) / (x1 - x0) * pw;
    let sy = |y: f64| top + (1.0 - (y - y0) / (y1 - y0)) * ph;
    let mut s = String::new();
    let _ = write!(
        s,
        "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{t}\"><title>{t}</title>\
         <rect x=\"{left}\" y=\"{top}\" width=\"{pw}\" height=\"{ph}\" fill=\"#fafafa\" stroke=\"#999\"/>",
        t = esc(title)
    );
    for i in 0..=4 {
        let fy = y0 + (y1 - y0) * f64::from(i) / 4.0;
        let fx = x0 + (x1 - x0) * f64::from(i) / 4.0;
        let _ = write!(
            s,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{y}\" y2=\"{y}\" stroke=\"#e0e0e0\"/>\
             <text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"end\">{}</text>\
             <text x=\"{x}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">{}</text>",
            left + pw,
            left - 6.0,
            sy(fy) + 4.0,
            trim(fy),
            h - bottom + 16.0,
            trim(fx),
            y = sy(fy),
            x = sx(fx),
        );
    }
    let _ = write!(
        s,
        "<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\">{}</text>\
         <text x=\"14\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 14 {})\">{}</text>",
        left + pw / 2.0,
        h - 8.0,
        esc(x_label),
        top + ph / 2.0,
        top + ph / 2.0,
        esc(y_label)
    );
    for (k, ser) in series.iter().enumerate() {
        let color = COLORS[k % COLORS.len()];
        let mut d = String::new();
        let mut prev: Option<(f64, f64)> = None;
        for &(x, y) in &ser.points {
            match prev {
                None => {
                    let _ = write!(d, "M{:.1},{:.1}", sx(x), sy(y));
                }
                Some((_, py)) if ser.step => {
                    let _ = write!(d, " L{:.1},{:.1} L{:.1},{:.1}", sx(x), sy(py), sx(x), sy(y));
                }
                Some(_) => {
                    let _ = write!(d, " L{:.1},{:.1}", sx(x), sy(y));
                }
            }
            prev = Some((x, y));
        }
        let _ = write!(
            s,
            "<path d=\"{d}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"/>\
             <rect x=\"{}\" y=\"{}\" width=\"14\" height=\"4\" fill=\"{color}\"/>\
             <text x=\"{}\" y=\"{}\" font-size=\"12\">{}</text>",
            left + pw + 12.0,
            top + 10.0 + 18.0 * k as f64,
            left + pw + 30.0,
            top + 15.0 + 18.0 * k as f64,
            esc(ser.name)
        );
        if !ser.step {
            for &(x, y) in &ser.points {
                let _ = write!(
                    s,
                    "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{color}\"/>",
                    sx(x),
                    sy(y)
                );
            }
        }
    }
    let _ = write!(s, "</svg><figcaption>{}</figcaption></figure>", esc(title));
    s
}

fn trim(v: f64) -> String {
    if v.abs() >= 100.0 || (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

/// A bar chart of rates (0–1) by label; `None` bars are drawn as "suppressed".
fn bar_chart(title: &str, bars: &[(String, Option<f64>)]) -> String {
    if bars.is_empty() {
        return format!("<p><em>{}: no data.</em></p>", esc(title));
    }
    let (w, h, left, top, bottom) = (640.0, 260.0, 50.0, 20.0, 45.0);
    let ph = h - top - bottom;
    let max = bars.iter().filter_map(|b| b.1).fold(0.05f64, f64::max);
    let bw = (w - left - 20.0) / bars.len() as f64;
    let mut s = format!(
        "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{t}\"><title>{t}</title>",
        t = esc(title)
    );
    for i in 0..=4 {
        let v = max * f64::from(i) / 4.0;
        let y = top + ph * (1.0 - v / max);
        let _ = write!(
            s,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{y}\" y2=\"{y}\" stroke=\"#e0e0e0\"/><text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"end\">{:.0}%</text>",
            w - 20.0,
            left - 6.0,
            y + 4.0,
            v * 100.0
        );
    }
    for (i, (label, v)) in bars.iter().enumerate() {
        let x = left + bw * i as f64 + bw * 0.15;
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">{}</text>",
            x + bw * 0.35,
            h - bottom + 16.0,
            esc(label)
        );
        match v {
            Some(v) => {
                let bh = ph * v / max;
                let _ = write!(
                    s,
                    "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{bh:.1}\" fill=\"{}\"/>",
                    top + ph - bh,
                    bw * 0.7,
                    COLORS[0]
                );
            }
            None => {
                let _ = write!(
                    s,
                    "<text x=\"{}\" y=\"{}\" font-size=\"10\" text-anchor=\"middle\" fill=\"#777\">suppressed</text>",
                    x + bw * 0.35,
                    top + ph - 4.0
                );
            }
        }
    }
    let _ = write!(s, "</svg><figcaption>{}</figcaption></figure>", esc(title));
    s
}

impl Analysis {
    /// The report as one self-contained HTML page with SVG charts.
    pub fn to_html(&self) -> String {
        let min = self.config.privacy.min_group_size;
        let mut s = String::from(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>mommytrack report</title>\
             <style>body{font-family:system-ui,sans-serif;max-width:900px;margin:2em auto;padding:0 1em;color:#222}\
             table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}\
             th:first-child,td:first-child{text-align:left}figure{margin:1em 0}figcaption{font-size:0.9em;color:#555}\
             .note{color:#555;font-size:0.9em}pre{white-space:pre-wrap}</style></head><body>",
        );
        let _ = write!(
            s,
            "<h1>mommytrack report</h1><p>Analysis date {}. Made by mommytrack {}. Groups under {min} people are suppressed, and so is any figure from which one could be worked out (the ledger in <code>report.json</code> → <code>privacy</code> says what was withheld); no employee id appears in this report.</p>",
            self.as_of, self.crate_version
        );
        // Input.
        s.push_str("<h2>Input</h2><table><tr><th>table</th><th>rows read</th><th>accepted</th><th>rejected</th><th>duplicates dropped</th></tr>");
        for (name, t) in [
            ("employees", &self.ingest.employees),
            ("events", &self.ingest.events),
        ] {
            let _ = write!(
                s,
                "<tr><td>{name}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                t.rows_read, t.accepted, t.rejected, t.duplicates_dropped
            );
        }
        s.push_str("</table><p class=\"note\">Each rejected row is listed, with its line, column and reason, in <code>rejections.csv</code>.</p>");
        if let Some(g) = &self.promotion_gap {
            self.promotion_gap_html(&mut s, g, min);
        }
        if let Some(t) = &self.trajectories {
            self.trajectories_html(&mut s, t, min);
        }
        if let Some(c) = &self.concentration {
            self.concentration_html(&mut s, c, min);
        }
        if let Some(e) = &self.event_study {
            self.event_study_html(&mut s, e);
        }
        if let Some(d) = &self.disclosure {
            self.disclosure_html(&mut s, d);
        }
        s.push_str("</body></html>\n");
        s
    }

    fn promotion_gap_html(
        &self,
        s: &mut String,
        g: &crate::analysis::gap::PromotionGap,
        min: usize,
    ) {
        let c = &g.returners_vs_peers;
        s.push_str("<h2>Promotion after a return from childcare leave</h2>");
        match &c.cox {
            Some(hr) => {
                let _ = write!(
                    s,
                    "<p>Returners from maternity, paternity or parental leave are promoted at <strong>{:.2}</strong> times the rate of matched peers {} ({}% CI {:.2}–{:.2}, p = {:.3}; {}). Log-rank p = {}.</p>",
                    hr.hazard_ratio,
                    if self.config.peers.design == crate::config::PeerDesign::Legacy {
                        "who never took such leave"
                    } else {
                        "of the same gender who had taken no such leave by then"
                    },
                    super::confidence_percent(self.config.statistics.significance_level),
                    hr.ci_lower,
                    hr.ci_upper,
                    hr.p_value,
                    if self.config.peers.design == crate::config::PeerDesign::Legacy {
                        "Cox model adjusted for gender, grade and tenure"
                    } else {
                        "Cox model stratified by gender, adjusted for grade and tenure, robust to a peer serving several returns"
                    },
                    c.logrank_p_value.map_or("—".into(), |p| format!("{p:.3}"))
                );
            }
            None => {
                let _ = write!(
                    s,
                    "<p>The Cox model could not be fitted: {}.</p>",
                    esc(c.cox_error.as_deref().unwrap_or("no data"))
                );
            }
        }
        let _ = write!(s, "<p class=\"note\">Matching: {}.</p>", esc(&g.matching));
        let hr = |h: &crate::analysis::gap::HazardRatio| {
            format!(
                "{:.2} ({:.2}–{:.2})",
                h.hazard_ratio, h.ci_lower, h.ci_upper
            )
        };
        if let (Some(m), Some(f)) = (&c.cox_mothers, &c.cox_fathers) {
            let _ = write!(
                s,
                "<p>Mothers against their peers: <strong>{}</strong>; fathers against theirs: <strong>{}</strong>.</p>",
                hr(m),
                hr(f)
            );
        }
        if let Some(w) = &c.cox_worked_time {
            let _ = write!(
                s,
                "<p>With the years worked in the grade (time on leave not counted) added to the model: {}.</p>",
                hr(w)
            );
        }
        let curve = |name, cv: &Option<crate::analysis::gap::Curve>| Series {
            name,
            points: cv.as_ref().map_or(vec![], |cv| {
                std::iter::once((0.0, 1.0))
                    .chain(cv.months.iter().copied().zip(cv.survival.iter().copied()))
                    .collect()
            }),
            step: true,
        };
        s.push_str(&line_chart(
            "Kaplan–Meier: share not yet promoted, returners vs matched peers",
            "months since return",
            "not yet promoted",
            &[
                curve("returners", &c.group_curve),
                curve("matched peers", &c.reference_curve),
            ],
            Some((0.0, 1.0)),
        ));
        if let Some(d) = &g.diagnostics {
            self.diagnostics_html(s, d);
        }
        s.push_str("<p>Complete cases: among those promoted by then or followed that long (leavers drop out, so these overstate the share promoted).</p>");
        let _ = write!(
            s,
            "<table><tr><th>promoted within</th><th>returners</th><th>peers</th><th>difference ({}% CI)</th><th>impact ratio</th><th>Fisher p</th></tr>",
            super::confidence_percent(self.config.statistics.significance_level)
        );
        for r in &c.rates {
            let _ = write!(
                s,
                "<tr><td>{} year(s)</td><td>{} of {}</td><td>{} of {}</td><td>{}</td><td>{}{}</td><td>{}</td></tr>",
                r.years,
                count(&r.group.promoted, min),
                count(&r.group.eligible, min),
                count(&r.reference.promoted, min),
                count(&r.reference.eligible, min),
                super::points(r.difference),
                r.impact_ratio.map_or("—".into(), |v| format!("{v:.2}")),
                if r.four_fifths_violated == Some(true) { " (below 4/5)" } else { "" },
                r.fisher_p_value.map_or("—".into(), |p| format!("{p:.3}"))
            );
        }
        s.push_str("</table>");
    }

    fn diagnostics_html(&self, s: &mut String, d: &crate::analysis::diagnostics::Diagnostics) {
        let level = super::confidence_percent(self.config.statistics.significance_level);
        if let Some(ph) = &d.proportional_hazards {
            let _ = write!(
                s,
                "<p>Proportional hazards (Schoenfeld test of the returner term): p = {:.3}{}.</p>",
                ph.p_value,
                if ph.p_value < self.config.statistics.significance_level {
                    ": the returner effect changes over follow-up, so read the hazard ratio by period"
                } else {
                    ""
                }
            );
        }
        if !d.by_period.is_empty() {
            let _ = write!(
                s,
                "<table><tr><th>months since return</th><th>hazard ratio</th><th>{level}% CI</th></tr>"
            );
            for p in &d.by_period {
                let span = super::period(p);
                match &p.hazard_ratio {
                    Some(h) => {
                        let _ = write!(
                            s,
                            "<tr><td>{span}</td><td>{:.2}</td><td>{:.2}–{:.2}</td></tr>",
                            h.hazard_ratio, h.ci_lower, h.ci_upper
                        );
                    }
                    None => {
                        let _ = write!(
                            s,
                            "<tr><td>{span}</td><td>—</td><td>too few followed</td></tr>"
                        );
                    }
                }
            }
            s.push_str("</table>");
        }
        if !d.cumulative_incidence.is_empty() {
            let _ = write!(
                s,
                "<p>Promoted within N years (Aalen–Johansen cumulative incidence; leaving first is a competing event):</p><table><tr><th>within</th><th>returners</th><th>peers</th><th>difference ({level}% CI)</th></tr>"
            );
            let pct = |x: &Option<crate::analysis::diagnostics::Incidence>| {
                x.as_ref()
                    .map_or("—".into(), |x| format!("{:.1}%", x.estimate * 100.0))
            };
            for i in &d.cumulative_incidence {
                let _ = write!(
                    s,
                    "<tr><td>{} year(s)</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    i.years,
                    pct(&i.group),
                    pct(&i.reference),
                    super::points(i.difference)
                );
            }
            s.push_str("</table>");
        }
    }

    fn trajectories_html(
        &self,
        s: &mut String,
        t: &crate::analysis::trajectory::TrajectorySummary,
        min: usize,
    ) {
        s.push_str("<h2>What changes after the return</h2>");
        let mut series = Vec::new();
        let names: Vec<String> = t
            .by_leave_and_gender
            .iter()
            .filter(|g| g.group.starts_with("childcare/"))
            .map(|g| {
                g.group
                    .replace("childcare/F", "mothers")
                    .replace("childcare/M", "fathers")
            })
            .collect();
        for (g, name) in t
            .by_leave_and_gender
            .iter()
            .filter(|g| g.group.starts_with("childcare/"))
            .zip(&names)
        {
            let pts: Vec<(f64, f64)> = g
                .at_horizon
                .iter()
                .filter_map(|h| {
                    let obs = h.observed.value? as f64;
                    let worse = h.responsibility_lower.value? + h.became_non_regular.value?;
                    (obs > 0.0).then(|| (f64::from(h.months), (worse as f64 / obs).min(1.0)))
                })
                .collect();
            series.push(Series {
                name: name.as_str(),
                points: pts,
                step: false,
            });
        }
        s.push_str(&line_chart(
            "Returners with lower responsibility or non-regular employment, by months after return",
            "months after return",
            "share (responsibility lower + non-regular)",
            &series,
            None,
        ));
        s.push_str("<table><tr><th>group</th><th>returns</th><th>retained 12 months</th><th>median months to promotion</th></tr>");
        for g in &t.by_leave_and_gender {
            let r12 = g
                .retention
                .iter()
                .find(|r| r.months == 12)
                .and_then(|r| r.retained);
            let _ = write!(
                s,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&g.group),
                count(&g.returns, min),
                pct(r12),
                g.median_months_to_promotion
                    .map_or("not reached".into(), |m| format!("{m:.1}"))
            );
        }
        s.push_str("</table>");
    }

    fn concentration_html(
        &self,
        s: &mut String,
        c: &crate::analysis::concentration::Concentration,
        min: usize,
    ) {
        let _ = write!(
            s,
            "<h2>Mommy-track flags</h2><p>{} childcare returns; {} flagged with an employer-initiated (or unrecorded) change; {} flagged with changes the employee asked for. Each flagged return, with its evidence, is in <code>flags.csv</code>.</p>",
            count(&c.returns, min),
            count(&c.flagged_involuntary, min),
            count(&c.flagged_employee_initiated, min)
        );
        let bars: Vec<(String, Option<f64>)> = c
            .by_cohort
            .iter()
            .map(|k| (k.year.to_string(), k.rate))
            .collect();
        s.push_str(&bar_chart("Involuntary flag rate by year of return", &bars));
        for (title, groups) in [("Managers", &c.managers), ("Departments", &c.departments)] {
            let _ = write!(
                s,
                "<h3>{title}</h3><p class=\"note\">Expected: the flags the same returns would have at the flag rate of all returns in the same period and grade. Only more flags than expected can be significant (one-sided exact test, Benjamini–Hochberg across the list). Sorted by excess, the significant first; the ratio is observed ÷ expected shrunk towards the overall ratio, so that a small group does not lead by chance.</p><table><tr><th>{}</th><th>returns</th><th>flagged</th><th>expected</th><th>excess</th><th>ratio (shrunk)</th><th>p</th><th>p (BH)</th><th>significant</th></tr>",
                if title == "Managers" { "manager" } else { "department" }
            );
            for m in super::by_excess(groups) {
                let _ = write!(
                    s,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    esc(m.manager_id.as_deref().or(m.department.as_deref()).unwrap_or("")),
                    count(&m.returns, min),
                    count(&m.flagged, min),
                    m.expected.map_or("—".into(), |v| format!("{v:.1}")),
                    m.excess.map_or("—".into(), |v| format!("{v:+.1}")),
                    m.shrunken_ratio.map_or("—".into(), |v| format!("{v:.2}")),
                    m.p_value.map_or("—".into(), |v| format!("{v:.4}")),
                    m.p_adjusted.map_or("—".into(), |v| format!("{v:.4}")),
                    if m.significant {
                        "<strong>yes</strong>"
                    } else {
                        "no"
                    }
                );
            }
            s.push_str("</table>");
        }
        if let Some(p) = &self.policy {
            let _ = write!(
                s,
                "<h3>Before and after {}</h3><p>Involuntary flag rate {} before, {} after (Fisher p = {}).</p>",
                p.date,
                pct(p.flag_rate_before),
                pct(p.flag_rate_after),
                p.p_value.map_or("—".into(), |v| format!("{v:.3}"))
            );
        }
    }

    fn event_study_html(&self, s: &mut String, e: &crate::analysis::event_study::EventStudy) {
        s.push_str("<h2>Child penalty (event study)</h2>");
        let series: Vec<Series<'_>> = e
            .outcomes
            .iter()
            .map(|(name, p)| Series {
                name: name.as_str(),
                points: p
                    .event_time
                    .iter()
                    .zip(&p.penalty)
                    .filter_map(|(t, v)| v.map(|v| (f64::from(*t), v * 100.0)))
                    .collect(),
                step: false,
            })
            .collect();
        let since = super::event_label(self.config.event_study.anchor);
        let title = format!(
            "Women's outcomes relative to men's, % of the counterfactual, by years since {since}"
        );
        let axis = format!("years since {since}");
        s.push_str(&line_chart(&title, &axis, "penalty (%)", &series, None));
        if let Some(c) = e.parents_anchored_on_leave.filter(|c| c.value != Some(0)) {
            let _ = write!(
                s,
                "<p class=\"note\">Parents with no recorded birth are anchored on their first childcare leave: {}.</p>",
                count(&c, self.config.privacy.min_group_size)
            );
        }
    }

    fn disclosure_html(&self, s: &mut String, d: &crate::analysis::disclosure::Disclosure) {
        let _ = write!(
            s,
            "<h2>Disclosure figures</h2><pre>{}</pre>",
            esc(&d.to_text())
        );
    }
}
