//! The report as a list of blocks, written once and rendered twice: as
//! Markdown (`report.md`) and as HTML (`report.html`).
//!
//! Text in a block is plain, with three marks that both renderers know:
//! `**strong**`, `` `code` `` and `[words](#section)` links to a section.

use super::charts::Chart;
use std::fmt::Write;

/// One block of the report.
#[derive(Debug, Clone)]
pub(crate) enum Block {
    /// A section heading, with the anchor links point to.
    Section { id: &'static str, title: String },
    /// A sub-heading.
    Sub(String),
    /// A paragraph.
    Para(String),
    /// A paragraph of small print.
    Note(String),
    /// A bulleted list.
    List(Vec<String>),
    /// A table: header, rows; the first column is text, the rest numbers.
    Table {
        head: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// Small tables side by side, each under its title.
    Tables(Vec<(String, Vec<String>, Vec<Vec<String>>)>),
    /// Rows shown only when the reader unfolds them (HTML `<details>`; in
    /// Markdown a table under its summary).
    Folded {
        summary: String,
        head: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// A chart: its SVG, and a caption; Markdown shows only the caption's
    /// pointer to the HTML report.
    Chart { chart: Chart, caption: String },
    /// Several charts side by side (small multiples), each with its caption.
    Charts(Vec<(Chart, String)>),
}

/// Escapes text for HTML.
pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The marks of block text as HTML: escaped, then `**x**` → `<strong>`,
/// `` `x` `` → `<code>`, `[x](#id)` → a link.
pub(crate) fn inline_html(text: &str) -> String {
    let t = esc(text);
    let mut out = String::with_capacity(t.len());
    let mut rest = t.as_str();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("**") {
            if let Some(end) = r.find("**") {
                let _ = write!(out, "<strong>{}</strong>", &r[..end]);
                rest = &r[end + 2..];
                continue;
            }
        }
        if let Some(r) = rest.strip_prefix('`') {
            if let Some(end) = r.find('`') {
                let _ = write!(out, "<code>{}</code>", &r[..end]);
                rest = &r[end + 1..];
                continue;
            }
        }
        if let Some(r) = rest.strip_prefix('[') {
            if let Some(mid) = r.find("](#") {
                if let Some(end) = r[mid..].find(')') {
                    let (words, id) = (&r[..mid], &r[mid + 3..mid + end]);
                    if !id.contains(' ') {
                        let _ = write!(out, "<a href=\"#{id}\">{words}</a>");
                        rest = &r[mid + end + 1..];
                        continue;
                    }
                }
            }
        }
        let c = rest.chars().next().unwrap_or(' ');
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

fn table_html(s: &mut String, head: &[String], rows: &[Vec<String>]) {
    captioned_html(s, None, head, rows);
}

fn captioned_html(s: &mut String, caption: Option<&str>, head: &[String], rows: &[Vec<String>]) {
    s.push_str("<table>");
    if let Some(c) = caption {
        let _ = write!(s, "<caption>{}</caption>", inline_html(c));
    }
    s.push_str("<thead><tr>");
    for h in head {
        let _ = write!(s, "<th>{}</th>", inline_html(h));
    }
    s.push_str("</tr></thead><tbody>");
    for r in rows {
        s.push_str("<tr>");
        for c in r {
            let _ = write!(s, "<td>{}</td>", inline_html(c));
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table>");
}

/// A chart in its figure, with the texts it must show in `data-labels`.
fn figure(s: &mut String, chart: &Chart, caption: &str) {
    let _ = write!(
        s,
        "<figure class=\"chart\" data-labels=\"{}\">{}<figcaption>{}</figcaption></figure>",
        esc(&chart.labels.join("|")),
        chart.svg,
        inline_html(caption)
    );
}

/// The blocks as HTML (the body only).
pub(crate) fn to_html(blocks: &[Block]) -> String {
    let mut s = String::new();
    let mut open = false;
    for b in blocks {
        match b {
            Block::Section { id, title } => {
                if open {
                    s.push_str("</section>");
                }
                let _ = write!(s, "<section id=\"{id}\"><h2>{}</h2>", inline_html(title));
                open = true;
            }
            Block::Sub(t) => {
                let _ = write!(s, "<h3>{}</h3>", inline_html(t));
            }
            Block::Para(t) => {
                let _ = write!(s, "<p>{}</p>", inline_html(t));
            }
            Block::Note(t) => {
                let _ = write!(s, "<p class=\"note\">{}</p>", inline_html(t));
            }
            Block::List(items) => {
                s.push_str("<ul>");
                for i in items {
                    let _ = write!(s, "<li>{}</li>", inline_html(i));
                }
                s.push_str("</ul>");
            }
            Block::Table { head, rows } => table_html(&mut s, head, rows),
            Block::Tables(tables) => {
                s.push_str("<div class=\"tables\">");
                for (title, head, rows) in tables {
                    captioned_html(&mut s, Some(title), head, rows);
                }
                s.push_str("</div>");
            }
            Block::Folded {
                summary,
                head,
                rows,
            } => {
                let _ = write!(s, "<details><summary>{}</summary>", inline_html(summary));
                table_html(&mut s, head, rows);
                s.push_str("</details>");
            }
            Block::Chart { chart, caption } => figure(&mut s, chart, caption),
            Block::Charts(charts) => {
                s.push_str("<div class=\"multiples\">");
                for (chart, caption) in charts {
                    figure(&mut s, chart, caption);
                }
                s.push_str("</div>");
            }
        }
    }
    if open {
        s.push_str("</section>");
    }
    s
}

fn cell_md(c: &str) -> String {
    c.replace('|', "\\|")
}

fn table_md(s: &mut String, head: &[String], rows: &[Vec<String>]) {
    let _ = writeln!(
        s,
        "| {} |",
        head.iter()
            .map(|h| cell_md(h))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    let _ = writeln!(s, "|{}", "---|".repeat(head.len()));
    for r in rows {
        let _ = writeln!(
            s,
            "| {} |",
            r.iter().map(|c| cell_md(c)).collect::<Vec<_>>().join(" | ")
        );
    }
    s.push('\n');
}

/// The blocks as Markdown. Charts are left to the HTML report; their
/// captions stay, so that the reader knows one is there.
pub(crate) fn to_markdown(blocks: &[Block], chart_note: &str) -> String {
    let mut s = String::new();
    for b in blocks {
        match b {
            Block::Section { id, title } => {
                let _ = write!(s, "## {title} <a id=\"{id}\"></a>\n\n");
            }
            Block::Sub(t) => {
                let _ = write!(s, "### {t}\n\n");
            }
            Block::Para(t) | Block::Note(t) => {
                let _ = write!(s, "{t}\n\n");
            }
            Block::List(items) => {
                for i in items {
                    let _ = writeln!(s, "- {i}");
                }
                s.push('\n');
            }
            Block::Table { head, rows } => table_md(&mut s, head, rows),
            Block::Tables(tables) => {
                for (title, head, rows) in tables {
                    let _ = write!(s, "**{title}**\n\n");
                    table_md(&mut s, head, rows);
                }
            }
            Block::Folded {
                summary,
                head,
                rows,
            } => {
                let _ = write!(s, "{summary}\n\n");
                table_md(&mut s, head, rows);
            }
            Block::Chart { caption, .. } => {
                let _ = write!(s, "*{caption}* ({chart_note})\n\n");
            }
            Block::Charts(charts) => {
                for (_, caption) in charts {
                    let _ = writeln!(s, "- *{caption}* ({chart_note})");
                }
                s.push('\n');
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_become_html_and_text_is_escaped() {
        assert_eq!(
            inline_html("a **b** `c` [d](#e) <f> & [g](h)"),
            "a <strong>b</strong> <code>c</code> <a href=\"#e\">d</a> &lt;f&gt; &amp; [g](h)"
        );
        // An unclosed mark stays as it is.
        assert_eq!(inline_html("**x"), "**x");
        assert_eq!(inline_html("女性 **7.5%**"), "女性 <strong>7.5%</strong>");
    }

    #[test]
    fn markdown_tables_escape_pipes() {
        let md = to_markdown(
            &[Block::Table {
                head: vec!["a".into(), "b".into()],
                rows: vec![vec!["x|y".into(), "1".into()]],
            }],
            "",
        );
        assert_eq!(md, "| a | b |\n|---|---|\n| x\\|y | 1 |\n\n");
    }
}
