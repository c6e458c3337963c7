//! The install paths: release archives as `.github/workflows/release.yml` packs them
//! (scripts/package-release.py), the Action's install step against a local stand-in release
//! (verified download, refused bad checksum, cargo fallback only when no release matches),
//! `completions`, `man`, `version`, and the lint of the release workflow and Dockerfile.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::hooks::{git_ok, init_repo, run_action_with, LEAK};
use crate::scantest;
use crate::util::{external_tool, TestDir};

const REPO_ROOT: &str = env!("CARGO_MANIFEST_DIR");
/// The target the Action picks on the runner the stand-in runner pretends to be (Linux/X64).
const RUNNER_TARGET: &str = "x86_64-unknown-linux-musl";

fn package_raw(args: &[&str]) -> std::process::Output {
    Command::new("python3")
        .arg(Path::new(REPO_ROOT).join("scripts/package-release.py"))
        .args(args)
        .output()
        .expect("python3")
}

fn package(args: &[&str]) -> String {
    let o = package_raw(args);
    assert!(
        o.status.success(),
        "package-release.py {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// `package-release.py pack` of the test binary.
fn pack(target: &str, version: &str, out: &Path) -> std::process::Output {
    let bin = env!("CARGO_BIN_EXE_leakless");
    let out = out.to_str().expect("utf-8");
    package_raw(&[
        "pack",
        "--binary",
        bin,
        "--target",
        target,
        "--version",
        version,
        "--out",
        out,
    ])
}

fn sha256_hex(path: &Path) -> String {
    use sha2::{Digest, Sha256};
    let bytes = std::fs::read(path).expect("read");
    Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A stand-in release directory `<root>/v0.1.0/` with the test binary packed for the runner's
/// target and for Windows, and SHA256SUMS; returns the root.
fn stand_in_release(dir: &TestDir) -> PathBuf {
    let root = dir.path().join("releases");
    let out = root.join("v0.1.0");
    for target in [RUNNER_TARGET, "x86_64-pc-windows-msvc"] {
        assert!(pack(target, "v0.1.0", &out).status.success());
    }
    for e in std::fs::read_dir(&out).expect("dir") {
        let p = e.expect("entry").path();
        if p.extension().is_some_and(|x| x == "sha256") {
            std::fs::remove_file(p).expect("rm");
        }
    }
    package(&["sums", out.to_str().expect("utf-8")]);
    root
}

scantest!(
    release_archives_are_packed_reproducibly_with_docs_and_sums,
    |dir| {
        let a = dir.path().join("a");
        let b = dir.path().join("b");
        for out in [&a, &b] {
            let o = pack("x86_64-unknown-linux-gnu", "v0.1.0", out);
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            let line = String::from_utf8_lossy(&o.stdout);
            assert!(
                line.ends_with("  leakless-v0.1.0-x86_64-unknown-linux-gnu.tar.gz\n"),
                "{line}"
            );
        }
        let name = "leakless-v0.1.0-x86_64-unknown-linux-gnu.tar.gz";
        // The same bytes twice (mtimes, owners and order are fixed).
        assert_eq!(
            std::fs::read(a.join(name)).expect("a"),
            std::fs::read(b.join(name)).expect("b")
        );
        // The .sha256 line is the archive's digest.
        let side = std::fs::read_to_string(a.join(format!("{name}.sha256"))).expect("sha256");
        assert_eq!(side, format!("{}  {name}\n", sha256_hex(&a.join(name))));
        // What is inside: the binary (executable) and the docs, under one top directory.
        let o = Command::new("tar")
            .args(["-tvzf"])
            .arg(a.join(name))
            .output()
            .expect("tar");
        let listing = String::from_utf8_lossy(&o.stdout);
        let top = "leakless-v0.1.0-x86_64-unknown-linux-gnu/";
        for f in ["leakless", "README.md", "LICENSE", "CHANGELOG.md"] {
            assert!(listing.contains(&format!("{top}{f}")), "{f} missing: {listing}");
        }
        assert!(
            listing
                .lines()
                .any(|l| l.starts_with("-rwxr-xr-x") && l.ends_with("/leakless")),
            "{listing}"
        );
        // Unpacked, it runs.
        let x = dir.path().join("x");
        std::fs::create_dir(&x).expect("mkdir");
        assert!(Command::new("tar")
            .arg("-xzf")
            .arg(a.join(name))
            .arg("-C")
            .arg(&x)
            .status()
            .expect("tar")
            .success());
        let o = Command::new(x.join(top).join("leakless"))
            .arg("version")
            .output()
            .expect("run");
        assert!(String::from_utf8_lossy(&o.stdout).starts_with("leakless "));

        // SHA256SUMS lists every archive of a directory; a stray file is not listed.
        std::fs::remove_file(a.join(format!("{name}.sha256"))).expect("rm");
        std::fs::write(a.join("notes.txt"), "x").expect("write");
        let sums = package(&["sums", a.to_str().expect("utf-8")]);
        assert_eq!(sums, format!("{}  {name}\n", sha256_hex(&a.join(name))));
        assert_eq!(std::fs::read_to_string(a.join("SHA256SUMS")).expect("sums"), sums);

        // A version that is not vX.Y.Z is refused.
        let o = pack("x86_64-unknown-linux-gnu", "1.0", &b);
        assert!(!o.status.success());
    }
);

scantest!(release_notes_come_from_the_changelog_section, |dir| {
    let log = dir.create(
        "CHANGELOG.md",
        "# Changelog\n\n## Unreleased\n\n- next\n\n## [1.2.0] - 2026-12-01\n\n### Added\n- thing\n\n## [1.1.0]\n- old\n",
    );
    let log = log.to_str().expect("utf-8");
    let notes = package(&["notes", "--version", "v1.2.0", "--changelog", log]);
    assert_eq!(notes, "### Added\n- thing\n");
    let notes = package(&["notes", "--version", "v1.3.0", "--changelog", log]);
    assert_eq!(notes, "- next\n");
});

/// Runs the action in a fresh repository with a leak, installing leakless (no cache hit).
fn run_install(dir: &TestDir, inputs: serde_json::Value, path_prepend: &[&Path]) -> serde_json::Value {
    let ws = dir.path().join("ws");
    if !ws.exists() {
        init_repo(&ws);
        std::fs::write(ws.join("settings.py"), LEAK).expect("write");
        git_ok(&ws, &["add", "settings.py"]);
        git_ok(&ws, &["commit", "-qm", "leak", "--no-verify"]);
    }
    let ctx = serde_json::json!({
        "event_name": "workflow_dispatch",
        "event": {},
        "inputs": inputs,
        "cached_binary": null,
        "path_prepend": path_prepend,
    });
    run_action_with(&ws, &ctx)
}

fn step<'a>(r: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    r["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("no step {id}: {r}"))
}

scantest!(
    action_installs_a_release_binary_verified_against_sha256sums,
    |dir| {
        if external_tool("LEAKLESS_TEST_VENV").is_none() {
            return;
        }
        let root = stand_in_release(&dir);
        let url = format!("file://{}", root.display());
        let inputs = serde_json::json!({"version": "0.1.0", "release-url": url, "mode": "worktree",
                                    "upload-sarif": "false"});
        let r = run_install(&dir, inputs.clone(), &[]);
        let install = step(&r, "install");
        assert_eq!(install["exit"], 0, "{install}");
        let out = install["stdout"].as_str().expect("stdout");
        assert!(
            out.contains(&format!(
                "leakless-v0.1.0-{RUNNER_TARGET}.tar.gz verified against SHA256SUMS"
            )),
            "{out}"
        );
        // The installed binary ran the scan and found the leak.
        assert_eq!(r["outputs"]["exit-code"], "1", "{r}");
        assert_eq!(r["failed"], true, "fails on findings: {r}");

        // A SHA256SUMS line that does not match the archive: refused, nothing installed, no scan.
        let sums = root.join("v0.1.0/SHA256SUMS");
        let text = std::fs::read_to_string(&sums).expect("sums");
        let bad: String = text
            .lines()
            .map(|l| {
                if l.contains(RUNNER_TARGET) {
                    format!("{}{}\n", "0".repeat(64), &l[64..])
                } else {
                    format!("{l}\n")
                }
            })
            .collect();
        std::fs::write(&sums, bad).expect("write");
        let r = run_install(&dir, inputs.clone(), &[]);
        let install = step(&r, "install");
        assert_ne!(install["exit"], 0, "{install}");
        assert!(
            install["stdout"]
                .as_str()
                .is_some_and(|s| s.contains("checksum mismatch")),
            "{install}"
        );
        assert_eq!(r["failed"], true);
        assert!(
            r["steps"]
                .as_array()
                .expect("steps")
                .iter()
                .all(|s| s["id"] != "scan"),
            "no scan after a failed install: {r}"
        );

        // An archive SHA256SUMS lists but that is missing: an error, not a fallback to cargo.
        std::fs::write(&sums, &text).expect("write");
        std::fs::remove_file(root.join(format!("v0.1.0/leakless-v0.1.0-{RUNNER_TARGET}.tar.gz")))
            .expect("rm");
        let r = run_install(&dir, inputs, &[]);
        assert_ne!(step(&r, "install")["exit"], 0, "{r}");
    }
);

scantest!(action_builds_with_cargo_only_when_no_release_matches, |dir| {
    if external_tool("LEAKLESS_TEST_VENV").is_none() {
        return;
    }
    let root = stand_in_release(&dir);
    let url = format!("file://{}", root.display());
    // A stand-in `cargo` that records its arguments and "installs" the test binary.
    let stub = dir.path().join("stub");
    std::fs::create_dir(&stub).expect("mkdir");
    let log = dir.path().join("cargo.log");
    let script = format!(
        "#!/bin/sh\necho \"$@\" >> '{log}'\nwhile [ $# -gt 0 ]; do [ \"$1\" = --root ] && root=$2; shift; done\nmkdir -p \"$root/bin\" && cp '{bin}' \"$root/bin/leakless\"\n",
        log = log.display(),
        bin = env!("CARGO_BIN_EXE_leakless")
    );
    std::fs::write(stub.join("cargo"), script).expect("write");
    crate::hooks::make_exec(&stub.join("cargo"));

    // No release for this version: cargo install of that version from crates.io.
    let inputs = serde_json::json!({"version": "v9.9.9", "release-url": url, "mode": "worktree",
                                    "upload-sarif": "false", "fail-on": "none"});
    let r = run_install(&dir, inputs, &[&stub]);
    assert_eq!(step(&r, "install")["exit"], 0, "{r}");
    let calls = std::fs::read_to_string(&log).expect("cargo ran");
    assert!(
        calls.contains("install --locked --quiet --root") && calls.contains("leakless --version =9.9.9"),
        "{calls}"
    );
    assert_eq!(r["failed"], false, "fail-on none: {r}");
    assert_eq!(r["outputs"]["exit-code"], "1", "{r}");

    // No version and an action ref that is not a tag: built from the action's own source.
    std::fs::remove_file(&log).expect("rm");
    let inputs = serde_json::json!({"release-url": url, "mode": "worktree", "upload-sarif": "false"});
    let r = run_install(&dir, inputs, &[&stub]);
    assert_eq!(step(&r, "install")["exit"], 0, "{r}");
    let calls = std::fs::read_to_string(&log).expect("cargo ran");
    assert!(calls.contains(&format!("--path {REPO_ROOT}")), "{calls}");

    // A release exists: cargo is not run.
    std::fs::remove_file(&log).expect("rm");
    let inputs = serde_json::json!({"version": "0.1.0", "release-url": url, "mode": "worktree",
                                    "upload-sarif": "false"});
    let r = run_install(&dir, inputs, &[&stub]);
    assert_eq!(step(&r, "install")["exit"], 0, "{r}");
    assert!(!log.exists(), "cargo must not run when a release matches");

    // A malformed version is an error before anything is downloaded.
    let inputs = serde_json::json!({"version": "latest; rm -rf /", "release-url": url});
    let r = run_install(&dir, inputs, &[&stub]);
    assert_eq!(r["failed"], true, "{r}");
    assert!(!log.exists());
});

scantest!(completions_man_and_version, |dir| {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let (code, out, err) = dir.cmd().args(["completions", shell]).run();
        assert_eq!(code, 0, "{shell}: {err}");
        // Every subcommand, e.g. `migrate` and the nested `baseline create`, is completed.
        assert!(
            out.contains("migrate") && out.contains("create"),
            "{shell}: {out}"
        );
    }
    // bash parses what it is given.
    let (_, script, _) = dir.cmd().args(["completions", "bash"]).run();
    let p = dir.create("leakless.bash", script);
    let o = Command::new("bash").arg("-n").arg(&p).output().expect("bash");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (code, _, _) = dir.cmd().args(["completions", "tcsh"]).run();
    assert_eq!(code, 2);

    let (code, roff, _) = dir.cmd().args(["man"]).run();
    let man = roff.replace("\\-", "-");
    assert_eq!(code, 0);
    assert!(man.starts_with(".ie") || man.contains(".TH leakless 1"), "{man}");
    for section in [
        "LEAKLESS SCAN",
        "LEAKLESS RULES LIST",
        "LEAKLESS BASELINE CREATE",
        "--max-decode-depth",
    ] {
        assert!(man.contains(section), "{section} missing from the man page");
    }
    if Command::new("man").arg("--version").output().is_ok() {
        let p = dir.create("leakless.1", &roff);
        let o = Command::new("man")
            .args(["-l", "-P", "cat"])
            .arg(&p)
            .env("MANWIDTH", "100")
            .output()
            .expect("man");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(text.contains("leakless scan"), "{text}");
    }

    let (code, text, _) = dir.cmd().args(["version"]).run();
    assert_eq!(code, 0);
    assert!(
        text.starts_with(&format!("leakless {}\n", env!("CARGO_PKG_VERSION"))),
        "{text}"
    );
    let (code, v) = dir.cmd().args(["version"]).json();
    assert_eq!(code, 0);
    assert_eq!(v["version"], env!("CARGO_PKG_VERSION"));
    // Built from this work tree: the commit is its HEAD at build time (a full id).
    let commit = v["commit"].as_str().expect("commit");
    assert!(
        commit.len() == 40 && commit.bytes().all(|b| b.is_ascii_hexdigit()),
        "{v}"
    );
    let o = Command::new("git")
        .args(["cat-file", "-t", commit])
        .current_dir(REPO_ROOT)
        .output()
        .expect("git");
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "commit", "{commit}");
    let digest = v["rules_digest"].as_str().expect("digest");
    assert!(digest.starts_with("sha256:") && digest.len() == 71, "{v}");
    assert!(v["rules"].as_u64().is_some_and(|n| n > 1000), "{v}");
    assert!(text.contains(commit) && text.contains(digest), "{text}");

    // The same build facts in the reports' tool metadata.
    dir.create("a.txt", "nothing here\n");
    let (_, j) = dir.cmd().args(["scan", "a.txt"]).json();
    assert_eq!(j["tool"]["commit"], commit);
    assert_eq!(j["tool"]["rules_digest"], digest);
    let (_, s) = dir.cmd().args(["scan", "a.txt", "-f", "sarif"]).run_json_stdout();
    let props = &s["runs"][0]["tool"]["driver"]["properties"];
    assert_eq!(props["commit"], commit, "{s}");
    assert_eq!(props["rulesDigest"], digest, "{s}");
});

scantest!(release_workflow_action_and_dockerfile_lint_clean, |dir| {
    let _ = dir;
    let Some(venv) = external_tool("LEAKLESS_TEST_VENV") else {
        return;
    };
    let run = |tool: &str, args: &[&str]| {
        let o = Command::new(venv.join("bin").join(tool))
            .args(args)
            .current_dir(REPO_ROOT)
            .output()
            .unwrap_or_else(|e| panic!("{tool}: {e}"));
        assert!(
            o.status.success(),
            "{tool} {args:?}: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
    };
    run(
        "actionlint",
        &[".github/workflows/release.yml", ".github/workflows/leakless.yml"],
    );
    run(
        "zizmor",
        &[
            "--offline",
            "--no-progress",
            "action.yml",
            ".github/workflows/release.yml",
            ".github/workflows/leakless.yml",
        ],
    );
    run("hadolint", &["Dockerfile"]);
    run(
        "check-jsonschema",
        &[
            "--builtin-schema",
            "vendor.github-workflows",
            ".github/workflows/release.yml",
        ],
    );
});
