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
//! Measured and rejected: starting each rule with the forward NFA alone (PikeVM / backtracker,
//! no reverse NFA) and adding the lazy DFA after some kilobytes. The reverse NFA is a small part
//! of a build, and the NFA engines on windows cost more than it saves.

use regex_automata::meta;
use regex_automata::util::captures::Captures;
use regex_syntax::hir::Hir;

/// Lazy-DFA cache capacity per thread (the `regex` crate's default; the cache grows to it only
/// when a search visits that many states, and past it the lazy DFA gives way to the NFA).
const HYBRID_CACHE: usize = 2 * 1024 * 1024;

/// A rule regex as the scanner searches it.
#[derive(Debug)]
pub(crate) struct RuleRegex {
    re: meta::Regex,
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
        let re = meta::Builder::new()
            .configure(
                meta::Config::new()
                    .utf8_empty(false)
                    .nfa_size_limit(Some(size_limit))
                    .onepass(false)
                    .hybrid_cache_capacity(HYBRID_CACHE),
            )
            .build_from_hir(&hir)
            .map_err(|e| match e.size_limit() {
                Some(n) => format!("regex too big when compiled (limit {n} bytes)"),
                None => format!("invalid regex: {e}"),
            })?;
        Ok(Self { re })
    }

    /// Calls `each` with the groups of every match in `hay`, in order, as `captures_iter` of the
    /// `regex` crate finds them.
    pub(crate) fn for_each_match(&self, hay: &[u8], mut each: impl FnMut(&Captures)) {
        for caps in self.re.captures_iter(hay) {
            each(&caps);
        }
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

    #[test]
    fn errors_are_one_line() {
        let e = RuleRegex::new("(unclosed", 1 << 25).expect_err("bad");
        assert!(e.starts_with("invalid regex:") && !e.contains('\n'), "{e}");
        let e = RuleRegex::new("[a-z]{1000}{1000}", 1 << 20).expect_err("big");
        assert!(e.contains("too big"), "{e}");
    }
}
