//! Baidu `swan.downloadFile` and the fail objects of `swan.uploadFile`: errCode/errMsg per OS
//! (Android 202/1001, iOS 202/1001/1002), 10 MB downloads, 25 MB uploads.

use std::time::Duration;

use serde_json::{Map, Value, json};

use super::{DownloadPlatform, Downloaded, system_ua, timeout_arg};
use crate::control::Reaction;
use crate::transport::TransferError;
use dlconform_protocol::CallEnv;
use dlconform_protocol::{HostEvent, Os};

/// Largest download: 10 MB.
pub const MAX_DOWNLOAD: u64 = 10 * 1024 * 1024;
/// Largest upload: 25 MB.
pub const MAX_UPLOAD: u64 = 25 * 1024 * 1024;
/// App key used in the platform's own Referer.
pub const APP_KEY: &str = "dlconformAppKey";

/// Baidu smart programs.
#[derive(Debug)]
pub struct Baidu;

impl DownloadPlatform for Baidu {
    fn name(&self) -> &'static str {
        "baidu"
    }

    fn max_body(&self, _env: &CallEnv) -> Option<u64> {
        Some(MAX_DOWNLOAD)
    }

    fn timeout(&self, _env: &CallEnv, _args: &Map<String, Value>) -> Option<Duration> {
        // No timeout parameter or default is documented.
        timeout_arg(&Map::new(), Some(60_000))
    }

    fn accepts_file_path(&self, _env: &CallEnv) -> bool {
        false
    }

    fn on_host_event(&self, event: HostEvent) -> Reaction {
        match event {
            HostEvent::Offline | HostEvent::NetworkChange => Reaction::FailNow,
            HostEvent::Background => Reaction::Ignore,
        }
    }

    fn sends_headers_received(&self, _env: &CallEnv) -> bool {
        true
    }

    fn requires_length(&self, env: &CallEnv) -> bool {
        // iOS lists 1002 "cannot determine the download size".
        env.os == Os::Ios
    }

    fn own_headers(&self, env: &CallEnv) -> Vec<(&'static str, String)> {
        own_headers(env)
    }

    fn success(&self, _env: &CallEnv, _args: &Map<String, Value>, done: &Downloaded) -> Value {
        json!({"tempFilePath": done.path.platform_path, "statusCode": done.status})
    }

    fn fail(&self, env: &CallEnv, err: &TransferError) -> Value {
        let (code, msg) = download_err(env.os, err);
        json!({"errCode": code, "errMsg": msg})
    }
}

/// Referer and User-Agent of swan requests.
pub fn own_headers(env: &CallEnv) -> Vec<(&'static str, String)> {
    vec![
        (
            "referer",
            format!("https://smartapp.baidu.com/{APP_KEY}/1.0.0/page-frame.html"),
        ),
        (
            "user-agent",
            format!(
                "{} baiduboxapp/13.50.0.10 swan/2.80.0 swan-baiduboxapp/13.50.0.10",
                system_ua(env.os)
            ),
        ),
    ]
}

const PARSE_FAILED: &str = "解析失败，请检查参数是否正确";

/// errCode and errMsg of a failed download.
pub fn download_err(os: Os, err: &TransferError) -> (i64, String) {
    use TransferError::*;
    match (os, err) {
        (_, BadArgument(_) | InvalidUrl { .. }) => (202, PARSE_FAILED.into()),
        (Os::Ios, TooLarge { .. }) => (1001, "请求文件超过10M".into()),
        (Os::Ios, UnknownLength) => (1002, "无法确定下载文件大小".into()),
        (_, other) => (1001, format!("执行错误: {}", detail(other))),
    }
}

/// errCode and errMsg of a failed upload.
pub fn upload_err(os: Os, err: &TransferError) -> (i64, String) {
    use TransferError::*;
    match (os, err) {
        (_, BadArgument(_) | InvalidUrl { .. }) => (202, PARSE_FAILED.into()),
        (_, other) => (1001, format!("执行失败: {}", detail(other))),
    }
}

fn detail(err: &TransferError) -> String {
    match err {
        TransferError::Aborted => "abort".into(),
        TransferError::Timeout { .. } => "timeout".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_per_os() {
        let big = TransferError::TooLarge {
            limit: MAX_DOWNLOAD,
            declared: true,
        };
        assert_eq!(download_err(Os::Ios, &big).0, 1001);
        assert!(download_err(Os::Ios, &big).1.contains("请求文件超过10M"));
        assert_eq!(download_err(Os::Android, &big).0, 1001);
        assert!(download_err(Os::Android, &big).1.starts_with("执行错误"));
        assert_eq!(download_err(Os::Ios, &TransferError::UnknownLength).0, 1002);
        assert_eq!(
            download_err(Os::Android, &TransferError::BadArgument("url".into())).0,
            202
        );
        assert_eq!(
            upload_err(Os::Android, &TransferError::BadArgument("name".into())).0,
            202
        );
        assert_eq!(upload_err(Os::Android, &TransferError::Aborted).0, 1001);
    }
}
