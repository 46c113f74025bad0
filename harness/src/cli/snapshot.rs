//! `dlconform snapshot accept`: store the snapshots of a finished run (from its results.json);
//! `dlconform snapshot review`: go through the pending ones, and list or prune stale ones.

use std::collections::HashSet;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Args, Subcommand};
use globset::{GlobBuilder, GlobSetBuilder};

use super::exit;
use crate::results::RunResults;
use crate::runner::{plan, specs};
use crate::snapshot::{SnapshotStore, find_orphans, find_pending, folder_name, normalize, to_text};

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
    #[command(after_help = ACCEPT_EXAMPLES)]
    Accept(AcceptArgs),
    /// Go through the pending snapshots one at a time: see the diff, accept, reject or skip.
    #[command(long_about = REVIEW_ABOUT, after_help = REVIEW_EXAMPLES)]
    Review(ReviewArgs),
}

/// Examples of `dlconform snapshot`.
pub const EXAMPLES: &str = "\
Examples:
  dlconform run --snapshots update                 # store every case's snapshot
  dlconform run --snapshots check                  # what differs is left as <case>.yaml.new
  dlconform snapshot review                        # go through what is pending, one by one
  dlconform snapshot accept --case 'download/**'   # store a run's snapshots without review";

const ACCEPT_EXAMPLES: &str = "\
Examples:
  dlconform snapshot accept                                 # every case of the latest run
  dlconform snapshot accept --case 'download/redirect/**'   # only these cases
  dlconform snapshot accept --results out/results.json --candidate my-adapter";

const REVIEW_ABOUT: &str = "\
Go through the pending snapshots one at a time.

`dlconform run --snapshots check` leaves each snapshot that differs from the stored one (or has
none stored) next to it as `<case>.yaml.new`. `snapshot review` shows each with its diff and
reads a key and Enter: `a` accepts it (it replaces the stored file), `r` rejects it (the `.new`
file goes, the stored one stays), `s` or Enter skips it (it stays pending), `q` skips the rest.

Then it lists stored snapshots of cases that no spec under --specs has any more; `--prune`
removes them.";

const REVIEW_EXAMPLES: &str = "\
Examples:
  dlconform run --snapshots check && dlconform snapshot review
  dlconform snapshot review --candidate reference   # only the reference's snapshots
  dlconform snapshot review --prune                 # also remove those of cases now gone
  yes r | dlconform snapshot review                 # reject every pending snapshot";

/// Arguments of `dlconform snapshot review`.
#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// Folder holding `<candidate>/<platform>/<case>.yaml` snapshots.
    #[arg(long, default_value = "snapshots")]
    pub snapshot_dir: PathBuf,
    /// Only this candidate's snapshots (default: every candidate's).
    #[arg(long)]
    pub candidate: Option<String>,
    /// Spec files or folders: a snapshot whose case none of them has is stale.
    #[arg(long, num_args = 1.., default_value = "specs")]
    pub specs: Vec<PathBuf>,
    /// Remove stale snapshots (of cases no spec has any more) instead of only listing them.
    #[arg(long)]
    pub prune: bool,
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
    /// Only these platforms (repeat or comma-separate; default: every platform).
    #[arg(long, value_delimiter = ',')]
    pub platform: Vec<String>,
    /// Only cases whose id matches (`*` one segment, `**` any); with or without the platform
    /// prefix (default: every case).
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
        SnapshotAction::Review(review) => run_review(review),
    }
}

fn run_review(args: &ReviewArgs) -> anyhow::Result<i32> {
    let dir = match &args.candidate {
        Some(name) => args.snapshot_dir.join(folder_name(name)),
        None => args.snapshot_dir.clone(),
    };
    let pending = match find_pending(&dir) {
        Ok(pending) => pending,
        Err(err) => {
            eprintln!("dlconform snapshot review: {err}");
            return Ok(exit::CANNOT_RUN);
        }
    };
    let mut stdout = std::io::stdout();
    if pending.is_empty() {
        println!("no pending snapshots under {}", dir.display());
    } else {
        let color = stdout.is_terminal();
        let tally =
            crate::snapshot::review(&pending, &mut std::io::stdin().lock(), &mut stdout, color)?;
        println!(
            "\nsnapshots: {} accepted, {} rejected, {} skipped (still pending)",
            tally.accepted, tally.rejected, tally.skipped
        );
    }
    stale(&dir, &args.specs, args.prune)
}

/// List (or with `prune`, remove) snapshots of cases the specs no longer have.
fn stale(dir: &Path, spec_paths: &[PathBuf], prune: bool) -> anyhow::Result<i32> {
    let loaded = match specs::load(spec_paths, false) {
        Ok(loaded) => loaded,
        Err(err) => {
            // The review itself is done; only a prune that cannot know what is stale fails.
            eprintln!(
                "dlconform snapshot review: cannot load specs, stale snapshots not looked for: {err}"
            );
            return Ok(if prune { exit::CANNOT_RUN } else { exit::OK });
        }
    };
    let loaded: Vec<Arc<specs::SpecFile>> = loaded.into_iter().map(Arc::new).collect();
    let known: HashSet<String> = plan::expand(&loaded)
        .into_iter()
        .map(|c| c.full_id)
        .collect();
    let orphans = match find_orphans(dir, &known) {
        Ok(orphans) => orphans,
        Err(err) => {
            eprintln!("dlconform snapshot review: {err}");
            return Ok(exit::CANNOT_RUN);
        }
    };
    for file in &orphans {
        if prune {
            std::fs::remove_file(file)?;
            println!("removed stale {}", file.display());
        } else {
            println!("stale (no such case): {}", file.display());
        }
    }
    if !orphans.is_empty() && !prune {
        println!(
            "{} stale snapshot{}; remove with `dlconform snapshot review --prune`",
            orphans.len(),
            if orphans.len() == 1 { "" } else { "s" }
        );
    }
    Ok(exit::OK)
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
        // Its snapshot would differ run to run: none is kept (runs do not compare it either).
        if crate::snapshot::timing_dependent(&case.id).is_some() {
            continue;
        }
        let text = to_text(&case.id, &normalize(&case.id, observation))?;
        // What is accepted is no longer pending.
        store.remove_pending(&case.id)?;
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
