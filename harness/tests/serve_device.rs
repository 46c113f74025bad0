//! `dlconform serve` for a device: bound to 127.0.0.2 and advertised as 127.0.0.2 (a loopback
//! address other than the default, so the advertised host really differs from 127.0.0.1), with
//! fixed ports and a kept state folder. curl, given only the CA the server serves, trusts the
//! valid listener and refuses every bad one; every URL names the advertised host and the fixed
//! ports; the CA survives a restart; the QR codes decode to their URLs; the control API wants
//! its token; the live view shows what the server saw, credentials redacted.

#[path = "../needs.rs"]
mod needs;

use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::{Duration, Instant};

use mock_server::ListenerKind;
use mock_server::respond::serve::listener_name;
use serde_json::Value;

const HOST: &str = "127.0.0.2";
/// Ports a base takes: every listener, then the refused port.
const SPAN: u16 = ListenerKind::ALL.len() as u16 + 1;

fn specs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs")
}

/// A base whose whole span is free on 127.0.0.2 now, spread by process id so parallel runs
/// differ, and never the same twice in one process (tests here run in parallel).
fn free_port_base() -> u16 {
    static HANDED_OUT: AtomicU16 = AtomicU16::new(0);
    let host: Ipv4Addr = HOST.parse().unwrap();
    let start = 20_000 + (std::process::id() % 3000) as u16 * 10;
    let first = HANDED_OUT.fetch_add(50, Ordering::SeqCst);
    for attempt in first..first + 50 {
        let base = 20_000 + (start - 20_000 + attempt * 10) % 30_000;
        let free =
            (base..base + SPAN).all(|p| TcpListener::bind(SocketAddr::new(host.into(), p)).is_ok());
        if free {
            return base;
        }
    }
    panic!("no free port span on {HOST}");
}

struct Served {
    child: Child,
    ready: Value,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(base: u16, state: &Path, ready_path: &Path) -> Served {
    let _ = std::fs::remove_file(ready_path);
    let mut child = Command::new(env!("CARGO_BIN_EXE_dlconform"))
        .arg("serve")
        .arg("--specs")
        .arg(specs_dir())
        .args(["--platform", "douyin"])
        .args(["--bind", HOST, "--advertise", HOST])
        .args(["--port-base", &base.to_string()])
        .arg("--state-dir")
        .arg(state)
        .arg("--ready-file")
        .arg(ready_path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start dlconform serve");
    let started = Instant::now();
    let ready = loop {
        if let Ok(bytes) = std::fs::read(ready_path) {
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
    Served { child, ready }
}

fn stop(mut served: Served) {
    let status = Command::new("kill")
        .args(["-TERM", &served.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let started = Instant::now();
    while served.child.try_wait().unwrap().is_none() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "serve did not stop"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// curl's exit code, HTTP status line and body.
fn curl(args: &[&str]) -> (i32, String) {
    let out = Command::new("curl")
        .args(["-sS", "--max-time", "10"])
        .args(args)
        .output()
        .expect("run curl");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn get(url: &str) -> String {
    let (code, body) = curl(&[url]);
    assert_eq!(code, 0, "curl {url}");
    body
}

/// Every `http://` or `https://` URL in `text`, cut at the first character URLs here never hold.
fn urls_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for scheme in ["http://", "https://"] {
        let mut rest = text;
        while let Some(i) = rest.find(scheme) {
            let tail = &rest[i..];
            let end = tail
                .find(|c: char| c.is_whitespace() || "\"'<>\\`".contains(c))
                .unwrap_or(tail.len());
            out.push(tail[..end].to_string());
            rest = &tail[end..];
        }
    }
    out
}

fn host_port(url: &str) -> (String, Option<u16>) {
    let after = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let authority = after.split(['/', '?']).next().unwrap_or("");
    match authority.rsplit_once(':') {
        Some((h, p)) => (h.to_string(), p.parse().ok()),
        None => (authority.to_string(), None),
    }
}

fn html_unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Rasterise the served SVG (`M{x} {y}h{n}v1h-{n}z` per run of dark modules), decode it with rqrr.
fn decode_qr(svg: &str) -> String {
    let view = svg
        .split("viewBox=\"0 0 ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse::<usize>().ok())
        .expect("viewBox");
    let d = svg
        .split(" d=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("path");
    let mut dark = vec![vec![false; view]; view];
    for rect in d.split('z').filter(|s| !s.is_empty()) {
        // M{x} {y}h{n}v1h-{n}: a run of n dark modules.
        let (start, run) = rect
            .strip_prefix('M')
            .and_then(|s| s.split_once('h'))
            .expect("a run of modules");
        let (x, y) = start.split_once(' ').expect("x y");
        let n: usize = run.split('v').next().unwrap().parse().unwrap();
        let (x, y): (usize, usize) = (x.parse().unwrap(), y.parse().unwrap());
        for cell in &mut dark[y][x..x + n] {
            *cell = true;
        }
    }
    const SCALE: usize = 4;
    let mut img =
        rqrr::PreparedImage::prepare_from_greyscale(view * SCALE, view * SCALE, |x, y| {
            if dark[y / SCALE][x / SCALE] { 0 } else { 255 }
        });
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the SVG");
    grids[0].decode().expect("QR decodes").1
}

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn serve_for_a_device_on_an_advertised_host_with_fixed_ports_and_a_kept_ca() {
    needs::require(&["curl"]);
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let ready_path = dir.path().join("ready.json");
    let base = free_port_base();
    let served = serve(base, &state, &ready_path);
    let ready = served.ready.clone();
    let http = format!("http://{HOST}:{base}");

    // The listeners sit at the fixed ports, under the advertised host.
    for (i, l) in ListenerKind::ALL.iter().enumerate() {
        let scheme = if l.is_tls() { "https" } else { "http" };
        assert_eq!(
            ready["listeners"][listener_name(*l)],
            format!("{scheme}://{HOST}:{}", base + i as u16).as_str(),
            "{l:?} in {ready}"
        );
    }
    assert_eq!(ready["refused_port"], base + SPAN - 1);

    // The CA, fetched over plain HTTP, is all curl is given.
    let ca_pem = get(&format!("{http}/ca.pem"));
    assert!(ca_pem.contains("BEGIN CERTIFICATE"), "{ca_pem}");
    let ca_path = dir.path().join("served-ca.pem");
    std::fs::write(&ca_path, &ca_pem).unwrap();
    let ca = ca_path.to_str().unwrap();
    let (code, der) = curl(&[
        "-o",
        "/dev/null",
        "-w",
        "%{http_code} %{content_type}",
        &format!("{http}/ca.crt"),
    ]);
    assert_eq!((code, der.as_str()), (0, "200 application/x-x509-ca-cert"));
    assert!(get(&format!("{http}/ca")).contains("Certificate Trust Settings"));

    for (i, l) in ListenerKind::ALL
        .iter()
        .enumerate()
        .filter(|(_, l)| l.is_tls())
    {
        let url = format!("https://{HOST}:{}/f/a.bin?body=1k", base + i as u16);
        let (code, out) = curl(&[
            "--cacert",
            ca,
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            &url,
        ]);
        if *l == ListenerKind::Https {
            assert_eq!((code, out.as_str()), (0, "200"), "valid listener {url}");
        } else {
            assert_eq!(code, 60, "{l:?} must fail certificate verification: {url}");
        }
    }

    // Every URL in the index, the ready file and scenarios.json names the host and a fixed port.
    let html = get(&format!("{http}/"));
    let json_text = get(&format!("{http}/scenarios.json"));
    let doc: Value = serde_json::from_str(&json_text).unwrap();
    let rows = doc["platform_rows"].as_array().expect("platform_rows");
    assert!(rows.len() > 10);
    let ready_text = serde_json::to_string(&ready).unwrap();
    // Header values a case sends (a forged Referer) are text the call carries, not server URLs.
    let header_urls: Vec<String> = rows
        .iter()
        .filter_map(|r| r["args"]["header"].as_object())
        .flat_map(|h| h.values())
        .filter_map(Value::as_str)
        .flat_map(urls_in)
        .collect();
    let mut checked = 0;
    for (what, text) in [
        ("index", html.as_str()),
        ("scenarios.json", &json_text),
        ("ready file", &ready_text),
    ] {
        for url in urls_in(text) {
            if url == "http://www.w3.org/2000/svg" {
                continue; // the SVG namespace, not a link
            }
            let bare = html_unescape(&url);
            if header_urls
                .iter()
                .any(|h| bare.starts_with(h.as_str()) || h.starts_with(bare.as_str()))
            {
                continue;
            }
            let (host, port) = host_port(&url);
            if host.ends_with(".invalid") {
                continue; // DNS-failure scenarios name a host that cannot exist
            }
            assert_eq!(host, HOST, "{what}: {url}");
            let port = port.unwrap_or_else(|| panic!("{what}: no port in {url}"));
            assert!(
                (base..base + SPAN).contains(&port),
                "{what}: {url} not on a fixed port"
            );
            checked += 1;
        }
    }
    assert!(checked > 3 * rows.len(), "only {checked} URLs checked");

    // Structured rows: platform, case, errno, errMsg, url, args, steps, and the call to copy.
    let failing = rows
        .iter()
        .find(|r| r["errno"].is_i64() && r["errMsg"].is_string())
        .expect("a row with errno and errMsg");
    assert_eq!(failing["platform"], "douyin");
    assert!(failing["case"].is_string());
    assert_eq!(failing["args"]["url"], failing["url"]);
    assert!(
        failing["snippet"]
            .as_str()
            .unwrap()
            .contains("tt.downloadFile({")
    );
    // Where the case does not pin the message, the platform's prefix says how it starts.
    let success = rows
        .iter()
        .find(|r| r["behaviour"] == "success 200" && r["err_msg_match"] == "prefix")
        .expect("a success row with the ok prefix");
    assert_eq!(success["errMsg"], "downloadFile:ok");
    // Device steps come from the case: host events, a quota, a domain list.
    let steps: Vec<String> = rows
        .iter()
        .filter_map(|r| r["steps"].as_array())
        .flatten()
        .filter_map(|s| s.as_str().map(str::to_string))
        .collect();
    for wanted in [
        "Go offline (airplane mode, or Wi-Fi and data off) about 300 ms after starting the call.",
        "Put the app in the background (home screen) once about 65536 bytes have arrived",
        "Fill the user file storage until less than 1048576 bytes are free",
        "Set the downloadFile domain list in the platform's console to cdn.example.com only; 127.0.0.2 must not be on it",
    ] {
        assert!(
            steps.iter().any(|s| s.starts_with(wanted)),
            "no step `{wanted}` in {steps:#?}"
        );
    }

    // Each row's QR code (an SVG the page loads when opened) decodes to its URL.
    let mut decoded = 0;
    let blocks: Vec<&str> = html.split("<div class=\"scenario\"").skip(1).collect();
    let last = blocks.len() - 1;
    for block in [0, 1, 2, last / 2, last].map(|i| blocks[i]) {
        let url = block
            .split("URL: <a href=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .map(html_unescape)
            .expect("the row's URL");
        let src = block
            .split("src=\"/qr.svg?")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .map(html_unescape)
            .expect("the row's QR code");
        let svg = get(&format!("{http}/qr.svg?{src}"));
        assert_eq!(decode_qr(&svg), url);
        decoded += 1;
    }
    assert_eq!(decoded, 5);

    // The control API wants the token; scenario URLs did not.
    let token = ready["control_token"]
        .as_str()
        .expect("a token when bound beyond 127.0.0.1");
    let control = format!("{http}/_control/info");
    let (_, status) = curl(&["-o", "/dev/null", "-w", "%{http_code}", &control]);
    assert_eq!(status, "401");
    let (_, status) = curl(&[
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        "-H",
        "Authorization: Bearer wrong",
        &control,
    ]);
    assert_eq!(status, "401");
    let auth = format!("Authorization: Bearer {token}");
    let (_, status) = curl(&[
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        "-H",
        &auth,
        &control,
    ]);
    assert_eq!(status, "200");

    // The live view shows what the server saw for a row, credentials redacted.
    let row = rows
        .iter()
        .find(|r| {
            r["behaviour"] == "success 200" && r["listener"] == "https" && r["key"].is_string()
        })
        .expect("a plain https success row");
    let (code, _) = curl(&[
        "--cacert",
        ca,
        "-o",
        "/dev/null",
        "-H",
        "Authorization: Bearer secret-token",
        "-H",
        "Cookie: session=secret-cookie",
        row["url"].as_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    let live: Value = serde_json::from_str(&get(&format!(
        "{http}/live/{}.json",
        row["key"].as_str().unwrap()
    )))
    .unwrap();
    let requests = live["journal"]["requests"].as_array().unwrap();
    assert_eq!(requests.len(), 1, "{live}");
    assert_eq!(requests[0]["status"], 200);
    assert_eq!(requests[0]["end"], "complete");
    let live_text = live.to_string();
    assert!(!live_text.contains("secret"), "{live_text}");
    assert!(live_text.contains("[redacted]"));

    // Restart on the same state folder: the same CA, and the old CA file still verifies.
    let fingerprint = ready["ca_sha256"].as_str().unwrap().to_string();
    stop(served);
    let served = serve(base, &state, &ready_path);
    assert_eq!(
        served.ready["ca_sha256"].as_str(),
        Some(fingerprint.as_str())
    );
    assert_eq!(get(&format!("{http}/ca.pem")), ca_pem);
    let (code, out) = curl(&[
        "--cacert",
        ca,
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        &format!("https://{HOST}:{}/f/a.bin?body=1k", base + 1),
    ]);
    assert_eq!((code, out.as_str()), (0, "200"));
    stop(served);
}

#[test]
fn serve_help_shows_a_device_example() {
    let out = Command::new(env!("CARGO_BIN_EXE_dlconform"))
        .args(["serve", "--help"])
        .output()
        .expect("run dlconform serve --help");
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(
        help.contains("--bind 0.0.0.0 --advertise 192.168.1.20")
            && help.contains("--port-base 18000 --state-dir"),
        "{help}"
    );
    for flag in [
        "--advertise <HOST>",
        "--port-base <N>",
        "--port <LISTENER=PORT>",
    ] {
        assert!(help.contains(flag), "{flag} in {help}");
    }
}

/// Chromium's path (`DLCONFORM_CHROMIUM`, or on PATH); a missing one fails the test, naming
/// what to install (outside CI, `harness/build.rs` has cargo report the test as ignored).
fn chromium() -> PathBuf {
    if let Some(path) = std::env::var_os("DLCONFORM_CHROMIUM") {
        return PathBuf::from(path);
    }
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .flat_map(|dir| ["chromium", "chromium-browser"].map(|name| dir.join(name)))
            .find(|path| path.is_file())
    });
    found.expect("chromium is not installed: apt-get install -y chromium")
}

#[test]
#[cfg_attr(any(skip_curl, skip_chromium), ignore = "needs curl, chromium")]
fn the_console_shows_live_what_the_server_saw_in_a_browser() {
    needs::require(&["curl", "chromium"]);
    let chromium = chromium();
    let dir = tempfile::tempdir().unwrap();
    let base = free_port_base();
    let served = serve(
        base,
        &dir.path().join("state"),
        &dir.path().join("ready.json"),
    );
    let http = format!("http://{HOST}:{base}");
    let doc: Value = serde_json::from_str(&get(&format!("{http}/scenarios.json"))).unwrap();
    let row = doc["platform_rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["behaviour"] == "success 200" && r["listener"] == "https" && r["key"].is_string()
        })
        .expect("a plain https success row")
        .clone();
    let key = row["key"].as_str().unwrap();
    let ca = served.ready["ca_cert"].as_str().unwrap().to_string();
    for _ in 0..2 {
        let (code, _) = curl(&[
            "--cacert",
            &ca,
            "-o",
            "/dev/null",
            row["url"].as_str().unwrap(),
        ]);
        assert_eq!(code, 0);
    }
    // `#s-<key>` opens the row's live view; the page's script fills it from /live/<key>.json.
    let out = Command::new(&chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile").display()
        ))
        .args(["--virtual-time-budget=5000", "--dump-dom"])
        .arg(format!("{http}/#s-{key}"))
        .stderr(Stdio::null())
        .output()
        .expect("run chromium");
    let dom = String::from_utf8_lossy(&out.stdout);
    let live = dom
        .split(&format!("data-key=\"{key}\""))
        .nth(1)
        .and_then(|r| r.split("</details>").next())
        .unwrap_or_else(|| panic!("no live view for {key} in the page"));
    assert!(live.contains("2 request(s)"), "{live}");
    assert!(
        live.contains("-&gt; 200") && live.contains("ended: complete"),
        "{live}"
    );
    stop(served);
}
