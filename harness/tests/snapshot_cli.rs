//! `--snapshots` and `dlconform snapshot accept` through the binary: new snapshots are reported,
//! stored ones compare equal, a changed one fails the case with a unified diff, `check-strict`
//! fails on a missing one; and the reference gives the same snapshots on two runs.

mod cli_support;
#[path = "../needs.rs"]
mod needs;
use cli_support::{dlconform, python, text};

use std::path::{Path, PathBuf};
use std::process::Output;

use dlconform::results::RunResults;
use dlconform::verdict::Status;

fn harness() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Run the runner fixture against the scripted candidate (`ok`) with `extra` arguments.
fn scripted_run(dir: &Path, out: &str, extra: &[&str]) -> (Output, RunResults) {
    let python = python();
    let script = harness().join("tests/fixtures/candidates/scripted.py");
    let mut args: Vec<String> = [
        "run",
        "--candidate",
        &format!("cmd:{python} {} ok", script.display()),
        "--specs",
        &harness()
            .join("tests/fixtures/specs/runner.yaml")
            .display()
            .to_string(),
        "--linger-ms",
        "20",
        "--out",
        out,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(extra.iter().map(|s| s.to_string()));
    let output = dlconform(dir, &args);
    let results = RunResults::read(&dir.join(out).join("results.json"))
        .unwrap_or_else(|err| panic!("no results ({err}):\n{}", text(&output)));
    (output, results)
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn snapshot_new_then_update_then_same_then_changed() {
    needs::require(&["python3"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let (output, results) = scripted_run(dir.path(), "o1", &["--snapshots", "check"]);
    // Nothing stored: every case is new, none fails.
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(results.cases.iter().all(|c| c.status == Status::Pass));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("0 changed, 5 new"), "{stdout}");

    // check-strict: a missing snapshot fails.
    let (output, results) = scripted_run(dir.path(), "o2", &["--snapshots", "check-strict"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        results
            .cases
            .iter()
            .all(|c| c.status == Status::Fail && c.failures.iter().any(|f| f.check == "snapshot"))
    );

    // update writes one file per case under <candidate>/<platform>/.
    let (output, _) = scripted_run(dir.path(), "o3", &["--snapshots", "update"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let stored = dir
        .path()
        .join("snapshots/scripted-ok/wechat/download__first.yaml");
    let original = std::fs::read_to_string(&stored).expect("snapshot written");
    assert!(
        original.starts_with("# dlconform snapshot of wechat/download/first\n"),
        "{original}"
    );
    assert!(original.contains("url: http"), "{original}");
    assert!(
        original.contains("[port]") && original.contains("[key]"),
        "{original}"
    );
    assert!(original.contains("server:\n  connections: 0"), "{original}");

    // Stored and observed agree.
    let (output, _) = scripted_run(dir.path(), "o4", &["--snapshots", "check"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("5 same, 0 changed, 0 new"),
        "{}",
        text(&output)
    );

    // A stored snapshot that says otherwise: the case fails with a readable diff.
    let tampered = original.replace("downloadFile:ok", "downloadFile:tampered");
    assert_ne!(tampered, original);
    std::fs::write(&stored, &tampered).expect("write");
    let (output, results) = scripted_run(dir.path(), "o5", &["--snapshots", "check"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let first = results
        .cases
        .iter()
        .find(|c| c.id == "wechat/download/first")
        .expect("case");
    assert_eq!(first.status, Status::Fail);
    let failure = first
        .failures
        .iter()
        .find(|f| f.check == "snapshot")
        .expect("snapshot failure");
    assert!(
        failure.message.contains("--- stored"),
        "{}",
        failure.message
    );
    assert!(
        failure.message.contains("+++ observed"),
        "{}",
        failure.message
    );
    assert!(
        failure
            .message
            .contains("-      errMsg: downloadFile:tampered")
            && failure.message.contains("+      errMsg: downloadFile:ok"),
        "{}",
        failure.message
    );
    // The other cases are untouched.
    assert!(
        results
            .cases
            .iter()
            .filter(|c| c.id != "wechat/download/first")
            .all(|c| c.status == Status::Pass)
    );

    // accept from the last run's results puts the observed snapshot back.
    let args: Vec<String> = [
        "snapshot",
        "accept",
        "--results",
        "o5/results.json",
        "--candidate",
        "scripted-ok",
        "--case",
        "download/first",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let output = dlconform(dir.path(), &args);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("1 written, 0 unchanged"),
        "{}",
        text(&output)
    );
    assert_eq!(std::fs::read_to_string(&stored).expect("read"), original);
}

#[test]
fn snapshot_reference_is_the_same_on_two_runs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let specs = harness().parent().expect("workspace").join("specs");
    let base: Vec<String> = [
        "run",
        "--no-lint",
        "--specs",
        &specs.display().to_string(),
        "--platform",
        "wechat,feishu-openapi",
        "--case",
        "download/success/**",
        "--case",
        "download/redirect/**",
        "--case",
        "download/tls/**",
        "--case",
        "download/progress/**",
        "--case",
        "download/header/**",
        "--case",
        "file-get/**",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let with = |extra: &[&str]| {
        let mut args = base.clone();
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    };
    let output = dlconform(dir.path(), &with(&["--out", "o1", "--snapshots", "update"]));
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let written = std::fs::read_dir(dir.path().join("snapshots/reference/feishu-openapi"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert!(written >= 5, "{written} feishu-openapi snapshots");
    let output = dlconform(dir.path(), &with(&["--out", "o2", "--snapshots", "check"]));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains(" 0 changed, 0 new"), "{}", text(&output));
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
}
