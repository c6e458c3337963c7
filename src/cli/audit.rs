//! `leakless audit --repos repos.txt`: scans the history of many repositories on one machine
//! with a bounded pool of workers, resumes after an interruption, and writes one report per
//! repository, the merged report and its HTML (see [`crate::audit`] for the list, names, shards
//! and layout).
//!
//! Each repository is scanned by a child `leakless scan --history` process: a worker holds one
//! repository's objects at a time, and a repository that crashes or exhausts memory fails alone
//! (reported, the audit goes on) instead of taking the audit down.

use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use anyhow::{Context, Result};

use super::output::Output;
use super::report::read_report;
use super::run::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};
use super::AuditArgs;
use crate::audit::{parse_list, shard, Layout, RepoSource, RepoSpec};
use crate::report::merge::{merge, Input};
use crate::report::{escape, Html, Report, ReportOptions};

/// What became of one repository.
enum Outcome {
    /// Scanned now, or earlier (resumed): its findings.
    Done { findings: usize, resumed: bool },
    /// Why it could not be scanned.
    Failed(String),
}

/// Runs `leakless audit`.
pub(super) fn run(a: &AuditArgs) -> Result<ExitCode> {
    let text = crate::safefs::read_config(&a.repos, crate::safefs::Origin::CommandLine)?;
    let base = a.repos.parent().unwrap_or(Path::new("."));
    let mut list = parse_list(&text, base).with_context(|| a.repos.display().to_string())?;
    if let Some((i, n)) = a.shard {
        list = shard(list, i, n)?;
    }
    let layout = Layout { root: a.out.clone() };
    if let Some(dir) = &a.cache {
        std::fs::create_dir_all(dir).with_context(|| format!("Failed to create {}", dir.display()))?;
    }
    for dir in ["repos", "clones"] {
        std::fs::create_dir_all(layout.root.join(dir))
            .with_context(|| format!("Failed to create {}", layout.root.join(dir).display()))?;
    }
    let next = AtomicUsize::new(0);
    let outcomes: Mutex<Vec<Option<Outcome>>> = Mutex::new((0..list.len()).map(|_| None).collect());
    let workers = a.jobs.clamp(1, list.len().max(1));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(repo) = list.get(i) else { break };
                let outcome = audit_one(a, &layout, repo);
                if !a.quiet {
                    let line = match &outcome {
                        Outcome::Done {
                            findings,
                            resumed: true,
                        } => format!("{findings} findings (finished earlier)"),
                        Outcome::Done { findings, .. } => format!("{findings} findings"),
                        Outcome::Failed(why) => format!("FAILED: {why}"),
                    };
                    eprintln!(
                        "leakless audit: [{}/{}] {}: {line}",
                        i + 1,
                        list.len(),
                        escape(&repo.name)
                    );
                }
                outcomes.lock().unwrap_or_else(std::sync::PoisonError::into_inner)[i] = Some(outcome);
            });
        }
    });
    let outcomes = outcomes
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let failed = outcomes
        .iter()
        .filter(|o| matches!(o, Some(Outcome::Failed(_)) | None))
        .count();
    let findings: usize = outcomes
        .iter()
        .map(|o| match o {
            Some(Outcome::Done { findings, .. }) => *findings,
            _ => 0,
        })
        .sum();
    if a.shard.is_none() {
        write_merged(a, &layout, &list, outcomes)?;
    }
    if !a.quiet {
        eprintln!(
            "leakless audit: {} repositories, {failed} failed, {findings} findings before merging; reports in {}",
            list.len(),
            escape(&layout.root.display().to_string())
        );
    }
    Ok(ExitCode::from(if failed > 0 {
        EXIT_ERROR
    } else if findings > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }))
}

/// The merged report (`audit.json`) and its HTML (`audit.html`).
fn write_merged(
    a: &AuditArgs,
    layout: &Layout,
    list: &[RepoSpec],
    outcomes: Vec<Option<Outcome>>,
) -> Result<()> {
    let mut inputs: Vec<Input> = Vec::new();
    for (repo, outcome) in list.iter().zip(outcomes) {
        let doc = match outcome {
            Some(Outcome::Done { .. }) => {
                read_report(&layout.report(&repo.name)).map_err(|e| format!("{e:#}"))
            }
            Some(Outcome::Failed(why)) => Err(why),
            None => Err("not scanned".to_string()),
        };
        inputs.push((repo.name.clone(), doc));
    }
    let doc = merge(inputs);
    let mut out = Output::open(Some(&layout.merged()), doc.holds_secrets())?;
    crate::report::write_doc(&doc, &mut out)?;
    out.finish()?;
    let (report, rules) = doc.into_report(None)?;
    let mut html = Html::new(ReportOptions {
        redact: true,
        color: false,
        verbose: false,
        report_stale: false,
    });
    html.hide_committers = a.hide_committers;
    let mut out = Output::open(Some(&layout.html()), false)?;
    html.write(&report, &rules, &mut out)?;
    out.finish()
}

/// Scans one repository (or finds it finished), recording a failure beside its report.
fn audit_one(a: &AuditArgs, layout: &Layout, repo: &RepoSpec) -> Outcome {
    let report = layout.report(&repo.name);
    if !a.rescan && report.exists() {
        if let Ok(doc) = read_report(&report) {
            return Outcome::Done {
                findings: doc.findings.len(),
                resumed: true,
            };
        }
    }
    let result = scan_one(a, layout, repo, &report);
    let error_file = layout.error(&repo.name);
    match result {
        Ok(findings) => {
            let _ = std::fs::remove_file(&error_file);
            Outcome::Done {
                findings,
                resumed: false,
            }
        }
        Err(why) => {
            let _ = crate::safefs::write_atomic(
                &error_file,
                format!("{why}\n").as_bytes(),
                crate::safefs::Perm::Umask,
            );
            Outcome::Failed(why)
        }
    }
}

/// Git with prompts off and only ordinary transports (no `ext::` helpers from a list entry).
fn git() -> Command {
    let mut c = Command::new("git");
    c.env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_ALLOW_PROTOCOL", "https:http:ssh:git:file")
        .stdin(Stdio::null());
    c
}

/// The last line a child wrote on stderr, escaped and short (the reason a repository failed).
fn reason(stderr: &[u8], fallback: &str) -> String {
    let text = String::from_utf8_lossy(stderr);
    let line = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or(fallback);
    let line: String = escape(line.trim()).chars().take(300).collect();
    line
}

fn scan_one(a: &AuditArgs, layout: &Layout, repo: &RepoSpec, report: &Path) -> Result<usize, String> {
    let path = match &repo.source {
        RepoSource::Local(p) => {
            if !p.exists() {
                return Err(format!(
                    "{}: no such repository",
                    escape(&p.display().to_string())
                ));
            }
            p.clone()
        }
        RepoSource::Url(url) => {
            let dir = layout.clone_dir(&repo.name);
            if !dir.exists() {
                let tmp = dir.with_extension("git.partial");
                let _ = std::fs::remove_dir_all(&tmp);
                let out = git()
                    .args(["clone", "--bare", "--quiet", "--"])
                    .arg(url)
                    .arg(&tmp)
                    .output()
                    .map_err(|e| format!("cannot run git: {e}"))?;
                if !out.status.success() {
                    let _ = std::fs::remove_dir_all(&tmp);
                    return Err(format!(
                        "clone failed: {}",
                        reason(&out.stderr, "git clone failed")
                    ));
                }
                std::fs::rename(&tmp, &dir).map_err(|e| format!("cannot keep the clone: {e}"))?;
            } else {
                // A clone from an earlier run: bring it up to date before scanning it again.
                let out = git()
                    .arg("--git-dir")
                    .arg(&dir)
                    .args(["fetch", "--quiet", "--prune", "--force", "--"])
                    .arg(url)
                    .args(["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"])
                    .output()
                    .map_err(|e| format!("cannot run git: {e}"))?;
                if !out.status.success() {
                    return Err(format!(
                        "fetch failed: {}",
                        reason(&out.stderr, "git fetch failed")
                    ));
                }
            }
            dir
        }
    };
    let exe = std::env::current_exe().map_err(|e| format!("cannot find the leakless binary: {e}"))?;
    let mut cmd = Command::new(exe);
    cmd.args(["scan", "--history", "--quiet", "-f", "json", "-j"])
        .arg(a.threads.to_string())
        .arg("--max-file-size")
        .arg(a.max_file_size.to_string())
        .arg("-o")
        .arg(report);
    if let Some(dir) = &a.cache {
        cmd.arg("--blob-cache")
            .arg(dir.join(format!("{}.json", repo.name)));
    }
    if let Some(c) = &a.rules.config {
        cmd.arg("--config").arg(c);
    }
    for r in &a.rules.rules {
        cmd.arg("--rules").arg(r);
    }
    if a.rules.no_builtin_rules {
        cmd.arg("--no-builtin-rules");
    }
    for id in &a.rules.enable_rule {
        cmd.arg("--enable-rule").arg(id);
    }
    let out = cmd
        .arg("--")
        .arg(&path)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run the scan: {e}"))?;
    match out.status.code() {
        Some(0 | 1) => read_report(report)
            .map(|d| d.findings.len())
            .map_err(|e| format!("the scan wrote no readable report: {e:#}")),
        _ => Err(reason(&out.stderr, "the scan failed")),
    }
}
