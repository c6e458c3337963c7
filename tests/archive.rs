//! Archives: members scanned in memory with `outer!member` locations, nested archives, bombs and
//! bad archives reported as skips, `--no-archives`; archives in git history and on stdin.

use std::io::{Cursor, Read, Write};
use std::process::{Command, Stdio};

use zip::write::SimpleFileOptions;

use crate::scantest;
use crate::util::hits;

/// A GitHub classic PAT with a valid checksum (a fake, used across the suite).
const GHP: &str = "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"; // leakless:allow

fn env_file() -> Vec<u8> {
    format!("# settings\nGITHUB_TOKEN={GHP}\n").into_bytes()
}

fn zip_of(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in members {
        w.start_file(*name, opts).expect("start");
        w.write_all(data).expect("write");
    }
    w.finish().expect("finish").into_inner()
}

fn tar_of(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in members {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, name, *data).expect("append");
    }
    b.into_inner().expect("tar")
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).expect("gz");
    e.finish().expect("gz")
}

fn skipped(v: &serde_json::Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = v["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .map(|s| {
            (
                s["path"].as_str().expect("path").to_string(),
                s["reason"].as_str().expect("reason").to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

fn h(rule: &str, path: &str, line: u64) -> (String, String, u64) {
    (rule.to_string(), path.to_string(), line)
}

scantest!(zip_member_found_with_bang_location, |dir| {
    dir.create(
        "dist/app.zip",
        zip_of(&[("config/settings.ini", &env_file()), ("img.bin", b"\0\x01\x02")]),
    );
    let (code, v) = dir.cmd().args(["scan", "."]).json();
    assert_eq!(code, 1);
    assert_eq!(
        hits(&v),
        vec![h("github-pat-classic", "dist/app.zip!config/settings.ini", 2)]
    );
    assert_eq!(v["findings"][0]["locations"][0]["column"], 14);
    let (_, text, _) = dir.cmd().args(["scan", ".", "--color", "never"]).run();
    assert!(text.contains("dist/app.zip!config/settings.ini:2:14"), "{text}");
    assert!(!text.contains(GHP), "redacted: {text}");
    // --no-archives: the zip is binary, skipped.
    let (code, v) = dir.cmd().args(["scan", ".", "--no-archives"]).json();
    assert_eq!(code, 0);
    assert_eq!(skipped(&v), vec![("dist/app.zip".into(), "binary".into())]);
});

scantest!(nested_tar_gz_in_zip_and_jar_whl_kinds, |dir| {
    let inner = gz(&tar_of(&[("x/settings.ini", &env_file())]));
    dir.create("a.zip", zip_of(&[("inner.tar.gz", &inner)]));
    dir.create("lib/app.jar", zip_of(&[("META-INF/app.properties", &env_file())]));
    dir.create(
        "pkg/x-1.0-py3-none-any.whl",
        zip_of(&[("x/conf.ini", &env_file())]),
    );
    dir.create("logs/app.log.gz", gz(&env_file()));
    let (_, v) = dir.cmd().args(["scan", "."]).json();
    assert_eq!(
        hits(&v),
        vec![
            h("github-pat-classic", "a.zip!inner.tar.gz!x/settings.ini", 2),
            h("github-pat-classic", "lib/app.jar!META-INF/app.properties", 2),
            h("github-pat-classic", "logs/app.log.gz!app.log", 2),
            h("github-pat-classic", "pkg/x-1.0-py3-none-any.whl!x/conf.ini", 2),
        ]
    );
});

scantest!(bzip2_and_xz_tarballs, |dir| {
    let tar = tar_of(&[("etc/settings.ini", &env_file())]);
    let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
    bz.write_all(&tar).expect("bz2");
    dir.create("b.tar.bz2", bz.finish().expect("bz2"));
    let mut xz = liblzma::write::XzEncoder::new(Vec::new(), 1);
    xz.write_all(&tar).expect("xz");
    dir.create("c.tar.xz", xz.finish().expect("xz"));
    dir.create("d.tar", &tar);
    let (_, v) = dir.cmd().args(["scan", "."]).json();
    assert_eq!(
        hits(&v),
        vec![
            h("github-pat-classic", "b.tar.bz2!etc/settings.ini", 2),
            h("github-pat-classic", "c.tar.xz!etc/settings.ini", 2),
            h("github-pat-classic", "d.tar!etc/settings.ini", 2),
        ]
    );
});

scantest!(zip_bomb_is_a_reported_skip, |dir| {
    // 8 MiB of zeros deflates to ~8 KiB (ratio ~1000). 40 of those in a zip, 32 of those zips in
    // the outer zip: 10 GiB inflated. Every member stops at the ratio limit after 1 MiB, and the
    // walk stops at the total-size limit (256 MiB): reported skips, never an out-of-memory. A key
    // next to the bomb is still found.
    let inner = zip_of(&[("zeros.bin", &vec![0u8; 8 << 20])]);
    let inners: Vec<(String, Vec<u8>)> = (0..40).map(|i| (format!("i{i:02}.zip"), inner.clone())).collect();
    let middle = zip_of(
        &inners
            .iter()
            .map(|(n, d)| (n.as_str(), d.as_slice()))
            .collect::<Vec<_>>(),
    );
    let middles: Vec<(String, Vec<u8>)> = (0..32)
        .map(|i| (format!("m{i:02}.zip"), middle.clone()))
        .collect();
    let env = env_file();
    let mut members: Vec<(&str, &[u8])> = vec![("settings.ini", &env[..])];
    members.extend(middles.iter().map(|(n, d)| (n.as_str(), d.as_slice())));
    let outer = zip_of(&members);
    assert!(
        outer.len() < 16 << 20,
        "the bomb itself is small: {}",
        outer.len()
    );
    dir.create("bomb.zip", &outer);
    let (code, v) = dir.cmd().args(["scan", "."]).json();
    assert_eq!(code, 1);
    assert_eq!(
        hits(&v),
        vec![h("github-pat-classic", "bomb.zip!settings.ini", 2)]
    );
    let s = skipped(&v);
    assert!(
        s.contains(&(
            "bomb.zip!m00.zip!i00.zip!zeros.bin".into(),
            "archive_ratio_limit".into()
        )),
        "{s:?}"
    );
    assert!(
        s.contains(&("bomb.zip".into(), "archive_total_size_limit".into())),
        "{s:?}"
    );
    assert!(s.len() < 300, "inflation stopped early: {} skips", s.len());
    assert!(v["stats"]["bytes_scanned"].as_u64().expect("bytes") < 1 << 20);
});

scantest!(
    truncated_encrypted_traversal_and_symlink_members_are_skipped,
    |dir| {
        let good = zip_of(&[("a/settings.ini", &env_file())]);
        dir.create("truncated.zip", &good[..good.len() / 2]);
        // Encrypted: set the "encrypted" flag (bit 0) in the local and central headers.
        let mut enc = zip_of(&[("secret.ini", &env_file())]);
        for sig in [&b"PK\x03\x04"[..], b"PK\x01\x02"] {
            let at = enc.windows(4).position(|w| w == sig).expect("header");
            let flags = at + if sig == b"PK\x03\x04" { 6 } else { 8 };
            enc[flags] |= 1;
        }
        dir.create("enc.zip", &enc);
        dir.create(
            "evil.zip",
            zip_of(&[
                ("../../outside.ini", &env_file()),
                ("ok/settings.ini", &env_file()),
            ]),
        );
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        w.add_symlink("link.ini", "/etc/passwd", SimpleFileOptions::default())
            .expect("symlink");
        dir.create("link.zip", w.finish().expect("zip").into_inner());
        let (_, v) = dir.cmd().args(["scan", "."]).json();
        assert_eq!(
            hits(&v),
            vec![h("github-pat-classic", "evil.zip!ok/settings.ini", 2)]
        );
        assert_eq!(
            skipped(&v),
            vec![
                ("enc.zip!secret.ini".into(), "archive_encrypted".into()),
                (
                    "evil.zip!../../outside.ini".into(),
                    "archive_path_traversal".into()
                ),
                ("link.zip!link.ini".into(), "archive_link".into()),
                ("truncated.zip".into(), "archive_corrupt".into()),
            ]
        );
        assert!(!dir.path().join("outside.ini").exists());
        let (_, text, _) = dir.cmd().args(["scan", ".", "-v", "--color", "never"]).run();
        assert!(
            text.contains("skipped truncated.zip: truncated or corrupt archive"),
            "{text}"
        );
    }
);

scantest!(archive_on_stdin_and_in_history, |dir| {
    let z = zip_of(&[("config/settings.ini", &env_file())]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_leakless"))
        .args(["scan", "--stdin", "--stdin-name", "up.zip", "-f", "json"])
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    child.stdin.take().expect("stdin").write_all(&z).expect("write");
    let mut out = String::new();
    child
        .stdout
        .take()
        .expect("stdout")
        .read_to_string(&mut out)
        .expect("read");
    child.wait().expect("wait");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(
        hits(&v),
        vec![h("github-pat-classic", "up.zip!config/settings.ini", 2)]
    );

    let repo = dir.path().join("repo");
    std::fs::create_dir_all(&repo).expect("mkdir");
    let git = |args: &[&str]| {
        let o = Command::new("git")
            .args(args)
            .current_dir(&repo)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "Dev")
            .env("GIT_AUTHOR_EMAIL", "dev@example.invalid")
            .env("GIT_COMMITTER_NAME", "Dev")
            .env("GIT_COMMITTER_EMAIL", "dev@example.invalid")
            .env("GIT_AUTHOR_DATE", "@1700000000 +0000")
            .env("GIT_COMMITTER_DATE", "@1700000000 +0000")
            .output()
            .expect("git");
        assert!(o.status.success(), "git {args:?}");
    };
    git(&["init", "-q", "-b", "main"]);
    std::fs::write(repo.join("dist.zip"), &z).expect("write");
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "add dist"]);
    git(&["rm", "-q", "dist.zip"]);
    git(&["commit", "-q", "-m", "remove dist"]);
    let (_, v) = dir.cmd().args(["scan", "--history", "repo"]).json();
    assert_eq!(
        hits(&v),
        vec![h("github-pat-classic", "dist.zip!config/settings.ini", 2)]
    );
    assert_eq!(v["findings"][0]["locations"][0]["commit"]["summary"], "add dist");
});
