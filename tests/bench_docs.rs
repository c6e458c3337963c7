//! Numbers anyone can rerun: every repository path BENCHMARKS.md, README.md and QUALITY.md name
//! exists, every `bench_tree.sh` knob BENCHMARKS.md uses is one the script reads, the rule count
//! they state is the built-in catalog's, and the benchmark scripts the tables name run (on a tiny
//! tree / repository, with the test binary).

use std::path::Path;
use std::process::Command;

use crate::util::{external_tool, TestDir};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const DOCS: [&str; 3] = ["BENCHMARKS.md", "README.md", "QUALITY.md"];

fn read(rel: &str) -> String {
    std::fs::read_to_string(Path::new(ROOT).join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// `benches/…`, `scripts/…`, `tests/…`, `rules/…`, `fixtures/…` paths named in `text`.
fn repo_paths(text: &str) -> Vec<String> {
    let re = regex::Regex::new(
        r"(?:^|[\s`(=])((?:benches|scripts|tests|rules|fixtures)/[A-Za-z0-9_./-]*[A-Za-z0-9_])",
    )
    .expect("regex");
    let mut out: Vec<String> = re.captures_iter(text).map(|c| c[1].to_string()).collect();
    out.sort();
    out.dedup();
    out
}

#[test]
fn documented_commands_and_files_exist() {
    let mut missing = Vec::new();
    for doc in DOCS {
        for p in repo_paths(&read(doc)) {
            // Generated at run time (gitignored), or a criterion benchmark id (`rules/load-builtin`).
            if p.starts_with("benches/data/") || (p.starts_with("rules/") && !p.contains('.')) {
                continue;
            }
            if !Path::new(ROOT).join(&p).exists() {
                missing.push(format!("{doc}: {p}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "named but not in the repository: {missing:#?}"
    );

    // Every `KNOB=… bash benches/bench_tree.sh` knob is one the script reads.
    let script = read("benches/bench_tree.sh");
    let knob =
        regex::Regex::new(r"\b([A-Z][A-Z_]+)=\S*\s+(?:[A-Z][A-Z_]+=\S*\s+)*bash\s+benches/bench_tree\.sh")
            .expect("regex");
    let env = regex::Regex::new(r"([A-Z][A-Z_]+)=\S*\s").expect("regex");
    let bench = read("BENCHMARKS.md").replace('\n', " ");
    let mut knobs = 0;
    for m in knob.find_iter(&bench) {
        for c in env.captures_iter(m.as_str()) {
            knobs += 1;
            assert!(
                script.contains(&format!("{}=${{{}:-", &c[1], &c[1])),
                "BENCHMARKS.md sets {} for bench_tree.sh, which does not read it",
                &c[1]
            );
        }
    }
    assert!(
        knobs >= 3,
        "BENCHMARKS.md names bench_tree.sh's options ({knobs} found)"
    );
}

#[test]
fn documented_rule_count_is_the_catalog() {
    let n = leakless::rules::load_builtin()
        .expect("built-in rules")
        .rules()
        .len();
    let count = format!("{},{:03}", n / 1000, n % 1000);
    let said = format!("{count} built-in rules");
    for doc in ["README.md", "BENCHMARKS.md"] {
        assert!(read(doc).contains(&said), "{doc} states the catalog as {said:?}");
    }
    // README speaks of today's catalog only.
    let re = regex::Regex::new(r"([0-9][0-9,]*) built-in rules").expect("regex");
    for c in re.captures_iter(&read("README.md")) {
        assert_eq!(&c[1], count, "README.md: {}", &c[0]);
    }
}

/// The benchmark scripts the tables name run, on a tiny input: the 100,000-file generator (at
/// 6 files), `bench_tree.sh` with the provider-rules-only config and hyperfine options,
/// `gen_text.py` and `bench_migrate.sh`. GNU tools (`du -b`, `find -printf`, `/usr/bin/time -f`): Linux only.
#[cfg(target_os = "linux")]
#[test]
fn benchmark_scripts_run() {
    if external_tool("LEAKLESS_TEST_PYTHON").is_none() {
        return;
    }
    let dir = TestDir::new();
    let run = |cmd: &mut Command| {
        let o = cmd.output().expect("run");
        let out = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(o.status.success(), "{cmd:?}: {out}");
        out
    };
    let many = dir.path().join("many");
    run(Command::new("python3")
        .arg(Path::new(ROOT).join("benches/gen_many_files.py"))
        .arg(&many)
        .args(["--dirs", "3", "--files", "2", "--stage", "2"]));
    let staged = run(Command::new("git")
        .args(["diff", "--cached", "--numstat"])
        .current_dir(&many));
    assert_eq!(staged.lines().count(), 2, "{staged}");
    let tracked = run(Command::new("git").args(["ls-files"]).current_dir(&many));
    assert_eq!(tracked.lines().count(), 6, "{tracked}");

    let tree = dir.path().join("tree");
    let out = run(Command::new("bash")
        .arg(Path::new(ROOT).join("benches/bench_tree.sh"))
        .arg(&tree)
        .env("LEAKLESS", env!("CARGO_BIN_EXE_leakless"))
        .env("SIZE_MB", "1")
        .env("RUNS", "1")
        .env("WARMUP", "0")
        .env("HYPERFINE_ARGS", "-N")
        .env("CONFIG", Path::new(ROOT).join("benches/provider-rules-only.toml")));
    assert!(out.contains("== config: "), "{out}");
    assert!(
        out.contains("planted found: 12/12; other findings (false positives on this tree): 0"),
        "{out}"
    );

    for kind in ["long-lines", "c-format"] {
        run(Command::new("python3")
            .arg(Path::new(ROOT).join("benches/gen_text.py"))
            .args([
                kind,
                &dir.path().join(kind).to_string_lossy(),
                "--mb",
                "1",
                "--files",
                "2",
                "--kb",
                "10",
            ]));
    }
    let one = std::fs::read_to_string(dir.path().join("long-lines/one/f.txt")).expect("one line");
    assert_eq!(one.lines().count(), 1);

    let out = run(Command::new("bash")
        .arg(Path::new(ROOT).join("benches/bench_migrate.sh"))
        .arg(&tree)
        .arg(dir.path().join("mbench"))
        .env("LEAKLESS", env!("CARGO_BIN_EXE_leakless"))
        .env("RUNS", "1"));
    assert!(out.contains("migrate --apply"), "{out}");
    assert!(out.contains("dry run after --apply: exit code 0"), "{out}");

    // The re-audit bench on a small generated history: the cached runs, before and after a new
    // commit, find what full scans find.
    let hist = dir.path().join("hist");
    run(Command::new("python3")
        .arg(Path::new(ROOT).join("benches/gen_history.py"))
        .arg(&hist)
        .args([
            "--commits",
            "30",
            "--files",
            "10",
            "--file-kb",
            "1",
            "--seed",
            "16",
        ]));
    let out = run(Command::new("bash")
        .arg(Path::new(ROOT).join("benches/blob_cache.sh"))
        .arg(&hist)
        .env("LEAKLESS_BIN", env!("CARGO_BIN_EXE_leakless"))
        .env("TMPDIR", dir.path()));
    assert_eq!(out.matches("same findings: True").count(), 2, "{out}");
}
