//! Fault-injecting HTTP/HTTPS mock server for mini-program file transfer conformance tests.
//!
//! The fault vocabulary ([`respond::fault`]) belongs here; specs name faults from it and
//! the harness composes them. Dependency direction: harness -> mock-server.

// Layers, from the socket up: listeners and TLS, routing and the URL grammar, responders and
// faults, the Feishu emulation, control and journal.
pub mod control;
pub mod feishu;
pub mod net;
pub mod respond;
pub mod routing;
pub mod state;

pub use control::index_row::IndexRow;
pub use control::journal::{CaseJournal, ConnectionEnd, RequestRecord, UploadRecord};
pub use net::origins::CaseOrigin;
pub use respond::fault::{CATALOG, Fault, FaultInfo, ListenerKind, RedirectTo, Scenario, Target};
pub use routing::url_grammar::GrammarError;

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

use crate::control::record::JournalStore;
use crate::feishu::FeishuState;
use crate::state::{Endpoints, Shared};

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
    /// What serving to a device needs: advertised host, fixed ports, control token.
    pub device: DeviceConfig,
    /// Largest generated body served, in bytes; a scenario asking for more gets a 400.
    pub max_body_bytes: u64,
    /// At most this many case origins open at once; opening one more closes the oldest.
    pub max_case_origins: usize,
}

/// The default of [`ServerConfig::max_body_bytes`]: 64 GiB, far past any platform's limit.
pub const DEFAULT_MAX_BODY_BYTES: u64 = 64 << 30;

/// Serving to a device on the network: how it names the server, where each listener is, and
/// the token that guards the control API.
#[derive(Debug, Clone, Default)]
pub struct DeviceConfig {
    /// Host name or address a device uses to reach the server (default: the bind address); it
    /// goes into every URL and into the valid certificates' names.
    pub advertise: Option<String>,
    /// Fixed port per listener; listeners not named take `http_port` (plain HTTP) or a free port.
    pub ports: HashMap<ListenerKind, u16>,
    /// Fixed port for connection-refused URLs (checked free at start), else any free port.
    pub refused_port: Option<u16>,
    /// Token the control API requires; `None`: one is made up when bound beyond 127.0.0.1/::1.
    pub control_token: Option<String>,
}

impl ServerConfig {
    /// Loopback, any free port, 1000 records per key, certificates written to `state_dir`.
    pub fn new(state_dir: impl Into<PathBuf>) -> Self {
        ServerConfig {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            http_port: 0,
            state_dir: state_dir.into(),
            journal_limit: 1000,
            device: DeviceConfig::default(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_case_origins: net::origins::DEFAULT_MAX_OPEN,
        }
    }
}

/// A running server.
pub struct MockServer {
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
    ca_cert_path: PathBuf,
    untrusted_ca_path: PathBuf,
}

/// Name of the test CA file in the state folder.
pub const CA_FILE: &str = net::tls::CA_FILE;
/// Name of the untrusted CA file in the state folder (clients must not trust it).
pub const UNTRUSTED_CA_FILE: &str = "untrusted-ca.pem";

fn url_host(ip: IpAddr) -> String {
    match ip {
        // Listeners on every interface are still reached through loopback in URLs.
        IpAddr::V4(v4) if v4.is_unspecified() => "127.0.0.1".into(),
        IpAddr::V6(v6) if v6.is_unspecified() => "127.0.0.1".into(),
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    }
}

fn dns_label(key: &str) -> String {
    let label: String = key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .take(63)
        .collect();
    let label = label.trim_matches('-').to_string();
    if label.is_empty() {
        "case".into()
    } else {
        label
    }
}

/// What serves a case origin's listener: the accept loop of every listener, on the server's state.
fn origin_spawner(shared: std::sync::Weak<Shared>) -> net::origins::Spawn {
    Box::new(move |listener, kind, tls, stop| match shared.upgrade() {
        Some(shared) => tokio::spawn(net::listener::run(listener, kind, tls, shared, stop)),
        // The server is gone: nothing is served, and the listener closes as it is dropped.
        None => tokio::spawn(async {}),
    })
}

impl MockServer {
    /// Start every listener.
    pub async fn start(config: ServerConfig) -> Result<MockServer, ServerError> {
        if !config.bind.is_loopback() {
            tracing::warn!(bind = %config.bind, "listening beyond loopback: anyone on the network can reach the mock server");
        }
        let test_ca = net::tls::load_or_make_test_ca(&config.state_dir)
            .map_err(|e| ServerError::Certificates(e.to_string()))?;
        let host = match &config.device.advertise {
            Some(h) => net::ports::url_host_name(h),
            None => url_host(config.bind),
        };
        let names = net::tls::good_names(Some(&host));
        let certs = net::tls::make_cert_set(&test_ca, &names)
            .map_err(|e| ServerError::Certificates(e.to_string()))?;
        std::fs::create_dir_all(&config.state_dir)?;
        let ca_cert_path = config.state_dir.join(CA_FILE);
        let untrusted_ca_path = config.state_dir.join(UNTRUSTED_CA_FILE);
        std::fs::write(&untrusted_ca_path, &certs.untrusted_ca_pem)?;

        let mut bound = Vec::new();
        let mut ports = HashMap::new();
        let mut https_acceptor = None;
        let mut bad_acceptors = Vec::new();
        for kind in ListenerKind::ALL {
            let port = match config.device.ports.get(&kind) {
                Some(p) => *p,
                None if kind == ListenerKind::Http => config.http_port,
                None => 0,
            };
            let addr = SocketAddr::new(config.bind, port);
            let l = TcpListener::bind(addr)
                .await
                .map_err(|source| ServerError::Bind {
                    what: format!("{kind:?} on {addr}"),
                    source,
                })?;
            ports.insert(kind, l.local_addr()?.port());
            let tls = match certs.leaves.iter().find(|(k, _)| *k == kind) {
                Some((_, cert)) => Some(TlsAcceptor::from(
                    net::tls::server_config(cert, kind == ListenerKind::Https)
                        .map_err(|e| ServerError::Certificates(e.to_string()))?,
                )),
                None => None,
            };
            if kind == ListenerKind::Https {
                https_acceptor = tls.clone();
            } else if let Some(acceptor) = &tls {
                bad_acceptors.push((kind, acceptor.clone()));
            }
            bound.push((kind, l, tls));
        }
        // A port that was bound and released: nothing listens there now, so connecting is refused.
        let refused_port = net::ports::refused_port(config.bind, config.device.refused_port)
            .map_err(|source| ServerError::Bind {
                what: "the connection-refused port".into(),
                source,
            })?;
        let control_token = match &config.device.control_token {
            Some(t) => Some(t.clone()),
            None if control::token::required(config.bind) => Some(control::token::make()?),
            None => None,
        };
        let https_acceptor = https_acceptor
            .ok_or_else(|| ServerError::Certificates("no certificate for https".into()))?;
        let (bind, origin_host, max_case_origins) =
            (config.bind, host.clone(), config.max_case_origins);
        // The origins' listeners serve the same state they are part of, so they hold it weakly.
        let shared = Arc::new_cyclic(|weak: &std::sync::Weak<Shared>| Shared {
            origins: net::origins::CaseOrigins::new(
                bind,
                origin_host,
                https_acceptor,
                max_case_origins,
                origin_spawner(weak.clone()),
            )
            .with_bad_certificates(bad_acceptors),
            scenarios: RwLock::new(HashMap::new()),
            journal: JournalStore::new(config.journal_limit),
            feishu: FeishuState::new(),
            gates: Default::default(),
            endpoints: Endpoints {
                host,
                ports,
                refused_port,
            },
            index_rows: RwLock::new(Vec::new()),
            handshake_failures: Mutex::new(HashMap::new()),
            ca_cert_path: ca_cert_path.clone(),
            max_body_bytes: config.max_body_bytes,
            ca: state::CaFiles {
                pem: test_ca.pem.clone(),
                der: test_ca.der.clone(),
                fingerprint: test_ca.fingerprint(),
            },
            control_token,
        });
        let (stop, stop_rx) = watch::channel(false);
        let tasks = bound
            .into_iter()
            .map(|(kind, l, tls)| {
                tokio::spawn(net::listener::run(
                    l,
                    kind,
                    tls,
                    shared.clone(),
                    stop_rx.clone(),
                ))
            })
            .collect();
        Ok(MockServer {
            shared,
            stop,
            tasks: Mutex::new(tasks),
            ca_cert_path,
            untrusted_ca_path,
        })
    }

    /// Base URL (scheme, host, port) of one listener, e.g. `https://127.0.0.1:40123`.
    pub fn base_url(&self, listener: ListenerKind) -> String {
        self.shared.endpoints.base_url(listener)
    }

    /// Register the scenario served under `/c/<key>/...`; keys are `[A-Za-z0-9._-]+`.
    /// Invalid keys are refused with a warning; use [`MockServer::try_register`] to see why.
    pub fn register(&self, key: &str, scenario: Scenario) {
        if let Err(e) = self.try_register(key, scenario) {
            tracing::warn!(key, error = %e, "scenario not registered");
        }
    }

    /// Register a scenario, saying why when the key or the scenario is not servable.
    pub fn try_register(&self, key: &str, scenario: Scenario) -> Result<(), String> {
        if !state::valid_key(key) {
            return Err(format!("key `{key}` must be [A-Za-z0-9._-]+"));
        }
        // Generated bodies are not hashed here: small ones are hashed before their head, large ones
        // while they stream, so a body nobody reads costs nothing.
        respond::Plan::from_scenario(&scenario).map_err(|e| e.to_string())?;
        respond::plan::check_body_size(&scenario, self.shared.max_body_bytes)
            .map_err(|e| e.to_string())?;
        self.shared.register(key, scenario);
        Ok(())
    }

    /// Remove the scenario registered under `key` and forget its journal.
    pub fn unregister(&self, key: &str) {
        self.shared.unregister(key);
    }

    /// The origins of `key`'s own listeners (plain and TLS), opened on first use: every request
    /// there belongs to `key` as if its path began with `/c/<key>`. At most
    /// [`ServerConfig::max_case_origins`] stay open; opening one more closes the oldest.
    pub fn open_origin(&self, key: &str) -> Result<CaseOrigin, String> {
        if !state::valid_key(key) {
            return Err(format!("key `{key}` must be [A-Za-z0-9._-]+"));
        }
        self.shared.origins.open(key).map_err(|e| e.to_string())
    }

    /// The origin of `key` on a listener of `kind` of its own: the plain or good TLS one of
    /// [`MockServer::open_origin`], or one with that kind's bad certificate, so that a client
    /// that accepts the certificate anyway is seen reaching this case.
    pub fn open_origin_on(&self, key: &str, kind: ListenerKind) -> Result<String, String> {
        if !state::valid_key(key) {
            return Err(format!("key `{key}` must be [A-Za-z0-9._-]+"));
        }
        self.shared
            .origins
            .open_on(key, kind)
            .map_err(|e| e.to_string())
    }

    /// Close `key`'s own listeners and their connections; `false` when none were open.
    pub fn close_origin(&self, key: &str) -> bool {
        self.shared.origins.close(key)
    }

    /// How many case origins are open.
    pub fn open_origins(&self) -> usize {
        self.shared.origins.open_count()
    }

    /// URL that reaches the scenario registered under `key` on its target, ending in `file_name`.
    /// For `dns-failure` a `.invalid` host, for `connection-refused` a closed loopback port.
    pub fn case_url(&self, key: &str, target: Target, file_name: &str) -> String {
        let file =
            percent_encoding::utf8_percent_encode(file_name, percent_encoding::NON_ALPHANUMERIC)
                .to_string();
        let file = file
            .replace("%2E", ".")
            .replace("%2D", "-")
            .replace("%5F", "_");
        match target.listener() {
            Some(l) => format!("{}/c/{key}/{file}", self.base_url(l)),
            None if target == Target::DnsFailure => format!(
                "https://{}.dlconform.invalid/c/{key}/{file}",
                dns_label(key)
            ),
            // https, so that a release build's scheme check passes and the failure is the refusal itself.
            None => format!(
                "https://{}:{}/c/{key}/{file}",
                self.shared.endpoints.host, self.shared.endpoints.refused_port
            ),
        }
    }

    /// URL of `scenario` through the URL grammar on `listener` (no registration needed).
    pub fn grammar_url(
        &self,
        listener: ListenerKind,
        scenario: &Scenario,
        file_name: &str,
    ) -> String {
        let q = scenario.to_query();
        let file =
            percent_encoding::utf8_percent_encode(file_name, percent_encoding::NON_ALPHANUMERIC)
                .to_string();
        let file = file
            .replace("%2E", ".")
            .replace("%2D", "-")
            .replace("%5F", "_");
        if q.is_empty() {
            format!("{}/f/{file}", self.base_url(listener))
        } else {
            format!("{}/f/{file}?{q}", self.base_url(listener))
        }
    }

    /// What the server saw for `key` so far, credentials included (served copies go through
    /// [`control::record::redacted`]).
    pub fn journal(&self, key: &str) -> CaseJournal {
        self.shared.journal.get(key)
    }

    /// Watch the body bytes the server has written for `key` (all its requests together), as
    /// they are written: what "after N bytes" triggers wait on.
    pub fn bytes_sent_watch(&self, key: &str) -> tokio::sync::watch::Receiver<u64> {
        self.shared.journal.bytes_sent_watch(key)
    }

    /// TLS handshakes that failed on `listener` (bad-certificate listeners count rejected clients here).
    pub fn handshake_failures(&self, listener: ListenerKind) -> u64 {
        self.shared
            .handshake_failures
            .lock()
            .map(|m| m.get(&listener).copied().unwrap_or(0))
            .unwrap_or(0)
    }

    /// Path of the test CA certificate (PEM) clients should trust.
    pub fn ca_cert_path(&self) -> &Path {
        &self.ca_cert_path
    }

    /// Path of the CA (PEM) that signed the `untrusted-ca` listener's certificate.
    pub fn untrusted_ca_path(&self) -> &Path {
        &self.untrusted_ca_path
    }

    /// Base URL of the control API.
    pub fn control_url(&self) -> String {
        format!("{}/_control", self.base_url(ListenerKind::Http))
    }

    /// A port with nothing listening.
    pub fn refused_port(&self) -> u16 {
        self.shared.endpoints.refused_port
    }

    /// Host part of every URL: the advertised host, else the bind address.
    pub fn host(&self) -> &str {
        &self.shared.endpoints.host
    }

    /// SHA-256 fingerprint of the test CA, `AB:CD:...`.
    pub fn ca_fingerprint(&self) -> &str {
        &self.shared.ca.fingerprint
    }

    /// The token the control API requires (`Authorization: Bearer <token>`), when it requires one.
    pub fn control_token(&self) -> Option<&str> {
        self.shared.control_token.as_deref()
    }

    /// Where everything is, as JSON for a ready file: listeners (name to base URL), host, the CA
    /// (path, download URLs, fingerprint), control URL and token, index URL, refused port.
    pub fn ready_document(&self) -> serde_json::Value {
        let listeners = crate::respond::serve::listener_urls(&self.shared.endpoints);
        let http = self.base_url(ListenerKind::Http);
        serde_json::json!({
            "listeners": listeners,
            "host": self.host(),
            "ca_cert": self.ca_cert_path().display().to_string(),
            "ca_pem": format!("{http}/ca.pem"),
            "ca_crt": format!("{http}/ca.crt"),
            "ca_install": format!("{http}/ca"),
            "ca_sha256": self.ca_fingerprint(),
            "control": self.control_url(),
            "control_token": self.control_token(),
            "index": format!("{http}/"),
            "refused_port": self.refused_port(),
        })
    }

    /// Replace the extra rows (platform behaviours) shown on the index page.
    pub fn set_index_rows(&self, rows: Vec<IndexRow>) {
        if let Ok(mut r) = self.shared.index_rows.write() {
            *r = rows;
        }
    }

    /// Stop every listener and drop open connections.
    pub async fn shutdown(self) {
        self.shared.journal.shutting_down();
        self.shared.origins.close_all();
        let _ = self.stop.send(true);
        let tasks = std::mem::take(&mut *self.tasks.lock().unwrap_or_else(|e| e.into_inner()));
        for t in tasks {
            let _ = t.await;
        }
    }
}
