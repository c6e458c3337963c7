//! Decoding of base64 and hex runs anywhere (with the chain reported), `--max-decode-depth`, and
//! confidence in every output with `--min-confidence`.

use crate::scantest;
use crate::util::hits;

/// A GitHub classic PAT with a valid checksum (a fake, used across the suite).
const GHP: &str = "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"; // leakless:allow

fn b64(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in data.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn hex(data: &[u8]) -> String {
    data.iter().map(|b| format!("{b:02x}")).collect()
}

scantest!(base64_and_hex_runs_are_decoded_with_the_chain, |dir| {
    let b = b64(GHP.as_bytes());
    let h = hex(GHP.as_bytes());
    let bh = b64(h.as_bytes());
    dir.create("notes/a.txt", format!("seed = {b}\n"));
    dir.create("notes/b.txt", format!("\n  blob: \"{h}\",\n"));
    dir.create("notes/c.txt", format!("x {bh} y\n"));
    dir.create(
        "notes/d.txt",
        format!("url-safe: {}\n", b.replace('+', "-").replace('/', "_")),
    );
    let (code, v) = dir.cmd().args(["scan", "."]).json();
    assert_eq!(code, 1);
    assert_eq!(
        hits(&v),
        vec![
            ("github-pat-classic".into(), "notes/a.txt".into(), 1),
            ("github-pat-classic".into(), "notes/b.txt".into(), 2),
            ("github-pat-classic".into(), "notes/c.txt".into(), 1),
            ("github-pat-classic".into(), "notes/d.txt".into(), 1),
        ]
    );
    let locs = v["findings"][0]["locations"].as_array().expect("locations");
    let chain = |i: usize| locs[i]["decoded"].clone();
    assert_eq!(chain(0), serde_json::json!(["base64"]));
    assert_eq!(chain(1), serde_json::json!(["hex"]));
    assert_eq!(chain(2), serde_json::json!(["base64", "hex"]));
    assert_eq!(locs[0]["column"], 8, "at the encoded run");
    assert_eq!(locs[0]["end_column"], 8 + b.len());
    assert_eq!(locs[1]["column"], 10);
    let (_, text, _) = dir.cmd().args(["scan", ".", "--color", "never"]).run();
    assert!(text.contains("(base64-decoded)"), "{text}");
    assert!(text.contains("notes/c.txt:1:3 (base64+hex-decoded)"), "{text}");
    assert!(!text.contains(GHP), "redacted: {text}");
    // Depth 1: one decoding only (base64 of hex is no longer found); 0: none.
    let (_, v) = dir.cmd().args(["scan", ".", "--max-decode-depth", "1"]).json();
    assert_eq!(v["findings"][0]["locations"].as_array().expect("locs").len(), 3);
    let (code, _) = dir.cmd().args(["scan", ".", "--max-decode-depth", "0"]).json();
    assert_eq!(code, 0);
});

scantest!(
    identifiers_digests_and_binary_base64_are_not_decoded_into_findings,
    |dir| {
        dir.create(
        "src/lib.rs",
        "const SOME_VERY_LONG_CONSTANT_NAME_HERE: u32 = 1;\n\
         // sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n\
         let png = \"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==\";\n",
    );
        let (code, v) = dir.cmd().args(["scan", "."]).json();
        assert_eq!(code, 0, "{v}");
    }
);

scantest!(confidence_in_every_format_and_min_confidence, |dir| {
    dir.create("ci/env.sh", format!("export GH={GHP}\n"));
    dir.create("config/.env", "DB_PASSWORD=Xq8vLm2pRtK4\n");
    let (_, v) = dir.cmd().args(["scan", "."]).json();
    let conf: Vec<(String, String)> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().expect("id").into(),
                f["confidence"].as_str().expect("c").into(),
            )
        })
        .collect();
    assert!(
        conf.contains(&("github-pat-classic".into(), "high".into())),
        "{conf:?}"
    );
    assert!(
        conf.contains(&("generic-password-assignment".into(), "low".into())),
        "{conf:?}"
    );
    assert!(
        conf.contains(&("committed-dotenv-file".into(), "low".into())),
        "{conf:?}"
    );
    let (code, v) = dir.cmd().args(["scan", ".", "--min-confidence", "high"]).json();
    assert_eq!(code, 1);
    assert_eq!(
        hits(&v),
        vec![("github-pat-classic".into(), "ci/env.sh".into(), 1)]
    );
    let (_, jsonl, _) = dir
        .cmd()
        .args(["scan", ".", "-f", "jsonl", "--min-confidence", "medium"])
        .run();
    assert_eq!(jsonl.lines().count(), 1, "{jsonl}");
    assert!(jsonl.contains("\"confidence\":\"high\""), "{jsonl}");
    let (_, sarif, _) = dir.cmd().args(["scan", ".", "-f", "sarif"]).run();
    let s: serde_json::Value = serde_json::from_str(&sarif).expect("sarif");
    let results = s["runs"][0]["results"].as_array().expect("results");
    for r in results {
        let c = r["properties"]["confidence"].as_str().expect("confidence");
        let rank = r["rank"].as_f64().expect("rank");
        assert_eq!(rank, if c == "high" { 90.0 } else { 30.0 }, "{r}");
    }
    let (_, junit, _) = dir.cmd().args(["scan", ".", "-f", "junit"]).run();
    assert!(
        junit.contains("confidence high") && junit.contains("confidence low"),
        "{junit}"
    );
    let (_, gh, _) = dir.cmd().args(["scan", ".", "-f", "github"]).run();
    assert!(
        gh.contains("confidence high") && gh.contains("confidence low"),
        "{gh}"
    );
    let (_, text, _) = dir.cmd().args(["scan", ".", "--color", "never"]).run();
    assert!(
        text.contains("confidence: high") && text.contains("confidence: low"),
        "{text}"
    );
});
