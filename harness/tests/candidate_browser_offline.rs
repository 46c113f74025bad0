//! The `offline` host event in the browser candidates (candidates/browser/driver.js), run for
//! real: `wechat/download/host/offline` (1 MiB trickled, offline injected once the mock server
//! has written 128 KiB) in taro-h5 and uni-h5, with their expectations files.
//!
//! That the offline is real, on the wire, and not made up by the adapter:
//! - the mock server's journal ends the request with `client_abort`, part-way through the body:
//!   the connection was cut from the browser's side while the body was being written;
//! - Chromium itself failed the request on the network (`net::ERR_CONNECTION_RESET` for the
//!   case's URL in the case's log, from the page's `requestfailed`), and the driver logged the cut;
//! - the callbacks are the library's network-error path (`fail` then `complete`, no `abort` in
//!   the errMsg: the driver called no task method), and no task method threw on the driver's
//!   behalf.
//!
//! The other two host events are `N/A`, each for its own per-event capability: the hello lists
//! `host-event-network-change` and `host-event-background`, not `host-events`.
//!
//! Needs `node`, `chromium` (or `DLCONFORM_CHROMIUM`), `certutil` and the candidate installed (`sh candidates/<name>/install.sh`): see
//! harness/needs.rs. Outside CI a missing one makes cargo report the test as ignored; under `CI`
//! it fails, naming what installs it.

mod browser_support;
mod cli_support;
#[path = "../needs.rs"]
mod needs;

use browser_support::{case, events_of, run_wechat};
use serde_json::Value;

const CASES: &[&str] = &[
    "download/host/offline",
    "download/host/network-change",
    "download/host/background",
];

/// The body of the offline case, and the bytes written when the action fires.
const BODY: u64 = 1_048_576;
const TRIGGER: u64 = 131_072;

fn offline_is_cut_on_the_wire(name: &str) {
    // Exit 0: every case as the candidate's expectations file says.
    let results = run_wechat(name, CASES);
    let lacks = &results["run"]["candidate"]["lacks"];
    let lacks: Vec<&str> = lacks
        .as_array()
        .map(|l| l.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    assert!(
        lacks.contains(&"host-event-network-change") && lacks.contains(&"host-event-background"),
        "{lacks:?}"
    );
    assert!(
        !lacks.contains(&"host-events") && !lacks.contains(&"host-event-offline"),
        "{lacks:?}"
    );

    let offline = case(&results, "download/host/offline");
    // Run and judged (not N/A): as expected, its outcome right.
    assert!(
        ["PASS", "XFAIL"].contains(&offline["status"].as_str().unwrap_or("")),
        "{offline}"
    );
    let failed: Vec<&str> = offline["failures"]
        .as_array()
        .map(|f| f.iter().filter_map(|f| f["check"].as_str()).collect())
        .unwrap_or_default();
    assert!(!failed.contains(&"outcome"), "{failed:?}");

    // The library's callbacks: its network-error path, ending the call once.
    let events = events_of(offline);
    let kinds: Vec<&str> = events.iter().map(|(k, _)| k.as_str()).collect();
    assert!(kinds.ends_with(&["fail", "complete"]), "{kinds:?}");
    assert_eq!(
        kinds.iter().filter(|k| **k == "fail").count(),
        1,
        "{kinds:?}"
    );
    let err_msg = events[events.len() - 2].1["errMsg"].as_str().unwrap_or("");
    assert!(err_msg.starts_with("downloadFile:fail"), "{err_msg}");
    assert!(
        !err_msg.contains("abort"),
        "the driver aborted the task: {err_msg}"
    );
    let threw = &offline["observation"]["calls"][0]["threw"];
    assert!(
        threw
            .as_array()
            .is_none_or(|t| t.iter().all(|t| t["method"] != "abort")),
        "{threw}"
    );

    // The wire: one request, cut from the client's side part-way through the body.
    let server = &offline["observation"]["server"];
    let requests = server["requests"].as_array().expect("requests journaled");
    assert_eq!(requests.len(), 1, "{server}");
    let request = &requests[0];
    assert_eq!(request["status"], 200, "{request}");
    assert_eq!(request["end"], "client_abort", "{request}");
    let sent = request["bytes_sent"].as_u64().unwrap_or(0);
    assert!(
        (TRIGGER..BODY).contains(&sent),
        "bytes_sent {sent}: not cut between the trigger and the end of the body: {request}"
    );

    // Chromium failed the request itself, on the reset connection; the driver cut the link.
    let log = offline["observation"]["log"].as_str().unwrap_or_default();
    assert!(
        log.lines().any(|line| line.contains("request failed")
            && line.contains("offline.bin")
            && line.contains("net::ERR_CONNECTION_RESET")),
        "no network error of Chromium for the case's request in its log: {log}"
    );
    assert!(
        log.contains("offline: context offline")
            && log.contains("1 connection(s) of the context reset"),
        "{log}"
    );

    // The events Chromium cannot emulate stay N/A, each for its own capability.
    for (id, capability) in [
        ("download/host/network-change", "host-event-network-change"),
        ("download/host/background", "host-event-background"),
    ] {
        let na = case(&results, id);
        assert_eq!(na["status"], "N/A", "{na}");
        assert_eq!(na["not_applicable"][0]["capability"], capability, "{na}");
    }
}

#[test]
#[cfg_attr(
    any(skip_node, skip_chromium, skip_certutil, skip_browser, skip_taro_h5),
    ignore = "needs node, chromium, certutil, browser, taro-h5"
)]
fn taro_h5_offline_cuts_the_link_and_forwards_the_library_fail() {
    needs::require(&["node", "chromium", "certutil", "browser", "taro-h5"]);
    offline_is_cut_on_the_wire("taro-h5");
}

#[test]
#[cfg_attr(
    any(skip_node, skip_chromium, skip_certutil, skip_browser, skip_uni_h5),
    ignore = "needs node, chromium, certutil, browser, uni-h5"
)]
fn uni_h5_offline_cuts_the_link_and_forwards_the_library_fail() {
    needs::require(&["node", "chromium", "certutil", "browser", "uni-h5"]);
    offline_is_cut_on_the_wire("uni-h5");
}
