//! The blob cache of incremental re-audits (`scan --history --blob-cache FILE`, `audit --cache
//! DIR`).
//!
//! Re-auditing an unchanged history should cost a fraction of the first audit. A git blob is
//! immutable, so a blob that a rule set scanned without any finding stays clean for that rule
//! set: the cache keeps the ids of those blobs with a digest of the rules and options that
//! scanned them, and the next history scan does not read them again. It holds no content, no
//! path and no secret; blobs that had findings are not cached (they are rescanned, so the report
//! is the same as a full scan's: same findings, same introducing commits). A different rule set
//! or scan option gives a different digest and the cache is ignored and rewritten.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::rules::RuleSet;

/// Cache format version.
const VERSION: u32 = 1;

/// A cache file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// Writing failed.
    #[error("cannot write the blob cache {path}: {source}")]
    Write {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}

#[derive(Serialize, Deserialize)]
struct CacheFile {
    version: u32,
    rules_digest: String,
    clean_blobs: Vec<String>,
}

/// The digest of what decides a blob's findings: this build, every rule (id, pattern, keywords,
/// entropy, path, detector), the user's config files' bytes, and `options` (the scan options
/// that change what is found: size cap, decoding depth, archives, inline allows).
pub fn rules_digest(rules: &RuleSet, options: &str) -> String {
    let mut h = Sha256::new();
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.update(b"\0");
    h.update(options.as_bytes());
    for r in rules.rules() {
        let fields = format!(
            "\0{}\0{:?}\0{:?}\0{:?}\0{:?}\0{:?}\0{:?}\0{:?}\0{}",
            r.id,
            r.regex_src,
            r.keywords,
            r.entropy,
            r.path.as_ref().map(regex::bytes::Regex::as_str),
            r.secret_group,
            r.detector,
            r.key_regex.as_ref().map(regex::bytes::Regex::as_str),
            r.allowlists.len()
        );
        h.update(fields.as_bytes());
    }
    for file in rules.configs.iter().filter(|f| *f != crate::rules::BUILTIN_NAME) {
        h.update(b"\0config\0");
        h.update(file.as_bytes());
        if let Ok(bytes) = std::fs::read(file) {
            h.update(&bytes);
        }
    }
    h.update(format!("\0global allowlists {}", rules.global.len()).as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The clean blob ids in `path` when it was written for `digest` (a missing, unreadable or
/// other-rules cache is empty: everything is scanned).
pub fn load(path: &Path, digest: &str) -> HashSet<gix::ObjectId> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return HashSet::new();
    };
    match serde_json::from_str::<CacheFile>(&text) {
        Ok(c) if c.version == VERSION && c.rules_digest == digest => c
            .clean_blobs
            .iter()
            .filter_map(|h| gix::ObjectId::from_hex(h.as_bytes()).ok())
            .collect(),
        _ => HashSet::new(),
    }
}

/// Writes the cache (atomically; ids sorted so an unchanged audit rewrites the same bytes).
pub fn save(
    path: &Path,
    digest: &str,
    clean: impl IntoIterator<Item = gix::ObjectId>,
) -> Result<(), CacheError> {
    let mut ids: Vec<String> = clean.into_iter().map(|id| id.to_string()).collect();
    ids.sort_unstable();
    ids.dedup();
    let file = CacheFile {
        version: VERSION,
        rules_digest: digest.to_string(),
        clean_blobs: ids,
    };
    let bytes = serde_json::to_vec(&file).map_err(|e| CacheError::Write {
        path: path.display().to_string(),
        source: std::io::Error::other(e),
    })?;
    crate::safefs::write_atomic(path, &bytes, crate::safefs::Perm::Umask).map_err(|source| {
        CacheError::Write {
            path: path.display().to_string(),
            source,
        }
    })
}
