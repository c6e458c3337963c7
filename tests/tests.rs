//! One integration test binary (ripgrep style): each module exercises the `leakless` binary.

mod util;

mod baseline;
mod cli;
mod detect;
mod fixtures;
mod history;
mod hooks;
mod migrate;
mod migrate_stores;
mod migrate_vault;
mod quality;
mod report;
mod rules;
mod store_aws;
mod store_infisical;
mod store_vault;
mod untrusted;
mod worktree;
