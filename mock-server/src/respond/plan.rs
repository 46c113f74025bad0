//! A scenario's faults folded into one plan for the response.

use bytes::Bytes;

use crate::respond::fault::{Fault, RedirectTo, Scenario};

/// Where the body stops early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    /// Stop writing after N body bytes and keep the connection open.
    StallAfter(u64),
    /// Close (FIN) after N body bytes.
    CloseAfter(u64),
    /// Reset (RST) after N body bytes.
    ResetAfter(u64),
}

impl Cut {
    /// Body bytes written before the cut.
    pub fn at(self) -> u64 {
        match self {
            Cut::StallAfter(n) | Cut::CloseAfter(n) | Cut::ResetAfter(n) => n,
        }
    }
}

/// The body before encoding.
#[derive(Debug, Clone, PartialEq)]
pub enum BodySource {
    /// Generated from a seed.
    Generated {
        /// Generator seed.
        seed: u64,
        /// Length.
        size: u64,
    },
    /// Literal bytes.
    Fixed(Bytes),
}

impl BodySource {
    /// Length in bytes.
    pub fn len(&self) -> u64 {
        match self {
            BodySource::Generated { size, .. } => *size,
            BodySource::Fixed(b) => b.len() as u64,
        }
    }

    /// Whether the body is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A scenario that cannot be served.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// A header fault with a name or value HTTP does not allow.
    #[error("header `{0}` is not a valid header (use `raw` for malformed responses)")]
    BadHeader(String),
    /// A zero step in a paced fault.
    #[error("`{0}` needs a non-zero byte count")]
    ZeroStep(&'static str),
    /// A status out of range.
    #[error("status {0} is not a valid HTTP status")]
    BadStatus(u16),
    /// A redirect status that is not a redirect.
    #[error("redirect status {0} is not 301, 302, 303, 307 or 308")]
    BadRedirect(u16),
    /// A generated body larger than the server serves.
    #[error(
        "a body of {size} bytes is over this server's maximum of {max} bytes (mock-server --max-body)"
    )]
    BodyTooLarge {
        /// The size asked for.
        size: u64,
        /// The server's maximum.
        max: u64,
    },
}

/// Refuse a scenario whose generated body is larger than `max` bytes: a body can be of any
/// size, but a server that streams without end on one typo serves nobody.
pub fn check_body_size(scenario: &Scenario, max: u64) -> Result<(), PlanError> {
    for fault in &scenario.faults {
        if let Fault::Body { size, .. } = *fault {
            if size > max {
                return Err(PlanError::BodyTooLarge { size, max });
            }
        }
    }
    Ok(())
}

/// Upload receiver faults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UploadFaults {
    /// Reset after reading this many request body bytes.
    pub reset_after: Option<u64>,
    /// Answer 413 before reading the body.
    pub early_413: bool,
    /// Read at most this many bytes per second.
    pub read_bps: Option<u64>,
}

/// Everything the response will do.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// Status code.
    pub status: u16,
    /// Whether a body or text fault chose the body (uploads answer with a summary otherwise).
    pub body_chosen: bool,
    /// The body.
    pub body: BodySource,
    /// Content-Type.
    pub content_type: String,
    /// Extra headers (Content-Disposition, header faults), in order.
    pub headers: Vec<(String, String)>,
    /// gzip the body.
    pub gzip: bool,
    /// Chunked framing instead of Content-Length.
    pub chunked: bool,
    /// Content-Length off by this much.
    pub cl_delta: i64,
    /// Milliseconds before the head.
    pub delay_ms: u64,
    /// Hold the head until this many requests of the case arrived, or this many ms passed.
    pub hold_until: Option<(u64, u64)>,
    /// Never answer.
    pub stall: bool,
    /// Body cut short.
    pub cut: Option<Cut>,
    /// Trickle: bytes per piece, ms between pieces.
    pub trickle: Option<(u64, u64)>,
    /// Bandwidth cap.
    pub bandwidth_bps: Option<u64>,
    /// Head written slowly: bytes per piece, ms between pieces.
    pub slow_headers: Option<(u64, u64)>,
    /// Raw bytes instead of a response.
    pub raw: Option<Vec<u8>>,
    /// Lower-case header names.
    pub lowercase: bool,
    /// Redirect: status, where, hops.
    pub redirect: Option<(u16, RedirectTo, u32)>,
    /// Upload receiver faults.
    pub upload: UploadFaults,
}

/// Decode `\r`, `\n`, `\t`, `\\` and `\xNN` escapes of a raw fault; anything else stays as written.
pub fn unescape(s: &str) -> Vec<u8> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let next = bytes.get(i + 1).copied();
        let (byte, used) = match (bytes[i], next) {
            (b'\\', Some(b'r')) => (b'\r', 2),
            (b'\\', Some(b'n')) => (b'\n', 2),
            (b'\\', Some(b't')) => (b'\t', 2),
            (b'\\', Some(b'\\')) => (b'\\', 2),
            (b'\\', Some(b'x')) => match bytes
                .get(i + 2..i + 4)
                .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                Some(b) => (b, 4),
                None => (b'\\', 1),
            },
            (b, _) => (b, 1),
        };
        out.push(byte);
        i += used;
    }
    out
}

/// The `Content-Disposition` value for the given parameters (RFC 6266, `filename*` per RFC 5987).
pub fn content_disposition(filename: Option<&str>, filename_star: Option<&str>) -> String {
    let mut v = String::from("attachment");
    if let Some(f) = filename {
        let quoted = f.replace('\\', "\\\\").replace('"', "\\\"");
        v.push_str(&format!("; filename=\"{quoted}\""));
    }
    if let Some(f) = filename_star {
        let mut enc = String::new();
        for b in f.as_bytes() {
            let c = *b as char;
            if c.is_ascii_alphanumeric() || "!#$&+-.^_`|~".contains(c) {
                enc.push(c);
            } else {
                enc.push_str(&format!("%{b:02X}"));
            }
        }
        v.push_str(&format!("; filename*=UTF-8''{enc}"));
    }
    v
}

fn valid_header(name: &str, value: &str) -> bool {
    http::HeaderName::from_bytes(name.as_bytes()).is_ok()
        && http::HeaderValue::from_bytes(value.as_bytes()).is_ok()
}

impl Plan {
    /// Fold the scenario's faults into a plan; the first of several cut faults wins.
    pub fn from_scenario(s: &Scenario) -> Result<Plan, PlanError> {
        let mut p = Plan {
            status: 200,
            body_chosen: false,
            body: BodySource::Fixed(Bytes::new()),
            content_type: "application/octet-stream".into(),
            headers: Vec::new(),
            gzip: false,
            chunked: false,
            cl_delta: 0,
            delay_ms: 0,
            hold_until: None,
            stall: false,
            cut: None,
            trickle: None,
            bandwidth_bps: None,
            slow_headers: None,
            raw: None,
            lowercase: false,
            redirect: None,
            upload: UploadFaults::default(),
        };
        let mut content_type = None;
        for f in &s.faults {
            match f {
                Fault::Status(st) => {
                    if !(100..=999).contains(st) {
                        return Err(PlanError::BadStatus(*st));
                    }
                    p.status = *st;
                }
                Fault::Body { size, seed } => {
                    p.body = BodySource::Generated {
                        seed: *seed,
                        size: *size,
                    };
                    p.body_chosen = true;
                }
                Fault::Text(t) => {
                    p.body = BodySource::Fixed(Bytes::from(t.clone()));
                    p.body_chosen = true;
                    content_type.get_or_insert_with(|| "text/plain; charset=utf-8".to_string());
                }
                Fault::ContentType(t) => content_type = Some(t.clone()),
                Fault::DelayMs(ms) => p.delay_ms = *ms,
                Fault::HoldUntil { arrivals, max_ms } => {
                    p.hold_until = Some((*arrivals, *max_ms));
                }
                Fault::Stall => p.stall = true,
                Fault::StallAfter(n) => {
                    p.cut.get_or_insert(Cut::StallAfter(*n));
                }
                Fault::CloseAfter(n) => {
                    p.cut.get_or_insert(Cut::CloseAfter(*n));
                }
                Fault::ResetAfter(n) => {
                    p.cut.get_or_insert(Cut::ResetAfter(*n));
                }
                Fault::Trickle { bytes, every_ms } => {
                    if *bytes == 0 {
                        return Err(PlanError::ZeroStep("trickle"));
                    }
                    p.trickle = Some((*bytes, *every_ms));
                }
                Fault::BandwidthBps(n) => {
                    if *n == 0 {
                        return Err(PlanError::ZeroStep("bandwidth_bps"));
                    }
                    p.bandwidth_bps = Some(*n);
                }
                Fault::ContentLengthDelta(d) => p.cl_delta = *d,
                Fault::Chunked => p.chunked = true,
                Fault::Redirect { status, to, hops } => {
                    if !matches!(status, 301 | 302 | 303 | 307 | 308) {
                        return Err(PlanError::BadRedirect(*status));
                    }
                    p.redirect = Some((*status, *to, (*hops).max(1)));
                }
                Fault::ContentDisposition {
                    filename,
                    filename_star,
                } => {
                    let v = content_disposition(filename.as_deref(), filename_star.as_deref());
                    p.headers.push(("Content-Disposition".into(), v));
                }
                Fault::Gzip => p.gzip = true,
                Fault::SlowHeaders { bytes, every_ms } => {
                    if *bytes == 0 {
                        return Err(PlanError::ZeroStep("slow_headers"));
                    }
                    p.slow_headers = Some((*bytes, *every_ms));
                }
                Fault::Raw(r) => p.raw = Some(unescape(r)),
                Fault::Header { name, value } => {
                    if !valid_header(name, value) {
                        return Err(PlanError::BadHeader(name.clone()));
                    }
                    p.headers.push((name.clone(), value.clone()));
                }
                Fault::LowercaseHeaders => p.lowercase = true,
                Fault::UploadResetAfter(n) => p.upload.reset_after = Some(*n),
                Fault::UploadEarly413 => p.upload.early_413 = true,
                Fault::UploadReadBps(n) => {
                    if *n == 0 {
                        return Err(PlanError::ZeroStep("upload_read_bps"));
                    }
                    p.upload.read_bps = Some(*n);
                }
            }
        }
        if let Some(ct) = content_type {
            if !valid_header("content-type", &ct) {
                return Err(PlanError::BadHeader("Content-Type".into()));
            }
            p.content_type = ct;
        }
        Ok(p)
    }

    /// Whether HTTP/1.1 needs the raw writer: the fault breaks what hyper would send.
    pub fn needs_raw(&self) -> bool {
        self.stall
            || self.cut.is_some()
            || self.cl_delta > 0
            || self.slow_headers.is_some()
            || self.raw.is_some()
            || self.lowercase
    }

    /// Whether the body is framed with chunked encoding (its length is not announced).
    pub fn is_chunked(&self) -> bool {
        self.chunked || self.gzip
    }

    /// Bytes of the identity body that are sent, given the announced length.
    pub fn announced_len(&self) -> u64 {
        let len = self.body.len() as i128 + self.cl_delta as i128;
        len.clamp(0, u64::MAX as i128) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescape_handles_escapes_and_garbage() {
        assert_eq!(unescape("a\\r\\n\\x41\\x4g\\"), b"a\r\nA\\x4g\\".to_vec());
        assert_eq!(unescape("\\x"), b"\\x".to_vec());
        assert_eq!(unescape("\\x4"), b"\\x4".to_vec());
    }

    #[test]
    fn disposition_encodes_both_forms() {
        assert_eq!(
            content_disposition(Some("a \"b\".txt"), Some("résumé 1.pdf")),
            "attachment; filename=\"a \\\"b\\\".txt\"; filename*=UTF-8''r%C3%A9sum%C3%A9%201.pdf"
        );
    }
}
