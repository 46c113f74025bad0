//! Each check family against hand-built observations: one passing baseline, and for every
//! check an observation that makes it fail.

use dlconform::check::{CheckInput, run_all};
use dlconform::observation::{CallEnd, CallObservation, FileRecord, Observation, TimedEvent};
use dlconform::protocol::EventKind;
use dlconform::runner::templates::Templates;
use dlconform::spec::model::{Expect, Platform, ResultShapes};
use dlconform::verdict::CheckFailure;
use mock_server::{CaseJournal, ConnectionEnd, RequestRecord, UploadRecord};
use serde_json::{Value, json};

const BODY_SHA: &str = "aa";

fn shapes() -> ResultShapes {
    serde_json::from_value(json!({
        "success": [
            {"name": "tempFilePath", "type": "string", "source": "doc"},
            {"name": "statusCode", "type": "number", "source": "doc"},
            {"name": "filePath", "type": "string", "when": "filePath given", "source": "doc"},
            {"name": "profile", "type": "object", "since": "9.0.0", "source": "doc"},
            {"name": "dataLength", "type": "number", "unsupported_on": ["wechat"], "source": "doc"}
        ],
        "fail": [
            {"name": "errMsg", "type": "string", "source": "doc"},
            {"name": "errno", "type": "number", "source": "doc"}
        ],
        "errno_field": "errno",
        "err_msg_field": "errMsg",
        "fail_msg_prefix": "downloadFile:fail"
    }))
    .expect("shapes parse")
}

fn expect(value: Value) -> Expect {
    serde_json::from_value(value).expect("expect parses")
}

fn templates() -> Templates {
    Templates {
        url: "https://127.0.0.1:1/c/k/a.bin".into(),
        origin: "https://127.0.0.1:1".into(),
        base: "https://127.0.0.1:1/c/k".into(),
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
    let shapes = shapes();
    let templates = templates();
    let input = CheckInput {
        expect,
        result: &shapes,
        platform: Platform::Wechat,
        sdk_version: "2.10.0",
        templates: &templates,
        args,
        observation: obs,
    };
    run_all(&input)
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
fn check_fields_type_required_unsupported() {
    let want = expect(json!({"outcome": "success"}));
    let mut obs = good_observation();
    obs.files.clear();
    let data = json!({"tempFilePath": "wxfile://tmp/a.bin", "statusCode": "200", "dataLength": 10});
    obs.calls[0].events[3].data = data.clone();
    obs.calls[0].events[4].data = data;
    let failures = run(&want, &obs);
    assert_fails(&failures, "fields.type");
    assert_fails(&failures, "fields.unsupported");
    // `filePath` (conditional) and `profile` (newer version) are not required.
    assert!(
        !failures.iter().any(|f| f.check == "fields.required"),
        "{:?}",
        names(&failures)
    );
    let missing = json!({"statusCode": 200});
    obs.calls[0].events[3].data = missing.clone();
    obs.calls[0].events[4].data = missing;
    assert_fails(&run(&want, &obs), "fields.required");
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
