//! The behaviours table (`report::behaviours`) over two small hand-built candidates: counts per
//! check and candidate, row order, defect rows known or unexpected, markdown and HTML.

mod report_support;

use dlconform::report::behaviours::{self, Counts, DefectCell};
use dlconform::report::{CandidateRun, MergedResults};
use dlconform::results::{CaseResult, KnownBy, RunResults};
use dlconform::spec::model::Tier;
use dlconform::verdict::{CheckFailure, NotApplicable, Status};
use report_support::{case, run_of};
use serde_json::json;

fn judged(id: &str, status: Status, checks: &[&str]) -> CaseResult {
    let mut c = case(id, Tier::Required, Status::Pass, status);
    c.judged = checks.iter().map(|s| s.to_string()).collect();
    c
}

fn failure(check: &str, message: &str) -> CheckFailure {
    CheckFailure {
        check: check.to_string(),
        call: None,
        expected: json!(2),
        actual: json!(1),
        message: message.to_string(),
        tier: Tier::Required,
        known: None,
    }
}

fn na(check: &str) -> NotApplicable {
    NotApplicable {
        check: check.to_string(),
        capability: "files".to_string(),
        reason: "the candidate lacks `files`".to_string(),
    }
}

/// `alpha 1.0`: two PASS, two FAIL on errno (one failing it twice), one N/A, one SKIP.
fn alpha() -> RunResults {
    let pass = judged(
        "wechat/download/a/one",
        Status::Pass,
        &[
            "callback-order.result",
            "outcome",
            "fields.tempFilePath",
            "errno",
        ],
    );
    let mut fail = judged(
        "wechat/download/a/two",
        Status::Fail,
        &["callback-order.result", "outcome", "errno"],
    );
    fail.failures = vec![failure("errno", "errNo differs from the document")];
    let mut twice = judged(
        "wechat/download/a/three",
        Status::Fail,
        &["callback-order.result", "errno"],
    );
    twice.failures = vec![
        failure("errno", "errNo differs from the document"),
        failure("errno", "errNo differs from the document"),
    ];
    let mut not_applicable = case(
        "wechat/download/a/four",
        Tier::Required,
        Status::Pass,
        Status::NotApplicable,
    );
    not_applicable.not_applicable = vec![NotApplicable {
        check: "case".to_string(),
        ..na("case")
    }];
    let mut partly = judged(
        "wechat/download/a/five",
        Status::Pass,
        &["callback-order.result", "outcome"],
    );
    partly.not_applicable = vec![na("fields.tempFilePath")];
    let skip = case(
        "wechat/download/a/six",
        Tier::Required,
        Status::Skip,
        Status::Skip,
    );
    run_of(
        "alpha",
        "1.0",
        vec![pass, fail, twice, not_applicable, partly, skip],
    )
}

/// `beta <2.0>`: one PASS, one FAIL on errno (known), one TIMEOUT.
fn beta() -> RunResults {
    let pass = judged(
        "wechat/download/a/one",
        Status::Pass,
        &["callback-order.result", "outcome", "errno"],
    );
    let mut fail = judged(
        "wechat/download/a/two",
        Status::Fail,
        &["callback-order.result", "errno"],
    );
    fail.failures = vec![failure("errno", "errNo differs from the document")];
    let mut timeout = case(
        "wechat/download/a/three",
        Tier::Required,
        Status::Pass,
        Status::Timeout,
    );
    timeout.reason = Some("no complete within 5000 ms".to_string());
    let mut run = run_of("beta", "<2.0>", vec![pass, fail, timeout]);
    for defect in &mut run.defects {
        if defect.check == "errno" {
            defect.known = Some(KnownBy {
                at: "beta.yaml:3:5".to_string(),
                reason: None,
                bug: None,
                evidence: None,
            });
        }
    }
    run
}

fn merged() -> MergedResults {
    let mut merged = MergedResults::single(alpha(), "alpha/results.json");
    let beta = beta();
    merged.candidates.push(CandidateRun {
        label: "beta <2.0>".to_string(),
        sources: Vec::new(),
        results: beta,
    });
    merged
}

fn counts(pass: usize, fail: usize, na: usize) -> Counts {
    Counts { pass, fail, na }
}

#[test]
fn behaviours_rows_are_ordered_by_family_then_id() {
    let rows = behaviours::rows(&merged());
    let checks: Vec<&str> = rows.iter().map(|r| r.check.as_str()).collect();
    assert_eq!(
        checks,
        vec![
            "callback-order.result",
            "errno",
            "outcome",
            "fields.tempFilePath",
            "case",
            "timeout"
        ]
    );
    let families: Vec<&str> = rows.iter().map(|r| r.family).collect();
    assert_eq!(
        families,
        vec!["order", "outcome", "outcome", "fields", "other", "other"]
    );
}

#[test]
fn behaviours_count_pass_fail_and_na_once_per_case() {
    let rows = behaviours::rows(&merged());
    let cells = |check: &str| {
        rows.iter()
            .find(|r| r.check == check)
            .map(|r| r.cells.clone())
            .unwrap_or_else(|| panic!("no row {check}"))
    };
    assert_eq!(
        cells("callback-order.result"),
        vec![counts(4, 0, 0), counts(2, 0, 0)]
    );
    // A case failing errno twice counts once; a failed check does not also count as passed.
    assert_eq!(cells("errno"), vec![counts(1, 2, 0), counts(1, 1, 0)]);
    assert_eq!(cells("outcome"), vec![counts(3, 0, 0), counts(1, 0, 0)]);
    // Not applicable in a judged case; never ran for beta.
    assert_eq!(
        cells("fields.tempFilePath"),
        vec![counts(1, 0, 1), counts(0, 0, 0)]
    );
    // The N/A case's entry.
    assert_eq!(cells("case"), vec![counts(0, 0, 1), counts(0, 0, 0)]);
    // A TIMEOUT judged no check: its defect has a row whose cells count nothing.
    assert_eq!(cells("timeout"), vec![counts(0, 0, 0), counts(0, 0, 0)]);
}

#[test]
fn behaviours_defects_are_grouped_across_candidates_known_or_unexpected() {
    let rows = behaviours::rows(&merged());
    let errno = rows.iter().find(|r| r.check == "errno").expect("errno row");
    assert_eq!(errno.defects.len(), 1, "{:?}", errno.defects);
    let defect = &errno.defects[0];
    assert_eq!(
        defect.cells,
        vec![
            // No expectations entry in alpha: unexpected there.
            Some(DefectCell {
                cases: 2,
                known: false
            }),
            Some(DefectCell {
                cases: 1,
                known: true
            }),
        ]
    );
    let timeout = rows
        .iter()
        .find(|r| r.check == "timeout")
        .expect("timeout row");
    assert_eq!(timeout.defects.len(), 1);
    assert_eq!(
        timeout.defects[0].cells,
        vec![
            None,
            Some(DefectCell {
                cases: 1,
                known: false
            })
        ]
    );
    // Checks that never failed have no defect rows.
    assert!(
        rows.iter()
            .filter(|r| r.check != "errno" && r.check != "timeout")
            .all(|r| r.defects.is_empty())
    );
}

#[test]
fn behaviours_markdown_table() {
    let merged = merged();
    let mut out = String::new();
    behaviours::markdown(&mut out, &merged);
    assert!(out.starts_with("#### Behaviours\n"), "{out}");
    assert!(
        out.contains("| Check | alpha 1.0 | beta &lt;2.0> |\n|---|---|---|\n"),
        "{out}"
    );
    assert!(
        out.contains("| `errno` | 1 pass · 2 fail | 1 pass · 1 fail |\n"),
        "{out}"
    );
    assert!(
        out.contains("| `fields.tempFilePath` | 1 pass · 1 n/a | — |\n"),
        "{out}"
    );
    let message = &rows_defect_message(&merged, "errno");
    assert!(
        out.contains(&format!(
            "| &nbsp;&nbsp;↳ `{message}` | 2 cases (unexpected) | 1 case (known) |\n"
        )),
        "{out}"
    );
    assert!(
        out.contains("| 1 case (unexpected) |\n"),
        "the timeout defect in beta only: {out}"
    );
    // Order in the text follows the rows.
    let at = |needle: &str| {
        out.find(needle)
            .unwrap_or_else(|| panic!("{needle}: {out}"))
    };
    assert!(at("`callback-order.result`") < at("`errno`"));
    assert!(at("`outcome`") < at("`fields.tempFilePath`"));
}

fn rows_defect_message(merged: &MergedResults, check: &str) -> String {
    behaviours::rows(merged)
        .into_iter()
        .find(|r| r.check == check)
        .and_then(|r| r.defects.into_iter().next())
        .map(|d| d.message)
        .expect("a defect")
}

#[test]
fn behaviours_markdown_without_checks_says_so() {
    let merged = MergedResults::single(run_of("empty", "0", Vec::new()), "");
    let mut out = String::new();
    behaviours::markdown(&mut out, &merged);
    assert_eq!(out, "#### Behaviours\n\nNo check ran.\n\n");
}

#[test]
fn behaviours_html_table_escapes_and_marks_defects() {
    let html = behaviours::html(&merged());
    assert!(
        html.starts_with("<section id=\"behaviours\"><table class=\"behaviours\">"),
        "{html}"
    );
    assert!(html.ends_with("</table></section>"), "{html}");
    assert!(html.contains("<th>beta &lt;2.0&gt;</th>"), "{html}");
    assert!(!html.contains("<2.0>"), "{html}");
    assert!(
        html.contains("<td class=\"fail\">1 pass · 2 fail</td>"),
        "{html}"
    );
    assert!(html.contains("<td class=\"never\">—</td>"), "{html}");
    assert!(
        html.contains("<td class=\"unexpected\">2 cases (unexpected)</td><td class=\"known\">1 case (known)</td>"),
        "{html}"
    );
    assert_eq!(html.matches("<tr class=\"check\"").count(), 6, "{html}");
    assert_eq!(html.matches("<tr class=\"defect\"").count(), 2, "{html}");
}
