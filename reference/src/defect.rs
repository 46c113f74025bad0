//! Seeded defects: each one flips a single documented behaviour of the reference, so that a
//! mutant built from it proves the cases can catch that mistake. [`Defect::None`] is the
//! reference itself.

/// One behaviour the reference gets wrong on purpose.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Defect {
    /// No defect: the reference.
    #[default]
    None,
    /// `statusCode` of the other JSON type (a number on Douyin, a string elsewhere).
    StatusCodeWrongType,
    /// An HTTP error status (4xx, 5xx) fails the call instead of succeeding.
    FailOnHttpError,
    /// No body size limit on downloads and uploads.
    NoSizeLimit,
    /// The size limit of the newest base library applied to every version.
    SizeLimitIgnoresVersion,
    /// The timeout never fires.
    TimeoutIgnored,
    /// `complete` is sent twice.
    CompleteTwice,
    /// `complete` is not sent after an aborted call.
    NoCompleteAfterAbort,
    /// A successful call also gets `fail`.
    FailAfterSuccess,
    /// Progress events delivered out of order: each second one before its predecessor.
    ProgressOutOfOrder,
    /// The final 100 % progress event is never sent.
    ProgressShortOf100,
    /// `abort()` is ignored.
    AbortIgnored,
    /// `abort()` throws (reported as `threw`), though it still aborts the transfer.
    AbortThrows,
    /// Headers the platform forbids (Referer, User-Agent) are passed through from the caller.
    ForbiddenHeadersPassed,
    /// A filePath is joined to its folder without resolving `..`.
    SandboxEscape,
    /// A timeout fails with the engine's own text instead of the platform's errMsg.
    TimeoutErrMsg,
    /// Certificate failures are reported as connection errors.
    CertAsNetworkError,
    /// No limit on transfers in flight.
    NoConcurrencyLimit,
    /// The Feishu tenant token is fetched but not sent.
    TokenNotSent,
    /// The server-API client ignores the CA the harness hands it, as an SDK that trusts only
    /// the system's roots: every HTTPS answer of the mock server is refused.
    ServerApiIgnoresCa,
    /// Every server certificate accepted unverified: self-signed, expired, another host's.
    AnyCertificate,
    /// Upload `formData` is dropped.
    FormDataDropped,
    /// Redirects are handed back as the response instead of followed.
    RedirectsNotFollowed,
    /// A failed download leaves its partial file behind.
    PartialFileKept,
    /// Plain `http` allowed in release builds.
    HttpInRelease,
    /// The allowed domain list is not checked.
    DomainListIgnored,
    /// A Feishu error answer whose body is not JSON (a gateway's HTML page) is taken for the file.
    NonJsonErrorAsSuccess,
    /// Response header names matched case-sensitively: lower-case `content-length` and the
    /// like are not seen.
    HeaderCaseSensitive,
    /// The file name is read from Content-Disposition by splitting at every `;`, even inside a
    /// quoted name.
    FileNameNaive,
    /// A Feishu 429 fails the call at once, without waiting `x-ogw-ratelimit-reset` and retrying.
    NoRateLimitRetry,
    /// Success names no file path, and a scratch file is left beside the download.
    UnnamedScratchFile,
    /// `header` (success and headersReceived) sent as the object's JSON text.
    HeaderAsString,
    /// A fail message is the bare `<api>:fail` prefix (or empty where there is none).
    ErrMsgBare,
    /// A fail message's reason is `undefined`.
    ErrMsgUndefined,
    /// `progress` sent as `null` and the expected total as `Infinity`.
    ProgressNotFinite,
    /// `progress` doubled, so it goes past 100.
    ProgressOver100,
    /// The call's timer is not cancelled when the call ends: it fires `fail` and `complete`
    /// again when it expires.
    LateTimer,
    /// No progress events at all.
    NoProgress,
    /// Every download also writes a file five levels above its sandbox, outside every folder
    /// it may write.
    WriteOutside,
    /// `abort()` on a call that has ended fails it again: `fail` and `complete` a second time.
    LateAbortFires,
    /// `offProgressUpdate` removes nothing: progress keeps coming.
    ProgressAfterOff,
    /// `offHeadersReceived` removes nothing: headersReceived still comes.
    HeadersAfterOff,
}
