//! Shannon entropy of a byte string, in bits per byte.

/// Shannon entropy of `data` in bits per byte (0 for empty input, at most 8).
pub fn shannon(data: &[u8]) -> f64 {
    if data.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in data {
        counts[b as usize] += 1;
    }
    #[allow(clippy::cast_precision_loss)]
    let len = data.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / len;
            -p * p.log2()
        })
        .sum()
}

/// Average characters per "token" when `data` is split roughly the way a language model's BPE
/// tokenizer splits text: a pronounceable letter run (a word: has vowels, no cluster of four
/// consonants) is one token per 7 letters; an unpronounceable one, one per 2 letters; digits, one
/// per 3; other symbols one each, except word separators (`-_. /`), which are free. Words and
/// identifiers (`super-secret-value`, `myDatabasePassword`) give long tokens (3+ characters);
/// generated secrets give short ones (base62: about 1.5; hex: about 2). A token-efficiency
/// measure, used next to Shannon entropy (which cannot tell `abcdefghijklmnop` from a key).
pub fn chars_per_token(data: &[u8]) -> f64 {
    if data.is_empty() {
        return 0.0;
    }
    let mut tokens = 0usize;
    let mut i = 0;
    while i < data.len() {
        let b = data[i];
        if b.is_ascii_digit() {
            let s = i;
            while i < data.len() && data[i].is_ascii_digit() {
                i += 1;
            }
            tokens += (i - s).div_ceil(3);
        } else if b.is_ascii_alphabetic() {
            let s = i;
            // A word: an optional run of capitals, then lowercase (`API`, `Password`, `value`).
            while i < data.len() && data[i].is_ascii_uppercase() {
                i += 1;
            }
            if i - s <= 1 {
                while i < data.len() && data[i].is_ascii_lowercase() {
                    i += 1;
                }
            }
            let run = &data[s..i];
            tokens += if pronounceable(run) {
                run.len().div_ceil(7)
            } else {
                run.len().div_ceil(2)
            };
        } else {
            if !matches!(b, b'-' | b'_' | b'.' | b'/' | b' ') {
                tokens += 1;
            }
            i += 1;
        }
    }
    #[allow(clippy::cast_precision_loss)]
    let r = data.len() as f64 / tokens.max(1) as f64;
    r
}

/// Whether a letter run reads like a word: at least 3 letters, vowels between 20% and 70%, and
/// no run of four consonants.
fn pronounceable(run: &[u8]) -> bool {
    if run.len() < 3 {
        return false;
    }
    let (mut vowels, mut cluster) = (0usize, 0usize);
    for &c in run {
        if matches!(c.to_ascii_lowercase(), b'a' | b'e' | b'i' | b'o' | b'u' | b'y') {
            vowels += 1;
            cluster = 0;
        } else {
            cluster += 1;
            if cluster >= 4 {
                return false;
            }
        }
    }
    vowels * 10 >= run.len() * 2 && vowels * 10 <= run.len() * 7
}

#[cfg(test)]
mod tests {
    use super::{chars_per_token, shannon};

    #[test]
    fn token_efficiency_separates_words_from_random() {
        for w in [
            "superSecretPassword",
            "billing-dev-password",
            "my_database_secret",
            "super-secret-signing-value",
        ] {
            assert!(chars_per_token(w.as_bytes()) >= 3.0, "{w}");
        }
        for r in ["R8xk2PqLm9ZtYw4VbN7cJ3sHd6Fg", "c189941acf780de956fe5d1483d7a598"] {
            assert!(chars_per_token(r.as_bytes()) < 3.0, "{r}");
        }
    }

    #[test]
    fn known_values() {
        assert_eq!(shannon(b""), 0.0);
        assert_eq!(shannon(b"aaaa"), 0.0);
        assert!((shannon(b"ab") - 1.0).abs() < 1e-9);
        assert!((shannon(b"abcd") - 2.0).abs() < 1e-9);
        let all: Vec<u8> = (0..=255).collect();
        assert!((shannon(&all) - 8.0).abs() < 1e-9);
    }

    #[test]
    fn random_tokens_are_high() {
        assert!(shannon(b"ghp_R8xk2PqLm9ZtYw4VbN7cJ3sHd6FgA1eUo5Ti") > 4.5); // leakless:allow
        assert!(shannon(b"password") < 3.0);
    }
}
