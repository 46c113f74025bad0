//! `dlconform run --retries N`: a case not as expected runs again; as expected on a retry it is
//! FLAKY (exit 0, exit 1 with `--strict`), every try is kept, and every report shows it.

use std::path::{Path, PathBuf};
use std::process::Output;

mod cli_support;
#[path = "../needs.rs"]
mod needs;

use cli_support::{dlconform, text, workspace};
use dlconform::results::RunResults;
use dlconform::verdict::Status;

const FIRST: &str = "wechat/download/first";
const SECOND: &str = "wechat/download/second";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// `dlconform run` over the first two runner fixture cases with `retry.py MODE FIRST`.
fn run(mode: &str, out: &Path, extra: &[&str]) -> Output {
    let python = cli_support::python();
    let script = fixtures().join("candidates/retry.py");
    let candidate = format!("cmd:{python} {} {mode} {FIRST}", script.display());
    let spec = fixtures().join("specs/runner.yaml");
    let mut args: Vec<String> = vec![
        "run".into(),
        "--specs".into(),
        spec.display().to_string(),
        "--candidate".into(),
        candidate,
        "--case".into(),
        "download/first".into(),
        "--case".into(),
        "download/second".into(),
        "--out".into(),
        out.display().to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    dlconform(&workspace(), &args)
}

fn results(out: &Path) -> RunResults {
    RunResults::read(&out.join("results.json")).expect("results.json")
}

fn case<'a>(results: &'a RunResults, id: &str) -> &'a dlconform::results::CaseResult {
    results
        .cases
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("{id} in results"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn a_case_that_passes_on_its_retry_is_flaky_and_the_run_exits_0() {
    needs::require(&["python3"]);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let output = run("fail-first", &out, &["--retries", "1"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));

    let results = results(&out);
    let first = case(&results, FIRST);
    assert_eq!(first.status, Status::Flaky);
    let tries: Vec<Status> = first.attempts.iter().map(|a| a.status).collect();
    assert_eq!(tries, vec![Status::Fail, Status::Pass]);
    assert!(
        !first.attempts[0].failures.is_empty(),
        "the failed try keeps its failed checks: {:?}",
        first.attempts[0]
    );
    assert!(first.attempts[1].failures.is_empty());
    // The retry is a fresh case: the key after every first try's (2 cases: index 0 + 2).
    let url = first
        .observation
        .as_ref()
        .map(|o| o.url.clone())
        .unwrap_or_default();
    assert!(url.contains("/c/0002-"), "{url}");
    let log = first
        .observation
        .as_ref()
        .map(|o| o.log.clone())
        .unwrap_or_default();
    assert!(log.contains("try 2 of wechat/download/first"), "{log}");
    assert_eq!(results.summary.flaky, vec![FIRST.to_string()]);
    assert!(results.summary.ok);
    assert_eq!(results.summary.by_status.get("FLAKY"), Some(&1));
    // A case that passed at once ran once and records no tries.
    let second = case(&results, SECOND);
    assert_eq!(second.status, Status::Pass);
    assert!(second.attempts.is_empty());

    // The terminal summary: a FLAKY column and the flaky case listed.
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("FLAKY"), "{stdout}");
    assert!(stdout.contains("flaky cases (1)"), "{stdout}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("TRY 1 FAIL"), "{stderr}");

    // JUnit, nextest's convention: a passing test case with a flakyFailure per failed try.
    let junit = read(&out.join("junit.xml"));
    let testcase = junit
        .split("<testcase ")
        .find(|t| t.contains("name=\"wechat/download/first\""))
        .expect("the case in junit.xml");
    assert!(testcase.contains("<flakyFailure"), "{testcase}");
    assert!(!testcase.contains("<failure"), "{testcase}");
    assert!(
        testcase.contains("name=\"attempts\" value=\"2\""),
        "{testcase}"
    );
    // Markdown and HTML.
    let markdown = read(&out.join("report.md"));
    assert!(markdown.contains("#### Flaky (1)"), "{markdown}");
    assert!(markdown.contains("try 1: FAIL"), "{markdown}");
    let html = read(&out.join("report.html"));
    assert!(
        html.contains("\"FLAKY\""),
        "results embedded with the status"
    );
    assert!(html.contains("attemptsSection"), "the page draws the tries");
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn flaky_fails_the_run_with_strict() {
    needs::require(&["python3"]);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let output = run("fail-first", &out, &["--retries", "1", "--strict"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert_eq!(case(&results(&out), FIRST).status, Status::Flaky);
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn without_retries_the_first_failure_stands() {
    needs::require(&["python3"]);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let output = run("fail-first", &out, &["--retries", "0"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let results = results(&out);
    let first = case(&results, FIRST);
    assert_eq!(first.status, Status::Fail);
    assert!(first.attempts.is_empty());
    assert!(results.summary.flaky.is_empty());
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn a_case_that_always_fails_is_fail_after_every_try() {
    needs::require(&["python3"]);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let output = run("always-fail", &out, &["--retries", "2", "--jobs", "1"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let results = results(&out);
    let first = case(&results, FIRST);
    assert_eq!(first.status, Status::Fail);
    assert_eq!(first.attempts.len(), 3, "{:?}", first.attempts);
    for attempt in &first.attempts {
        assert_eq!(attempt.status, Status::Fail);
        assert!(!attempt.failures.is_empty());
    }
    assert_eq!(results.summary.unexpected_required, vec![FIRST.to_string()]);
    let log = first
        .observation
        .as_ref()
        .map(|o| o.log.clone())
        .unwrap_or_default();
    assert!(log.contains("try 3 of wechat/download/first"), "{log}");
    // JUnit: a failure with a rerunFailure per earlier try.
    let junit = read(&out.join("junit.xml"));
    let testcase = junit
        .split("<testcase ")
        .find(|t| t.contains("name=\"wechat/download/first\""))
        .expect("the case in junit.xml");
    assert!(testcase.contains("<failure"), "{testcase}");
    assert_eq!(testcase.matches("<rerunFailure").count(), 2, "{testcase}");
    let markdown = read(&out.join("report.md"));
    assert!(markdown.contains("3 tries: FAIL"), "{markdown}");
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn flaky_is_selectable_merged_and_diffed() {
    needs::require(&["python3"]);
    let dir = tempfile::tempdir().unwrap();
    let (before, after) = (dir.path().join("before"), dir.path().join("after"));
    let output = run("fail-first", &before, &[]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let output = run("fail-first", &after, &["--retries", "1"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let after_results = after.join("results.json");

    // --filter 'status(flaky)' selects it from the results file.
    let spec = fixtures().join("specs/runner.yaml");
    let filter = format!("status(flaky, results={})", after_results.display());
    let spec_arg = spec.display().to_string();
    let listed = dlconform(
        &workspace(),
        &["run", "--specs", &spec_arg, "--list", "--filter", &filter],
    );
    assert_eq!(listed.status.code(), Some(0), "{}", text(&listed));
    let stdout = String::from_utf8_lossy(&listed.stdout);
    assert!(stdout.contains(FIRST), "{stdout}");
    assert!(!stdout.contains(SECOND), "{stdout}");

    // report merge keeps it FLAKY and counts it.
    let merged = dir.path().join("merged");
    let after_arg = after_results.display().to_string();
    let merged_arg = merged.display().to_string();
    let output = dlconform(
        &workspace(),
        &["report", "merge", &after_arg, "--out", &merged_arg],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let merged_results = read(&merged.join("results.json"));
    let value: serde_json::Value = serde_json::from_str(&merged_results).unwrap();
    let flaky = value
        .pointer("/candidates/0/results/summary/flaky")
        .or_else(|| value.pointer("/summary/flaky"))
        .cloned();
    assert_eq!(flaky, Some(serde_json::json!([FIRST])), "{merged_results}");

    // report diff: FAIL then FLAKY is a new pass.
    let before_arg = before.join("results.json").display().to_string();
    let diff_out = dir.path().join("diff").display().to_string();
    let output = dlconform(
        &workspace(),
        &[
            "report",
            "diff",
            &before_arg,
            &after_arg,
            "--out",
            &diff_out,
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .find(|l| l.contains(FIRST))
        .unwrap_or_else(|| panic!("{FIRST} in the diff: {stdout}"));
    assert!(
        line.contains("new pass") && line.contains("FLAKY"),
        "{line}"
    );
}
