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

/// `scan --history REPO` with `rules`, through the cache file `cache` when given.
fn history_scan(dir: &TestDir, repo: &str, rules: &str, cache: Option<&str>) -> serde_json::Value {
    let mut cmd = dir.cmd();
    cmd.args(["scan", "--history", repo, "--no-builtin-rules", "--rules", rules]);
    if let Some(c) = cache {
        cmd.args(["--blob-cache", c]);
    }
    cmd.json().1
}

/// Scans `repo` with and without the cache `cache` and checks the reports are the same (all
/// but the count of blobs read); returns the cached scan's report.
fn same_as_full(dir: &TestDir, repo: &str, rules: &str, cache: &str) -> serde_json::Value {
    let full = history_scan(dir, repo, rules, None);
    let cached = history_scan(dir, repo, rules, Some(cache));
    for key in ["findings", "errors", "skipped", "stale"] {
        assert_eq!(cached[key], full[key], "{key} differ from a full scan");
    }
    let git = |v: &serde_json::Value| {
        let mut g = v["stats"]["git"].clone();
        g.as_object_mut().expect("git stats").remove("blobs_scanned");
        g
    };
    assert_eq!(git(&cached), git(&full), "git stats differ from a full scan");
    let walk = &json(&dir.path().join(cache))["walk"];
    assert_eq!(
        walk["commits"].as_array().expect("walk commits").len() as u64,
        full["stats"]["git"]["commits"].as_u64().expect("commits"),
        "the walk cache holds exactly the commits a ref reaches"
    );
    cached
}

/// Secret values of the findings, sorted.
fn secrets_found(v: &serde_json::Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .flat_map(|f| f["locations"].as_array().expect("locations").iter())
        .map(|l| {
            (
                l["path"].as_str().expect("path").to_string(),
                l["commit"]["summary"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

scantest!(walk_cache_replays_history_and_follows_rewrites, |dir| {
    let p = dir.path().join("repo");
    std::fs::create_dir_all(&p).expect("mkdir");
    let commit = |files: &[(&str, &str)], msg: &str| {
        for (f, body) in files {
            let path = p.join(f);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, body).expect("write");
        }
        git(&p, &["add", "-A"]);
        git(&p, &["commit", "-q", "-m", msg]);
        git(&p, &["rev-parse", "HEAD"])
    };
    git(&p, &["init", "-q", "-b", "main"]);
    let mut files: Vec<(String, String)> = (0..12)
        .map(|i| (format!("src/m{i}.txt"), format!("module {i}\n")))
        .collect();
    files.push(("conf/app.env".into(), "key = tok_k3j9x8q2m7w1p5v4\n".into()));
    let refs: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let base = commit(&refs, "base with leak one");
    let kept = commit(&[("src/m1.txt", "module 1, edited\n")], "edit m1");
    git(&p, &["checkout", "-q", "-b", "feature", &base]);
    commit(
        &[("feature/f.txt", "key = tok_q8w7e6r5t4y3u2i1\n")],
        "feature leak two",
    );
    git(&p, &["checkout", "-q", "main"]);
    // An evil merge: the merge itself adds a secret no parent has.
    git(&p, &["merge", "-q", "--no-ff", "--no-commit", "feature"]);
    std::fs::write(p.join("merge.txt"), "key = tok_z1x2c3v4b5n6m7a8\n").expect("write");
    git(&p, &["add", "-A"]);
    git(&p, &["commit", "-q", "-m", "merge with leak three"]);
    git(&p, &["tag", "-a", "v1", "-m", "v1"]);

    // First scan writes the cache; an unchanged re-scan replays it and reads only the blobs
    // with findings.
    let first = same_as_full(&dir, "repo", RULES, "cache.json");
    assert_eq!(first["stats"]["git"]["commits"], 4);
    assert_eq!(secrets_found(&first).len(), 3, "{first}");
    let text = std::fs::read_to_string(dir.path().join("cache.json")).expect("cache");
    assert!(!text.contains("tok_"), "no secret in the cache");
    let again = same_as_full(&dir, "repo", RULES, "cache.json");
    assert_eq!(again["stats"]["git"]["blobs_scanned"], 3);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("cache.json")).expect("cache"),
        text,
        "an unchanged re-audit rewrites the same cache"
    );

    // The walk is replayed, not recomputed: a cache claiming another path for the first leak
    // is what the report shows (a tampered copy; the real cache is untouched).
    let mut tampered = json(&dir.path().join("cache.json"));
    for path in tampered["walk"]["paths"].as_array_mut().expect("paths") {
        if path == "conf/app.env" {
            *path = "replayed/app.env".into();
        }
    }
    dir.create("tampered.json", tampered.to_string());
    let replayed = history_scan(&dir, "repo", RULES, Some("tampered.json"));
    assert!(
        secrets_found(&replayed)
            .iter()
            .any(|(p, _)| p == "replayed/app.env"),
        "{replayed}"
    );

    // One new commit touching one file: only that blob is read besides the blobs with findings.
    commit(&[("src/m2.txt", "module 2, edited\n")], "edit m2");
    let one = same_as_full(&dir, "repo", RULES, "cache.json");
    assert_eq!(one["stats"]["git"]["blobs_scanned"], 4);

    // A force-push that drops the merge and the feature branch: their leaks leave the report
    // and their commits leave the cache.
    git(&p, &["tag", "-d", "v1"]);
    git(&p, &["branch", "-D", "feature"]);
    git(&p, &["reset", "-q", "--hard", &kept]);
    let dropped = same_as_full(&dir, "repo", RULES, "cache.json");
    assert_eq!(
        secrets_found(&dropped),
        vec![("conf/app.env".into(), "base with leak one".into())]
    );
    assert_eq!(dropped["stats"]["git"]["commits"], 2);

    // A new branch from the first commit with a new secret.
    git(&p, &["checkout", "-q", "-b", "hotfix", &base]);
    commit(
        &[("conf/app.env", "key = tok_p0o9i8u7y6t5r4e3\n")],
        "hotfix leak four",
    );
    let branched = same_as_full(&dir, "repo", RULES, "cache.json");
    assert_eq!(secrets_found(&branched).len(), 2, "{branched}");

    // Other rules: every blob is scanned again, the walk is still replayed.
    let other = dir.create(
        "other.toml",
        std::fs::read_to_string(RULES).expect("rules") + "\n# changed\n",
    );
    let other = other.to_str().expect("utf-8");
    let rescanned = same_as_full(&dir, "repo", other, "cache.json");
    assert_eq!(
        rescanned["stats"]["git"]["blobs_scanned"],
        rescanned["stats"]["git"]["unique_blobs"]
    );
    same_as_full(&dir, "repo", other, "cache.json");

    // A shallow clone, then deepened: the commit walked as a root is walked again.
    let url = format!("file://{}", p.display());
    git(
        dir.path(),
        &[
            "clone", "-q", "--depth", "1", "--branch", "hotfix", &url, "shallow",
        ],
    );
    let cut = same_as_full(&dir, "shallow", RULES, "shallow.json");
    assert_eq!(cut["stats"]["git"]["shallow"], true);
    git(&dir.path().join("shallow"), &["fetch", "-q", "--unshallow"]);
    let deep = same_as_full(&dir, "shallow", RULES, "shallow.json");
    assert_eq!(deep["stats"]["git"]["shallow"], false);
    assert!(
        secrets_found(&deep).contains(&("conf/app.env".into(), "base with leak one".into())),
        "{deep}"
    );
});
