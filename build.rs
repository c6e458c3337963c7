//! Build script: records which commit the binary is built from, for `leakless version` and the
//! `tool` metadata of JSON and SARIF reports (env `LEAKLESS_GIT_COMMIT`, read with `option_env!`).
//!
//! In order: `LEAKLESS_BUILD_COMMIT` from the environment (a Docker build without `.git`),
//! `.cargo_vcs_info.json` (a crate built from its `cargo package` tarball, e.g. `cargo install
//! leakless`), `git rev-parse HEAD` when this directory is the top of a git work tree; else
//! nothing, and the binary says `unknown`.

// Cargo reads a build script's instructions from its stdout: println! is the interface here.
#![allow(clippy::disallowed_macros)]

use std::path::Path;
use std::process::Command;

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).current_dir(dir).output().ok()?;
    let s = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !s.is_empty()).then_some(s)
}

fn is_commit_id(s: &str) -> bool {
    (7..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn main() {
    println!("cargo:rerun-if-env-changed=LEAKLESS_BUILD_COMMIT");
    let dir = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let vcs_info = dir.join(".cargo_vcs_info.json");
    let commit = if let Some(c) = std::env::var("LEAKLESS_BUILD_COMMIT")
        .ok()
        .filter(|c| is_commit_id(c))
    {
        Some(c)
    } else if vcs_info.is_file() {
        // {"git": {"sha1": "…"}, "path_in_vcs": ""}: a small fixed format, read without a JSON crate.
        let text = std::fs::read_to_string(&vcs_info).unwrap_or_default();
        text.split("\"sha1\"")
            .nth(1)
            .and_then(|rest| rest.split('"').nth(1))
            .filter(|c| is_commit_id(c))
            .map(str::to_string)
    } else {
        // Only this repository's own commit: a crate unpacked inside some other work tree
        // (`cargo package` verifies under target/package/) must not take that tree's HEAD.
        let top = git(&dir, &["rev-parse", "--show-toplevel"]).map(std::path::PathBuf::from);
        let same = top
            .and_then(|t| t.canonicalize().ok())
            .is_some_and(|t| dir.canonicalize().is_ok_and(|d| d == t));
        if same {
            for p in ["HEAD", "packed-refs", "refs/heads"] {
                if let Some(path) = git(&dir, &["rev-parse", "--git-path", p]) {
                    println!("cargo:rerun-if-changed={}", dir.join(path).display());
                }
            }
            git(&dir, &["rev-parse", "HEAD"]).filter(|c| is_commit_id(c))
        } else {
            None
        }
    };
    if let Some(c) = commit {
        println!("cargo:rustc-env=LEAKLESS_GIT_COMMIT={c}");
    }
    println!(
        "cargo:rustc-env=LEAKLESS_BUILD_TARGET={}",
        std::env::var("TARGET").unwrap_or_default()
    );
}
