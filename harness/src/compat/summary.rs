//! What a compat run came to: one line per column, the merged results, and the exit code.

use comfy_table::{Cell, Table, presets};

use super::execute::{ColumnOutcome, ColumnRun};
use crate::cli::exit;
use crate::report::{MergeError, MergedResults, merge, merge::MergeOutcome};

/// Why the runs could not be merged into one matrix.
#[derive(Debug, thiserror::Error)]
pub enum MatrixError {
    /// Two columns' candidates said hello with the same name and version: `report merge` would
    /// take them for parts of one run.
    #[error(
        "{0} and {1} both say hello as `{2}`: the matrix cannot tell them apart (give each its own name in hello)"
    )]
    SameHello(String, String, String),
    /// The merge itself failed.
    #[error(transparent)]
    Merge(#[from] MergeError),
}

/// The merged results of every column that ran, in column order (`report merge`'s join).
pub fn merged(outcomes: &[ColumnOutcome]) -> Result<MergeOutcome, MatrixError> {
    let mut seen: Vec<(&str, String)> = Vec::new();
    for outcome in outcomes {
        if let ColumnRun::Ran(ran) = &outcome.run {
            let label = crate::report::candidate_label(&ran.results.run.candidate);
            if let Some((first, _)) = seen.iter().find(|(_, l)| *l == label) {
                return Err(MatrixError::SameHello(
                    first.to_string(),
                    outcome.name.clone(),
                    label,
                ));
            }
            seen.push((&outcome.name, label));
        }
    }
    let runs: Vec<MergedResults> = outcomes
        .iter()
        .filter_map(|o| match &o.run {
            ColumnRun::Ran(ran) => Some(MergedResults::single(
                ran.results.clone(),
                &ran.path.display().to_string(),
            )),
            _ => None,
        })
        .collect();
    Ok(merge(runs)?)
}

/// 2 when a column could not run (its install failed, its candidate would not start); else 1
/// when a run is not as its expectations say, or a snapshot is changed, new or unreadable;
/// else 0.
pub fn exit_code(outcomes: &[ColumnOutcome]) -> i32 {
    if outcomes
        .iter()
        .any(|o| matches!(o.run, ColumnRun::CouldNotRun(_)))
    {
        return exit::CANNOT_RUN;
    }
    let all_ok = outcomes.iter().all(|o| match &o.run {
        ColumnRun::Ran(ran) => ran.results.summary.ok && snapshots_match(&ran.snapshots),
        ColumnRun::NotSelected(_) | ColumnRun::CouldNotRun(_) => true,
    });
    if all_ok { exit::OK } else { exit::UNEXPECTED }
}

/// No snapshot changed, new or in error.
pub fn snapshots_match(tally: &crate::snapshot::SnapshotTally) -> bool {
    tally.changed.is_empty() && tally.new.is_empty() && tally.errors.is_empty()
}

/// One row per column: install, what was measured, unexpected required and recommended,
/// snapshots, verdict.
pub fn table(outcomes: &[ColumnOutcome], check_snapshots: bool) -> Table {
    let mut table = Table::new();
    table.load_preset(presets::ASCII_FULL_CONDENSED);
    table.set_header([
        "candidate",
        "install",
        "measured",
        "required unexpected",
        "recommended unexpected",
        "snapshots",
        "verdict",
    ]);
    for outcome in outcomes {
        let install = outcome.installed.describe();
        let row: Vec<Cell> = match &outcome.run {
            ColumnRun::Ran(ran) => {
                let summary = &ran.results.summary;
                let snapshots = if check_snapshots {
                    format!(
                        "{} same, {} changed, {} new",
                        ran.snapshots.same,
                        ran.snapshots.changed.len(),
                        ran.snapshots.new.len()
                    )
                } else {
                    "not checked".to_string()
                };
                let verdict = if !summary.ok {
                    "NOT as expected"
                } else if !ran.snapshots.changed.is_empty() || !ran.snapshots.errors.is_empty() {
                    "snapshots changed"
                } else if !ran.snapshots.new.is_empty() {
                    "snapshots new"
                } else {
                    "as expected"
                };
                vec![
                    Cell::new(&outcome.name),
                    Cell::new(install),
                    Cell::new(measured(&ran.results)),
                    Cell::new(summary.unexpected_required.len()),
                    Cell::new(summary.unexpected_recommended.len()),
                    Cell::new(snapshots),
                    Cell::new(verdict),
                ]
            }
            ColumnRun::NotSelected(why) | ColumnRun::CouldNotRun(why) => vec![
                Cell::new(&outcome.name),
                Cell::new(install),
                Cell::new("-"),
                Cell::new("-"),
                Cell::new("-"),
                Cell::new("-"),
                Cell::new(if matches!(outcome.run, ColumnRun::CouldNotRun(_)) {
                    format!("COULD NOT RUN: {why}")
                } else {
                    format!("not run: {why}")
                }),
            ],
        };
        table.add_row(row);
    }
    table
}

/// `2 of 48 pass, 12 defects known, 0 unexpected`: what a column measured, before its verdict.
fn measured(run: &crate::results::RunResults) -> String {
    let m = crate::report::headline::Measured::of(run);
    format!(
        "{} of {} pass, {} defects known, {} unexpected",
        m.passed, m.ran, m.known, m.unexpected
    )
}
