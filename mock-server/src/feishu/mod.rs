//! Emulated Feishu Open Platform ([`fixture`]: the apps, files and limits a case gives it): `tenant_access_token` issuing and
//! `GET /open-apis/im/v1/files/:file_key`, with the platform's error JSON, the 100 MB
//! limit and per-app rate limiting.
//!
//! Paths arrive already stripped of any `/c/<key>` prefix. Sources for every code and
//! status are in [`codes`].

pub mod codes;
mod disposition;
mod file_get;
pub mod fixture;
mod log_id;
mod rate_limit;
mod reply;
mod token_endpoint;
mod tokens;

use bytes::Bytes;
use http::{HeaderValue, Method, Request, Response};
use http_body_util::combinators::BoxBody;

pub use file_get::MAX_DOWNLOAD_SIZE;
pub use fixture::{FeishuApp, FeishuAuthErrors, FeishuFile, FeishuFileState, FeishuFixture};

/// Shared state of the emulation: tokens issued, rate-limit windows, log id counter.
pub struct FeishuState {
    tokens: tokens::TokenStore,
    limits: rate_limit::RateLimiter,
    log_ids: log_id::LogIds,
}

impl FeishuState {
    /// Empty state: no token issued yet, every window open.
    pub fn new() -> Self {
        FeishuState {
            tokens: tokens::TokenStore::default(),
            limits: rate_limit::RateLimiter::default(),
            log_ids: log_id::LogIds::default(),
        }
    }
}

impl Default for FeishuState {
    fn default() -> Self {
        Self::new()
    }
}

/// Path of the self-built app token endpoint.
const TOKEN_PATH: &str = "/open-apis/auth/v3/tenant_access_token/internal";
/// Path prefix of the file download endpoint.
const FILES_PREFIX: &str = "/open-apis/im/v1/files/";

/// Which endpoint a path names.
enum Route {
    Token,
    File(String),
    Unknown,
}

fn route(path: &str) -> Route {
    // The gateway also answers the token path with a trailing slash.
    if path == TOKEN_PATH || path.strip_suffix('/') == Some(TOKEN_PATH) {
        return Route::Token;
    }
    match path.strip_prefix(FILES_PREFIX) {
        Some(key) if !key.is_empty() && !key.contains('/') => Route::File(
            percent_encoding::percent_decode_str(key)
                .decode_utf8_lossy()
                .into_owned(),
        ),
        _ => Route::Unknown,
    }
}

/// Answer one request to the emulated Feishu server.
pub async fn handle(
    state: &FeishuState,
    fixture: &FeishuFixture,
    req: Request<hyper::body::Incoming>,
) -> Response<BoxBody<Bytes, std::io::Error>> {
    let log_id = state.log_ids.next();
    let mut response = match (req.method().clone(), route(req.uri().path())) {
        (Method::POST, Route::Token) => {
            token_endpoint::handle(state, fixture, req.into_body()).await
        }
        (Method::GET, Route::File(key)) => file_get::handle(state, fixture, req.headers(), &key),
        _ => reply::not_found(),
    };
    if let Ok(value) = HeaderValue::from_str(&log_id) {
        response.headers_mut().insert("x-tt-logid", value);
    }
    response
}
