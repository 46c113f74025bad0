//! The line cap for the WebSocket transport: a message over `--max-line-bytes` is never held
//! whole. The runtime's bytes pass through a filter under the WebSocket layer that holds at
//! most the cap of one message; a message that goes over it is read to its end, only its head
//! and length kept, and replaced on the wire by one small text frame (a marker carrying a
//! secret of the connection, the length and the head) that [`Marker::parse`] turns back into
//! the same problem a too-long stdio line is. The connection goes on.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::io::Cursor;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Buf, BytesMut};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_tungstenite::tungstenite::protocol::frame::FrameHeader;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};

use super::lines::HEAD_BYTES;

/// Bytes read from the socket at a time.
const READ_CHUNK: usize = 16 * 1024;

/// The marker of a message dropped for its size, unforgeable by the runtime (it holds a
/// secret made for the connection).
#[derive(Debug, Clone)]
pub struct Marker {
    secret: String,
}

impl Marker {
    /// A marker with a fresh secret.
    pub fn new() -> Marker {
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_u64(std::process::id().into());
        Marker {
            secret: format!("\u{1}dlconform-oversize-{:016x}\u{1}", hasher.finish()),
        }
    }

    fn text(&self, length: u64, head: &[u8]) -> Vec<u8> {
        let mut text = format!("{}{length}\n", self.secret).into_bytes();
        text.extend_from_slice(String::from_utf8_lossy(head).as_bytes());
        text
    }

    /// The length and head of the dropped message a text message stands for, if it is a marker.
    pub fn parse<'a>(&self, text: &'a str) -> Option<(u64, &'a str)> {
        let rest = text.strip_prefix(&self.secret)?;
        let (length, head) = rest.split_once('\n')?;
        Some((length.parse().ok()?, head))
    }

    /// The longest marker text: what the WebSocket layer must accept beyond the cap.
    pub fn max_len(&self) -> usize {
        // The head grows at most threefold through lossy decoding (one byte to U+FFFD).
        self.secret.len() + 21 + 3 * HEAD_BYTES
    }
}

impl Default for Marker {
    fn default() -> Self {
        Marker::new()
    }
}

/// What the filter is reading.
#[derive(Debug)]
enum Stage {
    /// The HTTP upgrade request, up to its blank line (`matched` bytes of `\r\n\r\n` seen).
    Handshake { matched: usize },
    /// A frame header.
    Header,
    /// A control frame's payload: passed on as it comes.
    Control { left: u64 },
    /// A data frame's payload.
    Data {
        left: u64,
        mask: Option<[u8; 4]>,
        offset: u64,
        fin: bool,
    },
}

/// The data message being read.
#[derive(Debug, Default)]
struct Message {
    /// Its frames as received, while it is within the cap.
    frames: BytesMut,
    /// Its payload length so far.
    length: u64,
    /// Its first payload bytes, unmasked.
    head: Vec<u8>,
    over: bool,
}

/// The runtime's side of the socket, read through the cap; writes go straight through.
pub struct CappedStream<S> {
    inner: S,
    cap: usize,
    marker: Marker,
    stage: Stage,
    message: Option<Message>,
    raw: BytesMut,
    out: BytesMut,
    eof: bool,
}

impl<S> CappedStream<S> {
    /// Read `inner` (from its HTTP upgrade request on) holding at most `cap` bytes of a message.
    pub fn new(inner: S, cap: usize, marker: Marker) -> Self {
        CappedStream {
            inner,
            cap,
            marker,
            stage: Stage::Handshake { matched: 0 },
            message: None,
            raw: BytesMut::new(),
            out: BytesMut::new(),
            eof: false,
        }
    }

    /// The socket underneath.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// Move what `raw` holds on to `out` as far as it goes; a broken frame header is passed
    /// on for the WebSocket layer to refuse.
    fn process(&mut self) {
        loop {
            match &mut self.stage {
                Stage::Handshake { matched } => {
                    let Some(&byte) = self.raw.first() else {
                        return;
                    };
                    self.raw.advance(1);
                    self.out.extend_from_slice(&[byte]);
                    *matched = match (byte, *matched) {
                        (b'\r', 0 | 2) => *matched + 1,
                        (b'\n', 1 | 3) => *matched + 1,
                        (b'\r', _) => 1,
                        _ => 0,
                    };
                    if *matched == 4 {
                        self.stage = Stage::Header;
                    }
                }
                Stage::Header => {
                    let mut cursor = Cursor::new(&self.raw[..]);
                    let (header, length) = match FrameHeader::parse(&mut cursor) {
                        Ok(Some(parsed)) => parsed,
                        Ok(None) => return,
                        Err(_) => {
                            // Not WebSocket framing: hand it on unchanged to be refused.
                            let all = self.raw.split();
                            self.out.extend_from_slice(&all);
                            return;
                        }
                    };
                    let header_bytes = self.raw.split_to(cursor.position() as usize);
                    match header.opcode {
                        OpCode::Control(_) => {
                            self.out.extend_from_slice(&header_bytes);
                            self.stage = Stage::Control { left: length };
                        }
                        OpCode::Data(kind) => {
                            if !matches!(kind, Data::Continue) || self.message.is_none() {
                                self.message = Some(Message::default());
                            }
                            let cap = self.cap as u64;
                            if let Some(message) = self.message.as_mut() {
                                message.length += length;
                                // Frame headers count too: many empty frames are no way round it.
                                let held = message.frames.len() as u64 + header_bytes.len() as u64;
                                if !message.over && (message.length > cap || held > 2 * cap + 1024)
                                {
                                    message.over = true;
                                    message.frames = BytesMut::new();
                                }
                                if !message.over {
                                    message.frames.extend_from_slice(&header_bytes);
                                }
                            }
                            self.stage = Stage::Data {
                                left: length,
                                mask: header.mask,
                                offset: 0,
                                fin: header.is_final,
                            };
                        }
                    }
                }
                Stage::Control { left } => {
                    if *left > 0 {
                        let n = (*left).min(self.raw.len() as u64) as usize;
                        if n == 0 {
                            return;
                        }
                        let bytes = self.raw.split_to(n);
                        self.out.extend_from_slice(&bytes);
                        *left -= n as u64;
                    }
                    if *left == 0 {
                        self.stage = Stage::Header;
                    }
                }
                Stage::Data {
                    left,
                    mask,
                    offset,
                    fin,
                } => {
                    if *left > 0 {
                        let n = (*left).min(self.raw.len() as u64) as usize;
                        if n == 0 {
                            return;
                        }
                        let bytes = self.raw.split_to(n);
                        if let Some(message) = self.message.as_mut() {
                            let room = HEAD_BYTES.saturating_sub(message.head.len()).min(n);
                            for (i, byte) in bytes[..room].iter().enumerate() {
                                let key =
                                    mask.map_or(0, |m| m[((*offset + i as u64) % 4) as usize]);
                                message.head.push(byte ^ key);
                            }
                            if !message.over {
                                message.frames.extend_from_slice(&bytes);
                            }
                        }
                        *offset += n as u64;
                        *left -= n as u64;
                    }
                    if *left == 0 {
                        if *fin {
                            if let Some(message) = self.message.take() {
                                self.finish(message);
                            }
                        }
                        self.stage = Stage::Header;
                    }
                }
            }
        }
    }

    /// A whole message: its frames as they came, or the marker standing for it.
    fn finish(&mut self, message: Message) {
        if !message.over {
            self.out.extend_from_slice(&message.frames);
            return;
        }
        let text = self.marker.text(message.length, &message.head);
        let header = FrameHeader {
            opcode: OpCode::Data(Data::Text),
            // A zero mask leaves the text as it is; the server side requires masked frames.
            mask: Some([0; 4]),
            ..FrameHeader::default()
        };
        let mut frame = Vec::with_capacity(text.len() + 14);
        if header.format(text.len() as u64, &mut frame).is_ok() {
            self.out.extend_from_slice(&frame);
            self.out.extend_from_slice(&text);
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for CappedStream<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        loop {
            if !this.out.is_empty() {
                let n = this.out.len().min(buf.remaining());
                buf.put_slice(&this.out.split_to(n));
                return Poll::Ready(Ok(()));
            }
            if this.eof {
                return Poll::Ready(Ok(()));
            }
            let mut chunk = [0u8; READ_CHUNK];
            let mut read = ReadBuf::new(&mut chunk);
            match Pin::new(&mut this.inner).poll_read(cx, &mut read) {
                Poll::Ready(Ok(())) => {
                    if read.filled().is_empty() {
                        // What is left of a frame is handed on: the WebSocket layer sees the
                        // connection end where it ended.
                        this.eof = true;
                        let rest = this.raw.split();
                        this.out.extend_from_slice(&rest);
                    } else {
                        this.raw.extend_from_slice(read.filled());
                        this.process();
                    }
                }
                Poll::Ready(Err(err)) => return Poll::Ready(Err(err)),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for CappedStream<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    const UPGRADE: &[u8] = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";

    fn frame(opcode: OpCode, fin: bool, payload: &[u8]) -> Vec<u8> {
        let mask = [1, 2, 3, 4];
        let header = FrameHeader {
            is_final: fin,
            opcode,
            mask: Some(mask),
            ..FrameHeader::default()
        };
        let mut out = Vec::new();
        header
            .format(payload.len() as u64, &mut out)
            .expect("header");
        out.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        out
    }

    async fn filtered(input: Vec<u8>, cap: usize, marker: &Marker) -> Vec<u8> {
        let mut stream = CappedStream::new(&input[..], cap, marker.clone());
        let mut out = Vec::new();
        stream.read_to_end(&mut out).await.expect("in memory");
        out
    }

    #[tokio::test]
    async fn messages_within_the_cap_pass_unchanged_control_frames_at_once() {
        let ping = frame(
            OpCode::Control(tokio_tungstenite::tungstenite::protocol::frame::coding::Control::Ping),
            true,
            b"p",
        );
        let whole = frame(OpCode::Data(Data::Text), true, b"hello");
        let first = frame(OpCode::Data(Data::Text), false, b"frag");
        let last = frame(OpCode::Data(Data::Continue), true, b"mented");
        let input = [UPGRADE, &whole, &first, &ping, &last].concat();
        let marker = Marker::new();
        // A fragmented message is held until its last frame; a ping within it goes on at once.
        let expected = [UPGRADE, &whole, &ping, &first, &last].concat();
        assert_eq!(filtered(input, 11, &marker).await, expected);
    }

    #[tokio::test]
    async fn a_fragmented_message_over_the_cap_becomes_one_marker_and_what_follows_passes() {
        let start = b"{\"call\":\"c3\",\"x\":\"";
        let mut input = UPGRADE.to_vec();
        input.extend(frame(OpCode::Data(Data::Text), false, start));
        for _ in 0..10 {
            input.extend(frame(OpCode::Data(Data::Continue), false, &[b'y'; 100]));
        }
        input.extend(frame(OpCode::Data(Data::Continue), true, b"\"}"));
        let after = frame(OpCode::Data(Data::Text), true, b"next");
        input.extend(&after);
        let marker = Marker::new();
        let out = filtered(input, 200, &marker).await;
        assert!(out.starts_with(UPGRADE));
        assert!(out.ends_with(&after), "what follows is untouched");
        let middle = &out[UPGRADE.len()..out.len() - after.len()];
        // One unfragmented text frame with a zero mask: the marker as it is.
        let mut cursor = Cursor::new(middle);
        let (header, length) = FrameHeader::parse(&mut cursor)
            .expect("a frame")
            .expect("whole");
        assert!(header.is_final);
        assert_eq!(header.opcode, OpCode::Data(Data::Text));
        let text = std::str::from_utf8(&middle[cursor.position() as usize..]).expect("text");
        assert_eq!(text.len() as u64, length);
        let (total, head) = marker.parse(text).expect("a marker");
        assert_eq!(total, start.len() as u64 + 1000 + 2);
        assert!(head.starts_with("{\"call\":\"c3\""), "{head}");
        assert!(Marker::new().parse(text).is_none(), "another secret");
    }
}
