//! The uni-h5 candidate (candidates/uni-h5, over the shared browser driver in
//! candidates/browser) run for real: `@dcloudio/uni-h5` in Debian's headless Chromium, over a
//! few WeChat cases, with its expectations file.
//!
//! - A success: the library's own `downloadFile:ok` with a `blob:` URL; the checks that need a
//!   file on a platform path are not applicable (the hello lacks `files`), and the only failed
//!   check is the one the library earns: `onHeadersReceived` throws `Method not implemented.`.
//! - An abort before the body: `downloadFile:fail abort`, nothing else wrong but that throw.
//! - A chunked body: the library's `Infinity` progress percent reaches results.json as
//!   `{"$number": "Infinity"}`, never as `null`.
//! - A self-signed certificate: the bare `downloadFile:fail`, because Chromium refused the
//!   certificate (`net::ERR_CERT_AUTHORITY_INVALID` in the case's log), the request never served.
//!
//! - It corrects nothing: the `Infinity` percent arrives as the library made it, the bare
//!   `downloadFile:fail` of a reset gets no reason and no errno (the library deleted its
//!   errCode), and the reset is one request in the server's journal.
//!
//! Needs `node`, `chromium` (or `DLCONFORM_CHROMIUM`), `certutil` and candidates/uni-h5 installed (`sh candidates/uni-h5/install.sh`): see
//! harness/needs.rs. Outside CI a missing one makes cargo report the test as ignored; under `CI`
//! it fails, naming what installs it.

mod browser_support;
mod cli_support;
#[path = "../needs.rs"]
mod needs;

use browser_support::{case, corrects_nothing, events_of, run_wechat};
use serde_json::Value;

const CASES: &[&str] = &[
    "download/success/temp-file",
    "download/abort/before-body",
    "download/body/chunked",
    "download/tls/self-signed",
];

/// The version package-lock.json pins, as the hello must name it.
const UNI_H5_VERSION: &str = "3.0.0-5020420260813003";

fn checks(case: &Value, key: &str) -> Vec<String> {
    case[key]
        .as_array()
        .map(|f| {
            f.iter()
                .filter_map(|f| f["check"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The case's result callback (the event before `complete`) and the kinds of all its events.
fn result_of(case: &Value) -> (Vec<String>, Value) {
    let events = events_of(case);
    let kinds: Vec<String> = events.iter().map(|(k, _)| k.clone()).collect();
    assert!(
        kinds.len() >= 2 && kinds[kinds.len() - 1] == "complete",
        "{kinds:?}"
    );
    (kinds, events[events.len() - 2].1.clone())
}

/// The one failure every case with a task has: uni's onHeadersReceived throws.
fn assert_threw_on_headers_received(case: &Value) {
    let threw = case["failures"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["check"] == "task.threw"))
        .unwrap_or_else(|| panic!("no task.threw in {case}"));
    assert_eq!(threw["actual"]["method"], "onHeadersReceived", "{threw}");
    assert_eq!(
        threw["actual"]["message"], "Method not implemented.",
        "{threw}"
    );
}

#[test]
#[cfg_attr(
    any(skip_node, skip_chromium, skip_certutil, skip_browser, skip_uni_h5),
    ignore = "needs node, chromium, certutil, browser, uni-h5"
)]
fn uni_h5_in_chromium_is_judged_on_what_it_does() {
    needs::require(&["node", "chromium", "certutil", "browser", "uni-h5"]);
    // Exit 0: every case is as its expectations file says.
    let results = run_wechat("uni-h5", CASES);
    let candidate = &results["run"]["candidate"];
    assert_eq!(candidate["name"], "uni-h5", "{candidate}");
    assert_eq!(
        candidate["library"]["name"], "@dcloudio/uni-h5",
        "{candidate}"
    );
    assert_eq!(
        candidate["library"]["version"], UNI_H5_VERSION,
        "{candidate}"
    );
    assert_eq!(candidate["runtime"]["name"], "chromium", "{candidate}");
    assert_eq!(
        candidate["lacks"],
        serde_json::json!([
            "files",
            "domain-list",
            "sdk-version",
            "host-event-network-change",
            "host-event-background"
        ]),
        "{candidate}"
    );

    // The success: uni's own result, a blob: URL; what needs a file is not applicable.
    let success = case(&results, "download/success/temp-file");
    let (kinds, data) = result_of(success);
    assert_eq!(kinds[kinds.len() - 2], "success", "{kinds:?}");
    assert_eq!(data["errMsg"], "downloadFile:ok", "{data}");
    assert_eq!(data["statusCode"], 200, "{data}");
    assert!(
        data["tempFilePath"]
            .as_str()
            .is_some_and(|p| p.starts_with("blob:http://127.0.0.1:")),
        "{data}"
    );
    assert_eq!(checks(success, "failures"), ["task.threw"], "{success}");
    assert_threw_on_headers_received(success);
    let not_applicable = checks(success, "not_applicable");
    assert!(
        not_applicable.contains(&"file.at".to_string()),
        "{not_applicable:?}"
    );

    // The abort before the body: uni's abort message, nothing else wrong.
    let abort = case(&results, "download/abort/before-body");
    let (_, data) = result_of(abort);
    assert_eq!(data["errMsg"], "downloadFile:fail abort", "{data}");
    assert_eq!(checks(abort, "failures"), ["task.threw"], "{abort}");

    // The chunked body: Infinity as the library computed it, not null.
    let chunked = case(&results, "download/body/chunked");
    let progress: Vec<Value> = events_of(chunked)
        .into_iter()
        .filter(|(k, _)| k == "progress")
        .map(|(_, d)| d)
        .collect();
    assert!(!progress.is_empty(), "{chunked}");
    assert_eq!(
        progress[0]["progress"],
        serde_json::json!({"$number": "Infinity"}),
        "{progress:?}"
    );
    assert_eq!(progress[0]["totalBytesExpectedToWrite"], 0, "{progress:?}");
    assert!(
        checks(chunked, "failures").contains(&"progress.finite".to_string()),
        "{chunked}"
    );

    // The bad certificate: a fail, because Chromium refused the certificate.
    let tls = case(&results, "download/tls/self-signed");
    let (kinds, data) = result_of(tls);
    assert_eq!(kinds, ["fail", "complete"], "{tls}");
    assert_eq!(data["errMsg"], "downloadFile:fail", "{data}");
    let failed = checks(tls, "failures");
    assert!(!failed.contains(&"outcome".to_string()), "{tls}");
    assert!(failed.contains(&"errMsg.reason".to_string()), "{tls}");
    let log = tls["observation"]["log"].as_str().unwrap_or_default();
    assert!(
        log.contains("net::ERR_CERT_AUTHORITY_INVALID"),
        "no TLS error in the case's log: {log}"
    );
    assert_eq!(
        tls["observation"]["server"]["requests"]
            .as_array()
            .map(Vec::len),
        Some(0),
        "{tls}"
    );
}

#[test]
#[cfg_attr(
    any(skip_node, skip_chromium, skip_certutil, skip_browser, skip_uni_h5),
    ignore = "needs node, chromium, certutil, browser, uni-h5"
)]
fn uni_h5_forwards_what_the_library_hands_back_and_retries_nothing() {
    needs::require(&["node", "chromium", "certutil", "browser", "uni-h5"]);
    let results = corrects_nothing("uni-h5");
    let reset = case(&results, "download/body/reset-mid-body");
    let (_, fail) = result_of(reset);
    assert_eq!(fail, serde_json::json!({"errMsg": "downloadFile:fail"}));
    assert_threw_on_headers_received(reset);
}
