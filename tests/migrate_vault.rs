//! `leakless migrate --to vault` end to end against a real OpenBao dev server: the seed
//! scenario with a token and with AppRole, the store refusing (token revoked) or dying (server
//! killed) after the k-th write, and an unreachable store.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::migrate::{spawn_paused, Repo};
use crate::store_vault::OpenBao;

fn vault_env(bao: &OpenBao, token: &str) -> Vec<(&'static str, String)> {
    vec![
        ("VAULT_ADDR", bao.addr.clone()),
        ("VAULT_TOKEN", token.to_string()),
    ]
}

fn run(repo: &Repo, args: &[&str], env: &[(&str, String)]) -> (i32, String, String) {
    crate::migrate::run_env(repo, args, env)
}

/// Every field of `secret/shop/dev`, read with the real `bao kv get` CLI.
fn stored(bao: &OpenBao) -> BTreeMap<String, String> {
    stored_at(bao, "shop/dev")
}

/// Every field of `secret/<path>`, read with the real `bao kv get` CLI.
fn stored_at(bao: &OpenBao, path: &str) -> BTreeMap<String, String> {
    let Some(v) = bao.kv_get_cli(None, "secret", path) else {
        return BTreeMap::new();
    };
    v.as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default()
}

fn in_map(map: &BTreeMap<String, String>, secret: &str) -> bool {
    map.values().any(|v| v.contains(secret))
}

#[test]
fn seed_migrates_into_openbao_with_one_command() {
    let Some(bao) = OpenBao::start() else { return };
    let repo = Repo::seed();
    let report = repo.root().join("../report.json");
    let (code, out, err) = run(
        &repo,
        &[
            "migrate",
            "--to",
            "vault",
            "--apply",
            "--report",
            report.to_str().expect("utf-8"),
        ],
        &vault_env(&bao, &bao.root_token),
    );
    assert_eq!(code, 0, "{out}\n{err}");
    repo.assert_no_secret_in("stdout", out.as_bytes());
    repo.assert_no_secret_in("stderr", err.as_bytes());
    let map = stored(&bao);
    for (path, secret) in &repo.secrets {
        assert!(
            in_map(&map, secret),
            "secret from {path} is in OpenBao (read with bao kv get)"
        );
    }
    // Keys from the dotenv file keep their names and whole values.
    let env_dev = std::fs::read_to_string(repo.root().join(".env.dev")).expect(".env.dev kept");
    let client_secret = env_dev
        .lines()
        .find_map(|l| l.strip_prefix("INFISICAL_CLIENT_SECRET="))
        .expect("key");
    assert_eq!(
        map.get("INFISICAL_CLIENT_SECRET").map(String::as_str),
        Some(client_secret)
    );
    assert!(map
        .get("DATABASE_URL")
        .is_some_and(|u| u.starts_with("postgres://shop:")));
    assert!(
        !map.contains_key("INFISICAL_CLIENT_ID") && !map.contains_key("PORT"),
        "non-secrets stay in the example"
    );

    let (scan, text, _) = run(&repo, &["scan", "."], &[]);
    assert_eq!(scan, 0, "fresh scan is clean: {text}");
    assert!(
        !repo.root().join(".env.local").exists(),
        "a remote store writes no .env.local"
    );
    let v: Value = serde_json::from_slice(&std::fs::read(&report).expect("report")).expect("json");
    assert!(
        v["secrets"]
            .as_array()
            .expect("s")
            .iter()
            .all(|s| s["status"] == "moved"
                && s["location"]
                    .as_str()
                    .is_some_and(|l| l.starts_with("vault:secret/shop/dev#"))),
        "{v:#}"
    );
    assert!(v["secrets"][0]["fetch"]
        .as_str()
        .is_some_and(|f| f.contains("kv get")));
    assert_eq!(v["rotation"].as_array().expect("r").len(), 8);
    assert!(v["purge"]["replace_text_file"].as_str().is_some());

    // Re-run: a no-op.
    let version = bao.version("shop/dev");
    let (code, out, _) = run(
        &repo,
        &["migrate", "--to", "vault", "--apply"],
        &vault_env(&bao, &bao.root_token),
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("No secrets in tracked files"), "{out}");
    assert_eq!(bao.version("shop/dev"), version, "nothing rewritten in the store");
}

#[test]
fn approle_login_and_an_existing_identical_value() {
    let Some(bao) = OpenBao::start() else { return };
    let repo = Repo::seed();
    let (role_id, secret_id) =
        bao.approle("path \"secret/data/shop/*\" { capabilities = [\"create\", \"read\", \"update\"] }");
    // Someone already put the OpenAI key there, with the same value: fine (idempotent).
    let openai = repo
        .secrets
        .iter()
        .find(|(_, s)| s.starts_with("sk-proj-"))
        .expect("openai")
        .1
        .clone();
    bao.write(
        "shop/dev",
        json!({ "OPENAI_API_KEY": openai, "UNRELATED": "kept" }),
    );
    let env = vec![
        ("VAULT_ADDR", bao.addr.clone()),
        ("VAULT_ROLE_ID", role_id),
        ("VAULT_SECRET_ID", secret_id),
    ];
    let (code, out, err) = run(
        &repo,
        &["migrate", "--to", "vault", "--apply", "--format", "json"],
        &env,
    );
    assert_eq!(code, 0, "{out}\n{err}");
    let v: Value = serde_json::from_str(&out).expect("json");
    let status: BTreeMap<&str, &str> = v["secrets"]
        .as_array()
        .expect("s")
        .iter()
        .map(|s| (s["key"].as_str().expect("k"), s["status"].as_str().expect("st")))
        .collect();
    assert_eq!(status.get("OPENAI_API_KEY"), Some(&"already_in_store"), "{v:#}");
    assert_eq!(status.get("STRIPE_SECRET_KEY"), Some(&"moved"));
    assert_eq!(stored(&bao).get("UNRELATED").map(String::as_str), Some("kept"));
}

#[test]
fn store_refuses_after_the_second_write_then_a_rerun_finishes() {
    let Some(bao) = OpenBao::start() else { return };
    let repo = Repo::seed();
    let (status, tok) = bao.api(
        "POST",
        "auth/token/create",
        Some(&json!({ "policies": ["root"], "ttl": "1h" })),
    );
    assert_eq!(status, 200, "{tok}");
    let token = tok["auth"]["client_token"].as_str().expect("token").to_string();
    let env = vault_env(&bao, &token);
    let env_ref: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut child = spawn_paused(&repo.root(), "after-verify:2", &["--to", "vault"], &env_ref);
    // The store starts refusing: the token is revoked.
    let (s, _) = bao.api("POST", "auth/token/revoke", Some(&json!({ "token": token })));
    assert_eq!(s, 204);
    drop(child.stdin.take());
    let st = child.wait().expect("wait");
    assert_eq!(st.code(), Some(2), "a refusing store is an error");
    let map = stored(&bao);
    assert_eq!(
        map.len(),
        2,
        "two values were written before the refusal: {:?}",
        map.keys()
    );
    repo.assert_nothing_lost(&|s| in_map(&map, s));
    assert!(
        repo.read("compose.yml").contains("postgres://analytics:")
            && !repo.read("compose.yml").contains("${"),
        "files with unverified secrets are untouched"
    );

    let (code, out, err) = run(
        &repo,
        &["migrate", "--to", "vault", "--apply"],
        &vault_env(&bao, &bao.root_token),
    );
    assert_eq!(code, 0, "re-run finishes: {out}\n{err}");
    let map = stored(&bao);
    for (path, secret) in &repo.secrets {
        assert!(in_map(&map, secret), "secret from {path} stored after the re-run");
    }
    assert_eq!(run(&repo, &["scan", "."], &[]).0, 0);
}

#[test]
fn store_dies_mid_run_and_nothing_is_lost() {
    let Some(mut bao) = OpenBao::start() else { return };
    let repo = Repo::seed();
    let env = vault_env(&bao, &bao.root_token);
    let env_ref: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut child = spawn_paused(&repo.root(), "after-rewrite:1", &["--to", "vault"], &env_ref);
    // What the store holds at the moment it dies.
    let map = stored(&bao);
    bao.kill();
    drop(child.stdin.take());
    let st = child.wait().expect("wait");
    assert_eq!(st.code(), Some(2), "a dead store is an error");
    repo.assert_nothing_lost(&|s| in_map(&map, s));
    let tracked = crate::migrate::git(&repo.root(), &["ls-files"]);
    assert!(tracked.lines().any(|l| l == "config/settings.yaml"));

    // A new store: the re-run moves what is still in files.
    let Some(bao2) = OpenBao::start() else { return };
    let (code, out, err) = run(
        &repo,
        &["migrate", "--to", "vault", "--apply"],
        &vault_env(&bao2, &bao2.root_token),
    );
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(run(&repo, &["scan", "."], &[]).0, 0);
}

#[test]
fn an_unreachable_store_changes_nothing() {
    let repo = Repo::seed();
    let before = repo.snapshot();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let env = vec![
        ("VAULT_ADDR", format!("http://127.0.0.1:{port}")),
        ("VAULT_TOKEN", "s.nope".to_string()),
    ];
    let (code, out, err) = run(&repo, &["migrate", "--to", "vault", "--apply"], &env);
    assert_eq!(code, 2, "{out}\n{err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(
        err.contains("cannot reach vault") && err.contains(&port.to_string()),
        "{err}"
    );
    assert_eq!(before, repo.snapshot());
    let (code, _, err) = run(&repo, &["migrate", "--to", "vault", "--apply"], &[]);
    assert_eq!(code, 2);
    assert!(err.contains("--vault-addr"), "{err}");
}

#[test]
fn killed_mid_run_against_openbao_then_a_rerun_finishes() {
    let Some(bao) = OpenBao::start() else { return };
    for point in ["after-verify:3", "after-rewrite:2", "before-untrack:1"] {
        let repo = Repo::seed();
        let env = vault_env(&bao, &bao.root_token);
        let env_ref: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        // Each repository gets its own project path, so the runs do not meet in the store.
        let project = format!("shop-{}", point.replace(':', "-"));
        let mut child = spawn_paused(
            &repo.root(),
            point,
            &["--to", "vault", "--project", &project],
            &env_ref,
        );
        child.kill().expect("kill -9");
        child.wait().expect("reaped");
        let map = stored_at(&bao, &format!("{project}/dev"));
        repo.assert_nothing_lost(&|s| in_map(&map, s));
        let (code, out, err) = run(
            &repo,
            &["migrate", "--to", "vault", "--project", &project, "--apply"],
            &env,
        );
        assert_eq!(code, 0, "{point}: {out}\n{err}");
        let map = stored_at(&bao, &format!("{project}/dev"));
        for (path, secret) in &repo.secrets {
            assert!(
                in_map(&map, secret),
                "{point}: secret from {path} in OpenBao after the re-run"
            );
        }
        assert_eq!(run(&repo, &["scan", "."], &[]).0, 0, "{point}");
    }
}

#[test]
fn a_dry_run_can_check_the_store_without_writing() {
    let Some(bao) = OpenBao::start() else { return };
    let repo = Repo::seed();
    let openai = repo
        .secrets
        .iter()
        .find(|(_, s)| s.starts_with("sk-proj-"))
        .expect("openai")
        .1
        .clone();
    bao.write(
        "shop/dev",
        json!({ "OPENAI_API_KEY": openai, "SESSION_SECRET": "someone else's" }),
    );
    let version = bao.version("shop/dev");
    let before = repo.snapshot();
    let (code, out, err) = run(
        &repo,
        &["migrate", "--to", "vault", "--check-store", "--format", "json"],
        &vault_env(&bao, &bao.root_token),
    );
    assert_eq!(code, 0, "{out}\n{err}");
    let v: Value = serde_json::from_str(&out).expect("json");
    let now: BTreeMap<&str, &str> = v["secrets"]
        .as_array()
        .expect("s")
        .iter()
        .map(|s| {
            (
                s["key"].as_str().expect("k"),
                s["in_store"].as_str().unwrap_or("-"),
            )
        })
        .collect();
    assert_eq!(now.get("OPENAI_API_KEY"), Some(&"same value"), "{v:#}");
    assert!(
        now.get("SESSION_SECRET")
            .is_some_and(|s| s.starts_with("different value")),
        "{v:#}"
    );
    assert_eq!(now.get("DATABASE_URL"), Some(&"absent"));
    assert_eq!(bao.version("shop/dev"), version, "nothing written");
    assert_eq!(before, repo.snapshot(), "nothing changed in the repository");
}

/// Two services' dotenv files share a key with different values and one store path: the second
/// value is stored under the next name, and since its application reads the old name, that is a
/// manual step (exit 1), not a silent rename.
#[test]
fn a_dotenv_key_stored_under_another_name_is_a_manual_step() {
    let Some(bao) = OpenBao::start() else { return };
    let repo = Repo::from_files(&[
        ("svc-a/.env", "STRIPE_KEY=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\n"),
        ("svc-b/.env", "STRIPE_KEY=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\n"),
    ]);
    let (code, out, err) = run(
        &repo,
        &["migrate", "--to", "vault", "--apply"],
        &vault_env(&bao, &bao.root_token),
    );
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        out.contains("the application reads STRIPE_KEY but it is stored as STRIPE_KEY_2"),
        "{out}"
    );
    // With the directory in the path, both keep their name.
    let repo = Repo::from_files(&[
        ("svc-a/.env", "STRIPE_KEY=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\n"),
        ("svc-b/.env", "STRIPE_KEY=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\n"),
    ]);
    let (code, out, err) = run(
        &repo,
        &[
            "migrate",
            "--to",
            "vault",
            "--apply",
            "--project",
            "two",
            "--path-template",
            "{project}/{dir}/{env}",
        ],
        &vault_env(&bao, &bao.root_token),
    );
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(stored_at(&bao, "two/svc-a/dev").contains_key("STRIPE_KEY"));
    assert!(stored_at(&bao, "two/svc-b/dev").contains_key("STRIPE_KEY"));
}

/// A rehearsal against a scratch server does not make a value someone else keeps on the real
/// server look like ours: it stays a conflict.
#[test]
fn a_rehearsal_on_another_server_does_not_mask_a_conflict() {
    let Some(scratch) = OpenBao::start() else { return };
    let Some(real) = OpenBao::start() else { return };
    let repo = Repo::seed();
    let root = repo.root();
    let (code, out, _) = run(
        &repo,
        &["migrate", "--to", "vault", "--apply"],
        &vault_env(&scratch, &scratch.root_token),
    );
    assert_eq!(code, 0, "{out}");
    // Back to the original files (the ledger in .git stays).
    crate::migrate::git(&root, &["reset", "-q", "--hard"]);
    crate::migrate::git(&root, &["checkout", "-q", "HEAD", "--", "."]);
    assert!(repo.read("app/pay.js").contains("sk_live_51"));
    real.write("shop/dev", json!({ "SESSION_SECRET": "the team's own value" }));
    let (code, out, err) = run(
        &repo,
        &["migrate", "--to", "vault", "--apply"],
        &vault_env(&real, &real.root_token),
    );
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(out.contains("CONFLICT"), "{out}");
    assert_eq!(
        stored(&real).get("SESSION_SECRET").map(String::as_str),
        Some("the team's own value")
    );
    assert!(
        !stored(&real).contains_key("SESSION_SECRET_2"),
        "no silent rename"
    );
}
