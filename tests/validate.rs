//! `--validate` and `leakless validate` against real servers: an OpenBao dev server (Vault
//! tokens, AppRole), moto (AWS STS), the Infisical stand-in (Universal Auth), and a local
//! self-signed HTTPS fake (tests/support/validate_fake.py) for the data-driven validators,
//! reached through the debug-build-only `LEAKLESS_TEST_ONLY_CA_FILE` / `..._RESOLVE` settings.
//! No test leaves 127.0.0.1.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::store_aws::Moto;
use crate::store_infisical::{InfisicalMock, CLIENT_ID, CLIENT_SECRET};
use crate::store_vault::OpenBao;
use crate::util::{external_tool, TestDir};

/// Environment variables that would point validation elsewhere: removed from every command.
const AMBIENT: &[&str] = &[
    "VAULT_ADDR",
    "BAO_ADDR",
    "VAULT_NAMESPACE",
    "BAO_NAMESPACE",
    "INFISICAL_API_URL",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_STS",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "HTTPS_PROXY",
    "https_proxy",
    "LEAKLESS_TEST_ONLY_CA_FILE",
    "LEAKLESS_TEST_ONLY_RESOLVE",
];

fn leakless(dir: &Path, env: &[(&str, String)]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_leakless"));
    c.current_dir(dir);
    for v in AMBIENT {
        c.env_remove(v);
    }
    for (k, v) in env {
        c.env(k, v);
    }
    c
}

/// The same command in a network namespace of its own (`unshare -n`: even 127.0.0.1 is down).
fn cut_off(dir: &Path, env: &[(&str, String)]) -> Option<Command> {
    let ok = Command::new("unshare")
        .args(["-n", "true"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var_os("LEAKLESS_REQUIRE_TOOLS").is_none(),
            "`unshare -n` does not work here (needs root or user namespaces)"
        );
        eprintln!("note: `unshare -n` unavailable; skipping the network-cut half");
        return None;
    }
    let mut c = Command::new("unshare");
    c.arg("-n").arg(env!("CARGO_BIN_EXE_leakless")).current_dir(dir);
    for v in AMBIENT {
        c.env_remove(v);
    }
    for (k, v) in env {
        c.env(k, v);
    }
    Some(c)
}

fn run(c: &mut Command) -> (i32, String, String) {
    let o = c.output().expect("run leakless");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn json_of(out: &str, err: &str) -> Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("bad JSON ({e}): {out}\nstderr: {err}"))
}

/// `rule_id -> validation.status` of a JSON report's findings.
fn statuses(report: &Value) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().expect("rule_id").to_string(),
                f["validation"]["status"].as_str().unwrap_or("-").to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

/// A token made by the root token (`auth/token/create`), and one made then revoked.
fn bao_tokens(bao: &OpenBao) -> (String, String) {
    let (s, v) = bao.api("POST", "auth/token/create", Some(&json!({"ttl": "1h"})));
    assert_eq!(s, 200, "{v}");
    let live = v["auth"]["client_token"].as_str().expect("token").to_string();
    let (s, v) = bao.api("POST", "auth/token/create", Some(&json!({"ttl": "1h"})));
    assert_eq!(s, 200, "{v}");
    let revoked = v["auth"]["client_token"].as_str().expect("token").to_string();
    let (s, v) = bao.api("POST", "auth/token/revoke", Some(&json!({ "token": revoked })));
    assert_eq!(s, 204, "{v}");
    assert!(
        live.starts_with("s.") && revoked.starts_with("s."),
        "OpenBao tokens start with s."
    );
    (live, revoked)
}

/// The "Done when": a repository with a live OpenBao token, a revoked one and an
/// Infisical client id/secret pair, scanned with --validate, reports live/dead/live in JSON and
/// SARIF; with the network cut it reports `error` (never `dead`) and the same exit code.
#[test]
fn done_when_live_revoked_and_infisical_pair() {
    let Some(bao) = OpenBao::start() else { return };
    let infisical = InfisicalMock::start(&[]);
    let (live, revoked) = bao_tokens(&bao);
    let dir = TestDir::new();
    dir.create("deploy/run.sh", format!("export VAULT_TOKEN={live}\n"));
    dir.create("deploy/old/run.sh", format!("export VAULT_TOKEN={revoked}\n"));
    dir.create(
        "config/infisical.sh",
        format!("export INFISICAL_CLIENT_ID={CLIENT_ID}\nexport INFISICAL_CLIENT_SECRET={CLIENT_SECRET}\n"),
    );
    let env = [
        ("VAULT_ADDR", bao.addr.clone()),
        ("INFISICAL_API_URL", infisical.url.clone()),
    ];
    let scan = ["scan", ".", "--validate", "--format"];
    let (code, out, err) = run(leakless(dir.path(), &env).args(scan).arg("json"));
    assert_eq!(code, 1, "{err}");
    let report = json_of(&out, &err);
    let by_path = |report: &Value, path: &str| -> String {
        report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .find(|f| f["locations"][0]["path"] == path)
            .unwrap_or_else(|| panic!("no finding in {path}: {report}"))["validation"]["status"]
            .as_str()
            .expect("status")
            .to_string()
    };
    assert_eq!(by_path(&report, "deploy/run.sh"), "live", "{report}");
    assert_eq!(by_path(&report, "deploy/old/run.sh"), "dead", "{report}");
    assert_eq!(by_path(&report, "config/infisical.sh"), "live", "{report}");
    assert!(
        !out.contains(&live) && !out.contains(CLIENT_SECRET),
        "no secret in the report"
    );
    let f = &report["findings"][0]["validation"];
    assert!(f["checked_at"].as_str().expect("checked_at").ends_with('Z'));
    assert!(f["detail"].as_str().expect("detail").contains("127.0.0.1"), "{f}");
    assert!(err.contains("validated 3 findings"), "{err}");

    let (code, out, err) = run(leakless(dir.path(), &env).args(scan).arg("sarif"));
    assert_eq!(code, 1, "{err}");
    let sarif = json_of(&out, &err);
    let mut got: Vec<(String, String)> = sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            (
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .expect("uri")
                    .to_string(),
                r["properties"]["validation"]["status"]
                    .as_str()
                    .expect("status")
                    .to_string(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("config/infisical.sh".to_string(), "live".to_string()),
            ("deploy/old/run.sh".into(), "dead".into()),
            ("deploy/run.sh".into(), "live".into()),
        ]
    );
    // The Infisical identity logged in once; a wrong secret is dead.
    assert_eq!(
        infisical.state()["logins"],
        2,
        "one login per scan: {}",
        infisical.state()
    );

    // The same scan with the network cut: every check is an error, none is dead, same exit code.
    if let Some(mut c) = cut_off(dir.path(), &env) {
        let (code, out, err) = run(c.args(scan).arg("json"));
        assert_eq!(code, 1, "exit code unchanged: {err}");
        let report = json_of(&out, &err);
        let got = statuses(&report);
        assert_eq!(got.len(), 3, "{report}");
        assert!(got.iter().all(|(_, s)| s == "error"), "{got:?}");
    }
}

#[test]
fn infisical_wrong_secret_is_dead_and_a_missing_id_is_unknown() {
    let infisical = InfisicalMock::start(&[]);
    let dir = TestDir::new();
    let env = [("INFISICAL_API_URL", infisical.url.clone())];
    let wrong = "0".repeat(64);
    let (code, out, err) = run(leakless(dir.path(), &env).args([
        "validate",
        "--rule",
        "infisical-universal-auth-client-secret",
        &wrong,
        "--component",
        &format!("client_id={CLIENT_ID}"),
    ]));
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains(": dead ("), "{out}");
    let (code, out, _) = run(leakless(dir.path(), &env).args([
        "validate",
        "--rule",
        "infisical-universal-auth-client-secret",
        CLIENT_SECRET,
    ]));
    assert_eq!(code, 1);
    assert!(
        out.contains("unknown") && out.contains("--component client_id"),
        "{out}"
    );
    // The secret from standard input (`-`), the id as a component: live, exit 0.
    let mut c = leakless(dir.path(), &env);
    c.args([
        "validate",
        "--rule",
        "infisical-universal-auth-client-secret",
        "-",
        "--component",
        &format!("client_id={CLIENT_ID}"),
        "--format",
        "json",
    ])
    .stdin(Stdio::piped())
    .stdout(Stdio::piped());
    let mut child = c.spawn().expect("spawn");
    std::io::Write::write_all(
        &mut child.stdin.take().expect("stdin"),
        format!("{CLIENT_SECRET}\n").as_bytes(),
    )
    .expect("write");
    let o = child.wait_with_output().expect("wait");
    let v: Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["validation"]["status"], "live", "{v}");
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn vault_token_and_approle_against_openbao() {
    let Some(mut bao) = OpenBao::start() else { return };
    let (live, revoked) = bao_tokens(&bao);
    let (role_id, secret_id) = bao.approle("path \"secret/*\" { capabilities = [\"read\"] }");
    let dir = TestDir::new();
    let env = [("VAULT_ADDR", bao.addr.clone())];
    let check = |rule: &str, secret: &str, comps: &[String], env: &[(&str, String)]| {
        let mut c = leakless(dir.path(), env);
        c.args(["validate", "--rule", rule, secret]);
        for comp in comps {
            c.args(["--component", comp]);
        }
        run(&mut c)
    };
    let (code, out, _) = check("vault-legacy-service-token", &live, &[], &env);
    assert_eq!((code, out.contains(": live (")), (0, true), "{out}");
    let (code, out, _) = check("vault-legacy-service-token", &revoked, &[], &env);
    assert_eq!((code, out.contains(": dead (")), (1, true), "{out}");
    let role = format!("role_id={role_id}");
    let (code, out, _) = check(
        "vault-approle-secret-id",
        &secret_id,
        std::slice::from_ref(&role),
        &env,
    );
    assert_eq!((code, out.contains(": live (")), (0, true), "{out}");
    let bad = "0e004b50-abf4-4b88-950b-43478e509e4e";
    let (code, out, _) = check("vault-approle-secret-id", bad, std::slice::from_ref(&role), &env);
    assert_eq!((code, out.contains(": dead (")), (1, true), "{out}");
    // No address configured: unknown, and nothing is sent anywhere.
    let (code, out, _) = check("vault-legacy-service-token", &live, &[], &[]);
    assert_eq!(code, 1);
    assert!(out.contains("unknown") && out.contains("VAULT_ADDR"), "{out}");
    // BAO_ADDR works as VAULT_ADDR does.
    let (code, _, _) = check(
        "vault-legacy-service-token",
        &live,
        &[],
        &[("BAO_ADDR", bao.addr.clone())],
    );
    assert_eq!(code, 0);
    // The server gone: error (exit 2), never dead.
    bao.kill();
    let (code, out, _) = check("vault-legacy-service-token", &live, &[], &env);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains(": error (") && out.contains("connection failed"),
        "{out}"
    );
}

#[test]
fn aws_key_pair_by_sts_against_moto() {
    let Some(moto) = Moto::start_with_auth() else {
        return;
    };
    let dir = TestDir::new();
    let env = [("AWS_ENDPOINT_URL_STS", moto.endpoint.clone())];
    let id = format!("access_key_id={}", moto.access_key_id);
    let (code, out, err) = run(leakless(dir.path(), &env).args([
        "validate",
        "--rule",
        "aws-secret-access-key",
        &moto.secret_access_key,
        "--component",
        &id,
    ]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("STS GetCallerIdentity: accepted"), "{out}");
    let wrong: String = moto.secret_access_key.chars().rev().collect();
    let (code, out, _) = run(leakless(dir.path(), &env).args([
        "validate",
        "--rule",
        "aws-secret-access-key",
        &wrong,
        "--component",
        &id,
    ]));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains(": dead ("), "{out}");
    // In a scan: the pair is found in one file, the id paired with the secret.
    dir.create(
        "ci/aws.env.sh",
        format!(
            "AWS_ACCESS_KEY_ID={}\nAWS_SECRET_ACCESS_KEY={}\n",
            moto.access_key_id, moto.secret_access_key
        ),
    );
    let (_, out, err) = run(leakless(dir.path(), &env).args(["scan", "ci", "--validate", "-f", "json"]));
    let report = json_of(&out, &err);
    let got = statuses(&report);
    assert!(
        got.contains(&("aws-secret-access-key".to_string(), "live".to_string())),
        "{got:?}\n{err}"
    );
}

/// A throw-away CA and a server certificate for `hosts` (and 127.0.0.1), made with openssl.
pub(crate) struct Certs {
    _dir: tempfile::TempDir,
    pub(crate) ca: PathBuf,
    pub(crate) cert: PathBuf,
    pub(crate) key: PathBuf,
}

pub(crate) fn make_certs(hosts: &[&str]) -> Certs {
    let dir = tempfile::Builder::new()
        .prefix("leakless-ca-")
        .tempdir()
        .expect("tempdir");
    let p = |n: &str| dir.path().join(n);
    let openssl = |args: &[&str]| {
        let o = Command::new("openssl")
            .args(args)
            .current_dir(dir.path())
            .output()
            .expect("openssl");
        assert!(
            o.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    };
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let mut a = vec!["req", "-x509"];
    a.extend(ec);
    a.extend([
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=leakless test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign",
    ]);
    openssl(&a);
    let mut a = vec!["req"];
    a.extend(ec);
    a.extend(["-keyout", "srv.key", "-out", "srv.csr", "-subj", "/CN=fake"]);
    openssl(&a);
    let san: Vec<String> = hosts
        .iter()
        .map(|h| format!("DNS:{h}"))
        .chain(["IP:127.0.0.1".into()])
        .collect();
    std::fs::write(
        p("ext.cnf"),
        format!(
            "subjectAltName={}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
            san.join(",")
        ),
    )
    .expect("ext");
    openssl(&[
        "x509",
        "-req",
        "-in",
        "srv.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "srv.pem",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
    ]);
    Certs {
        ca: p("ca.pem"),
        cert: p("srv.pem"),
        key: p("srv.key"),
        _dir: dir,
    }
}

/// tests/support/validate_fake.py on a free port, killed on drop.
struct Fake {
    port: u16,
    /// The CONNECT proxy's port (started with [`Fake::with_proxy`]).
    proxy: Option<u16>,
    child: Child,
    certs: Certs,
}

impl Fake {
    fn start(hosts: &[&str]) -> Option<Self> {
        Self::spawn(hosts, false)
    }

    fn with_proxy(hosts: &[&str]) -> Option<Self> {
        Self::spawn(hosts, true)
    }

    fn spawn(hosts: &[&str], proxy: bool) -> Option<Self> {
        let python = external_tool("LEAKLESS_TEST_PYTHON")?;
        let certs = make_certs(hosts);
        let mut child = Command::new(python)
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/support/validate_fake.py"
            ))
            .arg("--cert")
            .arg(&certs.cert)
            .arg("--key")
            .arg(&certs.key)
            .args(if proxy { &["--proxy"][..] } else { &[] })
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the HTTPS fake");
        let mut out = BufReader::new(child.stdout.take().expect("stdout"));
        let mut port_of = |word: &str| -> u16 {
            let mut line = String::new();
            out.read_line(&mut line).expect("a line from the fake");
            line.strip_prefix(word)
                .and_then(|p| p.trim().parse().ok())
                .unwrap_or_else(|| panic!("fake did not start: {line:?}"))
        };
        let port = port_of("READY ");
        let proxy = proxy.then(|| port_of("PROXY "));
        Some(Self {
            port,
            proxy,
            child,
            certs,
        })
    }

    /// The test-only trust settings: our CA, and `hosts` resolved to the fake.
    fn env(&self, hosts: &[&str]) -> Vec<(&'static str, String)> {
        let resolve: Vec<String> = hosts
            .iter()
            .map(|h| format!("{h}=127.0.0.1:{}", self.port))
            .collect();
        vec![
            ("LEAKLESS_TEST_ONLY_CA_FILE", self.certs.ca.display().to_string()),
            ("LEAKLESS_TEST_ONLY_RESOLVE", resolve.join(",")),
        ]
    }

    /// `"<host> <credential>" -> requests` so far.
    fn counts(&self) -> serde_json::Map<String, Value> {
        let out = Command::new("curl")
            .args(["-s", "--cacert"])
            .arg(&self.certs.ca)
            .arg(format!("https://127.0.0.1:{}/__counts", self.port))
            .output()
            .expect("curl");
        let v: Value = serde_json::from_slice(&out.stdout).expect("counts JSON");
        v.as_object().expect("object").clone()
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A config with one rule per host, each with a data validator on that host.
fn config(hosts: &[&str]) -> String {
    let mut t = String::new();
    for (i, h) in hosts.iter().enumerate() {
        t.push_str(&format!(
            "[[rules]]\nid = \"fake{i}\"\nregex = '''\\b(tok{i}_(?:live|dead|slow|ratelimit|malformed|broken)-[a-z0-9]+)'''\nsecretGroup = 1\nkeywords = [\"tok{i}_\"]\n\
             [rules.validate]\nurl = \"https://{h}/me\"\nheaders = {{ Authorization = \"Bearer {{{{secret}}}}\" }}\n\
             [rules.validate.live]\nstatus = [200]\njson = {{ \"/ok\" = true }}\n[rules.validate.dead]\nstatus = [401]\n\n"
        ));
    }
    t
}

#[test]
fn data_validators_over_https_every_kind_of_answer() {
    let hosts = ["api.fake-one.test"];
    let Some(fake) = Fake::start(&hosts) else { return };
    let dir = TestDir::new();
    dir.create(".leakless.toml", config(&hosts));
    let kinds = ["live", "dead", "slow", "ratelimit", "malformed", "broken"];
    let body: String = kinds.iter().map(|k| format!("x = tok0_{k}-abc123\n")).collect();
    dir.create("app.txt", &body);
    let mut env = fake.env(&hosts);
    // Without --trust-config-validators the repository's own validators do not run.
    let (code, out, err) = run(leakless(dir.path(), &env).args(["scan", ".", "--validate", "-f", "json"]));
    assert_eq!(code, 1, "{err}");
    let report = json_of(&out, &err);
    for f in report["findings"].as_array().expect("findings") {
        assert_eq!(f["validation"]["status"], "unknown", "{f}");
        assert!(f["validation"]["detail"]
            .as_str()
            .expect("valid in this test")
            .contains("--trust-config-validators"));
    }
    assert!(fake.counts().is_empty(), "nothing was sent: {:?}", fake.counts());
    // Trusted, with a 3 s global timeout (the slow answer takes 30 s).
    let t = Instant::now();
    let trusted = |env: &[(&str, String)], extra: &[&str]| {
        let mut c = leakless(dir.path(), env);
        c.args(["scan", ".", "--validate", "--trust-config-validators"]);
        c.args(["--validation-timeout", "3"]).args(extra);
        run(&mut c)
    };
    let (_, out, err) = trusted(&env, &["-f", "json"]);
    assert!(
        t.elapsed() < Duration::from_secs(10),
        "the global timeout holds: {:?}",
        t.elapsed()
    );
    let report = json_of(&out, &err);
    let by_secret = |k: &str| -> (String, String) {
        let line = kinds.iter().position(|x| *x == k).expect("kind") + 1;
        let f = report["findings"]
            .as_array()
            .expect("valid in this test")
            .iter()
            .find(|f| f["locations"][0]["line"] == line)
            .unwrap_or_else(|| panic!("{k}: {report}"));
        (
            f["validation"]["status"]
                .as_str()
                .expect("valid in this test")
                .to_string(),
            f["validation"]["detail"]
                .as_str()
                .expect("valid in this test")
                .to_string(),
        )
    };
    assert_eq!(by_secret("live").0, "live");
    assert_eq!(by_secret("dead").0, "dead");
    let (s, d) = by_secret("slow");
    assert_eq!(s, "error", "a timeout is an error: {d}");
    let (s, d) = by_secret("ratelimit");
    assert_eq!(s, "live", "retried after Retry-After: {d}");
    let (s, d) = by_secret("malformed");
    assert_eq!(s, "unknown", "{d}");
    assert!(d.contains("not the JSON expected"), "{d}");
    assert_eq!(by_secret("broken").0, "error");
    // --only-live and --fail-on live.
    let (code, out, err) = trusted(&env, &["--only-live", "--fail-on", "live", "-f", "json"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        json_of(&out, &err)["findings"]
            .as_array()
            .expect("valid in this test")
            .len(),
        2,
        "live and ratelimit"
    );
    std::fs::write(dir.path().join("app.txt"), "x = tok0_dead-zzz\n").expect("valid in this test");
    let (code, _, err) = trusted(&env, &["--fail-on", "live"]);
    assert_eq!(code, 0, "a dead finding does not fail --fail-on live: {err}");
    // Without the test CA the fake's certificate is refused: error, never dead.
    env.retain(|(k, _)| *k != "LEAKLESS_TEST_ONLY_CA_FILE");
    let (_, out, err) = trusted(&env, &["-f", "json"]);
    let report = json_of(&out, &err);
    assert_eq!(report["findings"][0]["validation"]["status"], "error", "{report}");
    let detail = report["findings"][0]["validation"]["detail"]
        .as_str()
        .expect("detail");
    assert!(
        detail.contains("not trusted") || detail.contains("connection failed"),
        "{detail}"
    );
}

#[test]
fn builtin_validators_reach_only_their_pinned_host() {
    let hosts = [
        "api.github.com",
        "api.openai.com",
        "slack.com",
        "api.doppler.com",
        "api.twilio.com",
    ];
    let Some(fake) = Fake::start(&hosts) else { return };
    let dir = TestDir::new();
    let env = fake.env(&hosts);
    let sid = "ACc1c1b08e275da897c16df09803ed414e"; // leakless:allow
    for (rule, secret, want) in [
        ("github-pat-classic", "live-ghp", 0),
        ("openai-project-api-key", "dead-openai", 1),
        ("slack-bot-token", "live-slack", 0),
        ("doppler-service-token", "live-doppler", 0),
    ] {
        let (code, out, err) = run(leakless(dir.path(), &env).args(["validate", "--rule", rule, secret]));
        assert_eq!(code, want, "{rule}: {out}{err}");
    }
    // Twilio: the account SID is a component, given by name or by the rule it comes from.
    for comp in [format!("account_sid={sid}"), format!("twilio-account-sid={sid}")] {
        let (code, out, _) = run(leakless(dir.path(), &env).args([
            "validate",
            "--rule",
            "twilio-auth-token",
            "live-twilio",
            "--component",
            &comp,
        ]));
        assert_eq!(code, 0, "{out}");
    }
    // In a scan the SID comes from the finding of `twilio-account-sid` in the same file (the
    // fake answers 403 to a token it does not know: unknown, but it was sent with its SID).
    let token = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"; // leakless:allow
    dir.create(
        "twilio.env.sh",
        format!("TWILIO_ACCOUNT_SID={sid}\nTWILIO_AUTH_TOKEN={token}\n"),
    );
    let (_, out, err) =
        run(leakless(dir.path(), &env).args(["scan", "twilio.env.sh", "--validate", "-f", "json"]));
    let report = json_of(&out, &err);
    let twilio = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule_id"] == "twilio-auth-token")
        .unwrap_or_else(|| panic!("{report}"));
    assert_eq!(twilio["validation"]["status"], "unknown", "{twilio}");
    assert!(
        twilio["validation"]["detail"]
            .as_str()
            .expect("detail")
            .contains("HTTP 403"),
        "{twilio}"
    );
    let counts = fake.counts();
    for (key, n) in [
        ("api.github.com live-ghp", 1),
        ("api.openai.com dead-openai", 1),
        ("slack.com live-slack", 1),
        ("api.doppler.com live-doppler", 1),
        ("api.twilio.com live-twilio", 2),
        (&*format!("api.twilio.com {token}"), 1),
    ] {
        assert_eq!(counts.get(key), Some(&json!(n)), "{key}: {counts:?}");
    }
    assert_eq!(counts.len(), 6, "nothing else was sent: {counts:?}");
}

/// `HTTPS_PROXY` carries validation requests (a CONNECT tunnel; the proxy sees the host only).
#[test]
fn https_proxy_is_used() {
    let Some(fake) = Fake::with_proxy(&["api.github.com"]) else {
        return;
    };
    let dir = TestDir::new();
    let proxy = fake.proxy.expect("proxy port");
    let env = [
        ("LEAKLESS_TEST_ONLY_CA_FILE", fake.certs.ca.display().to_string()),
        ("HTTPS_PROXY", format!("http://127.0.0.1:{proxy}")),
    ];
    let (code, out, err) =
        run(leakless(dir.path(), &env).args(["validate", "--rule", "github-pat-classic", "live-via-proxy"]));
    assert_eq!(code, 0, "{out}{err}");
    let counts = fake.counts();
    assert_eq!(
        counts.get("CONNECT api.github.com:443"),
        Some(&json!(1)),
        "{counts:?}"
    );
    assert_eq!(
        counts.get("api.github.com live-via-proxy"),
        Some(&json!(1)),
        "{counts:?}"
    );
}

/// 1,000 findings over 8 validators on 8 hosts: within the global timeout, every secret sent
/// exactly once (each secret is in two files), and a second run with the cache sends nothing.
#[test]
fn a_thousand_findings_eight_validators_each_secret_once() {
    let hosts: Vec<String> = (0..8).map(|i| format!("v{i}.fake.test")).collect();
    let hosts: Vec<&str> = hosts.iter().map(String::as_str).collect();
    let Some(fake) = Fake::start(&hosts) else { return };
    let dir = TestDir::new();
    dir.create(".leakless.toml", config(&hosts));
    let mut body = String::new();
    for n in 0..1000 {
        body.push_str(&format!("k = tok{}_live-{n:04}\n", n % 8));
    }
    dir.create("a/secrets.txt", &body);
    dir.create("b/secrets.txt", &body);
    let env = fake.env(&hosts);
    let cache = dir.path().join("cache.json");
    let args = [
        "scan",
        ".",
        "--validate",
        "--trust-config-validators",
        "--validation-timeout",
        "60",
        "--validation-cache",
    ];
    let t = Instant::now();
    let (code, out, err) = run(leakless(dir.path(), &env)
        .args(args)
        .arg(&cache)
        .args(["-f", "json"]));
    let elapsed = t.elapsed();
    assert_eq!(code, 1, "{err}");
    assert!(elapsed < Duration::from_secs(60), "{elapsed:?}");
    let report = json_of(&out, &err);
    let found = report["findings"].as_array().expect("findings");
    assert_eq!(found.len(), 1000);
    // The fake saw `Bearer tokN_live-...`: it counts by the whole credential.
    let counts = fake.counts();
    assert_eq!(counts.len(), 1000, "1,000 distinct secrets reached the fake");
    assert!(counts.values().all(|c| c == 1), "a secret was sent twice");
    assert!(
        err.contains("1000 checks, 0 from the cache, 1000 requests"),
        "{err}"
    );
    eprintln!("1000 findings, 8 validators: {elapsed:?}");
    let cached = std::fs::read_to_string(&cache).expect("cache");
    assert!(
        !cached.contains("tok0_") && !cached.contains("live-0"),
        "the cache holds no secret"
    );
    let (_, _, err) = run(leakless(dir.path(), &env).args(args).arg(&cache));
    assert!(err.contains("1000 from the cache, 0 requests"), "{err}");
    assert!(
        fake.counts().values().all(|c| c == 1),
        "the cache sent nothing again"
    );
}

/// `scan` without --validate opens no connection: the same output with the network cut.
#[test]
fn scan_without_validate_needs_no_network() {
    let Some(bao) = OpenBao::start() else { return };
    let (live, _) = bao_tokens(&bao);
    let dir = TestDir::new();
    dir.create("run.sh", format!("export VAULT_TOKEN={live}\n"));
    let env = [("VAULT_ADDR", bao.addr.clone())];
    let strip = |out: &str, err: &str| {
        let mut v = json_of(out, err);
        v["stats"]["elapsed_ms"] = json!(0);
        v
    };
    let (code, out, err) = run(leakless(dir.path(), &env).args(["scan", ".", "-f", "json"]));
    assert_eq!(code, 1);
    let normal = strip(&out, &err);
    assert!(
        !out.contains("validation"),
        "no validation field without --validate"
    );
    let Some(mut c) = cut_off(dir.path(), &env) else {
        return;
    };
    let (code2, out2, err2) = run(c.args(["scan", ".", "-f", "json"]));
    assert_eq!(code2, code);
    assert_eq!(strip(&out2, &err2), normal);
    let (code, text, _) = run(leakless(dir.path(), &env).args(["scan", ".", "--color", "never"]));
    let mut c = cut_off(dir.path(), &env).expect("checked above");
    let (code2, text2, _) = run(c.args(["scan", ".", "--color", "never"]));
    assert_eq!(code, code2);
    let no_time = |s: &str| {
        s.lines()
            .filter(|l| !l.contains(" in "))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(no_time(&text), no_time(&text2));
}

#[test]
fn rules_list_validators_counts_forty_providers() {
    let dir = TestDir::new();
    let (code, out, _) = run(leakless(dir.path(), &[]).args(["rules", "list", "--validators", "-f", "json"]));
    assert_eq!(code, 0);
    let list: Value = serde_json::from_str(&out).expect("json");
    let mut providers: Vec<&str> = list
        .as_array()
        .expect("array")
        .iter()
        .map(|r| r["provider"].as_str().expect("provider"))
        .collect();
    providers.sort_unstable();
    providers.dedup();
    assert!(
        providers.len() >= 40,
        "{} providers: {providers:?}",
        providers.len()
    );
    for p in [
        "github",
        "gitlab",
        "slack",
        "stripe",
        "openai",
        "anthropic",
        "sendgrid",
        "twilio",
        "npm",
        "pypi",
        "docker",
        "datadog",
        "heroku",
        "aws",
        "doppler",
        "infisical",
        "hashicorp-vault",
    ] {
        assert!(providers.contains(&p), "{p} has no validator: {providers:?}");
    }
    for r in list.as_array().expect("valid in this test") {
        let to = r["sends_to"].as_str().expect("valid in this test");
        assert!(
            r["kind"] != "http" || to.split(' ').nth(1).is_some_and(|u| u.starts_with("https://")),
            "{r}"
        );
    }
}

/// A repository's config cannot point a built-in validator elsewhere, and its own validators
/// must name an HTTPS host literally.
#[test]
fn config_validators_are_checked_at_load() {
    let dir = TestDir::new();
    for (bad, why) in [
        ("url = \"http://evil.example/x\"", "https://"),
        ("url = \"https://{{secret}}.evil.example/x\"", "host"),
        ("url = \"https://ok.example/x\"\nmethod = \"DELETE\"", "method"),
    ] {
        dir.create(
            "cfg.toml",
            format!(
                "[[rules]]\nid = \"x\"\nregex = '''zz([a-z]{{8}})'''\n[rules.validate]\n{bad}\n[rules.validate.live]\nstatus = [200]\n"
            ),
        );
        let (code, _, err) = run(leakless(dir.path(), &[]).args(["rules", "list", "-c", "cfg.toml"]));
        assert_eq!(code, 2, "{bad}");
        assert!(err.contains(why), "{bad}: {err}");
    }
}
