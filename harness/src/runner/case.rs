//! Running one case: register the scenario, prepare the sandbox, send the call(s), perform the
//! actions, collect events until every call ends or the deadline, then observe and judge.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mock_server::MockServer;
use serde_json::Value;

use super::plan::PlannedCase;
use super::sandbox::Sandbox;
use super::templates::{Templates, base_of, origin_of};
use crate::candidate::{CaseSession, Routed, Supervisor};
use crate::check::{CheckInput, run_all};
use crate::observation::{CallEnd, CallObservation, Observation, TimedEvent};
use crate::protocol::{CallEnv, CallMessage, EventKind, FromCandidate, FsEnv, ToCandidate};
use crate::results::CaseResult;
use crate::spec::model::{Action, ActionKind, Trigger};
use crate::verdict::{CheckFailure, Status};

/// Deadline of a case whose call gives none.
pub const DEFAULT_DEADLINE: Duration = Duration::from_millis(30_000);
/// Domains handed to candidates when the case names none: the mock server's hosts.
pub const DEFAULT_DOMAINS: [&str; 2] = ["127.0.0.1", "localhost"];

/// The default domain list: the mock server's hosts, plus the case URL's own host so that a
/// DNS-failure case fails at resolution rather than at the domain check.
fn default_domains(url: &str) -> Vec<String> {
    let mut domains: Vec<String> = DEFAULT_DOMAINS.iter().map(|d| d.to_string()).collect();
    if let Some(host) = url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
    {
        if !domains.contains(&host) {
            domains.push(host);
        }
    }
    domains
}

/// What every case of a run shares.
pub struct CaseContext {
    /// The mock server.
    pub server: Arc<MockServer>,
    /// The candidate.
    pub supervisor: Arc<Supervisor>,
    /// Folder holding every case's sandbox.
    pub sandbox_base: PathBuf,
    /// How long to keep listening after the last `complete`, to catch stray events.
    pub linger: Duration,
    /// Keep sandboxes after the case (for debugging).
    pub keep_sandboxes: bool,
}

/// Run one case; never fails: whatever goes wrong becomes its status.
pub async fn run_case(ctx: Arc<CaseContext>, planned: PlannedCase, index: usize) -> CaseResult {
    let started = Instant::now();
    let mut result = CaseResult {
        id: planned.full_id.clone(),
        platform: planned.platform.name().to_string(),
        api: planned.case.api.clone(),
        tier: planned.case.tier,
        summary: planned.case.summary.clone(),
        source: planned.case.source.clone(),
        spec: planned.spec.path.display().to_string(),
        expected: Status::Pass,
        status: Status::Pass,
        reason: None,
        failures: Vec::new(),
        observation: None,
        duration_ms: 0,
    };
    if let Some(reason) = &planned.case.skip {
        result.expected = Status::Skip;
        result.status = Status::Skip;
        result.reason = Some(reason.clone());
        return result;
    }
    match execute(&ctx, &planned, index).await {
        Ok(judged) => {
            result.status = judged.status;
            result.reason = judged.reason;
            result.failures = judged.failures;
            result.observation = Some(judged.observation);
        }
        Err(reason) => {
            result.status = Status::Error;
            result.reason = Some(reason);
        }
    }
    result.duration_ms = started.elapsed().as_millis() as u64;
    result
}

struct Judged {
    status: Status,
    reason: Option<String>,
    failures: Vec<CheckFailure>,
    observation: Observation,
}

/// A server key from the case index and id: `[A-Za-z0-9._-]+`, unique within the run.
pub fn case_key(index: usize, full_id: &str) -> String {
    let id: String = full_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '.'
            }
        })
        .collect();
    format!("{index:04}-{id}")
}

async fn execute(ctx: &CaseContext, planned: &PlannedCase, index: usize) -> Result<Judged, String> {
    let case = &planned.case;
    let api = planned
        .api()
        .ok_or_else(|| format!("the spec defines no api '{}'", case.api))?;
    let shapes = planned
        .result_shapes()
        .ok_or_else(|| format!("no result shapes for api '{}'", case.api))?;
    let paths = planned.paths();
    let key = case_key(index, &planned.full_id);
    ctx.server.register(&key, case.server.clone());
    let file_name = format!("{}.bin", case.id.rsplit('/').next().unwrap_or("file"));
    let url = ctx.server.case_url(&key, case.server.target, &file_name);
    let mut sandbox = Sandbox::create(&ctx.sandbox_base, &key, paths)
        .map_err(|err| format!("cannot create the sandbox: {err}"))?;
    sandbox.place_files(&case.env.files)?;
    let templates = Templates {
        origin: origin_of(&url),
        base: base_of(&url),
        url: url.clone(),
        temp: paths.temp.clone(),
        user: paths.user.clone(),
    };
    let mut args = templates.expand(&Value::Object(case.call.args.clone()));
    if let Value::Object(map) = &mut args {
        if api.params.iter().any(|p| p.name == "url") && !map.contains_key("url") {
            map.insert("url".into(), Value::String(url.clone()));
        }
    }
    let env = CallEnv {
        sdk_version: planned.sdk_version(),
        os: planned.os(),
        release: planned.release(),
        domains: Some(
            case.env
                .domains
                .clone()
                .unwrap_or_else(|| default_domains(&url)),
        ),
        fs: FsEnv {
            temp: sandbox.temp.display().to_string(),
            user: sandbox.user.display().to_string(),
            temp_prefix: paths.temp.clone(),
            user_prefix: paths.user.clone(),
            user_quota_bytes: case.env.user_quota_bytes,
        },
        ca_cert: ctx.server.ca_cert_path().display().to_string(),
    };
    let messages: Vec<CallMessage> = (0..case.call.count.max(1))
        .map(|i| CallMessage {
            call: format!("{key}.{i}"),
            case: planned.full_id.clone(),
            platform: planned.platform.name().to_string(),
            api: case.api.clone(),
            env: env.clone(),
            args: args.clone(),
        })
        .collect();
    let deadline = case
        .call
        .deadline_ms
        .map(Duration::from_millis)
        .unwrap_or(DEFAULT_DEADLINE);

    let collected = match ctx.supervisor.session().await {
        Err(reason) => Collected::died_before_start(&messages, reason),
        Ok(session) => collect(session, messages, &case.call.actions, deadline, ctx.linger).await,
    };

    let observation = Observation {
        calls: collected.calls,
        files: {
            let sandbox = sandbox.clone();
            tokio::task::spawn_blocking(move || sandbox.scan())
                .await
                .unwrap_or_default()
        },
        server: ctx.server.journal(&key),
        url,
        log: collected.log,
    };
    if !ctx.keep_sandboxes {
        let _ = std::fs::remove_dir_all(&sandbox.case_dir);
    }
    let (status, reason) = status_of(&observation, &collected.problems);
    let failures = if status == Status::Pass {
        let input = CheckInput {
            expect: &case.expect,
            result: shapes,
            task: api.task.as_ref(),
            platform: planned.platform,
            sdk_version: &env.sdk_version,
            templates: &templates,
            args: &args,
            observation: &observation,
        };
        crate::check::tier::assign(&case.expect, case.tier, run_all(&input))
    } else {
        Vec::new()
    };
    let status = if status == Status::Pass && !failures.is_empty() {
        Status::Fail
    } else {
        status
    };
    Ok(Judged {
        status,
        reason,
        failures,
        observation,
    })
}

/// The status decided by how the calls ended, before any check: CRASH, ERROR, TIMEOUT,
/// UNSUPPORTED, or PASS meaning "every call completed, judge by the checks".
pub fn status_of(observation: &Observation, problems: &[String]) -> (Status, Option<String>) {
    let ends = observation.calls.iter().map(|c| &c.end);
    let first = |pick: fn(&CallEnd) -> Option<String>| ends.clone().find_map(pick);
    if let Some(reason) = first(|e| match e {
        CallEnd::CandidateDied(r) => Some(r.clone()),
        _ => None,
    }) {
        return (Status::Crash, Some(reason));
    }
    if let Some(problem) = problems.first() {
        return (
            Status::Error,
            Some(format!("protocol violation: {problem}")),
        );
    }
    if let Some(reason) = first(|e| match e {
        CallEnd::ProtocolViolation(r) => Some(format!("protocol violation: {r}")),
        CallEnd::Error(r) => Some(format!("candidate error: {r}")),
        _ => None,
    }) {
        return (Status::Error, Some(reason));
    }
    if ends.clone().any(|e| *e == CallEnd::Deadline) {
        let longest = observation
            .calls
            .iter()
            .map(|c| c.duration_ms)
            .max()
            .unwrap_or(0);
        return (
            Status::Timeout,
            Some(format!("no complete within {longest} ms")),
        );
    }
    if let Some(reason) = first(|e| match e {
        CallEnd::Unsupported(r) => Some(r.clone()),
        _ => None,
    }) {
        return (Status::Unsupported, Some(reason));
    }
    (Status::Pass, None)
}

struct Collected {
    calls: Vec<CallObservation>,
    problems: Vec<String>,
    log: String,
}

impl Collected {
    fn died_before_start(messages: &[CallMessage], reason: String) -> Collected {
        Collected {
            calls: messages
                .iter()
                .map(|m| CallObservation {
                    call: m.call.clone(),
                    events: Vec::new(),
                    end: CallEnd::CandidateDied(reason.clone()),
                    duration_ms: 0,
                })
                .collect(),
            problems: Vec::new(),
            log: String::new(),
        }
    }
}

struct CallState {
    id: String,
    sent: Instant,
    events: Vec<TimedEvent>,
    end: Option<(CallEnd, Instant)>,
    // Actions not performed yet, with their absolute time for `after_ms`.
    pending: Vec<(Action, Option<Instant>)>,
}

impl CallState {
    fn finish(&mut self, end: CallEnd, at: Instant) {
        if self.end.is_none() {
            self.end = Some((end, at));
        }
    }
}

async fn collect(
    mut session: CaseSession,
    messages: Vec<CallMessage>,
    actions: &[Action],
    deadline: Duration,
    linger: Duration,
) -> Collected {
    let mut calls: Vec<CallState> = Vec::new();
    let mut problems = Vec::new();
    for message in messages {
        let id = message.call.clone();
        let sent = Instant::now();
        let sent_ok = session.send_call(message).await;
        let mut state = CallState {
            id,
            sent,
            events: Vec::new(),
            end: None,
            pending: actions
                .iter()
                .map(|a| {
                    let at = match a.at {
                        Trigger::AfterMs(ms) => Some(sent + Duration::from_millis(ms)),
                        _ => None,
                    };
                    (a.clone(), at)
                })
                .collect(),
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
    let case_deadline = Instant::now() + deadline;
    let mut died = false;
    loop {
        let all_ended = calls.iter().all(|c| c.end.is_some());
        if all_ended && died {
            break;
        }
        let last_end = calls
            .iter()
            .filter_map(|c| c.end.as_ref().map(|e| e.1))
            .max();
        let mut wake = case_deadline;
        if all_ended {
            wake = last_end.map(|t| t + linger).unwrap_or_else(Instant::now);
        }
        for state in calls.iter().filter(|c| c.end.is_none()) {
            for (_, at) in &state.pending {
                if let Some(at) = at {
                    wake = wake.min(*at);
                }
            }
        }
        tokio::select! {
            item = session.rx.recv() => {
                let Some(item) = item else { break };
                match item {
                    Routed::Message { at, message } => on_message(&session, &mut calls, at, message).await,
                    Routed::Problem { at, call, detail } => {
                        problems.push(detail.clone());
                        for state in calls.iter_mut().filter(|c| call.as_deref().is_none_or(|id| id == c.id)) {
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
            _ = tokio::time::sleep_until(wake.into()) => {
                let now = Instant::now();
                if all_ended {
                    break;
                }
                if now >= case_deadline {
                    for state in calls.iter_mut().filter(|c| c.end.is_none()) {
                        state.finish(CallEnd::Deadline, now);
                        // Let the candidate free what the call holds; its late events go nowhere.
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
    let log = session.log();
    drop(session);
    Collected {
        calls: calls
            .into_iter()
            .map(|c| {
                let (end, at) = c.end.unwrap_or((CallEnd::Deadline, Instant::now()));
                CallObservation {
                    call: c.id,
                    events: c.events,
                    end,
                    duration_ms: at.saturating_duration_since(c.sent).as_millis() as u64,
                }
            })
            .collect(),
        problems,
        log,
    }
}

async fn on_message(
    session: &CaseSession,
    calls: &mut [CallState],
    at: Instant,
    message: FromCandidate,
) {
    let (id, end) = match &message {
        FromCandidate::Event { call, .. } => (call.clone(), None),
        FromCandidate::Unsupported { call, reason } => {
            (call.clone(), Some(CallEnd::Unsupported(reason.clone())))
        }
        FromCandidate::Error { call, message } => {
            (call.clone(), Some(CallEnd::Error(message.clone())))
        }
        FromCandidate::Hello(_) => return,
    };
    let Some(state) = calls.iter_mut().find(|c| c.id == id) else {
        return;
    };
    if let Some(end) = end {
        state.finish(end, at);
        return;
    }
    let FromCandidate::Event { event, data, .. } = message else {
        return;
    };
    state.events.push(TimedEvent {
        at_ms: at.saturating_duration_since(state.sent).as_millis() as u64,
        event,
        data: data.clone(),
    });
    match event {
        EventKind::Complete => state.finish(CallEnd::Completed, at),
        EventKind::HeadersReceived if state.end.is_none() => {
            fire(session, state, |t| *t == Trigger::HeadersReceived).await;
        }
        EventKind::Progress if state.end.is_none() => {
            let done = crate::check::progress::point(&data).done.unwrap_or(0.0);
            fire(
                session,
                state,
                |t| matches!(t, Trigger::AfterBytes(n) if done >= *n as f64),
            )
            .await;
        }
        _ => {}
    }
}

/// Perform (once) the pending actions whose trigger `due` accepts; `after_ms` ones only when their time has come.
async fn fire(session: &CaseSession, state: &mut CallState, due: impl Fn(&Trigger) -> bool) {
    let now = Instant::now();
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
            };
            session.send(message).await;
        } else {
            remaining.push((action, at));
        }
    }
    state.pending = remaining;
}
