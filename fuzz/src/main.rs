//! The AFL++ harness: `leakless-afl <target>` feeds AFL's inputs to one of `leakless::fuzz`'s
//! targets (the same functions the in-tree driver runs in the test suite).
//!
//! ```text
//! cd fuzz && cargo afl build --release
//! cargo afl fuzz -i corpus/dotenv_roundtrip -o out/dotenv_roundtrip target/release/leakless-afl dotenv_roundtrip
//! ```

fn main() {
    let name = std::env::args().nth(1).unwrap_or_default();
    let Some(target) = leakless::fuzz::target(&name) else {
        let names: Vec<&str> = leakless::fuzz::TARGETS.iter().map(|(n, _)| *n).collect();
        eprintln!("usage: leakless-afl <target>   targets: {}", names.join(", "));
        std::process::exit(2);
    };
    afl::fuzz!(|data: &[u8]| {
        target(data);
    });
}
