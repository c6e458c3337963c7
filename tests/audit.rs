//! `leakless audit --repos`: local repositories built by script with fixed dates, a bare clone of
//! a `file://` URL, a missing and a broken repository; one report each, the merged report and
//! the HTML; failures reported while the audit goes on; resume without rescanning; shards that
//! merge into the whole.

use std::path::Path;

use crate::scantest;
use crate::util::{git, TestDir};

const RULES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/test-rules.toml");

/// A repository at `dir/name` with one commit adding `token` (and a second, clean commit).
fn repo(dir: &TestDir, name: &str, token: &str) {
    let p = dir.path().join(name);
    std::fs::create_dir_all(&p).expect("mkdir");
    git(&p, &["init", "-q", "-b", "main"]);
    std::fs::write(p.join("config.txt"), format!("api = {token}\n")).expect("write");
    git(&p, &["add", "."]);
    git(&p, &["commit", "-q", "-m", "add config"]);
    std::fs::write(p.join("README"), "docs\n").expect("write");
    git(&p, &["add", "."]);
    git(&p, &["commit", "-q", "-m", "docs"]);
}

fn audit(dir: &TestDir, extra: &[&str]) -> (i32, String) {
    audit_to(dir, "out", extra)
}

fn audit_to(dir: &TestDir, out: &str, extra: &[&str]) -> (i32, String) {
    let (code, _, err) = dir
        .cmd()
        .args([
            "audit",
            "--repos",
            "repos.txt",
            "-o",
            out,
            "--no-builtin-rules",
            "--rules",
            RULES,
        ])
        .args(extra)
        .run();
    (code, err)
}

fn json(p: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
        .expect("json")
}

scantest!(audit_scans_a_list_reports_failures_and_resumes, |dir| {
    repo(&dir, "api", "tok_k3j9x8q2m7w1p5v4");
    repo(&dir, "web", "tok_k3j9x8q2m7w1p5v4"); // the same secret: one finding, two repositories
    repo(&dir, "ops", "tok_q8w7e6r5t4y3u2i1");
    std::fs::create_dir_all(dir.path().join("broken/.git")).expect("mkdir");
    let url = format!("file://{}", dir.path().join("ops").display());
    dir.create(
        "repos.txt",
        format!("# the org\napi\nweb\n{url}\nmissing\nbroken\n"),
    );
    let (code, err) = audit(&dir, &["-J", "3"]);
    assert_eq!(code, 2, "a failed repository makes the exit 2: {err}");
    assert!(
        err.contains("missing: FAILED") && err.contains("broken: FAILED"),
        "{err}"
    );
    let out = dir.path().join("out");
    for name in ["api", "web", "ops"] {
        let v = json(&out.join(format!("repos/{name}.json")));
        assert_eq!(v["findings"].as_array().expect("findings").len(), 1, "{name}");
    }
    assert!(out.join("clones/ops.git").is_dir(), "the URL is cloned bare");
    assert!(out.join("repos/missing.error").is_file());
    let merged = json(&out.join("audit.json"));
    let findings = merged["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 2);
    let shared = findings
        .iter()
        .find(|f| f["repositories"].as_array().is_some_and(|r| r.len() == 2));
    assert_eq!(
        shared.expect("a secret in two repositories")["repositories"],
        serde_json::json!(["api", "web"])
    );
    let repos = merged["repositories"].as_array().expect("repositories");
    assert_eq!(repos.len(), 5);
    let failed: Vec<&str> = repos
        .iter()
        .filter(|r| r["failed"].is_string())
        .filter_map(|r| r["name"].as_str())
        .collect();
    assert_eq!(failed, ["broken", "missing"]);
    let html = std::fs::read_to_string(out.join("audit.html")).expect("html");
    assert!(
        html.contains("Repositories") && html.contains("failed: "),
        "per-repository table"
    );
    // Resume: finished repositories are not scanned again (their reports are untouched).
    let before = std::fs::metadata(out.join("repos/api.json"))
        .expect("meta")
        .modified()
        .expect("mtime");
    std::thread::sleep(std::time::Duration::from_millis(20));
    let (code, err) = audit(&dir, &[]);
    assert_eq!(code, 2);
    assert!(err.contains("api: 1 findings (finished earlier)"), "{err}");
    let after = std::fs::metadata(out.join("repos/api.json"))
        .expect("meta")
        .modified()
        .expect("mtime");
    assert_eq!(before, after, "a finished repository was rescanned");
    // A fixed repository succeeds on the next run and its error file goes.
    std::fs::remove_dir_all(dir.path().join("broken")).expect("rm");
    repo(&dir, "broken", "tok_z1x2c3v4b5n6m7l8");
    dir.create("repos.txt", format!("api\nweb\n{url}\nbroken\n"));
    let (code, err) = audit(&dir, &[]);
    assert_eq!(code, 1, "{err}");
    assert!(!out.join("repos/broken.error").exists());
    assert_eq!(
        json(&out.join("audit.json"))["findings"]
            .as_array()
            .expect("findings")
            .len(),
        3
    );
    // --rescan scans everything again, fetching what a cloned repository gained.
    let ops = dir.path().join("ops");
    std::fs::write(ops.join("later.txt"), "k = tok_p0o9i8u7y6t5r4e3\n").expect("write");
    git(&ops, &["add", "."]);
    git(&ops, &["commit", "-q", "-m", "later"]);
    let (_, err) = audit(&dir, &["--rescan"]);
    assert!(!err.contains("finished earlier"), "{err}");
    assert_eq!(
        json(&out.join("repos/ops.json"))["findings"]
            .as_array()
            .expect("findings")
            .len(),
        2
    );
});

scantest!(audit_shards_merge_into_the_whole, |dir| {
    for (i, name) in ["a", "b", "c", "d", "e"].iter().enumerate() {
        repo(&dir, name, &format!("tok_k3j9x8q2m7w1p5v{i}"));
    }
    dir.create("repos.txt", "a\nb\nc\nd\ne\n");
    let (code, err) = audit(&dir, &[]);
    assert_eq!(code, 1, "{err}");
    let whole = json(&dir.path().join("out/audit.json"));
    let mut reports = Vec::new();
    for i in 0..2 {
        let (_, err) = audit_to(&dir, &format!("shard{i}"), &["--shard", &format!("{i}/2")]);
        assert!(
            !dir.path().join(format!("shard{i}/audit.json")).exists(),
            "a shard does not merge"
        );
        for e in std::fs::read_dir(dir.path().join(format!("shard{i}/repos"))).expect("dir") {
            reports.push(e.expect("entry").path());
        }
        assert!(!err.contains("FAILED"), "{err}");
    }
    assert_eq!(reports.len(), 5, "the shards cover every repository once");
    let (_, merged, _) = dir.cmd().args(["report", "merge"]).args(&reports).run();
    let merged: serde_json::Value = serde_json::from_str(&merged).expect("json");
    let names = |v: &serde_json::Value| {
        v["repositories"]
            .as_array()
            .expect("repos")
            .iter()
            .map(|r| r["name"].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&merged), names(&whole));
    assert_eq!(merged["findings"], whole["findings"]);
    let (code, _, err) = dir
        .cmd()
        .args(["audit", "--repos", "repos.txt", "--shard", "2/2"])
        .run();
    assert_eq!(code, 2, "{err}");
});

scantest!(
    blob_cache_skips_clean_blobs_and_keeps_the_report_the_same,
    |dir| {
        let p = dir.path().join("repo");
        std::fs::create_dir_all(&p).expect("mkdir");
        git(&p, &["init", "-q", "-b", "main"]);
        for i in 0..20 {
            std::fs::write(p.join(format!("f{i}.txt")), format!("clean file {i}\n")).expect("write");
        }
        std::fs::write(p.join("leak.txt"), "key = tok_k3j9x8q2m7w1p5v4\n").expect("write");
        git(&p, &["add", "."]);
        git(&p, &["commit", "-q", "-m", "files"]);
        let scan = |rules: &str| {
            dir.cmd()
                .args([
                    "scan",
                    "--history",
                    "repo",
                    "--no-builtin-rules",
                    "--rules",
                    rules,
                    "--blob-cache",
                    "cache.json",
                ])
                .json()
                .1
        };
        let first = scan(RULES);
        let cache = json(&dir.path().join("cache.json"));
        assert_eq!(cache["clean_blobs"].as_array().expect("ids").len(), 20, "{cache}");
        let text = std::fs::read_to_string(dir.path().join("cache.json")).expect("cache");
        assert!(
            !text.contains("tok_") && !text.contains("clean file"),
            "no content in the cache"
        );
        let second = scan(RULES);
        assert_eq!(
            first["findings"], second["findings"],
            "the cache changes no finding"
        );
        assert_eq!(first["stats"]["git"]["blobs_scanned"], 21);
        assert_eq!(
            second["stats"]["git"]["blobs_scanned"], 1,
            "only the blob with a finding is read again"
        );
        // A new commit: only its new blob is scanned.
        std::fs::write(p.join("new.txt"), "more\n").expect("write");
        git(&p, &["add", "."]);
        git(&p, &["commit", "-q", "-m", "new"]);
        assert_eq!(scan(RULES)["stats"]["git"]["blobs_scanned"], 2);
        // Other rules: the cache does not apply.
        let other = dir.create(
            "other.toml",
            std::fs::read_to_string(RULES).expect("rules") + "\n# changed\n",
        );
        let other = scan(other.to_str().expect("utf-8"));
        assert_eq!(other["stats"]["git"]["blobs_scanned"], 22);
        // audit --cache passes a cache per repository.
        dir.create("repos.txt", "repo\n");
        let (code, err) = audit(&dir, &["--cache", "cache-dir"]);
        assert_eq!(code, 1, "{err}");
        assert!(dir.path().join("cache-dir/repo.json").is_file());
    }
);
