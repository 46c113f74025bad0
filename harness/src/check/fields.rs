//! `expect.fields`: a case's checks on fields of the success or fail object.

use serde_json::Value;

use crate::check::shape::{type_matches, type_name};
use crate::check::{
    CheckInput, Verdicts, at_tier, call_index, failure, result_event, tier, value_type,
};
use crate::protocol::EventKind;
use crate::spec::model::{FieldCheck, Outcome, Tier};

/// Check `expect.fields` on every call whose result callback is the expected one.
pub fn check(input: &CheckInput<'_>, verdicts: &mut Verdicts) {
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
            check_field(input, name, expected, &result.data, at, verdicts);
        }
    }
}

fn check_field(
    input: &CheckInput<'_>,
    name: &str,
    expected: &FieldCheck,
    data: &Value,
    at: Option<usize>,
    verdicts: &mut Verdicts,
) {
    let check = format!("fields.{name}");
    verdicts.judge(&check);
    let value = lookup(data, name);
    if let Some(absent) = expected.absent {
        if absent != value.is_none() {
            verdicts.fail(failure(
                &check,
                at,
                if absent { "absent" } else { "present" },
                value.cloned().unwrap_or(Value::Null),
                format!(
                    "{name} must be {}",
                    if absent { "absent" } else { "present" }
                ),
            ));
            return;
        }
    }
    let Some(value) = value else {
        let constrained =
            expected.ty.is_some() || expected.equals.is_some() || expected.prefix.is_some();
        if constrained && !expected.optional {
            verdicts.fail(failure(
                &check,
                at,
                "present",
                Value::Null,
                format!("{name} is missing"),
            ));
        }
        return;
    };
    if let Some(ty) = expected.ty {
        if !type_matches(ty, value) {
            verdicts.fail(failure(
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
            verdicts.fail(failure(
                &check,
                at,
                equals,
                value.clone(),
                format!("{name} differs"),
            ));
        }
    }
    if let Some(template) = &expected.prefix {
        let prefix = input.templates.expand_str(template);
        if !value.as_str().is_some_and(|s| s.starts_with(&prefix)) {
            verdicts.fail(at_tier(
                failure(
                    &check,
                    at,
                    format!("{prefix}..."),
                    value.clone(),
                    format!("{name} does not start with {prefix}"),
                ),
                paths_tier(input, template),
            ));
        }
    }
}

/// The tier a prefix check of `template` may have: a platform path (`{{temp}}`, `{{user}}`) that
/// the candidate makes up rests on the source of the path prefixes; anything else on the case.
pub(crate) fn paths_tier(input: &CheckInput<'_>, template: &str) -> Tier {
    if template.contains("{{temp}}") || template.contains("{{user}}") {
        let paths = input.paths;
        tier::of_source(input.sources, &paths.source, paths.tier_reason.as_deref())
    } else {
        Tier::Required
    }
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
