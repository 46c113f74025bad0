//! Removed listeners: after a case's `off` action (the task's `offProgressUpdate` or
//! `offHeadersReceived`) was sent, no event of that kind may come for the call, past a margin
//! for events already on their way (harness/PROTOCOL.md, `off`). Judged as `off.progress` and
//! `off.headers-received`, only on calls the harness sent an `off` to.

use serde_json::json;

use crate::check::{CheckInput, Verdicts, call_index, failure};
use crate::protocol::TaskEvent;

/// Events of the removed kind that arrive within this many milliseconds after the `off` was
/// sent are taken to have been on their way already (sent before the candidate read the `off`,
/// or queued in the runtime, or through a browser's page: measured up to about 500 ms on an idle
/// machine); only later ones fail. Generous, for a loaded machine: cases keep their transfer
/// going for seconds past it.
pub const OFF_MARGIN_MS: u64 = 2000;

/// The check id for a removed listener of `event`.
pub fn check_id(event: TaskEvent) -> &'static str {
    match event {
        TaskEvent::Progress => "off.progress",
        TaskEvent::HeadersReceived => "off.headers-received",
    }
}

/// Run the off checks on every call that was sent an `off`.
pub fn check(input: &CheckInput<'_>, verdicts: &mut Verdicts) {
    for (index, call) in input.observation.calls.iter().enumerate() {
        let mut seen: Vec<TaskEvent> = Vec::new();
        for sent in &call.actions {
            // The first `off` of an event decides: a later one removes nothing more.
            let Some(event) = sent.what.off_event() else {
                continue;
            };
            if seen.contains(&event) {
                continue;
            }
            seen.push(event);
            let id = check_id(event);
            let until = sent.at_ms.saturating_add(OFF_MARGIN_MS);
            let after: Vec<u64> = call
                .events
                .iter()
                .filter(|e| e.event == event.event_kind() && e.at_ms > until)
                .map(|e| e.at_ms)
                .collect();
            let failed = after.first().map(|first| {
                failure(
                    id,
                    call_index(input, index),
                    json!({
                        "event": event.name(),
                        "none_after_ms": until,
                    }),
                    json!({
                        "event": event.name(),
                        "off_sent_at_ms": sent.at_ms,
                        "count_after": after.len(),
                        "first_at_ms": first,
                    }),
                    format!(
                        "{} {} event(s) more than {OFF_MARGIN_MS} ms after {}() was sent at {} ms (the first at {first} ms)",
                        after.len(),
                        event.name(),
                        event.off_method(),
                        sent.at_ms
                    ),
                )
            });
            verdicts.judge_with(id, failed);
        }
    }
}
