//! Building a migration plan from findings: which value goes to which store target under which
//! key, and what each tracked file becomes.
//!
//! Per file kind:
//! - **dotenv files** (`.env`, `.env.dev`, `prod.env`, not `.env.example`): every secret
//!   assignment's whole value moves under its key; the file is untracked (`git rm --cached`, the
//!   working copy stays, ignored) and an example file keeps its keys with empty secret values.
//! - **config files** (YAML, JSON, TOML, properties, INI, XML, compose): the secret (or the whole
//!   connection URL around an embedded password) becomes a reference, `${KEY}` by default.
//! - **code**: a string literal that is exactly the secret becomes an environment lookup in the
//!   file's language, where that is safe without new imports; anything else is a manual step.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::store::{StoreKind, Target};
use super::{dotenv, helm, k8s, unescape};
use crate::findings::{Finding, Secret};
use crate::matching::assign::is_secret_key;
use crate::rules::RuleSet;

/// What the planner needs besides the findings.
#[derive(Clone, Debug)]
pub struct PlanOptions {
    /// The store the plan is for.
    pub store: StoreKind,
    /// `{project}` in the path template.
    pub project: String,
    /// Environment override (`--env`); else inferred per file.
    pub env: Option<String>,
    /// Store path template, e.g. `{project}/{env}`; `None` = the store's default.
    pub path_template: Option<String>,
    /// Reference template for config files (`{KEY}` is replaced by the key name). `None`:
    /// references only in the formats whose loader expands environment variables, each in its
    /// own syntax (see [`config_reference`]); `Some` (`--ref-template`): this template in every
    /// config file — the user vouches that their loader expands it.
    pub ref_template: Option<String>,
    /// The example file written beside a migrated dotenv file.
    pub example_file: String,
    /// `--k8s-operator`: the operator a committed Kubernetes `Secret` is rewritten for (`None`:
    /// the store's default, see [`k8s::operator_for`]).
    pub k8s_operator: Option<k8s::Operator>,
    /// Migrate every committed Kubernetes `Secret` (a manifest holds its values in plain text,
    /// found by a rule or not); `false` (with `--from-report`): only those holding a finding.
    pub k8s_all: bool,
}

/// Shell/compose/Spring-style interpolation.
pub const DEFAULT_REF_TEMPLATE: &str = "${{KEY}}";

/// The reference a config file at `path` gets for `key`: `Ok(template)` where the file's loader
/// is known to expand environment variables, else `Err(manual step)` with the suggested change
/// (a `${KEY}` that the loader would read literally would break the application silently).
/// `user` (`--ref-template`) wins everywhere.
pub fn config_reference(path: &str, user: Option<&str>, key: &str) -> Result<String, String> {
    if let Some(t) = user {
        return Ok(t.to_string());
    }
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
    let yaml = matches!(ext, "yml" | "yaml");
    let interp = Ok(DEFAULT_REF_TEMPLATE.to_string());
    // docker compose: `${VAR}` from the shell environment or the project's `.env`.
    if yaml && (stem == "compose" || stem.starts_with("compose.") || stem.starts_with("docker-compose")) {
        return interp;
    }
    // Spring Boot, Quarkus, Micronaut: `${VAR}` placeholders resolve from the environment.
    let spring = ["application", "bootstrap"]
        .iter()
        .any(|b| stem == *b || stem.starts_with(&format!("{b}-")));
    if spring && (yaml || ext == "properties") {
        return interp;
    }
    // Elastic Beats and Logstash settings expand `${VAR}`; npm and Yarn expand it in their rc files.
    if (yaml
        && [
            "filebeat",
            "metricbeat",
            "heartbeat",
            "auditbeat",
            "packetbeat",
            "logstash",
            "kibana",
        ]
        .contains(&stem))
        || name == ".npmrc"
        || name == ".yarnrc.yml"
    {
        return interp;
    }
    // Dotenv-format examples (`.env.example`): dotenv loaders expand `${VAR}`.
    if name.starts_with(".env") {
        return interp;
    }
    if name == "serverless.yml" || name == "serverless.yaml" {
        return Ok("${env:{KEY}}".into());
    }
    if name == "grafana.ini" {
        return Ok("$__env{{KEY}}".into());
    }
    if name == "settings.xml" && (lower.contains(".m2/") || lower.contains("maven")) {
        return Ok("${env.{KEY}}".into());
    }
    if is_workflow(path) {
        return Err(format!(
            "GitHub Actions workflow: add {key} as an Actions secret (Settings → Secrets and variables → Actions, or `gh secret set {key}`) and write ${{{{ secrets.{key} }}}} here (or migrate with --to github, which does both)"
        ));
    }
    if ext == "json" && stem.starts_with("appsettings") {
        return Err(format!(
            ".NET configuration does not expand variables: delete the value here and set it as an environment variable named after its section path with `__` for `:` (e.g. ConnectionStrings__Default); the value is in the store as {key}"
        ));
    }
    Err(format!(
        "this file's loader is not known to expand environment variables (a ${{{key}}} here would be read literally): read {key} from the environment where the file is loaded, or if your loader expands it, replace the value by ${{{key}}} (or re-run with --ref-template '${{{{KEY}}}}' to have leakless write it)"
    ))
}
/// A reference the chosen store itself makes work, before [`config_reference`]: with the
/// `github` store a GitHub Actions workflow gets `${{ secrets.KEY }}` (the secret is where the
/// expression reads), even with `--ref-template`, which vouches for configuration loaders, not
/// for the Actions runner.
pub fn store_reference(store: StoreKind, path: &str) -> Option<String> {
    (store == StoreKind::Github && is_workflow(path)).then(|| GITHUB_SECRET_REF.to_string())
}

/// A GitHub Actions expression reading the secret named after the key.
pub const GITHUB_SECRET_REF: &str = "${{ secrets.{KEY} }}";

/// A GitHub Actions workflow file (`.github/workflows/*.yml`).
pub fn is_workflow(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let yaml = lower.ends_with(".yml") || lower.ends_with(".yaml");
    yaml && (lower.starts_with(".github/workflows/") || lower.contains("/.github/workflows/"))
}

/// Default example file name.
pub const DEFAULT_EXAMPLE_FILE: &str = ".env.example";

/// One secret value and where it goes.
#[derive(Debug)]
pub struct Item {
    /// Store target.
    pub target: Target,
    /// Environment of the files it came from.
    pub env: String,
    /// The value to store (the secret, or the whole assignment value / URL around it).
    pub value: Secret,
    /// Rules that found it.
    pub rules: BTreeSet<String>,
    /// Fingerprints (v1) of the findings it covers.
    pub fingerprints: BTreeSet<String>,
    /// Where to rotate it (rule hints).
    pub rotate: BTreeSet<String>,
    /// Providers of the rules.
    pub providers: BTreeSet<String>,
    /// Every place it is replaced or must be replaced by hand.
    pub sites: Vec<Site>,
    /// The secrets the findings matched (for the history purge file): the stored value may be
    /// wider (a whole URL) than the burnt secret inside it.
    pub secrets: BTreeSet<Secret>,
}

/// One place a secret sits in a tracked file.
#[derive(Clone, Debug)]
pub struct Site {
    /// Repository-relative path.
    pub path: String,
    /// 1-based line.
    pub line: usize,
    /// What happens there.
    pub action: Action,
    /// The name the value has at this site (a dotenv key the application reads).
    pub key: String,
}

/// What happens at a site.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// The dotenv file is untracked; its example file keeps the key with an empty value.
    Untrack,
    /// The bytes are replaced by a reference to the key.
    Replace {
        /// Byte range in the file.
        range: Range<usize>,
        /// How the reference is written (for the item's final key name).
        render: Render,
    },
    /// Left for a person: why.
    Manual(String),
    /// The Kubernetes `Secret` document holding it becomes an operator resource (the text says
    /// which).
    Manifest(String),
}

/// How a reference to a stored key is written in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Render {
    /// A template with `{KEY}` (config files: `${KEY}` by default).
    Template(String),
    /// An environment lookup in code; `braces` wraps it for a JSX attribute (`attr={...}`).
    Code {
        /// The language.
        lang: Lang,
        /// JSX attribute value.
        braces: bool,
    },
}

impl Render {
    /// The reference text for `key`.
    pub fn render(&self, key: &str) -> String {
        match self {
            Render::Template(t) => t.replace("{KEY}", key),
            Render::Code { lang, braces } => {
                let s = match lang {
                    Lang::Python => format!("os.environ[\"{key}\"]"),
                    Lang::JavaScript => format!("process.env.{key}"),
                    Lang::TypeScript => format!("process.env.{key}!"),
                    Lang::Go => format!("os.Getenv(\"{key}\")"),
                    Lang::Ruby => format!("ENV.fetch(\"{key}\")"),
                    Lang::Java => format!("System.getenv(\"{key}\")"),
                    Lang::Php => format!("getenv('{key}')"),
                    Lang::Shell => format!("\"${{{key}}}\""),
                };
                if *braces {
                    format!("{{{s}}}")
                } else {
                    s
                }
            }
        }
    }
}

/// One replacement in a file.
#[derive(Clone, Debug)]
pub struct Edit {
    /// Byte range.
    pub range: Range<usize>,
    /// The reference written there.
    pub render: Render,
    /// The item (its final key names the reference).
    pub item: usize,
}

/// What happens to one file.
#[derive(Debug)]
pub struct FilePlan {
    /// Repository-relative path.
    pub path: String,
    /// SHA-256 of the content the plan was made from (a changed file is not rewritten).
    pub hash: [u8; 32],
    /// Dotenv file: untracked, with this example file (relative path) created or extended.
    pub untrack: Option<UntrackPlan>,
    /// Edits, sorted by range start, non-overlapping.
    pub edits: Vec<Edit>,
    /// Items of this file (all must be verified in the store before the file changes).
    pub items: BTreeSet<usize>,
    /// Sites left for a person.
    pub manual: Vec<(usize, usize, String)>,
    /// Kubernetes `Secret` documents replaced by operator resources.
    pub resources: Vec<ResourcePlan>,
    /// Files that must be rewritten before this one, else it is left alone (a Helm values file
    /// waits for the chart template that stops reading its values).
    pub requires: Vec<String>,
}

/// A Kubernetes `Secret` document and the operator resource that replaces it.
#[derive(Debug)]
pub struct ResourcePlan {
    /// The document's byte range.
    pub range: Range<usize>,
    /// Its metadata (no values).
    pub manifest: k8s::Manifest,
    /// The operator.
    pub operator: k8s::Operator,
    /// Each key of the Secret and the item holding its value.
    pub keys: Vec<(String, usize)>,
    /// The document is a Helm chart template (rendered by [`helm::render`]).
    pub helm: Option<helm::HelmSecret>,
}

/// The untracking of a dotenv file.
#[derive(Debug)]
pub struct UntrackPlan {
    /// Repository-relative path of the example file.
    pub example: String,
    /// The example file's content (keys with empty secret values; no secret).
    pub example_text: String,
}

/// A finding not migrated, and why.
#[derive(Debug)]
pub struct Skip {
    /// Rule id.
    pub rule: String,
    /// Fingerprint.
    pub fingerprint: String,
    /// First location.
    pub path: String,
    /// Why.
    pub reason: String,
}

/// The plan.
#[derive(Debug, Default)]
pub struct Plan {
    /// Secrets to move, sorted by target.
    pub items: Vec<Item>,
    /// Files to change, sorted by path.
    pub files: Vec<FilePlan>,
    /// Findings left alone.
    pub skipped: Vec<Skip>,
    /// Manual steps that belong to no stored value (a Kubernetes `Secret` that cannot be
    /// migrated automatically).
    pub notes: Vec<String>,
}

impl Plan {
    /// True when there is nothing to do.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// The kind of a file, by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// `.env`, `.env.<name>`, `<name>.env` (not examples/templates).
    Dotenv,
    /// Example/template dotenv files: they should hold no secrets; treated as config.
    Config,
    /// Source code in a language with a known safe lookup.
    Code(Lang),
    /// Anything else: manual.
    Other,
}

/// Languages with an environment lookup we can write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    /// Python: `os.environ["KEY"]` (only where `os` is imported).
    Python,
    /// JavaScript: `process.env.KEY`.
    JavaScript,
    /// TypeScript: `process.env.KEY!`.
    TypeScript,
    /// Go: `os.Getenv("KEY")` (only where `"os"` is imported).
    Go,
    /// Ruby: `ENV.fetch("KEY")`.
    Ruby,
    /// Java / Kotlin: `System.getenv("KEY")`.
    Java,
    /// PHP: `getenv('KEY')`.
    Php,
    /// Shell: `"${KEY}"`.
    Shell,
}

/// Classifies a path by its file name.
pub fn file_kind(path: &str) -> FileKind {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    if is_example_name(&name) {
        return FileKind::Config;
    }
    if name == ".npmrc" {
        return FileKind::Config;
    }
    if name == ".env" || name.starts_with(".env.") || name.ends_with(".env") {
        return FileKind::Dotenv;
    }
    let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
    match ext {
        "yaml" | "yml" | "json" | "toml" | "properties" | "ini" | "cfg" | "conf" | "xml" | "neon" => {
            FileKind::Config
        }
        "py" => FileKind::Code(Lang::Python),
        "js" | "mjs" | "cjs" | "jsx" => FileKind::Code(Lang::JavaScript),
        "ts" | "mts" | "cts" | "tsx" => FileKind::Code(Lang::TypeScript),
        "go" => FileKind::Code(Lang::Go),
        "rb" => FileKind::Code(Lang::Ruby),
        "java" | "kt" | "kts" | "scala" | "groovy" => FileKind::Code(Lang::Java),
        "php" => FileKind::Code(Lang::Php),
        "sh" | "bash" | "zsh" => FileKind::Code(Lang::Shell),
        _ => FileKind::Other,
    }
}

fn is_example_name(name: &str) -> bool {
    ["example", "sample", "template", "dist", "defaults", "tmpl", "tpl"]
        .iter()
        .any(|w| name.ends_with(&format!(".{w}")) || name.contains(&format!(".{w}.")))
}

/// Environment names recognised in file names and directories, with their canonical slug
/// (Infisical's default environment slugs).
const ENVS: &[(&str, &str)] = &[
    ("dev", "dev"),
    ("develop", "dev"),
    ("development", "dev"),
    ("local", "dev"),
    ("stage", "staging"),
    ("staging", "staging"),
    ("prod", "prod"),
    ("production", "prod"),
    ("live", "prod"),
    ("test", "test"),
    ("testing", "test"),
    ("qa", "qa"),
    ("uat", "uat"),
    ("preview", "preview"),
    ("sandbox", "sandbox"),
];

/// The environment a file belongs to: from its name (`.env.production`, `values-prod.yaml`,
/// `application-staging.properties`), else its directories (`deploy/prod/`), else `dev`.
pub fn infer_env(path: &str) -> String {
    let lower = path.to_ascii_lowercase();
    let mut parts: Vec<&str> = lower.split('/').collect();
    let name = parts.pop().unwrap_or("");
    let lookup = |w: &str| ENVS.iter().find(|(n, _)| *n == w).map(|(_, s)| s.to_string());
    if let Some(env) = name
        .split(['.', '-', '_'])
        .filter(|w| !w.is_empty())
        .find_map(lookup)
    {
        return env;
    }
    parts
        .iter()
        .rev()
        .find_map(|d| lookup(d))
        .unwrap_or_else(|| "dev".to_string())
}

/// The default path template of a store.
pub fn default_path_template(store: StoreKind) -> &'static str {
    match store {
        // Beside the file it came from (see `target_path`).
        StoreKind::Dotenv => "{dir}",
        // Infisical has projects and environments of its own: secrets go to the root folder.
        StoreKind::Infisical => "",
        // Doppler has no folders: environments are configs (see `store::doppler`).
        StoreKind::Doppler => "",
        // One encrypted file per environment at the top of the repository.
        StoreKind::Age => "",
        // GitHub secrets have no folders: the name is the key.
        StoreKind::Github => "",
        StoreKind::Vault | StoreKind::Aws | StoreKind::Azure => "{project}/{env}",
        // Encoded into the secret id: `shop--dev--KEY` (see `store::gcp`).
        StoreKind::Gcp => "{project}/{env}",
    }
}

/// Expands a path template: `{project}`, `{env}`, `{dir}` (the file's directory), `{file}` (its
/// name). Empty segments are dropped.
pub fn expand_template(template: &str, project: &str, env: &str, path: &str) -> String {
    let (dir, file) = path.rsplit_once('/').unwrap_or(("", path));
    let s = template
        .replace("{project}", project)
        .replace("{env}", env)
        .replace("{dir}", dir)
        .replace("{file}", file);
    s.split('/')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("/")
}

/// An environment-variable-style key: `[A-Z0-9_]`, not starting with a digit.
pub fn env_key(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut prev_lower = false;
    for c in raw.chars() {
        if c.is_ascii_uppercase() && prev_lower {
            out.push('_');
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_uppercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let out = out.trim_matches('_').to_string();
    match out.chars().next() {
        None => "SECRET".to_string(),
        Some(c) if c.is_ascii_digit() => format!("_{out}"),
        Some(_) => out,
    }
}

/// A key from a nested config file gets its parent's name when it is not already an
/// environment-variable-style name: `database: {url: ...}` → `database.url` (→ `DATABASE_URL`);
/// `[stripe] secret_key = ...` → `stripe.secret_key`.
#[cfg(test)]
fn qualify_key(path: &str, text: &str, starts: &[usize], line: usize, key: &str) -> String {
    qualify_key_with(&KeyParents::new(path, text, starts), text, starts, line, key)
}

/// [`qualify_key`] with the file's parent lines computed once ([`KeyParents`]).
fn qualify_key_with(parents: &KeyParents, text: &str, starts: &[usize], line: usize, key: &str) -> String {
    let env_like = key
        .bytes()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    if env_like || key.contains('.') || line == 0 || line > starts.len() {
        return key.to_string();
    }
    let parent = parents.of.get(line).copied().flatten().map(|p| {
        let l = line_text(text, starts, p);
        if parents.yaml {
            l.trim_start()
                .trim_start_matches(['-', ' '])
                .split(':')
                .next()
                .unwrap_or_default()
                .trim()
                .trim_matches(['"', '\''])
        } else {
            let inner = l.trim().trim_start_matches('[').trim_end_matches(']');
            inner
                .trim_matches(['[', ']', ' '])
                .rsplit('.')
                .next()
                .unwrap_or_default()
        }
    });
    match parent {
        Some(p) if !p.is_empty() => format!("{p}.{key}"),
        _ => key.to_string(),
    }
}

/// 1-based line `n` of `text` without its line break.
fn line_text<'t>(text: &'t str, starts: &[usize], n: usize) -> &'t str {
    let s = starts[n - 1];
    let e = starts.get(n).copied().unwrap_or(text.len());
    text[s..e].trim_end_matches(['\n', '\r'])
}

/// The line whose key qualifies each line's key, for a whole file at once (asking per finding
/// walked back over the file each time: quadratic in a file with thousands of secrets). YAML:
/// the nearest earlier non-blank, non-comment line indented less (a stack of candidates with
/// increasing indentation); TOML/INI: the nearest earlier `[section]` line.
struct KeyParents {
    yaml: bool,
    /// Indexed by 1-based line (entry 0 unused).
    of: Vec<Option<usize>>,
}

impl KeyParents {
    fn new(path: &str, text: &str, starts: &[usize]) -> Self {
        let ext = path.rsplit_once('.').map_or("", |(_, e)| e).to_ascii_lowercase();
        let yaml = matches!(ext.as_str(), "yaml" | "yml");
        let toml = matches!(ext.as_str(), "toml" | "ini" | "cfg" | "conf");
        let mut of = vec![None; starts.len() + 1];
        if !(yaml || toml) {
            return Self { yaml, of };
        }
        let mut stack: Vec<(usize, usize)> = Vec::new();
        let mut section = None;
        for (n, slot) in of.iter_mut().enumerate().skip(1) {
            let l = line_text(text, starts, n);
            if yaml {
                let indent = l.len() - l.trim_start_matches([' ', '-']).len();
                let k = stack.partition_point(|&(d, _)| d < indent);
                *slot = k.checked_sub(1).map(|j| stack[j].1);
                let t = l.trim_start();
                if !t.is_empty() && !t.starts_with('#') {
                    stack.truncate(k);
                    stack.push((indent, n));
                }
            } else {
                *slot = section;
                let t = l.trim();
                if t.starts_with('[') && t.ends_with(']') && t.len() >= 2 {
                    section = Some(n);
                }
            }
        }
        Self { yaml, of }
    }
}

/// Type names an assignment parser may take for the key (`stripeKey: string = "..."`).
fn is_type_name(k: &str) -> bool {
    const TYPES: &[&str] = &[
        "string",
        "str",
        "&str",
        "&'static str",
        "number",
        "any",
        "object",
        "char",
        "text",
        "bytes",
        "int",
        "long",
        "var",
        "val",
        "let",
        "const",
        "final",
        "static",
    ];
    TYPES.iter().any(|t| t.eq_ignore_ascii_case(k.trim()))
}

/// Key names that say nothing about what the secret is for.
fn is_generic_name(k: &str) -> bool {
    const GENERIC: &[&str] = &[
        "SECRET",
        "KEY",
        "TOKEN",
        "PASSWORD",
        "PASS",
        "PWD",
        "API_KEY",
        "APIKEY",
        "SECRET_KEY",
        "ACCESS_TOKEN",
        "AUTH_TOKEN",
        "AUTH",
        "VALUE",
        "CREDENTIAL",
        "CREDENTIALS",
        "PRIVATE_KEY",
    ];
    GENERIC.contains(&env_key(k).as_str())
}

/// Shorter values are not replaced where no rule found them (they could be part of anything).
const MIN_REPEAT_LEN: usize = 12;

/// Whether `r` is not part of a longer word (`[A-Za-z0-9_+/=-]` on neither side).
fn whole_token(b: &[u8], r: &Range<usize>) -> bool {
    let word = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'+' | b'/' | b'=' | b'-');
    let before = r.start > 0 && word(b[r.start - 1]);
    let after = b.get(r.end).is_some_and(|&c| word(c));
    !before && !after
}

/// A candidate before de-duplication.
struct Candidate {
    /// The finding (none for a key of a Kubernetes `Secret` no rule flagged).
    finding: Option<usize>,
    /// The Kubernetes resource (index in its file's `resources`) and the Secret's key.
    resource: Option<(usize, String)>,
    path: String,
    line: usize,
    key: String,
    value: Vec<u8>,
    action: Action,
}

/// Builds the plan. `findings` come from a scan of the working tree rooted at `root`;
/// `tracked` is the set of tracked paths (relative, `/`-separated); `scope` limits the paths.
pub fn build(
    root: &Path,
    findings: &[Finding],
    rules: &RuleSet,
    tracked: &BTreeSet<String>,
    scope: &[String],
    opts: &PlanOptions,
) -> Plan {
    let mut plan = Plan::default();
    // Sites per file, in file order.
    let mut per_file: BTreeMap<String, Vec<(usize, usize, usize)>> = BTreeMap::new();
    for (fi, f) in findings.iter().enumerate() {
        let rule = f.rule(rules);
        let mut any = false;
        let mut reason = "not in a tracked file";
        for (li, loc) in f.locations.iter().enumerate() {
            if !scope.is_empty() && !scope.iter().any(|s| in_scope(&loc.path, s)) {
                reason = "outside --scope";
                continue;
            }
            if !tracked.contains(&loc.path) {
                continue;
            }
            any = true;
            per_file
                .entry(loc.path.clone())
                .or_default()
                .push((fi, li, loc.line));
        }
        if !any {
            plan.skipped.push(Skip {
                rule: rule.id.clone(),
                fingerprint: f.fingerprint.clone(),
                path: f.locations.first().map(|l| l.path.clone()).unwrap_or_default(),
                reason: reason.to_string(),
            });
        }
    }

    // Committed Kubernetes `Secret` manifests: every key moves, whether a rule flagged it or not.
    let mut manifests: BTreeMap<String, K8sFile> = BTreeMap::new();
    for path in tracked {
        let yaml = matches!(
            path.rsplit_once('.')
                .map(|(_, e)| e.to_ascii_lowercase())
                .as_deref(),
            Some("yaml" | "yml")
        );
        if !yaml
            || (!scope.is_empty() && !scope.iter().any(|s| in_scope(path, s)))
            || (!opts.k8s_all && !per_file.contains_key(path))
        {
            continue;
        }
        if let Some(f) = K8sFile::read(root, path) {
            manifests.insert(path.clone(), f);
        }
    }

    let mut candidates: Vec<Candidate> = Vec::new();
    // Config and dotenv texts, read once, for the repeat and example passes below.
    let mut texts: BTreeMap<String, String> = BTreeMap::new();
    let mut helm_lookup = HelmLookup::default();
    for (path, mut sites) in per_file {
        sites.sort_by_key(|s| (s.2, s.0));
        if let Some(m) = manifests.get_mut(&path) {
            // Findings inside a Secret document go with its keys (or its manual step).
            sites.retain(|&(fi, _, line)| {
                if let Some(d) = m.doc_at(line) {
                    m.hits.push((d, fi, line));
                    return false;
                }
                if let Some(u) = m.unsupported_at(line).map(|i| &m.secrets.unsupported[i]) {
                    let why = format!("Kubernetes Secret: {}", u.why);
                    candidates.push(manual(fi, &findings[fi], rules, &path, line, &why));
                    m.manual_hit = true;
                    return false;
                }
                true
            });
            if sites.is_empty() {
                continue;
            }
        }
        let bytes = match std::fs::read(root.join(&path)) {
            Ok(b) => b,
            Err(e) => {
                for (fi, _, _) in sites {
                    plan.skipped
                        .push(skip(&findings[fi], rules, &path, &format!("cannot read: {e}")));
                }
                continue;
            }
        };
        let hash: [u8; 32] = Sha256::digest(&bytes).into();
        let Ok(text) = std::str::from_utf8(&bytes) else {
            for (fi, li, _) in sites {
                let line = findings[fi].locations[li].line;
                candidates.push(manual(
                    fi,
                    &findings[fi],
                    rules,
                    &path,
                    line,
                    "file is not UTF-8: edit by hand",
                ));
            }
            plan.files.push(FilePlan::new(&path, hash));
            continue;
        };
        let kind = file_kind(&path);
        if matches!(kind, FileKind::Config | FileKind::Dotenv) {
            texts.insert(path.clone(), text.to_string());
        }
        let line_starts = line_starts(text);
        let entries = if kind == FileKind::Dotenv {
            dotenv::parse(text)
        } else {
            Vec::new()
        };
        let mut file = FilePlan::new(&path, hash);
        let mut key_parents: Option<KeyParents> = None;
        let before = candidates.len();
        let mut path_only = Vec::new();
        for (fi, li, _) in sites {
            let f = &findings[fi];
            let loc = &f.locations[li];
            let rule = f.rule(rules);
            if rule.regex_src.is_none() && rule.detector.is_none() {
                // A path-only rule (a committed .env file): the file itself is the finding.
                path_only.push(fi);
                continue;
            }
            let secret = f.secret.expose();
            let span = locate(text, &line_starts, loc.line, loc.column, secret);
            let key_hint = loc.key.as_deref().map(|k| {
                let parents = key_parents.get_or_insert_with(|| KeyParents::new(&path, text, &line_starts));
                qualify_key_with(parents, text, &line_starts, loc.line, k)
            });
            // A type annotation (`const key: string = "..."`) is not a name.
            let key_hint = key_hint.as_deref().filter(|k| !is_type_name(k));
            // A bare generic name (`secret=`, `token:`) says less than the provider rule's hint.
            let key_hint = key_hint.filter(|k| rule.env_var.is_none() || !is_generic_name(k));
            let fallback_key = || {
                env_key(
                    key_hint
                        .or(rule.env_var.as_deref())
                        .or(f.key.as_deref())
                        .unwrap_or(&rule.id),
                )
            };
            let cand = match (kind, span) {
                (FileKind::Dotenv, span) => {
                    // The whole value of the assignment holding the secret moves; a secret
                    // encoded in a value (base64, percent-encoding) is found by its line.
                    let entry = entries.iter().find(|e| match &span {
                        Some(s) => e.line.start <= s.start && s.end <= e.line.end,
                        None => line_of(&line_starts, e.line.start) == loc.line,
                    });
                    match entry {
                        Some(e) if !e.exact => manual(
                            fi,
                            f,
                            rules,
                            &path,
                            loc.line,
                            "the value interpolates a variable the file does not set (${...}): move it by hand",
                        ),
                        Some(e) => Candidate {
                            finding: Some(fi),
                            resource: None,
                            path: path.clone(),
                            line: loc.line,
                            key: e.key.clone(),
                            value: e.value.clone().into_bytes(),
                            action: Action::Untrack,
                        },
                        None => manual(
                            fi,
                            f,
                            rules,
                            &path,
                            loc.line,
                            "secret outside a KEY=value line of a dotenv file: remove it by hand",
                        ),
                    }
                }
                (_, None) => manual(
                    fi,
                    f,
                    rules,
                    &path,
                    loc.line,
                    "secret is encoded in the file (base64, escapes): replace it by hand",
                ),
                (FileKind::Config | FileKind::Code(_), Some(span)) if text[span.clone()].contains('\n') => {
                    manual(
                        fi,
                        f,
                        rules,
                        &path,
                        loc.line,
                        "multi-line secret (a key file or certificate): move it by hand",
                    )
                }
                (FileKind::Config, Some(span))
                    if unescape::Syntax::for_path(&path).is_none() && has_escape_before(text, &span) =>
                {
                    manual(
                        fi,
                        f,
                        rules,
                        &path,
                        loc.line,
                        "the value is written with escapes in this file: replace it by hand",
                    )
                }
                (FileKind::Config, Some(span)) => {
                    let (span, key) = widen_url(text, span, rule.env_var.as_deref(), key_hint);
                    let key = key.map_or_else(fallback_key, |k| env_key(&k));
                    // The stored value is what the file's parser reads: escapes undone.
                    let value = match unescape::Syntax::for_path(&path) {
                        Some(syntax) => unescape::value_at(text, &span, syntax),
                        None => Ok(text[span.clone()].to_string()),
                    };
                    match value {
                        Ok(value) => Candidate {
                            finding: Some(fi),
                            resource: None,
                            path: path.clone(),
                            line: loc.line,
                            value: value.into_bytes(),
                            action: match store_reference(opts.store, &path).map_or_else(
                                || config_reference(&path, opts.ref_template.as_deref(), &key),
                                Ok,
                            ) {
                                Ok(template) => Action::Replace {
                                    range: span,
                                    render: Render::Template(template),
                                },
                                Err(why) => Action::Manual(
                                    helm_step(root, tracked, &path, text, loc.line, &key, &mut helm_lookup)
                                        .unwrap_or(why),
                                ),
                            },
                            key,
                        },
                        Err(why) => {
                            let mut c = manual(
                                fi,
                                f,
                                rules,
                                &path,
                                loc.line,
                                &format!("the value cannot be read exactly ({why}): replace it by hand"),
                            );
                            c.key = key;
                            c
                        }
                    }
                }
                (FileKind::Code(lang), Some(span)) => {
                    let key = fallback_key();
                    match code_lookup(text, &span, lang) {
                        Ok((range, render)) => Candidate {
                            finding: Some(fi),
                            resource: None,
                            path: path.clone(),
                            line: loc.line,
                            value: secret.to_vec(),
                            action: Action::Replace { range, render },
                            key,
                        },
                        Err(why) => {
                            let mut c = manual(fi, f, rules, &path, loc.line, &why);
                            c.key = key;
                            c
                        }
                    }
                }
                (FileKind::Other, Some(_)) => manual(
                    fi,
                    f,
                    rules,
                    &path,
                    loc.line,
                    "no safe automatic rewrite for this file type: replace it by hand",
                ),
            };
            candidates.push(cand);
        }
        if kind == FileKind::Dotenv {
            // Loaders take a key's last assignment: it claims the plain key name.
            candidates[before..].reverse();
        }
        if candidates.len() == before {
            for fi in path_only {
                plan.skipped.push(skip(
                    &findings[fi],
                    rules,
                    &path,
                    &format!("no secret value detected in it; if it holds any, untrack it by hand: git rm --cached {path}"),
                ));
            }
            continue;
        }
        if kind == FileKind::Dotenv {
            file.untrack = Some(UntrackPlan {
                example: example_path(&path, &opts.example_file),
                example_text: String::new(),
            });
        }
        plan.files.push(file);
    }

    for (path, m) in &manifests {
        let has_file = plan.files.iter().any(|f| &f.path == path);
        if !has_file && (m.manual_hit || !m.secrets.docs.is_empty()) {
            plan.files.push(FilePlan::new(path, m.hash));
        }
        if opts.k8s_all {
            for u in &m.secrets.unsupported {
                plan.notes
                    .push(format!("{path}:{}: Kubernetes Secret: {}", u.line, u.why));
            }
        }
        let file = plan.files.iter_mut().find(|f| &f.path == path);
        let Some(file) = file else {
            continue;
        };
        for (di, d) in m.secrets.docs.iter().enumerate() {
            let hits: Vec<(usize, usize)> = m.hits.iter().filter(|h| h.0 == di).map(|h| (h.1, h.2)).collect();
            if !opts.k8s_all && hits.is_empty() {
                continue;
            }
            let op = k8s::operator_for(opts.store, opts.k8s_operator);
            if let (Err(why), true) = (&op, hits.is_empty()) {
                // Nothing to rewrite it into: the values stay where they are, a manual step.
                plan.notes.push(format!(
                    "{path}:{}: Kubernetes Secret {}: {why}",
                    d.line, d.manifest.name
                ));
                continue;
            }
            let ri = file.resources.len();
            if let Ok(operator) = op {
                file.resources.push(ResourcePlan {
                    range: d.range.clone(),
                    manifest: d.manifest.clone(),
                    operator,
                    keys: Vec::new(),
                    helm: None,
                });
            }
            let resource = match op {
                Ok(k8s::Operator::Eso) => "ExternalSecret",
                Ok(k8s::Operator::Vso) => "VaultStaticSecret",
                Ok(k8s::Operator::Infisical) => "InfisicalSecret",
                Err(_) => "",
            };
            // A finding goes with the key on its line (else with the first key).
            let entry_lines: BTreeSet<usize> = d.entries.iter().map(|e| e.line).collect();
            let mut by_line: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
            let first = d.entries.first().map_or(0, |e| e.line);
            for &(fi, line) in &hits {
                let at = if entry_lines.contains(&line) { line } else { first };
                by_line.entry(at).or_default().push(fi);
            }
            for e in &d.entries {
                let mut fis: Vec<Option<usize>> = by_line
                    .remove(&e.line)
                    .unwrap_or_default()
                    .into_iter()
                    .map(Some)
                    .collect();
                if fis.is_empty() {
                    if op.is_err() {
                        // Only what a rule flagged moves when the manifest stays.
                        continue;
                    }
                    fis.push(None);
                }
                for fi in fis {
                    candidates.push(Candidate {
                        finding: fi,
                        resource: op.is_ok().then(|| (ri, e.key.clone())),
                        path: path.clone(),
                        line: e.line,
                        key: k8s::store_key(&d.manifest.name, &e.key),
                        value: e.value.clone(),
                        action: match &op {
                            Ok(_) => Action::Manifest(format!(
                                "Secret {} becomes a{} {resource} (key {})",
                                d.manifest.name,
                                if resource.starts_with(['E', 'I']) { "n" } else { "" },
                                e.key
                            )),
                            Err(why) => {
                                Action::Manual(format!("Kubernetes Secret {}: {why}", d.manifest.name))
                            }
                        },
                    });
                }
            }
        }
    }

    let helm_links = helm_rewrites(
        root,
        tracked,
        &texts,
        &mut candidates,
        &mut plan,
        opts,
        &mut helm_lookup,
    );

    // De-duplicate into items: one per (target path, key) and value.
    let mut by_target: BTreeMap<(String, String, String), Vec<usize>> = BTreeMap::new();
    // A key taken by another value moves to KEY_2, KEY_3, ...: each chain remembers how many of
    // its first keys are taken, and where each value sits in it, so thousands of secrets under
    // one name do not probe the chain from the start each time (quadratic).
    let mut chains = SuffixChains::default();
    let template = opts
        .path_template
        .clone()
        .unwrap_or_else(|| default_path_template(opts.store).to_string());
    // The dotenv store keeps environments apart only where one directory has dotenv files of
    // several: `.env.dev` → `.env.dev.local`, `.env.production` → `.env.production.local`.
    let mut suffixes: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in plan.files.iter().filter(|f| f.untrack.is_some()) {
        let (dir, name) = f.path.rsplit_once('/').unwrap_or(("", &f.path));
        suffixes
            .entry(dir.to_string())
            .or_default()
            .insert(name.to_string());
    }
    let local_env = |path: &str| -> String {
        let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
        match (file_kind(path), suffixes.get(dir)) {
            (FileKind::Dotenv, Some(names)) if names.len() > 1 => name
                .strip_prefix(".env.")
                .filter(|s| !s.is_empty() && *s != "local")
                .map(str::to_string)
                .unwrap_or_default(),
            _ => String::new(),
        }
    };
    let mut resource_keys: BTreeSet<(String, usize, String)> = BTreeSet::new();
    for (ci, c) in candidates.iter().enumerate() {
        let env = opts.env.clone().unwrap_or_else(|| infer_env(&c.path));
        let target_env = match opts.store {
            StoreKind::Dotenv => local_env(&c.path),
            _ => env.clone(),
        };
        let tpath = expand_template(
            &template,
            &opts.project,
            &env,
            &target_file_for(&c.path, opts.store),
        );
        // Infisical keeps environments apart itself; elsewhere `{env}` is in the path.
        let scope_env = match opts.store {
            StoreKind::Infisical | StoreKind::Dotenv | StoreKind::Doppler => target_env.clone(),
            _ => String::new(),
        };
        let chain = (scope_env.clone(), tpath.clone(), c.key.clone());
        // The first free position of the chain (positions before it are taken for good).
        let mut n = chains.first_free.get(&chain).copied().unwrap_or(1);
        while by_target
            .get(&(scope_env.clone(), tpath.clone(), suffixed(&c.key, n)))
            .is_some_and(|slot| !slot.is_empty())
        {
            n += 1;
        }
        chains.first_free.insert(chain.clone(), n);
        let same = chains
            .value_at
            .get(&(chain, c.value.clone()))
            .filter(|&&(pos, _)| pos < n)
            .map(|&(_, i)| i);
        let idx = match same {
            Some(i) => i,
            None => {
                // The first free position of the chain: a new item.
                let key = suffixed(&c.key, n);
                plan.items.push(Item {
                    target: Target {
                        path: tpath.clone(),
                        key: key.clone(),
                        env: target_env.clone(),
                    },
                    env: env.clone(),
                    value: Secret::new(c.value.clone()),
                    rules: BTreeSet::new(),
                    fingerprints: BTreeSet::new(),
                    rotate: BTreeSet::new(),
                    providers: BTreeSet::new(),
                    sites: Vec::new(),
                    secrets: BTreeSet::new(),
                });
                let i = plan.items.len() - 1;
                chains.placed(&scope_env, &tpath, &key, &c.value, i);
                by_target
                    .entry((scope_env, tpath.clone(), key))
                    .or_default()
                    .push(i);
                i
            }
        };
        let item = &mut plan.items[idx];
        if let Some(fi) = c.finding {
            let f = &findings[fi];
            let rule = f.rule(rules);
            item.rules.insert(rule.id.clone());
            item.fingerprints.insert(f.fingerprint.clone());
            item.secrets.insert(f.secret.clone());
            if let Some(r) = &rule.rotate {
                item.rotate.insert(r.clone());
            }
            if let Some(p) = &rule.provider {
                item.providers.insert(p.clone());
            }
        } else {
            // A key of a committed Kubernetes Secret that no rule flagged.
            item.rules.insert(K8S_RULE.to_string());
        }
        let action = c.action.clone();
        item.sites.push(Site {
            path: c.path.clone(),
            line: c.line,
            action: action.clone(),
            key: c.key.clone(),
        });
        let file = plan
            .files
            .iter_mut()
            .find(|fp| fp.path == c.path)
            .expect("file planned above");
        file.items.insert(idx);
        match action {
            Action::Replace { range, render } => file.edits.push(Edit {
                range,
                render,
                item: idx,
            }),
            Action::Manual(why) => file.manual.push((idx, c.line, why)),
            Action::Manifest(_) => {
                if let Some((ri, key)) = &c.resource {
                    // One entry per key (a key with several findings has several candidates).
                    if resource_keys.insert((c.path.clone(), *ri, key.clone())) {
                        file.resources[*ri].keys.push((key.clone(), idx));
                    }
                }
            }
            Action::Untrack => {}
        }
        if let Some((template, key)) = helm_links.get(&ci) {
            // The chart template reading this value: rewritten only once it is in the store.
            let tf = plan
                .files
                .iter_mut()
                .find(|fp| &fp.path == template)
                .expect("template planned by helm_rewrites");
            tf.items.insert(idx);
            if resource_keys.insert((template.clone(), 0, key.clone())) {
                tf.resources[0].keys.push((key.clone(), idx));
            }
        }
    }
    // In config files, every other whole-token occurrence of a replaced value is the same
    // secret leaking again (under a key no rule flags): it gets the same reference.
    for file in &mut plan.files {
        // A Helm values file's edits blank whole values: nothing to repeat.
        if file_kind(&file.path) != FileKind::Config || file.edits.is_empty() || !file.requires.is_empty() {
            continue;
        }
        let Some(text) = texts.get(&file.path) else {
            continue;
        };
        let starts = line_starts(text);
        let mut extra: Vec<Edit> = Vec::new();
        for e in &file.edits {
            let value = &text.as_bytes()[e.range.clone()];
            if value.len() < MIN_REPEAT_LEN {
                continue;
            }
            for at in memchr::memmem::find_iter(text.as_bytes(), value) {
                let r = at..at + value.len();
                let taken = file
                    .edits
                    .iter()
                    .chain(extra.iter())
                    .any(|o| o.range.start < r.end && r.start < o.range.end);
                if !taken && whole_token(text.as_bytes(), &r) {
                    let key = plan.items[e.item].target.key.clone();
                    plan.items[e.item].sites.push(Site {
                        key,
                        path: file.path.clone(),
                        line: line_of(&starts, at),
                        action: Action::Replace {
                            range: r.clone(),
                            render: e.render.clone(),
                        },
                    });
                    extra.push(Edit {
                        range: r,
                        render: e.render.clone(),
                        item: e.item,
                    });
                }
            }
        }
        file.edits.extend(extra);
    }
    for file in &mut plan.files {
        // A Secret document is replaced whole: no edit inside it.
        let resources: Vec<Range<usize>> = file.resources.iter().map(|r| r.range.clone()).collect();
        file.edits.retain(|e| {
            !resources
                .iter()
                .any(|r| e.range.start < r.end && r.start < e.range.end)
        });
        file.edits.sort_by_key(|e| (e.range.start, e.range.end));
        file.edits.dedup_by(|b, a| a.range == b.range);
        // Overlapping edits (two rules on one value): keep the widest.
        let mut kept: Vec<Edit> = Vec::new();
        for e in file.edits.drain(..) {
            match kept.last_mut() {
                Some(last) if e.range.start < last.range.end => {
                    if e.range.len() > last.range.len() {
                        *last = e;
                    }
                }
                _ => kept.push(e),
            }
        }
        file.edits = kept;
    }
    // Example files: generated once per dotenv file from its content and its secret keys.
    for file in &mut plan.files {
        if let Some(u) = &mut file.untrack {
            let secret_keys: BTreeSet<&str> = plan
                .items
                .iter()
                .filter(|it| {
                    it.sites
                        .iter()
                        .any(|s| s.path == file.path && s.action == Action::Untrack)
                })
                .map(|it| it.target.key.as_str())
                .collect();
            let secret_values: Vec<&[u8]> = plan
                .items
                .iter()
                .filter(|it| it.sites.iter().any(|s| s.path == file.path))
                .map(|it| it.value.expose())
                .collect();
            let text = texts.get(&file.path).map_or("", String::as_str);
            u.example_text = example_text(text, &secret_keys, &secret_values, findings, rules);
        }
    }
    // Rewrites before untracking: a dotenv file's example may be a config file rewritten here.
    plan.files
        .sort_by(|a, b| (a.untrack.is_some(), &a.path).cmp(&(b.untrack.is_some(), &b.path)));
    plan.items
        .iter_mut()
        .for_each(|it| it.sites.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line))));
    plan
}

impl FilePlan {
    fn new(path: &str, hash: [u8; 32]) -> Self {
        Self {
            path: path.to_string(),
            hash,
            untrack: None,
            edits: Vec::new(),
            items: BTreeSet::new(),
            manual: Vec::new(),
            resources: Vec::new(),
            requires: Vec::new(),
        }
    }
}

/// What the Helm passes ask about a chart, each answered from one reading: a values file's YAML
/// paths and a chart's template references (a values file with thousands of secrets, or large
/// templates, cost linear time, not one file read per secret).
#[derive(Debug, Default)]
struct HelmLookup {
    /// Values file → the YAML paths of its lines.
    paths: BTreeMap<String, k8s::YamlPaths>,
    /// Which templates read which `.Values` path.
    readers: k8s::HelmReaders,
}

impl HelmLookup {
    /// The dotted path of `line` in the values file `path` (holding `text`); `None` when the line
    /// holds no key or the path is longer than any chart uses.
    fn path_at(&mut self, path: &str, text: &str, line: usize) -> Option<String> {
        self.paths
            .entry(path.to_string())
            .or_insert_with(|| k8s::YamlPaths::new(text))
            .at(line)
            .filter(|d| d.len() <= k8s::MAX_VALUES_PATH)
    }
}

/// The manual step for a secret in a Helm chart's values file: which templates read it, and
/// how to feed it from the store instead. `None` outside a chart.
fn helm_step(
    root: &Path,
    tracked: &BTreeSet<String>,
    path: &str,
    text: &str,
    line: usize,
    key: &str,
    lookup: &mut HelmLookup,
) -> Option<String> {
    if !k8s::is_helm_values(root, path) {
        return None;
    }
    let dotted = lookup.path_at(path, text, line)?;
    let readers = lookup.readers.readers(root, tracked, path, &dotted);
    Some(if readers.is_empty() {
        format!(
            "Helm values ({dotted}): no template of this chart reads .Values.{dotted}; delete the value here and pass it at deploy time from the store (`--set {dotted}=...` with the value from `leakless env`); the value is in the store as {key}"
        )
    } else {
        format!(
            "Helm values ({dotted}), read by {}: leakless rewrites a chart template only when it is one plain Secret of such values; delete the value here and either pass it at deploy time (`--set {dotted}=...` with the value from `leakless env`) or make that template an ExternalSecret/InfisicalSecret reading {key} from the store",
            readers.join(", ")
        )
    })
}

/// Helm values whose chart template is a plain Secret (see [`helm`]): that template becomes the
/// operator resource and each value in the values file is blanked. Returns each converted
/// candidate with its template path and Secret key; every other Helm value keeps its manual
/// step, with the reason it was not rewritten.
fn helm_rewrites(
    root: &Path,
    tracked: &BTreeSet<String>,
    texts: &BTreeMap<String, String>,
    candidates: &mut [Candidate],
    plan: &mut Plan,
    opts: &PlanOptions,
    lookup: &mut HelmLookup,
) -> BTreeMap<usize, (String, String)> {
    let mut links = BTreeMap::new();
    let Ok(operator) = k8s::operator_for(opts.store, opts.k8s_operator) else {
        return links;
    };
    // Values file → dotted path → candidates.
    let mut by_file: BTreeMap<String, BTreeMap<String, Vec<usize>>> = BTreeMap::new();
    for (ci, c) in candidates.iter().enumerate() {
        if !matches!(c.action, Action::Manual(_)) || !k8s::is_helm_values(root, &c.path) {
            continue;
        }
        let Some(dotted) = texts
            .get(&c.path)
            .and_then(|t| lookup.path_at(&c.path, t, c.line))
        else {
            continue;
        };
        by_file
            .entry(c.path.clone())
            .or_default()
            .entry(dotted)
            .or_default()
            .push(ci);
    }
    let mut refused: Vec<(usize, String)> = Vec::new();
    for (values, paths) in &by_file {
        let text = texts.get(values).map_or("", String::as_str);
        let dir = values.rsplit_once('/').map_or("", |(d, _)| d);
        // The files of the values file's own directory (a range of the sorted set, except at the
        // root), not every tracked path once per values file.
        let in_dir: Box<dyn Iterator<Item = &String>> = if dir.is_empty() {
            Box::new(tracked.iter())
        } else {
            let prefix = format!("{dir}/");
            Box::new(
                tracked
                    .range(prefix.clone()..)
                    .take_while(move |p| p.starts_with(&prefix)),
            )
        };
        let siblings = in_dir
            .filter(|p| p.rsplit_once('/').map_or("", |(d, _)| d) == dir && k8s::is_helm_values(root, p))
            .count();
        let refuse_all = |why: &str, refused: &mut Vec<(usize, String)>| {
            for cis in paths.values() {
                refused.extend(cis.iter().map(|&ci| (ci, why.to_string())));
            }
        };
        if siblings > 1 {
            refuse_all(
                "the chart has several values files, and one template serves them all",
                &mut refused,
            );
            continue;
        }
        let Ok(doc) = serde_yaml_ng::from_str::<serde_yaml_ng::Value>(text) else {
            refuse_all("the values file is not plain YAML", &mut refused);
            continue;
        };
        // Template → the secret paths it reads (only paths read by exactly one template).
        let mut by_template: BTreeMap<String, Vec<&String>> = BTreeMap::new();
        for (dotted, cis) in paths {
            match lookup.readers.readers(root, tracked, values, dotted).as_slice() {
                [one] => by_template.entry(one.clone()).or_default().push(dotted),
                [] => {}
                _ => refused.extend(
                    cis.iter()
                        .map(|&ci| (ci, "several templates read it".to_string())),
                ),
            }
        }
        for (template, read) in by_template {
            let refuse = |why: String, refused: &mut Vec<(usize, String)>| {
                for d in &read {
                    refused.extend(paths[*d].iter().map(|&ci| (ci, format!("{template}: {why}"))));
                }
            };
            let full = root.join(&template);
            let bytes = std::fs::symlink_metadata(&full)
                .ok()
                .filter(|m| m.is_file() && m.len() <= k8s::MAX_MANIFEST_BYTES as u64)
                .and_then(|_| std::fs::read(&full).ok());
            let Some(ttext) = bytes.as_deref().and_then(|b| std::str::from_utf8(b).ok()) else {
                refuse("cannot be read as a UTF-8 file".into(), &mut refused);
                continue;
            };
            let h = match helm::parse_template(ttext) {
                Ok(h) => h,
                Err(why) => {
                    refuse(why, &mut refused);
                    continue;
                }
            };
            let read_set: BTreeSet<&str> = read.iter().map(|d| d.as_str()).collect();
            let mut why = None;
            for (key, p) in &h.keys {
                if !read_set.contains(p.as_str()) {
                    why = Some(format!(
                        "key {key} reads .Values.{p}, which is not a secret migrated from {values} (or another template reads it too)"
                    ));
                } else if let Some(c) = paths[p]
                    .iter()
                    .map(|&ci| &candidates[ci])
                    .find(|c| yaml_at(&doc, p).is_none_or(|v| v.as_bytes() != c.value.as_slice()))
                {
                    why = Some(format!(
                        "the secret found at .Values.{p} is only part of the value (line {})",
                        c.line
                    ));
                }
            }
            if plan.files.iter().any(|f| f.path == template) {
                why = Some("the template holds a secret of its own".into());
            }
            if let Some(why) = why {
                refuse(why, &mut refused);
                continue;
            }
            let hash: [u8; 32] = Sha256::digest(ttext.as_bytes()).into();
            let mut tf = FilePlan::new(&template, hash);
            tf.resources.push(ResourcePlan {
                range: h.range.clone(),
                manifest: k8s::Manifest {
                    name: h.name.clone(),
                    ..k8s::Manifest::default()
                },
                operator,
                keys: Vec::new(),
                helm: Some(h.clone()),
            });
            plan.files.push(tf);
            if let Some(vf) = plan.files.iter_mut().find(|f| &f.path == values) {
                vf.requires.push(template.clone());
            }
            let starts = line_starts(text);
            for (key, p) in &h.keys {
                for &ci in &paths[p] {
                    let c = &mut candidates[ci];
                    let Some(range) = value_range(text, &starts, c.line) else {
                        refused.push((ci, "cannot find the value on its line".into()));
                        continue;
                    };
                    c.action = Action::Replace {
                        range,
                        render: Render::Template(format!(
                            "\"\"  # moved to {} as {{KEY}} by leakless migrate ({template} reads it from there)",
                            opts.store
                        )),
                    };
                    links.insert(ci, (template.clone(), key.clone()));
                }
            }
        }
    }
    for (ci, why) in refused {
        if let Action::Manual(text) = &mut candidates[ci].action {
            text.push_str(&format!(" (not rewritten automatically: {why})"));
        }
    }
    links
}

/// The string scalar at a dotted path of a YAML mapping.
fn yaml_at<'a>(doc: &'a serde_yaml_ng::Value, dotted: &str) -> Option<&'a str> {
    dotted
        .split('.')
        .try_fold(doc, |v, k| v.get(k))
        .and_then(serde_yaml_ng::Value::as_str)
}

/// The value of the `key: value` on 1-based `line` (quotes and a trailing comment included, so
/// the whole value is replaced).
fn value_range(text: &str, starts: &[usize], line: usize) -> Option<Range<usize>> {
    let start = *starts.get(line.checked_sub(1)?)?;
    let end = starts.get(line).map_or(text.len(), |&e| e);
    let body = text[start..end].trim_end_matches(['\n', '\r']);
    let colon = body.find(": ")? + 1;
    let lead = body[colon..].len() - body[colon..].trim_start().len();
    (colon + lead < body.len()).then(|| start + colon + lead..start + body.len())
}

/// The rule name a Kubernetes Secret's unflagged keys are listed under.
pub const K8S_RULE: &str = "kubernetes-secret-manifest";

/// A tracked YAML file holding Kubernetes `Secret` documents.
struct K8sFile {
    hash: [u8; 32],
    secrets: k8s::Secrets,
    /// First and last line of each migratable document (in file order).
    lines: Vec<(usize, usize)>,
    /// First and last line of each Secret left to a person (in file order).
    unsupported_lines: Vec<(usize, usize)>,
    /// Findings inside a document: (document, finding, line).
    hits: Vec<(usize, usize, usize)>,
    /// A finding sits in a Secret that is left to a person.
    manual_hit: bool,
}

impl K8sFile {
    fn read(root: &Path, path: &str) -> Option<Self> {
        let full = root.join(path);
        let meta = std::fs::symlink_metadata(&full).ok()?;
        if !meta.is_file() || meta.len() > k8s::MAX_MANIFEST_BYTES as u64 {
            return None;
        }
        let bytes = std::fs::read(&full).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let secrets = k8s::find_secrets(&text);
        if secrets.docs.is_empty() && secrets.unsupported.is_empty() {
            return None;
        }
        let hash: [u8; 32] = Sha256::digest(text.as_bytes()).into();
        let span =
            |first: usize, range: &Range<usize>| (first, first + text[range.clone()].matches('\n').count());
        let lines = secrets.docs.iter().map(|d| span(d.line, &d.range)).collect();
        let unsupported_lines = secrets
            .unsupported
            .iter()
            .map(|u| span(u.line, &u.range))
            .collect();
        Some(Self {
            hash,
            secrets,
            lines,
            unsupported_lines,
            hits: Vec::new(),
            manual_hit: false,
        })
    }

    /// The migratable document holding `line` (a binary search: a file may hold thousands of
    /// Secrets, each with a finding).
    fn doc_at(&self, line: usize) -> Option<usize> {
        span_at(&self.lines, line)
    }

    /// The Secret left to a person holding `line`.
    fn unsupported_at(&self, line: usize) -> Option<usize> {
        span_at(&self.unsupported_lines, line)
    }
}

/// `key` at position `n` of its chain: `KEY`, `KEY_2`, `KEY_3`, ...
fn suffixed(key: &str, n: usize) -> String {
    if n <= 1 {
        key.to_string()
    } else {
        format!("{key}_{n}")
    }
}

/// A chain of store keys: (environment scope, store path, base key).
type Chain = (String, String, String);

/// The chains of store keys `KEY`, `KEY_2`, ... per (environment, path): see `build`.
#[derive(Default)]
struct SuffixChains {
    /// Chain → its first position not known to be taken.
    first_free: std::collections::HashMap<Chain, usize>,
    /// (chain, value) → the first position holding that value, and its item.
    value_at: std::collections::HashMap<(Chain, Vec<u8>), (usize, usize)>,
}

impl SuffixChains {
    /// Item `i` with `value` took `key`: position 1 of `key`'s own chain, and position N of
    /// `BASE`'s when `key` is `BASE_N`.
    fn placed(&mut self, env: &str, path: &str, key: &str, value: &[u8], i: usize) {
        let mut at = |base: &str, pos: usize| {
            let slot = self
                .value_at
                .entry((
                    (env.to_string(), path.to_string(), base.to_string()),
                    value.to_vec(),
                ))
                .or_insert((pos, i));
            if pos < slot.0 {
                *slot = (pos, i);
            }
        };
        at(key, 1);
        if let Some((base, n)) = key.rsplit_once('_') {
            if let Ok(n) = n.parse::<usize>() {
                if n >= 2 && suffixed(base, n) == key {
                    at(base, n);
                }
            }
        }
    }
}

/// The span of sorted, disjoint `(first, last)` line spans holding `line`.
fn span_at(spans: &[(usize, usize)], line: usize) -> Option<usize> {
    let i = spans.partition_point(|&(a, _)| a <= line).checked_sub(1)?;
    (line <= spans[i].1).then_some(i)
}

fn in_scope(path: &str, scope: &str) -> bool {
    let scope = scope.trim_start_matches("./").trim_end_matches('/');
    scope.is_empty() || scope == "." || path == scope || path.starts_with(&format!("{scope}/"))
}

fn skip(f: &Finding, rules: &RuleSet, path: &str, reason: &str) -> Skip {
    Skip {
        rule: f.rule(rules).id.clone(),
        fingerprint: f.fingerprint.clone(),
        path: path.to_string(),
        reason: reason.to_string(),
    }
}

fn manual(fi: usize, f: &Finding, rules: &RuleSet, path: &str, line: usize, why: &str) -> Candidate {
    let rule = f.rule(rules);
    Candidate {
        finding: Some(fi),
        resource: None,
        path: path.to_string(),
        line,
        key: env_key(f.key.as_deref().or(rule.env_var.as_deref()).unwrap_or(&rule.id)),
        value: f.secret.expose().to_vec(),
        action: Action::Manual(why.to_string()),
    }
}

/// For a dotenv store the template path is the directory of the file the secret came from for
/// dotenv files, and the repository root for anything else (where the app loads `.env.local`).
fn target_file_for(path: &str, store: StoreKind) -> String {
    if store == StoreKind::Dotenv && file_kind(path) != FileKind::Dotenv {
        // A file at the root: `{dir}` expands to the root.
        return String::new();
    }
    path.to_string()
}

fn example_path(path: &str, example: &str) -> String {
    match path.rsplit_once('/') {
        Some((dir, _)) => format!("{dir}/{example}"),
        None => example.to_string(),
    }
}

/// Byte offsets of line starts.
fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
        .collect()
}

fn line_of(starts: &[usize], off: usize) -> usize {
    starts.partition_point(|&s| s <= off)
}

/// The byte range of `secret` at (line, column) — columns count Unicode scalar values — or, if it
/// is not there literally, anywhere on that line. `None` when the line does not contain it (the
/// secret was decoded from base64 or escapes).
pub fn locate(
    text: &str,
    starts: &[usize],
    line: usize,
    column: usize,
    secret: &[u8],
) -> Option<Range<usize>> {
    if secret.is_empty() || line == 0 || line > starts.len() {
        return None;
    }
    let ls = starts[line - 1];
    let le = starts.get(line).copied().unwrap_or(text.len());
    let line_text = &text[ls..le];
    let at = line_text
        .char_indices()
        .nth(column.saturating_sub(1))
        .map(|(i, _)| ls + i)
        .filter(|&i| text.as_bytes()[i..].starts_with(secret));
    let start = at.or_else(|| memchr::memmem::find(line_text.as_bytes(), secret).map(|i| ls + i))?;
    Some(start..start + secret.len())
}

/// A secret embedded in a URL's userinfo (`scheme://user:SECRET@host`) widens to the whole URL,
/// stored under the assignment key or the rule's env var hint (`DATABASE_URL`).
fn widen_url(
    text: &str,
    span: Range<usize>,
    env_var: Option<&str>,
    key: Option<&str>,
) -> (Range<usize>, Option<String>) {
    let b = text.as_bytes();
    let is_delim = |c: u8| {
        c.is_ascii_whitespace()
            || matches!(
                c,
                b'"' | b'\'' | b'`' | b'<' | b'>' | b',' | b';' | b'(' | b')' | b'[' | b']' | b'{' | b'}'
            )
    };
    let mut s = span.start;
    while s > 0 && !is_delim(b[s - 1]) {
        s -= 1;
    }
    let mut e = span.end;
    while e < b.len() && !is_delim(b[e]) {
        e += 1;
    }
    let token = &text[s..e];
    let rel = span.start - s;
    let scheme = token.find("://");
    let at = token[rel..].find('@');
    match (scheme, at) {
        (Some(sc), Some(_)) if sc < rel && !token[..rel].contains('@') => {
            (s..e, key.or(env_var).map(str::to_string))
        }
        _ => (span, key.map(str::to_string)),
    }
}

/// The replacement of a code literal that is exactly the secret by an environment lookup, where
/// that is safe: a plain one-line string literal (no prefix like `b"`/`r"`/`f"`, no triple
/// quotes, no escapes), not a compile-time constant (`const` in Go, Kotlin, TypeScript enums) and
/// not an annotation argument (Java `@Value("...")`), in a file that already has what the lookup
/// needs (`import os` in Python, `"os"` in Go).
fn code_lookup(text: &str, span: &Range<usize>, lang: Lang) -> Result<(Range<usize>, Render), String> {
    const NOT_LITERAL: &str = "secret is not a whole string literal: replace it by hand";
    let b = text.as_bytes();
    let (Some(&open), Some(&close)) = (span.start.checked_sub(1).map(|i| &b[i]), b.get(span.end)) else {
        return Err(NOT_LITERAL.into());
    };
    let quoted = matches!(open, b'"' | b'\'' | b'`') && open == close;
    let shell_bare = lang == Lang::Shell && open == b'=' && close.is_ascii_whitespace();
    if !quoted && !shell_bare {
        return Err(NOT_LITERAL.into());
    }
    let before = if quoted { span.start - 1 } else { span.start };
    let prev = before.checked_sub(1).map(|i| b[i]);
    if quoted {
        // String prefixes (b"", r"", f"", u8"") and triple quotes change what the literal is.
        if prev.is_some_and(|c| c.is_ascii_alphanumeric() || c == open) || b.get(span.end + 1) == Some(&open)
        {
            return Err("secret is in a prefixed or multi-line string literal: replace it by hand".into());
        }
        if b[span.clone()].contains(&b'\\')
            || (lang == Lang::JavaScript || lang == Lang::TypeScript) && open == b'`'
        {
            return Err("secret is in a literal with escapes or interpolation: replace it by hand".into());
        }
    }
    let line_start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
    let line_head = text[line_start..before].trim_start();
    let is_const = match lang {
        Lang::Go => line_head.starts_with("const ") || in_go_const_block(&text[..line_start]),
        Lang::Java => line_head.starts_with("const val ") || line_head.contains("const val "),
        _ => false,
    };
    if is_const || (lang == Lang::Java && line_head.contains('@')) {
        return Err("secret is a compile-time constant or annotation argument: replace it by hand".into());
    }
    let range = if shell_bare {
        span.clone()
    } else {
        span.start - 1..span.end + 1
    };
    // A JSX attribute (`secret="..."`) takes an expression in braces.
    let jsx =
        matches!(lang, Lang::JavaScript | Lang::TypeScript) && quoted && prev == Some(b'=') && open != b'`';
    let imports = |module: &str| {
        text.lines().any(|l| {
            let l = l.trim();
            l.strip_prefix("import ")
                .is_some_and(|rest| rest.split([',', ' ', ';', '#']).any(|m| m == module))
        })
    };
    match lang {
        Lang::Python if !imports("os") => return Err("add `import os` and read it from os.environ".into()),
        Lang::Go if !text.contains("\"os\"") => return Err("import \"os\" and read it with os.Getenv".into()),
        _ => {}
    }
    Ok((range, Render::Code { lang, braces: jsx }))
}

/// Whether the quoted value around `span` (to the line's quote characters) has a backslash
/// escape: the stored bytes would then differ from what the application reads.
fn has_escape_before(text: &str, span: &Range<usize>) -> bool {
    let line_start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[span.end..].find('\n').map_or(text.len(), |i| span.end + i);
    text[line_start..line_end].contains('\\')
}

/// Whether the text before a line leaves it inside a Go `const ( ... )` block.
fn in_go_const_block(before: &str) -> bool {
    let open = before.rfind("const (");
    open.is_some_and(|o| !before[o..].contains("\n)"))
}

/// The example file for a dotenv file: comments and non-secret assignments kept, secret keys
/// with empty values, any other line that holds a secret dropped. A key the assignment detector
/// calls a secret name (`*_PASSWORD`, `*_TOKEN`, ...) is blanked even when no rule flagged its
/// value (a weak password, a value a rule's allowlist let through).
fn example_text(
    text: &str,
    secret_keys: &BTreeSet<&str>,
    secret_values: &[&[u8]],
    findings: &[Finding],
    rules: &RuleSet,
) -> String {
    let entries = dotenv::parse(text);
    let mut out = String::new();
    let mut pos = 0;
    let all: Vec<&[u8]> = secret_values
        .iter()
        .copied()
        .chain(findings.iter().map(|f| f.secret.expose()))
        .collect();
    let holds_secret = |s: &str| {
        all.iter().any(|v| {
            let t = s.trim().as_bytes();
            !v.is_empty()
                && (memchr::memmem::find(s.as_bytes(), v).is_some()
                        // A line that is a piece of a secret (the body of a multi-line key).
                        || t.len() >= 8 && memchr::memmem::find(v, t).is_some())
        })
    };
    let push_plain = |chunk: &str, out: &mut String| {
        for line in chunk.split_inclusive('\n') {
            if !holds_secret(line) {
                out.push_str(line);
            }
        }
    };
    for e in &entries {
        push_plain(&text[pos..e.line.start], &mut out);
        let line = &text[e.line.clone()];
        if holds_secret(&e.key) {
            // A secret in the key itself: the line is left out.
        } else if secret_keys.contains(e.key.as_str())
            || is_secret_key(rules, &e.key)
            || holds_secret(line)
            || holds_secret(&e.value)
        {
            out.push_str(&format!("{}=", e.key));
        } else {
            out.push_str(line);
        }
        pos = e.line.end;
    }
    push_plain(&text[pos..], &mut out);
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn references_only_where_the_loader_expands_them() {
        let r = |p: &str| super::config_reference(p, None, "K");
        for p in [
            "compose.yml",
            "deploy/docker-compose.prod.yaml",
            "src/main/resources/application.yml",
            "application-prod.properties",
            "bootstrap.yaml",
            "filebeat.yml",
            ".npmrc",
            ".env.example",
        ] {
            assert_eq!(r(p), Ok("${K}".replace("K", "{KEY}")), "{p}");
        }
        assert_eq!(r("serverless.yml"), Ok("${env:{KEY}}".into()));
        assert_eq!(r("conf/grafana.ini"), Ok("$__env{{KEY}}".into()));
        assert_eq!(r("ci/.m2/settings.xml"), Ok("${env.{KEY}}".into()));
        assert!(r(".github/workflows/ci.yml").is_err_and(|m| m.contains("${{ secrets.K }}")));
        assert!(r("appsettings.Production.json").is_err_and(|m| m.contains("__")));
        let g = |s, p| super::store_reference(s, p).map(|t| t.replace("{KEY}", "K"));
        assert_eq!(
            g(StoreKind::Github, ".github/workflows/ci.yml"),
            Some("${{ secrets.K }}".into())
        );
        assert_eq!(
            g(StoreKind::Github, "svc/.github/workflows/deploy.YAML"),
            Some("${{ secrets.K }}".into())
        );
        assert_eq!(g(StoreKind::Github, "compose.yml"), None);
        assert_eq!(g(StoreKind::Github, ".github/dependabot.yml"), None);
        assert_eq!(g(StoreKind::Vault, ".github/workflows/ci.yml"), None);
        for p in [
            "config/settings.yaml",
            "app.json",
            "svc.toml",
            "k8s/deploy.yaml",
            "config.ini",
        ] {
            assert!(
                r(p).is_err_and(|m| m.contains("${K}") && m.contains("--ref-template")),
                "{p}"
            );
        }
        assert_eq!(
            super::config_reference("x.yaml", Some("{{KEY}}"), "K"),
            Ok("{{KEY}}".into())
        );
    }

    use super::*;

    #[test]
    fn envs_are_inferred_from_names_and_dirs() {
        assert_eq!(infer_env(".env.production"), "prod");
        assert_eq!(infer_env("svc/.env.dev"), "dev");
        assert_eq!(infer_env("deploy/staging/values.yaml"), "staging");
        assert_eq!(infer_env("helm/values-prod.yaml"), "prod");
        assert_eq!(infer_env("src/application-test.properties"), "test");
        assert_eq!(infer_env("config/settings.yaml"), "dev");
    }

    #[test]
    fn kinds_and_keys() {
        assert_eq!(file_kind(".env.dev"), FileKind::Dotenv);
        assert_eq!(file_kind("a/prod.env"), FileKind::Dotenv);
        assert_eq!(file_kind(".env.example"), FileKind::Config);
        assert_eq!(file_kind("compose.yml"), FileKind::Config);
        assert_eq!(file_kind("app/main.py"), FileKind::Code(Lang::Python));
        assert_eq!(env_key("stripeSecretKey"), "STRIPE_SECRET_KEY");
        assert_eq!(env_key("db.password"), "DB_PASSWORD");
        assert_eq!(env_key("aws-access-key-id"), "AWS_ACCESS_KEY_ID");
        assert_eq!(
            expand_template("{project}/{env}", "shop", "dev", "a/.env"),
            "shop/dev"
        );
        assert_eq!(expand_template("{dir}", "shop", "dev", ".env"), "");
    }

    /// The parent lookup as first written (a walk back per question): the reference.
    fn parent_naive(path: &str, text: &str, starts: &[usize], line: usize) -> Option<String> {
        let lt = |n: usize| line_text(text, starts, n);
        if path.ends_with(".yaml") {
            let indent = |l: &str| l.len() - l.trim_start_matches([' ', '-']).len();
            let own = indent(lt(line));
            (1..line).rev().map(lt).find_map(|l| {
                let t = l.trim_start();
                if t.is_empty() || t.starts_with('#') || indent(l) >= own {
                    return None;
                }
                let k = t
                    .trim_start_matches(['-', ' '])
                    .split(':')
                    .next()?
                    .trim()
                    .trim_matches(['"', '\'']);
                Some(k.to_string())
            })
        } else {
            (1..line).rev().map(lt).find_map(|l| {
                let inner = l.trim().strip_prefix('[')?.strip_suffix(']')?;
                Some(
                    inner
                        .trim_matches(['[', ']', ' '])
                        .rsplit('.')
                        .next()?
                        .to_string(),
                )
            })
        }
    }

    #[test]
    fn key_parents_agree_with_the_walk_back() {
        let mut next = crate::test_rng(7);
        let pieces = [
            "a: 1", "b:", "- c: x", "-- d: y", "# e: 1", "", "\tf: 2", "[s.t]", "[[u]]", "[", "[ v ]",
            "w = 1",
        ];
        for _ in 0..300 {
            let mut text = String::new();
            for _ in 0..next(30) {
                text.push_str(&" -".repeat(next(3) as usize));
                text.push_str(&" ".repeat(next(5) as usize));
                text.push_str(pieces[next(pieces.len() as u64) as usize]);
                text.push('\n');
            }
            let starts = line_starts(&text);
            for path in ["v.yaml", "c.toml"] {
                for line in 1..=starts.len() {
                    let want = match parent_naive(path, &text, &starts, line) {
                        Some(p) if !p.is_empty() => format!("{p}.key"),
                        _ => "key".to_string(),
                    };
                    assert_eq!(
                        qualify_key(path, &text, &starts, line, "key"),
                        want,
                        "{path} line {line} of {text:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn spans_are_found_by_binary_search() {
        let spans = [(1, 3), (5, 5), (8, 20)];
        let got: Vec<Option<usize>> = (0..22).map(|l| span_at(&spans, l)).collect();
        let want: Vec<Option<usize>> = (0..22)
            .map(|l| spans.iter().position(|&(a, b)| a <= l && l <= b))
            .collect();
        assert_eq!(got, want);
        assert_eq!(span_at(&[], 1), None);
    }

    #[test]
    fn nested_keys_take_their_parent() {
        let y = "database:\n  url: x\nstripe:\n  secret_key: y\n";
        let st = line_starts(y);
        assert_eq!(env_key(&qualify_key("a.yaml", y, &st, 2, "url")), "DATABASE_URL");
        assert_eq!(
            env_key(&qualify_key("a.yaml", y, &st, 4, "secret_key")),
            "STRIPE_SECRET_KEY"
        );
        let t = "[payments.stripe]\nsecret_key = 'y'\n";
        assert_eq!(
            qualify_key("a.toml", t, &line_starts(t), 2, "secret_key"),
            "stripe.secret_key"
        );
        assert_eq!(qualify_key("a.yaml", y, &st, 2, "API_TOKEN"), "API_TOKEN");
    }

    #[test]
    fn urls_widen_to_the_whole_value() {
        let t = "  url: postgres://app:s3cretPassw0rd@db:5432/app\n"; // leakless:allow
        let s = t.find("s3cret").unwrap_or(0);
        let (r, key) = widen_url(t, s..s + 13, Some("DATABASE_URL"), None);
        assert_eq!(&t[r], "postgres://app:s3cretPassw0rd@db:5432/app"); // leakless:allow
        assert_eq!(key.as_deref(), Some("DATABASE_URL"));
    }

    #[test]
    fn helm_values_are_blanked_whole() {
        let t = "db:\n  host: db\n  password: \"abc\"  # prod\nempty:\n  k:\n";
        let starts = line_starts(t);
        assert_eq!(value_range(t, &starts, 3).map(|r| &t[r]), Some("\"abc\"  # prod"));
        assert_eq!(value_range(t, &starts, 5), None, "no value to replace");
        assert_eq!(value_range(t, &starts, 99), None);
        let doc: serde_yaml_ng::Value = serde_yaml_ng::from_str(t).expect("yaml");
        assert_eq!(yaml_at(&doc, "db.password"), Some("abc"));
        assert_eq!(yaml_at(&doc, "db.password.x"), None);
        assert_eq!(yaml_at(&doc, "empty.k"), None);
    }
}
