//! Test helpers: a fresh temporary directory per test and a command builder for the binary
//! (after ripgrep's `rgtest!`).

pub mod standin;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A temporary directory that lives as long as the test.
pub struct TestDir {
    dir: tempfile::TempDir,
}

impl TestDir {
    pub fn new() -> Self {
        Self {
            dir: tempfile::Builder::new()
                .prefix("leakless-test-")
                .tempdir()
                .expect("tempdir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `contents` to `rel`, creating parent directories.
    pub fn create(&self, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let p = self.dir.path().join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&p, contents).expect("write");
        p
    }

    /// A `leakless` command running in this directory.
    pub fn cmd(&self) -> TestCommand {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_leakless"));
        cmd.current_dir(self.path()).env_remove("NO_COLOR");
        TestCommand { cmd }
    }
}

pub struct TestCommand {
    pub cmd: Command,
}

impl TestCommand {
    pub fn args<I, S>(&mut self, args: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.cmd.args(args);
        self
    }

    pub fn output(&mut self) -> Output {
        self.cmd.output().expect("run leakless")
    }

    pub fn arg_path(&mut self, p: &Path) -> &mut Self {
        self.cmd.arg(p);
        self
    }

    /// Runs and returns (exit code, stdout, stderr).
    pub fn run(&mut self) -> (i32, String, String) {
        let o = self.output();
        (
            o.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    }

    /// Runs with `input` on standard input; returns (exit code, stdout, stderr).
    pub fn run_with_stdin(&mut self, input: &[u8]) -> (i32, String, String) {
        let o = standin::output_with_stdin(&mut self.cmd, input);
        (
            o.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    }

    /// [`TestCommand::json`] with `input` on standard input.
    pub fn json_with_stdin(&mut self, input: &[u8]) -> (i32, serde_json::Value) {
        self.cmd.args(["--format", "json"]);
        let (code, out, err) = self.run_with_stdin(input);
        let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("bad JSON ({e}): {out}\nstderr: {err}"));
        (code, v)
    }

    /// Runs and parses stdout as JSON (no flag appended).
    pub fn run_json_stdout(&mut self) -> (i32, serde_json::Value) {
        let (code, out, err) = self.run();
        let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("bad JSON ({e}): {out}\nstderr: {err}"));
        (code, v)
    }

    /// Runs with `--format json` appended and parses stdout.
    pub fn json(&mut self) -> (i32, serde_json::Value) {
        self.cmd.args(["--format", "json"]);
        let (code, out, err) = self.run();
        let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("bad JSON ({e}): {out}\nstderr: {err}"));
        (code, v)
    }
}

/// `(rule_id, path, line)` of every finding location in a JSON report, sorted.
pub fn hits(v: &serde_json::Value) -> Vec<(String, String, u64)> {
    let mut out = Vec::new();
    for f in v["findings"].as_array().expect("findings array") {
        for l in f["locations"].as_array().expect("locations") {
            out.push((
                f["rule_id"].as_str().expect("rule_id").to_string(),
                l["path"].as_str().expect("path").to_string(),
                l["line"].as_u64().expect("line"),
            ));
        }
    }
    out.sort();
    out
}

/// Declares a test with a fresh [`TestDir`].
#[macro_export]
macro_rules! scantest {
    ($name:ident, |$dir:ident| $body:block) => {
        #[test]
        fn $name() {
            let $dir = $crate::util::TestDir::new();
            $body
        }
    };
}

/// An external tool the test suite installs (`bash scripts/test` sets the variable). Under
/// `LEAKLESS_REQUIRE_TOOLS=1` (set by scripts/test) a missing tool fails the test; in a bare
/// `cargo test` the check is skipped with a note.
pub fn external_tool(var: &str) -> Option<PathBuf> {
    match std::env::var_os(var) {
        Some(p) if !p.is_empty() => Some(PathBuf::from(p)),
        _ => {
            assert!(
                std::env::var_os("LEAKLESS_REQUIRE_TOOLS").is_none(),
                "{var} is not set: run the suite with `bash scripts/test`"
            );
            eprintln!("note: {var} not set; skipping this external check (bash scripts/test runs it)");
            None
        }
    }
}

/// Runs git in `dir` with no user or system config, a fixed author and fixed dates; returns
/// trimmed stdout (fails the test if git fails).
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Dev")
        .env("GIT_AUTHOR_EMAIL", "dev@example.com")
        .env("GIT_COMMITTER_NAME", "Dev")
        .env("GIT_COMMITTER_EMAIL", "dev@example.com")
        .env("GIT_AUTHOR_DATE", "@1700000000 +0000")
        .env("GIT_COMMITTER_DATE", "@1700000000 +0000")
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A `bash` command. On Windows `bash` on the PATH may be WSL's launcher (System32 is searched
/// first), so take Git for Windows' bash: `LEAKLESS_BASH`, else next to `git`
/// (`<Git>\\cmd\\git.exe` → `<Git>\\bin\\bash.exe`).
pub fn bash() -> Command {
    if let Some(p) = std::env::var_os("LEAKLESS_BASH").filter(|p| !p.is_empty()) {
        return Command::new(p);
    }
    if cfg!(windows) {
        let out = Command::new("git")
            .args(["--exec-path"])
            .output()
            .expect("run git --exec-path");
        // <Git>/mingw64/libexec/git-core → <Git>/bin/bash.exe
        let exec = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if let Some(root) = exec.ancestors().nth(3) {
            let bash = root.join("bin").join("bash.exe");
            if bash.is_file() {
                return Command::new(bash);
            }
        }
    }
    Command::new("bash")
}
