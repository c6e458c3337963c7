//! The `gcp` store against a local stand-in of Google Cloud Secret Manager's REST API and
//! Google's OAuth 2.0 token endpoint (tests/support/gcp_secretmanager_fake.py; Google ships no
//! emulator), with the official Python client `google-cloud-secret-manager` (REST transport,
//! plain-http endpoint override) as an independent second client: it reads what leakless wrote
//! and writes what leakless must find.
//!
//! [`GcpFake`] is the reusable fixture: one project, a static access token, and a generated
//! service-account key file whose `token_uri` is the stand-in, so every `--to gcp` run here goes
//! through a real RS256 JWT-bearer exchange that the stand-in verifies with the key's public half.

use std::path::{Path, PathBuf};

use leakless::findings::Secret;
use leakless::migrate::store::aws::Sensitive;
use leakless::migrate::store::gcp::{parse_secret_id, GcpArgs, GcpStore};
use leakless::migrate::store::{Put, SecretStore, StoreError, Target};
use serde_json::Value;

use crate::migrate::{run_env, Repo};
use crate::migrate_stores::{assert_every_secret_in, fails_after_three_writes, rerun_finishes};
use crate::util::external_tool;
use crate::util::standin::{python_inline, run_ok, Launch, StandIn};

/// The project id and number the stand-in knows.
pub const PROJECT: &str = "leakless-test";
const PROJECT_NUMBER: &str = "487110539027";
/// A made-up static access token (the shape of Google's `ya29.` tokens).
pub const TOKEN: &str = "ya29.static-test-token-Qm9vZ2xlIGRvZXMgbm90IGlzc3VlIHRoaXM";
const READ_ONLY_TOKEN: &str = "ya29.read-only-test-token-bm90IGEgcmVhbCB0b2tlbg";

/// A running stand-in on 127.0.0.1, killed when dropped.
pub struct GcpFake {
    /// `http://127.0.0.1:PORT` (what `--gcp-endpoint` takes).
    pub url: String,
    /// The generated service-account key file (token_uri = the stand-in).
    pub key_file: PathBuf,
    /// The generated authorized-user credentials file.
    pub user_file: PathBuf,
    python: PathBuf,
    server: StandIn,
}

impl GcpFake {
    /// Starts the stand-in with `extra_args` (its test hooks); `None` (with a note) when
    /// `LEAKLESS_TEST_PYTHON` is not set (it needs the `cryptography` package).
    pub fn start(extra_args: &[&str]) -> Option<Self> {
        let python = external_tool("LEAKLESS_TEST_PYTHON")?;
        let launch = Launch::python("the GCP stand-in", &python, "gcp_secretmanager_fake.py");
        let key_file = launch.dir().join("service-account.json");
        let user_file = launch.dir().join("authorized-user.json");
        let external_file = launch.dir().join("external-account.json");
        let server = launch
            .args(["--project", &format!("{PROJECT}:{PROJECT_NUMBER}")])
            .args(["--token", TOKEN, "--read-only-token", READ_ONLY_TOKEN])
            .arg("--service-account")
            .arg(&key_file)
            .arg("--authorized-user")
            .arg(&user_file)
            .arg("--external-account")
            .arg(external_file)
            .args(extra_args)
            .ready_line(1);
        Some(Self {
            url: server.url(),
            key_file,
            user_file,
            python,
            server,
        })
    }

    /// Everything the stand-in holds: `secrets` (id, labels, annotations, versions with `value`,
    /// `data` in base64, `state`, `clientChecksum`), `requests`, and counters.
    pub fn state(&self) -> Value {
        self.server.state()
    }

    /// The latest version's value of secret `id`, if any.
    pub fn latest(&self, id: &str) -> Option<String> {
        self.state()["secrets"]
            .as_array()
            .expect("secrets")
            .iter()
            .find(|s| s["id"] == id)
            .and_then(|s| {
                s["versions"].as_array()?.last()?["value"]
                    .as_str()
                    .map(str::to_string)
            })
    }

    /// The latest value of every secret.
    pub fn values(&self) -> Vec<String> {
        self.state()["secrets"]
            .as_array()
            .expect("secrets")
            .iter()
            .filter_map(|s| {
                s["versions"].as_array()?.last()?["value"]
                    .as_str()
                    .map(str::to_string)
            })
            .collect()
    }

    /// `--to gcp` settings as environment variables, logging in with the service-account key.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("GOOGLE_CLOUD_PROJECT", PROJECT.into()),
            (
                "CLOUDSDK_API_ENDPOINT_OVERRIDES_SECRETMANAGER",
                format!("{}/", self.url),
            ),
            (
                "GOOGLE_APPLICATION_CREDENTIALS",
                self.key_file.display().to_string(),
            ),
            ("CLOUDSDK_CONFIG", self.server.dir().display().to_string()),
        ]
    }

    /// Store options with the service-account key.
    pub fn args(&self) -> GcpArgs {
        GcpArgs {
            project: Some(PROJECT.into()),
            endpoint: Some(self.url.clone()),
            credentials: Some(self.key_file.clone()),
            ..GcpArgs::default()
        }
    }

    fn log(&self) -> String {
        self.server.log()
    }

    /// An opened store (service-account key).
    pub fn store(&self) -> GcpStore {
        GcpStore::open(&self.args()).unwrap_or_else(|e| panic!("open: {e}\n{}", self.log()))
    }

    /// Runs `script` with the official client `c` (REST transport, this endpoint, the static
    /// token as credentials); `vars` become environment variables. Returns stdout.
    fn sdk(&self, script: &str, vars: &[(&str, &str)]) -> String {
        let prelude = "import base64, json, os\n\
                       import google.oauth2.credentials\n\
                       from google.api_core.client_options import ClientOptions\n\
                       from google.cloud import secretmanager\n\
                       c = secretmanager.SecretManagerServiceClient(transport='rest', \
                         client_options=ClientOptions(api_endpoint=os.environ['EP']), \
                         credentials=google.oauth2.credentials.Credentials(token=os.environ['TOKEN']))\n\
                       P = 'projects/' + os.environ['PROJECT']\n";
        let mut cmd = python_inline(&self.python, prelude, script);
        cmd.env("EP", &self.url)
            .env("TOKEN", TOKEN)
            .env("PROJECT", PROJECT)
            .envs(vars.iter().copied());
        run_ok(&mut cmd, "")
    }

    /// The latest version of `id` read by the official client, as bytes.
    fn sdk_access(&self, id: &str) -> Vec<u8> {
        let out = self.sdk(
            "r = c.access_secret_version(request={'name': P + '/secrets/' + os.environ['ID'] + '/versions/latest'})\n\
             print(base64.b64encode(r.payload.data).decode())\n",
            &[("ID", id)],
        );
        base64_decode(out.trim())
    }
}

fn base64_decode(s: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .expect("base64")
}

fn secret(b: &[u8]) -> Secret {
    Secret::new(b.to_vec())
}

fn target(path: &str, key: &str, env: &str) -> Target {
    Target {
        path: path.into(),
        key: key.into(),
        env: env.into(),
    }
}

#[test]
fn service_account_writes_are_read_back_exactly_by_the_official_client() {
    let Some(fake) = GcpFake::start(&[]) else { return };
    let mut store = fake.store();
    let st = fake.state();
    assert_eq!(st["jwtGrants"], 1, "one JWT-bearer exchange at open");
    // Google's own JWT library (google-auth) verifies leakless's assertion with the public key
    // and reads the claims Google's token endpoint requires; and Google's client, signing
    // self-signed JWTs with the same key, is accepted by the stand-in (its verifier checked by an
    // independent signer).
    let out = fake.sdk(
        "from google.auth import jwt\n\
         from google.oauth2 import service_account\n\
         claims = jwt.decode(os.environ['ASSERTION'], certs=os.environ['PUBLIC_PEM'], audience=os.environ['AUD'])\n\
         sa = service_account.Credentials.from_service_account_file(os.environ['KEY_FILE'], \
           scopes=['https://www.googleapis.com/auth/cloud-platform'])\n\
         c2 = secretmanager.SecretManagerServiceClient(transport='rest', \
           client_options=ClientOptions(api_endpoint=os.environ['EP']), credentials=sa)\n\
         n = len(list(c2.list_secrets(request={'parent': P})))\n\
         print(json.dumps([claims, n]))\n",
        &[
            ("ASSERTION", st["lastAssertion"].as_str().expect("assertion")),
            ("PUBLIC_PEM", st["publicKeyPem"].as_str().expect("pem")),
            ("AUD", &format!("{}/token", fake.url)),
            ("KEY_FILE", fake.key_file.to_str().expect("utf-8")),
        ],
    );
    let v: Value = serde_json::from_str(&out).expect("JSON");
    let claims = &v[0];
    assert_eq!(
        claims["iss"].as_str().expect("iss"),
        format!("leakless-test@{PROJECT}.iam.gserviceaccount.com")
    );
    assert_eq!(claims["scope"], "https://www.googleapis.com/auth/cloud-platform");
    assert_eq!(
        claims["exp"].as_u64().expect("exp") - claims["iat"].as_u64().expect("iat"),
        3600
    );
    assert_eq!(
        v[1], 0,
        "the official client, authenticated by its own JWT, lists"
    );
    let t = target("shop/dev", "DATABASE_URL", "dev");
    let v = b"postgres://app:s3cr3t-Pa55@db:5432/app";
    assert_eq!(store.put(&t, &secret(v), false).expect("put"), Put::Created);
    assert_eq!(store.get(&t).expect("get").expect("present").expose(), v);
    assert_eq!(fake.sdk_access("shop--dev--DATABASE_URL"), v);
    let st = fake.state();
    let s = &st["secrets"][0];
    assert_eq!(s["id"], "shop--dev--DATABASE_URL");
    assert_eq!(s["labels"]["managed-by"], "leakless");
    assert_eq!(s["labels"]["leakless-env"], "dev");
    assert_eq!(s["annotations"]["leakless-path"], "shop/dev");
    assert_eq!(s["annotations"]["leakless-key"], "DATABASE_URL");
    assert_eq!(s["replication"], serde_json::json!({"automatic": {}}));
    assert_eq!(s["versions"][0]["clientChecksum"], true, "dataCrc32c sent");
    // Idempotent: the same value again writes nothing.
    assert_eq!(store.put(&t, &secret(v), false).expect("put"), Put::Unchanged);
    assert_eq!(fake.state()["writes"], 1);

    // Any bytes are stored exactly (payloads are bytes): NUL, invalid UTF-8, spaces, newlines.
    let t2 = target("", "TLS_KEY", "");
    let odd: &[u8] = b"  \x00\xff\xfe line\r\n${NOT_A_REF}\n";
    assert_eq!(store.put(&t2, &secret(odd), false).expect("put"), Put::Created);
    assert_eq!(store.get(&t2).expect("get").expect("present").expose(), odd);
    assert_eq!(fake.sdk_access("TLS_KEY"), odd);
    // An empty value too.
    let t3 = target("shop/dev", "EMPTY", "dev");
    assert_eq!(store.put(&t3, &secret(b""), false).expect("put"), Put::Created);
    assert_eq!(store.get(&t3).expect("get").expect("present").expose(), b"");

    // The official client lists them (through its pager: 30 more secrets, 25 per page) and filters
    // by the label leakless set.
    let out = fake.sdk(
        "for i in range(30):\n    c.create_secret(request={'parent': P, 'secret_id': 'other%d' % i, \
         'secret': {'replication': {'automatic': {}}}})\n\
         names = [s.name for s in c.list_secrets(request={'parent': P})]\n\
         mine = [s.name for s in c.list_secrets(request={'parent': P, 'filter': 'labels.leakless-env=dev'})]\n\
         print(json.dumps([len(names), sorted(mine)]))\n",
        &[],
    );
    let v: Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v[0], 33, "{out}");
    assert_eq!(
        v[1],
        serde_json::json!([
            format!("projects/{PROJECT_NUMBER}/secrets/shop--dev--DATABASE_URL"),
            format!("projects/{PROJECT_NUMBER}/secrets/shop--dev--EMPTY"),
        ])
    );
    // Over the limits (64 KiB of payload, 255 characters of id): refused before anything is sent.
    let before = fake.state()["requests"].as_array().expect("r").len();
    let big = vec![b'x'; 64 * 1024 + 1];
    assert!(matches!(
        store.put(&target("", "BIG", ""), &secret(&big), false),
        Err(StoreError::Unstorable(_))
    ));
    assert!(matches!(
        store.put(&target("shop/dev", &"K".repeat(250), "dev"), &secret(b"v"), false),
        Err(StoreError::Unstorable(_))
    ));
    assert_eq!(fake.state()["requests"].as_array().expect("r").len(), before);
}

#[test]
fn secret_ids_are_reversible_and_the_hint_is_gclouds() {
    let Some(fake) = GcpFake::start(&[]) else { return };
    let mut store = fake.store();
    let t = target("my-app/prod.eu", "API-KEY", "prod.eu");
    assert_eq!(
        store.put(&t, &secret(b"k-123456"), false).expect("put"),
        Put::Created
    );
    let st = fake.state();
    let id = st["secrets"][0]["id"].as_str().expect("id").to_string();
    assert_eq!(id, "my-2Dapp--prod-2Eeu--API-2DKEY");
    assert_eq!(
        parse_secret_id(&id),
        Some(("my-app/prod.eu".to_string(), "API-KEY".to_string()))
    );
    assert!(
        st["secrets"][0]["labels"].get("leakless-env").is_none(),
        "not a valid label value: no label"
    );
    assert_eq!(store.describe(&t), format!("gcp:{PROJECT}/{id}"));
    assert_eq!(
        store.fetch_hint(&t),
        format!(
            "CLOUDSDK_API_ENDPOINT_OVERRIDES_SECRETMANAGER={}/ gcloud secrets versions access latest --secret={id} --project={PROJECT}",
            fake.url
        )
    );
    let a = store.address(&t);
    assert_eq!(
        (a.address.as_str(), a.project.as_str()),
        (fake.url.as_str(), PROJECT)
    );
}

#[test]
fn conflicts_are_never_overwritten_without_overwrite() {
    let Some(fake) = GcpFake::start(&[]) else { return };
    // Someone else's secret, written with the official client.
    fake.sdk(
        "c.create_secret(request={'parent': P, 'secret_id': 'shop--dev--TOKEN', 'secret': {'replication': {'automatic': {}}}})\n\
         c.add_secret_version(request={'parent': P + '/secrets/shop--dev--TOKEN', 'payload': {'data': b'theirs-value'}})\n",
        &[],
    );
    let mut store = fake.store();
    let t = target("shop/dev", "TOKEN", "dev");
    let err = store
        .put(&t, &secret(b"ours-value"), false)
        .expect_err("conflict");
    assert!(matches!(err, StoreError::Conflict { .. }), "{err}");
    assert!(!err.to_string().contains("theirs") && !err.to_string().contains("ours"));
    assert_eq!(fake.latest("shop--dev--TOKEN").as_deref(), Some("theirs-value"));
    assert_eq!(fake.state()["writes"], 1, "nothing written by leakless");
    assert_eq!(
        store.put(&t, &secret(b"theirs-value"), false).expect("same"),
        Put::Unchanged
    );
    assert_eq!(
        store.put(&t, &secret(b"ours-value"), true).expect("overwrite"),
        Put::Overwritten
    );
    assert_eq!(fake.sdk_access("shop--dev--TOKEN"), b"ours-value");
    let versions = &fake.state()["secrets"][0]["versions"];
    assert_eq!(
        versions[0]["value"], "theirs-value",
        "the old value is kept as version 1"
    );
    assert_eq!(versions[1]["value"], "ours-value");

    // A disabled latest version: a value leakless cannot see is a conflict too.
    fake.sdk(
        "c.disable_secret_version(request={'name': P + '/secrets/shop--dev--TOKEN/versions/2'})\n",
        &[],
    );
    let err = store.get(&t).expect_err("disabled");
    assert!(err.to_string().contains("DISABLED"), "{err}");
    assert!(matches!(
        store.put(&t, &secret(b"third"), false),
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(
        store.put(&t, &secret(b"third"), true).expect("overwrite"),
        Put::Overwritten
    );
    assert_eq!(fake.sdk_access("shop--dev--TOKEN"), b"third");
}

#[test]
fn a_concurrent_writer_is_reported_not_lost() {
    let Some(fake) = GcpFake::start(&["--preempt-add", "their-concurrent-value"]) else {
        return;
    };
    let mut store = fake.store();
    let t = target("shop/dev", "RACE", "dev");
    let err = store
        .put(&t, &secret(b"our-value-1234"), false)
        .expect_err("race");
    let msg = err.to_string();
    assert!(
        msg.contains("changed by someone else") && msg.contains("version 2"),
        "{msg}"
    );
    assert!(
        !msg.contains("our-value") && !msg.contains("their-concurrent"),
        "{msg}"
    );
    let versions = &fake.state()["secrets"][0]["versions"];
    assert_eq!(versions[0]["value"], "their-concurrent-value");
    assert_eq!(versions[1]["value"], "our-value-1234", "both kept");
}

#[test]
fn credentials_tokens_and_errors() {
    let Some(fake) = GcpFake::start(&["--token-uses", "2", "--rate-limit-once"]) else {
        return;
    };
    let t = target("", "K", "");
    // An access token as GOOGLE_OAUTH_ACCESS_TOKEN would give it (and a 429 retried).
    let mut args = fake.args();
    args.credentials = None;
    args.access_token = Some(Sensitive(TOKEN.into()));
    let mut s = GcpStore::open(&args).expect("static token");
    assert_eq!(
        s.put(&t, &secret(b"value-one"), false).expect("put"),
        Put::Created
    );

    // A service-account token good for two requests: the store logs in again on the 401.
    let mut s = fake.store();
    for _ in 0..3 {
        assert_eq!(s.get(&t).expect("get").expect("present").expose(), b"value-one");
    }
    assert_eq!(fake.state()["jwtGrants"], 2, "re-minted after the 401");

    // gcloud's authorized-user credentials: the refresh-token grant.
    let mut args = fake.args();
    args.credentials = Some(fake.user_file.clone());
    let mut s = GcpStore::open(&args).expect("authorized user");
    assert_eq!(s.get(&t).expect("get").expect("present").expose(), b"value-one");
    assert_eq!(fake.state()["refreshGrants"], 1);

    // Workload identity federation (google-github-actions/auth's file): the CI's OIDC token,
    // exchanged at STS, then for the service account's token.
    let mut args = fake.args();
    args.credentials = Some(fake.server.dir().join("external-account.json"));
    let mut s = GcpStore::open(&args).expect("external account");
    assert_eq!(s.get(&t).expect("get").expect("present").expose(), b"value-one");
    let st = fake.state();
    assert_eq!(
        (st["stsGrants"].as_u64(), st["impersonations"].as_u64()),
        (Some(1), Some(1))
    );

    // A bad token, a read-only token, an unknown project: Auth errors that name no credential.
    for (token, project, what) in [
        ("ya29.wrong-token-value", PROJECT, "UNAUTHENTICATED"),
        (READ_ONLY_TOKEN, PROJECT, "PERMISSION_DENIED"),
        (TOKEN, "someone-elses-project", "PERMISSION_DENIED"),
    ] {
        let mut args = fake.args();
        args.credentials = None;
        args.access_token = Some(Sensitive(token.into()));
        args.project = Some(project.into());
        let mut s = GcpStore::open(&args).expect("open makes no call with a token");
        let err = s
            .put(&target("", "NEW", ""), &secret(b"new-value-99"), false)
            .expect_err("refused");
        let msg = err.to_string();
        assert!(
            matches!(err, StoreError::Auth { .. }) && msg.contains(what),
            "{msg}"
        );
        assert!(!msg.contains("ya29") && !msg.contains("new-value"), "{msg}");
    }

    // A key whose private half is not the one Google knows: the JWT signature is refused.
    let other = tempfile::NamedTempFile::new().expect("tmp");
    let mut key: Value = serde_json::from_slice(&std::fs::read(&fake.key_file).expect("key")).expect("json");
    let second = GcpFake::start(&[]).expect("second stand-in");
    let foreign: Value =
        serde_json::from_slice(&std::fs::read(&second.key_file).expect("key")).expect("json");
    key["private_key"] = foreign["private_key"].clone();
    std::fs::write(other.path(), key.to_string()).expect("write");
    let mut args = fake.args();
    args.credentials = Some(other.path().to_path_buf());
    let err = GcpStore::open(&args).expect_err("bad signature");
    let msg = err.to_string();
    assert!(msg.contains("Invalid JWT Signature"), "{msg}");
    assert!(!msg.contains("PRIVATE KEY") && !msg.contains("eyJ"), "{msg}");

    // Credentials never travel in clear text to a non-loopback host; garbage key files are not
    // quoted back.
    let mut args = fake.args();
    args.endpoint = Some("http://secretmanager.example.com".into());
    assert!(matches!(GcpStore::open(&args), Err(StoreError::Config(_))));
    std::fs::write(
        other.path(),
        "{\"type\": \"service_account\", \"private_key\": \"-----BEGIN hunter2\"",
    )
    .expect("w");
    let mut args = fake.args();
    args.credentials = Some(other.path().to_path_buf());
    let msg = GcpStore::open(&args).expect_err("garbage").to_string();
    assert!(msg.contains("line 1") && !msg.contains("hunter2"), "{msg}");
}

/// `leakless migrate --to gcp --apply` on the seed repository: every secret lands in Secret
/// Manager (read back by the official client), the report prints gcloud's read-back command and
/// the Google Cloud guide line, the tree scans clean.
#[test]
fn seed_migrates_into_gcp_secret_manager() {
    let Some(fake) = GcpFake::start(&[]) else { return };
    let repo = Repo::seed();
    let (code, out, err) = run_env(&repo, &["migrate", "--to", "gcp", "--apply"], &fake.env());
    assert_eq!(code, 0, "{out}\n{err}");
    repo.assert_no_secret_in("stdout", out.as_bytes());
    repo.assert_no_secret_in("stderr", err.as_bytes());
    let values = fake.values();
    assert_every_secret_in(&repo, &values, "Secret Manager");
    let stripe = fake.sdk_access("shop--dev--STRIPE_SECRET_KEY");
    assert!(
        repo.secrets.iter().any(|(_, s)| stripe == s.as_bytes()),
        "the official client reads the Stripe key"
    );
    assert!(
        out.contains(&format!(
            "gcloud secrets versions access latest --secret=shop--dev--STRIPE_SECRET_KEY --project={PROJECT}"
        )),
        "{out}"
    );
    assert!(out.contains("Google Cloud: Cloud Run"), "{out}");
    let map = repo.read(".leakless/secrets.toml");
    assert!(
        map.contains("store = \"gcp\"") && map.contains(&format!("project = \"{PROJECT}\"")),
        "{map}"
    );
    assert_eq!(run_env(&repo, &["scan", "."], &[]).0, 0);
    let (code, out, _) = run_env(&repo, &["migrate", "--to", "gcp", "--apply"], &fake.env());
    assert_eq!(code, 0);
    assert!(out.contains("No secrets in tracked files"), "{out}");
    // No credential in anything leakless printed.
    let key: Value = serde_json::from_slice(&std::fs::read(&fake.key_file).expect("key")).expect("json");
    let pem = key["private_key"].as_str().expect("pem");
    let body = pem.lines().nth(1).expect("a base64 line");
    assert!(!out.contains(body) && !err.contains(body) && !err.contains("ya29"));
}

#[test]
fn gcp_failing_after_three_writes_loses_nothing_and_a_rerun_finishes() {
    let Some(fake) = GcpFake::start(&["--fail-after-writes", "3"]) else {
        return;
    };
    let repo = Repo::seed();
    let (out, err) = fails_after_three_writes(&repo, "gcp", &fake.env(), &|| fake.values());
    assert!(
        err.contains("UNAVAILABLE") || out.contains("UNAVAILABLE"),
        "{out}\n{err}"
    );

    let Some(fake2) = GcpFake::start(&[]) else { return };
    rerun_finishes(&repo, "gcp", &fake2.env());
}

#[test]
fn gcp_killed_at_every_failpoint_loses_nothing() {
    let Some(fake) = GcpFake::start(&[]) else { return };
    let stored = |_: &Path| fake.values();
    crate::migrate_stores::kill_matrix(&["gcp"], &fake.env(), &stored);
}

/// A teammate's fresh clone: `leakless run` reads the values with only their credentials (the
/// project comes from the committed map).
#[test]
fn run_in_a_fresh_clone_reads_gcp() {
    let Some(fake) = GcpFake::start(&[]) else { return };
    let repo = Repo::seed();
    let (_dir, clone) = crate::run_env::migrate_commit_clone(&repo, &["--to", "gcp"], &fake.env());
    let creds: Vec<(&str, String)> = fake
        .env()
        .into_iter()
        .filter(|(k, _)| *k != "GOOGLE_CLOUD_PROJECT")
        .collect();
    let (code, out, err) =
        crate::migrate::run_in(&clone, &["run", "--", "printenv", "OPENAI_API_KEY"], &creds);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(out, format!("{}\n", crate::run_env::openai_key()));
    // With an access token instead of the key file.
    let token: Vec<(&str, String)> = vec![
        ("GOOGLE_OAUTH_ACCESS_TOKEN", TOKEN.to_string()),
        ("CLOUDSDK_API_ENDPOINT_OVERRIDES_SECRETMANAGER", fake.url.clone()),
    ];
    let (code, out, _) = crate::migrate::run_in(&clone, &["env", "--format", "json"], &token);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["OPENAI_API_KEY"], crate::run_env::openai_key());
    // A refused token: exit 2, nothing run.
    let bad = vec![
        ("GOOGLE_OAUTH_ACCESS_TOKEN", "ya29.revoked".to_string()),
        ("CLOUDSDK_API_ENDPOINT_OVERRIDES_SECRETMANAGER", fake.url.clone()),
    ];
    let (code, out, err) = crate::migrate::run_in(&clone, &["run", "--", "echo", "ran"], &bad);
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(!out.contains("ran") && !err.contains("ya29"), "{out}\n{err}");
}

/// The endpoint in a committed map is followed to a loopback test server (as to Google), but a
/// map edited to point elsewhere is refused before any credential is used.
#[test]
fn the_map_cannot_send_the_token_to_another_server() {
    let Some(fake) = GcpFake::start(&[]) else { return };
    let repo = Repo::seed();
    let (_dir, clone) = crate::run_env::migrate_commit_clone(&repo, &["--to", "gcp"], &fake.env());
    // Only the key file: project and endpoint come from the map.
    let creds: Vec<(&str, String)> = fake
        .env()
        .into_iter()
        .filter(|(k, _)| *k == "GOOGLE_APPLICATION_CREDENTIALS" || *k == "CLOUDSDK_CONFIG")
        .collect();
    let (code, out, err) =
        crate::migrate::run_in(&clone, &["run", "--", "printenv", "OPENAI_API_KEY"], &creds);
    assert_eq!(
        (code, out),
        (0, format!("{}\n", crate::run_env::openai_key())),
        "{err}"
    );
    let grants = fake.state()["jwtGrants"].as_u64().expect("n");
    let map_file = clone.join(".leakless/secrets.toml");
    let map = std::fs::read_to_string(&map_file).expect("map");
    std::fs::write(
        &map_file,
        map.replace(&fake.url, "https://collector.evil.example"),
    )
    .expect("edit");
    let (code, out, err) = crate::migrate::run_in(&clone, &["run", "--", "echo", "ran"], &creds);
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(
        err.contains("not a Google endpoint") && !out.contains("ran"),
        "{err}"
    );
    assert_eq!(
        fake.state()["jwtGrants"].as_u64(),
        Some(grants),
        "no token was even minted"
    );
    // The user can still choose that endpoint explicitly (here: the real stand-in again).
    let mut explicit = creds.clone();
    explicit.push(("CLOUDSDK_API_ENDPOINT_OVERRIDES_SECRETMANAGER", fake.url.clone()));
    let (code, _, err) = crate::migrate::run_in(&clone, &["run", "--", "true"], &explicit);
    assert_eq!(code, 0, "{err}");
}

/// On a Google Cloud runtime with no other credentials, the metadata server's token and project
/// are used (`GCE_METADATA_HOST` points at the stand-in's metadata routes).
#[test]
fn the_metadata_server_gives_token_and_project() {
    let Some(fake) = GcpFake::start(&[]) else { return };
    let repo = Repo::seed();
    let host = fake.url.trim_start_matches("http://").to_string();
    let env: Vec<(&str, String)> = vec![
        ("GCE_METADATA_HOST", host),
        ("CLOUDSDK_API_ENDPOINT_OVERRIDES_SECRETMANAGER", fake.url.clone()),
        ("CLOUDSDK_CONFIG", fake.server.dir().display().to_string()),
    ];
    let (code, out, err) = run_env(&repo, &["migrate", "--to", "gcp", "--apply"], &env);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains(&format!("--project={PROJECT}")), "{out}");
    let st = fake.state();
    assert_eq!(st["metadataGrants"], 1);
    assert_eq!(
        (st["jwtGrants"].as_u64(), st["refreshGrants"].as_u64()),
        (Some(0), Some(0))
    );
    assert_eq!(fake.values().len(), 8);
    // Without it (and without any credentials, even on a Google Cloud CI machine): a clear
    // error, exit 2, nothing moved.
    let repo = Repo::seed();
    let mut none = env[1..].to_vec();
    none.push(("NO_GCE_CHECK", "True".into()));
    let (code, _, err) = run_env(&repo, &["migrate", "--to", "gcp", "--apply"], &none);
    assert_eq!(code, 2);
    assert!(err.contains("needs credentials"), "{err}");
}

/// End to end: `--check-store` reads without writing; `--apply` leaves a conflicting secret (and
/// its file) alone; `--apply --overwrite` adds a version, keeping the old one.
#[test]
fn migrate_checks_and_respects_conflicts_in_gcp() {
    let Some(fake) = GcpFake::start(&[]) else { return };
    let repo = Repo::seed();
    let openai = crate::run_env::openai_key();
    fake.sdk(
        "for sid, val in [('shop--dev--OPENAI_API_KEY', os.environ['OPENAI']), ('shop--dev--SESSION_SECRET', \"someone else's\")]:\n\
         \x20   c.create_secret(request={'parent': P, 'secret_id': sid, 'secret': {'replication': {'automatic': {}}}})\n\
         \x20   c.add_secret_version(request={'parent': P + '/secrets/' + sid, 'payload': {'data': val.encode()}})\n",
        &[("OPENAI", &openai)],
    );
    let before = repo.snapshot();
    let (code, out, err) = run_env(
        &repo,
        &["migrate", "--to", "gcp", "--check-store", "--format", "json"],
        &fake.env(),
    );
    assert_eq!(code, 0, "{out}\n{err}");
    let v: Value = serde_json::from_str(&out).expect("json");
    let in_store = |key: &str| {
        v["secrets"]
            .as_array()
            .expect("s")
            .iter()
            .find(|s| s["key"] == key)
            .and_then(|s| s["in_store"].as_str().map(str::to_string))
            .unwrap_or_default()
    };
    assert_eq!(in_store("OPENAI_API_KEY"), "same value", "{v:#}");
    assert!(in_store("SESSION_SECRET").starts_with("different value"), "{v:#}");
    assert_eq!(in_store("DATABASE_URL"), "absent");
    assert_eq!(fake.state()["writes"], 2, "nothing written by the dry run");
    assert_eq!(before, repo.snapshot(), "nothing changed in the repository");

    let (code, out, err) = run_env(&repo, &["migrate", "--to", "gcp", "--apply"], &fake.env());
    assert_eq!(code, 1, "a conflict remains: {out}\n{err}");
    assert!(out.contains("[CONFLICT] SESSION_SECRET"), "{out}");
    assert_eq!(
        fake.latest("shop--dev--SESSION_SECRET").as_deref(),
        Some("someone else's")
    );
    let session = repo
        .secrets
        .iter()
        .find(|(p, s)| {
            p.starts_with(".env.dev") && repo.read(".env.dev").contains(&format!("SESSION_SECRET={s}"))
        })
        .map(|(_, s)| s.clone())
        .expect("the session secret is still in .env.dev");

    let (code, out, err) = run_env(
        &repo,
        &["migrate", "--to", "gcp", "--apply", "--overwrite"],
        &fake.env(),
    );
    assert_eq!(code, 0, "{out}\n{err}");
    let st = fake.state();
    let versions = st["secrets"]
        .as_array()
        .expect("s")
        .iter()
        .find(|s| s["id"] == "shop--dev--SESSION_SECRET")
        .expect("secret")["versions"]
        .clone();
    assert_eq!(versions[0]["value"], "someone else's", "the old version is kept");
    assert_eq!(versions[1]["value"], session.as_str());
    assert_eq!(run_env(&repo, &["scan", "."], &[]).0, 0);
}
