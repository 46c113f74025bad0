//! Douyin `tt.downloadFile`: statusCode as a string, errorCode/errorType from the 1215xx table,
//! 50 MB before base library 2.42.0 and 200 MB from it, filePath and timeout from 2.42.0.

use std::time::Duration;

use serde_json::{Map, Value, json};

use super::{DownloadPlatform, Downloaded, Profile, header_object, since, system_ua, timeout_arg};
use crate::control::Reaction;
use crate::transport::TransferError;
use dlconform_protocol::CallEnv;
use dlconform_protocol::{HostEvent, Os};

/// The base library where filePath, timeout, profile and the 200 MB limit arrive.
const V2_42: &str = "2.42.0";
/// App id used in the fixed Referer (the harness has no real one).
pub const APP_ID: &str = "tt0000000000000000";
/// App version used in the fixed Referer.
pub const APP_VERSION: &str = "1.0.0";
/// Default timeout: none is documented; 60 s as the other platforms.
const DEFAULT_TIMEOUT_MS: u64 = 60_000;

/// Douyin mini-apps.
#[derive(Debug)]
pub struct Douyin;

impl DownloadPlatform for Douyin {
    fn name(&self) -> &'static str {
        "douyin"
    }

    fn max_body(&self, env: &CallEnv) -> Option<u64> {
        Some(if since(env, V2_42) {
            200 * 1024 * 1024
        } else {
            50 * 1024 * 1024
        })
    }

    fn timeout(&self, env: &CallEnv, args: &Map<String, Value>) -> Option<Duration> {
        if since(env, V2_42) {
            timeout_arg(args, Some(DEFAULT_TIMEOUT_MS))
        } else {
            timeout_arg(&Map::new(), Some(DEFAULT_TIMEOUT_MS))
        }
    }

    fn accepts_file_path(&self, env: &CallEnv) -> bool {
        since(env, V2_42)
    }

    fn on_host_event(&self, _event: HostEvent) -> Reaction {
        // Each host event has its own code (121585, 121523, 121594); no grace is documented.
        Reaction::FailNow
    }

    fn sends_headers_received(&self, _env: &CallEnv) -> bool {
        true
    }

    fn forbidden_headers(&self) -> &'static [&'static str] {
        &["referer", "user-agent"]
    }

    fn own_headers(&self, env: &CallEnv) -> Vec<(&'static str, String)> {
        let tail = match env.os {
            Os::Ios => format!("webview/{}", env.sdk_version),
            _ => format!("PluginVersion/{}", env.sdk_version),
        };
        vec![
            ("referer", referer()),
            (
                "user-agent",
                format!(
                    "{} aweme/30.0.0 ToutiaoMicroApp/{} {tail}",
                    system_ua(env.os),
                    env.sdk_version
                ),
            ),
        ]
    }

    fn success(&self, env: &CallEnv, _args: &Map<String, Value>, done: &Downloaded) -> Value {
        let mut out = Map::new();
        match &done.file_path_arg {
            Some(p) => out.insert("filePath".into(), json!(p)),
            None => out.insert("tempFilePath".into(), json!(done.path.platform_path)),
        };
        out.insert("header".into(), header_object(&done.headers));
        out.insert("statusCode".into(), json!(done.status.to_string()));
        out.insert("errMsg".into(), json!("downloadFile:ok"));
        if since(env, V2_42) {
            out.insert("profile".into(), profile(&done.profile));
        }
        Value::Object(out)
    }

    fn fail(&self, _env: &CallEnv, err: &TransferError) -> Value {
        let (code, kind, detail) = errno(err);
        json!({"errMsg": format!("downloadFile:fail {detail}"), "errorCode": code, "errorType": kind})
    }
}

/// The fixed Referer: `https://tmaservice.developer.toutiao.com/?appid={appid}&version={appVersion}`.
pub fn referer() -> String {
    format!("https://tmaservice.developer.toutiao.com/?appid={APP_ID}&version={APP_VERSION}")
}

/// errorCode, errorType and message for a failure, from the error table.
pub fn errno(err: &TransferError) -> (i64, &'static str, String) {
    use TransferError::*;
    match err {
        BadArgument(d) => (121599, "D", format!("url is invalid, url == {d}")),
        InvalidUrl { url } => (121599, "D", format!("url is invalid, url == {url}")),
        SchemeNotAllowed { url, allowed, .. } => (
            121599,
            "D",
            format!(
                "url use invalid protocol, url == {url}, url support protocol is {}",
                allowed.join(",")
            ),
        ),
        DomainNotAllowed { url } => (121501, "D", format!("url not in domain list, url == {url}")),
        Dns { .. } => (121524, "U", "dns error".into()),
        ConnectRefused { .. } | Connect { .. } => (121526, "U", "connection error".into()),
        Certificate { .. } => (121528, "D", "certificate error".into()),
        Tls { .. } => (121525, "U", "ssl error".into()),
        HeadersInterrupted { .. } | BodyInterrupted { .. } | BodyIncomplete { .. } => {
            (121527, "U", "interrupted".into())
        }
        InvalidRedirect { .. } => (121529, "D", "url error".into()),
        MalformedResponse { detail } | Body { detail } => {
            (121591, "F", format!("network error:{detail}"))
        }
        TooManyRedirects { limit } => (
            121591,
            "F",
            format!("network error:too many redirects ({limit})"),
        ),
        TooLarge { .. } => (121521, "D", "file size exceeds 200MB".into()),
        QuotaExceeded => (
            121530,
            "D",
            "user dir saved file size limit exceeded".into(),
        ),
        Timeout { .. } => (121520, "D", "request time out".into()),
        Aborted => (121522, "U", "download file abort".into()),
        Host {
            event: HostEvent::Offline,
        } => (121585, "U", "network unavailable".into()),
        Host {
            event: HostEvent::NetworkChange,
        } => (121523, "U", "network changed".into()),
        Host {
            event: HostEvent::Background,
        } => (121594, "U", "app in background".into()),
        FilePath {
            path, denied: true, ..
        } => (
            121503,
            "D",
            format!("file path permission denied, open '{path}'"),
        ),
        FilePath { .. } => (121508, "D", "destination path has error".into()),
        NoSuchFile { path } => (121502, "D", format!("no such file or directory, '{path}'")),
        FileWrite { detail } => (121507, "F", detail.clone()),
        EmptyBody => (121507, "F", "file data empty".into()),
        UnknownLength => (121591, "F", "network error:unknown content length".into()),
        Internal { detail } => (121592, "F", detail.clone()),
    }
}

/// The profile object (2.42.0+).
fn profile(p: &Profile) -> Value {
    let elapsed = p.response_end.saturating_sub(p.request_start).max(1);
    json!({
        "domainLookupStart": p.dns_start,
        "domainLookupEnd": p.dns_end,
        "connectStart": p.connect_start,
        "connectEnd": p.connect_end,
        "sslConnectionStart": p.ssl_start,
        "sslConnectionEnd": p.ssl_end,
        "requestStart": p.request_start,
        "requestEnd": p.response_end,
        "rtt": 0,
        "estimateNetType": "unknown",
        "throughputKbps": p.received * 8 / elapsed,
        "port": p.port,
        "socketReused": false,
        "sentBytesCount": 0,
        "receivedBytesCount": p.received,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn error_table() {
        let cases: Vec<(TransferError, i64, &str)> = vec![
            (
                TransferError::InvalidUrl { url: "x".into() },
                121599,
                "url is invalid",
            ),
            (
                TransferError::SchemeNotAllowed {
                    url: "ftp://a".into(),
                    scheme: "ftp".into(),
                    allowed: vec!["https".into()],
                },
                121599,
                "url use invalid protocol",
            ),
            (
                TransferError::DomainNotAllowed { url: "x".into() },
                121501,
                "url not in domain list",
            ),
            (
                TransferError::Dns {
                    detail: String::new(),
                },
                121524,
                "dns error",
            ),
            (
                TransferError::ConnectRefused {
                    detail: String::new(),
                },
                121526,
                "connection error",
            ),
            (
                TransferError::Certificate {
                    problem: crate::transport::CertProblem::Expired,
                    detail: String::new(),
                },
                121528,
                "certificate error",
            ),
            (
                TransferError::Tls {
                    detail: String::new(),
                },
                121525,
                "ssl error",
            ),
            (
                TransferError::BodyInterrupted {
                    detail: String::new(),
                },
                121527,
                "interrupted",
            ),
            (
                TransferError::TooLarge {
                    limit: 1,
                    declared: false,
                },
                121521,
                "file size exceeds 200MB",
            ),
            (
                TransferError::QuotaExceeded,
                121530,
                "user dir saved file size limit exceeded",
            ),
            (
                TransferError::Timeout {
                    phase: crate::transport::Phase::Body,
                },
                121520,
                "request time out",
            ),
            (TransferError::Aborted, 121522, "download file abort"),
            (
                TransferError::Host {
                    event: HostEvent::Offline,
                },
                121585,
                "network unavailable",
            ),
            (
                TransferError::Host {
                    event: HostEvent::NetworkChange,
                },
                121523,
                "network changed",
            ),
            (
                TransferError::Host {
                    event: HostEvent::Background,
                },
                121594,
                "app in background",
            ),
            (
                TransferError::FilePath {
                    path: "p".into(),
                    detail: String::new(),
                    denied: true,
                },
                121503,
                "file path permission denied",
            ),
            (
                TransferError::FilePath {
                    path: "p".into(),
                    detail: String::new(),
                    denied: false,
                },
                121508,
                "destination path has error",
            ),
            (
                TransferError::NoSuchFile { path: "p".into() },
                121502,
                "no such file or directory",
            ),
        ];
        for (err, code, text) in cases {
            let v = Douyin.fail(&env("2.42.0"), &err);
            assert_eq!(v["errorCode"], json!(code), "{err:?}");
            let msg = v["errMsg"].as_str().unwrap();
            assert!(
                msg.starts_with("downloadFile:fail ") && msg.contains(text),
                "{msg}"
            );
        }
    }

    #[test]
    fn limits_by_version() {
        assert_eq!(Douyin.max_body(&env("2.41.0")), Some(52_428_800));
        assert_eq!(Douyin.max_body(&env("2.42.0")), Some(209_715_200));
        let mut args = Map::new();
        args.insert("timeout".into(), json!(1000));
        assert_eq!(
            Douyin.timeout(&env("2.42.0"), &args),
            Some(Duration::from_millis(1000))
        );
        assert_eq!(
            Douyin.timeout(&env("2.41.0"), &args),
            Some(Duration::from_millis(DEFAULT_TIMEOUT_MS))
        );
        assert!(!Douyin.accepts_file_path(&env("2.41.9")));
    }

    #[test]
    fn fixed_referer_format() {
        assert_eq!(
            referer(),
            "https://tmaservice.developer.toutiao.com/?appid=tt0000000000000000&version=1.0.0"
        );
    }

    /// A release Android environment on base library `v`.
    pub(crate) fn env(v: &str) -> CallEnv {
        CallEnv {
            sdk_version: v.into(),
            os: Os::Android,
            release: true,
            domains: None,
            fs: dlconform_protocol::FsEnv {
                temp: "/t".into(),
                user: "/u".into(),
                temp_prefix: "ttfile://temp/".into(),
                user_prefix: "ttfile://user/".into(),
                user_quota_bytes: None,
            },
            ca_cert: String::new(),
            app: None,
        }
    }
}
