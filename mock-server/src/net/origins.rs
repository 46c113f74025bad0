//! Per-case origins: a plain and a TLS listener opened on demand for one case key, so that a
//! client taking a bare origin (a server SDK's `domain`) reaches that case without a `/c/<key>`
//! path prefix. Every request on them belongs to the key as if it carried the prefix. A case
//! may also open a listener with a bad certificate of its own ([`CaseOrigins::open_on`]), so that
//! a client that accepts it anyway is seen reaching that case, not a shared listener.

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Mutex, MutexGuard};

use serde::Serialize;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

use crate::respond::fault::ListenerKind;

/// Starts the accept loop of one listener until its stop flips (the server's, given by the
/// crate root, so that this module needs neither the shared state nor the router).
pub type Spawn = Box<
    dyn Fn(TcpListener, ListenerKind, Option<TlsAcceptor>, watch::Receiver<bool>) -> JoinHandle<()>
        + Send
        + Sync,
>;

/// Open case origins kept at once unless configured otherwise; opening one more closes the oldest.
pub const DEFAULT_MAX_OPEN: usize = 64;

/// Where one case's own listeners are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseOrigin {
    /// `http://host:port`, plain HTTP.
    pub http: String,
    /// `https://host:port`, signed by the test CA (HTTP/1.1 and HTTP/2).
    pub https: String,
}

impl CaseOrigin {
    /// The origin of `listener`: `https` for TLS listeners, `http` otherwise.
    pub fn for_listener(&self, listener: ListenerKind) -> &str {
        if listener.is_tls() {
            &self.https
        } else {
            &self.http
        }
    }
}

/// Why an origin could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OriginError {
    /// Binding a port failed.
    #[error("cannot open an origin for `{key}`: {source}")]
    Bind {
        /// The case key.
        key: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// The server has no certificate of that kind.
    #[error("no certificate for a {kind:?} listener")]
    NoCertificate {
        /// The listener kind asked for.
        kind: ListenerKind,
    },
    /// The case's origin was closed while a listener was being added.
    #[error("the origin of `{key}` was closed meanwhile")]
    Closed {
        /// The case key.
        key: String,
    },
}

struct Open {
    origin: CaseOrigin,
    /// Bad-certificate listeners opened for the case, by kind.
    others: HashMap<ListenerKind, String>,
    ports: Vec<u16>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

#[derive(Default)]
struct Inner {
    open: HashMap<String, Open>,
    /// Keys in the order they were opened, oldest first.
    order: VecDeque<String>,
    /// Local port -> key, for the router.
    by_port: HashMap<u16, String>,
}

/// Every open case origin of one server.
pub struct CaseOrigins {
    spawn: Spawn,
    bind: IpAddr,
    host: String,
    tls: TlsAcceptor,
    /// The bad certificates' acceptors, for [`CaseOrigins::open_on`].
    others: Vec<(ListenerKind, TlsAcceptor)>,
    max_open: usize,
    inner: Mutex<Inner>,
}

impl CaseOrigins {
    /// No origins open yet; new ones bind `bind`, are named by `host`, serve TLS with `tls` and
    /// are served by `spawn`.
    pub fn new(
        bind: IpAddr,
        host: String,
        tls: TlsAcceptor,
        max_open: usize,
        spawn: Spawn,
    ) -> CaseOrigins {
        CaseOrigins {
            spawn,
            bind,
            host,
            tls,
            others: Vec::new(),
            max_open: max_open.max(1),
            inner: Mutex::new(Inner::default()),
        }
    }

    /// Serve bad-certificate case listeners ([`CaseOrigins::open_on`]) with these acceptors.
    pub fn with_bad_certificates(mut self, others: Vec<(ListenerKind, TlsAcceptor)>) -> Self {
        self.others = others;
        self
    }

    /// The origin of `key` on `kind`: its plain or good TLS listener, or a listener of its own
    /// with that kind's bad certificate, opened on first use and closed with the others.
    pub fn open_on(&self, key: &str, kind: ListenerKind) -> Result<String, OriginError> {
        let origin = self.open(key)?;
        if matches!(kind, ListenerKind::Http | ListenerKind::Https) {
            return Ok(origin.for_listener(kind).to_string());
        }
        if let Some(url) = self.lock().open.get(key).and_then(|o| o.others.get(&kind)) {
            return Ok(url.clone());
        }
        let Some((_, acceptor)) = self.others.iter().find(|(k, _)| *k == kind) else {
            return Err(OriginError::NoCertificate { kind });
        };
        let (listener, port) = self.bind_one(key, kind)?;
        let mut inner = self.lock();
        let Some(open) = inner.open.get_mut(key) else {
            // Closed meanwhile: the listener is dropped unserved.
            return Err(OriginError::Closed {
                key: key.to_string(),
            });
        };
        if let Some(url) = open.others.get(&kind) {
            return Ok(url.clone());
        }
        let task = (self.spawn)(
            listener,
            kind,
            Some(acceptor.clone()),
            open.stop.subscribe(),
        );
        let url = format!("https://{}:{port}", self.host);
        open.tasks.push(task);
        open.ports.push(port);
        open.others.insert(kind, url.clone());
        inner.by_port.insert(port, key.to_string());
        Ok(url)
    }

    /// Bind one listener for `key` on any free port.
    fn bind_one(&self, key: &str, what: ListenerKind) -> Result<(TcpListener, u16), OriginError> {
        let err = |source| OriginError::Bind {
            key: key.to_string(),
            source,
        };
        let std_listener =
            std::net::TcpListener::bind(SocketAddr::new(self.bind, 0)).map_err(err)?;
        std_listener.set_nonblocking(true).map_err(err)?;
        let port = std_listener.local_addr().map_err(err)?.port();
        tracing::debug!(key, ?what, port, "case origin listening");
        Ok((TcpListener::from_std(std_listener).map_err(err)?, port))
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The case key whose origin listens on local `port`.
    pub fn key_of_port(&self, port: u16) -> Option<String> {
        self.lock().by_port.get(&port).cloned()
    }

    /// How many origins are open.
    pub fn open_count(&self) -> usize {
        self.lock().open.len()
    }

    /// The origin of `key`, opening it when it is not open; the oldest is closed past the bound.
    /// Must be called inside a tokio runtime.
    pub fn open(&self, key: &str) -> Result<CaseOrigin, OriginError> {
        if let Some(open) = self.lock().open.get(key) {
            return Ok(open.origin.clone());
        }
        let (http, http_port) = self.bind_one(key, ListenerKind::Http)?;
        let (https, https_port) = self.bind_one(key, ListenerKind::Https)?;
        let (stop, stop_rx) = watch::channel(false);
        let tasks = vec![
            (self.spawn)(http, ListenerKind::Http, None, stop_rx.clone()),
            (self.spawn)(https, ListenerKind::Https, Some(self.tls.clone()), stop_rx),
        ];
        let origin = CaseOrigin {
            http: format!("http://{}:{http_port}", self.host),
            https: format!("https://{}:{https_port}", self.host),
        };
        let fresh = Open {
            origin: origin.clone(),
            others: HashMap::new(),
            ports: vec![http_port, https_port],
            stop,
            tasks,
        };
        let evicted = {
            let mut inner = self.lock();
            // Opened meanwhile by another caller: keep that one, close these.
            if let Some(open) = inner.open.get(key) {
                let origin = open.origin.clone();
                drop(inner);
                stop_open(fresh);
                return Ok(origin);
            }
            inner.by_port.insert(http_port, key.to_string());
            inner.by_port.insert(https_port, key.to_string());
            inner.order.push_back(key.to_string());
            inner.open.insert(key.to_string(), fresh);
            let mut evicted = Vec::new();
            while inner.open.len() > self.max_open {
                let Some(oldest) = inner.order.pop_front() else {
                    break;
                };
                if let Some(open) = remove(&mut inner, &oldest) {
                    evicted.push(open);
                }
            }
            evicted
        };
        evicted.into_iter().for_each(stop_open);
        Ok(origin)
    }

    /// Close the origin of `key` (its listeners and open connections); `false` when none was open.
    pub fn close(&self, key: &str) -> bool {
        let open = {
            let mut inner = self.lock();
            inner.order.retain(|k| k != key);
            remove(&mut inner, key)
        };
        match open {
            Some(open) => {
                stop_open(open);
                true
            }
            None => false,
        }
    }

    /// Close every origin (server shutdown).
    pub fn close_all(&self) {
        let all: Vec<Open> = {
            let mut inner = self.lock();
            inner.order.clear();
            inner.by_port.clear();
            inner.open.drain().map(|(_, open)| open).collect()
        };
        all.into_iter().for_each(stop_open);
    }
}

fn remove(inner: &mut Inner, key: &str) -> Option<Open> {
    let open = inner.open.remove(key)?;
    for port in &open.ports {
        if inner.by_port.get(port).is_some_and(|k| k == key) {
            inner.by_port.remove(port);
        }
    }
    Some(open)
}

/// Flip the listeners' stop: each accept loop ends and drops its open connections.
fn stop_open(open: Open) {
    let _ = open.stop.send(true);
    // The tasks end by themselves once stopped; nothing waits for them here.
    drop(open.tasks);
}

/// `uri` as if the request had come through `/c/<key>`: the prefix is added unless present.
pub fn prefixed(uri: &http::Uri, key: &str) -> Option<http::Uri> {
    let prefix = format!("/c/{key}");
    let path = uri.path();
    if path == prefix || path.starts_with(&format!("{prefix}/")) {
        return None;
    }
    let path_and_query = match uri.query() {
        Some(q) => format!("{prefix}{path}?{q}"),
        None => format!("{prefix}{path}"),
    };
    let mut parts = uri.clone().into_parts();
    parts.path_and_query = Some(path_and_query.parse().ok()?);
    http::Uri::from_parts(parts).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_gets_the_case_prefix_once() {
        let uri: http::Uri = "/open-apis/im/v1/files/f1?x=1".parse().unwrap();
        assert_eq!(
            prefixed(&uri, "0001-k").unwrap().to_string(),
            "/c/0001-k/open-apis/im/v1/files/f1?x=1"
        );
        let already: http::Uri = "/c/0001-k/a.bin".parse().unwrap();
        assert_eq!(prefixed(&already, "0001-k"), None);
        let other: http::Uri = "/c/0001-kx/a.bin".parse().unwrap();
        assert_eq!(
            prefixed(&other, "0001-k").unwrap().path(),
            "/c/0001-k/c/0001-kx/a.bin"
        );
    }
}
