//! Local stand-ins for the services the store tests talk to, started one way everywhere.
//!
//! Every store test runs a server on 127.0.0.1 (a Python fake from `tests/support/`, moto, or an
//! OpenBao dev server), waits until it is ready, asks a second client (an official SDK, boto3,
//! the `bao` CLI) what it holds, and kills it at the end. Written out in each test module, that
//! plumbing drifted: some fixtures showed the server's log when a test failed and some did not,
//! and a fix in one was missing in the others. Here it is once:
//!
//! - [`Launch`] builds the command, with a private temporary directory for the server's log and
//!   any files it writes, and starts it: [`Launch::ready_line`] waits for the `READY <port>...`
//!   line the Python fakes print (tests/support/standin.py), [`Launch::until`] polls a probe (a
//!   health URL) for servers that print nothing useful.
//! - [`StandIn`] is the running server: its ports, its directory, its log and `GET` of its JSON
//!   state. Dropping it kills the server; when the test is failing, the server's log is printed.
//! - [`run_ok`] / [`run_json`] run a second client (an SDK script) and check and parse what it
//!   prints; [`python_script`] / [`python_inline`] build the usual Python ones.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use leakless::migrate::http::Client;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// How long a stand-in may take to come up.
const START_TIMEOUT: Duration = Duration::from_secs(20);

/// `tests/support/<name>`.
pub fn support(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/support")
        .join(name)
}

/// The test venv's Python (`LEAKLESS_TEST_PYTHON`), else `python3`: for fakes that need only the
/// standard library, so they run in a bare `cargo test` too.
pub fn python_or_system() -> PathBuf {
    std::env::var_os("LEAKLESS_TEST_PYTHON")
        .filter(|p| !p.is_empty())
        .map_or_else(|| PathBuf::from("python3"), PathBuf::from)
}

/// `python tests/support/<script>`: a second client kept as a script file.
pub fn python_script(python: &Path, script: &str) -> Command {
    let mut cmd = Command::new(python);
    cmd.arg(support(script));
    cmd
}

/// `python -c <prelude><script>`: a second client written in the test, after a prelude that
/// sets the client up.
pub fn python_inline(python: &Path, prelude: &str, script: &str) -> Command {
    let mut cmd = Command::new(python);
    cmd.arg("-c").arg(format!("{prelude}{script}"));
    cmd
}

/// A free 127.0.0.1 port (free when asked; a server binding it later can still lose a race).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind a free port")
        .local_addr()
        .expect("local addr")
        .port()
}

/// Runs `cmd` with `input` on standard input and its output captured.
pub fn output_with_stdin(cmd: &mut Command, input: &[u8]) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {:?}: {e}", cmd.get_program()));
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(input).expect("write stdin");
    drop(stdin);
    child.wait_with_output().expect("wait for the command")
}

/// Runs `cmd` (a second client, an SDK script, a checker) with `stdin`; fails the test with its
/// stderr unless it exits 0 (a stand-in alive in the test then prints its log as it drops).
/// Returns stdout.
pub fn run_ok(cmd: &mut Command, stdin: &str) -> String {
    let out = output_with_stdin(cmd, stdin.as_bytes());
    assert!(
        out.status.success(),
        "{:?} {:?} failed ({}):\n{}",
        cmd.get_program(),
        cmd.get_args().collect::<Vec<_>>(),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("the command's output is UTF-8")
}

/// [`run_ok`] whose stdout is one JSON document, parsed.
pub fn run_json<T: DeserializeOwned>(cmd: &mut Command, stdin: &str) -> T {
    let out = run_ok(cmd, stdin);
    serde_json::from_str(&out)
        .unwrap_or_else(|e| panic!("{:?} printed no JSON ({e}): {out}", cmd.get_program()))
}

/// A stand-in about to start: its command and its private directory.
pub struct Launch {
    what: String,
    cmd: Command,
    dir: tempfile::TempDir,
}

impl Launch {
    /// `program` as the stand-in `what` (named so in failures, e.g. "the Doppler stand-in").
    pub fn new(what: &str, program: impl AsRef<OsStr>) -> Self {
        let dir = tempfile::Builder::new()
            .prefix("leakless-standin-")
            .tempdir()
            .expect("tempdir");
        let mut cmd = Command::new(program);
        // The fakes import tests/support/standin.py: no __pycache__ in the source tree.
        cmd.stdin(Stdio::null()).env("PYTHONDONTWRITEBYTECODE", "1");
        Self {
            what: what.to_string(),
            cmd,
            dir,
        }
    }

    /// `python tests/support/<script>`.
    pub fn python(what: &str, python: &Path, script: &str) -> Self {
        Self::new(what, python).arg(support(script))
    }

    /// The stand-in's own directory (it holds `server.log`; put the files it writes here).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.cmd.arg(arg);
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.cmd.args(args);
        self
    }

    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.cmd.env(key, value);
        self
    }

    pub fn env_remove(mut self, key: impl AsRef<OsStr>) -> Self {
        self.cmd.env_remove(key);
        self
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("server.log")
    }

    fn spawn(mut self, stdout: Stdio, stderr: Stdio) -> StandIn {
        let child = self
            .cmd
            .stdout(stdout)
            .stderr(stderr)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {} ({:?}): {e}", self.what, self.cmd.get_program()));
        StandIn {
            log: self.log_path(),
            what: self.what,
            ports: Vec::new(),
            child,
            dir: self.dir,
        }
    }

    /// Starts it and waits for its `READY <port> [<port>...]` line with at least `ports` ports
    /// (stderr goes to the log). Kills it and fails the test with its log when the line does not
    /// come within 20 s.
    pub fn ready_line(self, ports: usize) -> StandIn {
        let log = std::fs::File::create(self.log_path()).expect("create the stand-in's log");
        let mut server = self.spawn(Stdio::piped(), Stdio::from(log));
        let stdout = server.child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(START_TIMEOUT).unwrap_or_default();
        let found: Option<Vec<u16>> = line
            .strip_prefix("READY ")
            .and_then(|rest| rest.split_whitespace().map(|p| p.parse().ok()).collect());
        match found {
            Some(found) if found.len() >= ports.max(1) => {
                server.ports = found;
                server
            }
            _ => {
                // Dropping `server` kills it and prints its log.
                panic!(
                    "{} did not come up within {} s (stdout: {line:?})",
                    server.what,
                    START_TIMEOUT.as_secs()
                );
            }
        }
    }

    /// Starts it (stdout and stderr to the log) and polls `ready` until it says yes. `Err` with
    /// the log when the server exits first or is not ready within 20 s (it is killed then).
    pub fn until(self, mut ready: impl FnMut() -> bool) -> Result<StandIn, String> {
        let log = std::fs::File::create(self.log_path()).expect("create the stand-in's log");
        let out = log.try_clone().expect("clone the log handle");
        let mut server = self.spawn(Stdio::from(out), Stdio::from(log));
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(format!("(exited with {status})\n{}", server.log()));
            }
            if ready() {
                return Ok(server);
            }
            if Instant::now() > deadline {
                server.kill();
                return Err(format!(
                    "(not ready after {} s)\n{}",
                    START_TIMEOUT.as_secs(),
                    server.log()
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// A running stand-in, killed when dropped (its log printed if the test is failing).
pub struct StandIn {
    what: String,
    ports: Vec<u16>,
    child: Child,
    log: PathBuf,
    dir: tempfile::TempDir,
}

impl StandIn {
    /// The first port of its READY line.
    pub fn port(&self) -> u16 {
        self.ports[0]
    }

    /// Every port of its READY line, in order.
    pub fn ports(&self) -> &[u16] {
        &self.ports
    }

    /// `http://127.0.0.1:<first port>`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port())
    }

    /// Its own directory (see [`Launch::dir`]).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Everything it has logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Kills it now (and waits for it), e.g. to make the store unreachable.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// `GET url` (a test hook such as `/__state`), which must answer 200 with JSON.
    pub fn get_json(&self, url: &str) -> Value {
        let resp = Client::new("stand-in")
            .send("GET", url, &[], None)
            .unwrap_or_else(|e| panic!("GET {url} on {}: {e}", self.what));
        assert_eq!(resp.status, 200, "GET {url} on {}", self.what);
        serde_json::from_slice(&resp.body).unwrap_or_else(|e| panic!("GET {url}: not JSON: {e}"))
    }

    /// `GET <url>/__state`: what a fake holds.
    pub fn state(&self) -> Value {
        self.get_json(&format!("{}/__state", self.url()))
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        self.kill();
        if std::thread::panicking() {
            eprintln!("{} log:\n{}", self.what, self.log());
        }
    }
}
