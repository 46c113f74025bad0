//! From an observation to its snapshot: callback order and payloads, a progress summary, the
//! files left behind and what the server saw, redacted and with keys sorted.

use mock_server::{CaseJournal, ConnectionEnd, RequestRecord};
use serde_json::{Map, Value, json};

use super::redact::Redactor;
use crate::check::progress::point;
use crate::observation::{CallEnd, CallObservation, FileRecord, Observation};
use crate::protocol::EventKind;

/// The normalized, redacted observation of the case `case_id`, keys sorted at every level.
pub fn normalize(case_id: &str, observation: &Observation) -> Value {
    let redactor = Redactor::for_case(case_id);
    let mut files: Vec<Value> = observation
        .files
        .iter()
        .map(|f| file(&redactor, f))
        .collect();
    files.sort_by_key(|f| f.to_string());
    let mut snapshot = json!({
        "case": case_id,
        "url": redactor.text(&observation.url),
        "calls": calls(&redactor, &observation.calls),
        "files": files,
        "server": server(&redactor, &observation.server, observation.calls.len() > 1, failed(observation)),
    });
    sort_keys(&mut snapshot);
    snapshot
}

/// The calls; several calls of one case run together and finish in any order, so they are
/// numbered `[n]` and sorted.
fn calls(redactor: &Redactor, calls: &[CallObservation]) -> Vec<Value> {
    let mut out: Vec<Value> = calls.iter().map(|c| call(redactor, c)).collect();
    if out.len() > 1 {
        for value in &mut out {
            if let Some(id) = value.get_mut("call") {
                let text = id.as_str().unwrap_or_default();
                let base = text.rsplit_once('.').map_or(text, |(base, _)| base);
                *id = Value::String(format!("{base}.[n]"));
            }
        }
        out.sort_by_key(|v| v.to_string());
    }
    out
}

fn call(redactor: &Redactor, call: &CallObservation) -> Value {
    let mut order: Vec<Value> = Vec::new();
    let mut callbacks = Vec::new();
    let mut progress = Vec::new();
    for event in &call.events {
        let name = event_name(event.event);
        if event.event == EventKind::Progress {
            progress.push(&event.data);
            // A run of progress events is one entry: how many arrive depends on socket reads.
            if order.last().and_then(Value::as_str) != Some("progress...") {
                order.push(Value::String("progress...".into()));
            }
            continue;
        }
        order.push(Value::String(name.into()));
        callbacks.push(json!({"event": name, "data": redactor.value(&event.data)}));
    }
    let end = match &call.end {
        CallEnd::Completed => json!({"kind": "completed"}),
        CallEnd::Deadline => json!({"kind": "deadline"}),
        CallEnd::Unsupported(d) => json!({"kind": "unsupported", "detail": redactor.text(d)}),
        CallEnd::Error(d) => json!({"kind": "error", "detail": redactor.text(d)}),
        CallEnd::CandidateDied(d) => json!({"kind": "candidate_died", "detail": redactor.text(d)}),
        CallEnd::ProtocolViolation(d) => {
            json!({"kind": "protocol_violation", "detail": redactor.text(d)})
        }
    };
    json!({
        "call": redactor.text(&call.call),
        "order": order,
        "callbacks": callbacks,
        "progress": progress_summary(redactor, &progress),
        "end": end,
    })
}

fn event_name(kind: EventKind) -> &'static str {
    match kind {
        EventKind::Progress => "progress",
        EventKind::HeadersReceived => "headersReceived",
        EventKind::Success => "success",
        EventKind::Fail => "fail",
        EventKind::Complete => "complete",
    }
}

/// Whether any progress event came, the fields of the first, the last one, and whether the
/// bytes done never went down.
///
/// How many events come, and at which figures, depends on how the bytes arrived: the count is
/// only `0` or `1+`, and in the last event a byte count short of the total (or a percentage
/// other than 0 and 100) reads `[partial]`.
fn progress_summary(redactor: &Redactor, events: &[&Value]) -> Value {
    let (Some(first), Some(last)) = (events.first(), events.last()) else {
        return json!({"events": "0"});
    };
    let mut monotonic = true;
    let mut previous: Option<f64> = None;
    for event in events {
        let p = point(event);
        let done = p.done.or(p.progress);
        if let (Some(prev), Some(now)) = (previous, done) {
            if now < prev {
                monotonic = false;
            }
        }
        if done.is_some() {
            previous = done;
        }
    }
    let fields: Vec<String> = first
        .as_object()
        .map(|m| {
            let mut keys: Vec<String> = m.keys().cloned().collect();
            keys.sort();
            keys
        })
        .unwrap_or_default();
    let total = point(last).total;
    let mut last = redactor.value(last);
    if let Value::Object(map) = &mut last {
        for (key, value) in map.iter_mut() {
            let Some(number) = value.as_f64() else {
                continue;
            };
            let partial = match key.as_str() {
                "progress" => number != 0.0 && number != 100.0,
                "totalBytesWritten" | "totalBytesSent" => number != 0.0 && Some(number) != total,
                _ => false,
            };
            if partial {
                *value = Value::String("[partial]".into());
            }
        }
    }
    json!({
        "events": "1+",
        "fields": fields,
        "last": last,
        "monotonic": monotonic,
    })
}

fn file(redactor: &Redactor, file: &FileRecord) -> Value {
    json!({
        "path": redactor.text(&file.path),
        "size": file.size,
        "sha256": file.sha256,
        "inside": file.inside,
        "preexisting": file.preexisting,
    })
}

/// Whether a call of the case got its `fail` callback.
fn failed(observation: &Observation) -> bool {
    observation
        .calls
        .iter()
        .any(|c| c.events.iter().any(|e| e.event == EventKind::Fail))
}

fn server(redactor: &Redactor, journal: &CaseJournal, several_calls: bool, failed: bool) -> Value {
    let mut requests: Vec<Value> = journal
        .requests
        .iter()
        .map(|r| request(redactor, r, failed))
        .collect();
    // Requests of calls made together arrive in any order: sorted. One call's requests come one
    // after another, in order; how many overlap at the peak depends on when the server sees a
    // response end (a finished response may still count while the next request arrives), so
    // only whether any came is kept: 0 or 1+.
    if several_calls {
        requests.sort_by_key(|r| r.to_string());
    }
    let max_in_flight = match journal.max_in_flight {
        0 => json!(0),
        _ => json!("1+"),
    };
    json!({
        "connections": journal.connections,
        "max_in_flight": max_in_flight,
        "dropped": journal.dropped,
        "requests": requests,
    })
}

fn request(redactor: &Redactor, request: &RequestRecord, failed: bool) -> Value {
    let headers: Vec<Value> = request
        .headers
        .iter()
        .map(|(name, value)| {
            let redacted = redactor.value(&json!({name.as_str(): value.as_str()}));
            let value = redacted
                .get(name.as_str())
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            Value::String(format!("{name}: {value}"))
        })
        .collect();
    // When the client went away, how far the response got depends on timing.
    let timing_dependent = matches!(
        request.end,
        ConnectionEnd::ClientAbort | ConnectionEnd::Open
    );
    // A client that gave up on a successful response (too large, no room, aborted) races the
    // server: whether the response got out whole, was cut or closed depends on timing.
    let raced = failed
        && (request.status == 0 || (200..300).contains(&request.status))
        && request.end != ConnectionEnd::TlsHandshakeFailed;
    let bytes_sent = if raced {
        Value::String("[timing]".into())
    } else if timing_dependent
        && request.bytes_sent != 0
        && Some(request.bytes_sent) != request.body_len
    {
        Value::String("[partial]".into())
    } else {
        json!(request.bytes_sent)
    };
    let mut out = Map::new();
    out.insert("method".into(), json!(request.method));
    out.insert("path".into(), json!(redactor.text(&request.path)));
    out.insert("listener".into(), json!(request.listener));
    out.insert("version".into(), json!(request.version));
    out.insert("headers".into(), Value::Array(headers));
    out.insert("status".into(), json!(request.status));
    out.insert("body_len".into(), json!(request.body_len));
    out.insert("body_sha256".into(), json!(request.body_sha256));
    out.insert("bytes_sent".into(), bytes_sent);
    let end = if raced {
        Value::String("[timing]".into())
    } else {
        serde_json::to_value(request.end).unwrap_or(Value::Null)
    };
    out.insert("end".into(), end);
    if let Some(upload) = &request.upload {
        let mut upload = serde_json::to_value(upload).unwrap_or(Value::Null);
        // A request cut short (a reset after N bytes) is read in chunks of whatever had arrived.
        if raced && let Some(read) = upload.get_mut("bytes_read") {
            *read = Value::String("[timing]".into());
        }
        out.insert("upload".into(), redactor.value(&upload));
    }
    Value::Object(out)
}

/// Sort object keys at every level, so the text is the same whatever order fields were built in.
pub fn sort_keys(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.sort_keys();
            for v in map.values_mut() {
                sort_keys(v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(sort_keys),
        _ => {}
    }
}
