//! headersReceived: must or must not fire.

use crate::check::{CheckInput, call_index, failure};
use crate::protocol::EventKind;
use crate::verdict::CheckFailure;

/// Run the headersReceived check on every call.
pub fn check(input: &CheckInput<'_>) -> Vec<CheckFailure> {
    let Some(expected) = input.expect.headers_received else {
        return Vec::new();
    };
    let mut failures = Vec::new();
    for (index, call) in input.observation.calls.iter().enumerate() {
        let count = call
            .events
            .iter()
            .filter(|e| e.event == EventKind::HeadersReceived)
            .count();
        if (count > 0) != expected {
            failures.push(failure(
                "headers-received",
                call_index(input, index),
                if expected {
                    "at least one headersReceived"
                } else {
                    "no headersReceived"
                },
                format!("{count} headersReceived event(s)"),
                if expected {
                    "headersReceived did not fire"
                } else {
                    "headersReceived fired"
                },
            ));
        }
    }
    failures
}
