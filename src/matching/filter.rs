//! The built-in placeholder filter: values that look like a secret's *shape* but are documentation,
//! templates, references or dummies. Applied to every rule's captured secret.

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

#[cfg(test)]
mod tests {
    use super::is_placeholder;

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
