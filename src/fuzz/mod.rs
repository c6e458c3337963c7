//! Fuzz targets: the parsers that read untrusted bytes (rule files, scanned content, dotenv
//! files, git objects) and the writer whose output other tools parse (SARIF), each a plain
//! `fn(&[u8])` that panics on a bug.
//!
//! Two drivers run them: `cargo afl` (coverage-guided, the `fuzz/` crate, for long runs) and the
//! in-tree [`driver`] (seed corpora under `fuzz/corpus/<target>/`, then deterministic mutations
//! with a time cap and a per-input timeout), which the test suite runs briefly on every CI run.
//! A target checks more than "no panic" where the code promises more: a rendered dotenv value
//! reads back exactly, a report parses back as JSON, parsed spans lie inside the input.

pub mod driver;

use std::io::Write;
use std::sync::OnceLock;

use crate::findings::{group_located, CommitInfo, Location};
use crate::matching::assign::parse::{parse as parse_assignments, Format};
use crate::matching::{Input, MatchOptions, Paired, Scanner, Scratch};
use crate::migrate::dotenv;
use crate::report::{self, ReportOptions, ScanReport};
use crate::rules::{self, LoadOptions, RuleSet};
use crate::source::git::tree;

/// A fuzz target.
pub type Target = fn(&[u8]);

/// Every target, by name (the name is its corpus directory under `fuzz/corpus/`).
pub const TARGETS: &[(&str, Target)] = &[
    ("rules_load", rules_load),
    ("assign_parse", assign_parse),
    ("scan_decode", scan_decode),
    ("dotenv_roundtrip", dotenv_roundtrip),
    ("git_objects", git_objects),
    ("sarif_writer", sarif_writer),
    ("k8s_manifest", k8s_manifest),
    ("helm_template", helm_template),
];

/// The target called `name`.
pub fn target(name: &str) -> Option<Target> {
    TARGETS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// The built-in rules, compiled once per process.
fn builtin() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(|| rules::load(&LoadOptions::default()).expect("built-in rules load"))
}

/// TOML text → `RuleSet` through the real loader (a config file read from disk, no built-ins;
/// `[extend] useDefault` pulls them in). Errors are fine; panics and hangs are not.
pub fn rules_load(data: &[u8]) {
    let dir = std::env::temp_dir().join(format!("leakless-fuzz-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(format!("{:?}.toml", std::thread::current().id()).replace(['(', ')'], ""));
    let Ok(mut f) = std::fs::File::create(&path) else {
        return;
    };
    if f.write_all(data).is_err() {
        return;
    }
    drop(f);
    let opts = LoadOptions {
        config: Some(path.clone()),
        extra: Vec::new(),
        no_builtin: true,
        ..LoadOptions::default()
    };
    let loaded = rules::load(&opts);
    let _ = std::fs::remove_file(&path);
    if let Ok(set) = loaded {
        // A loaded set must also scan.
        let sc = Scanner::new(&set, MatchOptions::default());
        let mut out = Vec::new();
        sc.scan(
            Input {
                data: b"token = 'AKIAZZZZZZZZZZZZZZZZ' password=hunter2hunter2",
                path: Some("a.env"),
                commit: None,
            },
            &mut Scratch::default(),
            &mut out,
        );
    }
}

/// The assignment parser in every format: spans inside the input, in order, keys non-empty.
pub fn assign_parse(data: &[u8]) {
    for format in [
        Format::Dotenv,
        Format::Yaml,
        Format::Json,
        Format::Config,
        Format::Code,
        Format::Unknown,
    ] {
        let all = parse_assignments(data, format);
        let mut last = 0;
        for a in &all {
            let (s, e) = a.value;
            assert!(
                s <= e && e <= data.len(),
                "{format:?}: value span {s}..{e} of {}",
                data.len()
            );
            assert!(a.key_start <= data.len(), "{format:?}: key start");
            assert!(s >= last, "{format:?}: values out of order");
            last = s;
        }
    }
}

/// Paths that steer the scanner's format detection and decoders.
const SCAN_PATHS: &[Option<&str>] = &[
    None,
    Some("app.env"),
    Some("config.json"),
    Some("secret.yaml"),
    Some("main.py"),
    Some("app.properties"),
    Some(".dockerconfigjson"),
    Some("index.js"),
];

/// `Scanner::scan` with the built-in rules on arbitrary bytes: the decoders (base64, hex,
/// percent and backslash escapes) and the assignment detector run on whatever they find. The
/// first byte picks the path (format); every match lies inside the input.
pub fn scan_decode(data: &[u8]) {
    let (path, data) = match data.split_first() {
        Some((&b, rest)) => (SCAN_PATHS[b as usize % SCAN_PATHS.len()], rest),
        None => (None, data),
    };
    let set = builtin();
    let sc = Scanner::new(set, MatchOptions::default());
    let mut out = Vec::new();
    sc.scan(
        Input {
            data,
            path,
            commit: None,
        },
        &mut Scratch::default(),
        &mut out,
    );
    for m in &out {
        assert!(
            m.start <= m.end && m.end <= data.len(),
            "match {}..{} of {}",
            m.start,
            m.end,
            data.len()
        );
        assert!((m.rule as usize) < set.rules().len());
    }
}

/// The dotenv parser on arbitrary text (ranges on char boundaries, no panic), and the renderer's
/// promise: any value, written with `render` between two other lines, reads back exactly.
pub fn dotenv_roundtrip(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for e in dotenv::parse(&text) {
        assert!(
            text.get(e.line.clone()).is_some(),
            "entry range {:?} not on char boundaries",
            e.line
        );
    }
    let _ = dotenv::load(&text);
    let line = dotenv::render("KEY_1", &text);
    let doc = format!("A=1\n{line}\nB=2\n");
    let got: Vec<(String, String, bool)> = dotenv::parse(&doc)
        .into_iter()
        .map(|e| (e.key, e.value, e.exact))
        .collect();
    let want = [
        ("A".to_string(), "1".to_string(), true),
        ("KEY_1".to_string(), text.into_owned(), true),
        ("B".to_string(), "2".to_string(), true),
    ];
    assert_eq!(got, want, "render/parse round trip of {line:?}");
}

/// Git object parsing as the git sources do it: the bytes as a tree (entries, sorted in git's
/// tree order), a commit (tree, parents, author, date, summary) and a tag.
pub fn git_objects(data: &[u8]) {
    for hash in [gix::hash::Kind::Sha1] {
        if let Ok(mut entries) = tree::parse(data, hash) {
            entries.sort_by(tree::key_cmp);
            for w in entries.windows(2) {
                assert!(tree::key_cmp(&w[0], &w[1]).is_le(), "tree order is not total");
            }
        }
        let _ = crate::source::git::parse_commit(data, hash);
        let info = crate::source::git::parse_commit_info("0".repeat(40), data, hash);
        let _ = (info.date.len(), info.summary.len());
        if let Ok(t) = gix::objs::TagRef::from_bytes(data, hash) {
            let _ = t.target();
        }
    }
}

/// Arbitrary findings (paths, keys, authors, secrets with control characters and invalid
/// UTF-8, any line numbers) → every report format; SARIF and JSON must parse back as JSON, the
/// SARIF with one result per finding location.
pub fn sarif_writer(data: &[u8]) {
    let set = builtin();
    let n_rules = set.rules().len();
    let mut fields = data.split(|&b| b == 0xFF);
    let mut next = || fields.next().unwrap_or_default();
    let flags = next().first().copied().unwrap_or(0);
    let mut items = Vec::new();
    for _ in 0..4 {
        let head = next();
        if head.is_empty() {
            break;
        }
        let num = |i: usize| head.get(i).copied().unwrap_or(1) as usize;
        let rule = (num(0) * 256 + num(1)) % n_rules.max(1);
        let path = String::from_utf8_lossy(next()).into_owned();
        let secret = next().to_vec();
        let key = Some(next())
            .filter(|k| !k.is_empty())
            .map(|k| String::from_utf8_lossy(k).into_owned());
        let commit = (num(2) % 2 == 1).then(|| {
            std::sync::Arc::new(CommitInfo {
                id: "a".repeat(40),
                author_name: String::from_utf8_lossy(head).into_owned(),
                author_email: "a@b".into(),
                date: "2024-01-01T00:00:00+00:00".into(),
                summary: String::from_utf8_lossy(&secret).into_owned(),
            })
        });
        let line = if num(3) == 255 { usize::MAX } else { num(3) };
        let loc = Location {
            path,
            line,
            column: num(4),
            end_line: line,
            end_column: num(5),
            key,
            commit,
            decoded: Vec::new(),
            repository: None,
            context: None,
        };
        let paired = (num(6) % 3 == 0).then(|| Paired {
            key: "CLIENT_ID".into(),
            preview: String::from_utf8_lossy(&secret).into_owned(),
            value: crate::findings::Secret::new(b"id".to_vec()),
        });
        items.push((rule as u32, secret, loc, paired));
    }
    let findings = group_located(items, set);
    let locations: usize = findings.iter().map(|f| f.locations.len()).sum();
    let report = ScanReport {
        findings,
        ..Default::default()
    };
    let opts = ReportOptions {
        redact: flags & 1 == 0,
        color: flags & 2 != 0,
        verbose: flags & 4 != 0,
        report_stale: flags & 8 != 0,
    };
    for format in [
        report::Format::Sarif,
        report::Format::Json,
        report::Format::Text,
        report::Format::Junit,
        report::Format::Github,
    ] {
        let mut buf = Vec::new();
        report::reporter(format, opts)
            .write(&report, set, &mut buf)
            .expect("writing to memory");
        if matches!(format, report::Format::Sarif | report::Format::Json) {
            let v: serde_json::Value = match serde_json::from_slice(&buf) {
                Ok(v) => v,
                Err(e) => panic!("{format:?} output does not parse as JSON: {e}"),
            };
            if format == report::Format::Sarif {
                assert_eq!(v["version"], "2.1.0");
                let results = v["runs"][0]["results"].as_array().map_or(0, Vec::len);
                assert!(
                    results >= report.findings.len().min(1) && results <= locations,
                    "{results} results for {locations} locations"
                );
            }
        }
    }
}

/// A context for each store an operator reads, so every renderer runs.
fn k8s_contexts() -> Vec<(crate::migrate::k8s::Context, crate::migrate::k8s::Operator)> {
    use crate::migrate::k8s::{Context, Operator};
    use crate::migrate::store::StoreKind;
    let ctx = |store| Context {
        store: Some(store),
        vault_mount: "secret".into(),
        infisical_project: Some("shop".into()),
        ..Context::default()
    };
    vec![
        (ctx(StoreKind::Vault), Operator::Eso),
        (ctx(StoreKind::Vault), Operator::Vso),
        (ctx(StoreKind::Infisical), Operator::Infisical),
        (ctx(StoreKind::Gcp), Operator::Eso),
        (ctx(StoreKind::Azure), Operator::Eso),
    ]
}

/// What migrate reports about a manifest is a reason, never file content: no control character
/// (and so no line of the file) in it.
fn assert_reason(why: &str) {
    assert!(
        !why.chars().any(char::is_control),
        "reason quotes the file: {why:?}"
    );
}

/// Kubernetes manifests as `migrate` reads them (`k8s::find_secrets`, arbitrary YAML through
/// `serde_yaml_ng`): document ranges lie inside the text and in order, every Secret read has
/// valid keys, reasons quote nothing, and each operator resource renders as YAML that parses
/// back with the Secret's name. Also the values-file path finder on every 7th line.
pub fn k8s_manifest(data: &[u8]) {
    use crate::migrate::k8s;
    use crate::migrate::store::Target;
    let text = String::from_utf8_lossy(data);
    let mut last = 0;
    for (r, line) in k8s::documents(&text) {
        assert!(
            last <= r.start && r.start <= r.end && r.end <= text.len(),
            "{r:?}"
        );
        assert!(text.get(r.clone()).is_some() && line >= 1);
        last = r.end;
    }
    let found = k8s::find_secrets(&text);
    for u in &found.unsupported {
        assert!(text.get(u.range.clone()).is_some());
        assert_reason(&u.why);
    }
    for d in &found.docs {
        assert!(text.get(d.range.clone()).is_some());
        let refs: Vec<(String, Target)> = d
            .entries
            .iter()
            .map(|e| {
                assert!(k8s::is_secret_key(&e.key), "{:?}", e.key);
                assert!(e.line >= d.line);
                (
                    e.key.clone(),
                    Target::new("shop/prod", k8s::store_key(&d.manifest.name, &e.key)),
                )
            })
            .collect();
        for (ctx, op) in k8s_contexts() {
            match k8s::render(&ctx, op, &d.manifest, &refs) {
                Ok(yaml) => {
                    let back: serde_yaml_ng::Value =
                        serde_yaml_ng::from_str(&yaml).expect("a rendered resource is YAML");
                    assert_eq!(
                        back["metadata"]["name"].as_str(),
                        Some(d.manifest.name.as_str()),
                        "{yaml}"
                    );
                }
                Err(why) => assert_reason(&why),
            }
        }
    }
    let lines = text.lines().count();
    for line in (1..=lines.min(2_000)).step_by(7) {
        if let Some(p) = k8s::yaml_path_at(&text, line) {
            assert!(!p.is_empty());
        }
    }
}

/// Helm chart templates as `migrate` reads them (`helm::parse_template`, line by line): a plain
/// Secret's range lies inside the text, its keys are Secret keys read from `.Values` paths,
/// reasons quote nothing, and each operator resource renders (keeping the metadata block).
pub fn helm_template(data: &[u8]) {
    use crate::migrate::helm;
    use crate::migrate::k8s;
    use crate::migrate::store::Target;
    let text = String::from_utf8_lossy(data);
    for line in text.lines() {
        let _ = helm::data_line(line.trim_start(), true);
        let _ = helm::data_line(line.trim_start(), false);
    }
    let h = match helm::parse_template(&text) {
        Ok(h) => h,
        Err(why) => return assert_reason(&why),
    };
    assert!(text.get(h.range.clone()).is_some());
    assert!(!h.name.is_empty() && !h.keys.is_empty());
    let refs: Vec<(String, Target)> = h
        .keys
        .iter()
        .map(|(k, path)| {
            assert!(k8s::is_secret_key(k), "{k:?}");
            assert!(!path.is_empty() && !path.starts_with('.'), "{path:?}");
            (k.clone(), Target::new("shop/prod", k8s::store_key("x", k)))
        })
        .collect();
    for (ctx, op) in k8s_contexts() {
        match helm::render(&ctx, op, &h, &refs) {
            Ok(out) => assert!(out.contains(&h.metadata), "{out}"),
            Err(why) => assert_reason(&why),
        }
    }
}
