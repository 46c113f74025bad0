//! Events that arrive for a call after its case was judged: kept, per call and bounded, until
//! the candidate stops, so that the runner can attach them to their calls and judge again. The
//! call's late `log` lines are kept too (a browser may report why a request failed after the
//! page's callback), so nothing the candidate said about a call is lost.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use crate::protocol::EventKind;

/// Late events kept per call; more are counted, not kept.
pub const LATE_PER_CALL: usize = 32;

/// One event for a call whose case had already been judged.
#[derive(Debug, Clone, PartialEq)]
pub struct LateEvent {
    /// Arrival time.
    pub at: Instant,
    /// Which event.
    pub event: EventKind,
    /// Its data.
    pub data: serde_json::Value,
}

/// One `log` line for a call whose case had already been judged.
#[derive(Debug, Clone, PartialEq)]
pub struct LateLog {
    /// Arrival time.
    pub at: Instant,
    /// The line.
    pub message: String,
}

/// The late events of one call.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LateEvents {
    /// The first [`LATE_PER_CALL`] of them, in arrival order.
    pub events: Vec<LateEvent>,
    /// How many more arrived and were not kept.
    pub dropped: u64,
    /// The first [`LATE_PER_CALL`] late log lines, in arrival order.
    pub logs: Vec<LateLog>,
    /// How many more log lines arrived and were not kept.
    pub logs_dropped: u64,
}

/// Run-wide store of late events, by call id.
#[derive(Debug, Default)]
pub struct LateSink {
    calls: Mutex<HashMap<String, LateEvents>>,
}

impl LateSink {
    /// Keep one late event of `call`.
    pub fn push(&self, call: &str, event: LateEvent) {
        let Ok(mut calls) = self.calls.lock() else {
            return;
        };
        let entry = calls.entry(call.to_string()).or_default();
        if entry.events.len() < LATE_PER_CALL {
            entry.events.push(event);
        } else {
            entry.dropped += 1;
        }
    }

    /// Keep one late log line of `call`.
    pub fn push_log(&self, call: &str, log: LateLog) {
        let Ok(mut calls) = self.calls.lock() else {
            return;
        };
        let entry = calls.entry(call.to_string()).or_default();
        if entry.logs.len() < LATE_PER_CALL {
            entry.logs.push(log);
        } else {
            entry.logs_dropped += 1;
        }
    }

    /// Everything kept so far, emptying the store.
    pub fn take(&self) -> HashMap<String, LateEvents> {
        self.calls
            .lock()
            .map(|mut c| std::mem::take(&mut *c))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_a_bounded_number_per_call_and_counts_the_rest() {
        let sink = LateSink::default();
        let at = Instant::now();
        for _ in 0..LATE_PER_CALL + 3 {
            sink.push(
                "c1",
                LateEvent {
                    at,
                    event: EventKind::Fail,
                    data: serde_json::Value::Null,
                },
            );
        }
        sink.push(
            "c2",
            LateEvent {
                at,
                event: EventKind::Complete,
                data: serde_json::Value::Null,
            },
        );
        let taken = sink.take();
        assert_eq!(taken["c1"].events.len(), LATE_PER_CALL);
        assert_eq!(taken["c1"].dropped, 3);
        assert_eq!(taken["c2"].events.len(), 1);
        assert!(sink.take().is_empty());
    }
}
