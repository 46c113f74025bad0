//! Keeps one candidate running for the whole run: routes what it sends to the case that owns
//! each call, tells every case in flight when it dies, and starts a fresh one for the next case.
//! A call's route outlives its case: what arrives for it afterwards goes to the run's
//! [`LateSink`], so no event is lost while the candidate runs.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::late::{LateEvent, LateLog, LateSink};
use super::{CandidateSpec, Incoming, Limits, LogRing, RunValues, Stamped, StartError, start};
use crate::protocol::{CallMessage, CandidateHello, Capability, FromCandidate, ToCandidate};

/// How long a candidate may take to exit after `shutdown`.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// An item for one case.
#[derive(Debug, Clone)]
pub enum Routed {
    /// An event, `unsupported` or `error` for one of the case's calls.
    Message {
        /// Arrival time.
        at: Instant,
        /// The message.
        message: FromCandidate,
    },
    /// A line that is not protocol, naming one of the case's calls or none.
    Problem {
        /// Arrival time.
        at: Instant,
        /// The call it names, if any.
        call: Option<String>,
        /// The line, shortened, and why it was rejected.
        detail: String,
    },
    /// A call went over the messages kept per call; what follows for it is counted, not kept.
    Capped {
        /// When it went over.
        at: Instant,
        /// The call.
        call: String,
    },
    /// The candidate died while the case was in flight.
    Died {
        /// When it was noticed.
        at: Instant,
        /// Exit status and the like.
        reason: String,
    },
}

/// Where a call's items go.
enum Route {
    /// To the case running it.
    Case(mpsc::UnboundedSender<Routed>, Arc<Tally>),
    /// Its case was judged: events go to the late sink.
    Judged(Arc<Tally>),
}

impl Route {
    fn tally(&self) -> &Tally {
        match self {
            Route::Case(_, tally) | Route::Judged(tally) => tally,
        }
    }
}

/// What one call sent: every event counted, whether kept or not.
#[derive(Debug, Default)]
pub struct Tally {
    events: AtomicU64,
    bytes: AtomicU64,
    capped: AtomicBool,
}

/// A call's event figures, when it went over the cap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overflow {
    /// The call.
    pub call: String,
    /// Events it sent so far.
    pub events: u64,
    /// Bytes of those events.
    pub bytes: u64,
    /// The caps in force.
    pub limits: Limits,
}

impl Overflow {
    /// The figures, for a case's reason.
    pub fn describe(&self) -> String {
        format!(
            "call {} sent {} events ({} bytes) by the end of its case, over the cap of {} events \
             or {} bytes kept per call; the events past the cap were counted, not kept",
            self.call,
            self.events,
            self.bytes,
            self.limits.max_events_per_call,
            self.limits.max_event_bytes_per_call
        )
    }
}

impl Tally {
    /// Count an event of `bytes`; true when it is within the caps and kept.
    fn count(&self, bytes: u64, limits: &Limits) -> bool {
        let events = self.events.fetch_add(1, Ordering::Relaxed) + 1;
        let total = self.bytes.fetch_add(bytes, Ordering::Relaxed) + bytes;
        let within = events <= limits.max_events_per_call
            && total <= limits.max_event_bytes_per_call
            && !self.capped.load(Ordering::Relaxed);
        if !within {
            self.capped.store(true, Ordering::Relaxed);
        }
        within
    }

    /// Whether the call went over the caps.
    fn capped(&self) -> bool {
        self.capped.load(Ordering::Relaxed)
    }
}

type Routes = Arc<Mutex<Option<HashMap<String, Route>>>>;

/// One running instance of the candidate.
struct Live {
    tx: mpsc::Sender<ToCandidate>,
    // None once the instance has died: no route can be added any more.
    routes: Routes,
    log: Option<Arc<LogRing>>,
    dispatcher: Mutex<Option<JoinHandle<()>>>,
}

impl Live {
    fn alive(&self) -> bool {
        self.routes.lock().map(|r| r.is_some()).unwrap_or(false)
    }
}

/// Owns the candidate for a run.
pub struct Supervisor {
    spec: CandidateSpec,
    hello_timeout: Duration,
    values: RunValues,
    limits: Limits,
    late: Arc<LateSink>,
    hello: CandidateHello,
    current: tokio::sync::Mutex<Option<Arc<Live>>>,
    broken: Mutex<Option<String>>,
    starts: AtomicU32,
}

impl Supervisor {
    /// Start the candidate once, handing it the run's `values` in the hello and holding what
    /// it writes to `limits`; an error here means the run cannot go on.
    pub async fn start(
        spec: CandidateSpec,
        hello_timeout: Duration,
        values: RunValues,
        limits: Limits,
    ) -> Result<Self, StartError> {
        let late = Arc::new(LateSink::default());
        let (live, hello) = launch(&spec, hello_timeout, &values, &limits, &late).await?;
        Ok(Supervisor {
            spec,
            hello_timeout,
            values,
            limits,
            late,
            hello,
            current: tokio::sync::Mutex::new(Some(live)),
            broken: Mutex::new(None),
            starts: AtomicU32::new(1),
        })
    }

    /// The hello of the first instance.
    pub fn hello(&self) -> &CandidateHello {
        &self.hello
    }

    /// The capabilities the candidate declared missing (checked when it said hello).
    pub fn lacks(&self) -> Vec<Capability> {
        Capability::parse_all(&self.hello.lacks).unwrap_or_default()
    }

    /// How many times the candidate was started (1 when it never died).
    pub fn starts(&self) -> u32 {
        self.starts.load(Ordering::Relaxed)
    }

    /// A session on a live instance, restarting the candidate if it died.
    /// Fails when it cannot be restarted.
    pub async fn session(&self) -> Result<CaseSession, String> {
        let mut current = self.current.lock().await;
        if let Some(live) = current.as_ref().filter(|l| l.alive()) {
            return Ok(CaseSession::new(Arc::clone(live), self.limits));
        }
        if let Some(reason) = self.broken.lock().ok().and_then(|b| b.clone()) {
            return Err(reason);
        }
        match launch(
            &self.spec,
            self.hello_timeout,
            &self.values,
            &self.limits,
            &self.late,
        )
        .await
        {
            Ok((live, _hello)) => {
                self.starts.fetch_add(1, Ordering::Relaxed);
                *current = Some(Arc::clone(&live));
                Ok(CaseSession::new(live, self.limits))
            }
            Err(err) => {
                let reason = format!("candidate could not be restarted: {err}");
                if let Ok(mut broken) = self.broken.lock() {
                    *broken = Some(reason.clone());
                }
                Err(reason)
            }
        }
    }

    /// The late events kept so far (call it after [`Supervisor::shutdown`] to have them all).
    pub fn late(&self) -> &LateSink {
        &self.late
    }

    /// Send `shutdown`, close its input, and wait briefly for it to exit.
    pub async fn shutdown(&self) {
        let Some(live) = self.current.lock().await.take() else {
            return;
        };
        let _ = live.tx.send(ToCandidate::Shutdown).await;
        let handle = live.dispatcher.lock().ok().and_then(|mut d| d.take());
        drop(live);
        if let Some(handle) = handle {
            let abort = handle.abort_handle();
            if tokio::time::timeout(SHUTDOWN_GRACE, handle).await.is_err() {
                // Aborting the dispatcher drops the guard, which kills the candidate.
                abort.abort();
            }
        }
    }
}

async fn launch(
    spec: &CandidateSpec,
    hello_timeout: Duration,
    values: &RunValues,
    limits: &Limits,
    late: &Arc<LateSink>,
) -> Result<(Arc<Live>, CandidateHello), StartError> {
    let (started, hello) = start(spec, hello_timeout, values, limits).await?;
    let routes: Routes = Arc::new(Mutex::new(Some(HashMap::new())));
    // Run-level `log` lines are kept like stderr, also by candidates that have none.
    let log = started.log.unwrap_or_else(|| Arc::new(LogRing::new()));
    let dispatcher = tokio::spawn(dispatch(
        started.rx,
        Arc::clone(&routes),
        Arc::clone(late),
        *limits,
        Arc::clone(&log),
        started.guard,
    ));
    let live = Arc::new(Live {
        tx: started.tx,
        routes,
        log: Some(log),
        dispatcher: Mutex::new(Some(dispatcher)),
    });
    Ok((live, hello))
}

/// Route items until the candidate closes; then tell every case in flight. Owns the guard,
/// so a dead candidate is killed as soon as it is noticed.
async fn dispatch(
    mut rx: mpsc::Receiver<Stamped>,
    routes: Routes,
    late: Arc<LateSink>,
    limits: Limits,
    log: Arc<LogRing>,
    guard: Box<dyn Send + Sync>,
) {
    let reason = loop {
        let Some(Stamped { at, item }) = rx.recv().await else {
            break "candidate output closed".to_string();
        };
        match item {
            Incoming::Closed(reason) => break reason,
            // A call's log line goes to its case only, uncounted (it is bounded there).
            Incoming::Message(FromCandidate::Log {
                call: Some(call),
                message,
            }) => {
                let message = FromCandidate::Log {
                    call: Some(call.clone()),
                    message,
                };
                send_to(&routes, &late, &call, Routed::Message { at, message });
            }
            Incoming::Message(FromCandidate::Log {
                call: None,
                message,
            }) => log.push(format!("{}\n", message.trim_end_matches('\n')).as_bytes()),
            Incoming::Message(message) => {
                let call = match &message {
                    FromCandidate::Event { call, .. }
                    | FromCandidate::Started { call }
                    | FromCandidate::Unsupported { call, .. }
                    | FromCandidate::Threw { call, .. }
                    | FromCandidate::Error { call, .. } => call.clone(),
                    FromCandidate::Log { .. } => continue,
                    FromCandidate::Hello(_) => {
                        tracing::debug!("ignoring a second hello");
                        continue;
                    }
                };
                let bytes = serde_json::to_vec(&message).map_or(0, |v| v.len() as u64);
                if !keep_event(&routes, &call, bytes, &limits, at) {
                    continue;
                }
                send_to(&routes, &late, &call, Routed::Message { at, message });
            }
            Incoming::Problem { call, line, error } => {
                let detail = format!("'{line}': {error}");
                let item = Routed::Problem {
                    at,
                    call: call.clone(),
                    detail,
                };
                match call {
                    Some(call) => {
                        let bytes = (line.len() + error.len()) as u64;
                        if keep_event(&routes, &call, bytes, &limits, at) {
                            send_to(&routes, &late, &call, item);
                        }
                    }
                    // A line that names no call cannot be pinned on one case: every case in flight gets it.
                    None => broadcast(&routes, &item, false),
                }
            }
        }
    };
    broadcast(
        &routes,
        &Routed::Died {
            at: Instant::now(),
            reason,
        },
        true,
    );
    drop(guard);
}

/// Count a message or problem of its call; false when it is past the caps (the case is told
/// once).
fn keep_event(routes: &Routes, call: &str, bytes: u64, limits: &Limits, at: Instant) -> bool {
    let Ok(routes) = routes.lock() else {
        return true;
    };
    let Some(route) = routes.as_ref().and_then(|r| r.get(call)) else {
        return true;
    };
    let was_capped = route.tally().capped();
    if route.tally().count(bytes, limits) {
        return true;
    }
    if let (false, Route::Case(tx, _)) = (was_capped, route) {
        let _ = tx.send(Routed::Capped {
            at,
            call: call.to_string(),
        });
    }
    false
}

fn send_to(routes: &Routes, late: &LateSink, call: &str, item: Routed) {
    let Ok(routes) = routes.lock() else { return };
    match routes.as_ref().and_then(|r| r.get(call)) {
        Some(Route::Case(tx, _)) => {
            let _ = tx.send(item);
        }
        Some(Route::Judged(_)) => match item {
            Routed::Message {
                at,
                message: FromCandidate::Event { event, data, .. },
            } => late.push(call, LateEvent { at, event, data }),
            Routed::Message {
                at,
                message: FromCandidate::Log { message, .. },
            } => late.push_log(call, LateLog { at, message }),
            // Only callbacks can be judged late; anything else is only logged.
            other => tracing::debug!(call, ?other, "non-event message after the case was judged"),
        },
        None => tracing::debug!(call, "message for a call no case is waiting for"),
    }
}

fn broadcast(routes: &Routes, item: &Routed, close: bool) {
    let Ok(mut routes) = routes.lock() else {
        return;
    };
    let case_sender = |route: &Route| match route {
        Route::Case(tx, _) => Some(tx.clone()),
        Route::Judged(_) => None,
    };
    let senders: Vec<_> = if close {
        routes
            .take()
            .map(|r| r.values().filter_map(case_sender).collect())
            .unwrap_or_default()
    } else {
        routes
            .as_ref()
            .map(|r| r.values().filter_map(case_sender).collect())
            .unwrap_or_default()
    };
    for tx in senders {
        let _ = tx.send(item.clone());
    }
}

/// One case's view of the candidate: its calls' items arrive on `rx`.
pub struct CaseSession {
    live: Arc<Live>,
    tx: mpsc::UnboundedSender<Routed>,
    /// Items for this case's calls.
    pub rx: mpsc::UnboundedReceiver<Routed>,
    calls: Vec<(String, Arc<Tally>)>,
    log_mark: u64,
    limits: Limits,
}

impl CaseSession {
    fn new(live: Arc<Live>, limits: Limits) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let log_mark = live.log.as_ref().map(|l| l.mark()).unwrap_or(0);
        CaseSession {
            live,
            tx,
            rx,
            calls: Vec::new(),
            log_mark,
            limits,
        }
    }

    /// The calls of this case that went over the event caps, with their figures so far.
    pub fn overflows(&self) -> Vec<Overflow> {
        self.calls
            .iter()
            .filter(|(_, tally)| tally.capped())
            .map(|(call, tally)| Overflow {
                call: call.clone(),
                events: tally.events.load(Ordering::Relaxed),
                bytes: tally.bytes.load(Ordering::Relaxed),
                limits: self.limits,
            })
            .collect()
    }

    /// Register the call's route, then send it. Fails when the instance is dead.
    pub async fn send_call(&mut self, call: CallMessage) -> Result<(), String> {
        {
            let mut routes = self
                .live
                .routes
                .lock()
                .map_err(|_| "routes poisoned".to_string())?;
            let Some(routes) = routes.as_mut() else {
                return Err("candidate died before the call was sent".into());
            };
            let tally = Arc::new(Tally::default());
            routes.insert(
                call.call.clone(),
                Route::Case(self.tx.clone(), Arc::clone(&tally)),
            );
            self.calls.push((call.call.clone(), tally));
        }
        self.live
            .tx
            .send(ToCandidate::Call(call))
            .await
            .map_err(|_| "candidate input closed".to_string())
    }

    /// Send `abort` or `inject`; a dead candidate shows up on `rx` anyway.
    pub async fn send(&self, message: ToCandidate) {
        let _ = self.live.tx.send(message).await;
    }

    /// The candidate's stderr since the session began (process candidates only).
    pub fn log(&self) -> String {
        self.live
            .log
            .as_ref()
            .map(|l| l.since(self.log_mark))
            .unwrap_or_default()
    }
}

impl Drop for CaseSession {
    // The case is judged: its calls' routes now lead to the late sink, not away.
    fn drop(&mut self) {
        if let Ok(mut routes) = self.live.routes.lock() {
            if let Some(routes) = routes.as_mut() {
                for (call, tally) in &self.calls {
                    routes.insert(call.clone(), Route::Judged(Arc::clone(tally)));
                }
            }
        }
    }
}
