//! Checks: each family compares an [`Observation`] with a case's expectations and records in a
//! [`Verdicts`] every check it judged and those that did not hold, expected and actual kept apart.

pub mod applicable;
pub mod err_msg;
pub mod fields;
pub mod file;
pub mod headers;
pub mod off;
pub mod order;
pub mod outcome;
pub mod progress;
pub mod server;
pub mod shape;
pub mod task;
pub mod tier;
pub mod timing;

use std::collections::BTreeMap;

use serde_json::Value;

use crate::observation::{CallObservation, Observation, TimedEvent};
use crate::protocol::EventKind;
use crate::protocol::number::NonFinite;
use crate::runner::templates::Templates;
use crate::spec::model::{Expect, Paths, Platform, ResultShapes, Source, TaskSpec, Tier};
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
    /// The spec's sources: a check resting on a declared fact takes the tier its source allows.
    pub sources: &'a BTreeMap<String, Source>,
    /// The platform's path prefixes as the case runs (a `{{temp}}`/`{{user}}` check takes the
    /// tier of their source).
    pub paths: &'a Paths,
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

/// What the check families made of one case: every check id judged (held or failed), each
/// once in the order first judged, and the failures; a failure's check is always judged.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Verdicts {
    judged: Vec<String>,
    failures: Vec<CheckFailure>,
}

impl Verdicts {
    /// Record that `check` was judged (whether it holds is told by [`Verdicts::fail`]).
    pub fn judge(&mut self, check: &str) {
        if !self.judged.iter().any(|j| j == check) {
            self.judged.push(check.to_string());
        }
    }

    /// Record a check that did not hold (its check is judged too).
    pub fn fail(&mut self, failure: CheckFailure) {
        self.judge(&failure.check);
        self.failures.push(failure);
    }

    /// Record `check` as judged, and `failure` if it did not hold.
    pub fn judge_with(&mut self, check: &str, failure: Option<CheckFailure>) {
        self.judge(check);
        if let Some(failure) = failure {
            self.fail(failure);
        }
    }

    /// Check ids judged, in the order first judged.
    pub fn judged(&self) -> &[String] {
        &self.judged
    }

    /// Checks that did not hold, in the order found.
    pub fn failures(&self) -> &[CheckFailure] {
        &self.failures
    }

    /// The judged ids and the failures.
    pub fn into_parts(self) -> (Vec<String>, Vec<CheckFailure>) {
        (self.judged, self.failures)
    }
}

/// Run every check family.
pub fn run_all(input: &CheckInput<'_>) -> Verdicts {
    let mut verdicts = Verdicts::default();
    order::check(input, &mut verdicts);
    outcome::check(input, &mut verdicts);
    shape::check(input, &mut verdicts);
    fields::check(input, &mut verdicts);
    file::check(input, &mut verdicts);
    progress::check(input, &mut verdicts);
    headers::check(input, &mut verdicts);
    timing::check(input, &mut verdicts);
    server::check(input, &mut verdicts);
    task::check(input, &mut verdicts);
    off::check(input, &mut verdicts);
    verdicts
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

/// `failure` at the tier its fact's source allows: lowered to recommended where `tier` is
/// (`tier::assign` keeps a lowered tier); left for `tier::assign` otherwise.
pub fn at_tier(mut failure: CheckFailure, tier: Tier) -> CheckFailure {
    if tier == Tier::Recommended {
        failure.tier = Tier::Recommended;
    }
    failure
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
