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
