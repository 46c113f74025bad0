//! headersReceived: must or must not fire.

use crate::check::{CheckInput, Verdicts, call_index, failure};
use crate::protocol::EventKind;

/// Run the headersReceived check on every call.
pub fn check(input: &CheckInput<'_>, verdicts: &mut Verdicts) {
    let Some(expected) = input.expect.headers_received else {
        return;
    };
    for (index, call) in input.observation.calls.iter().enumerate() {
        let count = call
            .events
            .iter()
            .filter(|e| e.event == EventKind::HeadersReceived)
            .count();
        verdicts.judge("headers-received");
        if (count > 0) != expected {
            verdicts.fail(failure(
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
}
