//! The JSON control API, the index page and the binary's ready file.

mod common;
#[path = "../../harness/needs.rs"]
mod needs;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{TestServer, curl};
use mock_server::{CaseJournal, IndexRow, ListenerKind};

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn scenarios_are_registered_served_and_journaled_over_http() {
    needs::require(&["curl"]);
    let t = TestServer::start();
    let control = t.s().control_url();
    let scenario = r#"{"target":"http","faults":[{"body":{"size":321,"seed":5}},{"header":{"name":"X-Case","value":"yes"}}]}"#;
    let r = curl(&[
        "-X",
        "PUT",
        "-w",
        "%{http_code}",
        "--data-binary",
        scenario,
        &format!("{control}/scenarios/case-1"),
    ]);
    assert_eq!(String::from_utf8_lossy(&r.stdout), "204");
    let r = curl(&[&format!("{control}/scenarios/case-1")]);
    assert!(String::from_utf8_lossy(&r.stdout).contains("\"size\": 321"));
    let r = curl(&["-D", "-", "-o", "/dev/null", &t.http("/c/case-1/a.bin")]);
    assert!(String::from_utf8_lossy(&r.stdout).contains("X-Case: yes"));
    let r = curl(&[&format!("{control}/journal/case-1")]);
    let j: CaseJournal = serde_json::from_slice(&r.stdout).unwrap();
    assert_eq!(j.requests.len(), 1);
    assert_eq!(j.requests[0].body_len, Some(321));
    let r = curl(&[
        "-X",
        "DELETE",
        "-w",
        "%{http_code}",
        &format!("{control}/scenarios/case-1"),
    ]);
    assert_eq!(String::from_utf8_lossy(&r.stdout), "204");
    assert_eq!(curl(&["--fail", &t.http("/c/case-1/a.bin")]).code, 22);
    // Bad documents and keys are refused with 400.
    let r = curl(&[
        "-X",
        "PUT",
        "-w",
        "%{http_code}",
        "-o",
        "/dev/null",
        "--data-binary",
        r#"{"faults":[{"nope":1}]}"#,
        &format!("{control}/scenarios/x"),
    ]);
    assert_eq!(String::from_utf8_lossy(&r.stdout), "400");
    let r = curl(&[
        "-X",
        "PUT",
        "-w",
        "%{http_code}",
        "-o",
        "/dev/null",
        "--data-binary",
        "{}",
        &format!("{control}/scenarios/bad%20key"),
    ]);
    assert_eq!(String::from_utf8_lossy(&r.stdout), "400");
}

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn journal_is_bounded() {
    needs::require(&["curl"]);
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut config = mock_server::ServerConfig::new(dir.path());
    config.journal_limit = 2;
    let server = rt.block_on(mock_server::MockServer::start(config)).unwrap();
    let url = format!("{}/f/a?body=1&key=lim", server.base_url(ListenerKind::Http));
    for _ in 0..5 {
        assert_eq!(curl(&[&url]).code, 0);
    }
    let j = server.journal("lim");
    assert_eq!((j.requests.len(), j.dropped), (2, 3));
    rt.block_on(server.shutdown());
}

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn index_lists_the_catalog_and_extra_rows() {
    needs::require(&["curl"]);
    let t = TestServer::start();
    t.s().set_index_rows(vec![IndexRow {
        platform: "douyin".into(),
        behaviour: "errno 4 <timeout>".into(),
        url: "http://example/x".into(),
        curl: "curl x".into(),
        ..IndexRow::default()
    }]);
    let html = String::from_utf8(curl(&[&t.http("/")]).stdout).unwrap();
    for f in mock_server::CATALOG {
        assert!(
            html.contains(&format!("<code>{}</code>", f.name)),
            "{}",
            f.name
        );
    }
    assert!(html.contains("errno 4 &lt;timeout&gt;"));
    let json: serde_json::Value =
        serde_json::from_slice(&curl(&[&t.http("/scenarios.json")]).stdout).unwrap();
    assert_eq!(
        json["catalog"].as_array().unwrap().len(),
        mock_server::CATALOG.len()
    );
    assert_eq!(json["platform_rows"][0]["platform"], "douyin");
    // Every catalog example URL is accepted by the grammar (status 400 would mean a typo).
    for row in json["catalog"].as_array().unwrap() {
        let url = row["url"].as_str().unwrap();
        if row["fault"] == "stall"
            || row["fault"] == "stall_after"
            || row["fault"].as_str().unwrap().starts_with("upload")
        {
            continue;
        }
        let r = curl(&[
            "--max-time",
            "8",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            url,
        ]);
        assert_ne!(String::from_utf8_lossy(&r.stdout), "400", "{url}");
    }
}

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn binary_writes_the_ready_file_and_serves() {
    needs::require(&["curl"]);
    let dir = tempfile::tempdir().unwrap();
    let ready = dir.path().join("ready.json");
    let mut child = Command::new(env!("CARGO_BIN_EXE_mock-server"))
        .args([
            "--state-dir",
            dir.path().to_str().unwrap(),
            "--ready-file",
            ready.to_str().unwrap(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !ready.exists() && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&ready).unwrap()).unwrap();
    let http = doc["listeners"]["http"].as_str().unwrap().to_string();
    let ca = doc["ca_cert"].as_str().unwrap().to_string();
    assert!(doc["control"].as_str().unwrap().ends_with("/_control"));
    let r = curl(&[&format!("{http}/f/a?body=10")]);
    let r2 = curl(&[
        "--cacert",
        &ca,
        &format!(
            "{}/f/a?body=10",
            doc["listeners"]["https"].as_str().unwrap()
        ),
    ]);
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!((r.code, r.stdout.len()), (0, 10));
    assert_eq!((r2.code, r2.stdout.len()), (0, 10));
}
