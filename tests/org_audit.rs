//! The organisation audit on job engines: `scripts/org_audit.py` lists repositories from a
//! stand-in for the GitHub API (pagination, archived and forked repositories left out, the token
//! sent) and builds the matrix; each shard runs `leakless audit --shard` as a matrix job would,
//! its reports are gathered as the artifacts would be, and the merge job's commands produce the
//! whole report. The workflow passes actionlint, zizmor and the workflow schema; the Kubernetes
//! manifests pass `kubernetes-validate`.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::scantest;
use crate::util::{external_tool, git};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const RULES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/test-rules.toml");

/// Kills the stand-in server when the test ends.
struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

scantest!(org_audit_lists_fans_out_and_merges, |dir| {
    // 130 repositories in the API (two pages of 100): 5 real ones, the rest archived or forks.
    let mut api = Vec::new();
    for i in 0..130 {
        let name = format!("r{i:03}");
        let real = i % 26 == 0;
        if real {
            let p = dir.path().join("src").join(&name);
            std::fs::create_dir_all(&p).expect("mkdir");
            git(&p, &["init", "-q", "-b", "main"]);
            std::fs::write(p.join("app.cfg"), format!("key = tok_k3j9x8q2m7w1p{i:03}\n")).expect("write");
            git(&p, &["add", "."]);
            git(&p, &["commit", "-q", "-m", "config"]);
        }
        api.push(serde_json::json!({
            "name": name, "archived": !real && i % 2 == 0, "fork": !real && i % 2 == 1,
            "clone_url": format!("file://{}/src/{name}", dir.path().display()),
        }));
    }
    dir.create("api.json", serde_json::to_vec(&api).expect("json"));
    let mut child = Command::new("python3")
        .arg(format!("{ROOT}/tests/support/github_api.py"))
        .arg(dir.path().join("api.json"))
        .arg("t0ken")
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the API stand-in");
    let mut port = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut port)
        .expect("port");
    let _server = Server(child);
    let api_url = format!("http://127.0.0.1:{}", port.trim());
    let script = format!("{ROOT}/scripts/org_audit.py");
    let run = |args: &[&str], token: &str| {
        Command::new("python3")
            .arg(&script)
            .args(args)
            .env("GITHUB_TOKEN", token)
            .current_dir(dir.path())
            .output()
            .expect("run org_audit.py")
    };
    let denied = run(
        &["list", "--org", "acme", "--api", &api_url, "-o", "repos.txt"],
        "wrong",
    );
    assert!(!denied.status.success(), "a bad token fails the listing");
    let out = run(
        &["list", "--org", "acme", "--api", &api_url, "-o", "repos.txt"],
        "t0ken",
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let repos = std::fs::read_to_string(dir.path().join("repos.txt")).expect("repos.txt");
    assert_eq!(
        repos.lines().count(),
        5,
        "archived and forked repositories are left out: {repos}"
    );
    let out = run(&["matrix", "--repos", "repos.txt", "--chunk-size", "2"], "");
    let matrix: serde_json::Value = serde_json::from_slice(&out.stdout).expect("matrix JSON");
    assert_eq!(matrix, serde_json::json!({"shard": ["0/3", "1/3", "2/3"]}));
    // One repository cannot be cloned: its shard reports it in a `.error` artifact.
    std::fs::remove_dir_all(dir.path().join("src/r026")).expect("rm");
    // Each matrix job; then the artifacts, downloaded into one directory (merge-multiple).
    let artifacts = dir.path().join("artifacts");
    std::fs::create_dir_all(&artifacts).expect("mkdir");
    for shard in matrix["shard"].as_array().expect("shards") {
        let shard = shard.as_str().expect("shard");
        let out_dir = format!("shard-{}", &shard[..1]);
        let (code, _, err) = dir
            .cmd()
            .args(["audit", "--repos", "repos.txt", "--shard", shard, "-o", &out_dir])
            .args(["--no-builtin-rules", "--rules", RULES])
            .run();
        assert_eq!(code, if shard == "1/3" { 2 } else { 1 }, "{shard}: {err}");
        for e in std::fs::read_dir(dir.path().join(&out_dir).join("repos")).expect("reports") {
            let p = e.expect("entry").path();
            std::fs::copy(&p, artifacts.join(p.file_name().expect("name"))).expect("gather");
        }
    }
    // A stale `.error` beside a report (an earlier failed run): the report wins.
    std::fs::write(artifacts.join("r000.error"), "clone failed: earlier\n").expect("write");
    // The merge job (`reports/*.json reports/*.error`).
    let mut reports: Vec<_> = std::fs::read_dir(&artifacts)
        .expect("dir")
        .map(|e| e.expect("e").path())
        .collect();
    reports.sort();
    assert_eq!(reports.len(), 6, "{reports:?}");
    assert!(artifacts.join("r026.error").is_file());
    let (code, _, err) = dir
        .cmd()
        .args(["report", "merge", "--keep-going", "-o", "audit.json"])
        .args(&reports)
        .run();
    assert_eq!(code, 1, "{err}");
    let merged: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("audit.json")).expect("merged")).expect("json");
    assert_eq!(merged["findings"].as_array().expect("findings").len(), 4);
    let repos = merged["repositories"].as_array().expect("repos");
    assert_eq!(repos.len(), 5, "{merged}");
    let failed: Vec<_> = repos.iter().filter(|r| r["failed"].is_string()).collect();
    assert_eq!(failed.len(), 1, "{repos:?}");
    assert_eq!(failed[0]["name"], "r026");
    assert!(
        failed[0]["failed"]
            .as_str()
            .expect("why")
            .starts_with("clone failed"),
        "{failed:?}"
    );
    for format in ["html", "sarif", "markdown"] {
        let (code, out, err) = dir.cmd().args(["report", "audit.json", "-f", format]).run();
        assert_eq!(code, 1, "{format}: {err}");
        assert!(!out.is_empty());
    }
});

scantest!(org_audit_workflow_and_kubernetes_job_validate, |dir| {
    let _ = dir;
    let Some(venv) = external_tool("LEAKLESS_TEST_VENV") else {
        return;
    };
    let check = |tool: &str, args: &[&str]| {
        let o = Command::new(venv.join("bin").join(tool))
            .args(args)
            .current_dir(ROOT)
            .output()
            .unwrap_or_else(|e| panic!("{tool}: {e}"));
        assert!(
            o.status.success(),
            "{tool} {args:?}: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
    };
    check("actionlint", &[".github/workflows/org-audit.yml"]);
    check(
        "zizmor",
        &[
            "--offline",
            "--config",
            ".github/zizmor.yml",
            ".github/workflows/org-audit.yml",
        ],
    );
    check(
        "check-jsonschema",
        &[
            "--builtin-schema",
            "vendor.github-workflows",
            ".github/workflows/org-audit.yml",
        ],
    );
    check(
        "kubernetes-validate",
        &["--strict", "deploy/k8s/org-audit-job.yaml"],
    );
});
