//! Every status and `{code, msg}` the emulation answers with, and where each comes from.
//!
//! Sources:
//! - FILE-GET: the file-get page, <https://open.feishu.cn/document/server-docs/im-v1/file/get>
//!   (seed `feishu-openapi-im-file-get.md`), error table.
//! - RATE: "频控策略" / "Rate limits",
//!   <https://open.feishu.cn/document/server-docs/api-call-guide/frequency-control>.
//! - PROBE: a public credential-less probe log of open.feishu.cn (2026-09-11): token
//!   endpoint failures answer HTTP 200 with 10003 "invalid param"; a business API
//!   without `Authorization` (or without the `Bearer ` prefix) answers HTTP 400 / 99991661,
//!   with a forged `Bearer t-...` HTTP 400 / 99991663; unknown paths and wrong methods
//!   answer HTTP 404 `text/plain` "404 page not found", not JSON.
//! - SDK: the official Go SDK (`larksuite/oapi-sdk-go`) names 99991663
//!   `ErrCodeTenantAccessTokenInvalid` and refreshes its token on it; public issue
//!   reports (multica-ai/multica#7611, zai-org/feedback#586, satorijs/satori#310) show
//!   `HTTP 400 {"code":99991663,"msg":"Invalid access token for authorization. Please make
//!   a request with token attached."}` after a token expired.

use http::StatusCode;

/// One error answer: HTTP status and the body's `code` and `msg`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status of the answer.
    pub status: StatusCode,
    /// The body's `code`.
    pub code: u32,
    /// The body's `msg`.
    pub msg: &'static str,
}

const fn err(status: StatusCode, code: u32, msg: &'static str) -> ApiError {
    ApiError { status, code, msg }
}

/// FILE-GET 234001. Also used for an unknown file key: the page lists no "not found"
/// code, so this is inferred, not documented.
pub const INVALID_PARAM: ApiError = err(StatusCode::BAD_REQUEST, 234001, "Invalid request param.");
/// FILE-GET 234002, sent for token failures only when the fixture asks for `documented`.
pub const UNAUTHORIZED: ApiError = err(StatusCode::UNAUTHORIZED, 234002, "Unauthorized.");
/// FILE-GET 234008: the file was uploaded by another app.
pub const NOT_SENDER: ApiError = err(
    StatusCode::BAD_REQUEST,
    234008,
    "The app is not the resource sender",
);
/// FILE-GET 234005: the file was deleted.
pub const DELETED: ApiError = err(StatusCode::BAD_REQUEST, 234005, "Image has been deleted");
/// FILE-GET 234037: the file is over the download limit.
pub const TOO_LARGE: ApiError = err(
    StatusCode::BAD_REQUEST,
    234037,
    "Downloaded file size exceeds limit.",
);
/// FILE-GET 234041: tenant master key deleted.
pub const MASTER_KEY_DELETED: ApiError = err(
    StatusCode::BAD_REQUEST,
    234041,
    "Tenant master key has been deleted, please contact the tenant administrator.",
);
/// FILE-GET 234042: tenant storage error.
pub const STORAGE_ERROR: ApiError = err(
    StatusCode::BAD_REQUEST,
    234042,
    "Hybrid deployment tenant storage error, such as full storage space, please contact tenant administrator.",
);
/// PROBE: no `Authorization: Bearer <token>` header.
pub const MISSING_TOKEN: ApiError = err(
    StatusCode::BAD_REQUEST,
    99991661,
    "Missing access token for authorization. Please make a request with token attached.",
);
/// PROBE and SDK: unknown or expired tenant_access_token.
pub const INVALID_TOKEN: ApiError = err(
    StatusCode::BAD_REQUEST,
    99991663,
    "Invalid access token for authorization. Please make a request with token attached.",
);
/// RATE: over the per-app frequency limit.
pub const RATE_LIMITED: ApiError = err(
    StatusCode::TOO_MANY_REQUESTS,
    99991400,
    "request trigger frequency limit",
);
/// PROBE: token endpoint with an unknown `app_id` or a missing field (HTTP 200).
pub const TOKEN_INVALID_PARAM: ApiError = err(StatusCode::OK, 10003, "invalid param");
/// Token endpoint with a wrong `app_secret`. Code and msg from many public reports of
/// `{"code":10014,"msg":"app secret invalid"}`; not on an official page found. HTTP 200
/// is inferred from PROBE (the endpoint's other failures are HTTP 200): unconfirmed.
pub const TOKEN_BAD_SECRET: ApiError = err(StatusCode::OK, 10014, "app secret invalid");
/// Token endpoint with a body that is not a JSON object. Code from PROBE; HTTP 400 is
/// inferred (a body the server cannot read at all), unconfirmed.
pub const TOKEN_MALFORMED: ApiError = err(StatusCode::BAD_REQUEST, 10003, "invalid param");
