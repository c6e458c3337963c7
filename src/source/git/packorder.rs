//! Reading the blobs a history scan wants in pack order, each delta chain resolved once.
//!
//! The commit walk decides *which* blobs to scan (each unique blob once, at its first path); it
//! does not have to decide the order. Read in walk order, a blob stored as a delta makes the
//! object database resolve its chain of bases — again for every blob whose chain falls out of
//! the delta-base cache — so inflating cost about twice the whole `git cat-file
//! --batch-all-objects --unordered` floor on a git/git-shaped history. Here the wanted blobs of
//! each pack, plus the bases their deltas need, become one delta tree (`gix-pack`'s
//! `cache::delta::Tree`, the structure `git index-pack` style traversals use): every node is
//! inflated once, right after its base, and children are resolved while the base is still in
//! memory. Memory is bounded by the chains in progress, not by the history.
//!
//! Blobs larger than the size limit are reported, not inflated (their size is read from the
//! pack entry header, or for a delta from the first bytes of the delta itself). Whatever cannot
//! be planned or resolved here — loose objects, a base outside the pack, a corrupt pack — is
//! left for the caller to read object by object, which reports per-object errors.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use gix::odb::pack;
use gix::odb::pack::cache::DecodeEntry;
use gix::ObjectId;

/// What happened to the wanted blobs in the packs.
pub(crate) struct Outcome {
    /// `done[slot]`: the blob was handed to `each` (or reported as too large).
    pub done: Vec<bool>,
    /// `(slot, size)` of wanted blobs above the size limit, not inflated.
    pub too_large: Vec<(usize, u64)>,
}

/// Per-thread state of the inspecting closure: each traversal thread gets a fresh, lazily made
/// one (the closure is cloned per thread).
struct PerThread<S>(Option<S>);

impl<S> PerThread<S> {
    fn get(&mut self, make: impl FnOnce() -> S) -> &mut S {
        self.0.get_or_insert_with(make)
    }
}

impl<S> Clone for PerThread<S> {
    fn clone(&self) -> Self {
        Self(None)
    }
}

/// The `.idx` files of the repository's object directory and its alternates, sorted per
/// directory (so the order is stable).
fn pack_indices(repo: &gix::Repository) -> Vec<PathBuf> {
    let store = repo.objects.store_ref();
    let mut dirs = vec![store.path().to_path_buf()];
    dirs.extend(store.alternate_db_paths().unwrap_or_default());
    let mut out = Vec::new();
    for dir in dirs {
        let Ok(rd) = std::fs::read_dir(dir.join("pack")) else {
            continue;
        };
        let mut found: Vec<PathBuf> = rd
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "idx"))
            .collect();
        found.sort();
        out.extend(found);
    }
    out
}

/// Hands every blob of `ids` (sorted, unique) that a pack of `repo` holds to `each(state, slot,
/// bytes)` on one of `threads` threads, with `state` made by `new_state` once per thread.
/// Blobs above `max_size` are listed in [`Outcome::too_large`] instead.
pub(crate) fn scan<S, N, E>(
    repo: &gix::Repository,
    ids: &[ObjectId],
    max_size: u64,
    threads: usize,
    new_state: &N,
    each: &E,
) -> Outcome
where
    S: Send,
    N: Fn() -> S + Sync,
    E: Fn(&mut S, usize, &[u8]) + Sync,
{
    let mut claimed = vec![false; ids.len()];
    let done: Vec<AtomicBool> = (0..ids.len()).map(|_| AtomicBool::new(false)).collect();
    let mut too_large = Vec::new();
    let hash = repo.object_hash();
    for idx_path in pack_indices(repo) {
        if claimed.iter().all(|&c| c) {
            break;
        }
        let Ok(index) = pack::index::File::at(&idx_path, hash) else {
            continue;
        };
        let Ok(data) = pack::data::File::at(idx_path.with_extension("pack"), hash) else {
            continue;
        };
        let nodes = plan(&index, &data, ids, &mut claimed, max_size, &mut too_large);
        if nodes.is_empty() {
            continue;
        }
        // A failed traversal (a corrupt pack) leaves its unfinished blobs to the caller.
        let _ = traverse(&index, &data, nodes, threads, max_size, &done, new_state, each);
    }
    let mut done: Vec<bool> = done.into_iter().map(AtomicBool::into_inner).collect();
    for &(slot, _) in &too_large {
        done[slot] = true;
    }
    Outcome { done, too_large }
}

/// The delta-tree nodes for one pack: every unclaimed wanted blob it holds (claimed now) and
/// the bases their chains need, as pack offset -> wanted slot (`None` for a base only).
fn plan(
    index: &pack::index::File,
    data: &pack::data::File,
    ids: &[ObjectId],
    claimed: &mut [bool],
    max_size: u64,
    too_large: &mut Vec<(usize, u64)>,
) -> BTreeMap<u64, Option<u32>> {
    let mut nodes: BTreeMap<u64, Option<u32>> = BTreeMap::new();
    let mut inflate = flate2::Decompress::new(true);
    let mut chain: Vec<u64> = Vec::new();
    let mut in_chain: HashSet<u64> = HashSet::new();
    // Entries whose chain could not be planned: a later chain through one stops there at once,
    // so a hostile pack cannot make planning chase the same long chain for every blob.
    let mut dead: HashSet<u64> = HashSet::new();
    for (slot, id) in ids.iter().enumerate() {
        if claimed[slot] {
            continue;
        }
        let Some(i) = index.lookup(id) else { continue };
        let Ok(slot32) = u32::try_from(slot) else { continue };
        let offset = index.pack_offset_at_index(i);
        let Ok(entry) = data.entry(offset) else { continue };
        let size = if entry.header.is_delta() {
            match delta_result_size(data, &entry, &mut inflate) {
                Some(s) => s,
                None => continue,
            }
        } else {
            entry.decompressed_size
        };
        if size > max_size {
            claimed[slot] = true;
            too_large.push((slot, size));
            continue;
        }
        if let Some(n) = nodes.get_mut(&offset) {
            // Already a base of an earlier wanted blob: its chain is planned.
            *n = Some(slot32);
            claimed[slot] = true;
            continue;
        }
        // Follow the bases until one is planned already or the chain ends at a full object.
        chain.clear();
        in_chain.clear();
        chain.push(offset);
        in_chain.insert(offset);
        let mut cur = entry;
        let complete = loop {
            let base = match cur.header {
                pack::data::entry::Header::OfsDelta { base_distance } => {
                    cur.checked_base_pack_offset(base_distance)
                }
                pack::data::entry::Header::RefDelta { base_id } => {
                    index.lookup(base_id).map(|b| index.pack_offset_at_index(b))
                }
                _ => break true,
            };
            let Some(base) = base else { break false };
            if nodes.contains_key(&base) {
                break true;
            }
            if dead.contains(&base) {
                break false;
            }
            // A cycle, or a chain deeper than any git writes: leave it to the object reader.
            if !in_chain.insert(base) || chain.len() > 10_000 {
                break false;
            }
            match data.entry(base) {
                Ok(e) => {
                    chain.push(base);
                    cur = e;
                }
                Err(_) => break false,
            }
        };
        if !complete {
            dead.extend(chain.iter().copied());
            continue;
        }
        claimed[slot] = true;
        nodes.insert(offset, Some(slot32));
        for &b in &chain[1..] {
            nodes.insert(b, None);
        }
    }
    // `Tree::from_offsets_in_pack` reads its first node right after the pack header, wherever
    // that node is: the pack's first entry (a whole object: nothing precedes it for an offset
    // delta to refer to) goes in too, else nothing is planned.
    if !nodes.is_empty() && !nodes.contains_key(&FIRST_ENTRY) {
        match data.entry(FIRST_ENTRY) {
            Ok(e) if e.header.is_base() => {
                nodes.insert(FIRST_ENTRY, None);
            }
            _ => nodes.clear(),
        }
    }
    nodes
}

/// Reads objects (the history walk's trees) straight from the repository's packs, keeping the
/// result of *every* delta of a chain it resolves in a byte-capped cache keyed by pack offset.
///
/// The object database's delta-base cache keeps only the object a read asked for, so reading a
/// chain against its direction costs a whole chain per object: `git fast-import` and some
/// repacks store each tree as a delta on its *older* version, while the walk reads newest
/// first, so the tree at depth 40 was built from the whole object at depth 0, then the one at
/// depth 39 again from depth 0, and so on (on the large generated history that was ~18% of all
/// CPU). Here the chain is followed by entry headers to the first whole or cached object, and
/// each delta on the way is applied and cached, so any later read of the chain costs one delta.
/// Whatever this reader cannot resolve (loose objects, a base in another pack, a corrupt
/// entry) it leaves to the caller's object database, which reports the error.
pub(crate) struct ChainReader {
    packs: Vec<(pack::index::File, pack::data::File)>,
    cache: Ring,
    inflate: gix::zlib::Inflate,
    /// The entries of the chain being resolved, the wanted object first.
    chain: Vec<pack::data::Entry>,
}

/// A cache of resolved objects in one ring buffer, oldest overwritten first: one allocation
/// (freed whole when the walk ends, where thousands of per-object buffers would leave the heap
/// fragmented and resident), nothing allocated per object.
struct Ring {
    buf: Vec<u8>,
    /// Where the next object is written.
    head: usize,
    /// Cached objects by (pack id, data offset).
    map: HashMap<(u32, u64), Cached>,
    /// Objects in the order written: `(key, start)`.
    order: VecDeque<((u32, u64), usize)>,
}

/// Where a cached object lies in the ring.
#[derive(Clone, Copy)]
struct Cached {
    start: usize,
    len: usize,
    kind: gix::objs::Kind,
    compressed_size: usize,
}

impl Ring {
    fn new(bytes: usize) -> Self {
        Self {
            // Zeroed pages are mapped lazily: only what is written counts toward RSS.
            buf: vec![0; bytes],
            head: 0,
            map: HashMap::new(),
            order: VecDeque::new(),
        }
    }

    /// Drops the oldest object (its key only if it was not written again since).
    fn evict_front(&mut self) {
        if let Some((key, start)) = self.order.pop_front() {
            if self.map.get(&key).is_some_and(|c| c.start == start) {
                self.map.remove(&key);
            }
        }
    }
}

impl DecodeEntry for Ring {
    fn put(&mut self, pack_id: u32, offset: u64, data: &[u8], kind: gix::objs::Kind, compressed_size: usize) {
        let cap = self.buf.len();
        let len = data.len();
        // An object larger than a quarter of the ring would flush most of it.
        if len == 0 || len > cap / 4 {
            return;
        }
        // Objects are laid out in the order written, from the oldest (at or after `head`) round
        // to the newest (before `head`): the ones in the way of the new one are the oldest.
        if self.head + len > cap {
            while self.order.front().is_some_and(|&(_, s)| s >= self.head) {
                self.evict_front();
            }
            self.head = 0;
        }
        let end = self.head + len;
        while self
            .order
            .front()
            .is_some_and(|&(_, s)| s >= self.head && s < end)
        {
            self.evict_front();
        }
        self.buf[self.head..end].copy_from_slice(data);
        let key = (pack_id, offset);
        self.map.insert(
            key,
            Cached {
                start: self.head,
                len,
                kind,
                compressed_size,
            },
        );
        self.order.push_back((key, self.head));
        self.head = end;
    }

    fn get(&mut self, pack_id: u32, offset: u64, out: &mut Vec<u8>) -> Option<(gix::objs::Kind, usize)> {
        let c = self.map.get(&(pack_id, offset))?;
        out.clear();
        out.extend_from_slice(&self.buf[c.start..c.start + c.len]);
        Some((c.kind, c.compressed_size))
    }
}

/// A chain deeper than this is left to the object database (git writes at most a few hundred).
const MAX_CHAIN: usize = 10_000;

/// The largest object the reader inflates (a hostile delta may claim any size).
const READ_LIMIT: usize = 1 << 30;

impl ChainReader {
    /// A reader over the packs of `repo` (and its alternates) with `cache_bytes` of delta
    /// results.
    pub fn new(repo: &gix::Repository, cache_bytes: usize) -> Self {
        let hash = repo.object_hash();
        let mut packs = Vec::new();
        for idx_path in pack_indices(repo) {
            let Ok(index) = pack::index::File::at(&idx_path, hash) else {
                continue;
            };
            let Ok(mut data) = pack::data::File::at(idx_path.with_extension("pack"), hash) else {
                continue;
            };
            // Cache keys are (pack id, offset): ids must differ between our packs.
            let Ok(id) = u32::try_from(packs.len()) else { break };
            data.id = id;
            data.alloc_limit_bytes = Some(READ_LIMIT);
            packs.push((index, data));
        }
        Self {
            packs,
            cache: Ring::new(cache_bytes),
            inflate: gix::zlib::Inflate::default(),
            chain: Vec::new(),
        }
    }

    /// Reads object `id` into `out`: its kind, or `None` when no pack holds it or it cannot be
    /// resolved here (the caller then reads it through the object database).
    pub fn read(&mut self, id: &gix::oid, out: &mut Vec<u8>) -> Option<gix::objs::Kind> {
        let p = self
            .packs
            .iter()
            .position(|(index, _)| index.lookup(id).is_some())?;
        let (index, data) = &self.packs[p];
        let offset = index.lookup(id).map(|i| index.pack_offset_at_index(i))?;
        let entry = data.entry(offset).ok()?;
        if let Some((kind, _)) = self.cache.get(data.id, entry.data_offset, out) {
            return Some(kind);
        }
        // Follow the bases until a whole object or one already cached.
        self.chain.clear();
        let mut cur = entry;
        let mut cached = false;
        while cur.header.is_delta() {
            if self.chain.len() >= MAX_CHAIN {
                return None;
            }
            let base = match cur.header {
                pack::data::entry::Header::OfsDelta { base_distance } => {
                    cur.checked_base_pack_offset(base_distance)?
                }
                pack::data::entry::Header::RefDelta { base_id } => {
                    index.lookup(base_id).map(|b| index.pack_offset_at_index(b))?
                }
                _ => return None,
            };
            let next = data.entry(base).ok()?;
            self.chain.push(cur);
            cur = next;
            if self.cache.get(data.id, cur.data_offset, out).is_some() {
                cached = true;
                break;
            }
        }
        let resolve = |base: &gix::oid, _: &mut Vec<u8>| {
            Ok(index
                .lookup(base)
                .and_then(|i| data.entry(index.pack_offset_at_index(i)).ok())
                .map(pack::data::decode::entry::ResolvedBase::InPack))
        };
        let mut kind = None;
        if !cached {
            // The whole object at the chain's end: cached as the base of what follows (a tree
            // read alone is cached too: in a repacked history newer trees are the bases).
            let at = cur.data_offset;
            let o = data
                .decode_entry(cur, out, &mut self.inflate, &resolve, &mut pack::cache::Never)
                .ok()?;
            if !self.chain.is_empty() || o.kind == gix::objs::Kind::Tree {
                self.cache.put(data.id, at, out, o.kind, o.compressed_size);
            }
            kind = Some(o.kind);
        }
        // Each delta finds its base in the cache and caches its own result.
        for e in self.chain.iter().rev() {
            let o = data
                .decode_entry(e.clone(), out, &mut self.inflate, &resolve, &mut self.cache)
                .ok()?;
            kind = Some(o.kind);
        }
        kind
    }
}

/// The offset of a pack's first entry (after the 12-byte header).
const FIRST_ENTRY: u64 = 12;

/// The size of the object a delta entry produces, from the delta's header (its first bytes),
/// without resolving its base.
fn delta_result_size(
    data: &pack::data::File,
    entry: &pack::data::Entry,
    inflate: &mut flate2::Decompress,
) -> Option<u64> {
    let start = entry.data_offset;
    let end = (start + 512).min(data.pack_end() as u64);
    let input = data.entry_slice(start..end)?;
    let mut out = [0u8; 32];
    inflate.reset(true);
    // A short read is fine: the header is the first up to 20 bytes of the output.
    let _ = inflate.decompress(input, &mut out, flate2::FlushDecompress::None);
    let n = usize::try_from(inflate.total_out()).ok()?.min(out.len());
    let (_, used) = varint(&out[..n])?;
    varint(&out[used..n]).map(|(v, _)| v)
}

/// A delta header's little-endian base-128 size and the bytes it took.
fn varint(d: &[u8]) -> Option<(u64, usize)> {
    let mut v = 0u64;
    for (i, &b) in d.iter().enumerate().take(10) {
        v |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    None
}

/// Resolves the planned nodes of one pack with `threads` threads and hands each wanted blob to
/// `each`, marking it done.
#[allow(clippy::too_many_arguments)]
fn traverse<S, N, E>(
    index: &pack::index::File,
    data: &pack::data::File,
    nodes: BTreeMap<u64, Option<u32>>,
    threads: usize,
    max_size: u64,
    done: &[AtomicBool],
    new_state: &N,
    each: &E,
) -> Result<(), String>
where
    S: Send,
    N: Fn() -> S + Sync,
    E: Fn(&mut S, usize, &[u8]) + Sync,
{
    let interrupt = AtomicBool::new(false);
    let hash = data.object_hash();
    let tree = pack::cache::delta::Tree::from_offsets_in_pack(
        data.path(),
        nodes.into_iter(),
        &|n: &(u64, Option<u32>)| n.0,
        &|id| Ok(index.lookup(id).map(|i| index.pack_offset_at_index(i))),
        &mut gix::progress::Discard,
        &interrupt,
        hash,
    )
    .map_err(|e| e.to_string())?;
    // Bases may exceed the scanned-size limit (the object reader would inflate them too), but
    // not without bound: a delta that claims gigabytes aborts this pack, not the process.
    let limit = usize::try_from(max_size.saturating_mul(4).max(256 << 20)).ok();
    let mut state = PerThread::<S>(None);
    let inspect = move |node: &mut (u64, Option<u32>),
                        _: &dyn gix::progress::Progress,
                        ctx: pack::cache::delta::traverse::Context<'_>| {
        if let Some(slot) = node.1 {
            let slot = slot as usize;
            let s = state.get(new_state);
            each(s, slot, ctx.decompressed);
            if let Some(d) = done.get(slot) {
                d.store(true, Ordering::Relaxed);
            }
        }
        Ok(())
    };
    tree.traverse(
        |range, pack: &pack::data::File| pack.entry_slice(range),
        data,
        data.pack_end() as u64,
        inspect,
        pack::cache::delta::traverse::Options {
            object_progress: Box::new(gix::progress::Discard),
            size_progress: &mut gix::progress::Discard,
            thread_limit: Some(threads.max(1)),
            should_interrupt: &interrupt,
            object_hash: hash,
            alloc_limit_bytes: limit,
        },
    )
    .map(|_| ())
    .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use gix::objs::FindExt;
    use std::path::Path;
    use std::sync::Mutex;

    #[test]
    fn delta_header_sizes() {
        assert_eq!(varint(&[0x05]), Some((5, 1)));
        assert_eq!(varint(&[0x80 | 0x10, 0x01]), Some((0x10 | (1 << 7), 2)));
        assert_eq!(varint(&[0x80, 0x80]), None, "truncated");
        assert_eq!(varint(&[0xff; 12]), None, "longer than any u64");
    }

    /// `git` with no user or system configuration, fixed identity and dates.
    fn git(dir: &Path, args: &[&str]) -> Vec<u8> {
        const ENV: [(&str, &str); 8] = [
            ("GIT_CONFIG_GLOBAL", "/dev/null"),
            ("GIT_CONFIG_NOSYSTEM", "1"),
            ("GIT_AUTHOR_NAME", "Dev"),
            ("GIT_AUTHOR_EMAIL", "dev@example.com"),
            ("GIT_COMMITTER_NAME", "Dev"),
            ("GIT_COMMITTER_EMAIL", "dev@example.com"),
            ("GIT_AUTHOR_DATE", "@1700000000 +0000"),
            ("GIT_COMMITTER_DATE", "@1700000000 +0000"),
        ];
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(dir)
            .envs(ENV)
            .output();
        let out = out.expect("run git");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }

    /// A repository whose file went through 120 revisions (packed as delta chains), plus a
    /// 300 KB blob; returns it and every blob id, sorted.
    fn packed_repo(dir: &Path) -> Vec<ObjectId> {
        git(dir, &["init", "-q"]);
        let mut text = String::new();
        for i in 0..120 {
            text.push_str(&format!("line {i}: password = \"v{i}\"\n"));
            std::fs::write(dir.join("f.txt"), &text).expect("write");
            if i == 60 {
                std::fs::write(dir.join("big.bin"), "x".repeat(300_000)).expect("write");
            }
            git(dir, &["add", "-A"]);
            git(dir, &["commit", "-qm", &format!("c{i}")]);
        }
        git(dir, &["repack", "-adfq", "--depth=50", "--window=50"]);
        let list = git(
            dir,
            &["rev-list", "--objects", "--all", "--filter=object:type=blob"],
        );
        let mut ids: Vec<ObjectId> = String::from_utf8_lossy(&list)
            .lines()
            .filter_map(|l| ObjectId::from_hex(l.split(' ').next()?.as_bytes()).ok())
            .filter(|id| git(dir, &["cat-file", "-t", &id.to_string()]) == b"blob\n")
            .collect();
        ids.sort();
        ids
    }

    fn run(dir: &Path, ids: &[ObjectId], max: u64) -> (Outcome, Vec<(usize, Vec<u8>)>) {
        let repo = gix::open(dir).expect("open");
        let got = Mutex::new(Vec::new());
        let out = scan(
            &repo,
            ids,
            max,
            3,
            &|| 0usize,
            &|n: &mut usize, slot, data: &[u8]| {
                *n += 1;
                got.lock().expect("lock").push((slot, data.to_vec()));
            },
        );
        let mut got = got.into_inner().expect("lock");
        got.sort();
        (out, got)
    }

    #[test]
    fn ring_keeps_the_newest_objects_and_never_mixes_them_up() {
        let kind = gix::objs::Kind::Tree;
        let mut ring = Ring::new(100);
        let mut out = Vec::new();
        // Objects of 7..=25 bytes (each a quarter of the ring at most), each filled with its
        // number: after any sequence of writes, what is found is exactly what was written.
        for i in 0..200u64 {
            let len = 7 + (i as usize * 5) % 19;
            ring.put(0, i, &vec![i as u8; len], kind, 1);
            let mut held = 0;
            for j in 0..=i {
                if ring.get(0, j, &mut out).is_some() {
                    let want = 7 + (j as usize * 5) % 19;
                    assert_eq!(out, vec![j as u8; want], "object {j} after writing {i}");
                    held += want;
                }
            }
            assert!(ring.get(0, i, &mut out).is_some(), "the newest object is kept");
            // Full once 100 bytes were written: then at most the wrapped tail and the space
            // for the next object are unused.
            assert!(held <= 100, "{held} bytes held after {i}");
            if i >= 10 {
                assert!(held > 100 - 2 * 25, "{held} bytes held after {i}");
            }
        }
        // Too large for the ring: not cached, nothing evicted.
        ring.put(0, 1000, &[1; 26], kind, 1);
        assert!(ring.get(0, 1000, &mut out).is_none());
        assert!(ring.get(0, 199, &mut out).is_some());
    }

    #[test]
    fn chain_reader_gives_every_object_exactly_in_any_order() {
        let dir = tempfile::tempdir().expect("tempdir");
        packed_repo(dir.path());
        let repo = gix::open(dir.path()).expect("open");
        let all = git(
            dir.path(),
            &["cat-file", "--batch-all-objects", "--batch-check=%(objectname)"],
        );
        let ids: Vec<ObjectId> = String::from_utf8_lossy(&all)
            .lines()
            .filter_map(|l| ObjectId::from_hex(l.as_bytes()).ok())
            .collect();
        assert!(ids.len() > 360, "trees, commits and blobs: {}", ids.len());
        let mut want = HashMap::new();
        for id in &ids {
            let mut buf = Vec::new();
            let d = repo.objects.find(id, &mut buf).expect("object");
            want.insert(*id, (d.kind, d.data.to_vec()));
        }
        // Forwards, backwards, and with a ring too small to keep a chain (evictions).
        for (cache, reverse) in [(8 << 20, false), (8 << 20, true), (64 << 10, true)] {
            let mut reader = ChainReader::new(&repo, cache);
            let mut out = Vec::new();
            let order: Vec<&ObjectId> = if reverse {
                ids.iter().rev().collect()
            } else {
                ids.iter().collect()
            };
            for id in order {
                let kind = reader.read(id, &mut out).expect("packed");
                assert_eq!((kind, &out), (want[id].0, &want[id].1), "{id}");
            }
        }
        // A loose object is left to the object database.
        std::fs::write(dir.path().join("new.txt"), "loose").expect("write");
        let loose = git(dir.path(), &["hash-object", "-w", "new.txt"]);
        let loose = ObjectId::from_hex(loose.trim_ascii()).expect("id");
        let mut reader = ChainReader::new(&repo, 1 << 20);
        assert!(reader.read(&loose, &mut Vec::new()).is_none());
    }

    #[test]
    fn packed_blobs_come_out_whole_and_once_each() {
        let dir = tempfile::tempdir().expect("tempdir");
        let ids = packed_repo(dir.path());
        assert_eq!(ids.len(), 121);
        let stats = String::from_utf8_lossy(&git(dir.path(), &["count-objects", "-v"])).into_owned();
        assert!(stats.contains("count: 0"), "all packed: {stats}");
        let (out, got) = run(dir.path(), &ids, 100_000);
        // Every blob but the big one, once, with exactly the bytes git gives.
        assert_eq!(got.len(), 120);
        for (slot, data) in &got {
            assert_eq!(
                data,
                &git(dir.path(), &["cat-file", "blob", &ids[*slot].to_string()])
            );
        }
        let big = ids
            .iter()
            .position(|id| git(dir.path(), &["cat-file", "-s", &id.to_string()]) == b"300000\n")
            .expect("big blob");
        assert_eq!(out.too_large, vec![(big, 300_000)]);
        assert!(out.done.iter().all(|&d| d));
    }

    #[test]
    fn blobs_outside_packs_and_in_corrupt_packs_are_left_to_the_caller() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut ids = packed_repo(dir.path());
        // A loose blob no pack holds.
        std::fs::write(dir.path().join("new.txt"), "loose").expect("write");
        let loose = git(dir.path(), &["hash-object", "-w", "new.txt"]);
        let loose = ObjectId::from_hex(loose.trim_ascii()).expect("id");
        ids.push(loose);
        ids.sort();
        let (out, got) = run(dir.path(), &ids, u64::MAX);
        let slot = ids.binary_search(&loose).expect("listed");
        assert!(!out.done[slot], "the loose blob is for the caller");
        assert_eq!(got.len(), 121);

        // Garble the compressed data of the full revision the deltas of f.txt build on: no
        // panic, the blobs that need it are left to the caller, and whatever is handed out is
        // still exact.
        let pack = std::fs::read_dir(dir.path().join(".git/objects/pack"))
            .expect("pack dir")
            .flatten()
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == "pack"))
            .expect("a pack");
        let listing = git(
            dir.path(),
            &["verify-pack", "-v", &pack.with_extension("idx").to_string_lossy()],
        );
        let base: usize = String::from_utf8_lossy(&listing)
            .lines()
            .map(|l| l.split_whitespace().collect::<Vec<_>>())
            // sha type size size-in-pack offset, no depth/base: a whole object.
            .find(|f| {
                f.len() == 5
                    && f[1] == "blob"
                    && f[2] != "300000"
                    && f[3].parse::<u32>().is_ok_and(|n| n > 40)
            })
            .and_then(|f| f[4].parse().ok())
            .expect("a whole blob that deltas build on");
        let mut bytes = std::fs::read(&pack).expect("read pack");
        let mut perms = std::fs::metadata(&pack).expect("meta").permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        perms.set_readonly(false);
        std::fs::set_permissions(&pack, perms).expect("chmod");
        for b in &mut bytes[base + 8..base + 24] {
            *b ^= 0x5a;
        }
        std::fs::write(&pack, &bytes).expect("write pack");
        let (out, got) = run(dir.path(), &ids, u64::MAX);
        for (slot, data) in &got {
            assert!(out.done[*slot]);
            // Whatever is handed out is a whole revision of one of the files, never garbage.
            let text = String::from_utf8_lossy(data);
            let revision = text
                .lines()
                .enumerate()
                .all(|(i, l)| l == format!("line {i}: password = \"v{i}\""));
            assert!(
                revision || data.iter().all(|&b| b == b'x'),
                "{} bytes",
                data.len()
            );
        }
        assert!(
            out.done.iter().enumerate().any(|(i, &d)| !d && i != slot),
            "the blobs in the garbled part are for the caller"
        );
    }
}
