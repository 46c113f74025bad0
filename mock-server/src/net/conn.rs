//! One accepted connection: the socket shared between hyper and the raw writer.
//!
//! hyper owns the connection for ordinary responses. Faults that must break the
//! protocol (wrong Content-Length, raw bytes, RST) "hijack" it: hyper's reads
//! then wait forever and its writes are swallowed, while the fault code writes
//! directly to the socket (through TLS when the listener speaks TLS), and at
//! the end closes or resets it.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::server::TlsStream;

use crate::respond::fault::ListenerKind;

/// The socket, plain or TLS.
pub enum Stream {
    /// Plain TCP.
    Plain(TcpStream),
    /// TLS over TCP.
    Tls(Box<TlsStream<TcpStream>>),
}

impl Stream {
    /// The TCP socket underneath.
    pub fn tcp(&self) -> &TcpStream {
        match self {
            Stream::Plain(s) => s,
            Stream::Tls(s) => s.get_ref().0,
        }
    }
}

macro_rules! delegate {
    ($self:ident, $s:ident => $e:expr) => {
        match $self.get_mut() {
            Stream::Plain($s) => {
                let $s = Pin::new($s);
                $e
            }
            Stream::Tls($s) => {
                let $s = Pin::new(&mut **$s);
                $e
            }
        }
    };
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        delegate!(self, s => s.poll_read(cx, buf))
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        delegate!(self, s => s.poll_write(cx, buf))
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        delegate!(self, s => s.poll_flush(cx))
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        delegate!(self, s => s.poll_shutdown(cx))
    }
}

/// State shared by hyper's view of the connection and the raw writer.
pub struct Conn {
    stream: Mutex<Option<Stream>>,
    hijacked: AtomicBool,
    hyper_read_waker: Mutex<Option<Waker>>,
    /// Which listener accepted it.
    pub listener: ListenerKind,
    /// Negotiated HTTP/2 (through ALPN).
    pub h2: bool,
}

impl Conn {
    /// Wrap an accepted stream.
    pub fn new(stream: Stream, listener: ListenerKind, h2: bool) -> Arc<Conn> {
        Arc::new(Conn {
            stream: Mutex::new(Some(stream)),
            hijacked: AtomicBool::new(false),
            hyper_read_waker: Mutex::new(None),
            listener,
            h2,
        })
    }

    fn lock(&self) -> MutexGuard<'_, Option<Stream>> {
        // A poisoned lock only means a panic elsewhere; the socket itself is still usable.
        self.stream.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Take the connection away from hyper; from now on only [`RawIo`] talks to the socket.
    pub fn hijack(self: &Arc<Self>) -> RawIo {
        self.hijacked.store(true, Ordering::SeqCst);
        RawIo { conn: self.clone() }
    }

    /// The local port of the socket (`None` once it is gone).
    pub fn local_port(&self) -> Option<u16> {
        self.lock()
            .as_ref()
            .and_then(|s| s.tcp().local_addr().ok())
            .map(|a| a.port())
    }

    /// Whether the socket has been closed or reset by a fault.
    pub fn is_gone(&self) -> bool {
        self.lock().is_none()
    }

    fn release_hyper(&self) {
        if let Some(w) = self
            .hyper_read_waker
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            w.wake();
        }
    }

    /// Reset the connection: SO_LINGER 0, then close, so the peer gets a TCP RST.
    pub fn reset(&self) {
        if let Some(stream) = self.lock().take() {
            let _ = socket2::SockRef::from(stream.tcp()).set_linger(Some(Duration::ZERO));
            drop(stream);
        }
        self.release_hyper();
    }

    /// Close the connection cleanly (TLS close_notify, then FIN).
    pub async fn close(&self) {
        let stream = self.lock().take();
        if let Some(mut stream) = stream {
            let _ = tokio::time::timeout(Duration::from_secs(2), stream.shutdown()).await;
            drop(stream);
        }
        self.release_hyper();
    }
}

/// hyper's view of the connection.
pub struct HyperIo {
    /// The shared connection.
    pub conn: Arc<Conn>,
}

impl AsyncRead for HyperIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let conn = &self.conn;
        let mut guard = conn.lock();
        match guard.as_mut() {
            None => Poll::Ready(Ok(())),
            Some(_) if conn.hijacked.load(Ordering::SeqCst) => {
                *conn
                    .hyper_read_waker
                    .lock()
                    .unwrap_or_else(|e| e.into_inner()) = Some(cx.waker().clone());
                Poll::Pending
            }
            Some(s) => Pin::new(s).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for HyperIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let conn = &self.conn;
        let mut guard = conn.lock();
        match guard.as_mut() {
            Some(s) if !conn.hijacked.load(Ordering::SeqCst) => Pin::new(s).poll_write(cx, buf),
            // Hijacked or gone: hyper's placeholder response goes nowhere.
            _ => Poll::Ready(Ok(buf.len())),
        }
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let conn = &self.conn;
        let mut guard = conn.lock();
        match guard.as_mut() {
            Some(s) if !conn.hijacked.load(Ordering::SeqCst) => Pin::new(s).poll_flush(cx),
            _ => Poll::Ready(Ok(())),
        }
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let conn = &self.conn;
        let mut guard = conn.lock();
        match guard.as_mut() {
            Some(s) if !conn.hijacked.load(Ordering::SeqCst) => Pin::new(s).poll_shutdown(cx),
            _ => Poll::Ready(Ok(())),
        }
    }
}

/// Direct access to a hijacked connection's socket.
pub struct RawIo {
    conn: Arc<Conn>,
}

impl RawIo {
    /// The shared connection (to close or reset it).
    pub fn conn(&self) -> &Arc<Conn> {
        &self.conn
    }
}

fn gone() -> io::Error {
    io::Error::new(io::ErrorKind::NotConnected, "connection already closed")
}

impl AsyncRead for RawIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.conn.lock().as_mut() {
            Some(s) => Pin::new(s).poll_read(cx, buf),
            None => Poll::Ready(Ok(())),
        }
    }
}

impl AsyncWrite for RawIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.conn.lock().as_mut() {
            Some(s) => Pin::new(s).poll_write(cx, buf),
            None => Poll::Ready(Err(gone())),
        }
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.conn.lock().as_mut() {
            Some(s) => Pin::new(s).poll_flush(cx),
            None => Poll::Ready(Err(gone())),
        }
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.conn.lock().as_mut() {
            Some(s) => Pin::new(s).poll_shutdown(cx),
            None => Poll::Ready(Ok(())),
        }
    }
}
