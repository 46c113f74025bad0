//! Timing: how long from the call's start to its end.
//!
//! A `started` mark is stamped when it reaches the harness, so the real start lies between the
//! call message and that stamp. Each bound takes the end of that span that can only be fair to
//! the candidate: an upper bound counts from `started` (adapter start-up is not API time), a
//! lower bound from the call message (a late stamp cannot make a call look too quick).

use crate::check::{CheckInput, Verdicts, call_index, failure};
use crate::spec::model::ActionKind;

/// Run the timing bounds on every call.
pub fn check(input: &CheckInput<'_>, verdicts: &mut Verdicts) {
    let Some(timing) = &input.expect.timing else {
        return;
    };
    for (index, call) in input.observation.calls.iter().enumerate() {
        let at = call_index(input, index);
        if let Some(min) = timing.min_ms {
            let since_sent = call.duration_ms + call.started_ms.unwrap_or(0);
            verdicts.judge("timing.min");
            if since_sent < min {
                verdicts.fail(failure(
                    "timing.min",
                    at,
                    format!(">= {min} ms"),
                    format!("{since_sent} ms"),
                    "the call ended too early",
                ));
            }
        }
        let abort_at = call
            .actions
            .iter()
            .find(|a| a.what == ActionKind::Abort)
            .map(|a| a.at_ms);
        if let (Some(max), Some(abort_at)) = (timing.after_abort_ms, abort_at) {
            let after = call.duration_ms.saturating_sub(abort_at);
            verdicts.judge("timing.after-abort");
            if after > max {
                verdicts.fail(failure(
                    "timing.after-abort",
                    at,
                    format!("<= {max} ms after abort()"),
                    format!("{after} ms after abort()"),
                    "the call went on too long after abort()",
                ));
            }
        }
        if let Some(max) = timing.max_ms {
            verdicts.judge("timing.max");
            if call.duration_ms > max {
                verdicts.fail(failure(
                    "timing.max",
                    at,
                    format!("<= {max} ms"),
                    format!("{} ms", call.duration_ms),
                    "the call took too long",
                ));
            }
        }
    }
}
