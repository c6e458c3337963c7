//! Go RE2 → Rust `regex` syntax, translated once when a rule file is loaded.
//!
//! gitleaks and betterleaks compile their patterns with Go's `regexp` package (RE2 syntax); the
//! configs teams have written for them use constructs Go accepts and the `regex` crate reads
//! differently or rejects: a `{` that does not start a valid repetition is a literal in Go
//! (`{{[^}]+}}`, `{,5}`, `${VAR}`), `\Q…\E` quotes a literal, a `[` inside a class is a literal,
//! `&&`/`~~`/`--` inside a class are literals (set operations in Rust), `\<`/`\>` are escaped
//! punctuation (word boundaries in Rust), `\C` is any byte, octal escapes (`\010`) exist, and
//! Unicode classes (`\pL`) work inside an otherwise ASCII pattern. [`translate`] rewrites those into
//! the equivalent Rust syntax (Unicode classes become `(?u:…)` so the rest of the pattern keeps
//! RE2's ASCII `\w`, `\d`, `\b`); everything else is passed through unchanged. Only what has no
//! equivalent (back-references, look-around) is an error; the loader names the rule.

use std::borrow::Cow;

use thiserror::Error;

/// A construct with no Rust `regex` equivalent (or no RE2 meaning at all).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{message} (at byte {offset})")]
pub struct Re2Error {
    /// What is wrong.
    pub message: String,
    /// Byte offset in the pattern.
    pub offset: usize,
}

/// Translates a Go RE2 pattern into an equivalent Rust `regex` pattern. Patterns that need no
/// change are returned borrowed.
pub fn translate(src: &str) -> Result<Cow<'_, str>, Re2Error> {
    if !src.bytes().any(|b| matches!(b, b'{' | b'[' | b'\\' | b'(')) {
        return Ok(Cow::Borrowed(src));
    }
    let mut t = Translator {
        src,
        pos: 0,
        out: String::with_capacity(src.len() + 16),
    };
    t.run()?;
    if t.out == src {
        Ok(Cow::Borrowed(src))
    } else {
        Ok(Cow::Owned(t.out))
    }
}

/// One item of a bracketed class.
enum Atom {
    /// A single character (may start or end a range).
    Char(char),
    /// A Perl class (`\d`, `\W`, ...): the letter.
    Perl(char),
    /// A Unicode class, already in Rust syntax (`\pL`, `\P{Greek}`).
    Unicode(String),
    /// Passed through for the `regex` crate to judge.
    Raw(String),
}

/// Longest text between `[` and `]` of a POSIX class we look at (`:^xdigit:` plus slack).
const POSIX_NAME_MAX: usize = 16;

/// One item of a class, in order.
enum Item {
    Atom(Atom),
    Range(char, char),
    /// `[:alpha:]`, `[:^digit:]` (same syntax in both engines).
    Posix(String),
}

struct Translator<'a> {
    src: &'a str,
    pos: usize,
    out: String,
}

fn err<T>(message: impl Into<String>, offset: usize) -> Result<T, Re2Error> {
    Err(Re2Error {
        message: message.into(),
        offset,
    })
}

/// Whether `rest` (the text after a `{`) starts a repetition Go accepts: `{n}`, `{n,}`, `{n,m}`.
fn is_repetition(rest: &str) -> bool {
    let b = rest.as_bytes();
    let digits = |from: usize| b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let n = digits(0);
    if n == 0 {
        return false;
    }
    match b.get(n) {
        Some(b'}') => true,
        Some(b',') => {
            let m = digits(n + 1);
            b.get(n + 1 + m) == Some(&b'}')
        }
        _ => false,
    }
}

/// Characters a Rust class needs escaped to stay literal.
fn push_class_char(out: &mut String, c: char) {
    if matches!(c, '[' | ']' | '\\' | '^' | '-' | '&' | '~') {
        out.push('\\');
        out.push(c);
    } else if c.is_ascii_control() {
        out.push_str(&format!("\\x{:02X}", c as u32));
    } else {
        out.push(c);
    }
}

/// A literal character outside a class.
fn push_literal(out: &mut String, c: char) {
    if regex_syntax::is_meta_character(c) {
        out.push('\\');
        out.push(c);
    } else if c.is_ascii_control() {
        out.push_str(&format!("\\x{:02X}", c as u32));
    } else {
        out.push(c);
    }
}

/// RE2's Perl classes (always ASCII) as class items, for use inside a Unicode-mode class.
fn perl_ascii(letter: char) -> &'static str {
    match letter {
        'd' => "0-9",
        'D' => "[^0-9]",
        'w' => "0-9A-Za-z_",
        'W' => "[^0-9A-Za-z_]",
        's' => "\\t\\n\\x0C\\r ",
        _ => "[^\\t\\n\\x0C\\r ]",
    }
}

impl Translator<'_> {
    fn peek(&self) -> Option<char> {
        self.src[self.pos..].chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn rest(&self) -> &str {
        &self.src[self.pos..]
    }

    fn run(&mut self) -> Result<(), Re2Error> {
        while let Some(c) = self.bump() {
            match c {
                '\\' => self.escape()?,
                '[' => self.class()?,
                '{' => {
                    if is_repetition(self.rest()) {
                        self.out.push('{');
                    } else {
                        self.out.push_str("\\{");
                    }
                }
                '(' => {
                    let rest = self.rest();
                    if rest.starts_with("?=")
                        || rest.starts_with("?!")
                        || rest.starts_with("?<=")
                        || rest.starts_with("?<!")
                    {
                        return err(
                            "look-around (look-ahead, look-behind) is not supported, by RE2 either",
                            self.pos - 1,
                        );
                    }
                    if rest.starts_with("?P=") || rest.starts_with("?P>") {
                        return err("back-references are not supported", self.pos - 1);
                    }
                    self.out.push('(');
                }
                _ => self.out.push(c),
            }
        }
        Ok(())
    }

    /// `\p…`/`\P…` after the letter has been read; returns Rust syntax (negation folded in).
    fn unicode_class(&mut self, negated: bool, at: usize) -> Result<String, Re2Error> {
        let name = match self.bump() {
            Some('{') => {
                let Some(end) = self.rest().find('}') else {
                    return err("unclosed Unicode class name", at);
                };
                let name = self.rest()[..end].to_string();
                self.pos += end + 1;
                name
            }
            Some(c) => c.to_string(),
            None => return err("missing Unicode class name", at),
        };
        let (negated, name) = match name.strip_prefix('^') {
            Some(n) => (!negated, n.to_string()),
            None => (negated, name),
        };
        Ok(format!("\\{}{{{name}}}", if negated { 'P' } else { 'p' }))
    }

    /// An octal escape whose first digit has been read; returns its character.
    fn octal(&mut self, first: char, at: usize) -> Result<char, Re2Error> {
        let next_octal = |t: &Self| t.peek().filter(|c| ('0'..='7').contains(c));
        if first != '0' && next_octal(self).is_none() {
            return err(
                format!("back-reference \\{first} is not supported (RE2 has none either)"),
                at,
            );
        }
        let mut value = first.to_digit(8).unwrap_or(0);
        for _ in 0..2 {
            match next_octal(self) {
                Some(c) => {
                    self.pos += 1;
                    value = value * 8 + c.to_digit(8).unwrap_or(0);
                }
                None => break,
            }
        }
        char::from_u32(value).map_or_else(|| err("invalid octal escape", at), Ok)
    }

    /// `\x41`, `\x{263a}` after the `x`: the character.
    fn hex(&mut self, at: usize) -> Result<char, Re2Error> {
        let digits = if self.peek() == Some('{') {
            let Some(end) = self.rest().find('}') else {
                return err("unclosed \\x{…} escape", at);
            };
            let d = self.rest()[1..end].to_string();
            self.pos += end + 1;
            d
        } else {
            let d: String = self.rest().chars().take(2).collect();
            if d.len() != 2 {
                return err("\\x needs two hex digits", at);
            }
            self.pos += 2;
            d
        };
        u32::from_str_radix(&digits, 16)
            .ok()
            .and_then(char::from_u32)
            .map_or_else(|| err("invalid \\x escape", at), Ok)
    }

    /// An escape outside a class (the backslash has been read).
    fn escape(&mut self) -> Result<(), Re2Error> {
        let at = self.pos - 1;
        let Some(c) = self.bump() else {
            return err("trailing backslash", at);
        };
        match c {
            'Q' => {
                let end = self.rest().find("\\E").unwrap_or(self.rest().len());
                let quoted = &self.src[self.pos..self.pos + end];
                for q in quoted.chars() {
                    push_literal(&mut self.out, q);
                }
                self.pos = (self.pos + end + 2).min(self.src.len());
            }
            'E' => {} // a stray \E ends nothing (RE2 ignores it too)
            'p' | 'P' => {
                let class = self.unicode_class(c == 'P', at)?;
                self.out.push_str("(?u:");
                self.out.push_str(&class);
                self.out.push(')');
            }
            'C' => self.out.push_str("(?s-u:.)"),
            '0'..='7' => {
                let ch = self.octal(c, at)?;
                push_literal(&mut self.out, ch);
            }
            '8' | '9' => return err(format!("back-reference \\{c} is not supported"), at),
            'x' => {
                let ch = self.hex(at)?;
                push_literal(&mut self.out, ch);
            }
            // Perl-style escapes both engines read the same way.
            'a' | 'f' | 't' | 'n' | 'r' | 'v' | 'A' | 'b' | 'B' | 'z' | 'd' | 'D' | 's' | 'S' | 'w' | 'W' => {
                self.out.push('\\');
                self.out.push(c);
            }
            c if c.is_ascii_punctuation() => push_literal(&mut self.out, c),
            // Anything else is not RE2 either: let the regex crate name it.
            c => {
                self.out.push('\\');
                self.out.push(c);
            }
        }
        Ok(())
    }

    /// One class item (not `]`, not a POSIX class) whose first character `c` has been read.
    fn class_atom(&mut self, c: char) -> Result<Atom, Re2Error> {
        if c != '\\' {
            return Ok(Atom::Char(c));
        }
        let at = self.pos - 1;
        let Some(e) = self.bump() else {
            return err("trailing backslash in class", at);
        };
        Ok(match e {
            'd' | 'D' | 's' | 'S' | 'w' | 'W' => Atom::Perl(e),
            'p' | 'P' => Atom::Unicode(self.unicode_class(e == 'P', at)?),
            '0'..='7' => Atom::Char(self.octal(e, at)?),
            'x' => Atom::Char(self.hex(at)?),
            'a' => Atom::Char('\x07'),
            'f' => Atom::Char('\x0C'),
            't' => Atom::Char('\t'),
            'n' => Atom::Char('\n'),
            'r' => Atom::Char('\r'),
            'v' => Atom::Char('\x0B'),
            e if e.is_ascii_punctuation() => Atom::Char(e),
            e => Atom::Raw(format!("\\{e}")),
        })
    }

    /// A bracketed class (the `[` has been read).
    fn class(&mut self) -> Result<(), Re2Error> {
        let at = self.pos - 1;
        let negated = self.peek() == Some('^');
        if negated {
            self.pos += 1;
        }
        let mut items: Vec<Item> = Vec::new();
        let mut unicode = false;
        let mut first = true;
        loop {
            let Some(c) = self.bump() else {
                return err("missing closing ] of a character class", at);
            };
            if c == ']' && !first {
                break;
            }
            first = false;
            if c == '[' && self.peek() == Some(':') {
                // Class names are short: look no further than the longest (`[:^xdigit:]`), so a
                // hostile `[[:[[:[[:…` stays linear.
                let head = &self.rest()[..self.rest().len().min(POSIX_NAME_MAX)];
                if let Some(end) = head.find(":]") {
                    let name = &self.rest()[1..end];
                    let bare = name.strip_prefix('^').unwrap_or(name);
                    if !bare.is_empty() && bare.bytes().all(|b| b.is_ascii_lowercase()) {
                        items.push(Item::Posix(format!("[:{name}:]")));
                        self.pos += end + 2;
                        continue;
                    }
                }
            }
            let lo = self.class_atom(c)?;
            let is_range = matches!(lo, Atom::Char(_))
                && self.peek() == Some('-')
                && self.rest().chars().nth(1).is_some_and(|n| n != ']');
            if let (true, Atom::Char(lo)) = (is_range, &lo) {
                self.pos += 1;
                let hi_first = self.bump().unwrap_or(']');
                let hi = match self.class_atom(hi_first)? {
                    Atom::Char(h) => h,
                    _ => return err("invalid character class range", at),
                };
                if hi < *lo {
                    return err("invalid character class range", at);
                }
                unicode |= !hi.is_ascii() || !lo.is_ascii();
                items.push(Item::Range(*lo, hi));
                continue;
            }
            match &lo {
                Atom::Unicode(_) => unicode = true,
                Atom::Char(ch) => unicode |= !ch.is_ascii(),
                _ => {}
            }
            items.push(Item::Atom(lo));
        }
        if unicode {
            self.out.push_str("(?u:");
        }
        self.out.push('[');
        if negated {
            self.out.push('^');
        }
        for item in &items {
            match item {
                Item::Range(lo, hi) => {
                    push_class_char(&mut self.out, *lo);
                    self.out.push('-');
                    push_class_char(&mut self.out, *hi);
                }
                Item::Posix(p) => self.out.push_str(p),
                Item::Atom(Atom::Char(ch)) => push_class_char(&mut self.out, *ch),
                Item::Atom(Atom::Perl(l)) if unicode => self.out.push_str(perl_ascii(*l)),
                Item::Atom(Atom::Perl(l)) => {
                    self.out.push('\\');
                    self.out.push(*l);
                }
                Item::Atom(Atom::Unicode(u) | Atom::Raw(u)) => self.out.push_str(u),
            }
        }
        self.out.push(']');
        if unicode {
            self.out.push(')');
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::translate;
    use regex::bytes::RegexBuilder;

    /// Translates and compiles the way leakless builds every pattern (bytes, ASCII classes).
    fn re(go: &str) -> regex::bytes::Regex {
        let rust = translate(go).unwrap_or_else(|e| panic!("{go}: {e}"));
        RegexBuilder::new(&rust)
            .unicode(false)
            .build()
            .unwrap_or_else(|e| panic!("{go} -> {rust}: {e}"))
    }

    fn is(go: &str, hay: &str) -> bool {
        re(go).is_match(hay.as_bytes())
    }

    #[test]
    fn literal_braces_go_accepts() {
        assert!(is(r"^\{\{[ \t]*[\w ().|]+[ \t]*}}$", "{{ .Values.x }}"));
        assert!(is(r"['\x22]?\$?{{[^}]+}}", "${{secrets.X}}"));
        assert!(is(r"^\${(?:[A-Z_]+|[a-z_]+)}$", "${HOME}"));
        assert!(is(r"^\$(?:\d+|{\d+})$", "${12}"));
        assert!(is(r"a{,3}", "a{,3}"));
        assert!(!is(r"^a{,3}$", "aa"));
        assert!(is(r"x{", "x{"));
        assert!(is(r"x{a}", "x{a}"));
        assert!(is(r"^\{\d{0,2}}$", "{12}"));
        // Valid repetitions stay repetitions.
        assert!(is(r"^a{2,3}$", "aaa"));
        assert!(is(r"^a{2,}$", "aaaa"));
        assert!(!is(r"^a{2}$", "a{2}"));
    }

    #[test]
    fn quoted_literals_and_anchors() {
        assert!(is(r"\Qa.b*c\E+", "a.b*cc"));
        assert!(!is(r"^\Qa.b\E$", "axb"));
        assert!(is(r"\Q[x]", "[x]"));
        assert!(is(r"end\z", "the end"));
        assert!(!is(r"end\z", "end\n"));
    }

    #[test]
    fn classes_keep_go_meaning() {
        // A `[` inside a class is a literal in Go.
        assert!(is(r"^[\w[]+$", "a[b"));
        // && and ~~ are literals in Go classes.
        assert!(is(r"^[a&&b]+$", "a&b"));
        assert!(is(r"^[~~x]+$", "~x"));
        // `]` first is a literal; `-` last is a literal.
        assert!(is(r"^[]a]+$", "]a"));
        assert!(is(r"^[^]]+$", "ab"));
        assert!(is(r"^[a-]+$", "a-"));
        assert!(is(r"^[\w .-/]+$", "a/b.c"));
        assert!(is(r"^[[:alnum:]]{3}$", "aZ9"));
        assert!(is(r"^[[:^digit:]]+$", "abc"));
        assert!(!is(r"^[[:^digit:]]+$", "a1"));
        assert!(is(r"^[\x60'\x22\s=]+$", "`' ="));
    }

    #[test]
    fn inline_flags_and_groups() {
        assert!(is(r"(?i)abc", "ABC"));
        assert!(is(r"\b(p8e-(?i)[a-z0-9]{4})", "p8e-AbC1"));
        assert!(!is(r"(?i)x(?-i:acc)", "XACC"));
        assert!(is(r"(?s:a.b)", "a\nb"));
        assert!(!is(r"a.b", "a\nb"));
        assert!(is(r"(?P<secret>abc)", "abc"));
        assert!(is(r"(?U)a+", "a"));
    }

    #[test]
    fn go_escapes() {
        assert!(is(r"\<tag\>", "<tag>"));
        assert!(is(r"^\101\0$", "A\0"));
        assert!(is(r"^[\101-\103]+$", "ABC"));
        assert!(is(r"\x{41}", "A"));
        assert!(is(r"\C", "x"));
        assert!(is(r"a\/b\-c\!", "a/b-c!"));
    }

    #[test]
    fn unicode_classes_leave_the_rest_ascii() {
        assert!(is(r"^\pL+$", "héllo"));
        assert!(is(r"^\p{Greek}+$", "αβγ"));
        assert!(is(r"^\p{^Greek}+$", "abc"));
        assert!(is(r"^[\pL\d]+$", "é1"));
        assert!(!is(r"^[\pL\d]+$", "é١")); // Arabic-Indic digit: \d stays ASCII as in RE2
        assert!(is(r"^[\p{Lu}\W]+$", "É-"));
        // \w outside stays ASCII.
        assert!(!is(r"^\w+$", "é"));
    }

    #[test]
    fn no_equivalent_is_an_error() {
        for bad in [r"(a)\1", r"(?=x)", r"(?<!x)y", r"a\9", r"(?P=n)"] {
            assert!(translate(bad).is_err(), "{bad}");
        }
        let e = translate(r"ab(?=c)").expect_err("look-ahead");
        assert_eq!(e.offset, 2);
    }

    #[test]
    fn unchanged_patterns_are_borrowed() {
        for p in [r"abc", r"AKIA[0-9A-Z]{16}", r"(?i)\b(ghp_[a-z0-9]{36})\b"] {
            assert!(matches!(translate(p), Ok(std::borrow::Cow::Borrowed(_))), "{p}");
        }
    }

    #[test]
    fn hostile_patterns_stay_linear() {
        // Each of these would rescan the rest of the pattern per occurrence if searched
        // unboundedly; at 300k characters that is minutes, not milliseconds.
        for unit in ["[[:", "\\x{", "{1", "[\\p{"] {
            let p = format!("[a]{}", unit.repeat(100_000));
            let _ = translate(&p);
        }
    }

    #[test]
    fn hostile_patterns_do_not_panic() {
        for p in [
            "[",
            "\\",
            "\\p",
            "\\p{",
            "\\x",
            "\\x{",
            "\\x{zz}",
            "[a-",
            "[z-a]",
            "[\\",
            "\\Q",
            "{",
            "é{",
            "[é-",
            "[[:",
            "[[:x",
            "\\0777",
            "\\x{110000}",
        ] {
            let _ = translate(p);
        }
    }
}
