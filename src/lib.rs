//! leakless: a fast secret-leak scanner.
//!
//! Data flows one way:
//!
//! ```text
//!  source ──blobs──▶ matcher ──raw matches──▶ findings ──▶ report
//!  (worktree,        (keyword prefilter →     (group by rule+secret,   (text | json)
//!   stdin)            regex on windows →       locate, fingerprint,
//!                     entropy, placeholder,    sort)
//!                     allowlists)
//! ```
//!
//! - [`rules`] loads gitleaks-format TOML (built-in packs and user configs) into a [`rules::RuleSet`].
//! - [`matching`] runs a rule set over bytes.
//! - [`source`] walks a tree (or reads stdin) and feeds the matcher in parallel.
//! - [`findings`] groups raw matches into findings with location-free fingerprints.
//! - [`report`] writes them.
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
