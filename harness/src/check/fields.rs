//! `expect.fields`: a case's checks on fields of the success or fail object.

use serde_json::Value;

use crate::check::shape::{type_matches, type_name};
use crate::check::{CheckInput, call_index, failure, result_event, value_type};
use crate::protocol::EventKind;
use crate::spec::model::{FieldCheck, Outcome};
use crate::verdict::CheckFailure;

/// Check `expect.fields` on every call whose result callback is the expected one.
pub fn check(input: &CheckInput<'_>) -> Vec<CheckFailure> {
    let mut failures = Vec::new();
    for (index, call) in input.observation.calls.iter().enumerate() {
        let at = call_index(input, index);
        let Some(result) = result_event(call) else {
            continue;
        };
        let outcome = match result.event {
            EventKind::Success => Outcome::Success,
            _ => Outcome::Fail,
        };
        // A wrong outcome is reported once, by the outcome check.
        if outcome != input.expect.outcome {
            continue;
        }
        for (name, expected) in &input.expect.fields {
            failures.extend(check_field(input, name, expected, &result.data, at));
        }
    }
    failures
}

fn check_field(
    input: &CheckInput<'_>,
    name: &str,
    expected: &FieldCheck,
    data: &Value,
    at: Option<usize>,
) -> Vec<CheckFailure> {
    let mut failures = Vec::new();
    let check = format!("fields.{name}");
    let value = lookup(data, name);
    if let Some(absent) = expected.absent {
        if absent != value.is_none() {
            failures.push(failure(
                &check,
                at,
                if absent { "absent" } else { "present" },
                value.cloned().unwrap_or(Value::Null),
                format!(
                    "{name} must be {}",
                    if absent { "absent" } else { "present" }
                ),
            ));
            return failures;
        }
    }
    let Some(value) = value else {
        let constrained =
            expected.ty.is_some() || expected.equals.is_some() || expected.prefix.is_some();
        if constrained && !expected.optional {
            failures.push(failure(
                &check,
                at,
                "present",
                Value::Null,
                format!("{name} is missing"),
            ));
        }
        return failures;
    };
    if let Some(ty) = expected.ty {
        if !type_matches(ty, value) {
            failures.push(failure(
                &check,
                at,
                type_name(ty),
                value_type(value),
                format!("{name} has the wrong type"),
            ));
        }
    }
    if let Some(equals) = &expected.equals {
        let equals = input.templates.expand(equals);
        if !values_equal(&equals, value) {
            failures.push(failure(
                &check,
                at,
                equals,
                value.clone(),
                format!("{name} differs"),
            ));
        }
    }
    if let Some(prefix) = &expected.prefix {
        let prefix = input.templates.expand_str(prefix);
        if !value.as_str().is_some_and(|s| s.starts_with(&prefix)) {
            failures.push(failure(
                &check,
                at,
                format!("{prefix}..."),
                value.clone(),
                format!("{name} does not start with {prefix}"),
            ));
        }
    }
    failures
}

/// A field by name, or by dotted path into nested objects (`header.Content-Type`).
fn lookup<'v>(data: &'v Value, name: &str) -> Option<&'v Value> {
    if let Some(v) = data.get(name) {
        return Some(v);
    }
    let mut current = data;
    for part in name.split('.') {
        current = current.get(part)?;
    }
    Some(current)
}

/// JSON equality, with numbers compared by value (`200` equals `200.0`).
fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}
