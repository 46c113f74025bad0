//! Candidates: what the runner talks to over protocol v1.
//!
//! A started candidate is a sender of [`ToCandidate`] and a receiver of stamped
//! [`Incoming`] items, whether it is a process (`cmd:<command line>`), a runtime connected
//! over WebSocket (`listen:ws://HOST:PORT`) or built in and run on a task (`reference`).
//! The [`supervisor`] routes items to the case that owns each call and restarts a candidate
//! that died.

pub mod builtin;
pub mod late;
pub mod limits;
pub mod lines;
pub mod log;
pub use dlconform_reference::mutants;
pub mod process;
pub mod reaper;
pub mod sandbox;
pub use dlconform_reference as reference;
pub mod supervisor;
pub mod websocket;
pub mod ws_cap;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use crate::protocol::{
    CandidateHello, Capability, FromCandidate, HARNESS_FEATURES, PROTOCOL_VERSION, ToCandidate,
};

pub use limits::Limits;
pub use log::LogRing;
pub use supervisor::{CaseSession, Overflow, Routed, Supervisor};

/// What is fixed for the whole run, handed to every candidate instance in the harness's hello
/// so that it can get ready before the first call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunValues {
    /// Path of the test CA certificate (PEM).
    pub ca_cert: Option<String>,
    /// The mock server's origins by listener name (`http`, `https`, `self-signed`...).
    pub origins: Option<BTreeMap<String, String>>,
    /// What process candidates are held to (not part of the hello).
    pub confinement: Option<sandbox::Confinement>,
}

impl RunValues {
    /// The harness's hello carrying these values.
    pub fn hello(&self) -> ToCandidate {
        ToCandidate::Hello {
            protocol: PROTOCOL_VERSION,
            ca_cert: self.ca_cert.clone(),
            origins: self.origins.clone(),
            features: Some(HARNESS_FEATURES.iter().map(|f| f.to_string()).collect()),
        }
    }
}

/// Capacity of the channels between the runner and a candidate.
pub const CHANNEL_CAPACITY: usize = 1024;

/// Which candidate to run, as `--candidate` names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CandidateSpec {
    /// A built-in candidate run on a task, by name (`reference`, `mutant:<name>`).
    Builtin(String),
    /// A process started with `sh -c <command line>`.
    Command(String),
    /// A runtime that connects to the harness over WebSocket (`listen:ws://HOST:PORT`).
    Listen(websocket::Endpoint),
}

impl CandidateSpec {
    /// Parse `reference`, `mutant:NAME`, `cmd:<command line>` or `listen:ws://HOST:PORT`.
    pub fn parse(text: &str) -> Result<CandidateSpec, StartError> {
        if text.starts_with("listen:") {
            return websocket::Endpoint::parse(text).map(CandidateSpec::Listen);
        }
        if let Some(command) = text.strip_prefix("cmd:") {
            if command.trim().is_empty() {
                return Err(StartError::Unknown(format!(
                    "'{text}': empty command line after 'cmd:'"
                )));
            }
            return Ok(CandidateSpec::Command(command.to_string()));
        }
        if builtin::NAMES.contains(&text) {
            return Ok(CandidateSpec::Builtin(text.to_string()));
        }
        if let Some(name) = text.strip_prefix("mutant:") {
            if mutants::find(name).is_some() {
                return Ok(CandidateSpec::Builtin(text.to_string()));
            }
            return Err(StartError::Unknown(format!(
                "'{text}': no mutant named '{name}'; mutants: {}; other built-in candidates: {} \
                 (see `dlconform candidates`)",
                mutants::names(),
                builtin::NAMES.join(", ")
            )));
        }
        Err(StartError::Unknown(format!(
            "'{text}'; built-in candidates: {}, mutant:<name>; a process: cmd:<command line>; \
             a runtime over WebSocket: listen:ws://HOST:PORT (see `dlconform candidates`)",
            builtin::NAMES.join(", ")
        )))
    }

    /// The name as given on the command line.
    pub fn label(&self) -> String {
        match self {
            CandidateSpec::Builtin(name) => name.clone(),
            CandidateSpec::Command(command) => format!("cmd:{command}"),
            CandidateSpec::Listen(endpoint) => format!("{}{}", websocket::PREFIX, endpoint.addr()),
        }
    }
}

/// Why a candidate could not be started.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// `--candidate` names nothing known.
    #[error("unknown candidate {0}")]
    Unknown(String),
    /// The process could not be spawned or did not complete the handshake.
    #[error("candidate would not start: {0}")]
    WouldNotStart(String),
}

/// One item from a candidate, stamped with its arrival time.
#[derive(Debug, Clone)]
pub struct Stamped {
    /// When the harness read it.
    pub at: Instant,
    /// What it was.
    pub item: Incoming,
}

/// What a candidate sent, or what went wrong reading it.
#[derive(Debug, Clone)]
pub enum Incoming {
    /// A well-formed message.
    Message(FromCandidate),
    /// A line that is not JSON or not a known message.
    Problem {
        /// The call id the line names, when it is JSON with a string `call`.
        call: Option<String>,
        /// The line, shortened.
        line: String,
        /// Why it was rejected.
        error: String,
    },
    /// The candidate exited or closed its output; nothing follows.
    Closed(String),
}

/// A running candidate.
pub struct Started {
    /// Messages to it.
    pub tx: mpsc::Sender<ToCandidate>,
    /// Items from it.
    pub rx: mpsc::Receiver<Stamped>,
    /// Its stderr, for process candidates.
    pub log: Option<Arc<LogRing>>,
    /// Kills the candidate (process or task) when dropped.
    pub guard: Box<dyn Send + Sync>,
}

/// Start a candidate and complete the hello handshake (carrying `values`) within `hello_timeout`;
/// a process candidate's lines and a WebSocket runtime's messages are capped by `limits`.
pub async fn start(
    spec: &CandidateSpec,
    hello_timeout: Duration,
    values: &RunValues,
    limits: &Limits,
) -> Result<(Started, CandidateHello), StartError> {
    let mut started = match spec {
        CandidateSpec::Builtin(name) => builtin::start(name)?,
        CandidateSpec::Command(command) => {
            process::start(command, limits.max_line_bytes, values.confinement.as_ref())?
        }
        CandidateSpec::Listen(endpoint) => {
            websocket::start(endpoint, hello_timeout, limits.max_line_bytes).await?
        }
    };
    let stderr_tail = |started: &Started| {
        started
            .log
            .as_ref()
            .map(|log| log.tail(2000))
            .filter(|t| !t.is_empty())
            .map(|t| format!("; stderr:\n{t}"))
            .unwrap_or_default()
    };
    let hello = values.hello();
    if started.tx.send(hello).await.is_err() {
        return Err(StartError::WouldNotStart(format!(
            "its input closed before hello{}",
            stderr_tail(&started)
        )));
    }
    let first = tokio::time::timeout(hello_timeout, started.rx.recv()).await;
    let answer = match first {
        Err(_) => Err(format!(
            "no hello within {} ms{}",
            hello_timeout.as_millis(),
            stderr_tail(&started)
        )),
        Ok(None) => Err(format!(
            "it closed its output before hello{}",
            stderr_tail(&started)
        )),
        Ok(Some(stamped)) => match stamped.item {
            Incoming::Message(FromCandidate::Hello(hello)) => {
                if hello.protocol == PROTOCOL_VERSION {
                    // An unknown name would silently judge checks it means to take out.
                    Capability::parse_all(&hello.lacks).map(|_| hello)
                } else {
                    Err(format!(
                        "it speaks protocol {}, this harness speaks {PROTOCOL_VERSION}",
                        hello.protocol
                    ))
                }
            }
            Incoming::Message(other) => Err(format!("expected hello first, got {other:?}")),
            Incoming::Problem { line, error, .. } => {
                Err(format!("expected hello, got '{line}': {error}"))
            }
            Incoming::Closed(reason) => Err(format!("{reason}{}", stderr_tail(&started))),
        },
    };
    match answer {
        Ok(hello) => Ok((started, hello)),
        Err(message) => Err(StartError::WouldNotStart(message)),
    }
}

/// Parse one line of candidate output.
pub fn parse_line(line: &str) -> Option<Incoming> {
    let trimmed = line.trim();
    if trimmed.is_empty() {
        return None;
    }
    Some(match serde_json::from_str::<FromCandidate>(trimmed) {
        Ok(message) => Incoming::Message(message),
        Err(err) => {
            let call = serde_json::from_str::<serde_json::Value>(trimmed)
                .ok()
                .and_then(|v| v.get("call").and_then(|c| c.as_str()).map(str::to_string));
            Incoming::Problem {
                call,
                line: shorten(trimmed, 200),
                error: err.to_string(),
            }
        }
    })
}

/// Parse one line of raw candidate output: invalid UTF-8 is a problem of the call it names.
pub fn parse_bytes(line: &[u8]) -> Option<Incoming> {
    match std::str::from_utf8(line) {
        Ok(text) => parse_line(text),
        Err(err) => Some(Incoming::Problem {
            call: call_named(line),
            line: shorten(&String::from_utf8_lossy(line), 200),
            error: format!("invalid UTF-8: {err}"),
        }),
    }
}

/// The problem of a line over the cap: only its head was kept.
pub fn too_long(head: &[u8], length: u64, max: usize) -> Incoming {
    Incoming::Problem {
        call: call_named(head),
        line: shorten(&String::from_utf8_lossy(head), 200),
        error: format!("a line of {length} bytes, over the cap of {max} bytes per line; dropped"),
    }
}

/// The call id a line names (`"call":"ID"`), read from its bytes whatever else is wrong with it.
fn call_named(line: &[u8]) -> Option<String> {
    static CALL: std::sync::OnceLock<Option<regex::bytes::Regex>> = std::sync::OnceLock::new();
    let pattern = CALL
        .get_or_init(|| regex::bytes::Regex::new(r#""call"\s*:\s*"([^"\\]{1,200})""#).ok())
        .as_ref()?;
    let id = pattern.captures(line)?.get(1)?;
    std::str::from_utf8(id.as_bytes()).ok().map(str::to_string)
}

fn shorten(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_candidate_specs() {
        assert_eq!(
            CandidateSpec::parse("reference").ok(),
            Some(CandidateSpec::Builtin("reference".into()))
        );
        assert_eq!(
            CandidateSpec::parse("cmd:node a.js").ok(),
            Some(CandidateSpec::Command("node a.js".into()))
        );
        assert_eq!(
            CandidateSpec::parse("mutant:abort-ignored").ok(),
            Some(CandidateSpec::Builtin("mutant:abort-ignored".into()))
        );
        let err = CandidateSpec::parse("mutant:nope")
            .err()
            .map(|e| e.to_string());
        assert!(
            err.is_some_and(|e| e.contains("unknown candidate") && e.contains("abort-ignored"))
        );
        let err = CandidateSpec::parse("nope").err().map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("reference") && e.contains("mutant:")));
    }

    #[test]
    fn garbage_is_a_problem_with_its_call() {
        match parse_line(r#"{"type":"bogus","call":"c1"}"#) {
            Some(Incoming::Problem { call, .. }) => assert_eq!(call.as_deref(), Some("c1")),
            other => panic!("unexpected {other:?}"),
        }
        match parse_line("not json") {
            Some(Incoming::Problem { call, .. }) => assert_eq!(call, None),
            other => panic!("unexpected {other:?}"),
        }
        assert!(parse_line("   ").is_none());
    }

    #[test]
    fn invalid_utf8_names_its_call() {
        let line = b"{\"type\":\"event\",\"call\":\"c7\",\"data\":\"\xff\xfe\"}";
        match parse_bytes(line) {
            Some(Incoming::Problem { call, error, .. }) => {
                assert_eq!(call.as_deref(), Some("c7"));
                assert!(error.contains("invalid UTF-8"), "{error}");
            }
            other => panic!("unexpected {other:?}"),
        }
        match too_long(b"{\"call\": \"c9\", \"data\": \"xxx", 5_000_000, 1024) {
            Incoming::Problem { call, error, .. } => {
                assert_eq!(call.as_deref(), Some("c9"));
                assert!(
                    error.contains("5000000 bytes") && error.contains("1024"),
                    "{error}"
                );
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
