//! The WebSocket transport (`listen:ws://`): a runtime that connects is run exactly as a
//! built-in candidate is; one that drops its connection costs the case in flight and is waited
//! for again; one that never comes back costs every remaining case.
//!
//! The runtime here is the built-in reference served over a real WebSocket client.

use std::time::Duration;

use dlconform::candidate::CandidateSpec;
use dlconform::candidate::reference::Reference;
use dlconform::candidate::websocket::Endpoint;
use dlconform::protocol::{FromCandidate, ToCandidate};
use dlconform::results::{CaseResult, RunResults};
use dlconform::runner::report::Reporter;
use dlconform::runner::{RunOptions, run};
use dlconform::verdict::Status;
use futures_util::{SinkExt, StreamExt};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

/// Short enough for a test, long enough for a loaded machine (pings go every second).
const SILENCE_LIMIT: Duration = Duration::from_secs(3);

struct Quiet;

impl Reporter for Quiet {
    fn start(&self, _total: usize) {}
    fn case_done(&self, _case: &CaseResult) {}
    fn finish(&self) {}
}

fn options(candidate: CandidateSpec, hello_timeout: Duration) -> RunOptions {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    RunOptions {
        // One at a time, so "the n-th call" is the n-th case.
        jobs: 1,
        hello_timeout,
        linger: Duration::from_millis(50),
        run_id: "test".into(),
        ..RunOptions::new(candidate, vec![fixtures.join("specs/runner.yaml")])
    }
}

/// What the runtime does with its connections.
#[derive(Clone, Copy)]
enum Runtime {
    /// Ask for a favicon over plain HTTP first (as a browser might), then serve every call
    /// on one connection.
    Steady,
    /// Drop the connection when the n-th call (1-based) arrives, then connect again.
    DropAndReturn(usize),
    /// Drop the connection when the n-th call arrives and never come back.
    DropAndVanish(usize),
    /// Stop reading (and so answering pings) when the n-th call arrives, keeping the
    /// connection open, and connect again.
    GoSilentAndReturn(usize),
    /// When the n-th call arrives, send a text message of `OVERSIZE` bytes naming it first,
    /// then serve every call on the same connection.
    OversizeAt(usize),
}

/// Twice the default cap on a line or message (1 MiB).
const OVERSIZE: usize = 2 * 1024 * 1024;

/// A progress event of `OVERSIZE` bytes for `call`: valid protocol, only too long.
fn oversize_event(call: &str) -> String {
    let head = format!(
        r#"{{"type":"event","call":"{call}","event":"progress","data":{{"progress":1,"totalBytesWritten":1,"totalBytesExpectedToWrite":1,"pad":""#
    );
    let tail = r#""}}"#;
    let pad = "x".repeat(OVERSIZE - head.len() - tail.len());
    format!("{head}{pad}{tail}")
}

/// Serve the reference over one connection to `url`; returns whether it was dropped on purpose.
/// With `hold`, a connection given up on is kept open, unread, instead of being closed.
async fn serve_once(
    url: &str,
    drop_at_call: Option<usize>,
    calls_seen: &mut usize,
    hold: bool,
    oversize_at: Option<usize>,
) -> bool {
    let (socket, _) = tokio_tungstenite::connect_async(url)
        .await
        .expect("the harness accepts the connection");
    let (mut sink, mut stream) = socket.split();
    let (to_tx, to_rx) = mpsc::channel::<ToCandidate>(64);
    let (from_tx, mut from_rx) = mpsc::channel::<FromCandidate>(64);
    let (text_tx, mut text_rx) = mpsc::channel::<String>(64);
    let serving = tokio::spawn(Reference::new().serve(to_rx, from_tx));
    let forward = text_tx.clone();
    let forwarding = tokio::spawn(async move {
        while let Some(message) = from_rx.recv().await {
            let text = serde_json::to_string(&message).expect("a message serialises");
            // A trailing newline is allowed in a text message.
            if forward.send(text + "\n").await.is_err() {
                return;
            }
        }
    });
    let writer = tokio::spawn(async move {
        while let Some(text) = text_rx.recv().await {
            if sink.send(Message::text(text)).await.is_err() {
                return;
            }
        }
    });
    let mut dropped = false;
    while let Some(Ok(message)) = stream.next().await {
        let Message::Text(text) = message else {
            continue;
        };
        let message: ToCandidate = serde_json::from_str(text.as_str()).expect("harness JSON");
        if let ToCandidate::Call(call) = &message {
            *calls_seen += 1;
            if Some(*calls_seen) == drop_at_call {
                dropped = true;
                break;
            }
            if Some(*calls_seen) == oversize_at
                && text_tx.send(oversize_event(&call.call)).await.is_err()
            {
                break;
            }
        }
        if to_tx.send(message).await.is_err() {
            break;
        }
    }
    serving.abort();
    forwarding.abort();
    if hold {
        // Unread and unanswered, like a phone gone from the network.
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(60)).await;
            drop(stream);
        });
        return dropped;
    }
    // Dropping both halves ends the TCP connection without a close frame.
    writer.abort();
    drop(stream);
    dropped
}

/// A plain HTTP request: not a WebSocket handshake, so the harness must wait past it.
async fn stray_request(addr: std::net::SocketAddr) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream
        .write_all(b"GET /favicon.ico HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("write");
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
}

async fn runtime(endpoint: Endpoint, behaviour: Runtime) {
    let addr = endpoint.bound_addr().await.expect("the harness listens");
    let url = format!("ws://{addr}");
    if matches!(behaviour, Runtime::Steady) {
        stray_request(addr).await;
    }
    let mut calls = 0;
    let (drop_at, hold, oversize_at) = match behaviour {
        Runtime::Steady => (None, false, None),
        Runtime::DropAndReturn(n) | Runtime::DropAndVanish(n) => (Some(n), false, None),
        Runtime::GoSilentAndReturn(n) => (Some(n), true, None),
        Runtime::OversizeAt(n) => (None, false, Some(n)),
    };
    let dropped = serve_once(&url, drop_at, &mut calls, hold, oversize_at).await;
    if dropped && !matches!(behaviour, Runtime::DropAndVanish(_)) {
        serve_once(&url, None, &mut calls, false, None).await;
    }
}

fn run_over_websocket(behaviour: Runtime, hello_timeout: Duration) -> RunResults {
    let tokio = tokio::runtime::Runtime::new().expect("tokio runtime");
    tokio.block_on(async {
        let endpoint = Endpoint::parse("listen:ws://127.0.0.1:0")
            .expect("a listen address")
            .with_silence_limit(SILENCE_LIMIT);
        let client = tokio::spawn(runtime(endpoint.clone(), behaviour));
        let results = run(
            options(CandidateSpec::Listen(endpoint), hello_timeout),
            &Quiet,
        )
        .await
        .expect("the run happens");
        client.abort();
        results
    })
}

fn run_builtin() -> RunResults {
    let tokio = tokio::runtime::Runtime::new().expect("tokio runtime");
    tokio
        .block_on(run(
            options(
                CandidateSpec::Builtin("reference".into()),
                Duration::from_secs(10),
            ),
            &Quiet,
        ))
        .expect("the run happens")
}

/// Status and failed checks of every case, the verdicts two transports must agree on.
fn verdicts(results: &RunResults) -> Vec<(String, Status, Vec<String>)> {
    results
        .cases
        .iter()
        .map(|c| {
            let mut failed: Vec<String> = c.failures.iter().map(|f| f.check.clone()).collect();
            failed.sort();
            (c.id.clone(), c.status, failed)
        })
        .collect()
}

fn statuses(results: &RunResults) -> Vec<Status> {
    results.cases.iter().map(|c| c.status).collect()
}

#[test]
fn websocket_runtime_gives_the_builtin_verdicts() {
    let over_ws = run_over_websocket(Runtime::Steady, Duration::from_secs(10));
    let builtin = run_builtin();
    assert_eq!(over_ws.cases.len(), 5);
    assert!(
        statuses(&over_ws).iter().all(|s| *s == Status::Pass),
        "{:?}",
        verdicts(&over_ws)
    );
    assert_eq!(verdicts(&over_ws), verdicts(&builtin));
    assert_eq!(over_ws.run.candidate.name, "reference");
    assert_eq!(over_ws.run.candidate.starts, 1);
    assert!(
        over_ws
            .run
            .candidate
            .spec
            .starts_with("listen:ws://127.0.0.1:0"),
        "{}",
        over_ws.run.candidate.spec
    );
}

#[test]
fn websocket_runtime_that_reconnects_costs_one_case() {
    let results = run_over_websocket(Runtime::DropAndReturn(2), Duration::from_secs(10));
    use Status::*;
    assert_eq!(statuses(&results), vec![Pass, Crash, Pass, Pass, Pass]);
    let reason = results.cases[1].reason.clone().unwrap_or_default();
    assert!(reason.contains("runtime"), "{reason}");
    assert_eq!(results.run.candidate.starts, 2);
}

#[test]
fn websocket_runtime_that_never_returns_crashes_the_rest() {
    let results = run_over_websocket(Runtime::DropAndVanish(2), Duration::from_millis(300));
    use Status::*;
    assert_eq!(statuses(&results), vec![Pass, Crash, Crash, Crash, Crash]);
    let reason = results.cases[2].reason.clone().unwrap_or_default();
    assert!(reason.contains("did not reconnect"), "{reason}");
}

#[test]
fn websocket_runtime_gone_silent_is_given_up_and_waited_for() {
    let results = run_over_websocket(Runtime::GoSilentAndReturn(2), Duration::from_secs(10));
    use Status::*;
    assert_eq!(statuses(&results), vec![Pass, Crash, Pass, Pass, Pass]);
    let reason = results.cases[1].reason.clone().unwrap_or_default();
    assert!(reason.contains("not even a pong"), "{reason}");
    assert_eq!(results.run.candidate.starts, 2);
}

#[test]
fn a_message_over_the_line_cap_is_an_error_of_its_call_and_the_connection_goes_on() {
    let results = run_over_websocket(Runtime::OversizeAt(2), Duration::from_secs(10));
    use Status::*;
    assert_eq!(statuses(&results), vec![Pass, Error, Pass, Pass, Pass]);
    let reason = results.cases[1].reason.clone().unwrap_or_default();
    assert!(
        reason.contains(&format!("a line of {OVERSIZE} bytes"))
            && reason.contains("over the cap of 1048576 bytes"),
        "{reason}"
    );
    // The same connection served every case.
    assert_eq!(results.run.candidate.starts, 1);
}
