//! Tree comparison: which `(path, blob)` pairs a commit introduces relative to its parents.
//!
//! A commit introduces `(path, blob)` when no parent has that blob at that path. Root commits
//! therefore introduce everything; a merge introduces only what differs from *all* parents (an
//! evil merge or a conflict resolution). Subtrees identical to a parent's are skipped whole, so the
//! cost is proportional to what changed, not to the size of the tree.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

use gix::bstr::{BString, ByteVec};
use gix::objs::tree::EntryMode;
use gix::objs::Find;
use gix::ObjectId;

use super::packorder::ChainReader;
use super::{one_line, parse_commit, read_commit};

/// One entry of a decoded tree.
pub(crate) struct Entry {
    pub name: BString,
    pub mode: EntryMode,
    pub oid: ObjectId,
}

/// A blob a commit introduced at a path.
#[derive(Debug, Clone)]
pub(crate) struct Change {
    /// Full path in the tree.
    pub path: BString,
    /// The blob at that path.
    pub blob: ObjectId,
    /// The blob at the same path in the first parent, if there was one.
    pub old: Option<ObjectId>,
}

/// Reads and decodes a tree.
pub(crate) fn load(repo: &gix::Repository, id: &ObjectId, buf: &mut Vec<u8>) -> Result<Vec<Entry>, String> {
    let data = match repo.objects.try_find(id, buf) {
        Ok(Some(d)) => d,
        Ok(None) => return Err(format!("tree {id}: object is missing")),
        Err(e) => return Err(format!("tree {id}: {}", one_line(&e))),
    };
    if data.kind != gix::objs::Kind::Tree {
        return Err(format!("tree {id}: is a {}", data.kind));
    }
    parse(data.data, repo.object_hash()).map_err(|e| format!("tree {id}: {e}"))
}

/// A tree object's entries, from its bytes.
pub(crate) fn parse(data: &[u8], hash: gix::hash::Kind) -> Result<Vec<Entry>, String> {
    let mut out = Vec::new();
    for e in gix::objs::TreeRefIter::from_bytes(data, hash) {
        let e = e.map_err(|e| format!("corrupt: {}", one_line(&e)))?;
        out.push(Entry {
            name: e.filename.to_owned(),
            mode: e.mode,
            oid: e.oid.to_owned(),
        });
    }
    Ok(out)
}

/// Git's tree order: names compared bytewise, a tree's name followed by an implicit `/`.
pub(crate) fn key_cmp(a: &Entry, b: &Entry) -> Ordering {
    name_cmp(
        a.name.as_ref(),
        a.mode.is_tree(),
        b.name.as_ref(),
        b.mode.is_tree(),
    )
}

/// Git's tree order on a name and whether it is a tree (see [`key_cmp`]).
fn name_cmp(an: &[u8], a_tree: bool, bn: &[u8], b_tree: bool) -> Ordering {
    let common = an.len().min(bn.len());
    match an[..common].cmp(&bn[..common]) {
        Ordering::Equal => {}
        o => return o,
    }
    let ac = an.get(common).copied().or(a_tree.then_some(b'/'));
    let bc = bn.get(common).copied().or(b_tree.then_some(b'/'));
    ac.cmp(&bc)
}

/// One entry of a [`Tree`]: its name is a range of the tree's name buffer.
#[derive(Clone, Copy)]
struct Slot {
    name: (u32, u32),
    mode: EntryMode,
    oid: ObjectId,
}

/// A decoded tree whose entries share one name buffer, so that decoding a tree allocates
/// nothing once its buffers have grown (the history walk decodes two trees or more per commit:
/// a `Vec<Entry>` with a `BString` per entry made the allocator a fifth of a large history scan).
#[derive(Default)]
struct Tree {
    names: Vec<u8>,
    slots: Vec<Slot>,
}

impl Tree {
    fn emptied(mut self) -> Self {
        self.names.clear();
        self.slots.clear();
        self
    }

    fn name(&self, s: &Slot) -> &[u8] {
        &self.names[s.name.0 as usize..s.name.1 as usize]
    }

    fn parse(&mut self, data: &[u8], hash: gix::hash::Kind) -> Result<(), String> {
        self.names.clear();
        self.slots.clear();
        for e in gix::objs::TreeRefIter::from_bytes(data, hash) {
            let e = e.map_err(|e| format!("corrupt: {}", one_line(&e)))?;
            let start = self.names.len();
            self.names.extend_from_slice(e.filename);
            // A tree object larger than 4 GiB cannot be read in the first place.
            let end = u32::try_from(self.names.len()).map_err(|_| "tree too large".to_string())?;
            self.slots.push(Slot {
                name: (start as u32, end),
                mode: e.mode,
                oid: e.oid.to_owned(),
            });
        }
        Ok(())
    }
}

/// Walks trees, collecting introduced blobs and counting what is not scanned.
#[derive(Default)]
pub(crate) struct Differ {
    buf: Vec<u8>,
    /// Decoded trees not in use, to be refilled.
    pool: Vec<Tree>,
    /// Trees decoded by the previous [`Differ::introduced`] call: a history walk compares a
    /// commit with its parent, then that parent with its own parent, so the parent's trees are
    /// needed again right away.
    recent: HashMap<ObjectId, Tree>,
    /// Trees decoded by the current call (become `recent` when it ends).
    current: HashMap<ObjectId, Tree>,
    /// Introduced blobs, in tree order.
    pub changes: Vec<Change>,
    /// Problems (missing or corrupt trees), one line each.
    pub errors: Vec<String>,
    /// Introduced gitlinks (submodules; not followed).
    pub submodules: u64,
    /// Introduced symbolic links (not scanned).
    pub symlinks: u64,
    /// Collect blobs the first parent has and the tree does not (at any path) into `deleted`.
    pub track_deleted: bool,
    /// Blobs dropped relative to the first parent (when `track_deleted`).
    pub deleted: HashSet<ObjectId>,
    /// Reads packed trees with every delta of a chain cached (see [`Differ::read_packs`]).
    reader: Option<ChainReader>,
}

/// Trees kept from one call to the next at most (a commit touching more directories than this
/// decodes the rest again next time).
const RECENT_TREES: usize = 256;

impl Differ {
    /// Reads trees from `repo`'s packs with `cache_bytes` of resolved deltas instead of through
    /// the object database, whose delta-base cache re-resolves chains read against their
    /// direction (see [`ChainReader`]). Trees no pack holds are still read through `repo`.
    pub fn read_packs(&mut self, repo: &gix::Repository, cache_bytes: usize) {
        self.reader = Some(ChainReader::new(repo, cache_bytes));
    }

    /// Reads a commit's tree and parents, from the packs when [`Differ::read_packs`] was called
    /// (so that the walk touches one mapping of each pack, not two).
    pub fn commit(
        &mut self,
        repo: &gix::Repository,
        id: &ObjectId,
        buf: &mut Vec<u8>,
    ) -> Result<(ObjectId, Vec<ObjectId>), String> {
        match self.reader.as_mut().and_then(|r| r.read(id, buf)) {
            Some(_) => parse_commit(buf, repo.object_hash()),
            None => read_commit(repo, id, buf),
        }
    }

    /// Frees the decoded trees kept between calls and the pack reader (the counters stay).
    pub fn release(&mut self) {
        self.reader = None;
        self.pool = Vec::new();
        self.recent = HashMap::new();
        self.current = HashMap::new();
        self.buf = Vec::new();
    }

    /// Appends to `changes` what `tree` introduces relative to `parents` (positional: index 0 is
    /// the first parent; `None` for a parent without a tree here).
    pub fn introduced(&mut self, repo: &gix::Repository, tree: ObjectId, parents: &[Option<ObjectId>]) {
        let mut prefix = BString::default();
        self.walk(repo, tree, parents, &mut prefix);
        let old = std::mem::take(&mut self.recent);
        self.pool.extend(old.into_values());
        self.recent = std::mem::take(&mut self.current);
        if self.recent.len() > RECENT_TREES {
            let old = std::mem::take(&mut self.recent);
            self.pool.extend(old.into_values());
        }
        self.pool.truncate(RECENT_TREES);
    }

    /// The decoded tree `id`, from the recent trees or read now.
    fn get(&mut self, repo: &gix::Repository, id: &ObjectId) -> Option<Tree> {
        if let Some(t) = self.recent.remove(id).or_else(|| self.current.remove(id)) {
            return Some(t);
        }
        let mut t = self.pool.pop().unwrap_or_default();
        let packed = self.reader.as_mut().and_then(|r| r.read(id, &mut self.buf));
        let data = match packed {
            Some(kind) => gix::objs::Data::new(&self.buf, kind, repo.object_hash()),
            None => match repo.objects.try_find(id, &mut self.buf) {
                Ok(Some(d)) => d,
                Ok(None) => {
                    self.errors.push(format!("tree {id}: object is missing"));
                    self.pool.push(t);
                    return None;
                }
                Err(e) => {
                    self.errors.push(format!("tree {id}: {}", one_line(&e)));
                    self.pool.push(t);
                    return None;
                }
            },
        };
        if data.kind != gix::objs::Kind::Tree {
            self.errors.push(format!("tree {id}: is a {}", data.kind));
            self.pool.push(t);
            return None;
        }
        if let Err(e) = t.parse(data.data, repo.object_hash()) {
            self.errors.push(format!("tree {id}: {e}"));
            self.pool.push(t);
            return None;
        }
        Some(t)
    }

    /// Hands a decoded tree back, to be found again by the next call.
    fn keep(&mut self, id: ObjectId, t: Tree) {
        if let Some(old) = self.current.insert(id, t) {
            self.pool.push(old);
        }
    }

    /// Records a first-parent entry this tree no longer has (a whole subtree's blobs for a tree).
    fn note_deleted(&mut self, repo: &gix::Repository, mode: EntryMode, oid: ObjectId) {
        if mode.is_blob() {
            self.deleted.insert(oid);
        } else if mode.is_tree() {
            all_blobs(repo, oid, &mut self.deleted, &mut self.errors);
        }
    }

    fn walk(
        &mut self,
        repo: &gix::Repository,
        tree: ObjectId,
        parents: &[Option<ObjectId>],
        prefix: &mut BString,
    ) {
        if parents.contains(&Some(tree)) {
            return;
        }
        let Some(entries) = self.get(repo, &tree) else {
            return;
        };
        let parent_entries: Vec<(Option<ObjectId>, Tree)> = parents
            .iter()
            .map(|p| {
                let t = p.and_then(|id| self.get(repo, &id));
                let id = t.as_ref().and(*p);
                (
                    id,
                    t.unwrap_or_else(|| self.pool.pop().map(Tree::emptied).unwrap_or_default()),
                )
            })
            .collect();
        let mut cursors = vec![0usize; parents.len()];
        let mut same: Vec<Option<ObjectId>> = vec![None; parents.len()];
        for e in &entries.slots {
            let name = entries.name(e);
            let is_tree = e.mode.is_tree();
            for (k, (_, pe)) in parent_entries.iter().enumerate() {
                let c = &mut cursors[k];
                while let Some(p) = pe.slots.get(*c) {
                    if name_cmp(pe.name(p), p.mode.is_tree(), name, is_tree) != Ordering::Less {
                        break;
                    }
                    if k == 0 && self.track_deleted {
                        self.note_deleted(repo, p.mode, p.oid);
                    }
                    *c += 1;
                }
                same[k] = pe
                    .slots
                    .get(*c)
                    .filter(|p| {
                        p.mode.is_tree() == is_tree
                            && name_cmp(pe.name(p), p.mode.is_tree(), name, is_tree) == Ordering::Equal
                    })
                    .map(|p| p.oid);
            }
            let len = prefix.len();
            if !prefix.is_empty() {
                prefix.push_byte(b'/');
            }
            prefix.extend_from_slice(name);
            if is_tree {
                // Unchanged subtrees return at once (their id is a parent's).
                if !same.contains(&Some(e.oid)) {
                    let sub = same.clone();
                    self.walk(repo, e.oid, &sub, prefix);
                }
            } else if !same.contains(&Some(e.oid)) {
                if e.mode.is_commit() {
                    self.submodules += 1;
                } else if e.mode.is_link() {
                    self.symlinks += 1;
                } else {
                    self.changes.push(Change {
                        path: prefix.clone(),
                        blob: e.oid,
                        old: same.first().copied().flatten(),
                    });
                }
            }
            prefix.truncate(len);
        }
        if self.track_deleted {
            if let (Some((_, pe)), Some(&c)) = (parent_entries.first(), cursors.first()) {
                for p in pe.slots.get(c..).unwrap_or_default() {
                    self.note_deleted(repo, p.mode, p.oid);
                }
            }
        }
        for (id, t) in parent_entries {
            match id {
                Some(id) => self.keep(id, t),
                None => self.pool.push(t),
            }
        }
        self.keep(tree, entries);
    }
}

/// Every blob id in `tree`, recursively (symbolic links and gitlinks excluded).
pub(crate) fn all_blobs(
    repo: &gix::Repository,
    tree: ObjectId,
    out: &mut HashSet<ObjectId>,
    errors: &mut Vec<String>,
) {
    let mut buf = Vec::new();
    let mut stack = vec![tree];
    let mut seen_trees = HashSet::new();
    while let Some(t) = stack.pop() {
        if !seen_trees.insert(t) {
            continue;
        }
        match load(repo, &t, &mut buf) {
            Ok(entries) => {
                for e in entries {
                    if e.mode.is_tree() {
                        stack.push(e.oid);
                    } else if e.mode.is_blob() {
                        out.insert(e.oid);
                    }
                }
            }
            Err(e) => errors.push(e),
        }
    }
}

/// Shown in messages.
pub(crate) fn short(id: &ObjectId) -> String {
    id.to_hex_with_len(12).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, tree: bool) -> Entry {
        Entry {
            name: name.into(),
            mode: if tree {
                gix::objs::tree::EntryKind::Tree.into()
            } else {
                gix::objs::tree::EntryKind::Blob.into()
            },
            oid: ObjectId::null(gix::hash::Kind::Sha1),
        }
    }

    #[test]
    fn git_tree_order() {
        // git sorts "a" (blob) < "a.b" < "a" (tree, as "a/") < "a0".
        let order = [
            entry("a", false),
            entry("a.b", false),
            entry("a", true),
            entry("a0", false),
        ];
        for w in order.windows(2) {
            assert_eq!(
                key_cmp(&w[0], &w[1]),
                Ordering::Less,
                "{} < {}",
                w[0].name,
                w[1].name
            );
        }
        assert_eq!(key_cmp(&entry("a", true), &entry("a", true)), Ordering::Equal);
    }
}
