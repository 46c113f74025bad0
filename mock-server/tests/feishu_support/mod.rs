//! Test server around `feishu::handle`, a small hyper client and the fixture the
//! Feishu tests share.
#![allow(dead_code)]

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{HeaderMap, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use mock_server::feishu::{FeishuApp, FeishuFile, FeishuFileState, FeishuFixture};
use mock_server::feishu::{FeishuState, MAX_DOWNLOAD_SIZE, handle};
use tokio::net::{TcpListener, TcpStream};

/// The case key every request of the test server is answered under.
pub const CASE: &str = "test-case";

/// Apps and secrets of the shared fixture.
pub const APP_A: (&str, &str) = ("cli_a", "secret_a");
pub const APP_B: (&str, &str) = ("cli_b", "secret_b");

/// One file of `owner` with everything else defaulted.
pub fn file(key: &str, owner: &str, size: u64) -> FeishuFile {
    FeishuFile {
        file_key: key.to_string(),
        owner_app_id: owner.to_string(),
        name: "file.bin".to_string(),
        size,
        seed: 0,
        state: FeishuFileState::Ok,
        disposition: Default::default(),
    }
}

/// Two apps and one file per case the tests need.
pub fn fixture() -> FeishuFixture {
    let app = |(id, secret): (&str, &str)| FeishuApp {
        app_id: id.to_string(),
        app_secret: secret.to_string(),
    };
    let with_state = |key: &str, state| FeishuFile {
        state,
        ..file(key, APP_A.0, 1000)
    };
    FeishuFixture {
        apps: vec![app(APP_A), app(APP_B)],
        files: vec![
            FeishuFile {
                name: "report.pdf".to_string(),
                seed: 7,
                ..file("file_ok", APP_A.0, 300_000)
            },
            FeishuFile {
                name: "报告 1.pdf".to_string(),
                ..file("file_cn", APP_A.0, 10)
            },
            file("file_empty", APP_A.0, 0),
            file("file_of_b", APP_B.0, 1000),
            with_state("file_deleted", FeishuFileState::Deleted),
            with_state("file_master_key", FeishuFileState::MasterKeyDeleted),
            with_state("file_storage", FeishuFileState::StorageError),
            file("file_max", APP_A.0, MAX_DOWNLOAD_SIZE),
            file("file_too_big", APP_A.0, MAX_DOWNLOAD_SIZE + 1),
        ],
        ..FeishuFixture::default()
    }
}

/// A running server on 127.0.0.1 serving one fixture (swappable, the state stays).
pub struct TestServer {
    /// Its address.
    pub addr: SocketAddr,
    /// The emulation's state (its clock can be frozen).
    pub state: Arc<FeishuState>,
    fixture: Arc<Mutex<Arc<FeishuFixture>>>,
}

impl TestServer {
    /// Serve `fixture` from now on, keeping tokens and rate-limit windows.
    pub fn set_fixture(&self, fixture: FeishuFixture) {
        *self.fixture.lock().expect("fixture lock") = Arc::new(fixture);
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }
}

/// Start a server that answers every request with `feishu::handle`.
pub async fn start(fixture: FeishuFixture) -> TestServer {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("local addr");
    let state = Arc::new(FeishuState::new());
    let fixture = Arc::new(Mutex::new(Arc::new(fixture)));
    let shared = fixture.clone();
    let served = state.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let state = served.clone();
            let fixture = fixture.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req| {
                    let state = state.clone();
                    let fixture = fixture.lock().expect("fixture lock").clone();
                    async move { Ok::<_, Infallible>(handle(&state, CASE, &fixture, req).await) }
                });
                // Clients that hang up mid-body end the connection with an error; fine here.
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    TestServer {
        addr,
        state,
        fixture: shared,
    }
}

/// A whole response.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", String::from_utf8_lossy(&self.body)))
    }

    /// A header as text, if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(name)
            .map(|v| v.to_str().expect("ASCII header"))
    }
}

/// Send one request on a fresh connection; `path` is absolute (`/open-apis/...`).
pub async fn send(
    server: &TestServer,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Reply {
    let response = send_head(server, method, path, headers, body).await;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("read body")
        .to_bytes();
    Reply {
        status,
        headers,
        body,
    }
}

/// Send one request and return as soon as the response head arrived.
pub async fn send_head(
    server: &TestServer,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> http::Response<hyper::body::Incoming> {
    let stream = TcpStream::connect(server.addr).await.expect("connect");
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(connection);
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header("host", server.addr.to_string());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request
        .body(Full::new(Bytes::copy_from_slice(body)))
        .expect("request");
    sender.send_request(request).await.expect("response")
}

/// POST a token request with the given JSON body.
pub async fn token_request(server: &TestServer, body: &str) -> Reply {
    send(
        server,
        "POST",
        "/open-apis/auth/v3/tenant_access_token/internal",
        &[("content-type", "application/json; charset=utf-8")],
        body.as_bytes(),
    )
    .await
}

/// A valid tenant_access_token of `(app_id, app_secret)`.
pub async fn token(server: &TestServer, (app_id, secret): (&str, &str)) -> String {
    let body = serde_json::json!({ "app_id": app_id, "app_secret": secret }).to_string();
    let reply = token_request(server, &body).await;
    let json = reply.json();
    assert_eq!(json["code"], 0, "{json}");
    json["tenant_access_token"]
        .as_str()
        .expect("token string")
        .to_string()
}

/// GET a file with `Authorization: Bearer <token>` and extra headers.
pub async fn get_file(
    server: &TestServer,
    token: &str,
    key: &str,
    extra: &[(&str, &str)],
) -> Reply {
    let auth = format!("Bearer {token}");
    let mut headers = vec![("authorization", auth.as_str())];
    headers.extend_from_slice(extra);
    send(
        server,
        "GET",
        &format!("/open-apis/im/v1/files/{key}"),
        &headers,
        b"",
    )
    .await
}

/// Assert an error answer: status, exact `{code, msg}` body, JSON content type, log id.
pub fn assert_error(reply: &Reply, status: u16, code: u64, msg: &str) {
    assert_eq!(reply.status.as_u16(), status, "{:?}", reply.body);
    assert_eq!(
        reply.json(),
        serde_json::json!({ "code": code, "msg": msg }),
        "body"
    );
    assert_eq!(
        reply.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    assert!(
        reply.header("x-tt-logid").is_some_and(|id| id.len() == 34),
        "x-tt-logid: {:?}",
        reply.header("x-tt-logid")
    );
}
