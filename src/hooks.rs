//! Installing leakless as a plain git hook, without the pre-commit framework.
//!
//! `leakless install-hook` writes a small shell hook into the repository's hooks directory (as git
//! resolves it, so `core.hooksPath` is respected). An existing hook that is not ours is never
//! overwritten: it is renamed to `<hook>.leakless-chained` and our hook runs it first, passing on
//! its arguments and standard input, and stops if it fails. `uninstall-hook` removes our hook and
//! puts the chained one back.

use std::path::{Path, PathBuf};
use std::process::Command;

use thiserror::Error;

/// Marker line identifying a hook written by leakless.
pub const MARKER: &str = "# leakless-hook";
/// Suffix of a pre-existing hook kept and chained by ours.
pub const CHAINED_SUFFIX: &str = ".leakless-chained";

/// Which git hook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookKind {
    /// `pre-commit`: scans the staged change.
    PreCommit,
    /// `pre-push`: scans the pushed commits.
    PrePush,
}

impl HookKind {
    /// The hook's file name.
    pub fn file_name(self) -> &'static str {
        match self {
            Self::PreCommit => "pre-commit",
            Self::PrePush => "pre-push",
        }
    }
}

/// Why a hook could not be (un)installed.
#[derive(Debug, Error)]
pub enum HookError {
    /// Not in a git repository, or git is missing.
    #[error("cannot find the git hooks directory: {0}")]
    NoRepo(String),
    /// File system error.
    #[error("{path}: {source}")]
    Io {
        /// Path.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
    /// Refused without `--force`.
    #[error("{0}")]
    Refused(String),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> HookError + '_ {
    move |source| HookError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// The hooks directory of the repository containing `dir` (`git rev-parse --git-path hooks`,
/// which honours `core.hooksPath`).
pub fn hooks_dir(dir: &Path) -> Result<PathBuf, HookError> {
    let out = Command::new("git")
        .args(["rev-parse", "--git-path", "hooks"])
        .current_dir(dir)
        .output()
        .map_err(|e| HookError::NoRepo(format!("cannot run git: {e}")))?;
    if !out.status.success() {
        return Err(HookError::NoRepo(
            String::from_utf8_lossy(&out.stderr).trim().to_string(),
        ));
    }
    let rel = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    Ok(if rel.is_absolute() { rel } else { dir.join(rel) })
}

/// Quotes a string for a POSIX shell.
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The hook script. `fallback` is the leakless binary to use when none is on `PATH`.
pub fn script(kind: HookKind, fallback: &Path) -> String {
    let name = kind.file_name();
    let fallback = sh_quote(&fallback.display().to_string());
    let (read_stdin, run_chained, run_leakless) = match kind {
        HookKind::PreCommit => (
            "",
            "    \"$chained\" \"$@\" || exit $?\n",
            "exec \"$LEAKLESS\" hook pre-commit\n",
        ),
        HookKind::PrePush => (
            "refs=$(cat)\n",
            "    printf '%s\\n' \"$refs\" | \"$chained\" \"$@\" || exit $?\n",
            "printf '%s\\n' \"$refs\" | \"$LEAKLESS\" hook pre-push \"$@\"\n",
        ),
    };
    format!(
        "#!/bin/sh\n{MARKER}: installed by `leakless install-hook`; remove with `leakless uninstall-hook`.\n\
         # A {name} hook that was here before is kept as {name}{CHAINED_SUFFIX} and runs first.\n\
         # Skip once: git {verb} --no-verify\n\
         LEAKLESS=${{LEAKLESS:-leakless}}\n\
         command -v \"$LEAKLESS\" >/dev/null 2>&1 || LEAKLESS={fallback}\n\
         {read_stdin}chained=\"$(dirname \"$0\")/{name}{CHAINED_SUFFIX}\"\n\
         if [ -x \"$chained\" ]; then\n{run_chained}fi\n{run_leakless}",
        verb = if kind == HookKind::PreCommit {
            "commit"
        } else {
            "push"
        },
    )
}

/// What [`install`] did.
#[derive(Debug, PartialEq, Eq)]
pub enum Installed {
    /// Wrote a new hook.
    New(PathBuf),
    /// Wrote our hook and chained the existing one (kept at the second path).
    Chained(PathBuf, PathBuf),
    /// Our hook was already there (rewritten with `--force`).
    AlreadyInstalled(PathBuf),
}

fn is_ours(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|t| t.contains(MARKER))
}

/// Installs the hook into `hooks`, chaining an existing foreign hook.
pub fn install(hooks: &Path, kind: HookKind, binary: &Path, force: bool) -> Result<Installed, HookError> {
    std::fs::create_dir_all(hooks).map_err(io(hooks))?;
    let path = hooks.join(kind.file_name());
    let chained = hooks.join(format!("{}{CHAINED_SUFFIX}", kind.file_name()));
    let text = script(kind, binary);
    let write = |p: &Path| -> Result<(), HookError> {
        crate::safefs::write_atomic(p, text.as_bytes(), crate::safefs::Perm::Exactly(0o755)).map_err(io(p))
    };
    if path.exists() || path.is_symlink() {
        if is_ours(&path) {
            if force {
                write(&path)?;
            }
            return Ok(Installed::AlreadyInstalled(path));
        }
        if chained.exists() && !force {
            return Err(HookError::Refused(format!(
                "{} exists and so does {}; move one away or use --force (which replaces the chained copy)",
                path.display(),
                chained.display()
            )));
        }
        std::fs::rename(&path, &chained).map_err(io(&path))?;
        write(&path)?;
        return Ok(Installed::Chained(path, chained));
    }
    write(&path)?;
    Ok(Installed::New(path))
}

/// Removes our hook and restores a chained one. Returns the restored hook's path, if any.
pub fn uninstall(hooks: &Path, kind: HookKind) -> Result<Option<PathBuf>, HookError> {
    let path = hooks.join(kind.file_name());
    let chained = hooks.join(format!("{}{CHAINED_SUFFIX}", kind.file_name()));
    if !path.exists() {
        return Err(HookError::Refused(format!(
            "{}: no hook installed",
            path.display()
        )));
    }
    if !is_ours(&path) {
        return Err(HookError::Refused(format!(
            "{}: not installed by leakless; left alone",
            path.display()
        )));
    }
    std::fs::remove_file(&path).map_err(io(&path))?;
    if chained.exists() {
        std::fs::rename(&chained, &path).map_err(io(&chained))?;
        return Ok(Some(path));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn install_chain_uninstall_restores() {
        let dir = tempfile::tempdir().expect("tmp");
        let hooks = dir.path().join("hooks");
        std::fs::create_dir_all(&hooks).expect("mkdir");
        std::fs::write(hooks.join("pre-commit"), "#!/bin/sh\necho theirs\n").expect("write");
        let bin = Path::new("/opt/it's/leakless");
        let r = install(&hooks, HookKind::PreCommit, bin, false).expect("install");
        assert!(matches!(r, Installed::Chained(_, _)));
        let text = std::fs::read_to_string(hooks.join("pre-commit")).expect("read");
        assert!(
            text.contains(MARKER) && text.contains(r"LEAKLESS='/opt/it'\''s/leakless'"),
            "{text}"
        );
        assert_eq!(
            std::fs::read_to_string(hooks.join("pre-commit.leakless-chained")).expect("read"),
            "#!/bin/sh\necho theirs\n"
        );
        assert!(matches!(
            install(&hooks, HookKind::PreCommit, bin, false),
            Ok(Installed::AlreadyInstalled(_))
        ));
        assert_eq!(
            uninstall(&hooks, HookKind::PreCommit).expect("uninstall"),
            Some(hooks.join("pre-commit"))
        );
        assert_eq!(
            std::fs::read_to_string(hooks.join("pre-commit")).expect("read"),
            "#!/bin/sh\necho theirs\n"
        );
        assert!(
            uninstall(&hooks, HookKind::PreCommit).is_err(),
            "foreign hook left alone"
        );
    }
}
