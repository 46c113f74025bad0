//! The transfer engine: URL checks, DNS, TCP, TLS, HTTP/1.1 with redirects, body streaming
//! with limits and progress. Every failure is a [`TransferError`] carrying its [`Phase`].
//!
//! Deadlines, aborts and host events are not handled here: the caller races the engine's
//! futures against them, and the [`PhaseCell`] tells which phase was cut short.

pub mod body;
pub mod connect;
pub mod error;
pub mod exchange;
pub mod head_tap;
pub mod progress;
pub mod tls;
pub mod url_check;

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

pub use error::{CertProblem, Phase, TransferError};

/// The phase a running transfer is in, shared with whoever may cut it short, and when each
/// phase was first entered (for `profile`).
#[derive(Debug, Clone, Default)]
pub struct PhaseCell(Arc<PhaseState>);

#[derive(Debug, Default)]
struct PhaseState {
    current: AtomicU8,
    entered_ms: [AtomicU64; 8],
}

impl PhaseCell {
    /// A cell at [`Phase::Validate`].
    pub fn new() -> PhaseCell {
        PhaseCell::default()
    }

    /// Enter a phase.
    pub fn set(&self, phase: Phase) {
        self.0.current.store(phase.to_u8(), Ordering::Relaxed);
        let _ = self.0.entered_ms[phase.to_u8() as usize].compare_exchange(
            0,
            now_ms(),
            Ordering::Relaxed,
            Ordering::Relaxed,
        );
    }

    /// The current phase.
    pub fn get(&self) -> Phase {
        Phase::from_u8(self.0.current.load(Ordering::Relaxed))
    }

    /// When `phase` was first entered, in ms since the Unix epoch; 0 if never.
    pub fn entered(&self, phase: Phase) -> u64 {
        self.0.entered_ms[phase.to_u8() as usize].load(Ordering::Relaxed)
    }
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// What a platform allows a transfer to do.
#[derive(Debug, Clone)]
pub struct Policy {
    /// URL schemes allowed (lower case).
    pub schemes: Vec<String>,
    /// Allowed domains (`host` or `host:port`); `None` turns the check off.
    pub domains: Option<Vec<String>>,
    /// Most redirects followed.
    pub max_redirects: u32,
    /// Follow redirects (off only in the `redirects-not-followed` mutant).
    pub follow_redirects: bool,
    /// TLS client configuration (trusts the test CA only).
    pub tls: Arc<rustls::ClientConfig>,
    /// See only response headers whose name came in canonical case (`Content-Length`), as a
    /// client matching names case-sensitively would (only in the `header-case-sensitive` mutant).
    pub case_sensitive_headers: bool,
    /// Offer HTTP/2 in TLS (ALPN `h2`, then `http/1.1`) and speak it where the server takes it.
    pub http2: bool,
}
