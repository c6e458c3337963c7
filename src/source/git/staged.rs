//! `--staged`: only lines the index adds relative to `HEAD` (the pre-commit path).
//!
//! This must be fast in a large repository, so it reads no more than it has to: the index, and
//! only the `HEAD` trees of directories the index's cache-tree extension says may have changed
//! (a directory whose cached tree id equals `HEAD`'s is skipped whole, as `git diff --cached`
//! does). The staged blobs are already in the object database; each changed file is scanned and
//! only matches on lines added relative to the `HEAD` version are kept (the whole file when it is
//! new, or when there is no `HEAD` yet). Paths are relative to the top of the working tree.
//! Unmerged and intent-to-add entries, submodules and symbolic links are not scanned.

use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use gix::bstr::{BStr, BString, ByteSlice};
use gix::index::extension::Tree as CacheTree;
use gix::objs::FindHeader;
use gix::ObjectId;

use super::history::GitOutcome;
use super::range::{finish, scan_changes, RangeOptions};
use super::tree::{self, Change};
use super::{one_line, open, repo_name, GitError, GitMode, GitStats};
use crate::matching::Scanner;
use crate::source::ScanError;

/// Scans what is staged in the repository containing `path`.
pub fn scan(path: &Path, opts: &RangeOptions, scanner: &Scanner<'_>) -> Result<GitOutcome, GitError> {
    let start = Instant::now();
    let mut repo = open(path)?;
    // git verifies the index's trailing checksum only in fsck, not when reading it; hashing the
    // whole index (SHA-1 with collision detection) was ~10% of a `--staged` scan's CPU on a
    // 100,000-file repository. The entries are still parsed and bounds-checked.
    // The index is decoded on this thread unless the user's `index.threads` says otherwise: the
    // only other thread gix would start decodes the extensions, and waiting for it to be
    // scheduled on a loaded machine cost more than it saved.
    {
        let threads_set = repo.config_snapshot().string("index.threads").is_some();
        let mut config = repo.config_snapshot_mut();
        let mut ok = config
            .set_value(&gix::config::tree::Index::SKIP_HASH, "true")
            .is_ok();
        if !threads_set {
            ok &= config.set_value(&gix::config::tree::Index::THREADS, "1").is_ok();
        }
        if ok {
            // A failure here only leaves the checksum verified and gix's threads.
            let _ = config.commit();
        }
    }
    let mut stats = GitStats::new(GitMode::Staged);
    let index = repo.index_or_empty().map_err(|e| GitError::Repo {
        repo: repo_name(&repo),
        message: format!("cannot read the index: {}", one_line(&e)),
    })?;
    let head = repo.head_tree_id().ok().map(gix::Id::detach);
    let mut w = Walk {
        repo: &repo,
        state: &index,
        buf: Vec::new(),
        changes: Vec::new(),
        errors: Vec::new(),
        submodules: 0,
        symlinks: 0,
    };
    w.dir(0..index.entries().len(), &BString::default(), index.tree(), head);
    stats.submodules = w.submodules;
    stats.symlinks = w.symlinks;
    let errors: Vec<ScanError> = w
        .errors
        .into_iter()
        .map(|message| ScanError {
            path: "HEAD".into(),
            message,
        })
        .collect();
    let null = ObjectId::null(repo.object_hash());
    let threads = if few_and_small(&repo, &w.changes) {
        1
    } else {
        opts.threads
    };
    let changes = w.changes.into_iter().map(|c| (null, c)).collect();
    let scanned = scan_changes(&repo, changes, opts.max_file_size, threads, scanner, &mut stats);
    Ok(finish(&repo, scanned, scanner, stats, errors, start))
}

/// Whether the staged blobs are few and small enough (at most 64, 1 MiB in all) that scanning
/// them on this thread is quicker than starting workers — the usual pre-commit case, where
/// starting and, on a loaded machine, scheduling a thread cost more than the scan.
fn few_and_small(repo: &gix::Repository, changes: &[Change]) -> bool {
    const MAX_FILES: usize = 64;
    const MAX_BYTES: u64 = 1 << 20;
    if changes.len() > MAX_FILES {
        return false;
    }
    let mut total = 0u64;
    for c in changes {
        match repo.objects.try_header(&c.blob) {
            Ok(Some(h)) => total = total.saturating_add(h.size),
            // Unknown: let the scan report it, with the usual workers.
            _ => return false,
        }
    }
    total <= MAX_BYTES
}

struct Walk<'a> {
    repo: &'a gix::Repository,
    state: &'a gix::index::State,
    buf: Vec<u8>,
    changes: Vec<Change>,
    errors: Vec<String>,
    submodules: u64,
    symlinks: u64,
}

impl Walk<'_> {
    /// Compares index entries `range` (all under `prefix`, which is empty or ends in `/`) with the
    /// `HEAD` tree `head` of that directory.
    fn dir(
        &mut self,
        range: std::ops::Range<usize>,
        prefix: &BString,
        cache: Option<&CacheTree>,
        head: Option<ObjectId>,
    ) {
        if let (Some(c), Some(h)) = (cache, head) {
            if c.num_entries.is_some() && c.id == h {
                return;
            }
        }
        let head_entries: HashMap<BString, (bool, bool, ObjectId)> = match head {
            None => HashMap::new(),
            Some(h) => match tree::load(self.repo, &h, &mut self.buf) {
                Ok(entries) => entries
                    .into_iter()
                    .map(|e| (e.name, (e.mode.is_tree(), e.mode.is_blob(), e.oid)))
                    .collect(),
                Err(e) => {
                    self.errors.push(e);
                    HashMap::new()
                }
            },
        };
        // This directory's cached subtrees by name: looked up once per subdirectory (a linear
        // search here was quadratic in the number of subdirectories, ~1 ms at 1,000).
        let children: HashMap<&[u8], &CacheTree> = cache
            .map(|c| c.children.iter().map(|t| (t.name.as_slice(), t)).collect())
            .unwrap_or_default();
        let entries = self.state.entries();
        let mut i = range.start;
        while i < range.end {
            let e = &entries[i];
            let path: &BStr = e.path(self.state);
            let rel = &path[prefix.len().min(path.len())..];
            if let Some(slash) = rel.find_byte(b'/') {
                let name = &rel[..slash];
                let mut sub = prefix.clone();
                sub.extend_from_slice(name);
                sub.push(b'/');
                let end = i + entries[i..range.end].partition_point(|x| x.path(self.state).starts_with(&sub));
                let child_cache = children.get(name.as_bytes()).copied();
                let child_head = head_entries
                    .get(name.as_bstr())
                    .filter(|(is_tree, _, _)| *is_tree)
                    .map(|(_, _, id)| *id);
                self.dir(i..end.max(i + 1), &sub, child_cache, child_head);
                i = end.max(i + 1);
                continue;
            }
            i += 1;
            // Unmerged, sparse-directory and intent-to-add (`git add -N`) entries are not
            // staged content: `git diff --cached` does not show them either.
            if e.stage() != gix::index::entry::Stage::Unconflicted
                || e.mode.is_sparse()
                || e.flags.contains(gix::index::entry::Flags::INTENT_TO_ADD)
            {
                continue;
            }
            if e.mode.is_submodule() {
                self.submodules += 1;
                continue;
            }
            if e.mode == gix::index::entry::Mode::SYMLINK {
                self.symlinks += 1;
                continue;
            }
            let old = head_entries
                .get(rel)
                .filter(|(_, is_blob, _)| *is_blob)
                .map(|(_, _, id)| *id);
            if old == Some(e.id) {
                continue;
            }
            self.changes.push(Change {
                path: path.to_owned(),
                blob: e.id,
                old,
            });
        }
    }
}
