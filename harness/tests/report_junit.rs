//! junit.xml: parses back with quick-junit, with the right suites, failures, skipped and notes.

mod report_support;

use dlconform::report::{MergedResults, junit, merge};
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus};
use report_support::{run_of, sample_cases, sample_run};

fn parse(results: &MergedResults) -> Report {
    let xml = junit::render(results).expect("junit.xml rendered");
    Report::deserialize_from_str(&xml).unwrap_or_else(|err| panic!("{err}\n{xml}"))
}

fn find<'a>(report: &'a Report, name: &str) -> &'a TestCase {
    report
        .test_suites
        .iter()
        .flat_map(|s| &s.test_cases)
        .find(|c| c.name.as_str() == name)
        .unwrap_or_else(|| panic!("no test case {name}"))
}

#[test]
fn report_junit_counts_failures_and_skips() {
    let report = parse(&MergedResults::from(sample_run()));
    assert_eq!(report.tests, 9);
    assert_eq!(report.failures, 3, "TIMEOUT, FAIL, XPASS");
    assert_eq!(report.errors, 2, "CRASH, ERROR");
    let skipped: usize = report.test_suites.iter().map(|s| s.skipped).sum();
    assert_eq!(skipped, 2, "SKIP and UNSUPPORTED");
    let suites: Vec<&str> = report.test_suites.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(suites, ["douyin", "wechat", "baidu"]);
}

#[test]
fn report_junit_failure_has_expected_and_actual() {
    let report = parse(&MergedResults::from(sample_run()));
    let case = find(&report, "douyin/download/tls/self-signed");
    match &case.status {
        TestCaseStatus::NonSuccess {
            message,
            ty,
            description,
            ..
        } => {
            let message = message.as_ref().map(|m| m.as_str()).unwrap_or_default();
            assert!(
                message.starts_with("FAIL (expected PASS): errno"),
                "{message}"
            );
            assert_eq!(ty.as_ref().map(|t| t.as_str()), Some("FAIL"));
            let description = description.as_ref().map(|d| d.as_str()).unwrap_or_default();
            assert!(description.contains("expected: 10202"), "{description}");
            assert!(description.contains("actual:   10200"), "{description}");
            assert!(description.contains("errMsg (call 0)"), "{description}");
        }
        other => panic!("not a failure: {other:?}"),
    }
}

#[test]
fn report_junit_xfail_passes_with_note() {
    let report = parse(&MergedResults::from(sample_run()));
    let case = find(&report, "wechat/download/header/referer");
    assert!(matches!(case.status, TestCaseStatus::Success { .. }));
    assert!(
        case.properties
            .iter()
            .any(|p| p.name.as_str() == "xfail" && p.value.as_str() == "true"),
        "{:?}",
        case.properties
    );
    let out = case
        .system_out
        .as_ref()
        .map(|s| s.as_str())
        .unwrap_or_default();
    assert!(out.starts_with("XFAIL: failed as expected"), "{out}");
    assert!(out.contains("known bug"), "{out}");
    let skipped = find(&report, "baidu/upload/ok/basic");
    assert!(matches!(skipped.status, TestCaseStatus::Skipped { .. }));
}

#[test]
fn report_junit_one_suite_per_candidate_and_platform_when_merged() {
    let merged = merge::merge(vec![
        MergedResults::from(sample_run()),
        MergedResults::from(run_of("other", "2.0.0", sample_cases())),
    ])
    .expect("merged");
    let report = parse(&merged.merged);
    let suites: Vec<&str> = report.test_suites.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        suites,
        [
            "fixture 1.0.0 / douyin",
            "fixture 1.0.0 / wechat",
            "fixture 1.0.0 / baidu",
            "other 2.0.0 / douyin",
            "other 2.0.0 / wechat",
            "other 2.0.0 / baidu",
        ]
    );
    assert_eq!(report.tests, 18);
    assert_eq!(report.failures, 6);
    assert_eq!(report.errors, 4);
}

#[test]
fn report_junit_crash_and_error_are_errors_timeout_a_typed_failure() {
    let report = parse(&MergedResults::from(sample_run()));
    for (id, kind, ty) in [
        (
            "wechat/download/abort/before-headers",
            NonSuccessKind::Error,
            "CRASH",
        ),
        (
            "wechat/download/params/bad-url",
            NonSuccessKind::Error,
            "ERROR",
        ),
        (
            "douyin/download/timeout/headers-late",
            NonSuccessKind::Failure,
            "TIMEOUT",
        ),
    ] {
        match &find(&report, id).status {
            TestCaseStatus::NonSuccess {
                kind: got, ty: t, ..
            } => {
                assert_eq!(*got, kind, "{id}");
                assert_eq!(t.as_ref().map(|t| t.as_str()), Some(ty), "{id}");
            }
            other => panic!("{id}: not a failure or error: {other:?}"),
        }
    }
}

#[test]
fn report_junit_suites_have_the_run_start_as_timestamp() {
    let report = parse(&MergedResults::from(sample_run()));
    assert!(!report.test_suites.is_empty());
    for suite in &report.test_suites {
        let stamp = suite
            .timestamp
            .unwrap_or_else(|| panic!("suite {} has no timestamp", suite.name.as_str()));
        assert_eq!(
            stamp.to_rfc3339(),
            "2025-01-01T12:00:00+00:00",
            "{}",
            suite.name.as_str()
        );
    }
}

#[test]
fn report_junit_classnames_have_no_version_dots() {
    let merged = merge::merge(vec![
        MergedResults::from(sample_run()),
        MergedResults::from(run_of("other", "2.0.0", sample_cases())),
    ])
    .expect("merged");
    let report = parse(&merged.merged);
    let case = report.test_suites[0]
        .test_cases
        .first()
        .expect("a test case");
    let classname = case.classname.as_ref().map(|c| c.as_str().to_string());
    assert_eq!(
        classname.as_deref(),
        Some("fixture_1_0_0.douyin.downloadFile")
    );
    for case in report.test_suites.iter().flat_map(|s| &s.test_cases) {
        let classname = case
            .classname
            .as_ref()
            .map(|c| c.as_str().to_string())
            .unwrap_or_default();
        assert_eq!(classname.matches('.').count(), 2, "{classname}");
    }
}

#[test]
fn report_junit_marks_a_case_with_only_recommended_failures() {
    use dlconform::spec::model::Tier;
    let mut cases = sample_cases();
    let case = cases
        .iter_mut()
        .find(|c| c.id == "douyin/download/tls/self-signed")
        .expect("sample case");
    for failure in &mut case.failures {
        failure.tier = Tier::Recommended;
    }
    let report = parse(&MergedResults::from(run_of("c", "1", cases)));
    let case = find(&report, "douyin/download/tls/self-signed");
    let property = |name: &str| {
        case.properties
            .iter()
            .find(|p| p.name.as_str() == name)
            .map(|p| p.value.to_string())
    };
    assert_eq!(property("tier").as_deref(), Some("required"));
    assert_eq!(property("counted-tier").as_deref(), Some("recommended"));
    match &case.status {
        TestCaseStatus::NonSuccess {
            message,
            description,
            ..
        } => {
            let message = message
                .as_deref()
                .map(|m| m.to_string())
                .unwrap_or_default();
            assert!(
                message.contains("only recommended checks failed"),
                "{message}"
            );
            let description = description
                .as_deref()
                .map(|d| d.to_string())
                .unwrap_or_default();
            assert!(description.contains("errno [recommended]"), "{description}");
        }
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[test]
fn report_junit_not_applicable_is_skipped_with_its_reason() {
    let report = parse(&MergedResults::from(report_support::lacking_run()));
    assert_eq!(report.failures, 1, "only the FAIL");
    let na = find(&report, "wechat/download/offline/mid-body");
    match &na.status {
        TestCaseStatus::Skipped {
            message, ty: kind, ..
        } => {
            let message = message.as_ref().map(|m| m.as_str()).unwrap_or_default();
            assert!(message.contains("lacks `host-events`"), "{message}");
            assert_eq!(kind.as_ref().map(|t| t.as_str()), Some("N/A"));
        }
        other => panic!("N/A should be skipped, got {other:?}"),
    }
    let partly = find(&report, "wechat/download/success/temp-file");
    assert!(matches!(partly.status, TestCaseStatus::Success { .. }));
    assert!(
        partly
            .properties
            .iter()
            .any(|p| p.name.as_str() == "not-applicable"
                && p.value.as_str() == "file.matches-body (files)"),
        "{:?}",
        partly.properties
    );
}
