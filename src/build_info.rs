//! What this binary is: its version, the git commit it was built from and a digest of the
//! built-in rule packs it embeds. `leakless version` prints them and JSON/SARIF reports carry
//! them in their `tool` metadata, so a report (or a bug report) says exactly which scanner and
//! which rules produced it — two builds of one version can differ in rules.

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
/// fixed order, its file name, a NUL, its length in decimal, a NUL, its text. Computed by
/// `build.rs` from the packs it compiles into the rule table.
pub fn rules_digest() -> &'static str {
    env!("LEAKLESS_RULES_DIGEST")
}

#[cfg(test)]
mod tests {
    use sha2::{Digest, Sha256};

    /// The digest formula, computed here from the pack files on disk (independently of build.rs).
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

    #[test]
    fn digest_is_that_of_the_packs_on_disk() {
        let root = env!("CARGO_MANIFEST_DIR");
        let texts: Vec<(String, String)> = crate::rules::builtin::PACK_NAMES
            .iter()
            .map(|n| {
                let text = std::fs::read_to_string(format!("{root}/{n}")).expect("pack readable");
                ((*n).to_string(), text)
            })
            .collect();
        let packs: Vec<(&str, &str)> = texts.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
        assert_eq!(super::rules_digest(), digest_packs(&packs));
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
