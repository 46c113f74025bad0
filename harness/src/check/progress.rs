//! Progress events: present, monotonic, reaching 100 with every byte, totals as announced.

use serde_json::Value;

use crate::check::{CheckInput, call_index, failure};
use crate::protocol::EventKind;
use crate::verdict::CheckFailure;

/// Fields holding bytes done (download, upload).
const DONE_FIELDS: [&str; 2] = ["totalBytesWritten", "totalBytesSent"];
/// Fields holding the expected total (download, upload).
const TOTAL_FIELDS: [&str; 2] = ["totalBytesExpectedToWrite", "totalBytesExpectedToSend"];

/// One progress event's numbers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProgressPoint {
    /// `progress` (percent).
    pub progress: Option<f64>,
    /// Bytes done.
    pub done: Option<f64>,
    /// Expected total.
    pub total: Option<f64>,
}

/// Read a progress event's numbers.
pub fn point(data: &Value) -> ProgressPoint {
    let first = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| data.get(*n).and_then(Value::as_f64))
    };
    ProgressPoint {
        progress: data.get("progress").and_then(Value::as_f64),
        done: first(&DONE_FIELDS),
        total: first(&TOTAL_FIELDS),
    }
}

/// Run the progress checks on every call.
pub fn check(input: &CheckInput<'_>) -> Vec<CheckFailure> {
    let Some(expect) = &input.expect.progress else {
        return Vec::new();
    };
    let mut failures = Vec::new();
    let body_len = input
        .observation
        .server
        .requests
        .iter()
        .rev()
        .find_map(|r| r.body_len);
    for (index, call) in input.observation.calls.iter().enumerate() {
        let at = call_index(input, index);
        let points: Vec<ProgressPoint> = call
            .events
            .iter()
            .filter(|e| e.event == EventKind::Progress)
            .map(|e| point(&e.data))
            .collect();
        if expect.required && points.is_empty() {
            failures.push(failure(
                "progress.required",
                at,
                "at least one progress event",
                0,
                "no progress event",
            ));
            continue;
        }
        if expect.monotonic {
            let went_down = points
                .windows(2)
                .position(|w| less(w[1].progress, w[0].progress) || less(w[1].done, w[0].done));
            if let Some(i) = went_down {
                failures.push(failure(
                    "progress.monotonic",
                    at,
                    "never decreasing",
                    serde_json::json!([describe(&points[i]), describe(&points[i + 1])]),
                    format!("progress went down at event {}", i + 1),
                ));
            }
        }
        let last = points.last();
        if expect.reaches_100 {
            let ok = last.is_some_and(|p| {
                p.progress == Some(100.0) && p.done.is_some() && p.done == p.total
            });
            if !ok {
                failures.push(failure(
                    "progress.reaches-100",
                    at,
                    "last event: progress 100, bytes done == total",
                    last.map(describe).unwrap_or(Value::Null),
                    "progress did not reach 100 with every byte",
                ));
            }
        }
        if expect.totals_match {
            let total = last.and_then(|p| p.total);
            let ok = match (total, body_len) {
                (Some(t), Some(len)) => t == len as f64,
                _ => false,
            };
            if !ok {
                failures.push(failure(
                    "progress.totals-match",
                    at,
                    body_len.map(Value::from).unwrap_or(Value::Null),
                    total.map(Value::from).unwrap_or(Value::Null),
                    "the expected total differs from the body length the server announced",
                ));
            }
        }
    }
    failures
}

fn less(a: Option<f64>, b: Option<f64>) -> bool {
    matches!((a, b), (Some(a), Some(b)) if a < b)
}

fn describe(p: &ProgressPoint) -> Value {
    serde_json::json!({"progress": p.progress, "done": p.done, "total": p.total})
}
