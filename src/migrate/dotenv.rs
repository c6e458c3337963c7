//! Reading and writing dotenv files the way the common loaders (python-dotenv, dotenv for Node,
//! godotenv, docker compose) read them: `KEY=value`, optional `export `, single quotes literal,
//! double quotes with `\n`, `\"`, `\\` escapes, `#` comments after whitespace in unquoted values.

/// One `KEY=value` line of a dotenv file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The key.
    pub key: String,
    /// The value, unquoted and unescaped.
    pub value: String,
    /// Byte range of the whole line (without its line ending).
    pub line: std::ops::Range<usize>,
}

/// Parses `text` into its entries, in file order. Lines that are not assignments are skipped.
pub fn parse(text: &str) -> Vec<Entry> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < b.len() {
        let mut end = line_end(b, pos);
        let line = text[pos..end].trim_end_matches('\r');
        if let Some((key, rest)) = split_assignment(line) {
            let start = pos + line.len() - rest.len();
            let key = key.to_string();
            let (value, stop) = parse_value(text, start);
            if stop > end {
                end = line_end(b, stop);
            }
            let trimmed = if end > pos && b[end - 1] == b'\r' {
                end - 1
            } else {
                end
            };
            out.push(Entry {
                key,
                value,
                line: pos..trimmed,
            });
        }
        pos = end + 1;
    }
    out
}

fn line_end(b: &[u8], from: usize) -> usize {
    memchr::memchr(b'\n', &b[from..]).map_or(b.len(), |i| from + i)
}

/// `KEY=rest` (with optional `export ` and spaces around `=`), or `None`.
fn split_assignment(line: &str) -> Option<(&str, &str)> {
    let t = line.trim_start();
    let t = t.strip_prefix("export ").map(str::trim_start).unwrap_or(t);
    let eq = t.find('=')?;
    let key = t[..eq].trim_end();
    if key.is_empty()
        || !key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-')
        || key.as_bytes()[0].is_ascii_digit()
    {
        return None;
    }
    Some((key, t[eq + 1..].trim_start_matches([' ', '\t'])))
}

/// Parses the value starting at byte `start` of `text`; returns it and the byte offset just past
/// it (a double- or single-quoted value may span lines).
fn parse_value(text: &str, start: usize) -> (String, usize) {
    let b = text.as_bytes();
    match b.get(start) {
        Some(&q @ (b'\'' | b'"')) => {
            let mut out = String::new();
            let mut i = start + 1;
            while i < b.len() {
                let c = b[i];
                if c == q {
                    return (out, i + 1);
                }
                if q == b'"' && c == b'\\' && i + 1 < b.len() {
                    match b[i + 1] {
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'$' => out.push('$'),
                        other => {
                            out.push('\\');
                            out.push(other as char);
                        }
                    }
                    i += 2;
                    continue;
                }
                let ch_len = utf8_len(c);
                out.push_str(&text[i..(i + ch_len).min(b.len())]);
                i += ch_len;
            }
            // Unterminated quote: take the rest of the line literally, as loaders do.
            let end = memchr::memchr(b'\n', &b[start..]).map_or(b.len(), |i| start + i);
            (text[start..end].trim_end_matches('\r').to_string(), end)
        }
        _ => {
            let end = memchr::memchr(b'\n', &b[start..]).map_or(b.len(), |i| start + i);
            let mut v = text[start..end].trim_end_matches('\r');
            // An inline comment starts at a `#` preceded by whitespace.
            if let Some(i) = v.find(" #").or_else(|| v.find("\t#")) {
                v = &v[..i];
            }
            (v.trim_end().to_string(), end)
        }
    }
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// Renders `KEY=value` so that [`parse`] (and python-dotenv, Node's dotenv, docker compose) read
/// back exactly `value`: bare when safe, single-quoted when it has no `'` or newline, else
/// double-quoted with escapes.
pub fn render(key: &str, value: &str) -> String {
    let bare_ok = !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_graphic() && !matches!(b, b'\'' | b'"' | b'#' | b'\\' | b'$' | b'`'));
    if value.is_empty() {
        format!("{key}=")
    } else if bare_ok {
        format!("{key}={value}")
    } else if !value.contains(['\'', '\n', '\r', '\\']) {
        format!("{key}='{value}'")
    } else {
        let mut s = String::with_capacity(value.len() + 2);
        for c in value.chars() {
            match c {
                '\n' => s.push_str("\\n"),
                '\r' => s.push_str("\\r"),
                '"' => s.push_str("\\\""),
                '\\' => s.push_str("\\\\"),
                '$' => s.push_str("\\$"),
                c => s.push(c),
            }
        }
        format!("{key}=\"{s}\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_awkward_values() {
        for v in [
            "plain",
            "with space",
            "it's",
            "a\"b",
            "x#y",
            "a #b",
            "multi\nline",
            "$HOME",
            "back\\slash",
            "é-ü",
            "",
        ] {
            let line = render("K", v);
            let parsed = parse(&format!("A=1\n{line}\nB=2\n"));
            assert_eq!(parsed.len(), 3, "{line}");
            assert_eq!(parsed[1].value, v, "{line}");
            assert_eq!(parsed[2].value, "2", "{line}");
        }
    }

    #[test]
    fn backslashes_are_double_quoted() {
        // python-dotenv unescapes `\\` even in single quotes.
        assert_eq!(render("K", "a\\b"), "K=\"a\\\\b\"");
    }

    #[test]
    fn reads_loader_syntax() {
        let t = "# c\nexport A = 'x y'\nB=\"q\\nr\" # note\nC=plain # comment\nnot a line\nD=\r\n";
        let e = parse(t);
        let kv: Vec<_> = e.iter().map(|e| (e.key.as_str(), e.value.as_str())).collect();
        assert_eq!(kv, [("A", "x y"), ("B", "q\nr"), ("C", "plain"), ("D", "")]);
        assert_eq!(&t[e[0].line.clone()], "export A = 'x y'");
    }
}
