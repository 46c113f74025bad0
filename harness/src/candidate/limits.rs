//! How much of what a candidate writes the harness keeps: the longest line, and the events kept
//! for one call, by count and by bytes. What goes past a cap is counted, not kept.

/// Default longest line from a candidate: 1 MiB.
pub const DEFAULT_MAX_LINE_BYTES: usize = 1024 * 1024;
/// Default most events kept for one call.
pub const DEFAULT_MAX_EVENTS_PER_CALL: u64 = 10_000;
/// Default most event bytes kept for one call: 16 MiB.
pub const DEFAULT_MAX_EVENT_BYTES_PER_CALL: u64 = 16 * 1024 * 1024;

/// The caps on what a candidate writes, fixed for a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest line read from a process candidate; a longer one is read to its end and dropped.
    pub max_line_bytes: usize,
    /// Most events kept for one call.
    pub max_events_per_call: u64,
    /// Most bytes of event messages kept for one call.
    pub max_event_bytes_per_call: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_line_bytes: DEFAULT_MAX_LINE_BYTES,
            max_events_per_call: DEFAULT_MAX_EVENTS_PER_CALL,
            max_event_bytes_per_call: DEFAULT_MAX_EVENT_BYTES_PER_CALL,
        }
    }
}
