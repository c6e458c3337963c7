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
//!
//! The same file holds the walk cache ([`crate::source::git::introcache`]): what each commit
//! introduced, so an unchanged re-audit does not compare every commit's trees again either. It
//! holds commit and blob ids and paths, and does not depend on the rules (a rules change rescans
//! the blobs and still replays the walk).

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::rules::RuleSet;
use crate::source::git::introcache::{IntroCache, Wire};

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
    /// What each commit introduced (absent in caches written before it existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    walk: Option<Wire>,
}

/// A loaded cache.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Blobs scanned clean by the same rules and options (empty for other rules).
    pub clean: HashSet<gix::ObjectId>,
    /// What each cached commit introduced (kept across rule changes).
    pub walk: IntroCache,
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

/// The cache in `path`: its clean blob ids when it was written for `digest`, and its walk (a
/// missing, unreadable or damaged cache is empty: everything is walked and scanned).
pub fn load(path: &Path, digest: &str) -> Loaded {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Loaded::default();
    };
    let Ok(c) = serde_json::from_str::<CacheFile>(&text) else {
        return Loaded::default();
    };
    let clean = if c.version == VERSION && c.rules_digest == digest {
        c.clean_blobs
            .iter()
            .filter_map(|h| gix::ObjectId::from_hex(h.as_bytes()).ok())
            .collect()
    } else {
        HashSet::new()
    };
    let walk = c
        .walk
        .filter(|_| c.version == VERSION)
        .map(IntroCache::from_wire)
        .unwrap_or_default();
    Loaded { clean, walk }
}

/// Writes the cache (atomically; ids sorted so an unchanged audit rewrites the same bytes).
pub fn save(
    path: &Path,
    digest: &str,
    clean: impl IntoIterator<Item = gix::ObjectId>,
    walk: Option<&IntroCache>,
) -> Result<(), CacheError> {
    let mut ids: Vec<String> = clean.into_iter().map(|id| id.to_string()).collect();
    ids.sort_unstable();
    ids.dedup();
    let file = CacheFile {
        version: VERSION,
        rules_digest: digest.to_string(),
        clean_blobs: ids,
        walk: walk.map(IntroCache::to_wire),
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
