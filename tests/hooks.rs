//! Where users meet leakless: plain git hooks (installed, chained, blocking), the pre-commit
//! framework running our `.pre-commit-hooks.yaml` for real, and the composite GitHub Action run
//! step by step on this machine (tests/support/action_runner.py).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::scantest;
use crate::util::{external_tool, TestDir};

const REPO_ROOT: &str = env!("CARGO_MANIFEST_DIR");
/// A fake AWS key pair (random, not a real credential).
pub(crate) const LEAK: &str = "aws_access_key_id = \"AKIAQ3EGT5MBL7XZPW4N\"\naws_secret_access_key = \"Zq4W8mR2xT6yK1pN9vB3cL7dF5hJ0sA2eG4uQ8wE\"\n"; // leakless:allow

/// `PATH` with the test binary's directory first.
fn path_with_leakless() -> std::ffi::OsString {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_leakless"));
    let mut paths = vec![bin.parent().expect("bin dir").to_path_buf()];
    paths.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(paths).expect("PATH")
}

fn git_in(dir: &Path, args: &[&str]) -> Output {
    Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("PATH", path_with_leakless())
        .env("GIT_AUTHOR_NAME", "Dev")
        .env("GIT_AUTHOR_EMAIL", "dev@example.invalid")
        .env("GIT_COMMITTER_NAME", "Dev")
        .env("GIT_COMMITTER_EMAIL", "dev@example.invalid")
        .env("GIT_AUTHOR_DATE", "2025-01-02T03:04:05Z")
        .env("GIT_COMMITTER_DATE", "2025-01-02T03:04:05Z")
        .output()
        .expect("git")
}

pub(crate) fn git_ok(dir: &Path, args: &[&str]) -> String {
    let o = git_in(dir, args);
    assert!(
        o.status.success(),
        "git {args:?}: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub(crate) fn init_repo(dir: &Path) {
    std::fs::create_dir_all(dir).expect("mkdir");
    git_ok(dir, &["-c", "init.defaultBranch=main", "init", "-q"]);
    std::fs::write(dir.join("README.md"), "project\n").expect("write");
    git_ok(dir, &["add", "README.md"]);
    git_ok(dir, &["commit", "-qm", "init", "--no-verify"]);
}

fn leakless_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_leakless"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("leakless")
}

scantest!(plain_pre_commit_hook_chains_blocks_and_uninstalls, |dir| {
    let repo = dir.path().join("repo");
    init_repo(&repo);
    // Hooks live where core.hooksPath says.
    git_ok(&repo, &["config", "core.hooksPath", ".githooks"]);
    std::fs::create_dir_all(repo.join(".githooks")).expect("mkdir");
    std::fs::write(
        repo.join(".githooks/pre-commit"),
        "#!/bin/sh\necho ran >> chained.log\n",
    )
    .expect("write");
    make_exec(&repo.join(".githooks/pre-commit"));
    let o = leakless_in(&repo, &["install-hook"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("kept as"), "chained");
    assert!(repo.join(".githooks/pre-commit.leakless-chained").exists());

    // A commit adding a fake AWS key is blocked, with a helpful message.
    std::fs::write(repo.join("settings.py"), LEAK).expect("write");
    git_ok(&repo, &["add", "settings.py"]);
    let o = git_in(&repo, &["commit", "-qm", "add settings"]);
    assert!(!o.status.success(), "commit must be blocked");
    let msg = String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
    assert!(msg.contains("settings.py:2:"), "{msg}");
    assert!(msg.contains("commit blocked"), "{msg}");
    assert!(
        msg.contains("leakless:allow") && msg.contains("--no-verify"),
        "{msg}"
    );
    assert!(
        !msg.contains("Zq4W8mR2xT6yK1pN9vB3cL7dF5hJ0sA2eG4uQ8wE"),
        "redacted"
    ); // leakless:allow
    assert_eq!(
        std::fs::read_to_string(repo.join("chained.log")).expect("log"),
        "ran\n"
    );

    // A clean commit passes, quietly.
    git_ok(&repo, &["rm", "-q", "--cached", "settings.py"]);
    std::fs::write(
        repo.join("app.py"),
        "import os\nKEY = os.environ[\"AWS_SECRET_ACCESS_KEY\"]\n",
    )
    .expect("write");
    git_ok(&repo, &["add", "app.py"]);
    let o = git_in(&repo, &["commit", "-qm", "clean"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    assert!(String::from_utf8_lossy(&o.stdout).trim().is_empty());

    // A failing chained hook stops the commit before leakless runs.
    std::fs::write(
        repo.join(".githooks/pre-commit.leakless-chained"),
        "#!/bin/sh\nexit 3\n",
    )
    .expect("write");
    std::fs::write(repo.join("b.txt"), "b\n").expect("write");
    git_ok(&repo, &["add", "b.txt"]);
    assert!(!git_in(&repo, &["commit", "-qm", "b"]).status.success());

    // Uninstall restores the chained hook.
    let o = leakless_in(&repo, &["uninstall-hook"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        std::fs::read_to_string(repo.join(".githooks/pre-commit")).expect("hook"),
        "#!/bin/sh\nexit 3\n"
    );
});

scantest!(plain_pre_push_hook_blocks_pushed_secret_only, |dir| {
    let remote = dir.path().join("remote.git");
    git_ok(
        dir.path(),
        &["init", "-q", "--bare", remote.to_str().expect("utf-8")],
    );
    let repo = dir.path().join("repo");
    init_repo(&repo);
    git_ok(
        &repo,
        &["remote", "add", "origin", remote.to_str().expect("utf-8")],
    );
    git_ok(&repo, &["push", "-q", "origin", "main"]);
    let o = leakless_in(&repo, &["install-hook", "--pre-push"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    // A clean commit pushes.
    std::fs::write(repo.join("a.txt"), "hello\n").expect("write");
    git_ok(&repo, &["add", "a.txt"]);
    git_ok(&repo, &["commit", "-qm", "a", "--no-verify"]);
    git_ok(&repo, &["push", "-q", "origin", "main"]);

    // A commit with a secret is blocked; the push does not happen.
    std::fs::write(repo.join("settings.py"), LEAK).expect("write");
    git_ok(&repo, &["add", "settings.py"]);
    git_ok(&repo, &["commit", "-qm", "leak", "--no-verify"]);
    let o = git_in(&repo, &["push", "-q", "origin", "main"]);
    assert!(!o.status.success());
    let msg = String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
    assert!(
        msg.contains("push blocked") && msg.contains("settings.py:2:"),
        "{msg}"
    );
    let remote_head = git_ok(&remote, &["rev-parse", "main"]);
    let local_prev = git_ok(&repo, &["rev-parse", "HEAD~1"]);
    assert_eq!(remote_head, local_prev);

    // A new branch whose only new commit is clean pushes, although main's unpushed leak is
    // not on it; a new branch carrying the leak is blocked.
    git_ok(&repo, &["checkout", "-q", "-b", "clean-topic", "HEAD~1"]);
    std::fs::write(repo.join("c.txt"), "c\n").expect("write");
    git_ok(&repo, &["add", "c.txt"]);
    git_ok(&repo, &["commit", "-qm", "c", "--no-verify"]);
    git_ok(&repo, &["push", "-q", "origin", "clean-topic"]);
    git_ok(&repo, &["checkout", "-q", "-b", "leaky-topic", "main"]);
    assert!(!git_in(&repo, &["push", "-q", "origin", "leaky-topic"])
        .status
        .success());
});

#[cfg(unix)]
pub(crate) fn make_exec(p: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

/// Runs `pre-commit try-repo <this repository> <hook>` in `repo`.
fn try_repo(pre_commit: &Path, repo: &Path, home: &Path, hook: &str) -> Output {
    Command::new(pre_commit)
        .args(["try-repo", REPO_ROOT, hook, "--verbose"])
        .current_dir(repo)
        .env("PATH", path_with_leakless())
        .env("PRE_COMMIT_HOME", home)
        .env("GIT_AUTHOR_NAME", "Dev")
        .env("GIT_AUTHOR_EMAIL", "dev@example.invalid")
        .env("GIT_COMMITTER_NAME", "Dev")
        .env("GIT_COMMITTER_EMAIL", "dev@example.invalid")
        .output()
        .expect("pre-commit")
}

fn framework_blocks_and_passes(hook: &str, dir: &TestDir) {
    let Some(venv) = external_tool("LEAKLESS_TEST_VENV") else {
        return;
    };
    let pre_commit = venv.join("bin/pre-commit");
    let repo = dir.path().join("repo");
    init_repo(&repo);
    let home = dir.path().join("pre-commit-home");
    std::fs::write(repo.join("settings.py"), LEAK).expect("write");
    git_ok(&repo, &["add", "settings.py"]);
    let o = try_repo(&pre_commit, &repo, &home, hook);
    let msg = String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "{msg}");
    assert!(
        msg.contains("Failed") && msg.contains("settings.py:2:") && msg.contains("commit blocked"),
        "{msg}"
    );
    // The skip hint names the hook id that ran.
    assert!(msg.contains(&format!("SKIP={hook} git commit")), "{msg}");
    git_ok(&repo, &["rm", "-q", "--cached", "settings.py"]);
    std::fs::write(repo.join("app.py"), "print('hello')\n").expect("write");
    git_ok(&repo, &["add", "app.py"]);
    let o = try_repo(&pre_commit, &repo, &home, hook);
    let msg = String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{msg}");
    assert!(msg.contains("Passed"), "{msg}");
}

scantest!(pre_commit_framework_system_hook, |dir| {
    framework_blocks_and_passes("leakless-system", &dir);
});

// The `language: rust` hook makes pre-commit build leakless with cargo (minutes): run only when
// the suite asks for it (scripts/test sets LEAKLESS_TEST_RUST_HOOK=1).
scantest!(pre_commit_framework_rust_hook, |dir| {
    if std::env::var_os("LEAKLESS_TEST_RUST_HOOK").is_none() {
        eprintln!("note: LEAKLESS_TEST_RUST_HOOK not set; skipping the cargo-built pre-commit hook");
        return;
    }
    framework_blocks_and_passes("leakless", &dir);
});

/// Runs the action with our runner; returns its JSON result.
fn run_action(
    workspace: &Path,
    event: &str,
    event_json: serde_json::Value,
    inputs: serde_json::Value,
) -> serde_json::Value {
    let ctx = serde_json::json!({
        "event_name": event,
        "event": event_json,
        "inputs": inputs,
        "cached_binary": env!("CARGO_BIN_EXE_leakless"),
    });
    run_action_with(workspace, &ctx)
}

/// Runs the action with our runner and a full context (see tests/support/action_runner.py);
/// returns its JSON result.
pub(crate) fn run_action_with(workspace: &Path, ctx: &serde_json::Value) -> serde_json::Value {
    let venv = external_tool("LEAKLESS_TEST_VENV").expect("checked by caller");
    let o = Command::new(venv.join("bin/python"))
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
    serde_json::from_slice(&o.stdout).expect("runner JSON")
}

scantest!(github_action_scans_the_pushed_range, |dir| {
    if external_tool("LEAKLESS_TEST_VENV").is_none() {
        return;
    }
    let ws = dir.path().join("ws");
    init_repo(&ws);
    let before = git_ok(&ws, &["rev-parse", "HEAD"]).trim().to_string();
    std::fs::write(ws.join("settings.py"), LEAK).expect("write");
    git_ok(&ws, &["add", "settings.py"]);
    git_ok(&ws, &["commit", "-qm", "leak"]);
    let after = git_ok(&ws, &["rev-parse", "HEAD"]).trim().to_string();
    let push = serde_json::json!({"before": before, "after": after});

    let r = run_action(&ws, "push", push.clone(), serde_json::json!({}));
    assert_eq!(r["failed"], true, "fails on findings: {r}");
    assert_eq!(r["outputs"]["exit-code"], "1", "{r}");
    assert_eq!(r["outputs"]["findings"], "1", "{r}");
    assert_eq!(r["uploaded"][0]["sarif_file"], "leakless.sarif", "{r}");
    // The job summary is the Markdown rendering of the one JSON report.
    assert!(
        r["summary"].as_str().is_some_and(
            |s| s.contains("leakless: 1 finding") && s.contains("<code>settings&#46;py</code>:2")
        ),
        "{r}"
    );
    // The SARIF the action wrote is valid for GitHub.
    crate::report::validate_sarif(&ws.join("leakless.sarif"), dir.path());
    let scan = r["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .find(|s| s["id"] == "scan")
        .expect("scan step")
        .clone();
    assert!(
        scan["stdout"]
            .as_str()
            .is_some_and(|s| s.contains("::error file=settings.py,line=2")),
        "{scan}"
    );
    // The build step was skipped: the cached binary was restored.
    assert!(r["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .any(|s| s["skipped"] == true));

    let r = run_action(
        &ws,
        "push",
        push,
        serde_json::json!({"fail-on-findings": "false", "upload-sarif": "false"}),
    );
    assert_eq!(r["failed"], false, "{r}");
    assert_eq!(r["outputs"]["exit-code"], "1");
    assert!(r["uploaded"].as_array().is_some_and(Vec::is_empty));

    // A pull request whose commits are clean passes.
    std::fs::write(ws.join("ok.txt"), "fine\n").expect("write");
    git_ok(&ws, &["add", "ok.txt"]);
    git_ok(&ws, &["commit", "-qm", "ok"]);
    let head = git_ok(&ws, &["rev-parse", "HEAD"]).trim().to_string();
    let pr = serde_json::json!({"pull_request": {"base": {"sha": after}, "head": {"sha": head}}});
    let r = run_action(&ws, "pull_request", pr, serde_json::json!({}));
    assert_eq!(r["failed"], false, "{r}");
    assert_eq!(r["outputs"]["exit-code"], "0", "{r}");
});

scantest!(action_and_workflow_pass_actionlint_and_schema, |dir| {
    let _ = dir;
    let Some(venv) = external_tool("LEAKLESS_TEST_VENV") else {
        return;
    };
    let o = Command::new(venv.join("bin/actionlint"))
        .arg(".github/workflows/leakless.yml")
        .current_dir(REPO_ROOT)
        .output()
        .expect("actionlint");
    assert!(
        o.status.success(),
        "actionlint: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    for (schema, file) in [
        ("vendor.github-actions", "action.yml"),
        ("vendor.github-workflows", ".github/workflows/leakless.yml"),
    ] {
        let o = Command::new(venv.join("bin/check-jsonschema"))
            .args(["--builtin-schema", schema, file])
            .current_dir(REPO_ROOT)
            .output()
            .expect("check-jsonschema");
        assert!(
            o.status.success(),
            "{file}: {}",
            String::from_utf8_lossy(&o.stdout)
        );
    }
});
