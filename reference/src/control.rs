//! What reaches a running call from outside: the task's `abort()` and host events, and the
//! events the call sends back.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::Defect;
use super::transport::TransferError;
use dlconform_protocol::HostEvent;
use dlconform_protocol::{EventKind, FromCandidate, TaskEvent};

/// A signal for a running call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// The task's `abort()`.
    Abort,
    /// A host event.
    Host(HostEvent),
}

/// How a platform reacts to a host event during a transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reaction {
    /// The transfer fails at once.
    FailNow,
    /// The transfer fails if still running after this long.
    FailAfter(Duration),
    /// The transfer goes on.
    Ignore,
}

/// The receiving end of a call's signals.
#[derive(Debug)]
pub struct Signals {
    rx: mpsc::UnboundedReceiver<Signal>,
    closed: bool,
    pending: Option<(Instant, HostEvent)>,
}

impl Signals {
    /// A signal pair: the sender goes to the dispatcher, the receiver to the call.
    pub fn channel() -> (mpsc::UnboundedSender<Signal>, Signals) {
        let (tx, rx) = mpsc::unbounded_channel();
        (
            tx,
            Signals {
                rx,
                closed: false,
                pending: None,
            },
        )
    }

    /// Wait until a signal ends the transfer, and say how (never returns otherwise).
    pub async fn interrupted(&mut self, react: impl Fn(HostEvent) -> Reaction) -> TransferError {
        loop {
            let deadline = self.pending.map(|(at, _)| at);
            tokio::select! {
                sig = self.rx.recv(), if !self.closed => match sig {
                    Some(Signal::Abort) => return TransferError::Aborted,
                    Some(Signal::Host(event)) => match react(event) {
                        Reaction::FailNow => return TransferError::Host { event },
                        Reaction::FailAfter(grace) => {
                            if self.pending.is_none() {
                                self.pending = Some((Instant::now() + grace, event));
                            }
                        }
                        Reaction::Ignore => {}
                    },
                    None => self.closed = true,
                },
                _ = sleep_until_opt(deadline) => {
                    if let Some((_, event)) = self.pending.take() {
                        return TransferError::Host { event };
                    }
                }
            }
        }
    }

    /// Wait at most `within` for an `abort()`; whether one came. Host events are dropped: only
    /// a mutant listens on a call that has ended.
    pub async fn abort_within(&mut self, within: Duration) -> bool {
        let wait = async {
            while !self.closed {
                match self.rx.recv().await {
                    Some(Signal::Abort) => return true,
                    Some(Signal::Host(_)) => {}
                    None => self.closed = true,
                }
            }
            false
        };
        tokio::time::timeout(within, wait).await.unwrap_or(false)
    }
}

/// How long the `LateAbortFires` mutant keeps listening on a call that has ended: the harness
/// sends its abort as soon as `complete` arrives.
pub const LATE_ABORT_LISTEN: Duration = Duration::from_secs(5);

async fn sleep_until_opt(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// Which of a call's task listeners are still registered: the dispatcher removes one on an
/// `off` message, the call's emitter stops sending what it would have received.
#[derive(Debug, Default)]
pub struct Listeners {
    progress_off: AtomicBool,
    headers_off: AtomicBool,
}

impl Listeners {
    /// The task's `off<Event>`: its listener is gone from now on.
    pub fn remove(&self, event: TaskEvent) {
        self.flag(event).store(true, Ordering::SeqCst);
    }

    /// Whether the listener of `event` was removed.
    pub fn removed(&self, event: TaskEvent) -> bool {
        self.flag(event).load(Ordering::SeqCst)
    }

    fn flag(&self, event: TaskEvent) -> &AtomicBool {
        match event {
            TaskEvent::Progress => &self.progress_off,
            TaskEvent::HeadersReceived => &self.headers_off,
        }
    }
}

/// Sends a call's events to the harness.
#[derive(Debug, Clone)]
pub struct Emitter {
    call: String,
    tx: mpsc::Sender<FromCandidate>,
    defect: Defect,
    listeners: Arc<Listeners>,
}

impl Emitter {
    /// Events of call `call` go to `tx`.
    pub fn new(call: String, tx: mpsc::Sender<FromCandidate>) -> Emitter {
        Emitter {
            call,
            tx,
            defect: Defect::None,
            listeners: Arc::default(),
        }
    }

    /// The same emitter, whose task listeners are `listeners` (shared with the dispatcher).
    pub fn with_listeners(mut self, listeners: Arc<Listeners>) -> Emitter {
        self.listeners = listeners;
        self
    }

    /// The same emitter with a seeded defect.
    pub fn with_defect(mut self, defect: Defect) -> Emitter {
        self.defect = defect;
        self
    }

    /// Mark the moment the API is really invoked (protocol v1 `started`).
    pub async fn started(&self) {
        let _ = self
            .tx
            .send(FromCandidate::Started {
                call: self.call.clone(),
            })
            .await;
    }

    /// Send one event (as a payload defect makes it); a closed channel means nobody listens any
    /// more, which is not an error here.
    pub async fn event(&self, event: EventKind, mut data: Value) {
        if event == EventKind::Progress && self.defect == Defect::NoProgress {
            return;
        }
        if self.listener_removed(event) {
            return;
        }
        super::mangle::apply(self.defect, event, &mut data);
        self.send(event, data).await;
    }

    /// Whether the listener `event` would go to was removed (`off`), as a defect may ignore.
    fn listener_removed(&self, event: EventKind) -> bool {
        match event {
            EventKind::Progress => {
                self.listeners.removed(TaskEvent::Progress)
                    && self.defect != Defect::ProgressAfterOff
            }
            EventKind::HeadersReceived => {
                self.listeners.removed(TaskEvent::HeadersReceived)
                    && self.defect != Defect::HeadersAfterOff
            }
            EventKind::Success | EventKind::Fail | EventKind::Complete => false,
        }
    }

    async fn send(&self, event: EventKind, data: Value) {
        let _ = self
            .tx
            .send(FromCandidate::Event {
                call: self.call.clone(),
                event,
                data,
            })
            .await;
    }

    /// Send `success` or `fail`, then `complete` with the same object, as the platforms do.
    pub async fn finish(&self, result: Result<Value, Value>) {
        let (kind, mut data) = match result {
            Ok(d) => (EventKind::Success, d),
            Err(d) => (EventKind::Fail, d),
        };
        // A payload defect shapes the result object once; complete gets the same object.
        super::mangle::apply(self.defect, kind, &mut data);
        self.send(kind, data.clone()).await;
        if kind == EventKind::Success && self.defect == Defect::FailAfterSuccess {
            self.send(EventKind::Fail, data.clone()).await;
        }
        if self.defect == Defect::CompleteTwice {
            self.send(EventKind::Complete, data.clone()).await;
        }
        self.send(EventKind::Complete, data).await;
    }

    /// Report that the call cannot be made at all.
    pub async fn error(&self, message: String) {
        let _ = self
            .tx
            .send(FromCandidate::Error {
                call: self.call.clone(),
                message,
            })
            .await;
    }

    /// Report that the platform or API is not implemented.
    pub async fn unsupported(&self, reason: String) {
        let _ = self
            .tx
            .send(FromCandidate::Unsupported {
                call: self.call.clone(),
                reason,
            })
            .await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn payload_defect_shapes_result_and_complete_alike() {
        let (tx, mut rx) = mpsc::channel(8);
        let emitter = Emitter::new("c".into(), tx).with_defect(Defect::ErrMsgBare);
        emitter
            .finish(Err(
                serde_json::json!({"errMsg": "downloadFile:fail abort"}),
            ))
            .await;
        drop(emitter);
        let mut seen = Vec::new();
        while let Some(FromCandidate::Event { event, data, .. }) = rx.recv().await {
            seen.push((event, data["errMsg"].clone()));
        }
        let bare = serde_json::json!("downloadFile:fail");
        assert_eq!(
            seen,
            vec![(EventKind::Fail, bare.clone()), (EventKind::Complete, bare)]
        );
    }

    async fn kinds_after_off(defect: Defect) -> Vec<EventKind> {
        let (tx, mut rx) = mpsc::channel(8);
        let listeners = Arc::new(Listeners::default());
        let emitter = Emitter::new("c".into(), tx)
            .with_defect(defect)
            .with_listeners(listeners.clone());
        emitter.event(EventKind::Progress, Value::Null).await;
        listeners.remove(TaskEvent::Progress);
        emitter.event(EventKind::Progress, Value::Null).await;
        emitter.event(EventKind::HeadersReceived, Value::Null).await;
        emitter.finish(Ok(Value::Null)).await;
        drop(emitter);
        let mut seen = Vec::new();
        while let Some(FromCandidate::Event { event, .. }) = rx.recv().await {
            seen.push(event);
        }
        seen
    }

    #[tokio::test]
    async fn a_removed_listener_gets_nothing_unless_the_mutant_ignores_off() {
        use EventKind::*;
        assert_eq!(
            kinds_after_off(Defect::None).await,
            vec![Progress, HeadersReceived, Success, Complete]
        );
        assert_eq!(
            kinds_after_off(Defect::ProgressAfterOff).await,
            vec![Progress, Progress, HeadersReceived, Success, Complete]
        );
    }

    #[tokio::test]
    async fn abort_within_waits_only_for_an_abort() {
        let (tx, mut s) = Signals::channel();
        tx.send(Signal::Host(HostEvent::Offline)).unwrap();
        assert!(!s.abort_within(Duration::from_millis(50)).await);
        tx.send(Signal::Abort).unwrap();
        assert!(s.abort_within(Duration::from_millis(50)).await);
    }

    #[tokio::test]
    async fn background_fails_after_grace_abort_at_once() {
        let (tx, mut s) = Signals::channel();
        tx.send(Signal::Host(HostEvent::Background)).unwrap();
        let react = |e| match e {
            HostEvent::Background => Reaction::FailAfter(Duration::from_millis(200)),
            _ => Reaction::Ignore,
        };
        let start = Instant::now();
        let err = s.interrupted(react).await;
        assert_eq!(
            err,
            TransferError::Host {
                event: HostEvent::Background
            }
        );
        assert!(start.elapsed() >= Duration::from_millis(200));

        let (tx, mut s) = Signals::channel();
        tx.send(Signal::Host(HostEvent::Offline)).unwrap();
        tx.send(Signal::Abort).unwrap();
        assert_eq!(s.interrupted(react).await, TransferError::Aborted);
    }
}
