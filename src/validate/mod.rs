//! Validation (`--validate`, `leakless validate`): asking each secret's provider whether it is
//! live, so the findings that matter are fixed first.
//!
//! Why it is its own module: it is the only part of a scan that talks to the network, and only
//! when asked. Validators are data where possible (`[rules.validate]` in the rule packs, the
//! `template` submodule) and code where a protocol needs it (`coded`: Vault/OpenBao, Infisical,
//! AWS STS). Safety rules live here: a built-in rule's secret goes only to the HTTPS host the rule
//! names; a repository's own validators run only with `--trust-config-validators`; self-hosted
//! addresses come only from [`Options`] (environment, command line); each distinct check is sent
//! once per run (and, with a cache file, once per day), under per-host limits and a global
//! deadline (`sched`). A network failure is `error`, never `dead`.

mod cache;
mod coded;
pub(crate) mod http;
mod sched;
mod template;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::findings::{Finding, Secret, Validation, ValidationStatus};
use crate::rules::syntax::ValidateSpec;
use crate::rules::{Rule, RuleSet};

pub use cache::Cache;

/// Why validation could not run at all (a single check's failure is an `error` verdict).
#[derive(Debug, Error)]
pub enum ValidateError {
    /// A setting is unusable (proxy URL, test-only CA).
    #[error("validation: {0}")]
    Config(String),
    /// The cache file could not be read or written.
    #[error("{path}: validation cache: {message}")]
    Cache {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
}

/// Where and how to validate.
#[derive(Debug, Clone)]
pub struct Options {
    /// Run validators from config files other than the built-in packs.
    pub trust_config: bool,
    /// The whole run's time limit.
    pub timeout: Duration,
    /// One request's time limit.
    pub request_timeout: Duration,
    /// Concurrent requests to one host.
    pub per_host: usize,
    /// Least time between two requests to one host.
    pub interval: Duration,
    /// Worker threads.
    pub threads: usize,
    /// Vault/OpenBao address (`--vault-addr`, `VAULT_ADDR`, `BAO_ADDR`).
    pub vault_addr: Option<String>,
    /// Vault namespace (`VAULT_NAMESPACE`, `BAO_NAMESPACE`).
    pub vault_namespace: Option<String>,
    /// Infisical API (`--infisical-url`, `INFISICAL_API_URL`, default Infisical Cloud).
    pub infisical_url: String,
    /// STS endpoint (`AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL`, default the global endpoint).
    pub aws_sts_endpoint: String,
    /// SigV4 region for STS (`AWS_REGION`, `AWS_DEFAULT_REGION`, default `us-east-1`).
    pub aws_region: String,
    /// The cache file (`--validation-cache`).
    pub cache: Option<PathBuf>,
}

/// The default Infisical API (Infisical Cloud, US).
pub const INFISICAL_CLOUD: &str = "https://app.infisical.com";

impl Options {
    /// Defaults, with the addresses from the environment (`vault_addr` and `infisical_url`
    /// given on the command line win).
    pub fn from_env(vault_addr: Option<String>, infisical_url: Option<String>) -> Self {
        let env = |names: &[&str]| {
            names
                .iter()
                .find_map(|n| std::env::var(n).ok().filter(|v| !v.trim().is_empty()))
        };
        Self {
            trust_config: false,
            timeout: Duration::from_secs(60),
            request_timeout: Duration::from_secs(10),
            per_host: 4,
            interval: Duration::from_millis(50),
            threads: 16,
            vault_addr: vault_addr.or_else(|| env(&["VAULT_ADDR", "BAO_ADDR"])),
            vault_namespace: env(&["VAULT_NAMESPACE", "BAO_NAMESPACE"]),
            infisical_url: infisical_url
                .or_else(|| env(&["INFISICAL_API_URL"]))
                .unwrap_or_else(|| INFISICAL_CLOUD.to_string()),
            aws_sts_endpoint: env(&["AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL"])
                .unwrap_or_else(|| "https://sts.amazonaws.com".to_string()),
            aws_region: env(&["AWS_REGION", "AWS_DEFAULT_REGION"]).unwrap_or_else(|| "us-east-1".to_string()),
            cache: None,
        }
    }
}

/// Counters of one run.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Findings given a verdict.
    pub findings: usize,
    /// Distinct checks (findings with the same secret and validator share one).
    pub checks: usize,
    /// Checks answered from the cache file.
    pub cached: usize,
    /// HTTP requests sent (retries after 429 included).
    pub requests: usize,
    /// Verdicts by status.
    pub by_status: BTreeMap<ValidationStatus, usize>,
}

/// `YYYY-MM-DDTHH:MM:SSZ` for `t`.
pub fn rfc3339(t: SystemTime) -> String {
    let d = crate::migrate::store::aws::sigv4::amz_date(t);
    format!(
        "{}-{}-{}T{}:{}:{}Z",
        &d[0..4],
        &d[4..6],
        &d[6..8],
        &d[9..11],
        &d[11..13],
        &d[13..15]
    )
}

/// The validator of a rule, or why there is none to run.
enum Resolved<'r> {
    Data(&'r Arc<ValidateSpec>),
    Coded(coded::Kind),
}

fn resolve<'r>(rule: &'r Rule, opts: &Options) -> Result<(&'r Arc<ValidateSpec>, Resolved<'r>), String> {
    let spec = rule.validate.as_ref().ok_or("no validator for this rule")?;
    if !spec.builtin && !opts.trust_config {
        return Err(format!(
            "the validator comes from {} and was not run (pass --trust-config-validators to run it)",
            rule.source
        ));
    }
    let kind = spec.kind.as_deref().unwrap_or("http");
    Ok(match coded::Kind::parse(kind) {
        Some(k) => (spec, Resolved::Coded(k)),
        None => (spec, Resolved::Data(spec)),
    })
}

/// The components a finding's validator needs, found with it: `paired` (the id paired with
/// the secret) or `rule:ID` (the secret of a finding of that rule in one of its files, the
/// nearest line first).
fn components(
    spec: &ValidateSpec,
    needs: &[&str],
    i: usize,
    findings: &[Finding],
    rules: &RuleSet,
) -> Result<BTreeMap<String, Secret>, String> {
    let f = &findings[i];
    let mut out = BTreeMap::new();
    let mut names: Vec<&str> = spec.components.keys().map(String::as_str).collect();
    for n in needs {
        if !names.contains(n) {
            names.push(n);
        }
    }
    for name in names {
        let from = spec.components.get(name).map_or("paired", String::as_str);
        let mut found = None;
        for alt in from.split('|') {
            if alt == "paired" {
                found = f.paired_with.as_ref().map(|p| p.value.clone());
            } else if let Some(id) = alt.strip_prefix("rule:") {
                found = nearest(f, id, findings, rules);
            }
            if found.is_some() {
                break;
            }
        }
        let v = found.ok_or_else(|| format!("needs its {name}, which was not found with it"))?;
        out.insert(name.to_string(), v);
    }
    Ok(out)
}

fn nearest(f: &Finding, rule_id: &str, findings: &[Finding], rules: &RuleSet) -> Option<Secret> {
    let mut best: Option<(usize, &Finding)> = None;
    for g in findings.iter().filter(|g| g.rule(rules).id == rule_id) {
        for l in &f.locations {
            for m in g.locations.iter().filter(|m| m.path == l.path) {
                let d = l.line.abs_diff(m.line);
                if best.is_none_or(|(bd, _)| d < bd) {
                    best = Some((d, g));
                }
            }
        }
    }
    best.map(|(_, g)| g.secret.clone())
}

/// The identity of one check: validator, destination, secret and components, hashed (what the
/// cache stores; it holds no secret).
fn cache_key(validator: &str, host: &str, secret: &Secret, comps: &BTreeMap<String, Secret>) -> String {
    let mut h = Sha256::new();
    h.update(b"leakless/validate/v1\0");
    h.update(validator.as_bytes());
    h.update(b"\0");
    h.update(host.as_bytes());
    h.update(b"\0");
    h.update(secret.expose());
    for (k, v) in comps {
        h.update(b"\0");
        h.update(k.as_bytes());
        h.update(b"=");
        h.update(v.expose());
    }
    h.finalize()[..16].iter().map(|b| format!("{b:02x}")).collect()
}

struct DataJudge(Arc<ValidateSpec>);

impl sched::Judge for DataJudge {
    fn judge(&self, resp: &http::Response) -> (ValidationStatus, String) {
        template::judge(&self.0, resp)
    }
    fn follow_up(&self, _: &http::Response) -> Option<http::Request> {
        None
    }
}

struct CodedJudge<'o>(coded::Kind, &'o Options);

impl sched::Judge for CodedJudge<'_> {
    fn judge(&self, resp: &http::Response) -> (ValidationStatus, String) {
        coded::judge(self.0, resp)
    }
    fn follow_up(&self, resp: &http::Response) -> Option<http::Request> {
        coded::follow_up(self.0, resp, self.1)
    }
}

/// One check to run, or its verdict right away.
fn plan<'o>(
    rule: &Rule,
    secret: &Secret,
    comps: impl FnOnce(&ValidateSpec, &[&str]) -> Result<BTreeMap<String, Secret>, String>,
    opts: &'o Options,
) -> Result<sched::Job<'o>, (ValidationStatus, String)> {
    let unknown = |m: String| (ValidationStatus::Unknown, m);
    let (spec, resolved) = resolve(rule, opts).map_err(unknown)?;
    let needs = match &resolved {
        Resolved::Coded(k) => k.needs(),
        Resolved::Data(_) => &[],
    };
    let comps = comps(spec, needs).map_err(unknown)?;
    let (request, judge, validator): (_, Box<dyn sched::Judge>, String) = match resolved {
        Resolved::Data(s) => (
            template::request(s, secret, &comps).map_err(unknown)?,
            Box::new(DataJudge(Arc::clone(s))),
            format!("rule:{}", rule.id),
        ),
        Resolved::Coded(k) => (
            coded::request(k, secret, &comps, opts).map_err(unknown)?,
            Box::new(CodedJudge(k, opts)),
            format!("{k:?}"),
        ),
    };
    let key = cache_key(&validator, request.host(), secret, &comps);
    Ok(sched::Job { key, request, judge })
}

/// Validates every finding in place (`finding.validation` is set on each).
pub fn validate_findings(
    findings: &mut [Finding],
    rules: &RuleSet,
    opts: &Options,
) -> Result<Summary, ValidateError> {
    let start = Instant::now();
    let now = rfc3339(SystemTime::now());
    let mut cache = opts.cache.as_deref().map(Cache::load).transpose()?;
    let mut verdicts: Vec<Option<(ValidationStatus, String)>> = vec![None; findings.len()];
    let mut by_key: HashMap<String, Vec<usize>> = HashMap::new();
    let mut jobs = Vec::new();
    let mut summary = Summary {
        findings: findings.len(),
        ..Summary::default()
    };
    for i in 0..findings.len() {
        let f = &findings[i];
        let rule = f.rule(rules);
        let comps = |spec: &ValidateSpec, needs: &[&str]| components(spec, needs, i, findings, rules);
        match plan(rule, &f.secret, comps, opts) {
            Err(v) => verdicts[i] = Some(v),
            Ok(job) => {
                if let Some(hit) = cache.as_ref().and_then(|c| c.get(&job.key)) {
                    summary.cached += 1;
                    verdicts[i] = Some((
                        hit.status,
                        format!("{} (cached, checked {})", hit.detail, hit.checked_at),
                    ));
                    continue;
                }
                let first = !by_key.contains_key(&job.key);
                by_key.entry(job.key.clone()).or_default().push(i);
                if first {
                    jobs.push(job);
                }
            }
        }
    }
    summary.checks = jobs.len() + summary.cached;
    if !jobs.is_empty() {
        let client = http::Client::new()?;
        let limits = sched::Limits {
            threads: opts.threads,
            per_host: opts.per_host.max(1),
            interval: opts.interval,
            request_timeout: opts.request_timeout,
            deadline: start + opts.timeout,
            max_retries: 3,
        };
        let out = sched::run(jobs, &client, &limits);
        summary.requests = out.sent;
        for (key, status, detail) in out.results {
            if let Some(c) = cache.as_mut() {
                c.put(&key, status, &detail, &now);
            }
            for &i in by_key.get(&key).map_or(&[][..], Vec::as_slice) {
                verdicts[i] = Some((status, detail.clone()));
            }
        }
    }
    for (f, v) in findings.iter_mut().zip(verdicts) {
        let (status, detail) = v.unwrap_or((ValidationStatus::Unknown, "not checked".into()));
        *summary.by_status.entry(status).or_default() += 1;
        f.validation = Some(Validation {
            status,
            checked_at: now.clone(),
            detail,
        });
    }
    if let (Some(c), Some(path)) = (cache, opts.cache.as_deref()) {
        c.save(path)?;
    }
    Ok(summary)
}

/// Validates one secret of `rule` with the components given (`leakless validate`).
pub fn validate_one(
    rule: &Rule,
    secret: &Secret,
    given: &BTreeMap<String, Secret>,
    opts: &Options,
) -> Result<Validation, ValidateError> {
    let now = rfc3339(SystemTime::now());
    let comps = |spec: &ValidateSpec, needs: &[&str]| {
        let mut out = BTreeMap::new();
        let mut names: Vec<&str> = spec.components.keys().map(String::as_str).collect();
        names.extend(needs.iter().filter(|n| !spec.components.contains_key(**n)));
        for n in names {
            // `--component NAME=VALUE`, or the rule id the component is taken from.
            let from_rule = spec.components.get(n).and_then(|from| {
                from.split('|')
                    .filter_map(|a| a.strip_prefix("rule:"))
                    .find_map(|id| given.get(id))
            });
            let v = given
                .get(n)
                .or(from_rule)
                .ok_or_else(|| format!("needs --component {n}=VALUE"))?;
            out.insert(n.to_string(), v.clone());
        }
        Ok(out)
    };
    let (status, detail) = match plan(rule, secret, comps, opts) {
        Err(v) => v,
        Ok(job) => {
            let client = http::Client::new()?;
            let limits = sched::Limits {
                threads: 1,
                per_host: 1,
                interval: Duration::ZERO,
                request_timeout: opts.request_timeout,
                deadline: Instant::now() + opts.timeout,
                max_retries: 3,
            };
            let out = sched::run(vec![job], &client, &limits);
            let (_, s, d) = out.results.into_iter().next().unwrap_or((
                String::new(),
                ValidationStatus::Error,
                "not checked".into(),
            ));
            (s, d)
        }
    };
    Ok(Validation {
        status,
        checked_at: now,
        detail,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn rfc3339_format() {
        let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
        assert_eq!(super::rfc3339(t), "2023-11-14T22:13:20Z");
    }
}
