//! The Feishu emulation behind the real server, seen by curl: lower-case header names on
//! HTTP/1.1 when the fixture asks, and a gateway's non-JSON answer.

mod common;
#[path = "../../harness/needs.rs"]
mod needs;

use common::{TestServer, curl};
use mock_server::feishu::{FeishuApp, FeishuFile, FeishuFileState, FeishuFixture, FeishuRawAnswer};
use mock_server::{ListenerKind, Scenario, Target};

fn fixture() -> FeishuFixture {
    FeishuFixture {
        apps: vec![FeishuApp {
            app_id: "cli_a".into(),
            app_secret: "secret_a".into(),
        }],
        files: vec![FeishuFile {
            file_key: "file_ok".into(),
            owner_app_id: "cli_a".into(),
            name: "q3;final.pdf".into(),
            size: 1000,
            seed: 3,
            state: FeishuFileState::Ok,
            disposition: Default::default(),
        }],
        ..FeishuFixture::default()
    }
}

fn register(t: &TestServer, key: &str, fixture: FeishuFixture) -> String {
    t.s().register(
        key,
        Scenario {
            target: Target::Http,
            faults: vec![],
            feishu: Some(fixture),
        },
    );
    t.url(ListenerKind::Http, &format!("/c/{key}"))
}

/// The response head and body curl printed with `-i`.
fn split(out: &[u8]) -> (String, Vec<u8>) {
    let at = out
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a response head");
    (
        String::from_utf8_lossy(&out[..at]).into_owned(),
        out[at + 4..].to_vec(),
    )
}

fn token(base: &str) -> String {
    let r = curl(&[
        "--http1.1",
        "-H",
        "content-type: application/json",
        "-d",
        r#"{"app_id":"cli_a","app_secret":"secret_a"}"#,
        &format!("{base}/open-apis/auth/v3/tenant_access_token/internal"),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let json: serde_json::Value = serde_json::from_slice(&r.stdout).expect("token JSON");
    json["tenant_access_token"]
        .as_str()
        .expect("a token")
        .to_string()
}

fn get(base: &str, token: &str, extra: &[&str]) -> (String, Vec<u8>) {
    let auth = format!("authorization: Bearer {token}");
    let url = format!("{base}/open-apis/im/v1/files/file_ok");
    let mut args = vec!["--http1.1", "-i", "-H", auth.as_str()];
    args.extend_from_slice(extra);
    args.push(url.as_str());
    let r = curl(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    split(&r.stdout)
}

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn lowercase_headers_switch_lowers_every_name_errors_included() {
    needs::require(&["curl"]);
    let t = TestServer::start();
    let base = register(
        &t,
        "fs-lower",
        FeishuFixture {
            lowercase_headers: true,
            rate_limited_first: Some(1),
            ..fixture()
        },
    );
    let token = token(&base);
    // The first file request is refused: a 429 error answer with lower-case names.
    let (head, body) = get(&base, &token, &[]);
    assert!(head.starts_with("HTTP/1.1 429"), "{head}");
    for line in [
        "content-type: application/json",
        "x-ogw-ratelimit-reset: 1",
        "x-ogw-ratelimit-limit: 50",
        "x-tt-logid: ",
    ] {
        assert!(head.contains(line), "{line} in {head}");
    }
    let json: serde_json::Value = serde_json::from_slice(&body).expect("error JSON");
    assert_eq!(json["code"], 99991400);
    // The next one succeeds, Content-Disposition (a `;` in the quoted name) in lower case too.
    let (head, body) = get(&base, &token, &["-H", "content-type: application/json"]);
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(head.contains("content-length: 1000"), "{head}");
    assert!(
        head.contains("content-disposition: attachment; filename=\"q3;final.pdf\""),
        "{head}"
    );
    assert_eq!(body.len(), 1000);
    let names: Vec<&str> = head
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(':').map(|(n, _)| n))
        .collect();
    assert!(
        names.iter().all(|n| *n == n.to_ascii_lowercase()),
        "{names:?}"
    );
}

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn without_the_switch_names_are_in_canonical_case() {
    needs::require(&["curl"]);
    let t = TestServer::start();
    let base = register(&t, "fs-canonical", fixture());
    let token = token(&base);
    let (head, _) = get(&base, &token, &[]);
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(
        head.contains("Content-Type: application/octet-stream"),
        "{head}"
    );
    assert!(head.contains("Content-Length: 1000"), "{head}");
}

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn a_gateway_answer_is_sent_as_given_not_as_json() {
    needs::require(&["curl"]);
    let t = TestServer::start();
    let page = "<html><head><title>502 Bad Gateway</title></head><body>bad gateway</body></html>";
    let base = register(
        &t,
        "fs-502",
        FeishuFixture {
            file_answer: Some(FeishuRawAnswer {
                status: 502,
                content_type: "text/html".into(),
                body: page.into(),
            }),
            ..fixture()
        },
    );
    let token = token(&base);
    let (head, body) = get(&base, &token, &[]);
    assert!(head.starts_with("HTTP/1.1 502"), "{head}");
    assert!(head.contains("Content-Type: text/html"), "{head}");
    assert_eq!(body, page.as_bytes());
}

#[test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
fn cases_have_their_own_windows_and_share_valid_tokens() {
    needs::require(&["curl"]);
    let t = TestServer::start();
    let one_per_second = || FeishuFixture {
        rate_limit_per_second: Some(1),
        ..fixture()
    };
    let a = register(&t, "fs-window-a", one_per_second());
    let b = register(&t, "fs-window-b", one_per_second());
    let token_a = token(&a);
    let (head, _) = get(&a, &token_a, &[]);
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    // The same app in another case: its own window, so not refused though case a's is full.
    // The token came from case a: tokens stay valid server-wide, as clients cache them.
    let (head, _) = get(&b, &token_a, &[]);
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    // Case b issues its own token, not case a's.
    assert_ne!(token(&b), token_a);
}
