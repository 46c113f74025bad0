//! Running the columns of the matrix one after another, in this process, each with the runner
//! (its cases in parallel up to `--jobs`), and writing each run's results.json.

use std::path::{Path, PathBuf};

use super::install::{self, Installed};
use super::{Column, CompatOptions};
use crate::results::RunResults;
use crate::runner::judging::Judging;
use crate::runner::plan::Selection;
use crate::runner::report::Reporter;
use crate::runner::{self, RunError, RunGuards, RunOptions};
use crate::snapshot::{SnapshotMode, SnapshotTally};

/// Folder under `--out` holding each column's own results: `runs/<name>/results.json`.
pub const RUNS_DIR: &str = "runs";
/// Folder under `--out` holding each install's output: `install/<name>.log`.
pub const INSTALL_DIR: &str = "install";

/// How one column went.
#[derive(Debug, Clone)]
pub struct ColumnOutcome {
    /// The column's name.
    pub name: String,
    /// Its install.
    pub installed: Installed,
    /// Its run.
    pub run: ColumnRun,
}

/// A column's run.
#[derive(Debug, Clone)]
pub enum ColumnRun {
    /// Not run, and that is no fault: none of its platforms or cases is selected.
    NotSelected(String),
    /// It could not be run: its install failed, or the candidate would not start.
    CouldNotRun(String),
    /// It ran.
    Ran(Box<RanColumn>),
}

/// A column that ran.
#[derive(Debug, Clone)]
pub struct RanColumn {
    /// Its results, judged against its expectations (and snapshots).
    pub results: RunResults,
    /// Where they were written.
    pub path: PathBuf,
    /// What its snapshots came to.
    pub snapshots: SnapshotTally,
    /// Expectations entries that decided no case.
    pub stale_expectations: Vec<String>,
}

/// Install and run every column in turn; stops after the run in which `guards.interrupt` is
/// raised (that run keeps the cases finished).
pub async fn run_columns(
    columns: &[Column],
    options: &CompatOptions,
    reporter: &dyn Reporter,
    guards: &RunGuards,
) -> Vec<ColumnOutcome> {
    let mut outcomes = Vec::new();
    for column in columns {
        if guards.interrupt.signal().is_some() {
            break;
        }
        eprintln!("== {} over {}", column.name, platform_list(column));
        if column.platforms.is_empty() {
            outcomes.push(ColumnOutcome {
                name: column.name.clone(),
                installed: Installed::NotTried,
                run: ColumnRun::NotSelected("none of its platforms is selected".to_string()),
            });
            continue;
        }
        let installed = match (&column.manifest, options.install) {
            (None, _) => Installed::NothingToInstall,
            (Some(_), false) => Installed::Skipped,
            (Some(manifest), true) => {
                let log_dir = options.out.join(INSTALL_DIR);
                let limit = options.install_timeout;
                let manifest = manifest.clone();
                let interrupt = guards.interrupt.clone();
                let stop = move || interrupt.signal().is_some();
                // Blocking (a child process and polling): off the runtime's worker threads.
                tokio::task::spawn_blocking(move || {
                    install::install(&manifest, &log_dir, limit, &stop)
                })
                .await
                .unwrap_or_else(|err| Installed::Failed {
                    message: format!("install task failed: {err}"),
                    log: None,
                })
            }
        };
        if column.manifest.is_some() {
            eprintln!("   install: {}", installed.describe());
        }
        let run = if let Installed::Failed { message, .. } = &installed {
            ColumnRun::CouldNotRun(format!("install failed: {message}"))
        } else {
            run_one(column, options, reporter, guards).await
        };
        outcomes.push(ColumnOutcome {
            name: column.name.clone(),
            installed,
            run,
        });
    }
    outcomes
}

/// The options of one column's run: the same defaults as `dlconform run`.
fn run_options(column: &Column, options: &CompatOptions) -> RunOptions {
    let mut run = RunOptions::new(column.spec.clone(), options.specs.clone());
    run.selection = Selection {
        platforms: column.platforms.clone(),
        cases: options.cases.clone(),
        ..Selection::default()
    };
    run.jobs = options.jobs.max(1);
    run.durations =
        runner::schedule::Durations::from_results(&results_path(&options.out, &column.name));
    run.command_line = std::env::args().collect();
    // The reference lacks nothing; a manifest's lacks are the only ones its hello may declare.
    run.declared_lacks = Some(
        column
            .manifest
            .as_ref()
            .map(|m| m.lacks.iter().map(|l| l.capability).collect())
            .unwrap_or_default(),
    );
    run
}

async fn run_one(
    column: &Column,
    options: &CompatOptions,
    reporter: &dyn Reporter,
    guards: &RunGuards,
) -> ColumnRun {
    let judging = Judging {
        expectations: column.expectations.clone(),
        snapshots: if options.check_snapshots {
            SnapshotMode::Check
        } else {
            SnapshotMode::Off
        },
        snapshot_root: options.snapshot_dir.clone(),
        candidate_name: Some(column.name.clone()),
    };
    let output =
        match runner::run_guarded(run_options(column, options), &judging, reporter, guards).await {
            Ok(output) => output,
            Err(RunError::NoCases) => {
                return ColumnRun::NotSelected("no case of its platforms is selected".to_string());
            }
            Err(err) => return ColumnRun::CouldNotRun(err.to_string()),
        };
    let dir = options.out.join(RUNS_DIR).join(&column.name);
    match output.results.write_to(&dir) {
        Ok(path) => ColumnRun::Ran(Box::new(RanColumn {
            results: output.results,
            path,
            snapshots: output.snapshots,
            stale_expectations: output.stale_expectations,
        })),
        Err(err) => ColumnRun::CouldNotRun(format!("cannot write its results: {err}")),
    }
}

/// `<out>/runs/<name>/results.json`.
pub fn results_path(out: &Path, name: &str) -> PathBuf {
    out.join(RUNS_DIR).join(name).join("results.json")
}

fn platform_list(column: &Column) -> String {
    if column.platforms.is_empty() {
        return "no selected platform".to_string();
    }
    column
        .platforms
        .iter()
        .map(|p| p.name())
        .collect::<Vec<_>>()
        .join(", ")
}
