//! A server on a runtime of its own, and curl run against it.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use mock_server::{CaseJournal, ConnectionEnd, ListenerKind, MockServer, ServerConfig};

/// A running server for one test.
pub struct TestServer {
    pub rt: tokio::runtime::Runtime,
    pub server: Option<MockServer>,
    pub dir: tempfile::TempDir,
}

impl TestServer {
    pub fn start() -> TestServer {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let server = rt
            .block_on(MockServer::start(ServerConfig::new(dir.path())))
            .unwrap();
        TestServer {
            rt,
            server: Some(server),
            dir,
        }
    }

    pub fn s(&self) -> &MockServer {
        self.server.as_ref().unwrap()
    }

    pub fn url(&self, listener: ListenerKind, path: &str) -> String {
        format!("{}{}", self.s().base_url(listener), path)
    }

    pub fn http(&self, path: &str) -> String {
        self.url(ListenerKind::Http, path)
    }

    pub fn ca(&self) -> PathBuf {
        self.s().ca_cert_path().to_path_buf()
    }

    /// The journal of `key` once `done` holds for it (or after 30 s).
    pub fn journal_when(&self, key: &str, done: impl Fn(&CaseJournal) -> bool) -> CaseJournal {
        let start = Instant::now();
        loop {
            let j = self.s().journal(key);
            if done(&j) || start.elapsed() > Duration::from_secs(30) {
                return j;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The journal of `key` once its first request has ended (no longer open).
    pub fn journal_ended(&self, key: &str) -> CaseJournal {
        self.journal_when(key, |j| {
            j.requests
                .first()
                .is_some_and(|r| r.end != ConnectionEnd::Open)
        })
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(s) = self.server.take() {
            self.rt.block_on(s.shutdown());
        }
    }
}

/// What curl did.
pub struct Curl {
    pub code: i32,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

/// Run curl with `args` (always silent with errors shown, bounded by --max-time 20 unless given).
pub fn curl(args: &[&str]) -> Curl {
    let mut cmd = Command::new("curl");
    cmd.args(["-sS"]);
    if !args.contains(&"--max-time") {
        cmd.args(["--max-time", "20"]);
    }
    cmd.args(args);
    let out = cmd.output().expect("curl runs");
    Curl {
        code: out.status.code().unwrap_or(-1),
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Hex SHA-256 of bytes.
pub fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}
