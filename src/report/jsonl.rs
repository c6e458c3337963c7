//! `--format jsonl`: one JSON object per line, one line per location, written as matches are
//! found (so order follows the scan, not the sorted report; use `--format json` for a stable,
//! grouped document).

use std::io::{self, Write};

use serde::Serialize;

use crate::findings::{fingerprint_v1, Secret};
use crate::matching::RawMatch;
use crate::rules::RuleSet;

#[derive(Serialize)]
struct Line<'a> {
    rule_id: &'a str,
    description: &'a str,
    severity: &'static str,
    provider: Option<&'a str>,
    fingerprint: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    key: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    paired_with_key: Option<&'a str>,
    secret_preview: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
    path: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

/// Writes one match as a JSONL line.
pub fn write_match(
    w: &mut dyn Write,
    rules: &RuleSet,
    path: &str,
    m: &RawMatch,
    fingerprint: &str,
    redact: bool,
) -> io::Result<()> {
    let rule = &rules.rules()[m.rule as usize];
    let secret = Secret::new(m.secret.clone());
    let line = Line {
        rule_id: &rule.id,
        description: &rule.description,
        severity: rule.severity.as_str(),
        provider: rule.provider.as_deref(),
        fingerprint,
        key: m.key.as_deref(),
        paired_with_key: m.paired_with.as_ref().map(|p| p.key.as_str()),
        secret_preview: secret.preview(),
        secret: (!redact).then(|| String::from_utf8_lossy(secret.expose()).into_owned()),
        path,
        line: m.line,
        column: m.column,
        end_line: m.end_line,
        end_column: m.end_column,
    };
    serde_json::to_writer(&mut *w, &line)?;
    writeln!(w)
}

/// The fingerprint of a raw match.
pub fn match_fingerprint(rules: &RuleSet, m: &RawMatch) -> String {
    fingerprint_v1(&rules.rules()[m.rule as usize].id, &m.secret)
}
