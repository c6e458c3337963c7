//! `leakless version`: which build this is — version, the git commit it was built from, the
//! target, and the digest and count of the built-in rules — as text or JSON, so a bug report or
//! a CI log pins down the scanner and its rules exactly (`--version` prints the version only).

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;

use super::output::Output;
use super::{MigrateFormat, EXIT_CLEAN};
use crate::build_info;

/// Prints the build information.
pub(super) fn run(format: MigrateFormat) -> Result<ExitCode> {
    let builtin = crate::rules::load(&crate::rules::LoadOptions::default())?;
    let rules = builtin.rules().len();
    let mut out = Output::open(None, false)?;
    match format {
        MigrateFormat::Text => {
            writeln!(out, "leakless {}", build_info::VERSION)?;
            writeln!(out, "commit: {}", build_info::COMMIT)?;
            writeln!(out, "target: {}", build_info::TARGET)?;
            writeln!(out, "built-in rules: {rules}, {}", build_info::rules_digest())?;
        }
        MigrateFormat::Json => {
            let doc = serde_json::json!({
                "name": env!("CARGO_PKG_NAME"),
                "version": build_info::VERSION,
                "commit": build_info::COMMIT,
                "target": build_info::TARGET,
                "rules": rules,
                "rules_digest": build_info::rules_digest(),
            });
            writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
        }
    }
    out.finish()?;
    Ok(ExitCode::from(EXIT_CLEAN))
}
