//! `leakless migrate` end to end on a real git repository built from `fixtures/migrate/seed`
//! (a `.env.dev` with an Infisical machine identity, an OpenAI key and a Postgres URL; a Stripe
//! key in YAML and JS; a SendGrid key in Python; a Postgres URL in compose.yml): dry run, apply,
//! re-run, conflicts, a process killed at each step, a full disk, and the embedded `dotenv`
//! store. The remote stores' end-to-end tests live beside their server fixtures.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use crate::util::{external_tool, TestDir};

const SEED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/migrate/seed");
const EDGE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/migrate/edge");
const BIN: &str = env!("CARGO_BIN_EXE_leakless");

/// A scratch git repository holding a copy of a fixture tree, committed with fixed dates.
pub struct Repo {
    dir: TestDir,
    /// Every (path, raw secret) the scanner finds in the fresh copy.
    pub secrets: Vec<(String, String)>,
}

pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Dev")
        .env("GIT_AUTHOR_EMAIL", "dev@example.invalid")
        .env("GIT_COMMITTER_NAME", "Dev")
        .env("GIT_COMMITTER_EMAIL", "dev@example.invalid")
        .env("GIT_AUTHOR_DATE", "2025-03-04T05:06:07Z")
        .env("GIT_COMMITTER_DATE", "2025-03-04T05:06:07Z")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("fixture dir") {
        let entry = entry.expect("entry");
        let dest = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            std::fs::create_dir_all(&dest).expect("mkdir");
            copy_tree(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), &dest).expect("copy");
        }
    }
}

impl Repo {
    /// The seed fixture as a fresh repository.
    pub fn seed() -> Self {
        Self::from_fixture(Path::new(SEED))
    }

    /// A fixture tree as a fresh repository.
    pub fn from_fixture(fixture: &Path) -> Self {
        let dir = TestDir::new();
        let root = dir.path().join("shop");
        std::fs::create_dir_all(&root).expect("mkdir");
        copy_tree(fixture, &root);
        git(&root, &["init", "-q", "-b", "main"]);
        git(&root, &["add", "-A"]);
        git(&root, &["commit", "-q", "-m", "shop service"]);
        let mut repo = Self {
            dir,
            secrets: Vec::new(),
        };
        repo.secrets = repo.scan_secrets();
        assert!(!repo.secrets.is_empty(), "the fixture has findings");
        repo
    }

    /// A repository holding exactly these files.
    pub fn from_files(files: &[(&str, &str)]) -> Self {
        let src = TestDir::new();
        for (path, text) in files {
            src.create(path, text);
        }
        Self::from_fixture(src.path())
    }

    /// The repository's top directory.
    pub fn root(&self) -> PathBuf {
        self.dir.path().join("shop")
    }

    /// Raw (path, secret) of every value finding in the working tree (`--no-redact`).
    pub fn scan_secrets(&self) -> Vec<(String, String)> {
        let out = Command::new(BIN)
            .args(["scan", ".", "--format", "json", "--no-redact"])
            .current_dir(self.root())
            .output()
            .expect("scan runs");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        let mut s = Vec::new();
        for f in v["findings"].as_array().expect("findings") {
            if f["rule_id"] == "committed-dotenv-file" {
                continue;
            }
            for l in f["locations"].as_array().expect("locations") {
                s.push((
                    l["path"].as_str().expect("path").to_string(),
                    f["secret"].as_str().expect("secret").to_string(),
                ));
            }
        }
        s
    }

    /// `leakless <args>` in the repository.
    pub fn leakless(&self, args: &[&str]) -> Output {
        Command::new(BIN)
            .args(args)
            .env(VOUCHED.0, VOUCHED.1)
            .current_dir(self.root())
            .stdin(Stdio::null())
            .output()
            .expect("leakless runs")
    }

    /// The text of a file in the working tree (empty when absent).
    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.root().join(rel)).unwrap_or_default()
    }

    /// Every file of the working tree and `.git/leakless` with its content, plus the index, for
    /// before/after comparisons.
    pub fn snapshot(&self) -> BTreeMap<String, Vec<u8>> {
        let mut m = BTreeMap::new();
        fn walk(base: &Path, dir: &Path, m: &mut BTreeMap<String, Vec<u8>>) {
            for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let p = e.path();
                let rel = p
                    .strip_prefix(base)
                    .expect("under base")
                    .to_string_lossy()
                    .into_owned();
                if rel == ".git" {
                    continue;
                }
                if p.is_dir() {
                    walk(base, &p, m);
                } else {
                    m.insert(rel, std::fs::read(&p).unwrap_or_default());
                }
            }
        }
        walk(&self.root(), &self.root(), &mut m);
        m.insert(
            "<index>".into(),
            git(&self.root(), &["ls-files", "-s"]).into_bytes(),
        );
        let state = self.root().join(".git/leakless");
        m.insert("<state>".into(), format!("{:?}", state.exists()).into_bytes());
        m
    }

    /// Asserts the invariant: each original secret is still in its file (working copy) or in
    /// the store (`in_store`).
    pub fn assert_nothing_lost(&self, in_store: &dyn Fn(&str) -> bool) {
        for (path, secret) in &self.secrets {
            let in_file = self.read(path).contains(secret.as_str());
            assert!(
                in_file || in_store(secret),
                "a secret from {path} is in neither its file nor the store"
            );
        }
    }

    /// All `.env.local` files' contents, concatenated (the dotenv store).
    pub fn local_files(&self) -> String {
        let mut s = String::new();
        for rel in ["", "config", "app"] {
            s.push_str(&self.read(format!("{rel}/.env.local").trim_start_matches('/')));
        }
        s
    }

    /// Asserts that no output contains any raw secret.
    pub fn assert_no_secret_in(&self, what: &str, text: &[u8]) {
        let text = String::from_utf8_lossy(text);
        for (path, secret) in &self.secrets {
            assert!(
                !text.contains(secret.as_str()),
                "{what} shows the secret from {path}"
            );
        }
    }
}

/// The seed's `config/settings.yaml` (and the generic YAML/JSON/TOML files of other tests) are
/// read by no loader leakless knows to expand `${VAR}`, so by default migrate leaves them as
/// manual steps (`seed_yaml_is_a_manual_step_by_default` checks that). The store and
/// crash-safety tests exercise rewrites of those files too, so they vouch for the loader as a
/// user would: `--ref-template '${{KEY}}'`, through its environment variable.
pub const VOUCHED: (&str, &str) = ("LEAKLESS_REF_TEMPLATE", "${{KEY}}");

/// Environment variables of every store, removed from a child so the machine's settings never
/// leak into a test.
const STORE_VARS: &[&str] = &[
    "VAULT_ADDR",
    "VAULT_TOKEN",
    "VAULT_ROLE_ID",
    "VAULT_SECRET_ID",
    "VAULT_NAMESPACE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_SECRETS_MANAGER",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "INFISICAL_API_URL",
    "INFISICAL_UNIVERSAL_AUTH_CLIENT_ID",
    "INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET",
    "INFISICAL_TOKEN",
    "INFISICAL_PROJECT_ID",
    "INFISICAL_ENVIRONMENT",
    "INFISICAL_CLIENT_ID",
    "INFISICAL_CLIENT_SECRET",
    "GITHUB_ENV",
    "SOPS_AGE_KEY_FILE",
    "SOPS_AGE_RECIPIENTS",
    "AZURE_KEYVAULT_URL",
    "AZURE_ACCESS_TOKEN",
    "AZURE_TENANT_ID",
    "AZURE_CLIENT_ID",
    "AZURE_CLIENT_SECRET",
    "AZURE_AUTHORITY_HOST",
    "DOPPLER_TOKEN",
    "DOPPLER_PROJECT",
    "DOPPLER_CONFIG",
    "DOPPLER_API_HOST",
    "LEAKLESS_TEST_ONLY_CA_FILE",
    "GOOGLE_CLOUD_PROJECT",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "GOOGLE_OAUTH_ACCESS_TOKEN",
    "CLOUDSDK_CORE_PROJECT",
    "CLOUDSDK_API_ENDPOINT_OVERRIDES_SECRETMANAGER",
    "CLOUDSDK_CONFIG",
    "GCE_METADATA_HOST",
    "GITHUB_TOKEN",
    "GH_TOKEN",
    "GITHUB_API_URL",
    "GITHUB_REPOSITORY",
];

/// `leakless <args>` in the repository with exactly these store settings; (code, stdout, stderr).
pub fn run_env(repo: &Repo, args: &[&str], env: &[(&str, String)]) -> (i32, String, String) {
    run_in(&repo.root(), args, env)
}

/// `leakless <args>` in `dir` with exactly these store settings; (code, stdout, stderr).
pub fn run_in(dir: &Path, args: &[&str], env: &[(&str, String)]) -> (i32, String, String) {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .env(VOUCHED.0, VOUCHED.1);
    for k in STORE_VARS {
        cmd.env_remove(k);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let o = cmd.output().expect("leakless runs");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// Starts `leakless migrate --apply <extra>` paused at a test failpoint; returns the child once
/// it has reached the point (it then waits for stdin to close).
pub fn spawn_paused(root: &Path, failpoint: &str, extra: &[&str], env: &[(&str, &str)]) -> Child {
    if !cfg!(feature = "test-failpoints") {
        panic!("failpoint tests need the test-only hooks: cargo test --features test-failpoints (bash scripts/test enables it)");
    }
    let mut cmd = Command::new(BIN);
    cmd.args(["migrate", "--apply"])
        .args(extra)
        .current_dir(root)
        .env("LEAKLESS_TEST_FAILPOINT", failpoint)
        .env(VOUCHED.0, VOUCHED.1)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for k in STORE_VARS {
        cmd.env_remove(k);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("leakless starts");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let want = format!("failpoint {failpoint}");
    loop {
        match lines.next() {
            Some(Ok(l)) if l.contains(&want) => break,
            Some(Ok(_)) => continue,
            _ => {
                let status = child.wait().expect("wait");
                panic!("leakless ended ({status}) before failpoint {failpoint}");
            }
        }
    }
    // Keep draining stderr so the child never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    child
}

#[test]
fn dry_run_prints_the_plan_and_writes_nothing() {
    let repo = Repo::seed();
    let before = repo.snapshot();
    let out = repo.leakless(&["migrate"]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let text = stdout(&out);
    for key in [
        "INFISICAL_CLIENT_SECRET",
        "OPENAI_API_KEY",
        "DATABASE_URL",
        "STRIPE_SECRET_KEY",
        "SENDGRID_API_KEY",
        "ANALYTICS_DATABASE_URL",
    ] {
        assert!(text.contains(key), "plan lists {key}:\n{text}");
    }
    assert!(text.contains("would_untrack    .env.dev"), "{text}");
    assert!(text.contains("--apply"), "{text}");
    repo.assert_no_secret_in("the dry run", &out.stdout);
    repo.assert_no_secret_in("the dry run (stderr)", &out.stderr);
    assert_eq!(before, repo.snapshot(), "a dry run changed the repository");

    let json = repo.leakless(&["migrate", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json plan");
    assert_eq!(v["applied"], false);
    assert!(v["secrets"]
        .as_array()
        .expect("secrets")
        .iter()
        .all(|s| s["status"] == "planned"));
    repo.assert_no_secret_in("the JSON plan", &json.stdout);
}

#[test]
fn seed_migrates_into_the_embedded_dotenv_store() {
    let repo = Repo::seed();
    let root = repo.root();
    let report = root.join("../report.json");
    let out = repo.leakless(&["migrate", "--apply", "--report", report.to_str().expect("utf-8")]);
    assert_eq!(
        code(&out),
        0,
        "{}\n{}",
        stdout(&out),
        String::from_utf8_lossy(&out.stderr)
    );
    repo.assert_no_secret_in("apply output", &out.stdout);
    repo.assert_no_secret_in("apply stderr", &out.stderr);
    let report_text = std::fs::read(&report).expect("report written");
    repo.assert_no_secret_in("the report", &report_text);

    // Every secret is in a .env.local now, and the store file is private.
    let local = repo.local_files();
    for (path, secret) in &repo.secrets {
        assert!(
            local.contains(secret.as_str()),
            "secret from {path} not in .env.local"
        );
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(root.join(".env.local"))
            .expect(".env.local")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, ".env.local mode");
        let purge = root.join(".git/leakless/purge-replace-text.txt");
        let mode = std::fs::metadata(&purge)
            .expect("purge file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "purge file mode");
        let purge_text = std::fs::read_to_string(&purge).expect("purge text");
        for (path, secret) in &repo.secrets {
            assert!(
                purge_text.contains(&format!("{secret}==>")),
                "purge file lacks the secret from {path}"
            );
        }
    }

    // The repository holds none: .env.dev untracked (working copy kept, ignored), files rewritten.
    let tracked = git(&root, &["ls-files"]);
    assert!(!tracked.lines().any(|l| l == ".env.dev"), "{tracked}");
    assert!(
        root.join(".env.dev").exists(),
        "the working copy of .env.dev stays"
    );
    assert_eq!(
        git(&root, &["check-ignore", ".env.dev", ".env.local"])
            .lines()
            .count(),
        2
    );
    let example = repo.read(".env.example");
    assert!(
        example.contains("INFISICAL_CLIENT_SECRET=\n") && example.contains("PORT=3000\n"),
        "{example}"
    );
    assert!(
        example.contains("INFISICAL_CLIENT_ID="),
        "non-secret id keeps its line: {example}"
    );
    assert!(repo
        .read("config/settings.yaml")
        .contains("secret_key: ${STRIPE_SECRET_KEY}"));
    assert!(repo
        .read("app/pay.js")
        .contains("Stripe(process.env.STRIPE_SECRET_KEY)"));
    assert!(repo
        .read("app/mail.py")
        .contains("SENDGRID_API_KEY = os.environ[\"SENDGRID_API_KEY\"]"));
    assert!(repo
        .read("compose.yml")
        .contains("ANALYTICS_DATABASE_URL: ${ANALYTICS_DATABASE_URL}"));
    let scan = repo.leakless(&["scan", "."]);
    assert_eq!(code(&scan), 0, "a fresh scan is clean:\n{}", stdout(&scan));
    // What git would commit holds no secret either.
    for f in git(&root, &["ls-files"]).lines() {
        let staged = git(&root, &["show", &format!(":{f}")]);
        repo.assert_no_secret_in(&format!("index copy of {f}"), staged.as_bytes());
    }

    // The report: store locations, rotation with the rules' links, purge steps.
    let v: serde_json::Value = serde_json::from_slice(&report_text).expect("report json");
    assert_eq!(v["applied"], true);
    let secrets = v["secrets"].as_array().expect("secrets");
    assert_eq!(secrets.len(), 8, "{v:#}");
    assert!(secrets.iter().all(|s| s["status"] == "moved"), "{v:#}");
    let rotation = v["rotation"].as_array().expect("rotation");
    assert_eq!(rotation.len(), 8);
    assert!(rotation.iter().any(|r| r
        .as_str()
        .is_some_and(|r| r.contains("INFISICAL_CLIENT_SECRET") && r.contains("infisical.com"))));
    assert!(v["purge"]["commands"].as_array().expect("cmds").iter().any(|c| c
        .as_str()
        .is_some_and(|c| c.contains("filter-repo") && c.contains("--replace-text"))));
    assert_eq!(v["purge"]["verify"], "leakless scan --history .");

    // The app's configuration still resolves: .env.example then .env.local, read by the real
    // python-dotenv, give every original .env.dev value.
    if let Some(python) = external_tool("LEAKLESS_TEST_PYTHON") {
        let script = "import json,sys\nfrom dotenv import dotenv_values\nprint(json.dumps({'orig': dotenv_values(sys.argv[1]), 'now': {**dotenv_values('.env.example'), **dotenv_values('.env.local')}}))";
        let orig = Path::new(SEED).join(".env.dev");
        let mut cmd = Command::new(python);
        cmd.args(["-c", script, orig.to_str().expect("utf-8")])
            .current_dir(&root);
        let v: serde_json::Value = crate::util::standin::run_json(&mut cmd, "");
        for (k, val) in v["orig"].as_object().expect("orig") {
            assert_eq!(&v["now"][k], val, "{k} resolves to its original value");
        }
    }

    // Re-run: nothing left to do, nothing changes.
    let before = repo.snapshot();
    let again = repo.leakless(&["migrate", "--apply"]);
    assert_eq!(code(&again), 0, "{}", stdout(&again));
    assert!(
        stdout(&again).contains("No secrets in tracked files"),
        "{}",
        stdout(&again)
    );
    assert_eq!(before, repo.snapshot(), "the re-run changed something");
}

#[test]
fn a_conflicting_value_in_the_store_leaves_its_files_alone() {
    let repo = Repo::seed();
    let root = repo.root();
    std::fs::write(
        root.join(".env.local"),
        "STRIPE_SECRET_KEY=sk_live_someone_elses_value\n",
    )
    .expect("write");
    let out = repo.leakless(&["migrate", "--apply"]);
    assert_eq!(
        code(&out),
        1,
        "conflict leaves secrets in files: {}",
        stdout(&out)
    );
    let text = stdout(&out);
    assert!(
        text.contains("CONFLICT") && text.contains("--overwrite"),
        "{text}"
    );
    // Both files with the Stripe key are untouched; the rest moved.
    assert!(repo.read("app/pay.js").contains("sk_live_51"));
    assert!(repo.read("config/settings.yaml").contains("sk_live_51"));
    assert!(repo.read(".env.local").contains("sk_live_someone_elses_value"));
    assert!(!git(&root, &["ls-files"]).lines().any(|l| l == ".env.dev"));
    repo.assert_nothing_lost(&|s| repo.local_files().contains(s));

    let out = repo.leakless(&["migrate", "--apply", "--overwrite"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert!(!repo.read("app/pay.js").contains("sk_live_51"));
    assert!(!repo.read(".env.local").contains("someone_elses"));
    assert_eq!(code(&repo.leakless(&["scan", "."])), 0);
}

#[test]
fn killed_at_any_step_nothing_is_lost_and_a_rerun_finishes() {
    for point in [
        "after-verify:1",
        "after-verify:4",
        "after-rewrite:1",
        "after-rewrite:3",
        "before-untrack:1",
    ] {
        let repo = Repo::seed();
        let root = repo.root();
        let mut child = spawn_paused(&root, point, &[], &[]);
        child.kill().expect("kill -9");
        child.wait().expect("reaped");
        repo.assert_nothing_lost(&|s| repo.local_files().contains(s));

        let out = repo.leakless(&["migrate", "--apply", "--format", "json"]);
        assert_eq!(code(&out), 0, "{point}: re-run finishes: {}", stdout(&out));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        assert_eq!(v["resumed"], true, "{point}");
        assert_eq!(
            v["secrets"].as_array().expect("secrets").len(),
            8,
            "{point}: report lists all: {v:#}"
        );
        let local = repo.local_files();
        for (path, secret) in &repo.secrets {
            assert!(
                local.contains(secret.as_str()),
                "{point}: secret from {path} stored"
            );
        }
        assert_eq!(
            code(&repo.leakless(&["scan", "."])),
            0,
            "{point}: clean afterwards"
        );
        let staged = git(&repo.root(), &["ls-files"]);
        assert!(
            staged.lines().any(|l| l == ".env.example") && staged.lines().any(|l| l == ".gitignore"),
            "{point}: what the killed run wrote is staged by the re-run: {staged}"
        );
    }
}

#[test]
fn a_file_changed_during_the_run_is_left_alone() {
    let repo = Repo::seed();
    let root = repo.root();
    let mut child = spawn_paused(&root, "after-verify:1", &[], &[]);
    let yaml = root.join("config/settings.yaml");
    let mut text = std::fs::read_to_string(&yaml).expect("yaml");
    text.push_str("# edited meanwhile\n");
    std::fs::write(&yaml, &text).expect("edit");
    drop(child.stdin.take());
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(2), "an error is reported");
    assert_eq!(
        repo.read("config/settings.yaml"),
        text,
        "the edited file is untouched"
    );
    repo.assert_nothing_lost(&|s| repo.local_files().contains(s));
    let out = repo.leakless(&["migrate", "--apply"]);
    // Finished, but the user's own edit is not staged for them: a manual step (exit 1).
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    assert!(
        stdout(&out).contains("config/settings.yaml: rewritten but not staged"),
        "{}",
        stdout(&out)
    );
    assert!(repo
        .read("config/settings.yaml")
        .ends_with("# edited meanwhile\n"));
    assert!(!repo.read("config/settings.yaml").contains("sk_live_51"));
}

#[test]
fn scope_and_from_report_limit_the_plan() {
    let repo = Repo::seed();
    let out = repo.leakless(&["migrate", "--scope", "config", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let mut keys: Vec<&str> = v["secrets"]
        .as_array()
        .expect("s")
        .iter()
        .filter_map(|s| s["key"].as_str())
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, ["MAIL_PASSWORD", "STRIPE_SECRET_KEY"], "{v:#}");

    let scan = repo.leakless(&["scan", ".", "--format", "json"]);
    let mut doc: serde_json::Value = serde_json::from_slice(&scan.stdout).expect("json");
    doc["findings"]
        .as_array_mut()
        .expect("findings")
        .retain(|f| f["rule_id"] == "openai-project-api-key");
    let report = repo.root().join("../only-openai.json");
    std::fs::write(&report, doc.to_string()).expect("write");
    let out = repo.leakless(&[
        "migrate",
        "--apply",
        "--from-report",
        report.to_str().expect("utf-8"),
        "--format",
        "json",
    ]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let keys: Vec<&str> = v["secrets"]
        .as_array()
        .expect("s")
        .iter()
        .filter_map(|s| s["key"].as_str())
        .collect();
    assert_eq!(keys, ["OPENAI_API_KEY"], "{v:#}");
    assert!(
        repo.read("app/pay.js").contains("sk_live_51"),
        "other files untouched"
    );
}

#[test]
fn bad_input_is_one_clear_error() {
    let dir = TestDir::new();
    let out = Command::new(BIN)
        .args(["migrate"])
        .current_dir(dir.path())
        .output()
        .expect("runs");
    assert_eq!(code(&out), 2);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not inside a git working tree") && err.lines().count() == 1,
        "{err}"
    );

    let repo = Repo::seed();
    let bogus = repo.root().join("../bogus.json");
    std::fs::write(&bogus, "not json").expect("write");
    let out = repo.leakless(&["migrate", "--from-report", bogus.to_str().expect("utf-8")]);
    assert_eq!(code(&out), 2);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("bogus.json"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Disk full on rewrite, for real: the repository lives on a 1 MiB tmpfs (in a user and mount
/// namespace made by `unshare`), filled so that the small store and journal writes fit but the
/// rewrite of a large config file does not. Afterwards nothing is lost; with space again a
/// re-run finishes.
#[cfg(target_os = "linux")]
#[test]
fn disk_full_on_rewrite_loses_nothing() {
    let probe = Command::new("unshare").args(["-rm", "true"]).output();
    if !probe.is_ok_and(|o| o.status.success()) {
        assert!(
            std::env::var_os("LEAKLESS_REQUIRE_TOOLS").is_none(),
            "unshare -rm is not permitted here"
        );
        eprintln!("note: unshare -rm not permitted; skipping the disk-full test");
        return;
    }
    let repo = Repo::seed();
    let root = repo.root();
    // A config file too large to rewrite once the disk is nearly full (64 KiB).
    let mut yaml = repo.read("config/settings.yaml");
    for i in 0..2000 {
        yaml.push_str(&format!("# padding line {i:05} .........................\n"));
    }
    std::fs::write(root.join("config/settings.yaml"), yaml).expect("write");
    git(&root, &["commit", "-qam", "bigger config"]);
    let outs = repo.dir.path().join("out");
    std::fs::create_dir_all(&outs).expect("mkdir");
    let script = r#"
set -u
mnt="$1"; src="$2"; out="$3"; bin="$4"
mount -t tmpfs -o size=2m tmpfs "$mnt" || exit 90
cp -a "$src/." "$mnt/" || exit 91
cd "$mnt"
# Fill the disk, then free 24 KiB: room for the small writes, not for a 64 KiB rewrite.
dd if=/dev/zero of=fill bs=4k 2>/dev/null; rm -f fill
dd if=/dev/zero of=fill bs=4k count=$(( $(df -k --output=avail . | tail -1) / 4 - 6 )) 2>/dev/null
"$bin" migrate --apply >"$out/run1.out" 2>"$out/run1.err"; echo $? >"$out/run1.code"
rm -f fill
mkdir -p "$out/after1"; cp -a "$mnt/." "$out/after1/"
"$bin" migrate --apply >"$out/run2.out" 2>"$out/run2.err"; echo $? >"$out/run2.code"
mkdir -p "$out/after2"; cp -a "$mnt/." "$out/after2/"
"#;
    let mnt = repo.dir.path().join("mnt");
    std::fs::create_dir_all(&mnt).expect("mkdir");
    let st = Command::new("unshare")
        .args(["-rm", "bash", "-c", script, "bash"])
        .arg(&mnt)
        .arg(&root)
        .arg(&outs)
        .arg(BIN)
        .env(VOUCHED.0, VOUCHED.1)
        .status()
        .expect("unshare runs");
    assert!(st.success(), "namespace script: {st}");
    let read = |p: &str| std::fs::read_to_string(outs.join(p)).unwrap_or_default();
    assert_eq!(
        read("run1.code").trim(),
        "2",
        "disk full is an error: {}",
        read("run1.err")
    );
    assert!(
        read("run1.err").contains("settings.yaml") || read("run1.out").contains("settings.yaml"),
        "{}{}",
        read("run1.out"),
        read("run1.err")
    );
    // After the failed run: each secret is in its file or in .env.local.
    let after1 = |rel: &str| std::fs::read_to_string(outs.join("after1").join(rel)).unwrap_or_default();
    let local = after1(".env.local");
    for (path, secret) in &repo.secrets {
        assert!(
            after1(path).contains(secret.as_str()) || local.contains(secret.as_str()),
            "after disk full, a secret from {path} is in neither place"
        );
    }
    assert!(
        after1("config/settings.yaml").contains("sk_live_51"),
        "the big file is unchanged"
    );
    assert!(
        !std::fs::read_dir(outs.join("after1/config"))
            .expect("dir")
            .flatten()
            .any(|e| e.file_name().to_string_lossy().contains("leakless-tmp")),
        "no temp file left"
    );
    assert_eq!(
        read("run2.code").trim(),
        "0",
        "re-run with space finishes: {}{}",
        read("run2.out"),
        read("run2.err")
    );
    let after2 = |rel: &str| std::fs::read_to_string(outs.join("after2").join(rel)).unwrap_or_default();
    assert!(after2("config/settings.yaml").contains("${STRIPE_SECRET_KEY}"));
}

/// The purge the report prints works: git filter-repo (from PyPI, as users install it) with the
/// replace-text file and the listed paths, then `leakless scan --history` finds nothing.
#[test]
fn the_printed_purge_leaves_a_clean_history() {
    let Some(venv) = external_tool("LEAKLESS_TEST_VENV") else {
        return;
    };
    let filter_repo = venv.join("bin/git-filter-repo");
    let repo = Repo::seed();
    let root = repo.root();
    let out = repo.leakless(&["migrate", "--apply", "--format", "json"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    git(&root, &["commit", "-qm", "move secrets to the store"]);
    let hist = repo.leakless(&["scan", "--history", "."]);
    assert_eq!(code(&hist), 1, "history still holds the secrets before the purge");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let cmd = v["purge"]["commands"]
        .as_array()
        .expect("commands")
        .iter()
        .filter_map(|c| c.as_str())
        .find(|c| c.starts_with("git filter-repo"))
        .expect("a filter-repo command")
        .to_string();
    // Run it as printed (in this local repository: --force instead of a fresh mirror clone, and
    // no fetch from a remote it does not have).
    let script = format!(
        "{} --force --no-fetch",
        cmd.replacen("git filter-repo", &filter_repo.display().to_string(), 1)
    );
    let o = crate::util::bash()
        .args(["-c", &script])
        .current_dir(&root)
        .output()
        .expect("bash");
    assert!(
        o.status.success(),
        "{script}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let hist = repo.leakless(&["scan", "--history", "."]);
    assert_eq!(
        code(&hist),
        0,
        "history is clean after the purge:\n{}",
        stdout(&hist)
    );
    assert!(
        root.join(".env.dev").exists(),
        "the ignored working copy is untouched"
    );
}

/// A repository that already ignores `.env*` (but tracks `.env.dev` from before): the example file
/// is re-included, written and staged; the `.gitignore` lines are added once.
#[test]
fn an_existing_env_glob_in_gitignore_is_respected() {
    let repo = Repo::seed();
    let root = repo.root();
    std::fs::write(root.join(".gitignore"), "node_modules/\n.env*\n").expect("write");
    git(&root, &["add", ".gitignore"]);
    git(&root, &["commit", "-qm", "ignore env files"]);
    let out = repo.leakless(&["migrate", "--apply", "--scope", ".env.dev"]);
    assert_eq!(
        code(&out),
        0,
        "{}\n{}",
        stdout(&out),
        String::from_utf8_lossy(&out.stderr)
    );
    let gi = repo.read(".gitignore");
    assert!(
        gi.starts_with("node_modules/\n.env*\n") && gi.contains("!.env.example"),
        "{gi}"
    );
    let staged = git(&root, &["diff", "--cached", "--name-status"]);
    assert!(
        staged.contains("A\t.env.example") && staged.contains("D\t.env.dev"),
        "{staged}"
    );
    assert_eq!(gi.matches("!.env.example").count(), 1);
}

/// A value repeated under a key no rule flags gets the same reference; a multi-line key in YAML
/// and a Python literal without `import os` are manual steps (stored, file untouched there); a
/// tracked symlink to a file outside the repository is neither read nor rewritten.
#[test]
fn repeats_multiline_keys_imports_and_symlinks() {
    let repo = Repo::from_fixture(Path::new(EDGE));
    let root = repo.root();
    let outside = repo.dir.path().join("outside.yaml");
    let outside_text = "password: \"Qm7vR2xT9kLp4WnB8cYz3DfH\"\n";
    std::fs::write(&outside, outside_text).expect("write");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(&outside, root.join("config/linked.yaml")).expect("symlink");
        git(&root, &["add", "config/linked.yaml"]);
        git(&root, &["commit", "-qm", "link"]);
    }
    let out = repo.leakless(&["migrate", "--apply", "--format", "json"]);
    assert_eq!(code(&out), 1, "manual steps remain: {}", stdout(&out));
    repo.assert_no_secret_in("the report", &out.stdout);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(
        v["secrets"]
            .as_array()
            .expect("s")
            .iter()
            .all(|s| s["status"] == "moved"),
        "{v:#}"
    );
    let yaml = repo.read("config/app.yaml");
    assert!(yaml.contains("password: \"${MAIL_PASSWORD}\""), "{yaml}");
    assert!(
        yaml.contains("backup_copy: \"${MAIL_PASSWORD}\""),
        "the repeat is replaced too: {yaml}"
    );
    assert!(
        yaml.contains("-----BEGIN RSA PRIVATE KEY-----"),
        "the multi-line key is left for a person"
    );
    assert!(
        repo.read("scripts/deploy.py").contains("GITHUB_TOKEN = \"ghp_"),
        "no import added"
    );
    let steps = v["manual_steps"].as_array().expect("steps");
    assert!(
        steps.iter().any(|s| s
            .as_str()
            .is_some_and(|s| s.starts_with("config/app.yaml:9: multi-line secret"))),
        "{steps:?}"
    );
    assert!(
        steps.iter().any(|s| s
            .as_str()
            .is_some_and(|s| s.starts_with("scripts/deploy.py:3: add `import os`"))),
        "{steps:?}"
    );
    // Everything is in the store, including what is left for a person.
    repo.assert_nothing_lost(&|s| repo.local_files().contains(s));
    let local = repo.local_files();
    for (path, secret) in &repo.secrets {
        if path != "config/linked.yaml" {
            let first_line = secret.lines().next().unwrap_or_default();
            assert!(local.contains(first_line), "secret from {path} stored");
        }
    }
    assert_eq!(
        std::fs::read_to_string(&outside).expect("outside"),
        outside_text,
        "outside file untouched"
    );
    #[cfg(unix)]
    assert!(std::fs::symlink_metadata(root.join("config/linked.yaml"))
        .expect("link")
        .file_type()
        .is_symlink());
}

const STRIPE: &str = "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"; // leakless:allow
const SENDGRID: &str = "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"; // leakless:allow

/// A tracked `.env.local` (shared defaults) never receives secrets: one error, nothing moved.
#[test]
fn a_tracked_env_local_is_never_written() {
    let repo = Repo::from_files(&[
        (".env.local", "PORT=3000\n"),
        ("app.yaml", "mail:\n  password: \"Na1Hedcm4pMbXDuCL1mHoOsF\"\n"),
    ]);
    let before = repo.snapshot();
    let out = repo.leakless(&["migrate", "--apply"]);
    assert_eq!(code(&out), 2, "{}", stdout(&out));
    assert!(
        stdout(&out).contains(".env.local: git tracks it"),
        "{}",
        stdout(&out)
    );
    let after = repo.snapshot();
    assert_eq!(before.get(".env.local"), after.get(".env.local"));
    assert_eq!(before.get("app.yaml"), after.get("app.yaml"));
}

/// Two runs that each move a secret under the same key name (two scopes, or a resumed run): the
/// second value goes to the next free name; nothing is overwritten, even with --overwrite.
#[test]
fn a_key_our_earlier_run_used_is_never_overwritten() {
    let repo = Repo::from_files(&[
        ("a.yaml", "mail:\n  password: \"Na1Hedcm4pMbXDuCL1mHoOsF\"\n"),
        ("b.yaml", "mail:\n  password: \"Zq8Wv2Lp9Xk3Rt7Yb4Nm6Hc1\"\n"),
    ]);
    let out = repo.leakless(&["migrate", "--apply", "--scope", "a.yaml"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let out = repo.leakless(&["migrate", "--apply", "--scope", "b.yaml", "--overwrite"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert!(repo.read("a.yaml").contains("${MAIL_PASSWORD}"));
    assert!(
        repo.read("b.yaml").contains("${MAIL_PASSWORD_2}"),
        "{}",
        repo.read("b.yaml")
    );
    let local = repo.read(".env.local");
    assert!(
        local.contains("MAIL_PASSWORD=Na1Hedcm4pMbXDuCL1mHoOsF")
            && local.contains("MAIL_PASSWORD_2=Zq8Wv2Lp9Xk3Rt7Yb4Nm6Hc1"),
        "{local}"
    );
}

/// Killed after the first rewrite: the run that finishes stages what the killed one wrote, so the
/// index holds no secret.
#[test]
fn a_resumed_run_stages_what_the_killed_run_wrote() {
    let repo = Repo::seed();
    let root = repo.root();
    let mut child = spawn_paused(&root, "after-rewrite:2", &[], &[]);
    child.kill().expect("kill -9");
    child.wait().expect("reaped");
    let out = repo.leakless(&["migrate", "--apply"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    for f in git(&root, &["ls-files"]).lines() {
        let staged = git(&root, &["show", &format!(":{f}")]);
        repo.assert_no_secret_in(&format!("index copy of {f}"), staged.as_bytes());
    }
    assert!(
        git(&root, &["status", "--porcelain"])
            .lines()
            .all(|l| !l.starts_with(" M")),
        "nothing left unstaged"
    );
}

/// Code is only rewritten where the lookup compiles: no prefixed or triple-quoted Python strings,
/// no `import osmnx` mistaken for `import os`, no Go/Kotlin constants or Java annotations; JSX
/// attributes get braces; a TypeScript type annotation is not a key; renamed keys rename only
/// the key.
#[test]
fn code_rewrites_stay_valid() {
    let repo = Repo::from_files(&[
        ("a.py", &format!("import osmnx as ox\nKEY = \"{SENDGRID}\"\n")),
        ("b.py", &format!("import os\nKEY = b\"{STRIPE}\"\n")),
        (
            "c.go",
            &format!("package c\n\nimport \"os\"\n\nconst key = \"{STRIPE}\"\n\nvar _ = os.Args\n"),
        ),
        (
            "C.kt",
            &format!("object C {{\n    const val KEY = \"{STRIPE}\"\n}}\n"),
        ),
        (
            "A.java",
            &format!("class A {{ @Value(\"{SENDGRID}\") String k; }}\n"),
        ),
        (
            "c.jsx",
            &format!("export const C = () => <Checkout secret=\"{STRIPE}\" />;\n"),
        ),
        (
            "k.ts",
            &format!("export const stripeKey: string = \"{STRIPE}\";\n"),
        ),
        ("x.rb", &format!("KEY = \"{SENDGRID}\"\n")),
        (
            "y.rb",
            "KEY = \"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\"\n",
        ),
    ]);
    let before = repo.snapshot();
    let out = repo.leakless(&["migrate", "--apply"]);
    assert_eq!(code(&out), 1, "manual steps remain: {}", stdout(&out));
    for f in ["a.py", "b.py", "c.go", "C.kt", "A.java"] {
        assert_eq!(
            before.get(f),
            Some(&std::fs::read(repo.root().join(f)).expect("read")),
            "{f} left for a person"
        );
    }
    assert!(
        repo.read("c.jsx")
            .contains("secret={process.env.STRIPE_SECRET_KEY}"),
        "{}",
        repo.read("c.jsx")
    );
    assert!(
        repo.read("k.ts")
            .contains("stripeKey: string = process.env.STRIPE_SECRET_KEY!;"),
        "{}",
        repo.read("k.ts")
    );
    let rb = format!("{}{}", repo.read("x.rb"), repo.read("y.rb"));
    assert!(
        rb.contains("ENV.fetch(\"SENDGRID_API_KEY\")") && rb.contains("ENV.fetch(\"SENDGRID_API_KEY_2\")"),
        "{rb}"
    );
}

/// Two environments' dotenv files in one directory keep their values apart in the dotenv store
/// (`.env.dev.local`, `.env.production.local`); a key assigned twice stores its last value.
#[test]
fn dotenv_environments_and_duplicate_keys() {
    let repo = Repo::from_files(&[
        (".env.dev", "DB_PASSWORD=Na1Hedcm4pMbXDuCL1mHoOsF\nSESSION_SECRET=Q3J27XDCG2LmlZGEONYlgCtjfIZ4SOcMz9CPVNPk\nSESSION_SECRET=C3J27XDCG2LmlZGEONYlgCtjfIZ4SOcMz9CPVNPk\n"),
        (".env.production", "DB_PASSWORD=Zq8Wv2Lp9Xk3Rt7Yb4Nm6Hc1\n"),
    ]);
    let out = repo.leakless(&["migrate", "--apply"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let dev = repo.read(".env.dev.local");
    let prod = repo.read(".env.production.local");
    assert!(dev.contains("DB_PASSWORD=Na1Hedcm4pMbXDuCL1mHoOsF"), "{dev}");
    assert!(
        dev.contains("SESSION_SECRET=C3J27XDCG2LmlZGEONYlgCtjfIZ4SOcMz9CPVNPk"),
        "the last assignment wins: {dev}"
    );
    assert!(prod.contains("DB_PASSWORD=Zq8Wv2Lp9Xk3Rt7Yb4Nm6Hc1"), "{prod}");
    assert!(
        repo.read(".gitignore").contains("*.leakless-tmp-*"),
        "temporaries are ignored"
    );
    assert_eq!(
        git(
            &repo.root(),
            &["check-ignore", ".env.dev.local", ".env.production.local"]
        )
        .lines()
        .count(),
        2
    );
}

/// The failpoint hook exists only in builds with the `test-failpoints` feature: the binary under
/// test carries the variable's name exactly when the feature is on (scripts/test also checks the
/// release binary lacks it).
#[test]
fn failpoint_hook_is_only_in_feature_builds() {
    let bin = std::fs::read(BIN).expect("read the leakless binary");
    let has = bin
        .windows(b"LEAKLESS_TEST_FAILPOINT".len())
        .any(|w| w == b"LEAKLESS_TEST_FAILPOINT");
    assert_eq!(
        has,
        cfg!(feature = "test-failpoints"),
        "LEAKLESS_TEST_FAILPOINT in {BIN} (feature test-failpoints on: {})",
        cfg!(feature = "test-failpoints")
    );
}

#[test]
fn seed_yaml_is_a_manual_step_by_default() {
    let repo = Repo::seed();
    let out = Command::new(BIN)
        .args(["migrate", "--apply"])
        .current_dir(repo.root())
        .env_remove(VOUCHED.0)
        .stdin(Stdio::null())
        .output()
        .expect("runs");
    let text = stdout(&out);
    // Secrets remain in a tracked file (a manual step): exit 1.
    assert_eq!(code(&out), 1, "{text}");
    repo.assert_no_secret_in("the report", &out.stdout);
    // docker compose expands ${VAR}: rewritten. config/settings.yaml: nobody expands it.
    assert!(repo.read("compose.yml").contains("${ANALYTICS_DATABASE_URL}"));
    let yaml = repo.read("config/settings.yaml");
    assert!(!yaml.contains("${"), "{yaml}");
    assert!(
        text.contains(
            "config/settings.yaml:8: this file's loader is not known to expand environment variables"
        ),
        "{text}"
    );
    assert!(text.contains("--ref-template '${{KEY}}'"), "{text}");
    // The values are in the store all the same (a manual step, not a lost secret).
    let local = repo.local_files();
    for (path, secret) in &repo.secrets {
        assert!(local.contains(secret.as_str()), "secret from {path} stored");
    }
}
