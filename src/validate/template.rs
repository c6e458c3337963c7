//! Data validators (`[rules.validate]` with `kind = "http"`): the request is built from the
//! rule's templates, and the answer judged by its `live` / `dead` conditions. Most providers
//! need no code: a URL, a header and a status are enough.

use std::collections::BTreeMap;

use serde_json::Value;

use super::http::{Request, Response};
use crate::findings::{Secret, ValidationStatus};
use crate::rules::syntax::{ResponseMatch, ValidateSpec};

/// How a value is escaped where a template inserts it.
#[derive(Clone, Copy)]
enum Escape {
    /// URL path or query: percent-encoded (RFC 3986 unreserved kept).
    Url,
    /// Inside a JSON string.
    Json,
    /// A form-encoded body.
    Form,
    /// A header value: as is (CR, LF and other controls refused).
    Raw,
}

/// Fills `{{secret}}` / `{{NAME}}` in `t`. Fails on an unknown name or a value that cannot go
/// where it is put (a control character in a header).
fn fill(t: &str, values: &BTreeMap<&str, &[u8]>, esc: Escape) -> Result<String, String> {
    let mut out = String::with_capacity(t.len() + 64);
    let mut rest = t;
    while let Some(i) = rest.find("{{") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let j = after.find("}}").ok_or("unclosed {{ in a validator template")?;
        let name = after[..j].trim();
        let v = values
            .get(name)
            .ok_or_else(|| format!("validator template names '{name}', which the rule does not provide"))?;
        push_escaped(&mut out, v, esc)?;
        rest = &after[j + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

fn push_escaped(out: &mut String, v: &[u8], esc: Escape) -> Result<(), String> {
    match esc {
        Escape::Url | Escape::Form => {
            for &b in v {
                if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                    out.push(char::from(b));
                } else {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
        }
        Escape::Json => {
            let s = std::str::from_utf8(v).map_err(|_| "the secret is not UTF-8")?;
            let quoted = serde_json::to_string(s).map_err(|e| e.to_string())?;
            out.push_str(&quoted[1..quoted.len() - 1]);
        }
        Escape::Raw => {
            let s = std::str::from_utf8(v).map_err(|_| "the secret is not UTF-8")?;
            if s.chars().any(char::is_control) {
                return Err("the secret holds a control character and cannot go in a header".into());
            }
            out.push_str(s);
        }
    }
    Ok(())
}

/// Base64 (standard, padded) for HTTP basic auth.
fn base64(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | (u32::from(b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(A[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The request a data validator sends for `secret` with its `components`.
pub(crate) fn request(
    spec: &ValidateSpec,
    secret: &Secret,
    components: &BTreeMap<String, Secret>,
) -> Result<Request, String> {
    let mut values: BTreeMap<&str, &[u8]> = BTreeMap::new();
    values.insert("secret", secret.expose());
    for (k, v) in components {
        values.insert(k.as_str(), v.expose());
    }
    let url_t = spec.url.as_deref().ok_or("no url")?;
    // The host was checked literal at load; templates fill the path and query only.
    let url = fill(url_t, &values, Escape::Url)?;
    let mut headers = Vec::new();
    let mut content_type = None;
    for (k, v) in &spec.headers {
        let v = fill(v, &values, Escape::Raw)?;
        if k.eq_ignore_ascii_case("content-type") {
            content_type = Some(v.to_ascii_lowercase());
        }
        headers.push((k.clone(), v));
    }
    if let Some([user, pass]) = spec.basic_auth.as_deref() {
        let pair = format!(
            "{}:{}",
            fill(user, &values, Escape::Raw)?,
            fill(pass, &values, Escape::Raw)?
        );
        headers.push((
            "Authorization".into(),
            format!("Basic {}", base64(pair.as_bytes())),
        ));
    }
    let body = spec
        .body
        .as_deref()
        .map(|b| {
            let esc = match content_type.as_deref() {
                Some(ct) if ct.contains("json") => Escape::Json,
                Some(ct) if ct.contains("x-www-form-urlencoded") => Escape::Form,
                _ => Escape::Raw,
            };
            fill(b, &values, esc).map(String::into_bytes)
        })
        .transpose()?;
    let method = match spec.method.as_deref() {
        Some("POST") => "POST",
        Some("HEAD") => "HEAD",
        _ => "GET",
    };
    Ok(Request {
        method,
        url,
        headers,
        body,
    })
}

/// Whether `resp` satisfies `m`.
fn matches(m: &ResponseMatch, resp: &Response, json: &mut Option<Option<Value>>) -> bool {
    if !m.status.is_empty() && !m.status.contains(&resp.status) {
        return false;
    }
    if m.json.is_empty() {
        return true;
    }
    let doc = json.get_or_insert_with(|| serde_json::from_slice(&resp.body).ok());
    let Some(doc) = doc.as_ref() else {
        return false;
    };
    m.json.iter().all(|(ptr, want)| {
        let Some(got) = doc.pointer(ptr) else {
            return false;
        };
        match want {
            toml::Value::String(s) if s == "*" => true,
            toml::Value::Array(any) => any.iter().any(|w| same(w, got)),
            w => same(w, got),
        }
    })
}

/// A TOML value equal to a JSON value (strings, integers, booleans).
fn same(want: &toml::Value, got: &Value) -> bool {
    match (want, got) {
        (toml::Value::String(a), Value::String(b)) => a == b,
        (toml::Value::Integer(a), Value::Number(b)) => b.as_i64() == Some(*a),
        (toml::Value::Boolean(a), Value::Bool(b)) => a == b,
        _ => false,
    }
}

/// The verdict on `resp`: `live` if it matches `live`, `dead` if it matches `dead` (default:
/// HTTP 401), `error` for 429 and 5xx, else `unknown`.
pub(crate) fn judge(spec: &ValidateSpec, resp: &Response) -> (ValidationStatus, String) {
    let mut json = None;
    if spec.live.as_ref().is_some_and(|m| matches(m, resp, &mut json)) {
        return (ValidationStatus::Live, format!("HTTP {}: accepted", resp.status));
    }
    let dead = match &spec.dead {
        Some(m) => matches(m, resp, &mut json),
        None => resp.status == 401,
    };
    if dead {
        return (ValidationStatus::Dead, format!("HTTP {}: rejected", resp.status));
    }
    if resp.status == 429 || resp.status >= 500 {
        return (ValidationStatus::Error, format!("HTTP {}", resp.status));
    }
    let malformed = !spec.live.as_ref().is_none_or(|m| m.json.is_empty())
        && serde_json::from_slice::<Value>(&resp.body).is_err();
    (
        ValidationStatus::Unknown,
        if malformed {
            format!("HTTP {}: the answer is not the JSON expected", resp.status)
        } else {
            format!("HTTP {}: neither the live nor the dead answer", resp.status)
        },
    )
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

    fn spec(toml_text: &str) -> ValidateSpec {
        toml::from_str(toml_text).expect("spec")
    }

    #[test]
    fn templates_escape_by_place() {
        let s = spec(
            r#"url = "https://api.example.com/check?key={{secret}}"
               method = "POST"
               body = '{"token":"{{secret}}","id":"{{id}}"}'
               headers = { Content-Type = "application/json", X-Key = "{{secret}}" }
               [live]
               status = [200]"#,
        );
        let comps = BTreeMap::from([("id".to_string(), Secret::new(b"a b".to_vec()))]);
        let r = request(&s, &Secret::new(b"k&\"y".to_vec()), &comps).expect("request");
        assert_eq!(r.url, "https://api.example.com/check?key=k%26%22y");
        assert_eq!(
            r.body.as_deref(),
            Some(br#"{"token":"k&\"y","id":"a b"}"#.as_slice())
        );
        assert!(r.headers.contains(&("X-Key".to_string(), "k&\"y".to_string())));
        let bad = request(&s, &Secret::new(b"a\nb".to_vec()), &comps);
        assert!(bad.is_err(), "a newline cannot reach a header");
    }

    #[test]
    fn basic_auth_and_unknown_names() {
        let s = spec(
            r#"url = "https://api.example.com/me"
               basic_auth = ["{{sid}}", "{{secret}}"]
               [live]
               status = [200]"#,
        );
        let comps = BTreeMap::from([("sid".to_string(), Secret::new(b"Aladdin".to_vec()))]);
        let r = request(&s, &Secret::new(b"open sesame".to_vec()), &comps).expect("request");
        assert!(r.headers.contains(&(
            "Authorization".into(),
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==".into()
        )));
        assert!(request(&s, &Secret::new(b"x".to_vec()), &BTreeMap::new()).is_err());
    }

    #[test]
    fn verdicts() {
        let s = spec(
            r#"url = "https://slack.com/api/auth.test"
               [live]
               status = [200]
               json = { "/ok" = true }
               [dead]
               json = { "/error" = ["invalid_auth", "token_revoked"] }"#,
        );
        assert_eq!(judge(&s, &resp(200, r#"{"ok":true}"#)).0, ValidationStatus::Live);
        assert_eq!(
            judge(&s, &resp(200, r#"{"ok":false,"error":"token_revoked"}"#)).0,
            ValidationStatus::Dead
        );
        assert_eq!(
            judge(&s, &resp(200, r#"{"ok":false,"error":"ratelimited"}"#)).0,
            ValidationStatus::Unknown
        );
        let (st, detail) = judge(&s, &resp(200, "<html>"));
        assert_eq!(st, ValidationStatus::Unknown);
        assert!(detail.contains("not the JSON"), "{detail}");
        assert_eq!(judge(&s, &resp(429, "")).0, ValidationStatus::Error);
        assert_eq!(judge(&s, &resp(503, "")).0, ValidationStatus::Error);
        let plain = spec(
            r#"url = "https://api.example.com/me"
               [live]
               status = [200]"#,
        );
        assert_eq!(judge(&plain, &resp(401, "")).0, ValidationStatus::Dead);
        assert_eq!(judge(&plain, &resp(403, "")).0, ValidationStatus::Unknown);
        let star = spec(
            r#"url = "https://api.example.com/me"
               [live]
               json = { "/login" = "*" }"#,
        );
        assert_eq!(
            judge(&star, &resp(200, r#"{"login":"x"}"#)).0,
            ValidationStatus::Live
        );
        assert_eq!(judge(&star, &resp(200, r#"{}"#)).0, ValidationStatus::Unknown);
    }
}
