//! Running the commands. This is the only place (with `main`) that uses `anyhow`.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};

use super::{Args, ColorChoice, Command, RuleArgs, RulesCommand, ScanArgs};
use crate::findings;
use crate::matching::{MatchOptions, Scanner};
use crate::report::{self, Format, ReportOptions, ScanReport};
use crate::rules::{self, LoadOptions, RuleSet};
use crate::source::git::{self, history::GitOutcome};
use crate::source::{stdin, worktree};

/// Exit code: no findings.
pub const EXIT_CLEAN: u8 = 0;
/// Exit code: findings.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code: error.
pub const EXIT_ERROR: u8 = 2;

/// Config files looked for in the scanned directory, in order.
const CONFIG_NAMES: &[&str] = &[".leakless.toml", ".gitleaks.toml"];

/// Runs parsed arguments.
pub fn run(args: Args) -> Result<ExitCode> {
    match args.command {
        Command::Scan(a) => scan(&a),
        Command::Rules(RulesCommand::List { rules, format }) => rules_list(&rules, format),
        Command::Rules(RulesCommand::Check { files }) => rules_check(&files),
    }
}

fn load_rules(args: &RuleArgs, scan_root: Option<&Path>) -> Result<RuleSet> {
    let config = args.config.clone().or_else(|| {
        let dir = scan_root.filter(|p| p.is_dir())?;
        CONFIG_NAMES.iter().map(|n| dir.join(n)).find(|p| p.is_file())
    });
    let opts = LoadOptions {
        config,
        extra: args.rules.clone(),
        no_builtin: args.no_builtin_rules,
    };
    Ok(rules::load(&opts)?)
}

fn open_output(path: Option<&PathBuf>) -> Result<Box<dyn Write>> {
    Ok(match path {
        Some(p) => {
            Box::new(BufWriter::new(File::create(p).with_context(|| {
                format!("Failed to create output file {}", p.display())
            })?))
        }
        None => Box::new(BufWriter::new(io::stdout().lock())),
    })
}

fn scan(a: &ScanArgs) -> Result<ExitCode> {
    if !a.stdin && !a.path.exists() {
        anyhow::bail!("{}: no such file or directory", a.path.display());
    }
    let rules = load_rules(&a.rules, (!a.stdin).then_some(a.path.as_path()))?;
    let scanner = Scanner::new(
        &rules,
        MatchOptions {
            inline_allow: !a.no_inline_allow,
            ignore_rule_paths: false,
        },
    );
    let git_outcome = scan_git(a, &scanner)?;
    let outcome = if let Some(g) = &git_outcome {
        crate::source::Outcome {
            stats: g.stats.clone(),
            ..Default::default()
        }
    } else if a.stdin {
        stdin::scan_reader(io::stdin().lock(), &a.stdin_name, a.max_file_size, &scanner)
    } else {
        let opts = worktree::WalkOptions {
            no_ignore: a.no_ignore,
            follow_links: a.follow,
            max_file_size: a.max_file_size,
            threads: a.threads,
        };
        worktree::scan(&a.path, &opts, &scanner)
    };
    let (found, mut errors, skipped) = match git_outcome {
        Some(g) => (g.findings, g.errors, g.skipped),
        None => (
            findings::group(outcome.matches, &rules),
            outcome.errors,
            outcome.skipped,
        ),
    };
    for (id, e) in rules.compile_failures() {
        errors.push(crate::source::ScanError {
            path: format!("rule {id}"),
            message: e.to_string(),
        });
    }
    let report = ScanReport {
        findings: found,
        errors,
        skipped,
        stats: outcome.stats,
    };
    if !a.quiet {
        let mut err = io::stderr().lock();
        for e in &report.errors {
            writeln!(err, "leakless: {}: {}", e.path, e.message)?;
        }
    }
    let color = match a.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            a.output.is_none() && io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    };
    let opts = ReportOptions {
        redact: !a.no_redact,
        color,
        verbose: a.verbose,
    };
    let mut out = open_output(a.output.as_ref())?;
    report::reporter(a.format, opts).write(&report, &rules, &mut out)?;
    out.flush()?;
    Ok(ExitCode::from(if a.strict && !report.errors.is_empty() {
        EXIT_ERROR
    } else if report.findings.is_empty() {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    }))
}

/// Runs a git source (`--history`, `--range`, `--since-commit`, `--staged`), if one was asked for.
fn scan_git(a: &ScanArgs, scanner: &Scanner<'_>) -> Result<Option<GitOutcome>> {
    let range_opts = git::range::RangeOptions {
        max_file_size: a.max_file_size,
        threads: a.threads,
    };
    let out = if a.history {
        let opts = git::history::HistoryOptions {
            max_file_size: a.max_file_size,
            threads: a.threads,
            progress: !a.quiet && io::stderr().is_terminal(),
            ..Default::default()
        };
        git::history::scan(&a.path, &opts, scanner)?
    } else if let Some(spec) = &a.range {
        let (from, to) = git::range::parse_range(spec);
        git::range::scan(&a.path, from, to, &range_opts, scanner)?
    } else if let Some(from) = &a.since_commit {
        git::range::scan(&a.path, Some(from), "HEAD", &range_opts, scanner)?
    } else if a.staged {
        git::staged::scan(&a.path, &range_opts, scanner)?
    } else {
        return Ok(None);
    };
    Ok(Some(out))
}

fn rules_list(args: &RuleArgs, format: Format) -> Result<ExitCode> {
    let rules = load_rules(args, Some(Path::new(".")))?;
    let mut out = open_output(None)?;
    match format {
        Format::Json => {
            let list: Vec<serde_json::Value> = rules
                .rules()
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "id": r.id,
                        "description": r.description,
                        "severity": r.severity.as_str(),
                        "provider": r.provider,
                        "keywords": r.keywords,
                        "env_var": r.env_var,
                        "rotate": r.rotate,
                        "source": r.source,
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &list)?;
            writeln!(out)?;
        }
        Format::Text => {
            for r in rules.rules() {
                writeln!(
                    out,
                    "{:<48} {:<8} {:<16} {}",
                    r.id,
                    r.severity.as_str(),
                    r.provider.as_deref().unwrap_or("-"),
                    r.description
                )?;
            }
            writeln!(out, "{} rules", rules.rules().len())?;
        }
    }
    out.flush()?;
    Ok(ExitCode::from(EXIT_CLEAN))
}

fn rules_check(files: &[PathBuf]) -> Result<ExitCode> {
    let sets: Vec<(String, RuleSet)> = if files.is_empty() {
        vec![("built-in rules".to_string(), rules::load_builtin()?)]
    } else {
        files
            .iter()
            .map(|f| Ok((f.display().to_string(), rules::load_file_alone(f)?)))
            .collect::<Result<_>>()?
    };
    let mut out = open_output(None)?;
    let mut failed = 0;
    for (name, set) in &sets {
        let problems = rules::check::check(set);
        for p in &problems {
            let kind = if p.fatal { "error" } else { "warning" };
            writeln!(out, "{}: rule '{}': {kind}: {}", p.source, p.rule, p.message)?;
        }
        let fatal = problems.iter().filter(|p| p.fatal).count();
        failed += fatal;
        let examples: usize = set
            .rules()
            .iter()
            .map(|r| r.examples.len() + r.negative_examples.len())
            .sum();
        writeln!(
            out,
            "{name}: {} rules, {examples} examples checked, {fatal} failure{}",
            set.rules().len(),
            if fatal == 1 { "" } else { "s" }
        )?;
    }
    out.flush()?;
    Ok(ExitCode::from(if failed == 0 {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    }))
}
