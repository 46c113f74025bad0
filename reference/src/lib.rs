//! The reference candidate: each platform's documented behaviour, implemented in Rust and
//! reached in-process through protocol v1 messages on tokio channels.
//!
//! Layout: [`transport`] (the transfer engine), [`sandbox`] (platform paths on disk),
//! [`platform`] (per-platform shapes and codes), [`download`] / [`upload`] /
//! [`feishu_openapi`] (the API flows), [`control`] (abort, host events, emitted events),
//! [`mangle`] (what the payload mutants do to emitted data).

pub mod control;
pub mod defect;
pub mod disposition;
pub mod download;
pub mod feishu_openapi;
pub mod mangle;
pub mod multipart;
pub mod mutants;
pub mod platform;
pub mod sandbox;
pub mod transport;
pub mod upload;
pub mod version;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::{Map, Value};
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;

use self::control::{Emitter, Listeners, Signal, Signals};
pub use self::defect::Defect;
use self::transport::tls::TlsConfigs;
use dlconform_protocol::{
    CallEnv, CallMessage, CandidateHello, FromCandidate, PROTOCOL_VERSION, ToCandidate,
};

/// Platforms the reference implements.
pub const PLATFORMS: [&str; 6] = [
    "feishu-gadget",
    "douyin",
    "wechat",
    "alipay",
    "baidu",
    "feishu-openapi",
];
/// APIs the reference implements.
pub const APIS: [&str; 3] = ["downloadFile", "uploadFile", "im.v1.file.get"];

/// The reference candidate.
#[derive(Debug, Default)]
pub struct Reference {
    shared: Arc<Shared>,
}

/// Transfer slots are per app (`env.app`, `None` for calls without one) and platform.
type SlotKey = (Option<String>, &'static str);

/// State shared by the calls of one candidate: TLS configurations and transfer slots.
#[derive(Debug, Default)]
pub struct Shared {
    /// TLS client configurations by CA.
    pub tls: TlsConfigs,
    /// The seeded defect ([`Defect::None`] for the reference).
    pub defect: Defect,
    slots: Mutex<HashMap<SlotKey, Arc<Semaphore>>>,
}

impl Shared {
    /// The transfer slots of a platform with a concurrency limit, per app (`env.app`): calls
    /// without an app share the platform's one queue.
    pub fn slot(&self, app: Option<&str>, platform: &'static str) -> Option<Arc<Semaphore>> {
        if self.defect == Defect::NoConcurrencyLimit {
            return None;
        }
        let limit = platform::max_concurrency(platform)?;
        let mut slots = self.slots.lock().ok()?;
        Some(
            slots
                .entry((app.map(str::to_string), platform))
                .or_insert_with(|| Arc::new(Semaphore::new(limit)))
                .clone(),
        )
    }
}

/// Everything one call needs.
pub struct CallCtx {
    /// Environment from the call message.
    pub env: CallEnv,
    /// Arguments (an object; anything else counts as no arguments).
    pub args: Map<String, Value>,
    /// Where events go.
    pub emitter: Emitter,
    /// Abort and host events.
    pub signals: Signals,
    /// Shared state.
    pub shared: Arc<Shared>,
}

impl Reference {
    /// A reference candidate with no seeded defect.
    pub fn new() -> Self {
        Reference::default()
    }

    /// The reference with one seeded defect (a mutant).
    pub fn with_defect(defect: Defect) -> Self {
        Reference {
            shared: Arc::new(Shared {
                defect,
                ..Shared::default()
            }),
        }
    }

    /// The hello the reference answers with; a mutant names itself, so that its results are
    /// a column of their own when merged with the reference's.
    pub fn hello(&self) -> CandidateHello {
        let name = mutants::of_defect(self.shared.defect)
            .map_or_else(|| "reference".to_string(), |m| format!("mutant:{}", m.name));
        CandidateHello {
            protocol: PROTOCOL_VERSION,
            name,
            version: env!("CARGO_PKG_VERSION").into(),
            platforms: PLATFORMS.iter().map(|s| s.to_string()).collect(),
            apis: APIS.iter().map(|s| s.to_string()).collect(),
            lacks: Vec::new(),
            library: None,
            runtime: None,
            // Each `env.app` is an app of its own, as each mini-program on a device is.
            features: vec![dlconform_protocol::FEATURE_APPS.to_string()],
        }
    }

    /// Serve protocol v1: read messages from `rx` until Shutdown or channel close, write replies to `tx`.
    pub async fn serve(self, mut rx: mpsc::Receiver<ToCandidate>, tx: mpsc::Sender<FromCandidate>) {
        let mut calls: HashMap<String, Running> = HashMap::new();
        let mut tasks: JoinSet<String> = JoinSet::new();
        loop {
            let msg = tokio::select! {
                biased;
                Some(done) = tasks.join_next(), if !tasks.is_empty() => {
                    if let Ok(call) = done {
                        calls.remove(&call);
                    }
                    continue;
                }
                msg = rx.recv() => msg,
            };
            match msg {
                None | Some(ToCandidate::Shutdown) => break,
                Some(ToCandidate::Hello { .. }) => {
                    let _ = tx.send(FromCandidate::Hello(self.hello())).await;
                }
                Some(ToCandidate::Call(call)) => {
                    let (signal_tx, signals) = Signals::channel();
                    let listeners = Arc::new(Listeners::default());
                    let id = call.call.clone();
                    let running = Running {
                        signals: signal_tx,
                        listeners: listeners.clone(),
                    };
                    if calls.insert(id.clone(), running).is_some() {
                        tracing::warn!(call = %id, "call id reused while the first call runs");
                    }
                    let shared = self.shared.clone();
                    let tx = tx.clone();
                    tasks.spawn(async move {
                        dispatch(call, signals, listeners, shared, tx).await;
                        id
                    });
                }
                Some(ToCandidate::Abort { call }) => {
                    if self.shared.defect == Defect::AbortIgnored {
                        continue;
                    }
                    if self.shared.defect == Defect::AbortThrows && calls.contains_key(&call) {
                        // The abort still takes effect: only the throw tells this mutant apart.
                        let threw = FromCandidate::Threw {
                            call: call.clone(),
                            method: "abort".into(),
                            message: "TypeError: cannot read properties of undefined".into(),
                        };
                        let _ = tx.send(threw).await;
                    }
                    if let Some(running) = calls.get(&call) {
                        let _ = running.signals.send(Signal::Abort);
                    }
                }
                Some(ToCandidate::Inject { call, event }) => {
                    if let Some(running) = calls.get(&call) {
                        let _ = running.signals.send(Signal::Host(event));
                    }
                }
                // With or without a listener named (`all`): the call has one listener per event.
                // Taken at once, not through the call's signals, so no event queued after this
                // message reaches a listener that is gone.
                Some(ToCandidate::Off { call, event, .. }) => {
                    if let Some(running) = calls.get(&call) {
                        running.listeners.remove(event);
                    }
                }
            }
        }
        // Calls still running end here; their partial files go with them.
        tasks.abort_all();
        while tasks.join_next().await.is_some() {}
    }
}

/// What the dispatcher keeps of a running call.
struct Running {
    /// Its abort and host events.
    signals: mpsc::UnboundedSender<Signal>,
    /// Its task listeners.
    listeners: Arc<Listeners>,
}

/// Route a call to the flow of its platform and API.
async fn dispatch(
    call: CallMessage,
    signals: Signals,
    listeners: Arc<Listeners>,
    shared: Arc<Shared>,
    tx: mpsc::Sender<FromCandidate>,
) {
    let emitter = Emitter::new(call.call.clone(), tx)
        .with_defect(shared.defect)
        .with_listeners(listeners);
    emitter.started().await;
    let args = match call.args {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    let ctx = CallCtx {
        env: call.env,
        args,
        emitter,
        signals,
        shared,
    };
    match (call.platform.as_str(), call.api.as_str()) {
        ("feishu-openapi", "im.v1.file.get") => feishu_openapi::run(ctx).await,
        ("baidu", "uploadFile") => upload::run(ctx).await,
        (name, "downloadFile") if name != "feishu-openapi" => {
            match platform::download_platform(name) {
                Some(p) => download::run(ctx, p).await,
                None => {
                    ctx.emitter
                        .unsupported(format!("platform {name} is not implemented"))
                        .await
                }
            }
        }
        (name, api) => {
            ctx.emitter
                .unsupported(format!("{api} is not implemented for platform {name}"))
                .await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_app_has_slots_of_its_own_and_calls_without_one_share_the_platforms() {
        let shared = Shared::default();
        let slot = |app| shared.slot(app, "wechat").expect("wechat has a limit");
        assert!(Arc::ptr_eq(&slot(Some("a")), &slot(Some("a"))));
        assert!(!Arc::ptr_eq(&slot(Some("a")), &slot(Some("b"))));
        assert!(!Arc::ptr_eq(&slot(Some("a")), &slot(None)));
        assert!(Arc::ptr_eq(&slot(None), &slot(None)));
        assert!(shared.slot(Some("a"), "douyin").is_none());
    }
}
