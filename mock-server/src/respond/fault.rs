//! The fault catalog: the server's vocabulary, which specs name and the harness composes.
//!
//! A [`Scenario`] is what one case asks of the server: which listener (or which
//! network failure) the call goes to, and the faults applied to the response.
//! Faults are applied in a fixed order (redirects, then the hold, then delay, then the head,
//! then the body) whatever their order in the list; the list order only
//! matters for repeated `header` faults.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::feishu::FeishuFixture;

/// Where a call is sent: one of the server's listeners, or a network failure that needs no server.
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
#[serde(rename_all = "kebab-case")]
pub enum Target {
    /// Plain HTTP/1.1.
    Http,
    /// HTTPS with a certificate signed by the test CA (HTTP/1.1 and HTTP/2).
    #[default]
    Https,
    /// HTTPS with a self-signed certificate.
    SelfSigned,
    /// HTTPS with a certificate whose validity ended in the past.
    Expired,
    /// HTTPS with a certificate whose validity starts in the future.
    NotYetValid,
    /// HTTPS with a certificate for another host name.
    WrongHost,
    /// HTTPS with a certificate signed by a CA the client is not told to trust.
    UntrustedCa,
    /// A host name under `.invalid` (RFC 6761): name resolution fails.
    DnsFailure,
    /// A loopback port with nothing listening: the connection is refused.
    ConnectionRefused,
}

impl Target {
    /// Every target, in catalog order.
    pub const ALL: [Target; 9] = [
        Target::Http,
        Target::Https,
        Target::SelfSigned,
        Target::Expired,
        Target::NotYetValid,
        Target::WrongHost,
        Target::UntrustedCa,
        Target::DnsFailure,
        Target::ConnectionRefused,
    ];

    /// The listener that serves this target, if a server is involved at all.
    pub fn listener(self) -> Option<ListenerKind> {
        match self {
            Target::Http => Some(ListenerKind::Http),
            Target::Https => Some(ListenerKind::Https),
            Target::SelfSigned => Some(ListenerKind::SelfSigned),
            Target::Expired => Some(ListenerKind::Expired),
            Target::NotYetValid => Some(ListenerKind::NotYetValid),
            Target::WrongHost => Some(ListenerKind::WrongHost),
            Target::UntrustedCa => Some(ListenerKind::UntrustedCa),
            Target::DnsFailure | Target::ConnectionRefused => None,
        }
    }

    /// The kebab-case name used in specs and URLs.
    pub fn name(self) -> &'static str {
        match self {
            Target::Http => "http",
            Target::Https => "https",
            Target::SelfSigned => "self-signed",
            Target::Expired => "expired",
            Target::NotYetValid => "not-yet-valid",
            Target::WrongHost => "wrong-host",
            Target::UntrustedCa => "untrusted-ca",
            Target::DnsFailure => "dns-failure",
            Target::ConnectionRefused => "connection-refused",
        }
    }
}

/// One listening socket of the server; each bad-certificate kind has its own.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum ListenerKind {
    /// Plain HTTP/1.1.
    Http,
    /// HTTPS, certificate signed by the test CA.
    Https,
    /// HTTPS, self-signed certificate.
    SelfSigned,
    /// HTTPS, expired certificate.
    Expired,
    /// HTTPS, certificate not yet valid.
    NotYetValid,
    /// HTTPS, certificate for another host name.
    WrongHost,
    /// HTTPS, certificate from an untrusted CA.
    UntrustedCa,
}

impl ListenerKind {
    /// Every listener, in start-up order.
    pub const ALL: [ListenerKind; 7] = [
        ListenerKind::Http,
        ListenerKind::Https,
        ListenerKind::SelfSigned,
        ListenerKind::Expired,
        ListenerKind::NotYetValid,
        ListenerKind::WrongHost,
        ListenerKind::UntrustedCa,
    ];

    /// Whether the listener speaks TLS.
    pub fn is_tls(self) -> bool {
        self != ListenerKind::Http
    }
}

/// Where a redirect points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RedirectTo {
    /// Same scheme, host and port, another path.
    SameHost,
    /// Same listener reached through another host name (`127.0.0.1` <-> `localhost`).
    CrossHost,
    /// From the plain HTTP listener to the HTTPS one.
    Https,
    /// Back to the same URL, forever.
    Loop,
    /// A relative `Location` (a path with no scheme or host).
    Relative,
    /// A `Location` that is not a URL at all.
    Invalid,
}

/// One fault or response property; the catalog every spec names faults from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Fault {
    /// Response status code (default 200).
    Status(u16),
    /// A generated body of `size` bytes from a seeded generator, streamed; its SHA-256 is known before sending.
    Body {
        /// Length in bytes.
        size: u64,
        /// Generator seed: the same seed and size give the same bytes.
        #[serde(default)]
        seed: u64,
    },
    /// A literal body (UTF-8 text).
    Text(String),
    /// Content-Type of the response (default application/octet-stream).
    ContentType(String),
    /// Wait this many milliseconds before sending the response head.
    DelayMs(u64),
    /// Hold the response until `arrivals` requests of the case have arrived, or `max_ms` ms have
    /// passed since the first; then every held response goes on (over-limit concurrency cases).
    HoldUntil {
        /// Requests of the case to wait for (the concurrency limit plus one).
        arrivals: u64,
        /// Longest wait, counted from the case's first request.
        max_ms: u64,
    },
    /// Read the request, then never answer; the connection stays open.
    Stall,
    /// Send the head and this many body bytes, then stall with the connection open.
    StallAfter(u64),
    /// Send the body `bytes` at a time, one piece every `every_ms` milliseconds.
    Trickle {
        /// Bytes per piece.
        bytes: u64,
        /// Milliseconds between pieces.
        every_ms: u64,
    },
    /// Cap the body's throughput at this many bytes per second.
    BandwidthBps(u64),
    /// Announce a Content-Length this many bytes off the real length (positive: larger than the body).
    ContentLengthDelta(i64),
    /// Send no Content-Length: chunked transfer encoding on HTTP/1.1.
    Chunked,
    /// Close the connection (FIN) after this many body bytes.
    CloseAfter(u64),
    /// Reset the connection (TCP RST) after this many body bytes.
    ResetAfter(u64),
    /// Answer with redirects before the real response.
    Redirect {
        /// 301, 302, 303, 307 or 308.
        status: u16,
        /// Where the redirect points.
        to: RedirectTo,
        /// How many redirects before the real response (ignored for `loop`).
        #[serde(default = "one")]
        hops: u32,
    },
    /// A Content-Disposition header with `filename` and/or `filename*` (RFC 6266).
    ContentDisposition {
        /// The plain `filename` parameter.
        #[serde(default)]
        filename: Option<String>,
        /// The `filename*` parameter, UTF-8, percent-encoded on the wire.
        #[serde(default)]
        filename_star: Option<String>,
    },
    /// Compress the body with gzip (Content-Encoding: gzip).
    Gzip,
    /// Write the response head `bytes` at a time every `every_ms` milliseconds.
    SlowHeaders {
        /// Bytes per piece.
        bytes: u64,
        /// Milliseconds between pieces.
        every_ms: u64,
    },
    /// Write these bytes to the socket instead of a response (`\r`, `\n`, `\xNN` escapes allowed), then close.
    Raw(String),
    /// An extra response header.
    Header {
        /// Header name.
        name: String,
        /// Header value.
        value: String,
    },
    /// Send header names in lower case on HTTP/1.1 (servers normally send canonical case).
    LowercaseHeaders,
    /// Upload receiver: reset the connection after reading this many request body bytes.
    UploadResetAfter(u64),
    /// Upload receiver: answer 413 before reading the request body.
    #[serde(rename = "upload_early_413")]
    UploadEarly413,
    /// Upload receiver: read the request body at most this many bytes per second.
    UploadReadBps(u64),
}

fn one() -> u32 {
    1
}

/// Everything one case asks of the server.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// The listener or network failure the call goes to.
    #[serde(default)]
    pub target: Target,
    /// Faults applied to the response.
    #[serde(default)]
    pub faults: Vec<Fault>,
    /// Feishu server emulation fixture (apps, files, rate limit) for `im.v1.file.get` cases.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feishu: Option<FeishuFixture>,
}

/// One row of the catalog, for the index page, `--help` texts and lint messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FaultInfo {
    /// The name specs and URLs use.
    pub name: &'static str,
    /// What it does.
    pub doc: &'static str,
}

/// The catalog, one row per fault variant, in declaration order.
pub const CATALOG: &[FaultInfo] = &[
    FaultInfo {
        name: "status",
        doc: "response status code",
    },
    FaultInfo {
        name: "body",
        doc: "seeded generated body of any size, streamed",
    },
    FaultInfo {
        name: "text",
        doc: "literal text body",
    },
    FaultInfo {
        name: "content_type",
        doc: "Content-Type of the response",
    },
    FaultInfo {
        name: "delay_ms",
        doc: "wait before the response head",
    },
    FaultInfo {
        name: "hold_until",
        doc: "hold responses until N requests of the case arrived or T ms passed",
    },
    FaultInfo {
        name: "stall",
        doc: "never answer",
    },
    FaultInfo {
        name: "stall_after",
        doc: "head and N body bytes, then silence",
    },
    FaultInfo {
        name: "trickle",
        doc: "N bytes every T ms",
    },
    FaultInfo {
        name: "bandwidth_bps",
        doc: "throughput cap",
    },
    FaultInfo {
        name: "content_length_delta",
        doc: "Content-Length larger or smaller than the body",
    },
    FaultInfo {
        name: "chunked",
        doc: "no Content-Length, chunked encoding",
    },
    FaultInfo {
        name: "close_after",
        doc: "FIN after N body bytes",
    },
    FaultInfo {
        name: "reset_after",
        doc: "TCP RST after N body bytes",
    },
    FaultInfo {
        name: "redirect",
        doc: "301/302/303/307/308: same host, cross host, https, loop, relative, invalid",
    },
    FaultInfo {
        name: "content_disposition",
        doc: "filename and filename*",
    },
    FaultInfo {
        name: "gzip",
        doc: "Content-Encoding: gzip",
    },
    FaultInfo {
        name: "slow_headers",
        doc: "response head written slowly",
    },
    FaultInfo {
        name: "raw",
        doc: "malformed response bytes written raw",
    },
    FaultInfo {
        name: "header",
        doc: "extra response header",
    },
    FaultInfo {
        name: "lowercase_headers",
        doc: "lower-case header names on HTTP/1.1",
    },
    FaultInfo {
        name: "upload_reset_after",
        doc: "upload: RST after N request bytes",
    },
    FaultInfo {
        name: "upload_early_413",
        doc: "upload: 413 before reading the body",
    },
    FaultInfo {
        name: "upload_read_bps",
        doc: "upload: slow reading",
    },
];

impl Fault {
    /// The catalog name of this fault.
    pub fn name(&self) -> &'static str {
        match self {
            Fault::Status(_) => "status",
            Fault::Body { .. } => "body",
            Fault::Text(_) => "text",
            Fault::ContentType(_) => "content_type",
            Fault::DelayMs(_) => "delay_ms",
            Fault::HoldUntil { .. } => "hold_until",
            Fault::Stall => "stall",
            Fault::StallAfter(_) => "stall_after",
            Fault::Trickle { .. } => "trickle",
            Fault::BandwidthBps(_) => "bandwidth_bps",
            Fault::ContentLengthDelta(_) => "content_length_delta",
            Fault::Chunked => "chunked",
            Fault::CloseAfter(_) => "close_after",
            Fault::ResetAfter(_) => "reset_after",
            Fault::Redirect { .. } => "redirect",
            Fault::ContentDisposition { .. } => "content_disposition",
            Fault::Gzip => "gzip",
            Fault::SlowHeaders { .. } => "slow_headers",
            Fault::Raw(_) => "raw",
            Fault::Header { .. } => "header",
            Fault::LowercaseHeaders => "lowercase_headers",
            Fault::UploadResetAfter(_) => "upload_reset_after",
            Fault::UploadEarly413 => "upload_early_413",
            Fault::UploadReadBps(_) => "upload_read_bps",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_names_match_variants() {
        let samples = [
            Fault::Status(200),
            Fault::Body { size: 1, seed: 0 },
            Fault::Text(String::new()),
            Fault::ContentType(String::new()),
            Fault::DelayMs(1),
            Fault::HoldUntil {
                arrivals: 2,
                max_ms: 1,
            },
            Fault::Stall,
            Fault::StallAfter(1),
            Fault::Trickle {
                bytes: 1,
                every_ms: 1,
            },
            Fault::BandwidthBps(1),
            Fault::ContentLengthDelta(1),
            Fault::Chunked,
            Fault::CloseAfter(1),
            Fault::ResetAfter(1),
            Fault::Redirect {
                status: 302,
                to: RedirectTo::SameHost,
                hops: 1,
            },
            Fault::ContentDisposition {
                filename: None,
                filename_star: None,
            },
            Fault::Gzip,
            Fault::SlowHeaders {
                bytes: 1,
                every_ms: 1,
            },
            Fault::Raw(String::new()),
            Fault::Header {
                name: String::new(),
                value: String::new(),
            },
            Fault::LowercaseHeaders,
            Fault::UploadResetAfter(1),
            Fault::UploadEarly413,
            Fault::UploadReadBps(1),
        ];
        let names: Vec<_> = samples.iter().map(Fault::name).collect();
        let catalog: Vec<_> = CATALOG.iter().map(|f| f.name).collect();
        assert_eq!(names, catalog);
    }
}
