//! `leakless migrate`: move the secrets found in tracked files into a secrets store, rewrite the
//! files to reference them, and report what is left to do (rotation, history purge).
//!
//! ```text
//!  findings at HEAD ──▶ plan ──(--apply)──▶ per file: put → read back → compare
//!  (or a JSON report)   (target, key,                   ──▶ rewrite file atomically
//!                        replacement)                   ──▶ journal, report
//! ```
//!
//! Invariant: at every instant each secret is either still in its file or verified in the store.
//! The journal in `.git/leakless/` lets a re-run finish what a crash interrupted.

pub mod apply;
pub mod dotenv;
pub mod export;
pub mod git;
pub mod guide;
pub mod helm;
pub mod http;
pub mod k8s;
pub mod plan;
pub mod report;
pub mod secrets_map;
pub mod store;
pub mod unescape;
