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
        .any(|m| has_marker(secret, &lower, m.as_bytes()))
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

/// Whether `marker` (lowercase) occurs in `secret` as a person writes it: a marker with letters
/// counts only in one case (`xxxx`, `XXXX`, `DUMMY`) or capitalised (`Dummy`). Random base64 holds
/// mixed-case look-alikes (`xXxX`, `dUmMy`) often enough to drop about one in a thousand long keys.
fn has_marker(secret: &[u8], lower: &[u8], marker: &[u8]) -> bool {
    if !marker.iter().any(u8::is_ascii_alphabetic) {
        return crate::matching::contains(lower, marker);
    }
    crate::matching::find_iter(lower, marker).any(|at| {
        let seen = &secret[at..at + marker.len()];
        let mut letters = seen.iter().filter(|b| b.is_ascii_alphabetic());
        let Some(first) = letters.next() else { return true };
        let rest: Vec<u8> = letters.copied().collect();
        rest.iter().all(u8::is_ascii_lowercase)
            || (first.is_ascii_uppercase() && rest.iter().all(u8::is_ascii_uppercase))
    })
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
    /// A package version or range (`^7.0.3`, `~> 2.1`, `workspace:*`).
    Version,
    /// Code, not a value: an expression (`request.form["password"]`), a regular expression, a CLI
    /// flag (`--allow-net`), a shell fragment (`true \\`), a CSS selector, a translation key.
    Code,
}

/// Digests of the empty string and of common words (MD5, SHA-1, SHA-256; SHA-512 of ""): test
/// vectors and defaults, never secrets. Sorted, for a binary search.
const WELL_KNOWN_DIGESTS: &[&str] = &[
    "057ba03d6c44104863dc7361fe4578965d1887360f90a0895882e58a6248fc86", // sha256("changeme")
    "098f6bcd4621d373cade4e832627b4f6", // md5("test")
    "0beec7b5ea3f0fdbc95d0dd47f3c5bc275da8a33", // sha1("foo")
    "21232f297a57a5a743894a0e4a801fc3", // md5("admin")
    "2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b", // sha256("secret")
    "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae", // sha256("foo")
    "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", // sha256("hello")
    "4cb9c8a8048fd02294477fcb1a41191a", // md5("changeme")
    "5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8", // sha1("password")
    "5d41402abc4b2a76b9719d911017c592", // md5("hello")
    "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8", // sha256("password")
    "5ebe2294ecd0e0f08eab7690d2a6ee69", // md5("secret")
    "5f4dcc3b5aa765d61d8327deb882cf99", // md5("password")
    "7c4a8d09ca3762af61e59520943dc26494f8941b", // sha1("123456")
    "8c6976e5b5410415bde908bd4dee15dfb167a9c873fc4bb8a81f6f2ab448a918", // sha256("admin")
    "8d969eef6ecad3c29a3a629280e686cf0c3f5d5a86aff3ca12020c923adc6c92", // sha256("123456")
    "900150983cd24fb0d6963f7d28e17f72", // md5("abc")
    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", // sha256("test")
    "a94a8fe5ccb19ba61c4c0873d391e987982fbbd3", // sha1("test")
    "a9993e364706816aba3e25717850c26c9cd0d89d", // sha1("abc")
    "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d", // sha1("hello")
    "acbd18db4cc2f85cedef654fccc4a4d8", // md5("foo")
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", // sha256("abc")
    "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e", // sha512("")
    "d033e22ae348aeb5660fc2140aec35850c4da997", // sha1("admin")
    "d41d8cd98f00b204e9800998ecf8427e", // md5("")
    "da39a3ee5e6b4b0d3255bfef95601890afd80709", // sha1("")
    "e10adc3949ba59abbe56e057f20f883e", // md5("123456")
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", // sha256("")
    "e5e9fa1ba31ecd1ae84f75caaa474f3a663f05f4", // sha1("secret")
    "fa9beb99e4029ad5a6615399e7bbae21356086b3", // sha1("changeme")
];

fn regex(cell: &'static std::sync::OnceLock<regex::bytes::Regex>, src: &str) -> &'static regex::bytes::Regex {
    cell.get_or_init(|| regex::bytes::Regex::new(src).expect("built-in pattern"))
}

/// A package version or version range: `^7.0.3`, `~1.2`, `>=2.0.0 <3`, `v1.4.2-beta.1`, `*`,
/// `latest`, `workspace:^`, `npm:pkg@1.0.0`.
fn is_version(v: &[u8]) -> bool {
    static RE: std::sync::OnceLock<regex::bytes::Regex> = std::sync::OnceLock::new();
    let re = regex(
        &RE,
        r"^(?:(?:[\^~*]|[<>]=?|=|~>|v)?\s*\d+(?:\.(?:\d+|x|\*)){1,3}(?:[-+][0-9A-Za-z.-]+)?(?:\s*(?:\|\||-|,)?\s*(?:[\^~]|[<>]=?|=)?\s*\d+(?:\.(?:\d+|x|\*)){0,3}(?:[-+][0-9A-Za-z.-]+)?)*|\*|latest|next|workspace:[\^~*]?|(?:npm|file|link|portal|patch):\S+)$",
    );
    re.is_match(v)
}

/// Code rather than a value. Each shape is one a generic key (`password`, `token`, `pass`) holds
/// in real code: expressions and calls, regular expressions, CLI flags, shell fragments, CSS
/// selectors, translation keys.
fn is_code(v: &[u8], lower: &[u8]) -> bool {
    static EXPR: std::sync::OnceLock<regex::bytes::Regex> = std::sync::OnceLock::new();
    static SELECTOR: std::sync::OnceLock<regex::bytes::Regex> = std::sync::OnceLock::new();
    static I18N: std::sync::OnceLock<regex::bytes::Regex> = std::sync::OnceLock::new();
    static FLAG: std::sync::OnceLock<regex::bytes::Regex> = std::sync::OnceLock::new();
    // An identifier path with a call, an index or a property chain: `request.form["password"]`,
    // `this.config.get('token')`, `getPassword()`, `new Secret(x)`, `cfg?.token ?? ''`.
    let expr = regex(
        &EXPR,
        r#"^(?:new\s+|await\s+|!|&)?[A-Za-z_$][\w$]*(?:(?:\?\.|\.|::|->)[A-Za-z_$][\w$]*)*(?:\s*(?:\([^)]*\)?|\[[^\]]*\]?))+(?:(?:\?\.|\.|->)[\w$]+(?:\([^)]*\)|\[[^\]]*\])?)*\s*[;,]?$|^[A-Za-z_$][\w$]*(?:(?:\?\.|\.|::|->)[A-Za-z_$][\w$]*){2,}\s*[;,]?$|\s(?:\|\||&&|\?\?|==|!=)\s"#,
    );
    if expr.is_match(v) && !v.starts_with(b"eyJ") {
        return true;
    }
    // Regular expressions: escapes, classes, anchors, groups, quantifiers.
    let has = |m: &[u8]| crate::matching::contains(v, m);
    if [
        &b"\\d"[..],
        b"\\w",
        b"\\s",
        b"\\b",
        b"\\.",
        b".*",
        b".+",
        b"[^",
        b"(?:",
        b"(?=",
        b"(?!",
        b"[a-z",
        b"[A-Z",
        b"[0-9",
        b"{1,",
        b"{0,",
    ]
    .iter()
    .any(|m| has(m))
        || (v.starts_with(b"^") && v.ends_with(b"$") && v.len() > 2)
    {
        return true;
    }
    // CLI flags: `--allow-net`, `-p`, `--password-stdin`.
    let flag = regex(&FLAG, r"^(?:--[A-Za-z][\w-]*|-[A-Za-z])(?:[= ]\S*)?$");
    if flag.is_match(v) {
        return true;
    }
    // Shell fragments: a line continuation, pipes, command lists, tests.
    if v.ends_with(b"\\")
        || [&b" && "[..], b" || ", b" | ", b"; then", b"; do", b"`"]
            .iter()
            .any(|m| has(m))
        || lower.starts_with(b"[ ")
        || lower.starts_with(b"[[ ")
    {
        return true;
    }
    // CSS selectors: `.btn-primary`, `#password-field`, `input[type=password]`, `.a > .b:hover`.
    let selector = regex(
        &SELECTOR,
        r"^(?:[.#][A-Za-z_-][\w-]*|[a-z][a-z0-9]*\[[\w-]+(?:[~|^$*]?=[^\]]*)?\])(?:(?:\s*[>+~]\s*|\s+|:{1,2}|[.#])[\w-]+(?:\[[^\]]*\])?(?:\([^)]*\))?)*$",
    );
    if selector.is_match(v) {
        return true;
    }
    // Translation keys: `auth.password.tooShort`, `errors.password_required`.
    let i18n = regex(
        &I18N,
        r"^[a-z][a-z0-9_]*(?:[A-Z][a-z0-9_]+)*(?:\.[a-z][a-z0-9_]*(?:[A-Z][a-z0-9_]+)*)+$",
    );
    i18n.is_match(v) && v.len() <= 80
}

/// HTML/XML entities (`&lt;YOUR_PASSWORD&gt;`): documentation and templates.
fn has_entity(lower: &[u8]) -> bool {
    ["&lt;", "&gt;", "&quot;", "&amp;", "&apos;", "&#"]
        .iter()
        .any(|e| crate::matching::contains(lower, e.as_bytes()))
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
    if is_placeholder(v)
        || is_dummy(&lower)
        || LITERALS.iter().any(|l| lower == l.as_bytes())
        || has_entity(&lower)
    {
        return Some(Noise::Placeholder);
    }
    if std::str::from_utf8(&lower).is_ok_and(|s| WELL_KNOWN_DIGESTS.binary_search(&s).is_ok()) {
        return Some(Noise::Hash);
    }
    if is_version(v) {
        return Some(Noise::Version);
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
    if let Some(i) = crate::matching::find_iter(&lower, b"://").next() {
        return if url_password(v).is_some() || i > 16 {
            None
        } else {
            Some(Noise::Url)
        };
    }
    if is_path(v) {
        return Some(Noise::Path);
    }
    if is_code(v, &lower) || is_identifier(v) || is_byte_literal(v) {
        return Some(Noise::Code);
    }
    None
}

/// A program identifier, not a value: `NOT_LOGGING_PASSWORD` (upper-case letters joined by `_`),
/// `_csrftoken`, `__prerender_bypass` (lower-case letters and `_`, starting with `_`).
fn is_identifier(v: &[u8]) -> bool {
    let screaming = v.contains(&b'_')
        && v.iter().all(|b| b.is_ascii_uppercase() || *b == b'_')
        && v.iter().any(u8::is_ascii_uppercase);
    let private = v.first() == Some(&b'_')
        && v.iter().all(|b| b.is_ascii_lowercase() || *b == b'_')
        && v.iter().any(u8::is_ascii_lowercase);
    screaming || private
}

/// Escaped bytes in source code (`\x9b\xa4…`, a byte-string test vector): the text of a literal.
fn is_byte_literal(v: &[u8]) -> bool {
    v.windows(4)
        .filter(|w| w[0] == b'\\' && w[1] == b'x' && w[2].is_ascii_hexdigit() && w[3].is_ascii_hexdigit())
        .count()
        >= 2
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
    // `assets/img/logo`, `config/keys/prod`: lowercase segments (a base64 token has mixed case).
    let relative = slashes >= 2
        && v.split(|&b| b == b'/').all(|s| {
            !s.is_empty()
                && s.iter()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(b))
        });
    (rooted && (slashes >= 2 || ext)) || (slashes >= 1 && ext) || relative
}

/// The password inside a URL's userinfo (`scheme://user:PASSWORD@host`), as a range of `v`.
pub fn url_password(v: &[u8]) -> Option<(usize, usize)> {
    let scheme_end = crate::matching::find_iter(v, b"://").next()?;
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
    fn real_code_shapes_are_noise() {
        let cases: &[(&str, Noise)] = &[
            ("request.form[\"password\"]", Noise::Code),
            ("self.config.get('db_password')", Noise::Code),
            ("getPassword()", Noise::Code),
            ("cfg.db.password", Noise::Code),
            ("a.token || b.token", Noise::Code),
            ("^(?=.*[A-Z])(?=.*\\d).{8,}$", Noise::Code),
            ("[A-Za-z0-9_]{12,64}", Noise::Code),
            ("--allow-net", Noise::Code),
            ("--password-stdin", Noise::Code),
            ("true \\", Noise::Code),
            ("kubectl get secret x | base64 -d", Noise::Code),
            ("#password-field", Noise::Code),
            (".form-control:focus", Noise::Code),
            ("input[type=password]", Noise::Code),
            ("auth.password.tooShort", Noise::Code),
            ("errors.password_required", Noise::Code),
            ("&lt;YOURPASSWORD&gt;", Noise::Placeholder),
            ("^7.0.3", Noise::Version),
            ("~1.2.3", Noise::Version),
            ("v1.4.2-beta.1", Noise::Version),
            ("workspace:*", Noise::Version),
            ("d41d8cd98f00b204e9800998ecf8427e", Noise::Hash),
            ("DA39A3EE5E6B4B0D3255BFEF95601890AFD80709", Noise::Hash),
            (
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                Noise::Hash,
            ),
            ("config/secrets/db/prod", Noise::Path),
        ];
        for (v, want) in cases {
            assert_eq!(noise(v.as_bytes(), b"password"), Some(*want), "{v}");
        }
        // Credentials that share a character or two with those shapes stay secrets.
        for v in [
            "Xq8vLm2pRtK4",
            "n7Rk2#qLw9",
            "-Xk9mQ2vLp",
            "Tr0ub4dor&3-horse",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzKEYqq",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl",
            "q7Vd93LmXk2PzR8tWb4N",
            "9f8e2c1ab47d03e6f5a9b2c8d1e4f7a0",
        ] {
            assert_eq!(noise(v.as_bytes(), b"password"), None, "{v}");
        }
    }

    #[test]
    fn digests_are_sorted_for_binary_search() {
        assert!(super::WELL_KNOWN_DIGESTS.windows(2).all(|w| w[0] < w[1]));
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
            "sk_live_XXXXXXXXXXXXXXXXXXXXXXXX",
            "Dummy-Secret-Value-42",
            "INSERT_KEY_HERE_0123",
            "my-Example-key-9f8e7d",
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
            // Mixed-case look-alikes inside random base64 are not markers.
            "q7Lw2xXxXm9RbT4vZk8NpYc3HdJ6sGfA1eUo5TiW",
            "Zt9kR2dUmMyw4VbN7cJ3sHd6FgA1eUo5TiqLm8Px",
            "Hq3vInSeRtk9Lw2mZt7bN4cJ6sYd8FgA1eUo5RxW",
        ] {
            assert!(!is_placeholder(s.as_bytes()), "{s}");
        }
    }
}
