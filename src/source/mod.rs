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

/// Whether content looks binary. Git's test (a NUL in the first 8000 bytes) alone would let one
/// stray NUL hide a whole text file from the scan, so a probe with a NUL is binary only when
/// NULs or other control bytes are more than rare: over 8 NULs, or at least two control bytes
/// (other than tab, newlines, form feed and escape; the NUL counts) making up over 1% of it. Images, archives, executables and
/// UTF-16 text are far above both.
pub fn is_binary(data: &[u8]) -> bool {
    let probe = &data[..data.len().min(BINARY_PROBE)];
    let nuls = memchr::memchr_iter(0, probe).count();
    if nuls == 0 {
        return false;
    }
    if nuls > 8 {
        return true;
    }
    let control = probe
        .iter()
        .filter(|&&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c | 0x1b)) || b == 0x7f)
        .count();
    // One stray NUL alone (a truncated write, a test fixture) leaves text text.
    control >= 2 && control * 100 > probe.len()
}

/// Runs `work` on up to `n` scoped threads, each pulling items until none are left. When the OS
/// refuses a thread (a process or container thread limit), the work runs on the threads that did
/// start, or on the caller's thread when none did, instead of panicking.
pub(crate) fn run_workers(n: usize, work: &(dyn Fn() + Sync)) {
    // One worker: this thread (starting one costs a thread and, under load, a wait to be scheduled).
    if n <= 1 {
        work();
        return;
    }
    std::thread::scope(|s| {
        let started = (0..n.max(1))
            .filter(|_| std::thread::Builder::new().spawn_scoped(s, work).is_ok())
            .count();
        if started == 0 {
            work();
        }
    });
}

/// Whether one more thread can be started now (a probe before handing work to a pool that
/// would panic if it could not start its threads).
pub(crate) fn can_spawn_thread() -> bool {
    std::thread::Builder::new()
        .spawn(|| ())
        .is_ok_and(|h| h.join().is_ok())
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

#[cfg(test)]
mod tests {
    #[test]
    fn a_stray_nul_does_not_make_text_binary() {
        let mut text = b"password = hunter2-but-longer\n".repeat(20);
        text.insert(40, 0);
        assert!(!super::is_binary(&text));
        assert!(super::is_binary(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0"));
        assert!(super::is_binary(&b"a\0b\0c\0d\0e\0f\0g\0h\0i\0".repeat(3)));
        assert!(super::is_binary(b"\x7fELF\x02\x01\x01\0"));
        assert!(!super::is_binary(b"plain text"));
    }
}
