//! `--format sarif`: SARIF 2.1.0 as GitHub code scanning accepts it.
//!
//! A small model of our own rather than `serde-sarif`: we emit a fixed subset (one run, the
//! driver's rules, results with one physical location, related locations, partial fingerprints
//! and invocation notifications), and our own structs keep the output stable, compile fast and
//! make it impossible to serialize a raw secret by accident (no field holds one).
//!
//! One result per finding (one secret found by one rule): its primary location is the first place
//! the secret appears, the others are `relatedLocations`. `partialFingerprints["leakless/v1"]` is
//! the location-free fingerprint, so an alert keeps its identity when lines move.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::{fix_steps, Report, ReportOptions, ScanReport};
use crate::findings::{Finding, Location};
use crate::rules::{Confidence, Rule, RuleSet, Severity};

/// GitHub shows at most this many results per run; more are rejected.
pub const MAX_RESULTS: usize = 25_000;
/// GitHub accepts at most this many locations per result.
const MAX_RELATED: usize = 999;
/// GitHub rejects uploads larger than this, gzipped.
pub const MAX_GZIPPED_BYTES: usize = 10 * 1000 * 1000;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFO_URI: &str = "https://github.com/leakless/leakless";

/// The SARIF reporter.
pub struct Sarif(pub ReportOptions);

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    invocations: Vec<Invocation>,
    column_kind: &'static str,
    results: Vec<SResult<'a>>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<SRule<'a>>,
    properties: DriverProps,
}

/// The build behind the report (`leakless version`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DriverProps {
    commit: &'static str,
    rules_digest: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SRule<'a> {
    id: &'a str,
    name: String,
    short_description: Text,
    full_description: Text,
    help: Help,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<&'a str>,
    default_configuration: Config,
    properties: RuleProps,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Config {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProps {
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
    precision: &'static str,
    tags: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    tool_execution_notifications: Vec<Notification>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_configuration_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
}

impl Notification {
    /// A warning about `what` (a path or file).
    fn warning(what: &str, message: &str) -> Self {
        Self {
            level: "warning",
            message: Text {
                text: format!("{what}: {message}"),
            },
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<SLocation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<SLocation>,
    partial_fingerprints: BTreeMap<&'static str, &'a str>,
    /// SARIF `rank` (0-100): the finding's confidence (high 90, medium 60, low 30).
    rank: f64,
    properties: ResultProps<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultProps<'a> {
    confidence: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    decoded: Option<String>,
    secret_preview: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
    location_count: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    key: Option<&'a str>,
    /// Git scans: the commit that introduced the secret at the primary location.
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    author: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    commit_summary: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    in_head: Option<bool>,
    /// `--validate`: `{status, checked_at, detail}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    validation: Option<&'a crate::findings::Validation>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SLocation {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: Physical,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Physical {
    artifact_location: Artifact,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Artifact {
    uri: String,
    uri_base_id: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
    snippet: Text,
}

/// SARIF `rank` for a confidence.
fn rank(c: Confidence) -> f64 {
    match c {
        Confidence::High => 90.0,
        Confidence::Medium => 60.0,
        Confidence::Low => 30.0,
    }
}

/// SARIF level for a severity.
pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub's `security-severity` (0.0-10.0) for a severity.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

/// `github-pat-classic` → `GithubPatClassic`.
fn pascal(id: &str) -> String {
    id.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// A relative URI for a repository path: `/`-separated, percent-encoded where needed, never
/// with a scheme (`:` is encoded), a leading `/` or a `.`/`..` segment (dropped: a path from
/// scanned content must not point outside `%SRCROOT%`).
fn uri(path: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    let mut out = String::with_capacity(path.len());
    for (i, seg) in segments.iter().enumerate() {
        if i > 0 {
            out.push('/');
        }
        for b in seg.bytes() {
            if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=@".contains(&b) {
                out.push(b as char);
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    if out.is_empty() {
        out.push_str("%2E");
    }
    out
}

fn rule_entry(rule: &Rule) -> SRule<'_> {
    let steps = fix_steps(rule);
    let mut tags = vec!["security".to_string(), "secret".to_string()];
    if let Some(p) = &rule.provider {
        tags.push(p.clone());
    }
    tags.extend(rule.tags.iter().cloned());
    tags.truncate(20);
    SRule {
        id: &rule.id,
        name: pascal(&rule.id),
        short_description: Text {
            text: rule.description.clone(),
        },
        full_description: Text {
            text: format!(
                "{}. A credential committed to a repository must be treated as compromised.",
                rule.description.trim_end_matches('.')
            ),
        },
        help: Help {
            text: steps
                .iter()
                .enumerate()
                .map(|(i, s)| format!("{}. {}", i + 1, s.replace('`', "")))
                .collect::<Vec<_>>()
                .join("\n"),
            markdown: format!(
                "**{}**\n\n{}",
                rule.description,
                steps
                    .iter()
                    .enumerate()
                    .map(|(i, s)| format!("{}. {s}", i + 1))
                    .collect::<Vec<_>>()
                    .join("\n")
            ),
        },
        help_uri: rule.rotate.as_deref(),
        default_configuration: Config {
            level: level(rule.severity),
        },
        properties: RuleProps {
            security_severity: security_severity(rule.severity),
            precision: rule.confidence().as_str(),
            tags,
        },
    }
}

fn location(l: &Location, preview: &str, id: Option<usize>) -> SLocation {
    SLocation {
        id,
        physical_location: Physical {
            artifact_location: Artifact {
                uri: uri(&l.path),
                uri_base_id: "%SRCROOT%",
            },
            region: Region {
                start_line: l.line.max(1),
                start_column: l.column.max(1),
                end_line: l.end_line.max(l.line).max(1),
                end_column: l.end_column.max(l.column + 1),
                snippet: Text {
                    text: preview.to_string(),
                },
            },
        },
    }
}

impl Sarif {
    fn log<'a>(&self, report: &'a ScanReport, rules: &'a RuleSet, limit: usize) -> Log<'a> {
        // Most severe first, so truncation keeps what matters; stable within a severity.
        let mut order: Vec<&Finding> = report.findings.iter().collect();
        order.sort_by_key(|f| std::cmp::Reverse(f.rule(rules).severity));
        let kept = &order[..order.len().min(limit)];
        let mut rule_index: BTreeMap<u32, usize> = BTreeMap::new();
        let mut srules = Vec::new();
        let mut ids: Vec<u32> = kept.iter().map(|f| f.rule).collect();
        ids.sort_by(|a, b| rules.rules()[*a as usize].id.cmp(&rules.rules()[*b as usize].id));
        ids.dedup();
        for r in ids {
            rule_index.insert(r, srules.len());
            srules.push(rule_entry(&rules.rules()[r as usize]));
        }
        let results = kept
            .iter()
            .filter(|f| !f.locations.is_empty())
            .map(|f| {
                let rule = f.rule(rules);
                let preview = f.secret.preview();
                let n = f.locations.len();
                let mut more = match (&f.key, &f.paired_with) {
                    (Some(k), Some(p)) => format!(" Key: {k}, paired with {} ({}).", p.key, p.preview),
                    (Some(k), None) => format!(" Key: {k}."),
                    _ => String::new(),
                };
                if n > 1 {
                    more.push_str(&format!(" It appears at {} more location(s).", n - 1));
                }
                SResult {
                    rule_id: &rule.id,
                    rule_index: rule_index[&f.rule],
                    level: level(rule.severity),
                    message: Text {
                        text: format!(
                            "{} ({preview}) committed to the repository.{more}",
                            rule.description
                        ),
                    },
                    locations: vec![location(&f.locations[0], &preview, None)],
                    related_locations: f
                        .locations
                        .iter()
                        .skip(1)
                        .take(MAX_RELATED)
                        .enumerate()
                        .map(|(i, l)| location(l, &preview, Some(i + 1)))
                        .collect(),
                    partial_fingerprints: BTreeMap::from([("leakless/v1", f.fingerprint.as_str())]),
                    rank: rank(rule.confidence()),
                    properties: ResultProps {
                        confidence: rule.confidence().as_str(),
                        decoded: crate::findings::decoding_chain(&f.locations[0].decoded),
                        secret_preview: preview.clone(),
                        secret: f.secret.unredacted(self.0.redact),
                        location_count: n,
                        key: f.key.as_deref(),
                        commit: f.locations[0].commit.as_deref().map(|c| c.id.as_str()),
                        author: f.locations[0]
                            .commit
                            .as_deref()
                            .map(|c| format!("{} <{}>", c.author_name, c.author_email)),
                        date: f.locations[0].commit.as_deref().map(|c| c.date.as_str()),
                        commit_summary: f.locations[0].commit.as_deref().map(|c| c.summary.as_str()),
                        in_head: f.in_head,
                        validation: f.validation.as_ref(),
                    },
                }
            })
            .collect();
        let mut notes: Vec<Notification> = report
            .errors
            .iter()
            .map(|e| Notification::warning(&e.path, &e.message))
            .collect();
        if order.len() > limit {
            notes.push(Notification {
                level: "warning",
                message: Text {
                    text: format!(
                        "Results truncated: {} of {} findings are included (GitHub code scanning limits: {MAX_RESULTS} results per run, {} MB gzipped); the most severe were kept. Use --format json for all.",
                        limit,
                        order.len(),
                        MAX_GZIPPED_BYTES / 1_000_000
                    ),
                },
            });
        }
        Log {
            schema: SCHEMA,
            version: "2.1.0",
            runs: vec![Run {
                tool: Tool {
                    driver: Driver {
                        name: "leakless",
                        version: env!("CARGO_PKG_VERSION"),
                        semantic_version: env!("CARGO_PKG_VERSION"),
                        information_uri: INFO_URI,
                        rules: srules,
                        properties: DriverProps {
                            commit: crate::build_info::COMMIT,
                            rules_digest: crate::build_info::rules_digest(),
                        },
                    },
                },
                invocations: vec![Invocation {
                    execution_successful: true,
                    tool_execution_notifications: notes,
                    tool_configuration_notifications: report
                        .notices
                        .iter()
                        .map(|n| Notification::warning(&n.file, &n.message))
                        .collect(),
                }],
                column_kind: "unicodeCodePoints",
                results,
            }],
        }
    }
}

fn gzipped_len(data: &[u8]) -> usize {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing to a Vec cannot fail.
    let _ = enc.write_all(data);
    enc.finish().map_or(usize::MAX, |v| v.len())
}

impl Report for Sarif {
    fn write(&self, report: &ScanReport, rules: &RuleSet, w: &mut dyn Write) -> io::Result<()> {
        let mut limit = report.findings.len().min(MAX_RESULTS);
        loop {
            let bytes = serde_json::to_vec_pretty(&self.log(report, rules, limit))?;
            if limit == 0 || bytes.len() < MAX_GZIPPED_BYTES || gzipped_len(&bytes) <= MAX_GZIPPED_BYTES {
                w.write_all(&bytes)?;
                return writeln!(w);
            }
            limit = limit * 9 / 10;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{pascal, uri};

    #[test]
    fn names_and_uris() {
        assert_eq!(pascal("github-pat-classic"), "GithubPatClassic");
        assert_eq!(uri("src/my file.py"), "src/my%20file.py");
        assert_eq!(uri("./a/b"), "a/b");
        assert_eq!(uri("../../etc/passwd"), "etc/passwd");
        assert_eq!(uri("/abs/x"), "abs/x");
        assert_eq!(uri("https://evil.example/x"), "https%3A/evil.example/x");
        assert_eq!(uri("C:\\a\\b"), "C%3A%5Ca%5Cb");
        assert_eq!(uri("a/%2e%2e/b?q#f"), "a/%252e%252e/b%3Fq%23f");
    }
}
