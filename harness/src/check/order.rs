//! Callback order: exactly one of success/fail, then complete exactly once, nothing after it,
//! and complete carrying the same message as the result.

use crate::check::{CheckInput, call_index, event_names, failure, result_event};
use crate::protocol::EventKind;
use crate::verdict::CheckFailure;

/// Run the callback-order checks on every call.
pub fn check(input: &CheckInput<'_>) -> Vec<CheckFailure> {
    let mut failures = Vec::new();
    for (index, call) in input.observation.calls.iter().enumerate() {
        let at = call_index(input, index);
        let results: Vec<usize> =
            positions(call, |k| matches!(k, EventKind::Success | EventKind::Fail));
        let completes: Vec<usize> = positions(call, |k| k == EventKind::Complete);
        if results.len() != 1 {
            failures.push(failure(
                "callback-order.result",
                at,
                "exactly one success or fail",
                event_names(call),
                format!("{} success/fail callbacks", results.len()),
            ));
        }
        if completes.len() != 1 {
            failures.push(failure(
                "callback-order.complete",
                at,
                "exactly one complete",
                event_names(call),
                format!("{} complete callbacks", completes.len()),
            ));
        }
        if let (Some(&first_result), Some(&first_complete)) = (results.first(), completes.first()) {
            if first_complete < first_result {
                failures.push(failure(
                    "callback-order.complete-last",
                    at,
                    "success/fail before complete",
                    event_names(call),
                    "complete came before the result callback",
                ));
            }
        }
        if let Some(&first_complete) = completes.first() {
            if first_complete + 1 < call.events.len() {
                failures.push(failure(
                    "callback-order.after-complete",
                    at,
                    "nothing after complete",
                    event_names(call),
                    format!(
                        "{} event(s) after complete",
                        call.events.len() - first_complete - 1
                    ),
                ));
            }
        }
        failures.extend(complete_matches_result(input, call, at));
    }
    failures
}

fn positions(
    call: &crate::observation::CallObservation,
    pick: impl Fn(EventKind) -> bool,
) -> Vec<usize> {
    call.events
        .iter()
        .enumerate()
        .filter(|(_, e)| pick(e.event))
        .map(|(i, _)| i)
        .collect()
}

/// complete's message field, when it has one, equals the result's.
fn complete_matches_result(
    input: &CheckInput<'_>,
    call: &crate::observation::CallObservation,
    at: Option<usize>,
) -> Option<CheckFailure> {
    let field = &input.result.err_msg_field;
    let result = result_event(call)?;
    let complete = call
        .events
        .iter()
        .find(|e| e.event == EventKind::Complete)?;
    let expected = result.data.get(field)?;
    let actual = complete.data.get(field)?;
    (expected != actual).then(|| {
        failure(
            "callback-order.complete-data",
            at,
            expected.clone(),
            actual.clone(),
            format!("complete's {field} differs from the result callback's"),
        )
    })
}
