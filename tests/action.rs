//! The GitHub Action's `full` and `worktree` modes and the `range` mode's fallback for a new
//! branch or a manual run (no previous commit to compare with: the whole history), run step by
//! step on this machine by tests/support/action_runner.py. (The pushed-range and pull-request
//! paths are tested in tests/hooks.rs.)

use std::path::Path;
use std::process::Command;

use serde_json::{json, Value};

use crate::scantest;
use crate::util::{external_tool, git, TestDir};

const REPO_ROOT: &str = env!("CARGO_MANIFEST_DIR");
const ZERO: &str = "0000000000000000000000000000000000000000";
/// Committed, then deleted: only a history scan finds it.
const OLD_LEAK: &str = "STRIPE_SECRET_KEY = \"sk_live_4eC39HqLyjWDarjtT1zdp7dcA3kF9xQz\"\n";
/// Never committed: only a worktree scan finds it (a GitHub token with a valid checksum, from
/// tests/data/checksum-fixtures.tsv).
const NEW_LEAK: &str = "token = \"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\"\n";

/// Runs action.yml with the runner; returns its JSON result (`None`: no venv, skipped).
pub fn run_action(workspace: &Path, event: &str, event_json: Value, inputs: Value) -> Option<Value> {
    let ctx = json!({
        "event_name": event,
        "event": event_json,
        "inputs": inputs,
        "cached_binary": env!("CARGO_BIN_EXE_leakless"),
    });
    run_action_with(workspace, &ctx)
}

/// Runs the action with our runner and a full context (see tests/support/action_runner.py);
/// returns its JSON result, or `None` when the test venv is absent.
pub fn run_action_with(workspace: &Path, ctx: &Value) -> Option<Value> {
    let venv = external_tool("LEAKLESS_TEST_VENV")?;
    let python = if cfg!(windows) {
        "Scripts/python.exe"
    } else {
        "bin/python"
    };
    let o = Command::new(venv.join(python))
        .arg(Path::new(REPO_ROOT).join("tests/support/action_runner.py"))
        .arg(REPO_ROOT)
        .arg(workspace)
        .arg(ctx.to_string())
        .output()
        .expect("action runner");
    assert!(
        o.status.success(),
        "runner: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    Some(serde_json::from_slice(&o.stdout).expect("runner JSON"))
}

/// A repository whose history holds `OLD_LEAK` (added, then deleted) and whose working tree holds
/// the untracked `NEW_LEAK`. Returns (workspace, first commit, last commit).
fn repo(dir: &TestDir) -> (std::path::PathBuf, String, String) {
    let ws = dir.path().join("ws");
    std::fs::create_dir_all(&ws).expect("mkdir");
    git(&ws, &["init", "-q", "-b", "main"]);
    std::fs::write(ws.join("README.md"), "service\n").expect("write");
    git(&ws, &["add", "README.md"]);
    git(&ws, &["commit", "-qm", "start"]);
    let first = git(&ws, &["rev-parse", "HEAD"]);
    std::fs::write(ws.join("old.py"), OLD_LEAK).expect("write");
    git(&ws, &["add", "old.py"]);
    git(&ws, &["commit", "-qm", "add settings"]);
    git(&ws, &["rm", "-q", "old.py"]);
    git(&ws, &["commit", "-qm", "remove settings"]);
    let last = git(&ws, &["rev-parse", "HEAD"]);
    std::fs::write(ws.join("new.py"), NEW_LEAK).expect("write");
    (ws, first, last)
}

/// The files the action's SARIF report names.
fn sarif_files(ws: &Path, r: &Value) -> Vec<String> {
    let file = r["outputs"]["sarif-file"].as_str().expect("sarif-file output");
    let doc: Value =
        serde_json::from_slice(&std::fs::read(ws.join(file)).expect("SARIF written")).expect("JSON");
    let mut files: Vec<String> = doc["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str())
        .map(str::to_string)
        .collect();
    files.sort();
    files.dedup();
    files
}

fn assert_found(r: &Value, ws: &Path, mode: &str, file: &str) {
    assert_eq!(r["failed"], true, "{mode}: fails on findings: {r}");
    assert_eq!(r["outputs"]["exit-code"], "1", "{mode}: {r}");
    assert_eq!(r["outputs"]["findings"], "1", "{mode}: {r}");
    assert_eq!(sarif_files(ws, r), [file], "{mode}");
    // The job summary is `leakless report --format markdown` of the one JSON scan: numeric
    // character references keep file names from breaking out of their cells.
    let summary = unescape_refs(r["summary"].as_str().unwrap_or_default());
    assert!(summary.contains("leakless: 1 finding"), "{mode}: {summary}");
    assert!(summary.contains(file), "{mode}: {summary}");
}

/// Decodes `&#NN;` references (what the Markdown report escapes punctuation to).
fn unescape_refs(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("&#") {
        out.push_str(&rest[..i]);
        let tail = &rest[i + 2..];
        let end = tail
            .find(';')
            .filter(|&e| e > 0 && tail[..e].bytes().all(|b| b.is_ascii_digit()));
        match end.and_then(|e| {
            tail[..e]
                .parse::<u32>()
                .ok()
                .and_then(char::from_u32)
                .map(|c| (e, c))
        }) {
            Some((e, c)) => {
                out.push(c);
                rest = &tail[e + 1..];
            }
            None => {
                out.push_str("&#");
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

scantest!(github_action_full_and_worktree_modes, |dir| {
    let (ws, _, last) = repo(&dir);
    let push = json!({"before": last, "after": last});
    let Some(r) = run_action(
        &ws,
        "schedule",
        json!({}),
        json!({"mode": "full", "upload-sarif": "false"}),
    ) else {
        return;
    };
    // Every commit: the deleted file's secret, not the untracked file.
    assert_found(&r, &ws, "full", "old.py");
    let r = run_action(
        &ws,
        "push",
        push,
        json!({"mode": "worktree", "upload-sarif": "false"}),
    )
    .expect("venv");
    // The checked-out files: the untracked file's secret, not the deleted one.
    assert_found(&r, &ws, "worktree", "new.py");

    // Clean tree: worktree mode passes, and the outputs say so.
    std::fs::remove_file(ws.join("new.py")).expect("rm");
    let r = run_action(
        &ws,
        "push",
        json!({}),
        json!({"mode": "worktree", "upload-sarif": "false"}),
    )
    .expect("venv");
    assert_eq!(r["failed"], false, "{r}");
    assert_eq!(r["outputs"]["exit-code"], "0", "{r}");
    assert_eq!(r["outputs"]["findings"], "0", "{r}");

    // A mode the action does not know is an error, not a pass.
    let r = run_action(&ws, "push", json!({}), json!({"mode": "everything"})).expect("venv");
    assert_eq!(r["failed"], true, "{r}");
});

scantest!(
    github_action_range_falls_back_to_history_for_a_new_branch,
    |dir| {
        let (ws, first, last) = repo(&dir);
        std::fs::remove_file(ws.join("new.py")).expect("rm");
        let inputs = json!({"upload-sarif": "false"});
        // A push of the last commit only (it deletes the file): the range holds no secret.
        let parent = git(&ws, &["rev-parse", "HEAD~1"]);
        let Some(r) = run_action(
            &ws,
            "push",
            json!({"before": parent, "after": last}),
            inputs.clone(),
        ) else {
            return;
        };
        assert_eq!(r["outputs"]["exit-code"], "0", "the pushed range is clean: {r}");
        // A pushed range from the first commit holds the added-then-deleted secret.
        let r = run_action(
            &ws,
            "push",
            json!({"before": first, "after": last}),
            inputs.clone(),
        )
        .expect("venv");
        assert_found(&r, &ws, "range", "old.py");
        // A new branch (before = zeros) and a manual run (no push payload) scan the whole history.
        let r = run_action(
            &ws,
            "push",
            json!({"before": ZERO, "after": last}),
            inputs.clone(),
        )
        .expect("venv");
        assert_found(&r, &ws, "range", "old.py");
        let r = run_action(&ws, "workflow_dispatch", json!({}), inputs).expect("venv");
        assert_found(&r, &ws, "range", "old.py");
    }
);

/// The project's CI workflow is valid (actionlint, the workflow schema, zizmor's security audits)
/// and runs formatting, lints and the tests on Linux, macOS and Windows.
#[test]
fn ci_workflow_lints_and_tests_on_three_systems() {
    let Some(venv) = external_tool("LEAKLESS_TEST_VENV") else {
        return;
    };
    let file = ".github/workflows/ci.yml";
    let bin = |tool: &str| {
        venv.join(if cfg!(windows) { "Scripts" } else { "bin" })
            .join(tool)
    };
    for (tool, args) in [
        ("actionlint", vec![file]),
        (
            "check-jsonschema",
            vec!["--builtin-schema", "vendor.github-workflows", file],
        ),
        ("zizmor", vec!["--offline", file]),
    ] {
        let o = Command::new(bin(tool))
            .args(&args)
            .current_dir(REPO_ROOT)
            .output()
            .unwrap_or_else(|e| panic!("{tool}: {e}"));
        assert!(
            o.status.success(),
            "{tool} {file}: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let text = std::fs::read_to_string(Path::new(REPO_ROOT).join(file)).expect("read ci.yml");
    assert!(
        text.contains("os: [ubuntu-latest, macos-latest, windows-latest]"),
        "three systems"
    );
    for step in [
        "cargo fmt --all --check",
        "cargo clippy --locked --all-targets -- -D warnings",
        "cargo clippy --locked --all-targets --features test-failpoints -- -D warnings",
        "bash scripts/test",
        "cargo test --locked --features test-failpoints",
    ] {
        assert!(text.contains(step), "ci.yml runs {step}");
    }
}
