//! A Go `text/template` subset for gitleaks' `--report-format template --report-template FILE`.
//!
//! gitleaks renders its findings (a list of `Finding`, see [`super::gitleaks`]) through Go's
//! `text/template` with the sprig functions. Teams keep such templates for chat messages, HTML
//! pages and custom CSVs; this renders the common part of that language so they keep working:
//! text, `{{ .Field }}`, `{{ $var }}`, `{{ range . }}…{{ else }}…{{ end }}` (with
//! `$i, $f :=`), `{{ if }}…{{ else if }}…{{ else }}…{{ end }}`, `{{ with }}`, trim markers
//! `{{-`/`-}}`, comments, pipelines (`{{ .File | quote }}`) and the functions `len`, `quote`,
//! `squote`, `upper`, `lower`, `title`, `trim`, `join`, `toJson`, `toPrettyJson`, `default`,
//! `print`, `html`, `js`, `urlquery`, `not`, `eq`, `ne`, `and`, `or`. Anything else is an error
//! naming the construct, at parse time where possible — never a silently wrong report.

use serde_json::Value;
use thiserror::Error;

/// Why a template cannot be parsed or rendered.
#[derive(Debug, Error)]
#[error("report template: {0}")]
pub struct TemplateError(String);

fn terr<T>(m: impl Into<String>) -> Result<T, TemplateError> {
    Err(TemplateError(m.into()))
}

#[derive(Debug, Clone)]
enum Arg {
    /// `.`, `.A.B`, `$`, `$x`, `$x.A`.
    Path {
        var: Option<String>,
        fields: Vec<String>,
    },
    Str(String),
    Num(f64),
    Bool(bool),
    /// A function name (first word of a command).
    Func(String),
    /// A parenthesized pipeline.
    Sub(Box<Pipeline>),
}

#[derive(Debug, Clone)]
struct Pipeline {
    /// `$x :=` / `$i, $x :=` declarations (range only uses two).
    decl: Vec<String>,
    cmds: Vec<Vec<Arg>>,
}

#[derive(Debug, Clone)]
enum Node {
    Text(String),
    Print(Pipeline),
    If(Pipeline, Vec<Node>, Vec<Node>),
    With(Pipeline, Vec<Node>, Vec<Node>),
    Range(Pipeline, Vec<Node>, Vec<Node>),
}

/// A parsed template.
#[derive(Debug, Clone)]
pub struct Template {
    nodes: Vec<Node>,
}

/// Splits the source into text and `{{ … }}` actions, applying trim markers and dropping comments.
fn lex(src: &str) -> Result<Vec<(bool, String)>, TemplateError> {
    let mut out: Vec<(bool, String)> = Vec::new();
    let mut rest = src;
    while let Some(open) = rest.find("{{") {
        let mut text = rest[..open].to_string();
        let mut body = &rest[open + 2..];
        if let Some(b) = body.strip_prefix('-') {
            if b.starts_with([' ', '\t', '\n', '\r']) {
                text = text.trim_end().to_string();
                body = b;
            }
        }
        let Some(close) = body.find("}}") else {
            return terr("unclosed action (missing }})");
        };
        let mut action = &body[..close];
        let mut after = &body[close + 2..];
        if let Some(a) = action.strip_suffix('-') {
            if a.ends_with([' ', '\t', '\n', '\r']) {
                action = a;
                after = after.trim_start();
            }
        }
        out.push((false, text));
        let action = action.trim();
        if !(action.starts_with("/*") && action.ends_with("*/")) {
            out.push((true, action.to_string()));
        }
        rest = after;
    }
    out.push((false, rest.to_string()));
    Ok(out)
}

/// Splits an action into words (strings kept whole, parentheses separate).
fn words(action: &str) -> Result<Vec<String>, TemplateError> {
    let mut out = Vec::new();
    let chars: Vec<char> = action.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '"' || c == '`' {
            let mut j = i + 1;
            let mut s = String::new();
            while j < chars.len() && chars[j] != c {
                if c == '"' && chars[j] == '\\' && j + 1 < chars.len() {
                    j += 1;
                    s.push(match chars[j] {
                        'n' => '\n',
                        't' => '\t',
                        o => o,
                    });
                } else {
                    s.push(chars[j]);
                }
                j += 1;
            }
            if j >= chars.len() {
                return terr(format!("unterminated string in '{action}'"));
            }
            out.push(format!("\"{s}"));
            i = j + 1;
        } else if matches!(c, '(' | ')' | '|') {
            out.push(c.to_string());
            i += 1;
        } else {
            let start = i;
            while i < chars.len() && !chars[i].is_whitespace() && !matches!(chars[i], '(' | ')' | '|') {
                i += 1;
            }
            out.push(chars[start..i].iter().collect());
        }
    }
    Ok(out)
}

fn parse_arg(w: &str) -> Result<Arg, TemplateError> {
    if let Some(s) = w.strip_prefix('"') {
        return Ok(Arg::Str(s.to_string()));
    }
    if w == "true" || w == "false" {
        return Ok(Arg::Bool(w == "true"));
    }
    if let Ok(n) = w.parse::<f64>() {
        return Ok(Arg::Num(n));
    }
    let split =
        |s: &str| -> Vec<String> { s.split('.').filter(|f| !f.is_empty()).map(String::from).collect() };
    if w.starts_with('.') {
        return Ok(Arg::Path {
            var: None,
            fields: split(w),
        });
    }
    if let Some(v) = w.strip_prefix('$') {
        let (name, fields) = v.split_once('.').map_or((v, ""), |(n, f)| (n, f));
        return Ok(Arg::Path {
            var: Some(name.to_string()),
            fields: split(fields),
        });
    }
    if w.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        if !FUNCS.contains(&w) {
            return terr(format!("function '{w}' is not supported"));
        }
        return Ok(Arg::Func(w.to_string()));
    }
    terr(format!("cannot read '{w}'"))
}

const FUNCS: &[&str] = &[
    "len",
    "quote",
    "squote",
    "upper",
    "lower",
    "title",
    "trim",
    "join",
    "toJson",
    "toPrettyJson",
    "default",
    "print",
    "html",
    "js",
    "urlquery",
    "not",
    "eq",
    "ne",
    "and",
    "or",
];

fn parse_pipeline(ws: &[String]) -> Result<Pipeline, TemplateError> {
    let mut ws = ws;
    let mut decl = Vec::new();
    if let Some(pos) = ws.iter().position(|w| w == ":=" || w == "=") {
        for d in &ws[..pos] {
            let d = d.trim_end_matches(',');
            let Some(name) = d.strip_prefix('$') else {
                return terr(format!("bad variable '{d}'"));
            };
            decl.push(name.to_string());
        }
        ws = &ws[pos + 1..];
    }
    let mut cmds = Vec::new();
    let mut cur: Vec<Arg> = Vec::new();
    let mut i = 0;
    while i < ws.len() {
        match ws[i].as_str() {
            "|" => cmds.push(std::mem::take(&mut cur)),
            "(" => {
                let mut depth = 1;
                let mut j = i + 1;
                while j < ws.len() && depth > 0 {
                    match ws[j].as_str() {
                        "(" => depth += 1,
                        ")" => depth -= 1,
                        _ => {}
                    }
                    j += 1;
                }
                if depth != 0 {
                    return terr("unbalanced parentheses");
                }
                cur.push(Arg::Sub(Box::new(parse_pipeline(&ws[i + 1..j - 1])?)));
                i = j;
                continue;
            }
            ")" => return terr("unbalanced parentheses"),
            w => cur.push(parse_arg(w)?),
        }
        i += 1;
    }
    cmds.push(cur);
    if cmds.iter().any(Vec::is_empty) {
        return terr("empty command in pipeline");
    }
    Ok(Pipeline { decl, cmds })
}

/// Parses nodes until `end`/`else`; returns the nodes and what stopped them.
fn parse_nodes(
    toks: &[(bool, String)],
    pos: &mut usize,
) -> Result<(Vec<Node>, Option<String>), TemplateError> {
    let mut nodes = Vec::new();
    while *pos < toks.len() {
        let (is_action, text) = &toks[*pos];
        *pos += 1;
        if !is_action {
            if !text.is_empty() {
                nodes.push(Node::Text(text.clone()));
            }
            continue;
        }
        let ws = words(text)?;
        let Some(head) = ws.first() else {
            return terr("empty action {{ }}");
        };
        match head.as_str() {
            "end" => return Ok((nodes, Some("end".into()))),
            "else" => return Ok((nodes, Some(ws[1..].join(" ")))),
            "if" | "with" | "range" => {
                let pipe = parse_pipeline(&ws[1..])?;
                let (body, stop) = parse_nodes(toks, pos)?;
                let mut else_nodes = Vec::new();
                match stop.as_deref() {
                    Some("end") => {}
                    Some("") => {
                        let (e, stop2) = parse_nodes(toks, pos)?;
                        if stop2.as_deref() != Some("end") {
                            return terr(format!("{{{{ {head} }}}} without {{{{ end }}}}"));
                        }
                        else_nodes = e;
                    }
                    Some(chain) if chain.starts_with("if ") && head == "if" => {
                        // `else if X` is an if nested in the else branch sharing the `end`.
                        let cond = parse_pipeline(&words(&chain[3..])?)?;
                        let (t, stop2) = parse_nodes(toks, pos)?;
                        let mut inner_else = Vec::new();
                        match stop2.as_deref() {
                            Some("end") => {}
                            Some("") => {
                                let (e, stop3) = parse_nodes(toks, pos)?;
                                if stop3.as_deref() != Some("end") {
                                    return terr("{{ if }} without {{ end }}");
                                }
                                inner_else = e;
                            }
                            _ => return terr("only one `else if` level is supported"),
                        }
                        else_nodes = vec![Node::If(cond, t, inner_else)];
                    }
                    _ => return terr(format!("{{{{ {head} }}}} without {{{{ end }}}}")),
                }
                nodes.push(match head.as_str() {
                    "if" => Node::If(pipe, body, else_nodes),
                    "with" => Node::With(pipe, body, else_nodes),
                    _ => Node::Range(pipe, body, else_nodes),
                });
            }
            "define" | "template" | "block" | "break" | "continue" => {
                return terr(format!("'{head}' is not supported"));
            }
            _ => nodes.push(Node::Print(parse_pipeline(&ws)?)),
        }
    }
    Ok((nodes, None))
}

impl Template {
    /// Parses a template.
    pub fn parse(src: &str) -> Result<Self, TemplateError> {
        let toks = lex(src)?;
        let mut pos = 0;
        let (nodes, stop) = parse_nodes(&toks, &mut pos)?;
        if let Some(s) = stop {
            return terr(format!(
                "unexpected {{{{ {} }}}}",
                if s == "end" { "end" } else { "else" }
            ));
        }
        Ok(Self { nodes })
    }

    /// Renders with `data` as `.` (and `$`).
    pub fn render(&self, data: &Value) -> Result<String, TemplateError> {
        let mut out = String::new();
        let mut vars: Vec<(String, Value)> = vec![(String::new(), data.clone())];
        render(&self.nodes, data, &mut vars, &mut out, 0)?;
        Ok(out)
    }
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// Go's `fmt.Sprint` of a value.
fn show(v: &Value) -> String {
    match v {
        Value::Null => "<no value>".into(),
        Value::String(s) => s.clone(),
        Value::Array(a) => format!("[{}]", a.iter().map(show).collect::<Vec<_>>().join(" ")),
        Value::Object(o) => format!(
            "map[{}]",
            o.iter()
                .map(|(k, v)| format!("{k}:{}", show(v)))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        other => other.to_string(),
    }
}

fn render(
    nodes: &[Node],
    dot: &Value,
    vars: &mut Vec<(String, Value)>,
    out: &mut String,
    depth: usize,
) -> Result<(), TemplateError> {
    if depth > 64 {
        return terr("nesting too deep");
    }
    for n in nodes {
        match n {
            Node::Text(t) => out.push_str(t),
            Node::Print(p) => {
                let v = eval(p, dot, vars)?;
                if p.decl.is_empty() {
                    out.push_str(&show(&v));
                }
            }
            Node::If(p, t, e) => {
                let v = eval(p, dot, vars)?;
                let mark = vars.len();
                render(if truthy(&v) { t } else { e }, dot, vars, out, depth + 1)?;
                vars.truncate(mark);
            }
            Node::With(p, t, e) => {
                let v = eval(p, dot, vars)?;
                let mark = vars.len();
                if truthy(&v) {
                    render(t, &v, vars, out, depth + 1)?;
                } else {
                    render(e, dot, vars, out, depth + 1)?;
                }
                vars.truncate(mark);
            }
            Node::Range(p, body, e) => {
                let v = eval(
                    &Pipeline {
                        decl: Vec::new(),
                        cmds: p.cmds.clone(),
                    },
                    dot,
                    vars,
                )?;
                let items: Vec<(Value, Value)> = match &v {
                    Value::Array(a) => a
                        .iter()
                        .enumerate()
                        .map(|(i, x)| (Value::from(i), x.clone()))
                        .collect(),
                    Value::Object(o) => o
                        .iter()
                        .map(|(k, x)| (Value::from(k.clone()), x.clone()))
                        .collect(),
                    Value::Null => Vec::new(),
                    other => return terr(format!("range over {}", show(other))),
                };
                if items.is_empty() {
                    render(e, dot, vars, out, depth + 1)?;
                    continue;
                }
                for (k, x) in items {
                    let mark = vars.len();
                    match p.decl.as_slice() {
                        [] => {}
                        [one] => vars.push((one.clone(), x.clone())),
                        [i, el, ..] => {
                            vars.push((i.clone(), k));
                            vars.push((el.clone(), x.clone()));
                        }
                    }
                    render(body, &x, vars, out, depth + 1)?;
                    vars.truncate(mark);
                }
            }
        }
    }
    Ok(())
}

fn lookup(mut v: Value, fields: &[String]) -> Value {
    for f in fields {
        v = match v {
            Value::Object(mut o) => o.remove(f).unwrap_or(Value::Null),
            _ => Value::Null,
        };
    }
    v
}

fn eval(p: &Pipeline, dot: &Value, vars: &mut Vec<(String, Value)>) -> Result<Value, TemplateError> {
    let mut prev: Option<Value> = None;
    for cmd in &p.cmds {
        prev = Some(eval_cmd(cmd, prev.take(), dot, vars)?);
    }
    let v = prev.unwrap_or(Value::Null);
    if let Some(name) = p.decl.first() {
        vars.push((name.clone(), v.clone()));
    }
    Ok(v)
}

fn eval_arg(a: &Arg, dot: &Value, vars: &mut Vec<(String, Value)>) -> Result<Value, TemplateError> {
    Ok(match a {
        Arg::Str(s) => Value::from(s.clone()),
        Arg::Num(n) => serde_json::Number::from_f64(*n).map_or(Value::Null, Value::Number),
        Arg::Bool(b) => Value::Bool(*b),
        Arg::Sub(p) => eval(p, dot, vars)?,
        Arg::Path { var: None, fields } => lookup(dot.clone(), fields),
        Arg::Path {
            var: Some(name),
            fields,
        } => {
            let base = if name.is_empty() {
                vars.first().map(|(_, v)| v.clone())
            } else {
                vars.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v.clone())
            };
            let Some(base) = base else {
                return terr(format!("undefined variable ${name}"));
            };
            lookup(base, fields)
        }
        Arg::Func(f) => call(f, &[])?,
    })
}

fn eval_cmd(
    cmd: &[Arg],
    piped: Option<Value>,
    dot: &Value,
    vars: &mut Vec<(String, Value)>,
) -> Result<Value, TemplateError> {
    match &cmd[0] {
        Arg::Func(f) => {
            let mut args = Vec::new();
            for a in &cmd[1..] {
                args.push(eval_arg(a, dot, vars)?);
            }
            args.extend(piped);
            call(f, &args)
        }
        single if cmd.len() == 1 && piped.is_none() => eval_arg(single, dot, vars),
        _ => terr("only a function can take arguments"),
    }
}

fn text(v: &Value) -> String {
    show(v)
}

fn call(f: &str, args: &[Value]) -> Result<Value, TemplateError> {
    let one = || -> Result<&Value, TemplateError> {
        args.last()
            .map_or_else(|| terr(format!("{f} needs an argument")), Ok)
    };
    Ok(match f {
        "len" => Value::from(match one()? {
            Value::Array(a) => a.len(),
            Value::Object(o) => o.len(),
            Value::String(s) => s.len(),
            other => return terr(format!("len of {}", show(other))),
        }),
        "quote" => Value::from(
            args.iter()
                .map(|a| serde_json::to_string(&text(a)).unwrap_or_default())
                .collect::<Vec<_>>()
                .join(" "),
        ),
        "squote" => Value::from(
            args.iter()
                .map(|a| format!("'{}'", text(a)))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        "upper" => Value::from(text(one()?).to_uppercase()),
        "lower" => Value::from(text(one()?).to_lowercase()),
        "title" => Value::from(
            text(one()?)
                .split(' ')
                .map(|w| {
                    let mut c = w.chars();
                    c.next()
                        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                        .unwrap_or_default()
                })
                .collect::<Vec<_>>()
                .join(" "),
        ),
        "trim" => Value::from(text(one()?).trim().to_string()),
        "join" => {
            let [sep, list] = args else {
                return terr("join needs a separator and a list");
            };
            let items: Vec<String> = match list {
                Value::Array(a) => a.iter().map(text).collect(),
                other => vec![text(other)],
            };
            Value::from(items.join(&text(sep)))
        }
        "toJson" => Value::from(serde_json::to_string(one()?).unwrap_or_default()),
        "toPrettyJson" => Value::from(serde_json::to_string_pretty(one()?).unwrap_or_default()),
        "default" => {
            let [d, v] = args else {
                return terr("default needs a default and a value");
            };
            if truthy(v) {
                v.clone()
            } else {
                d.clone()
            }
        }
        "print" => Value::from(args.iter().map(text).collect::<String>()),
        "html" => Value::from(
            text(one()?)
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&#34;")
                .replace('\'', "&#39;"),
        ),
        "js" => {
            let s = serde_json::to_string(&text(one()?)).unwrap_or_default();
            Value::from(
                s[1..s.len() - 1]
                    .replace('\'', "\\'")
                    .replace('<', "\\u003C")
                    .replace('>', "\\u003E"),
            )
        }
        "urlquery" => Value::from(
            text(one()?)
                .bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                        (b as char).to_string()
                    } else if b == b' ' {
                        "+".to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect::<String>(),
        ),
        "not" => Value::Bool(!truthy(one()?)),
        "eq" | "ne" => {
            let [a, rest @ ..] = args else {
                return terr(format!("{f} needs arguments"));
            };
            let same = |b: &Value| match (a.as_f64(), b.as_f64()) {
                (Some(x), Some(y)) => x == y,
                _ => a == b,
            };
            let eq = rest.iter().any(same);
            Value::Bool(if f == "eq" { eq } else { !eq })
        }
        "and" => args
            .iter()
            .find(|a| !truthy(a))
            .or(args.last())
            .cloned()
            .unwrap_or(Value::Null),
        "or" => args
            .iter()
            .find(|a| truthy(a))
            .or(args.last())
            .cloned()
            .unwrap_or(Value::Null),
        other => return terr(format!("function '{other}' is not supported")),
    })
}

#[cfg(test)]
mod tests {
    use super::Template;
    use serde_json::json;

    fn render(t: &str) -> String {
        let data = json!([
            {"RuleID": "aws", "File": "a.py", "StartLine": 3, "Tags": ["key", "aws"], "Commit": ""},
            {"RuleID": "gh", "File": "b \"x\".py", "StartLine": 7, "Tags": [], "Commit": "abc"}
        ]);
        Template::parse(t)
            .unwrap_or_else(|e| panic!("{t}: {e}"))
            .render(&data)
            .unwrap_or_else(|e| panic!("{t}: {e}"))
    }

    #[test]
    fn ranges_fields_and_trim_markers() {
        assert_eq!(
            render("{{ range . -}}\n{{ .RuleID }}:{{ .File }}:{{ .StartLine }}\n{{ end -}}"),
            "aws:a.py:3\ngh:b \"x\".py:7\n"
        );
        assert_eq!(render("{{ len . }} leaks"), "2 leaks");
        assert_eq!(
            render("{{ range $i, $f := . }}{{ $i }}={{ $f.RuleID }} {{ end }}"),
            "0=aws 1=gh "
        );
        assert_eq!(render("{{ range . }}{{ .Tags }}{{ end }}"), "[key aws][]");
    }

    #[test]
    fn conditions_and_functions() {
        assert_eq!(
            render("{{ range . }}{{ if .Commit }}C{{ else }}W{{ end }}{{ end }}"),
            "WC"
        );
        assert_eq!(
            render("{{ range . }}{{ .File | quote }},{{ end }}"),
            "\"a.py\",\"b \\\"x\\\".py\","
        );
        assert_eq!(
            render("{{ range . }}{{ join \",\" .Tags }};{{ end }}"),
            "key,aws;;"
        );
    }

    #[test]
    fn unsupported_is_an_error() {
        assert!(Template::parse("{{ range . }}").is_err());
        assert!(Template::parse("{{ template \"x\" }}").is_err());
        assert!(Template::parse("{{ nosuchfunc . }}").is_err());
        assert!(Template::parse("{{ .A ").is_err());
    }
}
