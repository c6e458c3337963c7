//! A work budget for rules whose cost nobody measured: rules without keywords and rules from a
//! config.
//!
//! The built-in rules are benchmarked (BENCHMARKS.md) and run on keyword windows. A rule from a
//! config is written by whoever wrote the config, and a rule without keywords runs on every byte
//! of every file. The regex engine is linear per search, but iterating over matches is not: for
//! `\w+Z|\w`, every search reads to the end of the line to learn that the longer alternative
//! fails, then returns one byte, so one 10 MB line costs 10 MB × 10 M steps (hours). Such rules
//! run here instead: each search is charged the bytes it may read, a rule may spend a fixed
//! multiple of the blob's size (plus a constant) per blob, and when the allowance is spent the
//! rule stops on that blob and the scan reports it — never a silent drop.
//!
//! So that ordinary rules rarely come near the budget, searches are kept short without changing
//! what they find (look-around assertions still see the bytes around the searched span):
//! - a pattern whose matches are at most `L` bytes long is searched in spans of at least `2·L`
//!   bytes; a match starting more than `L` bytes before a span's end is exactly the match a
//!   search to the end would find, and the next span starts `L` bytes before this end;
//! - a pattern that cannot match a line break is searched in spans that end at a line end (a
//!   match starting in the span ends inside it);
//! - anything else is searched to the end of its window and charged for it.
//!
//! Spans start at 64 bytes after each match and double while they find nothing (up to 64 KiB),
//! so a blob with many matches is charged little per match and one with none about twice its
//! size.

use memchr::memchr;
use regex_automata::meta;
use regex_automata::util::captures::Captures;
use regex_automata::Input;
use regex_syntax::hir::{Class, Hir, HirKind};

/// A rule may read this many times the blob's size…
pub const FACTOR: u64 = 8;
/// …plus this many bytes, per blob.
const BASE: u64 = 1024 * 1024;
/// The first span searched after a match (at least twice a bounded pattern's longest match)…
const FIRST_SPAN: usize = 64;
/// …and the longest span searched in one go (at least 8 times it).
const MAX_SPAN: usize = 64 * 1024;
/// A rule's pattern, compiled for bounded searches.
#[derive(Debug)]
pub(crate) struct Budgeted {
    re: meta::Regex,
    /// Longest possible match, if bounded.
    max_len: Option<usize>,
    /// Whether a match can contain `\n`.
    multiline: bool,
}

/// Searching stopped: the rule spent its budget on this blob.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Exhausted;

/// The allowance of one rule on a blob of `len` bytes.
pub(crate) fn allowance(len: usize) -> u64 {
    FACTOR.saturating_mul(len as u64).saturating_add(BASE)
}

fn can_match_newline(h: &Hir) -> bool {
    match h.kind() {
        HirKind::Empty | HirKind::Look(_) => false,
        HirKind::Literal(l) => l.0.contains(&b'\n'),
        HirKind::Class(Class::Unicode(c)) => c.ranges().iter().any(|r| r.start() <= '\n' && '\n' <= r.end()),
        HirKind::Class(Class::Bytes(c)) => c.ranges().iter().any(|r| r.start() <= b'\n' && b'\n' <= r.end()),
        HirKind::Repetition(r) => can_match_newline(&r.sub),
        HirKind::Capture(c) => can_match_newline(&c.sub),
        HirKind::Concat(v) | HirKind::Alternation(v) => v.iter().any(can_match_newline),
    }
}

impl Budgeted {
    /// Compiles `src` as [`crate::rules`] compiles rule regexes (ASCII classes when the pattern
    /// allows, Unicode otherwise; matching arbitrary bytes). `None` if it does not compile.
    pub(crate) fn new(src: &str, size_limit: usize) -> Option<Self> {
        let hir = crate::rules::engine::parse_hir(src).ok()?;
        let re = meta::Builder::new()
            .configure(
                meta::Config::new()
                    .utf8_empty(false)
                    .nfa_size_limit(Some(size_limit))
                    .hybrid_cache_capacity(size_limit),
            )
            .build_from_hir(&hir)
            .ok()?;
        Some(Self {
            max_len: hir.properties().maximum_len(),
            multiline: can_match_newline(&hir),
            re,
        })
    }

    /// Calls `each` with the capture groups of every non-empty match in `hay` (as an iteration
    /// over the whole of `hay` finds them), charging `left` for each search; stops with
    /// [`Exhausted`] when a search would cost more than is left.
    pub(crate) fn search(
        &self,
        hay: &[u8],
        left: &mut u64,
        mut each: impl FnMut(&Captures),
    ) -> Result<(), Exhausted> {
        let mut caps = self.re.create_captures();
        let end = hay.len();
        // Spans start small (dense matches cost little) and double while they find nothing
        // (a sparse blob costs about twice its size), up to a cap.
        let first = self
            .max_len
            .map_or(FIRST_SPAN, |l| l.saturating_mul(2).max(FIRST_SPAN));
        let cap = self
            .max_len
            .map_or(MAX_SPAN, |l| l.saturating_mul(8).max(MAX_SPAN));
        let mut span = first;
        let mut pos = 0;
        while pos < end {
            let ahead = end.min(pos.saturating_add(span));
            let (stop, exact_before) = match (self.max_len, self.multiline) {
                (Some(l), _) => (ahead, if ahead == end { end } else { ahead - l }),
                (None, false) => {
                    let stop = memchr(b'\n', &hay[ahead..]).map_or(end, |i| ahead + i);
                    (stop, stop)
                }
                (None, true) => (end, end),
            };
            let cost = (stop - pos) as u64 + 1;
            if cost > *left {
                return Err(Exhausted);
            }
            *left -= cost;
            self.re
                .search_captures(&Input::new(hay).range(pos..stop), &mut caps);
            match caps.get_match() {
                Some(m) if m.start() < exact_before || stop == end => {
                    span = first;
                    if m.is_empty() {
                        pos = m.end() + 1;
                    } else {
                        each(&caps);
                        pos = m.end();
                    }
                }
                // Nothing starts before `exact_before`; what starts after it may reach past
                // `stop`: search again from there, further ahead.
                _ if stop == end => break,
                _ => {
                    pos = exact_before.max(pos + 1);
                    span = span.saturating_mul(2).min(cap);
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (match start, match end, group 1).
    type Found = Vec<(usize, usize, Option<(usize, usize)>)>;

    fn spans(re: &str, hay: &[u8]) -> Found {
        let b = Budgeted::new(re, 1 << 25).expect("compiles");
        let mut out = Vec::new();
        let mut left = allowance(hay.len());
        b.search(hay, &mut left, |c| {
            let m = c.get_match().expect("match");
            let g = c.get_group(1).map(|s| (s.start, s.end));
            out.push((m.start(), m.end(), g));
        })
        .expect("within budget");
        out
    }

    fn reference(re: &str, hay: &[u8]) -> Found {
        let r = regex::bytes::Regex::new(re).expect("compiles");
        r.captures_iter(hay)
            .filter_map(|c| {
                let m = c.get(0)?;
                (!m.is_empty()).then(|| (m.start(), m.end(), c.get(1).map(|g| (g.start(), g.end()))))
            })
            .collect()
    }

    #[test]
    fn finds_what_a_plain_iteration_finds() {
        // Matches across span borders, long lines, word boundaries at the border, lines.
        let mut hay = Vec::new();
        for i in 0..3000 {
            hay.extend_from_slice(format!("k{i}=AKIA{:016} x{}\n", i * 7919, "y".repeat(i % 97)).as_bytes());
        }
        hay.extend_from_slice(&[b'a'; 20_000]);
        hay.extend_from_slice(b" tok_abcdef0123 end");
        for re in [
            r"AKIA([0-9]{16})\b",
            r"k([0-9]+)=",
            r"\b(tok_[a-z0-9]{4,12})\b",
            r"(?m)x(y+)$",
            r"(?s)k2999(.*)end",
            r"([a-z]{5,9})",
        ] {
            assert_eq!(spans(re, &hay), reference(re, &hay), "{re}");
        }
    }

    #[test]
    fn a_quadratic_pattern_runs_out_of_budget() {
        let hay = vec![b'a'; 200_000];
        let b = Budgeted::new(r"\w+Z|\w", 1 << 25).expect("compiles");
        let mut left = allowance(hay.len());
        let mut n = 0;
        assert_eq!(b.search(&hay, &mut left, |_| n += 1), Err(Exhausted));
        assert!(n > 0 && n < 100, "{n} matches before the budget ran out");
    }
}
