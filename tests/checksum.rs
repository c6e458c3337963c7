//! GitHub / npm token checksums against fixtures computed outside leakless
//! (`scripts/checksum_fixtures.py`: Python's `binascii.crc32` and the script's own Base62, both
//! alphabets, plus near-misses), so the reference is not the code under test.

use std::collections::BTreeSet;

use leakless::matching::checksum::Checksum;

use crate::util::{external_tool, TestDir};

const FIXTURES: &str = include_str!("data/checksum-fixtures.tsv");

/// `(token, valid, why)` of every fixture line.
fn fixtures() -> Vec<(&'static str, bool, &'static str)> {
    let rows: Vec<_> = FIXTURES
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let mut f = l.split('\t');
            let (Some(token), Some(valid), Some(why)) = (f.next(), f.next(), f.next()) else {
                panic!("bad fixture line {l:?}");
            };
            (token, valid == "1", why)
        })
        .collect();
    assert!(rows.iter().filter(|r| r.1).count() >= 20, "valid fixtures");
    assert!(rows.iter().filter(|r| !r.1).count() >= 20, "near-miss fixtures");
    rows
}

#[test]
fn checksum_verdicts_match_independent_fixtures() {
    let wrong: Vec<String> = fixtures()
        .into_iter()
        .filter(|(token, valid, _)| Checksum::Crc32Base62.verify(token.as_bytes()) != *valid)
        .map(|(token, valid, why)| format!("{token} (valid={valid}: {why})"))
        .collect();
    assert!(wrong.is_empty(), "wrong verdicts: {wrong:#?}");
}

#[test]
fn checksum_fixtures_are_what_the_script_writes() {
    let Some(python) = external_tool("LEAKLESS_TEST_PYTHON") else {
        return;
    };
    let out = std::process::Command::new(python)
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scripts/checksum_fixtures.py"
        ))
        .arg("--check")
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// End to end: the built-in rules that carry `checksum = "crc32-base62"` report exactly the
/// fixture lines with a valid checksum.
#[test]
fn scan_reports_valid_checksums_only() {
    let dir = TestDir::new();
    let rows = fixtures();
    let body: String = rows
        .iter()
        .map(|(t, _, _)| format!("value = \"{t}\"\n"))
        .collect();
    dir.create("tokens.txt", body);
    let (code, v) = dir.cmd().args(["scan", "tokens.txt", "--no-ignore"]).json();
    assert_eq!(code, 1, "{v}");
    let checksum_rules = [
        "github-oauth-token",
        "github-pat-classic",
        "github-refresh-token",
        "github-server-to-server-token",
        "github-user-to-server-token",
        "npm-access-token",
    ];
    let found: BTreeSet<u64> = crate::util::hits(&v)
        .into_iter()
        .filter(|(rule, _, _)| checksum_rules.contains(&rule.as_str()))
        .map(|(_, _, line)| line)
        .collect();
    let want: BTreeSet<u64> = (1..)
        .zip(&rows)
        .filter(|(_, r)| r.1)
        .map(|(line, _)| line)
        .collect();
    assert_eq!(found, want, "lines with a checksummed-token finding");
}
