//! Pairing an id with its secret: `*_CLIENT_ID` + `*_CLIENT_SECRET`, AWS access key id + secret
//! access key, `*_APP_ID` + `*_APP_SECRET`, … in one file become one finding.
//!
//! The secret's match carries [`Paired`] (the id's key and a redacted preview of its value); a
//! match on the id's value (e.g. `aws-access-key-id`) is dropped, because the pair is one credential.
//! Keys are compared with case and separators removed (`clientSecret` = `CLIENT_SECRET`), and the id
//! must share the secret's prefix (`INFISICAL_CLIENT_ID` for `INFISICAL_CLIENT_SECRET`).

use super::parse::Assign;
use crate::findings::Secret;
use crate::matching::filter::{noise, Noise};
use crate::matching::{Paired, RawMatch};

/// `(secret key suffix, id key suffixes)`, normalized (lowercase, alphanumerics only).
const PAIRS: &[(&str, &[&str])] = &[
    ("clientsecret", &["clientid", "clientkey"]),
    ("secretaccesskey", &["accesskeyid", "accesskey"]),
    ("secretkey", &["accesskeyid", "accesskey", "keyid"]),
    ("appsecret", &["appid", "appkey"]),
    ("consumersecret", &["consumerkey"]),
    ("secretid", &["roleid"]),
];

fn norm(key: &str) -> String {
    key.bytes()
        .filter(u8::is_ascii_alphanumeric)
        .map(|b| char::from(b.to_ascii_lowercase()))
        .collect()
}

/// Whether `key` names the secret half of an id/secret pair.
pub(super) fn is_pairable(key: &str) -> bool {
    PAIRS.iter().any(|(suffix, _)| norm_ends_with(key, suffix))
}

/// `norm(key).ends_with(suffix)` without building the normalized key (this runs for every
/// assignment of a file).
fn norm_ends_with(key: &str, suffix: &str) -> bool {
    let mut tail = key
        .bytes()
        .rev()
        .filter(u8::is_ascii_alphanumeric)
        .map(|b| b.to_ascii_lowercase());
    suffix.bytes().rev().all(|s| tail.next() == Some(s))
}

/// Attaches ids to secrets among `out[first..]` and drops matches on paired ids' values.
pub(super) fn pair(assigns: &[Assign], data: &[u8], out: &mut Vec<RawMatch>, first: usize) {
    let mut dropped: Vec<(usize, usize)> = Vec::new();
    let normed: Vec<String> = assigns.iter().map(|a| norm(&a.key)).collect();
    for m in &mut out[first..] {
        if m.paired_with.is_some() || m.end == m.start {
            continue;
        }
        let Some(key) = &m.key else { continue };
        let n = norm(key);
        for (suffix, ids) in PAIRS {
            let Some(stem) = n.strip_suffix(suffix) else {
                continue;
            };
            let best = assigns
                .iter()
                .zip(&normed)
                .filter(|(a, an)| {
                    ids.iter().any(|id| an.strip_prefix(stem) == Some(id))
                        && !matches!(
                            noise(&data[a.value.0..a.value.1], b""),
                            Some(Noise::Empty | Noise::Placeholder | Noise::Reference)
                        )
                })
                .min_by_key(|(a, _)| a.value.0.abs_diff(m.start))
                .map(|(a, _)| a);
            if let Some(a) = best {
                m.paired_with = Some(Paired {
                    key: a.key.to_string(),
                    preview: Secret::new(data[a.value.0..a.value.1].to_vec()).preview(),
                    value: Secret::new(data[a.value.0..a.value.1].to_vec()),
                });
                dropped.push(a.value);
                break;
            }
        }
    }
    if dropped.is_empty() {
        return;
    }
    let tail = out.split_off(first);
    out.extend(
        tail.into_iter()
            .filter(|m| !(m.end > m.start && dropped.iter().any(|&(s, e)| s <= m.start && m.end <= e))),
    );
}

#[cfg(test)]
mod tests {
    use super::{norm, norm_ends_with, PAIRS};

    /// `norm_ends_with` is `norm(key).ends_with(suffix)`, on random keys built from the pair
    /// suffixes' letters in both cases, separators and non-ASCII characters.
    #[test]
    fn norm_ends_with_is_norm_then_ends_with() {
        const PARTS: &[&str] = &[
            "client", "SECRET", "Access", "key", "ID", "app", "_", "-", ".", " ", "é", "1", "role",
            "consumer", "Secret", "KEY", "x",
        ];
        let mut rng = crate::test_rng(0x5eed_0003);
        for _ in 0..20_000 {
            let n = rng(7) as usize;
            let key: String = (0..n).map(|_| PARTS[rng(PARTS.len() as u64) as usize]).collect();
            for (suffix, ids) in PAIRS {
                for s in std::iter::once(suffix).chain(ids.iter()) {
                    assert_eq!(norm_ends_with(&key, s), norm(&key).ends_with(s), "{key:?} {s}");
                }
            }
        }
    }
}
