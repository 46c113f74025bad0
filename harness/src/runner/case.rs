//! Running one case: register the scenario, prepare the sandbox, send the call(s) and collect
//! their events ([`super::collect`]), then observe and judge.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mock_server::MockServer;
use serde_json::Value;

use super::collect::{CallClock, Collected, Listening, collect};
use super::outside::{self, OutsideWatch};
use super::plan::PlannedCase;
use super::sandbox::Sandbox;
use super::templates::{Templates, base_of, open_case_origin, origin_of, uses_case_origin};
use crate::candidate::Supervisor;
use crate::candidate::sandbox::SandboxMode;
use crate::check::applicable::{self, Premise};
use crate::check::{CheckInput, run_all};
use crate::observation::{CallEnd, Observation};
use crate::protocol::{CallEnv, CallMessage, Capability, FsEnv};
use crate::results::CaseResult;
use crate::verdict::{CheckFailure, NotApplicable, Status};

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
    /// How the candidate is held to its folders.
    pub sandbox_mode: SandboxMode,
    /// The run-wide scan for writes outside the case folders.
    pub outside: Arc<OutsideWatch>,
    /// How long to keep listening after the last `complete`, to catch stray events.
    pub linger: Duration,
    /// Keep sandboxes after the case (for debugging).
    pub keep_sandboxes: bool,
}

/// The public page of the document a case's `source` names (`<id>` or `<id>#<where>`), from
/// the spec's `sources`.
fn source_url(spec: &crate::spec::model::Spec, source: &str) -> Option<String> {
    let id = source.split('#').next().unwrap_or_default();
    spec.sources.get(id).and_then(|s| s.url.clone())
}

/// Run one case; never fails: whatever goes wrong becomes its status. With the result comes
/// what it takes to judge the case again, should late events arrive for its calls.
pub async fn run_case(
    ctx: Arc<CaseContext>,
    planned: PlannedCase,
    index: usize,
) -> (CaseResult, Option<Rejudge>) {
    let started = Instant::now();
    let mut result = CaseResult {
        id: planned.full_id.clone(),
        platform: planned.platform.name().to_string(),
        api: planned.case.api.clone(),
        tier: planned.case.tier,
        summary: planned.case.summary.clone(),
        source: planned.case.source.clone(),
        source_url: source_url(&planned.spec.spec, &planned.case.source),
        spec: planned.spec.path.display().to_string(),
        expected: Status::Pass,
        status: Status::Pass,
        reason: None,
        judged: Vec::new(),
        failures: Vec::new(),
        not_applicable: Vec::new(),
        unexplained: Vec::new(),
        decided_by: None,
        observation: None,
        duration_ms: 0,
        attempts: Vec::new(),
    };
    if let Some(reason) = &planned.case.skip {
        result.expected = Status::Skip;
        result.status = Status::Skip;
        result.reason = Some(reason.clone());
        return (result, None);
    }
    let lacks = ctx.supervisor.lacks();
    if not_applicable_case(&planned, &lacks, &mut result) {
        return (result, None);
    }
    let rejudge = match execute(&ctx, &planned, index, lacks).await {
        Ok((judged, rejudge)) => {
            judged.apply_to(&mut result);
            Some(rejudge)
        }
        Err(reason) => {
            result.status = Status::Error;
            result.reason = Some(reason);
            None
        }
    };
    result.duration_ms = started.elapsed().as_millis() as u64;
    (result, rejudge)
}

/// Mark the case `N/A` when its premise needs a capability in `lacks`: it is not run, since
/// the candidate cannot show what it tests.
fn not_applicable_case(
    planned: &PlannedCase,
    lacks: &[Capability],
    result: &mut CaseResult,
) -> bool {
    let sdk_version = planned.sdk_version();
    let premise = Premise {
        case: &planned.case,
        api: planned.api(),
        shapes: planned.result_shapes(),
        sdk_version: &sdk_version,
        variant: planned.variant().is_some(),
    };
    result.not_applicable = applicable::premise(&premise, lacks);
    let Some(first) = result.not_applicable.first() else {
        return false;
    };
    result.status = Status::NotApplicable;
    result.reason = Some(format!(
        "not applicable: the candidate lacks `{}`: {}",
        first.capability, first.reason
    ));
    true
}

/// A case's status, reason and check failures, with what they were judged on.
pub struct Judged {
    /// Status before expectations.
    pub status: Status,
    /// Why, when not PASS.
    pub reason: Option<String>,
    /// Check ids judged (held or failed), not-applicable ones taken out.
    pub judged: Vec<String>,
    /// Failed checks.
    pub failures: Vec<CheckFailure>,
    /// Checks not judged for a capability the candidate lacks.
    pub not_applicable: Vec<NotApplicable>,
    /// What was observed.
    pub observation: Observation,
}

impl Judged {
    /// Put the verdict into the case's result (as the runner has it, before expectations).
    pub fn apply_to(self, result: &mut CaseResult) {
        result.status = self.status;
        result.reason = self.reason;
        result.judged = self.judged;
        result.failures = self.failures;
        result.not_applicable = self.not_applicable;
        result.observation = Some(self.observation);
    }
}

/// Everything a case was judged on besides its observation, kept to judge it again.
#[derive(Clone)]
pub struct Rejudge {
    planned: PlannedCase,
    templates: Templates,
    args: Value,
    sdk_version: String,
    lacks: Vec<Capability>,
    problems: Vec<String>,
    unfired: Vec<String>,
    /// The calls' clocks.
    pub clocks: Vec<CallClock>,
}

impl Rejudge {
    /// Judge `observation` (the case's, with events added) as the case was judged.
    pub fn judge(&self, observation: Observation) -> Judged {
        judge(
            &self.planned,
            &self.templates,
            &self.args,
            &self.sdk_version,
            &Findings {
                problems: &self.problems,
                unfired: &self.unfired,
                lacks: &self.lacks,
            },
            observation,
        )
    }
}

/// What the collection found besides the calls' events.
pub struct Findings<'a> {
    /// Protocol problems.
    pub problems: &'a [String],
    /// Actions whose trigger never fired.
    pub unfired: &'a [String],
    /// Capabilities the candidate declared missing.
    pub lacks: &'a [Capability],
}

/// Judge an observation: the status from how the calls ended, then every check.
fn judge(
    planned: &PlannedCase,
    templates: &Templates,
    args: &Value,
    sdk_version: &str,
    findings: &Findings<'_>,
    observation: Observation,
) -> Judged {
    let (status, reason) = status_of(&observation, findings);
    let (judged, failures, not_applicable) = match (status, planned.result_shapes()) {
        (Status::Pass, Some(shapes)) => {
            let input = CheckInput {
                expect: &planned.case.expect,
                result: shapes,
                task: planned.api().and_then(|api| api.task.as_ref()),
                sources: &planned.spec.spec.sources,
                paths: planned.paths(),
                platform: planned.platform,
                sdk_version,
                templates,
                args,
                observation: &observation,
            };
            let (verdicts, not_applicable) =
                applicable::split(&input, run_all(&input), findings.lacks);
            let (judged, failures) = verdicts.into_parts();
            let failures =
                crate::check::tier::assign(&planned.case.expect, planned.case.tier, failures);
            (judged, failures, not_applicable)
        }
        // Not judged: no check ran.
        _ => (Vec::new(), Vec::new(), Vec::new()),
    };
    let status = if status == Status::Pass && !failures.is_empty() {
        Status::Fail
    } else {
        status
    };
    Judged {
        status,
        reason,
        judged,
        failures,
        not_applicable,
        observation,
    }
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

async fn execute(
    ctx: &CaseContext,
    planned: &PlannedCase,
    index: usize,
    lacks: Vec<Capability>,
) -> Result<(Judged, Rejudge), String> {
    let case = &planned.case;
    let api = planned
        .api()
        .ok_or_else(|| format!("the spec defines no api '{}'", case.api))?;
    planned
        .result_shapes()
        .ok_or_else(|| format!("no result shapes for api '{}'", case.api))?;
    let paths = planned.paths();
    let key = case_key(index, &planned.full_id);
    ctx.server.register(&key, case.server.clone());
    let file_name = format!("{}.bin", case.id.rsplit('/').next().unwrap_or("file"));
    let url = ctx.server.case_url(&key, case.server.target, &file_name);
    // Before the folder exists, so that no scan takes it for a write outside.
    ctx.outside.enter(&key, &planned.full_id);
    let mut sandbox = Sandbox::create(&ctx.sandbox_base, &key, paths)
        .map_err(|err| format!("cannot create the sandbox: {err}"))?;
    sandbox.place_files(&case.env.files)?;
    // A case's own origin is opened only for cases that name it (server SDKs' domain).
    let case_origin = if uses_case_origin(&Value::Object(case.call.args.clone())) {
        open_case_origin(&ctx.server, &key, case.server.target, &url)?
    } else {
        origin_of(&url)
    };
    let templates = Templates {
        origin: origin_of(&url),
        base: base_of(&url),
        case_origin,
        url: url.clone(),
        temp: paths.temp.clone(),
        user: paths.user.clone(),
    };
    let mut args = templates.expand(&Value::Object(case.call.args.clone()));
    if let Value::Object(map) = &mut args {
        let omitted = |name: &str| case.call.omit.iter().any(|o| o == name);
        if api.params.iter().any(|p| p.name == "url") && !map.contains_key("url") && !omitted("url")
        {
            map.insert("url".into(), Value::String(url.clone()));
        }
        map.retain(|name, _| !omitted(name));
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
        // A candidate that keeps apps apart gets one per case: the case is alone in its queue.
        app: ctx
            .supervisor
            .hello()
            .has_feature(crate::protocol::FEATURE_APPS)
            .then(|| key.clone()),
    };
    let deadline = case
        .call
        .deadline_ms
        .map(Duration::from_millis)
        .unwrap_or(DEFAULT_DEADLINE);
    let listening = Listening {
        deadline,
        linger: ctx.linger,
        watch: case.call.watch_ms.map(Duration::from_millis),
    };
    let watch_ms = listening
        .window()
        .as_millis()
        .try_into()
        .unwrap_or(u64::MAX);
    let messages: Vec<CallMessage> = (0..case.call.count.max(1))
        .map(|i| CallMessage {
            call: format!("{key}.{i}"),
            case: planned.full_id.clone(),
            platform: planned.platform.name().to_string(),
            api: case.api.clone(),
            env: env.clone(),
            args: args.clone(),
            watch_ms: Some(watch_ms),
        })
        .collect();
    let bytes = ctx.server.bytes_sent_watch(&key);
    let collected = match ctx.supervisor.session().await {
        Err(reason) => Collected::died_before_start(&messages, reason),
        Ok(session) => collect(session, messages, &case.call.actions, listening, bytes).await,
    };

    let mut files = {
        let sandbox = sandbox.clone();
        tokio::task::spawn_blocking(move || sandbox.scan())
            .await
            .unwrap_or_default()
    };
    files.extend(outside::refused(
        ctx.sandbox_mode,
        &collected.calls,
        &collected.log,
        &sandbox,
    ));
    let watch = Arc::clone(&ctx.outside);
    let leaving = key.clone();
    files.extend(
        tokio::task::spawn_blocking(move || watch.leave(&leaving))
            .await
            .unwrap_or_default(),
    );
    let observation = Observation {
        calls: collected.calls,
        files,
        server: ctx.server.journal(&key),
        url,
        log: collected.log,
    };
    ctx.server.close_origin(&key);
    if !ctx.keep_sandboxes {
        let _ = std::fs::remove_dir_all(&sandbox.case_dir);
    }
    let rejudge = Rejudge {
        planned: planned.clone(),
        templates,
        args,
        sdk_version: env.sdk_version,
        lacks,
        problems: collected.problems,
        unfired: collected.unfired,
        clocks: collected.clocks,
    };
    let judged = rejudge.judge(observation);
    Ok((judged, rejudge))
}

/// The status decided by how the calls ended, before any check: CRASH, ERROR, TIMEOUT,
/// UNSUPPORTED, or PASS meaning "every call completed, judge by the checks". An action whose
/// trigger never fired makes the case ERROR: its outcome says nothing about the action.
pub fn status_of(observation: &Observation, findings: &Findings<'_>) -> (Status, Option<String>) {
    let ends = observation.calls.iter().map(|c| &c.end);
    let first = |pick: fn(&CallEnd) -> Option<String>| ends.clone().find_map(pick);
    if let Some(reason) = first(|e| match e {
        CallEnd::CandidateDied(r) => Some(r.clone()),
        _ => None,
    }) {
        return (Status::Crash, Some(reason));
    }
    if let Some(problem) = findings.problems.first() {
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
    let unsupported = ends.clone().any(|e| matches!(e, CallEnd::Unsupported(_)));
    if !findings.unfired.is_empty() && !unsupported {
        return (
            Status::Error,
            Some(format!(
                "trigger never fired: {}",
                findings.unfired.join("; ")
            )),
        );
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
