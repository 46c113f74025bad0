//! `dlconform report merge|render` and the reports `dlconform run` writes, end to end through
//! the binary: files written, exit codes, conflict messages, help with examples.

mod cli_support;
use cli_support::{dlconform, text};

mod report_support;

use std::path::{Path, PathBuf};

use dlconform::report::load_results;
use dlconform::verdict::Status;
use report_support::{run_of, sample_cases, write_run};

/// The sample cases split in two partitions, written as results files.
fn partitions(dir: &Path) -> (PathBuf, PathBuf) {
    let (mut one, mut two) = (Vec::new(), Vec::new());
    for (i, case) in sample_cases().into_iter().enumerate() {
        if i % 2 == 0 {
            one.push(case)
        } else {
            two.push(case)
        }
    }
    let mut first = run_of("fixture", "1.0.0", one);
    first.run.partition = Some("1/2".to_string());
    let mut second = run_of("fixture", "1.0.0", two);
    second.run.partition = Some("2/2".to_string());
    (
        write_run(&first, &dir.join("p1")),
        write_run(&second, &dir.join("p2")),
    )
}

fn assert_reports(dir: &Path) {
    for name in ["report.md", "report.html", "junit.xml"] {
        let path = dir.join(name);
        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        assert!(size > 0, "{} missing or empty", path.display());
    }
}

#[test]
fn report_cli_merge_writes_merged_results_and_reports() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (p1, p2) = partitions(dir.path());
    let out = dir.path().join("merged");
    let output = dlconform(
        dir.path(),
        &[
            "report",
            "merge",
            &p1.display().to_string(),
            &p2.display().to_string(),
            "--out",
            "merged",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_reports(&out);
    let merged = load_results(&out.join("results.json")).expect("merged results");
    assert_eq!(merged.candidates.len(), 1);
    assert_eq!(merged.candidates[0].results.cases.len(), 9);
    assert_eq!(merged.candidates[0].sources.len(), 2);

    let strict = dlconform(
        dir.path(),
        &[
            "report",
            "merge",
            &p1.display().to_string(),
            &p2.display().to_string(),
            "--out",
            "strict",
            "--fail-on-unexpected",
        ],
    );
    assert_eq!(strict.status.code(), Some(1), "{}", text(&strict));
    assert_reports(&dir.path().join("strict"));
}

#[test]
fn report_cli_merge_conflict_exits_2_naming_the_case() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (p1, _) = partitions(dir.path());
    let mut cases = sample_cases();
    cases.truncate(1);
    cases[0].status = Status::Fail;
    let mut changed = run_of("fixture", "1.0.0", cases);
    changed.run.partition = Some("2/2".to_string());
    let p2 = write_run(&changed, &dir.path().join("changed"));
    let output = dlconform(
        dir.path(),
        &[
            "report",
            "merge",
            &p1.display().to_string(),
            &p2.display().to_string(),
            "--out",
            "out",
        ],
    );
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("douyin/download/ok/temp-file"), "{stderr}");
    assert!(stderr.contains("status PASS vs FAIL"), "{stderr}");
    assert!(!dir.path().join("out/results.json").exists());
}

#[test]
fn report_cli_render_writes_next_to_the_results() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (p1, _) = partitions(dir.path());
    let output = dlconform(dir.path(), &["report", "render", &p1.display().to_string()]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_reports(dir.path().join("p1").as_path());
    let missing = dlconform(dir.path(), &["report", "render", "nope.json"]);
    assert_eq!(missing.status.code(), Some(2), "{}", text(&missing));
}

#[test]
fn report_cli_help_teaches_with_examples() {
    let dir = tempfile::tempdir().expect("tempdir");
    for args in [
        &["report", "--help"][..],
        &["report", "merge", "--help"][..],
        &["report", "render", "--help"][..],
    ] {
        let output = dlconform(dir.path(), args);
        assert_eq!(output.status.code(), Some(0), "{}", text(&output));
        let help = String::from_utf8_lossy(&output.stdout);
        assert!(help.contains("Examples:"), "{args:?}: {help}");
        assert!(help.contains("dlconform report"), "{args:?}: {help}");
    }
}

#[test]
fn report_cli_run_writes_the_reports() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../specs/wechat.yaml")
        .display()
        .to_string();
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
            "download/success/temp-file",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let latest = dir.path().join("reports/latest");
    assert_reports(&latest);
    let markdown = std::fs::read_to_string(latest.join("report.md")).expect("report.md");
    assert!(
        markdown.contains("every required case as expected"),
        "{markdown}"
    );
}
