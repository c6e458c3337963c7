//! Worktree scanning mechanics: ignore files, binary/huge/invalid-UTF-8 files, symlink loops.

use crate::scantest;
use crate::util::hits;

const RULES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/test-rules.toml");
const TOKEN: &str = "tok_k3j9x8q2m7w1p5v4";

fn scan_args(extra: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = ["scan", ".", "--no-builtin-rules", "--rules", RULES]
        .iter()
        .map(ToString::to_string)
        .collect();
    v.extend(extra.iter().map(ToString::to_string));
    v
}

scantest!(honours_gitignore_and_scans_hidden_files, |dir| {
    dir.create(".gitignore", "ignored/\n");
    dir.create("ignored/a.txt", format!("x = {TOKEN}\n"));
    dir.create(".env", format!("A=1\nTOKEN={TOKEN}\n"));
    let (code, v) = dir.cmd().args(scan_args(&[])).json();
    assert_eq!(code, 1);
    assert_eq!(hits(&v), vec![("test-token".into(), ".env".into(), 2)]);

    let (_, v) = dir.cmd().args(scan_args(&["--no-ignore"])).json();
    assert_eq!(
        hits(&v),
        vec![
            ("test-token".into(), ".env".into(), 2),
            ("test-token".into(), "ignored/a.txt".into(), 1)
        ]
    );
});

scantest!(does_not_descend_into_dot_git, |dir| {
    dir.create(".git/config", format!("token = {TOKEN}\n"));
    let (code, v) = dir.cmd().args(scan_args(&["--no-ignore"])).json();
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["stats"]["files_scanned"], 0);
});

scantest!(skips_binary_and_huge_files_and_reports_them, |dir| {
    let mut bin = b"\x00\x01\x02PK".to_vec();
    bin.extend_from_slice(format!("{TOKEN}\n").as_bytes());
    dir.create("blob.bin", bin);
    dir.create("huge.txt", format!("{}\n{TOKEN}\n", "a".repeat(3000)));
    dir.create("ok.txt", format!("{TOKEN}\n"));
    let (code, v) = dir.cmd().args(scan_args(&["--max-file-size", "2K"])).json();
    assert_eq!(code, 1);
    assert_eq!(hits(&v), vec![("test-token".into(), "ok.txt".into(), 1)]);
    let skipped = v["skipped"].as_array().expect("skipped");
    assert_eq!(skipped.len(), 2);
    assert_eq!(skipped[0]["path"], "blob.bin");
    assert_eq!(skipped[0]["reason"], "binary");
    assert_eq!(skipped[1]["path"], "huge.txt");
    assert_eq!(skipped[1]["reason"], "too_large");
    assert_eq!(skipped[1]["size"], 3022);

    let (_, out, _) = dir
        .cmd()
        .args(scan_args(&["--max-file-size", "2K", "--verbose"]))
        .run();
    assert!(out.contains("skipped blob.bin: binary"), "{out}");
    assert!(out.contains("skipped huge.txt: too large"), "{out}");
});

scantest!(invalid_utf8_is_scanned, |dir| {
    let mut data = b"caf\xe9 \xff\xfe garbage\n".to_vec();
    data.extend_from_slice(format!("k = {TOKEN}\n").as_bytes());
    dir.create("latin1.txt", data);
    let (code, v) = dir.cmd().args(scan_args(&[])).json();
    assert_eq!(code, 1);
    assert_eq!(hits(&v), vec![("test-token".into(), "latin1.txt".into(), 2)]);
});

#[cfg(unix)]
scantest!(symlink_loop_and_dangling_link_are_errors_not_aborts, |dir| {
    dir.create("sub/ok.txt", format!("{TOKEN}\n"));
    std::os::unix::fs::symlink("..", dir.path().join("sub/loop")).expect("symlink");
    std::os::unix::fs::symlink("missing.txt", dir.path().join("dangling")).expect("symlink");
    let (code, out, err) = dir.cmd().args(scan_args(&["--follow", "-f", "json"])).run();
    assert_eq!(code, 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(hits(&v), vec![("test-token".into(), "sub/ok.txt".into(), 1)]);
    let errors = v["errors"].as_array().expect("errors");
    assert!(errors.iter().any(|e| e["path"] == "sub/loop"), "{errors:?}");
    assert!(errors.iter().any(|e| e["path"] == "dangling"), "{errors:?}");
    // Each error is one line on stderr naming the file.
    assert!(
        err.lines()
            .any(|l| l.starts_with("leakless: sub/loop: symbolic link loop")),
        "{err}"
    );
    // --strict turns per-file errors into exit 2.
    let (code, _, _) = dir.cmd().args(scan_args(&["--follow", "--strict"])).run();
    assert_eq!(code, 2);
});

scantest!(
    same_secret_in_two_files_is_one_finding_with_two_locations,
    |dir| {
        dir.create("a.txt", format!("{TOKEN}\n"));
        dir.create("b/c.txt", format!("\n\n  {TOKEN}\n"));
        let (_, v) = dir.cmd().args(scan_args(&[])).json();
        let f = v["findings"].as_array().expect("findings");
        assert_eq!(f.len(), 1);
        let locs = f[0]["locations"].as_array().expect("locations");
        assert_eq!(locs.len(), 2);
        assert_eq!(
            (
                locs[1]["path"].as_str(),
                locs[1]["line"].as_u64(),
                locs[1]["column"].as_u64()
            ),
            (Some("b/c.txt"), Some(3), Some(3))
        );
    }
);

scantest!(output_order_is_deterministic_across_thread_counts, |dir| {
    for i in 0..60 {
        dir.create(
            &format!("d{}/f{i}.txt", i % 7),
            format!(
                "x\n{TOKEN}{i:02}\ntok_{:016x}\n",
                0x9e37_79b9_7f4a_7c15_u64.wrapping_mul(i + 1)
            ),
        );
    }
    let (_, one, _) = dir.cmd().args(scan_args(&["-j1", "-f", "json"])).run();
    let (_, two, _) = dir.cmd().args(scan_args(&["-j2", "-f", "json"])).run();
    let (_, four, _) = dir.cmd().args(scan_args(&["-j4", "-f", "json"])).run();
    let strip = |s: &str| {
        let mut v: serde_json::Value = serde_json::from_str(s).expect("json");
        v["stats"]["elapsed_ms"] = 0.into();
        v
    };
    assert_eq!(strip(&one), strip(&two));
    assert_eq!(strip(&one), strip(&four));
    assert!(strip(&one)["findings"].as_array().expect("findings").len() >= 60);
});

scantest!(scans_a_single_file_and_stdin, |dir| {
    dir.create("one.txt", format!("x {TOKEN}\n"));
    let (code, v) = dir
        .cmd()
        .args(["scan", "one.txt", "--no-builtin-rules", "--rules", RULES])
        .json();
    assert_eq!(code, 1);
    assert_eq!(hits(&v), vec![("test-token".into(), "one.txt".into(), 1)]);

    let mut cmd = dir.cmd();
    cmd.args([
        "scan",
        "--stdin",
        "--stdin-name",
        "piped.env",
        "--no-builtin-rules",
        "--rules",
        RULES,
        "-f",
        "json",
    ]);
    cmd.cmd
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped());
    let mut child = cmd.cmd.spawn().expect("spawn");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin
            .write_all(format!("\n\nA={TOKEN}\n").as_bytes())
            .expect("write");
    }
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(hits(&v), vec![("test-token".into(), "piped.env".into(), 3)]);
});
