//! leakless: a fast secret-leak scanner.
//!
//! Data flows one way:
//!
//! ```text
//!  source ──blobs──▶ matcher ──raw matches──▶ findings ──▶ report ──▶ (migrate)
//!  (worktree,        (keyword prefilter →     (one report per   (text | json | jsonl | sarif |
//!   git history,      regex on windows →       token: provider   junit | github | gitleaks
//!   range, staged,    entropy, placeholder,    rule over generic; json/csv/template)
//!   stdin; archive    allowlists; assignment   group by rule+secret,
//!   members opened    detector; base64/hex/    locate, fingerprint,
//!   in memory)        escape runs decoded      suppress: inline, ignore
//!                     and rescanned)           files, baseline)
//! ```
//!
//! - [`rules`] loads gitleaks-format TOML (built-in packs and user configs; Go RE2 patterns are
//!   translated) into a [`rules::RuleSet`].
//! - [`matching`] runs a rule set over bytes (and over what decoding finds in them).
//! - [`source`] walks a tree, a git history or range, the index or stdin, opens archives, and feeds
//!   the matcher in parallel.
//! - [`findings`] groups raw matches into findings with location-free fingerprints and applies
//!   suppressions (`.leaklessignore`, `.gitleaksignore`, baselines).
//! - [`validate`] (only with `--validate`, the one network step of a scan) asks each finding's
//!   provider whether its secret is live and sets `Finding::validation`.
//! - [`report`] writes them; [`migrate`] moves found secrets into a store; [`safefs`] is where
//!   files are written and config-like files are read (the trust boundary, SECURITY.md).
//! - [`audit`] scans many repositories (an organisation's) with a bounded pool, resumably;
//!   [`blobcache`] remembers the blobs a history scan found clean, for incremental re-audits.
//! - [`build_info`] says which commit and rule packs a binary was built from.
//! - [`cli`] parses command lines (ours and gitleaks') into typed requests; [`hooks`] installs the
//!   git hooks; [`fuzz`] holds the fuzz targets.
//!
//! ```
//! use leakless::matching::{Input, MatchOptions, Scanner, Scratch};
//! let rules = leakless::rules::load(&Default::default()).expect("built-in rules load");
//! let scanner = Scanner::new(&rules, MatchOptions::default());
//! let mut out = Vec::new();
//! let text = b"token = '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'";  // leakless:allow
//! scanner.scan(Input { data: text, path: Some("a.py"), commit: None }, &mut Scratch::default(), &mut out);
//! assert!(out.iter().any(|m| rules.rules()[m.rule as usize].provider.as_deref() == Some("github")));
//! ```

#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod audit;
pub mod blobcache;
pub mod build_info;
pub mod cli;
pub mod findings;
pub mod fuzz;
pub mod hooks;
pub mod matching;
pub mod migrate;
pub mod report;
pub mod rules;
pub mod safefs;
pub mod source;
pub mod validate;

/// A seeded xorshift generator for tests that compare a fast path with a plain reference on
/// random inputs: `next(n)` is in `0..n`, the same sequence on every run.
#[cfg(test)]
pub(crate) fn test_rng(mut x: u64) -> impl FnMut(u64) -> u64 {
    move |n| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % n
    }
}
