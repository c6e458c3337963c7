//! The `doppler` store: Doppler over its REST API v3, with a service token (`dp.st.…`, scoped to
//! one project and config, which it then implies) or a personal / service-account token given
//! in `DOPPLER_TOKEN`.
//!
//! Doppler has projects and configs (one per environment: `dev`, `stg`, `prd` by default) and
//! no folders, so a [`Target`] is one secret named `Target.key` in the config `--doppler-config`,
//! or, without it, the config named after the target's environment (`prod`/`production` →
//! `prd`, `staging`/`stage` → `stg`, `development` → `dev`, any other as is; empty → `dev`). A
//! non-empty `Target.path` is refused: Doppler has nowhere to put it.
//!
//! Names: Doppler accepts only `[A-Z0-9_]`, not starting with a digit, and reserves `DOPPLER_*`.
//! A key outside that (`database_url`, `my-key`) is **refused, not mapped**: the application
//! reads the variable by its exact name, and `doppler run` would hand it a different one. Such a
//! secret stays in its file as a manual step, and the report says why.
//!
//! Calls (API reference, "Secrets"):
//! - `GET /v3/configs/config/secret?project&config&name` → `{"name", "value": {"raw",
//!   "computed"}}`; 404 when absent. We compare `raw`, which is what was written.
//! - `POST /v3/configs/config/secrets` with `change_requests`: a new secret without
//!   `originalName`; an overwrite with `originalName` and `originalValue`, which Doppler applies
//!   only if the secret still holds the value we read (check-and-set). A refused check sends us
//!   round again: read, decide, write.
//!
//! Doppler expands `${OTHER}` references in the value it hands applications (`computed`); a value
//! holding one would not reach the app unchanged, so it is refused before anything is sent.
//! Rate limiting (429) and 503 are retried with back-off.

use std::fmt;
use std::time::Duration;

use serde_json::{json, Value};

use super::aws::Sensitive;
use super::{Put, SecretStore, StoreError, Target};
use crate::findings::Secret;
use crate::migrate::http::{capped_line, encode_segment, withhold, Client, Response};

const STORE: &str = "doppler";
const HEADING: &str = "Doppler (--to doppler)";
/// Doppler's API.
pub const DEFAULT_URL: &str = "https://api.doppler.com";
/// How many times a rate-limited (429) or unavailable (503) request is retried.
const RETRIES: u32 = 4;

/// `--to doppler` options.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct DopplerArgs {
    /// Doppler project [implied by a service token]
    #[arg(
        id = "doppler-project",
        long = "doppler-project", env = "DOPPLER_PROJECT", value_name = "PROJECT", help_heading = HEADING)]
    pub project: Option<String>,
    /// Doppler config [implied by a service token; else the environment's: dev, stg, prd]
    #[arg(
        id = "doppler-config",
        long = "doppler-config", env = "DOPPLER_CONFIG", value_name = "CONFIG", help_heading = HEADING)]
    pub config: Option<String>,
    /// Doppler token (service token, service account or personal token); environment only in
    /// practice (the flag is hidden).
    #[arg(
        id = "doppler-token",
        long = "doppler-token",
        env = "DOPPLER_TOKEN",
        hide = true,
        hide_env_values = true
    )]
    pub token: Option<Sensitive>,
    /// Doppler API URL (https://, or http:// to this machine only) [default: `https://api.doppler.com`]
    #[arg(
        id = "doppler-api-host",
        long = "doppler-api-host", env = "DOPPLER_API_HOST", value_name = "URL", help_heading = HEADING)]
    pub api_host: Option<String>,
}

/// The `doppler` store.
pub struct DopplerStore {
    client: Client,
    base: String,
    token: Secret,
    /// Empty when a service token implies it.
    project: String,
    /// `--doppler-config`, if given.
    config: Option<String>,
    /// A service token: project and config may be left out of requests.
    service_token: bool,
}

impl fmt::Debug for DopplerStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DopplerStore")
            .field("base", &self.base)
            .field("project", &self.project)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// How a write ended.
enum Written {
    Done,
    /// The check-and-set (`originalValue`) or the create found another value: read again.
    Raced,
}

impl DopplerStore {
    /// Checks the options and the token (`GET /v3/me`), so a bad token fails before anything is
    /// planned or written.
    pub fn open(args: &DopplerArgs) -> Result<Self, StoreError> {
        let store = Self::new(args)?;
        let url = format!("{}/v3/me", store.base);
        let resp = store.call("GET", &url, None)?;
        match resp.status {
            200..=299 => Ok(store),
            401 | 403 => Err(StoreError::Auth {
                store: STORE,
                reason: server_message(&resp),
            }),
            status => Err(StoreError::Other(format!(
                "Doppler token check (GET /v3/me): HTTP {status}: {}",
                server_message(&resp)
            ))),
        }
    }

    /// The store for `args`, without any request.
    fn new(args: &DopplerArgs) -> Result<Self, StoreError> {
        let base = normalise_url(non_empty(&args.api_host).unwrap_or(DEFAULT_URL))?;
        let token = args
            .token
            .as_ref()
            .map(|t| t.0.trim())
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                StoreError::Config(
                    "--to doppler needs DOPPLER_TOKEN (a service token for one config, or a service account / \
                     personal token with --doppler-project)"
                        .into(),
                )
            })?;
        let service_token = token.starts_with("dp.st.");
        let project = non_empty(&args.project).unwrap_or("").to_string();
        let config = non_empty(&args.config).map(str::to_string);
        if !service_token && project.is_empty() {
            return Err(StoreError::Config(
                "--doppler-project (or DOPPLER_PROJECT) is required unless DOPPLER_TOKEN is a service token"
                    .into(),
            ));
        }
        Ok(Self {
            client: Client::new(STORE),
            base,
            token: Secret::new(token.as_bytes().to_vec()),
            project,
            config,
            service_token,
        })
    }

    /// The config `target` goes to; empty when the service token implies it.
    fn config_of(&self, target: &Target) -> String {
        match &self.config {
            Some(c) => c.clone(),
            None if self.service_token => String::new(),
            None => config_for_env(&target.env).to_string(),
        }
    }

    /// `project=…&config=…&` for a query (the parts a service token implies left out).
    fn scope_query(&self, config: &str) -> String {
        let mut q = String::new();
        if !self.project.is_empty() {
            q.push_str(&format!("project={}&", encode_segment(&self.project)));
        }
        if !config.is_empty() {
            q.push_str(&format!("config={}&", encode_segment(config)));
        }
        q
    }

    fn call(&self, method: &str, url: &str, body: Option<&Value>) -> Result<Response, StoreError> {
        let auth = format!("Bearer {}", String::from_utf8_lossy(self.token.expose()));
        let headers = [("Authorization", auth.as_str()), ("Accept", "application/json")];
        let mut attempt = 0;
        loop {
            let resp = match body {
                Some(b) => self.client.send_json(method, url, &headers, b)?,
                None => self.client.send(method, url, &headers, None)?,
            };
            if !matches!(resp.status, 429 | 503) || attempt == RETRIES {
                return Ok(resp);
            }
            std::thread::sleep(Duration::from_secs(1 << attempt));
            attempt += 1;
        }
    }

    fn read(&self, target: &Target) -> Result<Option<Secret>, StoreError> {
        let url = format!(
            "{}/v3/configs/config/secret?{}name={}",
            self.base,
            self.scope_query(&self.config_of(target)),
            encode_segment(&target.key)
        );
        let resp = self.call("GET", &url, None)?;
        match resp.status {
            200 => {
                let v = resp.json("Doppler read")?;
                // The API reference has `{name, value}`; some answers wrap it in `secret`.
                let s = if v.get("secret").is_some() {
                    &v["secret"]
                } else {
                    &v
                };
                let raw = s["value"]["raw"].as_str().ok_or_else(|| {
                    StoreError::Other(format!(
                        "Doppler read of {}: no value.raw in the answer",
                        self.describe(target)
                    ))
                })?;
                Ok(Some(Secret::new(raw.as_bytes().to_vec())))
            }
            404 if is_absent_secret(&resp) => Ok(None),
            _ => Err(self.failure("read", target, &resp)),
        }
    }

    fn write(&self, target: &Target, value: &str, original: Option<&str>) -> Result<Written, StoreError> {
        let mut change = json!({ "name": target.key, "value": value });
        if let Some(old) = original {
            change["originalName"] = json!(target.key);
            change["originalValue"] = json!(old);
        }
        let mut body = json!({ "change_requests": [change] });
        let config = self.config_of(target);
        if !self.project.is_empty() {
            body["project"] = json!(self.project);
        }
        if !config.is_empty() {
            body["config"] = json!(config);
        }
        let url = format!("{}/v3/configs/config/secrets", self.base);
        let resp = self.call("POST", &url, Some(&body))?;
        match resp.status {
            200..=299 => Ok(Written::Done),
            400 | 409 if is_raced(&resp) => Ok(Written::Raced),
            _ => Err(self.write_failure(target, &resp, value, original)),
        }
    }

    /// The error for a refused write: neither the value nor the one it replaces is quoted.
    fn write_failure(
        &self,
        target: &Target,
        resp: &Response,
        value: &str,
        original: Option<&str>,
    ) -> StoreError {
        let mut secrets = vec![value.as_bytes()];
        secrets.extend(original.map(str::as_bytes));
        self.failure_withholding("write", target, resp, &secrets)
    }

    fn failure(&self, what: &str, target: &Target, resp: &Response) -> StoreError {
        self.failure_withholding(what, target, resp, &[])
    }

    /// The error for `resp`, the server's message without any part of `secrets`.
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
                "Doppler kept rate-limiting us (HTTP 429 after {RETRIES} retries) on {what} {}",
                self.describe(target)
            )),
            404 => StoreError::Config(format!(
                "Doppler could not {what} {}: {message} (check --doppler-project and --doppler-config)",
                self.describe(target)
            )),
            status => StoreError::Other(format!(
                "Doppler could not {what} {}: HTTP {status}: {message}",
                self.describe(target)
            )),
        }
    }

    /// The value as text Doppler hands back unchanged, or why it cannot be.
    fn storable<'v>(&self, target: &Target, value: &'v Secret) -> Result<&'v str, StoreError> {
        let location = self.describe(target);
        if !target.path.is_empty() {
            return Err(StoreError::Config(format!(
                "{location}: Doppler has no folders, but the path template gave '{}': use --path-template '' with --to doppler",
                target.path
            )));
        }
        check_name(&target.key).map_err(|why| StoreError::Unstorable(format!("{location}: {why}")))?;
        let text = std::str::from_utf8(value.expose()).map_err(|_| {
            StoreError::Unstorable(format!(
                "{location}: the value is not UTF-8 text, which is all Doppler stores; it was not sent"
            ))
        })?;
        if super::infisical::has_reference(text) {
            return Err(StoreError::Unstorable(format!(
                "{location}: the value contains `${{...}}`, which Doppler treats as a reference to another secret \
                 and expands for `doppler run`; it would not reach the app unchanged, so it was not sent"
            )));
        }
        Ok(text)
    }
}

impl SecretStore for DopplerStore {
    fn kind(&self) -> &'static str {
        STORE
    }

    fn describe(&self, target: &Target) -> String {
        let config = self.config_of(target);
        let scope = match (self.project.as_str(), config.as_str()) {
            ("", "") => "<service token>".to_string(),
            (p, c) => format!("{p}/{c}"),
        };
        format!("doppler:{scope}#{}", target.key)
    }

    fn get(&mut self, target: &Target) -> Result<Option<Secret>, StoreError> {
        check_name(&target.key)
            .map_err(|why| StoreError::Unstorable(format!("{}: {why}", self.describe(target))))?;
        self.read(target)
    }

    fn put(&mut self, target: &Target, value: &Secret, overwrite: bool) -> Result<Put, StoreError> {
        let text = self.storable(target, value)?;
        let mut overwrote = false;
        for _ in 0..4 {
            let written = match self.read(target)? {
                Some(cur) if cur.expose() == value.expose() => {
                    return Ok(if overwrote {
                        Put::Overwritten
                    } else {
                        Put::Unchanged
                    })
                }
                Some(_) if !overwrite => {
                    return Err(StoreError::Conflict {
                        location: self.describe(target),
                    })
                }
                Some(cur) => {
                    let old = std::str::from_utf8(cur.expose()).map_err(|_| {
                        StoreError::Other(format!(
                            "{}: the stored value is not UTF-8",
                            self.describe(target)
                        ))
                    })?;
                    overwrote = true;
                    self.write(target, text, Some(old))?
                }
                None => self.write(target, text, None)?,
            };
            match written {
                Written::Done => return Ok(if overwrote { Put::Overwritten } else { Put::Created }),
                Written::Raced => continue,
            }
        }
        Err(StoreError::Other(format!(
            "{} kept changing while we wrote it; nothing more was attempted",
            self.describe(target)
        )))
    }

    fn fetch_hint(&self, target: &Target) -> String {
        let mut hint = format!("doppler secrets get {} --plain", target.key);
        let config = self.config_of(target);
        if !self.project.is_empty() {
            hint.push_str(&format!(" -p {}", super::vault::shell_quote(&self.project)));
        }
        if !config.is_empty() {
            hint.push_str(&format!(" -c {}", super::vault::shell_quote(&config)));
        }
        if self.base != DEFAULT_URL {
            hint.push_str(&format!(" --api-host {}", super::vault::shell_quote(&self.base)));
        }
        hint
    }

    fn address(&self, target: &Target) -> crate::migrate::secrets_map::Address {
        let mut a = crate::migrate::secrets_map::Address {
            address: if self.base == DEFAULT_URL {
                String::new()
            } else {
                self.base.clone()
            },
            project: self.project.clone(),
            options: Default::default(),
        };
        let config = self.config_of(target);
        if !config.is_empty() {
            a.options.insert("config".into(), config);
        }
        a
    }
}

/// Doppler's default config for an environment name.
pub fn config_for_env(env: &str) -> &str {
    match env {
        "" | "dev" | "development" => "dev",
        "prod" | "production" | "prd" => "prd",
        "staging" | "stage" | "stg" => "stg",
        other => other,
    }
}

/// Why Doppler cannot hold a secret named `key`, if it cannot.
pub fn check_name(key: &str) -> Result<(), String> {
    let valid = key
        .bytes()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        && key.bytes().next().is_some_and(|b| !b.is_ascii_digit());
    if !valid {
        return Err(format!(
            "Doppler secret names are upper-case letters, digits and '_' (not starting with a digit), so '{}' \
             cannot be stored under the name the app reads; rename the variable (it was not sent)",
            key.escape_debug()
        ));
    }
    if key.starts_with("DOPPLER_") {
        return Err(format!(
            "Doppler reserves names starting with DOPPLER_ ('{key}'); it was not sent"
        ));
    }
    Ok(())
}

/// `{"messages": [...], "success": false}` on one line.
fn server_message(resp: &Response) -> String {
    capped_line(&server_text(resp))
}

/// The messages of an answer, whole (cut only after any value is withheld from them).
fn server_text(resp: &Response) -> String {
    let v: Value = serde_json::from_slice(&resp.body).unwrap_or(Value::Null);
    match v["messages"].as_array() {
        Some(m) if !m.is_empty() => m.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("; "),
        _ => format!("HTTP {}", resp.status),
    }
}

/// A 404 that means "no such secret", as opposed to an unknown project or config.
fn is_absent_secret(resp: &Response) -> bool {
    let m = server_message(resp).to_ascii_lowercase();
    m.contains("secret") && !m.contains("project") && !m.contains("config")
}

/// A refused check-and-set: the secret does not hold `originalValue` (or was created meanwhile).
fn is_raced(resp: &Response) -> bool {
    let m = server_message(resp).to_ascii_lowercase();
    m.contains("original") || m.contains("already exists")
}

fn non_empty(o: &Option<String>) -> Option<&str> {
    o.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// `https://…`, or `http://` to a loopback host only (a token never travels in clear).
fn normalise_url(url: &str) -> Result<String, StoreError> {
    let base = url.trim().trim_end_matches('/');
    let bad = || {
        StoreError::Config(format!(
            "--doppler-api-host must be an https:// URL (http:// only to 127.0.0.1 or localhost), not '{url}'"
        ))
    };
    let host = match (base.strip_prefix("https://"), base.strip_prefix("http://")) {
        (Some(h), _) => h,
        (None, Some(h)) => {
            let name = h.rsplit_once(':').map_or(h, |(n, _)| n);
            if !matches!(name, "127.0.0.1" | "localhost" | "[::1]") {
                return Err(bad());
            }
            h
        }
        _ => return Err(bad()),
    };
    if host.is_empty() || host.contains(['/', '?', '#', '@']) {
        return Err(bad());
    }
    Ok(base.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_refused_not_mapped() {
        assert!(check_name("DATABASE_URL").is_ok());
        assert!(check_name("_X1").is_ok());
        for bad in ["database_url", "MY-KEY", "1PASSWORD", "", "DOPPLER_TOKEN", "KÉ"] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn environments_map_to_default_configs() {
        assert_eq!(config_for_env(""), "dev");
        assert_eq!(config_for_env("production"), "prd");
        assert_eq!(config_for_env("staging"), "stg");
        assert_eq!(config_for_env("qa"), "qa");
    }

    #[test]
    fn urls_must_not_send_tokens_in_clear() {
        assert_eq!(
            normalise_url("https://api.doppler.com/").expect("ok"),
            DEFAULT_URL
        );
        assert!(normalise_url("http://127.0.0.1:8080").is_ok());
        assert!(normalise_url("http://api.doppler.com").is_err());
        assert!(normalise_url("http://127.0.0.1.evil:80").is_err());
        assert!(normalise_url("https://h/v3").is_err());
    }

    #[test]
    fn refused_writes_quote_no_value() {
        let args = DopplerArgs {
            token: Some(Sensitive("dp.st.dev.abc".into())),
            ..Default::default()
        };
        let s = DopplerStore::new(&args).expect("opens");
        let t = Target::new("", "API_KEY");
        let resp = |messages: serde_json::Value| Response {
            status: 400,
            body: serde_json::to_vec(&json!({ "messages": messages, "success": false })).expect("json"),
        };
        // Echoed past the 300-character cap.
        let long = "Zq9".repeat(150);
        let e = s.write_failure(&t, &resp(json!([format!("Invalid value {long}")])), &long, None);
        assert!(!e.to_string().contains("Zq9Zq9Zq9"), "{e}");
        // One line of a multi-line value (a key file).
        let pem = "-----BEGIN KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END KEY-----";
        let e = s.write_failure(&t, &resp(json!([format!("Invalid value {pem}")])), pem, None);
        assert!(!e.to_string().contains("MIIEvQIBADAN"), "{e}");
        // The value being replaced (originalValue) is a secret too.
        let e = s.write_failure(
            &t,
            &resp(json!(["originalValue old-secret-value-1 does not match"])),
            "new-value-2",
            Some("old-secret-value-1"),
        );
        assert!(!e.to_string().contains("old-secret"), "{e}");
        // Control characters in the server's message are escaped.
        let e = s.write_failure(&t, &resp(json!(["bad \u{1b}]0;title\u{7}"])), "new-value-2", None);
        assert!(!e.to_string().chars().any(char::is_control), "{e:?}");
    }

    #[test]
    fn service_tokens_imply_project_and_config() {
        let args = DopplerArgs {
            token: Some(Sensitive("dp.st.dev.abc".into())),
            ..Default::default()
        };
        let s = DopplerStore::new(&args).expect("opens");
        let t = Target::new("", "API_KEY");
        assert_eq!(s.fetch_hint(&t), "doppler secrets get API_KEY --plain");
        assert_eq!(s.scope_query(&s.config_of(&t)), "");
        let args = DopplerArgs {
            token: Some(Sensitive("dp.pt.abc".into())),
            ..Default::default()
        };
        assert!(
            DopplerStore::open(&args).is_err(),
            "a personal token needs a project"
        );
        let args = DopplerArgs {
            token: Some(Sensitive("dp.pt.abc".into())),
            project: Some("shop".into()),
            ..Default::default()
        };
        let s = DopplerStore::new(&args).expect("opens");
        let mut t = Target::new("", "API_KEY");
        t.env = "prod".into();
        assert_eq!(
            s.fetch_hint(&t),
            "doppler secrets get API_KEY --plain -p shop -c prd"
        );
    }
}
