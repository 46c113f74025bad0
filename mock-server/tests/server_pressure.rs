//! The server under pressure: out of file descriptors it backs off instead of spinning a
//! core, idle HTTP/2 connections are closed like HTTP/1.1 ones, and Ctrl-C or SIGTERM stop
//! the binary within a second whatever is streaming.

#[path = "../../harness/needs.rs"]
mod needs;

use std::net::TcpStream as StdTcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::{TokioExecutor, TokioIo};
use mock_server::{ListenerKind, MockServer, ServerConfig};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, RootCertStore};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

/// The `mock-server` binary, killed when dropped.
struct Running {
    child: Child,
    ready: Value,
    stderr: PathBuf,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Running {
    /// Start the binary in `dir` with `args`, behind `prefix` (e.g. `prlimit ...`, which
    /// execs it under the same pid), and wait for its ready file.
    fn start(dir: &Path, prefix: &[&str], args: &[&str]) -> Running {
        let ready_path = dir.join("ready.json");
        let stderr = dir.join("stderr.txt");
        let bin = env!("CARGO_BIN_EXE_mock-server");
        let mut command = match prefix.split_first() {
            Some((first, rest)) => {
                let mut c = Command::new(first);
                c.args(rest).arg(bin);
                c
            }
            None => Command::new(bin),
        };
        let child = command
            .args(args)
            .arg("--state-dir")
            .arg(dir.join("state"))
            .arg("--ready-file")
            .arg(&ready_path)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&stderr).expect("stderr file"))
            .spawn()
            .expect("start mock-server");
        let mut running = Running {
            child,
            ready: Value::Null,
            stderr,
        };
        let started = Instant::now();
        loop {
            if let Ok(bytes) = std::fs::read(&ready_path) {
                running.ready = serde_json::from_slice(&bytes).expect("ready JSON");
                return running;
            }
            if let Some(status) = running.child.try_wait().expect("try_wait") {
                panic!("mock-server exited: {status}\n{}", running.stderr_text());
            }
            assert!(started.elapsed() < Duration::from_secs(30), "no ready file");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn url(&self, listener: &str, path: &str) -> String {
        let base = self.ready["listeners"][listener]
            .as_str()
            .unwrap_or_else(|| panic!("no {listener} listener in {}", self.ready));
        format!("{base}{path}")
    }

    fn http_addr(&self) -> String {
        self.url("http", "")
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string()
    }

    fn stderr_text(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    /// CPU time the process has used so far (user + system, every thread), in clock ticks.
    fn cpu_ticks(&self) -> u64 {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id()))
            .expect("Linux /proc");
        // Fields after the command name, which is in parentheses and may hold spaces.
        let rest = &stat[stat.rfind(')').expect("stat format") + 2..];
        let fields: Vec<&str> = rest.split(' ').collect();
        fields[11].parse::<u64>().unwrap_or(0) + fields[12].parse::<u64>().unwrap_or(0)
    }

    /// Send `signal` and wait for the exit; how long it took and whether it exited cleanly.
    fn stop_with(&mut self, signal: libc::c_int) -> (Duration, bool) {
        let sent = Instant::now();
        // SAFETY: kill takes plain integers.
        unsafe { libc::kill(self.child.id() as libc::pid_t, signal) };
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return (sent.elapsed(), status.success());
            }
            assert!(
                sent.elapsed() < Duration::from_secs(20),
                "still running 20 s after the signal"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

fn clock_ticks_per_second() -> u64 {
    // SAFETY: sysconf takes a plain integer.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    u64::try_from(ticks).unwrap_or(100)
}

/// Out of file descriptors, the accept loop waits instead of retrying at once: the server
/// stays near idle while connections wait in the backlog, logs the episode once (not once per
/// failed accept), and serves again once connections close.
#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn out_of_file_descriptors_the_accept_loop_backs_off_and_recovers() {
    needs::require(&["curl"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Running::start(dir.path(), &["prlimit", "--nofile=64:64", "--"], &[]);
    let addr = server.http_addr();
    // Far more than the 64 descriptors the server may hold: the rest wait in the backlog.
    let held: Vec<StdTcpStream> = (0..150)
        .map(|_| StdTcpStream::connect(&addr).expect("connect (the backlog takes it)"))
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    let before = server.cpu_ticks();
    let window = Duration::from_secs(2);
    std::thread::sleep(window);
    let used = server.cpu_ticks() - before;
    let per_second = clock_ticks_per_second();
    let share = used as f64 / (per_second as f64 * window.as_secs_f64());
    eprintln!(
        "CPU while out of descriptors: {used} ticks in {window:?} ({:.0}% of a core)",
        share * 100.0
    );
    assert!(
        share < 0.3,
        "the accept loop spins: {:.0}% of a core",
        share * 100.0
    );
    drop(held);
    let served = Command::new("curl")
        .args([
            "-sS",
            "--max-time",
            "15",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
        ])
        .arg(server.url("http", "/f/a?body=1k"))
        .output()
        .expect("curl runs");
    assert_eq!(
        String::from_utf8_lossy(&served.stdout),
        "200",
        "{}\n{}",
        String::from_utf8_lossy(&served.stderr),
        server.stderr_text()
    );
    let log = server.stderr_text();
    assert_eq!(
        log.matches("out of resources").count(),
        1,
        "one log line per episode:\n{log}"
    );
}

/// Start curl on `url` with `args`, output thrown away.
fn curl_in_background(args: &[&str], url: &str) -> Child {
    Command::new("curl")
        .args(["-sS", "-o", "/dev/null"])
        .args(args)
        .arg(url)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("curl runs")
}

/// A 1000 GiB body streaming to a slow HTTP/1.1 client and to a slow HTTP/2 one, and a HEAD
/// of 1000 GiB, do not hold the server up: `signal` ends it, cleanly, within the bound.
fn stops_within_a_second_whatever_streams(signal: libc::c_int, name: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut server = Running::start(dir.path(), &[], &["--max-body", "1000g"]);
    let ca = server.ready["ca_cert"]
        .as_str()
        .expect("ca_cert")
        .to_string();
    let mut clients = [
        curl_in_background(
            &["--limit-rate", "64k"],
            &server.url("http", "/f/slow.bin?body=1000g&seed=1"),
        ),
        curl_in_background(
            &["--http2", "--cacert", &ca, "--limit-rate", "64k"],
            &server.url("https", "/f/slow2.bin?body=1000g&seed=2"),
        ),
        curl_in_background(
            &["-I"],
            &server.url("http", "/f/head.bin?body=1000g&seed=3"),
        ),
    ];
    // Let every request reach the server and the bodies start streaming.
    std::thread::sleep(Duration::from_millis(1500));
    let (took, clean) = server.stop_with(signal);
    eprintln!("{name}: stopped in {took:?}");
    for c in &mut clients {
        let _ = c.kill();
        let _ = c.wait();
    }
    assert!(clean, "{name}: not a clean stop\n{}", server.stderr_text());
    assert!(
        took < Duration::from_secs(3),
        "{name}: stopped in {took:?}\n{}",
        server.stderr_text()
    );
    assert!(
        server.stderr_text().contains(&format!("{name}: stopping")),
        "{}",
        server.stderr_text()
    );
}

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn ctrl_c_stops_the_server_within_a_second_whatever_streams() {
    needs::require(&["curl"]);
    stops_within_a_second_whatever_streams(libc::SIGINT, "SIGINT");
}

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn sigterm_stops_the_server_within_a_second_whatever_streams() {
    needs::require(&["curl"]);
    stops_within_a_second_whatever_streams(libc::SIGTERM, "SIGTERM");
}

fn h2_connector(ca: &Path) -> TlsConnector {
    let mut roots = RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_file(ca).expect("CA file"))
        .expect("CA");
    let mut config =
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec()];
    TlsConnector::from(Arc::new(config))
}

/// An HTTP/2 connection to the good listener: the request sender, and a task that ends when
/// the connection does.
async fn h2_connection(
    server: &MockServer,
) -> (
    hyper::client::conn::http2::SendRequest<Empty<Bytes>>,
    tokio::task::JoinHandle<()>,
) {
    let port: u16 = server
        .base_url(ListenerKind::Https)
        .rsplit(':')
        .next()
        .and_then(|p| p.trim_end_matches('/').parse().ok())
        .expect("https port");
    let tcp = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    let tls = h2_connector(server.ca_cert_path())
        .connect(ServerName::try_from("127.0.0.1").expect("name"), tcp)
        .await
        .expect("TLS handshake");
    assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
    let (send, conn) =
        hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(tls))
            .await
            .expect("h2 handshake");
    let ended = tokio::spawn(async move {
        let _ = conn.await;
    });
    (send, ended)
}

async fn get(send: &mut hyper::client::conn::http2::SendRequest<Empty<Bytes>>, uri: &str) -> Bytes {
    let req = http::Request::get(uri)
        .body(Empty::<Bytes>::new())
        .expect("request");
    let resp = send.send_request(req).await.expect("response");
    assert_eq!(resp.status(), 200);
    resp.into_body()
        .collect()
        .await
        .expect("whole body")
        .to_bytes()
}

/// An HTTP/2 connection with no stream open is closed after the idle limit (30 s, as hyper
/// closes an HTTP/1.1 connection that sends no request), while one whose download runs
/// longer than that is left alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_http2_connection_is_closed_and_an_active_one_is_not() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = MockServer::start(ServerConfig::new(dir.path()))
        .await
        .expect("server");
    let base = server.base_url(ListenerKind::Https);
    let (mut idle_send, idle_ended) = h2_connection(&server).await;
    let (mut busy_send, busy_ended) = h2_connection(&server).await;
    let body = get(&mut idle_send, &format!("{base}/f/idle.bin?body=1k")).await;
    assert_eq!(body.len(), 1024);
    let idle_since = Instant::now();
    // About 45 s: streams past the idle limit, on a connection with one stream open.
    let busy = tokio::spawn(async move {
        get(
            &mut busy_send,
            &format!("{base}/f/busy.bin?body=900k&bandwidth_bps=20000"),
        )
        .await
    });
    let closed = tokio::time::timeout(Duration::from_secs(60), idle_ended).await;
    let idle_for = idle_since.elapsed();
    eprintln!("idle h2 connection closed after {idle_for:?}");
    assert!(
        closed.is_ok(),
        "an idle h2 connection still open after 60 s"
    );
    // The server's 30 s start when it has sent the body, a little before the client has it all.
    assert!(
        idle_for >= Duration::from_secs(25),
        "closed after {idle_for:?}, well before the idle limit"
    );
    let body = tokio::time::timeout(Duration::from_secs(120), busy)
        .await
        .expect("the slow download ends")
        .expect("download task");
    assert_eq!(body.len(), 900 * 1024, "the active connection was cut");
    assert!(
        idle_since.elapsed() > Duration::from_secs(35),
        "the download did not outlast the idle limit"
    );
    drop(busy_ended);
}
