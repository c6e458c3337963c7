//! Auditing many repositories: the list, the names, the shards and the resume state that
//! `leakless audit` (one machine) and the job-engine recipes (GitHub Actions matrix, Kubernetes
//! Indexed Job) share.
//!
//! An organisation outgrows one scan: the audit is a list of repositories (`repos.txt`: local
//! paths or clone URLs), each scanned on its own into `OUT/repos/<name>.json`, then merged. The
//! rules here are the contract every runner keeps: the same list gives the same names (so a
//! report file names its repository in the merged report), shard `i` of `n` is a fixed,
//! disjoint slice of the list (so `n` workers of any engine cover it exactly once), and a
//! repository whose report exists and reads back is finished (so an interrupted audit resumes
//! without rescanning it).

use std::path::{Path, PathBuf};

/// A repository list that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// A line that is neither a path nor a URL we clone.
    #[error("repository list line {line}: {why}")]
    BadLine {
        /// 1-based line.
        line: usize,
        /// What is wrong (never the line's text).
        why: &'static str,
    },
    /// `--shard I/N` out of range.
    #[error("shard {index}/{count}: the index must be below the count, and the count above 0")]
    BadShard {
        /// Index.
        index: usize,
        /// Count.
        count: usize,
    },
}

/// Where a repository comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RepoSource {
    /// A repository on this machine (working tree or bare).
    Local(PathBuf),
    /// A URL to clone (bare): `https://`, `ssh://`, `git://`, `file://` or `user@host:path`.
    Url(String),
}

/// One repository of the audit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoSpec {
    /// Its name: the report file's name and the merged report's `repository`.
    pub name: String,
    /// Where it comes from.
    pub source: RepoSource,
}

/// Parses a repository list: one repository per line, `#` comments and blank lines ignored.
/// Relative paths are relative to `base` (the list's directory). Names are the last path
/// component without `.git`, restricted to `[A-Za-z0-9._-]`, made unique with `-2`, `-3`…
pub fn parse_list(text: &str, base: &Path) -> Result<Vec<RepoSpec>, AuditError> {
    let mut out: Vec<RepoSpec> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = |why| AuditError::BadLine { line: i + 1, why };
        if line.starts_with('-') {
            return Err(bad("starts with '-' (would be read as an option)"));
        }
        if line.chars().any(char::is_control) {
            return Err(bad("holds a control character"));
        }
        let source = if is_url(line) {
            RepoSource::Url(line.to_string())
        } else if line.contains("::") {
            return Err(bad("a git remote helper (`transport::address`) is not cloned"));
        } else {
            RepoSource::Local(base.join(line))
        };
        let stem = line
            .trim_end_matches('/')
            .rsplit(['/', ':'])
            .next()
            .unwrap_or(line)
            .trim_end_matches(".git");
        let mut name: String = stem
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        if name.is_empty() || name.starts_with('.') {
            name.insert(0, 'r');
        }
        let mut unique = name.clone();
        let mut k = 2;
        while out.iter().any(|r| r.name == unique) {
            unique = format!("{name}-{k}");
            k += 1;
        }
        out.push(RepoSpec { name: unique, source });
    }
    Ok(out)
}

fn is_url(s: &str) -> bool {
    ["https://", "http://", "ssh://", "git://", "file://"]
        .iter()
        .any(|p| s.starts_with(p))
        || s.split_once(':').is_some_and(|(host, path)| {
            host.contains('@') && !host.contains('/') && !path.starts_with("//") && !path.is_empty()
        })
}

/// Parses `--shard I/N` (0-based index).
pub fn parse_shard(s: &str) -> Result<(usize, usize), String> {
    let (i, n) = s.split_once('/').ok_or("expected INDEX/COUNT, e.g. 0/4")?;
    let i: usize = i.trim().parse().map_err(|_| "INDEX is not a number")?;
    let n: usize = n.trim().parse().map_err(|_| "COUNT is not a number")?;
    if n == 0 || i >= n {
        return Err(format!("shard {i}/{n}: INDEX must be below COUNT"));
    }
    Ok((i, n))
}

/// Shard `index` of `count`: every `count`-th repository from `index` (round robin, so large
/// and small repositories that sit together in the list spread over the shards).
pub fn shard(list: Vec<RepoSpec>, index: usize, count: usize) -> Result<Vec<RepoSpec>, AuditError> {
    if count == 0 || index >= count {
        return Err(AuditError::BadShard { index, count });
    }
    Ok(list.into_iter().skip(index).step_by(count).collect())
}

/// The audit's output directory layout.
#[derive(Debug, Clone)]
pub struct Layout {
    /// `OUT`.
    pub root: PathBuf,
}

impl Layout {
    /// `OUT/repos/<name>.json`: a repository's report (written atomically: present means done).
    pub fn report(&self, name: &str) -> PathBuf {
        self.root.join("repos").join(format!("{name}.json"))
    }

    /// `OUT/repos/<name>.error`: why the repository failed (removed when it succeeds).
    pub fn error(&self, name: &str) -> PathBuf {
        self.root.join("repos").join(format!("{name}.error"))
    }

    /// `OUT/clones/<name>.git`: the bare clone of a URL.
    pub fn clone_dir(&self, name: &str) -> PathBuf {
        self.root.join("clones").join(format!("{name}.git"))
    }

    /// `OUT/audit.json`: the merged report.
    pub fn merged(&self) -> PathBuf {
        self.root.join("audit.json")
    }

    /// `OUT/audit.html`: the HTML report of the merged one.
    pub fn html(&self) -> PathBuf {
        self.root.join("audit.html")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_safe_and_stable() {
        let list = parse_list(
            "# org\n\nhttps://github.com/acme/api.git\ngit@github.com:acme/web.git\n../local/api\n/srv/we b/\nssh://host/x/$(rm)\n",
            Path::new("/base"),
        )
        .expect("list");
        let names: Vec<&str> = list.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["api", "web", "api-2", "we_b", "__rm_"]);
        assert_eq!(
            list[2].source,
            RepoSource::Local(PathBuf::from("/base/../local/api"))
        );
        assert!(matches!(list[1].source, RepoSource::Url(_)));
    }

    #[test]
    fn hostile_lines_are_refused_without_echo() {
        for bad in [
            "--upload-pack=touch /tmp/x",
            "ext::sh -c touch% /tmp/x",
            "a\u{1b}[2Jb",
        ] {
            let e = parse_list(bad, Path::new("/")).expect_err("refused");
            assert!(
                !e.to_string().contains("touch") && !e.to_string().contains('\u{1b}'),
                "{e}"
            );
        }
    }

    #[test]
    fn shards_partition_the_list() {
        let list = parse_list(
            &(0..10).map(|i| format!("r{i}\n")).collect::<String>(),
            Path::new("/"),
        )
        .expect("list");
        let mut seen: Vec<String> = Vec::new();
        for i in 0..3 {
            seen.extend(
                shard(list.clone(), i, 3)
                    .expect("shard")
                    .into_iter()
                    .map(|r| r.name),
            );
        }
        seen.sort();
        let mut all: Vec<String> = list.iter().map(|r| r.name.clone()).collect();
        all.sort();
        assert_eq!(seen, all);
        assert!(shard(list, 3, 3).is_err());
        assert_eq!(parse_shard("1/4"), Ok((1, 4)));
        assert!(parse_shard("4/4").is_err());
    }
}
