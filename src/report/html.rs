//! The self-contained HTML report: the findings first, tables and inline
//! SVG charts, no scripts and no external files, so that an HR person can
//! open it in any browser, or print it on A4.

use super::doc::{self, esc};
use crate::analysis::Analysis;
use crate::config::Lang;

/// The page's style: a font stack that renders Japanese on Windows (Yu
/// Gothic, Meiryo), macOS (Hiragino) and Linux (Noto Sans CJK), tables a
/// person scans, charts that shrink to the page, and A4 print rules that
/// keep a chart or a table row on one page.
pub(crate) const STYLE: &str = "\
:root{--font:system-ui,-apple-system,'Segoe UI','Hiragino Sans','Hiragino Kaku Gothic ProN','Yu Gothic UI','Yu Gothic',Meiryo,'Noto Sans CJK JP','Noto Sans JP',sans-serif}\
body{font-family:var(--font);max-width:960px;margin:2em auto;padding:0 1em;color:#222;line-height:1.5}\
svg text{font-family:var(--font)}\
h1{font-size:1.7em}h2{margin-top:2em;border-bottom:1px solid #ccc}\
#findings ul{padding-left:1.2em}#findings li{margin:.5em 0}\
table{border-collapse:collapse;margin:1em 0;font-variant-numeric:tabular-nums;font-size:.92em}\
td,th{border:1px solid #ccc;padding:3px 6px;text-align:right;vertical-align:top}\
th{background:#f3f3f3}th:first-child,td:first-child{text-align:left}\
figure{margin:1em 0}figure svg{max-width:100%;height:auto}figcaption{font-size:.9em;color:#555}\
.multiples{display:grid;grid-template-columns:repeat(auto-fit,minmax(640px,1fr));gap:.5em}\
details{margin:1em 0}.tables{display:grid;grid-template-columns:repeat(auto-fill,minmax(320px,1fr));gap:0 1.5em;align-items:start}\
caption{text-align:left;font-weight:bold;padding:.2em 0}.tables table{width:100%}summary{cursor:pointer;color:#2166ac}\
.note{color:#555;font-size:.9em}code{font-size:.9em}\
@page{size:A4;margin:15mm}\
@media print{body{max-width:none;margin:0;font-size:10pt}figure,tr{break-inside:avoid}h2,h3{break-after:avoid}\
details>summary{display:none}details::details-content{content-visibility:visible;display:block}a{color:inherit;text-decoration:none}}";

/// A whole page around a body.
pub(crate) fn page(lang: Lang, title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{}</title><style>{STYLE}</style></head><body>{body}</body></html>\n",
        if lang == Lang::Ja { "ja" } else { "en" },
        esc(title)
    )
}

impl Analysis {
    /// The report as one self-contained HTML page with SVG charts, in the
    /// configured language (`[report] lang`).
    pub fn to_html(&self) -> String {
        let (title, intro) = self.preamble();
        let body = format!(
            "<h1>{}</h1><p>{}</p>{}",
            esc(&title),
            doc::inline_html(&intro),
            doc::to_html(&self.document())
        );
        page(self.config.report.lang, &title, &body)
    }
}
