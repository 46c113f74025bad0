//! Writing expectations for `--update-expectations`, and reading them back.

use std::path::Path;

use dlconform::expectations::{Expectations, UNEXPLAINED_REASON, write_updated};
use dlconform::spec::model::{Os, Platform};
use dlconform::verdict::Status;
use proptest::prelude::*;

fn parse(text: &str) -> Expectations {
    match Expectations::parse(Path::new("written.yaml"), text) {
        Ok(expectations) => expectations,
        Err(err) => panic!("written file does not parse: {err}\n{text}"),
    }
}

fn platform_of(id: &str) -> Platform {
    id.split('/')
        .next()
        .and_then(Platform::from_name)
        .unwrap_or(Platform::Douyin)
}

const PREVIOUS: &str = r#"
expectations:
  - cases: "douyin/download/timeout/**"
    status: TIMEOUT
    reason: "timeout not implemented"
    bug: https://example.com/issues/12
  - cases: "baidu/**"
    status: FAIL
    bug: https://example.com/issues/13
    when: {platform: baidu}
  - cases: "wechat/**"
    status: CRASH
    reason: "only on ios"
    when: {platform: douyin}
"#;

#[test]
fn writes_one_sorted_entry_per_case_that_did_not_pass() {
    let cases = vec![
        ("wechat/download/b".to_string(), Status::Fail),
        (
            "douyin/download/timeout/headers-late".to_string(),
            Status::Fail,
        ),
        ("baidu/upload/a".to_string(), Status::Crash),
        ("douyin/download/basic".to_string(), Status::Pass),
        ("douyin/download/skipped".to_string(), Status::Skip),
        ("alipay/download/x".to_string(), Status::Unsupported),
    ];
    let text = write_updated(&cases, &parse(PREVIOUS));
    let expected = format!(
        r#"expectations:
  - cases: "alipay/download/x"
    status: UNSUPPORTED
    reason: "{UNEXPLAINED_REASON}"
  - cases: "baidu/upload/a"
    status: CRASH
    bug: "https://example.com/issues/13"
  - cases: "douyin/download/timeout/headers-late"
    status: FAIL
    reason: "timeout not implemented"
    bug: "https://example.com/issues/12"
  - cases: "wechat/download/b"
    status: FAIL
    reason: "{UNEXPLAINED_REASON}"
"#
    );
    assert!(text.starts_with("# "), "header comment:\n{text}");
    let body = text
        .lines()
        .skip_while(|l| l.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n")
        + "\n";
    // The wechat entry of the previous file is for another platform, so its reason is not kept.
    assert_eq!(body, expected);
}

#[test]
fn nothing_failing_writes_an_empty_list_that_parses() {
    let cases = vec![
        ("douyin/download/basic".to_string(), Status::Pass),
        ("douyin/download/x".to_string(), Status::Xpass),
    ];
    let text = write_updated(&cases, &Expectations::empty());
    assert!(text.ends_with("expectations: []\n"), "{text}");
    assert!(parse(&text).is_empty());
}

#[test]
fn xfail_keeps_the_failure_kind_of_the_previous_entry() {
    let cases = vec![(
        "douyin/download/timeout/body-stall".to_string(),
        Status::Xfail,
    )];
    let written = parse(&write_updated(&cases, &parse(PREVIOUS)));
    let e = written.expected_for(
        "douyin/download/timeout/body-stall",
        Platform::Douyin,
        Os::Any,
    );
    assert_eq!(e.status, Status::Timeout);
    assert_eq!(e.reason.as_deref(), Some("timeout not implemented"));
}

#[test]
fn a_case_listed_twice_is_written_once() {
    let cases = vec![
        ("douyin/download/a".to_string(), Status::Crash),
        ("douyin/download/a".to_string(), Status::Fail),
    ];
    let written = parse(&write_updated(&cases, &Expectations::empty()));
    assert_eq!(written.len(), 1);
    assert_eq!(written.entries()[0].status(), Status::Crash);
}

#[test]
fn ids_with_glob_characters_are_written_literally_enough_to_match_themselves() {
    // Case ids are kebab-case, but a stray `*` must not make the entry swallow other ids silently.
    let cases = vec![("douyin/download/a".to_string(), Status::Fail)];
    let written = parse(&write_updated(&cases, &Expectations::empty()));
    let other = written.expected_for("douyin/download/b", Platform::Douyin, Os::Any);
    assert_eq!(other.status, Status::Pass);
}

fn actual_status() -> impl Strategy<Value = Status> {
    prop_oneof![
        Just(Status::Pass),
        Just(Status::Fail),
        Just(Status::Timeout),
        Just(Status::Crash),
        Just(Status::Error),
        Just(Status::Unsupported),
        Just(Status::Skip),
    ]
}

fn case_id() -> impl Strategy<Value = String> {
    (
        prop::sample::select(Platform::ALL.to_vec()),
        prop::collection::vec("[a-z][a-z0-9-]{0,8}", 1..4),
    )
        .prop_map(|(platform, segments)| format!("{}/{}", platform.name(), segments.join("/")))
}

proptest! {
    /// write -> parse -> expected_for gives back each case's status (PASS/SKIP cases expect PASS).
    #[test]
    fn round_trip_keeps_statuses(
        cases in prop::collection::vec((case_id(), actual_status()), 0..30),
        reason in "\\PC{1,40}",
    ) {
        // A previous file whose reason has quotes, colons, backslashes or non-ASCII must survive.
        let previous_text = format!(
            "expectations:\n  - cases: \"**\"\n    status: FAIL\n    reason: {}\n",
            serde_json::to_string(&reason).unwrap_or_default()
        );
        let previous = match Expectations::parse(Path::new("p.yaml"), &previous_text) {
            Ok(p) => p,
            // Blank reasons are rejected; nothing to carry over then.
            Err(_) => Expectations::empty(),
        };
        let text = write_updated(&cases, &previous);
        let written = parse(&text);
        let mut first_status = std::collections::BTreeMap::new();
        for (id, status) in &cases {
            first_status.entry(id.clone()).or_insert(*status);
        }
        for (id, status) in &first_status {
            let expected = written.expected_for(id, platform_of(id), Os::Any);
            let want = match status {
                Status::Pass | Status::Skip => Status::Pass,
                other => *other,
            };
            prop_assert_eq!(expected.status, want, "{}\n{}", id, text);
            if want != Status::Pass && !previous.is_empty() {
                prop_assert_eq!(expected.reason.as_deref(), Some(reason.trim()));
            }
        }
        let failing = first_status.values().filter(|s| !matches!(s, Status::Pass | Status::Skip)).count();
        prop_assert_eq!(written.len(), failing);
    }
}
