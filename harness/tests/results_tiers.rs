//! Per-check tiers in results: a required case whose only failed checks are recommended is a
//! recommended failure (reported, not failing the run unless `--strict`); one required failed
//! check fails the run.

mod report_support;

use dlconform::cli::run::exit_code_with;
use dlconform::results::Summary;
use dlconform::spec::model::Tier;
use dlconform::verdict::{CheckFailure, Status};
use report_support::{case, run_of};
use serde_json::json;

fn failed(check: &str, tier: Tier) -> CheckFailure {
    CheckFailure {
        check: check.to_string(),
        call: None,
        expected: json!(1),
        actual: json!(2),
        message: format!("{check} did not hold"),
        tier,
        known: None,
    }
}

#[test]
fn results_only_recommended_checks_failed_is_a_recommended_failure() {
    let mut open_errno = case(
        "douyin/download/body/truncated",
        Tier::Required,
        Status::Pass,
        Status::Fail,
    );
    open_errno.failures = vec![failed("errno", Tier::Recommended)];
    let summary = Summary::of(std::slice::from_ref(&open_errno));
    assert_eq!(summary.unexpected_required, Vec::<String>::new());
    assert_eq!(
        summary.unexpected_recommended,
        vec!["douyin/download/body/truncated".to_string()]
    );
    assert!(summary.ok);
    let run = run_of("c", "1", vec![open_errno.clone()]);
    assert_eq!(exit_code_with(&run, false), 0);
    assert_eq!(exit_code_with(&run, true), 1, "--strict fails on it");
}

#[test]
fn results_one_required_check_fails_the_run() {
    let mut written = case(
        "douyin/download/body/truncated",
        Tier::Required,
        Status::Pass,
        Status::Fail,
    );
    written.failures = vec![
        failed("errno", Tier::Recommended),
        failed("file.written", Tier::Required),
    ];
    let summary = Summary::of(std::slice::from_ref(&written));
    assert_eq!(
        summary.unexpected_required,
        vec!["douyin/download/body/truncated".to_string()]
    );
    assert!(!summary.ok);
    assert_eq!(exit_code_with(&run_of("c", "1", vec![written]), false), 1);
}

#[test]
fn results_statuses_other_than_fail_keep_the_case_tier() {
    let timeout = case(
        "douyin/download/body/truncated",
        Tier::Required,
        Status::Pass,
        Status::Timeout,
    );
    assert_eq!(timeout.counted_tier(), Tier::Required);
}

#[test]
fn results_failure_tier_reads_back_and_defaults_to_required() {
    let old = json!({"check": "errno", "expected": 1, "actual": 2, "message": "m"});
    let read: CheckFailure = serde_json::from_value(old).expect("old failure parses");
    assert_eq!(read.tier, Tier::Required);
    let text = serde_json::to_value(failed("errno", Tier::Recommended)).expect("serialises");
    assert_eq!(text["tier"], json!("recommended"));
}
