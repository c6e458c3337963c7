//! Atomic file replacement: write a temporary file beside the target, fsync it, rename it over
//! the target, fsync the directory. A crash leaves either the old or the new file, never a torn
//! one; a failed write (disk full) leaves the old file untouched and removes the temporary.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Permissions of a file written by [`write_atomic`].
#[derive(Clone, Copy, Debug)]
pub enum Perm {
    /// Keep the old file's permissions; a new file gets these bits.
    Keep(u32),
    /// Always these bits (secret files: 0600).
    Exactly(u32),
}

/// Replaces `path` with `bytes` atomically, with permissions per `perm` (Unix).
pub fn write_atomic(path: &Path, bytes: &[u8], perm: Perm) -> io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = temp_name(dir, &name);
    #[cfg(unix)]
    let existing = fs::metadata(path).ok();
    #[cfg(not(unix))]
    let _ = perm;
    let result = (|| {
        let mut opts = OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            // Create private, widen below if the old file was wider: a secret never sits in a
            // world-readable temporary.
            opts.mode(0o600);
        }
        let mut f = opts.open(&tmp)?;
        f.write_all(bytes)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = match (perm, &existing) {
                (Perm::Exactly(m), _) => m,
                (Perm::Keep(_), Some(old)) => old.permissions().mode() & 0o7777,
                (Perm::Keep(m), None) => m,
            };
            f.set_permissions(fs::Permissions::from_mode(mode))?;
        }
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, path)?;
        sync_dir(dir);
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// The marker in temporary file names (`.env.local.leakless-tmp-PID`); `.gitignore` gets
/// `*.leakless-tmp-*` when they may hold secrets, and a later run removes stale ones.
pub const TEMP_MARKER: &str = ".leakless-tmp-";

fn temp_name(dir: &Path, name: &str) -> PathBuf {
    let dot = if name.starts_with('.') { "" } else { "." };
    dir.join(format!("{dot}{name}{TEMP_MARKER}{}", std::process::id()))
}

/// Removes temporaries a killed run left in `dir`; returns how many.
pub fn remove_stale_temps(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(TEMP_MARKER))
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter(|e| fs::remove_file(e.path()).is_ok())
        .count()
}

/// Best-effort fsync of a directory, so a rename survives a power cut.
pub fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}
