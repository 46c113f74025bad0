//! Feishu server emulation fixture: apps, files and rate limit for `GET /open-apis/im/v1/files/:file_key`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Apps, files and limits the emulated Feishu server knows about.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FeishuFixture {
    /// Apps that can get a tenant_access_token.
    #[serde(default)]
    pub apps: Vec<FeishuApp>,
    /// Files that `im/v1/files/:file_key` serves.
    #[serde(default)]
    pub files: Vec<FeishuFile>,
    /// Requests per second per app before HTTP 429 and code 99991400 (documented: 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit_per_second: Option<u32>,
    /// Seconds a token is valid (documented: 7200).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_ttl_seconds: Option<u64>,
    /// Requests per minute per app before HTTP 429 and code 99991400 (documented: 1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit_per_minute: Option<u32>,
    /// The first N authenticated file requests of the case answer HTTP 429, code 99991400,
    /// `x-ogw-ratelimit-reset: 1`, whatever the windows; later ones are counted as usual (a
    /// client that waits the reset and retries then succeeds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limited_first: Option<u32>,
    /// Answer with every header name in lower case on HTTP/1.1 too (`content-type`,
    /// `x-ogw-ratelimit-reset`, `content-disposition`...), error answers included, as HTTP/2
    /// and many gateways send them (HTTP/2 answers are lower case anyway).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub lowercase_headers: bool,
    /// Answer every file request with this instead of the emulated endpoint: a gateway's or
    /// proxy's own error page, whose body is not the documented `{code, msg}` JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_answer: Option<FeishuRawAnswer>,
    /// How a missing, invalid or expired token is answered (default: `gateway`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_errors: Option<FeishuAuthErrors>,
}

/// A literal answer: status, Content-Type and body text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FeishuRawAnswer {
    /// HTTP status.
    pub status: u16,
    /// Content-Type of the body.
    pub content_type: String,
    /// The body.
    pub body: String,
}

/// Which answer a request without a valid tenant_access_token gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FeishuAuthErrors {
    /// What the open-apis gateway is observed to send: HTTP 400 with 99991661 (no token)
    /// or 99991663 (invalid or expired token).
    #[default]
    Gateway,
    /// The row of the file-get page's own error table: HTTP 401 with 234002 "Unauthorized.".
    Documented,
}

/// One app of the fixture.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FeishuApp {
    /// `app_id` as sent to the token endpoint.
    pub app_id: String,
    /// `app_secret` as sent to the token endpoint.
    pub app_secret: String,
}

/// One file of the fixture.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FeishuFile {
    /// The file key in the URL.
    pub file_key: String,
    /// The app that uploaded it (only that app's bot may download it).
    pub owner_app_id: String,
    /// File name for Content-Disposition.
    #[serde(default = "default_name")]
    pub name: String,
    /// Size in bytes of the generated content.
    pub size: u64,
    /// Generator seed.
    #[serde(default)]
    pub seed: u64,
    /// The file's state on the server.
    #[serde(default)]
    pub state: FeishuFileState,
    /// How Content-Disposition names the file.
    #[serde(default, skip_serializing_if = "FeishuDisposition::is_default")]
    pub disposition: FeishuDisposition,
}

/// The parameters Content-Disposition names the file with (RFC 6266).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FeishuDisposition {
    /// `filename="..."`, and `filename*=UTF-8''...` too when the name is not ASCII.
    #[default]
    Auto,
    /// `filename*=UTF-8''...` alone, whatever the name.
    ExtendedOnly,
}

impl FeishuDisposition {
    /// Whether it is the default (left out when written).
    pub fn is_default(&self) -> bool {
        *self == FeishuDisposition::Auto
    }
}

fn default_name() -> String {
    "file.bin".to_string()
}

/// A file's state; each non-`ok` state answers with its documented error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FeishuFileState {
    /// Downloadable.
    #[default]
    Ok,
    /// Deleted: 400, code 234005.
    Deleted,
    /// Tenant master key deleted: 400, code 234041.
    MasterKeyDeleted,
    /// Tenant storage error: 400, code 234042.
    StorageError,
    /// The request's parameter refused as invalid: 400, code 234001.
    InvalidParam,
}
