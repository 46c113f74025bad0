//! The reference candidate end to end against the project's mock server.

mod reference_support;

use std::net::{IpAddr, Ipv4Addr};

use dlconform_protocol::Os;
use mock_server::{Fault, MockServer, Scenario, ServerConfig, Target};
use reference_support::*;
use serde_json::json;

/// Start the mock server.
async fn mock(state: &std::path::Path) -> MockServer {
    let config = ServerConfig {
        bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
        ..ServerConfig::new(state)
    };
    MockServer::start(config).await.expect("mock server starts")
}

#[tokio::test]
async fn douyin_against_mock_server() {
    let state = tempfile::tempdir().unwrap();
    let server = mock(state.path()).await;
    let (mut d, sb) = (Driver::start(), Sandbox::new());
    let e = env(
        "2.42.0",
        Os::Android,
        true,
        sb.fs("ttfile://temp/", "ttfile://user/", None),
        server.ca_cert_path(),
    );

    server.register(
        "e2e-ok",
        Scenario {
            target: Target::Https,
            faults: vec![Fault::Body {
                size: 300_000,
                seed: 7,
            }],
            feishu: None,
        },
    );
    let url = server.case_url("e2e-ok", Target::Https, "a.bin");
    let out = d
        .call(
            "douyin",
            "downloadFile",
            e.clone(),
            json!({"url": url, "filePath": "ttfile://user/a.bin"}),
            vec![],
        )
        .await;
    assert_eq!(out.success()["statusCode"], json!("200"));
    assert_eq!(sb.read("user/a.bin").len(), 300_000);
    let journal = server.journal("e2e-ok");
    assert_eq!(journal.requests.len(), 1);
    assert!(
        journal.requests[0]
            .headers
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("referer") && v.contains("tmaservice"))
    );

    server.register(
        "e2e-reset",
        Scenario {
            target: Target::Https,
            faults: vec![
                Fault::Body {
                    size: 1 << 20,
                    seed: 1,
                },
                Fault::ResetAfter(65536),
            ],
            feishu: None,
        },
    );
    let url = server.case_url("e2e-reset", Target::Https, "b.bin");
    let out = d
        .call(
            "douyin",
            "downloadFile",
            e.clone(),
            json!({"url": url, "timeout": 5000}),
            vec![],
        )
        .await;
    assert_eq!(out.fail()["errorCode"], json!(121527));

    server.register(
        "e2e-expired",
        Scenario {
            target: Target::Expired,
            faults: vec![],
            feishu: None,
        },
    );
    let url = server.case_url("e2e-expired", Target::Expired, "c.bin");
    let out = d
        .call("douyin", "downloadFile", e, json!({"url": url}), vec![])
        .await;
    assert_eq!(out.fail()["errorCode"], json!(121528));
    assert_eq!(sb.files().len(), 1);
    server.shutdown().await;
}
