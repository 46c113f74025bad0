//! WebSocket candidates: `listen:ws://HOST:PORT`. The harness listens; a runtime (the bridge
//! page on a device or in a browser) connects and speaks protocol v1, one JSON object per text
//! message. A "restart" is waiting for the runtime to connect again.

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Mutex, mpsc, watch};
use tokio::task::AbortHandle;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use super::ws_cap::{CappedStream, Marker};
use super::{CHANNEL_CAPACITY, Incoming, Stamped, StartError, Started, parse_line, too_long};
use crate::protocol::ToCandidate;

/// The `--candidate` prefix of a listening WebSocket transport.
pub const PREFIX: &str = "listen:ws://";

/// How long a connected runtime may stay silent (not even a pong) before it counts as gone.
/// A phone that changes networks leaves a half-open connection nothing else would notice.
pub const SILENCE_LIMIT: Duration = Duration::from_secs(15);

/// How long a new connection may take to complete the WebSocket handshake.
const HANDSHAKE_LIMIT: Duration = Duration::from_secs(10);

/// Where the harness listens for a runtime; bound on first use and kept for the whole run,
/// so a runtime that reconnects finds the same port.
#[derive(Clone)]
pub struct Endpoint {
    addr: String,
    state: Arc<Mutex<State>>,
    bound: watch::Sender<Option<SocketAddr>>,
    silence_limit: Duration,
}

#[derive(Default)]
struct State {
    listener: Option<TcpListener>,
    connections: u32,
}

impl Endpoint {
    /// Parse `listen:ws://HOST:PORT` (port 0: any free port, printed when bound).
    pub fn parse(text: &str) -> Result<Endpoint, StartError> {
        let Some(rest) = text.strip_prefix(PREFIX) else {
            return Err(StartError::Unknown(format!(
                "'{text}': expected {PREFIX}HOST:PORT"
            )));
        };
        let addr = rest.trim_end_matches('/');
        if addr.parse::<SocketAddr>().is_err() && !has_host_and_port(addr) {
            return Err(StartError::Unknown(format!(
                "'{text}': expected {PREFIX}HOST:PORT, e.g. {PREFIX}0.0.0.0:8790"
            )));
        }
        Ok(Endpoint {
            addr: addr.to_string(),
            state: Arc::new(Mutex::new(State::default())),
            bound: watch::Sender::new(None),
            silence_limit: SILENCE_LIMIT,
        })
    }

    /// The same endpoint with another silence limit (pings go out at a third of it).
    pub fn with_silence_limit(mut self, limit: Duration) -> Endpoint {
        self.silence_limit = limit;
        self
    }

    /// `HOST:PORT` as given.
    pub fn addr(&self) -> &str {
        &self.addr
    }

    /// The address actually listened on (the port chosen for port 0), once bound.
    pub async fn bound_addr(&self) -> Option<SocketAddr> {
        let mut rx = self.bound.subscribe();
        let bound = rx.wait_for(Option::is_some).await.ok()?;
        *bound
    }
}

fn has_host_and_port(addr: &str) -> bool {
    addr.rsplit_once(':')
        .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok())
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Endpoint({PREFIX}{})", self.addr)
    }
}

impl PartialEq for Endpoint {
    fn eq(&self, other: &Self) -> bool {
        self.addr == other.addr
    }
}

impl Eq for Endpoint {}

/// Wait for a runtime to connect and wire it up. The first connection is awaited without a
/// bound (someone has to open the bridge on a device); a reconnection within `reconnect_timeout`.
/// A message longer than `max_line` bytes is dropped unheld, an ERROR of the call its head
/// names, as a stdio line over the cap is.
pub async fn start(
    endpoint: &Endpoint,
    reconnect_timeout: Duration,
    max_line: usize,
) -> Result<Started, StartError> {
    let mut state = endpoint.state.lock().await;
    if state.listener.is_none() {
        let listener = TcpListener::bind(&endpoint.addr).await.map_err(|err| {
            StartError::WouldNotStart(format!("cannot listen on {}: {err}", endpoint.addr))
        })?;
        let bound = listener.local_addr().ok();
        let shown = bound.map_or_else(|| endpoint.addr.clone(), |a| a.to_string());
        // The one line a person (or a test) needs to point the bridge at the harness.
        eprintln!("waiting for a runtime on ws://{shown}");
        endpoint.bound.send_replace(bound);
        state.listener = Some(listener);
    }
    let first = state.connections == 0;
    let Some(listener) = state.listener.as_ref() else {
        return Err(StartError::WouldNotStart("the listener is gone".into()));
    };
    let cap = Cap {
        max_line,
        marker: Marker::new(),
    };
    let socket = if first {
        accept(listener, &cap).await
    } else {
        tokio::time::timeout(reconnect_timeout, accept(listener, &cap))
            .await
            .map_err(|_| {
                let bound = *endpoint.bound.borrow();
                let addr = bound.map_or_else(|| endpoint.addr.clone(), |a| a.to_string());
                StartError::WouldNotStart(format!(
                    "the runtime did not reconnect to ws://{addr} within {} ms",
                    reconnect_timeout.as_millis()
                ))
            })?
    }?;
    state.connections += 1;
    Ok(wire(socket, endpoint.silence_limit, cap))
}

/// The message cap of one connection.
struct Cap {
    max_line: usize,
    marker: Marker,
}

type Socket = WebSocketStream<CappedStream<TcpStream>>;

/// Accept TCP connections until one completes the WebSocket handshake (a stray HTTP request,
/// such as a browser asking for a favicon, or a connection that says nothing, is turned away
/// and waited past).
async fn accept(listener: &TcpListener, cap: &Cap) -> Result<Socket, StartError> {
    // The filter holds no more than the cap of a message; the WebSocket layer only ever sees
    // messages within it, or the marker of one that was not.
    let most = cap.max_line + cap.marker.max_len();
    let config = WebSocketConfig::default()
        .max_message_size(Some(most))
        .max_frame_size(Some(most));
    loop {
        let (stream, peer) = listener
            .accept()
            .await
            .map_err(|err| StartError::WouldNotStart(format!("cannot accept: {err}")))?;
        let _ = stream.set_nodelay(true);
        let stream = CappedStream::new(stream, cap.max_line, cap.marker.clone());
        let handshake = tokio_tungstenite::accept_async_with_config(stream, Some(config));
        match tokio::time::timeout(HANDSHAKE_LIMIT, handshake).await {
            Ok(Ok(socket)) => {
                tracing::info!(%peer, "runtime connected");
                return Ok(socket);
            }
            Ok(Err(err)) => tracing::warn!(%peer, "not a WebSocket handshake: {err}"),
            Err(_) => tracing::warn!(%peer, "no WebSocket handshake within 10 s"),
        }
    }
}

fn wire(socket: Socket, silence_limit: Duration, cap: Cap) -> Started {
    let (sink, stream) = socket.split();
    let (to_tx, to_rx) = mpsc::channel::<ToCandidate>(CHANNEL_CAPACITY);
    let (from_tx, from_rx) = mpsc::channel::<Stamped>(CHANNEL_CAPACITY);
    let writer = tokio::spawn(write_messages(sink, to_rx, silence_limit / 3));
    let reader = tokio::spawn(read_messages(stream, from_tx, silence_limit, cap));
    Started {
        tx: to_tx,
        rx: from_rx,
        log: None,
        guard: Box::new(ConnectionGuard(vec![
            writer.abort_handle(),
            reader.abort_handle(),
        ])),
    }
}

type Sink = futures_util::stream::SplitSink<Socket, Message>;
type Stream = futures_util::stream::SplitStream<Socket>;

async fn write_messages(mut sink: Sink, mut rx: mpsc::Receiver<ToCandidate>, ping_every: Duration) {
    let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + ping_every, ping_every);
    loop {
        let frame = tokio::select! {
            message = rx.recv() => match message {
                Some(message) => match serde_json::to_string(&message) {
                    Ok(text) => Message::text(text),
                    Err(_) => continue,
                },
                None => break,
            },
            // Pings keep the runtime answering (pongs) while no call is running.
            _ = ping.tick() => Message::Ping(Default::default()),
        };
        if sink.send(frame).await.is_err() {
            return;
        }
    }
    // The harness is done with this runtime: a close frame is its end of input.
    let _ = sink.close().await;
}

async fn read_messages(
    mut stream: Stream,
    tx: mpsc::Sender<Stamped>,
    silence_limit: Duration,
    cap: Cap,
) {
    let reason = loop {
        let Ok(next) = tokio::time::timeout(silence_limit, stream.next()).await else {
            break format!(
                "sent nothing, not even a pong, for {} ms",
                silence_limit.as_millis()
            );
        };
        match next {
            Some(Ok(Message::Text(text))) => {
                let at = Instant::now();
                let item = match cap.marker.parse(text.as_str()) {
                    Some((length, head)) => Some(too_long(head.as_bytes(), length, cap.max_line)),
                    None => parse_line(text.as_str()),
                };
                if let Some(item) = item {
                    if tx.send(Stamped { at, item }).await.is_err() {
                        return;
                    }
                }
            }
            Some(Ok(Message::Binary(bytes))) => {
                let item = Incoming::Problem {
                    call: None,
                    line: format!("<binary message of {} bytes>", bytes.len()),
                    error: "protocol messages are text messages".into(),
                };
                let at = Instant::now();
                if tx.send(Stamped { at, item }).await.is_err() {
                    return;
                }
            }
            Some(Ok(Message::Close(frame))) => {
                break match frame {
                    Some(f) => format!("closed the WebSocket (code {}, '{}')", f.code, f.reason),
                    None => "closed the WebSocket".to_string(),
                };
            }
            // Pings are answered by the WebSocket layer itself.
            Some(Ok(_)) => {}
            Some(Err(err)) => break format!("WebSocket error: {err}"),
            None => break "dropped the connection".to_string(),
        }
    };
    let _ = tx
        .send(Stamped {
            at: Instant::now(),
            item: Incoming::Closed(format!("runtime {reason}")),
        })
        .await;
}

/// Drops the connection when dropped.
struct ConnectionGuard(Vec<AbortHandle>);

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        for task in &self.0 {
            task.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_listen_addresses() {
        assert_eq!(
            Endpoint::parse("listen:ws://0.0.0.0:8790")
                .ok()
                .map(|e| e.addr().to_string()),
            Some("0.0.0.0:8790".into())
        );
        assert!(Endpoint::parse("listen:ws://localhost:0/").is_ok());
        assert!(Endpoint::parse("listen:ws://[::1]:9000").is_ok());
        for bad in [
            "listen:ws://",
            "listen:ws://host",
            "listen:ws://:80",
            "listen:ws://h:99999",
        ] {
            assert!(Endpoint::parse(bad).is_err(), "{bad}");
        }
    }
}
