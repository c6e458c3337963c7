//! gitleaks' report formats (`--report-format json|csv|template` under `leakless git|dir|stdin`),
//! so dashboards and scripts written against gitleaks keep working after the switch.
//!
//! gitleaks reports one entry per occurrence; a leakless finding lists every location of one
//! secret, so each location becomes one gitleaks entry. The field names and order are gitleaks'
//! (`report/finding.go`): `RuleID, Description, StartLine, EndLine, StartColumn, EndColumn, Match,
//! Secret, File, SymlinkFile, Commit, Entropy, Author, Email, Date, Message, Tags, Fingerprint`.
//! `Match` is the (redacted) secret: leakless keeps no copy of the text around a secret. The
//! fingerprint is gitleaks' `[commit:]file:rule:line`, which `.gitleaksignore` accepts.

use std::io::{self, Write};

use serde::Serialize;

use super::{Report, ScanReport};
use crate::findings::Secret;
use crate::rules::RuleSet;

/// How the secret is shown in a gitleaks-format report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redaction {
    /// leakless' default: the first few characters and `…`.
    Preview,
    /// gitleaks' `--redact=N`: hide N percent (100: `REDACTED`).
    Percent(u8),
    /// `--no-redact` (or `--redact=0`): the whole secret.
    Off,
}

impl Redaction {
    /// The secret as this redaction shows it.
    pub fn show(self, secret: &Secret) -> String {
        match self {
            Self::Preview => secret.preview(),
            Self::Off | Self::Percent(0) => String::from_utf8_lossy(secret.expose()).into_owned(),
            Self::Percent(p) if p >= 100 => "REDACTED".to_string(),
            Self::Percent(p) => {
                let text = String::from_utf8_lossy(secret.expose());
                #[allow(clippy::cast_precision_loss)]
                let keep = (text.len() as f64 * f64::from(100 - p) / 100.0).round_ties_even();
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                let mut keep = keep as usize;
                while !text.is_char_boundary(keep) {
                    keep -= 1;
                }
                format!("{}...", &text[..keep])
            }
        }
    }
}

/// One gitleaks finding, fields in gitleaks' order.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GitleaksFinding {
    #[serde(rename = "RuleID")]
    rule_id: String,
    description: String,
    start_line: usize,
    end_line: usize,
    start_column: usize,
    end_column: usize,
    #[serde(rename = "Match")]
    match_: String,
    secret: String,
    file: String,
    symlink_file: String,
    commit: String,
    entropy: f32,
    author: String,
    email: String,
    date: String,
    message: String,
    tags: Vec<String>,
    fingerprint: String,
}

/// The gitleaks findings of a report, one per location, in report order.
pub fn findings(report: &ScanReport, rules: &RuleSet, redaction: Redaction) -> Vec<GitleaksFinding> {
    let mut out = Vec::new();
    for f in &report.findings {
        let rule = f.rule(rules);
        let shown = redaction.show(&f.secret);
        for l in &f.locations {
            let commit = l.commit.as_deref();
            let id = commit.map(|c| c.id.clone()).unwrap_or_default();
            let fingerprint = if id.is_empty() {
                format!("{}:{}:{}", l.path, rule.id, l.line)
            } else {
                format!("{id}:{}:{}:{}", l.path, rule.id, l.line)
            };
            #[allow(clippy::cast_possible_truncation)]
            let entropy = f.entropy as f32;
            out.push(GitleaksFinding {
                rule_id: rule.id.clone(),
                description: rule.description.clone(),
                start_line: l.line,
                end_line: l.end_line,
                start_column: l.column,
                // gitleaks' end column is inclusive.
                end_column: l.end_column.saturating_sub(1).max(l.column),
                match_: shown.clone(),
                secret: shown.clone(),
                file: l.path.clone(),
                symlink_file: String::new(),
                commit: id,
                entropy,
                author: commit.map(|c| c.author_name.clone()).unwrap_or_default(),
                email: commit.map(|c| c.author_email.clone()).unwrap_or_default(),
                date: commit.map(|c| c.date.clone()).unwrap_or_default(),
                message: commit.map(|c| c.summary.clone()).unwrap_or_default(),
                tags: rule.tags.clone(),
                fingerprint,
            });
        }
    }
    out
}

/// `--report-format json`: gitleaks' JSON array (one-space indent, as gitleaks writes it).
pub struct GitleaksJson(pub Redaction);

impl Report for GitleaksJson {
    fn write(&self, report: &ScanReport, rules: &RuleSet, w: &mut dyn Write) -> io::Result<()> {
        let list = findings(report, rules, self.0);
        let mut ser = serde_json::Serializer::with_formatter(
            &mut *w,
            serde_json::ser::PrettyFormatter::with_indent(b" "),
        );
        list.serialize(&mut ser).map_err(io::Error::other)?;
        writeln!(w)
    }
}

/// `--report-format csv`: gitleaks' columns; like gitleaks, nothing at all when there are no
/// findings.
pub struct GitleaksCsv(pub Redaction);

/// Quotes a CSV field the way Go's `encoding/csv` does.
fn csv_field(s: &str) -> String {
    let needs = !s.is_empty()
        && (s == r"\."
            || s.contains([',', '"', '\r', '\n'])
            || s.chars().next().is_some_and(char::is_whitespace));
    if needs {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

const CSV_HEADER: [&str; 16] = [
    "RuleID",
    "Commit",
    "File",
    "SymlinkFile",
    "Secret",
    "Match",
    "StartLine",
    "EndLine",
    "StartColumn",
    "EndColumn",
    "Author",
    "Message",
    "Date",
    "Email",
    "Fingerprint",
    "Tags",
];

impl Report for GitleaksCsv {
    fn write(&self, report: &ScanReport, rules: &RuleSet, w: &mut dyn Write) -> io::Result<()> {
        let list = findings(report, rules, self.0);
        if list.is_empty() {
            return Ok(());
        }
        writeln!(w, "{}", CSV_HEADER.join(","))?;
        for f in &list {
            let row = [
                f.rule_id.clone(),
                f.commit.clone(),
                f.file.clone(),
                f.symlink_file.clone(),
                f.secret.clone(),
                f.match_.clone(),
                f.start_line.to_string(),
                f.end_line.to_string(),
                f.start_column.to_string(),
                f.end_column.to_string(),
                f.author.clone(),
                f.message.clone(),
                f.date.clone(),
                f.email.clone(),
                f.fingerprint.clone(),
                f.tags.join(" "),
            ];
            let fields: Vec<String> = row.iter().map(|s| csv_field(s)).collect();
            writeln!(w, "{}", fields.join(","))?;
        }
        Ok(())
    }
}

/// `--report-format template --report-template FILE`: the gitleaks findings rendered through a
/// Go-template subset ([`super::template`]).
pub struct GitleaksTemplate {
    /// The parsed template.
    pub template: super::template::Template,
    /// Redaction.
    pub redaction: Redaction,
}

impl Report for GitleaksTemplate {
    fn write(&self, report: &ScanReport, rules: &RuleSet, w: &mut dyn Write) -> io::Result<()> {
        let list = findings(report, rules, self.redaction);
        let data = serde_json::to_value(&list).map_err(io::Error::other)?;
        let text = self.template.render(&data).map_err(io::Error::other)?;
        w.write_all(text.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_follows_gitleaks() {
        let s = Secret::new(b"abcdefghij".to_vec());
        assert_eq!(Redaction::Percent(100).show(&s), "REDACTED");
        assert_eq!(Redaction::Percent(50).show(&s), "abcde...");
        assert_eq!(Redaction::Percent(75).show(&s), "ab..."); // 2.5 rounds to even
        assert_eq!(Redaction::Percent(0).show(&s), "abcdefghij");
        assert_eq!(Redaction::Preview.show(&s), "abc…");
        assert_eq!(
            Redaction::Percent(50).show(&Secret::new("ééé".as_bytes().to_vec())),
            "é..."
        );
    }

    #[test]
    fn csv_quotes_like_go() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field(" lead"), "\" lead\"");
        assert_eq!(csv_field(""), "");
    }
}
