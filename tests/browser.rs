//! The reports checked the way a person reads them: `report.html` in
//! English and in Japanese and a returner's page, rendered in headless
//! Chromium (Debian's `chromium`; `.ci/run` installs it). For each page:
//! no script error or console error, every chart drawn with its axis
//! titles and legend, no two texts of a chart overlapping and none outside
//! it (bounding boxes as the browser lays them out), every link to a
//! section landing on one, nothing wider than an A4 page's text width;
//! then a screenshot under `target/screenshots/` for a person to look at,
//! and the page printed to PDF on A4.
//!
//! Without Chromium the tests say so and pass, except under CI (`CI` set),
//! where a missing browser is a failure.

use mommytrack::config::{Config, Lang};
use mommytrack::{report, Analysis, Dataset, ValidConfig};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn chromium() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |d| d.join(name)))
        .find(|p| p.is_file())
}

fn require_chromium() -> Option<PathBuf> {
    let found = chromium();
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI: no Chromium on PATH (set CHROMIUM, or install Debian's chromium as .ci/run does)"
        );
        eprintln!("skipped: no Chromium on PATH (install Debian's chromium, or set CHROMIUM)");
    }
    found
}

fn target_dir() -> PathBuf {
    // CARGO_TARGET_TMPDIR is target/tmp.
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target dir")
        .to_path_buf()
}

/// Runs Chromium headless on a file with extra arguments; its stdout.
fn chrome(bin: &Path, args: &[String], file: &Path) -> String {
    let profile = tempdir("profile");
    let out = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", file.display()))
        .output()
        .expect("run chromium");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&profile);
    String::from_utf8(out.stdout).expect("utf-8 DOM")
}

fn tempdir(what: &str) -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let d = std::env::temp_dir().join(format!(
        "mt-browser-{what}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Catches script errors and console errors from the first line on.
const HEAD_PROBE: &str = "<script>window.__mt=[];addEventListener('error',e=>__mt.push(String(e.message)));\
(()=>{const f=console.error;console.error=(...a)=>{__mt.push(a.join(' '));f.apply(console,a)}})();</script>";

/// Measures the laid-out page and writes what it found, as JSON, into a
/// `<pre id="mt-check">` for `--dump-dom` to carry out.
const TAIL_PROBE: &str = r##"<script>addEventListener('load',()=>{
const out={errors:__mt,charts:[],broken_links:[],too_wide:[],width:document.documentElement.clientWidth,height:document.documentElement.scrollHeight};
for(const a of document.querySelectorAll('a[href^="#"]')){if(!document.getElementById(a.getAttribute('href').slice(1)))out.broken_links.push(a.getAttribute('href'));}
const W=document.documentElement.clientWidth;
for(const el of document.querySelectorAll('body *')){const r=el.getBoundingClientRect();if(r.width>0&&r.right>W+1&&!el.closest('svg'))out.too_wide.push(el.tagName+' '+(el.textContent||'').slice(0,40)+' right='+r.right);}
document.querySelectorAll('figure.chart').forEach(f=>{const svg=f.querySelector('svg');
const c={labels:(f.dataset.labels||'').split('|').filter(x=>x),caption:(f.querySelector('figcaption')||{}).textContent||'',texts:[],missing:[],overlaps:[],outside:[],drawn:!!svg};
if(svg){const sb=svg.getBoundingClientRect();const ts=[...svg.querySelectorAll('text')].filter(t=>t.textContent.trim()!=='');
const bs=ts.map(t=>t.getBoundingClientRect());c.texts=ts.map(t=>t.textContent.trim());
for(const l of c.labels){if(!c.texts.includes(l))c.missing.push(l);}
for(let i=0;i<bs.length;i++){const A=bs[i];if(A.width===0||A.left<sb.left-1||A.right>sb.right+1||A.top<sb.top-1||A.bottom>sb.bottom+1)c.outside.push(c.texts[i]);
for(let j=i+1;j<bs.length;j++){const B=bs[j];const ix=Math.min(A.right,B.right)-Math.max(A.left,B.left);const iy=Math.min(A.bottom,B.bottom)-Math.max(A.top,B.top);
if(ix>0.5&&iy>0.5)c.overlaps.push(c.texts[i]+' / '+c.texts[j]);}}}
out.charts.push(c);});
const pre=document.createElement('pre');pre.id='mt-check';pre.textContent=JSON.stringify(out);document.body.appendChild(pre);});</script>"##;

/// What the probe found on a page laid out `width` pixels wide.
fn probe(bin: &Path, html: &str, width: u32) -> Value {
    let dir = tempdir("probe");
    let page = html
        .replacen("<head>", &format!("<head>{HEAD_PROBE}"), 1)
        .replacen("</body>", &format!("{TAIL_PROBE}</body>"), 1);
    let file = dir.join("page.html");
    std::fs::write(&file, page).unwrap();
    let dom = chrome(
        bin,
        &[
            format!("--window-size={width},1200"),
            "--virtual-time-budget=10000".into(),
            "--dump-dom".into(),
        ],
        &file,
    );
    let _ = std::fs::remove_dir_all(&dir);
    let start = dom.find("<pre id=\"mt-check\">").expect("the probe ran") + 19;
    let end = start + dom[start..].find("</pre>").unwrap();
    let json = dom[start..end]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    serde_json::from_str(&json).expect("probe JSON")
}

/// Every check of one page; returns the probe's findings for more.
fn check_page(bin: &Path, html: &str, name: &str) -> Value {
    // A4 portrait leaves 180 mm for text at 15 mm margins: 680 CSS px, the
    // body at a 712 px window (its padding is 16 px each side).
    let narrow = probe(bin, html, 712);
    let wide = probe(bin, html, 1100);
    for (what, p) in [("712 px", &narrow), ("1100 px", &wide)] {
        assert_eq!(
            p["errors"],
            Value::Array(vec![]),
            "{name} at {what}: script or console errors"
        );
        assert_eq!(
            p["broken_links"],
            Value::Array(vec![]),
            "{name} at {what}: links to no section"
        );
    }
    assert_eq!(
        narrow["too_wide"],
        Value::Array(vec![]),
        "{name}: wider than an A4 page's text"
    );
    for c in wide["charts"].as_array().unwrap() {
        let cap = c["caption"].as_str().unwrap_or("");
        assert_eq!(c["drawn"], Value::Bool(true), "{name}: {cap}: no SVG");
        assert!(
            c["labels"].as_array().unwrap().len() >= 3,
            "{name}: {cap}: axes and legend declared"
        );
        for k in ["missing", "overlaps", "outside"] {
            assert_eq!(c[k], Value::Array(vec![]), "{name}: {cap}: texts {k}");
        }
        // Axis ticks: at least two numbers on each axis besides the labels.
        let numbers = c["texts"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| {
                t.as_str().is_some_and(|t| {
                    t.trim_end_matches('%')
                        .replace('−', "-")
                        .parse::<f64>()
                        .is_ok()
                })
            })
            .count();
        assert!(numbers >= 4, "{name}: {cap}: {numbers} tick values");
    }
    // The screenshot, the whole page, and the print on A4.
    let shots = target_dir().join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let dir = tempdir("shot");
    let file = dir.join("page.html");
    std::fs::write(&file, html).unwrap();
    let height = wide["height"].as_u64().unwrap_or(4000).min(16000);
    let png = shots.join(format!("{name}.png"));
    chrome(
        bin,
        &[
            format!("--window-size=1100,{height}"),
            format!("--screenshot={}", png.display()),
        ],
        &file,
    );
    assert!(
        std::fs::metadata(&png)
            .map(|m| m.len() > 10_000)
            .unwrap_or(false),
        "{name}: screenshot"
    );
    let pdf = shots.join(format!("{name}.pdf"));
    chrome(
        bin,
        &[
            "--no-pdf-header-footer".into(),
            format!("--print-to-pdf={}", pdf.display()),
        ],
        &file,
    );
    let bytes = std::fs::read(&pdf).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    let boxes: Vec<&str> = text
        .match_indices("/MediaBox [")
        .map(|(i, _)| &text[i..i + 40])
        .collect();
    assert!(!boxes.is_empty(), "{name}: no page in the PDF");
    for b in &boxes {
        let nums: Vec<f64> = b[11..]
            .split(']')
            .next()
            .unwrap()
            .split_whitespace()
            .filter_map(|x| x.parse().ok())
            .collect();
        // A4 is 595.28 × 841.89 pt.
        assert!(
            (nums[2] - 595.28).abs() < 1.0 && (nums[3] - 841.89).abs() < 1.0,
            "{name}: page {b}"
        );
    }
    eprintln!(
        "{name}: {} pages on A4, screenshot {}",
        boxes.len(),
        png.display()
    );
    let _ = std::fs::remove_dir_all(&dir);
    wide
}

fn samples(lang: Lang) -> (Dataset, ValidConfig, Analysis) {
    let config = Config::default()
        .validate()
        .unwrap()
        .with_lang(lang)
        .with_policy_date(Some("2018-04-01".parse().unwrap()));
    let data = Dataset::builder(&config)
        .from_paths("data-samples/employees.csv", "data-samples/events.csv")
        .unwrap();
    let analysis = Analysis::run(&data, &config);
    (data, config, analysis)
}

fn labels(p: &Value) -> Vec<String> {
    p["charts"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| {
            c["labels"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l.as_str().unwrap().to_string())
        })
        .collect()
}

#[test]
fn english_report_renders_every_chart_readably() {
    let Some(bin) = require_chromium() else {
        return;
    };
    let (_, _, a) = samples(Lang::En);
    let p = check_page(&bin, &a.to_html(), "report-en");
    // KM, trajectories, cohorts, two funnels, four event-study outcomes.
    assert_eq!(p["charts"].as_array().unwrap().len(), 9);
    let l = labels(&p);
    for want in [
        "years since return",
        "not yet promoted",
        "returners",
        "matched peers",
        "95% confidence band",
        "Numbers at risk (— withheld)",
        "childcare returns",
        "overall rate",
        "limits 95%",
        "limits 99.8%",
        "years since the first birth",
    ] {
        assert!(l.iter().any(|x| x == want), "no chart shows {want:?}");
    }
}

#[test]
fn japanese_report_renders_in_japanese() {
    let Some(bin) = require_chromium() else {
        return;
    };
    let (_, _, a) = samples(Lang::Ja);
    let html = a.to_html();
    assert!(html.contains("<html lang=\"ja\">"));
    for name in [
        "男性労働者の育児休業等取得率",
        "男女の賃金の差異",
        "管理職に占める女性労働者の割合",
        "主な結果",
    ] {
        assert!(html.contains(name), "{name}");
    }
    let p = check_page(&bin, &html, "report-ja");
    assert_eq!(p["charts"].as_array().unwrap().len(), 9);
    let l = labels(&p);
    for want in [
        "復職後の年数",
        "未昇進の割合",
        "復職者",
        "全体の割合",
        "95%信頼帯",
    ] {
        assert!(l.iter().any(|x| x == want), "no chart shows {want:?}");
    }
    // Every chart's axis titles and legend are in Japanese: each holds a
    // CJK character, or is a level such as "95%".
    for x in &l {
        assert!(
            x.chars().any(|c| c as u32 >= 0x3000) || x.ends_with('%'),
            "an English label in the Japanese report: {x:?}"
        );
    }
}

#[test]
fn returner_page_renders_and_names_no_one_else() {
    let Some(bin) = require_chromium() else {
        return;
    };
    let (data, config, a) = samples(Lang::En);
    let id = "E000001";
    let page = report::returner_page(&data, &config, &a, id).unwrap();
    let p = check_page(&bin, &page, "returner-en");
    assert_eq!(p["charts"].as_array().unwrap().len(), 1);
    let (data, config, a) = samples(Lang::Ja);
    let page = report::returner_page(&data, &config, &a, id).unwrap();
    check_page(&bin, &page, "returner-ja");
}

#[test]
fn the_probe_sees_what_it_looks_for() {
    // A page with every defect the checks above look for: the probe must
    // report each, or the checks would pass on anything.
    let Some(bin) = require_chromium() else {
        return;
    };
    let page = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body>\
        <a href=\"#nowhere\">x</a><div style=\"width:900px\">wide</div>\
        <figure class=\"chart\" data-labels=\"x axis|y axis|legend\"><svg width=\"300\" height=\"100\">\
        <text x=\"10\" y=\"50\">x axis</text><text x=\"14\" y=\"52\">y axis</text><text x=\"290\" y=\"50\">outside</text></svg>\
        <figcaption>c</figcaption></figure><script>console.error('boom')</script></body></html>";
    let p = probe(&bin, page, 712);
    assert_eq!(p["errors"][0], "boom");
    assert_eq!(p["broken_links"][0], "#nowhere");
    assert!(!p["too_wide"].as_array().unwrap().is_empty());
    let c = &p["charts"][0];
    assert_eq!(c["missing"][0], "legend");
    assert_eq!(c["overlaps"][0], "x axis / y axis");
    assert_eq!(c["outside"][0], "outside");
}
