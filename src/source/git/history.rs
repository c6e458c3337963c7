//! `--history`: every blob reachable from every ref, each unique blob scanned once.
//!
//! One enumerator thread (the caller's) walks the commit graph from every ref — local and remote
//! branches, tags (annotated ones peeled), `refs/stash` and its reflog (each stash commit's index
//! and untracked-files parents are ordinary parents), notes, `HEAD` even when detached, and blobs
//! and trees that a ref or tag points at directly (no commit introduces those) — and
//! compares each commit's tree with its parents' trees (`tree::Differ`). Each blob id
//! seen for the first time is listed with the path to scan it as; when the walk is over, the
//! listed blobs are read in pack order, each delta chain resolved once (`packorder`), and the
//! rest (loose objects) one by one, on `threads` threads with one matcher scratch space each.
//! Memory stays bounded: the walk's caches are released before the blobs are read, only the
//! delta chains in progress are held, per blob only its id and up to `max_introductions`
//! `(commit, path)` pairs are kept, and oversized blobs are never inflated.
//!
//! A blob is scanned once, as the first path it was met at that no global path allowlist
//! excludes (a blob only ever at allowlisted paths is not scanned); path-scoped rules see that
//! path, and locations at allowlisted paths are dropped. Rule allowlists by commit are not
//! applied to history, since one blob belongs to many commits.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use gix::bstr::BString;
use gix::objs::Find;
use gix::ObjectId;

use super::introcache::IntroCache;
use super::tree::{all_blobs, short, Differ};
use super::{
    one_line, packorder, repo_name, show_path, threads, BlobScan, BlobScanner, CommitCache, GitError,
    GitMode, GitStats,
};
use crate::findings::{self, Finding, Location};
use crate::matching::{RawMatch, Scanner};
use crate::source::{ScanError, SkipReason, Skipped, Stats};

/// Default cap on the `(commit, path)` introductions listed per blob.
pub const DEFAULT_MAX_INTRODUCTIONS: usize = 20;

/// Resolved tree deltas the walk keeps (freed before the blobs are read): enough for the
/// delta chains of the directories one stretch of history changes (BENCHMARKS.md "Large
/// history").
const WALK_TREE_CACHE: usize = 32 << 20;

/// Options of a history scan.
#[derive(Debug, Clone)]
pub struct HistoryOptions {
    /// Skip blobs larger than this many bytes (reported, never inflated).
    pub max_file_size: u64,
    /// Scanning threads (0: one per core).
    pub threads: usize,
    /// Introductions listed per blob; the rest are counted.
    pub max_introductions: usize,
    /// Show progress on stderr.
    pub progress: bool,
    /// Blobs already scanned clean by the same rules (an incremental re-audit's cache): not read
    /// or scanned again. Blobs scanned clean now are returned in [`GitOutcome::clean_blobs`].
    pub skip_blobs: Option<std::sync::Arc<HashSet<ObjectId>>>,
    /// What each commit introduced, from the last walk (an incremental re-audit's walk cache):
    /// replayed instead of comparing trees. When set, this walk's introductions are returned in
    /// [`GitOutcome::intros`] (start with an empty cache to write the first one).
    pub intros: Option<std::sync::Arc<IntroCache>>,
}

impl Default for HistoryOptions {
    fn default() -> Self {
        Self {
            max_file_size: crate::source::DEFAULT_MAX_FILE_SIZE,
            threads: 0,
            max_introductions: DEFAULT_MAX_INTRODUCTIONS,
            progress: false,
            skip_blobs: None,
            intros: None,
        }
    }
}

/// What a git scan produced: findings already grouped, with provenance.
#[derive(Debug, Default)]
pub struct GitOutcome {
    /// Findings, sorted.
    pub findings: Vec<Finding>,
    /// Per-object problems.
    pub errors: Vec<ScanError>,
    /// Skipped blobs.
    pub skipped: Vec<Skipped>,
    /// Counters (`stats.git` is set).
    pub stats: Stats,
    /// Blobs scanned with no finding, no skip note and no error, and the blobs of
    /// [`HistoryOptions::skip_blobs`] this walk met (a re-audit's next cache: blobs that no ref
    /// reaches any more leave it).
    pub clean_blobs: Vec<ObjectId>,
    /// What each commit this walk reached introduced, when [`HistoryOptions::intros`] was set.
    pub intros: Option<IntroCache>,
}

/// Where a blob was introduced.
#[derive(Default)]
struct Intros {
    /// `(commit index, path index)`.
    list: Vec<(u32, u32)>,
    /// Introductions beyond the cap.
    more: u64,
    /// Sent to the workers (at its first path that no global allowlist excludes).
    sent: bool,
}

/// Paths interned to indices.
#[derive(Default)]
pub(super) struct Paths {
    ids: HashMap<BString, u32>,
    pub(super) list: Vec<BString>,
}

impl Paths {
    pub(super) fn intern(&mut self, p: &BString) -> u32 {
        if let Some(&i) = self.ids.get(p) {
            return i;
        }
        let i = u32::try_from(self.list.len()).unwrap_or(u32::MAX);
        self.list.push(p.clone());
        self.ids.insert(p.clone(), i);
        i
    }
}

/// State shared with the workers.
#[derive(Default)]
struct Shared {
    matched: Mutex<Vec<(ObjectId, Vec<RawMatch>)>>,
    skipped: Mutex<Vec<Skipped>>,
    errors: Mutex<Vec<ScanError>>,
    clean: Mutex<Vec<ObjectId>>,
    scanned: AtomicU64,
    bytes: AtomicU64,
    lfs: AtomicU64,
    processed: AtomicU64,
    sent: AtomicU64,
    /// Commits walked so far.
    commits: AtomicU64,
    /// The walk is over: `sent` is the final number of blobs to scan.
    done: AtomicBool,
}

fn push<T>(m: &Mutex<Vec<T>>, item: T) {
    m.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .push(item);
}

fn take<T>(m: Mutex<Vec<T>>) -> Vec<T> {
    m.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// What a ref points at once annotated tags are peeled.
#[derive(Debug, Clone, Copy)]
enum Peeled {
    Commit(ObjectId),
    /// A tree or blob tagged or referenced directly (`git tag t $(git hash-object -w f)`): not
    /// in any commit's history, but pushed and fetched like one, so it is scanned too.
    Tree(ObjectId),
    Blob(ObjectId),
}

/// The commit index of introductions that belong to no commit (blobs and trees refs point at).
const NO_COMMIT: u32 = u32::MAX;

/// Commit ids every ref points at (tags peeled), sorted, how many refs there were, and the
/// refs that point at trees or blobs.
#[allow(clippy::type_complexity)]
fn tips(
    repo: &gix::Repository,
    errors: &mut Vec<ScanError>,
) -> Result<(Vec<ObjectId>, u64, Vec<(String, Peeled)>), GitError> {
    let name = repo_name(repo);
    let fail = |e: &dyn std::error::Error| GitError::Repo {
        repo: name.clone(),
        message: format!("cannot list refs: {}", one_line(e)),
    };
    let mut out = BTreeSet::new();
    let mut others = Vec::new();
    let mut refs = 0;
    let platform = repo.references().map_err(|e| fail(&e))?;
    let mut buf = Vec::new();
    for r in platform.all().map_err(|e| fail(&e))? {
        let mut r = match r {
            Ok(r) => r,
            Err(e) => {
                errors.push(ScanError {
                    path: name.clone(),
                    message: format!("unreadable ref: {}", one_line(&e)),
                });
                continue;
            }
        };
        refs += 1;
        let rname = r.name().as_bstr().to_string();
        match r.peel_to_id() {
            Ok(id) => match peel(repo, id.detach(), &mut buf, &rname, errors) {
                Some(Peeled::Commit(c)) => {
                    out.insert(c);
                }
                Some(other) => others.push((rname.clone(), other)),
                None => {}
            },
            Err(e) => errors.push(ScanError {
                path: rname.clone(),
                message: format!("cannot resolve ref: {}", one_line(&e)),
            }),
        }
        // Older stashes live only in the stash's reflog.
        if rname == "refs/stash" {
            let mut log = r.log_iter();
            if let Ok(Some(lines)) = log.all() {
                for line in lines.flatten() {
                    if let Ok(id) = ObjectId::from_hex(line.new_oid) {
                        if let Some(Peeled::Commit(c)) = peel(repo, id, &mut buf, &rname, errors) {
                            out.insert(c);
                        }
                    }
                }
            }
        }
    }
    // HEAD, even when detached.
    if let Ok(id) = repo.head_id() {
        refs += 1;
        if let Some(Peeled::Commit(c)) = peel(repo, id.detach(), &mut buf, "HEAD", errors) {
            out.insert(c);
        }
    }
    Ok((out.into_iter().collect(), refs, others))
}

/// Peels annotated tags down to a commit, tree or blob.
fn peel(
    repo: &gix::Repository,
    mut id: ObjectId,
    buf: &mut Vec<u8>,
    rname: &str,
    errors: &mut Vec<ScanError>,
) -> Option<Peeled> {
    for _ in 0..16 {
        let data = match repo.objects.try_find(&id, buf) {
            Ok(Some(d)) => d,
            Ok(None) => {
                errors.push(ScanError {
                    path: rname.to_string(),
                    message: format!("object {id} is missing"),
                });
                return None;
            }
            Err(e) => {
                errors.push(ScanError {
                    path: rname.to_string(),
                    message: format!("object {id}: {}", one_line(&e)),
                });
                return None;
            }
        };
        match data.kind {
            gix::objs::Kind::Commit => return Some(Peeled::Commit(id)),
            gix::objs::Kind::Tag => match gix::objs::TagRef::from_bytes(data.data, repo.object_hash()) {
                Ok(t) => id = t.target(),
                Err(e) => {
                    errors.push(ScanError {
                        path: rname.to_string(),
                        message: format!("tag {id}: corrupt: {}", one_line(&e)),
                    });
                    return None;
                }
            },
            gix::objs::Kind::Tree => return Some(Peeled::Tree(id)),
            gix::objs::Kind::Blob => return Some(Peeled::Blob(id)),
        }
    }
    None
}

/// Scans the history of the repository containing `path`.
pub fn scan(path: &Path, opts: &HistoryOptions, scanner: &Scanner<'_>) -> Result<GitOutcome, GitError> {
    let start = Instant::now();
    let mut repo = open(path)?;
    let mut stats = GitStats::new(GitMode::History);
    let mut errors = Vec::new();
    stats.shallow = repo.is_shallow().unwrap_or(false);
    let shallow: HashSet<ObjectId> = repo
        .shallow_commits()
        .ok()
        .flatten()
        .map(|c| c.iter().copied().collect())
        .unwrap_or_default();
    let (tips, refs, other_refs) = tips(&repo, &mut errors)?;
    stats.refs = refs;

    let shared = Shared::default();
    let mut commit_ids: Vec<ObjectId> = Vec::new();
    let mut blobs: HashMap<ObjectId, Intros> = HashMap::new();
    let mut paths = Paths::default();
    let mut differ = Differ::default();
    differ.read_packs(&repo, WALK_TREE_CACHE);
    // The blobs to scan, each with the path it is scanned as: the walk decides which, the
    // scanning reads them in pack order once the walk is over.
    let mut targets: Vec<(ObjectId, u32)> = Vec::new();
    let mut walked = Duration::ZERO;
    let mut walk_cache = opts.intros.as_ref().map(|_| IntroCache::default());
    std::thread::scope(|s| {
        if opts.progress {
            let shared = &shared;
            // Progress is optional: no thread, no progress line.
            let _ = std::thread::Builder::new().spawn_scoped(s, move || progress(shared, start));
        }

        // Blobs and trees that refs point at directly: introduced by no commit.
        for (rname, target) in &other_refs {
            let found: Vec<(BString, ObjectId)> = match *target {
                Peeled::Blob(id) => vec![(BString::from(rname.as_str()), id)],
                Peeled::Tree(tree) => {
                    differ.introduced(&repo, tree, &[]);
                    let mut v = Vec::new();
                    for ch in differ.changes.drain(..) {
                        let mut p = BString::from(format!("{rname}:"));
                        p.extend_from_slice(&ch.path);
                        v.push((p, ch.blob));
                    }
                    for e in differ.errors.drain(..) {
                        errors.push(ScanError {
                            path: rname.clone(),
                            message: e,
                        });
                    }
                    v
                }
                Peeled::Commit(_) => Vec::new(),
            };
            for (path, blob) in found {
                let intros = blobs.entry(blob).or_default();
                let p = paths.intern(&path);
                if intros.list.len() < opts.max_introductions {
                    intros.list.push((NO_COMMIT, p));
                } else {
                    intros.more += 1;
                }
                if !intros.sent {
                    intros.sent = true;
                    shared.sent.fetch_add(1, Ordering::Relaxed);
                    targets.push((blob, p));
                }
            }
        }

        // The enumerator: depth-first from every tip.
        let mut buf = Vec::new();
        let mut seen: HashSet<ObjectId> = HashSet::new();
        let mut tree_of: HashMap<ObjectId, ObjectId> = HashMap::new();
        let mut stack: Vec<ObjectId> = tips.iter().rev().copied().collect();
        while let Some(id) = stack.pop() {
            if !seen.insert(id) {
                continue;
            }
            let cut = shallow.contains(&id);
            let replayed = opts
                .intros
                .as_deref()
                .and_then(|old| Some((old, old.replay(&id, cut, &mut differ.changes)?)));
            let parents = if let Some((old, r)) = replayed {
                differ.submodules += r.submodules;
                differ.symlinks += r.symlinks;
                if let Some(new) = walk_cache.as_mut() {
                    new.keep(old, &id);
                }
                r.parents
            } else {
                let (tree, parents) = match differ.commit(&repo, &id, &mut buf) {
                    Ok(c) => c,
                    Err(message) => {
                        errors.push(ScanError {
                            path: format!("commit {id}"),
                            message,
                        });
                        continue;
                    }
                };
                tree_of.insert(id, tree);
                let parents = if cut { Vec::new() } else { parents };
                let mut parent_trees = Vec::with_capacity(parents.len());
                for p in &parents {
                    let t = match tree_of.get(p) {
                        Some(t) => Some(*t),
                        None => match differ.commit(&repo, p, &mut buf) {
                            Ok((t, _)) => {
                                tree_of.insert(*p, t);
                                Some(t)
                            }
                            Err(message) => {
                                errors.push(ScanError {
                                    path: format!("commit {p} (parent of {id})"),
                                    message,
                                });
                                None
                            }
                        },
                    };
                    parent_trees.push(t);
                }
                let counts = (differ.submodules, differ.symlinks, differ.errors.len());
                differ.introduced(&repo, tree, &parent_trees);
                // A commit whose walk met a missing or corrupt object is walked again next time.
                let complete = differ.errors.len() == counts.2 && parent_trees.iter().all(Option::is_some);
                if let Some(new) = walk_cache.as_mut().filter(|_| complete) {
                    new.record(
                        id,
                        &parents,
                        cut,
                        &differ.changes,
                        differ.submodules - counts.0,
                        differ.symlinks - counts.1,
                    );
                }
                parents
            };
            let idx = u32::try_from(commit_ids.len()).unwrap_or(u32::MAX);
            commit_ids.push(id);
            shared.commits.fetch_add(1, Ordering::Relaxed);
            for ch in differ.changes.drain(..) {
                let entry = blobs.entry(ch.blob);
                let intros = entry.or_default();
                if intros.list.len() < opts.max_introductions {
                    intros.list.push((idx, paths.intern(&ch.path)));
                } else {
                    intros.more += 1;
                }
                if !intros.sent
                    && opts
                        .skip_blobs
                        .as_ref()
                        .is_some_and(|skip| skip.contains(&ch.blob))
                {
                    intros.sent = true;
                }
                if !intros.sent {
                    let path = show_path(ch.path.as_ref());
                    if !scanner.rules().global.iter().any(|a| a.allows_path(&path)) {
                        intros.sent = true;
                        shared.sent.fetch_add(1, Ordering::Relaxed);
                        targets.push((ch.blob, paths.intern(&ch.path)));
                    }
                }
            }
            for e in differ.errors.drain(..) {
                errors.push(ScanError {
                    path: format!("commit {id}"),
                    message: e,
                });
            }
            // Parents in reverse so the first parent is walked first.
            for p in parents.iter().rev() {
                if !seen.contains(p) {
                    stack.push(*p);
                }
            }
        }
        walked = start.elapsed();
        shared.done.store(true, Ordering::Relaxed);
        // Before the blobs are read, release what only the walk needed: its maps, the trees the
        // differ keeps, and — with a fresh handle — the object and delta-base caches and the
        // mapped pages of the packs' trees and commits (mapped file pages count toward RSS).
        drop((seen, tree_of, stack, buf));
        differ.release();
        if let Ok(fresh) = open(path) {
            repo = fresh;
        }
        scan_blobs(
            &repo,
            std::mem::take(&mut targets),
            &paths,
            opts,
            scanner,
            &shared,
        );
    });
    stats.walked = walked;
    stats.scanned = start.elapsed();
    if opts.progress {
        let _ = write!(std::io::stderr(), "\r\x1b[Kassembling findings");
    }
    stats.commits = commit_ids.len() as u64;
    stats.unique_blobs = blobs.len() as u64;
    stats.submodules = differ.submodules;
    stats.symlinks = differ.symlinks;
    stats.blobs_scanned = shared.scanned.load(Ordering::Relaxed);
    stats.lfs_pointers = shared.lfs.load(Ordering::Relaxed);
    let bytes = shared.bytes.load(Ordering::Relaxed);
    errors.extend(take(shared.errors));
    let mut skipped = take(shared.skipped);
    let matched = take(shared.matched);

    // Blobs of the HEAD tree, to tell live secrets from history-only ones.
    let mut head_blobs = HashSet::new();
    if !matched.is_empty() {
        if let Ok(t) = repo.head_tree_id() {
            let mut errs = Vec::new();
            all_blobs(&repo, t.detach(), &mut head_blobs, &mut errs);
            errors.extend(errs.into_iter().map(|message| ScanError {
                path: "HEAD".into(),
                message,
            }));
        }
    }
    let mut commits = CommitCache::default();
    let mut items = Vec::new();
    let mut in_head: HashSet<(u32, Vec<u8>)> = HashSet::new();
    let mut more: HashMap<(u32, Vec<u8>), u64> = HashMap::new();
    for (blob, found) in matched {
        let Some(intros) = blobs.get(&blob) else { continue };
        let live = head_blobs.contains(&blob);
        for m in found {
            let key = (m.rule, m.secret.clone());
            if live {
                in_head.insert(key.clone());
            }
            *more.entry(key).or_default() += intros.more;
            for &(c, p) in &intros.list {
                let path = show_path(paths.list[p as usize].as_ref());
                // The blob was scanned as its first path; its other paths may be allowlisted.
                if scanner.rules().global.iter().any(|a| a.allows_path(&path)) {
                    continue;
                }
                let mut loc = Location::of(path, &m);
                if c != NO_COMMIT {
                    loc.commit = Some(commits.get(&repo, commit_ids[c as usize]));
                }
                items.push((m.rule, m.secret.clone(), loc, m.paired_with.clone()));
            }
        }
    }
    let mut findings = findings::group_located(items, scanner.rules());
    for f in &mut findings {
        let key = (f.rule, f.secret.expose().to_vec());
        f.in_head = Some(in_head.contains(&key));
        f.more_locations = more.get(&key).copied().unwrap_or(0);
    }
    errors.sort();
    skipped.sort();
    if opts.progress {
        let _ = write!(std::io::stderr(), "\r\x1b[K");
    }
    let mut clean_blobs = take(shared.clean);
    if let Some(skip) = &opts.skip_blobs {
        clean_blobs.extend(blobs.keys().filter(|b| skip.contains(*b)));
    }
    Ok(GitOutcome {
        findings,
        errors,
        skipped,
        clean_blobs,
        intros: walk_cache,
        stats: Stats {
            files_scanned: stats.blobs_scanned,
            bytes_scanned: bytes,
            elapsed: start.elapsed(),
            git: Some(stats),
        },
    })
}

use super::open;

/// Scans `targets` (blob, path index): those in packs in pack order, the rest (loose objects,
/// anything the pack reader could not resolve) one object at a time on up to `opts.threads`
/// threads, the calling one included.
fn scan_blobs(
    repo: &gix::Repository,
    mut targets: Vec<(ObjectId, u32)>,
    paths: &Paths,
    opts: &HistoryOptions,
    scanner: &Scanner<'_>,
    shared: &Shared,
) {
    targets.sort_unstable_by_key(|t| t.0);
    let ids: Vec<ObjectId> = targets.iter().map(|t| t.0).collect();
    let path_of = |slot: usize| show_path(paths.list[targets[slot].1 as usize].as_ref());
    let n = threads(opts.threads);
    let packed = packorder::scan(
        repo,
        &ids,
        opts.max_file_size,
        n,
        &|| BlobScanner::new(scanner, opts.max_file_size),
        &|bs: &mut BlobScanner<'_, '_>, slot, data| {
            let path = path_of(slot);
            let result = bs.scan_data(data, &path);
            record(shared, ids[slot], &path, result);
        },
    );
    for &(slot, size) in &packed.too_large {
        record(
            shared,
            ids[slot],
            &path_of(slot),
            BlobScan::Skipped(SkipReason::TooLarge(size)),
        );
    }
    let rest: Vec<usize> = (0..ids.len()).filter(|&i| !packed.done[i]).collect();
    drop(packed);
    if rest.is_empty() {
        return;
    }
    let next = AtomicUsize::new(0);
    let sync = repo.clone().into_sync();
    let work = || {
        let mut repo = sync.to_thread_local();
        // Each blob is read once: an object cache would only copy every blob into it.
        repo.object_cache_size(0);
        let mut bs = BlobScanner::new(scanner, opts.max_file_size);
        while let Some(&slot) = rest.get(next.fetch_add(1, Ordering::Relaxed)) {
            let path = path_of(slot);
            let result = bs.scan(&repo, &ids[slot], &path);
            record(shared, ids[slot], &path, result);
        }
    };
    std::thread::scope(|s| {
        for _ in 1..n.min(rest.len()) {
            // A thread the OS refuses is one worker fewer, not a panic.
            let _ = std::thread::Builder::new().spawn_scoped(s, work);
        }
        work();
    });
}

/// Records what scanning blob `id` (scanned as `path`) gave.
fn record(shared: &Shared, id: ObjectId, path: &str, result: BlobScan) {
    shared.processed.fetch_add(1, Ordering::Relaxed);
    match result {
        BlobScan::Scanned(n, found, notes) => {
            if found.is_empty() && notes.is_empty() {
                push(&shared.clean, id);
            }
            for note in notes {
                push(&shared.skipped, note);
            }
            shared.scanned.fetch_add(1, Ordering::Relaxed);
            shared.bytes.fetch_add(n, Ordering::Relaxed);
            if !found.is_empty() {
                push(&shared.matched, (id, found));
            }
        }
        BlobScan::Skipped(reason) => push(
            &shared.skipped,
            Skipped {
                path: format!("{path} (blob {})", short(&id)),
                reason,
            },
        ),
        BlobScan::LfsPointer => {
            shared.lfs.fetch_add(1, Ordering::Relaxed);
        }
        BlobScan::Error(message) => push(
            &shared.errors,
            ScanError {
                path: format!("{path} (blob {id})"),
                message,
            },
        ),
    }
}

/// Progress line on stderr: the phase, blobs scanned of those found so far, blobs/s and MB/s,
/// and an ETA from the blob count once the walk is done (before that the total is not known).
fn progress(shared: &Shared, start: Instant) {
    let mut err = std::io::stderr();
    loop {
        std::thread::sleep(Duration::from_millis(250));
        let walked = shared.done.load(Ordering::Relaxed);
        let p = Progress {
            commits: shared.commits.load(Ordering::Relaxed),
            done: shared.processed.load(Ordering::Relaxed),
            total: shared.sent.load(Ordering::Relaxed),
            bytes: shared.bytes.load(Ordering::Relaxed),
            secs: start.elapsed().as_secs_f64(),
            walked,
        };
        let _ = write!(err, "\r\x1b[K{}", p.line());
        if walked && p.done >= p.total {
            break;
        }
    }
    let _ = write!(err, "\r\x1b[K");
}

/// One progress report.
struct Progress {
    commits: u64,
    done: u64,
    total: u64,
    bytes: u64,
    secs: f64,
    walked: bool,
}

impl Progress {
    #[allow(clippy::cast_precision_loss)]
    fn line(&self) -> String {
        let secs = self.secs.max(0.001);
        let rate = self.done as f64 / secs;
        let mbs = self.bytes as f64 / secs / 1e6;
        if !self.walked {
            return format!(
                "walking history: {} commits; scanned {} of {} blobs found so far; {rate:.0} blobs/s, {mbs:.1} MB/s",
                self.commits, self.done, self.total
            );
        }
        let eta = if rate > 0.0 {
            format!(", ETA {:.0}s", self.total.saturating_sub(self.done) as f64 / rate)
        } else {
            String::new()
        };
        format!(
            "scanning blobs: {} of {} ({} commits walked); {rate:.0} blobs/s, {mbs:.1} MB/s{eta}",
            self.done, self.total, self.commits
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_names_phase_rate_and_eta_from_blob_count() {
        let mut p = Progress {
            commits: 5000,
            done: 2000,
            total: 3000,
            bytes: 50_000_000,
            secs: 10.0,
            walked: false,
        };
        let walking = p.line();
        assert!(walking.starts_with("walking history: 5000 commits"), "{walking}");
        assert!(walking.contains("200 blobs/s, 5.0 MB/s"), "{walking}");
        assert!(
            !walking.contains("ETA"),
            "no ETA while the total still grows: {walking}"
        );
        p.walked = true;
        p.total = 4000;
        let scanning = p.line();
        assert!(scanning.starts_with("scanning blobs: 2000 of 4000"), "{scanning}");
        // 2,000 blobs left at 200 blobs/s.
        assert!(scanning.ends_with("ETA 10s"), "{scanning}");
    }
}
