//! Parsing and checking expectations files: matching, conditions, and errors with positions.

use std::path::{Path, PathBuf};

use dlconform::expectations::{Expectations, ExpectationsError};
use dlconform::spec::model::{Os, Platform};
use dlconform::verdict::Status;
use rstest::rstest;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/expectations")
        .join(name)
}

fn valid() -> Expectations {
    match Expectations::load(&fixture("valid.yaml")) {
        Ok(expectations) => expectations,
        Err(err) => panic!("valid.yaml should load: {err}"),
    }
}

#[test]
fn valid_file_keeps_entries_in_order_with_positions() {
    let expectations = valid();
    let summary: Vec<_> = expectations
        .entries()
        .iter()
        .map(|e| (e.patterns().to_vec(), e.status(), e.line(), e.column()))
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                vec!["douyin/download/timeout/**".to_string()],
                Status::Timeout,
                3,
                5
            ),
            (
                vec!["douyin/download/*/basic".to_string()],
                Status::Pass,
                8,
                5
            ),
            (
                vec![
                    "douyin/download/**".to_string(),
                    "baidu/upload/**".to_string()
                ],
                Status::Fail,
                11,
                5
            ),
            (
                vec!["*/file-get/**".to_string()],
                Status::Unsupported,
                17,
                5
            ),
            (
                vec!["wechat/download/skipped-here".to_string()],
                Status::Skip,
                22,
                5
            ),
        ]
    );
    let first = &expectations.entries()[0];
    assert_eq!(first.reason(), Some("timeout not implemented"));
    assert_eq!(first.bug(), Some("https://example.com/issues/12"));
    assert_eq!(first.when().platforms, vec![Platform::Douyin]);
    assert_eq!(first.when().os, vec![Os::Ios]);
    assert_eq!(
        expectations
            .location(0)
            .map(|l| l.ends_with("valid.yaml:3:5")),
        Some(true)
    );
}

#[rstest]
// First entry applies only on iOS; elsewhere the broader third entry decides.
#[case(
    "douyin/download/timeout/headers-late",
    Platform::Douyin,
    Os::Ios,
    Status::Timeout,
    Some(0)
)]
#[case(
    "douyin/download/timeout/headers-late",
    Platform::Douyin,
    Os::Android,
    Status::Fail,
    Some(2)
)]
#[case(
    "douyin/download/timeout/headers-late",
    Platform::Douyin,
    Os::Any,
    Status::Fail,
    Some(2)
)]
// `**` spans several segments.
#[case(
    "douyin/download/timeout/a/b/c",
    Platform::Douyin,
    Os::Ios,
    Status::Timeout,
    Some(0)
)]
// `*` is one segment: the PASS entry shields `basic` from the FAIL entry, but not deeper ids.
#[case(
    "douyin/download/http/basic",
    Platform::Douyin,
    Os::Android,
    Status::Pass,
    Some(1)
)]
#[case(
    "douyin/download/http/x/basic",
    Platform::Douyin,
    Os::Android,
    Status::Fail,
    Some(2)
)]
// Second pattern of a list.
#[case(
    "baidu/upload/multipart/fields",
    Platform::Baidu,
    Os::Android,
    Status::Fail,
    Some(2)
)]
#[case(
    "baidu/download/basic",
    Platform::Baidu,
    Os::Android,
    Status::Pass,
    None
)]
// Platform list in `when`; the condition is on the run's platform, not the id.
#[case(
    "feishu-openapi/file-get/ok",
    Platform::FeishuOpenapi,
    Os::Any,
    Status::Unsupported,
    Some(3)
)]
#[case(
    "feishu-gadget/file-get/ok",
    Platform::FeishuGadget,
    Os::Pc,
    Status::Unsupported,
    Some(3)
)]
#[case("wechat/file-get/ok", Platform::Wechat, Os::Any, Status::Pass, None)]
#[case(
    "wechat/download/skipped-here",
    Platform::Wechat,
    Os::Any,
    Status::Skip,
    Some(4)
)]
// Patterns match the whole id, not a prefix.
#[case(
    "wechat/download/skipped-here/more",
    Platform::Wechat,
    Os::Any,
    Status::Pass,
    None
)]
#[case("douyin", Platform::Douyin, Os::Ios, Status::Pass, None)]
fn expected_for_first_matching_entry_wins(
    #[case] id: &str,
    #[case] platform: Platform,
    #[case] os: Os,
    #[case] status: Status,
    #[case] entry: Option<usize>,
) {
    let expected = valid().expected_for(id, platform, os);
    assert_eq!((expected.status, expected.entry), (status, entry), "{id}");
}

#[test]
fn expected_carries_reason_and_bug_of_its_entry() {
    let expectations = valid();
    let e = expectations.expected_for("baidu/upload/x", Platform::Baidu, Os::Any);
    assert_eq!(e.reason, None);
    assert_eq!(e.bug.as_deref(), Some("https://example.com/issues/13"));
    let none = expectations.expected_for("alipay/download/x", Platform::Alipay, Os::Any);
    assert_eq!(
        (none.status, none.reason, none.bug),
        (Status::Pass, None, None)
    );
}

#[test]
fn empty_expects_every_case_to_pass() {
    let expectations = Expectations::empty();
    assert!(expectations.is_empty());
    let e = expectations.expected_for("douyin/download/basic", Platform::Douyin, Os::Ios);
    assert_eq!((e.status, e.entry), (Status::Pass, None));
}

#[rstest]
#[case("")]
#[case("# nothing expected yet\n")]
#[case("expectations: []\n")]
#[case("expectations:\n")]
fn files_without_entries_parse(#[case] text: &str) {
    match Expectations::parse(Path::new("e.yaml"), text) {
        Ok(expectations) => assert_eq!(expectations.len(), 0),
        Err(err) => panic!("{text:?} should parse: {err}"),
    }
}

#[test]
fn unused_lists_entries_that_decided_no_case() {
    let expectations = valid();
    let seen = vec![
        (
            "douyin/download/http/basic".to_string(),
            Platform::Douyin,
            Os::Android,
        ),
        (
            "douyin/download/timeout/headers-late".to_string(),
            Platform::Douyin,
            Os::Android,
        ),
        // Matches entry 3's pattern but not its condition.
        ("wechat/file-get/ok".to_string(), Platform::Wechat, Os::Any),
    ];
    // Entry 0 only applies on iOS; 3 and 4 decided nothing.
    assert_eq!(expectations.unused(&seen), vec![0, 3, 4]);
    assert_eq!(expectations.unused(&[]), vec![0, 1, 2, 3, 4]);
}

#[test]
fn unused_counts_a_shadowed_entry() {
    let text = "expectations:\n  - cases: \"douyin/**\"\n    status: FAIL\n    whole_case: w\n    reason: a\n  - cases: \"douyin/download/x\"\n    status: CRASH\n    reason: b\n";
    let expectations = match Expectations::parse(Path::new("e.yaml"), text) {
        Ok(e) => e,
        Err(err) => panic!("{err}"),
    };
    let seen = vec![("douyin/download/x".to_string(), Platform::Douyin, Os::Any)];
    assert_eq!(expectations.unused(&seen), vec![1]);
}

/// Every problem of a bad fixture as `line:column: message start`.
#[rstest]
#[case("unknown-status.yaml", &[
    (3, 13, "unknown status `BROKEN`; expected one of PASS, FAIL, TIMEOUT, CRASH, ERROR, UNSUPPORTED, SKIP"),
    (6, 13, "status `XFAIL` is a result, not an expectation"),
])]
#[case("bad-pattern.yaml", &[
    (2, 12, "pattern `douyin/download/[oops` does not compile: unclosed character class"),
    (8, 9, "pattern `download/timeout/**` must start with a platform"),
])]
#[case("no-reason.yaml", &[
    (6, 5, "entry needs a `reason` or a `bug` link"),
    (12, 13, "`reason` is empty"),
])]
#[case("unknown-platform.yaml", &[
    (6, 22, "unknown platform `tiktok` in `when`; expected one of feishu-gadget, douyin"),
    (12, 26, "unknown platform `kuaishou` in `when`"),
    (13, 11, "unknown os `windows` in `when`"),
])]
#[case("duplicate-key.yaml", &[(5, 5, "duplicate mapping key: status")])]
#[case("unknown-field.yaml", &[(5, 5, "unknown field `reson`, expected one of cases, checks, status, whole_case, reason, bug, when, evidence")])]
fn bad_files_report_every_problem_with_its_position(
    #[case] name: &str,
    #[case] wanted: &[(u64, u64, &str)],
) {
    let path = fixture(name);
    let err = match Expectations::load(&path) {
        Ok(_) => panic!("{name} should not load"),
        Err(err) => err,
    };
    let problems = err.problems();
    assert_eq!(problems.len(), wanted.len(), "{err}");
    for (problem, (line, column, message)) in problems.iter().zip(wanted) {
        assert_eq!(
            (problem.line, problem.column),
            (*line, *column),
            "{problem}"
        );
        assert!(problem.message.starts_with(message), "{problem}");
        assert_eq!(problem.path, path);
    }
    // Display is one `file:line:column: message` per problem.
    let display = err.to_string();
    let lines: Vec<_> = display.lines().collect();
    assert_eq!(lines.len(), wanted.len());
    for (text, (line, column, message)) in lines.iter().zip(wanted) {
        let prefix = format!("{}:{line}:{column}: {message}", path.display());
        assert!(text.starts_with(&prefix), "{text} / {prefix}");
    }
}

#[rstest]
#[case(
    "expectations:\n  - cases: \"douyin/**\"\n    reason: x\n",
    "missing field `status`"
)]
#[case(
    "expectations:\n  - cases: []\n    status: FAIL\n    whole_case: w\n    reason: x\n",
    "`cases` lists no pattern"
)]
#[case(
    "expectations:\n  - cases: \"douyin/**\"\n    status: FAIL\n    whole_case: w\n    reason: x\n    when: {}\n",
    "`when` names neither"
)]
#[case(
    "expectations:\n  - cases: \"douyin/**\"\n    status: fail\n    reason: x\n",
    "unknown status `fail`"
)]
#[case(
    "expectations:\n  - cases: \"douyin/**\"\n    status: FAIL\n    whole_case: w\n    reason: x\n    when: {os: any}\n",
    "unknown os `any`"
)]
#[case(
    "expectations:\n  - cases: \"douyin/**\"\n    status: FAIL\n    whole_case: w\n    reason: x\n    when: {platform: 3}\n",
    "6:12: invalid type: integer `3`, expected a string or a list of strings"
)]
#[case(
    "expectation:\n  - cases: \"douyin/**\"\n",
    "unknown field `expectation`"
)]
#[case(
    "expectations:\n  - cases: \"douyin/**\"\n    status: FAIL\n    whole_case: w\n    reason: x\n    evidence: {observed: \"  \", document: d}\n",
    "`evidence.observed` is empty"
)]
#[case(
    "expectations:\n  - cases: \"douyin/**\"\n    status: FAIL\n    whole_case: w\n    reason: x\n    evidence: {observed: o}\n",
    "missing field `document`"
)]
fn other_mistakes_are_errors(#[case] text: &str, #[case] message: &str) {
    match Expectations::parse(Path::new("inline.yaml"), text) {
        Ok(_) => panic!("should not parse: {text}"),
        Err(err) => {
            assert!(err.to_string().contains(message), "{err}");
            assert!(err.to_string().starts_with("inline.yaml:"), "{err}");
        }
    }
}

#[test]
fn evidence_is_kept_with_its_entry() {
    let text = "expectations:\n  - cases: \"wechat/download/x\"\n    status: FAIL\n    whole_case: w\n    reason: r\n    evidence:\n      observed: \"shape.type: statusCode was a string\"\n      document: \"wechat-download.md: statusCode is a number\"\n";
    let expectations = match Expectations::parse(Path::new("e.yaml"), text) {
        Ok(e) => e,
        Err(err) => panic!("{err}"),
    };
    let entry = &expectations.entries()[0];
    let evidence = entry
        .evidence()
        .map(|e| (e.observed.as_str(), e.document.as_str()));
    assert_eq!(
        evidence,
        Some((
            "shape.type: statusCode was a string",
            "wechat-download.md: statusCode is a number"
        ))
    );
}

#[test]
fn missing_file_is_a_read_error() {
    let path = fixture("does-not-exist.yaml");
    match Expectations::load(&path) {
        Err(ExpectationsError::Read { path: p, .. }) => assert_eq!(p, path),
        other => panic!("expected a read error, got {other:?}"),
    }
}

/// Pattern syntax as EXPECTATIONS.md documents it.
#[rstest]
#[case("**", "douyin/download/basic", true)]
#[case("douyin/**", "douyin/download/basic", true)]
#[case("douyin/**", "douyin", false)]
#[case("douyin/*", "douyin/download/basic", false)]
#[case("*/download/basic", "wechat/download/basic", true)]
#[case("douyin/**/basic", "douyin/download/basic", true)]
#[case("douyin/**/basic", "douyin/download/http/basic", true)]
#[case("douyin/download/redirect-*", "douyin/download/redirect-301", true)]
#[case("douyin/download/redirect-*", "douyin/download/redirect/301", false)]
#[case("{douyin,baidu}/download/basic", "baidu/download/basic", true)]
#[case("douyin/download/http-?0?", "douyin/download/http-404", true)]
fn pattern_syntax(#[case] pattern: &str, #[case] id: &str, #[case] matches: bool) {
    let text = format!(
        "expectations:\n  - cases: {pattern:?}\n    status: FAIL\n    whole_case: w\n    reason: r\n"
    );
    let expectations = match Expectations::parse(Path::new("p.yaml"), &text) {
        Ok(e) => e,
        Err(err) => panic!("{err}"),
    };
    assert_eq!(
        expectations.entries()[0].matches_id(id),
        matches,
        "{pattern} vs {id}"
    );
}

#[test]
fn documented_example_parses_and_means_what_it_says() {
    let doc_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("EXPECTATIONS.md");
    let doc = match std::fs::read_to_string(&doc_path) {
        Ok(doc) => doc,
        Err(err) => panic!("{}: {err}", doc_path.display()),
    };
    let Some(example) = doc
        .split("```yaml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
    else {
        panic!("EXPECTATIONS.md has no yaml example");
    };
    let expectations = match Expectations::parse(&doc_path, example) {
        Ok(e) => e,
        Err(err) => panic!("{err}"),
    };
    assert_eq!(expectations.len(), 5);
    let timeout = expectations.expected_for(
        "douyin/download/timeout/headers-late",
        Platform::Douyin,
        Os::Ios,
    );
    assert_eq!(timeout.status, Status::Timeout);
    // The per-check entry over wechat names shape.type: a case failing only it is as expected,
    // one failing another check too is not.
    let known = expectations.decide(
        "wechat/download/success/basic",
        Platform::Wechat,
        Os::Android,
        Status::Fail,
        &["shape.type"],
    );
    assert_eq!(known.status, Status::Xfail);
    let news = expectations.decide(
        "wechat/download/success/basic",
        Platform::Wechat,
        Os::Android,
        Status::Fail,
        &["shape.type", "errno"],
    );
    assert!(news.unexpected);
    assert_eq!(news.unexplained, vec!["errno".to_string()]);
    // Two per-check entries add up on a case both match.
    let both = expectations.decide(
        "wechat/download/timeout/watch-success",
        Platform::Wechat,
        Os::Android,
        Status::Fail,
        &["shape.type", "callback-order.result"],
    );
    assert_eq!(both.status, Status::Xfail);
    assert_eq!(both.known, vec![Some(0), Some(1)]);
}

#[rstest]
#[case(
    "expectations:\n  - cases: \"douyin/**\"\n    status: FAIL\n    reason: x\n",
    "3:13: a FAIL entry names the checks it expects to fail"
)]
#[case(
    "expectations:\n  - cases: \"douyin/**\"\n    checks: [\"*\"]\n    status: FAIL\n    reason: x\n",
    "3:14: check pattern `*` names every check"
)]
#[case(
    "expectations:\n  - cases: \"douyin/**\"\n    checks: [outcome]\n    status: TIMEOUT\n    reason: x\n",
    "`checks` name failing checks, so they go with status FAIL, not TIMEOUT"
)]
#[case(
    "expectations:\n  - cases: \"douyin/**\"\n    checks: [outcome]\n    status: FAIL\n    whole_case: w\n    reason: x\n",
    "names `checks` or covers the `whole_case`, not both"
)]
#[case(
    "expectations:\n  - cases: \"douyin/**\"\n    checks: []\n    status: FAIL\n    reason: x\n",
    "`checks` lists no check"
)]
fn per_check_mistakes_are_errors(#[case] text: &str, #[case] message: &str) {
    match Expectations::parse(Path::new("inline.yaml"), text) {
        Ok(_) => panic!("should not parse: {text}"),
        Err(err) => assert!(err.to_string().contains(message), "{err}"),
    }
}
