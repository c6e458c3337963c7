//! Which config, ignore file and baseline a command uses, and where they are read from.
//!
//! The trust boundary lives here (SECURITY.md): local modes read them from the working tree,
//! where the user is the author; `--range`/`--since-commit` read them as they are at the
//! range's base revision, because the scanned change may be hostile and must not be able to
//! switch its own scan off. `--config-source` chooses explicitly.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};

use super::{ConfigSource, RuleArgs, SourceArgs};
use crate::findings::gitleaks::{self as gl, BaselineFile, LocationSet, GITLEAKS_IGNORE_FILE};
use crate::findings::suppress::{Baseline, IgnoreFile, IGNORE_FILE};
use crate::report::{escape, Notice};
use crate::rules::{self, LoadOptions, RuleSet};
use crate::safefs::{ConfigReader, WorktreeFiles};
use crate::source::git::range::{parse_range, RangeSpec};
use crate::source::git::revfiles::RevisionFiles;

/// Config files looked for in the scanned directory, in order.
pub(super) const CONFIG_NAMES: &[&str] = &[".leakless.toml", ".gitleaks.toml"];

/// The scan root (for config and ignore-file discovery), if scanning a directory.
pub(super) fn scan_root(src: &SourceArgs) -> Option<&Path> {
    (!src.stdin && src.path.is_dir()).then_some(src.path.as_path())
}

/// Everything a scan is configured by.
pub(super) struct ScanConfig {
    pub(super) rules: RuleSet,
    pub(super) ignore: Option<IgnoreFile>,
    pub(super) baseline: Option<(String, BaselineFile)>,
    /// `.gitleaksignore` (or `--gitleaks-ignore-path`), read where the config is.
    pub(super) gitleaks_ignore: Option<(String, LocationSet)>,
    pub(super) notices: Vec<Notice>,
}

/// The revision range a scan covers, if it is a range scan.
pub(super) fn range_spec(src: &SourceArgs) -> Option<RangeSpec<'_>> {
    if let Some(r) = &src.range {
        Some(parse_range(r))
    } else {
        src.since_commit.as_deref().map(|c| RangeSpec::Between(c, "HEAD"))
    }
}

/// Rules from the working tree (for `rules list`, `migrate`): a discovered config must be a
/// regular file inside the repository.
pub(super) fn load_rules(
    args: &RuleArgs,
    scan_root: Option<&Path>,
    strict: bool,
    quiet: bool,
) -> Result<RuleSet> {
    let reader: Arc<dyn ConfigReader> =
        Arc::new(scan_root.map_or_else(WorktreeFiles::default, WorktreeFiles::for_dir));
    load_rules_with(args, scan_root, reader, strict, quiet)
}

fn load_rules_with(
    args: &RuleArgs,
    scan_root: Option<&Path>,
    reader: Arc<dyn ConfigReader>,
    strict: bool,
    quiet: bool,
) -> Result<RuleSet> {
    let discovered = args.config.is_none();
    let config = args.config.clone().or_else(|| {
        let dir = scan_root?;
        CONFIG_NAMES
            .iter()
            .map(|n| dir.join(n))
            .find(|p| reader.exists(p))
    });
    let opts = LoadOptions {
        config,
        extra: args.rules.clone(),
        no_builtin: args.no_builtin_rules,
        enable: args.enable_rule.clone(),
        config_discovered: discovered,
        reader: Some(reader),
    };
    let (rules, unknown) = rules::load_reporting(&opts)?;
    if !quiet && !rules.warnings.is_empty() {
        let mut err = io::stderr().lock();
        for w in &rules.warnings {
            writeln!(err, "leakless: warning: {}", escape(w))?;
        }
    }
    if !unknown.is_empty() {
        if strict {
            let first = &unknown[0];
            anyhow::bail!(
                "{}: unknown key '{}' (and {} more); --strict makes unknown config keys an error",
                escape(&first.file),
                escape(&first.key),
                unknown.len() - 1
            );
        }
        if !quiet {
            let mut err = io::stderr().lock();
            for u in &unknown {
                writeln!(
                    err,
                    "leakless: warning: {}: unknown key '{}' is ignored",
                    escape(&u.file),
                    escape(&u.key)
                )?;
            }
        }
    }
    Ok(rules)
}

/// Loads the rules, ignore file and baseline of a scan from where its mode trusts them.
pub(super) fn load_scan(
    src: &SourceArgs,
    baseline: Option<&Path>,
    gitleaks_ignore: Option<&Path>,
    strict: bool,
) -> Result<ScanConfig> {
    let spec = range_spec(src);
    let source = src.config_source.unwrap_or(if spec.is_some() {
        ConfigSource::Base
    } else {
        ConfigSource::Worktree
    });
    let root = scan_root(src);
    let worktree = || -> Arc<dyn ConfigReader> {
        Arc::new(root.map_or_else(WorktreeFiles::default, WorktreeFiles::for_dir))
    };
    let mut notices = Vec::new();
    let (reader, rev): (Arc<dyn ConfigReader>, Option<Arc<RevisionFiles>>) = match (source, spec) {
        (ConfigSource::Worktree, _) => (worktree(), None),
        (ConfigSource::Base, None) => {
            anyhow::bail!("--config-source base needs a range (--range or --since-commit)")
        }
        (ConfigSource::Base, Some(spec)) => {
            let exclude: Vec<&str> = src.exclude.iter().map(String::as_str).collect();
            let Some(r) = RevisionFiles::open(&src.path, spec, &exclude)? else {
                let range = escape(src.range.as_deref().unwrap_or_default());
                anyhow::bail!(
                    "the range {range} has no base revision outside the scanned change (its history starts at a root commit inside the range, or its sides share no history), so there is nowhere trusted to read the config, ignore file and baseline from; name the base (A..{range}, or --exclude the revisions already reviewed), or pass --config-source worktree to trust the checked-out files"
                );
            };
            if let Some(other) = r.other_bases().first() {
                notices.push(Notice {
                    file: src.range.clone().unwrap_or_default(),
                    message: format!(
                        "the range has {} merge bases; config, ignore file and baseline were read at {} (as git diff A...B does), not at {}",
                        r.other_bases().len() + 1,
                        r.base().to_hex_with_len(12),
                        other.to_hex_with_len(12)
                    ),
                });
            }
            let r = Arc::new(r);
            (r.clone() as Arc<dyn ConfigReader>, Some(r))
        }
    };
    // In a range scan, a file the command line names that the base does not have yet (the
    // change adds it) is absent: it takes effect once merged, and the notice below says so.
    let at_base = |p: &PathBuf| match &rev {
        Some(r) => r.repo_path(p).is_none() || reader.exists(p),
        None => true,
    };
    let mut rule_args = src.rules.clone();
    if rule_args.config.as_ref().is_some_and(|p| !at_base(p)) {
        rule_args.config = None;
    }
    let rules = load_rules_with(&rule_args, root, reader.clone(), strict, src.quiet)?;
    let ignore_path = src
        .ignore_file
        .clone()
        .filter(at_base)
        .map(|p| (p, true))
        .or_else(|| Some((root?.join(IGNORE_FILE), false)).filter(|(p, _)| reader.exists(p)));
    let ignore = ignore_path
        .as_ref()
        .map(|(p, named)| {
            let text = reader.read(p, *named)?;
            Ok::<_, anyhow::Error>(IgnoreFile::parse(&text, &p.display().to_string())?)
        })
        .transpose()?;
    let baseline_arg = baseline.map(Path::to_path_buf);
    let baseline = baseline
        .filter(|p| at_base(&p.to_path_buf()))
        .map(|p| {
            let name = p.display().to_string();
            let text = reader.read(p, true)?;
            Ok::<_, anyhow::Error>((name.clone(), gl::parse_baseline(&text, &name, &rules)?))
        })
        .transpose()?;
    // `--gitleaks-ignore-path` takes the file or the directory holding it, as in gitleaks.
    let gitleaks_ignore_arg = gitleaks_ignore.map(|p| {
        if p.is_dir() {
            p.join(GITLEAKS_IGNORE_FILE)
        } else {
            p.to_path_buf()
        }
    });
    let gitleaks_ignore = gitleaks_ignore_arg
        .clone()
        .filter(at_base)
        .map(|p| (p, true))
        .or_else(|| Some((root?.join(GITLEAKS_IGNORE_FILE), false)).filter(|(p, _)| reader.exists(p)))
        .map(|(p, named)| {
            let name = p.display().to_string();
            let text = reader.read(&p, named)?;
            let mut set = LocationSet::parse_ignore(&text, &name);
            if !set.invalid.is_empty() && !src.quiet {
                let lines: Vec<String> = set.invalid.iter().map(ToString::to_string).collect();
                writeln!(
                    io::stderr().lock(),
                    "leakless: warning: {}: line(s) {} are not gitleaks fingerprints (ignored)",
                    escape(&name),
                    lines.join(", ")
                )?;
            }
            set.resolve(&rules);
            Ok::<_, anyhow::Error>((name, set))
        })
        .transpose()?;
    if let Some(rev) = rev {
        let mut watched: Vec<PathBuf> = CONFIG_NAMES
            .iter()
            .chain([&IGNORE_FILE, &GITLEAKS_IGNORE_FILE])
            .filter_map(|n| root.map(|r| r.join(n)))
            .collect();
        watched.extend(src.rules.config.clone());
        watched.extend(src.ignore_file.clone());
        watched.extend(gitleaks_ignore_arg);
        watched.extend(baseline_arg);
        let rels: Vec<String> = watched.iter().filter_map(|p| rev.repo_path(p)).collect();
        let base = rev.base().to_hex_with_len(12).to_string();
        for (file, change) in rev.changes(&rels) {
            notices.push(Notice {
                file,
                message: format!(
                    "the scanned change {} this file; this scan used it as it is at the base revision {base} (the change takes effect once merged)",
                    change.as_str()
                ),
            });
        }
    }
    Ok(ScanConfig {
        rules,
        ignore,
        baseline,
        gitleaks_ignore,
        notices,
    })
}

/// Reads a baseline given on the command line from the working tree (`baseline update`).
pub(super) fn read_baseline(path: &Path) -> Result<Baseline> {
    Baseline::read(path).with_context(|| format!("Failed to read the baseline {}", path.display()))
}
