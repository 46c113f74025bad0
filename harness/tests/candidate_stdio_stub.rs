//! `dlconform candidate-stdio reference` spoken to directly over protocol v1, as a harness
//! would, downloading from a plain HTTP stub. The download needs no fault, so the stub is
//! wiremock (the fault engine, mock-server, is for what wiremock cannot do: resets, raw bytes,
//! TLS, streamed bodies). The stub checks what the candidate sent; the test checks the events
//! and the file it wrote.

use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{ChildStdout, Command};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Next message from the candidate, within 30 s.
async fn next(lines: &mut Lines<BufReader<ChildStdout>>) -> Value {
    let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .expect("the candidate answers within 30 s")
        .expect("stdout readable")
        .expect("the candidate did not close stdout");
    serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
}

fn call(url: &str, temp: &Path, user: &Path) -> Value {
    json!({
        "type": "call",
        "call": "stub.0",
        "case": "wechat/download/stub",
        "platform": "wechat",
        "api": "downloadFile",
        "env": {
            "sdkVersion": "2.10.0",
            "os": "android",
            // A debug build: plain http is allowed.
            "release": false,
            "domains": ["127.0.0.1"],
            "fs": {
                "temp": temp.display().to_string(),
                "user": user.display().to_string(),
                "tempPrefix": "wxfile://tmp/",
                "userPrefix": "wxfile://usr/",
                "userQuotaBytes": null
            },
            "caCert": ""
        },
        "args": {"url": url, "header": {"X-Trace": "stub-1"}}
    })
}

#[tokio::test]
async fn the_stdio_reference_downloads_from_a_plain_stub() {
    let body: Vec<u8> = (0..100_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/file.bin"))
        // The caller's header reaches the server.
        .and(header("x-trace", "stub-1"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(body.clone(), "application/octet-stream"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let (temp, user) = (dir.path().join("temp"), dir.path().join("user"));
    std::fs::create_dir_all(&temp).unwrap();
    std::fs::create_dir_all(&user).unwrap();

    let mut child = Command::new(env!("CARGO_BIN_EXE_dlconform"))
        .args(["candidate-stdio", "reference"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the candidate starts");
    let mut stdin = child.stdin.take().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut send = async |message: Value| {
        stdin
            .write_all(format!("{message}\n").as_bytes())
            .await
            .unwrap();
        stdin.flush().await.unwrap();
    };

    send(json!({"type": "hello", "protocol": 1})).await;
    let hello = next(&mut lines).await;
    assert_eq!(hello["type"], "hello", "{hello}");
    assert_eq!(hello["name"], "reference", "{hello}");

    send(call(&format!("{}/file.bin", server.uri()), &temp, &user)).await;
    let mut events = Vec::new();
    loop {
        let message = next(&mut lines).await;
        if message["type"] != "event" {
            continue;
        }
        assert_eq!(message["call"], "stub.0", "{message}");
        let done = message["event"] == "complete";
        events.push(message);
        if done {
            break;
        }
    }
    let success = events
        .iter()
        .find(|e| e["event"] == "success")
        .unwrap_or_else(|| panic!("a success event: {events:#?}"));
    assert_eq!(success["data"]["statusCode"], 200, "{success}");
    let temp_path = success["data"]["tempFilePath"].as_str().unwrap_or_default();
    let name = temp_path
        .strip_prefix("wxfile://tmp/")
        .unwrap_or_else(|| panic!("a temp path: {temp_path}"));
    assert_eq!(std::fs::read(temp.join(name)).unwrap(), body);
    let last_progress = events
        .iter()
        .rfind(|e| e["event"] == "progress")
        .unwrap_or_else(|| panic!("progress events: {events:#?}"));
    assert_eq!(last_progress["data"]["progress"], 100, "{last_progress}");

    send(json!({"type": "shutdown"})).await;
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("the candidate exits after shutdown")
        .unwrap();
    assert!(status.success(), "{status}");
    // Exactly one request matched (method, path and the caller's header).
    server.verify().await;
}
