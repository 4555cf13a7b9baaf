//! A returner's own page: one return, for the career conversation after
//! leave, in the report's language.
//!
//! What it holds: her grade, responsibility, hours, employment, pay and
//! latest rating before the leave, on the return date and each year after
//! it; the same for her matched peers as a median and interquartile range
//! on the same dates, printed only where at least `min_group_size` distinct
//! peers have a value; her flags with their evidence; and, from every
//! matched peer at her grade, how often and how soon they were promoted.
//! It names no one but her: no peer, no manager, no department.

use super::charts::{self, Axes, Line, Scale};
use super::doc::{self, Block};
use super::document::Words;
use crate::analysis::flags::{Change, FlagKind};
use crate::analysis::peers::PeerSample;
use crate::analysis::{Analysis, Context};
use crate::config::{Lang, ValidConfig};
use crate::error::{Error, Result};
use crate::ingest::Dataset;
use crate::schema::EmploymentType;
use crate::stats::KaplanMeier;
use crate::timeline::{State, Timeline};
use chrono::{Months, NaiveDate};
use statrs::statistics::{Data, OrderStatistics};
use std::collections::BTreeSet;

/// One measure of a state, as a number.
type Measure = fn(&State, &Timeline, NaiveDate) -> Option<f64>;

/// The measures the page compares, in order: name (English, Japanese),
/// value, decimals.
fn measures() -> [(&'static str, &'static str, Measure, usize); 6] {
    [
        ("grade", "等級", |s, _, _| Some(f64::from(s.grade)), 0),
        (
            "responsibility",
            "職責",
            |s, _, _| Some(f64::from(s.responsibility)),
            0,
        ),
        (
            "hours a week",
            "週労働時間",
            |s, _, _| Some(s.weekly_hours),
            1,
        ),
        (
            "regular",
            "正規雇用",
            |s, _, _| {
                Some(if s.employment_type == EmploymentType::Regular {
                    1.0
                } else {
                    0.0
                })
            },
            0,
        ),
        (
            "pay index",
            "給与指数",
            |s, t, before| {
                let base = t.state_on(before).salary?;
                (base > 0.0).then_some(s.salary? / base * 100.0)
            },
            0,
        ),
        ("rating", "評価", |s, _, _| s.rating.map(|r| r.rating), 1),
    ]
}

/// The median and interquartile range of `v` (statrs' order statistics),
/// or `None` when fewer than `min` values.
fn spread(v: &[f64], min: usize) -> Option<(f64, f64, f64)> {
    if v.len() < min || v.is_empty() {
        return None;
    }
    let mut d = Data::new(v.to_vec());
    Some((d.median(), d.lower_quartile(), d.upper_quartile()))
}

fn kind_name(w: Words, k: FlagKind) -> String {
    if w.lang != Lang::Ja {
        return k.as_str().replace('_', " ");
    }
    match k {
        FlagKind::ResponsibilityDrop => "職責の低下",
        FlagKind::TrackDowngrade => "コースの引き下げ",
        FlagKind::Demotion => "降格",
        FlagKind::NonRegularConversion => "非正規雇用への転換",
        FlagKind::PromotionStall => "昇進の停滞",
        FlagKind::RatingDrop => "評価の低下",
        _ => "短時間勤務の長期化",
    }
    .into()
}

fn who_ja(i: crate::schema::InitiatedBy) -> &'static str {
    match i {
        crate::schema::InitiatedBy::Employee => "本人の申し出",
        crate::schema::InitiatedBy::Employer => "会社の判断",
        _ => "申し出の記録なし",
    }
}

/// One change of the evidence in the page's language.
fn change_text(w: Words, c: &Change) -> String {
    if w.lang != Lang::Ja {
        return c.to_string();
    }
    match c {
        Change::ResponsibilityDrop { date, from, to, initiated_by } => {
            format!("{date} に職責 {from} → {to}（{}）", who_ja(*initiated_by))
        }
        Change::TrackDowngrade { date, from, to, initiated_by } => format!(
            "{date} にコース {} → {}（{}）",
            from.as_deref().unwrap_or(""),
            to.as_deref().unwrap_or(""),
            who_ja(*initiated_by)
        ),
        Change::Demotion { date, from, to, initiated_by } => {
            format!("{date} に等級 {from} → {to}（{}）", who_ja(*initiated_by))
        }
        Change::NonRegularConversion { date, from, to, initiated_by } => {
            format!("{date} に雇用形態 {from} → {to}（{}）", who_ja(*initiated_by))
        }
        Change::ProlongedReducedHours { from, to, months, cut } => {
            let mut s = format!("週の労働時間 {from} → {to} の状態が復職後 {months}か月続いている");
            if let Some((d, who)) = cut {
                s.push_str(&format!("（{d} に短縮、{}）", who_ja(*who)));
            }
            s
        }
        Change::RatingDrop { before, after, ratings, score, level_ratings } => match (score, level_ratings) {
            (Some(z), Some(n)) => format!(
                "復職後の評価 {ratings}回の平均 {after:.2}、他の {n}回の評価から見た本人の水準 {before:.2}（スコア {z:.2}）"
            ),
            _ => format!("評価の平均 休業前 {before:.2} → 復職後 {after:.2}（{ratings}回）"),
        },
        Change::PromotionStall { months_followed, stall_p, posterior, .. } => {
            let mut s = format!("復職後 {months_followed:.0}か月昇進なし");
            if let Some(p) = stall_p {
                s.push_str(&format!("。同じ等級・評価水準の同僚がこれほど長く昇進しない確率 {p:.3}"));
            }
            if let Some(q) = posterior {
                s.push_str(&format!("。昇進が止まっている確率 {q:.2}"));
            }
            s
        }
    }
}

/// The page for `employee_id`'s latest return from childcare leave, as one
/// self-contained HTML document in the configured language.
///
/// `analysis` is the published analysis of the same `data` and `config`
/// (its flags give the page's flags). The peers are the ones the promotion
/// gap matched to this return; a peer figure is printed only when at least
/// `min_group_size` distinct peers have a value on that date, and no other
/// employee's id, and no manager or department, appears on the page.
///
/// # Errors
/// [`Error::NoReturn`] when the employee is unknown or has no return from
/// childcare leave before the analysis date.
///
/// ```
/// use mommytrack::{report, Analysis, Dataset, ValidConfig};
/// let config = ValidConfig::default();
/// let data = Dataset::builder(&config)
///     .from_paths("data-samples/employees.csv", "data-samples/events.csv")?;
/// let analysis = Analysis::run(&data, &config);
/// let id = &analysis.flags[0].employee_id;
/// let page = report::returner_page(&data, &config, &analysis, id)?;
/// assert!(page.contains(id.as_str()));
/// assert!(report::returner_page(&data, &config, &analysis, "no such id").is_err());
/// # Ok::<(), mommytrack::Error>(())
/// ```
pub fn returner_page(
    data: &Dataset,
    config: &ValidConfig,
    analysis: &Analysis,
    employee_id: &str,
) -> Result<String> {
    let config = config.clone().with_lang(analysis.config.report.lang);
    let w = Words {
        lang: config.config().report.lang,
    };
    let lang = w.lang;
    let min = config.min_group_size();
    let ctx = Context::new(data, &config);
    let as_of = ctx.as_of();
    let no_return = || Error::NoReturn {
        employee_id: employee_id.to_string(),
    };
    let (ri, r) = ctx
        .returns()
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            r.timeline.employee().employee_id == employee_id
                && r.absence.is_childcare()
                && r.return_date < as_of
        })
        .max_by_key(|(_, r)| r.return_date)
        .ok_or_else(no_return)?;
    let sample = PeerSample::build(&ctx);
    let peers: BTreeSet<usize> = sample
        .follow_ups
        .iter()
        .filter(|f| !f.returner && f.return_index as usize == ri)
        .map(|f| f.employee)
        .collect();
    let timelines = ctx.timelines();
    let before = r.absence.start.pred_opt().unwrap_or(r.absence.start);
    // The dates compared: the day before the leave, the return date, and
    // each anniversary of the return up to the analysis date.
    let mut dates = vec![
        (w.t("before the leave", "休業前"), before, None),
        (w.t("on return", "復職時"), r.return_date, Some(0)),
    ];
    for y in 1..=10u32 {
        match r.return_date.checked_add_months(Months::new(12 * y)) {
            Some(d) if d <= as_of => dates.push((format!("+{y}"), d, Some(y))),
            _ => break,
        }
    }
    let own = r.timeline;
    let mut blocks = Vec::new();
    let (start, ret) = (r.absence.start, r.return_date);
    let leave = r
        .absence
        .leave_types
        .iter()
        .map(|t| w.leave(*t))
        .collect::<Vec<_>>()
        .join(if lang == Lang::Ja { "・" } else { ", " });
    blocks.push(Block::Para(match lang {
        Lang::Ja => format!(
            "従業員 `{employee_id}` の休業（{start} 開始、{ret} 復職、種類：{leave}）について、復職後の面談に使うためのページです。比較対象の同僚は、分析が復職時にマッチングした同僚（同じ性別・等級、その日に就業中で育児関連休業の取得歴がなく、入社日が近い人）で、{min}人以上の値がある時点だけ中央値と四分位範囲を示します。他の従業員の個人データは含みません。"
        ),
        _ => format!(
            "For the career conversation after the leave of employee `{employee_id}` (leave from {start}, back on {ret}; {leave}). Peers are the ones the analysis matched to this return (same gender and grade on the return date, at work that day with no childcare leave yet, hired close to her); their median and interquartile range are shown only where at least {min} of them have a value. No other employee's data is on this page."
        ),
    }));
    // Her path against her peers'.
    blocks.push(Block::Section {
        id: "path",
        title: w.t("Before and after the return", "復職の前後"),
    });
    let peer_note = if peers.len() < min {
        let n = peers.len();
        Some(match lang {
            Lang::Ja => {
                format!("マッチングした同僚が {min}人未満（{n}人）のため、同僚の値は示しません。")
            }
            _ => format!("Fewer than {min} matched peers ({n}), so no peer figure is shown."),
        })
    } else {
        None
    };
    // First the dates, with how many of her matched peers were employed
    // on each (a peer figure is shown only when at least `min` were); then
    // one small table per measure: her value, and the peers' median
    // [interquartile range]. Small tables sit side by side on a screen and
    // two to a row on an A4 page.
    let when = w.t("when", "時点");
    let counts: Vec<Vec<String>> = dates
        .iter()
        .map(|d| {
            let n = peers
                .iter()
                .filter(|&&p| timelines[p].state_on(d.1).employed)
                .count();
            let shown = if n >= min {
                n.to_string()
            } else {
                match lang {
                    Lang::Ja => format!("{min}人未満"),
                    _ => format!("fewer than {min}"),
                }
            };
            vec![d.0.clone(), d.1.to_string(), shown]
        })
        .collect();
    let mut tables = vec![(
        w.t("Dates", "日付"),
        vec![
            when.clone(),
            w.t("date", "日付"),
            w.t("peers employed", "在籍中の同僚"),
        ],
        counts,
    )];
    let mut grade_path = (Vec::new(), Vec::new(), Vec::new());
    for (en, ja, f, decimals) in measures() {
        let name = if lang == Lang::Ja { ja } else { en };
        let mut rows = Vec::new();
        for (label, date, year) in &dates {
            let s = own.state_on(*date);
            let v = if s.employed { f(&s, own, before) } else { None };
            let values: Vec<f64> = peers
                .iter()
                .filter_map(|&p| {
                    let t = &timelines[p];
                    let s = t.state_on(*date);
                    if s.employed {
                        f(&s, t, before)
                    } else {
                        None
                    }
                })
                .collect();
            let sp = if peer_note.is_none() {
                spread(&values, min)
            } else {
                None
            };
            rows.push(vec![
                label.clone(),
                v.map_or("—".into(), |v| num(v, decimals)),
                sp.map_or("—".into(), |(m, lo, hi)| {
                    format!(
                        "{} [{}–{}]",
                        num(m, decimals),
                        num(lo, decimals),
                        num(hi, decimals)
                    )
                }),
            ]);
            if en == "grade" {
                let x = year.map_or(
                    -((ret - before).num_days() as f64 / 365.25).max(0.5),
                    f64::from,
                );
                if let Some(v) = v {
                    grade_path.0.push((x, v));
                }
                if let Some((m, lo, hi)) = sp {
                    grade_path.1.push((x, m));
                    grade_path.2.push((x, lo, hi));
                }
            }
        }
        tables.push((
            name.to_string(),
            vec![when.clone(), w.t("her", "本人"), w.t("peers", "同僚")],
            rows,
        ));
    }
    blocks.push(Block::Tables(tables));
    blocks.push(Block::Note(w.t(
        "+1, +2, …: years after the return, on its anniversaries. Peers: median [interquartile range] of the matched peers employed on that date. Regular: 1 in regular employment, 0 otherwise. Pay index: each person's pay as a percentage of their own on the day before her leave. Rating: the latest rating by that date.",
        "+1、+2、…：復職からの年数（復職日の応当日）。同僚：その日に在籍しているマッチングした同僚の中央値［四分位範囲］。正規雇用：正規なら 1、それ以外は 0。給与指数：各人の給与を、本人の休業開始前日の各人の給与 = 100 として示したもの。評価：その日までの直近の評価。",
    )));
    if let Some(n) = &peer_note {
        blocks.push(Block::Note(n.clone()));
    }
    let band = w.t("peers' interquartile range", "同僚の四分位範囲");
    let axes = Axes {
        band: &band,
        x: &w.t(
            "years since return (before the leave at left)",
            "復職からの年数（左端は休業前）",
        ),
        y: &w.t("grade", "等級"),
        x_scale: Scale::Whole,
        y_scale: Scale::Whole,
        y_range: None,
        y_zero: false,
    };
    let mut lines = vec![Line {
        name: w.t("her grade", "本人の等級"),
        points: grade_path.0,
        band: Vec::new(),
        step: false,
        dots: true,
    }];
    if !grade_path.1.is_empty() {
        lines.push(Line {
            name: w.t("peers' median", "同僚の中央値"),
            points: grade_path.1,
            band: grade_path.2,
            step: false,
            dots: true,
        });
    }
    let caption = w.t(
        "Her grade against her matched peers' median and interquartile range",
        "本人の等級と、マッチングした同僚の等級の中央値・四分位範囲",
    );
    blocks.push(match charts::lines(&axes, &lines, None) {
        Ok(chart) => Block::Chart { chart, caption },
        Err(e) => Block::Note(format!("{caption}: {e}")),
    });
    // Her flags.
    blocks.push(Block::Section {
        id: "flags",
        title: w.t("What the analysis flagged", "分析が示した兆候"),
    });
    let flags: Vec<_> = analysis
        .flags
        .iter()
        .filter(|f| f.employee_id == employee_id && f.return_date == ret)
        .collect();
    if flags.is_empty() {
        blocks.push(Block::Para(w.t(
            "No mommy-track pattern was flagged for this return.",
            "この復職について、マミートラックの兆候は示されていません。",
        )));
    }
    for f in flags {
        let kinds = f
            .kinds
            .iter()
            .map(|k| kind_name(w, *k))
            .collect::<Vec<_>>()
            .join(", ");
        let asked = f.employee_initiated;
        blocks.push(Block::Para(match (lang, asked) {
            (Lang::Ja, true) => format!("**{kinds}**（本人の申し出による変化を含む）"),
            (Lang::Ja, false) => format!("**{kinds}**"),
            (_, true) => format!("**{kinds}** (including changes she asked for)"),
            (_, false) => format!("**{kinds}**"),
        }));
        let mut items: Vec<String> = f
            .evidence
            .changes
            .iter()
            .map(|c| change_text(w, c))
            .collect();
        for p in &f.evidence.peer_rates {
            let (share, n, kind) = (p.share * 100.0, p.peers, kind_name(w, p.kind));
            items.push(match lang {
                Lang::Ja => format!("同じ時期の同僚 {n}人のうち {share:.1}% に同じ変化（{kind}）"),
                _ => format!(
                    "peers: {share:.1}% of {n} had the same change ({kind}) in the same window"
                ),
            });
        }
        blocks.push(Block::List(items));
    }
    // What peers at her grade reached, and when.
    let grade = r.state_at_return().grade;
    blocks.push(Block::Section {
        id: "outlook",
        title: w.t(
            "What comparable peers at her grade reached",
            "同じ等級の同僚の昇進",
        ),
    });
    let at_grade: Vec<&crate::analysis::peers::FollowUp> = sample
        .follow_ups
        .iter()
        .filter(|f| !f.returner && f.grade == grade)
        .collect();
    let distinct: BTreeSet<usize> = at_grade.iter().map(|f| f.employee).collect();
    let km = (distinct.len() >= min)
        .then(|| {
            let d: Vec<f64> = at_grade.iter().map(|f| f.months).collect();
            let e: Vec<bool> = at_grade.iter().map(|f| f.promoted).collect();
            KaplanMeier::fit(&d, &e, None, config.confidence_level()).ok()
        })
        .flatten();
    match km {
        Some(km) => {
            let n = distinct.len();
            blocks.push(Block::Para(match lang {
                Lang::Ja => format!("すべての復職者にマッチングされた同僚のうち、復職日に等級 {grade} だった {n}人の昇進（カプラン・マイヤー推定。退職・追跡終了は打ち切り）："),
                _ => format!("Of the peers matched to every return who were at grade {grade} on the return date ({n} people), the share promoted (Kaplan–Meier; leaving and the end of follow-up censor):"),
            }));
            let mut rows: Vec<Vec<String>> = [1u32, 2, 3, 5]
                .iter()
                .map(|&y| {
                    let s = km.survival_at(f64::from(y) * 12.0);
                    vec![tr_within(w, y), format!("{:.0}%", (1.0 - s) * 100.0)]
                })
                .collect();
            rows.push(vec![
                w.t("median time to promotion", "昇進までの期間（中央値）"),
                km.median().map_or_else(
                    || w.t("not reached", "未到達"),
                    |m| match lang {
                        Lang::Ja => format!("{:.1}年", m / 12.0),
                        _ => format!("{:.1} years", m / 12.0),
                    },
                ),
            ]);
            blocks.push(Block::Table {
                head: vec![
                    w.t("promoted", "昇進"),
                    w.t("peers at her grade", "同じ等級の同僚"),
                ],
                rows,
            });
        }
        None => blocks.push(Block::Para(match lang {
            Lang::Ja => format!("等級 {grade} の同僚が {min}人未満のため示しません。"),
            _ => format!("Fewer than {min} peers at grade {grade}: not shown."),
        })),
    }
    let title = match lang {
        Lang::Ja => format!("{employee_id} さんの復職後のキャリア"),
        _ => format!("Career after leave: {employee_id}"),
    };
    let body = format!(
        "<h1>{}</h1>{}<p class=\"note\">{}</p>",
        doc::esc(&title),
        doc::to_html(&blocks),
        doc::esc(&match lang {
            Lang::Ja => format!(
                "mommytrack {} で作成、分析基準日 {as_of}。",
                analysis.crate_version
            ),
            _ => format!(
                "Made by mommytrack {}, analysis date {as_of}.",
                analysis.crate_version
            ),
        })
    );
    Ok(super::html::page(lang, &title, &body))
}

/// `v` with `decimals` decimals, or none when it is a whole number.
fn num(v: f64, decimals: usize) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        format!("{v:.decimals$}")
    }
}

fn tr_within(w: Words, y: u32) -> String {
    match (w.lang, y) {
        (Lang::Ja, y) => format!("{y}年以内"),
        (_, 1) => "within 1 year".into(),
        (_, y) => format!("within {y} years"),
    }
}
