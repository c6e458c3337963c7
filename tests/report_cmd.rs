//! `leakless report`: a saved JSON report renders into every format exactly as the scan would
//! have written it; JSONL reports load; `report merge` joins repositories; Markdown stays inside
//! its cells and under its size limit.

use crate::fixtures::{planted, planted_secrets};
use crate::history::make_history;
use crate::scantest;
use crate::util::TestDir;

const RULES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/test-rules.toml");

/// Every format `report` renders.
const FORMATS: &[&str] = &["text", "json", "jsonl", "sarif", "junit", "github", "markdown"];

/// The output with the scan's timing normalised (two runs of one scan differ only there).
fn untimed(format: &str, s: &str) -> String {
    let re = match format {
        "text" => {
            // The history phases' throughput and times: a saved report keeps none of them.
            let phases = regex::Regex::new(
                r" \(\d+ blobs/s, \d+\.\d MB/s; walk [0-9.]+s, scan [0-9.]+s, findings [0-9.]+s\)",
            )
            .expect("re");
            return regex::Regex::new(r"in \d+\.\d\ds \(\d+\.\d MB/s\)")
                .expect("re")
                .replace_all(&phases.replace_all(s, ""), "TIME")
                .into_owned();
        }
        "junit" => regex::Regex::new(r#"time="\d+\.\d+""#).expect("re"),
        "json" => regex::Regex::new(r#""elapsed_ms": \d+"#).expect("re"),
        _ => return sorted_if_jsonl(format, s),
    };
    re.replace_all(s, "TIME").into_owned()
}

/// JSONL from a worktree scan follows the scan's order: compare it as a set of lines.
fn sorted_if_jsonl(format: &str, s: &str) -> String {
    if format != "jsonl" {
        return s.to_string();
    }
    let mut lines: Vec<&str> = s.lines().collect();
    lines.sort_unstable();
    lines.join("\n")
}

/// Scans with `scan_args` once as JSON, then for each format compares `scan -f X` with
/// `report -f X saved.json`.
fn renders_like_the_scan(dir: &TestDir, scan_args: &[&str], extra: &[&str]) {
    let saved = dir.path().join("saved.json");
    let mut args: Vec<&str> = scan_args.to_vec();
    args.extend_from_slice(extra);
    let (code, _, err) = dir
        .cmd()
        .args(&args)
        .args(["-f", "json", "-o"])
        .arg_path(&saved)
        .run();
    assert_eq!(code, 1, "{err}");
    for format in FORMATS {
        let (scode, scanned, serr) = dir
            .cmd()
            .args(&args)
            .args(["-f", format, "--color", "never"])
            .run();
        let mut report = vec!["report", "-f", format, "--color", "never"];
        report.extend(extra.iter().filter(|a| **a == "--no-redact"));
        let (rcode, rendered, rerr) = dir.cmd().args(&report).arg_path(&saved).run();
        assert_eq!((scode, rcode), (1, 1), "{format}: {serr} {rerr}");
        assert_eq!(
            untimed(format, &rendered),
            untimed(format, &scanned),
            "report -f {format} differs from scan -f {format}"
        );
    }
}

scantest!(report_renders_every_format_like_the_worktree_scan, |dir| {
    let tree = planted(&dir);
    renders_like_the_scan(&dir, &["scan", tree.as_str()], &[]);
});

scantest!(
    report_renders_every_format_like_the_history_scan_unredacted,
    |dir| {
        let repo = make_history(&dir);
        let repo = repo.to_str().expect("utf-8");
        renders_like_the_scan(
            &dir,
            &["scan", "--history", "--no-builtin-rules", "--rules", RULES, repo],
            &["--no-redact"],
        );
    }
);

scantest!(report_of_a_redacted_report_never_shows_secrets, |dir| {
    let tree = planted(&dir);
    let saved = dir.path().join("saved.json");
    dir.cmd()
        .args(["scan", tree.as_str(), "-f", "json", "-o"])
        .arg_path(&saved)
        .run();
    for format in FORMATS {
        // --no-redact cannot bring back what the saved report does not hold.
        let (_, out, _) = dir
            .cmd()
            .args(["report", "--no-redact", "-f", format])
            .arg_path(&saved)
            .run();
        for s in planted_secrets() {
            assert!(!out.contains(&s), "raw secret in report -f {format}");
        }
    }
});

scantest!(report_reads_jsonl_and_writes_with_safe_output, |dir| {
    let tree = planted(&dir);
    let (_, jsonl, _) = dir.cmd().args(["scan", tree.as_str(), "-f", "jsonl"]).run();
    dir.create("saved.jsonl", &jsonl);
    let (_, json) = dir.cmd().args(["scan", tree.as_str()]).json();
    let out = dir.path().join("from-jsonl.json");
    let (code, _, err) = dir
        .cmd()
        .args(["report", "saved.jsonl", "-f", "json", "-o"])
        .arg_path(&out)
        .run();
    assert_eq!(code, 1, "{err}");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).expect("written")).expect("json");
    let fps = |v: &serde_json::Value| {
        let mut f: Vec<String> = v["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| format!("{} {}", f["fingerprint"], f["locations"][0]["path"]))
            .collect();
        f.sort();
        f
    };
    assert_eq!(fps(&v), fps(&json));
    // The rotation link a JSONL line lacks comes from the built-in rule of the same id.
    let slack = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule_id"] == "slack-bot-token");
    assert!(slack.expect("slack finding")["rotate"].is_string());
    // -o never writes through a symlink.
    #[cfg(unix)]
    {
        let victim = dir.create("victim.txt", "keep");
        std::os::unix::fs::symlink(&victim, dir.path().join("link.md")).expect("symlink");
        let (code, _, _) = dir
            .cmd()
            .args(["report", "saved.jsonl", "-f", "markdown", "-o", "link.md"])
            .run();
        assert_eq!(code, 2);
        assert_eq!(std::fs::read_to_string(&victim).expect("victim"), "keep");
    }
});

scantest!(report_rejects_garbage_without_echoing_it, |dir| {
    dir.create("bad.json", "{\"findings\": \"\u{1b}[2J ghp_notechoed\"}");
    let (code, out, err) = dir.cmd().args(["report", "bad.json"]).run();
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(
        err.contains("bad.json") && !err.contains("notechoed") && !err.contains('\u{1b}'),
        "{err}"
    );
});

/// A finding in one repository's JSON report.
fn finding(fp: &str, path: &str, name: &str) -> serde_json::Value {
    serde_json::json!({
        "rule_id": "github-pat-classic", "description": "GitHub token", "severity": "high",
        "confidence": "high", "provider": "github", "env_var": null, "rotate": null,
        "fingerprint": fp, "key": name, "secret_preview": "ghp_…", "entropy": 4.5, "in_head": true,
        "locations": [{"path": path, "line": 3, "column": 7, "end_line": 3, "end_column": 47,
                       "key": name,
                       "commit": {"id": "0123456789abcdef0123456789abcdef01234567", "author_name": name,
                                  "author_email": format!("{name}@example.com"), "date": "2024-01-31T12:00:00+00:00",
                                  "summary": name}}]
    })
}

fn write_report(dir: &TestDir, file: &str, findings: Vec<serde_json::Value>) {
    let doc = serde_json::json!({
        "schema_version": 1, "tool": {"name": "leakless", "version": "0"},
        "findings": findings, "errors": [{"path": "big.bin", "message": "read error"}], "skipped": [],
        "stale": [{"kind": "baseline", "file": ".leakless-baseline.json", "fingerprint": "ff", "detail": "r"}],
        "stats": {"files_scanned": 3, "bytes_scanned": 30, "elapsed_ms": 5, "findings": 1, "errors": 1,
                  "skipped": 0, "suppressed_by_baseline": 0, "suppressed_by_ignore_file": 0}
    });
    dir.create(file, serde_json::to_vec_pretty(&doc).expect("json"));
}

scantest!(report_merge_keeps_repositories_dedupes_and_keeps_errors, |dir| {
    write_report(
        &dir,
        "api.json",
        vec![finding("f1", "src/a.ts", "a"), finding("f2", "b.ts", "b")],
    );
    write_report(&dir, "web.json", vec![finding("f1", "lib/x.ts", "x")]);
    let (code, _, err) = dir
        .cmd()
        .args(["report", "merge", "api.json", "web.json", "-o", "all.json"])
        .run();
    assert_eq!(code, 1, "{err}");
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("all.json")).expect("all")).expect("json");
    let findings = v["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 2);
    let f1 = findings.iter().find(|f| f["fingerprint"] == "f1").expect("f1");
    assert_eq!(f1["repositories"], serde_json::json!(["api", "web"]));
    assert_eq!(f1["locations"].as_array().expect("locs").len(), 2);
    assert_eq!(f1["locations"][1]["repository"], "web");
    assert_eq!(v["errors"].as_array().expect("errors").len(), 2);
    assert_eq!(v["stale"][1]["repository"], "web");
    assert_eq!(v["repositories"].as_array().expect("repos").len(), 2);
    assert_eq!(v["stats"]["files_scanned"], 6);
    // A single-repository report carries none of the merge fields.
    let one = std::fs::read_to_string(dir.path().join("api.json")).expect("api");
    let (_, again, _) = dir.cmd().args(["report", "-f", "json", "api.json"]).run();
    assert!(
        !again.contains("\"repository\"") && !again.contains("\"repositories\""),
        "{one}"
    );
    // Markdown of the merged report says how many repositories a secret is in.
    let (_, md, _) = dir.cmd().args(["report", "-f", "markdown", "all.json"]).run();
    assert!(md.contains("in 2 repositories"), "{md}");
    // A broken input fails the merge, or with --keep-going becomes a failed repository.
    dir.create("broken.json", "not json");
    let (code, _, _) = dir
        .cmd()
        .args(["report", "merge", "api.json", "broken.json"])
        .run();
    assert_eq!(code, 2);
    let (code, v) = dir
        .cmd()
        .args(["report", "merge", "--keep-going", "api.json", "broken.json"])
        .run_json_stdout();
    assert_eq!(code, 1);
    let broken = v["repositories"]
        .as_array()
        .expect("repos")
        .iter()
        .find(|r| r["name"] == "broken")
        .cloned();
    assert!(broken.expect("broken listed")["failed"].is_string());
});

/// The cells of a Markdown table row: splits on `|` (no value may add one).
fn cells(row: &str) -> usize {
    row.matches('|').count() - 1
}

scantest!(markdown_keeps_hostile_names_inside_their_cells, |dir| {
    let hostile = [
        "a|b.txt",
        "x`y`.txt",
        "<img src=x onerror=alert(1)>.txt",
        "line\nbreak | forged | row.txt",
        "@org/team #12 https:__evil.test.txt",
        "esc\u{1b}[2J\u{202e}.txt",
    ];
    for (i, name) in hostile.iter().enumerate() {
        dir.create(
            &format!("t/{name}"),
            format!("x = tok_k3j9x8q2|m7w1`p5v4@x#1{i}\n"),
        );
    }
    // A rule whose text is hostile too (in CI the config comes with the scanned change).
    dir.create(
        "rules.toml",
        concat!(
            "[[rules]]\nid = \"hostile\"\ndescription = \"a | b `c` <script>x</script>\"\n",
            "keywords = [\"tok_\"]\nregex = '(tok_[^ \\n]{8,})'\nrotate = \"javascript:alert(1)\"\n"
        ),
    );
    for redact in [&[][..], &["--no-redact"][..]] {
        let (code, md, err) = dir
            .cmd()
            .args([
                "scan",
                "t",
                "--no-builtin-rules",
                "--rules",
                "rules.toml",
                "-f",
                "markdown",
            ])
            .args(redact)
            .run();
        assert_eq!(code, 1, "{err}");
        let rows: Vec<&str> = md.lines().filter(|l| l.starts_with('|')).collect();
        assert_eq!(rows.len(), hostile.len() + 2, "{md}");
        for row in &rows {
            assert_eq!(cells(row), 7, "a value broke out of its cell: {row}");
        }
        // Everything but our own fixed banner and closing line (which quote `leakless migrate`).
        let body: String = md
            .lines()
            .filter(|l| !l.starts_with("> ") && !l.starts_with("Fix: ") && !l.starts_with("### "))
            .collect::<Vec<_>>()
            .join("\n");
        for bad in [
            "<img",
            "<b>",
            "<script",
            "`",
            "\u{1b}",
            "\u{202e}",
            "@",
            "https:__",
            "javascript:",
        ] {
            assert!(!body.contains(bad), "{bad:?} reached the Markdown:\n{md}");
        }
        // `#` only inside character references (`&#35;12`, never an issue link `#12`).
        assert!(
            body.match_indices('#').all(|(i, _)| body[..i].ends_with('&')),
            "{md}"
        );
    }
});

scantest!(markdown_stops_at_the_size_limit_with_a_note, |dir| {
    let findings: Vec<serde_json::Value> = (0..2000)
        .map(|i| {
            finding(
                &format!("{i:032x}"),
                &format!("very/long/path/{}/file{i}.ts", "d".repeat(60)),
                "n",
            )
        })
        .collect();
    write_report(&dir, "big.json", findings);
    let (code, md, _) = dir
        .cmd()
        .args(["report", "big.json", "-f", "markdown", "--markdown-limit", "64K"])
        .run();
    assert_eq!(code, 1);
    assert!(md.len() <= 64 * 1024, "{} bytes", md.len());
    assert!(md.contains("not shown"), "no truncation note");
    let (_, full, _) = dir.cmd().args(["report", "big.json", "-f", "markdown"]).run();
    assert!(
        full.len() <= 1024 * 1024 && full.len() > 64 * 1024,
        "{}",
        full.len()
    );
    assert!(!full.contains("not shown"), "2000 rows fit in 1 MiB");
});

scantest!(text_shows_the_line_redacted_escaped_and_cut, |dir| {
    let (a, b) = ("tok_k3j9x8q2m7w1p5v4", "tok_a8d7f6g5h4j3k2l1");
    dir.create(
        "t/long.txt",
        format!(
            "{} \u{1b}[2J key = \"{a}\" and {b} {}\n",
            "y".repeat(300),
            "x".repeat(400)
        ),
    );
    let (code, out, err) = dir
        .cmd()
        .args([
            "scan",
            "t",
            "--no-builtin-rules",
            "--rules",
            RULES,
            "--color",
            "never",
        ])
        .run();
    assert_eq!(code, 1, "{err}");
    let lines: Vec<&str> = out.lines().filter(|l| l.starts_with("    line: ")).collect();
    assert_eq!(lines.len(), 2, "{out}");
    for l in &lines {
        assert!(
            !l.contains(a) && !l.contains(b),
            "a secret on the line is shown: {l}"
        );
        assert!(
            l.contains("tok_…") && l.contains("\\x1b[2J") && !l.contains('\u{1b}'),
            "{l}"
        );
        assert!(
            l.chars().count() <= "    line: ".len() + 170,
            "not width-limited: {l}"
        );
        assert!(l.contains('…'), "{l}");
    }
    // The JSON report carries it too, so `report` prints the same.
    let (_, v) = dir
        .cmd()
        .args(["scan", "t", "--no-builtin-rules", "--rules", RULES])
        .json();
    assert!(v["findings"][0]["locations"][0]["context"]
        .as_str()
        .expect("context")
        .contains("tok_…"));
});

scantest!(pem_previews_show_the_key_type, |dir| {
    let tree = planted(&dir);
    let (_, v) = dir.cmd().args(["scan", tree.as_str()]).json();
    let pem = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule_id"] == "rsa-private-key");
    assert_eq!(
        pem.expect("pem finding")["secret_preview"],
        "-----BEGIN RSA PRIVATE KEY-----…"
    );
    let (_, text, _) = dir.cmd().args(["scan", tree.as_str(), "--color", "never"]).run();
    assert!(
        text.contains("fix: untrack it"),
        "the committed .env finding says untrack it:\n{text}"
    );
});

// A validated report keeps its verdicts through `leakless report`: JSON, SARIF and text carry
// them, and the HTML overview counts live, dead and undecided findings.
scantest!(report_keeps_validation_in_every_format, |dir| {
    let verdict = |status: &str| serde_json::json!({"status": status, "checked_at": "2026-12-06T10:00:00Z", "detail": "api.github.com: HTTP 200"});
    let mut live = finding("f1", "a.ts", "a");
    live["validation"] = verdict("live");
    let mut dead = finding("f2", "b.ts", "b");
    dead["validation"] = verdict("dead");
    let mut unknown = finding("f3", "c.ts", "c");
    unknown["validation"] = verdict("unknown");
    write_report(&dir, "v.json", vec![live, dead, unknown]);
    let saved = dir.path().join("v.json");
    let (_, json, err) = dir.cmd().args(["report", "-f", "json"]).arg_path(&saved).run();
    let doc: serde_json::Value = serde_json::from_str(&json).expect(&err);
    let statuses: Vec<&str> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["validation"]["status"].as_str().unwrap_or("none"))
        .collect();
    assert_eq!(statuses, ["live", "dead", "unknown"]);
    let (_, sarif, _) = dir.cmd().args(["report", "-f", "sarif"]).arg_path(&saved).run();
    assert!(sarif.contains("\"validation\""), "{sarif}");
    let (_, text, _) = dir
        .cmd()
        .args(["report", "-f", "text", "--color", "never"])
        .arg_path(&saved)
        .run();
    assert!(text.contains("validation: live"), "{text}");
    let (_, html, _) = dir.cmd().args(["report", "-f", "html"]).arg_path(&saved).run();
    for tile in [
        ">1</div><div class=\"l\">live (validated)<",
        ">1</div><div class=\"l\">dead (validated)<",
        ">1</div><div class=\"l\">validation undecided<",
    ] {
        assert!(html.contains(tile), "{tile} missing");
    }
});
