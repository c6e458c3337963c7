//! Config-like files as they are at a revision: the trust boundary of `--range` scans.
//!
//! A pull request must not be able to switch off the scan of itself: if leakless read
//! `.leakless.toml`, `.leaklessignore` or the baseline from the checked-out change, the change
//! could add a rule-less config, an allowlist for everything or a baseline holding its own
//! fingerprints. So a range scan reads them from the object database at the range's base (the
//! trusted revision the change is proposed against), and lists what the change does to them so
//! the reviewer sees it; the edit takes effect once merged. Paths outside the repository that
//! the user named on the command line are not part of the change and are read from disk.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use gix::ObjectId;

use super::range::{base_and_tip, RangeBase, RangeSpec};
use super::{one_line, open, repo_name, GitError};
use crate::safefs::{self, ConfigReader, Origin, ReadError, MAX_CONFIG_SIZE};

/// How a change touched a config-like file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FileChange {
    /// The change adds it.
    Added,
    /// The change edits it.
    Modified,
    /// The change deletes it.
    Deleted,
}

impl FileChange {
    /// The verb for messages ("the change adds this file").
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Added => "adds",
            Self::Modified => "modifies",
            Self::Deleted => "deletes",
        }
    }
}

/// Config-like files read from the tree of a base commit.
#[derive(Debug)]
pub struct RevisionFiles {
    repo: gix::ThreadSafeRepository,
    workdir: Option<PathBuf>,
    base: ObjectId,
    other_bases: Vec<ObjectId>,
    base_tree: ObjectId,
    tip_tree: ObjectId,
    read: Mutex<BTreeSet<String>>,
}

fn tree_of(repo: &gix::Repository, commit: ObjectId) -> Result<ObjectId, GitError> {
    repo.find_commit(commit)
        .and_then(|c| c.tree_id())
        .map(gix::Id::detach)
        .map_err(|e| GitError::Repo {
            repo: repo_name(repo),
            message: format!("commit {commit}: {}", one_line(&e)),
        })
}

/// `path` without `.` and with `..` applied (lexically; `None` if it climbs above the start).
fn normalize(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            other => out.push(other),
        }
    }
    Some(out)
}

impl RevisionFiles {
    /// The files at the base of `spec` (narrowed by `exclude`) in the repository containing
    /// `path`; `None` when the range has no base outside the change (see [`base_and_tip`]).
    pub fn open(path: &Path, spec: RangeSpec<'_>, exclude: &[&str]) -> Result<Option<Self>, GitError> {
        let repo = open(path)?;
        let Some(RangeBase {
            base,
            tip,
            other_bases,
        }) = base_and_tip(&repo, spec, exclude)?
        else {
            return Ok(None);
        };
        let base_tree = tree_of(&repo, base)?;
        let tip_tree = tree_of(&repo, tip)?;
        let workdir = repo.workdir().and_then(|w| std::fs::canonicalize(w).ok());
        Ok(Some(Self {
            repo: repo.into_sync(),
            workdir,
            base,
            other_bases,
            base_tree,
            tip_tree,
            read: Mutex::new(BTreeSet::new()),
        }))
    }

    /// The base commit.
    pub fn base(&self) -> ObjectId {
        self.base
    }

    /// Further merge bases that were not used (`A...B` after criss-cross merges).
    pub fn other_bases(&self) -> &[ObjectId] {
        &self.other_bases
    }

    /// `path` (relative to the current directory, or absolute) relative to the work tree,
    /// `/`-separated; `None` when it is outside.
    pub fn repo_path(&self, path: &Path) -> Option<String> {
        let workdir = self.workdir.as_ref()?;
        let cwd = std::env::current_dir().ok()?;
        let cwd = std::fs::canonicalize(&cwd).unwrap_or(cwd);
        let abs = normalize(&cwd.join(path))?;
        let rel = abs.strip_prefix(workdir).ok()?;
        let parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        Some(parts.join("/"))
    }

    /// The entry at `rel` in `tree`: (object id, is a regular file (not a link, tree, submodule)).
    fn entry(&self, tree: ObjectId, rel: &str) -> Option<(ObjectId, bool)> {
        if rel.is_empty() {
            return None;
        }
        let repo = self.repo.to_thread_local();
        let tree = repo.find_tree(tree).ok()?;
        let entry = tree.lookup_entry_by_path(rel).ok()??;
        let mode = entry.mode();
        Some((entry.object_id(), mode.is_blob() && !mode.is_link()))
    }

    /// How the scanned change touches each of `paths` (repository-relative) and of the files
    /// read from the base, sorted.
    pub fn changes(&self, paths: &[String]) -> Vec<(String, FileChange)> {
        let mut all: BTreeSet<String> = self
            .read
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        all.extend(paths.iter().cloned());
        all.into_iter()
            .filter_map(|p| {
                let change = match (self.entry(self.base_tree, &p), self.entry(self.tip_tree, &p)) {
                    (None, Some(_)) => FileChange::Added,
                    (Some(_), None) => FileChange::Deleted,
                    (Some(a), Some(b)) if a != b => FileChange::Modified,
                    _ => return None,
                };
                Some((p, change))
            })
            .collect()
    }
}

impl ConfigReader for RevisionFiles {
    fn read(&self, path: &Path, named: bool) -> Result<String, ReadError> {
        let name = path.display().to_string();
        let Some(rel) = self.repo_path(path) else {
            // Not in the repository, so not part of the change: the user's own file.
            if named {
                return safefs::read_config(path, Origin::CommandLine);
            }
            return Err(ReadError::Outside {
                path: name,
                root: self
                    .workdir
                    .as_ref()
                    .map_or_else(|| "(bare)".into(), |w| w.display().to_string()),
            });
        };
        self.read
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(rel.clone());
        let shown = format!("{rel} (at {})", self.base.to_hex_with_len(12));
        let missing = || ReadError::Io {
            path: shown.clone(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "not in the base revision"),
        };
        let (id, regular) = self.entry(self.base_tree, &rel).ok_or_else(missing)?;
        if !regular {
            return Err(ReadError::NotRegular {
                path: shown,
                kind: "a symbolic link, directory or submodule",
            });
        }
        let repo = self.repo.to_thread_local();
        let header = repo.find_header(id).map_err(|_| missing())?;
        if header.size() > MAX_CONFIG_SIZE {
            return Err(ReadError::TooLarge {
                path: shown,
                max: MAX_CONFIG_SIZE,
            });
        }
        let blob = repo.find_blob(id).map_err(|_| missing())?;
        safefs::text_of(blob.data.clone(), &shown)
    }

    fn exists(&self, path: &Path) -> bool {
        self.repo_path(path)
            .is_some_and(|rel| self.entry(self.base_tree, &rel).is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::normalize;
    use std::path::{Path, PathBuf};

    #[test]
    fn normalizes_lexically() {
        assert_eq!(
            normalize(Path::new("/r/a/./b/../c")),
            Some(PathBuf::from("/r/a/c"))
        );
        assert_eq!(normalize(Path::new("a/../../b")), None);
    }
}
