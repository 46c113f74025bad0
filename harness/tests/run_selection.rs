//! Selecting cases for `dlconform run`: `--filter` expressions, `--list` and `--rerun-failed`,
//! and how they compose with `--platform`, `--case` and `--partition`.

mod cli_support;
use cli_support::{dlconform, text, workspace};

use std::path::Path;

use dlconform::results::RunResults;
use dlconform::verdict::Status;

fn specs() -> String {
    workspace().join("specs").display().to_string()
}

/// The ids `run --list` prints for these extra arguments (exit 0 asserted).
fn listed(cwd: &Path, extra: &[&str]) -> Vec<String> {
    let specs = specs();
    let mut args = vec!["run", "--no-lint", "--specs", &specs, "--list"];
    args.extend_from_slice(extra);
    let output = dlconform(cwd, &args);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    let mut lines = stdout.lines();
    assert_eq!(
        lines
            .next()
            .map(|l| l.split_whitespace().collect::<Vec<_>>()),
        Some(vec!["id", "platform", "api", "tier"]),
        "{stdout}"
    );
    let ids: Vec<String> = lines
        .map(|l| l.split_whitespace().next().unwrap_or_default().to_string())
        .collect();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(&format!("{} case", ids.len())), "{stderr}");
    ids
}

#[test]
fn filter_selects_by_platform_id_tier_and_api_and_list_shows_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cwd = dir.path();
    let wechat = listed(cwd, &["--filter", "platform(wechat)"]);
    let success = listed(
        cwd,
        &["--filter", "platform(wechat) and id(download/success/*)"],
    );
    let rest = listed(
        cwd,
        &[
            "--filter",
            "platform(wechat) and not id(download/success/*)",
        ],
    );
    assert!(success.len() >= 3, "{success:?}");
    assert!(
        success
            .iter()
            .all(|id| id.starts_with("wechat/download/success/"))
    );
    assert!(!rest.iter().any(|id| success.contains(id)));
    assert_eq!(success.len() + rest.len(), wechat.len());
    // The same as --platform and --case.
    assert_eq!(
        listed(
            cwd,
            &["--platform", "wechat", "--case", "download/success/*"]
        ),
        success
    );
    // Two --filter flags must both hold; they compose with --case.
    assert_eq!(
        listed(
            cwd,
            &[
                "--filter",
                "platform(wechat)",
                "--filter",
                "id(download/success/*)"
            ]
        ),
        success
    );
    let uploads = listed(cwd, &["--filter", "api(uploadFile) and tier(required)"]);
    assert!(!uploads.is_empty());
    assert!(
        uploads.iter().all(|id| id.starts_with("baidu/upload/")),
        "{uploads:?}"
    );
    let either = listed(
        cwd,
        &[
            "--filter",
            "(api(uploadFile) and tier(required)) or platform(wechat)",
        ],
    );
    assert_eq!(either.len(), uploads.len() + wechat.len());
    // A partition of the filtered cases is a subset of them.
    let part = listed(cwd, &["--filter", "platform(wechat)", "--partition", "1/2"]);
    assert!(!part.is_empty() && part.len() < wechat.len());
    assert!(part.iter().all(|id| wechat.contains(id)));
}

#[test]
fn a_bad_filter_names_its_column_and_exits_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let specs = specs();
    let output = dlconform(
        dir.path(),
        &[
            "run",
            "--specs",
            &specs,
            "--list",
            "--filter",
            "platform(douyin) and )",
        ],
    );
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("bad --filter at column 22: unexpected `)`; expected a predicate"),
        "{stderr}"
    );
    assert!(
        stderr.contains("  platform(douyin) and )\n                       ^"),
        "{stderr}"
    );
}

#[test]
fn rerun_failed_and_status_select_from_a_previous_results_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cwd = dir.path();
    let specs = specs();
    let first = dlconform(
        cwd,
        &[
            "run",
            "--no-lint",
            "--specs",
            &specs,
            "--platform",
            "wechat",
            "--case",
            "download/success/*",
            "--out",
            "first",
        ],
    );
    assert_eq!(first.status.code(), Some(0), "{}", text(&first));
    let path = cwd.join("first/results.json");
    let mut results = RunResults::read(&path).expect("results");
    assert!(results.cases.len() >= 3);
    assert!(results.cases.iter().all(|c| !c.unexpected()));

    // Every case as expected: nothing to rerun, and that is not a failure.
    let nothing = dlconform(
        cwd,
        &[
            "run",
            "--no-lint",
            "--specs",
            &specs,
            "--rerun-failed",
            "first/results.json",
        ],
    );
    assert_eq!(nothing.status.code(), Some(0), "{}", text(&nothing));
    assert!(String::from_utf8_lossy(&nothing.stdout).contains("nothing to rerun"));

    // Make one case a failure and another an expected failure (XFAIL is as expected).
    results.cases[1].status = Status::Fail;
    results.cases[2].status = Status::Xfail;
    let failed = results.cases[1].id.clone();
    let xfailed = results.cases[2].id.clone();
    std::fs::write(&path, serde_json::to_string_pretty(&results).expect("json")).expect("write");

    assert_eq!(
        listed(cwd, &["--rerun-failed", "first/results.json"]),
        vec![failed.clone()]
    );
    assert_eq!(
        listed(
            cwd,
            &[
                "--filter-results",
                "first/results.json",
                "--filter",
                "status(fail, xfail)"
            ]
        ),
        vec![failed.clone(), xfailed.clone()]
    );
    assert_eq!(
        listed(
            cwd,
            &["--filter", "status(xfail, results=first/results.json)"]
        ),
        vec![xfailed]
    );
    // Cases not in the file are `missing`; composed with --platform.
    let missing = listed(
        cwd,
        &[
            "--platform",
            "wechat",
            "--filter",
            "status(missing, results=first/results.json)",
        ],
    );
    assert!(!missing.is_empty());
    assert!(
        !missing
            .iter()
            .any(|id| results.cases.iter().any(|c| &c.id == id))
    );
    // The default file is reports/latest/results.json.
    std::fs::create_dir_all(cwd.join("reports/latest")).expect("mkdir");
    std::fs::copy(&path, cwd.join("reports/latest/results.json")).expect("copy");
    assert_eq!(listed(cwd, &["--rerun-failed"]), vec![failed.clone()]);
    // --rerun-failed composes with other selections: nothing of douyin failed.
    let none = dlconform(
        cwd,
        &[
            "run",
            "--no-lint",
            "--specs",
            &specs,
            "--list",
            "--rerun-failed",
            "--platform",
            "douyin",
        ],
    );
    assert_eq!(none.status.code(), Some(0), "{}", text(&none));
    assert!(String::from_utf8_lossy(&none.stderr).contains("0 cases selected"));

    // And it really runs only that case.
    let rerun = dlconform(
        cwd,
        &[
            "run",
            "--no-lint",
            "--specs",
            &specs,
            "--rerun-failed",
            "first/results.json",
            "--out",
            "second",
        ],
    );
    assert_eq!(rerun.status.code(), Some(0), "{}", text(&rerun));
    let second = RunResults::read(&cwd.join("second/results.json")).expect("results");
    let ids: Vec<&str> = second.cases.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, vec![failed.as_str()]);
    assert_eq!(second.cases[0].status, Status::Pass);
}
