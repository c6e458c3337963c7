//! The `aws` store. (Being built: see the migrate issue.)

use super::{Put, SecretStore, StoreError, Target};
use crate::findings::Secret;

/// `--to aws` options.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct AwsArgs {}

/// The `aws` store.
pub struct AwsStore {}

impl AwsStore {
    /// Connects and logs in.
    pub fn open(_args: &AwsArgs) -> Result<Self, StoreError> {
        Err(StoreError::Config("the aws store is not built yet".into()))
    }
}

impl SecretStore for AwsStore {
    fn kind(&self) -> &'static str {
        "aws"
    }
    fn describe(&self, target: &Target) -> String {
        format!("aws:{}#{}", target.path, target.key)
    }
    fn get(&mut self, _target: &Target) -> Result<Option<Secret>, StoreError> {
        Err(StoreError::Config("the aws store is not built yet".into()))
    }
    fn put(&mut self, _target: &Target, _value: &Secret, _overwrite: bool) -> Result<Put, StoreError> {
        Err(StoreError::Config("the aws store is not built yet".into()))
    }
    fn fetch_hint(&self, target: &Target) -> String {
        self.describe(target)
    }
}
