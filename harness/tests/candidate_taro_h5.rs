//! The taro-h5 candidate (candidates/taro-h5, over the shared browser driver in
//! candidates/browser) run for real: `@tarojs/taro-h5` in Debian's headless Chromium, over a few
//! WeChat cases, with its expectations file.
//!
//! - A success over HTTPS with a custom request header: Chromium trusts the run's test CA (an NSS
//!   database, never an ignored certificate error), the mock server answers the preflight the
//!   header causes and keeps it apart from the request, and the library hands back a `blob:`
//!   URL with `downloadFile:ok`.
//! - An abort before the body: the case passes.
//! - A self-signed certificate: the call fails, and for the right reason: a TLS error in the
//!   browser (`net::ERR_CERT_...` in the case's log), the request never served.
//!
//! - It corrects nothing: the library's header string and `Infinity` percent arrive as it made
//!   them, its `downloadFile:fail undefined` is not given a reason, and a reset is one request.
//!
//! Needs `node`, `chromium` (or `DLCONFORM_CHROMIUM`), `certutil` and candidates/taro-h5 installed (`sh candidates/taro-h5/install.sh`): see
//! harness/needs.rs. Outside CI a missing one makes cargo report the test as ignored; under `CI`
//! it fails, naming what installs it.

mod browser_support;
mod cli_support;
#[path = "../needs.rs"]
mod needs;

use browser_support::{case, corrects_nothing, events_of, run_wechat};
use serde_json::Value;

const CASES: &[&str] = &[
    "download/header/passthrough",
    "download/abort/before-body",
    "download/tls/self-signed",
];

/// Checks a browser build fails for what it lacks (a file on a platform path) plus the
/// library's header string: the only failures the success case may have.
const SUCCESS_FAILURES: &[&str] = &["shape.type", "fields.tempFilePath", "file.at"];

fn failed_checks(case: &Value) -> Vec<String> {
    case["failures"]
        .as_array()
        .map(|f| {
            f.iter()
                .filter_map(|f| f["check"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
#[cfg_attr(
    any(skip_node, skip_chromium, skip_certutil, skip_browser, skip_taro_h5),
    ignore = "needs node, chromium, certutil, browser, taro-h5"
)]
fn taro_h5_in_chromium_passes_fails_and_fails_tls_for_the_right_reason() {
    needs::require(&["node", "chromium", "certutil", "browser", "taro-h5"]);
    // Exit 0: every case is as its expectations file says.
    let results = run_wechat("taro-h5", CASES);
    assert_eq!(results["run"]["candidate"]["name"], "taro-h5");

    // The success: the library's own success over HTTPS, with the CA trusted.
    let success = case(&results, "download/header/passthrough");
    let events = events_of(success);
    let kinds: Vec<&str> = events.iter().map(|(k, _)| k.as_str()).collect();
    assert!(kinds.ends_with(&["success", "complete"]), "{kinds:?}");
    let (_, data) = &events[events.len() - 2];
    assert_eq!(data["errMsg"], "downloadFile:ok", "{data}");
    assert_eq!(data["statusCode"], 200, "{data}");
    assert!(
        data["tempFilePath"]
            .as_str()
            .is_some_and(|p| p.starts_with("blob:http://127.0.0.1:")),
        "{data}"
    );
    let failed = failed_checks(success);
    assert!(
        failed
            .iter()
            .all(|c| SUCCESS_FAILURES.contains(&c.as_str())),
        "the success failed more than the header string and the file: {failed:?}"
    );
    let server = &success["observation"]["server"];
    assert_eq!(
        server["requests"].as_array().map(Vec::len),
        Some(1),
        "{server}"
    );
    let request = &server["requests"][0];
    assert_eq!(request["method"], "GET");
    assert_eq!(request["listener"], "https");
    assert!(
        request["headers"].to_string().contains("x-dlconform-probe"),
        "{request}"
    );
    // The custom header made Chromium send a preflight: answered, and kept apart.
    let preflights = server["preflights"]
        .as_array()
        .expect("a preflight journaled");
    assert_eq!(preflights.len(), 1, "{server}");
    assert_eq!(preflights[0]["method"], "OPTIONS");
    assert_eq!(preflights[0]["status"], 204);

    // The abort before the body passes.
    let abort = case(&results, "download/abort/before-body");
    assert_eq!(abort["status"], "PASS", "{abort}");

    // The bad certificate: a fail, because Chromium refused the certificate.
    let tls = case(&results, "download/tls/self-signed");
    assert_ne!(tls["status"], "PASS", "{tls}");
    let kinds: Vec<String> = events_of(tls).into_iter().map(|(k, _)| k).collect();
    assert_eq!(kinds, ["fail", "complete"], "{tls}");
    assert!(
        !failed_checks(tls).contains(&"outcome".to_string()),
        "{tls}"
    );
    let log = tls["observation"]["log"].as_str().unwrap_or_default();
    // The request of this case (its URL), refused for its certificate.
    assert!(
        log.lines().any(|line| line.contains("self-signed.bin")
            && line.contains("net::ERR_CERT_AUTHORITY_INVALID")),
        "no TLS error for the case's request in its log: {log}"
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
    any(skip_node, skip_chromium, skip_certutil, skip_browser, skip_taro_h5),
    ignore = "needs node, chromium, certutil, browser, taro-h5"
)]
fn taro_h5_forwards_what_the_library_hands_back_and_retries_nothing() {
    needs::require(&["node", "chromium", "certutil", "browser", "taro-h5"]);
    let results = corrects_nothing("taro-h5");
    // onHeadersReceived's `header` is the raw string of getAllResponseHeaders(): not parsed.
    let chunked = case(&results, "download/body/chunked");
    let headers: Vec<Value> = events_of(chunked)
        .into_iter()
        .filter(|(kind, _)| kind == "headersReceived")
        .map(|(_, data)| data)
        .collect();
    assert!(
        headers
            .iter()
            .any(|h| h["header"].as_str().is_some_and(|s| s.contains("\r\n"))),
        "{headers:?}"
    );
    assert!(failed_checks(chunked).contains(&"shape.type".to_string()));
    // The fail is the library's text, `undefined` and all, and nothing else.
    let reset = case(&results, "download/body/reset-mid-body");
    let events = events_of(reset);
    let fail = &events.iter().find(|(k, _)| k == "fail").expect("a fail").1;
    assert_eq!(
        fail,
        &serde_json::json!({"errMsg": "downloadFile:fail undefined"})
    );
}
