//! Mutants: the reference candidate with one seeded defect each, named `mutant:<name>` on the
//! command line. A suite that lets a mutant pass cannot tell that mistake from the documented
//! behaviour; `dlconform selftest` runs them all and says which ones the cases catch.

use crate::defect::Defect;

/// One mutant: a name, what it gets wrong, and the defect behind it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mutant {
    /// Name after `mutant:`.
    pub name: &'static str,
    /// What it gets wrong, in one line.
    pub description: &'static str,
    /// The defect seeded into the reference.
    pub defect: Defect,
}

/// Every mutant, in the order `dlconform candidates` lists them.
pub const MUTANTS: &[Mutant] = &[
    Mutant {
        name: "status-code-type",
        description: "statusCode of the wrong JSON type (a number on Douyin, a string on the others)",
        defect: Defect::StatusCodeWrongType,
    },
    Mutant {
        name: "fail-on-http-error",
        description: "a 4xx/5xx response fails the call, though the platforms call any response a success",
        defect: Defect::FailOnHttpError,
    },
    Mutant {
        name: "no-size-limit",
        description: "no body size limit on downloads and uploads",
        defect: Defect::NoSizeLimit,
    },
    Mutant {
        name: "size-limit-ignores-version",
        description: "the newest base library's size limit on every version (Douyin 200MB before 2.42.0)",
        defect: Defect::SizeLimitIgnoresVersion,
    },
    Mutant {
        name: "timeout-ignored",
        description: "the timeout never fires",
        defect: Defect::TimeoutIgnored,
    },
    Mutant {
        name: "complete-twice",
        description: "complete is called twice",
        defect: Defect::CompleteTwice,
    },
    Mutant {
        name: "no-complete-after-abort",
        description: "complete is never called after abort()",
        defect: Defect::NoCompleteAfterAbort,
    },
    Mutant {
        name: "fail-after-success",
        description: "a successful call gets fail after success (both callbacks)",
        defect: Defect::FailAfterSuccess,
    },
    Mutant {
        name: "progress-out-of-order",
        description: "progress events delivered out of order, so not monotonic",
        defect: Defect::ProgressOutOfOrder,
    },
    Mutant {
        name: "progress-short-of-100",
        description: "progress never reaches 100",
        defect: Defect::ProgressShortOf100,
    },
    Mutant {
        name: "abort-ignored",
        description: "abort() does nothing",
        defect: Defect::AbortIgnored,
    },
    Mutant {
        name: "abort-throws",
        description: "abort() throws (the transfer is still aborted)",
        defect: Defect::AbortThrows,
    },
    Mutant {
        name: "forbidden-headers-passed",
        description: "Referer and User-Agent from the caller are sent where the platform forbids them",
        defect: Defect::ForbiddenHeadersPassed,
    },
    Mutant {
        name: "sandbox-escape",
        description: "a filePath with '..' is written where it points, outside the sandbox",
        defect: Defect::SandboxEscape,
    },
    Mutant {
        name: "timeout-errmsg",
        description: "a timeout fails with 'downloadFile:fail ETIMEDOUT' instead of the platform's errMsg",
        defect: Defect::TimeoutErrMsg,
    },
    Mutant {
        name: "cert-as-network-error",
        description: "certificate errors reported as connection errors (Douyin 121526 instead of 121528)",
        defect: Defect::CertAsNetworkError,
    },
    Mutant {
        name: "no-concurrency-limit",
        description: "no limit on transfers in flight (Feishu more than 5, WeChat more than 10)",
        defect: Defect::NoConcurrencyLimit,
    },
    Mutant {
        name: "token-not-sent",
        description: "the Feishu tenant_access_token is fetched but not sent",
        defect: Defect::TokenNotSent,
    },
    Mutant {
        name: "server-api-ignores-ca",
        description: "the Feishu server-API client ignores the run's CA, so it refuses every HTTPS answer",
        defect: Defect::ServerApiIgnoresCa,
    },
    Mutant {
        name: "any-certificate",
        description: "every server certificate is accepted unverified (self-signed, expired, another host's)",
        defect: Defect::AnyCertificate,
    },
    Mutant {
        name: "form-data-dropped",
        description: "upload formData is dropped",
        defect: Defect::FormDataDropped,
    },
    Mutant {
        name: "redirects-not-followed",
        description: "a 3xx response is handed back instead of followed",
        defect: Defect::RedirectsNotFollowed,
    },
    Mutant {
        name: "partial-file-kept",
        description: "a failed download leaves its partial file behind",
        defect: Defect::PartialFileKept,
    },
    Mutant {
        name: "http-in-release",
        description: "plain http URLs allowed in release builds",
        defect: Defect::HttpInRelease,
    },
    Mutant {
        name: "domain-list-ignored",
        description: "URLs outside the allowed domain list are fetched",
        defect: Defect::DomainListIgnored,
    },
    Mutant {
        name: "non-json-error-success",
        description: "a Feishu error answer that is not JSON (a gateway's 502 HTML) is written as the file, a success",
        defect: Defect::NonJsonErrorAsSuccess,
    },
    Mutant {
        name: "header-case-sensitive",
        description: "response header names matched case-sensitively: lower-case content-length, content-disposition, x-ogw-ratelimit-reset are missed",
        defect: Defect::HeaderCaseSensitive,
    },
    Mutant {
        name: "file-name-naive",
        description: "the Feishu file name read from Content-Disposition by splitting at every `;`, so a quoted name with `;` is cut",
        defect: Defect::FileNameNaive,
    },
    Mutant {
        name: "no-rate-limit-retry",
        description: "a Feishu 429 fails at once instead of waiting x-ogw-ratelimit-reset and retrying",
        defect: Defect::NoRateLimitRetry,
    },
    Mutant {
        name: "unnamed-scratch-file",
        description: "success names no file path and leaves a scratch file beside the download",
        defect: Defect::UnnamedScratchFile,
    },
    Mutant {
        name: "header-as-string",
        description: "the response header (success and headersReceived) sent as a JSON string, not an object",
        defect: Defect::HeaderAsString,
    },
    Mutant {
        name: "errmsg-bare",
        description: "a fail message without a reason: exactly 'downloadFile:fail' (empty where there is no prefix)",
        defect: Defect::ErrMsgBare,
    },
    Mutant {
        name: "errmsg-undefined",
        description: "a fail message whose reason is 'undefined' ('downloadFile:fail undefined')",
        defect: Defect::ErrMsgUndefined,
    },
    Mutant {
        name: "progress-not-finite",
        description: "progress sent as null and the expected total as Infinity",
        defect: Defect::ProgressNotFinite,
    },
    Mutant {
        name: "progress-over-100",
        description: "progress doubled, so it climbs past 100",
        defect: Defect::ProgressOver100,
    },
    Mutant {
        name: "late-timer",
        description: "the call's timer (its timeout argument, on every platform, as cross-platform wrappers keep one) is not cancelled when the call ends and fires fail + complete on expiry",
        defect: Defect::LateTimer,
    },
    Mutant {
        name: "no-progress",
        description: "no progress events at all",
        defect: Defect::NoProgress,
    },
    Mutant {
        name: "write-outside",
        description: "every download also writes a file five levels above its sandbox",
        defect: Defect::WriteOutside,
    },
    Mutant {
        name: "late-abort-fires",
        description: "abort() on a call that has ended (after success or fail) fires fail + complete again",
        defect: Defect::LateAbortFires,
    },
    Mutant {
        name: "progress-after-off",
        description: "offProgressUpdate removes nothing: progress events keep coming",
        defect: Defect::ProgressAfterOff,
    },
    Mutant {
        name: "headers-after-off",
        description: "offHeadersReceived removes nothing: headersReceived still fires",
        defect: Defect::HeadersAfterOff,
    },
];

/// The mutant called `name` (without the `mutant:` prefix).
pub fn find(name: &str) -> Option<&'static Mutant> {
    MUTANTS.iter().find(|m| m.name == name)
}

/// The mutant that seeds `defect` (none for [`Defect::None`], the reference itself).
pub fn of_defect(defect: Defect) -> Option<&'static Mutant> {
    MUTANTS
        .iter()
        .find(|m| m.defect == defect && defect != Defect::None)
}

/// Every mutant name, comma-separated, for error messages.
pub fn names() -> String {
    MUTANTS
        .iter()
        .map(|m| m.name)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_defects_are_unique() {
        let mut names: Vec<&str> = MUTANTS.iter().map(|m| m.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), MUTANTS.len());
        let defects: std::collections::HashSet<Defect> = MUTANTS.iter().map(|m| m.defect).collect();
        assert_eq!(defects.len(), MUTANTS.len());
        assert!(!defects.contains(&Defect::None));
        assert_eq!(
            find("abort-ignored").map(|m| m.defect),
            Some(Defect::AbortIgnored)
        );
        assert!(find("nope").is_none());
    }
}
