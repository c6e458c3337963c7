//! `leakless migrate --to age`: values in an age-encrypted `secrets.<env>.enc.env`, checked with
//! Debian's `age` binary (decryption by an independent implementation), a second recipient,
//! conflicts, `leakless run` in a fresh clone, and `kill -9` at every failpoint.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::migrate::{run_env, run_in, Repo};
use crate::util::{external_tool, git};

/// A key pair made by `age-keygen`: (identity file, public key).
fn keygen(age: &Path, dir: &Path, name: &str) -> (PathBuf, String) {
    let keygen = age.with_file_name("age-keygen");
    let file = dir.join(name);
    let out = Command::new(&keygen)
        .arg("-o")
        .arg(&file)
        .output()
        .expect("age-keygen runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&file).expect("key file");
    let public = text
        .lines()
        .find_map(|l| l.strip_prefix("# public key: "))
        .expect("public key line")
        .to_string();
    (file, public)
}

/// The file decrypted by the `age` binary.
fn decrypt(age: &Path, identity: &Path, file: &Path) -> String {
    let out = Command::new(age)
        .arg("-d")
        .arg("-i")
        .arg(identity)
        .arg(file)
        .output()
        .expect("age runs");
    assert!(
        out.status.success(),
        "age -d: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

fn values(text: &str) -> Vec<String> {
    leakless::migrate::dotenv::load(text)
        .into_iter()
        .filter_map(|(_, v)| v)
        .collect()
}

#[test]
fn seed_migrates_into_an_age_file_that_the_age_binary_decrypts() {
    let Some(age) = external_tool("LEAKLESS_AGE") else {
        return;
    };
    let keys = tempfile::tempdir().expect("tempdir");
    let (mine, my_pub) = keygen(&age, keys.path(), "mine.txt");
    let (theirs, their_pub) = keygen(&age, keys.path(), "theirs.txt");
    let repo = Repo::seed();
    let env = vec![
        ("SOPS_AGE_KEY_FILE", mine.to_str().expect("utf-8").to_string()),
        ("SOPS_AGE_RECIPIENTS", format!("{my_pub},{their_pub}")),
    ];
    let (code, out, err) = run_env(&repo, &["migrate", "--to", "age", "--apply"], &env);
    assert_eq!(code, 0, "{out}\n{err}");
    repo.assert_no_secret_in("stdout", out.as_bytes());
    let file = repo.root().join("secrets.dev.enc.env");
    let cipher = std::fs::read(&file).expect("encrypted file written");
    assert!(cipher.starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----"));
    repo.assert_no_secret_in("the encrypted file", &cipher);
    let staged = git(&repo.root(), &["diff", "--cached", "--name-only"]);
    assert!(staged.lines().any(|l| l == "secrets.dev.enc.env"), "{staged}");
    // Both recipients decrypt it with the age binary, to exactly the values.
    for id in [&mine, &theirs] {
        let plain = values(&decrypt(&age, id, &file));
        for (path, secret) in &repo.secrets {
            assert!(
                plain.iter().any(|v| v.contains(secret.as_str())),
                "secret from {path}"
            );
        }
    }
    assert!(out.contains("age -d -i"), "the read-back command: {out}");
    assert_eq!(run_env(&repo, &["scan", "."], &[]).0, 0);

    // A teammate's clone: the committed encrypted file and map, their own key.
    git(&repo.root(), &["commit", "-qm", "secrets encrypted"]);
    let dir = tempfile::tempdir().expect("tempdir");
    git(
        dir.path(),
        &["clone", "-q", repo.root().to_str().expect("utf-8"), "clone"],
    );
    let clone = dir.path().join("clone");
    let (code, got, err) = run_in(
        &clone,
        &["run", "--", "printenv", "SESSION_SECRET"],
        &[("SOPS_AGE_KEY_FILE", theirs.to_str().expect("utf-8").to_string())],
    );
    assert_eq!(code, 0, "{err}");
    let dev = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/migrate/seed/.env.dev"
    ))
    .expect("seed");
    let want = leakless::migrate::dotenv::load(&dev)
        .into_iter()
        .find(|(k, _)| k == "SESSION_SECRET")
        .and_then(|(_, v)| v)
        .expect("seed value");
    assert_eq!(got, format!("{want}\n"));
}

#[test]
fn a_different_value_in_the_age_file_is_a_conflict() {
    let Some(age) = external_tool("LEAKLESS_AGE") else {
        return;
    };
    let keys = tempfile::tempdir().expect("tempdir");
    let (mine, my_pub) = keygen(&age, keys.path(), "mine.txt");
    let repo = Repo::seed();
    // Someone already encrypted another OPENAI_API_KEY with the age binary.
    let plain = keys.path().join("plain.env");
    std::fs::write(&plain, "OPENAI_API_KEY=someone-elses-value\n").expect("write");
    let file = repo.root().join("secrets.dev.enc.env");
    let st = Command::new(&age)
        .args(["-a", "-r", &my_pub, "-o"])
        .arg(&file)
        .arg(&plain)
        .status()
        .expect("age");
    assert!(st.success());
    let env = vec![("SOPS_AGE_KEY_FILE", mine.to_str().expect("utf-8").to_string())];
    let (code, out, _) = run_env(&repo, &["migrate", "--to", "age", "--apply"], &env);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("CONFLICT"), "{out}");
    assert!(
        repo.read(".env.dev").contains("sk-proj-"),
        "its file is left alone"
    );
    assert_eq!(
        values(&decrypt(&age, &mine, &file)).first().map(String::as_str),
        Some("someone-elses-value"),
        "not overwritten"
    );
    // A wrong key: exit 2, nothing moved.
    let (other, _) = keygen(&age, keys.path(), "other.txt");
    let before = repo.snapshot();
    let (code, _, _) = run_env(
        &repo,
        &["migrate", "--to", "age", "--apply"],
        &[("SOPS_AGE_KEY_FILE", other.to_str().expect("utf-8").to_string())],
    );
    assert_eq!(code, 2);
    assert_eq!(before, repo.snapshot());
}

#[test]
fn age_killed_at_every_failpoint_loses_nothing() {
    let Some(age) = external_tool("LEAKLESS_AGE") else {
        return;
    };
    let keys = tempfile::tempdir().expect("tempdir");
    let (mine, _) = keygen(&age, keys.path(), "mine.txt");
    let env = vec![("SOPS_AGE_KEY_FILE", mine.to_str().expect("utf-8").to_string())];
    let stored = |root: &Path| {
        let file = root.join("secrets.dev.enc.env");
        if file.exists() {
            values(&decrypt(&age, &mine, &file))
        } else {
            Vec::new()
        }
    };
    crate::migrate_stores::kill_matrix(&["age"], &env, &stored);
}
