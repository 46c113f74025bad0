//! Writing expectations from a run's results (`dlconform expectations write`,
//! `--update-expectations`), and reading them back: per-check entries that make the same run as
//! expected and any new check news.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use dlconform::expectations::{Expectations, Failing, UNEXPLAINED_REASON, write_from};
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

fn failing(id: &str, status: Status, checks: &[&str]) -> Failing {
    Failing {
        id: id.to_string(),
        status,
        checks: checks.iter().map(|c| c.to_string()).collect(),
        messages: checks
            .iter()
            .map(|c| (c.to_string(), format!("{c} did not hold")))
            .collect(),
    }
}

fn body(text: &str) -> String {
    text.lines()
        .skip_while(|l| l.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

const PREVIOUS: &str = r#"
expectations:
  - cases: "douyin/download/timeout/**"
    status: TIMEOUT
    reason: "timeout not implemented"
    bug: https://example.com/issues/12
  - cases: "wechat/download/**"
    checks: [shape.type, "callback-order.*"]
    status: FAIL
    reason: "header is a string"
    evidence:
      observed: "shape.type: header is string"
      document: "the WeChat page: header Object"
  - cases: "baidu/**"
    checks: [errno]
    status: FAIL
    reason: "gone by now"
"#;

#[test]
fn keeps_what_still_fails_narrows_what_passes_and_adds_todo_entries() {
    let failing = vec![
        failing(
            "wechat/download/a",
            Status::Fail,
            &["shape.type", "outcome"],
        ),
        failing(
            "wechat/download/b",
            Status::Fail,
            &["callback-order.result"],
        ),
        failing("douyin/download/timeout/x", Status::Timeout, &[]),
        failing("alipay/download/y", Status::Unsupported, &[]),
    ];
    let ids: Vec<String> = [
        "wechat/download/a",
        "wechat/download/b",
        "wechat/download/c",
        "douyin/download/timeout/x",
        "alipay/download/y",
        "baidu/upload/z",
    ]
    .map(String::from)
    .to_vec();
    let text = write_from(&failing, &ids, &parse(PREVIOUS), "# header\n");
    let expected = format!(
        r#"expectations:
  - cases: "douyin/download/timeout/**"
    status: TIMEOUT
    reason: "timeout not implemented"
    bug: "https://example.com/issues/12"

  - cases:
      - "wechat/download/a"
      - "wechat/download/b"
    checks: ["shape.type", "callback-order.*"]
    status: FAIL
    reason: "header is a string"
    evidence:
      observed: "shape.type: header is string"
      document: "the WeChat page: header Object"

  # outcome: outcome did not hold
  - cases: "wechat/download/a"
    checks: ["outcome"]
    status: FAIL
    reason: "{UNEXPLAINED_REASON}"

  - cases: "alipay/download/y"
    status: UNSUPPORTED
    reason: "{UNEXPLAINED_REASON}"
"#
    );
    assert!(text.starts_with("# header\n"), "{text}");
    // wechat/download/c passes, so the catch-all is narrowed; the baidu entry failed nowhere.
    assert_eq!(body(&text), expected);
}

#[test]
fn patterns_stay_when_every_case_they_match_still_fails() {
    let failing = vec![
        failing("wechat/download/a", Status::Fail, &["shape.type"]),
        failing("wechat/download/b", Status::Fail, &["shape.type"]),
    ];
    let ids = vec![
        "wechat/download/a".to_string(),
        "wechat/download/b".to_string(),
    ];
    let written = parse(&write_from(&failing, &ids, &parse(PREVIOUS), ""));
    assert_eq!(written.entries()[0].patterns(), ["wechat/download/**"]);
    let checks: Vec<&str> = written.entries()[0]
        .checks()
        .iter()
        .map(|c| c.written())
        .collect();
    assert_eq!(checks, ["shape.type"]);
}

#[test]
fn nothing_failing_writes_an_empty_list_that_parses() {
    let ids = vec!["douyin/download/basic".to_string()];
    let text = write_from(&[], &ids, &Expectations::empty(), "");
    assert!(text.ends_with("expectations: []\n"), "{text}");
    assert!(parse(&text).is_empty());
}

#[test]
fn a_case_listed_twice_is_written_once() {
    let failing = vec![
        failing("douyin/download/a", Status::Crash, &[]),
        failing("douyin/download/a", Status::Fail, &["outcome"]),
    ];
    let written = parse(&write_from(&failing, &[], &Expectations::empty(), ""));
    assert_eq!(written.len(), 1);
    assert_eq!(written.entries()[0].status(), Status::Crash);
}

fn check_id() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "outcome",
        "shape.type",
        "shape.missing",
        "callback-order.result",
        "errno",
        "fields.tempFilePath",
    ])
    .prop_map(str::to_string)
}

fn case_id() -> impl Strategy<Value = String> {
    (
        prop::sample::select(Platform::ALL.to_vec()),
        prop::collection::vec("[a-z][a-z0-9-]{0,8}", 1..4),
    )
        .prop_map(|(platform, segments)| format!("{}/{}", platform.name(), segments.join("/")))
}

fn status() -> impl Strategy<Value = Status> {
    prop_oneof![
        4 => Just(Status::Fail),
        1 => Just(Status::Timeout),
        1 => Just(Status::Crash),
        1 => Just(Status::Error),
        1 => Just(Status::Unsupported),
    ]
}

proptest! {
    /// write -> parse -> decide: every failing case is as expected with the checks it failed,
    /// and one more check that failed nowhere makes a FAIL case unexpected.
    #[test]
    fn round_trip_makes_the_run_as_expected_and_new_checks_news(
        cases in prop::collection::vec(
            (case_id(), status(), prop::collection::btree_set(check_id(), 1..4)),
            0..20,
        ),
        reason in "\\PC{1,40}",
    ) {
        // A previous file whose reason has quotes, colons, backslashes or non-ASCII must survive.
        let previous_text = format!(
            "expectations:\n  - cases: \"**\"\n    checks: [outcome]\n    status: FAIL\n    reason: {}\n",
            serde_json::to_string(&reason).unwrap_or_default()
        );
        let previous = Expectations::parse(Path::new("p.yaml"), &previous_text)
            .unwrap_or_else(|_| Expectations::empty());
        let mut by_id: BTreeMap<String, (Status, BTreeSet<String>)> = BTreeMap::new();
        for (id, status, checks) in &cases {
            by_id.entry(id.clone()).or_insert((*status, checks.clone()));
        }
        let failing: Vec<Failing> = by_id
            .iter()
            .map(|(id, (status, checks))| Failing {
                id: id.clone(),
                status: *status,
                checks: if *status == Status::Fail { checks.clone() } else { BTreeSet::new() },
                messages: BTreeMap::new(),
            })
            .collect();
        let ids: Vec<String> = by_id.keys().cloned().collect();
        let text = write_from(&failing, &ids, &previous, "");
        let written = parse(&text);
        for f in &failing {
            let checks: Vec<&str> = f.checks.iter().map(String::as_str).collect();
            let d = written.decide(&f.id, platform_of(&f.id), Os::Any, f.status, &checks);
            prop_assert!(!d.unexpected, "{} {:?}\n{}\n{:?}", f.id, f.status, text, d);
            if f.status == Status::Fail {
                let mut more = checks.clone();
                more.push("file.sha256");
                let d = written.decide(&f.id, platform_of(&f.id), Os::Any, Status::Fail, &more);
                prop_assert!(d.unexpected, "{}\n{}", f.id, text);
                prop_assert_eq!(d.unexplained, vec!["file.sha256".to_string()]);
                if f.checks.contains("outcome") && !previous.is_empty() {
                    prop_assert!(text.contains(&serde_json::to_string(reason.trim()).unwrap_or_default()));
                }
            }
        }
        // A case that passes is not covered by any entry the writer made from exact ids.
        let other = written.decide("douyin/zz-not-a-case", Platform::Douyin, Os::Any, Status::Pass, &[]);
        prop_assert_eq!(other.status, Status::Pass);
    }
}
