//! The planted fixture tree: every planted (fake) secret is found at its exact place, and none of
//! the benign look-alikes beside them (placeholders, `${VAR}`, `AKIAIOSFODNN7EXAMPLE`, UUIDs, git
//! SHAs, `sha512-` integrity hashes, public keys, certificates, env references) is.

use crate::scantest;

pub const PLANTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/worktree/planted");

/// A copy of the planted tree in `dir`, outside any git repository: there `local/.env` is an
/// untracked, git-ignored file as on a developer's machine (in leakless' own checkout it is
/// tracked, and tracked files are scanned whatever `.gitignore` says).
pub fn planted(dir: &crate::util::TestDir) -> String {
    fn copy(from: &std::path::Path, to: &std::path::Path) {
        std::fs::create_dir_all(to).expect("mkdir");
        for e in std::fs::read_dir(from).expect("read fixture") {
            let e = e.expect("entry");
            let dest = to.join(e.file_name());
            if e.file_type().expect("type").is_dir() {
                copy(&e.path(), &dest);
            } else {
                std::fs::copy(e.path(), dest).expect("copy");
            }
        }
    }
    let to = dir.path().join("planted");
    if !to.exists() {
        copy(std::path::Path::new(PLANTED), &to);
    }
    to.display().to_string()
}

/// `(rule, path, line, column)` of every planted secret.
///
/// `.env.dev` is itself a finding (`committed-dotenv-file`); its Infisical client id is paired with
/// the client secret (one finding), and `config/settings.py`'s AWS access key id is paired with the
/// secret access key, so the id is no finding of its own.
pub const EXPECTED: &[(&str, &str, u64, u64)] = &[
    ("committed-dotenv-file", ".env.dev", 1, 1),
    ("infisical-universal-auth-client-secret", ".env.dev", 3, 25),
    ("openai-project-api-key", ".env.dev", 4, 16),
    ("postgres-url-password", ".env.dev", 5, 33),
    ("slack-bot-token", "ci/notify.sh", 3, 18),
    ("postgres-url-password", "compose.yml", 5, 38),
    ("aws-secret-access-key", "config/settings.py", 6, 26),
    ("rsa-private-key", "deploy/id_deploy", 1, 1),
    ("github-pat-classic", "src/github.ts", 2, 10),
    ("stripe-live-secret-key", "src/payments.js", 4, 24),
    ("vault-service-token", "vault/agent.hcl", 8, 10),
];

/// The raw planted secrets, read back from the fixture files by position (for redaction tests).
/// Path-only findings (`committed-dotenv-file`: the "secret" is the path) are left out.
pub fn planted_secrets() -> Vec<String> {
    let dir = crate::util::TestDir::new();
    let (_, v) = dir
        .cmd()
        .args(["scan", planted(&dir).as_str(), "--no-redact"])
        .json();
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule_id"] != "committed-dotenv-file")
        .map(|f| f["secret"].as_str().expect("secret with --no-redact").to_string())
        .collect()
}

scantest!(finds_every_planted_secret_and_no_look_alike, |dir| {
    let (code, v) = dir.cmd().args(["scan", planted(&dir).as_str(), "-j2"]).json();
    assert_eq!(code, 1);
    let mut got: Vec<(String, String, u64, u64)> = Vec::new();
    for f in v["findings"].as_array().expect("findings") {
        for l in f["locations"].as_array().expect("locations") {
            got.push((
                f["rule_id"].as_str().expect("id").into(),
                l["path"].as_str().expect("path").into(),
                l["line"].as_u64().expect("line"),
                l["column"].as_u64().expect("column"),
            ));
        }
    }
    let want: Vec<(String, String, u64, u64)> = EXPECTED
        .iter()
        .map(|(r, p, l, c)| ((*r).into(), (*p).into(), *l, *c))
        .collect();
    assert_eq!(got, want);
    // The binary file is skipped and said so; the git-ignored local/.env is not scanned.
    assert_eq!(v["skipped"][0]["path"], "assets.dat");
    assert_eq!(v["skipped"][0]["reason"], "binary");
    assert_eq!(v["stats"]["files_scanned"], 14);
    let all = serde_json::to_string(&v).expect("json");
    for s in planted_secrets() {
        assert!(!all.contains(&s), "raw secret in redacted JSON");
    }
});

scantest!(no_ignore_finds_the_git_ignored_file, |dir| {
    let (_, v) = dir
        .cmd()
        .args(["scan", planted(&dir).as_str(), "--no-ignore"])
        .json();
    let paths: Vec<&str> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .flat_map(|f| f["locations"].as_array().expect("locations").iter())
        .filter_map(|l| l["path"].as_str())
        .collect();
    assert!(paths.contains(&"local/.env"), "{paths:?}");
});
