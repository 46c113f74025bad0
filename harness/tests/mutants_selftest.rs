//! Every mutant is caught and the reference passes, on a small selection of cases chosen so
//! that each mutant has one case meant to catch it (the whole suite takes minutes per mutant).

use std::path::{Path, PathBuf};

use dlconform::candidate::mutants::MUTANTS;
use dlconform::runner::plan::Selection;
use dlconform::selftest::{self, SelftestPlan, Silent};

/// Each mutant, and a case that must catch it.
const CATCHERS: &[(&str, &str)] = &[
    ("status-code-type", "douyin/download/ok/temp-file"),
    ("fail-on-http-error", "douyin/download/status/404"),
    ("no-size-limit", "douyin/download/size/v2-41/past-limit"),
    (
        "size-limit-ignores-version",
        "douyin/download/size/v2-41/past-limit",
    ),
    ("timeout-ignored", "douyin/download/timeout/headers-late"),
    ("complete-twice", "douyin/download/ok/temp-file"),
    (
        "no-complete-after-abort",
        "douyin/download/abort/before-headers",
    ),
    ("fail-after-success", "douyin/download/ok/temp-file"),
    (
        "progress-out-of-order",
        "wechat/download/progress/monotonic",
    ),
    (
        "progress-short-of-100",
        "wechat/download/progress/monotonic",
    ),
    ("abort-ignored", "douyin/download/abort/before-headers"),
    // Only `task.threw` catches it: the abort itself still takes effect.
    ("abort-throws", "douyin/download/abort/before-headers"),
    (
        "forbidden-headers-passed",
        "douyin/download/request/referer-not-settable",
    ),
    ("sandbox-escape", "douyin/download/file-path/traversal"),
    ("write-outside", "douyin/download/ok/temp-file"),
    ("timeout-errmsg", "douyin/download/timeout/headers-late"),
    ("cert-as-network-error", "douyin/download/tls/expired"),
    (
        "no-concurrency-limit",
        "feishu-gadget/download/concurrency/over-limit",
    ),
    ("token-not-sent", "feishu-openapi/file-get/ok/binary"),
    (
        "server-api-ignores-ca",
        "feishu-openapi/file-get/https/binary",
    ),
    ("any-certificate", "feishu-openapi/file-get/tls/self-signed"),
    ("form-data-dropped", "baidu/upload/success/form-data"),
    (
        "redirects-not-followed",
        "douyin/download/redirect/302-same-host",
    ),
    ("partial-file-kept", "douyin/download/body/reset-mid-body"),
    ("http-in-release", "douyin/download/scheme/http-in-release"),
    ("domain-list-ignored", "douyin/download/domain/not-in-list"),
    (
        "non-json-error-success",
        "feishu-openapi/file-get/gateway/502-html",
    ),
    (
        "header-case-sensitive",
        "feishu-openapi/file-get/ok/lowercase-headers",
    ),
    ("file-name-naive", "feishu-openapi/file-get/name/semicolon"),
    (
        "no-rate-limit-retry",
        "feishu-openapi/file-get/rate-limit/retry-after-reset",
    ),
    // Only a file check that judges every unnamed new file catches it (several calls, no paths).
    (
        "unnamed-scratch-file",
        "douyin/download/concurrency/several-calls",
    ),
    ("header-as-string", "douyin/download/ok/temp-file"),
    ("errmsg-bare", "douyin/download/domain/not-in-list"),
    ("errmsg-undefined", "douyin/download/domain/not-in-list"),
    ("progress-not-finite", "wechat/download/progress/monotonic"),
    ("progress-over-100", "wechat/download/progress/monotonic"),
    ("late-timer", "douyin/download/timeout/watch-success"),
    ("no-progress", "wechat/download/progress/monotonic"),
    ("late-abort-fires", "douyin/download/abort/after-success"),
    ("progress-after-off", "wechat/download/off/progress"),
    ("headers-after-off", "wechat/download/off/headers-received"),
];

fn specs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(|p| p.join("specs"))
        .unwrap_or_default()
}

#[test]
fn every_mutant_has_a_catching_case_here() {
    for mutant in MUTANTS {
        assert!(
            CATCHERS.iter().any(|(name, _)| *name == mutant.name),
            "mutant {} has no case in CATCHERS",
            mutant.name
        );
    }
}

#[test]
fn mutants_selftest_catches_every_mutant_and_the_reference_passes() {
    let mut cases: Vec<String> = CATCHERS.iter().map(|(_, case)| case.to_string()).collect();
    cases.sort();
    cases.dedup();
    let plan = SelftestPlan {
        specs: vec![specs()],
        selection: Selection {
            platforms: Vec::new(),
            cases: cases.clone(),
            partition: None,
            ..Selection::default()
        },
        jobs: 8,
        at_once: 6,
        mutants: MUTANTS.iter().collect(),
        lint: true,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let report = runtime
        .block_on(selftest::run(&plan, &Silent))
        .expect("selftest runs");
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));

    assert_eq!(report.reference.total, cases.len(), "every case selected");
    assert!(
        report.reference.failing.is_empty(),
        "the reference must pass: {:?}",
        report.reference.failing
    );
    assert_eq!(report.mutants.len(), MUTANTS.len());
    let missed: Vec<&str> = report
        .mutants
        .iter()
        .filter(|m| !m.caught())
        .map(|m| m.name.as_str())
        .collect();
    assert!(missed.is_empty(), "mutants not caught: {missed:?}");
    for (name, case) in CATCHERS {
        let run = report
            .mutants
            .iter()
            .find(|m| m.name == *name)
            .unwrap_or_else(|| panic!("mutant {name} did not run"));
        assert!(
            run.failing.iter().any(|c| c.id == *case),
            "{case} should catch mutant {name}; it failed {:?}",
            run.failing
        );
    }
    assert!(report.ok());
    assert_eq!(report.score.caught, MUTANTS.len());
}
