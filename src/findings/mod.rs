//! Findings: raw matches grouped by (rule, secret), located, fingerprinted and sorted.
//!
//! One [`Finding`] is one secret found by one rule; it lists every place the secret appeared
//! (sorted by path, line, column). Its fingerprint (v1) is a hash of the rule id and the secret
//! only, so it survives moved lines, renamed files and rebases.

pub mod gitleaks;
pub mod suppress;

use std::collections::BTreeMap;
use std::sync::Arc;

use sha2::{Digest, Sha256};
use zeroize::Zeroize;

use crate::matching::{Decoding, Paired, RawMatch};
use crate::rules::{Rule, RuleSet};

/// A raw secret. Its `Debug` is redacted and it is wiped from memory on drop; it has no
/// `Serialize` and no `Display`, so it can only reach an output through [`Secret::expose`].
///
/// A secret read back from a redacted report ([`Secret::preview_only`]) knows only its preview:
/// it exposes no bytes and shows the preview even with `--no-redact`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Secret(Vec<u8>, Option<String>);

impl Secret {
    /// Wraps raw bytes.
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(bytes, None)
    }

    /// A secret of which only the redacted preview is known (a saved, redacted report).
    pub fn preview_only(preview: String) -> Self {
        Self(Vec::new(), Some(preview))
    }

    /// Whether the raw value is known (not [`Secret::preview_only`]).
    pub fn is_known(&self) -> bool {
        self.1.is_none()
    }

    /// The raw bytes (empty for a [`Secret::preview_only`]). Callers must only print them when
    /// the user asked (`--no-redact`).
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// The raw secret as text, only when `redact` is false (`--no-redact`) and the value is known.
    pub fn unredacted(&self, redact: bool) -> Option<String> {
        (!redact && self.is_known()).then(|| String::from_utf8_lossy(&self.0).into_owned())
    }

    /// What a report shows: the preview, or with `redact == false` the whole secret.
    pub fn shown(&self, redact: bool) -> String {
        self.unredacted(redact).unwrap_or_else(|| self.preview())
    }

    /// The redacted preview: the first few characters (at most 4, and at most a third of the
    /// secret) followed by `…`.
    pub fn preview(&self) -> String {
        if let Some(p) = &self.1 {
            return p.clone();
        }
        let text = String::from_utf8_lossy(&self.0);
        let n = text.chars().count();
        let keep = (n / 3).min(4);
        let mut out: String = text.chars().take(keep).collect();
        out.push('…');
        out
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secret({})", self.preview())
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// Version tag of the fingerprint scheme.
pub const FINGERPRINT_VERSION: &str = "v1";

/// Fingerprint v1: the first 128 bits of SHA-256(`"leakless/v1\0" ‖ rule id ‖ "\0" ‖ secret`), in
/// lowercase hex. Location-free by design.
pub fn fingerprint_v1(rule_id: &str, secret: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(b"leakless/v1\0");
    h.update(rule_id.as_bytes());
    h.update(b"\0");
    h.update(secret);
    let digest = h.finalize();
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// One place a secret was found.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    /// Path relative to the scan root (`/`-separated), or the name given for stdin.
    pub path: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (Unicode scalar values).
    pub column: usize,
    /// 1-based end line.
    pub end_line: usize,
    /// Exclusive end column.
    pub end_column: usize,
    /// The key the secret was assigned to here, if known.
    pub key: Option<String>,
    /// The commit that introduced the content at this path (history, range and staged scans).
    pub commit: Option<Arc<CommitInfo>>,
    /// The decodings undone to find the secret here, outermost first (empty: as written).
    pub decoded: Vec<Decoding>,
    /// The repository this place is in (merged reports of several repositories; `None` for a
    /// scan of one).
    pub repository: Option<String>,
}

/// The commit a location was introduced by (git sources only).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct CommitInfo {
    /// Full commit id (hex).
    pub id: String,
    /// Author name.
    pub author_name: String,
    /// Author email.
    pub author_email: String,
    /// Author date, ISO 8601 with the author's UTC offset (`2024-01-31T12:00:00+01:00`).
    pub date: String,
    /// First line of the commit message.
    pub summary: String,
}

/// One secret found by one rule, with every place it appeared.
#[derive(Debug, Clone)]
pub struct Finding {
    /// Index of the rule in the [`RuleSet`].
    pub rule: u32,
    /// Fingerprint v1 (see [`fingerprint_v1`]).
    pub fingerprint: String,
    /// Shannon entropy of the secret.
    pub entropy: f64,
    /// The secret.
    pub secret: Secret,
    /// Every location, sorted.
    pub locations: Vec<Location>,
    /// The key the secret is assigned to (first location that has one).
    pub key: Option<String>,
    /// The id this secret is paired with (`*_CLIENT_ID` for `*_CLIENT_SECRET`), if any.
    pub paired_with: Option<Paired>,
    /// Git scans: whether the secret still occurs in a file of the `HEAD` tree (`None` when the
    /// source does not tell).
    pub in_head: Option<bool>,
    /// Locations left out because a blob's list of introducing commits was capped.
    pub more_locations: u64,
}

impl Finding {
    /// The finding's rule.
    pub fn rule<'r>(&self, rules: &'r RuleSet) -> &'r Rule {
        &rules.rules()[self.rule as usize]
    }
}

/// How a report names a decoding chain: `base64`, `base64+hex` (outermost first); `None` when the
/// secret was found as written.
pub fn decoding_chain(decoded: &[Decoding]) -> Option<String> {
    (!decoded.is_empty()).then(|| decoded.iter().map(|d| d.as_str()).collect::<Vec<_>>().join("+"))
}

impl Location {
    /// The location of a raw match in the blob at `path` (`path!member` inside an archive),
    /// without commit provenance.
    pub fn of(path: String, m: &RawMatch) -> Self {
        Self {
            path: match &m.member {
                Some(member) => format!("{path}!{member}"),
                None => path,
            },
            decoded: m.decoded.clone(),
            line: m.line,
            column: m.column,
            end_line: m.end_line,
            end_column: m.end_column,
            key: m.key.clone(),
            commit: None,
            repository: None,
        }
    }
}

/// Groups raw matches (each with the path it was found at) into sorted findings.
pub fn group(matches: Vec<(String, RawMatch)>, rules: &RuleSet) -> Vec<Finding> {
    group_located(
        matches.into_iter().map(|(path, mut m)| {
            let loc = Location::of(path, &m);
            (m.rule, std::mem::take(&mut m.secret), loc, m.paired_with.take())
        }),
        rules,
    )
}

/// Groups `(rule, secret, location, paired id)` into sorted findings (the secrets are wiped
/// after grouping).
pub fn group_located(
    items: impl IntoIterator<Item = (u32, Vec<u8>, Location, Option<Paired>)>,
    rules: &RuleSet,
) -> Vec<Finding> {
    type Group = (Vec<Location>, Option<Paired>);
    let mut by_key: BTreeMap<(u32, Vec<u8>), Group> = BTreeMap::new();
    for (rule, secret, loc, paired) in items {
        let mut key = (rule, secret);
        if !by_key.contains_key(&key) {
            by_key.insert(key.clone(), Group::default());
        }
        let entry = by_key.get_mut(&key).expect("inserted above");
        key.1.zeroize();
        entry.0.push(loc);
        if let Some(p) = paired {
            if entry.1.as_ref().is_none_or(|q| p < *q) {
                entry.1 = Some(p);
            }
        }
    }
    let mut findings: Vec<Finding> = by_key
        .into_iter()
        .map(|((rule, secret), (mut locations, paired_with))| {
            locations.sort();
            locations.dedup();
            let id = &rules.rules()[rule as usize].id;
            Finding {
                key: locations.iter().find_map(|l| l.key.clone()),
                paired_with,
                rule,
                fingerprint: fingerprint_v1(id, &secret),
                entropy: crate::matching::entropy::shannon(&secret),
                secret: Secret::new(secret),
                locations,
                in_head: None,
                more_locations: 0,
            }
        })
        .collect();
    findings.sort_by(|a, b| {
        a.locations
            .first()
            .cmp(&b.locations.first())
            .then_with(|| {
                rules.rules()[a.rule as usize]
                    .id
                    .cmp(&rules.rules()[b.rule as usize].id)
            })
            .then_with(|| a.fingerprint.cmp(&b.fingerprint))
    });
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_is_stable_and_location_free() {
        let a = fingerprint_v1("aws-access-key-id", b"AKIAQ3EGT5MBL7XZPW4N"); // leakless:allow
        assert_eq!(a, fingerprint_v1("aws-access-key-id", b"AKIAQ3EGT5MBL7XZPW4N")); // leakless:allow
        assert_ne!(a, fingerprint_v1("other", b"AKIAQ3EGT5MBL7XZPW4N")); // leakless:allow
        assert_eq!(a.len(), 32);
    }

    #[test]
    fn preview_redacts() {
        assert_eq!(Secret::new(b"ghp_abcdefghijklmnop".to_vec()).preview(), "ghp_…");
        assert_eq!(Secret::new(b"hunter2".to_vec()).preview(), "hu…");
        assert_eq!(Secret::new(b"ab".to_vec()).preview(), "…");
        assert!(!format!("{:?}", Secret::new(b"supersecretvalue".to_vec())).contains("secretvalue"));
    }
}
