//! Payload shapes: every field a spec declares on the `success`, `fail`, `headersReceived` and
//! `progress` payloads is present where a document promises it, of its declared JSON type, and a
//! finite number where it is a number.

use serde_json::Value;

use crate::check::{
    CheckInput, Verdicts, at_tier, call_index, failure, result_event, tier, value_type,
};
use crate::protocol::EventKind;
use crate::protocol::number::NonFinite;
use crate::runner::plan::at_least;
use crate::spec::model::{Field, Outcome, Tier, ValueType};

/// Check the declared fields of every payload of every call.
pub fn check(input: &CheckInput<'_>, verdicts: &mut Verdicts) {
    let progress_fields = input.task.map_or(&[][..], |t| &t.progress_fields[..]);
    let headers_fields = input
        .task
        .map_or(&[][..], |t| &t.headers_received_fields[..]);
    for (index, call) in input.observation.calls.iter().enumerate() {
        let at = call_index(input, index);
        if let Some(result) = result_event(call) {
            let (fields, outcome, name) = match result.event {
                EventKind::Success => (&input.result.success, Outcome::Success, "success"),
                _ => (&input.result.fail, Outcome::Fail, "fail"),
            };
            // A wrong outcome is reported once, by the outcome check.
            if outcome == input.expect.outcome {
                payload(input, fields, &result.data, name, at, verdicts);
            }
        }
        let mut seen = [0usize; 2];
        for event in &call.events {
            let (fields, name, n) = match event.event {
                EventKind::Progress => (progress_fields, "progress", &mut seen[0]),
                EventKind::HeadersReceived => (headers_fields, "headersReceived", &mut seen[1]),
                _ => continue,
            };
            let path = format!("{name}[{n}]");
            *n += 1;
            payload(input, fields, &event.data, &path, at, verdicts);
        }
    }
}

/// Judge one payload (`path` names it in messages: `success`, `progress[3]`).
fn payload(
    input: &CheckInput<'_>,
    fields: &[Field],
    data: &Value,
    path: &str,
    at: Option<usize>,
    verdicts: &mut Verdicts,
) {
    for field in fields {
        one_field(input, field, data, path, at, verdicts);
    }
}

/// Judge one declared field of a payload: its absence where the platform has no such field,
/// else its presence where promised, its finiteness as a number and its type.
fn one_field(
    input: &CheckInput<'_>,
    field: &Field,
    data: &Value,
    path: &str,
    at: Option<usize>,
    verdicts: &mut Verdicts,
) {
    let path = format!("{path}.{}", field.name);
    let value = data.get(&field.name);
    let type_tier = field_tier(input, field, &field.source);
    let promise_tier = field
        .always
        .as_ref()
        .map_or(type_tier, |p| field_tier(input, field, &p.source));
    // `tier::assign` keeps a tier a family lowered: a field whose documents conflict, or whose
    // source is no platform document, is judged and reported at recommended tier only.
    let failure_at = |tier: Tier, check: &str, at, expected: String, actual: Value, message| {
        at_tier(failure(check, at, expected, actual, message), tier)
    };
    let failure = |check: &str, at, expected: String, actual: Value, message: String| {
        failure_at(type_tier, check, at, expected, actual, message)
    };
    if field.unsupported_on.contains(&input.platform) {
        let failed = value.map(|value| {
            failure(
                "shape.unsupported",
                at,
                format!("no {path}"),
                value.clone(),
                format!("{path} is not part of {}'s payload", input.platform),
            )
        });
        verdicts.judge_with("shape.unsupported", failed);
        return;
    }
    let promised = field.always.is_some() && at_least(input.sdk_version, field.since.as_ref());
    let Some(value) = value else {
        if promised {
            verdicts.fail(failure_at(
                promise_tier,
                "shape.missing",
                at,
                format!("{path}: {}", type_name(field.ty)),
                Value::from("absent"),
                format!("{path} is missing; the document promises it on every payload"),
            ));
        }
        return;
    };
    if promised {
        verdicts.judge("shape.missing");
    }
    if field.ty == ValueType::Number {
        // A number, but one no document allows: reported as what it is.
        let check = if path.starts_with("progress[") {
            "progress.finite"
        } else {
            "shape.finite"
        };
        verdicts.judge(check);
        if let Some(non_finite) = NonFinite::decode(value) {
            verdicts.fail(failure(
                check,
                at,
                format!("{path}: finite number"),
                Value::from(format!("{path}: non-finite number ({})", non_finite.name())),
                format!("{path} is not a finite number"),
            ));
            return;
        }
    }
    let failed = (!type_matches(field.ty, value)).then(|| {
        let actual = match value {
            Value::Null => format!("{path}: null"),
            other => format!("{path}: {} {other}", value_type(other)),
        };
        failure(
            "shape.type",
            at,
            format!("{path}: {}", type_name(field.ty)),
            Value::from(actual),
            format!(
                "{path} is {}, expected {}",
                value_type(value),
                type_name(field.ty)
            ),
        )
    });
    verdicts.judge_with("shape.type", failed);
}

/// The tier a field's checks resting on `source` may have: recommended where the documents
/// conflict about the field (`recommended`), else as its source allows.
pub(crate) fn field_tier(input: &CheckInput<'_>, field: &Field, source: &str) -> Tier {
    if field.recommended.is_some() {
        return Tier::Recommended;
    }
    tier::of_source(input.sources, source, field.tier_reason.as_deref())
}

/// Whether a JSON value has the spec type; the protocol's non-finite form counts as a number.
pub fn type_matches(ty: ValueType, value: &Value) -> bool {
    let non_finite = NonFinite::decode(value).is_some();
    match ty {
        ValueType::String => value.is_string(),
        ValueType::Number => value.is_number() || non_finite,
        ValueType::Boolean => value.is_boolean(),
        ValueType::Object => value.is_object() && !non_finite,
        ValueType::Array => value.is_array(),
        ValueType::Function => false,
    }
}

/// The spec's name of a type.
pub fn type_name(ty: ValueType) -> &'static str {
    match ty {
        ValueType::String => "string",
        ValueType::Number => "number",
        ValueType::Boolean => "boolean",
        ValueType::Object => "object",
        ValueType::Array => "array",
        ValueType::Function => "function",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn non_finite_form_is_a_number_not_an_object() {
        let inf = json!({"$number": "Infinity"});
        assert!(type_matches(ValueType::Number, &inf));
        assert!(!type_matches(ValueType::Object, &inf));
        assert!(!type_matches(ValueType::Number, &Value::Null));
        assert!(!type_matches(ValueType::Object, &json!("{}")));
        assert!(type_matches(ValueType::Object, &json!({"$number": "1"})));
        assert_eq!(value_type(&inf), "non-finite number (Infinity)");
        assert_eq!(
            value_type(&json!({"$number": "-Infinity"})),
            "non-finite number (-Infinity)"
        );
    }
}
