//! The on-disk rule format: the gitleaks v8 TOML configuration, plus leakless' optional fields.
//!
//! These types only deserialize; `rules::compile` turns them into a validated [`super::RuleSet`].
//! Unknown keys are ignored so that configs written for gitleaks, betterleaks or `infisical scan`
//! load unchanged.

use serde::Deserialize;

/// A whole rule file (`.gitleaks.toml`, `.leakless.toml`, `rules/*.toml`).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConfigFile {
    /// Free-form title.
    pub title: Option<String>,
    /// Free-form description.
    pub description: Option<String>,
    /// `[extend]`: base this config on the built-in rules or another file.
    pub extend: Option<Extend>,
    /// `[[rules]]`.
    pub rules: Vec<RuleSpec>,
    /// Deprecated single global `[allowlist]` (gitleaks < 8.25).
    pub allowlist: Option<AllowlistSpec>,
    /// Global `[[allowlists]]`.
    pub allowlists: Vec<AllowlistSpec>,
}

/// The `[extend]` table.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Extend {
    /// Start from the built-in rules.
    #[serde(rename = "useDefault")]
    pub use_default: bool,
    /// Start from another config file (relative to this one).
    pub path: Option<String>,
    /// Rule ids of the base to drop.
    #[serde(rename = "disabledRules")]
    pub disabled_rules: Vec<String>,
}

/// One `[[rules]]` entry.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct RuleSpec {
    /// Unique, stable rule id.
    pub id: String,
    /// What the rule finds.
    pub description: Option<String>,
    /// The detection regex (RE2/Rust syntax).
    pub regex: Option<String>,
    /// Which capture group holds the secret.
    #[serde(rename = "secretGroup")]
    pub secret_group: Option<usize>,
    /// Minimum Shannon entropy (bits per byte) of the secret.
    pub entropy: Option<f64>,
    /// Regex on the file path: restricts the rule, or alone makes a path-only rule.
    pub path: Option<String>,
    /// Keywords (ASCII case-insensitive) that must occur for the rule to run.
    pub keywords: Vec<String>,
    /// Free-form tags.
    pub tags: Vec<String>,
    /// Deprecated single `[rules.allowlist]`.
    pub allowlist: Option<AllowlistSpec>,
    /// `[[rules.allowlists]]`.
    pub allowlists: Vec<AllowlistSpec>,
    // ---- leakless extensions ----
    /// `critical`, `high`, `medium`, `low` or `info` (default `high`).
    pub severity: Option<String>,
    /// How sure a finding of this rule is a real credential: `high` (a provider-verified format
    /// or checksum), `medium` (an ambiguous value next to the provider's name) or `low` (generic).
    /// Default: `low` for detector rules, `high` for rules with a `checksum`, else `medium` when
    /// the regex needs one of the rule's keywords before the secret, else `high`.
    pub confidence: Option<String>,
    /// Provider slug (`aws`, `github`, ...).
    pub provider: Option<String>,
    /// gitleaks/betterleaks rule ids this rule covers (the same kind of token): they select it in
    /// `[extend] disabledRules`, `--enable-rule`, `targetRules`, `.gitleaksignore` and imported
    /// gitleaks reports.
    pub aliases: Vec<String>,
    /// Conventional environment variable name (migration key hint).
    pub env_var: Option<String>,
    /// Where to rotate or revoke the credential.
    pub rotate: Option<String>,
    /// Bytes of context searched on each side of a keyword hit.
    pub window: Option<usize>,
    /// A checksum the token carries and that must verify (`crc32-base62` for GitHub/npm).
    pub checksum: Option<String>,
    /// Texts that must produce a finding for this rule.
    pub examples: Vec<String>,
    /// Texts that must not produce a finding for this rule.
    pub negative_examples: Vec<String>,
    /// A built-in detector that finds this rule's secrets instead of a regex: `assignment`,
    /// `assignment-password`, `assignment-url` or `assignment-basic-auth` (see README, "Assignments").
    pub detector: Option<String>,
    /// Assignment detectors: a regex on the (lowercased) key name that makes an assignment a candidate.
    pub key_regex: Option<String>,
    /// `[rules.validate]`: how `--validate` asks the provider whether a found secret is live.
    pub validate: Option<ValidateSpec>,
}

/// `[rules.validate]`: one read-only identity call that tells whether a secret is live (see
/// README, "Validation"). Strings may hold `{{secret}}` and `{{NAME}}` for each component.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct ValidateSpec {
    /// `http` (default: the request below), or a coded validator: `vault-token`,
    /// `vault-approle`, `infisical-universal-auth`, `aws-sts`.
    pub kind: Option<String>,
    /// `GET` (default), `POST` or `HEAD`.
    pub method: Option<String>,
    /// `https://` URL; its host is literal (pinned): templates only in the path and query.
    pub url: Option<String>,
    /// Request headers (values are templates).
    pub headers: std::collections::BTreeMap<String, String>,
    /// `[user, password]` templates sent as HTTP basic auth.
    pub basic_auth: Option<Vec<String>>,
    /// Request body template.
    pub body: Option<String>,
    /// Components the check needs besides the secret: name → where it is found: `paired` (the
    /// id paired with the secret, as `*_CLIENT_ID` for `*_CLIENT_SECRET`) or `rule:ID` (the
    /// secret of a finding of rule ID in the same file); alternatives separated by `|`.
    pub components: std::collections::BTreeMap<String, String>,
    /// What a live answer looks like.
    pub live: Option<ResponseMatch>,
    /// What a dead answer looks like.
    pub dead: Option<ResponseMatch>,
    /// Set by the loader for the built-in packs only (a config file cannot set it): built-in
    /// validators run with `--validate`, a config's only with `--trust-config-validators`.
    #[serde(skip)]
    pub builtin: bool,
}

/// A condition on a response: every given part must hold.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct ResponseMatch {
    /// One of these HTTP statuses.
    pub status: Vec<u16>,
    /// JSON pointer (`/ok`, `/data/id`) → expected value; an array lists accepted values; the
    /// string `"*"` only asks that the pointer exists.
    pub json: std::collections::BTreeMap<String, toml::Value>,
}

/// Coded validator kinds (`kind = ...`).
pub const VALIDATE_KINDS: &[&str] = &[
    "http",
    "vault-token",
    "vault-approle",
    "infisical-universal-auth",
    "aws-sts",
];

impl ValidateSpec {
    /// Checks the table: a known kind; for `http`, an `https://` URL whose scheme and host are
    /// literal (a secret can only be sent to the host the rule names) and conditions that can
    /// decide.
    pub fn check(&self) -> Result<(), String> {
        let kind = self.kind.as_deref().unwrap_or("http");
        if !VALIDATE_KINDS.contains(&kind) {
            return Err(format!("validate: unknown kind '{kind}'"));
        }
        for (name, from) in &self.components {
            if name == "secret"
                || name.is_empty()
                || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            {
                return Err(format!("validate: bad component name '{name}'"));
            }
            for alt in from.split('|') {
                if alt != "paired" && alt.strip_prefix("rule:").is_none_or(str::is_empty) {
                    return Err(format!(
                        "validate: component '{name}': '{alt}' is not `paired` or `rule:ID`"
                    ));
                }
            }
        }
        if kind != "http" {
            return Ok(());
        }
        let url = self
            .url
            .as_deref()
            .ok_or("validate: an http validator needs a url")?;
        let rest = url
            .strip_prefix("https://")
            .ok_or("validate: the url must start with https://")?;
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if host.is_empty() || host.contains(['{', '}', '@', '\\']) {
            return Err("validate: the url's host must be written out (no template, no user info)".into());
        }
        match self.method.as_deref().unwrap_or("GET") {
            "GET" | "POST" | "HEAD" => {}
            m => {
                return Err(format!(
                    "validate: method '{m}' (GET, POST or HEAD only: identity calls)"
                ))
            }
        }
        if self.live.is_none() {
            return Err("validate: a [rules.validate.live] condition is needed".into());
        }
        for (k, v) in &self.headers {
            if k.is_empty()
                || !k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                || v.contains(['\r', '\n'])
            {
                return Err(format!("validate: bad header '{k}'"));
            }
        }
        if self.basic_auth.as_ref().is_some_and(|b| b.len() != 2) {
            return Err("validate: basic_auth is [user, password]".into());
        }
        Ok(())
    }
}

impl RuleSpec {
    /// A rule with only an id (and allowlists, keywords, tags, entropy, description...): in
    /// gitleaks (>= 8.25) it extends the rule of that id in the base config instead of defining
    /// one.
    pub fn is_extension(&self) -> bool {
        self.regex.is_none() && self.path.is_none() && self.detector.is_none()
    }

    /// Whether this rule answers to `id` (its own id or one of its aliases).
    pub fn answers_to(&self, id: &str) -> bool {
        self.id == id || self.aliases.iter().any(|a| a == id)
    }

    /// `over` applied on top of `self`, as gitleaks merges a rule of the extending config into
    /// the base rule of the same id: fields `over` sets win; keywords, tags, aliases and
    /// allowlists are added. The id stays the base rule's.
    pub fn merged_with(mut self, over: RuleSpec) -> RuleSpec {
        macro_rules! take {
            ($($f:ident),*) => { $( if over.$f.is_some() { self.$f = over.$f; } )* };
        }
        if over.regex.is_some() {
            // A new pattern: the base's detector, key regex and examples do not describe it.
            self.detector = None;
            self.key_regex = None;
            self.examples = over.examples.clone();
            self.negative_examples = over.negative_examples.clone();
            self.secret_group = None;
        }
        take!(
            description,
            regex,
            secret_group,
            entropy,
            path,
            severity,
            provider,
            env_var,
            rotate,
            window,
            checksum,
            detector,
            key_regex,
            validate
        );
        self.keywords.extend(over.keywords);
        self.tags.extend(over.tags);
        for a in over.aliases {
            if !self.aliases.contains(&a) {
                self.aliases.push(a);
            }
        }
        self.allowlists.extend(over.allowlist);
        self.allowlists.extend(over.allowlists);
        self
    }
}

/// An allowlist, global or per rule.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct AllowlistSpec {
    /// Free-form description.
    pub description: Option<String>,
    /// `OR` (default): any criterion suppresses; `AND`: all given criteria must hold.
    pub condition: Option<String>,
    /// Commit ids to ignore (history scans).
    pub commits: Vec<String>,
    /// Path regexes.
    pub paths: Vec<String>,
    /// What `regexes` are matched against: `secret` (default), `match` or `line`.
    #[serde(rename = "regexTarget")]
    pub regex_target: Option<String>,
    /// Regexes that suppress a finding.
    pub regexes: Vec<String>,
    /// Substrings of the secret that suppress a finding (case-insensitive).
    pub stopwords: Vec<String>,
    /// Global allowlists only: limit to these rule ids.
    #[serde(rename = "targetRules")]
    pub target_rules: Vec<String>,
}
