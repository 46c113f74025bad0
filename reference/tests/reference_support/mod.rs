//! Small local servers and a protocol driver for the reference candidate's tests.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dlconform_protocol::{CallEnv, CallMessage, EventKind, FromCandidate, FsEnv, ToCandidate};
use dlconform_protocol::{HostEvent, Os};
use dlconform_reference::Reference;
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

/// Deterministic body bytes.
pub fn body_bytes(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 7 % 251) as u8).collect()
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A test server: one request per connection, behaviour chosen by the path.
#[derive(Clone)]
pub struct TestServer {
    pub addr: SocketAddr,
    pub seen: Arc<Mutex<Vec<Seen>>>,
    in_flight: Arc<AtomicUsize>,
    pub max_in_flight: Arc<AtomicUsize>,
}

impl TestServer {
    pub async fn start(tls: Option<Arc<rustls::ServerConfig>>) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let server = TestServer {
            addr: listener.local_addr().unwrap(),
            seen: Arc::default(),
            in_flight: Arc::default(),
            max_in_flight: Arc::default(),
        };
        let s = server.clone();
        tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    return;
                };
                let s = s.clone();
                let tls = tls.clone();
                tokio::spawn(async move {
                    match tls {
                        Some(cfg) => {
                            let acceptor = tokio_rustls::TlsAcceptor::from(cfg);
                            if let Ok(stream) = acceptor.accept(tcp).await {
                                s.serve(stream, None).await;
                            }
                        }
                        None => {
                            let raw = tcp.into_std().unwrap();
                            let tcp = TcpStream::from_std(raw.try_clone().unwrap()).unwrap();
                            s.serve(tcp, Some(raw)).await;
                        }
                    }
                });
            }
        });
        server
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn url_https(&self, host: &str, path: &str) -> String {
        format!("https://{host}:{}{path}", self.addr.port())
    }

    pub fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
        &self,
        mut io: S,
        raw: Option<std::net::TcpStream>,
    ) {
        let Some(req) = read_request(&mut io).await else {
            return;
        };
        self.seen.lock().unwrap().push(req.clone());
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        respond(&mut io, &req, raw).await;
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn read_request<S: AsyncRead + Unpin>(io: &mut S) -> Option<Seen> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        if io.read(&mut byte).await.ok()? == 0 {
            return None;
        }
        buf.push(byte[0]);
    }
    let text = String::from_utf8_lossy(&buf).to_string();
    let mut lines = text.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_string();
    let path = first.next()?.to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut seen = Seen {
        method,
        path,
        headers,
        body: Vec::new(),
    };
    if let Some(len) = seen
        .header("content-length")
        .and_then(|v| v.parse::<usize>().ok())
    {
        let mut body = vec![0u8; len];
        io.read_exact(&mut body).await.ok()?;
        seen.body = body;
    }
    Some(seen)
}

async fn head<S: AsyncWrite + Unpin>(io: &mut S, status: &str, headers: &[(&str, String)]) {
    let mut s = format!("HTTP/1.1 {status}\r\nConnection: close\r\n");
    for (k, v) in headers {
        s.push_str(&format!("{k}: {v}\r\n"));
    }
    s.push_str("\r\n");
    let _ = io.write_all(s.as_bytes()).await;
}

fn num(path: &str, prefix: &str) -> usize {
    path.strip_prefix(prefix)
        .and_then(|r| r.split(['/', '?']).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

async fn respond<S: AsyncRead + AsyncWrite + Unpin>(
    io: &mut S,
    req: &Seen,
    raw: Option<std::net::TcpStream>,
) {
    let p = req.path.as_str();
    let cl = |n: usize| ("Content-Length", n.to_string());
    if p.starts_with("/ok/") {
        let n = num(p, "/ok/");
        head(
            io,
            "200 OK",
            &[cl(n), ("Content-Type", "application/octet-stream".into())],
        )
        .await;
        let _ = io.write_all(&body_bytes(n)).await;
    } else if p.starts_with("/chunked/") {
        let n = num(p, "/chunked/");
        head(io, "200 OK", &[("Transfer-Encoding", "chunked".into())]).await;
        for chunk in body_bytes(n).chunks(32 * 1024) {
            let _ = io
                .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                .await;
            let _ = io.write_all(chunk).await;
            let _ = io.write_all(b"\r\n").await;
        }
        let _ = io.write_all(b"0\r\n\r\n").await;
    } else if p.starts_with("/status/") {
        let code = num(p, "/status/");
        let body = format!("status {code}");
        head(io, &format!("{code} X"), &[cl(body.len())]).await;
        let _ = io.write_all(body.as_bytes()).await;
    } else if p.starts_with("/reset/") || p.starts_with("/close/") {
        let n = num(
            p,
            if p.starts_with("/reset/") {
                "/reset/"
            } else {
                "/close/"
            },
        );
        head(io, "200 OK", &[cl(1 << 20)]).await;
        let _ = io.write_all(&body_bytes(n)).await;
        let _ = io.flush().await;
        tokio::time::sleep(Duration::from_millis(50)).await;
        if p.starts_with("/reset/")
            && let Some(raw) = raw
        {
            // SO_LINGER 0 turns the close into an RST.
            let _ = socket2::SockRef::from(&raw).set_linger(Some(Duration::ZERO));
        }
    } else if p.starts_with("/stall") {
        tokio::time::sleep(Duration::from_secs(30)).await;
    } else if p.starts_with("/stall-body/") {
        head(io, "200 OK", &[cl(1 << 20)]).await;
        let _ = io.write_all(&body_bytes(num(p, "/stall-body/"))).await;
        tokio::time::sleep(Duration::from_secs(30)).await;
    } else if p.starts_with("/delay/") {
        tokio::time::sleep(Duration::from_millis(num(p, "/delay/") as u64)).await;
        head(io, "200 OK", &[cl(10)]).await;
        let _ = io.write_all(b"0123456789").await;
    } else if p.starts_with("/trickle/") {
        // n bytes in 16 KiB pieces every 50 ms.
        let n = num(p, "/trickle/");
        head(io, "200 OK", &[cl(n)]).await;
        for (i, chunk) in body_bytes(n).chunks(16 * 1024).enumerate() {
            if i > 0 {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            if io.write_all(chunk).await.is_err() {
                return;
            }
            let _ = io.flush().await;
        }
    } else if p.starts_with("/redirect-rel") {
        head(io, "302 Found", &[("Location", "ok/100".into()), cl(0)]).await;
    } else if p.starts_with("/loop") {
        head(io, "302 Found", &[("Location", "/loop".into()), cl(0)]).await;
    } else if p.starts_with("/bad-location") {
        head(
            io,
            "302 Found",
            &[("Location", "http://[::1".into()), cl(0)],
        )
        .await;
    } else if p.starts_with("/lie-length/") {
        head(io, "200 OK", &[cl(num(p, "/lie-length/"))]).await;
        let _ = io.write_all(&body_bytes(100)).await;
    } else if p.starts_with("/disposition") {
        head(
            io,
            "200 OK",
            &[
                cl(4),
                (
                    "Content-Disposition",
                    "attachment; filename=\"report.pdf\"".into(),
                ),
            ],
        )
        .await;
        let _ = io.write_all(b"%PDF").await;
    } else if p.starts_with("/upload") {
        let text = format!("got {}", req.body.len());
        head(io, "200 OK", &[cl(text.len())]).await;
        let _ = io.write_all(text.as_bytes()).await;
    } else if p == "/open-apis/auth/v3/tenant_access_token/internal" {
        let v: Value = serde_json::from_slice(&req.body).unwrap_or_default();
        let body = if v["app_secret"] == "secret_a" {
            json!({"code": 0, "msg": "ok", "tenant_access_token": "t-test", "expire": 7200})
        } else {
            json!({"code": 10014, "msg": "app secret invalid"})
        };
        let text = body.to_string();
        head(
            io,
            if body["code"] == 0 {
                "200 OK"
            } else {
                "400 Bad Request"
            },
            &[cl(text.len())],
        )
        .await;
        let _ = io.write_all(text.as_bytes()).await;
    } else if let Some(key) = p.strip_prefix("/open-apis/im/v1/files/") {
        if req.header("authorization") != Some("Bearer t-test") {
            let text = json!({"code": 234002, "msg": "Unauthorized."}).to_string();
            head(io, "401 Unauthorized", &[cl(text.len())]).await;
            let _ = io.write_all(text.as_bytes()).await;
        } else if key == "file_too_big" {
            let text =
                json!({"code": 234037, "msg": "Downloaded file size exceeds limit."}).to_string();
            head(io, "400 Bad Request", &[cl(text.len())]).await;
            let _ = io.write_all(text.as_bytes()).await;
        } else {
            let mut h = vec![cl(5000)];
            if req
                .header("content-type")
                .is_some_and(|v| v.starts_with("application/json"))
            {
                h.push((
                    "Content-Disposition",
                    "attachment; filename=\"a.bin\"".into(),
                ));
            }
            head(io, "200 OK", &h).await;
            let _ = io.write_all(&body_bytes(5000)).await;
        }
    } else {
        head(io, "404 Not Found", &[cl(0)]).await;
    }
    let _ = io.flush().await;
    let _ = io.shutdown().await;
}

/// A test CA and server certificates signed by it (and some that are not).
pub struct Pki {
    pub dir: tempfile::TempDir,
    pub ca_path: PathBuf,
    ca_params: rcgen::CertificateParams,
    ca_key: rcgen::KeyPair,
    ca_der: rustls::pki_types::CertificateDer<'static>,
}

/// Which server certificate to make.
pub enum CertKind {
    Good,
    Expired,
    NotYetValid,
    WrongHost,
    SelfSigned,
}

impl Pki {
    pub fn new() -> Pki {
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "dlconform test CA");
        let ca_key = rcgen::KeyPair::generate().unwrap();
        let ca_cert = ca_params.self_signed(&ca_key).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let ca_path = dir.path().join("ca.pem");
        std::fs::write(&ca_path, ca_cert.pem()).unwrap();
        Pki {
            dir,
            ca_path,
            ca_params,
            ca_key,
            ca_der: ca_cert.der().clone(),
        }
    }

    pub fn server_config(&self, kind: CertKind) -> Arc<rustls::ServerConfig> {
        let names = match kind {
            CertKind::WrongHost => vec!["other.example".to_string()],
            _ => vec!["localhost".to_string(), "127.0.0.1".to_string()],
        };
        let mut params = rcgen::CertificateParams::new(names).unwrap();
        let now = time::OffsetDateTime::now_utc();
        match kind {
            CertKind::Expired => {
                params.not_before = now - time::Duration::days(30);
                params.not_after = now - time::Duration::days(1);
            }
            CertKind::NotYetValid => {
                params.not_before = now + time::Duration::days(1);
                params.not_after = now + time::Duration::days(30);
            }
            _ => {
                params.not_before = now - time::Duration::days(1);
                params.not_after = now + time::Duration::days(30);
            }
        }
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = match kind {
            CertKind::SelfSigned => params.self_signed(&key).unwrap(),
            _ => {
                let issuer = rcgen::Issuer::from_params(&self.ca_params, &self.ca_key);
                params.signed_by(&key, &issuer).unwrap()
            }
        };
        let key_der = rustls::pki_types::PrivateKeyDer::try_from(key.serialize_der()).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let cfg = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![cert.der().clone(), self.ca_der.clone()], key_der)
            .unwrap();
        Arc::new(cfg)
    }
}

/// A sandbox folder with temp/ and user/.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("temp")).unwrap();
        std::fs::create_dir_all(dir.path().join("user")).unwrap();
        Sandbox { dir }
    }

    pub fn fs(&self, temp_prefix: &str, user_prefix: &str, quota: Option<u64>) -> FsEnv {
        FsEnv {
            temp: self.dir.path().join("temp").display().to_string(),
            user: self.dir.path().join("user").display().to_string(),
            temp_prefix: temp_prefix.into(),
            user_prefix: user_prefix.into(),
            user_quota_bytes: quota,
        }
    }

    /// Every file under the sandbox's parent folder (to prove nothing escaped) and inside it.
    pub fn files(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        walk(self.dir.path(), &mut out);
        out
    }

    pub fn read(&self, rel: &str) -> Vec<u8> {
        std::fs::read(self.dir.path().join(rel)).unwrap()
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out)
        } else {
            out.push(p)
        }
    }
}

/// The environment of a call.
pub fn env(sdk: &str, os: Os, release: bool, fs: FsEnv, ca: &Path) -> CallEnv {
    CallEnv {
        sdk_version: sdk.into(),
        os,
        release,
        domains: Some(vec!["127.0.0.1".into(), "localhost".into()]),
        fs,
        ca_cert: ca.display().to_string(),
        app: None,
    }
}

/// A running reference candidate with its channels.
pub struct Driver {
    pub to: mpsc::Sender<ToCandidate>,
    pub from: mpsc::Receiver<FromCandidate>,
    next: usize,
}

/// What one call produced.
#[derive(Debug, Default)]
pub struct Outcome {
    pub events: Vec<(EventKind, Value)>,
    pub other: Vec<FromCandidate>,
    pub elapsed: Duration,
}

impl Outcome {
    pub fn result(&self) -> (EventKind, &Value) {
        let (k, v) = self
            .events
            .iter()
            .find(|(k, _)| matches!(k, EventKind::Success | EventKind::Fail))
            .unwrap_or_else(|| panic!("no success/fail in {:?}", self.events));
        (*k, v)
    }

    pub fn success(&self) -> &Value {
        let (k, v) = self.result();
        assert_eq!(k, EventKind::Success, "expected success, got {v}");
        v
    }

    pub fn fail(&self) -> &Value {
        let (k, v) = self.result();
        assert_eq!(k, EventKind::Fail, "expected fail, got {v}");
        v
    }

    pub fn kinds(&self) -> Vec<EventKind> {
        self.events.iter().map(|(k, _)| *k).collect()
    }

    pub fn progress(&self) -> Vec<&Value> {
        self.events
            .iter()
            .filter(|(k, _)| *k == EventKind::Progress)
            .map(|(_, v)| v)
            .collect()
    }
}

/// Something to do while a call runs.
pub enum Act {
    AfterMs(u64, ToCandidateKind),
}

/// The kinds of mid-call messages.
pub enum ToCandidateKind {
    Abort,
    Inject(HostEvent),
}

impl Driver {
    pub fn start() -> Driver {
        let (to, rx) = mpsc::channel(64);
        let (tx, from) = mpsc::channel(1024);
        tokio::spawn(Reference::new().serve(rx, tx));
        Driver { to, from, next: 0 }
    }

    /// Send a call and wait for its complete event.
    pub async fn call(
        &mut self,
        platform: &str,
        api: &str,
        env: CallEnv,
        args: Value,
        acts: Vec<Act>,
    ) -> Outcome {
        let ids = self.send(platform, api, env, args, 1).await;
        let id = ids[0].clone();
        for Act::AfterMs(ms, kind) in acts {
            let to = self.to.clone();
            let id = id.clone();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(ms)).await;
                let msg = match kind {
                    ToCandidateKind::Abort => ToCandidate::Abort { call: id },
                    ToCandidateKind::Inject(event) => ToCandidate::Inject { call: id, event },
                };
                let _ = to.send(msg).await;
            });
        }
        self.collect(&ids).await.remove(0)
    }

    /// Send `count` identical calls; their ids.
    pub async fn send(
        &mut self,
        platform: &str,
        api: &str,
        env: CallEnv,
        args: Value,
        count: usize,
    ) -> Vec<String> {
        let mut ids = Vec::new();
        for _ in 0..count {
            self.next += 1;
            let id = format!("c{}", self.next);
            let msg = CallMessage {
                call: id.clone(),
                case: format!("{platform}/test"),
                platform: platform.into(),
                api: api.into(),
                env: env.clone(),
                args: args.clone(),
                watch_ms: None,
            };
            self.to.send(ToCandidate::Call(msg)).await.unwrap();
            ids.push(id);
        }
        ids
    }

    /// Wait until every call in `ids` completed (or 20 s passed).
    pub async fn collect(&mut self, ids: &[String]) -> Vec<Outcome> {
        let start = std::time::Instant::now();
        let mut outs: Vec<Outcome> = ids.iter().map(|_| Outcome::default()).collect();
        let mut open = ids.len();
        while open > 0 {
            let msg = tokio::time::timeout(Duration::from_secs(20), self.from.recv())
                .await
                .expect("candidate went quiet")
                .expect("candidate channel closed");
            let (call, ev) = match &msg {
                FromCandidate::Event { call, event, data } => {
                    (call.clone(), Some((*event, data.clone())))
                }
                FromCandidate::Unsupported { call, .. } | FromCandidate::Error { call, .. } => {
                    (call.clone(), None)
                }
                FromCandidate::Hello(_)
                | FromCandidate::Started { .. }
                | FromCandidate::Log { .. }
                | FromCandidate::Threw { .. } => continue,
            };
            let Some(i) = ids.iter().position(|c| *c == call) else {
                continue;
            };
            match ev {
                Some((kind, data)) => {
                    outs[i].events.push((kind, data));
                    if kind == EventKind::Complete {
                        outs[i].elapsed = start.elapsed();
                        open -= 1;
                    }
                }
                None => {
                    outs[i].other.push(msg);
                    outs[i].elapsed = start.elapsed();
                    open -= 1;
                }
            }
        }
        outs
    }
}
