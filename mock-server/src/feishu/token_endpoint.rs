//! `POST /open-apis/auth/v3/tenant_access_token/internal` with `{app_id, app_secret}`.

use std::time::Duration;

use http::{Response, StatusCode};
use http_body_util::{BodyExt, Limited};

use super::reply::{self, Body};
use super::{FeishuState, codes};
use crate::feishu::FeishuFixture;

/// Documented validity of a tenant_access_token, in seconds.
const DEFAULT_TTL_SECONDS: u64 = 7200;
/// Largest request body read; a token request is a few dozen bytes.
const MAX_BODY: usize = 64 * 1024;

/// Issue a token for the fixture's app whose id and secret the body names.
pub(super) async fn handle(
    state: &FeishuState,
    case: &str,
    fixture: &FeishuFixture,
    body: hyper::body::Incoming,
) -> Response<Body> {
    let bytes = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return reply::error(&codes::TOKEN_MALFORMED),
    };
    let Ok(serde_json::Value::Object(request)) = serde_json::from_slice(&bytes) else {
        return reply::error(&codes::TOKEN_MALFORMED);
    };
    let field = |name: &str| {
        request
            .get(name)
            .and_then(serde_json::Value::as_str)
            .filter(|s| !s.is_empty())
    };
    let (Some(app_id), Some(app_secret)) = (field("app_id"), field("app_secret")) else {
        return reply::error(&codes::TOKEN_INVALID_PARAM);
    };
    let Some(app) = fixture.apps.iter().find(|a| a.app_id == app_id) else {
        return reply::error(&codes::TOKEN_INVALID_PARAM);
    };
    if app.app_secret != app_secret {
        return reply::error(&codes::TOKEN_BAD_SECRET);
    }
    let ttl = Duration::from_secs(fixture.token_ttl_seconds.unwrap_or(DEFAULT_TTL_SECONDS));
    let (token, expire) = state.tokens.issue(case, app_id, ttl, state.clock.now());
    reply::json(
        StatusCode::OK,
        &serde_json::json!({
            "code": 0,
            "msg": "ok",
            "tenant_access_token": token,
            "expire": expire,
        }),
    )
}
