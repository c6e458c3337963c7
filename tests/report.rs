//! Report formats: SARIF validated against the 2.1.0 schema and GitHub's rules (Microsoft SARIF
//! multitool), JSONL, JUnit, GitHub annotations, snapshots, and redaction in every format.

use std::process::Command;

use crate::fixtures::{planted, planted_secrets, EXPECTED};
use crate::scantest;
use crate::util::external_tool;

const SCHEMA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/sarif-schema-2.1.0.json");
const RULES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/test-rules.toml");

/// Validates a SARIF file with the JSON schema (Python jsonschema) and the multitool's
/// `Sarif;Gh` rules; panics with the problems found.
pub fn validate_sarif(path: &std::path::Path, work: &std::path::Path) {
    if let Some(py) = external_tool("LEAKLESS_TEST_PYTHON") {
        let out = Command::new(py)
            .args([
                "-c",
                "import json,sys,jsonschema\n\
                 s=json.load(open(sys.argv[1]));d=json.load(open(sys.argv[2]))\n\
                 errs=list(jsonschema.Draft7Validator(s).iter_errors(d))\n\
                 [print(e.message, list(e.path)) for e in errs]\n\
                 sys.exit(1 if errs else 0)",
                SCHEMA,
            ])
            .arg(path)
            .output()
            .expect("run python");
        assert!(
            out.status.success(),
            "SARIF schema errors: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    if let Some(tool) = external_tool("LEAKLESS_SARIF_MULTITOOL") {
        let log = work.join("multitool.sarif");
        let _ = std::fs::remove_file(&log);
        let out = Command::new(tool)
            .args(["validate", "--rule-kind", "Sarif;Gh", "-o"])
            .arg(&log)
            .arg(path)
            .output()
            .expect("run multitool");
        // The multitool exits 0 even when it finds errors: read its log.
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&log).unwrap_or_else(|e| {
            panic!(
                "multitool wrote no log ({e}): {}",
                String::from_utf8_lossy(&out.stdout)
            )
        }))
        .expect("multitool log is JSON");
        // Errors and warnings fail; a result without a level is a warning (SARIF 2.1.0
        // §3.27.10's default). Only `note` (advice) passes.
        let problems: Vec<String> = v["runs"][0]["results"]
            .as_array()
            .expect("results")
            .iter()
            .filter(|r| r["level"] != "note")
            .map(|r| format!("{} {} {}", r["level"], r["ruleId"], r["message"]))
            .collect();
        assert!(
            problems.is_empty(),
            "multitool Sarif;Gh errors/warnings: {problems:#?}"
        );
    }
}

scantest!(sarif_of_fixture_scan_is_valid_for_github, |dir| {
    let sarif = dir.path().join("out.sarif");
    let (code, _, err) = dir
        .cmd()
        .args(["scan", planted(&dir).as_str(), "-f", "sarif", "-o"])
        .arg_path(&sarif)
        .run();
    assert_eq!(code, 1, "{err}");
    validate_sarif(&sarif, dir.path());
    let text = std::fs::read_to_string(&sarif).expect("sarif");
    for s in planted_secrets() {
        assert!(!text.contains(&s), "raw secret in SARIF");
    }
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(v["version"], "2.1.0");
    assert!(v["$schema"].as_str().is_some_and(|s| s.contains("sarif")));
    let run = &v["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    let mut ids: Vec<&str> = rules.iter().filter_map(|r| r["id"].as_str()).collect();
    let n = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), n, "rule ids are unique");
    for r in rules {
        assert!(r["properties"]["security-severity"].is_string(), "{r}");
        assert!(
            r["help"]["markdown"]
                .as_str()
                .is_some_and(|m| m.contains("secrets store")),
            "{r}"
        );
    }
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), EXPECTED.len());
    for res in results {
        let idx = usize::try_from(res["ruleIndex"].as_u64().expect("ruleIndex")).expect("index");
        assert_eq!(rules[idx]["id"], res["ruleId"]);
        assert_eq!(
            res["partialFingerprints"]["leakless/v1"].as_str().map(str::len),
            Some(32)
        );
        let loc = &res["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().expect("uri");
        assert!(
            !uri.starts_with('/') && !uri.contains("://"),
            "relative uri: {uri}"
        );
        let region = &loc["region"];
        let key = (
            res["ruleId"].as_str().expect("ruleId"),
            uri,
            region["startLine"].as_u64().expect("line"),
            region["startColumn"].as_u64().expect("col"),
        );
        assert!(EXPECTED.contains(&key), "unexpected result {key:?}");
        assert!(
            region["endColumn"].as_u64() > region["startColumn"].as_u64()
                || region["endLine"].as_u64() > region["startLine"].as_u64()
        );
    }
});

// The error comes from a dangling symbolic link (Unix: Windows needs a privilege to make one).
#[cfg(unix)]
scantest!(sarif_of_clean_scan_and_of_errors_is_valid, |dir| {
    dir.create("clean.txt", "nothing\n");
    std::os::unix::fs::symlink("missing", dir.path().join("dangling")).expect("symlink");
    let sarif = dir.path().join("clean.sarif");
    let (code, _, _) = dir
        .cmd()
        .args(["scan", ".", "-L", "-q", "-f", "sarif", "-o"])
        .arg_path(&sarif)
        .run();
    assert_eq!(code, 0);
    validate_sarif(&sarif, dir.path());
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&sarif).expect("read")).expect("json");
    assert_eq!(v["runs"][0]["results"].as_array().map(Vec::len), Some(0));
    let notes = &v["runs"][0]["invocations"][0]["toolExecutionNotifications"];
    assert!(
        notes[0]["message"]["text"]
            .as_str()
            .is_some_and(|t| t.starts_with("dangling: ")),
        "{notes}"
    );
});

scantest!(no_format_leaks_a_secret_unless_asked, |dir| {
    let secrets = planted_secrets();
    // Every planted secret but the path-only `committed-dotenv-file` finding.
    assert_eq!(secrets.len(), EXPECTED.len() - 1);
    for format in ["text", "json", "jsonl", "sarif", "junit", "github"] {
        let (code, out, err) = dir
            .cmd()
            .args(["scan", planted(&dir).as_str(), "--color", "never", "-f", format])
            .run();
        assert_eq!(code, 1, "{format}");
        for s in &secrets {
            assert!(
                !out.contains(s.as_str()) && !err.contains(s.as_str()),
                "{format} leaks a secret"
            );
            // Not even part of its random tail (the preview shows at most its first 4 characters).
            // A PEM block's armour (`-----END RSA PRIVATE KEY-----`) is not secret: its preview
            // names the key type.
            let s = s
                .trim_end()
                .rsplit_once("\n-----END")
                .map_or(s.as_str(), |(body, _)| body);
            let n = s.chars().count();
            let tail: String = s.chars().skip(n.saturating_sub(10)).collect();
            assert!(!out.contains(&tail), "{format} shows part of a secret: {tail}");
        }
        let (_, out, _) = dir
            .cmd()
            .args([
                "scan",
                planted(&dir).as_str(),
                "--color",
                "never",
                "--no-redact",
                "-f",
                format,
            ])
            .run();
        // (Multi-line secrets are escaped in JSON-based formats; compare the single-line ones.)
        let single: Vec<&String> = secrets.iter().filter(|s| !s.contains('\n')).collect();
        let shown = single.iter().filter(|s| out.contains(s.as_str())).count();
        assert_eq!(shown, single.len(), "{format} --no-redact shows every secret");
    }
});

scantest!(jsonl_streams_one_location_per_line, |dir| {
    let (code, out, _) = dir
        .cmd()
        .args(["scan", planted(&dir).as_str(), "-f", "jsonl"])
        .run();
    assert_eq!(code, 1);
    let mut got: Vec<(String, String, u64, u64)> = out
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("each line is JSON");
            (
                v["rule_id"].as_str().expect("rule").into(),
                v["path"].as_str().expect("path").into(),
                v["line"].as_u64().expect("line"),
                v["column"].as_u64().expect("column"),
            )
        })
        .collect();
    got.sort();
    let mut want: Vec<(String, String, u64, u64)> = EXPECTED
        .iter()
        .map(|(r, p, l, c)| ((*r).into(), (*p).into(), *l, *c))
        .collect();
    want.sort();
    assert_eq!(got, want);
});

scantest!(junit_and_github_formats, |dir| {
    dir.create("src/a.txt", "x tok_k3j9x8q2m7w1p5v4\n");
    dir.create("b & c.txt", "testpass = \"Vq8#rT2!mZx\"\n");
    let base = ["scan", ".", "--no-builtin-rules", "--rules", RULES];
    let (code, out, _) = dir.cmd().args(base).args(["-f", "junit"]).run();
    assert_eq!(code, 1);
    assert!(out.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"leakless\" tests=\"2\" failures=\"2\" errors=\"0\""), "{out}");
    assert!(
        out.contains(
            r#"<testcase classname="leakless.test-token" name="src/a.txt:1:3" file="src/a.txt" line="1">"#
        ),
        "{out}"
    );
    assert!(out.contains(r#"name="b &amp; c.txt:1:13""#), "{out}");
    assert_eq!(out.matches("<failure ").count(), 2);
    if let Some(py) = external_tool("LEAKLESS_TEST_PYTHON") {
        let f = dir.create("junit.xml", &out);
        let st = Command::new(py)
            .args([
                "-c",
                "import sys,xml.dom.minidom;xml.dom.minidom.parse(sys.argv[1])",
            ])
            .arg(f)
            .status()
            .expect("python");
        assert!(st.success(), "JUnit XML is well-formed");
    }

    let (_, out, _) = dir.cmd().args(base).args(["-f", "github"]).run();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(lines[0].starts_with("::warning file=b & c.txt,line=1,endLine=1,col=13,endColumn=24,title=leakless test-password::Test password assignment (Vq8…)"), "{out}");
    assert!(
        lines[1].starts_with(
            "::error file=src/a.txt,line=1,endLine=1,col=3,endColumn=23,title=leakless test-token::"
        ),
        "{out}"
    );

    dir.create("clean/x.txt", "clean\n");
    let (code, out, _) = dir
        .cmd()
        .args([
            "scan",
            "clean",
            "--no-builtin-rules",
            "--rules",
            RULES,
            "-f",
            "junit",
        ])
        .run();
    assert_eq!(code, 0);
    assert!(
        out.contains(r#"<testcase classname="leakless" name="no secrets found"/>"#),
        "{out}"
    );
});

/// Removes timing-dependent parts of reports.
fn stable(s: &str) -> String {
    let re = regex::Regex::new(r"in [0-9.]+s \([0-9.]+ MB/s\)|\x22elapsed_ms\x22: \d+").expect("regex");
    let s = re.replace_all(s, "<timing>");
    // The number of built-in rules changes whenever a rule is added.
    let rules = regex::Regex::new(r"\x22rules\x22: \d+").expect("regex");
    let s = rules.replace_all(&s, "\"rules\": <count>");
    // The build: the commit it was made from, the digest of the rule packs (any rule edit).
    let build = regex::Regex::new(r"(\x22commit\x22: )\x22([0-9a-f]{40}|unknown)\x22|sha256:[0-9a-f]{64}")
        .expect("regex");
    build
        .replace_all(&s, |c: &regex::Captures| {
            if c.get(1).is_some() {
                "\"commit\": \"<commit>\"".to_string()
            } else {
                "<rules-digest>".to_string()
            }
        })
        .into_owned()
}

scantest!(snapshots_of_text_json_sarif, |dir| {
    for (format, name) in [
        ("text", "planted_text"),
        ("json", "planted_json"),
        ("sarif", "planted_sarif"),
    ] {
        let (_, out, _) = dir
            .cmd()
            .args([
                "scan",
                planted(&dir).as_str(),
                "-j1",
                "--color",
                "never",
                "-f",
                format,
            ])
            .run();
        let out = out.replace(env!("CARGO_PKG_VERSION"), "<version>");
        insta::assert_snapshot!(name, stable(&out));
    }
});

scantest!(sarif_of_history_scan_is_valid_and_carries_commits, |dir| {
    let repo = crate::history::make_history(&dir);
    let sarif = dir.path().join("history.sarif");
    let (code, _, err) = dir
        .cmd()
        .args([
            "scan",
            "--history",
            "--no-builtin-rules",
            "--rules",
            RULES,
            "-q",
            "-f",
            "sarif",
            "-o",
        ])
        .arg_path(&sarif)
        .arg_path(&repo)
        .run();
    assert_eq!(code, 1, "{err}");
    validate_sarif(&sarif, dir.path());
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&sarif).expect("read")).expect("json");
    let results = v["runs"][0]["results"].as_array().expect("results");
    assert!(!results.is_empty());
    for r in results {
        let p = &r["properties"];
        assert_eq!(p["commit"].as_str().map(str::len), Some(40), "{r}");
        assert!(p["author"].as_str().is_some_and(|a| a.contains('@')), "{r}");
        assert!(p["date"].is_string() && p["inHead"].is_boolean(), "{r}");
    }
    // JSONL works for git sources too (grouped first, one line per location).
    let (code, out, _) = dir
        .cmd()
        .args([
            "scan",
            "--history",
            "--no-builtin-rules",
            "--rules",
            RULES,
            "-q",
            "-f",
            "jsonl",
        ])
        .arg_path(&repo)
        .run();
    assert_eq!(code, 1);
    assert!(out.lines().count() >= results.len());
    for l in out.lines() {
        let v: serde_json::Value = serde_json::from_str(l).expect("line is JSON");
        assert_eq!(v["commit"].as_str().map(str::len), Some(40));
    }
});
