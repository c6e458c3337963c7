//! The `infisical` store. (Being built: see the migrate issue.)

use super::{Put, SecretStore, StoreError, Target};
use crate::findings::Secret;

/// `--to infisical` options.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct InfisicalArgs {}

/// The `infisical` store.
pub struct InfisicalStore {}

impl InfisicalStore {
    /// Connects and logs in.
    pub fn open(_args: &InfisicalArgs) -> Result<Self, StoreError> {
        Err(StoreError::Config("the infisical store is not built yet".into()))
    }
}

impl SecretStore for InfisicalStore {
    fn kind(&self) -> &'static str {
        "infisical"
    }
    fn describe(&self, target: &Target) -> String {
        format!("infisical:{}#{}", target.path, target.key)
    }
    fn get(&mut self, _target: &Target) -> Result<Option<Secret>, StoreError> {
        Err(StoreError::Config("the infisical store is not built yet".into()))
    }
    fn put(&mut self, _target: &Target, _value: &Secret, _overwrite: bool) -> Result<Put, StoreError> {
        Err(StoreError::Config("the infisical store is not built yet".into()))
    }
    fn fetch_hint(&self, target: &Target) -> String {
        self.describe(target)
    }
}
