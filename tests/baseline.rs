//! Suppression: the hashed baseline (adoption in two commands, byte-stable regeneration, survives
//! moved lines and rebases, holds no secret) and the `.leaklessignore` fingerprint file.

use std::process::Command;

use crate::scantest;
use crate::util::TestDir;

const RULES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/test-rules.toml");

/// A distinct, random-looking test token for index `i` (matches `tok_[a-z0-9]{16}`).
fn token(i: u64) -> String {
    let mut x = i.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0xdead_beef_cafe_f00d;
    let alphabet = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut s = String::from("tok_");
    for _ in 0..16 {
        x ^= x >> 13;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        s.push(alphabet[(x % 36) as usize] as char);
    }
    s
}

fn base() -> Vec<&'static str> {
    vec!["--no-builtin-rules", "--rules", RULES]
}

/// A legacy repository with 50 findings in 10 files.
fn legacy(dir: &TestDir) -> Vec<String> {
    let tokens: Vec<String> = (0..50).map(token).collect();
    for f in 0..10 {
        let body: String = (0..5)
            .map(|k| format!("key{k} = \"{}\"\n", tokens[f * 5 + k]))
            .collect();
        dir.create(&format!("svc{f}/config.py"), body);
    }
    tokens
}

scantest!(adopt_in_two_commands_then_new_secret_fails, |dir| {
    let tokens = legacy(&dir);
    let (code, v) = dir.cmd().args(["scan", "."]).args(base()).json();
    assert_eq!(code, 1);
    assert_eq!(v["findings"].as_array().map(Vec::len), Some(50));

    let (code, _, err) = dir.cmd().args(["baseline", "create"]).args(base()).run();
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("wrote .leakless-baseline.json with 50 findings"),
        "{err}"
    );
    let (code, out, _) = dir
        .cmd()
        .args([
            "scan",
            ".",
            "--baseline",
            ".leakless-baseline.json",
            "--color",
            "never",
        ])
        .args(base())
        .run();
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("no leaks found") && out.contains("suppressed 50 by baseline"),
        "{out}"
    );

    // A newly added secret fails the scan, and only it is reported.
    let fresh = token(1000);
    dir.create("svc3/new.py", format!("x = \"{fresh}\"\n"));
    let (code, v) = dir
        .cmd()
        .args(["scan", ".", "--baseline", ".leakless-baseline.json"])
        .args(base())
        .json();
    assert_eq!(code, 1);
    let f = v["findings"].as_array().expect("findings");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["locations"][0]["path"], "svc3/new.py");

    // The baseline holds no secret and no line number.
    let text = std::fs::read_to_string(dir.path().join(".leakless-baseline.json")).expect("baseline");
    for t in &tokens {
        assert!(!text.contains(t.as_str()));
    }
    assert!(!text.contains("\"line\""), "{text}");
    let b: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(b["version"], 1);
    assert_eq!(b["findings"][0]["paths"].as_array().map(Vec::len), Some(1));
    assert_eq!(b["findings"][0]["count"], 1);

    // create refuses to overwrite; update reports the change.
    let (code, _, err) = dir.cmd().args(["baseline", "create"]).args(base()).run();
    assert_eq!(code, 2);
    assert!(err.contains("baseline already exists"), "{err}");
    let (code, _, err) = dir.cmd().args(["baseline", "update"]).args(base()).run();
    assert_eq!(code, 0);
    assert!(err.contains("51 findings (1 added, 0 no longer found)"), "{err}");
});

scantest!(
    baseline_is_byte_stable_across_regeneration_moved_lines_and_rebase,
    |dir| {
        legacy(&dir);
        let file = dir.path().join(".leakless-baseline.json");
        let read = || std::fs::read(&file).expect("read");
        // Every call must succeed: a call that errors and writes nothing would leave the old,
        // identical bytes behind and pass the comparisons below.
        let ok = |args: &[&str]| {
            let (code, out, err) = dir.cmd().args(args).args(base()).run();
            assert_eq!(code, 0, "leakless {args:?}: {out}{err}");
        };
        // Equal-content but different bytes (compact JSON): the command must rewrite the file
        // into its canonical form for the comparison with `first` to hold.
        let scramble = || {
            let v: serde_json::Value = serde_json::from_slice(&read()).expect("baseline is JSON");
            let compact = serde_json::to_vec(&v).expect("json");
            assert_ne!(compact, read(), "the baseline is not already compact JSON");
            std::fs::write(&file, compact).expect("write");
        };
        ok(&["baseline", "create"]);
        let first = read();
        // `create --force` does not read the old file: replace it with garbage.
        std::fs::write(&file, b"not a baseline").expect("corrupt");
        ok(&["baseline", "create", "--force", "-j1"]);
        assert_eq!(
            first,
            read(),
            "regenerating on an unchanged tree is byte-identical"
        );

        // Move lines: prepend code and reorder within a file.
        let p = dir.path().join("svc0/config.py");
        let original = std::fs::read_to_string(&p).expect("read");
        let mut lines: Vec<&str> = original.lines().collect();
        lines.reverse();
        std::fs::write(&p, format!("import os\n\n\n{}\n", lines.join("\n"))).expect("write");
        scramble();
        ok(&["baseline", "update"]);
        assert_eq!(first, read(), "moving lines does not change the baseline");

        // Rebase a branch carrying the files onto a main that changed other files: identical.
        let git = |args: &[&str]| {
            let st = Command::new("git")
                .args(args)
                .current_dir(dir.path())
                .env("GIT_AUTHOR_NAME", "T")
                .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
                .env("GIT_COMMITTER_NAME", "T")
                .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
                .env("GIT_AUTHOR_DATE", "2024-01-01T00:00:00Z")
                .env("GIT_COMMITTER_DATE", "2024-01-01T00:00:00Z")
                .output()
                .expect("git");
            assert!(
                st.status.success(),
                "git {args:?}: {}",
                String::from_utf8_lossy(&st.stderr)
            );
        };
        git(&["-c", "init.defaultBranch=main", "init", "-q"]);
        git(&["add", "svc0", "svc1", "svc2", "svc3", "svc4"]);
        git(&["commit", "-qm", "base"]);
        git(&["checkout", "-qb", "feature"]);
        git(&["add", "."]);
        git(&["commit", "-qm", "feature: more services"]);
        git(&["checkout", "-q", "main"]);
        dir.create("README.md", "docs\n");
        git(&["add", "README.md"]);
        git(&["commit", "-qm", "docs"]);
        git(&["checkout", "-q", "feature"]);
        git(&["rebase", "-q", "main"]);
        scramble();
        ok(&["baseline", "update"]);
        assert_eq!(first, read(), "a rebase does not change the baseline");
    }
);

scantest!(stale_entries_are_reported, |dir| {
    let tokens = legacy(&dir);
    dir.cmd().args(["baseline", "create"]).args(base()).run();
    // Remove one file's secrets (5 findings).
    std::fs::remove_file(dir.path().join("svc9/config.py")).expect("rm");
    let (code, out, _) = dir
        .cmd()
        .args([
            "scan",
            ".",
            "--baseline",
            ".leakless-baseline.json",
            "--color",
            "never",
        ])
        .args(base())
        .run();
    assert_eq!(code, 0);
    assert!(
        out.contains("5 stale suppression entries (--report-stale lists them)"),
        "{out}"
    );
    let (_, out, _) = dir
        .cmd()
        .args([
            "scan",
            ".",
            "--baseline",
            ".leakless-baseline.json",
            "--report-stale",
            "--color",
            "never",
        ])
        .args(base())
        .run();
    assert_eq!(
        out.lines()
            .filter(|l| l.starts_with("stale baseline entry .leakless-baseline.json: "))
            .count(),
        5,
        "{out}"
    );
    assert!(!tokens.iter().any(|t| out.contains(t.as_str())));
    let (_, v) = dir
        .cmd()
        .args(["scan", ".", "--baseline", ".leakless-baseline.json"])
        .args(base())
        .json();
    assert_eq!(v["stale"].as_array().map(Vec::len), Some(5));
    assert_eq!(v["stale"][0]["kind"], "baseline");
});

scantest!(ignore_file_by_fingerprint_and_path_glob, |dir| {
    let a = token(1);
    let b = token(2);
    dir.create("src/a.py", format!("x = \"{a}\"\n"));
    dir.create("tests/a.py", format!("x = \"{a}\"\n"));
    dir.create("src/b.py", format!("y = \"{b}\"\n"));
    let (_, v) = dir.cmd().args(["scan", "."]).args(base()).json();
    let fp = |path: &str| -> String {
        v["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .find(|f| {
                f["locations"]
                    .as_array()
                    .expect("locs")
                    .iter()
                    .any(|l| l["path"] == path)
            })
            .and_then(|f| f["fingerprint"].as_str())
            .expect("fingerprint")
            .to_string()
    };
    let (fa, fb) = (fp("src/a.py"), fp("src/b.py"));
    dir.create(
        ".leaklessignore",
        format!("# reviewed false positives\n{fb}\n{fa}:tests/**\n0123456789abcdef0123456789abcdef\n"),
    );
    let (code, v) = dir
        .cmd()
        .args(["scan", ".", "--report-stale"])
        .args(base())
        .json();
    assert_eq!(code, 1);
    let f = v["findings"].as_array().expect("findings");
    assert_eq!(f.len(), 1, "{v}");
    let locs: Vec<&str> = f[0]["locations"]
        .as_array()
        .expect("l")
        .iter()
        .filter_map(|l| l["path"].as_str())
        .collect();
    assert_eq!(locs, vec!["src/a.py"]);
    assert_eq!(v["stale"].as_array().map(Vec::len), Some(1));
    assert_eq!(v["stale"][0]["fingerprint"], "0123456789abcdef0123456789abcdef");

    dir.create(".leaklessignore", "not-a-fingerprint\n");
    let (code, _, err) = dir.cmd().args(["scan", "."]).args(base()).run();
    assert_eq!(code, 2);
    assert!(
        err.contains(".leaklessignore:1: not a leakless fingerprint"),
        "{err}"
    );
});
