//! multipart/form-data request bodies built as a stream: the file is read chunk by chunk while
//! hyper sends, the total length is known up front (Content-Length), and a watch channel
//! reports how many bytes went out.

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use tokio::io::{AsyncRead, ReadBuf};
use tokio::sync::watch;

/// Chunk size for reading the file.
const CHUNK: usize = 64 * 1024;

/// One piece of the body.
enum Segment {
    Bytes(Bytes),
    File {
        file: tokio::fs::File,
        remaining: u64,
    },
}

/// The layout of a multipart body, before the file is opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// Boundary (without the leading dashes).
    pub boundary: String,
    /// Everything before the file content.
    pub head: Vec<u8>,
    /// File size.
    pub file_len: u64,
    /// Everything after the file content.
    pub tail: Vec<u8>,
}

impl Layout {
    /// Lay out `fields` (formData) then the file part named `name` with `file_name`.
    pub fn new(
        boundary: &str,
        fields: &[(String, String)],
        name: &str,
        file_name: &str,
        file_len: u64,
    ) -> Layout {
        let mut head = Vec::new();
        for (k, v) in fields {
            head.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            head.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{}\"\r\n\r\n",
                    quote(k)
                )
                .as_bytes(),
            );
            head.extend_from_slice(v.as_bytes());
            head.extend_from_slice(b"\r\n");
        }
        head.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        head.extend_from_slice(
            format!(
                "Content-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\nContent-Type: application/octet-stream\r\n\r\n",
                quote(name),
                quote(file_name)
            )
            .as_bytes(),
        );
        let tail = format!("\r\n--{boundary}--\r\n").into_bytes();
        Layout {
            boundary: boundary.to_string(),
            head,
            file_len,
            tail,
        }
    }

    /// Total body length.
    pub fn len(&self) -> u64 {
        self.head.len() as u64 + self.file_len + self.tail.len() as u64
    }

    /// Whether the body is empty (never: there are always boundaries).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The Content-Type header value.
    pub fn content_type(&self) -> String {
        format!("multipart/form-data; boundary={}", self.boundary)
    }
}

/// Escape what would end a quoted multipart parameter.
fn quote(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "%22")
        .replace(['\r', '\n'], " ")
}

/// The streaming body.
pub struct MultipartBody {
    segments: VecDeque<Segment>,
    total: u64,
    sent: u64,
    progress: watch::Sender<u64>,
    buf: Vec<u8>,
}

impl MultipartBody {
    /// A body for `layout` reading `file`; `progress` receives the bytes handed to the connection.
    pub fn new(
        layout: Layout,
        file: tokio::fs::File,
        progress: watch::Sender<u64>,
    ) -> MultipartBody {
        let total = layout.len();
        let segments = VecDeque::from([
            Segment::Bytes(Bytes::from(layout.head)),
            Segment::File {
                file,
                remaining: layout.file_len,
            },
            Segment::Bytes(Bytes::from(layout.tail)),
        ]);
        MultipartBody {
            segments,
            total,
            sent: 0,
            progress,
            buf: vec![0; CHUNK],
        }
    }

    fn account(&mut self, n: usize) {
        self.sent += n as u64;
        self.progress.send_replace(self.sent);
    }
}

impl Body for MultipartBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        let this = &mut *self;
        loop {
            match this.segments.front_mut() {
                None => return Poll::Ready(None),
                Some(Segment::Bytes(b)) => {
                    let b = std::mem::take(b);
                    this.segments.pop_front();
                    if b.is_empty() {
                        continue;
                    }
                    this.account(b.len());
                    return Poll::Ready(Some(Ok(Frame::data(b))));
                }
                Some(Segment::File { remaining: 0, .. }) => {
                    this.segments.pop_front();
                }
                Some(Segment::File { file, remaining }) => {
                    let want = (*remaining).min(CHUNK as u64) as usize;
                    let mut rb = ReadBuf::new(&mut this.buf[..want]);
                    ready!(Pin::new(file).poll_read(cx, &mut rb))?;
                    let n = rb.filled().len();
                    if n == 0 {
                        // The file shrank after its size was announced.
                        return Poll::Ready(Some(Err(std::io::ErrorKind::UnexpectedEof.into())));
                    }
                    *remaining -= n as u64;
                    let chunk = Bytes::copy_from_slice(rb.filled());
                    this.account(n);
                    return Poll::Ready(Some(Ok(Frame::data(chunk))));
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.segments.is_empty()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.total - self.sent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    #[tokio::test]
    async fn body_is_valid_multipart_with_exact_length() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.bin");
        let content: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &content).unwrap();
        let fields = vec![
            ("user".to_string(), "test".to_string()),
            ("note".to_string(), "多字节 text".to_string()),
        ];
        let layout = Layout::new("XyZ123", &fields, "myfile", "f.bin", content.len() as u64);
        let total = layout.len();
        let (ptx, prx) = watch::channel(0);
        let body = MultipartBody::new(layout, tokio::fs::File::open(&path).await.unwrap(), ptx);
        assert_eq!(body.size_hint().exact(), Some(total));
        let bytes = body.collect().await.unwrap().to_bytes();
        assert_eq!(bytes.len() as u64, total);
        assert_eq!(*prx.borrow(), total);

        // Parse it back with an independent parser.
        let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(bytes) });
        let mut mp = multer::Multipart::new(stream, "XyZ123");
        let mut seen = Vec::new();
        while let Some(field) = mp.next_field().await.unwrap() {
            let name = field.name().unwrap_or_default().to_string();
            let file_name = field.file_name().map(str::to_string);
            let data = field.bytes().await.unwrap();
            seen.push((name, file_name, data));
        }
        assert_eq!(seen.len(), 3);
        assert_eq!((seen[0].0.as_str(), &seen[0].2[..]), ("user", &b"test"[..]));
        assert_eq!(seen[1].2, "多字节 text".as_bytes());
        assert_eq!(
            (seen[2].0.as_str(), seen[2].1.as_deref()),
            ("myfile", Some("f.bin"))
        );
        assert_eq!(&seen[2].2[..], &content[..]);
    }
}
