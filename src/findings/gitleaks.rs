//! gitleaks' suppression files, honoured so a team can switch without re-triaging: the
//! `.gitleaksignore` fingerprint file and a gitleaks JSON report used as a baseline.
//!
//! gitleaks identifies a finding by *location*: `.gitleaksignore` lines are `file:rule:line` or
//! `commit:file:rule:line`, and its baseline compares report entries field by field. leakless'
//! own files key on a location-free hash of (rule, secret). Both are honoured: a report entry
//! that still carries its secret becomes a hashed baseline entry (for every leakless rule that
//! covers its rule id); a `.gitleaksignore` line, or a report entry whose secret was redacted,
//! suppresses the finding of a covering rule at that path and line ([`LocationSet`]). gitleaks
//! rule ids reach leakless rules through each rule's `aliases`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::suppress::{Baseline, BaselineEntry, SuppressError, BASELINE_VERSION};
use super::{fingerprint_v1, Finding, Location, FINGERPRINT_VERSION};
use crate::rules::RuleSet;

/// Name of gitleaks' ignore file, looked for in the scanned directory.
pub const GITLEAKS_IGNORE_FILE: &str = ".gitleaksignore";

/// One location entry: a `.gitleaksignore` line or a redacted gitleaks report entry.
#[derive(Debug, Clone)]
pub struct LocationEntry {
    /// Commit (git scans), lowercase hex.
    pub commit: Option<String>,
    /// Path, `/`-separated.
    pub path: String,
    /// gitleaks (or leakless) rule id.
    pub rule: String,
    /// 1-based line.
    pub line: usize,
    /// Where the entry came from (`file:line`), for stale reports.
    pub origin: String,
    /// Indexes of the leakless rules that answer to `rule` (see [`LocationSet::resolve`]).
    rules: Vec<u32>,
}

impl LocationEntry {
    /// Whether this entry covers finding rule `rule` at location `l`. An entry with a commit
    /// also covers a working-tree location (no commit) of the same path, rule and line.
    pub fn matches(&self, rule: u32, l: &Location) -> bool {
        self.line == l.line
            && self.rules.contains(&rule)
            && self.path == l.path
            && match (&self.commit, &l.commit) {
                (Some(c), Some(lc)) => lc.id.eq_ignore_ascii_case(c),
                _ => true,
            }
    }
}

/// Location entries from one file.
#[derive(Debug, Clone)]
pub struct LocationSet {
    /// `ignore` (a `.gitleaksignore`) or `baseline` (redacted entries of a gitleaks report).
    pub kind: &'static str,
    /// The file.
    pub file: String,
    /// Entries in file order.
    pub entries: Vec<LocationEntry>,
    /// Lines that are not gitleaks fingerprints (1-based line numbers), skipped.
    pub invalid: Vec<usize>,
}

fn is_hex_oid(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

impl LocationSet {
    /// Parses `.gitleaksignore` text: `file:rule:line` or `commit:file:rule:line` per line, `#`
    /// comments. The line number and rule are taken from the right, so paths may hold `:`.
    pub fn parse_ignore(text: &str, file: &str) -> Self {
        let mut entries = Vec::new();
        let mut invalid = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let parsed = (|| {
                let (rest, num) = line.rsplit_once(':')?;
                let num: usize = num.trim().parse().ok().filter(|&n| n > 0)?;
                let (rest, rule) = rest.rsplit_once(':')?;
                let (commit, path) = match rest.split_once(':') {
                    Some((c, p)) if is_hex_oid(c) => (Some(c.to_ascii_lowercase()), p),
                    _ => (None, rest),
                };
                (!path.is_empty() && !rule.is_empty()).then(|| LocationEntry {
                    commit,
                    path: path.replace('\\', "/"),
                    rule: rule.to_string(),
                    line: num,
                    origin: format!("{file}:{}", i + 1),
                    rules: Vec::new(),
                })
            })();
            match parsed {
                Some(e) => entries.push(e),
                None => invalid.push(i + 1),
            }
        }
        Self {
            kind: "ignore",
            file: file.to_string(),
            entries,
            invalid,
        }
    }

    /// Reads a `.gitleaksignore`; `path` may be the file or a directory holding one.
    pub fn read_ignore(path: &Path) -> Result<Self, SuppressError> {
        let file = if path.is_dir() {
            path.join(GITLEAKS_IGNORE_FILE)
        } else {
            path.to_path_buf()
        };
        let name = file.display().to_string();
        let text = std::fs::read_to_string(&file).map_err(|source| SuppressError::Read {
            path: name.clone(),
            source,
        })?;
        Ok(Self::parse_ignore(&text, &name))
    }

    /// Resolves each entry's rule id to the leakless rules that answer to it (the rule of that
    /// id, else the rules listing it as an alias).
    pub fn resolve(&mut self, rules: &RuleSet) {
        for e in &mut self.entries {
            e.rules = rules.resolve_id(&e.rule);
        }
    }

    /// Whether an entry covers a finding of `rule` at `l`; returns its index.
    pub fn find(&self, rule: u32, l: &Location) -> Option<usize> {
        self.entries.iter().position(|e| e.matches(rule, l))
    }
}

/// One entry of a gitleaks JSON report (only the fields leakless uses).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ReportEntry {
    #[serde(rename = "RuleID")]
    rule_id: String,
    #[serde(default)]
    secret: String,
    #[serde(default)]
    file: String,
    #[serde(default)]
    start_line: usize,
    #[serde(default)]
    commit: String,
}

/// What a `--baseline` file turned out to be.
#[derive(Debug)]
pub enum BaselineFile {
    /// leakless' hashed baseline.
    Leakless(Baseline),
    /// A gitleaks JSON report, converted.
    Gitleaks(ConvertedReport),
}

/// A gitleaks report converted: hashed entries where the report kept the secret, location
/// entries where it was redacted.
#[derive(Debug)]
pub struct ConvertedReport {
    /// Entries hashed from the report's secrets.
    pub hashed: Baseline,
    /// Entries whose secret was redacted, matched by rule, path, line (and commit).
    pub located: LocationSet,
    /// Report entries whose rule id no leakless rule answers to.
    pub unknown_rules: Vec<String>,
}

/// Whether a gitleaks `Secret` field was redacted (`--redact`): nothing to hash.
fn is_redacted(secret: &str) -> bool {
    secret.is_empty() || secret == "REDACTED" || secret.ends_with("...")
}

/// Converts gitleaks report entries (JSON text) against the rules in use.
pub fn convert_report(text: &str, file: &str, rules: &RuleSet) -> Result<ConvertedReport, SuppressError> {
    let entries: Vec<ReportEntry> = serde_json::from_str(text).map_err(|e| SuppressError::Parse {
        path: file.to_string(),
        line: e.line(),
        message: "not a gitleaks JSON report (an array of findings with RuleID, Secret, File, StartLine)"
            .into(),
    })?;
    let mut hashed: BTreeMap<String, BaselineEntry> = BTreeMap::new();
    let mut located = LocationSet {
        kind: "baseline",
        file: file.to_string(),
        entries: Vec::new(),
        invalid: Vec::new(),
    };
    let mut unknown_rules: Vec<String> = Vec::new();
    for (i, e) in entries.into_iter().enumerate() {
        let targets = rules.resolve_id(&e.rule_id);
        if targets.is_empty() {
            if !unknown_rules.contains(&e.rule_id) {
                unknown_rules.push(e.rule_id.clone());
            }
            continue;
        }
        let path = e.file.replace('\\', "/");
        if is_redacted(&e.secret) {
            located.entries.push(LocationEntry {
                commit: (!e.commit.is_empty()).then(|| e.commit.to_ascii_lowercase()),
                path,
                rule: e.rule_id.clone(),
                line: e.start_line,
                origin: format!("{file} entry {}", i + 1),
                rules: targets,
            });
            continue;
        }
        for r in targets {
            let id = &rules.rules()[r as usize].id;
            let fp = fingerprint_v1(id, e.secret.as_bytes());
            let entry = hashed.entry(fp.clone()).or_insert_with(|| BaselineEntry {
                fingerprint: fp,
                rule_id: id.clone(),
                paths: Vec::new(),
                count: 0,
            });
            if !entry.paths.contains(&path) {
                entry.paths.push(path.clone());
                entry.paths.sort();
            }
            entry.count += 1;
        }
    }
    let mut findings: Vec<BaselineEntry> = hashed.into_values().collect();
    findings.sort_by(|a, b| (&a.rule_id, &a.fingerprint).cmp(&(&b.rule_id, &b.fingerprint)));
    Ok(ConvertedReport {
        hashed: Baseline {
            version: BASELINE_VERSION,
            fingerprint_version: FINGERPRINT_VERSION.to_string(),
            findings,
        },
        located,
        unknown_rules,
    })
}

/// Reads a `--baseline` file: a leakless baseline, or a gitleaks JSON report (a top-level array).
pub fn read_baseline(path: &Path, rules: &RuleSet) -> Result<BaselineFile, SuppressError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| SuppressError::Read {
        path: name.clone(),
        source,
    })?;
    parse_baseline(&text, &name, rules)
}

/// [`read_baseline`] on text already read (from the working tree or a base revision).
pub fn parse_baseline(text: &str, name: &str, rules: &RuleSet) -> Result<BaselineFile, SuppressError> {
    if text.trim_start().starts_with('[') {
        return Ok(BaselineFile::Gitleaks(convert_report(text, name, rules)?));
    }
    Ok(BaselineFile::Leakless(Baseline::parse(text, name)?))
}

/// The findings a location set covers: each finding with a location an entry matches, with the
/// entries used. For `baseline import`, where redacted report entries are found again by scanning.
pub fn covered<'f>(set: &LocationSet, findings: &'f [Finding]) -> (Vec<&'f Finding>, Vec<bool>) {
    let mut used = vec![false; set.entries.len()];
    let mut out = Vec::new();
    for f in findings {
        let mut hit = false;
        for l in &f.locations {
            for (k, e) in set.entries.iter().enumerate() {
                if e.matches(f.rule, l) {
                    used[k] = true;
                    hit = true;
                }
            }
        }
        if hit {
            out.push(f);
        }
    }
    (out, used)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignore_lines_parse_from_the_right() {
        let set = LocationSet::parse_ignore(
            "# team ignores\nconfig/app.env:generic-api-key:12\n\
             0123456789abcdef0123456789abcdef01234567:src/a:b.py:aws-access-token:3\n\
             garbage\nx:y:0\n",
            ".gitleaksignore",
        );
        assert_eq!(set.entries.len(), 2);
        assert_eq!(set.entries[0].path, "config/app.env");
        assert_eq!(set.entries[0].rule, "generic-api-key");
        assert_eq!(set.entries[0].line, 12);
        assert!(set.entries[0].commit.is_none());
        assert_eq!(set.entries[1].path, "src/a:b.py");
        assert_eq!(
            set.entries[1].commit.as_deref(),
            Some("0123456789abcdef0123456789abcdef01234567")
        );
        assert_eq!(set.invalid, vec![4, 5]);
    }

    #[test]
    fn redacted_secrets_are_recognised() {
        assert!(is_redacted("REDACTED"));
        assert!(is_redacted("ghp_ab..."));
        assert!(is_redacted(""));
        assert!(!is_redacted("ghp_abcdef"));
    }
}
