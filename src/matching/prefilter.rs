//! The keyword prefilter: one Aho-Corasick automaton over every rule keyword, ASCII
//! case-insensitive, compiled to a dense DFA over byte classes (laid out in cache-line blocks:
//! `keyword_tables::Tables`) and run as eight interleaved streams.
//!
//! Why our own: a DFA walk is a chain of dependent table loads, so a single stream is bound by
//! load latency (~350 MB/s per core here with the `aho-corasick` crate's DFA and ~370 keywords).
//! Splitting a buffer into eight parts scanned in lock-step lets the CPU overlap those loads:
//! ~2.5× the throughput on the same automaton (BENCHMARKS.md). Each stream after the first starts
//! `max keyword length` bytes early so the automaton is in the right state at its boundary, and
//! only reports matches that end inside its own part; matches are therefore exactly those of one
//! sequential overlapping scan.

use std::borrow::Cow;

use super::keyword_tables::{Tables, Trans};

/// Streams scanned in lock-step.
const STREAMS: usize = 8;
/// Below this size a buffer is scanned as four streams (below a quarter of it, as one).
const MIN_INTERLEAVED: usize = 4096;

/// A keyword automaton. Reports every (overlapping) occurrence of every keyword.
#[derive(Debug)]
pub struct KeywordDfa {
    /// Byte → offset of its class's column (layout: `Tables`).
    offset: [u32; 256],
    /// The transitions, `trans[(state << Entry::SHIFT) + offset[byte]]` = next state; borrowed
    /// when built at compile time.
    trans: Trans,
    /// States numbered this or higher end at least one keyword.
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

/// A transition table entry: a state number.
trait Entry: Copy {
    /// log2 of the columns per block (see `Tables`): a constant, so the step needs no register
    /// for it.
    const SHIFT: u32;
    fn state(self) -> usize;
}

impl Entry for u16 {
    const SHIFT: u32 = 5;
    #[inline(always)]
    fn state(self) -> usize {
        self as usize
    }
}

impl Entry for u32 {
    const SHIFT: u32 = 4;
    #[inline(always)]
    fn state(self) -> usize {
        self as usize
    }
}

impl KeywordDfa {
    /// Builds the automaton. Keywords are matched ASCII-case-insensitively; empty ones never match.
    /// The built-in rules' keywords (in the order [`crate::rules::RuleSet`] numbers them) get
    /// the automaton `build.rs` made; any other list is built here.
    pub fn new(keywords: &[String]) -> Self {
        let prebuilt = builtin::PATTERNS.len() == keywords.len()
            && builtin::PATTERNS.iter().zip(keywords).all(|(a, b)| *a == b);
        let t = if prebuilt {
            builtin::tables()
        } else {
            Tables::build(keywords)
        };
        let shift = match &t.trans {
            Trans::Narrow(_) => <u16 as Entry>::SHIFT,
            Trans::Wide(_) => <u32 as Entry>::SHIFT,
        };
        assert_eq!(t.shift, shift, "the table's block width is the entry type's");
        Self {
            offset: t.offset,
            trans: t.trans,
            first_match: t.first_match as usize,
            out_start: t.out_start,
            outputs: t.outputs,
            lens: keywords.iter().map(String::len).collect(),
            max_len: keywords.iter().map(String::len).max().unwrap_or(0),
        }
    }

    /// Whether this is the automaton `build.rs` made (for tests).
    pub fn is_prebuilt(&self) -> bool {
        matches!(self.trans, Trans::Narrow(Cow::Borrowed(_)))
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
        match &self.trans {
            Trans::Narrow(t) => self.record(t, data, hits),
            Trans::Wide(t) => self.record(t, data, hits),
        }
        for &(end, state) in hits.streams.iter().flatten() {
            let i = state - self.first_match;
            let (a, b) = (self.out_start[i] as usize, self.out_start[i + 1] as usize);
            for &k in &self.outputs[a..b] {
                let k = k as usize;
                f(k, end + 1 - self.lens[k], end + 1);
            }
        }
    }

    /// Records `(end, state)` of every match in `data` into `hits`, per stream: eight streams
    /// for large buffers, four for small ones (a file of 1–4 KB in one stream waits on every
    /// load), one below that.
    fn record<T: Entry>(&self, trans: &[T], data: &[u8], hits: &mut Hits) {
        let n = data.len();
        if n >= MIN_INTERLEAVED.max(STREAMS * self.max_len * 4) {
            self.record_streams::<T, STREAMS>(trans, data, hits);
        } else if n >= (MIN_INTERLEAVED / 4).max(STREAMS / 2 * self.max_len * 4) {
            self.record_streams::<T, { STREAMS / 2 }>(trans, data, hits);
        } else {
            self.record_streams::<T, 1>(trans, data, hits);
        }
    }

    /// [`Self::record`] with `S` streams in lock-step. Each stream after the first starts
    /// `max_len` bytes early (reporting nothing there) so that it is in the right state at its
    /// part's start.
    #[inline(always)]
    fn record_streams<T: Entry, const S: usize>(&self, trans: &[T], data: &[u8], hits: &mut Hits) {
        let step =
            |state: usize, byte: u8| trans[(state << T::SHIFT) + self.offset[byte as usize] as usize].state();
        let n = data.len();
        let part = n / S;
        let mut starts = [0usize; S];
        let mut ends = [0usize; S];
        for i in 0..S {
            starts[i] = i * part;
            ends[i] = if i == S - 1 { n } else { (i + 1) * part };
        }
        // Warm each stream up over the bytes before its part, reporting nothing.
        let mut st = [0usize; S];
        for i in 0..S {
            for &b in &data[starts[i].saturating_sub(self.max_len)..starts[i]] {
                st[i] = step(st[i], b);
            }
        }
        let lockstep = (0..S).map(|i| ends[i] - starts[i]).min().unwrap_or(0);
        let parts: [&[u8]; S] = std::array::from_fn(|i| &data[starts[i]..starts[i] + lockstep]);
        // Each stream records its own hits, so that its part's hits are in order and the
        // parts' lists, one after the other, are the hits of the whole buffer in order (no
        // sort: sorting ~1 hit per line of C code cost more than recording them).
        let streams = &mut hits.streams;
        #[allow(clippy::needless_range_loop)] // lock-step over all parts is the point
        for k in 0..lockstep {
            for i in 0..S {
                st[i] = step(st[i], parts[i][k]);
                if st[i] >= self.first_match {
                    streams[i].push((starts[i] + k, st[i]));
                }
            }
        }
        for i in 0..S {
            let mut s = st[i];
            let from = starts[i] + lockstep;
            for (p, &b) in data[from..ends[i]].iter().enumerate() {
                s = step(s, b);
                if s >= self.first_match {
                    streams[i].push((from + p, s));
                }
            }
        }
    }
}

/// The automaton of the built-in rules' keywords, made by `build.rs`.
mod builtin {
    use super::{Tables, Trans};

    include!(concat!(env!("OUT_DIR"), "/keyword_dfa.rs"));

    /// 2-byte aligned storage for the transition table's bytes.
    #[repr(C, align(2))]
    struct Aligned<B: ?Sized>(B);

    static TRANS: &Aligned<[u8]> = &Aligned(*include_bytes!(concat!(env!("OUT_DIR"), "/keyword_trans.bin")));

    /// The tables, the transitions borrowed.
    pub(super) fn tables() -> Tables {
        use zerocopy::FromBytes;
        let trans = <[u16]>::ref_from_bytes(&TRANS.0).expect("build.rs writes whole, aligned u16s");
        Tables {
            offset: OFFSET,
            shift: SHIFT,
            trans: Trans::Narrow(std::borrow::Cow::Borrowed(trans)),
            first_match: FIRST_MATCH,
            out_start: OUT_START.to_vec(),
            outputs: OUTPUTS.to_vec(),
        }
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
        let pre = builtin::tables();
        assert!(matches!(
            pre.trans,
            super::Trans::Narrow(std::borrow::Cow::Borrowed(_))
        ));
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
        for len in [0, 1, 5, 100, 1023, 1024, 1025, 2000, 4095, 4096, 5000, text.len()] {
            let data = &text[..len];
            let mut got = Vec::new();
            dfa.for_each(data, &mut super::Hits::default(), |k, s, e| got.push((k, s, e)));
            got.sort_by_key(|&(k, s, e)| (e, s, k));
            assert_eq!(got, naive(&kws, data), "len {len}");
        }
    }

    /// Past 65,536 states the table switches to `u32` entries (a config with a very large
    /// keyword list): same matches as a naive search.
    #[test]
    fn wide_table_past_65536_states_matches_naive_search() {
        let mut next = crate::test_rng(0x2545_f491_4f6c_dd1d);
        let alphabet = b"abcdefghijklmnopqrstuvwxyz0123456789_-.";
        let kws: Vec<String> = (0..12_000)
            .map(|_| (0..9).map(|_| alphabet[next(39) as usize] as char).collect())
            .collect();
        let dfa = KeywordDfa::new(&kws);
        assert!(
            matches!(dfa.trans, super::Trans::Wide(_)),
            "expected more than 65,536 states"
        );
        let mut text: Vec<u8> = Vec::new();
        for i in 0..3000 {
            if i % 3 == 0 {
                text.extend_from_slice(kws[next(12_000) as usize].to_ascii_uppercase().as_bytes());
            } else {
                text.push(alphabet[next(39) as usize]);
            }
        }
        // All keywords have 9 bytes: the naive search looks every 9-byte window up.
        let mut index: std::collections::HashMap<&[u8], Vec<usize>> = std::collections::HashMap::new();
        for (k, kw) in kws.iter().enumerate() {
            index.entry(kw.as_bytes()).or_default().push(k);
        }
        for len in [0, 50, 1500, 4096, text.len()] {
            let data = &text[..len];
            let mut got = Vec::new();
            dfa.for_each(data, &mut super::Hits::default(), |k, s, e| got.push((k, s, e)));
            got.sort_by_key(|&(k, s, e)| (e, s, k));
            let lower = data.to_ascii_lowercase();
            let mut want: Vec<(usize, usize, usize)> = (0..len.saturating_sub(8))
                .flat_map(|s| {
                    index
                        .get(&lower[s..s + 9])
                        .into_iter()
                        .flatten()
                        .map(move |&k| (k, s, s + 9))
                })
                .collect();
            want.sort_by_key(|&(k, s, e)| (e, s, k));
            assert!(len < 1500 || want.len() > 100, "the text holds keywords");
            assert_eq!(got, want, "len {len}");
        }
    }

    /// Many keywords over a small alphabet (deep failure chains, keywords inside keywords,
    /// duplicates, upper case): every occurrence is reported, as a naive search finds them.
    #[test]
    fn many_overlapping_keywords_match_naive_search() {
        let mut next = crate::test_rng(0x9e37_79b9_7f4a_7c15);
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
        for len in [0, 7, 1024, 3000, 4096, text.len()] {
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
