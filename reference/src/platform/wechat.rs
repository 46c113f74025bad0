//! WeChat `wx.downloadFile` (through `mpx.downloadFile`): numeric statusCode for any status,
//! PublicErrno codes, 200 MB, 10 transfers at once, 5 s grace in the background.

use std::time::Duration;

use serde_json::{Map, Value, json};

use super::{DownloadPlatform, Downloaded, Profile, since, system_ua, timeout_arg};
use crate::control::Reaction;
use crate::sandbox::Area;
use crate::transport::{CertProblem, TransferError};
use dlconform_protocol::CallEnv;
use dlconform_protocol::{HostEvent, Os};

/// App id used in the platform's own Referer.
pub const APP_ID: &str = "wx0000000000000000";

/// WeChat mini programs.
#[derive(Debug)]
pub struct Wechat;

impl DownloadPlatform for Wechat {
    fn name(&self) -> &'static str {
        "wechat"
    }

    fn max_body(&self, _env: &CallEnv) -> Option<u64> {
        Some(200 * 1024 * 1024)
    }

    fn timeout(&self, env: &CallEnv, args: &Map<String, Value>) -> Option<Duration> {
        let args = if since(env, "2.10.0") {
            args.clone()
        } else {
            Map::new()
        };
        timeout_arg(&args, Some(60_000))
    }

    fn accepts_file_path(&self, env: &CallEnv) -> bool {
        since(env, "1.8.0")
    }

    fn writable(&self, area: Area) -> bool {
        // Only the user folder (USER_DATA_PATH) is writable; temp files belong to the runtime.
        area == Area::User
    }

    fn on_host_event(&self, event: HostEvent) -> Reaction {
        match event {
            HostEvent::Background => Reaction::FailAfter(Duration::from_secs(5)),
            HostEvent::Offline | HostEvent::NetworkChange => Reaction::FailNow,
        }
    }

    fn sends_headers_received(&self, env: &CallEnv) -> bool {
        since(env, "2.1.0")
    }

    fn http2(&self, env: &CallEnv, args: &Map<String, Value>) -> bool {
        since(env, "2.10.4") && args.get("enableHttp2") == Some(&Value::Bool(true))
    }

    fn empty_body_fails(&self) -> bool {
        true
    }

    fn own_headers(&self, env: &CallEnv) -> Vec<(&'static str, String)> {
        vec![
            (
                "referer",
                format!("https://servicewechat.com/{APP_ID}/0/page-frame.html"),
            ),
            (
                "user-agent",
                format!(
                    "{} MicroMessenger/8.0.50 miniProgram/{APP_ID}",
                    system_ua(env.os)
                ),
            ),
        ]
    }

    fn success(&self, env: &CallEnv, args: &Map<String, Value>, done: &Downloaded) -> Value {
        let mut out = Map::new();
        match &done.file_path_arg {
            Some(p) => out.insert("filePath".into(), json!(p)),
            None => out.insert("tempFilePath".into(), json!(done.path.platform_path)),
        };
        out.insert("statusCode".into(), json!(done.status));
        out.insert("errMsg".into(), json!("downloadFile:ok"));
        let profile_on = args
            .get("enableProfile")
            .and_then(Value::as_bool)
            .unwrap_or(true);
        if profile_on && matches!(env.os, Os::Android | Os::Ios) && since(env, "2.10.4") {
            out.insert("profile".into(), profile(env, &done.profile));
        }
        Value::Object(out)
    }

    fn fail(&self, _env: &CallEnv, err: &TransferError) -> Value {
        let (errno, detail) = errno(err);
        json!({"errMsg": format!("downloadFile:fail {detail}"), "errno": errno})
    }
}

/// errno and errMsg detail for a failure (PublicErrno).
pub fn errno(err: &TransferError) -> (i64, String) {
    use TransferError::*;
    match err {
        BadArgument(d) => (600005, format!("parameter error: {d}")),
        InvalidUrl { .. } | InvalidRedirect { .. } => (600009, "invalid url".into()),
        SchemeNotAllowed { .. } => (600011, "url validate error".into()),
        DomainNotAllowed { .. } => (600002, "url not in domain list".into()),
        Dns { .. } => (600001, "ERR_NAME_NOT_RESOLVED".into()),
        ConnectRefused { .. } => (600001, "ERR_CONNECTION_REFUSED".into()),
        Connect { detail } => (600001, format!("ERR_CONNECTION_FAILED {detail}")),
        Certificate { problem, .. } => (600001, cert_text(*problem).into()),
        Tls { .. } => (600001, "ERR_SSL_PROTOCOL_ERROR".into()),
        HeadersInterrupted { .. }
        | BodyInterrupted { .. }
        | BodyIncomplete { .. }
        | Host { .. } => (600003, "interrupted".into()),
        MalformedResponse { detail } | Body { detail } => (600000, detail.clone()),
        TooManyRedirects { .. } => (600008, "too many redirects".into()),
        TooLarge { .. } => (603301, "exceed max file size".into()),
        UnknownLength => (600000, "unknown content length".into()),
        QuotaExceeded => (
            603300,
            "the maximum size of the file storage limit is exceeded".into(),
        ),
        Timeout { .. } => (600000, "timeout".into()),
        Aborted => (600000, "abort".into()),
        FilePath { path, .. } => (603303, format!("permission denied, open \"{path}\"")),
        NoSuchFile { path } => (
            603300,
            format!("no such file or directory, open \"{path}\""),
        ),
        FileWrite { detail } => (603300, detail.clone()),
        EmptyBody => (603302, "file data empty".into()),
        Internal { detail } => (600006, detail.clone()),
    }
}

fn cert_text(p: CertProblem) -> &'static str {
    match p {
        CertProblem::Expired => "ERR_CERT_DATE_INVALID (expired)",
        CertProblem::NotYetValid => "ERR_CERT_DATE_INVALID (not yet valid)",
        CertProblem::WrongHost => "ERR_CERT_COMMON_NAME_INVALID",
        CertProblem::UntrustedIssuer => "ERR_CERT_AUTHORITY_INVALID",
        CertProblem::Other => "ERR_CERT_INVALID",
    }
}

/// The profile object (2.10.4+, iOS and Android).
fn profile(env: &CallEnv, p: &Profile) -> Value {
    let elapsed = p.response_end.saturating_sub(p.request_start).max(1);
    let mut v = json!({
        "redirectStart": 0,
        "redirectEnd": 0,
        "fetchStart": p.fetch_start,
        "domainLookUpStart": p.dns_start,
        "domainLookUpEnd": p.dns_end,
        "connectStart": p.connect_start,
        "connectEnd": p.connect_end,
        "SSLconnectionStart": p.ssl_start,
        "SSLconnectionEnd": p.ssl_end,
        "requestStart": p.request_start,
        "requestEnd": p.request_start,
        "responseStart": p.response_start,
        "responseEnd": p.response_end,
        "rtt": 0,
        "estimate_nettype": 0,
        "httpRttEstimate": 0,
        "transportRttEstimate": 0,
        "downstreamThroughputKbpsEstimate": 0,
        "throughputKbps": p.received * 8 / elapsed,
        "peerIP": "127.0.0.1",
        "port": p.port,
        "socketReused": false,
        "sendBytesCount": 0,
        "receivedBytedCount": p.received,
        "protocol": "http1.1",
        "usingHighPerformanceMode": false,
    });
    if since(env, "3.8.10")
        && let Some(o) = v.as_object_mut()
    {
        o.insert("invokeStart".into(), json!(p.invoke_start));
        o.insert("queueStart".into(), json!(p.queue_start));
        o.insert("queueEnd".into(), json!(p.queue_end));
    }
    if p.redirects > 0
        && let Some(o) = v.as_object_mut()
    {
        o.insert("redirectStart".into(), json!(p.fetch_start));
        o.insert("redirectEnd".into(), json!(p.request_start));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::douyin::tests::env;

    #[test]
    fn errno_table() {
        let cases = [
            (
                TransferError::DomainNotAllowed { url: "u".into() },
                600002,
                "url not in domain list",
            ),
            (
                TransferError::TooManyRedirects { limit: 20 },
                600008,
                "too many redirects",
            ),
            (
                TransferError::InvalidUrl { url: "u".into() },
                600009,
                "invalid url",
            ),
            (
                TransferError::TooLarge {
                    limit: 1,
                    declared: true,
                },
                603301,
                "exceed max file size",
            ),
            (TransferError::EmptyBody, 603302, "file data empty"),
            (
                TransferError::FilePath {
                    path: "p".into(),
                    detail: String::new(),
                    denied: true,
                },
                603303,
                "permission denied",
            ),
            (
                TransferError::Host {
                    event: HostEvent::Background,
                },
                600003,
                "interrupted",
            ),
            (TransferError::Aborted, 600000, "abort"),
        ];
        for (err, code, text) in cases {
            let v = Wechat.fail(&env("3.8.10"), &err);
            assert_eq!(v["errno"], json!(code));
            assert!(
                v["errMsg"]
                    .as_str()
                    .unwrap()
                    .starts_with(&format!("downloadFile:fail {text}")),
                "{v}"
            );
        }
    }

    #[test]
    fn versioned_parameters() {
        let mut args = Map::new();
        args.insert("timeout".into(), json!(1000));
        assert_eq!(
            Wechat.timeout(&env("2.10.0"), &args),
            Some(Duration::from_secs(1))
        );
        assert_eq!(
            Wechat.timeout(&env("2.9.4"), &args),
            Some(Duration::from_secs(60))
        );
        assert!(!Wechat.accepts_file_path(&env("1.7.0")));
        assert!(!Wechat.sends_headers_received(&env("2.0.9")));
        assert!(Wechat.sends_headers_received(&env("2.1.0")));
        assert!(!Wechat.writable(Area::Temp));
    }
}
