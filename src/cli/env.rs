//! `leakless env [--format dotenv|json|shell|github]`: prints the secrets the map names, for
//! tools that need a file (docker `--env-file`, `eval`, GitHub Actions' `$GITHUB_ENV`).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};

use super::run_cmd::{resolve, MapArgs};
use crate::migrate::export::{self, EnvFormat};
use crate::safefs::{self, Perm};

/// `leakless env`.
#[derive(Debug, clap::Args)]
pub struct EnvArgs {
    #[allow(missing_docs)]
    #[command(flatten)]
    pub map: MapArgs,
    /// Output format (`github` appends to the file `$GITHUB_ENV` names and masks the values).
    #[arg(long, short = 'f', value_enum, default_value_t = EnvFormat::Dotenv)]
    pub format: EnvFormat,
    /// Write to FILE (mode 0600, replaced atomically) instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE", conflicts_with = "no_redact")]
    pub output: Option<PathBuf>,
    /// Print the values even when stdout is a terminal (by default they go only to a pipe or
    /// a file).
    #[arg(long)]
    pub no_redact: bool,
}

/// Prints or writes the values.
pub(super) fn env(a: &EnvArgs) -> Result<ExitCode> {
    if a.format == EnvFormat::Github {
        let target = std::env::var_os("GITHUB_ENV").filter(|v| !v.is_empty()).context(
            "--format github appends to $GITHUB_ENV, which is not set (run it in a GitHub Actions step)",
        )?;
        let values = resolve(&a.map)?;
        let text = export::render(a.format, &values)?;
        // Masks first: the runner must know the values before anything could echo them.
        let mut out = std::io::stdout().lock();
        out.write_all(export::github_masks(&values).as_bytes())?;
        out.flush()?;
        let path = PathBuf::from(target);
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .with_context(|| format!("cannot append to $GITHUB_ENV ({})", path.display()))?;
        f.write_all(text.as_bytes())?;
        f.sync_data()?;
        writeln!(
            std::io::stderr(),
            "leakless: {} variable(s) added to $GITHUB_ENV, masked",
            values.len()
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    if a.output.is_none() && !a.no_redact && std::io::stdout().is_terminal() {
        anyhow::bail!(
            "leakless env prints secret values: redirect it to a file or a pipe, use -o FILE, or pass --no-redact to show them on this terminal"
        );
    }
    let values = resolve(&a.map)?;
    let text = export::render(a.format, &values)?;
    match &a.output {
        Some(path) => safefs::write_atomic(path, text.as_bytes(), Perm::Exactly(0o600))
            .with_context(|| format!("Failed to write {}", path.display()))?,
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
