//! Executing a plan, as a transaction per file:
//!
//! 0. `.gitignore` gains what keeps local secret files out of git (checked with
//!    `git check-ignore` before any value is written to a `.env.local`);
//! 1. each secret of the file is put in the store and **read back and compared**;
//! 2. only when all of them are verified is the file rewritten (atomic rename, permissions kept;
//!    a file changed since the plan is left alone), or, for a dotenv file, its example file
//!    written and the file untracked (`git rm --cached`; the working copy stays, ignored).
//!
//! So at every instant each secret is in its file, or verified in the store, or both. Progress
//! goes to a journal (`.git/leakless/migrate.jsonl`, no values); a re-run after a crash re-plans
//! from the files (finished files no longer hold secrets), finds already-stored values
//! unchanged, and completes. Verified secrets are appended to a `git filter-repo --replace-text`
//! file (mode 0600, inside `.git`) before their file changes.

use std::collections::BTreeSet;
use std::fs::{self, OpenOptions};
use std::io::{BufRead, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::git;
use super::plan::{Action, FilePlan, Item, Plan};
use super::report::{
    FileEntry, MigrationReport, Purge, SecretEntry, SiteEntry, SkipEntry, Status, SCHEMA_VERSION,
};
use super::secrets_map::{Entry as MapEntry, SecretsMap, MAP_FILE};
use super::store::dotenv::{DotenvStore, LOCAL_FILE};
use super::store::{Put, Readback, SecretStore, StoreError, StoreKind, Target};
use crate::findings::Secret;
use crate::safefs::{self, Perm};

/// Options of an apply.
#[derive(Clone, Debug)]
pub struct ApplyOptions {
    /// Replace a different value already in the store.
    pub overwrite: bool,
    /// The store kind (for `.gitignore` decisions).
    pub store: StoreKind,
    /// Example file name (negated in `.gitignore`).
    pub example_file: String,
    /// After a verified write to a remote store, delete the untracked plaintext dotenv copies
    /// (else they are listed as leftovers).
    pub remove_local: bool,
    /// How Kubernetes `Secret` manifests are rewritten.
    pub k8s: super::k8s::Context,
}

/// The state directory inside `.git`.
pub fn state_dir(git_dir: &Path) -> PathBuf {
    git_dir.join("leakless")
}

/// The purge expressions file.
pub fn purge_file(git_dir: &Path) -> PathBuf {
    state_dir(git_dir).join("purge-replace-text.txt")
}

fn journal_file(git_dir: &Path) -> PathBuf {
    state_dir(git_dir).join("migrate.jsonl")
}

/// Creates `dir` (mode 0700 on Unix: it holds the purge file).
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// A journal event (one JSON line; never a value).
#[derive(Debug, serde::Serialize, serde::Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
enum Event {
    Start {
        store: String,
    },
    Verified {
        secret: Box<SecretEntry>,
        /// Its entry in `.leakless/secrets.toml` (journalled so a run that finishes an
        /// interrupted one still records it).
        #[serde(default)]
        map: Option<Box<MapEntry>>,
    },
    File {
        file: FileEntry,
        /// Written by us and to be staged (a run that finishes an interrupted one stages it).
        #[serde(default)]
        stage: bool,
    },
    Done,
}

struct Journal {
    file: fs::File,
}

impl Journal {
    /// Opens the journal; returns it with the events of an unfinished earlier run.
    fn open(git_dir: &Path) -> std::io::Result<(Self, Vec<Event>)> {
        let path = journal_file(git_dir);
        create_private_dir(&state_dir(git_dir))?;
        let mut earlier = Vec::new();
        if let Ok(f) = fs::File::open(&path) {
            for line in std::io::BufReader::new(f).lines() {
                // A torn last line (killed mid-write) is skipped.
                if let Ok(e) = serde_json::from_str::<Event>(&line?) {
                    earlier.push(e);
                }
            }
        }
        if matches!(earlier.last(), Some(Event::Done)) {
            earlier.clear();
        }
        let file = OpenOptions::new().create(true).append(true).open(&path)?;
        Ok((Self { file }, earlier))
    }

    fn log(&mut self, e: &Event) {
        if let Ok(mut line) = serde_json::to_vec(e) {
            line.push(b'\n');
            let _ = self.file.write_all(&line);
            let _ = self.file.sync_data();
        }
    }
}

/// Test hook: `LEAKLESS_TEST_FAILPOINT=name[:n]` stops the n-th time (default 1st) the named
/// point is reached: it prints a line on stderr and waits until stdin closes, so a test can kill
/// the process (or the store) at an exact step. Points: `after-verify`, `after-rewrite`,
/// `before-untrack`.
///
/// Compiled only with the `test-failpoints` cargo feature (`scripts/test` enables it); a release
/// build has an empty function and no trace of the variable (scripts/test checks the binary).
#[cfg(feature = "test-failpoints")]
fn failpoint(name: &str) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static HITS: [AtomicUsize; 3] = [AtomicUsize::new(0), AtomicUsize::new(0), AtomicUsize::new(0)];
    let Ok(spec) = std::env::var("LEAKLESS_TEST_FAILPOINT") else {
        return;
    };
    let (want, n) = spec
        .split_once(':')
        .map_or((spec.as_str(), 1), |(w, n)| (w, n.parse().unwrap_or(1)));
    let slot = match name {
        "after-verify" => 0,
        "after-rewrite" => 1,
        _ => 2,
    };
    let hit = HITS[slot].fetch_add(1, Ordering::SeqCst) + 1;
    if want == name && hit == n {
        eprintln!("leakless: test failpoint {name}:{n} reached");
        let mut sink = Vec::new();
        let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut sink);
    }
}

/// Without the `test-failpoints` feature, failpoints do nothing.
#[cfg(not(feature = "test-failpoints"))]
#[inline(always)]
fn failpoint(_name: &str) {}

/// One line of the report for an item.
pub fn secret_entry(
    item: &Item,
    target: &Target,
    location: String,
    fetch: String,
    status: Status,
    error: Option<String>,
) -> SecretEntry {
    SecretEntry {
        key: target.key.clone(),
        preview: item.value.preview(),
        location,
        store_path: if target.path.is_empty() {
            target.key.clone()
        } else {
            format!("{}/{}", target.path, target.key)
        },
        env: item.env.clone(),
        status,
        error,
        in_store: None,
        rules: item.rules.iter().cloned().collect(),
        fingerprints: item.fingerprints.iter().cloned().collect(),
        providers: item.providers.iter().cloned().collect(),
        rotate: item.rotate.iter().cloned().collect(),
        fetch,
        sites: item
            .sites
            .iter()
            .map(|s| {
                let (action, detail) = match &s.action {
                    // The application reads the dotenv key: a value stored under another name
                    // (the name was taken) needs a person.
                    Action::Untrack => ("untrack", None),
                    Action::Replace { render, .. } => ("reference", Some(render.render(&target.key))),
                    Action::Manual(why) => ("manual", Some(why.clone())),
                    Action::Manifest(what) => ("resource", Some(what.clone())),
                };
                SiteEntry {
                    path: s.path.clone(),
                    line: s.line,
                    action: action.to_string(),
                    detail,
                    name_in_file: (s.action == Action::Untrack && s.key != target.key).then(|| s.key.clone()),
                }
            })
            .collect(),
    }
}

/// The report of a dry run (nothing contacted, nothing written).
pub fn dry_run(plan: &Plan, store: StoreKind) -> MigrationReport {
    let mut r = empty_report(store, false);
    for item in &plan.items {
        let loc = offline_location(store, &item.target);
        r.secrets.push(secret_entry(
            item,
            &item.target,
            loc,
            String::new(),
            Status::Planned,
            None,
        ));
    }
    for f in &plan.files {
        if !f.edits.is_empty() || !f.resources.is_empty() {
            r.files.push(FileEntry {
                path: f.path.clone(),
                change: "would_rewrite".into(),
                detail: resources_detail(f),
            });
        }
        if let Some(u) = &f.untrack {
            r.files.push(FileEntry {
                path: f.path.clone(),
                change: "would_untrack".into(),
                detail: Some(format!("example: {}", u.example)),
            });
        }
    }
    finish_report(&mut r, plan, None);
    r
}

/// `--check-store` for a dry run: reads (never writes) each planned target and says what is
/// there now, and gives the store's own location and read-back hint.
pub fn check_store(plan: &Plan, store: &mut dyn SecretStore, r: &mut MigrationReport) {
    for (item, entry) in plan.items.iter().zip(r.secrets.iter_mut()) {
        entry.location = store.describe(&item.target);
        entry.fetch = store.fetch_hint(&item.target);
        entry.in_store = Some(match store.get(&item.target) {
            Ok(None) => "absent".to_string(),
            Ok(Some(v)) if v == item.value => "same value".to_string(),
            Ok(Some(_)) => {
                "different value (a conflict on --apply, unless leakless wrote it: then the next _N name)"
                    .to_string()
            }
            Err(e) => format!("cannot read: {e}"),
        });
    }
}

fn offline_location(store: StoreKind, t: &Target) -> String {
    match store {
        StoreKind::Dotenv => format!("{}#{}", DotenvStore::rel(t), t.key),
        _ => format!("{store}:{}#{}", t.path, t.key),
    }
}

fn empty_report(store: StoreKind, applied: bool) -> MigrationReport {
    MigrationReport {
        schema_version: SCHEMA_VERSION,
        store: store.to_string(),
        applied,
        resumed: false,
        secrets: Vec::new(),
        files: Vec::new(),
        manual_steps: Vec::new(),
        rotation: Vec::new(),
        purge: None,
        skipped: Vec::new(),
        errors: Vec::new(),
        how_to_run: Vec::new(),
        leftovers: Vec::new(),
    }
}

/// Manual steps, rotation, purge and skipped findings, from the plan and the secrets listed.
fn finish_report(r: &mut MigrationReport, plan: &Plan, purge: Option<&Path>) {
    // Dotenv names whose value is stored under the name itself.
    let served: BTreeSet<(String, String)> = r
        .secrets
        .iter()
        .flat_map(|s| {
            s.sites
                .iter()
                .filter(|site| site.action == "untrack" && site.name_in_file.is_none())
                .map(|site| (site.path.clone(), s.key.clone()))
        })
        .collect();
    let served: BTreeSet<(&str, &str)> = served.iter().map(|(p, k)| (p.as_str(), k.as_str())).collect();
    for s in &r.secrets {
        if s.status == Status::Unstorable {
            r.manual_steps.push(format!(
                "{}: {} (its files are left alone: keep it in a store that holds it exactly, or change the value)",
                s.key,
                s.error.as_deref().unwrap_or("the store cannot hold this value")
            ));
        }
        for site in &s.sites {
            if let Some(name) = &site.name_in_file {
                // Unless the file assigns the name again later (loaders read the last one).
                if !served.contains(&(site.path.as_str(), name.as_str())) {
                    r.manual_steps.push(format!(
                        "{}:{}: the application reads {name} but it is stored as {} (the name holds another value at that path): point the application at {}, or migrate with a --path-template that keeps them apart, e.g. {{project}}/{{dir}}/{{env}}",
                        site.path, site.line, s.key, s.key
                    ));
                }
            }
            if site.action == "manual" {
                r.manual_steps.push(format!(
                    "{}:{}: {} ({}; the value is {} as {})",
                    site.path,
                    site.line,
                    site.detail.as_deref().unwrap_or("edit by hand"),
                    s.rules.join(", "),
                    if s.status.verified() {
                        "in the store"
                    } else {
                        "to be stored"
                    },
                    s.key
                ));
            }
        }
        let how = if s.rotate.is_empty() {
            "at the service that issued it".to_string()
        } else {
            s.rotate.join(", ")
        };
        r.rotation.push(format!(
            "{} ({}): rotate {how}, then update {}",
            s.key,
            s.rules.join(", "),
            s.location
        ));
    }
    r.manual_steps.extend(plan.notes.iter().cloned());
    r.manual_steps.sort();
    r.manual_steps.dedup();
    r.skipped = plan
        .skipped
        .iter()
        .map(|s| SkipEntry {
            rule: s.rule.clone(),
            fingerprint: s.fingerprint.clone(),
            path: s.path.clone(),
            reason: s.reason.clone(),
        })
        .collect();
    if !r.secrets.is_empty() {
        let file = purge.map(|p| p.display().to_string());
        let arg = file.clone().unwrap_or_else(|| "<file written by --apply>".into());
        // Untracked secret files leave history whole; every other secret is replaced in place.
        let mut drop_paths: Vec<&str> = r
            .files
            .iter()
            .filter(|f| f.change == "untracked" || f.change == "would_untrack")
            .map(|f| f.path.as_str())
            .collect();
        drop_paths.sort_unstable();
        drop_paths.dedup();
        let mut filter = format!(
            "git filter-repo --sensitive-data-removal --replace-text {}",
            shell_word(&arg)
        );
        if !drop_paths.is_empty() {
            filter.push_str(" --invert-paths");
            for p in drop_paths {
                filter.push_str(&format!(" --path {}", shell_word(p)));
            }
        }
        r.purge = Some(Purge {
            replace_text_file: file,
            commands: vec![
                "git clone --mirror <remote> repo-purge.git && cd repo-purge.git".to_string(),
                filter,
                "git push --force --mirror origin   # then have everyone re-clone".to_string(),
            ],
            verify: "leakless scan --history .".to_string(),
        });
    }
    r.files.sort();
    r.files.dedup();
}

/// Executes `plan` against `store`. Never returns early with a secret in neither place: every
/// failure is recorded in the report and the affected files are left alone.
pub fn apply(
    root: &Path,
    git_dir: &Path,
    plan: &Plan,
    store: &mut dyn SecretStore,
    opts: &ApplyOptions,
) -> MigrationReport {
    let mut r = empty_report(opts.store, true);
    let (mut journal, earlier) = match Journal::open(git_dir) {
        Ok(j) => j,
        Err(e) => {
            r.errors.push(format!(
                "{}: cannot write the journal: {e}",
                journal_file(git_dir).display()
            ));
            finish_report(&mut r, plan, None);
            return r;
        }
    };
    r.resumed = !earlier.is_empty();
    let mut stager = match Stager::new(root) {
        Ok(s) => s,
        Err(e) => {
            r.errors.push(e);
            finish_report(&mut r, plan, None);
            return r;
        }
    };
    for e in &earlier {
        if let Event::File { file, stage: true } = e {
            stager.carry(&file.path);
        }
    }
    journal.log(&Event::Start {
        store: opts.store.to_string(),
    });

    match ensure_ignored(root, plan, opts, &mut stager) {
        Ok(true) => {
            let fe = FileEntry {
                path: ".gitignore".into(),
                change: "gitignore_updated".into(),
                detail: None,
            };
            journal.log(&Event::File {
                file: fe.clone(),
                stage: stager.will_stage(".gitignore"),
            });
            r.files.push(fe);
        }
        Ok(false) => {}
        Err(e) => {
            // Nothing written yet: every secret is still in its file.
            r.errors.push(e);
            finish_report(&mut r, plan, None);
            return r;
        }
    }

    let purge = purge_file(git_dir);
    // Final targets: a key taken in the store by one of our own earlier writes (another secret
    // under the same name, from an earlier run or scope) moves to the next free `_N` name.
    let mut targets: Vec<Target> = plan.items.iter().map(|i| i.target.clone()).collect();
    let mut ledger = Ledger::open(git_dir);
    let mut status: Vec<Option<(Status, Option<String>)>> = vec![None; plan.items.len()];
    let mut store_down: Option<String> = None;
    let mut map_entries: Vec<MapEntry> = earlier
        .iter()
        .filter_map(|e| match e {
            Event::Verified { map: Some(m), .. } => Some((**m).clone()),
            _ => None,
        })
        .collect();
    let mut rewritten: BTreeSet<&str> = BTreeSet::new();
    for file in &plan.files {
        for &i in &file.items {
            if status[i].is_some() {
                continue;
            }
            let item = &plan.items[i];
            let st = match &store_down {
                Some(why) => (Status::Failed, Some(format!("not attempted: {why}"))),
                None => put_and_verify(store, item, &mut targets[i], opts.overwrite, &mut ledger),
            };
            if let (Status::Failed, Some(e)) = &st {
                if e.starts_with("cannot reach") || e.contains("refused the credentials") {
                    store_down.get_or_insert_with(|| e.clone());
                }
            }
            if st.0.verified() {
                if let Err(e) = append_purge(&purge, item) {
                    r.errors.push(format!("{}: {e}", purge.display()));
                }
                let t = &targets[i];
                let entry = secret_entry(item, t, store.describe(t), store.fetch_hint(t), st.0, None);
                let m = MapEntry::new(&t.key, &item.env, opts.store, store, t);
                map_entries.push(m.clone());
                journal.log(&Event::Verified {
                    secret: Box::new(entry),
                    map: Some(Box::new(m)),
                });
                failpoint("after-verify");
            }
            status[i] = Some(st);
        }
        let blocked: Vec<String> = file
            .items
            .iter()
            .filter_map(|&i| match &status[i] {
                Some((s, _)) if s.verified() => None,
                _ => Some(plan.items[i].target.key.clone()),
            })
            .collect();
        if !blocked.is_empty() {
            r.files.push(FileEntry {
                path: file.path.clone(),
                change: "left_alone".into(),
                detail: Some(format!("not verified in the store: {}", blocked.join(", "))),
            });
            continue;
        }
        if let Some(first) = file.requires.iter().find(|p| !rewritten.contains(p.as_str())) {
            // Blanking the values while the template still reads them would empty the Secret.
            let why = format!(
                "left alone because {first} was not rewritten (it reads these values); the values are in the store: delete them here once that template no longer reads them"
            );
            left_manual(&mut r, &file.path, why);
            continue;
        }
        if !file.edits.is_empty() || !file.resources.is_empty() {
            match rewrite(root, file, plan, &targets, &opts.k8s, &mut stager) {
                Ok(staged) => {
                    rewritten.insert(file.path.as_str());
                    let detail = if staged {
                        resources_detail(file)
                    } else {
                        r.manual_steps.push(format!(
                            "{}: rewritten but not staged (it had other unstaged changes): review and stage it",
                            file.path
                        ));
                        Some("not staged: it had other unstaged changes".to_string())
                    };
                    let fe = FileEntry {
                        path: file.path.clone(),
                        change: "rewritten".into(),
                        detail,
                    };
                    journal.log(&Event::File {
                        file: fe.clone(),
                        stage: staged,
                    });
                    r.files.push(fe);
                    failpoint("after-rewrite");
                }
                Err(Left::Error(e)) => {
                    left_alone(&mut r, &file.path, e);
                    continue;
                }
                Err(Left::Manual(why)) => {
                    left_manual(&mut r, &file.path, why);
                    continue;
                }
            }
        }
        if let Some(u) = &file.untrack {
            match untrack(root, file, &u.example, &u.example_text, &mut stager) {
                Ok(example_changed) => {
                    if example_changed {
                        let fe = FileEntry {
                            path: u.example.clone(),
                            change: "example_written".into(),
                            detail: None,
                        };
                        journal.log(&Event::File {
                            file: fe.clone(),
                            stage: stager.will_stage(&u.example),
                        });
                        r.files.push(fe);
                    }
                    let fe = FileEntry {
                        path: file.path.clone(),
                        change: "untracked".into(),
                        detail: Some("git rm --cached; the working copy stays, ignored by git".into()),
                    };
                    journal.log(&Event::File {
                        file: fe.clone(),
                        stage: false,
                    });
                    r.files.push(fe);
                    if opts.store != StoreKind::Dotenv {
                        remove_or_list(root, file, opts.remove_local, &mut r, &mut journal);
                    }
                }
                Err(e) => {
                    left_alone(&mut r, &file.path, e);
                }
            }
        }
    }
    for f in store.written_files() {
        if stager.wrote(&f) {
            r.files.push(FileEntry {
                path: f,
                change: "encrypted".into(),
                detail: Some("age-encrypted values: commit it".into()),
            });
        }
    }
    if !map_entries.is_empty() {
        match write_map(root, map_entries) {
            Ok(changed) => {
                let untracked = !git::is_tracked(root, MAP_FILE).unwrap_or(true);
                if changed {
                    stager.wrote(MAP_FILE);
                } else if untracked {
                    // Written by an interrupted run: staged now.
                    stager.carry(MAP_FILE);
                }
                if changed || untracked {
                    r.files.push(FileEntry {
                        path: MAP_FILE.into(),
                        change: "map_updated".into(),
                        detail: Some("where each secret lives, no values: commit it".into()),
                    });
                }
            }
            Err(e) => r.errors.push(e.to_string()),
        }
    }
    if let Err(e) = stager.flush(root) {
        r.errors.push(e);
    }
    for (i, item) in plan.items.iter().enumerate() {
        let (st, err) = status[i]
            .clone()
            .unwrap_or((Status::Failed, Some("not attempted".into())));
        if st == Status::Failed || st == Status::Conflict {
            if let Some(e) = &err {
                if st == Status::Failed {
                    r.errors.push(format!("{}: {e}", targets[i].key));
                }
            }
        }
        let t = &targets[i];
        r.secrets.push(secret_entry(
            item,
            t,
            store.describe(t),
            store.fetch_hint(t),
            st,
            err,
        ));
    }
    // What an interrupted earlier run finished (its files no longer hold the secrets, so this
    // run's plan does not list them).
    for e in earlier {
        match e {
            Event::Verified { secret, .. } => {
                if !r.secrets.iter().any(|s| s.location == secret.location) {
                    r.secrets.push(*secret);
                }
            }
            Event::File { file, .. } => r.files.push(file),
            Event::Start { .. } | Event::Done => {}
        }
    }
    r.secrets.sort_by(|a, b| a.location.cmp(&b.location));
    r.errors.sort();
    r.errors.dedup();
    let purge_exists = purge.exists();
    finish_report(&mut r, plan, purge_exists.then_some(purge.as_path()));
    if r.errors.is_empty() {
        journal.log(&Event::Done);
        let done = state_dir(git_dir).join("migrate-last.jsonl");
        let _ = fs::rename(journal_file(git_dir), done);
    }
    r
}

/// After a verified write of all its secrets to a remote store: deletes the untracked dotenv
/// working copy when `remove` (only if it is still the file that was planned: an edit since
/// keeps it), else lists it as a leftover.
fn remove_or_list(
    root: &Path,
    file: &FilePlan,
    remove: bool,
    r: &mut MigrationReport,
    journal: &mut Journal,
) {
    let path = root.join(&file.path);
    if !remove {
        r.leftovers.push(file.path.clone());
        return;
    }
    let unchanged = fs::symlink_metadata(&path).is_ok_and(|m| m.is_file())
        && fs::read(&path).is_ok_and(|b| <[u8; 32]>::from(Sha256::digest(&b)) == file.hash);
    if !unchanged {
        r.leftovers.push(file.path.clone());
        r.manual_steps.push(format!(
            "{}: not removed (it changed since the plan, or is not a regular file): check it and delete it",
            file.path
        ));
        return;
    }
    match fs::remove_file(&path) {
        Ok(()) => {
            if let Some(dir) = path.parent() {
                safefs::sync_dir(dir);
            }
            let fe = FileEntry {
                path: file.path.clone(),
                change: "removed".into(),
                detail: Some(
                    "the untracked plaintext copy (--remove-local); values verified in the store".into(),
                ),
            };
            journal.log(&Event::File {
                file: fe.clone(),
                stage: false,
            });
            r.files.push(fe);
        }
        Err(e) => {
            r.leftovers.push(file.path.clone());
            r.errors.push(format!("{}: cannot remove: {e}", file.path));
        }
    }
}

/// Merges `entries` into `.leakless/secrets.toml`; returns whether the file changed.
fn write_map(root: &Path, entries: Vec<MapEntry>) -> Result<bool, super::secrets_map::MapError> {
    let file = SecretsMap::path(root);
    let mut map = SecretsMap::load(&file)?;
    let changed = map.merge(entries) || !file.exists();
    if changed {
        map.save(&file)?;
    }
    Ok(changed)
}

/// `s` quoted for a POSIX shell when it needs it.
fn shell_word(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:=@%+,".contains(&b))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// Records a file left alone because of an error.
/// A file left alone for a person: a manual step and its report entry.
fn left_manual(r: &mut MigrationReport, path: &str, why: String) {
    r.manual_steps.push(format!("{path}: {why}"));
    r.files.push(FileEntry {
        path: path.to_string(),
        change: "left_alone".into(),
        detail: Some(why),
    });
}

fn left_alone(r: &mut MigrationReport, path: &str, e: String) {
    r.errors.push(format!("{path}: {e}"));
    r.files.push(FileEntry {
        path: path.to_string(),
        change: "left_alone".into(),
        detail: Some(e),
    });
}

/// The values leakless wrote in any run of this repository, per store location
/// (`.git/leakless/written.txt`: the location and a salted SHA-256 of the value, never the
/// value): a different value found at a location is ours — another secret of ours under the
/// same key name — only if its hash is listed for that location; it is then never overwritten.
/// A value someone else put there (another server, another team) stays a conflict.
struct Ledger {
    path: PathBuf,
    seen: BTreeSet<String>,
}

impl Ledger {
    fn open(git_dir: &Path) -> Self {
        let path = state_dir(git_dir).join("written.txt");
        let seen = fs::read_to_string(&path)
            .map(|t| t.lines().map(str::to_string).collect())
            .unwrap_or_default();
        Self { path, seen }
    }

    fn line(location: &str, value: &Secret) -> String {
        let mut h = Sha256::new();
        h.update(b"leakless/written\0");
        h.update(location.as_bytes());
        h.update(b"\0");
        h.update(value.expose());
        let digest = h.finalize();
        let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
        format!("{location}\t{hex}")
    }

    fn wrote(&self, location: &str, value: &Secret) -> bool {
        self.seen.contains(&Self::line(location, value))
    }

    fn record(&mut self, location: &str, value: &Secret) {
        let line = Self::line(location, value);
        if self.seen.insert(line.clone()) {
            if let Ok(mut f) = OpenOptions::new().create(true).append(true).open(&self.path) {
                let _ = writeln!(f, "{line}");
                let _ = f.sync_data();
            }
        }
    }
}

/// How many `_N` names are tried before a key collision is reported as a conflict.
const MAX_RENAMES: usize = 20;

/// Put, then read back and compare. When the key holds another value that leakless itself
/// stored earlier, the next `_N` name is used instead (and `target` updated); a value someone
/// else stored is a conflict, replaced only with `overwrite`.
fn put_and_verify(
    store: &mut dyn SecretStore,
    item: &Item,
    target: &mut Target,
    overwrite: bool,
    ledger: &mut Ledger,
) -> (Status, Option<String>) {
    let base = target.key.clone();
    let mut t = target.clone();
    for n in 1..=MAX_RENAMES {
        if n > 1 {
            t.key = format!("{base}_{n}");
        }
        let put = match store.put(&t, &item.value, false) {
            Ok(p) => p,
            Err(e @ StoreError::Conflict { .. }) => {
                let location = store.describe(&t);
                let ours = store.written_by_us(&t, &|v| ledger.wrote(&location, v));
                if ours {
                    continue;
                }
                if !overwrite {
                    return (Status::Conflict, Some(e.to_string()));
                }
                match store.put(&t, &item.value, true) {
                    Ok(p) => p,
                    Err(e) => return (Status::Failed, Some(e.to_string())),
                }
            }
            Err(e @ StoreError::Unstorable(_)) => return (Status::Unstorable, Some(e.to_string())),
            Err(e) => return (Status::Failed, Some(e.to_string())),
        };
        *target = t.clone();
        let verdict = match store.verify(&t, &item.value) {
            Ok(Readback::Same) => (
                match put {
                    Put::Created => Status::Moved,
                    Put::Unchanged => Status::AlreadyInStore,
                    Put::Overwritten => Status::Overwritten,
                },
                None,
            ),
            Ok(Readback::Different) => (
                Status::Failed,
                Some(format!(
                    "{}: read back a different value than was written",
                    store.describe(&t)
                )),
            ),
            Ok(Readback::Absent) => (
                Status::Failed,
                Some(format!(
                    "{}: the value is not there on reading back",
                    store.describe(&t)
                )),
            ),
            Err(e) => (Status::Failed, Some(format!("reading back: {e}"))),
        };
        if verdict.0.verified() {
            ledger.record(&store.describe(&t), &item.value);
        }
        return verdict;
    }
    (
        Status::Conflict,
        Some(format!(
            "{base}: {MAX_RENAMES} names taken by other secrets in the store"
        )),
    )
}

/// Appends an item's secrets to the `git filter-repo --replace-text` file (0600), once each.
fn append_purge(path: &Path, item: &Item) -> std::io::Result<()> {
    let mut text = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(e),
    };
    let mut changed = false;
    for s in &item.secrets {
        // The secret as written, and base64-encoded (Kubernetes Secret data, basic auth).
        let encoded = base64(s.expose());
        for form in [s.expose(), encoded.as_bytes()] {
            let line = replace_text_line(form, &item.target.key);
            let present = text.split(|&b| b == b'\n').any(|l| l == line.as_slice());
            if !present {
                text.extend_from_slice(&line);
                text.push(b'\n');
                changed = true;
            }
        }
    }
    if changed {
        if let Some(dir) = path.parent() {
            create_private_dir(dir)?;
        }
        safefs::write_atomic(path, &text, Perm::Exactly(0o600))?;
    }
    Ok(())
}

/// Standard base64 with padding.
fn base64(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(A[(n >> shift & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// One `--replace-text` line: `literal==>replacement`, or a `regex:` line when the secret holds
/// a newline or `==>` or starts like a prefix filter-repo would interpret.
pub fn replace_text_line(secret: &[u8], key: &str) -> Vec<u8> {
    let replacement = format!("==>***REMOVED:{key}***");
    let text = String::from_utf8_lossy(secret);
    let awkward = text.contains('\n')
        || text.contains("==>")
        || ["regex:", "glob:", "literal:"]
            .iter()
            .any(|p| text.starts_with(p));
    let mut out = if awkward || std::str::from_utf8(secret).is_err() {
        format!("regex:{}", regex::escape(&text).replace('\n', "\\n")).into_bytes()
    } else {
        secret.to_vec()
    };
    out.extend_from_slice(replacement.as_bytes());
    out
}

/// What the Kubernetes `Secret` documents of a file become, for the report.
fn resources_detail(file: &FilePlan) -> Option<String> {
    let parts: Vec<String> = file
        .resources
        .iter()
        .map(|r| {
            let kind = match r.operator {
                super::k8s::Operator::Eso => "ExternalSecret",
                super::k8s::Operator::Vso => "VaultStaticSecret",
                super::k8s::Operator::Infisical => "InfisicalSecret",
            };
            format!("Secret {} → {kind}", r.manifest.name)
        })
        .collect();
    (!parts.is_empty()).then(|| {
        format!(
            "{} (the operator and its store connection must be installed in the cluster)",
            parts.join(", ")
        )
    })
}

/// Why a file was left alone.
enum Left {
    /// Something failed (an error, exit 2).
    Error(String),
    /// Not safe to do automatically (a manual step, exit 1).
    Manual(String),
}

/// Applies a file's edits atomically, after checking the file is unchanged since the plan and
/// that no rewritten secret remains.
fn rewrite(
    root: &Path,
    file: &FilePlan,
    plan: &Plan,
    targets: &[Target],
    k8s: &super::k8s::Context,
    stager: &mut Stager,
) -> Result<bool, Left> {
    let path = root.join(&file.path);
    let bytes = fs::read(&path).map_err(|e| Left::Error(format!("cannot read: {e}")))?;
    let hash: [u8; 32] = Sha256::digest(&bytes).into();
    if hash != file.hash {
        return Err(Left::Error(
            "changed since the plan was made; left alone (run migrate again)".into(),
        ));
    }
    // Every replacement, last first (edits never overlap a Secret document: see the planner).
    let mut splices: Vec<(Range<usize>, String)> = file
        .edits
        .iter()
        .map(|e| (e.range.clone(), e.render.render(&targets[e.item].key)))
        .collect();
    for res in &file.resources {
        let refs: Vec<(String, Target)> = res
            .keys
            .iter()
            .map(|(k, i)| (k.clone(), targets[*i].clone()))
            .collect();
        let text = match &res.helm {
            Some(h) => super::helm::render(k8s, res.operator, h, &refs),
            None => super::k8s::render(k8s, res.operator, &res.manifest, &refs),
        }
        .map_err(|why| Left::Manual(format!("Kubernetes Secret {}: {why}", res.manifest.name)))?;
        splices.push((res.range.clone(), text));
    }
    splices.sort_by_key(|s| s.0.start);
    let mut out = bytes;
    for (range, text) in splices.iter().rev() {
        out.splice(range.clone(), text.bytes());
    }
    let manual: BTreeSet<usize> = file.manual.iter().map(|m| m.0).collect();
    let replaced = file
        .edits
        .iter()
        .map(|e| e.item)
        .chain(file.resources.iter().flat_map(|r| r.keys.iter().map(|k| k.1)));
    for item in replaced {
        if manual.contains(&item) {
            continue;
        }
        if plan.items[item]
            .secrets
            .iter()
            .any(|s| memchr::memmem::find(&out, s.expose()).is_some())
        {
            return Err(Left::Manual(format!(
                "the secret stored as {} also occurs inside other text in this file; left alone, replace it by hand",
                targets[item].key
            )));
        }
    }
    safefs::write_atomic(&path, &out, Perm::Keep(0o644))
        .map_err(|e| Left::Error(format!("cannot write: {e} (the file is unchanged)")))?;
    Ok(stager.wrote(&file.path))
}

/// Stages what migrate wrote — in one `git add` at the end — unless the file had unstaged
/// changes (or was untracked) before the run: then the user's own edits are not staged for them
/// and the report says so. Paths an interrupted run wrote are staged by the run that finishes.
struct Stager {
    dirty: BTreeSet<String>,
    pending: Vec<String>,
}

impl Stager {
    fn new(root: &Path) -> Result<Self, String> {
        Ok(Self {
            dirty: git::unstaged(root).map_err(|e| e.to_string())?,
            pending: Vec::new(),
        })
    }

    /// Records a write; returns whether it will be staged.
    fn wrote(&mut self, path: &str) -> bool {
        if self.dirty.contains(path) {
            return false;
        }
        if !self.pending.iter().any(|p| p == path) {
            self.pending.push(path.to_string());
        }
        true
    }

    /// Whether a write of `path` was (or would be) staged.
    fn will_stage(&self, path: &str) -> bool {
        !self.dirty.contains(path)
    }

    /// A path an earlier, interrupted run wrote and meant to stage.
    fn carry(&mut self, path: &str) {
        self.dirty.remove(path);
        self.wrote(path);
    }

    fn flush(&mut self, root: &Path) -> Result<(), String> {
        let existing: Vec<&str> = self
            .pending
            .iter()
            .map(String::as_str)
            .filter(|p| root.join(p).exists())
            .collect();
        for chunk in existing.chunks(256) {
            git::stage(root, chunk).map_err(|e| format!("written, but not staged: {e}"))?;
        }
        self.pending.clear();
        Ok(())
    }
}

/// Writes or extends the example file, then untracks the dotenv file. Returns whether the
/// example file changed.
fn untrack(
    root: &Path,
    file: &FilePlan,
    example: &str,
    generated: &str,
    stager: &mut Stager,
) -> Result<bool, String> {
    let mut changed = false;
    if example != file.path {
        let ex_path = root.join(example);
        let existing = fs::read_to_string(&ex_path).unwrap_or_default();
        let merged = merge_example(&existing, generated);
        if merged != existing {
            safefs::write_atomic(&ex_path, merged.as_bytes(), Perm::Keep(0o644))
                .map_err(|e| format!("{example}: cannot write: {e}"))?;
            stager.wrote(example);
            changed = true;
        } else if !git::is_tracked(root, example).map_err(|e| e.to_string())? {
            // Written by an interrupted run (killed before it could say so): staged now.
            stager.carry(example);
            changed = true;
        }
    }
    failpoint("before-untrack");
    git::untrack(root, &file.path).map_err(|e| e.to_string())?;
    Ok(changed)
}

/// The existing example file plus the generated lines whose keys it lacks.
fn merge_example(existing: &str, generated: &str) -> String {
    if existing.trim().is_empty() {
        return generated.to_string();
    }
    let have: BTreeSet<String> = super::dotenv::parse(existing)
        .into_iter()
        .map(|e| e.key)
        .collect();
    let mut out = existing.to_string();
    if !out.ends_with('\n') {
        out.push('\n');
    }
    for e in super::dotenv::parse(generated) {
        if !have.contains(&e.key) {
            out.push_str(&generated[e.line.clone()]);
            out.push('\n');
        }
    }
    out
}

/// Paths that must be ignored: untracked dotenv files and `.env.local` targets; the example
/// files must not be. Adds the needed `.gitignore` lines (at the top of the repository) and
/// checks the result with `git check-ignore`. Returns whether `.gitignore` changed.
fn ensure_ignored(
    root: &Path,
    plan: &Plan,
    opts: &ApplyOptions,
    stager: &mut Stager,
) -> Result<bool, String> {
    let mut must: BTreeSet<String> = BTreeSet::new();
    let mut examples: BTreeSet<String> = BTreeSet::new();
    for f in &plan.files {
        if let Some(u) = &f.untrack {
            must.insert(f.path.clone());
            examples.insert(u.example.clone());
        }
    }
    let untracking: BTreeSet<&str> = plan
        .files
        .iter()
        .filter(|f| f.untrack.is_some())
        .map(|f| f.path.as_str())
        .collect();
    if opts.store == StoreKind::Dotenv {
        let tracked = git::tracked(root).map_err(|e| e.to_string())?;
        let mut dirs = BTreeSet::new();
        for it in &plan.items {
            let rel = DotenvStore::rel(&it.target);
            if tracked.contains(&rel) {
                if !untracking.contains(rel.as_str()) {
                    return Err(format!(
                        "{rel}: git tracks it, so migrate will not write secrets into it; untrack it (git rm --cached {rel}) or choose another --to store; nothing was moved"
                    ));
                }
                // A tracked .env.local holding secrets itself: untracked first, before any
                // value is added to it (its working copy keeps its own secrets).
                git::untrack(root, &rel).map_err(|e| e.to_string())?;
            }
            dirs.insert(it.target.path.clone());
            must.insert(rel);
        }
        // Temporaries of a killed run may hold secrets: remove them, and keep future ones out.
        for d in &dirs {
            safefs::remove_stale_temps(&root.join(d));
        }
        must.insert(format!("x{}1", safefs::TEMP_MARKER));
    }
    let check = |p: &str| git::is_ignored(root, p).map_err(|e| e.to_string());
    let mut missing = Vec::new();
    for p in &must {
        if !check(p)? {
            missing.push(p.clone());
        }
    }
    let mut lines: Vec<String> = Vec::new();
    for p in &missing {
        let name = p.rsplit('/').next().unwrap_or(p);
        let pattern = if name.contains(safefs::TEMP_MARKER) {
            format!("*{}*", safefs::TEMP_MARKER)
        } else if name == ".env" || name.starts_with(".env.") {
            if name == LOCAL_FILE {
                LOCAL_FILE.to_string()
            } else {
                ".env.*".to_string()
            }
        } else {
            format!("/{p}")
        };
        if name == ".env" {
            lines.push(".env".into());
        }
        lines.push(pattern);
    }
    let adds_env_glob = lines.iter().any(|l| l == ".env.*");
    if adds_env_glob {
        lines.retain(|l| l != LOCAL_FILE);
    }
    for ex in &examples {
        // Re-include the example file when our glob or an existing rule (`.env*`) hides it.
        if adds_env_glob || check(ex)? {
            let name = ex.rsplit('/').next().unwrap_or(ex);
            lines.push(format!("!{name}"));
        }
    }
    let mut changed = false;
    if !lines.is_empty() {
        let gi = root.join(".gitignore");
        let mut text = fs::read_to_string(&gi).unwrap_or_default();
        let have: BTreeSet<&str> = text.lines().map(str::trim).collect();
        let add: Vec<String> = {
            let mut seen = BTreeSet::new();
            lines
                .into_iter()
                .filter(|l| !have.contains(l.as_str()) && seen.insert(l.clone()))
                .collect()
        };
        if !add.is_empty() {
            // Keep the file's line endings: a CRLF .gitignore gets CRLF lines.
            let eol = if text.split('\n').next().is_some_and(|l| l.ends_with('\r')) && text.contains('\n') {
                "\r\n"
            } else {
                "\n"
            };
            if !text.is_empty() && !text.ends_with('\n') {
                text.push_str(eol);
            }
            text.push_str(eol);
            text.push_str("# leakless migrate: local secret files stay out of git");
            text.push_str(eol);
            for l in &add {
                text.push_str(l);
                text.push_str(eol);
            }
            safefs::write_atomic(&gi, text.as_bytes(), Perm::Keep(0o644))
                .map_err(|e| format!(".gitignore: cannot write: {e}"))?;
            stager.wrote(".gitignore");
            changed = true;
        }
    }
    for p in &must {
        if !check(p)? {
            return Err(format!("{p}: git does not ignore it even after updating .gitignore (a later rule re-includes it?); nothing was moved"));
        }
    }
    for ex in &examples {
        if check(ex)? {
            return Err(format!("{ex}: the example file would be ignored by git; add `!{ex}` to .gitignore; nothing was moved"));
        }
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::{base64, replace_text_line};

    #[test]
    fn base64_pads() {
        assert_eq!(base64(b"Man"), "TWFu");
        assert_eq!(base64(b"Ma"), "TWE=");
        assert_eq!(base64(b"M"), "TQ==");
        assert_eq!(base64(b""), "");
    }

    #[test]
    fn awkward_secrets_become_regex_lines() {
        assert_eq!(replace_text_line(b"abc", "K"), b"abc==>***REMOVED:K***");
        let l = String::from_utf8(replace_text_line(b"a==>b", "K")).unwrap_or_default();
        assert!(l.starts_with("regex:a==>b") || l.starts_with("regex:a=="), "{l}");
    }
}
