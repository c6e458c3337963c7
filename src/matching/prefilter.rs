//! The keyword prefilter: one Aho-Corasick automaton over every rule keyword, ASCII
//! case-insensitive, compiled to a dense DFA over byte classes and run as eight interleaved streams.
//!
//! Why our own: a DFA walk is a chain of dependent table loads, so a single stream is bound by
//! load latency (~350 MB/s per core here with the `aho-corasick` crate's DFA and ~370 keywords).
//! Splitting a buffer into eight parts scanned in lock-step lets the CPU overlap those loads:
//! ~2.5× the throughput on the same automaton (BENCHMARKS.md). Each stream after the first starts
//! `max keyword length` bytes early so the automaton is in the right state at its boundary, and
//! only reports matches that end inside its own part; matches are therefore exactly those of one
//! sequential overlapping scan.

use std::borrow::Cow;

use super::keyword_tables::Tables;

/// Streams scanned in lock-step.
const STREAMS: usize = 8;
/// Below this size a buffer is scanned as one stream.
const MIN_INTERLEAVED: usize = 4096;

/// A keyword automaton. Reports every (overlapping) occurrence of every keyword.
#[derive(Debug)]
pub struct KeywordDfa {
    /// Byte → class (ASCII case folded; bytes in no keyword share class 0).
    class: [u8; 256],
    /// Number of classes; state ids are premultiplied by it.
    stride: usize,
    /// `trans[state + class]` = next state (premultiplied); borrowed when built at compile time.
    trans: Cow<'static, [u32]>,
    /// States at or above this id (premultiplied) end at least one keyword.
    first_match: usize,
    /// Keywords ending at matching state `first_match + i`: `outputs[out_start[i]..out_start[i + 1]]`.
    out_start: Vec<u32>,
    /// See `out_start`.
    outputs: Vec<u32>,
    /// Length of each keyword.
    lens: Vec<usize>,
    /// Longest keyword.
    max_len: usize,
}

impl KeywordDfa {
    /// Builds the automaton. Keywords are matched ASCII-case-insensitively; empty ones never match.
    /// The built-in rules' keywords (in the order [`crate::rules::RuleSet`] numbers them) get
    /// the automaton `build.rs` made; any other list is built here.
    pub fn new(keywords: &[String]) -> Self {
        let prebuilt = builtin::PATTERNS.len() == keywords.len()
            && builtin::PATTERNS.iter().zip(keywords).all(|(a, b)| *a == b);
        let (t, trans) = if prebuilt {
            let t = builtin::tables();
            (t.0, Cow::Borrowed(t.1))
        } else {
            let mut t = Tables::build(keywords);
            let trans = std::mem::take(&mut t.trans);
            (t, Cow::Owned(trans))
        };
        Self {
            class: t.class,
            stride: t.stride,
            trans,
            first_match: t.first_match as usize,
            out_start: t.out_start,
            outputs: t.outputs,
            lens: keywords.iter().map(String::len).collect(),
            max_len: keywords.iter().map(String::len).max().unwrap_or(0),
        }
    }

    /// Whether this is the automaton `build.rs` made (for tests).
    pub fn is_prebuilt(&self) -> bool {
        matches!(self.trans, Cow::Borrowed(_))
    }

    /// The state after `byte`. States are `usize` in the scan loops so that stepping needs no
    /// widening of the state before indexing (one instruction per byte and stream).
    #[inline(always)]
    fn step(&self, state: usize, byte: u8) -> usize {
        self.trans[state + self.class[byte as usize] as usize] as usize
    }

    /// Scans `data[from..to]` from the root state, recording `(end, state)` for matches.
    fn scan_one(&self, data: &[u8], from: usize, to: usize, hits: &mut Vec<(usize, usize)>) {
        let mut s = 0usize;
        for (p, &b) in data[from..to].iter().enumerate() {
            s = self.step(s, b);
            if s >= self.first_match {
                hits.push((from + p, s));
            }
        }
    }

    /// Calls `f(keyword index, start, end)` for every occurrence of every keyword in `data`, in
    /// order of end position. `hits` is scratch space. Never inlined: inlined into the matcher's
    /// `scan_depth` the eight-stream loop lost registers (+135 M instructions on benchtree40).
    #[inline(never)]
    pub fn for_each(&self, data: &[u8], hits: &mut Hits, mut f: impl FnMut(usize, usize, usize)) {
        for h in &mut hits.streams {
            h.clear();
        }
        if self.max_len == 0 {
            return;
        }
        let n = data.len();
        if n < MIN_INTERLEAVED.max(STREAMS * self.max_len * 4) {
            self.scan_one(data, 0, n, &mut hits.streams[0]);
        } else {
            let part = n / STREAMS;
            let mut starts = [0usize; STREAMS];
            let mut ends = [0usize; STREAMS];
            let mut pos = [0usize; STREAMS];
            for i in 0..STREAMS {
                starts[i] = i * part;
                ends[i] = if i == STREAMS - 1 { n } else { (i + 1) * part };
                pos[i] = starts[i].saturating_sub(self.max_len);
            }
            // Warm each stream up over the bytes before its part, reporting nothing.
            let mut st = [0usize; STREAMS];
            for i in 0..STREAMS {
                for &b in &data[pos[i]..starts[i]] {
                    st[i] = self.step(st[i], b);
                }
                pos[i] = starts[i];
            }
            let lockstep = (0..STREAMS).map(|i| ends[i] - starts[i]).min().unwrap_or(0);
            let parts: [&[u8]; STREAMS] = std::array::from_fn(|i| &data[starts[i]..starts[i] + lockstep]);
            // Each stream records its own hits, so that its part's hits are in order and the
            // parts' lists, one after the other, are the hits of the whole buffer in order (no
            // sort: sorting ~1 hit per line of C code cost more than recording them).
            let streams = &mut hits.streams;
            #[allow(clippy::needless_range_loop)] // lock-step over all parts is the point
            for k in 0..lockstep {
                for i in 0..STREAMS {
                    st[i] = self.step(st[i], parts[i][k]);
                    if st[i] >= self.first_match {
                        streams[i].push((starts[i] + k, st[i]));
                    }
                }
            }
            for i in 0..STREAMS {
                let mut s = st[i];
                let from = starts[i] + lockstep;
                for (p, &b) in data[from..ends[i]].iter().enumerate() {
                    s = self.step(s, b);
                    if s >= self.first_match {
                        streams[i].push((from + p, s));
                    }
                }
            }
        }
        for &(end, state) in hits.streams.iter().flatten() {
            let i = (state - self.first_match) / self.stride;
            let (a, b) = (self.out_start[i] as usize, self.out_start[i + 1] as usize);
            for &k in &self.outputs[a..b] {
                let k = k as usize;
                f(k, end + 1 - self.lens[k], end + 1);
            }
        }
    }
}

/// The automaton of the built-in rules' keywords, made by `build.rs`.
mod builtin {
    use super::Tables;

    include!(concat!(env!("OUT_DIR"), "/keyword_dfa.rs"));

    /// 4-byte aligned storage for the transition table's bytes.
    #[repr(C, align(4))]
    struct Aligned<B: ?Sized>(B);

    static TRANS: &Aligned<[u8]> = &Aligned(*include_bytes!(concat!(env!("OUT_DIR"), "/keyword_trans.bin")));

    /// The tables without the transitions, and the transitions.
    pub(super) fn tables() -> (Tables, &'static [u32]) {
        use zerocopy::FromBytes;
        let trans = <[u32]>::ref_from_bytes(&TRANS.0).expect("build.rs writes whole, aligned u32s");
        let t = Tables {
            class: CLASS,
            stride: STRIDE,
            trans: Vec::new(),
            first_match: FIRST_MATCH,
            out_start: OUT_START.to_vec(),
            outputs: OUTPUTS.to_vec(),
        };
        (t, trans)
    }
}

/// Scratch space of [`KeywordDfa::for_each`]: the hits of each stream, `(end, state)` in order.
#[derive(Debug, Default)]
pub struct Hits {
    streams: [Vec<(usize, usize)>; STREAMS],
}

#[cfg(test)]
mod tests {
    use super::{builtin, KeywordDfa, Tables};

    /// The built-in rules get the automaton `build.rs` made: if `build.rs` numbered the keywords
    /// differently from `RuleSet::new`, every scan would quietly build its own again.
    #[test]
    fn builtin_rules_use_the_prebuilt_automaton() {
        let rules = crate::rules::load(&crate::rules::LoadOptions::default()).expect("built-in rules");
        let dfa = rules.keyword_automaton().expect("built-in rules have keywords");
        assert!(dfa.is_prebuilt());
        // Disabling one rule changes the keyword list: built at run time, and still correct.
        let fewer: Vec<String> = builtin::PATTERNS[1..].iter().map(|s| (*s).to_string()).collect();
        let own = KeywordDfa::new(&fewer);
        assert!(!own.is_prebuilt());
        let text = format!(
            "x {} y {}",
            builtin::PATTERNS[0],
            builtin::PATTERNS[1].to_ascii_uppercase()
        );
        let mut got = Vec::new();
        own.for_each(text.as_bytes(), &mut super::Hits::default(), |k, s, e| {
            got.push((fewer[k].clone(), s, e))
        });
        assert!(got.iter().any(|(k, _, _)| k == builtin::PATTERNS[1]), "{got:?}");
    }

    /// What `build.rs` wrote is exactly what building the same keywords at run time gives.
    #[test]
    fn prebuilt_tables_equal_a_run_time_build() {
        let patterns: Vec<String> = builtin::PATTERNS.iter().map(|s| (*s).to_string()).collect();
        let (mut pre, trans) = builtin::tables();
        pre.trans = trans.to_vec();
        assert_eq!(pre, Tables::build(&patterns));
    }

    fn naive(keywords: &[&str], data: &[u8]) -> Vec<(usize, usize, usize)> {
        let lower = data.to_ascii_lowercase();
        let mut out = Vec::new();
        for (k, kw) in keywords.iter().enumerate() {
            for s in 0..lower.len().saturating_sub(kw.len() - 1) {
                if lower[s..].starts_with(kw.as_bytes()) {
                    out.push((k, s, s + kw.len()));
                }
            }
        }
        out.sort_by_key(|&(k, s, e)| (e, s, k));
        out
    }

    #[test]
    fn matches_naive_search_on_small_and_interleaved_inputs() {
        let kws = ["ghp_", "sk_live_", "live", "vault", "hvs.", "a", "token token="];
        let owned: Vec<String> = kws.iter().map(|s| (*s).to_string()).collect();
        let dfa = KeywordDfa::new(&owned);
        let mut text = Vec::new();
        let mut x: u64 = 7;
        let pieces: [&[u8]; 8] = [
            b"GHP_",
            b"Sk_Live_",
            b"VAULT",
            b"hvs.",
            b"token TOKEN=",
            b" xyz ",
            b"\n",
            b"\xff\x00",
        ];
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            text.extend_from_slice(pieces[(x % 8) as usize]);
        }
        for len in [0, 1, 5, 100, 4095, 4096, 5000, text.len()] {
            let data = &text[..len];
            let mut got = Vec::new();
            dfa.for_each(data, &mut super::Hits::default(), |k, s, e| got.push((k, s, e)));
            got.sort_by_key(|&(k, s, e)| (e, s, k));
            assert_eq!(got, naive(&kws, data), "len {len}");
        }
    }

    /// Many keywords over a small alphabet (deep failure chains, keywords inside keywords,
    /// duplicates, upper case): every occurrence is reported, as a naive search finds them.
    #[test]
    fn many_overlapping_keywords_match_naive_search() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        let alphabet = b"abAB_c";
        let mut kws: Vec<String> = (0..300)
            .map(|_| {
                let len = 1 + next(7) as usize;
                (0..len).map(|_| alphabet[next(6) as usize] as char).collect()
            })
            .collect();
        kws.push(kws[3].clone());
        kws.push(String::new());
        let lower: Vec<String> = kws.iter().map(|k| k.to_ascii_lowercase()).collect();
        let dfa = KeywordDfa::new(&lower);
        let text: Vec<u8> = (0..9000).map(|_| b"abABcC_x\n"[next(9) as usize]).collect();
        let mut refs: Vec<&str> = lower
            .iter()
            .map(String::as_str)
            .filter(|k| !k.is_empty())
            .collect();
        refs.sort_unstable();
        refs.dedup();
        for len in [0, 7, 4096, text.len()] {
            let data = &text[..len];
            let mut got = Vec::new();
            dfa.for_each(data, &mut super::Hits::default(), |k, s, e| {
                got.push((lower[k].clone(), s, e))
            });
            got.sort();
            let mut want: Vec<(String, usize, usize)> = Vec::new();
            for (k, s, e) in naive(&refs, data) {
                // Duplicated keywords are reported once per index.
                let n = lower.iter().filter(|l| *l == refs[k]).count();
                for _ in 0..n {
                    want.push((refs[k].to_string(), s, e));
                }
            }
            want.sort();
            assert_eq!(got.len(), want.len(), "len {len}");
            assert_eq!(got, want, "len {len}");
        }
    }
}
