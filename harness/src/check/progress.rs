//! Progress events: in range and agreeing with the body on every case; present, monotonic,
//! reaching 100 with every byte and totals as announced where a case asks.

use serde_json::Value;

use crate::check::tier;
use crate::check::{CheckInput, Verdicts, at_tier, call_index, failure, shape};
use crate::protocol::EventKind;
use crate::spec::model::{Outcome, ProgressCheck, Tier};
use crate::verdict::CheckFailure;
use mock_server::{CaseJournal, ConnectionEnd};

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
pub fn check(input: &CheckInput<'_>, verdicts: &mut Verdicts) {
    let body_len = input
        .observation
        .server
        .requests
        .iter()
        .rev()
        .find_map(|r| r.body_len);
    let sent = body_sent(&input.observation.server);
    let downloads = input
        .task
        .is_some_and(|t| t.progress_fields.iter().any(|f| f.name == DONE_FIELDS[0]));
    // Range and last-event checks read the declared fields: they rest on those fields' sources.
    let fields_tier = input.task.map_or(Tier::Required, |t| {
        t.progress_fields
            .iter()
            .map(|f| shape::field_tier(input, f, &f.source))
            .fold(Tier::Required, tier::lower)
    });
    for (index, call) in input.observation.calls.iter().enumerate() {
        let at = call_index(input, index);
        let points: Vec<ProgressPoint> = call
            .events
            .iter()
            .filter(|e| e.event == EventKind::Progress)
            .map(|e| point(&e.data))
            .collect();
        if !points.is_empty() {
            let failed = range(&points, at).map(|f| at_tier(f, fields_tier));
            verdicts.judge_with("progress.range", failed);
        }
        let result = call
            .events
            .iter()
            .position(|e| matches!(e.event, EventKind::Success | EventKind::Fail));
        let succeeded = input.expect.outcome == Outcome::Success
            && result.is_some_and(|i| call.events[i].event == EventKind::Success);
        let last_before = result.and_then(|i| {
            call.events[..i]
                .iter()
                .rev()
                .find(|e| e.event == EventKind::Progress)
        });
        // A call whose progress listener was removed (`off`) cannot be asked for its last event:
        // `off.progress` judges what came after the removal instead.
        let listener_removed = call
            .actions
            .iter()
            .any(|a| a.what.off_event() == Some(crate::protocol::TaskEvent::Progress));
        if succeeded
            && !listener_removed
            && let Some(last) = last_before
        {
            let sent = downloads.then_some(sent).flatten();
            let failed = last_agrees(&point(&last.data), sent, at).map(|f| at_tier(f, fields_tier));
            verdicts.judge_with("progress.last", failed);
        }
        if let Some(expect) = &input.expect.progress {
            expected(expect, &points, body_len, at, verdicts);
        }
    }
}

/// `progress.range`: percent within 0..=100, bytes done not negative and never above a known
/// (positive) total. Non-finite values are the shape check's `progress.finite`.
fn range(points: &[ProgressPoint], at: Option<usize>) -> Option<CheckFailure> {
    let out = points.iter().position(|p| {
        p.progress.is_some_and(|v| !(0.0..=100.0).contains(&v))
            || p.done.is_some_and(|d| d < 0.0)
            || matches!((p.done, p.total), (Some(d), Some(t)) if t > 0.0 && d > t)
    })?;
    Some(failure(
        "progress.range",
        at,
        "0 <= progress <= 100, 0 <= bytes done <= known total",
        serde_json::json!({"event": out, "at": describe(&points[out])}),
        format!("progress[{out}] is out of range"),
    ))
}

/// `progress.last`: after a success the last event says 100 with every byte of a total it
/// knew (> 0), and on a download it counts every byte the server sent.
fn last_agrees(last: &ProgressPoint, sent: Option<u64>, at: Option<usize>) -> Option<CheckFailure> {
    let known = last.total.is_some_and(|t| t > 0.0);
    let total_ok = !known || last.done == last.total;
    let body_ok = match (last.done, sent) {
        (Some(d), Some(s)) => d == s as f64,
        _ => true,
    };
    // An absent percent is the shape check's to report where a document promises it.
    let percent_ok = !known || last.progress.is_none_or(|p| p == 100.0);
    if percent_ok && total_ok && body_ok {
        return None;
    }
    Some(failure(
        "progress.last",
        at,
        serde_json::json!({"progress": "100 when the total is known", "done": sent, "total": "== done when known"}),
        describe(last),
        "the last progress event before success does not agree with the body",
    ))
}

/// The body bytes the server sent whole, when every completed final answer sent the same count
/// (several calls of one case fetch the same body).
fn body_sent(server: &CaseJournal) -> Option<u64> {
    let mut counts = server
        .requests
        .iter()
        .filter(|r| r.end == ConnectionEnd::Complete && !(300..400).contains(&r.status))
        .map(|r| r.bytes_sent);
    let first = counts.next()?;
    counts.all(|c| c == first).then_some(first)
}

/// The checks a case asks for in `expect.progress`.
fn expected(
    expect: &ProgressCheck,
    points: &[ProgressPoint],
    body_len: Option<u64>,
    at: Option<usize>,
    verdicts: &mut Verdicts,
) {
    if expect.required {
        verdicts.judge("progress.required");
        if points.is_empty() {
            verdicts.fail(failure(
                "progress.required",
                at,
                "at least one progress event",
                0,
                "no progress event",
            ));
            return;
        }
    }
    if expect.monotonic {
        verdicts.judge("progress.monotonic");
        let went_down = points
            .windows(2)
            .position(|w| less(w[1].progress, w[0].progress) || less(w[1].done, w[0].done));
        if let Some(i) = went_down {
            verdicts.fail(failure(
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
        verdicts.judge("progress.reaches-100");
        let ok = last
            .is_some_and(|p| p.progress == Some(100.0) && p.done.is_some() && p.done == p.total);
        if !ok {
            verdicts.fail(failure(
                "progress.reaches-100",
                at,
                "last event: progress 100, bytes done == total",
                last.map(describe).unwrap_or(Value::Null),
                "progress did not reach 100 with every byte",
            ));
        }
    }
    if expect.totals_match {
        verdicts.judge("progress.totals-match");
        let total = last.and_then(|p| p.total);
        let ok = match (total, body_len) {
            (Some(t), Some(len)) => t == len as f64,
            _ => false,
        };
        if !ok {
            verdicts.fail(failure(
                "progress.totals-match",
                at,
                body_len.map(Value::from).unwrap_or(Value::Null),
                total.map(Value::from).unwrap_or(Value::Null),
                "the expected total differs from the body length the server announced",
            ));
        }
    }
}

fn less(a: Option<f64>, b: Option<f64>) -> bool {
    matches!((a, b), (Some(a), Some(b)) if a < b)
}

fn describe(p: &ProgressPoint) -> Value {
    serde_json::json!({"progress": p.progress, "done": p.done, "total": p.total})
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn p(progress: f64, done: f64, total: f64) -> ProgressPoint {
        ProgressPoint {
            progress: Some(progress),
            done: Some(done),
            total: Some(total),
        }
    }

    #[test]
    fn range_bounds_percent_and_bytes() {
        assert!(range(&[p(0.0, 0.0, 10.0), p(100.0, 10.0, 10.0)], None).is_none());
        assert!(range(&[p(100.5, 10.0, 10.0)], None).is_some());
        assert!(range(&[p(-1.0, 0.0, 10.0)], None).is_some());
        assert!(range(&[p(50.0, 11.0, 10.0)], None).is_some());
        assert!(range(&[p(0.0, -1.0, 0.0)], None).is_some());
        // An unknown total (0, -1) bounds nothing.
        assert!(range(&[p(0.0, 11.0, 0.0), p(0.0, 12.0, -1.0)], None).is_none());
    }

    #[test]
    fn last_event_agrees_with_total_and_body() {
        assert!(last_agrees(&p(100.0, 10.0, 10.0), Some(10), None).is_none());
        assert!(last_agrees(&p(99.0, 10.0, 10.0), Some(10), None).is_some());
        assert!(last_agrees(&p(100.0, 9.0, 10.0), None, None).is_some());
        assert!(last_agrees(&p(100.0, 10.0, 10.0), Some(12), None).is_some());
        // An unknown total leaves the percent open, not the byte count.
        assert!(last_agrees(&p(0.0, 12.0, 0.0), Some(12), None).is_none());
        assert!(last_agrees(&p(0.0, 11.0, 0.0), Some(12), None).is_some());
    }

    #[test]
    fn body_sent_needs_one_completed_count() {
        let journal = |sent: &[(u16, u64, ConnectionEnd)]| -> CaseJournal {
            serde_json::from_value(json!({
                "requests": sent.iter().map(|(status, bytes, end)| json!({
                    "method": "GET", "path": "/", "listener": "https", "version": "HTTP/1.1",
                    "headers": [], "status": status, "body_len": null, "body_sha256": null,
                    "bytes_sent": bytes, "end": end, "upload": null, "at_ms": 0, "duration_ms": 0
                })).collect::<Vec<_>>(),
                "connections": 1, "max_in_flight": 1, "dropped": 0
            }))
            .expect("journal parses")
        };
        use ConnectionEnd::*;
        assert_eq!(
            body_sent(&journal(&[(302, 0, Complete), (200, 7, Complete)])),
            Some(7)
        );
        assert_eq!(
            body_sent(&journal(&[(200, 7, Complete), (200, 8, Complete)])),
            None
        );
        assert_eq!(body_sent(&journal(&[(200, 3, ServerReset)])), None);
    }
}
