//! The Lark SDK candidates: lark-node over a feishu-openapi selection with its expectations
//! file (real outcomes, each case on its own origin), and both SDKs trusting exactly the test
//! CA over a case origin's HTTPS listener.
//!
//! Both adapters correct nothing: a file request answered 400 with Feishu's `{code, msg}` body
//! reaches the harness with the code only where the SDK itself parsed it (lark-python, for a
//! JSON Content-Type), never read by the adapter, and with one file request in the server's
//! journal (no retry).
//!
//! Outside CI, a candidate whose `install.sh` has not run (`lark-node`, `lark-python` in
//! harness/needs.rs) makes these tests count as ignored, never as passed.

mod cli_support;
#[path = "../needs.rs"]
mod needs;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use cli_support::{dlconform, text, workspace};
use mock_server::feishu::{FeishuApp, FeishuFile, FeishuFileState, FeishuFixture, FeishuRawAnswer};
use mock_server::{ListenerKind, MockServer, Scenario, ServerConfig, Target};
use serde_json::{Value, json};

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("results.json")).expect("JSON")
}

fn case<'a>(results: &'a Value, id: &str) -> &'a Value {
    results["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no case {id}"))
}

/// The data of a case's first call's `success` or `fail` event.
fn outcome(case: &Value) -> (String, Value) {
    let events = case["observation"]["calls"][0]["events"]
        .as_array()
        .expect("events");
    let result = events
        .iter()
        .find(|e| e["event"] == "success" || e["event"] == "fail")
        .expect("a result event");
    (
        result["event"].as_str().unwrap_or_default().to_string(),
        result["data"].clone(),
    )
}

/// The `Host` header of a case's first request, as the SDK sent it.
fn host_of(case: &Value) -> String {
    let headers = case["observation"]["server"]["requests"][0]["headers"]
        .as_array()
        .expect("headers");
    headers
        .iter()
        .find(|h| h[0] == "host")
        .and_then(|h| h[1].as_str())
        .expect("a host header")
        .to_string()
}

/// Run `candidate` over these feishu-openapi cases, one at a time, with the expectations of
/// `candidates/<name>/`; the run must exit 0. Returns results.json.
fn run_feishu(candidate: &str, name: &str, cases: &[&str]) -> Value {
    let out = tempfile::tempdir().expect("tempdir");
    let out_dir = out.path().display().to_string();
    let mut args = vec![
        "run",
        "--no-lint",
        "--specs",
        "specs/feishu-openapi.yaml",
        "--candidate",
        candidate,
        "--candidate-name",
        name,
        "--platform",
        "feishu-openapi",
        "--jobs",
        "1",
        "--out",
        &out_dir,
    ];
    for id in cases {
        args.extend(["--case", id]);
    }
    let output = dlconform(&workspace(), &args);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let results = read_json(&out.path().join("results.json"));
    assert_eq!(results["cases"].as_array().map(Vec::len), Some(cases.len()));
    results
}

#[test]
#[cfg_attr(any(skip_node, skip_lark_node), ignore = "needs node, lark-node")]
fn lark_node_runs_a_feishu_selection_as_its_expectations_say() {
    needs::require(&["node", "lark-node"]);
    // One call after another in one process: a token cached by one case would be seen by the
    // next (the wrong-secret case would then download).
    let results = run_feishu(
        "cmd:node candidates/lark-node/adapter.js",
        "lark-node",
        &[
            "file-get/ok/binary",
            "file-get/ok/temp-path",
            "file-get/file/deleted",
            "file-get/token/bad-app-secret",
            "file-get/token/missing",
            "file-get/transport/connection-refused",
        ],
    );

    // A file the SDK wrote where file_path said, with the body the server sent.
    let temp = case(&results, "feishu-openapi/file-get/ok/temp-path");
    assert_eq!(temp["status"], "PASS", "{temp}");
    let (event, data) = outcome(temp);
    assert_eq!(event, "success");
    assert_eq!(data["filePath"], "sandbox://temp/t.bin");
    assert_eq!(data["size"], 4096);

    // The SDK leaves the error answer's {code, msg} in an unread stream: the adapter forwards
    // the AxiosError's own fields, the status and no server code (a known errno failure).
    let deleted = case(&results, "feishu-openapi/file-get/file/deleted");
    assert_eq!(deleted["status"], "XFAIL", "{deleted}");
    let (event, data) = outcome(deleted);
    assert_eq!(event, "fail");
    assert_eq!(
        (data["code"].clone(), data["httpStatus"].clone()),
        (json!(-1), json!(400))
    );
    assert!(
        data["msg"]
            .as_str()
            .is_some_and(|m| m.starts_with("Request failed with status code 400")),
        "{data}"
    );

    // The empty token goes to the SDK as a user would pass it; the server answers 401.
    let missing = case(&results, "feishu-openapi/file-get/token/missing");
    assert_eq!(missing["status"], "XFAIL", "{missing}");
    assert_eq!(outcome(missing).1["httpStatus"], 401);

    // The deviations listed in the expectations file, each for its stated reason.
    let binary = case(&results, "feishu-openapi/file-get/ok/binary");
    assert_eq!(binary["status"], "XFAIL", "{binary}");
    assert_eq!(binary["failures"][0]["check"], "fields.contentDisposition");
    let get = &binary["observation"]["server"]["requests"][1];
    assert!(
        get["headers"].as_array().is_some_and(|h| h
            .iter()
            .any(|h| h[0] == "content-type" && h[1] == "application/json")),
        "the SDK's GET carries the JSON Content-Type: {get}"
    );
    let secret = case(&results, "feishu-openapi/file-get/token/bad-app-secret");
    assert_eq!(secret["status"], "XFAIL", "{secret}");
    let (event, data) = outcome(secret);
    assert_eq!(event, "fail");
    assert_eq!(data["code"], -1, "the SDK surfaces the code only as text");
    assert!(
        data["msg"]
            .as_str()
            .is_some_and(|m| m.contains("app secret invalid"))
    );
    assert!(data.get("httpStatus").is_none());
    // Its own token cache: it asked for a token rather than reuse an earlier case's.
    let asked = &secret["observation"]["server"]["requests"];
    assert_eq!(asked.as_array().map(Vec::len), Some(1), "{asked}");
    assert_eq!(asked[0]["method"], "POST");

    let refused = case(
        &results,
        "feishu-openapi/file-get/transport/connection-refused",
    );
    assert_eq!(refused["status"], "PASS", "{refused}");
    assert_eq!(outcome(refused).1["code"], -1);

    // Each case came through an origin of its own, not through a path prefix.
    let hosts = [binary, temp, deleted, secret].map(host_of);
    for (i, a) in hosts.iter().enumerate() {
        for b in &hosts[i + 1..] {
            assert_ne!(a, b, "two cases shared an origin");
        }
    }
}

#[test]
#[cfg_attr(
    any(skip_python3, skip_lark_python),
    ignore = "needs python3, lark-python"
)]
fn lark_python_runs_a_feishu_selection_as_its_expectations_say() {
    needs::require(&["python3", "lark-python"]);
    let results = run_feishu(
        "cmd:candidates/lark-python/.venv/bin/python candidates/lark-python/adapter.py",
        "lark-python",
        &[
            "file-get/ok/binary",
            "file-get/file/deleted",
            "file-get/file/deleted-lowercase-headers",
            "file-get/token/bad-app-secret",
            "file-get/token/missing",
        ],
    );
    let binary = case(&results, "feishu-openapi/file-get/ok/binary");
    assert_eq!(binary["status"], "PASS", "{binary}");
    assert_eq!(outcome(binary).1["size"], 1048576);
    let deleted = case(&results, "feishu-openapi/file-get/file/deleted");
    assert_eq!(deleted["status"], "PASS", "{deleted}");
    assert_eq!(outcome(deleted).1["code"], 234005);

    // The same answer with lower-case header names: the SDK's case-sensitive header dict
    // misses `content-type`, so it parses no code.
    let lower = case(
        &results,
        "feishu-openapi/file-get/file/deleted-lowercase-headers",
    );
    assert_eq!(lower["status"], "XFAIL", "{lower}");
    let (event, data) = outcome(lower);
    assert_eq!(event, "fail");
    assert_eq!(
        (data["code"].clone(), data["httpStatus"].clone()),
        (json!(-1), json!(400))
    );

    // The token exception carries the code, not the status; the call asked for its own token.
    let secret = case(&results, "feishu-openapi/file-get/token/bad-app-secret");
    assert_eq!(secret["status"], "XFAIL", "{secret}");
    let (event, data) = outcome(secret);
    assert_eq!(event, "fail");
    assert_eq!(data["code"], 10014);
    assert!(data.get("httpStatus").is_none());
    assert_eq!(
        secret["observation"]["server"]["requests"][0]["method"],
        "POST"
    );

    // An empty token: the SDK fetches one and downloads.
    let missing = case(&results, "feishu-openapi/file-get/token/missing");
    assert_eq!(missing["status"], "XFAIL", "{missing}");
    assert_eq!(outcome(missing).0, "success");
}

#[test]
#[cfg_attr(
    any(skip_python3, skip_lark_python),
    ignore = "needs python3, lark-python"
)]
fn lark_python_forwards_the_sdks_file_name_not_its_own_reading() {
    needs::require(&["python3", "lark-python"]);
    // candidates/lark-python/test_adapter.py: a stand-in SDK whose file_name differs from the
    // header; the adapter must forward the SDK's value, and none when the SDK gives none.
    let folder = workspace().join("candidates/lark-python");
    let output = Command::new(folder.join(".venv/bin/python"))
        .args(["-m", "unittest", "-v", "test_adapter"])
        .current_dir(&folder)
        .output()
        .expect("the venv's python runs");
    let text = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{text}");
    assert!(text.contains("Ran 2 tests"), "{text}");
}

/// One Feishu case: app `cli_a` and one file of 2048 bytes.
fn scenario() -> Scenario {
    Scenario {
        target: Target::Https,
        faults: Vec::new(),
        feishu: Some(FeishuFixture {
            apps: vec![FeishuApp {
                app_id: "cli_a".into(),
                app_secret: "secret_a".into(),
            }],
            files: vec![FeishuFile {
                file_key: "file_tls".into(),
                owner_app_id: "cli_a".into(),
                name: "f.bin".into(),
                size: 2048,
                seed: 9,
                state: FeishuFileState::Ok,
                disposition: Default::default(),
            }],
            ..FeishuFixture::default()
        }),
    }
}

/// Run `command` (a candidate) for one `im.v1.file.get` call per base URL and return each
/// call's result event and data.
fn calls_through(
    command: &[&str],
    ca: &Path,
    sandbox: &Path,
    bases: &[String],
) -> Vec<(String, Value)> {
    let mut child = Command::new(command[0])
        .args(&command[1..])
        .current_dir(workspace())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the candidate starts");
    let mut stdin = child.stdin.take().expect("stdin");
    let stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let (user, temp) = (sandbox.join("user"), sandbox.join("temp"));
    std::fs::create_dir_all(&user).expect("user folder");
    std::fs::create_dir_all(&temp).expect("temp folder");
    let mut lines = vec![json!({"type": "hello", "protocol": 1, "caCert": ca})];
    for (i, base) in bases.iter().enumerate() {
        lines.push(json!({
            "type": "call", "call": format!("c{i}"), "case": "feishu-openapi/tls", "platform": "feishu-openapi",
            "api": "im.v1.file.get",
            "env": {"sdkVersion": "1.0.0", "os": "any", "release": true, "domains": null, "caCert": ca,
                    "fs": {"temp": temp, "user": user, "tempPrefix": "sandbox://temp/", "userPrefix": "sandbox://user/", "userQuotaBytes": null}},
            "args": {"base_url": base, "app_id": "cli_a", "app_secret": "secret_a", "file_key": "file_tls", "file_path": format!("sandbox://user/out{i}.bin")}
        }));
    }
    for line in &lines {
        writeln!(stdin, "{line}").expect("write to the candidate");
    }
    let mut results = vec![None; bases.len()];
    // Kept open until the candidate exits: its `complete` after the awaited `fail` must not
    // meet a closed pipe.
    let mut lines_in = stdout.lines();
    for line in lines_in.by_ref() {
        let message: Value =
            serde_json::from_str(&line.expect("a line")).expect("JSON from the candidate");
        let index = message["call"]
            .as_str()
            .and_then(|c| c.strip_prefix('c'))
            .and_then(|i| i.parse::<usize>().ok());
        if let (Some(i), "event") = (index, message["type"].as_str().unwrap_or_default())
            && matches!(message["event"].as_str(), Some("success" | "fail"))
        {
            results[i] = Some((
                message["event"].as_str().unwrap_or_default().to_string(),
                message["data"].clone(),
            ));
        }
        if results.iter().all(Option::is_some) {
            break;
        }
    }
    writeln!(stdin, "{}", json!({"type": "shutdown"})).expect("shutdown");
    let _ = child.wait();
    drop(lines_in);
    results
        .into_iter()
        .map(|r| r.expect("every call ended"))
        .collect()
}

/// Over the case origin's HTTPS listener the call succeeds; against a self-signed and an
/// untrusted-CA certificate it fails without an answer (the SDK's HTTP client verifies).
fn trusts_exactly_the_test_ca(command: &[&str]) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let state = tempfile::tempdir().expect("tempdir");
    let server = rt
        .block_on(MockServer::start(ServerConfig::new(state.path())))
        .expect("mock server");
    server.register("tls-case", scenario());
    let origin = rt
        .block_on(async { server.open_origin("tls-case") })
        .expect("a case origin");
    let sandbox = tempfile::tempdir().expect("sandbox");
    let bases = [
        origin.https.clone(),
        server.base_url(ListenerKind::SelfSigned),
        server.base_url(ListenerKind::UntrustedCa),
    ];
    let results = std::thread::scope(|s| {
        s.spawn(|| calls_through(command, server.ca_cert_path(), sandbox.path(), &bases))
            .join()
            .expect("the calls ran")
    });
    let (event, data) = &results[0];
    assert_eq!(event, "success", "{data}");
    assert_eq!(data["size"], 2048);
    assert_eq!(
        std::fs::metadata(sandbox.path().join("user/out0.bin"))
            .map(|m| m.len())
            .ok(),
        Some(2048)
    );
    let journal = server.journal("tls-case");
    assert!(
        journal.requests.iter().all(|r| r.listener == "https"),
        "{journal:?}"
    );
    assert_eq!(journal.requests.len(), 2, "token and file, over TLS");
    for (event, data) in &results[1..] {
        assert_eq!(event, "fail", "{data}");
        assert_eq!(data["code"], -1, "{data}");
        assert_eq!(data["httpStatus"], 0, "{data}");
    }
    assert!(server.handshake_failures(ListenerKind::SelfSigned) >= 1);
    assert!(server.handshake_failures(ListenerKind::UntrustedCa) >= 1);
    rt.block_on(server.shutdown());
}

#[test]
#[cfg_attr(any(skip_node, skip_lark_node), ignore = "needs node, lark-node")]
fn lark_node_trusts_exactly_the_test_ca() {
    needs::require(&["node", "lark-node"]);
    trusts_exactly_the_test_ca(&["node", "candidates/lark-node/adapter.js"]);
}

#[test]
#[cfg_attr(
    any(skip_python3, skip_lark_python),
    ignore = "needs python3, lark-python"
)]
fn lark_python_trusts_exactly_the_test_ca() {
    needs::require(&["python3", "lark-python"]);
    trusts_exactly_the_test_ca(&[
        "candidates/lark-python/.venv/bin/python",
        "candidates/lark-python/adapter.py",
    ]);
}

/// The error answer of [`error_answers`]: Feishu's `{code, msg}` body.
const ERROR_BODY: &str = r#"{"code":234005,"msg":"file deleted (test body)"}"#;

/// Run `command` for one `im.v1.file.get` call per Content-Type, each on a case origin of its
/// own whose file request is answered 400 with [`ERROR_BODY`] in that Content-Type. Returns each
/// call's result event and data, and how many file requests the server saw for it.
fn error_answers(command: &[&str], content_types: &[&str]) -> Vec<(String, Value, usize)> {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let state = tempfile::tempdir().expect("tempdir");
    let server = rt
        .block_on(MockServer::start(ServerConfig::new(state.path())))
        .expect("mock server");
    let mut bases = Vec::new();
    for (i, content_type) in content_types.iter().enumerate() {
        let mut answer = scenario();
        if let Some(feishu) = answer.feishu.as_mut() {
            feishu.file_answer = Some(FeishuRawAnswer {
                status: 400,
                content_type: (*content_type).to_string(),
                body: ERROR_BODY.to_string(),
            });
        }
        let key = format!("error-{i}");
        server.register(&key, answer);
        let origin = rt
            .block_on(async { server.open_origin(&key) })
            .expect("a case origin");
        bases.push(origin.https.clone());
    }
    let sandbox = tempfile::tempdir().expect("sandbox");
    let results = std::thread::scope(|s| {
        s.spawn(|| calls_through(command, server.ca_cert_path(), sandbox.path(), &bases))
            .join()
            .expect("the calls ran")
    });
    let out = results
        .into_iter()
        .enumerate()
        .map(|(i, (event, data))| {
            let journal = server.journal(&format!("error-{i}"));
            let gets = journal
                .requests
                .iter()
                .filter(|r| r.method == "GET" && r.path.contains("/im/v1/files/"))
                .count();
            (event, data, gets)
        })
        .collect();
    rt.block_on(server.shutdown());
    out
}

#[test]
#[cfg_attr(any(skip_node, skip_lark_node), ignore = "needs node, lark-node")]
fn lark_node_forwards_an_error_answer_without_the_code_the_sdk_leaves_unread() {
    needs::require(&["node", "lark-node"]);
    let results = error_answers(
        &["node", "candidates/lark-node/adapter.js"],
        &["application/json; charset=utf-8"],
    );
    let (event, data, gets) = &results[0];
    assert_eq!(event, "fail", "{data}");
    // The SDK throws the AxiosError with the body as an unread stream: no server code, no
    // server msg, only what the error itself holds.
    assert_eq!(data["code"], -1, "{data}");
    assert_eq!(data["httpStatus"], 400, "{data}");
    let msg = data["msg"].as_str().unwrap_or_default();
    assert!(
        msg.starts_with("Request failed with status code 400"),
        "{data}"
    );
    assert!(
        !msg.contains("234005") && !msg.contains("test body"),
        "{data}"
    );
    let mut keys: Vec<&str> = data
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    keys.sort_unstable();
    assert_eq!(keys, ["code", "httpStatus", "msg"], "{data}");
    assert_eq!(*gets, 1, "the file request was retried");
}

#[test]
#[cfg_attr(
    any(skip_python3, skip_lark_python),
    ignore = "needs python3, lark-python"
)]
fn lark_python_forwards_the_code_only_where_the_sdk_parsed_it() {
    needs::require(&["python3", "lark-python"]);
    let results = error_answers(
        &[
            "candidates/lark-python/.venv/bin/python",
            "candidates/lark-python/adapter.py",
        ],
        &[
            "text/plain; charset=utf-8",
            "application/json; charset=utf-8",
        ],
    );
    // Not JSON by its Content-Type: the SDK parses nothing, so the adapter has no code to give,
    // although the body holds one.
    let (event, data, gets) = &results[0];
    assert_eq!(event, "fail", "{data}");
    assert_eq!(data["code"], -1, "{data}");
    assert_eq!(data["httpStatus"], 400, "{data}");
    assert!(
        !data["msg"]
            .as_str()
            .unwrap_or_default()
            .contains("test body"),
        "{data}"
    );
    assert_eq!(*gets, 1, "the file request was retried");
    // JSON: the SDK's own GetFileResponse carries the code and msg, forwarded as they are.
    let (event, data, gets) = &results[1];
    assert_eq!(event, "fail", "{data}");
    assert_eq!(
        (
            data["code"].clone(),
            data["msg"].clone(),
            data["httpStatus"].clone()
        ),
        (json!(234005), json!("file deleted (test body)"), json!(400)),
        "{data}"
    );
    assert_eq!(*gets, 1, "the file request was retried");
}
