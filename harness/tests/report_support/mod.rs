//! A small hand-built run for the report tests: one case of each status, with an observation
//! (events, progress, server requests, files) where the case ran.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;

use dlconform::observation::{CallEnd, CallObservation, FileRecord, Observation, TimedEvent};
use dlconform::protocol::{Component, EventKind};
use dlconform::results::{
    CandidateInfo, CaseResult, RESULTS_FORMAT, RunInfo, RunResults, SelectionInfo, SpecFileInfo,
    Summary,
};
use dlconform::spec::model::Tier;
use dlconform::verdict::{CheckFailure, NotApplicable, Status};
use mock_server::control::journal::{CaseJournal, ConnectionEnd, RequestRecord};
use serde_json::json;

/// A run of the candidate `name version` over `cases`, summary counted.
pub fn run_of(name: &str, version: &str, cases: Vec<CaseResult>) -> RunResults {
    let mut platforms: Vec<String> = Vec::new();
    for case in &cases {
        if !platforms.contains(&case.platform) {
            platforms.push(case.platform.clone());
        }
    }
    RunResults {
        format: RESULTS_FORMAT,
        run: RunInfo {
            id: "20250101T120000Z".to_string(),
            harness_version: "0.1.0".to_string(),
            protocol: 1,
            candidate: CandidateInfo {
                spec: format!("cmd:{name}"),
                name: name.to_string(),
                version: version.to_string(),
                platforms: platforms.clone(),
                apis: vec!["downloadFile".to_string(), "uploadFile".to_string()],
                starts: 1,
                lacks: Vec::new(),
                library: None,
                runtime: None,
            },
            spec_files: vec![SpecFileInfo {
                path: "specs/douyin.yaml".to_string(),
                sha256: "ab".repeat(32),
                platform: "douyin".to_string(),
            }],
            platforms,
            selection: SelectionInfo::default(),
            partition: None,
            jobs: 4,
            started_at: "2025-01-01T12:00:00Z".to_string(),
            finished_at: "2025-01-01T12:00:09Z".to_string(),
            command_line: vec!["dlconform".to_string(), "run".to_string()],
            interrupted: None,
        },
        summary: Summary::of(&cases),
        defects: dlconform::defects::group(&cases, |_| None),
        cases,
        stale: Vec::new(),
    }
}

/// A case result with no observation.
pub fn case(id: &str, tier: Tier, expected: Status, status: Status) -> CaseResult {
    let platform = id.split('/').next().unwrap_or_default().to_string();
    let api = if id.contains("/upload/") {
        "uploadFile"
    } else {
        "downloadFile"
    };
    CaseResult {
        id: id.to_string(),
        platform,
        api: api.to_string(),
        tier,
        summary: format!("what {id} checks"),
        source: "douyin#intro".to_string(),
        source_url: Some("https://example.invalid/docs/douyin?a=1&b=2".to_string()),
        spec: "specs/douyin.yaml".to_string(),
        expected,
        status,
        reason: None,
        judged: Vec::new(),
        failures: Vec::new(),
        not_applicable: Vec::new(),
        unexplained: Vec::new(),
        decided_by: None,
        observation: None,
        duration_ms: 120,
        attempts: Vec::new(),
    }
}

fn event(at_ms: u64, event: EventKind, data: serde_json::Value) -> TimedEvent {
    TimedEvent::new(at_ms, event, data)
}

/// An observed download of `size` bytes with four progress events.
pub fn download_observation(case_id: &str, size: u64, success: bool) -> Observation {
    let mut events = vec![event(
        10,
        EventKind::HeadersReceived,
        json!({"header": {"Content-Length": size.to_string()}}),
    )];
    for (i, at) in [20u64, 35, 60, 80].iter().enumerate() {
        let written = size * (i as u64 + 1) / 4;
        events.push(event(
            *at,
            EventKind::Progress,
            json!({"progress": written * 100 / size.max(1), "totalBytesWritten": written, "totalBytesExpectedToWrite": size}),
        ));
    }
    let end = if success {
        json!({"tempFilePath": "ttfile://temp/a.bin", "statusCode": 200})
    } else {
        json!({"errMsg": "downloadFile:fail ssl error", "errNo": 10202})
    };
    let kind = if success {
        EventKind::Success
    } else {
        EventKind::Fail
    };
    events.push(event(90, kind, end.clone()));
    events.push(event(90, EventKind::Complete, end));
    Observation {
        calls: vec![CallObservation {
            call: format!("0000-{}.0", case_id.replace('/', ".")),
            events,
            end: CallEnd::Completed,
            duration_ms: 90,
            timed_from: Default::default(),
            started_ms: None,
            threw: Vec::new(),
            actions: Vec::new(),
        }],
        files: if success {
            vec![FileRecord {
                path: "temp/a.bin".to_string(),
                size,
                sha256: "cd".repeat(32),
                inside: true,
                preexisting: false,
            }]
        } else {
            Vec::new()
        },
        server: CaseJournal {
            requests: vec![RequestRecord {
                method: "GET".to_string(),
                path: format!("/c/{case_id}/a.bin"),
                listener: "https".to_string(),
                version: "HTTP/1.1".to_string(),
                headers: vec![
                    ("host".to_string(), "127.0.0.1:4443".to_string()),
                    ("user-agent".to_string(), "fixture".to_string()),
                ],
                status: 200,
                body_len: Some(size),
                body_sha256: Some("cd".repeat(32)),
                bytes_sent: size,
                end: ConnectionEnd::Complete,
                upload: None,
                at_ms: 5,
                duration_ms: 70,
            }],
            preflights: Vec::new(),
            connections: 1,
            max_in_flight: 1,
            dropped: 0,
        },
        url: format!("https://127.0.0.1:4443/c/{case_id}/a.bin"),
        log: String::new(),
    }
}

/// One case of each status; 5 are JUnit failures (TIMEOUT, FAIL, CRASH, ERROR, XPASS),
/// 2 skipped (SKIP, UNSUPPORTED), 2 pass (PASS, XFAIL).
pub fn sample_cases() -> Vec<CaseResult> {
    let mut pass = case(
        "douyin/download/ok/temp-file",
        Tier::Required,
        Status::Pass,
        Status::Pass,
    );
    pass.observation = Some(download_observation(
        "douyin/download/ok/temp-file",
        65536,
        true,
    ));

    let mut timeout = case(
        "douyin/download/timeout/headers-late",
        Tier::Required,
        Status::Pass,
        Status::Timeout,
    );
    timeout.reason = Some("no complete within 5000 ms".to_string());

    let mut fail = case(
        "douyin/download/tls/self-signed",
        Tier::Required,
        Status::Pass,
        Status::Fail,
    );
    fail.failures = vec![
        CheckFailure {
            check: "errno".to_string(),
            call: None,
            expected: json!(10202),
            actual: json!(10200),
            message: "errNo is 10200, expected 10202".to_string(),
            tier: Tier::Required,
            known: None,
        },
        CheckFailure {
            check: "errMsg".to_string(),
            call: Some(0),
            expected: json!({"contains": "ssl error"}),
            actual: json!(
                "downloadFile:fail certificate verify failed: self signed certificate in certificate chain (a long message that does not fit on one line)"
            ),
            message: "errMsg does not match".to_string(),
            tier: Tier::Recommended,
            known: None,
        },
    ];
    // One check failing on every progress event: reports show it once, with its count.
    fail.failures.extend((1..=3).map(|i| CheckFailure {
        check: "progress.finite".to_string(),
        call: None,
        expected: json!("a finite number"),
        actual: json!({"$nonFinite": "NaN"}),
        message: format!("progress[{i}].progress is not a finite number"),
        tier: Tier::Required,
        known: None,
    }));
    fail.observation = Some(download_observation(
        "douyin/download/tls/self-signed",
        4096,
        false,
    ));

    let mut crash = case(
        "wechat/download/abort/before-headers",
        Tier::Required,
        Status::Pass,
        Status::Crash,
    );
    crash.reason = Some("candidate exited with status 134".to_string());

    let mut error = case(
        "wechat/download/params/bad-url",
        Tier::Recommended,
        Status::Pass,
        Status::Error,
    );
    error.reason = Some("protocol violation: not JSON".to_string());
    // Markup in data must stay text, in the page and around the embedded JSON.
    error.summary =
        "a summary with </script><b id=\"injected\">markup</b> & <!-- a comment".to_string();

    let xpass = case(
        "wechat/download/size/over-max",
        Tier::Recommended,
        Status::Fail,
        Status::Xpass,
    );
    let mut xfail = case(
        "wechat/download/header/referer",
        Tier::Recommended,
        Status::Xfail,
        Status::Xfail,
    );
    xfail.reason = Some("known bug: https://example.invalid/bugs/12".to_string());

    let mut skip = case(
        "baidu/download/timeout/headers-late",
        Tier::Recommended,
        Status::Skip,
        Status::Skip,
    );
    skip.reason = Some("no timeout parameter is documented".to_string());
    let mut unsupported = case(
        "baidu/upload/ok/basic",
        Tier::Recommended,
        Status::Unsupported,
        Status::Unsupported,
    );
    unsupported.reason = Some("uploadFile is not implemented".to_string());

    vec![
        pass,
        timeout,
        fail,
        crash,
        error,
        xpass,
        xfail,
        skip,
        unsupported,
    ]
}

/// The sample run of candidate `fixture 1.0.0`.
pub fn sample_run() -> RunResults {
    run_of("fixture", "1.0.0", sample_cases())
}

/// Statuses counted per name.
pub fn counts(run: &RunResults) -> BTreeMap<String, usize> {
    run.summary.by_status.clone()
}

/// Write `run` as results.json in `dir`; returns its path.
pub fn write_run(run: &RunResults, dir: &Path) -> std::path::PathBuf {
    run.write_to(dir).expect("results.json written")
}

/// A run of `lacking 0.1.0`, a candidate that declared `files` and `host-events` missing, with
/// its library and runtime: one case `N/A`, one PASS with a not-applicable file check, one FAIL.
pub fn lacking_run() -> RunResults {
    let na = |check: &str, capability: &str, reason: &str| NotApplicable {
        check: check.to_string(),
        capability: capability.to_string(),
        reason: reason.to_string(),
    };
    let mut skipped = case(
        "wechat/download/offline/mid-body",
        Tier::Required,
        Status::Pass,
        Status::NotApplicable,
    );
    skipped.reason = Some("not applicable: the candidate lacks `host-events`".to_string());
    skipped.not_applicable = vec![na("case", "host-events", "the case injects `offline`")];
    let mut partly = case(
        "wechat/download/success/temp-file",
        Tier::Required,
        Status::Pass,
        Status::Pass,
    );
    partly.observation = Some(download_observation(&partly.id, 65536, true));
    partly.not_applicable = vec![na(
        "file.matches-body",
        "files",
        "needs a file written to a platform path; the candidate lacks `files`",
    )];
    let mut failed = case(
        "wechat/download/status/404",
        Tier::Required,
        Status::Pass,
        Status::Fail,
    );
    failed.failures = vec![CheckFailure {
        check: "shape.type".to_string(),
        call: None,
        expected: json!("number"),
        actual: json!("string"),
        message: "statusCode has the wrong type".to_string(),
        tier: Tier::Required,
        known: None,
    }];
    let mut run = run_of("lacking", "0.1.0", vec![skipped, partly, failed]);
    let candidate = &mut run.run.candidate;
    candidate.lacks = vec!["files".to_string(), "host-events".to_string()];
    candidate.library = Some(Component {
        name: "fixture-lib".to_string(),
        version: "1.2.3".to_string(),
    });
    candidate.runtime = Some(Component {
        name: "chromium".to_string(),
        version: "131.0".to_string(),
    });
    run
}
