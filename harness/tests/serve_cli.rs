//! `dlconform serve` as a process: ready file, index page, scenarios.json, pasted curl commands,
//! clean stop on SIGTERM and SIGINT.

#[path = "../needs.rs"]
mod needs;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use dlconform::runner::plan::{Selection, expand};
use dlconform::runner::specs;
use dlconform::spec::model::Platform;
use mock_server::ListenerKind;
use mock_server::respond::serve::listener_name;
use serde_json::Value;

fn specs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs")
}

/// `(platform, case id)` of every case of `platform` in the real specs, read through the library.
fn expected_cases(platform: Platform) -> Vec<(String, String)> {
    let specs: Vec<_> = specs::load(&[specs_dir()], false)
        .expect("specs load")
        .into_iter()
        .map(Arc::new)
        .collect();
    let selection = Selection {
        platforms: vec![platform],
        ..Selection::default()
    };
    selection
        .apply(expand(&specs))
        .expect("selection")
        .into_iter()
        .map(|c| (c.platform.name().to_string(), c.case.id))
        .collect()
}

struct Served {
    child: Child,
    ready: Value,
    _dir: tempfile::TempDir,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(platform: &str) -> Served {
    let dir = tempfile::tempdir().unwrap();
    let ready_path = dir.path().join("ready.json");
    let mut child = Command::new(env!("CARGO_BIN_EXE_dlconform"))
        .arg("serve")
        .arg("--specs")
        .arg(specs_dir())
        .args(["--platform", platform])
        .arg("--state-dir")
        .arg(dir.path().join("state"))
        .arg("--ready-file")
        .arg(&ready_path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start dlconform serve");
    let started = Instant::now();
    let ready = loop {
        if let Ok(bytes) = std::fs::read(&ready_path) {
            break serde_json::from_slice::<Value>(&bytes).expect("ready file is JSON");
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("dlconform serve exited early: {status}");
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no ready file after 60 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    Served {
        child,
        ready,
        _dir: dir,
    }
}

fn curl(url: &str) -> String {
    let out = Command::new("curl")
        .args(["-sS", "--max-time", "10", url])
        .output()
        .expect("run curl");
    assert!(out.status.success(), "curl {url}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// Run a pasted command line; returns curl's exit code and stdout.
fn sh(command: &str) -> (i32, String) {
    let out = Command::new("bash")
        .args(["-c", command])
        .output()
        .expect("run bash");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn signal(child: &Child, sig: &str) {
    let status = Command::new("kill")
        .args([sig, &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success());
}

fn wait_exit(child: &mut Child, within: Duration) -> std::process::ExitStatus {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(
            started.elapsed() < within,
            "still running {within:?} after the signal"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn serve_lists_every_case_reproduces_two_and_stops_on_sigterm() {
    needs::require(&["curl"]);
    let expected = expected_cases(Platform::Douyin);
    assert!(expected.len() > 10, "douyin spec has cases");
    let mut served = serve("douyin");
    let ready = served.ready.clone();

    // Every listener and the CA.
    for l in ListenerKind::ALL {
        let url = ready["listeners"][listener_name(l)].as_str().unwrap_or("");
        assert!(url.starts_with("http"), "listener {l:?} in {ready}");
    }
    let ca = ready["ca_cert"].as_str().expect("ca_cert");
    assert!(
        std::fs::read_to_string(ca)
            .unwrap()
            .contains("BEGIN CERTIFICATE")
    );
    assert!(ready["control"].as_str().unwrap().ends_with("/_control"));
    assert_eq!(ready["scenarios"].as_u64(), Some(expected.len() as u64));

    // The index page and its JSON list every case.
    let http = ready["listeners"]["http"].as_str().unwrap();
    let html = curl(&format!("{http}/"));
    let doc: Value = serde_json::from_str(&curl(&format!("{http}/scenarios.json"))).unwrap();
    let rows = doc["platform_rows"].as_array().expect("platform_rows");
    assert_eq!(rows.len(), expected.len());
    for (platform, id) in &expected {
        assert!(html.contains(id.as_str()), "{id} not on the index page");
        assert!(
            rows.iter()
                .any(|r| r["platform"] == platform.as_str() && r["case"] == id.as_str()),
            "{platform}/{id} not in scenarios.json"
        );
    }

    // A success: a plain 200 download without any time limit.
    let success = rows
        .iter()
        .map(|r| r["curl"].as_str().unwrap())
        .find(|c| c.starts_with("curl ") && !c.contains("--max-time") && c.contains("body="))
        .expect("a plain download row");
    let (code, out) = sh(success);
    assert_eq!((code, out.trim()), (0, "200"), "{success}");

    // A stall: curl gives up at --max-time, exit 28.
    let stall = rows
        .iter()
        .map(|r| r["curl"].as_str().unwrap())
        .find(|c| c.contains("--max-time") && c.contains("stall"))
        .expect("a stall row");
    let started = Instant::now();
    let (code, _) = sh(stall);
    assert_eq!(code, 28, "{stall}");
    assert!(started.elapsed() < Duration::from_secs(20));

    signal(&served.child, "-TERM");
    let status = wait_exit(&mut served.child, Duration::from_secs(5));
    assert!(status.success(), "exit after SIGTERM: {status}");
}

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn serve_stops_on_ctrl_c_and_lists_network_failures() {
    needs::require(&["curl"]);
    let expected = expected_cases(Platform::FeishuOpenapi);
    let mut served = serve("feishu-openapi");
    let http = served.ready["listeners"]["http"]
        .as_str()
        .unwrap()
        .to_string();
    let doc: Value = serde_json::from_str(&curl(&format!("{http}/scenarios.json"))).unwrap();
    let rows = doc["platform_rows"].as_array().unwrap();
    assert_eq!(rows.len(), expected.len());
    // Targets without a server are still listed, with a URL that fails by itself.
    let refused = format!(":{}/", served.ready["refused_port"]);
    assert!(
        rows.iter()
            .any(|r| r["url"].as_str().unwrap().contains(&refused)),
        "a connection-refused row on port {refused}"
    );
    assert!(
        rows.iter()
            .any(|r| r["url"].as_str().unwrap().contains(".invalid/")),
        "a dns-failure row"
    );
    // A registered Feishu fixture: token, then the file, through the printed command.
    let ok = rows
        .iter()
        .find(|r| {
            r["behaviour"].as_str().unwrap().starts_with("success")
                && r["curl"].as_str().unwrap().contains("tenant_access_token")
        })
        .expect("a Feishu success row");
    let (code, out) = sh(ok["curl"].as_str().unwrap());
    assert_eq!((code, out.trim()), (0, "200"), "{ok}");

    signal(&served.child, "-INT");
    let status = wait_exit(&mut served.child, Duration::from_secs(5));
    assert!(status.success(), "exit after SIGINT: {status}");
}

#[test]
fn serve_refuses_an_unknown_platform() {
    let out = Command::new(env!("CARGO_BIN_EXE_dlconform"))
        .args(["serve", "--platform", "nokia"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown platform"));
}
