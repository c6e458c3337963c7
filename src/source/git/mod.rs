//! Git sources: the full history of every ref, a commit range, and the staged change.
//!
//! Objects are read in-process with `gix` (chosen over `git2` by measurement, see BENCHMARKS.md
//! "Git history"); nothing shells out to `git`. Three modes share the pieces in this module:
//!
//! - [`history`]: every blob reachable from every ref, each unique blob scanned once, each listed
//!   with the commits that introduced it at a path (a commit introduces `(path, blob)` when no
//!   parent has that blob at that path; root commits introduce everything, merges what differs
//!   from all parents).
//! - [`range`]: only lines added by the commits of `A..B`.
//! - [`staged`]: only lines added by the index relative to `HEAD`.
//!
//! Submodules (gitlinks) are not followed, symbolic links are not scanned (their content is a
//! path), Git LFS pointer files are not secrets. A missing or corrupt object is reported and the
//! scan goes on.

pub mod history;
pub mod introcache;
pub(crate) mod packorder;
pub mod range;
pub mod revfiles;
pub mod staged;
pub(crate) mod tree;

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use gix::bstr::{BStr, ByteSlice};
use gix::objs::{Find, FindHeader};
use gix::ObjectId;

use super::{scan_content, SkipReason, Skipped};
use crate::findings::CommitInfo;
use crate::matching::{Input, RawMatch, Scanner, Scratch};

/// What went wrong opening or resolving a repository (per-object problems are not errors: they
/// are reported in the outcome and the scan goes on).
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    /// `PATH` is not inside a git repository.
    #[error("{path}: not a git repository: {message}")]
    Open {
        /// The path given.
        path: String,
        /// Why.
        message: String,
    },
    /// A revision given on the command line does not resolve to a commit.
    #[error("{repo}: cannot resolve revision '{spec}': {message}")]
    Revision {
        /// Repository.
        repo: String,
        /// The revision.
        spec: String,
        /// Why.
        message: String,
    },
    /// Reading refs, the index or the commit graph failed as a whole.
    #[error("{repo}: {message}")]
    Repo {
        /// Repository.
        repo: String,
        /// What failed.
        message: String,
    },
}

/// Which git mode ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GitMode {
    /// `--history`.
    History,
    /// `--range` / `--since-commit`.
    Range,
    /// `--staged`.
    Staged,
}

impl GitMode {
    /// Lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::History => "history",
            Self::Range => "range",
            Self::Staged => "staged",
        }
    }

    /// Parses [`GitMode::as_str`] back (a saved report).
    pub fn parse(s: &str) -> Option<Self> {
        [Self::History, Self::Range, Self::Staged]
            .into_iter()
            .find(|m| m.as_str() == s)
    }
}

/// Counters of a git scan.
#[derive(Debug, Clone)]
pub struct GitStats {
    /// Mode.
    pub mode: GitMode,
    /// Refs enumerated (history), 0 otherwise.
    pub refs: u64,
    /// Commits visited.
    pub commits: u64,
    /// Unique blob ids met.
    pub unique_blobs: u64,
    /// Blobs actually read and scanned (each at most once).
    pub blobs_scanned: u64,
    /// The repository is a shallow clone: history before the shallow boundary is absent.
    pub shallow: bool,
    /// Submodule entries (gitlinks) met and not followed.
    pub submodules: u64,
    /// Git LFS pointer files met and not scanned.
    pub lfs_pointers: u64,
    /// Symbolic links met and not scanned.
    pub symlinks: u64,
    /// History: when the commit walk ended, since the scan started (zero for other modes).
    pub walked: std::time::Duration,
    /// History: when the last blob was scanned, since the scan started (zero for other modes);
    /// findings were assembled after that.
    pub scanned: std::time::Duration,
}

impl GitStats {
    /// Zero counters for `mode`.
    pub fn new(mode: GitMode) -> Self {
        Self {
            mode,
            refs: 0,
            commits: 0,
            unique_blobs: 0,
            blobs_scanned: 0,
            shallow: false,
            submodules: 0,
            lfs_pointers: 0,
            symlinks: 0,
            walked: std::time::Duration::ZERO,
            scanned: std::time::Duration::ZERO,
        }
    }
}

/// Default delta-base cache per reading thread.
const DELTA_BASE_CACHE: &str = "16m";

/// Opens the repository containing `path` (a worktree, a linked worktree, a bare repository or a
/// `.git` directory).
pub fn open(path: &Path) -> Result<gix::Repository, GitError> {
    // Replacement objects (`refs/replace/`) are not followed: what is pushed is what is
    // scanned, and a replace ref must not be able to show the scanner a different commit than
    // the one in the history (the replacement itself is a ref, so `--history` scans it too).
    let mut trust = gix::sec::trust::Mapping::<gix::open::Options>::default();
    for opts in [&mut trust.full, &mut trust.reduced] {
        *opts = opts.clone().config_overrides(["core.useReplaceRefs=false"]);
    }
    let mut repo = gix::ThreadSafeRepository::discover_opts(path, Default::default(), trust)
        .map(gix::Repository::from)
        .map_err(|e| GitError::Open {
            path: path.display().to_string(),
            message: one_line(&e),
        })?;
    // Trees are read again as the parents of the next commit: keep recently decoded objects.
    repo.object_cache_size_if_unset(16 * 1024 * 1024);
    // Blobs are read roughly newest first, following deltas: a delta-base cache per thread
    // saves re-inflating the same bases (measured in BENCHMARKS.md: 16 MB gave most of the gain of
    // 96 MB at a fraction of the memory). A user's `core.deltaBaseCacheLimit` wins.
    if repo
        .config_snapshot()
        .integer("core.deltaBaseCacheLimit")
        .is_none()
    {
        let mut config = repo.config_snapshot_mut();
        if config
            .set_value(&gix::config::tree::Core::DELTA_BASE_CACHE_LIMIT, DELTA_BASE_CACHE)
            .is_ok()
        {
            // A failure here only leaves gix's default cache in place.
            let _ = config.commit();
        }
    }
    Ok(repo)
}

/// A repository's name for messages: its work tree, else its git directory.
pub(crate) fn repo_name(repo: &gix::Repository) -> String {
    repo.workdir()
        .unwrap_or_else(|| repo.git_dir())
        .display()
        .to_string()
}

/// An error as one line, with its sources.
pub(crate) fn one_line(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(inner) = src {
        let t = inner.to_string();
        if !s.contains(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        src = inner.source();
    }
    s.replace('\n', " ")
}

/// A path from a tree or the index as shown to users (lossy for non-UTF-8 bytes).
pub(crate) fn show_path(p: &BStr) -> String {
    p.to_str_lossy().into_owned()
}

/// Whether a blob is a Git LFS pointer file (small, starts with the spec line).
pub fn is_lfs_pointer(data: &[u8]) -> bool {
    data.len() < 1024 && data.starts_with(b"version https://git-lfs.github.com/spec/v1\n")
}

/// What reading and scanning one blob gave.
#[derive(Debug)]
pub(crate) enum BlobScan {
    /// Scanned; its size, matches (maybe none), and the archive members not scanned (their
    /// paths are the blob's path at the first place it was met, `path!member`).
    Scanned(u64, Vec<RawMatch>, Vec<Skipped>),
    /// Not scanned (binary or too large).
    Skipped(SkipReason),
    /// An LFS pointer (not scanned).
    LfsPointer,
    /// The object is missing or corrupt.
    Error(String),
}

/// Per-thread state for reading and scanning blobs.
pub(crate) struct BlobScanner<'s, 'r> {
    pub scanner: &'s Scanner<'r>,
    pub max_size: u64,
    pub buf: Vec<u8>,
    pub scratch: Scratch,
}

impl<'s, 'r> BlobScanner<'s, 'r> {
    pub fn new(scanner: &'s Scanner<'r>, max_size: u64) -> Self {
        Self {
            scanner,
            max_size,
            buf: Vec::new(),
            scratch: Scratch::default(),
        }
    }

    /// Reads blob `id` (checking its size first, so huge blobs are never inflated) and scans it
    /// as the file `path`.
    pub fn scan(&mut self, repo: &gix::Repository, id: &ObjectId, path: &str) -> BlobScan {
        match repo.objects.try_header(id) {
            Ok(Some(h)) if h.size > self.max_size => return BlobScan::Skipped(SkipReason::TooLarge(h.size)),
            Ok(Some(_)) => {}
            Ok(None) => return BlobScan::Error("object is missing".into()),
            Err(e) => return BlobScan::Error(one_line(&e)),
        }
        let mut buf = std::mem::take(&mut self.buf);
        let result = match repo.objects.try_find(id, &mut buf) {
            Ok(Some(d)) => self.scan_data(d.data, path),
            Ok(None) => BlobScan::Error("object is missing".into()),
            Err(e) => BlobScan::Error(one_line(&e)),
        };
        self.buf = buf;
        result
    }

    /// Scans a blob's bytes as the file `path`.
    pub fn scan_data(&mut self, data: &[u8], path: &str) -> BlobScan {
        if is_lfs_pointer(data) {
            return BlobScan::LfsPointer;
        }
        let mut found = Vec::new();
        let input = Input {
            data,
            path: Some(path),
            commit: None,
        };
        match scan_content(self.scanner, input, &mut self.scratch, &mut found) {
            Ok(notes) => BlobScan::Scanned(data.len() as u64, found, notes),
            Err(reason) => BlobScan::Skipped(reason),
        }
    }
}

/// Reads a commit's tree and parents.
pub(crate) fn read_commit(
    repo: &gix::Repository,
    id: &ObjectId,
    buf: &mut Vec<u8>,
) -> Result<(ObjectId, Vec<ObjectId>), String> {
    let data = match repo.objects.try_find(id, buf) {
        Ok(Some(d)) => d,
        Ok(None) => return Err("object is missing".into()),
        Err(e) => return Err(one_line(&e)),
    };
    parse_commit(data.data, repo.object_hash())
}

/// A commit object's tree and parents, from its bytes.
pub(crate) fn parse_commit(data: &[u8], hash: gix::hash::Kind) -> Result<(ObjectId, Vec<ObjectId>), String> {
    let c = gix::objs::CommitRef::from_bytes(data, hash).map_err(|e| format!("corrupt: {}", one_line(&e)))?;
    Ok((c.tree(), c.parents().collect()))
}

/// A commit's tree.
pub(crate) fn tree_of(repo: &gix::Repository, id: &ObjectId, buf: &mut Vec<u8>) -> Result<ObjectId, String> {
    read_commit(repo, id, buf).map(|(t, _)| t)
}

/// Reads a blob's bytes (for line diffs); `None` when missing or unreadable.
pub(crate) fn read_blob(repo: &gix::Repository, id: &ObjectId) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    repo.objects.try_find(id, &mut buf).ok()??;
    Some(buf)
}

/// 1-based, half-open ranges of lines in `new` that a line diff from `old` marks as added.
pub fn added_lines(old: &[u8], new: &[u8]) -> Vec<Range<usize>> {
    use imara_diff::{Algorithm, Diff, InternedInput};
    let input = InternedInput::new(old, new);
    let diff = Diff::compute(Algorithm::Histogram, &input);
    diff.hunks()
        .filter(|h| !h.after.is_empty())
        .map(|h| (h.after.start as usize + 1)..(h.after.end as usize + 1))
        .collect()
}

/// Whether a match touches an added line. A match inside an archive member counts as added when
/// the archive changed (a line diff of archives means nothing).
pub(crate) fn on_added_line(m: &RawMatch, added: &[Range<usize>]) -> bool {
    if m.member.is_some() {
        return true;
    }
    let (a, b) = (m.line, m.end_line.max(m.line));
    added.iter().any(|r| r.start <= b && a < r.end)
}

/// Commit metadata, read once per commit and shared by every location it introduced.
#[derive(Default)]
pub(crate) struct CommitCache(HashMap<ObjectId, Arc<CommitInfo>>);

impl CommitCache {
    pub fn get(&mut self, repo: &gix::Repository, id: ObjectId) -> Arc<CommitInfo> {
        self.0
            .entry(id)
            .or_insert_with(|| Arc::new(commit_info(repo, id)))
            .clone()
    }
}

fn commit_info(repo: &gix::Repository, id: ObjectId) -> CommitInfo {
    let mut buf = Vec::new();
    match repo.objects.try_find(&id, &mut buf) {
        Ok(Some(data)) => parse_commit_info(id.to_string(), data.data, repo.object_hash()),
        _ => parse_commit_info(id.to_string(), b"", repo.object_hash()),
    }
}

/// A commit's metadata from its bytes (empty fields where the object does not parse).
pub(crate) fn parse_commit_info(id: String, data: &[u8], hash: gix::hash::Kind) -> CommitInfo {
    let mut info = CommitInfo {
        id,
        author_name: String::new(),
        author_email: String::new(),
        date: String::new(),
        summary: String::new(),
    };
    let Ok(c) = gix::objs::CommitRef::from_bytes(data, hash) else {
        return info;
    };
    if let Ok(a) = c.author() {
        let a = a.trim();
        info.author_name = a.name.to_str_lossy().into_owned();
        info.author_email = a.email.to_str_lossy().into_owned();
        if let Ok(t) = a.time() {
            info.date = iso8601(t.seconds, t.offset);
        }
    }
    info.summary = c.message_summary().to_str_lossy().into_owned();
    info
}

/// `seconds` since the epoch shown at UTC offset `offset` (seconds) as ISO 8601.
pub fn iso8601(seconds: i64, offset: i32) -> String {
    // A commit may claim any time (fuzzing found `i64::MIN`): saturate, never overflow.
    let local = seconds.saturating_add(i64::from(offset));
    let days = local.div_euclid(86_400);
    let secs = local.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let sign = if offset < 0 { '-' } else { '+' };
    let off = offset.unsigned_abs();
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60,
        off / 3600,
        off % 3600 / 60
    )
}

/// Threads to use: `n`, or one per core when 0.
pub(crate) fn threads(n: usize) -> usize {
    if n == 0 {
        std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get)
    } else {
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates() {
        assert_eq!(iso8601(0, 0), "1970-01-01T00:00:00+00:00");
        assert_eq!(iso8601(1_700_000_000, 3600), "2023-11-14T23:13:20+01:00");
        assert_eq!(
            iso8601(1_700_000_000, -5 * 3600 - 1800),
            "2023-11-14T16:43:20-05:30"
        );
        assert_eq!(iso8601(951_782_400, 0), "2000-02-29T00:00:00+00:00");
    }

    #[test]
    fn extreme_commit_times_do_not_overflow() {
        // Found by the git_objects fuzz target: an author time of i64::MIN with a negative offset.
        for (s, o) in [
            (i64::MIN, -3600),
            (i64::MAX, 50_400),
            (i64::MIN, i32::MIN),
            (i64::MAX, i32::MAX),
        ] {
            assert!(!iso8601(s, o).is_empty());
        }
        let c = b"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A <a@b> -9223372036854775808 -0100\ncommitter C <c@d> 0 +0000\n\nx\n";
        let info = parse_commit_info(String::new(), c, gix::hash::Kind::Sha1);
        assert_eq!(info.summary, "x");
    }

    #[test]
    fn added_line_ranges() {
        assert_eq!(added_lines(b"", b"a\nb\n"), vec![1..3]);
        assert_eq!(added_lines(b"a\nb\nc\n", b"a\nX\nc\nY\n"), vec![2..3, 4..5]);
        assert!(added_lines(b"a\nb\n", b"a\n").is_empty());
    }

    #[test]
    fn lfs_pointer() {
        assert!(is_lfs_pointer(
            b"version https://git-lfs.github.com/spec/v1\noid sha256:4d7a\nsize 12345\n"
        ));
        assert!(!is_lfs_pointer(b"hello"));
    }
}
