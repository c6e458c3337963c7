//! One integration test binary (ripgrep style): each module exercises the `leakless` binary.

mod util;

mod archive;
mod audit;
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
mod html;
mod migrate;
mod migrate_exact;
mod migrate_stores;
mod migrate_vault;
mod org_audit;
mod quality;
mod report;
mod report_cmd;
mod rules;
mod store_aws;
mod store_infisical;
mod store_vault;
mod untrusted;
mod worktree;
