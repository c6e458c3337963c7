//! The embedded default store: values go to an untracked `.env.local` (mode 0600) in a directory
//! of the repository, where dotenv loaders (python-dotenv, Node's dotenv, Vite, Next.js, docker
//! compose `env_file`) pick them up. No server, nothing leaves the machine.

use std::fs;
use std::path::{Path, PathBuf};

use super::{Put, SecretStore, StoreError, Target};
use crate::findings::Secret;
use crate::migrate::dotenv;
use crate::safefs;

/// The file name values are written to.
pub const LOCAL_FILE: &str = ".env.local";

/// The value of `key` in a dotenv text: its last assignment, as loaders read it.
pub fn lookup(text: &str, key: &str) -> Option<Secret> {
    dotenv::parse(text)
        .into_iter()
        .rev()
        .find(|e| e.key == key)
        .map(|e| Secret::new(e.value.into_bytes()))
}

/// What setting `key=value` in a dotenv text comes to.
pub enum Upsert {
    /// The text already assigns exactly this value.
    Unchanged,
    /// It assigns another value and `overwrite` is off.
    Conflict,
    /// The new text; `existed` when another value was replaced.
    Write {
        /// The whole new text.
        text: String,
        /// A value was replaced.
        existed: bool,
    },
}

/// Sets `key=value` in `text` (its last assignment replaced in place, else a line appended;
/// `header` starts an empty text), rendered so python-dotenv reads back exactly `value`.
pub fn upsert(text: &str, key: &str, value: &str, overwrite: bool, header: &str) -> Upsert {
    let line = dotenv::render(key, value);
    match dotenv::parse(text).iter().rev().find(|e| e.key == key) {
        Some(e) if e.exact && e.value == value => Upsert::Unchanged,
        Some(_) if !overwrite => Upsert::Conflict,
        Some(e) => Upsert::Write {
            text: format!("{}{}{}", &text[..e.line.start], line, &text[e.line.end..]),
            existed: true,
        },
        None => {
            let mut t = text.to_string();
            if t.is_empty() {
                t.push_str(header);
            } else if !t.ends_with('\n') {
                t.push('\n');
            }
            t.push_str(&line);
            t.push('\n');
            Upsert::Write {
                text: t,
                existed: false,
            }
        }
    }
}

/// The `dotenv` store rooted at a repository.
pub struct DotenvStore {
    root: PathBuf,
}

impl DotenvStore {
    /// A store writing below `root`.
    pub fn new(root: &Path) -> Self {
        Self {
            root: root.to_path_buf(),
        }
    }

    /// The `.env.local` file a target lives in.
    pub fn file(&self, target: &Target) -> PathBuf {
        self.root.join(Self::rel(target))
    }

    /// The file's path relative to the repository: `<path>/.env.local`, or
    /// `<path>/.env.<env>.local` when the target names an environment (two dotenv files of
    /// different environments in one directory keep their values apart, as dotenv-flow, Vite and
    /// Next.js load them).
    pub fn rel(target: &Target) -> String {
        let name = if target.env.is_empty() {
            LOCAL_FILE.to_string()
        } else {
            format!(".env.{}.local", target.env)
        };
        if target.path.is_empty() {
            name
        } else {
            format!("{}/{name}", target.path)
        }
    }

    /// The file to read and write for `file`: itself, or the target of a symbolic link when that
    /// target is a regular file inside the repository (written through, the link stays). A link
    /// (or a linked directory) leading outside the repository is refused: migrate never writes a
    /// secret outside the checkout, and never replaces a link by a copy.
    fn resolve(&self, file: &Path) -> Result<PathBuf, StoreError> {
        let err = |why: &str| StoreError::Other(format!("{}: {why}", file.display()));
        let root = fs::canonicalize(&self.root).map_err(|e| err(&e.to_string()))?;
        let inside = |p: &Path| p.starts_with(&root);
        match fs::symlink_metadata(file) {
            Ok(_) => {
                let real = fs::canonicalize(file)
                    .map_err(|_| err("is a symbolic link to a missing file: fix or remove it"))?;
                if !inside(&real) {
                    return Err(err(
                        "leads outside the repository (a symbolic link): refusing to use it",
                    ));
                }
                if !fs::metadata(&real).is_ok_and(|m| m.is_file()) {
                    return Err(err("is not a regular file"));
                }
                Ok(real)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let (Some(dir), Some(name)) = (file.parent(), file.file_name()) else {
                    return Err(err("has no directory"));
                };
                match fs::canonicalize(dir) {
                    Ok(d) if !inside(&d) => Err(err(
                        "its directory leads outside the repository: refusing to write",
                    )),
                    Ok(d) => Ok(d.join(name)),
                    Err(_) => Ok(file.to_path_buf()),
                }
            }
            Err(e) => Err(err(&e.to_string())),
        }
    }

    fn read(&self, file: &Path) -> Result<String, StoreError> {
        let file = &self.resolve(file)?;
        match fs::read(file) {
            Ok(b) => String::from_utf8(b)
                .map_err(|_| StoreError::Other(format!("{}: not valid UTF-8", file.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
            Err(e) => Err(StoreError::Other(format!("{}: {e}", file.display()))),
        }
    }
}

impl SecretStore for DotenvStore {
    fn kind(&self) -> &'static str {
        "dotenv"
    }

    fn describe(&self, target: &Target) -> String {
        format!("{}#{}", Self::rel(target), target.key)
    }

    fn get(&mut self, target: &Target) -> Result<Option<Secret>, StoreError> {
        let text = self.read(&self.file(target))?;
        Ok(lookup(&text, &target.key))
    }

    fn put(&mut self, target: &Target, value: &Secret, overwrite: bool) -> Result<Put, StoreError> {
        let file = self.file(target);
        let text = self.read(&file)?;
        let value = std::str::from_utf8(value.expose())
            .map_err(|_| StoreError::Other(format!("{}: value is not UTF-8", self.describe(target))))?;
        let (new_text, existed) = match upsert(
            &text,
            &target.key,
            value,
            overwrite,
            "# Local secrets: untracked (leakless migrate). Do not commit.\n",
        ) {
            Upsert::Unchanged => return Ok(Put::Unchanged),
            Upsert::Conflict => {
                return Err(StoreError::Conflict {
                    location: self.describe(target),
                })
            }
            Upsert::Write { text, existed } => (text, existed),
        };
        if let Some(dir) = file.parent() {
            fs::create_dir_all(dir).map_err(|e| StoreError::Other(format!("{}: {e}", dir.display())))?;
        }
        let real = self.resolve(&file)?;
        safefs::write_atomic(&real, new_text.as_bytes(), safefs::Perm::Exactly(0o600))
            .map_err(|e| StoreError::Other(format!("{}: {e}", file.display())))?;
        Ok(if existed { Put::Overwritten } else { Put::Created })
    }

    fn fetch_hint(&self, target: &Target) -> String {
        let env = if target.env.is_empty() {
            String::new()
        } else {
            format!(" --env {}", target.env)
        };
        format!(
            "leakless env{env} | grep '^{}=' (your dotenv loader reads {})",
            target.key,
            Self::rel(target)
        )
    }

    fn address(&self, target: &Target) -> crate::migrate::secrets_map::Address {
        let mut a = crate::migrate::secrets_map::Address::default();
        a.options.insert("file".into(), Self::rel(target));
        if !target.env.is_empty() {
            a.options.insert("env".into(), target.env.clone());
        }
        a
    }
}
