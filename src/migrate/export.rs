//! Handing resolved secrets to a program: the environment of `leakless run`, and the file
//! formats of `leakless env` (dotenv, JSON, shell, GitHub Actions' `$GITHUB_ENV`).
//!
//! The names come from a committed file (`.leakless/secrets.toml`), which a pull request can
//! edit, so they are checked before use: a name must be a plain identifier (no `=`, no line
//! break that would inject a second variable into `$GITHUB_ENV`) and must not be one of the
//! variables that change how programs are found or loaded (`PATH`, `LD_PRELOAD`, ...).

use std::fmt::Write as _;

use crate::findings::Secret;

/// Errors rendering values. Never carries a value.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// A name that is not a plain identifier, or one that controls program loading.
    #[error("{0:?} is not allowed as a variable name from the secrets map ({1})")]
    BadName(String, &'static str),
    /// A value the format cannot carry.
    #[error("the value of {0} {1}")]
    BadValue(String, &'static str),
}

/// `leakless env --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum EnvFormat {
    /// `KEY=value` lines as python-dotenv, Node's dotenv and docker compose read them.
    Dotenv,
    /// One JSON object `{"KEY": "value"}`.
    Json,
    /// `export KEY='value'` lines for `eval` in a POSIX shell.
    Shell,
    /// GitHub Actions: appends to `$GITHUB_ENV` (multi-line syntax with a random delimiter)
    /// and masks each value with `::add-mask::` on stdout.
    Github,
}

/// Variables that decide which programs and libraries run: a secrets map may not set them.
const RESERVED: &[&str] = &[
    "PATH",
    "HOME",
    "SHELL",
    "IFS",
    "ENV",
    "BASH_ENV",
    "PS4",
    "PROMPT_COMMAND",
    "NODE_OPTIONS",
    "PYTHONPATH",
    "PYTHONSTARTUP",
    "PERL5OPT",
    "RUBYOPT",
    "JAVA_TOOL_OPTIONS",
    "GIT_SSH_COMMAND",
];
const RESERVED_PREFIXES: &[&str] = &["LD_", "DYLD_", "GITHUB_", "RUNNER_", "LEAKLESS_"];

/// Checks a variable name from the map.
pub fn check_name(name: &str) -> Result<(), ExportError> {
    let mut bytes = name.bytes();
    let plain = bytes.next().is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !plain {
        return Err(ExportError::BadName(
            name.escape_debug().to_string(),
            "only letters, digits and _, not starting with a digit",
        ));
    }
    let upper = name.to_ascii_uppercase();
    if RESERVED.contains(&upper.as_str()) || RESERVED_PREFIXES.iter().any(|p| upper.starts_with(p)) {
        return Err(ExportError::BadName(
            name.to_string(),
            "it controls how programs are found or loaded",
        ));
    }
    Ok(())
}

fn utf8<'a>(name: &str, v: &'a Secret) -> Result<&'a str, ExportError> {
    std::str::from_utf8(v.expose()).map_err(|_| ExportError::BadValue(name.to_string(), "is not UTF-8"))
}

/// `s` in single quotes for a POSIX shell.
fn shell_single(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Renders `values` in `format` (for [`EnvFormat::Github`], the `$GITHUB_ENV` text; see
/// [`github_masks`] for stdout).
pub fn render(format: EnvFormat, values: &[(String, Secret)]) -> Result<String, ExportError> {
    let mut out = String::new();
    match format {
        EnvFormat::Dotenv => {
            for (k, v) in values {
                out.push_str(&super::dotenv::render(k, utf8(k, v)?));
                out.push('\n');
            }
        }
        EnvFormat::Shell => {
            for (k, v) in values {
                let _ = writeln!(out, "export {k}={}", shell_single(utf8(k, v)?));
            }
        }
        EnvFormat::Json => {
            let mut m = serde_json::Map::new();
            for (k, v) in values {
                m.insert(k.clone(), serde_json::Value::String(utf8(k, v)?.to_string()));
            }
            out = serde_json::Value::Object(m).to_string();
            out.push('\n');
        }
        EnvFormat::Github => {
            for (k, v) in values {
                let value = utf8(k, v)?;
                let delim = delimiter(value);
                let _ = write!(out, "{k}<<{delim}\n{value}\n{delim}\n");
            }
        }
    }
    Ok(out)
}

/// A heredoc delimiter for `$GITHUB_ENV` that occurs nowhere in `value` (GitHub's runner ends
/// the value at the first line equal to it): random, and checked.
fn delimiter(value: &str) -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut n = 0u64;
    loop {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(n);
        let d = format!("ghadelimiter_{:016x}", h.finish());
        if !value.contains(&d) {
            return d;
        }
        n += 1;
    }
}

/// `::add-mask::` workflow commands for each value — each line of a multi-line value masked on
/// its own, as GitHub recommends — with the command data escaped (`%`, CR, LF).
pub fn github_masks(values: &[(String, Secret)]) -> String {
    let mut out = String::new();
    for (_, v) in values {
        let text = String::from_utf8_lossy(v.expose());
        let mut lines: Vec<&str> = text
            .split(['\n', '\r'])
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        if lines.len() > 1 {
            lines.push(text.trim());
        }
        for l in lines {
            let escaped = l.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A");
            let _ = writeln!(out, "::add-mask::{escaped}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vals(v: &[(&str, &str)]) -> Vec<(String, Secret)> {
        v.iter()
            .map(|(k, v)| (k.to_string(), Secret::new(v.as_bytes().to_vec())))
            .collect()
    }

    #[test]
    fn names() {
        assert!(check_name("OPENAI_API_KEY").is_ok());
        assert!(check_name("_x1").is_ok());
        for bad in [
            "",
            "1A",
            "A-B",
            "A=B",
            "A\nB",
            "PATH",
            "ld_preload",
            "GITHUB_TOKEN",
            "BASH_ENV",
        ] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn formats() {
        let v = vals(&[("A", "it's"), ("B", "x\ny")]);
        assert_eq!(
            render(EnvFormat::Shell, &v).expect("shell"),
            "export A='it'\\''s'\nexport B='x\ny'\n"
        );
        assert_eq!(
            render(EnvFormat::Json, &v).expect("json"),
            "{\"A\":\"it's\",\"B\":\"x\\ny\"}\n"
        );
        assert_eq!(
            render(EnvFormat::Dotenv, &v).expect("dotenv"),
            "A=\"it's\"\nB=\"x\\ny\"\n"
        );
        let gh = render(EnvFormat::Github, &v).expect("github");
        let lines: Vec<&str> = gh.lines().collect();
        assert_eq!(lines.len(), 7);
        assert!(lines[0].starts_with("A<<ghadelimiter_"));
        assert_eq!(lines[1], "it's");
        assert_eq!(lines[0][3..], *lines[2]);
        assert_eq!(lines[3..6][1..], ["x", "y"]);
        assert_eq!(
            github_masks(&vals(&[("A", "50%"), ("B", "l1\nl2\n")])),
            "::add-mask::50%25\n::add-mask::l1\n::add-mask::l2\n::add-mask::l1%0Al2\n"
        );
    }

    #[test]
    fn delimiter_never_in_value() {
        let d = delimiter("");
        let v = format!("a\n{d}\nb");
        assert!(!v.contains(&delimiter(&v)));
    }
}
