//! The `age` store, for teams without a secrets server: values go to an age-encrypted dotenv
//! file `secrets.<env>.enc.env` (ASCII-armored, committed instead of the plaintext), readable
//! with `age -d -i KEYFILE` or `leakless env`.
//!
//! Every `put` decrypts the file, changes one key, encrypts to all recipients and replaces the
//! file atomically; `get` decrypts and reads the key as python-dotenv would. So a read-back is a
//! real decryption, and a killed write leaves the old file (or the new one) whole.

use std::fmt;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use super::dotenv::Upsert;
use super::{Put, SecretStore, StoreError, Target};
use crate::findings::Secret;
use crate::safefs;

const HEADING: &str = "age-encrypted file (--to age)";
const STORE: &str = "age";

/// `--to age` options.
#[derive(Clone, Default, clap::Args)]
pub struct AgeArgs {
    /// Public key(s) to encrypt to (`age1...`; repeatable or comma-separated) [default: the
    /// public keys of the identities in --age-identity].
    #[arg(long = "age-recipient", env = "SOPS_AGE_RECIPIENTS", value_delimiter = ',', value_name = "AGE1...", help_heading = HEADING)]
    pub recipients: Vec<String>,
    /// The age identity (private key) file, to read values back [default:
    /// ~/.config/sops/age/keys.txt].
    #[arg(long = "age-identity", env = "SOPS_AGE_KEY_FILE", value_name = "FILE", help_heading = HEADING)]
    pub identity: Option<PathBuf>,
}

impl fmt::Debug for AgeArgs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AgeArgs")
            .field("recipients", &self.recipients)
            .field("identity", &self.identity)
            .finish()
    }
}

/// The `age` store rooted at a repository.
pub struct AgeStore {
    root: PathBuf,
    identity_file: PathBuf,
    identities: Vec<Box<dyn age::Identity>>,
    recipients: Vec<age::x25519::Recipient>,
    written: Vec<String>,
}

impl AgeStore {
    /// Reads the identity file and the recipients; fails when no identity can be read (a value
    /// that cannot be read back cannot be verified).
    pub fn open(args: &AgeArgs, root: &Path) -> Result<Self, StoreError> {
        let identity_file = match &args.identity {
            Some(p) => p.clone(),
            None => {
                let home = std::env::var_os("HOME").ok_or_else(|| {
                    StoreError::Config(
                        "--age-identity (or SOPS_AGE_KEY_FILE) is required for --to age".into(),
                    )
                })?;
                Path::new(&home).join(".config/sops/age/keys.txt")
            }
        };
        let text = std::fs::read(&identity_file).map_err(|e| {
            StoreError::Config(format!(
                "--to age needs an age identity to read values back: {}: {e} (age-keygen -o keys.txt, then --age-identity keys.txt)",
                identity_file.display()
            ))
        })?;
        let text = zeroize::Zeroizing::new(text);
        let parsed = age::IdentityFile::from_buffer(&text[..]).map_err(|_| {
            StoreError::Config(format!("{}: not an age identity file", identity_file.display()))
        })?;
        let mut recipients = Vec::new();
        let mut bad = Vec::new();
        for r in &args.recipients {
            let r = r.trim();
            if r.is_empty() {
                continue;
            }
            match r.parse::<age::x25519::Recipient>() {
                Ok(p) => recipients.push(p),
                Err(_) => bad.push(r.to_string()),
            }
        }
        if !bad.is_empty() {
            return Err(StoreError::Config(format!(
                "--age-recipient: not an age X25519 public key: {}",
                bad.join(", ")
            )));
        }
        if recipients.is_empty() {
            // The public keys of our own identities.
            for line in String::from_utf8_lossy(&text).lines() {
                if let Ok(id) = line.trim().parse::<age::x25519::Identity>() {
                    recipients.push(id.to_public());
                }
            }
        }
        let identities = parsed
            .into_identities()
            .map_err(|e| StoreError::Config(format!("{}: {e}", identity_file.display())))?;
        if identities.is_empty() || recipients.is_empty() {
            return Err(StoreError::Config(format!(
                "{}: no X25519 age identity in it",
                identity_file.display()
            )));
        }
        Ok(Self {
            root: root.to_path_buf(),
            identity_file,
            identities,
            recipients,
            written: Vec::new(),
        })
    }

    /// The encrypted file of a target, relative to the repository: `<path>/secrets.<env>.enc.env`.
    pub fn rel(target: &Target) -> String {
        let env = if target.env.is_empty() { "dev" } else { &target.env };
        let name = format!("secrets.{env}.enc.env");
        if target.path.is_empty() {
            name
        } else {
            format!("{}/{name}", target.path)
        }
    }

    fn err(&self, target: &Target, why: impl fmt::Display) -> StoreError {
        StoreError::Other(format!("{}: {why}", Self::rel(target)))
    }

    /// The decrypted dotenv text of the target's file (empty when the file does not exist).
    fn plaintext(&self, target: &Target) -> Result<zeroize::Zeroizing<String>, StoreError> {
        let path = self.root.join(Self::rel(target));
        let bytes = match std::fs::symlink_metadata(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Default::default()),
            Ok(m) if !m.is_file() => return Err(self.err(target, "not a regular file (a link?); refused")),
            _ => std::fs::read(&path).map_err(|e| self.err(target, e))?,
        };
        let decryptor = age::Decryptor::new_buffered(age::armor::ArmoredReader::new(&bytes[..]))
            .map_err(|e| self.err(target, format!("not an age file: {e}")))?;
        let mut reader = decryptor
            .decrypt(self.identities.iter().map(|i| i.as_ref() as &dyn age::Identity))
            .map_err(|e| {
                self.err(
                    target,
                    format!("cannot decrypt with {}: {e}", self.identity_file.display()),
                )
            })?;
        let mut out = zeroize::Zeroizing::new(Vec::new());
        reader
            .read_to_end(&mut out)
            .map_err(|e| self.err(target, format!("cannot decrypt: {e}")))?;
        String::from_utf8(std::mem::take(&mut *out))
            .map(zeroize::Zeroizing::new)
            .map_err(|_| self.err(target, "the decrypted file is not UTF-8"))
    }

    fn encrypt(&self, target: &Target, plain: &str) -> Result<Vec<u8>, StoreError> {
        let fail = |e: &dyn fmt::Display| self.err(target, format!("cannot encrypt: {e}"));
        let enc = age::Encryptor::with_recipients(self.recipients.iter().map(|r| r as &dyn age::Recipient))
            .map_err(|e| fail(&e))?;
        let mut out = Vec::new();
        let armored = age::armor::ArmoredWriter::wrap_output(&mut out, age::armor::Format::AsciiArmor)
            .map_err(|e| fail(&e))?;
        let mut w = enc.wrap_output(armored).map_err(|e| fail(&e))?;
        w.write_all(plain.as_bytes()).map_err(|e| fail(&e))?;
        w.finish().and_then(|a| a.finish()).map_err(|e| fail(&e))?;
        Ok(out)
    }
}

impl SecretStore for AgeStore {
    fn kind(&self) -> &'static str {
        STORE
    }

    fn describe(&self, target: &Target) -> String {
        format!("age:{}#{}", Self::rel(target), target.key)
    }

    fn get(&mut self, target: &Target) -> Result<Option<Secret>, StoreError> {
        let text = self.plaintext(target)?;
        Ok(super::dotenv::lookup(&text, &target.key))
    }

    fn put(&mut self, target: &Target, value: &Secret, overwrite: bool) -> Result<Put, StoreError> {
        let value = std::str::from_utf8(value.expose())
            .map_err(|_| self.err(target, format!("the value of {} is not UTF-8", target.key)))?;
        let text = self.plaintext(target)?;
        let (new_text, existed) = match super::dotenv::upsert(&text, &target.key, value, overwrite, "") {
            Upsert::Unchanged => return Ok(Put::Unchanged),
            Upsert::Conflict => {
                return Err(StoreError::Conflict {
                    location: self.describe(target),
                })
            }
            Upsert::Write { text, existed } => (zeroize::Zeroizing::new(text), existed),
        };
        let cipher = self.encrypt(target, &new_text)?;
        let rel = Self::rel(target);
        let path = self.root.join(&rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| self.err(target, e))?;
        }
        safefs::write_atomic(&path, &cipher, safefs::Perm::Keep(0o644)).map_err(|e| self.err(target, e))?;
        if !self.written.contains(&rel) {
            self.written.push(rel);
        }
        Ok(if existed { Put::Overwritten } else { Put::Created })
    }

    fn fetch_hint(&self, target: &Target) -> String {
        format!(
            "age -d -i {} {} | grep '^{}='   (or: leakless env --env {})",
            self.identity_file.display(),
            Self::rel(target),
            target.key,
            if target.env.is_empty() { "dev" } else { &target.env }
        )
    }

    fn address(&self, target: &Target) -> crate::migrate::secrets_map::Address {
        let mut a = crate::migrate::secrets_map::Address::default();
        a.options.insert("file".into(), Self::rel(target));
        a.options.insert("env".into(), target.env.clone());
        a
    }

    fn written_files(&self) -> Vec<String> {
        self.written.clone()
    }
}
