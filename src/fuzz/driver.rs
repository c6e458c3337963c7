//! A stable-Rust fuzz driver: replays a seed corpus, then runs deterministic mutations of it
//! (bit flips, interesting bytes, dictionary tokens, deletions, duplications, repetitions,
//! splices) through a target, with a time cap for the run and a timeout per input. It finds
//! panics and hangs without coverage feedback; `cargo afl` (the `fuzz/` crate) is the
//! coverage-guided driver for long runs. Same seed, same inputs: a failure reproduces.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::Target;

/// How long and how hard to run.
#[derive(Clone, Debug)]
pub struct Config {
    /// Mutated inputs to run after the corpus.
    pub iterations: u64,
    /// Stop mutating after this long (the corpus always runs in full).
    pub time_cap: Duration,
    /// An input running longer than this is a hang.
    pub input_timeout: Duration,
    /// Seed of the mutation generator.
    pub seed: u64,
    /// Mutated inputs are cut to this many bytes.
    pub max_len: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            iterations: 2_000,
            time_cap: Duration::from_secs(3),
            input_timeout: Duration::from_secs(10),
            seed: 0x1ea4_1e55,
            max_len: 64 * 1024,
        }
    }
}

/// What went wrong, with the input that did it.
#[derive(Debug)]
pub enum Failure {
    /// The target panicked.
    Panic {
        /// The input.
        input: Vec<u8>,
        /// The panic message.
        message: String,
    },
    /// The target ran longer than the per-input timeout.
    Hang {
        /// The input.
        input: Vec<u8>,
    },
}

/// The result of a run.
#[derive(Debug)]
pub struct Outcome {
    /// Inputs run to completion (corpus and mutations).
    pub executed: u64,
    /// The first failure, if any (the run stops there).
    pub failure: Option<Failure>,
}

/// The files of a corpus directory, sorted by name (an absent directory is an empty corpus).
pub fn load_corpus(dir: &Path) -> std::io::Result<Vec<Vec<u8>>> {
    let mut names: Vec<_> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .map(|e| e.path())
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    names.sort();
    names.iter().map(std::fs::read).collect()
}

/// SplitMix64.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Bytes that parsers of this crate treat specially.
const INTERESTING: &[u8] = b"\0\x01\x7f\x80\xff\n\r\t \"'`\\=$:{}[]#%+/-_.,@";

/// Tokens of the formats the targets read (TOML rules, dotenv, YAML, JSON, escapes, git objects).
const DICT: &[&[u8]] = &[
    b"[[rules]]\nid = \"x\"\nregex = '''",
    b"'''\n",
    b"[extend]\nuseDefault = true\n",
    b"[[rules.allowlists]]\nregexes = ['''",
    b"keywords = [\"",
    b"secretGroup = 1\n",
    b"entropy = 3.5\n",
    b"path = '''",
    b"(a+)+$",
    b"{1000}",
    b"\\p{L}",
    b"${",
    b"${A:-",
    b"\\u00e9",
    b"\\uD83D",
    b"\\x41",
    b"%2F",
    b"export ",
    b"password=",
    b"API_TOKEN: ",
    b"\"secret\": \"",
    b"data:\n  key: ",
    b"kind: Secret\n",
    b"-----BEGIN PRIVATE KEY-----\n",
    b"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", // leakless:allow (fake seed token)
    b"AKIAZ7VRSQ5TUEQ4PQ3X",                     // leakless:allow (fake seed key id)
    b"aGVsbG8gd29ybGQgc2VjcmV0IGtleQ==",
    b"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n",
    b"parent 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n",
    b"author A U Thor <a@b> 1700000000 +0100\n",
    b"committer C <c@d> -9223372036854775808 -9999\n",
    b"author A <a@b> 9223372036854775807 +1400\n",
    b"object 4b825dc642cb6eb9a060e54bf8d69288fbee4904\ntype commit\ntag v1\n",
    b"100644 ",
    b"40000 ",
    b"\n\n",
    b"\r\n",
    b"\xc3\xa9",
    b"\xf0\x9f\x98\x80",
    b"\xe2\x80\xa8",
];

/// One mutation of `input`, in place; `pool` is the corpus for splices.
fn mutate(rng: &mut Rng, input: &mut Vec<u8>, pool: &[Vec<u8>], max_len: usize) {
    let len = input.len();
    match rng.below(11) {
        0 if len > 0 => {
            let i = rng.below(len);
            input[i] ^= 1 << rng.below(8);
        }
        1 if len > 0 => {
            let i = rng.below(len);
            input[i] = INTERESTING[rng.below(INTERESTING.len())];
        }
        2 => {
            let t = DICT[rng.below(DICT.len())];
            let at = rng.below(len + 1);
            input.splice(at..at, t.iter().copied());
        }
        3 if len > 0 => {
            let s = rng.below(len);
            let e = (s + 1 + rng.below(16)).min(len);
            input.drain(s..e);
        }
        4 if len > 0 => {
            let s = rng.below(len);
            let e = (s + 1 + rng.below(64)).min(len);
            let chunk = input[s..e].to_vec();
            let at = rng.below(len + 1);
            input.splice(at..at, chunk);
        }
        5 if !pool.is_empty() => {
            let other = &pool[rng.below(pool.len())];
            let cut = rng.below(len + 1);
            let from = rng.below(other.len() + 1);
            input.truncate(cut);
            input.extend_from_slice(&other[from..]);
        }
        6 => input.truncate(rng.below(len + 1)),
        7 if len > 0 => {
            // A chunk repeated many times: long lines, deep nesting, linear-time checks.
            let s = rng.below(len);
            let e = (s + 1 + rng.below(8)).min(len);
            let chunk = input[s..e].to_vec();
            let times = 1 + rng.below(2_000);
            let at = rng.below(len + 1);
            let rep: Vec<u8> = chunk.iter().copied().cycle().take(chunk.len() * times).collect();
            input.splice(at..at, rep);
        }
        8 if len > 0 => {
            let i = rng.below(len);
            input[i] = rng.next() as u8;
        }
        9 if len > 0 => {
            // A number made extreme.
            let i = rng.below(len);
            let n: &[u8] = [
                &b"0"[..],
                b"-1",
                b"4294967296",
                b"18446744073709551615",
                b"-9223372036854775808",
            ][rng.below(5)];
            input.splice(i..i, n.iter().copied());
        }
        _ => {
            let at = rng.below(len + 1);
            input.insert(at, INTERESTING[rng.below(INTERESTING.len())]);
        }
    }
    input.truncate(max_len);
}

/// Runs `target` over `corpus`, then over mutations of it, on a worker thread watched for
/// hangs. Stops at the first failure.
pub fn run(target: Target, corpus: &[Vec<u8>], cfg: &Config) -> Outcome {
    let current: Arc<Mutex<(Vec<u8>, Option<Instant>)>> = Arc::new(Mutex::new((Vec::new(), None)));
    let stop = Arc::new(AtomicBool::new(false));
    let (tx, rx) = std::sync::mpsc::channel::<(u64, Option<Failure>)>();
    let corpus = corpus.to_vec();
    let cfg2 = cfg.clone();
    let (cur, stop2) = (Arc::clone(&current), Arc::clone(&stop));
    let start = Instant::now();
    let spawned = std::thread::Builder::new()
        .name("fuzz-target".into())
        .stack_size(64 * 1024 * 1024)
        .spawn(move || {
            let set = |input: &[u8], running: bool| {
                let mut c = cur.lock().unwrap_or_else(|p| p.into_inner());
                c.0.clear();
                c.0.extend_from_slice(input);
                c.1 = running.then(Instant::now);
            };
            let mut executed = 0u64;
            let one = |input: &[u8], executed: &mut u64| -> Option<Failure> {
                set(input, true);
                let r = catch_unwind(AssertUnwindSafe(|| target(input)));
                set(&[], false);
                *executed += 1;
                r.err().map(|p| Failure::Panic {
                    input: input.to_vec(),
                    message: p
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_else(|| "panic".into()),
                })
            };
            for input in &corpus {
                if let Some(f) = one(input, &mut executed) {
                    return (executed, Some(f));
                }
            }
            let mut rng = Rng(cfg2.seed);
            let mut pool = corpus.clone();
            if pool.is_empty() {
                pool.push(Vec::new());
            }
            for _ in 0..cfg2.iterations {
                if stop2.load(Ordering::Relaxed) || start.elapsed() > cfg2.time_cap {
                    break;
                }
                let mut input = pool[rng.below(pool.len())].clone();
                for _ in 0..1 + rng.below(6) {
                    mutate(&mut rng, &mut input, &pool, cfg2.max_len);
                }
                if let Some(f) = one(&input, &mut executed) {
                    return (executed, Some(f));
                }
                // Keep a few mutants as parents: deeper chains without coverage feedback.
                if rng.below(16) == 0 && pool.len() < 256 {
                    pool.push(input);
                }
            }
            (executed, None)
        })
        .map(|h| {
            let tx = tx.clone();
            std::thread::spawn(move || {
                let r = h.join().unwrap_or((0, None));
                let _ = tx.send(r);
            })
        });
    if let Err(e) = spawned {
        return Outcome {
            executed: 0,
            failure: Some(Failure::Panic {
                input: Vec::new(),
                message: format!("cannot start the fuzz thread: {e}"),
            }),
        };
    }
    loop {
        match rx.recv_timeout(Duration::from_millis(20)) {
            Ok((executed, failure)) => return Outcome { executed, failure },
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                return Outcome {
                    executed: 0,
                    failure: None,
                }
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                let c = current.lock().unwrap_or_else(|p| p.into_inner());
                if c.1.is_some_and(|t| t.elapsed() > cfg.input_timeout) {
                    stop.store(true, Ordering::Relaxed);
                    // The worker is left running (a thread cannot be killed); the caller fails.
                    return Outcome {
                        executed: 0,
                        failure: Some(Failure::Hang { input: c.0.clone() }),
                    };
                }
            }
        }
    }
}

/// A short, printable form of an input for a failure message (`\xNN` for non-printables).
pub fn show(input: &[u8]) -> String {
    let mut s: String = input
        .iter()
        .take(400)
        .flat_map(|&b| std::ascii::escape_default(b))
        .map(char::from)
        .collect();
    if input.len() > 400 {
        s.push_str(&format!("... ({} bytes)", input.len()));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn panics_on_bang(d: &[u8]) {
        assert!(!d.contains(&b'!'), "bang");
    }

    fn hangs_on_tilde(d: &[u8]) {
        if d.contains(&b'~') {
            std::thread::sleep(Duration::from_secs(3));
        }
    }

    #[test]
    fn finds_a_panic_by_mutation_and_reproduces_it() {
        let cfg = Config {
            iterations: 50_000,
            time_cap: Duration::from_secs(20),
            ..Config::default()
        };
        let out = run(panics_on_bang, &[b"hello".to_vec()], &cfg);
        let Some(Failure::Panic { input, message }) = out.failure else {
            panic!("no panic found: {out:?}");
        };
        assert!(input.contains(&b'!') && message.contains("bang"));
        let again = run(panics_on_bang, &[b"hello".to_vec()], &cfg);
        assert!(matches!(again.failure, Some(Failure::Panic { input: i, .. }) if i == input));
    }

    #[test]
    fn finds_a_hang() {
        let cfg = Config {
            input_timeout: Duration::from_millis(300),
            ..Config::default()
        };
        let out = run(hangs_on_tilde, &[b"a~b".to_vec()], &cfg);
        assert!(matches!(out.failure, Some(Failure::Hang { input }) if input == b"a~b"));
    }

    #[test]
    fn a_clean_target_runs_every_iteration() {
        let cfg = Config {
            iterations: 500,
            time_cap: Duration::from_secs(60),
            ..Config::default()
        };
        let out = run(|_| {}, &[b"x".to_vec()], &cfg);
        assert_eq!(out.executed, 501);
        assert!(out.failure.is_none());
    }
}
