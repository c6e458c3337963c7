//! The `aws` store: AWS Secrets Manager over its JSON 1.1 protocol, signed with our own SigV4
//! ([`sigv4`]), no AWS SDK.
//!
//! Every call is `POST /` to the endpoint with `X-Amz-Target: secretsmanager.<Operation>` and a
//! JSON body. Two layouts ([`AwsMode`]):
//! - `per-key` (default): one secret per key, named `{path}/{key}` (just `{key}` at the root),
//!   whose `SecretString` is the raw value.
//! - `per-file`: one secret per path, named `{path}`, whose `SecretString` is a JSON object
//!   `{"KEY": "value", ...}`. A put reads the object, changes one field and writes the whole
//!   object back, keeping the other fields.
//!
//! Secrets Manager has no check-and-set. A put reads the current version, writes a new one
//! (`CreateSecret` when the secret is absent, which fails atomically if someone created it
//! meanwhile; otherwise `PutSecretValue`) and then asks `DescribeSecret` which version holds which
//! staging label: the version we read must now be `AWSPREVIOUS` and ours `AWSCURRENT`. If another
//! writer slipped a version in between, our write still happened, but theirs is kept by Secrets
//! Manager as `AWSPREVIOUS` and the put fails with an error that says so, so nothing is lost
//! silently. What remains: in the window between our write and the check a third writer can make
//! the check itself fail (reported the same way), and a writer that changes staging labels by hand
//! (`UpdateSecretVersionStage`) is not detected.
//!
//! Idempotency comes from reading first (an identical value is [`Put::Unchanged`] and nothing is
//! written). `ClientRequestToken`s are random (UUID v4 form), not derived from the value: a hash
//! of a low-entropy value (a PIN, a dictionary password) in the version id, which anyone with
//! `DescribeSecret` or CloudTrail access can see, would let them guess the value offline, and a
//! value-derived token would make writing A, B, then A again a silent no-op on AWS's side.
//!
//! Credentials come from `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`; the
//! shared `~/.aws/credentials` file, profiles, SSO and instance roles are not read.

pub mod sigv4;

use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{json, Map, Value};
use zeroize::Zeroize;

use super::{Put, SecretStore, StoreError, Target};
use crate::findings::Secret;
use crate::migrate::http::{one_line, Client, Response};

const HEADING: &str = "AWS Secrets Manager (--to aws)";
const STORE: &str = "aws";
const SERVICE: &str = "secretsmanager";

/// How targets map to secrets (see the module documentation).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum AwsMode {
    /// One secret per key, named `{path}/{key}`, holding the raw value.
    #[default]
    PerKey,
    /// One secret per path, named `{path}`, holding a JSON object of all its keys.
    PerFile,
}

/// A command-line or environment value that must not show up in `Debug` output.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Sensitive(pub String);

impl std::str::FromStr for Sensitive {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_string()))
    }
}

impl fmt::Debug for Sensitive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// `--to aws` options.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct AwsArgs {
    /// AWS region of the secrets, e.g. eu-west-1 (falls back to AWS_DEFAULT_REGION).
    #[arg(long = "aws-region", env = "AWS_REGION", value_name = "REGION", help_heading = HEADING)]
    pub region: Option<String>,
    /// Secrets Manager endpoint URL (falls back to AWS_ENDPOINT_URL) [default:
    /// <https://secretsmanager.REGION.amazonaws.com>].
    #[arg(
        long = "aws-endpoint",
        env = "AWS_ENDPOINT_URL_SECRETS_MANAGER",
        value_name = "URL",
        help_heading = HEADING
    )]
    pub endpoint: Option<String>,
    /// AWS access key id. The secret key and session token are read from AWS_SECRET_ACCESS_KEY
    /// and AWS_SESSION_TOKEN (a command line is visible to other local users, so they have no
    /// documented flags).
    #[arg(
        long = "aws-access-key-id",
        env = "AWS_ACCESS_KEY_ID",
        value_name = "ID",
        hide_env_values = true,
        help_heading = HEADING
    )]
    pub access_key_id: Option<String>,
    /// AWS secret access key (environment only in practice; the flag is hidden).
    #[arg(
        long = "aws-secret-access-key",
        env = "AWS_SECRET_ACCESS_KEY",
        hide = true,
        hide_env_values = true
    )]
    pub secret_access_key: Option<Sensitive>,
    /// AWS session token of temporary credentials (environment only in practice; hidden flag).
    #[arg(
        long = "aws-session-token",
        env = "AWS_SESSION_TOKEN",
        hide = true,
        hide_env_values = true
    )]
    pub session_token: Option<Sensitive>,
    /// One secret per key (`{path}/{key}`, raw value) or one per path (`{path}`, a JSON object of
    /// its keys).
    #[arg(long = "aws-mode", value_enum, default_value_t = AwsMode::PerKey, help_heading = HEADING)]
    pub mode: AwsMode,
    /// KMS key (id, ARN or alias) to encrypt newly created secrets with [default: the account's
    /// aws/secretsmanager key].
    #[arg(long = "aws-kms-key-id", value_name = "KEY", help_heading = HEADING)]
    pub kms_key_id: Option<String>,
}

/// The `aws` store.
pub struct AwsStore {
    client: Client,
    creds: sigv4::Credentials,
    region: String,
    /// The URL requests go to (`scheme://authority/path`).
    url: String,
    /// The `Host` header we send and sign.
    host: String,
    /// Canonical URI of the endpoint's path (`/` normally).
    path: String,
    /// The endpoint as the user gave it, when it is not the default one (for `fetch_hint`).
    custom_endpoint: Option<String>,
    mode: AwsMode,
    kms_key_id: Option<String>,
}

impl fmt::Debug for AwsStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AwsStore")
            .field("url", &self.url)
            .field("region", &self.region)
            .field("mode", &self.mode)
            .field("creds", &self.creds)
            .finish_non_exhaustive()
    }
}

/// The value of an environment variable, `None` when unset or empty.
pub(crate) fn env_nonempty(var: &str) -> Option<String> {
    std::env::var(var).ok().filter(|s| !s.trim().is_empty())
}

pub(crate) fn nonempty(s: &Option<String>) -> Option<String> {
    s.as_ref().map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

impl AwsStore {
    /// Checks the settings; makes no network call (the first `get` or `put` reports bad
    /// credentials as [`StoreError::Auth`]).
    ///
    /// `--aws-region` falls back to `AWS_DEFAULT_REGION` and `--aws-endpoint` to
    /// `AWS_ENDPOINT_URL` (clap takes one environment variable per flag, so these two fallbacks
    /// are read here).
    pub fn open(args: &AwsArgs) -> Result<Self, StoreError> {
        let access_key_id = nonempty(&args.access_key_id);
        let secret = args
            .secret_access_key
            .as_ref()
            .map(|s| s.0.trim().to_string())
            .filter(|s| !s.is_empty());
        let (Some(access_key_id), Some(secret_access_key)) = (access_key_id, secret) else {
            return Err(StoreError::Config(
                "AWS credentials are required for --to aws: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY \
                 (and AWS_SESSION_TOKEN for temporary credentials)"
                    .into(),
            ));
        };
        let session_token = args
            .session_token
            .as_ref()
            .map(|s| s.0.trim().to_string())
            .filter(|s| !s.is_empty());
        let region = nonempty(&args.region)
            .or_else(|| env_nonempty("AWS_DEFAULT_REGION"))
            .ok_or_else(|| {
                StoreError::Config(
                    "--aws-region (or AWS_REGION / AWS_DEFAULT_REGION) is required for --to aws".into(),
                )
            })?;
        if !region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(StoreError::Config(format!(
                "--aws-region {region:?} is not a region name (like eu-west-1)"
            )));
        }
        let given = nonempty(&args.endpoint).or_else(|| env_nonempty("AWS_ENDPOINT_URL"));
        let endpoint = given
            .clone()
            .unwrap_or_else(|| format!("https://secretsmanager.{region}.amazonaws.com"));
        let (url, host, path) = parse_endpoint(&endpoint)?;
        Ok(Self {
            client: Client::new(STORE),
            creds: sigv4::Credentials {
                access_key_id,
                secret_access_key,
                session_token,
            },
            region,
            url,
            host,
            path,
            custom_endpoint: given,
            mode: args.mode,
            kms_key_id: nonempty(&args.kms_key_id),
        })
    }

    /// The secret name a target maps to (see [`AwsMode`]).
    pub fn secret_name(&self, target: &Target) -> Result<String, StoreError> {
        if target.key.is_empty() {
            return Err(StoreError::Other(format!(
                "{}: the key name is empty",
                self.describe(target)
            )));
        }
        match self.mode {
            AwsMode::PerKey if target.path.is_empty() => Ok(target.key.clone()),
            AwsMode::PerKey => Ok(format!("{}/{}", target.path, target.key)),
            AwsMode::PerFile if target.path.is_empty() => Err(StoreError::Config(
                "--aws-mode per-file needs a non-empty store path (it is the secret name): check the path template"
                    .into(),
            )),
            AwsMode::PerFile => Ok(target.path.clone()),
        }
    }

    /// One signed call. Transport failures are [`StoreError::Unreachable`]; any HTTP status is
    /// returned.
    fn call(&self, op: &str, body: &Value) -> Result<Response, StoreError> {
        let mut bytes = serde_json::to_vec(body).map_err(|e| StoreError::Other(format!("aws: {op}: {e}")))?;
        let target = format!("secretsmanager.{op}");
        let headers = [
            ("Host", self.host.as_str()),
            ("Content-Type", "application/x-amz-json-1.1"),
            ("X-Amz-Target", target.as_str()),
        ];
        let date = sigv4::amz_date(SystemTime::now());
        let req = sigv4::Request {
            method: "POST",
            path: &self.path,
            query: "",
            headers: &headers,
            body: &bytes,
        };
        let signed = sigv4::sign(&self.creds, &self.region, SERVICE, &date, &req);
        let mut all: Vec<(&str, &str)> = headers.to_vec();
        all.extend(signed.headers.iter().map(|(k, v)| (*k, v.as_str())));
        let result = self.client.send("POST", &self.url, &all, Some(&bytes));
        bytes.zeroize();
        result
    }

    /// Reads the current version of a secret, `None` when it does not exist (or has no current
    /// value).
    fn read(&self, name: &str, location: &str) -> Result<Option<Current>, StoreError> {
        let mut resp = self.call("GetSecretValue", &json!({ "SecretId": name }))?;
        if !resp.ok() {
            let err = ApiError::parse(&resp);
            return if err.code == "ResourceNotFoundException" {
                Ok(None)
            } else {
                Err(err.into_store_error(location, "reading", None))
            };
        }
        let parsed: Result<Value, _> = serde_json::from_slice(&resp.body);
        resp.body.zeroize();
        let mut v =
            parsed.map_err(|_| StoreError::Other(format!("{location}: GetSecretValue answered non-JSON")))?;
        let version_id = v["VersionId"].as_str().unwrap_or_default().to_string();
        let string = match v.get_mut("SecretString").map(Value::take) {
            Some(Value::String(s)) => Some(s),
            _ => None,
        };
        Ok(Some(Current { version_id, string }))
    }

    /// `CreateSecret`; the API error (e.g. `ResourceExistsException`) is returned for the caller
    /// to decide.
    fn create(&self, name: &str, string: &str) -> Result<Result<String, ApiError>, StoreError> {
        let mut body = json!({ "Name": name, "SecretString": string, "ClientRequestToken": request_token() });
        if let Some(kms) = &self.kms_key_id {
            body["KmsKeyId"] = Value::String(kms.clone());
        }
        let resp = self.call("CreateSecret", &body)?;
        if resp.ok() {
            Ok(Ok(version_of(&resp)))
        } else {
            Ok(Err(ApiError::parse(&resp)))
        }
    }

    /// `PutSecretValue`: a new version, which becomes `AWSCURRENT`. Returns its version id.
    fn put_value(
        &self,
        name: &str,
        string: &str,
        location: &str,
        value: &[u8],
    ) -> Result<String, StoreError> {
        let body = json!({ "SecretId": name, "SecretString": string, "ClientRequestToken": request_token() });
        let resp = self.call("PutSecretValue", &body)?;
        if resp.ok() {
            Ok(version_of(&resp))
        } else {
            Err(ApiError::parse(&resp).into_store_error(location, "writing", Some(value)))
        }
    }

    /// After writing version `ours` over version `read`: checks that `read` is now `AWSPREVIOUS`
    /// and `ours` `AWSCURRENT`, i.e. that nobody wrote in between (or right after).
    fn check_no_lost_update(
        &self,
        name: &str,
        read: &str,
        ours: &str,
        location: &str,
    ) -> Result<(), StoreError> {
        let resp = self.call("DescribeSecret", &json!({ "SecretId": name }))?;
        if !resp.ok() {
            return Err(ApiError::parse(&resp).into_store_error(location, "checking the versions of", None));
        }
        let v = resp.json("aws: DescribeSecret")?;
        let stages = &v["VersionIdsToStages"];
        let has = |id: &str, stage: &str| {
            stages[id]
                .as_array()
                .is_some_and(|a| a.iter().any(|s| s.as_str() == Some(stage)))
        };
        let holder = |stage: &str| {
            stages
                .as_object()
                .and_then(|m| m.iter().find(|(id, _)| has(id, stage)).map(|(id, _)| id.clone()))
                .unwrap_or_else(|| "?".into())
        };
        if !has(ours, "AWSCURRENT") {
            return Err(StoreError::Other(format!(
                "{location} changed right after leakless wrote it: version {} is AWSCURRENT, not ours ({ours}); \
                 compare the versions and merge by hand",
                holder("AWSCURRENT")
            )));
        }
        if !read.is_empty() && !has(read, "AWSPREVIOUS") {
            return Err(StoreError::Other(format!(
                "{location} was changed by someone else while leakless wrote it: their version {} is kept as \
                 AWSPREVIOUS and leakless's ({ours}) is AWSCURRENT; compare the two (get-secret-value \
                 --version-stage AWSPREVIOUS) and merge by hand",
                holder("AWSPREVIOUS")
            )));
        }
        Ok(())
    }
}

/// The current version of a secret.
struct Current {
    version_id: String,
    /// `None` when the secret holds `SecretBinary` instead.
    string: Option<String>,
}

impl Drop for Current {
    fn drop(&mut self) {
        if let Some(s) = &mut self.string {
            s.zeroize();
        }
    }
}

fn version_of(resp: &Response) -> String {
    serde_json::from_slice::<Value>(&resp.body)
        .ok()
        .and_then(|v| v["VersionId"].as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Codes that mean "your credentials are wrong or not allowed" (besides HTTP 401/403).
const AUTH_CODES: &[&str] = &[
    "AccessDeniedException",
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
    "IncompleteSignature",
    "InvalidClientTokenId",
    "MissingAuthenticationToken",
    "ExpiredTokenException",
    "ExpiredToken",
    "AuthFailure",
    "NotAuthorized",
];

/// An error answer: HTTP status, error code and message.
#[derive(Debug)]
struct ApiError {
    status: u16,
    code: String,
    message: String,
}

impl ApiError {
    /// Reads the code from a JSON body's `__type` (`namespace#Code`, sometimes `Code:url`) or an
    /// XML body's `<Code>` (moto's auth errors), and the message from `message`/`Message`.
    fn parse(resp: &Response) -> Self {
        let (code, message) = match serde_json::from_slice::<Value>(&resp.body) {
            Ok(v) => {
                let ty = v["__type"]
                    .as_str()
                    .or(v["code"].as_str())
                    .or(v["Code"].as_str())
                    .unwrap_or("");
                let ty = ty.rsplit('#').next().unwrap_or(ty);
                let ty = ty.split(':').next().unwrap_or(ty);
                let msg = v["message"].as_str().or(v["Message"].as_str()).unwrap_or("");
                (ty.to_string(), msg.to_string())
            }
            Err(_) => {
                let text = String::from_utf8_lossy(&resp.body);
                let tag = |t: &str| {
                    let open = format!("<{t}>");
                    let start = text.find(&open)? + open.len();
                    let end = text[start..].find(&format!("</{t}>"))? + start;
                    Some(text[start..end].to_string())
                };
                match tag("Code") {
                    Some(code) => (code, tag("Message").unwrap_or_default()),
                    None => (String::new(), text.chars().take(200).collect()),
                }
            }
        };
        Self {
            status: resp.status,
            code,
            message: one_line(&message),
        }
    }

    /// The [`StoreError`] for this answer to `doing` (`reading`, `writing`) `location`. `value`,
    /// when given, is scrubbed from the message in case the service echoed it.
    fn into_store_error(self, location: &str, doing: &str, value: Option<&[u8]>) -> StoreError {
        let mut message = self.message;
        if let Some(v) = value
            .and_then(|v| std::str::from_utf8(v).ok())
            .filter(|v| !v.is_empty())
        {
            let escaped = serde_json::to_string(v).unwrap_or_default();
            let escaped = escaped.trim_matches('"');
            if message.contains(v) || (!escaped.is_empty() && message.contains(escaped)) {
                message = "(message withheld: it contained the value)".into();
            }
        }
        let code = if self.code.is_empty() {
            format!("HTTP {}", self.status)
        } else {
            self.code
        };
        if matches!(self.status, 401 | 403) || AUTH_CODES.contains(&code.as_str()) {
            StoreError::Auth {
                store: STORE,
                reason: format!("{code}: {message}"),
            }
        } else {
            StoreError::Other(format!(
                "{location}: {doing} failed: HTTP {} {code}: {message}",
                self.status
            ))
        }
    }
}

/// A fresh `ClientRequestToken` in UUID v4 form (36 characters; AWS wants 32 to 64). Unique, not
/// secret: std's `RandomState` is seeded from the OS and mixed with the time and a counter.
fn request_token() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let mut bytes = [0u8; 16];
    for (i, chunk) in bytes.chunks_mut(8).enumerate() {
        let mut h = RandomState::new().build_hasher();
        h.write_u128(nanos);
        h.write_u64(n);
        h.write_u32(std::process::id());
        h.write_usize(i);
        chunk.copy_from_slice(&h.finish().to_le_bytes());
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let h = sigv4::hex(&bytes);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

/// Splits an endpoint URL into (request URL, `Host` header, canonical path).
fn parse_endpoint(endpoint: &str) -> Result<(String, String, String), StoreError> {
    let bad = |why: &str| StoreError::Config(format!("--aws-endpoint {endpoint:?}: {why}"));
    let (scheme, rest) = endpoint
        .split_once("://")
        .ok_or_else(|| bad("expected http://HOST[:PORT] or https://..."))?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return Err(bad("the scheme must be http or https"));
    }
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    if authority.is_empty() || authority.contains('@') {
        return Err(bad("expected a host (and no user name)"));
    }
    if path.contains(['?', '#']) {
        return Err(bad("no query or fragment, please"));
    }
    let path = path.trim_end_matches('/');
    let path = if path.is_empty() {
        "/".to_string()
    } else {
        format!("{path}/")
    };
    if !path
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-_.~/".contains(&b))
    {
        return Err(bad("the path may only hold letters, digits and -_.~/"));
    }
    let host = authority.to_ascii_lowercase();
    Ok((format!("{scheme}://{host}{path}"), host, path))
}

/// Quotes `s` for a POSIX shell when it needs it.
pub(crate) fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:=@+,%".contains(&b))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

impl SecretStore for AwsStore {
    fn kind(&self) -> &'static str {
        STORE
    }

    fn describe(&self, target: &Target) -> String {
        match self.mode {
            AwsMode::PerKey if target.path.is_empty() => format!("aws:{}", target.key),
            AwsMode::PerKey => format!("aws:{}/{}", target.path, target.key),
            AwsMode::PerFile => format!("aws:{}#{}", target.path, target.key),
        }
    }

    fn get(&mut self, target: &Target) -> Result<Option<Secret>, StoreError> {
        let location = self.describe(target);
        let name = self.secret_name(target)?;
        let Some(mut current) = self.read(&name, &location)? else {
            return Ok(None);
        };
        let Some(string) = current.string.take() else {
            return Err(StoreError::Other(format!(
                "{location} holds a binary secret (SecretBinary), which leakless does not read"
            )));
        };
        match self.mode {
            AwsMode::PerKey => Ok(Some(Secret::new(string.into_bytes()))),
            AwsMode::PerFile => {
                let mut object = parse_object(string, &location)?;
                match object.get_mut(&target.key).map(Value::take) {
                    None => Ok(None),
                    Some(Value::String(s)) => Ok(Some(Secret::new(s.into_bytes()))),
                    Some(_) => Err(StoreError::Other(format!(
                        "{location}: the field is not a string"
                    ))),
                }
            }
        }
    }

    fn put(&mut self, target: &Target, value: &Secret, overwrite: bool) -> Result<Put, StoreError> {
        let location = self.describe(target);
        let name = self.secret_name(target)?;
        let text = std::str::from_utf8(value.expose()).map_err(|_| {
            StoreError::Other(format!(
                "{location}: the value is not UTF-8 text, which a SecretString cannot hold"
            ))
        })?;
        // Secrets Manager has no check-and-set: a lost race (creation by someone else) is retried a
        // few times from a fresh read.
        let mut exists_without_value = false;
        for _ in 0..4 {
            let current = self.read(&name, &location)?;
            let Some(current) = current else {
                let mut initial = match self.mode {
                    AwsMode::PerKey => text.to_string(),
                    AwsMode::PerFile => json!({ target.key.as_str(): text }).to_string(),
                };
                if exists_without_value {
                    // The secret exists but has no AWSCURRENT version: give it one.
                    let result = self.put_value(&name, &initial, &location, value.expose());
                    initial.zeroize();
                    result?;
                    return Ok(Put::Created);
                }
                let result = self.create(&name, &initial);
                initial.zeroize();
                match result? {
                    Ok(_) => return Ok(Put::Created),
                    Err(e) if e.code == "ResourceExistsException" => {
                        exists_without_value = true;
                        continue;
                    }
                    Err(e) => return Err(e.into_store_error(&location, "creating", Some(value.expose()))),
                }
            };
            let Some(string) = &current.string else {
                if !overwrite {
                    return Err(StoreError::Conflict { location });
                }
                return Err(StoreError::Other(format!(
                    "{location} holds a binary secret (SecretBinary); leakless does not replace it"
                )));
            };
            let (mut new_string, existed) = match self.mode {
                AwsMode::PerKey => {
                    if string.as_bytes() == value.expose() {
                        return Ok(Put::Unchanged);
                    }
                    (text.to_string(), true)
                }
                AwsMode::PerFile => {
                    let mut object = parse_object(string.clone(), &location)?;
                    let existed = match object.get(&target.key) {
                        Some(Value::String(s)) if s.as_bytes() == value.expose() => {
                            return Ok(Put::Unchanged)
                        }
                        Some(_) => true,
                        None => false,
                    };
                    object.insert(target.key.clone(), Value::String(text.to_string()));
                    (Value::Object(object).to_string(), existed)
                }
            };
            if existed && !overwrite {
                new_string.zeroize();
                return Err(StoreError::Conflict { location });
            }
            let written = self.put_value(&name, &new_string, &location, value.expose());
            new_string.zeroize();
            let ours = written?;
            self.check_no_lost_update(&name, &current.version_id, &ours, &location)?;
            return Ok(if existed { Put::Overwritten } else { Put::Created });
        }
        Err(StoreError::Other(format!(
            "{location} kept changing while leakless tried to write it; try again"
        )))
    }

    fn fetch_hint(&self, target: &Target) -> String {
        let name = self.secret_name(target).unwrap_or_else(|_| target.path.clone());
        let mut hint = format!("aws secretsmanager get-secret-value --region {}", self.region);
        if let Some(endpoint) = &self.custom_endpoint {
            hint.push_str(&format!(" --endpoint-url {}", shell_quote(endpoint)));
        }
        hint.push_str(&format!(
            " --secret-id {} --query SecretString --output text",
            shell_quote(&name)
        ));
        if self.mode == AwsMode::PerFile {
            let key = serde_json::to_string(&target.key).unwrap_or_default();
            hint.push_str(&format!(" | jq -r {}", shell_quote(&format!(".[{key}]"))));
        }
        hint
    }

    fn address(&self, _target: &Target) -> crate::migrate::secrets_map::Address {
        let mut a = crate::migrate::secrets_map::Address {
            address: self.custom_endpoint.clone().unwrap_or_default(),
            project: self.region.clone(),
            options: Default::default(),
        };
        if self.mode == AwsMode::PerFile {
            a.options.insert("mode".into(), "per-file".into());
        }
        a
    }
}

/// Parses a per-file secret's JSON object (consuming and wiping `string`).
fn parse_object(mut string: String, location: &str) -> Result<Map<String, Value>, StoreError> {
    let parsed = serde_json::from_str::<Value>(&string);
    string.zeroize();
    match parsed {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(StoreError::Other(format!(
            "{location}: the secret is not a JSON object, so --aws-mode per-file cannot add a key to it"
        ))),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_parse() {
        let p = |s: &str| parse_endpoint(s).map_err(|e| e.to_string());
        assert_eq!(
            p("https://secretsmanager.eu-west-1.amazonaws.com").unwrap(),
            (
                "https://secretsmanager.eu-west-1.amazonaws.com/".into(),
                "secretsmanager.eu-west-1.amazonaws.com".into(),
                "/".into()
            )
        );
        assert_eq!(
            p("http://127.0.0.1:5000/").unwrap(),
            (
                "http://127.0.0.1:5000/".into(),
                "127.0.0.1:5000".into(),
                "/".into()
            )
        );
        assert_eq!(p("http://proxy:8080/aws").unwrap().2, "/aws/");
        assert!(p("ftp://x").is_err());
        assert!(p("localhost:5000").is_err());
        assert!(p("http://user@host").is_err());
        assert!(p("http://host/?a=b").is_err());
    }

    #[test]
    fn request_tokens_are_uuid_shaped_and_unique() {
        let a = request_token();
        let b = request_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert!(a.bytes().all(|c| c == b'-' || c.is_ascii_hexdigit()));
    }

    #[test]
    fn api_errors_parse_json_and_xml() {
        let r = |status, body: &str| Response {
            status,
            body: body.as_bytes().to_vec(),
        };
        let e = ApiError::parse(&r(
            400,
            r#"{"__type":"com.amazonaws.secretsmanager#ResourceExistsException","message":"exists"}"#,
        ));
        assert_eq!(
            (e.code.as_str(), e.message.as_str()),
            ("ResourceExistsException", "exists")
        );
        let e = ApiError::parse(&r(
            400,
            r#"{"__type":"UnrecognizedClientException:http://x","Message":"m"}"#,
        ));
        assert_eq!(e.code, "UnrecognizedClientException");
        assert!(matches!(
            e.into_store_error("aws:x", "reading", None),
            StoreError::Auth { .. }
        ));
        let xml = "<?xml version=\"1.0\"?>\n<ErrorResponse><Errors><Error><Code>SignatureDoesNotMatch</Code>\
                   <Message>bad sig</Message></Error></Errors></ErrorResponse>";
        let e = ApiError::parse(&r(403, xml));
        assert_eq!(
            (e.code.as_str(), e.message.as_str()),
            ("SignatureDoesNotMatch", "bad sig")
        );
        let e = ApiError::parse(&r(500, "oops\nmore"));
        let msg = e.into_store_error("aws:x", "writing", None).to_string();
        assert_eq!(msg, "aws:x: writing failed: HTTP 500 HTTP 500: oops");
    }

    #[test]
    fn echoed_values_are_withheld() {
        let e = ApiError {
            status: 400,
            code: "ValidationException".into(),
            message: "bad value hunter2".into(),
        };
        let msg = e
            .into_store_error("aws:x", "writing", Some(b"hunter2"))
            .to_string();
        assert!(!msg.contains("hunter2"), "{msg}");
    }

    #[test]
    fn shell_quoting() {
        assert_eq!(shell_quote("shop/dev/DB_URL"), "shop/dev/DB_URL");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote(r#".["K"]"#), r#"'.["K"]'"#);
    }

    #[test]
    fn sensitive_args_do_not_debug_print() {
        let args = AwsArgs {
            secret_access_key: Some(Sensitive("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into())), // leakless:allow
            ..AwsArgs::default()
        };
        assert!(!format!("{args:?}").contains("EXAMPLEKEY"));
    }
}
