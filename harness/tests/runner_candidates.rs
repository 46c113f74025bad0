//! The runner against scripted candidates: a crash, a hang and garbage each cost one case,
//! with the right status, and the run goes on.

use std::path::{Path, PathBuf};
use std::time::Duration;

mod cli_support;
#[path = "../needs.rs"]
mod needs;

use dlconform::candidate::CandidateSpec;
use dlconform::results::{CaseResult, RunResults};
use dlconform::runner::report::Reporter;
use dlconform::runner::{RunError, RunOptions, run};
use dlconform::verdict::Status;

struct Quiet;

impl Reporter for Quiet {
    fn start(&self, _total: usize) {}
    fn case_done(&self, _case: &CaseResult) {}
    fn finish(&self) {}
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn options(mode: &str) -> RunOptions {
    let python = cli_support::python();
    let script = fixtures().join("candidates/scripted.py");
    RunOptions {
        // One at a time, so "the n-th call" is the n-th case.
        jobs: 1,
        linger: Duration::from_millis(50),
        run_id: "test".into(),
        ..RunOptions::new(
            CandidateSpec::Command(format!("{python} {} {mode}", script.display())),
            vec![fixtures().join("specs/runner.yaml")],
        )
    }
}

fn run_mode(mode: &str) -> RunResults {
    let options = options(mode);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime
        .block_on(run(options, &Quiet))
        .expect("the run happens")
}

fn statuses(results: &RunResults) -> Vec<Status> {
    results.cases.iter().map(|c| c.status).collect()
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn runner_crash_on_third_call_costs_that_case_only() {
    needs::require(&["python3"]);
    let results = run_mode("crash-on-3");
    use Status::*;
    assert_eq!(statuses(&results), vec![Pass, Pass, Crash, Pass, Pass]);
    let crashed = &results.cases[2];
    let reason = crashed.reason.clone().unwrap_or_default();
    assert!(reason.contains("exited with code 3"), "{reason}");
    let log = crashed
        .observation
        .as_ref()
        .map(|o| o.log.clone())
        .unwrap_or_default();
    assert!(log.contains("crashing on purpose"), "log: {log}");
    assert_eq!(results.run.candidate.starts, 2);
    assert!(!results.summary.ok);
    assert_eq!(
        results.summary.unexpected_required,
        vec!["wechat/download/third".to_string()]
    );
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn runner_hang_is_timeout_and_run_goes_on() {
    needs::require(&["python3"]);
    let results = run_mode("hang-on-2");
    use Status::*;
    assert_eq!(statuses(&results), vec![Pass, Timeout, Pass, Pass, Pass]);
    let hung = &results.cases[1];
    // The fixture's deadline is 3000 ms; a generous upper bound for slow machines.
    assert!(
        hung.duration_ms >= 3000 && hung.duration_ms < 20_000,
        "{}",
        hung.duration_ms
    );
    assert_eq!(results.run.candidate.starts, 1);
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn runner_garbage_is_error_and_run_goes_on() {
    needs::require(&["python3"]);
    let results = run_mode("garbage-on-2");
    use Status::*;
    assert_eq!(statuses(&results), vec![Pass, Error, Pass, Pass, Pass]);
    let reason = results.cases[1].reason.clone().unwrap_or_default();
    assert!(reason.contains("this is not json"), "{reason}");
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn runner_api_failure_is_fail_with_checks() {
    needs::require(&["python3"]);
    let results = run_mode("fail-on-5");
    use Status::*;
    assert_eq!(statuses(&results), vec![Pass, Pass, Pass, Pass, Fail]);
    let failed = &results.cases[4];
    assert_eq!(
        failed.failures.first().map(|f| f.check.as_str()),
        Some("outcome")
    );
    assert_eq!(results.run.candidate.name, "scripted-fail-on-5");
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn runner_candidate_without_hello_cannot_start() {
    needs::require(&["python3"]);
    let mut options = options("no-hello");
    options.hello_timeout = Duration::from_millis(500);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let Err(err) = runtime.block_on(run(options, &Quiet)) else {
        panic!("the run should not start");
    };
    assert!(matches!(err, RunError::Candidate(_)), "{err}");
    assert!(
        err.to_string()
            .contains("candidate would not start: no hello within 500 ms"),
        "{err}"
    );
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn runner_selection_by_pattern_and_partition() {
    needs::require(&["python3"]);
    let mut options = options("ok");
    options.selection.cases = vec!["download/f*".into()];
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let results = runtime
        .block_on(run(options.clone(), &Quiet))
        .expect("runs");
    let ids: Vec<&str> = results.cases.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        ids,
        vec![
            "wechat/download/first",
            "wechat/download/fourth",
            "wechat/download/fifth"
        ]
    );
    options.selection.cases.clear();
    // Parts by a hash of the id (dlconform::partition): the two parts split the five cases.
    let mut parts = Vec::new();
    for k in 1..=2 {
        let part = dlconform::partition::Partition::new(k, 2).expect("k/2");
        options.selection.partition = Some(part);
        let results = runtime
            .block_on(run(options.clone(), &Quiet))
            .expect("runs");
        let ids: Vec<String> = results.cases.iter().map(|c| c.id.clone()).collect();
        assert!(ids.iter().all(|id| part.contains(id)), "{ids:?}");
        parts.push(ids);
    }
    let mut all: Vec<String> = parts.concat();
    all.sort();
    assert_eq!(
        all,
        vec![
            "wechat/download/fifth",
            "wechat/download/first",
            "wechat/download/fourth",
            "wechat/download/second",
            "wechat/download/third"
        ]
    );
    options.selection.cases = vec!["nothing/*".into()];
    options.selection.partition = None;
    assert!(matches!(
        runtime.block_on(run(options, &Quiet)),
        Err(RunError::NoCases)
    ));
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn runner_parallel_cases_all_pass() {
    needs::require(&["python3"]);
    let mut options = options("ok");
    options.jobs = 5;
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let results = runtime.block_on(run(options, &Quiet)).expect("runs");
    assert_eq!(statuses(&results), vec![Status::Pass; 5]);
    assert!(results.summary.ok);
    // The journal is keyed per case: every case saw no request (the script never downloads).
    assert!(results.cases.iter().all(|c| {
        c.observation
            .as_ref()
            .is_some_and(|o| o.server.requests.is_empty())
    }));
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn runner_crash_with_parallel_cases_marks_cases_in_flight() {
    needs::require(&["python3"]);
    let mut options = options("crash-on-3");
    options.jobs = 5;
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let results = runtime.block_on(run(options, &Quiet)).expect("runs");
    let crashed = results
        .cases
        .iter()
        .filter(|c| c.status == Status::Crash)
        .count();
    assert!(crashed >= 1, "{:?}", statuses(&results));
    assert!(
        results
            .cases
            .iter()
            .all(|c| matches!(c.status, Status::Pass | Status::Crash)),
        "{:?}",
        statuses(&results)
    );
    // Calls 1 and 2 were answered before the third killed the process; cases sent later than
    // the crash ran on a restarted candidate.
    let passed = results.cases.len() - crashed;
    assert!(passed >= 2, "{:?}", statuses(&results));
    if passed > 2 {
        assert!(results.run.candidate.starts >= 2);
    }
}
