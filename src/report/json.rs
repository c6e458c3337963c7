//! `--format json`: one document; the schema is documented in README.md ("JSON output") and
//! modelled by [`super::doc::ReportDoc`], which `leakless report` reads back.

use std::io::{self, Write};

use super::doc::ReportDoc;
use super::{Report, ReportOptions, ScanReport};
use crate::rules::RuleSet;

/// The JSON reporter.
pub struct Json(pub ReportOptions);

impl Report for Json {
    fn write(&self, report: &ScanReport, rules: &RuleSet, w: &mut dyn Write) -> io::Result<()> {
        write_doc(&ReportDoc::of(report, rules, self.0), w)
    }
}

/// Writes a document as `--format json` does.
pub fn write_doc(doc: &ReportDoc, w: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, doc)?;
    writeln!(w)
}
