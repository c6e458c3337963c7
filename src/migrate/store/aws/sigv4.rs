//! AWS Signature Version 4, header signing only: the few dozen lines the `aws` store needs instead
//! of an AWS SDK.
//!
//! ```text
//!  canonical request ──sha256──▶ string to sign ──HMAC(signing key)──▶ signature
//!  (method, path, query,         (algorithm, date,                      │
//!   sorted headers, body hash)    scope, request hash)                  ▼
//!                                                          Authorization: AWS4-HMAC-SHA256 ...
//! ```
//!
//! The signing key is `HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service),
//! "aws4_request")`. Checked against AWS's published SigV4 test suite (see the tests).

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// The algorithm name in the string to sign and the `Authorization` header.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// AWS credentials. `Debug` shows the access key id only.
#[derive(Clone)]
pub struct Credentials {
    /// The access key id (`AKIA...` / `ASIA...`).
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: String,
    /// The session token of temporary credentials, sent as `X-Amz-Security-Token`.
    pub session_token: Option<String>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// One request to sign. `path` and `query` are already in canonical form (URI-encoded path,
/// sorted and encoded query); the `aws` store only ever sends `POST /` with no query.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// HTTP method, e.g. `POST`.
    pub method: &'a str,
    /// Canonical URI, e.g. `/`.
    pub path: &'a str,
    /// Canonical query string (empty for none).
    pub query: &'a str,
    /// Headers to sign, including `host`; `x-amz-date` and `x-amz-security-token` are added by
    /// [`sign`].
    pub headers: &'a [(&'a str, &'a str)],
    /// The request body.
    pub body: &'a [u8],
}

/// What [`sign`] produced.
#[derive(Debug, Clone)]
pub struct Signed {
    /// The canonical request (for tests and debugging; it holds no secret key, but it holds the
    /// body hash, not the body).
    pub canonical_request: String,
    /// The string to sign.
    pub string_to_sign: String,
    /// The hex signature.
    pub signature: String,
    /// The `Authorization` header value.
    pub authorization: String,
    /// Headers to add to the request: `X-Amz-Date`, `X-Amz-Security-Token` (with a session
    /// token) and `Authorization`.
    pub headers: Vec<(&'static str, String)>,
}

/// Signs `req` for `region`/`service` at `amz_date` (`YYYYMMDDTHHMMSSZ`, see [`amz_date`]).
pub fn sign(creds: &Credentials, region: &str, service: &str, amz_date: &str, req: &Request<'_>) -> Signed {
    let date = &amz_date[..amz_date.len().min(8)];
    let mut headers: Vec<(String, String)> = req
        .headers
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), canonical_value(v)))
        .collect();
    let has = |headers: &[(String, String)], name: &str| headers.iter().any(|(k, _)| k == name);
    if !has(&headers, "x-amz-date") {
        headers.push(("x-amz-date".into(), amz_date.into()));
    }
    if let Some(token) = &creds.session_token {
        if !has(&headers, "x-amz-security-token") {
            headers.push(("x-amz-security-token".into(), canonical_value(token)));
        }
    }
    // Stable sort by name keeps repeated headers in their original order, as the spec asks.
    headers.sort_by(|a, b| a.0.cmp(&b.0));
    let mut canonical_headers = String::new();
    let mut names: Vec<&str> = Vec::new();
    for (name, value) in &headers {
        if names.last() == Some(&name.as_str()) {
            canonical_headers.pop(); // the '\n' of the previous line: join repeats with ','
            canonical_headers.push(',');
        } else {
            names.push(name);
            canonical_headers.push_str(name);
            canonical_headers.push(':');
        }
        canonical_headers.push_str(value);
        canonical_headers.push('\n');
    }
    let signed_headers = names.join(";");
    let canonical_request = format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        req.method,
        req.path,
        req.query,
        canonical_headers,
        signed_headers,
        hex(&Sha256::digest(req.body))
    );
    let scope = format!("{date}/{region}/{service}/aws4_request");
    let string_to_sign = format!(
        "{ALGORITHM}\n{amz_date}\n{scope}\n{}",
        hex(&Sha256::digest(canonical_request.as_bytes()))
    );
    let key = signing_key(&creds.secret_access_key, date, region, service);
    let signature = hex(&hmac(&key, string_to_sign.as_bytes()));
    let authorization = format!(
        "{ALGORITHM} Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={signature}",
        creds.access_key_id
    );
    let mut out = vec![("X-Amz-Date", amz_date.to_string())];
    if let Some(token) = &creds.session_token {
        out.push(("X-Amz-Security-Token", token.clone()));
    }
    out.push(("Authorization", authorization.clone()));
    Signed {
        canonical_request,
        string_to_sign,
        signature,
        authorization,
        headers: out,
    }
}

/// The derived signing key for one day, region and service.
pub fn signing_key(secret_access_key: &str, date: &str, region: &str, service: &str) -> Vec<u8> {
    let k_date = hmac(format!("AWS4{secret_access_key}").as_bytes(), date.as_bytes());
    let k_region = hmac(&k_date, region.as_bytes());
    let k_service = hmac(&k_region, service.as_bytes());
    hmac(&k_service, b"aws4_request")
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// Header value in canonical form: trimmed, runs of spaces collapsed to one.
fn canonical_value(v: &str) -> String {
    v.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    use fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// `time` as SigV4's `YYYYMMDDTHHMMSSZ` (UTC). Times before 1970 are clamped to the epoch.
pub fn amz_date(time: SystemTime) -> String {
    let secs = time.duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar (Howard
/// Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11], March-based
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    // The credentials, region, service and time of AWS's published SigV4 test suite
    // (docs.aws.amazon.com, "Signature Version 4 test suite"; also shipped in botocore's
    // tests/unit/auth/aws4_testsuite).
    const AKID: &str = "AKIDEXAMPLE";
    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"; // leakless:allow
    const DATE: &str = "20150830T123600Z";
    const HOST: &str = "example.amazonaws.com";

    fn creds(token: Option<&str>) -> Credentials {
        Credentials {
            access_key_id: AKID.into(),
            secret_access_key: SECRET.into(),
            session_token: token.map(str::to_string),
        }
    }

    fn suite(token: Option<&str>, method: &str, headers: &[(&str, &str)], body: &[u8]) -> Signed {
        let req = Request {
            method,
            path: "/",
            query: "",
            headers,
            body,
        };
        sign(&creds(token), "us-east-1", "service", DATE, &req)
    }

    #[test]
    fn get_vanilla() {
        let s = suite(None, "GET", &[("Host", HOST)], b"");
        assert_eq!(
            s.canonical_request,
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n\
             e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            s.string_to_sign,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n\
             bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63"
        );
        // get-vanilla.authz
        assert_eq!(
            s.signature,
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        ); // leakless:allow
        assert_eq!(
            s.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
             SignedHeaders=host;x-amz-date, \
             Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31" // leakless:allow
        );
    }

    #[test]
    fn post_x_www_form_urlencoded() {
        let s = suite(
            None,
            "POST",
            &[
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("Host", HOST),
            ],
            b"Param1=value1",
        );
        assert_eq!(
            s.canonical_request,
            "POST\n/\n\ncontent-type:application/x-www-form-urlencoded\nhost:example.amazonaws.com\n\
             x-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n\
             9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"
        );
        assert!(s
            .string_to_sign
            .ends_with("\n42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281"));
        assert_eq!(
            s.signature,
            "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"
        ); // leakless:allow
    }

    #[test]
    fn get_vanilla_with_session_token() {
        let token = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"; // leakless:allow
        let s = suite(Some(token), "GET", &[("Host", HOST)], b"");
        assert!(s
            .canonical_request
            .contains(&format!("\nx-amz-security-token:{token}\n")));
        assert!(s
            .string_to_sign
            .ends_with("\n067b36aa60031588cea4a4cde1f21215227a047690c72247f1d70b32fbbfad2b"));
        assert_eq!(
            s.signature,
            "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8"
        ); // leakless:allow
        assert!(s
            .authorization
            .contains("SignedHeaders=host;x-amz-date;x-amz-security-token,"));
        assert!(s.headers.contains(&("X-Amz-Security-Token", token.to_string())));
    }

    #[test]
    fn header_values_are_trimmed_and_repeats_joined() {
        // get-header-value-trim and get-header-key-duplicate, canonical headers only.
        let s = suite(
            None,
            "GET",
            &[
                ("Host", HOST),
                ("My-Header1", " value1"),
                ("My-Header2", " \"a   b   c\""),
            ],
            b"",
        );
        assert!(s
            .canonical_request
            .contains("my-header1:value1\nmy-header2:\"a b c\"\n"));
        let s = suite(
            None,
            "GET",
            &[
                ("Host", HOST),
                ("My-Header1", "value2"),
                ("My-Header1", "value2"),
                ("My-Header1", "value1"),
            ],
            b"",
        );
        assert!(s
            .canonical_request
            .contains("\nmy-header1:value2,value2,value1\n"));
        assert!(s.canonical_request.contains("\nhost;my-header1;x-amz-date\n"));
    }

    /// A Secrets Manager request as the `aws` store sends it. The expected signatures were
    /// computed independently with botocore 1.44 (`SigV4Auth(creds, "secretsmanager",
    /// "us-east-1").add_auth(...)` with the clock fixed at 2015-08-30T12:36:00Z).
    #[test]
    fn secrets_manager_request_matches_botocore() {
        let body = br#"{"SecretId":"shop/dev/DATABASE_URL"}"#;
        let headers = [
            ("Host", "secretsmanager.us-east-1.amazonaws.com"),
            ("Content-Type", "application/x-amz-json-1.1"),
            ("X-Amz-Target", "secretsmanager.GetSecretValue"),
        ];
        let req = Request {
            method: "POST",
            path: "/",
            query: "",
            headers: &headers,
            body,
        };
        let s = sign(&creds(None), "us-east-1", "secretsmanager", DATE, &req);
        assert!(s.canonical_request.ends_with(
            "\ncontent-type;host;x-amz-date;x-amz-target\n\
             872ecb2dba845bfe45e1a5e52a5a1cccf80399818db5be028dd32779a24eac79"
        ));
        assert_eq!(
            s.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/secretsmanager/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date;x-amz-target, \
             Signature=efd6b538eabbb9b6dd6ec2e71011cab7dfe3a9f9c0221486e975358a755b59fe" // leakless:allow
        );
        let s = sign(
            &creds(Some("session-token-example")),
            "us-east-1",
            "secretsmanager",
            DATE,
            &req,
        );
        assert_eq!(
            s.signature,
            "512c04e3a7ffa010d0ca4540c3dc051e434affdebb92014ead61f1041913ed2d"
        ); // leakless:allow
        assert!(s
            .authorization
            .contains("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target,"));
    }

    #[test]
    fn a_wrong_key_changes_the_signature() {
        let req = Request {
            method: "GET",
            path: "/",
            query: "",
            headers: &[("Host", HOST)],
            body: b"",
        };
        let mut c = creds(None);
        c.secret_access_key.push('x');
        assert_ne!(
            sign(&c, "us-east-1", "service", DATE, &req).signature,
            suite(None, "GET", &[("Host", HOST)], b"").signature
        );
    }

    #[test]
    fn amz_date_formats_utc() {
        let at = |s: u64| amz_date(UNIX_EPOCH + Duration::from_secs(s));
        assert_eq!(at(1_440_938_160), "20150830T123600Z");
        assert_eq!(at(0), "19700101T000000Z");
        assert_eq!(at(951_782_400), "20000229T000000Z"); // leap day of a year divisible by 400
        assert_eq!(at(951_868_799), "20000229T235959Z");
        assert_eq!(at(951_868_800), "20000301T000000Z");
        assert_eq!(at(1_709_164_800), "20240229T000000Z");
        assert_eq!(at(4_102_444_799), "20991231T235959Z");
        assert_eq!(at(4_107_542_400), "21000301T000000Z"); // 2100 is not a leap year
        assert_eq!(amz_date(UNIX_EPOCH - Duration::from_secs(5)), "19700101T000000Z");
    }

    #[test]
    fn credentials_debug_hides_the_secret() {
        let d = format!("{:?}", creds(Some("tok")));
        assert!(d.contains(AKID) && !d.contains(SECRET) && !d.contains("tok\""));
    }
}
