//! The validation HTTP client: blocking `ureq` with rustls, no redirects (a redirect could carry
//! the secret to another host), a per-request timeout, and a proxy only from `HTTPS_PROXY`.
//!
//! Separate from the stores' client (`migrate::http`) because validation has other rules: every
//! answer is kept (status, `Retry-After`, body capped at 1 MiB), and tests reach a local
//! self-signed HTTPS fake through two settings that exist only in debug builds (see
//! SECURITY.md, "Validation"): `LEAKLESS_TEST_ONLY_CA_FILE` (trust only that PEM CA) and
//! `LEAKLESS_TEST_ONLY_RESOLVE` (`host=127.0.0.1:PORT,...`, as curl's `--resolve`).

use std::io::Read;
use std::time::Duration;

use zeroize::Zeroize;

use super::ValidateError;

/// One request. Headers and body may hold the secret: wiped on drop, never printed.
pub(crate) struct Request {
    pub method: &'static str,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
}

impl Drop for Request {
    fn drop(&mut self) {
        self.url.zeroize();
        for (_, v) in &mut self.headers {
            v.zeroize();
        }
        if let Some(b) = &mut self.body {
            b.zeroize();
        }
    }
}

impl Request {
    /// `scheme://host[:port]` of the URL: the unit of per-host limits and what reports name.
    pub fn host(&self) -> &str {
        host_of(&self.url)
    }
}

/// `scheme://host[:port]` of `url`.
pub(crate) fn host_of(url: &str) -> &str {
    let start = url.find("://").map_or(0, |i| i + 3);
    let end = url[start..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| start + i);
    &url[..end]
}

/// An answer (any status).
pub(crate) struct Response {
    pub status: u16,
    /// `Retry-After` in seconds, when given as a number.
    pub retry_after: Option<u64>,
    /// The body, at most [`MAX_BODY`] bytes.
    pub body: Vec<u8>,
}

impl Drop for Response {
    fn drop(&mut self) {
        // An identity or login answer may carry a token.
        self.body.zeroize();
    }
}

/// Bodies are read up to 1 MiB: identity answers are small.
const MAX_BODY: u64 = 1 << 20;

/// The client.
#[derive(Clone)]
pub(crate) struct Client {
    agent: ureq::Agent,
}

impl Client {
    /// A client with `HTTPS_PROXY` (or `https_proxy`) as its proxy when set.
    pub fn new() -> Result<Self, ValidateError> {
        let mut b = ureq::AgentBuilder::new()
            .timeout_connect(Duration::from_secs(10))
            .redirects(0)
            .try_proxy_from_env(false)
            .user_agent(concat!(
                "leakless/",
                env!("CARGO_PKG_VERSION"),
                " (secret validation)"
            ));
        let proxy = std::env::var("HTTPS_PROXY")
            .or_else(|_| std::env::var("https_proxy"))
            .ok()
            .filter(|p| !p.is_empty());
        if let Some(p) = proxy {
            let proxy =
                ureq::Proxy::new(&p).map_err(|e| ValidateError::Config(format!("HTTPS_PROXY: {e}")))?;
            b = b.proxy(proxy);
        }
        b = test_only::configure(b)?;
        Ok(Self { agent: b.build() })
    }

    /// Sends `req`; any HTTP status is a [`Response`], a transport failure (refused, reset,
    /// DNS, TLS, timeout) is `Err` with one line that holds no secret.
    pub fn send(&self, req: &Request, timeout: Duration) -> Result<Response, String> {
        let mut r = self.agent.request(req.method, &req.url).timeout(timeout);
        for (k, v) in &req.headers {
            r = r.set(k, v);
        }
        let result = match &req.body {
            Some(b) => r.send_bytes(b),
            None => r.call(),
        };
        let resp = match result {
            Ok(r) | Err(ureq::Error::Status(_, r)) => r,
            Err(ureq::Error::Transport(t)) => return Err(transport_reason(&t)),
        };
        let status = resp.status();
        let retry_after = resp
            .header("retry-after")
            .and_then(|v| v.trim().parse::<u64>().ok());
        let mut body = Vec::new();
        resp.into_reader()
            .take(MAX_BODY)
            .read_to_end(&mut body)
            .map_err(|e| format!("reading the answer: {}", kind_of(&e)))?;
        Ok(Response {
            status,
            retry_after,
            body,
        })
    }
}

/// A transport error in one line, without the URL (its query may hold the secret).
fn transport_reason(t: &ureq::Transport) -> String {
    use ureq::ErrorKind as K;
    let what = match t.kind() {
        K::Dns => "DNS lookup failed",
        K::ConnectionFailed => "connection failed",
        K::TooManyRedirects => "redirected",
        K::BadStatus | K::BadHeader => "malformed HTTP answer",
        K::Io => "network error",
        K::InvalidProxyUrl | K::ProxyConnect | K::ProxyUnauthorized => "proxy failed",
        K::InvalidUrl | K::UnknownScheme => "invalid URL",
        _ => "transport error",
    };
    let detail = t.source().map(|s| s.to_string()).unwrap_or_default();
    let timeout = detail.contains("timed out") || detail.contains("Timeout");
    if timeout {
        "timed out".to_string()
    } else if detail.contains("certificate") || detail.contains("Certificate") {
        format!("{what}: TLS certificate not trusted")
    } else {
        what.to_string()
    }
}

fn kind_of(e: &std::io::Error) -> &'static str {
    match e.kind() {
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => "timed out",
        _ => "connection broken",
    }
}

use std::error::Error as _;

/// The same debug-build-only trust settings for the stores' client (`migrate::http`), so a
/// store that only speaks HTTPS (Azure Key Vault) can be tested against a local TLS stand-in.
/// In release builds this changes nothing.
pub(crate) fn test_only_trust(b: ureq::AgentBuilder) -> Result<ureq::AgentBuilder, String> {
    test_only::configure(b).map_err(|e| e.to_string())
}

/// The test-only trust settings. In release builds this module reads nothing: the settings
/// cannot be turned on in a shipped binary.
mod test_only {
    use super::ValidateError;

    #[cfg(not(debug_assertions))]
    pub(super) fn configure(b: ureq::AgentBuilder) -> Result<ureq::AgentBuilder, ValidateError> {
        Ok(b)
    }

    #[cfg(debug_assertions)]
    pub(super) fn configure(mut b: ureq::AgentBuilder) -> Result<ureq::AgentBuilder, ValidateError> {
        use std::sync::Arc;

        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::CertificateDer;

        if let Some(path) = std::env::var_os("LEAKLESS_TEST_ONLY_CA_FILE").filter(|p| !p.is_empty()) {
            let bad = |m: String| ValidateError::Config(format!("LEAKLESS_TEST_ONLY_CA_FILE: {m}"));
            let pem = std::fs::read(&path).map_err(|e| bad(e.to_string()))?;
            let mut roots = rustls::RootCertStore::empty();
            for cert in CertificateDer::pem_slice_iter(&pem) {
                roots
                    .add(cert.map_err(|e| bad(e.to_string()))?)
                    .map_err(|e| bad(e.to_string()))?;
            }
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let config = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .map_err(|e| bad(e.to_string()))?
                .with_root_certificates(roots)
                .with_no_client_auth();
            b = b.tls_config(Arc::new(config));
        }
        if let Ok(map) = std::env::var("LEAKLESS_TEST_ONLY_RESOLVE") {
            let mut table: Vec<(String, std::net::SocketAddr)> = Vec::new();
            for item in map.split(',').filter(|s| !s.is_empty()) {
                let (host, addr) = item.split_once('=').ok_or_else(|| {
                    ValidateError::Config("LEAKLESS_TEST_ONLY_RESOLVE: host=ip:port,...".into())
                })?;
                let addr = addr.parse().map_err(|_| {
                    ValidateError::Config(format!("LEAKLESS_TEST_ONLY_RESOLVE: bad address for {host}"))
                })?;
                table.push((host.to_ascii_lowercase(), addr));
            }
            b = b.resolver(
                move |netloc: &str| -> std::io::Result<Vec<std::net::SocketAddr>> {
                    let host = netloc
                        .rsplit_once(':')
                        .map_or(netloc, |(h, _)| h)
                        .to_ascii_lowercase();
                    match table.iter().find(|(h, _)| *h == host) {
                        Some((_, a)) => Ok(vec![*a]),
                        None => std::net::ToSocketAddrs::to_socket_addrs(netloc).map(Iterator::collect),
                    }
                },
            );
        }
        Ok(b)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn host_of_url() {
        assert_eq!(
            super::host_of("https://api.github.com/user?x=1"),
            "https://api.github.com"
        );
        assert_eq!(
            super::host_of("http://127.0.0.1:8200/v1/x"),
            "http://127.0.0.1:8200"
        );
        assert_eq!(super::host_of("https://h.example"), "https://h.example");
    }
}
