//! The built-in rule packs, parsed at build time into a static table.
//!
//! `build.rs` reads `rules/*.toml` with the same types the loader uses for user configs
//! ([`super::syntax`]) and writes every rule out as a [`StaticRule`]: a scan turns those into
//! specs without parsing TOML (that parse was most of a pre-commit run's start-up). The examples
//! are in the table too, and only `rules check` ([`super::load_builtin`]) copies them out.

use super::syntax::{AllowlistSpec, RuleSpec, ValidateSpec};

include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

/// One `[[rules]]` entry of a built-in pack, as written (see [`RuleSpec`] for the fields).
#[derive(Debug)]
pub struct StaticRule {
    /// Index of the pack in [`PACK_NAMES`].
    pub pack: usize,
    /// Rule id.
    pub id: &'static str,
    /// Description.
    pub description: Option<&'static str>,
    /// Regex.
    pub regex: Option<&'static str>,
    /// `secretGroup`.
    pub secret_group: Option<usize>,
    /// Entropy floor.
    pub entropy: Option<f64>,
    /// Path regex.
    pub path: Option<&'static str>,
    /// Keywords.
    pub keywords: &'static [&'static str],
    /// Tags.
    pub tags: &'static [&'static str],
    /// `[rules.allowlist]`.
    pub allowlist: Option<&'static StaticAllowlist>,
    /// `[[rules.allowlists]]`.
    pub allowlists: &'static [StaticAllowlist],
    /// Severity.
    pub severity: Option<&'static str>,
    /// Confidence.
    pub confidence: Option<&'static str>,
    /// Provider.
    pub provider: Option<&'static str>,
    /// gitleaks/betterleaks ids.
    pub aliases: &'static [&'static str],
    /// Conventional env var.
    pub env_var: Option<&'static str>,
    /// Where to rotate.
    pub rotate: Option<&'static str>,
    /// Window.
    pub window: Option<usize>,
    /// Checksum.
    pub checksum: Option<&'static str>,
    /// Positive examples.
    pub examples: &'static [&'static str],
    /// Negative examples.
    pub negative_examples: &'static [&'static str],
    /// Detector.
    pub detector: Option<&'static str>,
    /// Detector key regex.
    pub key_regex: Option<&'static str>,
    /// `[rules.validate]`, as TOML text.
    pub validate: Option<&'static str>,
}

/// One allowlist of a built-in rule, as written (see [`AllowlistSpec`]).
#[derive(Debug)]
pub struct StaticAllowlist {
    /// Description.
    pub description: Option<&'static str>,
    /// `OR` / `AND`.
    pub condition: Option<&'static str>,
    /// Commits.
    pub commits: &'static [&'static str],
    /// Path regexes.
    pub paths: &'static [&'static str],
    /// `regexTarget`.
    pub regex_target: Option<&'static str>,
    /// Regexes.
    pub regexes: &'static [&'static str],
    /// Stopwords.
    pub stopwords: &'static [&'static str],
    /// `targetRules`.
    pub target_rules: &'static [&'static str],
}

fn owned(s: Option<&str>) -> Option<String> {
    s.map(str::to_string)
}

fn owned_all(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_string()).collect()
}

impl StaticAllowlist {
    fn to_spec(&self) -> AllowlistSpec {
        AllowlistSpec {
            description: owned(self.description),
            condition: owned(self.condition),
            commits: owned_all(self.commits),
            paths: owned_all(self.paths),
            regex_target: owned(self.regex_target),
            regexes: owned_all(self.regexes),
            stopwords: owned_all(self.stopwords),
            target_rules: owned_all(self.target_rules),
        }
    }
}

impl StaticRule {
    /// The file this rule is written in (`rules/<pack>.toml`).
    pub fn source(&self) -> &'static str {
        PACK_NAMES[self.pack]
    }

    /// The rule as the loader takes it; `examples: false` leaves the examples out (a scan does
    /// not need them).
    pub fn to_spec(&self, examples: bool) -> RuleSpec {
        let ex = |v: &[&str]| if examples { owned_all(v) } else { Vec::new() };
        RuleSpec {
            id: self.id.to_string(),
            description: owned(self.description),
            regex: owned(self.regex),
            secret_group: self.secret_group,
            entropy: self.entropy,
            path: owned(self.path),
            keywords: owned_all(self.keywords),
            tags: owned_all(self.tags),
            allowlist: self.allowlist.map(StaticAllowlist::to_spec),
            allowlists: self.allowlists.iter().map(StaticAllowlist::to_spec).collect(),
            severity: owned(self.severity),
            confidence: owned(self.confidence),
            provider: owned(self.provider),
            aliases: owned_all(self.aliases),
            env_var: owned(self.env_var),
            rotate: owned(self.rotate),
            window: self.window,
            checksum: owned(self.checksum),
            examples: ex(self.examples),
            negative_examples: ex(self.negative_examples),
            detector: owned(self.detector),
            key_regex: owned(self.key_regex),
            validate: self.validate.map(|text| {
                let mut v: ValidateSpec =
                    toml::from_str(text).expect("build.rs wrote this table from a parsed pack");
                // Built-in validators run without --trust-config-validators.
                v.builtin = true;
                v
            }),
        }
    }
}

/// Whether `source` names a built-in pack.
pub fn is_builtin_source(source: &str) -> bool {
    PACK_NAMES.contains(&source)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table is what the TOML says: every pack under `rules/` parsed at test time (as a user
    /// config is) gives the same rules, fields and examples, in the same order.
    #[test]
    fn table_matches_the_packs() {
        let root = env!("CARGO_MANIFEST_DIR");
        let mut from_toml = Vec::new();
        for name in PACK_NAMES {
            let text = std::fs::read_to_string(format!("{root}/{name}")).expect("pack readable");
            let file: crate::rules::syntax::ConfigFile = toml::from_str(&text).expect("pack parses");
            from_toml.extend(file.rules.into_iter().map(|mut r| {
                if let Some(v) = r.validate.as_mut() {
                    v.builtin = true;
                }
                (*name, r)
            }));
        }
        assert_eq!(from_toml.len(), RULES.len());
        for ((name, want), got) in from_toml.iter().zip(RULES) {
            assert_eq!(*name, got.source());
            assert_eq!(
                format!("{want:?}"),
                format!("{:?}", got.to_spec(true)),
                "{}",
                want.id
            );
        }
        let mut files: Vec<String> = std::fs::read_dir(format!("{root}/rules"))
            .expect("rules/")
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.ends_with(".toml"))
            .map(|n| format!("rules/{n}"))
            .collect();
        files.sort();
        let mut names: Vec<String> = PACK_NAMES.iter().map(|s| (*s).to_string()).collect();
        names.sort();
        assert_eq!(files, names, "every rules/*.toml is a built-in pack");
    }
}
