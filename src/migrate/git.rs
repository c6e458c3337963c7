//! The few git operations migrate needs, through the `git` command (the index must be changed
//! the way git itself changes it, under its lock).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A git failure, one line.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct GitError(pub String);

fn git(root: &Path, args: &[&str]) -> Result<Vec<u8>, GitError> {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .output()
        .map_err(|e| GitError(format!("cannot run git: {e}")))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(GitError(format!(
            "git {}: {}",
            args.first().copied().unwrap_or(""),
            err.lines().next().unwrap_or("failed").trim()
        )));
    }
    Ok(out.stdout)
}

fn trimmed(b: Vec<u8>) -> String {
    String::from_utf8_lossy(&b)
        .trim_end_matches(['\n', '\r'])
        .to_string()
}

/// The top of the working tree containing `dir`.
pub fn toplevel(dir: &Path) -> Result<PathBuf, GitError> {
    let out = git(dir, &["rev-parse", "--show-toplevel"]).map_err(|e| {
        GitError(format!(
            "{}: not inside a git working tree ({})",
            dir.display(),
            e.0
        ))
    })?;
    Ok(PathBuf::from(trimmed(out)))
}

/// The repository's git directory (absolute).
pub fn git_dir(root: &Path) -> Result<PathBuf, GitError> {
    Ok(PathBuf::from(trimmed(git(
        root,
        &["rev-parse", "--absolute-git-dir"],
    )?)))
}

/// The URL of the remote `name` (`git remote get-url`), `None` when there is no such remote.
pub fn remote_url(root: &Path, name: &str) -> Option<String> {
    git(root, &["remote", "get-url", "--", name])
        .ok()
        .map(trimmed)
        .filter(|u| !u.is_empty())
}

/// Tracked paths (relative to the top, `/`-separated).
pub fn tracked(root: &Path) -> Result<BTreeSet<String>, GitError> {
    let out = git(root, &["ls-files", "-z", "--full-name"])?;
    Ok(out
        .split(|&b| b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect())
}

/// `git rm --cached` of one path: the working copy stays.
pub fn untrack(root: &Path, path: &str) -> Result<(), GitError> {
    git(
        root,
        &["rm", "--cached", "--quiet", "--ignore-unmatch", "--", path],
    )
    .map(drop)
}

/// Whether git ignores `path` (which need not exist).
pub fn is_ignored(root: &Path, path: &str) -> Result<bool, GitError> {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["check-ignore", "-q", "--no-index", "--", path])
        .output()
        .map_err(|e| GitError(format!("cannot run git: {e}")))?;
    match out.status.code() {
        Some(0) => Ok(true),
        Some(1) => Ok(false),
        _ => Err(GitError(format!(
            "git check-ignore {path}: {}",
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .next()
                .unwrap_or("failed")
        ))),
    }
}

/// Paths with changes in the working tree that are not staged, and untracked paths (one
/// `git status` for the whole tree).
pub fn unstaged(root: &Path) -> Result<BTreeSet<String>, GitError> {
    let out = git(
        root,
        &[
            "status",
            "--porcelain=v1",
            "-z",
            "--untracked-files=all",
            "--no-renames",
        ],
    )?;
    Ok(out
        .split(|&b| b == 0)
        .filter(|e| e.len() > 3 && e[1] != b' ')
        .map(|e| String::from_utf8_lossy(&e[3..]).into_owned())
        .collect())
}

/// `git add` of paths (so the index matches what migrate wrote).
pub fn stage(root: &Path, paths: &[&str]) -> Result<(), GitError> {
    if paths.is_empty() {
        return Ok(());
    }
    let mut args = vec!["add", "--"];
    args.extend_from_slice(paths);
    git(root, &args).map(drop)
}

/// Whether git tracks `path`.
pub fn is_tracked(root: &Path, path: &str) -> Result<bool, GitError> {
    let out = git(root, &["ls-files", "--", path])?;
    Ok(!out.is_empty())
}
