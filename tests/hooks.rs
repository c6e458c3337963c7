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

/// A `leakless` for `$LEAKLESS` that runs the real one and appends its exit code to the
/// returned log: git reports a hook that blocked (exit 1) and one that failed (exit 2) alike.
fn recording_leakless(dir: &Path) -> (PathBuf, PathBuf) {
    let log = dir.join("exit-codes.log");
    let wrapper = dir.join("leakless-recording");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\n'{}' \"$@\"\ncode=$?\necho $code >> '{}'\nexit $code\n",
            env!("CARGO_BIN_EXE_leakless"),
            log.display()
        ),
    )
    .expect("write");
    make_exec(&wrapper);
    (wrapper, log)
}

/// The exit codes recorded since the last call, one per line.
fn take_codes(log: &Path) -> String {
    let codes = std::fs::read_to_string(log).unwrap_or_default();
    let _ = std::fs::remove_file(log);
    codes
}

fn output_text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr)
}

scantest!(plain_pre_push_hook_blocks_pushed_secret_only, |dir| {
    let remote = dir.path().join("remote.git");
    let remote_url = remote.to_str().expect("utf-8");
    git_ok(dir.path(), &["init", "-q", "--bare", remote_url]);
    let repo = dir.path().join("repo");
    init_repo(&repo);
    git_ok(&repo, &["remote", "add", "origin", remote_url]);
    git_ok(&repo, &["push", "-q", "origin", "main"]);
    let o = leakless_in(&repo, &["install-hook", "--pre-push"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (wrapper, log) = recording_leakless(dir.path());
    let wrapper = wrapper.to_str().expect("utf-8").to_string();
    let push = |args: &[&str]| {
        let mut full = vec!["-c", "push.default=simple", "push", "-q"];
        full.extend_from_slice(args);
        let o = Command::new("git")
            .args(&full)
            .current_dir(&repo)
            .env("PATH", path_with_leakless())
            .env("LEAKLESS", &wrapper)
            .output()
            .expect("git push");
        (o.status.success(), output_text(&o), take_codes(&log))
    };
    let blocked = |(ok, msg, codes): (bool, String, String), what: &str| {
        assert!(!ok, "{what}: the push must be blocked: {msg}");
        assert_eq!(
            codes, "1\n",
            "{what}: blocked for findings (exit 1), not an error: {msg}"
        );
        assert!(
            msg.contains("push blocked") && msg.contains("settings.py:2:"),
            "{what}: {msg}"
        );
        msg
    };
    let passes = |(ok, msg, codes): (bool, String, String), what: &str| {
        assert!(ok, "{what}: {msg}");
        assert_eq!(codes, "0\n", "{what}: {msg}");
        msg
    };

    // A clean commit pushes.
    std::fs::write(repo.join("a.txt"), "hello\n").expect("write");
    git_ok(&repo, &["add", "a.txt"]);
    git_ok(&repo, &["commit", "-qm", "a", "--no-verify"]);
    passes(push(&["origin", "main"]), "clean commit");

    // A commit with a secret is blocked, for that reason; the push does not happen.
    std::fs::write(repo.join("settings.py"), LEAK).expect("write");
    git_ok(&repo, &["add", "settings.py"]);
    git_ok(&repo, &["commit", "-qm", "leak", "--no-verify"]);
    blocked(push(&["origin", "main"]), "leaky commit");
    let remote_head = git_ok(&remote, &["rev-parse", "main"]);
    let local_prev = git_ok(&repo, &["rev-parse", "HEAD~1"]);
    assert_eq!(remote_head, local_prev);

    // A new branch whose only new commit is clean pushes, although main's unpushed leak is
    // not on it; a new branch carrying the leak is blocked.
    git_ok(&repo, &["checkout", "-q", "-b", "clean-topic", "HEAD~1"]);
    std::fs::write(repo.join("c.txt"), "c\n").expect("write");
    git_ok(&repo, &["add", "c.txt"]);
    git_ok(&repo, &["commit", "-qm", "c", "--no-verify"]);
    passes(push(&["origin", "clean-topic"]), "clean new branch");
    git_ok(&repo, &["checkout", "-q", "-b", "leaky-topic", "main"]);
    blocked(push(&["origin", "leaky-topic"]), "leaky new branch");

    // Pushing to the remote's URL instead of its name: the same remote-tracking branches
    // tell what it has.
    let by_url = blocked(push(&[remote_url, "leaky-topic"]), "leak pushed to the URL");
    assert!(!by_url.contains("not a configured remote"), "{by_url}");
    let msg = passes(
        push(&[remote_url, "clean-topic:refs/heads/clean-by-url"]),
        "clean branch pushed to the URL",
    );
    assert!(!msg.contains("not a configured remote"), "{msg}");

    // Tags: an annotated tag on a pushed commit passes; a tag on the unpushed leak is blocked.
    git_ok(&repo, &["tag", "-a", "v1", "-m", "v1", "clean-topic"]);
    passes(push(&["origin", "v1"]), "tag on pushed commits");
    git_ok(&repo, &["tag", "v2", "leaky-topic"]);
    blocked(push(&["origin", "v2"]), "tag on the leak");
    git_ok(&repo, &["tag", "-a", "v3", "-m", "v3", "leaky-topic"]);
    blocked(push(&["origin", "v3"]), "annotated tag on the leak");

    // Once the leak is on the remote (pushed with --no-verify), a branch on top of it pushes
    // there; a URL that is no configured remote (a new mirror) would receive the leak too, so
    // all of the branch's history is scanned, and the hook says so.
    assert!(push(&["--no-verify", "origin", "leaky-topic"]).0);
    git_ok(&repo, &["checkout", "-q", "-b", "again", "leaky-topic"]);
    std::fs::write(repo.join("d.txt"), "d\n").expect("write");
    git_ok(&repo, &["add", "d.txt"]);
    git_ok(&repo, &["commit", "-qm", "d", "--no-verify"]);
    passes(push(&["origin", "again"]), "clean commit on pushed history");
    let mirror = dir.path().join("mirror.git");
    git_ok(
        dir.path(),
        &["init", "-q", "--bare", mirror.to_str().expect("utf-8")],
    );
    let msg = blocked(
        push(&[mirror.to_str().expect("utf-8"), "again"]),
        "history pushed to a new mirror",
    );
    assert!(msg.contains("is not a configured remote"), "{msg}");

    // Deleting a branch pushes no content: the hook passes even though the branch holds a leak.
    passes(push(&["origin", "--delete", "leaky-topic"]), "branch deletion");
    assert!(!git_in(
        &remote,
        &["rev-parse", "--verify", "-q", "refs/heads/leaky-topic"]
    )
    .status
    .success());
});

#[cfg(unix)]
pub(crate) fn make_exec(p: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

/// Windows has no execute bit: Git for Windows runs hooks by their `#!` line.
#[cfg(not(unix))]
fn make_exec(_p: &Path) {}

/// How pre-commit's `cargo install` of the `language: rust` hooks builds: what those tests check
/// is that the hook builds from source and behaves, not the shipped profile (fat LTO, one
/// codegen unit: minutes of serial work per build, twice in the suite; `release-check.sh` builds
/// that profile).
const HOOK_BUILD_ENV: [(&str, &str); 2] = [
    ("CARGO_PROFILE_RELEASE_LTO", "off"),
    ("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16"),
];

/// One target directory for every cargo-built hook of the suite, so the second build reuses the
/// first (cargo locks it between concurrent tests).
fn hook_target_dir() -> PathBuf {
    Path::new(REPO_ROOT).join("target/pre-commit-hooks")
}

/// Runs `pre-commit try-repo <this repository> <hook>` in `repo`.
fn try_repo(pre_commit: &Path, repo: &Path, home: &Path, hook: &str) -> Output {
    Command::new(pre_commit)
        .args(["try-repo", REPO_ROOT, hook, "--verbose"])
        .current_dir(repo)
        .env("PATH", path_with_leakless())
        .env("PRE_COMMIT_HOME", home)
        .envs(HOOK_BUILD_ENV)
        .env("CARGO_TARGET_DIR", hook_target_dir())
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

/// Whether to run the `language: rust` hooks, which pre-commit builds with cargo (minutes):
/// `bash scripts/test` sets LEAKLESS_TEST_RUST_HOOK=1.
fn rust_hook_requested() -> bool {
    let set = std::env::var_os("LEAKLESS_TEST_RUST_HOOK").is_some();
    if !set {
        eprintln!("note: LEAKLESS_TEST_RUST_HOOK not set; skipping a cargo-built pre-commit framework hook");
    }
    set
}

scantest!(pre_commit_framework_system_hook, |dir| {
    framework_blocks_and_passes("leakless-system", &dir);
});

// The `language: rust` hook makes pre-commit build leakless with cargo (minutes): run only when
// the suite asks for it (scripts/test sets LEAKLESS_TEST_RUST_HOOK=1).
scantest!(pre_commit_framework_rust_hook, |dir| {
    if rust_hook_requested() {
        framework_blocks_and_passes("leakless", &dir);
    }
});

/// Pushes through the pre-commit framework's own pre-push hook (`pre-commit install --hook-type
/// pre-push`, our `.pre-commit-hooks.yaml` at this repository's HEAD): the framework reads
/// git's ref list and hands the hook `PRE_COMMIT_FROM_REF`/`PRE_COMMIT_TO_REF`, or only the
/// branch when the pushed history starts at a root commit.
fn framework_push_hooks(hook: &str, dir: &TestDir) {
    let Some(venv) = external_tool("LEAKLESS_TEST_VENV") else {
        return;
    };
    let pre_commit = venv.join("bin/pre-commit");
    let home = dir.path().join("pre-commit-home");
    let rev = git_ok(Path::new(REPO_ROOT), &["rev-parse", "HEAD"]);
    let run = |repo: &Path, cmd: &str, args: &[&str]| -> Output {
        let mut c = Command::new(cmd);
        c.args(args)
            .current_dir(repo)
            .env("PATH", path_with_leakless())
            .env("PRE_COMMIT_HOME", &home)
            .envs(HOOK_BUILD_ENV)
            .env("CARGO_TARGET_DIR", hook_target_dir())
            .env("GIT_AUTHOR_NAME", "Dev")
            .env("GIT_AUTHOR_EMAIL", "dev@example.invalid")
            .env("GIT_COMMITTER_NAME", "Dev")
            .env("GIT_COMMITTER_EMAIL", "dev@example.invalid")
            .env("GIT_AUTHOR_DATE", "2025-01-02T03:04:05Z")
            .env("GIT_COMMITTER_DATE", "2025-01-02T03:04:05Z");
        c.output().expect(cmd)
    };
    let setup = |name: &str, first: &[(&str, &str)]| -> (PathBuf, PathBuf) {
        let remote = dir.path().join(format!("{name}.git"));
        git_ok(
            dir.path(),
            &["init", "-q", "--bare", remote.to_str().expect("utf-8")],
        );
        let repo = dir.path().join(name);
        std::fs::create_dir_all(&repo).expect("mkdir");
        git_ok(&repo, &["-c", "init.defaultBranch=main", "init", "-q"]);
        git_ok(
            &repo,
            &["remote", "add", "origin", remote.to_str().expect("utf-8")],
        );
        std::fs::write(
            repo.join(".pre-commit-config.yaml"),
            format!(
                "repos:\n- repo: {REPO_ROOT}\n  rev: {}\n  hooks:\n  - id: {hook}\n",
                rev.trim()
            ),
        )
        .expect("write");
        for (file, text) in first {
            std::fs::write(repo.join(file), text).expect("write");
        }
        git_ok(&repo, &["add", "-A"]);
        git_ok(&repo, &["commit", "-qm", "root", "--no-verify"]);
        let o = run(
            &repo,
            pre_commit.to_str().expect("utf-8"),
            &["install", "--hook-type", "pre-push"],
        );
        assert!(o.status.success(), "{}", output_text(&o));
        (repo, remote)
    };
    let git = |repo: &Path, args: &[&str]| run(repo, "git", args);
    let blocked = |o: Output, what: &str| {
        let msg = output_text(&o);
        assert!(!o.status.success(), "{what}: {msg}");
        assert!(
            msg.contains("- exit code: 1") && msg.contains("push blocked") && msg.contains("settings.py:2:"),
            "{what}: blocked for the finding: {msg}"
        );
        msg
    };
    let passes = |o: Output, what: &str| {
        let msg = output_text(&o);
        assert!(o.status.success(), "{what}: {msg}");
        msg
    };

    // The first push of a repository whose root commit holds the leak: pre-commit passes no
    // refs ("all files"); the hook scans the branch's history.
    let (fresh, _) = setup("fresh", &[("settings.py", LEAK)]);
    blocked(
        git(&fresh, &["push", "-q", "origin", "main"]),
        "leak in the root commit",
    );

    let (repo, remote) = setup("repo", &[("README.md", "project\n")]);
    passes(git(&repo, &["push", "-q", "origin", "main"]), "clean root");
    std::fs::write(repo.join("settings.py"), LEAK).expect("write");
    git_ok(&repo, &["add", "settings.py"]);
    git_ok(&repo, &["commit", "-qm", "leak", "--no-verify"]);
    blocked(git(&repo, &["push", "-q", "origin", "main"]), "leaky commit");
    assert_eq!(
        git_ok(&remote, &["rev-parse", "main"]),
        git_ok(&repo, &["rev-parse", "HEAD~1"])
    );
    // To a URL rather than a remote name; and a tag on the leak.
    blocked(
        git(&repo, &["push", "-q", remote.to_str().expect("utf-8"), "main"]),
        "leak pushed to the URL",
    );
    git_ok(&repo, &["tag", "-a", "v1", "-m", "v1"]);
    blocked(git(&repo, &["push", "-q", "origin", "v1"]), "tag on the leak");

    // A clean branch beside the leak passes; deleting a branch that holds the leak passes.
    git_ok(&repo, &["checkout", "-q", "-b", "clean-topic", "HEAD~1"]);
    std::fs::write(repo.join("c.txt"), "c\n").expect("write");
    git_ok(&repo, &["add", "c.txt"]);
    git_ok(&repo, &["commit", "-qm", "c", "--no-verify"]);
    passes(
        git(&repo, &["push", "-q", "origin", "clean-topic"]),
        "clean branch",
    );
    assert!(git(&repo, &["push", "-q", "--no-verify", "origin", "main:leaky"])
        .status
        .success());
    passes(
        git(&repo, &["push", "-q", "origin", "--delete", "leaky"]),
        "deletion",
    );
}

scantest!(pre_commit_framework_push_system_hook, |dir| {
    framework_push_hooks("leakless-push-system", &dir);
});

// `language: rust`: pre-commit builds leakless with cargo (minutes), so only when the suite asks
// (scripts/test sets LEAKLESS_TEST_RUST_HOOK=1), like the pre-commit hook above.
scantest!(pre_commit_framework_push_rust_hook, |dir| {
    if rust_hook_requested() {
        framework_push_hooks("leakless-push", &dir);
    }
});

/// Runs the action with our runner; returns its JSON result.
fn run_action(
    workspace: &Path,
    event: &str,
    event_json: serde_json::Value,
    inputs: serde_json::Value,
) -> serde_json::Value {
    crate::action::run_action(workspace, event, event_json, inputs).expect("checked by caller")
}

/// Runs the action with our runner and a full context (see tests/support/action_runner.py);
/// returns its JSON result.
pub(crate) fn run_action_with(workspace: &Path, ctx: &serde_json::Value) -> serde_json::Value {
    crate::action::run_action_with(workspace, ctx).expect("checked by caller")
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
