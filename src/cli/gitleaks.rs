//! `leakless git|dir|stdin` (and gitleaks' older `detect`/`protect`): gitleaks' command lines,
//! so switching a CI job from gitleaks is a one-word change.
//!
//! Each command is turned into a typed scan request — the same [`SourceArgs`] `leakless scan`
//! builds — plus gitleaks' output options (`--report-path`, `--report-format json|csv|junit|
//! sarif|template`, `--exit-code`, `--redact[=N]`); the scan itself is leakless' own. gitleaks
//! flags without a leakless counterpart are accepted and documented (`--no-banner`), never
//! silently reinterpreted; `--max-decode-depth N` sets leakless' decode depth.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};

use super::run;
use super::{RuleArgs, SourceArgs};
use crate::findings::gitleaks::{BaselineFile, LocationSet};
use crate::findings::suppress::{IgnoreFile, Suppressor};
use crate::report::gitleaks::{GitleaksCsv, GitleaksJson, GitleaksTemplate, Redaction};
use crate::report::{self, Format, Report, ReportOptions};

/// `--report-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// gitleaks' JSON array.
    Json,
    /// gitleaks' CSV.
    Csv,
    /// JUnit XML.
    Junit,
    /// SARIF 2.1.0.
    Sarif,
    /// A Go template (`--report-template`).
    Template,
    /// leakless' text report.
    Text,
}

/// `--log-level`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogLevel {
    /// As info.
    Trace,
    /// As info.
    Debug,
    /// Warnings, per-file errors and the text report.
    Info,
    /// As info.
    Warn,
    /// Only the report and fatal errors (like `--quiet`).
    Error,
    /// As error.
    Fatal,
}

/// Flags all gitleaks commands share.
#[derive(Debug, clap::Args)]
pub struct GitleaksArgs {
    /// Config file (gitleaks TOML; default: `.leakless.toml` or `.gitleaks.toml` in the scanned
    /// directory).
    #[arg(long, short = 'c', value_name = "PATH", env = "GITLEAKS_CONFIG")]
    pub config: Option<PathBuf>,
    /// Write the report to PATH (`-` for standard output).
    #[arg(long, short = 'r', value_name = "PATH")]
    pub report_path: Option<PathBuf>,
    /// Report format (default: from the report path's extension, else json).
    #[arg(long, short = 'f', value_enum, value_name = "FORMAT")]
    pub report_format: Option<ReportFormat>,
    /// Go template for `--report-format template`.
    #[arg(long, value_name = "PATH")]
    pub report_template: Option<PathBuf>,
    /// Exit code when leaks are found.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub exit_code: u8,
    /// Redact secrets in reports: `--redact` hides them (`REDACTED`), `--redact=N` hides N
    /// percent. Without it, reports show leakless' short preview (never the whole secret).
    #[arg(long, value_name = "PERCENT", num_args = 0..=1, require_equals = true,
          default_missing_value = "100", value_parser = clap::value_parser!(u8).range(0..=100))]
    pub redact: Option<u8>,
    /// Show secrets in full.
    #[arg(long, conflicts_with = "redact")]
    pub no_redact: bool,
    /// Only report findings not in this baseline (a gitleaks JSON report or a leakless baseline).
    #[arg(long, short = 'b', value_name = "PATH")]
    pub baseline_path: Option<PathBuf>,
    /// `.gitleaksignore` file, or a directory holding one (default: the scanned directory).
    #[arg(long, short = 'i', value_name = "PATH")]
    pub gitleaks_ignore_path: Option<PathBuf>,
    /// Use only these rules (ids, or gitleaks ids they cover).
    #[arg(long, value_name = "ID", value_delimiter = ',')]
    pub enable_rule: Vec<String>,
    /// Skip files larger than this many megabytes (0: no limit).
    #[arg(long, value_name = "MB")]
    pub max_target_megabytes: Option<u64>,
    /// How deep base64, hex and escaped content is decoded and rescanned (0: never; default 2).
    #[arg(long, value_name = "N")]
    pub max_decode_depth: Option<u32>,
    /// Do not honour `gitleaks:allow` (and `leakless:allow`) comments.
    #[arg(long)]
    pub ignore_gitleaks_allow: bool,
    /// Accepted for compatibility (leakless prints no banner).
    #[arg(long)]
    pub no_banner: bool,
    /// `error`/`fatal`: print only the report and errors.
    #[arg(long, short = 'l', value_enum, default_value_t = LogLevel::Info)]
    pub log_level: LogLevel,
    /// List skipped files and every allowlist's count.
    #[arg(long, short = 'v')]
    pub verbose: bool,
    /// No colour.
    #[arg(long)]
    pub no_color: bool,
    /// Threads (0: one per core).
    #[arg(long, short = 'j', default_value_t = 0)]
    pub threads: usize,
}

/// `leakless git [REPO]`.
#[derive(Debug, clap::Args)]
pub struct GitArgs {
    /// Repository.
    #[arg(default_value = ".")]
    pub repo: PathBuf,
    /// Arguments for `git log` selecting the commits to scan (`--all`, `A..B`, `--since=...`).
    #[arg(long, value_name = "ARGS", allow_hyphen_values = true)]
    pub log_opts: Option<String>,
    /// Scan the staged change.
    #[arg(long, conflicts_with = "log_opts")]
    pub staged: bool,
    /// Scan the staged change (as gitleaks' `--pre-commit`).
    #[arg(long, conflicts_with = "log_opts")]
    pub pre_commit: bool,
    /// Shared flags.
    #[command(flatten)]
    pub common: GitleaksArgs,
}

/// `leakless dir [PATH]`.
#[derive(Debug, clap::Args)]
pub struct DirArgs {
    /// Directory or file.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Follow symbolic links.
    #[arg(long)]
    pub follow_symlinks: bool,
    /// Shared flags.
    #[command(flatten)]
    pub common: GitleaksArgs,
}

/// `leakless stdin`.
#[derive(Debug, clap::Args)]
pub struct StdinArgs {
    /// Shared flags.
    #[command(flatten)]
    pub common: GitleaksArgs,
}

/// `leakless detect` (gitleaks < 8.19).
#[derive(Debug, clap::Args)]
pub struct DetectArgs {
    /// Repository or directory.
    #[arg(long, short = 's', default_value = ".")]
    pub source: PathBuf,
    /// Scan the directory, not the git history.
    #[arg(long)]
    pub no_git: bool,
    /// Scan standard input.
    #[arg(long)]
    pub pipe: bool,
    /// Arguments for `git log` selecting the commits to scan.
    #[arg(long, value_name = "ARGS", allow_hyphen_values = true)]
    pub log_opts: Option<String>,
    /// Follow symbolic links (with --no-git).
    #[arg(long)]
    pub follow_symlinks: bool,
    /// Shared flags.
    #[command(flatten)]
    pub common: GitleaksArgs,
}

/// `leakless protect` (gitleaks < 8.19).
#[derive(Debug, clap::Args)]
pub struct ProtectArgs {
    /// Repository.
    #[arg(long, short = 's', default_value = ".")]
    pub source: PathBuf,
    /// Scan the staged change (the only mode: leakless has no unstaged-diff scan).
    #[arg(long)]
    pub staged: bool,
    /// Shared flags.
    #[command(flatten)]
    pub common: GitleaksArgs,
}

/// What to scan.
#[derive(Debug, Clone)]
enum Target {
    /// Every file under a path (no .gitignore, as gitleaks `dir`).
    Dir { path: PathBuf, follow: bool },
    /// The whole history.
    History(PathBuf),
    /// The commits `git log ARGS` lists.
    LogOpts(PathBuf, String),
    /// The staged change.
    Staged(PathBuf),
    /// Standard input.
    Stdin,
}

/// The scan request a gitleaks command line amounts to.
fn request(target: Target, c: &GitleaksArgs) -> SourceArgs {
    let quiet = matches!(c.log_level, LogLevel::Error | LogLevel::Fatal);
    let (path, stdin, history, staged, log_opts, no_ignore, follow) = match target {
        Target::Dir { path, follow } => (path, false, false, false, None, true, follow),
        Target::History(p) => (p, false, true, false, None, false, false),
        Target::LogOpts(p, o) => (p, false, false, false, Some(o), false, false),
        Target::Staged(p) => (p, false, false, true, None, false, false),
        Target::Stdin => (PathBuf::from("."), true, false, false, None, false, false),
    };
    SourceArgs {
        path,
        rules: RuleArgs {
            config: c.config.clone(),
            rules: Vec::new(),
            no_builtin_rules: false,
            enable_rule: c.enable_rule.clone(),
        },
        stdin,
        stdin_name: "<stdin>".into(),
        history,
        blob_cache: None,
        range: None,
        exclude: Vec::new(),
        since_commit: None,
        staged,
        log_opts,
        no_ignore,
        follow,
        max_file_size: match c.max_target_megabytes {
            None => 10 << 20,
            Some(0) => u64::MAX,
            Some(mb) => mb.saturating_mul(1 << 20),
        },
        threads: c.threads,
        no_inline_allow: c.ignore_gitleaks_allow,
        ignore_file: None,
        no_archives: false,
        config_source: None,
        max_decode_depth: c.max_decode_depth.map_or(crate::matching::MAX_DECODE_DEPTH, |n| {
            u8::try_from(n).unwrap_or(u8::MAX)
        }),
        quiet,
    }
}

/// `leakless git`.
pub(super) fn git(a: &GitArgs) -> Result<ExitCode> {
    let target = if a.staged || a.pre_commit {
        Target::Staged(a.repo.clone())
    } else if let Some(o) = &a.log_opts {
        Target::LogOpts(a.repo.clone(), o.clone())
    } else {
        Target::History(a.repo.clone())
    };
    scan(target, &a.common)
}

/// `leakless dir`.
pub(super) fn dir(a: &DirArgs) -> Result<ExitCode> {
    scan(
        Target::Dir {
            path: a.path.clone(),
            follow: a.follow_symlinks,
        },
        &a.common,
    )
}

/// `leakless stdin`.
pub(super) fn stdin(a: &StdinArgs) -> Result<ExitCode> {
    scan(Target::Stdin, &a.common)
}

/// `leakless detect`.
pub(super) fn detect(a: &DetectArgs) -> Result<ExitCode> {
    let (target, instead) = if a.pipe {
        (Target::Stdin, "leakless stdin")
    } else if a.no_git {
        (
            Target::Dir {
                path: a.source.clone(),
                follow: a.follow_symlinks,
            },
            "leakless dir PATH",
        )
    } else if let Some(o) = &a.log_opts {
        (Target::LogOpts(a.source.clone(), o.clone()), "leakless git REPO")
    } else {
        (Target::History(a.source.clone()), "leakless git REPO")
    };
    deprecated("detect", instead);
    scan(target, &a.common)
}

/// `leakless protect`.
pub(super) fn protect(a: &ProtectArgs) -> Result<ExitCode> {
    deprecated("protect", "leakless git --staged (or leakless scan --staged)");
    scan(Target::Staged(a.source.clone()), &a.common)
}

fn deprecated(cmd: &str, instead: &str) {
    eprintln!("leakless: `{cmd}` is gitleaks' pre-8.19 command, kept for old CI files; use `{instead}`");
}

/// Text with control characters escaped, for the terminal.
pub(super) fn printable(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// The commits `git log ARGS` lists in the repository at `repo` (full ids).
pub(super) fn log_commits(repo: &Path, args: &str) -> Result<Vec<String>> {
    let words = shlex::split(args).with_context(|| "--log-opts: unbalanced quotes".to_string())?;
    if let Some(bad) = words
        .iter()
        .find(|w| w.starts_with("--output") || w.starts_with("--format") || w.starts_with("--pretty"))
    {
        anyhow::bail!("--log-opts: '{}' cannot be used here", printable(bad));
    }
    let dir = if repo.is_dir() {
        repo
    } else {
        repo.parent().unwrap_or(Path::new("."))
    };
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "log.showSignature=false",
            "log",
            "--no-color",
            "--format=%H",
        ])
        .args(&words)
        .output()
        .context("Failed to run git log")?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let first = err.lines().next().unwrap_or("failed");
        anyhow::bail!("git log {}: {}", printable(args), printable(first));
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::trim)
        .filter(|l| (l.len() == 40 || l.len() == 64) && l.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(String::from)
        .collect())
}

/// The ignore file, baseline (leakless or gitleaks) and `.gitleaksignore` of a scan.
pub(super) fn suppressor(
    quiet: bool,
    ignore: Option<IgnoreFile>,
    baseline: Option<(String, BaselineFile)>,
    gitleaks_ignore: Option<(String, LocationSet)>,
) -> Suppressor {
    let mut located = Vec::new();
    let hashed = match baseline {
        None => None,
        Some((name, BaselineFile::Leakless(b))) => Some((name, b)),
        Some((name, BaselineFile::Gitleaks(c))) => {
            if !c.unknown_rules.is_empty() && !quiet {
                eprintln!(
                    "leakless: warning: {}: no rule covers gitleaks rule id(s) {} (those entries are ignored)",
                    printable(&name),
                    printable(&c.unknown_rules.join(", "))
                );
            }
            if !c.located.entries.is_empty() {
                located.push(c.located);
            }
            Some((name, c.hashed))
        }
    };
    located.extend(gitleaks_ignore.map(|(_, set)| set));
    let mut s = Suppressor::new(ignore, hashed);
    for set in located {
        s = s.with_locations(set);
    }
    s
}

/// The format a report path implies.
fn format_for(c: &GitleaksArgs) -> ReportFormat {
    c.report_format.unwrap_or_else(|| {
        let ext = c
            .report_path
            .as_ref()
            .and_then(|p| p.extension())
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        match ext.as_deref() {
            Some("csv") => ReportFormat::Csv,
            Some("sarif") => ReportFormat::Sarif,
            Some("xml") => ReportFormat::Junit,
            Some("tmpl" | "tpl") if c.report_template.is_some() => ReportFormat::Template,
            _ => ReportFormat::Json,
        }
    })
}

fn scan(target: Target, c: &GitleaksArgs) -> Result<ExitCode> {
    let src = request(target, c);
    let redaction = match (c.no_redact, c.redact) {
        (true, _) => Redaction::Off,
        (false, Some(p)) => Redaction::Percent(p),
        (false, None) => Redaction::Preview,
    };
    let format = format_for(c);
    // Parse the template before scanning: a broken template is an error, not a lost scan.
    let reporter: Option<Box<dyn Report>> = match (&c.report_path, format) {
        (None, _) => None,
        (Some(_), ReportFormat::Template) => {
            let path = c
                .report_template
                .as_ref()
                .context("--report-format template needs --report-template FILE")?;
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("{}: cannot read the report template", path.display()))?;
            Some(Box::new(GitleaksTemplate {
                template: report::template::Template::parse(&text)?,
                redaction,
            }))
        }
        (Some(_), ReportFormat::Json) => Some(Box::new(GitleaksJson(redaction))),
        (Some(_), ReportFormat::Csv) => Some(Box::new(GitleaksCsv(redaction))),
        (Some(_), f) => {
            let opts = ReportOptions {
                redact: redaction != Redaction::Off,
                color: false,
                verbose: c.verbose,
                report_stale: false,
            };
            Some(report::reporter(
                match f {
                    ReportFormat::Junit => Format::Junit,
                    ReportFormat::Sarif => Format::Sarif,
                    _ => Format::Text,
                },
                opts,
            ))
        }
    };
    let config = super::config::load_scan(
        &src,
        c.baseline_path.as_deref(),
        c.gitleaks_ignore_path.as_deref(),
        false,
    )?;
    let rules = config.rules;
    let suppressor = suppressor(src.quiet, config.ignore, config.baseline, config.gitleaks_ignore);
    run::check_source(&src)?;
    let mut report = run::collect(&src, &rules, None)?;
    report.notices = config.notices;
    report.suppressed = suppressor.apply(&mut report.findings);
    let to_stdout = c.report_path.as_deref() == Some(Path::new("-"));
    if let (Some(path), Some(reporter)) = (&c.report_path, &reporter) {
        let target = (!to_stdout).then_some(path.as_path());
        let mut out = super::output::Output::open(target, redaction == Redaction::Off)?;
        reporter.write(&report, &rules, &mut out)?;
        out.finish()?;
    }
    // The text report goes to the terminal (stderr when the report itself is on stdout).
    if !src.quiet || !report.findings.is_empty() {
        let color =
            !c.no_color && !to_stdout && io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        let opts = ReportOptions {
            redact: redaction != Redaction::Off,
            color,
            verbose: c.verbose,
            report_stale: c.verbose,
        };
        let text = report::reporter(Format::Text, opts);
        if to_stdout {
            text.write(&report, &rules, &mut io::stderr().lock())?;
        } else {
            let mut out = io::stdout().lock();
            text.write(&report, &rules, &mut out)?;
            out.flush()?;
        }
    }
    Ok(ExitCode::from(if report.findings.is_empty() {
        run::EXIT_CLEAN
    } else {
        c.exit_code
    }))
}
