//! Decoding of encoded values before they are rescanned: base64 (standard and URL-safe, padded or
//! not). Bounded: callers cap the input size and the recursion depth (see
//! [`super::MAX_DECODE_DEPTH`]), and only text-like results are returned.

/// Values longer than this (encoded) are not decoded.
pub const MAX_ENCODED_LEN: usize = 256 * 1024;

fn sextet(b: u8) -> Option<u8> {
    match b {
        b'A'..=b'Z' => Some(b - b'A'),
        b'a'..=b'z' => Some(b - b'a' + 26),
        b'0'..=b'9' => Some(b - b'0' + 52),
        b'+' | b'-' => Some(62),
        b'/' | b'_' => Some(63),
        _ => None,
    }
}

/// Decodes base64 (standard or URL-safe alphabet, padding optional, ASCII whitespace ignored).
/// `None` if it is not base64, too long, shorter than 4 characters, or decodes to binary data.
pub fn base64_text(encoded: &[u8]) -> Option<Vec<u8>> {
    if encoded.len() > MAX_ENCODED_LEN {
        return None;
    }
    let mut out = Vec::with_capacity(encoded.len() / 4 * 3 + 3);
    let (mut acc, mut bits, mut n, mut pad) = (0u32, 0u32, 0usize, 0usize);
    for &b in encoded {
        if b.is_ascii_whitespace() {
            continue;
        }
        if b == b'=' {
            pad += 1;
            continue;
        }
        if pad > 0 {
            return None;
        }
        let v = sextet(b)?;
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        n += 1;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((acc >> bits) & 0xff).unwrap_or(0));
        }
    }
    if n < 4 || pad > 2 || n % 4 == 1 {
        return None;
    }
    is_text(&out).then_some(out)
}

/// Whether bytes look like text: valid UTF-8 with few control characters.
fn is_text(data: &[u8]) -> bool {
    let Ok(s) = std::str::from_utf8(data) else {
        return false;
    };
    let control = s
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        .count();
    !s.is_empty() && control * 20 <= s.chars().count()
}

#[cfg(test)]
mod tests {
    use super::base64_text;

    #[test]
    fn decodes_std_and_url_safe() {
        assert_eq!(base64_text(b"aHVudGVyMg==").as_deref(), Some(&b"hunter2"[..]));
        assert_eq!(base64_text(b"aHVudGVyMg").as_deref(), Some(&b"hunter2"[..]));
        assert_eq!(base64_text(b"PDw_Pz8-Pg").as_deref(), Some(&b"<<???>>"[..]));
    }

    #[test]
    fn rejects_non_base64_and_binary() {
        assert!(base64_text(b"not base64!").is_none());
        assert!(base64_text(b"AAAAAAAA").is_none());
        assert!(base64_text(b"ab").is_none());
    }
}
