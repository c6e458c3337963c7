//! The value an application reads from a quoted string in a config file. A secret written with
//! escapes (`"a\"b"` in JSON, `'it''s'` in YAML, `"\u00e9"` in TOML) is stored in the secrets
//! store as the parser of that format gives it, never as the bytes in the file: otherwise the
//! application would read a different value after migration.
//!
//! Each supported format's string grammar is transcribed here (JSON RFC 8259, YAML 1.2 flow
//! scalars, TOML 1.0 basic and literal strings). A span that cuts an escape, a string that does
//! not close on its line (YAML folding, TOML multi-line strings) or an escape the format does not
//! define is an [`Unexact`] error: the caller leaves that value to a person.

use std::ops::Range;

/// Why a value cannot be read exactly.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0}")]
pub struct Unexact(pub &'static str);

/// Config formats whose strings are unescaped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Syntax {
    /// JSON: `"..."` with `\" \\ \/ \b \f \n \r \t \uXXXX`.
    Json,
    /// YAML: `"..."` with C-like escapes, `'...'` with `''`; plain scalars are literal.
    Yaml,
    /// TOML: `"..."` with `\b \t \n \f \r \" \\ \uXXXX \UXXXXXXXX`, `'...'` literal.
    Toml,
}

impl Syntax {
    /// The syntax of a file, by extension (`None`: no string grammar known here).
    pub fn for_path(path: &str) -> Option<Self> {
        let ext = path.rsplit_once('.').map_or("", |(_, e)| e).to_ascii_lowercase();
        match ext.as_str() {
            "json" => Some(Self::Json),
            "yaml" | "yml" => Some(Self::Yaml),
            "toml" => Some(Self::Toml),
            _ => None,
        }
    }
}

/// The value the application reads for the bytes at `span` of `text`: the span's bytes if it is
/// not inside a quoted string with escapes, else the span unescaped.
pub fn value_at(text: &str, span: &Range<usize>, syntax: Syntax) -> Result<String, Unexact> {
    let line_start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[span.end..].find('\n').map_or(text.len(), |i| span.end + i);
    if text[span.clone()].contains('\n') {
        return Err(Unexact("multi-line value"));
    }
    let b = text.as_bytes();
    // Find the quoted string (if any) that holds the span, scanning the line from its start.
    let mut i = line_start;
    while i < line_end {
        let c = b[i];
        let opens = match syntax {
            Syntax::Json => c == b'"',
            Syntax::Toml => c == b'"' || c == b'\'',
            // A quote opens a YAML flow scalar only where a scalar can start.
            Syntax::Yaml => {
                (c == b'"' || c == b'\'')
                    && (i == line_start
                        || matches!(b[i - 1], b' ' | b'\t' | b'[' | b'{' | b',' | b':' | b'-'))
            }
        };
        if !opens {
            if i >= span.start
                || (syntax == Syntax::Yaml && c == b'#' && (i == line_start || b[i - 1] == b' '))
            {
                return outside(text, span);
            }
            i += 1;
            continue;
        }
        if syntax == Syntax::Toml && b[i..].starts_with(if c == b'"' { b"\"\"\"" } else { b"'''" }) {
            return Err(Unexact("multi-line TOML string"));
        }
        let open = i;
        let (units, close) = units(text, open + 1, line_end, c, syntax)?;
        if span.start <= open {
            return outside(text, span);
        }
        if span.end <= close {
            // Inside this string: unescape the units the span covers exactly.
            let mut out = String::new();
            for u in &units {
                if u.range.end <= span.start || u.range.start >= span.end {
                    continue;
                }
                if u.range.start < span.start || u.range.end > span.end {
                    return Err(Unexact("the secret's bounds cut an escape"));
                }
                out.push_str(&u.text);
            }
            return Ok(out);
        }
        if span.start < close + 1 {
            return Err(Unexact("the secret spans a closing quote"));
        }
        i = close + 1;
    }
    outside(text, span)
}

/// A span outside any one-line string: its bytes, unless it has a backslash (it may be a line of
/// a multi-line string, where escapes count: not exact).
fn outside(text: &str, span: &Range<usize>) -> Result<String, Unexact> {
    let raw = &text[span.clone()];
    if raw.contains('\\') {
        return Err(Unexact("a backslash outside a one-line string"));
    }
    Ok(raw.to_string())
}

/// One character of a string's content: its bytes in the file and what it means.
struct Unit {
    range: Range<usize>,
    text: String,
}

/// The units of a string opened by `quote` whose content starts at `from`, and the offset of its
/// closing quote (which must be on the line).
fn units(
    text: &str,
    from: usize,
    line_end: usize,
    quote: u8,
    syntax: Syntax,
) -> Result<(Vec<Unit>, usize), Unexact> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = from;
    let escapes = quote == b'"';
    while i < line_end {
        let c = b[i];
        if c == quote {
            // YAML single quotes: `''` is one quote.
            if syntax == Syntax::Yaml && quote == b'\'' && b.get(i + 1) == Some(&b'\'') {
                out.push(Unit {
                    range: i..i + 2,
                    text: "'".into(),
                });
                i += 2;
                continue;
            }
            return Ok((out, i));
        }
        if c == b'\\' && escapes {
            let (len, s) = escape(&text[i + 1..line_end], syntax)?;
            out.push(Unit {
                range: i..i + 1 + len,
                text: s,
            });
            i += 1 + len;
            continue;
        }
        let ch = text[i..].chars().next().ok_or(Unexact("truncated character"))?;
        out.push(Unit {
            range: i..i + ch.len_utf8(),
            text: ch.to_string(),
        });
        i += ch.len_utf8();
    }
    Err(Unexact("a quoted string that does not close on its line"))
}

/// The escape after a backslash: (bytes after the backslash, meaning).
fn escape(rest: &str, syntax: Syntax) -> Result<(usize, String), Unexact> {
    let c = *rest
        .as_bytes()
        .first()
        .ok_or(Unexact("a backslash at the end of the line"))?;
    let simple = match (c, syntax) {
        (b'"', _) | (b'\\', _) => Some(c as char),
        (b'b', _) => Some('\u{8}'),
        (b'f', _) => Some('\u{c}'),
        (b'n', _) => Some('\n'),
        (b'r', _) => Some('\r'),
        (b't', _) => Some('\t'),
        (b'/', Syntax::Json | Syntax::Yaml) => Some('/'),
        (b'0', Syntax::Yaml) => Some('\0'),
        (b'a', Syntax::Yaml) => Some('\u{7}'),
        (b'v', Syntax::Yaml) => Some('\u{b}'),
        (b'e', Syntax::Yaml) => Some('\u{1b}'),
        (b' ', Syntax::Yaml) => Some(' '),
        (b'\t', Syntax::Yaml) => Some('\t'),
        (b'N', Syntax::Yaml) => Some('\u{85}'),
        (b'_', Syntax::Yaml) => Some('\u{a0}'),
        (b'L', Syntax::Yaml) => Some('\u{2028}'),
        (b'P', Syntax::Yaml) => Some('\u{2029}'),
        _ => None,
    };
    if let Some(ch) = simple {
        return Ok((1, ch.to_string()));
    }
    let digits = match (c, syntax) {
        (b'u', _) => 4,
        (b'U', Syntax::Yaml | Syntax::Toml) => 8,
        (b'x', Syntax::Yaml) => 2,
        _ => return Err(Unexact("an escape the format does not define")),
    };
    let hex = rest.get(1..1 + digits).ok_or(Unexact("a short \\u escape"))?;
    let cp = u32::from_str_radix(hex, 16).map_err(|_| Unexact("a bad \\u escape"))?;
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Unexact("a bad \\u escape"));
    }
    // JSON and YAML write characters above U+FFFF as a surrogate pair of `\u` escapes.
    if (0xD800..0xDC00).contains(&cp) && digits == 4 && syntax != Syntax::Toml {
        let low = rest
            .get(1 + digits..)
            .and_then(|r| r.strip_prefix("\\u"))
            .and_then(|r| r.get(..4));
        let lo = low
            .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .filter(|lo| (0xDC00..0xE000).contains(lo))
            .ok_or(Unexact("a lone surrogate escape"))?;
        let ch = char::from_u32(0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00))
            .ok_or(Unexact("a bad surrogate pair"))?;
        return Ok((1 + digits + 6, ch.to_string()));
    }
    let ch = char::from_u32(cp).ok_or(Unexact("an escape of no character"))?;
    Ok((1 + digits, ch.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, needle: &str, syntax: Syntax) -> Result<String, Unexact> {
        let s = text.find(needle).expect("needle in text");
        value_at(text, &(s..s + needle.len()), syntax)
    }

    #[test]
    fn json_strings_are_unescaped() {
        let t = r#"{"password": "p\"w\\d\u00e9\uD83D\uDE00x", "other": "a\nb"}"#;
        assert_eq!(
            at(t, r#"p\"w\\d\u00e9\uD83D\uDE00x"#, Syntax::Json).as_deref(),
            Ok("p\"w\\dé😀x")
        );
        // A token inside a string with escapes elsewhere is its own bytes.
        assert_eq!(at(t, "w\\\\d", Syntax::Json).as_deref(), Ok("w\\d"));
        // Bounds inside an escape are not exact.
        assert!(at(t, "u00e9", Syntax::Json).is_err());
        assert!(at(r#"{"k": "\uD83Dx"}"#, "\\uD83Dx", Syntax::Json).is_err());
    }

    #[test]
    fn yaml_quotes_and_plain_scalars() {
        assert_eq!(
            at("pw: 'it''s-s3cret'\n", "it''s-s3cret", Syntax::Yaml).as_deref(),
            Ok("it's-s3cret")
        );
        assert_eq!(
            at("pw: \"a\\x41\\tb\\_\"\n", "a\\x41\\tb\\_", Syntax::Yaml).as_deref(),
            Ok("aA\tb\u{a0}")
        );
        // Plain scalars: a backslash is literal, an apostrophe inside does not open a string.
        assert_eq!(
            at("pw: it's-x41\n", "it's-x41", Syntax::Yaml).as_deref(),
            Ok("it's-x41")
        );
        // A backslash outside a one-line string may be in a multi-line one: not exact.
        assert!(at("pw: it's\\x41\n", "it's\\x41", Syntax::Yaml).is_err());
        assert!(at("pw: \"folded\n  on\"\n", "folded", Syntax::Yaml).is_err());
        assert!(at("pw: \"bad\\q\"\n", "bad\\q", Syntax::Yaml).is_err());
    }

    #[test]
    fn toml_basic_and_literal_strings() {
        assert_eq!(
            at("pw = \"a\\\"b\\U0001F600\"\n", "a\\\"b\\U0001F600", Syntax::Toml).as_deref(),
            Ok("a\"b😀")
        );
        assert_eq!(
            at("pw = 'C:\\new'\n", "C:\\new", Syntax::Toml).as_deref(),
            Ok("C:\\new")
        );
        assert!(at("pw = \"\"\"\nx\"\"\"\n", "x", Syntax::Toml).is_ok());
        assert!(at("pw = \"\"\"a\\nb\"\"\"\n", "a\\nb", Syntax::Toml).is_err());
        assert!(at("pw = \"\"\"\na\\nb\"\"\"\n", "a\\nb", Syntax::Toml).is_err());
        // `\/` is JSON's, not TOML's.
        assert!(at("pw = \"a\\/b\"\n", "a\\/b", Syntax::Toml).is_err());
    }

    #[test]
    fn a_second_string_on_the_line() {
        let t = r#"{"user": "a\"b", "password": "x\\y"}"#;
        assert_eq!(at(t, r"x\\y", Syntax::Json).as_deref(), Ok("x\\y"));
    }
}
