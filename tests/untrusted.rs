//! Issue 12: leakless on untrusted input. Each test plays one attack from SECURITY.md and
//! checks the safe behaviour.

use std::process::{Command, Stdio};

use crate::scantest;
use crate::util::{git, TestDir};

const RULES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/test-rules.toml");
const TOKEN: &str = "tok_k3j9x8q2m7w1p5v4";
const TOKEN2: &str = "tok_r8x2m5q9w3k7j4vz";

fn init(dir: &TestDir) {
    git(dir.path(), &["init", "-q", "-b", "main"]);
}

fn commit(dir: &TestDir, msg: &str) -> String {
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", msg]);
    git(dir.path(), &["rev-parse", "HEAD"])
}

/// The test token rule without examples (a config committed to history must not itself hold
/// a token the scan finds).
fn rules_text() -> String {
    "[[rules]]\nid = \"test-token\"\ndescription = \"Test token\"\nkeywords = [\"tok_\"]\nregex = '\\b(tok_[a-z0-9]{16})\\b'\n".to_string()
}

// A pull request that edits the config to allowlist everything, adds an ignore file and a
// baseline holding its own fingerprint does not silence its scan.
scantest!(pr_config_that_allowlists_everything_does_not_apply, |dir| {
    init(&dir);
    dir.create(".leakless.toml", rules_text());
    dir.create("README.md", "hello\n");
    let base = commit(&dir, "base");
    dir.create(
        ".leakless.toml",
        format!("{}\n[[allowlists]]\npaths = ['''.*''']\n", rules_text()),
    );
    dir.create("app.py", format!("key = '{TOKEN}'\n"));
    // The fingerprint of TOKEN under the test rules, from a worktree scan.
    let (_, v) = dir.cmd().args(["scan", "app.py", "--config", RULES]).json();
    let fp = v["findings"][0]["fingerprint"].as_str().expect("fp").to_string();
    dir.create(".leaklessignore", format!("{fp}\n"));
    dir.create(
        "baseline.json",
        format!(
            "{{\"version\":1,\"fingerprint_version\":\"v1\",\"findings\":[{{\"fingerprint\":\"{fp}\",\"rule_id\":\"test-token\",\"paths\":[\"app.py\"],\"count\":1}}]}}\n"
        ),
    );
    commit(&dir, "innocent change");
    let range = format!("{base}..HEAD");
    let (code, out, err) = dir
        .cmd()
        .args(["scan", ".", "--range", &range, "--baseline", "baseline.json"])
        .run();
    assert_eq!(code, 1, "the change's own config must not silence it: {out}{err}");
    assert!(out.contains("app.py:1"), "{out}");
    for file in [".leakless.toml", ".leaklessignore", "baseline.json"] {
        assert!(
            out.contains(&format!("note: {file}: the scanned change")),
            "{file}: {out}"
        );
    }
    assert!(out.contains("modifies") && out.contains("adds"), "{out}");
    // SARIF carries the notices.
    let (_, sarif, _) = dir
        .cmd()
        .args(["scan", ".", "--range", &range, "--format", "sarif"])
        .run();
    let v: serde_json::Value = serde_json::from_str(&sarif).expect("sarif");
    let notes = &v["runs"][0]["invocations"][0]["toolConfigurationNotifications"];
    assert!(
        notes
            .as_array()
            .is_some_and(|n| n.iter().any(|n| n["message"]["text"]
                .as_str()
                .unwrap_or("")
                .starts_with(".leakless.toml"))),
        "{sarif}"
    );
    // Explicitly trusting the working tree restores the change's config.
    let (code, out, _) = dir
        .cmd()
        .args(["scan", ".", "--range", &range, "--config-source", "worktree"])
        .run();
    assert_eq!(code, 0, "{out}");
    // A local scan is the user's own: the working tree config applies.
    assert_eq!(dir.cmd().args(["scan", "."]).run().0, 0);
    // The symmetric range and REV^! mean what git means.
    let (code, out, _) = dir
        .cmd()
        .args(["scan", ".", "--range", &format!("{base}...HEAD")])
        .run();
    assert_eq!(code, 1, "{out}");
    let (code, out, _) = dir.cmd().args(["scan", ".", "--range", "HEAD^!"]).run();
    assert_eq!(code, 1, "{out}");
    let (code, out, _) = dir
        .cmd()
        .args(["scan", ".", "--range", &format!("{base}^!")])
        .run();
    assert_eq!(code, 2, "a root commit has no base to trust: {out}");
    let (code, out, _) = dir
        .cmd()
        .args([
            "scan",
            ".",
            "--range",
            &format!("{base}^!"),
            "--config-source",
            "worktree",
        ])
        .run();
    assert_eq!(code, 0, "the root commit adds no token: {out}");
});

// A config of the base that [extend]s outside the repository is refused.
scantest!(extend_path_outside_the_repository_is_refused, |dir| {
    std::fs::create_dir(dir.path().join("repo")).expect("mkdir");
    dir.create("outside.toml", rules_text());
    dir.create("repo/.leakless.toml", "[extend]\npath = \"../outside.toml\"\n");
    dir.create("repo/a.txt", format!("{TOKEN}\n"));
    let (code, _, err) = dir.cmd().args(["scan", "repo"]).run();
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("outside the repository"), "{err}");
    // Named on the command line, the same file is the user's choice.
    let (code, _, err) = dir.cmd().args(["scan", "repo", "--config", "outside.toml"]).run();
    assert_eq!(code, 1, "{err}");
});

#[cfg(unix)]
scantest!(symlinked_outputs_are_refused, |dir| {
    use std::os::unix::fs::{symlink, PermissionsExt};
    dir.create("src/a.txt", format!("{TOKEN}\n"));
    let victim = dir.create("victim.txt", "precious\n");
    symlink(&victim, dir.path().join("out.sarif")).expect("symlink");
    let args = [
        "scan",
        "src",
        "--config",
        RULES,
        "--format",
        "sarif",
        "-o",
        "out.sarif",
    ];
    let (code, _, err) = dir.cmd().args(args).run();
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("symbolic link"), "{err}");
    assert_eq!(std::fs::read_to_string(&victim).expect("read"), "precious\n");
    symlink(&victim, dir.path().join("base.json")).expect("symlink");
    let (code, _, err) = dir
        .cmd()
        .args([
            "baseline",
            "create",
            "src",
            "--config",
            RULES,
            "-o",
            "base.json",
            "--force",
        ])
        .run();
    assert_eq!(code, 2, "{err}");
    assert_eq!(std::fs::read_to_string(&victim).expect("read"), "precious\n");

    // A failed run leaves the old report as it was; a good one replaces it.
    dir.create("report.json", "old report\n");
    let (code, _, _) = dir
        .cmd()
        .args(["scan", "src", "--config", "missing.toml", "-o", "report.json"])
        .run();
    assert_eq!(code, 2);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("report.json")).expect("read"),
        "old report\n"
    );
    let (code, _, _) = dir
        .cmd()
        .args([
            "scan",
            "src",
            "--config",
            RULES,
            "--format",
            "json",
            "--no-redact",
            "-o",
            "report.json",
        ])
        .run();
    assert_eq!(code, 1);
    let meta = std::fs::metadata(dir.path().join("report.json")).expect("meta");
    assert_eq!(meta.permissions().mode() & 0o777, 0o600, "raw secrets: private");
    assert!(std::fs::read_to_string(dir.path().join("report.json"))
        .expect("read")
        .contains(TOKEN));
    let leftovers = std::fs::read_dir(dir.path())
        .expect("ls")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.file_name().to_string_lossy().contains("leakless-tmp"))
        })
        .count();
    assert_eq!(leftovers, 0);
});

// An ignore file that is /proc/self/environ (named, or as a link) never echoes its content.
#[cfg(target_os = "linux")]
scantest!(proc_self_environ_as_ignore_file_is_not_echoed, |dir| {
    const CANARY: &str = "CanaryValue9x8q2m7w1ZZ";
    dir.create("a.txt", "nothing\n");
    let mut cmd = dir.cmd();
    cmd.cmd.env("LEAKLESS_CANARY", CANARY);
    let (code, out, err) = cmd
        .args(["scan", ".", "--ignore-file", "/proc/self/environ"])
        .run();
    assert_eq!(code, 2, "{out}{err}");
    assert!(!out.contains(CANARY) && !err.contains(CANARY), "{err}");
    assert!(
        err.contains("/proc/self/environ:1: not a leakless fingerprint"),
        "{err}"
    );

    std::os::unix::fs::symlink("/proc/self/environ", dir.path().join(".leaklessignore")).expect("symlink");
    let mut cmd = dir.cmd();
    cmd.cmd.env("LEAKLESS_CANARY", CANARY);
    let (code, out, err) = cmd.args(["scan", "."]).run();
    assert_eq!(code, 2, "{out}{err}");
    assert!(!err.contains(CANARY), "{err}");
    assert!(err.contains("not a regular file (a symbolic link)"), "{err}");
    std::fs::remove_file(dir.path().join(".leaklessignore")).expect("rm");

    // A config holding a secret-looking value that fails to parse: named, not quoted.
    dir.create(
        ".leakless.toml",
        format!("[[rules]]\nid = \"x\"\nsecretGroup = \"{TOKEN}\"\n"),
    );
    let (code, out, err) = dir.cmd().args(["scan", "."]).run();
    assert_eq!(code, 2);
    assert!(err.contains(".leakless.toml: invalid rule file"), "{err}");
    assert!(!err.contains(TOKEN) && !out.contains(TOKEN), "{err}");
    dir.create(".leakless.toml", format!("[[rules]]\nid = \"x\"\n{TOKEN}\n"));
    let (code, _, err) = dir.cmd().args(["scan", "."]).run();
    assert_eq!(code, 2);
    assert!(!err.contains(TOKEN), "{err}");
});

// Escape sequences in file names and commit authors reach the terminal escaped.
#[cfg(unix)]
scantest!(escape_sequences_in_names_are_escaped, |dir| {
    init(&dir);
    dir.create(".leakless.toml", rules_text());
    dir.create("evil\x1b]0;pwned\x07\x1b[2J.txt", format!("{TOKEN}\n"));
    let (code, out, err) = dir.cmd().args(["scan", ".", "--color", "never"]).run();
    assert_eq!(code, 1, "{err}");
    assert!(!out.contains('\x1b') && !out.contains('\x07'), "{out:?}");
    assert!(out.contains("evil\\x1b]0;pwned\\x07\\x1b[2J.txt:1:1"), "{out}");
    git(dir.path(), &["add", "-A"]);
    git(
        dir.path(),
        &[
            "-c",
            "user.name=Mallory\x1b[31m",
            "commit",
            "-q",
            "-m",
            "subject \x1b]8;;http://evil\x07link",
        ],
    );
    // The environment's author name wins over -c; set it through the commit itself instead.
    let out = Command::new("git")
        .args(["commit", "-q", "--amend", "--no-edit", "--reset-author"])
        .current_dir(dir.path())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Mallory\x1b[31m")
        .env("GIT_AUTHOR_EMAIL", "m@example.com")
        .env("GIT_COMMITTER_NAME", "Mallory")
        .env("GIT_COMMITTER_EMAIL", "m@example.com")
        .output()
        .expect("git");
    assert!(out.status.success());
    let (code, out, _) = dir
        .cmd()
        .args(["scan", ".", "--history", "--color", "never"])
        .run();
    assert_eq!(code, 1);
    assert!(!out.contains('\x1b') && !out.contains('\x07'), "{out:?}");
    assert!(out.contains("Mallory\\x1b[31m"), "{out}");
    // SARIF URIs stay relative and percent-encoded.
    let (_, sarif, _) = dir.cmd().args(["scan", ".", "--format", "sarif"]).run();
    assert!(
        sarif.contains("\"uri\": \"evil%1B%5D0;pwned%07%1B%5B2J.txt\""),
        "{sarif}"
    );
});

// A blob or tree that a ref points at directly is scanned by --history; replace refs do not
// hide the replaced commit.
scantest!(blob_tags_and_replace_refs, |dir| {
    init(&dir);
    dir.create(".leakless.toml", rules_text());
    dir.create("a.txt", "clean\n");
    commit(&dir, "clean");
    let blob_file = dir.create("loose.txt", format!("{TOKEN}\n"));
    let blob = git(
        dir.path(),
        &["hash-object", "-w", blob_file.to_str().expect("utf8")],
    );
    std::fs::remove_file(&blob_file).expect("rm");
    git(dir.path(), &["tag", "blobtag", &blob]);
    let (code, v) = dir.cmd().args(["scan", ".", "--history"]).json();
    assert_eq!(code, 1, "{v}");
    assert_eq!(
        v["findings"][0]["locations"][0]["path"], "refs/tags/blobtag",
        "{v}"
    );

    git(dir.path(), &["tag", "-d", "blobtag"]);
    dir.create("sub/t.txt", format!("{TOKEN2}\n"));
    git(dir.path(), &["add", "sub/t.txt"]);
    let tree = git(dir.path(), &["write-tree"]);
    git(dir.path(), &["reset", "-q"]);
    std::fs::remove_dir_all(dir.path().join("sub")).expect("rm");
    git(dir.path(), &["update-ref", "refs/trees/snapshot", &tree]);
    let (code, v) = dir.cmd().args(["scan", ".", "--history"]).json();
    assert_eq!(code, 1, "{v}");
    assert_eq!(
        v["findings"][0]["locations"][0]["path"], "refs/trees/snapshot:sub/t.txt",
        "{v}"
    );
    git(dir.path(), &["update-ref", "-d", "refs/trees/snapshot"]);

    dir.create("b.txt", format!("{TOKEN}\n"));
    let leaky = commit(&dir, "leak");
    git(dir.path(), &["checkout", "-q", "--orphan", "decoy"]);
    git(dir.path(), &["rm", "-q", "-r", "--cached", "b.txt"]);
    std::fs::remove_file(dir.path().join("b.txt")).expect("rm");
    let decoy = commit(&dir, "decoy");
    git(dir.path(), &["checkout", "-q", "main"]);
    git(dir.path(), &["branch", "-q", "-D", "decoy"]);
    git(dir.path(), &["replace", &leaky, &decoy]);
    let (code, out, _) = dir.cmd().args(["scan", ".", "--history"]).run();
    assert_eq!(code, 1, "the replaced commit is still scanned: {out}");
    let (code, out, _) = dir.cmd().args(["scan", ".", "--range", "HEAD~1..HEAD"]).run();
    assert_eq!(code, 1, "{out}");
});

// FIFOs, process substitution and /dev/stdin are read as streams.
#[cfg(unix)]
scantest!(fifos_are_read_as_streams, |dir| {
    let fifo = dir.path().join("pipe");
    let st = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(st.success());
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::write(fifo, format!("{TOKEN}\n")).expect("write fifo"))
    };
    let (code, out, err) = dir.cmd().args(["scan", "pipe", "--config", RULES]).run();
    writer.join().expect("writer");
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("scanned 1 file"), "{out}");
    // Inside a tree, a FIFO is reported (a walk must not block on it), not silently skipped.
    let (code, out, err) = dir.cmd().args(["scan", ".", "--config", RULES, "--strict"]).run();
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("pipe: not a regular file"), "{err}");

    let script = format!(
        "{} scan <(printf '{TOKEN}\\n') --config {RULES}; echo \"exit $?\"",
        env!("CARGO_BIN_EXE_leakless")
    );
    let out = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(dir.path())
        .output()
        .expect("bash");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("exit 1"), "{text}");

    let mut child = Command::new(env!("CARGO_BIN_EXE_leakless"))
        .args(["scan", "/dev/stdin", "--config", RULES])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    std::io::Write::write_all(
        &mut child.stdin.take().expect("stdin"),
        format!("{TOKEN}\n").as_bytes(),
    )
    .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
});

// A text file with one stray NUL byte is scanned, not skipped as binary.
scantest!(stray_nul_is_still_text, |dir| {
    dir.create("notes.txt", format!("line one\n\0\nkey = {TOKEN}\n"));
    let (code, out, _) = dir.cmd().args(["scan", ".", "--config", RULES]).run();
    assert_eq!(code, 1, "{out}");
});

// A tracked file is scanned even when .gitignore matches it.
scantest!(tracked_files_are_scanned_even_if_ignored, |dir| {
    init(&dir);
    dir.create(".leakless.toml", rules_text());
    dir.create("config/prod.env", format!("K={TOKEN}\n"));
    commit(&dir, "add");
    dir.create(".gitignore", "config/\n*.log\n");
    dir.create("debug.log", format!("{TOKEN2}\n"));
    let (code, out, _) = dir.cmd().args(["scan", "."]).run();
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("config/prod.env:1"), "{out}");
    assert!(
        !out.contains("debug.log"),
        "untracked and ignored: not scanned\n{out}"
    );
});

scantest!(config_mistakes_are_reported, |dir| {
    dir.create(
        "dup.toml",
        "[[rules]]\nid = \"a\"\nregex = 'x'\n[[rules]]\nid = \"a\"\nregex = 'y'\n",
    );
    let (code, _, err) = dir.cmd().args(["scan", ".", "--config", "dup.toml"]).run();
    assert_eq!(code, 2);
    assert!(err.contains("duplicate rule id 'a'"), "{err}");
    dir.create(
        "typo.toml",
        "[[rules]]\nid = \"a\"\nregex = 'tok_[a-z]{4}'\nkeywrods = ['tok_']\naliases = ['x']\nconfidence = 'high'\n",
    );
    let (code, _, err) = dir.cmd().args(["scan", ".", "--config", "typo.toml"]).run();
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("typo.toml: unknown key 'rules.0.keywrods' is ignored"),
        "{err}"
    );
    assert!(!err.contains("aliases") && !err.contains("confidence"), "{err}");
    let (code, _, err) = dir
        .cmd()
        .args(["scan", ".", "--config", "typo.toml", "--strict"])
        .run();
    assert_eq!(code, 2, "{err}");
});

// A closed pipe is not an error for any command that writes to stdout.
#[cfg(unix)]
scantest!(broken_pipes_exit_zero, |dir| {
    for i in 0..400 {
        dir.create(&format!("f{i}.txt"), format!("{TOKEN}\n"));
    }
    let cases: &[&[&str]] = &[
        &["scan", ".", "--config", RULES],
        &["scan", ".", "--config", RULES, "--format", "json"],
        &["scan", ".", "--config", RULES, "--format", "jsonl"],
        &["rules", "list"],
        &["rules", "check"],
    ];
    for args in cases {
        let mut child = Command::new(env!("CARGO_BIN_EXE_leakless"))
            .args(*args)
            .current_dir(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        drop(child.stdout.take());
        let out = child.wait_with_output().expect("wait");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            !String::from_utf8_lossy(&out.stderr).contains("panicked"),
            "{args:?}"
        );
    }
});

// The pre-push hook when the remote has a commit this clone never fetched: it scans what is
// local and not on a remote-tracking branch (it used to fail resolving the range).
scantest!(pre_push_with_a_remote_commit_that_is_not_local, |dir| {
    let remote = dir.path().join("remote.git");
    git(dir.path(), &["init", "-q", "--bare", "remote.git"]);
    init(&dir);
    dir.create(".leakless.toml", rules_text());
    dir.create("a.txt", "clean\n");
    commit(&dir, "clean");
    git(
        dir.path(),
        &["remote", "add", "origin", remote.to_str().expect("utf-8")],
    );
    git(dir.path(), &["push", "-q", "origin", "main"]);
    dir.create("b.txt", "still clean\n");
    let local = commit(&dir, "more");
    let unknown = "1234567890abcdef1234567890abcdef12345678";
    // By git's ref list on stdin, or by the pre-commit framework's variables (which a CI job
    // may also set by hand to a commit it never fetched).
    let hook = |local: &str, framework: bool| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_leakless"));
        if framework {
            cmd.env("PRE_COMMIT_FROM_REF", unknown)
                .env("PRE_COMMIT_TO_REF", local)
                .env("PRE_COMMIT_REMOTE_NAME", "origin");
        }
        let mut child = cmd
            .args(["hook", "pre-push", "origin", "url"])
            .current_dir(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let line = if framework {
            String::new()
        } else {
            format!("refs/heads/main {local} refs/heads/main {unknown}\n")
        };
        std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), line.as_bytes()).expect("write");
        let out = child.wait_with_output().expect("wait");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
        )
    };
    dir.create("c.txt", format!("{TOKEN}\n"));
    let leaky = commit(&dir, "leak");
    for framework in [false, true] {
        let (code, out) = hook(&local, framework);
        assert_eq!(code, Some(0), "{out}");
        assert!(out.contains("is not in this repository"), "{out}");
        let (code, out) = hook(&leaky, framework);
        assert_eq!(code, Some(1), "{out}");
        assert!(out.contains("c.txt:1") && out.contains("push blocked"), "{out}");
    }
});

/// Runs leakless in `dir` with `args`, killed (and the test failed) after `limit`: a scan that
/// went super-linear would otherwise hang the suite rather than fail it.
fn run_within(dir: &TestDir, args: &[&str], limit: std::time::Duration) -> (Option<i32>, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_leakless"))
        .args(args)
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let start = std::time::Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > limit {
            child.kill().expect("kill");
            panic!("leakless {args:?} still running after {limit:?}: not linear");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let out = child.wait_with_output().expect("output");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

// A hostile config on a 10 MB single line: a keyword-less rule whose every search reads to the
// end of the line (`\w+Z|\w`: quadratic, hours without a budget) and a rule whose keyword is
// everywhere with a pattern that spans lines. Each stops when it has spent its budget and is
// named in a notice (stderr, JSON `notices`, SARIF notifications); the secret at the end of the
// line is still found by the ordinary rule, at the right column.
scantest!(hostile_rules_on_a_10_mb_line_run_within_a_budget, |dir| {
    let hostile = format!(
        "{}\n[[rules]]\nid = \"no-keywords\"\nregex = '''\\w+Z|\\w'''\n\n[[rules]]\nid = \"everywhere\"\nkeywords = [\"a\"]\nregex = '''(?s)a.*Z|a'''\n",
        rules_text()
    );
    dir.create("hostile.toml", hostile);
    let mut line = vec![b'a'; 10_000_000];
    line.extend_from_slice(format!(" {TOKEN}\n").as_bytes());
    dir.create("long.txt", &line);
    let limit = std::time::Duration::from_secs(300);
    let args = [
        "scan",
        "long.txt",
        "--config",
        "hostile.toml",
        "--no-builtin-rules",
    ];
    let (code, out, err) = run_within(&dir, &[&args[..], &["--format", "json"]].concat(), limit);
    assert_eq!(code, Some(1), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let token = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule_id"] == "test-token")
        .unwrap_or_else(|| panic!("the ordinary rule still finds the token: {err}"));
    assert_eq!(token["locations"][0]["column"], 10_000_000 + 2);
    let notices = v["notices"].as_array().expect("notices");
    for id in ["no-keywords", "everywhere"] {
        let quoted = format!("rule '{id}'");
        assert!(
            err.lines()
                .any(|l| l.starts_with("leakless: note: long.txt: ") && l.contains(&quoted)),
            "one stderr line names {id}: {err}"
        );
        assert!(
            notices.iter().any(|n| n["file"] == "long.txt"
                && n["message"]
                    .as_str()
                    .is_some_and(|m| m.contains(&quoted) && m.contains("work budget"))),
            "{notices:?}"
        );
    }
    assert!(
        !notices.iter().any(|n| n.to_string().contains("test-token")),
        "an ordinary rule keeps within its budget: {notices:?}"
    );
    // SARIF carries them as notifications (a 1 MB line spends the budget as surely).
    line.drain(..9_000_000);
    dir.create("long.txt", &line);
    let (code, out, err) = run_within(&dir, &[&args[..], &["--format", "sarif"]].concat(), limit);
    assert_eq!(code, Some(1), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("sarif");
    let notes = v["runs"][0]["invocations"][0]["toolConfigurationNotifications"].to_string();
    assert!(
        notes.contains("rule 'no-keywords'") && notes.contains("rule 'everywhere'"),
        "{notes}"
    );
});

// Ranges where git names no single base: the config is still never the scanned change's own.
// After criss-cross merges `A...B` has two merge bases (one is used, and the notice says so);
// `B --exclude A` uses the first commit the range leaves out on B's first-parent line; a
// range that starts at a root commit (`ROOT^!`, `B` alone) or joins unrelated histories has
// no trusted base: exit 2, unless `--config-source worktree` says to trust the checkout.
scantest!(ranges_without_a_single_base_never_use_the_changes_config, |dir| {
    init(&dir);
    dir.create(".leakless.toml", rules_text());
    dir.create("README.md", "hello\n");
    commit(&dir, "base");
    git(dir.path(), &["checkout", "-q", "-b", "x"]);
    dir.create("x.txt", "x\n");
    let x1 = commit(&dir, "x1");
    git(dir.path(), &["checkout", "-q", "-b", "y", "main"]);
    dir.create("y.txt", "y\n");
    let y1 = commit(&dir, "y1");
    git(dir.path(), &["checkout", "-q", "x"]);
    git(dir.path(), &["merge", "-q", "--no-ff", "-m", "x2", &y1]);
    git(dir.path(), &["checkout", "-q", "y"]);
    git(dir.path(), &["merge", "-q", "--no-ff", "-m", "y2", &x1]);
    // The change: a config that allowlists everything, and a token.
    let hostile = format!("{}\n[[allowlists]]\npaths = ['''.*''']\n", rules_text());
    dir.create(".leakless.toml", &hostile);
    dir.create("app.py", format!("key = '{TOKEN}'\n"));
    commit(&dir, "y3");
    let bases = git(dir.path(), &["merge-base", "--all", "x", "y"]);
    assert_eq!(bases.lines().count(), 2, "criss-cross: {bases}");

    let (code, out, err) = dir.cmd().args(["scan", ".", "--range", "x...y"]).run();
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("app.py:1"), "{out}");
    assert!(
        err.contains("the range has 2 merge bases") && err.contains("the scanned change modifies"),
        "{err}"
    );
    let (code, out, err) = dir
        .cmd()
        .args(["scan", ".", "--range", "y", "--exclude", "x"])
        .run();
    assert_eq!(
        code, 1,
        "B --exclude A reads the config outside the change: {out}{err}"
    );
    assert!(out.contains("app.py:1"), "{out}");

    // An orphan branch whose root commit carries its own permissive config and a token.
    git(dir.path(), &["checkout", "-q", "--orphan", "orphan"]);
    git(dir.path(), &["rm", "-rq", "--cached", "."]);
    dir.create("app.py", format!("key = '{TOKEN2}'\n"));
    dir.create(".leakless.toml", &hostile);
    git(dir.path(), &["add", ".leakless.toml", "app.py"]);
    git(dir.path(), &["commit", "-q", "-m", "root"]);
    for range in ["orphan^!", "orphan", "main...orphan"] {
        let (code, out, err) = dir.cmd().args(["scan", ".", "--range", range]).run();
        assert_eq!(code, 2, "{range}: {out}{err}");
        assert!(
            err.contains("no base revision outside the scanned change")
                && err.contains("--config-source worktree"),
            "{range}: {err}"
        );
        let (code, out, err) = dir
            .cmd()
            .args(["scan", ".", "--range", range, "--config-source", "base"])
            .run();
        assert_eq!(code, 2, "{range}: {out}{err}");
        // Trusting the checkout is the user's explicit choice.
        let (code, out, err) = dir
            .cmd()
            .args(["scan", ".", "--range", range, "--config-source", "worktree"])
            .run();
        assert_eq!(
            code, 0,
            "{range}: the checkout's config allowlists everything: {out}{err}"
        );
    }
});

// A minified file: 10 MB on one line, with the built-in rules. Before issue 12 every match
// re-read its line from the start (quadratic: over 10 minutes in a debug build); now the key at
// the end is found at its column, and the scan ends (BENCHMARKS.md has the timings).
scantest!(ten_mb_single_line_with_the_built_in_rules, |dir| {
    let chunk = b"var a=\"aws\",t=function(x){return x.key_id+1};";
    let mut line: Vec<u8> = chunk.iter().copied().cycle().take(10_000_000).collect();
    let at = line.len();
    line.extend_from_slice(b"var aws_access_key_id=\"AKIAQ3EGT5MBL7XZPW4N\";\n"); // leakless:allow
    dir.create("app.min.js", &line);
    let (code, out, err) = run_within(
        &dir,
        &["scan", "app.min.js", "--format", "json"],
        std::time::Duration::from_secs(300),
    );
    assert_eq!(code, Some(1), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let column = at + "var aws_access_key_id=\"".len() + 1;
    assert!(
        v["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .any(|f| f["locations"][0]["line"] == 1 && f["locations"][0]["column"] == column),
        "the key at column {column}: {out}"
    );
});
