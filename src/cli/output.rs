//! Where a command's report goes: stdout, a file written safely (a temporary renamed over the
//! target only when the report is complete, never through a symbolic link; see
//! [`crate::safefs`]), or a buffer (the hooks print the report only when they block).

use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};

use crate::safefs::{self, AtomicFile, Perm};

/// A writer into a shared buffer.
#[derive(Clone, Default)]
pub(super) struct SharedBuf(pub(super) Arc<Mutex<Vec<u8>>>);

impl SharedBuf {
    /// Takes what was written so far.
    pub(super) fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
    }
}

impl Write for SharedBuf {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A report's destination.
pub(super) enum Output {
    /// Standard output.
    Stdout(BufWriter<io::Stdout>),
    /// A file, replaced when [`Output::finish`] succeeds.
    File(BufWriter<AtomicFile>),
    /// A stream named as the output (`/dev/stdout`, `/dev/null`, a FIFO): written into.
    Stream(BufWriter<std::fs::File>),
    /// A buffer.
    Buf(SharedBuf),
}

impl Output {
    /// Standard output, or a temporary beside `path` (mode 0600 when the report holds raw
    /// secrets). Call only once the config and inputs have loaded: the old file stays as it is
    /// until [`Output::finish`].
    pub(super) fn open(path: Option<&Path>, holds_secrets: bool) -> Result<Self> {
        Ok(match path {
            None => Self::Stdout(BufWriter::new(io::stdout())),
            Some(p) if safefs::is_stream(p) => Self::Stream(BufWriter::new(
                safefs::open_stream(p).with_context(|| format!("Failed to open output {}", p.display()))?,
            )),
            Some(p) => {
                let perm = if holds_secrets {
                    Perm::Exactly(0o600)
                } else {
                    Perm::Umask
                };
                let f = AtomicFile::create(p, perm)
                    .with_context(|| format!("Failed to create output file {}", p.display()))?;
                Self::File(BufWriter::new(f))
            }
        })
    }

    /// Fails early (before a long scan) when `path` cannot be written safely.
    pub(super) fn check(path: Option<&Path>) -> Result<()> {
        if let Some(p) = path {
            safefs::check_target(p).context("Refusing the output file")?;
        }
        Ok(())
    }

    /// Flushes; a file replaces its target now.
    pub(super) fn finish(self) -> Result<()> {
        match self {
            Self::Stdout(mut w) => w.flush()?,
            Self::Stream(mut w) => w.flush()?,
            Self::File(w) => {
                let f = w.into_inner().map_err(io::IntoInnerError::into_error)?;
                let target = f.target().display().to_string();
                f.commit()
                    .with_context(|| format!("Failed to write output file {target}"))?;
            }
            Self::Buf(_) => {}
        }
        Ok(())
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Self::Stdout(w) => w.write(buf),
            Self::Stream(w) => w.write(buf),
            Self::File(w) => w.write(buf),
            Self::Buf(w) => w.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Self::Stdout(w) => w.flush(),
            Self::Stream(w) => w.flush(),
            Self::File(w) => w.flush(),
            Self::Buf(w) => w.flush(),
        }
    }
}
