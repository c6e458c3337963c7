//! Reading and writing dotenv files exactly as python-dotenv (1.x, `dotenv_values`, interpolation
//! on) reads them. The value migrate stores must be the value the application reads, byte for
//! byte, so this is a transcription of python-dotenv's parser, not an approximation of "dotenv":
//!
//! - a file is read with universal newlines (`\r\n` and a lone `\r` are `\n`), a leading BOM is
//!   dropped;
//! - `[export ]KEY=value`, the key unquoted (`[^=#\s]+`) or single-quoted; whitespace around `=`;
//! - single-quoted values unescape `\\` and `\'`; double-quoted values unescape `\\ \' \" \a \b
//!   \f \n \r \t \v`; both may span lines; other backslashes stay;
//! - an unquoted value ends at the line end, a `#` after whitespace starts a comment, trailing
//!   whitespace is trimmed (`KEY= #c` is empty, `KEY=#c` is `#c`);
//! - a line that does not parse (an unterminated quote, text after a closing quote) binds nothing;
//! - `${NAME}` and `${NAME:-default}` are interpolated in **every** value, quoted or not (single
//!   quotes included, unlike a shell), from the keys above it, then the environment.
//!
//! [`render`] writes a value so that python-dotenv reads back exactly that value (a property test
//! in the suite checks it against python-dotenv itself); the simple values (no quote, backslash,
//! `$`, newline) come out in the forms every other loader (Node's dotenv, godotenv, docker compose)
//! reads the same way.

use std::collections::HashMap;
use std::ops::Range;

/// One binding of a dotenv file (`KEY=value`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The key.
    pub key: String,
    /// The value the application reads: unquoted, unescaped, and interpolated from the keys above
    /// it (a reference to anything else resolves to its default, or empty).
    pub value: String,
    /// Whether `value` is exactly what python-dotenv gives in any environment: false when the
    /// value refers (`${NAME}`) to a name the file does not bind above it.
    pub exact: bool,
    /// Byte range of the binding, from its key (or `export`) to the end of its value and comment,
    /// without the line ending; a quoted value may span lines.
    pub line: Range<usize>,
}

/// Parses `text` into its bindings with a value, in file order (a key bound twice appears twice;
/// loaders take the last). Lines that bind nothing are skipped.
pub fn parse(text: &str) -> Vec<Entry> {
    let mut env: HashMap<String, Option<(String, bool)>> = HashMap::new();
    let mut out = Vec::new();
    for b in bindings(text) {
        let Some(key) = b.key else { continue };
        match b.value {
            None => {
                env.insert(key, None);
            }
            Some(raw) => {
                let (value, exact) = interpolate(&raw, &env);
                env.insert(key.clone(), Some((value.clone(), exact)));
                out.push(Entry {
                    key,
                    value,
                    exact,
                    line: b.line,
                });
            }
        }
    }
    out
}

/// What python-dotenv's `dotenv_values` returns for `text` with an empty environment: each key
/// once, in the order it first appears, with its last value (`None` for a key without `=`).
pub fn load(text: &str) -> Vec<(String, Option<String>)> {
    let mut env: HashMap<String, Option<(String, bool)>> = HashMap::new();
    let mut order: Vec<String> = Vec::new();
    for b in bindings(text) {
        let Some(key) = b.key else { continue };
        let v = b.value.map(|raw| interpolate(&raw, &env));
        if !env.contains_key(&key) {
            order.push(key.clone());
        }
        env.insert(key, v);
    }
    order
        .into_iter()
        .map(|k| {
            let v = env.get(&k).cloned().flatten().map(|(v, _)| v);
            (k, v)
        })
        .collect()
}

/// One parsed binding before interpolation.
struct Binding {
    key: Option<String>,
    value: Option<String>,
    line: Range<usize>,
}

/// Python's `\s` (`str.isspace`): Unicode White_Space plus the separators U+001C..U+001F.
fn py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// `[^\S\r\n]`: whitespace that does not end a line.
fn inline_space(c: char) -> bool {
    py_space(c) && c != '\r' && c != '\n'
}

/// A cursor over the text; "newline" is `\r\n`, `\r` or `\n` (universal newlines).
struct Reader<'a> {
    s: &'a str,
    pos: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<char> {
        self.s[self.pos..].chars().next()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.s.len()
    }

    /// Advances over chars while `f` holds; returns the range passed.
    fn take_while(&mut self, f: impl Fn(char) -> bool) -> Range<usize> {
        let start = self.pos;
        let rest = &self.s[self.pos..];
        let n = rest.find(|c: char| !f(c)).unwrap_or(rest.len());
        self.pos += n;
        start..self.pos
    }

    /// Consumes one newline (`\r\n`, `\r` or `\n`); false at anything else.
    fn newline(&mut self) -> bool {
        let b = self.s.as_bytes();
        match b.get(self.pos) {
            Some(b'\r') if b.get(self.pos + 1) == Some(&b'\n') => self.pos += 2,
            Some(b'\r' | b'\n') => self.pos += 1,
            _ => return false,
        }
        true
    }
}

/// All bindings of `text`, python-dotenv's `parse_stream`.
fn bindings(text: &str) -> Vec<Binding> {
    let text_start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut r = Reader {
        s: text,
        pos: text_start,
    };
    let mut out = Vec::new();
    while !r.at_end() {
        r.take_while(py_space);
        if r.at_end() {
            break;
        }
        let start = r.pos;
        match binding(&mut r) {
            Some((key, value)) => {
                let end = r.pos;
                // The range ends before the line ending `_end_of_line` consumed.
                let mut line_end = end;
                let b = text.as_bytes();
                if line_end > start && b[line_end - 1] == b'\n' {
                    line_end -= 1;
                }
                if line_end > start && b[line_end - 1] == b'\r' {
                    line_end -= 1;
                }
                let trimmed = text[start..line_end].trim_end_matches(inline_space).len();
                out.push(Binding {
                    key,
                    value,
                    line: start..start + trimmed,
                });
            }
            None => {
                // `_rest_of_line`, from where the error stopped.
                r.take_while(|c| c != '\r' && c != '\n');
                r.newline();
            }
        }
    }
    out
}

/// One binding from the reader (after leading whitespace); `None` on a parse error.
#[allow(clippy::type_complexity)]
fn binding(r: &mut Reader<'_>) -> Option<(Option<String>, Option<String>)> {
    // `(?:export[^\S\r\n]+)?`
    if r.s[r.pos..].starts_with("export") {
        let save = r.pos;
        r.pos += "export".len();
        if r.take_while(inline_space).is_empty() {
            r.pos = save;
        }
    }
    let key = match r.peek() {
        Some('#') => None,
        Some('\'') => {
            let rest = &r.s[r.pos + 1..];
            let close = rest.find('\'')?;
            if close == 0 {
                return None;
            }
            r.pos += close + 2;
            Some(newlines_to_lf(&rest[..close]))
        }
        _ => {
            let k = r.take_while(|c| c != '=' && c != '#' && !py_space(c));
            if k.is_empty() {
                return None;
            }
            Some(r.s[k].to_string())
        }
    };
    r.take_while(inline_space);
    let value = if r.peek() == Some('=') {
        r.pos += 1;
        let ws = r.take_while(inline_space);
        if !ws.is_empty() && r.peek() == Some('#') {
            Some(String::new())
        } else {
            Some(value(r)?)
        }
    } else {
        None
    };
    // `_comment`, then `_end_of_line`.
    let save = r.pos;
    r.take_while(inline_space);
    if r.peek() == Some('#') {
        r.take_while(|c| c != '\r' && c != '\n');
    } else {
        r.pos = save;
    }
    r.take_while(inline_space);
    if !(r.at_end() || r.newline()) {
        return None;
    }
    Some((key, value))
}

/// A value after `=` (python-dotenv's `parse_value`); `None` on an unterminated quote.
fn value(r: &mut Reader<'_>) -> Option<String> {
    match r.peek() {
        Some(q @ ('\'' | '"')) => {
            let b = r.s.as_bytes();
            let mut i = r.pos + 1;
            // `'((?:\\.|[^'\\])*)'`, DOTALL: a backslash always pairs with the next char.
            while i < b.len() {
                match b[i] {
                    b'\\' if i + 1 < b.len() => {
                        // `\r\n` after a backslash is one newline once translated.
                        i += if b[i + 1] == b'\r' && b.get(i + 2) == Some(&b'\n') {
                            3
                        } else {
                            1 + utf8_len(b[i + 1])
                        };
                    }
                    c if c == q as u8 => break,
                    b'\\' => return None,
                    c => i += utf8_len(c),
                }
            }
            if i >= b.len() {
                return None;
            }
            let inner = newlines_to_lf(&r.s[r.pos + 1..i]);
            r.pos = i + 1;
            Some(unescape(&inner, q == '"'))
        }
        None | Some('\r' | '\n') => Some(String::new()),
        Some(_) => {
            let v = r.take_while(|c| c != '\r' && c != '\n');
            let mut v = &r.s[v];
            // `re.sub(r"\s+#.*", "", part)`: from the whitespace run before the first `#` that
            // follows whitespace.
            let mut prev_space = false;
            for (i, c) in v.char_indices() {
                if c == '#' && prev_space {
                    v = v[..i].trim_end_matches(py_space);
                    break;
                }
                prev_space = py_space(c);
            }
            Some(v.trim_end_matches(py_space).to_string())
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

/// Universal newlines: `\r\n` and `\r` become `\n`.
fn newlines_to_lf(s: &str) -> String {
    if s.contains('\r') {
        s.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        s.to_string()
    }
}

/// python-dotenv's `decode_escapes`: in double quotes `\\ \' \" \a \b \f \n \r \t \v`, in single
/// quotes `\\ \'`; any other backslash stays with the char after it.
fn unescape(s: &str, double: bool) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(n) = chars.next() else {
            out.push('\\');
            break;
        };
        let decoded = match (n, double) {
            ('\\', _) => Some('\\'),
            ('\'', _) => Some('\''),
            ('"', true) => Some('"'),
            ('a', true) => Some('\u{7}'),
            ('b', true) => Some('\u{8}'),
            ('f', true) => Some('\u{c}'),
            ('n', true) => Some('\n'),
            ('r', true) => Some('\r'),
            ('t', true) => Some('\t'),
            ('v', true) => Some('\u{b}'),
            _ => None,
        };
        match decoded {
            Some(d) => out.push(d),
            None => {
                out.push('\\');
                out.push(n);
            }
        }
    }
    out
}

/// python-dotenv's `resolve_variables` for one value: `${NAME}` / `${NAME:-default}` replaced from
/// `env` (the bindings above; a name bound without `=` is empty, an unknown name takes its
/// default). Returns the value and whether it is exact (every name resolved from the file; the
/// empty name, which no environment holds, counts as resolved).
fn interpolate(raw: &str, env: &HashMap<String, Option<(String, bool)>>) -> (String, bool) {
    let b = raw.as_bytes();
    let mut out = String::with_capacity(raw.len());
    let mut exact = true;
    let mut cursor = 0;
    let mut i = 0;
    while let Some(at) = memchr::memmem::find(&b[i..], b"${").map(|k| i + k) {
        let name_start = at + 2;
        let name_end = b[name_start..]
            .iter()
            .position(|&c| c == b'}' || c == b':')
            .map(|k| name_start + k);
        let found = match name_end {
            Some(ne) if b[ne] == b'}' => Some((ne, None, ne + 1)),
            Some(ne) if b.get(ne + 1) == Some(&b'-') => memchr::memchr(b'}', &b[ne + 2..])
                .map(|k| (ne, Some(&raw[ne + 2..ne + 2 + k]), ne + 2 + k + 1)),
            _ => None,
        };
        let Some((ne, default, end)) = found else {
            i = at + 1;
            continue;
        };
        let name = &raw[name_start..ne];
        out.push_str(&raw[cursor..at]);
        match env.get(name) {
            Some(Some((v, e))) => {
                out.push_str(v);
                exact &= e;
            }
            Some(None) => {}
            None => {
                out.push_str(default.unwrap_or(""));
                exact &= name.is_empty();
            }
        }
        cursor = end;
        i = end;
    }
    out.push_str(&raw[cursor..]);
    (out, exact)
}

/// Renders `KEY=value` so that python-dotenv reads back exactly `value` (and so does [`parse`]):
/// bare when it is plain ASCII with no quote, `#`, `\` or `$`; single-quoted when it has no `'`,
/// `\`, line break or `${`; else double-quoted with `\\ \" \n \r` escapes, where each `${` is
/// written `${:-$}{` (python-dotenv has no escape for `$`: the empty name's default is a literal
/// `$`, and no environment holds an empty name).
pub fn render(key: &str, value: &str) -> String {
    let bare_ok = value
        .bytes()
        .all(|b| b.is_ascii_graphic() && !matches!(b, b'\'' | b'"' | b'#' | b'\\' | b'$' | b'`'));
    if value.is_empty() {
        format!("{key}=")
    } else if bare_ok {
        format!("{key}={value}")
    } else if !value.contains(['\'', '\n', '\r', '\\']) && !value.contains("${") {
        format!("{key}='{value}'")
    } else {
        let mut s = String::with_capacity(value.len() + 2);
        let mut chars = value.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\n' => s.push_str("\\n"),
                '\r' => s.push_str("\\r"),
                '"' => s.push_str("\\\""),
                '\\' => s.push_str("\\\\"),
                '$' if chars.peek() == Some(&'{') => s.push_str("${:-$}"),
                c => s.push(c),
            }
        }
        format!("{key}=\"{s}\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv(t: &str) -> Vec<(String, String)> {
        parse(t).into_iter().map(|e| (e.key, e.value)).collect()
    }

    #[test]
    fn round_trips_awkward_values() {
        for v in [
            "plain",
            "with space",
            " lead and trail ",
            "it's",
            "a\"b",
            "x#y",
            "a #b",
            "#start",
            "multi\nline",
            "cr\rlf\r\n",
            "$HOME",
            "${HOME}",
            "${A:-b}c${",
            "$${x}",
            "back\\slash",
            "\\'\\\"\\n",
            "é-ü",
            "=a=b=",
            "\t",
            "",
        ] {
            let line = render("K", v);
            let parsed = parse(&format!("A=1\n{line}\nB=2\n"));
            assert_eq!(parsed.len(), 3, "{line}");
            assert_eq!(parsed[1].value, v, "{line}");
            assert!(parsed[1].exact, "{line}");
            assert_eq!(parsed[2].value, "2", "{line}");
        }
    }

    #[test]
    fn simple_values_stay_readable() {
        assert_eq!(render("K", "abc-123"), "K=abc-123");
        assert_eq!(render("K", "a b"), "K='a b'");
        assert_eq!(render("K", "$HOME"), "K='$HOME'");
        assert_eq!(render("K", "a\\b"), "K=\"a\\\\b\"");
        assert_eq!(render("K", "${X}"), "K=\"${:-$}{X}\"");
    }

    #[test]
    fn reads_loader_syntax() {
        let t = "# c\nexport A = 'x y'\nB=\"q\\nr\" # note\nC=plain # comment\nnot a line\nD=\r\n";
        let e = parse(t);
        let kv: Vec<_> = e.iter().map(|e| (e.key.as_str(), e.value.as_str())).collect();
        assert_eq!(kv, [("A", "x y"), ("B", "q\nr"), ("C", "plain"), ("D", "")]);
        assert_eq!(&t[e[0].line.clone()], "export A = 'x y'");
        assert_eq!(&t[e[1].line.clone()], "B=\"q\\nr\" # note");
    }

    #[test]
    fn follows_python_dotenv_rules() {
        let p = |t: &str| {
            kv(t)
                .into_iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
        };
        // Interpolation in every kind of value, from keys above; unknown names take defaults.
        assert_eq!(
            p("A=x\nB='${A}'\nC=\"${A}\"\nD=${A}${Z:-d}${Z}"),
            ["A=x", "B=x", "C=x", "D=xd"]
        );
        // Single quotes unescape only `\\` and `\'`.
        assert_eq!(p(r"K='a\\b\'c\d\n'"), [r"K=a\b'c\d\n"]);
        // Double quotes: the escape set; `\$` is not one.
        assert_eq!(p(r#"K="\a\b\f\v\t\$\x""#), ["K=\u{7}\u{8}\u{c}\u{b}\t\\$\\x"]);
        // Comments: after whitespace only; `KEY= #c` is empty.
        assert_eq!(p("A= #c\nB=#c\nC=a#b c #d"), ["A=", "B=#c", "C=a#b c"]);
        // A broken line binds nothing; the next line still does.
        assert_eq!(p("A=\"open\nB=2\nC='x' y\nD=4"), ["B=2", "D=4"]);
        // Universal newlines, also inside quotes; a lone `\r` ends a line.
        assert_eq!(p("A=\"x\r\ny\"\rB=2\r\n"), ["A=x\ny", "B=2"]);
        // Multi-line quoted values and single-quoted keys.
        assert_eq!(p("'K 1'='a\nb'\n"), ["K 1=a\nb"]);
    }

    #[test]
    fn values_from_the_environment_are_not_exact() {
        let e = parse("A=1\nB=${A}\nC=${HOME}\nD=${:-$}{X}\n");
        let exact: Vec<_> = e.iter().map(|e| e.exact).collect();
        assert_eq!(exact, [true, true, false, true]);
    }

    #[test]
    fn load_is_a_dict() {
        let l = load("A=1\nB\nA=2\n");
        assert_eq!(
            l,
            [("A".to_string(), Some("2".to_string())), ("B".to_string(), None)]
        );
    }
}
