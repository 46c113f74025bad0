//! What the browser candidates' tests share: run an installed candidate over a few wechat cases
//! with its expectations file, and read the results.
#![allow(dead_code)]

use std::process::Command;

use serde_json::Value;

use crate::cli_support::{text, workspace};

/// Run installed candidate `name` (its test names it and what it needs, harness/needs.rs) over
/// these wechat cases with its expectations file, and return results.json; the run must exit 0
/// (every case as the file says).
pub fn run_wechat(name: &str, cases: &[&str]) -> Value {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let mut args = vec![
        "run".to_string(),
        "--candidate".into(),
        format!("cmd:node candidates/{name}/adapter.js"),
        "--candidate-name".into(),
        name.into(),
        "--platform".into(),
        "wechat".into(),
        "--out".into(),
        out.display().to_string(),
    ];
    for id in cases {
        args.push("--case".into());
        args.push((*id).into());
    }
    let output = Command::new(env!("CARGO_BIN_EXE_dlconform"))
        .current_dir(workspace())
        .args(&args)
        .output()
        .expect("dlconform runs");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    serde_json::from_slice(&std::fs::read(out.join("results.json")).expect("results.json written"))
        .expect("results.json parses")
}

/// The wechat case `id` of a results file.
pub fn case<'a>(results: &'a Value, id: &str) -> &'a Value {
    results["cases"]
        .as_array()
        .and_then(|cases| cases.iter().find(|c| c["id"] == format!("wechat/{id}")))
        .unwrap_or_else(|| panic!("no case {id} in {results}"))
}

/// The events of the case's first call, as (event, data).
pub fn events_of(case: &Value) -> Vec<(String, Value)> {
    case["observation"]["calls"][0]["events"]
        .as_array()
        .map(|events| {
            events
                .iter()
                .map(|e| {
                    (
                        e["event"].as_str().unwrap_or("").to_string(),
                        e["data"].clone(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The cases that show a browser adapter corrects nothing: a chunked body (no Content-Length,
/// so a library's percent may be `Infinity` of a total of 0) and a reset after 64 KiB.
pub const UNCORRECTED_CASES: &[&str] = &["download/body/chunked", "download/body/reset-mid-body"];

/// Run `name` over [`UNCORRECTED_CASES`] and check what any adapter that forwards the library
/// unchanged shows: the chunked body's progress arrives as the library computed it (a total of
/// 0 and a non-finite percent, not clamped, not dropped, not `null`), and the reset is one
/// request in the server's journal (nothing retried it) ending in one `fail` and one
/// `complete`. Returns results.json for the candidate's own checks.
pub fn corrects_nothing(name: &str) -> Value {
    let results = run_wechat(name, UNCORRECTED_CASES);
    let chunked = case(&results, "download/body/chunked");
    let progress: Vec<Value> = events_of(chunked)
        .into_iter()
        .filter(|(kind, _)| kind == "progress")
        .map(|(_, data)| data)
        .collect();
    assert!(
        progress.iter().any(|p| p["totalBytesExpectedToWrite"] == 0
            && p["progress"] == serde_json::json!({"$number": "Infinity"})),
        "{name}: the library's Infinity percent of a 0 total did not arrive as it was: {progress:?}"
    );
    let reset = case(&results, "download/body/reset-mid-body");
    let requests = reset["observation"]["server"]["requests"]
        .as_array()
        .map(Vec::len);
    assert_eq!(requests, Some(1), "{name}: a retry? {reset}");
    let kinds: Vec<String> = events_of(reset)
        .into_iter()
        .filter(|(kind, _)| ["success", "fail", "complete"].contains(&kind.as_str()))
        .map(|(kind, _)| kind)
        .collect();
    assert_eq!(kinds, ["fail", "complete"], "{name}: {reset}");
    results
}
