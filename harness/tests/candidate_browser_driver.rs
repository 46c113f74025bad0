//! The shared browser driver (candidates/browser/driver.js) against a fixture page in Debian's
//! headless Chromium, under Node's test runner (candidates/browser/test/driver.test.js): the
//! hello (library, runtime, lacks), events forwarded unchanged (late ones, non-finite numbers,
//! a header string), one browser context per call, `threw` and `log` only with the harness's
//! features, and a throwing page as an `error`; and the per-context relay that `inject offline`
//! cuts (candidates/browser/test/relay.test.js): bytes unchanged, a cut resets what is in flight.
//!
//! And through the harness: a page whose library fires `fail` 5 s after `complete` reaches the
//! harness (the driver keeps the page for the call's `watchMs`, not 3 s after `complete`), both
//! inside a case's watch window and, with only a deadline, as a late event the case is judged
//! again with.
//!
//! Needs `node`, `chromium` (or `DLCONFORM_CHROMIUM`), `certutil` and candidates/browser
//! installed (`sh candidates/browser/install.sh`; harness/needs.rs). Outside CI a missing one
//! makes cargo report the test as ignored; under `CI` it fails, naming what installs it.

mod cli_support;
#[path = "../needs.rs"]
mod needs;

use std::process::Command;

use cli_support::{dlconform, text, workspace};
use serde_json::Value;

#[test]
#[cfg_attr(
    any(skip_node, skip_chromium, skip_certutil, skip_browser),
    ignore = "needs node, chromium, certutil, browser"
)]
fn browser_driver_forwards_what_the_page_reports_one_context_per_call() {
    needs::require(&["node", "chromium", "certutil", "browser"]);
    let output = Command::new("node")
        .args([
            "--test",
            "candidates/browser/test/driver.test.js",
            "candidates/browser/test/relay.test.js",
        ])
        .current_dir(workspace())
        .output()
        .expect("node runs");
    let report = text(&output);
    assert_eq!(output.status.code(), Some(0), "{report}");
    let count = |label: &str| {
        report
            .lines()
            .find_map(|line| line.strip_prefix(label))
            .and_then(|n| n.trim().parse::<u32>().ok())
    };
    assert_eq!(count("# fail "), Some(0), "{report}");
    assert_eq!(count("# pass "), Some(7), "{report}");
}

/// The case `id` of a results file.
fn case<'a>(results: &'a Value, id: &str) -> &'a Value {
    results["cases"]
        .as_array()
        .and_then(|cases| cases.iter().find(|c| c["id"] == id))
        .unwrap_or_else(|| panic!("no case {id} in {results}"))
}

#[test]
#[cfg_attr(
    any(skip_node, skip_chromium, skip_certutil, skip_browser),
    ignore = "needs node, chromium, certutil, browser"
)]
fn a_callback_5_s_after_complete_reaches_the_harness() {
    needs::require(&["node", "chromium", "certutil", "browser"]);
    let out = tempfile::tempdir().expect("tempdir");
    let out_dir = out.path().display().to_string();
    // Both cases at once: the watched one (12 s) keeps the run going while the other one's late
    // callback comes, after that case was judged.
    let output = dlconform(
        &workspace(),
        &[
            "run",
            "--specs",
            "harness/tests/fixtures/specs/browser-late.yaml",
            "--candidate",
            "cmd:node candidates/browser/test/adapter.js",
            "--jobs",
            "2",
            "--out",
            &out_dir,
        ],
    );
    // The late callbacks fail their cases: exit 1, not 2.
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let results: Value = serde_json::from_slice(
        &std::fs::read(out.path().join("results.json")).expect("results.json written"),
    )
    .expect("results.json parses");
    for (id, late) in [
        ("wechat/download/late-watched", false),
        ("wechat/download/late-deadline", true),
    ] {
        let case = case(&results, id);
        assert_eq!(case["status"], "FAIL", "{case}");
        let failed: Vec<&str> = case["failures"]
            .as_array()
            .map(|f| f.iter().filter_map(|f| f["check"].as_str()).collect())
            .unwrap_or_default();
        assert!(
            failed.contains(&"callback-order.after-complete"),
            "{id}: {failed:?}"
        );
        let events = case["observation"]["calls"][0]["events"]
            .as_array()
            .expect("events");
        let kinds: Vec<&str> = events.iter().filter_map(|e| e["event"].as_str()).collect();
        assert_eq!(kinds, ["success", "complete", "fail"], "{id}: {case}");
        let fail = &events[2];
        assert_eq!(
            fail["data"]["errMsg"], "downloadFile:fail late timer",
            "{fail}"
        );
        let after = fail["after_complete_ms"].as_u64().unwrap_or_default();
        assert!((4500..11000).contains(&after), "{id}: {fail}");
        // Inside the watch window the case heard it itself; past its judging, it was kept
        // and the case judged again.
        assert_eq!(
            fail["late"].as_bool().unwrap_or(false),
            late,
            "{id}: {fail}"
        );
    }
}
