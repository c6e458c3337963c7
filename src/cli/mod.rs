//! The command line: clap definitions ([`Args`]) and the commands they run ([`run`]).
//!
//! Parsing only validates; the expensive objects (rule set, walker) are built in [`run`].

mod audit;
mod completions;
mod config;
mod env;
mod gitleaks;
mod man;
mod output;
mod report;
mod run;
mod run_cmd;
mod validate;
mod version;

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

pub use run::{run, EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};

use crate::report::Format;

/// A fast secret-leak scanner that also moves leaked secrets into a secrets store.
#[derive(Debug, Parser)]
#[command(name = "leakless", version, about, propagate_version = true)]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan a directory or file for leaked secrets.
    Scan(ScanArgs),
    /// List or check rules.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Create or update a baseline of known findings, so only new ones fail a scan.
    #[command(subcommand)]
    Baseline(BaselineCommand),
    /// Install the git pre-commit hook (or pre-push, with --pre-push) in this repository,
    /// chaining any hook already there.
    InstallHook {
        /// Install the pre-push hook instead of the pre-commit hook.
        #[arg(long)]
        pre_push: bool,
        /// Rewrite our hook / replace an earlier chained copy.
        #[arg(long)]
        force: bool,
    },
    /// Run as a git hook: `pre-commit` scans the staged change, `pre-push` the pushed commits.
    /// Used by hooks/, `install-hook` and .pre-commit-hooks.yaml; quiet unless it blocks.
    #[command(subcommand)]
    Hook(HookCommand),
    /// Move the secrets found in tracked files into a secrets store and rewrite the files to
    /// reference them (a dry run that prints the plan unless --apply).
    Migrate(Box<MigrateArgs>),
    /// gitleaks' `git` command: scan a repository's history (or `--log-opts`, `--staged`) with
    /// gitleaks' flags and report formats. Same as `leakless scan --history`.
    Git(Box<gitleaks::GitArgs>),
    /// gitleaks' `dir` command: scan a directory or file, every file (no .gitignore), with
    /// gitleaks' flags and report formats. Same as `leakless scan --no-ignore`.
    Dir(Box<gitleaks::DirArgs>),
    /// gitleaks' `stdin` command: scan standard input with gitleaks' flags and report formats.
    /// Same as `leakless scan --stdin`.
    Stdin(Box<gitleaks::StdinArgs>),
    /// Deprecated (gitleaks < 8.19): `detect` is `git` (or `dir` with --no-git, `stdin` with
    /// --pipe).
    Detect(Box<gitleaks::DetectArgs>),
    /// Deprecated (gitleaks < 8.19): `protect` is `git --staged`.
    Protect(Box<gitleaks::ProtectArgs>),
    /// Ask a secret's provider whether it is live (the `--validate` check for one secret):
    /// exit 0 live, 1 dead or unknown, 2 error.
    Validate(validate::ValidateCmd),
    /// Render saved JSON/JSONL scan reports in any format without rescanning (several are
    /// merged), or merge the reports of several repositories (`report merge`).
    Report(Box<ReportArgs>),
    /// Audit many repositories: scan each one's history (local paths, or URLs cloned bare) with
    /// a bounded pool of workers, resume after an interruption, write one JSON report per
    /// repository, the merged report and its HTML.
    Audit(Box<AuditArgs>),
    /// Remove the hook installed by `install-hook` and restore the one it chained.
    UninstallHook {
        /// Remove the pre-push hook instead of the pre-commit hook.
        #[arg(long)]
        pre_push: bool,
    },
    /// Run a command with the secrets `.leakless/secrets.toml` names (written by `migrate
    /// --apply`) in its environment, read from their stores; nothing is written to disk.
    Run(Box<run_cmd::RunArgs>),
    /// Print the secrets `.leakless/secrets.toml` names, read from their stores, as dotenv,
    /// JSON or shell lines, or append them to `$GITHUB_ENV` masked (`--format github`).
    Env(Box<env::EnvArgs>),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish) to stdout.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff, section 1) to stdout: `leakless man | man -l -`.
    Man,
    /// Print the version, the git commit it was built from and the digest of the built-in rules.
    Version {
        /// Output format.
        #[arg(long, short = 'f', value_enum, default_value_t = MigrateFormat::Text)]
        format: MigrateFormat,
    },
}

/// `leakless hook ...`.
#[derive(Debug, Subcommand)]
pub enum HookCommand {
    /// Scan the staged change; exit 1, blocking the commit, if it adds a secret.
    PreCommit {
        /// The pre-commit framework hook id running this (.pre-commit-hooks.yaml passes it), so
        /// the block message can say `SKIP=<id>`.
        #[arg(long, value_name = "ID", value_parser = parse_hook_id)]
        hook_id: Option<String>,
    },
    /// Scan the commits being pushed: `PRE_COMMIT_FROM_REF..PRE_COMMIT_TO_REF` (pre-commit
    /// framework), else the refs git writes to the hook's standard input.
    PrePush {
        /// Remote name (git passes it).
        remote: Option<String>,
        /// Remote URL (git passes it).
        url: Option<String>,
        /// The pre-commit framework hook id running this (see `pre-commit --hook-id`).
        #[arg(long, value_name = "ID", value_parser = parse_hook_id)]
        hook_id: Option<String>,
    },
}

/// A pre-commit hook id: letters, digits, `.`, `_`, `-` (it is printed in a shell command).
fn parse_hook_id(s: &str) -> Result<String, String> {
    let ok = !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if ok {
        Ok(s.to_string())
    } else {
        Err("a hook id is 1 to 64 letters, digits, '.', '_' or '-'".to_string())
    }
}

/// When to colour text output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and `NO_COLOR` is unset.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// Where a scan reads its config, ignore file and baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ConfigSource {
    /// The working tree (default for local scans: the user is the author).
    Worktree,
    /// The base revision of the range (default for `--range`/`--since-commit`: the scanned
    /// change cannot configure its own scan).
    Base,
}

/// Where rules come from (shared by `scan` and `rules list`).
#[derive(Debug, Clone, clap::Args)]
pub struct RuleArgs {
    /// Config file in gitleaks v8 format (default: `.leakless.toml` or `.gitleaks.toml` in the
    /// scanned directory, if present).
    #[arg(long, short = 'c', value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Extra rule pack(s) added to the rules in use.
    #[arg(long = "rules", value_name = "FILE")]
    pub rules: Vec<PathBuf>,
    /// Do not use the built-in rules (unless the config extends them).
    #[arg(long)]
    pub no_builtin_rules: bool,
    /// Use only these rules: rule ids, or the gitleaks/betterleaks ids they cover (repeatable or
    /// comma-separated).
    #[arg(long = "enable-rule", value_name = "ID", value_delimiter = ',')]
    pub enable_rule: Vec<String>,
}

/// What to scan and with which rules (shared by `scan` and `baseline`).
#[derive(Debug, clap::Args)]
pub struct SourceArgs {
    /// Directory or file to scan.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Rules.
    #[command(flatten)]
    pub rules: RuleArgs,
    /// Scan standard input instead of PATH.
    #[arg(long)]
    pub stdin: bool,
    /// The path standard input is reported as (and matched against path rules).
    #[arg(long, value_name = "NAME", default_value = "<stdin>", requires = "stdin")]
    pub stdin_name: String,
    /// Scan the git history of the repository at PATH: every blob reachable from every ref
    /// (branches, remote branches, tags, stash, HEAD), each unique blob once, with the commits
    /// that introduced it and whether the secret is still in HEAD.
    #[arg(long, conflicts_with_all = ["stdin", "staged", "range", "since_commit"])]
    pub history: bool,
    /// With --history: keep the ids of blobs scanned clean and what each commit introduced in
    /// FILE (ids and paths; no content, no secrets); next time skip those blobs (while the rules
    /// and scan options are the same) and diff only new commits (incremental re-audits).
    #[arg(long, value_name = "FILE", requires = "history")]
    pub blob_cache: Option<PathBuf>,
    /// Scan only the lines added by the commits of a range `A..B` (as in `git log A..B`).
    #[arg(long, value_name = "A..B", conflicts_with_all = ["stdin", "staged", "since_commit"])]
    pub range: Option<String>,
    /// With --range: also leave out commits reachable from REV (repeatable), as `git log --not`.
    #[arg(long = "exclude", value_name = "REV", requires = "range")]
    pub exclude: Vec<String>,
    /// Scan only the lines added since COMMIT (the range `COMMIT..HEAD`).
    #[arg(long, value_name = "COMMIT", conflicts_with_all = ["stdin", "staged"])]
    pub since_commit: Option<String>,
    /// Scan only the lines the index (staging area) adds relative to HEAD (for pre-commit hooks).
    #[arg(long, conflicts_with = "stdin")]
    pub staged: bool,
    /// Scan the lines added by the commits `git log ARGS` lists (gitleaks' `--log-opts`:
    /// `--all`, `main..feature`, `--since=2024-01-01`, `--author=...`); each commit is compared
    /// with its parents.
    #[arg(long, value_name = "ARGS", allow_hyphen_values = true,
          conflicts_with_all = ["stdin", "staged", "range", "since_commit", "history"])]
    pub log_opts: Option<String>,
    /// Do not honour .gitignore/.ignore files: scan everything.
    #[arg(long)]
    pub no_ignore: bool,
    /// Follow symbolic links.
    #[arg(long, short = 'L')]
    pub follow: bool,
    /// Skip files larger than this (bytes, or with a K/M/G suffix).
    #[arg(long, value_name = "SIZE", default_value = "10M", value_parser = parse_size)]
    pub max_file_size: u64,
    /// Threads (0: one per core).
    #[arg(long, short = 'j', default_value_t = 0)]
    pub threads: usize,
    /// Do not honour `leakless:allow`, `gitleaks:allow` and `pragma: allowlist secret` comments.
    #[arg(long)]
    pub no_inline_allow: bool,
    /// Fingerprint ignore file (default: `.leaklessignore` in the scanned directory, if present).
    #[arg(long, value_name = "FILE")]
    pub ignore_file: Option<PathBuf>,
    /// Where the config, ignore file and baseline are read: `base` (the range's base revision;
    /// the default with --range/--since-commit, so a change cannot configure its own scan) or
    /// `worktree` (the default otherwise).
    #[arg(long, value_enum, value_name = "SOURCE")]
    pub config_source: Option<ConfigSource>,
    /// Print nothing but the report (no per-file error lines on stderr).
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Do not open archives (zip, jar, war, whl, nupkg, apk, tar, gz, bz2, xz): skip them as binary.
    #[arg(long)]
    pub no_archives: bool,
    /// How deep base64, hex and escaped content is decoded and rescanned (0: never).
    #[arg(long, value_name = "N", default_value_t = crate::matching::MAX_DECODE_DEPTH)]
    pub max_decode_depth: u8,
}

/// `leakless scan`.
#[derive(Debug, clap::Args)]
pub struct ScanArgs {
    /// What to scan.
    #[command(flatten)]
    pub source: SourceArgs,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the report to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Show secrets in full in the report (they are redacted by default).
    #[arg(long)]
    pub no_redact: bool,
    /// Report only findings that are not in this baseline (`leakless baseline create`).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Report only findings of at least this confidence (high: provider format or checksum;
    /// medium: provider name next to the value; low: generic).
    #[arg(long, value_enum, value_name = "LEVEL", default_value_t = MinConfidence::Low)]
    pub min_confidence: MinConfidence,
    /// List ignore-file and baseline entries that match nothing any more.
    #[arg(long)]
    pub report_stale: bool,
    /// Exit 2 when any file could not be scanned, even if the rest was clean.
    #[arg(long)]
    pub strict: bool,
    /// List skipped files (and, for git scans, the blob counts).
    #[arg(long, short = 'v')]
    pub verbose: bool,
    /// Colour.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Validation of the findings (`--validate`, off by default).
    #[command(flatten)]
    pub validation: ValidateArgs,
}

/// `--validate` and its options (see README, "Validation").
#[derive(Debug, Clone, clap::Args)]
pub struct ValidateArgs {
    /// Ask each finding's provider whether the secret is live (network: see README and
    /// SECURITY.md for what is sent where). Off by default.
    #[arg(long)]
    pub validate: bool,
    /// With --validate: report only live findings.
    #[arg(long, requires = "validate")]
    pub only_live: bool,
    /// With --validate: what fails the run (exit 1): `any` finding (default) or only a `live` one.
    #[arg(long, value_enum, value_name = "WHAT", requires = "validate")]
    pub fail_on: Option<FailOn>,
    /// With --validate: keep verdicts in FILE for a day (it holds hashes, no secret).
    #[arg(long, value_name = "FILE", requires = "validate")]
    pub validation_cache: Option<PathBuf>,
    /// Where and how validators run.
    #[command(flatten)]
    pub settings: ValidationSettings,
}

/// Validation settings shared by `scan --validate` and `leakless validate`.
#[derive(Debug, Clone, clap::Args)]
pub struct ValidationSettings {
    /// Also run validators defined in config files (a repository's own `.leakless.toml`),
    /// which may send secrets to hosts they name.
    #[arg(long)]
    pub trust_config_validators: bool,
    /// Time limit of the whole validation, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    pub validation_timeout: u64,
    /// Vault/OpenBao address for Vault tokens and AppRole ids (default `VAULT_ADDR`, then
    /// `BAO_ADDR`; never read from scanned files).
    #[arg(long, value_name = "URL")]
    pub vault_addr: Option<String>,
    /// Infisical API for machine identities (default `INFISICAL_API_URL`, else Infisical Cloud).
    #[arg(long, value_name = "URL")]
    pub infisical_url: Option<String>,
}

/// `--fail-on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Only a live finding fails the run.
    Live,
    /// Any finding fails the run.
    Any,
}

impl ValidationSettings {
    /// The engine's options.
    pub fn options(&self) -> crate::validate::Options {
        let mut o = crate::validate::Options::from_env(self.vault_addr.clone(), self.infisical_url.clone());
        o.trust_config = self.trust_config_validators;
        o.timeout = std::time::Duration::from_secs(self.validation_timeout.max(1));
        o
    }
}

impl ValidateArgs {
    /// The engine's options.
    pub fn options(&self) -> crate::validate::Options {
        let mut o = self.settings.options();
        o.cache = self.validation_cache.clone();
        o
    }
}

/// `--min-confidence`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MinConfidence {
    /// Everything.
    Low,
    /// Provider-context and provider-format findings.
    Medium,
    /// Provider-format and checksum findings only.
    High,
}

impl MinConfidence {
    /// The least confidence reported.
    pub fn level(self) -> crate::rules::Confidence {
        match self {
            Self::Low => crate::rules::Confidence::Low,
            Self::Medium => crate::rules::Confidence::Medium,
            Self::High => crate::rules::Confidence::High,
        }
    }
}

/// `leakless baseline ...`.
#[derive(Debug, Subcommand)]
pub enum BaselineCommand {
    /// Write a baseline of the current findings (refuses to overwrite without --force).
    Create(BaselineArgs),
    /// Rewrite the baseline from the current findings, dropping fixed ones and adding new ones.
    Update(BaselineArgs),
    /// Convert a gitleaks JSON report into a hashed leakless baseline (so the plaintext report
    /// can be deleted). Entries whose secret the report redacted are found again by scanning
    /// PATH (with --history for reports of git scans).
    Import(ImportArgs),
}

/// Options of `baseline import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The gitleaks JSON report.
    pub report: PathBuf,
    /// What to scan for redacted entries.
    #[command(flatten)]
    pub source: SourceArgs,
    /// Baseline file to write.
    #[arg(
        long,
        short = 'o',
        value_name = "FILE",
        default_value = ".leakless-baseline.json"
    )]
    pub output: PathBuf,
    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
}

/// Options of `baseline create|update`.
#[derive(Debug, clap::Args)]
pub struct BaselineArgs {
    /// What to scan.
    #[command(flatten)]
    pub source: SourceArgs,
    /// Baseline file.
    #[arg(
        long,
        short = 'o',
        value_name = "FILE",
        default_value = ".leakless-baseline.json"
    )]
    pub output: PathBuf,
    /// `create`: overwrite an existing file.
    #[arg(long)]
    pub force: bool,
}

/// `leakless rules ...`.
#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List the rules in use.
    List {
        /// Rules.
        #[command(flatten)]
        rules: RuleArgs,
        /// Output format.
        #[arg(long, short = 'f', value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Only rules of these providers (`aws`, `slack`, ...; repeatable).
        #[arg(long, value_name = "PROVIDER")]
        provider: Vec<String>,
        /// Only rules of these categories: the pack a rule comes from (`cloud`, `cicd`, `ai`,
        /// `credentials`, ...; a user file's name without `.toml`; repeatable).
        #[arg(long, value_name = "CATEGORY")]
        category: Vec<String>,
        /// Only rules with a validator (`--validate`), with where each sends the secret.
        #[arg(long)]
        validators: bool,
    },
    /// Check rules: every example must match its rule and no negative example may.
    Check {
        /// Rule files to check on their own (default: the built-in rules).
        files: Vec<PathBuf>,
    },
}

/// Parses `123`, `64K`, `10M`, `1G` (binary units; `KiB`/`MB` spellings accepted).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let digits_end = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(digits_end);
    let n: u64 = num.parse().map_err(|_| format!("invalid size '{s}'"))?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        _ => return Err(format!("invalid size unit in '{s}' (use K, M or G)")),
    };
    n.checked_mul(mult)
        .ok_or_else(|| format!("size '{s}' is too large"))
}

#[cfg(test)]
mod tests {
    /// clap's own consistency checks (unique ids across the flattened store options...).
    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory;
        super::Args::command().debug_assert();
    }

    use super::parse_size;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("10M"), Ok(10 << 20));
        assert_eq!(parse_size("512k"), Ok(512 << 10));
        assert_eq!(parse_size("42"), Ok(42));
        assert!(parse_size("ten").is_err());
        assert!(parse_size("5T").is_err());
    }
}

/// `leakless migrate`.
#[derive(Debug, clap::Args)]
pub struct MigrateArgs {
    /// A directory inside the git working tree to migrate (the whole tree is planned; use
    /// --scope to limit it).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// The secrets store: `dotenv` (untracked .env.local files, no server), `vault` (Vault /
    /// OpenBao KV v2), `infisical`, `aws` (Secrets Manager), `gcp` (Secret Manager).
    #[arg(long, value_enum, default_value_t = crate::migrate::store::StoreKind::Dotenv)]
    pub to: crate::migrate::store::StoreKind,
    /// Execute the plan: write to the store, verify, rewrite the files. Without it nothing is
    /// written and the store is not contacted.
    #[arg(long)]
    pub apply: bool,
    /// With a dry run: read (never write) each planned location in the store and show what is
    /// there now (absent, same value, different value).
    #[arg(long)]
    pub check_store: bool,
    /// Replace a different value already in the store (default: report a conflict and leave
    /// that secret's files alone).
    #[arg(long)]
    pub overwrite: bool,
    /// After every secret of an untracked dotenv file is verified in a remote store, delete its
    /// plaintext working copy (`.env.dev`...); without it the report lists them as leftovers.
    #[arg(long, requires = "apply")]
    pub remove_local: bool,
    /// Only migrate secrets in these files or directories (repeatable).
    #[arg(long, value_name = "PATH")]
    pub scope: Vec<PathBuf>,
    /// Migrate the findings of this JSON report (`leakless scan --format json`) instead of
    /// all findings; they are re-found in the working tree by fingerprint, so a redacted
    /// report works.
    #[arg(long, value_name = "FILE")]
    pub from_report: Option<PathBuf>,
    /// `{project}` in the store path template (default: the repository's directory name).
    #[arg(long)]
    pub project: Option<String>,
    /// The environment (`{env}`; Infisical's environment slug) instead of inferring it per file
    /// from `.env.production`, `values-prod.yaml`, `deploy/staging/`... (default `dev`).
    #[arg(long)]
    pub env: Option<String>,
    /// Store path template with `{project}`, `{env}`, `{dir}`, `{file}` (default:
    /// `{project}/{env}` for vault and aws, the root folder for infisical, `{dir}` for dotenv).
    #[arg(long, value_name = "TEMPLATE")]
    pub path_template: Option<String>,
    /// What a secret in any config file (YAML, JSON, TOML, properties...) becomes; `{KEY}` is
    /// the key name. Default: a reference only where the file's loader expands environment
    /// variables (docker compose, Spring `application*.yml|properties`, serverless.yml...),
    /// else a manual step.
    #[arg(long, env = "LEAKLESS_REF_TEMPLATE", value_name = "TEMPLATE")]
    pub ref_template: Option<String>,
    /// The example file written beside a migrated dotenv file (keys, empty secret values).
    #[arg(long, value_name = "NAME", default_value = crate::migrate::plan::DEFAULT_EXAMPLE_FILE)]
    pub example_file: String,
    /// Also write the migration report as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = MigrateFormat::Text)]
    pub format: MigrateFormat,
    /// Rules.
    #[command(flatten)]
    pub rules: RuleArgs,
    /// Store options.
    #[command(flatten)]
    pub store: crate::migrate::store::StoreArgs,
    /// Kubernetes `Secret` manifests.
    #[command(flatten)]
    pub k8s: crate::migrate::k8s::K8sArgs,
}

/// `leakless migrate --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MigrateFormat {
    /// For people.
    Text,
    /// The JSON migration report.
    Json,
}

/// `leakless report`.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct ReportArgs {
    /// `merge`.
    #[command(subcommand)]
    pub command: Option<ReportCommand>,
    /// Rendering.
    #[command(flatten)]
    pub render: RenderArgs,
}

/// `leakless report merge`.
#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Merge the JSON reports of several repositories into one JSON report: each location keeps
    /// its repository (named after its report file), a secret found in several repositories is
    /// one finding, errors and stale entries are kept.
    Merge(MergeArgs),
}

/// Options of `report` (rendering).
#[derive(Debug, clap::Args)]
pub struct RenderArgs {
    /// Saved reports (`scan --format json` or `jsonl`, or a merged report).
    #[arg(value_name = "REPORT", required = true)]
    pub reports: Vec<PathBuf>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the report to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Show secrets in full, when the saved report has them (it was made with --no-redact).
    #[arg(long)]
    pub no_redact: bool,
    /// List skipped files (text).
    #[arg(long, short = 'v')]
    pub verbose: bool,
    /// List stale ignore-file and baseline entries (text).
    #[arg(long)]
    pub report_stale: bool,
    /// Colour (text).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Markdown: the most bytes written (GitHub: 1M for a job summary, 64K for a comment).
    #[arg(long, value_name = "SIZE", default_value = "1M", value_parser = parse_size)]
    pub markdown_limit: u64,
    /// HTML: leave committer names out (the top-committers list and the table's author).
    #[arg(long)]
    pub hide_committers: bool,
    /// HTML: a `leakless migrate --report` JSON file; each finding shows moved / manual / left
    /// and the overview the migration's progress.
    #[arg(long, value_name = "FILE")]
    pub migration: Option<PathBuf>,
}

/// Options of `report merge`.
#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// The JSON reports, one per repository (the file name without `.json` names it). A
    /// `NAME.error` file, as `audit` writes for a repository that failed, becomes a failed
    /// repository with the reason on its first line (unless `NAME.json` is given too).
    #[arg(value_name = "REPORT", required = true)]
    pub reports: Vec<PathBuf>,
    /// Write the merged report to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// A report that cannot be read becomes a failed repository in the merged report instead
    /// of an error.
    #[arg(long)]
    pub keep_going: bool,
}

/// `leakless audit`.
#[derive(Debug, clap::Args)]
pub struct AuditArgs {
    /// The repositories: one local path or clone URL per line (`#` comments; relative paths are
    /// relative to the file).
    #[arg(long, value_name = "FILE")]
    pub repos: PathBuf,
    /// Output directory: `repos/<name>.json` per repository, `clones/`, `audit.json`,
    /// `audit.html`.
    #[arg(long, short = 'o', value_name = "DIR", default_value = "leakless-audit")]
    pub out: PathBuf,
    /// Repositories scanned at once (each by its own `scan --history` process).
    #[arg(long, short = 'J', value_name = "N", default_value_t = 2)]
    pub jobs: usize,
    /// Threads of each repository's scan (0: one per core).
    #[arg(long, short = 'j', default_value_t = 1)]
    pub threads: usize,
    /// Scan only shard INDEX of COUNT (0-based; every COUNT-th repository from INDEX), for
    /// job engines; writes only the per-repository reports (merge them with `report merge`).
    #[arg(long, value_name = "INDEX/COUNT", value_parser = crate::audit::parse_shard)]
    pub shard: Option<(usize, usize)>,
    /// Scan every repository again, even those with a report from an earlier run.
    #[arg(long)]
    pub rescan: bool,
    /// Leave committer names out of the HTML report.
    #[arg(long)]
    pub hide_committers: bool,
    /// Keep each repository's clean blob ids and per-commit introductions in DIR
    /// (`<name>.json`) so a re-audit diffs only new commits and, with the same rules, scans only
    /// new blobs.
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,
    /// Skip files larger than this (bytes, or with a K/M/G suffix).
    #[arg(long, value_name = "SIZE", default_value = "10M", value_parser = parse_size)]
    pub max_file_size: u64,
    /// No progress lines on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Rules.
    #[command(flatten)]
    pub rules: RuleArgs,
}
