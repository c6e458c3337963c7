//! Running the commands. This is the only place (with `main`) that uses `anyhow`.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;

use anyhow::{Context, Result};
use clap::Parser;

use super::config::{load_rules, load_scan, read_baseline};
use super::output::{Output, SharedBuf};
use super::{
    Args, BaselineArgs, BaselineCommand, ColorChoice, Command, HookCommand, MigrateArgs, MigrateFormat,
    RuleArgs, RulesCommand, ScanArgs, SourceArgs,
};
use crate::findings::suppress::{Baseline, IgnoreFile, Suppressor, IGNORE_FILE};
use crate::findings::{self};
use crate::hooks::{self, HookKind, Installed};
use crate::matching::{ArchiveLimits, MatchOptions, RawMatch, Scanner};
use crate::report::escape;
use crate::report::{self, jsonl, Format, Notice, ReportOptions, ScanReport};
use crate::rules::{self, RuleSet};
use crate::source::git::{self, history::GitOutcome};
use crate::source::{stdin, worktree, ScanError, Sink};

/// Exit code: no findings.
pub const EXIT_CLEAN: u8 = 0;
/// Exit code: findings.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code: error.
pub const EXIT_ERROR: u8 = 2;

/// Runs parsed arguments.
pub fn run(args: Args) -> Result<ExitCode> {
    match args.command {
        Command::Scan(a) => scan(&a),
        Command::Rules(RulesCommand::List {
            rules,
            format,
            provider,
            category,
            validators,
        }) => rules_list(&rules, format, &provider, &category, validators),
        Command::Rules(RulesCommand::Check { files }) => rules_check(&files),
        Command::Baseline(BaselineCommand::Create(a)) => baseline(&a, true),
        Command::Baseline(BaselineCommand::Update(a)) => baseline(&a, false),
        Command::Baseline(BaselineCommand::Import(a)) => baseline_import(&a),
        Command::Git(a) => super::gitleaks::git(&a),
        Command::Dir(a) => super::gitleaks::dir(&a),
        Command::Stdin(a) => super::gitleaks::stdin(&a),
        Command::Detect(a) => super::gitleaks::detect(&a),
        Command::Protect(a) => super::gitleaks::protect(&a),
        Command::InstallHook { pre_push, force } => install_hook(pre_push, force),
        Command::Hook(HookCommand::PreCommit { hook_id }) => hook(
            HookKind::PreCommit,
            vec![vec!["--staged".into()]],
            hook_id.as_deref(),
        ),
        Command::Hook(HookCommand::PrePush { remote, hook_id, .. }) => hook(
            HookKind::PrePush,
            pre_push_scans(remote.as_deref())?,
            hook_id.as_deref(),
        ),
        Command::UninstallHook { pre_push } => uninstall_hook(pre_push),
        Command::Migrate(a) => migrate(&a),
        Command::Validate(a) => super::validate::run(&a),
        Command::Run(a) => super::run_cmd::run(&a),
        Command::Env(a) => super::env::env(&a),
        Command::Completions { shell } => super::completions::run(shell),
        Command::Man => super::man::run(),
        Command::Version { format } => super::version::run(format),
        Command::Report(a) => super::report::run(&a),
        Command::Audit(a) => super::audit::run(&a),
    }
}

/// Fails when there is nothing at the scanned path.
pub(super) fn check_source(src: &SourceArgs) -> Result<()> {
    if !src.stdin && std::fs::symlink_metadata(&src.path).is_err() {
        anyhow::bail!(
            "{}: no such file or directory",
            escape(&src.path.display().to_string())
        );
    }
    Ok(())
}

/// Whether `path` (links followed) is something to read as a stream: not a directory, not a
/// regular file (a FIFO, a character or block device, a socket: opening the last fails).
fn is_stream(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.is_dir() && !m.is_file())
}

/// Runs the source scan; findings are grouped but not yet suppressed.
pub(super) fn collect(src: &SourceArgs, rules: &RuleSet, sink: Option<&Sink<'_>>) -> Result<ScanReport> {
    check_source(src)?;
    let scanner = Scanner::new(
        rules,
        MatchOptions {
            inline_allow: !src.no_inline_allow,
            ignore_rule_paths: false,
            max_decode_depth: src.max_decode_depth,
            archives: (!src.no_archives).then(|| ArchiveLimits {
                max_member_size: src.max_file_size,
                ..ArchiveLimits::default()
            }),
        },
    );
    let git_outcome = scan_git(src, &scanner)?;
    let (found, mut errors, skipped, stats) = if let Some(g) = git_outcome {
        (g.findings, g.errors, g.skipped, g.stats)
    } else {
        let outcome = if src.stdin {
            stdin::scan_reader(
                io::stdin().lock(),
                &src.stdin_name,
                src.max_file_size,
                &scanner,
                sink,
            )
        } else if is_stream(&src.path) {
            // A FIFO, `<(…)`, /dev/stdin, a device: read as a stream up to the size cap (a walk
            // would see "not a file" and scan nothing).
            let name = src.path.display().to_string();
            let file =
                std::fs::File::open(&src.path).with_context(|| format!("{}: cannot open", escape(&name)))?;
            stdin::scan_reader(file, &name, src.max_file_size, &scanner, sink)
        } else {
            let opts = worktree::WalkOptions {
                no_ignore: src.no_ignore,
                follow_links: src.follow,
                max_file_size: src.max_file_size,
                threads: src.threads,
            };
            worktree::scan(&src.path, &opts, &scanner, sink)
        };
        (
            findings::group(outcome.matches, rules),
            outcome.errors,
            outcome.skipped,
            outcome.stats,
        )
    };
    for (id, e) in rules.compile_failures() {
        errors.push(ScanError {
            path: format!("rule {id}"),
            message: e.to_string(),
        });
    }
    let notices = budget_notices(&scanner);
    if !src.quiet {
        let mut err = io::stderr().lock();
        for e in &errors {
            writeln!(err, "leakless: {}: {}", escape(&e.path), escape(&e.message))?;
        }
        for n in &notices {
            writeln!(err, "leakless: note: {}: {}", escape(&n.file), escape(&n.message))?;
        }
    }
    Ok(ScanReport {
        findings: found,
        errors,
        skipped,
        stats,
        suppressed: Default::default(),
        notices,
        ..Default::default()
    })
}

/// One notice per rule that stopped early because it spent its work budget.
fn budget_notices(scanner: &Scanner<'_>) -> Vec<Notice> {
    scanner
        .exhausted()
        .into_iter()
        .map(|b| {
            let rule = &scanner.rules().rules()[b.rule as usize];
            let more = match b.blobs {
                1 => String::new(),
                n => format!(" and {} other files", n - 1),
            };
            Notice {
                file: b.first_path,
                message: format!(
                    "rule '{}' spent its work budget here{more} and was not run on the rest (findings of this rule may be missing); rules without keywords and rules from a config run within {}x the file size, see SECURITY.md",
                    rule.id,
                    crate::matching::BUDGET_FACTOR
                ),
            }
        })
        .collect()
}

/// Whether text output is coloured: `auto` colours a terminal stdout when `NO_COLOR` is unset.
pub(super) fn use_color(choice: ColorChoice, to_file: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => !to_file && io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    }
}

fn scan(a: &ScanArgs) -> Result<ExitCode> {
    Output::check(a.output.as_deref())?;
    let code = scan_into(a, || Output::open(a.output.as_deref(), a.no_redact))?;
    Ok(ExitCode::from(code))
}

/// Runs a scan, writing the report to the output `open` gives once the config and inputs have
/// loaded; returns the exit code.
fn scan_into(a: &ScanArgs, open: impl FnOnce() -> Result<Output>) -> Result<u8> {
    let src = &a.source;
    let config = load_scan(src, a.baseline.as_deref(), None, a.strict)?;
    let rules = config.rules;
    let notices = config.notices;
    if !src.quiet {
        let mut err = io::stderr().lock();
        for n in &notices {
            writeln!(err, "leakless: note: {}: {}", escape(&n.file), escape(&n.message))?;
        }
    }
    let suppressor =
        super::gitleaks::suppressor(src.quiet, config.ignore, config.baseline, config.gitleaks_ignore);
    check_source(src)?;
    let out = open()?;
    let color = use_color(a.color, a.output.is_some());
    let opts = ReportOptions {
        redact: !a.no_redact,
        color,
        verbose: a.verbose,
        report_stale: a.report_stale,
    };
    let out = Mutex::new(out);
    let write_failed = Mutex::new(None::<io::Error>);
    let min_confidence = a.min_confidence.level();
    let stream = |path: &str, m: &RawMatch| {
        if rules.rules()[m.rule as usize].confidence() < min_confidence {
            return;
        }
        let fp = jsonl::match_fingerprint(&rules, m);
        let shown = m.display_path(path);
        if suppressor.suppresses(&fp, &shown)
            || suppressor.suppresses_at(m.rule, &findings::Location::of(shown.to_string(), m))
        {
            return;
        }
        let mut w = out.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Err(e) = jsonl::write_match(&mut *w, &rules, path, m, &fp, opts.redact) {
            write_failed
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .get_or_insert(e);
        }
    };
    // With --validate the verdicts come after the scan: JSONL is written then, not streamed.
    let sink: Option<&Sink<'_>> = (a.format == Format::Jsonl && !a.validation.validate).then_some(&stream);
    let mut report = collect(src, &rules, sink)?;
    if let Some(e) = write_failed
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
    {
        return Err(e.into());
    }
    report.suppressed = suppressor.apply(&mut report.findings);
    report
        .findings
        .retain(|f| f.rule(&rules).confidence() >= min_confidence);
    report.notices.splice(0..0, notices);
    let validation = &a.validation;
    if validation.validate {
        super::validate::findings(&mut report.findings, &rules, validation, src.quiet)?;
    }
    report.config = Some(report::ConfigSummary::of(&rules));
    let mut out = out
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if a.format == Format::Jsonl && (is_git(src) || validation.validate) {
        // Git sources group findings before reporting, and validation judges them: write them now.
        for f in &report.findings {
            jsonl::write_finding(&mut out, &rules, f, opts.redact)?;
        }
    }
    report::reporter(a.format, opts).write(&report, &rules, &mut out)?;
    out.finish()?;
    Ok(if a.strict && !report.errors.is_empty() {
        EXIT_ERROR
    } else if report.findings.is_empty() || !super::validate::fails(&report.findings, validation) {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    })
}

fn baseline(a: &BaselineArgs, create: bool) -> Result<ExitCode> {
    if create && !a.force && a.output.exists() {
        anyhow::bail!(
            "{}: baseline already exists (use `leakless baseline update`, or --force)",
            a.output.display()
        );
    }
    crate::safefs::check_target(&a.output).context("Refusing the baseline file")?;
    let src = &a.source;
    let config = load_scan(src, None, None, false)?;
    let rules = config.rules;
    check_source(src)?;
    let mut report = collect(src, &rules, None)?;
    super::gitleaks::suppressor(src.quiet, config.ignore, None, config.gitleaks_ignore)
        .apply(&mut report.findings);
    let new = Baseline::from_findings(&report.findings, &rules);
    let old = (!create && a.output.exists())
        .then(|| read_baseline(&a.output))
        .transpose()?;
    let json = new.to_json();
    crate::safefs::write_atomic(&a.output, json.as_bytes(), crate::safefs::Perm::Umask)
        .with_context(|| format!("Failed to write {}", a.output.display()))?;
    let mut err = io::stderr().lock();
    match old {
        Some(old) => {
            let had = |b: &Baseline, fp: &str| b.findings.iter().any(|e| e.fingerprint == fp);
            let added = new.findings.iter().filter(|e| !had(&old, &e.fingerprint)).count();
            let removed = old.findings.iter().filter(|e| !had(&new, &e.fingerprint)).count();
            writeln!(
                err,
                "leakless: updated {}: {} findings ({added} added, {removed} no longer found)",
                escape(&a.output.display().to_string()),
                new.findings.len()
            )?;
        }
        None => writeln!(
            err,
            "leakless: wrote {} with {} findings; scan with `leakless scan --baseline {}`",
            escape(&a.output.display().to_string()),
            new.findings.len(),
            escape(&a.output.display().to_string())
        )?,
    }
    Ok(ExitCode::from(EXIT_CLEAN))
}

/// `leakless baseline import REPORT`: a gitleaks JSON report as a hashed leakless baseline.
fn baseline_import(a: &super::ImportArgs) -> Result<ExitCode> {
    use crate::findings::gitleaks::{convert_report, covered};
    if !a.force && a.output.exists() {
        anyhow::bail!(
            "{}: baseline already exists (use --force to overwrite)",
            a.output.display()
        );
    }
    let src = &a.source;
    let rules = load_rules(&src.rules, super::config::scan_root(src), false, src.quiet)?;
    let name = a.report.display().to_string();
    let text = std::fs::read_to_string(&a.report).with_context(|| format!("{name}: cannot read"))?;
    let converted = convert_report(&text, &name, &rules)?;
    let mut baseline = converted.hashed;
    let direct = baseline.findings.len();
    let mut missing = 0;
    let mut by_location = 0;
    if !converted.located.entries.is_empty() {
        // The report hid the secrets: find those findings again and take their fingerprints.
        let report = collect(src, &rules, None)?;
        let (found, used) = covered(&converted.located, &report.findings);
        missing = used.iter().filter(|u| !**u).count();
        let extra = Baseline::from_findings(&found.into_iter().cloned().collect::<Vec<_>>(), &rules);
        for e in extra.findings {
            if !baseline.findings.iter().any(|b| b.fingerprint == e.fingerprint) {
                by_location += 1;
                baseline.findings.push(e);
            }
        }
        baseline
            .findings
            .sort_by(|x, y| (&x.rule_id, &x.fingerprint).cmp(&(&y.rule_id, &y.fingerprint)));
    }
    let tmp = a.output.with_extension("json.tmp");
    std::fs::write(&tmp, baseline.to_json()).with_context(|| format!("Failed to write {}", tmp.display()))?;
    std::fs::rename(&tmp, &a.output).with_context(|| format!("Failed to write {}", a.output.display()))?;
    let mut err = io::stderr().lock();
    writeln!(
        err,
        "leakless: wrote {} with {} findings ({direct} hashed from the report's secrets, {by_location} found again by location); the gitleaks report can be deleted",
        a.output.display(),
        baseline.findings.len()
    )?;
    if missing > 0 {
        writeln!(
            err,
            "leakless: warning: {missing} redacted report entr{} matched no finding at that path and line (scan with --history for reports of git scans)",
            if missing == 1 { "y" } else { "ies" }
        )?;
    }
    if !converted.unknown_rules.is_empty() {
        writeln!(
            err,
            "leakless: warning: no rule covers gitleaks rule id(s) {} (their entries were left out)",
            super::gitleaks::printable(&converted.unknown_rules.join(", "))
        )?;
    }
    Ok(ExitCode::from(EXIT_CLEAN))
}

/// Whether a git source was asked for.
fn is_git(a: &SourceArgs) -> bool {
    a.history || a.range.is_some() || a.since_commit.is_some() || a.staged || a.log_opts.is_some()
}

/// Runs a git source (`--history`, `--range`, `--since-commit`, `--staged`), if one was asked for.
fn scan_git(a: &SourceArgs, scanner: &Scanner<'_>) -> Result<Option<GitOutcome>> {
    let range_opts = git::range::RangeOptions {
        max_file_size: a.max_file_size,
        threads: a.threads,
    };
    let out = if a.history {
        let cache = a.blob_cache.as_deref().map(|path| {
            let options = format!(
                "size {} decode {} archives {} inline {}",
                a.max_file_size, a.max_decode_depth, !a.no_archives, !a.no_inline_allow
            );
            let digest = crate::blobcache::rules_digest(scanner.rules(), &options);
            let loaded = crate::blobcache::load(path, &digest);
            (
                path,
                digest,
                std::sync::Arc::new(loaded.clean),
                std::sync::Arc::new(loaded.walk),
            )
        });
        let opts = git::history::HistoryOptions {
            max_file_size: a.max_file_size,
            threads: a.threads,
            progress: !a.quiet && io::stderr().is_terminal(),
            skip_blobs: cache.as_ref().map(|c| c.2.clone()),
            intros: cache.as_ref().map(|c| c.3.clone()),
            ..Default::default()
        };
        let out = git::history::scan(&a.path, &opts, scanner)?;
        if let Some((path, digest, ..)) = &cache {
            crate::blobcache::save(path, digest, out.clean_blobs.iter().copied(), out.intros.as_ref())?;
        }
        out
    } else if let Some(spec) = super::config::range_spec(a) {
        let exclude: Vec<&str> = a.exclude.iter().map(String::as_str).collect();
        git::range::scan(&a.path, spec, &exclude, &range_opts, scanner)?
    } else if a.staged {
        git::staged::scan(&a.path, &range_opts, scanner)?
    } else if let Some(opts) = &a.log_opts {
        let commits = super::gitleaks::log_commits(&a.path, opts)?;
        git::range::scan_commits(&a.path, &commits, &range_opts, scanner)?
    } else {
        return Ok(None);
    };
    Ok(Some(out))
}

/// A rule's category: the name of the pack it comes from (`rules/cloud.toml` → `cloud`).
fn category(r: &rules::Rule) -> &str {
    let name = r.source.rsplit(['/', '\\']).next().unwrap_or(&r.source);
    name.strip_suffix(".toml").unwrap_or(name)
}

fn rules_list(
    args: &RuleArgs,
    format: Format,
    provider: &[String],
    cat: &[String],
    validators: bool,
) -> Result<ExitCode> {
    let rules = load_rules(args, Some(Path::new(".")), false, false)?;
    let wanted = |r: &&rules::Rule| {
        (provider.is_empty() || provider.iter().any(|p| r.provider.as_deref() == Some(p.as_str())))
            && (cat.is_empty() || cat.iter().any(|c| c == category(r)))
            && (!validators || r.validate.is_some())
    };
    if validators {
        let listed: Vec<&rules::Rule> = rules.rules().iter().filter(wanted).collect();
        return super::validate::list(&listed, format);
    }
    let listed: Vec<&rules::Rule> = rules.rules().iter().filter(wanted).collect();
    let mut out = Output::open(None, false)?;
    match format {
        Format::Text => {
            for r in &listed {
                let aliases = if r.aliases.is_empty() {
                    String::new()
                } else {
                    format!("  [gitleaks: {}]", r.aliases.join(", "))
                };
                writeln!(
                    out,
                    "{:<48} {:<8} {:<16} {}{aliases}",
                    r.id,
                    r.severity.as_str(),
                    r.provider.as_deref().unwrap_or("-"),
                    super::gitleaks::printable(&r.description)
                )?;
            }
            writeln!(out, "{} rules", listed.len())?;
        }
        _ => {
            let list: Vec<serde_json::Value> = listed
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "id": r.id,
                        "description": r.description,
                        "severity": r.severity.as_str(),
                        "confidence": r.confidence().as_str(),
                        "provider": r.provider,
                        "category": category(r),
                        "aliases": r.aliases,
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
    }
    out.finish()?;
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
    let mut out = Output::open(None, false)?;
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
    out.finish()?;
    Ok(ExitCode::from(if failed == 0 {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    }))
}

fn hook_kind(pre_push: bool) -> HookKind {
    if pre_push {
        HookKind::PrePush
    } else {
        HookKind::PreCommit
    }
}

fn install_hook(pre_push: bool, force: bool) -> Result<ExitCode> {
    let kind = hook_kind(pre_push);
    let dir = hooks::hooks_dir(Path::new("."))?;
    let binary = std::env::current_exe().context("Failed to locate the leakless binary")?;
    let mut err = io::stderr().lock();
    match hooks::install(&dir, kind, &binary, force)? {
        Installed::New(p) => writeln!(err, "leakless: installed {}", p.display())?,
        Installed::Chained(p, c) => writeln!(
            err,
            "leakless: installed {}; the existing hook was kept as {} and runs first",
            p.display(),
            c.display()
        )?,
        Installed::AlreadyInstalled(p) => writeln!(
            err,
            "leakless: {} is already leakless' hook{}",
            p.display(),
            if force { " (rewritten)" } else { "" }
        )?,
    }
    Ok(ExitCode::from(EXIT_CLEAN))
}

fn uninstall_hook(pre_push: bool) -> Result<ExitCode> {
    let kind = hook_kind(pre_push);
    let dir = hooks::hooks_dir(Path::new("."))?;
    let restored = hooks::uninstall(&dir, kind)?;
    let mut err = io::stderr().lock();
    match restored {
        Some(p) => writeln!(
            err,
            "leakless: removed its {} hook and restored {}",
            kind.file_name(),
            p.display()
        )?,
        None => writeln!(err, "leakless: removed its {} hook", kind.file_name())?,
    }
    Ok(ExitCode::from(EXIT_CLEAN))
}

/// The all-zero object id git uses for "no commit" (SHA-1 or SHA-256 repositories).
fn is_zero_oid(oid: &str) -> bool {
    !oid.is_empty() && oid.bytes().all(|b| b == b'0')
}

/// Whether `oid` names a commit in the repository of the current directory.
fn commit_exists(oid: &str) -> bool {
    std::process::Command::new("git")
        .args(["cat-file", "-e", &format!("{oid}^{{commit}}")])
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The scans a pre-push hook runs: one `--range` per pushed ref.
fn pre_push_scans(remote: Option<&str>) -> Result<Vec<Vec<String>>> {
    if let Some(scan) = framework_push_scan()? {
        return Ok(vec![scan]);
    }
    let mut stdin = String::new();
    io::Read::read_to_string(&mut io::stdin().lock(), &mut stdin)
        .context("Failed to read the pushed refs")?;
    if stdin.trim().is_empty() {
        writeln!(
            io::stderr().lock(),
            "leakless: note: no pushed refs on standard input (git passes them to a pre-push hook): nothing to scan"
        )?;
    }
    let mut scans = Vec::new();
    for line in stdin.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [_, local, _, remote_oid] = fields[..] else {
            continue;
        };
        if is_zero_oid(local) {
            continue; // a deletion pushes no content
        }
        scans.push(pushed_ref_scan(local, Some(remote_oid), remote)?);
    }
    Ok(scans)
}

/// Under the pre-commit framework, which reads git's list of pushed refs itself and passes on
/// the first one in `PRE_COMMIT_*` variables: the scan of that ref. `None` when not run by it.
fn framework_push_scan() -> Result<Option<Vec<String>>> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let remote = var("PRE_COMMIT_REMOTE_NAME");
    match (var("PRE_COMMIT_FROM_REF"), var("PRE_COMMIT_TO_REF")) {
        (Some(from), Some(to)) => pushed_ref_scan(&to, Some(&from), remote.as_deref()).map(Some),
        // pre-commit passes no refs when the pushed branch starts at a root commit (it would
        // check "all files"): every local commit of the branch that the remote lacks is new.
        _ => match var("PRE_COMMIT_LOCAL_BRANCH") {
            Some(branch) => {
                let oid = rev_parse_commit(&branch).with_context(|| {
                    format!(
                        "pre-commit names the pushed branch {} but it is not a local commit",
                        escape(&branch)
                    )
                })?;
                pushed_ref_scan(&oid, None, remote.as_deref()).map(Some)
            }
            None => Ok(None),
        },
    }
}

/// The commit `rev` names in the repository of the current directory.
fn rev_parse_commit(rev: &str) -> Result<String> {
    let out = std::process::Command::new("git")
        .args([
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            &format!("{rev}^{{commit}}"),
        ])
        .output()
        .context("Failed to run git rev-parse")?;
    let oid = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if !out.status.success() || oid.is_empty() {
        anyhow::bail!("no such commit: {}", escape(rev));
    }
    Ok(oid)
}

/// The `--range` scan of one pushed ref: the commits from the remote's commit to `local` when
/// the remote's commit is here; otherwise the local commits that no remote-tracking branch of
/// the remote has (all of `local`'s history when the remote is a URL with no tracking branches).
fn pushed_ref_scan(local: &str, remote_oid: Option<&str>, remote: Option<&str>) -> Result<Vec<String>> {
    let mut err = io::stderr().lock();
    if let Some(r) = remote_oid.filter(|r| !is_zero_oid(r)) {
        if commit_exists(r) {
            return Ok(vec!["--range".into(), format!("{r}..{local}")]);
        }
        // The remote has a commit we never fetched.
        writeln!(
            err,
            "leakless: note: the remote's commit {} is not in this repository (git fetch narrows the scan); scanning the local commits that no remote-tracking branch has",
            escape(r)
        )?;
    }
    let mut scan = vec!["--range".to_string(), local.to_string()];
    let tracked = remote
        .and_then(remote_name)
        .map(|name| tracking_oids(&name))
        .transpose()?;
    match tracked {
        Some(oids) => {
            for oid in oids {
                scan.push("--exclude".into());
                scan.push(oid);
            }
        }
        None => writeln!(
            err,
            "leakless: note: {} is not a configured remote, so nothing tells what it already has: scanning every commit reachable from {}",
            escape(remote.unwrap_or("the remote")),
            escape(local)
        )?,
    }
    Ok(scan)
}

/// The configured remote `remote` names: itself, or the remote whose URL it is (git passes the
/// URL as the remote's name when pushing to a URL).
fn remote_name(remote: &str) -> Option<String> {
    let out = std::process::Command::new("git")
        .args(["config", "--get-regexp", r"^remote\..*\.url$"])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let remotes: Vec<(&str, &str)> = text
        .lines()
        .filter_map(|l| {
            let (key, url) = l.split_once(' ')?;
            Some((key.strip_prefix("remote.")?.strip_suffix(".url")?, url))
        })
        .collect();
    remotes
        .iter()
        .find(|(name, _)| *name == remote)
        .or_else(|| remotes.iter().find(|(_, url)| *url == remote))
        .map(|(name, _)| (*name).to_string())
}

/// The commits the remote-tracking branches of `remote` point at.
fn tracking_oids(remote: &str) -> Result<Vec<String>> {
    let out = std::process::Command::new("git")
        .args(["for-each-ref", "--format=%(objectname)"])
        .arg(format!("refs/remotes/{remote}/"))
        .output()
        .context("Failed to run git for-each-ref")?;
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(ToString::to_string)
        .collect())
}

/// Runs the scans of a hook; quiet when clean, the report and the ways out when it blocks.
fn hook(kind: HookKind, scans: Vec<Vec<String>>, hook_id: Option<&str>) -> Result<ExitCode> {
    let mut worst = EXIT_CLEAN;
    let buf = SharedBuf::default();
    for extra in scans {
        // The hooks are local: the user is the author, so the working tree's config counts.
        let mut argv: Vec<String> = [
            "leakless",
            "scan",
            ".",
            "--format",
            "text",
            "--config-source",
            "worktree",
        ]
        .iter()
        .map(ToString::to_string)
        .collect();
        argv.extend(extra);
        let Args {
            command: Command::Scan(a),
        } = Args::try_parse_from(argv)?
        else {
            unreachable!("the arguments above are a scan");
        };
        let code = scan_into(&a, || Ok(Output::Buf(buf.clone())))?;
        worst = worst.max(code);
    }
    if worst == EXIT_CLEAN {
        return Ok(ExitCode::from(EXIT_CLEAN));
    }
    let report = buf.take();
    let mut out = io::stdout().lock();
    out.write_all(&report)?;
    if worst == EXIT_FINDINGS {
        let (what, verb) = match kind {
            HookKind::PreCommit => ("the staged change adds secrets (shown redacted above)", "commit"),
            HookKind::PrePush => ("the pushed commits add secrets (shown redacted above)", "push"),
        };
        // Under the pre-commit framework, SKIP names the hook id that is running (leakless,
        // leakless-system, ...); --no-verify would skip every hook.
        let skip = match hook_id {
            Some(id) => format!("SKIP={id} git {verb} (git {verb} --no-verify skips every hook)"),
            None => format!("git {verb} --no-verify"),
        };
        writeln!(out, "\nleakless: {verb} blocked: {what}.")?;
        writeln!(out, "Ways out:")?;
        if kind == HookKind::PrePush {
            writeln!(
                out,
                "  1. Remove the value from the commits (git rebase -i / git commit --amend) and rotate it if it left your machine."
            )?;
        } else {
            writeln!(
                out,
                "  1. Remove the value from the file and read it from the environment instead (then git add the file again)."
            )?;
        }
        writeln!(
            out,
            "  2. Move it into a secrets store (Vault/OpenBao, Infisical, AWS Secrets Manager, or an untracked .env.local) and reference it."
        )?;
        writeln!(
            out,
            "  3. Not a secret? Add `leakless:allow` to the line, or the fingerprint to .leaklessignore."
        )?;
        writeln!(out, "To skip this check once (not recommended): {skip}")?;
    }
    Ok(ExitCode::from(worst))
}

/// `leakless migrate`: scan the working tree (or take a report), plan, and with `--apply`
/// execute. Exit 0 when everything planned is done (or the dry run printed its plan), 1 when
/// secrets remain in tracked files (conflicts, manual steps), 2 on errors.
fn migrate(a: &MigrateArgs) -> Result<ExitCode> {
    use crate::migrate::{apply, git as mgit, plan, store};
    let root = mgit::toplevel(&a.path)?;
    let git_dir = mgit::git_dir(&root)?;
    let rules = load_rules(&a.rules, Some(&root), false, false)?;
    let scanner = Scanner::new(
        &rules,
        MatchOptions {
            inline_allow: true,
            ignore_rule_paths: false,
            // A secret inside an archive cannot be moved to a store by rewriting the file.
            archives: None,
            ..MatchOptions::default()
        },
    );
    // Tracked files, whatever .gitignore says (a tracked .env.dev may already be ignored).
    let tracked = mgit::tracked(&root)?;
    let files: Vec<String> = tracked.iter().cloned().collect();
    let outcome = worktree::scan_files(&root, &files, &worktree::WalkOptions::default(), &scanner);
    {
        let mut err = io::stderr().lock();
        for e in &outcome.errors {
            writeln!(err, "leakless: {}: {}", escape(&e.path), escape(&e.message))?;
        }
    }
    let mut found = findings::group(outcome.matches, &rules);
    let ignore_path = root.join(IGNORE_FILE);
    let ignore = std::fs::symlink_metadata(&ignore_path)
        .is_ok()
        .then(|| {
            let text = crate::safefs::read_config(&ignore_path, crate::safefs::Origin::Inside(&root))?;
            Ok::<_, anyhow::Error>(IgnoreFile::parse(&text, &ignore_path.display().to_string())?)
        })
        .transpose()?;
    Suppressor::new(ignore, None).apply(&mut found);
    let mut not_found = Vec::new();
    if let Some(report) = &a.from_report {
        let wanted = report_fingerprints(report)?;
        found.retain(|f| wanted.contains_key(&f.fingerprint));
        for (fp, (rule, path)) in &wanted {
            if !found.iter().any(|f| &f.fingerprint == fp) {
                not_found.push(plan::Skip {
                    rule: rule.clone(),
                    fingerprint: fp.clone(),
                    path: path.clone(),
                    reason: "not in the tracked files of the working tree (history only, or already moved)"
                        .into(),
                });
            }
        }
    }
    let cwd = std::env::current_dir()?;
    let scope: Vec<String> = a
        .scope
        .iter()
        .map(|s| relative_to(&root, &cwd.join(s)))
        .collect::<Result<_>>()?;
    let project = a.project.clone().unwrap_or_else(|| {
        root.file_name()
            .map_or_else(|| "app".to_string(), |n| n.to_string_lossy().into_owned())
    });
    let popts = plan::PlanOptions {
        store: a.to,
        project,
        env: a.env.clone(),
        path_template: a.path_template.clone(),
        ref_template: a.ref_template.clone(),
        example_file: a.example_file.clone(),
        k8s_operator: a.k8s.operator,
        k8s_all: a.from_report.is_none(),
    };
    let mut the_plan = plan::build(&root, &found, &rules, &tracked, &scope, &popts);
    let k8s_ctx = crate::migrate::k8s::Context {
        store: Some(a.to),
        args: a.k8s.clone(),
        vault_mount: a.store.vault.vault_mount.clone(),
        vault_namespace: a.store.vault.vault_namespace.clone(),
        aws_per_file: a.store.aws.mode == store::aws::AwsMode::PerFile,
        infisical_url: a.store.infisical.url.clone(),
        infisical_project: a.store.infisical.project.clone(),
        infisical_env: a.store.infisical.env.clone(),
    };
    let k8s_used: std::collections::BTreeSet<_> = the_plan
        .files
        .iter()
        .flat_map(|f| f.resources.iter().map(|r| r.operator))
        .collect();
    the_plan.skipped.extend(not_found);
    let report = if !a.apply {
        let mut r = apply::dry_run(&the_plan, a.to);
        if a.check_store && !the_plan.is_empty() {
            let mut s = store::open(a.to, &a.store, &root)?;
            apply::check_store(&the_plan, s.as_mut(), &mut r);
        }
        r
    } else {
        let mut s: Box<dyn store::SecretStore> = if the_plan.is_empty() {
            // Nothing to write: no need to reach (or log in to) the store.
            Box::new(store::dotenv::DotenvStore::new(&root))
        } else {
            store::open(a.to, &a.store, &root)?
        };
        let opts = apply::ApplyOptions {
            overwrite: a.overwrite,
            store: a.to,
            example_file: a.example_file.clone(),
            remove_local: a.remove_local,
            k8s: k8s_ctx.clone(),
        };
        apply::apply(&root, &git_dir, &the_plan, s.as_mut(), &opts)
    };
    let mut report = report;
    let stacks = crate::migrate::guide::detect(&root, &tracked);
    report.how_to_run = crate::migrate::guide::advice(a.to, &stacks, &report.secrets);
    report
        .how_to_run
        .extend(crate::migrate::k8s::setup_hints(&k8s_ctx, &k8s_used));
    let mut out = io::stdout().lock();
    match a.format {
        MigrateFormat::Text => report.write_text(&mut out)?,
        MigrateFormat::Json => report.write_json(&mut out)?,
    }
    out.flush()?;
    if let Some(path) = &a.report {
        let mut buf = Vec::new();
        report.write_json(&mut buf)?;
        crate::safefs::write_atomic(path, &buf, crate::safefs::Perm::Umask)
            .with_context(|| format!("Failed to write {}", path.display()))?;
    }
    let left = report.secrets.iter().any(|s| !s.status.verified()) || !report.manual_steps.is_empty();
    Ok(ExitCode::from(if !report.errors.is_empty() {
        EXIT_ERROR
    } else if a.apply && left {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }))
}

/// The findings of a JSON scan report: fingerprint → (rule id, first path).
fn report_fingerprints(path: &Path) -> Result<std::collections::BTreeMap<String, (String, String)>> {
    let text = crate::safefs::read_config(path, crate::safefs::Origin::CommandLine)?;
    let doc: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{}: not a JSON report", path.display()))?;
    let list = doc.get("findings").and_then(|f| f.as_array()).with_context(|| {
        format!(
            "{}: not a leakless JSON report (no \"findings\" array)",
            path.display()
        )
    })?;
    let text_of = |v: Option<&serde_json::Value>| v.and_then(|v| v.as_str()).unwrap_or_default().to_string();
    Ok(list
        .iter()
        .filter_map(|f| {
            let fp = f.get("fingerprint")?.as_str()?.to_string();
            let path = text_of(
                f.get("locations")
                    .and_then(|l| l.get(0))
                    .and_then(|l| l.get("path")),
            );
            Some((fp, (text_of(f.get("rule_id")), path)))
        })
        .collect())
}

/// `path` relative to `root`, `/`-separated.
fn relative_to(root: &Path, path: &Path) -> Result<String> {
    let canon = |p: &Path| {
        std::fs::canonicalize(p).map_err(|_| anyhow::anyhow!("{}: no such file or directory", p.display()))
    };
    let (root, path) = (canon(root)?, canon(path)?);
    let rel = path
        .strip_prefix(&root)
        .map_err(|_| anyhow::anyhow!("{}: outside the repository {}", path.display(), root.display()))?;
    Ok(rel.to_string_lossy().replace('\\', "/"))
}
