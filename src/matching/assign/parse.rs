//! Finding `KEY = value` pairs in config files and code, with exact byte spans.
//!
//! Two parsers cover the formats:
//! - a line parser for line-oriented config: `.env` (quotes, `export`, comments, multiline quoted
//!   values), YAML (`key: value`, `- KEY=value` lists, Kubernetes `name:`/`value:` env entries,
//!   `kind: Secret` `data:`), TOML, INI, properties, shell, Dockerfile `ENV`/`ARG`, HCL;
//! - a regex for quoted assignments anywhere (JSON, code: `KEY = "..."`, `key: '...'`,
//!   `"key": "..."`, `const KEY = "..."`, `key => "..."`, `key := "..."`).
//!
//! Neither is a full grammar: each aims at the shapes secrets are committed in, and both give the
//! exact span of the value so findings point at the right column.

use compact_str::CompactString;

/// How a file's assignments are parsed, decided from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `.env`, `.env.*`, `*.env`.
    Dotenv,
    /// YAML (compose, Kubernetes, CI, Helm, kubeconfig).
    Yaml,
    /// JSON.
    Json,
    /// TOML, INI, properties, shell, Dockerfile, HCL.
    Config,
    /// Source code: only quoted values count.
    Code,
    /// Unknown (stdin, decoded data): both parsers.
    Unknown,
}

impl Format {
    /// Whether the format is line-oriented config (always parsed, unquoted values count).
    pub fn is_config(self) -> bool {
        matches!(self, Self::Dotenv | Self::Yaml | Self::Json | Self::Config)
    }
}

/// How a value is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// As written.
    Plain,
    /// Base64 (Kubernetes `Secret` `data:`, kubeconfig `*-key-data`, docker `auth`).
    Base64,
}

/// One `key = value` with byte spans.
#[derive(Debug, Clone)]
pub struct Assign {
    /// The key as written (Kubernetes env entries: the `name:`); inline up to 24 bytes, so most
    /// assignments cost no allocation (a file of code has thousands of candidates).
    pub key: CompactString,
    /// Byte offset where the key starts.
    pub key_start: usize,
    /// Value span (inside quotes).
    pub value: (usize, usize),
    /// How the value is encoded.
    pub encoding: Encoding,
    in_data: bool,
}

/// Lockfiles, minified and generated files: never parsed for assignments.
pub fn is_generated(name: &str) -> bool {
    const NAMES: &[&str] = &[
        "package-lock.json",
        "npm-shrinkwrap.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        "cargo.lock",
        "poetry.lock",
        "pipfile.lock",
        "gemfile.lock",
        "composer.lock",
        "go.sum",
        "packages.lock.json",
        "flake.lock",
    ];
    NAMES.contains(&name)
        || [".lock", ".min.js", ".min.css", ".map", ".svg", ".snap"]
            .iter()
            .any(|e| name.ends_with(e))
}

/// The format of a path, or `None` for files the detector leaves alone (docs, data, binaries).
pub fn format_for(path: &str) -> Option<Format> {
    let name = path
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(path)
        .to_ascii_lowercase();
    if is_generated(&name) {
        return None;
    }
    if name == ".env" || name.starts_with(".env.") || name.ends_with(".env") {
        return Some(Format::Dotenv);
    }
    if name == "dockerfile" || name.starts_with("dockerfile.") || name.ends_with(".dockerfile") {
        return Some(Format::Config);
    }
    if matches!(name.as_str(), "config" | "kubeconfig" | ".dockercfg") {
        return Some(if name == ".dockercfg" {
            Format::Json
        } else {
            Format::Yaml
        });
    }
    if matches!(
        name.as_str(),
        ".envrc" | ".npmrc" | ".pypirc" | ".netrc" | ".bashrc" | ".zshrc" | ".profile"
    ) {
        return Some(Format::Config);
    }
    let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
    Some(match ext {
        "yml" | "yaml" => Format::Yaml,
        "json" | "jsonc" | "json5" => Format::Json,
        "toml" | "ini" | "cfg" | "conf" | "properties" | "sh" | "bash" | "zsh" | "ksh" | "tfvars" | "hcl"
        | "tf" | "envrc" | "cnf" => Format::Config,
        "py" | "js" | "mjs" | "cjs" | "ts" | "mts" | "cts" | "tsx" | "jsx" | "go" | "rb" | "java" | "kt"
        | "kts" | "cs" | "php" | "rs" | "swift" | "scala" | "groovy" | "gradle" | "dart" | "ex" | "exs"
        | "clj" | "lua" | "pl" | "r" | "vue" | "svelte" | "c" | "cc" | "cpp" | "h" | "hpp" | "m" | "ps1"
        | "psm1" | "erb" | "jinja" | "j2" | "tpl" => Format::Code,
        _ => return None,
    })
}

/// All assignments of `data`, sorted by value start, one per value span.
pub fn parse(data: &[u8], format: Format) -> Vec<Assign> {
    parse_within(data, format, &[(0, data.len())])
}

/// Like [`parse`], but quoted assignments (JSON, code) are only looked for in the given byte
/// ranges (whole lines, sorted, not overlapping): the quoted-assignment regex is the detector's
/// most expensive part, and a generic secret's key always holds a detector keyword, so callers
/// pass the lines around keyword hits and provider matches.
pub fn parse_within(data: &[u8], format: Format, ranges: &[(usize, usize)]) -> Vec<Assign> {
    let mut out = Vec::new();
    let quoted_in = |out: &mut Vec<Assign>| {
        for &(s, e) in ranges {
            quoted(&data[s..e], s, out);
        }
    };
    match format {
        Format::Dotenv | Format::Config => lines(data, false, &mut out),
        Format::Yaml => lines(data, true, &mut out),
        Format::Json | Format::Code => quoted_in(&mut out),
        Format::Unknown => {
            lines(data, true, &mut out);
            quoted_in(&mut out);
        }
    }
    if matches!(format, Format::Json | Format::Unknown) {
        for a in &mut out {
            if a.key == "auth" {
                a.encoding = Encoding::Base64;
            }
        }
    }
    out.sort_by_key(|a| (a.value.0, a.value.1));
    out.dedup_by_key(|a| a.value.0);
    out
}

/// Quoted assignments anywhere in `data` (JSON, code); `base` is `data`'s offset in the blob.
///
/// `KEY <op> "value"` with `op` one of `=`, `:`, `:=`, `=>`, the key optionally quoted and
/// followed by `]`, the value in `"`, `'` or backticks on one line (optionally prefixed `r`, `b`,
/// `u`, `f`). A hand-written scan: every quote is tried as the opening quote of a value by
/// reading the context to its left; a quote that does not open a value has its string skipped.
fn quoted(data: &[u8], base: usize, out: &mut Vec<Assign>) {
    let mut i = 0;
    while let Some(off) = memchr::memchr3(b'"', b'\'', b'`', &data[i..]) {
        let q = i + off;
        let Some(close) = closing_quote_on_line(data, q) else {
            i = q + 1;
            continue;
        };
        if let Some((ks, ke)) = key_before_value(data, q) {
            let key = String::from_utf8_lossy(&data[ks..ke]);
            let key = key.trim_start_matches(['$', ':']);
            if !key.is_empty() {
                out.push(Assign {
                    key: CompactString::from(key),
                    key_start: base + ks,
                    value: (base + q + 1, base + close),
                    encoding: Encoding::Plain,
                    in_data: false,
                });
            }
        }
        i = close + 1;
    }
}

/// The closing quote of the string opened at `q`, on the same line (backslash escapes honoured,
/// except in backticks).
fn closing_quote_on_line(data: &[u8], q: usize) -> Option<usize> {
    let quote = data[q];
    let mut j = q + 1;
    while j < data.len() {
        match data[j] {
            b'\n' => return None,
            b'\\' if quote != b'`' => j += 2,
            b if b == quote => return Some(j),
            _ => j += 1,
        }
    }
    None
}

/// If the quote at `q` opens the value of `KEY <op>`, the key's byte range.
fn key_before_value(data: &[u8], q: usize) -> Option<(usize, usize)> {
    let mut j = q;
    // String prefix: r"", b'', u"", f"", rb"".
    let mut prefix = 0;
    while prefix < 2 && j > 0 && matches!(data[j - 1], b'r' | b'b' | b'u' | b'R' | b'B' | b'U' | b'f') {
        j -= 1;
        prefix += 1;
    }
    if prefix > 0 && j > 0 && is_key_byte(data[j - 1]) {
        return None; // part of an identifier (`attr"`), not a prefix
    }
    let skip_spaces = |mut j: usize| {
        let mut n = 0;
        while n < 3 && j > 0 && matches!(data[j - 1], b' ' | b'\t') {
            j -= 1;
            n += 1;
        }
        j
    };
    j = skip_spaces(j);
    // Operator.
    if j == 0 {
        return None;
    }
    match data[j - 1] {
        b'=' => {
            j -= 1;
            if j > 0 && data[j - 1] == b':' {
                j -= 1;
            } else if j > 0 && matches!(data[j - 1], b'=' | b'!' | b'<' | b'>') {
                return None;
            }
        }
        b'>' if j >= 2 && data[j - 2] == b'=' => {
            j -= 2;
            if j > 0 && matches!(data[j - 1], b'=' | b'!' | b'<' | b'>') {
                return None;
            }
        }
        b':' => j -= 1,
        _ => return None,
    }
    j = skip_spaces(j);
    if j > 0 && data[j - 1] == b']' {
        j = skip_spaces(j - 1);
    }
    if j > 0 && matches!(data[j - 1], b'"' | b'\'') {
        j -= 1;
    }
    let ke = j;
    while j > 0 && ke - j < 81 && (is_key_byte(data[j - 1]) || data[j - 1] == b'$') {
        j -= 1;
    }
    if j > 0 && data[j - 1] == b':' && ke - j < 81 {
        j -= 1;
    }
    if j == ke {
        return None;
    }
    let first = data[j];
    if !(first.is_ascii_alphabetic() || matches!(first, b'_' | b'$' | b':')) {
        return None;
    }
    if j > 0 && (data[j - 1].is_ascii_alphanumeric() || matches!(data[j - 1], b'_' | b'-')) {
        return None;
    }
    Some((j, ke))
}

fn is_key_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')
}

fn skip_blank(data: &[u8], mut i: usize, end: usize) -> usize {
    while i < end && matches!(data[i], b' ' | b'\t') {
        i += 1;
    }
    i
}

/// Multiline quoted values are followed at most this far.
const MAX_QUOTED: usize = 64 * 1024;

/// Finds the closing `q` from `i` (just after the opening quote); double quotes honour `\`;
/// with `doubled` (YAML single quotes) `''` is a quote inside the value.
fn closing_quote(data: &[u8], i: usize, q: u8, multiline: bool, doubled: bool) -> Option<usize> {
    let limit = (i + MAX_QUOTED).min(data.len());
    let mut j = i;
    while j < limit {
        match data[j] {
            b'\\' if q == b'"' => j += 2,
            b'\n' if !multiline => return None,
            b if b == q && doubled && data.get(j + 1) == Some(&q) => j += 2,
            b if b == q => return Some(j),
            _ => j += 1,
        }
    }
    None
}

/// Per-document state of the YAML parser (Kubernetes `Secret` detection).
#[derive(Default)]
struct Doc {
    start: usize,
    secret: bool,
    data_indent: Option<usize>,
    /// The last `name:` of a `- name: X` / `value: Y` env entry, with its key column.
    env_name: Option<(String, usize, usize)>,
}

fn end_doc(doc: &mut Doc, out: &mut [Assign]) {
    let next_start = out.len();
    if doc.secret {
        for a in &mut out[doc.start..] {
            if a.in_data {
                a.encoding = Encoding::Base64;
            }
        }
    }
    *doc = Doc {
        start: next_start,
        ..Doc::default()
    };
}

/// The line parser.
#[allow(clippy::too_many_lines)]
fn lines(data: &[u8], yaml: bool, out: &mut Vec<Assign>) {
    let first = out.len();
    let mut doc = Doc {
        start: first,
        ..Doc::default()
    };
    let mut pos = 0;
    while pos < data.len() {
        let eol = memchr::memchr(b'\n', &data[pos..]).map_or(data.len(), |n| pos + n);
        let mut next = eol + 1;
        let mut i = skip_blank(data, pos, eol);
        let indent = i - pos;
        let line = &data[i..eol];
        if yaml && line.starts_with(b"---") {
            end_doc(&mut doc, out);
            pos = next;
            continue;
        }
        if line.is_empty() || matches!(line[0], b'#' | b';' | b'!' | b'\r') || line.starts_with(b"//") {
            pos = next;
            continue;
        }
        if let Some(d) = doc.data_indent {
            if indent <= d {
                doc.data_indent = None;
            }
        }
        let mut list_item = false;
        if data[i] == b'-' && i + 1 < eol && data[i + 1] == b' ' {
            list_item = true;
            i = skip_blank(data, i + 2, eol);
        }
        let mut space_sep = false;
        for (prefix, spaced) in [
            (&b"export "[..], false),
            (b"readonly ", false),
            (b"local ", false),
            (b"declare -x ", false),
            (b"set ", false),
            (b"ENV ", true),
            (b"ARG ", false),
        ] {
            if data[i..eol].starts_with(prefix) {
                i = skip_blank(data, i + prefix.len(), eol);
                space_sep = spaced;
                break;
            }
        }
        // `- "KEY=value"` (compose environment list, quoted).
        let mut lo = i;
        let mut hi = eol;
        if list_item && i < eol && matches!(data[i], b'"' | b'\'') {
            if let Some(c) = closing_quote(data, i + 1, data[i], false, false) {
                if memchr::memchr(b'=', &data[i + 1..c]).is_some() {
                    lo = i + 1;
                    hi = c;
                }
            }
        }
        i = lo;
        // The key.
        let (key_start, key_end, after_key) = if i < hi && matches!(data[i], b'"' | b'\'') {
            match closing_quote(data, i + 1, data[i], false, false) {
                Some(c) if c < hi => (i + 1, c, c + 1),
                _ => {
                    pos = next;
                    continue;
                }
            }
        } else {
            let mut j = i;
            while j < hi && is_key_byte(data[j]) {
                j += 1;
            }
            (i, j, j)
        };
        if key_end == key_start {
            pos = next;
            continue;
        }
        // Bytes until the line is an assignment: most lines are not, and a string per line
        // was a tenth of a scan's allocations.
        let key = &data[key_start..key_end];
        let mut j = skip_blank(data, after_key, hi);
        let blank = j > after_key;
        // The separator.
        if j < hi && data[j] == b'=' && data.get(j + 1) != Some(&b'=') {
            j += 1;
        } else if data[j..hi].starts_with(b":=") {
            j += 2;
        } else if j < hi && data[j] == b':' && (j + 1 >= hi || matches!(data[j + 1], b' ' | b'\t' | b'\r')) {
            j += 1;
        } else if !(space_sep && blank && j < hi) {
            pos = next;
            continue;
        }
        j = skip_blank(data, j, hi);
        let key_col = key_start - pos;
        // The value.
        let (vs, ve) = if j < hi && matches!(data[j], b'"' | b'\'' | b'`') {
            let q = data[j];
            match closing_quote(data, j + 1, q, hi == eol, yaml && q == b'\'') {
                Some(c) if c <= hi || hi == eol => {
                    if c > eol {
                        next = memchr::memchr(b'\n', &data[c..]).map_or(data.len(), |n| c + n) + 1;
                    }
                    (j + 1, c)
                }
                _ => (j, trim_unquoted(data, j, hi)),
            }
        } else {
            (j, trim_unquoted(data, j, hi))
        };
        if yaml {
            let value = &data[vs..ve];
            if indent == 0 && key == b"kind" {
                doc.secret = value == b"Secret";
            }
            if vs == ve && (key == b"data" || key == b"binaryData") && indent == 0 {
                doc.data_indent = Some(indent);
            }
            if key == b"name" && list_item {
                doc.env_name = Some((String::from_utf8_lossy(value).into_owned(), key_col, key_start));
            }
        }
        if vs < ve && !(vs < data.len() && matches!(data[vs], b'|' | b'>') && ve - vs <= 3) {
            let mut key = CompactString::from_utf8_lossy(key);
            let mut ks = key_start;
            if yaml && key == "value" {
                if let Some((name, col, start)) = &doc.env_name {
                    if *col == key_col {
                        key = CompactString::from(name.as_str());
                        ks = *start;
                    }
                }
            }
            let encoding = if key.ends_with("key-data") || key.ends_with("token-data") {
                Encoding::Base64
            } else {
                Encoding::Plain
            };
            out.push(Assign {
                key,
                key_start: ks,
                value: (vs, ve),
                encoding,
                in_data: doc.data_indent.is_some_and(|d| indent > d),
            });
        }
        pos = next;
    }
    end_doc(&mut doc, out);
}

/// End of an unquoted value: before an inline ` #` comment and trailing blanks/CR.
fn trim_unquoted(data: &[u8], s: usize, e: usize) -> usize {
    let mut end = e;
    let mut k = s;
    while k < e {
        if data[k] == b'#' && k > s && matches!(data[k - 1], b' ' | b'\t') {
            end = k;
            break;
        }
        k += 1;
    }
    while end > s && matches!(data[end - 1], b' ' | b'\t' | b'\r') {
        end -= 1;
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv(data: &str, f: Format) -> Vec<(String, String, Encoding)> {
        parse(data.as_bytes(), f)
            .into_iter()
            .map(|a| {
                (
                    a.key.to_string(),
                    data[a.value.0..a.value.1].to_string(),
                    a.encoding,
                )
            })
            .collect()
    }

    fn pairs(data: &str, f: Format) -> Vec<(String, String)> {
        kv(data, f).into_iter().map(|(k, v, _)| (k, v)).collect()
    }

    fn p(k: &str, v: &str) -> (String, String) {
        (k.to_string(), v.to_string())
    }

    #[test]
    fn dotenv() {
        let env = "# c\nexport A_TOKEN=abc123 # note\nB=\"x y\"\nC='q'\nMULTI=\"line1\nline2\"\nD=\nE=${X}\n";
        assert_eq!(
            pairs(env, Format::Dotenv),
            vec![
                p("A_TOKEN", "abc123"),
                p("B", "x y"),
                p("C", "q"),
                p("MULTI", "line1\nline2"),
                p("E", "${X}")
            ]
        );
    }

    #[test]
    fn yaml_compose_and_k8s() {
        let y = "services:\n  api:\n    environment:\n      DB_PASSWORD: hunter22\n      - API_TOKEN=abc\n      - \"X_SECRET=q1\"\n";
        assert_eq!(
            pairs(y, Format::Yaml),
            vec![
                p("DB_PASSWORD", "hunter22"),
                p("API_TOKEN", "abc"),
                p("X_SECRET", "q1")
            ]
        );
        // YAML single quotes: `''` is a quote inside the value.
        assert_eq!(pairs("pw: 'it''s-v'\n", Format::Yaml), vec![p("pw", "it''s-v")]);
        let k = "env:\n  - name: DB_PASSWORD\n    value: \"s3cr3tValue\"\n";
        assert_eq!(
            pairs(k, Format::Yaml),
            vec![p("name", "DB_PASSWORD"), p("DB_PASSWORD", "s3cr3tValue")]
        );
        let s = "apiVersion: v1\ndata:\n  password: aHVudGVyMg==\nkind: Secret\n---\nkind: ConfigMap\ndata:\n  x: aHVudGVyMg==\n";
        let got = kv(s, Format::Yaml);
        assert_eq!(
            got[1],
            ("password".into(), "aHVudGVyMg==".into(), Encoding::Base64)
        );
        assert_eq!(got[4], ("x".into(), "aHVudGVyMg==".into(), Encoding::Plain));
    }

    #[test]
    fn dockerfile_toml_properties() {
        let d = "FROM x\nENV API_KEY abc123\nENV A_SECRET=q\nARG B_TOKEN=r\n";
        assert_eq!(
            pairs(d, Format::Config),
            vec![p("API_KEY", "abc123"), p("A_SECRET", "q"), p("B_TOKEN", "r")]
        );
        let t = "[db]\npassword = \"pw1\"\nspring.datasource.password: pw2\nurl=http://x\n";
        assert_eq!(
            pairs(t, Format::Config),
            vec![
                p("password", "pw1"),
                p("spring.datasource.password", "pw2"),
                p("url", "http://x")
            ]
        );
    }

    #[test]
    fn code_and_json() {
        let c = "const API_KEY = \"k1\";\nclient = Foo(secret='k2')\n{\"token\": \"k3\", \"b\":\"k4\"}\n$password = \"k5\";\nx := `k6`\nif a == \"no\" {}\n";
        assert_eq!(
            pairs(c, Format::Code),
            vec![
                p("API_KEY", "k1"),
                p("secret", "k2"),
                p("token", "k3"),
                p("b", "k4"),
                p("password", "k5"),
                p("x", "k6")
            ]
        );
    }

    #[test]
    fn formats() {
        assert_eq!(format_for("a/.env.dev"), Some(Format::Dotenv));
        assert_eq!(format_for("prod.env"), Some(Format::Dotenv));
        assert_eq!(format_for("k8s/secret.yaml"), Some(Format::Yaml));
        assert_eq!(format_for("Dockerfile"), Some(Format::Config));
        assert_eq!(format_for("src/a.py"), Some(Format::Code));
        assert_eq!(format_for("package-lock.json"), None);
        assert_eq!(format_for("README.md"), None);
    }
}
