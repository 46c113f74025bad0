//! Per-case origins, proven with curl: a case reached through its own bare origin (plain and
//! TLS), its requests filed under its key, two cases' origins apart, closing and the bound.

mod common;
#[path = "../../harness/needs.rs"]
mod needs;

use std::process::Command;

use common::TestServer;
use mock_server::feishu::{FeishuApp, FeishuFile, FeishuFileState, FeishuFixture};
use mock_server::{MockServer, Scenario, ServerConfig, Target};

fn feishu_case(file_key: &str) -> Scenario {
    Scenario {
        target: Target::Http,
        faults: Vec::new(),
        feishu: Some(FeishuFixture {
            apps: vec![FeishuApp {
                app_id: "cli_a".into(),
                app_secret: "secret_a".into(),
            }],
            files: vec![FeishuFile {
                file_key: file_key.into(),
                owner_app_id: "cli_a".into(),
                name: "f.bin".into(),
                size: 1234,
                seed: 3,
                state: FeishuFileState::Ok,
                disposition: Default::default(),
            }],
            ..FeishuFixture::default()
        }),
    }
}

/// curl's exit code and stdout.
fn curl(args: &[&str]) -> (i32, String) {
    let out = Command::new("curl")
        .args(["-sS", "--max-time", "10"])
        .args(args)
        .output()
        .expect("curl runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// A tenant token from `origin` (no path prefix), then the file's size as curl downloaded it.
fn token_then_file(origin: &str, file_key: &str, extra: &[&str]) -> (String, String) {
    let mut args = extra.to_vec();
    let token_url = format!("{origin}/open-apis/auth/v3/tenant_access_token/internal");
    args.extend([
        "-H",
        "Content-Type: application/json",
        "-d",
        r#"{"app_id":"cli_a","app_secret":"secret_a"}"#,
        token_url.as_str(),
    ]);
    let (code, body) = curl(&args);
    assert_eq!(code, 0, "token request: {body}");
    let token: serde_json::Value = serde_json::from_str(&body).expect("token JSON");
    let token = token["tenant_access_token"]
        .as_str()
        .expect("a token")
        .to_string();
    let mut args = extra.to_vec();
    let auth = format!("Authorization: Bearer {token}");
    let file_url = format!("{origin}/open-apis/im/v1/files/{file_key}");
    args.extend([
        "-o",
        "/dev/null",
        "-w",
        "%{size_download}",
        "-H",
        auth.as_str(),
        file_url.as_str(),
    ]);
    let (code, size) = curl(&args);
    assert_eq!(code, 0, "file request");
    (token, size)
}

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn a_case_is_reached_through_its_own_origin_and_filed_under_its_key() {
    needs::require(&["curl"]);
    let t = TestServer::start();
    t.s().register("case-a", feishu_case("file_a"));
    t.s().register("case-b", feishu_case("file_b"));
    let a =
        t.rt.block_on(async { t.s().open_origin("case-a") })
            .unwrap();
    let b =
        t.rt.block_on(async { t.s().open_origin("case-b") })
            .unwrap();
    assert_ne!(a.http, b.http, "two cases share an origin");
    assert_ne!(a.https, b.https);
    assert_ne!(a.http, t.s().base_url(mock_server::ListenerKind::Http));
    assert!(a.http.starts_with("http://127.0.0.1:") && !a.http[7..].contains('/'));

    let (_, size) = token_then_file(&a.http, "file_a", &[]);
    assert_eq!(size, "1234");
    let ca = t.ca();
    let ca = ca.to_str().unwrap();
    let (_, size) = token_then_file(&b.https, "file_b", &["--cacert", ca]);
    assert_eq!(size, "1234");

    let journal_a = t.journal_when("case-a", |j| j.requests.len() == 2);
    let paths: Vec<&str> = journal_a.requests.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/c/case-a/open-apis/auth/v3/tenant_access_token/internal",
            "/c/case-a/open-apis/im/v1/files/file_a"
        ]
    );
    assert!(journal_a.requests.iter().all(|r| r.listener == "http"));
    let journal_b = t.journal_when("case-b", |j| j.requests.len() == 2);
    assert!(journal_b.requests.iter().all(|r| r.listener == "https"));
    // A request on case-b's origin is case-b's, whatever its path names.
    let (code, _) = curl(&[
        "-o",
        "/dev/null",
        &format!("{}/open-apis/im/v1/files/file_a", b.http),
    ]);
    assert_eq!(code, 0);
    let journal_b = t.journal_when("case-b", |j| j.requests.len() == 3);
    assert_eq!(journal_b.requests.len(), 3);
    assert_eq!(t.s().journal("case-a").requests.len(), 2);
    // Opening again hands back the same origin.
    let again =
        t.rt.block_on(async { t.s().open_origin("case-a") })
            .unwrap();
    assert_eq!(again, a);
}

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn a_closed_origin_refuses_connections() {
    needs::require(&["curl"]);
    let t = TestServer::start();
    t.s().register("case-c", feishu_case("file_c"));
    let c =
        t.rt.block_on(async { t.s().open_origin("case-c") })
            .unwrap();
    let (code, _) = curl(&["-o", "/dev/null", &format!("{}/x", c.http)]);
    assert_eq!(code, 0, "the open origin answers");
    assert!(t.s().close_origin("case-c"));
    assert!(!t.s().close_origin("case-c"));
    // The accept loop ends once stopped; curl 7 is "failed to connect".
    let refused = (0..50).any(|_| {
        let (code, _) = curl(&["-o", "/dev/null", &format!("{}/x", c.http)]);
        code == 7 || {
            std::thread::sleep(std::time::Duration::from_millis(20));
            false
        }
    });
    assert!(refused, "the closed origin still accepts");
    assert_eq!(t.s().open_origins(), 0);
}

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn past_the_bound_the_oldest_origin_is_closed() {
    needs::require(&["curl"]);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let server: MockServer = rt
        .block_on(MockServer::start(ServerConfig {
            max_case_origins: 2,
            ..ServerConfig::new(dir.path())
        }))
        .unwrap();
    let first = rt.block_on(async { server.open_origin("k1") }).unwrap();
    rt.block_on(async { server.open_origin("k2") }).unwrap();
    rt.block_on(async { server.open_origin("k3") }).unwrap();
    assert_eq!(server.open_origins(), 2);
    assert!(!server.close_origin("k1"), "the oldest is still open");
    assert!(server.close_origin("k2") && server.close_origin("k3"));
    let refused = (0..50).any(|_| {
        let (code, _) = curl(&["-o", "/dev/null", &format!("{}/x", first.http)]);
        code == 7 || {
            std::thread::sleep(std::time::Duration::from_millis(20));
            false
        }
    });
    assert!(refused, "the evicted origin still accepts");
    assert!(server.open_origin("bad key").is_err());
    rt.block_on(server.shutdown());
}

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn the_control_api_opens_and_closes_origins() {
    needs::require(&["curl"]);
    let t = TestServer::start();
    t.s().register("case-d", feishu_case("file_d"));
    let control = t.s().control_url();
    let (code, body) = curl(&["-X", "POST", &format!("{control}/origins/case-d")]);
    assert_eq!(code, 0);
    let origin: serde_json::Value = serde_json::from_str(&body).expect("origin JSON");
    let http = origin["http"].as_str().expect("http origin").to_string();
    assert!(
        origin["https"]
            .as_str()
            .is_some_and(|s| s.starts_with("https://127.0.0.1:"))
    );
    let (_, size) = token_then_file(&http, "file_d", &[]);
    assert_eq!(size, "1234");
    let (code, status) = curl(&[
        "-X",
        "DELETE",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        &format!("{control}/origins/case-d"),
    ]);
    assert_eq!((code, status.as_str()), (0, "204"));
    assert_eq!(t.s().open_origins(), 0);
}

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn opening_one_key_at_once_from_many_threads_gives_one_origin() {
    needs::require(&["curl"]);
    let t = TestServer::start();
    let origins: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                s.spawn(|| {
                    let _guard = t.rt.enter();
                    t.s().open_origin("case-e").expect("opens")
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    assert!(origins.windows(2).all(|w| w[0] == w[1]), "{origins:?}");
    assert_eq!(t.s().open_origins(), 1);
    let (code, _) = curl(&["-o", "/dev/null", &format!("{}/x", origins[0].http)]);
    assert_eq!(code, 0, "the one origin answers");
}
