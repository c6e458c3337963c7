//! The `github` store (GitHub Actions secrets) against a local server implementing GitHub's
//! documented REST contract (tests/support/github_secrets_fake.py; no GitHub can run here). The
//! server opens every sealed box with PyNaCl (libsodium's sealed boxes, independent of the
//! `crypto_box` crate we seal with) and keeps the plaintext, so the tests check the value GitHub
//! would hold. PyGithub, a community client (GitHub has no official Python SDK), is the second
//! client: it writes and lists secrets on the same server the same way.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use leakless::findings::Secret;
use leakless::migrate::http::Client;
use leakless::migrate::store::github::{GithubArgs, GithubStore, Visibility};
use leakless::migrate::store::{Put, Readback, SecretStore, StoreError, Target};
use serde_json::Value;

use crate::util::external_tool;
use crate::util::standin::{python_inline, run_ok, Launch, StandIn};

/// A made-up fine-grained token (never a real one).
pub const TOKEN: &str =
    "github_pat_11TESTTESTTEST0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV";
pub const REPO: &str = "acme/shop";
pub const REPO_ID: u64 = 7001;

/// A running stand-in GitHub API (tests/support/github_secrets_fake.py) on 127.0.0.1: repository
/// [`REPO`] (id [`REPO_ID`]) with the environment `production`, the repository `acme/other`
/// (id 7002), the organisation `acme`, and the token [`TOKEN`]. Killed when dropped.
pub struct GithubFake {
    /// Base URL (what `--github-api-url` takes).
    pub url: String,
    python: PathBuf,
    server: StandIn,
}

impl GithubFake {
    /// Starts the server with extra test hooks; `None` in a bare `cargo test` (no test Python
    /// with PyNaCl), a failure under `LEAKLESS_REQUIRE_TOOLS=1`.
    pub fn start(extra: &[&str]) -> Option<Self> {
        let python = external_tool("LEAKLESS_TEST_PYTHON")?;
        // It needs PyNaCl, which `bash scripts/test` installs in the test venv.
        let server = Launch::python("the GitHub stand-in", &python, "github_secrets_fake.py")
            .args(["--token", TOKEN, "--read-only-token", "ghs_readonly"])
            .args(["--repo", &format!("{REPO}:{REPO_ID}")])
            .args(["--repo", "acme/other:7002"])
            .args(["--environment", &format!("{REPO}:production"), "--org", "acme"])
            .args(extra)
            .ready_line(1);
        Some(Self {
            url: server.url(),
            python,
            server,
        })
    }

    /// Everything the server holds: `secrets` (scope, name, value, updated_at, visibility,
    /// selected), `requests` ("METHOD /path"), `writes`.
    pub fn state(&self) -> Value {
        self.server.state()
    }

    /// The decrypted value of `name` in `scope` (`acme/shop`, `acme/shop@production`, `org:acme`).
    pub fn value(&self, scope: &str, name: &str) -> Option<String> {
        self.state()["secrets"]
            .as_array()
            .expect("secrets")
            .iter()
            .find(|s| s["scope"] == scope && s["name"] == name)
            .map(|s| s["value"].as_str().expect("value").to_string())
    }

    /// Every decrypted value held, in any scope.
    pub fn values(&self) -> Vec<String> {
        self.state()["secrets"]
            .as_array()
            .expect("secrets")
            .iter()
            .filter_map(|s| s["value"].as_str().map(str::to_string))
            .collect()
    }

    fn puts(&self) -> usize {
        self.state()["requests"]
            .as_array()
            .expect("requests")
            .iter()
            .filter(|r| r.as_str().is_some_and(|r| r.starts_with("PUT ")))
            .count()
    }

    /// `--github-*` options for the repository's secrets.
    pub fn args(&self) -> GithubArgs {
        GithubArgs {
            repo: Some(REPO.into()),
            api_url: Some(self.url.clone()),
            token: Some(TOKEN.into()),
            ..Default::default()
        }
    }

    /// The same as environment variables for the binary.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("GITHUB_API_URL", self.url.clone()),
            ("GITHUB_TOKEN", TOKEN.into()),
            ("GITHUB_REPOSITORY", REPO.into()),
        ]
    }

    /// Runs `script` with PyGithub logged in to this server (`g` is the client, `repo` the
    /// repository); returns stdout.
    pub fn pygithub(&self, script: &str) -> String {
        let prelude = "import os, json\nfrom github import Github, Auth\n\
                       g = Github(base_url=os.environ['FAKE_URL'], auth=Auth.Token(os.environ['FAKE_TOKEN']), retry=None)\n\
                       repo = g.get_repo(os.environ['FAKE_REPO'])\n";
        let mut cmd = python_inline(&self.python, prelude, script);
        cmd.env("FAKE_URL", &self.url)
            .env("FAKE_TOKEN", TOKEN)
            .env("FAKE_REPO", REPO);
        run_ok(&mut cmd, "")
    }
}

fn t(key: &str) -> Target {
    Target::new("", key)
}

fn secret(s: &str) -> Secret {
    Secret::new(s.as_bytes().to_vec())
}

/// Put then verify, as `migrate` does.
fn put_verified(s: &mut GithubStore, key: &str, value: &str, overwrite: bool) -> Put {
    let p = s.put(&t(key), &secret(value), overwrite).expect("put");
    assert_eq!(s.verify(&t(key), &secret(value)).expect("verify"), Readback::Same);
    p
}

#[test]
fn values_are_sealed_to_the_repository_key_and_open_exactly() {
    let Some(gh) = GithubFake::start(&[]) else { return };
    let mut s = GithubStore::open(&gh.args(), None).expect("open");
    let values = [
        ("OPENAI_API_KEY", "sk-proj-Xq81Lm0Ab9Cd8Ef7Gh6Ij5Kl4Mn3Op2Qr1St"),
        ("PEM", "-----BEGIN KEY-----\nMIIB\n-----END KEY-----\n"),
        ("SPACES", "  padded value\t"),
        ("UNICODE", "pässwörd-🔑-\"quoted\" $HOME ${X} `tick`"),
    ];
    for (k, v) in values {
        assert_eq!(put_verified(&mut s, k, v, false), Put::Created, "{k}");
        assert_eq!(gh.value(REPO, k).as_deref(), Some(v), "{k} decrypts to the value");
    }
    // Lower-case keys are stored upper-case, as GitHub does.
    assert_eq!(
        put_verified(&mut s, "stripe_key", "sk_test_abc", false),
        Put::Created
    );
    assert_eq!(gh.value(REPO, "STRIPE_KEY").as_deref(), Some("sk_test_abc"));
    assert_eq!(s.describe(&t("stripe_key")), "github:acme/shop#STRIPE_KEY");
    // GitHub never gives values back: present → an error naming the expression, absent → None.
    let e = s.get(&t("OPENAI_API_KEY")).expect_err("write-only");
    assert!(e.to_string().contains("${{ secrets.OPENAI_API_KEY }}"), "{e}");
    assert!(!e.to_string().contains("sk-proj"), "{e}");
    assert!(s.get(&t("ABSENT")).expect("absent").is_none());
    assert!(s
        .fetch_hint(&t("PEM"))
        .contains("gh secret list --repo acme/shop"));
}

#[test]
fn an_existing_secret_is_a_conflict_unless_overwrite() {
    let Some(gh) = GithubFake::start(&["--preset", "acme/shop#DATABASE_URL=someone-elses"]) else {
        return;
    };
    let mut s = GithubStore::open(&gh.args(), None).expect("open");
    let before = gh.puts();
    // Even the same value is a conflict: GitHub cannot tell us what the secret holds.
    for v in ["postgres://x", "someone-elses"] {
        match s.put(&t("DATABASE_URL"), &secret(v), false) {
            Err(StoreError::Conflict { location }) => assert_eq!(location, "github:acme/shop#DATABASE_URL"),
            other => panic!("expected a conflict, got {other:?}"),
        }
    }
    assert_eq!(gh.puts(), before, "nothing written");
    assert_eq!(gh.value(REPO, "DATABASE_URL").as_deref(), Some("someone-elses"));
    assert_eq!(
        put_verified(&mut s, "DATABASE_URL", "postgres://x", true),
        Put::Overwritten
    );
    assert_eq!(gh.value(REPO, "DATABASE_URL").as_deref(), Some("postgres://x"));
}

#[test]
fn our_own_untouched_write_is_recognised_by_a_later_run_and_a_changed_one_is_not() {
    let Some(gh) = GithubFake::start(&[]) else { return };
    let state = tempfile::tempdir().expect("state dir");
    let mut s = GithubStore::open(&gh.args(), Some(state.path())).expect("open");
    assert_eq!(put_verified(&mut s, "API_KEY", "v1-value", false), Put::Created);
    let puts = gh.puts();
    // A later run (a new store reading the record): same value, untouched → unchanged, no PUT.
    let mut s = GithubStore::open(&gh.args(), Some(state.path())).expect("reopen");
    assert_eq!(put_verified(&mut s, "API_KEY", "v1-value", false), Put::Unchanged);
    assert_eq!(gh.puts(), puts, "nothing written again");
    // Another value under the same name is a conflict (we cannot see what is there).
    assert!(matches!(
        s.put(&t("API_KEY"), &secret("v2-value"), false),
        Err(StoreError::Conflict { .. })
    ));
    // Someone else rewrites it (PyGithub, a second client): our record no longer matches.
    std::thread::sleep(Duration::from_millis(1100));
    gh.pygithub("repo.create_secret('API_KEY', 'theirs')\n");
    assert_eq!(gh.value(REPO, "API_KEY").as_deref(), Some("theirs"));
    let mut s = GithubStore::open(&gh.args(), Some(state.path())).expect("reopen");
    assert!(matches!(
        s.put(&t("API_KEY"), &secret("v1-value"), false),
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(gh.value(REPO, "API_KEY").as_deref(), Some("theirs"));
}

#[test]
fn pygithub_and_the_store_agree_on_the_same_server() {
    let Some(gh) = GithubFake::start(&[]) else { return };
    // PyGithub seals with PyNaCl the documented way; the stand-in opens it.
    gh.pygithub("repo.create_secret('FROM_PYGITHUB', 'pygithub-value')\n");
    assert_eq!(gh.value(REPO, "FROM_PYGITHUB").as_deref(), Some("pygithub-value"));
    let mut s = GithubStore::open(&gh.args(), None).expect("open");
    for i in 0..35 {
        put_verified(&mut s, &format!("KEY_{i:02}"), &format!("value-{i}"), false);
    }
    // PyGithub lists them (three pages of 30 by default) and reads one's metadata.
    let out = gh.pygithub(
        "names = sorted(x.name for x in repo.get_secrets())\n\
         print(json.dumps({'names': names, 'one': repo.get_secret('KEY_07').name}))\n",
    );
    let v: Value = serde_json::from_str(&out).expect("JSON");
    let names = v["names"].as_array().expect("names");
    assert_eq!(names.len(), 36, "{v}");
    assert_eq!(v["one"], "KEY_07");
    // PyGithub's existing secret is a conflict for us.
    assert!(matches!(
        s.put(&t("FROM_PYGITHUB"), &secret("pygithub-value"), false),
        Err(StoreError::Conflict { .. })
    ));
}

#[test]
fn environment_and_organisation_secrets() {
    let Some(gh) = GithubFake::start(&["--preset", "org:acme#SHARED=old"]) else {
        return;
    };
    let mut args = gh.args();
    args.environment = Some("production".into());
    let mut s = GithubStore::open(&args, None).expect("open");
    assert_eq!(
        put_verified(&mut s, "DB_PASSWORD", "prod-pw", false),
        Put::Created
    );
    assert_eq!(
        gh.value("acme/shop@production", "DB_PASSWORD").as_deref(),
        Some("prod-pw")
    );
    assert_eq!(gh.value(REPO, "DB_PASSWORD"), None, "not a repository secret");
    assert_eq!(
        s.describe(&t("DB_PASSWORD")),
        "github:acme/shop/environments/production#DB_PASSWORD"
    );
    assert_eq!(
        s.address(&t("X")).options.get("environment").map(String::as_str),
        Some("production")
    );
    args.environment = Some("staging".into());
    let mut s = GithubStore::open(&args, None).expect("open");
    let e = s
        .put(&t("X"), &secret("v"), false)
        .expect_err("no such environment");
    assert!(
        matches!(e, StoreError::Config(_)) && e.to_string().contains("404"),
        "{e}"
    );

    // Organisation secrets: `selected` (default) grants the repository of --github-repo.
    let mut args = gh.args();
    args.org = Some("acme".into());
    let mut s = GithubStore::open(&args, None).expect("open");
    assert_eq!(put_verified(&mut s, "NPM_TOKEN", "npm_abc", false), Put::Created);
    let org = |name: &str| {
        gh.state()["secrets"]
            .as_array()
            .expect("s")
            .iter()
            .find(|s| s["scope"] == "org:acme" && s["name"] == name)
            .cloned()
            .expect("org secret")
    };
    assert_eq!(org("NPM_TOKEN")["visibility"], "selected");
    assert_eq!(org("NPM_TOKEN")["selected"], serde_json::json!([REPO_ID]));
    assert_eq!(org("NPM_TOKEN")["value"], "npm_abc");
    // Overwriting a secret granted to another repository keeps that grant.
    args.repo = Some("acme/other".into());
    let mut other = GithubStore::open(&args, None).expect("open");
    put_verified(&mut other, "NPM_TOKEN", "npm_def", true);
    assert_eq!(org("NPM_TOKEN")["selected"], serde_json::json!([REPO_ID, 7002]));
    // Overwriting an existing secret without --github-visibility keeps its visibility (here
    // `all`: narrowing it to one repository would cut the others off).
    let mut s = GithubStore::open(&args, None).expect("open");
    assert!(matches!(
        s.put(&t("SHARED"), &secret("new"), false),
        Err(StoreError::Conflict { .. })
    ));
    put_verified(&mut s, "SHARED", "newer", true);
    assert_eq!(org("SHARED")["visibility"], "all");
    assert_eq!(org("SHARED")["value"], "newer");
    // An explicit visibility is applied.
    args.visibility = Some(Visibility::Private);
    let mut s = GithubStore::open(&args, None).expect("open");
    assert!(matches!(
        s.put(&t("SHARED"), &secret("new"), false),
        Err(StoreError::Conflict { .. })
    ));
    put_verified(&mut s, "SHARED", "new", true);
    assert_eq!(org("SHARED")["visibility"], "private");
    assert_eq!(org("SHARED")["value"], "new");
}

#[test]
fn names_github_refuses_are_not_sent_and_lowercase_is_upper_cased() {
    let Some(gh) = GithubFake::start(&[]) else { return };
    let mut s = GithubStore::open(&gh.args(), None).expect("open");
    for key in ["GITHUB_TOKEN", "github_app_key", "9LIVES", "my-key", "db.url"] {
        let e = s.put(&t(key), &secret("value"), false).expect_err(key);
        assert!(matches!(e, StoreError::Unstorable(_)), "{key}: {e}");
    }
    let e = s
        .put(&Target::new("shop/dev", "KEY"), &secret("value"), false)
        .expect_err("folders");
    assert!(e.to_string().contains("--path-template"), "{e}");
    let big = "x".repeat(48 * 1024 + 1);
    assert!(matches!(
        s.put(&t("BIG"), &secret(&big), false),
        Err(StoreError::Unstorable(_))
    ));
    let binary = Secret::new(vec![0xff, 0xfe, 0x00]);
    assert!(matches!(
        s.put(&t("BIN"), &binary, false),
        Err(StoreError::Unstorable(_))
    ));
    assert_eq!(gh.puts(), 0, "nothing sent");
}

#[test]
fn credentials_scopes_and_servers_failing_are_one_line_errors() {
    let Some(gh) = GithubFake::start(&["--fail-after-writes", "1", "--rotate-key-after", "1"]) else {
        return;
    };
    let value = "sk-live-0123456789abcdef";
    let fails = |change: &dyn Fn(&mut GithubArgs)| {
        let mut args = gh.args();
        change(&mut args);
        GithubStore::open(&args, None)
            .expect("open")
            .put(&t("K"), &secret(value), false)
            .expect_err("fails")
    };
    let e = fails(&|a| a.token = Some("ghp_wrongwrongwrongwrongwrongwrongwrong".into()));
    assert!(
        matches!(e, StoreError::Auth { .. }) && e.to_string().contains("Bad credentials"),
        "{e}"
    );
    let e = fails(&|a| a.token = Some("ghs_readonly".into()));
    assert!(
        matches!(e, StoreError::Auth { .. }) && e.to_string().contains("not accessible"),
        "{e}"
    );
    let e = fails(&|a| a.repo = Some("acme/nope".into()));
    assert!(
        e.to_string().contains("repository acme/nope") && e.to_string().contains("404"),
        "{e}"
    );
    let e = fails(&|a| a.api_url = Some("http://127.0.0.1:9".into()));
    assert!(matches!(e, StoreError::Unreachable { .. }), "{e}");
    // The first write succeeds, then the key rotates: the next PUT's 422 is retried with the
    // new key, and meets the server failing (500).
    let mut s = GithubStore::open(&gh.args(), None).expect("open");
    put_verified(&mut s, "FIRST", value, false);
    let e = s.put(&t("SECOND"), &secret(value), false).expect_err("500");
    assert!(e.to_string().contains("HTTP 500"), "{e}");
    let log: Vec<String> = gh.state()["requests"]
        .as_array()
        .expect("requests")
        .iter()
        .map(|r| {
            r.as_str()
                .expect("request")
                .replace("/repos/acme/shop/actions/secrets/", "")
        })
        .collect();
    assert_eq!(
        log[log.len() - 4..],
        ["PUT SECOND", "GET public-key", "PUT SECOND", "GET /__state"],
        "the rotated key is fetched again once: {log:?}"
    );
    let e = e.to_string();
    assert!(!e.contains(value) && !e.contains('\n'), "{e}");
}

/// A made-up npm token (only in the workflow) and the seed's OpenAI key (also in `.env.dev`).
const NPM_TOKEN: &str = "npm_Q7vLx2Rk9PzW4mTb8NcY3JhD6sFa1GeU0oKi";

/// The seed repository plus a workflow that holds two secrets literally.
fn seed_with_workflow() -> crate::migrate::Repo {
    let mut repo = crate::migrate::Repo::seed();
    let root = repo.root();
    let env_dev = std::fs::read_to_string(root.join(".env.dev")).expect(".env.dev");
    let openai = env_dev
        .lines()
        .find_map(|l| l.strip_prefix("OPENAI_API_KEY="))
        .expect("the seed's OpenAI key");
    let workflow = format!(
        "name: deploy\non:\n  push:\n    branches: [main]\npermissions:\n  contents: read\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v5\n        with:\n          persist-credentials: false\n      - name: publish\n        run: npm publish\n        env:\n          NPM_TOKEN: {NPM_TOKEN}\n          OPENAI_API_KEY: \"{openai}\"\n"
    );
    std::fs::create_dir_all(root.join(".github/workflows")).expect("mkdir");
    std::fs::write(root.join(".github/workflows/deploy.yml"), workflow).expect("write");
    crate::migrate::git(&root, &["add", "-A"]);
    crate::migrate::git(&root, &["commit", "-qm", "deploy workflow"]);
    repo.secrets = repo.scan_secrets();
    assert!(
        repo.secrets
            .iter()
            .any(|(p, s)| p.ends_with("deploy.yml") && s == NPM_TOKEN),
        "the workflow's npm token is found: {:?}",
        repo.secrets.iter().map(|(p, _)| p).collect::<Vec<_>>()
    );
    repo
}

#[test]
fn seed_migrates_into_github_and_workflows_read_the_secrets() {
    let Some(gh) = GithubFake::start(&[]) else { return };
    let repo = seed_with_workflow();
    let root = repo.root();
    let (code, out, err) =
        crate::migrate::run_env(&repo, &["migrate", "--to", "github", "--apply"], &gh.env());
    assert_eq!(code, 0, "{out}\n{err}");
    repo.assert_no_secret_in("stdout", out.as_bytes());
    repo.assert_no_secret_in("stderr", err.as_bytes());
    let held = gh.values();
    crate::migrate_stores::assert_every_secret_in(&repo, &held, "GitHub");
    assert_eq!(gh.value(REPO, "NPM_TOKEN").as_deref(), Some(NPM_TOKEN));
    assert!(out.contains("github:acme/shop#OPENAI_API_KEY"), "{out}");
    assert!(
        out.contains("write-only"),
        "the report says values cannot be read back: {out}"
    );
    // The workflow now reads the secrets; actionlint accepts it.
    let wf = std::fs::read_to_string(root.join(".github/workflows/deploy.yml")).expect("workflow");
    assert!(wf.contains("NPM_TOKEN: ${{ secrets.NPM_TOKEN }}"), "{wf}");
    assert!(
        wf.contains("OPENAI_API_KEY: \"${{ secrets.OPENAI_API_KEY }}\""),
        "{wf}"
    );
    if let Some(venv) = external_tool("LEAKLESS_TEST_VENV") {
        let o = Command::new(venv.join("bin/actionlint"))
            .arg(".github/workflows/deploy.yml")
            .current_dir(&root)
            .output()
            .expect("actionlint");
        assert!(
            o.status.success(),
            "actionlint: {}",
            String::from_utf8_lossy(&o.stdout)
        );
    }
    assert_eq!(crate::migrate::run_env(&repo, &["scan", "."], &[]).0, 0);
    // The map records GitHub; `leakless run` outside Actions says where the values are.
    let map = std::fs::read_to_string(root.join(".leakless/secrets.toml")).expect("map");
    assert!(
        map.contains("store = \"github\"") && map.contains("project = \"acme/shop\""),
        "{map}"
    );
    let (code, out, err) = crate::migrate::run_env(&repo, &["run", "--", "printenv", "OPENAI_API_KEY"], &[]);
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(
        err.contains("only inside GitHub Actions") && err.contains("${{ secrets."),
        "{err}"
    );
    // Inside a job whose `env:` maps the secrets, `leakless run` passes them on.
    let parsed: toml::Value = toml::from_str(&map).expect("map TOML");
    let names: Vec<String> = parsed["secret"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["name"].as_str().expect("name").to_string())
        .collect();
    let job_env: Vec<(&str, String)> = names
        .iter()
        .map(|n| {
            (
                n.as_str(),
                gh.value(REPO, &n.to_ascii_uppercase()).unwrap_or_default(),
            )
        })
        .collect();
    let (code, out, err) = crate::migrate::run_env(&repo, &["run", "--", "printenv", "NPM_TOKEN"], &job_env);
    assert_eq!((code, out.trim()), (0, NPM_TOKEN), "{err}");
}

#[test]
fn github_failing_after_three_writes_loses_nothing_and_a_rerun_finishes() {
    let Some(gh) = GithubFake::start(&["--fail-after-writes", "3"]) else {
        return;
    };
    let repo = seed_with_workflow();
    crate::migrate_stores::fails_after_three_writes(&repo, "github", &gh.env(), &|| gh.values());
    // The server recovers; the re-run (no --overwrite) recognises its own three writes. It
    // takes GH_TOKEN over GITHUB_TOKEN, as the gh CLI does.
    Client::new("github")
        .send("POST", &format!("{}/__heal", gh.url), &[], None)
        .expect("heal");
    let mut env = gh.env();
    env.retain(|(k, _)| *k != "GITHUB_TOKEN");
    env.push(("GH_TOKEN", TOKEN.into()));
    env.push(("GITHUB_TOKEN", "ghs_workflowtokenthatcannotwritesecrets".into()));
    crate::migrate_stores::rerun_finishes(&repo, "github", &env);
    let held = gh.values();
    crate::migrate_stores::assert_every_secret_in(&repo, &held, "GitHub");
}

#[test]
fn github_killed_after_a_verified_write_resumes_without_overwrite() {
    let Some(gh) = GithubFake::start(&[]) else { return };
    let repo = seed_with_workflow();
    // The repository comes from the github.com `origin` remote, as `gh` finds it.
    crate::migrate::git(
        &repo.root(),
        &["remote", "add", "origin", "git@github.com:acme/shop.git"],
    );
    let mut env = gh.env();
    env.retain(|(k, _)| *k != "GITHUB_REPOSITORY");
    let env_ref: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut child =
        crate::migrate::spawn_paused(&repo.root(), "after-verify:4", &["--to", "github"], &env_ref);
    child.kill().expect("kill -9");
    child.wait().expect("reaped");
    let held = gh.values();
    assert_eq!(held.len(), 4);
    repo.assert_nothing_lost(&|s| held.iter().any(|v| v.contains(s)));
    let puts = gh.puts();
    let (code, out, err) = crate::migrate::run_env(&repo, &["migrate", "--to", "github", "--apply"], &env);
    assert_eq!(code, 0, "{out}\n{err}");
    let held = gh.values();
    crate::migrate_stores::assert_every_secret_in(&repo, &held, "GitHub");
    assert!(
        gh.puts() - puts < repo.secrets.len(),
        "the four verified writes were not repeated"
    );
    assert_eq!(crate::migrate::run_env(&repo, &["scan", "."], &[]).0, 0);
}

#[test]
fn github_killed_at_every_failpoint_loses_nothing() {
    let Some(gh) = GithubFake::start(&[]) else { return };
    // Each point migrates a fresh copy of the seed into the same repository's secrets, which
    // the previous point's copy already wrote: --overwrite lets it replace them.
    crate::migrate_stores::kill_matrix(&["github", "--overwrite"], &gh.env(), &|_| gh.values());
}

#[test]
fn a_name_our_earlier_run_used_moves_to_the_next_name_even_with_overwrite() {
    let Some(gh) = GithubFake::start(&[]) else { return };
    let repo = crate::migrate::Repo::seed();
    let root = repo.root();
    let args = ["migrate", "--to", "github", "--apply", "--overwrite"];
    let (code, out, err) = crate::migrate::run_env(&repo, &args, &gh.env());
    assert_eq!(code, 0, "{out}\n{err}");
    let first = gh.value(REPO, "DATABASE_URL").expect("DATABASE_URL");
    // Later, another file brings another DATABASE_URL.
    let staging = "postgres://shop:St4gingPassw0rdQz7Lm@db.staging.internal:5432/shop";
    std::fs::write(root.join(".env.staging"), format!("DATABASE_URL={staging}\n")).expect("write");
    crate::migrate::git(&root, &["add", "-f", ".env.staging"]);
    crate::migrate::git(&root, &["commit", "-qm", "staging"]);
    let (code, out, err) = crate::migrate::run_env(&repo, &args, &gh.env());
    assert_eq!(code, 1, "a manual step: the app reads DATABASE_URL: {out}\n{err}");
    assert!(out.contains("stored as DATABASE_URL_2"), "{out}");
    assert_eq!(
        gh.value(REPO, "DATABASE_URL"),
        Some(first),
        "our earlier value is kept"
    );
    assert_eq!(gh.value(REPO, "DATABASE_URL_2").as_deref(), Some(staging));
    assert!(out.contains("github:acme/shop#DATABASE_URL_2"), "{out}");
}
