//! The upload receiver: reads a request body as a stream (multipart parsed with
//! multer), applying the upload faults, and summarises what arrived.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use sha2::{Digest, Sha256};

use crate::control::journal::UploadRecord;
use crate::net::conn::Conn;
use crate::respond::plan::UploadFaults;

/// Form values longer than this are cut in the journal.
const MAX_TEXT: usize = 64 * 1024;

/// How the upload ended.
#[derive(Debug, Clone, PartialEq)]
pub enum UploadEnd {
    /// The body was read whole.
    Done,
    /// The receiver reset the connection (fault).
    Reset,
    /// The body could not be read or parsed.
    Failed(String),
}

struct Counter {
    read: AtomicU64,
    reset: AtomicBool,
}

/// Read the request body with `faults` applied; `content_type` picks multipart parsing.
pub async fn receive(
    body: Incoming,
    content_type: Option<&str>,
    faults: UploadFaults,
    conn: Arc<Conn>,
) -> (UploadRecord, UploadEnd) {
    let counter = Arc::new(Counter {
        read: AtomicU64::new(0),
        reset: AtomicBool::new(false),
    });
    let stream = body_stream(body, faults, conn, counter.clone());
    let boundary = content_type.and_then(|ct| multer::parse_boundary(ct).ok());
    let mut record = UploadRecord::default();
    let result = match boundary {
        Some(b) => read_multipart(stream, b, &mut record).await,
        None => read_plain(stream, &mut record).await,
    };
    record.bytes_read = counter.read.load(Ordering::SeqCst);
    let end = if counter.reset.load(Ordering::SeqCst) {
        UploadEnd::Reset
    } else {
        match result {
            Ok(()) => UploadEnd::Done,
            Err(e) => UploadEnd::Failed(e),
        }
    };
    (record, end)
}

type Chunk = Result<Bytes, std::io::Error>;

fn body_stream(
    body: Incoming,
    faults: UploadFaults,
    conn: Arc<Conn>,
    counter: Arc<Counter>,
) -> impl futures_util::Stream<Item = Chunk> + Send {
    let started = Instant::now();
    futures_util::stream::unfold(Some(body), move |body| {
        let conn = conn.clone();
        let counter = counter.clone();
        async move {
            let mut body = body?;
            loop {
                let frame = match body.frame().await {
                    None => return None,
                    Some(Err(e)) => return Some((Err(std::io::Error::other(e)), None)),
                    Some(Ok(f)) => f,
                };
                let Ok(data) = frame.into_data() else {
                    continue;
                };
                let total =
                    counter.read.fetch_add(data.len() as u64, Ordering::SeqCst) + data.len() as u64;
                if let Some(bps) = faults.read_bps {
                    let due = Duration::from_secs_f64(total as f64 / bps as f64);
                    if let Some(wait) = due.checked_sub(started.elapsed()) {
                        tokio::time::sleep(wait).await;
                    }
                }
                if faults.reset_after.is_some_and(|n| total >= n) {
                    counter.reset.store(true, Ordering::SeqCst);
                    conn.reset();
                    return Some((
                        Err(std::io::Error::new(
                            std::io::ErrorKind::ConnectionReset,
                            "upload_reset_after fault",
                        )),
                        None,
                    ));
                }
                return Some((Ok(data), Some(body)));
            }
        }
    })
}

async fn read_plain(
    stream: impl futures_util::Stream<Item = Chunk> + Send,
    rec: &mut UploadRecord,
) -> Result<(), String> {
    use futures_util::StreamExt;
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    let mut stream = std::pin::pin!(stream);
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| e.to_string())?;
        size += chunk.len() as u64;
        hasher.update(&chunk);
    }
    rec.file_size = size;
    if size > 0 {
        rec.file_sha256 = Some(hex::encode(hasher.finalize()));
    }
    Ok(())
}

async fn read_multipart(
    stream: impl futures_util::Stream<Item = Chunk> + Send + 'static,
    boundary: String,
    rec: &mut UploadRecord,
) -> Result<(), String> {
    let mut mp = multer::Multipart::new(stream, boundary);
    while let Some(mut field) = mp.next_field().await.map_err(|e| e.to_string())? {
        let name = field.name().unwrap_or("").to_string();
        rec.field_names.push(name.clone());
        let file_name = field.file_name().map(str::to_string);
        if file_name.is_some() && rec.file_field.is_none() {
            let mut hasher = Sha256::new();
            let mut size = 0u64;
            while let Some(chunk) = field.chunk().await.map_err(|e| e.to_string())? {
                size += chunk.len() as u64;
                hasher.update(&chunk);
            }
            rec.file_field = Some(name);
            rec.file_name = file_name;
            rec.file_size = size;
            rec.file_sha256 = Some(hex::encode(hasher.finalize()));
        } else {
            let mut text = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(|e| e.to_string())? {
                let room = MAX_TEXT.saturating_sub(text.len());
                text.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            rec.form_data
                .push((name, String::from_utf8_lossy(&text).into_owned()));
        }
    }
    Ok(())
}
