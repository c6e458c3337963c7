//! `leakless migrate` end to end into AWS Secrets Manager (a real moto server, read back with
//! boto3) and Infisical (our stand-in of its documented API; see README): the seed scenario,
//! environments routed per file, and a store that fails mid-run.

use serde_json::Value;

use crate::migrate::{run_env, spawn_paused, Repo};
use crate::store_aws::Moto;
use crate::store_infisical::InfisicalMock;

fn env_ref<'a>(env: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    env.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

const KEYS: &[&str] = &[
    "ANALYTICS_DATABASE_URL",
    "DATABASE_URL",
    "INFISICAL_CLIENT_SECRET",
    "MAIL_PASSWORD",
    "OPENAI_API_KEY",
    "SENDGRID_API_KEY",
    "SESSION_SECRET",
    "STRIPE_SECRET_KEY",
];

#[test]
fn seed_migrates_into_aws_secrets_manager_one_secret_per_key() {
    let Some(moto) = Moto::start() else { return };
    let repo = Repo::seed();
    let (code, out, err) = run_env(&repo, &["migrate", "--to", "aws", "--apply"], &moto.env());
    assert_eq!(code, 0, "{out}\n{err}");
    repo.assert_no_secret_in("stdout", out.as_bytes());
    let stored: Vec<String> = KEYS
        .iter()
        .map(|k| {
            moto.get_secret_string(&format!("shop/dev/{k}"))
                .unwrap_or_default()
        })
        .collect();
    for (path, secret) in &repo.secrets {
        assert!(
            stored.iter().any(|v| v.contains(secret.as_str())),
            "secret from {path} in AWS (boto3)"
        );
    }
    assert!(out.contains("aws:shop/dev/STRIPE_SECRET_KEY"), "{out}");
    assert_eq!(run_env(&repo, &["scan", "."], &[]).0, 0);
    let (code, out, _) = run_env(&repo, &["migrate", "--to", "aws", "--apply"], &moto.env());
    assert_eq!(code, 0);
    assert!(out.contains("No secrets in tracked files"), "{out}");
}

#[test]
fn seed_migrates_into_aws_one_json_secret_per_path() {
    let Some(moto) = Moto::start() else { return };
    let repo = Repo::seed();
    let (code, out, err) = run_env(
        &repo,
        &["migrate", "--to", "aws", "--aws-mode", "per-file", "--apply"],
        &moto.env(),
    );
    assert_eq!(code, 0, "{out}\n{err}");
    let doc: Value =
        serde_json::from_str(&moto.get_secret_string("shop/dev").expect("one secret")).expect("JSON object");
    assert_eq!(
        doc.as_object().expect("object").len(),
        KEYS.len(),
        "{:?}",
        doc.as_object().map(|o| o.keys().collect::<Vec<_>>())
    );
    for (path, secret) in &repo.secrets {
        assert!(
            doc.as_object()
                .expect("o")
                .values()
                .any(|v| v.as_str().is_some_and(|v| v.contains(secret.as_str()))),
            "secret from {path}"
        );
    }
}

#[test]
fn aws_dies_after_the_second_write_nothing_is_lost() {
    let Some(mut moto) = Moto::start() else { return };
    let repo = Repo::seed();
    let env = moto.env();
    let mut child = spawn_paused(&repo.root(), "after-verify:2", &["--to", "aws"], &env_ref(&env));
    let held: Vec<String> = KEYS
        .iter()
        .filter_map(|k| moto.get_secret_string(&format!("shop/dev/{k}")))
        .collect();
    assert_eq!(held.len(), 2, "two writes before the store dies");
    moto.kill();
    drop(child.stdin.take());
    assert_eq!(child.wait().expect("wait").code(), Some(2));
    repo.assert_nothing_lost(&|s| held.iter().any(|v| v.contains(s)));

    let Some(moto2) = Moto::start() else { return };
    rerun_finishes(&repo, "aws", &moto2.env());
}

#[test]
fn seed_migrates_into_infisical_with_environments_per_file() {
    let mock = InfisicalMock::start(&[]);
    let repo = Repo::seed();
    let root = repo.root();
    // A production dotenv file beside the dev one: same key, another value, another environment.
    std::fs::write(
        root.join(".env.production"),
        "NODE_ENV=production\nDATABASE_URL=postgres://shop:Pr0dPassw0rdXq81Lm@db.prod.internal:5432/shop\n",
    )
    .expect("write");
    crate::migrate::git(&root, &["add", ".env.production"]);
    crate::migrate::git(&root, &["commit", "-qm", "prod settings"]);
    let (code, out, err) = run_env(&repo, &["migrate", "--to", "infisical", "--apply"], &mock.env());
    assert_eq!(code, 0, "{out}\n{err}");
    repo.assert_no_secret_in("stdout", out.as_bytes());
    let dev_url = mock.value("dev", "/", "DATABASE_URL").expect("dev DATABASE_URL");
    assert!(
        dev_url.starts_with("postgres://shop:") && dev_url.contains("db.internal"),
        "dev env holds the dev URL"
    );
    let prod_url = mock
        .value("prod", "/", "DATABASE_URL")
        .expect("prod DATABASE_URL");
    assert!(
        prod_url.contains("Pr0dPassw0rdXq81Lm"),
        "prod env holds the prod URL"
    );
    for (path, secret) in &repo.secrets {
        let all = mock.state();
        let found = all["secrets"].as_array().expect("s").iter().any(|s| {
            s["secretValue"]
                .as_str()
                .is_some_and(|v| v.contains(secret.as_str()))
        });
        assert!(found, "secret from {path} in Infisical");
    }
    assert!(out.contains("infisical:prod:/#DATABASE_URL"), "{out}");
    assert_eq!(run_env(&repo, &["scan", "."], &[]).0, 0);
    assert!(!crate::migrate::git(&root, &["ls-files"])
        .lines()
        .any(|l| l.starts_with(".env.") && l != ".env.example"));
}

#[test]
fn infisical_failing_after_three_writes_loses_nothing_and_a_rerun_finishes() {
    let mock = InfisicalMock::start(&["--fail-after-writes", "3"]);
    let repo = Repo::seed();
    fails_after_three_writes(&repo, "infisical", &mock.env(), &|| mock.values());

    // The re-run logs in with the plain INFISICAL_CLIENT_ID / INFISICAL_CLIENT_SECRET names.
    let mock2 = InfisicalMock::start(&[]);
    let env: Vec<(&str, String)> = mock2
        .env()
        .into_iter()
        .map(|(k, v)| {
            let k = match k {
                "INFISICAL_UNIVERSAL_AUTH_CLIENT_ID" => "INFISICAL_CLIENT_ID",
                "INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET" => "INFISICAL_CLIENT_SECRET",
                other => other,
            };
            (k, v)
        })
        .collect();
    rerun_finishes(&repo, "infisical", &env);
}

/// The failpoints of `migrate --apply`, each at a later hit (issue 19: every one of them
/// under `kill -9`, for every store; the dotenv and OpenBao tests also kill at first hits).
const KILL_POINTS: &[&str] = &["after-verify:4", "after-rewrite:3", "before-untrack:1"];

/// `kill -9` at each failpoint, then: every secret in its file or in the store (`stored` reads
/// every value with the store's own client), a re-run with `--remove-local` finishes, every
/// secret is in the store, the tree scans clean and the untracked plaintext copy is gone.
pub fn kill_matrix(
    store: &[&str],
    env: &[(&'static str, String)],
    stored: &dyn Fn(&std::path::Path) -> Vec<String>,
) {
    let holds = |values: &[String], s: &str| values.iter().any(|v| v.contains(s));
    for point in KILL_POINTS {
        let repo = Repo::seed();
        let mut args = vec!["--to"];
        args.extend_from_slice(store);
        let mut child = spawn_paused(&repo.root(), point, &args, &env_ref(env));
        child.kill().expect("kill -9");
        child.wait().expect("reaped");
        let values = stored(&repo.root());
        repo.assert_nothing_lost(&|s| holds(&values, s));
        let mut rerun = vec!["migrate", "--apply", "--remove-local"];
        rerun.extend_from_slice(&args);
        let (code, out, err) = run_env(&repo, &rerun, env);
        let name = store[0];
        assert_eq!(code, 0, "{name} {point}: the re-run finishes: {out}\n{err}");
        repo.assert_no_secret_in("re-run output", out.as_bytes());
        assert_every_secret_in(&repo, &stored(&repo.root()), &format!("{name} {point}"));
        assert_eq!(run_env(&repo, &["scan", "."], &[]).0, 0, "{name} {point}");
        assert!(
            !repo.root().join(".env.dev").exists(),
            "{name} {point}: the plaintext copy is removed once verified"
        );
    }
}

/// Every secret of `repo` is in one of `values` (what the store holds); `what` names the store
/// and the moment in a failure.
pub fn assert_every_secret_in(repo: &Repo, values: &[String], what: &str) {
    for (path, secret) in &repo.secrets {
        assert!(
            values.iter().any(|v| v.contains(secret.as_str())),
            "{what}: the secret from {path} is not in the store"
        );
    }
}

/// A store that refuses every write after its third (the stand-ins' `--fail-after-writes 3`):
/// `migrate --apply` into it exits 2 with no secret on stderr, the store holds exactly three
/// values (`held` reads them all) and every secret is in its file or in the store. Returns the
/// run's (stdout, stderr) for the store's own checks.
pub fn fails_after_three_writes(
    repo: &Repo,
    store: &str,
    env: &[(&'static str, String)],
    held: &dyn Fn() -> Vec<String>,
) -> (String, String) {
    let (code, out, err) = run_env(repo, &["migrate", "--to", store, "--apply"], env);
    assert_eq!(code, 2, "{out}\n{err}");
    repo.assert_no_secret_in("stderr", err.as_bytes());
    let values = held();
    assert_eq!(values.len(), 3, "{store}: three writes were accepted");
    repo.assert_nothing_lost(&|s| values.iter().any(|v| v.contains(s)));
    (out, err)
}

/// The re-run into a working store (`env`) finishes, and the tree scans clean.
pub fn rerun_finishes(repo: &Repo, store: &str, env: &[(&'static str, String)]) {
    let (code, out, err) = run_env(repo, &["migrate", "--to", store, "--apply"], env);
    assert_eq!(code, 0, "{store}: the re-run finishes: {out}\n{err}");
    assert_eq!(run_env(repo, &["scan", "."], &[]).0, 0);
}

#[test]
fn aws_killed_at_every_failpoint_loses_nothing() {
    let Some(moto) = Moto::start() else { return };
    // Every run writes the same names with the same values: a re-run finds them unchanged.
    let stored = |_: &std::path::Path| {
        KEYS.iter()
            .filter_map(|k| moto.get_secret_string(&format!("shop/dev/{k}")))
            .collect()
    };
    kill_matrix(&["aws"], &moto.env(), &stored);
}

#[test]
fn infisical_killed_at_every_failpoint_loses_nothing() {
    let mock = InfisicalMock::start(&[]);
    let stored = |_: &std::path::Path| mock.values();
    kill_matrix(&["infisical"], &mock.env(), &stored);
}
