//! What the harness observed of one case: candidate events, files on disk, what the server saw.

use mock_server::CaseJournal;
use serde::{Deserialize, Serialize};

use crate::protocol::EventKind;

/// One event as it arrived, stamped with milliseconds since the call was sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimedEvent {
    /// Milliseconds since the call message was written.
    pub at_ms: u64,
    /// Which event.
    pub event: EventKind,
    /// Its data.
    pub data: serde_json::Value,
}

/// How a call ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "detail")]
pub enum CallEnd {
    /// `complete` arrived.
    Completed,
    /// The candidate said it does not support the call.
    Unsupported(String),
    /// The candidate said it could not invoke the call.
    Error(String),
    /// The deadline passed first.
    Deadline,
    /// The candidate exited or closed its output.
    CandidateDied(String),
    /// The candidate wrote something that is not protocol.
    ProtocolViolation(String),
}

/// One call of a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallObservation {
    /// Call id.
    pub call: String,
    /// Events in arrival order, including any after `complete`.
    pub events: Vec<TimedEvent>,
    /// How it ended.
    pub end: CallEnd,
    /// Milliseconds from the call message to its end.
    pub duration_ms: u64,
}

/// A file found in the case's sandbox after the call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileRecord {
    /// Path relative to the sandbox root (`temp/...`, `user/...`, or elsewhere: a violation).
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256, hex.
    pub sha256: String,
    /// Whether it lies inside the temp or user folder.
    pub inside: bool,
    /// Whether it was placed there before the call (upload sources).
    pub preexisting: bool,
}

/// Everything observed of one case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    /// The call(s).
    pub calls: Vec<CallObservation>,
    /// Files in the sandbox afterwards.
    pub files: Vec<FileRecord>,
    /// What the server saw.
    pub server: CaseJournal,
    /// The scenario URL the call was given.
    pub url: String,
    /// The candidate's stderr while the case ran (bounded).
    pub log: String,
}
