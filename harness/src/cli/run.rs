//! `dlconform run`: run the conformance cases against a candidate and write results.json.

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;

use super::exit;
use crate::candidate::sandbox::{self, SandboxMode};
use crate::candidate::{CandidateSpec, Limits, reaper};
use crate::expectations::Expectations;
use crate::filter::Filter;
use crate::partition::Partition;
use crate::results::RunResults;
use crate::runner::interrupt::{self, Interrupt};
use crate::runner::judging::Judging;
use crate::runner::plan::Selection;
use crate::runner::{self, RunGuards, RunOptions, RunOutput, report};
use crate::snapshot::{SnapshotMode, SnapshotTally};
use crate::spec::model::Platform;

/// Arguments of `dlconform run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The candidate: `reference` (built in), `cmd:<command line>` for a process speaking
    /// protocol v1 (see harness/PROTOCOL.md), or `listen:ws://HOST:PORT` to wait for a runtime
    /// (the bridge in bridge/) to connect over WebSocket.
    #[arg(long, default_value = "reference")]
    pub candidate: String,
    /// Spec files or folders of `*.yaml` specs.
    #[arg(long, num_args = 1.., default_value = "specs")]
    pub specs: Vec<PathBuf>,
    /// Only these platforms (repeat or comma-separate; default: every platform).
    #[arg(long, value_delimiter = ',')]
    pub platform: Vec<String>,
    /// Only cases whose id matches (`*` one segment, `**` any); with or without the platform
    /// prefix (default: every case).
    #[arg(long = "case")]
    pub cases: Vec<String>,
    /// Only cases this expression selects, e.g. `platform(douyin) and not id(download/size/**)`
    /// (predicates platform, api, id, tier, status; `and`, `or`, `not`, parentheses; see the
    /// examples below). Repeat to require all (default: no filter).
    #[arg(long = "filter", value_name = "EXPR")]
    pub filters: Vec<String>,
    /// The results file `status(...)` reads when it names no `results=FILE`.
    #[arg(long, value_name = "RESULTS", default_value = crate::filter::DEFAULT_RESULTS)]
    pub filter_results: PathBuf,
    /// Rerun the cases that were not as expected in RESULTS (default:
    /// reports/latest/results.json); composes with the other selections.
    #[arg(
        long,
        value_name = "RESULTS",
        num_args = 0..=1,
        default_missing_value = crate::filter::DEFAULT_RESULTS
    )]
    pub rerun_failed: Option<PathBuf>,
    /// Print the selected cases (id, platform, api, tier) and exit without running them.
    #[arg(long)]
    pub list: bool,
    /// Cases run at once (default: 32, since cases mostly wait).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Address the mock server binds to (default 127.0.0.1). For a runtime on a device that
    /// connects through `listen:ws://`, bind an address the device reaches, e.g. 0.0.0.0.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Host name or address the case URLs and the valid certificate name (default: the bind
    /// address), so a device can reach the scenarios; see README "QA on a device".
    #[arg(long, value_name = "HOST")]
    pub advertise: Option<String>,
    /// Folder keeping the mock server's test CA between runs, so a device installs it once
    /// (default: the run's temporary folder, a new CA every run).
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
    /// A results.json whose case durations decide the start order, longest first (default:
    /// reports/latest/results.json when it exists; cases it lacks are estimated from the spec).
    #[arg(long, value_name = "RESULTS")]
    pub durations_from: Option<PathBuf>,
    /// Run only slice k of n (`k/n`), for a CI matrix (default: every case).
    #[arg(long)]
    pub partition: Option<String>,
    /// Folder for results.json (default: reports/<run id>/, with reports/latest pointing at it).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Milliseconds the candidate may take to answer hello.
    #[arg(long, default_value_t = 10_000)]
    pub hello_timeout_ms: u64,
    /// Milliseconds to keep listening after a case's last complete, to catch stray events.
    #[arg(long, default_value_t = 100)]
    pub linger_ms: u64,
    /// Run specs that parse but do not lint clean (lint problems are counted, not fatal).
    #[arg(long)]
    pub no_lint: bool,
    /// Keep every case's sandbox folder (the path is printed at the end).
    #[arg(long)]
    pub keep_sandboxes: bool,
    /// How process candidates are held to their folders: `landlock` (they may write only
    /// beneath the run's sandbox and TMPDIR), `detect` (no confinement, writes outside found by
    /// scans), `off` (neither; only each case folder is scanned); default: `landlock` where the
    /// kernel has it, else `detect` with a warning.
    #[arg(long, value_name = "MODE")]
    pub sandbox: Option<SandboxMode>,
    /// Longest line kept from a process candidate, in bytes; a longer one is read to its end,
    /// dropped, and an ERROR of the case that owns its call.
    #[arg(long, value_name = "BYTES", default_value_t = crate::candidate::limits::DEFAULT_MAX_LINE_BYTES)]
    pub max_line_bytes: usize,
    /// Most events kept for one call; past it they are counted, not kept, and the case is ERROR.
    #[arg(long, value_name = "N", default_value_t = crate::candidate::limits::DEFAULT_MAX_EVENTS_PER_CALL)]
    pub max_events_per_call: u64,
    /// Most bytes of events kept for one call; past it they are counted, not kept, and the
    /// case is ERROR.
    #[arg(long, value_name = "BYTES", default_value_t = crate::candidate::limits::DEFAULT_MAX_EVENT_BYTES_PER_CALL)]
    pub max_event_bytes_per_call: u64,
    /// Name of the candidate for its expectations (`candidates/<NAME>/expectations.yaml`) and
    /// snapshots (`snapshots/<NAME>/`); default: the name from its hello, no expectations.
    #[arg(long)]
    pub candidate_name: Option<String>,
    /// Expectations file (harness/EXPECTATIONS.md); default:
    /// `candidates/<--candidate-name>/expectations.yaml` when that name is given and it exists.
    #[arg(long)]
    pub expectations: Option<PathBuf>,
    /// Rewrite the expectations file from this run's statuses, then exit 0.
    #[arg(long)]
    pub update_expectations: bool,
    /// Unexpected recommended cases and FLAKY cases fail the run too (default: only required
    /// cases not as expected fail it).
    #[arg(long)]
    pub strict: bool,
    /// Run a case that is not as expected again, up to N more times, each time as a fresh case
    /// (new server state); a case as expected on a retry is FLAKY, which fails the run only
    /// with --strict. Every try is kept in results.json (`attempts`).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub retries: u32,
    /// Snapshots: `off`, `check` (a changed snapshot fails the case, a missing one is new),
    /// `check-strict` (a missing one fails too) or `update` (write them).
    #[arg(long, default_value = "off", value_parser = parse_snapshot_mode)]
    pub snapshots: SnapshotMode,
    /// Folder holding `<candidate>/<platform>/<case>.yaml` snapshots.
    #[arg(long, default_value = "snapshots")]
    pub snapshot_dir: PathBuf,
}

fn parse_snapshot_mode(text: &str) -> Result<SnapshotMode, String> {
    text.parse()
}

/// Run `dlconform run`; returns the exit code.
pub fn run(args: RunArgs) -> anyhow::Result<i32> {
    let mut options = match options(&args) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("dlconform run: {message}");
            return Ok(exit::CANNOT_RUN);
        }
    };
    if args.list {
        return super::list::print_selected(&options, &mut std::io::stdout());
    }
    if let Some(results) = &args.rerun_failed
        && let Some(filter) = &options.selection.filter
        && filter.rerun_count() == Some(0)
    {
        println!(
            "nothing to rerun: every case in {} was as expected",
            results.display()
        );
        return Ok(exit::OK);
    }
    if options.server.bind.is_unspecified() && options.server.advertise.is_none() {
        eprintln!(
            "warning: bound to {} without --advertise: case URLs name it, which a device cannot reach",
            options.server.bind
        );
    }
    let expectations_path = expectations_path(&args);
    let expectations = match load_expectations(&args, expectations_path.as_deref()) {
        Ok(expectations) => expectations,
        Err(message) => {
            eprintln!("dlconform run: {message}");
            return Ok(exit::CANNOT_RUN);
        }
    };
    match declared_lacks(&args) {
        Ok(declared) => options.declared_lacks = declared,
        Err(message) => {
            eprintln!("dlconform run: {message}");
            return Ok(exit::CANNOT_RUN);
        }
    }
    if args.update_expectations && expectations_path.is_none() {
        eprintln!(
            "dlconform run: --update-expectations needs --expectations FILE or --candidate-name NAME"
        );
        return Ok(exit::CANNOT_RUN);
    }
    let judging = Judging {
        expectations,
        snapshots: args.snapshots,
        snapshot_root: args.snapshot_dir.clone(),
        candidate_name: args.candidate_name.clone(),
    };
    let out = match &args.out {
        Some(dir) => dir.clone(),
        None => Path::new("reports").join(&options.run_id),
    };
    // Refused before the first case: a run whose results cannot be written is wasted.
    if let Err(err) = crate::persist::check_writable(&out) {
        eprintln!("dlconform run: cannot write to {}: {err}", out.display());
        return Ok(exit::CANNOT_RUN);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let reporter = report::for_stderr();
    // Orphans of the candidate (a child that called setsid) come back to this process, so
    // that they can be ended with the run.
    reaper::become_subreaper();
    let (trigger, interrupt) = Interrupt::new();
    let guards = RunGuards {
        limits: Limits {
            max_line_bytes: args.max_line_bytes,
            max_events_per_call: args.max_events_per_call,
            max_event_bytes_per_call: args.max_event_bytes_per_call,
        },
        interrupt,
        shared_jobs: None,
    };
    let output = runtime.block_on(async {
        if let Err(err) = interrupt::listen(trigger, end_descendants_now) {
            tracing::warn!("cannot listen for signals: {err}");
        }
        runner::run_guarded(options.clone(), &judging, reporter.as_ref(), &guards).await
    });
    reaper::end_descendants(Duration::from_secs(1));
    let RunOutput {
        results,
        snapshots,
        stale_expectations,
    } = match output {
        Ok(output) => output,
        Err(err) => {
            eprintln!("dlconform run: {err}");
            return Ok(exit::CANNOT_RUN);
        }
    };
    // Leftover candidate tasks must not hold the process open.
    runtime.shutdown_timeout(Duration::from_secs(1));
    let path = match results.write_to(&out) {
        Ok(path) => path,
        Err(err) => {
            eprintln!("dlconform run: cannot write results: {err}");
            return Ok(exit::CANNOT_RUN);
        }
    };
    // Reports are a view of results.json: failing to write them does not change the verdict.
    match crate::report::write_reports(&results.clone().into(), &out) {
        Ok(written) => super::report::print_written(&written),
        Err(err) => eprintln!("dlconform run: cannot write reports: {err}"),
    }
    if let Some(signal) = guards.interrupt.signal() {
        let mut stdout = std::io::stdout();
        report::summary_table(&results, &mut stdout)?;
        // The summary says it was interrupted and what finished.
        println!("results: {} (reports/latest unchanged)", path.display());
        return Ok(signal.exit_code());
    }
    if args.out.is_none() {
        if let Err(err) = point_latest(Path::new("reports"), &options.run_id, &path) {
            eprintln!("dlconform run: cannot update reports/latest: {err}");
        }
    }
    let mut stdout = std::io::stdout();
    report::summary_table(&results, &mut stdout)?;
    println!("results: {}", path.display());
    for warning in &stale_expectations {
        eprintln!("warning: stale expectation: {warning}");
    }
    print_snapshots(&snapshots, args.snapshots);
    if args.update_expectations {
        if let Some(file) = &expectations_path {
            return Ok(update_expectations(file, &results));
        }
    }
    Ok(exit_code_with(&results, args.strict))
}

/// On a second signal: end the candidates' processes before exiting at once.
fn end_descendants_now() {
    reaper::end_descendants(Duration::from_millis(100));
}

/// 0 when every required case is as expected, 1 otherwise.
pub fn exit_code(results: &RunResults) -> i32 {
    exit_code_with(results, false)
}

/// 0 when every required case (and with `strict`, every recommended case, none of them FLAKY)
/// is as expected, 1 otherwise.
pub fn exit_code_with(results: &RunResults, strict: bool) -> i32 {
    let summary = &results.summary;
    let strict_ok =
        !strict || (summary.unexpected_recommended.is_empty() && summary.flaky.is_empty());
    if summary.ok && strict_ok {
        exit::OK
    } else {
        exit::UNEXPECTED
    }
}

/// The lacks of `candidates/<--candidate-name>/candidate.yaml` when there is one: its hello must
/// lack exactly those, as in `compat`.
fn declared_lacks(args: &RunArgs) -> Result<Option<Vec<crate::protocol::Capability>>, String> {
    let Some(name) = &args.candidate_name else {
        return Ok(None);
    };
    let file = Path::new("candidates")
        .join(crate::snapshot::folder_name(name))
        .join(crate::compat::MANIFEST_FILE);
    if !file.is_file() {
        return Ok(None);
    }
    let manifest = crate::compat::manifest::load(&file).map_err(|e| e.to_string())?;
    Ok(Some(manifest.lacks.iter().map(|l| l.capability).collect()))
}

/// `--expectations`, or `candidates/<--candidate-name>/expectations.yaml`.
fn expectations_path(args: &RunArgs) -> Option<PathBuf> {
    args.expectations.clone().or_else(|| {
        args.candidate_name.as_ref().map(|name| {
            Path::new("candidates")
                .join(crate::snapshot::folder_name(name))
                .join("expectations.yaml")
        })
    })
}

/// Load the expectations; a missing default file (or any missing file being rewritten) is empty.
fn load_expectations(args: &RunArgs, path: Option<&Path>) -> Result<Expectations, String> {
    let Some(path) = path else {
        return Ok(Expectations::empty());
    };
    let may_be_missing = args.expectations.is_none() || args.update_expectations;
    if may_be_missing && !path.exists() {
        return Ok(Expectations::empty());
    }
    Expectations::load(path).map_err(|err| err.to_string())
}

/// Write the expectations file from the run; 0 when written, 2 when it could not be.
fn update_expectations(file: &Path, results: &RunResults) -> i32 {
    let written = super::expectations::rewrite(file, results).and_then(|text| {
        file.parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| crate::persist::write_whole(file, text.as_bytes()))
            .map_err(|err| format!("cannot write {}: {err}", file.display()))
    });
    match written {
        Ok(()) => {
            println!("expectations written: {}", file.display());
            exit::OK
        }
        Err(err) => {
            eprintln!("dlconform run: {err}");
            exit::CANNOT_RUN
        }
    }
}

fn print_snapshots(tally: &SnapshotTally, mode: SnapshotMode) {
    if mode == SnapshotMode::Off {
        return;
    }
    if mode == SnapshotMode::Update {
        println!(
            "snapshots: {} written, {} unchanged",
            tally.written, tally.unchanged
        );
    } else {
        println!(
            "snapshots: {} same, {} changed, {} new",
            tally.same,
            tally.changed.len(),
            tally.new.len()
        );
        for id in &tally.changed {
            println!("  changed: {id}");
        }
        for id in &tally.new {
            println!("  new: {id}");
        }
        if !tally.changed.is_empty() || !tally.new.is_empty() {
            println!(
                "  pending as <case>.yaml.new: review with `dlconform snapshot review`, or store all with `dlconform snapshot accept`"
            );
        }
    }
    for error in &tally.errors {
        eprintln!("snapshot error: {error}");
    }
}

fn options(args: &RunArgs) -> Result<RunOptions, String> {
    let candidate = CandidateSpec::parse(&args.candidate).map_err(|e| e.to_string())?;
    let mut platforms = Vec::new();
    for name in &args.platform {
        let platform = Platform::from_name(name.trim()).ok_or_else(|| {
            let known: Vec<&str> = Platform::ALL.iter().map(|p| p.name()).collect();
            format!("unknown platform '{name}'; known: {}", known.join(", "))
        })?;
        platforms.push(platform);
    }
    let filter = selection_filter(args)?;
    let partition = args
        .partition
        .as_deref()
        .map(Partition::parse)
        .transpose()
        .map_err(|e| e.to_string())?;
    Ok(RunOptions {
        candidate,
        specs: args.specs.clone(),
        selection: Selection {
            platforms,
            cases: args.cases.clone(),
            filter,
            partition,
        },
        jobs: args.jobs.unwrap_or_else(runner::default_jobs).max(1),
        hello_timeout: Duration::from_millis(args.hello_timeout_ms),
        linger: Duration::from_millis(args.linger_ms),
        keep_sandboxes: args.keep_sandboxes,
        declared_lacks: None,
        sandbox: sandbox_mode(args.sandbox)?,
        lint: !args.no_lint,
        durations: runner::schedule::Durations::from_results(
            args.durations_from
                .as_deref()
                .unwrap_or(Path::new("reports/latest/results.json")),
        ),
        server: runner::ServerPlacement {
            bind: args.bind,
            advertise: args.advertise.clone(),
            state_dir: args.state_dir.clone(),
        },
        command_line: std::env::args().collect(),
        run_id: unique_run_id(Path::new("reports"), args.out.is_none()),
        retries: args.retries,
    })
}

/// The `--sandbox` mode: `landlock` is refused where the kernel lacks it; without the option,
/// `landlock` where the kernel has it, else `detect` with a warning (printed once, here).
fn sandbox_mode(requested: Option<SandboxMode>) -> Result<SandboxMode, String> {
    let abi = sandbox::landlock_abi();
    let mode = match (requested, abi) {
        (Some(SandboxMode::Landlock), None) => {
            return Err(
                "--sandbox landlock: this kernel has no Landlock (or it is disabled); \
                 use --sandbox detect"
                    .into(),
            );
        }
        (Some(mode), _) => mode,
        (None, Some(_)) => SandboxMode::Landlock,
        (None, None) => {
            eprintln!(
                "warning: this kernel has no Landlock: process candidates are not confined; \
                 writes outside their folders are detected where the scans can see them \
                 (--sandbox detect)"
            );
            SandboxMode::Detect
        }
    };
    if let (SandboxMode::Landlock, Some(abi)) = (mode, abi)
        && abi < sandbox::FULL_ABI
    {
        eprintln!(
            "warning: Landlock ABI {abi} is partially enforced: truncating files outside the \
             sandbox is not refused (ABI {} needed); the detection scans still run",
            sandbox::FULL_ABI
        );
    }
    Ok(mode)
}

/// `--filter` expressions and `--rerun-failed`, all holding; none: no filter.
fn selection_filter(args: &RunArgs) -> Result<Option<Filter>, String> {
    let mut combined: Option<Filter> = None;
    for text in &args.filters {
        let filter = Filter::compile(text, &args.filter_results).map_err(|e| e.to_string())?;
        combined = Some(match combined {
            Some(previous) => previous.and(filter),
            None => filter,
        });
    }
    if let Some(results) = &args.rerun_failed {
        let filter = Filter::rerun_failed(results).map_err(|e| format!("--rerun-failed: {e}"))?;
        combined = Some(match combined {
            Some(previous) => previous.and(filter),
            None => filter,
        });
    }
    Ok(combined)
}

/// A UTC timestamp, suffixed when a run of the same second already has a folder.
fn unique_run_id(reports: &Path, check: bool) -> String {
    let base = runner::new_run_id();
    if !check {
        return base;
    }
    let mut id = base.clone();
    let mut n = 2;
    while reports.join(&id).exists() {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

/// Make `reports/latest` point at the newest run: a relative symlink, or a copy of results.json.
fn point_latest(reports: &Path, run_id: &str, results: &Path) -> std::io::Result<()> {
    let latest = reports.join("latest");
    if let Ok(meta) = std::fs::symlink_metadata(&latest) {
        if meta.is_dir() {
            std::fs::remove_dir_all(&latest)?;
        } else {
            std::fs::remove_file(&latest)?;
        }
    }
    #[cfg(unix)]
    if std::os::unix::fs::symlink(run_id, &latest).is_ok() {
        return Ok(());
    }
    std::fs::create_dir_all(&latest)?;
    std::fs::copy(results, latest.join("results.json")).map(|_| ())
}
