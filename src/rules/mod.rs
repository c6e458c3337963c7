//! Rules: loading gitleaks-format TOML packs, validating them, and compiling one [`RuleSet`].
//!
//! Rules are data. The built-in packs under `rules/*.toml` are embedded at build time
//! ([`builtin`]); users add their own with `--config`/`--rules` in the same format. Loading only
//! *parses* each regex (cheap, and enough to report a bad pattern by rule id); the regex itself is
//! compiled the first time a keyword of that rule occurs in scanned content, so a pre-commit scan of
//! one small file does not pay for compiling hundreds of patterns.

pub mod builtin;
pub mod check;
mod compile;
pub(crate) mod engine;
mod load;
pub mod re2;
pub mod syntax;

pub(crate) use compile::REGEX_SIZE_LIMIT;
pub use compile::{AllowQuery, Allowlist, Confidence, Detector, Rule, RuleMeta, RuleSet, Severity};
pub(crate) use load::load_file_alone;
pub use load::{load, load_reporting, LoadOptions, UnknownKey};
pub use load::{load_builtin, BUILTIN_NAME};

use thiserror::Error;

/// Why a rule file or rule could not be used. Always names the file and, where relevant, the rule.
#[derive(Debug, Error)]
pub enum RuleError {
    /// The file could not be read.
    #[error("{path}: cannot read rule file: {source}")]
    Read {
        /// File path.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
    /// The file is not valid TOML or does not fit the format.
    #[error("{path}: invalid rule file: {message}")]
    Parse {
        /// File path.
        path: String,
        /// One-line description.
        message: String,
    },
    /// One rule is invalid.
    #[error("{path}: rule '{id}': {message}")]
    Rule {
        /// File path.
        path: String,
        /// Rule id.
        id: String,
        /// One-line description.
        message: String,
    },
    /// The file may not be read (a link, a FIFO, outside the repository, too large).
    #[error(transparent)]
    Unsafe(Box<crate::safefs::ReadError>),
    /// Two rules share an id.
    #[error("{path}: duplicate rule id '{id}' (already defined in {first})")]
    Duplicate {
        /// File path.
        path: String,
        /// Rule id.
        id: String,
        /// Where the id was first defined.
        first: String,
    },
}
