//! `--staged` on indexes in each state its walk tells apart: the cache-tree extension valid
//! (unchanged directories are skipped without reading `HEAD`'s trees), invalidated everywhere,
//! and valid but for other trees than `HEAD`'s (after `git reset --soft`); renamed, deleted and
//! intent-to-add files; submodule (gitlink) entries. Each result is what `git diff --cached`
//! stages: only added lines, the whole file when the path is new.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::scantest;
use crate::util::{git, TestDir};

const RULES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/test-rules.toml");

/// Committed in `HEAD` (must never be reported by `--staged` unless staged at a new path).
const OLD_C: &str = "tok_o4c8m2x7q9w3k6va";
const OLD_X: &str = "tok_o7x2k9m4w8q3n5rb";

/// A repository with a committed tree of several levels (`a/b/`, `c/`, top-level files), so the
/// index has a cache-tree with subtrees.
fn repo(dir: &TestDir) -> PathBuf {
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(repo.join("a/b")).expect("mkdir");
    std::fs::create_dir_all(repo.join("c")).expect("mkdir");
    git(&repo, &["-c", "init.defaultBranch=main", "init", "-q"]);
    let files = [
        ("top.txt", "top\n".to_string()),
        ("a/one.txt", "one\n".to_string()),
        ("a/b/x.txt", format!("x1\nold = {OLD_X}\nx3\n")),
        ("a/b/y.txt", "y\n".to_string()),
        ("c/z.txt", format!("z1\nold = {OLD_C}\n")),
        ("c/w.txt", "w\n".to_string()),
    ];
    for (p, text) in files {
        std::fs::write(repo.join(p), text).expect("write");
    }
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "base"]);
    repo
}

fn scan(repo: &Path, dir: &TestDir) -> (i32, Value) {
    let args = [
        "scan",
        "--no-builtin-rules",
        "--rules",
        RULES,
        "--no-redact",
        "--staged",
        repo.to_str().expect("utf-8 temp path"),
    ];
    dir.cmd().args(args).json()
}

/// `(secret, path, line)` of every location of every finding.
fn found(v: &Value) -> BTreeSet<(String, String, u64)> {
    let mut out = BTreeSet::new();
    for f in v["findings"].as_array().expect("findings") {
        let secret = f["secret"].as_str().expect("secret").to_string();
        for l in f["locations"].as_array().expect("locations") {
            out.insert((
                secret.clone(),
                l["path"].as_str().expect("path").to_string(),
                l["line"].as_u64().expect("line"),
            ));
        }
    }
    out
}

fn set(items: &[(&str, &str, u64)]) -> BTreeSet<(String, String, u64)> {
    items
        .iter()
        .map(|(s, p, l)| ((*s).to_string(), (*p).to_string(), *l))
        .collect()
}

/// Whether the index file carries a cache-tree extension (`TREE`, after the entries).
fn has_cache_tree(repo: &Path) -> bool {
    let index = std::fs::read(repo.join(".git/index")).expect("index");
    index.windows(4).any(|w| w == b"TREE")
}

scantest!(staged_with_a_valid_cache_tree_reports_the_staged_lines, |dir| {
    let repo = repo(&dir);
    assert!(has_cache_tree(&repo), "git commit writes the cache-tree");
    std::fs::write(repo.join("a/b/y.txt"), "y\nnew = tok_n3w8k2x7m9q4c6vb\n").expect("write");
    git(&repo, &["add", "a/b/y.txt"]);
    let (code, v) = scan(&repo, &dir);
    assert_eq!(code, 1, "{v}");
    assert_eq!(found(&v), set(&[("tok_n3w8k2x7m9q4c6vb", "a/b/y.txt", 2)]));
    // `c/` and `a/b/x.txt` hold committed secrets: `c/` is skipped by its cached tree id,
    // `a/b/x.txt` by its blob id.
    assert_eq!(v["stats"]["git"]["blobs_scanned"], 1, "{v}");
    // Nothing staged: clean, nothing read.
    git(&repo, &["commit", "-q", "-m", "y"]);
    let (code, v) = scan(&repo, &dir);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["stats"]["git"]["blobs_scanned"], 0, "{v}");
});

scantest!(
    staged_with_the_cache_tree_invalidated_compares_every_directory,
    |dir| {
        let repo = repo(&dir);
        // Unstaging everything and adding it back leaves no valid cached subtree: every directory
        // is compared with `HEAD`'s trees entry by entry.
        git(&repo, &["rm", "-r", "-q", "--cached", "."]);
        std::fs::write(
            repo.join("c/z.txt"),
            format!("z1\nold = {OLD_C}\nadded = tok_c9v2n7x4k8q3m6wd\n"),
        )
        .expect("write");
        std::fs::write(repo.join("top.txt"), "top\ntok_t5p8x2k9m3w7q4nc\n").expect("write");
        git(&repo, &["add", "."]);
        let (code, v) = scan(&repo, &dir);
        assert_eq!(code, 1, "{v}");
        assert_eq!(
            found(&v),
            set(&[
                ("tok_c9v2n7x4k8q3m6wd", "c/z.txt", 3),
                ("tok_t5p8x2k9m3w7q4nc", "top.txt", 2),
            ])
        );
        assert_eq!(v["stats"]["git"]["blobs_scanned"], 2, "{v}");
    }
);

scantest!(
    staged_with_a_cache_tree_of_other_trees_than_head_compares_them,
    |dir| {
        let repo = repo(&dir);
        // A commit primes the cache-tree with its trees; `reset --soft` moves HEAD back and keeps
        // the index (and its valid cache-tree), whose trees are no longer HEAD's.
        std::fs::write(repo.join("a/b/new.txt"), "n1\nn = tok_s8f3k7m2x9q4w6ne\n").expect("write");
        std::fs::write(repo.join("c/w.txt"), "w\nw2 = tok_s2w9x4k7m3q8n5cf\n").expect("write");
        git(&repo, &["add", "."]);
        git(&repo, &["commit", "-q", "-m", "second"]);
        git(&repo, &["reset", "-q", "--soft", "HEAD~1"]);
        assert!(has_cache_tree(&repo));
        let (code, v) = scan(&repo, &dir);
        assert_eq!(code, 1, "{v}");
        assert_eq!(
            found(&v),
            set(&[
                ("tok_s8f3k7m2x9q4w6ne", "a/b/new.txt", 2),
                ("tok_s2w9x4k7m3q8n5cf", "c/w.txt", 2),
            ])
        );
        assert_eq!(v["stats"]["git"]["blobs_scanned"], 2, "{v}");
    }
);

scantest!(staged_renames_deletions_and_intent_to_add, |dir| {
    let repo = repo(&dir);
    // Renamed: a new path, scanned whole (as `--history` reports a blob at each new path).
    git(&repo, &["mv", "a/b/x.txt", "a/moved.txt"]);
    // Deleted: nothing added.
    git(&repo, &["rm", "-q", "c/z.txt"]);
    // Intent to add (`git add -N`): in the index with no content; `git diff --cached` does not
    // show it, and neither does the scan.
    std::fs::write(repo.join("later.txt"), "tok_i6t2a9d4k8m3x7qg\n").expect("write");
    git(&repo, &["add", "-N", "later.txt"]);
    assert_eq!(
        git(&repo, &["diff", "--cached", "--name-only", "--no-renames"]),
        "a/b/x.txt\na/moved.txt\nc/z.txt"
    );
    let (code, v) = scan(&repo, &dir);
    assert_eq!(code, 1, "{v}");
    assert_eq!(found(&v), set(&[(OLD_X, "a/moved.txt", 2)]));
    assert_eq!(v["stats"]["git"]["blobs_scanned"], 1, "{v}");
});

scantest!(staged_submodule_entries_are_counted_not_scanned, |dir| {
    let repo = repo(&dir);
    let head = git(&repo, &["rev-parse", "HEAD"]);
    // A gitlink (mode 160000) as `git submodule add` stages it; its commit is not in this
    // repository, and nothing of it is read.
    git(
        &repo,
        &[
            "update-index",
            "--add",
            "--cacheinfo",
            &format!("160000,{head},a/sub"),
        ],
    );
    std::fs::write(repo.join("a/one.txt"), "one\ntok_g4l8k2n7x3m9q5wh\n").expect("write");
    git(&repo, &["add", "a/one.txt"]);
    let (code, v) = scan(&repo, &dir);
    assert_eq!(code, 1, "{v}");
    assert_eq!(found(&v), set(&[("tok_g4l8k2n7x3m9q5wh", "a/one.txt", 2)]));
    assert_eq!(v["stats"]["git"]["submodules_not_followed"], 1, "{v}");
    assert_eq!(v["stats"]["git"]["blobs_scanned"], 1, "{v}");
});
