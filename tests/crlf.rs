//! Files with CRLF line endings (Windows checkouts, `core.autocrlf`): findings carry the same line
//! and columns as in an LF file, no `\r` reaches a secret, a preview or the terminal, and
//! `migrate` keeps CRLF in every file it rewrites or extends.

use crate::migrate::Repo;
use crate::util::{git, hits, TestDir};

const TOKEN: &str = "Zq4W8mR2xT6yK1pN9vB3cL7dF5hJ0s38"; // a generic secret value
const STRIPE: &str = "sk_live_4eC39HqLyjWDarjtT1zdp7dcA3kF9xQz";

/// The same files with LF and with CRLF endings.
fn files(eol: &str) -> Vec<(&'static str, String)> {
    let text = |lines: &[&str]| lines.iter().map(|l| format!("{l}{eol}")).collect::<String>();
    vec![
        (
            "app.env",
            text(&[
                "LOG=info",
                &format!("BILLING_API_TOKEN={TOKEN}"),
                "DB_PASSWORD=Xk9mQ2vLp7wZr4",
            ]),
        ),
        (
            "config.yaml",
            text(&[
                "a: 1",
                &format!("billing_secret: {TOKEN}"),
                "c: 2",
                &format!("stripe: {STRIPE}"),
                &format!("ignored: {STRIPE} # leakless:allow"),
            ]),
        ),
        (
            "settings.py",
            text(&[
                "import os",
                "",
                &format!("API_TOKEN = \"{TOKEN}\""),
                "DEBUG = True",
            ]),
        ),
    ]
}

/// `(rule, path, line, column, end_column, secret)` of every finding, sorted.
fn findings(v: &serde_json::Value) -> Vec<(String, String, u64, u64, u64, String)> {
    let mut out = Vec::new();
    for f in v["findings"].as_array().expect("findings") {
        for l in f["locations"].as_array().expect("locations") {
            out.push((
                f["rule_id"].as_str().expect("rule").to_string(),
                l["path"].as_str().expect("path").to_string(),
                l["line"].as_u64().expect("line"),
                l["column"].as_u64().expect("column"),
                l["end_column"].as_u64().expect("end_column"),
                f["secret"].as_str().unwrap_or_default().to_string(),
            ));
        }
    }
    out.sort();
    out
}

#[test]
fn crlf_files_give_the_same_findings_as_lf_files() {
    let scan = |eol: &str| {
        let dir = TestDir::new();
        for (path, text) in files(eol) {
            dir.create(path, text);
        }
        let (code, v) = dir.cmd().args(["scan", ".", "--no-ignore", "--no-redact"]).json();
        assert_eq!(code, 1, "{v}");
        (dir, findings(&v))
    };
    let (_lf_dir, lf) = scan("\n");
    let (dir, crlf) = scan("\r\n");
    assert!(lf.len() >= 5, "{lf:#?}");
    assert_eq!(crlf, lf, "CRLF and LF files give the same findings");
    for f in &crlf {
        assert!(!f.5.contains('\r'), "no CR in the secret: {f:?}");
    }
    // Lines as written (1-based), the allowlisted line 5 of config.yaml not reported.
    let lines: Vec<(&str, u64)> = crlf.iter().map(|f| (f.1.as_str(), f.2)).collect();
    for want in [
        ("app.env", 2),
        ("app.env", 3),
        ("config.yaml", 2),
        ("config.yaml", 4),
        ("settings.py", 3),
    ] {
        assert!(lines.contains(&want), "{want:?} in {lines:?}");
    }
    assert!(
        !lines.contains(&("config.yaml", 5)),
        "leakless:allow on a CRLF line"
    );

    // No carriage return reaches the terminal or a report that shows lines.
    for format in ["text", "jsonl", "github", "sarif", "junit"] {
        let (code, out, err) = dir
            .cmd()
            .args([
                "scan",
                ".",
                "--no-ignore",
                "--no-redact",
                "--color",
                "never",
                "-f",
                format,
            ])
            .run();
        assert_eq!(code, 1, "{format}: {err}");
        assert!(!out.contains('\r'), "{format} output holds a CR: {out:?}");
    }
}

#[test]
fn crlf_commits_give_the_same_lines_in_history_and_staged_scans() {
    let dir = TestDir::new();
    for (path, text) in files("\r\n") {
        dir.create(path, text);
    }
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["config", "core.autocrlf", "false"]);
    git(dir.path(), &["add", "-A"]);
    let (code, staged) = dir.cmd().args(["scan", "--staged", "."]).json();
    assert_eq!(code, 1, "{staged}");
    git(dir.path(), &["commit", "-qm", "crlf"]);
    let (code, history) = dir.cmd().args(["scan", "--history", "."]).json();
    assert_eq!(code, 1, "{history}");
    let (code, tree) = dir.cmd().args(["scan", "."]).json();
    assert_eq!(code, 1, "{tree}");
    let t = hits(&tree);
    assert!(
        t.contains(&("stripe-live-secret-key".into(), "config.yaml".into(), 4)),
        "{t:?}"
    );
    assert_eq!(hits(&history), t, "history scan of CRLF blobs");
    assert_eq!(hits(&staged), t, "staged scan of CRLF blobs");
}

/// Every `\n` in `text` ends a CRLF pair.
fn all_crlf(text: &str) -> bool {
    text.match_indices('\n')
        .all(|(i, _)| i > 0 && text.as_bytes()[i - 1] == b'\r')
}

#[test]
fn migrate_keeps_crlf_in_rewritten_and_extended_files() {
    let repo = Repo::from_files(&[
        (".gitignore", "node_modules/\r\ndist/\r\n"),
        (
            "app.yaml",
            "mail:\r\n  host: smtp.example\r\n  password: \"Na1Hedcm4pMbXDuCL1mHoOsF\"\r\n  port: 25\r\n",
        ),
        (
            ".env",
            &format!("PORT=3000\r\nSTRIPE_SECRET_KEY={STRIPE}\r\nDEBUG=1\r\n"),
        ),
        (
            "settings.py",
            &format!("import os\r\n\r\nAPI_TOKEN = \"{TOKEN}\"\r\nDEBUG = True\r\n"),
        ),
        (
            "app.js",
            &format!(
                "const x = 1;\r\nconst apiToken = \"{}\";\r\n",
                &TOKEN.replace('8', "7")
            ),
        ),
    ]);
    let out = repo.leakless(&["migrate", "--apply"]);
    let report = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(0), "{report}");
    for (path, reference) in [
        ("app.yaml", "password: \"${MAIL_PASSWORD}\"\r\n"),
        ("settings.py", "API_TOKEN = os.environ[\"API_TOKEN"),
        ("app.js", " = process.env."),
        (".env.example", "STRIPE_SECRET_KEY=\r\n"),
        (".gitignore", "dist/\r\n"),
    ] {
        let text = repo.read(path);
        assert!(text.contains(reference), "{path}: {text:?}");
        assert!(all_crlf(&text), "{path} keeps CRLF: {text:?}");
        assert!(!text.contains(TOKEN) && !text.contains(STRIPE), "{path}");
    }
    let gitignore = repo.read(".gitignore");
    assert!(
        gitignore.contains("# leakless migrate: local secret files stay out of git\r\n"),
        "{gitignore:?}"
    );
    assert_eq!(
        repo.read("app.yaml").lines().count(),
        4,
        "one line replaced, none added or merged"
    );
}
