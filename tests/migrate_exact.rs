//! `leakless migrate` stores what the application reads, byte for byte: escaped values in JSON,
//! YAML and TOML are unescaped before they are stored; the example file blanks every
//! secret-named key; a symlinked `.env.local` is written through only to a target inside the
//! repository.

use std::path::Path;
use std::process::Output;

use leakless::migrate::dotenv;

use crate::migrate::Repo;

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The values `.env.local` gives the application, read as python-dotenv reads them.
fn local_values(repo: &Repo) -> Vec<(String, String)> {
    dotenv::parse(&repo.read(".env.local"))
        .into_iter()
        .map(|e| (e.key, e.value))
        .collect()
}

#[test]
fn escaped_config_values_are_stored_unescaped() {
    let repo = Repo::from_files(&[
        (
            "app.json",
            "{\"mail\": {\"password\": \"Na1He\\\"dcm4\\\\pMb\\u00e9XDuCL1\"}}\n",
        ),
        ("deploy.yaml", "smtp:\n  password: 'Zq8W''v2Lp9Xk3Rt7Yb4N'\n"),
        (
            "svc.toml",
            "[db]\npassword = \"Hc1\\tQm7vR2xT9kLp4WnB\\U0001F600\"\n",
        ),
    ]);
    let out = repo.leakless(&["migrate", "--apply", "--format", "json"]);
    let report = stdout(&out);
    assert_eq!(code(&out), 0, "{report}");
    let values = local_values(&repo);
    let stored: Vec<&str> = values.iter().map(|(_, v)| v.as_str()).collect();
    for want in [
        "Na1He\"dcm4\\pMbéXDuCL1",
        "Zq8W'v2Lp9Xk3Rt7Yb4N",
        "Hc1\tQm7vR2xT9kLp4WnB😀",
    ] {
        assert!(
            stored.contains(&want),
            "{want:?} stored exactly: {values:?}\n{report}"
        );
    }
    // The files reference the keys in place of the whole escaped value.
    assert!(
        repo.read("app.json").contains("\"password\": \"${PASSWORD}\""),
        "{}",
        repo.read("app.json")
    );
    assert!(
        repo.read("deploy.yaml").contains("password: '${"),
        "{}",
        repo.read("deploy.yaml")
    );
    assert!(
        repo.read("svc.toml").contains("password = \"${"),
        "{}",
        repo.read("svc.toml")
    );
}

#[test]
fn a_value_that_cannot_be_read_exactly_is_left_for_a_person() {
    // An escape YAML does not define: no parser reads this file, so no value is guessed.
    let text = "smtp:\n  password: \"Zq8W\\qv2Lp9Xk3Rt7Yb4N\"\n";
    let repo = Repo::from_files(&[("deploy.yaml", text)]);
    let out = repo.leakless(&["migrate", "--apply", "--format", "json"]);
    let report = stdout(&out);
    assert_eq!(code(&out), 1, "a manual step remains: {report}");
    assert!(report.contains("cannot be read exactly"), "{report}");
    assert_eq!(repo.read("deploy.yaml"), text);
}

#[test]
fn the_example_file_blanks_every_secret_named_key() {
    let repo = Repo::from_files(&[(
        ".env",
        "PORT=3000\nDB_PASSWORD=hunter2\nAPP_SECRET=changeme\nSTRIPE_KEY=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\nPUBLIC_URL=https://shop.example\n", // leakless:allow
    )]);
    let out = repo.leakless(&["migrate", "--apply"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let example = repo.read(".env.example");
    assert_eq!(
        example,
        "PORT=3000\nDB_PASSWORD=\nAPP_SECRET=\nSTRIPE_KEY=\nPUBLIC_URL=https://shop.example\n"
    );
}

#[cfg(unix)]
#[test]
fn a_symlinked_env_local_is_written_through_inside_the_repository() {
    let repo = Repo::from_files(&[("app.yaml", "mail:\n  password: \"Na1Hedcm4pMbXDuCL1mHoOsF\"\n")]);
    let root = repo.root();
    std::fs::create_dir_all(root.join("secrets")).expect("mkdir");
    std::fs::write(root.join("secrets/local.env"), "PORT=1\n").expect("write");
    std::fs::write(root.join(".gitignore"), "secrets/\n").expect("write");
    std::os::unix::fs::symlink("secrets/local.env", root.join(".env.local")).expect("symlink");
    let out = repo.leakless(&["migrate", "--apply"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let meta = std::fs::symlink_metadata(root.join(".env.local")).expect("link");
    assert!(
        meta.file_type().is_symlink(),
        "the link is kept, not replaced by a copy"
    );
    let target = std::fs::read_to_string(root.join("secrets/local.env")).expect("target");
    assert!(
        target.starts_with("PORT=1\n") && target.contains("MAIL_PASSWORD=Na1Hedcm4pMbXDuCL1mHoOsF"),
        "{target}"
    );
}

#[cfg(unix)]
#[test]
fn a_symlinked_env_local_leading_outside_is_refused() {
    let repo = Repo::from_files(&[("app.yaml", "mail:\n  password: \"Na1Hedcm4pMbXDuCL1mHoOsF\"\n")]);
    let root = repo.root();
    let outside = root.parent().expect("parent").join("outside.env");
    std::fs::write(&outside, "X=1\n").expect("write");
    std::os::unix::fs::symlink(&outside, root.join(".env.local")).expect("symlink");
    let before = repo.read("app.yaml");
    let out = repo.leakless(&["migrate", "--apply"]);
    assert_eq!(code(&out), 2, "{}", stdout(&out));
    assert!(
        stdout(&out).contains("outside the repository"),
        "{}",
        stdout(&out)
    );
    assert_eq!(std::fs::read_to_string(&outside).expect("outside"), "X=1\n");
    assert_eq!(repo.read("app.yaml"), before, "the secret stays in its file");
    assert!(Path::new(&root.join(".env.local")).is_symlink());
}
