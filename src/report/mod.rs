//! Reports: the result of a scan written as text for people or JSON for machines.
//!
//! Output types exist only to serialize. No report ever contains a raw secret unless the user
//! passed `--no-redact` ([`ReportOptions::redact`] = `false`).

mod json;
mod text;

use std::io::{self, Write};

pub use json::Json;
pub use text::Text;

use crate::findings::Finding;
use crate::rules::RuleSet;
use crate::source::{ScanError, Skipped, Stats};

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Human-readable text.
    Text,
    /// One JSON document (schema in README).
    Json,
}

/// How to render.
#[derive(Debug, Clone, Copy)]
pub struct ReportOptions {
    /// Redact secrets (default). `false` only with `--no-redact`.
    pub redact: bool,
    /// ANSI colour.
    pub color: bool,
    /// List skipped files.
    pub verbose: bool,
}

/// Everything one scan produced, ready to report.
#[derive(Debug, Default)]
pub struct ScanReport {
    /// Findings, sorted.
    pub findings: Vec<Finding>,
    /// Per-file errors.
    pub errors: Vec<ScanError>,
    /// Skipped files.
    pub skipped: Vec<Skipped>,
    /// Counters.
    pub stats: Stats,
}

/// One output format.
pub trait Report {
    /// Writes the whole report.
    fn write(&self, report: &ScanReport, rules: &RuleSet, w: &mut dyn Write) -> io::Result<()>;
}

/// The reporter for `format`.
pub fn reporter(format: Format, opts: ReportOptions) -> Box<dyn Report> {
    match format {
        Format::Text => Box::new(Text(opts)),
        Format::Json => Box::new(Json(opts)),
    }
}

/// A short fix hint for a finding.
pub fn hint(rotate: Option<&str>) -> String {
    let rotate = rotate.map_or_else(|| "rotate it".to_string(), |url| format!("rotate it at {url}"));
    format!(
        "{rotate}; move the value to a secrets store (`leakless migrate`); if it is not a secret, add `leakless:allow` to the line"
    )
}
