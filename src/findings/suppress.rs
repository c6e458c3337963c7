//! Suppression that never churns: the `.leakless-ignore` fingerprint file and the hashed baseline.
//!
//! Both key on the location-free fingerprint (v1), so moving a line, renaming a file or rebasing
//! does not resurrect a suppressed finding. Entries that no longer match anything are *stale* and
//! are reported, so the files do not rot. (Inline `leakless:allow` comments are handled by the
//! matcher, where the line is at hand.)

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;

use globset::{Glob, GlobMatcher};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::gitleaks::LocationSet;
use super::{Finding, Location};
use crate::rules::RuleSet;

/// Name of the fingerprint ignore file looked for in the scanned directory.
pub const IGNORE_FILE: &str = ".leaklessignore";
/// Default baseline file name.
pub const BASELINE_FILE: &str = ".leakless-baseline.json";
/// Baseline format version.
pub const BASELINE_VERSION: u32 = 1;

/// Why a suppression file could not be used.
#[derive(Debug, Error)]
pub enum SuppressError {
    /// Unreadable file.
    #[error("{path}: cannot read: {source}")]
    Read {
        /// File.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
    /// Malformed content.
    #[error("{path}:{line}: {message}")]
    Parse {
        /// File.
        path: String,
        /// 1-based line (0 when not line-based).
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// A suppression file's text and its display name (a regular file of bounded size; see
/// [`crate::safefs::read_config`]).
fn read_text(path: &Path) -> Result<(String, String), SuppressError> {
    let name = path.display().to_string();
    let text = crate::safefs::read_config(path, crate::safefs::Origin::CommandLine).map_err(|e| {
        SuppressError::Read {
            path: name.clone(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, unprefixed(&e.to_string(), &name)),
        }
    })?;
    Ok((text, name))
}

/// `message` without a leading `path: `.
fn unprefixed(message: &str, path: &str) -> String {
    message
        .strip_prefix(path)
        .and_then(|m| m.strip_prefix(": "))
        .unwrap_or(message)
        .to_string()
}

/// One `.leaklessignore` entry: `fingerprint` or `fingerprint:path-glob`.
#[derive(Debug)]
pub struct IgnoreEntry {
    /// The fingerprint.
    pub fingerprint: String,
    /// Optional path glob the suppression is limited to.
    pub glob: Option<(String, GlobMatcher)>,
    /// Line in the file (for stale reports).
    pub line: usize,
}

impl IgnoreEntry {
    /// Whether this entry suppresses fingerprint `fp` at `path`.
    pub fn matches(&self, fp: &str, path: &str) -> bool {
        self.fingerprint == fp && self.glob.as_ref().is_none_or(|(_, g)| g.is_match(path))
    }
}

/// The parsed ignore file.
#[derive(Debug, Default)]
pub struct IgnoreFile {
    /// Where it came from.
    pub path: String,
    /// Entries in file order.
    pub entries: Vec<IgnoreEntry>,
}

fn is_fingerprint(s: &str) -> bool {
    s.len() == 32
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl IgnoreFile {
    /// Parses ignore-file text. Blank lines and `#` comments are skipped.
    pub fn parse(text: &str, path: &str) -> Result<Self, SuppressError> {
        let mut entries = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (fp, glob) = match line.split_once(':') {
                Some((fp, g)) => (fp.trim(), Some(g.trim())),
                None => (line, None),
            };
            let fp = fp.to_ascii_lowercase();
            let err = |message: String| SuppressError::Parse {
                path: path.to_string(),
                line: i + 1,
                message,
            };
            if !is_fingerprint(&fp) {
                // The line is not quoted: the file may be anything (a link to /proc/self/environ).
                return Err(err(
                    "not a leakless fingerprint (expected 32 hex digits, optionally followed by :path-glob)"
                        .to_string(),
                ));
            }
            let glob = match glob {
                None | Some("") => None,
                Some(g) => Some((
                    g.to_string(),
                    Glob::new(g)
                        .map_err(|e| {
                            err(format!(
                                "invalid path glob: {}",
                                crate::safefs::scrub(&e.kind().to_string())
                            ))
                        })?
                        .compile_matcher(),
                )),
            };
            entries.push(IgnoreEntry {
                fingerprint: fp,
                glob,
                line: i + 1,
            });
        }
        Ok(Self {
            path: path.to_string(),
            entries,
        })
    }

    /// Reads and parses a file.
    pub fn read(path: &Path) -> Result<Self, SuppressError> {
        let (text, name) = read_text(path)?;
        Self::parse(&text, &name)
    }
}

/// One baseline entry. Holds no secret, no line number and no timestamp.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct BaselineEntry {
    /// Fingerprint v1.
    pub fingerprint: String,
    /// Rule id.
    pub rule_id: String,
    /// Distinct paths the secret was found at, sorted.
    pub paths: Vec<String>,
    /// Number of locations.
    pub count: usize,
}

/// A baseline: known findings a scan does not report again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    /// Format version.
    pub version: u32,
    /// Fingerprint scheme.
    pub fingerprint_version: String,
    /// Entries sorted by (rule id, fingerprint).
    pub findings: Vec<BaselineEntry>,
}

impl Baseline {
    /// Builds a baseline from findings, sorted so regeneration is byte-identical.
    pub fn from_findings(findings: &[Finding], rules: &RuleSet) -> Self {
        let mut entries: Vec<BaselineEntry> = findings
            .iter()
            .map(|f| {
                let paths: BTreeSet<String> = f.locations.iter().map(|l| l.path.clone()).collect();
                BaselineEntry {
                    fingerprint: f.fingerprint.clone(),
                    rule_id: f.rule(rules).id.clone(),
                    paths: paths.into_iter().collect(),
                    count: f.locations.len(),
                }
            })
            .collect();
        entries.sort_by(|a, b| (&a.rule_id, &a.fingerprint).cmp(&(&b.rule_id, &b.fingerprint)));
        Self {
            version: BASELINE_VERSION,
            fingerprint_version: super::FINGERPRINT_VERSION.to_string(),
            findings: entries,
        }
    }

    /// The canonical serialization (pretty JSON, trailing newline).
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("baseline serializes");
        s.push('\n');
        s
    }

    /// Reads a baseline file.
    pub fn read(path: &Path) -> Result<Self, SuppressError> {
        let (text, name) = read_text(path)?;
        Self::parse(&text, &name)
    }

    /// Parses baseline text (`name` for messages, which never quote the text).
    pub fn parse(text: &str, name: &str) -> Result<Self, SuppressError> {
        let name = name.to_string();
        let b: Self = serde_json::from_str(text).map_err(|e| SuppressError::Parse {
            path: name.clone(),
            line: e.line(),
            message: format!(
                "not a leakless baseline: {}",
                crate::safefs::scrub(&e.to_string())
            ),
        })?;
        if b.version != BASELINE_VERSION || b.fingerprint_version != super::FINGERPRINT_VERSION {
            return Err(SuppressError::Parse {
                path: name,
                line: 0,
                message: format!(
                    "baseline version {}/{} is not supported (expected {BASELINE_VERSION}/{})",
                    b.version,
                    b.fingerprint_version,
                    super::FINGERPRINT_VERSION
                ),
            });
        }
        Ok(b)
    }
}

/// A suppression entry that matched nothing in this scan.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Stale {
    /// `ignore` or `baseline`.
    pub kind: &'static str,
    /// The file holding the entry.
    pub file: String,
    /// The fingerprint.
    pub fingerprint: String,
    /// Rule id (baseline) or the entry's glob (ignore file), for the reader.
    pub detail: String,
}

/// What was suppressed and what is stale.
#[derive(Debug, Default)]
pub struct SuppressStats {
    /// Findings dropped by the ignore file (wholly or all their locations).
    pub ignored: usize,
    /// Findings dropped by the baseline.
    pub baselined: usize,
    /// Stale entries.
    pub stale: Vec<Stale>,
}

/// The ignore file and baseline of one scan.
#[derive(Debug, Default)]
pub struct Suppressor {
    ignore: Option<IgnoreFile>,
    baseline: Option<(String, Baseline)>,
    baseline_fps: HashSet<String>,
    /// gitleaks location entries (`.gitleaksignore`, redacted gitleaks report entries).
    locations: Vec<LocationSet>,
}

impl Suppressor {
    /// Combines an ignore file and a baseline (`(path, baseline)`), either optional.
    pub fn new(ignore: Option<IgnoreFile>, baseline: Option<(String, Baseline)>) -> Self {
        let baseline_fps = baseline
            .iter()
            .flat_map(|(_, b)| b.findings.iter().map(|e| e.fingerprint.clone()))
            .collect();
        Self {
            ignore,
            baseline,
            baseline_fps,
            locations: Vec::new(),
        }
    }

    /// Adds gitleaks location entries (already resolved against the rules in use).
    #[must_use]
    pub fn with_locations(mut self, set: LocationSet) -> Self {
        self.locations.push(set);
        self
    }

    /// Whether a gitleaks location entry covers a match of `rule` at `l` (streaming output).
    pub fn suppresses_at(&self, rule: u32, l: &Location) -> bool {
        self.locations.iter().any(|s| s.find(rule, l).is_some())
    }

    fn baseline_has(&self, fp: &str) -> bool {
        self.baseline_fps.contains(fp)
    }

    /// Whether one location of a finding with fingerprint `fp` at `path` is suppressed (used for
    /// streaming output, where findings are not grouped yet).
    pub fn suppresses(&self, fp: &str, path: &str) -> bool {
        self.baseline_has(fp)
            || self
                .ignore
                .as_ref()
                .is_some_and(|i| i.entries.iter().any(|e| e.matches(fp, path)))
    }

    /// Drops suppressed findings (and ignored locations) and reports stale entries.
    pub fn apply(&self, findings: &mut Vec<Finding>) -> SuppressStats {
        let mut stats = SuppressStats::default();
        let mut used_ignore = vec![false; self.ignore.as_ref().map_or(0, |i| i.entries.len())];
        let mut used_baseline: BTreeMap<&str, bool> = BTreeMap::new();
        if let Some((_, b)) = &self.baseline {
            for e in &b.findings {
                used_baseline.insert(e.fingerprint.as_str(), false);
            }
        }
        let mut used_locations: Vec<Vec<bool>> = self
            .locations
            .iter()
            .map(|s| vec![false; s.entries.len()])
            .collect();
        findings.retain_mut(|f| {
            if let Some(u) = used_baseline.get_mut(f.fingerprint.as_str()) {
                *u = true;
                stats.baselined += 1;
                return false;
            }
            if self.ignore.is_none() && self.locations.is_empty() {
                return true;
            }
            let rule = f.rule;
            let fingerprint = f.fingerprint.clone();
            let before = f.locations.len();
            let mut by_baseline = false;
            f.locations.retain(|l| {
                let mut keep = true;
                if let Some(ignore) = &self.ignore {
                    for (k, e) in ignore.entries.iter().enumerate() {
                        if e.matches(&fingerprint, &l.path) {
                            used_ignore[k] = true;
                            keep = false;
                        }
                    }
                }
                for (s, set) in self.locations.iter().enumerate() {
                    for (k, e) in set.entries.iter().enumerate() {
                        if e.matches(rule, l) {
                            used_locations[s][k] = true;
                            keep = false;
                            by_baseline |= set.kind == "baseline";
                        }
                    }
                }
                keep
            });
            if f.locations.is_empty() && before > 0 {
                if by_baseline {
                    stats.baselined += 1;
                } else {
                    stats.ignored += 1;
                }
                return false;
            }
            true
        });
        for (s, set) in self.locations.iter().enumerate() {
            for (k, e) in set.entries.iter().enumerate() {
                if !used_locations[s][k] {
                    stats.stale.push(Stale {
                        kind: set.kind,
                        file: e.origin.clone(),
                        fingerprint: match &e.commit {
                            Some(c) => format!("{c}:{}:{}:{}", e.path, e.rule, e.line),
                            None => format!("{}:{}:{}", e.path, e.rule, e.line),
                        },
                        detail: String::new(),
                    });
                }
            }
        }
        if let Some(ignore) = &self.ignore {
            for (k, e) in ignore.entries.iter().enumerate() {
                if !used_ignore[k] {
                    stats.stale.push(Stale {
                        kind: "ignore",
                        file: format!("{}:{}", ignore.path, e.line),
                        fingerprint: e.fingerprint.clone(),
                        detail: e.glob.as_ref().map(|(g, _)| g.clone()).unwrap_or_default(),
                    });
                }
            }
        }
        if let Some((path, b)) = &self.baseline {
            for e in &b.findings {
                if used_baseline.get(e.fingerprint.as_str()) == Some(&false) {
                    stats.stale.push(Stale {
                        kind: "baseline",
                        file: path.clone(),
                        fingerprint: e.fingerprint.clone(),
                        detail: e.rule_id.clone(),
                    });
                }
            }
        }
        stats.stale.sort();
        stats
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignore_file_parses_and_rejects_garbage() {
        let f = IgnoreFile::parse(
            "# comment\n\n3caea322ea253ef1bb828bb16aaff0d2\n41DA8376A1A74C6963C11097CB930499:tests/**\n",
            ".leaklessignore",
        )
        .expect("parses");
        assert_eq!(f.entries.len(), 2);
        assert_eq!(f.entries[1].fingerprint, "41da8376a1a74c6963c11097cb930499");
        assert!(f.entries[1]
            .glob
            .as_ref()
            .is_some_and(|(_, g)| g.is_match("tests/a/b.rs")));
        let err = IgnoreFile::parse("nothex\n", "x").expect_err("rejects");
        assert_eq!(
            err.to_string(),
            "x:1: not a leakless fingerprint (expected 32 hex digits, optionally followed by :path-glob)"
        );
    }
}
