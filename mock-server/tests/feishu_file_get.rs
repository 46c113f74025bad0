//! `GET /open-apis/im/v1/files/:file_key`: content, headers and every error answer.

mod feishu_support;
#[path = "../../harness/needs.rs"]
mod needs;

use tokio::process::Command;

use feishu_support::{
    APP_A, APP_B, TestServer, assert_error, fixture, get_file, send, send_head, start, token,
};
use mock_server::feishu::MAX_DOWNLOAD_SIZE;
use mock_server::feishu::{FeishuAuthErrors, FeishuFixture};
use mock_server::respond::body::generated_sha256;
use rstest::rstest;
use sha2::{Digest, Sha256};

/// Download with curl; returns (HTTP status, response headers text, body bytes).
async fn curl(
    server: &TestServer,
    token: &str,
    key: &str,
    extra: &[&str],
) -> (u16, String, Vec<u8>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let body = dir.path().join("body");
    let headers = dir.path().join("headers");
    let output = Command::new("curl")
        .args(["-sS", "-o"])
        .arg(&body)
        .arg("-D")
        .arg(&headers)
        .args(["-w", "%{http_code}", "-H"])
        .arg(format!("Authorization: Bearer {token}"))
        .args(extra)
        .arg(format!("{}/open-apis/im/v1/files/{key}", server.base()))
        .output()
        .await
        .expect("run curl");
    assert!(output.status.success(), "curl: {output:?}");
    let status = String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .expect("status");
    let headers = std::fs::read_to_string(&headers).expect("headers");
    let body = std::fs::read(&body).unwrap_or_default();
    (status, headers.to_ascii_lowercase(), body)
}

#[tokio::test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
async fn curl_download_streams_the_generated_content() {
    needs::require(&["curl"]);
    let server = start(fixture()).await;
    let token = token(&server, APP_A).await;
    let (status, headers, body) = curl(&server, &token, "file_ok", &[]).await;
    assert_eq!(status, 200);
    assert_eq!(body.len(), 300_000);
    assert_eq!(
        hex::encode(Sha256::digest(&body)),
        generated_sha256(7, 300_000)
    );
    assert!(
        headers.contains("content-type: application/octet-stream"),
        "{headers}"
    );
    assert!(headers.contains("content-length: 300000"), "{headers}");
    assert!(headers.contains("x-tt-logid: "), "{headers}");
    assert!(!headers.contains("content-disposition"), "{headers}");
}

#[tokio::test]
async fn an_empty_file_is_an_empty_200() {
    let server = start(fixture()).await;
    let token = token(&server, APP_A).await;
    let reply = get_file(&server, &token, "file_empty", &[]).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-length"), Some("0"));
    assert!(reply.body.is_empty());
}

#[rstest]
#[case::no_content_type(None, None)]
#[case::json(Some("application/json"), Some("attachment; filename=\"report.pdf\""))]
#[case::json_with_charset(
    Some("application/json; charset=utf-8"),
    Some("attachment; filename=\"report.pdf\"")
)]
#[case::json_upper_case(Some("Application/JSON"), Some("attachment; filename=\"report.pdf\""))]
#[case::text(Some("text/plain"), None)]
#[case::octet_stream(Some("application/octet-stream"), None)]
#[tokio::test]
async fn content_disposition_only_when_asked_with_json_content_type(
    #[case] content_type: Option<&str>,
    #[case] expected: Option<&str>,
) {
    let server = start(fixture()).await;
    let token = token(&server, APP_A).await;
    let extra: Vec<(&str, &str)> = content_type
        .map(|c| ("content-type", c))
        .into_iter()
        .collect();
    let reply = get_file(&server, &token, "file_ok", &extra).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-disposition"), expected);
    assert_eq!(
        hex::encode(Sha256::digest(&reply.body)),
        generated_sha256(7, 300_000)
    );
}

#[tokio::test]
async fn non_ascii_names_get_an_rfc_8187_filename() {
    let server = start(fixture()).await;
    let token = token(&server, APP_A).await;
    let reply = get_file(
        &server,
        &token,
        "file_cn",
        &[("content-type", "application/json")],
    )
    .await;
    assert_eq!(
        reply.header("content-disposition"),
        Some("attachment; filename=\"__ 1.pdf\"; filename*=UTF-8''%E6%8A%A5%E5%91%8A%201.pdf")
    );
}

#[rstest]
#[case::unknown_key("file_missing", 400, 234001, "Invalid request param.")]
#[case::file_of_another_app("file_of_b", 400, 234008, "The app is not the resource sender")]
#[case::deleted("file_deleted", 400, 234005, "Image has been deleted")]
#[case::master_key_deleted(
    "file_master_key",
    400,
    234041,
    "Tenant master key has been deleted, please contact the tenant administrator."
)]
#[case::storage_error(
    "file_storage",
    400,
    234042,
    "Hybrid deployment tenant storage error, such as full storage space, please contact tenant administrator."
)]
#[case::over_100_mib("file_too_big", 400, 234037, "Downloaded file size exceeds limit.")]
#[tokio::test]
async fn file_errors_answer_the_documented_table(
    #[case] key: &str,
    #[case] status: u16,
    #[case] code: u64,
    #[case] msg: &str,
) {
    let server = start(fixture()).await;
    let token = token(&server, APP_A).await;
    let reply = get_file(
        &server,
        &token,
        key,
        &[("content-type", "application/json")],
    )
    .await;
    assert_error(&reply, status, code, msg);
    assert!(reply.header("content-disposition").is_none());
}

#[tokio::test]
async fn the_owner_app_can_download_its_file() {
    let server = start(fixture()).await;
    let token = token(&server, APP_B).await;
    let reply = get_file(&server, &token, "file_of_b", &[]).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body.len(), 1000);
}

#[tokio::test]
#[cfg_attr(skip_curl, ignore = "needs curl")]
async fn a_file_one_byte_over_100_mib_is_refused_without_its_content() {
    needs::require(&["curl"]);
    let server = start(fixture()).await;
    let token = token(&server, APP_A).await;
    let (status, headers, body) = curl(&server, &token, "file_too_big", &[]).await;
    assert_eq!(status, 400);
    assert!(
        headers.contains("content-type: application/json; charset=utf-8"),
        "{headers}"
    );
    assert!(
        !headers.contains(&format!("content-length: {}", MAX_DOWNLOAD_SIZE + 1)),
        "{headers}"
    );
    assert!(body.len() < 200, "{} bytes", body.len());
    let json: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
    assert_eq!(json["code"], 234037);
}

#[tokio::test]
async fn a_file_of_exactly_100_mib_is_served() {
    let server = start(fixture()).await;
    let token = token(&server, APP_A).await;
    let auth = format!("Bearer {token}");
    // Only the head is read: streaming 100 MiB would add nothing here.
    let response = send_head(
        &server,
        "GET",
        "/open-apis/im/v1/files/file_max",
        &[("authorization", &auth)],
        b"",
    )
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response
            .headers()
            .get("content-length")
            .and_then(|v| v.to_str().ok()),
        Some(MAX_DOWNLOAD_SIZE.to_string().as_str())
    );
}

const MISSING: &str =
    "Missing access token for authorization. Please make a request with token attached.";
const INVALID: &str =
    "Invalid access token for authorization. Please make a request with token attached.";

/// How a case presents its credentials.
#[derive(Clone, Copy, Debug)]
enum Credentials {
    NoHeader,
    TokenWithoutBearer,
    EmptyBearer,
    UnknownToken,
    ExpiredToken,
}

async fn auth_header(server: &TestServer, credentials: Credentials) -> Option<String> {
    match credentials {
        Credentials::NoHeader => None,
        Credentials::TokenWithoutBearer => Some(token(server, APP_A).await),
        Credentials::EmptyBearer => Some("Bearer ".to_string()),
        Credentials::UnknownToken => Some("Bearer t-fakefakefakefake".to_string()),
        // The expiry cases run with a 0 s TTL, so every issued token is already expired.
        Credentials::ExpiredToken => Some(format!("Bearer {}", token(server, APP_A).await)),
    }
}

#[rstest]
#[case::no_header(Credentials::NoHeader, 99991661, MISSING)]
#[case::token_without_bearer(Credentials::TokenWithoutBearer, 99991661, MISSING)]
#[case::empty_bearer(Credentials::EmptyBearer, 99991661, MISSING)]
#[case::unknown_token(Credentials::UnknownToken, 99991663, INVALID)]
#[case::expired_token(Credentials::ExpiredToken, 99991663, INVALID)]
#[tokio::test]
async fn token_failures_answer_like_the_gateway_or_the_documented_table(
    #[case] credentials: Credentials,
    #[case] gateway_code: u64,
    #[case] gateway_msg: &str,
    #[values(
        None,
        Some(FeishuAuthErrors::Gateway),
        Some(FeishuAuthErrors::Documented)
    )]
    mode: Option<FeishuAuthErrors>,
) {
    let expired = matches!(credentials, Credentials::ExpiredToken);
    let server = start(FeishuFixture {
        auth_errors: mode,
        token_ttl_seconds: expired.then_some(0),
        ..fixture()
    })
    .await;
    let header = auth_header(&server, credentials).await;
    let headers: Vec<(&str, &str)> = header
        .as_deref()
        .map(|h| ("authorization", h))
        .into_iter()
        .collect();
    let reply = send(
        &server,
        "GET",
        "/open-apis/im/v1/files/file_ok",
        &headers,
        b"",
    )
    .await;
    if mode == Some(FeishuAuthErrors::Documented) {
        assert_error(&reply, 401, 234002, "Unauthorized.");
    } else {
        assert_error(&reply, 400, gateway_code, gateway_msg);
    }
}

#[tokio::test]
async fn a_token_stops_working_once_its_app_leaves_the_fixture() {
    let server = start(fixture()).await;
    let token = token(&server, APP_A).await;
    assert_eq!(get_file(&server, &token, "file_ok", &[]).await.status, 200);
    // The same state now serves a fixture that knows only app B.
    let mut only_b = fixture();
    only_b.apps.retain(|a| a.app_id == APP_B.0);
    server.set_fixture(only_b);
    let reply = get_file(&server, &token, "file_ok", &[]).await;
    assert_error(&reply, 400, 99991663, INVALID);
}
