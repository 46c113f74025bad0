//! `GET /open-apis/im/v1/files/:file_key`: check the token, the app's rate limit and the
//! file, then stream the generated content.

use std::time::Instant;

use http::{HeaderMap, HeaderValue, Response, StatusCode, header};

use super::codes::{self, ApiError};
use super::reply::{self, Body};
use super::tokens::TokenError;
use super::{FeishuDisposition, FeishuState, disposition};
use crate::feishu::{FeishuAuthErrors, FeishuFileState, FeishuFixture};
use crate::respond::body::generated_body;

/// Largest downloadable file: the page says 100 MB, read here as 100 MiB (104 857 600
/// bytes); one byte more is refused with 234037.
pub const MAX_DOWNLOAD_SIZE: u64 = 100 * 1024 * 1024;
/// Documented per-app limits of this endpoint: 50 per second, 1000 per minute.
const DEFAULT_PER_SECOND: u32 = 50;
const DEFAULT_PER_MINUTE: u32 = 1000;

/// Answer a download of `file_key`.
pub(super) fn handle(
    state: &FeishuState,
    case: &str,
    fixture: &FeishuFixture,
    headers: &HeaderMap,
    file_key: &str,
) -> Response<Body> {
    // A gateway in front answers before the endpoint sees the request.
    if let Some(answer) = &fixture.file_answer {
        return reply::literal(answer);
    }
    let now = state.clock.now();
    let app_id = match authenticate(state, fixture, headers, now) {
        Ok(app_id) => app_id,
        Err(err) => return reply::error(&err),
    };
    let per_second = fixture.rate_limit_per_second.unwrap_or(DEFAULT_PER_SECOND);
    let per_minute = fixture.rate_limit_per_minute.unwrap_or(DEFAULT_PER_MINUTE);
    let admitted = state
        .limits
        .forced(case, fixture.rate_limited_first.unwrap_or(0), per_second)
        .and_then(|()| {
            state
                .limits
                .admit(case, &app_id, per_second, per_minute, now)
        });
    if let Err(limited) = admitted {
        let mut response = reply::error(&codes::RATE_LIMITED);
        let headers = response.headers_mut();
        headers.insert("x-ogw-ratelimit-limit", HeaderValue::from(limited.limit));
        headers.insert(
            "x-ogw-ratelimit-reset",
            HeaderValue::from(limited.reset_secs),
        );
        return response;
    }
    let Some(file) = fixture.files.iter().find(|f| f.file_key == file_key) else {
        return reply::error(&codes::INVALID_PARAM);
    };
    if file.owner_app_id != app_id {
        return reply::error(&codes::NOT_SENDER);
    }
    let state_error = match file.state {
        FeishuFileState::Ok => None,
        FeishuFileState::Deleted => Some(codes::DELETED),
        FeishuFileState::MasterKeyDeleted => Some(codes::MASTER_KEY_DELETED),
        FeishuFileState::StorageError => Some(codes::STORAGE_ERROR),
        FeishuFileState::InvalidParam => Some(codes::INVALID_PARAM),
    };
    if let Some(err) = state_error {
        return reply::error(&err);
    }
    if file.size > MAX_DOWNLOAD_SIZE {
        return reply::error(&codes::TOO_LARGE);
    }
    let mut response = Response::new(generated_body(file.seed, file.size));
    *response.status_mut() = StatusCode::OK;
    let out = response.headers_mut();
    out.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    out.insert(header::CONTENT_LENGTH, HeaderValue::from(file.size));
    // Documented: the header is only sent when the request says Content-Type: application/json.
    if asks_for_json(headers) {
        let value = match file.disposition {
            FeishuDisposition::Auto => disposition::attachment(&file.name),
            FeishuDisposition::ExtendedOnly => disposition::attachment_extended_only(&file.name),
        };
        out.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// The app id behind the request's `Authorization: Bearer <token>`.
fn authenticate(
    state: &FeishuState,
    fixture: &FeishuFixture,
    headers: &HeaderMap,
    now: Instant,
) -> Result<String, ApiError> {
    let documented = fixture.auth_errors.unwrap_or_default() == FeishuAuthErrors::Documented;
    let pick = |gateway: ApiError| {
        if documented {
            codes::UNAUTHORIZED
        } else {
            gateway
        }
    };
    // Without the `Bearer ` scheme the gateway treats the request as carrying no token.
    let Some(token) = bearer_token(headers) else {
        return Err(pick(codes::MISSING_TOKEN));
    };
    match state.tokens.check(token, now) {
        // A token of an app the current fixture does not know is as good as unknown.
        Ok(app_id) if fixture.apps.iter().any(|a| a.app_id == app_id) => Ok(app_id),
        Ok(_) | Err(TokenError::Unknown) | Err(TokenError::Expired) => {
            Err(pick(codes::INVALID_TOKEN))
        }
    }
}

fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

fn asks_for_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
}
