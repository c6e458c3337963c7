//! Decoding of encoded content before it is rescanned, so a secret stored base64- or hex-encoded
//! (a Kubernetes `Secret`, a CI variable, a test fixture) or split by escapes is still found.
//!
//! Three decoders, all bounded and all linear:
//! - [`base64_text`] (one value) and [`decode_run`] (a base64 or hex run): only when the result is
//!   text;
//! - [`encoded_runs`]: finds base64 and hex runs anywhere in a blob, long enough to hold a secret
//!   (the run search of `super::runs`, 64 bytes at a time; most runs in code are identifiers and
//!   digests and fail the text check on their first 4 characters);
//! - [`unescape`]: percent- and JSON-escapes, undone only on the lines where an escape sits in a
//!   token long enough to be a secret (not on whole files: C format strings are full of `%02x`).
//!
//! The recursion depth is capped by the caller (`--max-decode-depth`).

use super::runs::{long_runs, MIN_RUN};

/// A decoding applied to content before a secret was found in it (reported as the chain).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Decoding {
    /// Base64, standard or URL-safe alphabet.
    Base64,
    /// Hexadecimal.
    Hex,
}

impl Decoding {
    /// Lowercase name (`base64`, `hex`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Base64 => "base64",
            Self::Hex => "hex",
        }
    }

    /// Parses [`Decoding::as_str`] back (a saved report).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "base64" => Some(Self::Base64),
            "hex" => Some(Self::Hex),
            _ => None,
        }
    }
}

/// Values longer than this (encoded) are not decoded.
pub const MAX_ENCODED_LEN: usize = 256 * 1024;

const fn sextet(b: u8) -> Option<u8> {
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

/// Shortest base64 run decoded by [`encoded_runs`] (15 bytes decoded: shorter holds no token).
pub const MIN_BASE64_RUN: usize = 20;

/// Shortest hex run decoded by [`encoded_runs`] (16 bytes decoded).
pub const MIN_HEX_RUN: usize = 32;

// The run search reports every run either kind can use.
const _: () = assert!(
    MIN_RUN
        == if MIN_BASE64_RUN < MIN_HEX_RUN {
            MIN_BASE64_RUN
        } else {
            MIN_HEX_RUN
        }
);

/// Byte classes for [`encoded_runs`] (non-zero exactly for [`is_member`]): 1 = both base64 alphabets (letters, digits), 2 = standard
/// only (`+`, `/`), 4 = URL-safe only (`-`, `_`), 8 = hex digit.
static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = if c.is_ascii_alphanumeric() {
            1 | if c.is_ascii_hexdigit() { 8 } else { 0 }
        } else if c == b'+' || c == b'/' {
            2
        } else if c == b'-' || c == b'_' {
            4
        } else {
            0
        };
        b += 1;
    }
    t
};

/// One encoded run found by [`encoded_runs`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    /// Start of the run in the blob.
    pub start: usize,
    /// End (exclusive), including `=` padding.
    pub end: usize,
    /// How it is encoded.
    pub kind: Decoding,
}

/// Base64 and hex runs of `data` long enough to hold a secret whose first characters decode to
/// text, in order. A run is a maximal sequence of one base64 alphabet (a run mixing `+`/`/` with
/// `-`/`_` is a path or an identifier, not base64); all-hex runs count as hex only.
pub fn encoded_runs(data: &[u8], mut f: impl FnMut(Run)) {
    long_runs(data, |start, e| {
        let run = &data[start..e];
        // Most long runs (identifiers, digests, random keys) fail on their first 4 characters
        // whatever their kind: the rest of their bytes is never read.
        if !may_be_text(run, Decoding::Base64) && !may_be_text(run, Decoding::Hex) {
            return;
        }
        let (any, all) = run.iter().fold((0u8, 0xffu8), |(any, all), &b| {
            let c = CLASS[usize::from(b)];
            (any | c, all & c)
        });
        let mut end = e;
        while end < data.len() && end - e < 2 && data[end] == b'=' {
            end += 1;
        }
        let len = e - start;
        let kind = if all & 8 != 0 {
            (len >= MIN_HEX_RUN && len.is_multiple_of(2) && end == e).then_some(Decoding::Hex)
        } else {
            (len >= MIN_BASE64_RUN && any & 6 != 6 && len % 4 != 1).then_some(Decoding::Base64)
        };
        if let Some(kind) = kind.filter(|&k| may_be_text(run, k)) {
            f(Run { start, end, kind });
        }
    });
}

/// Whether a run can decode to text, from its first 4 characters (3 bytes of base64, 2 of hex):
/// most runs in code (identifiers, digests, random base64) fail here without being decoded.
/// Called for every run of 20 or more alphabet bytes, so it reads tables, not `match`es.
#[inline]
fn may_be_text(run: &[u8], kind: Decoding) -> bool {
    /// Per byte: its sextet (63 when not base64), its hex value (0 when not hex), and whether
    /// it is a text byte (printable ASCII, tab, LF, CR).
    static TABLES: ([u8; 256], [u8; 256], [bool; 256]) = {
        let (mut six, mut hx, mut text) = ([63u8; 256], [0u8; 256], [false; 256]);
        let mut b = 0;
        while b < 256 {
            let c = b as u8;
            if let Some(v) = sextet(c) {
                six[b] = v;
            }
            if let Some(v) = hex(c) {
                hx[b] = v;
            }
            text[b] = (c >= 0x20 && c < 0x7f) || c == 0x09 || c == 0x0a || c == 0x0d;
            b += 1;
        }
        (six, hx, text)
    };
    let (six, hx, text) = &TABLES;
    let Some(&[a, b, c, d]) = run.first_chunk::<4>() else {
        return false;
    };
    let t = |v: u32| text[(v & 0xff) as usize];
    match kind {
        Decoding::Hex => {
            let h = |x: u8| u32::from(hx[usize::from(x)]);
            t(h(a) << 4 | h(b)) && t(h(c) << 4 | h(d))
        }
        Decoding::Base64 => {
            let s = |x: u8| u32::from(six[usize::from(x)]);
            let n = s(a) << 18 | s(b) << 12 | s(c) << 6 | s(d);
            t(n >> 16) && t(n >> 8) && t(n)
        }
    }
}

/// Decodes one run found by [`encoded_runs`]: `Some` only when the result is printable ASCII text
/// (tab, CR and LF allowed) of at least 8 bytes. Stops at the first byte that is not text, so
/// identifiers and digests cost a few bytes each.
pub fn decode_run(data: &[u8], run: Run) -> Option<Vec<u8>> {
    let enc = &data[run.start..run.end];
    if enc.len() > MAX_ENCODED_LEN {
        return None;
    }
    let text = |b: u8| (0x20..0x7f).contains(&b) || matches!(b, b'\t' | b'\n' | b'\r');
    let mut out = Vec::with_capacity(enc.len());
    match run.kind {
        Decoding::Hex => {
            for pair in enc.chunks_exact(2) {
                let b = hex(pair[0])? << 4 | hex(pair[1])?;
                if !text(b) {
                    return None;
                }
                out.push(b);
            }
        }
        Decoding::Base64 => {
            let (mut acc, mut bits) = (0u32, 0u32);
            for &c in enc.iter().take_while(|&&c| c != b'=') {
                acc = (acc << 6) | u32::from(sextet(c)?);
                bits += 6;
                if bits >= 8 {
                    bits -= 8;
                    let b = u8::try_from((acc >> bits) & 0xff).unwrap_or(0);
                    if !text(b) {
                        return None;
                    }
                    out.push(b);
                }
            }
        }
    }
    (out.len() >= 8 && out.iter().any(|b| !b.is_ascii_whitespace())).then_some(out)
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
    use super::{base64_text, decode_run, encoded_runs, Decoding, Run};

    fn runs(data: &[u8]) -> Vec<(String, Decoding)> {
        let mut out = Vec::new();
        encoded_runs(data, |r| {
            out.push((
                String::from_utf8_lossy(&data[r.start..r.end]).into_owned(),
                r.kind,
            ));
        });
        out
    }

    #[test]
    fn finds_base64_and_hex_runs() {
        let data =
            b"x = \"c2tfbGl2ZV9hYmNkZWZnaGlqa2xtbm9wcXJzdA==\"; y = 736b5f6c6976655f6162636465666768 z";
        assert_eq!(
            runs(data),
            vec![
                (
                    "c2tfbGl2ZV9hYmNkZWZnaGlqa2xtbm9wcXJzdA==".into(),
                    Decoding::Base64
                ),
                ("736b5f6c6976655f6162636465666768".into(), Decoding::Hex),
            ]
        );
        // Runs at the very start and end, back to back with padding between.
        let two = b"c2tfbGl2ZV9hYmNkZWZnaGlqa2xtbm9wcXJzdA==c2tfbGl2ZV9hYmNkZWZnaGlqa2xtbm9wcXJzdA";
        assert_eq!(runs(two).len(), 2);
        // Too short, paths mixing both alphabets, odd hex.
        assert!(
            runs(b"aGVsbG8= src/matching/assign_mod/x_y/zzzzz 736b5f6c6976655f616263646566676").is_empty()
        );
    }

    /// The runs as a plain reading of the definition finds them (maximal runs of one alphabet,
    /// padding, length and text checks), against the probing scan.
    #[test]
    fn fast_scan_finds_what_a_naive_scan_finds() {
        let naive = |data: &[u8]| {
            let mut out = Vec::new();
            let member = |b: u8| super::CLASS[b as usize] != 0;
            let mut i = 0;
            while i < data.len() {
                if !member(data[i]) {
                    i += 1;
                    continue;
                }
                let start = i;
                let (mut any, mut all) = (0u8, 0xffu8);
                while i < data.len() && member(data[i]) {
                    (any, all) = (
                        any | super::CLASS[data[i] as usize],
                        all & super::CLASS[data[i] as usize],
                    );
                    i += 1;
                }
                let e = i;
                while i < data.len() && i - e < 2 && data[i] == b'=' {
                    i += 1;
                }
                let len = e - start;
                let kind = if all & 8 != 0 {
                    (len >= super::MIN_HEX_RUN && len % 2 == 0 && i == e).then_some(Decoding::Hex)
                } else {
                    (len >= super::MIN_BASE64_RUN && any & 6 != 6 && len % 4 != 1).then_some(Decoding::Base64)
                };
                if let Some(k) = kind.filter(|&k| super::may_be_text(&data[start..e], k)) {
                    out.push((start, i, k));
                }
            }
            out
        };
        let fast = |data: &[u8]| {
            let mut out = Vec::new();
            encoded_runs(data, |r| out.push((r.start, r.end, r.kind)));
            out
        };
        // Words, runs of every length around the thresholds and the block size (19/20/21
        // base64, 31/32 hex), padding, both alphabets and runs mixing them, bytes next to the
        // alphabet ranges; at every offset in a 64-byte block (the leading `.`s).
        let pieces: [&[u8]; 27] = [
            b"c2tfbGl2ZV9hYmNkZWZnaGlqa2xtbm9wcXJzdA==",
            b"736b5f6c6976655f6162636465666768",
            b"aGVsbG8gd29ybGQgaGVsbG8gd29y",
            b"word",
            b" ",
            b"\n",
            b"=",
            b"c2tfbGl2ZV9hYmNkZWZnaGlqa2xtbm9wcXJzdGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6MDEyMzQ1Njc4OQ",
            b"aGVsbG8gd29ybGQgaGVsbG8",
            b"aGVsbG8gd29ybGQgaGVsbG",
            b"src/a-b_c/d",
            b"6b65795f",
            b"aGVsbG8gd29ybGQgYWJj",
            b"aGVsbG8gd29ybGQgYWJ",
            b"aGVsbG8gd29ybGQgYWJjZ",
            b"cGFzc3dvcmQ6IHMzY3IzdD8+Pj4/Pw==",
            b"cGFzc3dvcmQ6IHMzY3IzdD8-Pj4_Pw==",
            b"7365637265745f6b65795f3132333421",
            b"7365637265745f6b65795f313233342",
            b"12345678901234567890123",
            b"==",
            b"+",
            b"_",
            b".",
            b",",
            b"\xff",
            b"@`[{",
        ];
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for round in 0..6000 {
            let mut data = vec![b'.'; round % 64];
            let mut n = seed % 60;
            while n > 0 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                data.extend_from_slice(pieces[(seed % pieces.len() as u64) as usize]);
                n -= 1;
            }
            assert_eq!(fast(&data), naive(&data), "{}", String::from_utf8_lossy(&data));
        }
    }

    /// The table form of the 4-character text check against its definition.
    #[test]
    fn text_check_tables_match_the_definition() {
        let reference = |q: &[u8], kind: Decoding| {
            let text = |b: u32| (0x20..0x7f).contains(&b) || matches!(b, 0x09 | 0x0a | 0x0d);
            match kind {
                Decoding::Hex => {
                    let h = |c: u8| u32::from(super::hex(c).unwrap_or(0));
                    text(h(q[0]) << 4 | h(q[1])) && text(h(q[2]) << 4 | h(q[3]))
                }
                Decoding::Base64 => {
                    let s = |c: u8| u32::from(super::sextet(c).unwrap_or(63));
                    let n = s(q[0]) << 18 | s(q[1]) << 12 | s(q[2]) << 6 | s(q[3]);
                    text(n >> 16) && text(n >> 8 & 0xff) && text(n & 0xff)
                }
            }
        };
        let mut seed = 0x1234_5678_9abc_def1u64;
        let mut passed = 0;
        for round in 0..200_000u32 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let mut q = seed.to_le_bytes();
            // Every byte value at every position, the rest random; then mostly alphabet bytes.
            if round < 1024 {
                q[(round / 256) as usize] = (round % 256) as u8;
            } else {
                let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_";
                for b in &mut q[..4] {
                    *b = alphabet[usize::from(*b) % alphabet.len()];
                }
            }
            for kind in [Decoding::Base64, Decoding::Hex] {
                let want = reference(&q[..4], kind);
                assert_eq!(super::may_be_text(&q[..4], kind), want, "{q:?} {kind:?}");
                passed += usize::from(want);
            }
        }
        assert!(passed > 1000, "the sample holds runs that pass ({passed})");
        assert!(!super::may_be_text(b"aGV", Decoding::Base64), "shorter than 4");
    }

    #[test]
    fn class_table_members_are_the_run_search_members() {
        for b in 0..=255u8 {
            assert_eq!(
                super::CLASS[usize::from(b)] != 0,
                crate::matching::runs::is_member(b),
                "{b}"
            );
        }
    }

    #[test]
    fn long_runs_widened_in_chunks() {
        let b64 = "R0lUSFVCX1RPS0VOPWdocF9xYjM4SnpmcWZCOG1FZlFTZTh0ZlNnQXZBMnNHVFM0NXBnZk8gYW5kIG1vcmUgdGV4dCBhZnRlciBpdA=="; // leakless:allow (fake token, base64)
        let r = runs(format!("k: {b64}!").as_bytes());
        assert_eq!(r, vec![(b64.to_string(), Decoding::Base64)]);
        // A long hex digest then a short text run: the digest is one run (rejected: not text).
        let h = format!("{} {}", "d".repeat(64), "736b5f6c6976655f6162636465666768");
        assert_eq!(
            runs(h.as_bytes()),
            vec![("736b5f6c6976655f6162636465666768".into(), Decoding::Hex)]
        );
        let mixed = format!("{}-{}", "A".repeat(40), "b/".repeat(20));
        assert!(runs(mixed.as_bytes()).is_empty(), "both alphabets in one run");
    }

    #[test]
    fn decodes_runs_to_text_only() {
        let data = b"c2tfbGl2ZV9hYmNkZWZnaGlqa2xtbm9wcXJzdA==";
        let run = Run {
            start: 0,
            end: data.len(),
            kind: Decoding::Base64,
        };
        assert_eq!(
            decode_run(data, run).as_deref(),
            Some(&b"sk_live_abcdefghijklmnopqrst"[..])
        );
        let id = b"thisIsAVeryLongIdentifierName";
        let run = Run {
            start: 0,
            end: id.len(),
            kind: Decoding::Base64,
        };
        assert!(decode_run(id, run).is_none());
        let sha = b"da39a3ee5e6b4b0d3255bfef95601890afd80709";
        let run = Run {
            start: 0,
            end: sha.len(),
            kind: Decoding::Hex,
        };
        assert!(decode_run(sha, run).is_none());
    }

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

const fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// The escape at `i` (`%XX`, `\\/`, `\\uXXXX`): the printable, non-blank ASCII byte it stands for
/// and its length. Escapes of blanks and control characters (`%20`, C's `%02x`) are not undone:
/// no token contains them.
fn escape_at(data: &[u8], i: usize) -> Option<(u8, usize)> {
    let printable = |c: u32| (0x21..0x7f).contains(&c);
    match data[i] {
        b'%' if i + 2 < data.len() => {
            let c = hex(data[i + 1])? << 4 | hex(data[i + 2])?;
            printable(u32::from(c)).then_some((c, 3))
        }
        b'\\' => match data.get(i + 1) {
            Some(b'/') => Some((b'/', 2)),
            Some(b'u') if i + 5 < data.len() => {
                let mut c = 0u32;
                for &d in &data[i + 2..i + 6] {
                    c = c << 4 | u32::from(hex(d)?);
                }
                printable(c).then(|| (u8::try_from(c).unwrap_or(b'?'), 6))
            }
            _ => None,
        },
        _ => None,
    }
}

/// Shortest token (bytes between blanks and quotes) an escape must sit in for its line to be
/// unescaped and rescanned: shorter ones cannot hold a secret and its context.
const MIN_ESCAPED_TOKEN: usize = 16;

/// The lines (as byte ranges, in order) holding an escape inside a token of at least
/// [`MIN_ESCAPED_TOKEN`] bytes.
fn escaped_lines(data: &[u8]) -> Vec<(usize, usize)> {
    let mut lines: Vec<(usize, usize)> = Vec::new();
    let boundary = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'"' | b'\'' | b'`');
    for i in memchr::memchr2_iter(b'%', b'\\', data) {
        if lines.last().is_some_and(|&(_, e)| i < e) || escape_at(data, i).is_none() {
            continue;
        }
        let lo = i.saturating_sub(256);
        let ts = data[lo..i]
            .iter()
            .rposition(|&b| boundary(b))
            .map_or(lo, |p| lo + p + 1);
        let hi = (i + 256).min(data.len());
        let te = data[i..hi]
            .iter()
            .position(|&b| boundary(b))
            .map_or(hi, |p| i + p);
        if te - ts < MIN_ESCAPED_TOKEN {
            continue;
        }
        let ls = memchr::memrchr(b'\n', &data[..i]).map_or(0, |p| p + 1);
        let le = memchr::memchr(b'\n', &data[i..]).map_or(data.len(), |p| i + p);
        lines.push((ls, le));
    }
    lines
}

/// Undoes percent-encoding (`%2F`) and the JSON escapes that split tokens (`\/`, `\u002F` for
/// printable ASCII) so that a secret split by escapes can be matched. (`\"` and `\\` are left:
/// they are common in code and never inside a token, so unescaping them would only cost a
/// rescan.) Only the lines where an escape sits in a long token are kept (joined by `\n`), so a C
/// file full of format strings costs a `memchr` pass, not a second scan. `None` when no line
/// qualifies or the input is over [`MAX_UNESCAPE`]. [`Unescaped::map`] maps every decoded byte
/// back to the input.
pub fn unescape(data: &[u8]) -> Option<Unescaped> {
    if data.len() > MAX_UNESCAPE {
        return None;
    }
    let lines = escaped_lines(data);
    if lines.is_empty() {
        return None;
    }
    let total: usize = lines.iter().map(|(s, e)| e - s + 1).sum();
    let mut bytes = Vec::with_capacity(total);
    let mut map = Vec::with_capacity(total + 1);
    for &(ls, le) in &lines {
        let mut i = ls;
        while i < le {
            match escape_at(data, i).filter(|&(_, len)| i + len <= le) {
                Some((c, len)) => {
                    bytes.push(c);
                    map.push(i);
                    i += len;
                }
                None => {
                    bytes.push(data[i]);
                    map.push(i);
                    i += 1;
                }
            }
        }
        bytes.push(b'\n');
        map.push(le);
    }
    map.push(data.len());
    Some(Unescaped { bytes, map })
}

#[cfg(test)]
mod unescape_tests {
    use super::unescape;

    #[test]
    fn percent_and_json_escapes_with_offsets() {
        let text = br#"a%2Fbcdefghijklmnop \/c \u0041 %zz \n"#;
        let u = unescape(text).expect("changed");
        assert_eq!(u.bytes, b"a/bcdefghijklmnop /c A %zz \\n\n".to_vec());
        assert_eq!(u.map[1], 1); // '/' came from "%2F" at 1
        assert_eq!(u.map[2], 4); // 'b'
        assert_eq!(*u.map.last().expect("sentinel"), text.len());
        assert!(
            unescape(br#"print(\"hi\\n\")"#).is_none(),
            "quotes and backslashes are not unescaped"
        );
        assert!(unescape(b"plain text").is_none());
        assert!(unescape(b"100% sure").is_none());
    }

    #[test]
    fn only_lines_with_escapes_in_long_tokens() {
        let c = b"printf(\"%02x%02x\", a, b);\nsnprintf(buf, n, \"%4d items\");\n";
        assert!(unescape(c).is_none(), "C format strings are not unescaped");
        let data = b"line one\nurl = \"https:\\/\\/user:pw@host.example.net\\/x\"\nline three\n";
        let u = unescape(data).expect("the URL line");
        assert_eq!(
            u.bytes,
            b"url = \"https://user:pw@host.example.net/x\"\n".to_vec()
        );
        assert_eq!(u.map[0], 9); // starts at line two
    }
}
