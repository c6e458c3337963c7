//! Helm chart templates in `leakless migrate`: a chart keeps its secret in `values.yaml` and a
//! template turns it into a `kind: Secret` (`password: {{ .Values.db.password | b64enc }}`).
//! Moving the value to the store only helps if that template stops reading it, so when the
//! template is the plain case — one `Secret` document whose every key is one `.Values` path,
//! through `b64enc`/`quote`/`default`/`required` only — its document is rewritten into the
//! operator resource of [`super::k8s`], keeping its templated metadata lines verbatim (the
//! `name:` expression becomes the generated Secret's name, so workloads are unchanged).
//!
//! Templates are Go text templates, not YAML, so they are read line by line: anything this
//! parser does not fully understand (control actions such as `if`/`range`/`with`, literal keys,
//! other functions, several documents, a templated `type`) is refused with a reason, and the
//! value stays the manual step it was. The parser scans each line once (linear time) and never
//! indexes past what it checked.

use std::ops::Range;

use serde_json::Value as Json;

use super::k8s::{self, Context, Manifest, Operator};
use super::store::Target;

/// Keywords of Go template actions that change control flow or define text: a template using
/// them is not rewritten.
const CONTROL: &[&str] = &[
    "if", "else", "range", "with", "end", "define", "template", "block", "break", "continue",
];

/// Stand-ins for the templated name and namespace while the operator resource is serialized.
const NAME_SENTINEL: &str = "leakless-helm-name-sentinel";
const NAMESPACE_SENTINEL: &str = "leakless-helm-namespace-sentinel";

/// A chart template that is one plain `kind: Secret` document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HelmSecret {
    /// Byte range of the document (the whole file minus leading/trailing marker lines).
    pub range: Range<usize>,
    /// The `metadata:` block, verbatim, every line ending in a newline.
    pub metadata: String,
    /// The `metadata.name` value, verbatim (`{{ include "app.fullname" . }}`).
    pub name: String,
    /// The `metadata.namespace` value, verbatim.
    pub namespace: Option<String>,
    /// A literal `type`.
    pub secret_type: Option<String>,
    /// Each key of the Secret and the dotted `.Values` path it reads, in file order.
    pub keys: Vec<(String, String)>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    None,
    Metadata,
    Data,
    StringData,
    Other,
}

/// Parses a chart template as a plain Secret; `Err` says why it is not one.
pub fn parse_template(text: &str) -> Result<HelmSecret, String> {
    if text.len() > k8s::MAX_MANIFEST_BYTES {
        return Err("the template is too large".into());
    }
    let docs: Vec<(Range<usize>, usize)> = k8s::documents(text)
        .into_iter()
        .filter(|(r, _)| {
            text[r.clone()]
                .lines()
                .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        })
        .collect();
    let [(range, _)] = docs.as_slice() else {
        return Err("the template holds several YAML documents".into());
    };
    let doc = &text[range.clone()];
    let mut h = HelmSecret {
        range: range.clone(),
        metadata: String::new(),
        name: String::new(),
        namespace: None,
        secret_type: None,
        keys: Vec::new(),
    };
    let (mut api, mut kind) = (false, false);
    let mut section = Section::None;
    let mut meta_indent: Option<usize> = None;
    for (n, line) in doc.split_inclusive('\n').enumerate() {
        let body = line.trim_end_matches(['\n', '\r']);
        let t = body.trim_start();
        if has_control_action(body) {
            return Err(format!(
                "line {} of the document has a control action ({{{{ if }}}}, {{{{ range }}}}, ...)",
                n + 1
            ));
        }
        if t.is_empty() || t.starts_with('#') {
            if section == Section::Metadata {
                h.metadata.push_str(line);
            }
            continue;
        }
        let indent = body.len() - t.len();
        if indent == 0 {
            if t.starts_with("{{") {
                return Err(format!("line {} is a template action at column 0", n + 1));
            }
            let (key, value) = t
                .split_once(':')
                .map(|(k, v)| (k.trim(), strip_comment(v.trim())))
                .ok_or_else(|| format!("line {} is not `key: value`", n + 1))?;
            section = match (key, value) {
                ("apiVersion", "v1") => {
                    api = true;
                    Section::Other
                }
                ("kind", "Secret") => {
                    kind = true;
                    Section::Other
                }
                ("metadata", "") => {
                    h.metadata.push_str(line);
                    Section::Metadata
                }
                ("type", v) if !v.is_empty() && !v.contains("{{") => {
                    h.secret_type = Some(v.trim_matches(['"', '\'']).to_string());
                    Section::Other
                }
                ("data", "") => Section::Data,
                ("stringData", "") => Section::StringData,
                _ => {
                    return Err(format!(
                        "top-level line {} is not apiVersion: v1, kind: Secret, metadata, a literal type, data or stringData",
                        n + 1
                    ))
                }
            };
            continue;
        }
        match section {
            Section::Metadata => {
                h.metadata.push_str(line);
                let child = *meta_indent.get_or_insert(indent);
                if indent == child {
                    if let Some((k, v)) = t.split_once(':') {
                        match k.trim() {
                            "name" => h.name = v.trim().to_string(),
                            "namespace" => h.namespace = Some(v.trim().to_string()),
                            _ => {}
                        }
                    }
                }
            }
            Section::Data | Section::StringData => {
                let (key, path) = data_line(t, section == Section::Data)
                    .map_err(|why| format!("data line {}: {why}", n + 1))?;
                if h.keys.iter().any(|(k, _)| *k == key) {
                    return Err(format!("key {key} appears twice"));
                }
                h.keys.push((key, path));
            }
            Section::None | Section::Other => {
                return Err(format!(
                    "line {} is nested under a field that takes no children",
                    n + 1
                ))
            }
        }
    }
    if !(api && kind) {
        return Err("not an apiVersion: v1 kind: Secret document".into());
    }
    if h.name.is_empty() {
        return Err("no metadata.name".into());
    }
    if h.keys.is_empty() {
        return Err("no data or stringData keys".into());
    }
    Ok(h)
}

/// A value without its trailing ` # comment`.
fn strip_comment(v: &str) -> &str {
    match v.find(" #") {
        Some(i) if !v.starts_with(['"', '\'']) => v[..i].trim_end(),
        _ => v,
    }
}

/// Whether a line holds an action whose first word is a control keyword (`{{- if ... }}`).
fn has_control_action(line: &str) -> bool {
    line.match_indices("{{").any(|(i, _)| {
        let rest = line[i + 2..].trim_start_matches('-').trim_start();
        let word_end = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        CONTROL.contains(&&rest[..word_end])
    })
}

/// `KEY: {{ .Values.a.b | b64enc | quote }}` → `(KEY, "a.b")`. In `data` the pipeline must
/// end its value part with `b64enc` (the values file holds the plain value); in `stringData`
/// it must not.
pub fn data_line(t: &str, base64: bool) -> Result<(String, String), String> {
    let (key, value) = t.split_once(':').ok_or("not `KEY: value`")?;
    let key = key.trim().trim_matches(['"', '\'']);
    if !k8s::is_secret_key(key) {
        return Err("the key is not a plain Secret key".into());
    }
    let value = value.trim();
    let inner = value
        .strip_prefix("{{")
        .and_then(|v| v.strip_suffix("}}"))
        .ok_or("the value is not one whole {{ ... }} action (a literal value stays in git)")?;
    if inner.contains("{{") || inner.contains("}}") {
        return Err("more than one action in the value".into());
    }
    let inner = inner.strip_prefix('-').unwrap_or(inner);
    let inner = inner.strip_suffix('-').unwrap_or(inner);
    let stages = pipeline(inner).ok_or("unbalanced quotes in the action")?;
    let (first, rest) = stages.split_first().ok_or("empty action")?;
    let path = match first.as_slice() {
        [p] => values_path(p),
        [f, msg, p] if f == "required" && is_string(msg) => values_path(p),
        _ => None,
    }
    .ok_or("the action does not start with .Values.<path> (or required \"...\" .Values.<path>)")?;
    // Allowed after the path: default "..." and toString, then b64enc (data only), then quote.
    let mut phase = 0;
    for stage in rest {
        let p = match stage.as_slice() {
            [f, lit] if f == "default" && is_string(lit) => 0,
            [f] if f == "toString" => 0,
            [f] if f == "b64enc" => 1,
            [f] if f == "quote" || f == "squote" => 2,
            _ => return Err("a function other than default/toString/b64enc/quote".into()),
        };
        if p < phase || (p == phase && p > 0) {
            return Err("the functions are not in the order default, b64enc, quote".into());
        }
        phase = p;
    }
    let encoded = rest.iter().any(|s| s.len() == 1 && s[0] == "b64enc");
    match (base64, encoded) {
        (true, false) => Err("a data value without b64enc: the values file holds it encoded".into()),
        (false, true) => Err("a stringData value with b64enc would be stored encoded".into()),
        _ => Ok((key.to_string(), path)),
    }
}

/// Splits an action into `|` stages of whitespace-separated words; string literals (with `\`
/// escapes) are one word. `None` on an unterminated string.
fn pipeline(s: &str) -> Option<Vec<Vec<String>>> {
    let mut stages = vec![Vec::new()];
    let mut word = String::new();
    let mut chars = s.chars();
    let flush = |word: &mut String, stages: &mut Vec<Vec<String>>| {
        if !word.is_empty() {
            if let Some(last) = stages.last_mut() {
                last.push(std::mem::take(word));
            }
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                word.push(c);
                loop {
                    let c = chars.next()?;
                    word.push(c);
                    match c {
                        '\\' => word.push(chars.next()?),
                        '"' => break,
                        _ => {}
                    }
                }
            }
            '|' => {
                flush(&mut word, &mut stages);
                stages.push(Vec::new());
            }
            c if c.is_whitespace() => flush(&mut word, &mut stages),
            c => word.push(c),
        }
    }
    flush(&mut word, &mut stages);
    stages.iter().all(|s| !s.is_empty()).then_some(stages)
}

fn is_string(w: &str) -> bool {
    w.len() >= 2 && w.starts_with('"') && w.ends_with('"')
}

/// `.Values.a.b` → `a.b` (identifier segments only: `index` and `-` keys are not handled).
fn values_path(w: &str) -> Option<String> {
    let p = w.strip_prefix(".Values.")?;
    p.split('.')
        .all(|seg| {
            seg.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && seg.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        })
        .then(|| p.to_string())
}

/// The operator resource replacing the template's Secret document: the renderer of
/// [`k8s::render`] with the template's metadata block verbatim and its name (and namespace)
/// expression wherever the resource names the Secret it writes.
pub fn render(
    ctx: &Context,
    op: Operator,
    h: &HelmSecret,
    refs: &[(String, Target)],
) -> Result<String, String> {
    let m = Manifest {
        name: NAME_SENTINEL.into(),
        namespace: h.namespace.as_ref().map(|_| NAMESPACE_SENTINEL.to_string()),
        secret_type: h.secret_type.clone(),
        ..Manifest::default()
    };
    let value: Json = k8s::resource(ctx, op, &m, refs)?;
    let spec =
        serde_yaml_ng::to_string(&value["spec"]).map_err(|e| format!("cannot write the resource: {e}"))?;
    let spec = helm_literal(&spec)?
        .replace(NAME_SENTINEL, &h.name)
        .replace(NAMESPACE_SENTINEL, h.namespace.as_deref().unwrap_or(""));
    let mut out = format!(
        "{}\napiVersion: {}\nkind: {}\n{}spec:\n",
        k8s::header(ctx, op, "templated here"),
        value["apiVersion"].as_str().unwrap_or_default(),
        value["kind"].as_str().unwrap_or_default(),
        h.metadata
    );
    for l in spec.lines() {
        out.push_str("  ");
        out.push_str(l);
        out.push('\n');
    }
    Ok(out)
}

/// The operators' own templates (`{{ get .Secrets "KEY" }}`, `{{ .KEY.Value }}`) as Helm
/// literals (``{{`{{ get .Secrets "KEY" }}`}}``), so Helm writes them out instead of running them.
fn helm_literal(yaml: &str) -> Result<String, String> {
    let mut out = String::with_capacity(yaml.len());
    let mut rest = yaml;
    while let Some(i) = rest.find("{{") {
        let len = rest[i..].find("}}").ok_or("an unbalanced {{ in the resource")? + 2;
        let action = &rest[i..i + len];
        if action.contains('`') {
            return Err("a store key is not usable in a Helm template".into());
        }
        out.push_str(&rest[..i]);
        out.push_str("{{`");
        out.push_str(action);
        out.push_str("`}}");
        rest = &rest[i + len..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migrate::store::StoreKind;

    const TEMPLATE: &str = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ include \"app.fullname\" . }}\n  labels:\n    {{- include \"app.labels\" . | nindent 4 }}\ntype: Opaque\ndata:\n  DB_PASSWORD: {{ .Values.db.password | b64enc | quote }}\nstringData:\n  token: {{ required \"token\" .Values.api.token | default \"x\" | quote }}\n";

    #[test]
    fn plain_secret_templates_are_read() {
        let h = parse_template(TEMPLATE).expect("plain");
        assert_eq!(h.name, "{{ include \"app.fullname\" . }}");
        assert_eq!(h.secret_type.as_deref(), Some("Opaque"));
        assert_eq!(
            h.keys,
            vec![
                ("DB_PASSWORD".to_string(), "db.password".to_string()),
                ("token".to_string(), "api.token".to_string())
            ]
        );
        assert!(h.metadata.starts_with("metadata:\n") && h.metadata.contains("nindent 4"));
    }

    #[test]
    fn anything_else_is_refused() {
        let cases = [
            (
                "literal",
                TEMPLATE.replace("stringData:\n", "stringData:\n  user: admin\n"),
            ),
            (
                "range",
                TEMPLATE.replace(
                    "data:\n",
                    "data:\n{{- range $k, $v := .Values.x }}\n  {{ $k }}: {{ $v }}\n{{- end }}\n",
                ),
            ),
            (
                "if",
                TEMPLATE.replace(
                    "type: Opaque\n",
                    "{{- if .Values.a }}\ntype: Opaque\n{{- end }}\n",
                ),
            ),
            (
                "no b64enc in data",
                TEMPLATE.replace(" | b64enc | quote }}", " }}"),
            ),
            (
                "b64enc after quote",
                TEMPLATE.replace("b64enc | quote", "quote | b64enc"),
            ),
            (
                "other function",
                TEMPLATE.replace("| b64enc |", "| upper | b64enc |"),
            ),
            ("two documents", format!("{TEMPLATE}---\n{TEMPLATE}")),
            (
                "templated type",
                TEMPLATE.replace("type: Opaque", "type: {{ .Values.t }}"),
            ),
            (
                "index",
                TEMPLATE.replace(".Values.db.password", "index .Values \"db-x\""),
            ),
            (
                "not a secret",
                TEMPLATE.replace("kind: Secret", "kind: ConfigMap"),
            ),
        ];
        for (what, t) in cases {
            assert!(parse_template(&t).is_err(), "{what} was accepted");
        }
    }

    #[test]
    fn hostile_lines_are_refused_without_panic() {
        let long = format!("  K: {{{{ .Values.a {}}}}}\n", "\"".repeat(200_000));
        let unbalanced = format!("  K: {}\n", "{{".repeat(100_000));
        let pipes = format!("  K: {{{{ .Values.a {}}}}}\n", "| quote ".repeat(100_000));
        let closers = format!("  K: {}\n", "}}".repeat(100_000));
        for body in [long, unbalanced, pipes, closers] {
            let t = format!("apiVersion: v1\nkind: Secret\nmetadata:\n  name: x\ndata:\n{body}");
            assert!(parse_template(&t).is_err());
            assert!(data_line(body.trim_start(), true).is_err());
        }
        assert!(data_line("K: {{ .Values.a | default \"unterminated }}", false).is_err());
        assert!(data_line("K: {{", false).is_err());
        assert!(data_line(":", false).is_err());
    }

    #[test]
    fn every_operator_names_the_templated_secret() {
        let h = parse_template(TEMPLATE).expect("plain");
        let refs: Vec<(String, Target)> = h
            .keys
            .iter()
            .map(|(k, _)| {
                (
                    k.clone(),
                    Target {
                        path: "shop/prod".into(),
                        key: k.to_uppercase(),
                        env: "prod".into(),
                    },
                )
            })
            .collect();
        let ctx = |store| Context {
            store: Some(store),
            vault_mount: "secret".into(),
            infisical_project: Some("shop".into()),
            ..Context::default()
        };
        let name = "{{ include \"app.fullname\" . }}";
        for (store, op, field) in [
            (StoreKind::Vault, Operator::Eso, "    name: "),
            (StoreKind::Vault, Operator::Vso, "    name: "),
        ] {
            let out = render(&ctx(store), op, &h, &refs).expect("renders");
            assert!(out.contains(&format!("\n{field}{name}\n")), "{out}");
            assert!(out.contains(&h.metadata) && !out.contains("sentinel"), "{out}");
        }
        let vso = render(&ctx(StoreKind::Vault), Operator::Vso, &h, &refs).expect("renders");
        assert!(
            vso.contains("text: '{{`{{ get .Secrets \"DB_PASSWORD\" }}`}}'"),
            "the operator's template is a Helm literal: {vso}"
        );
        // An InfisicalSecret names the namespace: without one in the template, a manual step.
        assert!(render(&ctx(StoreKind::Infisical), Operator::Infisical, &h, &refs).is_err());
        let with_ns = TEMPLATE.replace("  labels:", "  namespace: {{ .Release.Namespace }}\n  labels:");
        let h = parse_template(&with_ns).expect("plain");
        let out = render(&ctx(StoreKind::Infisical), Operator::Infisical, &h, &refs).expect("renders");
        assert!(out.contains(&format!("secretName: {name}")), "{out}");
        assert!(out.contains("secretNamespace: {{ .Release.Namespace }}"), "{out}");
        assert!(
            out.contains("DB_PASSWORD: '{{`{{ .DB_PASSWORD.Value }}`}}'"),
            "{out}"
        );
    }
}
