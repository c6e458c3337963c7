//! The keyword automaton's tables and how they are built, apart from the search loop
//! ([`super::prefilter`]) so that `build.rs` can include this file (`#[path]`) and build the
//! built-in rules' automaton at compile time.
//!
//! Why: building the automaton over the ~4,200 built-in keywords (18,000 states × 58 classes,
//! a 2.3 MB table) was ~5 ms of every start-up — the trie, the failure links and ~950 freshly
//! zeroed pages — a sixth of a pre-commit `--staged` run on a large repository. The build script
//! runs [`Tables::build`] once and writes the table into the binary; a run whose keywords are
//! the built-in ones borrows it (read-only pages that are mapped only where the search goes).
//! This file uses nothing from the crate: it must compile inside the build script too.

/// No state / no edge.
const NONE: u32 = u32::MAX;

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).expect("automaton sizes fit u32")
}

/// The keywords' trie with sparse edges: each state but the root has one incoming edge, whose
/// class is `label`; a state's children form a list (`first_child`, then `next_sibling`). Sparse
/// so that building the automaton holds one dense table (the final one), not two.
struct Trie {
    first_child: Vec<u32>,
    next_sibling: Vec<u32>,
    label: Vec<u8>,
    /// Keywords ending at each state.
    own: Vec<Vec<u32>>,
}

impl Trie {
    fn new(keywords: &[String], class: &[u8; 256]) -> Self {
        let mut trie = Self {
            first_child: vec![NONE],
            next_sibling: vec![NONE],
            label: vec![0],
            own: vec![Vec::new()],
        };
        for (i, k) in keywords.iter().enumerate() {
            if k.is_empty() {
                continue;
            }
            let mut s = 0usize;
            for &b in k.as_bytes() {
                let c = class[b as usize];
                let t = trie.child(s, c);
                s = if t == NONE {
                    let t = trie.label.len();
                    trie.label.push(c);
                    trie.first_child.push(NONE);
                    trie.next_sibling.push(trie.first_child[s]);
                    trie.own.push(Vec::new());
                    trie.first_child[s] = to_u32(t);
                    t
                } else {
                    t as usize
                };
            }
            trie.own[s].push(to_u32(i));
        }
        trie
    }

    /// The child of `s` by class `c`, or [`NONE`].
    fn child(&self, s: usize, c: u8) -> u32 {
        let mut t = self.first_child[s];
        while t != NONE && self.label[t as usize] != c {
            t = self.next_sibling[t as usize];
        }
        t
    }
}

/// Bytes of source code and configuration by falling frequency (ASCII, lower case), measured
/// over 80 MB of crate sources: classes are numbered in this order, so the transitions a scan
/// takes most sit in the first block of columns (see [`Tables::offset`]).
const BY_FREQUENCY: &[u8] = b" etsrnaio\n_ulcpdf:,/mb()hg02y\"=.1x;v3#wk{}>486[]`'-5z*<97&!\\q\t|j$+?@\r%^~";

/// The transition table. Entries are state numbers (not premultiplied): `u16` while there are at
/// most 65,536 states (the built-in rules' ~18,000), `u32` past that (a config with a very
/// large keyword list).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trans {
    /// At most 65,536 states; blocks of 32 columns (64 bytes per state and block).
    Narrow(std::borrow::Cow<'static, [u16]>),
    /// More states; blocks of 16 columns (64 bytes per state and block).
    Wide(Vec<u32>),
}

/// A built automaton's tables, as [`super::prefilter::KeywordDfa`] uses them.
///
/// Layout: the byte classes (numbered by falling frequency) are cut into blocks of one cache
/// line's worth of columns, and the table holds block 0 of every state, then block 1 of every
/// state, …: `trans[(state << shift) + offset[byte]]` is the next state. A scan therefore mostly
/// touches one 64-byte line per state it visits: 99% of the steps over the bench tree fall on
/// ~1,190 lines (~74 KB), where a dense row per state spread them over ~2,100 lines (133 KB).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tables {
    /// Byte → where its class's column starts: `block × states × columns + column in block`.
    /// ASCII case folded.
    pub offset: [u32; 256],
    /// log2 of the columns per block: 5 for [`Trans::Narrow`], 4 for [`Trans::Wide`].
    pub shift: u32,
    /// The transitions (see the layout above).
    pub trans: Trans,
    /// States numbered this or higher end at least one keyword.
    pub first_match: u32,
    /// Keywords ending at matching state `first_match + i`: `outputs[out_start[i]..out_start[i + 1]]`.
    pub out_start: Vec<u32>,
    /// See `out_start`.
    pub outputs: Vec<u32>,
}

impl Tables {
    /// Builds the tables. Keywords are matched ASCII-case-insensitively; empty ones never match.
    pub fn build(keywords: &[String]) -> Self {
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
        // Renumber the classes by how often their most frequent byte occurs in text.
        let rank = |b: u8| {
            BY_FREQUENCY
                .iter()
                .position(|&f| f == b)
                .unwrap_or(BY_FREQUENCY.len())
        };
        let mut class_rank = vec![usize::MAX; n_classes];
        for b in 0..=255u8 {
            let c = class[b as usize] as usize;
            class_rank[c] = class_rank[c].min(rank(b));
        }
        let mut order: Vec<usize> = (0..n_classes).collect();
        order.sort_by_key(|&c| (class_rank[c], c));
        let mut renumber = vec![0u8; n_classes];
        for (i, &c) in order.iter().enumerate() {
            renumber[c] = u8::try_from(i).unwrap_or(u8::MAX);
        }
        for c in &mut class {
            *c = renumber[*c as usize];
        }
        let stride = n_classes;
        let trie = Trie::new(keywords, &class);
        let n_states = trie.label.len();
        // Failure links and outputs, breadth first: a state's failure target is shallower, so
        // its links and outputs are final when the state is reached.
        let mut order = Vec::with_capacity(n_states);
        let mut fail = vec![0u32; n_states];
        let mut out_range = vec![(0u32, 0u32); n_states];
        let mut out_list: Vec<u32> = Vec::new();
        order.push(0u32);
        let mut head = 0;
        while head < order.len() {
            let s = order[head] as usize;
            head += 1;
            let mut t = trie.first_child[s];
            while t != NONE {
                let tu = t as usize;
                let c = trie.label[tu];
                fail[tu] = if s == 0 {
                    0
                } else {
                    let mut f = fail[s] as usize;
                    loop {
                        let g = trie.child(f, c);
                        if g != NONE {
                            break g;
                        }
                        if f == 0 {
                            break 0;
                        }
                        f = fail[f] as usize;
                    }
                };
                let start = out_list.len();
                out_list.extend_from_slice(&trie.own[tu]);
                let (fs, fe) = out_range[fail[tu] as usize];
                out_list.extend_from_within(fs as usize..fe as usize);
                out_range[tu] = (to_u32(start), to_u32(out_list.len()));
                order.push(t);
                t = trie.next_sibling[tu];
            }
        }
        // Numbering: states without output first (the root stays 0), matching states last, so a
        // single comparison tells whether a state ends a keyword.
        let matching = |s: usize| out_range[s].0 != out_range[s].1;
        let mut number = vec![0u32; n_states];
        let mut next = 0u32;
        for &s in &order {
            if !matching(s as usize) {
                number[s as usize] = next;
                next += 1;
            }
        }
        let first_match = next;
        let mut out_start = vec![0u32];
        let mut outputs = Vec::with_capacity(out_list.len());
        for &s in &order {
            if matching(s as usize) {
                number[s as usize] = next;
                next += 1;
                let (a, b) = out_range[s as usize];
                outputs.extend_from_slice(&out_list[a as usize..b as usize]);
                out_start.push(to_u32(outputs.len()));
            }
        }
        // The complete transition table in blocks, filled in place breadth first: a state's
        // row is its failure state's row (already final) with its own trie edges written over it.
        let narrow = n_states <= 1 << 16;
        let shift: u32 = if narrow { 5 } else { 4 };
        let cols = 1usize << shift;
        let blocks = stride.div_ceil(cols);
        let at = |state: u32, c: usize| (c / cols) * n_states * cols + ((state as usize) << shift) + c % cols;
        let mut offset = [0u32; 256];
        for (o, &c) in offset.iter_mut().zip(&class) {
            *o = to_u32(at(0, c as usize));
        }
        let mut trans = vec![0u32; blocks * n_states * cols];
        for &s in &order {
            let s = s as usize;
            if s != 0 {
                let (from, to) = (number[fail[s] as usize], number[s]);
                for k in 0..blocks {
                    let f = at(from, k * cols);
                    trans.copy_within(f..f + cols, at(to, k * cols));
                }
            }
            let mut t = trie.first_child[s];
            while t != NONE {
                trans[at(number[s], trie.label[t as usize] as usize)] = number[t as usize];
                t = trie.next_sibling[t as usize];
            }
        }
        let trans = if narrow {
            Trans::Narrow(
                trans
                    .iter()
                    .map(|&t| u16::try_from(t).expect("at most 65,536 states"))
                    .collect(),
            )
        } else {
            Trans::Wide(trans)
        };
        Self {
            offset,
            shift,
            trans,
            first_match,
            out_start,
            outputs,
        }
    }
}
