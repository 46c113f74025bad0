//! Outcome (success or fail), the error code and the message.

use serde_json::Value;

use crate::check::{
    CheckInput, Verdicts, at_tier, call_index, err_msg, failure, result_event, tier,
};
use crate::protocol::EventKind;
use crate::spec::model::{Outcome, TextMatch, Tier};

/// Run outcome, errno and message checks on every call.
pub fn check(input: &CheckInput<'_>, verdicts: &mut Verdicts) {
    let shapes = &input.result;
    // The message checks rest on the platform's message form and take its source's tier.
    let msg_tier = shapes
        .msg_source
        .as_deref()
        .map_or(Tier::Recommended, |source| {
            tier::of_source(input.sources, source, shapes.msg_tier_reason.as_deref())
        });
    for (index, call) in input.observation.calls.iter().enumerate() {
        let at = call_index(input, index);
        let result = result_event(call);
        let actual = match result.map(|e| e.event) {
            Some(EventKind::Success) => Some(Outcome::Success),
            Some(EventKind::Fail) => Some(Outcome::Fail),
            _ => None,
        };
        verdicts.judge("outcome");
        if actual != Some(input.expect.outcome) {
            verdicts.fail(failure(
                "outcome",
                at,
                outcome_name(Some(input.expect.outcome)),
                outcome_name(actual),
                format!(
                    "expected {}, got {}",
                    outcome_name(Some(input.expect.outcome)),
                    outcome_name(actual)
                ),
            ));
            // Codes and messages of the wrong callback say nothing more.
            continue;
        }
        let Some(result) = result else { continue };
        let data = &result.data;
        if let Some(errno) = input.expect.errno {
            verdicts.judge("errno");
            match &shapes.errno_field {
                None => verdicts.fail(failure(
                    "errno",
                    at,
                    errno,
                    Value::Null,
                    "the spec names no errno_field for this API",
                )),
                Some(field) => {
                    let got = data.get(field).cloned().unwrap_or(Value::Null);
                    if got.as_i64() != Some(errno) {
                        verdicts.fail(failure(
                            "errno",
                            at,
                            errno,
                            got.clone(),
                            format!("{field} is {got}, expected {errno}"),
                        ));
                    }
                }
            }
        }
        let field = &shapes.err_msg_field;
        let message = data.get(field).and_then(Value::as_str);
        if let Some(expected) = &input.expect.err_msg {
            let expected = expand_match(input, expected);
            verdicts.judge("errMsg");
            if !message.is_some_and(|m| text_matches(&expected, m)) {
                verdicts.fail(failure(
                    "errMsg",
                    at,
                    serde_json::to_value(&expected).unwrap_or(Value::Null),
                    message.map(Value::from).unwrap_or(Value::Null),
                    format!("{field} does not match"),
                ));
            }
        }
        let prefix = match input.expect.outcome {
            Outcome::Success => shapes.ok_msg.as_ref(),
            Outcome::Fail => shapes.fail_msg_prefix.as_ref(),
        };
        // Where the case gives the documented text whole, that text is the check.
        let text_given = matches!(input.expect.err_msg, Some(TextMatch::Equals(_)));
        if input.expect.outcome == Outcome::Fail
            && !text_given
            && let Some(message) = message
        {
            err_msg::check(
                field,
                message,
                prefix.map(String::as_str),
                at,
                msg_tier,
                verdicts,
            );
        }
        if let (Some(prefix), Some(message)) = (prefix, message) {
            verdicts.judge("errMsg.prefix");
            if !message.starts_with(prefix.as_str()) {
                verdicts.fail(at_tier(
                    failure(
                        "errMsg.prefix",
                        at,
                        format!("{prefix}..."),
                        message,
                        format!("{field} does not start with the platform's prefix"),
                    ),
                    msg_tier,
                ));
            }
        }
    }
}

fn outcome_name(outcome: Option<Outcome>) -> &'static str {
    match outcome {
        Some(Outcome::Success) => "success",
        Some(Outcome::Fail) => "fail",
        None => "no result callback",
    }
}

fn expand_match(input: &CheckInput<'_>, text: &TextMatch) -> TextMatch {
    let t = input.templates;
    match text {
        TextMatch::Equals(s) => TextMatch::Equals(t.expand_str(s)),
        TextMatch::Prefix(s) => TextMatch::Prefix(t.expand_str(s)),
        TextMatch::Contains(s) => TextMatch::Contains(t.expand_str(s)),
    }
}

/// Whether `actual` satisfies the expectation.
pub fn text_matches(expected: &TextMatch, actual: &str) -> bool {
    match expected {
        TextMatch::Equals(s) => actual == s,
        TextMatch::Prefix(s) => actual.starts_with(s.as_str()),
        TextMatch::Contains(s) => actual.contains(s.as_str()),
    }
}
