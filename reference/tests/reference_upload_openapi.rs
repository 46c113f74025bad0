//! swan.uploadFile and the Feishu server client of the reference candidate against local servers.

mod reference_support;

use dlconform_protocol::EventKind;
use dlconform_protocol::Os;
use reference_support::*;
use serde_json::json;

#[tokio::test]
async fn swan_upload_sends_multipart_with_progress() {
    let server = TestServer::start(None).await;
    let (mut d, sb, pki) = (Driver::start(), Sandbox::new(), Pki::new());
    let content = body_bytes(300_000);
    std::fs::write(sb.dir.path().join("temp/upload.bin"), &content).unwrap();
    let e = env(
        "3.0.0",
        Os::Android,
        false,
        sb.fs("bdfile://tmp/", "bdfile://usr/", None),
        &pki.ca_path,
    );
    let args = json!({
        "url": server.url("/upload"),
        "filePath": "bdfile://tmp/upload.bin",
        "name": "myfile",
        "formData": {"user": "test"},
        "header": {"content-type": "application/json", "Referer": "https://forged"},
    });
    let out = d.call("baidu", "uploadFile", e.clone(), args, vec![]).await;
    let ok = out.success();
    assert_eq!(ok["statusCode"], json!(200));
    let seen = server.requests().pop().unwrap();
    assert_eq!(ok["data"], json!(format!("got {}", seen.body.len())));
    assert_eq!(seen.method, "POST");
    assert_ne!(seen.header("referer"), Some("https://forged"));
    let ct = seen.header("content-type").unwrap();
    let boundary = ct
        .strip_prefix("multipart/form-data; boundary=")
        .unwrap()
        .to_string();
    let body = bytes::Bytes::from(seen.body.clone());
    let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(body) });
    let mut mp = multer::Multipart::new(stream, boundary);
    let f = mp.next_field().await.unwrap().unwrap();
    assert_eq!(f.name(), Some("user"));
    assert_eq!(&f.bytes().await.unwrap()[..], b"test");
    let f = mp.next_field().await.unwrap().unwrap();
    assert_eq!(
        (f.name(), f.file_name()),
        (Some("myfile"), Some("upload.bin"))
    );
    assert_eq!(&f.bytes().await.unwrap()[..], &content[..]);
    let prog = out.progress();
    let last = prog.last().unwrap();
    assert_eq!(last["progress"], json!(100));
    assert_eq!(last["totalBytesSent"], last["totalBytesExpectedToSend"]);
    assert!(
        prog.windows(2)
            .all(|w| w[0]["totalBytesSent"].as_u64() <= w[1]["totalBytesSent"].as_u64())
    );

    // Argument errors: 202 before any request; a missing file fails too.
    let before = server.requests().len();
    let out = d
        .call(
            "baidu",
            "uploadFile",
            e.clone(),
            json!({"url": server.url("/upload"), "filePath": "bdfile://tmp/upload.bin"}),
            vec![],
        )
        .await;
    assert_eq!(out.fail()["errCode"], json!(202));
    let out = d.call("baidu", "uploadFile", e, json!({"url": server.url("/upload"), "filePath": "bdfile://tmp/absent.bin", "name": "f"}), vec![]).await;
    assert_eq!(out.fail()["errCode"], json!(1001));
    assert_eq!(server.requests().len(), before);
}

#[tokio::test]
async fn swan_upload_over_25_mb_is_refused() {
    let server = TestServer::start(None).await;
    let (mut d, sb, pki) = (Driver::start(), Sandbox::new(), Pki::new());
    let f = std::fs::File::create(sb.dir.path().join("temp/over.bin")).unwrap();
    f.set_len(25 * 1024 * 1024 + 1).unwrap();
    let e = env(
        "3.0.0",
        Os::Android,
        false,
        sb.fs("bdfile://tmp/", "bdfile://usr/", None),
        &pki.ca_path,
    );
    let args =
        json!({"url": server.url("/upload"), "filePath": "bdfile://tmp/over.bin", "name": "f"});
    let out = d.call("baidu", "uploadFile", e, args, vec![]).await;
    assert!(out.fail()["errCode"].is_number());
    assert!(server.requests().is_empty());
    assert!(!out.kinds().contains(&EventKind::Progress));
}

#[tokio::test]
async fn feishu_openapi_token_then_file() {
    let pki = Pki::new();
    let server = TestServer::start(Some(pki.server_config(CertKind::Good))).await;
    let (mut d, sb) = (Driver::start(), Sandbox::new());
    let mut e = env(
        "1.0.0",
        Os::Any,
        true,
        sb.fs("sandbox://temp/", "sandbox://user/", None),
        &pki.ca_path,
    );
    e.domains = None;
    let base = server.url_https("127.0.0.1", "");
    let args = json!({"base_url": base, "app_id": "cli_a", "app_secret": "secret_a", "file_key": "file_ok", "file_path": "sandbox://user/out.bin", "content_type_json": true});
    let out = d
        .call("feishu-openapi", "im.v1.file.get", e.clone(), args, vec![])
        .await;
    let ok = out.success();
    assert_eq!(
        (ok["code"].clone(), ok["size"].clone()),
        (json!(0), json!(5000))
    );
    assert_eq!(ok["filePath"], json!("sandbox://user/out.bin"));
    assert!(ok["contentDisposition"].is_string());
    assert_eq!(sb.read("user/out.bin"), body_bytes(5000));
    let seen = server.requests();
    assert_eq!(seen[0].method, "POST");
    assert_eq!(seen[1].path, "/open-apis/im/v1/files/file_ok");
    assert_eq!(seen[1].header("authorization"), Some("Bearer t-test"));

    let args = json!({"base_url": base, "app_id": "cli_a", "app_secret": "secret_a", "file_key": "file_too_big", "file_path": "sandbox://user/big.bin"});
    let out = d
        .call("feishu-openapi", "im.v1.file.get", e.clone(), args, vec![])
        .await;
    assert_eq!(
        out.fail(),
        &json!({"code": 234037, "msg": "Downloaded file size exceeds limit.", "httpStatus": 400})
    );
    let args = json!({"base_url": base, "app_id": "cli_a", "app_secret": "nope", "file_key": "file_ok", "file_path": "sandbox://user/x.bin"});
    let out = d
        .call("feishu-openapi", "im.v1.file.get", e.clone(), args, vec![])
        .await;
    assert_eq!(out.fail()["code"], json!(10014));
    let args = json!({"base_url": base, "app_id": "cli_a", "app_secret": "secret_a", "tenant_access_token": "", "file_key": "file_ok", "file_path": "sandbox://user/x.bin"});
    let out = d
        .call("feishu-openapi", "im.v1.file.get", e.clone(), args, vec![])
        .await;
    assert_eq!(out.fail()["code"], json!(234002));
    assert_eq!(out.fail()["httpStatus"], json!(401));
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let args = json!({"base_url": format!("http://127.0.0.1:{closed}"), "app_id": "a", "app_secret": "b", "file_key": "k", "file_path": "sandbox://user/x.bin"});
    let out = d
        .call("feishu-openapi", "im.v1.file.get", e, args, vec![])
        .await;
    assert_eq!(
        (out.fail()["code"].clone(), out.fail()["httpStatus"].clone()),
        (json!(-1), json!(0))
    );
    assert_eq!(
        sb.files().len(),
        1,
        "only the one good file: {:?}",
        sb.files()
    );
}
