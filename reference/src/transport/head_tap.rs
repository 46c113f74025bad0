//! A stream wrapper that keeps a copy of the first response head read through it, so the
//! header names can be seen as they were on the wire (hyper hands them back lower-cased).
//! Only the `header-case-sensitive` mutant uses it.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Most head bytes kept.
const MAX_HEAD: usize = 64 * 1024;

/// The bytes of the response head as read so far.
pub type HeadCopy = Arc<Mutex<Vec<u8>>>;

/// `inner`, copying what is read into a [`HeadCopy`] until the head's blank line.
pub struct HeadTap<S> {
    inner: S,
    copy: HeadCopy,
    done: bool,
}

impl<S> HeadTap<S> {
    /// Wrap `inner`; the head lands in the returned copy.
    pub fn new(inner: S) -> (Self, HeadCopy) {
        let copy = HeadCopy::default();
        (
            HeadTap {
                inner,
                copy: copy.clone(),
                done: false,
            },
            copy,
        )
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for HeadTap<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if !self.done {
            let fresh = buf.filled()[before..].to_vec();
            let mut copy = self.copy.lock().unwrap_or_else(|e| e.into_inner());
            copy.extend_from_slice(&fresh);
            let done = copy.windows(4).any(|w| w == b"\r\n\r\n") || copy.len() >= MAX_HEAD;
            drop(copy);
            self.done = done;
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for HeadTap<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Header names as the head spelled them.
pub fn wire_names(head: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(head)
        .split("\r\n\r\n")
        .next()
        .unwrap_or_default()
        .lines()
        .skip(1)
        .filter_map(|line| line.split_once(':').map(|(n, _)| n.trim().to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_keep_their_case() {
        let head = b"HTTP/1.1 200 OK\r\ncontent-length: 3\r\nX-Tt-Logid: a:b\r\n\r\nabc";
        assert_eq!(wire_names(head), vec!["content-length", "X-Tt-Logid"]);
    }
}
