//! The assignment detector: secrets with no vendor prefix, found by the name they are given.
//!
//! Provider rules find tokens by their shape (`ghp_…`, `AKIA…`); a 64-hex Infisical client secret
//! or a database password has no shape, only a name: `INFISICAL_CLIENT_SECRET=…`. This detector
//! parses `KEY = value` pairs ([`parse`]) in config files (always) and code files (only when a
//! detector keyword such as `secret` or `token` occurs), and asks the rules with a `detector` field
//! (`rules/generic.toml`) whether the key names a secret (`key_regex`) and the value is a real one
//! (not [`super::filter::noise`], entropy, token efficiency, dummy words).
//!
//! It also:
//! - names the key of provider-rule matches that sit inside an assignment (the migration uses it);
//! - never reports a value a provider rule already reported (the provider rule wins);
//! - decodes base64 values (Kubernetes `Secret` `data:`, kubeconfig `*-key-data`, docker `auth`)
//!   and rescans them, reporting at the encoded value ([`super::decode`]);
//! - pairs an id with its secret in one file ([`pair`]).

pub mod pair;
pub mod parse;

use self::parse::{format_for, Assign, Encoding, Format};
use super::entropy::{chars_per_token, shannon};
use super::filter::{is_dummy, noise, url_password};
use super::{decode, Decoding, Input, RawMatch, Scanner, Scratch};
use crate::rules::{Detector, RuleSet};

/// Values at least this many characters per token (see [`chars_per_token`]) read like words or
/// identifiers (`my-dev-secret`), not like generated secrets; generic `assignment` rules drop them.
/// Measured on the quality corpus (QUALITY.md).
pub const WORDY_CHARS_PER_TOKEN: f64 = 3.0;

/// Content that holds base64 values the detector decodes.
const DECODE_MARKERS: &[&[u8]] = &[b"Secret", b"key-data", b"auth"];

/// Longer than any detector keyword (bounds the keyword-hit lookup).
const MAX_KEYWORD_LEN: usize = 64;

/// Minimum length of a generic token value.
const MIN_TOKEN_LEN: usize = 8;

/// Longer password values are blobs, keys or text, not passwords.
const MAX_PASSWORD_LEN: usize = 64;

/// Minimum length of a password value.
const MIN_PASSWORD_LEN: usize = 6;

/// Code files whose average line is longer than this are treated as minified and skipped.
const MINIFIED_AVG_LINE: usize = 400;

fn looks_minified(data: &[u8]) -> bool {
    data.len() > 2048 && data.len() / (memchr::memchr_iter(b'\n', data).count() + 1) > MINIFIED_AVG_LINE
}

/// The format that decoded content of a value named `key` is parsed as.
fn hint_for_key(key: &str) -> Format {
    let k = key.to_ascii_lowercase();
    if k.ends_with(".json") || k == ".dockerconfigjson" || k == ".dockercfg" {
        Format::Json
    } else if k.ends_with(".env") || k == ".env" {
        Format::Dotenv
    } else if k.ends_with(".yaml") || k.ends_with(".yml") || k.ends_with("config") {
        Format::Yaml
    } else {
        Format::Unknown
    }
}

/// Runs the detector on `input` (after the rule regexes) and appends its matches to `out`.
/// `out[first..]` holds this blob's provider-rule matches so far.
pub(super) fn detect(
    sc: &Scanner<'_>,
    input: Input<'_>,
    depth: u8,
    hint: Option<Format>,
    keyword_hits: &[(usize, usize)],
    out: &mut Vec<RawMatch>,
    first: usize,
) {
    let rules = sc.rules();
    if rules.detector_rules().is_empty() {
        return;
    }
    let format = match (hint, input.path) {
        (Some(f), _) => f,
        (None, Some(p)) => match format_for(p) {
            Some(f) => f,
            None => return,
        },
        (None, None) => Format::Unknown,
    };
    let data = input.data;
    if !format.is_config() && looks_minified(data) {
        return;
    }
    // Lines around detector keywords and provider matches: where quoted assignments can matter.
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for &(s, e) in keyword_hits {
        // Hits come in order of end; most fall on a line already taken.
        if ranges.last().is_some_and(|&(ls, le)| ls <= s && e <= le) {
            continue;
        }
        ranges.push(line_bounds(data, s, e));
    }
    for m in out[first..].iter().filter(|m| m.end > m.start) {
        ranges.push(line_bounds(data, m.start, m.end));
    }
    // With no keyword and no provider match, only base64 values that get decoded can still hold
    // a secret (Kubernetes `Secret` data, kubeconfig `*-key-data`, docker `auth`).
    if ranges.is_empty() && !(format.is_config() && DECODE_MARKERS.iter().any(|m| super::contains(data, m))) {
        return;
    }
    let ranges = merge(ranges);
    let mut assigns = parse::parse_within(data, format, &ranges);
    // Pairing looks for the id (`CLIENT_ID`) anywhere in the file: parse the rest only when a
    // pairable secret key is present.
    if !matches!(format, Format::Dotenv | Format::Config | Format::Yaml)
        && assigns.iter().any(|a| pair::is_pairable(&a.key))
    {
        assigns = parse::parse(data, format);
    }
    if assigns.is_empty() {
        return;
    }
    attach_keys(&assigns, &mut out[first..]);
    let provider_end = out.len();
    let mut ctx = Vec::new();
    for a in &assigns {
        let (vs, ve) = a.value;
        if a.encoding == Encoding::Base64 && depth < sc.options().max_decode_depth {
            if let Some(decoded) = decode::base64_text(&data[vs..ve]) {
                decoded_matches(sc, input, depth, a, &decoded, out);
                continue;
            }
        }
        // A detector rule's keyword is in the key (`…_SECRET`) or the value (`://`): skip
        // assignments with no keyword hit between key start and value end.
        let i = keyword_hits.partition_point(|h| h.1 <= a.key_start);
        if !keyword_hits[i..]
            .iter()
            .take_while(|h| h.1 <= ve + MAX_KEYWORD_LEN)
            .any(|h| h.0 < ve)
        {
            continue;
        }
        if out[first..provider_end]
            .iter()
            .any(|m| m.end > m.start && m.start < ve && vs < m.end)
        {
            continue;
        }
        context(data, a, &mut ctx);
        if let Some((rule, s, e)) = classify(rules, &a.key, &data[vs..ve], false, &ctx) {
            let (s, e) = (vs + s, vs + e);
            if sc.keep_secret(rule, input, &data[s..e], a.key_start, ve) {
                let mut m = RawMatch::new(rule, data[s..e].to_vec(), s, e);
                m.key = Some(a.key.to_string());
                out.push(m);
            }
        }
    }
    if out[first..]
        .iter()
        .any(|m| m.key.as_deref().is_some_and(pair::is_pairable))
    {
        pair::pair(&assigns, data, out, first);
    }
}

/// The whole line(s) holding `start..end` (bounded to 4 KiB on each side).
fn line_bounds(data: &[u8], start: usize, end: usize) -> (usize, usize) {
    let lo = start.saturating_sub(4096);
    let hi = (end + 4096).min(data.len());
    let s = memchr::memrchr(b'\n', &data[lo..start]).map_or(lo, |i| lo + i + 1);
    let e = memchr::memchr(b'\n', &data[end..hi]).map_or(hi, |i| end + i);
    (s, e)
}

/// Sorts and merges overlapping or adjacent ranges.
fn merge(mut ranges: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    ranges.sort_unstable();
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
    for (s, e) in ranges {
        match out.last_mut() {
            Some(last) if s <= last.1 + 1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

/// Lowercased key and line up to the value's end (what the noise filter reads as context), in
/// `ctx` (one buffer for all of a file's assignments: four allocations per assignment were a
/// quarter of a scan's).
fn context(data: &[u8], a: &Assign, ctx: &mut Vec<u8>) {
    let ls = memchr::memrchr(b'\n', &data[..a.key_start]).map_or(0, |i| i + 1);
    let end = a.value.1.min(ls + 512).max(a.key_start);
    ctx.clear();
    ctx.extend(a.key.bytes().map(|b| b.to_ascii_lowercase()));
    ctx.push(b' ');
    ctx.extend(data[ls..end].iter().map(u8::to_ascii_lowercase));
}

/// Names the key of each match that lies inside an assignment's value.
fn attach_keys(assigns: &[Assign], matches: &mut [RawMatch]) {
    for m in matches.iter_mut().filter(|m| m.key.is_none() && m.end > m.start) {
        let i = assigns.partition_point(|a| a.value.0 <= m.start);
        if i > 0 {
            let a = &assigns[i - 1];
            if m.end <= a.value.1 {
                m.key = Some(a.key.to_string());
            }
        }
    }
}

/// Rescans a decoded value; what it finds is reported at the encoded value.
fn decoded_matches(
    sc: &Scanner<'_>,
    input: Input<'_>,
    depth: u8,
    a: &Assign,
    decoded: &[u8],
    out: &mut Vec<RawMatch>,
) {
    let (vs, ve) = a.value;
    let mut inner = Vec::new();
    sc.scan_depth(
        Input {
            data: decoded,
            path: None,
            commit: input.commit,
        },
        &mut Scratch::default(),
        &mut inner,
        depth + 1,
        Some(hint_for_key(&a.key)),
    );
    let mut any = false;
    for m in inner {
        if m.end == m.start || !sc.keep_secret(m.rule, input, &m.secret, a.key_start, ve) {
            continue;
        }
        any = true;
        let mut outer = RawMatch::new(m.rule, m.secret, vs, ve);
        outer.key = m.key.or_else(|| Some(a.key.to_string()));
        outer.paired_with = m.paired_with;
        outer.decoded = std::iter::once(Decoding::Base64).chain(m.decoded).collect();
        out.push(outer);
    }
    if any {
        return;
    }
    let ctx = a.key.as_bytes().to_ascii_lowercase();
    if let Some((rule, s, e)) = classify(sc.rules(), &a.key, decoded, true, &ctx) {
        if sc.keep_secret(rule, input, &decoded[s..e], a.key_start, ve) {
            let mut m = RawMatch::new(rule, decoded[s..e].to_vec(), vs, ve);
            m.key = Some(a.key.to_string());
            m.decoded = vec![Decoding::Base64];
            out.push(m);
        }
    }
}

/// Whether `key` names a secret: the `key_regex` of a detector rule that judges by name
/// (`assignment`, `assignment-password`, `assignment-basic-auth`; not `assignment-url`, which
/// matches any key and judges the URL) matches it, as in [`classify`]; `public`/`publishable`
/// keys never do. The value is not looked at.
pub fn is_secret_key(rules: &RuleSet, key: &str) -> bool {
    with_lowercase(key, |lkey| is_secret_lkey(rules, lkey))
}

/// [`is_secret_key`] with the key lowercased.
fn is_secret_lkey(rules: &RuleSet, lkey: &str) -> bool {
    if names_no_secret(lkey) {
        return false;
    }
    rules.detector_rules().iter().any(|&r| {
        let rule = &rules.rules()[r as usize];
        matches!(
            rule.detector,
            Some(Detector::Assignment | Detector::Password | Detector::BasicAuth)
        ) && rule
            .key_regex
            .as_ref()
            .is_some_and(|k| k.is_match(lkey.as_bytes()))
    })
}

/// Key names that end like a secret's but name something else: public keys, pagination and
/// sync state (`nextToken`, `NextContinuationToken`, `pageToken`, `cursor` — API paging state,
/// found by the thousand in SDK examples), anti-forgery tokens, and `…bypass` (not a password).
fn names_no_secret(lkey: &str) -> bool {
    const WORDS: &[&str] = &[
        "public",
        "publishable",
        "nexttoken",
        "next_token",
        "next-token",
        "continuationtoken",
        "continuation_token",
        "pagetoken",
        "page_token",
        "paginationtoken",
        "pagination_token",
        "synctoken",
        "sync_token",
        "purchasetoken",
        "cursor",
        "csrf",
        "xsrf",
    ];
    // One automaton scan (`str::contains` sets up a searcher per call); this runs for every
    // assignment of every file (~100,000 keys in the 41 MB bench tree: 300 M instructions).
    static WORDS_AC: std::sync::OnceLock<Option<aho_corasick::AhoCorasick>> = std::sync::OnceLock::new();
    let any_word = match WORDS_AC.get_or_init(|| {
        aho_corasick::AhoCorasick::builder()
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(WORDS)
            .ok()
    }) {
        Some(ac) => ac.is_match(lkey),
        None => WORDS.iter().any(|w| lkey.contains(w)),
    };
    any_word || lkey.ends_with("bypass")
}

/// Which detector rule, if any, reports `value` assigned to `key`, and the secret's range in
/// `value`. Rules are tried in load order; the first whose `key_regex` matches and whose detector
/// accepts the value wins.
pub fn classify(
    rules: &RuleSet,
    key: &str,
    value: &[u8],
    decoded: bool,
    ctx: &[u8],
) -> Option<(u32, usize, usize)> {
    with_lowercase(key, |lkey| classify_lkey(rules, lkey, value, decoded, ctx))
}

/// Calls `f` with `key` ASCII-lowercased, on the stack when it is short: the detector lowercases
/// the key of every assignment it judges, and a heap string per key was a measurable share of
/// a scan's allocations.
fn with_lowercase<R>(key: &str, f: impl FnOnce(&str) -> R) -> R {
    let mut buf = [0u8; 64];
    if let Some(b) = buf.get_mut(..key.len()) {
        b.copy_from_slice(key.as_bytes());
        b.make_ascii_lowercase();
        if let Ok(lkey) = std::str::from_utf8(b) {
            return f(lkey);
        }
    }
    f(&key.to_ascii_lowercase())
}

/// [`classify`] with the key lowercased.
fn classify_lkey(
    rules: &RuleSet,
    lkey: &str,
    value: &[u8],
    decoded: bool,
    ctx: &[u8],
) -> Option<(u32, usize, usize)> {
    if names_no_secret(lkey) {
        return None;
    }
    for &r in rules.detector_rules() {
        let rule = &rules.rules()[r as usize];
        let (Some(kind), Some(kre)) = (rule.detector, &rule.key_regex) else {
            continue;
        };
        if !kre.is_match(lkey.as_bytes()) {
            continue;
        }
        let whole = Some((r, 0, value.len()));
        match kind {
            Detector::Assignment => {
                if accept_token(value, ctx, rule.entropy.unwrap_or(0.0)) {
                    return whole;
                }
            }
            Detector::Password => {
                if accept_password(value, ctx) {
                    return whole;
                }
            }
            Detector::UrlPassword => {
                if let Some((s, e)) = url_password(value) {
                    if accept_password(&value[s..e], b"") || accept_token(&value[s..e], b"", 0.0) {
                        return Some((r, s, e));
                    }
                }
            }
            Detector::BasicAuth => {
                if decoded {
                    if let Some(c) = memchr::memchr(b':', value) {
                        if c > 0 && c + 1 < value.len() && noise(&value[c + 1..], b"").is_none() {
                            return whole;
                        }
                    }
                }
            }
        }
    }
    None
}

/// Lowercase words joined by separators (`jwt-dev-app-key`): a name, not a generated secret.
fn is_word_chain(value: &[u8], min_parts: usize) -> bool {
    let mut parts = 0;
    let words = value.split(|b| matches!(b, b'-' | b'_' | b'.')).all(|p| {
        parts += 1;
        !p.is_empty() && p.len() <= 12 && p.iter().all(u8::is_ascii_lowercase)
    });
    words && parts >= min_parts
}

/// Standard base64 (with `+` or `/`) longer than 64 characters: an encoded blob (an image, a
/// certificate, ciphertext, test data) far more often than a secret with no vendor prefix. Long
/// base64 secrets with a known shape (Azure keys, private keys) have provider rules.
fn is_base64_blob(value: &[u8]) -> bool {
    value.len() > 64
        && value.iter().any(|b| matches!(b, b'+' | b'/'))
        && value
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
}

/// 40 hex digits: the shape of a git commit id (SHA-1), far more often that than a secret.
fn is_sha1_shaped(value: &[u8]) -> bool {
    value.len() == 40 && value.iter().all(u8::is_ascii_hexdigit)
}

/// Not a password's shape: a JSON/array literal, a templated path, or a long base64 blob.
fn is_structured(value: &[u8]) -> bool {
    matches!(value.first(), Some(b'[' | b'{' | b'(' | b'/'))
        || value.len() > MAX_PASSWORD_LEN
        || value.iter().filter(|b| **b == b' ').count() >= 2
}

/// A generated-looking secret: long enough, not noise, random enough, not made of words.
pub fn accept_token(value: &[u8], ctx: &[u8], min_entropy: f64) -> bool {
    value.len() >= MIN_TOKEN_LEN
        && value.is_ascii()
        // An array, object or bracketed special token (`["Win32_Security"]`, `[IMG_BREAK]`).
        && !matches!(value.first(), Some(b'[' | b'{' | b'('))
        && !value.iter().any(u8::is_ascii_whitespace)
        && !is_word_chain(value, 3)
        && !is_sha1_shaped(value)
        && !is_base64_blob(value)
        && noise(value, ctx).is_none()
        && shannon(value) >= min_entropy
        && chars_per_token(value) < WORDY_CHARS_PER_TOKEN
}

/// Letters and spaces only, reading like words (`Mot de passe`, `Passwort`): UI text, not a password.
fn is_prose(value: &[u8]) -> bool {
    value
        .iter()
        .all(|b| b.is_ascii_alphabetic() || *b == b' ' || *b == b'\'' || !b.is_ascii())
        && (value.contains(&b' ') || chars_per_token(value) >= WORDY_CHARS_PER_TOKEN || !value.is_ascii())
}

/// A password: long enough, not noise, not made of dummy words, not prose.
pub fn accept_password(value: &[u8], ctx: &[u8]) -> bool {
    value.len() >= MIN_PASSWORD_LEN
        && !is_prose(value)
        && !is_word_chain(value, 2)
        && !is_structured(value)
        && !is_sha1_shaped(value)
        && noise(value, ctx).is_none()
        && !is_dummy(&value.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::{is_word_chain, with_lowercase};

    /// The stack copy gives what `to_ascii_lowercase` gives, at and past the buffer's size and
    /// with non-ASCII bytes (left as they are).
    #[test]
    fn with_lowercase_is_to_ascii_lowercase() {
        let mut keys: Vec<String> = ["", "A", "Client_SECRET", "Ünïcode_Key", "pass\u{fffd}WORD"]
            .iter()
            .map(|k| (*k).to_string())
            .collect();
        for n in [63, 64, 65, 200] {
            keys.push("Ab".repeat(n).chars().take(n).collect());
            keys.push(format!("{}é", "X".repeat(n.saturating_sub(1))));
        }
        for k in &keys {
            assert_eq!(with_lowercase(k, str::to_string), k.to_ascii_lowercase(), "{k:?}");
        }
    }

    /// The split count and the per-part test, as a reading of the definition.
    #[test]
    fn word_chains() {
        for (v, parts, want) in [
            ("jwt-dev-app-key", 3, true),
            ("jwt-dev", 3, false),
            ("jwt-dev", 2, true),
            ("jwt-Dev-app", 2, false),
            ("jwt--app", 2, false),
            ("averyveryverylongword-x", 2, false),
            ("a.b_c", 3, true),
            ("", 1, false),
            ("word", 1, true),
        ] {
            assert_eq!(is_word_chain(v.as_bytes(), parts), want, "{v:?} {parts}");
        }
    }
}
