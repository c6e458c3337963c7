//! The JSON report as data: one owned model ([`ReportDoc`]) that `--format json` writes and
//! `leakless report` reads back, so a saved report renders into every other format without
//! rescanning, and reports of several repositories merge (see [`super::merge`]).
//!
//! The model carries the rule metadata inline (id, description, severity, confidence, provider,
//! rotation link, tags) and the scan's configuration summary, so a reader needs no rule files.
//! Reading is lenient about what it does not know (fields added later are ignored) and strict
//! about what it renders (an unknown severity is an error naming the field, never its value).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{ConfigSummary, Notice, ReportOptions, ScanReport};
use crate::findings::suppress::{Stale, SuppressStats};
use crate::findings::{CommitInfo, Finding, Location, Secret};
use crate::matching::{Decoding, Paired};
use crate::rules::{Confidence, Rule, RuleMeta, RuleSet, Severity};
use crate::source::archive::ArchiveSkip;
use crate::source::git::{GitMode, GitStats};
use crate::source::{ScanError, SkipReason, Skipped, Stats};

/// Version of the JSON schema; bumped on incompatible change.
pub const JSON_SCHEMA_VERSION: u32 = 1;

/// Saved reports larger than this are refused (a 25,000-finding history report is ~40 MB).
pub const MAX_REPORT_SIZE: u64 = 1 << 30;

/// A saved report that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum DocError {
    /// Neither a JSON report nor JSON lines.
    #[error("not a leakless JSON or JSONL report ({0})")]
    NotAReport(String),
    /// A field holds a value the renderer cannot use.
    #[error("finding {index}: unknown {field}")]
    BadField {
        /// 0-based finding (or line) index.
        index: usize,
        /// The field.
        field: &'static str,
    },
    /// A schema version this build does not read.
    #[error("schema_version {0} is newer than this leakless reads ({JSON_SCHEMA_VERSION})")]
    Version(u32),
}

/// The whole JSON document (`--format json`; schema in README, "JSON output").
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReportDoc {
    /// [`JSON_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The producing tool.
    pub tool: ToolDoc,
    /// Findings, sorted.
    pub findings: Vec<FindingDoc>,
    /// Per-file errors.
    #[serde(default)]
    pub errors: Vec<ErrorDoc>,
    /// Skipped files.
    #[serde(default)]
    pub skipped: Vec<SkippedDoc>,
    /// Stale ignore/baseline entries.
    #[serde(default)]
    pub stale: Vec<StaleDoc>,
    /// Notes about the scan's configuration.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notices: Vec<NoticeDoc>,
    /// Counters.
    #[serde(default)]
    pub stats: StatsDoc,
    /// The rule configuration in force.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<ConfigDoc>,
    /// Merged reports: one entry per repository merged in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub repositories: Vec<RepositoryDoc>,
}

/// `tool`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ToolDoc {
    /// `leakless`.
    pub name: String,
    /// Its version.
    pub version: String,
    /// The git commit the binary was built from, `unknown` if not recorded (absent in reports
    /// of builds before it was added).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// `sha256:…` of the built-in rule packs the binary embeds (absent in older reports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules_digest: Option<String>,
}

/// One finding: one secret found by one rule, with its rule's metadata.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FindingDoc {
    /// Rule id.
    pub rule_id: String,
    /// Rule description.
    pub description: String,
    /// `critical|high|medium|low|info`.
    pub severity: String,
    /// `high|medium|low`.
    pub confidence: String,
    /// Provider slug.
    #[serde(default)]
    pub provider: Option<String>,
    /// Conventional env var name.
    #[serde(default)]
    pub env_var: Option<String>,
    /// Where to rotate the credential.
    #[serde(default)]
    pub rotate: Option<String>,
    /// Fingerprint v1.
    pub fingerprint: String,
    /// The key the secret is assigned to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The id this secret is paired with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paired_with: Option<PairedDoc>,
    /// The redacted preview.
    pub secret_preview: String,
    /// The raw secret (only with `--no-redact`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// Shannon entropy.
    #[serde(default)]
    pub entropy: f64,
    /// Git scans: still in the `HEAD` tree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_head: Option<bool>,
    /// Every location.
    pub locations: Vec<LocationDoc>,
    /// Locations left out (capped).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub more_locations: u64,
    /// `--validate`: whether the secret is live.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation: Option<crate::findings::Validation>,
    /// The rule's tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Merged reports: the repositories this secret appears in, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub repositories: Vec<String>,
    /// The finding is the file itself (a path rule such as `committed-dotenv-file`): untrack it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub file_finding: bool,
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// `paired_with`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PairedDoc {
    /// The id's key.
    pub key: String,
    /// The id's redacted preview.
    pub preview: String,
}

/// One location.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LocationDoc {
    /// Path.
    pub path: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// End line.
    pub end_line: usize,
    /// Exclusive end column.
    pub end_column: usize,
    /// Key at this place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Introducing commit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<CommitDoc>,
    /// Decodings undone, outermost first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decoded: Vec<String>,
    /// Merged reports: the repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// The line, every secret on it redacted, cut around this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
}

/// `commit`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CommitDoc {
    /// Full id.
    pub id: String,
    /// Author name.
    #[serde(default)]
    pub author_name: String,
    /// Author email.
    #[serde(default)]
    pub author_email: String,
    /// Author date (ISO 8601).
    #[serde(default)]
    pub date: String,
    /// First line of the message.
    #[serde(default)]
    pub summary: String,
}

/// `errors[]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorDoc {
    /// Path.
    pub path: String,
    /// Reason.
    pub message: String,
    /// Merged reports: the repository (or the report that could not be read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
}

/// `skipped[]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SkippedDoc {
    /// Path.
    pub path: String,
    /// Reason code.
    pub reason: String,
    /// Archive detail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Size (too large).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
}

/// `stale[]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StaleDoc {
    /// `ignore` or `baseline`.
    pub kind: String,
    /// File holding the entry.
    pub file: String,
    /// Fingerprint.
    pub fingerprint: String,
    /// Rule id or glob.
    #[serde(default)]
    pub detail: String,
    /// Merged reports: the repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
}

/// `notices[]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NoticeDoc {
    /// File.
    pub file: String,
    /// Message.
    pub message: String,
}

/// `stats`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct StatsDoc {
    /// Files or blobs scanned.
    #[serde(default)]
    pub files_scanned: u64,
    /// Bytes scanned.
    #[serde(default)]
    pub bytes_scanned: u64,
    /// Wall time.
    #[serde(default)]
    pub elapsed_ms: u64,
    /// Findings.
    #[serde(default)]
    pub findings: usize,
    /// Errors.
    #[serde(default)]
    pub errors: usize,
    /// Skipped.
    #[serde(default)]
    pub skipped: usize,
    /// Suppressed by the baseline.
    #[serde(default)]
    pub suppressed_by_baseline: usize,
    /// Suppressed by the ignore file.
    #[serde(default)]
    pub suppressed_by_ignore_file: usize,
    /// Git counters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git: Option<GitDoc>,
}

/// `stats.git`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GitDoc {
    /// `history|range|staged`.
    pub mode: String,
    /// Refs.
    #[serde(default)]
    pub refs: u64,
    /// Commits.
    #[serde(default)]
    pub commits: u64,
    /// Unique blobs.
    #[serde(default)]
    pub unique_blobs: u64,
    /// Blobs scanned.
    #[serde(default)]
    pub blobs_scanned: u64,
    /// Shallow clone.
    #[serde(default)]
    pub shallow: bool,
    /// Submodule entries not followed.
    #[serde(default)]
    pub submodules_not_followed: u64,
    /// LFS pointers not scanned.
    #[serde(default)]
    pub lfs_pointers: u64,
    /// Symlinks not scanned.
    #[serde(default)]
    pub symlinks: u64,
    /// Findings still in HEAD.
    #[serde(default)]
    pub findings_in_head: usize,
    /// Findings in history only.
    #[serde(default)]
    pub findings_history_only: usize,
}

/// `config`: the rule configuration in force.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConfigDoc {
    /// Config files, base first (`<builtin>` for the built-in rules alone).
    pub files: Vec<String>,
    /// Rules in use.
    pub rules: usize,
    /// Allowlists that suppressed something.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowlisted: Vec<AllowlistedDoc>,
}

/// `config.allowlisted[]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AllowlistedDoc {
    /// Which allowlist.
    pub allowlist: String,
    /// Matches (and files, for path allowlists) it suppressed.
    pub count: u64,
}

/// `repositories[]` of a merged report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepositoryDoc {
    /// The repository's name.
    pub name: String,
    /// Findings of this repository (before cross-repository dedupe).
    pub findings: usize,
    /// Of which still in HEAD.
    #[serde(default)]
    pub findings_in_head: usize,
    /// Errors.
    #[serde(default)]
    pub errors: usize,
    /// Files or blobs scanned.
    #[serde(default)]
    pub files_scanned: u64,
    /// Bytes scanned.
    #[serde(default)]
    pub bytes_scanned: u64,
    /// Commits visited (history scans).
    #[serde(default)]
    pub commits: u64,
    /// The report could not be produced or read: why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed: Option<String>,
}

impl ReportDoc {
    /// The document for a scan report (what `--format json` writes).
    pub fn of(report: &ScanReport, rules: &RuleSet, opts: ReportOptions) -> Self {
        let findings = report
            .findings
            .iter()
            .map(|f| finding_doc(f, f.rule(rules), opts.redact))
            .collect();
        let config = report.config_summary(rules);
        Self {
            findings,
            errors: report
                .errors
                .iter()
                .map(|e| ErrorDoc {
                    path: e.path.clone(),
                    message: e.message.clone(),
                    repository: None,
                })
                .collect(),
            skipped: report.skipped.iter().map(skipped_doc).collect(),
            stale: report
                .suppressed
                .stale
                .iter()
                .map(|s| StaleDoc {
                    kind: s.kind.to_string(),
                    file: s.file.clone(),
                    fingerprint: s.fingerprint.clone(),
                    detail: s.detail.clone(),
                    repository: None,
                })
                .collect(),
            notices: report
                .notices
                .iter()
                .map(|n| NoticeDoc {
                    file: n.file.clone(),
                    message: n.message.clone(),
                })
                .collect(),
            stats: StatsDoc {
                files_scanned: report.stats.files_scanned,
                bytes_scanned: report.stats.bytes_scanned,
                elapsed_ms: u64::try_from(report.stats.elapsed.as_millis()).unwrap_or(u64::MAX),
                findings: report.findings.len(),
                errors: report.errors.len(),
                skipped: report.skipped.len(),
                suppressed_by_baseline: report.suppressed.baselined,
                suppressed_by_ignore_file: report.suppressed.ignored,
                git: report.stats.git.as_ref().map(|g| GitDoc {
                    mode: g.mode.as_str().to_string(),
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
            config: Some(ConfigDoc {
                files: config.files,
                rules: config.rules,
                allowlisted: config
                    .allowlisted
                    .into_iter()
                    .map(|(allowlist, count)| AllowlistedDoc { allowlist, count })
                    .collect(),
            }),
            repositories: report.repositories.clone(),
            ..Self::empty()
        }
    }

    /// Reads a saved report: a JSON document (`--format json`, or a merged report) or JSON lines
    /// (`--format jsonl`, one location per line).
    pub fn parse(text: &str) -> Result<Self, DocError> {
        let trimmed = text.trim_start();
        if trimmed.is_empty() {
            return Ok(Self::from_lines(Vec::new()));
        }
        let first_line = trimmed.lines().next().unwrap_or_default();
        // A JSON document starts with `{` on a line of its own (pretty) or is one line with a
        // `findings` array; JSON lines are objects with a `rule_id`.
        match serde_json::from_str::<Self>(trimmed) {
            Ok(doc) if doc.schema_version > JSON_SCHEMA_VERSION => Err(DocError::Version(doc.schema_version)),
            Ok(doc) => Ok(doc),
            Err(doc_err) if first_line.trim_end() != "{" => {
                let mut lines = Vec::new();
                for (i, l) in trimmed.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
                    let line: LineDoc = serde_json::from_str(l)
                        .map_err(|e| DocError::NotAReport(format!("line {}: {}", i + 1, serde_reason(&e))))?;
                    lines.push(line);
                }
                if lines.is_empty() {
                    return Err(DocError::NotAReport(serde_reason(&doc_err)));
                }
                Ok(Self::from_lines(lines))
            }
            Err(e) => Err(DocError::NotAReport(serde_reason(&e))),
        }
    }

    /// Groups JSON lines (one per location) into findings, in first-seen order, then sorted as a
    /// scan sorts them.
    fn from_lines(lines: Vec<LineDoc>) -> Self {
        let mut index: HashMap<(String, String), usize> = HashMap::new();
        let mut findings: Vec<FindingDoc> = Vec::new();
        for l in lines {
            let loc = LocationDoc {
                path: l.path,
                line: l.line,
                column: l.column,
                end_line: l.end_line,
                end_column: l.end_column,
                key: l.key.clone(),
                commit: l.commit.map(|id| CommitDoc {
                    id,
                    author_name: String::new(),
                    author_email: String::new(),
                    date: String::new(),
                    summary: String::new(),
                }),
                decoded: l.decoded,
                repository: None,
                context: None,
            };
            let k = (l.rule_id.clone(), l.fingerprint.clone());
            if let Some(&i) = index.get(&k) {
                findings[i].locations.push(loc);
                continue;
            }
            index.insert(k, findings.len());
            let entropy = l.secret.as_deref().map_or(0.0, |s| {
                (crate::matching::entropy::shannon(s.as_bytes()) * 100.0).round() / 100.0
            });
            findings.push(FindingDoc {
                rule_id: l.rule_id,
                description: l.description,
                severity: l.severity,
                confidence: l.confidence,
                provider: l.provider,
                env_var: None,
                rotate: None,
                fingerprint: l.fingerprint,
                key: l.key,
                paired_with: l.paired_with_key.map(|key| PairedDoc {
                    key,
                    preview: String::new(),
                }),
                secret_preview: l.secret_preview,
                secret: l.secret,
                entropy,
                in_head: l.in_head,
                locations: vec![loc],
                more_locations: 0,
                validation: l.validation,
                tags: Vec::new(),
                repositories: Vec::new(),
                file_finding: false,
            });
        }
        for f in &mut findings {
            f.locations.sort_by(|a, b| loc_key(a).cmp(&loc_key(b)));
            f.locations.dedup_by(|a, b| loc_key(a) == loc_key(b));
        }
        sort_findings(&mut findings);
        Self {
            findings,
            ..Self::empty()
        }
    }

    /// A report with nothing in it, from this build.
    pub fn empty() -> Self {
        Self {
            schema_version: JSON_SCHEMA_VERSION,
            tool: ToolDoc {
                name: env!("CARGO_PKG_NAME").to_string(),
                version: crate::build_info::VERSION.to_string(),
                commit: Some(crate::build_info::COMMIT.to_string()),
                rules_digest: Some(crate::build_info::rules_digest().to_string()),
            },
            findings: Vec::new(),
            errors: Vec::new(),
            skipped: Vec::new(),
            stale: Vec::new(),
            notices: Vec::new(),
            stats: StatsDoc::default(),
            config: None,
            repositories: Vec::new(),
        }
    }

    /// Whether the report holds raw secrets (it was made with `--no-redact`).
    pub fn holds_secrets(&self) -> bool {
        self.findings.iter().any(|f| f.secret.is_some())
    }

    /// The scan report and the rule set (built from the inline metadata) to render it with.
    /// `known` fills in what a JSON-lines report leaves out (rotation link, env var, tags) for
    /// rules it has by the same id.
    pub fn into_report(self, known: Option<&RuleSet>) -> Result<(ScanReport, RuleSet), DocError> {
        let mut rule_index: HashMap<String, u32> = HashMap::new();
        let mut rules: Vec<Rule> = Vec::new();
        let mut findings = Vec::with_capacity(self.findings.len());
        for (index, f) in self.findings.into_iter().enumerate() {
            let rule = match rule_index.get(&f.rule_id) {
                Some(&r) => r,
                None => {
                    let meta = rule_meta(&f, index, known.and_then(|k| k.get(&f.rule_id)))?;
                    let r = u32::try_from(rules.len()).unwrap_or(u32::MAX);
                    rule_index.insert(f.rule_id.clone(), r);
                    rules.push(Rule::reported(meta));
                    r
                }
            };
            findings.push(finding(f, rule, index)?);
        }
        let config = self.config.map(|c| ConfigSummary {
            files: c.files,
            rules: c.rules,
            allowlisted: c
                .allowlisted
                .into_iter()
                .map(|a| (a.allowlist, a.count))
                .collect(),
        });
        let mut set = RuleSet::new(rules, Vec::new());
        set.configs = config.as_ref().map(|c| c.files.clone()).unwrap_or_default();
        let report = ScanReport {
            findings,
            errors: self
                .errors
                .into_iter()
                .map(|e| ScanError {
                    path: in_repo(e.repository.as_deref(), e.path),
                    message: e.message,
                })
                .collect(),
            skipped: self.skipped.into_iter().filter_map(skipped).collect(),
            stats: Stats {
                files_scanned: self.stats.files_scanned,
                bytes_scanned: self.stats.bytes_scanned,
                elapsed: Duration::from_millis(self.stats.elapsed_ms),
                git: self.stats.git.and_then(|g| {
                    let mut s = GitStats::new(GitMode::parse(&g.mode)?);
                    s.refs = g.refs;
                    s.commits = g.commits;
                    s.unique_blobs = g.unique_blobs;
                    s.blobs_scanned = g.blobs_scanned;
                    s.shallow = g.shallow;
                    s.submodules = g.submodules_not_followed;
                    s.lfs_pointers = g.lfs_pointers;
                    s.symlinks = g.symlinks;
                    Some(s)
                }),
            },
            suppressed: SuppressStats {
                ignored: self.stats.suppressed_by_ignore_file,
                baselined: self.stats.suppressed_by_baseline,
                stale: self
                    .stale
                    .into_iter()
                    .map(|s| Stale {
                        kind: if s.kind == "ignore" { "ignore" } else { "baseline" },
                        file: in_repo(s.repository.as_deref(), s.file),
                        fingerprint: s.fingerprint,
                        detail: s.detail,
                    })
                    .collect(),
            },
            notices: self
                .notices
                .into_iter()
                .map(|n| Notice {
                    file: n.file,
                    message: n.message,
                })
                .collect(),
            config: Some(config.unwrap_or_else(|| ConfigSummary {
                files: vec![crate::rules::BUILTIN_NAME.to_string()],
                rules: set.rules().len(),
                allowlisted: Vec::new(),
            })),
            repositories: self.repositories,
        };
        Ok((report, set))
    }
}

/// `repo:path` for a place in a merged report, `path` otherwise.
fn in_repo(repo: Option<&str>, path: String) -> String {
    match repo {
        Some(r) => format!("{r}:{path}"),
        None => path,
    }
}

/// A serde error without the input it quotes (a report may hold hostile text): the category
/// and position only.
fn serde_reason(e: &serde_json::Error) -> String {
    let what = match e.classify() {
        serde_json::error::Category::Io => "read error",
        serde_json::error::Category::Syntax => "invalid JSON",
        serde_json::error::Category::Data => "unexpected structure",
        serde_json::error::Category::Eof => "truncated JSON",
    };
    format!("{what} at line {} column {}", e.line(), e.column())
}

/// One `--format jsonl` line.
#[derive(Debug, Deserialize)]
struct LineDoc {
    rule_id: String,
    #[serde(default)]
    description: String,
    severity: String,
    confidence: String,
    #[serde(default)]
    provider: Option<String>,
    fingerprint: String,
    #[serde(default)]
    key: Option<String>,
    #[serde(default)]
    paired_with_key: Option<String>,
    #[serde(default)]
    secret_preview: String,
    #[serde(default)]
    secret: Option<String>,
    path: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    #[serde(default)]
    commit: Option<String>,
    #[serde(default)]
    in_head: Option<bool>,
    #[serde(default)]
    decoded: Vec<String>,
    #[serde(default)]
    validation: Option<crate::findings::Validation>,
}

type LocKey<'a> = (
    Option<&'a str>,
    &'a str,
    usize,
    usize,
    usize,
    usize,
    Option<&'a str>,
);

fn loc_key(l: &LocationDoc) -> LocKey<'_> {
    (
        l.repository.as_deref(),
        &l.path,
        l.line,
        l.column,
        l.end_line,
        l.end_column,
        l.commit.as_ref().map(|c| c.id.as_str()),
    )
}

/// Sorts findings as a scan does: by first location, then rule id, then fingerprint.
pub fn sort_findings(findings: &mut [FindingDoc]) {
    findings.sort_by(|a, b| {
        a.locations
            .first()
            .map(loc_key)
            .cmp(&b.locations.first().map(loc_key))
            .then_with(|| a.rule_id.cmp(&b.rule_id))
            .then_with(|| a.fingerprint.cmp(&b.fingerprint))
    });
}

fn finding_doc(f: &Finding, rule: &Rule, redact: bool) -> FindingDoc {
    let mut repositories: Vec<String> = f.locations.iter().filter_map(|l| l.repository.clone()).collect();
    repositories.sort();
    repositories.dedup();
    FindingDoc {
        rule_id: rule.id.clone(),
        description: rule.description.clone(),
        severity: rule.severity.as_str().to_string(),
        confidence: rule.confidence().as_str().to_string(),
        provider: rule.provider.clone(),
        env_var: rule.env_var.clone(),
        rotate: rule.rotate.clone(),
        fingerprint: f.fingerprint.clone(),
        key: f.key.clone(),
        paired_with: f.paired_with.as_ref().map(|p| PairedDoc {
            key: p.key.clone(),
            preview: p.preview.clone(),
        }),
        secret_preview: f.secret.preview(),
        secret: f.secret.unredacted(redact),
        entropy: (f.entropy * 100.0).round() / 100.0,
        in_head: f.in_head,
        more_locations: f.more_locations,
        validation: f.validation.clone(),
        locations: f
            .locations
            .iter()
            .map(|l| LocationDoc {
                path: l.path.clone(),
                line: l.line,
                column: l.column,
                end_line: l.end_line,
                end_column: l.end_column,
                key: l.key.clone(),
                commit: l.commit.as_deref().map(|c| CommitDoc {
                    id: c.id.clone(),
                    author_name: c.author_name.clone(),
                    author_email: c.author_email.clone(),
                    date: c.date.clone(),
                    summary: c.summary.clone(),
                }),
                decoded: l.decoded.iter().map(|d| d.as_str().to_string()).collect(),
                repository: l.repository.clone(),
                context: l.context.clone(),
            })
            .collect(),
        tags: rule.tags.clone(),
        repositories,
        file_finding: rule.is_file_rule(),
    }
}

fn skipped_doc(s: &Skipped) -> SkippedDoc {
    SkippedDoc {
        path: s.path.clone(),
        reason: match s.reason {
            SkipReason::Binary => "binary",
            SkipReason::TooLarge(_) => "too_large",
            SkipReason::Allowlisted => "allowlisted",
            SkipReason::Archive(why) => why.code(),
        }
        .to_string(),
        detail: match s.reason {
            SkipReason::Archive(why) => Some(why.as_str().to_string()),
            _ => None,
        },
        size: match s.reason {
            SkipReason::TooLarge(n) => Some(n),
            _ => None,
        },
    }
}

fn skipped(s: SkippedDoc) -> Option<Skipped> {
    let reason = match s.reason.as_str() {
        "binary" => SkipReason::Binary,
        "too_large" => SkipReason::TooLarge(s.size.unwrap_or(0)),
        "allowlisted" => SkipReason::Allowlisted,
        code => SkipReason::Archive(ArchiveSkip::from_code(code)?),
    };
    Some(Skipped { path: s.path, reason })
}

fn rule_meta(f: &FindingDoc, index: usize, known: Option<&Rule>) -> Result<RuleMeta, DocError> {
    let bad = |field| DocError::BadField { index, field };
    let tags = if f.tags.is_empty() {
        known.map(|k| k.tags.clone()).unwrap_or_default()
    } else {
        f.tags.clone()
    };
    Ok(RuleMeta {
        id: f.rule_id.clone(),
        description: f.description.clone(),
        severity: Severity::parse(&f.severity).ok_or_else(|| bad("severity"))?,
        confidence: Confidence::parse(&f.confidence).ok_or_else(|| bad("confidence"))?,
        provider: f.provider.clone(),
        env_var: f
            .env_var
            .clone()
            .or_else(|| known.and_then(|k| k.env_var.clone())),
        rotate: f.rotate.clone().or_else(|| known.and_then(|k| k.rotate.clone())),
        tags,
        file_rule: f.file_finding || known.is_some_and(Rule::is_file_rule),
    })
}

fn finding(f: FindingDoc, rule: u32, index: usize) -> Result<Finding, DocError> {
    let mut locations = Vec::with_capacity(f.locations.len());
    for l in f.locations {
        let mut decoded = Vec::with_capacity(l.decoded.len());
        for d in &l.decoded {
            decoded.push(Decoding::parse(d).ok_or(DocError::BadField {
                index,
                field: "decoded",
            })?);
        }
        locations.push(Location {
            path: l.path,
            line: l.line,
            column: l.column,
            end_line: l.end_line,
            end_column: l.end_column,
            key: l.key,
            commit: l.commit.map(|c| {
                Arc::new(CommitInfo {
                    id: c.id,
                    author_name: c.author_name,
                    author_email: c.author_email,
                    date: c.date,
                    summary: c.summary,
                })
            }),
            decoded,
            repository: l.repository,
            context: l.context,
        });
    }
    Ok(Finding {
        rule,
        fingerprint: f.fingerprint,
        entropy: f.entropy,
        secret: match f.secret {
            Some(s) => Secret::new(s.into_bytes()),
            None => Secret::preview_only(f.secret_preview),
        },
        locations,
        key: f.key,
        paired_with: f.paired_with.map(|p| Paired {
            key: p.key,
            // A saved report holds the id's preview only: nothing to validate with.
            value: Secret::preview_only(p.preview.clone()),
            preview: p.preview,
        }),
        in_head: f.in_head,
        more_locations: f.more_locations,
        validation: f.validation,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_do_not_quote_the_input() {
        let e = ReportDoc::parse("{\"findings\": \"\x1b[31mhostile ghp_secret\"}").expect_err("not a report");
        let msg = e.to_string();
        assert!(!msg.contains("hostile") && !msg.contains('\x1b'), "{msg}");
        let e = ReportDoc::parse("not json at all hostile").expect_err("not a report");
        assert!(!e.to_string().contains("hostile"));
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let text = r#"{"schema_version": 99, "tool": {"name": "leakless", "version": "9"}, "findings": []}"#;
        assert!(matches!(ReportDoc::parse(text), Err(DocError::Version(99))));
    }

    #[test]
    fn json_lines_group_by_fingerprint() {
        let line = |path: &str, fp: &str| {
            format!(
                r#"{{"rule_id":"r","description":"d","severity":"high","confidence":"high","provider":null,"fingerprint":"{fp}","secret_preview":"ab…","path":"{path}","line":1,"column":1,"end_line":1,"end_column":5}}"#
            )
        };
        let text = [line("b", "f1"), line("a", "f2"), line("a", "f1")].join("\n");
        let doc = ReportDoc::parse(&text).expect("jsonl");
        assert_eq!(doc.findings.len(), 2);
        assert_eq!(doc.findings[0].fingerprint, "f1");
        assert_eq!(doc.findings[0].locations.len(), 2);
        let (report, rules) = doc.into_report(None).expect("renders");
        assert_eq!(report.findings[0].secret.preview(), "ab…");
        assert!(!report.findings[0].secret.is_known());
        assert_eq!(rules.rules().len(), 1);
    }

    #[test]
    fn an_unknown_severity_names_the_field_not_the_value() {
        let text = r#"{"schema_version": 1, "tool": {"name": "leakless", "version": "1"}, "findings": [{"rule_id": "r", "description": "d", "severity": "EVIL\u001b", "confidence": "high", "fingerprint": "f", "secret_preview": "…", "locations": []}]}"#;
        let e = ReportDoc::parse(text)
            .expect("parses")
            .into_report(None)
            .expect_err("bad severity");
        assert_eq!(e.to_string(), "finding 0: unknown severity");
    }
}
