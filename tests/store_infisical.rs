//! The `infisical` store against a local server implementing Infisical's documented REST contract
//! (tests/support/infisical_server.py; no real Infisical can run on these machines), with the
//! official Python SDK (`infisicalsdk`) as an independent second client where it matters.
//!
//! [`InfisicalMock`] is the reusable fixture: `InfisicalMock::start(&[])` gives a running server
//! with one machine identity and one project; [`InfisicalMock::args`] the matching `--infisical-*`
//! options, [`InfisicalMock::env`] the same as environment variables for running the binary, and
//! [`InfisicalMock::state`] everything the server holds.

use std::time::{Duration, Instant};

use leakless::findings::Secret;
use leakless::migrate::http::Client;
use leakless::migrate::store::infisical::{InfisicalArgs, InfisicalStore};
use leakless::migrate::store::{Put, SecretStore, StoreError, Target};
use serde_json::Value;

use crate::util::external_tool;
use crate::util::standin::{python_inline, python_or_system, run_ok, Launch, StandIn};

/// A made-up machine identity (UUID client id, 64-hex client secret, as Infisical issues them).
pub const CLIENT_ID: &str = "7c1f0b52-3d4e-4a8b-9f21-5e6d7c8b9a01";
pub const CLIENT_SECRET: &str = "3f9a1c7e5b2d8f4a6c0e9b1d7f3a5c8e2b4d6f8a0c1e3b5d7f9a2c4e6b8d0f1a";
pub const PROJECT_ID: &str = "d2a4c6e8-1b3d-4f5a-8c7e-9b0a1c2d3e4f";

/// A running stand-in Infisical server (tests/support/infisical_server.py) on 127.0.0.1.
///
/// It knows one identity ([`CLIENT_ID`] / [`CLIENT_SECRET`]), one project ([`PROJECT_ID`]) with the
/// environments `dev`, `staging` and `prod`, and serves login, v4 and v3-raw secrets, and folders.
/// `extra_args` switch on test hooks: `--approval-env ENV`, `--rate-limit-once`,
/// `--fail-after-writes K`, `--token-uses N`, `--preempt-create VALUE`, `--preempt-update VALUE`
/// (see the script's docstring). The server is killed when this is dropped.
pub struct InfisicalMock {
    /// Base URL, e.g. `http://127.0.0.1:41234` (what `--infisical-url` takes).
    pub url: String,
    /// The identity's Universal Auth client id.
    pub client_id: String,
    /// The identity's Universal Auth client secret.
    pub client_secret: String,
    /// The project id.
    pub project_id: String,
    server: StandIn,
}

impl InfisicalMock {
    /// Starts the server (it binds a free port itself and reports it), waiting up to 20 s.
    pub fn start(extra_args: &[&str]) -> Self {
        let server = Launch::python(
            "the Infisical stand-in",
            &python_or_system(),
            "infisical_server.py",
        )
        .args(["--client", &format!("{CLIENT_ID}:{CLIENT_SECRET}")])
        .args(["--project", PROJECT_ID])
        .args(extra_args)
        .ready_line(1);
        Self {
            url: server.url(),
            client_id: CLIENT_ID.into(),
            client_secret: CLIENT_SECRET.into(),
            project_id: PROJECT_ID.into(),
            server,
        }
    }

    /// Everything the server holds: `secrets` (projectId, environment, secretPath, secretKey,
    /// secretValue, version), `folders`, `requests` ("METHOD /path" in order), and the counters
    /// `writes`, `logins`, `rateLimited`, `approvals`.
    pub fn state(&self) -> Value {
        self.server.state()
    }

    /// The value stored at `(env, path, key)` (path like `/shop`), if any.
    pub fn value(&self, env: &str, path: &str, key: &str) -> Option<String> {
        self.state()["secrets"]
            .as_array()
            .expect("secrets")
            .iter()
            .find(|s| s["environment"] == env && s["secretPath"] == path && s["secretKey"] == key)
            .map(|s| s["secretValue"].as_str().expect("value").to_string())
    }

    /// Every value stored, in any project, environment and path.
    pub fn values(&self) -> Vec<String> {
        self.state()["secrets"]
            .as_array()
            .expect("secrets")
            .iter()
            .filter_map(|s| s["secretValue"].as_str().map(str::to_string))
            .collect()
    }

    /// `--infisical-*` options for this server (environment left to the store's default, `dev`).
    pub fn args(&self) -> InfisicalArgs {
        InfisicalArgs {
            url: Some(self.url.clone()),
            client_id: Some(self.client_id.clone()),
            client_secret: Some(self.client_secret.clone()),
            token: None,
            project: Some(self.project_id.clone()),
            env: None,
        }
    }

    /// The same settings as the environment variables `leakless migrate --to infisical` reads.
    #[allow(dead_code)] // for the end-to-end `leakless migrate` tests
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("INFISICAL_API_URL", self.url.clone()),
            ("INFISICAL_UNIVERSAL_AUTH_CLIENT_ID", self.client_id.clone()),
            (
                "INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET",
                self.client_secret.clone(),
            ),
            ("INFISICAL_PROJECT_ID", self.project_id.clone()),
        ]
    }

    /// The server's log (requests, one per line).
    pub fn log(&self) -> String {
        self.server.log()
    }

    /// An opened store for this server.
    pub fn store(&self) -> InfisicalStore {
        InfisicalStore::open(&self.args()).unwrap_or_else(|e| panic!("open: {e}\n{}", self.log()))
    }
}

fn target(path: &str, key: &str) -> Target {
    Target::new(path, key)
}

fn secret(s: &str) -> Secret {
    Secret::new(s.as_bytes().to_vec())
}

fn requests(mock: &InfisicalMock) -> Vec<String> {
    mock.state()["requests"]
        .as_array()
        .expect("requests")
        .iter()
        .map(|r| r.as_str().expect("request").to_string())
        .collect()
}

/// Runs `script` under the official Python SDK, logged in as the mock's identity (`c` is the
/// client; `PROJECT` the project id); `vars` become environment variables. Returns stdout, or
/// `None` when LEAKLESS_TEST_PYTHON is not set (a bare `cargo test`).
fn sdk(mock: &InfisicalMock, script: &str, vars: &[(&str, &str)]) -> Option<String> {
    let python = external_tool("LEAKLESS_TEST_PYTHON")?;
    let prelude = "import json, os\nfrom infisical_sdk import InfisicalSDKClient\n\
                   c = InfisicalSDKClient(host=os.environ['MOCK_URL'], cache_ttl=None)\n\
                   c.auth.universal_auth.login(os.environ['MOCK_CLIENT_ID'], os.environ['MOCK_CLIENT_SECRET'])\n\
                   PROJECT = os.environ['MOCK_PROJECT']\n";
    let mut cmd = python_inline(&python, prelude, script);
    cmd.env("MOCK_URL", &mock.url)
        .env("MOCK_CLIENT_ID", &mock.client_id)
        .env("MOCK_CLIENT_SECRET", &mock.client_secret)
        .env("MOCK_PROJECT", &mock.project_id)
        .envs(vars.iter().copied());
    Some(run_ok(&mut cmd, ""))
}

/// Reads `(path, key)` in `dev` through the SDK (v3 raw endpoint), as JSON `{value, version}`.
fn sdk_read(mock: &InfisicalMock, path: &str, key: &str) -> Option<Value> {
    let out = sdk(
        mock,
        "s = c.secrets.get_secret_by_name(secret_name=os.environ['KEY'], project_id=PROJECT, \
         environment_slug='dev', secret_path=os.environ['SPATH'], expand_secret_references=False)\n\
         print(json.dumps({'value': s.secretValue, 'version': s.version}))\n",
        &[("KEY", key), ("SPATH", path)],
    )?;
    Some(serde_json::from_str(&out).expect("SDK JSON"))
}

#[test]
fn create_is_read_back_by_the_official_sdk() {
    let mock = InfisicalMock::start(&[]);
    let mut store = mock.store();
    let t = target("", "DATABASE_URL");
    let v = "postgres://app:s3cr3t-Pa55@db:5432/app";
    assert_eq!(store.put(&t, &secret(v), false).expect("put"), Put::Created);
    assert_eq!(mock.value("dev", "/", "DATABASE_URL").as_deref(), Some(v));
    assert_eq!(
        store.get(&t).expect("get").expect("present").expose(),
        v.as_bytes()
    );
    if let Some(read) = sdk_read(&mock, "/", "DATABASE_URL") {
        assert_eq!(read["value"], v);
        assert_eq!(read["version"], 1);
    }
    // It really went through the v4 API, after one login.
    let reqs = requests(&mock);
    assert_eq!(reqs[0], "POST /api/v1/auth/universal-auth/login");
    assert!(
        reqs.contains(&"POST /api/v4/secrets/DATABASE_URL".to_string()),
        "{reqs:?}"
    );
}

#[test]
fn a_value_written_by_the_sdk_is_read_and_left_alone() {
    let mock = InfisicalMock::start(&[]);
    let v = "sk_test_51HxYzAbCdEfGhIjKlMnOpQr";
    let Some(_) = sdk(
        &mock,
        "c.secrets.create_secret_by_name(secret_name='STRIPE_KEY', project_id=PROJECT, \
         environment_slug='dev', secret_path='/', secret_value=os.environ['VALUE'])\n",
        &[("VALUE", v)],
    ) else {
        return;
    };
    let mut store = mock.store();
    let t = target("", "STRIPE_KEY");
    assert_eq!(
        store.get(&t).expect("get").expect("present").expose(),
        v.as_bytes()
    );
    assert_eq!(store.put(&t, &secret(v), false).expect("put"), Put::Unchanged);
    assert_eq!(mock.state()["secrets"][0]["version"], 1);
}

#[test]
fn identical_reput_is_unchanged_and_writes_nothing() {
    let mock = InfisicalMock::start(&[]);
    let mut store = mock.store();
    let t = target("shop", "API_KEY");
    assert_eq!(
        store.put(&t, &secret("abc123"), false).expect("put"),
        Put::Created
    );
    let writes = mock.state()["writes"].as_u64();
    assert_eq!(
        store.put(&t, &secret("abc123"), false).expect("re-put"),
        Put::Unchanged
    );
    assert_eq!(
        store.put(&t, &secret("abc123"), true).expect("re-put, overwrite"),
        Put::Unchanged
    );
    let state = mock.state();
    assert_eq!(state["writes"].as_u64(), writes);
    assert_eq!(state["secrets"][0]["version"], 1);
}

#[test]
fn a_different_value_is_a_conflict_and_nothing_is_written() {
    let mock = InfisicalMock::start(&[]);
    let mut store = mock.store();
    let t = target("shop", "API_KEY");
    store.put(&t, &secret("original-value"), false).expect("put");
    let err = store
        .put(&t, &secret("replacement-value"), false)
        .expect_err("conflict");
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "infisical:dev:/shop#API_KEY already holds a different value (use --overwrite to replace it)"
    );
    for shown in [err.to_string(), format!("{err:?}")] {
        assert!(
            !shown.contains("original-value") && !shown.contains("replacement-value"),
            "{shown}"
        );
    }
    assert_eq!(
        mock.value("dev", "/shop", "API_KEY").as_deref(),
        Some("original-value")
    );
    assert!(!requests(&mock).iter().any(|r| r.starts_with("PATCH")));
}

#[test]
fn overwrite_replaces_the_value() {
    let mock = InfisicalMock::start(&[]);
    let mut store = mock.store();
    let t = target("", "TOKEN");
    store.put(&t, &secret("old-token-value"), false).expect("put");
    assert_eq!(
        store
            .put(&t, &secret("new-token-value"), true)
            .expect("overwrite"),
        Put::Overwritten
    );
    let state = mock.state();
    assert_eq!(state["secrets"][0]["secretValue"], "new-token-value");
    assert_eq!(state["secrets"][0]["version"], 2);
    if let Some(read) = sdk_read(&mock, "/", "TOKEN") {
        assert_eq!(read["value"], "new-token-value");
    }
}

#[test]
fn absent_keys_and_folders_read_as_none() {
    let mock = InfisicalMock::start(&[]);
    let mut store = mock.store();
    assert!(store.get(&target("", "NOPE")).expect("get").is_none());
    assert!(store
        .get(&target("no/such/folder", "NOPE"))
        .expect("get")
        .is_none());
}

#[test]
fn an_unknown_project_is_an_error_not_an_absent_key() {
    let mock = InfisicalMock::start(&[]);
    let mut args = mock.args();
    args.project = Some("00000000-0000-4000-8000-000000000000".into());
    let mut store = InfisicalStore::open(&args).expect("open");
    let err = store.get(&target("", "K")).expect_err("unknown project");
    assert!(
        err.to_string().contains("HTTP 404") && err.to_string().contains("Project"),
        "{err}"
    );
}

#[test]
fn awkward_values_round_trip_exactly() {
    let mock = InfisicalMock::start(&[]);
    let mut store = mock.store();
    let long: String = (0..4096).map(|i| char::from(b'!' + (i * 7 % 94) as u8)).collect();
    let cases = [
        ("UNICODE", "pässwörd-✓-密码-🔑".to_string()),
        ("NEWLINES", "line one\nline two\r\nline three".to_string()),
        ("QUOTES", r#"it's "quoted" `tick` \back\slash"#.to_string()),
        ("EQUALS", "a=b==c&d=e".to_string()),
        ("PEM", "-----BEGIN KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n-----END KEY-----\n".to_string()),
        ("LONG", long),
    ];
    for (key, value) in &cases {
        let t = target("app", key);
        assert_eq!(
            store.put(&t, &secret(value), false).expect(key),
            Put::Created,
            "{key}"
        );
        assert_eq!(
            store.get(&t).expect(key).expect(key).expose(),
            value.as_bytes(),
            "{key}"
        );
        assert_eq!(
            mock.value("dev", "/app", key).as_deref(),
            Some(value.as_str()),
            "{key}"
        );
        assert_eq!(
            store.put(&t, &secret(value), false).expect(key),
            Put::Unchanged,
            "{key}"
        );
    }
    if let Some(read) = sdk_read(&mock, "/app", "UNICODE") {
        assert_eq!(read["value"], cases[0].1);
    }
}

#[test]
fn values_infisical_would_alter_are_refused_before_sending() {
    let mock = InfisicalMock::start(&[]);
    let mut store = mock.store();
    for (key, value, why) in [
        ("PADDED", "  padded-secret ", "whitespace"),
        ("TWO_NEWLINES", "secret-line\n\n", "whitespace"),
        ("REFERENCE", "postgres://${DB_USER}:pw@db", "reference"),
    ] {
        let err = store.put(&target("", key), &secret(value), false).expect_err(key);
        let shown = format!("{err} {err:?}");
        assert!(shown.contains(why), "{shown}");
        assert!(!shown.contains(value.trim()), "{shown}");
    }
    let bin = Secret::new(vec![0xff, 0xfe, 0x00, 0x41]);
    let err = store.put(&target("", "BINARY"), &bin, false).expect_err("binary");
    assert!(err.to_string().contains("UTF-8"), "{err}");
    let state = mock.state();
    assert_eq!(state["secrets"], serde_json::json!([]));
    assert_eq!(state["writes"], 0);
}

#[test]
fn two_keys_under_one_path() {
    let mock = InfisicalMock::start(&[]);
    let mut store = mock.store();
    store
        .put(&target("shop", "USER"), &secret("shop-user"), false)
        .expect("put");
    store
        .put(&target("shop", "PASSWORD"), &secret("shop-password"), false)
        .expect("put");
    assert_eq!(mock.value("dev", "/shop", "USER").as_deref(), Some("shop-user"));
    assert_eq!(
        mock.value("dev", "/shop", "PASSWORD").as_deref(),
        Some("shop-password")
    );
    assert_eq!(
        store
            .get(&target("shop", "USER"))
            .expect("get")
            .expect("user")
            .expose(),
        b"shop-user"
    );
}

#[test]
fn missing_folders_are_created() {
    let mock = InfisicalMock::start(&[]);
    let mut store = mock.store();
    let t = target("shop/api", "SECRET_KEY");
    assert_eq!(
        store.put(&t, &secret("nested-secret"), false).expect("put"),
        Put::Created
    );
    let state = mock.state();
    let folders: Vec<&str> = state["folders"]
        .as_array()
        .expect("folders")
        .iter()
        .filter(|f| f["environment"] == "dev")
        .map(|f| f["path"].as_str().expect("path"))
        .collect();
    assert_eq!(folders, ["/", "/shop", "/shop/api"]);
    assert_eq!(
        mock.value("dev", "/shop/api", "SECRET_KEY").as_deref(),
        Some("nested-secret")
    );
    if let Some(read) = sdk_read(&mock, "/shop/api", "SECRET_KEY") {
        assert_eq!(read["value"], "nested-secret");
    }
    // A second key in the same folder needs no folder call.
    let before = requests(&mock).iter().filter(|r| r.contains("/folders")).count();
    store
        .put(&target("shop/api", "OTHER"), &secret("other-secret"), false)
        .expect("put");
    assert_eq!(
        requests(&mock).iter().filter(|r| r.contains("/folders")).count(),
        before
    );
    // Folder names Infisical rejects are caught before anything is sent.
    let err = store
        .put(&target("my.app", "K"), &secret("some-value"), false)
        .expect_err("bad folder");
    assert!(matches!(err, StoreError::Config(_)), "{err:?}");
}

#[test]
fn an_approval_policy_is_an_error_and_nothing_is_written() {
    let mock = InfisicalMock::start(&["--approval-env", "prod"]);
    let mut args = mock.args();
    args.env = Some("prod".into());
    let mut store = InfisicalStore::open(&args).expect("open");
    let err = store
        .put(&target("", "DATABASE_URL"), &secret("prod-db-password"), false)
        .expect_err("approval");
    let shown = err.to_string();
    assert!(shown.contains("approval"), "{shown}");
    assert!(shown.contains("nothing was written"), "{shown}");
    assert!(!format!("{shown} {err:?}").contains("prod-db-password"));
    let state = mock.state();
    assert_eq!(state["secrets"], serde_json::json!([]));
    assert_eq!(state["approvals"], 1);
}

#[test]
fn rate_limiting_is_retried() {
    let mock = InfisicalMock::start(&["--rate-limit-once"]);
    let started = Instant::now();
    let mut store = mock.store();
    assert_eq!(
        store
            .put(&target("", "K"), &secret("value-after-429"), false)
            .expect("put"),
        Put::Created
    );
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "waited for Retry-After"
    );
    let state = mock.state();
    assert_eq!(state["rateLimited"], 1);
    assert_eq!(state["logins"], 1);
    assert_eq!(mock.value("dev", "/", "K").as_deref(), Some("value-after-429"));
}

#[test]
fn a_server_error_is_reported_on_one_line() {
    let mock = InfisicalMock::start(&["--fail-after-writes", "1"]);
    let mut store = mock.store();
    store
        .put(&target("", "FIRST"), &secret("first-value"), false)
        .expect("first write");
    let err = store
        .put(&target("", "SECOND"), &secret("second-value"), false)
        .expect_err("500");
    let shown = err.to_string();
    assert!(matches!(err, StoreError::Other(_)), "{err:?}");
    assert!(
        shown.contains("HTTP 500") && shown.contains("infisical:dev:/#SECOND"),
        "{shown}"
    );
    assert!(
        !shown.contains('\n') && !shown.contains("second-value"),
        "{shown}"
    );
    assert!(mock.value("dev", "/", "SECOND").is_none());
}

#[test]
fn a_create_race_is_re_read_and_decided() {
    // Another writer stores the same value just before our create: Unchanged.
    let mock = InfisicalMock::start(&["--preempt-create", "same-value"]);
    let mut store = mock.store();
    assert_eq!(
        store
            .put(&target("", "K"), &secret("same-value"), false)
            .expect("put"),
        Put::Unchanged
    );

    // ... or a different one: Conflict, and theirs is kept.
    let mock = InfisicalMock::start(&["--preempt-create", "their-value"]);
    let mut store = mock.store();
    let err = store
        .put(&target("", "K"), &secret("our-value"), false)
        .expect_err("conflict");
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
    assert_eq!(mock.value("dev", "/", "K").as_deref(), Some("their-value"));
}

#[test]
fn a_concurrent_change_during_overwrite_is_reported() {
    let mock = InfisicalMock::start(&["--preempt-update", "their-value"]);
    let mut store = mock.store();
    let t = target("", "K");
    store.put(&t, &secret("first-value"), false).expect("put");
    let err = store
        .put(&t, &secret("our-value"), true)
        .expect_err("race detected");
    let shown = err.to_string();
    assert!(shown.contains("changed by someone else"), "{shown}");
    assert!(
        !shown.contains("their-value") && !shown.contains("our-value"),
        "{shown}"
    );
}

#[test]
fn an_expired_token_is_renewed_with_the_client_credentials() {
    let mock = InfisicalMock::start(&["--token-uses", "2"]);
    let mut store = mock.store();
    for i in 0..4 {
        let key = format!("KEY_{i}");
        assert_eq!(
            store
                .put(&target("", &key), &secret(&format!("value-{i}")), false)
                .expect("put"),
            Put::Created
        );
    }
    assert!(mock.state()["logins"].as_u64().expect("logins") >= 3);
}

#[test]
fn an_issued_token_is_used_as_is() {
    let mock = InfisicalMock::start(&[]);
    let resp = Client::new("infisical")
        .send_json(
            "POST",
            &format!("{}/api/v1/auth/universal-auth/login", mock.url),
            &[],
            &serde_json::json!({"clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET}),
        )
        .expect("login");
    let token = serde_json::from_slice::<Value>(&resp.body).expect("json")["accessToken"]
        .as_str()
        .expect("token")
        .to_string();
    let mut args = mock.args();
    args.client_id = None;
    args.client_secret = None;
    args.token = Some(token);
    let mut store = InfisicalStore::open(&args).expect("open");
    assert_eq!(
        store
            .put(&target("", "K"), &secret("via-token"), false)
            .expect("put"),
        Put::Created
    );
    assert_eq!(mock.state()["logins"], 1);
}

#[test]
fn bad_credentials_are_auth_errors() {
    let mock = InfisicalMock::start(&[]);
    let mut args = mock.args();
    args.client_secret = Some("0".repeat(64));
    let err = InfisicalStore::open(&args).err().expect("bad client secret");
    assert!(matches!(err, StoreError::Auth { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "infisical refused the credentials: Invalid credentials"
    );

    let mut args = mock.args();
    args.client_id = None;
    args.client_secret = None;
    args.token = Some("eyJhbGciOiJIUzI1NiJ9.not-a-real-token".into());
    let mut store = InfisicalStore::open(&args).expect("a token is not checked until used");
    let err = store.get(&target("", "K")).expect_err("bad token");
    assert!(matches!(err, StoreError::Auth { .. }), "{err:?}");
    assert!(!format!("{err} {err:?}").contains("not-a-real-token"));
}

#[test]
fn an_unreachable_server_is_one_line() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let args = InfisicalArgs {
        url: Some(format!("http://127.0.0.1:{port}")),
        client_id: Some(CLIENT_ID.into()),
        client_secret: Some(CLIENT_SECRET.into()),
        project: Some(PROJECT_ID.into()),
        ..InfisicalArgs::default()
    };
    let err = InfisicalStore::open(&args).err().expect("closed port");
    assert!(matches!(err, StoreError::Unreachable { .. }), "{err:?}");
    let shown = err.to_string();
    assert!(
        shown.starts_with(&format!(
            "cannot reach infisical at http://127.0.0.1:{port}/api/v1/auth"
        )),
        "{shown}"
    );
    assert!(!shown.contains('\n') && !shown.contains(CLIENT_SECRET), "{shown}");
}

#[test]
fn missing_settings_are_config_errors() {
    let full = InfisicalArgs {
        url: Some("http://127.0.0.1:9".into()),
        client_id: Some(CLIENT_ID.into()),
        client_secret: Some(CLIENT_SECRET.into()),
        project: Some(PROJECT_ID.into()),
        ..InfisicalArgs::default()
    };
    type Edit = fn(&mut InfisicalArgs);
    let cases: [(&str, Edit); 5] = [
        ("--infisical-project", |a| a.project = None),
        ("--infisical-client-id", |a| {
            a.client_id = None;
            a.client_secret = None;
        }),
        ("--infisical-client-secret", |a| a.client_secret = None),
        ("--infisical-client-id", |a| a.client_id = None),
        ("--infisical-url", |a| a.url = Some("app.infisical.com".into())),
    ];
    for (flag, edit) in cases {
        let mut args = full.clone();
        edit(&mut args);
        let err = InfisicalStore::open(&args).err().expect(flag);
        assert!(matches!(err, StoreError::Config(_)), "{flag}: {err:?}");
        assert!(err.to_string().contains(flag), "{flag}: {err}");
        assert!(!err.to_string().contains('\n'));
    }
    // The options' Debug output never shows the client secret or a token.
    let mut args = full;
    args.token = Some("eyJhbGciOiJIUzI1NiJ9.some-token".into());
    let debug = format!("{args:?}");
    assert!(
        !debug.contains(CLIENT_SECRET) && !debug.contains("some-token"),
        "{debug}"
    );
}

#[test]
fn describe_and_fetch_hint() {
    let mock = InfisicalMock::start(&[]);
    let store = mock.store();
    assert_eq!(store.kind(), "infisical");
    assert_eq!(
        store.describe(&target("shop", "DATABASE_URL")),
        "infisical:dev:/shop#DATABASE_URL"
    );
    assert_eq!(
        store.describe(&target("", "DATABASE_URL")),
        "infisical:dev:/#DATABASE_URL"
    );
    assert_eq!(
        store.fetch_hint(&target("shop/api", "DATABASE_URL")),
        format!(
            "infisical secrets get DATABASE_URL --projectId={PROJECT_ID} --env=dev --path=/shop/api --plain \
             --domain={}/api",
            mock.url
        )
    );
}

#[test]
fn flags_parse_under_their_heading() {
    use clap::{CommandFactory, Parser};
    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        infisical: InfisicalArgs,
    }
    let cli = Cli::try_parse_from([
        "leakless",
        "--infisical-url",
        "https://eu.infisical.com",
        "--infisical-project",
        PROJECT_ID,
        "--infisical-env",
        "staging",
        "--infisical-client-id",
        CLIENT_ID,
        "--infisical-client-secret",
        CLIENT_SECRET,
        "--infisical-token",
        "tok",
    ])
    .expect("parse");
    let a = cli.infisical;
    assert_eq!(a.url.as_deref(), Some("https://eu.infisical.com"));
    assert_eq!(a.project.as_deref(), Some(PROJECT_ID));
    assert_eq!(a.env.as_deref(), Some("staging"));
    assert_eq!(a.client_id.as_deref(), Some(CLIENT_ID));
    assert_eq!(a.client_secret.as_deref(), Some(CLIENT_SECRET));
    assert_eq!(a.token.as_deref(), Some("tok"));
    let help = Cli::command().render_long_help().to_string();
    assert!(help.contains("Infisical (--to infisical):"), "{help}");
    assert!(
        help.contains("is accepted) [default: https://app.infisical.com]"),
        "{help}"
    );
    for var in [
        "INFISICAL_API_URL",
        "INFISICAL_UNIVERSAL_AUTH_CLIENT_ID",
        "INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET",
        "INFISICAL_TOKEN",
        "INFISICAL_PROJECT_ID",
        "INFISICAL_ENVIRONMENT",
    ] {
        assert!(help.contains(&format!("[env: {var}")), "{var}: {help}");
    }
}
