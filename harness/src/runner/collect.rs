//! Collecting one case's calls: send them, perform their actions when their triggers fire (time,
//! headersReceived, or the bytes the mock server wrote), and gather every event until the calls
//! ended and the case's linger and watch window have passed, or the deadline.

use std::time::{Duration, Instant};

use tokio::sync::watch;

use crate::candidate::log::CaseLines;
use crate::candidate::{CaseSession, Routed};
use crate::observation::{CallEnd, CallObservation, SentAction, Threw, TimedEvent, TimedFrom};
use crate::protocol::{CallMessage, EventKind, FromCandidate, ToCandidate};
use crate::spec::model::{Action, ActionKind, Trigger};

/// How long a case keeps listening after an action it sent to a call that had already ended
/// (`at: completed`): what the task method sets off on a finished call (a second `fail` and
/// `complete`) comes within it. Generous, for a loaded machine; what comes later still is a
/// late event and the case is judged again with it.
pub const AFTER_COMPLETE_WATCH: Duration = Duration::from_millis(2000);

/// How long a case listens.
#[derive(Debug, Clone, Copy)]
pub struct Listening {
    /// Calls not ended by then end with [`CallEnd::Deadline`] (counted from their start).
    pub deadline: Duration,
    /// Listen this long after the last `complete`.
    pub linger: Duration,
    /// And at least this long after each call started (the case's watch window).
    pub watch: Option<Duration>,
}

impl Listening {
    /// How long after a call's start the case listens to it at least: its deadline or its
    /// watch window, whichever is longer (the call message's `watchMs`).
    pub fn window(&self) -> Duration {
        self.watch.map_or(self.deadline, |w| w.max(self.deadline))
    }
}

/// One call's clock: when it started and when it completed, to place late events.
#[derive(Debug, Clone)]
pub struct CallClock {
    /// Call id.
    pub call: String,
    /// What its times are measured from (`started`, else the call message).
    pub origin: Instant,
    /// When its first `complete` arrived.
    pub complete: Option<Instant>,
}

/// What a case's calls gave.
pub struct Collected {
    /// The calls.
    pub calls: Vec<CallObservation>,
    /// Their clocks, in the same order.
    pub clocks: Vec<CallClock>,
    /// Protocol problems.
    pub problems: Vec<String>,
    /// Actions whose trigger never fired, described.
    pub unfired: Vec<String>,
    /// The candidate's log while the case ran.
    pub log: String,
}

impl Collected {
    /// Every call ended because the candidate could not be reached.
    pub fn died_before_start(messages: &[CallMessage], reason: String) -> Collected {
        let now = Instant::now();
        Collected {
            calls: messages
                .iter()
                .map(|m| CallObservation {
                    call: m.call.clone(),
                    events: Vec::new(),
                    end: CallEnd::CandidateDied(reason.clone()),
                    duration_ms: 0,
                    timed_from: TimedFrom::Sent,
                    started_ms: None,
                    threw: Vec::new(),
                    actions: Vec::new(),
                })
                .collect(),
            clocks: messages
                .iter()
                .map(|m| CallClock {
                    call: m.call.clone(),
                    origin: now,
                    complete: None,
                })
                .collect(),
            problems: Vec::new(),
            unfired: Vec::new(),
            log: String::new(),
        }
    }
}

struct CallState {
    id: String,
    sent: Instant,
    started: Option<Instant>,
    events: Vec<TimedEvent>,
    threw: Vec<Threw>,
    end: Option<(CallEnd, Instant)>,
    complete: Option<Instant>,
    // Actions not performed yet, with their absolute time for `after_ms`.
    pending: Vec<(Action, Option<Instant>)>,
    // Listen at least until then: an action was sent after the call had ended.
    watch_until: Option<Instant>,
    // Actions performed, with when they were sent.
    sent_actions: Vec<(ActionKind, Instant)>,
}

impl CallState {
    fn origin(&self) -> Instant {
        self.started.unwrap_or(self.sent)
    }

    fn finish(&mut self, end: CallEnd, at: Instant) {
        if self.end.is_none() {
            self.end = Some((end, at));
        }
    }

    fn waits_for_bytes(&self) -> bool {
        self.end.is_none()
            && self
                .pending
                .iter()
                .any(|(a, _)| matches!(a.at, Trigger::AfterBytes(_)))
    }
}

/// Most protocol problems kept for one case; the rest are counted.
pub const MAX_PROBLEMS: usize = 100;

/// Keep `problem` unless the case already holds [`MAX_PROBLEMS`]; count it either way.
fn keep_problem(problems: &mut Vec<String>, dropped: &mut u64, problem: String) {
    if problems.len() < MAX_PROBLEMS {
        problems.push(problem);
    } else {
        *dropped += 1;
    }
}

/// Send the calls and collect until they ended and the case stopped listening.
/// `bytes` counts the body bytes the mock server wrote for the case.
pub async fn collect(
    mut session: CaseSession,
    messages: Vec<CallMessage>,
    actions: &[Action],
    listening: Listening,
    mut bytes: watch::Receiver<u64>,
) -> Collected {
    let mut calls: Vec<CallState> = Vec::new();
    let mut problems = Vec::new();
    let mut problems_dropped = 0u64;
    let mut lines = CaseLines::default();
    for message in messages {
        let id = message.call.clone();
        let sent = Instant::now();
        let sent_ok = session.send_call(message).await;
        let mut state = CallState {
            id,
            sent,
            started: None,
            events: Vec::new(),
            threw: Vec::new(),
            end: None,
            complete: None,
            pending: actions
                .iter()
                .map(|a| (a.clone(), after_ms(&a.at, sent)))
                .collect(),
            watch_until: None,
            sent_actions: Vec::new(),
        };
        if let Err(reason) = sent_ok {
            state.finish(CallEnd::CandidateDied(reason), Instant::now());
        }
        calls.push(state);
    }
    for state in &mut calls {
        if state.end.is_none() {
            fire(&session, state, |t| *t == Trigger::Immediately).await;
        }
    }
    let mut bytes_open = true;
    let mut died = false;
    loop {
        let all_ended = calls.iter().all(|c| c.end.is_some());
        if all_ended && died {
            break;
        }
        let case_deadline = calls
            .iter()
            .map(|c| c.origin() + listening.deadline)
            .max()
            .unwrap_or_else(Instant::now);
        let mut wake = case_deadline;
        if all_ended {
            wake = quiet_after(&calls, listening);
        }
        for state in calls.iter().filter(|c| c.end.is_none()) {
            for at in state.pending.iter().filter_map(|(_, at)| *at) {
                wake = wake.min(at);
            }
        }
        let want_bytes = bytes_open && calls.iter().any(CallState::waits_for_bytes);
        tokio::select! {
            item = session.rx.recv() => {
                let Some(item) = item else { break };
                match item {
                    Routed::Message { message: FromCandidate::Log { call, message }, .. } => {
                        lines.push(call.as_deref().unwrap_or_default(), &message);
                    }
                    Routed::Message { at, message } => {
                        if let Some(problem) = on_message(&session, &mut calls, at, message).await {
                            keep_problem(&mut problems, &mut problems_dropped, problem);
                        }
                    }
                    Routed::Problem { at, call, detail } => {
                        keep_problem(&mut problems, &mut problems_dropped, detail.clone());
                        for state in calls.iter_mut().filter(|c| call.as_deref().is_none_or(|id| id == c.id)) {
                            state.finish(CallEnd::ProtocolViolation(detail.clone()), at);
                        }
                    }
                    Routed::Capped { at, call } => {
                        let detail = format!("call {call} went over the events kept per call");
                        for state in calls.iter_mut().filter(|c| c.id == call) {
                            state.finish(CallEnd::ProtocolViolation(detail.clone()), at);
                        }
                    }
                    Routed::Died { at, reason } => {
                        died = true;
                        for state in &mut calls {
                            state.finish(CallEnd::CandidateDied(reason.clone()), at);
                        }
                    }
                }
            }
            changed = bytes.changed(), if want_bytes => {
                if changed.is_err() {
                    bytes_open = false;
                    continue;
                }
                let sent = *bytes.borrow_and_update();
                for state in calls.iter_mut().filter(|c| c.end.is_none()) {
                    fire(&session, state, |t| matches!(t, Trigger::AfterBytes(n) if sent >= *n)).await;
                }
            }
            _ = tokio::time::sleep_until(wake.into()) => {
                let now = Instant::now();
                if all_ended {
                    break;
                }
                if now >= case_deadline {
                    for state in calls.iter_mut().filter(|c| c.end.is_none()) {
                        state.finish(CallEnd::Deadline, now);
                        // Let the candidate free what the call holds; its later events are late.
                        session.send(ToCandidate::Abort { call: state.id.clone() }).await;
                    }
                    break;
                }
                for state in calls.iter_mut().filter(|c| c.end.is_none()) {
                    fire(&session, state, |t| matches!(t, Trigger::AfterMs(_))).await;
                }
            }
        }
    }
    let log = session.log() + &lines.text();
    if problems_dropped > 0 {
        problems.push(format!(
            "{problems_dropped} more protocol problems, counted, not kept"
        ));
    }
    // The figures of a call over the caps come first: they are the case's reason.
    for (i, overflow) in session.overflows().iter().enumerate() {
        problems.insert(i, overflow.describe());
    }
    drop(session);
    let server_sent = *bytes.borrow();
    let unfired = calls
        .iter()
        .flat_map(|c| c.pending.iter().map(|(a, _)| describe(a, server_sent)))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let clocks = calls
        .iter()
        .map(|c| CallClock {
            call: c.id.clone(),
            origin: c.origin(),
            complete: c.complete,
        })
        .collect();
    Collected {
        calls: calls.into_iter().map(observed).collect(),
        clocks,
        problems,
        unfired,
        log,
    }
}

/// The absolute time of an `after_ms` trigger counted from `origin`.
fn after_ms(trigger: &Trigger, origin: Instant) -> Option<Instant> {
    match trigger {
        Trigger::AfterMs(ms) => Some(origin + Duration::from_millis(*ms)),
        _ => None,
    }
}

/// When a case whose calls all ended stops listening: `linger` after the last end, and not
/// before each call's watch window has passed.
fn quiet_after(calls: &[CallState], listening: Listening) -> Instant {
    let last_end = calls
        .iter()
        .filter_map(|c| c.end.as_ref().map(|e| e.1))
        .max()
        .unwrap_or_else(Instant::now);
    let mut until = last_end + listening.linger;
    if let Some(watch) = listening.watch {
        for call in calls {
            until = until.max(call.origin() + watch);
        }
    }
    for call in calls {
        if let Some(watch_until) = call.watch_until {
            until = until.max(watch_until);
        }
    }
    until
}

fn observed(c: CallState) -> CallObservation {
    let origin = c.origin();
    let (end, at) = c.end.unwrap_or((CallEnd::Deadline, Instant::now()));
    CallObservation {
        call: c.id,
        events: c.events,
        end,
        duration_ms: ms_between(origin, at),
        timed_from: if c.started.is_some() {
            TimedFrom::Started
        } else {
            TimedFrom::Sent
        },
        started_ms: c.started.map(|s| ms_between(c.sent, s)),
        threw: c.threw,
        actions: c
            .sent_actions
            .into_iter()
            .map(|(what, at)| SentAction {
                what,
                at_ms: ms_between(origin, at),
            })
            .collect(),
    }
}

/// Milliseconds from `from` to `to`, 0 when `to` is earlier.
pub fn ms_between(from: Instant, to: Instant) -> u64 {
    to.saturating_duration_since(from).as_millis() as u64
}

/// An action that never fired, for the case's reason.
fn describe(action: &Action, server_sent: u64) -> String {
    let what = match &action.what {
        ActionKind::Abort => "abort".to_string(),
        ActionKind::Inject(event) => format!(
            "inject {}",
            serde_json::to_value(event)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        ),
        ActionKind::Off(event) => event.off_method().to_string(),
        ActionKind::OffAll(event) => format!("{}()", event.off_method()),
    };
    match action.at {
        Trigger::Immediately => format!("{what} immediately"),
        Trigger::AfterMs(ms) => format!("{what} after {ms} ms"),
        Trigger::AfterBytes(n) => format!("{what} after {n} bytes (server sent {server_sent})"),
        Trigger::HeadersReceived => format!("{what} at headersReceived"),
        Trigger::Completed => format!("{what} once complete arrived"),
    }
}

/// Handle one message for the case's calls; a `started` out of place is a protocol problem.
async fn on_message(
    session: &CaseSession,
    calls: &mut [CallState],
    at: Instant,
    message: FromCandidate,
) -> Option<String> {
    let (id, end) = match &message {
        FromCandidate::Event { call, .. } | FromCandidate::Started { call } => (call.clone(), None),
        FromCandidate::Unsupported { call, reason } => {
            (call.clone(), Some(CallEnd::Unsupported(reason.clone())))
        }
        FromCandidate::Error { call, message } => {
            (call.clone(), Some(CallEnd::Error(message.clone())))
        }
        FromCandidate::Threw {
            call,
            method,
            message,
        } => {
            let state = calls.iter_mut().find(|c| c.id == *call)?;
            let at_ms = ms_between(state.origin(), at);
            state.threw.push(Threw {
                method: method.clone(),
                message: message.clone(),
                at_ms,
            });
            return None;
        }
        FromCandidate::Hello(_) | FromCandidate::Log { .. } => return None,
    };
    let state = calls.iter_mut().find(|c| c.id == id)?;
    if let Some(end) = end {
        state.finish(end, at);
        return None;
    }
    let (event, data) = match message {
        FromCandidate::Event { event, data, .. } => (event, data),
        _ => {
            if state.started.is_some() || !state.events.is_empty() || state.end.is_some() {
                return Some(format!(
                    "call {id}: `started` must come at most once, before any event of the call"
                ));
            }
            state.started = Some(at);
            // Time triggers count from the real start, so adapter start-up does not eat them.
            for (action, when) in &mut state.pending {
                if let Some(t) = after_ms(&action.at, at) {
                    *when = Some(t);
                }
            }
            return None;
        }
    };
    let mut timed = TimedEvent::new(ms_between(state.origin(), at), event, data);
    timed.after_complete_ms = state.complete.map(|c| ms_between(c, at));
    state.events.push(timed);
    match event {
        EventKind::Complete => {
            state.complete.get_or_insert(at);
            state.finish(CallEnd::Completed, at);
            // A task method called on the finished call; what it sets off must still be seen.
            if fire(session, state, |t| *t == Trigger::Completed).await > 0 {
                state.watch_until = Some(Instant::now() + AFTER_COMPLETE_WATCH);
            }
        }
        EventKind::HeadersReceived if state.end.is_none() => {
            fire(session, state, |t| *t == Trigger::HeadersReceived).await;
        }
        _ => {}
    }
    None
}

/// Perform (once) the pending actions whose trigger `due` accepts; `after_ms` ones only when
/// their time has come. Returns how many were performed.
async fn fire(
    session: &CaseSession,
    state: &mut CallState,
    due: impl Fn(&Trigger) -> bool,
) -> usize {
    let now = Instant::now();
    let mut fired = 0;
    let mut remaining = Vec::new();
    for (action, at) in std::mem::take(&mut state.pending) {
        let time_ok = at.is_none_or(|t| t <= now);
        if due(&action.at) && time_ok {
            let message = match action.what {
                ActionKind::Abort => ToCandidate::Abort {
                    call: state.id.clone(),
                },
                ActionKind::Inject(event) => ToCandidate::Inject {
                    call: state.id.clone(),
                    event,
                },
                ActionKind::Off(event) | ActionKind::OffAll(event) => ToCandidate::Off {
                    call: state.id.clone(),
                    event,
                    all: matches!(action.what, ActionKind::OffAll(_)),
                },
            };
            // Stamped before the write: an event the candidate sends in answer cannot precede it.
            state
                .sent_actions
                .push((action.what.clone(), Instant::now()));
            session.send(message).await;
            fired += 1;
        } else {
            remaining.push((action, at));
        }
    }
    state.pending = remaining;
    fired
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::HostEvent;

    fn ended(sent: Instant, end_after_ms: u64) -> CallState {
        CallState {
            id: "c".into(),
            sent,
            started: None,
            events: Vec::new(),
            threw: Vec::new(),
            end: Some((
                CallEnd::Completed,
                sent + Duration::from_millis(end_after_ms),
            )),
            complete: None,
            pending: Vec::new(),
            watch_until: None,
            sent_actions: Vec::new(),
        }
    }

    #[test]
    fn the_window_sent_to_the_candidate_is_the_longer_of_deadline_and_watch() {
        let listening = |deadline: u64, watch: Option<u64>| Listening {
            deadline: Duration::from_millis(deadline),
            linger: Duration::from_millis(100),
            watch: watch.map(Duration::from_millis),
        };
        assert_eq!(listening(30_000, None).window(), Duration::from_secs(30));
        assert_eq!(
            listening(2_000, Some(3_000)).window(),
            Duration::from_secs(3)
        );
        assert_eq!(
            listening(8_000, Some(3_000)).window(),
            Duration::from_secs(8)
        );
    }

    #[test]
    fn a_watch_window_outlasts_the_linger() {
        let sent = Instant::now();
        let calls = [ended(sent, 100)];
        let linger = Duration::from_millis(50);
        let only_linger = Listening {
            deadline: Duration::from_secs(5),
            linger,
            watch: None,
        };
        assert_eq!(
            quiet_after(&calls, only_linger),
            sent + Duration::from_millis(150)
        );
        let watched = Listening {
            watch: Some(Duration::from_millis(3000)),
            ..only_linger
        };
        assert_eq!(
            quiet_after(&calls, watched),
            sent + Duration::from_millis(3000)
        );
        // A call that ends after its window: the linger after its end decides.
        let late = [ended(sent, 4000)];
        assert_eq!(
            quiet_after(&late, watched),
            sent + Duration::from_millis(4050)
        );
    }

    #[test]
    fn an_action_sent_after_complete_keeps_the_case_listening() {
        let sent = Instant::now();
        let mut call = ended(sent, 100);
        call.watch_until = Some(sent + Duration::from_millis(100) + AFTER_COMPLETE_WATCH);
        let listening = Listening {
            deadline: Duration::from_secs(5),
            linger: Duration::from_millis(50),
            watch: None,
        };
        assert_eq!(
            quiet_after(&[call], listening),
            sent + Duration::from_millis(100) + AFTER_COMPLETE_WATCH
        );
        let late = Action {
            at: Trigger::Completed,
            what: ActionKind::Abort,
        };
        assert_eq!(describe(&late, 0), "abort once complete arrived");
    }

    #[test]
    fn unfired_actions_are_described_with_what_the_server_sent() {
        let abort = Action {
            at: Trigger::AfterBytes(65536),
            what: ActionKind::Abort,
        };
        assert_eq!(
            describe(&abort, 1024),
            "abort after 65536 bytes (server sent 1024)"
        );
        let inject = Action {
            at: Trigger::AfterMs(300),
            what: ActionKind::Inject(HostEvent::NetworkChange),
        };
        assert_eq!(describe(&inject, 0), "inject network-change after 300 ms");
    }
}
