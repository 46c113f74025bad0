//! `dlconform run` end to end on real spec cases: the reference candidate, the Node example
//! candidate, results.json, reports/latest and exit codes.

mod cli_support;
#[path = "../needs.rs"]
mod needs;
use cli_support::{dlconform, text, workspace};

use dlconform::results::RunResults;
use dlconform::verdict::Status;

fn wechat_spec() -> String {
    workspace().join("specs/wechat.yaml").display().to_string()
}

#[test]
fn runner_reference_passes_real_cases_and_writes_latest() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = wechat_spec();
    // --no-lint: this test is about the runner, not about the specs' consistency.
    let output = dlconform(
        dir.path(),
        &[
            "run",
            "--no-lint",
            "--specs",
            &spec,
            "--platform",
            "wechat",
            "--case",
            "download/success/*",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let latest = dir.path().join("reports/latest/results.json");
    let results = RunResults::read(&latest).expect("reports/latest/results.json");
    assert!(results.cases.len() >= 3, "{:?}", results.cases.len());
    for case in &results.cases {
        assert_eq!(
            case.status,
            Status::Pass,
            "{}: {:?} {:?}",
            case.id,
            case.reason,
            case.failures
        );
        assert!(
            case.id.starts_with("wechat/download/success/"),
            "{}",
            case.id
        );
    }
    assert_eq!(results.run.candidate.name, "reference");
    assert_eq!(results.run.spec_files.len(), 1);
    assert_eq!(results.run.spec_files[0].sha256.len(), 64);
    assert!(results.run.started_at.contains('T') && results.run.finished_at.ends_with('Z'));
    assert!(
        dir.path()
            .join("reports")
            .join(&results.run.id)
            .join("results.json")
            .is_file()
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("every required case as expected"),
        "{stdout}"
    );
}

#[test]
#[cfg_attr(skip_node, ignore = "needs node")]
fn runner_example_node_candidate_passes_wechat_success_cases() {
    needs::require(&["node"]);
    let out = tempfile::tempdir().expect("tempdir");
    let out_dir = out.path().display().to_string();
    let output = dlconform(
        &workspace(),
        &[
            "run",
            "--no-lint",
            "--specs",
            "specs/wechat.yaml",
            "--candidate",
            "cmd:node candidates/example-node/adapter.js",
            "--platform",
            "wechat",
            "--case",
            "download/success/*",
            "--case",
            "download/abort/*",
            "--out",
            &out_dir,
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let results = RunResults::read(&out.path().join("results.json")).expect("results.json");
    assert_eq!(results.run.candidate.name, "example-node");
    assert!(
        results
            .cases
            .iter()
            .any(|c| c.id == "wechat/download/success/temp-file")
    );
    assert!(
        results
            .cases
            .iter()
            .any(|c| c.id.starts_with("wechat/download/abort/"))
    );
    // Node's https speaks HTTP/1.1 only: its expectations list enable-http2 (not applied here).
    for case in results
        .cases
        .iter()
        .filter(|c| !c.id.ends_with("/enable-http2"))
    {
        assert_eq!(
            case.status,
            Status::Pass,
            "{}: {:?} {:?}",
            case.id,
            case.reason,
            case.failures
        );
    }
}

#[test]
#[cfg_attr(skip_node, ignore = "needs node")]
fn runner_example_node_candidate_is_unsupported_elsewhere() {
    needs::require(&["node"]);
    let out = tempfile::tempdir().expect("tempdir");
    let out_dir = out.path().display().to_string();
    let output = dlconform(
        &workspace(),
        &[
            "run",
            "--no-lint",
            "--specs",
            "specs/wechat.yaml",
            "--candidate",
            "cmd:node candidates/example-node/adapter.js",
            "--platform",
            "alipay",
            "--case",
            "download/success/*",
            "--out",
            &out_dir,
        ],
    );
    // Unsupported required cases are not as expected: exit 1.
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let results = RunResults::read(&out.path().join("results.json")).expect("results.json");
    assert!(!results.cases.is_empty());
    assert!(
        results
            .cases
            .iter()
            .all(|c| c.status == Status::Unsupported)
    );
}

#[test]
fn runner_unknown_candidate_exits_2_listing_builtins() {
    let output = dlconform(
        &workspace(),
        &[
            "run",
            "--candidate",
            "mutant:nope",
            "--specs",
            "specs/wechat.yaml",
        ],
    );
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("unknown candidate 'mutant:nope'") && stderr.contains("reference"),
        "{stderr}"
    );
}

#[test]
fn runner_candidate_that_cannot_start_exits_2() {
    let out = tempfile::tempdir().expect("tempdir");
    let out_dir = out.path().display().to_string();
    let output = dlconform(
        &workspace(),
        &[
            "run",
            "--no-lint",
            "--specs",
            "specs/wechat.yaml",
            "--candidate",
            "cmd:echo not a hello; exit 7",
            "--case",
            "download/success/*",
            "--out",
            &out_dir,
        ],
    );
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("candidate would not start"), "{stderr}");
    assert!(!out.path().join("results.json").exists());
}

#[test]
fn runner_bad_arguments_exit_2() {
    for args in [
        vec!["run", "--platform", "nowhere"],
        vec!["run", "--partition", "3/2"],
        vec!["run", "--specs", "does/not/exist.yaml"],
    ] {
        let output = dlconform(&workspace(), &args);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", text(&output));
    }
}
