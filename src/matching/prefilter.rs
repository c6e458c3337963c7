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

use std::collections::VecDeque;

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
    /// `trans[state + class]` = next state (premultiplied).
    trans: Vec<u32>,
    /// States at or above this id (premultiplied) end at least one keyword.
    first_match: u32,
    /// Keywords ending at each state (by state number).
    outputs: Vec<Box<[u32]>>,
    /// Length of each keyword.
    lens: Vec<usize>,
    /// Longest keyword.
    max_len: usize,
}

impl KeywordDfa {
    /// Builds the automaton. Keywords are matched ASCII-case-insensitively; empty ones never match.
    pub fn new(keywords: &[String]) -> Self {
        let mut class = [0u8; 256];
        let mut n_classes = 1usize;
        for k in keywords {
            for &b in k.as_bytes() {
                let l = b.to_ascii_lowercase() as usize;
                if class[l] == 0 {
                    class[l] = u8::try_from(n_classes).unwrap_or(u8::MAX);
                    n_classes += 1;
                }
            }
        }
        assert!(n_classes <= 256, "at most 255 distinct keyword bytes");
        for b in 0..=255u8 {
            class[b as usize] = class[b.to_ascii_lowercase() as usize];
        }
        const NONE: u32 = u32::MAX;
        // Trie.
        let mut goto: Vec<Vec<u32>> = vec![vec![NONE; n_classes]];
        let mut out: Vec<Vec<u32>> = vec![Vec::new()];
        for (i, k) in keywords.iter().enumerate() {
            if k.is_empty() {
                continue;
            }
            let mut s = 0usize;
            for &b in k.as_bytes() {
                let c = class[b as usize] as usize;
                if goto[s][c] == NONE {
                    goto.push(vec![NONE; n_classes]);
                    out.push(Vec::new());
                    goto[s][c] = u32::try_from(goto.len() - 1).expect("state count fits u32");
                }
                s = goto[s][c] as usize;
            }
            out[s].push(u32::try_from(i).expect("keyword count fits u32"));
        }
        // Failure links (breadth first) folded into a complete transition function.
        let n_states = goto.len();
        let mut fail = vec![0u32; n_states];
        let mut queue = VecDeque::new();
        for t in &mut goto[0] {
            match *t {
                NONE => *t = 0,
                next => queue.push_back(next as usize),
            }
        }
        while let Some(s) = queue.pop_front() {
            let f = fail[s] as usize;
            let inherited = out[f].clone();
            out[s].extend(inherited);
            #[allow(clippy::needless_range_loop)] // reads row `f` while writing row `s`
            for c in 0..n_classes {
                match goto[s][c] {
                    NONE => goto[s][c] = goto[f][c],
                    t => {
                        fail[t as usize] = goto[f][c];
                        queue.push_back(t as usize);
                    }
                }
            }
        }
        // Renumber: states without output first (the root stays 0), matching states last, so a
        // single comparison tells whether a state ends a keyword.
        let mut order: Vec<usize> = (0..n_states).filter(|&s| out[s].is_empty()).collect();
        let first_match_number = order.len();
        order.extend((0..n_states).filter(|&s| !out[s].is_empty()));
        let mut number = vec![0u32; n_states];
        for (i, &s) in order.iter().enumerate() {
            number[s] = u32::try_from(i).expect("state count fits u32");
        }
        let stride = n_classes;
        let premul = |n: u32| n * u32::try_from(stride).expect("stride fits u32");
        let mut trans = vec![0u32; n_states * stride];
        let mut outputs: Vec<Box<[u32]>> = vec![Box::new([]); n_states];
        for &s in &order {
            let n = number[s] as usize;
            for c in 0..n_classes {
                trans[n * stride + c] = premul(number[goto[s][c] as usize]);
            }
            outputs[n] = std::mem::take(&mut out[s]).into_boxed_slice();
        }
        Self {
            class,
            stride,
            trans,
            first_match: premul(u32::try_from(first_match_number).expect("fits")),
            outputs,
            lens: keywords.iter().map(String::len).collect(),
            max_len: keywords.iter().map(String::len).max().unwrap_or(0),
        }
    }

    #[inline(always)]
    fn step(&self, state: u32, byte: u8) -> u32 {
        self.trans[state as usize + self.class[byte as usize] as usize]
    }

    /// Scans `data[from..to]` from the root state, recording `(end, state)` for matches that end
    /// at or after `report_from`.
    fn scan_one(
        &self,
        data: &[u8],
        from: usize,
        to: usize,
        report_from: usize,
        hits: &mut Vec<(usize, u32)>,
    ) {
        let mut s = 0u32;
        for (p, &b) in data[from..to].iter().enumerate() {
            s = self.step(s, b);
            if s >= self.first_match && from + p >= report_from {
                hits.push((from + p, s));
            }
        }
    }

    /// Calls `f(keyword index, start, end)` for every occurrence of every keyword in `data`, in
    /// order of end position. `hits` is scratch space.
    pub fn for_each(
        &self,
        data: &[u8],
        hits: &mut Vec<(usize, u32)>,
        mut f: impl FnMut(usize, usize, usize),
    ) {
        hits.clear();
        if self.max_len == 0 {
            return;
        }
        let n = data.len();
        if n < MIN_INTERLEAVED.max(STREAMS * self.max_len * 4) {
            self.scan_one(data, 0, n, 0, hits);
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
            let mut st = [0u32; STREAMS];
            for i in 0..STREAMS {
                for &b in &data[pos[i]..starts[i]] {
                    st[i] = self.step(st[i], b);
                }
                pos[i] = starts[i];
            }
            let lockstep = (0..STREAMS).map(|i| ends[i] - starts[i]).min().unwrap_or(0);
            let parts: [&[u8]; STREAMS] = std::array::from_fn(|i| &data[starts[i]..starts[i] + lockstep]);
            #[allow(clippy::needless_range_loop)] // lock-step over all parts is the point
            for k in 0..lockstep {
                for i in 0..STREAMS {
                    st[i] = self.step(st[i], parts[i][k]);
                    if st[i] >= self.first_match {
                        hits.push((starts[i] + k, st[i]));
                    }
                }
            }
            for i in 0..STREAMS {
                let mut s = st[i];
                let from = starts[i] + lockstep;
                for (p, &b) in data[from..ends[i]].iter().enumerate() {
                    s = self.step(s, b);
                    if s >= self.first_match {
                        hits.push((from + p, s));
                    }
                }
            }
            hits.sort_unstable_by_key(|h| h.0);
        }
        for &(end, state) in hits.iter() {
            for &k in self.outputs[state as usize / self.stride].iter() {
                let k = k as usize;
                f(k, end + 1 - self.lens[k], end + 1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::KeywordDfa;

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
            dfa.for_each(data, &mut Vec::new(), |k, s, e| got.push((k, s, e)));
            got.sort_by_key(|&(k, s, e)| (e, s, k));
            assert_eq!(got, naive(&kws, data), "len {len}");
        }
    }
}
