//! Feishu gadget `tt.downloadFile`: numeric statusCode, a trace id, at most 5 downloads at once,
//! filePath from client 3.43.0, fail objects shaped like the documented example.

use std::time::Duration;

use serde_json::{Map, Value, json};

use super::{DownloadPlatform, Downloaded, since, system_ua, timeout_arg};
use crate::control::Reaction;
use crate::transport::{TransferError, now_ms};
use dlconform_protocol::CallEnv;
use dlconform_protocol::HostEvent;

/// Default timeout: none is documented; 60 s as the other platforms.
const DEFAULT_TIMEOUT_MS: u64 = 60_000;

/// Feishu gadgets.
#[derive(Debug)]
pub struct FeishuGadget;

impl DownloadPlatform for FeishuGadget {
    fn name(&self) -> &'static str {
        "feishu-gadget"
    }

    fn timeout(&self, _env: &CallEnv, _args: &Map<String, Value>) -> Option<Duration> {
        // No timeout parameter is documented.
        timeout_arg(&Map::new(), Some(DEFAULT_TIMEOUT_MS))
    }

    fn accepts_file_path(&self, env: &CallEnv) -> bool {
        since(env, "3.43.0")
    }

    fn on_host_event(&self, event: HostEvent) -> Reaction {
        match event {
            HostEvent::Offline | HostEvent::NetworkChange => Reaction::FailNow,
            // Nothing documented: a gadget in the background keeps downloading.
            HostEvent::Background => Reaction::Ignore,
        }
    }

    fn sends_headers_received(&self, _env: &CallEnv) -> bool {
        // The task lists only onProgressUpdate and abort.
        false
    }

    fn forbidden_headers(&self) -> &'static [&'static str] {
        &[]
    }

    fn own_headers(&self, env: &CallEnv) -> Vec<(&'static str, String)> {
        vec![(
            "user-agent",
            format!("{} Lark/{} Gadget", system_ua(env.os), env.sdk_version),
        )]
    }

    fn success(&self, _env: &CallEnv, _args: &Map<String, Value>, done: &Downloaded) -> Value {
        // Only tempFilePath is documented; with filePath it names the file at that path.
        let path = done
            .file_path_arg
            .clone()
            .unwrap_or_else(|| done.path.platform_path.clone());
        json!({
            "tempFilePath": path,
            "statusCode": done.status,
            "errMsg": "downloadFile:ok",
            "trace": trace_id(),
        })
    }

    fn fail(&self, _env: &CallEnv, err: &TransferError) -> Value {
        json!({"errMsg": format!("downloadFile:fail {}", message(err)), "tempFilePath": "", "statusCode": 0})
    }
}

/// The detail after `downloadFile:fail`; the documented example says 不支持的URL for a URL refused.
pub fn message(err: &TransferError) -> String {
    use TransferError::*;
    match err {
        InvalidUrl { .. } | SchemeNotAllowed { .. } => "不支持的URL".into(),
        Aborted => "abort".into(),
        Timeout { .. } => "timeout".into(),
        other => other.to_string(),
    }
}

/// A request id in the form of the documented example (hex).
fn trace_id() -> String {
    use sha2::{Digest, Sha256};
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let d = Sha256::new()
        .chain_update(n.to_le_bytes())
        .chain_update(now_ms().to_le_bytes())
        .finalize();
    format!("02{}", hex::encode(&d[..24]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fail_object_matches_documented_example() {
        let env = crate::platform::douyin::tests::env("7.35.0");
        let v = FeishuGadget.fail(&env, &TransferError::InvalidUrl { url: "x".into() });
        assert_eq!(
            v,
            json!({"errMsg": "downloadFile:fail 不支持的URL", "tempFilePath": "", "statusCode": 0})
        );
        assert!(FeishuGadget.accepts_file_path(&env));
        let old = crate::platform::douyin::tests::env("3.42.0");
        assert!(!FeishuGadget.accepts_file_path(&old));
    }
}
