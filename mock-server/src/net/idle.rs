//! Streams open on one HTTP/2 connection, to close the connection once it has had none for a
//! while, as hyper closes an HTTP/1.1 connection that sends no request (its header read
//! timeout). HTTP/2 has no such timer of its own: an idle h2 connection would stay forever.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use tokio::sync::watch;

use crate::respond::hyper_body::RespBody;

/// How long a connection may have no request in flight before it is closed; the same as
/// hyper's HTTP/1.1 header read timeout (its default, which the server keeps).
pub const IDLE_LIMIT: Duration = Duration::from_secs(30);

/// Counts the requests in flight on one connection (until their response body is dropped).
#[derive(Debug, Clone)]
pub struct Streams(Arc<watch::Sender<usize>>);

impl Default for Streams {
    fn default() -> Self {
        Streams(Arc::new(watch::Sender::new(0)))
    }
}

impl Streams {
    /// A request arrived: in flight until the guard is dropped.
    pub fn enter(&self) -> StreamGuard {
        self.0.send_modify(|n| *n += 1);
        StreamGuard(self.0.clone())
    }

    /// Wait until no request has been in flight for `limit` on end.
    pub async fn idle_for(&self, limit: Duration) {
        let mut rx = self.0.subscribe();
        loop {
            // Wait for the count to reach zero, then for `limit` without a change.
            if rx.wait_for(|n| *n == 0).await.is_err() {
                return std::future::pending().await;
            }
            let _ = rx.borrow_and_update();
            if tokio::time::timeout(limit, rx.changed()).await.is_err() {
                return;
            }
        }
    }
}

/// One request in flight.
#[derive(Debug)]
pub struct StreamGuard(Arc<watch::Sender<usize>>);

impl Drop for StreamGuard {
    fn drop(&mut self) {
        self.0.send_modify(|n| *n = n.saturating_sub(1));
    }
}

/// A response body that keeps its request counted in flight until hyper drops it.
pub fn guarded(body: RespBody, guard: StreamGuard) -> RespBody {
    RespBody::new(Guarded {
        inner: body,
        _guard: guard,
    })
}

struct Guarded {
    inner: RespBody,
    _guard: StreamGuard,
}

impl Body for Guarded {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }
    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }
    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn idle_only_once_nothing_is_in_flight() {
        let streams = Streams::default();
        let guard = streams.enter();
        let idle = tokio::spawn({
            let streams = streams.clone();
            async move { streams.idle_for(Duration::from_millis(50)).await }
        });
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(!idle.is_finished(), "idle while a request is in flight");
        drop(guard);
        let ended = tokio::time::timeout(Duration::from_secs(10), idle).await;
        assert!(ended.is_ok(), "not idle after the last request ended");
    }
}
