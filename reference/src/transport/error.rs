//! Every way a transfer can fail, with the phase it failed in, so each platform can map it to
//! its own errno and errMsg.

use dlconform_protocol::HostEvent;

/// Where in the transfer a failure happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    /// Checking arguments, the URL, the scheme and the domain list.
    Validate,
    /// Waiting for a free transfer slot.
    Queue,
    /// Resolving the host name.
    Dns,
    /// Opening the TCP connection.
    Connect,
    /// The TLS handshake.
    Tls,
    /// Sending the request and reading the response head.
    Headers,
    /// Reading (download) or sending (upload) the body.
    Body,
    /// Writing the file and finishing.
    Finish,
}

impl Phase {
    /// Stable numeric form, for the shared phase cell.
    pub fn to_u8(self) -> u8 {
        self as u8
    }

    /// Back from [`Phase::to_u8`].
    pub fn from_u8(v: u8) -> Phase {
        match v {
            0 => Phase::Validate,
            1 => Phase::Queue,
            2 => Phase::Dns,
            3 => Phase::Connect,
            4 => Phase::Tls,
            5 => Phase::Headers,
            6 => Phase::Body,
            _ => Phase::Finish,
        }
    }
}

/// Which certificate check failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertProblem {
    /// Past its notAfter.
    Expired,
    /// Before its notBefore.
    NotYetValid,
    /// Not issued for the host name.
    WrongHost,
    /// Not signed by a trusted CA (self-signed, unknown CA, bad signature).
    UntrustedIssuer,
    /// Any other verification failure.
    Other,
}

/// A failed transfer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TransferError {
    /// A call argument is missing or of the wrong type.
    #[error("parameter error: {0}")]
    BadArgument(String),
    /// The URL does not parse or has no host.
    #[error("invalid url: {url}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
    },
    /// The scheme is not allowed in this build.
    #[error("url use invalid protocol: {scheme}")]
    SchemeNotAllowed {
        /// The URL as given.
        url: String,
        /// The scheme used.
        scheme: String,
        /// The schemes allowed.
        allowed: Vec<String>,
    },
    /// The host is not in the domain list.
    #[error("url not in domain list: {url}")]
    DomainNotAllowed {
        /// The URL as given.
        url: String,
    },
    /// The host name does not resolve.
    #[error("dns error: {detail}")]
    Dns {
        /// The resolver's error.
        detail: String,
    },
    /// The server refused the connection.
    #[error("connection refused: {detail}")]
    ConnectRefused {
        /// The OS error.
        detail: String,
    },
    /// The connection could not be opened for another reason.
    #[error("connection error: {detail}")]
    Connect {
        /// The OS error.
        detail: String,
    },
    /// The server's certificate failed verification.
    #[error("certificate error: {detail}")]
    Certificate {
        /// Which check failed.
        problem: CertProblem,
        /// rustls's message.
        detail: String,
    },
    /// The TLS handshake failed for a reason other than the certificate.
    #[error("ssl error: {detail}")]
    Tls {
        /// rustls's message.
        detail: String,
    },
    /// The connection broke before the response head arrived.
    #[error("interrupted before response: {detail}")]
    HeadersInterrupted {
        /// hyper's message.
        detail: String,
    },
    /// The response head is not valid HTTP.
    #[error("malformed response: {detail}")]
    MalformedResponse {
        /// hyper's message.
        detail: String,
    },
    /// More redirects than the platform follows.
    #[error("too many redirects (limit {limit})")]
    TooManyRedirects {
        /// The limit.
        limit: u32,
    },
    /// A redirect without a usable Location.
    #[error("invalid redirect location: {location}")]
    InvalidRedirect {
        /// The Location header as sent.
        location: String,
    },
    /// The body is larger than the platform allows.
    #[error("file size exceeds limit of {limit} bytes")]
    TooLarge {
        /// The limit in bytes.
        limit: u64,
        /// Whether Content-Length told (true) or streaming found out (false).
        declared: bool,
    },
    /// The body would not fit in the user folder's quota.
    #[error("user dir saved file size limit exceeded")]
    QuotaExceeded,
    /// The connection was reset while the body was transferred.
    #[error("interrupted: {detail}")]
    BodyInterrupted {
        /// The error.
        detail: String,
    },
    /// The connection closed before the announced body length arrived.
    #[error("incomplete body: {received} of {expected:?} bytes")]
    BodyIncomplete {
        /// Bytes received.
        received: u64,
        /// Bytes announced, if any.
        expected: Option<u64>,
    },
    /// Another body failure.
    #[error("body error: {detail}")]
    Body {
        /// The error.
        detail: String,
    },
    /// The deadline passed.
    #[error("request time out")]
    Timeout {
        /// The phase the transfer was in.
        phase: Phase,
    },
    /// The task's `abort()`.
    #[error("abort")]
    Aborted,
    /// A host event ended the transfer.
    #[error("host event: {event:?}")]
    Host {
        /// The event.
        event: HostEvent,
    },
    /// The target path is refused (outside, traversal, is a folder).
    #[error("file path error: {detail}")]
    FilePath {
        /// The path as given.
        path: String,
        /// Why.
        detail: String,
        /// Whether it tried to leave its folder (permission) rather than being malformed.
        denied: bool,
    },
    /// The target folder or the source file does not exist.
    #[error("no such file or directory: {path}")]
    NoSuchFile {
        /// The path as given.
        path: String,
    },
    /// Writing the file failed.
    #[error("file write error: {detail}")]
    FileWrite {
        /// The OS error.
        detail: String,
    },
    /// The platform needs a Content-Length and the response has none.
    #[error("cannot determine the download size")]
    UnknownLength,
    /// The platform refuses an empty body.
    #[error("file data empty")]
    EmptyBody,
    /// The transfer could not be set up (CA certificate unreadable...).
    #[error("internal error: {detail}")]
    Internal {
        /// What went wrong.
        detail: String,
    },
}

impl TransferError {
    /// The phase this failure belongs to.
    pub fn phase(&self) -> Phase {
        use TransferError::*;
        match self {
            BadArgument(_)
            | InvalidUrl { .. }
            | SchemeNotAllowed { .. }
            | DomainNotAllowed { .. } => Phase::Validate,
            FilePath { .. } | NoSuchFile { .. } => Phase::Validate,
            Dns { .. } => Phase::Dns,
            ConnectRefused { .. } | Connect { .. } => Phase::Connect,
            Certificate { .. } | Tls { .. } => Phase::Tls,
            HeadersInterrupted { .. }
            | MalformedResponse { .. }
            | TooManyRedirects { .. }
            | InvalidRedirect { .. } => Phase::Headers,
            TooLarge { declared: true, .. } => Phase::Headers,
            TooLarge {
                declared: false, ..
            }
            | QuotaExceeded => Phase::Body,
            BodyInterrupted { .. } | BodyIncomplete { .. } | Body { .. } => Phase::Body,
            Timeout { phase } => *phase,
            Aborted | Host { .. } | Internal { .. } => Phase::Finish,
            FileWrite { .. } | EmptyBody => Phase::Finish,
            UnknownLength => Phase::Headers,
        }
    }
}

/// Whether an error chain holds an I/O error of one of these kinds.
pub fn has_io_kind(err: &(dyn std::error::Error + 'static), kinds: &[std::io::ErrorKind]) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && kinds.contains(&io.kind())
        {
            return true;
        }
        cur = e.source();
    }
    false
}

/// The whole error chain as one line.
pub fn chain_text(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![err.to_string()];
    let mut cur = err.source();
    while let Some(e) = cur {
        let s = e.to_string();
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
        cur = e.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Outer(std::io::Error);
    impl std::fmt::Display for Outer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("outer")
        }
    }
    impl std::error::Error for Outer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn finds_io_kinds_down_the_chain() {
        let e = Outer(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "eof",
        ));
        assert!(has_io_kind(&e, &[std::io::ErrorKind::UnexpectedEof]));
        assert!(!has_io_kind(&e, &[std::io::ErrorKind::ConnectionReset]));
        assert_eq!(chain_text(&e), "outer: eof");
    }
}
