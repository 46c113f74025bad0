//! The shared browser driver (candidates/browser/driver.js) against a fixture page in Debian's
//! headless Chromium, under Node's test runner (candidates/browser/test/driver.test.js): the
//! hello (library, runtime, lacks), events forwarded unchanged (late ones, non-finite numbers,
//! a header string), one browser context per call, `threw` and `log` only with the harness's
//! features, and a throwing page as an `error`; and the per-context relay that `inject offline`
//! cuts (candidates/browser/test/relay.test.js): bytes unchanged, a cut resets what is in flight.
//!
//! Needs `node`, `chromium` (or `DLCONFORM_CHROMIUM`), `certutil` and candidates/browser
//! installed (`sh candidates/browser/install.sh`; harness/needs.rs). Outside CI a missing one
//! makes cargo report the test as ignored; under `CI` it fails, naming what installs it.

mod cli_support;
#[path = "../needs.rs"]
mod needs;

use std::process::Command;

use cli_support::{text, workspace};

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
