//! Callback order: exactly one of success/fail, then complete exactly once, nothing after it,
//! and complete carrying the same message as the result.

use crate::check::{CheckInput, Verdicts, call_index, event_names, failure, result_event};
use crate::protocol::EventKind;

/// Run the callback-order checks on every call.
pub fn check(input: &CheckInput<'_>, verdicts: &mut Verdicts) {
    for (index, call) in input.observation.calls.iter().enumerate() {
        let at = call_index(input, index);
        let results: Vec<usize> =
            positions(call, |k| matches!(k, EventKind::Success | EventKind::Fail));
        let completes: Vec<usize> = positions(call, |k| k == EventKind::Complete);
        verdicts.judge("callback-order.result");
        if results.len() != 1 {
            verdicts.fail(failure(
                "callback-order.result",
                at,
                "exactly one success or fail",
                event_names(call),
                format!("{} success/fail callbacks", results.len()),
            ));
        }
        verdicts.judge("callback-order.complete");
        if completes.len() != 1 {
            verdicts.fail(failure(
                "callback-order.complete",
                at,
                "exactly one complete",
                event_names(call),
                format!("{} complete callbacks", completes.len()),
            ));
        }
        if let (Some(&first_result), Some(&first_complete)) = (results.first(), completes.first()) {
            verdicts.judge("callback-order.complete-last");
            if first_complete < first_result {
                verdicts.fail(failure(
                    "callback-order.complete-last",
                    at,
                    "success/fail before complete",
                    event_names(call),
                    "complete came before the result callback",
                ));
            }
        }
        if let Some(&first_complete) = completes.first() {
            verdicts.judge("callback-order.after-complete");
            if first_complete + 1 < call.events.len() {
                verdicts.fail(failure(
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
        complete_matches_result(input, call, at, verdicts);
    }
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
    verdicts: &mut Verdicts,
) {
    let field = &input.result.err_msg_field;
    let Some(result) = result_event(call) else {
        return;
    };
    let Some(complete) = call.events.iter().find(|e| e.event == EventKind::Complete) else {
        return;
    };
    let (Some(expected), Some(actual)) = (result.data.get(field), complete.data.get(field)) else {
        return;
    };
    let failed = (expected != actual).then(|| {
        failure(
            "callback-order.complete-data",
            at,
            expected.clone(),
            actual.clone(),
            format!("complete's {field} differs from the result callback's"),
        )
    });
    verdicts.judge_with("callback-order.complete-data", failed);
}
