//! The call lifecycle: events after a case was judged are kept and judge it again, a watch
//! window sees a timer that fires after the call ended, timing counts from `started`, the
//! hello carries the run's values, and byte triggers fire on what the server wrote.

#[path = "../needs.rs"]
mod needs;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use dlconform::candidate::CandidateSpec;
use dlconform::observation::TimedFrom;
use dlconform::protocol::EventKind;
use dlconform::results::{CaseResult, RunResults};
use dlconform::runner::plan::Selection;
use dlconform::runner::report::Reporter;
use dlconform::runner::{RunOptions, run};
use dlconform::verdict::Status;

/// Remembers which cases were judged again.
#[derive(Default)]
struct Recording {
    rejudged: Mutex<Vec<String>>,
}

impl Reporter for Recording {
    fn start(&self, _total: usize) {}
    fn case_done(&self, _case: &CaseResult) {}
    fn case_rejudged(&self, case: &CaseResult) {
        if let Ok(mut r) = self.rejudged.lock() {
            r.push(case.id.clone());
        }
    }
    fn finish(&self) {}
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The fixtures' interpreter; each test that runs one names the `python3` need.
fn python() -> &'static str {
    "python3"
}

fn options(candidate: CandidateSpec, specs: PathBuf, cases: &[&str]) -> RunOptions {
    RunOptions {
        selection: Selection {
            cases: cases.iter().map(|c| c.to_string()).collect(),
            ..Selection::default()
        },
        jobs: 4,
        linger: Duration::from_millis(50),
        run_id: "test".into(),
        ..RunOptions::new(candidate, vec![specs])
    }
}

fn scripted(mode: &str, extra: &str, cases: &[&str]) -> RunOptions {
    let script = fixtures().join("candidates/lifecycle.py");
    options(
        CandidateSpec::Command(format!("{} {} {mode} {extra}", python(), script.display())),
        fixtures().join("specs/lifecycle.yaml"),
        cases,
    )
}

fn run_with(options: RunOptions) -> (RunResults, Vec<String>) {
    let reporter = Recording::default();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let results = runtime
        .block_on(run(options, &reporter))
        .expect("the run happens");
    let rejudged = reporter
        .rejudged
        .lock()
        .map(|r| r.clone())
        .unwrap_or_default();
    (results, rejudged)
}

fn case<'a>(results: &'a RunResults, id: &str) -> &'a CaseResult {
    results
        .cases
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no case {id}"))
}

fn checks(case: &CaseResult) -> Vec<&str> {
    case.failures.iter().map(|f| f.check.as_str()).collect()
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn events_after_judging_are_kept_and_the_case_is_judged_again() {
    needs::require(&["python3"]);
    let (results, rejudged) = run_with(scripted(
        "late-on-shutdown",
        "",
        &["wechat/download/quick", "wechat/download/timed"],
    ));
    assert_eq!(
        rejudged,
        vec![
            "wechat/download/quick".to_string(),
            "wechat/download/timed".to_string()
        ]
    );
    for id in ["wechat/download/quick", "wechat/download/timed"] {
        let case = case(&results, id);
        assert_eq!(case.status, Status::Fail, "{id}: {:?}", case.failures);
        assert!(
            checks(case).contains(&"callback-order.after-complete"),
            "{id}: {:?}",
            checks(case)
        );
        let events = &case.observation.as_ref().expect("observed").calls[0].events;
        let late: Vec<_> = events.iter().filter(|e| e.late).collect();
        assert_eq!(
            late.iter().map(|e| e.event).collect::<Vec<_>>(),
            vec![EventKind::Fail, EventKind::Complete],
            "{id}"
        );
        assert!(late.iter().all(|e| e.after_complete_ms.is_some()), "{id}");
        // What came in time is not marked late.
        assert!(events.iter().take(2).all(|e| !e.late), "{id}");
    }
    assert!(!results.summary.ok);
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn log_lines_after_judging_join_the_case_log_without_judging_it_again() {
    needs::require(&["python3"]);
    let (results, rejudged) = run_with(scripted("late-log", "", &["wechat/download/quick"]));
    assert!(rejudged.is_empty(), "{rejudged:?}");
    let case = case(&results, "wechat/download/quick");
    assert_eq!(case.status, Status::Pass, "{:?}", case.failures);
    let observation = case.observation.as_ref().expect("observed");
    let call = &observation.calls[0].call;
    let line = observation
        .log
        .lines()
        .find(|l| l.contains("said after complete"))
        .unwrap_or_else(|| panic!("the late log line is lost: {}", observation.log));
    assert!(
        line.starts_with(&format!("[{call}] [late, ")) && line.contains(" ms after complete]"),
        "{line}"
    );
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn a_watch_window_sees_a_timer_that_fires_after_the_call_ended() {
    needs::require(&["python3"]);
    let (results, rejudged) = run_with(scripted(
        "late-timer",
        "",
        &["wechat/download/watched", "wechat/download/quick"],
    ));
    let watched = case(&results, "wechat/download/watched");
    assert_eq!(watched.status, Status::Fail, "{:?}", watched.failures);
    assert!(checks(watched).contains(&"callback-order.after-complete"));
    let events = &watched.observation.as_ref().expect("observed").calls[0].events;
    let after: Vec<u64> = events.iter().filter_map(|e| e.after_complete_ms).collect();
    assert_eq!(after.len(), 2, "{events:?}");
    assert!(after.iter().all(|ms| *ms >= 600), "{after:?}");
    // Seen while the case ran: no judging again for it.
    assert!(events.iter().all(|e| !e.late));
    assert!(!rejudged.contains(&"wechat/download/watched".to_string()));
    assert!(watched.duration_ms >= 1500, "{}", watched.duration_ms);
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn timing_counts_from_started_and_the_hello_carries_the_run_values() {
    needs::require(&["python3"]);
    let dir = tempfile::tempdir().expect("temp dir");
    let hello_out = dir.path().join("hello.json");
    let (results, _) = run_with(RunOptions {
        // The hello file is the test's side channel, outside any sandbox.
        sandbox: dlconform::candidate::sandbox::SandboxMode::Off,
        ..scripted(
            "slow-start",
            &hello_out.display().to_string(),
            &["wechat/download/timed"],
        )
    });
    let timed = case(&results, "wechat/download/timed");
    assert_eq!(
        timed.status,
        Status::Pass,
        "{:?} {:?}",
        timed.reason,
        timed.failures
    );
    let call = &timed.observation.as_ref().expect("observed").calls[0];
    assert_eq!(call.timed_from, TimedFrom::Started);
    assert!(call.started_ms.is_some_and(|ms| ms >= 1200), "{call:?}");
    assert!(call.duration_ms < 800, "{}", call.duration_ms);

    let hello: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&hello_out).expect("hello written"))
            .expect("hello is JSON");
    assert_eq!(hello["type"], "hello");
    assert_eq!(hello["protocol"], 1);
    let ca = hello["caCert"].as_str().expect("caCert");
    assert!(ca.ends_with(".pem"), "{ca}");
    for listener in ["http", "https", "self-signed", "untrusted-ca"] {
        let origin = hello["origins"][listener].as_str().unwrap_or_default();
        assert!(origin.starts_with("http"), "{listener}: {hello}");
    }
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn started_twice_is_a_protocol_error() {
    needs::require(&["python3"]);
    let (results, _) = run_with(scripted("started-twice", "", &["wechat/download/quick"]));
    let quick = case(&results, "wechat/download/quick");
    assert_eq!(quick.status, Status::Error);
    let reason = quick.reason.clone().unwrap_or_default();
    assert!(
        reason.contains("`started` must come at most once"),
        "{reason}"
    );
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn a_trigger_that_never_fires_is_an_error_naming_it() {
    needs::require(&["python3"]);
    let (results, _) = run_with(scripted(
        "late-timer",
        "",
        &["wechat/download/abort-past-end"],
    ));
    let case = case(&results, "wechat/download/abort-past-end");
    assert_eq!(case.status, Status::Error);
    assert_eq!(
        case.reason.as_deref(),
        Some("trigger never fired: abort after 10000000 bytes (server sent 0)")
    );
}

#[test]
fn a_candidate_without_progress_events_still_gets_its_abort_after_n_bytes() {
    let specs = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(|p| p.join("specs"))
        .expect("workspace");
    let (results, _) = run_with(options(
        CandidateSpec::Builtin("mutant:no-progress".into()),
        specs,
        &[
            "douyin/download/abort/during-body",
            "wechat/download/abort/mid-body",
        ],
    ));
    for case in &results.cases {
        assert_eq!(
            case.status,
            Status::Pass,
            "{}: {:?} {:?}",
            case.id,
            case.reason,
            case.failures
        );
        let observation = case.observation.as_ref().expect("observed");
        assert!(
            observation.calls[0]
                .events
                .iter()
                .all(|e| e.event != EventKind::Progress),
            "{}: the mutant sent progress",
            case.id
        );
        // The reference (and its mutants) mark the real start of each call.
        assert_eq!(
            observation.calls[0].timed_from,
            TimedFrom::Started,
            "{}",
            case.id
        );
        let request = &observation.server.requests[0];
        let body = request.body_len.expect("announced body");
        assert!(
            request.bytes_sent < body,
            "{}: aborted before the end ({} of {body})",
            case.id,
            request.bytes_sent
        );
    }
    assert_eq!(results.cases.len(), 2);
}
