//! The spec model: serde types for `specs/*.yaml`, from which `specs/schema.json` is generated.
//!
//! Every fact carries a `source` naming an entry of the spec's `sources` map,
//! optionally with a `#fragment` saying where in that document.

pub use dlconform_protocol::{HostEvent, Os, TaskEvent};
use std::collections::BTreeMap;

use mock_server::Scenario;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One spec file: one platform's API surface.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// Format version of this file; 1.
    pub spec_version: u32,
    /// The platform the file describes.
    pub platform: Platform,
    /// Human title, e.g. "tt.downloadFile (Douyin)".
    pub title: String,
    /// Documents facts come from, by id (`source: <id>` or `source: <id>#<where>`).
    pub sources: BTreeMap<String, Source>,
    /// Defaults for every case's environment.
    #[serde(default)]
    pub defaults: EnvDefaults,
    /// How the platform spells its local paths.
    pub paths: Paths,
    /// Variants of the platform that share this file (the Mpx doc's Alipay column).
    #[serde(default)]
    pub variants: Vec<Variant>,
    /// The API surfaces, by API name as the candidate protocol names it (`downloadFile`, `uploadFile`, `im.v1.file.get`).
    pub apis: BTreeMap<String, ApiSpec>,
    /// Places where the documents disagree with each other or themselves.
    #[serde(default)]
    pub conflicts: Vec<Conflict>,
    /// Things the documents leave open.
    #[serde(default)]
    pub open_questions: Vec<OpenQuestion>,
    /// The case table.
    pub cases: Vec<Case>,
}

/// A platform as the candidate protocol names it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Platform {
    /// tt.downloadFile in Feishu gadgets.
    FeishuGadget,
    /// tt.downloadFile in Douyin.
    Douyin,
    /// wx.downloadFile (through mpx.downloadFile).
    Wechat,
    /// my.downloadFile, the Mpx doc's Alipay column.
    Alipay,
    /// swan.downloadFile and swan.uploadFile.
    Baidu,
    /// The Feishu server API.
    FeishuOpenapi,
}

impl Platform {
    /// Every platform.
    pub const ALL: [Platform; 6] = [
        Platform::FeishuGadget,
        Platform::Douyin,
        Platform::Wechat,
        Platform::Alipay,
        Platform::Baidu,
        Platform::FeishuOpenapi,
    ];

    /// The kebab-case name used in specs, case ids and the candidate protocol.
    pub fn name(self) -> &'static str {
        match self {
            Platform::FeishuGadget => "feishu-gadget",
            Platform::Douyin => "douyin",
            Platform::Wechat => "wechat",
            Platform::Alipay => "alipay",
            Platform::Baidu => "baidu",
            Platform::FeishuOpenapi => "feishu-openapi",
        }
    }

    /// Parse a kebab-case name.
    pub fn from_name(name: &str) -> Option<Platform> {
        Platform::ALL.into_iter().find(|p| p.name() == name)
    }
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A document facts come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Title of the document.
    pub title: String,
    /// Path of the local copy, relative to the repository's `shared/` folder (e.g. `seeds/douyin-tt-downloadFile.txt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Where the original lives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// How far to trust it (e.g. "community transcription, unconfirmed").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// What kind of text it is. Only a platform's own document makes a check required: a case,
    /// field type, promise, prefix or message form resting on any other kind is judged at
    /// recommended tier unless its `tier_reason` says why it stays required.
    #[serde(default, skip_serializing_if = "SourceKind::is_document")]
    pub kind: SourceKind,
}

/// What kind of text a source is.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// A platform's own document: a seed, or an official page the research file names (the
    /// default). The only kind that makes a check required.
    #[default]
    Document,
    /// A standard that is not the platform's (an RFC): good practice for an HTTP client, but
    /// no platform promises it.
    Standard,
    /// A project convention: not a platform document.
    Convention,
    /// A community transcription, thread or copy, or another unconfirmed secondary text.
    Community,
    /// Another platform's document, applied here by analogy.
    Analogy,
    /// What the spec assumes where no text says (a guess, a harness setting).
    Assumption,
}

impl SourceKind {
    /// Every kind, in order of trust.
    pub const ALL: [SourceKind; 6] = [
        SourceKind::Document,
        SourceKind::Standard,
        SourceKind::Convention,
        SourceKind::Community,
        SourceKind::Analogy,
        SourceKind::Assumption,
    ];

    /// Whether it is a platform document (the default, left out when writing).
    pub fn is_document(&self) -> bool {
        *self == SourceKind::Document
    }

    /// The name as specs spell it.
    pub fn name(self) -> &'static str {
        match self {
            SourceKind::Document => "document",
            SourceKind::Standard => "standard",
            SourceKind::Convention => "convention",
            SourceKind::Community => "community",
            SourceKind::Analogy => "analogy",
            SourceKind::Assumption => "assumption",
        }
    }

    /// How messages describe a source of this kind.
    pub fn describe(self) -> &'static str {
        match self {
            SourceKind::Document => "a platform document",
            SourceKind::Standard => "a standard, not a platform document",
            SourceKind::Convention => "a project convention",
            SourceKind::Community => "a community text",
            SourceKind::Analogy => "an analogy with another platform",
            SourceKind::Assumption => "an assumption",
        }
    }
}

impl Spec {
    /// The kind of the source a reference (`<id>` or `<id>#<where>`) names, if the spec has it.
    pub fn source_kind(&self, reference: &str) -> Option<SourceKind> {
        source_kind(&self.sources, reference)
    }
}

/// The kind of the source `reference` (`<id>` or `<id>#<where>`) names in `sources`.
pub fn source_kind(sources: &BTreeMap<String, Source>, reference: &str) -> Option<SourceKind> {
    let id = reference.split('#').next().unwrap_or_default();
    sources.get(id).map(|s| s.kind)
}

/// Environment defaults of a spec; each case may override them.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnvDefaults {
    /// Base-library (or client) version the call runs on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sdk_version: Option<Version>,
    /// Operating system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<Os>,
    /// Release build (true) or debug/test build (false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release: Option<bool>,
}

/// How the platform spells temp and user paths.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Paths {
    /// Prefix of temporary files, e.g. `ttfile://temp/`.
    pub temp: String,
    /// Prefix of user files, e.g. `ttfile://user/`.
    pub user: String,
    /// Where the prefixes come from (checks of a `{{temp}}` or `{{user}}` path take its tier).
    pub source: String,
    /// Why those checks stay required although `source` is not a platform document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier_reason: Option<String>,
}

/// A variant of the platform described in the same file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Variant {
    /// The platform the variant runs as (e.g. `alipay`).
    pub platform: Platform,
    /// What differs.
    pub summary: String,
    /// Where it comes from.
    pub source: String,
    /// The variant's own path prefixes, when they differ from the spec's (`{{temp}}`/`{{user}}` expand to these).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paths: Option<Paths>,
    /// The variant's own result shapes (errno and message field names), when they differ from the API's.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub results: BTreeMap<String, ResultShapes>,
}

/// A conflict between or within documents, recorded rather than hidden.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Conflict {
    /// What the conflict is about (e.g. "errno 121503").
    pub about: String,
    /// The sources that disagree.
    pub sources: Vec<String>,
    /// What each says and what this spec does about it.
    pub resolution: String,
}

/// A question the documents leave open.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenQuestion {
    /// The question.
    pub question: String,
    /// What this spec assumes meanwhile, and the tier it gives affected cases.
    pub assumption: String,
    /// Where the question arises.
    pub source: String,
}

/// A dotted version such as `2.42.0`; lint checks that it parses.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct Version(pub String);

/// A value type as the documents name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ValueType {
    /// JSON string.
    String,
    /// JSON number.
    Number,
    /// JSON boolean.
    Boolean,
    /// JSON object.
    Object,
    /// JSON array.
    Array,
    /// A callback (never crosses the candidate protocol).
    Function,
}

/// One API surface of a platform.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiSpec {
    /// The name developers call, e.g. `tt.downloadFile` or `GET /open-apis/im/v1/files/:file_key`.
    pub name: String,
    /// First version that has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<Version>,
    /// Where it comes from.
    pub source: String,
    /// Call parameters.
    pub params: Vec<Param>,
    /// Success and fail shapes.
    pub result: ResultShapes,
    /// The task object the call returns (DownloadTask, UploadTask).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<TaskSpec>,
    /// Limits.
    #[serde(default)]
    pub limits: Limits,
    /// Every error code the documents list for this API.
    #[serde(default)]
    pub errors: Vec<ErrorCode>,
}

/// One call parameter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Param {
    /// Name.
    pub name: String,
    /// Type.
    #[serde(rename = "type")]
    pub ty: ValueType,
    /// Whether the caller must pass it.
    pub required: bool,
    /// Default value when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<serde_json::Value>,
    /// First version that accepts it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<Version>,
    /// Variants (by platform) that lack it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unsupported_on: Vec<Platform>,
    /// Where it comes from.
    pub source: String,
    /// What the documents say beyond the table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// Success and fail result shapes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResultShapes {
    /// Fields of the object handed to `success`.
    pub success: Vec<Field>,
    /// Fields of the object handed to `fail`.
    pub fail: Vec<Field>,
    /// Name of the fail field holding the error code (`errno`, `errorCode`, `errCode`, `error`, `code`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errno_field: Option<String>,
    /// Name of the fail field holding the message (`errMsg`, `errorMessage`, `msg`).
    pub err_msg_field: String,
    /// Prefix of a success message (e.g. `downloadFile:ok`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ok_msg: Option<String>,
    /// Prefix of every fail message (e.g. `downloadFile:fail`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_msg_prefix: Option<String>,
    /// Where `ok_msg` and `fail_msg_prefix` come from (the message checks `errMsg.prefix` and
    /// `errMsg.reason` take its tier); lint requires it where either is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub msg_source: Option<String>,
    /// Why the message checks stay required although `msg_source` is not a platform document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub msg_tier_reason: Option<String>,
}

/// One field of a result or event object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// Name.
    pub name: String,
    /// Type.
    #[serde(rename = "type")]
    pub ty: ValueType,
    /// First version that has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<Version>,
    /// When it is present (e.g. "only when filePath was not given"); a condition the harness does not judge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    /// Where a document promises the field on every such payload (from `since` on); absent: not
    /// promised, so only its type is checked when it is there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub always: Option<Promise>,
    /// Variants (by platform) that lack it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unsupported_on: Vec<Platform>,
    /// Why the shape checks of this field (presence, type, finiteness) are only recommended,
    /// even in a required case: the documents conflict about it, or none states it. Absent:
    /// they take the case's tier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recommended: Option<String>,
    /// Why the field's shape checks stay required although its `source` (type) or its
    /// `always.source` (promise) is not a platform document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier_reason: Option<String>,
    /// Where it comes from.
    pub source: String,
    /// Anything else the documents say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// A document's promise, with where it is made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Promise {
    /// Where it comes from.
    pub source: String,
    /// How the document says it (a table without conditions, an example...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// The task object returned by the call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskSpec {
    /// Task type name (DownloadTask, UploadTask).
    pub name: String,
    /// Methods.
    pub methods: Vec<TaskMethod>,
    /// Fields of each progress event.
    #[serde(default)]
    pub progress_fields: Vec<Field>,
    /// Fields of the headersReceived event, if the task has one.
    #[serde(default)]
    pub headers_received_fields: Vec<Field>,
}

/// One task method.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskMethod {
    /// Name, e.g. `abort`.
    pub name: String,
    /// First version that has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<Version>,
    /// Where it comes from.
    pub source: String,
}

/// Limits of one API.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Largest body a download accepts, by version range.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub max_body_bytes: Vec<VersionedLimit>,
    /// Most calls in flight at once, and what happens to the rest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_concurrency: Option<ConcurrencyLimit>,
    /// Default timeout in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_timeout_ms: Option<SourcedNumber>,
    /// Request headers the caller cannot set (lower case).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forbidden_headers: Option<ForbiddenHeaders>,
    /// URL schemes allowed in release and debug builds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schemes: Option<Schemes>,
    /// Largest file an upload accepts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload_max_bytes: Option<SourcedNumber>,
    /// Whether the URL's host must be in the configured domain list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain_list: Option<SourcedFlag>,
    /// Milliseconds a transfer survives after the app goes to the background.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub background_grace_ms: Option<SourcedNumber>,
    /// Rate limit (server APIs).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rate_limits: Vec<RateLimit>,
}

/// A limit valid for a range of versions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionedLimit {
    /// First version it applies to (inclusive); absent: from the start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<Version>,
    /// First version it no longer applies to (exclusive); absent: to date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Version>,
    /// The limit in bytes.
    pub bytes: u64,
    /// Only on this OS.
    #[serde(default)]
    pub os: Os,
    /// Where it comes from.
    pub source: String,
    /// Anything else (how a MB is counted, for instance).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// A number with its source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SourcedNumber {
    /// The value.
    pub value: u64,
    /// Where it comes from.
    pub source: String,
    /// Anything else.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// A yes/no fact with its source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SourcedFlag {
    /// The value.
    pub value: bool,
    /// Where it comes from.
    pub source: String,
    /// Anything else.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// Concurrency limit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConcurrencyLimit {
    /// Most calls in flight at once.
    pub value: u64,
    /// What happens to calls past it.
    pub over_limit: OverLimit,
    /// Where it comes from.
    pub source: String,
    /// Anything else.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// What happens to calls past a concurrency limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OverLimit {
    /// They wait their turn.
    Queue,
    /// They fail at once.
    Fail,
    /// The documents do not say.
    Unknown,
}

/// Forbidden request headers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ForbiddenHeaders {
    /// Header names, lower case.
    pub names: Vec<String>,
    /// Where it comes from.
    pub source: String,
    /// What the platform does with them (dropped, replaced by a fixed value...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// Allowed URL schemes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Schemes {
    /// In release builds.
    pub release: Vec<String>,
    /// In debug/test builds.
    pub debug: Vec<String>,
    /// Where it comes from.
    pub source: String,
}

/// A rate limit of a server API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    /// Requests allowed per window.
    pub requests: u64,
    /// Window in seconds.
    pub per_seconds: u64,
    /// Where it comes from.
    pub source: String,
}

/// One error code of an error table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorCode {
    /// The code (errno, errorCode, errCode, or the server's `code`).
    pub code: i64,
    /// The message as documented (`%s` marks a substituted part).
    pub err_msg: String,
    /// Douyin's errorType: D (developer), U (user/network), F (framework), I.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_type: Option<String>,
    /// HTTP status that accompanies it (server APIs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    /// OS the code is listed for.
    #[serde(default)]
    pub os: Os,
    /// What the document says it means.
    pub meaning: String,
    /// Where it comes from.
    pub source: String,
    /// Case ids (without the platform prefix) that exercise it; each pins the code in
    /// `expect.errno` unless `unpinned` says why not.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cases: Vec<String>,
    /// Why no case can exercise it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub untestable: Option<String>,
    /// Why listed cases do not pin this code in `expect.errno` (the documents leave open
    /// which code the failure gives); without it every listed case must pin it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unpinned: Option<String>,
    /// A conflict this entry is part of (duplicate code, two meanings...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conflict: Option<String>,
    /// Only this variant reports it (e.g. `alipay`); absent: the spec's platform.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<Platform>,
}

/// Whether a document states a case or it is inferred.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// A document states it.
    Required,
    /// Inferred or only good practice.
    Recommended,
}

impl Tier {
    /// Lower-case name as in specs and reports.
    pub fn name(self) -> &'static str {
        match self {
            Tier::Required => "required",
            Tier::Recommended => "recommended",
        }
    }
}

/// One case: a server scenario, a call, and what should come of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// Id unique within the spec, `/`-separated kebab-case segments (e.g. `download/timeout/headers-late`); the full id is `<platform>/<id>`.
    pub id: String,
    /// API key into `apis`.
    pub api: String,
    /// Required or recommended: the tier of every expectation not listed in `expect.recommended`.
    pub tier: Tier,
    /// Why the case, or part of its `expect`, is recommended; or why a required case whose only
    /// source is a project convention or a community transcription is still required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier_reason: Option<String>,
    /// Where the expected behaviour comes from.
    pub source: String,
    /// One line saying what the case checks.
    pub summary: String,
    /// Run as this variant's platform instead of the spec's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<Platform>,
    /// What the mock server does.
    #[serde(default)]
    pub server: Scenario,
    /// The environment the call runs in.
    #[serde(default)]
    pub env: CaseEnv,
    /// The call.
    #[serde(default)]
    pub call: CallSpec,
    /// What should come of it.
    pub expect: Expect,
    /// Why the case is skipped, if it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip: Option<String>,
}

/// A case's environment; absent fields take the spec's defaults.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseEnv {
    /// Base-library version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sdk_version: Option<Version>,
    /// Operating system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<Os>,
    /// Release (true) or debug (false) build.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release: Option<bool>,
    /// Allowed domains; absent: the mock server's hosts. `[]` means none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domains: Option<Vec<String>>,
    /// Quota of the user folder in bytes; absent: unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_quota_bytes: Option<u64>,
    /// Files placed in the sandbox before the call, as platform paths (upload sources).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<SandboxFile>,
}

/// A file put in the sandbox before the call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SandboxFile {
    /// Platform path, e.g. `ttfile://temp/upload.bin`.
    pub path: String,
    /// Size in bytes of generated content.
    pub size: u64,
    /// Generator seed.
    #[serde(default)]
    pub seed: u64,
}

/// The call a case makes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CallSpec {
    /// Arguments as the API takes them. String values may use `{{url}}` (the scenario's URL),
    /// `{{origin}}` (its scheme, host and port), `{{base}}` (the case's root on the server, `<origin>/c/<key>`), `{{case_origin}}` (a bare origin of the case's own, no path: a server SDK's domain), `{{temp}}` and `{{user}}` (the platform path prefixes).
    /// An absent `url` is the scenario's URL.
    #[serde(default)]
    pub args: serde_json::Map<String, serde_json::Value>,
    /// Arguments left out of the call altogether (a missing required argument): `url` is then
    /// not filled in with the scenario's URL.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub omit: Vec<String>,
    /// How many identical calls to start at once (concurrency cases).
    #[serde(default = "one")]
    pub count: u32,
    /// Things done to the task or the host while the call runs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<Action>,
    /// Deadline for the case in milliseconds (default 30000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline_ms: Option<u64>,
    /// Watch window in milliseconds: keep listening to the calls until this long after they
    /// were started, even after `complete`, so a timer that fires after the call ended is seen.
    /// Make it longer than the call's `timeout`, with a margin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub watch_ms: Option<u64>,
}

impl Default for CallSpec {
    fn default() -> Self {
        CallSpec {
            args: serde_json::Map::new(),
            omit: Vec::new(),
            count: 1,
            actions: Vec::new(),
            deadline_ms: None,
            watch_ms: None,
        }
    }
}

fn one() -> u32 {
    1
}

/// Something done during a call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Action {
    /// When.
    pub at: Trigger,
    /// What.
    #[serde(rename = "do")]
    pub what: ActionKind,
}

/// When an action happens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Trigger {
    /// Right after the call is sent.
    Immediately,
    /// This many milliseconds after the call is sent.
    AfterMs(u64),
    /// Once the mock server has written at least this many body bytes for the case.
    AfterBytes(u64),
    /// When headersReceived arrives.
    HeadersReceived,
    /// When the call's first `complete` arrives: a task method called on a call that has ended.
    /// The case keeps listening a while after it (harness/PROTOCOL.md, actions), so that what
    /// the method sets off is seen.
    Completed,
}

/// What an action does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ActionKind {
    /// The task's `abort()`.
    Abort,
    /// A host event.
    Inject(HostEvent),
    /// The task's `offProgressUpdate(listener)` / `offHeadersReceived(listener)`: the listener
    /// registered for the event (`progress`, `headersReceived`) is removed.
    Off(TaskEvent),
    /// The same method called without an argument, which removes every listener of the event
    /// where the document says so (Douyin's offHeadersReceived).
    OffAll(TaskEvent),
}

impl ActionKind {
    /// The task event whose listener the action removes, for the `off` actions.
    pub fn off_event(&self) -> Option<TaskEvent> {
        match self {
            ActionKind::Off(event) | ActionKind::OffAll(event) => Some(*event),
            ActionKind::Abort | ActionKind::Inject(_) => None,
        }
    }

    /// The task method the action calls, if it calls one (`abort`, `offProgressUpdate`...).
    pub fn task_method(&self) -> Option<&'static str> {
        match self {
            ActionKind::Abort => Some("abort"),
            ActionKind::Off(event) | ActionKind::OffAll(event) => Some(event.off_method()),
            ActionKind::Inject(_) => None,
        }
    }
}

/// Expected outcome of a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// `success` then `complete`.
    Success,
    /// `fail` then `complete`.
    Fail,
}

/// What a case expects; every check named here must hold for each call of the case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// success or fail.
    pub outcome: Outcome,
    /// The error code in the fail object's errno field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errno: Option<i64>,
    /// The message in the result's message field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub err_msg: Option<TextMatch>,
    /// Checks on fields of the success or fail object.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, FieldCheck>,
    /// The downloaded file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<FileCheck>,
    /// Progress events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<ProgressCheck>,
    /// Whether headersReceived must (true) or must not (false) fire.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers_received: Option<bool>,
    /// What the server saw.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<ServerCheck>,
    /// How long the call may take.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timing: Option<TimingCheck>,
    /// Expectations that are only recommended in a required case (the document leaves them
    /// open while the rest is certain); the case's `tier_reason` says why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recommended: Vec<ExpectKey>,
}

impl Expect {
    /// Whether the expectation named by `key` is set.
    pub fn has(&self, key: ExpectKey) -> bool {
        match key {
            ExpectKey::Outcome => true,
            ExpectKey::Errno => self.errno.is_some(),
            ExpectKey::ErrMsg => self.err_msg.is_some(),
            ExpectKey::Fields => !self.fields.is_empty(),
            ExpectKey::File => self.file.is_some(),
            ExpectKey::Progress => self.progress.is_some(),
            ExpectKey::HeadersReceived => self.headers_received.is_some(),
            ExpectKey::Server => self.server.is_some(),
            ExpectKey::Timing => self.timing.is_some(),
        }
    }

    /// The tier of one expectation in a case of tier `case_tier`: recommended when the case
    /// is, or when `recommended` lists it.
    pub fn tier_of(&self, key: ExpectKey, case_tier: Tier) -> Tier {
        if self.recommended.contains(&key) {
            Tier::Recommended
        } else {
            case_tier
        }
    }
}

/// One expectation of `expect`, by its key, as `expect.recommended` lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExpectKey {
    /// `outcome`.
    Outcome,
    /// `errno`.
    Errno,
    /// `err_msg`.
    ErrMsg,
    /// `fields`.
    Fields,
    /// `file`.
    File,
    /// `progress`.
    Progress,
    /// `headers_received`.
    HeadersReceived,
    /// `server`.
    Server,
    /// `timing`.
    Timing,
}

impl ExpectKey {
    /// Every key, in the order `expect` lists them.
    pub const ALL: [ExpectKey; 9] = [
        ExpectKey::Outcome,
        ExpectKey::Errno,
        ExpectKey::ErrMsg,
        ExpectKey::Fields,
        ExpectKey::File,
        ExpectKey::Progress,
        ExpectKey::HeadersReceived,
        ExpectKey::Server,
        ExpectKey::Timing,
    ];

    /// The key as specs spell it.
    pub fn name(self) -> &'static str {
        match self {
            ExpectKey::Outcome => "outcome",
            ExpectKey::Errno => "errno",
            ExpectKey::ErrMsg => "err_msg",
            ExpectKey::Fields => "fields",
            ExpectKey::File => "file",
            ExpectKey::Progress => "progress",
            ExpectKey::HeadersReceived => "headers_received",
            ExpectKey::Server => "server",
            ExpectKey::Timing => "timing",
        }
    }
}

/// A text expectation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum TextMatch {
    /// Exactly this.
    Equals(String),
    /// Starts with this.
    Prefix(String),
    /// Contains this.
    Contains(String),
}

/// A check on one result field.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldCheck {
    /// The field's JSON type.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub ty: Option<ValueType>,
    /// Its exact value. `{{...}}` templates as in call args are expanded in strings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equals: Option<serde_json::Value>,
    /// Whether it must be absent (true) or present (false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub absent: Option<bool>,
    /// A string value starts with this (e.g. `{{temp}}`; templates expand as in call args).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// The field may be absent (a value the implementation derives only when it can, such as a
    /// library's file name); when present, `type`, `equals` and `prefix` hold.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub optional: bool,
}

/// A check on the file the call wrote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FileCheck {
    /// Whether a file must be written (true) or no file may be (false).
    pub written: bool,
    /// The file's content equals the body the server sent (size and SHA-256).
    #[serde(default)]
    pub matches_body: bool,
    /// Platform path where the file must be (e.g. `ttfile://user/a.bin` or `{{user}}a.bin`; templates expand as in call args).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// Exact size in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
}

/// A check on progress events.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgressCheck {
    /// At least one progress event must arrive.
    #[serde(default)]
    pub required: bool,
    /// progress and bytes never go down.
    #[serde(default)]
    pub monotonic: bool,
    /// The last event says 100 and bytes written equal the total.
    #[serde(default)]
    pub reaches_100: bool,
    /// The expected total equals the body length the server announced.
    #[serde(default)]
    pub totals_match: bool,
}

/// A check on what the server saw.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServerCheck {
    /// Exactly this many requests (redirect hops count).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests: Option<u64>,
    /// Request method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// HTTP version of every request, as the server's journal records it (`HTTP/1.1`,
    /// `HTTP/2.0`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_version: Option<String>,
    /// Headers that must be present (lower case).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers_present: Vec<String>,
    /// Headers that must be absent (lower case).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers_absent: Vec<String>,
    /// Headers that must have these exact values (lower-case names).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers_equal: BTreeMap<String, String>,
    /// Headers whose value must not be this (e.g. a Referer the caller tried to set).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers_not_equal: BTreeMap<String, String>,
    /// At most this many requests in flight at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_in_flight: Option<u64>,
    /// At least this many requests in flight at once (proves calls ran in parallel).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_in_flight: Option<u64>,
    /// The multipart upload the server parsed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload: Option<UploadCheck>,
}

/// A check on a multipart upload.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UploadCheck {
    /// Field name of the file part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_field: Option<String>,
    /// The file part equals the sandbox file (size and SHA-256).
    #[serde(default)]
    pub matches_file: bool,
    /// formData fields, name to value.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub form_data: BTreeMap<String, String>,
}

/// Timing bounds of a call, from the call message to `complete`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TimingCheck {
    /// At least this long (a timeout must not fire early).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_ms: Option<u64>,
    /// At most this long.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_ms: Option<u64>,
    /// At most this long from the `abort()` the harness sent to `complete`: how promptly abort
    /// ends the call, whatever the time before the trigger fired (a trickle, a loaded machine).
    /// The specs use 3000 with a response that goes on for at least 5 s after the abort: loose
    /// enough for a browser's dispatch on a loaded machine, and still failing a library that
    /// lets the response finish.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_abort_ms: Option<u64>,
}
