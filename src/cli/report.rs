//! `leakless report`: renders saved JSON/JSONL scan reports into any format without rescanning,
//! and `leakless report merge` joins the reports of several repositories into one.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};

use super::output::Output;
use super::run::{EXIT_CLEAN, EXIT_FINDINGS};
use super::{MergeArgs, RenderArgs, ReportArgs, ReportCommand};
use crate::migrate::report::MigrationReport;
use crate::report::doc::{ReportDoc, MAX_REPORT_SIZE};
use crate::report::merge::{merge, Input};
use crate::report::{self, html, Format, Html, Markdown, Report, ReportOptions};

/// Runs `leakless report ...`.
pub(super) fn run(a: &ReportArgs) -> Result<ExitCode> {
    match &a.command {
        Some(ReportCommand::Merge(m)) => merge_reports(m),
        None => render(&a.render),
    }
}

/// Reads a saved report (regular file or stream), capped at [`MAX_REPORT_SIZE`]. Errors name the
/// file and never quote its content.
pub(super) fn read_report(path: &Path) -> Result<ReportDoc> {
    let file =
        std::fs::File::open(path).with_context(|| format!("Failed to open report {}", path.display()))?;
    let meta = file
        .metadata()
        .with_context(|| format!("Failed to read report {}", path.display()))?;
    anyhow::ensure!(!meta.is_dir(), "{}: is a directory, not a report", path.display());
    anyhow::ensure!(
        meta.len() <= MAX_REPORT_SIZE,
        "{}: larger than {} bytes",
        path.display(),
        MAX_REPORT_SIZE
    );
    let mut bytes = Vec::new();
    file.take(MAX_REPORT_SIZE + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("Failed to read report {}", path.display()))?;
    anyhow::ensure!(
        bytes.len() as u64 <= MAX_REPORT_SIZE,
        "{}: larger than {} bytes",
        path.display(),
        MAX_REPORT_SIZE
    );
    let text = String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("{}: not UTF-8 text", path.display()))?;
    ReportDoc::parse(&text).with_context(|| format!("{}", path.display()))
}

/// The repository name of a report file: its file name without `.json`/`.jsonl`; the path when
/// two inputs share a name.
fn names(paths: &[PathBuf]) -> Vec<String> {
    let stem = |p: &PathBuf| {
        let name = p
            .file_name()
            .map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into_owned());
        name.strip_suffix(".jsonl")
            .or_else(|| name.strip_suffix(".json"))
            .or_else(|| name.strip_suffix(ERROR_SUFFIX))
            .unwrap_or(&name)
            .to_string()
    };
    let stems: Vec<String> = paths.iter().map(stem).collect();
    stems
        .iter()
        .zip(paths)
        .map(|(s, p)| {
            if stems.iter().filter(|t| *t == s).count() > 1 {
                p.display().to_string()
            } else {
                s.clone()
            }
        })
        .collect()
}

/// One report as it is, or several merged.
fn load(paths: &[PathBuf]) -> Result<ReportDoc> {
    if let [one] = paths {
        return read_report(one);
    }
    let mut inputs: Vec<Input> = Vec::new();
    for (name, path) in names(paths).into_iter().zip(paths) {
        inputs.push((name, Ok(read_report(path)?)));
    }
    Ok(merge(inputs))
}

fn render(a: &RenderArgs) -> Result<ExitCode> {
    Output::check(a.output.as_deref())?;
    let doc = load(&a.reports)?;
    let holds_secrets = a.no_redact && doc.holds_secrets();
    let builtin = crate::rules::load(&crate::rules::LoadOptions::default())
        .context("Failed to load the built-in rules")?;
    let (report, rules) = doc.into_report(Some(&builtin))?;
    let color = super::run::use_color(a.color, a.output.is_some());
    let opts = ReportOptions {
        redact: !a.no_redact,
        color,
        verbose: a.verbose,
        report_stale: a.report_stale,
    };
    let migration = a.migration.as_deref().map(read_migration).transpose()?;
    let mut out = Output::open(a.output.as_deref(), holds_secrets)?;
    match a.format {
        Format::Jsonl => {
            for f in &report.findings {
                report::jsonl::write_finding(&mut out, &rules, f, opts.redact)?;
            }
        }
        Format::Html => {
            let mut html = Html::new(opts);
            html.hide_committers = a.hide_committers;
            html.migration = migration.as_ref().map(html::migration_states);
            html.write(&report, &rules, &mut out)?;
        }
        Format::Markdown => {
            let limit = usize::try_from(a.markdown_limit).unwrap_or(usize::MAX);
            Markdown::with_limit(opts, limit).write(&report, &rules, &mut out)?;
        }
        f => report::reporter(f, opts).write(&report, &rules, &mut out)?,
    }
    out.finish()?;
    Ok(ExitCode::from(if report.findings.is_empty() {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    }))
}

/// Reads a `leakless migrate --report` JSON file.
fn read_migration(path: &Path) -> Result<MigrationReport> {
    let text = crate::safefs::read_config(path, crate::safefs::Origin::CommandLine)?;
    serde_json::from_str(&text).map_err(|e| {
        anyhow::anyhow!(
            "{}: not a leakless migration report (line {} column {})",
            path.display(),
            e.line(),
            e.column()
        )
    })
}

/// What `audit` writes beside a repository's report when the repository failed
/// (`repos/<name>.error`, its reason on the first line).
const ERROR_SUFFIX: &str = ".error";

fn is_error_file(p: &Path) -> bool {
    p.file_name()
        .is_some_and(|n| n.to_string_lossy().ends_with(ERROR_SUFFIX))
}

/// The reason in an `audit` `.error` file: its first line, at most 1 KiB read, control
/// characters escaped (it may come from a job engine's artifact).
fn failure_reason(path: &Path) -> String {
    // A regular file only: a link (to `/proc/self/environ`, to a key) would put another file's
    // first line in the merged report, and opening a FIFO would wait for a writer forever.
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_file() => {}
        Ok(_) => return "failed (its .error file is not a regular file; not read)".to_string(),
        Err(e) => return format!("failed (its .error file cannot be read: {e})"),
    }
    let mut bytes = Vec::new();
    let read = std::fs::File::open(path).and_then(|f| f.take(1024).read_to_end(&mut bytes));
    if let Err(e) = read {
        return format!("failed (its .error file cannot be read: {e})");
    }
    let text = String::from_utf8_lossy(&bytes);
    match text.lines().next().map(str::trim) {
        Some(line) if !line.is_empty() => report::escape(line).into_owned(),
        _ => "failed (no reason recorded)".to_string(),
    }
}

fn merge_reports(a: &MergeArgs) -> Result<ExitCode> {
    Output::check(a.output.as_deref())?;
    // A `.error` file left beside a report that was written after all (a later, successful
    // run) is stale: the report wins, as in `audit`.
    let stem = |p: &PathBuf| names(std::slice::from_ref(p)).remove(0);
    let scanned: Vec<String> = a.reports.iter().filter(|p| !is_error_file(p)).map(stem).collect();
    let paths: Vec<PathBuf> = a
        .reports
        .iter()
        .filter(|p| !is_error_file(p) || !scanned.contains(&stem(p)))
        .cloned()
        .collect();
    let mut inputs: Vec<Input> = Vec::new();
    for (name, path) in names(&paths).into_iter().zip(&paths) {
        if is_error_file(path) {
            inputs.push((name, Err(failure_reason(path))));
            continue;
        }
        let doc = match read_report(path) {
            Ok(d) => Ok(d),
            Err(e) if a.keep_going => Err(format!("{e:#}")),
            Err(e) => return Err(e),
        };
        inputs.push((name, doc));
    }
    let doc = merge(inputs);
    let mut out = Output::open(a.output.as_deref(), doc.holds_secrets())?;
    report::write_doc(&doc, &mut out)?;
    out.finish()?;
    Ok(ExitCode::from(if doc.findings.is_empty() {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    }))
}
