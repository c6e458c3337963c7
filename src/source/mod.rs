//! Sources of content to scan, and what a scan of them produced.
//!
//! Each source reads content (a working tree today; git history, staged changes and stdin build
//! on the same outcome types) and runs the [`crate::matching::Scanner`] on it. One unreadable,
//! binary or oversized file never stops a scan: it is recorded in [`Outcome`] and the scan goes on.

pub mod archive;
pub mod git;
pub mod stdin;
pub mod worktree;

use std::time::Duration;

use crate::matching::{Input, RawMatch, Scanner, Scratch};

/// Default cap on the size of one file or blob (bytes); bigger ones are skipped and reported.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 10 * 1024 * 1024;

/// Bytes inspected for a NUL to decide a file is binary (git's heuristic).
const BINARY_PROBE: usize = 8000;

/// Whether content looks binary: a NUL byte in its first 8000 bytes, as git decides.
pub fn is_binary(data: &[u8]) -> bool {
    memchr::memchr(0, &data[..data.len().min(BINARY_PROBE)]).is_some()
}

/// A callback that sees each match as it is found: `(path, match)`. Called from worker threads.
pub type Sink<'a> = dyn Fn(&str, &RawMatch) + Sync + 'a;

/// A file or blob that could not be scanned.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ScanError {
    /// Path (relative to the scan root where possible).
    pub path: String,
    /// One-line reason.
    pub message: String,
}

/// Why a file was not scanned (not an error).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SkipReason {
    /// It contains a NUL byte early on.
    Binary,
    /// It is larger than the size cap (its size in bytes).
    TooLarge(u64),
    /// A global path allowlist excludes it.
    Allowlisted,
    /// An archive, or a member of one, that was not opened (the path says which).
    Archive(archive::ArchiveSkip),
}

/// Scans one blob's content: an archive's members (see [`archive`]), or the text itself.
/// `Err(Binary)` for binary content that is not an archive (or with `--no-archives`),
/// `Err(Archive(_))` for an archive that could not be opened at all. `Ok` holds what could not be
/// scanned inside an archive, with `path!member` paths.
pub(crate) fn scan_content(
    scanner: &Scanner<'_>,
    input: Input<'_>,
    scratch: &mut Scratch,
    out: &mut Vec<RawMatch>,
) -> Result<Vec<Skipped>, SkipReason> {
    if let Some(a) = archive::scan(scanner, input, scratch, out) {
        if let [(None, why)] = a.notes[..] {
            if a.members == 0 {
                return Err(SkipReason::Archive(why));
            }
        }
        let path = input.path.unwrap_or("-");
        return Ok(a
            .notes
            .into_iter()
            .map(|(member, why)| Skipped {
                path: member.map_or_else(|| path.to_string(), |m| format!("{path}!{m}")),
                reason: SkipReason::Archive(why),
            })
            .collect());
    }
    if is_binary(input.data) {
        return Err(SkipReason::Binary);
    }
    scanner.scan(input, scratch, out);
    Ok(Vec::new())
}

/// A file that was skipped.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Skipped {
    /// Path.
    pub path: String,
    /// Why.
    pub reason: SkipReason,
}

/// Counters of one scan.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// Files or blobs scanned.
    pub files_scanned: u64,
    /// Bytes scanned.
    pub bytes_scanned: u64,
    /// Wall time.
    pub elapsed: Duration,
    /// Git sources (`--history`, `--range`, `--staged`): what was enumerated.
    pub git: Option<git::GitStats>,
}

/// Everything a scan of one source produced, before findings are grouped.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Surviving matches with the path they were found at.
    pub matches: Vec<(String, RawMatch)>,
    /// Per-file errors, sorted.
    pub errors: Vec<ScanError>,
    /// Skipped files, sorted.
    pub skipped: Vec<Skipped>,
    /// Counters.
    pub stats: Stats,
}

impl Outcome {
    /// Sorts errors and skipped files so output is deterministic.
    pub(crate) fn finish(&mut self) {
        self.errors.sort();
        self.skipped.sort();
    }
}
