//! State shared by every listener and connection of one server.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use crate::control::index_row::IndexRow;
use crate::control::record::JournalStore;
use crate::feishu::FeishuState;
use crate::net::conn::Conn;
use crate::respond::fault::{ListenerKind, Scenario};
use crate::respond::gate::Gates;

/// Listener addresses as clients reach them.
#[derive(Debug, Clone)]
pub struct Endpoints {
    /// Host part of URLs (`127.0.0.1` unless bound elsewhere).
    pub host: String,
    /// Port of each listener.
    pub ports: HashMap<ListenerKind, u16>,
    /// A loopback port nothing listens on.
    pub refused_port: u16,
}

impl Endpoints {
    /// `scheme://host:port` of a listener.
    pub fn base_url(&self, l: ListenerKind) -> String {
        let scheme = if l.is_tls() { "https" } else { "http" };
        format!(
            "{scheme}://{}:{}",
            self.host,
            self.ports.get(&l).copied().unwrap_or(0)
        )
    }
}

/// Everything the request handlers share.
pub struct Shared {
    /// Registered scenarios by key.
    pub scenarios: RwLock<HashMap<String, Arc<Scenario>>>,
    /// The journals.
    pub journal: Arc<JournalStore>,
    /// Feishu emulation state.
    pub feishu: FeishuState,
    /// The `hold_until` gates, per case key.
    pub gates: Gates,
    /// Where listeners are.
    pub endpoints: Endpoints,
    /// Extra rows for the index page.
    pub index_rows: RwLock<Vec<IndexRow>>,
    /// TLS handshakes that failed, per listener.
    pub handshake_failures: Mutex<HashMap<ListenerKind, u64>>,
    /// Path of the test CA (PEM).
    pub ca_cert_path: PathBuf,
    /// Largest generated body served, in bytes.
    pub max_body_bytes: u64,
    /// The test CA as served to devices.
    pub ca: CaFiles,
    /// Token the control API requires, when it requires one.
    pub control_token: Option<String>,
    /// Listeners opened per case key (a bare origin for each case).
    pub origins: crate::net::origins::CaseOrigins,
}

/// The test CA as `/ca.pem` and `/ca.crt` serve it.
#[derive(Debug, Clone)]
pub struct CaFiles {
    /// PEM.
    pub pem: String,
    /// DER.
    pub der: Vec<u8>,
    /// SHA-256 fingerprint, `AB:CD:...`.
    pub fingerprint: String,
}

impl Shared {
    /// The scenario registered under `key`.
    pub fn scenario(&self, key: &str) -> Option<Arc<Scenario>> {
        self.scenarios
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(key)
            .cloned()
    }

    /// Register (or replace) a scenario; its per-case server state starts afresh.
    pub fn register(&self, key: &str, scenario: Scenario) {
        self.gates.reset(key);
        self.feishu.forget_case(key);
        self.scenarios
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key.to_string(), Arc::new(scenario));
    }

    /// Remove a scenario and its journal.
    pub fn unregister(&self, key: &str) -> bool {
        let had = self
            .scenarios
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key)
            .is_some();
        self.journal.forget(key);
        self.gates.reset(key);
        self.feishu.forget_case(key);
        had
    }

    /// Count a failed TLS handshake.
    pub fn handshake_failed(&self, l: ListenerKind) {
        *self
            .handshake_failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(l)
            .or_default() += 1;
    }
}

/// Keys must be `[A-Za-z0-9._-]+`, at most 200 characters.
pub fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 200
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}

/// One connection as the handlers see it.
pub struct ConnCtx {
    /// The socket.
    pub conn: Arc<Conn>,
    keys_seen: Mutex<HashSet<String>>,
    /// Requests served on it so far.
    pub requests: AtomicU64,
    /// The local port it was accepted on (what tells a case origin's requests apart).
    pub local_port: Option<u16>,
}

impl ConnCtx {
    /// Context for a new connection.
    pub fn new(conn: Arc<Conn>) -> Arc<ConnCtx> {
        Arc::new(ConnCtx {
            local_port: conn.local_port(),
            conn,
            keys_seen: Mutex::new(HashSet::new()),
            requests: AtomicU64::new(0),
        })
    }

    /// Count this connection once for `key`.
    pub fn count_for(&self, key: &str, shared: &Shared) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        if self
            .keys_seen
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key.to_string())
        {
            shared.journal.count_connection(key);
        }
    }
}
