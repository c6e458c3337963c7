//! Merging the reports of several repositories into one (`leakless report merge`, `audit`).
//!
//! An organisation-wide audit scans each repository on its own (on one machine or across a job
//! engine's workers) and reads the result as one report. Each location keeps the repository it is
//! in; a secret found in several repositories (same rule, same fingerprint) becomes one finding
//! that lists every place ("appears in 4 repositories"); errors and stale suppression entries are
//! kept with their repository; a `repositories` table sums up each input. Merging a merged report
//! again keeps its repositories.

use std::collections::{BTreeMap, HashMap};

use super::doc::{
    sort_findings, AllowlistedDoc, ConfigDoc, FindingDoc, GitDoc, NoticeDoc, ReportDoc, RepositoryDoc,
};

/// One input: the repository's name and its report (`Err`: why it could not be read, which the
/// merged report lists as a failed repository).
pub type Input = (String, Result<ReportDoc, String>);

/// Merges reports. The result is sorted and deterministic for the same inputs in any order.
pub fn merge(mut inputs: Vec<Input>) -> ReportDoc {
    inputs.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = ReportDoc::empty();
    let mut by_fp: HashMap<(String, String), usize> = HashMap::new();
    let mut git: Option<GitDoc> = None;
    let mut configs: Vec<ConfigDoc> = Vec::new();
    for (name, doc) in inputs {
        let doc = match doc {
            Ok(d) => d,
            Err(why) => {
                out.errors.push(super::doc::ErrorDoc {
                    path: String::new(),
                    message: why.clone(),
                    repository: Some(name.clone()),
                });
                out.repositories.push(RepositoryDoc {
                    name,
                    failed: Some(why),
                    ..RepositoryDoc::default()
                });
                continue;
            }
        };
        let nested = !doc.repositories.is_empty();
        if nested {
            out.repositories.extend(doc.repositories.iter().cloned());
        } else {
            out.repositories.push(RepositoryDoc {
                name: name.clone(),
                findings: doc.findings.len(),
                findings_in_head: doc.findings.iter().filter(|f| f.in_head == Some(true)).count(),
                errors: doc.errors.len(),
                files_scanned: doc.stats.files_scanned,
                bytes_scanned: doc.stats.bytes_scanned,
                commits: doc.stats.git.as_ref().map_or(0, |g| g.commits),
                failed: None,
            });
        }
        let repo = |r: Option<String>| r.or_else(|| Some(name.clone()));
        for mut f in doc.findings {
            for l in &mut f.locations {
                l.repository = repo(l.repository.take());
            }
            let key = (f.rule_id.clone(), f.fingerprint.clone());
            match by_fp.get(&key) {
                Some(&i) => absorb(&mut out.findings[i], f),
                None => {
                    by_fp.insert(key, out.findings.len());
                    out.findings.push(f);
                }
            }
        }
        for mut e in doc.errors {
            e.repository = repo(e.repository);
            out.errors.push(e);
        }
        for mut s in doc.stale {
            s.repository = repo(s.repository);
            out.stale.push(s);
        }
        for n in doc.notices {
            out.notices.push(NoticeDoc {
                file: if nested {
                    n.file
                } else {
                    format!("{name}:{}", n.file)
                },
                message: n.message,
            });
        }
        for mut s in doc.skipped {
            if !nested {
                s.path = format!("{name}:{}", s.path);
            }
            out.skipped.push(s);
        }
        let st = &doc.stats;
        out.stats.files_scanned += st.files_scanned;
        out.stats.bytes_scanned += st.bytes_scanned;
        out.stats.elapsed_ms += st.elapsed_ms;
        out.stats.suppressed_by_baseline += st.suppressed_by_baseline;
        out.stats.suppressed_by_ignore_file += st.suppressed_by_ignore_file;
        if let Some(g) = &doc.stats.git {
            let sum = git.get_or_insert_with(|| GitDoc {
                mode: g.mode.clone(),
                refs: 0,
                commits: 0,
                unique_blobs: 0,
                blobs_scanned: 0,
                shallow: false,
                submodules_not_followed: 0,
                lfs_pointers: 0,
                symlinks: 0,
                findings_in_head: 0,
                findings_history_only: 0,
            });
            sum.refs += g.refs;
            sum.commits += g.commits;
            sum.unique_blobs += g.unique_blobs;
            sum.blobs_scanned += g.blobs_scanned;
            sum.shallow |= g.shallow;
            sum.submodules_not_followed += g.submodules_not_followed;
            sum.lfs_pointers += g.lfs_pointers;
            sum.symlinks += g.symlinks;
        }
        configs.extend(doc.config);
    }
    for f in &mut out.findings {
        f.locations.sort_by(|a, b| {
            (&a.repository, &a.path, a.line, a.column).cmp(&(&b.repository, &b.path, b.line, b.column))
        });
        let mut repos: Vec<String> = f.locations.iter().filter_map(|l| l.repository.clone()).collect();
        repos.sort();
        repos.dedup();
        f.repositories = repos;
    }
    sort_findings(&mut out.findings);
    out.repositories.sort_by(|a, b| a.name.cmp(&b.name));
    out.stats.findings = out.findings.len();
    out.stats.errors = out.errors.len();
    out.stats.skipped = out.skipped.len();
    if let Some(g) = &mut git {
        g.findings_in_head = out.findings.iter().filter(|f| f.in_head == Some(true)).count();
        g.findings_history_only = out.findings.iter().filter(|f| f.in_head == Some(false)).count();
    }
    out.stats.git = git;
    out.config = merge_configs(configs);
    out
}

/// Adds another repository's copy of the same secret to `into`.
fn absorb(into: &mut FindingDoc, other: FindingDoc) {
    into.locations.extend(other.locations);
    into.more_locations += other.more_locations;
    into.in_head = match (into.in_head, other.in_head) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), _) | (_, Some(false)) => Some(false),
        (None, None) => None,
    };
    if into.secret.is_none() {
        into.secret = other.secret;
    }
    if into.key.is_none() {
        into.key = other.key;
    }
    if into.paired_with.is_none() {
        into.paired_with = other.paired_with;
    }
}

/// The union of the inputs' rule files; allowlist counts summed by allowlist.
fn merge_configs(configs: Vec<ConfigDoc>) -> Option<ConfigDoc> {
    let first = configs.first()?.clone();
    let mut files: Vec<String> = Vec::new();
    let mut rules = first.rules;
    let mut allow: BTreeMap<String, u64> = BTreeMap::new();
    for c in configs {
        for f in c.files {
            if !files.contains(&f) {
                files.push(f);
            }
        }
        rules = rules.max(c.rules);
        for a in c.allowlisted {
            *allow.entry(a.allowlist).or_default() += a.count;
        }
    }
    Some(ConfigDoc {
        files,
        rules,
        allowlisted: allow
            .into_iter()
            .map(|(allowlist, count)| AllowlistedDoc { allowlist, count })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::doc::LocationDoc;

    fn finding(fp: &str, path: &str, in_head: Option<bool>) -> FindingDoc {
        FindingDoc {
            rule_id: "r".into(),
            description: "d".into(),
            severity: "high".into(),
            confidence: "high".into(),
            provider: None,
            env_var: None,
            rotate: None,
            fingerprint: fp.into(),
            key: None,
            paired_with: None,
            secret_preview: "ab…".into(),
            secret: None,
            entropy: 3.0,
            in_head,
            locations: vec![LocationDoc {
                path: path.into(),
                line: 1,
                column: 1,
                end_line: 1,
                end_column: 9,
                key: None,
                commit: None,
                decoded: Vec::new(),
                repository: None,
            }],
            more_locations: 0,
            tags: Vec::new(),
            repositories: Vec::new(),
            file_finding: false,
        }
    }

    fn doc(findings: Vec<FindingDoc>) -> ReportDoc {
        let mut d = ReportDoc::parse(
            r#"{"schema_version":1,"tool":{"name":"leakless","version":"0"},"findings":[]}"#,
        )
        .expect("empty doc");
        d.findings = findings;
        d
    }

    #[test]
    fn dedupes_across_repositories_and_keeps_failures() {
        let a = doc(vec![
            finding("f1", "a.env", Some(false)),
            finding("f2", "x", None),
        ]);
        let b = doc(vec![finding("f1", "b.env", Some(true))]);
        let m = merge(vec![
            ("b".into(), Ok(b)),
            ("a".into(), Ok(a)),
            ("broken".into(), Err("not a repository".into())),
        ]);
        assert_eq!(m.findings.len(), 2);
        let f1 = m.findings.iter().find(|f| f.fingerprint == "f1").expect("f1");
        assert_eq!(f1.repositories, ["a", "b"]);
        assert_eq!(f1.in_head, Some(true));
        assert_eq!(f1.locations[0].repository.as_deref(), Some("a"));
        assert_eq!(m.repositories.len(), 3);
        assert_eq!(m.repositories[2].name, "broken");
        assert_eq!(m.repositories[2].failed.as_deref(), Some("not a repository"));
        assert_eq!(m.errors[0].repository.as_deref(), Some("broken"));
        // Merging the merged report again changes nothing.
        let again = merge(vec![("all".into(), Ok(m.clone()))]);
        assert_eq!(again.findings.len(), 2);
        assert_eq!(again.repositories, m.repositories);
    }
}
