//! The migration report: every secret → store location and status, files changed, manual
//! steps, rotation and history purge. JSON (`--report FILE`) and text (stdout). No values.

use std::io::{self, Write};

use serde::{Deserialize, Serialize};

/// Schema version of the JSON report.
pub const SCHEMA_VERSION: u32 = 1;

/// What happened to one secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Dry run: would be moved.
    Planned,
    /// Written to the store and verified by reading back.
    Moved,
    /// The store already held exactly this value (verified).
    AlreadyInStore,
    /// Replaced a different value in the store (`--overwrite`), verified.
    Overwritten,
    /// The store holds a different value; nothing written, file left alone.
    Conflict,
    /// The store write or read-back failed; file left alone.
    Failed,
    /// The store cannot hold the value exactly (nothing sent); file left alone, a manual step.
    Unstorable,
}

impl Status {
    /// True when the value is verified in the store.
    pub fn verified(self) -> bool {
        matches!(self, Status::Moved | Status::AlreadyInStore | Status::Overwritten)
    }
}

/// One secret in the report.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SecretEntry {
    /// Key name in the store.
    pub key: String,
    /// Redacted preview of the value (its first few characters).
    #[serde(default)]
    pub preview: String,
    /// Store location (no value).
    pub location: String,
    /// Store path and key.
    pub store_path: String,
    /// Environment.
    pub env: String,
    /// Status.
    pub status: Status,
    /// Error or conflict message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Dry run with `--check-store`: what the store holds there now (`absent`, `same value`,
    /// `different value`, or the error reading it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_store: Option<String>,
    /// Rules that found it.
    pub rules: Vec<String>,
    /// Finding fingerprints (v1).
    pub fingerprints: Vec<String>,
    /// Providers.
    pub providers: Vec<String>,
    /// Where to rotate it.
    pub rotate: Vec<String>,
    /// How to read it from the store.
    pub fetch: String,
    /// Where it was in the repository and what happened there.
    pub sites: Vec<SiteEntry>,
}

/// One place a secret was.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SiteEntry {
    /// Path.
    pub path: String,
    /// Line.
    pub line: usize,
    /// `untrack`, `reference` or `manual`.
    pub action: String,
    /// The reference written, or the manual step.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// A dotenv key whose value is stored under another name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_in_file: Option<String>,
}

/// One file change.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct FileEntry {
    /// Path.
    pub path: String,
    /// `rewritten`, `untracked`, `example_written`, `gitignore_updated`, `left_alone`,
    /// `would_rewrite`, `would_untrack`.
    pub change: String,
    /// Why (for `left_alone`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// The history purge.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Purge {
    /// The `git filter-repo --replace-text` expressions file (mode 0600, inside `.git`).
    pub replace_text_file: Option<String>,
    /// Commands to run, in order.
    pub commands: Vec<String>,
    /// The command that verifies the purge.
    pub verify: String,
}

/// A finding not migrated.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SkipEntry {
    /// Rule.
    pub rule: String,
    /// Fingerprint.
    pub fingerprint: String,
    /// Path.
    pub path: String,
    /// Why.
    pub reason: String,
}

/// The whole report.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MigrationReport {
    /// Schema version.
    pub schema_version: u32,
    /// Store kind.
    pub store: String,
    /// False for a dry run.
    pub applied: bool,
    /// True when this run finished an interrupted one.
    pub resumed: bool,
    /// Secrets.
    pub secrets: Vec<SecretEntry>,
    /// Files.
    pub files: Vec<FileEntry>,
    /// Steps left for a person.
    pub manual_steps: Vec<String>,
    /// Rotation steps (every committed secret is burnt).
    pub rotation: Vec<String>,
    /// History purge.
    pub purge: Option<Purge>,
    /// Findings not migrated.
    pub skipped: Vec<SkipEntry>,
    /// Errors.
    pub errors: Vec<String>,
    /// How the application gets the values now, per way of running it found in the repository.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub how_to_run: Vec<String>,
    /// Untracked plaintext copies still on disk after a move to a remote store (removed with
    /// `--remove-local`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub leftovers: Vec<String>,
}

impl MigrationReport {
    /// Writes the JSON form.
    pub fn write_json(&self, w: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *w, self)?;
        writeln!(w)
    }

    /// Writes the text form for people. Paths, keys, reasons and store messages come from the
    /// repository and from the stores' answers, so control characters in them are escaped: the
    /// text goes to a terminal.
    pub fn write_text(&self, w: &mut dyn Write) -> io::Result<()> {
        let mut raw = Vec::new();
        self.write_text_raw(&mut raw)?;
        let text = String::from_utf8_lossy(&raw);
        for line in text.split_inclusive('\n') {
            let (body, nl) = match line.strip_suffix('\n') {
                Some(b) => (b, "\n"),
                None => (line, ""),
            };
            write!(w, "{}{nl}", crate::report::escape(body))?;
        }
        Ok(())
    }

    fn write_text_raw(&self, w: &mut dyn Write) -> io::Result<()> {
        let verb = if self.applied {
            "Migration"
        } else {
            "Migration plan (dry run: nothing written)"
        };
        writeln!(w, "{verb} to the {} store", self.store)?;
        if self.resumed {
            writeln!(w, "(finishing an interrupted migration)")?;
        }
        if self.secrets.is_empty() {
            writeln!(w, "\nNo secrets in tracked files to migrate.")?;
        }
        for s in &self.secrets {
            let status = match s.status {
                Status::Planned => "plan",
                Status::Moved => "moved",
                Status::AlreadyInStore => "in store",
                Status::Overwritten => "overwritten",
                Status::Conflict => "CONFLICT",
                Status::Failed => "FAILED",
                Status::Unstorable => "CANNOT STORE",
            };
            writeln!(w, "\n  [{status}] {} ({}) → {}", s.key, s.preview, s.location)?;
            writeln!(w, "      rules: {}", s.rules.join(", "))?;
            for site in &s.sites {
                let detail = site
                    .detail
                    .as_deref()
                    .map(|d| format!(": {d}"))
                    .unwrap_or_default();
                writeln!(w, "      {}:{} {}{}", site.path, site.line, site.action, detail)?;
            }
            if let Some(e) = &s.error {
                writeln!(w, "      error: {e}")?;
            }
            if let Some(now) = &s.in_store {
                writeln!(w, "      in the store now: {now}")?;
            }
            if !s.fetch.is_empty() && s.status.verified() {
                writeln!(w, "      read it back: {}", s.fetch)?;
            }
        }
        if !self.files.is_empty() {
            writeln!(w, "\nFiles:")?;
            for f in &self.files {
                let detail = f.detail.as_deref().map(|d| format!(" ({d})")).unwrap_or_default();
                writeln!(w, "  {:<16} {}{}", f.change, f.path, detail)?;
            }
        }
        if !self.how_to_run.is_empty() {
            writeln!(w, "\nHow your app gets the values now:")?;
            for h in &self.how_to_run {
                writeln!(w, "  - {h}")?;
            }
        }
        if !self.leftovers.is_empty() {
            writeln!(
                w,
                "\nPlaintext copies still on disk (untracked, ignored by git; the values are verified in the store): delete them, or re-run with --remove-local:"
            )?;
            for l in &self.leftovers {
                writeln!(w, "  {l}")?;
            }
        }
        if !self.manual_steps.is_empty() {
            writeln!(w, "\nManual steps:")?;
            for m in &self.manual_steps {
                writeln!(w, "  - {m}")?;
            }
        }
        if !self.rotation.is_empty() {
            writeln!(
                w,
                "\nRotate (these were committed to git, so treat them as burnt):"
            )?;
            for r in &self.rotation {
                writeln!(w, "  - {r}")?;
            }
        }
        if let Some(p) = &self.purge {
            writeln!(
                w,
                "\nPurge them from history (rewrites every commit; coordinate with your team):"
            )?;
            for c in &p.commands {
                writeln!(w, "  {c}")?;
            }
            writeln!(w, "Then verify: {}", p.verify)?;
        }
        if !self.skipped.is_empty() {
            writeln!(
                w,
                "\nNot migrated: {} finding(s) (untracked files, --scope); see --report for the list.",
                self.skipped.len()
            )?;
        }
        for e in &self.errors {
            writeln!(w, "\nerror: {e}")?;
        }
        if !self.applied && !self.secrets.is_empty() {
            writeln!(w, "\nRun again with --apply to execute this plan.")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escapes_control_characters_from_files_and_stores() {
        let esc = "\u{1b}]0;pwned\u{7}\u{1b}[2J";
        let m: MigrationReport = serde_json::from_value(serde_json::json!({
            "schema_version": 1, "store": "doppler", "applied": true, "resumed": false,
            "secrets": [
                {"key": format!("K{esc}"), "preview": "ab…", "location": format!("doppler:{esc}"),
                 "store_path": "p", "env": "dev", "status": "failed",
                 "error": format!("Doppler could not write: HTTP 400: {esc}\rfake line"),
                 "rules": [format!("r{esc}")], "fingerprints": [], "providers": [], "rotate": [],
                 "fetch": "", "sites": [{"path": format!("dir/{esc}.yaml"), "line": 1,
                 "action": "manual", "detail": format!("Kubernetes Secret {{{{ x }}}}{esc}")}]}
            ],
            "files": [{"path": format!("a{esc}"), "change": "rewritten", "detail": esc}],
            "manual_steps": [format!("step {esc}")], "rotation": [esc], "purge": null,
            "skipped": [], "errors": [format!("error {esc}")],
            "how_to_run": [esc], "leftovers": [esc]
        }))
        .expect("migration report");
        let mut out = Vec::new();
        m.write_text(&mut out).expect("write");
        let text = String::from_utf8(out).expect("utf-8");
        assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "{text:?}");
        assert!(text.contains("\\x1b]0;pwned\\x07"), "{text}");
    }
}
