//! `dlconform run`: run the conformance cases against a candidate and write results.json.

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;

use super::exit;
use crate::candidate::CandidateSpec;
use crate::results::RunResults;
use crate::runner::plan::{Selection, parse_partition};
use crate::runner::{self, RunOptions, report};
use crate::spec::model::Platform;

/// Arguments of `dlconform run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The candidate: `reference` (built in), or `cmd:<command line>` for a process speaking
    /// protocol v1 (see harness/PROTOCOL.md).
    #[arg(long, default_value = "reference")]
    pub candidate: String,
    /// Spec files or folders of `*.yaml` specs.
    #[arg(long, num_args = 1.., default_value = "specs")]
    pub specs: Vec<PathBuf>,
    /// Only these platforms (repeat or comma-separate).
    #[arg(long, value_delimiter = ',')]
    pub platform: Vec<String>,
    /// Only cases whose id matches (`*` one segment, `**` any); with or without the platform prefix.
    #[arg(long = "case")]
    pub cases: Vec<String>,
    /// Cases run at once (default: 4 per CPU, since cases mostly wait).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Run only slice k of n (`k/n`), for a CI matrix.
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
}

/// Run `dlconform run`; returns the exit code.
pub fn run(args: RunArgs) -> anyhow::Result<i32> {
    let options = match options(&args) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("dlconform run: {message}");
            return Ok(exit::CANNOT_RUN);
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let reporter = report::for_stderr();
    let results = match runtime.block_on(runner::run(options.clone(), reporter.as_ref())) {
        Ok(results) => results,
        Err(err) => {
            eprintln!("dlconform run: {err}");
            return Ok(exit::CANNOT_RUN);
        }
    };
    // Leftover candidate tasks must not hold the process open.
    runtime.shutdown_timeout(Duration::from_secs(1));
    let out = match &args.out {
        Some(dir) => dir.clone(),
        None => Path::new("reports").join(&options.run_id),
    };
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
    if args.out.is_none() {
        if let Err(err) = point_latest(Path::new("reports"), &options.run_id, &path) {
            eprintln!("dlconform run: cannot update reports/latest: {err}");
        }
    }
    let mut stdout = std::io::stdout();
    report::summary_table(&results, &mut stdout)?;
    println!("results: {}", path.display());
    Ok(exit_code(&results))
}

/// 0 when every required case is as expected, 1 otherwise.
pub fn exit_code(results: &RunResults) -> i32 {
    if results.summary.ok {
        exit::OK
    } else {
        exit::UNEXPECTED
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
    let partition = args
        .partition
        .as_deref()
        .map(parse_partition)
        .transpose()
        .map_err(|e| e.to_string())?;
    Ok(RunOptions {
        candidate,
        specs: args.specs.clone(),
        selection: Selection {
            platforms,
            cases: args.cases.clone(),
            partition,
        },
        jobs: args.jobs.unwrap_or_else(runner::default_jobs).max(1),
        hello_timeout: Duration::from_millis(args.hello_timeout_ms),
        linger: Duration::from_millis(args.linger_ms),
        keep_sandboxes: args.keep_sandboxes,
        lint: !args.no_lint,
        command_line: std::env::args().collect(),
        run_id: unique_run_id(Path::new("reports"), args.out.is_none()),
    })
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
