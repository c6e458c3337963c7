//! `--format jsonl`: one JSON object per line, one line per location, written as matches are
//! found (so order follows the scan, not the sorted report; use `--format json` for a stable,
//! grouped document).

use std::io::{self, Write};

use serde::Serialize;

use crate::findings::{fingerprint_v1, Finding, Secret};
use crate::matching::RawMatch;
use crate::rules::RuleSet;

#[derive(Serialize)]
struct Line<'a> {
    rule_id: &'a str,
    description: &'a str,
    severity: &'static str,
    confidence: &'static str,
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
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    in_head: Option<bool>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    decoded: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    validation: Option<&'a crate::findings::Validation>,
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
    let path = m.display_path(path);
    let line = Line {
        rule_id: &rule.id,
        description: &rule.description,
        severity: rule.severity.as_str(),
        confidence: rule.confidence().as_str(),
        provider: rule.provider.as_deref(),
        fingerprint,
        key: m.key.as_deref(),
        paired_with_key: m.paired_with.as_ref().map(|p| p.key.as_str()),
        secret_preview: secret.preview(),
        secret: secret.unredacted(redact),
        path: &path,
        line: m.line,
        column: m.column,
        end_line: m.end_line,
        end_column: m.end_column,
        commit: None,
        in_head: None,
        decoded: m.decoded.iter().map(|d| d.as_str()).collect(),
        validation: None,
    };
    serde_json::to_writer(&mut *w, &line)?;
    writeln!(w)
}

/// The fingerprint of a raw match.
pub fn match_fingerprint(rules: &RuleSet, m: &RawMatch) -> String {
    fingerprint_v1(&rules.rules()[m.rule as usize].id, &m.secret)
}

/// Writes a grouped finding as JSONL lines, one per location (git sources, which group before
/// reporting, and `--validate`, which validates before reporting).
pub fn write_finding(w: &mut dyn Write, rules: &RuleSet, f: &Finding, redact: bool) -> io::Result<()> {
    let rule = f.rule(rules);
    for l in &f.locations {
        let line = Line {
            rule_id: &rule.id,
            description: &rule.description,
            severity: rule.severity.as_str(),
            confidence: rule.confidence().as_str(),
            provider: rule.provider.as_deref(),
            fingerprint: &f.fingerprint,
            key: l.key.as_deref().or(f.key.as_deref()),
            paired_with_key: f.paired_with.as_ref().map(|p| p.key.as_str()),
            secret_preview: f.secret.preview(),
            secret: f.secret.unredacted(redact),
            path: &l.path,
            line: l.line,
            column: l.column,
            end_line: l.end_line,
            end_column: l.end_column,
            commit: l.commit.as_deref().map(|c| c.id.as_str()),
            in_head: f.in_head,
            decoded: l.decoded.iter().map(|d| d.as_str()).collect(),
            validation: f.validation.as_ref(),
        };
        serde_json::to_writer(&mut *w, &line)?;
        writeln!(w)?;
    }
    Ok(())
}
