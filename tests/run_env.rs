//! `leakless run` and `leakless env` after `migrate --apply`: a fresh clone of the migrated
//! repository gets the values back from the real OpenBao dev server, moto (AWS Secrets
//! Manager), the Infisical stand-in and the embedded dotenv store, through the committed
//! `.leakless/secrets.toml`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::migrate::{run_env, Repo};
use crate::store_aws::Moto;
use crate::store_infisical::InfisicalMock;
use crate::store_vault::OpenBao;
use crate::util::git;

/// The seed's OpenAI key as committed.
pub fn openai_key() -> String {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/migrate/seed/.env.dev"
    ))
    .expect("seed");
    text.lines()
        .find_map(|l| l.strip_prefix("OPENAI_API_KEY="))
        .expect("key in the seed")
        .to_string()
}

/// Migrates, commits the result and clones it into a new directory (the teammate's checkout).
pub fn migrate_commit_clone(
    repo: &Repo,
    args: &[&str],
    env: &[(&str, String)],
) -> (tempfile::TempDir, PathBuf) {
    let mut full = vec!["migrate", "--apply"];
    full.extend_from_slice(args);
    let (code, out, err) = run_env(repo, &full, env);
    assert_eq!(code, 0, "{out}\n{err}");
    repo.assert_no_secret_in("migrate output", out.as_bytes());
    let map = repo.read(".leakless/secrets.toml");
    repo.assert_no_secret_in("the secrets map", map.as_bytes());
    assert!(map.contains("name = \"OPENAI_API_KEY\""), "{map}");
    let staged = git(&repo.root(), &["diff", "--cached", "--name-only"]);
    assert!(
        staged.lines().any(|l| l == ".leakless/secrets.toml"),
        "map staged: {staged}"
    );
    git(&repo.root(), &["commit", "-q", "-m", "migrate secrets"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let clone = dir.path().join("clone");
    git(
        dir.path(),
        &["clone", "-q", repo.root().to_str().expect("utf-8"), "clone"],
    );
    assert!(
        !clone.join(".env.dev").exists(),
        "the clone has no plaintext copy"
    );
    (dir, clone)
}

fn leakless_in(dir: &Path, args: &[&str], env: &[(&str, String)]) -> (i32, String, String) {
    crate::migrate::run_in(dir, args, env)
}

fn printenv_in(clone: &Path, env: &[(&str, String)]) -> String {
    let (code, out, err) = leakless_in(clone, &["run", "--", "printenv", "OPENAI_API_KEY"], env);
    assert_eq!(code, 0, "{out}\n{err}");
    out
}

#[test]
fn run_in_a_fresh_clone_reads_openbao() {
    let Some(mut bao) = OpenBao::start() else { return };
    let repo = Repo::seed();
    let env = vec![
        ("VAULT_ADDR", bao.addr.clone()),
        ("VAULT_TOKEN", bao.root_token.clone()),
    ];
    let (_dir, clone) = migrate_commit_clone(&repo, &["--to", "vault"], &env);
    let map = std::fs::read_to_string(clone.join(".leakless/secrets.toml")).expect("map committed");
    assert!(
        map.contains("store = \"vault\"") && map.contains(&bao.addr) && map.contains("path = \"shop/dev\""),
        "{map}"
    );

    // Only the token: the address comes from the committed map.
    let token_only = vec![("VAULT_TOKEN", bao.root_token.clone())];
    assert_eq!(printenv_in(&clone, &token_only), format!("{}\n", openai_key()));

    // The exit status is the command's own.
    let (code, _, _) = leakless_in(&clone, &["run", "--", "sh", "-c", "exit 7"], &token_only);
    assert_eq!(code, 7);

    // `env` prints to a pipe (to a terminal only with --no-redact).
    let (code, out, err) = leakless_in(&clone, &["env", "--format", "json"], &token_only);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["OPENAI_API_KEY"].as_str(), Some(openai_key().as_str()));
    assert!(
        v["DATABASE_URL"]
            .as_str()
            .is_some_and(|u| u.starts_with("postgres://")),
        "{v}"
    );

    // The shell format evaluates back to the same values in a real shell.
    let (code, out, _) = leakless_in(&clone, &["env", "--format", "shell"], &token_only);
    assert_eq!(code, 0);
    let sh = Command::new("sh")
        .args(["-c", &format!("{out}\nprintf %s \"$OPENAI_API_KEY\"")])
        .output()
        .expect("sh");
    assert_eq!(String::from_utf8_lossy(&sh.stdout), openai_key());

    // -o FILE: mode 0600, dotenv, read back by python-dotenv's rules (our parser is checked
    // against it elsewhere).
    let file = clone.join("../values.env");
    let (code, _, err) = leakless_in(&clone, &["env", "-o", file.to_str().expect("utf-8")], &token_only);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&file).expect("written");
    let parsed = leakless::migrate::dotenv::load(&text);
    assert!(parsed
        .iter()
        .any(|(k, v)| k == "OPENAI_API_KEY" && v.as_deref() == Some(openai_key().as_str())));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    // A wrong token: exit 2, the command never runs, no value printed.
    let bad = vec![("VAULT_TOKEN", "s.wrong".to_string())];
    let (code, out, err) = leakless_in(&clone, &["run", "--", "echo", "RAN"], &bad);
    assert_eq!(code, 2, "{out}{err}");
    assert!(!out.contains("RAN"));
    assert!(err.contains("OPENAI_API_KEY") || err.contains("refused"), "{err}");

    // A server that is gone: exit 2 too.
    bao.kill();
    let (code, out, _) = leakless_in(&clone, &["run", "--", "echo", "RAN"], &token_only);
    assert_eq!(code, 2);
    assert!(!out.contains("RAN"));
}

#[test]
fn github_format_masks_and_appends_with_a_safe_delimiter() {
    let Some(bao) = OpenBao::start() else { return };
    // A multi-line value (a PEM-like block) and one with a percent sign.
    let repo = Repo::from_files(&[(
        "config/app.env",
        "DB_PASSWORD='N0t-the-real%pw-7f3kQ'\nPRIVATE_KEY=\"-----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\\nQyNTUxOQAAACBZ1p4d6dA0xYbQ4rS2wq5v7yQ9m3nTg5qL0eXwWmZcAAAAJh8Hf7xfB3+\\n-----END OPENSSH PRIVATE KEY-----\"\n",
    )]);
    let env = vec![
        ("VAULT_ADDR", bao.addr.clone()),
        ("VAULT_TOKEN", bao.root_token.clone()),
    ];
    let (code, out, err) = run_env(&repo, &["migrate", "--apply", "--to", "vault"], &env);
    assert_eq!(code, 0, "{out}\n{err}");
    let gh = repo.root().join("../github_env");
    std::fs::write(&gh, "EXISTING=1\n").expect("write");
    let mut with_gh = env.clone();
    with_gh.push(("GITHUB_ENV", gh.to_str().expect("utf-8").to_string()));
    let (code, out, err) = leakless_in(&repo.root(), &["env", "--format", "github"], &with_gh);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&gh).expect("appended");
    assert!(text.starts_with("EXISTING=1\n"));
    // Parse $GITHUB_ENV as the runner does: NAME=value, or NAME<<DELIM ... DELIM.
    let mut vars = std::collections::BTreeMap::new();
    let mut lines = text.lines();
    while let Some(l) = lines.next() {
        if let Some((name, delim)) = l.split_once("<<") {
            let mut body = Vec::new();
            for b in lines.by_ref() {
                if b == delim {
                    break;
                }
                body.push(b);
            }
            vars.insert(name.to_string(), body.join("\n"));
        } else if let Some((k, v)) = l.split_once('=') {
            vars.insert(k.to_string(), v.to_string());
        }
    }
    let pem = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\nQyNTUxOQAAACBZ1p4d6dA0xYbQ4rS2wq5v7yQ9m3nTg5qL0eXwWmZcAAAAJh8Hf7xfB3+\n-----END OPENSSH PRIVATE KEY-----";
    assert_eq!(vars.get("PRIVATE_KEY").map(String::as_str), Some(pem), "{text}");
    assert_eq!(
        vars.get("DB_PASSWORD").map(String::as_str),
        Some("N0t-the-real%pw-7f3kQ")
    );
    // Every line of every value is masked, `%` escaped.
    for v in vars.values().filter(|v| *v != "1") {
        for line in v.lines().filter(|l| !l.trim().is_empty()) {
            let escaped = line.trim().replace('%', "%25");
            assert!(
                out.contains(&format!("::add-mask::{escaped}\n")),
                "mask for a line missing:\n{out}"
            );
        }
    }
    // No GITHUB_ENV: an error, nothing printed.
    let (code, out, _) = leakless_in(&repo.root(), &["env", "--format", "github"], &env);
    assert_eq!(code, 2);
    assert!(out.is_empty());
}

#[test]
fn run_in_a_fresh_clone_reads_aws_and_infisical() {
    if let Some(moto) = Moto::start() {
        let repo = Repo::seed();
        let (_dir, clone) = migrate_commit_clone(&repo, &["--to", "aws"], &moto.env());
        // Credentials only: region and endpoint come from the map.
        let creds: Vec<(&str, String)> = moto
            .env()
            .into_iter()
            .filter(|(k, _)| k.starts_with("AWS_ACCESS") || k.starts_with("AWS_SECRET"))
            .collect();
        assert_eq!(printenv_in(&clone, &creds), format!("{}\n", openai_key()));
    }
    let mock = InfisicalMock::start(&[]);
    let repo = Repo::seed();
    let (_dir, clone) = migrate_commit_clone(&repo, &["--to", "infisical"], &mock.env());
    let creds: Vec<(&str, String)> = mock
        .env()
        .into_iter()
        .filter(|(k, _)| k.contains("CLIENT"))
        .collect();
    assert_eq!(printenv_in(&clone, &creds), format!("{}\n", openai_key()));
}

#[test]
fn run_reads_the_dotenv_store_and_refuses_hostile_maps() {
    let repo = Repo::seed();
    let (code, out, err) = run_env(&repo, &["migrate", "--apply"], &[]);
    assert_eq!(code, 0, "{out}\n{err}");
    let root = repo.root();
    let (code, out, err) = leakless_in(&root, &["run", "--", "printenv", "OPENAI_API_KEY"], &[]);
    assert_eq!((code, out), (0, format!("{}\n", openai_key())), "{err}");
    // A second run merges: the map is unchanged, and not rewritten.
    let before = repo.read(".leakless/secrets.toml");
    let (code, _, _) = run_env(&repo, &["migrate", "--apply"], &[]);
    assert_eq!(code, 0);
    assert_eq!(repo.read(".leakless/secrets.toml"), before);

    // A map (edited in a pull request) that sets PATH, or injects a line: refused, nothing run.
    for name in ["PATH", "A\\nB", "LD_PRELOAD"] {
        let hostile = format!(
            "version = 1\n[[secret]]\nname = \"{name}\"\nenv = \"dev\"\nstore = \"dotenv\"\npath = \"\"\nfield = \"OPENAI_API_KEY\"\n"
        );
        let f = root.join("../hostile.toml");
        std::fs::write(&f, hostile).expect("write");
        let (code, out, err) = leakless_in(
            &root,
            &["run", "--map", f.to_str().expect("utf-8"), "--", "echo", "RAN"],
            &[],
        );
        assert_eq!(code, 2, "{name}: {out}{err}");
        assert!(!out.contains("RAN"), "{name}");
        repo.assert_no_secret_in("stderr", err.as_bytes());
    }
    // An environment that is not in the map.
    let (code, _, err) = leakless_in(&root, &["run", "--env", "prod", "--", "true"], &[]);
    assert_eq!(code, 2);
    assert!(err.contains("prod") && err.contains("dev"), "{err}");
}

#[test]
fn the_report_says_where_each_secret_is_and_how_the_app_gets_it() {
    let Some(bao) = OpenBao::start() else { return };
    let env = vec![
        ("VAULT_ADDR", bao.addr.clone()),
        ("VAULT_TOKEN", bao.root_token.clone()),
    ];
    // Without --remove-local: the untracked .env.dev is listed as a leftover, and kept.
    let repo = Repo::seed();
    let (code, out, err) = run_env(&repo, &["migrate", "--apply", "--to", "vault"], &env);
    assert_eq!(code, 0, "{out}\n{err}");
    repo.assert_no_secret_in("the text report", out.as_bytes());
    assert!(
        out.contains("read it back: bao kv get -mount=secret -field=OPENAI_API_KEY shop/dev"),
        "{out}"
    );
    assert!(out.contains("How your app gets the values now:"), "{out}");
    assert!(out.contains("leakless run --env dev --"), "{out}");
    assert!(out.contains("docker compose (compose.yml)"), "{out}");
    assert!(out.contains("Vault Agent"), "{out}");
    assert!(
        out.contains("Plaintext copies still on disk") && out.contains("\n  .env.dev\n"),
        "{out}"
    );
    assert!(repo.root().join(".env.dev").exists());
    // The read-back command printed is the real one: run it with the real CLI.
    let got = Command::new(&bao.bao)
        .args(["kv", "get", "-mount=secret", "-field=OPENAI_API_KEY", "shop/dev"])
        .env("VAULT_ADDR", &bao.addr)
        .env("VAULT_TOKEN", &bao.root_token)
        .env("BAO_ADDR", &bao.addr)
        .env("BAO_TOKEN", &bao.root_token)
        .output()
        .expect("bao");
    assert_eq!(String::from_utf8_lossy(&got.stdout).trim_end(), openai_key());

    // With --remove-local: the copy is deleted after the verified write, and the report says so.
    let repo = Repo::seed();
    let report = repo.root().join("../report.json");
    let (code, out, err) = run_env(
        &repo,
        &[
            "migrate",
            "--apply",
            "--to",
            "vault",
            "--remove-local",
            "--report",
            report.to_str().expect("utf-8"),
        ],
        &env,
    );
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(!repo.root().join(".env.dev").exists(), "removed");
    assert!(out.contains("removed") && out.contains(".env.dev"), "{out}");
    assert!(!out.contains("Plaintext copies still on disk"), "{out}");
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&report).expect("report")).expect("json");
    assert!(v["files"]
        .as_array()
        .expect("files")
        .iter()
        .any(|f| f["path"] == ".env.dev" && f["change"] == "removed"));
    assert!(v["how_to_run"].as_array().is_some_and(|h| !h.is_empty()));
    // The value is still reachable: from the store.
    let (code, got, _) = leakless_in(
        &repo.root(),
        &["run", "--", "printenv", "OPENAI_API_KEY"],
        &[("VAULT_TOKEN", bao.root_token.clone())],
    );
    assert_eq!((code, got), (0, format!("{}\n", openai_key())));

    // The embedded dotenv store keeps its local files: no leftovers, nothing removed.
    let repo = Repo::seed();
    let (code, out, _) = run_env(&repo, &["migrate", "--apply", "--remove-local"], &[]);
    assert_eq!(code, 0, "{out}");
    assert!(repo.root().join(".env.dev").exists());
    assert!(!out.contains("Plaintext copies still on disk"), "{out}");
}
