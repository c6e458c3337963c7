//! Every fuzz target (`leakless::fuzz`) runs here briefly: its committed seed corpus
//! (`fuzz/corpus/<target>/`, which also holds the inputs of every bug the fuzzers found), then
//! deterministic mutations for a few seconds. A panic or an input running past the timeout fails
//! the test and saves the input under `target/fuzz-failures/`.
//!
//! Longer runs: `LEAKLESS_FUZZ_SECS=120 LEAKLESS_FUZZ_ITERS=10000000 cargo test --release --test
//! tests fuzz::` (same seed, same inputs; `LEAKLESS_FUZZ_SEED` changes them), or `cargo afl`
//! with the `fuzz/` crate (README, "Fuzzing").

use std::path::Path;
use std::time::Duration;

use leakless::fuzz::driver::{load_corpus, run, show, Config, Failure};
use leakless::fuzz::TARGETS;

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn fuzz(name: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = load_corpus(&root.join("fuzz/corpus").join(name)).expect("corpus readable");
    assert!(!corpus.is_empty(), "fuzz/corpus/{name} has seeds");
    let target = TARGETS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| *t)
        .expect("target exists");
    let cfg = Config {
        iterations: env_num("LEAKLESS_FUZZ_ITERS", 3_000),
        time_cap: Duration::from_secs(env_num("LEAKLESS_FUZZ_SECS", 3)),
        // Debug builds on a loaded machine: generous; a real hang runs forever.
        input_timeout: Duration::from_secs(env_num("LEAKLESS_FUZZ_TIMEOUT", 20)),
        seed: env_num("LEAKLESS_FUZZ_SEED", 0x1ea4_1e55) ^ name.len() as u64,
        ..Config::default()
    };
    let out = run(target, &corpus, &cfg);
    eprintln!("fuzz {name}: {} inputs ({} seeds)", out.executed, corpus.len());
    let (input, what) = match out.failure {
        None => {
            assert!(out.executed >= corpus.len() as u64);
            return;
        }
        Some(Failure::Panic { input, message }) => (input, format!("panicked: {message}")),
        Some(Failure::Hang { input }) => (input, format!("ran longer than {:?}", cfg.input_timeout)),
    };
    let dir = root.join("target/fuzz-failures").join(name);
    let _ = std::fs::create_dir_all(&dir);
    let file = dir.join(format!("input-{}", input.len()));
    let _ = std::fs::write(&file, &input);
    panic!(
        "fuzz target {name} {what}\ninput saved to {}\n{}",
        file.display(),
        show(&input)
    );
}

#[test]
fn rules_load() {
    fuzz("rules_load");
}

#[test]
fn assign_parse() {
    fuzz("assign_parse");
}

#[test]
fn scan_decode() {
    fuzz("scan_decode");
}

#[test]
fn dotenv_roundtrip() {
    fuzz("dotenv_roundtrip");
}

#[test]
fn git_objects() {
    fuzz("git_objects");
}

#[test]
fn sarif_writer() {
    fuzz("sarif_writer");
}

#[test]
fn k8s_manifest() {
    fuzz("k8s_manifest");
}

#[test]
fn helm_template() {
    fuzz("helm_template");
}

#[test]
fn every_target_has_a_test_and_a_corpus() {
    let names: Vec<&str> = TARGETS.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names,
        [
            "rules_load",
            "assign_parse",
            "scan_decode",
            "dotenv_roundtrip",
            "git_objects",
            "sarif_writer",
            "k8s_manifest",
            "helm_template"
        ]
    );
}
