//! Secrets stores behind one trait: the embedded `dotenv` default, Vault/OpenBao KV v2, Infisical,
//! AWS Secrets Manager, Google Cloud Secret Manager, Azure Key Vault, Doppler and GitHub Actions secrets.
//!
//! A store knows nothing of plans or files: it puts one value at a [`Target`] (idempotently, never
//! silently clobbering a different value) and reads it back. The migration engine
//! (`crate::migrate::apply`) decides when to call it and verifies every write by reading back.

pub mod age;
pub mod aws;
pub mod azure;
pub mod doppler;
pub mod dotenv;
pub mod gcp;
pub mod github;
pub mod infisical;
pub mod vault;

use std::fmt;
use std::path::Path;

use crate::findings::Secret;

/// Where one secret goes in a store: a store path expanded from the path template (for example
/// `shop/dev`) and the key name inside it (for example `DATABASE_URL`).
#[derive(
    Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct Target {
    /// The store path: a Vault secret path below the mount, an Infisical folder, an AWS secret
    /// name prefix, or for `dotenv` the directory (relative to the repository root) of the
    /// `.env.local` file. `/`-separated, no leading or trailing `/`; empty means the root.
    pub path: String,
    /// The key name, e.g. `DATABASE_URL`.
    pub key: String,
    /// The environment the secret belongs to (`dev`, `prod`...). Vault, AWS and dotenv carry
    /// it in `path` through the path template; Infisical has environments of its own and
    /// routes by it when `--infisical-env` is not given. Empty = the store's default.
    #[serde(default)]
    pub env: String,
}

impl Target {
    /// A target in the store's default environment.
    pub fn new(path: impl Into<String>, key: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            key: key.into(),
            env: String::new(),
        }
    }
}

/// The result of a successful [`SecretStore::put`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Put {
    /// The key did not exist and now holds the value.
    Created,
    /// The key already held exactly this value; nothing was written.
    Unchanged,
    /// The key held a different value and `overwrite` was set: it now holds the new one.
    Overwritten,
}

/// What reading a target back after a write found ([`SecretStore::verify`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Readback {
    /// The value written is there.
    Same,
    /// Something else is there.
    Different,
    /// Nothing is there.
    Absent,
}

/// Why a store call failed. Every variant's message is one line and never contains a secret.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The key holds a different value and `overwrite` was not set. Nothing was written.
    #[error("{location} already holds a different value (use --overwrite to replace it)")]
    Conflict {
        /// [`SecretStore::describe`] of the target.
        location: String,
    },
    /// The store could not be reached (connection refused, DNS, timeout, TLS).
    #[error("cannot reach {store} at {url}: {reason}")]
    Unreachable {
        /// Store kind.
        store: &'static str,
        /// The URL tried.
        url: String,
        /// The transport error.
        reason: String,
    },
    /// Authentication or authorisation failed (HTTP 401/403, bad AppRole, bad AWS signature).
    #[error("{store} refused the credentials: {reason}")]
    Auth {
        /// Store kind.
        store: &'static str,
        /// The store's own message.
        reason: String,
    },
    /// The store cannot hold this value exactly (it would trim or expand it); nothing was sent.
    /// Not an error of the run: the secret stays in its file, a manual step.
    #[error("{0}")]
    Unstorable(String),
    /// The store is misconfigured on our side (missing address, token, region, project ...).
    #[error("{0}")]
    Config(String),
    /// Any other error the store returned (HTTP status and its message), or a local I/O error
    /// for the `dotenv` store.
    #[error("{0}")]
    Other(String),
}

/// A secrets store.
///
/// Contract for implementations:
/// - `put` is idempotent: an identical value already at the target is [`Put::Unchanged`]; a
///   different one is [`StoreError::Conflict`] unless `overwrite`, and a concurrent change between
///   read and write must not be silently lost (use the store's check-and-set where it has one).
/// - `get` returns exactly the bytes stored (`None` when the key is absent), so the engine can
///   compare byte for byte.
/// - No method prints or logs a value; errors never contain one.
pub trait SecretStore {
    /// The store kind: `dotenv`, `vault`, `infisical` or `aws`.
    fn kind(&self) -> &'static str;
    /// A human-readable location without the value, e.g. `secret/data/shop/dev#DATABASE_URL`
    /// (Vault), `infisical:<project>/dev:/shop#DATABASE_URL`, `aws:shop/dev/DATABASE_URL`, or
    /// `.env.local#DATABASE_URL`.
    fn describe(&self, target: &Target) -> String;
    /// Reads the value at `target`, `None` when absent.
    fn get(&mut self, target: &Target) -> Result<Option<Secret>, StoreError>;
    /// Writes `value` at `target` (see the trait's contract).
    fn put(&mut self, target: &Target, value: &Secret, overwrite: bool) -> Result<Put, StoreError>;
    /// Checks, after a `put`, that `target` holds `value`: by default reads it back and compares
    /// byte for byte. A write-only store (GitHub Actions secrets) checks what it can instead.
    fn verify(&mut self, target: &Target, value: &Secret) -> Result<Readback, StoreError> {
        Ok(match self.get(target)? {
            Some(v) if v == *value => Readback::Same,
            Some(_) => Readback::Different,
            None => Readback::Absent,
        })
    }
    /// Whether the value now at `target` is one leakless stored there earlier: by default it is
    /// read and `wrote` (the engine's ledger of value hashes) decides. A write-only store
    /// answers from its own record.
    fn written_by_us(&mut self, target: &Target, wrote: &dyn Fn(&Secret) -> bool) -> bool {
        matches!(self.get(target), Ok(Some(v)) if wrote(&v))
    }
    /// How an application or a person reads the value back afterwards (a CLI command or API
    /// call, no value), for the migration report.
    fn fetch_hint(&self, target: &Target) -> String;
    /// Where the store is, for the committed secrets map (`.leakless/secrets.toml`): enough,
    /// with `target`, to open the store again and read the value, never a credential.
    fn address(&self, target: &Target) -> crate::migrate::secrets_map::Address;
    /// Files inside the repository this store wrote that are meant to be committed (the `age`
    /// store's encrypted files): migrate stages them with its other changes.
    fn written_files(&self) -> Vec<String> {
        Vec::new()
    }
}

/// Which store `leakless migrate --to` names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StoreKind {
    /// Untracked `.env.local` files beside the code (no server).
    Dotenv,
    /// HashiCorp Vault or OpenBao, KV version 2.
    Vault,
    /// Infisical (cloud or self-hosted), Universal Auth.
    Infisical,
    /// AWS Secrets Manager.
    Aws,
    /// An age-encrypted dotenv file `secrets.<env>.enc.env`, committed (no server).
    Age,
    /// Azure Key Vault (REST 7.4), access token or client credentials.
    Azure,
    /// Doppler (REST v3), service token.
    Doppler,
    /// Google Cloud Secret Manager.
    Gcp,
    /// GitHub Actions secrets (repository, environment or organisation), write-only.
    Github,
}

impl fmt::Display for StoreKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StoreKind::Dotenv => "dotenv",
            StoreKind::Vault => "vault",
            StoreKind::Infisical => "infisical",
            StoreKind::Aws => "aws",
            StoreKind::Age => "age",
            StoreKind::Azure => "azure",
            StoreKind::Doppler => "doppler",
            StoreKind::Gcp => "gcp",
            StoreKind::Github => "github",
        })
    }
}

/// Every store's options, flattened into `leakless migrate`'s arguments.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct StoreArgs {
    #[allow(missing_docs)]
    #[command(flatten)]
    pub vault: vault::VaultArgs,
    #[allow(missing_docs)]
    #[command(flatten)]
    pub infisical: infisical::InfisicalArgs,
    #[allow(missing_docs)]
    #[command(flatten)]
    pub aws: aws::AwsArgs,
    #[allow(missing_docs)]
    #[command(flatten)]
    pub age: age::AgeArgs,
    #[allow(missing_docs)]
    #[command(flatten)]
    pub azure: azure::AzureArgs,
    #[allow(missing_docs)]
    #[command(flatten)]
    pub doppler: doppler::DopplerArgs,
    #[allow(missing_docs)]
    #[command(flatten)]
    pub gcp: gcp::GcpArgs,
    #[allow(missing_docs)]
    #[command(flatten)]
    pub github: github::GithubArgs,
}

/// Opens (and, for remote stores, logs in to) the store `kind`. `root` is the repository root
/// (the `dotenv` store writes below it).
pub fn open(kind: StoreKind, args: &StoreArgs, root: &Path) -> Result<Box<dyn SecretStore>, StoreError> {
    Ok(match kind {
        StoreKind::Dotenv => Box::new(dotenv::DotenvStore::new(root)),
        StoreKind::Vault => Box::new(vault::VaultStore::open(&args.vault)?),
        StoreKind::Infisical => {
            let mut a = args.infisical.clone();
            if a.client_id.is_none() && a.client_secret.is_none() && a.token.is_none() {
                // The plain names many teams use for a machine identity (the official CLI's are
                // INFISICAL_UNIVERSAL_AUTH_CLIENT_ID/_SECRET, which win when set).
                let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
                a.client_id = var("INFISICAL_CLIENT_ID");
                a.client_secret = var("INFISICAL_CLIENT_SECRET");
            }
            if a.env.is_none() {
                Box::new(EnvRouted::open(&a)?)
            } else {
                Box::new(infisical::InfisicalStore::open(&a)?)
            }
        }
        StoreKind::Aws => Box::new(aws::AwsStore::open(&args.aws)?),
        StoreKind::Age => Box::new(age::AgeStore::open(&args.age, root)?),
        StoreKind::Azure => Box::new(azure::AzureStore::open(&args.azure)?),
        StoreKind::Doppler => Box::new(doppler::DopplerStore::open(&args.doppler)?),
        StoreKind::Gcp => Box::new(gcp::GcpStore::open(&args.gcp)?),
        StoreKind::Github => {
            // The record of our writes lives beside migrate's journal (no record outside a
            // repository: a re-run then reports our earlier writes as conflicts).
            let state = crate::migrate::git::git_dir(root)
                .ok()
                .map(|g| g.join("leakless"));
            let mut a = args.github.clone();
            if a.repo.as_deref().is_none_or(|r| r.trim().is_empty()) {
                // As `gh` does: the repository `origin` points at, on github.com.
                a.repo = crate::migrate::git::remote_url(root, "origin")
                    .and_then(|u| github::repo_from_remote(&u));
            }
            Box::new(github::GithubStore::open(&a, state.as_deref())?)
        }
    })
}

/// Infisical without `--infisical-env`: each target goes to the environment the plan inferred
/// for it (`.env.production` → `prod`), through one logged-in store per environment.
struct EnvRouted {
    args: infisical::InfisicalArgs,
    stores: std::collections::BTreeMap<String, infisical::InfisicalStore>,
}

impl EnvRouted {
    fn open(args: &infisical::InfisicalArgs) -> Result<Self, StoreError> {
        let mut r = Self {
            args: args.clone(),
            stores: Default::default(),
        };
        // Log in now, so bad credentials fail before anything is planned to be written.
        r.store(&Target::default())?;
        Ok(r)
    }

    fn env_of(t: &Target) -> String {
        if t.env.is_empty() {
            infisical::DEFAULT_ENV.to_string()
        } else {
            t.env.clone()
        }
    }

    fn store(&mut self, t: &Target) -> Result<&mut infisical::InfisicalStore, StoreError> {
        let env = Self::env_of(t);
        if !self.stores.contains_key(&env) {
            let mut args = self.args.clone();
            args.env = Some(env.clone());
            let s = infisical::InfisicalStore::open(&args)?;
            self.stores.insert(env.clone(), s);
        }
        self.stores
            .get_mut(&env)
            .ok_or_else(|| StoreError::Other("infisical: no store".into()))
    }
}

impl SecretStore for EnvRouted {
    fn kind(&self) -> &'static str {
        "infisical"
    }
    fn describe(&self, target: &Target) -> String {
        match self
            .stores
            .get(&Self::env_of(target))
            .or_else(|| self.stores.values().next())
        {
            Some(s) if s.environment() == Self::env_of(target) => s.describe(target),
            _ => format!(
                "infisical:{}:/{}#{}",
                Self::env_of(target),
                target.path,
                target.key
            ),
        }
    }
    fn get(&mut self, target: &Target) -> Result<Option<Secret>, StoreError> {
        self.store(target)?.get(target)
    }
    fn put(&mut self, target: &Target, value: &Secret, overwrite: bool) -> Result<Put, StoreError> {
        self.store(target)?.put(target, value, overwrite)
    }
    fn fetch_hint(&self, target: &Target) -> String {
        match self.stores.get(&Self::env_of(target)) {
            Some(s) => s.fetch_hint(target),
            None => self.describe(target),
        }
    }
    fn address(&self, target: &Target) -> crate::migrate::secrets_map::Address {
        match self.stores.get(&Self::env_of(target)) {
            Some(s) => s.address(target),
            None => {
                let mut a = crate::migrate::secrets_map::Address::default();
                a.options.insert("environment".into(), Self::env_of(target));
                a
            }
        }
    }
}
