//! Alipay `my.downloadFile` (the Mpx doc's Alipay column): HTTPS only, apFilePath, statusCode and
//! header from 2.8.8, tempFilePath from 2.7.23, fail objects `{error, errorMessage}`.

use std::time::Duration;

use serde_json::{Map, Value, json};

use super::{DownloadPlatform, Downloaded, header_object, since, system_ua, timeout_arg};
use crate::control::Reaction;
use crate::transport::TransferError;
use dlconform_protocol::CallEnv;
use dlconform_protocol::HostEvent;

/// Alipay mini programs.
#[derive(Debug)]
pub struct Alipay;

impl DownloadPlatform for Alipay {
    fn name(&self) -> &'static str {
        "alipay"
    }

    fn schemes(&self, _env: &CallEnv) -> Vec<String> {
        vec!["https".into()]
    }

    fn timeout(&self, _env: &CallEnv, args: &Map<String, Value>) -> Option<Duration> {
        timeout_arg(args, Some(60_000))
    }

    fn accepts_file_path(&self, _env: &CallEnv) -> bool {
        true
    }

    fn on_host_event(&self, event: HostEvent) -> Reaction {
        match event {
            HostEvent::Offline | HostEvent::NetworkChange => Reaction::FailNow,
            HostEvent::Background => Reaction::Ignore,
        }
    }

    fn sends_progress(&self, _env: &CallEnv) -> bool {
        // The Alipay column documents no task methods.
        false
    }

    fn sends_headers_received(&self, _env: &CallEnv) -> bool {
        false
    }

    fn own_headers(&self, env: &CallEnv) -> Vec<(&'static str, String)> {
        vec![
            (
                "referer",
                "https://2021000000000000.hybrid.alipay-eco.com/2021000000000000/0.0.1/index.html"
                    .into(),
            ),
            (
                "user-agent",
                format!("{} AlipayClient/10.5.0 MiniProgram", system_ua(env.os)),
            ),
        ]
    }

    fn success(&self, env: &CallEnv, _args: &Map<String, Value>, done: &Downloaded) -> Value {
        let mut out = Map::new();
        out.insert("apFilePath".into(), json!(done.path.platform_path));
        match &done.file_path_arg {
            Some(p) => {
                out.insert("filePath".into(), json!(p));
            }
            None if since(env, "2.7.23") => {
                out.insert("tempFilePath".into(), json!(done.path.platform_path));
            }
            None => {}
        }
        if since(env, "2.8.8") {
            out.insert("statusCode".into(), json!(done.status));
            out.insert("header".into(), header_object(&done.headers));
        }
        out.insert("dataLength".into(), json!(done.size));
        Value::Object(out)
    }

    fn fail(&self, _env: &CallEnv, err: &TransferError) -> Value {
        let (code, msg) = error(err);
        json!({"error": code, "errorMessage": msg})
    }
}

/// error number and errorMessage (my.request's numbers).
pub fn error(err: &TransferError) -> (i64, &'static str) {
    use TransferError::*;
    match err {
        BadArgument(_) | InvalidUrl { .. } | SchemeNotAllowed { .. } => (2, "bad argument"),
        FilePath { .. } | NoSuchFile { .. } => (2, "bad argument"),
        DomainNotAllowed { .. } => (11, "cross-domain not allowed"),
        Timeout { .. } => (13, "timeout"),
        Aborted => (20, "request stopped"),
        _ => (12, "network error"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::douyin::tests::env;

    #[test]
    fn fail_shape_has_no_errmsg() {
        let v = Alipay.fail(
            &env("2.7.0"),
            &TransferError::DomainNotAllowed { url: "u".into() },
        );
        assert_eq!(
            v,
            json!({"error": 11, "errorMessage": "cross-domain not allowed"})
        );
        assert_eq!(
            error(&TransferError::Timeout {
                phase: crate::transport::Phase::Headers
            })
            .0,
            13
        );
        assert_eq!(
            error(&TransferError::ConnectRefused {
                detail: String::new()
            })
            .0,
            12
        );
        assert_eq!(error(&TransferError::BadArgument(String::new())).0, 2);
        assert_eq!(error(&TransferError::Aborted).0, 20);
    }
}
