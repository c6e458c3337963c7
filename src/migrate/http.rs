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

/// The first line of `s`, trimmed, control characters escaped (a server's message is shown on a
/// terminal).
pub fn one_line(s: &str) -> String {
    crate::report::escape(s.lines().next().unwrap_or("").trim()).into_owned()
}

/// Stretches of `text` shared with a secret are at least this long to be withheld.
const SHARED: usize = 12;

/// `text` (a server's message) with every copy of each of `secrets` replaced by `<withheld>`, and
/// so is every stretch of `SHARED` (12) or more bytes that also occurs in one of them: a service
/// that quotes a value may quote only its start, one of its lines, or cut it to a length, and the
/// message itself is cut to one line and 300 characters afterwards. Call it before cutting.
/// Secrets shorter than 4 bytes (after trimming) are not looked for. Linear in `text` and the
/// secrets.
pub fn withhold(text: &str, secrets: &[&[u8]]) -> String {
    let t = text.as_bytes();
    let mut hidden = vec![false; t.len()];
    for s in secrets {
        let s = s.trim_ascii();
        if s.len() < 4 {
            continue;
        }
        for at in memchr::memmem::find_iter(t, s) {
            hidden[at..at + s.len()].iter_mut().for_each(|h| *h = true);
        }
        if s.len() >= SHARED && t.len() >= SHARED {
            let grams: std::collections::HashSet<&[u8]> = s.windows(SHARED).collect();
            for (at, w) in t.windows(SHARED).enumerate() {
                if grams.contains(w) {
                    hidden[at..at + SHARED].iter_mut().for_each(|h| *h = true);
                }
            }
        }
    }
    if !hidden.contains(&true) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut in_run = false;
    for (i, c) in text.char_indices() {
        if hidden[i..i + c.len_utf8()].contains(&true) {
            if !in_run {
                out.push_str("<withheld>");
            }
            in_run = true;
        } else {
            out.push(c);
            in_run = false;
        }
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn withheld_values_and_their_parts() {
        let v: &[u8] = b"s3cr3t-abcdefghijklmnop";
        assert_eq!(withhold("bad s3cr3t-abcdefghijklmnop!", &[v]), "bad <withheld>!");
        // A prefix, cut by the server, and a line of a multi-line value.
        assert_eq!(withhold("bad 's3cr3t-abcdefg...'", &[v]), "bad '<withheld>...'");
        let pem: &[u8] = b"-----BEGIN-----\nMIIEvQIBADANBgkq\n-----END-----";
        assert_eq!(withhold("at MIIEvQIBADANBgkq:", &[pem]), "at <withheld>:");
        // Short values only as a whole; tiny ones not at all; other text untouched.
        assert_eq!(
            withhold("x=abcd y=abc", &[&b"abcd"[..], &b"ab"[..]]),
            "x=<withheld> y=abc"
        );
        assert_eq!(withhold("é unrelated ü", &[v]), "é unrelated ü");
        assert_eq!(withhold("", &[v]), "");
        assert_eq!(one_line("a\u{1b}[2J\rb\nc"), "a\\x1b[2J\\x0db");
    }
}
