//! Each check family against hand-built observations: one passing baseline, and for every
//! check an observation that makes it fail.

use dlconform::check::off::OFF_MARGIN_MS;
use dlconform::check::{CheckInput, Verdicts, run_all, tier};
use dlconform::observation::{
    CallEnd, CallObservation, FileRecord, Observation, SentAction, TimedEvent,
};
use dlconform::protocol::{EventKind, TaskEvent};
use dlconform::runner::templates::Templates;
use dlconform::spec::model::{
    ActionKind, Expect, Paths, Platform, ResultShapes, Source, TaskSpec, Tier,
};
use dlconform::verdict::CheckFailure;
use mock_server::{CaseJournal, ConnectionEnd, RequestRecord, UploadRecord};
use serde_json::{Value, json};
use std::collections::BTreeMap;

const BODY_SHA: &str = "aa";

fn shapes() -> ResultShapes {
    serde_json::from_value(json!({
        "success": [
            {"name": "tempFilePath", "type": "string", "source": "doc"},
            {"name": "statusCode", "type": "number", "always": {"source": "doc"}, "source": "doc"},
            {"name": "filePath", "type": "string", "when": "filePath given", "source": "doc"},
            {"name": "profile", "type": "object", "since": "9.0.0", "source": "doc"},
            {"name": "dataLength", "type": "number", "unsupported_on": ["wechat"], "source": "doc"}
        ],
        "fail": [
            {"name": "errMsg", "type": "string", "always": {"source": "doc"}, "source": "doc"},
            {"name": "errno", "type": "number", "source": "doc"}
        ],
        "errno_field": "errno",
        "err_msg_field": "errMsg",
        "fail_msg_prefix": "downloadFile:fail",
        "msg_source": "doc"
    }))
    .expect("shapes parse")
}

fn task() -> TaskSpec {
    serde_json::from_value(json!({
        "name": "DownloadTask",
        "methods": [],
        "progress_fields": [
            {"name": "progress", "type": "number", "always": {"source": "doc"}, "source": "doc"},
            {"name": "totalBytesWritten", "type": "number", "always": {"source": "doc"}, "source": "doc"},
            {"name": "totalBytesExpectedToWrite", "type": "number", "source": "doc"}
        ],
        "headers_received_fields": [{"name": "header", "type": "object", "source": "doc"}]
    }))
    .expect("task parses")
}

/// The sources the fixtures cite: `doc` a platform document, `forum` a community text,
/// `guess` an assumption; and the path prefixes, from `paths_source`.
fn provenance(paths_source: &str) -> (BTreeMap<String, Source>, Paths) {
    let sources = serde_json::from_value(json!({
        "doc": {"title": "the platform's page"},
        "forum": {"title": "a forum answer", "kind": "community"},
        "guess": {"title": "what the spec assumes", "kind": "assumption"}
    }))
    .expect("sources parse");
    let paths = serde_json::from_value(json!({
        "temp": "wxfile://tmp/", "user": "wxfile://usr/", "source": paths_source
    }))
    .expect("paths parse");
    (sources, paths)
}

fn expect(value: Value) -> Expect {
    serde_json::from_value(value).expect("expect parses")
}

fn templates() -> Templates {
    Templates {
        url: "https://127.0.0.1:1/c/k/a.bin".into(),
        origin: "https://127.0.0.1:1".into(),
        base: "https://127.0.0.1:1/c/k".into(),
        case_origin: "https://127.0.0.1:2".into(),
        temp: "wxfile://tmp/".into(),
        user: "wxfile://usr/".into(),
    }
}

fn event(at_ms: u64, event: EventKind, data: Value) -> TimedEvent {
    TimedEvent::new(at_ms, event, data)
}

fn success_data() -> Value {
    json!({"tempFilePath": "wxfile://tmp/a.bin", "statusCode": 200, "errMsg": "downloadFile:ok"})
}

fn progress(done: u64, total: u64) -> TimedEvent {
    event(
        5,
        EventKind::Progress,
        json!({"progress": done * 100 / total, "totalBytesWritten": done, "totalBytesExpectedToWrite": total}),
    )
}

fn request() -> RequestRecord {
    RequestRecord {
        method: "GET".into(),
        path: "/c/k/a.bin".into(),
        listener: "https".into(),
        version: "HTTP/1.1".into(),
        headers: vec![
            ("user-agent".into(), "test".into()),
            ("x-token".into(), "t1".into()),
        ],
        status: 200,
        body_len: Some(10),
        body_sha256: Some(BODY_SHA.into()),
        bytes_sent: 10,
        end: ConnectionEnd::Complete,
        upload: None,
        at_ms: 0,
        duration_ms: 1,
    }
}

/// A successful download of 10 bytes into temp, with progress and headers.
fn good_observation() -> Observation {
    Observation {
        calls: vec![CallObservation {
            call: "c.0".into(),
            events: vec![
                event(2, EventKind::HeadersReceived, json!({"header": {}})),
                progress(5, 10),
                progress(10, 10),
                event(20, EventKind::Success, success_data()),
                event(20, EventKind::Complete, success_data()),
            ],
            end: CallEnd::Completed,
            duration_ms: 20,
            timed_from: Default::default(),
            started_ms: None,
            threw: Vec::new(),
            actions: Vec::new(),
        }],
        files: vec![FileRecord {
            path: "temp/a.bin".into(),
            size: 10,
            sha256: BODY_SHA.into(),
            inside: true,
            preexisting: false,
        }],
        server: CaseJournal {
            requests: vec![request()],
            preflights: Vec::new(),
            connections: 1,
            max_in_flight: 1,
            dropped: 0,
        },
        url: "https://127.0.0.1:1/c/k/a.bin".into(),
        log: String::new(),
    }
}

fn full_success_expect() -> Expect {
    expect(json!({
        "outcome": "success",
        "fields": {"statusCode": {"type": "number", "equals": 200}, "tempFilePath": {"prefix": "{{temp}}"}},
        "file": {"written": true, "matches_body": true, "size": 10},
        "progress": {"required": true, "monotonic": true, "reaches_100": true, "totals_match": true},
        "headers_received": true,
        "timing": {"max_ms": 1000},
        "server": {"requests": 1, "method": "GET", "headers_present": ["user-agent"], "headers_absent": ["referer"],
                   "headers_equal": {"x-token": "t1"}, "headers_not_equal": {"x-token": "bad"}, "max_in_flight": 1}
    }))
}

fn run(expect: &Expect, obs: &Observation) -> Vec<CheckFailure> {
    run_with_args(expect, obs, &json!({}))
}

fn run_with_args(expect: &Expect, obs: &Observation, args: &Value) -> Vec<CheckFailure> {
    verdicts_with_args(expect, obs, args).into_parts().1
}

fn verdicts(expect: &Expect, obs: &Observation) -> Verdicts {
    verdicts_with_args(expect, obs, &json!({}))
}

fn verdicts_with_args(expect: &Expect, obs: &Observation, args: &Value) -> Verdicts {
    judge(&shapes(), expect, obs, args, &[]).0
}

/// Run every family on `obs` as a wechat call with `shapes`, for a candidate lacking `lacks`:
/// the verdicts (the judged invariant checked) and the ids of the checks made not applicable.
fn judge(
    shapes: &ResultShapes,
    expect: &Expect,
    obs: &Observation,
    args: &Value,
    lacks: &[dlconform::protocol::Capability],
) -> (Verdicts, Vec<String>) {
    let task = task();
    let templates = templates();
    let (sources, paths) = provenance("doc");
    let input = CheckInput {
        expect,
        result: shapes,
        task: Some(&task),
        sources: &sources,
        paths: &paths,
        platform: Platform::Wechat,
        sdk_version: "2.10.0",
        templates: &templates,
        args,
        observation: obs,
    };
    let (verdicts, not_applicable) =
        dlconform::check::applicable::split(&input, run_all(&input), lacks);
    assert_judged_invariant(&verdicts);
    (
        verdicts,
        not_applicable.into_iter().map(|n| n.check).collect(),
    )
}

/// Every failure's check is judged, and each judged id is there once.
fn assert_judged_invariant(verdicts: &Verdicts) {
    let judged = verdicts.judged();
    for failure in verdicts.failures() {
        assert!(
            judged.contains(&failure.check),
            "{} failed but is not judged: {judged:?}",
            failure.check
        );
    }
    for (i, id) in judged.iter().enumerate() {
        assert!(!judged[..i].contains(id), "{id} judged twice: {judged:?}");
    }
}

/// `check` was judged and held.
fn assert_held(verdicts: &Verdicts, check: &str) {
    assert!(
        verdicts.judged().iter().any(|j| j == check),
        "{check} not judged: {:?}",
        verdicts.judged()
    );
    assert!(
        !verdicts.failures().iter().any(|f| f.check == check),
        "{check} failed: {:?}",
        names(verdicts.failures())
    );
}

/// `check` was judged and failed.
fn assert_judged_failed(verdicts: &Verdicts, check: &str) {
    assert!(
        verdicts.judged().iter().any(|j| j == check),
        "{check} not judged: {:?}",
        verdicts.judged()
    );
    assert_fails(verdicts.failures(), check);
}

/// `check` was not judged at all.
fn assert_not_judged(verdicts: &Verdicts, check: &str) {
    assert!(
        !verdicts.judged().iter().any(|j| j == check),
        "{check} judged: {:?}",
        verdicts.judged()
    );
}

fn names(failures: &[CheckFailure]) -> Vec<&str> {
    failures.iter().map(|f| f.check.as_str()).collect()
}

/// The failures must include `check` (and print what they were if not).
fn assert_fails(failures: &[CheckFailure], check: &str) {
    assert!(
        failures.iter().any(|f| f.check == check),
        "expected a failed {check} check, got {:?}",
        names(failures)
    );
}

#[test]
fn check_baseline_passes_every_family() {
    let failures = run(&full_success_expect(), &good_observation());
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn check_order_two_results() {
    let mut obs = good_observation();
    obs.calls[0].events.insert(
        3,
        event(
            19,
            EventKind::Fail,
            json!({"errMsg": "downloadFile:fail x", "errno": 1}),
        ),
    );
    assert_fails(&run(&full_success_expect(), &obs), "callback-order.result");
}

#[test]
fn check_order_missing_complete() {
    let mut obs = good_observation();
    obs.calls[0].events.pop();
    assert_fails(
        &run(&full_success_expect(), &obs),
        "callback-order.complete",
    );
}

#[test]
fn check_order_complete_before_result() {
    let mut obs = good_observation();
    obs.calls[0].events.swap(3, 4);
    assert_fails(
        &run(&full_success_expect(), &obs),
        "callback-order.complete-last",
    );
}

#[test]
fn check_order_event_after_complete() {
    let mut obs = good_observation();
    obs.calls[0].events.push(progress(10, 10));
    let failures = run(&full_success_expect(), &obs);
    assert_fails(&failures, "callback-order.after-complete");
}

#[test]
fn check_order_complete_data_differs() {
    let mut obs = good_observation();
    obs.calls[0].events[4].data = json!({"errMsg": "downloadFile:fail other"});
    assert_fails(
        &run(&full_success_expect(), &obs),
        "callback-order.complete-data",
    );
}

fn fail_observation(data: Value) -> Observation {
    let mut obs = good_observation();
    obs.calls[0].events = vec![
        event(3, EventKind::Fail, data.clone()),
        event(3, EventKind::Complete, data),
    ];
    obs.files.clear();
    obs
}

#[test]
fn check_outcome_wrong_callback() {
    let obs = fail_observation(json!({"errMsg": "downloadFile:fail x", "errno": 1}));
    let failures = run(&full_success_expect(), &obs);
    assert_fails(&failures, "outcome");
    assert_eq!(
        failures
            .iter()
            .find(|f| f.check == "outcome")
            .map(|f| f.actual.clone()),
        Some(json!("fail"))
    );
}

#[test]
fn check_errno_and_message() {
    let want = expect(
        json!({"outcome": "fail", "errno": 1001, "err_msg": {"prefix": "downloadFile:fail timeout"}}),
    );
    let right =
        fail_observation(json!({"errMsg": "downloadFile:fail timeout after 1s", "errno": 1001}));
    assert!(
        run(&want, &right).is_empty(),
        "{:?}",
        names(&run(&want, &right))
    );
    let wrong_code =
        fail_observation(json!({"errMsg": "downloadFile:fail timeout", "errno": 1002}));
    assert_fails(&run(&want, &wrong_code), "errno");
    let string_code =
        fail_observation(json!({"errMsg": "downloadFile:fail timeout", "errno": "1001"}));
    assert_fails(&run(&want, &string_code), "errno");
    let wrong_message =
        fail_observation(json!({"errMsg": "downloadFile:fail abort", "errno": 1001}));
    assert_fails(&run(&want, &wrong_message), "errMsg");
}

#[test]
fn check_message_prefix_of_platform() {
    let want = expect(json!({"outcome": "fail"}));
    let obs = fail_observation(json!({"errMsg": "request:fail", "errno": 1}));
    assert_fails(&run(&want, &obs), "errMsg.prefix");
}

#[test]
fn check_shape_type_missing_unsupported() {
    let want = expect(json!({"outcome": "success"}));
    let mut obs = good_observation();
    obs.files.clear();
    let data = json!({"tempFilePath": "wxfile://tmp/a.bin", "statusCode": "200", "dataLength": 10});
    obs.calls[0].events[3].data = data.clone();
    obs.calls[0].events[4].data = data;
    let failures = run(&want, &obs);
    assert_fails(&failures, "shape.type");
    assert_fails(&failures, "shape.unsupported");
    // `filePath` (conditional), `profile` (newer version) and `tempFilePath` (not promised) are
    // not required.
    assert!(
        !failures.iter().any(|f| f.check == "shape.missing"),
        "{:?}",
        names(&failures)
    );
    let missing = json!({"tempFilePath": "wxfile://tmp/a.bin"});
    obs.calls[0].events[3].data = missing.clone();
    obs.calls[0].events[4].data = missing;
    assert_fails(&run(&want, &obs), "shape.missing");
}

/// The failure of `check` in `failures`, which must be there.
fn find<'f>(failures: &'f [CheckFailure], check: &str) -> &'f CheckFailure {
    assert_fails(failures, check);
    failures
        .iter()
        .find(|f| f.check == check)
        .expect("asserted above")
}

#[test]
fn check_shape_header_as_string_names_path_and_types() {
    let mut obs = good_observation();
    obs.calls[0].events[0].data = json!({"header": "{\"content-length\":\"10\"}"});
    let failures = run(&full_success_expect(), &obs);
    let f = find(&failures, "shape.type");
    assert_eq!(f.expected, json!("headersReceived[0].header: object"));
    assert!(
        f.message
            .contains("headersReceived[0].header is string, expected object"),
        "{}",
        f.message
    );
}

#[test]
fn check_shape_progress_null_and_non_finite() {
    let mut obs = good_observation();
    obs.calls[0].events[1].data = json!({"progress": null, "totalBytesWritten": 5, "totalBytesExpectedToWrite": {"$number": "Infinity"}});
    let failures = run(&full_success_expect(), &obs);
    let null = find(&failures, "shape.type");
    assert_eq!(null.expected, json!("progress[0].progress: number"));
    assert_eq!(null.actual, json!("progress[0].progress: null"));
    let inf = find(&failures, "progress.finite");
    assert_eq!(
        inf.actual,
        json!("progress[0].totalBytesExpectedToWrite: non-finite number (Infinity)")
    );
    // The protocol form is a number, never reported as an object or as null.
    assert!(
        !failures.iter().any(|f| f.check == "shape.type"
            && f.actual.as_str().is_some_and(|a| a.contains("totalBytes")))
    );
}

#[test]
fn check_shape_non_finite_result_field() {
    let mut obs = good_observation();
    let data = json!({"tempFilePath": "wxfile://tmp/a.bin", "statusCode": {"$number": "NaN"}});
    obs.calls[0].events[3].data = data.clone();
    obs.calls[0].events[4].data = data;
    let f = run(&expect(json!({"outcome": "success"})), &obs);
    assert_eq!(
        find(&f, "shape.finite").actual,
        json!("success.statusCode: non-finite number (NaN)")
    );
}

#[test]
fn check_shape_missing_progress_field() {
    let mut obs = good_observation();
    obs.calls[0].events[1].data = json!({"totalBytesWritten": 5});
    let f = run(&full_success_expect(), &obs);
    assert!(
        find(&f, "shape.missing")
            .message
            .contains("progress[0].progress")
    );
}

#[test]
fn check_expected_fields() {
    let want = expect(json!({"outcome": "success", "fields": {
        "statusCode": {"equals": 201},
        "tempFilePath": {"prefix": "{{user}}"},
        "filePath": {"absent": false},
        "errMsg": {"type": "number"}
    }}));
    let failures = run(&want, &good_observation());
    for check in [
        "fields.statusCode",
        "fields.tempFilePath",
        "fields.filePath",
        "fields.errMsg",
    ] {
        assert_fails(&failures, check);
    }
}

#[test]
fn check_file_outside_always_fails() {
    let mut obs = good_observation();
    obs.files.push(FileRecord {
        path: "../escaped".into(),
        size: 1,
        sha256: "x".into(),
        inside: false,
        preexisting: false,
    });
    assert_fails(
        &run(&expect(json!({"outcome": "success"})), &obs),
        "file.outside",
    );
}

#[test]
fn check_file_body_mismatch_and_size() {
    let mut obs = good_observation();
    obs.files[0].sha256 = "bb".into();
    obs.files[0].size = 9;
    let failures = run(&full_success_expect(), &obs);
    assert_fails(&failures, "file.matches-body");
    assert_fails(&failures, "file.size");
}

#[test]
fn check_file_named_by_result_is_missing() {
    let mut obs = good_observation();
    obs.files[0].path = "temp/other.bin".into();
    assert_fails(&run(&full_success_expect(), &obs), "file.at");
}

#[test]
fn check_file_at_expected_path() {
    let want =
        expect(json!({"outcome": "success", "file": {"written": true, "at": "{{user}}a.bin"}}));
    assert_fails(&run(&want, &good_observation()), "file.at");
}

#[test]
fn check_file_not_written_expected() {
    let want = expect(json!({"outcome": "success", "file": {"written": false}}));
    assert_fails(&run(&want, &good_observation()), "file.written");
}

#[test]
fn check_file_left_after_failure() {
    let want = expect(json!({"outcome": "fail"}));
    let mut obs = fail_observation(json!({"errMsg": "downloadFile:fail x", "errno": 1}));
    assert!(run(&want, &obs).is_empty());
    obs.files.push(FileRecord {
        path: "temp/partial".into(),
        size: 3,
        sha256: "x".into(),
        inside: true,
        preexisting: false,
    });
    assert_fails(&run(&want, &obs), "file.none-after-fail");
}

#[test]
fn check_progress_required() {
    let mut obs = good_observation();
    obs.calls[0]
        .events
        .retain(|e| e.event != EventKind::Progress);
    assert_fails(&run(&full_success_expect(), &obs), "progress.required");
}

#[test]
fn check_progress_monotonic() {
    let mut obs = good_observation();
    obs.calls[0].events.swap(1, 2);
    assert_fails(&run(&full_success_expect(), &obs), "progress.monotonic");
}

#[test]
fn check_progress_reaches_100() {
    let mut obs = good_observation();
    obs.calls[0].events.remove(2);
    assert_fails(&run(&full_success_expect(), &obs), "progress.reaches-100");
}

#[test]
fn check_progress_totals_match() {
    let mut obs = good_observation();
    obs.server.requests[0].body_len = Some(11);
    assert_fails(&run(&full_success_expect(), &obs), "progress.totals-match");
}

#[test]
fn check_progress_range_percent_and_bytes() {
    let want = expect(json!({"outcome": "success"}));
    let mut obs = good_observation();
    obs.calls[0].events[1].data =
        json!({"progress": 150, "totalBytesWritten": 5, "totalBytesExpectedToWrite": 10});
    assert_fails(&run(&want, &obs), "progress.range");
    obs.calls[0].events[1].data =
        json!({"progress": 50, "totalBytesWritten": 12, "totalBytesExpectedToWrite": 10});
    assert_fails(&run(&want, &obs), "progress.range");
    // An unknown total (0 or -1) bounds nothing.
    obs.calls[0].events[1].data =
        json!({"progress": 0, "totalBytesWritten": 12, "totalBytesExpectedToWrite": -1});
    assert!(
        run(&want, &obs).is_empty(),
        "{:?}",
        names(&run(&want, &obs))
    );
}

#[test]
fn check_progress_last_agrees_with_body() {
    let want = expect(json!({"outcome": "success"}));
    let mut obs = good_observation();
    obs.server.requests[0].bytes_sent = 12;
    let f = run(&want, &obs);
    assert_eq!(find(&f, "progress.last").expected["done"], json!(12));
    let mut short = good_observation();
    short.calls[0].events.remove(2);
    assert_fails(&run(&want, &short), "progress.last");
    // The last event before success counts, not a late one after it.
    let mut late = good_observation();
    late.calls[0].events.push(progress(5, 10));
    assert!(!names(&run(&want, &late)).contains(&"progress.last"));
    // A failed call owes no final event.
    let mut failed = fail_observation(json!({"errMsg": "downloadFile:fail x", "errno": 1}));
    failed.calls[0].events.insert(0, progress(5, 10));
    assert!(run(&expect(json!({"outcome": "fail"})), &failed).is_empty());
}

#[test]
fn check_err_msg_reason() {
    let want = expect(json!({"outcome": "fail"}));
    for bare in [
        "downloadFile:fail",
        "downloadFile:fail undefined",
        "downloadFile:fail [object Object]",
    ] {
        let obs = fail_observation(json!({"errMsg": bare, "errno": 1}));
        let f = run(&want, &obs);
        assert_eq!(find(&f, "errMsg.reason").actual, json!(bare));
    }
    let obs =
        fail_observation(json!({"errMsg": "downloadFile:fail ssl hand shake error", "errno": 1}));
    assert!(run(&want, &obs).is_empty());
}

#[test]
fn check_headers_received() {
    let mut obs = good_observation();
    obs.calls[0].events.remove(0);
    assert_fails(&run(&full_success_expect(), &obs), "headers-received");
    let none = expect(json!({"outcome": "success", "headers_received": false}));
    assert_fails(&run(&none, &good_observation()), "headers-received");
}

#[test]
fn check_timing_bounds() {
    let mut obs = good_observation();
    obs.calls[0].duration_ms = 5000;
    assert_fails(&run(&full_success_expect(), &obs), "timing.max");
    let min = expect(json!({"outcome": "success", "timing": {"min_ms": 100}}));
    assert_fails(&run(&min, &good_observation()), "timing.min");
}

#[test]
fn check_timing_after_abort_counts_from_the_abort_sent() {
    let want = expect(json!({"outcome": "success", "timing": {"after_abort_ms": 1500}}));
    let mut obs = good_observation();
    obs.calls[0].duration_ms = 4000;
    obs.calls[0].actions = vec![SentAction {
        what: ActionKind::Abort,
        at_ms: 3000,
    }];
    // 4 s in all, but 1 s after the abort: a slow trigger is not the call's fault.
    assert!(
        !run(&want, &obs)
            .iter()
            .any(|f| f.check.starts_with("timing"))
    );
    obs.calls[0].actions[0].at_ms = 2000;
    assert_fails(&run(&want, &obs), "timing.after-abort");
}

/// A `started` stamped late (a busy harness) shortens what is measured from it: a lower bound
/// counts from the call message, an upper bound from `started`.
#[test]
fn check_timing_bounds_take_the_fair_end_of_a_late_started_mark() {
    let mut obs = good_observation();
    obs.calls[0].timed_from = dlconform::observation::TimedFrom::Started;
    obs.calls[0].started_ms = Some(190);
    obs.calls[0].duration_ms = 352;
    let min = expect(json!({"outcome": "success", "timing": {"min_ms": 400}}));
    assert!(
        !run(&min, &obs).iter().any(|f| f.check == "timing.min"),
        "352 ms after started is 542 ms after the call"
    );
    let min = expect(json!({"outcome": "success", "timing": {"min_ms": 600}}));
    assert_fails(&run(&min, &obs), "timing.min");
    let max = expect(json!({"outcome": "success", "timing": {"max_ms": 400}}));
    assert!(
        !run(&max, &obs).iter().any(|f| f.check == "timing.max"),
        "start-up before started is not API time"
    );
    obs.calls[0].duration_ms = 450;
    assert_fails(&run(&max, &obs), "timing.max");
}

#[test]
fn check_server_http_version() {
    let h2 = expect(json!({"outcome": "success", "server": {"http_version": "HTTP/2.0"}}));
    // The fixture's request is HTTP/1.1.
    assert_fails(&run(&h2, &good_observation()), "server.http-version");
    let h1 = expect(json!({"outcome": "success", "server": {"http_version": "HTTP/1.1"}}));
    assert!(run(&h1, &good_observation()).is_empty());
}

#[test]
fn check_server_requests_method_and_concurrency() {
    let mut obs = good_observation();
    obs.server.requests.push(RequestRecord {
        method: "POST".into(),
        ..request()
    });
    obs.server.max_in_flight = 2;
    let failures = run(&full_success_expect(), &obs);
    for check in ["server.requests", "server.method", "server.max-in-flight"] {
        assert_fails(&failures, check);
    }
    let min = expect(json!({"outcome": "success", "server": {"min_in_flight": 3}}));
    assert_fails(&run(&min, &obs), "server.min-in-flight");
}

#[test]
fn check_server_headers() {
    let mut obs = good_observation();
    obs.server.requests[0].headers = vec![
        ("referer".into(), "x".into()),
        ("x-token".into(), "bad".into()),
    ];
    let failures = run(&full_success_expect(), &obs);
    for check in [
        "server.headers-present",
        "server.headers-absent",
        "server.headers-equal",
        "server.headers-not-equal",
    ] {
        assert_fails(&failures, check);
    }
}

#[test]
fn check_server_upload() {
    let want = expect(json!({"outcome": "success", "server": {"upload": {
        "file_field": "file", "matches_file": true, "form_data": {"a": "1"}}}}));
    let mut obs = good_observation();
    obs.files = vec![FileRecord {
        path: "temp/up.bin".into(),
        size: 4,
        sha256: "cc".into(),
        inside: true,
        preexisting: true,
    }];
    let args = json!({"filePath": "wxfile://tmp/up.bin"});
    let record = UploadRecord {
        field_names: vec!["a".into(), "file".into()],
        file_field: Some("file".into()),
        file_name: Some("up.bin".into()),
        file_size: 4,
        file_sha256: Some("cc".into()),
        form_data: vec![("a".into(), "1".into())],
        bytes_read: 100,
    };
    obs.server.requests[0].upload = Some(record.clone());
    let good = run_with_args(&want, &obs, &args);
    assert!(good.is_empty(), "{:?}", names(&good));
    obs.server.requests[0].upload = Some(UploadRecord {
        file_field: Some("data".into()),
        file_sha256: Some("dd".into()),
        form_data: vec![("a".into(), "2".into())],
        ..record
    });
    let failures = run_with_args(&want, &obs, &args);
    for check in [
        "server.upload.file-field",
        "server.upload.matches-file",
        "server.upload.form-data",
    ] {
        assert_fails(&failures, check);
    }
    obs.server.requests[0].upload = None;
    assert_fails(&run_with_args(&want, &obs, &args), "server.upload");
}

#[test]
fn check_failures_name_the_call_when_several() {
    let mut obs = good_observation();
    let mut second = obs.calls[0].clone();
    second.call = "c.1".into();
    second.events.pop();
    obs.calls.push(second);
    let failures = run(&full_success_expect(), &obs);
    let order = failures
        .iter()
        .find(|f| f.check == "callback-order.complete");
    assert_eq!(order.and_then(|f| f.call), Some(1));
}

/// Success data that names no file path (as some candidates answer).
fn unnamed_success() -> Value {
    json!({"statusCode": 200, "errMsg": "downloadFile:ok"})
}

fn garbage(path: &str) -> FileRecord {
    FileRecord {
        path: path.into(),
        size: 3,
        sha256: "bad".into(),
        inside: true,
        preexisting: false,
    }
}

#[test]
fn check_file_several_unnamed_files_of_one_call_cannot_be_told_apart() {
    let mut obs = good_observation();
    obs.calls[0].events[3].data = unnamed_success();
    obs.calls[0].events[4].data = unnamed_success();
    obs.files = vec![garbage("temp/a.bin"), garbage("temp/b.bin")];
    let want =
        expect(json!({"outcome": "success", "file": {"written": true, "matches_body": true}}));
    assert_fails(&run(&want, &obs), "file.which");
}

#[test]
fn check_file_several_calls_without_paths_judge_every_new_file() {
    let mut obs = good_observation();
    let mut second = obs.calls[0].clone();
    second.call = "c.1".into();
    obs.calls.push(second);
    for call in &mut obs.calls {
        call.events[3].data = unnamed_success();
        call.events[4].data = unnamed_success();
    }
    let mut good = obs.files[0].clone();
    good.path = "temp/b.bin".into();
    obs.files.push(good);
    let want = expect(
        json!({"outcome": "success", "file": {"written": true, "matches_body": true, "size": 10}}),
    );
    let file_checks = |obs: &Observation| -> Vec<CheckFailure> {
        run(&want, obs)
            .into_iter()
            .filter(|f| f.check.starts_with("file."))
            .collect()
    };
    assert!(file_checks(&obs).is_empty(), "{:?}", file_checks(&obs));
    obs.files.push(garbage("temp/c.bin"));
    let failures = file_checks(&obs);
    assert_fails(&failures, "file.matches-body");
    assert_fails(&failures, "file.size");
    assert!(
        failures.iter().all(|f| f.message.contains("temp/c.bin")),
        "only the garbage file fails: {failures:#?}"
    );
}

#[test]
fn check_tiers_lower_only_the_listed_expectations() {
    use dlconform::check::tier::assign;
    use dlconform::spec::model::Tier;
    let want = expect(json!({
        "outcome": "fail", "errno": 1001, "err_msg": {"contains": "timeout"},
        "file": {"written": false}, "recommended": ["errno", "err_msg"]
    }));
    let mut obs = fail_observation(json!({"errMsg": "downloadFile:fail other", "errno": 1002}));
    let tiers = |failures: Vec<CheckFailure>| -> Vec<(String, Tier)> {
        assign(&want, Tier::Required, failures)
            .into_iter()
            .map(|f| (f.check, f.tier))
            .collect()
    };
    assert_eq!(
        tiers(run(&want, &obs)),
        vec![
            ("errno".to_string(), Tier::Recommended),
            ("errMsg".to_string(), Tier::Recommended)
        ]
    );
    // The certain part stays required: nothing written, and nothing outside the sandbox.
    obs.files = vec![garbage("temp/a.bin"), {
        let mut out = garbage("../escaped.bin");
        out.inside = false;
        out
    }];
    let got = tiers(run(&want, &obs));
    assert!(
        got.contains(&("file.written".to_string(), Tier::Required)),
        "{got:?}"
    );
    assert!(
        got.contains(&("file.outside".to_string(), Tier::Required)),
        "{got:?}"
    );
    // In a recommended case everything is recommended.
    let all: Vec<Tier> = assign(&want, Tier::Recommended, run(&want, &obs))
        .into_iter()
        .map(|f| f.tier)
        .collect();
    assert!(all.iter().all(|t| *t == Tier::Recommended), "{all:?}");
}

/// Judge `obs` for a candidate lacking `lacks`: (failed checks, not-applicable check ids).
fn run_lacking(
    expect: &Expect,
    obs: &Observation,
    lacks: &[dlconform::protocol::Capability],
) -> (Vec<CheckFailure>, Vec<String>) {
    let (verdicts, not_applicable) = judge(&shapes(), expect, obs, &json!({}), lacks);
    (verdicts.into_parts().1, not_applicable)
}

/// The good download as a browser gives it: a `blob:` URL and no file on disk.
fn blob_observation(temp_file_path: Value) -> Observation {
    let mut obs = good_observation();
    obs.files.clear();
    let data =
        json!({"tempFilePath": temp_file_path, "statusCode": 200, "errMsg": "downloadFile:ok"});
    for event in &mut obs.calls[0].events {
        if matches!(event.event, EventKind::Success | EventKind::Complete) {
            event.data = data.clone();
        }
    }
    obs
}

#[test]
fn check_lacking_files_takes_out_file_checks_and_path_values_only() {
    use dlconform::protocol::Capability;
    let expect = full_success_expect();
    let blob = blob_observation(json!("blob:http://localhost/1"));
    let (failures, not_applicable) = run_lacking(&expect, &blob, &[Capability::Files]);
    assert!(failures.is_empty(), "{:?}", names(&failures));
    assert!(
        not_applicable.contains(&"fields.tempFilePath".to_string()),
        "{not_applicable:?}"
    );
    assert!(
        not_applicable.iter().any(|c| c.starts_with("file.")),
        "{not_applicable:?}"
    );
    // Lacking another capability changes nothing about files: they fail as before.
    let (failures, not_applicable) = run_lacking(&expect, &blob, &[Capability::HostEvents]);
    assert_fails(&failures, "fields.tempFilePath");
    assert!(failures.iter().any(|f| f.check.starts_with("file.")));
    assert!(not_applicable.is_empty());
    // A tempFilePath of the wrong type still fails: only its prefix needs a platform path.
    let number = blob_observation(json!(7));
    let expect_typed = expect_with_typed_path();
    let (failures, _) = run_lacking(&expect_typed, &number, &[Capability::Files]);
    assert_fails(&failures, "fields.tempFilePath");
    // Files written outside the sandbox fail whatever the runtime lacks.
    let mut outside = blob_observation(json!("blob:http://localhost/1"));
    outside.files.push(FileRecord {
        path: "elsewhere/x.bin".into(),
        size: 1,
        sha256: BODY_SHA.into(),
        inside: false,
        preexisting: false,
    });
    let (failures, _) = run_lacking(&expect, &outside, &[Capability::Files]);
    assert_eq!(names(&failures), vec!["file.outside"]);
}

fn expect_with_typed_path() -> Expect {
    expect(json!({
        "outcome": "success",
        "fields": {"tempFilePath": {"type": "string", "prefix": "{{temp}}"}}
    }))
}

#[test]
fn check_task_threw_fails_and_is_recommended_for_an_undeclared_method() {
    use dlconform::observation::Threw;
    use dlconform::spec::model::Tier;
    let mut obs = good_observation();
    obs.calls[0].threw.push(Threw {
        method: "offProgressUpdate".into(),
        message: "TypeError: x is not a function".into(),
        at_ms: 3,
    });
    let expect = full_success_expect();
    let failures = run(&expect, &obs);
    assert_eq!(names(&failures), vec!["task.threw"]);
    assert!(
        failures[0]
            .message
            .contains("`offProgressUpdate` threw: TypeError")
    );
    // The fixture's task declares no methods: a recommended check, kept so by the tiers.
    let tiered = dlconform::check::tier::assign(&expect, Tier::Required, failures);
    assert_eq!(tiered[0].tier, Tier::Recommended);
}

#[test]
fn judged_baseline_records_every_family_and_only_what_applies() {
    let v = verdicts(&full_success_expect(), &good_observation());
    assert!(v.failures().is_empty(), "{:?}", names(v.failures()));
    for check in [
        "callback-order.result",
        "callback-order.complete",
        "callback-order.complete-last",
        "callback-order.after-complete",
        "callback-order.complete-data",
        "outcome",
        "shape.missing",
        "shape.finite",
        "shape.type",
        "shape.unsupported",
        "fields.statusCode",
        "fields.tempFilePath",
        "file.outside",
        "file.at",
        "file.size",
        "file.matches-body",
        "progress.range",
        "progress.last",
        "progress.finite",
        "progress.required",
        "progress.monotonic",
        "progress.reaches-100",
        "progress.totals-match",
        "headers-received",
        "timing.max",
        "server.requests",
        "server.method",
        "server.headers-present",
        "server.headers-absent",
        "server.headers-equal",
        "server.headers-not-equal",
        "server.max-in-flight",
        "task.threw",
    ] {
        assert_held(&v, check);
    }
    // What the case does not ask for, or what its success cannot show, is not judged.
    for check in [
        "errno",
        "errMsg",
        "errMsg.prefix",
        "errMsg.reason",
        "timing.min",
        "file.which",
        "file.none-after-fail",
        "server.min-in-flight",
        "server.upload",
    ] {
        assert_not_judged(&v, check);
    }
    // In the order first judged: callback order comes first, the task last.
    assert_eq!(
        v.judged().first().map(String::as_str),
        Some("callback-order.result")
    );
    assert_eq!(v.judged().last().map(String::as_str), Some("task.threw"));
}

#[test]
fn judged_order_held_and_failed() {
    assert_held(
        &verdicts(&full_success_expect(), &good_observation()),
        "callback-order.complete",
    );
    let mut obs = good_observation();
    obs.calls[0].events.pop();
    let v = verdicts(&full_success_expect(), &obs);
    assert_judged_failed(&v, "callback-order.complete");
    // Without a complete there is nothing to compare with the result.
    assert_not_judged(&v, "callback-order.complete-data");
}

#[test]
fn judged_outcome_held_and_failed() {
    let want = expect(
        json!({"outcome": "fail", "errno": 1001, "err_msg": {"prefix": "downloadFile:fail timeout"}}),
    );
    let right =
        fail_observation(json!({"errMsg": "downloadFile:fail timeout after 1s", "errno": 1001}));
    let v = verdicts(&want, &right);
    for check in [
        "outcome",
        "errno",
        "errMsg",
        "errMsg.prefix",
        "errMsg.reason",
    ] {
        assert_held(&v, check);
    }
    let wrong_code =
        fail_observation(json!({"errMsg": "downloadFile:fail timeout", "errno": 1002}));
    assert_judged_failed(&verdicts(&want, &wrong_code), "errno");
    let bare = fail_observation(json!({"errMsg": "downloadFile:fail", "errno": 1}));
    assert_judged_failed(
        &verdicts(&expect(json!({"outcome": "fail"})), &bare),
        "errMsg.reason",
    );
    // The wrong callback: the outcome fails, its code and message are not judged.
    let v = verdicts(&want, &good_observation());
    assert_judged_failed(&v, "outcome");
    assert_not_judged(&v, "errno");
    assert_not_judged(&v, "errMsg");
}

#[test]
fn judged_shape_held_and_failed() {
    let want = expect(json!({"outcome": "success"}));
    assert_held(&verdicts(&want, &good_observation()), "shape.type");
    let mut obs = good_observation();
    let data = json!({"tempFilePath": "wxfile://tmp/a.bin", "statusCode": "200", "dataLength": 10});
    obs.calls[0].events[3].data = data.clone();
    obs.calls[0].events[4].data = data;
    let v = verdicts(&want, &obs);
    assert_judged_failed(&v, "shape.type");
    assert_judged_failed(&v, "shape.unsupported");
}

#[test]
fn judged_fields_held_and_failed() {
    let want = |equals: u64| {
        expect(json!({"outcome": "success", "fields": {"statusCode": {"equals": equals}}}))
    };
    assert_held(
        &verdicts(&want(200), &good_observation()),
        "fields.statusCode",
    );
    assert_judged_failed(
        &verdicts(&want(201), &good_observation()),
        "fields.statusCode",
    );
}

#[test]
fn judged_file_held_and_failed() {
    assert_held(
        &verdicts(&full_success_expect(), &good_observation()),
        "file.size",
    );
    let mut obs = good_observation();
    obs.files[0].size = 9;
    assert_judged_failed(&verdicts(&full_success_expect(), &obs), "file.size");
    let want = expect(json!({"outcome": "fail"}));
    let mut failed = fail_observation(json!({"errMsg": "downloadFile:fail x", "errno": 1}));
    assert_held(&verdicts(&want, &failed), "file.none-after-fail");
    failed.files.push(FileRecord {
        path: "temp/partial".into(),
        size: 3,
        sha256: "x".into(),
        inside: true,
        preexisting: false,
    });
    assert_judged_failed(&verdicts(&want, &failed), "file.none-after-fail");
}

#[test]
fn judged_progress_held_and_failed() {
    assert_held(
        &verdicts(&full_success_expect(), &good_observation()),
        "progress.monotonic",
    );
    let mut obs = good_observation();
    obs.calls[0].events.swap(1, 2);
    assert_judged_failed(
        &verdicts(&full_success_expect(), &obs),
        "progress.monotonic",
    );
    // No progress event where one is required: the rest of expect.progress is not judged.
    let mut none = good_observation();
    none.calls[0]
        .events
        .retain(|e| e.event != EventKind::Progress);
    let v = verdicts(&full_success_expect(), &none);
    assert_judged_failed(&v, "progress.required");
    assert_not_judged(&v, "progress.monotonic");
    assert_not_judged(&v, "progress.range");
}

#[test]
fn judged_headers_received_held_and_failed() {
    assert_held(
        &verdicts(&full_success_expect(), &good_observation()),
        "headers-received",
    );
    let none = expect(json!({"outcome": "success", "headers_received": false}));
    assert_judged_failed(&verdicts(&none, &good_observation()), "headers-received");
}

#[test]
fn judged_timing_held_and_failed() {
    assert_held(
        &verdicts(&full_success_expect(), &good_observation()),
        "timing.max",
    );
    let mut obs = good_observation();
    obs.calls[0].duration_ms = 5000;
    assert_judged_failed(&verdicts(&full_success_expect(), &obs), "timing.max");
}

#[test]
fn judged_server_held_and_failed() {
    assert_held(
        &verdicts(&full_success_expect(), &good_observation()),
        "server.requests",
    );
    let mut obs = good_observation();
    obs.server.requests.push(request());
    assert_judged_failed(&verdicts(&full_success_expect(), &obs), "server.requests");
    let upload =
        expect(json!({"outcome": "success", "server": {"upload": {"file_field": "file"}}}));
    let v = verdicts(&upload, &good_observation());
    assert_judged_failed(&v, "server.upload");
    assert_not_judged(&v, "server.upload.file-field");
}

#[test]
fn judged_task_held_and_failed() {
    use dlconform::observation::Threw;
    assert_held(
        &verdicts(&full_success_expect(), &good_observation()),
        "task.threw",
    );
    let mut obs = good_observation();
    obs.calls[0].threw.push(Threw {
        method: "abort".into(),
        message: "TypeError".into(),
        at_ms: 3,
    });
    assert_judged_failed(&verdicts(&full_success_expect(), &obs), "task.threw");
}

#[test]
fn judged_leaves_out_what_a_lacking_candidate_cannot_show() {
    use dlconform::protocol::Capability;
    let expect = full_success_expect();
    let blob = blob_observation(json!("blob:http://localhost/1"));
    let (judged, not_applicable) = judged_lacking(&expect, &blob, &[Capability::Files]);
    for id in &not_applicable {
        assert!(
            !judged.contains(id),
            "{id} is not applicable and judged: {judged:?}"
        );
    }
    assert!(
        !judged
            .iter()
            .any(|j| j.starts_with("file.") && j != "file.outside"),
        "{judged:?}"
    );
    assert!(
        !judged.contains(&"fields.tempFilePath".to_string()),
        "{judged:?}"
    );
    assert!(judged.contains(&"file.outside".to_string()), "{judged:?}");
    assert!(
        judged.contains(&"fields.statusCode".to_string()),
        "{judged:?}"
    );
    // Lacking another capability leaves every judged check in.
    let (judged, _) = judged_lacking(&expect, &blob, &[Capability::HostEvents]);
    assert!(
        judged.contains(&"fields.tempFilePath".to_string()),
        "{judged:?}"
    );
    // A check that still fails stays judged: a path field of the wrong type.
    let number = blob_observation(json!(7));
    let (judged, _) = judged_lacking(&expect_with_typed_path(), &number, &[Capability::Files]);
    assert!(
        judged.contains(&"fields.tempFilePath".to_string()),
        "{judged:?}"
    );
}

/// Judge `obs` for a candidate lacking `lacks`: (judged check ids, not-applicable check ids).
fn judged_lacking(
    expect: &Expect,
    obs: &Observation,
    lacks: &[dlconform::protocol::Capability],
) -> (Vec<String>, Vec<String>) {
    let (verdicts, not_applicable) = judge(&shapes(), expect, obs, &json!({}), lacks);
    (verdicts.into_parts().0, not_applicable)
}

#[test]
fn check_shape_of_a_field_whose_documents_conflict_is_recommended_only() {
    let mut shapes = shapes();
    shapes.fail.push(
        serde_json::from_value(json!({
            "name": "statusCode", "type": "number", "always": {"source": "doc"},
            "recommended": "the table says number, the example a string", "source": "doc"
        }))
        .expect("field parses"),
    );
    let expect = expect(json!({"outcome": "fail"}));
    // statusCode as the example shows it (a string), and errMsg left out.
    let obs = fail_observation(json!({"statusCode": "0"}));
    let (verdicts, _) = judge(&shapes, &expect, &obs, &json!({}), &[]);
    let failures = dlconform::check::tier::assign(
        &expect,
        dlconform::spec::model::Tier::Required,
        verdicts.into_parts().1,
    );
    let tier_of = |check: &str| {
        failures
            .iter()
            .find(|f| f.check == check)
            .map(|f| f.tier)
            .unwrap_or_else(|| panic!("{check} did not fail: {failures:?}"))
    };
    assert_eq!(
        tier_of("shape.type"),
        dlconform::spec::model::Tier::Recommended
    );
    assert_eq!(
        tier_of("shape.missing"),
        dlconform::spec::model::Tier::Required
    );
}

#[test]
fn the_feishu_gadget_fail_status_code_is_recommended_by_its_conflict() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../specs/feishu-gadget.yaml"
    ))
    .expect("spec readable");
    let spec: dlconform::spec::model::Spec = serde_saphyr::from_str(&text).expect("spec parses");
    let field = spec
        .apis
        .values()
        .flat_map(|a| &a.result.fail)
        .find(|f| f.name == "statusCode");
    assert!(
        field.is_some_and(|f| f.recommended.is_some()),
        "the fail statusCode of feishu-gadget must carry `recommended`"
    );
}

/// The tier of every failed check after `tier::assign`, judged as a required case with the given
/// shapes, task and source of the path prefixes.
fn tiers(
    shapes: &ResultShapes,
    task: &TaskSpec,
    paths_source: &str,
    expect: &Expect,
    obs: &Observation,
) -> Vec<(String, Tier)> {
    let templates = templates();
    let (sources, paths) = provenance(paths_source);
    let input = CheckInput {
        expect,
        result: shapes,
        task: Some(task),
        sources: &sources,
        paths: &paths,
        platform: Platform::Wechat,
        sdk_version: "2.10.0",
        templates: &templates,
        args: &json!({}),
        observation: obs,
    };
    let failures = tier::assign(expect, Tier::Required, run_all(&input).into_parts().1);
    failures.into_iter().map(|f| (f.check, f.tier)).collect()
}

/// The tier `check` failed at (it must have failed).
fn tier_of(failed: &[(String, Tier)], check: &str) -> Tier {
    failed
        .iter()
        .find(|(c, _)| c == check)
        .map(|(_, t)| *t)
        .unwrap_or_else(|| panic!("{check} did not fail: {failed:?}"))
}

#[test]
fn a_field_typed_by_a_source_that_is_no_document_is_checked_at_recommended_tier() {
    let field = |source: &str, extra: Value| {
        let mut f = json!({"name": "statusCode", "type": "number", "always": {"source": "doc"}, "source": source});
        if let (Some(f), Value::Object(extra)) = (f.as_object_mut(), extra) {
            f.extend(extra);
        }
        f
    };
    let with_fail_field = |f: Value| {
        let mut shapes = shapes();
        shapes
            .fail
            .push(serde_json::from_value(f).expect("field parses"));
        shapes
    };
    let want = expect(json!({"outcome": "fail"}));
    let obs = fail_observation(json!({"errMsg": "downloadFile:fail x", "statusCode": "0"}));
    let task = task();
    for (source, tier) in [
        ("doc", Tier::Required),
        ("forum", Tier::Recommended),
        ("guess", Tier::Recommended),
        ("nowhere", Tier::Recommended),
    ] {
        let failed = tiers(
            &with_fail_field(field(source, json!({}))),
            &task,
            "doc",
            &want,
            &obs,
        );
        assert_eq!(tier_of(&failed, "shape.type"), tier, "type from {source}");
    }
    // A tier_reason keeps a community type required.
    let kept = field(
        "forum",
        json!({"tier_reason": "the forum quotes the vendor's changelog"}),
    );
    let failed = tiers(&with_fail_field(kept), &task, "doc", &want, &obs);
    assert_eq!(tier_of(&failed, "shape.type"), Tier::Required);
    // The promise takes its own source's tier: typed by the document, promised by a guess.
    let promised = json!({"name": "statusCode", "type": "number", "always": {"source": "guess"}, "source": "doc"});
    let obs = fail_observation(json!({"errMsg": "downloadFile:fail x"}));
    let failed = tiers(
        &with_fail_field(promised.clone()),
        &task,
        "doc",
        &want,
        &obs,
    );
    assert_eq!(tier_of(&failed, "shape.missing"), Tier::Recommended);
    let obs = fail_observation(json!({"errMsg": "downloadFile:fail x", "statusCode": "0"}));
    let failed = tiers(&with_fail_field(promised), &task, "doc", &want, &obs);
    assert_eq!(tier_of(&failed, "shape.type"), Tier::Required);
}

#[test]
fn the_message_checks_take_the_tier_of_the_message_forms_source() {
    let want = expect(json!({"outcome": "fail"}));
    let task = task();
    for (source, tier) in [
        (Some("doc"), Tier::Required),
        (Some("forum"), Tier::Recommended),
        (None, Tier::Recommended),
    ] {
        let mut shapes = shapes();
        shapes.msg_source = source.map(str::to_string);
        let obs = fail_observation(json!({"errMsg": "request:fail x"}));
        let failed = tiers(&shapes, &task, "doc", &want, &obs);
        assert_eq!(tier_of(&failed, "errMsg.prefix"), tier, "{source:?}");
        let obs = fail_observation(json!({"errMsg": "downloadFile:fail undefined"}));
        let failed = tiers(&shapes, &task, "doc", &want, &obs);
        assert_eq!(tier_of(&failed, "errMsg.reason"), tier, "{source:?}");
    }
    let mut shapes = shapes();
    shapes.msg_source = Some("forum".into());
    shapes.msg_tier_reason = Some("the vendor's own sample prints it".into());
    let obs = fail_observation(json!({"errMsg": "request:fail x"}));
    let failed = tiers(&shapes, &task, "doc", &want, &obs);
    assert_eq!(tier_of(&failed, "errMsg.prefix"), Tier::Required);
}

#[test]
fn progress_range_takes_the_lowest_tier_of_the_progress_fields() {
    let want = expect(json!({"outcome": "success"}));
    let mut obs = good_observation();
    obs.calls[0].events[1].data =
        json!({"progress": 150, "totalBytesWritten": 5, "totalBytesExpectedToWrite": 10});
    let failed = tiers(&shapes(), &task(), "doc", &want, &obs);
    assert_eq!(tier_of(&failed, "progress.range"), Tier::Required);
    let mut by_analogy = task();
    by_analogy.progress_fields[2].source = "guess".into();
    let failed = tiers(&shapes(), &by_analogy, "doc", &want, &obs);
    assert_eq!(tier_of(&failed, "progress.range"), Tier::Recommended);
}

#[test]
fn a_path_prefix_check_takes_the_tier_of_the_prefixes_source() {
    let want = expect(json!({
        "outcome": "success",
        "fields": {"tempFilePath": {"prefix": "{{temp}}"}, "statusCode": {"equals": 201}}
    }));
    let mut obs = good_observation();
    for e in &mut obs.calls[0].events {
        if matches!(e.event, EventKind::Success | EventKind::Complete) {
            e.data["tempFilePath"] = json!("http://tmp/a.bin");
        }
    }
    let task = task();
    let failed = tiers(&shapes(), &task, "doc", &want, &obs);
    assert_eq!(tier_of(&failed, "fields.tempFilePath"), Tier::Required);
    let failed = tiers(&shapes(), &task, "forum", &want, &obs);
    assert_eq!(tier_of(&failed, "fields.tempFilePath"), Tier::Recommended);
    // A check that does not name a platform path keeps the case's tier.
    assert_eq!(tier_of(&failed, "fields.statusCode"), Tier::Required);
}

/// The good observation with progress at `at_ms` and `offProgressUpdate` sent at `off_at_ms`.
fn off_progress_observation(off_at_ms: u64, progress_at_ms: &[u64]) -> Observation {
    let mut obs = good_observation();
    let call = &mut obs.calls[0];
    call.actions = vec![SentAction {
        what: ActionKind::Off(TaskEvent::Progress),
        at_ms: off_at_ms,
    }];
    call.events = progress_at_ms
        .iter()
        .map(|at| {
            let mut p = progress(5, 10);
            p.at_ms = *at;
            p
        })
        .chain([
            event(3000, EventKind::Success, success_data()),
            event(3000, EventKind::Complete, success_data()),
        ])
        .collect();
    obs
}

#[test]
fn check_off_progress_allows_events_in_flight_and_fails_later_ones() {
    let want = expect(json!({"outcome": "success"}));
    // Within the margin after the off: events already on their way.
    let in_flight = off_progress_observation(100, &[50, 100 + OFF_MARGIN_MS]);
    let v = verdicts(&want, &in_flight);
    assert_held(&v, "off.progress");
    // The last progress event is before the removal, not at 100: not a progress.last failure.
    assert_not_judged(&v, "progress.last");
    let later = off_progress_observation(100, &[50, 200, 100 + OFF_MARGIN_MS + 1, 2500]);
    let v = verdicts(&want, &later);
    assert_judged_failed(&v, "off.progress");
    let failure = find(v.failures(), "off.progress");
    assert_eq!(failure.actual["count_after"], json!(2));
    assert_eq!(
        failure.actual["first_at_ms"],
        json!(100 + OFF_MARGIN_MS + 1)
    );
    // A call sent no off: the check is not judged.
    assert_not_judged(&verdicts(&want, &good_observation()), "off.progress");
    assert_not_judged(&v, "off.headers-received");
}

#[test]
fn check_off_headers_received_names_its_own_check() {
    let want = expect(json!({"outcome": "success"}));
    let mut obs = good_observation();
    obs.calls[0].actions = vec![SentAction {
        what: ActionKind::OffAll(TaskEvent::HeadersReceived),
        at_ms: 0,
    }];
    // headersReceived at 2 ms: in flight.
    assert_held(&verdicts(&want, &obs), "off.headers-received");
    obs.calls[0].events[0].at_ms = OFF_MARGIN_MS + 500;
    let v = verdicts(&want, &obs);
    assert_judged_failed(&v, "off.headers-received");
    assert_held(&v, "progress.last");
}
