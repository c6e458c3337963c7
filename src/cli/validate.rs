//! `leakless validate` (one secret) and the `--validate` step of `scan`.

use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};

use super::output::Output;
use super::run::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};
use super::{FailOn, RuleArgs, ValidateArgs, ValidationSettings};
use crate::findings::{Finding, Secret, ValidationStatus};
use crate::report::{escape, Format};
use crate::rules::{Rule, RuleSet};

/// `leakless validate --rule ID SECRET [--component NAME=VALUE...]`.
#[derive(Debug, clap::Args)]
pub struct ValidateCmd {
    /// The rule whose validator to use (`leakless rules list --validators`).
    #[arg(long, value_name = "ID")]
    pub rule: String,
    /// The secret, or `-` to read it from standard input (keeps it out of the process list and
    /// shell history; one trailing newline is dropped).
    pub secret: String,
    /// A component the validator needs besides the secret, as NAME=VALUE (`client_id=...`,
    /// `role_id=...`, `access_key_id=...`) or RULE=VALUE with the rule id it is taken from.
    #[arg(long, value_name = "NAME=VALUE")]
    pub component: Vec<String>,
    /// Output format: `text` or `json`.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Rules.
    #[command(flatten)]
    pub rules: RuleArgs,
    /// Validation settings.
    #[command(flatten)]
    pub validation: ValidationSettings,
}

/// Runs `leakless validate`: exit 0 live, 1 dead or unknown, 2 error.
pub fn run(a: &ValidateCmd) -> Result<ExitCode> {
    let rules = super::config::load_rules(&a.rules, Some(std::path::Path::new(".")), false, true)?;
    let rule = rules
        .rules()
        .iter()
        .find(|r| r.id == a.rule || r.aliases.contains(&a.rule))
        .with_context(|| {
            format!(
                "no rule '{}' (see `leakless rules list --validators`)",
                escape(&a.rule)
            )
        })?;
    let secret = if a.secret == "-" {
        let mut buf = Vec::new();
        io::stdin().lock().take(1 << 20).read_to_end(&mut buf)?;
        if buf.ends_with(b"\n") {
            buf.pop();
            if buf.ends_with(b"\r") {
                buf.pop();
            }
        }
        buf
    } else {
        a.secret.as_bytes().to_vec()
    };
    if secret.is_empty() {
        bail!("the secret is empty");
    }
    let secret = Secret::new(secret);
    let mut comps = BTreeMap::new();
    for c in &a.component {
        let (k, v) = c
            .split_once('=')
            .with_context(|| "--component takes NAME=VALUE".to_string())?;
        comps.insert(k.to_string(), Secret::new(v.as_bytes().to_vec()));
    }
    let v = crate::validate::validate_one(rule, &secret, &comps, &a.validation.options())?;
    let mut out = Output::open(None, false)?;
    match a.format {
        Format::Json => {
            serde_json::to_writer_pretty(
                &mut out,
                &serde_json::json!({"rule_id": rule.id, "secret_preview": secret.preview(), "validation": v}),
            )?;
            writeln!(out)?;
        }
        _ => writeln!(
            out,
            "{}: {} ({}) at {}",
            escape(&rule.id),
            v.status.as_str(),
            escape(&v.detail),
            v.checked_at
        )?,
    }
    out.finish()?;
    Ok(ExitCode::from(match v.status {
        ValidationStatus::Live => EXIT_CLEAN,
        ValidationStatus::Dead | ValidationStatus::Unknown => EXIT_FINDINGS,
        ValidationStatus::Error => EXIT_ERROR,
    }))
}

/// The `--validate` step of a scan: sets each finding's verdict, then keeps only live ones with
/// `--only-live`. One summary line on stderr unless `quiet`.
pub(super) fn findings(
    found: &mut Vec<Finding>,
    rules: &RuleSet,
    a: &ValidateArgs,
    quiet: bool,
) -> Result<()> {
    let s = crate::validate::validate_findings(found, rules, &a.options())?;
    if !quiet {
        let counts: Vec<String> = s
            .by_status
            .iter()
            .map(|(k, n)| format!("{n} {}", k.as_str()))
            .collect();
        writeln!(
            io::stderr().lock(),
            "leakless: validated {} findings: {} ({} checks, {} from the cache, {} requests)",
            s.findings,
            if counts.is_empty() {
                "none".to_string()
            } else {
                counts.join(", ")
            },
            s.checks,
            s.cached,
            s.requests
        )?;
    }
    if a.only_live {
        found.retain(|f| {
            f.validation
                .as_ref()
                .is_some_and(|v| v.status == ValidationStatus::Live)
        });
    }
    Ok(())
}

/// Whether the findings left fail the run: any finding, or with `--fail-on live` a live one.
pub(super) fn fails(found: &[Finding], a: &ValidateArgs) -> bool {
    match a.fail_on {
        Some(FailOn::Live) => found.iter().any(|f| {
            f.validation
                .as_ref()
                .is_some_and(|v| v.status == ValidationStatus::Live)
        }),
        Some(FailOn::Any) | None => !found.is_empty(),
    }
}

/// Where a rule's validator sends the secret, in one line.
fn destination(r: &Rule) -> String {
    let Some(v) = &r.validate else {
        return String::new();
    };
    let origin = if v.builtin {
        ""
    } else {
        " (config: needs --trust-config-validators)"
    };
    let dest = match v.kind.as_deref().unwrap_or("http") {
        "vault-token" => "GET $VAULT_ADDR/v1/auth/token/lookup-self".to_string(),
        "vault-approle" => "POST $VAULT_ADDR/v1/auth/approle/login".to_string(),
        "infisical-universal-auth" => "POST $INFISICAL_API_URL/api/v1/auth/universal-auth/login".to_string(),
        "aws-sts" => {
            "POST https://sts.amazonaws.com/ (STS GetCallerIdentity; or $AWS_ENDPOINT_URL_STS)".to_string()
        }
        _ => format!(
            "{} {}",
            v.method.as_deref().unwrap_or("GET"),
            v.url.as_deref().unwrap_or_default()
        ),
    };
    format!("{dest}{origin}")
}

/// `rules list --validators`.
pub(super) fn list(listed: &[&Rule], format: Format) -> Result<ExitCode> {
    let mut out = Output::open(None, false)?;
    let mut providers: Vec<&str> = listed.iter().filter_map(|r| r.provider.as_deref()).collect();
    providers.sort_unstable();
    providers.dedup();
    match format {
        Format::Text => {
            for r in listed {
                writeln!(
                    out,
                    "{:<48} {:<16} {}",
                    r.id,
                    r.provider.as_deref().unwrap_or("-"),
                    escape(&destination(r))
                )?;
            }
            writeln!(
                out,
                "{} rules with validators, {} providers",
                listed.len(),
                providers.len()
            )?;
        }
        _ => {
            let list: Vec<serde_json::Value> = listed
                .iter()
                .map(|r| {
                    let v = r.validate.as_deref();
                    serde_json::json!({
                        "id": r.id,
                        "provider": r.provider,
                        "kind": v.and_then(|v| v.kind.as_deref()).unwrap_or("http"),
                        "sends_to": destination(r),
                        "components": v.map(|v| v.components.keys().collect::<Vec<_>>()),
                        "builtin": v.is_some_and(|v| v.builtin),
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &list)?;
            writeln!(out)?;
        }
    }
    out.finish()?;
    Ok(ExitCode::from(EXIT_CLEAN))
}
