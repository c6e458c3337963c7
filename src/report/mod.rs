//! Reports: the result of a scan written as text for people or JSON for machines.
//!
//! Output types exist only to serialize. No report ever contains a raw secret unless the user
//! passed `--no-redact` ([`ReportOptions::redact`] = `false`).

pub mod doc;
mod github;
pub mod gitleaks;
pub mod html;
mod json;
pub mod jsonl;
mod junit;
pub mod markdown;
pub mod merge;
pub mod sarif;
pub mod template;
mod text;

use std::io::{self, Write};

pub use github::Github;
pub use html::Html;
pub use json::{write_doc, Json};
pub use junit::Junit;
pub use markdown::Markdown;
pub use sarif::Sarif;
pub use text::Text;

use crate::findings::suppress::SuppressStats;
use crate::findings::Finding;
use crate::rules::{Rule, RuleSet};
use crate::source::{ScanError, Skipped, Stats};

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Human-readable text.
    Text,
    /// One JSON document (schema in README).
    Json,
    /// One JSON object per line, per location, streamed as found.
    Jsonl,
    /// SARIF 2.1.0 for GitHub code scanning.
    Sarif,
    /// JUnit XML for CI test reports.
    Junit,
    /// GitHub Actions workflow-command annotations.
    Github,
    /// Markdown for job summaries and pull-request comments (size-limited).
    Markdown,
    /// One self-contained HTML audit report (overview, chart, filterable findings table).
    Html,
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
    /// List stale ignore/baseline entries.
    pub report_stale: bool,
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
    /// What the ignore file and baseline suppressed, and their stale entries.
    pub suppressed: SuppressStats,
    /// Things about the scan's configuration the reader must know (a change that edits the
    /// config, ignore file or baseline that this scan did not use).
    pub notices: Vec<Notice>,
    /// The rule configuration in force, as the scan saw it (`None`: read it from the rule set;
    /// a report read back from JSON carries the scan's own).
    pub config: Option<ConfigSummary>,
    /// Merged reports: one summary per repository merged in (empty for a scan).
    pub repositories: Vec<doc::RepositoryDoc>,
}

/// Which rule files were in force and what their allowlists suppressed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigSummary {
    /// Config files in force, base first (the built-in rules alone: `[BUILTIN_NAME]`).
    pub files: Vec<String>,
    /// Rules in use.
    pub rules: usize,
    /// Allowlists that suppressed something: label and count (matches, and files for path
    /// allowlists).
    pub allowlisted: Vec<(String, u64)>,
}

impl ConfigSummary {
    /// The summary of `rules` now (allowlist counters included).
    pub fn of(rules: &RuleSet) -> Self {
        Self {
            files: rules.configs.clone(),
            rules: rules.rules().len(),
            allowlisted: rules
                .allowlist_hits()
                .into_iter()
                .filter(|(_, n)| *n > 0)
                .collect(),
        }
    }
}

impl ScanReport {
    /// [`ScanReport::config`], or the rule set's when the report does not carry one.
    pub fn config_summary(&self, rules: &RuleSet) -> ConfigSummary {
        self.config.clone().unwrap_or_else(|| ConfigSummary::of(rules))
    }
}

/// A note about the scan's configuration (SARIF `toolConfigurationNotifications`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Notice {
    /// The file it is about (repository-relative).
    pub file: String,
    /// One line for people.
    pub message: String,
}

/// `s` safe to print on a terminal: control characters (C0, DEL, C1) and the Unicode
/// bidirectional overrides that reorder what is shown are written as `\xNN` / `\u{NNNN}`
/// escapes. Paths, keys, previews, commit authors and summaries come from scanned content and
/// may carry escape sequences that would rewrite the screen.
pub fn escape(s: &str) -> std::borrow::Cow<'_, str> {
    fn bad(c: char) -> bool {
        c.is_control()
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
    }
    if !s.chars().any(bad) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if !bad(c) {
            out.push(c);
        } else if (c as u32) < 0x100 {
            out.push_str(&format!("\\x{:02x}", c as u32));
        } else {
            out.push_str(&format!("\\u{{{:04x}}}", c as u32));
        }
    }
    std::borrow::Cow::Owned(out)
}

/// One output format.
pub trait Report {
    /// Writes the whole report.
    fn write(&self, report: &ScanReport, rules: &RuleSet, w: &mut dyn Write) -> io::Result<()>;
}

/// The reporter for `format`. `Jsonl` is streamed while scanning (see [`jsonl`]); its
/// end-of-scan reporter writes nothing.
pub fn reporter(format: Format, opts: ReportOptions) -> Box<dyn Report> {
    match format {
        Format::Text => Box::new(Text(opts)),
        Format::Json => Box::new(Json(opts)),
        Format::Jsonl => Box::new(Nothing),
        Format::Sarif => Box::new(Sarif(opts)),
        Format::Junit => Box::new(Junit(opts)),
        Format::Github => Box::new(Github(opts)),
        Format::Markdown => Box::new(Markdown::new(opts)),
        Format::Html => Box::new(Html::new(opts)),
    }
}

struct Nothing;

impl Report for Nothing {
    fn write(&self, _: &ScanReport, _: &RuleSet, _: &mut dyn Write) -> io::Result<()> {
        Ok(())
    }
}

/// The steps to fix a leak of this rule's kind, in Markdown (used by SARIF help).
pub fn fix_steps(rule: &Rule) -> Vec<String> {
    let rotate = rule.rotate.as_deref().map_or_else(
        || "Rotate or revoke the credential with its issuer".to_string(),
        |url| format!("Rotate or revoke the credential: <{url}>"),
    );
    let reference = rule
        .env_var
        .as_deref()
        .map_or_else(String::new, |v| format!(" (for example as `${{{v}}}`)"));
    vec![
        format!("{rotate}. Anyone who can read the repository or its history has the old value."),
        format!(
            "Keep the new value out of git: put it in a secrets store (Vault/OpenBao, Infisical, AWS Secrets Manager, or an untracked `.env.local`) and reference it{reference}; `leakless migrate` does this for every finding in tracked files."
        ),
        "Purge the old value from history with `git filter-repo --replace-text` (`leakless migrate --apply` writes the expressions file and prints the command), then scan the history again.".to_string(),
        "If this is not a secret, add `leakless:allow` to the line or its fingerprint to `.leaklessignore`.".to_string(),
    ]
}

/// A short fix hint for a finding of `rule`. A file that must not be committed at all (a path
/// rule such as `committed-dotenv-file`) is untracked; a credential is rotated.
pub fn hint(rule: &Rule) -> String {
    if rule.is_file_rule() {
        return "untrack it: `git rm --cached` the file and add it to .gitignore (`leakless migrate` does both and moves its values to a secrets store)".to_string();
    }
    let rotate = rule
        .rotate
        .as_deref()
        .map_or_else(|| "rotate it".to_string(), |url| format!("rotate it at {url}"));
    format!(
        "{rotate}; move the value to a secrets store (`leakless migrate`); if it is not a secret, add `leakless:allow` to the line"
    )
}

#[cfg(test)]
mod escape_tests {
    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(
            super::escape("a\x1b[31mb\n\u{202e}c"),
            "a\\x1b[31mb\\x0a\\u{202e}c"
        );
        assert_eq!(super::escape("plain/path.rs"), "plain/path.rs");
    }
}
