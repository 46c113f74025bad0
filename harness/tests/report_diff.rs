//! `dlconform report diff OLD NEW`: each kind of change found, and the binary's table, diff.md,
//! diff.html and exit codes.

mod cli_support;
use cli_support::{dlconform, text};

mod report_support;

use dlconform::report::MergedResults;
use dlconform::report::diff::{ChangeKind, diff};
use dlconform::spec::model::Tier;
use dlconform::verdict::{CheckFailure, Status};
use report_support::{case, run_of, sample_cases, write_run};

/// The sample run, and a later one where each kind of change happens once.
fn old_and_new() -> (
    dlconform::results::RunResults,
    dlconform::results::RunResults,
) {
    let old = run_of("fixture", "1.0.0", sample_cases());
    let mut cases = sample_cases();
    let find = |cases: &mut Vec<dlconform::results::CaseResult>, id: &str| {
        cases
            .iter()
            .position(|c| c.id == id)
            .unwrap_or_else(|| panic!("no sample case {id}"))
    };
    // PASS before, FAIL now: a new failure.
    let i = find(&mut cases, "douyin/download/ok/temp-file");
    cases[i].status = Status::Fail;
    cases[i].failures = vec![CheckFailure {
        check: "file.sha256".to_string(),
        call: None,
        expected: serde_json::json!("aa"),
        actual: serde_json::json!("bb"),
        message: "other bytes".to_string(),
        tier: Tier::Required,
        known: None,
    }];
    // TIMEOUT before, PASS now: a new pass.
    let i = find(&mut cases, "douyin/download/timeout/headers-late");
    cases[i].status = Status::Pass;
    cases[i].reason = None;
    // FAIL before and now, with another check failing.
    let i = find(&mut cases, "douyin/download/tls/self-signed");
    cases[i].failures.retain(|f| f.check != "errMsg");
    // CRASH before, ERROR now: both not as expected.
    let i = find(&mut cases, "wechat/download/abort/before-headers");
    cases[i].status = Status::Error;
    // Gone and new.
    let i = find(&mut cases, "baidu/upload/ok/basic");
    cases.remove(i);
    cases.push(case(
        "baidu/download/ok/new-case",
        Tier::Required,
        Status::Pass,
        Status::Pass,
    ));
    (old, run_of("fixture", "1.1.0", cases))
}

#[test]
fn report_diff_finds_each_kind_of_change() {
    let (old, new) = old_and_new();
    let changes = diff(&MergedResults::from(old), &MergedResults::from(new));
    let found: Vec<(ChangeKind, &str)> = changes
        .changes
        .iter()
        .map(|c| (c.kind, c.case.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (ChangeKind::NewFail, "douyin/download/ok/temp-file"),
            (ChangeKind::NewPass, "douyin/download/timeout/headers-late"),
            (ChangeKind::Added, "baidu/download/ok/new-case"),
            (ChangeKind::Removed, "baidu/upload/ok/basic"),
            (
                ChangeKind::StatusChanged,
                "wechat/download/abort/before-headers"
            ),
            (
                ChangeKind::FailuresChanged,
                "douyin/download/tls/self-signed"
            ),
        ]
    );
    let changed = &changes.changes[5];
    assert_eq!(changed.checks, ["-errMsg"]);
    assert_eq!(changes.changes[0].checks, ["+file.sha256"]);
    assert_eq!(changes.unchanged, 4);
}

#[test]
fn report_diff_of_a_run_with_itself_is_empty() {
    let (old, _) = old_and_new();
    let same = MergedResults::from(old);
    let changes = diff(&same, &same);
    assert!(changes.changes.is_empty(), "{:?}", changes.changes);
    assert_eq!(changes.unchanged, 9);
}

#[test]
fn report_diff_cli_prints_and_writes_md_and_html() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (old, new) = old_and_new();
    let old_path = write_run(&old, &dir.path().join("old"));
    let new_path = write_run(&new, &dir.path().join("new"));
    let output = dlconform(
        dir.path(),
        &[
            "report",
            "diff",
            &old_path.display().to_string(),
            &new_path.display().to_string(),
            "--out",
            "diff",
        ],
    );
    let printed = text(&output);
    assert_eq!(output.status.code(), Some(0), "{printed}");
    assert!(printed.contains("new fail"), "{printed}");
    assert!(
        printed.contains("1 new fail, 1 new pass, 1 added, 1 removed, 1 status changed, 1 failures changed, 4 unchanged"),
        "{printed}"
    );
    let md = std::fs::read_to_string(dir.path().join("diff/diff.md")).expect("diff.md");
    assert!(
        md.contains("| new fail | `douyin/download/ok/temp-file` | PASS | FAIL | +file.sha256 |"),
        "{md}"
    );
    let html = std::fs::read_to_string(dir.path().join("diff/diff.html")).expect("diff.html");
    assert!(
        html.contains("<tr class=\"removed\"><td>removed</td><td><code>baidu/upload/ok/basic</code></td><td>UNSUPPORTED</td><td>-</td>"),
        "{html}"
    );
}

#[test]
fn report_diff_cli_writes_next_to_new_by_default() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (old, new) = old_and_new();
    let old_path = write_run(&old, &dir.path().join("old"));
    let new_path = write_run(&new, &dir.path().join("new"));
    let output = dlconform(
        dir.path(),
        &[
            "report",
            "diff",
            &old_path.display().to_string(),
            &new_path.display().to_string(),
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(dir.path().join("new/diff.md").is_file());
    assert!(dir.path().join("new/diff.html").is_file());
}

#[test]
fn report_diff_cli_exits_2_when_a_file_cannot_be_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (old, _) = old_and_new();
    let old_path = write_run(&old, &dir.path().join("old"));
    std::fs::write(dir.path().join("broken.json"), "{ not json").expect("written");
    for (a, b) in [
        (old_path.display().to_string(), "missing.json".to_string()),
        ("broken.json".to_string(), old_path.display().to_string()),
    ] {
        let output = dlconform(dir.path(), &["report", "diff", &a, &b]);
        assert_eq!(output.status.code(), Some(2), "{}", text(&output));
        assert!(
            text(&output).contains("dlconform report diff:"),
            "{}",
            text(&output)
        );
    }
}
