//! Every report starts with what was measured, per candidate: the library and runtime from the
//! hello, cases passed of ran, defects known and unexpected, and only then the verdict.

mod report_support;

use dlconform::report::{MergedResults, headline, markdown, merge};
use dlconform::results::KnownBy;
use dlconform::spec::model::Tier;
use dlconform::verdict::Status;
use report_support::{lacking_run, sample_run};

/// `lacking_run` with its one failure known to an entry, as a run judged it.
fn known_run() -> dlconform::results::RunResults {
    let mut run = lacking_run();
    let at = "candidates/lacking/expectations.yaml:3:3";
    for case in &mut run.cases {
        if case.status == Status::Fail {
            case.status = Status::Xfail;
            case.expected = Status::Fail;
            for failure in &mut case.failures {
                failure.known = Some(at.to_string());
            }
        }
    }
    run.summary = dlconform::results::Summary::of(&run.cases);
    run.defects = dlconform::defects::group(&run.cases, |at| {
        Some(KnownBy {
            at: at.to_string(),
            reason: Some("statusCode as a string".to_string()),
            bug: None,
            evidence: None,
        })
    });
    run
}

/// `sample_run` (declares nothing) and `known_run` (declares a library) as one matrix.
fn two_candidates() -> MergedResults {
    merge::merge(vec![
        MergedResults::from(sample_run()),
        MergedResults::from(known_run()),
    ])
    .expect("merged")
    .merged
}

#[test]
fn the_headline_names_the_library_and_counts_passes_and_defects() {
    let line = headline::line(&known_run());
    assert_eq!(
        line,
        "lacking (fixture-lib 1.2.3, chromium 131.0): 1 of 2 cases pass (1 N/A: not run), \
         1 defect known, 0 unexpected; every required case as expected"
    );
}

#[test]
fn an_unnamed_failure_is_an_unexpected_defect_and_the_verdict_says_the_run_fails() {
    let line = headline::line(&lacking_run());
    assert!(
        line.ends_with(
            "1 of 2 cases pass (1 N/A: not run), 0 defects known, 1 unexpected; \
             1 required not as expected: the run fails"
        ),
        "{line}"
    );
}

#[test]
fn a_timeout_without_a_failed_check_is_a_defect_of_its_own() {
    let run = sample_run();
    let timeout = run
        .defects
        .iter()
        .find(|d| d.check == "timeout")
        .expect("a timeout defect");
    assert_eq!(timeout.cases, ["douyin/download/timeout/headers-late"]);
    assert_eq!(timeout.tier, Tier::Required);
    assert!(timeout.known.is_none());
}

#[test]
fn report_md_starts_with_the_headline_then_the_defects() {
    let text = markdown::render(&MergedResults::from(known_run()));
    let first = text.lines().next().unwrap_or_default();
    assert_eq!(
        first,
        format!("## dlconform: {}", headline::line(&known_run()))
    );
    let defects = text.find("#### Defects: 1 (1 known, 0 unexpected)");
    let cases = text.find("#### Cases that did not pass");
    assert!(defects.is_some() && defects < cases, "{text}");
    assert!(
        text.contains(
            "- known · required · `shape.type` in 1 case(s): statusCode has the wrong type — \
             `candidates/lacking/expectations.yaml:3:3`: statusCode as a string"
        ),
        "{text}"
    );
}

#[test]
fn matrix_columns_name_the_library_with_the_adapter_after_it() {
    let merged = two_candidates();
    let text = markdown::render(&merged);
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("## dlconform: 2 candidates"));
    assert_eq!(lines.next(), Some(""));
    assert!(
        lines
            .next()
            .is_some_and(|l| l.starts_with("- fixture 1.0.0: 2 of 7 cases pass")),
        "{text}"
    );
    assert!(
        lines
            .next()
            .is_some_and(|l| l.starts_with("- lacking (fixture-lib 1.2.3, chromium 131.0): ")),
        "{text}"
    );
    assert!(
        text.contains("| platform | fixture 1.0.0 | fixture-lib 1.2.3 (adapter lacking 0.1.0) |"),
        "{text}"
    );
    // The behaviours table of the matrix, its columns named the same way.
    assert!(
        text.contains(
            "#### Behaviours\n\n| Check | fixture 1.0.0 | fixture-lib 1.2.3 (adapter lacking 0.1.0) |"
        ),
        "{text}"
    );
}

#[test]
fn report_html_opens_with_the_headlines_then_the_defects_of_each_candidate() {
    let merged = two_candidates();
    let page = dlconform::report::html::render(&merged).expect("rendered");
    let headlines = page.find("<ol id=\"headlines\">").expect("headlines");
    let matrix = page
        .find("<section id=\"summary-matrix\">")
        .expect("matrix");
    let defects = page.find("<section id=\"defects\">").expect("defects");
    let behaviours = page
        .find("<section id=\"behaviours\">")
        .expect("behaviours");
    assert!(
        headlines < matrix && matrix < defects && defects < behaviours,
        "{page}"
    );
    let known = dlconform::report::html::escape_text(&headline::line(&known_run()));
    assert!(
        page.contains(&format!("<li id=\"headline-1\" class=\"ok\">{known}</li>")),
        "{page}"
    );
    assert!(
        page.contains("<li id=\"headline-0\" class=\"bad\">fixture 1.0.0: "),
        "{page}"
    );
    // Each defect once, with its case count and whether an entry names it.
    assert!(
        page.contains("<code>progress.finite</code> · required · 1 case(s): progress[*].progress is not a finite number · <b class=\"req-fail\">unexpected</b>"),
        "{page}"
    );
    assert!(
        page.contains("<code>shape.type</code> · required · 1 case(s): statusCode has the wrong type · known: <code>candidates/lacking/expectations.yaml:3:3</code>"),
        "{page}"
    );
    assert!(
        page.contains("N/A cases: 1 needing <code>host-events</code>"),
        "{page}"
    );
    assert!(
        page.contains(
            "<th>fixture-lib 1.2.3<div class=\"adapter\">adapter lacking 0.1.0</div></th>"
        ),
        "{page}"
    );
}
