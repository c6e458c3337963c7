//! "How your app gets it now": after a migration the values are no longer where the
//! application used to load them, so the report names, for each way of running the code that
//! the repository shows (docker compose with `env_file`, ECS task definitions, Lambda/SAM,
//! Kubernetes manifests, GitHub Actions workflows), the one change that feeds it from the store —
//! and always the store-independent `leakless run`.
//!
//! Detection reads only tracked file names and, for a few candidates, looks for a marker string;
//! nothing here is printed from file contents but fixed text and the user's own key names.

use std::collections::BTreeSet;
use std::path::Path;

use super::report::SecretEntry;
use super::store::StoreKind;

/// A way of running the application found in the repository.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stack {
    /// A docker compose file that loads an `env_file`.
    ComposeEnvFile(String),
    /// An ECS task definition (`containerDefinitions`).
    Ecs(String),
    /// A Lambda function (SAM/CloudFormation `AWS::Serverless::Function`/`AWS::Lambda::Function`,
    /// or `serverless.yml`).
    Lambda(String),
    /// Kubernetes manifests (`apiVersion:` + `kind:`).
    Kubernetes(String),
    /// GitHub Actions workflows.
    GithubActions(String),
}

const MAX_READ: u64 = 1 << 20;

fn contains(root: &Path, rel: &str, needles: &[&str]) -> bool {
    let path = root.join(rel);
    match std::fs::symlink_metadata(&path) {
        Ok(m) if m.is_file() && m.len() <= MAX_READ => {}
        _ => return false,
    }
    std::fs::read(&path).is_ok_and(|b| {
        let text = String::from_utf8_lossy(&b);
        needles.iter().all(|n| text.contains(n))
    })
}

/// The stacks the tracked files show (one entry per kind, naming the first file found).
pub fn detect(root: &Path, tracked: &BTreeSet<String>) -> Vec<Stack> {
    let mut found: Vec<Stack> = Vec::new();
    let mut seen = BTreeSet::new();
    let mut push = |kind: &'static str, s: Stack| {
        if seen.insert(kind) {
            found.push(s);
        }
    };
    for rel in tracked {
        let name = rel.rsplit('/').next().unwrap_or(rel).to_ascii_lowercase();
        let yaml = name.ends_with(".yml") || name.ends_with(".yaml");
        let json = name.ends_with(".json");
        if yaml && (name.starts_with("compose") || name.starts_with("docker-compose")) {
            if contains(root, rel, &["env_file"]) {
                push("compose", Stack::ComposeEnvFile(rel.clone()));
            }
        } else if yaml && rel.starts_with(".github/workflows/") {
            push("gha", Stack::GithubActions(rel.clone()));
        } else if name == "serverless.yml"
            || name == "serverless.yaml"
            || ((yaml || json) && contains(root, rel, &["AWS::Serverless::Function"]))
            || ((yaml || json) && contains(root, rel, &["AWS::Lambda::Function"]))
        {
            push("lambda", Stack::Lambda(rel.clone()));
        } else if json && contains(root, rel, &["containerDefinitions"]) {
            push("ecs", Stack::Ecs(rel.clone()));
        } else if yaml && contains(root, rel, &["apiVersion:", "kind:"]) {
            push("k8s", Stack::Kubernetes(rel.clone()));
        }
    }
    found.sort();
    found
}

/// The advice lines for the report: `leakless run` first, then one per stack.
pub fn advice(store: StoreKind, stacks: &[Stack], secrets: &[SecretEntry]) -> Vec<String> {
    let Some(example) = secrets.iter().find(|s| s.status.verified()).or(secrets.first()) else {
        return Vec::new();
    };
    let key = &example.key;
    let env = if example.env.is_empty() {
        "dev"
    } else {
        &example.env
    };
    let mut out = vec![if store == StoreKind::Github {
        let name = crate::migrate::store::github::secret_name(key).unwrap_or_else(|_| key.clone());
        format!(
            "GitHub Actions only: GitHub never returns a secret's value, so the values exist only inside workflows; a job reads one as `env: {{{key}: ${{{{ secrets.{name} }}}}}}` (environment secrets also need `environment: <name>` on the job), and there `leakless run --env {env} -- <command>` passes them on; outside Actions nothing can read them back, so keep another copy where your team fetches values (or migrate to a readable store too)"
        )
    } else {
        format!(
            "Any command: `leakless run --env {env} -- <your start command>` reads every value from the store via .leakless/secrets.toml (commit it); `leakless env --env {env} > .env.local` writes a dotenv file for tools that need one"
        )
    }];
    match store {
        StoreKind::Infisical => out.push(format!(
            "Infisical CLI: `infisical run --env={env} --path=/{} -- <your start command>`",
            example.store_path.rsplit_once('/').map_or("", |(p, _)| p)
        )),
        StoreKind::Vault => {
            let (path, field) = example
                .store_path
                .rsplit_once('/')
                .unwrap_or(("", example.store_path.as_str()));
            // The location is `vault:[namespace/]mount/path#field`: the mount is what precedes the
            // path (a namespace goes in the agent's `vault { namespace }`, not in the template).
            let mount = example
                .location
                .strip_prefix("vault:")
                .and_then(|l| l.split('#').next())
                .and_then(|l| {
                    if path.is_empty() {
                        Some(l)
                    } else {
                        l.strip_suffix(path)?.strip_suffix('/')
                    }
                })
                .and_then(|l| l.rsplit('/').next())
                .filter(|m| !m.is_empty())
                .unwrap_or("secret");
            out.push(format!(
                "Vault Agent (servers, VMs): a template renders the file your app loads: {{{{ with secret \"{mount}/data/{path}\" }}}}{field}={{{{ .Data.data.{field} }}}}{{{{ end }}}}"
            ));
        }
        StoreKind::Azure => {
            let uri = example
                .location
                .strip_prefix("azure:")
                .unwrap_or(&example.location);
            out.push(format!(
                "Azure App Service / Functions: set the app setting {key} to the Key Vault reference `@Microsoft.KeyVault(SecretUri={uri})` (the app's managed identity needs the Key Vault Secrets User role); on AKS, the Secrets Store CSI driver's Azure provider mounts it"
            ));
        }
        StoreKind::Doppler => {
            let scope = example
                .location
                .strip_prefix("doppler:")
                .and_then(|l| l.split('#').next())
                .and_then(|s| s.split_once('/'))
                .map_or(String::new(), |(p, c)| format!(" -p {p} -c {c}"));
            out.push(format!(
                "Doppler CLI: `doppler run{scope} -- <your start command>` (CI and servers: a service token in DOPPLER_TOKEN)"
            ));
        }
        StoreKind::Gcp => {
            // The location is `gcp:{project}/{secret id}`.
            let (project, id) = example
                .location
                .strip_prefix("gcp:")
                .and_then(|l| l.split_once('/'))
                .unwrap_or(("<project>", example.store_path.as_str()));
            out.push(format!(
                "Google Cloud: Cloud Run and Cloud Functions read it natively (`gcloud run deploy … --set-secrets={key}={id}:latest`); GKE through the Secret Manager CSI driver or External Secrets Operator; scripts with `gcloud secrets versions access latest --secret={id} --project={project}`"
            ));
        }
        _ => {}
    }
    for s in stacks {
        let line = match (s, store) {
            (
                Stack::ComposeEnvFile(f) | Stack::Ecs(f) | Stack::Lambda(f) | Stack::Kubernetes(f),
                StoreKind::Github,
            ) => format!(
                "{f}: GitHub Actions secrets reach only workflows: deploy it from a workflow that passes them on (`env:` with ${{{{ secrets.{key} }}}}), or keep the values in a store it can read as well"
            ),
            (Stack::ComposeEnvFile(f), StoreKind::Dotenv) => format!(
                "docker compose ({f}): the env_file is untracked but still on this machine; add `.env.local` to env_file (with `required: false`) so the values reach the container on other machines once each developer creates it"
            ),
            (Stack::ComposeEnvFile(f), _) => format!(
                "docker compose ({f}): env_file points at an untracked file: run `leakless env --env {env} -o <that file>` before `docker compose up`, or replace env_file by `environment: {{{key}: ${{{key}}}}}` and start with `leakless run -- docker compose up`"
            ),
            (Stack::Ecs(f), StoreKind::Aws) => format!(
                "ECS ({f}): in containerDefinitions add \"secrets\": [{{\"name\": \"{key}\", \"valueFrom\": \"arn:aws:secretsmanager:<region>:<account>:secret:{}\"}}] (the task execution role needs secretsmanager:GetSecretValue)",
                example.store_path
            ),
            (Stack::Lambda(f), StoreKind::Aws) => format!(
                "Lambda ({f}): use the AWS Parameters and Secrets Lambda Extension, or set the variable from CloudFormation: {key}: '{{{{resolve:secretsmanager:{}}}}}'",
                example.store_path
            ),
            (Stack::Ecs(f) | Stack::Lambda(f), _) => format!(
                "{f}: the task or function needs the values at start: fetch them in its entrypoint with `leakless run -- <command>` (credentials from its role), or move to a store it reads natively"
            ),
            (Stack::Kubernetes(f), _) => format!(
                "Kubernetes ({f}): sync the store into a Secret with an operator (External Secrets Operator, Infisical operator, Vault Secrets Operator) and keep `envFrom: secretRef` in the workload"
            ),
            (Stack::GithubActions(f), StoreKind::Github) => format!(
                "GitHub Actions ({f}): values written literally in workflows were replaced by ${{{{ secrets.NAME }}}}; other jobs that need a value add it to their `env:` the same way"
            ),
            (Stack::GithubActions(f), _) => format!(
                "GitHub Actions ({f}): add a step `run: leakless env --format github --env {env}` (masks the values, sets them for later steps), with the store's credentials from repository secrets"
            ),
        };
        out.push(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_stacks_from_tracked_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let w = |rel: &str, text: &str| {
            let p = dir.path().join(rel);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(p, text).expect("write");
        };
        w("compose.yml", "services:\n  api:\n    env_file: .env.dev\n");
        w("docker-compose.prod.yml", "services: {}\n");
        w("deploy/task.json", "{\"containerDefinitions\": []}");
        w("k8s/app.yaml", "apiVersion: v1\nkind: Service\n");
        w(".github/workflows/ci.yml", "on: push\n");
        w(
            "template.yaml",
            "Resources:\n  F:\n    Type: AWS::Serverless::Function\n",
        );
        let tracked: BTreeSet<String> = [
            "compose.yml",
            "docker-compose.prod.yml",
            "deploy/task.json",
            "k8s/app.yaml",
            ".github/workflows/ci.yml",
            "template.yaml",
            "untracked-but-listed-missing.yml",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let s = detect(dir.path(), &tracked);
        assert_eq!(
            s,
            [
                Stack::ComposeEnvFile("compose.yml".into()),
                Stack::Ecs("deploy/task.json".into()),
                Stack::Lambda("template.yaml".into()),
                Stack::Kubernetes("k8s/app.yaml".into()),
                Stack::GithubActions(".github/workflows/ci.yml".into()),
            ]
        );
    }

    #[test]
    fn vault_agent_template_names_the_mount_not_the_namespace_or_project() {
        let entry = |location: &str| SecretEntry {
            key: "DB_PASSWORD".into(),
            preview: String::new(),
            location: location.into(),
            store_path: "r1/prod/DB_PASSWORD".into(),
            env: "prod".into(),
            status: crate::migrate::report::Status::Moved,
            error: None,
            in_store: None,
            rules: vec![],
            fingerprints: vec![],
            providers: vec![],
            rotate: vec![],
            fetch: String::new(),
            sites: vec![],
        };
        for (location, want) in [
            ("vault:kv/r1/prod#DB_PASSWORD", "\"kv/data/r1/prod\""),
            (
                "vault:team-a/secret/r1/prod#DB_PASSWORD",
                "\"secret/data/r1/prod\"",
            ),
        ] {
            let out = advice(StoreKind::Vault, &[], &[entry(location)]).join("\n");
            assert!(out.contains(want), "{location}: {out}");
        }
    }
}
