//! `--validation-cache FILE`: verdicts kept between runs, keyed by a hash of the check (validator,
//! host, secret, components). It holds no secret and no preview: a key is a truncated SHA-256
//! with a domain prefix, as fingerprints are. Only decided verdicts (`live`, `dead`, `unknown`)
//! are kept, for a day; `error` is always checked again.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use super::ValidateError;
use crate::findings::ValidationStatus;

/// How long a cached verdict is used.
pub const MAX_AGE: Duration = Duration::from_secs(24 * 3600);

/// One cached verdict.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    /// The verdict.
    pub status: ValidationStatus,
    /// When it was checked (RFC 3339).
    pub checked_at: String,
    /// The detail at that time.
    pub detail: String,
}

/// The cache file's content.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Cache {
    version: u32,
    entries: BTreeMap<String, Entry>,
}

impl Cache {
    /// Reads `path` (an absent file is an empty cache); entries older than `MAX_AGE` (a day) are
    /// dropped.
    pub fn load(path: &Path) -> Result<Self, ValidateError> {
        let err = |m: String| ValidateError::Cache {
            path: path.display().to_string(),
            message: m,
        };
        if std::fs::symlink_metadata(path).is_err() {
            return Ok(Self {
                version: 1,
                entries: BTreeMap::new(),
            });
        }
        let text = crate::safefs::read_config(path, crate::safefs::Origin::CommandLine)
            .map_err(|e| err(e.to_string()))?;
        let mut c: Self =
            serde_json::from_str(&text).map_err(|_| err("not a leakless validation cache".into()))?;
        if c.version != 1 {
            return Err(err(format!("version {} is not supported", c.version)));
        }
        let oldest = super::rfc3339(SystemTime::now() - MAX_AGE);
        c.entries
            .retain(|_, e| e.checked_at >= oldest && e.status != ValidationStatus::Error);
        Ok(c)
    }

    /// The cached verdict of `key`.
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.entries.get(key)
    }

    /// Records a verdict (errors are not kept).
    pub fn put(&mut self, key: &str, status: ValidationStatus, detail: &str, checked_at: &str) {
        if status == ValidationStatus::Error {
            self.entries.remove(key);
            return;
        }
        self.entries.insert(
            key.to_string(),
            Entry {
                status,
                checked_at: checked_at.to_string(),
                detail: detail.to_string(),
            },
        );
    }

    /// Writes the cache to `path` (atomically, never through a link).
    pub fn save(&self, path: &Path) -> Result<(), ValidateError> {
        let json = serde_json::to_string_pretty(self).map_err(|e| ValidateError::Cache {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        crate::safefs::write_atomic(path, json.as_bytes(), crate::safefs::Perm::Umask).map_err(|e| {
            ValidateError::Cache {
                path: path.display().to_string(),
                message: e.to_string(),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_keeps_decided_fresh_verdicts_only() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("cache.json");
        let mut c = Cache::load(&path).expect("absent file: empty cache");
        let now = super::super::rfc3339(SystemTime::now());
        let old = super::super::rfc3339(SystemTime::now() - MAX_AGE - Duration::from_secs(60));
        c.put("a", ValidationStatus::Live, "h: HTTP 200", &now);
        c.put("b", ValidationStatus::Error, "h: timed out", &now);
        c.put("c", ValidationStatus::Dead, "h: HTTP 401", &old);
        c.save(&path).expect("save");
        let c = Cache::load(&path).expect("load");
        assert_eq!(c.get("a").map(|e| e.status), Some(ValidationStatus::Live));
        assert!(c.get("b").is_none(), "errors are checked again");
        assert!(c.get("c").is_none(), "older than a day");
        std::fs::write(&path, "{\"version\": 9, \"entries\": {}}").expect("write");
        assert!(Cache::load(&path).is_err());
        std::fs::write(&path, "not json").expect("write");
        let e = Cache::load(&path).expect_err("not a cache").to_string();
        assert!(!e.contains("not json"), "content is not echoed: {e}");
    }
}
