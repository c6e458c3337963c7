//! Every file leakless writes, and every config-like file it reads, goes through here.
//!
//! In CI leakless runs inside a checkout it must not trust: a pull request can commit a symbolic
//! link where the report or baseline will be written (pointing at `~/.bashrc` or a file outside
//! the checkout), or make `.leaklessignore` a link to `/proc/self/environ` so a parse error would
//! print the runner's environment. So writing never follows a link at the target (it is refused),
//! goes to a temporary file beside the target that is renamed over it only when complete (a
//! failed run leaves the old file as it was, a crash never leaves a torn one), and gets mode 0600
//! when the content holds raw secrets. Reading a config-like file (config, `[extend] path`,
//! ignore file, baseline) accepts only a regular file, inside the repository unless the user
//! named it on the command line, up to [`MAX_CONFIG_SIZE`]; errors name the file and the problem
//! and never quote its content.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use thiserror::Error;

/// The largest config, ignore file or baseline read (a baseline of 100,000 findings is ~20 MB).
pub const MAX_CONFIG_SIZE: u64 = 32 << 20;

/// The marker in temporary file names (`.env.local.leakless-tmp-PID`); `migrate` adds
/// `*.leakless-tmp-*` to `.gitignore` when they may hold secrets, and a later run removes stale
/// ones.
pub const TEMP_MARKER: &str = ".leakless-tmp-";

/// Permissions of a file written here (Unix; ignored elsewhere).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Perm {
    /// Keep the old file's permissions; a new file gets these bits.
    Keep(u32),
    /// Always these bits (files holding secrets: 0600).
    Exactly(u32),
    /// A new file as the process' umask makes it (0666 minus umask), like any tool's output.
    Umask,
}

/// The error for a write target that is a symbolic link.
fn symlink_refused(path: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "{} is a symbolic link; leakless does not write through links (remove it or choose another path)",
            path.display()
        ),
    )
}

/// Whether `path` is a stream to write into rather than a file to replace: the process' own
/// standard streams named on the command line (`/dev/stdout`, `/dev/stderr`, `/dev/fd/N`,
/// `/proc/self/fd/N`), or an existing FIFO or device that is not a link (`/dev/null`, a FIFO the
/// user made; git cannot commit those, so no checkout plants one). Replacing `/dev/null` with a
/// renamed temporary would be a disaster; writing into it is what the user meant.
pub fn is_stream(path: &Path) -> bool {
    let s = path.to_string_lossy();
    let named = matches!(s.as_ref(), "/dev/stdout" | "/dev/stderr")
        || ["/dev/fd/", "/proc/self/fd/"].iter().any(|p| {
            s.strip_prefix(p)
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        });
    named
        || fs::symlink_metadata(path).is_ok_and(|m| {
            let t = m.file_type();
            !t.is_file() && !t.is_dir() && !t.is_symlink()
        })
}

/// Opens a stream target (see [`is_stream`]) for writing, without creating or truncating.
pub fn open_stream(path: &Path) -> io::Result<File> {
    OpenOptions::new().write(true).open(path)
}

/// Refuses a target that is a symbolic link (dangling or not) or a directory. A missing file or
/// a stream ([`is_stream`]) is fine.
pub fn check_target(path: &Path) -> io::Result<()> {
    if is_stream(path) {
        return Ok(());
    }
    match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Err(symlink_refused(path)),
        Ok(m) if m.is_dir() => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} is a directory", path.display()),
        )),
        _ => Ok(()),
    }
}

fn parent_dir(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

fn temp_name(dir: &Path, name: &str) -> PathBuf {
    let dot = if name.starts_with('.') { "" } else { "." };
    dir.join(format!("{dot}{name}{TEMP_MARKER}{}", std::process::id()))
}

/// A file being written: a temporary beside the target until [`AtomicFile::commit`] renames it
/// over the target. Dropped without `commit` (an error, a panic), the temporary is removed and
/// the target is untouched.
#[derive(Debug)]
pub struct AtomicFile {
    target: PathBuf,
    tmp: PathBuf,
    file: Option<File>,
    /// Read on Unix only (Windows has no mode bits to set).
    #[cfg_attr(not(unix), allow(dead_code))]
    perm: Perm,
}

impl AtomicFile {
    /// Creates the temporary for `target` (refusing a target that is a symbolic link). The
    /// temporary is created exclusively (never through an existing file or link) and private
    /// (0600) when `perm` is not [`Perm::Umask`].
    pub fn create(target: &Path, perm: Perm) -> io::Result<Self> {
        check_target(target)?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = temp_name(parent_dir(target), &name);
        // A temporary left by a killed run of the same pid is ours to replace.
        if fs::symlink_metadata(&tmp).is_ok_and(|m| m.is_file()) {
            let _ = fs::remove_file(&tmp);
        }
        let mut opts = OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            // Private until complete, widened below if asked: a secret never sits in a
            // world-readable temporary.
            opts.mode(if perm == Perm::Umask { 0o666 } else { 0o600 });
        }
        let file = opts.open(&tmp)?;
        Ok(Self {
            target: target.to_path_buf(),
            tmp,
            file: Some(file),
            perm,
        })
    }

    /// The path that will be replaced.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Flushes, sets permissions, fsyncs and renames the temporary over the target (replacing
    /// a link that appeared meanwhile, never writing through it), then fsyncs the directory.
    pub fn commit(mut self) -> io::Result<()> {
        let file = self.file.take().expect("commit is called once, on an open file");
        let result = (|| {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let existing = fs::symlink_metadata(&self.target)
                    .ok()
                    .filter(fs::Metadata::is_file);
                let mode = match (self.perm, &existing) {
                    (Perm::Exactly(m), _) => Some(m),
                    (Perm::Keep(_), Some(old)) => Some(old.permissions().mode() & 0o7777),
                    (Perm::Keep(m), None) => Some(m),
                    (Perm::Umask, _) => None,
                };
                if let Some(mode) = mode {
                    file.set_permissions(fs::Permissions::from_mode(mode))?;
                }
            }
            file.sync_all()?;
            drop(file);
            // The target may have become a link since `create`: refuse rather than replace it
            // silently (rename itself would replace the link, not its target).
            check_target(&self.target)?;
            fs::rename(&self.tmp, &self.target)?;
            sync_dir(parent_dir(&self.target));
            Ok(())
        })();
        if result.is_err() {
            let _ = fs::remove_file(&self.tmp);
        }
        // Nothing left for Drop to clean up.
        self.tmp = PathBuf::new();
        result
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.file {
            Some(f) => f.write(buf),
            None => Err(io::Error::other("file already committed")),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.file {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.tmp.as_os_str().is_empty() {
            self.file.take();
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

/// Replaces `path` with `bytes` atomically (temporary + fsync + rename + directory fsync), with
/// permissions per `perm`; refuses a `path` that is a symbolic link. A failed write (disk full)
/// leaves the old file untouched and removes the temporary.
pub fn write_atomic(path: &Path, bytes: &[u8], perm: Perm) -> io::Result<()> {
    if is_stream(path) {
        return open_stream(path)?.write_all(bytes);
    }
    let mut f = AtomicFile::create(path, perm)?;
    f.write_all(bytes)?;
    f.commit()
}

/// Removes temporaries a killed run left in `dir`; returns how many.
pub fn remove_stale_temps(dir: &Path) -> usize {
    let Ok(entries) = fs::read_dir(dir) else {
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

/// Why a config-like file was not read. Never holds any of the file's content.
#[derive(Debug, Error)]
pub enum ReadError {
    /// Missing, unreadable, ...
    #[error("{path}: cannot read: {source}")]
    Io {
        /// The file.
        path: String,
        /// Cause.
        source: io::Error,
    },
    /// A symbolic link, FIFO, device, directory...
    #[error("{path}: not a regular file ({kind}); config, ignore and baseline files must be regular files")]
    NotRegular {
        /// The file.
        path: String,
        /// What it is.
        kind: &'static str,
    },
    /// Outside the repository, and not named on the command line.
    #[error(
        "{path}: outside the repository {root}; only files inside it (or given on the command line) are read"
    )]
    Outside {
        /// The file.
        path: String,
        /// The repository.
        root: String,
    },
    /// Over [`MAX_CONFIG_SIZE`].
    #[error("{path}: larger than {max} bytes")]
    TooLarge {
        /// The file.
        path: String,
        /// The cap.
        max: u64,
    },
    /// Not UTF-8.
    #[error("{path}: not UTF-8 text (byte {offset})")]
    NotUtf8 {
        /// The file.
        path: String,
        /// First invalid byte.
        offset: usize,
    },
}

/// What a file system entry is, for messages.
fn kind_of(ft: fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a FIFO";
        }
        if ft.is_char_device() {
            return "a character device";
        }
        if ft.is_block_device() {
            return "a block device";
        }
        if ft.is_socket() {
            return "a socket";
        }
    }
    if ft.is_symlink() {
        "a symbolic link"
    } else if ft.is_dir() {
        "a directory"
    } else {
        "not a file"
    }
}

/// Where a config-like file may be.
#[derive(Debug, Clone, Copy)]
pub enum Origin<'a> {
    /// Named on the command line: any regular file (a link is followed; the user chose it).
    CommandLine,
    /// Found or referenced by content: a regular file, not a link, inside `root`.
    Inside(&'a Path),
}

/// Reads a config-like file as text: a regular file (see [`Origin`]) of at most
/// [`MAX_CONFIG_SIZE`] bytes (`/proc` files report size 0, so the cap holds while reading too).
pub fn read_config(path: &Path, origin: Origin<'_>) -> Result<String, ReadError> {
    let name = path.display().to_string();
    let io_err = |source| ReadError::Io {
        path: name.clone(),
        source,
    };
    let meta = match origin {
        Origin::CommandLine => fs::metadata(path),
        Origin::Inside(_) => fs::symlink_metadata(path),
    }
    .map_err(io_err)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular {
            path: name,
            kind: kind_of(meta.file_type()),
        });
    }
    if let Origin::Inside(root) = origin {
        let canon = |p: &Path| fs::canonicalize(p);
        let (root_c, path_c) = (canon(root).map_err(io_err)?, canon(path).map_err(io_err)?);
        if !path_c.starts_with(&root_c) {
            return Err(ReadError::Outside {
                path: name,
                root: root.display().to_string(),
            });
        }
    }
    if meta.len() > MAX_CONFIG_SIZE {
        return Err(ReadError::TooLarge {
            path: name,
            max: MAX_CONFIG_SIZE,
        });
    }
    let file = File::open(path).map_err(io_err)?;
    let mut bytes = Vec::new();
    file.take(MAX_CONFIG_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(io_err)?;
    text_of(bytes, &name)
}

/// Checks bytes read from anywhere (a file, a git blob) against the size cap and UTF-8.
pub fn text_of(bytes: Vec<u8>, name: &str) -> Result<String, ReadError> {
    if bytes.len() as u64 > MAX_CONFIG_SIZE {
        return Err(ReadError::TooLarge {
            path: name.to_string(),
            max: MAX_CONFIG_SIZE,
        });
    }
    String::from_utf8(bytes).map_err(|e| ReadError::NotUtf8 {
        path: name.to_string(),
        offset: e.utf8_error().valid_up_to(),
    })
}

/// A parser's error message with every quoted span (`"…"`, `'…'`, and backticked spans other
/// than short field names) replaced by `…`, control characters escaped, at most 200 characters:
/// parsers quote the offending value, and the file may not be what it claims (a link to
/// `/proc/self/environ`, a credentials file named on the command line).
pub fn scrub(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len().min(256));
    let mut chars = msg.chars().peekable();
    while let Some(c) = chars.next() {
        if matches!(c, '"' | '\'' | '`') {
            let mut inner = String::new();
            let mut closed = false;
            while let Some(&n) = chars.peek() {
                chars.next();
                if n == '\\' {
                    chars.next();
                    inner.push('?');
                    continue;
                }
                if n == c {
                    closed = true;
                    break;
                }
                inner.push(n);
            }
            let field = c == '`'
                && inner.len() <= 24
                && inner
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.');
            if field || (c == '`' && inner.chars().all(|ch| ch.is_ascii_punctuation())) {
                out.push(c);
                out.push_str(&inner);
            } else {
                out.push(c);
                out.push('…');
            }
            if closed {
                out.push(c);
            }
            continue;
        }
        if c.is_control() {
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    if out.chars().count() > 200 {
        out = out.chars().take(199).collect();
        out.push('…');
    }
    out
}

/// Where config-like files come from: the working tree, or a git revision (the trusted base
/// of a `--range` scan, see [`crate::source::git::revfiles`]).
pub trait ConfigReader: std::fmt::Debug + Send + Sync {
    /// Reads `path` (relative to the current directory, as the user or a config wrote it);
    /// `named`: the user gave it on the command line (or it is referenced from such a file).
    fn read(&self, path: &Path, named: bool) -> Result<String, ReadError>;
    /// Whether something is at `path` (a default file name is looked for with this; a link or
    /// FIFO there exists, so reading it reports it instead of skipping it silently).
    fn exists(&self, path: &Path) -> bool;
}

/// Config-like files from the working tree; those not named on the command line must be
/// regular files inside `root` (the repository, or the scanned directory outside git).
#[derive(Debug, Clone, Default)]
pub struct WorktreeFiles {
    /// The repository's top directory.
    pub root: Option<PathBuf>,
}

impl WorktreeFiles {
    /// For a scan of `dir`: its git work tree (the nearest ancestor with `.git`), else `dir`.
    pub fn for_dir(dir: &Path) -> Self {
        let start = fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
        let top = start
            .ancestors()
            .find(|a| fs::symlink_metadata(a.join(".git")).is_ok())
            .map_or_else(|| start.clone(), Path::to_path_buf);
        Self { root: Some(top) }
    }
}

impl ConfigReader for WorktreeFiles {
    fn read(&self, path: &Path, named: bool) -> Result<String, ReadError> {
        let origin = match (&self.root, named) {
            (Some(root), false) => Origin::Inside(root),
            _ => Origin::CommandLine,
        };
        read_config(path, origin)
    }

    fn exists(&self, path: &Path) -> bool {
        fs::symlink_metadata(path).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_write_keeps_the_old_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("report.json");
        fs::write(&target, "old").expect("write");
        {
            let mut f = AtomicFile::create(&target, Perm::Umask).expect("create");
            f.write_all(b"half").expect("write");
            // Dropped without commit: an error happened.
        }
        assert_eq!(fs::read_to_string(&target).expect("read"), "old");
        assert_eq!(
            fs::read_dir(dir.path()).expect("ls").count(),
            1,
            "temporary removed"
        );
        write_atomic(&target, b"new", Perm::Umask).expect("write");
        assert_eq!(fs::read_to_string(&target).expect("read"), "new");
    }

    /// Every `Perm` works where there are no Unix modes too (the Windows path of `create` and
    /// `commit`): new and existing targets get the bytes, no temporary is left behind.
    #[test]
    fn atomic_writes_replace_files_with_every_perm() {
        let dir = tempfile::tempdir().expect("tempdir");
        for (i, perm) in [Perm::Umask, Perm::Exactly(0o600), Perm::Keep(0o644)]
            .into_iter()
            .enumerate()
        {
            let target = dir.path().join(format!("f{i}"));
            write_atomic(&target, b"first", perm).expect("create");
            write_atomic(&target, b"second\r\n", perm).expect("replace");
            assert_eq!(fs::read(&target).expect("read"), b"second\r\n");
        }
        assert_eq!(
            fs::read_dir(dir.path()).expect("ls").count(),
            3,
            "no temporaries left"
        );
    }

    #[cfg(unix)]
    #[test]
    fn links_are_refused_and_targets_untouched() {
        let dir = tempfile::tempdir().expect("tempdir");
        let victim = dir.path().join("victim");
        fs::write(&victim, "precious").expect("write");
        let link = dir.path().join("out.sarif");
        std::os::unix::fs::symlink(&victim, &link).expect("symlink");
        let err = write_atomic(&link, b"x", Perm::Umask).expect_err("refused");
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert_eq!(fs::read_to_string(&victim).expect("read"), "precious");
        assert!(fs::symlink_metadata(&link)
            .expect("meta")
            .file_type()
            .is_symlink());
    }

    #[cfg(unix)]
    #[test]
    fn streams_are_written_into_not_replaced() {
        assert!(is_stream(Path::new("/dev/null")));
        assert!(is_stream(Path::new("/dev/stdout")));
        assert!(is_stream(Path::new("/proc/self/fd/1")));
        assert!(!is_stream(Path::new("/dev/fd/x")));
        write_atomic(Path::new("/dev/null"), b"report", Perm::Umask).expect("write");
        assert!(
            fs::symlink_metadata("/dev/null").is_ok_and(|m| !m.is_file()),
            "still a device"
        );
        let dir = tempfile::tempdir().expect("tempdir");
        assert!(!is_stream(&dir.path().join("report.json")));
    }

    #[cfg(unix)]
    #[test]
    fn secret_files_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("s");
        fs::write(&p, "old").expect("write");
        fs::set_permissions(&p, fs::Permissions::from_mode(0o644)).expect("chmod");
        write_atomic(&p, b"x", Perm::Exactly(0o600)).expect("write");
        assert_eq!(
            fs::metadata(&p).expect("meta").permissions().mode() & 0o777,
            0o600
        );
        write_atomic(&p, b"y", Perm::Keep(0o644)).expect("write");
        assert_eq!(
            fs::metadata(&p).expect("meta").permissions().mode() & 0o777,
            0o600
        );
    }

    #[test]
    fn scrubbed_messages_quote_nothing() {
        assert_eq!(
            scrub("invalid type: string \"AKIAIOSFODNN7EXAMPL3\", expected usize"), // leakless:allow
            "invalid type: string \"…\", expected usize"
        );
        assert_eq!(scrub("missing field `id`"), "missing field `id`");
        assert_eq!(scrub("expected `=`, found 'x\\'y'"), "expected `=`, found '…'");
        assert_eq!(scrub("a\u{1b}[2Jb"), "a [2Jb");
    }

    #[cfg(unix)]
    #[test]
    fn config_reads_are_confined() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("repo");
        fs::create_dir(&root).expect("mkdir");
        fs::write(dir.path().join("outside.toml"), "x").expect("write");
        fs::write(root.join("in.toml"), "title = 'x'").expect("write");
        std::os::unix::fs::symlink("/proc/self/environ", root.join("env")).expect("symlink");
        let inside = Origin::Inside(&root);
        assert_eq!(
            read_config(&root.join("in.toml"), inside).expect("reads"),
            "title = 'x'"
        );
        let e = read_config(&root.join("env"), inside).expect_err("link");
        assert!(matches!(e, ReadError::NotRegular { .. }), "{e}");
        let e = read_config(&root.join("../outside.toml"), inside).expect_err("outside");
        assert!(matches!(e, ReadError::Outside { .. }), "{e}");
        let e = read_config(&root, Origin::CommandLine).expect_err("dir");
        assert!(matches!(e, ReadError::NotRegular { .. }), "{e}");
    }
}
