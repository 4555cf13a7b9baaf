//! The report as Markdown (`report.md`): the same blocks as the HTML
//! report, with the charts left to it.

use super::doc;
use crate::analysis::Analysis;
use crate::config::Lang;

impl Analysis {
    /// The report as Markdown, for people, in the configured language
    /// (`[report] lang`).
    pub fn to_markdown(&self) -> String {
        let (title, intro) = self.preamble();
        let note = if self.config.report.lang == Lang::Ja {
            "グラフは report.html に掲載"
        } else {
            "chart in report.html"
        };
        format!(
            "# {title}\n\n{intro}\n\n{}",
            doc::to_markdown(&self.document(), note)
        )
    }
}
