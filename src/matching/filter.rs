//! The built-in placeholder filter: values that look like a secret's *shape* but are documentation,
//! templates, references or dummies. Applied to every rule's captured secret.
//!
//! Generic detection (a value assigned to a secret-like key, with no vendor prefix to trust) needs
//! more: [`noise`] names every kind of value that such a key commonly holds without being a secret
//! (references, UUIDs, hashes, images, ciphertext, public keys, paths, plain URLs, literals).

/// Substrings (lowercase) that mark a value as a placeholder or reference rather than a secret.
const PLACEHOLDER_MARKERS: &[&str] = &[
    "example",
    "changeme",
    "placeholder",
    "redacted",
    "dummy",
    "your_",
    "your-",
    "yourkey",
    "insert",
    "xxxx",
    "****",
    // What `git filter-repo --replace-text` leaves (its default, and leakless migrate's).
    "***removed",
    "${",
    "{{",
    "<",
    ">",
    "%(",
    "$(",
    "process.env",
    "getenv",
    "os.environ",
];

/// Whether `secret` is a placeholder, template, reference or an obvious dummy value.
pub fn is_placeholder(secret: &[u8]) -> bool {
    let lower = secret.to_ascii_lowercase();
    if PLACEHOLDER_MARKERS
        .iter()
        .any(|m| crate::matching::contains(&lower, m.as_bytes()))
    {
        return true;
    }
    if secret.len() >= 8 {
        let mut distinct = [false; 256];
        let mut n = 0;
        for &b in secret {
            if !distinct[b as usize] {
                distinct[b as usize] = true;
                n += 1;
            }
        }
        if n <= 3 {
            return true;
        }
    }
    // Long tokens that encode binary data (base64 of zero bytes: `AAAAAAAA`) may repeat a
    // character; a dummy repeats it for a good part of its length.
    has_run(&lower, 6, (secret.len() / 4).max(6))
}

/// An ascending run (`123456`, `abcdef`) of `asc_len`, or one character repeated `same_len` times.
fn has_run(s: &[u8], asc_len: usize, same_len: usize) -> bool {
    let (mut asc, mut same) = (1, 1);
    for w in s.windows(2) {
        let alnum = w[0].is_ascii_alphanumeric() && w[1].is_ascii_alphanumeric();
        asc = if alnum && w[1] == w[0].wrapping_add(1) {
            asc + 1
        } else {
            1
        };
        same = if w[1] == w[0] { same + 1 } else { 1 };
        if asc >= asc_len || same >= same_len {
            return true;
        }
    }
    false
}

/// Why a value assigned to a secret-like key is not a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Noise {
    /// Empty or blank.
    Empty,
    /// A placeholder or obvious dummy (`changeme`, `<token>`, `xxxx`, `true`, `none`).
    Placeholder,
    /// A reference to a secret kept elsewhere (`${X}`, `$X`, `process.env.X`, `secrets.X`, `op://`).
    Reference,
    /// A UUID.
    Uuid,
    /// A hash or checksum (`sha512-…` integrity, hex digest beside `sha`/`checksum`/`digest`, bcrypt).
    Hash,
    /// An inline image or other `data:` URI.
    Image,
    /// Ciphertext (`ENC[…]` from sops, `$ANSIBLE_VAULT`, `vault:v1:`, `{cipher}`).
    Encrypted,
    /// A public key or certificate.
    PublicKey,
    /// A file path.
    Path,
    /// A URL without credentials.
    Url,
    /// A number or a boolean-like literal.
    Literal,
}

/// Words that make up dummy values (`test-password`, `admin123`, `changeme`).
const DUMMY_WORDS: &[&str] = &[
    "password", "passwd", "pass", "pwd", "secret", "token", "key", "admin", "root", "test", "testing",
    "changeme", "change", "me", "example", "dummy", "default", "postgres", "mysql", "redis", "guest",
    "letmein", "qwerty", "welcome", "demo", "dev", "local", "user", "sample", "foo", "bar", "baz", "fake",
    "mock", "abc", "xyz", "my", "super", "the", "value", "here", "none", "null", "empty", "required",
    "string", "todo", "fixme", "tbd", "set", "replace", "fill", "in", "enter", "your", "api", "app", "db",
    "s3cr3t", "p4ssw0rd", "passw0rd", "hunter", "login", "master", "temp",
];

/// References to a secret kept elsewhere (lowercase substrings).
const REFERENCE_MARKERS: &[&str] = &[
    "${",
    "{{",
    "}}",
    "%(",
    "#{",
    "<%",
    "process.env",
    "import.meta.env",
    "os.getenv",
    "os.environ",
    "getenv(",
    "env(",
    "env[",
    "env.",
    "secrets.",
    "vault:",
    "ref+",
    "!ref",
    "!secret",
    "op://",
    "sm://",
    "@microsoft.keyvault",
    "arn:aws:",
    "secretkeyref",
    "valuefrom",
    "keyvault",
    "lookup(",
    "var.",
    "local.",
    "data.",
    "config(",
    "settings.",
    "env:",
    "secret:",
    "ssm:",
    "awssm:",
    "gcpsm:",
    "azkv:",
    "vault://",
];

/// Whether `value` is noise for generic detection, and which kind. `context` is the lowercased key
/// (and anything else around the value that says what it is, e.g. the line).
pub fn noise(value: &[u8], context: &[u8]) -> Option<Noise> {
    let v = value.trim_ascii();
    if v.is_empty() {
        return Some(Noise::Empty);
    }
    let lower = v.to_ascii_lowercase();
    let has = |m: &str| crate::matching::contains(&lower, m.as_bytes());
    let starts = |m: &str| lower.starts_with(m.as_bytes());
    if [
        "sha1-", "sha256-", "sha384-", "sha512-", "sha256:", "sha1:", "md5:", "$2a$", "$2b$", "$2y$",
        "$argon2", "$6$", "$5$", "pbkdf2",
    ]
    .iter()
    .any(|p| starts(p))
    {
        return Some(Noise::Hash);
    }
    if starts("data:")
        || ["ivborw0kggo", "/9j/", "r0lgod", "phn2zy"]
            .iter()
            .any(|p| starts(p))
    {
        return Some(Noise::Image);
    }
    if starts("enc[")
        || starts("enc(")
        || starts("{cipher}")
        || starts("vault:v")
        || starts("!vault")
        || has("$ansible_vault")
        || has("begin pgp message")
        || starts("aqicah")
    {
        return Some(Noise::Encrypted);
    }
    if [
        "ssh-rsa ",
        "ssh-ed25519 ",
        "ssh-dss ",
        "ecdsa-sha2-",
        "pk_live_",
        "pk_test_",
    ]
    .iter()
    .any(|p| starts(p))
        || has("begin public key")
        || has("begin certificate")
        || has("begin rsa public key")
        || has("begin pgp public")
    {
        return Some(Noise::PublicKey);
    }
    if v[0] == b'$' || v[0] == b'%' || REFERENCE_MARKERS.iter().any(|m| has(m)) {
        return Some(Noise::Reference);
    }
    if v.iter().all(|b| b.is_ascii_digit() || *b == b'.' || *b == b'-') {
        return Some(Noise::Literal);
    }
    const LITERALS: &[&str] = &[
        "true",
        "false",
        "yes",
        "no",
        "on",
        "off",
        "nil",
        "undefined",
        "n/a",
        "na",
        "-",
    ];
    if is_placeholder(v) || is_dummy(&lower) || LITERALS.iter().any(|l| lower == l.as_bytes()) {
        return Some(Noise::Placeholder);
    }
    if is_uuid(v) {
        return Some(Noise::Uuid);
    }
    let hexlen = v.len();
    if v.iter().all(u8::is_ascii_hexdigit)
        && matches!(hexlen, 32 | 40 | 56 | 64 | 96 | 128)
        && [
            "sha",
            "hash",
            "checksum",
            "digest",
            "integrity",
            "commit",
            "md5",
            "fingerprint",
            "etag",
            "rev",
        ]
        .iter()
        .any(|w| crate::matching::contains(context, w.as_bytes()))
    {
        return Some(Noise::Hash);
    }
    if let Some(i) = memchr::memmem::find(&lower, b"://") {
        return if url_password(v).is_some() || i > 16 {
            None
        } else {
            Some(Noise::Url)
        };
    }
    if is_path(v) {
        return Some(Noise::Path);
    }
    None
}

/// Whether `lower` is made only of dummy words, digits and separators (`test-password-123`).
pub fn is_dummy(lower: &[u8]) -> bool {
    let letters: Vec<u8> = lower
        .iter()
        .copied()
        .filter(|b| !matches!(b, b'-' | b'_' | b'.' | b' ' | b'!' | b'@' | b'#' | b'0'..=b'9'))
        .collect();
    if letters.is_empty() {
        // Digits and punctuation only: `12345678`, `0000`.
        return true;
    }
    if letters.len() > 40 {
        return false;
    }
    // Can the letters be cut into dummy words? (a small word-break DP)
    let n = letters.len();
    let mut ok = vec![false; n + 1];
    ok[0] = true;
    for i in 0..n {
        if !ok[i] {
            continue;
        }
        for w in DUMMY_WORDS {
            if letters[i..].starts_with(w.as_bytes()) {
                ok[i + w.len()] = true;
            }
        }
    }
    ok[n]
}

/// A canonical UUID (any version, any case).
pub fn is_uuid(v: &[u8]) -> bool {
    v.len() == 36
        && v.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// A file path (`/etc/app/key.pem`, `./secrets.json`, `C:\keys\a.pfx`, `certs/tls.key`).
fn is_path(v: &[u8]) -> bool {
    let path_chars = v
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || b"._-/~\\:{}".contains(b));
    if !path_chars {
        return false;
    }
    let rooted = v.starts_with(b"/")
        || v.starts_with(b"./")
        || v.starts_with(b"../")
        || v.starts_with(b"~/")
        || (v.len() > 2 && v[0].is_ascii_alphabetic() && v[1] == b':' && v[2] == b'\\');
    let slashes = v.iter().filter(|&&b| b == b'/' || b == b'\\').count();
    let ext = [
        ".pem", ".key", ".crt", ".json", ".txt", ".yaml", ".yml", ".p12", ".pfx", ".jks", ".der", ".pub",
        ".enc", ".gpg", ".env", ".cer", ".p8",
    ]
    .iter()
    .any(|e| v.to_ascii_lowercase().ends_with(e.as_bytes()));
    (rooted && (slashes >= 2 || ext)) || (slashes >= 1 && ext)
}

/// The password inside a URL's userinfo (`scheme://user:PASSWORD@host`), as a range of `v`.
pub fn url_password(v: &[u8]) -> Option<(usize, usize)> {
    let scheme_end = memchr::memmem::find(v, b"://")?;
    let auth_start = scheme_end + 3;
    let rest = &v[auth_start..];
    let auth_len = rest
        .iter()
        .position(|b| matches!(b, b'/' | b'?' | b'#'))
        .unwrap_or(rest.len());
    let authority = &rest[..auth_len];
    let at = memchr::memrchr(b'@', authority)?;
    let colon = memchr::memchr(b':', &authority[..at])?;
    let (s, e) = (auth_start + colon + 1, auth_start + at);
    (e > s).then_some((s, e))
}

#[cfg(test)]
mod tests {
    use super::{is_placeholder, noise, url_password, Noise};

    #[test]
    fn noise_kinds() {
        let cases: &[(&str, &str, Noise)] = &[
            ("", "", Noise::Empty),
            ("${DB_PASSWORD}", "", Noise::Reference),
            ("$DB_PASSWORD", "", Noise::Reference),
            ("${{ secrets.NPM_TOKEN }}", "", Noise::Reference),
            ("op://vault/item/field", "", Noise::Reference),
            ("changeme", "", Noise::Placeholder),
            ("test-password-123", "", Noise::Placeholder),
            ("true", "", Noise::Placeholder),
            ("3600", "", Noise::Literal),
            ("0e004b50-abf4-4b88-950b-43478e509e4e", "", Noise::Uuid),
            (
                "7c57aad11420a85d014b567557d391c37f26e12d",
                "commit_sha",
                Noise::Hash,
            ),
            (
                "sha512-htkxZNkRwzhAS6B71/1fpo9OBi96lvP5OzFgwWzOtWjM6UR8",
                "",
                Noise::Hash,
            ),
            (
                "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB",
                "",
                Noise::Image,
            ),
            (
                "ENC[AES256_GCM,data:Tr7o=,iv:1=,tag:2=,type:str]",
                "",
                Noise::Encrypted,
            ),
            ("$ANSIBLE_VAULT;1.1;AES256", "", Noise::Encrypted),
            (
                "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx0 a@b",
                "",
                Noise::PublicKey,
            ),
            ("/etc/ssl/private/server.key", "", Noise::Path),
            ("https://auth.corp.io/oauth/token", "", Noise::Url),
        ];
        for (v, ctx, want) in cases {
            assert_eq!(noise(v.as_bytes(), ctx.as_bytes()), Some(*want), "{v}");
        }
        for v in [
            "c189941acf780de956fe5d1483d7a598ac5d960c71f2731a0ce76f67ca8980aa",
            "R8xk2PqLm9ZtYw4VbN7cJ3sHd6Fg",
            "postgres://u:s3cretPw9@db:5432/x", // leakless:allow
            "Tr0ub4dor&3-horse",
        ] {
            assert_eq!(noise(v.as_bytes(), b"api_key"), None, "{v}");
        }
    }

    #[test]
    fn url_passwords() {
        let u = b"postgres://billing:G3tTwZk7@db.internal:5432/billing"; // leakless:allow
        let (s, e) = url_password(u).expect("password");
        assert_eq!(&u[s..e], b"G3tTwZk7");
        assert!(url_password(b"redis://cache:6379/0").is_none());
        assert!(url_password(b"https://key@sentry.io/1").is_none());
    }

    #[test]
    fn placeholders() {
        for p in [
            "AKIAIOSFODNN7EXAMPLE",
            "${GITHUB_TOKEN}",
            "<your-token>",
            "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "changeme",
            "sk_live_1234567890abcdefghij",
            "0000000000000000",
            "sk_live_000000000000000000000000",
            "{{ .Values.token }}",
            "process.env.STRIPE_KEY",
            "***REMOVED***",
            "***REMOVED:SENDGRID_API_KEY***",
        ] {
            assert!(is_placeholder(p.as_bytes()), "{p}");
        }
    }

    #[test]
    fn real_looking() {
        for s in [
            "ghp_R8xk2PqLm9ZtYw4VbN7cJ3sHd6FgA1eUo5Ti", // leakless:allow
            "b377e7a60b669ea2317f339dc6cb79ce49d588a7bbed92433bb2a73dedff3314",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzKEYqq",
            "FlyV1 fm2_lJPECAAAAAAAAqV3xQ8nZt2kR9mLw4cYb7hJd1sFp6gTu0eWoN3aKv5iXr2BjMq8yH",
        ] {
            assert!(!is_placeholder(s.as_bytes()), "{s}");
        }
    }
}
