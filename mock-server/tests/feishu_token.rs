//! `POST /open-apis/auth/v3/tenant_access_token/internal` and unknown routes.

mod feishu_support;

use feishu_support::{APP_A, APP_B, assert_error, fixture, send, start, token_request};
use mock_server::feishu::FeishuFixture;
use rstest::rstest;

#[tokio::test]
async fn issues_a_token_with_the_documented_shape() {
    let server = start(fixture()).await;
    let reply = token_request(&server, r#"{"app_id":"cli_a","app_secret":"secret_a"}"#).await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    assert!(reply.header("x-tt-logid").is_some());
    let json = reply.json();
    assert_eq!(json["code"], 0);
    assert_eq!(json["msg"], "ok");
    assert_eq!(json["expire"], 7200);
    let token = json["tenant_access_token"].as_str().expect("token");
    assert!(
        token.starts_with("t-")
            && token.len() == 42
            && token[2..].bytes().all(|b| b.is_ascii_hexdigit()),
        "{token}"
    );
}

#[tokio::test]
async fn hands_out_the_same_token_while_it_is_fresh_and_one_per_app() {
    let server = start(fixture()).await;
    let a1 = feishu_support::token(&server, APP_A).await;
    let a2 = feishu_support::token(&server, APP_A).await;
    let b = feishu_support::token(&server, APP_B).await;
    assert_eq!(a1, a2);
    assert_ne!(a1, b);
}

#[tokio::test]
async fn token_ttl_comes_from_the_fixture() {
    let server = start(FeishuFixture {
        token_ttl_seconds: Some(60),
        ..fixture()
    })
    .await;
    let reply = token_request(&server, r#"{"app_id":"cli_a","app_secret":"secret_a"}"#).await;
    assert_eq!(reply.json()["expire"], 60);
}

#[tokio::test]
async fn accepts_the_token_path_with_a_trailing_slash() {
    let server = start(fixture()).await;
    let reply = send(
        &server,
        "POST",
        "/open-apis/auth/v3/tenant_access_token/internal/",
        &[],
        br#"{"app_id":"cli_a","app_secret":"secret_a"}"#,
    )
    .await;
    assert_eq!(reply.json()["code"], 0);
}

#[rstest]
#[case::wrong_secret(
    r#"{"app_id":"cli_a","app_secret":"nope"}"#,
    200,
    10014,
    "app secret invalid"
)]
#[case::secret_of_another_app(
    r#"{"app_id":"cli_a","app_secret":"secret_b"}"#,
    200,
    10014,
    "app secret invalid"
)]
#[case::unknown_app(
    r#"{"app_id":"cli_zz","app_secret":"secret_a"}"#,
    200,
    10003,
    "invalid param"
)]
#[case::missing_secret(r#"{"app_id":"cli_a"}"#, 200, 10003, "invalid param")]
#[case::secret_not_a_string(r#"{"app_id":"cli_a","app_secret":1}"#, 200, 10003, "invalid param")]
#[case::not_json("app_id=cli_a&app_secret=secret_a", 400, 10003, "invalid param")]
#[case::json_array(r#"["cli_a","secret_a"]"#, 400, 10003, "invalid param")]
#[case::empty_body("", 400, 10003, "invalid param")]
#[tokio::test]
async fn refuses_bad_token_requests(
    #[case] body: &str,
    #[case] status: u16,
    #[case] code: u64,
    #[case] msg: &str,
) {
    let server = start(fixture()).await;
    let reply = token_request(&server, body).await;
    assert_error(&reply, status, code, msg);
    assert!(reply.json().get("tenant_access_token").is_none());
}

#[rstest]
#[case::wrong_method_on_token_path("GET", "/open-apis/auth/v3/tenant_access_token/internal")]
#[case::unknown_api("GET", "/open-apis/nonexistent/v1/foo")]
#[case::files_without_key("GET", "/open-apis/im/v1/files/")]
#[case::nested_file_path("GET", "/open-apis/im/v1/files/a/b")]
#[case::post_to_files("POST", "/open-apis/im/v1/files/file_ok")]
#[tokio::test]
async fn unknown_routes_get_the_gateway_plain_text_404(#[case] method: &str, #[case] path: &str) {
    let server = start(fixture()).await;
    let reply = send(&server, method, path, &[], b"").await;
    assert_eq!(reply.status, 404);
    assert_eq!(
        reply.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(&reply.body[..], b"404 page not found");
}
