//! Coming from gitleaks: its published default config, its rule ids (aliases), its ignore file,
//! its reports as baselines, its command lines and its report formats.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use leakless::matching::{Input, MatchOptions, RawMatch, Scanner, Scratch};
use leakless::rules::{self, LoadOptions, RuleSet};

use crate::scantest;

const GITLEAKS_DEFAULT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/gitleaks-default.toml");
const BETTERLEAKS_DEFAULT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/betterleaks-default.toml");

/// A GitHub classic PAT with a valid checksum (built at run time: no literal secret here).
fn gh_token() -> String {
    ["ghp_", "Zq4W8mR2xT6yK1pN9vB3cL7dF5hJ0s2Z3cmb"].concat()
}

fn aws_key() -> String {
    ["AKIA", "Q3EGT5MBL7XZPW4N"].concat()
}

/// `(rule id, example index, secret bytes)` of every match of `set` on `corpus`.
fn scan_corpus(set: &RuleSet, corpus: &[String]) -> BTreeSet<(String, usize, Vec<u8>)> {
    let scanner = Scanner::new(
        set,
        MatchOptions {
            inline_allow: false,
            ignore_rule_paths: true,
        },
    );
    let mut scratch = Scratch::default();
    let mut out = BTreeSet::new();
    for (i, text) in corpus.iter().enumerate() {
        let mut m: Vec<RawMatch> = Vec::new();
        scanner.scan(
            Input {
                data: text.as_bytes(),
                path: None,
                commit: None,
            },
            &mut scratch,
            &mut m,
        );
        for x in m {
            out.insert((set.rules()[x.rule as usize].id.clone(), i, x.secret));
        }
    }
    out
}

fn load_with(opts: LoadOptions) -> RuleSet {
    rules::load(&opts).unwrap_or_else(|e| panic!("load: {e}"))
}

fn ids(set: &RuleSet) -> BTreeSet<String> {
    set.rules().iter().map(|r| r.id.clone()).collect()
}

/// Every alias of every built-in rule, run both ways: `--enable-rule ALIAS` and
/// `--enable-rule <the rules listing it>` select the same rules and find the same secrets in the
/// rules' own examples; `[extend] disabledRules = [ALIAS]` and `= [<those rules>]` leave the
/// same findings, none by those rules.
#[test]
fn every_alias_selects_the_same_rules_both_ways() {
    let builtin = rules::load_builtin().expect("built-in rules");
    let mut by_alias: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in builtin.rules() {
        for a in &r.aliases {
            by_alias.entry(a.clone()).or_default().push(r.id.clone());
        }
    }
    assert!(by_alias.len() >= 90, "only {} aliases", by_alias.len());
    let tmp = tempfile::tempdir().expect("tempdir");
    for (alias, rule_ids) in &by_alias {
        let corpus: Vec<String> = rule_ids
            .iter()
            .flat_map(|id| builtin.get(id).expect("rule").examples.clone())
            .collect();
        assert!(
            !corpus.is_empty(),
            "{alias}: the rules {rule_ids:?} have no examples"
        );
        let by_name = load_with(LoadOptions {
            enable: vec![alias.clone()],
            ..Default::default()
        });
        let by_ids = load_with(LoadOptions {
            enable: rule_ids.clone(),
            ..Default::default()
        });
        assert_eq!(ids(&by_name), rule_ids.iter().cloned().collect(), "{alias}");
        assert!(by_name.warnings.is_empty(), "{alias}: {:?}", by_name.warnings);
        let found = scan_corpus(&by_name, &corpus);
        assert_eq!(found, scan_corpus(&by_ids, &corpus), "{alias}");
        for id in rule_ids {
            assert!(
                found.iter().any(|(r, _, _)| r == id),
                "{alias}: rule {id} found nothing in its own examples"
            );
        }
        let path = tmp.path().join("disable.toml");
        std::fs::write(
            &path,
            format!("[extend]\nuseDefault = true\ndisabledRules = [\"{alias}\"]\n"),
        )
        .expect("write config");
        let without_alias = load_with(LoadOptions {
            config: Some(path),
            ..Default::default()
        });
        assert!(
            without_alias.warnings.is_empty(),
            "{alias}: {:?}",
            without_alias.warnings
        );
        // Disabling by alias leaves exactly the rules disabling by id leaves, in the same order:
        // the same rule set, so the same scan.
        let expected: Vec<&str> = builtin
            .rules()
            .iter()
            .map(|r| r.id.as_str())
            .filter(|id| !rule_ids.iter().any(|x| x == id))
            .collect();
        let left: Vec<&str> = without_alias.rules().iter().map(|r| r.id.as_str()).collect();
        assert_eq!(left, expected, "{alias}");
    }
}

/// gitleaks' default config (and betterleaks', when its copy is present) loads — every Go
/// pattern translated — and `rules check` runs clean on it.
#[test]
fn published_default_configs_load_and_check() {
    for (path, min_rules) in [(GITLEAKS_DEFAULT, 200), (BETTERLEAKS_DEFAULT, 200)] {
        if !Path::new(path).exists() {
            assert_ne!(
                path, GITLEAKS_DEFAULT,
                "the gitleaks config is part of the test data"
            );
            continue;
        }
        let set = load_with(LoadOptions {
            config: Some(path.into()),
            ..Default::default()
        });
        assert!(
            set.rules().len() >= min_rules,
            "{path}: {} rules",
            set.rules().len()
        );
        assert!(set.warnings.is_empty(), "{path}: {:?}", set.warnings);
        for r in set.rules() {
            if let Some(Err(e)) = r.regex() {
                panic!("{path}: rule {}: {e}", r.id);
            }
        }
        let out = Command::new(env!("CARGO_BIN_EXE_leakless"))
            .args(["rules", "check", path])
            .output()
            .expect("run");
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{text}");
        assert!(text.contains(" 0 failures"), "{text}");
    }
}

/// Tokens in the formats gitleaks' rules describe, one file per gitleaks rule id: the built-in
/// rules' own examples for every rule id they alias, and hand-built samples for gitleaks rules
/// leakless covers with a generic detector. `scan -c <gitleaks default>` must exit 1 (never 2)
/// and fire the expected gitleaks rule on each file.
#[test]
fn gitleaks_default_config_fires_the_expected_rules() {
    let dir = crate::util::TestDir::new();
    let builtin = rules::load_builtin().expect("built-in rules");
    let gitleaks = load_with(LoadOptions {
        config: Some(GITLEAKS_DEFAULT.into()),
        ..Default::default()
    });
    let gitleaks_ids = ids(&gitleaks);
    let mut expected: Vec<(String, String)> = Vec::new(); // (file, gitleaks rule id)
    let mut n = 0;
    for r in builtin.rules() {
        for alias in r.aliases.iter().filter(|a| gitleaks_ids.contains(*a)) {
            // gitleaks matches within a line or a short context; one example per file.
            for ex in r.examples.iter().take(2) {
                n += 1;
                let file = format!("alias/{n}-{alias}.txt");
                dir.create(&file, format!("{ex}\n"));
                expected.push((file, alias.clone()));
            }
        }
    }
    let hand: Vec<(&str, String)> = vec![
        (
            "generic-api-key",
            "api_token = \"Xq7vLm2pRt9sKw4zNb6yHc3d\"\n".into(),
        ),
        (
            "curl-auth-header",
            format!(
                "curl -H \"Authorization: Bearer {}\" https://api.example.org\n",
                "tZ8qLm3vR7xk2Wp9sNd4"
            ),
        ),
        ("aws-access-token", format!("key = {}\n", aws_key())),
        ("github-pat", format!("token: {}\n", gh_token())),
        ("pkcs12-file", String::new()),
        (
            "slack-webhook-url",
            format!(
                "{}{}\n",
                "https://hooks.slack.com/services/", "T0A1B2C3D/B4E5F6G7H/q8R9s0T1u2V3w4X5y6Z7a8B9c0D1e2F3g4"
            ),
        ),
        (
            "stripe-access-token",
            format!("{}{}\n", "sk_live_", "4eC39HqLyjWDarjtT1zdp7dcX7"),
        ),
        (
            "private-key",
            format!(
                "-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----\n",
                "MIIEowIBAAKCAQEAx3Zq8Lm2pRt9sKw4zNb6yHc3dVf7Jg1Qe5Ua0Xo8Wi2Ek4Ry6Tu9Io3Pl7Mn5Bv"
            ),
        ),
    ];
    for (id, text) in &hand {
        let file = if *id == "pkcs12-file" {
            "hand/keystore.p12".to_string()
        } else {
            format!("hand/{id}.txt")
        };
        dir.create(&file, text);
        expected.push((file, (*id).to_string()));
    }
    let (code, v) = dir
        .cmd()
        .args(["scan", ".", "-c", GITLEAKS_DEFAULT, "--no-inline-allow"])
        .json();
    assert_eq!(code, 1, "{v}");
    let hits: BTreeSet<(String, String)> = crate::util::hits(&v)
        .into_iter()
        .map(|(rule, path, _)| (path, rule))
        .collect();
    // Every gitleaks rule id fires on at least one file made for it, except where gitleaks'
    // pattern is narrower than the token format the leakless rule (and its examples) cover.
    const NARROWER: &[(&str, &str)] = &[
        (
            "alibaba-secret-key",
            "needs the word alibaba at most 20 characters before the value",
        ),
        ("gitlab-pat-routable", "the examples are classic glpat- tokens"),
        (
            "gitlab-ptt",
            "hex only; trigger tokens in the examples use the full alphabet",
        ),
        (
            "gitlab-runner-authentication-token-routable",
            "the examples are classic glrt- tokens",
        ),
        (
            "dropbox-short-lived-api-token",
            "exactly 135 characters after sl., next to the word dropbox",
        ),
        (
            "datadog-access-token",
            "needs the word datadog, not the DD_ prefix",
        ),
    ];
    let mut fired: BTreeMap<&str, bool> = BTreeMap::new();
    for (file, id) in &expected {
        *fired.entry(id.as_str()).or_default() |= hits.contains(&(file.clone(), id.clone()));
    }
    let silent: BTreeSet<&str> = fired.iter().filter(|(_, f)| !**f).map(|(id, _)| *id).collect();
    let allowed: BTreeSet<&str> = NARROWER.iter().map(|(id, _)| *id).collect();
    assert_eq!(
        silent, allowed,
        "gitleaks rules that fired on none of their files"
    );
    assert!(
        fired.len() >= 90,
        "only {} gitleaks rule ids exercised",
        fired.len()
    );
    for (file, id) in expected.iter().filter(|(f, _)| f.starts_with("hand/")) {
        assert!(
            hits.contains(&(file.clone(), id.clone())),
            "{id} did not fire on {file}: {hits:?}"
        );
    }
}
