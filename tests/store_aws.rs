//! The `aws` store against a real moto server (`moto[server]` from PyPI), with boto3 as the
//! independent second client that checks what really got stored.
//!
//! Needs `LEAKLESS_MOTO_SERVER` (the `moto_server` binary) and `LEAKLESS_TEST_PYTHON` (a Python
//! with boto3); `bash scripts/test` sets both. Without them the tests skip with a note.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use leakless::findings::Secret;
use leakless::migrate::store::aws::{AwsArgs, AwsMode, AwsStore, Sensitive};
use leakless::migrate::store::{Put, SecretStore, StoreError, Target};

use crate::util::external_tool;
use crate::util::standin::{free_port, output_with_stdin, Launch, StandIn};

/// The boto3 helper the fixture runs: `OP ENDPOINT NAME [STAGE]`; `put` reads the value from
/// stdin; exit code 3 means "no such secret".
const BOTO: &str = r#"
import sys, boto3
from botocore.exceptions import ClientError
op, endpoint, name = sys.argv[1:4]
c = boto3.client("secretsmanager", endpoint_url=endpoint)
try:
    if op == "get":
        kw = {"VersionStage": sys.argv[4]} if len(sys.argv) > 4 else {}
        sys.stdout.buffer.write(c.get_secret_value(SecretId=name, **kw)["SecretString"].encode())
    elif op == "put":
        value = sys.stdin.buffer.read().decode()
        try:
            c.put_secret_value(SecretId=name, SecretString=value)
        except ClientError as e:
            if e.response["Error"]["Code"] != "ResourceNotFoundException":
                raise
            c.create_secret(Name=name, SecretString=value)
    elif op == "versions":
        print(len(c.list_secret_version_ids(SecretId=name, IncludeDeprecated=True)["Versions"]))
except ClientError as e:
    if e.response["Error"]["Code"] == "ResourceNotFoundException":
        sys.exit(3)
    raise
"#;

/// Creates an IAM user allowed to do everything and prints its new access key id and secret.
const IAM_SETUP: &str = r#"
import sys, json, boto3
iam = boto3.client("iam", endpoint_url=sys.argv[1])
iam.create_user(UserName="leakless")
iam.put_user_policy(UserName="leakless", PolicyName="all", PolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
key = iam.create_access_key(UserName="leakless")["AccessKey"]
print(key["AccessKeyId"], key["SecretAccessKey"])
"#;

/// A moto server on a free 127.0.0.1 port, killed (and waited for) on drop. Its output goes to a
/// temporary file, shown when it fails to start.
///
/// ```ignore
/// let Some(moto) = Moto::start() else { return }; // skipped: tools not installed
/// let mut store = moto.store(AwsMode::PerKey);    // or moto.args(..) / moto.env() for the CLI
/// assert_eq!(moto.get_secret_string("shop/dev/KEY").as_deref(), Some("value"));
/// ```
pub struct Moto {
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    /// The region to use (`us-east-1`).
    pub region: String,
    /// Access key id: `testing` for [`Moto::start`], a real IAM key for [`Moto::start_with_auth`].
    pub access_key_id: String,
    /// The secret access key that goes with it.
    pub secret_access_key: String,
    python: PathBuf,
    server: StandIn,
}

impl Moto {
    /// Starts moto with signature checks off (any credentials work). `None` (with a note) when
    /// `LEAKLESS_MOTO_SERVER` / `LEAKLESS_TEST_PYTHON` are not set.
    pub fn start() -> Option<Self> {
        Self::spawn(None)
    }

    /// Starts moto with signature checks on: `INITIAL_NO_AUTH_ACTION_COUNT=3` lets the first three
    /// calls (boto3 creating an IAM user, its policy and its access key) through unauthenticated;
    /// every later request must be signed with that key, which the fixture then holds.
    pub fn start_with_auth() -> Option<Self> {
        let mut moto = Self::spawn(Some(3))?;
        let out = moto.python(&["-c", IAM_SETUP, &moto.endpoint], None);
        assert!(
            out.status.success(),
            "IAM setup failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        let mut words = text.split_whitespace();
        moto.access_key_id = words.next().unwrap().to_string();
        moto.secret_access_key = words.next().unwrap().to_string();
        Some(moto)
    }

    fn spawn(no_auth_count: Option<u32>) -> Option<Self> {
        let server = external_tool("LEAKLESS_MOTO_SERVER")?;
        let python = external_tool("LEAKLESS_TEST_PYTHON")?;
        let port = free_port();
        let endpoint = format!("http://127.0.0.1:{port}");
        let mut launch =
            Launch::new("moto_server", &server).args(["-H", "127.0.0.1", "-p", &port.to_string()]);
        if let Some(n) = no_auth_count {
            launch = launch.env("INITIAL_NO_AUTH_ACTION_COUNT", n.to_string());
        }
        let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(2)).build();
        let health = format!("{endpoint}/moto-api/");
        let server = launch
            .until(|| agent.get(&health).call().is_ok())
            .unwrap_or_else(|log| panic!("moto_server did not become healthy at {endpoint} {log}"));
        Some(Self {
            endpoint,
            region: "us-east-1".into(),
            access_key_id: "testing".into(),
            secret_access_key: "testing".into(),
            python,
            server,
        })
    }

    /// `--to aws` options pointing at this server.
    pub fn args(&self, mode: AwsMode) -> AwsArgs {
        AwsArgs {
            region: Some(self.region.clone()),
            endpoint: Some(self.endpoint.clone()),
            access_key_id: Some(self.access_key_id.clone()),
            secret_access_key: Some(Sensitive(self.secret_access_key.clone())),
            session_token: None,
            mode,
            kms_key_id: None,
        }
    }

    /// An opened store on this server.
    pub fn store(&self, mode: AwsMode) -> AwsStore {
        AwsStore::open(&self.args(mode)).unwrap()
    }

    /// Environment for running `leakless migrate --to aws` against this server as a subprocess.
    #[allow(dead_code)] // for end-to-end migrate tests
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_REGION", self.region.clone()),
            ("AWS_ENDPOINT_URL_SECRETS_MANAGER", self.endpoint.clone()),
            ("AWS_ACCESS_KEY_ID", self.access_key_id.clone()),
            ("AWS_SECRET_ACCESS_KEY", self.secret_access_key.clone()),
        ]
    }

    /// The `AWSCURRENT` `SecretString` of `name`, read with boto3; `None` when absent.
    pub fn get_secret_string(&self, name: &str) -> Option<String> {
        self.boto(&["get", name], None)
    }

    /// The `SecretString` of `name` at staging label `stage` (e.g. `AWSPREVIOUS`).
    pub fn get_secret_stage(&self, name: &str, stage: &str) -> Option<String> {
        self.boto(&["get", name, stage], None)
    }

    /// Writes `value` to `name` with boto3 (creating the secret when absent): another writer.
    pub fn put_secret_string(&self, name: &str, value: &str) {
        self.boto(&["put", name], Some(value));
    }

    /// How many versions `name` has (including ones without staging labels).
    pub fn version_count(&self, name: &str) -> usize {
        self.boto(&["versions", name], None)
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    }

    fn boto(&self, args: &[&str], stdin: Option<&str>) -> Option<String> {
        let mut all = vec!["-c", BOTO, args[0], &self.endpoint];
        all.extend(&args[1..]);
        let out = self.python(&all, stdin);
        match out.status.code() {
            Some(0) => Some(String::from_utf8(out.stdout).unwrap()),
            Some(3) => None,
            _ => panic!("boto3 {args:?} failed: {}", String::from_utf8_lossy(&out.stderr)),
        }
    }

    fn python(&self, args: &[&str], stdin: Option<&str>) -> std::process::Output {
        let mut cmd = std::process::Command::new(&self.python);
        cmd.args(args)
            .env("AWS_ACCESS_KEY_ID", &self.access_key_id)
            .env("AWS_SECRET_ACCESS_KEY", &self.secret_access_key)
            .env("AWS_DEFAULT_REGION", &self.region)
            .env_remove("AWS_SESSION_TOKEN")
            .env_remove("AWS_PROFILE")
            .env("AWS_CONFIG_FILE", "/nonexistent")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent");
        output_with_stdin(&mut cmd, stdin.unwrap_or("").as_bytes())
    }

    /// Kills the server now (the store dies, and its in-memory data with it).
    #[allow(dead_code)] // for end-to-end migrate tests
    pub fn kill(&mut self) {
        self.server.kill();
    }
}

/// A one-shot interposer between the store and moto: it forwards every request, and before
/// forwarding the first one whose `X-Amz-Target` is `secretsmanager.{op}` it runs `hook` (another
/// client's write), so the store's read and write straddle a concurrent change.
fn intercept(upstream: &str, op: &str, hook: impl FnOnce() + Send + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let upstream = upstream.trim_start_matches("http://").to_string();
    let wanted = format!("secretsmanager.{op}").to_ascii_lowercase();
    let mut hook = Some(hook);
    // The thread ends with the test binary; it only ever talks to 127.0.0.1.
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(mut client) = client else { return };
            let request = read_request(&mut client);
            let head = String::from_utf8_lossy(&request).to_ascii_lowercase();
            if head.contains(&format!("x-amz-target: {wanted}\r\n")) {
                if let Some(hook) = hook.take() {
                    hook();
                }
            }
            let mut up = TcpStream::connect(&upstream).unwrap();
            up.write_all(&request).unwrap();
            // moto answers `Connection: close`, so the response ends at EOF.
            let mut response = Vec::new();
            up.read_to_end(&mut response).unwrap();
            let _ = client.write_all(&response);
        }
    });
    endpoint
}

/// Reads one HTTP request (head and `Content-Length` body).
fn read_request(stream: &mut TcpStream) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut chunk).unwrap();
        assert!(n > 0, "client closed mid-request");
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map(|v| v.trim().parse().unwrap())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = stream.read(&mut chunk).unwrap();
        assert!(n > 0, "client closed mid-body");
        buf.extend_from_slice(&chunk[..n]);
    }
    buf
}

fn target(path: &str, key: &str) -> Target {
    Target::new(path, key)
}

fn secret(s: &str) -> Secret {
    Secret::new(s.as_bytes().to_vec())
}

fn text(s: Option<Secret>) -> Option<String> {
    s.map(|s| String::from_utf8(s.expose().to_vec()).unwrap())
}

/// Values that break naive quoting or encoding, and a long one.
fn tricky_values() -> Vec<String> {
    vec![
        "pässwörd ✓ 🔑 ключ".into(),
        "line1\nline2\r\nline3\n".into(),
        r#"quo"te's \back\slash {"json":true}"#.into(),
        "a=b==c&d=%20+".into(),
        "  spaces around  ".into(),
        "x".repeat(4096) + "-end",
    ]
}

/// Asserts that neither the error's message nor its `Debug` holds any of `values`.
fn assert_no_values(err: &StoreError, values: &[&str]) {
    let shown = format!("{err} / {err:?}");
    for v in values {
        assert!(!shown.contains(v), "error shows a value: {shown}");
    }
    assert!(!err.to_string().contains('\n'), "multi-line error: {err}");
}

#[test]
fn per_key_create_unchanged_conflict_overwrite() {
    let Some(moto) = Moto::start() else { return };
    let mut store = moto.store(AwsMode::PerKey);
    let t = target("shop/dev", "DATABASE_URL");
    let name = "shop/dev/DATABASE_URL";
    assert_eq!(store.describe(&t), "aws:shop/dev/DATABASE_URL");

    assert!(store.get(&t).unwrap().is_none(), "absent → None");
    assert_eq!(
        store.put(&t, &secret("postgres://u:first@db/x"), false).unwrap(),
        Put::Created
    );
    assert_eq!(
        moto.get_secret_string(name).as_deref(),
        Some("postgres://u:first@db/x")
    );
    assert_eq!(
        text(store.get(&t).unwrap()).as_deref(),
        Some("postgres://u:first@db/x")
    );

    assert_eq!(
        store.put(&t, &secret("postgres://u:first@db/x"), false).unwrap(),
        Put::Unchanged
    );
    assert_eq!(
        store.put(&t, &secret("postgres://u:first@db/x"), true).unwrap(),
        Put::Unchanged
    );
    assert_eq!(moto.version_count(name), 1, "an identical put writes nothing");

    let err = store
        .put(&t, &secret("postgres://u:second@db/x"), false)
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
    assert!(err.to_string().contains("aws:shop/dev/DATABASE_URL"), "{err}");
    assert_no_values(&err, &["first", "second"]);
    assert_eq!(
        moto.get_secret_string(name).as_deref(),
        Some("postgres://u:first@db/x")
    );
    assert_eq!(moto.version_count(name), 1, "a conflict writes nothing");

    assert_eq!(
        store.put(&t, &secret("postgres://u:second@db/x"), true).unwrap(),
        Put::Overwritten
    );
    assert_eq!(
        moto.get_secret_string(name).as_deref(),
        Some("postgres://u:second@db/x")
    );
    assert_eq!(
        moto.get_secret_stage(name, "AWSPREVIOUS").as_deref(),
        Some("postgres://u:first@db/x")
    );
    assert_eq!(
        text(store.get(&t).unwrap()).as_deref(),
        Some("postgres://u:second@db/x")
    );

    // A value someone else stored is compared the same way.
    moto.put_secret_string("shop/dev/OTHER", "theirs");
    let other = target("shop/dev", "OTHER");
    assert_eq!(
        store.put(&other, &secret("theirs"), false).unwrap(),
        Put::Unchanged
    );
    let err = store.put(&other, &secret("ours"), false).unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
    assert_no_values(&err, &["theirs", "ours"]);

    let debug = format!("{store:?}");
    assert!(
        !debug.contains(&moto.secret_access_key) || moto.secret_access_key == "testing",
        "{debug}"
    );
    assert!(debug.contains("<redacted>"), "{debug}");
}

#[test]
fn per_key_values_round_trip_exactly_and_keys_share_a_path() {
    let Some(moto) = Moto::start() else { return };
    let mut store = moto.store(AwsMode::PerKey);
    for (i, value) in tricky_values().iter().enumerate() {
        let t = target("app/prod", &format!("KEY_{i}"));
        assert_eq!(store.put(&t, &secret(value), false).unwrap(), Put::Created);
        assert_eq!(
            moto.get_secret_string(&format!("app/prod/KEY_{i}")).as_ref(),
            Some(value)
        );
        assert_eq!(text(store.get(&t).unwrap()).as_ref(), Some(value));
        assert_eq!(store.put(&t, &secret(value), false).unwrap(), Put::Unchanged);
    }
    // The root path maps to the bare key name.
    let root = target("", "TOP_LEVEL");
    assert_eq!(store.describe(&root), "aws:TOP_LEVEL");
    assert_eq!(store.put(&root, &secret("v"), false).unwrap(), Put::Created);
    assert_eq!(moto.get_secret_string("TOP_LEVEL").as_deref(), Some("v"));
}

#[test]
fn per_file_keeps_other_keys() {
    let Some(moto) = Moto::start() else { return };
    let mut store = moto.store(AwsMode::PerFile);
    let a = target("shop/dev", "A_KEY");
    let b = target("shop/dev", "B_KEY");
    assert_eq!(store.describe(&a), "aws:shop/dev#A_KEY");
    let object = || -> serde_json::Value {
        serde_json::from_str(&moto.get_secret_string("shop/dev").expect("secret exists")).unwrap()
    };

    assert!(store.get(&a).unwrap().is_none(), "absent secret → None");
    assert_eq!(store.put(&a, &secret("alpha"), false).unwrap(), Put::Created);
    assert_eq!(object(), serde_json::json!({"A_KEY": "alpha"}));
    assert!(store.get(&b).unwrap().is_none(), "absent field → None");
    assert_eq!(store.put(&b, &secret("beta"), false).unwrap(), Put::Created);
    assert_eq!(object(), serde_json::json!({"A_KEY": "alpha", "B_KEY": "beta"}));
    assert_eq!(text(store.get(&a).unwrap()).as_deref(), Some("alpha"));
    assert_eq!(text(store.get(&b).unwrap()).as_deref(), Some("beta"));

    let versions = moto.version_count("shop/dev");
    assert_eq!(store.put(&a, &secret("alpha"), false).unwrap(), Put::Unchanged);
    let err = store.put(&a, &secret("gamma"), false).unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
    assert!(err.to_string().contains("aws:shop/dev#A_KEY"), "{err}");
    assert_no_values(&err, &["alpha", "gamma", "beta"]);
    assert_eq!(
        moto.version_count("shop/dev"),
        versions,
        "unchanged and conflict write nothing"
    );

    assert_eq!(store.put(&a, &secret("gamma"), true).unwrap(), Put::Overwritten);
    assert_eq!(object(), serde_json::json!({"A_KEY": "gamma", "B_KEY": "beta"}));

    for (i, value) in tricky_values().iter().enumerate() {
        let t = target("shop/tricky", &format!("K{i}"));
        assert_eq!(store.put(&t, &secret(value), false).unwrap(), Put::Created);
        assert_eq!(text(store.get(&t).unwrap()).as_ref(), Some(value));
    }
    let stored: serde_json::Value =
        serde_json::from_str(&moto.get_secret_string("shop/tricky").unwrap()).unwrap();
    for (i, value) in tricky_values().iter().enumerate() {
        assert_eq!(stored[format!("K{i}")].as_str(), Some(value.as_str()));
    }

    // A secret that is not a JSON object cannot take a key, and the error does not show it.
    moto.put_secret_string("plain", "not json at all");
    let err = store.put(&target("plain", "K"), &secret("v"), true).unwrap_err();
    assert!(matches!(err, StoreError::Other(_)), "{err:?}");
    assert_no_values(&err, &["not json"]);
    assert_eq!(
        moto.get_secret_string("plain").as_deref(),
        Some("not json at all")
    );

    // Per-file needs a path: it is the secret name.
    let err = store.put(&target("", "K"), &secret("v"), false).unwrap_err();
    assert!(matches!(err, StoreError::Config(_)), "{err:?}");
}

#[test]
fn concurrent_change_between_read_and_write_is_reported_not_lost() {
    let Some(moto) = Moto::start() else { return };
    let moto = Arc::new(moto);

    // per-key, overwrite: someone writes between our GetSecretValue and our PutSecretValue.
    moto.put_secret_string("race/KEY", "original");
    let m = Arc::clone(&moto);
    let endpoint = intercept(&moto.endpoint, "PutSecretValue", move || {
        m.put_secret_string("race/KEY", "theirs")
    });
    let mut args = moto.args(AwsMode::PerKey);
    args.endpoint = Some(endpoint);
    let mut store = AwsStore::open(&args).unwrap();
    let err = store
        .put(&target("race", "KEY"), &secret("ours"), true)
        .unwrap_err();
    assert!(matches!(err, StoreError::Other(_)), "{err:?}");
    assert!(err.to_string().contains("AWSPREVIOUS"), "{err}");
    assert_no_values(&err, &["original", "theirs", "ours"]);
    assert_eq!(
        moto.get_secret_stage("race/KEY", "AWSPREVIOUS").as_deref(),
        Some("theirs"),
        "kept"
    );
    assert_eq!(moto.get_secret_string("race/KEY").as_deref(), Some("ours"));

    // per-file: someone adds another key to the object between our read and our write.
    moto.put_secret_string("race/file", r#"{"A":"a"}"#);
    let m = Arc::clone(&moto);
    let endpoint = intercept(&moto.endpoint, "PutSecretValue", move || {
        m.put_secret_string("race/file", r#"{"A":"a","C":"c"}"#)
    });
    let mut args = moto.args(AwsMode::PerFile);
    args.endpoint = Some(endpoint);
    let mut store = AwsStore::open(&args).unwrap();
    let err = store
        .put(&target("race/file", "B"), &secret("b"), false)
        .unwrap_err();
    assert!(err.to_string().contains("changed by someone else"), "{err}");
    let theirs: serde_json::Value =
        serde_json::from_str(&moto.get_secret_stage("race/file", "AWSPREVIOUS").unwrap()).unwrap();
    assert_eq!(
        theirs,
        serde_json::json!({"A": "a", "C": "c"}),
        "their change is kept as AWSPREVIOUS"
    );
}

#[test]
fn create_racing_with_another_creator_rereads_and_decides() {
    let Some(moto) = Moto::start() else { return };
    let moto = Arc::new(moto);
    for (name, theirs, expected) in [
        ("same/KEY", "v", Ok(Put::Unchanged)),
        ("diff/KEY", "other", Err(())),
    ] {
        let m = Arc::clone(&moto);
        let endpoint = intercept(&moto.endpoint, "CreateSecret", move || {
            m.put_secret_string(name, theirs)
        });
        let mut args = moto.args(AwsMode::PerKey);
        args.endpoint = Some(endpoint);
        let mut store = AwsStore::open(&args).unwrap();
        let (path, key) = name.split_once('/').unwrap();
        match (store.put(&target(path, key), &secret("v"), false), expected) {
            (Ok(got), Ok(want)) => assert_eq!(got, want),
            (Err(StoreError::Conflict { .. }), Err(())) => {}
            (got, want) => panic!("{name}: got {got:?}, want {want:?}"),
        }
        assert_eq!(moto.get_secret_string(name).as_deref(), Some(theirs));
    }
}

#[test]
fn signatures_are_checked_bad_credentials_are_auth_errors() {
    let Some(moto) = Moto::start_with_auth() else {
        return;
    };
    let t = target("auth", "KEY");

    let mut wrong_secret = moto.args(AwsMode::PerKey);
    wrong_secret.secret_access_key = Some(Sensitive(format!("{}x", moto.secret_access_key)));
    let err = AwsStore::open(&wrong_secret).unwrap().get(&t).unwrap_err();
    assert!(matches!(err, StoreError::Auth { .. }), "{err:?}");
    assert!(err.to_string().contains("SignatureDoesNotMatch"), "{err}");
    assert!(!format!("{err} {err:?}").contains(&moto.secret_access_key));
    let err = AwsStore::open(&wrong_secret)
        .unwrap()
        .put(&t, &secret("v"), false)
        .unwrap_err();
    assert!(matches!(err, StoreError::Auth { .. }), "{err:?}");

    let mut unknown_key = moto.args(AwsMode::PerKey);
    unknown_key.access_key_id = Some("AKIAUNKNOWNUNKNOWN00".into());
    let err = AwsStore::open(&unknown_key).unwrap().get(&t).unwrap_err();
    assert!(matches!(err, StoreError::Auth { .. }), "{err:?}");

    // The real key works: this also proves our signatures are what AWS computes.
    let mut store = moto.store(AwsMode::PerKey);
    assert_eq!(store.put(&t, &secret("signed"), false).unwrap(), Put::Created);
    assert_eq!(text(store.get(&t).unwrap()).as_deref(), Some("signed"));
    assert_eq!(moto.get_secret_string("auth/KEY").as_deref(), Some("signed"));
    assert!(!format!("{store:?}").contains(&moto.secret_access_key));
}

#[test]
fn closed_port_is_unreachable() {
    let port = free_port();
    let args = AwsArgs {
        region: Some("us-east-1".into()),
        endpoint: Some(format!("http://127.0.0.1:{port}")),
        access_key_id: Some("testing".into()),
        secret_access_key: Some(Sensitive("testing".into())),
        ..AwsArgs::default()
    };
    let mut store = AwsStore::open(&args).unwrap();
    let err = store
        .put(&target("a", "B"), &secret("unreachable-value"), false)
        .unwrap_err();
    assert!(matches!(err, StoreError::Unreachable { .. }), "{err:?}");
    assert!(err.to_string().contains(&format!("127.0.0.1:{port}")), "{err}");
    assert_no_values(&err, &["unreachable-value"]);
}

#[test]
fn missing_or_bad_settings_are_config_errors() {
    let config = |args: &AwsArgs| match AwsStore::open(args) {
        Err(StoreError::Config(msg)) => msg,
        other => panic!("expected a config error, got {other:?}"),
    };
    let msg = config(&AwsArgs::default());
    assert!(msg.contains("AWS_ACCESS_KEY_ID") && !msg.contains('\n'), "{msg}");

    let creds = AwsArgs {
        access_key_id: Some("AKIDEXAMPLE".into()),
        secret_access_key: Some(Sensitive("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into())),
        ..AwsArgs::default()
    };
    // A missing region (and its environment fallback) is checked in child processes whose
    // environment the test sets: `region_comes_from_flag_or_environment`.
    let with = |region: &str, endpoint: &str| AwsArgs {
        region: Some(region.into()),
        endpoint: Some(endpoint.into()),
        ..creds.clone()
    };
    assert!(config(&with("us-east-1", "ftp://example.com")).contains("--aws-endpoint"));
    assert!(config(&with("us-east-1", "127.0.0.1:4566")).contains("--aws-endpoint"));
    assert!(config(&with("Not A Region", "http://127.0.0.1:1")).contains("--aws-region"));
    let msg = format!("{:?}", AwsStore::open(&with("us-east-1", "ftp://x")).unwrap_err());
    assert!(!msg.contains("EXAMPLEKEY"), "{msg}");
}

#[test]
fn describe_and_fetch_hint() {
    let args = AwsArgs {
        region: Some("eu-west-1".into()),
        access_key_id: Some("AKIDEXAMPLE".into()),
        secret_access_key: Some(Sensitive("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into())),
        ..AwsArgs::default()
    };
    let t = target("shop/dev", "DATABASE_URL");
    let store = AwsStore::open(&args).unwrap();
    assert_eq!(store.kind(), "aws");
    assert_eq!(store.describe(&t), "aws:shop/dev/DATABASE_URL");
    assert_eq!(
        store.fetch_hint(&t),
        "aws secretsmanager get-secret-value --region eu-west-1 --secret-id shop/dev/DATABASE_URL \
         --query SecretString --output text"
    );
    let store = AwsStore::open(&AwsArgs {
        mode: AwsMode::PerFile,
        ..args.clone()
    })
    .unwrap();
    assert_eq!(store.describe(&t), "aws:shop/dev#DATABASE_URL");
    assert_eq!(
        store.fetch_hint(&t),
        "aws secretsmanager get-secret-value --region eu-west-1 --secret-id shop/dev \
         --query SecretString --output text | jq -r '.[\"DATABASE_URL\"]'"
    );
    let store = AwsStore::open(&AwsArgs {
        endpoint: Some("http://localhost:4566".into()),
        ..args.clone()
    })
    .unwrap();
    assert!(
        store
            .fetch_hint(&t)
            .contains(" --endpoint-url http://localhost:4566 "),
        "{}",
        store.fetch_hint(&t)
    );
}

#[test]
fn flags_parse_and_help_hides_the_secret_key_flag() {
    use clap::{CommandFactory, Parser};
    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        aws: AwsArgs,
    }
    let cli = Cli::try_parse_from([
        "x",
        "--aws-region",
        "eu-west-1",
        "--aws-endpoint",
        "http://127.0.0.1:4566",
        "--aws-mode",
        "per-file",
        "--aws-kms-key-id",
        "alias/leakless",
    ])
    .unwrap();
    assert_eq!(cli.aws.region.as_deref(), Some("eu-west-1"));
    assert_eq!(cli.aws.mode, AwsMode::PerFile);
    assert_eq!(cli.aws.kms_key_id.as_deref(), Some("alias/leakless"));
    assert_eq!(Cli::try_parse_from(["x"]).unwrap().aws.mode, AwsMode::PerKey);
    let help = Cli::command().render_long_help().to_string();
    assert!(help.contains("AWS Secrets Manager (--to aws)"), "{help}");
    assert!(
        help.contains("--aws-region") && help.contains("AWS_REGION"),
        "{help}"
    );
    assert!(
        help.contains("AWS_SECRET_ACCESS_KEY"),
        "the help names the variable: {help}"
    );
    assert!(!help.contains("--aws-secret-access-key"), "{help}");
}

/// The region check runs whatever the caller's environment holds: `leakless migrate` runs with
/// `AWS_REGION`/`AWS_DEFAULT_REGION` removed (a config error naming `--aws-region`), then with
/// `AWS_DEFAULT_REGION` set (the region is accepted and the unreachable endpoint is what fails).
#[test]
fn region_comes_from_flag_or_environment() {
    use crate::migrate::{run_env, Repo};
    let repo = Repo::from_files(&[(
        ".env",
        "STRIPE_SECRET_KEY=sk_live_4eC39HqLyjWDarjtT1zdp7dcA3kF9xQz\n",
    )]);
    let creds = |extra: &[(&'static str, &str)]| {
        let mut env = vec![
            ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE".to_string()),
            (
                "AWS_SECRET_ACCESS_KEY",
                "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".to_string(),
            ),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:1".to_string()),
        ];
        env.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
        env
    };
    let args = ["migrate", "--to", "aws", "--apply"];
    let (code, out, err) = run_env(&repo, &args, &creds(&[]));
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("--aws-region"), "no region is a config error: {err}");

    for var in ["AWS_DEFAULT_REGION", "AWS_REGION"] {
        let (code, out, err) = run_env(&repo, &args, &creds(&[(var, "eu-west-1")]));
        assert_eq!(code, 2, "{out}{err}");
        assert!(!err.contains("--aws-region"), "{var} gives the region: {err}");
        assert!(
            out.contains("cannot reach aws at http://127.0.0.1:1/"),
            "the endpoint is what fails: {out}{err}"
        );
    }
    let (code, out, err) = run_env(&repo, &args, &creds(&[("AWS_DEFAULT_REGION", "Not A Region")]));
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("--aws-region"),
        "a bad region from the environment: {err}"
    );
}
