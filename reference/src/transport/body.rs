//! Reading a response body chunk by chunk with size limits, sorting its failures.

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::Incoming;

use super::error::{TransferError, chain_text, has_io_kind};
use super::exchange::is_reset;

/// The body length a response announces: Content-Length, unless chunked framing overrides it.
pub fn announced_length(headers: &http::HeaderMap) -> Option<u64> {
    if headers.contains_key(http::header::TRANSFER_ENCODING) {
        return None;
    }
    headers
        .get(http::header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// Read a whole (small) body into memory, failing past `max_bytes`.
pub async fn read_all(body: &mut Incoming, max_bytes: u64) -> Result<Vec<u8>, TransferError> {
    let mut reader = BodyReader::new(body, None, Some(max_bytes));
    let mut out = Vec::new();
    while let Some(chunk) = reader.next_chunk().await? {
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// Reads a body frame by frame, never holding more than one chunk.
pub struct BodyReader<'a> {
    body: &'a mut Incoming,
    received: u64,
    expected: Option<u64>,
    max_bytes: Option<u64>,
}

impl<'a> BodyReader<'a> {
    /// Read `body`, announced as `expected` bytes, failing past `max_bytes`.
    pub fn new(
        body: &'a mut Incoming,
        expected: Option<u64>,
        max_bytes: Option<u64>,
    ) -> BodyReader<'a> {
        BodyReader {
            body,
            received: 0,
            expected,
            max_bytes,
        }
    }

    /// Bytes received so far.
    pub fn received(&self) -> u64 {
        self.received
    }

    /// The next data chunk, or `None` at the end of a complete body.
    pub async fn next_chunk(&mut self) -> Result<Option<Bytes>, TransferError> {
        loop {
            match self.body.frame().await {
                None => {
                    if let Some(exp) = self.expected
                        && self.received < exp
                    {
                        return Err(TransferError::BodyIncomplete {
                            received: self.received,
                            expected: self.expected,
                        });
                    }
                    return Ok(None);
                }
                Some(Err(e)) => return Err(self.classify(&e)),
                Some(Ok(frame)) => {
                    let Ok(data) = frame.into_data() else {
                        continue;
                    };
                    self.received += data.len() as u64;
                    if let Some(limit) = self.max_bytes
                        && self.received > limit
                    {
                        return Err(TransferError::TooLarge {
                            limit,
                            declared: false,
                        });
                    }
                    return Ok(Some(data));
                }
            }
        }
    }

    fn classify(&self, e: &hyper::Error) -> TransferError {
        if is_reset(e) {
            TransferError::BodyInterrupted {
                detail: chain_text(e),
            }
        } else if e.is_incomplete_message() || has_io_kind(e, &[std::io::ErrorKind::UnexpectedEof])
        {
            TransferError::BodyIncomplete {
                received: self.received,
                expected: self.expected,
            }
        } else {
            TransferError::Body {
                detail: chain_text(e),
            }
        }
    }
}
