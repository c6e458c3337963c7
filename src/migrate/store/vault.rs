//! The `vault` store. (Being built: see the migrate issue.)

use super::{Put, SecretStore, StoreError, Target};
use crate::findings::Secret;

/// `--to vault` options.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct VaultArgs {}

/// The `vault` store.
pub struct VaultStore {}

impl VaultStore {
    /// Connects and logs in.
    pub fn open(_args: &VaultArgs) -> Result<Self, StoreError> {
        Err(StoreError::Config("the vault store is not built yet".into()))
    }
}

impl SecretStore for VaultStore {
    fn kind(&self) -> &'static str {
        "vault"
    }
    fn describe(&self, target: &Target) -> String {
        format!("vault:{}#{}", target.path, target.key)
    }
    fn get(&mut self, _target: &Target) -> Result<Option<Secret>, StoreError> {
        Err(StoreError::Config("the vault store is not built yet".into()))
    }
    fn put(&mut self, _target: &Target, _value: &Secret, _overwrite: bool) -> Result<Put, StoreError> {
        Err(StoreError::Config("the vault store is not built yet".into()))
    }
    fn fetch_hint(&self, target: &Target) -> String {
        self.describe(target)
    }
}
