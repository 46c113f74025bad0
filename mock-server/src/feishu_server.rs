//! Feishu server emulation (placeholder answering 501 until the emulation lands).

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};

use crate::feishu::FeishuFixture;

/// Per-server Feishu emulation state (tokens, rate-limit windows).
#[derive(Debug, Default)]
pub struct FeishuState {}

impl FeishuState {
    /// Empty state.
    pub fn new() -> Self {
        FeishuState {}
    }
}

/// Answer one `/open-apis/...` request for `fixture`.
pub async fn handle(
    _state: &FeishuState,
    _fixture: &FeishuFixture,
    _req: http::Request<hyper::body::Incoming>,
) -> http::Response<BoxBody<Bytes, std::io::Error>> {
    let body = Full::new(Bytes::from_static(b"{\"code\":-1,\"msg\":\"not implemented\"}"))
        .map_err(|never| match never {})
        .boxed();
    let mut resp = http::Response::new(body);
    *resp.status_mut() = http::StatusCode::NOT_IMPLEMENTED;
    resp
}
