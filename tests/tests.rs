//! One integration test binary (ripgrep style): each module exercises the `leakless` binary.

mod util;

mod cli;
mod history;
mod rules;
mod worktree;
