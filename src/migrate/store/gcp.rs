//! The `gcp` store: Google Cloud Secret Manager over its REST API (v1), with our own small
//! OAuth 2.0 client instead of the Google SDK.
//!
//! Teams on Google Cloud keep their secrets in Secret Manager, where Cloud Run, GKE, Cloud
//! Functions and Cloud Build read them natively; `--to gcp` puts each migrated value there.
//!
//! **Naming.** Secret ids may only hold `[A-Za-z0-9_-]`, at most 255 of them, and there are no
//! folders, so a [`Target`] (`shop/dev` + `DATABASE_URL`) becomes one secret whose id encodes the
//! store path and the key reversibly ([`secret_id`], [`parse_secret_id`]): `/` becomes `--`, any
//! other byte outside `[A-Za-z0-9_]` (including `-` itself) becomes `-XX` (two upper-case hex
//! digits), so `shop/dev/DATABASE_URL` is `shop--dev--DATABASE_URL` and `my-app/dev/KEY` is
//! `my-2Dapp--dev--KEY`. With the default path template `{project}/{env}` the environment is part
//! of the id. A secret leakless creates also carries the label `managed-by=leakless` (and
//! `leakless-env=<env>` when the environment is a valid label value) for `gcloud secrets list
//! --filter`, and the annotations `leakless-path` and `leakless-key` with the unencoded names.
//!
//! **Calls** (REST reference, `projects.secrets`): `versions/latest:access` to read (the payload
//! is base64 bytes, so any value is stored exactly, up to 64 KiB; its `dataCrc32c` is checked);
//! `GET` the secret to tell "no secret" from "a secret without a version"; `POST
//! projects/{p}/secrets?secretId=` to create it (automatic replication, or user-managed with
//! `--gcp-replica-locations`); `:addVersion` with the payload and its CRC32C (`dataCrc32c`, which
//! the service checks) to write.
//!
//! **No lost updates.** Secret Manager has no check-and-set on versions. A put reads the latest
//! version number N, adds its version and checks the service numbered it N+1 (versions are
//! numbered in order of creation); otherwise another writer added versions in between, and the
//! put fails saying so (both values are kept as versions, nothing is lost silently). A create
//! cannot clobber: `secrets.create` answers 409 when someone was faster, and we re-read.
//!
//! **Credentials**, in the order Google's tools use: `GOOGLE_OAUTH_ACCESS_TOKEN` (an access token
//! already issued, e.g. `gcloud auth print-access-token`), then the JSON file named by
//! `--gcp-credentials`/`GOOGLE_APPLICATION_CREDENTIALS`, then gcloud's application-default
//! credentials file. A `service_account` key is exchanged for an access token with the JWT-bearer
//! grant (RFC 7523: an RS256-signed JWT, signed with `ring`, posted to the key's `token_uri`); an
//! `authorized_user` file (`gcloud auth application-default login`) with the refresh-token grant;
//! an `external_account` file (workload identity federation, as google-github-actions/auth
//! writes it) by exchanging the CI's OIDC token (from a file or URL) at Google's STS and then,
//! when the file names one, for a service account's token (IAM Credentials `generateAccessToken`).
//! Without any of these, on a Google Cloud runtime (GCE, GKE, Cloud Run, Cloud Functions, Cloud
//! Build), the metadata server's token for the attached service account (asked over the
//! machine-local plain http it speaks; nothing secret is sent to it). Bearer tokens, assertions
//! and refresh tokens only travel over https (plain http only to a loopback address, for tests),
//! and none of them, nor a value, is ever printed.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use rustls_pki_types::pem::PemObject as _;
use serde_json::{json, Value};
use zeroize::Zeroize;

use super::aws::{env_nonempty, nonempty, shell_quote, Sensitive};
use super::{Put, SecretStore, StoreError, Target};
use crate::findings::Secret;
use crate::migrate::http::{capped_line, encode_segment, strip_query, withhold, Client, Response};

const STORE: &str = "gcp";
const HEADING: &str = "GCP Secret Manager (--to gcp)";
/// The global Secret Manager endpoint.
pub const DEFAULT_ENDPOINT: &str = "https://secretmanager.googleapis.com";
/// Google's OAuth 2.0 token endpoint (for key files without a `token_uri`).
pub const DEFAULT_TOKEN_URI: &str = "https://oauth2.googleapis.com/token";
/// The scope a service-account token is requested for.
const SCOPE: &str = "https://www.googleapis.com/auth/cloud-platform";
/// Secret Manager's payload limit.
pub const MAX_PAYLOAD: usize = 64 * 1024;
/// Secret Manager's secret id limit.
pub const MAX_ID: usize = 255;
/// Key files larger than this are not key files.
const MAX_KEY_FILE: u64 = 64 * 1024;
/// How many times a 429 (and, for reads, a 503) is retried.
const RETRIES: u32 = 3;

/// `--to gcp` options.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct GcpArgs {
    /// Google Cloud project id (or number) holding the secrets; falls back to
    /// CLOUDSDK_CORE_PROJECT and the key file's project_id.
    #[arg(
        id = "gcp-project",
        long = "gcp-project",
        env = "GOOGLE_CLOUD_PROJECT",
        value_name = "PROJECT",
        help_heading = HEADING
    )]
    pub project: Option<String>,
    /// Secret Manager endpoint (a private or regional endpoint, or a test server) [default:
    /// `https://secretmanager.googleapis.com`].
    #[arg(
        id = "gcp-endpoint",
        long = "gcp-endpoint",
        env = "CLOUDSDK_API_ENDPOINT_OVERRIDES_SECRETMANAGER",
        value_name = "URL",
        help_heading = HEADING
    )]
    pub endpoint: Option<String>,
    /// A service-account key or authorized-user JSON file [default: gcloud's
    /// application-default credentials].
    #[arg(
        id = "gcp-credentials",
        long = "gcp-credentials",
        env = "GOOGLE_APPLICATION_CREDENTIALS",
        value_name = "FILE",
        help_heading = HEADING
    )]
    pub credentials: Option<PathBuf>,
    /// An OAuth 2.0 access token already issued (environment only in practice; hidden flag).
    #[arg(
        id = "gcp-access-token",
        long = "gcp-access-token",
        env = "GOOGLE_OAUTH_ACCESS_TOKEN",
        hide = true,
        hide_env_values = true
    )]
    pub access_token: Option<Sensitive>,
    /// Create new secrets with user-managed replication in these locations (comma-separated,
    /// e.g. europe-west1,europe-west4) instead of automatic replication.
    #[arg(
        id = "gcp-replica-locations",
        long = "gcp-replica-locations",
        value_delimiter = ',',
        value_name = "LOCATION",
        help_heading = HEADING
    )]
    pub replica_locations: Vec<String>,
}

/// How the store gets its bearer token.
enum Auth {
    /// `GOOGLE_OAUTH_ACCESS_TOKEN`: used as is, never refreshed.
    Static,
    /// A service-account key: JWT-bearer grant.
    ServiceAccount {
        email: String,
        key_id: String,
        key: ring::signature::RsaKeyPair,
        token_uri: String,
    },
    /// The metadata server of GCE, GKE, Cloud Run, Cloud Functions and Cloud Build (`host[:port]`):
    /// the attached service account's token.
    Metadata { host: String },
    /// Workload identity federation (`external_account`, e.g. written by
    /// google-github-actions/auth): an OIDC token exchanged at Google's STS, then (usually) for a
    /// service account's token.
    External(External),
    /// gcloud's user credentials: refresh-token grant.
    AuthorizedUser {
        client_id: String,
        client_secret: Secret,
        refresh_token: Secret,
        token_uri: String,
    },
}

/// An `external_account` credentials file (see [`Auth::External`]).
struct External {
    audience: String,
    subject_token_type: String,
    token_url: String,
    impersonation_url: Option<String>,
    /// Where the subject token comes from: a file, or a URL (with headers).
    source_file: Option<PathBuf>,
    source_url: Option<String>,
    source_headers: Vec<(String, String)>,
    /// `format.subject_token_field_name` when the source is JSON.
    json_field: Option<String>,
}

/// The `gcp` store.
pub struct GcpStore {
    client: Client,
    /// Endpoint without a trailing `/` (and without `/v1`).
    endpoint: String,
    /// The endpoint as given, when it is not the default one (for `fetch_hint` and the map).
    custom_endpoint: Option<String>,
    project: String,
    replica_locations: Vec<String>,
    auth: Auth,
    token: Secret,
    /// When the token must be renewed (`None`: never, for a static token).
    renew_at: Option<Instant>,
}

impl fmt::Debug for GcpStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GcpStore")
            .field("endpoint", &self.endpoint)
            .field("project", &self.project)
            .finish_non_exhaustive()
    }
}

/// What `versions/latest:access` found.
enum Latest {
    /// The value and its version number.
    Value(Secret, u64),
    /// 404: no such secret, or one without versions.
    Absent,
    /// The latest version exists but cannot be read (disabled or destroyed).
    Unreadable(String),
}

/// The fields of a credentials file we use.
#[derive(serde::Deserialize)]
struct KeyFile {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    project_id: String,
    #[serde(default)]
    private_key_id: String,
    #[serde(default)]
    private_key: String,
    #[serde(default)]
    client_email: String,
    #[serde(default)]
    token_uri: String,
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    client_secret: String,
    #[serde(default)]
    refresh_token: String,
    #[serde(default)]
    audience: String,
    #[serde(default)]
    subject_token_type: String,
    #[serde(default)]
    token_url: String,
    #[serde(default)]
    service_account_impersonation_url: String,
    #[serde(default)]
    credential_source: Value,
}

impl Drop for KeyFile {
    fn drop(&mut self) {
        self.private_key.zeroize();
        self.client_secret.zeroize();
        self.refresh_token.zeroize();
    }
}

/// gcloud's application-default credentials file, when it exists.
fn well_known_file() -> Option<PathBuf> {
    let base = if cfg!(windows) {
        PathBuf::from(std::env::var_os("APPDATA")?).join("gcloud")
    } else if let Some(dir) = std::env::var_os("CLOUDSDK_CONFIG").filter(|d| !d.is_empty()) {
        PathBuf::from(dir)
    } else {
        PathBuf::from(std::env::var_os("HOME")?).join(".config/gcloud")
    };
    let f = base.join("application_default_credentials.json");
    f.is_file().then_some(f)
}

/// The metadata server to ask for a token when no other credentials are given:
/// `GCE_METADATA_HOST` (as Google's libraries read it), else `metadata.google.internal` when this
/// looks like a Google Cloud runtime (Cloud Run / Functions variables, or a GCE machine's DMI
/// product name) and `NO_GCE_CHECK` is not `true`; `None` elsewhere, so a laptop never waits
/// for it.
fn metadata_host() -> Result<Option<String>, StoreError> {
    if let Some(host) = env_nonempty("GCE_METADATA_HOST") {
        let host = host.trim().to_string();
        if !host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        {
            return Err(StoreError::Config(format!(
                "GCE_METADATA_HOST {host:?} is not HOST[:PORT]"
            )));
        }
        return Ok(Some(host));
    }
    // Google's libraries skip the check with NO_GCE_CHECK=True.
    if env_nonempty("NO_GCE_CHECK").is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "1") {
        return Ok(None);
    }
    let runtime = ["K_SERVICE", "CLOUD_RUN_JOB", "FUNCTION_TARGET"]
        .iter()
        .any(|v| env_nonempty(v).is_some());
    let gce = cfg!(target_os = "linux")
        && std::fs::read_to_string("/sys/class/dmi/id/product_name")
            .is_ok_and(|p| p.trim_start().starts_with("Google"));
    Ok((runtime || gce).then(|| "metadata.google.internal".to_string()))
}

/// The project of the machine, from its metadata server.
fn metadata_project(client: &Client, host: &str) -> Result<Option<String>, StoreError> {
    let url = format!("http://{host}/computeMetadata/v1/project/project-id");
    let resp = client.send("GET", &url, &[("Metadata-Flavor", "Google")], None)?;
    if !resp.ok() {
        return Ok(None);
    }
    let id = String::from_utf8_lossy(&resp.body).trim().to_string();
    Ok((!id.is_empty() && id.len() <= 100).then_some(id))
}

/// Checks a URL a bearer token or assertion is sent to: https, or http to a loopback address;
/// no user name, query or fragment. Returns it without a trailing `/`.
fn checked_url(url: &str, what: &str) -> Result<String, StoreError> {
    let bad = |why: &str| StoreError::Config(format!("{what} {:?}: {why}", strip_query(url)));
    let url = url.trim().trim_end_matches('/');
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| bad("expected https://HOST[:PORT][/PATH]"))?;
    let authority = rest.split('/').next().unwrap_or("");
    if authority.is_empty() || authority.contains('@') {
        return Err(bad("expected a host (and no user name)"));
    }
    if rest.contains(['?', '#']) {
        return Err(bad("no query or fragment, please"));
    }
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    match scheme.to_ascii_lowercase().as_str() {
        "https" => {}
        "http" if matches!(host, "127.0.0.1" | "localhost" | "::1") => {}
        "http" => {
            return Err(bad(
                "credentials only go over https (plain http only to a loopback address)",
            ))
        }
        _ => return Err(bad("the scheme must be https")),
    }
    Ok(url.to_string())
}

/// Whether `url` is one of Google's endpoints (`https://*.googleapis.com`: global, regional
/// `*.rep.googleapis.com` and Private Service Connect `*.p.googleapis.com`) or a loopback test
/// server: where a committed map may point the store without the user saying so.
pub fn trusted_endpoint(url: &str) -> bool {
    let Ok(url) = checked_url(url, "endpoint") else {
        return false;
    };
    let url = url.to_ascii_lowercase();
    let Some(rest) = url.strip_prefix("https://") else {
        // `checked_url` lets plain http through only to a loopback address.
        return url.starts_with("http://");
    };
    let host = rest.split(['/', ':']).next().unwrap_or("");
    host == "googleapis.com" || host.ends_with(".googleapis.com")
}

/// The CRC32C (Castagnoli) checksum Secret Manager uses for `dataCrc32c`.
pub fn crc32c(data: &[u8]) -> u32 {
    const CRC: crc::Crc<u32> = crc::Crc::<u32>::new(&crc::CRC_32_ISCSI);
    CRC.checksum(data)
}

/// The secret id of `path` + `key` (see the module documentation); `None` when the encoded id
/// is empty or longer than [`MAX_ID`].
pub fn secret_id(path: &str, key: &str) -> Option<String> {
    let full = if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}/{key}")
    };
    let mut id = String::with_capacity(full.len());
    for b in full.bytes() {
        if b.is_ascii_alphanumeric() || b == b'_' {
            id.push(b as char);
        } else if b == b'/' {
            id.push_str("--");
        } else {
            id.push_str(&format!("-{b:02X}"));
        }
    }
    (!key.is_empty() && id.len() <= MAX_ID).then_some(id)
}

/// The inverse of [`secret_id`]: `(path, key)`, `None` for an id leakless would not produce.
pub fn parse_secret_id(id: &str) -> Option<(String, String)> {
    let b = id.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'-' if b.get(i + 1) == Some(&b'-') => {
                out.push(b'/');
                i += 2;
            }
            b'-' => {
                let hex = id.get(i + 1..i + 3)?;
                if !hex
                    .bytes()
                    .all(|c| c.is_ascii_digit() || (b'A'..=b'F').contains(&c))
                {
                    return None;
                }
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            c if c.is_ascii_alphanumeric() || c == b'_' => {
                out.push(c);
                i += 1;
            }
            _ => return None,
        }
    }
    let full = String::from_utf8(out).ok()?;
    let (path, key) = full.rsplit_once('/').unwrap_or(("", &full));
    (!key.is_empty()).then(|| (path.to_string(), key.to_string()))
}

/// The number at the end of a version name `projects/p/secrets/s/versions/N`.
fn version_number(name: &str) -> Option<u64> {
    name.rsplit_once("/versions/")?.1.parse().ok()
}

/// A Google API error: `{"error": {"code", "message", "status"}}`, or an OAuth one (`{"error":
/// "invalid_grant", "error_description": ...}`).
struct ApiError {
    http: u16,
    status: String,
    message: String,
}

impl ApiError {
    fn parse(resp: &Response) -> Self {
        let v: Value = serde_json::from_slice(&resp.body).unwrap_or(Value::Null);
        let (status, message) = match &v["error"] {
            Value::Object(e) => (
                e.get("status").and_then(Value::as_str).unwrap_or(""),
                e.get("message").and_then(Value::as_str).unwrap_or(""),
            ),
            Value::String(code) => (code.as_str(), v["error_description"].as_str().unwrap_or("")),
            _ => ("", ""),
        };
        Self {
            http: resp.status,
            status: capped_line(status),
            message: message.to_string(),
        }
    }

    /// The message as shown: without any part of `secrets`, then on one line, at most 300
    /// characters, control characters escaped.
    fn shown(&self, secrets: &[&[u8]]) -> String {
        capped_line(&withhold(&self.message, secrets))
    }

    /// The [`StoreError`] for this answer to `doing` `location`; `value`, when given, is withheld
    /// from the message should the service echo it (whole or in part).
    fn into_store_error(self, location: &str, doing: &str, value: Option<&[u8]>) -> StoreError {
        let message = self.shown(value.as_slice());
        let status = if self.status.is_empty() {
            format!("HTTP {}", self.http)
        } else {
            self.status
        };
        match self.http {
            401 | 403 => StoreError::Auth {
                store: STORE,
                reason: format!("{doing} {location}: {status}: {message}"),
            },
            code => StoreError::Other(format!(
                "{location}: {doing} failed: HTTP {code} {status}: {message}"
            )),
        }
    }
}

impl GcpStore {
    /// Checks the settings and gets an access token (so bad credentials fail before anything is
    /// planned to be written).
    pub fn open(args: &GcpArgs) -> Result<Self, StoreError> {
        let given = nonempty(&args.endpoint);
        let endpoint = given.clone().unwrap_or_else(|| DEFAULT_ENDPOINT.to_string());
        let mut endpoint = checked_url(&endpoint, "--gcp-endpoint")?;
        if let Some(e) = endpoint.strip_suffix("/v1") {
            endpoint = e.trim_end_matches('/').to_string();
        }
        for loc in &args.replica_locations {
            if loc.is_empty()
                || !loc
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            {
                return Err(StoreError::Config(format!(
                    "--gcp-replica-locations: {loc:?} is not a location name (like europe-west1)"
                )));
            }
        }
        let token = args
            .access_token
            .as_ref()
            .map(|t| t.0.trim().to_string())
            .filter(|t| !t.is_empty());
        let (auth, file_project) = match token {
            Some(_) => (Auth::Static, None),
            None => {
                let file = args
                    .credentials
                    .clone()
                    .filter(|p| !p.as_os_str().is_empty())
                    .or_else(well_known_file);
                match (file, metadata_host()?) {
                    (Some(file), _) => load_key_file(&file)?,
                    (None, Some(host)) => (Auth::Metadata { host }, None),
                    (None, None) => {
                        return Err(StoreError::Config(
                            "--to gcp needs credentials: GOOGLE_OAUTH_ACCESS_TOKEN (e.g. from `gcloud auth \
                             print-access-token`), a service-account key file in GOOGLE_APPLICATION_CREDENTIALS \
                             (or --gcp-credentials), `gcloud auth application-default login`, or the metadata \
                             server of a Google Cloud runtime"
                                .into(),
                        ))
                    }
                }
            }
        };
        let file_project = match (&file_project, &auth) {
            (None, Auth::Metadata { host }) if nonempty(&args.project).is_none() => {
                metadata_project(&Client::new(STORE), host)?
            }
            _ => file_project,
        };
        let project = nonempty(&args.project)
            .or_else(|| env_nonempty("CLOUDSDK_CORE_PROJECT"))
            .or(file_project)
            .ok_or_else(|| {
                StoreError::Config("--gcp-project (or GOOGLE_CLOUD_PROJECT) is required for --to gcp".into())
            })?;
        if !project
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.' || b == b':')
        {
            return Err(StoreError::Config(format!(
                "--gcp-project {project:?} is not a project id (like my-project-123) or number"
            )));
        }
        let mut store = Self {
            client: Client::new(STORE),
            endpoint,
            custom_endpoint: given,
            project,
            replica_locations: args.replica_locations.clone(),
            auth,
            token: Secret::new(token.unwrap_or_default().into_bytes()),
            renew_at: None,
        };
        if !matches!(store.auth, Auth::Static) {
            store.renew_token()?;
        }
        Ok(store)
    }

    /// The project the secrets are in.
    pub fn project(&self) -> &str {
        &self.project
    }

    /// The secret id of `target`, or why it has none ([`StoreError::Unstorable`]).
    pub fn secret_id(&self, target: &Target) -> Result<String, StoreError> {
        // Unstorable, not a run error: one odd key name leaves that secret in its file (a manual
        // step) and the others still move.
        secret_id(&target.path, &target.key).ok_or_else(|| {
            StoreError::Unstorable(format!(
                "gcp:{}/{}: the secret id would be empty or longer than {MAX_ID} characters: choose a shorter \
                 --path-template",
                target.path.chars().take(80).collect::<String>(),
                target.key.chars().take(80).collect::<String>()
            ))
        })
    }

    /// Gets a new access token from the token endpoint.
    fn renew_token(&mut self) -> Result<(), StoreError> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let (token_uri, mut form) = match &self.auth {
            Auth::External(x) => {
                let started = Instant::now();
                let (token, lifetime) = self.external_token(x)?;
                self.token = token;
                self.renew_at = Some(started + Duration::from_secs(lifetime.saturating_sub(60)));
                return Ok(());
            }
            Auth::Metadata { host } => {
                let url = format!("http://{host}/computeMetadata/v1/instance/service-accounts/default/token");
                (url, String::new())
            }
            Auth::Static => {
                return Err(StoreError::Auth {
                    store: STORE,
                    reason: "the access token (GOOGLE_OAUTH_ACCESS_TOKEN) was refused or has expired".into(),
                })
            }
            Auth::ServiceAccount {
                email,
                key_id,
                key,
                token_uri,
            } => {
                let assertion = jwt(email, key_id, key, token_uri, now)?;
                let form = format!(
                    "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion={}",
                    String::from_utf8_lossy(assertion.expose())
                );
                (token_uri.clone(), form)
            }
            Auth::AuthorizedUser {
                client_id,
                client_secret,
                refresh_token,
                token_uri,
            } => {
                let form = format!(
                    "grant_type=refresh_token&client_id={}&client_secret={}&refresh_token={}",
                    encode_segment(client_id),
                    encode_segment(&String::from_utf8_lossy(client_secret.expose())),
                    encode_segment(&String::from_utf8_lossy(refresh_token.expose())),
                );
                (token_uri.clone(), form)
            }
        };
        let started = Instant::now();
        let result = if form.is_empty() {
            self.client.send(
                "GET",
                &token_uri,
                &[("Metadata-Flavor", "Google"), ("Accept", "application/json")],
                None,
            )
        } else {
            self.client.send(
                "POST",
                &token_uri,
                &[
                    ("Content-Type", "application/x-www-form-urlencoded"),
                    ("Accept", "application/json"),
                ],
                Some(form.as_bytes()),
            )
        };
        form.zeroize();
        let (token, lifetime) = token_answer(result?, &token_uri, "access_token")?;
        self.token = token;
        // Renew a minute early (or at half-life for short tokens).
        let margin = (lifetime / 2).min(60);
        self.renew_at = Some(started + Duration::from_secs(lifetime.saturating_sub(margin)));
        Ok(())
    }

    /// Workload identity federation: the subject token from its source, exchanged at the STS
    /// endpoint (RFC 8693), then for the service account's token when the file names one.
    fn external_token(&self, x: &External) -> Result<(Secret, u64), StoreError> {
        let auth_err = |reason: String| StoreError::Auth { store: STORE, reason };
        let mut raw = match (&x.source_url, &x.source_file) {
            (Some(url), _) => {
                let headers: Vec<(&str, &str)> = x
                    .source_headers
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                let resp = self.client.send("GET", url, &headers, None)?;
                if !resp.ok() {
                    return Err(auth_err(format!(
                        "the external account's token source {} answered HTTP {}",
                        strip_query(url),
                        resp.status
                    )));
                }
                resp.body
            }
            (None, Some(file)) => std::fs::read(file).map_err(|e| {
                StoreError::Config(format!(
                    "the external account's token file {}: {e}",
                    file.display()
                ))
            })?,
            (None, None) => return Err(StoreError::Config("no subject token source".into())),
        };
        let subject = match &x.json_field {
            Some(field) => {
                let parsed = serde_json::from_slice::<Value>(&raw);
                parsed
                    .ok()
                    .and_then(|v| v[field.as_str()].as_str().map(str::to_string))
                    .ok_or_else(|| auth_err(format!("the subject token source has no {field:?} field")))?
            }
            None => String::from_utf8_lossy(&raw).trim().to_string(),
        };
        raw.zeroize();
        let subject = Secret::new(subject.into_bytes());
        let mut form = format!(
            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&audience={}&scope={}\
             &requested_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token\
             &subject_token_type={}&subject_token={}",
            encode_segment(&x.audience),
            encode_segment(SCOPE),
            encode_segment(&x.subject_token_type),
            encode_segment(&String::from_utf8_lossy(subject.expose())),
        );
        let result = self.client.send(
            "POST",
            &x.token_url,
            &[
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("Accept", "application/json"),
            ],
            Some(form.as_bytes()),
        );
        form.zeroize();
        let (federated, lifetime) = token_answer(result?, &x.token_url, "access_token")?;
        let Some(url) = &x.impersonation_url else {
            return Ok((federated, lifetime));
        };
        let mut auth = format!("Bearer {}", String::from_utf8_lossy(federated.expose()));
        let body = json!({ "scope": [SCOPE], "lifetime": "3600s" }).to_string();
        let result = self.client.send(
            "POST",
            url,
            &[
                ("Authorization", auth.as_str()),
                ("Content-Type", "application/json"),
                ("Accept", "application/json"),
            ],
            Some(body.as_bytes()),
        );
        auth.zeroize();
        let (token, _) = token_answer(result?, url, "accessToken")?;
        Ok((token, 3600))
    }

    /// One authenticated call to `{endpoint}/v1/{path}`: retries 429 (and 503 for reads), renews
    /// an expiring token, and logs in once more when a refreshable token is refused.
    fn call(&mut self, method: &str, path: &str, body: Option<&[u8]>) -> Result<Response, StoreError> {
        let url = format!("{}/v1/{path}", self.endpoint);
        let mut renewed = false;
        let mut attempt = 0;
        loop {
            if self.renew_at.is_some_and(|t| Instant::now() >= t) {
                self.renew_token()?;
                renewed = true;
            }
            let mut auth = format!("Bearer {}", String::from_utf8_lossy(self.token.expose()));
            let mut headers = vec![("Authorization", auth.as_str()), ("Accept", "application/json")];
            if body.is_some() {
                headers.push(("Content-Type", "application/json"));
            }
            let result = self.client.send(method, &url, &headers, body);
            auth.zeroize();
            let resp = result?;
            let retry = resp.status == 429 || (resp.status == 503 && method == "GET");
            if retry && attempt < RETRIES {
                std::thread::sleep(Duration::from_millis(500 << attempt));
                attempt += 1;
                continue;
            }
            if resp.status == 401 && !renewed && !matches!(self.auth, Auth::Static) {
                self.renew_token()?;
                renewed = true;
                continue;
            }
            return Ok(resp);
        }
    }

    fn secret_path(&self, id: &str) -> String {
        format!(
            "projects/{}/secrets/{}",
            encode_segment(&self.project),
            encode_segment(id)
        )
    }

    /// Reads the latest version.
    fn latest(&mut self, id: &str, location: &str) -> Result<Latest, StoreError> {
        let path = format!("{}/versions/latest:access", self.secret_path(id));
        let mut resp = self.call("GET", &path, None)?;
        match resp.status {
            200..=299 => {
                let parsed: Result<Value, _> = serde_json::from_slice(&resp.body);
                resp.body.zeroize();
                let mut v = parsed
                    .map_err(|_| StoreError::Other(format!("{location}: the access answer is not JSON")))?;
                let version = v["name"].as_str().and_then(version_number).ok_or_else(|| {
                    StoreError::Other(format!("{location}: the access answer names no version"))
                })?;
                let crc = v["payload"]["dataCrc32c"]
                    .as_str()
                    .and_then(|s| s.parse::<u64>().ok())
                    .or_else(|| v["payload"]["dataCrc32c"].as_u64());
                let Some(Value::String(mut data)) = v["payload"].get_mut("data").map(Value::take) else {
                    // An empty payload is omitted from the JSON.
                    return Ok(Latest::Value(Secret::new(Vec::new()), version));
                };
                let decoded = base64::engine::general_purpose::STANDARD
                    .decode(data.as_bytes())
                    .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(data.as_bytes()));
                data.zeroize();
                let bytes = decoded
                    .map_err(|_| StoreError::Other(format!("{location}: the payload is not base64")))?;
                if let Some(crc) = crc {
                    if crc != u64::from(crc32c(&bytes)) {
                        let mut bytes = bytes;
                        bytes.zeroize();
                        return Err(StoreError::Other(format!(
                            "{location}: version {version} failed its CRC32C check (corrupted in transit?)"
                        )));
                    }
                }
                Ok(Latest::Value(Secret::new(bytes), version))
            }
            404 => Ok(Latest::Absent),
            400 if ApiError::parse(&resp).status == "FAILED_PRECONDITION" => {
                Ok(Latest::Unreadable(ApiError::parse(&resp).shown(&[])))
            }
            _ => Err(ApiError::parse(&resp).into_store_error(location, "reading", None)),
        }
    }

    /// Whether the secret (the container) exists.
    fn exists(&mut self, id: &str, location: &str) -> Result<bool, StoreError> {
        let path = self.secret_path(id);
        let resp = self.call("GET", &path, None)?;
        match resp.status {
            200..=299 => Ok(true),
            404 => Ok(false),
            _ => Err(ApiError::parse(&resp).into_store_error(location, "looking up", None)),
        }
    }

    /// `secrets.create`; `Ok(false)` when it already exists (409).
    fn create(&mut self, id: &str, target: &Target, location: &str) -> Result<bool, StoreError> {
        let replication = if self.replica_locations.is_empty() {
            json!({ "automatic": {} })
        } else {
            let replicas: Vec<Value> = self
                .replica_locations
                .iter()
                .map(|l| json!({ "location": l }))
                .collect();
            json!({ "userManaged": { "replicas": replicas } })
        };
        let mut labels = json!({ "managed-by": "leakless" });
        let env = target.env.to_ascii_lowercase();
        if !env.is_empty()
            && env.len() <= 63
            && env
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        {
            labels["leakless-env"] = Value::String(env);
        }
        let mut annotations = json!({ "leakless-key": target.key });
        if !target.path.is_empty() {
            annotations["leakless-path"] = Value::String(target.path.clone());
        }
        let body = json!({ "replication": replication, "labels": labels, "annotations": annotations });
        let bytes = serde_json::to_vec(&body).map_err(|e| StoreError::Other(e.to_string()))?;
        let path = format!(
            "projects/{}/secrets?secretId={}",
            encode_segment(&self.project),
            encode_segment(id)
        );
        let resp = self.call("POST", &path, Some(&bytes))?;
        match resp.status {
            200..=299 => Ok(true),
            409 => Ok(false),
            _ => Err(ApiError::parse(&resp).into_store_error(location, "creating", None)),
        }
    }

    /// `:addVersion` with the value and its CRC32C; returns the new version's number.
    fn add_version(&mut self, id: &str, value: &[u8], location: &str) -> Result<u64, StoreError> {
        // Written by hand rather than through a `Value`, so that every copy of the encoded value
        // can be wiped (base64 needs no JSON escaping).
        let mut data = base64::engine::general_purpose::STANDARD.encode(value);
        let mut bytes = format!(
            "{{\"payload\":{{\"data\":\"{data}\",\"dataCrc32c\":\"{}\"}}}}",
            crc32c(value)
        )
        .into_bytes();
        data.zeroize();
        let path = format!("{}:addVersion", self.secret_path(id));
        let result = self.call("POST", &path, Some(&bytes));
        bytes.zeroize();
        let resp = result?;
        if !resp.ok() {
            return Err(ApiError::parse(&resp).into_store_error(location, "writing", Some(value)));
        }
        let v = resp.json("gcp: addVersion")?;
        v["name"].as_str().and_then(version_number).ok_or_else(|| {
            StoreError::Other(format!("{location}: addVersion answered without a version name"))
        })
    }

    /// Adds the version and checks nobody added one between our read (version `read`, 0 for
    /// none) and our write.
    fn write_after(&mut self, id: &str, value: &Secret, read: u64, location: &str) -> Result<(), StoreError> {
        let ours = self.add_version(id, value.expose(), location)?;
        if ours != read + 1 {
            return Err(StoreError::Other(format!(
                "{location} was changed by someone else while leakless wrote it: leakless read version {read} and \
                 wrote version {ours}, so versions in between are another writer's (all are kept): compare them \
                 (gcloud secrets versions list {id} --project={}) and merge by hand",
                self.project
            )));
        }
        Ok(())
    }
}

/// The settings of an `external_account` file (file- or URL-sourced subject tokens; the
/// executable and AWS sources are not supported).
fn external(k: &KeyFile) -> Result<External, String> {
    let src = &k.credential_source;
    if k.audience.is_empty() || k.subject_token_type.is_empty() {
        return Err("an external_account file needs audience and subject_token_type".into());
    }
    let token_url = if k.token_url.is_empty() {
        "https://sts.googleapis.com/v1/token".to_string()
    } else {
        checked_url(&k.token_url, "token_url").map_err(|e| e.to_string())?
    };
    let impersonation_url = match k.service_account_impersonation_url.as_str() {
        "" => None,
        u => Some(checked_url(u, "service_account_impersonation_url").map_err(|e| e.to_string())?),
    };
    // The source URL has a query (GitHub's is `...?api-version=2.0&audience=...`): the check
    // applies to the rest.
    let source_url = match src["url"].as_str() {
        Some(u) => {
            let (base, query) = u.trim().split_once('?').unwrap_or((u.trim(), ""));
            let base = checked_url(base, "credential_source.url").map_err(|e| e.to_string())?;
            Some(if query.is_empty() {
                base
            } else {
                format!("{base}?{query}")
            })
        }
        None => None,
    };
    let source_file = src["file"].as_str().map(PathBuf::from);
    if source_url.is_none() && source_file.is_none() {
        return Err("only file- and url-sourced external_account credentials are supported".into());
    }
    let source_headers = src["headers"]
        .as_object()
        .map(|h| {
            h.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default();
    let json_field = (src["format"]["type"].as_str() == Some("json")).then(|| {
        src["format"]["subject_token_field_name"]
            .as_str()
            .unwrap_or("")
            .to_string()
    });
    Ok(External {
        audience: k.audience.clone(),
        subject_token_type: k.subject_token_type.clone(),
        token_url,
        impersonation_url,
        source_file,
        source_url,
        source_headers,
        json_field,
    })
}

/// The token (field `field`) and its lifetime (`expires_in`, default an hour) from a token
/// endpoint's answer; a refusal is [`StoreError::Auth`].
fn token_answer(mut resp: Response, url: &str, field: &str) -> Result<(Secret, u64), StoreError> {
    if !resp.ok() {
        let e = ApiError::parse(&resp);
        return Err(StoreError::Auth {
            store: STORE,
            reason: format!(
                "the token endpoint {} answered HTTP {} {}: {}",
                strip_query(url),
                e.http,
                e.status,
                e.shown(&[])
            ),
        });
    }
    let parsed: Result<Value, _> = serde_json::from_slice(&resp.body);
    resp.body.zeroize();
    let mut v = parsed.map_err(|_| {
        StoreError::Other(format!(
            "the token endpoint {} answered something that is not JSON",
            strip_query(url)
        ))
    })?;
    let Some(Value::String(mut token)) = v.get_mut(field).map(Value::take) else {
        return Err(StoreError::Other(format!(
            "the token endpoint {} answered without an {field}",
            strip_query(url)
        )));
    };
    let secret = Secret::new(token.as_bytes().to_vec());
    token.zeroize();
    Ok((secret, v["expires_in"].as_u64().unwrap_or(3600)))
}

/// Reads a credentials file: the auth method and the file's project id.
fn load_key_file(file: &Path) -> Result<(Auth, Option<String>), StoreError> {
    let name = file.display().to_string();
    let err = |why: String| StoreError::Config(format!("GCP credentials file {name}: {why}"));
    let meta = std::fs::metadata(file).map_err(|e| err(e.to_string()))?;
    if !meta.is_file() || meta.len() > MAX_KEY_FILE {
        return Err(err(format!("not a regular file of at most {MAX_KEY_FILE} bytes")));
    }
    let mut bytes = std::fs::read(file).map_err(|e| err(e.to_string()))?;
    let parsed = serde_json::from_slice::<KeyFile>(&bytes);
    bytes.zeroize();
    // serde's message can quote the file's content: give the position only.
    let k = parsed.map_err(|e| {
        err(format!(
            "not a Google credentials JSON file (line {}, column {})",
            e.line(),
            e.column()
        ))
    })?;
    let token_uri = if k.token_uri.is_empty() {
        DEFAULT_TOKEN_URI.to_string()
    } else {
        k.token_uri.clone()
    };
    let token_uri = checked_url(&token_uri, &format!("GCP credentials file {name}: token_uri"))?;
    let project = (!k.project_id.is_empty()).then(|| k.project_id.clone());
    match k.kind.as_str() {
        "service_account" => {
            if k.client_email.is_empty() || k.private_key.is_empty() {
                return Err(err(
                    "a service_account key needs client_email and private_key".into()
                ));
            }
            let key = rustls_pki_types::PrivatePkcs8KeyDer::from_pem_slice(k.private_key.as_bytes())
                .map_err(|_| err("private_key is not a PEM PKCS#8 private key".into()))?;
            let key = ring::signature::RsaKeyPair::from_pkcs8(key.secret_pkcs8_der())
                .map_err(|e| err(format!("private_key is not a usable RSA key ({e})")))?;
            Ok((
                Auth::ServiceAccount {
                    email: k.client_email.clone(),
                    key_id: k.private_key_id.clone(),
                    key,
                    token_uri,
                },
                project,
            ))
        }
        "authorized_user" => {
            if k.client_id.is_empty() || k.client_secret.is_empty() || k.refresh_token.is_empty() {
                return Err(err(
                    "an authorized_user file needs client_id, client_secret and refresh_token".into(),
                ));
            }
            Ok((
                Auth::AuthorizedUser {
                    client_id: k.client_id.clone(),
                    client_secret: Secret::new(k.client_secret.as_bytes().to_vec()),
                    refresh_token: Secret::new(k.refresh_token.as_bytes().to_vec()),
                    token_uri,
                },
                project,
            ))
        }
        "external_account" => Ok((Auth::External(external(&k).map_err(err)?), project)),
        other => Err(err(format!(
            "credentials of type {:?} are not supported (service_account, authorized_user and \
             external_account are)",
            other.chars().take(40).collect::<String>()
        ))),
    }
}

/// The JWT-bearer assertion (RFC 7523) for a service account: RS256 over
/// `base64url(header).base64url(claims)`, valid for an hour.
fn jwt(
    email: &str,
    key_id: &str,
    key: &ring::signature::RsaKeyPair,
    audience: &str,
    now: u64,
) -> Result<Secret, StoreError> {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut header = json!({ "alg": "RS256", "typ": "JWT" });
    if !key_id.is_empty() {
        header["kid"] = Value::String(key_id.to_string());
    }
    let claims = json!({ "iss": email, "scope": SCOPE, "aud": audience, "iat": now, "exp": now + 3600 });
    let input = format!(
        "{}.{}",
        b64.encode(header.to_string()),
        b64.encode(claims.to_string())
    );
    let mut signature = vec![0; key.public().modulus_len()];
    key.sign(
        &ring::signature::RSA_PKCS1_SHA256,
        &ring::rand::SystemRandom::new(),
        input.as_bytes(),
        &mut signature,
    )
    .map_err(|_| StoreError::Other("signing the service-account JWT failed".into()))?;
    Ok(Secret::new(
        format!("{input}.{}", b64.encode(signature)).into_bytes(),
    ))
}

impl SecretStore for GcpStore {
    fn kind(&self) -> &'static str {
        STORE
    }

    fn describe(&self, target: &Target) -> String {
        match secret_id(&target.path, &target.key) {
            Some(id) => format!("gcp:{}/{id}", self.project),
            None => format!("gcp:{}/{}/{}", self.project, target.path, target.key),
        }
    }

    fn get(&mut self, target: &Target) -> Result<Option<Secret>, StoreError> {
        let location = self.describe(target);
        let id = self.secret_id(target)?;
        match self.latest(&id, &location)? {
            Latest::Value(v, _) => Ok(Some(v)),
            Latest::Absent => Ok(None),
            Latest::Unreadable(why) => Err(StoreError::Other(format!(
                "{location}: the latest version cannot be read: {why}"
            ))),
        }
    }

    fn put(&mut self, target: &Target, value: &Secret, overwrite: bool) -> Result<Put, StoreError> {
        let location = self.describe(target);
        let id = self.secret_id(target)?;
        if value.expose().len() > MAX_PAYLOAD {
            return Err(StoreError::Unstorable(format!(
                "{location}: the value is larger than Secret Manager's {MAX_PAYLOAD}-byte limit, so it was not sent"
            )));
        }
        // Each round reads, decides and writes; a lost creation race sends us round again.
        for _ in 0..4 {
            match self.latest(&id, &location)? {
                Latest::Value(cur, _) if cur.expose() == value.expose() => return Ok(Put::Unchanged),
                Latest::Value(..) | Latest::Unreadable(_) if !overwrite => {
                    return Err(StoreError::Conflict { location })
                }
                Latest::Value(_, version) => {
                    self.write_after(&id, value, version, &location)?;
                    return Ok(Put::Overwritten);
                }
                Latest::Unreadable(_) => {
                    // A disabled or destroyed latest version: ours becomes the latest. Which
                    // number it gets we cannot predict, so there is no race check here.
                    self.add_version(&id, value.expose(), &location)?;
                    return Ok(Put::Overwritten);
                }
                Latest::Absent => {
                    if self.exists(&id, &location)? || self.create(&id, target, &location)? {
                        // A secret without versions (ours from an interrupted run, or new).
                        self.write_after(&id, value, 0, &location)?;
                        return Ok(Put::Created);
                    }
                    // Someone created it between our read and our create: read again.
                }
            }
        }
        Err(StoreError::Other(format!(
            "{location} kept changing while leakless tried to write it; try again"
        )))
    }

    fn fetch_hint(&self, target: &Target) -> String {
        let id = secret_id(&target.path, &target.key).unwrap_or_else(|| target.key.clone());
        let mut hint = String::new();
        if self.custom_endpoint.is_some() {
            // gcloud's override is the endpoint's root URL, with a trailing slash.
            let root = format!("{}/", self.endpoint);
            hint.push_str(&format!(
                "CLOUDSDK_API_ENDPOINT_OVERRIDES_SECRETMANAGER={} ",
                shell_quote(&root)
            ));
        }
        hint.push_str(&format!(
            "gcloud secrets versions access latest --secret={} --project={}",
            shell_quote(&id),
            shell_quote(&self.project)
        ));
        hint
    }

    fn address(&self, _target: &Target) -> crate::migrate::secrets_map::Address {
        crate::migrate::secrets_map::Address {
            address: self.custom_endpoint.clone().unwrap_or_default(),
            project: self.project.clone(),
            options: Default::default(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn crc32c_is_castagnoli() {
        // RFC 3720 B.4 check value and the empty string.
        assert_eq!(crc32c(b"123456789"), 0xe306_9283);
        assert_eq!(crc32c(b""), 0);
    }

    #[test]
    fn secret_ids_encode_paths_and_keys_reversibly() {
        assert_eq!(
            secret_id("shop/dev", "DATABASE_URL").unwrap(),
            "shop--dev--DATABASE_URL"
        );
        assert_eq!(secret_id("", "KEY").unwrap(), "KEY");
        assert_eq!(secret_id("my-app/dev", "KEY").unwrap(), "my-2Dapp--dev--KEY");
        assert_eq!(secret_id("a.b", "K-1").unwrap(), "a-2Eb--K-2D1");
        assert!(secret_id("p", "").is_none());
        assert!(secret_id("", &"K".repeat(256)).is_none());
        let cases = [
            ("shop/dev", "DATABASE_URL"),
            ("", "KEY"),
            ("a-/b", "-x-"),
            ("a/-b", "K"),
            ("x--y/z", "é"),
            ("a b/c", "d.e"),
        ];
        for (p, k) in cases {
            let id = secret_id(p, k).unwrap();
            assert!(
                id.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'),
                "{id}"
            );
            assert_eq!(
                parse_secret_id(&id).unwrap(),
                (p.to_string(), k.to_string()),
                "{id}"
            );
        }
        assert!(parse_secret_id("bad-zz").is_none());
        assert!(parse_secret_id("a-2").is_none());
        assert!(parse_secret_id("a.b").is_none());
    }

    #[test]
    fn urls_carry_credentials_only_over_https_or_loopback() {
        assert_eq!(
            checked_url("https://secretmanager.googleapis.com/", "x").unwrap(),
            "https://secretmanager.googleapis.com"
        );
        assert!(checked_url("http://127.0.0.1:8085", "x").is_ok());
        assert!(checked_url("http://[::1]:8085/", "x").is_ok());
        assert!(checked_url("http://localhost", "x").is_ok());
        assert!(checked_url("http://evil.example:80", "x").is_err());
        assert!(checked_url("http://127.0.0.1.evil.example", "x").is_err());
        assert!(checked_url("https://u@host", "x").is_err());
        assert!(checked_url("https://host/?q", "x").is_err());
        assert!(checked_url("ftp://host", "x").is_err());
    }

    #[test]
    fn only_google_or_loopback_endpoints_are_trusted_from_a_map() {
        assert!(trusted_endpoint("https://secretmanager.googleapis.com"));
        assert!(trusted_endpoint(
            "https://secretmanager.europe-west1.rep.googleapis.com/"
        ));
        assert!(trusted_endpoint(
            "https://secretmanager-psc1.p.googleapis.com:443"
        ));
        assert!(trusted_endpoint("http://127.0.0.1:8085"));
        assert!(!trusted_endpoint("https://googleapis.com.evil.example"));
        assert!(!trusted_endpoint("https://evilgoogleapis.com"));
        assert!(!trusted_endpoint(
            "https://evil.example/secretmanager.googleapis.com"
        ));
        assert!(!trusted_endpoint("http://evil.example"));
    }

    #[test]
    fn version_numbers_parse() {
        assert_eq!(version_number("projects/p/secrets/s/versions/12"), Some(12));
        assert_eq!(version_number("projects/p/secrets/s/versions/latest"), None);
    }

    #[test]
    fn api_errors_parse_and_withhold_values() {
        let r = |status, body: &str| Response {
            status,
            body: body.as_bytes().to_vec(),
        };
        let e = ApiError::parse(&r(
            404,
            r#"{"error":{"code":404,"message":"Secret [x] not found","status":"NOT_FOUND"}}"#,
        ));
        assert_eq!(
            (e.status.as_str(), e.message.as_str()),
            ("NOT_FOUND", "Secret [x] not found")
        );
        let e = ApiError::parse(&r(
            400,
            r#"{"error":"invalid_grant","error_description":"Invalid JWT"}"#,
        ));
        assert_eq!(
            (e.status.as_str(), e.message.as_str()),
            ("invalid_grant", "Invalid JWT")
        );
        let e = ApiError::parse(&r(
            400,
            r#"{"error":{"code":400,"message":"bad hunter2-secret","status":"INVALID_ARGUMENT"}}"#,
        ));
        let msg = e
            .into_store_error("gcp:p/x", "writing", Some(b"hunter2-secret"))
            .to_string();
        assert!(!msg.contains("hunter2"), "{msg}");
        // A long value echoed past the 300-character cap, or one line of a multi-line value.
        let long = "k7Q".repeat(150);
        let e = ApiError::parse(&r(
            400,
            &format!(
                r#"{{"error":{{"code":400,"message":"bad value {long}","status":"INVALID_ARGUMENT"}}}}"#
            ),
        ));
        let msg = e
            .into_store_error("gcp:p/x", "writing", Some(long.as_bytes()))
            .to_string();
        assert!(!msg.contains("k7Qk7Qk7Q"), "{msg}");
        let e = ApiError::parse(&r(
            400,
            r#"{"error":{"code":400,"message":"bad value first-line-of-it\nsecond","status":"INVALID_ARGUMENT"}}"#,
        ));
        let msg = e
            .into_store_error("gcp:p/x", "writing", Some(b"first-line-of-it\nsecond"))
            .to_string();
        assert!(!msg.contains("first-line"), "{msg}");
        // A server message's control characters are escaped.
        let e = ApiError::parse(&r(
            400,
            r#"{"error":{"code":400,"message":"bad \u001b[31mred","status":"INVALID_ARGUMENT"}}"#,
        ));
        let msg = e.into_store_error("gcp:p/x", "reading", None).to_string();
        assert!(!msg.contains('\u{1b}') && msg.contains("\\x1b[31mred"), "{msg}");
        let e = ApiError::parse(&r(403, "not json"));
        assert!(matches!(
            e.into_store_error("gcp:p/x", "reading", None),
            StoreError::Auth { .. }
        ));
    }

    #[test]
    fn access_tokens_do_not_debug_print() {
        let args = GcpArgs {
            access_token: Some(Sensitive("ya29.a0AfB_byC-not-a-real-token".into())), // leakless:allow
            ..GcpArgs::default()
        };
        assert!(!format!("{args:?}").contains("ya29"));
    }
}
