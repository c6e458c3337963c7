//! Coded validators: the secrets managers' own credentials checked against the team's own
//! servers (Vault/OpenBao, Infisical) and AWS keys by STS `GetCallerIdentity` (a SigV4-signed
//! request). Their addresses come from the environment or the command line only
//! ([`super::Options`]), never from scanned files.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::http::{Request, Response};
use super::Options;
use crate::findings::{Secret, ValidationStatus};
use crate::migrate::store::aws::sigv4;

/// A coded validator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `GET /v1/auth/token/lookup-self` with the token.
    VaultToken,
    /// `POST /v1/auth/approle/login` with `role_id` + the secret id (then the minted token is
    /// revoked).
    VaultAppRole,
    /// `POST /api/v1/auth/universal-auth/login` with `client_id` + the client secret.
    Infisical,
    /// STS `GetCallerIdentity` signed with `access_key_id` + the secret access key.
    AwsSts,
}

impl Kind {
    /// The kind named in `[rules.validate] kind`.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "vault-token" => Self::VaultToken,
            "vault-approle" => Self::VaultAppRole,
            "infisical-universal-auth" => Self::Infisical,
            "aws-sts" => Self::AwsSts,
            _ => return None,
        })
    }

    /// The components it needs besides the secret.
    pub fn needs(self) -> &'static [&'static str] {
        match self {
            Self::VaultToken => &[],
            Self::VaultAppRole => &["role_id"],
            Self::Infisical => &["client_id"],
            Self::AwsSts => &["access_key_id"],
        }
    }
}

fn text(s: &Secret) -> Result<&str, String> {
    std::str::from_utf8(s.expose()).map_err(|_| "the secret is not UTF-8".to_string())
}

fn component<'a>(c: &'a BTreeMap<String, Secret>, name: &str) -> Result<&'a str, String> {
    c.get(name)
        .ok_or_else(|| format!("needs its {name}, which was not found with it"))
        .and_then(text)
}

fn vault_headers(opts: &Options) -> Vec<(String, String)> {
    let mut h = Vec::new();
    if let Some(ns) = opts.vault_namespace.as_deref().filter(|n| !n.is_empty()) {
        h.push(("X-Vault-Namespace".into(), ns.to_string()));
    }
    h
}

/// The request `kind` sends; `Err` is an `unknown` verdict (no address configured, a missing
/// component).
pub(crate) fn request(
    kind: Kind,
    secret: &Secret,
    comps: &BTreeMap<String, Secret>,
    opts: &Options,
) -> Result<Request, String> {
    let vault = || {
        opts.vault_addr
            .as_deref()
            .map(|a| a.trim_end_matches('/').to_string())
            .ok_or_else(|| {
                "no Vault/OpenBao address: set VAULT_ADDR or BAO_ADDR, or pass --vault-addr".to_string()
            })
    };
    Ok(match kind {
        Kind::VaultToken => {
            let mut headers = vault_headers(opts);
            headers.push(("X-Vault-Token".into(), text(secret)?.to_string()));
            Request {
                method: "GET",
                url: format!("{}/v1/auth/token/lookup-self", vault()?),
                headers,
                body: None,
            }
        }
        Kind::VaultAppRole => {
            let body = json!({"role_id": component(comps, "role_id")?, "secret_id": text(secret)?});
            let mut headers = vault_headers(opts);
            headers.push(("Content-Type".into(), "application/json".into()));
            Request {
                method: "POST",
                url: format!("{}/v1/auth/approle/login", vault()?),
                headers,
                body: Some(body.to_string().into_bytes()),
            }
        }
        Kind::Infisical => {
            let body = json!({"clientId": component(comps, "client_id")?, "clientSecret": text(secret)?});
            Request {
                method: "POST",
                url: format!(
                    "{}/api/v1/auth/universal-auth/login",
                    opts.infisical_url.trim_end_matches('/')
                ),
                headers: vec![("Content-Type".into(), "application/json".into())],
                body: Some(body.to_string().into_bytes()),
            }
        }
        Kind::AwsSts => sts_request(component(comps, "access_key_id")?, text(secret)?, opts),
    })
}

/// `POST / Action=GetCallerIdentity`, SigV4-signed for `sts` in the configured region.
fn sts_request(key_id: &str, secret: &str, opts: &Options) -> Request {
    let endpoint = opts.aws_sts_endpoint.trim_end_matches('/');
    let host = super::http::host_of(endpoint)
        .split("://")
        .nth(1)
        .unwrap_or_default()
        .to_string();
    let body = b"Action=GetCallerIdentity&Version=2011-06-15".to_vec();
    let ct = "application/x-www-form-urlencoded; charset=utf-8";
    let creds = sigv4::Credentials {
        access_key_id: key_id.to_string(),
        secret_access_key: secret.to_string(),
        session_token: None,
    };
    let date = sigv4::amz_date(std::time::SystemTime::now());
    let signed = sigv4::sign(
        &creds,
        &opts.aws_region,
        "sts",
        &date,
        &sigv4::Request {
            method: "POST",
            path: "/",
            query: "",
            headers: &[("host", &host), ("content-type", ct)],
            body: &body,
        },
    );
    let mut headers = vec![("Content-Type".to_string(), ct.to_string())];
    headers.extend(signed.headers.into_iter().map(|(k, v)| (k.to_string(), v)));
    Request {
        method: "POST",
        url: format!("{endpoint}/"),
        headers,
        body: Some(body),
    }
}

fn body_json(resp: &Response) -> Option<Value> {
    serde_json::from_slice(&resp.body).ok()
}

/// The verdict on `resp`.
pub(crate) fn judge(kind: Kind, resp: &Response) -> (ValidationStatus, String) {
    use ValidationStatus::{Dead, Error, Live, Unknown};
    let s = resp.status;
    let verdict = match kind {
        Kind::VaultToken => match s {
            200 if body_json(resp).is_some_and(|j| j.pointer("/data").is_some()) => {
                (Live, "token lookup-self: accepted".to_string())
            }
            403 => (
                Dead,
                "token lookup-self: permission denied (revoked, expired or unknown)".into(),
            ),
            _ => (Unknown, format!("token lookup-self: HTTP {s}")),
        },
        Kind::VaultAppRole => match s {
            200 if body_json(resp).is_some_and(|j| j.pointer("/auth/client_token").is_some()) => {
                (Live, "AppRole login: accepted".to_string())
            }
            400 | 403
                if body_json(resp).is_some_and(|j| {
                    j.pointer("/errors").and_then(Value::as_array).is_some_and(|e| {
                        e.iter()
                            .any(|m| m.as_str().is_some_and(|m| m.contains("invalid")))
                    })
                }) =>
            {
                (Dead, "AppRole login: invalid role id or secret id".into())
            }
            _ => (Unknown, format!("AppRole login: HTTP {s}")),
        },
        Kind::Infisical => match s {
            200 if body_json(resp).is_some_and(|j| j.pointer("/accessToken").is_some()) => {
                (Live, "Universal Auth login: accepted".to_string())
            }
            401 | 403 => (
                Dead,
                format!("Universal Auth login: HTTP {s} (invalid client id or secret)"),
            ),
            _ => (Unknown, format!("Universal Auth login: HTTP {s}")),
        },
        Kind::AwsSts => {
            let body = String::from_utf8_lossy(&resp.body);
            match s {
                200 if body.contains("GetCallerIdentityResult") => {
                    let account = between(&body, "<Account>", "</Account>")
                        .filter(|a| a.bytes().all(|b| b.is_ascii_digit()))
                        .map_or_else(String::new, |a| format!(" (account {a})"));
                    (Live, format!("STS GetCallerIdentity: accepted{account}"))
                }
                403 | 400
                    if [
                        "InvalidClientTokenId",
                        "SignatureDoesNotMatch",
                        "AccessDenied",
                        "ExpiredToken",
                    ]
                    .iter()
                    .any(|c| body.contains(c)) =>
                {
                    (Dead, format!("STS GetCallerIdentity: HTTP {s}, rejected"))
                }
                _ => (Unknown, format!("STS GetCallerIdentity: HTTP {s}")),
            }
        }
    };
    if verdict.0 == Unknown && (s == 429 || s >= 500) {
        return (Error, verdict.1);
    }
    verdict
}

fn between<'a>(s: &'a str, a: &str, b: &str) -> Option<&'a str> {
    let i = s.find(a)? + a.len();
    let j = s[i..].find(b)?;
    Some(&s[i..i + j])
}

/// After a live AppRole login: revoke the token the login minted (best effort), so validation
/// leaves no usable token behind.
pub(crate) fn follow_up(kind: Kind, resp: &Response, opts: &Options) -> Option<Request> {
    if kind != Kind::VaultAppRole || resp.status != 200 {
        return None;
    }
    let token = body_json(resp)?
        .pointer("/auth/client_token")?
        .as_str()?
        .to_string();
    let mut headers = vault_headers(opts);
    headers.push(("X-Vault-Token".into(), token));
    Some(Request {
        method: "POST",
        url: format!(
            "{}/v1/auth/token/revoke-self",
            opts.vault_addr.as_deref()?.trim_end_matches('/')
        ),
        headers,
        body: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, body: &str) -> Response {
        Response {
            status,
            retry_after: None,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn network_and_server_failures_are_never_dead() {
        for k in [
            Kind::VaultToken,
            Kind::VaultAppRole,
            Kind::Infisical,
            Kind::AwsSts,
        ] {
            assert_eq!(judge(k, &resp(503, "")).0, ValidationStatus::Error);
            assert_eq!(judge(k, &resp(429, "")).0, ValidationStatus::Error);
            assert_eq!(judge(k, &resp(200, "not json")).0, ValidationStatus::Unknown);
        }
        assert_eq!(
            judge(Kind::AwsSts, &resp(403, "<Code>InvalidClientTokenId</Code>")).0,
            ValidationStatus::Dead
        );
        assert_eq!(
            judge(
                Kind::AwsSts,
                &resp(200, "<GetCallerIdentityResult><Account>123456789012</Account>")
            )
            .1,
            "STS GetCallerIdentity: accepted (account 123456789012)"
        );
    }
}
