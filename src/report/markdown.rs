//! The report as Markdown (`report.md`).

use crate::analysis::Analysis;
use crate::suppress::Count;

impl Analysis {
    /// The report as Markdown, for people.
    pub fn to_markdown(&self) -> String {
        let mut s = String::new();
        s.push_str("# mommytrack report\n\n");
        s.push_str(&format!(
            "Analysis date: {}. Made by mommytrack {}. Groups under {} people are suppressed, and so is any figure from which one could be worked out (the ledger in `report.json` → `privacy` says what was withheld).\n\n",
            self.as_of, self.crate_version, self.config.privacy.min_group_size
        ));
        s.push_str("## Input\n\n| table | rows read | accepted | rejected | duplicates dropped | unknown columns |\n|---|---|---|---|---|---|\n");
        for (name, t) in [
            ("employees", &self.ingest.employees),
            ("events", &self.ingest.events),
        ] {
            s.push_str(&format!(
                "| {name} | {} | {} | {} | {} | {} |\n",
                t.rows_read,
                t.accepted,
                t.rejected,
                t.duplicates_dropped,
                t.unknown_columns.join(", ")
            ));
        }
        if !self.ingest.rejections_by_kind.is_empty() {
            s.push_str("\nRejected rows by rule (each is listed in `rejections.csv`):\n\n");
            for (kind, n) in &self.ingest.rejections_by_kind {
                s.push_str(&format!("- {kind}: {n}\n"));
            }
        }
        s.push_str(&format!(
            "\n## Absences from work\n\n{} absences, of which {} for a child (maternity, paternity or parental leave). Leaves at most {} days apart count as one absence.\n\n",
            self.count(&self.absences.total),
            self.count(&self.absences.childcare),
            self.config.absences.gap_days
        ));
        s.push_str("| leave type | gender | absences | returned | still on leave | left during leave |\n|---|---|---|---|---|---|\n");
        for c in &self.absences.by_leave_type_and_gender {
            s.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} |\n",
                c.leave_type,
                c.gender,
                self.count(&c.absences),
                self.count(&c.returned),
                self.count(&c.on_leave),
                self.count(&c.exited)
            ));
        }
        let min = self.config.privacy.min_group_size;
        if let Some(g) = &self.promotion_gap {
            self.promotion_gap_md(&mut s, g);
        }
        if let Some(c) = &self.concentration {
            self.concentration_md(&mut s, c, min);
        }
        if let Some(p) = &self.policy {
            self.policy_md(&mut s, p);
        }
        if let Some(e) = &self.event_study {
            self.event_study_md(&mut s, e);
        }
        if let Some(d) = &self.disclosure {
            self.disclosure_md(&mut s, d);
        }
        s
    }

    fn promotion_gap_md(&self, s: &mut String, g: &crate::analysis::gap::PromotionGap) {
        let c = &g.returners_vs_peers;
        s.push_str("\n## Promotion after a return from childcare leave\n\n");
        match &c.cox {
            Some(hr) => s.push_str(&format!(
                "Hazard ratio of promotion, returners vs matched peers: **{:.2}** ({}% CI {:.2}–{:.2}, p = {:.3}); log-rank p = {}. Matching: {}.\n\n",
                hr.hazard_ratio, super::confidence_percent(self.config.statistics.significance_level), hr.ci_lower, hr.ci_upper, hr.p_value, num(c.logrank_p_value, 3), g.matching
            )),
            None => s.push_str(&format!(
                "The Cox model could not be fitted: {}.\n\n",
                c.cox_error.as_deref().unwrap_or("no data")
            )),
        }
        let hr = |h: &crate::analysis::gap::HazardRatio| {
            format!(
                "{:.2} ({:.2}–{:.2})",
                h.hazard_ratio, h.ci_lower, h.ci_upper
            )
        };
        if let (Some(m), Some(f)) = (&c.cox_mothers, &c.cox_fathers) {
            s.push_str(&format!(
                "Mothers against their peers: {}; fathers against theirs: {}.\n\n",
                hr(m),
                hr(f)
            ));
        }
        if let Some(w) = &c.cox_worked_time {
            s.push_str(&format!(
                "With the years worked in the grade (time on leave not counted) added to the model: {}.\n\n",
                hr(w)
            ));
        }
        if let Some(d) = &g.diagnostics {
            self.diagnostics_md(s, d);
        }
        s.push_str("Complete cases (among those promoted by then or followed that long; leavers drop out, so these overstate the share promoted):\n\n| promoted within | returners | peers | difference | impact ratio | Fisher p |\n|---|---|---|---|---|---|\n");
        for r in &c.rates {
            s.push_str(&format!(
                "| {} year(s) | {} of {} | {} of {} | {} | {} | {} |\n",
                r.years,
                self.count(&r.group.promoted),
                self.count(&r.group.eligible),
                self.count(&r.reference.promoted),
                self.count(&r.reference.eligible),
                r.difference
                    .map_or("—".into(), |d| format!("{:+.1} pts", d[0] * 100.0)),
                num(r.impact_ratio, 2),
                num(r.fisher_p_value, 3)
            ));
        }
    }

    fn diagnostics_md(&self, s: &mut String, d: &crate::analysis::diagnostics::Diagnostics) {
        let pct = |v: f64| format!("{:.1}%", v * 100.0);
        if let Some(ph) = &d.proportional_hazards {
            s.push_str(&format!(
                "Proportional hazards (Schoenfeld test of the returner term): p = {}{}.\n\n",
                num(Some(ph.p_value), 3),
                if ph.p_value < self.config.statistics.significance_level {
                    ": the returner effect changes over follow-up, so read the hazard ratio by period below"
                } else {
                    ""
                }
            ));
        }
        if !d.by_period.is_empty() {
            s.push_str("| months since return | hazard ratio | CI |\n|---|---|---|\n");
            for p in &d.by_period {
                let span = super::period(p);
                match &p.hazard_ratio {
                    Some(h) => s.push_str(&format!(
                        "| {span} | {:.2} | {:.2}–{:.2} |\n",
                        h.hazard_ratio, h.ci_lower, h.ci_upper
                    )),
                    None => s.push_str(&format!("| {span} | — | too few followed |\n")),
                }
            }
            s.push('\n');
        }
        if !d.cumulative_incidence.is_empty() {
            s.push_str("Promoted within N years (Aalen–Johansen cumulative incidence; leaving first is a competing event):\n\n| within | returners | peers | difference (CI) |\n|---|---|---|---|\n");
            for i in &d.cumulative_incidence {
                let one = |x: &Option<crate::analysis::diagnostics::Incidence>| {
                    x.as_ref().map_or("—".into(), |x| pct(x.estimate))
                };
                s.push_str(&format!(
                    "| {} year(s) | {} | {} | {} |\n",
                    i.years,
                    one(&i.group),
                    one(&i.reference),
                    super::points(i.difference)
                ));
            }
            s.push('\n');
        }
    }

    fn concentration_md(
        &self,
        s: &mut String,
        c: &crate::analysis::concentration::Concentration,
        min: usize,
    ) {
        s.push_str(&format!(
            "\n## Mommy-track flags\n\n{} childcare returns; {} flagged with an employer-initiated or unrecorded change, {} with changes the employee asked for (each in `flags.csv`).\n\n",
            self.count(&c.returns),
            self.count(&c.flagged_involuntary),
            self.count(&c.flagged_employee_initiated)
        ));
        for (title, key, groups) in [
            ("Managers", "manager", &c.managers),
            ("Departments", "department", &c.departments),
        ] {
            s.push_str(&format!(
                "{title} with at least {min} returns, by excess of flags over what returns of the same period and grade give (one-sided exact test; only more flags than expected can be significant):\n\n| {key} | returns | flagged | expected | excess | ratio (shrunk) | p | p (BH) | significant |\n|---|---|---|---|---|---|---|---|---|\n"
            ));
            for m in super::by_excess(groups) {
                s.push_str(&format!(
                    "| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
                    m.manager_id
                        .as_deref()
                        .or(m.department.as_deref())
                        .unwrap_or(""),
                    self.count(&m.returns),
                    self.count(&m.flagged),
                    num(m.expected, 1),
                    m.excess.map_or("—".into(), |v| format!("{v:+.1}")),
                    num(m.shrunken_ratio, 2),
                    num(m.p_value, 4),
                    num(m.p_adjusted, 4),
                    if m.significant { "**yes**" } else { "no" }
                ));
            }
            s.push('\n');
        }
    }

    fn policy_md(&self, s: &mut String, p: &crate::analysis::concentration::PolicyEffect) {
        s.push_str(&format!(
            "\n## Before and after {}\n\nInvoluntary flag rate {} before, {} after (Fisher p = {}).\n",
            p.date,
            p.flag_rate_before.map_or("—".into(), |v| format!("{:.1}%", v * 100.0)),
            p.flag_rate_after.map_or("—".into(), |v| format!("{:.1}%", v * 100.0)),
            num(p.p_value, 3)
        ));
    }

    fn event_study_md(&self, s: &mut String, e: &crate::analysis::event_study::EventStudy) {
        s.push_str(&format!(
            "\n## Child penalty (event study)\n\nWomen's outcome relative to men's, as a share of the counterfactual, by years since {} (t = −1 is the reference).{}\n\n| outcome |",
            super::event_label(self.config.event_study.anchor),
            e.parents_anchored_on_leave
                .as_ref()
                .filter(|c| c.value != Some(0))
                .map_or(String::new(), |c| format!(
                    " Parents with no recorded birth are anchored on their first childcare leave: {}.",
                    self.count(c)
                ))
        ));
        let times = e
            .outcomes
            .values()
            .next()
            .map(|p| p.event_time.clone())
            .unwrap_or_default();
        for t in &times {
            s.push_str(&format!(" {t} |"));
        }
        s.push_str(&format!("\n|---|{}\n", "---|".repeat(times.len())));
        for (name, p) in &e.outcomes {
            s.push_str(&format!("| {name} |"));
            for v in &p.penalty {
                s.push_str(&format!(
                    " {} |",
                    v.map_or("—".into(), |v| format!("{:+.1}%", v * 100.0))
                ));
            }
            s.push('\n');
        }
    }

    fn disclosure_md(&self, s: &mut String, d: &crate::analysis::disclosure::Disclosure) {
        s.push_str("\n## Disclosure figures\n\n```text\n");
        s.push_str(&d.to_text());
        s.push_str("```\n");
    }

    /// A head count, or that it is withheld (never why: a withheld count
    /// may be large, withheld to protect another).
    fn count(&self, c: &Count) -> String {
        c.value.map_or("suppressed".into(), |v| v.to_string())
    }
}

/// A number with `d` decimals, or a dash.
fn num(v: Option<f64>, d: usize) -> String {
    v.map_or("—".to_string(), |v| format!("{v:.d$}"))
}
