//! Command-line behaviour: exit codes, redaction, output files, errors.

use crate::scantest;

const RULES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/test-rules.toml");
const TOKEN: &str = "tok_k3j9x8q2m7w1p5v4";

fn base() -> Vec<&'static str> {
    vec!["scan", ".", "--no-builtin-rules", "--rules", RULES]
}

scantest!(exit_codes, |dir| {
    dir.create("clean.txt", "nothing to see\n");
    let (code, out, _) = dir.cmd().args(base()).run();
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("no leaks found"), "{out}");

    dir.create("leak.txt", format!("{TOKEN}\n"));
    assert_eq!(dir.cmd().args(base()).run().0, 1);

    let (code, _, err) = dir.cmd().args(["scan", "does-not-exist"]).run();
    assert_eq!(code, 2);
    assert!(err.contains("does-not-exist: no such file or directory"), "{err}");

    let (code, _, err) = dir.cmd().args(["scan", ".", "--config", "missing.toml"]).run();
    assert_eq!(code, 2);
    assert!(err.contains("missing.toml: cannot read rule file"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
});

scantest!(secrets_are_redacted_unless_asked, |dir| {
    dir.create("leak.txt", format!("{TOKEN}\ntestpass = \"Vq8#rT2!mZx\"\n"));
    for format in ["text", "json"] {
        let (code, out, err) = dir.cmd().args(base()).args(["--format", format]).run();
        assert_eq!(code, 1);
        assert!(!out.contains(TOKEN) && !err.contains(TOKEN), "{format}: {out}");
        assert!(!out.contains("Vq8#rT2!mZx"), "{format}: {out}");
        assert!(out.contains("tok_…"), "{format}: {out}");
        let (_, out, _) = dir
            .cmd()
            .args(base())
            .args(["--format", format, "--no-redact"])
            .run();
        assert!(
            out.contains(TOKEN) && out.contains("Vq8#rT2!mZx"),
            "{format}: {out}"
        );
    }
});

scantest!(text_report_shape, |dir| {
    dir.create("src/leak.txt", format!("line one\n  key: {TOKEN}\n"));
    let (_, out, _) = dir.cmd().args(base()).args(["--color", "never"]).run();
    let mut lines = out.lines();
    assert_eq!(
        lines.next(),
        Some("src/leak.txt:2:8: high test-token: Test token")
    );
    assert!(lines
        .next()
        .is_some_and(|l| l.trim_start().starts_with("secret: tok_… ")));
    assert_eq!(lines.next(), Some("    line: key: tok_…"));
    assert!(lines.next().is_some_and(|l| l.trim_start().starts_with("fix: ")));
    let summary = lines.next().expect("summary");
    assert!(
        summary.starts_with("1 finding (1 high); scanned 1 file, "),
        "{summary}"
    );
    assert!(summary.contains("MB/s"), "{summary}");

    let (_, out, _) = dir.cmd().args(base()).args(["--color", "always"]).run();
    assert!(out.contains("\x1b["), "colour requested");
});

scantest!(output_file, |dir| {
    dir.create("leak.txt", format!("{TOKEN}\n"));
    let (code, out, _) = dir
        .cmd()
        .args(base())
        .args(["-f", "json", "-o", "report.json"])
        .run();
    assert_eq!(code, 1);
    assert!(out.is_empty());
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("report.json")).expect("report"))
            .expect("json");
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["findings"][0]["rule_id"], "test-token");
    assert_eq!(v["findings"][0]["fingerprint"].as_str().map(str::len), Some(32));
});

scantest!(inline_allow_markers, |dir| {
    dir.create(
        "a.txt",
        format!("a {TOKEN} # leakless:allow\nb {TOKEN} // gitleaks:allow\nc {TOKEN}  # pragma: allowlist secret\n"),
    );
    let (code, _) = dir.cmd().args(base()).json();
    assert_eq!(code, 0);
    let (code, v) = dir.cmd().args(base()).args(["--no-inline-allow"]).json();
    assert_eq!(code, 1);
    assert_eq!(v["findings"][0]["locations"].as_array().map(Vec::len), Some(3));
});
