//! Validated rules and the compiled [`RuleSet`]: the keyword automaton plus lazily compiled regexes.

use std::sync::OnceLock;

use regex::bytes::{Regex, RegexBuilder};
use serde::Serialize;

use super::syntax::{AllowlistSpec, RuleSpec};
use crate::matching::prefilter::KeywordDfa;

/// Bytes searched on each side of a keyword hit when a rule does not say (widened to whole lines).
pub const DEFAULT_WINDOW: usize = 512;

/// Window of rules from user configs that set none: the whole blob, as gitleaks runs a rule's
/// regex over the whole fragment once a keyword occurs (a private key is longer than 512 bytes).
pub const WHOLE_BLOB_WINDOW: usize = 1 << 40;

/// Compiled-size limit for one rule regex.
pub(crate) const REGEX_SIZE_LIMIT: usize = 32 * 1024 * 1024;

/// How bad a leak of this kind is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational.
    Info,
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High (the default).
    High,
    /// Critical.
    Critical,
}

impl Severity {
    /// Parses `critical|high|medium|low|info` (case-insensitive).
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "critical" => Some(Self::Critical),
            "high" => Some(Self::High),
            "medium" => Some(Self::Medium),
            "low" => Some(Self::Low),
            "info" | "note" => Some(Self::Info),
            _ => None,
        }
    }

    /// Lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Critical => "critical",
            Self::High => "high",
            Self::Medium => "medium",
            Self::Low => "low",
            Self::Info => "info",
        }
    }
}

/// How sure a finding is a real credential (see README, "Confidence").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// Generic: a value found by the key it is assigned to.
    Low,
    /// Provider context: an ambiguous value next to the provider's name.
    Medium,
    /// A provider-verified format or checksum.
    High,
}

impl Confidence {
    /// Parses `high|medium|low` (case-insensitive).
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "high" => Some(Self::High),
            "medium" => Some(Self::Medium),
            "low" => Some(Self::Low),
            _ => None,
        }
    }

    /// Lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::High => "high",
            Self::Medium => "medium",
            Self::Low => "low",
        }
    }
}

/// A built-in detector that finds a rule's secrets instead of a regex (`detector = "..."`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detector {
    /// `assignment`: a secret-like key with a real-looking value (entropy and noise filters).
    Assignment,
    /// `assignment-password`: a password-like key with a value that is not an obvious dummy.
    Password,
    /// `assignment-url`: a URL with a password in it, assigned to a URL/DSN-like key.
    UrlPassword,
    /// `assignment-basic-auth`: base64 of `user:password` (docker `config.json` `auth`).
    BasicAuth,
}

impl Detector {
    /// Parses the `detector` field.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "assignment" => Some(Self::Assignment),
            "assignment-password" => Some(Self::Password),
            "assignment-url" => Some(Self::UrlPassword),
            "assignment-basic-auth" => Some(Self::BasicAuth),
            _ => None,
        }
    }
}

/// What an allowlist's `regexes` are matched against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegexTarget {
    /// The secret (capture group).
    Secret,
    /// The whole regex match.
    Match,
    /// The whole line of the match.
    Line,
}

/// A compiled allowlist (global or per rule), with gitleaks semantics.
#[derive(Debug)]
pub struct Allowlist {
    /// Free-form description (names the allowlist in the summary).
    pub description: Option<String>,
    /// Matches (or files) this allowlist suppressed in this process.
    hits: std::sync::atomic::AtomicU64,
    /// `true` for `condition = "AND"`: every given criterion must hold.
    pub and: bool,
    /// Commit ids.
    pub commits: Vec<String>,
    /// Path regexes.
    pub paths: LazyRegexes,
    /// Target of `regexes`.
    pub regex_target: RegexTarget,
    /// Regexes.
    pub regexes: LazyRegexes,
    /// Lowercased stopwords.
    pub stopwords: Vec<String>,
    /// Global allowlists: rule ids this applies to (empty = all).
    pub target_rules: Vec<String>,
}

/// Regexes checked for syntax at load and compiled on first use (most allowlists never see a
/// match, and compiling them would cost every pre-commit run).
#[derive(Debug)]
pub struct LazyRegexes {
    sources: Vec<String>,
    compiled: OnceLock<Vec<Regex>>,
}

impl LazyRegexes {
    fn new(sources: &[String], what: &str, check: bool) -> Result<Self, String> {
        let mut translated = Vec::with_capacity(sources.len());
        for r in sources {
            let t = if check {
                to_rust(r).map_err(|e| format!("invalid allowlist {what}regex '{r}': {e}"))?
            } else {
                r.clone()
            };
            if check {
                parse_regex(&t).map_err(|e| format!("invalid allowlist {what}regex '{r}': {e}"))?;
            }
            translated.push(t);
        }
        Ok(Self {
            sources: translated,
            compiled: OnceLock::new(),
        })
    }

    /// No regexes.
    pub fn is_empty(&self) -> bool {
        self.sources.is_empty()
    }

    /// Whether any regex matches `hay`.
    pub fn any_match(&self, hay: &[u8]) -> bool {
        self.compiled
            .get_or_init(|| self.sources.iter().filter_map(|r| build_regex(r).ok()).collect())
            .iter()
            .any(|r| r.is_match(hay))
    }
}

/// What an allowlist is asked about one match.
pub struct AllowQuery<'a> {
    /// Path of the file or blob, if any.
    pub path: Option<&'a str>,
    /// Commit, for history scans.
    pub commit: Option<&'a str>,
    /// The secret.
    pub secret: &'a [u8],
    /// The whole match.
    pub full_match: &'a [u8],
    /// The line(s) of the match.
    pub line: &'a [u8],
}

impl Allowlist {
    pub(crate) fn compile(spec: &AllowlistSpec) -> Result<Self, String> {
        Self::compile_with(spec, true)
    }

    /// [`Allowlist::compile`]; `check: false` skips parsing the regexes at load (built-in rules,
    /// whose allowlists `rules check` and a unit test compile).
    pub(crate) fn compile_with(spec: &AllowlistSpec, check: bool) -> Result<Self, String> {
        let and = match spec.condition.as_deref().map(str::to_ascii_uppercase).as_deref() {
            None | Some("") | Some("OR") => false,
            Some("AND") => true,
            Some(other) => return Err(format!("allowlist condition must be OR or AND, not '{other}'")),
        };
        let regex_target = match spec.regex_target.as_deref() {
            None | Some("") | Some("secret") => RegexTarget::Secret,
            Some("match") => RegexTarget::Match,
            Some("line") => RegexTarget::Line,
            Some(other) => {
                return Err(format!(
                    "allowlist regexTarget must be secret, match or line, not '{other}'"
                ))
            }
        };
        Ok(Self {
            description: spec.description.clone(),
            hits: std::sync::atomic::AtomicU64::new(0),
            and,
            commits: spec.commits.iter().map(|c| c.to_ascii_lowercase()).collect(),
            paths: LazyRegexes::new(&spec.paths, "path ", check)?,
            regex_target,
            regexes: LazyRegexes::new(&spec.regexes, "", check)?,
            stopwords: spec
                .stopwords
                .iter()
                .filter(|s| !s.is_empty())
                .map(|s| s.to_ascii_lowercase())
                .collect(),
            target_rules: spec.target_rules.clone(),
        })
    }

    /// Counts one suppression (see [`RuleSet::allowlist_hits`]).
    pub fn hit(&self) {
        self.hits.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// Suppressions counted so far.
    pub fn hits(&self) -> u64 {
        self.hits.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn is_empty(&self) -> bool {
        self.commits.is_empty()
            && self.paths.is_empty()
            && self.regexes.is_empty()
            && self.stopwords.is_empty()
    }

    /// Whether this allowlist applies to a whole path (only path criteria, OR, or AND with paths only).
    pub fn allows_path(&self, path: &str) -> bool {
        if self.paths.is_empty() || !self.target_rules.is_empty() {
            return false;
        }
        let only_paths = self.commits.is_empty() && self.regexes.is_empty() && self.stopwords.is_empty();
        if self.and && !only_paths {
            return false;
        }
        self.paths.any_match(path.as_bytes())
    }

    /// Whether this allowlist suppresses the match described by `q`.
    pub fn allows(&self, q: &AllowQuery<'_>) -> bool {
        if self.is_empty() {
            return false;
        }
        let commit = (!self.commits.is_empty()).then(|| {
            q.commit
                .is_some_and(|c| self.commits.iter().any(|a| c.eq_ignore_ascii_case(a)))
        });
        let path =
            (!self.paths.is_empty()).then(|| q.path.is_some_and(|p| self.paths.any_match(p.as_bytes())));
        let regex = (!self.regexes.is_empty()).then(|| {
            let target = match self.regex_target {
                RegexTarget::Secret => q.secret,
                RegexTarget::Match => q.full_match,
                RegexTarget::Line => q.line,
            };
            self.regexes.any_match(target)
        });
        let stopword = (!self.stopwords.is_empty()).then(|| {
            let lower = q.secret.to_ascii_lowercase();
            self.stopwords
                .iter()
                .any(|w| crate::matching::contains(&lower, w.as_bytes()))
        });
        let mut given = [commit, path, regex, stopword].into_iter().flatten();
        if self.and {
            given.all(|b| b)
        } else {
            given.any(|b| b)
        }
    }
}

/// A pattern in gitleaks' Go RE2 syntax, translated to the `regex` crate's ([`super::re2`]).
pub(crate) fn to_rust(src: &str) -> Result<String, String> {
    super::re2::translate(src)
        .map(std::borrow::Cow::into_owned)
        .map_err(|e| format!("invalid regex: {e}"))
}

/// Builds a bytes regex the way every leakless pattern is built: ASCII classes (as in RE2, which
/// gitleaks uses), falling back to Unicode mode for patterns that need it (e.g. `\p{L}`).
pub(crate) fn build_regex(src: &str) -> Result<Regex, String> {
    let ascii = RegexBuilder::new(src)
        .unicode(false)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_SIZE_LIMIT)
        .build();
    match ascii {
        Ok(r) => Ok(r),
        Err(_) => RegexBuilder::new(src)
            .size_limit(REGEX_SIZE_LIMIT)
            .dfa_size_limit(REGEX_SIZE_LIMIT)
            .build()
            .map_err(|e| one_line_regex_error(&e)),
    }
}

/// Parses (without compiling) a pattern; returns the number of explicit capture groups and whether
/// it has a group named `secret`.
fn parse_regex(src: &str) -> Result<(usize, Option<usize>), String> {
    // Only the syntax tree: enough to reject what the engine cannot do (look-around,
    // back-references) and to count groups, at a fraction of a full translation's cost.
    let ast = regex_syntax::ast::parse::ParserBuilder::new()
        .nest_limit(MAX_REGEX_NESTING)
        .build()
        .parse(src)
        .map_err(|e| format!("invalid regex: {} (at byte {})", e.kind(), e.span().start.offset))?;
    let size = expanded_size(&ast);
    if size > MAX_REGEX_EXPANSION {
        return Err(format!(
            "regex too large: its repetitions expand to about {size} elements (limit {MAX_REGEX_EXPANSION}); bound them more tightly"
        ));
    }
    let mut groups = 0;
    count_groups(&ast, &mut groups);
    Ok((groups, find_named_group(&ast, "secret")))
}

/// Deepest group/repetition nesting a rule pattern may have (untrusted configs: a deep pattern
/// costs stack and compile time before it matches anything).
const MAX_REGEX_NESTING: u32 = 64;

/// How many elements a pattern may expand to once its counted repetitions are unrolled
/// (`(a{1,1000}){1,1000}` is a million): checked at load, so a pathological rule fails there,
/// naming itself, instead of when a file first triggers it. Every published gitleaks/betterleaks
/// rule and every built-in rule stays far below.
const MAX_REGEX_EXPANSION: u64 = 200_000;

/// The size of `ast` with counted repetitions unrolled (an open `{m,}` counts `m + 1`), saturating.
fn expanded_size(ast: &regex_syntax::ast::Ast) -> u64 {
    use regex_syntax::ast::{Ast, RepetitionKind, RepetitionRange};
    match ast {
        Ast::Group(g) => expanded_size(&g.ast),
        Ast::Concat(c) => c.asts.iter().map(expanded_size).fold(0, u64::saturating_add),
        Ast::Alternation(a) => a.asts.iter().map(expanded_size).fold(0, u64::saturating_add),
        Ast::Repetition(r) => {
            let times = match &r.op.kind {
                RepetitionKind::ZeroOrOne | RepetitionKind::ZeroOrMore | RepetitionKind::OneOrMore => 1,
                RepetitionKind::Range(RepetitionRange::Exactly(n) | RepetitionRange::Bounded(_, n)) => {
                    u64::from(*n).max(1)
                }
                RepetitionKind::Range(RepetitionRange::AtLeast(m)) => u64::from(*m) + 1,
            };
            expanded_size(&r.ast).saturating_mul(times)
        }
        _ => 1,
    }
}

fn count_groups(ast: &regex_syntax::ast::Ast, n: &mut usize) {
    use regex_syntax::ast::{Ast, GroupKind};
    match ast {
        Ast::Group(g) => {
            if matches!(g.kind, GroupKind::CaptureIndex(_) | GroupKind::CaptureName { .. }) {
                *n += 1;
            }
            count_groups(&g.ast, n);
        }
        Ast::Concat(c) => c.asts.iter().for_each(|a| count_groups(a, n)),
        Ast::Alternation(a) => a.asts.iter().for_each(|a| count_groups(a, n)),
        Ast::Repetition(r) => count_groups(&r.ast, n),
        _ => {}
    }
}

fn find_named_group(ast: &regex_syntax::ast::Ast, name: &str) -> Option<usize> {
    use regex_syntax::ast::{Ast, GroupKind};
    match ast {
        Ast::Group(g) => {
            if let GroupKind::CaptureName { name: n, .. } = &g.kind {
                if n.name == name {
                    return Some(n.index as usize);
                }
            }
            find_named_group(&g.ast, name)
        }
        Ast::Concat(c) => c.asts.iter().find_map(|a| find_named_group(a, name)),
        Ast::Alternation(a) => a.asts.iter().find_map(|a| find_named_group(a, name)),
        Ast::Repetition(r) => find_named_group(&r.ast, name),
        _ => None,
    }
}

/// Whether one of `keywords` occurs (as a literal, case-insensitively) in the part of the pattern
/// before the secret's capture group, and not inside the group: the regex needs the provider's
/// name as context, the value alone is ambiguous.
fn keyword_before_secret(src: &str, group: Option<usize>, keywords: &[String]) -> bool {
    let Ok(ast) = regex_syntax::ast::parse::Parser::new().parse(src) else {
        return false;
    };
    let Some((gs, ge)) = group_span(&ast, group.unwrap_or(1)) else {
        return false;
    };
    let lower = src.to_ascii_lowercase();
    let (before, inside) = (&lower[..gs], &lower[gs..ge]);
    keywords
        .iter()
        .any(|k| before.contains(k.as_str()) && !inside.contains(k.as_str()))
}

/// Byte span of capture group `index` in the pattern.
fn group_span(ast: &regex_syntax::ast::Ast, index: usize) -> Option<(usize, usize)> {
    use regex_syntax::ast::{Ast, GroupKind};
    match ast {
        Ast::Group(g) => {
            let i = match &g.kind {
                GroupKind::CaptureIndex(i) => Some(*i as usize),
                GroupKind::CaptureName { name, .. } => Some(name.index as usize),
                GroupKind::NonCapturing(_) => None,
            };
            if i == Some(index) {
                return Some((g.span.start.offset, g.span.end.offset));
            }
            group_span(&g.ast, index)
        }
        Ast::Concat(c) => c.asts.iter().find_map(|a| group_span(a, index)),
        Ast::Alternation(a) => a.asts.iter().find_map(|a| group_span(a, index)),
        Ast::Repetition(r) => group_span(&r.ast, index),
        _ => None,
    }
}

fn one_line_regex_error(e: &regex::Error) -> String {
    match e {
        regex::Error::Syntax(s) => {
            let last = s.lines().rfind(|l| !l.trim().is_empty()).unwrap_or(s);
            format!("invalid regex: {}", last.trim_start_matches("error: "))
        }
        regex::Error::CompiledTooBig(n) => format!("regex too big when compiled (limit {n} bytes)"),
        other => format!("invalid regex: {other}"),
    }
}

/// One validated rule.
#[derive(Debug)]
pub struct Rule {
    /// Stable id.
    pub id: String,
    /// What it finds.
    pub description: String,
    /// Severity.
    pub severity: Severity,
    /// Confidence as written (`None`: derived on first use, see [`Rule::confidence`]).
    confidence: Option<Confidence>,
    confidence_derived: OnceLock<Confidence>,
    /// Provider slug.
    pub provider: Option<String>,
    /// gitleaks/betterleaks rule ids this rule covers.
    pub aliases: Vec<String>,
    /// Conventional env var name.
    pub env_var: Option<String>,
    /// Where to rotate the credential.
    pub rotate: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Lowercased keywords.
    pub keywords: Vec<String>,
    /// Regex source, if the rule has one.
    pub regex_src: Option<String>,
    /// Which capture group is the secret (`None`: first non-empty group, else the whole match).
    pub secret_group: Option<usize>,
    /// Entropy floor.
    pub entropy: Option<f64>,
    /// Path restriction.
    pub path: Option<Regex>,
    /// Per-rule allowlists.
    pub allowlists: Vec<Allowlist>,
    /// Context window on each side of a keyword hit.
    pub window: usize,
    /// Checksum the secret must carry.
    pub checksum: Option<crate::matching::checksum::Checksum>,
    /// Positive examples.
    pub examples: Vec<String>,
    /// Negative examples.
    pub negative_examples: Vec<String>,
    /// File the rule came from.
    pub source: String,
    /// Built-in detector (rules without a regex that the assignment detector serves).
    pub detector: Option<Detector>,
    /// Assignment detectors: regex on the lowercased key name.
    pub key_regex: Option<Regex>,
    /// How `--validate` checks this rule's secrets (`[rules.validate]`).
    pub validate: Option<std::sync::Arc<super::syntax::ValidateSpec>>,
    regex: OnceLock<Result<Regex, String>>,
    /// The form the scanner searches windows with ([`super::engine`]), compiled on first use.
    engine: OnceLock<Result<super::engine::RuleRegex, String>>,
}

/// What a report says about a rule: enough to render its findings again ([`Rule::reported`]).
#[derive(Debug, Clone)]
pub struct RuleMeta {
    /// Stable id.
    pub id: String,
    /// What it finds.
    pub description: String,
    /// Severity.
    pub severity: Severity,
    /// Confidence.
    pub confidence: Confidence,
    /// Provider slug.
    pub provider: Option<String>,
    /// Conventional env var name.
    pub env_var: Option<String>,
    /// Where to rotate the credential.
    pub rotate: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// The finding is a file that must not be committed (see [`Rule::is_file_rule`]).
    pub file_rule: bool,
}

impl Rule {
    /// Validates a spec (parses, but does not compile, the regex).
    #[cfg(test)]
    pub(crate) fn from_spec(spec: RuleSpec, source: &str) -> Result<Self, String> {
        Self::from_spec_with(spec, source, true)
    }

    /// [`Rule::from_spec`]; `check_regex: false` skips parsing the regex at load, for the
    /// built-in packs, whose regexes `leakless rules check` (run by the test suite) compiles.
    pub(crate) fn from_spec_with(spec: RuleSpec, source: &str, check_regex: bool) -> Result<Self, String> {
        if spec.id.trim().is_empty() {
            return Err("rule has no id".into());
        }
        let detector = spec
            .detector
            .as_deref()
            .map(|d| Detector::parse(d).ok_or_else(|| format!("unknown detector '{d}'")))
            .transpose()?;
        if spec.regex.is_none() && spec.path.is_none() && detector.is_none() {
            return Err("rule needs a regex or a path".into());
        }
        if detector.is_some() && spec.regex.is_some() {
            return Err("a rule with a detector has no regex".into());
        }
        let key_regex = match (&detector, spec.key_regex.as_deref()) {
            (Some(_), Some(k)) => Some(
                build_regex(&to_rust(k).map_err(|e| format!("invalid key_regex: {e}"))?)
                    .map_err(|e| format!("invalid key_regex: {e}"))?,
            ),
            (Some(_), None) => return Err("a detector rule needs a key_regex".into()),
            (None, Some(_)) => return Err("key_regex needs a detector".into()),
            (None, None) => None,
        };
        let mut secret_group = spec.secret_group.filter(|&g| g > 0);
        // Built-in patterns are written in Rust syntax (checked by `rules check`): only user
        // patterns need the RE2 translation.
        let regex_src = spec
            .regex
            .as_deref()
            .map(|r| {
                if check_regex {
                    to_rust(r)
                } else {
                    Ok(r.to_string())
                }
            })
            .transpose()?;
        // Built-in regexes are not parsed at load (their syntax and groups are checked by
        // `rules check` and a unit test): only a named `secret` group must be resolved, and a
        // pattern without the text `<secret>` has none.
        if let Some(src) = regex_src
            .as_ref()
            .filter(|r| check_regex || (secret_group.is_none() && r.contains("<secret>")))
        {
            let (groups, named) = parse_regex(src)?;
            if let Some(g) = secret_group {
                if g > groups {
                    return Err(format!(
                        "secretGroup {g} but the regex has only {groups} capture group(s)"
                    ));
                }
            } else if named.is_some() {
                secret_group = named;
            }
        }
        let checksum = spec
            .checksum
            .as_deref()
            .map(|c| {
                crate::matching::checksum::Checksum::parse(c).ok_or_else(|| format!("unknown checksum '{c}'"))
            })
            .transpose()?;
        let severity = match spec.severity.as_deref() {
            None => Severity::High,
            Some(s) => Severity::parse(s).ok_or_else(|| format!("unknown severity '{s}'"))?,
        };
        let confidence = spec
            .confidence
            .as_deref()
            .map(|c| {
                Confidence::parse(c).ok_or_else(|| format!("unknown confidence '{c}' (high, medium or low)"))
            })
            .transpose()?;
        let path = spec
            .path
            .as_deref()
            .map(|p| {
                to_rust(p)
                    .and_then(|p| build_regex(&p))
                    .map_err(|e| format!("invalid path regex: {e}"))
            })
            .transpose()?;
        let mut allowlists = Vec::new();
        for a in spec.allowlist.iter().chain(spec.allowlists.iter()) {
            allowlists.push(Allowlist::compile_with(a, check_regex)?);
        }
        if let Some(e) = spec.entropy {
            if !(0.0..=8.0).contains(&e) {
                return Err(format!("entropy {e} is outside 0..8 bits per byte"));
            }
        }
        if let Some(v) = &spec.validate {
            v.check()?;
        }
        let mut keywords: Vec<String> = spec
            .keywords
            .iter()
            .map(|k| k.trim().to_ascii_lowercase())
            .filter(|k| !k.is_empty())
            .collect();
        keywords.sort();
        keywords.dedup();
        Ok(Self {
            description: spec.description.clone().unwrap_or_else(|| spec.id.clone()),
            id: spec.id,
            severity,
            confidence,
            confidence_derived: OnceLock::new(),
            provider: spec.provider,
            aliases: spec.aliases,
            env_var: spec.env_var,
            rotate: spec.rotate,
            tags: spec.tags,
            keywords,
            regex_src,
            secret_group,
            entropy: spec.entropy,
            path,
            allowlists,
            window: spec.window.unwrap_or(if check_regex {
                WHOLE_BLOB_WINDOW
            } else {
                DEFAULT_WINDOW
            }),
            checksum,
            examples: spec.examples,
            negative_examples: spec.negative_examples,
            source: source.to_string(),
            detector,
            key_regex,
            validate: spec.validate.map(std::sync::Arc::new),
            regex: OnceLock::new(),
            engine: OnceLock::new(),
        })
    }

    /// A rule known only by what a saved report says of it (`leakless report`): it renders
    /// findings and matches nothing.
    pub fn reported(meta: RuleMeta) -> Self {
        Self {
            id: meta.id,
            description: meta.description,
            severity: meta.severity,
            confidence: Some(meta.confidence),
            confidence_derived: OnceLock::new(),
            provider: meta.provider,
            aliases: Vec::new(),
            env_var: meta.env_var,
            rotate: meta.rotate,
            tags: meta.tags,
            keywords: Vec::new(),
            regex_src: None,
            secret_group: None,
            entropy: None,
            // A file rule keeps its shape (no regex, a path) with a path that matches nothing.
            path: if meta.file_rule {
                build_regex("[^\\s\\S]").ok()
            } else {
                None
            },
            allowlists: Vec::new(),
            window: DEFAULT_WINDOW,
            checksum: None,
            examples: Vec::new(),
            negative_examples: Vec::new(),
            source: "report".to_string(),
            detector: None,
            key_regex: None,
            validate: None,
            regex: OnceLock::new(),
            engine: OnceLock::new(),
        }
    }

    /// A path-only rule: its finding is a file that must not be committed (`.env`, a key store),
    /// to untrack rather than a value to rotate.
    pub fn is_file_rule(&self) -> bool {
        self.regex_src.is_none() && self.detector.is_none() && self.path.is_some()
    }

    /// The compiled regex, compiled on first use. `None` for path-only rules.
    pub fn regex(&self) -> Option<Result<&Regex, &str>> {
        let src = self.regex_src.as_deref()?;
        Some(
            self.regex
                .get_or_init(|| build_regex(src))
                .as_ref()
                .map_err(String::as_str),
        )
    }

    /// The regex as the scanner searches it ([`super::engine::RuleRegex`]: NFA-only first, with
    /// the lazy DFA once it has searched enough), compiled on first use. `None` for path-only
    /// rules.
    pub(crate) fn engine(&self) -> Option<Result<&super::engine::RuleRegex, &str>> {
        let src = self.regex_src.as_deref()?;
        Some(
            self.engine
                .get_or_init(|| super::engine::RuleRegex::new(src, REGEX_SIZE_LIMIT))
                .as_ref()
                .map_err(String::as_str),
        )
    }

    /// How sure a finding of this rule is: the `confidence` field, else derived: `low` for detector
    /// and path-only rules, `high` with a `checksum`, `medium` when the regex needs one of the
    /// rule's keywords before the secret's capture group (a provider name next to an ambiguous
    /// value), else `high`. Derived once, on first use (it parses the regex).
    pub fn confidence(&self) -> Confidence {
        if let Some(c) = self.confidence {
            return c;
        }
        *self.confidence_derived.get_or_init(|| {
            if self.detector.is_some() || self.regex_src.is_none() {
                Confidence::Low
            } else if self.checksum.is_some() {
                Confidence::High
            } else if self
                .regex_src
                .as_deref()
                .is_some_and(|src| keyword_before_secret(src, self.secret_group, &self.keywords))
            {
                Confidence::Medium
            } else {
                Confidence::High
            }
        })
    }

    /// Whether the rule comes from a built-in pack (benchmarked), not from a config.
    pub fn from_builtin_pack(&self) -> bool {
        super::builtin::is_builtin_source(&self.source)
    }

    /// Whether the regex has been compiled, in either form (for tests and stats).
    pub fn is_compiled(&self) -> bool {
        self.regex.get().is_some() || self.engine.get().is_some()
    }
}

/// All rules of a scan, compiled once and shared read-only between threads.
#[derive(Debug)]
pub struct RuleSet {
    rules: Vec<Rule>,
    /// Global allowlists.
    pub global: Vec<Allowlist>,
    keywords: Option<KeywordDfa>,
    /// For each keyword pattern, the rules it triggers.
    keyword_rules: Vec<Vec<u32>>,
    /// Rules with a regex and no keyword: they run on every blob.
    always: Vec<u32>,
    /// Path-only rules.
    path_only: Vec<u32>,
    /// Detector rules, in load order.
    detectors: Vec<u32>,
    /// For each keyword pattern: whether it is a detector rule's keyword (the assignment
    /// detector's prefilter for code files, found in the same automaton pass).
    detector_keyword: Vec<bool>,
    /// Config files in force, base first (empty: the built-in rules alone).
    pub configs: Vec<String>,
    /// What the loader could not honour but did not refuse (an unknown rule id in
    /// `disabledRules`, `--enable-rule` or `targetRules`...), for the user to see.
    pub warnings: Vec<String>,
}

impl RuleSet {
    /// Builds the set: one ASCII-case-insensitive Aho-Corasick automaton over all keywords
    /// ([`KeywordDfa`]).
    pub fn new(rules: Vec<Rule>, global: Vec<Allowlist>) -> Self {
        // Keyword → pattern index through a map: a linear search per keyword was quadratic in
        // the number of keywords (~3,000 with the full catalog).
        let mut patterns: Vec<String> = Vec::new();
        let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        let mut keyword_rules: Vec<Vec<u32>> = Vec::new();
        let mut always = Vec::new();
        let mut path_only = Vec::new();
        let mut detectors = Vec::new();
        let mut detector_keyword: Vec<bool> = Vec::new();
        let mut pattern_of =
            |kw: &String, keyword_rules: &mut Vec<Vec<u32>>, detector_keyword: &mut Vec<bool>| {
                // Looked up before inserting: cloning each of ~4,500 keywords for `entry` was
                // most of this function at start-up.
                if let Some(&p) = index.get(kw.as_str()) {
                    return p;
                }
                patterns.push(kw.clone());
                keyword_rules.push(Vec::new());
                detector_keyword.push(false);
                index.insert(kw.clone(), patterns.len() - 1);
                patterns.len() - 1
            };
        for (i, rule) in rules.iter().enumerate() {
            let i = u32::try_from(i).expect("fewer than 2^32 rules");
            if rule.detector.is_some() {
                detectors.push(i);
                for kw in &rule.keywords {
                    let p = pattern_of(kw, &mut keyword_rules, &mut detector_keyword);
                    detector_keyword[p] = true;
                }
                continue;
            }
            if rule.regex_src.is_none() {
                path_only.push(i);
                continue;
            }
            if rule.keywords.is_empty() {
                always.push(i);
                continue;
            }
            for kw in &rule.keywords {
                let p = pattern_of(kw, &mut keyword_rules, &mut detector_keyword);
                keyword_rules[p].push(i);
            }
        }
        let keywords = (!patterns.is_empty()).then(|| KeywordDfa::new(&patterns));
        Self {
            rules,
            global,
            keywords,
            keyword_rules,
            always,
            path_only,
            detectors,
            detector_keyword,
            configs: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// Whether a global allowlist excludes the whole file at `path` (counted as a suppression).
    pub fn path_allowed(&self, path: &str) -> bool {
        match self.global.iter().find(|a| a.allows_path(path)) {
            Some(a) => {
                a.hit();
                true
            }
            None => false,
        }
    }

    /// Every allowlist with a label, global ones first, and how many matches (or, for path-only
    /// global allowlists, files) it suppressed so far.
    pub fn allowlist_hits(&self) -> Vec<(String, u64)> {
        let label = |a: &Allowlist, what: String| match &a.description {
            Some(d) if !d.trim().is_empty() => format!("{what} ({})", d.trim()),
            _ => what,
        };
        let mut out = Vec::new();
        for (i, a) in self.global.iter().enumerate() {
            out.push((label(a, format!("global allowlist #{}", i + 1)), a.hits()));
        }
        for r in &self.rules {
            for (i, a) in r.allowlists.iter().enumerate() {
                out.push((label(a, format!("rule {} allowlist #{}", r.id, i + 1)), a.hits()));
            }
        }
        out
    }

    /// All rules, in load order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Looks a rule up by id.
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// Indexes of the rules that answer to `id`: the rule of that id, else the rules that list it
    /// as an alias (a gitleaks/betterleaks id).
    pub fn resolve_id(&self, id: &str) -> Vec<u32> {
        let index = |i: usize| u32::try_from(i).expect("fewer than 2^32 rules");
        if let Some(i) = self.rules.iter().position(|r| r.id == id) {
            return vec![index(i)];
        }
        self.rules
            .iter()
            .enumerate()
            .filter(|(_, r)| r.aliases.iter().any(|a| a == id))
            .map(|(i, _)| index(i))
            .collect()
    }

    /// The keyword automaton, if any rule has keywords.
    pub(crate) fn keyword_automaton(&self) -> Option<&KeywordDfa> {
        self.keywords.as_ref()
    }

    /// Rules triggered by keyword pattern `p`.
    pub(crate) fn rules_for_keyword(&self, p: usize) -> &[u32] {
        &self.keyword_rules[p]
    }

    /// Rules that run on every blob.
    pub(crate) fn always_rules(&self) -> &[u32] {
        &self.always
    }

    /// Path-only rules.
    pub(crate) fn path_only_rules(&self) -> &[u32] {
        &self.path_only
    }

    /// Detector rules (served by the assignment detector), in load order.
    pub(crate) fn detector_rules(&self) -> &[u32] {
        &self.detectors
    }

    /// Prefilter over detector rules' keywords.
    pub(crate) fn is_detector_keyword(&self, p: usize) -> bool {
        self.detector_keyword[p]
    }

    /// Rules whose lazy compilation failed, with the reason.
    pub fn compile_failures(&self) -> Vec<(&str, &str)> {
        self.rules
            .iter()
            .filter_map(|r| match (r.regex.get(), r.engine.get()) {
                (Some(Err(e)), _) | (_, Some(Err(e))) => Some((r.id.as_str(), e.as_str())),
                (_, Some(Ok(re))) => re.late_error().map(|e| (r.id.as_str(), e)),
                _ => None,
            })
            .collect()
    }
}

#[cfg(test)]
mod confidence_tests {
    use super::{Confidence, Rule};
    use crate::rules::syntax::RuleSpec;

    fn rule(regex: &str, keywords: &[&str], checksum: Option<&str>, confidence: Option<&str>) -> Rule {
        Rule::from_spec(
            RuleSpec {
                id: "t".into(),
                regex: Some(regex.into()),
                keywords: keywords.iter().map(|k| (*k).to_string()).collect(),
                checksum: checksum.map(str::to_string),
                confidence: confidence.map(str::to_string),
                ..RuleSpec::default()
            },
            "test",
        )
        .expect("valid")
    }

    #[test]
    fn derived_and_explicit() {
        // The keyword is the token's own prefix: a provider format.
        assert_eq!(
            rule(r"\b(tok_[a-z0-9]{12})\b", &["tok_"], None, None).confidence(),
            Confidence::High
        );
        // The provider's name must come before an ambiguous value: provider context.
        let ctx = r#"(?i)datadog[\w.-]{0,20}\s*[:=]\s*["']?([a-f0-9]{32})"#;
        assert_eq!(
            rule(ctx, &["datadog"], None, None).confidence(),
            Confidence::Medium
        );
        // A checksum makes it high whatever the regex.
        assert_eq!(
            rule(
                r"(?i)npm.{0,9}(npm_[A-Za-z0-9]{36})",
                &["npm"],
                Some("crc32-base62"),
                None
            )
            .confidence(),
            Confidence::High
        );
        // No capture group: the whole match is the secret.
        assert_eq!(
            rule(r"AKIA[0-9A-Z]{16}", &["akia"], None, None).confidence(),
            Confidence::High
        );
        assert_eq!(
            rule(ctx, &["datadog"], None, Some("low")).confidence(),
            Confidence::Low
        );
        let bad = Rule::from_spec(
            RuleSpec {
                id: "t".into(),
                regex: Some("x".into()),
                confidence: Some("sure".into()),
                ..RuleSpec::default()
            },
            "test",
        );
        assert!(bad.is_err());
    }
}
