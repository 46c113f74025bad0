//! `dlconform compat`: install and run the reference and every candidate with a manifest, merge
//! the runs and write the compatibility matrix to `reports/compat/`.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::exit;
use crate::candidate::reaper;
use crate::compat::execute::{self, ColumnRun};
use crate::compat::{self, CompatOptions, summary};
use crate::runner::interrupt::{self, Interrupt};
use crate::runner::{RunGuards, report};
use crate::spec::model::Platform;

/// Cases at once across the columns unless `--jobs` says otherwise. Not `dlconform run`'s 32:
/// on 2 cores, with three columns streaming 200 MiB bodies (two through Chromium) at once, the
/// reference's redirect-loop and timeout cases missed their bounds at 32 in 4 runs of 5 (redirect
/// hops 0.2-3 s apart), while at 8 none did and the matrix took about as long (140 s, 132 s at 32).
pub const DEFAULT_JOBS: usize = 8;

/// Long help of `dlconform compat`.
pub const LONG_ABOUT: &str = "\
Install and run the reference and every candidate with a manifest, merge the runs and write the
compatibility matrix.

A candidate joins the matrix with one file, `candidates/<name>/candidate.yaml`:

  name: taro-h5                      # its folder's name
  description: \"Taro 4 H5 runtime (@tarojs/taro-h5) in headless Chromium\"
  install: \"./install.sh\"            # optional; run with sh in the folder; idempotent
  candidate: \"cmd:node candidates/taro-h5/adapter.js\"   # the --candidate value, from the repo root
  platforms: [wechat]                # the platforms it is run over
  expectations: expectations.yaml    # relative to the folder
  lacks:                             # optional: capabilities its runtime does not have
    - capability: files
      evidence: {observed: \"a blob: URL, filePath ignored\", document: \"a web page has no platform files\"}

Every manifest is checked first (unknown keys, missing fields, unknown platforms, a lack without
both halves of its evidence: exit 2 with file:line:column), and so is every expectations file;
each entry of a real candidate's file (any folder but example-node) must carry `evidence`
(harness/EXPECTATIONS.md). A candidate whose hello lacks other capabilities than its manifest
lists is not run (COULD NOT RUN, harness/PROTOCOL.md#capabilities-lacks).

Then each manifest's `install` runs (its output in <out>/install/<name>.log); one that fails is
reported and its candidate is not run, the others are. Then the built-in reference runs over every
platform and each candidate over its `platforms` with its expectations, all at once in this
process, each with its own mock server, sandbox and candidate process; their cases share --jobs
(at most that many cases at once across all runs). Each run's results go to
<out>/runs/<name>/results.json; the merged matrix to <out>/results.json, report.html (the matrix
on top, each cell leading to its failed checks), report.md and junit.xml.

Snapshots are checked against snapshots/<name>/: a changed or new one is written next to it as
<case>.yaml.new and reported; accept with `dlconform snapshot review` or `dlconform snapshot
accept --results <out>/runs/<name>/results.json --candidate <name>`.

Exit codes: 0 every run as its expectations say and every snapshot as stored; 1 not; 2 a manifest
or expectations file is wrong, or a candidate could not be installed or started.";

/// Examples of `dlconform compat`.
pub const EXAMPLES: &str = "\
Examples:
  dlconform compat                              # everything, into reports/compat/
  dlconform compat --no-install --candidates reference,example-node
  dlconform compat --candidates taro-h5 --platform wechat --jobs 4
  dlconform compat --case 'wechat/download/success/**' --out /tmp/compat
  dlconform compat --check-snapshots false      # do not compare snapshots";

/// Arguments of `dlconform compat`.
#[derive(Debug, Args)]
pub struct CompatArgs {
    /// Folder for the merged results.json, report.html, report.md, junit.xml, runs/ and install/.
    #[arg(long, default_value = "reports/compat")]
    pub out: PathBuf,
    /// Only these candidates (`reference` and folder names; repeat or comma-separate; default:
    /// the reference and every manifest).
    #[arg(long, value_delimiter = ',')]
    pub candidates: Vec<String>,
    /// Cases run at once, across all the runs going at once (default: 8).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Do not run the manifests' `install` commands (what they install must be there).
    #[arg(long)]
    pub no_install: bool,
    /// Seconds one `install` may take before it is stopped and counted as failed.
    #[arg(long, value_name = "SECONDS", default_value_t = 900)]
    pub install_timeout: u64,
    /// Compare each run's snapshots with snapshots/<name>/ (`true` or `false`).
    #[arg(long, value_name = "BOOL", default_value_t = true, action = clap::ArgAction::Set)]
    pub check_snapshots: bool,
    /// Folder holding `<candidate>/<platform>/<case>.yaml` snapshots.
    #[arg(long, default_value = "snapshots")]
    pub snapshot_dir: PathBuf,
    /// Folder of candidate folders, each with a candidate.yaml.
    #[arg(long, default_value = "candidates")]
    pub candidates_dir: PathBuf,
    /// Spec files or folders of `*.yaml` specs.
    #[arg(long, num_args = 1.., default_value = "specs")]
    pub specs: Vec<PathBuf>,
    /// Only these platforms, within each candidate's own (repeat or comma-separate; default:
    /// each candidate's own).
    #[arg(long, value_delimiter = ',')]
    pub platform: Vec<String>,
    /// Only cases whose id matches (`*` one segment, `**` any), in every run (default: every
    /// case).
    #[arg(long = "case")]
    pub cases: Vec<String>,
}

/// Run `dlconform compat`; returns the exit code.
pub fn run(args: &CompatArgs) -> anyhow::Result<i32> {
    let options = match options(args) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("dlconform compat: {message}");
            return Ok(exit::CANNOT_RUN);
        }
    };
    let columns = match compat::plan(&options) {
        Ok(columns) => columns,
        Err(err) => {
            eprintln!("{err}");
            eprintln!("dlconform compat: nothing run");
            return Ok(exit::CANNOT_RUN);
        }
    };
    if let Err(err) = crate::persist::check_writable(&options.out) {
        eprintln!(
            "dlconform compat: cannot write to {}: {err}",
            options.out.display()
        );
        return Ok(exit::CANNOT_RUN);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    reaper::become_subreaper();
    let (trigger, interrupt) = Interrupt::new();
    let guards = RunGuards {
        interrupt,
        ..RunGuards::default()
    };
    let reporter = report::for_stderr();
    let outcomes = runtime.block_on(async {
        if let Err(err) = interrupt::listen(trigger, end_descendants_now) {
            tracing::warn!("cannot listen for signals: {err}");
        }
        execute::run_columns(&columns, &options, reporter.as_ref(), &guards).await
    });
    reaper::end_descendants(Duration::from_secs(1));
    runtime.shutdown_timeout(Duration::from_secs(1));
    // With a narrowed selection most entries decide no case; that says nothing of the file.
    let whole = options.cases.is_empty() && options.platforms.is_empty();
    for outcome in &outcomes {
        if let ColumnRun::Ran(ran) = &outcome.run {
            for warning in ran.stale_expectations.iter().filter(|_| whole) {
                eprintln!("warning: {}: stale expectation: {warning}", outcome.name);
            }
            for id in ran.snapshots.changed.iter().chain(&ran.snapshots.new) {
                println!("snapshot pending ({}): {id}", outcome.name);
            }
            for error in &ran.snapshots.errors {
                eprintln!("snapshot error ({}): {error}", outcome.name);
            }
        }
    }
    println!("{}", summary::table(&outcomes, options.check_snapshots));
    let code = summary::exit_code(&outcomes);
    if !outcomes.iter().any(|o| matches!(o.run, ColumnRun::Ran(_))) {
        eprintln!("dlconform compat: nothing ran, so no matrix was written");
        return Ok(exit::CANNOT_RUN);
    }
    match summary::merged(&outcomes) {
        Ok(merged) => {
            for warning in &merged.warnings {
                eprintln!("dlconform compat: warning: {warning}");
            }
            match merged.merged.write_to(&options.out) {
                Ok(path) => println!("results: {}", path.display()),
                Err(err) => {
                    eprintln!("dlconform compat: cannot write results: {err}");
                    return Ok(exit::CANNOT_RUN);
                }
            }
            match crate::report::write_reports(&merged.merged, &options.out) {
                Ok(written) => super::report::print_written(&written),
                Err(err) => {
                    eprintln!("dlconform compat: cannot write reports: {err}");
                    return Ok(exit::CANNOT_RUN);
                }
            }
        }
        Err(err) => {
            eprintln!("dlconform compat: no matrix written: {err}");
            return Ok(exit::CANNOT_RUN);
        }
    }
    if let Some(signal) = guards.interrupt.signal() {
        println!(
            "interrupted by {}: the matrix holds what finished",
            signal.name()
        );
        return Ok(signal.exit_code());
    }
    let dir = if options.snapshot_dir == std::path::Path::new("snapshots") {
        String::new()
    } else {
        format!(" --snapshot-dir {}", options.snapshot_dir.display())
    };
    for outcome in &outcomes {
        let ColumnRun::Ran(ran) = &outcome.run else {
            continue;
        };
        if !summary::snapshots_match(&ran.snapshots) {
            let name = &outcome.name;
            println!(
                "{name}: snapshots pending as <case>.yaml.new: review with `dlconform snapshot review --candidate {name}{dir}`, or store them all with `dlconform snapshot accept --results {} --candidate {name}{dir}`",
                ran.path.display(),
            );
        }
    }
    Ok(code)
}

/// On a second signal: end the candidates' processes before exiting at once.
fn end_descendants_now() {
    reaper::end_descendants(Duration::from_millis(100));
}

fn options(args: &CompatArgs) -> Result<CompatOptions, String> {
    let mut platforms = Vec::new();
    for name in &args.platform {
        let platform = Platform::from_name(name.trim()).ok_or_else(|| {
            let known: Vec<&str> = Platform::ALL.iter().map(|p| p.name()).collect();
            format!("unknown platform '{name}'; known: {}", known.join(", "))
        })?;
        platforms.push(platform);
    }
    Ok(CompatOptions {
        specs: args.specs.clone(),
        candidates_dir: args.candidates_dir.clone(),
        out: args.out.clone(),
        picked: args
            .candidates
            .iter()
            .map(|c| c.trim().to_string())
            .collect(),
        jobs: args.jobs.unwrap_or(DEFAULT_JOBS).max(1),
        install: !args.no_install,
        install_timeout: Duration::from_secs(args.install_timeout),
        check_snapshots: args.check_snapshots,
        snapshot_dir: args.snapshot_dir.clone(),
        platforms,
        cases: args.cases.clone(),
    })
}
