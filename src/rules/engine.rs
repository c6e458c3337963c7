//! The compiled form of a rule regex that the scanner searches keyword windows with.
//!
//! Why not `regex::bytes::Regex`: it builds a one-pass DFA next to the NFAs and lets each
//! thread's lazy-DFA cache grow to the size limit, which pays off for a regex searched over
//! megabytes. A rule regex is searched only in the windows around its keywords and reports a
//! handful of matches, whose groups the bounded backtracker resolves on the match's span; so
//! rule regexes are built with `regex_automata::meta` directly, without the one-pass DFA and with
//! the `regex` crate's default lazy-DFA cache (BENCHMARKS.md, "Catalog speed, round 3"). Every
//! regex-automata engine reports the same leftmost-first matches with the same groups, so
//! leaving one out never changes a finding.
//!
//! A pattern that unrolls to many NFA states (long counted repetitions) is searched behind a
//! *gate*: the same pattern with its repetitions opened and no groups, whose matches include the
//! exact pattern's. A window the gate does not match has no match; the exact regex is built only
//! when a window passes, so most large rule regexes are never built (round 4).
//!
//! Measured and rejected: starting each rule with the forward NFA alone (PikeVM / backtracker,
//! no reverse NFA) and adding the lazy DFA after some kilobytes. The reverse NFA is a small part
//! of a build, and the NFA engines on windows cost more than it saves.

use std::sync::OnceLock;

use regex_automata::meta;
use regex_automata::nfa::thompson::WhichCaptures;
use regex_automata::util::captures::Captures;
use regex_syntax::hir::{Hir, HirKind, Repetition};

/// Lazy-DFA cache capacity per thread (the `regex` crate's default; the cache grows to it only
/// when a search visits that many states, and past it the lazy DFA gives way to the NFA).
const HYBRID_CACHE: usize = 2 * 1024 * 1024;

/// A rule regex as the scanner searches it.
#[derive(Debug)]
pub(crate) struct RuleRegex {
    /// The regex as written, built up front unless [`RuleRegex::gate`] is set, else on the first
    /// window the gate lets through.
    exact: OnceLock<Result<meta::Regex, String>>,
    /// A looser regex (counted repetitions opened, groups dropped) that matches wherever the
    /// exact one does, for patterns whose exact form is large: a window it does not match holds
    /// no match of the exact regex either.
    gate: Option<meta::Regex>,
    hir: Option<Hir>,
    size_limit: usize,
}

/// Parses `src` the way every leakless pattern is parsed: ASCII classes (as in RE2, which
/// gitleaks uses), falling back to Unicode mode for patterns that need it (`\p{L}`), matching
/// arbitrary bytes. The error, one line, is that of the Unicode attempt.
pub(crate) fn parse_hir(src: &str) -> Result<Hir, String> {
    let parse = |unicode: bool| {
        regex_syntax::ParserBuilder::new()
            .unicode(unicode)
            .utf8(false)
            .build()
            .parse(src)
            .map_err(|e| {
                let text = e.to_string();
                let last = text.lines().rfind(|l| !l.trim().is_empty()).unwrap_or(&text);
                format!("invalid regex: {}", last.trim_start_matches("error: "))
            })
    };
    parse(false).or_else(|_| parse(true))
}

impl RuleRegex {
    /// Compiles `src`; the error is one line.
    pub(crate) fn new(src: &str, size_limit: usize) -> Result<Self, String> {
        let hir = parse_hir(src)?;
        let size = unrolled_size(&hir);
        // A pattern that may not fit the size limit is built at once, so the error shows.
        let fits = size.saturating_mul(BYTES_PER_ELEMENT) <= size_limit as u64;
        let gate = (size > GATE_OVER && fits)
            .then(|| loosen(&hir))
            .filter(|g| unrolled_size(g).saturating_mul(GATE_RATIO) <= size)
            .and_then(|g| build(&g, size_limit, false).ok());
        let exact = OnceLock::new();
        if gate.is_none() {
            // Built now: a syntax or size error shows when the rule is first needed, as before.
            let _ = exact.set(Ok(build(&hir, size_limit, true)?));
            return Ok(Self {
                exact,
                gate,
                hir: None,
                size_limit,
            });
        }
        Ok(Self {
            exact,
            gate,
            hir: Some(hir),
            size_limit,
        })
    }

    /// Calls `each` with the groups of every match in `hay`, in order, as `captures_iter` of the
    /// `regex` crate finds them. Nothing if the exact regex, built late behind its gate, does not
    /// compile ([`RuleRegex::late_error`] says why).
    pub(crate) fn for_each_match(&self, hay: &[u8], mut each: impl FnMut(&Captures)) {
        if let Some(gate) = &self.gate {
            if !gate.is_match(hay) {
                return;
            }
        }
        let built = self.exact.get_or_init(|| match &self.hir {
            Some(hir) => build(hir, self.size_limit, true),
            None => Err("invalid regex: no pattern to build".to_string()),
        });
        if let Ok(re) = built {
            for caps in re.captures_iter(hay) {
                each(&caps);
            }
        }
    }

    /// Why the exact regex, built on the first window its gate let through, did not compile.
    pub(crate) fn late_error(&self) -> Option<&str> {
        self.exact.get()?.as_ref().err().map(String::as_str)
    }

    /// Whether the exact regex has been built (tests and stats).
    #[cfg(test)]
    fn exact_built(&self) -> bool {
        self.exact.get().is_some()
    }
}

/// Patterns that unroll to more than this many elements get a gate ([`loosen`]); below it, one
/// build is cheaper than two.
const GATE_OVER: u64 = 300;

/// Generous NFA bytes per unrolled element: a pattern whose estimate passes the size limit is
/// built at once (no gate), so a too-big regex is reported when its rule is first needed.
const BYTES_PER_ELEMENT: u64 = 64;

/// A gate is kept only if it unrolls to at most 1/`GATE_RATIO` of the exact pattern.
const GATE_RATIO: u64 = 2;

/// Counted repetitions up to this many copies stay as written in a gate (`\s{0,3}`, `={0,2}`);
/// a longer one keeps its minimum (up to [`GATE_MIN`]), so `[0-9a-f]{32}` becomes
/// `[0-9a-f]{32,}`: as selective where windows hold no such run, a tenth of the states of the
/// rule's `{0,80}` gaps (BENCHMARKS.md, "Catalog speed, round 4").
const GATE_KEEP: u32 = 4;

/// A long counted repetition's minimum, capped at this in a gate: enough for the gate to skip
/// windows with shorter runs, few states.
const GATE_MIN: u32 = 64;

/// Builds `hir` for searching; `captures: false` keeps no groups (a gate only answers whether
/// a window matches). The error is one line.
fn build(hir: &Hir, size_limit: usize, captures: bool) -> Result<meta::Regex, String> {
    let which = if captures {
        WhichCaptures::All
    } else {
        WhichCaptures::None
    };
    meta::Builder::new()
        .configure(
            meta::Config::new()
                .utf8_empty(false)
                .nfa_size_limit(Some(size_limit))
                .onepass(false)
                .which_captures(which)
                .hybrid_cache_capacity(HYBRID_CACHE),
        )
        .build_from_hir(hir)
        .map_err(|e| match e.size_limit() {
            Some(n) => format!("regex too big when compiled (limit {n} bytes)"),
            None => format!("invalid regex: {e}"),
        })
}

/// How many elements `hir` has once its counted repetitions are unrolled (an open `{m,}`
/// counts `m + 1` copies, an optional copy two), saturating: what the Thompson NFA's size follows.
fn unrolled_size(hir: &Hir) -> u64 {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => 1,
        HirKind::Literal(l) => l.0.len() as u64,
        HirKind::Class(_) => 1,
        HirKind::Repetition(r) => {
            // An optional copy costs a split state besides its own.
            let optional = u64::from(r.max.map_or(1, |n| n.saturating_sub(r.min)));
            let copies = u64::from(r.min).saturating_add(optional.saturating_mul(2)).max(1);
            unrolled_size(&r.sub).saturating_mul(copies)
        }
        HirKind::Capture(c) => unrolled_size(&c.sub),
        HirKind::Concat(v) | HirKind::Alternation(v) => {
            v.iter().map(unrolled_size).fold(0, u64::saturating_add)
        }
    }
}

/// A pattern that matches (at least) everywhere `hir` matches, with fewer states: a counted
/// repetition of more than [`GATE_KEEP`] copies is opened (`x{m,n}` → `x{min(m, GATE_MIN),}`),
/// capture groups are dropped. Every string `hir` matches, the result matches, so a window
/// where it finds nothing has no match of `hir`.
fn loosen(hir: &Hir) -> Hir {
    match hir.kind() {
        HirKind::Repetition(r) => {
            let sub = loosen(&r.sub);
            let long = r.max.is_none_or(|n| n > GATE_KEEP) || r.min > GATE_KEEP;
            let (min, max) = if long {
                (r.min.min(GATE_MIN), None)
            } else {
                (r.min, r.max)
            };
            Hir::repetition(Repetition {
                min,
                max,
                greedy: r.greedy,
                sub: Box::new(sub),
            })
        }
        HirKind::Capture(c) => loosen(&c.sub),
        HirKind::Concat(v) => Hir::concat(v.iter().map(loosen).collect()),
        HirKind::Alternation(v) => Hir::alternation(v.iter().map(loosen).collect()),
        _ => hir.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Found = Vec<Vec<Option<(usize, usize)>>>;

    fn ours(re: &RuleRegex, hay: &[u8]) -> Found {
        let mut out = Vec::new();
        re.for_each_match(hay, |c| {
            out.push(
                (0..c.group_len())
                    .map(|g| c.get_group(g).map(|s| (s.start, s.end)))
                    .collect(),
            );
        });
        out
    }

    fn reference(re: &str, hay: &[u8]) -> Found {
        let r = regex::bytes::RegexBuilder::new(re)
            .unicode(false)
            .build()
            .or_else(|_| regex::bytes::Regex::new(re))
            .expect("compiles");
        r.captures_iter(hay)
            .map(|c| {
                (0..c.len())
                    .map(|g| c.get(g).map(|m| (m.start(), m.end())))
                    .collect()
            })
            .collect()
    }

    /// It finds what the `regex` crate finds, groups and empty matches included.
    #[test]
    fn finds_what_the_regex_crate_finds() {
        let mut hay = Vec::new();
        for i in 0..400 {
            hay.extend_from_slice(
                format!(
                    "k{i} = \"tok_{:012}\" sv=2022-11-02&sp=r&sig=abcdEFGH{i:04}%3D é\n",
                    i * 7919
                )
                .as_bytes(),
            );
        }
        for src in [
            r"\b(tok_[0-9]{12})\b",
            r#"(?i)k(\d+)\s*=\s*"(?P<secret>[^"]+)""#,
            r"(?i)\bsv=\d{4}-\d{2}-\d{2}(?:&[a-z]{2,6}=[^&\s]{1,100}){0,20}&sig=([A-Za-z0-9%]{8,120})",
            r"(a|)|\b",
            r"\p{L}+",
        ] {
            let re = RuleRegex::new(src, 1 << 25).expect("compiles");
            assert_eq!(ours(&re, &hay[..100]), reference(src, &hay[..100]), "{src}");
            assert_eq!(ours(&re, &hay), reference(src, &hay), "{src}");
        }
    }

    /// Forward-NFA states of a pattern (what a build costs, in time and memory).
    fn nfa_states(hir: &Hir) -> usize {
        regex_automata::nfa::thompson::Compiler::new()
            .configure(
                regex_automata::nfa::thompson::Config::new()
                    .utf8(false)
                    .nfa_size_limit(Some(crate::rules::compile::REGEX_SIZE_LIMIT)),
            )
            .build_from_hir(hir)
            .expect("builds")
            .states()
            .len()
    }

    /// Largest forward NFA a built-in rule may build when one of its keywords first occurs (its
    /// gate, if it has one, else the regex as written). The build time and NFA memory grow with
    /// the states: a long counted repetition (`[…]{200,4000}`) unrolls into thousands of them.
    const MAX_FIRST_BUILD_STATES: usize = 2_500;

    /// Every built-in rule's first build has at most [`MAX_FIRST_BUILD_STATES`] forward-NFA
    /// states. `LEAKLESS_NFA_STATES=1 cargo test --lib rule_nfa_states -- --nocapture` prints
    /// the largest, exact form and first build (a dev tool for tuning the packs);
    /// `LEAKLESS_NFA_STATES=<file of rule ids>` only those rules.
    #[test]
    fn rule_nfa_states() {
        let mut sizes: Vec<(usize, usize, &str)> = crate::rules::builtin::RULES
            .iter()
            .filter_map(|r| {
                let src = r.regex?;
                let re = RuleRegex::new(src, crate::rules::compile::REGEX_SIZE_LIMIT).expect("compiles");
                let exact = nfa_states(&parse_hir(src).expect("parses"));
                let first = re
                    .gate
                    .as_ref()
                    .map_or(exact, |_| nfa_states(&loosen(re.hir.as_ref().expect("kept"))));
                Some((first, exact, r.id))
            })
            .collect();
        sizes.sort_unstable_by(|a, b| b.cmp(a));
        if let Some(only) = std::env::var_os("LEAKLESS_NFA_STATES") {
            // A file of rule ids (one a line) limits the list to them.
            if let Ok(ids) = std::fs::read_to_string(&only) {
                sizes.retain(|s| ids.lines().any(|l| l.trim() == s.2));
            }
            let first: usize = sizes.iter().map(|s| s.0).sum();
            let exact: usize = sizes.iter().map(|s| s.1).sum();
            eprintln!(
                "{} rule regexes: {exact} forward-NFA states as written, {first} in first builds",
                sizes.len()
            );
            let mut by_exact = sizes.clone();
            by_exact.sort_unstable_by_key(|s| std::cmp::Reverse(s.1));
            for (first, exact, id) in by_exact.iter().take(60) {
                eprintln!("{exact:>7} {first:>6} {id}");
            }
        }
        let over: Vec<_> = sizes.iter().filter(|s| s.0 > MAX_FIRST_BUILD_STATES).collect();
        assert!(
            over.is_empty(),
            "first builds over {MAX_FIRST_BUILD_STATES} NFA states: {over:?}"
        );
    }

    /// A large pattern gets a gate; its exact form is built only when a window passes the gate,
    /// and the matches are the exact regex's.
    #[test]
    fn gate_defers_the_exact_build() {
        let src = r"(?:^|[^A-Za-z0-9+/])(CAIS[A-Za-z0-9+/]{200,2000}={0,2})(?:[^A-Za-z0-9+/=]|$)";
        let re = RuleRegex::new(src, 1 << 25).expect("compiles");
        assert!(re.gate.is_some() && !re.exact_built());
        let short = format!("x = CAIS{}\n", "a".repeat(50));
        assert_eq!(ours(&re, short.as_bytes()), Vec::<Vec<_>>::new());
        assert!(!re.exact_built(), "a window without 64 characters after CAIS");
        // 2,100 characters: the gate passes, the exact regex (at most 2,000) does not match.
        let long = format!("x = CAIS{} y", "a".repeat(2100));
        assert_eq!(ours(&re, long.as_bytes()), reference(src, long.as_bytes()));
        assert!(ours(&re, long.as_bytes()).is_empty());
        assert!(re.exact_built() && re.late_error().is_none());
        let hit = format!("x = CAIS{} y", "Ab9/".repeat(60));
        assert_eq!(ours(&re, hit.as_bytes()), reference(src, hit.as_bytes()));
        assert_eq!(ours(&re, hit.as_bytes()).len(), 1);
        // A small pattern is built at once, with no gate.
        let small = RuleRegex::new(r"\b(tok_[0-9]{12})\b", 1 << 25).expect("compiles");
        assert!(small.gate.is_none() && small.exact_built());
    }

    /// A gate matches every text its exact regex matches: every built-in rule's examples and
    /// negative examples.
    #[test]
    fn gates_pass_every_example() {
        let mut gated = 0;
        for r in crate::rules::builtin::RULES {
            let Some(src) = r.regex else { continue };
            let re = RuleRegex::new(src, crate::rules::compile::REGEX_SIZE_LIMIT).expect("compiles");
            let Some(gate) = &re.gate else { continue };
            gated += 1;
            let exact = build(re.hir.as_ref().expect("kept"), usize::MAX, false).expect("builds");
            for ex in r.examples.iter().chain(r.negative_examples) {
                if exact.is_match(ex.as_bytes()) {
                    assert!(gate.is_match(ex.as_bytes()), "{}: {ex}", r.id);
                }
            }
        }
        assert!(gated > 50, "{gated} gated rules");
    }

    #[test]
    fn errors_are_one_line() {
        let e = RuleRegex::new("(unclosed", 1 << 25).expect_err("bad");
        assert!(e.starts_with("invalid regex:") && !e.contains('\n'), "{e}");
        let e = RuleRegex::new("[a-z]{1000}{1000}", 1 << 20).expect_err("big");
        assert!(e.contains("too big"), "{e}");
    }
}
