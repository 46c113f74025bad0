//! Payload defects: what the payload mutants do to an event's data on its way out, the way a
//! JavaScript adapter gets it wrong (a stringified object, a message built from `undefined`, a
//! percent computed from nothing).

use serde_json::Value;

use super::Defect;
use dlconform_protocol::EventKind;
use dlconform_protocol::number::NonFinite;

/// Fields that carry a fail message on some platform (errMsg; Alipay's errorMessage; the
/// Feishu server API's msg).
const MESSAGE_FIELDS: [&str; 3] = ["errMsg", "errorMessage", "msg"];
/// Fields holding an expected total of a progress event (download, upload).
const TOTAL_FIELDS: [&str; 2] = ["totalBytesExpectedToWrite", "totalBytesExpectedToSend"];

/// Apply a payload defect to the data of one event; other defects leave it as it is.
pub fn apply(defect: Defect, kind: EventKind, data: &mut Value) {
    match (defect, kind) {
        (Defect::HeaderAsString, EventKind::Success | EventKind::HeadersReceived) => {
            header_as_string(data)
        }
        (Defect::ErrMsgBare, EventKind::Fail) => replace_reason(data, None),
        (Defect::ErrMsgUndefined, EventKind::Fail) => replace_reason(data, Some("undefined")),
        (Defect::ProgressNotFinite, EventKind::Progress) => not_finite(data),
        (Defect::ProgressOver100, EventKind::Progress) => over_100(data),
        _ => {}
    }
}

/// `header` as the JSON text of the object (`JSON.stringify(header)`).
fn header_as_string(data: &mut Value) {
    if let Some(header) = data.get_mut("header")
        && header.is_object()
    {
        *header = Value::String(header.to_string());
    }
}

/// The message's reason replaced: after `<api>:fail` where the message has that prefix, else
/// the whole message.
fn replace_reason(data: &mut Value, reason: Option<&str>) {
    for name in MESSAGE_FIELDS {
        let Some(Value::String(message)) = data.get_mut(name) else {
            continue;
        };
        let kept = message
            .find(":fail")
            .map_or("", |i| &message[..i + ":fail".len()]);
        *message = match (kept, reason) {
            ("", r) => r.unwrap_or("").to_string(),
            (kept, Some(r)) => format!("{kept} {r}"),
            (kept, None) => kept.to_string(),
        };
    }
}

/// `progress` as `null` (what `JSON.stringify(NaN)` sends) and the total as `Infinity` in the
/// protocol's form.
fn not_finite(data: &mut Value) {
    if let Some(p) = data.get_mut("progress") {
        *p = Value::Null;
    }
    for name in TOTAL_FIELDS {
        if let Some(t) = data.get_mut(name) {
            *t = NonFinite::Infinity.encode();
        }
    }
}

/// `progress` doubled, so it climbs to 200.
fn over_100(data: &mut Value) {
    if let Some(p) = data.get_mut("progress")
        && let Some(n) = p.as_f64()
    {
        *p = serde_json::json!(n * 2.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_defect_changes_its_payload_only() {
        let mut ok = json!({"header": {"a": "1"}, "statusCode": "200"});
        apply(Defect::HeaderAsString, EventKind::Success, &mut ok);
        assert_eq!(ok["header"], json!("{\"a\":\"1\"}"));

        let mut fail = json!({"errMsg": "downloadFile:fail abort", "errorCode": 1});
        apply(Defect::ErrMsgBare, EventKind::Fail, &mut fail);
        assert_eq!(fail["errMsg"], json!("downloadFile:fail"));
        let mut fail = json!({"errorMessage": "timeout", "error": 13});
        apply(Defect::ErrMsgUndefined, EventKind::Fail, &mut fail);
        assert_eq!(fail["errorMessage"], json!("undefined"));
        let mut fail = json!({"errMsg": "downloadFile:fail abort"});
        apply(Defect::ErrMsgUndefined, EventKind::Fail, &mut fail);
        assert_eq!(fail["errMsg"], json!("downloadFile:fail undefined"));

        let mut p =
            json!({"progress": 50, "totalBytesWritten": 5, "totalBytesExpectedToWrite": 10});
        apply(Defect::ProgressNotFinite, EventKind::Progress, &mut p);
        assert_eq!(
            p,
            json!({"progress": null, "totalBytesWritten": 5, "totalBytesExpectedToWrite": {"$number": "Infinity"}})
        );
        let mut p = json!({"progress": 60});
        apply(Defect::ProgressOver100, EventKind::Progress, &mut p);
        assert_eq!(p["progress"], json!(120.0));

        let mut untouched = json!({"errMsg": "downloadFile:fail abort"});
        apply(Defect::HeaderAsString, EventKind::Fail, &mut untouched);
        apply(Defect::None, EventKind::Fail, &mut untouched);
        assert_eq!(untouched["errMsg"], json!("downloadFile:fail abort"));
    }
}
