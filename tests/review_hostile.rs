//! Hostile-input review of the code added for issues 16 and 17: inputs a pull request or a job's
//! artifacts control must not make leakless hang, take quadratic time, or copy another file's
//! content into its output.

use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::scantest;
use crate::util::{git, TestCommand};

/// Random-looking 20-character token bodies from a fixed seed (xorshift), so rules flag each.
fn tokens(mut seed: u64) -> impl FnMut() -> String {
    const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    move || {
        (0..20)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                ALNUM[(seed % ALNUM.len() as u64) as usize] as char
            })
            .collect()
    }
}

/// Runs `cmd`, failing the test if it is still running after `limit` (a hang, or quadratic time
/// on an input where linear time takes seconds). Returns (exit code, stdout).
fn run_within(cmd: &mut TestCommand, limit: Duration) -> (i32, String) {
    let mut child = cmd
        .cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("run leakless");
    let mut stdout = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut stdout, &mut s);
        s
    });
    let start = Instant::now();
    let code = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status.code().unwrap_or(-1);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    (code, reader.join().expect("reader"))
}

// A chart whose values file holds 12,000 secrets under one parent, and templates that read other
// values. Every secret asked for its YAML path, its parent key and the templates reading it by
// walking the file (and reading every template) again: 56 s for 4,000 secrets in a debug build,
// about nine times that here. Now each file is read and indexed once.
scantest!(helm_values_with_thousands_of_secrets_plan_in_linear_time, |dir| {
    let root = dir.path();
    git(root, &["init", "-q"]);
    dir.create("chart/Chart.yaml", "apiVersion: v2\nname: app\nversion: 0.1.0\n");
    let mut token = tokens(0x5eed);
    let n = 12_000;
    let mut values = String::from("app:\n  creds:\n");
    for i in 0..n {
        values.push_str(&format!("    k{i}: glpat-{}\n", token()));
    }
    dir.create("chart/values.yaml", values);
    for t in 0..20 {
        let refs: String = (0..200)
            .map(|j| format!("  a{j}: {{{{ .Values.other.v{j} }}}}\n"))
            .collect();
        dir.create(
            &format!("chart/templates/t{t}.yaml"),
            format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n{refs}"),
        );
    }
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "chart"]);
    let mut cmd = dir.cmd();
    cmd.args(["migrate", "--to", "vault"]);
    let (code, out) = run_within(&mut cmd, Duration::from_secs(240));
    assert_eq!(code, 0, "{}", &out[..out.len().min(2000)]);
    let last = n - 1;
    assert!(
        out.contains(&format!(
            "Helm values (app.creds.k{last}): no template of this chart reads .Values.app.creds.k{last}"
        )),
        "{}",
        &out[..out.len().min(2000)]
    );
    // Each secret's site and its manual step name the path.
    assert!(out.matches("Helm values (app.creds.").count() >= n);
});

// `report merge` takes `NAME.error` files from job artifacts: a link must not make it copy
// another file's first line (a key, the runner's environment) into the merged report, nor a FIFO
// make it wait for a writer forever.
#[cfg(unix)]
scantest!(report_merge_reads_only_regular_error_files, |dir| {
    let root = dir.path();
    dir.create("outside/key.txt", "AKIA-not-a-real-key-but-private\n");
    dir.create("reports/ok.error", "clone failed: HTTP 404\n");
    std::os::unix::fs::symlink(root.join("outside/key.txt"), root.join("reports/link.error"))
        .expect("symlink");
    let fifo = root.join("reports/pipe.error");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    let mut cmd = dir.cmd();
    cmd.args(["report", "merge", "--keep-going", "-o", "merged.json"]);
    for name in ["link", "ok", "pipe"] {
        cmd.arg_path(&root.join(format!("reports/{name}.error")));
    }
    let (code, _) = run_within(&mut cmd, Duration::from_secs(60));
    assert_eq!(code, 0);
    let text = std::fs::read_to_string(root.join("merged.json")).expect("merged");
    assert!(!text.contains("not-a-real-key"), "{text}");
    let merged: serde_json::Value = serde_json::from_str(&text).expect("json");
    let failed: Vec<(String, String)> = merged["repositories"]
        .as_array()
        .expect("repositories")
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap_or_default().to_string(),
                r["failed"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(failed.len(), 3, "{failed:?}");
    assert!(
        failed
            .iter()
            .any(|(n, w)| n == "ok" && w == "clone failed: HTTP 404"),
        "{failed:?}"
    );
    for (n, w) in &failed {
        if n != "ok" {
            assert!(w.contains("not a regular file"), "{n}: {w}");
        }
    }
});

// Thousands of secrets that want the same store key (a Secret per service, each with a `token`
// that cannot be migrated automatically): each went to the next free KEY_N by probing KEY,
// KEY_2, ... from the start, quadratic (3,000 took 31.6 s in a debug build, 8,000 would take
// about four minutes; now 2.2 s and a few seconds). An equal value still shares its item.
scantest!(thousands_of_secrets_under_one_name_plan_in_linear_time, |dir| {
    let root = dir.path();
    git(root, &["init", "-q"]);
    let mut token = tokens(0xfeed);
    // 8,000 Secrets: just under the 1 MiB a manifest may have.
    let n = 8_000;
    let first = token();
    let mut text = String::new();
    for i in 0..n {
        let t = if i < 2 { first.clone() } else { token() };
        // The binary value leaves each Secret to a person; its token is still moved.
        text.push_str(&format!(
            "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s{i}\ndata:\n  bin: //79\nstringData:\n  token: glpat-{t}\n"
        ));
    }
    dir.create("k8s/secrets.yaml", text);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "secrets"]);
    let mut cmd = dir.cmd();
    cmd.args(["migrate", "--to", "vault"]);
    let (code, out) = run_within(&mut cmd, Duration::from_secs(120));
    assert_eq!(code, 0, "{}", &out[..out.len().min(2000)]);
    assert_eq!(
        out.matches("\n  [plan] TOKEN").count(),
        n - 1,
        "one item per value"
    );
    assert!(out.contains(&format!("[plan] TOKEN_{} (", n - 1)));
    assert!(!out.contains(&format!("[plan] TOKEN_{} (", n)));
});
