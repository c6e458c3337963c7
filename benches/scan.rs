//! Criterion benchmarks of the hot paths: keyword prefilter + matcher over a 10 MB source-like
//! blob, entropy, and loading the built-in rules. The end-to-end tree benchmark is
//! `benches/bench_tree.sh` (see BENCHMARKS.md).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use leakless::matching::{entropy, Input, MatchOptions, Scanner, Scratch};

/// ~10 MB of `lines` repeated, with a GitHub token every `token_every` lines; as one line (the
/// newlines turned into spaces) when `one_line`.
fn text(lines: &[&str], token_every: usize, one_line: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(10 << 20);
    let mut i = 0usize;
    while out.len() < 10 << 20 {
        out.extend_from_slice(lines[i % lines.len()].as_bytes());
        if i.is_multiple_of(token_every) {
            out.extend_from_slice(b"GITHUB_TOKEN=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\n");
        }
        i += 1;
    }
    if one_line {
        for b in &mut out {
            if *b == b'\n' {
                *b = b' ';
            }
        }
    }
    out
}

/// ~10 MB of code-like text dense in secret-ish words, with a few planted tokens.
fn corpus() -> Vec<u8> {
    let lines = [
        "    def refresh_token(self, client_id: str, client_secret: str) -> str:\n",
        "        # the api key is read from the environment, never hard-coded\n",
        "        token = os.environ.get(\"API_TOKEN\", \"\")  # see ${API_TOKEN}\n",
        "        headers = {\"Authorization\": f\"Bearer {token}\", \"X-Request-Id\": str(uuid4())}\n",
        "        digest = \"3f786850e387550fdab836ed7e6dc881de23001b\"  # sha1 of the password policy\n",
        "export const secretKeyLength = 32; // bytes; the key id is a UUID 7c9e6679-7425-40de-944b-e07fc1f90ae7\n",
        "  \"integrity\": \"sha512-Q2F0cyBhcmUgbmljZSBhbmQgc28gYXJlIGRvZ3MgYnV0IHRoaXMgaXMgbm90IGEgc2VjcmV0\",\n",
        "password_min_length: 12\nauth:\n  provider: oidc\n  client_id: my-app\n",
    ];
    text(&lines, 50_000, false)
}

/// ~10 MB of code-like text with a token every 20 lines (~6,000 matches), as lines and as one
/// line of the same bytes: a minified file must not cost more than a few times the same content
/// split into lines (issue 12: linear time on any input).
fn dense(one_line: bool) -> Vec<u8> {
    let lines = [
        "    token = os.environ.get(\"API_TOKEN\", \"\")  # see ${API_TOKEN}\n",
        "        headers = {\"Authorization\": f\"Bearer {token}\", \"X-Request-Id\": str(uuid4())}\n",
        "export const secretKeyLength = 32; // bytes; the key id is a UUID 7c9e6679-7425-40de-944b-e07fc1f90ae7\n",
    ];
    text(&lines, 20, one_line)
}

/// Benchmarks one scan of `data` as the file `path`; at least `min_matches` must be found.
fn scan_bench(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    rules: &leakless::rules::RuleSet,
    (name, path, data, min_matches): (&str, &str, &[u8], usize),
) {
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.bench_function(BenchmarkId::new("scan", name), |b| {
        let scanner = Scanner::new(rules, MatchOptions::default());
        let mut scratch = Scratch::default();
        let mut out = Vec::new();
        b.iter(|| {
            out.clear();
            scanner.scan(
                Input {
                    data,
                    path: Some(path),
                    commit: None,
                },
                &mut scratch,
                &mut out,
            );
            assert!(out.len() >= min_matches, "every token is found: {}", out.len());
            out.len()
        });
    });
}

fn bench(c: &mut Criterion) {
    let rules = leakless::rules::load(&Default::default()).expect("built-in rules");
    let mut g = c.benchmark_group("matcher");
    g.sample_size(10);
    scan_bench(&mut g, &rules, ("10MB code-like", "src/app.py", &corpus(), 1));
    for (name, one_line) in [("10MB dense, lines", false), ("10MB dense, one line", true)] {
        scan_bench(&mut g, &rules, (name, "dist/app.min.js", &dense(one_line), 5_000));
    }
    g.finish();

    c.bench_function("entropy/64B", |b| {
        let s = b"b377e7a60b669ea2317f339dc6cb79ce49d588a7bbed92433bb2a73dedff3314";
        b.iter(|| entropy::shannon(std::hint::black_box(s)));
    });
    c.bench_function("rules/load-builtin", |b| {
        b.iter(|| {
            leakless::rules::load(&Default::default())
                .expect("rules")
                .rules()
                .len()
        });
    });
    // gitleaks' published default config (3,000 lines, 209 rules): parsing, Go RE2 → Rust
    // translation of every pattern, validation, keyword DFA.
    let gitleaks = leakless::rules::LoadOptions {
        config: Some(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/gitleaks-default.toml").into()),
        ..Default::default()
    };
    // The Go RE2 to Rust translation alone, over every pattern of that config.
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/gitleaks-default.toml"
    ))
    .expect("config");
    let patterns: Vec<String> = text
        .lines()
        .filter_map(|l| {
            l.trim()
                .strip_prefix("regex = '''")
                .or_else(|| l.trim().strip_prefix("'''"))
        })
        .filter_map(|l| l.split("'''").next().map(String::from))
        .collect();
    c.bench_function("rules/translate-gitleaks-default-patterns", |b| {
        b.iter(|| {
            patterns
                .iter()
                .map(|p| leakless::rules::re2::translate(p).map_or(0, |t| t.len()))
                .sum::<usize>()
        });
    });
    c.bench_function("rules/load-gitleaks-default", |b| {
        b.iter(|| leakless::rules::load(&gitleaks).expect("rules").rules().len());
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
