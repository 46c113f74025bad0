//! Building responses: JSON answers, error answers, plain-text 404.

use bytes::Bytes;
use http::{Response, StatusCode, header};
use http_body_util::{BodyExt, Full, combinators::BoxBody};

use super::codes::ApiError;

/// Response body type of the emulation.
pub(super) type Body = BoxBody<Bytes, std::io::Error>;

/// A body holding exactly `bytes`.
pub(super) fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed()
}

/// `status` with a JSON body.
pub(super) fn json(status: StatusCode, value: &serde_json::Value) -> Response<Body> {
    let mut response = Response::new(full(value.to_string()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

/// The error's status with body `{"code":N,"msg":"..."}`.
pub(super) fn error(err: &ApiError) -> Response<Body> {
    json(
        err.status,
        &serde_json::json!({ "code": err.code, "msg": err.msg }),
    )
}

/// A fixture's literal answer (a gateway's page); an unusable status or type falls back to 500 text.
pub(super) fn literal(answer: &super::FeishuRawAnswer) -> Response<Body> {
    let mut response = Response::new(full(answer.body.clone()));
    *response.status_mut() =
        StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let content_type = header::HeaderValue::from_str(&answer.content_type)
        .unwrap_or(header::HeaderValue::from_static("text/plain"));
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, content_type);
    response
}

/// What the gateway sends for an unknown path or a wrong method (plain text, not JSON).
pub(super) fn not_found() -> Response<Body> {
    let mut response = Response::new(full("404 page not found"));
    *response.status_mut() = StatusCode::NOT_FOUND;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}
