//! Emulated Feishu Open Platform ([`fixture`]: the apps, files and limits a case gives it): `tenant_access_token` issuing and
//! `GET /open-apis/im/v1/files/:file_key`, with the platform's error JSON, the 100 MB
//! limit and per-app rate limiting.
//!
//! Paths arrive already stripped of any `/c/<key>` prefix; the key comes along as the case,
//! which scopes rate-limit windows and token issuing. Sources for every code and status
//! are in [`codes`].

mod clock;
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
pub use fixture::{
    FeishuApp, FeishuAuthErrors, FeishuDisposition, FeishuFile, FeishuFileState, FeishuFixture,
    FeishuRawAnswer,
};

/// Shared state of the emulation: tokens issued, rate-limit windows per case, log id counter.
pub struct FeishuState {
    tokens: tokens::TokenStore,
    limits: rate_limit::RateLimiter,
    log_ids: log_id::LogIds,
    clock: clock::Clock,
}

impl FeishuState {
    /// Empty state: no token issued yet, every window open.
    pub fn new() -> Self {
        FeishuState {
            tokens: tokens::TokenStore::default(),
            limits: rate_limit::RateLimiter::default(),
            log_ids: log_id::LogIds::default(),
            clock: clock::Clock::default(),
        }
    }

    /// Start `case` afresh: its rate-limit windows and forced refusals are dropped and its
    /// next token request gets a new token (tokens already issued stay valid).
    pub fn forget_case(&self, case: &str) {
        self.limits.forget(case);
        self.tokens.forget(case);
    }

    /// Stop the emulation's clock: token validity and rate-limit windows see no time pass
    /// until [`FeishuState::advance_clock`] (deterministic tests of time-bound behaviour).
    pub fn freeze_clock(&self) {
        self.clock.freeze();
    }

    /// Move the frozen clock forward by `by`.
    pub fn advance_clock(&self, by: std::time::Duration) {
        self.clock.advance(by);
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

/// Answer one request of `case` (the case key) to the emulated Feishu server.
pub async fn handle(
    state: &FeishuState,
    case: &str,
    fixture: &FeishuFixture,
    req: Request<hyper::body::Incoming>,
) -> Response<BoxBody<Bytes, std::io::Error>> {
    let log_id = state.log_ids.next();
    let mut response = match (req.method().clone(), route(req.uri().path())) {
        (Method::POST, Route::Token) => {
            token_endpoint::handle(state, case, fixture, req.into_body()).await
        }
        (Method::GET, Route::File(key)) => {
            file_get::handle(state, case, fixture, req.headers(), &key)
        }
        _ => reply::not_found(),
    };
    if let Ok(value) = HeaderValue::from_str(&log_id) {
        response.headers_mut().insert("x-tt-logid", value);
    }
    response
}
