//! `leakless run [--env ENV] -- CMD...`: runs a command with the secrets the map names in its
//! environment (read from the stores, never written to disk).

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::findings::Secret;
use crate::migrate::secrets_map::{self, SecretsMap};
use crate::migrate::{export, git as mgit, store::StoreArgs};

/// Where `run` and `env` find the map and which environment and store options they use.
#[derive(Debug, clap::Args)]
pub struct MapArgs {
    /// The environment whose secrets to use (default: the only one in the map, else `dev`).
    #[arg(long)]
    pub env: Option<String>,
    /// The secrets map [default: .leakless/secrets.toml at the top of the repository].
    #[arg(long, value_name = "FILE")]
    pub map: Option<PathBuf>,
    /// Store options (credentials; an address given here or in its environment variable
    /// wins over the map's).
    #[command(flatten)]
    pub store: StoreArgs,
}

/// `leakless run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    #[allow(missing_docs)]
    #[command(flatten)]
    pub map: MapArgs,
    /// The command and its arguments (after `--`).
    #[arg(
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "CMD"
    )]
    pub command: Vec<OsString>,
}

/// Loads the map and reads the chosen environment's values from their stores.
pub(super) fn resolve(a: &MapArgs) -> Result<Vec<(String, Secret)>> {
    let cwd = std::env::current_dir()?;
    let root = mgit::toplevel(&cwd).unwrap_or_else(|_| cwd.clone());
    let file = a.map.clone().unwrap_or_else(|| SecretsMap::path(&root));
    if a.map.is_none() && !file.exists() {
        anyhow::bail!(
            "{}: no secrets map here (`leakless migrate --apply` writes it; or give --map FILE)",
            file.display()
        );
    }
    let map = SecretsMap::load(&file)?;
    for e in &map.secrets {
        export::check_name(&e.name).with_context(|| format!("{}", file.display()))?;
    }
    let env = map.pick_env(a.env.as_deref())?;
    Ok(secrets_map::resolve(&map, &env, &a.store, &root)?)
}

/// Runs the command (on Unix by `exec`, so signals and the exit status are the command's own).
pub(super) fn run(a: &RunArgs) -> Result<ExitCode> {
    let values = resolve(&a.map)?;
    let (prog, args) = a
        .command
        .split_first()
        .context("no command given (leakless run -- CMD ...)")?;
    let mut cmd = std::process::Command::new(prog);
    cmd.args(args);
    for (k, v) in &values {
        if v.expose().contains(&0) {
            anyhow::bail!("the value of {k} holds a NUL byte, which no environment variable can carry");
        }
        cmd.env(k, os_value(v)?);
    }
    let shown = prog.to_string_lossy();
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let e = cmd.exec();
        eprintln!("leakless: cannot run {}: {e}", crate::report::escape(&shown));
        Ok(ExitCode::from(if e.kind() == std::io::ErrorKind::NotFound {
            127
        } else {
            126
        }))
    }
    #[cfg(not(unix))]
    {
        match cmd.status() {
            Ok(s) => Ok(ExitCode::from(
                s.code().map_or(1, |c| u8::try_from(c & 0xff).unwrap_or(1)),
            )),
            Err(e) => {
                eprintln!("leakless: cannot run {}: {e}", crate::report::escape(&shown));
                Ok(ExitCode::from(127))
            }
        }
    }
}

#[cfg(unix)]
fn os_value(v: &Secret) -> Result<OsString> {
    use std::os::unix::ffi::OsStrExt;
    Ok(std::ffi::OsStr::from_bytes(v.expose()).to_os_string())
}

#[cfg(not(unix))]
fn os_value(v: &Secret) -> Result<OsString> {
    Ok(OsString::from(
        std::str::from_utf8(v.expose()).context("a value is not UTF-8")?,
    ))
}
