//! Resolving config files (`[extend]`, user packs, built-ins) into one [`RuleSet`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::builtin::PACKS;
use super::compile::{Allowlist, Rule, RuleSet};
use super::syntax::{AllowlistSpec, ConfigFile, RuleSpec};
use super::RuleError;

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
}

/// Rule specs plus where each came from, before compilation.
#[derive(Default)]
struct Collected {
    rules: Vec<(RuleSpec, String)>,
    allowlists: Vec<(AllowlistSpec, String)>,
}

impl Collected {
    fn add_file(&mut self, file: ConfigFile, source: &str) {
        for spec in file.rules {
            // Same id as a rule of the base: the extending config overrides it.
            self.rules.retain(|(r, _)| r.id != spec.id);
            self.rules.push((spec, source.to_string()));
        }
        for a in file.allowlist.into_iter().chain(file.allowlists) {
            self.allowlists.push((a, source.to_string()));
        }
    }
}

fn parse(text: &str, path: &str) -> Result<ConfigFile, RuleError> {
    toml::from_str(text).map_err(|e| RuleError::Parse {
        path: path.to_string(),
        message: e.message().to_string()
            + &e.span()
                .map(|s| {
                    let line = text[..s.start.min(text.len())].matches('\n').count() + 1;
                    format!(" (line {line})")
                })
                .unwrap_or_default(),
    })
}

fn read(path: &Path) -> Result<(ConfigFile, String), RuleError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| RuleError::Read {
        path: name.clone(),
        source,
    })?;
    Ok((parse(&text, &name)?, name))
}

/// Removes the `examples = [...]` and `negative_examples = [...]` arrays from a built-in pack:
/// a scan does not need them and they are half of the text to parse at every start-up (the
/// pre-commit path). Strings inside the arrays (basic, literal, multi-line) are skipped whole,
/// so brackets in them do not count. Tested against a full parse of every pack.
pub(crate) fn strip_examples(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len() / 2);
    let mut i = 0;
    while i < b.len() {
        let line_end = text[i..].find('\n').map_or(b.len(), |n| i + n + 1);
        let line = text[i..line_end].trim_start();
        let is_examples = ["examples", "negative_examples"].iter().any(|k| {
            line.strip_prefix(k)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        });
        if !is_examples {
            out.push_str(&text[i..line_end]);
            i = line_end;
            continue;
        }
        // Skip to the opening bracket, then to its matching close, skipping strings.
        let mut j = i + text[i..line_end].find('[').unwrap_or(line_end - i);
        let mut depth = 0usize;
        while j < b.len() {
            let rest = &text[j..];
            if rest.starts_with("\"\"\"") || rest.starts_with("'''") {
                let q = &rest[..3];
                j += 3 + rest[3..].find(q).map_or(rest.len() - 3, |n| n + 3);
                continue;
            }
            match b[j] {
                b'"' => {
                    j += 1;
                    while j < b.len() && b[j] != b'"' {
                        j += if b[j] == b'\\' { 2 } else { 1 };
                    }
                    j += 1;
                }
                b'\'' => {
                    j += 1 + text[j + 1..].find('\'').map_or(b.len() - j - 1, |n| n + 1);
                }
                b'#' => j += text[j..].find('\n').unwrap_or(b.len() - j),
                b'[' => {
                    depth += 1;
                    j += 1;
                }
                b']' => {
                    depth -= 1;
                    j += 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => j += 1,
            }
        }
        i = text[j.min(b.len())..].find('\n').map_or(b.len(), |n| j + n + 1);
    }
    out
}

/// The built-in packs, unresolved, checking ids are unique across packs. Without `examples`,
/// the rules' examples are left out (see [`strip_examples`]).
fn builtin_specs() -> Result<Collected, RuleError> {
    builtin_specs_with(false)
}

fn builtin_specs_with(examples: bool) -> Result<Collected, RuleError> {
    let mut out = Collected::default();
    let mut seen: HashMap<String, String> = HashMap::new();
    for (name, text) in PACKS {
        let file = if examples {
            parse(text, name)?
        } else {
            parse(&strip_examples(text), name)?
        };
        for r in &file.rules {
            if let Some(first) = seen.insert(r.id.clone(), (*name).to_string()) {
                return Err(RuleError::Duplicate {
                    path: (*name).to_string(),
                    id: r.id.clone(),
                    first,
                });
            }
        }
        out.add_file(file, name);
    }
    Ok(out)
}

/// Resolves one config file with its `[extend]` chain.
fn resolve(path: &Path, depth: usize, no_builtin: bool) -> Result<Collected, RuleError> {
    let (mut file, name) = read(path)?;
    let extend = file.extend.take();
    let mut base = match &extend {
        Some(ext) if ext.path.is_some() => {
            let rel = ext.path.as_deref().unwrap_or_default();
            if depth >= MAX_EXTEND_DEPTH {
                return Err(RuleError::Parse {
                    path: name,
                    message: format!("[extend] chain deeper than {MAX_EXTEND_DEPTH} at '{rel}'"),
                });
            }
            let dir = path.parent().unwrap_or(Path::new("."));
            let mut b = resolve(&dir.join(rel), depth + 1, true)?;
            if ext.use_default {
                let mut d = builtin_specs()?;
                d.rules.append(&mut b.rules);
                d.allowlists.append(&mut b.allowlists);
                b = d;
            }
            b
        }
        Some(ext) if ext.use_default => builtin_specs()?,
        Some(_) => Collected::default(),
        // No [extend]: a file with rules stands alone; a file of allowlists only adds to built-ins.
        None if file.rules.is_empty() && !no_builtin => builtin_specs()?,
        None => Collected::default(),
    };
    if let Some(ext) = &extend {
        base.rules.retain(|(r, _)| !ext.disabled_rules.contains(&r.id));
    }
    base.add_file(file, &name);
    Ok(base)
}

/// Loads and validates every rule of a scan. Errors name the file and rule.
pub fn load(opts: &LoadOptions) -> Result<RuleSet, RuleError> {
    let mut collected = match &opts.config {
        Some(path) => resolve(path, 0, opts.no_builtin)?,
        None if opts.no_builtin => Collected::default(),
        None => builtin_specs()?,
    };
    let mut seen: HashMap<String, String> = collected
        .rules
        .iter()
        .map(|(r, s)| (r.id.clone(), s.clone()))
        .collect();
    for path in &opts.extra {
        let (file, name) = read(path)?;
        for r in &file.rules {
            if let Some(first) = seen.insert(r.id.clone(), name.clone()) {
                return Err(RuleError::Duplicate {
                    path: name,
                    id: r.id.clone(),
                    first,
                });
            }
        }
        collected.add_file(file, &name);
    }
    compile(collected)
}

/// Loads one rule file on its own (no built-ins, `[extend]` honoured) — for `rules check FILE`.
pub(crate) fn load_file_alone(path: &Path) -> Result<RuleSet, RuleError> {
    compile(resolve(path, 0, true)?)
}

/// The built-in rules alone, with their examples (for `rules check` and the quality harness;
/// [`load`] leaves examples out).
pub fn load_builtin() -> Result<RuleSet, RuleError> {
    compile_checked(builtin_specs_with(true)?, true)
}

fn compile(collected: Collected) -> Result<RuleSet, RuleError> {
    compile_checked(collected, false)
}

/// `check_builtin`: validate built-in rules' regexes fully, as user rules always are (a scan
/// skips that for speed; `rules check` and the tests do it).
fn compile_checked(collected: Collected, check_builtin: bool) -> Result<RuleSet, RuleError> {
    let mut rules = Vec::with_capacity(collected.rules.len());
    let mut seen: HashMap<String, String> = HashMap::new();
    for (spec, source) in collected.rules {
        if let Some(first) = seen.insert(spec.id.clone(), source.clone()) {
            return Err(RuleError::Duplicate {
                path: source,
                id: spec.id,
                first,
            });
        }
        let id = spec.id.clone();
        let builtin = PACKS.iter().any(|(name, _)| *name == source);
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
    for (spec, source) in collected.allowlists {
        global.push(Allowlist::compile(&spec).map_err(|message| RuleError::Parse {
            path: source,
            message: format!("global allowlist: {message}"),
        })?);
    }
    Ok(RuleSet::new(rules, global))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scan skips parsing built-in regexes; it must resolve the same secret groups as full
    /// validation (which also checks every regex and allowlist regex parses).
    #[test]
    fn fast_builtin_load_matches_full_validation() {
        let fast = compile(builtin_specs().expect("packs parse")).expect("fast load");
        let full = compile_checked(builtin_specs().expect("packs parse"), true).expect("full validation");
        assert_eq!(fast.rules().len(), full.rules().len());
        for (a, b) in fast.rules().iter().zip(full.rules()) {
            assert_eq!((&a.id, a.secret_group), (&b.id, b.secret_group));
        }
    }

    #[test]
    fn stripping_examples_keeps_everything_else() {
        for (name, text) in PACKS {
            let full = parse(text, name).expect("parses");
            let stripped = parse(&strip_examples(text), name).expect("stripped parses");
            assert_eq!(full.rules.len(), stripped.rules.len(), "{name}");
            for (a, b) in full.rules.iter().zip(&stripped.rules) {
                assert_eq!(
                    (
                        &a.id,
                        &a.regex,
                        &a.keywords,
                        &a.secret_group,
                        &a.path,
                        &a.severity,
                        &a.env_var
                    ),
                    (
                        &b.id,
                        &b.regex,
                        &b.keywords,
                        &b.secret_group,
                        &b.path,
                        &b.severity,
                        &b.env_var
                    ),
                    "{name}"
                );
                assert_eq!(a.allowlists.len(), b.allowlists.len(), "{name} {}", a.id);
                assert!(
                    b.examples.is_empty() && b.negative_examples.is_empty(),
                    "{name} {}",
                    a.id
                );
            }
        }
    }
}
