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

/// Text with escapes undone, and where each decoded byte came from.
#[derive(Debug)]
pub struct Unescaped {
    /// The decoded bytes.
    pub bytes: Vec<u8>,
    /// `map[i]`: offset in the input of decoded byte `i`; `map[bytes.len()]` is the input length.
    pub map: Vec<usize>,
}

/// Blobs larger than this are not unescaped and rescanned.
pub const MAX_UNESCAPE: usize = 1 << 20;

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Whether `data` holds at least one escape [`unescape`] undoes (a cheap scan: most files have
/// `%` or `\\` somewhere, few have an escape).
fn has_escape(data: &[u8]) -> bool {
    memchr::memchr2_iter(b'%', b'\\', data).any(|i| match data[i] {
        b'%' => i + 2 < data.len() && hex(data[i + 1]).is_some() && hex(data[i + 2]).is_some(),
        _ => match data.get(i + 1) {
            Some(b'/') => true,
            Some(b'u') => i + 5 < data.len() && data[i + 2..i + 6].iter().all(|&c| hex(c).is_some()),
            _ => false,
        },
    })
}

/// Undoes percent-encoding (`%2F`) and the JSON escapes that split tokens (`\/`, `\u002F` for
/// printable ASCII) so that a secret split by escapes can be matched. (`\"` and `\\` are left:
/// they are common in code and never inside a token, so unescaping them would only cost a rescan.) `None` when nothing was escaped or the
/// input is over [`MAX_UNESCAPE`]. Line breaks are never introduced, so line numbers mapped back
/// through [`Unescaped::map`] stay right.
pub fn unescape(data: &[u8]) -> Option<Unescaped> {
    if data.len() > MAX_UNESCAPE || !has_escape(data) {
        return None;
    }
    let mut bytes = Vec::with_capacity(data.len());
    let mut map = Vec::with_capacity(data.len() + 1);
    let mut changed = false;
    let mut i = 0;
    while i < data.len() {
        let b = data[i];
        let decoded = match b {
            b'%' if i + 2 < data.len() => hex(data[i + 1])
                .zip(hex(data[i + 2]))
                .map(|(h, l)| (h << 4 | l, 3))
                .filter(|(c, _)| *c != b'\n' && *c != b'\r' && *c != 0),
            b'\\' if i + 1 < data.len() => match data[i + 1] {
                b'/' => Some((b'/', 2)),
                b'u' if i + 5 < data.len() => {
                    let h: Option<Vec<u8>> = data[i + 2..i + 6].iter().map(|&c| hex(c)).collect();
                    h.map(|d| {
                        u32::from(d[0]) << 12 | u32::from(d[1]) << 8 | u32::from(d[2]) << 4 | u32::from(d[3])
                    })
                    .filter(|&c| (0x20..0x7f).contains(&c))
                    .and_then(|c| u8::try_from(c).ok())
                    .map(|c| (c, 6))
                }
                _ => None,
            },
            _ => None,
        };
        match decoded {
            Some((c, len)) => {
                bytes.push(c);
                map.push(i);
                i += len;
                changed = true;
            }
            None => {
                bytes.push(b);
                map.push(i);
                i += 1;
            }
        }
    }
    map.push(data.len());
    changed.then_some(Unescaped { bytes, map })
}

#[cfg(test)]
mod unescape_tests {
    use super::unescape;

    #[test]
    fn percent_and_json_escapes_with_offsets() {
        let u = unescape(br#"a%2Fb \/c \u0041 %zz \n"#).expect("changed");
        assert_eq!(u.bytes, br#"a/b /c A %zz \n"#.to_vec());
        assert!(
            unescape(br#"print(\"hi\\n\")"#).is_none(),
            "quotes and backslashes are not unescaped"
        );
        assert_eq!(u.map[1], 1); // '/' came from "%2F" at 1
        assert_eq!(u.map[2], 4); // 'b'
        assert_eq!(*u.map.last().expect("sentinel"), 23);
        assert!(unescape(b"plain text").is_none());
        assert!(unescape(b"100% sure").is_none());
    }
}
