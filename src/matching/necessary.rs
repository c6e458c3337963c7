//! Literals every match of a rule regex must contain, checked on a keyword window before the
//! regex runs on it.
//!
//! Why: a rule's keywords are matched case-insensitively and open a window of hundreds of bytes,
//! while its regex often needs bytes the window rarely holds: a lower-case `secret_` where C code
//! says `SECRET_`, an `@` in a URL with a password, 63 commas in a Solana keypair array. Most
//! windows hold no match, and the lazy DFA (often behind a Teddy prefilter that finds the keyword
//! again) reads the whole window to learn it. A `memchr`/`memmem` pass for a literal the match
//! cannot do without is several times cheaper. The check is exact: a match lies inside its
//! window, so a window missing a necessary literal (or holding fewer disjoint copies than every
//! match needs) holds no match, and skipping it changes no finding.

use memchr::memmem;
use regex_syntax::hir::{Class, Hir, HirKind};

/// At most this many literals are checked per window (each check is a pass over the window).
const MAX_CHECKS: usize = 3;
/// Exact literals longer than this are not grown further (a long run adds no selectivity).
const MAX_EXACT: usize = 64;

/// The literals a rule's matches need, with how many disjoint copies each match holds at least.
#[derive(Debug)]
pub(crate) struct Necessary {
    checks: Vec<(memmem::Finder<'static>, usize)>,
}

/// What one regex node tells about its matches.
#[derive(Debug, Default)]
struct Req {
    /// The node always matches exactly these bytes.
    exact: Option<Vec<u8>>,
    /// Literals every match contains, with a lower bound on disjoint occurrences.
    factors: Vec<(Vec<u8>, usize)>,
}

fn add_factor(factors: &mut Vec<(Vec<u8>, usize)>, lit: Vec<u8>, n: usize) {
    if lit.is_empty() || n == 0 {
        return;
    }
    match factors.iter_mut().find(|(l, _)| *l == lit) {
        Some(f) => f.1 = f.1.saturating_add(n),
        None => factors.push((lit, n)),
    }
}

fn single_byte(c: &Class) -> Option<u8> {
    match c {
        Class::Bytes(b) => match b.ranges() {
            [r] if r.start() == r.end() => Some(r.start()),
            _ => None,
        },
        Class::Unicode(u) => match u.ranges() {
            [r] if r.start() == r.end() && r.start().is_ascii() => u8::try_from(u32::from(r.start())).ok(),
            _ => None,
        },
    }
}

fn req(h: &Hir) -> Req {
    match h.kind() {
        HirKind::Empty | HirKind::Look(_) => Req {
            exact: Some(Vec::new()),
            factors: Vec::new(),
        },
        HirKind::Literal(l) => Req {
            exact: Some(l.0.to_vec()),
            factors: vec![(l.0.to_vec(), 1)],
        },
        HirKind::Class(c) => match single_byte(c) {
            Some(b) => Req {
                exact: Some(vec![b]),
                factors: vec![(vec![b], 1)],
            },
            None => Req::default(),
        },
        HirKind::Capture(c) => req(&c.sub),
        HirKind::Repetition(r) => {
            if r.min == 0 {
                return Req::default();
            }
            let sub = req(&r.sub);
            let min = r.min as usize;
            let exact = match (&sub.exact, r.max) {
                (Some(e), Some(max)) if max == r.min && e.len().saturating_mul(min) <= MAX_EXACT => {
                    Some(e.repeat(min))
                }
                _ => None,
            };
            let mut factors = Vec::new();
            for (l, n) in sub.factors {
                add_factor(&mut factors, l, n.saturating_mul(min));
            }
            if let Some(e) = &exact {
                add_factor(&mut factors, e.clone(), 1);
            }
            Req { exact, factors }
        }
        HirKind::Concat(subs) => {
            // Adjacent exact parts form one literal run (each part of a run counts through it).
            let mut factors = Vec::new();
            let mut run: Vec<u8> = Vec::new();
            let mut whole = Some(Vec::new());
            for s in subs {
                let r = req(s);
                match r.exact {
                    Some(e) => {
                        if let Some(w) = whole.as_mut() {
                            w.extend_from_slice(&e);
                        }
                        if run.len() + e.len() > MAX_EXACT {
                            add_factor(&mut factors, std::mem::take(&mut run), 1);
                        }
                        run.extend_from_slice(&e);
                    }
                    None => {
                        whole = None;
                        add_factor(&mut factors, std::mem::take(&mut run), 1);
                        for (l, n) in r.factors {
                            add_factor(&mut factors, l, n);
                        }
                    }
                }
            }
            add_factor(&mut factors, run, 1);
            Req {
                exact: whole.filter(|w| w.len() <= MAX_EXACT),
                factors,
            }
        }
        HirKind::Alternation(subs) => {
            let reqs: Vec<Req> = subs.iter().map(req).collect();
            let exact = match reqs.first().and_then(|r| r.exact.as_ref()) {
                Some(e) if reqs.iter().all(|r| r.exact.as_ref() == Some(e)) => Some(e.clone()),
                _ => None,
            };
            let mut factors = Vec::new();
            if let Some(first) = reqs.first() {
                for (l, n) in &first.factors {
                    let min = reqs.iter().try_fold(*n, |m, r| {
                        r.factors.iter().find(|(x, _)| x == l).map(|(_, k)| m.min(*k))
                    });
                    if let Some(min) = min {
                        add_factor(&mut factors, l.clone(), min);
                    }
                }
            }
            Req { exact, factors }
        }
    }
}

/// A guess at how rare a literal is in source code (higher: rarer, checked first).
fn rarity(lit: &[u8], n: usize) -> usize {
    let byte = |b: u8| match b {
        b' ' | b'e' | b't' | b'a' | b'o' | b'i' | b'n' | b's' | b'r' => 0,
        b'\n' | b'(' | b')' | b',' | b';' | b'.' | b'=' | b'"' | b'_' | b'/' => 1,
        b'a'..=b'z' | b'*' | b'-' | b':' | b'{' | b'}' | b'[' | b']' | b'\'' | b'<' | b'>' => 2,
        _ => 4,
    };
    lit.iter().map(|&b| byte(b) + 2).sum::<usize>() + n.min(64)
}

impl Necessary {
    /// The checks for the regex `hir`.
    pub(crate) fn new(hir: &Hir) -> Self {
        let mut factors = req(hir).factors;
        // A literal inside a longer checked one with no more copies adds nothing.
        let implied = |i: usize, f: &[(Vec<u8>, usize)]| {
            let (l, n) = &f[i];
            f.iter()
                .enumerate()
                .any(|(j, (m, k))| j != i && m.len() > l.len() && k >= n && memmem::find(m, l).is_some())
        };
        let keep: Vec<bool> = (0..factors.len()).map(|i| !implied(i, &factors)).collect();
        let mut k = 0;
        factors.retain(|_| {
            k += 1;
            keep[k - 1]
        });
        factors.sort_by_key(|(l, n)| std::cmp::Reverse(rarity(l, *n)));
        factors.truncate(MAX_CHECKS);
        Self {
            checks: factors
                .into_iter()
                .map(|(l, n)| (memmem::Finder::new(&l).into_owned(), n))
                .collect(),
        }
    }

    /// Whether there is nothing to check.
    pub(crate) fn is_empty(&self) -> bool {
        self.checks.is_empty()
    }

    /// Whether `hay` may hold a match: it holds every necessary literal, as many times as a match
    /// needs.
    pub(crate) fn may_match(&self, hay: &[u8]) -> bool {
        self.checks.iter().all(|(f, n)| match *n {
            1 => f.find(hay).is_some(),
            n if f.needle().len() == 1 => memchr::memchr_iter(f.needle()[0], hay).take(n).count() == n,
            n => f.find_iter(hay).take(n).count() == n,
        })
    }

    /// The literals checked, with their counts (for tests).
    #[cfg(test)]
    fn literals(&self) -> Vec<(Vec<u8>, usize)> {
        self.checks
            .iter()
            .map(|(f, n)| (f.needle().to_vec(), *n))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lits(re: &str) -> Vec<(String, usize)> {
        let hir = crate::rules::engine::parse_hir(re).expect("parses");
        let mut v: Vec<(String, usize)> = Necessary::new(&hir)
            .literals()
            .into_iter()
            .map(|(l, n)| (String::from_utf8_lossy(&l).into_owned(), n))
            .collect();
        v.sort();
        v
    }

    #[test]
    fn finds_the_literals_every_match_needs() {
        assert_eq!(
            lits(r"(?:^|[^A-Za-z0-9_\-])(secret_[A-Za-z0-9]{43})\b"),
            vec![("secret_".into(), 1)]
        );
        let url = lits(r"(?i)\bhttps?://[^:@/\s]{0,64}:([a-z0-9]{3,127})@[a-z0-9.\-]{1,253}");
        assert!(
            url.contains(&("@".into(), 1)) && url.contains(&("://".into(), 1)),
            "{url:?}"
        );
        let sol = lits(
            r"(?i:solana|keypair)\s{0,3}=\s{0,3}(\[\s{0,4}(?:[0-9]{1,3}\s{0,4},\s{0,4}){63}[0-9]{1,3}\s{0,4}\])",
        );
        assert!(sol.contains(&(",".into(), 63)), "{sol:?}");
        // Case-insensitive letters are classes, not literals; alternatives share nothing.
        assert_eq!(lits(r"(?i)token"), vec![]);
        assert_eq!(lits(r"abc|xyz"), vec![]);
        assert_eq!(lits(r"(?:ab|cd):x?"), vec![(":".into(), 1)]);
        assert_eq!(lits(r"a{0,3}b"), vec![("b".into(), 1)]);
        assert_eq!(lits(r"(?:k-){2}"), vec![("k-".into(), 2), ("k-k-".into(), 1)]);
    }

    /// Every match of a regex holds the literals it is said to need: against the regex crate on
    /// text where those literals are scarce.
    #[test]
    fn no_match_lacks_a_necessary_literal() {
        let hay = "x secret_abc s.Ab1 a:b@c k-k-k- [1,2,3] http://u:pw@h.io SECRET_X API-ZZ\n".repeat(3);
        for re in [
            r"secret_[a-z]{3}",
            r"(?-i:s\.[A-Za-z0-9]{3})",
            r"(?i)https?://[^:@]{0,9}:([a-z]{2})@h",
            r"(?:k-){2}",
            r"\[(?:[0-9],){2}[0-9]\]",
            r"(?:a:|b@)c?",
        ] {
            let hir = crate::rules::engine::parse_hir(re).expect("parses");
            let nec = Necessary::new(&hir);
            let rx = regex::bytes::Regex::new(re).expect("compiles");
            for m in rx.find_iter(hay.as_bytes()) {
                assert!(nec.may_match(m.as_bytes()), "{re}: {:?}", m.as_bytes());
            }
        }
    }
}
