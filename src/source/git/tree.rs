//! Tree comparison: which `(path, blob)` pairs a commit introduces relative to its parents.
//!
//! A commit introduces `(path, blob)` when no parent has that blob at that path. Root commits
//! therefore introduce everything; a merge introduces only what differs from *all* parents (an
//! evil merge or a conflict resolution). Subtrees identical to a parent's are skipped whole, so the
//! cost is proportional to what changed, not to the size of the tree.

use std::cmp::Ordering;
use std::collections::HashSet;

use gix::bstr::{BString, ByteVec};
use gix::objs::tree::EntryMode;
use gix::objs::Find;
use gix::ObjectId;

use super::one_line;

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
    let (an, bn): (&[u8], &[u8]) = (a.name.as_ref(), b.name.as_ref());
    let common = an.len().min(bn.len());
    match an[..common].cmp(&bn[..common]) {
        Ordering::Equal => {}
        o => return o,
    }
    let ac = an.get(common).copied().or(a.mode.is_tree().then_some(b'/'));
    let bc = bn.get(common).copied().or(b.mode.is_tree().then_some(b'/'));
    ac.cmp(&bc)
}

/// Walks trees, collecting introduced blobs and counting what is not scanned.
#[derive(Default)]
pub(crate) struct Differ {
    buf: Vec<u8>,
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
}

impl Differ {
    /// Appends to `changes` what `tree` introduces relative to `parents` (positional: index 0 is
    /// the first parent; `None` for a parent without a tree here).
    pub fn introduced(&mut self, repo: &gix::Repository, tree: ObjectId, parents: &[Option<ObjectId>]) {
        let mut prefix = BString::default();
        self.walk(repo, tree, parents, &mut prefix);
    }

    fn load(&mut self, repo: &gix::Repository, id: &ObjectId) -> Option<Vec<Entry>> {
        match load(repo, id, &mut self.buf) {
            Ok(e) => Some(e),
            Err(e) => {
                self.errors.push(e);
                None
            }
        }
    }

    /// Records a first-parent entry this tree no longer has (a whole subtree's blobs for a tree).
    fn note_deleted(&mut self, repo: &gix::Repository, e: &Entry) {
        if e.mode.is_blob() {
            self.deleted.insert(e.oid);
        } else if e.mode.is_tree() {
            all_blobs(repo, e.oid, &mut self.deleted, &mut self.errors);
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
        let Some(entries) = self.load(repo, &tree) else {
            return;
        };
        let parent_entries: Vec<Vec<Entry>> = parents
            .iter()
            .map(|p| p.and_then(|id| self.load(repo, &id)).unwrap_or_default())
            .collect();
        let mut cursors = vec![0usize; parents.len()];
        let mut same: Vec<Option<ObjectId>> = vec![None; parents.len()];
        for e in &entries {
            for (k, pe) in parent_entries.iter().enumerate() {
                let c = &mut cursors[k];
                while *c < pe.len() && key_cmp(&pe[*c], e) == Ordering::Less {
                    if k == 0 && self.track_deleted {
                        self.note_deleted(repo, &pe[*c]);
                    }
                    *c += 1;
                }
                same[k] = pe
                    .get(*c)
                    .filter(|p| key_cmp(p, e) == Ordering::Equal && p.mode.is_tree() == e.mode.is_tree())
                    .map(|p| p.oid);
            }
            let len = prefix.len();
            if !prefix.is_empty() {
                prefix.push_byte(b'/');
            }
            prefix.push_str(&e.name);
            if e.mode.is_tree() {
                self.walk(repo, e.oid, &same.clone(), prefix);
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
            if let (Some(pe), Some(&c)) = (parent_entries.first(), cursors.first()) {
                for p in &pe[c.min(pe.len())..] {
                    self.note_deleted(repo, p);
                }
            }
        }
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
