//! The `doppler` store end to end: `leakless migrate --to doppler` against a local stand-in of
//! Doppler's REST API v3 (tests/support/doppler_fake.py; no Doppler can run here), with Doppler's
//! official Python SDK (`doppler-sdk`, pointed at the stand-in with its own `set_base_url`,
//! tests/support/doppler_sdk.py) as the independent second client.

use serde_json::Value;

use crate::migrate::{git, run_env, Repo};
use crate::migrate_stores::{assert_every_secret_in, fails_after_three_writes, rerun_finishes};
use crate::run_env::{migrate_commit_clone, openai_key, printenv_in};
use crate::util::external_tool;
use crate::util::standin::{python_or_system, python_script, run_json, Launch, StandIn};

/// A made-up personal token and a service token for the `dev` config (Doppler's prefixes).
const TOKEN: &str = "dp.pt.testonlyQk3v9LmN2pR7sT4uW8xY1zA5bC6dE0fG";
const SERVICE_TOKEN: &str = "dp.st.dev.testonlyH2jK4mN6pQ8rS0tU3vW5xY7zA9bC";
const READ_ONLY: &str = "dp.st.dev.testonlyreadonlyZ1Y2X3W4V5U6T7S8R9Q0";

/// The stand-in on a free port, killed on drop.
pub struct DopplerFake {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    server: StandIn,
}

impl DopplerFake {
    /// Starts the stand-in (project `shop`, configs dev/stg/prd) with test hooks `extra`.
    pub fn start(extra: &[&str]) -> Self {
        let server = Launch::python("the Doppler stand-in", &python_or_system(), "doppler_fake.py")
            .args(["--project", "shop", "--token", TOKEN])
            .arg("--service-token")
            .arg(format!("{SERVICE_TOKEN}:dev"))
            .arg("--service-token")
            .arg(format!("{READ_ONLY}:dev"))
            .args(["--read-only", READ_ONLY])
            .args(extra)
            .ready_line(1);
        Self {
            url: server.url(),
            server,
        }
    }

    /// A personal token and the project, as `migrate` reads them (configs from environments).
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("DOPPLER_TOKEN", TOKEN.into()),
            ("DOPPLER_PROJECT", "shop".into()),
            ("DOPPLER_API_HOST", self.url.clone()),
        ]
    }

    /// A service token for `dev` alone: project and config implied.
    pub fn service_env(&self, token: &str) -> Vec<(&'static str, String)> {
        vec![
            ("DOPPLER_TOKEN", token.into()),
            ("DOPPLER_API_HOST", self.url.clone()),
        ]
    }

    /// Everything stored: `configs` (config → name → raw value) and counters.
    pub fn state(&self) -> Value {
        self.server.state()
    }

    /// Every value of every config.
    pub fn values(&self) -> Vec<String> {
        let state = self.state();
        state["configs"]
            .as_object()
            .expect("configs")
            .values()
            .flat_map(|c| c.as_object().expect("config").values())
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect()
    }

    /// The official SDK: `get PROJECT CONFIG NAME`, `set PROJECT CONFIG NAME` (value on stdin),
    /// `configs PROJECT`. `None` when the venv is not set up.
    pub fn sdk(&self, args: &[&str], stdin: &str) -> Option<Value> {
        let python = external_tool("LEAKLESS_TEST_PYTHON")?;
        let mut cmd = python_script(&python, "doppler_sdk.py");
        cmd.arg(&self.url).args(args).env("DOPPLER_TOKEN", TOKEN);
        Some(run_json(&mut cmd, stdin))
    }
}

const SEED_KEYS: &[&str] = &[
    "ANALYTICS_DATABASE_URL",
    "DATABASE_URL",
    "OPENAI_API_KEY",
    "SESSION_SECRET",
    "STRIPE_SECRET_KEY",
];

#[test]
fn seed_migrates_into_doppler_configs_per_environment_and_the_sdk_reads_them() {
    let dp = DopplerFake::start(&["--rate-limit-once"]);
    let repo = Repo::seed();
    let root = repo.root();
    std::fs::write(
        root.join(".env.production"),
        "NODE_ENV=production\nDATABASE_URL=postgres://shop:Pr0dPassw0rdXq81Lm@db.prod.internal:5432/shop\n",
    )
    .expect("write");
    git(&root, &["add", ".env.production"]);
    git(&root, &["commit", "-qm", "prod settings"]);
    let (code, out, err) = run_env(&repo, &["migrate", "--to", "doppler", "--apply"], &dp.env());
    assert_eq!(code, 0, "{out}\n{err}");
    repo.assert_no_secret_in("stdout", out.as_bytes());
    repo.assert_no_secret_in("stderr", err.as_bytes());
    let state = dp.state();
    assert_eq!(state["rateLimited"], 1, "the 429 was retried");
    let dev = &state["configs"]["dev"];
    for k in SEED_KEYS {
        assert!(dev[k].is_string(), "{k} in dev: {dev}");
    }
    assert!(state["configs"]["prd"]["DATABASE_URL"]
        .as_str()
        .is_some_and(|v| v.contains("Pr0dPassw0rdXq81Lm")));
    let values = dp.values();
    assert_every_secret_in(&repo, &values, "Doppler");
    assert_eq!(run_env(&repo, &["scan", "."], &[]).0, 0);
    assert!(
        out.contains(&format!(
            "doppler secrets get OPENAI_API_KEY --plain -p shop -c dev --api-host {}",
            dp.url
        )),
        "{out}"
    );
    assert!(out.contains("doppler run -p shop -c"), "{out}");

    // Doppler's SDK reads the same raw values (and `computed` equals them: no references).
    for k in SEED_KEYS {
        let Some(got) = dp.sdk(&["get", "shop", "dev", k], "") else {
            return;
        };
        assert_eq!(got["raw"], dev[k], "{k}");
        assert_eq!(got["computed"], dev[k], "{k}");
    }
    let configs = dp.sdk(&["configs", "shop"], "").expect("sdk");
    assert_eq!(configs["names"], serde_json::json!(["dev", "prd", "stg"]));
    // An identical re-run writes nothing.
    let writes = dp.state()["writes"].clone();
    let (code, out, err) = run_env(&repo, &["migrate", "--to", "doppler", "--apply"], &dp.env());
    assert!(code == 0 || code == 1, "{out}\n{err}");
    assert_eq!(dp.state()["writes"], writes);
}

#[test]
fn a_service_token_implies_project_and_config_and_leakless_run_reads_them_in_a_clone() {
    let dp = DopplerFake::start(&[]);
    let repo = Repo::seed();
    let (_dir, clone) = migrate_commit_clone(&repo, &["--to", "doppler"], &dp.service_env(SERVICE_TOKEN));
    assert!(dp.state()["configs"]["dev"]["OPENAI_API_KEY"].is_string());
    let map = std::fs::read_to_string(clone.join(".leakless/secrets.toml")).expect("map");
    assert!(map.contains("store = \"doppler\""), "{map}");
    // Only the token: the API host comes from the map.
    let env = vec![("DOPPLER_TOKEN", SERVICE_TOKEN.to_string())];
    assert_eq!(printenv_in(&clone, &env).trim(), openai_key());
    let bad = vec![("DOPPLER_TOKEN", "dp.st.dev.wrong".to_string())];
    let (code, out, err) = crate::migrate::run_in(&clone, &["run", "--", "echo", "RAN"], &bad);
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(!out.contains("RAN"));
    assert!(err.contains("doppler refused the credentials"), "{err}");
}

#[test]
fn names_doppler_cannot_hold_are_refused_not_renamed() {
    let dp = DopplerFake::start(&[]);
    let key = openai_key();
    let text = format!("openai_api_key={key}\n");
    let repo = Repo::from_files(&[(".env.dev", text.as_str())]);
    let (code, out, err) = run_env(&repo, &["migrate", "--to", "doppler", "--apply"], &dp.env());
    assert_eq!(code, 1, "a manual step: {out}\n{err}");
    assert!(
        format!("{out}{err}").contains("Doppler secret names are upper-case"),
        "{out}\n{err}"
    );
    assert!(dp.values().is_empty(), "nothing sent");
    assert!(
        repo.read(".env.dev").contains(&key),
        "the value stays in its file"
    );
}

#[test]
fn conflicts_races_read_only_tokens_and_bad_tokens_never_lose_a_value() {
    let dp = DopplerFake::start(&["--preempt-create", "created-meanwhile"]);
    if dp
        .sdk(&["set", "shop", "dev", "OPENAI_API_KEY"], "theirs-not-ours")
        .is_none()
    {
        return;
    }
    let repo = Repo::seed();
    // A bad token and a read-only service token: exit 2, nothing written.
    let mut bad = dp.env();
    bad[0].1 = "dp.pt.wrong".into();
    let (code, out, err) = run_env(&repo, &["migrate", "--to", "doppler", "--apply"], &bad);
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(
        format!("{out}{err}").contains("doppler refused the credentials"),
        "{out}\n{err}"
    );
    assert!(!out.contains("dp.pt.wrong") && !err.contains("dp.pt.wrong"));
    let (code, out, err) = run_env(
        &repo,
        &["migrate", "--to", "doppler", "--apply"],
        &dp.service_env(READ_ONLY),
    );
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(
        format!("{out}{err}").contains("does not have write access"),
        "{out}\n{err}"
    );
    // Someone else's value, and a secret created between our read and our write (the stand-in
    // creates `created-meanwhile` just before our first create): both are conflicts.
    let (code, out, err) = run_env(&repo, &["migrate", "--to", "doppler", "--apply"], &dp.env());
    assert_ne!(code, 0, "{out}\n{err}");
    let all = format!("{out}{err}");
    repo.assert_no_secret_in("output", all.as_bytes());
    assert!(
        all.matches("already holds a different value").count() >= 2,
        "{all}"
    );
    let dev = dp.state()["configs"]["dev"].clone();
    assert_eq!(dev["OPENAI_API_KEY"], "theirs-not-ours");
    assert_eq!(
        dev.as_object()
            .expect("dev")
            .values()
            .filter(|v| *v == "created-meanwhile")
            .count(),
        1
    );
    let values = dp.values();
    repo.assert_nothing_lost(&|s| values.iter().any(|v| v.contains(s)));
    // --overwrite replaces them (through the originalValue check).
    let (code, out, err) = run_env(
        &repo,
        &["migrate", "--to", "doppler", "--apply", "--overwrite"],
        &dp.env(),
    );
    assert_eq!(code, 0, "{out}\n{err}");
    let dev = dp.state()["configs"]["dev"].clone();
    assert_eq!(dev["OPENAI_API_KEY"], openai_key().as_str());
    assert!(!dev
        .as_object()
        .expect("dev")
        .values()
        .any(|v| v == "created-meanwhile"));
}

#[test]
fn an_update_raced_by_another_writer_is_retried_against_the_new_value() {
    let dp = DopplerFake::start(&["--preempt-update", "changed-meanwhile"]);
    if dp
        .sdk(&["set", "shop", "dev", "OPENAI_API_KEY"], "old-value")
        .is_none()
    {
        return;
    }
    let repo = Repo::seed();
    let (code, out, err) = run_env(
        &repo,
        &["migrate", "--to", "doppler", "--apply", "--overwrite"],
        &dp.env(),
    );
    assert_eq!(code, 0, "{out}\n{err}");
    // The first write was refused by the originalValue check; the store read again and wrote.
    let requests = dp.state()["requests"].clone();
    let posts = requests
        .as_array()
        .expect("requests")
        .iter()
        .filter(|r| *r == "POST /v3/configs/config/secrets")
        .count();
    assert!(posts > SEED_KEYS.len(), "a refused write was retried: {posts}");
    assert_eq!(
        dp.state()["configs"]["dev"]["OPENAI_API_KEY"],
        openai_key().as_str()
    );
}

#[test]
fn doppler_failing_after_three_writes_loses_nothing_and_a_rerun_finishes() {
    let dp = DopplerFake::start(&["--fail-after-writes", "3"]);
    let repo = Repo::seed();
    fails_after_three_writes(&repo, "doppler", &dp.env(), &|| dp.values());
    let dp2 = DopplerFake::start(&[]);
    rerun_finishes(&repo, "doppler", &dp2.env());
}

#[test]
fn doppler_killed_at_every_failpoint_loses_nothing() {
    let dp = DopplerFake::start(&[]);
    let stored = |_: &std::path::Path| dp.values();
    crate::migrate_stores::kill_matrix(&["doppler"], &dp.env(), &stored);
}
