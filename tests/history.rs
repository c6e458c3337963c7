//! Git sources: `--history`, `--range`, `--since-commit`, `--staged`, on the fixture repositories
//! built by `fixtures/repos/make_*.sh` (fixed dates and authors, so commit ids are stable).

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::scantest;
use crate::util::{git, TestDir};

const RULES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/test-rules.toml");
const MAKE_HISTORY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/repos/make_history.sh");

const T_HEAD: &str = "tok_e8c3q6z9v2j7t4mf";
const T_DEL: &str = "tok_q7m2x9k4w8r3p6zn";
const T_MOVE: &str = "tok_b9r4t7m2k8w3q6xe";
const T_BRANCH: &str = "tok_h5v8c2n7j4t9b3ye";
const T_TAG: &str = "tok_f3k8w2q9m5x7r4ud";
const T_MERGE: &str = "tok_z6p3j8v2h9c5n7sa";
const T_STASH: &str = "tok_w2x7n4h9b5k8m3pc";
const T_UNTRACKED: &str = "tok_u4n8k2r7c3x9m6jd";
const T_NON_UTF8: &str = "tok_d7j3w9q2n6v8x4kb";

/// Builds the history fixture in `dir/repo` and returns its path.
pub fn make_history(dir: &TestDir) -> std::path::PathBuf {
    let repo = dir.path().join("repo");
    let st = crate::util::bash()
        .arg(MAKE_HISTORY)
        .arg(&repo)
        .status()
        .expect("run make_history.sh");
    assert!(st.success());
    repo
}

/// The commit whose subject is exactly `subject`, searched in every ref.
fn commit_by_subject(repo: &Path, subject: &str) -> String {
    let all = git(repo, &["log", "--all", "--format=%H %s"]);
    let hits: Vec<&str> = all
        .lines()
        .filter_map(|l| l.split_once(' '))
        .filter(|(_, s)| *s == subject)
        .map(|(h, _)| h)
        .collect();
    assert_eq!(hits.len(), 1, "subject {subject:?} in {all}");
    hits[0].to_string()
}

fn scan(repo: &Path, dir: &TestDir, mode: &[&str]) -> (i32, Value) {
    let mut args = vec!["scan", "--no-builtin-rules", "--rules", RULES, "--no-redact"];
    args.extend_from_slice(mode);
    args.push(repo.to_str().expect("utf-8 temp path"));
    dir.cmd().args(&args).json()
}

/// `(path, line, commit id)` of a location.
type Loc = (String, u64, String);

/// `(path, line, commit id)` of each location of the finding for `secret`, and its `in_head`.
fn finding(v: &Value, secret: &str) -> Option<(BTreeSet<Loc>, Value)> {
    let f = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["secret"] == secret)?;
    let locs = f["locations"]
        .as_array()
        .expect("locations")
        .iter()
        .map(|l| {
            (
                l["path"].as_str().expect("path").to_string(),
                l["line"].as_u64().expect("line"),
                l["commit"]["id"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    Some((locs, f["in_head"].clone()))
}

fn loc(path: &str, line: u64, commit: &str) -> Loc {
    (path.to_string(), line, commit.to_string())
}

fn secrets(v: &Value) -> BTreeSet<String> {
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["secret"].as_str().expect("secret").to_string())
        .collect()
}

scantest!(history_finds_each_secret_with_its_introducing_commits, |dir| {
    let repo = make_history(&dir);
    let c = |s: &str| commit_by_subject(&repo, s);
    let (code, v) = scan(&repo, &dir, &["--history"]);
    assert_eq!(code, 1, "{v}");
    let cases: Vec<(&str, Vec<Loc>, bool)> = vec![
        (
            T_HEAD,
            vec![
                loc("config.toml", 2, &c("root: add config")),
                loc("config.toml", 3, &c("edit config")),
            ],
            true,
        ),
        (T_DEL, vec![loc("creds.txt", 3, &c("add creds"))], false),
        (
            T_MOVE,
            vec![
                loc("secrets/app.env", 1, &c("add app env")),
                loc("config/app.env", 1, &c("move app env")),
            ],
            true,
        ),
        (T_BRANCH, vec![loc("feature.txt", 2, &c("feature work"))], false),
        (T_TAG, vec![loc("tagged.txt", 1, &c("tagged release"))], false),
        (T_MERGE, vec![loc("merge.txt", 1, &c("merge side"))], true),
        (
            T_STASH,
            vec![loc("notes.txt", 2, &git(&repo, &["rev-parse", "refs/stash"]))],
            false,
        ),
        (
            T_UNTRACKED,
            vec![loc(
                "untracked.txt",
                1,
                &git(&repo, &["rev-parse", "refs/stash^3"]),
            )],
            false,
        ),
        (
            T_NON_UTF8,
            vec![loc("caf\u{fffd}.txt", 1, &c("non-utf8 name"))],
            true,
        ),
    ];
    for (secret, want, in_head) in &cases {
        let (got, head) = finding(&v, secret).unwrap_or_else(|| panic!("{secret} not found: {v}"));
        let want: BTreeSet<_> = want.iter().cloned().collect();
        assert_eq!(got, want, "{secret}");
        assert_eq!(head, Value::Bool(*in_head), "in_head of {secret}");
    }
    assert_eq!(v["findings"].as_array().map(Vec::len), Some(cases.len()), "{v}");
    // Provenance details of one location.
    let f = &v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["secret"] == T_DEL)
        .expect("T_DEL")["locations"][0]["commit"];
    assert_eq!(f["author_name"], "Ada Lovelace");
    assert_eq!(f["author_email"], "ada@example.com");
    assert_eq!(f["date"], "2023-11-15T00:13:20+00:00");
    assert_eq!(f["summary"], "add creds");
    let g = &v["stats"]["git"];
    assert_eq!(g["refs"], 5, "main, feature, v1, stash, HEAD: {g}");
    assert_eq!(g["findings_in_head"], 4);
    assert_eq!(g["findings_history_only"], 5);
    assert_eq!(g["lfs_pointers"], 1);
    // The fake `archive.zip` (a zip header and garbage) is skipped as a corrupt archive.
    assert_eq!(v["skipped"][0]["reason"], "archive_corrupt");
});

scantest!(history_scans_each_blob_once, |dir| {
    let repo = make_history(&dir);
    let listed = git(&repo, &["rev-list", "--objects", "--all"]);
    let mut blobs = 0;
    for line in listed.lines() {
        let id = line.split(' ').next().expect("id");
        if git(&repo, &["cat-file", "-t", id]) == "blob" {
            blobs += 1;
        }
    }
    let (_, v) = scan(&repo, &dir, &["--history"]);
    let g = &v["stats"]["git"];
    assert_eq!(g["unique_blobs"], blobs, "{g}");
    // Every unique blob is read once: scanned, or skipped as binary, or an LFS pointer.
    assert_eq!(g["blobs_scanned"], blobs - 2, "{g}");
    assert_eq!(v["stats"]["files_scanned"], blobs - 2);
    let (_, out, _) = dir
        .cmd()
        .args(["scan", "--history", "-v", "--no-builtin-rules", "--rules", RULES])
        .args([&repo])
        .run();
    assert!(
        out.contains(&format!("blobs scanned: {} (unique blobs: {blobs})", blobs - 2)),
        "{out}"
    );
});

scantest!(range_reports_only_added_lines, |dir| {
    let repo = make_history(&dir);
    let c = |s: &str| commit_by_subject(&repo, s);
    let root = c("root: add config");
    let (code, v) = scan(&repo, &dir, &["--range", &format!("{root}..main")]);
    assert_eq!(code, 1, "{v}");
    // T_HEAD's line is moved by "edit config", not added; the rename adds nothing; branch, tag and
    // stash are outside the range.
    assert_eq!(
        secrets(&v),
        [T_DEL, T_MOVE, T_MERGE, T_NON_UTF8]
            .iter()
            .map(ToString::to_string)
            .collect()
    );
    let (locs, in_head) = finding(&v, T_MOVE).expect("T_MOVE");
    assert_eq!(
        locs,
        [loc("secrets/app.env", 1, &c("add app env"))]
            .into_iter()
            .collect()
    );
    assert_eq!(in_head, Value::Null);
    let (locs, _) = finding(&v, T_MERGE).expect("T_MERGE");
    assert_eq!(
        locs,
        [loc("merge.txt", 1, &c("merge side"))].into_iter().collect()
    );

    let after = c("add creds");
    let (_, v) = scan(&repo, &dir, &["--since-commit", &after]);
    assert_eq!(
        secrets(&v),
        [T_MOVE, T_MERGE, T_NON_UTF8]
            .iter()
            .map(ToString::to_string)
            .collect()
    );
    // An empty range is clean.
    let (code, v) = scan(&repo, &dir, &["--range", "main..main"]);
    assert_eq!(code, 0, "{v}");
});

scantest!(staged_reports_only_added_lines, |dir| {
    let repo = make_history(&dir);
    std::fs::write(
        repo.join("config.toml"),
        "first = \"tok_m4k9x2w7q3r8n5vb\"\n# settings\nname = \"demo\"\ntoken = \"tok_e8c3q6z9v2j7t4mf\"\n",
    )
    .expect("write");
    std::fs::create_dir_all(repo.join("deep/er")).expect("mkdir");
    std::fs::write(repo.join("deep/er/new.txt"), "a\nb\nk = tok_c6v2n8j3x7q9w4tz\n").expect("write");
    git(&repo, &["add", "config.toml", "deep/er/new.txt"]);
    // Not staged: not reported.
    std::fs::write(repo.join("notes.txt"), "tok_p3x8k2m9w4q7n5rd\n").expect("write");
    let (code, v) = scan(&repo, &dir, &["--staged"]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(
        secrets(&v),
        ["tok_m4k9x2w7q3r8n5vb", "tok_c6v2n8j3x7q9w4tz"]
            .iter()
            .map(ToString::to_string)
            .collect()
    );
    let (locs, _) = finding(&v, "tok_c6v2n8j3x7q9w4tz").expect("new file");
    assert_eq!(locs, [loc("deep/er/new.txt", 3, "")].into_iter().collect());
    let (locs, _) = finding(&v, "tok_m4k9x2w7q3r8n5vb").expect("edit");
    assert_eq!(locs, [loc("config.toml", 1, "")].into_iter().collect());
    assert_eq!(v["stats"]["git"]["blobs_scanned"], 2);
});

scantest!(staged_without_head_scans_whole_new_files, |dir| {
    let repo = dir.path().join("fresh");
    std::fs::create_dir_all(&repo).expect("mkdir");
    git(&repo, &["-c", "init.defaultBranch=main", "init", "-q"]);
    std::fs::write(repo.join("a.txt"), "x\ntok_r7w2k9m4x8q3n6va\n").expect("write");
    git(&repo, &["add", "a.txt"]);
    let (code, v) = scan(&repo, &dir, &["--staged"]);
    assert_eq!(code, 1, "{v}");
    let (locs, _) = finding(&v, "tok_r7w2k9m4x8q3n6va").expect("found");
    assert_eq!(locs, [loc("a.txt", 2, "")].into_iter().collect());
    // Nothing staged, no commits: clean.
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).expect("mkdir");
    git(&empty, &["-c", "init.defaultBranch=main", "init", "-q"]);
    assert_eq!(scan(&empty, &dir, &["--staged"]).0, 0);
    // And a history scan of a repository with no commits exits cleanly.
    let (code, v) = scan(&empty, &dir, &["--history"]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["stats"]["git"]["commits"], 0);
});

scantest!(history_of_bare_shallow_and_linked_worktree_repos, |dir| {
    let repo = make_history(&dir);
    let bare = dir.path().join("bare.git");
    git(dir.path(), &["clone", "-q", "--bare", "repo", "bare.git"]);
    let (_, v) = scan(&bare, &dir, &["--history"]);
    // A clone carries branches and tags, not the stash.
    assert_eq!(
        secrets(&v),
        [T_HEAD, T_DEL, T_MOVE, T_BRANCH, T_TAG, T_MERGE, T_NON_UTF8]
            .iter()
            .map(ToString::to_string)
            .collect()
    );
    assert_eq!(v["stats"]["git"]["shallow"], false);

    let url = format!("file://{}", repo.display());
    git(dir.path(), &["clone", "-q", "--depth", "1", &url, "shallow"]);
    let (_, v) = scan(&dir.path().join("shallow"), &dir, &["--history"]);
    assert_eq!(v["stats"]["git"]["shallow"], true);
    let (locs, in_head) = finding(&v, T_HEAD).expect("T_HEAD");
    let head = git(&repo, &["rev-parse", "main"]);
    assert_eq!(locs, [loc("config.toml", 3, &head)].into_iter().collect());
    assert_eq!(in_head, Value::Bool(true));
    assert!(finding(&v, T_DEL).is_none());

    git(&repo, &["worktree", "add", "-q", "../linked", "feature"]);
    let (_, v) = scan(&dir.path().join("linked"), &dir, &["--history"]);
    assert_eq!(v["findings"].as_array().map(Vec::len), Some(9));
});

scantest!(missing_object_is_reported_and_the_scan_goes_on, |dir| {
    let repo = make_history(&dir);
    let blob = git(
        &repo,
        &[
            "rev-parse",
            &format!("{}:creds.txt", commit_by_subject(&repo, "add creds")),
        ],
    );
    std::fs::remove_file(repo.join(".git/objects").join(&blob[..2]).join(&blob[2..])).expect("loose object");
    let (code, v) = scan(&repo, &dir, &["--history"]);
    assert_eq!(code, 1, "{v}");
    assert!(finding(&v, T_DEL).is_none());
    assert!(finding(&v, T_MERGE).is_some());
    let errors = v["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 1, "{v}");
    assert_eq!(errors[0]["path"], format!("creds.txt (blob {blob})"));
    assert_eq!(errors[0]["message"], "object is missing");
});

scantest!(history_skips_blobs_over_the_size_cap, |dir| {
    let repo = make_history(&dir);
    let (_, v) = scan(&repo, &dir, &["--history", "--max-file-size", "40"]);
    let large: Vec<&Value> = v["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .filter(|s| s["reason"] == "too_large")
        .collect();
    assert!(
        large.iter().any(|s| s["path"]
            .as_str()
            .is_some_and(|p| p.starts_with("creds.txt (blob "))),
        "{v}"
    );
    assert!(finding(&v, T_DEL).is_none());
});

scantest!(git_modes_outside_a_repository_fail_with_one_line, |dir| {
    let (code, _, err) = dir.cmd().args(["scan", "--history", "."]).run();
    assert_eq!(code, 2);
    assert!(err.contains("not a git repository"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
});

scantest!(submodules_are_counted_not_followed, |dir| {
    let repo = dir.path().join("super");
    std::fs::create_dir_all(&repo).expect("mkdir");
    git(&repo, &["-c", "init.defaultBranch=main", "init", "-q"]);
    std::fs::write(repo.join("a.txt"), "tok_s3k8v2m7x9q4w6nb\n").expect("write");
    git(&repo, &["add", "a.txt"]);
    // A gitlink to a commit that is not in this repository.
    git(
        &repo,
        &[
            "update-index",
            "--add",
            "--cacheinfo",
            "160000,1111111111111111111111111111111111111111,vendor/lib",
        ],
    );
    git(
        &repo,
        &[
            "-c",
            "user.name=A",
            "-c",
            "user.email=a@example.com",
            "commit",
            "-q",
            "-m",
            "with submodule",
        ],
    );
    let (code, v) = scan(&repo, &dir, &["--history"]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["stats"]["git"]["submodules_not_followed"], 1);
    assert!(v["errors"].as_array().is_some_and(Vec::is_empty), "{v}");
    let (_, out, _) = dir
        .cmd()
        .args(["scan", "--history", "--no-builtin-rules", "--rules", RULES])
        .args([&repo])
        .run();
    assert!(out.contains("1 submodule entries not followed"), "{out}");
});

scantest!(history_drops_locations_at_allowlisted_paths, |dir| {
    let repo = make_history(&dir);
    let config = dir.create(
        "allow.toml",
        format!("[extend]\npath = \"{RULES}\"\n[[allowlists]]\npaths = ['''^config/''']\n"),
    );
    let (_, v) = dir
        .cmd()
        .args(["scan", "--history", "--no-redact", "--no-builtin-rules", "-c"])
        .args([&config, &repo])
        .json();
    // T_MOVE was met first at secrets/app.env (scanned), then renamed into config/ (allowlisted).
    let (locs, _) = finding(&v, T_MOVE).unwrap_or_else(|| panic!("{v}"));
    let c = commit_by_subject(&repo, "add app env");
    assert_eq!(locs, [loc("secrets/app.env", 1, &c)].into_iter().collect());
});

const GEN_HISTORY_GIT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/gen_history_git.py");
const EXPECTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/history-expected");

/// What must not change when the history scan is made faster: every finding's rule, fingerprint,
/// `in_head`, count of locations beyond the cap, and every location (path, span, introducing
/// commit), in a stable order.
fn normalized(v: &Value) -> Value {
    let mut out: Vec<Value> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let mut locs: Vec<Value> = f["locations"]
                .as_array()
                .expect("locations")
                .iter()
                .map(|l| {
                    serde_json::json!([
                        l["path"],
                        l["line"],
                        l["column"],
                        l["end_line"],
                        l["end_column"],
                        l["commit"]["id"]
                    ])
                })
                .collect();
            locs.sort_by_key(|l| l.to_string());
            serde_json::json!({
                "rule_id": f["rule_id"],
                "fingerprint": f["fingerprint"],
                "in_head": f["in_head"],
                "more_locations": f["more_locations"],
                "locations": locs,
            })
        })
        .collect();
    out.sort_by_key(|f| f.to_string());
    Value::Array(out)
}

/// `v` (an array of normalized findings) with findings and their locations in a stable order.
fn sorted(mut v: Value) -> Value {
    if let Some(a) = v.as_array_mut() {
        for f in a.iter_mut() {
            if let Some(l) = f["locations"].as_array_mut() {
                l.sort_by_key(|x| x.to_string());
            }
        }
        a.sort_by_key(|f| f.to_string());
    }
    v
}

/// Compares `--history` on `repo` with the recorded `name.json` (set `LEAKLESS_BLESS=1` to
/// record it again, after checking the change is intended).
fn same_as_recorded(repo: &Path, dir: &TestDir, name: &str, extra: &[&str]) {
    let mut mode = vec!["--history"];
    mode.extend_from_slice(extra);
    let (code, v) = scan(repo, dir, &mode);
    assert_eq!(code, 1, "{v}");
    let got = normalized(&v);
    let file = Path::new(EXPECTED).join(format!("{name}.json"));
    if std::env::var_os("LEAKLESS_BLESS").is_some() {
        std::fs::create_dir_all(EXPECTED).expect("mkdir");
        let text = serde_json::to_string_pretty(&got).expect("json") + "\n";
        std::fs::write(&file, text).expect("write expected");
        return;
    }
    let want: Value = sorted(
        serde_json::from_str(&std::fs::read_to_string(&file).expect("read expected")).expect("expected json"),
    );
    assert!(
        want.as_array().is_some_and(|a| !a.is_empty()),
        "{name}: the recorded expectation has findings"
    );
    if got != want {
        let (g, w) = (got.as_array().expect("array"), want.as_array().expect("array"));
        let missing: Vec<&Value> = w.iter().filter(|f| !g.contains(f)).collect();
        let extra: Vec<&Value> = g.iter().filter(|f| !w.contains(f)).collect();
        panic!("{name}: history results changed\nmissing: {missing:#?}\nextra: {extra:#?}");
    }
}

scantest!(history_results_match_recorded_fixture, |dir| {
    let repo = make_history(&dir);
    same_as_recorded(&repo, &dir, "make_history", &[]);
});

scantest!(history_results_match_recorded_fixture_repacked, |dir| {
    // The fixture (loose objects, read one by one) packed with deep delta chains: blobs are then
    // read in pack order, each chain resolved once, on one thread or several. The results must
    // not depend on where the objects live.
    let repo = make_history(&dir);
    crate::util::git(&repo, &["repack", "-adfq", "--depth=50", "--window=50"]);
    let counts = crate::util::git(&repo, &["count-objects", "-v"]);
    assert!(
        counts
            .lines()
            .any(|l| l.strip_prefix("in-pack: ").is_some_and(|n| n != "0")),
        "packed: {counts}"
    );
    same_as_recorded(&repo, &dir, "make_history", &["-j1"]);
    same_as_recorded(&repo, &dir, "make_history", &["-j3"]);
});

scantest!(history_results_match_recorded_generated, |dir| {
    // A git/git-shaped history (benches/gen_history_git.py): merges of topic branches, long-lived
    // files with hundreds of revisions stored as delta chains, planted tokens in many revisions.
    let repo = dir.path().join("gen.git");
    let st = std::process::Command::new("python3")
        .arg(GEN_HISTORY_GIT)
        .arg(&repo)
        .args(["--small", "--commits", "800", "--plant-every", "37"])
        .stderr(std::process::Stdio::null())
        .status()
        .expect("run python3 benches/gen_history_git.py");
    assert!(st.success());
    same_as_recorded(&repo, &dir, "gen_history_git-800", &["-j2"]);
});
