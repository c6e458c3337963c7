//! The dotenv renderer and parser against python-dotenv itself: random values (quotes, `$`,
//! `${...}`, backslashes, `#`, line breaks, unicode, edge whitespace, `=`) written with
//! `render` must load back byte for byte with `dotenv_values` (interpolation on, as applications
//! use it), and `load` must read random dotenv text exactly as python-dotenv does.

use std::process::Command;

use leakless::migrate::dotenv::{load, parse, render};

use crate::util::{external_tool, TestDir};

/// SplitMix64: a fixed seed gives the same cases on every run.
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
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

/// Pieces values are made of: every character python-dotenv treats specially, and some that
/// other layers might (unicode whitespace, BOM, NEL, line separator, C0 controls).
const PIECES: &[&str] = &[
    "a", "Z", "0", "_", "-", ".", "/", "+", "=", " ", "  ", "\t", "\n", "\r", "\r\n", "'", "\"", "`", "\\",
    "\\\\", "\\n", "\\'", "\\\"", "$", "${", "}", "{", ":-", "${A}", "${K1:-d}", "$${", "#", " #", "\t#x",
    "é", "😀", "\u{a0}", "\u{85}", "\u{2028}", "\u{1c}", "\u{feff}", "\u{b}", "\u{c}", "\u{7}", "\0",
    "export ", "abc123", "K1=", "\\$",
];

fn random_value(rng: &mut Rng) -> String {
    let n = rng.below(9);
    (0..n).map(|_| rng.pick(PIECES)).collect()
}

/// Runs python-dotenv on each file; returns each file's `dotenv_values` as ordered pairs.
fn python_load(python: &std::path::Path, files: &[std::path::PathBuf]) -> Vec<Vec<(String, Option<String>)>> {
    let script = "import json,os,sys\nfrom dotenv import dotenv_values\nos.environ.clear()\n\
                  print(json.dumps([list(dotenv_values(p, encoding='utf-8').items()) for p in sys.argv[1:]]))";
    let o = Command::new(python)
        .arg("-c")
        .arg(script)
        .args(files)
        .output()
        .expect("python runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).expect("python prints json")
}

#[test]
fn rendered_values_load_back_exactly_in_python_dotenv() {
    let Some(python) = external_tool("LEAKLESS_TEST_PYTHON") else {
        return;
    };
    let dir = TestDir::new();
    let mut rng = Rng(0x1ea4_1e55);
    let mut files = Vec::new();
    let mut expected: Vec<Vec<(String, Option<String>)>> = Vec::new();
    for f in 0..150 {
        let mut text = String::from("A=plain\n");
        let mut want = vec![("A".to_string(), Some("plain".to_string()))];
        for k in 0..20 {
            let key = format!("K{k}");
            let value = random_value(&mut rng);
            text.push_str(&render(&key, &value));
            text.push('\n');
            want.push((key, Some(value)));
        }
        // Our own parser reads the same values, all of them exact.
        let ours: Vec<(String, Option<String>)> = parse(&text)
            .into_iter()
            .inspect(|e| assert!(e.exact, "{text:?}"))
            .map(|e| (e.key, Some(e.value)))
            .collect();
        assert_eq!(ours, want, "our parse of {text:?}");
        files.push(dir.create(&format!("{f}.env"), &text));
        expected.push(want);
    }
    let got = python_load(&python, &files);
    for (i, (g, w)) in got.iter().zip(&expected).enumerate() {
        assert_eq!(
            g,
            w,
            "python-dotenv read file {i}:\n{}",
            std::fs::read_to_string(&files[i]).expect("read")
        );
    }
    assert_eq!(got.len(), expected.len());
}

#[test]
fn our_parser_reads_random_dotenv_text_as_python_dotenv_does() {
    let Some(python) = external_tool("LEAKLESS_TEST_PYTHON") else {
        return;
    };
    let dir = TestDir::new();
    let mut rng = Rng(0xd07e_0001);
    let line_pieces: &[&str] = &[
        "A=",
        "B =",
        "export C=",
        "'D E'=",
        "K1=",
        "#",
        "\n",
        "\r\n",
        "\r",
        " ",
        "'",
        "\"",
        "x",
        "${A}",
        "${K1:-z}",
        "${Q}",
        "\\",
        "\\n",
        "=",
        " # c",
        "é",
        "\u{a0}",
        "\u{1c}",
        "\t",
        "$",
        "{",
        "}",
    ];
    let mut files = Vec::new();
    let mut texts = Vec::new();
    for f in 0..300 {
        let n = rng.below(25);
        let text: String = (0..n).map(|_| rng.pick(line_pieces)).collect();
        files.push(dir.create(&format!("{f}.env"), &text));
        texts.push(text);
    }
    let got = python_load(&python, &files);
    for (g, t) in got.iter().zip(&texts) {
        assert_eq!(&load(t), g, "load of {t:?}");
    }
}
