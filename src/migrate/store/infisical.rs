//! The `infisical` store: Infisical (cloud or self-hosted) over its REST API, logged in with a
//! machine identity's Universal Auth client id and secret (or an access token already issued).
//!
//! A [`Target`] maps to one secret: `Target.path` is the folder (`shop/api` → secret path
//! `/shop/api`, created on demand), `Target.key` the secret name, in the project given by
//! `--infisical-project` and the environment slug `--infisical-env` (default `dev`).
//!
//! Calls used (API reference, `/api/v4/secrets`, `/api/v2/folders`):
//! - `POST /api/v1/auth/universal-auth/login` `{clientId, clientSecret}` → `{accessToken, ...}`;
//! - `GET /api/v4/secrets/{key}?projectId&environment&secretPath&viewSecretValue=true` (404 when
//!   the secret or its folder is absent);
//! - `POST /api/v4/secrets/{key}` to create (400 "Secret already exist" when someone was faster),
//!   `PATCH` to overwrite; either may answer `{"approval": ...}` instead of `{"secret": ...}` when
//!   an approval policy covers the environment — nothing is written then, and we say so;
//! - `POST /api/v2/folders` when the folder does not exist yet (creating a secret there is 404).
//!
//! Infisical keeps versions but has no check-and-set. A create cannot clobber (the server refuses
//! an existing key, and we then re-read and decide); an overwrite can race with another writer,
//! which we detect afterwards from the version number and report as an error.
//!
//! Infisical stores text and trims it (`value.trim()`, keeping one trailing newline), and treats
//! `${NAME}` as a reference to expand on read; values it would not give back byte for byte are
//! refused before anything is sent. Rate limiting (HTTP 429) is retried, honouring `Retry-After`.

use std::fmt;
use std::time::Duration;

use serde_json::{json, Value};

use super::{Put, SecretStore, StoreError, Target};
use crate::findings::Secret;
use crate::migrate::http::{encode_segment, one_line, Client, Response};

const STORE: &str = "infisical";
const HEADING: &str = "Infisical (--to infisical)";
/// Infisical Cloud (US); `https://eu.infisical.com` for the EU region.
pub const DEFAULT_URL: &str = "https://app.infisical.com";
/// The environment slug used when neither `--infisical-env` nor the engine names one.
pub const DEFAULT_ENV: &str = "dev";
/// How many times a rate-limited (429) request is retried.
const RATE_LIMIT_RETRIES: u32 = 4;
/// The longest `Retry-After` we wait for.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// `--to infisical` options.
#[derive(Clone, Default, clap::Args)]
pub struct InfisicalArgs {
    /// Infisical site URL, default [`DEFAULT_URL`]; a trailing `/api`, as the Infisical CLI's
    /// `INFISICAL_API_URL` has it, is accepted.
    #[arg(
        id = "infisical-url",
        long = "infisical-url",
        env = "INFISICAL_API_URL",
        value_name = "URL",
        help = "Infisical site URL (a trailing /api, as the Infisical CLI's INFISICAL_API_URL has it, is \
                accepted) [default: https://app.infisical.com]",
        help_heading = HEADING
    )]
    pub url: Option<String>,
    /// Machine identity Universal Auth client id
    #[arg(
        id = "infisical-client-id",
        long = "infisical-client-id",
        env = "INFISICAL_UNIVERSAL_AUTH_CLIENT_ID",
        value_name = "ID",
        hide_env_values = true,
        help_heading = HEADING
    )]
    pub client_id: Option<String>,
    /// Machine identity Universal Auth client secret (prefer the environment variable)
    #[arg(
        id = "infisical-client-secret",
        long = "infisical-client-secret",
        env = "INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET",
        value_name = "SECRET",
        hide_env_values = true,
        help_heading = HEADING
    )]
    pub client_secret: Option<String>,
    /// An access token already issued (used instead of logging in with the client id and secret)
    #[arg(
        id = "infisical-token",
        long = "infisical-token",
        env = "INFISICAL_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true,
        help_heading = HEADING
    )]
    pub token: Option<String>,
    /// Project id to write into (required)
    #[arg(id = "infisical-project", long = "infisical-project", env = "INFISICAL_PROJECT_ID", value_name = "ID", help_heading = HEADING)]
    pub project: Option<String>,
    /// Environment slug [default: dev]
    #[arg(id = "infisical-env", long = "infisical-env", env = "INFISICAL_ENVIRONMENT", value_name = "SLUG", help_heading = HEADING)]
    pub env: Option<String>,
}

impl fmt::Debug for InfisicalArgs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted = |o: &Option<String>| o.as_ref().map(|_| "<redacted>");
        f.debug_struct("InfisicalArgs")
            .field("url", &self.url)
            .field("client_id", &self.client_id)
            .field("client_secret", &redacted(&self.client_secret))
            .field("token", &redacted(&self.token))
            .field("project", &self.project)
            .field("env", &self.env)
            .finish()
    }
}

/// Universal Auth credentials, kept to log in again when the access token expires.
struct Credentials {
    client_id: String,
    client_secret: Secret,
}

/// The `infisical` store.
pub struct InfisicalStore {
    client: Client,
    /// Site URL without a trailing `/` or `/api`.
    base: String,
    project: String,
    env: String,
    token: Secret,
    credentials: Option<Credentials>,
}

/// What a read found: the value and the version Infisical gave it.
struct Current {
    value: Secret,
    version: Option<u64>,
}

/// How a write request ended.
enum Written {
    /// `{"secret": ...}`: written, with the new version when the server said.
    Done(Option<u64>),
    /// `{"approval": ...}`: an approval request was opened instead; nothing written.
    NeedsApproval(String),
    /// 400 "Secret already exist" on create.
    AlreadyExists,
    /// 404 because the folder is missing (create) or the secret vanished (update).
    NotFound(String),
}

impl InfisicalStore {
    /// Checks the options and logs in (with a client id and secret; a given token is used as is).
    pub fn open(args: &InfisicalArgs) -> Result<Self, StoreError> {
        let base = normalise_url(args.url.as_deref().unwrap_or(DEFAULT_URL))?;
        let project = non_empty(&args.project).ok_or_else(|| {
            StoreError::Config(
                "--infisical-project (or INFISICAL_PROJECT_ID) is required for --to infisical".into(),
            )
        })?;
        let env = non_empty(&args.env).unwrap_or(DEFAULT_ENV).to_string();
        let client = Client::new(STORE);
        let credentials = credentials(args)?;
        let mut store = Self {
            client,
            base,
            project: project.to_string(),
            env,
            token: Secret::new(Vec::new()),
            credentials,
        };
        // Like the Infisical CLI: a token given explicitly wins over client credentials (which
        // then only serve to log in again if the token is refused).
        if let Some(token) = non_empty(&args.token) {
            store.token = Secret::new(token.as_bytes().to_vec());
        } else if store.credentials.is_some() {
            store.login()?;
        } else {
            return Err(StoreError::Config(
                "--to infisical needs a machine identity: --infisical-client-id and --infisical-client-secret \
                 (or INFISICAL_UNIVERSAL_AUTH_CLIENT_ID and INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET), or \
                 --infisical-token (INFISICAL_TOKEN)"
                    .into(),
            ));
        }
        Ok(store)
    }

    /// The environment slug this store writes to.
    pub fn environment(&self) -> &str {
        &self.env
    }

    /// The project id this store writes to.
    pub fn project(&self) -> &str {
        &self.project
    }

    /// Universal Auth login; keeps the access token.
    fn login(&mut self) -> Result<(), StoreError> {
        let Some(credentials) = &self.credentials else {
            return Err(StoreError::Auth {
                store: STORE,
                reason: "the access token was refused".into(),
            });
        };
        let url = format!("{}/api/v1/auth/universal-auth/login", self.base);
        let secret = std::str::from_utf8(credentials.client_secret.expose())
            .map_err(|_| StoreError::Config("the Infisical client secret is not UTF-8".into()))?;
        let body = json!({ "clientId": credentials.client_id, "clientSecret": secret });
        let resp = self.with_rate_limit(|c| c.send_json("POST", &url, &[], &body))?;
        match resp.status {
            200..=299 => {
                let v = resp.json("Infisical login")?;
                let token = v["accessToken"]
                    .as_str()
                    .filter(|t| !t.is_empty())
                    .ok_or_else(|| {
                        StoreError::Other("Infisical login: the answer has no accessToken".into())
                    })?;
                self.token = Secret::new(token.as_bytes().to_vec());
                Ok(())
            }
            401 | 403 => Err(StoreError::Auth {
                store: STORE,
                reason: server_message(&resp),
            }),
            404 => Err(StoreError::Config(format!(
                "no Infisical API at {} (HTTP 404 from the Universal Auth login)",
                self.base
            ))),
            _ => Err(http_error("Infisical login", &resp)),
        }
    }

    /// Sends one request, retrying 429s; reports the status whatever it is.
    fn with_rate_limit(
        &self,
        send: impl Fn(&Client) -> Result<Response, StoreError>,
    ) -> Result<Response, StoreError> {
        let mut attempt = 0;
        loop {
            let resp = send(&self.client)?;
            if resp.status != 429 || attempt == RATE_LIMIT_RETRIES {
                return Ok(resp);
            }
            std::thread::sleep(retry_delay(&resp, attempt));
            attempt += 1;
        }
    }

    /// An authenticated request: bearer token, 429 retries, and one fresh login when the token
    /// has expired (only possible with client credentials).
    fn call(&mut self, method: &str, url: &str, body: Option<&Value>) -> Result<Response, StoreError> {
        let mut relogged = false;
        loop {
            let token = String::from_utf8_lossy(self.token.expose()).into_owned();
            let auth = format!("Bearer {token}");
            let headers = [("Authorization", auth.as_str()), ("Accept", "application/json")];
            let resp = self.with_rate_limit(|c| match body {
                Some(b) => c.send_json(method, url, &headers, b),
                None => c.send(method, url, &headers, None),
            })?;
            let token_refused =
                resp.status == 401 || (resp.status == 403 && error_name(&resp) == "TokenError");
            if token_refused && self.credentials.is_some() && !relogged {
                relogged = true;
                self.login()?;
                continue;
            }
            return Ok(resp);
        }
    }

    fn secret_url(&self, key: &str) -> String {
        format!("{}/api/v4/secrets/{}", self.base, encode_segment(key))
    }

    /// Reads the secret, `None` when it (or its folder) does not exist.
    fn read(&mut self, target: &Target) -> Result<Option<Current>, StoreError> {
        let url = format!(
            "{}?projectId={}&environment={}&secretPath={}&type=shared&viewSecretValue=true\
             &expandSecretReferences=false&include_imports=false",
            self.secret_url(&target.key),
            encode_segment(&self.project),
            encode_segment(&self.env),
            encode_segment(&secret_path(&target.path)),
        );
        let resp = self.call("GET", &url, None)?;
        match resp.status {
            200..=299 => {
                let v = resp.json("Infisical read")?;
                let secret = &v["secret"];
                if secret["secretValueHidden"].as_bool() == Some(true) {
                    return Err(StoreError::Auth {
                        store: STORE,
                        reason: format!(
                            "{} exists but its value is hidden from this identity",
                            self.describe(target)
                        ),
                    });
                }
                let value = secret["secretValue"].as_str().ok_or_else(|| {
                    StoreError::Other(format!(
                        "Infisical read of {}: no secretValue in the answer",
                        self.describe(target)
                    ))
                })?;
                Ok(Some(Current {
                    value: Secret::new(value.as_bytes().to_vec()),
                    version: secret["version"].as_u64(),
                }))
            }
            404 if is_absent(&resp) => Ok(None),
            _ => Err(self.failure("read", target, &resp, None)),
        }
    }

    /// `POST` (create) or `PATCH` (update) the value.
    fn write(&mut self, method: &str, target: &Target, value: &str) -> Result<Written, StoreError> {
        let body = json!({
            "projectId": self.project,
            "environment": self.env,
            "secretPath": secret_path(&target.path),
            "secretValue": value,
            "type": "shared",
        });
        let url = self.secret_url(&target.key);
        let resp = self.call(method, &url, Some(&body))?;
        match resp.status {
            200..=299 => {
                let v = resp.json("Infisical write")?;
                if let Some(approval) = v.get("approval").filter(|a| !a.is_null()) {
                    let id = approval["slug"]
                        .as_str()
                        .or_else(|| approval["id"].as_str())
                        .unwrap_or("?");
                    return Ok(Written::NeedsApproval(id.to_string()));
                }
                if v.get("secret").is_none() {
                    return Err(StoreError::Other(format!(
                        "Infisical write of {}: the answer has neither `secret` nor `approval`",
                        self.describe(target)
                    )));
                }
                Ok(Written::Done(v["secret"]["version"].as_u64()))
            }
            400 if method == "POST"
                && server_message(&resp)
                    .to_ascii_lowercase()
                    .contains("already exist") =>
            {
                Ok(Written::AlreadyExists)
            }
            404 => Ok(Written::NotFound(scrub(&server_message(&resp), value))),
            _ => Err(self.failure(
                if method == "POST" { "create" } else { "update" },
                target,
                &resp,
                Some(value),
            )),
        }
    }

    /// Creates the folder `path` (and its parents), one segment at a time: the folders API is
    /// idempotent on current servers, and older ones answer "already exists", which is fine too.
    fn ensure_folder(&mut self, target: &Target) -> Result<(), StoreError> {
        let url = format!("{}/api/v2/folders", self.base);
        let segments: Vec<&str> = target.path.split('/').filter(|s| !s.is_empty()).collect();
        for (i, name) in segments.iter().enumerate() {
            let parent = format!("/{}", segments[..i].join("/"));
            let body = json!({
                "projectId": self.project,
                "environment": self.env,
                "name": name,
                "path": parent,
            });
            let resp = self.call("POST", &url, Some(&body))?;
            let exists = resp.status == 400
                && server_message(&resp)
                    .to_ascii_lowercase()
                    .contains("already exist");
            if !resp.ok() && !exists {
                return Err(self.failure("create the folder for", target, &resp, None));
            }
        }
        Ok(())
    }

    /// The error for a failed call on `target` (never containing `value`).
    fn failure(&self, what: &str, target: &Target, resp: &Response, value: Option<&str>) -> StoreError {
        let message = scrub(&server_message(resp), value.unwrap_or(""));
        match resp.status {
            401 | 403 => StoreError::Auth { store: STORE, reason: format!("{what} {}: {message}", self.describe(target)) },
            429 => StoreError::Other(format!(
                "Infisical kept rate-limiting us (HTTP 429 after {RATE_LIMIT_RETRIES} retries) on {what} {}: {message}",
                self.describe(target)
            )),
            status => StoreError::Other(format!(
                "Infisical could not {what} {}: HTTP {status} {}: {message}",
                self.describe(target),
                error_name(resp)
            )),
        }
    }

    fn needs_approval(&self, target: &Target, request: &str) -> StoreError {
        StoreError::Other(format!(
            "{} needs approval: an approval policy covers environment '{}', so Infisical opened change \
             request {request} instead of writing; nothing was written (approve it in Infisical, or use an \
             identity the policy lets bypass)",
            self.describe(target),
            self.env
        ))
    }
}

impl SecretStore for InfisicalStore {
    fn kind(&self) -> &'static str {
        STORE
    }

    fn describe(&self, target: &Target) -> String {
        format!(
            "infisical:{}:{}#{}",
            self.env,
            secret_path(&target.path),
            target.key
        )
    }

    fn get(&mut self, target: &Target) -> Result<Option<Secret>, StoreError> {
        Ok(self.read(target)?.map(|c| c.value))
    }

    fn put(&mut self, target: &Target, value: &Secret, overwrite: bool) -> Result<Put, StoreError> {
        let text = self.storable(target, value)?;
        let mut folder_created = false;
        // Each round reads, decides and writes; a lost race (someone created or deleted the key
        // in between) sends us round again.
        for _ in 0..4 {
            match self.read(target)? {
                Some(cur) if cur.value.expose() == value.expose() => return Ok(Put::Unchanged),
                Some(_) if !overwrite => {
                    return Err(StoreError::Conflict {
                        location: self.describe(target),
                    })
                }
                Some(cur) => match self.write("PATCH", target, text)? {
                    Written::Done(new) => {
                        if let (Some(old), Some(new)) = (cur.version, new) {
                            if new != old + 1 {
                                return Err(StoreError::Other(format!(
                                    "{} was changed by someone else while we overwrote it (version {old} \
                                     became {new}, not {}): our value is written, check the secret's \
                                     version history in Infisical",
                                    self.describe(target),
                                    old + 1
                                )));
                            }
                        }
                        return Ok(Put::Overwritten);
                    }
                    Written::NeedsApproval(id) => return Err(self.needs_approval(target, &id)),
                    Written::NotFound(_) | Written::AlreadyExists => continue,
                },
                None => match self.write("POST", target, text)? {
                    Written::Done(_) => return Ok(Put::Created),
                    Written::NeedsApproval(id) => return Err(self.needs_approval(target, &id)),
                    Written::AlreadyExists => continue,
                    Written::NotFound(message) => {
                        if folder_created || target.path.is_empty() {
                            return Err(StoreError::Other(format!(
                                "Infisical could not create {}: HTTP 404: {message}",
                                self.describe(target)
                            )));
                        }
                        self.ensure_folder(target)?;
                        folder_created = true;
                    }
                },
            }
        }
        Err(StoreError::Other(format!(
            "{} kept changing while we wrote it; nothing more was attempted",
            self.describe(target)
        )))
    }

    fn fetch_hint(&self, target: &Target) -> String {
        let mut hint = format!(
            "infisical secrets get {} --projectId={} --env={} --path={} --plain",
            target.key,
            self.project,
            self.env,
            secret_path(&target.path)
        );
        if self.base != DEFAULT_URL {
            hint.push_str(&format!(" --domain={}/api", self.base));
        }
        hint
    }

    fn address(&self, _target: &Target) -> crate::migrate::secrets_map::Address {
        let mut a = crate::migrate::secrets_map::Address {
            address: self.base.clone(),
            project: self.project.clone(),
            options: Default::default(),
        };
        a.options.insert("environment".into(), self.env.clone());
        a
    }
}

impl InfisicalStore {
    /// The value as the text Infisical will store unchanged, or why it cannot be.
    fn storable<'v>(&self, target: &Target, value: &'v Secret) -> Result<&'v str, StoreError> {
        let location = self.describe(target);
        for segment in target.path.split('/').filter(|s| !s.is_empty()) {
            if !segment
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            {
                return Err(StoreError::Config(format!(
                    "{location}: Infisical folder names may only hold letters, digits, '-' and '_' (not '{segment}')"
                )));
            }
        }
        let text = std::str::from_utf8(value.expose()).map_err(|_| {
            StoreError::Other(format!(
                "{location}: the value is not UTF-8 text, which is all Infisical stores"
            ))
        })?;
        if infisical_trim(text) != text {
            return Err(StoreError::Unstorable(format!(
                "{location}: the value has leading or trailing whitespace, which Infisical strips; it would not \
                 be stored exactly, so it was not sent"
            )));
        }
        if has_reference(text) {
            return Err(StoreError::Unstorable(format!(
                "{location}: the value contains `${{...}}`, which Infisical treats as a reference to another \
                 secret and expands on read; it would not be read back exactly, so it was not sent"
            )));
        }
        Ok(text)
    }
}

const NO_CLIENT_SECRET: &str =
    "--infisical-client-secret (or INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET) is required with --infisical-client-id";
const NO_CLIENT_ID: &str =
    "--infisical-client-id (or INFISICAL_UNIVERSAL_AUTH_CLIENT_ID) is required with --infisical-client-secret";

/// The Universal Auth client id and secret, when both are given (half a pair is an error unless a
/// token is given instead).
fn credentials(args: &InfisicalArgs) -> Result<Option<Credentials>, StoreError> {
    let has_token = non_empty(&args.token).is_some();
    match (non_empty(&args.client_id), non_empty(&args.client_secret)) {
        (Some(id), Some(secret)) => Ok(Some(Credentials {
            client_id: id.to_string(),
            client_secret: Secret::new(secret.as_bytes().to_vec()),
        })),
        (Some(_), None) if !has_token => Err(StoreError::Config(NO_CLIENT_SECRET.into())),
        (None, Some(_)) if !has_token => Err(StoreError::Config(NO_CLIENT_ID.into())),
        _ => Ok(None),
    }
}

/// The site URL without a trailing `/` or `/api` (the Infisical CLI's INFISICAL_API_URL ends in
/// `/api`).
fn normalise_url(url: &str) -> Result<String, StoreError> {
    let mut base = url.trim().trim_end_matches('/');
    if let Some(stripped) = base.strip_suffix("/api") {
        base = stripped.trim_end_matches('/');
    }
    if !(base.starts_with("https://") || base.starts_with("http://")) || base.len() <= "https://".len() {
        return Err(StoreError::Config(format!(
            "--infisical-url must be an http:// or https:// URL, not '{url}'"
        )));
    }
    Ok(base.to_string())
}

fn non_empty(o: &Option<String>) -> Option<&str> {
    o.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// `shop/api` → `/shop/api`; the empty path is the root `/`.
fn secret_path(path: &str) -> String {
    format!("/{}", path.trim_matches('/'))
}

/// What Infisical's create/update schema does to a value: JavaScript `trim()`, keeping one
/// trailing newline when the value ended with one.
fn infisical_trim(v: &str) -> String {
    let trimmed = v.trim_matches(is_js_whitespace);
    if v.ends_with('\n') {
        format!("{trimmed}\n")
    } else {
        trimmed.to_string()
    }
}

/// ECMAScript WhiteSpace and LineTerminator (what `String.prototype.trim` removes).
fn is_js_whitespace(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}' | '\u{2028}' | '\u{2029}' | '\u{202f}' | '\u{205f}' | '\u{3000}' | '\u{feff}'
    )
}

/// Whether the value holds Infisical's reference syntax `${...}` (at least one character, no `}`);
/// Doppler's references have the same syntax.
pub(crate) fn has_reference(v: &str) -> bool {
    let mut rest = v;
    while let Some(i) = rest.find("${") {
        rest = &rest[i + 2..];
        if let Some(end) = rest.find('}') {
            if end > 0 {
                return true;
            }
        }
    }
    false
}

/// A 404 that means "no such secret (or folder)", as opposed to, say, an unknown project.
fn is_absent(resp: &Response) -> bool {
    let m = server_message(resp);
    (m.starts_with("Secret with name") || m.starts_with("Folder with path")) && m.contains("not found")
}

/// The server's `message` (a string, or for schema errors a list of issues), on one line.
fn server_message(resp: &Response) -> String {
    let text = match serde_json::from_slice::<Value>(&resp.body) {
        Ok(v) => match &v["message"] {
            Value::String(s) => s.clone(),
            Value::Array(issues) => issues
                .iter()
                .map(|i| {
                    let path = i["path"].as_array().map(|p| {
                        p.iter()
                            .map(|s| s.as_str().map_or_else(|| s.to_string(), str::to_string))
                            .collect::<Vec<_>>()
                    });
                    let msg = i["message"].as_str().unwrap_or("invalid");
                    match path {
                        Some(p) if !p.is_empty() => format!("{}: {msg}", p.join(".")),
                        _ => msg.to_string(),
                    }
                })
                .collect::<Vec<_>>()
                .join("; "),
            _ => format!("HTTP {}", resp.status),
        },
        Err(_) => format!("HTTP {} (not JSON)", resp.status),
    };
    let line = one_line(&text);
    if line.chars().count() > 300 {
        format!("{}…", line.chars().take(300).collect::<String>())
    } else {
        line
    }
}

/// The server's `error` name (`NotFound`, `TokenError`, `PermissionDenied`, ...).
fn error_name(resp: &Response) -> String {
    serde_json::from_slice::<Value>(&resp.body)
        .ok()
        .and_then(|v| v["error"].as_str().map(str::to_string))
        .unwrap_or_default()
}

fn http_error(what: &str, resp: &Response) -> StoreError {
    StoreError::Other(format!(
        "{what}: HTTP {} {}: {}",
        resp.status,
        error_name(resp),
        server_message(resp)
    ))
}

/// `message` with any copy of the value blanked out (no Infisical message we know of echoes a
/// value, but a proxy or a future one might).
fn scrub(message: &str, value: &str) -> String {
    if value.trim().len() >= 4 && message.contains(value.trim()) {
        message.replace(value.trim(), "<redacted>")
    } else {
        message.to_string()
    }
}

/// How long to wait before retry `attempt` (0-based) of a 429: `Retry-After` seconds when given
/// (capped), otherwise 1, 2, 4, 8 s.
fn retry_delay(resp: &Response, attempt: u32) -> Duration {
    // `Response` keeps no headers; Infisical puts the wait in the message too ("Please try again
    // in N seconds"), and @fastify/rate-limit's Retry-After matches it.
    let from_message = server_message(resp)
        .split_whitespace()
        .collect::<Vec<_>>()
        .windows(2)
        .find(|w| w[1].starts_with("second"))
        .and_then(|w| w[0].parse::<u64>().ok());
    match from_message {
        Some(s) => Duration::from_secs(s).min(MAX_RETRY_AFTER),
        None => Duration::from_secs(1 << attempt.min(5)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_normalised() {
        assert_eq!(
            normalise_url("https://app.infisical.com/api/").expect("valid"),
            "https://app.infisical.com"
        );
        assert_eq!(
            normalise_url("http://127.0.0.1:8080").expect("valid"),
            "http://127.0.0.1:8080"
        );
        assert!(normalise_url("app.infisical.com").is_err());
    }

    #[test]
    fn trim_matches_the_server() {
        assert_eq!(infisical_trim("abc"), "abc");
        assert_eq!(infisical_trim(" abc\t"), "abc");
        assert_eq!(infisical_trim("-----END KEY-----\n"), "-----END KEY-----\n");
        assert_eq!(infisical_trim("abc\n\n"), "abc\n");
        assert_eq!(infisical_trim("\u{feff}abc"), "abc");
        assert_eq!(infisical_trim("a b\nc"), "a b\nc");
    }

    #[test]
    fn references_are_recognised() {
        assert!(has_reference("postgres://${DB_USER}@host"));
        assert!(has_reference("x${a}"));
        assert!(!has_reference("$HOME and ${} and ${unclosed"));
        assert!(!has_reference("p@ss$w{rd}"));
    }

    #[test]
    fn paths_map_to_secret_paths() {
        assert_eq!(secret_path(""), "/");
        assert_eq!(secret_path("shop/api"), "/shop/api");
    }
}
