//! The `vault` store: HashiCorp Vault or OpenBao, KV secrets engine version 2, over the HTTP API.
//!
//! One [`Target`] is one field of one KV secret: `path` is the secret's path below the mount
//! (`shop/dev`) and `key` the field in its data map (`DATABASE_URL`), so many keys share one
//! secret. KV v2 can only replace a secret's whole map, so a put reads the current version, merges
//! its field into the map and writes the map back with check-and-set (`options.cas`) on the
//! version it read: a concurrent writer makes the write fail instead of being overwritten unseen,
//! and the store then reads again once and decides again.
//!
//! Opening the store logs in (token, or AppRole), checks the token with `lookup-self` and checks
//! that the mount is KV version 2, so bad settings fail before anything is planned or written.
//! TLS uses the bundled webpki roots (ureq); a private CA (`VAULT_CACERT`) is not supported.

use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};
use zeroize::Zeroizing;

use super::{Put, SecretStore, StoreError, Target};
use crate::findings::Secret;
use crate::migrate::http::{encode_path, Client, Response};

const STORE: &str = "vault";
const HEADING: &str = "Vault / OpenBao (--to vault)";

/// `--to vault` options.
///
/// Credentials: `--vault-token` if given, else an AppRole login when both `--vault-role-id` and
/// `--vault-secret-id` are given, else the token `vault login` / `bao login` left in
/// `~/.vault-token`. `Debug` never shows the token or the secret id.
#[derive(Clone, clap::Args)]
pub struct VaultArgs {
    /// Vault / OpenBao address: http:// or https://, host and port (e.g. :8200)
    #[arg(long, env = "VAULT_ADDR", value_name = "URL", help_heading = HEADING)]
    pub vault_addr: Option<String>,
    /// Token to authenticate with (else AppRole, else ~/.vault-token)
    #[arg(long, env = "VAULT_TOKEN", hide_env_values = true, value_name = "TOKEN", help_heading = HEADING)]
    pub vault_token: Option<String>,
    /// AppRole role id (used with --vault-secret-id when no token is given)
    #[arg(long, env = "VAULT_ROLE_ID", value_name = "ID", help_heading = HEADING)]
    pub vault_role_id: Option<String>,
    /// AppRole secret id
    #[arg(long, env = "VAULT_SECRET_ID", hide_env_values = true, value_name = "ID", help_heading = HEADING)]
    pub vault_secret_id: Option<String>,
    /// Mount path of the AppRole auth method
    #[arg(long, default_value = "approle", value_name = "PATH", help_heading = HEADING)]
    pub vault_approle_mount: String,
    /// Namespace (Vault Enterprise, OpenBao), sent as X-Vault-Namespace
    #[arg(long, env = "VAULT_NAMESPACE", value_name = "NAMESPACE", help_heading = HEADING)]
    pub vault_namespace: Option<String>,
    /// Mount path of the KV version 2 secrets engine
    #[arg(long, default_value = "secret", value_name = "PATH", help_heading = HEADING)]
    pub vault_mount: String,
}

impl Default for VaultArgs {
    fn default() -> Self {
        Self {
            vault_addr: None,
            vault_token: None,
            vault_role_id: None,
            vault_secret_id: None,
            vault_approle_mount: "approle".into(),
            vault_namespace: None,
            vault_mount: "secret".into(),
        }
    }
}

impl fmt::Debug for VaultArgs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted = |o: &Option<String>| o.as_ref().map(|_| "<redacted>");
        f.debug_struct("VaultArgs")
            .field("vault_addr", &self.vault_addr)
            .field("vault_token", &redacted(&self.vault_token))
            .field("vault_role_id", &self.vault_role_id)
            .field("vault_secret_id", &redacted(&self.vault_secret_id))
            .field("vault_approle_mount", &self.vault_approle_mount)
            .field("vault_namespace", &self.vault_namespace)
            .field("vault_mount", &self.vault_mount)
            .finish()
    }
}

/// The `vault` store, logged in.
pub struct VaultStore {
    client: Client,
    /// Server address without a trailing `/`.
    addr: String,
    token: Zeroizing<String>,
    namespace: Option<String>,
    /// KV v2 mount path without leading or trailing `/`.
    mount: String,
}

impl fmt::Debug for VaultStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VaultStore")
            .field("addr", &self.addr)
            .field("token", &"<redacted>")
            .field("namespace", &self.namespace)
            .field("mount", &self.mount)
            .finish()
    }
}

/// The secret at a path as last read: its current version (0 when it never existed) and the
/// fields of that version (empty when absent, or when the latest version is deleted or destroyed).
struct Current {
    version: u64,
    fields: Map<String, Value>,
}

/// What `put` does with the field it found.
#[derive(Debug, PartialEq, Eq)]
enum Decision {
    Unchanged,
    Conflict,
    Write(Put),
}

/// The put decision for the field's current value `existing` (`None` when absent).
fn decide(existing: Option<&Value>, value: &str, overwrite: bool) -> Decision {
    match existing {
        None => Decision::Write(Put::Created),
        Some(Value::String(s)) if s == value => Decision::Unchanged,
        Some(_) if overwrite => Decision::Write(Put::Overwritten),
        Some(_) => Decision::Conflict,
    }
}

fn non_empty(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

/// `$HOME/.vault-token` (`%USERPROFILE%` on Windows), where `vault login` / `bao login` keep
/// the token.
fn default_token_file() -> Option<PathBuf> {
    let home = std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE"))?;
    Some(Path::new(&home).join(".vault-token"))
}

/// The token in `file`, trimmed; `None` when the file is missing or empty.
fn read_token_file(file: &Path) -> Option<Zeroizing<String>> {
    let text = Zeroizing::new(std::fs::read_to_string(file).ok()?);
    let token = text.trim();
    (!token.is_empty()).then(|| Zeroizing::new(token.to_string()))
}

/// Vault's `errors` array as one line: `"1 error occurred:\n\t* permission denied\n\n"` becomes
/// `permission denied`; several errors are joined with `; `. Never the raw body when it is not
/// Vault's JSON error shape.
fn errors_text(body: &[u8]) -> String {
    let Ok(v) = serde_json::from_slice::<Value>(body) else {
        return "(response body is not JSON)".into();
    };
    let mut parts = Vec::new();
    for e in v["errors"].as_array().into_iter().flatten() {
        let Some(e) = e.as_str() else { continue };
        for line in e.lines() {
            let line = line.trim().trim_start_matches("* ").trim();
            let is_header = line.ends_with(" occurred:")
                && line.split(' ').next().is_some_and(|n| n.parse::<u32>().is_ok());
            if !line.is_empty() && !is_header {
                parts.push(line.to_string());
            }
        }
    }
    if parts.is_empty() {
        return "(no error message)".into();
    }
    let mut text = parts.join("; ");
    if text.len() > 400 {
        let mut cut = 400;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push('…');
    }
    text
}

/// `s` quoted for a POSIX shell when it needs quoting.
pub(crate) fn shell_quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:=@%+,".contains(&b));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// Replaces `value` in an error's text by `[redacted]` (belt and braces: Vault does not echo
/// request bodies, but an error must never carry a value).
fn scrub(err: StoreError, value: &str) -> StoreError {
    if value.len() < 4 {
        return err;
    }
    let clean = |s: String| s.replace(value, "[redacted]");
    match err {
        StoreError::Auth { store, reason } => StoreError::Auth {
            store,
            reason: clean(reason),
        },
        StoreError::Other(s) => StoreError::Other(clean(s)),
        StoreError::Config(s) => StoreError::Config(clean(s)),
        StoreError::Unstorable(s) => StoreError::Unstorable(clean(s)),
        StoreError::Unreachable { store, url, reason } => StoreError::Unreachable {
            store,
            url,
            reason: clean(reason),
        },
        e @ StoreError::Conflict { .. } => e,
    }
}

impl VaultStore {
    /// Logs in (see [`VaultArgs`] for the order of credentials), checks the token and checks
    /// that `--vault-mount` is a KV version 2 mount (skipped when the token may not look).
    pub fn open(args: &VaultArgs) -> Result<Self, StoreError> {
        Self::open_with_token_file(args, default_token_file().as_deref())
    }

    /// [`VaultStore::open`] with the fallback token file given (`None`: no fallback).
    fn open_with_token_file(args: &VaultArgs, token_file: Option<&Path>) -> Result<Self, StoreError> {
        let addr = non_empty(args.vault_addr.as_deref()).ok_or_else(|| {
            StoreError::Config("--vault-addr (or VAULT_ADDR) is required for --to vault".into())
        })?;
        if !(addr.starts_with("http://") || addr.starts_with("https://")) {
            return Err(StoreError::Config(format!(
                "--vault-addr must start with http:// or https:// (got {addr})"
            )));
        }
        let mount = args.vault_mount.trim().trim_matches('/');
        if mount.is_empty() {
            return Err(StoreError::Config("--vault-mount must not be empty".into()));
        }
        let namespace = non_empty(args.vault_namespace.as_deref())
            .map(|n| n.trim_matches('/').to_string())
            .filter(|n| !n.is_empty());
        let mut store = Self {
            client: Client::new(STORE),
            addr: addr.trim_end_matches('/').to_string(),
            token: Zeroizing::new(String::new()),
            namespace,
            mount: mount.to_string(),
        };

        let role_id = non_empty(args.vault_role_id.as_deref());
        let secret_id = non_empty(args.vault_secret_id.as_deref());
        store.token = if let Some(token) = non_empty(args.vault_token.as_deref()) {
            Zeroizing::new(token.to_string())
        } else {
            match (role_id, secret_id) {
                (Some(role_id), Some(secret_id)) => {
                    store.approle_login(&args.vault_approle_mount, role_id, secret_id)?
                }
                (Some(_), None) | (None, Some(_)) => {
                    return Err(StoreError::Config(
                        "--vault-role-id and --vault-secret-id (or VAULT_ROLE_ID and VAULT_SECRET_ID) \
                         go together: give both for an AppRole login"
                            .into(),
                    ))
                }
                (None, None) => token_file.and_then(read_token_file).ok_or_else(|| {
                    StoreError::Config(
                        "no Vault credentials for --to vault: give --vault-token (or VAULT_TOKEN), or \
                         --vault-role-id and --vault-secret-id for AppRole, or run `vault login`"
                            .into(),
                    )
                })?,
            }
        };
        store.check_token()?;
        store.check_mount()?;
        Ok(store)
    }

    fn url(&self, api_path: &str) -> String {
        format!("{}/v1/{api_path}", self.addr)
    }

    /// Sends `method /v1/{api_path}`, with the token unless `authenticated` is false.
    fn call(
        &self,
        method: &str,
        api_path: &str,
        body: Option<&Value>,
        authenticated: bool,
    ) -> Result<Response, StoreError> {
        let mut headers: Vec<(&str, &str)> = vec![("X-Vault-Request", "true")];
        if authenticated {
            headers.push(("X-Vault-Token", self.token.as_str()));
        }
        if let Some(ns) = &self.namespace {
            headers.push(("X-Vault-Namespace", ns));
        }
        let url = self.url(api_path);
        match body {
            Some(b) => self.client.send_json(method, &url, &headers, b),
            None => self.client.send(method, &url, &headers, None),
        }
    }

    /// The error for a non-2xx `resp` to `method /v1/{api_path}`.
    fn http_error(&self, method: &str, api_path: &str, resp: &Response) -> StoreError {
        let errors = errors_text(&resp.body);
        match resp.status {
            401 | 403 => StoreError::Auth {
                store: STORE,
                reason: format!("{errors} (HTTP {} on {method} /v1/{api_path})", resp.status),
            },
            503 if errors.to_ascii_lowercase().contains("sealed") => StoreError::Other(format!(
                "vault: the server at {} is sealed (HTTP 503 on {method} /v1/{api_path}): unseal it and \
                 re-run",
                self.addr
            )),
            status => StoreError::Other(format!(
                "vault: HTTP {status} on {method} /v1/{api_path}: {errors}"
            )),
        }
    }

    fn approle_login(
        &self,
        approle_mount: &str,
        role_id: &str,
        secret_id: &str,
    ) -> Result<Zeroizing<String>, StoreError> {
        let mount = approle_mount.trim().trim_matches('/');
        let mount = if mount.is_empty() { "approle" } else { mount };
        let api_path = format!("auth/{}/login", encode_path(mount));
        let body = json!({ "role_id": role_id, "secret_id": secret_id });
        let resp = self.call("POST", &api_path, Some(&body), false)?;
        // Vault answers a wrong role or secret id with 400 "invalid role or secret ID".
        if resp.status == 400 {
            return Err(StoreError::Auth {
                store: STORE,
                reason: format!("AppRole login failed: {}", errors_text(&resp.body)),
            });
        }
        if !resp.ok() {
            return Err(self.http_error("POST", &api_path, &resp));
        }
        let v = resp.json("vault: AppRole login")?;
        v["auth"]["client_token"]
            .as_str()
            .filter(|t| !t.is_empty())
            .map(|t| Zeroizing::new(t.to_string()))
            .ok_or_else(|| StoreError::Other("vault: the AppRole login answer holds no client_token".into()))
    }

    /// `lookup-self`, so a bad or expired token fails before anything is planned.
    fn check_token(&self) -> Result<(), StoreError> {
        let api_path = "auth/token/lookup-self";
        let resp = self.call("GET", api_path, None, true)?;
        if resp.ok() {
            Ok(())
        } else {
            Err(self.http_error("GET", api_path, &resp))
        }
    }

    /// Checks that the mount is KV version 2. A token that may not read the mount's description
    /// gets 403 (Vault answers 403 for mounts that do not exist, too): then the check is skipped
    /// and the first read tells.
    fn check_mount(&self) -> Result<(), StoreError> {
        let api_path = format!("sys/internal/ui/mounts/{}", encode_path(&self.mount));
        let resp = self.call("GET", &api_path, None, true)?;
        if matches!(resp.status, 403 | 404) {
            return Ok(());
        }
        if !resp.ok() {
            return Err(self.http_error("GET", &api_path, &resp));
        }
        let v = resp.json("vault: mount check")?;
        let data = &v["data"];
        let found = data["path"].as_str().unwrap_or_default().trim_matches('/');
        if !found.is_empty() && found != self.mount {
            return Err(StoreError::Config(format!(
                "--vault-mount {} is inside the mount {found}/: give --vault-mount {found} and put the \
                 rest in the path template",
                self.mount
            )));
        }
        let kind = data["type"].as_str().unwrap_or_default();
        let version = data["options"]["version"].as_str().unwrap_or("1");
        if kind != "kv" {
            return Err(StoreError::Config(format!(
                "vault: {}/ is a `{kind}` secrets engine, not KV version 2",
                self.mount
            )));
        }
        if version != "2" {
            return Err(StoreError::Config(format!(
                "vault: {0}/ is a KV version {version} mount; --to vault needs KV version 2 (`vault kv \
                 enable-versioning {0}` upgrades it, or use another --vault-mount)",
                self.mount
            )));
        }
        Ok(())
    }

    /// Rejects paths that would not name one secret (empty, or with empty, `.` or `..` segments,
    /// which a URL parser would resolve into another API path).
    fn check_target(target: &Target) -> Result<(), StoreError> {
        if target.path.is_empty() {
            return Err(StoreError::Config(
                "vault: the secret path is empty (a KV secret needs a path below the mount; check the path \
                 template)"
                    .into(),
            ));
        }
        if target
            .path
            .split('/')
            .any(|s| s.is_empty() || s == "." || s == "..")
        {
            return Err(StoreError::Config(format!(
                "vault: invalid secret path {:?} (empty, `.` or `..` segment)",
                target.path
            )));
        }
        if target.key.is_empty() {
            return Err(StoreError::Config(format!(
                "vault: empty key name for {}",
                target.path
            )));
        }
        Ok(())
    }

    fn data_path(&self, target: &Target) -> String {
        format!("{}/data/{}", encode_path(&self.mount), encode_path(&target.path))
    }

    /// Reads the secret at `target.path` (latest version).
    fn read(&self, target: &Target) -> Result<Current, StoreError> {
        Self::check_target(target)?;
        let api_path = self.data_path(target);
        let resp = self.call("GET", &api_path, None, true)?;
        match resp.status {
            200 => {
                let v = resp.json("vault: read")?;
                let version = v["data"]["metadata"]["version"].as_u64().unwrap_or(0);
                let fields = match &v["data"]["data"] {
                    Value::Object(m) => m.clone(),
                    _ => Map::new(),
                };
                Ok(Current { version, fields })
            }
            404 => {
                // Never written or fully deleted: `{"errors":[]}`. Latest version deleted or
                // destroyed: the body still carries its metadata, whose version the check-and-set
                // must name. Any other 404 (no such mount: "no handler for route") is an error.
                let v: Value = serde_json::from_slice(&resp.body).unwrap_or(Value::Null);
                if let Some(version) = v["data"]["metadata"]["version"].as_u64() {
                    Ok(Current {
                        version,
                        fields: Map::new(),
                    })
                } else if v["errors"].as_array().is_some_and(Vec::is_empty) {
                    Ok(Current {
                        version: 0,
                        fields: Map::new(),
                    })
                } else {
                    Err(self.http_error("GET", &api_path, &resp))
                }
            }
            _ => Err(self.http_error("GET", &api_path, &resp)),
        }
    }

    /// One check-and-set write of `fields` on top of `version`. `Ok(false)` when the
    /// check-and-set did not match (someone wrote in between).
    fn write(&self, target: &Target, fields: Map<String, Value>, version: u64) -> Result<bool, StoreError> {
        let api_path = self.data_path(target);
        let body = json!({ "data": fields, "options": { "cas": version } });
        let resp = self.call("POST", &api_path, Some(&body), true)?;
        if resp.ok() {
            return Ok(true);
        }
        if resp.status == 400 && errors_text(&resp.body).contains("check-and-set") {
            return Ok(false);
        }
        Err(self.http_error("POST", &api_path, &resp))
    }

    fn put_str(&self, target: &Target, value: &str, overwrite: bool) -> Result<Put, StoreError> {
        // Read, decide, write with check-and-set; on a mismatch read and decide once more.
        for _ in 0..2 {
            let Current { version, mut fields } = self.read(target)?;
            match decide(fields.get(&target.key), value, overwrite) {
                Decision::Unchanged => return Ok(Put::Unchanged),
                Decision::Conflict => {
                    return Err(StoreError::Conflict {
                        location: self.describe(target),
                    })
                }
                Decision::Write(outcome) => {
                    fields.insert(target.key.clone(), Value::String(value.to_string()));
                    if self.write(target, fields, version)? {
                        return Ok(outcome);
                    }
                }
            }
        }
        Err(StoreError::Other(format!(
            "vault: {} changed twice while we wrote it (check-and-set did not match); nothing was written, \
             re-run to try again",
            self.describe(target)
        )))
    }
}

impl SecretStore for VaultStore {
    fn kind(&self) -> &'static str {
        STORE
    }

    fn describe(&self, target: &Target) -> String {
        let ns = self
            .namespace
            .as_deref()
            .map(|n| format!("{n}/"))
            .unwrap_or_default();
        format!("vault:{ns}{}/{}#{}", self.mount, target.path, target.key)
    }

    fn get(&mut self, target: &Target) -> Result<Option<Secret>, StoreError> {
        let current = self.read(target)?;
        Ok(current.fields.get(&target.key).map(|v| match v {
            Value::String(s) => Secret::new(s.as_bytes().to_vec()),
            // Not written by us (a number, a map ...): its JSON text, which never equals a
            // string we would write.
            other => Secret::new(other.to_string().into_bytes()),
        }))
    }

    fn put(&mut self, target: &Target, value: &Secret, overwrite: bool) -> Result<Put, StoreError> {
        let value = std::str::from_utf8(value.expose()).map_err(|_| {
            StoreError::Other(format!(
                "vault: the value for {} is not valid UTF-8 (KV stores JSON strings)",
                self.describe(target)
            ))
        })?;
        self.put_str(target, value, overwrite)
            .map_err(|e| scrub(e, value))
    }

    fn fetch_hint(&self, target: &Target) -> String {
        let ns = self
            .namespace
            .as_deref()
            .map(|n| format!("{} ", shell_quote(&format!("-namespace={n}"))))
            .unwrap_or_default();
        format!(
            "bao kv get {ns}{} {} {} (or vault kv get with the same arguments)",
            shell_quote(&format!("-mount={}", self.mount)),
            shell_quote(&format!("-field={}", target.key)),
            shell_quote(&target.path),
        )
    }

    fn address(&self, _target: &Target) -> crate::migrate::secrets_map::Address {
        let mut a = crate::migrate::secrets_map::Address {
            address: self.addr.clone(),
            project: self.mount.clone(),
            options: Default::default(),
        };
        if let Some(ns) = &self.namespace {
            a.options.insert("namespace".into(), ns.clone());
        }
        a
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(path: &str, key: &str) -> Target {
        Target::new(path, key)
    }

    fn offline_store(namespace: Option<&str>) -> VaultStore {
        VaultStore {
            client: Client::new(STORE),
            addr: "http://127.0.0.1:1".into(),
            token: Zeroizing::new("s.offline-test-token".into()), // leakless:allow
            namespace: namespace.map(String::from),
            mount: "secret".into(),
        }
    }

    #[test]
    fn decision_table() {
        let same = Value::String("v1".into());
        let other = Value::String("v2".into());
        let number = json!(12);
        assert_eq!(decide(None, "v1", false), Decision::Write(Put::Created));
        assert_eq!(decide(None, "v1", true), Decision::Write(Put::Created));
        assert_eq!(decide(Some(&same), "v1", false), Decision::Unchanged);
        assert_eq!(decide(Some(&same), "v1", true), Decision::Unchanged);
        assert_eq!(decide(Some(&other), "v1", false), Decision::Conflict);
        assert_eq!(
            decide(Some(&other), "v1", true),
            Decision::Write(Put::Overwritten)
        );
        // A non-string field never equals a string value, even with the same text.
        assert_eq!(decide(Some(&number), "12", false), Decision::Conflict);
        assert_eq!(
            decide(Some(&Value::Null), "", true),
            Decision::Write(Put::Overwritten)
        );
    }

    #[test]
    fn vault_errors_become_one_line() {
        assert_eq!(
            errors_text(br#"{"errors":["1 error occurred:\n\t* permission denied\n\n"]}"#),
            "permission denied"
        );
        assert_eq!(
            errors_text(br#"{"errors":["2 errors occurred:\n\t* a\n\t* b\n\n", "c"]}"#),
            "a; b; c"
        );
        assert_eq!(errors_text(br#"{"errors":[]}"#), "(no error message)");
        assert_eq!(
            errors_text(b"<html>bad gateway</html>"),
            "(response body is not JSON)"
        );
        let long = format!(r#"{{"errors":["{}"]}}"#, "é".repeat(400));
        assert!(errors_text(long.as_bytes()).ends_with('…'));
    }

    #[test]
    fn describe_and_fetch_hint() {
        let s = offline_store(None);
        let target = t("shop/dev", "DATABASE_URL");
        assert_eq!(s.describe(&target), "vault:secret/shop/dev#DATABASE_URL");
        assert_eq!(
            s.fetch_hint(&target),
            "bao kv get -mount=secret -field=DATABASE_URL shop/dev (or vault kv get with the same arguments)"
        );
        let s = offline_store(Some("team a"));
        assert_eq!(s.describe(&target), "vault:team a/secret/shop/dev#DATABASE_URL");
        assert!(s
            .fetch_hint(&t("my app/dev", "K"))
            .starts_with("bao kv get '-namespace=team a' -mount=secret -field=K 'my app/dev' "));
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote(""), "''");
    }

    #[test]
    fn bad_targets_are_config_errors() {
        for (path, key) in [
            ("", "K"),
            ("a//b", "K"),
            ("a/../sys", "K"),
            ("./a", "K"),
            ("a/", "K"),
            ("a", ""),
        ] {
            let err = VaultStore::check_target(&t(path, key)).expect_err(path);
            assert!(matches!(err, StoreError::Config(_)), "{path}: {err}");
        }
        VaultStore::check_target(&t("shop/dev", "K")).expect("valid target");
    }

    #[test]
    fn missing_settings_are_config_errors_before_any_request() {
        let dir = tempfile::tempdir().expect("tempdir");
        let missing = dir.path().join(".vault-token");
        let open = |args: &VaultArgs| VaultStore::open_with_token_file(args, Some(&missing)).map(|_| ());

        let err = open(&VaultArgs::default()).expect_err("no addr");
        assert_eq!(
            err.to_string(),
            "--vault-addr (or VAULT_ADDR) is required for --to vault"
        );

        let addr = Some("http://127.0.0.1:1".to_string());
        let err = open(&VaultArgs {
            vault_addr: addr.clone(),
            ..VaultArgs::default()
        })
        .expect_err("no creds");
        assert!(
            matches!(err, StoreError::Config(ref m) if m.contains("--vault-token")),
            "{err}"
        );

        let err = open(&VaultArgs {
            vault_addr: addr.clone(),
            vault_role_id: Some("role".into()),
            ..VaultArgs::default()
        })
        .expect_err("half an AppRole");
        assert!(
            matches!(err, StoreError::Config(ref m) if m.contains("go together")),
            "{err}"
        );

        let err = open(&VaultArgs {
            vault_addr: Some("vault:8200".into()),
            ..VaultArgs::default()
        })
        .expect_err("no scheme");
        assert!(matches!(err, StoreError::Config(_)), "{err}");

        let err = open(&VaultArgs {
            vault_addr: addr,
            vault_mount: "/".into(),
            ..VaultArgs::default()
        })
        .expect_err("empty mount");
        assert!(matches!(err, StoreError::Config(_)), "{err}");
    }

    #[test]
    fn token_file_is_the_last_fallback() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join(".vault-token");
        assert!(read_token_file(&file).is_none());
        std::fs::write(&file, "  \n").expect("write");
        assert!(read_token_file(&file).is_none());
        std::fs::write(&file, "s.filetoken\n").expect("write"); // leakless:allow
        assert_eq!(
            read_token_file(&file).as_deref().map(String::as_str),
            Some("s.filetoken")
        );
        // With the token file the store gets past the settings and tries to reach the server.
        let args = VaultArgs {
            vault_addr: Some("http://127.0.0.1:1".into()),
            ..VaultArgs::default()
        };
        let err = VaultStore::open_with_token_file(&args, Some(&file)).expect_err("closed port");
        assert!(matches!(err, StoreError::Unreachable { .. }), "{err}");
    }

    #[test]
    fn debug_hides_credentials() {
        let args = VaultArgs {
            vault_token: Some("s.debugtoken1".into()),         // leakless:allow
            vault_secret_id: Some("debug-secret-id-2".into()), // leakless:allow
            ..VaultArgs::default()
        };
        let d = format!("{args:?}");
        assert!(
            !d.contains("debugtoken1") && !d.contains("debug-secret-id-2"),
            "{d}"
        );
        assert!(d.contains("<redacted>"), "{d}");
        let d = format!("{:?}", offline_store(None));
        assert!(!d.contains("offline-test-token"), "{d}");
    }

    #[test]
    fn flags_parse_and_hide_credential_env_values() {
        use clap::{CommandFactory, Parser};
        #[derive(Parser)]
        struct Cli {
            #[command(flatten)]
            vault: VaultArgs,
        }
        Cli::command().debug_assert();
        let cli = Cli::try_parse_from([
            "x",
            "--vault-addr",
            "http://vault:8200",
            "--vault-mount",
            "kv",
            "--vault-namespace",
            "team",
        ])
        .expect("parse");
        assert_eq!(cli.vault.vault_addr.as_deref(), Some("http://vault:8200"));
        assert_eq!(cli.vault.vault_mount, "kv");
        assert_eq!(cli.vault.vault_namespace.as_deref(), Some("team"));
        let defaults = Cli::try_parse_from(["x"]).expect("parse");
        assert_eq!(
            defaults.vault.vault_approle_mount,
            VaultArgs::default().vault_approle_mount
        );
        assert_eq!(defaults.vault.vault_mount, VaultArgs::default().vault_mount);
        let cmd = Cli::command();
        for id in ["vault_token", "vault_secret_id"] {
            let arg = cmd.get_arguments().find(|a| a.get_id() == id).expect(id);
            assert!(arg.is_hide_env_values_set(), "{id}");
        }
        let help = Cli::command().render_help().to_string();
        assert!(help.contains("Vault / OpenBao (--to vault)"), "{help}");
    }

    #[test]
    fn scrub_removes_the_value() {
        let e = scrub(
            StoreError::Other("vault: HTTP 400: bad hunter22 here".into()),
            "hunter22",
        );
        assert_eq!(e.to_string(), "vault: HTTP 400: bad [redacted] here");
    }
}
