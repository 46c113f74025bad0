//! Per-check tiers end to end through `dlconform run`: a mutant whose only failed checks in a
//! required case are the recommended ones (the errno a document leaves open) is reported as a
//! recommended failure and exits 0; `--strict` makes it fail the run; a mutant that breaks the
//! certain part of the same case fails the run.

mod cli_support;
use cli_support::{dlconform, text, workspace};

use dlconform::results::RunResults;
use dlconform::spec::model::Tier;
use dlconform::verdict::Status;

const CASE: &str = "douyin/download/tls/expired";
/// A truncated body: "fail, nothing written" required, the errno (one of three) recommended.
const TRUNCATED: &str = "douyin/download/body/reset-mid-body";

fn run(candidate: &str, case: &str, strict: bool) -> (std::process::Output, RunResults) {
    let out = tempfile::tempdir().expect("tempdir");
    let out_dir = out.path().display().to_string();
    let mut args = vec![
        "run",
        "--specs",
        "specs/douyin.yaml",
        "--candidate",
        candidate,
        "--case",
        case,
        "--out",
        &out_dir,
    ];
    if strict {
        args.push("--strict");
    }
    let output = dlconform(&workspace(), &args);
    let results = RunResults::read(&out.path().join("results.json"))
        .unwrap_or_else(|err| panic!("no results ({err}):\n{}", text(&output)));
    (output, results)
}

#[test]
fn tiers_open_errno_only_is_a_recommended_failure() {
    // Certificate errors reported as connection errors: the errno and text, which the spec
    // lowers to recommended, fail; "fail, nothing written" holds.
    let (output, results) = run("mutant:cert-as-network-error", CASE, false);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let case = &results.cases[0];
    assert_eq!(case.id, CASE);
    assert_eq!(case.tier, Tier::Required);
    assert_eq!(case.status, Status::Fail);
    assert!(!case.failures.is_empty());
    assert!(
        case.failures.iter().all(|f| f.tier == Tier::Recommended),
        "{:?}",
        case.failures
    );
    assert_eq!(
        results.summary.unexpected_recommended,
        vec![CASE.to_string()]
    );
    assert!(results.summary.unexpected_required.is_empty());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("recommended cases not as expected (1)"),
        "{stdout}"
    );

    let (strict, _) = run("mutant:cert-as-network-error", CASE, true);
    assert_eq!(strict.status.code(), Some(1), "{}", text(&strict));
}

#[test]
fn tiers_certain_part_broken_fails_the_run() {
    // A partial file kept after a failure breaks "nothing written", which stays required.
    let (output, results) = run("mutant:partial-file-kept", TRUNCATED, false);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let case = &results.cases[0];
    assert_eq!(case.id, TRUNCATED);
    assert!(
        case.failures
            .iter()
            .any(|f| f.tier == Tier::Required && f.check == "file.written"),
        "{:?}",
        case.failures
    );
    assert_eq!(
        results.summary.unexpected_required,
        vec![TRUNCATED.to_string()]
    );
}
