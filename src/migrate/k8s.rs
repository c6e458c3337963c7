//! Kubernetes `Secret` manifests in `leakless migrate`: a committed `kind: Secret` holds its
//! values in plain text (`data` is only base64), so migrating it means moving every key to the
//! store and replacing the manifest by the resource an in-cluster operator turns back into the
//! same Secret — an External Secrets Operator `ExternalSecret`, an Infisical operator
//! `InfisicalSecret` or a Vault Secrets Operator `VaultStaticSecret` — with the same name,
//! namespace, keys and type, so the workloads that mount or `envFrom` it are unchanged.
//!
//! Only the Secret's own document of a multi-document file is replaced; the other documents keep
//! their bytes. Documents are split on `---`/`...` marker lines (YAML forbids those at column 0
//! inside content, so the split is exact) and each is parsed on its own with `serde_yaml_ng`, whose
//! libyaml-based parser bounds recursion depth and alias expansion (a "billion laughs" document is
//! an error, not a hang). Files above [`MAX_MANIFEST_BYTES`] are not parsed.
//!
//! Which operator serves which store is one match arm each ([`operator_for`],
//! [`eso_remote_ref`]); a store without one leaves the manifest as a manual step.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

use base64::Engine as _;
use serde_json::{json, Map, Value as Json};
use serde_yaml_ng::Value as Yaml;

use super::store::{StoreKind, Target};

/// Larger files are not parsed as manifests (a generated bundle that size is not hand-kept).
pub const MAX_MANIFEST_BYTES: usize = 1 << 20;

/// At most this many documents per file are looked at.
const MAX_DOCUMENTS: usize = 10_000;

/// The in-cluster operator a migrated Secret is handed to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Operator {
    /// External Secrets Operator: `ExternalSecret` (external-secrets.io/v1).
    Eso,
    /// Vault Secrets Operator: `VaultStaticSecret` (secrets.hashicorp.com/v1beta1).
    Vso,
    /// Infisical operator: `InfisicalSecret` (secrets.infisical.com/v1alpha1).
    Infisical,
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Operator::Eso => "eso",
            Operator::Vso => "vso",
            Operator::Infisical => "infisical",
        })
    }
}

/// `secretStoreRef.kind` of an `ExternalSecret`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum StoreRefKind {
    /// A namespaced `SecretStore` (one per namespace).
    #[default]
    #[value(name = "SecretStore")]
    SecretStore,
    /// A cluster-wide `ClusterSecretStore`.
    #[value(name = "ClusterSecretStore")]
    ClusterSecretStore,
}

const HEADING: &str = "Kubernetes manifests";

/// `leakless migrate`'s options for Kubernetes `Secret` manifests.
#[derive(Clone, Debug, clap::Args)]
pub struct K8sArgs {
    /// The operator a committed `kind: Secret` is rewritten for (default: `eso` for vault and
    /// aws, `infisical` for infisical; `vso` is the Vault Secrets Operator, for vault).
    #[arg(long = "k8s-operator", value_enum, value_name = "OPERATOR", help_heading = HEADING)]
    pub operator: Option<Operator>,
    /// The `SecretStore` (or `ClusterSecretStore`) an `ExternalSecret` reads from.
    #[arg(long = "k8s-secret-store", default_value = "leakless", value_name = "NAME", value_parser = parse_store_name, help_heading = HEADING)]
    pub secret_store: String,
    /// The kind of that store.
    #[arg(long = "k8s-store-kind", value_enum, default_value_t = StoreRefKind::SecretStore, help_heading = HEADING)]
    pub store_kind: StoreRefKind,
    /// How often the operator re-reads the store (`refreshInterval` / `refreshAfter`; `resyncInterval`
    /// in seconds for Infisical).
    #[arg(long = "k8s-refresh", default_value = "1h", value_name = "DURATION", value_parser = parse_duration, help_heading = HEADING)]
    pub refresh: String,
    /// `vaultAuthRef` of a `VaultStaticSecret` (default: the operator's `default` VaultAuth).
    #[arg(long = "k8s-vault-auth", value_name = "[NAMESPACE/]NAME", help_heading = HEADING)]
    pub vault_auth: Option<String>,
    /// The Kubernetes Secret holding the Infisical universal-auth `clientId`/`clientSecret`
    /// (`credentialsRef`; default namespace: the migrated Secret's).
    #[arg(long = "k8s-infisical-credentials", default_value = "infisical-universal-auth", value_name = "[NAMESPACE/]NAME", help_heading = HEADING)]
    pub infisical_credentials: String,
    /// The Infisical project slug for `secretsScope.projectSlug` (default: `--infisical-project`).
    #[arg(long = "k8s-infisical-project-slug", value_name = "SLUG", help_heading = HEADING)]
    pub infisical_project_slug: Option<String>,
}

impl Default for K8sArgs {
    fn default() -> Self {
        Self {
            operator: None,
            secret_store: "leakless".into(),
            store_kind: StoreRefKind::SecretStore,
            refresh: "1h".into(),
            vault_auth: None,
            infisical_credentials: "infisical-universal-auth".into(),
            infisical_project_slug: None,
        }
    }
}

/// A Kubernetes object name (DNS subdomain), as `secretStoreRef.name` requires.
fn parse_store_name(s: &str) -> Result<String, String> {
    if is_dns_subdomain(s) {
        Ok(s.to_string())
    } else {
        Err("a Kubernetes object name: lowercase letters, digits, '-' and '.'".to_string())
    }
}

/// A Go duration of the form the operators accept: `1h`, `30m`, `90s`, `1h30m`.
fn parse_duration(s: &str) -> Result<String, String> {
    duration_secs(s)
        .map(|_| s.to_string())
        .ok_or_else(|| "a duration like 1h, 30m, 90s or 1h30m".to_string())
}

fn duration_secs(s: &str) -> Option<u64> {
    let mut total: u64 = 0;
    let mut num = String::new();
    if s.is_empty() || s.len() > 32 {
        return None;
    }
    for c in s.chars() {
        match c {
            '0'..='9' => num.push(c),
            'h' | 'm' | 's' => {
                let n: u64 = num.parse().ok()?;
                num.clear();
                let mul = match c {
                    'h' => 3600,
                    'm' => 60,
                    _ => 1,
                };
                total = total.checked_add(n.checked_mul(mul)?)?;
            }
            _ => return None,
        }
    }
    num.is_empty().then_some(total)
}

/// Everything needed to write the operator resource, beside the plan.
#[derive(Clone, Debug, Default)]
pub struct Context {
    /// The store the values went to.
    pub store: Option<StoreKind>,
    /// The flags.
    pub args: K8sArgs,
    /// Vault KV v2 mount (`--vault-mount`).
    pub vault_mount: String,
    /// Vault Enterprise namespace.
    pub vault_namespace: Option<String>,
    /// AWS `--aws-mode per-file` (one JSON secret per path) instead of one secret per key.
    pub aws_per_file: bool,
    /// Infisical site (`--infisical-url`), for `hostAPI`.
    pub infisical_url: Option<String>,
    /// Infisical project (`--infisical-project`).
    pub infisical_project: Option<String>,
    /// Infisical environment (`--infisical-env`), else each target's own.
    pub infisical_env: Option<String>,
}

/// The operator for `store` (with `--k8s-operator` if given), or why there is none: the Secret
/// is then a manual step. Adding a store is one arm here (and one in [`eso_remote_ref`]).
pub fn operator_for(store: StoreKind, chosen: Option<Operator>) -> Result<Operator, String> {
    match (store, chosen) {
        (StoreKind::Vault, Some(Operator::Vso)) => Ok(Operator::Vso),
        (
            StoreKind::Vault | StoreKind::Aws | StoreKind::Gcp | StoreKind::Azure | StoreKind::Doppler,
            None | Some(Operator::Eso),
        ) => Ok(Operator::Eso),
        (StoreKind::Infisical, None | Some(Operator::Infisical)) => Ok(Operator::Infisical),
        (store, Some(op)) => Err(format!(
            "--k8s-operator {op} does not read the {store} store: choose another operator or move this Secret by hand"
        )),
        #[allow(unreachable_patterns)]
        (store, None) => Err(format!(
            "no in-cluster operator reads the {store} store: replace this Secret by one your cluster's secret operator fills (the values are in the store) and delete it from git"
        )),
    }
}

/// `remoteRef` of an `ExternalSecret` entry for a target: `(key, property)`.
pub fn eso_remote_ref(ctx: &Context, t: &Target) -> Option<(String, Option<String>)> {
    let joined = || {
        if t.path.is_empty() {
            t.key.clone()
        } else {
            format!("{}/{}", t.path, t.key)
        }
    };
    match ctx.store? {
        // The SecretStore's vault provider names the mount (`path: secret`, `version: v2`).
        StoreKind::Vault => Some((t.path.clone(), Some(t.key.clone()))),
        StoreKind::Aws if ctx.aws_per_file => Some((t.path.clone(), Some(t.key.clone()))),
        StoreKind::Aws => Some((joined(), None)),
        // ESO's gcpsm, azurekv and doppler providers name the secret itself: the store's own
        // encoding of path and key (the Doppler SecretStore's token already names project/config).
        StoreKind::Gcp => crate::migrate::store::gcp::secret_id(&t.path, &t.key).map(|id| (id, None)),
        StoreKind::Azure => crate::migrate::store::azure::secret_name(&t.path, &t.key)
            .ok()
            .map(|n| (n, None)),
        StoreKind::Doppler => Some((t.key.clone(), None)),
        _ => None,
    }
}

/// A Secret's metadata as the rewritten resource keeps it (no values).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Manifest {
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace`.
    pub namespace: Option<String>,
    /// `type` (`Opaque` when absent).
    pub secret_type: Option<String>,
    /// `metadata.labels`.
    pub labels: BTreeMap<String, String>,
    /// `metadata.annotations`, without `kubectl.kubernetes.io/last-applied-configuration` (it
    /// holds the whole Secret, values included).
    pub annotations: BTreeMap<String, String>,
    /// `immutable`.
    pub immutable: Option<bool>,
}

/// One key of a Secret.
#[derive(Clone, Debug)]
pub struct Entry {
    /// The key in the Secret (`data.<key>` / `stringData.<key>`).
    pub key: String,
    /// The decoded value.
    pub value: Vec<u8>,
    /// 1-based line in the file.
    pub line: usize,
}

/// A `kind: Secret` document.
#[derive(Clone, Debug)]
pub struct SecretDoc {
    /// Byte range of the document in the file (marker lines excluded).
    pub range: Range<usize>,
    /// 1-based line where the document starts.
    pub line: usize,
    /// Its metadata.
    pub manifest: Manifest,
    /// Its keys, in file order (`stringData` wins over `data` for the same key, as the API
    /// server merges them).
    pub entries: Vec<Entry>,
}

/// A Secret document that is not migrated automatically, and why.
#[derive(Clone, Debug)]
pub struct Unsupported {
    /// Byte range of the document.
    pub range: Range<usize>,
    /// 1-based line where it starts.
    pub line: usize,
    /// Why (no value in it).
    pub why: String,
}

/// The Secret documents of a YAML file.
#[derive(Clone, Debug, Default)]
pub struct Secrets {
    /// Migratable Secrets.
    pub docs: Vec<SecretDoc>,
    /// Secrets left to a person.
    pub unsupported: Vec<Unsupported>,
}

/// Byte ranges (and first lines) of the documents of a YAML stream. A marker line is `---` or
/// `...` at column 0, alone or followed by blanks or a comment; a `--- content` line opens a
/// document whose first line is the marker's (kept inside the range, so it is never rewritten).
pub fn documents(text: &str) -> Vec<(Range<usize>, usize)> {
    let mut out = Vec::new();
    let mut start = 0usize;
    let mut start_line = 1usize;
    let mut off = 0usize;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let body = line.trim_end_matches(['\n', '\r']);
        let rest_of = |m: &str| {
            body.strip_prefix(m)
                .filter(|r| r.is_empty() || r.starts_with([' ', '\t']))
                .map(|r| r.trim_start_matches([' ', '\t']))
        };
        let (marker, inline) = match rest_of("---").or_else(|| rest_of("...")) {
            Some(r) => (true, !r.is_empty() && !r.starts_with('#')),
            None => (false, false),
        };
        if marker {
            if off > start {
                out.push((start..off, start_line));
            }
            if inline {
                // `--- {kind: Secret ...}`: the document starts on the marker line (and is
                // never rewritten: see `find_secrets`).
                start = off;
                start_line = i + 1;
            } else {
                start = off + line.len();
                start_line = i + 2;
            }
        }
        off += line.len();
        if out.len() >= MAX_DOCUMENTS {
            return out;
        }
    }
    if text.len() > start {
        out.push((start..text.len(), start_line));
    }
    out
}

/// Finds the `kind: Secret` documents of a YAML file (`text` is the whole file).
pub fn find_secrets(text: &str) -> Secrets {
    let mut s = Secrets::default();
    if text.len() > MAX_MANIFEST_BYTES || !text.contains("Secret") {
        return s;
    }
    for (range, line) in documents(text) {
        let doc = &text[range.clone()];
        if !doc.contains("Secret") {
            continue;
        }
        match parse_secret(doc, line) {
            None => {}
            Some(_) if doc.starts_with("---") || doc.starts_with("...") => s.unsupported.push(Unsupported {
                range,
                line,
                why: "the Secret starts on its `---` line: move it to the next line and run migrate again"
                    .into(),
            }),
            Some(Ok((manifest, entries))) if !entries.is_empty() => s.docs.push(SecretDoc {
                range,
                line,
                manifest,
                entries,
            }),
            Some(Ok(_)) => {}
            Some(Err(why)) => s.unsupported.push(Unsupported { range, line, why }),
        }
    }
    s
}

fn str_map(v: Option<&Yaml>, what: &str) -> Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    match v {
        None | Some(Yaml::Null) => {}
        Some(Yaml::Mapping(m)) => {
            for (k, v) in m {
                let (Yaml::String(k), Yaml::String(v)) = (k, v) else {
                    return Err(format!("{what} has a key or value that is not a string"));
                };
                out.insert(k.clone(), v.clone());
            }
        }
        Some(_) => return Err(format!("{what} is not a mapping")),
    }
    Ok(out)
}

/// `None`: not a Secret (or not YAML we can read: left to the rest of migrate). `Some(Err)`: a
/// Secret that cannot be migrated automatically.
#[allow(clippy::type_complexity)]
fn parse_secret(doc: &str, first_line: usize) -> Option<Result<(Manifest, Vec<Entry>), String>> {
    if doc.contains("{{") {
        // A Helm or other template: not YAML until rendered.
        return None;
    }
    let v: Yaml = serde_yaml_ng::from_str(doc).ok()?;
    let m = v.as_mapping()?;
    let get = |k: &str| m.get(Yaml::String(k.into()));
    let kind = get("kind")?.as_str()?;
    if kind == "List" || kind == "SecretList" {
        // `kubectl get secrets -o yaml` output: its items are not rewritten one by one.
        let holds_secret = get("items")?
            .as_sequence()?
            .iter()
            .any(|i| i.get("kind").and_then(Yaml::as_str) == Some("Secret"));
        return holds_secret.then(|| {
            Err("a List holding Secret items: split them into `---`-separated documents and run migrate again".to_string())
        });
    }
    if kind != "Secret" || get("apiVersion")?.as_str()? != "v1" {
        return None;
    }
    Some(secret_fields(doc, first_line, m))
}

#[allow(clippy::type_complexity)]
fn secret_fields(
    doc: &str,
    first_line: usize,
    m: &serde_yaml_ng::Mapping,
) -> Result<(Manifest, Vec<Entry>), String> {
    let get = |k: &str| m.get(Yaml::String(k.into()));
    let meta = get("metadata").and_then(Yaml::as_mapping);
    let mget = |k: &str| meta.and_then(|m| m.get(Yaml::String(k.into())));
    let name = mget("name")
        .and_then(Yaml::as_str)
        .filter(|n| is_dns_subdomain(n))
        .ok_or("the Secret has no valid metadata.name (generateName is not migrated)")?
        .to_string();
    let namespace = match mget("namespace") {
        None | Some(Yaml::Null) => None,
        Some(Yaml::String(n)) if is_dns_label(n) => Some(n.clone()),
        Some(_) => return Err("metadata.namespace is not a valid namespace name".into()),
    };
    let secret_type = match get("type") {
        None | Some(Yaml::Null) => None,
        Some(Yaml::String(t)) if !t.is_empty() && t.len() <= 253 && !t.chars().any(char::is_control) => {
            Some(t.clone())
        }
        Some(_) => return Err("type is not a string".into()),
    };
    let labels = str_map(mget("labels"), "metadata.labels")?;
    let mut annotations = str_map(mget("annotations"), "metadata.annotations")?;
    annotations.remove("kubectl.kubernetes.io/last-applied-configuration");
    let immutable = match get("immutable") {
        None | Some(Yaml::Null) => None,
        Some(Yaml::Bool(b)) => Some(*b),
        Some(_) => return Err("immutable is not a boolean".into()),
    };
    let mut entries: Vec<Entry> = Vec::new();
    let lines = key_lines(doc);
    let line_of = |key: &str| lines.get(key).map_or(first_line, |l| first_line + l);
    let data = mapping(get("data"), "data")?;
    for (k, v) in data {
        let Yaml::String(b64) = v else {
            return Err(format!("data.{} is not a base64 string", printable(&k)));
        };
        let compact: String = b64.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(compact.as_bytes())
            .map_err(|_| format!("data.{} is not valid base64", printable(&k)))?;
        if std::str::from_utf8(&bytes).is_err() {
            return Err(format!(
                "data.{} is binary (not UTF-8 text) and the stores keep text values: move this Secret by hand (for example store the base64 text and decode it in the operator: decodingStrategy: Base64 in an ExternalSecret)",
                printable(&k)
            ));
        }
        entries.push(Entry {
            line: line_of(&k),
            key: k,
            value: bytes,
        });
    }
    let mut index: std::collections::HashMap<String, usize> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| (e.key.clone(), i))
        .collect();
    for (k, v) in mapping(get("stringData"), "stringData")? {
        let Yaml::String(s) = v else {
            return Err(format!("stringData.{} is not a string", printable(&k)));
        };
        let e = Entry {
            line: line_of(&k),
            key: k,
            value: s.into_bytes(),
        };
        match index.get(&e.key) {
            Some(&i) => entries[i] = e,
            None => {
                index.insert(e.key.clone(), entries.len());
                entries.push(e);
            }
        }
    }
    for e in &entries {
        if !is_secret_key(&e.key) {
            return Err(format!(
                "the key {} is not a valid Secret key ([-._a-zA-Z0-9]+)",
                printable(&e.key)
            ));
        }
    }
    Ok((
        Manifest {
            name,
            namespace,
            secret_type,
            labels,
            annotations,
            immutable,
        },
        entries,
    ))
}

fn mapping(v: Option<&Yaml>, what: &str) -> Result<Vec<(String, Yaml)>, String> {
    match v {
        None | Some(Yaml::Null) => Ok(Vec::new()),
        Some(Yaml::Mapping(m)) => m
            .iter()
            .map(|(k, v)| match k {
                Yaml::String(k) => Ok((k.clone(), v.clone())),
                _ => Err(format!("{what} has a key that is not a string")),
            })
            .collect(),
        Some(_) => Err(format!("{what} is not a mapping")),
    }
}

/// Shows a key name from the file only when it is a plain Secret key (never file content
/// with control characters).
fn printable(k: &str) -> String {
    if is_secret_key(k) {
        k.to_string()
    } else {
        "(a key with unusual characters)".to_string()
    }
}

/// 0-based line offsets of the indented `key:` lines of a document (the first one per key), in
/// one pass (a Secret may have many keys).
fn key_lines(doc: &str) -> std::collections::HashMap<&str, usize> {
    let mut out = std::collections::HashMap::new();
    for (i, l) in doc.lines().enumerate() {
        let t = l.trim_start();
        if t.len() == l.len() {
            continue;
        }
        let key = match t.as_bytes().first() {
            Some(q @ (b'"' | b'\'')) => t[1..]
                .split_once(*q as char)
                .filter(|(_, rest)| rest.trim_start().starts_with(':'))
                .map(|(k, _)| k),
            _ => t.split_once(':').map(|(k, _)| k.trim_end()),
        };
        if let Some(k) = key {
            out.entry(k).or_insert(i);
        }
    }
    out
}

/// `[-._a-zA-Z0-9]+`, at most 253 bytes: a Secret data key.
pub fn is_secret_key(k: &str) -> bool {
    !k.is_empty()
        && k.len() <= 253
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
}

fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

fn is_dns_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(is_dns_label)
}

/// The store key for a Secret's key: an environment-style name kept as it is, any other
/// qualified by the Secret's name (`db-creds` + `password` → `DB_CREDS_PASSWORD`).
pub fn store_key(secret: &str, key: &str) -> String {
    let env_like = key
        .bytes()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    if env_like && !key.starts_with(|c: char| c.is_ascii_digit()) {
        key.to_string()
    } else {
        super::plan::env_key(&format!("{secret}_{key}"))
    }
}

fn split_ref(s: &str, default_ns: Option<&str>) -> (Option<String>, String) {
    match s.split_once('/') {
        Some((ns, name)) => (Some(ns.to_string()), name.to_string()),
        None => (default_ns.map(str::to_string), s.to_string()),
    }
}

fn metadata(m: &Manifest, extra_labels: bool) -> Json {
    let mut meta = Map::new();
    meta.insert("name".into(), json!(m.name));
    if let Some(ns) = &m.namespace {
        meta.insert("namespace".into(), json!(ns));
    }
    if extra_labels && !m.labels.is_empty() {
        meta.insert("labels".into(), json!(m.labels));
    }
    Json::Object(meta)
}

/// The operator resource replacing the Secret `m`, as a YAML document (ending in a newline).
/// `refs` pairs each key of the Secret with its final store target. `Err` is a manual step.
pub fn render(
    ctx: &Context,
    op: Operator,
    m: &Manifest,
    refs: &[(String, Target)],
) -> Result<String, String> {
    let resource = resource(ctx, op, m, refs)?;
    let yaml = serde_yaml_ng::to_string(&resource).map_err(|e| format!("cannot write the resource: {e}"))?;
    Ok(format!("{}\n{yaml}", header(ctx, op, &m.name)))
}

/// The comment line opening a rewritten resource.
pub fn header(ctx: &Context, op: Operator, name: &str) -> String {
    let store = ctx
        .store
        .map_or_else(|| "the store".to_string(), |s| s.to_string());
    format!(
        "# Secret {name} moved to {store} by `leakless migrate`; the {} operator writes it back in the cluster.",
        match op {
            Operator::Eso => "External Secrets",
            Operator::Vso => "Vault Secrets",
            Operator::Infisical => "Infisical",
        }
    )
}

/// The operator resource replacing the Secret `m` (see [`render`]).
pub fn resource(
    ctx: &Context,
    op: Operator,
    m: &Manifest,
    refs: &[(String, Target)],
) -> Result<Json, String> {
    match op {
        Operator::Eso => eso(ctx, m, refs),
        Operator::Vso => vso(ctx, m, refs),
        Operator::Infisical => infisical(ctx, m, refs),
    }
}

fn eso(ctx: &Context, m: &Manifest, refs: &[(String, Target)]) -> Result<Json, String> {
    let mut data = Vec::new();
    for (k, t) in refs {
        let (key, property) = eso_remote_ref(ctx, t)
            .ok_or_else(|| "the External Secrets Operator does not read this store".to_string())?;
        let mut remote = Map::new();
        remote.insert("key".into(), json!(key));
        if let Some(p) = property {
            remote.insert("property".into(), json!(p));
        }
        data.push(json!({ "secretKey": k, "remoteRef": remote }));
    }
    let mut target = Map::new();
    target.insert("name".into(), json!(m.name));
    target.insert("creationPolicy".into(), json!("Owner"));
    if let Some(i) = m.immutable {
        target.insert("immutable".into(), json!(i));
    }
    let mut template = Map::new();
    if let Some(t) = &m.secret_type {
        template.insert("type".into(), json!(t));
    }
    let mut tmeta = Map::new();
    if !m.labels.is_empty() {
        tmeta.insert("labels".into(), json!(m.labels));
    }
    if !m.annotations.is_empty() {
        tmeta.insert("annotations".into(), json!(m.annotations));
    }
    if !tmeta.is_empty() {
        template.insert("metadata".into(), Json::Object(tmeta));
    }
    if !template.is_empty() {
        template.insert("engineVersion".into(), json!("v2"));
        target.insert("template".into(), Json::Object(template));
    }
    let kind = match ctx.args.store_kind {
        StoreRefKind::SecretStore => "SecretStore",
        StoreRefKind::ClusterSecretStore => "ClusterSecretStore",
    };
    Ok(json!({
        "apiVersion": "external-secrets.io/v1",
        "kind": "ExternalSecret",
        "metadata": metadata(m, true),
        "spec": {
            "refreshInterval": ctx.args.refresh,
            "secretStoreRef": { "name": ctx.args.secret_store, "kind": kind },
            "target": target,
            "data": data,
        }
    }))
}

/// One store path for every key: a `VaultStaticSecret` and an `InfisicalSecret` read one folder.
fn one_path<'a>(refs: &'a [(String, Target)], what: &str) -> Result<&'a Target, String> {
    let first = &refs.first().ok_or("the Secret has no keys")?.1;
    if refs
        .iter()
        .any(|(_, t)| t.path != first.path || t.env != first.env)
    {
        return Err(format!(
            "{what} reads one store path, and this Secret's keys went to several"
        ));
    }
    Ok(first)
}

fn vso(ctx: &Context, m: &Manifest, refs: &[(String, Target)]) -> Result<Json, String> {
    if ctx.store != Some(StoreKind::Vault) {
        return Err("the Vault Secrets Operator reads only the vault store".into());
    }
    let t = one_path(refs, "a VaultStaticSecret")?;
    if t.path.is_empty() {
        return Err("a VaultStaticSecret needs a non-empty Vault path (check --path-template)".into());
    }
    let templates: Map<String, Json> = refs
        .iter()
        .map(|(k, t)| {
            (
                k.clone(),
                json!({ "text": format!("{{{{ get .Secrets {} }}}}", go_string(&t.key)) }),
            )
        })
        .collect();
    let mut dest = Map::new();
    dest.insert("name".into(), json!(m.name));
    dest.insert("create".into(), json!(true));
    // The Secret applied from git exists in the cluster: VSO takes it over only with this.
    dest.insert("overwrite".into(), json!(true));
    if let Some(t) = &m.secret_type {
        dest.insert("type".into(), json!(t));
    }
    if !m.labels.is_empty() {
        dest.insert("labels".into(), json!(m.labels));
    }
    if !m.annotations.is_empty() {
        dest.insert("annotations".into(), json!(m.annotations));
    }
    // Only the Secret's own keys, named as before: every raw field excluded, one template each.
    dest.insert(
        "transformation".into(),
        json!({ "excludeRaw": true, "excludes": [".*"], "templates": templates }),
    );
    let mut spec = Map::new();
    spec.insert("type".into(), json!("kv-v2"));
    spec.insert("mount".into(), json!(ctx.vault_mount));
    spec.insert("path".into(), json!(t.path));
    if let Some(ns) = &ctx.vault_namespace {
        spec.insert("namespace".into(), json!(ns));
    }
    // VSO takes one unit (`^[0-9]+(s|m|h)$`): 1h30m is written 90m.
    let secs = duration_secs(&ctx.args.refresh).unwrap_or(3600);
    let refresh = match secs {
        s if s % 3600 == 0 && s > 0 => format!("{}h", s / 3600),
        s if s % 60 == 0 && s > 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    };
    spec.insert("refreshAfter".into(), json!(refresh));
    if let Some(a) = &ctx.args.vault_auth {
        spec.insert("vaultAuthRef".into(), json!(a));
    }
    spec.insert("destination".into(), Json::Object(dest));
    Ok(json!({
        "apiVersion": "secrets.hashicorp.com/v1beta1",
        "kind": "VaultStaticSecret",
        "metadata": metadata(m, true),
        "spec": spec,
    }))
}

/// A Go template string literal.
fn go_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

fn infisical(ctx: &Context, m: &Manifest, refs: &[(String, Target)]) -> Result<Json, String> {
    if ctx.store != Some(StoreKind::Infisical) {
        return Err("the Infisical operator reads only the infisical store".into());
    }
    let Some(ns) = &m.namespace else {
        return Err(
            "an InfisicalSecret names the namespace of the Secret it writes, and this Secret has no metadata.namespace: add it and run migrate again"
                .into(),
        );
    };
    let t = one_path(refs, "an InfisicalSecret")?;
    let project = ctx
        .args
        .infisical_project_slug
        .clone()
        .or_else(|| ctx.infisical_project.clone())
        .ok_or("an InfisicalSecret needs the project slug: pass --k8s-infisical-project-slug")?;
    let env = ctx
        .infisical_env
        .clone()
        .or_else(|| (!t.env.is_empty()).then(|| t.env.clone()))
        .unwrap_or_else(|| super::store::infisical::DEFAULT_ENV.to_string());
    let (cred_ns, cred_name) = split_ref(&ctx.args.infisical_credentials, Some(ns));
    let data: Map<String, Json> = refs
        .iter()
        .map(|(k, t)| (k.clone(), json!(format!("{{{{ .{}.Value }}}}", t.key))))
        .collect();
    if refs.iter().any(|(_, t)| !is_go_field(&t.key)) {
        return Err("a store key is not usable in an Infisical template".into());
    }
    let mut managed = Map::new();
    managed.insert("secretName".into(), json!(m.name));
    managed.insert("secretNamespace".into(), json!(ns));
    managed.insert(
        "secretType".into(),
        json!(m.secret_type.clone().unwrap_or_else(|| "Opaque".into())),
    );
    managed.insert("creationPolicy".into(), json!("Owner"));
    managed.insert(
        "template".into(),
        json!({ "includeAllSecrets": false, "data": data }),
    );
    let mut spec = Map::new();
    if let Some(url) = &ctx.infisical_url {
        spec.insert(
            "hostAPI".into(),
            json!(format!("{}/api", url.trim_end_matches('/'))),
        );
    }
    spec.insert(
        "resyncInterval".into(),
        json!(duration_secs(&ctx.args.refresh).unwrap_or(3600)),
    );
    spec.insert(
        "authentication".into(),
        json!({ "universalAuth": {
            "credentialsRef": { "secretName": cred_name, "secretNamespace": cred_ns.unwrap_or_else(|| ns.clone()) },
            "secretsScope": { "projectSlug": project, "envSlug": env, "secretsPath": format!("/{}", t.path) },
        }}),
    );
    spec.insert("managedKubeSecretReferences".into(), json!([managed]));
    Ok(json!({
        "apiVersion": "secrets.infisical.com/v1alpha1",
        "kind": "InfisicalSecret",
        "metadata": metadata(m, true),
        "spec": spec,
    }))
}

fn is_go_field(k: &str) -> bool {
    k.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// What the cluster needs before the rewritten resources work (one line per operator used).
pub fn setup_hints(ctx: &Context, used: &std::collections::BTreeSet<Operator>) -> Vec<String> {
    let kind = match ctx.args.store_kind {
        StoreRefKind::SecretStore => "SecretStore",
        StoreRefKind::ClusterSecretStore => "ClusterSecretStore",
    };
    let store = &ctx.args.secret_store;
    used.iter()
        .map(|op| match op {
            Operator::Eso => {
                let provider = match ctx.store {
                    Some(StoreKind::Vault) => format!(
                        "provider vault with your server, path: {}, version: v2",
                        ctx.vault_mount
                    ),
                    Some(StoreKind::Aws) => "provider aws with service: SecretsManager and your region".to_string(),
                    Some(StoreKind::Gcp) => "provider gcpsm with your projectID and Workload Identity or a service-account key".to_string(),
                    Some(StoreKind::Azure) => "provider azurekv with your vaultUrl and a workload identity or service principal".to_string(),
                    Some(StoreKind::Doppler) => "provider doppler with a service token of the config the values went to".to_string(),
                    _ => "the provider of your store".to_string(),
                };
                format!(
                    "Kubernetes (rewritten ExternalSecrets): install the External Secrets Operator and create the {kind} `{store}` ({provider}){}, then apply the manifests",
                    if kind == "SecretStore" { " in each of their namespaces" } else { "" }
                )
            }
            Operator::Vso => "Kubernetes (rewritten VaultStaticSecrets): install the Vault Secrets Operator with a VaultConnection and VaultAuth (or pass --k8s-vault-auth) allowed to read the paths, then apply the manifests".to_string(),
            Operator::Infisical => format!(
                "Kubernetes (rewritten InfisicalSecrets): install the Infisical operator and create the Secret `{}` with clientId and clientSecret of a machine identity that can read the project, then apply the manifests",
                ctx.args.infisical_credentials
            ),
        })
        .collect()
}

/// `.Values` paths longer than this are not looked up in templates (no chart has them; a
/// hostile template or values file does not make the lookup quadratic).
pub const MAX_VALUES_PATH: usize = 256;

/// Which chart templates (`<chart>/templates/*`) read which `.Values.<path>`: each chart's
/// templates are read once, on the first question about that chart, and every
/// `.Values.<path>` reference in them (the whole dotted path: `.Values.db` does not read
/// `.Values.db.password`) is indexed. Time and memory are linear in the templates' size.
#[derive(Debug, Default)]
pub struct HelmReaders {
    /// Chart directory → path → templates reading it (in `tracked` order). `None`: no chart.
    charts: std::collections::HashMap<String, Option<std::collections::HashMap<String, Vec<String>>>>,
}

impl HelmReaders {
    /// The templates of `values_file`'s chart (a `Chart.yaml` beside it) that read
    /// `.Values.<dotted>`. `tracked` lists repository paths.
    pub fn readers(
        &mut self,
        root: &std::path::Path,
        tracked: &std::collections::BTreeSet<String>,
        values_file: &str,
        dotted: &str,
    ) -> Vec<String> {
        let dir = values_file.rsplit_once('/').map_or("", |(d, _)| d);
        let index = self
            .charts
            .entry(dir.to_string())
            .or_insert_with(|| chart_index(root, tracked, dir));
        index
            .as_ref()
            .and_then(|i| i.get(dotted))
            .cloned()
            .unwrap_or_default()
    }
}

/// The `.Values` paths each template of the chart in `dir` reads (see [`HelmReaders`]).
fn chart_index(
    root: &std::path::Path,
    tracked: &std::collections::BTreeSet<String>,
    dir: &str,
) -> Option<std::collections::HashMap<String, Vec<String>>> {
    let (prefix, chart) = if dir.is_empty() {
        ("templates/".to_string(), "Chart.yaml".to_string())
    } else {
        (format!("{dir}/templates/"), format!("{dir}/Chart.yaml"))
    };
    if !root.join(&chart).is_file() {
        return None;
    }
    let mut index: std::collections::HashMap<String, Vec<String>> = std::collections::HashMap::new();
    for p in tracked
        .range(prefix.clone()..)
        .take_while(|p| p.starts_with(&prefix))
    {
        let path = root.join(p);
        let readable = std::fs::symlink_metadata(&path)
            .is_ok_and(|m| m.is_file() && m.len() <= MAX_MANIFEST_BYTES as u64);
        let Some(bytes) = readable.then(|| std::fs::read(&path).ok()).flatten() else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        for dotted in values_refs(&text) {
            let readers = index.entry(dotted.to_string()).or_default();
            if readers.last() != Some(p) {
                readers.push(p.clone());
            }
        }
    }
    Some(index)
}

/// Every `<path>` of a `.Values.<path>` in `text`, where `<path>` is the whole run of
/// `[A-Za-z0-9_.]` after it, at most [`MAX_VALUES_PATH`] bytes. Overlapping references
/// (`.Values.Values.a`) count each. Linear: a run's end is found once, and only the last
/// `MAX_VALUES_PATH` bytes of a run can start a path that short.
fn values_refs(text: &str) -> Vec<&str> {
    const NEEDLE: &str = ".Values.";
    let b = text.as_bytes();
    let is_path = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b'.';
    let mut out = Vec::new();
    let mut from = 0;
    // End of the current run of path characters (valid while `start < run_end`).
    let mut run_end = 0;
    while let Some(i) = text[from..].find(NEEDLE).map(|i| from + i) {
        let start = i + NEEDLE.len();
        if start >= run_end {
            run_end = start
                + b[start..]
                    .iter()
                    .position(|&c| !is_path(c))
                    .unwrap_or(b.len() - start);
        }
        if run_end > start && run_end - start <= MAX_VALUES_PATH {
            out.push(&text[start..run_end]);
        }
        // `.Values.` can overlap itself by its last dot.
        from = start - 1;
    }
    out
}

/// Whether a chart directory holds `values_file` (a `Chart.yaml` beside it).
pub fn is_helm_values(root: &std::path::Path, values_file: &str) -> bool {
    let name = values_file.rsplit('/').next().unwrap_or(values_file);
    let dir = values_file.rsplit_once('/').map_or("", |(d, _)| d);
    name.starts_with("values")
        && (name.ends_with(".yaml") || name.ends_with(".yml"))
        && root
            .join(if dir.is_empty() {
                "Chart.yaml".to_string()
            } else {
                format!("{dir}/Chart.yaml")
            })
            .is_file()
}

/// The dotted YAML path of the key on 1-based `line` (`db:\n  password: x` → `db.password`),
/// from indentation; `None` when the line holds no `key:`. One question: see [`YamlPaths`] for
/// many.
pub fn yaml_path_at(text: &str, line: usize) -> Option<String> {
    YamlPaths::new(text).at(line)
}

/// The dotted YAML paths of a file's `key:` lines, from indentation, computed once: each line's
/// parent is the nearest earlier non-blank, non-comment line indented less (found with a stack,
/// so building is linear), and a path is its chain of parents' keys.
#[derive(Debug, Default)]
pub struct YamlPaths {
    /// Each line's key (`None`: the line holds no plain `key:`).
    keys: Vec<Option<Box<str>>>,
    /// Each line's parent line (0-based).
    parent: Vec<Option<u32>>,
}

impl YamlPaths {
    /// The paths of `text`.
    pub fn new(text: &str) -> Self {
        let key_of = |l: &str| -> Option<Box<str>> {
            let t = l.trim_start().trim_start_matches("- ");
            let (k, _) = t.split_once(':')?;
            let k = k.trim().trim_matches(['"', '\'']);
            (!k.is_empty()
                && k.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'))
            .then(|| k.into())
        };
        let mut paths = Self::default();
        // Content lines with strictly increasing indentation: the candidates for a parent.
        let mut stack: Vec<(usize, u32)> = Vec::new();
        for (i, l) in text.lines().enumerate() {
            let t = l.trim_start();
            if t.is_empty() || t.starts_with('#') {
                // Holds no key, and is nobody's parent.
                paths.parent.push(None);
                paths.keys.push(None);
                continue;
            }
            let indent = l.len() - t.len();
            while stack.last().is_some_and(|&(d, _)| d >= indent) {
                stack.pop();
            }
            paths.parent.push(stack.last().map(|&(_, p)| p));
            paths.keys.push(key_of(l));
            stack.push((indent, u32::try_from(i).unwrap_or(u32::MAX)));
        }
        paths
    }

    /// The dotted path of the key on 1-based `line`; `None` when that line, or one of its
    /// parents, holds no plain `key:`.
    pub fn at(&self, line: usize) -> Option<String> {
        let mut i = line.checked_sub(1)?;
        let mut path = vec![self.keys.get(i)?.as_deref()?];
        while let Some(p) = self.parent[i] {
            i = p as usize;
            path.push(self.keys[i].as_deref()?);
        }
        path.reverse();
        Some(path.join("."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_split_on_markers_only() {
        let text = "a: 1\n---\nkind: Secret\n--- # c\nb: |\n  ---x\n...\n";
        let docs = documents(text);
        let parts: Vec<&str> = docs.iter().map(|(r, _)| &text[r.clone()]).collect();
        assert_eq!(parts, vec!["a: 1\n", "kind: Secret\n", "b: |\n  ---x\n"]);
        assert_eq!(docs.iter().map(|d| d.1).collect::<Vec<_>>(), vec![1, 3, 5]);
    }

    #[test]
    fn secrets_are_read_with_data_and_string_data() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: prod\n  annotations:\n    kubectl.kubernetes.io/last-applied-configuration: '{\"data\":{}}'\n    team: a\ntype: kubernetes.io/basic-auth\ndata:\n  username: YWRtaW4=\n  password: c2VjcmV0\nstringData:\n  password: override\n";
        let s = find_secrets(text);
        assert_eq!(s.docs.len(), 1);
        let d = &s.docs[0];
        assert_eq!(d.manifest.name, "db");
        assert_eq!(d.manifest.namespace.as_deref(), Some("prod"));
        assert_eq!(
            d.manifest.secret_type.as_deref(),
            Some("kubernetes.io/basic-auth")
        );
        assert_eq!(d.manifest.annotations.keys().collect::<Vec<_>>(), vec!["team"]);
        let kv: Vec<(&str, &[u8], usize)> = d
            .entries
            .iter()
            .map(|e| (e.key.as_str(), e.value.as_slice(), e.line))
            .collect();
        assert_eq!(
            kv,
            vec![
                ("username", &b"admin"[..], 15),
                ("password", &b"override"[..], 16)
            ]
        );
        assert_eq!(&text[d.range.clone()][..14], "apiVersion: v1");
    }

    #[test]
    fn binary_bad_base64_and_templates() {
        let bin = "apiVersion: v1\nkind: Secret\nmetadata: {name: b}\ndata:\n  k: //79\n";
        assert!(find_secrets(bin).unsupported[0].why.contains("binary"));
        let bad = "apiVersion: v1\nkind: Secret\nmetadata: {name: b}\ndata:\n  k: '!!!'\n";
        assert!(find_secrets(bad).unsupported[0].why.contains("base64"));
        let helm = "apiVersion: v1\nkind: Secret\nmetadata: {name: b}\nstringData:\n  k: {{ .Values.x }}\n";
        let s = find_secrets(helm);
        assert!(s.docs.is_empty() && s.unsupported.is_empty());
    }

    #[test]
    fn alias_bombs_are_bounded() {
        let mut bomb = String::from(
            "apiVersion: v1\nkind: Secret\nmetadata: {name: b}\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n",
        );
        for i in 1..12 {
            let p = i - 1;
            bomb.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        bomb.push_str("stringData: {k: v}\n");
        let t = std::time::Instant::now();
        let s = find_secrets(&bomb);
        assert!(s.docs.is_empty());
        assert!(t.elapsed().as_secs() < 10);
    }

    #[test]
    fn store_keys_and_paths() {
        assert_eq!(store_key("db-creds", "password"), "DB_CREDS_PASSWORD");
        assert_eq!(store_key("app", "DATABASE_URL"), "DATABASE_URL");
        assert_eq!(store_key("tls", "tls.crt"), "TLS_TLS_CRT");
        let v = "db:\n  main:\n    password: x\n  other: y\ntoken: z\n";
        assert_eq!(yaml_path_at(v, 3).as_deref(), Some("db.main.password"));
        assert_eq!(yaml_path_at(v, 4).as_deref(), Some("db.other"));
        assert_eq!(yaml_path_at(v, 5).as_deref(), Some("token"));
        assert_eq!(duration_secs("1h30m"), Some(5400));
        assert_eq!(duration_secs("1d"), None);
    }

    /// The path finder as it was first written (one backwards walk per question), kept as the
    /// reference [`YamlPaths`] must agree with.
    fn yaml_path_naive(text: &str, line: usize) -> Option<String> {
        let lines: Vec<&str> = text.lines().collect();
        let own = *lines.get(line.checked_sub(1)?)?;
        let key_of = |l: &str| -> Option<String> {
            let t = l.trim_start().trim_start_matches("- ");
            let (k, _) = t.split_once(':')?;
            let k = k.trim().trim_matches(['"', '\'']);
            (!k.is_empty()
                && k.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'))
            .then(|| k.to_string())
        };
        let indent = |l: &str| l.len() - l.trim_start().len();
        let mut path = vec![key_of(own)?];
        let mut level = indent(own);
        for l in lines[..line - 1].iter().rev() {
            let t = l.trim_start();
            if t.is_empty() || t.starts_with('#') || indent(l) >= level {
                continue;
            }
            path.push(key_of(l)?);
            level = indent(l);
            if level == 0 {
                break;
            }
        }
        path.reverse();
        Some(path.join("."))
    }

    #[test]
    fn yaml_paths_agree_with_the_one_question_walk() {
        // Fixed-seed random indented text: keys, lists, comments, blank and odd lines.
        let mut next = crate::test_rng(20261206);
        let pieces = [
            "a: 1",
            "b:",
            "- c: x",
            "# d: y",
            "",
            "  ",
            "e-f: \"z\"",
            "'g': 2",
            "not a key",
            ":",
            "h",
            "\ti: 3",
            "\"j k\": 4",
        ];
        for _ in 0..300 {
            let mut text = String::new();
            for _ in 0..next(40) {
                text.push_str(&" ".repeat(next(7) as usize));
                text.push_str(pieces[next(pieces.len() as u64) as usize]);
                text.push_str(if next(5) == 0 { "\r\n" } else { "\n" });
            }
            let paths = YamlPaths::new(&text);
            for line in 0..=text.lines().count() + 1 {
                assert_eq!(
                    paths.at(line),
                    yaml_path_naive(&text, line),
                    "line {line} of {text:?}"
                );
            }
        }
    }

    #[test]
    fn values_references_are_whole_paths() {
        let t = "{{ .Values.db.password }} {{ .Values.db }}{{.Values.db.passwordX}} $.Values.a_b.c. .Values.Values.x .Values.";
        assert_eq!(
            values_refs(t),
            vec!["db.password", "db", "db.passwordX", "a_b.c.", "Values.x", "x"]
        );
        // A run of references longer than the cap: only the short tail ones, in one pass.
        let chain = ".Values".repeat(200_000) + ".k";
        let refs = values_refs(&chain);
        assert!(refs.iter().all(|r| r.len() <= MAX_VALUES_PATH) && refs.contains(&"k"));
        assert!(refs.len() <= MAX_VALUES_PATH / 7 + 1, "{}", refs.len());
    }

    #[test]
    fn many_keys_are_linear() {
        let mut doc = String::from("apiVersion: v1\nkind: Secret\nmetadata: {name: many}\nstringData:\n");
        for i in 0..40_000 {
            doc.push_str(&format!("  k{i}: v\n"));
        }
        let t = std::time::Instant::now();
        let s = find_secrets(&doc);
        assert_eq!(s.docs[0].entries.len(), 40_000);
        assert_eq!(s.docs[0].entries[39_999].line, 40_004);
        assert!(t.elapsed().as_secs() < 10);
    }

    #[test]
    fn lists_of_secrets_are_manual() {
        let list = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Secret\n  metadata: {name: a}\n  stringData: {k: v}\n";
        assert!(find_secrets(list).unsupported[0].why.contains("List"));
        let other = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: Secret}\n";
        assert!(find_secrets(other).unsupported.is_empty());
    }

    #[test]
    fn aws_refs_follow_the_store_layout() {
        let t = Target::new("shop/prod", "DB_PASSWORD");
        let mut ctx = Context {
            store: Some(StoreKind::Aws),
            ..Context::default()
        };
        assert_eq!(
            eso_remote_ref(&ctx, &t),
            Some(("shop/prod/DB_PASSWORD".into(), None))
        );
        ctx.aws_per_file = true;
        assert_eq!(
            eso_remote_ref(&ctx, &t),
            Some(("shop/prod".into(), Some("DB_PASSWORD".into())))
        );
        let m = Manifest {
            name: "db".into(),
            namespace: Some("shop".into()),
            ..Manifest::default()
        };
        let out = render(&ctx, Operator::Eso, &m, &[("password".into(), t)]).expect("render");
        assert!(out.contains("kind: ExternalSecret\n"), "{out}");
        assert!(
            out.contains("key: shop/prod\n      property: DB_PASSWORD\n"),
            "{out}"
        );
        assert!(
            !out.contains("template"),
            "no type, no labels: no template\n{out}"
        );
        ctx.store = Some(StoreKind::Dotenv);
        assert!(render(&ctx, Operator::Eso, &m, &[("k".into(), Target::new("", "K"))]).is_err());
    }

    #[test]
    fn named_secret_stores_refer_to_the_stores_own_names() {
        let t = Target::new("shop/prod", "DB_PASSWORD");
        let mut ctx = Context {
            store: Some(StoreKind::Gcp),
            ..Context::default()
        };
        // Each ref is the store's own name for the target, read back by its inverse.
        let (id, prop) = eso_remote_ref(&ctx, &t).expect("gcp ref");
        assert_eq!(prop, None);
        assert_eq!(
            crate::migrate::store::gcp::parse_secret_id(&id),
            Some(("shop/prod".into(), "DB_PASSWORD".into()))
        );
        ctx.store = Some(StoreKind::Azure);
        let (name, _) = eso_remote_ref(&ctx, &t).expect("azure ref");
        assert_eq!(
            crate::migrate::store::azure::parse_name(&name),
            Some(("shop/prod".into(), "DB_PASSWORD".into()))
        );
        ctx.store = Some(StoreKind::Doppler);
        assert_eq!(
            eso_remote_ref(&ctx, &Target::new("", "DB_PASSWORD")),
            Some(("DB_PASSWORD".into(), None))
        );
        for store in [StoreKind::Gcp, StoreKind::Azure, StoreKind::Doppler] {
            assert_eq!(operator_for(store, None), Ok(Operator::Eso));
        }
    }

    #[test]
    fn operators_per_store() {
        assert_eq!(operator_for(StoreKind::Vault, None), Ok(Operator::Eso));
        assert_eq!(
            operator_for(StoreKind::Vault, Some(Operator::Vso)),
            Ok(Operator::Vso)
        );
        assert_eq!(operator_for(StoreKind::Aws, None), Ok(Operator::Eso));
        assert_eq!(operator_for(StoreKind::Infisical, None), Ok(Operator::Infisical));
        assert!(operator_for(StoreKind::Dotenv, None).is_err());
        assert!(operator_for(StoreKind::Aws, Some(Operator::Vso)).is_err());
    }
}
