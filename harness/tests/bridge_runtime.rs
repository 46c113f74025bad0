//! The bridge core (bridge/core/bridge.js): its message handling under Node's test runner
//! (bridge/test/core.test.js), and the core run for real: in headless Chromium, connected to
//! `dlconform run --candidate listen:ws://127.0.0.1:0`, with a stand-in `wx`-like host on
//! `fetch` (bridge/test/host.js) it gives the same verdicts, case by case, as the same core and
//! host run by Node over stdio (`cmd:node bridge/test/stdio.js`).
//!
//! The cases are served over HTTPS; Chromium trusts the run's test CA through an NSS database
//! under a private HOME (bridge/test/chromium.js), never by ignoring certificate errors.
//!
//! Needs `node`, `chromium` (or `DLCONFORM_CHROMIUM`), `certutil` and bridge/test installed
//! (harness/needs.rs): outside CI a missing one makes cargo report the test as ignored, under
//! `CI` the test fails naming what installs it.

mod cli_support;
#[path = "../needs.rs"]
mod needs;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use cli_support::{text, workspace};
use dlconform::protocol::FromCandidate;
use dlconform::results::RunResults;
use dlconform::verdict::Status;

/// A success, a 404 (a success too on WeChat) and an abort mid-body.
const CASES: &[&str] = &[
    "download/success/temp-file",
    "download/status/404",
    "download/abort/mid-body",
];

/// Chromium: `DLCONFORM_CHROMIUM` or `chromium` on PATH.
fn chromium() -> Option<PathBuf> {
    std::env::var_os("DLCONFORM_CHROMIUM")
        .map(PathBuf::from)
        .or_else(|| needs::on_path("chromium"))
        .filter(|path| path.is_file())
}

fn run_args(candidate: &str, out: &Path) -> Vec<String> {
    let mut args = vec![
        "run".to_string(),
        "--candidate".to_string(),
        candidate.to_string(),
        "--platform".to_string(),
        "wechat".to_string(),
        "--out".to_string(),
        out.display().to_string(),
    ];
    for case in CASES {
        args.push("--case".to_string());
        args.push(case.to_string());
    }
    args
}

/// `1` when this harness knows the `started` message, so the bridge may send it.
fn started_supported() -> &'static str {
    let started = serde_json::from_str::<FromCandidate>(r#"{"type":"started","call":"c"}"#);
    if started.is_ok() { "1" } else { "0" }
}

fn read_results(out: &Path) -> RunResults {
    let text = std::fs::read_to_string(out.join("results.json")).expect("results.json");
    serde_json::from_str(&text).expect("results.json parses")
}

/// Status and failed checks of every case: what the two transports must agree on.
fn verdicts(results: &RunResults) -> Vec<(String, Status, Vec<String>)> {
    results
        .cases
        .iter()
        .map(|c| {
            let mut failed: Vec<String> = c.failures.iter().map(|f| f.check.clone()).collect();
            failed.sort();
            (c.id.clone(), c.status, failed)
        })
        .collect()
}

/// Wait for `child` up to `limit`, killing it when it takes longer.
fn wait_bounded(child: &mut Child, limit: Duration, what: &str) -> std::process::ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} did not finish within {} s", limit.as_secs());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The test CA of the run whose temporary folders are under `tmp`.
fn find_ca(tmp: &Path) -> PathBuf {
    std::fs::read_dir(tmp)
        .expect("the harness's temporary folder")
        .filter_map(Result::ok)
        .map(|entry| entry.path().join("server/ca.pem"))
        .find(|ca| ca.is_file())
        .expect("the run's test CA under its temporary folder")
}

/// Run the cases with the bridge in Chromium; returns the results and the harness's stderr.
fn run_in_chromium(dir: &Path) -> (RunResults, String) {
    let tmp = dir.join("harness-tmp");
    std::fs::create_dir_all(&tmp).expect("tmp");
    let out = dir.join("ws");
    let mut harness = Command::new(env!("CARGO_BIN_EXE_dlconform"))
        .current_dir(workspace())
        .args(run_args("listen:ws://127.0.0.1:0", &out))
        // The run's temporary folder (and its test CA) where this test can find it.
        .env("TMPDIR", &tmp)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dlconform starts");
    let stderr = harness.stderr.take().expect("stderr");
    let (line_tx, line_rx) = mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        let mut all = String::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            all.push_str(&line);
            all.push('\n');
            let _ = line_tx.send(line);
        }
        all
    });
    let url = loop {
        match line_rx.recv_timeout(Duration::from_secs(60)) {
            Ok(line) => {
                if let Some(url) = line.strip_prefix("waiting for a runtime on ") {
                    break url.trim().to_string();
                }
            }
            Err(err) => {
                let _ = harness.kill();
                panic!("the harness never said where it listens: {err}");
            }
        }
    };
    let ca = find_ca(&tmp);
    let mut browser = Command::new("node")
        .current_dir(workspace())
        .arg("bridge/test/chromium.js")
        .arg(&url)
        .arg(&ca)
        .env("TMPDIR", dir)
        .env(
            "DLCONFORM_CHROMIUM",
            chromium().expect("chromium was found"),
        )
        .env("DLCONFORM_BRIDGE_STARTED", started_supported())
        .stdout(Stdio::inherit())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("node starts");
    let browser_status = wait_bounded(
        &mut browser,
        Duration::from_secs(150),
        "the Chromium bridge",
    );
    let harness_status = wait_bounded(&mut harness, Duration::from_secs(60), "the harness");
    let log = reader.join().unwrap_or_default();
    assert!(
        browser_status.success(),
        "the Chromium bridge failed; harness stderr:\n{log}"
    );
    assert_eq!(harness_status.code(), Some(0), "harness stderr:\n{log}");
    (read_results(&out), log)
}

#[test]
#[cfg_attr(skip_node, ignore = "needs node")]
fn bridge_core_handles_protocol_messages() {
    needs::require(&["node"]);
    let output = Command::new("node")
        .current_dir(workspace().join("bridge/test"))
        .args(["--test", "core.test.js"])
        .output()
        .expect("node runs");
    let report = text(&output);
    assert_eq!(output.status.code(), Some(0), "{report}");
    let count = |label: &str| {
        report
            .lines()
            .find_map(|line| line.strip_prefix(label))
            .and_then(|n| n.trim().parse::<u32>().ok())
    };
    assert_eq!(count("# fail "), Some(0), "{report}");
    assert!(count("# pass ").is_some_and(|n| n > 0), "{report}");
}

#[test]
#[cfg_attr(
    any(skip_node, skip_chromium, skip_certutil, skip_bridge_test),
    ignore = "needs node, chromium, certutil, bridge-test"
)]
fn bridge_in_chromium_gives_the_stdio_verdicts() {
    needs::require(&["node", "chromium", "certutil", "bridge-test"]);
    let dir = tempfile::tempdir().expect("tempdir");

    let stdio_out = dir.path().join("stdio");
    let output = Command::new(env!("CARGO_BIN_EXE_dlconform"))
        .current_dir(workspace())
        .args(run_args("cmd:node bridge/test/stdio.js", &stdio_out))
        .env("DLCONFORM_BRIDGE_STARTED", started_supported())
        .output()
        .expect("dlconform runs");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let stdio = read_results(&stdio_out);

    let (chromium, log) = run_in_chromium(dir.path());
    assert!(
        log.contains("waiting for a runtime on ws://127.0.0.1:"),
        "{log}"
    );

    assert_eq!(chromium.cases.len(), CASES.len());
    assert_eq!(verdicts(&chromium), verdicts(&stdio));
    // The stand-in host does what these cases ask, so both transports pass them.
    for (id, status, failed) in verdicts(&chromium) {
        assert_eq!(status, Status::Pass, "{id}: {failed:?}");
    }
    assert_eq!(chromium.run.candidate.name, "dlconform-bridge");
    assert!(chromium.run.candidate.spec.starts_with("listen:ws://"));
    assert!(stdio.run.candidate.spec.starts_with("cmd:"));
    // The transfers were Chromium's own, over HTTPS with the test CA trusted.
    let success = &chromium.cases[0];
    let observation = success.observation.as_ref().expect("an observation");
    let request = observation
        .server
        .requests
        .first()
        .expect("the server saw the download");
    assert_eq!(request.listener, "https");
    let agent = request
        .headers
        .iter()
        .find(|(name, _)| name == "user-agent")
        .map(|(_, value)| value.as_str())
        .unwrap_or_default();
    assert!(agent.contains("HeadlessChrome"), "{agent}");
}

/// Each mini-program project: its folder, the files its developer tool needs, the page's
/// template and style extensions, and the host global its entry passes.
const PROJECTS: &[(&str, &[&str], &str)] = &[
    (
        "wechat",
        &[
            "project.config.json",
            "app.json",
            "app.js",
            "pages/index/index.wxml",
            "pages/index/index.wxss",
        ],
        "page.definition(wx, 'wechat')",
    ),
    (
        "douyin",
        &[
            "project.config.json",
            "app.json",
            "app.js",
            "pages/index/index.ttml",
            "pages/index/index.ttss",
        ],
        "page.definition(tt, 'douyin')",
    ),
    (
        "feishu",
        &[
            "project.config.json",
            "app.json",
            "app.js",
            "pages/index/index.ttml",
            "pages/index/index.ttss",
        ],
        "page.definition(tt, 'feishu-gadget')",
    ),
    (
        "baidu",
        &[
            "project.swan.json",
            "app.json",
            "app.js",
            "pages/index/index.swan",
            "pages/index/index.css",
        ],
        "page.definition(swan, 'baidu')",
    ),
];

#[test]
fn bridge_projects_carry_the_current_core() {
    let bridge = workspace().join("bridge");
    for (project, files, entry) in PROJECTS {
        let root = bridge.join(project);
        for core in ["bridge.js", "page.js"] {
            let original = std::fs::read(bridge.join("core").join(core)).expect("the core");
            let copy = std::fs::read(root.join("core").join(core)).unwrap_or_default();
            assert!(
                original == copy,
                "bridge/{project}/core/{core} is stale: run `node bridge/sync-core.js`"
            );
        }
        for file in *files {
            assert!(
                root.join(file).is_file(),
                "bridge/{project}/{file} is missing"
            );
        }
        let app: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(root.join("app.json")).expect("app.json"),
        )
        .expect("app.json parses");
        assert_eq!(
            app["pages"][0], "pages/index/index",
            "bridge/{project}/app.json"
        );
        let script = std::fs::read_to_string(root.join("pages/index/index.js")).expect("entry");
        assert!(
            script.contains(entry),
            "bridge/{project}/pages/index/index.js: {script}"
        );
        assert!(script.contains("require('../../core/page.js')"));
    }
}
