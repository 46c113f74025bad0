//! Checks: each family compares an [`Observation`] with a case's expectations and returns the
//! checks that did not hold, expected and actual kept apart.

pub mod applicable;
pub mod err_msg;
pub mod fields;
pub mod file;
pub mod headers;
pub mod order;
pub mod outcome;
pub mod progress;
pub mod server;
pub mod shape;
pub mod task;
pub mod tier;
pub mod timing;

use serde_json::Value;

use crate::observation::{CallObservation, Observation, TimedEvent};
use crate::protocol::EventKind;
use crate::protocol::number::NonFinite;
use crate::runner::templates::Templates;
use crate::spec::model::{Expect, Platform, ResultShapes, TaskSpec, Tier};
use crate::verdict::CheckFailure;

/// Everything a check needs to know about one case.
#[derive(Debug, Clone, Copy)]
pub struct CheckInput<'a> {
    /// What the case expects.
    pub expect: &'a Expect,
    /// Result shapes of the API as the platform reports them (message and code field names).
    pub result: &'a ResultShapes,
    /// The task the API returns (progress and headersReceived payload fields), if it has one.
    pub task: Option<&'a TaskSpec>,
    /// The platform the case ran as.
    pub platform: Platform,
    /// Base-library version of the call.
    pub sdk_version: &'a str,
    /// Template values of the case (also the platform's path prefixes).
    pub templates: &'a Templates,
    /// The call arguments as sent (templates expanded).
    pub args: &'a Value,
    /// What was observed.
    pub observation: &'a Observation,
}

/// Run every check family.
pub fn run_all(input: &CheckInput<'_>) -> Vec<CheckFailure> {
    let mut failures = Vec::new();
    failures.extend(order::check(input));
    failures.extend(outcome::check(input));
    failures.extend(shape::check(input));
    failures.extend(fields::check(input));
    failures.extend(file::check(input));
    failures.extend(progress::check(input));
    failures.extend(headers::check(input));
    failures.extend(timing::check(input));
    failures.extend(server::check(input));
    failures.extend(task::check(input));
    failures
}

/// Build a failure.
pub fn failure(
    check: &str,
    call: Option<usize>,
    expected: impl Into<Value>,
    actual: impl Into<Value>,
    message: impl Into<String>,
) -> CheckFailure {
    CheckFailure {
        check: check.to_string(),
        call,
        expected: expected.into(),
        actual: actual.into(),
        message: message.into(),
        // `tier::assign` sets the real tier once every family has run.
        tier: Tier::Required,
        known: None,
    }
}

/// The call index to record: only when the case has several calls.
pub fn call_index(input: &CheckInput<'_>, index: usize) -> Option<usize> {
    (input.observation.calls.len() > 1).then_some(index)
}

/// The first `success` or `fail` event of a call.
pub fn result_event(call: &CallObservation) -> Option<&TimedEvent> {
    call.events
        .iter()
        .find(|e| matches!(e.event, EventKind::Success | EventKind::Fail))
}

/// Names of a call's events in order, for messages.
pub fn event_names(call: &CallObservation) -> Vec<Value> {
    call.events
        .iter()
        .map(|e| Value::String(event_name(e.event).to_string()))
        .collect()
}

/// The protocol name of an event kind.
pub fn event_name(kind: EventKind) -> &'static str {
    match kind {
        EventKind::Progress => "progress",
        EventKind::HeadersReceived => "headersReceived",
        EventKind::Success => "success",
        EventKind::Fail => "fail",
        EventKind::Complete => "complete",
    }
}

/// The JSON type name of a value, as spec types name them.
pub fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A value's type for messages: the JSON type, or "non-finite number (Infinity)" for the
/// protocol's form of a number JSON cannot carry.
pub fn value_type(value: &Value) -> String {
    match NonFinite::decode(value) {
        Some(n) => format!("non-finite number ({})", n.name()),
        None => json_type(value).to_string(),
    }
}
