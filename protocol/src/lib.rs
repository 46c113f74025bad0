//! Candidate protocol version 1: the messages, exactly as `harness/PROTOCOL.md` describes them.
//!
//! Both directions are newline-delimited JSON objects with a `type` field.

pub mod number;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use schemars::JsonSchema;

/// The protocol version this harness speaks.
pub const PROTOCOL_VERSION: u32 = 1;

impl ToCandidate {
    /// The harness's hello with nothing but the protocol version.
    pub fn hello() -> ToCandidate {
        ToCandidate::Hello {
            protocol: PROTOCOL_VERSION,
            ca_cert: None,
            origins: None,
            features: None,
        }
    }
}

/// What this harness accepts beyond the core messages, as its hello's `features` lists it:
/// a candidate sends `started`, `log` or `threw` only to a harness that names them.
pub const HARNESS_FEATURES: [&str; 3] = ["started", "log", "threw"];

/// The candidate feature `apps`: the candidate keeps each `env.app` a separate app, whose calls
/// share no transfer queue (concurrency limit) with another app's.
pub const FEATURE_APPS: &str = "apps";

/// A message from the harness to a candidate.
// A few messages per call: boxing the large `Call` would only complicate every match on it.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum ToCandidate {
    /// First message; the candidate answers with its own hello.
    Hello {
        /// Protocol version.
        protocol: u32,
        /// Path of the test CA certificate (PEM), fixed for the whole run.
        #[serde(default, rename = "caCert", skip_serializing_if = "Option::is_none")]
        ca_cert: Option<String>,
        /// The mock server's origins by listener (`http`, `https`, `self-signed`...), fixed for the run.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        origins: Option<BTreeMap<String, String>>,
        /// Optional candidate messages this harness understands ([`HARNESS_FEATURES`]).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        features: Option<Vec<String>>,
    },
    /// Start one API call.
    Call(CallMessage),
    /// The task's `abort()`.
    Abort {
        /// Call id.
        call: String,
    },
    /// A host event during a call.
    Inject {
        /// Call id.
        call: String,
        /// The event.
        event: HostEvent,
    },
    /// The task's `offProgressUpdate` / `offHeadersReceived`: remove the listener the candidate
    /// registered for `event` (with no argument when `all`: every listener of the event).
    Off {
        /// Call id.
        call: String,
        /// Whose listener goes.
        event: TaskEvent,
        /// Call the method without an argument (Douyin: that removes every listener).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        all: bool,
    },
    /// Finish: the candidate exits after this.
    Shutdown,
}

/// Start one API call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallMessage {
    /// Call id, unique within the run.
    pub call: String,
    /// Full case id (`<platform>/<id>`).
    pub case: String,
    /// Platform name (`douyin`, `wechat`, `alipay`...).
    pub platform: String,
    /// API name (`downloadFile`, `uploadFile`, `im.v1.file.get`).
    pub api: String,
    /// Environment of the call.
    pub env: CallEnv,
    /// Arguments as the API takes them, callbacks left out.
    pub args: serde_json::Value,
    /// How long the harness listens to this call at least, in milliseconds after this message:
    /// the case's deadline or its watch window, whichever is longer (both counted from the
    /// call's start, so the harness may listen a little longer). A runtime that closes something
    /// per call (a browser page) keeps it open that long, so a callback the library fires late
    /// is still seen. Optional within version 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub watch_ms: Option<u64>,
}

/// Environment of one call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallEnv {
    /// Base-library version.
    pub sdk_version: String,
    /// Operating system.
    pub os: Os,
    /// Release build (only HTTPS, domain list enforced) or debug build.
    pub release: bool,
    /// Allowed domains (host or host:port); `null` means the check is off.
    pub domains: Option<Vec<String>>,
    /// Folders behind the platform's paths.
    pub fs: FsEnv,
    /// Path of the test CA certificate (PEM) to trust.
    pub ca_cert: String,
    /// The app the call belongs to, sent to a candidate whose hello lists `apps`: one per case,
    /// so that cases running side by side do not queue behind one another's transfers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app: Option<String>,
}

/// Folders behind the platform's temp and user paths.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FsEnv {
    /// Absolute folder behind the temp prefix.
    pub temp: String,
    /// Absolute folder behind the user prefix.
    pub user: String,
    /// The platform's temp prefix, e.g. `ttfile://temp/`.
    pub temp_prefix: String,
    /// The platform's user prefix, e.g. `ttfile://user/`.
    pub user_prefix: String,
    /// Quota of the user folder in bytes; `null`: unlimited.
    pub user_quota_bytes: Option<u64>,
}

/// A message from a candidate to the harness.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum FromCandidate {
    /// Answer to the harness's hello.
    Hello(CandidateHello),
    /// The moment the API was really invoked for a call (optional, at most once, before its events).
    Started {
        /// Call id.
        call: String,
    },
    /// A callback or task event of a call.
    Event {
        /// Call id.
        call: String,
        /// Which callback or event.
        event: EventKind,
        /// Exactly what the API hands the callback.
        #[serde(default)]
        data: serde_json::Value,
    },
    /// The candidate does not support this platform or API.
    Unsupported {
        /// Call id.
        call: String,
        /// Why.
        reason: String,
    },
    /// The candidate could not invoke the API at all.
    Error {
        /// Call id.
        call: String,
        /// What went wrong.
        message: String,
    },
    /// A log line of one call, or of the run when `call` is absent.
    Log {
        /// Call id; absent: the line belongs to the run.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        call: Option<String>,
        /// The line.
        message: String,
    },
    /// A task method threw when the adapter called it; the call goes on.
    Threw {
        /// Call id.
        call: String,
        /// The task method (`abort`, `onProgressUpdate`...).
        method: String,
        /// What it threw.
        message: String,
    },
}

/// The candidate's hello.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CandidateHello {
    /// Protocol version it speaks.
    pub protocol: u32,
    /// Its name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// Platforms it implements.
    #[serde(default)]
    pub platforms: Vec<String>,
    /// APIs it implements.
    #[serde(default)]
    pub apis: Vec<String>,
    /// Platform capabilities its runtime lacks, by name ([`Capability`]); checked at hello.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lacks: Vec<String>,
    /// The implementation under test (a library and its version).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub library: Option<Component>,
    /// What it runs in (a browser, node, python) and its version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime: Option<Component>,
    /// What it does beyond the core messages ([`FEATURE_APPS`]); unknown names are ignored.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<String>,
}

impl CandidateHello {
    /// Whether the hello lists this feature.
    pub fn has_feature(&self, name: &str) -> bool {
        self.features.iter().any(|f| f == name)
    }
}

/// A named, versioned piece of software (the library under test, its runtime).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Component {
    /// Its name, e.g. `@tarojs/taro-h5` or `chromium`.
    pub name: String,
    /// Its version.
    #[serde(default)]
    pub version: String,
}

/// A platform capability a runtime may lack (the `lacks` vocabulary of the candidate's hello).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Capability {
    /// Writing a file to a platform path (a browser hands back a `blob:` URL instead).
    Files,
    /// Enforcing the configured domain list.
    DomainList,
    /// Gating behaviour by base-library version.
    SdkVersion,
    /// Receiving host events (offline, network change, background): all three.
    HostEvents,
    /// Receiving the `offline` host event (one event of [`Capability::HostEvents`]).
    HostEventOffline,
    /// Receiving the `network-change` host event.
    HostEventNetworkChange,
    /// Receiving the `background` host event.
    HostEventBackground,
    /// The task's `offProgressUpdate` (removing a progress listener).
    OffProgressUpdate,
    /// The task's `offHeadersReceived` (removing a headersReceived listener).
    OffHeadersReceived,
}

impl Capability {
    /// Every capability, in the order documents list them.
    pub const ALL: [Capability; 9] = [
        Capability::Files,
        Capability::DomainList,
        Capability::SdkVersion,
        Capability::HostEvents,
        Capability::HostEventOffline,
        Capability::HostEventNetworkChange,
        Capability::HostEventBackground,
        Capability::OffProgressUpdate,
        Capability::OffHeadersReceived,
    ];

    /// The capability of removing a listener of `event` (`off-progress-update`...).
    pub fn off(event: TaskEvent) -> Capability {
        match event {
            TaskEvent::Progress => Capability::OffProgressUpdate,
            TaskEvent::HeadersReceived => Capability::OffHeadersReceived,
        }
    }

    /// Whether a runtime lacking this capability cannot receive the host event `event`:
    /// `host-events` covers every event, `host-event-<event>` that one.
    pub fn covers_host_event(self, event: HostEvent) -> bool {
        matches!(
            (self, event),
            (Capability::HostEvents, _)
                | (Capability::HostEventOffline, HostEvent::Offline)
                | (Capability::HostEventNetworkChange, HostEvent::NetworkChange)
                | (Capability::HostEventBackground, HostEvent::Background)
        )
    }

    /// Its name in `lacks`.
    pub fn name(self) -> &'static str {
        match self {
            Capability::Files => "files",
            Capability::DomainList => "domain-list",
            Capability::SdkVersion => "sdk-version",
            Capability::HostEvents => "host-events",
            Capability::HostEventOffline => "host-event-offline",
            Capability::HostEventNetworkChange => "host-event-network-change",
            Capability::HostEventBackground => "host-event-background",
            Capability::OffProgressUpdate => "off-progress-update",
            Capability::OffHeadersReceived => "off-headers-received",
        }
    }

    /// The capability called `name`, if the vocabulary has it.
    pub fn from_name(name: &str) -> Option<Capability> {
        Capability::ALL.into_iter().find(|c| c.name() == name)
    }

    /// Parse a hello's `lacks`; the error names the first unknown entry and the known ones.
    pub fn parse_all(names: &[String]) -> Result<Vec<Capability>, String> {
        let mut out = Vec::new();
        for name in names {
            let Some(capability) = Capability::from_name(name) else {
                let known: Vec<&str> = Capability::ALL.iter().map(|c| c.name()).collect();
                return Err(format!(
                    "unknown capability `{name}` in lacks; known: {}",
                    known.join(", ")
                ));
            };
            if !out.contains(&capability) {
                out.push(capability);
            }
        }
        out.sort();
        Ok(out)
    }
}

/// Callbacks and task events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum EventKind {
    /// onProgressUpdate.
    Progress,
    /// onHeadersReceived.
    HeadersReceived,
    /// success callback.
    Success,
    /// fail callback.
    Fail,
    /// complete callback; the call ends here.
    Complete,
}

/// A task event whose listener can be removed (the `off` message).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum TaskEvent {
    /// `onProgressUpdate` / `offProgressUpdate`.
    Progress,
    /// `onHeadersReceived` / `offHeadersReceived`.
    HeadersReceived,
}

impl TaskEvent {
    /// Its name in the protocol (`progress`, `headersReceived`).
    pub fn name(self) -> &'static str {
        match self {
            TaskEvent::Progress => "progress",
            TaskEvent::HeadersReceived => "headersReceived",
        }
    }

    /// The event kind its listener receives.
    pub fn event_kind(self) -> EventKind {
        match self {
            TaskEvent::Progress => EventKind::Progress,
            TaskEvent::HeadersReceived => EventKind::HeadersReceived,
        }
    }

    /// The task method that adds its listener.
    pub fn on_method(self) -> &'static str {
        match self {
            TaskEvent::Progress => "onProgressUpdate",
            TaskEvent::HeadersReceived => "onHeadersReceived",
        }
    }

    /// The task method that removes its listener.
    pub fn off_method(self) -> &'static str {
        match self {
            TaskEvent::Progress => "offProgressUpdate",
            TaskEvent::HeadersReceived => "offHeadersReceived",
        }
    }
}

/// Operating system of the host app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Os {
    /// Any (the default in error tables: not OS specific).
    #[default]
    Any,
    /// Android.
    Android,
    /// iOS.
    Ios,
    /// Desktop client.
    Pc,
}

/// A host event injected into the candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum HostEvent {
    /// The device goes offline.
    Offline,
    /// The network changes (Wi-Fi to cellular).
    NetworkChange,
    /// The app goes to the background.
    Background,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> FromCandidate {
        serde_json::from_str(line).unwrap_or_else(|err| panic!("{line}: {err}"))
    }

    #[test]
    fn log_and_threw_read_as_documented() {
        assert_eq!(
            parse(r#"{"type":"log","call":"c1","message":"GET 200"}"#),
            FromCandidate::Log {
                call: Some("c1".into()),
                message: "GET 200".into()
            }
        );
        assert_eq!(
            parse(r#"{"type":"log","message":"browser started"}"#),
            FromCandidate::Log {
                call: None,
                message: "browser started".into()
            }
        );
        assert_eq!(
            parse(r#"{"type":"threw","call":"c1","method":"abort","message":"TypeError"}"#),
            FromCandidate::Threw {
                call: "c1".into(),
                method: "abort".into(),
                message: "TypeError".into()
            }
        );
    }

    #[test]
    fn a_call_carries_watch_ms_only_when_set() {
        let call = r#"{"type":"call","call":"c1","case":"wechat/x","platform":"wechat",
            "api":"downloadFile","args":{},
            "env":{"sdkVersion":"2.10.0","os":"android","release":true,"domains":null,
                   "caCert":"/ca.pem","fs":{"temp":"/t","user":"/u","tempPrefix":"wxfile://tmp/",
                   "userPrefix":"wxfile://usr/","userQuotaBytes":null}}}"#;
        // A harness that sends no watch window: the field is absent, not null.
        let ToCandidate::Call(mut message) = serde_json::from_str(call).expect("a call") else {
            panic!("not a call");
        };
        assert_eq!(message.watch_ms, None);
        assert!(!serde_json::to_string(&message).is_ok_and(|s| s.contains("watch")));
        message.watch_ms = Some(30_000);
        let json = serde_json::to_value(&message).expect("serialises");
        assert_eq!(json["watchMs"], 30_000);
    }

    #[test]
    fn hello_carries_lacks_library_and_runtime_or_none() {
        let hello = parse(
            r#"{"type":"hello","protocol":1,"name":"taro-h5","version":"0.1.0",
                "lacks":["files","host-events"],
                "library":{"name":"@tarojs/taro-h5","version":"4.2.1"},
                "runtime":{"name":"chromium","version":"131.0"}}"#,
        );
        let FromCandidate::Hello(hello) = hello else {
            panic!("not a hello: {hello:?}");
        };
        assert_eq!(hello.lacks, vec!["files", "host-events"]);
        assert_eq!(
            hello.library,
            Some(Component {
                name: "@tarojs/taro-h5".into(),
                version: "4.2.1".into()
            })
        );
        assert_eq!(hello.runtime.map(|r| r.name), Some("chromium".into()));
        let FromCandidate::Hello(plain) =
            parse(r#"{"type":"hello","protocol":1,"name":"x","version":"1"}"#)
        else {
            panic!("not a hello");
        };
        assert!(plain.lacks.is_empty() && plain.library.is_none() && plain.runtime.is_none());
    }

    #[test]
    fn capabilities_parse_by_name_and_refuse_unknown_ones() {
        let names = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            Capability::parse_all(&names(&["host-events", "files", "files"])),
            Ok(vec![Capability::Files, Capability::HostEvents])
        );
        assert_eq!(
            Capability::parse_all(&names(&["files", "teleport"])),
            Err(
                "unknown capability `teleport` in lacks; known: files, domain-list, sdk-version, \
                 host-events, host-event-offline, host-event-network-change, \
                 host-event-background, off-progress-update, off-headers-received"
                    .to_string()
            )
        );
        assert_eq!(
            Capability::parse_all(&names(&[
                "host-event-background",
                "host-event-network-change"
            ])),
            Ok(vec![
                Capability::HostEventNetworkChange,
                Capability::HostEventBackground
            ])
        );
        assert!(Capability::HostEvents.covers_host_event(HostEvent::Background));
        assert!(Capability::HostEventBackground.covers_host_event(HostEvent::Background));
        assert!(!Capability::HostEventBackground.covers_host_event(HostEvent::Offline));
        assert!(!Capability::Files.covers_host_event(HostEvent::Offline));
        for capability in Capability::ALL {
            let json = serde_json::to_value(capability).ok();
            assert_eq!(json, Some(serde_json::Value::from(capability.name())));
        }
    }

    #[test]
    fn off_reads_and_writes_as_documented() {
        let off = ToCandidate::Off {
            call: "c1".into(),
            event: TaskEvent::Progress,
            all: false,
        };
        assert_eq!(
            serde_json::to_value(&off).ok(),
            Some(serde_json::json!({"type":"off","call":"c1","event":"progress"}))
        );
        let all = ToCandidate::Off {
            call: "c1".into(),
            event: TaskEvent::HeadersReceived,
            all: true,
        };
        assert_eq!(
            serde_json::to_value(&all).ok(),
            Some(
                serde_json::json!({"type":"off","call":"c1","event":"headersReceived","all":true})
            )
        );
        assert_eq!(
            Capability::off(TaskEvent::HeadersReceived).name(),
            "off-headers-received"
        );
        assert_eq!(TaskEvent::Progress.off_method(), "offProgressUpdate");
    }

    #[test]
    fn harness_hello_names_its_features() {
        let hello = ToCandidate::Hello {
            protocol: PROTOCOL_VERSION,
            ca_cert: None,
            origins: None,
            features: Some(HARNESS_FEATURES.iter().map(|f| f.to_string()).collect()),
        };
        let json = serde_json::to_value(&hello).ok();
        assert_eq!(
            json,
            Some(
                serde_json::json!({"type":"hello","protocol":1,"features":["started","log","threw"]})
            )
        );
        // The bare hello stays as it was.
        assert_eq!(
            serde_json::to_value(ToCandidate::hello()).ok(),
            Some(serde_json::json!({"type":"hello","protocol":1}))
        );
    }
}
