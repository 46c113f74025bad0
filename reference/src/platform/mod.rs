//! Platform profiles: what each platform allows, and the exact objects its callbacks receive.

pub mod alipay;
pub mod baidu;
pub mod douyin;
pub mod feishu_gadget;
pub mod wechat;

use std::time::Duration;

use http::HeaderMap;
use serde_json::{Map, Value, json};

use super::control::Reaction;
use super::sandbox::{Area, Resolved};
use super::transport::TransferError;
use super::transport::progress::Progress;
use super::version;
use dlconform_protocol::CallEnv;
use dlconform_protocol::{HostEvent, Os};

/// A finished download, as the success object needs it.
#[derive(Debug, Clone)]
pub struct Downloaded {
    /// HTTP status of the final response.
    pub status: u16,
    /// Its headers.
    pub headers: HeaderMap,
    /// Where the file went.
    pub path: Resolved,
    /// The filePath argument as given, when the platform honoured it.
    pub file_path_arg: Option<String>,
    /// Bytes written.
    pub size: u64,
    /// Timings and counters for `profile`.
    pub profile: Profile,
}

/// Timings of a transfer in milliseconds since the Unix epoch (0 when a step did not happen).
#[derive(Debug, Clone, Default)]
pub struct Profile {
    /// The call arrived.
    pub invoke_start: u64,
    /// Queueing for a transfer slot began.
    pub queue_start: u64,
    /// Queueing ended.
    pub queue_end: u64,
    /// The transfer began.
    pub fetch_start: u64,
    /// DNS lookup began.
    pub dns_start: u64,
    /// DNS lookup ended.
    pub dns_end: u64,
    /// TCP connect began.
    pub connect_start: u64,
    /// Connected (TLS included).
    pub connect_end: u64,
    /// TLS handshake began (0 without TLS).
    pub ssl_start: u64,
    /// TLS handshake ended (0 without TLS).
    pub ssl_end: u64,
    /// The request was sent.
    pub request_start: u64,
    /// The response head arrived.
    pub response_start: u64,
    /// The body ended.
    pub response_end: u64,
    /// Redirects followed.
    pub redirects: u32,
    /// Port of the final request.
    pub port: u16,
    /// Bytes received in the body.
    pub received: u64,
}

/// A platform's downloadFile behaviour.
pub trait DownloadPlatform: Send + Sync {
    /// Name in the candidate protocol.
    fn name(&self) -> &'static str;
    /// URL schemes allowed in this build.
    fn schemes(&self, env: &CallEnv) -> Vec<String> {
        if env.release {
            vec!["https".into()]
        } else {
            vec!["https".into(), "http".into()]
        }
    }
    /// Largest body accepted on this base library.
    fn max_body(&self, _env: &CallEnv) -> Option<u64> {
        None
    }
    /// Redirects followed at most.
    fn max_redirects(&self) -> u32 {
        20
    }
    /// The timeout of a call with these arguments.
    fn timeout(&self, env: &CallEnv, args: &Map<String, Value>) -> Option<Duration>;
    /// Whether the `filePath` argument exists on this base library.
    fn accepts_file_path(&self, env: &CallEnv) -> bool;
    /// Whether `filePath` may point into this folder.
    fn writable(&self, _area: Area) -> bool {
        true
    }
    /// What a host event does to a running transfer.
    fn on_host_event(&self, event: HostEvent) -> Reaction;
    /// Whether progress events are sent.
    fn sends_progress(&self, _env: &CallEnv) -> bool {
        true
    }
    /// Whether headersReceived events are sent.
    fn sends_headers_received(&self, env: &CallEnv) -> bool;
    /// Whether the call asks for HTTP/2 (`enableHttp2`) on a base library that has it.
    fn http2(&self, _env: &CallEnv, _args: &Map<String, Value>) -> bool {
        false
    }
    /// Whether a response without Content-Length fails the call.
    fn requires_length(&self, _env: &CallEnv) -> bool {
        false
    }
    /// Whether an empty body fails the call.
    fn empty_body_fails(&self) -> bool {
        false
    }
    /// Request headers the caller cannot set (lower case).
    fn forbidden_headers(&self) -> &'static [&'static str] {
        &["referer"]
    }
    /// The headers the platform itself adds (User-Agent, Referer).
    fn own_headers(&self, env: &CallEnv) -> Vec<(&'static str, String)>;
    /// The success object.
    fn success(&self, env: &CallEnv, args: &Map<String, Value>, done: &Downloaded) -> Value;
    /// The fail object.
    fn fail(&self, env: &CallEnv, err: &TransferError) -> Value;
    /// A progress event's data.
    fn progress(&self, p: Progress) -> Value {
        json!({"progress": p.percent, "totalBytesWritten": p.done, "totalBytesExpectedToWrite": p.expected})
    }
}

/// The platform named `name`, if downloadFile is implemented for it.
pub fn download_platform(name: &str) -> Option<&'static dyn DownloadPlatform> {
    match name {
        "douyin" => Some(&douyin::Douyin),
        "feishu-gadget" => Some(&feishu_gadget::FeishuGadget),
        "wechat" => Some(&wechat::Wechat),
        "alipay" => Some(&alipay::Alipay),
        "baidu" => Some(&baidu::Baidu),
        _ => None,
    }
}

/// Most transfers in flight per platform; the rest queue.
pub fn max_concurrency(platform: &str) -> Option<usize> {
    match platform {
        "feishu-gadget" => Some(5),
        "wechat" => Some(10),
        _ => None,
    }
}

/// Response headers as the callbacks hand them: an object of name to value, names in the
/// canonical case servers send, repeated headers joined with ", ".
pub fn header_object(headers: &HeaderMap) -> Value {
    let mut out = Map::new();
    for name in headers.keys() {
        let values: Vec<String> = headers
            .get_all(name)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect();
        out.insert(
            canonical_case(name.as_str()),
            Value::String(values.join(", ")),
        );
    }
    Value::Object(out)
}

/// `content-type` -> `Content-Type`.
pub fn canonical_case(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut c = part.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + &c.as_str().to_ascii_lowercase(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// The `timeout` argument in milliseconds when it is a positive number, else `default_ms`.
pub fn timeout_arg(args: &Map<String, Value>, default_ms: Option<u64>) -> Option<Duration> {
    let given = args
        .get("timeout")
        .and_then(Value::as_f64)
        .filter(|t| *t > 0.0 && t.is_finite());
    match given {
        Some(t) => Some(Duration::from_millis(t as u64)),
        None => default_ms.map(Duration::from_millis),
    }
}

/// Whether `env.sdkVersion` is at least `min`.
pub fn since(env: &CallEnv, min: &str) -> bool {
    version::at_least(&env.sdk_version, min)
}

/// A mobile system user agent for the OS of the call.
pub fn system_ua(os: Os) -> &'static str {
    match os {
        Os::Ios => {
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148"
        }
        Os::Pc => {
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
        }
        Os::Android | Os::Any => {
            "Mozilla/5.0 (Linux; Android 13; dlconform) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/120.0.0.0 Mobile Safari/537.36"
        }
    }
}

/// `<api>:fail <detail>`.
pub fn fail_msg(api: &str, detail: &str) -> String {
    format!("{api}:fail {detail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names_are_canonical() {
        assert_eq!(canonical_case("content-type"), "Content-Type");
        assert_eq!(canonical_case("x-dlconform-echo"), "X-Dlconform-Echo");
        let mut h = HeaderMap::new();
        h.append("set-cookie", "a=1".parse().unwrap());
        h.append("set-cookie", "b=2".parse().unwrap());
        assert_eq!(header_object(&h), json!({"Set-Cookie": "a=1, b=2"}));
    }

    #[test]
    fn timeout_argument_or_default() {
        let mut args = Map::new();
        assert_eq!(
            timeout_arg(&args, Some(60000)),
            Some(Duration::from_secs(60))
        );
        assert_eq!(timeout_arg(&args, None), None);
        args.insert("timeout".into(), json!(1500));
        assert_eq!(
            timeout_arg(&args, Some(60000)),
            Some(Duration::from_millis(1500))
        );
        args.insert("timeout".into(), json!(-1));
        assert_eq!(timeout_arg(&args, None), None);
    }
}
