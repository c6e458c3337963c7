//! `.leakless/secrets.toml`: the committed map of where each migrated secret lives.
//!
//! After `migrate --apply` the values are gone from the repository, so a teammate's fresh clone
//! or a CI job needs to know where to fetch them. This file records, for each variable name and
//! environment, the store kind, its address and project, the path and the field — never a
//! value — and is merged on later runs. `leakless run` and `leakless env` read it and resolve
//! each entry from its store ([`resolve`]) with the same backends and credentials as `migrate`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::store::{self, SecretStore, StoreArgs, StoreError, StoreKind, Target};
use crate::findings::Secret;
use crate::safefs::{self, Perm};

/// The map's path relative to the repository root.
pub const MAP_FILE: &str = ".leakless/secrets.toml";

/// The map's format version.
pub const MAP_VERSION: u32 = 1;

/// Errors reading, writing or resolving the map. Never carries a value.
#[derive(Debug, thiserror::Error)]
pub enum MapError {
    /// The file could not be read or written.
    #[error("{path}: {reason}")]
    Io {
        /// The map file.
        path: String,
        /// Why.
        reason: String,
    },
    /// The file is not a map leakless can read.
    #[error("{path}: not a leakless secrets map: {reason}")]
    Parse {
        /// The map file.
        path: String,
        /// The parser's message (TOML syntax position, unknown field...).
        reason: String,
    },
    /// The environment asked for is not in the map.
    #[error("{0}")]
    NoEnv(String),
    /// A store failed, or does not hold the value the map names.
    #[error("{name}: {reason}")]
    Store {
        /// The variable name.
        name: String,
        /// The store's error (never a value).
        reason: String,
    },
}

/// Where a store is, independent of the secret: what [`SecretStore::address`] returns.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Address {
    /// The server URL (Vault/OpenBao address, Infisical site, a custom AWS endpoint); empty for
    /// the store's default or for file stores.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub address: String,
    /// The store's top-level container: the Vault KV mount, the Infisical project id, the AWS
    /// region, the GCP project.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub project: String,
    /// Store-specific settings needed to find the value again (`namespace` for Vault,
    /// `environment` for Infisical, `mode` for AWS per-file secrets, `file` for dotenv).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub options: BTreeMap<String, String>,
}

/// One secret in the map.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The environment variable the application reads.
    pub name: String,
    /// The environment (`dev`, `prod`, ...).
    pub env: String,
    /// The store kind.
    pub store: StoreKind,
    /// The server URL (see [`Address::address`]).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub address: String,
    /// The mount, project or region (see [`Address::project`]).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub project: String,
    /// The store path (Vault secret path below the mount, Infisical folder, AWS name prefix,
    /// dotenv directory).
    #[serde(default)]
    pub path: String,
    /// The key (field) inside the path.
    pub field: String,
    /// Store-specific settings (see [`Address::options`]).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub options: BTreeMap<String, String>,
}

impl Entry {
    /// The entry for a secret verified at `target` in `store`.
    pub fn new(name: &str, env: &str, kind: StoreKind, store: &dyn SecretStore, target: &Target) -> Self {
        let a = store.address(target);
        Self {
            name: name.to_string(),
            env: env.to_string(),
            store: kind,
            address: a.address,
            project: a.project,
            path: target.path.clone(),
            field: target.key.clone(),
            options: a.options,
        }
    }

    /// Where the entry's store is.
    pub fn store_address(&self) -> Address {
        Address {
            address: self.address.clone(),
            project: self.project.clone(),
            options: self.options.clone(),
        }
    }

    /// The target to read.
    pub fn target(&self) -> Target {
        Target {
            path: self.path.clone(),
            key: self.field.clone(),
            env: self.options.get("env").cloned().unwrap_or_default(),
        }
    }
}

/// The whole file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretsMap {
    /// [`MAP_VERSION`].
    pub version: u32,
    /// Entries, sorted by environment then name; one per (environment, name).
    #[serde(default, rename = "secret")]
    pub secrets: Vec<Entry>,
}

const HEADER: &str = "# Where the secrets of this repository live (written by `leakless migrate --apply`).\n\
# No values: each entry names a store, a path and a field. Commit this file.\n\
# `leakless run [--env ENV] -- CMD` runs CMD with the values; `leakless env` prints them.\n\n";

impl SecretsMap {
    /// The map file of the repository at `root`.
    pub fn path(root: &Path) -> PathBuf {
        root.join(MAP_FILE)
    }

    /// Reads the map at `file`; an absent file is an empty map.
    pub fn load(file: &Path) -> Result<Self, MapError> {
        let text = match std::fs::symlink_metadata(file) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::empty()),
            _ => safefs::read_config(file, safefs::Origin::CommandLine).map_err(|e| MapError::Io {
                path: file.display().to_string(),
                reason: e.to_string(),
            })?,
        };
        let map: Self = toml::from_str(&text).map_err(|e| MapError::Parse {
            path: file.display().to_string(),
            reason: e.message().to_string(),
        })?;
        if map.version != MAP_VERSION {
            return Err(MapError::Parse {
                path: file.display().to_string(),
                reason: format!(
                    "version {} (this leakless reads version {MAP_VERSION})",
                    map.version
                ),
            });
        }
        Ok(map)
    }

    /// An empty map of the current version.
    pub fn empty() -> Self {
        Self {
            version: MAP_VERSION,
            secrets: Vec::new(),
        }
    }

    /// Adds or replaces the entries of `new` (same environment and name), keeping the others.
    /// Returns whether anything changed.
    pub fn merge(&mut self, new: impl IntoIterator<Item = Entry>) -> bool {
        let mut changed = false;
        for e in new {
            match self
                .secrets
                .iter_mut()
                .find(|o| o.env == e.env && o.name == e.name)
            {
                Some(o) if *o == e => {}
                Some(o) => {
                    *o = e;
                    changed = true;
                }
                None => {
                    self.secrets.push(e);
                    changed = true;
                }
            }
        }
        self.secrets
            .sort_by(|a, b| (&a.env, &a.name).cmp(&(&b.env, &b.name)));
        changed
    }

    /// The TOML text.
    pub fn to_toml(&self) -> Result<String, MapError> {
        let body = toml::to_string(self).map_err(|e| MapError::Parse {
            path: MAP_FILE.into(),
            reason: e.to_string(),
        })?;
        Ok(format!("{HEADER}{body}"))
    }

    /// Writes the map (atomically, never through a link) to `file`.
    pub fn save(&self, file: &Path) -> Result<(), MapError> {
        let err = |reason: String| MapError::Io {
            path: file.display().to_string(),
            reason,
        };
        if let Some(dir) = file.parent() {
            if std::fs::symlink_metadata(dir).is_ok_and(|m| m.file_type().is_symlink()) {
                return Err(err("its directory is a symbolic link; not written".into()));
            }
            std::fs::create_dir_all(dir).map_err(|e| err(e.to_string()))?;
        }
        safefs::write_atomic(file, self.to_toml()?.as_bytes(), Perm::Keep(0o644))
            .map_err(|e| err(e.to_string()))
    }

    /// The environments in the map, sorted.
    pub fn envs(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.secrets.iter().map(|e| e.env.as_str()).collect();
        v.dedup();
        v
    }

    /// The environment to use: `wanted`, else the only one in the map, else `dev` when present.
    pub fn pick_env(&self, wanted: Option<&str>) -> Result<String, MapError> {
        let envs = self.envs();
        let list = || {
            if envs.is_empty() {
                "the map is empty (run `leakless migrate --apply` first)".to_string()
            } else {
                format!("the map has: {}", envs.join(", "))
            }
        };
        match wanted {
            Some(w) if envs.contains(&w) => Ok(w.to_string()),
            Some(w) => Err(MapError::NoEnv(format!(
                "no secrets for environment {w:?}: {}",
                list()
            ))),
            None if envs.len() == 1 => Ok(envs[0].to_string()),
            None if envs.contains(&"dev") => Ok("dev".into()),
            None => Err(MapError::NoEnv(format!(
                "choose an environment with --env: {}",
                list()
            ))),
        }
    }
}

/// Opens the store an entry names: the location (Vault mount and namespace, Infisical project
/// and environment, AWS region and mode) comes from the map; the server address from the
/// command line or its environment variable (`VAULT_ADDR`, `INFISICAL_API_URL`,
/// `AWS_ENDPOINT_URL`, `AZURE_KEYVAULT_URL`, `DOPPLER_API_HOST`) when set, else from the map; credentials from the command line or the
/// environment, as for `migrate`.
pub fn open_for(e: &Entry, args: &StoreArgs, root: &Path) -> Result<Box<dyn SecretStore>, StoreError> {
    let mut a = args.clone();
    let addr = e.store_address();
    let opt = |k: &str| addr.options.get(k).cloned();
    let or_map = |given: &mut Option<String>, from_map: &str| {
        if given.as_deref().is_none_or(|g| g.trim().is_empty()) && !from_map.is_empty() {
            *given = Some(from_map.to_string());
        }
    };
    match e.store {
        StoreKind::Dotenv | StoreKind::Age => {}
        StoreKind::Github => {
            or_map(&mut a.github.api_url, &addr.address);
            or_map(&mut a.github.repo, &addr.project);
            a.github.environment = opt("environment");
            a.github.org = opt("org");
        }
        StoreKind::Vault => {
            or_map(&mut a.vault.vault_addr, &addr.address);
            if !addr.project.is_empty() {
                a.vault.vault_mount = addr.project.clone();
            }
            if let Some(ns) = opt("namespace") {
                a.vault.vault_namespace = Some(ns);
            }
        }
        StoreKind::Infisical => {
            or_map(&mut a.infisical.url, &addr.address);
            if !addr.project.is_empty() {
                a.infisical.project = Some(addr.project.clone());
            }
            a.infisical.env = Some(opt("environment").unwrap_or_else(|| e.env.clone()));
        }
        StoreKind::Aws => {
            let set = |k: &str| std::env::var(k).is_ok_and(|v| !v.trim().is_empty());
            if !set("AWS_ENDPOINT_URL") {
                or_map(&mut a.aws.endpoint, &addr.address);
            }
            if !addr.project.is_empty() {
                a.aws.region = Some(addr.project.clone());
            }
            a.aws.mode = match opt("mode").as_deref() {
                Some("per-file") => store::aws::AwsMode::PerFile,
                _ => store::aws::AwsMode::PerKey,
            };
        }
        StoreKind::Azure => or_map(&mut a.azure.vault_url, &addr.address),
        StoreKind::Doppler => {
            or_map(&mut a.doppler.api_host, &addr.address);
            if !addr.project.is_empty() {
                a.doppler.project = Some(addr.project.clone());
            }
            if let Some(config) = opt("config") {
                a.doppler.config = Some(config);
            }
        }
        StoreKind::Gcp => {
            // `--gcp-endpoint` is read from CLOUDSDK_API_ENDPOINT_OVERRIDES_SECRETMANAGER too. An
            // endpoint from the committed map is followed only to Google (or a loopback test
            // server): anything else must be set by the user, so that an edited map cannot send
            // the bearer token elsewhere.
            if a.gcp.endpoint.as_deref().is_none_or(|g| g.trim().is_empty())
                && !addr.address.is_empty()
                && !store::gcp::trusted_endpoint(&addr.address)
            {
                return Err(StoreError::Config(format!(
                    "{MAP_FILE} names the GCP endpoint {:?}, which is not a Google endpoint: to use it, set \
                     --gcp-endpoint (or CLOUDSDK_API_ENDPOINT_OVERRIDES_SECRETMANAGER) yourself",
                    crate::migrate::http::strip_query(&addr.address)
                )));
            }
            or_map(&mut a.gcp.endpoint, &addr.address);
            if !addr.project.is_empty() {
                a.gcp.project = Some(addr.project.clone());
            }
        }
    }
    store::open(e.store, &a, root)
}

/// Reads the values of `env`'s entries from their stores, opening each store once. Fails on the
/// first store error or missing value (the caller runs nothing then).
pub fn resolve(
    map: &SecretsMap,
    env: &str,
    args: &StoreArgs,
    root: &Path,
) -> Result<Vec<(String, Secret)>, MapError> {
    let mut stores: BTreeMap<(String, Address), Box<dyn SecretStore>> = BTreeMap::new();
    let mut out = Vec::new();
    for e in map.secrets.iter().filter(|e| e.env == env) {
        let fail = |reason: String| MapError::Store {
            name: e.name.clone(),
            reason,
        };
        if e.store == StoreKind::Github {
            out.push((e.name.clone(), from_actions(e).map_err(fail)?));
            continue;
        }
        let key = (e.store.to_string(), e.store_address());
        if !stores.contains_key(&key) {
            let s = open_for(e, args, root).map_err(|err| fail(err.to_string()))?;
            stores.insert(key.clone(), s);
        }
        let s = stores
            .get_mut(&key)
            .ok_or_else(|| fail("store not opened".into()))?;
        let t = e.target();
        match s.get(&t) {
            Ok(Some(v)) => out.push((e.name.clone(), v)),
            Ok(None) => return Err(fail(format!("not found at {}", s.describe(&t)))),
            Err(err) => return Err(fail(err.to_string())),
        }
    }
    Ok(out)
}

/// A GitHub Actions secret's value: GitHub never returns one, so it is found only where a
/// workflow put it, in this process's environment under the entry's name
/// (`env: NAME: ${{ secrets.FIELD }}` in the job); anywhere else, why not.
fn from_actions(e: &Entry) -> Result<Secret, String> {
    let secret = store::github::secret_name(&e.field).unwrap_or_else(|_| e.field.clone());
    match std::env::var_os(&e.name).filter(|v| !v.is_empty()) {
        Some(v) => Ok(Secret::new(v.into_encoded_bytes())),
        None => Err(format!(
            "a GitHub Actions secret ({secret}{}): GitHub never gives a secret's value back, so it exists only inside GitHub Actions; give it to the job with `env: {}: ${{{{ secrets.{secret} }}}}` in the workflow (leakless run then passes it on)",
            e.options
                .get("environment")
                .map(|env| format!(" of environment {env}: the job needs `environment: {env}`"))
                .unwrap_or_default(),
            e.name
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(env: &str, name: &str, path: &str) -> Entry {
        Entry {
            name: name.into(),
            env: env.into(),
            store: StoreKind::Vault,
            address: "http://127.0.0.1:8200".into(),
            project: "secret".into(),
            path: path.into(),
            field: name.into(),
            options: BTreeMap::new(),
        }
    }

    #[test]
    fn merge_replaces_same_env_and_name_and_keeps_the_rest() {
        let mut m = SecretsMap::empty();
        assert!(m.merge([entry("dev", "B", "p/dev"), entry("prod", "A", "p/prod")]));
        assert!(!m.merge([entry("dev", "B", "p/dev")]));
        assert!(m.merge([entry("dev", "B", "q/dev"), entry("dev", "A", "p/dev")]));
        let names: Vec<_> = m
            .secrets
            .iter()
            .map(|e| (e.env.as_str(), e.name.as_str(), e.path.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                ("dev", "A", "p/dev"),
                ("dev", "B", "q/dev"),
                ("prod", "A", "p/prod")
            ]
        );
    }

    #[test]
    fn github_values_come_only_from_the_jobs_environment() {
        // A name no other test uses: the process environment is shared.
        let name = "LEAKLESS_UNIT_GH_SECRET_7F3A";
        let mut e = entry("prod", name, "");
        e.store = StoreKind::Github;
        e.field = "deploy_key".into();
        e.options.insert("environment".into(), "production".into());
        let why = from_actions(&e).expect_err("not set");
        assert!(
            why.contains("only inside GitHub Actions")
                && why.contains("${{ secrets.DEPLOY_KEY }}")
                && why.contains("environment: production"),
            "{why}"
        );
        std::env::set_var(name, "from-the-job");
        let mut m = SecretsMap::empty();
        m.merge([e]);
        let dir = tempfile::tempdir().expect("tempdir");
        let got = resolve(&m, "prod", &StoreArgs::default(), dir.path()).expect("resolved");
        std::env::remove_var(name);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].1.expose(), b"from-the-job");
    }

    #[test]
    fn round_trips_through_toml_and_picks_envs() {
        let mut m = SecretsMap::empty();
        let mut e = entry("prod", "OPENAI_API_KEY", "shop/prod");
        e.options.insert("namespace".into(), "team".into());
        m.merge([e, entry("dev", "OPENAI_API_KEY", "shop/dev")]);
        let text = m.to_toml().expect("serializes");
        assert!(
            text.contains("[[secret]]") && text.contains("namespace = \"team\""),
            "{text}"
        );
        let back: SecretsMap = toml::from_str(&text).expect("parses");
        assert_eq!(back, m);
        assert_eq!(m.pick_env(None).expect("dev"), "dev");
        assert_eq!(m.pick_env(Some("prod")).expect("prod"), "prod");
        assert!(m.pick_env(Some("qa")).is_err());
        m.secrets.retain(|e| e.env == "prod");
        assert_eq!(m.pick_env(None).expect("only one"), "prod");
        assert!(toml::from_str::<SecretsMap>(
            "version = 1\n[[secret]]\nname='A'\nenv='dev'\nstore='vault'\nfield='A'\nvalue='x'\n"
        )
        .is_err());
    }
}
