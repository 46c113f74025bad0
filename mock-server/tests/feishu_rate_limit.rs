//! Per-app rate limiting of the file endpoint: HTTP 429, `x-ogw-ratelimit-*`, 99991400.

mod feishu_support;

use std::time::Duration;

use feishu_support::{APP_A, APP_B, Reply, assert_error, fixture, get_file, start, token};
use mock_server::feishu::FeishuFixture;

const LIMITED: &str = "request trigger frequency limit";

fn assert_limited(reply: &Reply, limit: &str) -> u64 {
    assert_error(reply, 429, 99991400, LIMITED);
    assert_eq!(reply.header("x-ogw-ratelimit-limit"), Some(limit));
    reply
        .header("x-ogw-ratelimit-reset")
        .expect("x-ogw-ratelimit-reset")
        .parse()
        .expect("seconds")
}

#[tokio::test]
async fn the_request_after_the_per_second_limit_gets_429() {
    let server = start(FeishuFixture {
        rate_limit_per_second: Some(3),
        ..fixture()
    })
    .await;
    // No time passes for the emulation, however slow the machine: the window cannot roll over.
    server.state.freeze_clock();
    let token = token(&server, APP_A).await;
    for _ in 0..3 {
        assert_eq!(
            get_file(&server, &token, "file_empty", &[]).await.status,
            200
        );
    }
    let fourth = get_file(&server, &token, "file_empty", &[]).await;
    let reset = assert_limited(&fourth, "3");
    assert_eq!(reset, 1);
    // Other apps have their own window.
    let token_b = feishu_support::token(&server, APP_B).await;
    assert_eq!(
        get_file(&server, &token_b, "file_of_b", &[]).await.status,
        200
    );
    // A second later the window reopens.
    server.state.advance_clock(Duration::from_secs(1));
    assert_eq!(
        get_file(&server, &token, "file_empty", &[]).await.status,
        200
    );
}

#[tokio::test]
async fn the_per_minute_limit_reports_the_seconds_left() {
    let server = start(FeishuFixture {
        rate_limit_per_minute: Some(2),
        ..fixture()
    })
    .await;
    server.state.freeze_clock();
    let token = token(&server, APP_A).await;
    for _ in 0..2 {
        assert_eq!(
            get_file(&server, &token, "file_empty", &[]).await.status,
            200
        );
    }
    let third = get_file(&server, &token, "file_missing", &[]).await;
    assert_eq!(assert_limited(&third, "2"), 60);
    server.state.advance_clock(Duration::from_secs(45));
    let fourth = get_file(&server, &token, "file_missing", &[]).await;
    assert_eq!(assert_limited(&fourth, "2"), 15);
}

#[tokio::test]
async fn the_default_limit_is_the_documented_fifty_per_second() {
    let server = start(fixture()).await;
    server.state.freeze_clock();
    let token = token(&server, APP_A).await;
    let mut statuses = Vec::new();
    for _ in 0..51 {
        statuses.push(
            get_file(&server, &token, "file_empty", &[])
                .await
                .status
                .as_u16(),
        );
    }
    assert!(statuses[..50].iter().all(|s| *s == 200), "{statuses:?}");
    assert_eq!(statuses[50], 429);
}

#[tokio::test]
async fn requests_without_a_valid_token_do_not_count() {
    let server = start(FeishuFixture {
        rate_limit_per_minute: Some(1),
        ..fixture()
    })
    .await;
    for _ in 0..3 {
        let reply = get_file(&server, "t-fakefakefakefake", "file_empty", &[]).await;
        assert_eq!(reply.json()["code"], 99991663);
    }
    let token = token(&server, APP_A).await;
    assert_eq!(
        get_file(&server, &token, "file_empty", &[]).await.status,
        200
    );
    assert_limited(&get_file(&server, &token, "file_empty", &[]).await, "1");
}

#[tokio::test]
async fn the_first_requests_of_a_case_can_be_refused_with_a_one_second_reset() {
    let server = start(FeishuFixture {
        rate_limited_first: Some(2),
        ..fixture()
    })
    .await;
    server.state.freeze_clock();
    let token = token(&server, APP_A).await;
    for _ in 0..2 {
        let refused = get_file(&server, &token, "file_empty", &[]).await;
        assert_eq!(assert_limited(&refused, "50"), 1);
    }
    assert_eq!(
        get_file(&server, &token, "file_empty", &[]).await.status,
        200
    );
}
