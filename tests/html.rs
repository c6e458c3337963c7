//! The HTML audit report in a real browser: Debian's headless Chromium driven by playwright-core
//! renders it with no console errors and no request, the table filters and sorts, axe-core finds
//! no accessibility violation, the Nu HTML checker finds no error, hostile names stay text, and
//! screenshots are kept under `target/test-artifacts/html/`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::fixtures::{planted, planted_secrets};
use crate::history::make_history;
use crate::scantest;
use crate::util::{external_tool, TestDir};

const RULES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/test-rules.toml");
const CHECK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/html_check.js");

/// A report of one "repository" whose names are hostile (they come from scanned content).
fn hostile_report(dir: &TestDir) -> PathBuf {
    let doc = serde_json::json!({
        "schema_version": 1, "tool": {"name": "leakless", "version": "0"},
        "findings": [{
            "rule_id": "x<img src=x onerror=\"document.title='pwned'\">", "description": "</script><script>document.title='pwned'</script>",
            "severity": "high", "confidence": "high", "provider": "<b>evil</b>", "env_var": null,
            "rotate": "javascript:document.title='pwned'", "fingerprint": "e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0",
            "secret_preview": "<svg onload=document.title='pwned'>…", "entropy": 4.0, "in_head": false,
            "locations": [{"path": "<img src=x onerror=\"document.title='pwned'\">.env\u{1b}[2J", "line": 1, "column": 1,
                           "end_line": 1, "end_column": 9,
                           "commit": {"id": "abcdefabcdefabcdefabcdefabcdefabcdefabcd",
                                      "author_name": "</script><script>document.title='pwned'</script>",
                                      "author_email": "x@example.com", "date": "2021-03-04T05:06:07+00:00",
                                      "summary": "<!--"}}]
        }],
        "errors": [{"path": "<i>bad</i>", "message": "<script>document.title='pwned'</script>"}],
        "skipped": [], "stale": [],
        "stats": {"files_scanned": 1, "bytes_scanned": 1, "elapsed_ms": 1, "findings": 1, "errors": 1,
                  "skipped": 0, "suppressed_by_baseline": 0, "suppressed_by_ignore_file": 0}
    });
    let p = dir.path().join("evil.json");
    std::fs::write(&p, serde_json::to_vec(&doc).expect("json")).expect("write");
    p
}

/// A migration report naming `moved` as moved and `manual` as a conflict.
fn migration(dir: &TestDir, moved: &str, manual: &str) -> PathBuf {
    let entry = |fp: &str, status: &str| {
        serde_json::json!({"key": "K", "location": "l", "store_path": "p", "env": "dev", "status": status,
            "rules": [], "fingerprints": [fp], "providers": [], "rotate": [], "fetch": "", "sites": []})
    };
    let doc = serde_json::json!({
        "schema_version": 1, "store": "dotenv", "applied": true, "resumed": false,
        "secrets": [entry(moved, "moved"), entry(manual, "conflict")],
        "files": [], "manual_steps": [], "rotation": [], "purge": null, "skipped": [], "errors": []
    });
    let p = dir.path().join("migrate.json");
    std::fs::write(&p, serde_json::to_vec(&doc).expect("json")).expect("write");
    p
}

fn artifacts(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/test-artifacts/html")
        .join(name);
    std::fs::create_dir_all(&d).expect("artifact dir");
    d
}

/// The Nu HTML checker (vnu.jar): no errors.
fn validate(html: &Path) {
    let Some(jar) = external_tool("LEAKLESS_VNU_JAR") else {
        return;
    };
    let out = Command::new("java")
        .args(["-jar"])
        .arg(jar)
        .args(["--errors-only", "--format", "text"])
        .arg(html)
        .output()
        .expect("run vnu");
    assert!(
        out.status.success(),
        "HTML validator: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Opens `html` in headless Chromium; the JSON the check script prints.
fn browse(html: &Path, artifact: &str, query: &str) -> Option<serde_json::Value> {
    let chromium = external_tool("LEAKLESS_CHROMIUM")?;
    let modules = external_tool("LEAKLESS_NODE_MODULES")?;
    let profile = tempfile::tempdir().expect("profile dir");
    let out = Command::new("node")
        .arg(CHECK)
        .arg(html)
        .arg(artifacts(artifact))
        .arg(query)
        .env("LEAKLESS_CHROMIUM", chromium)
        .env("LEAKLESS_NODE_MODULES", modules)
        .env("HOME", profile.path())
        .output()
        .expect("run node");
    assert!(
        out.status.success(),
        "browser check failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).expect("check output is JSON"))
}

scantest!(
    html_report_of_merged_repositories_works_in_a_real_browser,
    |dir| {
        let repo = make_history(&dir);
        let history = dir.path().join("history.json");
        let (code, _, err) = dir
            .cmd()
            .args([
                "scan",
                "--history",
                "--no-builtin-rules",
                "--rules",
                RULES,
                "-f",
                "json",
                "-o",
            ])
            .arg_path(&history)
            .arg_path(&repo)
            .run();
        assert_eq!(code, 1, "{err}");
        let tree = planted(&dir);
        let worktree = dir.path().join("planted.json");
        dir.cmd()
            .args(["scan", tree.as_str(), "-f", "json", "-o"])
            .arg_path(&worktree)
            .run();
        let evil = hostile_report(&dir);
        let all = dir.path().join("all.json");
        let (code, _, err) = dir
            .cmd()
            .args(["report", "merge", "-o"])
            .arg_path(&all)
            .arg_path(&history)
            .arg_path(&worktree)
            .arg_path(&evil)
            .run();
        assert_eq!(code, 1, "{err}");
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&all).expect("all")).expect("json");
        let findings = v["findings"].as_array().expect("findings");
        let fp = |i: usize| findings[i]["fingerprint"].as_str().expect("fp").to_string();
        let mig = migration(&dir, &fp(0), &fp(1));
        let html = dir.path().join("audit.html");
        let (code, _, err) = dir
            .cmd()
            .args(["report", "-f", "html", "--migration"])
            .arg_path(&mig)
            .args(["-o"])
            .arg_path(&html)
            .arg_path(&all)
            .run();
        assert_eq!(code, 1, "{err}");
        let text = std::fs::read_to_string(&html).expect("html");
        std::fs::copy(&html, artifacts("merged").join("audit.html")).expect("keep artefact");
        assert!(text.contains("default-src 'none'"), "no CSP");
        for s in planted_secrets() {
            assert!(!text.contains(&s), "raw secret in the HTML report");
        }
        assert!(
            !text.contains("<img src=x") && !text.contains("<b>evil"),
            "hostile markup reached the page"
        );
        assert!(
            !text.contains("class=\"banner\""),
            "a redacted report has no raw-secret banner"
        );
        assert!(text.contains("1 moved, 1 manual"), "migration progress missing");
        validate(&html);
        let Some(b) = browse(&html, "merged", &fp(2)) else {
            return;
        };
        assert_eq!(b["console"], serde_json::json!([]), "console: {b}");
        assert_eq!(b["pageErrors"], serde_json::json!([]), "page errors: {b}");
        assert_eq!(
            b["requests"],
            serde_json::json!([]),
            "the report made requests: {b}"
        );
        assert_ne!(b["title"], "pwned");
        assert_eq!(b["rowsShown"].as_u64(), Some(findings.len() as u64), "{b}");
        assert_eq!(
            b["filteredRows"], 1,
            "searching one fingerprint leaves one row: {b}"
        );
        assert_eq!(b["noneRows"], 0);
        assert_eq!(b["sortChanged"], true);
        assert_eq!(b["ariaSort"], "descending");
        assert_eq!(b["axe"], serde_json::json!([]), "axe-core violations: {b:#}");
        let headers: Vec<&str> = b["headers"]
            .as_array()
            .expect("headers")
            .iter()
            .filter_map(|h| h.as_str())
            .collect();
        assert!(
            headers.contains(&"Repository") && headers.contains(&"Migration"),
            "{headers:?}"
        );
        assert_ne!(b["darkBg"], b["lightBg"], "dark theme");
        let body = b["bodyText"].as_str().expect("body");
        assert!(
            body.contains("<img src=x onerror="),
            "hostile path shown as text: {body}"
        );
        assert!(body.contains("Top committers"), "committers list");
        // --hide-committers leaves names out.
        let hidden = dir.path().join("hidden.html");
        dir.cmd()
            .args(["report", "-f", "html", "--hide-committers", "-o"])
            .arg_path(&hidden)
            .arg_path(&all)
            .run();
        let hidden = std::fs::read_to_string(&hidden).expect("html");
        assert!(!hidden.contains("Ada Lovelace") && !hidden.contains("Top committers"));
        assert!(text.contains("Ada Lovelace"));
    }
);

scantest!(html_report_of_an_unredacted_scan_says_so, |dir| {
    let tree = planted(&dir);
    let saved = dir.path().join("raw.json");
    dir.cmd()
        .args(["scan", tree.as_str(), "--no-redact", "-f", "json", "-o"])
        .arg_path(&saved)
        .run();
    let html = dir.path().join("raw.html");
    let (code, _, err) = dir
        .cmd()
        .args(["report", "--no-redact", "-f", "html", "-o"])
        .arg_path(&html)
        .arg_path(&saved)
        .run();
    assert_eq!(code, 1, "{err}");
    let text = std::fs::read_to_string(&html).expect("html");
    assert!(text.contains("class=\"banner\""), "no banner over raw secrets");
    assert!(
        planted_secrets().iter().any(|s| text.contains(s.as_str())),
        "--no-redact shows the secrets"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&html).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "a report with raw secrets is private");
    }
    // The same report rendered redacted has neither.
    let (_, redacted, _) = dir.cmd().args(["report", "-f", "html"]).arg_path(&saved).run();
    assert!(!redacted.contains("class=\"banner\""));
    for s in planted_secrets() {
        assert!(!redacted.contains(&s));
    }
    validate(&html);
    let Some(b) = browse(&html, "unredacted", ".env") else {
        return;
    };
    assert_eq!(b["banner"], 1);
    assert_eq!(b["console"], serde_json::json!([]), "{b}");
    assert_eq!(b["axe"], serde_json::json!([]), "axe-core violations: {b:#}");
});

/// A report of 250 findings, 50 each validated live, dead, unknown, error, and not at all.
fn validated_report(dir: &TestDir) -> PathBuf {
    let finding = |i: usize, status: Option<&str>| {
        let mut f = serde_json::json!({
            "rule_id": "test-token", "description": "Test token", "severity": "high", "confidence": "high",
            "provider": "test", "env_var": null, "rotate": null, "fingerprint": format!("{i:032x}"),
            "secret_preview": "tok_…", "entropy": 4.0, "in_head": true,
            "locations": [{"path": format!("svc/{}.env", status.unwrap_or("none")), "line": i + 1, "column": 1,
                           "end_line": i + 1, "end_column": 9}]
        });
        if let Some(s) = status {
            f["validation"] = serde_json::json!({"status": s, "checked_at": "2026-12-06T10:00:00Z",
                "detail": format!("api.test.example: answer for {s}")});
        }
        f
    };
    let statuses = [Some("live"), Some("dead"), Some("unknown"), Some("error"), None];
    let findings: Vec<_> = (0..250).map(|i| finding(i, statuses[i % 5])).collect();
    let doc = serde_json::json!({
        "schema_version": 1, "tool": {"name": "leakless", "version": "0"},
        "findings": findings, "errors": [], "skipped": [], "stale": [],
        "stats": {"files_scanned": 250, "bytes_scanned": 1, "elapsed_ms": 1, "findings": 250, "errors": 0,
                  "skipped": 0, "suppressed_by_baseline": 0, "suppressed_by_ignore_file": 0}
    });
    let p = dir.path().join("validated.json");
    std::fs::write(&p, serde_json::to_vec(&doc).expect("json")).expect("write");
    p
}

// A validated report's findings table has a Validation column and filter: live, dead,
// undecided (unknown or error) and not checked, each with its check's detail as a tooltip. The
// table renders 100 rows at first, the next 100 when scrolled to its end, the rest on "Show more".
scantest!(html_report_filters_findings_by_validation, |dir| {
    let saved = validated_report(&dir);
    let html = dir.path().join("validated.html");
    let (code, _, err) = dir
        .cmd()
        .args(["report", "-f", "html", "-o"])
        .arg_path(&html)
        .arg_path(&saved)
        .run();
    assert_eq!(code, 1, "{err}");
    let text = std::fs::read_to_string(&html).expect("html");
    assert!(text.contains("id=\"f-val\""), "validation filter missing");
    std::fs::copy(&html, artifacts("validated").join("audit.html")).expect("keep artefact");
    // An unvalidated report has neither the column nor the filter.
    let plain = dir.path().join("plain.json");
    let mut doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&saved).expect("read")).expect("json");
    for f in doc["findings"].as_array_mut().expect("findings") {
        f.as_object_mut().expect("finding").remove("validation");
    }
    std::fs::write(&plain, doc.to_string()).expect("write");
    let (_, unvalidated, _) = dir.cmd().args(["report", "-f", "html"]).arg_path(&plain).run();
    assert!(
        !unvalidated.contains("id=\"f-val\"") && !unvalidated.contains(">Validation</th>"),
        "no validation column or filter without validation"
    );
    validate(&html);
    let Some(b) = browse(&html, "validated", "svc") else {
        return;
    };
    assert_eq!(b["console"], serde_json::json!([]), "console: {b}");
    assert_eq!(b["pageErrors"], serde_json::json!([]), "page errors: {b}");
    assert_eq!(b["axe"], serde_json::json!([]), "axe-core violations: {b:#}");
    assert_eq!(
        (&b["rowsShown"], &b["rowsAfterScroll"], &b["rowsAfterMore"]),
        (
            &serde_json::json!(100),
            &serde_json::json!(200),
            &serde_json::json!(250)
        ),
        "{b}"
    );
    let headers = b["headers"].to_string();
    assert!(headers.contains("\"Validation\""), "{headers}");
    let v = &b["validation"];
    let rows = |k: &str| v[k]["rows"].as_u64().unwrap_or(99);
    assert_eq!(
        (rows("live"), rows("dead"), rows("undecided"), rows("unchecked")),
        (50, 50, 100, 50),
        "{v:#}"
    );
    let live = v["live"]["text"].as_str().expect("text");
    assert!(
        live.contains("svc/live.env") && !live.contains("svc/dead.env"),
        "{live}"
    );
    let cells = v["live"]["cells"].as_array().expect("cells");
    assert_eq!(cells.len(), 50);
    assert!(
        cells
            .iter()
            .all(|c| c == "val-live live 2026-12-06T10:00:00Z: api.test.example: answer for live"),
        "{cells:?}"
    );
    let undecided = v["undecided"]["text"].as_str().expect("text");
    assert!(
        undecided.contains("svc/unknown.env") && undecided.contains("svc/error.env"),
        "{undecided}"
    );
    assert!(v["unchecked"]["text"]
        .as_str()
        .expect("text")
        .contains("not checked"));
});
