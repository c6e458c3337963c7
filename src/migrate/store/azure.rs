//! The `azure` store: Azure Key Vault secrets over the REST API (version 7.4), with an access
//! token given as is (`AZURE_ACCESS_TOKEN`, e.g. from `az account get-access-token --resource
//! https://vault.azure.net`) or obtained with a service principal's client credentials
//! (`AZURE_TENANT_ID` / `AZURE_CLIENT_ID` / `AZURE_CLIENT_SECRET`, the names `azure-identity`'s
//! `EnvironmentCredential` reads).
//!
//! Key Vault has one flat namespace of secret names `[0-9A-Za-z-]{1,127}`, compared without
//! regard to case, while a [`Target`] is a `/`-separated path and a key such as `DATABASE_URL`.
//! [`secret_name`] maps one to the other reversibly ([`parse_name`] is its inverse):
//! - each path segment and the key become one *part*, parts are joined by `--`;
//! - a part made of ASCII letters and digits in runs joined by single `_` (`DATABASE_URL`,
//!   `shop`, `v2_api`) is written with `-` for `_` (`DATABASE-URL`): it never starts or ends
//!   with `-` and never holds `--`;
//! - any other part (`my-key`, `_PRIVATE`, `a__b`, `db.password`, non-ASCII) is written as `-`
//!   followed by the lowercase hex of its UTF-8 bytes (`my-key` → `-6d792d6b6579`).
//!
//! So `shop/dev` + `DATABASE_URL` is `shop--dev--DATABASE-URL`. The encoding is injective, but
//! Key Vault folds case: `shop--dev--db-url` and `shop--dev--DB-URL` are one secret. Every secret
//! we write is tagged with the key, path and environment it holds (`leakless-key`,
//! `leakless-path`, `leakless-env`); a put that finds the name taken by another key (a tag or the
//! stored name's case differs) refuses, and the secret stays a manual step.
//!
//! Key Vault keeps every write as a new version and has no check-and-set. A put reads the
//! current value, lists the versions, writes, and lists them again: a version that is neither
//! the ones seen before nor ours means someone wrote at the same time, and the put fails saying
//! so (both values are in the version history). Throttling (HTTP 429) is retried with back-off.
//! A name that is deleted but recoverable (soft delete) answers 409: we say to recover or purge
//! it and write nothing.

use std::fmt;
use std::time::Duration;

use serde_json::{json, Value};

use super::aws::Sensitive;
use super::{Put, SecretStore, StoreError, Target};
use crate::findings::Secret;
use crate::migrate::http::{capped_line, encode_segment, one_line, withhold, Client, Response};

const STORE: &str = "azure";
const HEADING: &str = "Azure Key Vault (--to azure)";
/// The Key Vault REST API version we speak.
pub const API_VERSION: &str = "7.4";
/// Microsoft Entra ID's public-cloud authority (`AZURE_AUTHORITY_HOST` overrides it).
pub const DEFAULT_AUTHORITY: &str = "https://login.microsoftonline.com";
/// The longest secret name Key Vault accepts.
pub const MAX_NAME: usize = 127;
/// The largest value Key Vault holds (25 KiB).
pub const MAX_VALUE: usize = 25 * 1024;
/// How many times a throttled (429) or briefly unavailable (503) request is retried.
const RETRIES: u32 = 4;
/// At most this many pages of versions are read (25 a page by default).
const MAX_VERSION_PAGES: usize = 400;
/// Tags on every secret we write.
const TAG_KEY: &str = "leakless-key";
const TAG_PATH: &str = "leakless-path";
const TAG_ENV: &str = "leakless-env";

/// `--to azure` options.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct AzureArgs {
    /// Key Vault URL, e.g. `https://my-vault.vault.azure.net`
    #[arg(
        id = "azure-vault-url",
        long = "azure-vault-url",
        env = "AZURE_KEYVAULT_URL",
        value_name = "URL",
        help_heading = HEADING
    )]
    pub vault_url: Option<String>,
    /// An access token for Key Vault, used as is (else client credentials); environment only in
    /// practice (the flag is hidden: a command line is visible to other local users).
    #[arg(
        id = "azure-access-token",
        long = "azure-access-token",
        env = "AZURE_ACCESS_TOKEN",
        hide = true,
        hide_env_values = true
    )]
    pub access_token: Option<Sensitive>,
    /// Microsoft Entra tenant id (client credentials)
    #[arg(
        id = "azure-tenant-id",
        long = "azure-tenant-id", env = "AZURE_TENANT_ID", value_name = "ID", help_heading = HEADING)]
    pub tenant_id: Option<String>,
    /// Service principal (app registration) client id (client credentials)
    #[arg(
        id = "azure-client-id",
        long = "azure-client-id", env = "AZURE_CLIENT_ID", value_name = "ID", help_heading = HEADING)]
    pub client_id: Option<String>,
    /// Service principal client secret (environment only in practice; the flag is hidden)
    #[arg(
        id = "azure-client-secret",
        long = "azure-client-secret",
        env = "AZURE_CLIENT_SECRET",
        hide = true,
        hide_env_values = true
    )]
    pub client_secret: Option<Sensitive>,
    /// Microsoft Entra authority host, for sovereign clouds [default: `https://login.microsoftonline.com`]
    #[arg(
        id = "azure-authority-host",
        long = "azure-authority-host",
        env = "AZURE_AUTHORITY_HOST",
        value_name = "URL",
        help_heading = HEADING
    )]
    pub authority: Option<String>,
}

/// Client credentials, kept to get a new token when the current one expires.
struct Credentials {
    token_url: String,
    client_id: String,
    client_secret: Secret,
    scope: String,
}

/// The `azure` store.
pub struct AzureStore {
    client: Client,
    /// `https://name.vault.azure.net` (no trailing `/`).
    vault: String,
    token: Secret,
    credentials: Option<Credentials>,
}

impl fmt::Debug for AzureStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AzureStore")
            .field("vault", &self.vault)
            .finish_non_exhaustive()
    }
}

/// What a read found.
struct Current {
    value: Secret,
    /// The name as Key Vault stored it (case preserved).
    name: String,
    tags: serde_json::Map<String, Value>,
}

impl AzureStore {
    /// Checks the options and gets a token (client credentials) or takes the one given.
    pub fn open(args: &AzureArgs) -> Result<Self, StoreError> {
        let vault = normalise_vault_url(non_empty(&args.vault_url).ok_or_else(|| {
            StoreError::Config("--azure-vault-url (or AZURE_KEYVAULT_URL) is required for --to azure".into())
        })?)?;
        let credentials = match (
            non_empty(&args.tenant_id),
            non_empty(&args.client_id),
            args.client_secret
                .as_ref()
                .map(|s| s.0.trim())
                .filter(|s| !s.is_empty()),
        ) {
            (Some(tenant), Some(id), Some(secret)) => {
                let authority = normalise_https(
                    non_empty(&args.authority).unwrap_or(DEFAULT_AUTHORITY),
                    "--azure-authority-host",
                )?;
                Some(Credentials {
                    token_url: format!("{authority}/{}/oauth2/v2.0/token", encode_segment(tenant)),
                    client_id: id.to_string(),
                    client_secret: Secret::new(secret.as_bytes().to_vec()),
                    scope: scope_for(&vault),
                })
            }
            (None, None, None) => None,
            _ => return Err(StoreError::Config(
                "client credentials for --to azure need all three of AZURE_TENANT_ID, AZURE_CLIENT_ID and \
                     AZURE_CLIENT_SECRET"
                    .into(),
            )),
        };
        let mut store = Self {
            client: Client::new(STORE),
            vault,
            token: Secret::new(Vec::new()),
            credentials,
        };
        match args
            .access_token
            .as_ref()
            .map(|t| t.0.trim())
            .filter(|t| !t.is_empty())
        {
            Some(t) => store.token = Secret::new(t.as_bytes().to_vec()),
            None if store.credentials.is_some() => store.login()?,
            None => {
                return Err(StoreError::Config(
                    "--to azure needs AZURE_ACCESS_TOKEN (e.g. `az account get-access-token --resource \
                     https://vault.azure.net --query accessToken -o tsv`) or a service principal's \
                     AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET"
                        .into(),
                ))
            }
        }
        Ok(store)
    }

    /// The vault URL this store writes to.
    pub fn vault_url(&self) -> &str {
        &self.vault
    }

    /// The OAuth 2.0 client-credentials grant against Microsoft Entra ID.
    fn login(&mut self) -> Result<(), StoreError> {
        let Some(c) = &self.credentials else {
            return Err(StoreError::Auth {
                store: STORE,
                reason: "the access token was refused".into(),
            });
        };
        let secret = std::str::from_utf8(c.client_secret.expose())
            .map_err(|_| StoreError::Config("AZURE_CLIENT_SECRET is not UTF-8".into()))?;
        let form = format!(
            "grant_type=client_credentials&client_id={}&client_secret={}&scope={}",
            encode_segment(&c.client_id),
            encode_segment(secret),
            encode_segment(&c.scope)
        );
        let headers = [
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Accept", "application/json"),
        ];
        let url = c.token_url.clone();
        let resp = with_retries(|| self.client.send("POST", &url, &headers, Some(form.as_bytes())))?;
        if !resp.ok() {
            // {"error": "invalid_client", "error_description": "AADSTS7000215: ..."}
            let v: Value = serde_json::from_slice(&resp.body).unwrap_or(Value::Null);
            let reason = match (v["error"].as_str(), v["error_description"].as_str()) {
                (Some(e), Some(d)) => format!("{e}: {}", first_sentence(d)),
                (Some(e), None) => e.to_string(),
                _ => format!("HTTP {}", resp.status),
            };
            return Err(match resp.status {
                400 | 401 | 403 => StoreError::Auth {
                    store: STORE,
                    reason: format!("token request to {}: {reason}", strip_host(&url)),
                },
                404 => StoreError::Config(format!(
                    "no Microsoft Entra token endpoint at {} (HTTP 404): check AZURE_TENANT_ID and AZURE_AUTHORITY_HOST",
                    strip_host(&url)
                )),
                _ => StoreError::Other(format!("Azure token request: {reason}")),
            });
        }
        let v = resp.json("Azure token request")?;
        let token = v["access_token"]
            .as_str()
            .filter(|t| !t.is_empty())
            .ok_or_else(|| StoreError::Other("Azure token request: no access_token in the answer".into()))?;
        self.token = Secret::new(token.as_bytes().to_vec());
        Ok(())
    }

    /// An authenticated request with retries, and one new token when the current one is refused
    /// (only possible with client credentials).
    fn call(&mut self, method: &str, url: &str, body: Option<&Value>) -> Result<Response, StoreError> {
        let mut renewed = false;
        loop {
            let auth = format!("Bearer {}", String::from_utf8_lossy(self.token.expose()));
            let headers = [("Authorization", auth.as_str()), ("Accept", "application/json")];
            let client = &self.client;
            let resp = with_retries(|| match body {
                Some(b) => client.send_json(method, url, &headers, b),
                None => client.send(method, url, &headers, None),
            })?;
            if resp.status == 401 && self.credentials.is_some() && !renewed {
                renewed = true;
                self.login()?;
                continue;
            }
            return Ok(resp);
        }
    }

    fn secret_url(&self, name: &str) -> String {
        format!("{}/secrets/{name}?api-version={API_VERSION}", self.vault)
    }

    fn read(&mut self, target: &Target, name: &str) -> Result<Option<Current>, StoreError> {
        let url = self.secret_url(name);
        let resp = self.call("GET", &url, None)?;
        match resp.status {
            200 => {
                let v = resp.json("Key Vault read")?;
                let value = v["value"].as_str().ok_or_else(|| {
                    StoreError::Other(format!(
                        "Key Vault read of {}: no value in the answer",
                        self.describe(target)
                    ))
                })?;
                let stored = v["id"]
                    .as_str()
                    .and_then(name_from_id)
                    .unwrap_or(name)
                    .to_string();
                Ok(Some(Current {
                    value: Secret::new(value.as_bytes().to_vec()),
                    name: stored,
                    tags: v["tags"].as_object().cloned().unwrap_or_default(),
                }))
            }
            404 => Ok(None),
            _ => Err(self.failure("read", target, &resp)),
        }
    }

    /// The ids of every version of `name` (following `nextLink`).
    fn versions(&mut self, target: &Target, name: &str) -> Result<Vec<String>, StoreError> {
        let mut url = format!(
            "{}/secrets/{name}/versions?api-version={API_VERSION}&maxresults=25",
            self.vault
        );
        let mut ids = Vec::new();
        for _ in 0..MAX_VERSION_PAGES {
            let resp = self.call("GET", &url, None)?;
            match resp.status {
                200 => {}
                404 => return Ok(ids),
                _ => return Err(self.failure("list the versions of", target, &resp)),
            }
            let v = resp.json("Key Vault versions")?;
            for item in v["value"].as_array().into_iter().flatten() {
                if let Some(id) = item["id"].as_str() {
                    ids.push(id.to_ascii_lowercase());
                }
            }
            match v["nextLink"].as_str().filter(|l| !l.is_empty()) {
                // A next page on the same vault only: never send the token elsewhere.
                Some(next) if same_origin(next, &self.vault) => url = next.to_string(),
                Some(_) => {
                    return Err(StoreError::Other(format!(
                        "Key Vault listed the versions of {} with a nextLink to another host; not followed",
                        self.describe(target)
                    )))
                }
                None => return Ok(ids),
            }
        }
        Err(StoreError::Other(format!(
            "{} has more than {} versions; not checked",
            self.describe(target),
            MAX_VERSION_PAGES * 25
        )))
    }

    fn write(&mut self, target: &Target, name: &str, value: &str) -> Result<String, StoreError> {
        let body = json!({
            "value": value,
            "tags": {
                TAG_KEY: target.key,
                TAG_PATH: target.path,
                TAG_ENV: target.env,
            },
        });
        let url = self.secret_url(name);
        let resp = self.call("PUT", &url, Some(&body))?;
        match resp.status {
            200 | 201 => {
                let v = resp.json("Key Vault write")?;
                v["id"]
                    .as_str()
                    .map(str::to_ascii_lowercase)
                    .ok_or_else(|| {
                        StoreError::Other(format!(
                            "Key Vault write of {}: no id in the answer",
                            self.describe(target)
                        ))
                    })
            }
            409 => Err(StoreError::Other(format!(
                "{} is deleted but recoverable (soft delete): recover it (`az keyvault secret recover`) or purge \
                 it before migrating; nothing was written",
                self.describe(target)
            ))),
            _ => Err(self.failure_withholding("write", target, &resp, &[value.as_bytes()])),
        }
    }

    fn failure(&self, what: &str, target: &Target, resp: &Response) -> StoreError {
        self.failure_withholding(what, target, resp, &[])
    }

    /// The error for `resp`, the server's message without any part of `secrets` (the value sent).
    fn failure_withholding(
        &self,
        what: &str,
        target: &Target,
        resp: &Response,
        secrets: &[&[u8]],
    ) -> StoreError {
        let message = capped_line(&withhold(&server_text(resp), secrets));
        match resp.status {
            401 | 403 => StoreError::Auth {
                store: STORE,
                reason: format!("{what} {}: {message}", self.describe(target)),
            },
            429 => StoreError::Other(format!(
                "Key Vault kept throttling us (HTTP 429 after {RETRIES} retries) on {what} {}",
                self.describe(target)
            )),
            status => StoreError::Other(format!(
                "Key Vault could not {what} {}: HTTP {status}: {message}",
                self.describe(target)
            )),
        }
    }

    /// The name for `target`, or why it has none.
    fn name(&self, target: &Target) -> Result<String, StoreError> {
        secret_name(&target.path, &target.key).map_err(|e| {
            StoreError::Unstorable(format!("azure:{}#{}: {e}", self.vault, display_target(target)))
        })
    }
}

impl SecretStore for AzureStore {
    fn kind(&self) -> &'static str {
        STORE
    }

    fn describe(&self, target: &Target) -> String {
        match secret_name(&target.path, &target.key) {
            Ok(name) => format!("azure:{}/secrets/{name}", self.vault),
            Err(_) => format!("azure:{}#{}", self.vault, display_target(target)),
        }
    }

    fn get(&mut self, target: &Target) -> Result<Option<Secret>, StoreError> {
        let name = self.name(target)?;
        match self.read(target, &name)? {
            Some(cur) => {
                check_owner(&cur, &name, target).map_err(StoreError::Unstorable)?;
                Ok(Some(cur.value))
            }
            None => Ok(None),
        }
    }

    fn put(&mut self, target: &Target, value: &Secret, overwrite: bool) -> Result<Put, StoreError> {
        let name = self.name(target)?;
        let text = std::str::from_utf8(value.expose()).map_err(|_| {
            StoreError::Unstorable(format!(
                "{}: the value is not UTF-8 text, which is all Key Vault secrets hold; it was not sent",
                self.describe(target)
            ))
        })?;
        if text.len() > MAX_VALUE {
            return Err(StoreError::Unstorable(format!(
                "{}: the value is {} bytes, more than the {MAX_VALUE} a Key Vault secret holds; it was not sent",
                self.describe(target),
                text.len()
            )));
        }
        let current = self.read(target, &name)?;
        if let Some(cur) = &current {
            check_owner(cur, &name, target).map_err(StoreError::Unstorable)?;
            if cur.value.expose() == value.expose() {
                return Ok(Put::Unchanged);
            }
            if !overwrite {
                return Err(StoreError::Conflict {
                    location: self.describe(target),
                });
            }
        }
        let before = self.versions(target, &name)?;
        let ours = self.write(target, &name, text)?;
        let after = self.versions(target, &name)?;
        let foreign = after
            .iter()
            .filter(|id| **id != ours && !before.contains(id))
            .count();
        if foreign > 0 {
            return Err(StoreError::Other(format!(
                "{} was written by someone else at the same time as us ({foreign} other new version(s)); our \
                 value is one version, theirs another: check the secret's versions in Key Vault",
                self.describe(target)
            )));
        }
        Ok(if current.is_some() {
            Put::Overwritten
        } else {
            Put::Created
        })
    }

    fn fetch_hint(&self, target: &Target) -> String {
        let name = secret_name(&target.path, &target.key).unwrap_or_default();
        match vault_name(&self.vault) {
            Some(vault) => {
                format!("az keyvault secret show --vault-name {vault} --name {name} --query value -o tsv")
            }
            None => format!(
                "az keyvault secret show --id {}/secrets/{name} --query value -o tsv",
                self.vault
            ),
        }
    }

    fn address(&self, _target: &Target) -> crate::migrate::secrets_map::Address {
        crate::migrate::secrets_map::Address {
            address: self.vault.clone(),
            project: String::new(),
            options: Default::default(),
        }
    }
}

/// Whether the secret found under `name` is the one for `target`: the name as stored must be
/// ours exactly (Key Vault folds case) and, when we tagged it, the tags must name our key.
fn check_owner(cur: &Current, name: &str, target: &Target) -> Result<(), String> {
    let tag = |k: &str| cur.tags.get(k).and_then(Value::as_str);
    let other_key =
        tag(TAG_KEY).is_some_and(|k| k != target.key) || tag(TAG_PATH).is_some_and(|p| p != target.path);
    if cur.name != name || other_key {
        let theirs = match (tag(TAG_PATH), tag(TAG_KEY)) {
            (Some(p), Some(k)) => display_target(&Target::new(p, k)),
            _ => parse_name(&cur.name)
                .map(|(p, k)| display_target(&Target::new(p, k)))
                .unwrap_or_else(|| "another key".into()),
        };
        return Err(format!(
            "Key Vault secret names ignore case: {name} is already the secret {} holding {theirs}; rename one \
             of the keys (nothing was written)",
            cur.name
        ));
    }
    Ok(())
}

fn display_target(t: &Target) -> String {
    if t.path.is_empty() {
        t.key.clone()
    } else {
        format!("{}/{}", t.path, t.key)
    }
}

/// Why a target has no Key Vault name.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// The key is empty.
    #[error("an empty key has no Key Vault name")]
    EmptyKey,
    /// The encoded name is longer than Key Vault allows.
    #[error("its Key Vault name would be {0} characters, more than the {MAX_NAME} allowed; use a shorter --path-template")]
    TooLong(usize),
}

/// A part is *plain* when it is ASCII letters and digits in runs joined by single `_`.
fn is_plain(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('_')
        && !s.ends_with('_')
        && !s.contains("__")
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

fn encode_part(s: &str) -> String {
    if is_plain(s) {
        s.replace('_', "-")
    } else {
        let mut out = String::with_capacity(1 + 2 * s.len());
        out.push('-');
        for b in s.bytes() {
            out.push_str(&format!("{b:02x}"));
        }
        out
    }
}

/// The Key Vault secret name of `key` at `path` (see the module documentation).
pub fn secret_name(path: &str, key: &str) -> Result<String, NameError> {
    if key.is_empty() {
        return Err(NameError::EmptyKey);
    }
    let name = path
        .split('/')
        .filter(|s| !s.is_empty())
        .chain(std::iter::once(key))
        .map(encode_part)
        .collect::<Vec<_>>()
        .join("--");
    if name.len() > MAX_NAME {
        return Err(NameError::TooLong(name.len()));
    }
    Ok(name)
}

/// The inverse of [`secret_name`]: `(path, key)` for a name it produced, `None` for any other
/// name (not every Key Vault name is one of ours).
pub fn parse_name(name: &str) -> Option<(String, String)> {
    let b = name.as_bytes();
    let mut parts = Vec::new();
    let mut i = 0;
    loop {
        let part = if b.get(i) == Some(&b'-') {
            // Escaped: `-` and hex up to the next `-` or the end.
            let start = i + 1;
            let end = name[start..].find('-').map_or(name.len(), |j| start + j);
            let hex = &name[start..end];
            if !hex.len().is_multiple_of(2) || !hex.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f')) {
                return None;
            }
            let bytes: Vec<u8> = (0..hex.len())
                .step_by(2)
                .map(|k| u8::from_str_radix(&hex[k..k + 2], 16))
                .collect::<Result<_, _>>()
                .ok()?;
            let s = String::from_utf8(bytes).ok()?;
            // Canonical only: a plain part is never escaped.
            if is_plain(&s) {
                return None;
            }
            i = end;
            s
        } else {
            let end = name[i..].find("--").map_or(name.len(), |j| i + j);
            let text = &name[i..end];
            if text.is_empty() || text.ends_with('-') {
                return None;
            }
            let s = text.replace('-', "_");
            if !is_plain(&s) {
                return None;
            }
            i = end;
            s
        };
        parts.push(part);
        if i == name.len() {
            break;
        }
        if !name[i..].starts_with("--") {
            return None;
        }
        i += 2;
        if i == name.len() {
            return None;
        }
    }
    let key = parts.pop()?;
    if key.is_empty() || parts.iter().any(|p| p.is_empty() || p.contains('/')) {
        return None;
    }
    Some((parts.join("/"), key))
}

/// Sends with retries on 429 and 503 (1, 2, 4, 8 s).
fn with_retries(send: impl Fn() -> Result<Response, StoreError>) -> Result<Response, StoreError> {
    let mut attempt = 0;
    loop {
        let resp = send()?;
        if !matches!(resp.status, 429 | 503) || attempt == RETRIES {
            return Ok(resp);
        }
        std::thread::sleep(Duration::from_secs(1 << attempt));
        attempt += 1;
    }
}

/// `{"error": {"code": "...", "message": "..."}}`, whole (cut only after any value is withheld).
fn server_text(resp: &Response) -> String {
    let v: Value = serde_json::from_slice(&resp.body).unwrap_or(Value::Null);
    let e = &v["error"];
    let inner = e["innererror"]["code"].as_str();
    match (e["code"].as_str(), e["message"].as_str()) {
        (Some(c), Some(m)) => match inner {
            Some(i) => format!("{c} ({i}): {m}"),
            None => format!("{c}: {m}"),
        },
        (Some(c), None) => c.to_string(),
        _ => format!("HTTP {}", resp.status),
    }
}

/// The first sentence of an Entra error description (the rest is a trace id and a timestamp).
fn first_sentence(d: &str) -> String {
    let line = one_line(d);
    match line.find(". ") {
        Some(i) => line[..=i].to_string(),
        None => line,
    }
}

/// `scheme://host[:port]` only, for messages.
fn strip_host(url: &str) -> &str {
    let start = url.find("://").map_or(0, |i| i + 3);
    url[start..].find('/').map_or(url, |i| &url[..start + i])
}

/// The secret name inside a secret id `https://vault/secrets/{name}[/{version}]`.
fn name_from_id(id: &str) -> Option<&str> {
    let rest = id.split("/secrets/").nth(1)?;
    rest.split('/').next().filter(|n| !n.is_empty())
}

fn same_origin(url: &str, vault: &str) -> bool {
    // Bytes, not `str` slices: the server's link may hold a multi-byte character there.
    let (u, v) = (url.as_bytes(), vault.as_bytes());
    u.len() > v.len() && u[..v.len()].eq_ignore_ascii_case(v) && u[v.len()] == b'/'
}

fn non_empty(o: &Option<String>) -> Option<&str> {
    o.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn normalise_https(url: &str, flag: &str) -> Result<String, StoreError> {
    let base = url.trim().trim_end_matches('/');
    let host = base.strip_prefix("https://").unwrap_or("");
    if host.is_empty() || host.contains(['/', '?', '#', '@']) {
        return Err(StoreError::Config(format!(
            "{flag} must be an https:// URL with only a host (and port), not '{url}'"
        )));
    }
    Ok(base.to_string())
}

/// Key Vault only speaks HTTPS, and a token must never travel in clear.
fn normalise_vault_url(url: &str) -> Result<String, StoreError> {
    normalise_https(url, "--azure-vault-url")
}

/// `my-vault` for `https://my-vault.vault.azure.net` (what `az --vault-name` takes).
fn vault_name(vault: &str) -> Option<&str> {
    let host = vault.strip_prefix("https://")?;
    let (name, domain) = host.split_once('.')?;
    (domain.starts_with("vault.") && !domain.contains(':')).then_some(name)
}

/// The token scope of the vault's cloud: `https://vault.azure.net/.default` for
/// `*.vault.azure.net`, `https://vault.azure.cn/.default` for China, and so on.
fn scope_for(vault: &str) -> String {
    let host = vault.strip_prefix("https://").unwrap_or(vault);
    let host = host.split(':').next().unwrap_or(host);
    match host.split_once(".vault.") {
        Some((_, cloud)) if !cloud.is_empty() => format!("https://vault.{cloud}/.default"),
        _ => "https://vault.azure.net/.default".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_readable_for_usual_keys() {
        assert_eq!(
            secret_name("shop/dev", "DATABASE_URL").expect("fits"),
            "shop--dev--DATABASE-URL"
        );
        assert_eq!(secret_name("", "API_KEY").expect("fits"), "API-KEY");
        assert_eq!(secret_name("a//b/", "K").expect("fits"), "a--b--K");
        assert_eq!(
            secret_name("shop", "my-key").expect("fits"),
            "shop---6d792d6b6579"
        );
    }

    #[test]
    fn names_round_trip() {
        let keys = [
            "DATABASE_URL",
            "a",
            "_PRIVATE",
            "TRAILING_",
            "A__B",
            "my-key",
            "db.password",
            "clé",
            "-",
            "--",
            "x-",
            "0",
            "a_b_c",
            "DB_URL",
            "db_url",
        ];
        let paths = ["", "shop", "shop/dev", "my-app/prod", "_x/y__z", "ü/ä"];
        let mut seen = std::collections::BTreeMap::new();
        for p in paths {
            for k in keys {
                let name = secret_name(p, k).expect("fits");
                assert!(
                    name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'),
                    "{name}"
                );
                let normal: String = p
                    .split('/')
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join("/");
                assert_eq!(
                    parse_name(&name),
                    Some((normal.clone(), k.to_string())),
                    "{p}/{k} -> {name}"
                );
                // Injective: no two targets share a name byte for byte.
                if let Some(other) = seen.insert(name.clone(), (normal.clone(), k)) {
                    panic!("{name} for both {other:?} and {:?}", (normal, k));
                }
            }
        }
        // Key Vault folds case: these two are distinct names that collide in a vault, which
        // `check_owner` catches at write time.
        let a = secret_name("shop", "DB_URL").expect("fits");
        let b = secret_name("shop", "db_url").expect("fits");
        assert_ne!(a, b);
        assert!(a.eq_ignore_ascii_case(&b));
    }

    #[test]
    fn foreign_and_non_canonical_names_do_not_parse() {
        for name in [
            "", "-", "a--", "--a", "a---", "-6", "-zz", "-4142", "a--b---", "A-", "-6D79",
        ] {
            assert_eq!(parse_name(name), None, "{name:?}");
        }
        // `-4142` is "AB", which is plain, so only `AB` names it.
        assert_eq!(parse_name("AB"), Some((String::new(), "AB".into())));
    }

    #[test]
    fn case_collisions_are_refused() {
        let name = secret_name("shop", "DB_URL").expect("fits");
        let mut cur = Current {
            value: Secret::new(b"v".to_vec()),
            name: "shop--db-url".into(),
            tags: Default::default(),
        };
        let t = Target::new("shop", "DB_URL");
        assert!(check_owner(&cur, &name, &t).is_err());
        cur.name = name.clone();
        assert!(check_owner(&cur, &name, &t).is_ok());
        cur.tags.insert(TAG_KEY.into(), Value::String("db_url".into()));
        assert!(check_owner(&cur, &name, &t).is_err());
    }

    #[test]
    fn long_names_are_refused() {
        let key = "K".repeat(MAX_NAME);
        assert!(secret_name("", &key).is_ok());
        assert_eq!(secret_name("p", &key), Err(NameError::TooLong(MAX_NAME + 3)));
    }

    #[test]
    fn hints_name_the_vault_and_debug_hides_credentials() {
        let args = AzureArgs {
            vault_url: Some("https://kv1.vault.azure.net/".into()),
            access_token: Some(Sensitive("token-value-xyz".into())),
            client_secret: Some(Sensitive("client-secret-xyz".into())),
            ..Default::default()
        };
        assert!(!format!("{args:?}").contains("-xyz"));
        // Half a service principal (a secret without tenant and client id) is refused.
        assert!(matches!(AzureStore::open(&args), Err(StoreError::Config(_))));
        let args = AzureArgs {
            client_secret: None,
            ..args
        };
        // A token given as is: no request is made.
        let s = AzureStore::open(&args).expect("opens");
        assert!(!format!("{s:?}").contains("-xyz"));
        let t = Target::new("shop/dev", "DATABASE_URL");
        assert_eq!(
            s.fetch_hint(&t),
            "az keyvault secret show --vault-name kv1 --name shop--dev--DATABASE-URL --query value -o tsv"
        );
        assert_eq!(
            s.describe(&t),
            "azure:https://kv1.vault.azure.net/secrets/shop--dev--DATABASE-URL"
        );
        assert_eq!(s.address(&t).address, "https://kv1.vault.azure.net");
        // A refused write quotes no part of the value, and no control character.
        let value = format!("line-one-of-the-value\n{}", "Pw7".repeat(120));
        let body = serde_json::json!({"error": {"code": "BadParameter",
            "message": format!("bad \u{1b}[2J {}", value.replace('\n', " "))}});
        let resp = Response {
            status: 400,
            body: serde_json::to_vec(&body).expect("json"),
        };
        let e = s
            .failure_withholding("write", &t, &resp, &[value.as_bytes()])
            .to_string();
        assert!(!e.contains("line-one") && !e.contains("Pw7Pw7Pw7"), "{e}");
        assert!(!e.chars().any(char::is_control), "{e:?}");
    }

    #[test]
    fn urls_and_scopes() {
        assert_eq!(
            normalise_vault_url("https://kv1.vault.azure.net/").expect("ok"),
            "https://kv1.vault.azure.net"
        );
        assert!(normalise_vault_url("http://kv1.vault.azure.net").is_err());
        assert!(normalise_vault_url("https://kv1.vault.azure.net/secrets/x").is_err());
        assert_eq!(vault_name("https://kv1.vault.azure.net"), Some("kv1"));
        assert_eq!(vault_name("https://127.0.0.1:8443"), None);
        assert_eq!(
            scope_for("https://kv1.vault.azure.cn"),
            "https://vault.azure.cn/.default"
        );
        assert_eq!(
            scope_for("https://127.0.0.1:8443"),
            "https://vault.azure.net/.default"
        );
        assert_eq!(name_from_id("https://kv/secrets/Shop--X/abc123"), Some("Shop--X"));
        assert!(same_origin("https://kv/secrets?x", "https://kv"));
        assert!(!same_origin("https://kv.evil/secrets", "https://kv"));
    }

    #[test]
    fn a_next_link_with_multibyte_text_is_refused_not_a_panic() {
        // The vault URL's length falls inside a two-byte character of the server's nextLink.
        assert!(!same_origin("https://k\u{e9}/secrets", "https://kv"));
        assert!(!same_origin("https://kv\u{e9}/secrets", "https://kv/"));
        assert!(same_origin("HTTPS://KV/secrets/\u{e9}", "https://kv"));
    }
}
