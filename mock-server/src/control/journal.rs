//! What the server saw, per case id: requests, connections, how each ended, concurrency.

use serde::{Deserialize, Serialize};

/// How a connection or response ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionEnd {
    /// The response was sent whole.
    Complete,
    /// The client went away before the response was sent whole.
    ClientAbort,
    /// The server reset the connection (fault).
    ServerReset,
    /// The server closed the connection early (fault).
    ServerClose,
    /// The server was still holding the connection when the journal was read (stall faults).
    Open,
    /// The TLS handshake failed (bad-certificate listeners).
    TlsHandshakeFailed,
}

/// A multipart upload as the receiver parsed it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct UploadRecord {
    /// Names of every part, in order.
    pub field_names: Vec<String>,
    /// The file part's field name.
    pub file_field: Option<String>,
    /// The file part's file name.
    pub file_name: Option<String>,
    /// The file part's size in bytes.
    pub file_size: u64,
    /// The file part's SHA-256, hex.
    pub file_sha256: Option<String>,
    /// The non-file parts (formData), name to value.
    pub form_data: Vec<(String, String)>,
    /// Request body bytes read before the receiver stopped (faults).
    pub bytes_read: u64,
}

/// One request the server received.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestRecord {
    /// Method.
    pub method: String,
    /// Path and query.
    pub path: String,
    /// Which listener received it (kebab-case name).
    pub listener: String,
    /// HTTP version, e.g. "HTTP/1.1" or "HTTP/2.0".
    pub version: String,
    /// Request headers, names lower case, in arrival order.
    pub headers: Vec<(String, String)>,
    /// Response status sent (0 when none was sent).
    pub status: u16,
    /// Body bytes announced before sending (the generated body's length), if known.
    pub body_len: Option<u64>,
    /// SHA-256 of the whole body the server meant to send, hex, if known up front.
    pub body_sha256: Option<String>,
    /// Body bytes actually written to the socket.
    pub bytes_sent: u64,
    /// How the response ended.
    pub end: ConnectionEnd,
    /// The upload, when the request was a multipart upload.
    pub upload: Option<UploadRecord>,
    /// Milliseconds since the server started, when the request arrived.
    pub at_ms: u64,
    /// Milliseconds the response took from arrival to end.
    pub duration_ms: u64,
}

/// Everything recorded for one case id.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CaseJournal {
    /// Requests in arrival order (CORS preflights are not among them: see `preflights`).
    pub requests: Vec<RequestRecord>,
    /// CORS preflights (`OPTIONS` with `Access-Control-Request-Method`) in arrival order. A
    /// browser sends them on its own before the request a page makes, so they are kept apart
    /// from `requests` and count neither as requests nor as in flight.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub preflights: Vec<RequestRecord>,
    /// Connections accepted for this case (TLS failures included).
    pub connections: u64,
    /// The most requests in flight at once.
    pub max_in_flight: u64,
    /// Records dropped because the journal's bound was reached.
    pub dropped: u64,
}
