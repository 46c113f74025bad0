//! Fault-injecting HTTP/HTTPS mock server for mini-program file transfer conformance tests.
//!
//! The fault vocabulary ([`fault`]) belongs here; specs name faults from it and
//! the harness composes them. Dependency direction: harness -> mock-server.

pub mod body;
pub mod fault;
pub mod feishu;
pub mod feishu_server;
pub mod journal;

pub use fault::{CATALOG, Fault, FaultInfo, ListenerKind, RedirectTo, Scenario, Target};
pub use journal::{CaseJournal, ConnectionEnd, RequestRecord, UploadRecord};

use std::net::IpAddr;
use std::path::{Path, PathBuf};

/// Errors starting or running the server.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// A listener could not bind.
    #[error("cannot bind {what}: {source}")]
    Bind {
        /// Which listener.
        what: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// Certificates could not be made or written.
    #[error("certificate setup failed: {0}")]
    Certificates(String),
    /// Any other I/O failure.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// How to start the server.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Address every listener binds to (127.0.0.1 unless asked otherwise).
    pub bind: IpAddr,
    /// Port of the plain HTTP listener (0: any free port). The others take free ports.
    pub http_port: u16,
    /// Folder where the test CA certificate (PEM) is written.
    pub state_dir: PathBuf,
    /// At most this many request records kept per case key.
    pub journal_limit: usize,
}

/// A running server. TEMPORARY STUB: the real implementation replaces these bodies.
pub struct MockServer {
    _private: (),
}

impl MockServer {
    /// Start every listener.
    pub async fn start(_config: ServerConfig) -> Result<MockServer, ServerError> {
        unimplemented!("mock server not built yet")
    }
    /// Base URL (scheme, host, port) of one listener, e.g. `https://127.0.0.1:40123`.
    pub fn base_url(&self, _listener: ListenerKind) -> String {
        unimplemented!()
    }
    /// Register the scenario served under `/c/<key>/...`; keys are `[A-Za-z0-9._-]+`.
    pub fn register(&self, _key: &str, _scenario: Scenario) {
        unimplemented!()
    }
    /// URL that reaches the scenario registered under `key` on its target, ending in `file_name`.
    /// For `dns-failure` a `.invalid` host, for `connection-refused` a closed loopback port.
    pub fn case_url(&self, _key: &str, _target: Target, _file_name: &str) -> String {
        unimplemented!()
    }
    /// What the server saw for `key` so far.
    pub fn journal(&self, _key: &str) -> CaseJournal {
        unimplemented!()
    }
    /// Path of the test CA certificate (PEM) clients should trust.
    pub fn ca_cert_path(&self) -> &Path {
        unimplemented!()
    }
    /// Stop every listener and drop open connections.
    pub async fn shutdown(self) {}
}
