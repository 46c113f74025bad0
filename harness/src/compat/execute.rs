//! Running the columns of the matrix at once, in this process, each with the runner (its own
//! mock server, sandbox and candidate; the cases of all of them within `--jobs`), and writing
//! each run's results.json.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

use tokio::sync::Semaphore;

use super::install::{self, Installed};
use super::{Column, CompatOptions};
use crate::results::RunResults;
use crate::runner::judging::Judging;
use crate::runner::plan::Selection;
use crate::runner::report::{Reporter, Shared};
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

/// Install every column in turn, then run them all at once, each with its own mock server,
/// sandbox and candidate process, their cases sharing `options.jobs` slots (a case holds one
/// of its run's and one of the shared ones). The outcomes are in column order whatever order
/// the runs end in. Once `guards.interrupt` is raised no install starts, and every run stops
/// with the cases it finished.
pub async fn run_columns(
    columns: &[Column],
    options: &CompatOptions,
    reporter: &dyn Reporter,
    guards: &RunGuards,
) -> Vec<ColumnOutcome> {
    // Installs one after another: they download and build, and their logs stay apart.
    let mut prepared: Vec<(&Column, Installed, Option<ColumnRun>)> = Vec::new();
    for column in columns {
        if guards.interrupt.signal().is_some() {
            break;
        }
        eprintln!("== {} over {}", column.name, platform_list(column));
        if column.platforms.is_empty() {
            let why = "none of its platforms is selected".to_string();
            prepared.push((
                column,
                Installed::NotTried,
                Some(ColumnRun::NotSelected(why)),
            ));
            continue;
        }
        let installed = install_column(column, options, guards).await;
        if column.manifest.is_some() {
            eprintln!("   install: {}", installed.describe());
        }
        let decided = match &installed {
            Installed::Failed { message, .. } => {
                Some(ColumnRun::CouldNotRun(format!("install failed: {message}")))
            }
            _ => None,
        };
        prepared.push((column, installed, decided));
    }
    let caps = column_jobs(&case_counts(columns, options), options.jobs);
    let total = AtomicUsize::new(0);
    let shared = RunGuards {
        shared_jobs: Some(Arc::new(Semaphore::new(options.jobs.max(1)))),
        ..guards.clone()
    };
    let runs = prepared.into_iter().map(|(column, installed, decided)| {
        let (shared, total) = (&shared, &total);
        let jobs = columns
            .iter()
            .position(|c| std::ptr::eq(c, column))
            .and_then(|i| caps.get(i).copied())
            .unwrap_or(options.jobs);
        async move {
            let run = match decided {
                Some(run) => run,
                None => {
                    let reporter = Shared::new(&column.name, reporter, total);
                    run_one(column, options, jobs, &reporter, shared).await
                }
            };
            ColumnOutcome {
                name: column.name.clone(),
                installed,
                run,
            }
        }
    });
    let outcomes = futures_util::future::join_all(runs).await;
    reporter.finish();
    outcomes
}

/// Fewest cases a column may have at once beside the others (unless `--jobs` is lower): a
/// browser column's 200 MiB cases must not take every slot it has while its other cases wait.
pub const COLUMN_FLOOR: usize = 8;

/// Most cases each column may have at once when they all run together: its share of `jobs` by
/// its number of cases, at least [`COLUMN_FLOOR`] (or `jobs`), at most `jobs`. The caps may add up
/// to more than `jobs`; the shared slots hold the total to `jobs`, while no column takes more
/// than its cap of them (a browser column's cases would otherwise wait in its driver's start-up
/// gate holding slots the reference's quick cases could use).
pub fn column_jobs(counts: &[usize], jobs: usize) -> Vec<usize> {
    let jobs = jobs.max(1);
    let all: usize = counts.iter().sum();
    counts
        .iter()
        .map(|&n| {
            let share = (jobs * n).div_ceil(all.max(1));
            share.max(COLUMN_FLOOR.min(jobs)).min(jobs)
        })
        .collect()
}

/// How many cases each column selects (0 for all when the specs cannot be read: the runs then
/// say why).
fn case_counts(columns: &[Column], options: &CompatOptions) -> Vec<usize> {
    let Ok(specs) = runner::specs::load(&options.specs, false) else {
        return vec![0; columns.len()];
    };
    let specs: Vec<Arc<_>> = specs.into_iter().map(Arc::new).collect();
    let planned = runner::plan::expand(&specs);
    columns
        .iter()
        .map(|column| {
            let selection = Selection {
                platforms: column.platforms.clone(),
                cases: options.cases.clone(),
                ..Selection::default()
            };
            selection.apply(planned.clone()).map_or(0, |c| c.len())
        })
        .collect()
}

/// Run a column's `install`, unless `--no-install` or it has none.
async fn install_column(column: &Column, options: &CompatOptions, guards: &RunGuards) -> Installed {
    match (&column.manifest, options.install) {
        (None, _) => Installed::NothingToInstall,
        (Some(_), false) => Installed::Skipped,
        (Some(manifest), true) => {
            let log_dir = options.out.join(INSTALL_DIR);
            let limit = options.install_timeout;
            let manifest = manifest.clone();
            let interrupt = guards.interrupt.clone();
            let stop = move || interrupt.signal().is_some();
            // Blocking (a child process and polling): off the runtime's worker threads.
            tokio::task::spawn_blocking(move || install::install(&manifest, &log_dir, limit, &stop))
                .await
                .unwrap_or_else(|err| Installed::Failed {
                    message: format!("install task failed: {err}"),
                    log: None,
                })
        }
    }
}

/// The options of one column's run: the same defaults as `dlconform run`, at most `jobs` cases
/// at once.
fn run_options(column: &Column, options: &CompatOptions, jobs: usize) -> RunOptions {
    let mut run = RunOptions::new(column.spec.clone(), options.specs.clone());
    run.selection = Selection {
        platforms: column.platforms.clone(),
        cases: options.cases.clone(),
        ..Selection::default()
    };
    run.jobs = jobs.max(1);
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
    jobs: usize,
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
    let output = match runner::run_guarded(
        run_options(column, options, jobs),
        &judging,
        reporter,
        guards,
    )
    .await
    {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_column_gets_its_share_of_jobs_and_at_least_the_floor() {
        // The matrix as it is: the reference's 284 cases, two of 59, two of 36, one of 59.
        let caps = column_jobs(&[284, 59, 36, 36, 59, 59], 32);
        assert_eq!(caps, vec![18, 8, 8, 8, 8, 8]);
        // Never above --jobs, and the floor no higher than --jobs.
        assert_eq!(column_jobs(&[284, 59], 4), vec![4, 4]);
        assert_eq!(column_jobs(&[10, 0], 1), vec![1, 1]);
        assert_eq!(column_jobs(&[], 32), Vec::<usize>::new());
    }
}
