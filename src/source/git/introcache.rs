//! The walk cache of incremental re-audits: what each commit introduced.
//!
//! With the blob cache an unchanged re-audit reads no clean blob again, yet most of its cost was
//! still the commit and tree walk that finds each blob's introducing commits: every commit's tree
//! was compared with its parents' trees again. A commit never changes (its id is the hash of its
//! tree and parents), so neither does what it introduces relative to its parents. This cache keeps,
//! per commit, its parents and the `(path, blob)` pairs it introduced (plus its gitlink and symlink
//! counts), and the next history walk replays them instead of reading trees; only commits it has
//! never seen are read and diffed. The walk itself still starts from today's refs and follows
//! parents, so a rewritten history (a force-push that drops commits, a deleted or new branch) is
//! followed exactly, in the same order as a full walk: the report is the same. Only commits a ref
//! still reaches are written back, so dropped history leaves the cache too.
//!
//! Entries are keyed by commit id alone, and hold ids and paths only: no content, no secret.
//! A commit whose walk met a missing or corrupt object is not cached (the next walk reports the
//! problem again), and a commit cut by a shallow boundary is cached as cut, so deepening or
//! shallowing the clone recomputes it. The rule set plays no part here: a rules change rescans
//! every blob but still replays the walk.

use std::collections::HashMap;
use std::fmt;

use gix::bstr::{BString, ByteSlice};
use gix::ObjectId;
use serde::{Deserialize, Serialize};

use super::history::Paths;
use super::tree::Change;

/// Format of the walk section; bumped when what a commit "introduces" changes meaning.
const WALK_VERSION: u32 = 1;

/// What one commit introduced, as the walk computed it.
struct Intro {
    /// Parents as walked (none when `cut`).
    parents: Vec<ObjectId>,
    /// The commit is at a shallow boundary: walked as a root.
    cut: bool,
    /// Gitlinks introduced (not followed).
    submodules: u32,
    /// Symbolic links introduced (not scanned).
    symlinks: u32,
    /// `(path index, blob)`, in tree order.
    changes: Vec<(u32, ObjectId)>,
}

/// Per-commit introductions (see the module documentation).
#[derive(Default)]
pub struct IntroCache {
    paths: Paths,
    commits: HashMap<ObjectId, Intro>,
}

impl fmt::Debug for IntroCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IntroCache")
            .field("commits", &self.commits.len())
            .field("paths", &self.paths.list.len())
            .finish()
    }
}

/// What replaying a cached commit gives the walk.
pub(crate) struct Replayed {
    /// Parents to follow.
    pub parents: Vec<ObjectId>,
    /// Gitlinks introduced.
    pub submodules: u64,
    /// Symbolic links introduced.
    pub symlinks: u64,
}

impl IntroCache {
    /// Commits cached.
    pub fn len(&self) -> usize {
        self.commits.len()
    }

    /// Whether no commit is cached.
    pub fn is_empty(&self) -> bool {
        self.commits.is_empty()
    }

    /// Appends commit `id`'s cached introductions to `changes` (when it is cached and was walked
    /// with the same shallow cut).
    pub(crate) fn replay(&self, id: &ObjectId, cut: bool, changes: &mut Vec<Change>) -> Option<Replayed> {
        let intro = self.commits.get(id).filter(|i| i.cut == cut)?;
        changes.extend(intro.changes.iter().map(|&(p, blob)| Change {
            path: self.paths.list[p as usize].clone(),
            blob,
            old: None,
        }));
        Some(Replayed {
            parents: intro.parents.clone(),
            submodules: u64::from(intro.submodules),
            symlinks: u64::from(intro.symlinks),
        })
    }

    /// Records what commit `id` introduced.
    pub(crate) fn record(
        &mut self,
        id: ObjectId,
        parents: &[ObjectId],
        cut: bool,
        changes: &[Change],
        submodules: u64,
        symlinks: u64,
    ) {
        let changes = changes
            .iter()
            .map(|c| (self.paths.intern(&c.path), c.blob))
            .collect();
        self.commits.insert(
            id,
            Intro {
                parents: parents.to_vec(),
                cut,
                submodules: u32::try_from(submodules).unwrap_or(u32::MAX),
                symlinks: u32::try_from(symlinks).unwrap_or(u32::MAX),
                changes,
            },
        );
    }

    /// Copies commit `id`'s entry from `old` (a commit replayed this walk is kept).
    pub(crate) fn keep(&mut self, old: &IntroCache, id: &ObjectId) {
        let Some(intro) = old.commits.get(id) else { return };
        let changes = intro
            .changes
            .iter()
            .map(|&(p, blob)| (self.paths.intern(&old.paths.list[p as usize]), blob))
            .collect();
        self.commits.insert(
            *id,
            Intro {
                parents: intro.parents.clone(),
                cut: intro.cut,
                submodules: intro.submodules,
                symlinks: intro.symlinks,
                changes,
            },
        );
    }

    /// The serialisable form (commits sorted by id, so the same walk writes the same bytes).
    pub fn to_wire(&self) -> Wire {
        let mut ids: Vec<&ObjectId> = self.commits.keys().collect();
        ids.sort_unstable();
        let commits = ids
            .into_iter()
            .map(|id| {
                let i = &self.commits[id];
                WireCommit {
                    id: id.to_string(),
                    parents: i.parents.iter().map(ToString::to_string).collect(),
                    cut: i.cut,
                    submodules: i.submodules,
                    symlinks: i.symlinks,
                    changes: i.changes.iter().map(|(p, b)| (*p, b.to_string())).collect(),
                }
            })
            .collect();
        Wire {
            version: WALK_VERSION,
            tool: env!("CARGO_PKG_VERSION").to_string(),
            paths: self
                .paths
                .list
                .iter()
                .map(|p| match p.to_str() {
                    Ok(s) => WirePath::Text(s.to_string()),
                    Err(_) => WirePath::Bytes(p.to_vec()),
                })
                .collect(),
            commits,
        }
    }

    /// The cache from its serialised form: empty when another version wrote it; an entry that
    /// does not parse (a damaged file) is left out, so that commit is walked again.
    pub fn from_wire(w: Wire) -> Self {
        let mut cache = Self::default();
        if w.version != WALK_VERSION || w.tool != env!("CARGO_PKG_VERSION") {
            return cache;
        }
        // Indices into the file's path list, as interned here (a damaged file may repeat one).
        let remap: Vec<u32> = w
            .paths
            .into_iter()
            .map(|p| {
                cache.paths.intern(&match p {
                    WirePath::Text(s) => BString::from(s),
                    WirePath::Bytes(b) => BString::from(b),
                })
            })
            .collect();
        let id = |s: &str| ObjectId::from_hex(s.as_bytes()).ok();
        for c in w.commits {
            let entry = (|| {
                let parents = c.parents.iter().map(|p| id(p)).collect::<Option<Vec<_>>>()?;
                let changes = c
                    .changes
                    .iter()
                    .map(|(p, b)| Some((*remap.get(*p as usize)?, id(b)?)))
                    .collect::<Option<Vec<_>>>()?;
                Some((
                    id(&c.id)?,
                    Intro {
                        parents,
                        cut: c.cut,
                        submodules: c.submodules,
                        symlinks: c.symlinks,
                        changes,
                    },
                ))
            })();
            if let Some((id, intro)) = entry {
                cache.commits.insert(id, intro);
            }
        }
        cache
    }
}

/// The walk section of a cache file.
#[derive(Serialize, Deserialize)]
pub struct Wire {
    version: u32,
    /// The leakless version that walked (another version walks again).
    tool: String,
    /// Paths, referred to by index.
    paths: Vec<WirePath>,
    commits: Vec<WireCommit>,
}

/// A path: text when it is UTF-8, else its bytes.
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum WirePath {
    Text(String),
    Bytes(Vec<u8>),
}

#[derive(Serialize, Deserialize)]
struct WireCommit {
    id: String,
    parents: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    cut: bool,
    #[serde(default, skip_serializing_if = "is_zero")]
    submodules: u32,
    #[serde(default, skip_serializing_if = "is_zero")]
    symlinks: u32,
    /// `(path index, blob id)`.
    changes: Vec<(u32, String)>,
}

#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_zero(n: &u32) -> bool {
    *n == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oid(n: u8) -> ObjectId {
        ObjectId::from_bytes_or_panic(&[n; 20])
    }

    fn change(path: &[u8], blob: u8) -> Change {
        Change {
            path: BString::from(path),
            blob: oid(blob),
            old: None,
        }
    }

    #[test]
    fn round_trips_and_replays_in_order() {
        let mut c = IntroCache::default();
        c.record(
            oid(1),
            &[oid(2)],
            false,
            &[change(b"b.txt", 9), change(b"a/\xff.bin", 8)],
            1,
            2,
        );
        c.record(oid(2), &[], true, &[change(b"b.txt", 7)], 0, 0);
        let text = serde_json::to_string(&c.to_wire()).expect("json");
        assert!(text.contains(r#""cut":true"#), "{text}");
        let back = IntroCache::from_wire(serde_json::from_str(&text).expect("parse"));
        assert_eq!(back.len(), 2);
        let mut out = Vec::new();
        let r = back.replay(&oid(1), false, &mut out).expect("cached");
        assert_eq!(r.parents, vec![oid(2)]);
        assert_eq!((r.submodules, r.symlinks), (1, 2));
        let got: Vec<_> = out.iter().map(|c| (c.path.clone(), c.blob)).collect();
        assert_eq!(
            got,
            vec![
                (BString::from("b.txt"), oid(9)),
                (BString::from(&b"a/\xff.bin"[..]), oid(8))
            ]
        );
        // A commit walked as a shallow root is not replayed once the clone is deepened, nor a
        // full commit once it became a shallow boundary.
        assert!(back.replay(&oid(2), false, &mut out).is_none());
        assert!(back.replay(&oid(1), true, &mut out).is_none());
        // Writing the same cache gives the same bytes.
        assert_eq!(serde_json::to_string(&back.to_wire()).expect("json"), text);
    }

    #[test]
    fn damaged_entries_and_other_versions_are_walked_again() {
        let mut c = IntroCache::default();
        c.record(oid(1), &[], false, &[change(b"x", 3)], 0, 0);
        c.record(oid(2), &[], false, &[change(b"y", 4)], 0, 0);
        let mut w = c.to_wire();
        w.commits[0].changes[0].0 = 99;
        w.commits[1].parents.push("not hex".into());
        assert!(IntroCache::from_wire(w).is_empty());
        let mut w = c.to_wire();
        w.tool = "0.0.0-other".into();
        assert!(IntroCache::from_wire(w).is_empty());
    }

    #[test]
    fn keep_copies_an_entry_with_its_paths() {
        let mut old = IntroCache::default();
        old.record(oid(1), &[oid(5)], false, &[change(b"p/q", 3)], 0, 1);
        let mut new = IntroCache::default();
        new.keep(&old, &oid(1));
        new.keep(&old, &oid(4));
        assert_eq!(new.len(), 1);
        let mut out = Vec::new();
        let r = new.replay(&oid(1), false, &mut out).expect("kept");
        assert_eq!((r.parents, r.symlinks), (vec![oid(5)], 1));
        assert_eq!(out[0].path, "p/q");
    }
}
