//! The runner: load specs, select cases, start the mock server and the candidate, run the cases
//! in parallel, and gather their results.

pub mod case;
pub mod collect;
pub mod interrupt;
pub mod judging;
pub mod late;
pub mod outside;
pub mod plan;
pub mod report;
pub mod retry;
pub mod sandbox;
pub mod schedule;
pub mod slots;
pub mod specs;
pub mod templates;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use mock_server::{MockServer, ServerConfig};

use crate::candidate::sandbox::{Confinement, SandboxMode};
use crate::candidate::{CandidateSpec, Limits, RunValues, StartError, Supervisor};
use crate::protocol::{Capability, PROTOCOL_VERSION};
use crate::results::{
    CandidateInfo, CaseResult, RESULTS_FORMAT, RunInfo, RunResults, SelectionInfo, SpecFileInfo,
    Summary,
};
use case::CaseContext;
use judging::{CaseJudge, Judging};
use plan::Selection;
use report::Reporter;

/// How a run is set up.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The candidate.
    pub candidate: CandidateSpec,
    /// Spec files or folders.
    pub specs: Vec<PathBuf>,
    /// Which cases.
    pub selection: Selection,
    /// Cases run at once.
    pub jobs: usize,
    /// How long the candidate may take to answer hello.
    pub hello_timeout: Duration,
    /// How long to listen after the last `complete` of a case.
    pub linger: Duration,
    /// Keep sandboxes and the server's state folder (printed at the end).
    pub keep_sandboxes: bool,
    /// The command line, for results.json.
    pub command_line: Vec<String>,
    /// The run id.
    pub run_id: String,
    /// Refuse specs with lint problems (off: only unparsable specs stop the run).
    pub lint: bool,
    /// Case durations of an earlier run, to start the longest cases first.
    pub durations: schedule::Durations,
    /// Where the mock server listens and what name its URLs carry.
    pub server: ServerPlacement,
    /// How process candidates are held to their folders (`--sandbox`).
    pub sandbox: SandboxMode,
    /// How many times a case not as expected is run again (`--retries`).
    pub retries: u32,
    /// The capabilities the candidate must lack (its manifest's, with evidence); `None`: its
    /// hello's `lacks` are taken as they are.
    pub declared_lacks: Option<Vec<Capability>>,
}

impl RunOptions {
    /// A run of `specs` against `candidate` with the defaults of `dlconform run`: every case,
    /// default jobs, hello timeout 10 s, linger 100 ms, lint on, no retries; change fields as needed.
    pub fn new(candidate: CandidateSpec, specs: Vec<PathBuf>) -> RunOptions {
        RunOptions {
            candidate,
            specs,
            selection: Selection::default(),
            jobs: default_jobs(),
            hello_timeout: Duration::from_secs(10),
            linger: Duration::from_millis(100),
            keep_sandboxes: false,
            command_line: vec!["dlconform".into(), "run".into()],
            run_id: new_run_id(),
            lint: true,
            durations: schedule::Durations::default(),
            server: ServerPlacement::default(),
            sandbox: SandboxMode::default_for_kernel(),
            retries: 0,
            declared_lacks: None,
        }
    }
}

/// Where a run's mock server listens: loopback by default; for a runtime on a device (a
/// bridge page on a phone), an address the device reaches and a CA it has installed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerPlacement {
    /// Address every listener binds to.
    pub bind: std::net::IpAddr,
    /// Host name or address the URLs and the valid certificate name (default: the bind address).
    pub advertise: Option<String>,
    /// Folder keeping the test CA between runs (default: the run's temporary folder).
    pub state_dir: Option<PathBuf>,
}

impl Default for ServerPlacement {
    fn default() -> Self {
        ServerPlacement {
            bind: std::net::IpAddr::from([127, 0, 0, 1]),
            advertise: None,
            state_dir: None,
        }
    }
}

/// What bounds a run besides its options: the caps on what the candidate writes, and the
/// interrupt that cuts it short.
#[derive(Debug, Clone)]
pub struct RunGuards {
    /// Caps on the candidate's lines and events.
    pub limits: Limits,
    /// Raised by Ctrl-C or SIGTERM.
    pub interrupt: interrupt::Interrupt,
    /// Case slots shared with other runs going at once (`dlconform compat`): each case holds
    /// one while it runs, besides the run's own `jobs`. `None`: the run's `jobs` alone.
    pub shared_jobs: Option<Arc<tokio::sync::Semaphore>>,
}

impl Default for RunGuards {
    fn default() -> Self {
        RunGuards {
            limits: Limits::default(),
            interrupt: interrupt::Interrupt::never(),
            shared_jobs: None,
        }
    }
}

/// How long aborted cases may take to let go of the server and the candidate.
const ABORT_GRACE: Duration = Duration::from_secs(2);

/// Why a run could not happen (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Spec files missing or invalid.
    #[error("cannot load specs:\n{0}")]
    Specs(#[from] specs::SpecLoadError),
    /// Bad selection.
    #[error(transparent)]
    Selection(#[from] plan::SelectionError),
    /// Nothing selected.
    #[error("no case matches the selection")]
    NoCases,
    /// The candidate would not start.
    #[error(transparent)]
    Candidate(#[from] StartError),
    /// The mock server would not start.
    #[error("mock server would not start: {0}")]
    Server(#[from] mock_server::ServerError),
    /// File system trouble.
    #[error("{0}")]
    Io(String),
    /// The hello's `lacks` differ from those the candidate's manifest declares.
    #[error("the candidate's lacks do not agree with its manifest: {0}")]
    Lacks(String),
}

/// Default number of cases at once: they mostly wait (on delays, trickles, watch windows), so
/// the number does not follow the cores; 32 keeps the default run about as long as its slowest
/// case (`bench/suite.sh`) and holds on a loaded 2-core machine (`bench/load.sh`).
pub const DEFAULT_JOBS: usize = 32;

/// Default number of cases at once ([`DEFAULT_JOBS`]).
pub fn default_jobs() -> usize {
    DEFAULT_JOBS
}

/// A run's results, with what snapshots and expectations made of it.
#[derive(Debug, Clone)]
pub struct RunOutput {
    /// The results (statuses judged against the expectations).
    pub results: RunResults,
    /// Snapshot outcomes.
    pub snapshots: crate::snapshot::SnapshotTally,
    /// Expectation entries that decided no case, as warnings.
    pub stale_expectations: Vec<String>,
}

/// Run the selected cases and return their results (no expectations, no snapshots).
pub async fn run(options: RunOptions, reporter: &dyn Reporter) -> Result<RunResults, RunError> {
    run_with(options, &Judging::default(), reporter)
        .await
        .map(|output| output.results)
}

/// Run the selected cases, compare or store snapshots and judge each case against the
/// expectations as it finishes.
pub async fn run_with(
    options: RunOptions,
    judging: &Judging,
    reporter: &dyn Reporter,
) -> Result<RunOutput, RunError> {
    run_guarded(options, judging, reporter, &RunGuards::default()).await
}

/// [`run_with`], holding the candidate to `guards.limits`; when `guards.interrupt` is raised
/// the cases in flight are dropped, and the results hold the cases finished so far, marked
/// interrupted.
pub async fn run_guarded(
    options: RunOptions,
    judging: &Judging,
    reporter: &dyn Reporter,
    guards: &RunGuards,
) -> Result<RunOutput, RunError> {
    let started_at = now_rfc3339();
    let spec_files: Vec<Arc<specs::SpecFile>> = specs::load(&options.specs, options.lint)?
        .into_iter()
        .map(Arc::new)
        .collect();
    let cases = options.selection.apply(plan::expand(&spec_files))?;
    if cases.is_empty() {
        return Err(RunError::NoCases);
    }
    let work = tempfile::Builder::new()
        .prefix("dlconform-run-")
        .tempdir()
        .map_err(|e| RunError::Io(format!("cannot create a temporary folder: {e}")))?;
    let server = MockServer::start(ServerConfig {
        bind: options.server.bind,
        http_port: 0,
        state_dir: options
            .server
            .state_dir
            .clone()
            .unwrap_or_else(|| work.path().join("server")),
        journal_limit: 10_000,
        device: mock_server::DeviceConfig {
            advertise: options.server.advertise.clone(),
            ..Default::default()
        },
        max_body_bytes: mock_server::DEFAULT_MAX_BODY_BYTES,
        // Every running case may hold an origin, so the bound never closes a running case's.
        max_case_origins: options
            .jobs
            .max(mock_server::net::origins::DEFAULT_MAX_OPEN),
    })
    .await?;
    let server = Arc::new(server);
    // The folders must exist before the candidate starts: Landlock rules name open folders.
    let confinement = Confinement {
        mode: options.sandbox,
        sandbox_root: work.path().join("cases"),
        tmpdir: work.path().join("tmp"),
    };
    for dir in [&confinement.sandbox_root, &confinement.tmpdir] {
        if let Err(e) = std::fs::create_dir_all(dir) {
            shutdown_server(server).await;
            return Err(RunError::Io(format!(
                "cannot create {}: {e}",
                dir.display()
            )));
        }
    }
    let outside = outside::OutsideWatch::new(
        options.sandbox,
        work.path(),
        &confinement.sandbox_root,
        &[confinement.tmpdir.clone(), work.path().join("server")],
        std::env::current_dir().ok().as_deref(),
    );
    let supervisor = match Supervisor::start(
        options.candidate.clone(),
        options.hello_timeout,
        RunValues {
            confinement: Some(confinement.clone()),
            ..run_values(&server)
        },
        guards.limits,
    )
    .await
    {
        Ok(s) => Arc::new(s),
        Err(err) => {
            shutdown_server(server).await;
            return Err(err.into());
        }
    };
    if let Some(declared) = &options.declared_lacks
        && let Some(why) = crate::compat::lacks::disagreement(declared, &supervisor.lacks())
    {
        supervisor.shutdown().await;
        shutdown_server(server).await;
        return Err(RunError::Lacks(why));
    }
    let ctx = Arc::new(CaseContext {
        server: Arc::clone(&server),
        supervisor: Arc::clone(&supervisor),
        sandbox_base: confinement.sandbox_root.clone(),
        sandbox_mode: options.sandbox,
        outside: Arc::new(outside),
        linger: options.linger,
        keep_sandboxes: options.keep_sandboxes,
    });

    reporter.start(cases.len());
    let os_of: std::collections::HashMap<String, crate::spec::model::Os> =
        cases.iter().map(|c| (c.full_id.clone(), c.os())).collect();
    let judge = std::sync::Mutex::new(CaseJudge::new(judging, &supervisor.hello().name));
    let platforms = {
        let mut p: Vec<String> = cases
            .iter()
            .map(|c| c.platform.name().to_string())
            .collect();
        p.sort();
        p.dedup();
        p
    };
    let os = |id: &str| os_of.get(id).copied().unwrap_or_default();
    // Longest first and unordered, so that a slow case (a big body, a watch window) holds one
    // slot, not the ones behind it; each case keeps its plan index (its server key) whatever
    // order it starts in, and the results go back into plan order afterwards.
    let start_order = schedule::order(&cases, &options.durations);
    // A candidate that keeps each case an app of its own queues nothing across cases; any
    // other queues every call of a platform in one app, so the runner holds the slots for it.
    let platform_slots = Arc::new(
        if supervisor
            .hello()
            .has_feature(crate::protocol::FEATURE_APPS)
        {
            slots::PlatformSlots::default()
        } else {
            slots::PlatformSlots::for_cases(&cases)
        },
    );
    let planned_count = cases.len();
    let mut pending: Vec<Option<plan::PlannedCase>> = cases.into_iter().map(Some).collect();
    let ordered: Vec<(usize, plan::PlannedCase)> = start_order
        .into_iter()
        .filter_map(|i| pending[i].take().map(|c| (i, c)))
        .collect();
    let in_flight = std::sync::Mutex::new(Vec::new());
    let tries = Tries {
        ctx: &ctx,
        platform_slots: &platform_slots,
        in_flight: &in_flight,
        judge: &judge,
        reporter,
        retries: options.retries,
        planned_count,
        shared_jobs: guards.shared_jobs.clone(),
    };
    let mut ran: Vec<(usize, CaseResult, Option<case::Rejudge>)> =
        futures_util::stream::iter(ordered)
            .map(|(index, planned)| {
                let case_os = os(&planned.full_id);
                tries.run(index, planned, case_os)
            })
            .buffer_unordered(options.jobs.max(1))
            .take_until(guards.interrupt.raised())
            .collect()
            .await;
    let mut judge = match judge.into_inner() {
        Ok(judge) => judge,
        Err(poisoned) => poisoned.into_inner(),
    };
    ran.sort_by_key(|(index, _, _)| *index);
    let interrupted = guards.interrupt.signal();
    if interrupted.is_some() {
        end_cases_in_flight(&in_flight, &ctx).await;
    }
    // Events keep reaching their calls until the candidate stops; then the cases that got
    // late ones are judged again, before anything is written.
    supervisor.shutdown().await;
    if options.sandbox != SandboxMode::Off {
        outside::warn_leftovers(&confinement.tmpdir);
    }
    let mut late = supervisor.late().take();
    let mut results = Vec::with_capacity(ran.len());
    for (_, mut result, rejudge) in ran {
        if let Some(rejudge) = rejudge {
            if late::attach(&mut result, &rejudge, &mut late) {
                let case_os = os(&result.id);
                judge.apply(&mut result, case_os);
                retry::resettle(&mut result);
                reporter.case_rejudged(&result);
            }
        }
        results.push(result);
    }
    reporter.finish();
    judge.reorder(results.iter().map(|r| r.id.as_str()));
    drop(ctx);
    shutdown_server(server).await;
    if options.keep_sandboxes {
        let kept = work.keep();
        eprintln!("sandboxes kept in {}", kept.display());
    }

    let hello = supervisor.hello();
    let stale_expectations = judge.finish(&mut results);
    let defects = crate::defects::group(&results, |at| {
        crate::defects::known_by(&judging.expectations, at)
    });
    let snapshots = judge.tally();
    let partition = options.selection.partition.map(|p| p.to_string());
    let results = RunResults {
        format: RESULTS_FORMAT,
        run: RunInfo {
            id: options.run_id.clone(),
            harness_version: env!("CARGO_PKG_VERSION").to_string(),
            protocol: PROTOCOL_VERSION,
            candidate: CandidateInfo {
                spec: options.candidate.label(),
                name: hello.name.clone(),
                version: hello.version.clone(),
                platforms: hello.platforms.clone(),
                apis: hello.apis.clone(),
                starts: supervisor.starts(),
                lacks: supervisor
                    .lacks()
                    .iter()
                    .map(|c| c.name().to_string())
                    .collect(),
                library: hello.library.clone(),
                runtime: hello.runtime.clone(),
            },
            spec_files: spec_files
                .iter()
                .map(|s| SpecFileInfo {
                    path: s.path.display().to_string(),
                    sha256: s.sha256.clone(),
                    platform: s.spec.platform.name().to_string(),
                })
                .collect(),
            platforms,
            selection: SelectionInfo {
                platforms: options
                    .selection
                    .platforms
                    .iter()
                    .map(|p| p.name().to_string())
                    .collect(),
                cases: options.selection.cases.clone(),
            },
            partition,
            jobs: options.jobs,
            started_at,
            finished_at: now_rfc3339(),
            command_line: options.command_line.clone(),
            interrupted: interrupted.map(|s| s.name().to_string()),
        },
        summary: Summary::of(&results),
        cases: results,
        defects,
        stale: stale_expectations.clone(),
    };
    Ok(RunOutput {
        results,
        snapshots,
        stale_expectations,
    })
}

/// What it takes to run one case, and again while it is not as expected (`--retries`).
struct Tries<'a, 'j> {
    ctx: &'a Arc<CaseContext>,
    platform_slots: &'a Arc<slots::PlatformSlots>,
    in_flight: &'a std::sync::Mutex<Vec<tokio::task::AbortHandle>>,
    judge: &'a std::sync::Mutex<CaseJudge<'j>>,
    reporter: &'a dyn Reporter,
    retries: u32,
    planned_count: usize,
    shared_jobs: Option<Arc<tokio::sync::Semaphore>>,
}

impl Tries<'_, '_> {
    /// Run case `index` until it is as expected or out of retries; each try is a fresh case
    /// (its own server key, state and sandbox) holding the job and its platform's slots.
    async fn run(
        &self,
        index: usize,
        planned: plan::PlannedCase,
        os: crate::spec::model::Os,
    ) -> (usize, CaseResult, Option<case::Rejudge>) {
        let mut earlier = Vec::new();
        let mut attempt: u32 = 0;
        loop {
            // Keys of later tries follow every first try's, so no two tries share one.
            let key_index = attempt as usize * self.planned_count + index;
            let ctx = Arc::clone(self.ctx);
            let platform_slots = Arc::clone(self.platform_slots);
            let case = planned.clone();
            let shared = self.shared_jobs.clone();
            let handle = tokio::spawn(async move {
                // Before the case's clock starts: waiting for a slot other runs hold is no
                // part of its duration. A closed semaphore (never closed) lets the case go.
                let _shared = match shared {
                    Some(jobs) => jobs.acquire_owned().await.ok(),
                    None => None,
                };
                let _slots = platform_slots.acquire(&case).await;
                case::run_case(ctx, case, key_index).await
            });
            if let Ok(mut tasks) = self.in_flight.lock() {
                tasks.push(handle.abort_handle());
            }
            let (mut result, rejudge) = handle
                .await
                .unwrap_or_else(|err| (panicked_case(&planned.full_id, &err.to_string()), None));
            match self.judge.lock() {
                Ok(mut judge) => judge.apply(&mut result, os),
                Err(poisoned) => poisoned.into_inner().apply(&mut result, os),
            }
            if retry::again(&result, attempt, self.retries) {
                self.reporter.case_retried(&result, attempt + 1);
                earlier.push(crate::results::Attempt::of(&result));
                attempt += 1;
                continue;
            }
            retry::settle(&mut result, earlier);
            self.reporter.case_done(&result);
            return (index, result, rejudge);
        }
    }
}

/// Abort the cases still running and wait briefly until they let go of the run's context,
/// so that the server and the candidate can be stopped.
async fn end_cases_in_flight(
    tasks: &std::sync::Mutex<Vec<tokio::task::AbortHandle>>,
    ctx: &Arc<CaseContext>,
) {
    if let Ok(tasks) = tasks.lock() {
        for task in tasks.iter() {
            task.abort();
        }
    }
    let deadline = tokio::time::Instant::now() + ABORT_GRACE;
    while Arc::strong_count(ctx) > 1 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// What every candidate instance gets in the harness's hello: the test CA and the origins.
fn run_values(server: &MockServer) -> RunValues {
    let origins = mock_server::ListenerKind::ALL
        .iter()
        .filter_map(|&kind| {
            let name = serde_json::to_value(kind).ok()?.as_str()?.to_string();
            Some((name, server.base_url(kind)))
        })
        .collect();
    RunValues {
        ca_cert: Some(server.ca_cert_path().display().to_string()),
        origins: Some(origins),
        confinement: None,
    }
}

async fn shutdown_server(server: Arc<MockServer>) {
    match Arc::try_unwrap(server) {
        Ok(server) => server.shutdown().await,
        Err(_) => tracing::debug!("mock server still shared at the end of the run"),
    }
}

fn panicked_case(id: &str, error: &str) -> CaseResult {
    CaseResult {
        id: id.to_string(),
        platform: id.split('/').next().unwrap_or_default().to_string(),
        api: String::new(),
        tier: crate::spec::model::Tier::Required,
        summary: String::new(),
        source: String::new(),
        source_url: None,
        spec: String::new(),
        expected: crate::verdict::Status::Pass,
        status: crate::verdict::Status::Error,
        reason: Some(format!("harness error while running the case: {error}")),
        judged: Vec::new(),
        failures: Vec::new(),
        not_applicable: Vec::new(),
        unexplained: Vec::new(),
        decided_by: None,
        observation: None,
        duration_ms: 0,
        attempts: Vec::new(),
    }
}

/// Now, RFC 3339 UTC.
pub fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// A run id: the UTC time, `20250101T120000Z`.
pub fn new_run_id() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    )
}
