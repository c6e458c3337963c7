//! One integration test binary (ripgrep style): each module exercises the `leakless` binary.

mod util;

mod archive;
mod baseline;
mod cli;
mod decode;
mod detect;
mod dotenv_python;
mod fixtures;
mod fuzz;
mod gitleaks;
mod history;
mod hooks;
mod migrate;
mod migrate_exact;
mod migrate_stores;
mod migrate_vault;
mod quality;
mod report;
mod rules;
mod run_env;
mod store_age;
mod store_aws;
mod store_infisical;
mod store_vault;
mod untrusted;
mod worktree;
