//! report.md: the summary and unexpected results of a small hand-built run, as a snapshot, and
//! the limit on listed cases.

mod report_support;

use dlconform::report::{MergedResults, markdown, merge};
use dlconform::spec::model::Tier;
use dlconform::verdict::Status;
use report_support::{case, run_of, sample_run};

#[test]
fn report_markdown_single_run_snapshot() {
    let text = markdown::render(&MergedResults::from(sample_run()));
    insta::assert_snapshot!(text);
}

#[test]
fn report_markdown_lists_unexpected_required_before_recommended() {
    let text = markdown::render(&MergedResults::from(sample_run()));
    let required = text.find("`douyin/download/tls/self-signed`");
    let recommended = text.find("`wechat/download/size/over-max`");
    assert!(required.is_some() && recommended.is_some(), "{text}");
    assert!(required < recommended, "{text}");
    // A check failed three times in one case is one line with its count.
    assert!(
        text.contains("`progress.finite` ×3: progress[*].progress is not a finite number"),
        "{text}"
    );
    assert_eq!(text.matches("progress[2]").count(), 0, "{text}");
    // Cases as expected are not listed.
    assert!(!text.contains("`douyin/download/ok/temp-file`"), "{text}");
    assert!(!text.contains("`baidu/upload/ok/basic`"), "{text}");
}

#[test]
fn report_markdown_limits_listed_cases() {
    let cases = (0..60)
        .map(|i| {
            case(
                &format!("douyin/download/many/case-{i:02}"),
                Tier::Required,
                Status::Pass,
                Status::Fail,
            )
        })
        .collect();
    let text = markdown::render(&MergedResults::from(run_of("fixture", "1.0.0", cases)));
    // Every case that did not pass is listed on one line; the first 50 also in detail.
    let (list, detail) = text
        .split_once("#### Unexpected results, in detail")
        .expect("both sections");
    assert!(list.contains("#### Cases that did not pass (60)"), "{text}");
    assert!(list.contains("`douyin/download/many/case-59`"), "{text}");
    assert!(detail.contains("`douyin/download/many/case-49`"), "{text}");
    assert!(!detail.contains("`douyin/download/many/case-50`"), "{text}");
    assert!(detail.contains("... and 10 more"), "{text}");
}

#[test]
fn report_markdown_two_candidates_table() {
    let mut other = sample_run().cases;
    for case in &mut other {
        case.status = case.expected;
    }
    let merged = merge::merge(vec![
        MergedResults::from(sample_run()),
        MergedResults::from(run_of("other", "2.0.0", other)),
    ])
    .expect("merged");
    let text = markdown::render(&merged.merged);
    assert!(text.contains("| candidate |"), "{text}");
    assert!(text.contains("| fixture 1.0.0 |"), "{text}");
    assert!(text.contains("| other 2.0.0 |"), "{text}");
    assert!(text.contains("### fixture 1.0.0"), "{text}");
    assert!(text.contains("### other 2.0.0"), "{text}");
    // The summary matrix: platform x candidate, passed of ran, tiers apart, not run apart.
    assert!(
        text.contains("| platform | fixture 1.0.0 | other 2.0.0 |"),
        "{text}"
    );
    assert!(
        text.contains("| douyin | 33% (1/3) · required 1/3 · recommended 0/0 | 100% (3/3) · required 3/3 · recommended 0/0 |"),
        "{text}"
    );
    assert!(
        text.contains("| baidu | – (0/0) · required 0/0 · recommended 0/0 · unsupported 1 · n/a 0 · skipped 1 | – (0/0) · required 0/0 · recommended 0/0 · unsupported 1 · n/a 0 · skipped 1 |"),
        "{text}"
    );
}

#[test]
fn report_markdown_shows_na_and_declared_capabilities() {
    let text = markdown::render(&MergedResults::from(report_support::lacking_run()));
    assert!(
        text.contains(
            "Declared: library fixture-lib 1.2.3 · runtime chromium 131.0 · lacks files, \
             host-events (checks needing them are not applicable)."
        ),
        "{text}"
    );
    // N/A is a column of the platform table, and never a departure.
    assert!(text.contains("| N/A |"), "{text}");
    assert!(
        text.contains(
            "Not applicable: **1** case(s) N/A: 1 needing `host-events`; checks of judged cases: 1 needing `files`"
        ),
        "{text}"
    );
    assert!(text.contains("Not as expected: **1** required"), "{text}");
    assert!(
        !text.contains("`wechat/download/offline/mid-body`"),
        "{text}"
    );
    // A candidate that declared nothing gets no such lines.
    let plain = markdown::render(&MergedResults::from(report_support::sample_run()));
    assert!(!plain.contains("Declared:"), "{plain}");
    assert!(!plain.contains("Not applicable:"), "{plain}");
}
