//! `--range A..B` and `--since-commit A`: only lines added by the commits of a range.
//!
//! The commits are those reachable from `B` and not from `A` (like `git log A..B`). Each commit
//! is compared with its parents like in [`super::history`]: a `(path, blob)` that some parent
//! already has is not new (so a clean merge adds nothing, and an evil merge adds what it changed).
//! The added lines of a new blob come from a line diff against the blob at the same path in the
//! **first** parent (a file that did not exist there is added whole). A blob is scanned once even
//! when several commits add it; the diff is computed only for blobs with matches. A file renamed
//! unchanged within a commit is not reported again; a file renamed *and* edited is diffed against
//! nothing (there is no similarity-based rename detection), so all its lines count as added.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use gix::ObjectId;

use super::history::GitOutcome;
use super::tree::{short, Change, Differ};
use super::{
    added_lines, on_added_line, one_line, open, read_blob, repo_name, show_path, threads, BlobScan,
    BlobScanner, CommitCache, GitError, GitMode, GitStats,
};
use crate::findings::{self, Location};
use crate::matching::{RawMatch, Scanner};
use crate::source::{ScanError, Skipped, Stats};

/// Options of a range scan.
#[derive(Debug, Clone)]
pub struct RangeOptions {
    /// Skip blobs larger than this many bytes.
    pub max_file_size: u64,
    /// Scanning threads (0: one per core).
    pub threads: usize,
}

fn resolve(repo: &gix::Repository, spec: &str) -> Result<ObjectId, GitError> {
    let err = |message: String| GitError::Revision {
        repo: repo_name(repo),
        spec: spec.to_string(),
        message,
    };
    let id = repo.rev_parse_single(spec).map_err(|e| err(one_line(&e)))?;
    let obj = id.object().map_err(|e| err(one_line(&e)))?;
    let commit = obj.peel_to_commit().map_err(|e| err(one_line(&e)))?;
    Ok(commit.id)
}

/// A revision range as git reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeSpec<'a> {
    /// `A..B`: reachable from `B`, not from `A` (an empty side is `HEAD`).
    Between(&'a str, &'a str),
    /// `A...B`: reachable from either, not from both (not from their merge bases).
    Symmetric(&'a str, &'a str),
    /// `REV^!`: `REV` alone (none of its parents).
    Only(&'a str),
    /// `B`: all of `B`'s history (narrowed by `--exclude`).
    Tip(&'a str),
}

/// Parses `A..B`, `A...B`, `REV^!` and `B` as `git log` does.
pub fn parse_range(spec: &str) -> RangeSpec<'_> {
    fn head(v: &str) -> &str {
        if v.is_empty() {
            "HEAD"
        } else {
            v
        }
    }
    if let Some((a, b)) = spec.split_once("...") {
        return RangeSpec::Symmetric(head(a), head(b));
    }
    if let Some((a, b)) = spec.split_once("..") {
        return RangeSpec::Between(head(a), head(b));
    }
    if let Some(rev) = spec.strip_suffix("^!") {
        return RangeSpec::Only(rev);
    }
    RangeSpec::Tip(spec)
}

/// The tips to walk from and the commits to hide for `spec` (plus `exclude`, as `--not`).
fn resolve_spec(
    repo: &gix::Repository,
    spec: RangeSpec<'_>,
    exclude: &[&str],
) -> Result<(Vec<ObjectId>, Vec<ObjectId>), GitError> {
    let mut hidden = exclude
        .iter()
        .map(|f| resolve(repo, f))
        .collect::<Result<Vec<_>, _>>()?;
    let tips = match spec {
        RangeSpec::Between(a, b) => {
            hidden.push(resolve(repo, a)?);
            vec![resolve(repo, b)?]
        }
        RangeSpec::Symmetric(a, b) => {
            let (a, b) = (resolve(repo, a)?, resolve(repo, b)?);
            hidden.extend(merge_bases(repo, a, b)?);
            vec![a, b]
        }
        RangeSpec::Only(rev) => {
            let id = resolve(repo, rev)?;
            hidden.extend(parents(repo, id)?);
            vec![id]
        }
        RangeSpec::Tip(b) => vec![resolve(repo, b)?],
    };
    Ok((tips, hidden))
}

fn merge_bases(repo: &gix::Repository, a: ObjectId, b: ObjectId) -> Result<Vec<ObjectId>, GitError> {
    Ok(repo
        .merge_bases_many(a, &[b])
        .map_err(|e| GitError::Repo {
            repo: repo_name(repo),
            message: format!("cannot find the merge base of {a} and {b}: {}", one_line(&e)),
        })?
        .into_iter()
        .map(gix::Id::detach)
        .collect())
}

fn parents(repo: &gix::Repository, id: ObjectId) -> Result<Vec<ObjectId>, GitError> {
    let commit = repo.find_commit(id).map_err(|e| GitError::Repo {
        repo: repo_name(repo),
        message: format!("commit {id}: {}", one_line(&e)),
    })?;
    Ok(commit.parent_ids().map(gix::Id::detach).collect())
}

/// Where a range scan may read its config: a commit the scanned change cannot have written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RangeBase {
    /// The base commit.
    pub base: ObjectId,
    /// The range's tip (to tell what the change did to the config).
    pub tip: ObjectId,
    /// Further merge bases of `A...B` after criss-cross merges (the first is used, as
    /// `git diff A...B` does).
    pub other_bases: Vec<ObjectId>,
}

/// The trusted base and the scanned tip of a range, for reading config as it was before the
/// change: `A..B` → A; `A...B` → their merge base; `REV^!` → its first parent; `B --exclude X…`
/// → the first commit on B's first-parent line that the range leaves out (reachable from an
/// excluded revision). `None` when every candidate is part of the scanned change: `B` alone or
/// a root commit (the history starts inside the range), or `A...B` of unrelated histories.
pub fn base_and_tip(
    repo: &gix::Repository,
    spec: RangeSpec<'_>,
    exclude: &[&str],
) -> Result<Option<RangeBase>, GitError> {
    let single = |base: Option<ObjectId>, tip: ObjectId| {
        base.map(|base| RangeBase {
            base,
            tip,
            other_bases: Vec::new(),
        })
    };
    Ok(match spec {
        RangeSpec::Between(a, b) => single(Some(resolve(repo, a)?), resolve(repo, b)?),
        RangeSpec::Symmetric(a, b) => {
            let (a, b) = (resolve(repo, a)?, resolve(repo, b)?);
            let mut bases = merge_bases(repo, a, b)?.into_iter();
            bases.next().map(|base| RangeBase {
                base,
                tip: b,
                other_bases: bases.collect(),
            })
        }
        RangeSpec::Only(rev) => {
            let id = resolve(repo, rev)?;
            single(parents(repo, id)?.first().copied(), id)
        }
        RangeSpec::Tip(_) if exclude.is_empty() => None,
        RangeSpec::Tip(b) => {
            let tip = resolve(repo, b)?;
            let (tips, hidden) = resolve_spec(repo, spec, exclude)?;
            let inside: std::collections::HashSet<ObjectId> = repo
                .rev_walk(tips)
                .with_hidden(hidden)
                .all()
                .map_err(|e| GitError::Repo {
                    repo: repo_name(repo),
                    message: format!("cannot walk {spec:?}: {}", one_line(&e)),
                })?
                .map(|info| info.map(|i| i.id))
                .collect::<Result<_, _>>()
                .map_err(|e| GitError::Repo {
                    repo: repo_name(repo),
                    message: format!("commit walk: {}", one_line(&e)),
                })?;
            let mut at = Some(tip);
            while let Some(c) = at.filter(|c| inside.contains(c)) {
                at = parents(repo, c)?.first().copied();
            }
            single(at, tip)
        }
    })
}

/// Scans the lines added by the commits of `spec` that are reachable from none of `exclude`
/// (as in `git log SPEC --not EXCLUDE…`) in the repository containing `path`.
pub fn scan(
    path: &Path,
    spec: RangeSpec<'_>,
    exclude: &[&str],
    opts: &RangeOptions,
    scanner: &Scanner<'_>,
) -> Result<GitOutcome, GitError> {
    let start = Instant::now();
    let repo = open(path)?;
    let mut stats = GitStats::new(GitMode::Range);
    stats.shallow = repo.is_shallow().unwrap_or(false);
    let (tips, hidden) = resolve_spec(&repo, spec, exclude)?;
    let walk = repo
        .rev_walk(tips)
        .with_hidden(hidden)
        .all()
        .map_err(|e| GitError::Repo {
            repo: repo_name(&repo),
            message: format!("cannot walk {spec:?}: {}", one_line(&e)),
        })?;
    let mut errors = Vec::new();
    let mut commits = Vec::new();
    for info in walk {
        match info {
            Ok(i) => commits.push((i.id, i.parent_ids.into_iter().collect::<Vec<_>>())),
            Err(e) => {
                errors.push(ScanError {
                    path: repo_name(&repo),
                    message: format!("commit walk: {}", one_line(&e)),
                });
                break;
            }
        }
    }
    scan_list(repo, commits, errors, stats, start, opts, scanner)
}

/// Scans the lines added by exactly these commits (each against its parents), for gitleaks'
/// `--log-opts`: the commit set comes from `git log <args>`.
pub fn scan_commits(
    path: &Path,
    ids: &[String],
    opts: &RangeOptions,
    scanner: &Scanner<'_>,
) -> Result<GitOutcome, GitError> {
    let start = Instant::now();
    let repo = open(path)?;
    let mut stats = GitStats::new(GitMode::Range);
    stats.shallow = repo.is_shallow().unwrap_or(false);
    let mut commits = Vec::with_capacity(ids.len());
    for spec in ids {
        let id = resolve(&repo, spec)?;
        let commit = repo.find_commit(id).map_err(|e| GitError::Revision {
            repo: repo_name(&repo),
            spec: spec.clone(),
            message: one_line(&e),
        })?;
        commits.push((id, commit.parent_ids().map(gix::Id::detach).collect()));
    }
    scan_list(repo, commits, Vec::new(), stats, start, opts, scanner)
}

/// Scans the lines `commits` (with their parents) add.
fn scan_list(
    repo: gix::Repository,
    commits: Vec<(ObjectId, Vec<ObjectId>)>,
    mut errors: Vec<ScanError>,
    mut stats: GitStats,
    start: Instant,
    opts: &RangeOptions,
    scanner: &Scanner<'_>,
) -> Result<GitOutcome, GitError> {
    let mut differ = Differ::default();
    differ.track_deleted = true;
    let mut changes: Vec<(ObjectId, Change)> = Vec::new();
    let mut buf = Vec::new();
    for (id, parent_ids) in commits {
        stats.commits += 1;
        let tree = match super::tree_of(&repo, &id, &mut buf) {
            Ok(t) => t,
            Err(message) => {
                errors.push(ScanError {
                    path: format!("commit {id}"),
                    message,
                });
                continue;
            }
        };
        let parents: Vec<Option<ObjectId>> = parent_ids
            .iter()
            .map(|p| super::tree_of(&repo, p, &mut buf).ok())
            .collect();
        differ.deleted.clear();
        differ.introduced(&repo, tree, &parents);
        // A blob the first parent had at a path this commit drops is an exact rename: no new lines.
        for ch in differ.changes.drain(..) {
            if !differ.deleted.contains(&ch.blob) {
                changes.push((id, ch));
            }
        }
        for e in differ.errors.drain(..) {
            errors.push(ScanError {
                path: format!("commit {id}"),
                message: e,
            });
        }
    }
    stats.submodules = differ.submodules;
    stats.symlinks = differ.symlinks;
    let outcome = scan_changes(
        &repo,
        changes,
        opts.max_file_size,
        opts.threads,
        scanner,
        &mut stats,
    );
    let mut out = finish(&repo, outcome, scanner, stats, errors, start);
    out.stats.elapsed = start.elapsed();
    Ok(out)
}

/// Changes scanned: matches on added lines, with their commit (if any).
pub(crate) struct Scanned {
    pub items: Vec<(Option<ObjectId>, String, RawMatch)>,
    pub skipped: Vec<Skipped>,
    pub errors: Vec<ScanError>,
    pub bytes: u64,
}

/// Scans each unique new blob once (in parallel), then keeps the matches on added lines.
pub(crate) fn scan_changes(
    repo: &gix::Repository,
    changes: Vec<(ObjectId, Change)>,
    max_size: u64,
    nthreads: usize,
    scanner: &Scanner<'_>,
    stats: &mut GitStats,
) -> Scanned {
    let commits: Vec<Option<ObjectId>> = changes
        .iter()
        .map(|(c, _)| (!c.is_null()).then_some(*c))
        .collect();
    let changes: Vec<Change> = changes.into_iter().map(|(_, ch)| ch).collect();
    // Each blob is scanned once, as its first path that no global allowlist excludes; changes at
    // allowlisted paths report nothing.
    let allowed = |ch: &Change| {
        let path = show_path(ch.path.as_ref());
        scanner.rules().global.iter().any(|a| a.allows_path(&path))
    };
    let listed: Vec<bool> = changes.iter().map(|ch| !allowed(ch)).collect();
    let mut first: HashMap<ObjectId, usize> = HashMap::new();
    for (i, ch) in changes.iter().enumerate() {
        if listed[i] {
            first.entry(ch.blob).or_insert(i);
        }
    }
    let mut unique: Vec<usize> = first.values().copied().collect();
    unique.sort_unstable();
    stats.unique_blobs = unique.len() as u64;
    let results: Mutex<HashMap<ObjectId, BlobScan>> = Mutex::new(HashMap::new());
    let next = AtomicUsize::new(0);
    let n = threads(nthreads).min(unique.len()).max(1);
    let sync = repo.clone().into_sync();
    crate::source::run_workers(n, &|| {
        let repo = sync.to_thread_local();
        let mut bs = BlobScanner::new(scanner, max_size);
        loop {
            let k = next.fetch_add(1, Ordering::Relaxed);
            let Some(&i) = unique.get(k) else { break };
            let ch = &changes[i];
            let r = bs.scan(&repo, &ch.blob, &show_path(ch.path.as_ref()));
            results
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert(ch.blob, r);
        }
    });
    let results = results
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut out = Scanned {
        items: Vec::new(),
        skipped: Vec::new(),
        errors: Vec::new(),
        bytes: 0,
    };
    for (blob, r) in &results {
        let ch = &changes[first[blob]];
        let path = show_path(ch.path.as_ref());
        match r {
            BlobScan::Scanned(n, _, notes) => {
                out.skipped.extend(notes.iter().cloned());
                stats.blobs_scanned += 1;
                out.bytes += n;
            }
            BlobScan::Skipped(reason) => out.skipped.push(Skipped {
                path: format!("{path} (blob {})", short(blob)),
                reason: *reason,
            }),
            BlobScan::LfsPointer => stats.lfs_pointers += 1,
            BlobScan::Error(message) => out.errors.push(ScanError {
                path: format!("{path} (blob {blob})"),
                message: message.clone(),
            }),
        }
    }
    for ((ch, commit), listed) in changes.iter().zip(commits).zip(listed) {
        let Some(BlobScan::Scanned(_, found, _)) = results.get(&ch.blob).filter(|_| listed) else {
            continue;
        };
        if found.is_empty() {
            continue;
        }
        let added = match ch.old.and_then(|o| read_blob(repo, &o)) {
            None => whole_file(),
            Some(old) => match read_blob(repo, &ch.blob) {
                Some(new) => added_lines(&old, &new),
                None => whole_file(),
            },
        };
        for m in found {
            if on_added_line(m, &added) {
                out.items.push((commit, show_path(ch.path.as_ref()), m.clone()));
            }
        }
    }
    out
}

/// "Every line is added": a new file.
fn whole_file() -> Vec<std::ops::Range<usize>> {
    std::iter::once(1..usize::MAX).collect()
}

/// Groups scanned changes into an outcome.
pub(crate) fn finish(
    repo: &gix::Repository,
    scanned: Scanned,
    scanner: &Scanner<'_>,
    stats: GitStats,
    mut errors: Vec<ScanError>,
    start: Instant,
) -> GitOutcome {
    let mut commits = CommitCache::default();
    let items = scanned.items.into_iter().map(|(c, path, mut m)| {
        let mut loc = Location::of(path, &m);
        loc.commit = c.map(|c| commits.get(repo, c));
        (m.rule, std::mem::take(&mut m.secret), loc, m.paired_with.take())
    });
    let findings = findings::group_located(items.collect::<Vec<_>>(), scanner.rules());
    errors.extend(scanned.errors);
    errors.sort();
    let mut skipped = scanned.skipped;
    skipped.sort();
    GitOutcome {
        findings,
        errors,
        skipped,
        clean_blobs: Vec::new(),
        intros: None,
        stats: Stats {
            files_scanned: stats.blobs_scanned,
            bytes_scanned: scanned.bytes,
            elapsed: start.elapsed(),
            git: Some(stats),
        },
    }
}
