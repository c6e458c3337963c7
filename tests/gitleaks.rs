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
            ..MatchOptions::default()
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

/// gitleaks' and betterleaks' default configs load — every Go
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

/// Tokens in the formats gitleaks' rules describe, one file per rule id of the published config:
/// the built-in rules' own examples for every id they alias, and hand-built samples for rules
/// leakless covers with a generic detector. `scan -c <config>` must exit 1 (never 2) and fire the
/// expected rule on its files. `narrower`: ids whose pattern is narrower than the token format
/// the aliasing rule's examples cover (they must be exactly the ids that fire on none).
fn published_config_fires(config: &str, narrower: &[(&str, &str)]) {
    let dir = crate::util::TestDir::new();
    let builtin = rules::load_builtin().expect("built-in rules");
    let published = load_with(LoadOptions {
        config: Some(config.into()),
        ..Default::default()
    });
    let published_ids = ids(&published);
    let mut expected: Vec<(String, String)> = Vec::new(); // (file, rule id of the config)
    let mut n = 0;
    for r in builtin.rules() {
        for alias in r.aliases.iter().filter(|a| published_ids.contains(*a)) {
            // gitleaks matches within a line or a short context; one example per file. Every
            // example: ours are written in many syntaxes, gitleaks' patterns know fewer of them.
            for ex in &r.examples {
                n += 1;
                let file = format!("alias/{n}-{alias}.txt");
                dir.create(&file, format!("{ex}\n"));
                expected.push((file, alias.clone()));
            }
        }
    }
    let hand: Vec<(&str, String)> = vec![
        ("generic-api-key", "api_token = \"Xq7vLm2pRt9sKw4zNb6yHc3d\"\n".into()),
        (
            "curl-auth-header",
            format!("curl -H \"Authorization: Bearer {}\" https://api.example.org\n", "tZ8qLm3vR7xk2Wp9sNd4"),
        ),
        ("aws-access-token", format!("key = {}\n", aws_key())),
        ("github-pat", format!("token: {}\n", gh_token())),
        ("pkcs12-file", String::new()),
        (
            "slack-webhook-url",
            format!("{}{}\n", "https://hooks.slack.com/services/", "T0A1B2C3D/B4E5F6G7H/q8R9s0T1u2V3w4X5y6Z7a8B9c0D1e2F3g4"),
        ),
        ("stripe-access-token", format!("{}{}\n", "sk_live_", "4eC39HqLyjWDarjtT1zdp7dcX7")),
        (
            "private-key",
            format!(
                "-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----\n",
                "MIIEowIBAAKCAQEAx3Zq8Lm2pRt9sKw4zNb6yHc3dVf7Jg1Qe5Ua0Xo8Wi2Ek4Ry6Tu9Io3Pl7Mn5Bv"
            ),
        ),
        (
            "kubernetes-secret-yaml",
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  password: cTg3dkxtMnBSdDlzS3c0ek5i\n".into(),
        ),
    ];
    for (id, text) in &hand {
        let file = match *id {
            "pkcs12-file" => "hand/keystore.p12".to_string(),
            "kubernetes-secret-yaml" => "hand/secret.yaml".to_string(),
            _ => format!("hand/{id}.txt"),
        };
        dir.create(&file, text);
        expected.push((file, (*id).to_string()));
    }
    let (code, v) = dir
        .cmd()
        .args(["scan", ".", "-c", config, "--no-inline-allow"])
        .json();
    assert_eq!(code, 1, "{v}");
    let hits: BTreeSet<(String, String)> = crate::util::hits(&v)
        .into_iter()
        .map(|(rule, path, _)| (path, rule))
        .collect();
    let mut fired: BTreeMap<&str, bool> = BTreeMap::new();
    for (file, id) in &expected {
        *fired.entry(id.as_str()).or_default() |= hits.contains(&(file.clone(), id.clone()));
    }
    let silent: BTreeSet<&str> = fired.iter().filter(|(_, f)| !**f).map(|(id, _)| *id).collect();
    let allowed: BTreeSet<&str> = narrower.iter().map(|(id, _)| *id).collect();
    assert_eq!(
        silent, allowed,
        "{config}: rules that fired on none of their files"
    );
    assert!(fired.len() >= 90, "only {} rule ids exercised", fired.len());
    for (file, id) in expected.iter().filter(|(f, _)| f.starts_with("hand/")) {
        assert!(
            hits.contains(&(file.clone(), id.clone())),
            "{id} did not fire on {file}: {hits:?}"
        );
    }
}

/// Ids whose published pattern (gitleaks' and betterleaks' alike) is narrower than the token
/// format our examples are written in, with why.
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
    (
        "bitbucket-client-id",
        "32 lowercase characters; Bitbucket OAuth consumer keys are 18 mixed-case",
    ),
    (
        "bitbucket-client-secret",
        "32 lowercase characters; consumer secrets are 32 mixed-case",
    ),
    (
        "codecov-access-token",
        "32 characters; Codecov upload tokens are UUIDs",
    ),
    (
        "coinbase-access-token",
        "64 characters; the examples are 32-character legacy API secrets",
    ),
    (
        "droneci-access-token",
        "needs the word droneci; examples use DRONE_TOKEN",
    ),
    (
        "facebook-page-access-token",
        "EAAM/EAAC only; the examples carry other EAA app letters",
    ),
    (
        "flutterwave-encryption-key",
        "FLWSECK_TEST- only; live encryption keys have no such prefix",
    ),
    (
        "nuget-config-password",
        "needs whitespace-free attribute order as gitleaks writes it",
    ),
    (
        "sidekiq-sensitive-url",
        "only contribsys.com hosts; the alias rule covers any http URL password",
    ),
    (
        "twitter-bearer-token",
        "22 leading A's; app-only bearer tokens have 21",
    ),
    (
        "yandex-access-token",
        "needs the word yandex; examples use YC_ keys",
    ),
    ("yandex-api-key", "needs the word yandex; examples use YC_ keys"),
    (
        "yandex-aws-access-token",
        "needs the word yandex; examples use YC_ keys",
    ),
];

#[test]
fn gitleaks_default_config_fires_the_expected_rules() {
    published_config_fires(GITLEAKS_DEFAULT, NARROWER);
}

#[test]
fn betterleaks_default_config_fires_the_expected_rules() {
    published_config_fires(BETTERLEAKS_DEFAULT, NARROWER);
}

/// Runs git in `dir` with no user or system config and fixed dates.
fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_DATE", "@1700000000 +0000")
        .env("GIT_COMMITTER_DATE", "@1700000000 +0000")
        .env("GIT_AUTHOR_NAME", "Dev")
        .env("GIT_AUTHOR_EMAIL", "dev@example.org")
        .env("GIT_COMMITTER_NAME", "Dev")
        .env("GIT_COMMITTER_EMAIL", "dev@example.org")
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A repository with two commits: the first adds an AWS key, the second a GitHub token.
fn two_commit_repo(dir: &crate::util::TestDir) -> std::path::PathBuf {
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(&repo).expect("mkdir");
    git(&repo, &["init", "-q", "-b", "main"]);
    std::fs::write(repo.join("aws.env"), format!("AWS_ACCESS_KEY_ID={}\n", aws_key())).expect("write");
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "add aws"]);
    std::fs::write(repo.join("gh.env"), format!("GITHUB_TOKEN={}\n", gh_token())).expect("write");
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "add gh"]);
    repo
}

/// `(rule, file, line)` of a gitleaks JSON report, sorted.
fn gl_hits(v: &serde_json::Value) -> Vec<(String, String, u64)> {
    let mut out: Vec<(String, String, u64)> = v
        .as_array()
        .expect("gitleaks report is an array")
        .iter()
        .map(|f| {
            (
                f["RuleID"].as_str().expect("RuleID").to_string(),
                f["File"].as_str().expect("File").to_string(),
                f["StartLine"].as_u64().expect("StartLine"),
            )
        })
        .collect();
    out.sort();
    out
}

fn read_json(p: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}: {text}", p.display()))
}

scantest!(dir_and_stdin_find_what_scan_finds, |dir| {
    dir.create("app/.env", format!("GITHUB_TOKEN={}\n", gh_token()));
    dir.create("app/aws.py", format!("key = \"{}\"\n", aws_key()));
    dir.create(".gitignore", "app/.env\n");
    let (code, v) = dir.cmd().args(["scan", ".", "--no-ignore"]).json();
    assert_eq!(code, 1);
    let want = crate::util::hits(&v);
    // The token, the key, and the committed .env file itself.
    assert_eq!(want.len(), 3, "{want:?}");
    // `dir` scans every file, .gitignore or not, as gitleaks does.
    let (code, _, err) = dir.cmd().args(["dir", ".", "-r", "r.json", "--no-banner"]).run();
    assert_eq!(code, 1, "{err}");
    assert_eq!(gl_hits(&read_json(&dir.path().join("r.json"))), want);

    let (code, v) = dir
        .cmd()
        .args(["scan", "--stdin", "--stdin-name", "<stdin>"])
        .json_with_stdin(&std::fs::read(dir.path().join("app/aws.py")).expect("read"));
    assert_eq!(code, 1);
    let want = crate::util::hits(&v);
    let out = dir
        .cmd()
        .args(["stdin", "-r", "-", "-f", "json"])
        .run_with_stdin(&std::fs::read(dir.path().join("app/aws.py")).expect("read"));
    assert_eq!(out.0, 1, "{}", out.2);
    let got = gl_hits(&serde_json::from_str(&out.1).expect("JSON on stdout"));
    assert_eq!(got, want);
});

scantest!(git_detect_and_protect_find_what_scan_finds, |dir| {
    let repo = two_commit_repo(&dir);
    let (code, v) = dir
        .cmd()
        .args(["scan"])
        .arg_path(&repo)
        .args(["--history"])
        .json();
    assert_eq!(code, 1);
    let want = crate::util::hits(&v);
    assert_eq!(want.len(), 2, "{want:?}");
    let report = dir.path().join("git.json");
    let (code, _, err) = dir
        .cmd()
        .args(["git"])
        .arg_path(&repo)
        .args(["--report-path"])
        .arg_path(&report)
        .args(["--report-format", "json"])
        .run();
    assert_eq!(code, 1, "{err}");
    let v = read_json(&report);
    assert_eq!(gl_hits(&v), want);
    for f in v.as_array().expect("array") {
        let commit = f["Commit"].as_str().expect("Commit");
        assert_eq!(commit.len(), 40, "{f}");
        assert_eq!(f["Author"], "Dev");
        assert_eq!(f["Email"], "dev@example.org");
        assert_eq!(
            f["Fingerprint"].as_str().expect("fp"),
            format!(
                "{commit}:{}:{}:{}",
                f["File"].as_str().expect("f"),
                f["RuleID"].as_str().expect("r"),
                f["StartLine"]
            )
        );
    }
    // `--exit-code 0` as in CI files that only want the report.
    let (code, _, _) = dir
        .cmd()
        .args(["git"])
        .arg_path(&repo)
        .args(["--exit-code", "0"])
        .run();
    assert_eq!(code, 0);
    let (code, _, _) = dir
        .cmd()
        .args(["git"])
        .arg_path(&repo)
        .args(["--exit-code", "7"])
        .run();
    assert_eq!(code, 7);

    // detect (gitleaks < 8.19) is `git`, with a note.
    let report2 = dir.path().join("detect.json");
    let (code, _, err) = dir
        .cmd()
        .args(["detect", "--source"])
        .arg_path(&repo)
        .args(["-r"])
        .arg_path(&report2)
        .run();
    assert_eq!(code, 1);
    assert!(err.contains("`detect` is gitleaks' pre-8.19 command"), "{err}");
    assert_eq!(gl_hits(&read_json(&report2)), want);

    // protect --staged is the staged scan.
    std::fs::write(repo.join("new.env"), format!("TOKEN2={}\n", aws_key())).expect("write");
    git(&repo, &["add", "new.env"]);
    let (code, v) = dir.cmd().args(["scan"]).arg_path(&repo).args(["--staged"]).json();
    assert_eq!(code, 1);
    let staged = crate::util::hits(&v);
    let report3 = dir.path().join("protect.json");
    let (code, _, err) = dir
        .cmd()
        .args(["protect", "--staged", "-s"])
        .arg_path(&repo)
        .args(["-r"])
        .arg_path(&report3)
        .run();
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("`protect` is gitleaks' pre-8.19 command"), "{err}");
    assert_eq!(gl_hits(&read_json(&report3)), staged);
    let (code, v) = dir
        .cmd()
        .args(["git", "--staged", "-r", "-"])
        .arg_path(&repo)
        .run_json_stdout();
    assert_eq!(code, 1);
    assert_eq!(gl_hits(&v), staged);
});

scantest!(log_opts_select_the_commits, |dir| {
    let repo = two_commit_repo(&dir);
    let (code, v) = dir
        .cmd()
        .args(["git", "--log-opts", "HEAD~1..HEAD", "-r", "-"])
        .arg_path(&repo)
        .run_json_stdout();
    assert_eq!(code, 1);
    let h = gl_hits(&v);
    assert_eq!(h.len(), 1, "{h:?}");
    assert_eq!(h[0].1, "gh.env");
    // The same through `scan --log-opts`, and a path limit selects only the first commit.
    let (code, v) = dir
        .cmd()
        .args(["scan"])
        .arg_path(&repo)
        .args(["--log-opts=--all -- aws.env"])
        .json();
    assert_eq!(code, 1);
    let h = crate::util::hits(&v);
    assert_eq!(h.len(), 1, "{h:?}");
    assert_eq!(h[0].1, "aws.env");
    let (code, _, err) = dir
        .cmd()
        .args(["git", "--log-opts", "--output=/tmp/x"])
        .arg_path(&repo)
        .run();
    assert_eq!(code, 2);
    assert!(err.contains("cannot be used here"), "{err}");
    let (code, _, err) = dir
        .cmd()
        .args(["git", "--log-opts", "nosuchref"])
        .arg_path(&repo)
        .run();
    assert_eq!(code, 2, "{err}");
});

scantest!(gitleaks_json_and_csv_match_gitleaks_schema, |dir| {
    dir.create("a.env", format!("GITHUB_TOKEN={}\n", gh_token()));
    let (code, _, _) = dir.cmd().args(["dir", ".", "-r", "r.json"]).run();
    assert_eq!(code, 1);
    let text = std::fs::read_to_string(dir.path().join("r.json")).expect("read");
    // Field order as gitleaks writes it (report/finding.go), one-space indent.
    let keys: Vec<&str> = text
        .lines()
        .filter_map(|l| {
            l.strip_prefix("  \"")
                .and_then(|k| k.split_once('"'))
                .map(|(k, _)| k)
        })
        .collect();
    assert_eq!(
        keys,
        [
            "RuleID",
            "Description",
            "StartLine",
            "EndLine",
            "StartColumn",
            "EndColumn",
            "Match",
            "Secret",
            "File",
            "SymlinkFile",
            "Commit",
            "Entropy",
            "Author",
            "Email",
            "Date",
            "Message",
            "Tags",
            "Fingerprint"
        ]
    );
    assert!(!text.contains(&gh_token()), "secret in report");
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(v[0]["Secret"], "ghp_…");
    assert_eq!(v[0]["StartColumn"], 14);
    assert_eq!(v[0]["EndColumn"], 53);
    assert_eq!(v[0]["Fingerprint"], "a.env:github-pat-classic:1");

    // --redact hides all, --redact=N a share, --no-redact nothing.
    dir.cmd().args(["dir", ".", "-r", "r.json", "--redact"]).run();
    assert_eq!(read_json(&dir.path().join("r.json"))[0]["Secret"], "REDACTED");
    dir.cmd().args(["dir", ".", "-r", "r.json", "--redact=50"]).run();
    assert_eq!(
        read_json(&dir.path().join("r.json"))[0]["Secret"],
        format!("{}...", &gh_token()[..20])
    );
    dir.cmd().args(["dir", ".", "-r", "r.json", "--no-redact"]).run();
    assert_eq!(read_json(&dir.path().join("r.json"))[0]["Secret"], gh_token());

    let (code, _, _) = dir.cmd().args(["dir", "a.env", "-r", "r.csv", "--redact"]).run();
    assert_eq!(code, 1);
    let csv = std::fs::read_to_string(dir.path().join("r.csv")).expect("csv");
    assert_eq!(
        csv,
        "RuleID,Commit,File,SymlinkFile,Secret,Match,StartLine,EndLine,StartColumn,EndColumn,Author,Message,Date,Email,Fingerprint,Tags\n\
         github-pat-classic,,a.env,,REDACTED,REDACTED,1,1,14,53,,,,,a.env:github-pat-classic:1,\n"
    );
    // Clean scan: gitleaks writes an empty CSV and `[]`.
    dir.create("clean/readme.txt", "nothing here\n");
    let (code, _, _) = dir.cmd().args(["dir", "clean", "-r", "c.csv"]).run();
    assert_eq!(code, 0);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("c.csv")).expect("csv"),
        ""
    );
    let (code, _, _) = dir.cmd().args(["dir", "clean", "-r", "c.json"]).run();
    assert_eq!(code, 0);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("c.json")).expect("json"),
        "[]\n"
    );

    // SARIF and JUnit reuse leakless' writers.
    let (code, _, _) = dir.cmd().args(["dir", "a.env", "-r", "r.sarif"]).run();
    assert_eq!(code, 1);
    let sarif = read_json(&dir.path().join("r.sarif"));
    assert_eq!(sarif["version"], "2.1.0");
});

scantest!(report_template_renders_gitleaks_fields, |dir| {
    dir.create("a.env", format!("GITHUB_TOKEN={}\n", gh_token()));
    dir.create(
        "t.tmpl",
        "{{- range . }}{{ .RuleID }} in {{ .File | quote }} line {{ .StartLine }}: {{ .Secret }}\n{{ end -}}\n{{ len . }} leak(s)\n",
    );
    let (code, _, err) = dir
        .cmd()
        .args([
            "dir",
            "a.env",
            "-r",
            "out.txt",
            "-f",
            "template",
            "--report-template",
            "t.tmpl",
            "--redact",
        ])
        .run();
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out.txt")).expect("read"),
        "github-pat-classic in \"a.env\" line 1: REDACTED\n1 leak(s)\n"
    );
    dir.create("bad.tmpl", "{{ range . }}{{ sprigOnly .File }}{{ end }}");
    let (code, _, err) = dir
        .cmd()
        .args([
            "dir",
            "a.env",
            "-r",
            "out.txt",
            "-f",
            "template",
            "--report-template",
            "bad.tmpl",
        ])
        .run();
    assert_eq!(code, 2);
    assert!(err.contains("function 'sprigOnly' is not supported"), "{err}");
});

scantest!(gitleaksignore_suppresses_by_gitleaks_fingerprint, |dir| {
    dir.create("a.env", format!("GITHUB_TOKEN={}\n", gh_token()));
    dir.create("b.env", format!("AWS_ACCESS_KEY_ID={}\n", aws_key()));
    let (code, v) = dir.cmd().args(["scan", "."]).json();
    assert_eq!(code, 1);
    assert_eq!(crate::util::hits(&v).len(), 2);
    // gitleaks' rule ids reach leakless rules through their aliases.
    dir.create(
        ".gitleaksignore",
        "# triaged\na.env:github-pat:1\nb.env:aws-access-token:1\n",
    );
    let (code, out, _) = dir.cmd().args(["scan", "."]).run();
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("suppressed 0 by baseline, 2 by ignore file"),
        "{out}"
    );
    // A wrong line does not suppress, and is reported stale.
    dir.create(
        ".gitleaksignore",
        "a.env:github-pat:2\nb.env:aws-access-token:1\n",
    );
    let (code, out, _) = dir.cmd().args(["scan", ".", "--report-stale"]).run();
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("stale ignore entry .gitleaksignore:1") || out.contains(".gitleaksignore:1"),
        "{out}"
    );
    // --gitleaks-ignore-path takes a file or a directory.
    std::fs::remove_file(dir.path().join(".gitleaksignore")).expect("rm");
    dir.create(
        "conf/.gitleaksignore",
        "a.env:github-pat-classic:1\nb.env:aws-access-key-id:1\n",
    );
    let (code, _, _) = dir
        .cmd()
        .args(["dir", ".", "--gitleaks-ignore-path", "conf"])
        .run();
    assert_eq!(code, 0);
    let (code, _, _) = dir.cmd().args(["dir", ".", "-i", "conf/.gitleaksignore"]).run();
    assert_eq!(code, 0);
});

scantest!(gitleaks_report_as_baseline_and_import, |dir| {
    dir.create("a.env", format!("GITHUB_TOKEN={}\n", gh_token()));
    dir.create("b.env", format!("AWS_ACCESS_KEY_ID={}\n", aws_key()));
    // A report as gitleaks writes it: gitleaks' rule ids; one entry keeps its secret, one is
    // redacted.
    let report = serde_json::json!([
        {"RuleID": "github-pat", "Description": "", "StartLine": 1, "EndLine": 1, "StartColumn": 14,
         "EndColumn": 53, "Match": "", "Secret": gh_token(), "File": "a.env", "SymlinkFile": "",
         "Commit": "", "Entropy": 4.9, "Author": "", "Email": "", "Date": "", "Message": "",
         "Tags": [], "Fingerprint": "a.env:github-pat:1"},
        {"RuleID": "aws-access-token", "Description": "", "StartLine": 1, "EndLine": 1,
         "StartColumn": 19, "EndColumn": 38, "Match": "REDACTED", "Secret": "REDACTED",
         "File": "b.env", "SymlinkFile": "", "Commit": "", "Entropy": 4.2, "Author": "",
         "Email": "", "Date": "", "Message": "", "Tags": [], "Fingerprint": "b.env:aws-access-token:1"}
    ]);
    dir.create(
        "gitleaks-report.json",
        serde_json::to_string_pretty(&report).expect("json"),
    );
    let (code, out, err) = dir
        .cmd()
        .args(["scan", ".", "--baseline", "gitleaks-report.json"])
        .run();
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("suppressed 2 by baseline"), "{out}");
    let (code, _, _) = dir.cmd().args(["dir", ".", "-b", "gitleaks-report.json"]).run();
    assert_eq!(code, 0);

    // Import: a hashed baseline, no plaintext, that suppresses the same findings.
    let (code, _, err) = dir
        .cmd()
        .args(["baseline", "import", "gitleaks-report.json", "."])
        .run();
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("1 hashed from the report's secrets, 1 found again by location"),
        "{err}"
    );
    let text = std::fs::read_to_string(dir.path().join(".leakless-baseline.json")).expect("baseline");
    assert!(
        !text.contains(&gh_token()) && !text.contains(&aws_key()),
        "{text}"
    );
    std::fs::remove_file(dir.path().join("gitleaks-report.json")).expect("rm");
    let (code, out, _) = dir
        .cmd()
        .args(["scan", ".", "--baseline", ".leakless-baseline.json"])
        .run();
    assert_eq!(code, 0, "{out}");
    // A new secret is still reported.
    dir.create(
        "c.env",
        format!("NEW_AWS={}\n", ["AKIA", "Z7Q2M5WKR3T6YJU4"].concat()),
    );
    let (code, _, _) = dir
        .cmd()
        .args(["scan", ".", "--baseline", ".leakless-baseline.json"])
        .run();
    assert_eq!(code, 1);
});

scantest!(config_semantics_as_gitleaks, |dir| {
    dir.create("a.env", format!("GITHUB_TOKEN={}\n", gh_token()));
    dir.create("fixtures/b.env", format!("AWS_ACCESS_KEY_ID={}\n", aws_key()));
    // A rule with only an id extends the built-in rule that covers it (by its gitleaks id).
    dir.create(
        "extend.toml",
        "[extend]\nuseDefault = true\n\n[[rules]]\nid = \"aws-access-token\"\n[[rules.allowlists]]\ndescription = \"test fixtures\"\npaths = ['''^fixtures/''']\n",
    );
    let (code, v) = dir.cmd().args(["scan", ".", "-c", "extend.toml"]).json();
    assert_eq!(code, 1);
    let h = crate::util::hits(&v);
    assert_eq!(h.len(), 1, "{h:?}");
    assert_eq!(h[0].0, "github-pat-classic");
    // Without [extend]: the id-only rule brings its built-in rule in, nothing else.
    dir.create(
        "alone.toml",
        "[[rules]]\nid = \"github-pat\"\n[[rules.allowlists]]\nstopwords = [\"nomatch\"]\n",
    );
    let (code, v) = dir.cmd().args(["scan", ".", "-c", "alone.toml"]).json();
    assert_eq!(code, 1);
    let h = crate::util::hits(&v);
    assert_eq!(
        h.iter().map(|x| x.0.as_str()).collect::<Vec<_>>(),
        ["github-pat-classic"]
    );
    // disabledRules with a gitleaks id; an unknown id is a warning.
    dir.create(
        "disable.toml",
        "[extend]\nuseDefault = true\ndisabledRules = [\"github-pat\", \"no-such-rule\"]\n",
    );
    let (code, out, err) = dir.cmd().args(["scan", ".", "-c", "disable.toml"]).run();
    assert_eq!(code, 1);
    assert!(!out.contains("github-pat-classic"), "{out}");
    assert!(
        err.contains("disabledRules: no rule 'no-such-rule' in the base config"),
        "{err}"
    );
    assert!(out.contains("config: built-in rules, disable.toml"), "{out}");
    // --enable-rule with a gitleaks id.
    let (code, v) = dir
        .cmd()
        .args(["scan", ".", "--enable-rule", "aws-access-token"])
        .json();
    assert_eq!(code, 1);
    let h = crate::util::hits(&v);
    assert_eq!(
        h.iter().map(|x| x.0.as_str()).collect::<Vec<_>>(),
        ["aws-access-key-id"]
    );
    let (_, _, err) = dir.cmd().args(["scan", ".", "--enable-rule", "bogus"]).run();
    assert!(err.contains("--enable-rule: no rule 'bogus'"), "{err}");
    // targetRules with a gitleaks id; the summary counts what the allowlist suppressed.
    dir.create(
        "target.toml",
        "[extend]\nuseDefault = true\n\n[[allowlists]]\ndescription = \"known GitHub token\"\ntargetRules = [\"github-pat\"]\nregexTarget = \"line\"\nregexes = ['''^GITHUB_TOKEN=''']\n",
    );
    let (code, out, _) = dir.cmd().args(["scan", ".", "-c", "target.toml"]).run();
    assert_eq!(code, 1);
    assert!(!out.contains("github-pat-classic"), "{out}");
    assert!(
        out.contains("allowlisted: 1 by 1 allowlist (-v lists them)"),
        "{out}"
    );
    let (_, out, _) = dir.cmd().args(["scan", ".", "-c", "target.toml", "-v"]).run();
    assert!(out.contains("global allowlist #1 (known GitHub token)"), "{out}");
    // condition = AND needs every criterion.
    dir.create(
        "and.toml",
        "[extend]\nuseDefault = true\n\n[[allowlists]]\ncondition = \"AND\"\npaths = ['''^a\\.env$''']\nstopwords = [\"nope\"]\n",
    );
    let (code, v) = dir.cmd().args(["scan", ".", "-c", "and.toml"]).json();
    assert_eq!(code, 1);
    assert_eq!(crate::util::hits(&v).len(), 2);
});
