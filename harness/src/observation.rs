//! What the harness observed of one case: candidate events, files on disk, what the server saw.

use mock_server::CaseJournal;
use serde::{Deserialize, Serialize};

use crate::protocol::EventKind;
use crate::spec::model::ActionKind;

/// One event as it arrived, stamped with milliseconds since the call started (see
/// [`CallObservation::timed_from`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimedEvent {
    /// Milliseconds since the call started.
    pub at_ms: u64,
    /// Which event.
    pub event: EventKind,
    /// Its data.
    pub data: serde_json::Value,
    /// Milliseconds after the call's first `complete`, for events that came after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_complete_ms: Option<u64>,
    /// It arrived after the case had been judged (past its linger and watch window); the case
    /// was judged again with it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub late: bool,
}

impl TimedEvent {
    /// An event that arrived while its case was running.
    pub fn new(at_ms: u64, event: EventKind, data: serde_json::Value) -> TimedEvent {
        TimedEvent {
            at_ms,
            event,
            data,
            after_complete_ms: None,
            late: false,
        }
    }
}

/// Where a call's times are measured from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimedFrom {
    /// The call message was written (the candidate sent no `started`).
    #[default]
    Sent,
    /// The candidate's `started` message: the moment it really invoked the API.
    Started,
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
    /// Milliseconds from the call's start to its end.
    pub duration_ms: u64,
    /// What the call's times (`at_ms`, `duration_ms`) are measured from.
    #[serde(default)]
    pub timed_from: TimedFrom,
    /// Milliseconds from the call message to the candidate's `started`, when it sent one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_ms: Option<u64>,
    /// Task methods that threw when the adapter called them (`threw` messages).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub threw: Vec<Threw>,
    /// The case's actions sent for this call (abort, inject, off), in the order sent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<SentAction>,
}

/// An action the harness sent for a call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentAction {
    /// What was sent.
    #[serde(rename = "do")]
    pub what: ActionKind,
    /// Milliseconds since the call started (see [`CallObservation::timed_from`]); 0 when it
    /// was sent before the candidate's `started`.
    pub at_ms: u64,
}

/// A task method that threw when the adapter called it; the call went on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Threw {
    /// The method (`abort`, `onProgressUpdate`...).
    pub method: String,
    /// What it threw.
    pub message: String,
    /// Milliseconds since the call started.
    pub at_ms: u64,
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
    /// The candidate's stderr while the case ran and its `log` lines for the case's calls
    /// (bounded).
    pub log: String,
}
