//! The `mock-server` binary's control token: none on 127.0.0.1, where the harness runs; required
//! on any other address (127.0.0.2 here), while scenario URLs stay open.

#[path = "../../harness/needs.rs"]
mod needs;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(bind: &str, dir: &Path) -> (Running, Value) {
    let ready_path = dir.join("ready.json");
    let child = Command::new(env!("CARGO_BIN_EXE_mock-server"))
        .args(["--bind", bind])
        .arg("--state-dir")
        .arg(dir.join("state"))
        .arg("--ready-file")
        .arg(&ready_path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start mock-server");
    let mut running = Running(child);
    let started = Instant::now();
    loop {
        if let Ok(bytes) = std::fs::read(&ready_path) {
            return (running, serde_json::from_slice(&bytes).expect("ready JSON"));
        }
        if let Some(status) = running.0.try_wait().unwrap() {
            panic!("mock-server exited: {status}");
        }
        assert!(started.elapsed() < Duration::from_secs(30), "no ready file");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn status(url: &str, header: Option<&str>) -> String {
    let mut cmd = Command::new("curl");
    cmd.args([
        "-sS",
        "--max-time",
        "10",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
    ]);
    if let Some(h) = header {
        cmd.args(["-H", h]);
    }
    let out = cmd.arg(url).output().expect("run curl");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn no_token_on_the_default_loopback() {
    needs::require(&["curl"]);
    let dir = tempfile::tempdir().unwrap();
    let (_server, ready) = start("127.0.0.1", dir.path());
    assert!(ready["control_token"].is_null(), "{ready}");
    let info = format!("{}/info", ready["control"].as_str().unwrap());
    assert_eq!(status(&info, None), "200");
}

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn beyond_127_0_0_1_the_control_api_needs_the_token_and_scenarios_stay_open() {
    needs::require(&["curl"]);
    let dir = tempfile::tempdir().unwrap();
    let (_server, ready) = start("127.0.0.2", dir.path());
    let token = ready["control_token"].as_str().expect("a token");
    let control = ready["control"].as_str().unwrap();
    assert!(control.starts_with("http://127.0.0.2:"), "{control}");
    let info = format!("{control}/info");
    assert_eq!(status(&info, None), "401");
    assert_eq!(status(&info, Some("Authorization: Bearer nope")), "401");
    assert_eq!(
        status(&info, Some(&format!("Authorization: Bearer {token}"))),
        "200"
    );
    let journal = format!("{control}/journal/url");
    assert_eq!(status(&journal, None), "401");
    let http = ready["listeners"]["http"].as_str().unwrap();
    assert_eq!(status(&format!("{http}/f/a.bin?body=10"), None), "200");
    assert_eq!(status(&format!("{http}/"), None), "200");
}
