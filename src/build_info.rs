//! What this binary is: its version, the git commit it was built from and a digest of the
//! built-in rule packs it embeds. `leakless version` prints them and JSON/SARIF reports carry
//! them in their `tool` metadata, so a report (or a bug report) says exactly which scanner and
//! which rules produced it — two builds of one version can differ in rules.

use std::sync::OnceLock;

use sha2::{Digest, Sha256};

/// The crate version (`Cargo.toml`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The full git commit id the binary was built from (set by `build.rs`), or `unknown` (a build
/// from sources that carry no commit).
pub const COMMIT: &str = match option_env!("LEAKLESS_GIT_COMMIT") {
    Some(c) => c,
    None => "unknown",
};

/// The target triple the binary was built for (set by `build.rs`; empty if unknown).
pub const TARGET: &str = match option_env!("LEAKLESS_BUILD_TARGET") {
    Some(t) => t,
    None => "",
};

/// `sha256:` and the hex SHA-256 of the built-in rule packs as embedded: for each pack in its
/// fixed order, its file name, a NUL, its length in decimal, a NUL, its text. Computed once, on
/// first use (a few milliseconds), so scans that never report it do not pay for it.
pub fn rules_digest() -> &'static str {
    static DIGEST: OnceLock<String> = OnceLock::new();
    DIGEST.get_or_init(|| digest_packs(crate::rules::builtin::PACKS))
}

fn digest_packs(packs: &[(&str, &str)]) -> String {
    let mut h = Sha256::new();
    for (name, text) in packs {
        h.update(name.as_bytes());
        h.update([0]);
        h.update(text.len().to_string().as_bytes());
        h.update([0]);
        h.update(text.as_bytes());
    }
    let hex: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

#[cfg(test)]
mod tests {
    use super::digest_packs;

    #[test]
    fn digest_depends_on_names_texts_and_boundaries() {
        let a = digest_packs(&[("a.toml", "x"), ("b.toml", "y")]);
        assert!(a.starts_with("sha256:") && a.len() == 7 + 64, "{a}");
        assert_eq!(a, digest_packs(&[("a.toml", "x"), ("b.toml", "y")]));
        assert_ne!(a, digest_packs(&[("a.toml", "xy"), ("b.toml", "")]));
        assert_ne!(a, digest_packs(&[("a.toml", "x"), ("c.toml", "y")]));
        assert_ne!(a, digest_packs(&[("b.toml", "y"), ("a.toml", "x")]));
    }

    #[test]
    fn commit_is_an_id_or_unknown() {
        let c = super::COMMIT;
        assert!(
            c == "unknown" || (c.len() >= 7 && c.bytes().all(|b| b.is_ascii_hexdigit())),
            "{c}"
        );
    }
}
