//! `junit.xml`: one test suite per platform (per candidate and platform when several candidates
//! are merged), one test case per case.
//!
//! Unexpected FAIL, TIMEOUT and XPASS are `<failure>`s (typed with the status), unexpected CRASH
//! and ERROR are `<error>`s (the candidate or the protocol broke, not a check); SKIP,
//! UNSUPPORTED and N/A are skipped (checks not applicable are a `not-applicable` property); PASS and XFAIL pass (XFAIL with a property and a note), as does any
//! other status the expectations said it would get. Each suite carries the run's start as its
//! timestamp; classnames are dot-separated `candidate.platform.api` with no other dots (a
//! version's dots become `_`), so viewers do not split a version into packages.
//!
//! Retries follow nextest's convention (Maven Surefire's): a FLAKY case is a passing test case
//! with one `<flakyFailure>` (or `<flakyError>`) per try that was not as expected, and a case
//! still not as expected after its retries is a `<failure>` (or `<error>`) with one
//! `<rerunFailure>` (or `<rerunError>`) per earlier try; both carry an `attempts` property.

use std::fmt::Write;
use std::time::Duration;

use quick_junit::{
    NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestRerun, TestSuite,
};

use super::{MergedResults, ReportError};
use crate::results::{Attempt, CaseResult};
use crate::verdict::Status;

/// Candidate output kept in a test case's system-out.
const LOG_MAX: usize = 4000;

/// The whole `junit.xml`.
pub fn render(results: &MergedResults) -> Result<String, ReportError> {
    Ok(report(results).to_string()?)
}

/// The report as quick-junit's types.
pub fn report(results: &MergedResults) -> Report {
    let mut report = Report::new("dlconform");
    let several = results.candidates.len() > 1;
    let mut total = Duration::ZERO;
    for candidate in &results.candidates {
        let run = &candidate.results;
        // Platforms in the order their first case ran.
        let mut platforms: Vec<&str> = Vec::new();
        for case in &run.cases {
            if !platforms.contains(&case.platform.as_str()) {
                platforms.push(&case.platform);
            }
        }
        for platform in platforms {
            let name = if several {
                format!("{} / {platform}", candidate.label)
            } else {
                platform.to_string()
            };
            let mut suite = TestSuite::new(name);
            if let Some(started) = timestamp(&run.run.started_at) {
                suite.set_timestamp(started);
            }
            suite.add_property(Property::new("candidate", candidate.label.as_str()));
            suite.add_property(Property::new("run", run.run.id.as_str()));
            let mut time = Duration::ZERO;
            for case in run.cases.iter().filter(|c| c.platform == platform) {
                time += Duration::from_millis(case.duration_ms);
                suite.add_test_case(test_case(case, several.then_some(&candidate.label)));
            }
            suite.set_time(time);
            total += time;
            report.add_test_suite(suite);
        }
    }
    report.set_time(total);
    report
}

fn test_case(case: &CaseResult, candidate: Option<&String>) -> TestCase {
    let mut test = TestCase::new(case.id.as_str(), status(case));
    let classname = match candidate {
        Some(label) => format!(
            "{}.{}.{}",
            class_segment(label),
            class_segment(&case.platform),
            class_segment(&case.api)
        ),
        None => format!(
            "{}.{}",
            class_segment(&case.platform),
            class_segment(&case.api)
        ),
    };
    test.set_classname(classname);
    test.set_time(Duration::from_millis(case.duration_ms));
    test.add_property(Property::new("tier", case.tier.name()));
    if case.unexpected() {
        // Required and recommended failures apart: only a required one fails the run.
        test.add_property(Property::new("counted-tier", case.counted_tier().name()));
    }
    test.add_property(Property::new("status", case.status.name()));
    test.add_property(Property::new("expected", case.expected.name()));
    if case.status == Status::Xfail {
        test.add_property(Property::new("xfail", "true"));
    }
    if !case.not_applicable.is_empty() {
        let checks: Vec<String> = case
            .not_applicable
            .iter()
            .map(|n| format!("{} ({})", n.check, n.capability))
            .collect();
        test.add_property(Property::new("not-applicable", checks.join(", ")));
    }
    if !case.attempts.is_empty() {
        test.add_property(Property::new(
            "attempts",
            case.attempts.len().to_string().as_str(),
        ));
    }
    if let Some(note) = pass_note(case) {
        test.set_system_out(note);
    } else if let Some(log) = case.observation.as_ref().map(|o| o.log.as_str()) {
        if !log.is_empty() {
            test.set_system_out(bounded(log, LOG_MAX));
        }
    }
    test
}

/// One part of a classname: anything but letters, digits, `-` and `_` (a version's dots, spaces)
/// becomes `_`, since viewers read dots as package levels.
pub fn class_segment(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The run's start (RFC 3339) as a suite timestamp; none when it does not parse.
fn timestamp(rfc3339: &str) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    chrono::DateTime::parse_from_rfc3339(rfc3339).ok()
}

/// Whether the status counts as a JUnit failure or error.
fn is_failure(case: &CaseResult) -> bool {
    match case.status {
        Status::Xpass => true,
        Status::Fail | Status::Timeout | Status::Crash | Status::Error => case.unexpected(),
        Status::Pass
        | Status::Xfail
        | Status::Flaky
        | Status::Skip
        | Status::Unsupported
        | Status::NotApplicable => false,
    }
}

fn status(case: &CaseResult) -> TestCaseStatus {
    let mut status = main_status(case);
    // Every try but the last (which is the case itself) is a flaky or rerun element.
    let earlier = case.attempts.len().saturating_sub(1);
    status.add_reruns(case.attempts[..earlier].iter().map(rerun));
    status
}

/// One earlier try as a `<flakyFailure>`/`<rerunFailure>` (`...Error` for CRASH and ERROR).
fn rerun(attempt: &Attempt) -> TestRerun {
    let kind = match attempt.status {
        Status::Crash | Status::Error => NonSuccessKind::Error,
        _ => NonSuccessKind::Failure,
    };
    let mut rerun = TestRerun::new(kind);
    rerun.set_type(attempt.status.name());
    rerun.set_message(crate::runner::retry::describe(attempt));
    rerun.set_time(Duration::from_millis(attempt.duration_ms));
    let mut text = String::new();
    for failure in &attempt.failures {
        let _ = writeln!(
            text,
            "{} [{}]: {}\n  expected: {}\n  actual:   {}",
            failure.check,
            failure.tier.name(),
            failure.message,
            failure.expected,
            failure.actual
        );
    }
    if !text.is_empty() {
        rerun.set_description(text);
    }
    rerun
}

fn main_status(case: &CaseResult) -> TestCaseStatus {
    match case.status {
        Status::Skip | Status::Unsupported | Status::NotApplicable => {
            let mut status = TestCaseStatus::skipped();
            status.set_type(case.status.name());
            status.set_message(
                case.reason
                    .clone()
                    .unwrap_or_else(|| case.status.name().to_string()),
            );
            status
        }
        _ if is_failure(case) => {
            let kind = match case.status {
                Status::Crash | Status::Error => NonSuccessKind::Error,
                _ => NonSuccessKind::Failure,
            };
            let mut status = TestCaseStatus::non_success(kind);
            status.set_type(case.status.name());
            status.set_message(failure_message(case));
            status.set_description(details(case));
            status
        }
        _ => TestCaseStatus::success(),
    }
}

/// One line: the status, what was expected, and the first reason.
fn failure_message(case: &CaseResult) -> String {
    let mut message = format!("{} (expected {})", case.status.name(), case.expected.name());
    if case.counted_tier() != case.tier {
        message.push_str(" [only recommended checks failed]");
    }
    if let Some(reason) = &case.reason {
        let _ = write!(message, ": {}", reason.lines().next().unwrap_or_default());
    } else if let Some(first) = case.failures.first() {
        let _ = write!(message, ": {}: {}", first.check, first.message);
        if case.failures.len() > 1 {
            let _ = write!(message, " (+{} more)", case.failures.len() - 1);
        }
    } else if case.status == Status::Xpass {
        message.push_str(": passed though expected to fail; update the expectations file");
    }
    message
}

/// Every failed check with expected and actual, then the reason.
fn details(case: &CaseResult) -> String {
    let mut text = format!("{}\n{}\n", case.summary, case.source);
    if let Some(reason) = &case.reason {
        let _ = writeln!(text, "reason: {reason}");
    }
    for failure in &case.failures {
        let call = failure
            .call
            .map(|c| format!(" (call {c})"))
            .unwrap_or_default();
        let _ = writeln!(
            text,
            "\n{}{call} [{}]: {}",
            failure.check,
            failure.tier.name(),
            failure.message
        );
        let _ = writeln!(text, "  expected: {}", failure.expected);
        let _ = writeln!(text, "  actual:   {}", failure.actual);
    }
    text
}

/// A note for cases that pass only because the expectations said so.
fn pass_note(case: &CaseResult) -> Option<String> {
    match case.status {
        Status::Pass | Status::Skip | Status::Unsupported | Status::NotApplicable => None,
        Status::Flaky => Some(format!("FLAKY: as expected on a retry\n{}", details(case))),
        Status::Xfail => Some(format!(
            "XFAIL: failed as expected{}\n{}",
            case.reason
                .as_deref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default(),
            details(case)
        )),
        status if !is_failure(case) => Some(format!(
            "{} as the expectations say\n{}",
            status.name(),
            details(case)
        )),
        _ => None,
    }
}

fn bounded(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}\n... ({} more bytes)", &text[..end], text.len() - end)
}
