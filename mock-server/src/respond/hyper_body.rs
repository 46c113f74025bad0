//! Response bodies handed to hyper, recording bytes sent and how the body ended.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Empty, Full, StreamBody};

use super::plan::Cut;
use super::pump::Pump;
use crate::control::journal::ConnectionEnd;
use crate::control::record::RequestGuard;
use crate::net::conn::Conn;

/// The boxed body type every response uses.
pub type RespBody = BoxBody<Bytes, std::io::Error>;

/// An empty body.
pub fn empty() -> RespBody {
    Empty::new().map_err(|never| match never {}).boxed()
}

/// A body of fixed bytes.
pub fn full(b: impl Into<Bytes>) -> RespBody {
    Full::new(b.into()).map_err(|never| match never {}).boxed()
}

/// Wraps a body: counts data bytes into the journal and records the end.
pub struct TrackedBody {
    inner: RespBody,
    guard: Option<RequestGuard>,
    sent: u64,
    reported: u64,
    expected: Option<u64>,
}

impl TrackedBody {
    /// Track `inner` with `guard`.
    pub fn boxed(inner: RespBody, guard: RequestGuard) -> RespBody {
        TrackedBody {
            inner,
            guard: Some(guard),
            sent: 0,
            reported: 0,
            expected: None,
        }
        .boxed()
    }

    /// Track a body whose length hyper knows from Content-Length: hyper stops polling after
    /// `expected` bytes, so reaching it means the body is complete.
    pub fn with_len(inner: RespBody, guard: RequestGuard, expected: u64) -> RespBody {
        TrackedBody {
            inner,
            guard: Some(guard),
            sent: 0,
            reported: 0,
            expected: Some(expected),
        }
        .boxed()
    }

    fn whole(&self) -> bool {
        self.inner.is_end_stream() || self.expected.is_some_and(|e| self.sent >= e)
    }

    fn report(&mut self, force: bool) {
        if let Some(g) = &self.guard {
            g.sending(self.sent);
        }
        // Journal updates every 256 KiB keep the lock cheap on large bodies.
        if force || self.sent - self.reported >= 256 * 1024 {
            if let Some(g) = &self.guard {
                g.bytes_sent(self.sent);
            }
            self.reported = self.sent;
        }
    }

    fn end(&mut self, end: ConnectionEnd) {
        self.report(true);
        if let Some(mut g) = self.guard.take() {
            g.finish(end);
        }
    }
}

impl Body for TrackedBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(d) = frame.data_ref() {
                    self.sent += d.len() as u64;
                    self.report(false);
                }
                if self.whole() {
                    self.end(ConnectionEnd::Complete);
                }
            }
            Poll::Ready(Some(Err(e))) => {
                let end = if e.kind() == std::io::ErrorKind::ConnectionAborted {
                    ConnectionEnd::ServerClose
                } else {
                    ConnectionEnd::ServerReset
                };
                self.end(end);
            }
            Poll::Ready(None) => self.end(ConnectionEnd::Complete),
            Poll::Pending => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for TrackedBody {
    fn drop(&mut self) {
        if self.whole() {
            self.end(ConnectionEnd::Complete);
        } else {
            // The guard's own drop records a client abort (or `open` at shutdown).
            self.report(true);
        }
    }
}

enum State {
    Pumping(Box<Pump>),
    Cut,
}

/// The pumped body for hyper; on HTTP/2 a cut stalls, closes the connection or resets the stream.
pub fn pumped(pump: Pump, cut: Option<Cut>, conn: Arc<Conn>) -> RespBody {
    let stream = futures_util::stream::unfold(State::Pumping(Box::new(pump)), move |state| {
        let conn = conn.clone();
        async move {
            match state {
                State::Pumping(mut p) => match p.next().await {
                    Some(b) => Some((Ok(Frame::data(b)), State::Pumping(p))),
                    None => match cut {
                        None => None,
                        Some(Cut::ResetAfter(_)) => {
                            // A real TCP reset even on HTTP/2, once the sent bytes had time to leave.
                            tokio::time::sleep(Duration::from_millis(100)).await;
                            conn.reset();
                            Some((
                                Err(std::io::Error::new(
                                    std::io::ErrorKind::ConnectionReset,
                                    "reset_after fault",
                                )),
                                State::Cut,
                            ))
                        }
                        Some(Cut::CloseAfter(_)) => {
                            // Let the sent bytes leave before the connection goes.
                            tokio::time::sleep(Duration::from_millis(100)).await;
                            conn.close().await;
                            Some((
                                Err(std::io::Error::new(
                                    std::io::ErrorKind::ConnectionAborted,
                                    "close_after fault",
                                )),
                                State::Cut,
                            ))
                        }
                        Some(Cut::StallAfter(_)) => {
                            std::future::pending::<()>().await;
                            None
                        }
                    },
                },
                State::Cut => None,
            }
        }
    });
    StreamBody::new(stream).boxed()
}
