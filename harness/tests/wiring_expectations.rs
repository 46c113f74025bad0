//! Expectations in `dlconform run`: a listed failure is XFAIL (exit 0), a listed failure that
//! passes is XPASS (exit 1), `--update-expectations` writes a file that makes the next run pass,
//! stale entries are warned about. Through the binary, with the scripted candidate.

mod cli_support;
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
    reason: "the scripted candidate fails its fifth call"
"#;

#[test]
#[cfg_attr(skip_python, ignore = "needs python3 (apt-get install -y python3)")]
fn wiring_known_failure_is_xfail_and_run_passes() {
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
#[cfg_attr(skip_python, ignore = "needs python3 (apt-get install -y python3)")]
fn wiring_known_failure_that_passes_is_xpass_and_fails_the_run() {
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
#[cfg_attr(skip_python, ignore = "needs python3 (apt-get install -y python3)")]
fn wiring_without_expectations_the_failure_fails_the_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (output, results) = run(dir.path(), "fail-on-5", &[]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert_eq!(case(&results, "wechat/download/fifth").status, Status::Fail);
}

#[test]
#[cfg_attr(skip_python, ignore = "needs python3 (apt-get install -y python3)")]
fn wiring_update_expectations_writes_a_file_that_makes_the_run_pass() {
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
#[cfg_attr(skip_python, ignore = "needs python3 (apt-get install -y python3)")]
fn wiring_stale_entries_are_warned_about() {
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
    assert!(stderr.contains("expectations.yaml:5:"), "{stderr}");
}

#[test]
#[cfg_attr(skip_python, ignore = "needs python3 (apt-get install -y python3)")]
fn wiring_bad_expectations_file_cannot_run() {
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
