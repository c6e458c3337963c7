//! The one HTTP client the remote stores share: blocking `ureq` with timeouts, no redirects
//! followed silently into another host, and errors mapped to one-line [`StoreError`]s.

use std::time::Duration;

use super::store::StoreError;

/// A response: status and body, whatever the status (4xx/5xx are not transport errors).
#[derive(Debug)]
pub struct Response {
    /// HTTP status code.
    pub status: u16,
    /// Response body (may hold a secret for reads: callers must not print it).
    pub body: Vec<u8>,
}

impl Response {
    /// True for 2xx.
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as JSON (an error naming `what` when it is not JSON).
    pub fn json(&self, what: &str) -> Result<serde_json::Value, StoreError> {
        serde_json::from_slice(&self.body).map_err(|e| {
            StoreError::Other(format!(
                "{what}: HTTP {} with a body that is not JSON ({e})",
                self.status
            ))
        })
    }
}

/// A small blocking HTTP client.
#[derive(Clone)]
pub struct Client {
    agent: ureq::Agent,
    store: &'static str,
    /// Why the debug-build-only test trust settings (`LEAKLESS_TEST_ONLY_CA_FILE`) could not be
    /// applied: every request fails with it rather than silently using the default roots.
    setup_error: Option<String>,
}

impl Client {
    /// A client for the store `store` (named in errors), 10 s connect and 60 s overall timeouts.
    pub fn new(store: &'static str) -> Self {
        let builder = || {
            ureq::AgentBuilder::new()
                .timeout_connect(Duration::from_secs(10))
                .timeout(Duration::from_secs(60))
                .redirects(0)
                .user_agent(concat!("leakless/", env!("CARGO_PKG_VERSION")))
        };
        let (builder, setup_error) = match crate::validate::http::test_only_trust(builder()) {
            Ok(b) => (b, None),
            Err(e) => (builder(), Some(e)),
        };
        Self {
            agent: builder.build(),
            store,
            setup_error,
        }
    }

    /// Sends `method url` with `headers` and an optional body. Any HTTP status is a `Response`;
    /// only transport failures (refused, reset, timeout, TLS) are errors, as
    /// [`StoreError::Unreachable`].
    pub fn send(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Result<Response, StoreError> {
        if let Some(e) = &self.setup_error {
            return Err(StoreError::Config(e.clone()));
        }
        let mut req = self.agent.request(method, url);
        for (k, v) in headers {
            req = req.set(k, v);
        }
        let result = match body {
            Some(b) => req.send_bytes(b),
            None => req.call(),
        };
        let resp = match result {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(ureq::Error::Transport(t)) => {
                return Err(StoreError::Unreachable {
                    store: self.store,
                    url: strip_query(url).to_string(),
                    reason: one_line(&t.to_string()),
                })
            }
        };
        let status = resp.status();
        let mut body = Vec::new();
        std::io::Read::read_to_end(&mut resp.into_reader().take_limit(), &mut body).map_err(|e| {
            StoreError::Unreachable {
                store: self.store,
                url: strip_query(url).to_string(),
                reason: format!("reading the response: {e}"),
            }
        })?;
        Ok(Response { status, body })
    }

    /// [`Client::send`] with a JSON body and `Content-Type: application/json`.
    pub fn send_json(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: &serde_json::Value,
    ) -> Result<Response, StoreError> {
        let bytes = serde_json::to_vec(body).map_err(|e| StoreError::Other(e.to_string()))?;
        let mut h: Vec<(&str, &str)> = headers.to_vec();
        if !h.iter().any(|(k, _)| k.eq_ignore_ascii_case("content-type")) {
            h.push(("Content-Type", "application/json"));
        }
        self.send(method, url, &h, Some(&bytes))
    }
}

/// Responses are capped at 16 MiB: no store answers more for one secret.
trait TakeLimit: std::io::Read + Sized {
    fn take_limit(self) -> std::io::Take<Self> {
        self.take(16 << 20)
    }
}
impl<R: std::io::Read> TakeLimit for R {}

/// `url` without its query string (queries can carry identifiers we would rather not echo).
pub fn strip_query(url: &str) -> &str {
    url.split('?').next().unwrap_or(url)
}

/// The first line of `s`, trimmed.
pub fn one_line(s: &str) -> String {
    s.lines().next().unwrap_or("").trim().to_string()
}

/// The first line of `s`, at most 300 characters (a server message in an error).
pub fn capped_line(s: &str) -> String {
    let line = one_line(s);
    if line.chars().count() > 300 {
        format!("{}…", line.chars().take(300).collect::<String>())
    } else {
        line
    }
}

/// Percent-encodes one URL path segment (RFC 3986 unreserved characters stay).
pub fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Percent-encodes a `/`-separated path, segment by segment.
pub fn encode_path(path: &str) -> String {
    path.split('/').map(encode_segment).collect::<Vec<_>>().join("/")
}
