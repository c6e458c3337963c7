//! The `github` store: GitHub Actions secrets (repository, environment or organisation secrets)
//! over GitHub's REST API, for teams whose only consumer of a value is a workflow.
//!
//! GitHub never gives a secret's value back through any API: a value is encrypted on our side
//! with a libsodium sealed box (`crypto_box::PublicKey::seal`) against the scope's public key and
//! exists in clear only inside the Actions runner. That shapes the store:
//! - **Verification** cannot compare values. After a write we read the secret's metadata and
//!   require that it exists and that its `updated_at` is not older than the moment we started
//!   writing (allowing [`CLOCK_SKEW`] of difference between our clock and GitHub's). The
//!   encryption itself is checked by the tests (the stand-in server decrypts with PyNaCl).
//! - **Conflicts** cannot be told from identical values: an existing secret of that name is a
//!   conflict unless `--overwrite`, except one this repository's earlier run wrote with the same
//!   value and nobody has touched since (same `updated_at`; recorded in
//!   `.git/leakless/github-written.txt`, a value hash and the timestamp, never a value). An
//!   interrupted run's write (intent recorded, then killed before the metadata check) is finished
//!   by writing the same value again.
//! - **Reading back** (`leakless run`/`env`) is impossible: [`SecretStore::get`] reports whether
//!   the secret exists and says that its value lives only in Actions.
//!
//! Calls (docs.github.com, "REST API endpoints for GitHub Actions secrets", API version
//! 2022-11-28), under `/repos/{owner}/{repo}/actions/secrets`,
//! `/repos/{owner}/{repo}/environments/{environment}/secrets` or `/orgs/{org}/actions/secrets`:
//! `GET …/public-key` → `{key_id, key}`; `GET …/{name}` → `{name, created_at, updated_at, …}` or
//! 404; `PUT …/{name}` `{encrypted_value, key_id[, visibility, selected_repository_ids]}` → 201
//! created, 204 updated. Organisation secrets with `selected` visibility are granted to the
//! repository of `--github-repo` (looked up with `GET /repos/{owner}/{repo}`), keeping the
//! repositories an existing secret was already granted to
//! (`GET /orgs/{org}/actions/secrets/{name}/repositories`).
//!
//! Names follow GitHub's rules: letters, digits and `_`, not starting with a digit or `GITHUB_`,
//! case-insensitive (GitHub shows them upper-case). A key is upper-cased (GitHub does the same);
//! a key GitHub would refuse is not renamed but refused, and the value stays in its file as a
//! manual step, so the name the application reads never silently changes.

use std::collections::BTreeMap;
use std::fmt;
use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::{Put, Readback, SecretStore, StoreError, Target};
use crate::findings::Secret;
use crate::migrate::http::{encode_segment, one_line, Client, Response};

const STORE: &str = "github";
const HEADING: &str = "GitHub Actions secrets (--to github)";
/// github.com's API; GitHub Enterprise Server's is `https://HOST/api/v3`.
pub const DEFAULT_API_URL: &str = "https://api.github.com";
/// The REST API version we speak.
const API_VERSION: &str = "2022-11-28";
/// The largest secret GitHub stores (48 KB).
pub const MAX_VALUE: usize = 48 * 1024;
/// How far our clock may be ahead of GitHub's for a write to verify.
pub const CLOCK_SKEW: u64 = 60;
/// The record of our writes, inside the repository's `.git/leakless/`.
pub const RECORD_FILE: &str = "github-written.txt";

/// Who may read an organisation secret.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Visibility {
    /// Every repository of the organisation.
    All,
    /// The organisation's private (and internal) repositories.
    Private,
    /// Only the repositories granted (the one of `--github-repo`, plus any granted before).
    #[default]
    Selected,
}

impl Visibility {
    fn as_str(self) -> &'static str {
        match self {
            Visibility::All => "all",
            Visibility::Private => "private",
            Visibility::Selected => "selected",
        }
    }
}

/// `--to github` options.
#[derive(Clone, Default, clap::Args)]
pub struct GithubArgs {
    /// The repository OWNER/REPO whose secrets to write [default: GITHUB_REPOSITORY, else the
    /// github.com repository of the `origin` remote]
    #[arg(id = "github-repo", long = "github-repo", env = "GITHUB_REPOSITORY", value_name = "OWNER/REPO", help_heading = HEADING)]
    pub repo: Option<String>,
    /// Write environment secrets of this deployment environment (jobs read them only with
    /// `environment: NAME`) instead of repository secrets
    #[arg(id = "github-environment", long = "github-environment", value_name = "NAME", help_heading = HEADING)]
    pub environment: Option<String>,
    /// Write organisation secrets of ORG instead of repository secrets
    #[arg(id = "github-org", long = "github-org", value_name = "ORG", help_heading = HEADING)]
    pub org: Option<String>,
    /// Which repositories may read an organisation secret [default: selected: the one of
    /// --github-repo]
    #[arg(id = "github-visibility", long = "github-visibility", value_enum, value_name = "VISIBILITY", help_heading = HEADING)]
    pub visibility: Option<Visibility>,
    /// REST API URL [default: `https://api.github.com`; GitHub Enterprise Server: https://HOST/api/v3]
    #[arg(id = "github-api-url", long = "github-api-url", env = "GITHUB_API_URL", value_name = "URL", help_heading = HEADING)]
    pub api_url: Option<String>,
    /// Token with permission to write secrets [default: GH_TOKEN, else GITHUB_TOKEN, as the gh
    /// CLI takes them; prefer the variables]
    #[arg(id = "github-token", long = "github-token", value_name = "TOKEN", help_heading = HEADING)]
    pub token: Option<String>,
}

impl fmt::Debug for GithubArgs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GithubArgs")
            .field("repo", &self.repo)
            .field("environment", &self.environment)
            .field("org", &self.org)
            .field("visibility", &self.visibility)
            .field("api_url", &self.api_url)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// Which secrets the store writes.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Scope {
    Repo {
        repo: String,
    },
    Environment {
        repo: String,
        environment: String,
    },
    Org {
        org: String,
        visibility: Visibility,
        /// Whether `--github-visibility` was given (else an existing secret keeps its own).
        explicit: bool,
        repo: Option<String>,
    },
}

/// A secret's metadata (GitHub has nothing more to give).
#[derive(Clone, Debug)]
struct Meta {
    updated_at: String,
    visibility: Option<String>,
}

/// The scope's public key (fetched once per run; fetched again if GitHub refuses its id).
struct PublicKey {
    id: String,
    key: crypto_box::PublicKey,
}

/// What the record file says about one location.
#[derive(Clone, Debug, Default)]
struct Recorded {
    /// The last write started and not verified since: value hash, unix time.
    intent: Option<(String, u64)>,
    /// The last write verified: value hash, GitHub's `updated_at` afterwards.
    done: Option<(String, String)>,
}

/// The `github` store.
pub struct GithubStore {
    client: Client,
    base: String,
    token: Secret,
    scope: Scope,
    key: Option<PublicKey>,
    repo_id: Option<u64>,
    /// Writes of this run: location → (value hash, unix time the write started).
    started: BTreeMap<String, (String, u64)>,
    record_path: Option<PathBuf>,
    record: BTreeMap<String, Recorded>,
}

impl GithubStore {
    /// Checks the options. `state_dir` (the repository's `.git/leakless`) keeps the record of
    /// our writes; `None` keeps it in memory only. Nothing is sent yet.
    pub fn open(args: &GithubArgs, state_dir: Option<&Path>) -> Result<Self, StoreError> {
        let base = normalise_url(args.api_url.as_deref().unwrap_or(DEFAULT_API_URL))?;
        let var = |k: &str| std::env::var(k).ok().filter(|t| !t.trim().is_empty());
        let token = non_empty(&args.token)
            .map(str::to_string)
            .or_else(|| var("GH_TOKEN"))
            .or_else(|| var("GITHUB_TOKEN"))
            .ok_or_else(|| {
                StoreError::Config(
                    "--to github needs a token allowed to write secrets: GH_TOKEN or GITHUB_TOKEN (or --github-token); a workflow's own GITHUB_TOKEN cannot write secrets"
                        .into(),
                )
            })?;
        let repo = non_empty(&args.repo).map(check_repo).transpose()?;
        let scope = match (non_empty(&args.org), non_empty(&args.environment)) {
            (Some(_), Some(_)) => {
                return Err(StoreError::Config(
                    "--github-org and --github-environment exclude each other (organisation secrets have no environments)"
                        .into(),
                ))
            }
            (Some(org), None) => {
                check_segment("--github-org", org)?;
                let visibility = args.visibility.unwrap_or_default();
                if visibility == Visibility::Selected && repo.is_none() {
                    return Err(StoreError::Config(
                        "--github-visibility selected (the default) grants the secret to the repository of --github-repo (or GITHUB_REPOSITORY): give one, or choose --github-visibility private or all"
                            .into(),
                    ));
                }
                Scope::Org {
                    org: org.to_string(),
                    visibility,
                    explicit: args.visibility.is_some(),
                    repo,
                }
            }
            (None, env) => {
                let repo = repo.ok_or_else(|| {
                    StoreError::Config(
                        "--to github needs the repository: --github-repo OWNER/REPO (or GITHUB_REPOSITORY)".into(),
                    )
                })?;
                if args.visibility.is_some() {
                    return Err(StoreError::Config(
                        "--github-visibility applies to organisation secrets (--github-org) only".into(),
                    ));
                }
                match env {
                    Some(e) => {
                        check_segment("--github-environment", e)?;
                        Scope::Environment {
                            repo,
                            environment: e.to_string(),
                        }
                    }
                    None => Scope::Repo { repo },
                }
            }
        };
        let record_path = state_dir.map(|d| d.join(RECORD_FILE));
        let record = record_path.as_deref().map(load_record).unwrap_or_default();
        Ok(Self {
            client: Client::new(STORE),
            base,
            token: Secret::new(token.trim().as_bytes().to_vec()),
            scope,
            key: None,
            repo_id: None,
            started: BTreeMap::new(),
            record_path,
            record,
        })
    }

    /// The URL of the scope's secrets collection.
    fn collection(&self) -> String {
        match &self.scope {
            Scope::Repo { repo } => format!("{}/repos/{repo}/actions/secrets", self.base),
            Scope::Environment { repo, environment } => format!(
                "{}/repos/{repo}/environments/{}/secrets",
                self.base,
                encode_segment(environment)
            ),
            Scope::Org { org, .. } => format!("{}/orgs/{org}/actions/secrets", self.base),
        }
    }

    /// What the scope is, for messages: `repository o/r`, `environment prod of o/r`, `organisation o`.
    fn scope_name(&self) -> String {
        match &self.scope {
            Scope::Repo { repo } => format!("repository {repo}"),
            Scope::Environment { repo, environment } => format!("environment {environment} of {repo}"),
            Scope::Org { org, .. } => format!("organisation {org}"),
        }
    }

    fn call(&self, method: &str, url: &str, body: Option<&Value>) -> Result<Response, StoreError> {
        let auth = format!("Bearer {}", String::from_utf8_lossy(self.token.expose()));
        let headers = [
            ("Authorization", auth.as_str()),
            ("Accept", "application/vnd.github+json"),
            ("X-GitHub-Api-Version", API_VERSION),
        ];
        match body {
            Some(b) => self.client.send_json(method, url, &headers, b),
            None => self.client.send(method, url, &headers, None),
        }
    }

    /// The scope's public key (cached).
    fn public_key(&mut self, fresh: bool) -> Result<&PublicKey, StoreError> {
        if fresh || self.key.is_none() {
            let url = format!("{}/public-key", self.collection());
            let resp = self.call("GET", &url, None)?;
            if !resp.ok() {
                return Err(self.failure("get the public key of", &resp, None));
            }
            let v = resp.json("GitHub public key")?;
            let (Some(id), Some(key)) = (json_id(&v["key_id"]), v["key"].as_str()) else {
                return Err(StoreError::Other(format!(
                    "GitHub's public key of {} has no key_id or key",
                    self.scope_name()
                )));
            };
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(key.trim())
                .ok()
                .and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok())
                .ok_or_else(|| {
                    StoreError::Other(format!(
                        "GitHub's public key of {} is not 32 bytes of base64",
                        self.scope_name()
                    ))
                })?;
            self.key = Some(PublicKey {
                id,
                key: crypto_box::PublicKey::from(bytes),
            });
        }
        self.key
            .as_ref()
            .ok_or_else(|| StoreError::Other("github: no public key".into()))
    }

    /// The secret's metadata, `None` when absent.
    fn metadata(&mut self, name: &str) -> Result<Option<Meta>, StoreError> {
        let url = format!("{}/{}", self.collection(), encode_segment(name));
        let resp = self.call("GET", &url, None)?;
        match resp.status {
            200 => {
                let v = resp.json("GitHub secret metadata")?;
                let updated_at = v["updated_at"]
                    .as_str()
                    .filter(|s| parse_time(s).is_some())
                    .ok_or_else(|| {
                        StoreError::Other(format!(
                            "GitHub's metadata of secret {name} in {} has no valid updated_at",
                            self.scope_name()
                        ))
                    })?;
                Ok(Some(Meta {
                    updated_at: updated_at.to_string(),
                    visibility: v["visibility"].as_str().map(str::to_string),
                }))
            }
            // A 404 also means "no such repository, or the token cannot see it": fetch the
            // public key (needed to write anyway), which fails the same way only in that case.
            404 => {
                self.public_key(false)?;
                Ok(None)
            }
            _ => Err(self.failure(&format!("read secret {name} of"), &resp, None)),
        }
    }

    /// The id of `--github-repo` (for `selected` organisation secrets).
    fn repo_id(&mut self, repo: &str) -> Result<u64, StoreError> {
        if let Some(id) = self.repo_id {
            return Ok(id);
        }
        let resp = self.call("GET", &format!("{}/repos/{repo}", self.base), None)?;
        if !resp.ok() {
            return Err(self.failure(&format!("look up repository {repo} for"), &resp, None));
        }
        let id = resp.json("GitHub repository")?["id"]
            .as_u64()
            .ok_or_else(|| StoreError::Other(format!("GitHub's answer for repository {repo} has no id")))?;
        self.repo_id = Some(id);
        Ok(id)
    }

    /// The repositories an existing `selected` organisation secret is granted to.
    fn granted(&self, name: &str) -> Result<Vec<u64>, StoreError> {
        let mut ids = Vec::new();
        for page in 1..=100 {
            let url = format!(
                "{}/{}/repositories?per_page=100&page={page}",
                self.collection(),
                encode_segment(name)
            );
            let resp = self.call("GET", &url, None)?;
            if !resp.ok() {
                return Err(self.failure(&format!("list the repositories of secret {name} in"), &resp, None));
            }
            let v = resp.json("GitHub secret repositories")?;
            let repos = v["repositories"].as_array().cloned().unwrap_or_default();
            ids.extend(repos.iter().filter_map(|r| r["id"].as_u64()));
            let total = v["total_count"].as_u64().unwrap_or(0);
            if repos.is_empty() || ids.len() as u64 >= total {
                break;
            }
        }
        Ok(ids)
    }

    /// Encrypts and PUTs the value; `existing` is the secret's metadata before (for org grants).
    fn write(&mut self, name: &str, text: &str, existing: Option<&Meta>) -> Result<(), StoreError> {
        let mut extra = serde_json::Map::new();
        if let Scope::Org {
            visibility,
            explicit,
            repo,
            ..
        } = self.scope.clone()
        {
            // Overwriting without --github-visibility keeps who could read the secret before.
            let kept = existing.and_then(|m| match m.visibility.as_deref() {
                Some("all") => Some(Visibility::All),
                Some("private") => Some(Visibility::Private),
                Some("selected") => Some(Visibility::Selected),
                _ => None,
            });
            let visibility = match kept {
                Some(v) if !explicit => v,
                _ => visibility,
            };
            extra.insert("visibility".into(), json!(visibility.as_str()));
            if visibility == Visibility::Selected {
                let mut ids = match existing {
                    Some(m) if m.visibility.as_deref() == Some("selected") => self.granted(name)?,
                    _ => Vec::new(),
                };
                if let Some(r) = &repo {
                    ids.push(self.repo_id(r)?);
                }
                ids.sort_unstable();
                ids.dedup();
                extra.insert("selected_repository_ids".into(), json!(ids));
            }
        }
        let url = format!("{}/{}", self.collection(), encode_segment(name));
        for attempt in 0..2 {
            let key = self.public_key(attempt > 0)?;
            let sealed = key
                .key
                .seal(&mut crypto_box::aead::OsRng, text.as_bytes())
                .map_err(|_| StoreError::Other("github: sealing the value failed".into()))?;
            let mut body = extra.clone();
            body.insert(
                "encrypted_value".into(),
                json!(base64::engine::general_purpose::STANDARD.encode(sealed)),
            );
            body.insert("key_id".into(), json!(key.id));
            let resp = self.call("PUT", &url, Some(&Value::Object(body)))?;
            match resp.status {
                201 | 204 => return Ok(()),
                // The key was rotated between our read and the write: fetch it again, once.
                422 if attempt == 0 && message(&resp).to_ascii_lowercase().contains("key") => continue,
                _ => return Err(self.failure(&format!("write secret {name} in"), &resp, Some(text))),
            }
        }
        Err(StoreError::Other(format!(
            "GitHub kept refusing the public key of {} for secret {name}",
            self.scope_name()
        )))
    }

    /// The error for a failed call (never containing `value`).
    fn failure(&self, what: &str, resp: &Response, value: Option<&str>) -> StoreError {
        let mut m = message(resp);
        if let Some(v) = value.filter(|v| v.len() >= 4) {
            m = m.replace(v, "<redacted>");
        }
        match resp.status {
            401 => StoreError::Auth {
                store: STORE,
                reason: format!("{what} {}: {m}", self.scope_name()),
            },
            403 if m.to_ascii_lowercase().contains("rate limit") => StoreError::Other(format!(
                "GitHub rate-limited us while trying to {what} {}: {m}",
                self.scope_name()
            )),
            403 => StoreError::Auth {
                store: STORE,
                reason: format!(
                    "{what} {}: {m} (the token needs the Secrets write permission, or admin rights for organisation secrets)",
                    self.scope_name()
                ),
            },
            404 => StoreError::Config(format!(
                "cannot {what} {}: HTTP 404 (it does not exist, or the token cannot see it)",
                self.scope_name()
            )),
            status => StoreError::Other(format!(
                "GitHub could not {what} {}: HTTP {status}: {m}",
                self.scope_name()
            )),
        }
    }

    /// Appends one line to the record (best effort: without it a re-run reports a conflict
    /// instead of recognising our own write, which loses nothing).
    fn note(&mut self, line: &[&str]) {
        let Some(path) = &self.record_path else {
            return;
        };
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        if let Ok(mut f) = OpenOptions::new().create(true).append(true).open(path) {
            let _ = writeln!(f, "{}", line.join("\t"));
            let _ = f.sync_data();
        }
    }

    fn note_intent(&mut self, location: &str, hash: &str, t0: u64) {
        self.note(&["intent", location, hash, &t0.to_string()]);
        self.record.entry(location.to_string()).or_default().intent = Some((hash.to_string(), t0));
    }

    fn note_done(&mut self, location: &str, hash: &str, updated_at: &str) {
        self.note(&["done", location, hash, updated_at]);
        let r = self.record.entry(location.to_string()).or_default();
        r.done = Some((hash.to_string(), updated_at.to_string()));
        // The write this finishes is no longer pending.
        r.intent = None;
    }

    /// What an existing secret is to us: our own verified write of this value untouched since
    /// (`Some(true)`), our own interrupted write of this value that may have landed
    /// (`Some(false)`: write it again), or someone else's (`None`).
    fn ours(&self, location: &str, hash: &str, meta: &Meta) -> Option<bool> {
        let rec = self.record.get(location)?;
        if let Some((h, at)) = &rec.done {
            if h == hash && *at == meta.updated_at {
                return Some(true);
            }
            if *at == meta.updated_at {
                return None;
            }
        }
        match &rec.intent {
            Some((h, t0)) if h == hash => {
                let at = parse_time(&meta.updated_at)?;
                // Written at or after our intent, and after our last verified write if any.
                let after_done = rec
                    .done
                    .as_ref()
                    .and_then(|(_, d)| parse_time(d))
                    .is_none_or(|d| at >= d);
                (at + CLOCK_SKEW >= *t0 && after_done).then_some(false)
            }
            _ => None,
        }
    }
}

impl SecretStore for GithubStore {
    fn kind(&self) -> &'static str {
        STORE
    }

    fn describe(&self, target: &Target) -> String {
        let name = secret_name(&target.key).unwrap_or_else(|_| target.key.clone());
        match &self.scope {
            Scope::Repo { repo } => format!("github:{repo}#{name}"),
            Scope::Environment { repo, environment } => {
                format!("github:{repo}/environments/{environment}#{name}")
            }
            Scope::Org { org, .. } => format!("github:orgs/{org}#{name}"),
        }
    }

    /// GitHub never returns a value: `None` when the secret is absent, otherwise an error that
    /// says where the value can be used.
    fn get(&mut self, target: &Target) -> Result<Option<Secret>, StoreError> {
        let name = self.name(target)?;
        match self.metadata(&name)? {
            None => Ok(None),
            Some(m) => Err(StoreError::Other(format!(
                "{} exists (updated {}), but GitHub never returns a secret's value, so it cannot be compared (a conflict for migrate --apply unless --overwrite); it exists only inside GitHub Actions, as ${{{{ secrets.{name} }}}}",
                self.describe(target),
                m.updated_at
            ))),
        }
    }

    fn put(&mut self, target: &Target, value: &Secret, overwrite: bool) -> Result<Put, StoreError> {
        let name = self.name(target)?;
        let location = self.describe(target);
        let text = storable(&location, value)?;
        let hash = value_hash(&location, value);
        let existing = self.metadata(&name)?;
        let put = match &existing {
            None => Put::Created,
            Some(m) => match self.ours(&location, &hash, m) {
                Some(true) => {
                    self.started.remove(&location);
                    return Ok(Put::Unchanged);
                }
                // Our interrupted write: finish it.
                Some(false) => Put::Created,
                None if !overwrite => return Err(StoreError::Conflict { location }),
                None => Put::Overwritten,
            },
        };
        let t0 = now();
        self.note_intent(&location, &hash, t0);
        self.write(&name, text, existing.as_ref())?;
        self.started.insert(location, (hash, t0));
        Ok(put)
    }

    fn verify(&mut self, target: &Target, value: &Secret) -> Result<Readback, StoreError> {
        let name = self.name(target)?;
        let location = self.describe(target);
        let hash = value_hash(&location, value);
        let Some(meta) = self.metadata(&name)? else {
            return Ok(Readback::Absent);
        };
        let verified = match self.started.get(&location) {
            // Written by this run: it must have changed at or after the write started.
            Some((h, t0)) if *h == hash => {
                parse_time(&meta.updated_at).is_some_and(|at| at + CLOCK_SKEW >= *t0)
            }
            Some(_) => false,
            // Not written by this run (`Put::Unchanged`): still our recorded write.
            None => self.ours(&location, &hash, &meta) == Some(true),
        };
        if !verified {
            return Err(StoreError::Other(format!(
                "{location} was last updated {}, before our write: GitHub did not take it (or someone else wrote it)",
                meta.updated_at
            )));
        }
        self.started.remove(&location);
        self.note_done(&location, &hash, &meta.updated_at);
        Ok(Readback::Same)
    }

    /// Ours when our record's last verified write there is still the current one (same
    /// `updated_at`), whatever value it was.
    fn written_by_us(&mut self, target: &Target, _wrote: &dyn Fn(&Secret) -> bool) -> bool {
        let Ok(name) = self.name(target) else {
            return false;
        };
        let location = self.describe(target);
        let Some((_, at)) = self.record.get(&location).and_then(|r| r.done.clone()) else {
            return false;
        };
        matches!(self.metadata(&name), Ok(Some(m)) if m.updated_at == at)
    }

    fn fetch_hint(&self, target: &Target) -> String {
        let name = secret_name(&target.key).unwrap_or_else(|_| target.key.clone());
        let list = match &self.scope {
            Scope::Repo { repo } => format!("gh secret list --repo {repo}"),
            Scope::Environment { repo, environment } => {
                format!("gh secret list --repo {repo} --env {environment}")
            }
            Scope::Org { org, .. } => format!("gh secret list --org {org}"),
        };
        let host = self
            .base
            .strip_suffix("/api/v3")
            .and_then(|h| h.strip_prefix("https://"));
        let list = match host {
            Some(h) => format!("GH_HOST={h} {list}"),
            None => list,
        };
        format!(
            "write-only (GitHub never returns a value): a workflow reads it as ${{{{ secrets.{name} }}}}; `{list}` shows it exists"
        )
    }

    fn address(&self, _target: &Target) -> crate::migrate::secrets_map::Address {
        let mut a = crate::migrate::secrets_map::Address {
            address: if self.base == DEFAULT_API_URL {
                String::new()
            } else {
                self.base.clone()
            },
            project: String::new(),
            options: Default::default(),
        };
        match &self.scope {
            Scope::Repo { repo } => a.project = repo.clone(),
            Scope::Environment { repo, environment } => {
                a.project = repo.clone();
                a.options.insert("environment".into(), environment.clone());
            }
            Scope::Org {
                org,
                visibility,
                repo,
                ..
            } => {
                a.project = repo.clone().unwrap_or_default();
                a.options.insert("org".into(), org.clone());
                a.options.insert("visibility".into(), visibility.as_str().into());
            }
        }
        a
    }
}

impl GithubStore {
    /// The secret name of a target (see [`secret_name`]); GitHub secrets have no folders.
    fn name(&self, target: &Target) -> Result<String, StoreError> {
        if !target.path.is_empty() {
            return Err(StoreError::Config(format!(
                "GitHub secrets have no folders, but the path template gave '{}' for {}: use --path-template '' with --to github",
                target.path, target.key
            )));
        }
        secret_name(&target.key).map_err(StoreError::Unstorable)
    }
}

/// The GitHub secret name for `key`: upper-cased; an error (why) for a name GitHub refuses.
pub fn secret_name(key: &str) -> Result<String, String> {
    let name = key.to_ascii_uppercase();
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Err(format!(
            "{key}: GitHub secret names may only hold letters, digits and '_'; rename the variable to store it in GitHub"
        ));
    }
    if name.as_bytes()[0].is_ascii_digit() {
        return Err(format!(
            "{key}: GitHub secret names cannot start with a digit; rename the variable to store it in GitHub"
        ));
    }
    if name.starts_with("GITHUB_") {
        return Err(format!(
            "{key}: GitHub reserves secret names starting with GITHUB_; rename the variable to store it in GitHub"
        ));
    }
    Ok(name)
}

/// `OWNER/REPO` of a github.com remote URL (`https://github.com/o/r.git`,
/// `git@github.com:o/r.git`, `ssh://git@github.com/o/r`); `None` for any other host.
pub fn repo_from_remote(url: &str) -> Option<String> {
    let url = url.trim();
    let rest = [
        "https://github.com/",
        "http://github.com/",
        "ssh://git@github.com/",
        "git@github.com:",
    ]
    .iter()
    .find_map(|p| url.strip_prefix(p))?;
    let rest = rest.trim_end_matches('/');
    let rest = rest.strip_suffix(".git").unwrap_or(rest);
    let (owner, repo) = rest.split_once('/')?;
    check_repo(&format!("{owner}/{repo}")).ok()
}

/// The value as text GitHub keeps exactly, or why not.
fn storable<'v>(location: &str, value: &'v Secret) -> Result<&'v str, StoreError> {
    let text = std::str::from_utf8(value.expose()).map_err(|_| {
        StoreError::Unstorable(format!(
            "{location}: the value is not UTF-8 text, which is all a workflow can read from a secret; it was not sent"
        ))
    })?;
    if text.len() > MAX_VALUE {
        return Err(StoreError::Unstorable(format!(
            "{location}: the value is {} bytes; GitHub secrets hold at most 48 KB; it was not sent",
            text.len()
        )));
    }
    if text.is_empty() {
        return Err(StoreError::Unstorable(format!(
            "{location}: GitHub does not store empty secrets; it was not sent"
        )));
    }
    Ok(text)
}

/// The record's value hash of `value` at `location` (never the value).
fn value_hash(location: &str, value: &Secret) -> String {
    let mut h = Sha256::new();
    h.update(b"leakless/github-written\0");
    h.update(location.as_bytes());
    h.update(b"\0");
    h.update(value.expose());
    h.finalize()[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads the record file (missing or unreadable: empty).
fn load_record(path: &Path) -> BTreeMap<String, Recorded> {
    let mut out: BTreeMap<String, Recorded> = BTreeMap::new();
    let Ok(text) = std::fs::read_to_string(path) else {
        return out;
    };
    for line in text.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        match f.as_slice() {
            ["intent", loc, hash, t0] => {
                if let Ok(t0) = t0.parse() {
                    out.entry(loc.to_string()).or_default().intent = Some((hash.to_string(), t0));
                }
            }
            ["done", loc, hash, at] => {
                let r = out.entry(loc.to_string()).or_default();
                r.done = Some((hash.to_string(), at.to_string()));
                r.intent = None;
            }
            _ => {}
        }
    }
    out
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Seconds since the epoch of an ISO 8601 UTC time as GitHub writes it
/// (`2026-12-06T12:00:00Z`, optionally with fractional seconds or `+00:00`).
pub fn parse_time(s: &str) -> Option<u64> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = s.get(r)?;
        t.bytes().all(|c| c.is_ascii_digit()).then(|| t.parse().ok())?
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let rest = &s[19..];
    let rest = match rest.strip_prefix('.') {
        Some(r) => r.trim_start_matches(|c: char| c.is_ascii_digit()),
        None => rest,
    };
    if !matches!(rest, "Z" | "+00:00")
        || !(1..=12).contains(&mo)
        || !(1..=31).contains(&d)
        || h > 23
        || mi > 59
        || se > 60
    {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm).
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    u64::try_from(days * 86_400 + h * 3600 + mi * 60 + se).ok()
}

/// GitHub's `message` (plus the first validation error), on one line, at most 300 characters.
fn message(resp: &Response) -> String {
    let text = match serde_json::from_slice::<Value>(&resp.body) {
        Ok(v) => {
            let mut m = v["message"].as_str().unwrap_or("").to_string();
            if let Some(e) = v["errors"].as_array().and_then(|a| a.first()) {
                let detail = e.as_str().map(str::to_string).or_else(|| {
                    e["message"]
                        .as_str()
                        .or_else(|| e["code"].as_str())
                        .map(str::to_string)
                });
                if let Some(d) = detail {
                    m = format!("{m} ({d})");
                }
            }
            if m.is_empty() {
                format!("HTTP {}", resp.status)
            } else {
                m
            }
        }
        Err(_) => format!("HTTP {} (not JSON)", resp.status),
    };
    let line = one_line(&text);
    if line.chars().count() > 300 {
        format!("{}…", line.chars().take(300).collect::<String>())
    } else {
        line
    }
}

/// A key id: GitHub sends a string of digits; accept a number too.
fn json_id(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn normalise_url(url: &str) -> Result<String, StoreError> {
    let base = url.trim().trim_end_matches('/');
    if !(base.starts_with("https://") || base.starts_with("http://")) || base.len() <= "https://".len() {
        return Err(StoreError::Config(format!(
            "--github-api-url must be an http:// or https:// URL, not '{url}'"
        )));
    }
    Ok(base.to_string())
}

fn non_empty(o: &Option<String>) -> Option<&str> {
    o.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// One URL path segment GitHub accepts as an owner, repository, organisation or environment.
fn check_segment(what: &str, s: &str) -> Result<(), StoreError> {
    let ok = !s.is_empty()
        && s != "."
        && s != ".."
        && s.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ' '));
    if ok {
        Ok(())
    } else {
        Err(StoreError::Config(format!(
            "{what}: '{}' is not a GitHub name (letters, digits, '-', '_', '.')",
            crate::report::escape(s)
        )))
    }
}

/// `OWNER/REPO`, checked.
fn check_repo(s: &str) -> Result<String, StoreError> {
    let (owner, repo) = s.split_once('/').ok_or_else(|| {
        StoreError::Config(format!(
            "--github-repo: '{}' is not OWNER/REPO",
            crate::report::escape(s)
        ))
    })?;
    check_segment("--github-repo", owner)?;
    check_segment("--github-repo", repo)?;
    if owner.contains(' ') || repo.contains(' ') {
        return Err(StoreError::Config(
            "--github-repo: no spaces in OWNER/REPO".into(),
        ));
    }
    Ok(format!("{owner}/{repo}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_githubs_rules() {
        assert_eq!(secret_name("OPENAI_API_KEY").expect("valid"), "OPENAI_API_KEY");
        assert_eq!(secret_name("stripe_key").expect("upper-cased"), "STRIPE_KEY");
        assert_eq!(secret_name("_X1").expect("leading _"), "_X1");
        assert!(secret_name("GITHUB_TOKEN").is_err());
        assert!(secret_name("github_pat").is_err());
        assert!(secret_name("1PASSWORD").is_err());
        assert!(secret_name("my-key").is_err());
        assert!(secret_name("db.url").is_err());
        assert!(secret_name("").is_err());
    }

    #[test]
    fn repositories_come_from_github_remotes_only() {
        for u in [
            "https://github.com/acme/shop.git",
            "https://github.com/acme/shop",
            "git@github.com:acme/shop.git",
            "ssh://git@github.com/acme/shop.git/",
        ] {
            assert_eq!(repo_from_remote(u).as_deref(), Some("acme/shop"), "{u}");
        }
        for u in [
            "https://gitlab.com/acme/shop.git",
            "https://github.com.evil.example/acme/shop",
            "https://github.com/acme",
            "https://github.com/acme/shop/extra",
            "/srv/git/shop.git",
        ] {
            assert_eq!(repo_from_remote(u), None, "{u}");
        }
    }

    #[test]
    fn github_times_parse() {
        assert_eq!(parse_time("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_time("2020-01-10T14:59:22Z"), Some(1_578_668_362));
        assert_eq!(parse_time("2020-01-10T14:59:22.123Z"), Some(1_578_668_362));
        assert_eq!(parse_time("2024-02-29T00:00:00+00:00"), Some(1_709_164_800));
        assert_eq!(parse_time("2020-01-10 14:59:22Z"), None);
        assert_eq!(parse_time("2020-13-10T14:59:22Z"), None);
        assert_eq!(parse_time("2020-01-10T14:59:22+02:00"), None);
        assert_eq!(parse_time("2020-01-10T14:59:2xZ"), None);
    }

    #[test]
    fn a_sealed_value_opens_with_the_secret_key_only() {
        let sk = crypto_box::SecretKey::generate(&mut crypto_box::aead::OsRng);
        let sealed = sk
            .public_key()
            .seal(&mut crypto_box::aead::OsRng, b"s3cr3t")
            .expect("seal");
        assert_eq!(sealed.len(), 32 + 16 + 6);
        assert_eq!(sk.unseal(&sealed).expect("unseal"), b"s3cr3t");
        let other = crypto_box::SecretKey::generate(&mut crypto_box::aead::OsRng);
        assert!(other.unseal(&sealed).is_err());
    }

    #[test]
    fn options_are_checked_before_anything_is_sent() {
        let args = |repo: Option<&str>, env: Option<&str>, org: Option<&str>| GithubArgs {
            repo: repo.map(str::to_string),
            environment: env.map(str::to_string),
            org: org.map(str::to_string),
            visibility: None,
            api_url: Some("http://127.0.0.1:9".into()),
            token: Some("t".into()),
        };
        assert!(GithubStore::open(&args(Some("o/r"), None, None), None).is_ok());
        assert!(GithubStore::open(&args(Some("o/r"), Some("prod"), None), None).is_ok());
        assert!(GithubStore::open(&args(Some("o/r"), None, Some("acme")), None).is_ok());
        assert!(GithubStore::open(&args(None, None, Some("acme")), None).is_err());
        assert!(GithubStore::open(&args(None, None, None), None).is_err());
        assert!(GithubStore::open(&args(Some("o/r"), Some("prod"), Some("acme")), None).is_err());
        assert!(GithubStore::open(&args(Some("o/../r"), None, None), None).is_err());
        assert!(GithubStore::open(&args(Some("o"), None, None), None).is_err());
        assert!(GithubStore::open(&args(Some("o/r"), Some("a/b"), None), None).is_err());
        let mut a = args(Some("o/r"), None, None);
        a.visibility = Some(Visibility::All);
        assert!(
            GithubStore::open(&a, None).is_err(),
            "visibility without --github-org"
        );
    }

    #[test]
    fn the_record_recognises_our_own_untouched_write() {
        let dir = tempfile::tempdir().expect("tempdir");
        let args = GithubArgs {
            repo: Some("o/r".into()),
            api_url: Some("http://127.0.0.1:9".into()),
            token: Some("t".into()),
            ..Default::default()
        };
        let mut s = GithubStore::open(&args, Some(dir.path())).expect("open");
        let v = Secret::new(b"value".to_vec());
        let h = value_hash("github:o/r#K", &v);
        s.note_intent("github:o/r#K", &h, 1_578_668_300);
        let meta = |at: &str| Meta {
            updated_at: at.into(),
            visibility: None,
        };
        // Interrupted: written after the intent → finish it; before → someone else's.
        assert_eq!(
            s.ours("github:o/r#K", &h, &meta("2020-01-10T14:59:22Z")),
            Some(false)
        );
        assert_eq!(s.ours("github:o/r#K", &h, &meta("2020-01-10T14:00:00Z")), None);
        s.note_done("github:o/r#K", &h, "2020-01-10T14:59:22Z");
        let s = GithubStore::open(&args, Some(dir.path())).expect("reopen reads the record");
        assert_eq!(
            s.ours("github:o/r#K", &h, &meta("2020-01-10T14:59:22Z")),
            Some(true)
        );
        assert_eq!(
            s.ours("github:o/r#K", &h, &meta("2020-01-10T15:30:00Z")),
            None,
            "changed since"
        );
        let other = value_hash("github:o/r#K", &Secret::new(b"other".to_vec()));
        assert_eq!(
            s.ours("github:o/r#K", &other, &meta("2020-01-10T14:59:22Z")),
            None
        );
        let text = std::fs::read_to_string(dir.path().join(RECORD_FILE)).expect("record");
        assert!(!text.contains("value"), "no value in the record");
    }
}
