//! `--format json`: one document; the schema is documented in README.md ("JSON output").

use std::io::{self, Write};

use serde::Serialize;

use super::{Report, ReportOptions, ScanReport};
use crate::findings::CommitInfo;
use crate::rules::RuleSet;
use crate::source::SkipReason;

/// Version of the JSON schema below; bumped on incompatible change.
pub const JSON_SCHEMA_VERSION: u32 = 1;

/// The JSON reporter.
pub struct Json(pub ReportOptions);

#[derive(Serialize)]
struct Doc<'a> {
    schema_version: u32,
    tool: Tool,
    findings: Vec<JFinding<'a>>,
    errors: Vec<JError<'a>>,
    skipped: Vec<JSkipped<'a>>,
    stale: Vec<JStale<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    notices: Vec<JNotice<'a>>,
    stats: JStats,
}

#[derive(Serialize)]
struct JNotice<'a> {
    file: &'a str,
    message: &'a str,
}

#[derive(Serialize)]
struct JStale<'a> {
    kind: &'static str,
    file: &'a str,
    fingerprint: &'a str,
    detail: &'a str,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
    /// The git commit the binary was built from, or `unknown`.
    commit: &'static str,
    /// `sha256:…` of the built-in rule packs embedded in the binary.
    rules_digest: &'static str,
}

#[derive(Serialize)]
struct JFinding<'a> {
    rule_id: &'a str,
    description: &'a str,
    severity: &'static str,
    confidence: &'static str,
    provider: Option<&'a str>,
    env_var: Option<&'a str>,
    rotate: Option<&'a str>,
    fingerprint: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    key: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    paired_with: Option<JPaired<'a>>,
    secret_preview: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
    entropy: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    in_head: Option<bool>,
    locations: Vec<JLocation<'a>>,
    #[serde(skip_serializing_if = "is_zero")]
    more_locations: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

#[derive(Serialize)]
struct JPaired<'a> {
    key: &'a str,
    preview: &'a str,
}

#[derive(Serialize)]
struct JLocation<'a> {
    path: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    key: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<JCommit<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    decoded: Vec<&'static str>,
}

#[derive(Serialize)]
struct JCommit<'a> {
    id: &'a str,
    author_name: &'a str,
    author_email: &'a str,
    date: &'a str,
    summary: &'a str,
}

impl<'a> From<&'a CommitInfo> for JCommit<'a> {
    fn from(c: &'a CommitInfo) -> Self {
        Self {
            id: &c.id,
            author_name: &c.author_name,
            author_email: &c.author_email,
            date: &c.date,
            summary: &c.summary,
        }
    }
}

#[derive(Serialize)]
struct JError<'a> {
    path: &'a str,
    message: &'a str,
}

#[derive(Serialize)]
struct JSkipped<'a> {
    path: &'a str,
    reason: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    size: Option<u64>,
}

#[derive(Serialize)]
struct JStats {
    files_scanned: u64,
    bytes_scanned: u64,
    elapsed_ms: u64,
    findings: usize,
    errors: usize,
    skipped: usize,
    suppressed_by_baseline: usize,
    suppressed_by_ignore_file: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    git: Option<JGit>,
}

#[derive(Serialize)]
struct JGit {
    mode: &'static str,
    refs: u64,
    commits: u64,
    unique_blobs: u64,
    blobs_scanned: u64,
    shallow: bool,
    submodules_not_followed: u64,
    lfs_pointers: u64,
    symlinks: u64,
    findings_in_head: usize,
    findings_history_only: usize,
}

impl Report for Json {
    fn write(&self, report: &ScanReport, rules: &RuleSet, w: &mut dyn Write) -> io::Result<()> {
        let findings = report
            .findings
            .iter()
            .map(|f| {
                let rule = f.rule(rules);
                JFinding {
                    rule_id: &rule.id,
                    description: &rule.description,
                    severity: rule.severity.as_str(),
                    confidence: rule.confidence().as_str(),
                    provider: rule.provider.as_deref(),
                    env_var: rule.env_var.as_deref(),
                    rotate: rule.rotate.as_deref(),
                    fingerprint: &f.fingerprint,
                    key: f.key.as_deref(),
                    paired_with: f.paired_with.as_ref().map(|p| JPaired {
                        key: &p.key,
                        preview: &p.preview,
                    }),
                    secret_preview: f.secret.preview(),
                    secret: f.secret.unredacted(self.0.redact),
                    entropy: (f.entropy * 100.0).round() / 100.0,
                    in_head: f.in_head,
                    more_locations: f.more_locations,
                    locations: f
                        .locations
                        .iter()
                        .map(|l| JLocation {
                            path: &l.path,
                            line: l.line,
                            column: l.column,
                            end_line: l.end_line,
                            end_column: l.end_column,
                            key: l.key.as_deref(),
                            commit: l.commit.as_deref().map(JCommit::from),
                            decoded: l.decoded.iter().map(|d| d.as_str()).collect(),
                        })
                        .collect(),
                }
            })
            .collect();
        let doc = Doc {
            schema_version: JSON_SCHEMA_VERSION,
            tool: Tool {
                name: env!("CARGO_PKG_NAME"),
                version: crate::build_info::VERSION,
                commit: crate::build_info::COMMIT,
                rules_digest: crate::build_info::rules_digest(),
            },
            findings,
            errors: report
                .errors
                .iter()
                .map(|e| JError {
                    path: &e.path,
                    message: &e.message,
                })
                .collect(),
            skipped: report
                .skipped
                .iter()
                .map(|s| JSkipped {
                    path: &s.path,
                    reason: match s.reason {
                        SkipReason::Binary => "binary",
                        SkipReason::TooLarge(_) => "too_large",
                        SkipReason::Allowlisted => "allowlisted",
                        SkipReason::Archive(why) => why.code(),
                    },
                    detail: match s.reason {
                        SkipReason::Archive(why) => Some(why.as_str()),
                        _ => None,
                    },
                    size: match s.reason {
                        SkipReason::TooLarge(n) => Some(n),
                        _ => None,
                    },
                })
                .collect(),
            stale: report
                .suppressed
                .stale
                .iter()
                .map(|s| JStale {
                    kind: s.kind,
                    file: &s.file,
                    fingerprint: &s.fingerprint,
                    detail: &s.detail,
                })
                .collect(),
            notices: report
                .notices
                .iter()
                .map(|n| JNotice {
                    file: &n.file,
                    message: &n.message,
                })
                .collect(),
            stats: JStats {
                files_scanned: report.stats.files_scanned,
                bytes_scanned: report.stats.bytes_scanned,
                elapsed_ms: u64::try_from(report.stats.elapsed.as_millis()).unwrap_or(u64::MAX),
                findings: report.findings.len(),
                errors: report.errors.len(),
                skipped: report.skipped.len(),
                suppressed_by_baseline: report.suppressed.baselined,
                suppressed_by_ignore_file: report.suppressed.ignored,
                git: report.stats.git.as_ref().map(|g| JGit {
                    mode: g.mode.as_str(),
                    refs: g.refs,
                    commits: g.commits,
                    unique_blobs: g.unique_blobs,
                    blobs_scanned: g.blobs_scanned,
                    shallow: g.shallow,
                    submodules_not_followed: g.submodules,
                    lfs_pointers: g.lfs_pointers,
                    symlinks: g.symlinks,
                    findings_in_head: report.findings.iter().filter(|f| f.in_head == Some(true)).count(),
                    findings_history_only: report
                        .findings
                        .iter()
                        .filter(|f| f.in_head == Some(false))
                        .count(),
                }),
            },
        };
        serde_json::to_writer_pretty(&mut *w, &doc)?;
        writeln!(w)
    }
}
