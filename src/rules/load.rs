//! Resolving config files (`[extend]`, user packs, built-ins) into one [`RuleSet`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::builtin::{is_builtin_source, RULES};
use super::compile::{Allowlist, Rule, RuleSet};
use super::syntax::{AllowlistSpec, ConfigFile, RuleSpec};
use super::RuleError;
use crate::safefs::{self, ConfigReader, WorktreeFiles};

/// gitleaks allows `[extend] path` chains two deep; so do we.
const MAX_EXTEND_DEPTH: usize = 2;

/// Where the rules of a scan come from.
#[derive(Debug, Default, Clone)]
pub struct LoadOptions {
    /// A config file (`.leakless.toml`, `.gitleaks.toml`). A config with `[[rules]]` and no
    /// `[extend]` replaces the built-in rules (gitleaks semantics); one with only allowlists, or with
    /// `[extend] useDefault = true`, adds to them.
    pub config: Option<PathBuf>,
    /// Extra rule packs added on top (ids must not clash).
    pub extra: Vec<PathBuf>,
    /// Leave the built-in rules out (unless a config extends them).
    pub no_builtin: bool,
    /// Keep only these rules (ids or gitleaks/betterleaks aliases), like gitleaks' `--enable-rule`.
    pub enable: Vec<String>,
    /// `config` was found by its default name, not given on the command line: it (and its
    /// `[extend] path`) must be a regular file inside the repository.
    pub config_discovered: bool,
    /// Where config files are read (default: the working tree, any regular file).
    pub reader: Option<Arc<dyn ConfigReader>>,
}

/// Rule-file keys that other parts of leakless read, or that gitleaks configs carry and are
/// known to be harmless: not reported as unknown.
const KNOWN_EXTRA_KEYS: &[&str] = &["aliases", "confidence"];

/// A key in a config file that leakless does not know (a typo, or a feature it lacks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownKey {
    /// The file.
    pub file: String,
    /// The key's path (`rules.3.skipReport`).
    pub key: String,
}

/// Rule specs plus where each came from, before compilation.
#[derive(Default)]
struct Collected {
    rules: Vec<(RuleSpec, String)>,
    allowlists: Vec<(AllowlistSpec, String)>,
    /// Config files read, base first.
    files: Vec<String>,
    /// Problems the user should see that do not stop the scan.
    warnings: Vec<String>,
    /// Rules with only an id (gitleaks' way of tuning a default rule) that matched no rule of
    /// the base: resolved against the built-in rules in [`load`], else a warning.
    orphans: Vec<(RuleSpec, String)>,
}

impl Collected {
    /// Adds a file's rules and allowlists. A rule with the id of a base rule is merged into it
    /// (gitleaks >= 8.25); a rule with only an id also extends the base rules that list that id
    /// as an alias (a gitleaks or betterleaks id).
    fn add_file(&mut self, file: ConfigFile, source: &str) -> Result<(), RuleError> {
        // Two rules with one id in one file: the second would silently replace the first.
        let mut ids: HashMap<&str, usize> = HashMap::new();
        for (i, r) in file.rules.iter().enumerate() {
            if let Some(prev) = ids.insert(r.id.as_str(), i) {
                return Err(RuleError::Duplicate {
                    path: source.to_string(),
                    id: r.id.clone(),
                    first: format!("the same file: [[rules]] #{} and #{}", prev + 1, i + 1),
                });
            }
        }
        for spec in file.rules {
            let mut targets: Vec<usize> = (0..self.rules.len())
                .filter(|&i| self.rules[i].0.id == spec.id)
                .collect();
            if targets.is_empty() && spec.is_extension() {
                targets = (0..self.rules.len())
                    .filter(|&i| self.rules[i].0.answers_to(&spec.id))
                    .collect();
            }
            if targets.is_empty() {
                if spec.is_extension() {
                    self.orphans.push((spec, source.to_string()));
                } else {
                    self.rules.push((spec, source.to_string()));
                }
                continue;
            }
            for i in targets {
                let base = self.rules[i].0.clone();
                self.rules[i] = (base.merged_with(spec.clone()), source.to_string());
            }
        }
        for a in file.allowlist.into_iter().chain(file.allowlists) {
            self.allowlists.push((a, source.to_string()));
        }
        Ok(())
    }

    /// Drops the rules answering to `ids` (ids or aliases); an id that matches nothing is a
    /// warning.
    fn disable(&mut self, ids: &[String], what: &str) {
        for d in ids {
            let before = self.rules.len();
            self.rules.retain(|(r, _)| !r.answers_to(d));
            if self.rules.len() == before {
                self.warnings
                    .push(format!("{what}: no rule '{d}' in the base config (ignored)"));
            }
        }
    }
}

/// Parses a config, collecting keys it does not know. Error messages never quote the file.
fn parse_reporting(text: &str, path: &str, unknown: &mut Vec<UnknownKey>) -> Result<ConfigFile, RuleError> {
    let parsed = toml::Deserializer::parse(text).and_then(|de| {
        serde_ignored::deserialize(de, |key| {
            let key = key.to_string();
            let last = key.rsplit('.').next().unwrap_or(&key);
            if !KNOWN_EXTRA_KEYS.contains(&last) {
                unknown.push(UnknownKey {
                    file: path.to_string(),
                    key,
                });
            }
        })
    });
    parsed.map_err(|e: toml::de::Error| RuleError::Parse {
        path: path.to_string(),
        message: safefs::scrub(e.message())
            + &e.span()
                .map(|s| {
                    let line = text[..s.start.min(text.len())].matches('\n').count() + 1;
                    format!(" (line {line})")
                })
                .unwrap_or_default(),
    })
}

/// Reads and parses a config file through `reader`.
fn read(
    path: &Path,
    named: bool,
    reader: &dyn ConfigReader,
    unknown: &mut Vec<UnknownKey>,
) -> Result<(ConfigFile, String), RuleError> {
    let name = path.display().to_string();
    let text = reader.read(path, named).map_err(|e| match e {
        safefs::ReadError::Io { path, source } => RuleError::Read { path, source },
        other => RuleError::Unsafe(Box::new(other)),
    })?;
    Ok((parse_reporting(&text, &name, unknown)?, name))
}

/// The built-in rules, unresolved, without their examples (a scan does not need them).
fn builtin_specs() -> Collected {
    builtin_specs_with(false)
}

/// How the built-in packs are named among the configs in force.
pub const BUILTIN_NAME: &str = "built-in rules";

/// The built-in rules from the table `build.rs` made of the packs (ids are unique: the build
/// checks it), with or without their examples.
fn builtin_specs_with(examples: bool) -> Collected {
    let mut out = Collected::default();
    out.files.push(BUILTIN_NAME.to_string());
    out.rules = RULES
        .iter()
        .map(|r| (r.to_spec(examples), r.source().to_string()))
        .collect();
    out
}

/// How config files are read during one load.
struct Ctx<'a> {
    reader: &'a dyn ConfigReader,
    unknown: Vec<UnknownKey>,
}

/// Resolves one config file with its `[extend]` chain; `named`: given on the command line (a
/// file it extends is trusted as much as it is).
fn resolve(
    path: &Path,
    depth: usize,
    no_builtin: bool,
    named: bool,
    ctx: &mut Ctx<'_>,
) -> Result<Collected, RuleError> {
    let (mut file, name) = read(path, named, ctx.reader, &mut ctx.unknown)?;
    let extend = file.extend.take();
    let mut base = match &extend {
        Some(ext) if ext.path.is_some() => {
            let rel = ext.path.as_deref().unwrap_or_default();
            if depth >= MAX_EXTEND_DEPTH {
                return Err(RuleError::Parse {
                    path: name,
                    message: format!("[extend] chain deeper than {MAX_EXTEND_DEPTH}"),
                });
            }
            let dir = path.parent().unwrap_or(Path::new("."));
            let mut b = resolve(&dir.join(rel), depth + 1, true, named, ctx)?;
            if ext.use_default {
                let mut d = builtin_specs();
                d.rules.append(&mut b.rules);
                d.allowlists.append(&mut b.allowlists);
                b = d;
            }
            b
        }
        Some(ext) if ext.use_default => builtin_specs(),
        Some(_) => Collected::default(),
        // No [extend]: a file with rules stands alone; a file of allowlists only adds to built-ins.
        None if file.rules.is_empty() && !no_builtin => builtin_specs(),
        None => Collected::default(),
    };
    if let Some(ext) = &extend {
        base.disable(&ext.disabled_rules, &format!("{name}: [extend] disabledRules"));
    }
    base.files.push(name.clone());
    base.add_file(file, &name)?;
    Ok(base)
}

/// Loads and validates every rule of a scan. Errors name the file and rule.
pub fn load(opts: &LoadOptions) -> Result<RuleSet, RuleError> {
    load_reporting(opts).map(|(rules, _)| rules)
}

/// [`load`], also returning the keys of the config files that leakless does not know.
pub fn load_reporting(opts: &LoadOptions) -> Result<(RuleSet, Vec<UnknownKey>), RuleError> {
    let worktree = WorktreeFiles::default();
    let mut ctx = Ctx {
        reader: opts.reader.as_deref().unwrap_or(&worktree),
        unknown: Vec::new(),
    };
    let mut collected = match &opts.config {
        Some(path) => resolve(path, 0, opts.no_builtin, !opts.config_discovered, &mut ctx)?,
        None if opts.no_builtin => Collected::default(),
        None => builtin_specs(),
    };
    let mut seen: HashMap<String, String> = collected
        .rules
        .iter()
        .map(|(r, s)| (r.id.clone(), s.clone()))
        .collect();
    for path in &opts.extra {
        let (file, name) = read(path, true, ctx.reader, &mut ctx.unknown)?;
        for r in file.rules.iter().filter(|r| !r.is_extension()) {
            if let Some(first) = seen.insert(r.id.clone(), name.clone()) {
                return Err(RuleError::Duplicate {
                    path: name,
                    id: r.id.clone(),
                    first,
                });
            }
        }
        collected.files.push(name.clone());
        collected.add_file(file, &name)?;
    }
    // A rule with only an id in a config that stands alone: it extends the built-in rule(s) of
    // that id or alias, which come in with it.
    if !collected.orphans.is_empty() && !opts.no_builtin {
        let builtin = builtin_specs();
        for (spec, source) in std::mem::take(&mut collected.orphans) {
            let matches: Vec<&RuleSpec> = builtin
                .rules
                .iter()
                .map(|(r, _)| r)
                .filter(|r| r.answers_to(&spec.id))
                .filter(|r| !collected.rules.iter().any(|(c, _)| c.id == r.id))
                .collect();
            if matches.is_empty() {
                collected.orphans.push((spec, source));
                continue;
            }
            for base in matches {
                collected
                    .rules
                    .push((base.clone().merged_with(spec.clone()), source.clone()));
            }
        }
    }
    if !opts.enable.is_empty() {
        let mut unknown = Vec::new();
        for e in &opts.enable {
            if !collected.rules.iter().any(|(r, _)| r.answers_to(e)) {
                unknown.push(e.clone());
            }
        }
        collected
            .rules
            .retain(|(r, _)| opts.enable.iter().any(|e| r.answers_to(e)));
        for e in unknown {
            collected
                .warnings
                .push(format!("--enable-rule: no rule '{e}' (ignored)"));
        }
    }
    Ok((compile(collected)?, ctx.unknown))
}

/// Loads one rule file on its own (no built-ins, `[extend]` honoured) — for `rules check FILE`.
pub(crate) fn load_file_alone(path: &Path) -> Result<RuleSet, RuleError> {
    let mut ctx = Ctx {
        reader: &WorktreeFiles::default(),
        unknown: Vec::new(),
    };
    compile(resolve(path, 0, true, true, &mut ctx)?)
}

/// The built-in rules alone, with their examples (for `rules check` and the quality harness;
/// [`load`] leaves examples out).
pub fn load_builtin() -> Result<RuleSet, RuleError> {
    compile_checked(builtin_specs_with(true), true)
}

fn compile(collected: Collected) -> Result<RuleSet, RuleError> {
    compile_checked(collected, false)
}

/// `check_builtin`: validate built-in rules' regexes fully, as user rules always are (a scan
/// skips that for speed; `rules check` and the tests do it).
fn compile_checked(mut collected: Collected, check_builtin: bool) -> Result<RuleSet, RuleError> {
    for (spec, source) in &collected.orphans {
        collected.warnings.push(format!(
            "{source}: rule '{}' has no regex, path or detector and extends no rule of that id or alias (ignored)",
            spec.id
        ));
    }
    let mut rules = Vec::with_capacity(collected.rules.len());
    // Borrowed: copying 1,131 ids and sources into the map was measurable at start-up.
    let mut seen: HashMap<&str, &str> = HashMap::with_capacity(collected.rules.len());
    for (spec, source) in &collected.rules {
        if let Some(first) = seen.insert(&spec.id, source) {
            return Err(RuleError::Duplicate {
                path: source.clone(),
                id: spec.id.clone(),
                first: first.to_string(),
            });
        }
    }
    drop(seen);
    for (spec, source) in collected.rules {
        let id = spec.id.clone();
        let builtin = is_builtin_source(&source);
        let rule = Rule::from_spec_with(spec, &source, check_builtin || !builtin).map_err(|message| {
            RuleError::Rule {
                path: source.clone(),
                id,
                message,
            }
        })?;
        rules.push(rule);
    }
    let mut global = Vec::new();
    for (mut spec, source) in collected.allowlists {
        // `targetRules` may name gitleaks/betterleaks ids: they select the rules that cover them.
        let mut targets = Vec::new();
        for t in &spec.target_rules {
            let mut hit: Vec<String> = rules
                .iter()
                .filter(|r| r.id == *t)
                .map(|r| r.id.clone())
                .collect();
            if hit.is_empty() {
                hit = rules
                    .iter()
                    .filter(|r| r.aliases.contains(t))
                    .map(|r| r.id.clone())
                    .collect();
            }
            if hit.is_empty() {
                collected.warnings.push(format!(
                    "{source}: allowlist targetRules: no rule '{t}' (ignored)"
                ));
            }
            targets.extend(hit);
        }
        if !spec.target_rules.is_empty() && targets.is_empty() {
            // Every target is unknown: the allowlist applies to nothing rather than to all rules.
            continue;
        }
        spec.target_rules = targets;
        global.push(Allowlist::compile(&spec).map_err(|message| RuleError::Parse {
            path: source,
            message: format!("global allowlist: {message}"),
        })?);
    }
    let mut set = RuleSet::new(rules, global);
    set.configs = collected.files;
    set.warnings = collected.warnings;
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scan skips parsing built-in regexes; it must resolve the same secret groups as full
    /// validation (which also checks every regex and allowlist regex parses).
    #[test]
    fn fast_builtin_load_matches_full_validation() {
        let fast = compile(builtin_specs()).expect("fast load");
        let full = compile_checked(builtin_specs(), true).expect("full validation");
        assert_eq!(fast.rules().len(), full.rules().len());
        for (a, b) in fast.rules().iter().zip(full.rules()) {
            assert_eq!((&a.id, a.secret_group), (&b.id, b.secret_group));
        }
    }
}
