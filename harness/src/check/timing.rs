//! Timing: how long from the call's start to its end. The start is the candidate's `started`
//! when it sent one, else the call message (see `CallObservation::timed_from`).

use crate::check::{CheckInput, call_index, failure};
use crate::verdict::CheckFailure;

/// Run the timing bounds on every call.
pub fn check(input: &CheckInput<'_>) -> Vec<CheckFailure> {
    let Some(timing) = &input.expect.timing else {
        return Vec::new();
    };
    let mut failures = Vec::new();
    for (index, call) in input.observation.calls.iter().enumerate() {
        let at = call_index(input, index);
        if let Some(min) = timing.min_ms {
            if call.duration_ms < min {
                failures.push(failure(
                    "timing.min",
                    at,
                    format!(">= {min} ms"),
                    format!("{} ms", call.duration_ms),
                    "the call ended too early",
                ));
            }
        }
        if let Some(max) = timing.max_ms {
            if call.duration_ms > max {
                failures.push(failure(
                    "timing.max",
                    at,
                    format!("<= {max} ms"),
                    format!("{} ms", call.duration_ms),
                    "the call took too long",
                ));
            }
        }
    }
    failures
}
