//! `leakless migrate` on committed Kubernetes `Secret` manifests: every key (base64 `data` and
//! `stringData`) goes to the store and the Secret's document becomes an `ExternalSecret`
//! (OpenBao), a `VaultStaticSecret` (`--k8s-operator vso`) or an `InfisicalSecret` (the Infisical
//! stand-in). Each produced resource is validated against the operators' published CRD schema
//! fragments (tests/data/crds, strict like `kubectl apply --validate=strict`) with Python
//! `jsonschema`, and a broken resource must fail that validation. Also: the other documents keep
//! their bytes, binary values and stores without an operator are manual steps, Helm values name
//! the template that reads them, hostile YAML is bounded, and `kill -9` loses nothing.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use serde_yaml_ng::Value as Yaml;

use crate::migrate::{run_env, spawn_paused, Repo};
use crate::store_infisical::InfisicalMock;
use crate::store_vault::OpenBao;
use crate::util::external_tool;

const VALIDATOR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/validate_crd.py");

const PASSWORD: &str = "Zr8pQ2vX9mLk4TnW";
const DB_URL: &str = "postgres://admin:Zr8pQ2vX9mLk4TnW@db.internal:5432/shop";
const API_TOKEN: &str = "tok-7f3a9c2e51b84d06a1e4";

const HEAD: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-config\n  namespace: shop\ndata:\n  LOG_LEVEL: info\n---\n";
const TAIL: &str = "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: shop\n  namespace: shop\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        envFrom:\n        - secretRef:\n            name: db-creds\n";

fn b64(s: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(s)
}

/// A manifest file: a ConfigMap, the Secret, a Deployment. The Secret has base64 `data`
/// (one value a rule finds, one it does not), `stringData` overriding a `data` key, a multi-line
/// value, a type, labels, and a last-applied annotation that repeats a value.
fn secret_doc() -> String {
    format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db-creds\n  namespace: shop\n  labels:\n    app: shop\n  annotations:\n    team: payments\n    kubectl.kubernetes.io/last-applied-configuration: '{{\"stringData\":{{\"password\":\"{PASSWORD}\"}}}}'\ntype: kubernetes.io/basic-auth\ndata:\n  username: {}\n  password: {}\n  ca.crt: {}\nstringData:\n  DATABASE_URL: {DB_URL}\n  api-token: {}\n",
        b64("admin"),
        b64("overridden-below"),
        b64("-----BEGIN CERT-----\nabc\n-----END CERT-----\n"),
        API_TOKEN,
    )
    .replace(
        "stringData:\n",
        &format!("stringData:\n  password: \"{PASSWORD}\"\n"),
    )
}

fn manifest() -> String {
    format!("{HEAD}{}{TAIL}", secret_doc())
}

/// What the Secret holds, key → value, as the API server would (stringData wins).
fn expected() -> BTreeMap<&'static str, String> {
    BTreeMap::from([
        ("username", "admin".to_string()),
        ("password", PASSWORD.to_string()),
        (
            "ca.crt",
            "-----BEGIN CERT-----\nabc\n-----END CERT-----\n".to_string(),
        ),
        ("DATABASE_URL", DB_URL.to_string()),
        ("api-token", API_TOKEN.to_string()),
    ])
}

fn repo() -> Repo {
    Repo::from_files(&[("k8s/prod/app.yaml", &manifest()), ("README.md", "shop\n")])
}

/// Runs the CRD validator on `file`: (exit code, output). `None` when Python is not installed
/// (fails under LEAKLESS_REQUIRE_TOOLS).
fn validate(file: &Path) -> Option<(i32, String)> {
    let python = external_tool("LEAKLESS_TEST_PYTHON")?;
    let out = Command::new(python)
        .arg(VALIDATOR)
        .arg(file)
        .output()
        .expect("python runs");
    Some((
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    ))
}

/// Asserts `file` validates and that breaking the resource makes it fail.
fn assert_schema_valid(file: &Path, kind: &str, break_it: &dyn Fn(&str) -> String) {
    let Some((code, out)) = validate(file) else { return };
    assert_eq!(code, 0, "{kind} is schema-valid:\n{out}");
    assert!(out.contains("validated 1 resource(s), 0 error(s)"), "{out}");
    let text = std::fs::read_to_string(file).expect("read");
    let broken = file.with_extension("broken.yaml");
    std::fs::write(&broken, break_it(&text)).expect("write");
    let (code, out) = validate(&broken).expect("python");
    assert_eq!(code, 1, "a broken {kind} fails validation:\n{out}");
}

/// The document of `kind` in a multi-document YAML text.
fn doc_of(text: &str, kind: &str) -> Yaml {
    serde_yaml_ng::Deserializer::from_str(text)
        .map(|d| <Yaml as serde::Deserialize>::deserialize(d).expect("YAML"))
        .find(|d| d["kind"].as_str() == Some(kind))
        .unwrap_or_else(|| panic!("no {kind} in:\n{text}"))
}

fn s(v: &Yaml) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v:?}"))
}

/// The file is the ConfigMap's bytes, then the resource, then the Deployment's bytes.
fn assert_rest_unchanged(text: &str) {
    assert!(
        text.starts_with(HEAD),
        "documents before the Secret keep their bytes:\n{text}"
    );
    assert!(
        text.ends_with(TAIL),
        "documents after it keep their bytes:\n{text}"
    );
    assert!(!text.contains("kind: Secret\n"), "{text}");
    for v in expected().values() {
        assert!(
            !text.contains(v.as_str()),
            "no value is left in the manifest:\n{text}"
        );
        assert!(!text.contains(&b64(v)), "no base64 value is left in the manifest");
    }
}

fn vault_env(bao: &OpenBao) -> [(&'static str, String); 2] {
    [
        ("VAULT_ADDR", bao.addr.clone()),
        ("VAULT_TOKEN", bao.root_token.clone()),
    ]
}

/// `migrate --to vault --apply <extra>` into `bao`; asserts exit 0 and no value printed.
fn apply_vault(bao: &OpenBao, repo: &Repo, extra: &[&str]) -> String {
    let mut args = vec!["migrate", "--to", "vault", "--apply"];
    args.extend_from_slice(extra);
    let (code, out, err) = run_env(repo, &args, &vault_env(bao));
    assert_eq!(code, 0, "{out}\n{err}");
    for v in expected().values() {
        assert!(
            !out.contains(v.as_str()) && !err.contains(v.as_str()),
            "no value printed"
        );
    }
    out
}

fn want() -> BTreeMap<String, String> {
    expected().into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

#[test]
fn secret_becomes_a_schema_valid_external_secret_with_values_in_openbao() {
    let Some(bao) = OpenBao::start() else { return };
    let repo = repo();
    let out = apply_vault(
        &bao,
        &repo,
        &[
            "--k8s-secret-store",
            "vault-backend",
            "--k8s-store-kind",
            "ClusterSecretStore",
        ],
    );
    assert!(out.contains("Secret db-creds → ExternalSecret"), "{out}");
    assert!(
        out.contains("create the ClusterSecretStore `vault-backend` (provider vault with your server, path: secret, version: v2)"),
        "{out}"
    );
    let text = repo.read("k8s/prod/app.yaml");
    assert_rest_unchanged(&text);
    let es = doc_of(&text, "ExternalSecret");
    assert_eq!(s(&es["apiVersion"]), "external-secrets.io/v1");
    assert_eq!(s(&es["metadata"]["name"]), "db-creds");
    assert_eq!(s(&es["metadata"]["namespace"]), "shop");
    let spec = &es["spec"];
    assert_eq!(s(&spec["secretStoreRef"]["name"]), "vault-backend");
    assert_eq!(s(&spec["secretStoreRef"]["kind"]), "ClusterSecretStore");
    assert_eq!(s(&spec["target"]["name"]), "db-creds");
    assert_eq!(s(&spec["target"]["template"]["type"]), "kubernetes.io/basic-auth");
    assert_eq!(
        s(&spec["target"]["template"]["metadata"]["labels"]["app"]),
        "shop"
    );
    assert_eq!(
        s(&spec["target"]["template"]["metadata"]["annotations"]["team"]),
        "payments"
    );
    assert!(
        spec["target"]["template"]["metadata"]["annotations"]
            .get("kubectl.kubernetes.io/last-applied-configuration")
            .is_none(),
        "the last-applied annotation (it repeats the values) is dropped"
    );
    // Every key of the Secret, and each remote ref reads back exactly its value.
    let mut got = BTreeMap::new();
    for d in spec["data"].as_sequence().expect("data") {
        let (key, prop) = (s(&d["remoteRef"]["key"]), s(&d["remoteRef"]["property"]));
        assert_eq!(key, "shop/prod");
        got.insert(
            s(&d["secretKey"]).to_string(),
            bao.read_field(key, prop).expect("in OpenBao"),
        );
    }
    assert_eq!(
        got,
        want(),
        "each Secret key maps to its decoded value in the store"
    );
    assert_schema_valid(&repo.root().join("k8s/prod/app.yaml"), "ExternalSecret", &|t| {
        t.replace("secretKey: api-token", "secretKey: api token")
    });
    assert_schema_valid(&repo.root().join("k8s/prod/app.yaml"), "ExternalSecret", &|t| {
        t.replace("secretStoreRef:", "secretStoreRef:\n    namspace: typo")
    });
    // The rewritten tree holds no secret, and the map names where each lives.
    assert_eq!(run_env(&repo, &["scan", "."], &[]).0, 0, "the tree scans clean");
    assert!(repo.read(".leakless/secrets.toml").contains("DB_CREDS_PASSWORD"));
    let staged = crate::migrate::git(&repo.root(), &["diff", "--cached", "--name-only"]);
    assert!(staged.contains("k8s/prod/app.yaml"), "{staged}");
}

#[test]
fn vso_option_writes_a_schema_valid_vault_static_secret() {
    let Some(bao) = OpenBao::start() else { return };
    let repo = repo();
    apply_vault(
        &bao,
        &repo,
        &[
            "--k8s-operator",
            "vso",
            "--k8s-vault-auth",
            "vault/shop-auth",
            "--k8s-refresh",
            "1h30m",
        ],
    );
    let text = repo.read("k8s/prod/app.yaml");
    assert_rest_unchanged(&text);
    let vss = doc_of(&text, "VaultStaticSecret");
    assert_eq!(s(&vss["apiVersion"]), "secrets.hashicorp.com/v1beta1");
    let spec = &vss["spec"];
    assert_eq!(s(&spec["type"]), "kv-v2");
    assert_eq!(s(&spec["mount"]), "secret");
    assert_eq!(s(&spec["path"]), "shop/prod");
    assert_eq!(s(&spec["refreshAfter"]), "90m");
    assert_eq!(s(&spec["vaultAuthRef"]), "vault/shop-auth");
    let dest = &spec["destination"];
    assert_eq!(s(&dest["name"]), "db-creds");
    assert_eq!(s(&dest["type"]), "kubernetes.io/basic-auth");
    assert_eq!(dest["create"].as_bool(), Some(true));
    assert_eq!(
        dest["overwrite"].as_bool(),
        Some(true),
        "takes over the Secret applied from git"
    );
    // One template per Secret key, reading the stored field that holds its value.
    let templates = dest["transformation"]["templates"]
        .as_mapping()
        .expect("templates");
    let mut got = BTreeMap::new();
    for (k, t) in templates {
        let text = s(&t["text"]);
        let field = text
            .strip_prefix("{{ get .Secrets \"")
            .and_then(|r| r.strip_suffix("\" }}"))
            .unwrap_or_else(|| panic!("template {text}"));
        got.insert(
            s(k).to_string(),
            bao.read_field("shop/prod", field).expect("field"),
        );
    }
    assert_eq!(got, want());
    assert_schema_valid(
        &repo.root().join("k8s/prod/app.yaml"),
        "VaultStaticSecret",
        &|t| t.replace("refreshAfter: 90m", "refreshAfter: 1h30m"),
    );
}

#[test]
fn infisical_store_gets_a_schema_valid_infisical_secret() {
    let mock = InfisicalMock::start(&[]);
    let repo = repo();
    let (code, out, err) = run_env(
        &repo,
        &[
            "migrate",
            "--to",
            "infisical",
            "--apply",
            "--k8s-infisical-project-slug",
            "shop-a1b2",
            "--k8s-infisical-credentials",
            "infisical/universal-auth",
        ],
        &mock.env(),
    );
    assert_eq!(code, 0, "{out}\n{err}\n{}", mock.log());
    let text = repo.read("k8s/prod/app.yaml");
    assert_rest_unchanged(&text);
    let is = doc_of(&text, "InfisicalSecret");
    assert_eq!(s(&is["apiVersion"]), "secrets.infisical.com/v1alpha1");
    let spec = &is["spec"];
    assert_eq!(s(&spec["hostAPI"]), format!("{}/api", mock.url));
    let ua = &spec["authentication"]["universalAuth"];
    assert_eq!(s(&ua["credentialsRef"]["secretName"]), "universal-auth");
    assert_eq!(s(&ua["credentialsRef"]["secretNamespace"]), "infisical");
    assert_eq!(s(&ua["secretsScope"]["projectSlug"]), "shop-a1b2");
    assert_eq!(s(&ua["secretsScope"]["envSlug"]), "prod");
    assert_eq!(s(&ua["secretsScope"]["secretsPath"]), "/");
    let managed = &spec["managedKubeSecretReferences"][0];
    assert_eq!(s(&managed["secretName"]), "db-creds");
    assert_eq!(s(&managed["secretNamespace"]), "shop");
    assert_eq!(s(&managed["secretType"]), "kubernetes.io/basic-auth");
    assert_eq!(managed["template"]["includeAllSecrets"].as_bool(), Some(false));
    let mut got = BTreeMap::new();
    for (k, t) in managed["template"]["data"].as_mapping().expect("template data") {
        let text = s(t);
        let name = text
            .strip_prefix("{{ .")
            .and_then(|r| r.strip_suffix(".Value }}"))
            .unwrap_or_else(|| panic!("template {text}"));
        got.insert(
            s(k).to_string(),
            mock.value("prod", "/", name).expect("in Infisical"),
        );
    }
    assert_eq!(got, want());
    assert_schema_valid(&repo.root().join("k8s/prod/app.yaml"), "InfisicalSecret", &|t| {
        t.replace("resyncInterval: 3600", "resyncInterval: hourly")
    });
}

#[test]
fn binary_values_and_stores_without_an_operator_are_manual_steps() {
    // A binary value (not UTF-8) cannot be stored as text: the Secret stays, a manual step.
    let bin = format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: keystore\ndata:\n  keystore.jks: {}\n  password: {}\n",
        base64_bytes(&[0xfe, 0xed, 0xfe, 0xed, 0x00, 0x02, 0xff]),
        b64(PASSWORD)
    );
    let repo = Repo::from_files(&[("k8s/keystore.yaml", &bin), ("k8s/prod/app.yaml", &manifest())]);
    let before = repo.read("k8s/keystore.yaml");
    // The dotenv store has no in-cluster operator: the manifest is a manual step too.
    let (code, out, err) = run_env(&repo, &["migrate", "--apply"], &[]);
    assert_eq!(code, 1, "secrets remain in tracked files:\n{out}\n{err}");
    assert_eq!(
        repo.read("k8s/keystore.yaml"),
        before,
        "the binary Secret is left alone"
    );
    assert_eq!(
        repo.read("k8s/prod/app.yaml"),
        manifest(),
        "no operator: left alone"
    );
    assert!(
        out.contains("k8s/keystore.yaml:1: Kubernetes Secret: data.keystore.jks is binary"),
        "{out}"
    );
    assert!(
        out.contains("no in-cluster operator reads the dotenv store"),
        "{out}"
    );
    assert!(
        !out.contains(PASSWORD) && !err.contains(PASSWORD),
        "no value printed"
    );
}

fn base64_bytes(b: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(b)
}

#[test]
fn helm_values_are_a_manual_step_naming_the_template() {
    let repo = Repo::from_files(&[
        ("chart/Chart.yaml", "apiVersion: v2\nname: shop\nversion: 0.1.0\n"),
        (
            "chart/values.yaml",
            &format!("replicas: 2\ndb:\n  host: db\n  url: {DB_URL}\n"),
        ),
        (
            "chart/templates/secret.yaml",
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ .Release.Name }}-db\nstringData:\n  DATABASE_URL: {{ .Values.db.url | quote }}\n  MODE: readonly\n",
        ),
    ]);
    // Without --ref-template (which the other tests set: the user vouching for a loader).
    let o = Command::new(env!("CARGO_BIN_EXE_leakless"))
        .args(["migrate", "--to", "vault", "--format", "json"])
        .current_dir(repo.root())
        .env_remove("LEAKLESS_REF_TEMPLATE")
        .output()
        .expect("leakless runs");
    let (code, out, err) = (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    );
    assert_eq!(code, 0, "{out}\n{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let sites: Vec<String> = v["secrets"]
        .as_array()
        .expect("secrets")
        .iter()
        .flat_map(|s| s["sites"].as_array().cloned().unwrap_or_default())
        .map(|s| format!("{} {}", s["action"], s["detail"]))
        .collect();
    assert!(
        sites.iter().any(|s| s.contains("\"manual\"")
            && s.contains("Helm values (db.url), read by chart/templates/secret.yaml")
            && s.contains("not rewritten automatically: chart/templates/secret.yaml: data line 7: the value is not one whole {{ ... }} action")),
        "{sites:?}"
    );
    // The template (Go template text, not YAML) is never taken for a Secret manifest.
    assert!(!sites.iter().any(|s| s.starts_with("\"resource\"")), "{sites:?}");
    assert!(!out.contains("\"would_rewrite\""), "{out}");
}

#[test]
fn hostile_manifests_are_bounded() {
    let mut bomb = String::from(
        "apiVersion: v1\nkind: Secret\nmetadata: {name: bomb}\na0: &a0 [x, x, x, x, x, x, x, x, x]\n",
    );
    for i in 1..16 {
        let p = i - 1;
        bomb.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    bomb.push_str(&format!("stringData: {{token: {API_TOKEN}}}\n"));
    let deep = format!(
        "apiVersion: v1\nkind: Secret\nmetadata: {{name: deep}}\nx: {}{}\nstringData: {{k: v}}\n",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    let big = format!(
        "apiVersion: v1\nkind: Secret\nmetadata: {{name: big}}\nstringData:\n  k: {}\n",
        "a".repeat(2 << 20)
    );
    let repo = Repo::from_files(&[
        ("k8s/bomb.yaml", &bomb),
        ("k8s/deep.yaml", &deep),
        ("k8s/big.yaml", &big),
        ("k8s/prod/app.yaml", &manifest()),
        (
            "k8s/ctl.yaml",
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: \"a\\x1b[31m\"\nstringData: {k: v}\n",
        ),
    ]);
    std::fs::write(
        repo.root().join("k8s/latin1.yaml"),
        b"apiVersion: v1\nkind: Secret\nmetadata: {name: l}\nstringData: {k: \xe9}\n",
    )
    .expect("write");
    crate::migrate::git(&repo.root(), &["add", "k8s/latin1.yaml"]);
    let t = std::time::Instant::now();
    let (code, out, err) = run_env(&repo, &["migrate", "--to", "vault"], &[]);
    assert!(t.elapsed().as_secs() < 30, "bounded time");
    assert!(code == 0 || code == 1, "no crash: {code}\n{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        !out.contains('\u{1b}') && !err.contains('\u{1b}'),
        "no control character reaches the terminal"
    );
    assert!(
        out.contains("k8s/ctl.yaml:1: Kubernetes Secret: the Secret has no valid metadata.name"),
        "{out}"
    );
}

#[test]
fn killed_at_every_failpoint_loses_nothing() {
    let Some(bao) = OpenBao::start() else { return };
    let env = vault_env(&bao);
    let env_ref: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    for (i, point) in ["after-verify:2", "after-verify:5", "after-rewrite:1"]
        .iter()
        .enumerate()
    {
        // A project per round: each starts from an empty store path.
        let project = format!("shop{i}");
        let repo = repo();
        let args = ["--to", "vault", "--project", project.as_str()];
        let mut child = spawn_paused(&repo.root(), point, &args, &env_ref);
        child.kill().expect("kill -9");
        child.wait().expect("reaped");
        let path = format!("{project}/prod");
        let stored: Vec<String> = ["USERNAME", "PASSWORD", "CA_CRT", "API_TOKEN"]
            .iter()
            .map(|k| format!("DB_CREDS_{k}"))
            .chain(["DATABASE_URL".to_string()])
            .filter_map(|k| bao.read_field(&path, &k))
            .collect();
        let text = repo.read("k8s/prod/app.yaml");
        for v in expected().values() {
            assert!(
                text.contains(v.as_str()) || text.contains(&b64(v)) || stored.contains(v),
                "{point}: a value is in neither the manifest nor the store"
            );
        }
        let mut rerun = vec!["migrate", "--apply"];
        rerun.extend_from_slice(&args);
        let (code, out, err) = run_env(&repo, &rerun, &env);
        assert_eq!(code, 0, "{point}: the re-run finishes: {out}\n{err}");
        let text = repo.read("k8s/prod/app.yaml");
        assert_rest_unchanged(&text);
        let es = doc_of(&text, "ExternalSecret");
        assert_eq!(es["spec"]["data"].as_sequence().map(Vec::len), Some(5), "{point}");
        for d in es["spec"]["data"].as_sequence().expect("data") {
            let want = expected()[s(&d["secretKey"])].clone();
            assert_eq!(
                bao.read_field(s(&d["remoteRef"]["key"]), s(&d["remoteRef"]["property"])),
                Some(want),
                "{point}"
            );
        }
    }
}

#[test]
fn aws_store_gets_external_secrets_for_both_layouts() {
    let Some(moto) = crate::store_aws::Moto::start() else {
        return;
    };
    for (mode, project) in [("per-key", "shop1"), ("per-file", "shop2")] {
        let repo = repo();
        let (code, out, err) = run_env(
            &repo,
            &[
                "migrate",
                "--to",
                "aws",
                "--apply",
                "--aws-mode",
                mode,
                "--project",
                project,
            ],
            &moto.env(),
        );
        assert_eq!(code, 0, "{mode}: {out}\n{err}");
        let text = repo.read("k8s/prod/app.yaml");
        assert_rest_unchanged(&text);
        let es = doc_of(&text, "ExternalSecret");
        let mut got = BTreeMap::new();
        for d in es["spec"]["data"].as_sequence().expect("data") {
            let key = s(&d["remoteRef"]["key"]);
            // Read back with boto3: the whole secret (per key) or its JSON property (per file).
            let secret = moto.get_secret_string(key).expect("in Secrets Manager");
            let value = match d["remoteRef"].get("property") {
                None => {
                    assert_eq!(mode, "per-key");
                    secret
                }
                Some(p) => {
                    assert_eq!(mode, "per-file");
                    let json: serde_json::Value = serde_json::from_str(&secret).expect("JSON secret");
                    json[s(p)].as_str().expect("property").to_string()
                }
            };
            got.insert(s(&d["secretKey"]).to_string(), value);
        }
        assert_eq!(got, want(), "{mode}");
        assert_schema_valid(&repo.root().join("k8s/prod/app.yaml"), "ExternalSecret", &|t| {
            t.replace("  - remoteRef:\n", "  - remoteRef: {}\n    x:\n")
        });
    }
}

#[test]
fn from_report_takes_only_secrets_holding_a_reported_finding() {
    let quiet = format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: quiet\n  namespace: shop\ndata:\n  username: {}\n",
        b64("admin")
    );
    let repo = Repo::from_files(&[("k8s/prod/app.yaml", &manifest()), ("k8s/quiet.yaml", &quiet)]);
    // Without a report every committed Secret is planned, flagged or not.
    let (code, out, err) = run_env(&repo, &["migrate", "--to", "vault", "--format", "json"], &[]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("QUIET_USERNAME"), "{out}");
    let report = repo.root().join("../scan.json");
    let (_, scan, _) = run_env(&repo, &["scan", ".", "--format", "json"], &[]);
    std::fs::write(&report, scan).expect("write report");
    let (code, out, err) = run_env(
        &repo,
        &[
            "migrate",
            "--to",
            "vault",
            "--format",
            "json",
            "--from-report",
            report.to_str().expect("utf-8"),
        ],
        &[],
    );
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(!out.contains("QUIET_USERNAME"), "{out}");
    assert!(
        out.contains("DB_CREDS_USERNAME"),
        "every key of a reported Secret moves: {out}"
    );
}

const CHART_PASSWORD: &str = "Hq4vN8zR2kLm7TwXc3Jd";

const CHART_SECRET: &str = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ include \"shop.fullname\" . }}-db\n  namespace: {{ .Release.Namespace }}\n  labels:\n    {{- include \"shop.labels\" . | nindent 4 }}\ntype: Opaque\ndata:\n  DB_PASSWORD: {{ .Values.db.password | b64enc | quote }}\n";

const CHART_DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include \"shop.fullname\" . }}\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        env:\n        - name: DB_HOST\n          value: {{ .Values.db.host | quote }}\n        envFrom:\n        - secretRef:\n            name: {{ include \"shop.fullname\" . }}-db\n";

/// A chart whose Secret template is `secret` and whose values hold a generated password.
fn chart(secret: &str) -> Repo {
    chart_with(secret, CHART_DEPLOYMENT)
}

fn chart_with(secret: &str, deployment: &str) -> Repo {
    Repo::from_files(&[
        ("chart/Chart.yaml", "apiVersion: v2\nname: shop\nversion: 0.1.0\n"),
        (
            "chart/values.yaml",
            &format!("replicaCount: 2\ndb:\n  host: db.internal\n  password: {CHART_PASSWORD}\n"),
        ),
        ("chart/templates/secret.yaml", secret),
        ("chart/templates/deployment.yaml", deployment),
    ])
}

/// `migrate --to vault --apply` without a vouched `--ref-template` (a values file then has no
/// reference syntax of its own).
fn apply_chart(bao: &OpenBao, repo: &Repo, want_code: i32) -> String {
    migrate_chart(repo, &["--to", "vault"], &vault_env(bao), want_code)
}

/// `migrate --apply <args>` with `env`; asserts the exit code and that no value is printed.
fn migrate_chart(repo: &Repo, args: &[&str], env: &[(&str, String)], want_code: i32) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_leakless"))
        .args(["migrate", "--apply"])
        .args(args)
        .current_dir(repo.root())
        .env_remove("LEAKLESS_REF_TEMPLATE")
        .envs(env.iter().cloned())
        .stdin(std::process::Stdio::null())
        .output()
        .expect("leakless runs");
    let (out, err) = (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    );
    assert_eq!(o.status.code(), Some(want_code), "{out}\n{err}");
    assert!(
        !out.contains(CHART_PASSWORD) && !err.contains(CHART_PASSWORD),
        "no value printed"
    );
    out
}

/// A chart template as YAML, without helm (not available here): a line that is one action
/// (`{{- include "x.labels" . | nindent 4 }}`, which renders mapping lines) becomes one
/// placeholder mapping entry, and every other `{{ ... }}` a placeholder string. This checks the
/// structure leakless wrote, not what helm would render from the chart's helpers.
fn placeholders(template: &str) -> String {
    let mut out = String::new();
    for line in template.lines() {
        let t = line.trim_start();
        if t.starts_with("{{") && t.ends_with("}}") && t.matches("{{").count() == 1 {
            out.push_str(&format!(
                "{}helm-rendered: placeholder\n",
                &line[..line.len() - t.len()]
            ));
            continue;
        }
        let mut rest = line;
        while let Some(i) = rest.find("{{") {
            let j = rest[i..].find("}}").map_or(rest.len(), |j| i + j + 2);
            out.push_str(&rest[..i]);
            out.push_str("helm-placeholder");
            rest = &rest[j..];
        }
        out.push_str(rest);
        out.push('\n');
    }
    out
}

#[test]
fn helm_chart_secret_template_becomes_an_external_secret() {
    let Some(bao) = OpenBao::start() else { return };
    let repo = chart(CHART_SECRET);
    let out = apply_chart(&bao, &repo, 0);
    // The values file no longer holds the secret, and still parses with its other values.
    let values = repo.read("chart/values.yaml");
    assert!(!values.contains(CHART_PASSWORD), "{values}");
    assert!(
        values.contains("  password: \"\"  # moved to vault as "),
        "{values}"
    );
    let v: Yaml = serde_yaml_ng::from_str(&values).expect("values YAML");
    assert_eq!(s(&v["db"]["host"]), "db.internal");
    assert_eq!(s(&v["db"]["password"]), "");
    // The template keeps its metadata lines verbatim and names the same Secret.
    let t = repo.read("chart/templates/secret.yaml");
    assert!(
        t.contains("\nkind: ExternalSecret\n") && !t.contains("kind: Secret\n"),
        "{t}"
    );
    assert!(
        t.contains("metadata:\n  name: {{ include \"shop.fullname\" . }}-db\n  namespace: {{ .Release.Namespace }}\n  labels:\n    {{- include \"shop.labels\" . | nindent 4 }}\nspec:\n"),
        "{t}"
    );
    assert!(
        t.contains("\n    name: {{ include \"shop.fullname\" . }}-db\n"),
        "target.name:\n{t}"
    );
    assert!(!t.contains(".Values.db.password"), "{t}");
    assert_eq!(repo.read("chart/templates/deployment.yaml"), CHART_DEPLOYMENT);
    // As YAML (actions replaced by placeholders): the key maps to the value in OpenBao.
    let plain = placeholders(&t);
    let es = doc_of(&plain, "ExternalSecret");
    assert_eq!(s(&es["spec"]["target"]["name"]), "helm-placeholder-db");
    assert_eq!(s(&es["spec"]["target"]["template"]["type"]), "Opaque");
    let data = es["spec"]["data"].as_sequence().expect("data");
    assert_eq!(data.len(), 1, "{plain}");
    assert_eq!(s(&data[0]["secretKey"]), "DB_PASSWORD");
    let (key, prop) = (
        s(&data[0]["remoteRef"]["key"]),
        s(&data[0]["remoteRef"]["property"]),
    );
    assert_eq!(
        bao.read_field(key, prop).as_deref(),
        Some(CHART_PASSWORD),
        "{out}"
    );
    let file = repo.root().join("es-placeholders.yaml");
    std::fs::write(&file, &plain).expect("write");
    assert_schema_valid(&file, "ExternalSecret", &|t| {
        t.replace("secretKey: DB_PASSWORD", "secretKey: DB PASSWORD")
    });
    std::fs::remove_file(&file).expect("remove");
    assert_eq!(run_env(&repo, &["scan", "."], &[]).0, 0, "the tree scans clean");
}

#[test]
fn helm_templates_it_cannot_read_stay_a_manual_step_with_values_untouched() {
    let Some(bao) = OpenBao::start() else { return };
    for (what, secret) in [
        (
            "literal key",
            CHART_SECRET.replace("\ndata:\n", "\nstringData:\n  MODE: readonly\ndata:\n"),
        ),
        (
            "range",
            format!("{CHART_SECRET}{{{{- range $k, $v := .Values.extra }}}}\n  {{{{ $k }}}}: {{{{ $v | b64enc }}}}\n{{{{- end }}}}\n"),
        ),
    ] {
        check_manual(&bao, what, &chart(&secret), &secret, "secret.yaml");
    }
    // The Secret template is plain, but the Deployment reads the password too.
    let deployment = CHART_DEPLOYMENT.replace(".Values.db.host", ".Values.db.password");
    let repo = chart_with(CHART_SECRET, &deployment);
    check_manual(
        &bao,
        "read elsewhere",
        &repo,
        CHART_SECRET,
        "deployment.yaml, chart/templates/secret.yaml",
    );
    assert_eq!(repo.read("chart/templates/deployment.yaml"), deployment);
}

/// `migrate --apply` on `repo` leaves a manual step naming `readers`, and the chart as it was.
fn check_manual(bao: &OpenBao, what: &str, repo: &Repo, secret: &str, readers: &str) {
    // Exit 1: a manual step is left.
    let out = apply_chart(bao, repo, 1);
    assert!(
        out.contains(&format!(
            "Helm values (db.password), read by chart/templates/{readers}"
        )) && out.contains("not rewritten automatically"),
        "{what}: {out}"
    );
    assert!(repo.read("chart/values.yaml").contains(CHART_PASSWORD), "{what}");
    assert_eq!(repo.read("chart/templates/secret.yaml"), secret, "{what}");
}

#[test]
fn helm_values_wait_for_their_template() {
    // An InfisicalSecret names the Secret's namespace, and this template has none: the template
    // cannot be rewritten at apply time, so the values file (which it still reads) is left alone.
    let mock = InfisicalMock::start(&[]);
    let secret = CHART_SECRET.replace("  namespace: {{ .Release.Namespace }}\n", "");
    let repo = chart(&secret);
    let args = ["--to", "infisical", "--k8s-infisical-project-slug", "shop-a1b2"];
    let out = migrate_chart(&repo, &args, &mock.env(), 1);
    assert!(out.contains("an InfisicalSecret names the namespace"), "{out}");
    assert!(
        out.contains("chart/values.yaml: left alone because chart/templates/secret.yaml was not rewritten"),
        "{out}"
    );
    assert_eq!(repo.read("chart/templates/secret.yaml"), secret);
    assert!(repo.read("chart/values.yaml").contains(CHART_PASSWORD));
    assert!(
        out.contains("[moved] DB_PASSWORD"),
        "the value is in the store: {out}"
    );
}
