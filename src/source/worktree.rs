//! Scanning a directory tree in parallel with `ignore::WalkParallel` (the walker behind ripgrep).
//!
//! `.gitignore`, `.ignore` and git's exclude files are honoured by default (even outside a git
//! repository) for untracked files only: a file git tracks is scanned even when an ignore rule
//! matches it (ignore rules do not untrack a committed `.env`); hidden files are scanned (that is where `.env` files live); `.git` directories are
//! not descended into; symlinks are not followed unless asked. Each walker thread owns its read
//! buffer and matcher scratch space; only files with matches, errors or skips touch shared state.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use ignore::{WalkBuilder, WalkState};

use super::{scan_content, Outcome, ScanError, SkipReason, Skipped};
use crate::matching::{Input, RawMatch, Scanner, Scratch};

/// How to walk a tree.
#[derive(Debug, Clone)]
pub struct WalkOptions {
    /// Ignore `.gitignore` and friends; scan everything.
    pub no_ignore: bool,
    /// Follow symbolic links (loops are detected and reported).
    pub follow_links: bool,
    /// Skip files larger than this many bytes.
    pub max_file_size: u64,
    /// Walker threads (0: one per core).
    pub threads: usize,
}

impl Default for WalkOptions {
    fn default() -> Self {
        Self {
            no_ignore: false,
            follow_links: false,
            max_file_size: super::DEFAULT_MAX_FILE_SIZE,
            threads: 0,
        }
    }
}

/// Directory names never descended into.
const VCS_DIRS: &[&str] = &[".git", ".hg", ".svn"];

/// Shared state of one walk.
#[derive(Default)]
struct Shared {
    matches: Mutex<Vec<(String, RawMatch)>>,
    errors: Mutex<Vec<ScanError>>,
    skipped: Mutex<Vec<Skipped>>,
    files: AtomicU64,
    bytes: AtomicU64,
    /// Files the walk reached (recorded only when tracked files must be checked after it).
    visited: Mutex<Vec<String>>,
}

impl Shared {
    fn into_outcome(self, start: Instant) -> Outcome {
        let shared = self;
        let mut out = Outcome {
            matches: shared
                .matches
                .into_inner()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
            errors: shared
                .errors
                .into_inner()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
            skipped: shared
                .skipped
                .into_inner()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
            stats: super::Stats {
                files_scanned: shared.files.into_inner(),
                bytes_scanned: shared.bytes.into_inner(),
                elapsed: start.elapsed(),
                git: None,
            },
        };
        out.finish();
        out
    }
}

fn push<T>(m: &Mutex<Vec<T>>, item: T) {
    m.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .push(item);
}

/// The path shown to users: relative to the root when the root is a directory.
fn display_path(root: &Path, root_is_dir: bool, path: &Path) -> String {
    let rel = if root_is_dir {
        path.strip_prefix(root).unwrap_or(path)
    } else {
        path
    };
    let s = rel.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '\\' {
        s.replace('\\', "/")
    } else {
        s.into_owned()
    }
}

fn error_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => error_path(err),
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        ignore::Error::Partial(errs) => errs.first().and_then(error_path),
        _ => None,
    }
}

fn error_message(err: &ignore::Error) -> String {
    match err {
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => error_message(err),
        ignore::Error::Loop { ancestor, .. } => {
            format!("symbolic link loop (points back to {})", ancestor.display())
        }
        other => other.to_string().replace('\n', " "),
    }
}

/// Walks `root` (a directory or a single file) and scans every file. `sink`, if given, sees each
/// match as soon as it is found (for streaming output), from any walker thread.
pub fn scan(
    root: &Path,
    opts: &WalkOptions,
    scanner: &Scanner<'_>,
    sink: Option<&super::Sink<'_>>,
) -> Outcome {
    let start = Instant::now();
    let root_is_dir = root.is_dir();
    let threads = if opts.threads == 0 {
        std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get)
    } else {
        opts.threads
    };
    let mut builder = WalkBuilder::new(root);
    builder
        .hidden(false)
        .parents(!opts.no_ignore)
        .ignore(!opts.no_ignore)
        .git_ignore(!opts.no_ignore)
        .git_global(!opts.no_ignore)
        .git_exclude(!opts.no_ignore)
        .require_git(false)
        .follow_links(opts.follow_links)
        .threads(threads)
        .filter_entry(|e| {
            !(e.file_type().is_some_and(|t| t.is_dir()) && VCS_DIRS.iter().any(|d| e.file_name() == *d))
        });
    let shared = Shared::default();
    let max = opts.max_file_size;
    let tracked = if opts.no_ignore || !root_is_dir {
        Vec::new()
    } else {
        tracked_under(root)
    };
    let record = !tracked.is_empty();
    let make_visitor = || {
        let shared = &shared;
        let mut buf: Vec<u8> = Vec::new();
        let mut scratch = Scratch::default();
        let mut found: Vec<RawMatch> = Vec::new();
        Box::new(move |entry: Result<ignore::DirEntry, ignore::Error>| {
            let entry = match entry {
                Ok(e) => e,
                Err(err) => {
                    let path = error_path(&err).map_or_else(
                        || root.display().to_string(),
                        |p| display_path(root, root_is_dir, &p),
                    );
                    push(
                        &shared.errors,
                        ScanError {
                            path,
                            message: error_message(&err),
                        },
                    );
                    return WalkState::Continue;
                }
            };
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                // A FIFO, socket or device inside the tree is not read (a FIFO without a
                // writer would block the walk forever) but is reported, never skipped silently.
                if entry.file_type().is_some_and(|t| !t.is_dir() && !t.is_symlink()) {
                    push(
                        &shared.errors,
                        ScanError {
                            path: display_path(root, root_is_dir, entry.path()),
                            message: "not a regular file (a FIFO, socket or device): not read; name it on the command line to read it as a stream".into(),
                        },
                    );
                }
                return WalkState::Continue;
            }
            let rel = display_path(root, root_is_dir, entry.path());
            if record {
                push(&shared.visited, rel.clone());
            }
            let mut w = Worker {
                buf: &mut buf,
                scratch: &mut scratch,
                found: &mut found,
            };
            scan_file(shared, scanner, sink, max, rel, entry.path(), &mut w);
            WalkState::Continue
        }) as Box<dyn FnMut(Result<ignore::DirEntry, ignore::Error>) -> WalkState + Send>
    };
    // The parallel walker panics if it cannot start its threads: walk on this thread then.
    if threads > 1 && super::can_spawn_thread() {
        builder.build_parallel().run(make_visitor);
    } else {
        let mut visit = make_visitor();
        for entry in builder.build() {
            if matches!(visit(entry), WalkState::Quit) {
                break;
            }
        }
    }
    if record {
        // Tracked files the ignore rules hid from the walk: scanned all the same.
        let visited: std::collections::HashSet<String> = std::mem::take(
            &mut *shared
                .visited
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
        .into_iter()
        .collect();
        let hidden: Vec<String> = tracked.into_iter().filter(|t| !visited.contains(t)).collect();
        if !hidden.is_empty() {
            let extra = scan_files(root, &hidden, opts, scanner);
            let mut out = shared.into_outcome(start);
            out.matches.extend(extra.matches);
            out.errors.extend(extra.errors);
            out.skipped.extend(extra.skipped);
            out.stats.files_scanned += extra.stats.files_scanned;
            out.stats.bytes_scanned += extra.stats.bytes_scanned;
            out.stats.elapsed = start.elapsed();
            if let Some(sink) = sink {
                for (path, m) in &out.matches {
                    if hidden.contains(path) {
                        sink(path, m);
                    }
                }
            }
            out.finish();
            return out;
        }
    }
    shared.into_outcome(start)
}

/// The regular files git tracks under `root` (relative to it, `/`-separated), from the index;
/// empty outside a repository.
fn tracked_under(root: &Path) -> Vec<String> {
    let Ok(repo) = crate::source::git::open(root) else {
        return Vec::new();
    };
    let (Some(workdir), Ok(index)) = (repo.workdir(), repo.index_or_empty()) else {
        return Vec::new();
    };
    let canon = |p: &Path| std::fs::canonicalize(p).ok();
    let (Some(workdir), Some(root)) = (canon(workdir), canon(root)) else {
        return Vec::new();
    };
    let Ok(prefix) = root.strip_prefix(&workdir) else {
        return Vec::new();
    };
    let prefix = prefix.to_string_lossy().replace('\\', "/");
    let prefix = if prefix.is_empty() {
        String::new()
    } else {
        format!("{prefix}/")
    };
    index
        .entries()
        .iter()
        .filter(|e| {
            use gix::index::entry::Mode;
            e.mode == Mode::FILE || e.mode == Mode::FILE_EXECUTABLE
        })
        .filter_map(|e| {
            let path = e.path(&index).to_string();
            path.strip_prefix(&prefix).map(str::to_string)
        })
        .filter(|p| !p.split('/').any(|seg| VCS_DIRS.contains(&seg)))
        .collect()
}

/// One worker's reusable buffers.
struct Worker<'a> {
    buf: &'a mut Vec<u8>,
    scratch: &'a mut Scratch,
    found: &'a mut Vec<RawMatch>,
}

/// Scans one file (`rel` is its reported path): global path allowlists, size cap, binary check.
fn scan_file(
    shared: &Shared,
    scanner: &Scanner<'_>,
    sink: Option<&super::Sink<'_>>,
    max: u64,
    rel: String,
    path: &Path,
    w: &mut Worker<'_>,
) {
    if scanner.rules().path_allowed(&rel) {
        push(
            &shared.skipped,
            Skipped {
                path: rel,
                reason: SkipReason::Allowlisted,
            },
        );
        return;
    }
    match read_capped(path, max, w.buf) {
        Err(e) => push(
            &shared.errors,
            ScanError {
                path: rel,
                message: format!("cannot read: {e}"),
            },
        ),
        Ok(Some(size)) => push(
            &shared.skipped,
            Skipped {
                path: rel,
                reason: SkipReason::TooLarge(size),
            },
        ),
        Ok(None) => {
            let input = Input {
                data: w.buf,
                path: Some(&rel),
                commit: None,
            };
            match scan_content(scanner, input, w.scratch, w.found) {
                Err(reason) => {
                    push(&shared.skipped, Skipped { path: rel, reason });
                    return;
                }
                Ok(notes) => {
                    if !notes.is_empty() {
                        shared
                            .skipped
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .extend(notes);
                    }
                }
            }
            shared.files.fetch_add(1, Ordering::Relaxed);
            shared.bytes.fetch_add(w.buf.len() as u64, Ordering::Relaxed);
            if let Some(sink) = sink {
                for m in w.found.iter() {
                    sink(&rel, m);
                }
            }
            if !w.found.is_empty() {
                let mut all = shared
                    .matches
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                all.extend(w.found.drain(..).map(|m| (rel.clone(), m)));
            }
        }
    }
}

/// Scans the given files (paths relative to `root`, `/`-separated; e.g. git's tracked files)
/// whatever the ignore files say, on `opts.threads` threads.
pub fn scan_files(root: &Path, files: &[String], opts: &WalkOptions, scanner: &Scanner<'_>) -> Outcome {
    let start = Instant::now();
    let threads = if opts.threads == 0 {
        std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get)
    } else {
        opts.threads
    };
    let shared = Shared::default();
    let next = std::sync::atomic::AtomicUsize::new(0);
    super::run_workers(threads.min(files.len()), &|| {
        let (mut buf, mut scratch, mut found) = (Vec::new(), Scratch::default(), Vec::new());
        let mut w = Worker {
            buf: &mut buf,
            scratch: &mut scratch,
            found: &mut found,
        };
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(rel) = files.get(i) else { break };
            let path = root.join(rel);
            // A tracked symbolic link is git's link, not the file it points to (which
            // may be outside the repository): not scanned, never rewritten.
            if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_file()) {
                scan_file(
                    &shared,
                    scanner,
                    None,
                    opts.max_file_size,
                    rel.clone(),
                    &path,
                    &mut w,
                );
            }
        }
    });
    shared.into_outcome(start)
}

/// Reads a file into `buf` unless it is larger than `max`; returns `Some(size)` when too large.
/// The size is checked before reading and again while reading (a file may grow), so memory stays
/// bounded by `max` per thread.
fn read_capped(path: &Path, max: u64, buf: &mut Vec<u8>) -> std::io::Result<Option<u64>> {
    buf.clear();
    let file = File::open(path)?;
    let len = file.metadata()?.len();
    if len > max {
        return Ok(Some(len));
    }
    buf.reserve(usize::try_from(len).unwrap_or(0).saturating_add(1));
    let n = file.take(max.saturating_add(1)).read_to_end(buf)?;
    if n as u64 > max {
        buf.clear();
        return Ok(Some(n as u64));
    }
    Ok(None)
}
