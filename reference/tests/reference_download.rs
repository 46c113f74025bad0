//! The reference candidate's downloadFile against small local servers.

mod reference_support;

use std::time::Duration;

use dlconform_protocol::{EventKind, FromCandidate, ToCandidate};
use dlconform_protocol::{HostEvent, Os};
use reference_support::*;
use serde_json::{Value, json};

const TT: (&str, &str) = ("ttfile://temp/", "ttfile://user/");

async fn douyin(d: &mut Driver, sb: &Sandbox, pki: &Pki, args: Value, acts: Vec<Act>) -> Outcome {
    let e = env(
        "2.42.0",
        Os::Android,
        false,
        sb.fs(TT.0, TT.1, None),
        &pki.ca_path,
    );
    d.call("douyin", "downloadFile", e, args, acts).await
}

#[tokio::test]
async fn hello_and_unsupported() {
    let mut d = Driver::start();
    d.to.send(ToCandidate::hello()).await.unwrap();
    let Some(FromCandidate::Hello(h)) = d.from.recv().await else {
        panic!("no hello")
    };
    assert_eq!(h.name, "reference");
    assert!(h.platforms.contains(&"feishu-openapi".to_string()));
    assert!(h.apis.contains(&"im.v1.file.get".to_string()));
    let sb = Sandbox::new();
    let pki = Pki::new();
    let e = env(
        "1.0.0",
        Os::Android,
        false,
        sb.fs(TT.0, TT.1, None),
        &pki.ca_path,
    );
    let out = d
        .call("nowhere", "downloadFile", e.clone(), json!({}), vec![])
        .await;
    assert!(matches!(
        out.other.first(),
        Some(FromCandidate::Unsupported { .. })
    ));
    let out = d.call("douyin", "uploadFile", e, json!({}), vec![]).await;
    assert!(matches!(
        out.other.first(),
        Some(FromCandidate::Unsupported { .. })
    ));
}

#[tokio::test]
async fn douyin_success_shape_file_and_events() {
    let server = TestServer::start(None).await;
    let (mut d, sb, pki) = (Driver::start(), Sandbox::new(), Pki::new());
    let out = douyin(
        &mut d,
        &sb,
        &pki,
        json!({"url": server.url("/ok/300000")}),
        vec![],
    )
    .await;
    let ok = out.success();
    assert_eq!(ok["statusCode"], json!("200"));
    assert_eq!(ok["errMsg"], json!("downloadFile:ok"));
    assert!(ok["header"].is_object() && ok["profile"].is_object());
    let temp = ok["tempFilePath"].as_str().unwrap();
    let name = temp.strip_prefix("ttfile://temp/").unwrap();
    assert_eq!(sb.read(&format!("temp/{name}")), body_bytes(300000));
    // Events: headersReceived first, progress rising to 100, then success and complete.
    let kinds = out.kinds();
    assert_eq!(kinds.first(), Some(&EventKind::HeadersReceived));
    assert_eq!(
        &kinds[kinds.len() - 2..],
        &[EventKind::Success, EventKind::Complete]
    );
    let prog = out.progress();
    assert!(prog.len() >= 2);
    assert!(
        prog.windows(2)
            .all(|w| w[0]["totalBytesWritten"].as_u64() <= w[1]["totalBytesWritten"].as_u64())
    );
    let last = prog.last().unwrap();
    assert_eq!(
        (
            last["progress"].as_u64(),
            last["totalBytesExpectedToWrite"].as_u64()
        ),
        (Some(100), Some(300000))
    );
    assert_eq!(
        sb.files().len(),
        1,
        "only the downloaded file: {:?}",
        sb.files()
    );
}

#[tokio::test]
async fn file_path_user_and_chunked() {
    let server = TestServer::start(None).await;
    let (mut d, sb, pki) = (Driver::start(), Sandbox::new(), Pki::new());
    let out = douyin(
        &mut d,
        &sb,
        &pki,
        json!({"url": server.url("/chunked/100000"), "filePath": "ttfile://user/a.bin"}),
        vec![],
    )
    .await;
    let ok = out.success();
    assert_eq!(ok["filePath"], json!("ttfile://user/a.bin"));
    assert!(ok.get("tempFilePath").is_none());
    assert_eq!(sb.read("user/a.bin"), body_bytes(100000));
    assert_eq!(out.progress().last().unwrap()["progress"], json!(100));
}

#[tokio::test]
async fn wechat_404_is_success_and_empty_body_fails() {
    let server = TestServer::start(None).await;
    let (mut d, sb, pki) = (Driver::start(), Sandbox::new(), Pki::new());
    let e = env(
        "3.8.10",
        Os::Android,
        false,
        sb.fs("wxfile://tmp_", "wxfile://usr/", None),
        &pki.ca_path,
    );
    let out = d
        .call(
            "wechat",
            "downloadFile",
            e.clone(),
            json!({"url": server.url("/status/404")}),
            vec![],
        )
        .await;
    let ok = out.success();
    assert_eq!(ok["statusCode"], json!(404));
    let p = ok["tempFilePath"].as_str().unwrap();
    assert!(p.starts_with("wxfile://tmp_"));
    assert_eq!(
        sb.read(&format!("temp/{}", &p["wxfile://tmp_".len()..])),
        b"status 404"
    );
    let out = d
        .call(
            "wechat",
            "downloadFile",
            e,
            json!({"url": server.url("/ok/0")}),
            vec![],
        )
        .await;
    assert_eq!(out.fail()["errno"], json!(603302));
    assert_eq!(sb.files().len(), 1);
}

#[tokio::test]
async fn reset_and_early_close_fail_and_leave_nothing() {
    let server = TestServer::start(None).await;
    let (mut d, sb, pki) = (Driver::start(), Sandbox::new(), Pki::new());
    let out = douyin(
        &mut d,
        &sb,
        &pki,
        json!({"url": server.url("/reset/65536")}),
        vec![],
    )
    .await;
    let f = out.fail();
    assert_eq!(f["errorCode"], json!(121527), "{f}");
    let out = douyin(
        &mut d,
        &sb,
        &pki,
        json!({"url": server.url("/close/65536")}),
        vec![],
    )
    .await;
    assert_eq!(out.fail()["errorCode"], json!(121527));
    assert!(sb.files().is_empty(), "{:?}", sb.files());
}

#[tokio::test]
async fn timeout_covers_headers_and_body() {
    let server = TestServer::start(None).await;
    let (mut d, sb, pki) = (Driver::start(), Sandbox::new(), Pki::new());
    let out = douyin(
        &mut d,
        &sb,
        &pki,
        json!({"url": server.url("/stall"), "timeout": 500}),
        vec![],
    )
    .await;
    assert_eq!(out.fail()["errorCode"], json!(121520));
    assert!(
        out.elapsed >= Duration::from_millis(450) && out.elapsed < Duration::from_secs(5),
        "{:?}",
        out.elapsed
    );
    let out = douyin(
        &mut d,
        &sb,
        &pki,
        json!({"url": server.url("/stall-body/65536"), "timeout": 500}),
        vec![],
    )
    .await;
    assert_eq!(out.fail()["errorCode"], json!(121520));
    // Not early: a 300 ms answer under a 3 s timeout succeeds.
    let out = douyin(
        &mut d,
        &sb,
        &pki,
        json!({"url": server.url("/delay/300"), "timeout": 3000}),
        vec![],
    )
    .await;
    out.success();
    assert_eq!(sb.files().len(), 1);
}

#[tokio::test]
async fn abort_and_host_events() {
    let server = TestServer::start(None).await;
    let (mut d, sb, pki) = (Driver::start(), Sandbox::new(), Pki::new());
    let url = server.url("/trickle/1048576");
    let out = douyin(
        &mut d,
        &sb,
        &pki,
        json!({"url": url}),
        vec![Act::AfterMs(200, ToCandidateKind::Abort)],
    )
    .await;
    assert_eq!(out.fail()["errorCode"], json!(121522));
    assert!(out.elapsed < Duration::from_secs(2));
    for (event, code) in [
        (HostEvent::Offline, 121585),
        (HostEvent::NetworkChange, 121523),
        (HostEvent::Background, 121594),
    ] {
        let acts = vec![Act::AfterMs(150, ToCandidateKind::Inject(event))];
        let out = douyin(&mut d, &sb, &pki, json!({"url": url}), acts).await;
        assert_eq!(out.fail()["errorCode"], json!(code), "{event:?}");
    }
    assert!(sb.files().is_empty(), "{:?}", sb.files());
}

#[tokio::test]
async fn wechat_background_waits_for_grace() {
    let server = TestServer::start(None).await;
    let (mut d, sb, pki) = (Driver::start(), Sandbox::new(), Pki::new());
    let e = env(
        "3.8.10",
        Os::Ios,
        false,
        sb.fs("wxfile://tmp_", "wxfile://usr/", None),
        &pki.ca_path,
    );
    // 16 MiB at 16 KiB / 50 ms takes far longer than the 5 s grace.
    let args = json!({"url": server.url("/trickle/16777216")});
    let out = d
        .call(
            "wechat",
            "downloadFile",
            e,
            args,
            vec![Act::AfterMs(
                100,
                ToCandidateKind::Inject(HostEvent::Background),
            )],
        )
        .await;
    let f = out.fail();
    assert!(f["errMsg"].as_str().unwrap().contains("interrupted"), "{f}");
    assert!(
        out.elapsed >= Duration::from_millis(5000) && out.elapsed < Duration::from_secs(8),
        "{:?}",
        out.elapsed
    );
}

#[tokio::test]
async fn size_limits_declared_and_streamed() {
    let server = TestServer::start(None).await;
    let (mut d, sb, pki) = (Driver::start(), Sandbox::new(), Pki::new());
    let fs = sb.fs("bdfile://tmp/", "bdfile://usr/", None);
    let android = env("3.0.0", Os::Android, false, fs.clone(), &pki.ca_path);
    let ios = env("3.0.0", Os::Ios, false, fs, &pki.ca_path);
    // Content-Length over 10 MiB fails at once, before any body.
    let out = d
        .call(
            "baidu",
            "downloadFile",
            ios.clone(),
            json!({"url": server.url("/lie-length/20000000")}),
            vec![],
        )
        .await;
    assert_eq!(out.fail()["errCode"], json!(1001));
    assert!(
        out.fail()["errMsg"]
            .as_str()
            .unwrap()
            .contains("请求文件超过10M")
    );
    // Chunked past 10 MiB fails while streaming on Android; iOS refuses an unknown length.
    let big = server.url(&format!("/chunked/{}", 10 * 1024 * 1024 + 1));
    let out = d
        .call(
            "baidu",
            "downloadFile",
            android.clone(),
            json!({"url": big}),
            vec![],
        )
        .await;
    assert_eq!(out.fail()["errCode"], json!(1001));
    let out = d
        .call(
            "baidu",
            "downloadFile",
            ios,
            json!({"url": server.url("/chunked/1000")}),
            vec![],
        )
        .await;
    assert_eq!(out.fail()["errCode"], json!(1002));
    let out = d
        .call(
            "baidu",
            "downloadFile",
            android,
            json!({"url": server.url("/chunked/1000")}),
            vec![],
        )
        .await;
    assert_eq!(out.success()["statusCode"], json!(200));
    assert_eq!(sb.files().len(), 1);
}

#[tokio::test]
async fn redirects_relative_loop_and_invalid() {
    let server = TestServer::start(None).await;
    let (mut d, sb, pki) = (Driver::start(), Sandbox::new(), Pki::new());
    let e = env(
        "3.8.10",
        Os::Android,
        false,
        sb.fs("wxfile://tmp_", "wxfile://usr/", None),
        &pki.ca_path,
    );
    let out = d
        .call(
            "wechat",
            "downloadFile",
            e.clone(),
            json!({"url": server.url("/redirect-rel")}),
            vec![],
        )
        .await;
    out.success();
    assert_eq!(server.requests().last().unwrap().path, "/ok/100");
    let out = d
        .call(
            "wechat",
            "downloadFile",
            e.clone(),
            json!({"url": server.url("/loop")}),
            vec![],
        )
        .await;
    assert_eq!(out.fail()["errno"], json!(600008));
    let out = d
        .call(
            "wechat",
            "downloadFile",
            e,
            json!({"url": server.url("/bad-location")}),
            vec![],
        )
        .await;
    assert_eq!(out.fail()["errno"], json!(600009));
}

#[tokio::test]
async fn forbidden_headers_replaced_and_domain_list_enforced() {
    let server = TestServer::start(None).await;
    let (mut d, sb, pki) = (Driver::start(), Sandbox::new(), Pki::new());
    let args = json!({"url": server.url("/ok/10"), "header": {"Referer": "https://forged", "User-Agent": "forged", "X-Probe": "tt-42"}});
    douyin(&mut d, &sb, &pki, args, vec![]).await.success();
    let seen = server.requests().pop().unwrap();
    assert_eq!(
        seen.header("referer"),
        Some("https://tmaservice.developer.toutiao.com/?appid=tt0000000000000000&version=1.0.0")
    );
    assert!(
        seen.header("user-agent")
            .unwrap()
            .contains("ToutiaoMicroApp/2.42.0")
    );
    assert_eq!(seen.header("x-probe"), Some("tt-42"));

    let mut e = env(
        "2.42.0",
        Os::Android,
        false,
        sb.fs(TT.0, TT.1, None),
        &pki.ca_path,
    );
    e.domains = Some(vec!["cdn.example.com".into()]);
    let before = server.requests().len();
    let out = d
        .call(
            "douyin",
            "downloadFile",
            e.clone(),
            json!({"url": server.url("/ok/10")}),
            vec![],
        )
        .await;
    assert_eq!(out.fail()["errorCode"], json!(121501));
    assert_eq!(server.requests().len(), before);
    e.release = true;
    e.domains = None;
    let out = d
        .call(
            "douyin",
            "downloadFile",
            e,
            json!({"url": server.url("/ok/10")}),
            vec![],
        )
        .await;
    assert!(
        out.fail()["errMsg"]
            .as_str()
            .unwrap()
            .contains("url use invalid protocol")
    );
}

#[tokio::test]
async fn dns_and_refused() {
    let (mut d, sb, pki) = (Driver::start(), Sandbox::new(), Pki::new());
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let out = douyin(
        &mut d,
        &sb,
        &pki,
        json!({"url": format!("http://127.0.0.1:{closed}/x")}),
        vec![],
    )
    .await;
    assert_eq!(out.fail()["errorCode"], json!(121526));
    let mut e = env(
        "2.42.0",
        Os::Android,
        false,
        sb.fs(TT.0, TT.1, None),
        &pki.ca_path,
    );
    e.domains = None;
    let out = d
        .call(
            "douyin",
            "downloadFile",
            e,
            json!({"url": "http://no-such-host.invalid/x", "timeout": 5000}),
            vec![],
        )
        .await;
    assert_eq!(out.fail()["errorCode"], json!(121524));
}

#[tokio::test]
async fn tls_good_and_bad_certificates() {
    let pki = Pki::new();
    let (mut d, sb) = (Driver::start(), Sandbox::new());
    let e = env(
        "2.42.0",
        Os::Android,
        true,
        sb.fs(TT.0, TT.1, None),
        &pki.ca_path,
    );
    let good = TestServer::start(Some(pki.server_config(CertKind::Good))).await;
    for host in ["127.0.0.1", "localhost"] {
        let out = d
            .call(
                "douyin",
                "downloadFile",
                e.clone(),
                json!({"url": good.url_https(host, "/ok/70000")}),
                vec![],
            )
            .await;
        assert_eq!(out.success()["statusCode"], json!("200"));
    }
    for kind in [
        CertKind::Expired,
        CertKind::NotYetValid,
        CertKind::WrongHost,
        CertKind::SelfSigned,
    ] {
        let bad = TestServer::start(Some(pki.server_config(kind))).await;
        let out = d
            .call(
                "douyin",
                "downloadFile",
                e.clone(),
                json!({"url": bad.url_https("localhost", "/ok/10")}),
                vec![],
            )
            .await;
        let f = out.fail();
        assert_eq!(f["errorCode"], json!(121528), "{f}");
    }
    // A certificate from another CA.
    let other = Pki::new();
    let bad = TestServer::start(Some(other.server_config(CertKind::Good))).await;
    let out = d
        .call(
            "douyin",
            "downloadFile",
            e,
            json!({"url": bad.url_https("localhost", "/ok/10")}),
            vec![],
        )
        .await;
    assert_eq!(out.fail()["errorCode"], json!(121528));
    assert_eq!(sb.files().len(), 2);
}

#[tokio::test]
async fn file_path_refusals_and_quota() {
    let server = TestServer::start(None).await;
    let (mut d, sb, pki) = (Driver::start(), Sandbox::new(), Pki::new());
    let url = server.url("/ok/2000");
    let cases = [
        ("ttfile://user/../../escape.bin", 121503),
        ("ttfile://elsewhere/a.bin", 121508),
        ("ttfile://user/no/such/a.bin", 121502),
    ];
    for (fp, code) in cases {
        let out = douyin(
            &mut d,
            &sb,
            &pki,
            json!({"url": url, "filePath": fp}),
            vec![],
        )
        .await;
        assert_eq!(out.fail()["errorCode"], json!(code), "{fp}");
    }
    assert!(server.requests().is_empty(), "refused before any request");
    assert!(!sb.dir.path().parent().unwrap().join("escape.bin").exists());
    let e = env(
        "2.42.0",
        Os::Android,
        false,
        sb.fs(TT.0, TT.1, Some(1500)),
        &pki.ca_path,
    );
    let out = d
        .call(
            "douyin",
            "downloadFile",
            e.clone(),
            json!({"url": url, "filePath": "ttfile://user/big.bin"}),
            vec![],
        )
        .await;
    assert_eq!(out.fail()["errorCode"], json!(121530));
    // A chunked body finds out while streaming.
    let out = d
        .call(
            "douyin",
            "downloadFile",
            e,
            json!({"url": server.url("/chunked/2000"), "filePath": "ttfile://user/big.bin"}),
            vec![],
        )
        .await;
    assert_eq!(out.fail()["errorCode"], json!(121530));
    assert!(sb.files().is_empty(), "{:?}", sb.files());
}

#[tokio::test]
async fn feishu_queues_past_five() {
    let server = TestServer::start(None).await;
    let (mut d, sb, pki) = (Driver::start(), Sandbox::new(), Pki::new());
    let e = env(
        "7.35.0",
        Os::Android,
        false,
        sb.fs(TT.0, TT.1, None),
        &pki.ca_path,
    );
    let ids = d
        .send(
            "feishu-gadget",
            "downloadFile",
            e,
            json!({"url": server.url("/trickle/98304")}),
            8,
        )
        .await;
    let outs = d.collect(&ids).await;
    for o in &outs {
        let ok = o.success();
        assert_eq!(ok["statusCode"], json!(200));
        assert!(ok["trace"].is_string());
        assert!(!o.kinds().contains(&EventKind::HeadersReceived));
    }
    let max = server
        .max_in_flight
        .load(std::sync::atomic::Ordering::SeqCst);
    assert!((2..=5).contains(&max), "max in flight {max}");
}

#[tokio::test]
async fn alipay_shapes() {
    let server = TestServer::start(None).await;
    let (mut d, sb, pki) = (Driver::start(), Sandbox::new(), Pki::new());
    let fs = sb.fs("https://resource/", "https://usr/", None);
    let good = TestServer::start(Some(pki.server_config(CertKind::Good))).await;
    let e = env("2.7.0", Os::Android, false, fs.clone(), &pki.ca_path);
    let out = d
        .call(
            "alipay",
            "downloadFile",
            e.clone(),
            json!({"url": good.url_https("localhost", "/ok/10")}),
            vec![],
        )
        .await;
    let ok = out.success();
    assert!(
        ok["apFilePath"]
            .as_str()
            .unwrap()
            .starts_with("https://resource/")
    );
    assert!(ok.get("statusCode").is_none() && ok.get("tempFilePath").is_none());
    assert_eq!(ok["dataLength"], json!(10));
    // HTTPS only, even in debug builds; the fail object has no errMsg.
    let out = d
        .call(
            "alipay",
            "downloadFile",
            e,
            json!({"url": server.url("/ok/10")}),
            vec![],
        )
        .await;
    let f = out.fail();
    assert!(f.get("errMsg").is_none() && f["error"].is_number() && f["errorMessage"].is_string());
    let e = env("2.8.8", Os::Android, false, fs, &pki.ca_path);
    let out = d
        .call(
            "alipay",
            "downloadFile",
            e,
            json!({"url": good.url_https("localhost", "/ok/10")}),
            vec![],
        )
        .await;
    assert_eq!(out.success()["statusCode"], json!(200));
}
