//! The `azure` store end to end: `leakless migrate --to azure` against a local HTTPS stand-in of
//! Azure Key Vault and the Microsoft Entra token endpoint (tests/support/azure_keyvault_fake.py;
//! no Key Vault can run here), trusted through the debug-build-only `LEAKLESS_TEST_ONLY_CA_FILE`,
//! with the official SDK (`azure-keyvault-secrets` + `azure-identity`'s `ClientSecretCredential`,
//! tests/support/azure_sdk.py) as the independent second client that reads every value back.

use serde_json::Value;

use crate::migrate::{run_env, Repo};
use crate::migrate_stores::{assert_every_secret_in, fails_after_three_writes, rerun_finishes};
use crate::run_env::{migrate_commit_clone, openai_key, printenv_in};
use crate::util::external_tool;
use crate::util::standin::{python_or_system, python_script, run_json, Launch, StandIn};
use crate::validate::{make_certs, Certs};

const TENANT: &str = "4f1c2b3a-5d6e-4f70-8a9b-0c1d2e3f4a5b";
const CLIENT_ID: &str = "9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a";
/// A made-up client secret in the shape Entra issues (40 characters).
const CLIENT_SECRET: &str = "Xq8Q~testonly.Not-a-real-secret_0123456789";

/// The seed's keys as Key Vault names under the default template `{project}/{env}` (`shop/dev`).
pub const NAMES: &[(&str, &str)] = &[
    ("DATABASE_URL", "shop--dev--DATABASE-URL"),
    ("OPENAI_API_KEY", "shop--dev--OPENAI-API-KEY"),
    ("STRIPE_SECRET_KEY", "shop--dev--STRIPE-SECRET-KEY"),
    ("SESSION_SECRET", "shop--dev--SESSION-SECRET"),
];

/// The stand-in on two free ports (TLS for the API, plain HTTP for `/__state`), killed on drop.
pub struct KeyVaultFake {
    /// `https://127.0.0.1:PORT`: the vault and the authority host.
    pub url: String,
    state_url: String,
    certs: Certs,
    server: StandIn,
}

impl KeyVaultFake {
    /// Starts the stand-in with test hooks `extra` (see the script's docstring).
    pub fn start(extra: &[&str]) -> Self {
        let certs = make_certs(&["localhost"]);
        let server = Launch::python(
            "the Key Vault stand-in",
            &python_or_system(),
            "azure_keyvault_fake.py",
        )
        .arg("--cert")
        .arg(&certs.cert)
        .arg("--key")
        .arg(&certs.key)
        .args(["--tenant", TENANT, "--client"])
        .arg(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
        .args(extra)
        .ready_line(2);
        let (api, state) = (server.ports()[0], server.ports()[1]);
        Self {
            url: format!("https://127.0.0.1:{api}"),
            state_url: format!("http://127.0.0.1:{state}/__state"),
            certs,
            server,
        }
    }

    /// Client credentials, the vault, the authority and the test CA, as `migrate` reads them.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AZURE_KEYVAULT_URL", self.url.clone()),
            ("AZURE_TENANT_ID", TENANT.into()),
            ("AZURE_CLIENT_ID", CLIENT_ID.into()),
            ("AZURE_CLIENT_SECRET", CLIENT_SECRET.into()),
            ("AZURE_AUTHORITY_HOST", self.url.clone()),
            ("LEAKLESS_TEST_ONLY_CA_FILE", self.certs.ca.display().to_string()),
        ]
    }

    /// Everything stored: `secrets` (lower-case name → name, deleted, versions), counters.
    pub fn state(&self) -> Value {
        self.server.get_json(&self.state_url)
    }

    /// The current value of every live secret.
    pub fn values(&self) -> Vec<String> {
        let state = self.state();
        state["secrets"]
            .as_object()
            .expect("secrets")
            .values()
            .filter(|s| s["deleted"] == false)
            .filter_map(|s| {
                s["versions"].as_array()?.last()?["value"]
                    .as_str()
                    .map(str::to_string)
            })
            .collect()
    }

    /// The official SDK: `get NAME`, `set NAME` (value on stdin) or `list`. `None` when the venv
    /// is not set up (the suite's `bash scripts/test` sets it up; LEAKLESS_REQUIRE_TOOLS fails).
    pub fn sdk(&self, args: &[&str], stdin: &str) -> Option<Value> {
        let python = external_tool("LEAKLESS_TEST_PYTHON")?;
        let mut cmd = python_script(&python, "azure_sdk.py");
        cmd.arg(&self.url)
            .args(args)
            .envs(self.env())
            .env("REQUESTS_CA_BUNDLE", &self.certs.ca);
        Some(run_json(&mut cmd, stdin))
    }
}

fn env_without(env: &[(&'static str, String)], drop: &str) -> Vec<(&'static str, String)> {
    env.iter().filter(|(k, _)| *k != drop).cloned().collect()
}

#[test]
fn seed_migrates_into_key_vault_and_the_sdk_reads_every_value() {
    let kv = KeyVaultFake::start(&[]);
    let repo = Repo::seed();
    let (code, out, err) = run_env(&repo, &["migrate", "--to", "azure", "--apply"], &kv.env());
    assert_eq!(code, 0, "{out}\n{err}");
    repo.assert_no_secret_in("stdout", out.as_bytes());
    repo.assert_no_secret_in("stderr", err.as_bytes());
    let values = kv.values();
    repo.assert_nothing_lost(&|s| values.iter().any(|v| v.contains(s)));
    assert_every_secret_in(&repo, &values, "Key Vault");
    assert_eq!(run_env(&repo, &["scan", "."], &[]).0, 0);
    // The read-back command and the guide line.
    assert!(
        out.contains(&format!(
            "az keyvault secret show --id {}/secrets/shop--dev--OPENAI-API-KEY --query value -o tsv",
            kv.url
        )),
        "{out}"
    );
    assert!(out.contains("@Microsoft.KeyVault(SecretUri="), "{out}");
    // Every write went through the client-credentials token, once.
    assert_eq!(kv.state()["logins"], 1);

    // The official SDK, logged in through its own client-credentials flow, reads the same values
    // under the documented names, with our provenance tags.
    for (key, name) in NAMES {
        let Some(got) = kv.sdk(&["get", name], "") else {
            return;
        };
        let value = got["value"].as_str().unwrap_or_else(|| panic!("{name}: {got}"));
        assert!(values.contains(&value.to_string()), "{name}");
        assert_eq!(got["tags"]["leakless-key"], *key, "{name}");
        assert_eq!(got["tags"]["leakless-path"], "shop/dev", "{name}");
        assert_eq!(got["versions"].as_array().map(Vec::len), Some(1), "{name}");
    }
    let listed = kv.sdk(&["list"], "").expect("sdk");
    assert!(listed["names"].as_array().expect("names").len() >= NAMES.len());
    // An identical re-run writes nothing.
    let puts = kv.state()["puts"].clone();
    let (code, out, err) = run_env(&repo, &["migrate", "--to", "azure", "--apply"], &kv.env());
    assert!(code == 0 || code == 1, "{out}\n{err}");
    assert_eq!(kv.state()["puts"], puts, "nothing rewritten");
}

#[test]
fn leakless_run_in_a_fresh_clone_reads_key_vault() {
    let kv = KeyVaultFake::start(&["--token", "static-test-token"]);
    let repo = Repo::seed();
    let (_dir, clone) = migrate_commit_clone(&repo, &["--to", "azure"], &kv.env());
    let map = std::fs::read_to_string(clone.join(".leakless/secrets.toml")).expect("map");
    assert!(
        map.contains("store = \"azure\"") && map.contains(&kv.url),
        "{map}"
    );
    // A teammate with only a token (as from `az account get-access-token`; here one the
    // stand-in accepts as is): the vault URL comes from the map.
    let env: Vec<(&str, String)> = vec![
        ("AZURE_ACCESS_TOKEN", "static-test-token".into()),
        ("LEAKLESS_TEST_ONLY_CA_FILE", kv.certs.ca.display().to_string()),
    ];
    assert_eq!(printenv_in(&clone, &env).trim(), openai_key());
    // Without the test CA the stand-in's certificate is refused: an error, and CMD never runs.
    let no_ca = env_without(&env, "LEAKLESS_TEST_ONLY_CA_FILE");
    let (code, out, err) = crate::migrate::run_in(&clone, &["run", "--", "echo", "RAN"], &no_ca);
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(!out.contains("RAN"));
    assert!(err.contains("cannot reach azure"), "{err}");
    // A wrong token: refused, exit 2.
    let bad = vec![
        ("AZURE_ACCESS_TOKEN", "not-a-token".to_string()),
        ("LEAKLESS_TEST_ONLY_CA_FILE", kv.certs.ca.display().to_string()),
    ];
    let (code, out, err) = crate::migrate::run_in(&clone, &["run", "--", "echo", "RAN"], &bad);
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(err.contains("azure refused the credentials"), "{err}");
}

#[test]
fn a_static_access_token_works_and_bad_credentials_fail_before_any_write() {
    let kv = KeyVaultFake::start(&["--token", "static-test-token", "--throttle-once"]);
    let repo = Repo::seed();
    // A wrong client secret: Entra's invalid_client, exit 2, nothing written, no secret shown.
    let mut bad = kv.env();
    for (k, v) in bad.iter_mut() {
        if *k == "AZURE_CLIENT_SECRET" {
            *v = "wrong-secret-value".into();
        }
    }
    let (code, out, err) = run_env(&repo, &["migrate", "--to", "azure", "--apply"], &bad);
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(
        err.contains("invalid_client") && err.contains("AADSTS7000215"),
        "{err}"
    );
    assert!(
        !err.contains("wrong-secret-value") && !err.contains("Trace ID"),
        "{err}"
    );
    assert_eq!(kv.state()["puts"], 0);
    // Half a service principal is a configuration error.
    let half = env_without(&kv.env(), "AZURE_TENANT_ID");
    let (code, _, err) = run_env(&repo, &["migrate", "--to", "azure", "--apply"], &half);
    assert_eq!(code, 2);
    assert!(err.contains("need all three"), "{err}");
    // A plain-http vault URL is refused: Key Vault tokens never travel in clear.
    let mut http = kv.env();
    http[0].1 = kv.url.replace("https://", "http://");
    let (code, _, err) = run_env(&repo, &["migrate", "--to", "azure", "--apply"], &http);
    assert_eq!(code, 2);
    assert!(err.contains("https://"), "{err}");
    // AZURE_ACCESS_TOKEN alone, through one 429 (retried).
    let token_only: Vec<(&str, String)> = vec![
        ("AZURE_KEYVAULT_URL", kv.url.clone()),
        ("AZURE_ACCESS_TOKEN", "static-test-token".into()),
        ("LEAKLESS_TEST_ONLY_CA_FILE", kv.certs.ca.display().to_string()),
    ];
    let (code, out, err) = run_env(&repo, &["migrate", "--to", "azure", "--apply"], &token_only);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(!err.contains("static-test-token") && !out.contains("static-test-token"));
    let state = kv.state();
    assert_eq!(state["throttled"], 1);
    assert_eq!(state["logins"], 0);
}

#[test]
fn expired_tokens_are_renewed_with_the_client_credentials() {
    // Each issued token is good for 5 vault requests; a run needs several.
    let kv = KeyVaultFake::start(&["--token-uses", "5"]);
    let repo = Repo::seed();
    let (code, out, err) = run_env(&repo, &["migrate", "--to", "azure", "--apply"], &kv.env());
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(kv.state()["logins"].as_u64().expect("logins") > 1);
}

#[test]
fn conflicts_case_collisions_and_soft_deleted_names_are_never_overwritten() {
    // One item a page: every version list and the SDK's listing follow `nextLink`.
    let kv = KeyVaultFake::start(&["--deleted", "shop--dev--SESSION-SECRET", "--page-size", "1"]);
    // Someone else's value under our name, and another key's secret under a name that differs
    // from ours only in case (Key Vault folds case).
    if kv
        .sdk(&["set", "shop--dev--OPENAI-API-KEY"], "theirs-not-ours")
        .is_none()
    {
        return;
    }
    kv.sdk(&["set", "shop--dev--stripe-secret-key"], "lower-case-key")
        .expect("sdk");
    let repo = Repo::seed();
    let (code, out, err) = run_env(&repo, &["migrate", "--to", "azure", "--apply"], &kv.env());
    assert_ne!(code, 0, "{out}\n{err}");
    let all = format!("{out}\n{err}");
    repo.assert_no_secret_in("output", all.as_bytes());
    assert!(all.contains("already holds a different value"), "{all}");
    assert!(all.contains("ignore case"), "{all}");
    assert!(all.contains("deleted but recoverable"), "{all}");
    let get = |n: &str| kv.sdk(&["get", n], "").expect("sdk");
    assert_eq!(get("shop--dev--OPENAI-API-KEY")["value"], "theirs-not-ours");
    assert_eq!(get("shop--dev--stripe-secret-key")["value"], "lower-case-key");
    let values = kv.values();
    repo.assert_nothing_lost(&|s| values.iter().any(|v| v.contains(s)));

    // --overwrite replaces their value (a new version; theirs stays in the history), never the
    // other key's secret.
    let (_, out, err) = run_env(
        &repo,
        &["migrate", "--to", "azure", "--apply", "--overwrite"],
        &kv.env(),
    );
    // Before the SDK reads again: only our own requests so far have later pages.
    let state = kv.state();
    let followed = state["requests"]
        .as_array()
        .expect("requests")
        .iter()
        .filter(|r| r.as_str().is_some_and(|r| r.ends_with("/versions (next page)")))
        .count();
    assert!(followed > 0, "our version lists followed nextLink");
    let got = get("shop--dev--OPENAI-API-KEY");
    assert_eq!(got["value"], openai_key(), "{out}\n{err}");
    assert_eq!(got["versions"].as_array().map(Vec::len), Some(2));
    assert_eq!(get("shop--dev--stripe-secret-key")["value"], "lower-case-key");
    let listed = kv.sdk(&["list"], "").expect("sdk");
    assert!(listed["names"].as_array().expect("names").len() > 3, "{listed}");
}

#[test]
fn a_concurrent_writer_is_detected() {
    let kv = KeyVaultFake::start(&["--preempt-write", "someone-elses-value"]);
    let repo = Repo::seed();
    let (code, out, err) = run_env(&repo, &["migrate", "--to", "azure", "--apply"], &kv.env());
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(
        format!("{out}{err}").contains("written by someone else at the same time"),
        "{out}\n{err}"
    );
    let values = kv.values();
    repo.assert_nothing_lost(&|s| values.iter().any(|v| v.contains(s)));
}

#[test]
fn key_vault_failing_after_three_writes_loses_nothing_and_a_rerun_finishes() {
    let kv = KeyVaultFake::start(&["--fail-after-writes", "3"]);
    let repo = Repo::seed();
    fails_after_three_writes(&repo, "azure", &kv.env(), &|| kv.values());
    let kv2 = KeyVaultFake::start(&[]);
    rerun_finishes(&repo, "azure", &kv2.env());
}

#[test]
fn key_vault_killed_at_every_failpoint_loses_nothing() {
    let kv = KeyVaultFake::start(&[]);
    let stored = |_: &std::path::Path| kv.values();
    crate::migrate_stores::kill_matrix(&["azure"], &kv.env(), &stored);
}
