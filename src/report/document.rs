//! What `report.md` and `report.html` say, in English or Japanese, as one
//! list of [`Block`]s: the findings first, each with its number and a link
//! to its section, then the sections in the order a reader checks them.
//!
//! Everything here reads the published analysis (after
//! [`crate::privacy`]): a withheld count is printed as withheld, and a
//! figure resting on one is not printed at all.

use super::charts::{self, Axes, BelowAxis, Line, Scale, Unit};
use super::doc::Block;
use crate::analysis::concentration::{Concentration, GroupConcentration};
use crate::analysis::disclosure::Disclosure;
use crate::analysis::event_study::{EventStudy, Outcome};
use crate::analysis::gap::{Curve, PromotionGap};
use crate::analysis::Analysis;
use crate::config::Lang;
use crate::schema::{Gender, LeaveType};
use crate::suppress::Count;

/// `tr!(lang, "english {x}", "日本語 {x}")`: the sentence in the report's
/// language (inline arguments, so both texts name the same values).
macro_rules! tr {
    ($l:expr, $en:literal, $ja:literal) => {
        match $l {
            Lang::Ja => format!($ja),
            _ => format!($en),
        }
    };
}

/// The report's language, and its words for the things every section
/// prints.
#[derive(Clone, Copy)]
pub(crate) struct Words {
    pub lang: Lang,
}

impl Words {
    pub(crate) fn t(self, en: &'static str, ja: &'static str) -> String {
        match self.lang {
            Lang::Ja => ja.into(),
            _ => en.into(),
        }
    }
    /// A head count, or that it is withheld (never why: a withheld count
    /// may be large, withheld to protect another).
    pub(crate) fn count(self, c: &Count) -> String {
        c.value
            .map_or_else(|| self.t("withheld", "非公表"), |v| v.to_string())
    }
    fn pct(self, v: Option<f64>) -> String {
        v.map_or("—".into(), |v| format!("{:.1}%", v * 100.0))
    }
    fn num(self, v: Option<f64>, d: usize) -> String {
        v.map_or("—".into(), |v| format!("{v:.d$}"))
    }
    /// A statutory figure's display string ("7.5%", "suppressed", "—").
    fn display(self, d: &str) -> String {
        if d == "suppressed" {
            self.t("withheld", "非公表")
        } else {
            d.to_string()
        }
    }
    fn gender(self, g: Gender) -> String {
        match (self.lang, g) {
            (Lang::Ja, Gender::Female) => "女性".into(),
            (Lang::Ja, Gender::Male) => "男性".into(),
            (Lang::Ja, Gender::Other) => "その他".into(),
            (Lang::Ja, _) => "不明".into(),
            (_, Gender::Female) => "women".into(),
            (_, Gender::Male) => "men".into(),
            (_, g) => g.to_string(),
        }
    }
    pub(crate) fn leave(self, t: LeaveType) -> String {
        if self.lang != Lang::Ja {
            return t.to_string().replace('_', " ");
        }
        match t {
            LeaveType::Maternity => "産前産後休業",
            LeaveType::Paternity => "出生時育児休業",
            LeaveType::Parental => "育児休業",
            LeaveType::Medical => "傷病休職",
            LeaveType::FamilyCare => "介護休業",
            _ => "その他の休業",
        }
        .into()
    }
    fn outcome(self, o: Outcome) -> String {
        match (self.lang, o) {
            (Lang::Ja, Outcome::Grade) => "等級".into(),
            (Lang::Ja, Outcome::Responsibility) => "職責".into(),
            (Lang::Ja, Outcome::Salary) => "給与".into(),
            (Lang::Ja, Outcome::Regular) => "正規雇用".into(),
            (_, o) => o.as_str().into(),
        }
    }
    /// A group of the trajectories ("childcare/F" → mothers).
    fn group(self, g: &str) -> String {
        let (kind, gender) = g.split_once('/').unwrap_or((g, ""));
        let gender = match gender {
            "F" => self.gender(Gender::Female),
            "M" => self.gender(Gender::Male),
            other => other.to_string(),
        };
        match (self.lang, kind) {
            (Lang::Ja, "childcare") => format!("育児関連休業・{gender}"),
            (Lang::Ja, "medical") => format!("傷病休職・{gender}"),
            (Lang::Ja, "family_care") => format!("介護休業・{gender}"),
            (Lang::Ja, other) => format!("{other}・{gender}"),
            (_, "childcare") if gender == "women" => "mothers".into(),
            (_, "childcare") if gender == "men" => "fathers".into(),
            (_, other) => format!("{} leave, {gender}", other.replace('_', " ")),
        }
    }
    fn years(self, y: u32) -> String {
        match self.lang {
            Lang::Ja => format!("{y}年以内"),
            _ if y == 1 => "1 year".into(),
            _ => format!("{y} years"),
        }
    }
    fn yes(self, b: bool) -> String {
        match (self.lang, b) {
            (Lang::Ja, true) => "**該当**".into(),
            (Lang::Ja, false) => "—".into(),
            (_, true) => "**yes**".into(),
            (_, false) => "no".into(),
        }
    }
    fn anchor(self, a: crate::config::EventAnchor) -> String {
        match (self.lang, a) {
            (Lang::Ja, crate::config::EventAnchor::FirstChildcareLeave) => {
                "最初の育児関連休業".into()
            }
            (Lang::Ja, _) => "第1子の誕生".into(),
            (_, a) => super::event_label(a).into(),
        }
    }
}

fn chart_or_note(w: Words, chart: Result<charts::Chart, String>, caption: String) -> Block {
    match chart {
        Ok(chart) => Block::Chart { chart, caption },
        Err(e) => {
            let lang = w.lang;
            Block::Note(tr!(
                lang,
                "{caption}: not drawn ({e}).",
                "{caption}：描画できません（{e}）。"
            ))
        }
    }
}

impl Analysis {
    /// The report in its configured language, as blocks.
    pub(crate) fn document(&self) -> Vec<Block> {
        let w = Words {
            lang: self.config.report.lang,
        };
        let mut b = Vec::new();
        self.findings(w, &mut b);
        self.input_blocks(w, &mut b);
        if let Some(g) = &self.promotion_gap {
            self.promotion_blocks(w, g, &mut b);
        }
        self.trajectory_blocks(w, &mut b);
        if let Some(c) = &self.concentration {
            self.flag_blocks(w, c, &mut b);
        }
        if let Some(e) = &self.event_study {
            self.penalty_blocks(w, e, &mut b);
        }
        if let Some(d) = &self.disclosure {
            disclosure_blocks(w, d, &mut b);
        }
        b
    }

    /// The title and the privacy sentence.
    pub(crate) fn preamble(&self) -> (String, String) {
        let lang = self.config.report.lang;
        let (date, version, min) = (
            self.as_of,
            &self.crate_version,
            self.config.privacy.min_group_size,
        );
        (
            tr!(lang, "mommytrack report", "マミートラック分析レポート"),
            tr!(
                lang,
                "Analysis date {date}. Made by mommytrack {version}. Groups under {min} people are suppressed, and so is any figure from which one could be worked out (the ledger in `report.json` → `privacy` says what was withheld); no employee id appears in this report.",
                "分析基準日 {date}。mommytrack {version} で作成。{min}人未満の集団の数値は非公表とし、そこから逆算できる数値も公表していません（非公表とした数値は `report.json` の `privacy` に記録）。このレポートに従業員IDは含まれません。"
            ),
        )
    }

    fn findings(&self, w: Words, b: &mut Vec<Block>) {
        let lang = w.lang;
        b.push(Block::Section {
            id: "findings",
            title: w.t("Findings", "主な結果"),
        });
        let mut items = Vec::new();
        let level = super::confidence_percent(self.config.statistics.significance_level);
        // The promotion gap.
        match self.promotion_gap.as_ref().map(|g| &g.returners_vs_peers) {
            Some(c) => match &c.cox {
                Some(hr) => {
                    let (h, lo, hi) = (
                        format!("{:.2}", hr.hazard_ratio),
                        format!("{:.2}", hr.ci_lower),
                        format!("{:.2}", hr.ci_upper),
                    );
                    let reading = if hr.ci_upper < 1.0 {
                        w.t(
                            "promoted less often than comparable peers",
                            "同等の同僚より昇進しにくい",
                        )
                    } else if hr.ci_lower > 1.0 {
                        w.t(
                            "promoted more often than comparable peers",
                            "同等の同僚より昇進しやすい",
                        )
                    } else {
                        w.t(
                            "no difference from comparable peers that these data can show",
                            "同等の同僚との差はこのデータでは確認できない",
                        )
                    };
                    items.push(tr!(
                        lang,
                        "**Promotion gap**: returners from childcare leave are promoted at **{h}×** the rate of matched peers ({level}% CI {lo}–{hi}): {reading}. [Details](#promotion)",
                        "**昇進格差**：育児関連休業からの復職者の昇進ハザードは、マッチングした同僚の **{h}倍**（{level}%信頼区間 {lo}–{hi}）：{reading}。[詳細](#promotion)"
                    ));
                }
                None => {
                    let why = c
                        .cox_error
                        .clone()
                        .unwrap_or_else(|| w.t("no data", "データなし"));
                    items.push(tr!(
                        lang,
                        "**Promotion gap**: cannot be estimated from these data ({why}). [Details](#promotion)",
                        "**昇進格差**：このデータからは推定できません（{why}）。[詳細](#promotion)"
                    ));
                }
            },
            None => items.push(w.t(
                "**Promotion gap**: no childcare returns with matched peers in these data.",
                "**昇進格差**：マッチングできる育児関連休業からの復職者がいません。",
            )),
        }
        // Flags, and the policy date.
        if let Some(c) = &self.concentration {
            match (c.flagged_involuntary.value, c.returns.value) {
                (Some(f), Some(n)) if n > 0 => {
                    let share = format!("{:.1}%", f as f64 / n as f64 * 100.0);
                    items.push(tr!(
                        lang,
                        "**Flagged returns**: **{share}** of {n} childcare returns show a mommy-track change the employee did not ask for (lower responsibility, a downgrade or demotion, conversion to non-regular work, a stalled promotion or a rating drop). [Details](#flags)",
                        "**マミートラックの兆候**：育児関連休業からの復職 {n}件のうち **{share}** に、本人の希望によらない変化（職責の低下、コース・等級の引き下げ、非正規への転換、昇進の停滞、評価の低下）が見られます。[詳細](#flags)"
                    ));
                }
                _ => items.push(w.t(
                    "**Flagged returns**: the counts are withheld (too few returns to publish).",
                    "**マミートラックの兆候**：復職件数が少ないため非公表です。",
                )),
            }
        }
        if let Some(p) = &self.policy {
            let date = p.date;
            match (p.flag_rate_before, p.flag_rate_after) {
                (Some(a), Some(z)) => {
                    let (a, z) = (w.pct(Some(a)), w.pct(Some(z)));
                    let pv = w.num(p.p_value, 3);
                    items.push(tr!(
                        lang,
                        "**Before and after {date}**: the flag rate moved from **{a}** to **{z}** (Fisher p = {pv}). [Details](#policy)",
                        "**{date} の前後**：兆候のある復職の割合は **{a}** から **{z}** へ（Fisher の正確検定 p = {pv}）。[詳細](#policy)"
                    ));
                }
                _ => items.push(tr!(
                    lang,
                    "**Before and after {date}**: the rates are withheld, so that no small group can be worked out.",
                    "**{date} の前後**：少人数の集団が特定されないよう、割合は非公表です。"
                )),
            }
        }
        if let Some(c) = &self.concentration {
            for (units, en, ja) in [
                (&c.managers, "manager", "管理者"),
                (&c.departments, "department", "部署"),
            ] {
                let sig: Vec<&GroupConcentration> = super::by_excess(units)
                    .into_iter()
                    .filter(|u| u.significant)
                    .collect();
                let n = sig.len();
                let plural = if n == 1 { "" } else { "s" };
                if units.is_empty() {
                    continue;
                }
                if sig.is_empty() {
                    items.push(tr!(
                        lang,
                        "**Concentration**: no {en} has significantly more flagged returns than expected from when and at which grade the returns happened. [Details](#flags)",
                        "**集中**：復職の時期と等級から見込まれる数を有意に上回る{ja}はありません。[詳細](#flags)"
                    ));
                } else {
                    let list = sig
                        .iter()
                        .map(|u| {
                            let name = unit_name(u);
                            let (f, e) = (w.count(&u.flagged), w.num(u.expected, 1));
                            tr!(
                                lang,
                                "**{name}** ({f} flagged, {e} expected)",
                                "**{name}**（兆候 {f}件、見込み {e}件）"
                            )
                        })
                        .collect::<Vec<_>>()
                        .join(if lang == Lang::Ja { "、" } else { ", " });
                    items.push(tr!(
                        lang,
                        "**Concentration**: flags concentrate in {n} {en}{plural}, beyond what the timing and grades of their returns explain: {list}. [Details](#flags)",
                        "**集中**：復職の時期と等級では説明できないほど兆候が集中している{ja}が {n} あります：{list}。[詳細](#flags)"
                    ));
                }
            }
        }
        // The child penalty at +5 years (or the last event time).
        if let Some(e) = &self.event_study {
            let anchor = w.anchor(self.config.event_study.anchor);
            let mut parts = Vec::new();
            let mut at = None;
            for (o, p) in &e.outcomes {
                let t = p.event_time.iter().copied().filter(|t| *t <= 5).max();
                let Some(t) = t else { continue };
                let i = p.event_time.iter().position(|x| *x == t).unwrap_or(0);
                at = Some(t);
                if let (Some(v), Some(lo), Some(hi)) = (
                    p.penalty.get(i).copied().flatten(),
                    p.ci_lower.get(i).copied().flatten(),
                    p.ci_upper.get(i).copied().flatten(),
                ) {
                    let (name, v, lo, hi) = (w.outcome(*o), v * 100.0, lo * 100.0, hi * 100.0);
                    parts.push(tr!(
                        lang,
                        "{name} **{v:+.1}%** ({lo:+.1} to {hi:+.1})",
                        "{name} **{v:+.1}%**（{lo:+.1}〜{hi:+.1}）"
                    ));
                }
            }
            let t = at.unwrap_or(5);
            if parts.is_empty() {
                items.push(tr!(
                    lang,
                    "**Child penalty**: cannot be estimated {t} years after {anchor} from these data. [Details](#penalty)",
                    "**チャイルド・ペナルティ**：{anchor}から{t}年後の値はこのデータでは推定できません。[詳細](#penalty)"
                ));
            } else {
                let list = parts.join(if lang == Lang::Ja { "、" } else { "; " });
                items.push(tr!(
                    lang,
                    "**Child penalty**: {t} years after {anchor}, women's outcomes relative to men's, as a share of what they would have been: {list}. [Details](#penalty)",
                    "**チャイルド・ペナルティ**：{anchor}から{t}年後の女性の値（男性との比較、子がいなかった場合に対する比率）：{list}。[詳細](#penalty)"
                ));
            }
        }
        if let Some(d) = &self.disclosure {
            let men = d
                .leave_uptake
                .iter()
                .find(|u| u.gender == Gender::Male)
                .map_or("—".into(), |u| w.display(&u.rate.display));
            let pay = d
                .pay_ratio
                .iter()
                .find(|p| p.group == "all")
                .map_or("—".into(), |p| w.display(&p.display));
            let mgr = w.display(&d.women_among_managers.display);
            let fy = d.fiscal_year.year;
            items.push(tr!(
                lang,
                "**Statutory figures, fiscal year {fy}**: men's parental leave uptake **{men}**; women's pay as a share of men's **{pay}**; women among managers **{mgr}**. [Details](#disclosure)",
                "**法定開示項目（{fy}年度）**：男性労働者の育児休業等取得率 **{men}**、男女の賃金の差異（男性に対する女性の割合）**{pay}**、管理職に占める女性労働者の割合 **{mgr}**。[詳細](#disclosure)"
            ));
        }
        b.push(Block::List(items));
    }

    fn input_blocks(&self, w: Words, b: &mut Vec<Block>) {
        let lang = w.lang;
        b.push(Block::Section {
            id: "input",
            title: w.t("Input", "入力データ"),
        });
        let head = if lang == Lang::Ja {
            [
                "表",
                "読んだ行",
                "採用",
                "除外",
                "重複として除外",
                "未知の列",
            ]
        } else {
            [
                "table",
                "rows read",
                "accepted",
                "rejected",
                "duplicates dropped",
                "unknown columns",
            ]
        };
        let rows = [
            ("employees", &self.ingest.employees),
            ("events", &self.ingest.events),
        ]
        .iter()
        .map(|(name, t)| {
            vec![
                format!("`{name}`"),
                t.rows_read.to_string(),
                t.accepted.to_string(),
                t.rejected.to_string(),
                t.duplicates_dropped.to_string(),
                t.unknown_columns.join(", "),
            ]
        })
        .collect();
        b.push(Block::Table {
            head: head.iter().map(|s| s.to_string()).collect(),
            rows,
        });
        if !self.ingest.rejections_by_kind.is_empty() {
            b.push(Block::Para(w.t(
                "Rejected rows by rule (each is listed, with its line, column and reason, in `rejections.csv`):",
                "規則ごとの除外行（各行の行番号・列・理由は `rejections.csv` に記載）：",
            )));
            b.push(Block::List(
                self.ingest
                    .rejections_by_kind
                    .iter()
                    .map(|(k, n)| format!("`{k}`: {n}"))
                    .collect(),
            ));
        }
        let (total, child, gap) = (
            w.count(&self.absences.total),
            w.count(&self.absences.childcare),
            self.config.absences.gap_days,
        );
        b.push(Block::Sub(w.t("Absences from work", "休業")));
        b.push(Block::Para(tr!(
            lang,
            "{total} absences, of which {child} for a child (maternity, paternity or parental leave). Leaves at most {gap} days apart count as one absence.",
            "休業 {total}件、うち子のための休業（産前産後休業・出生時育児休業・育児休業）{child}件。{gap}日以内の間隔で続く休業は1件と数えます。"
        )));
        let head = if lang == Lang::Ja {
            [
                "休業の種類",
                "性別",
                "休業",
                "復職",
                "休業中",
                "休業中に退職",
            ]
        } else {
            [
                "leave type",
                "gender",
                "absences",
                "returned",
                "still on leave",
                "left during leave",
            ]
        };
        b.push(Block::Table {
            head: head.iter().map(|s| s.to_string()).collect(),
            rows: self
                .absences
                .by_leave_type_and_gender
                .iter()
                .map(|c| {
                    vec![
                        w.leave(c.leave_type),
                        w.gender(c.gender),
                        w.count(&c.absences),
                        w.count(&c.returned),
                        w.count(&c.on_leave),
                        w.count(&c.exited),
                    ]
                })
                .collect(),
        });
    }

    fn promotion_blocks(&self, w: Words, g: &PromotionGap, b: &mut Vec<Block>) {
        let lang = w.lang;
        let level = super::confidence_percent(self.config.statistics.significance_level);
        let c = &g.returners_vs_peers;
        b.push(Block::Section {
            id: "promotion",
            title: w.t(
                "Promotion after a return from childcare leave",
                "育児関連休業からの復職後の昇進",
            ),
        });
        let legacy = self.config.peers.design == crate::config::PeerDesign::Legacy;
        match &c.cox {
            Some(hr) => {
                let (h, lo, hi, p) = (hr.hazard_ratio, hr.ci_lower, hr.ci_upper, hr.p_value);
                let lr = w.num(c.logrank_p_value, 3);
                let who = match (lang, legacy) {
                    (Lang::Ja, true) => "育児関連休業を取得したことのない同僚",
                    (Lang::Ja, false) => "その時点で育児関連休業を取得していない同性の同僚",
                    (_, true) => "who never took such leave",
                    (_, false) => "of the same gender who had taken no such leave by then",
                };
                let model = match (lang, legacy) {
                    (Lang::Ja, true) => "性別・等級・勤続年数で調整した Cox モデル",
                    (Lang::Ja, false) => "性別で層別し、等級と勤続年数で調整した Cox モデル（同じ同僚が複数の復職者と比較されることに頑健な分散）",
                    (_, true) => "Cox model adjusted for gender, grade and tenure",
                    (_, false) => "Cox model stratified by gender, adjusted for grade and tenure, robust to a peer serving several returns",
                };
                b.push(Block::Para(tr!(
                    lang,
                    "Returners from maternity, paternity or parental leave are promoted at **{h:.2}** times the rate of matched peers {who} ({level}% CI {lo:.2}–{hi:.2}, p = {p:.3}; {model}). Log-rank p = {lr}.",
                    "産前産後休業・育児休業からの復職者の昇進ハザードは、{who}の **{h:.2}倍**（{level}%信頼区間 {lo:.2}–{hi:.2}、p = {p:.3}、{model}）。ログランク検定 p = {lr}。"
                )));
            }
            None => {
                let why = c
                    .cox_error
                    .clone()
                    .unwrap_or_else(|| w.t("no data", "データなし"));
                b.push(Block::Para(tr!(
                    lang,
                    "The Cox model could not be fitted: {why}.",
                    "Cox モデルを推定できませんでした：{why}。"
                )));
            }
        }
        let matching = if lang == Lang::Ja {
            let p = &self.config.peers;
            let (band, n) = (p.tenure_band_years, p.per_return);
            let dept = if p.same_department {
                "、同じ部署"
            } else {
                ""
            };
            if legacy {
                format!("復職日の等級が同じ{dept}、入社日の差が{band}年以内で、育児関連休業を一度も取得していない同僚のうち入社日が最も近い{n}人（重複あり）")
            } else {
                format!("復職日の等級と性別が同じ{dept}で、その日に就業中かつ育児関連休業の取得歴がない同僚のうち、入社日の差が{band}年以内で最も近い{n}人（重複あり）。全員を次の育児関連休業の開始時点で打ち切り、Cox モデルは性別で層別し従業員単位のクラスター頑健分散を使用")
            }
        } else {
            g.matching.clone()
        };
        b.push(Block::Note(tr!(
            lang,
            "Matching: {matching}.",
            "マッチング条件：{matching}。"
        )));
        let hr = |h: &crate::analysis::gap::HazardRatio| {
            format!(
                "{:.2} ({:.2}–{:.2})",
                h.hazard_ratio, h.ci_lower, h.ci_upper
            )
        };
        if let (Some(m), Some(f)) = (&c.cox_mothers, &c.cox_fathers) {
            let (m, f) = (hr(m), hr(f));
            b.push(Block::Para(tr!(
                lang,
                "Mothers against their peers: **{m}**; fathers against theirs: **{f}**.",
                "母親と同僚の比較：**{m}**、父親と同僚の比較：**{f}**。"
            )));
        }
        if let Some(x) = &c.cox_worked_time {
            let x = hr(x);
            b.push(Block::Para(tr!(
                lang,
                "With the years worked in the grade (time on leave not counted) added to the model: {x}.",
                "現等級での実勤務年数（休業期間を除く）をモデルに加えた場合：{x}。"
            )));
        }
        let (ret, peers) = (
            w.t("returners", "復職者"),
            w.t("matched peers", "マッチングした同僚"),
        );
        let months = w.t("years since return", "復職後の年数");
        let lines: Vec<Line> = [(&ret, &c.group_curve), (&peers, &c.reference_curve)]
            .iter()
            .filter_map(|(name, cv)| cv.as_ref().map(|cv| km_line(name, cv)))
            .collect();
        let below = BelowAxis {
            heading: w.t("Numbers at risk (— withheld)", "追跡中の人数（—は非公表）"),
            rows: [(&ret, &c.group_curve), (&peers, &c.reference_curve)]
                .iter()
                .filter_map(|(name, cv)| {
                    cv.as_ref().map(|cv| {
                        (
                            name.to_string(),
                            cv.at_risk
                                .iter()
                                .map(|a| {
                                    (
                                        f64::from(a.months) / 12.0,
                                        a.n.value.map_or("—".into(), |v| v.to_string()),
                                    )
                                })
                                .collect(),
                        )
                    })
                })
                .collect(),
        };
        let band = tr!(lang, "{level}% confidence band", "{level}%信頼帯");
        let axes = Axes {
            band: &band,
            x: &months,
            y: &w.t("not yet promoted", "未昇進の割合"),
            x_scale: Scale::Whole,
            y_scale: Scale::Percent,
            y_range: Some((0.0, 1.0)),
            y_zero: false,
        };
        b.push(chart_or_note(
            w,
            if lines.is_empty() {
                Err(w.t("curves withheld", "曲線は非公表"))
            } else {
                charts::lines(&axes, &lines, Some(&below))
            },
            tr!(
                lang,
                "Kaplan–Meier: share not yet promoted, returners vs matched peers, with {level}% confidence bands and the numbers still followed below the axis",
                "カプラン・マイヤー曲線：未昇進の割合（復職者とマッチングした同僚、{level}%信頼帯、横軸の下は追跡中の人数）"
            ),
        ));
        if let Some(d) = &g.diagnostics {
            self.diagnostics_blocks(w, d, b);
        }
        b.push(Block::Para(w.t(
            "Complete cases: among those promoted by then or followed that long (leavers drop out, so these overstate the share promoted).",
            "完全ケース：その期間内に昇進した人、またはその期間以上追跡できた人の中での割合（退職者が抜けるため、昇進した割合は高めに出ます）。",
        )));
        let head = if lang == Lang::Ja {
            vec![
                "昇進の期間".to_string(),
                "復職者".into(),
                "同僚".into(),
                format!("差（{level}%信頼区間）"),
                "インパクト比".into(),
                "Fisher p".into(),
            ]
        } else {
            vec![
                "promoted within".to_string(),
                "returners".into(),
                "peers".into(),
                format!("difference ({level}% CI)"),
                "impact ratio".into(),
                "Fisher p".into(),
            ]
        };
        let of = |a: &Count, n: &Count| {
            let (a, n) = (w.count(a), w.count(n));
            tr!(lang, "{a} of {n}", "{n}人中 {a}人")
        };
        b.push(Block::Table {
            head,
            rows: c
                .rates
                .iter()
                .map(|r| {
                    vec![
                        w.years(r.years),
                        of(&r.group.promoted, &r.group.eligible),
                        of(&r.reference.promoted, &r.reference.eligible),
                        super::points(r.difference),
                        format!(
                            "{}{}",
                            w.num(r.impact_ratio, 2),
                            if r.four_fifths_violated == Some(true) {
                                w.t(" (below 4/5)", "（4/5 未満）")
                            } else {
                                String::new()
                            }
                        ),
                        w.num(r.fisher_p_value, 3),
                    ]
                })
                .collect(),
        });
    }

    fn diagnostics_blocks(
        &self,
        w: Words,
        d: &crate::analysis::diagnostics::Diagnostics,
        b: &mut Vec<Block>,
    ) {
        let lang = w.lang;
        let level = super::confidence_percent(self.config.statistics.significance_level);
        if let Some(ph) = &d.proportional_hazards {
            let p = ph.p_value;
            let tail = if p < self.config.statistics.significance_level {
                w.t(
                    ": the returner effect changes over follow-up, so read the hazard ratio by period",
                    "：復職者の効果は追跡期間中に変化しているため、期間別のハザード比を見てください",
                )
            } else {
                String::new()
            };
            b.push(Block::Para(tr!(
                lang,
                "Proportional hazards (Schoenfeld test of the returner term): p = {p:.3}{tail}.",
                "比例ハザード性（復職者項の Schoenfeld 検定）：p = {p:.3}{tail}。"
            )));
        }
        if !d.by_period.is_empty() {
            let head = if lang == Lang::Ja {
                vec![
                    "復職後の月数".to_string(),
                    "ハザード比".into(),
                    format!("{level}%信頼区間"),
                ]
            } else {
                vec![
                    "months since return".to_string(),
                    "hazard ratio".into(),
                    format!("{level}% CI"),
                ]
            };
            b.push(Block::Table {
                head,
                rows: d
                    .by_period
                    .iter()
                    .map(|p| match &p.hazard_ratio {
                        Some(h) => vec![
                            super::period(p),
                            format!("{:.2}", h.hazard_ratio),
                            format!("{:.2}–{:.2}", h.ci_lower, h.ci_upper),
                        ],
                        None => vec![
                            super::period(p),
                            "—".into(),
                            w.t("too few followed", "追跡数が不足"),
                        ],
                    })
                    .collect(),
            });
        }
        if !d.cumulative_incidence.is_empty() {
            b.push(Block::Para(w.t(
                "Promoted within N years (Aalen–Johansen cumulative incidence; leaving first is a competing event):",
                "N年以内に昇進した割合（Aalen–Johansen 累積発生率。先に退職することを競合リスクとして扱う）：",
            )));
            let head = if lang == Lang::Ja {
                vec![
                    "期間".to_string(),
                    "復職者".into(),
                    "同僚".into(),
                    format!("差（{level}%信頼区間）"),
                ]
            } else {
                vec![
                    "within".to_string(),
                    "returners".into(),
                    "peers".into(),
                    format!("difference ({level}% CI)"),
                ]
            };
            let one = |x: &Option<crate::analysis::diagnostics::Incidence>| {
                w.pct(x.as_ref().map(|x| x.estimate))
            };
            b.push(Block::Table {
                head,
                rows: d
                    .cumulative_incidence
                    .iter()
                    .map(|i| {
                        vec![
                            w.years(i.years),
                            one(&i.group),
                            one(&i.reference),
                            super::points(i.difference),
                        ]
                    })
                    .collect(),
            });
        }
    }

    fn trajectory_blocks(&self, w: Words, b: &mut Vec<Block>) {
        let Some(t) = &self.trajectories else { return };
        let lang = w.lang;
        let min = self.config.privacy.min_group_size;
        b.push(Block::Section {
            id: "trajectories",
            title: w.t("What changes after the return", "復職後に何が変わるか"),
        });
        let lines: Vec<Line> = t
            .by_leave_and_gender
            .iter()
            .filter(|g| g.group.starts_with("childcare/"))
            .map(|g| Line {
                name: w.group(&g.group),
                points: g
                    .at_horizon
                    .iter()
                    .filter_map(|h| {
                        let obs = h.observed.value? as f64;
                        let worse = h.responsibility_lower.value? + h.became_non_regular.value?;
                        (obs > 0.0).then(|| (f64::from(h.months), (worse as f64 / obs).min(1.0)))
                    })
                    .collect(),
                band: Vec::new(),
                step: false,
                dots: true,
            })
            .filter(|l| !l.points.is_empty())
            .collect();
        let axes = Axes {
            band: "",
            x: &w.t("months after return", "復職後の月数"),
            y: &w.t(
                "share with lower responsibility or non-regular",
                "職責低下・非正規化の割合",
            ),
            x_scale: Scale::Whole,
            y_scale: Scale::Percent,
            y_range: None,
            y_zero: true,
        };
        b.push(chart_or_note(
            w,
            if lines.is_empty() { Err(w.t("every figure withheld", "すべて非公表")) } else { charts::lines(&axes, &lines, None) },
            w.t(
                "Returners with lower responsibility or non-regular employment, by months after return",
                "職責が下がった、または非正規雇用になった復職者の割合（復職後の月数別）",
            ),
        ));
        let head = if lang == Lang::Ja {
            [
                "区分",
                "復職",
                "12か月後の在籍率",
                "昇進までの月数（中央値）",
            ]
        } else {
            [
                "group",
                "returns",
                "retained 12 months",
                "median months to promotion",
            ]
        };
        b.push(Block::Table {
            head: head.iter().map(|s| s.to_string()).collect(),
            rows: t
                .by_leave_and_gender
                .iter()
                .map(|g| {
                    let r12 = g
                        .retention
                        .iter()
                        .find(|r| r.months == 12)
                        .and_then(|r| r.retained);
                    vec![
                        w.group(&g.group),
                        w.count(&g.returns),
                        w.pct(r12),
                        g.median_months_to_promotion
                            .map_or_else(|| w.t("not reached", "未到達"), |m| format!("{m:.1}")),
                    ]
                })
                .collect(),
        });
        let _ = min;
    }

    fn flag_blocks(&self, w: Words, c: &Concentration, b: &mut Vec<Block>) {
        let lang = w.lang;
        b.push(Block::Section {
            id: "flags",
            title: w.t(
                "Mommy-track flags and where they concentrate",
                "マミートラックの兆候と、その集中",
            ),
        });
        let (n, inv, emp) = (
            w.count(&c.returns),
            w.count(&c.flagged_involuntary),
            w.count(&c.flagged_employee_initiated),
        );
        b.push(Block::Para(tr!(
            lang,
            "{n} childcare returns; {inv} flagged with an employer-initiated (or unrecorded) change; {emp} flagged with changes the employee asked for. Each flagged return, with its evidence, is in `flags.csv`.",
            "育児関連休業からの復職 {n}件。会社側の（または記録のない）変化による兆候 {inv}件、本人の希望による変化 {emp}件。兆候のある各復職と根拠は `flags.csv` に記載しています。"
        )));
        if let Some(st) = &c.stall {
            b.push(Block::Para(stall_sentence(w, st)));
        }
        // By year of return.
        let bars: Vec<(i32, Option<f64>)> = c.by_cohort.iter().map(|k| (k.year, k.rate)).collect();
        let withheld: Vec<String> = c
            .by_cohort
            .iter()
            .filter(|k| k.rate.is_none())
            .map(|k| k.year.to_string())
            .collect();
        let mut caption = w.t(
            "Involuntary flag rate by year of return",
            "復職年別の兆候の割合（本人の希望によらないもの）",
        );
        if !withheld.is_empty() {
            let years = withheld.join(", ");
            caption.push_str(&tr!(lang, " (withheld: {years})", "（非公表：{years}）"));
        }
        let axes = Axes {
            band: "",
            x: &w.t("year of return", "復職年"),
            y: &w.t("flag rate", "兆候の割合"),
            x_scale: Scale::Whole,
            y_scale: Scale::Percent,
            y_range: None,
            y_zero: false,
        };
        b.push(chart_or_note(
            w,
            if bars.iter().all(|b| b.1.is_none()) {
                Err(w.t("every year withheld", "すべて非公表"))
            } else {
                charts::bars(
                    &axes,
                    (&w.t("flag rate", "兆候の割合"), &w.t("withheld", "非公表")),
                    &bars,
                )
            },
            caption,
        ));
        // Funnel plots and tables, managers then departments.
        let levels = &self.config.report.funnel_levels;
        let p0 = match (c.flagged_involuntary.value, c.returns.value) {
            (Some(f), Some(n)) if n > 0 => Some(f as f64 / n as f64),
            _ => None,
        };
        for (units, sub, key) in [
            (
                &c.managers,
                w.t("Managers", "管理者別"),
                w.t("manager", "管理者"),
            ),
            (
                &c.departments,
                w.t("Departments", "部署別"),
                w.t("department", "部署"),
            ),
        ] {
            b.push(Block::Sub(sub.clone()));
            if units.is_empty() {
                b.push(Block::Note(w.t(
                    "None with enough returns to list.",
                    "掲載できるだけの復職件数がある単位はありません。",
                )));
                continue;
            }
            let plotted: Vec<Unit> = units
                .iter()
                .filter_map(|u| {
                    Some(Unit {
                        label: unit_name(u).to_string(),
                        returns: u.returns.value.filter(|n| *n > 0)?,
                        flagged: u.flagged.value?,
                        significant: u.significant,
                    })
                })
                .collect();
            let hidden = units.len() - plotted.len();
            let lv = levels
                .iter()
                .map(|l| format!("{}%", super::confidence_percent(1.0 - l)))
                .collect::<Vec<_>>()
                .join(if lang == Lang::Ja { "・" } else { " and " });
            let mut caption = tr!(
                lang,
                "Funnel plot, {key}s: involuntary flag rate against the number of returns, with the overall rate and its {lv} control limits (Spiegelhalter 2005); points outside the widest limits or significant in the table below are red and named",
                "ファンネルプロット（{key}）：復職件数に対する兆候の割合。全体の割合とその {lv} 管理限界（Spiegelhalter 2005）。最も広い限界の外側の点と下表で有意な点は赤で名前を表示"
            );
            if hidden > 0 {
                caption.push_str(&tr!(
                    lang,
                    "; {hidden} not drawn (counts withheld)",
                    "。{hidden}件は数値非公表のため描画せず"
                ));
            }
            let axes = Axes {
                band: "",
                x: &w.t("childcare returns", "育児関連休業からの復職件数"),
                y: &w.t("flag rate", "兆候の割合"),
                x_scale: Scale::Whole,
                y_scale: Scale::Percent,
                y_range: None,
                y_zero: false,
            };
            let svg = match p0 {
                Some(p0) if !plotted.is_empty() => charts::funnel(
                    &axes,
                    &plotted,
                    p0,
                    levels,
                    (
                        &w.t("overall rate", "全体の割合"),
                        &w.t("limits", "管理限界"),
                        &key,
                        &w.t("outside or significant", "限界外・有意"),
                    ),
                ),
                _ => Err(w.t("counts withheld", "数値非公表")),
            };
            b.push(chart_or_note(w, svg, caption));
            b.push(Block::Note(w.t(
                "Expected: the flags the same returns would have at the flag rate of all returns in the same period and grade. Only more flags than expected can be significant (one-sided exact test, Benjamini–Hochberg across the list). Sorted by excess, the significant first; the ratio is observed ÷ expected shrunk towards the overall ratio, so that a small group does not lead by chance.",
                "見込み：同じ時期・同じ等級の全復職の兆候率を当てはめた場合の件数。見込みを上回る場合のみ有意となり得ます（片側正確検定、一覧全体で Benjamini–Hochberg 補正）。超過の大きい順で有意なものを先頭に表示。比は「観測÷見込み」を全体の比に向けて縮小推定した値で、小さな集団が偶然上位に来ないようにしています。",
            )));
            let head: Vec<String> = if lang == Lang::Ja {
                vec![
                    key.clone(),
                    "復職".into(),
                    "兆候".into(),
                    "見込み".into(),
                    "超過".into(),
                    "比（縮小推定）".into(),
                    "p（BH補正）".into(),
                    "有意".into(),
                ]
            } else {
                vec![
                    key.clone(),
                    "returns".into(),
                    "flagged".into(),
                    "expected".into(),
                    "excess".into(),
                    "ratio (shrunk)".into(),
                    "p (BH)".into(),
                    "significant".into(),
                ]
            };
            let row = |m: &GroupConcentration| {
                vec![
                    unit_name(m).to_string(),
                    w.count(&m.returns),
                    w.count(&m.flagged),
                    w.num(m.expected, 1),
                    m.excess.map_or("—".into(), |v| format!("{v:+.1}")),
                    w.num(m.shrunken_ratio, 2),
                    w.num(m.p_adjusted, 4),
                    w.yes(m.significant),
                ]
            };
            let sorted = super::by_excess(units);
            let (sig, rest): (Vec<_>, Vec<_>) = sorted.into_iter().partition(|m| m.significant);
            if sig.is_empty() {
                b.push(Block::Para(tr!(
                    lang,
                    "No {key} has significantly more flags than expected.",
                    "見込みを有意に上回る{key}はありません。"
                )));
            } else {
                b.push(Block::Table {
                    head: head.clone(),
                    rows: sig.iter().map(|m| row(m)).collect(),
                });
            }
            if !rest.is_empty() {
                let k = rest.len();
                b.push(Block::Folded {
                    summary: tr!(
                        lang,
                        "The other {k} ({key}s not significant)",
                        "その他の {k} 件（有意でない{key}）"
                    ),
                    head,
                    rows: rest.iter().map(|m| row(m)).collect(),
                });
            }
        }
        if let Some(p) = &self.policy {
            let date = p.date;
            b.push(Block::Section {
                id: "policy",
                title: tr!(lang, "Before and after {date}", "{date} の前後"),
            });
            // A rate is absent when its returns are none, else withheld.
            let rate = |r: Option<f64>, n: &Count| match (r, n.value) {
                (Some(r), _) => w.pct(Some(r)),
                (None, Some(0)) => "—".into(),
                (None, _) => w.t("withheld", "非公表"),
            };
            let (a, z, pv) = (
                rate(p.flag_rate_before, &p.returns_before),
                rate(p.flag_rate_after, &p.returns_after),
                w.num(p.p_value, 3),
            );
            let (na, nz) = (w.count(&p.returns_before), w.count(&p.returns_after));
            let withheld = |r: Option<f64>, n: &Count| r.is_none() && n.value != Some(0);
            b.push(Block::Para(
                if withheld(p.flag_rate_before, &p.returns_before)
                    && withheld(p.flag_rate_after, &p.returns_after)
                {
                    tr!(
                        lang,
                        "The involuntary flag rates before ({na} returns) and after ({nz} returns) are withheld, so that no small group can be worked out.",
                        "本人の希望によらない兆候の割合は、前（復職 {na}件）・後（復職 {nz}件）とも、少人数の集団が割り出されないよう非公表です。"
                    )
                } else {
                    tr!(
                        lang,
                        "Involuntary flag rate {a} before ({na} returns), {z} after ({nz} returns) (Fisher p = {pv}).",
                        "本人の希望によらない兆候の割合：前 {a}（復職 {na}件）、後 {z}（復職 {nz}件）（Fisher の正確検定 p = {pv}）。"
                    )
                },
            ));
        }
    }

    fn penalty_blocks(&self, w: Words, e: &EventStudy, b: &mut Vec<Block>) {
        let lang = w.lang;
        let level = super::confidence_percent(self.config.statistics.significance_level);
        let anchor = w.anchor(self.config.event_study.anchor);
        b.push(Block::Section {
            id: "penalty",
            title: w.t(
                "Child penalty (event study)",
                "チャイルド・ペナルティ（イベントスタディ）",
            ),
        });
        b.push(Block::Para(tr!(
            lang,
            "Women's outcome relative to men's, as a share of the counterfactual, by years since {anchor} (t = −1 is the reference; Kleven, Landais & Søgaard 2019).",
            "{anchor}からの年数別に、女性の値を男性と比べ、子がいなかった場合に対する比率で示します（t = −1 が基準。Kleven, Landais & Søgaard 2019）。"
        )));
        if let Some(c) = e.parents_anchored_on_leave.filter(|c| c.value != Some(0)) {
            let n = w.count(&c);
            b.push(Block::Note(tr!(
                lang,
                "Parents with no recorded birth are anchored on their first childcare leave: {n}.",
                "出生の記録がない親は最初の育児関連休業を起点としています：{n}人。"
            )));
        }
        let x = tr!(lang, "years since {anchor}", "{anchor}からの年数");
        let band_name = tr!(lang, "{level}% confidence band", "{level}%信頼帯");
        let y = w.t("penalty", "ペナルティ");
        let mut failed = Vec::new();
        let charts: Vec<(charts::Chart, String)> = e
            .outcomes
            .iter()
            .filter_map(|(o, p)| {
                let pts: Vec<(f64, f64)> = p
                    .event_time
                    .iter()
                    .zip(&p.penalty)
                    .filter_map(|(t, v)| v.map(|v| (f64::from(*t), v)))
                    .collect();
                if pts.is_empty() {
                    return None;
                }
                let band = p
                    .event_time
                    .iter()
                    .zip(p.ci_lower.iter().zip(&p.ci_upper))
                    .filter_map(|(t, (lo, hi))| Some((f64::from(*t), (*lo)?, (*hi)?)))
                    .collect();
                let name = w.outcome(*o);
                let axes = Axes {
                    band: &band_name,
                    x: &x,
                    y: &y,
                    x_scale: Scale::Whole,
                    y_scale: Scale::Percent,
                    y_range: None,
                    y_zero: true,
                };
                let line = Line {
                    name: name.clone(),
                    points: pts,
                    band,
                    step: false,
                    dots: true,
                };
                let caption = tr!(
                    lang,
                    "{name}: penalty with its {level}% confidence band",
                    "{name}：ペナルティと{level}%信頼帯"
                );
                match charts::lines(&axes, &[line], None) {
                    Ok(chart) => Some((chart, caption)),
                    Err(e) => {
                        failed.push(format!("{caption}: {e}"));
                        None
                    }
                }
            })
            .collect();
        if !charts.is_empty() {
            b.push(Block::Charts(charts));
        }
        for f in failed {
            b.push(Block::Note(f));
        }
        let times = e
            .outcomes
            .values()
            .next()
            .map(|p| p.event_time.clone())
            .unwrap_or_default();
        // One row per event time, one column per outcome.
        let mut head = vec![w.t("years since", "経過年数")];
        head.extend(e.outcomes.keys().map(|o| w.outcome(*o)));
        b.push(Block::Table {
            head,
            rows: times
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    let mut r = vec![format!("t = {t}")];
                    r.extend(e.outcomes.values().map(|p| {
                        p.penalty
                            .get(i)
                            .copied()
                            .flatten()
                            .map_or("—".into(), |v| format!("{:+.1}%", v * 100.0))
                    }));
                    r
                })
                .collect(),
        });
    }
}

fn unit_name(u: &GroupConcentration) -> &str {
    u.manager_id
        .as_deref()
        .or(u.department.as_deref())
        .unwrap_or("")
}

fn km_line(name: &str, cv: &Curve) -> Line {
    let points = std::iter::once((0.0, 1.0))
        .chain(
            cv.months
                .iter()
                .map(|m| m / 12.0)
                .zip(cv.survival.iter().copied()),
        )
        .collect();
    let band = if cv.ci_lower.len() == cv.months.len() && cv.ci_upper.len() == cv.months.len() {
        std::iter::once((0.0, 1.0, 1.0))
            .chain(
                cv.months
                    .iter()
                    .zip(cv.ci_lower.iter().zip(&cv.ci_upper))
                    .map(|(m, (l, u))| (m / 12.0, *l, *u)),
            )
            .collect()
    } else {
        Vec::new()
    };
    Line {
        name: name.to_string(),
        points,
        band,
        step: true,
        dots: false,
    }
}

fn disclosure_blocks(w: Words, d: &Disclosure, b: &mut Vec<Block>) {
    let lang = w.lang;
    let fy = &d.fiscal_year;
    let (year, start, end) = (fy.year, fy.start, fy.end);
    b.push(Block::Section {
        id: "disclosure",
        title: tr!(
            lang,
            "Statutory disclosure figures, fiscal year {year}",
            "法定開示項目（{year}年度）"
        ),
    });
    b.push(Block::Note(tr!(
        lang,
        "Fiscal year {start} to {end}.",
        "事業年度 {start}〜{end}。"
    )));
    b.push(Block::Sub(w.t(
        "Japan: Act on Childcare Leave and Women's Advancement Act",
        "日本：育児・介護休業法、女性活躍推進法",
    )));
    let head = if lang == Lang::Ja {
        ["項目", "値", "分子", "分母", "端数処理"]
    } else {
        ["figure", "value", "numerator", "denominator", "rounding"]
    };
    let mut rows = Vec::new();
    for u in &d.leave_uptake {
        let name = match (lang, u.gender) {
            (Lang::Ja, Gender::Male) => "男性労働者の育児休業等取得率".to_string(),
            (Lang::Ja, _) => "女性労働者の育児休業取得率".to_string(),
            (_, Gender::Male) => {
                "Parental leave uptake, men (男性労働者の育児休業等取得率)".to_string()
            }
            (_, _) => "Parental leave uptake, women (女性労働者の育児休業取得率)".to_string(),
        };
        rows.push(vec![
            name,
            w.display(&u.rate.display),
            w.count(&u.rate.numerator),
            w.count(&u.rate.denominator),
            u.rate.rounding.clone(),
        ]);
    }
    let mg = d.manager_grade;
    for (en, ja, r) in [
        (
            "Women among managers (管理職に占める女性労働者の割合)",
            "管理職に占める女性労働者の割合",
            &d.women_among_managers,
        ),
        (
            "Women among workers (労働者に占める女性労働者の割合)",
            "労働者に占める女性労働者の割合",
            &d.women_among_workers,
        ),
        (
            "Women among hires (採用した労働者に占める女性労働者の割合)",
            "採用した労働者に占める女性労働者の割合",
            &d.women_among_hires,
        ),
    ] {
        let name = if lang == Lang::Ja {
            ja.to_string()
        } else {
            en.to_string()
        };
        rows.push(vec![
            name,
            w.display(&r.display),
            w.count(&r.numerator),
            w.count(&r.denominator),
            r.rounding.clone(),
        ]);
    }
    b.push(Block::Table {
        head: head.iter().map(|s| s.to_string()).collect(),
        rows,
    });
    b.push(Block::Note(tr!(
        lang,
        "Managers: grade {mg} and above.",
        "管理職：等級 {mg} 以上。"
    )));
    b.push(Block::Para(w.t(
        "Women's pay as a percentage of men's (男女の賃金の差異):",
        "男女の賃金の差異（男性の賃金に対する女性の賃金の割合）：",
    )));
    let head = if lang == Lang::Ja {
        [
            "区分",
            "男女の賃金の差異",
            "女性の平均賃金",
            "男性の平均賃金",
        ]
    } else {
        [
            "workers",
            "women's pay ÷ men's",
            "women's mean pay",
            "men's mean pay",
        ]
    };
    let mean = |c: &crate::analysis::disclosure::PayCell| {
        c.mean_pay
            .map_or_else(|| w.t("withheld", "非公表"), |v| format!("{v:.0}"))
    };
    b.push(Block::Table {
        head: head.iter().map(|s| s.to_string()).collect(),
        rows: d
            .pay_ratio
            .iter()
            .map(|p| {
                let group = match (lang, p.group.as_str()) {
                    (Lang::Ja, "all") => "全労働者".to_string(),
                    (Lang::Ja, "regular") => "正規雇用労働者".to_string(),
                    (Lang::Ja, "non_regular") => "パート・有期労働者".to_string(),
                    (_, "all") => "all workers (全労働者)".to_string(),
                    (_, "regular") => "regular workers (正規雇用労働者)".to_string(),
                    (_, "non_regular") => {
                        "part-time and fixed-term (パート・有期労働者)".to_string()
                    }
                    (_, g) => g.to_string(),
                };
                vec![group, w.display(&p.display), mean(&p.women), mean(&p.men)]
            })
            .collect(),
    });
    let basis = if lang == Lang::Ja && d.pay_basis == crate::analysis::disclosure::PAY_BASIS {
        "基本給（契約上の `salary`）の年額を、その額で在籍した事業年度内の日数で按分したもの。休業日は賃金・人数の両方から除外。賞与・手当はデータにないため、基本給のみの数値".to_string()
    } else {
        d.pay_basis.clone()
    };
    b.push(Block::Note(tr!(
        lang,
        "Pay basis: {basis}.",
        "賃金の定義：{basis}。"
    )));
    let y = &d.service_years;
    let (wy, my, gy) = (
        w.num(y.women_mean_years, 1),
        w.num(y.men_mean_years, 1),
        w.num(y.gap_years, 1),
    );
    b.push(Block::Para(tr!(
        lang,
        "Mean years of service (男女の平均継続勤務年数の差異): women {wy}, men {my} (gap {gy} years).",
        "男女の平均継続勤務年数の差異：女性 {wy}年、男性 {my}年（差 {gy}年）。"
    )));
    let uk = &d.uk_pay_gap;
    let snap = uk.snapshot;
    b.push(Block::Sub(w.t(
        "UK: Equality Act 2010 (Gender Pay Gap Information) Regulations 2017",
        "英国：2010年平等法（男女間賃金格差情報）規則2017",
    )));
    let (nw, nm, ex) = (
        w.count(&uk.women),
        w.count(&uk.men),
        w.count(&uk.excluded_on_leave),
    );
    b.push(Block::Para(tr!(
        lang,
        "Snapshot {snap}: {nw} women and {nm} men full-pay relevant employees ({ex} on reduced-pay leave left out).",
        "基準日 {snap}：対象となる全額支給の従業員 女性 {nw}人、男性 {nm}人（減額支給の休業中の {ex}人は除外）。"
    )));
    let pct = |v: Option<f64>| v.map_or("—".into(), |v| format!("{v:.1}%"));
    let head = if lang == Lang::Ja {
        ["項目", "値"]
    } else {
        ["figure", "value"]
    };
    b.push(Block::Table {
        head: head.iter().map(|s| s.to_string()).collect(),
        rows: vec![
            vec![
                w.t("Mean gender pay gap in hourly pay", "時間給の平均の男女差"),
                pct(uk.mean_gap_percent),
            ],
            vec![
                w.t(
                    "Median gender pay gap in hourly pay",
                    "時間給の中央値の男女差",
                ),
                pct(uk.median_gap_percent),
            ],
        ],
    });
    let head = if lang == Lang::Ja {
        ["賃金四分位", "女性", "男性"]
    } else {
        ["pay quartile", "women", "men"]
    };
    b.push(Block::Table {
        head: head.iter().map(|s| s.to_string()).collect(),
        rows: uk
            .quartiles
            .iter()
            .map(|q| {
                let name = match (lang, q.quartile.as_str()) {
                    (Lang::Ja, "lower") => "下位".to_string(),
                    (Lang::Ja, "lower_middle") => "中下位".to_string(),
                    (Lang::Ja, "upper_middle") => "中上位".to_string(),
                    (Lang::Ja, "upper") => "上位".to_string(),
                    (_, "lower") => "lower".to_string(),
                    (_, "lower_middle") => "lower middle".to_string(),
                    (_, "upper_middle") => "upper middle".to_string(),
                    (_, "upper") => "upper".to_string(),
                    (_, q) => q.to_string(),
                };
                vec![name, pct(q.women_percent), pct(q.men_percent)]
            })
            .collect(),
    });
}

/// What the stall test found: how many returns it judged, flagged and could
/// not yet tell, or why it flagged none when its model gave no answer.
fn stall_sentence(w: Words, st: &crate::analysis::stall::StallSummary) -> String {
    let lang = w.lang;
    let (tested, flagged, short) = (
        w.count(&st.tested),
        w.count(&st.flagged),
        w.count(&st.too_short),
    );
    // The posterior rule without a fitted model flags no one.
    let why_none = match (st.fdr, st.stalled_share, st.mixture_converged) {
        (None, _, _) => None,
        (Some(_), Some(_), Some(false)) => Some(w.t(
            "the model of who is stalled did not converge on these data",
            "停滞している人を推定するモデルがこのデータでは収束しませんでした",
        )),
        (Some(_), None, _) => Some(w.t(
            "these returns show no group promoted more slowly than their peers",
            "これらの復職には同僚より昇進の遅い集団が見られません",
        )),
        _ => None,
    };
    match why_none {
        Some(why) => tr!(
            lang,
            "**Promotion stall**: {tested} returns were tested against matched peers at the same grade and rating level; none is flagged: {why}.",
            "**昇進の停滞**：同じ等級・評価水準のマッチングした同僚と比べて復職 {tested}件を検定しましたが、兆候は付けていません（{why}）。"
        ),
        None => tr!(
            lang,
            "**Promotion stall**: {tested} returns were tested against matched peers at the same grade and rating level; {flagged} are flagged, and {short} were not promoted but have been followed too briefly to tell (no flag, and no clearance either).",
            "**昇進の停滞**：同じ等級・評価水準のマッチングした同僚と比べて検定した復職 {tested}件のうち、兆候ありが {flagged}件、昇進していないものの追跡期間が短く判断できないものが {short}件です（兆候なしですが、問題なしとも言えません）。"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::stall::StallSummary;

    fn summary(converged: Option<bool>, share: Option<f64>) -> StallSummary {
        StallSummary {
            tested: Count::new(120, 5),
            flagged: Count::new(9, 5),
            too_short: Count::new(3, 5),
            level: 0.1,
            fdr: Some(0.3),
            stalled_share: share,
            stalled_rate: share.map(|_| 0.05),
            mixture_converged: converged,
        }
    }

    /// The sentence gives the three counts (a count under the minimum group
    /// size withheld), and says why nothing is flagged when the model gave
    /// no answer.
    #[test]
    fn the_stall_sentence_counts_or_says_why_none_is_flagged() {
        let en = Words { lang: Lang::En };
        let ja = Words { lang: Lang::Ja };
        let ok = stall_sentence(en, &summary(Some(true), Some(0.2)));
        assert_eq!(
            ok,
            "**Promotion stall**: 120 returns were tested against matched peers at the same grade and rating level; 9 are flagged, and withheld were not promoted but have been followed too briefly to tell (no flag, and no clearance either)."
        );
        let stuck = stall_sentence(en, &summary(Some(false), Some(0.2)));
        assert_eq!(
            stuck,
            "**Promotion stall**: 120 returns were tested against matched peers at the same grade and rating level; none is flagged: the model of who is stalled did not converge on these data."
        );
        let none = stall_sentence(en, &summary(None, None));
        assert!(none.ends_with("none is flagged: these returns show no group promoted more slowly than their peers."), "{none}");
        let ja_ok = stall_sentence(ja, &summary(Some(true), Some(0.2)));
        assert!(
            ja_ok.contains("復職 120件のうち、兆候ありが 9件、"),
            "{ja_ok}"
        );
        assert!(ja_ok.contains("非公表件です"), "{ja_ok}");
        let ja_stuck = stall_sentence(ja, &summary(Some(false), Some(0.2)));
        assert!(
            ja_stuck.ends_with(
                "（停滞している人を推定するモデルがこのデータでは収束しませんでした）。"
            ),
            "{ja_stuck}"
        );
    }
}
