//! `dlconform snapshot accept`: store the snapshots of a finished run (from its results.json).

use std::path::PathBuf;

use clap::{Args, Subcommand};
use globset::{GlobBuilder, GlobSetBuilder};

use super::exit;
use crate::results::RunResults;
use crate::snapshot::{SnapshotStore, normalize, to_text};

/// Arguments of `dlconform snapshot`.
#[derive(Debug, Args)]
pub struct SnapshotArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: SnapshotAction,
}

/// `dlconform snapshot` actions.
#[derive(Debug, Subcommand)]
pub enum SnapshotAction {
    /// Store the observed snapshots of a run as the expected ones.
    Accept(AcceptArgs),
}

/// Arguments of `dlconform snapshot accept`.
#[derive(Debug, Args)]
pub struct AcceptArgs {
    /// The run's results.json.
    #[arg(long, default_value = "reports/latest/results.json")]
    pub results: PathBuf,
    /// Snapshot folder name of the candidate (default: the name from its hello in the results).
    #[arg(long)]
    pub candidate: Option<String>,
    /// Only these platforms (repeat or comma-separate).
    #[arg(long, value_delimiter = ',')]
    pub platform: Vec<String>,
    /// Only cases whose id matches (`*` one segment, `**` any); with or without the platform prefix.
    #[arg(long = "case")]
    pub cases: Vec<String>,
    /// Folder holding `<candidate>/<platform>/<case>.yaml` snapshots.
    #[arg(long, default_value = "snapshots")]
    pub snapshot_dir: PathBuf,
}

/// Run `dlconform snapshot ...`; returns the exit code.
pub fn run(args: &SnapshotArgs) -> anyhow::Result<i32> {
    match &args.action {
        SnapshotAction::Accept(accept) => run_accept(accept),
    }
}

fn run_accept(args: &AcceptArgs) -> anyhow::Result<i32> {
    let results = match RunResults::read(&args.results) {
        Ok(results) => results,
        Err(err) => {
            eprintln!("dlconform snapshot accept: {err}");
            return Ok(exit::CANNOT_RUN);
        }
    };
    let mut globs = GlobSetBuilder::new();
    for pattern in &args.cases {
        match GlobBuilder::new(pattern).literal_separator(true).build() {
            Ok(glob) => {
                globs.add(glob);
            }
            Err(err) => {
                eprintln!("dlconform snapshot accept: bad --case pattern '{pattern}': {err}");
                return Ok(exit::CANNOT_RUN);
            }
        }
    }
    let globs = globs.build()?;
    let name = args
        .candidate
        .clone()
        .unwrap_or_else(|| results.run.candidate.name.clone());
    let store = SnapshotStore::new(&args.snapshot_dir, &name);
    let (mut written, mut unchanged) = (0usize, 0usize);
    for case in &results.cases {
        let platform_ok = args.platform.is_empty() || args.platform.contains(&case.platform);
        let id_in_platform = case
            .id
            .split_once('/')
            .map_or(case.id.as_str(), |(_, rest)| rest);
        let case_ok =
            args.cases.is_empty() || globs.is_match(&case.id) || globs.is_match(id_in_platform);
        let Some(observation) = case.observation.as_ref().filter(|_| platform_ok && case_ok) else {
            continue;
        };
        let text = to_text(&case.id, &normalize(&case.id, observation))?;
        if store.write(&case.id, &text)? {
            written += 1;
            println!("accepted {}", store.path_for(&case.id).display());
        } else {
            unchanged += 1;
        }
    }
    println!(
        "snapshots of {}: {written} written, {unchanged} unchanged ({})",
        name,
        store.dir().display()
    );
    Ok(exit::OK)
}
