//! Expectations in `dlconform run`: a listed failure is XFAIL (exit 0), a listed failure that
//! passes is XPASS (exit 1), `--update-expectations` writes a file that makes the next run pass,
//! stale entries are warned about. Through the binary, with the scripted candidate.

mod cli_support;
#[path = "../needs.rs"]
mod needs;
use cli_support::{python, text};

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use dlconform::results::RunResults;
use dlconform::verdict::Status;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// `dlconform run` of the runner fixture against `scripted.py MODE`, one case at a time so the
/// n-th call is the n-th case.
fn run(dir: &Path, mode: &str, extra: &[&str]) -> (Output, RunResults) {
    let python = python();
    let script = fixtures().join("candidates/scripted.py");
    let candidate = format!("cmd:{python} {} {mode}", script.display());
    let spec = fixtures().join("specs/runner.yaml");
    let out = dir.join(format!("out-{mode}"));
    let mut args: Vec<String> = vec![
        "run".into(),
        "--candidate".into(),
        candidate,
        "--specs".into(),
        spec.display().to_string(),
        "--jobs".into(),
        "1".into(),
        "--linger-ms".into(),
        "20".into(),
        "--out".into(),
        out.display().to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let output = Command::new(env!("CARGO_BIN_EXE_dlconform"))
        .current_dir(dir)
        .args(&args)
        .output()
        .expect("dlconform runs");
    let results = RunResults::read(&out.join("results.json")).unwrap_or_else(|err| {
        panic!("no results ({err}):\n{}", text(&output));
    });
    (output, results)
}

fn case<'a>(results: &'a RunResults, id: &str) -> &'a dlconform::results::CaseResult {
    results
        .cases
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no case {id}"))
}

const FIFTH_KNOWN: &str = r#"expectations:
  - cases: "wechat/download/fifth"
    status: FAIL
    whole_case: "any check of the fifth call may fail"
    reason: "the scripted candidate fails its fifth call"
"#;

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn wiring_known_failure_is_xfail_and_run_passes() {
    needs::require(&["python3"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("expectations.yaml");
    std::fs::write(&file, FIFTH_KNOWN).expect("write");
    let (output, results) = run(
        dir.path(),
        "fail-on-5",
        &["--expectations", &file.display().to_string()],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let fifth = case(&results, "wechat/download/fifth");
    assert_eq!(fifth.status, Status::Xfail);
    assert_eq!(fifth.expected, Status::Fail);
    assert!(
        fifth
            .reason
            .as_deref()
            .is_some_and(|r| r.contains("fails its fifth call")),
        "{:?}",
        fifth.reason
    );
    assert_eq!(case(&results, "wechat/download/first").status, Status::Pass);
    assert!(results.summary.ok);
    assert_eq!(results.summary.by_status.get("XFAIL"), Some(&1));
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn wiring_known_failure_that_passes_is_xpass_and_fails_the_run() {
    needs::require(&["python3"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("expectations.yaml");
    std::fs::write(&file, FIFTH_KNOWN).expect("write");
    let (output, results) = run(
        dir.path(),
        "ok",
        &["--expectations", &file.display().to_string()],
    );
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let fifth = case(&results, "wechat/download/fifth");
    assert_eq!(fifth.status, Status::Xpass);
    assert_eq!(
        results.summary.unexpected_required,
        vec!["wechat/download/fifth".to_string()]
    );
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn wiring_without_expectations_the_failure_fails_the_run() {
    needs::require(&["python3"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let (output, results) = run(dir.path(), "fail-on-5", &[]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert_eq!(case(&results, "wechat/download/fifth").status, Status::Fail);
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn wiring_update_expectations_writes_a_file_that_makes_the_run_pass() {
    needs::require(&["python3"]);
    let dir = tempfile::tempdir().expect("tempdir");
    // The default place, from --candidate-name.
    let (output, _) = run(
        dir.path(),
        "fail-on-5",
        &["--candidate-name", "scripted", "--update-expectations"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let file = dir.path().join("candidates/scripted/expectations.yaml");
    let written = std::fs::read_to_string(&file).expect("expectations written");
    assert!(written.contains("wechat/download/fifth"), "{written}");
    assert!(!written.contains("wechat/download/first"), "{written}");

    let (output, results) = run(dir.path(), "fail-on-5", &["--candidate-name", "scripted"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(
        case(&results, "wechat/download/fifth").status,
        Status::Xfail
    );
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn wiring_stale_entries_are_warned_about() {
    needs::require(&["python3"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("expectations.yaml");
    let stale = format!(
        "{FIFTH_KNOWN}  - cases: \"douyin/download/never/**\"\n    status: TIMEOUT\n    reason: gone\n"
    );
    std::fs::write(&file, stale).expect("write");
    let (output, _) = run(
        dir.path(),
        "fail-on-5",
        &["--expectations", &file.display().to_string()],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("stale expectation") && stderr.contains("douyin/download/never/**"),
        "{stderr}"
    );
    assert!(stderr.contains("expectations.yaml:6:"), "{stderr}");
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn wiring_bad_expectations_file_cannot_run() {
    needs::require(&["python3"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("expectations.yaml");
    std::fs::write(&file, "expectations:\n  - cases: x\n    status: BROKEN\n").expect("write");
    let python = python();
    let output = Command::new(env!("CARGO_BIN_EXE_dlconform"))
        .current_dir(dir.path())
        .args([
            "run",
            "--candidate",
            &format!(
                "cmd:{python} {}",
                fixtures().join("candidates/scripted.py").display()
            ),
            "--specs",
            &fixtures().join("specs/runner.yaml").display().to_string(),
            "--expectations",
            &file.display().to_string(),
        ])
        .output()
        .expect("dlconform runs");
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(String::from_utf8_lossy(&output.stderr).contains("BROKEN"));
}

/// The fifth case's wrong statusCode type is known, per check.
const FIFTH_TYPE_KNOWN: &str = r#"expectations:
  - cases: "wechat/download/fifth"
    checks: [shape.type]
    status: FAIL
    reason: "the scripted candidate gives statusCode as a string on its fifth call"
"#;

/// Run with an expectations file written into `dir`.
fn run_with_file(dir: &Path, mode: &str, expectations: &str) -> (Output, RunResults) {
    let file = dir.join("expectations.yaml");
    std::fs::write(&file, expectations).expect("write");
    run(dir, mode, &["--expectations", &file.display().to_string()])
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn wiring_a_known_check_is_xfail_with_the_entry_named_on_the_failure() {
    needs::require(&["python3"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let (output, results) = run_with_file(dir.path(), "type-on-5", FIFTH_TYPE_KNOWN);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let fifth = case(&results, "wechat/download/fifth");
    assert_eq!(fifth.status, Status::Xfail, "{fifth:?}");
    assert!(fifth.unexplained.is_empty());
    assert!(
        fifth
            .failures
            .iter()
            .all(|f| f.check == "shape.type"
                && f.known.as_deref().is_some_and(|k| k.ends_with(":2:5"))),
        "{:?}",
        fifth.failures
    );
    let defect = results
        .defects
        .iter()
        .find(|d| d.check == "shape.type")
        .expect("the defect is listed");
    assert_eq!(defect.cases, vec!["wechat/download/fifth".to_string()]);
    assert!(defect.known.as_ref().is_some_and(|k| {
        k.reason
            .as_deref()
            .is_some_and(|r| r.contains("as a string"))
    }));
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn wiring_a_new_check_failing_behind_a_known_one_fails_the_run_and_is_named() {
    needs::require(&["python3"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let (output, results) = run_with_file(dir.path(), "type-twice-on-5", FIFTH_TYPE_KNOWN);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let fifth = case(&results, "wechat/download/fifth");
    assert_eq!(fifth.status, Status::Fail, "{fifth:?}");
    assert!(fifth.unexpected());
    assert_eq!(
        fifth.unexplained,
        vec![
            "callback-order.complete".to_string(),
            "callback-order.after-complete".to_string()
        ]
    );
    let reason = fifth.reason.as_deref().unwrap_or_default();
    assert!(
        reason.contains("no expectation names failed: callback-order.complete"),
        "{reason}"
    );
    assert_eq!(
        results.summary.unexpected_required,
        vec!["wechat/download/fifth".to_string()]
    );
    // The known check stays known; the new one is news.
    let news = results
        .defects
        .iter()
        .find(|d| d.check == "callback-order.complete")
        .expect("new defect");
    assert!(news.known.is_none());
    assert!(
        results
            .defects
            .iter()
            .any(|d| d.check == "shape.type" && d.known.is_some())
    );
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn wiring_a_per_check_entry_whose_checks_pass_everywhere_is_xpass() {
    needs::require(&["python3"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let (output, results) = run_with_file(dir.path(), "ok", FIFTH_TYPE_KNOWN);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert_eq!(
        case(&results, "wechat/download/fifth").status,
        Status::Xpass
    );
    assert!(
        results
            .stale
            .iter()
            .any(|s| s.contains("XPASS") && s.contains(":2:5")),
        "{:?}",
        results.stale
    );
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn wiring_a_catch_all_over_passing_cases_and_a_check_that_never_fails_are_stale() {
    needs::require(&["python3"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let catch_all = r#"expectations:
  - cases: "wechat/download/**"
    checks: [shape.type, errno]
    status: FAIL
    reason: "too broad"
"#;
    let (output, results) = run_with_file(dir.path(), "type-on-5", catch_all);
    // Still as expected: the fifth case's failure is named.
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(
        case(&results, "wechat/download/fifth").status,
        Status::Xfail
    );
    assert_eq!(case(&results, "wechat/download/first").status, Status::Pass);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("stale expectation")
            && stderr.contains("where none of [shape.type, errno] failed")
            && stderr.contains("wechat/download/first"),
        "{stderr}"
    );
    assert!(
        stderr.contains("check `errno` of entry `wechat/download/**` failed in none"),
        "{stderr}"
    );
    assert_eq!(results.stale.len(), 2, "{:?}", results.stale);
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn wiring_expectations_write_from_results_names_the_checks_and_keeps_reasons() {
    needs::require(&["python3"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, _) = run_with_file(dir.path(), "type-twice-on-5", FIFTH_TYPE_KNOWN);
    let file = dir.path().join("expectations.yaml");
    let output = Command::new(env!("CARGO_BIN_EXE_dlconform"))
        .current_dir(dir.path())
        .args([
            "expectations",
            "write",
            "--from",
            &dir.path()
                .join("out-type-twice-on-5/results.json")
                .display()
                .to_string(),
            "--file",
            &file.display().to_string(),
        ])
        .output()
        .expect("dlconform runs");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let written = std::fs::read_to_string(&file).expect("written");
    assert!(written.contains("checks: [\"shape.type\"]"), "{written}");
    assert!(
        written.contains("gives statusCode as a string"),
        "{written}"
    );
    assert!(
        written.contains("checks: [\"callback-order.after-complete\"]"),
        "{written}"
    );
    assert!(
        written.contains(dlconform::expectations::UNEXPLAINED_REASON),
        "{written}"
    );
    // The written file makes the same behaviour as expected.
    let (output, results) = run(
        dir.path(),
        "type-twice-on-5",
        &["--expectations", &file.display().to_string()],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(
        case(&results, "wechat/download/fifth").status,
        Status::Xfail
    );
}
