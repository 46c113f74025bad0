//! `dlconform compat`: the compatibility matrix. Every candidate with a manifest
//! (`candidates/<name>/candidate.yaml`, [`manifest`]) is installed ([`install`]) and run over its
//! platforms with its expectations, at the same time as the built-in reference over every
//! platform ([`execute`]); the runs are merged into one report ([`summary`] says how each went).

pub mod evidence;
pub mod execute;
pub mod install;
pub mod lacks;
pub mod manifest;
pub mod summary;

use std::path::PathBuf;
use std::time::Duration;

use crate::candidate::CandidateSpec;
use crate::expectations::{Expectations, Problem};
use crate::spec::model::Platform;
pub use manifest::{MANIFEST_FILE, Manifest, ManifestError};

/// Name of the built-in reference's column (and its snapshot folder).
pub const REFERENCE: &str = "reference";

/// How a compat run is set up.
#[derive(Debug, Clone)]
pub struct CompatOptions {
    /// Spec files or folders.
    pub specs: Vec<PathBuf>,
    /// Folder holding `<name>/candidate.yaml`.
    pub candidates_dir: PathBuf,
    /// Where the merged report and each run's results go.
    pub out: PathBuf,
    /// Only these columns (`reference` and manifest names); empty: every one.
    pub picked: Vec<String>,
    /// Cases run at once, across all the columns' runs (which go at once).
    pub jobs: usize,
    /// Run each manifest's `install` first.
    pub install: bool,
    /// Longest an `install` may take.
    pub install_timeout: Duration,
    /// Compare each run's snapshots with `snapshots/<name>/`.
    pub check_snapshots: bool,
    /// Root of the snapshot folders.
    pub snapshot_dir: PathBuf,
    /// Only these platforms, within each column's own (empty: each column's own).
    pub platforms: Vec<Platform>,
    /// Only cases whose id matches one of these patterns (empty: every case).
    pub cases: Vec<String>,
}

/// One column of the matrix: a candidate, the platforms it runs over and what it is expected
/// to do.
#[derive(Debug, Clone)]
pub struct Column {
    /// Its name: `reference`, or its folder's.
    pub name: String,
    /// What to start.
    pub spec: CandidateSpec,
    /// Platforms to run (empty: none selected, nothing to run).
    pub platforms: Vec<Platform>,
    /// Its expectations (empty for the reference).
    pub expectations: Expectations,
    /// Its manifest (none for the reference).
    pub manifest: Option<Manifest>,
}

/// Why no column could be planned (exit 2): every problem found, as `file:line:column: ...`
/// where there is a place to name.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// A manifest could not be read or is invalid.
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    /// Expectations files that do not parse, or entries of real candidates without evidence.
    #[error("{}", .0.iter().map(Problem::to_string).collect::<Vec<_>>().join("\n"))]
    Problems(Vec<Problem>),
    /// `--candidates` names something that is neither the reference nor a manifest.
    #[error("--candidates: no candidate named {0}; known: {1}")]
    UnknownPick(String, String),
}

/// The columns to run, in order: the reference first, then the manifests by folder name,
/// narrowed by `picked` and `platforms`. Every manifest and expectations file is checked first,
/// including those not picked, so a broken one is found on any run.
pub fn plan(options: &CompatOptions) -> Result<Vec<Column>, PlanError> {
    let manifests = manifest::discover(&options.candidates_dir)?;
    let mut problems = Vec::new();
    let mut columns = vec![Column {
        name: REFERENCE.to_string(),
        spec: CandidateSpec::Builtin(REFERENCE.to_string()),
        platforms: Platform::ALL.to_vec(),
        expectations: Expectations::empty(),
        manifest: None,
    }];
    for manifest in manifests {
        let expectations = match Expectations::load(&manifest.expectations) {
            Ok(expectations) => expectations,
            Err(err) => {
                match err.problems().as_slice() {
                    [] => problems.push(Problem {
                        path: manifest.expectations.clone(),
                        line: 0,
                        column: 0,
                        message: err.to_string(),
                    }),
                    found => problems.extend(found.iter().map(|p| (*p).clone())),
                }
                continue;
            }
        };
        if evidence::is_real(&manifest.name) {
            problems.extend(evidence::missing_evidence(&expectations));
        }
        // Checked when the manifest was read; kept as a problem should that ever differ.
        let spec = match manifest.spec() {
            Ok(spec) => spec,
            Err(err) => {
                problems.push(Problem {
                    path: manifest.file.clone(),
                    line: 0,
                    column: 0,
                    message: err.to_string(),
                });
                continue;
            }
        };
        columns.push(Column {
            name: manifest.name.clone(),
            spec,
            platforms: manifest.platforms.clone(),
            expectations,
            manifest: Some(manifest),
        });
    }
    if !problems.is_empty() {
        return Err(PlanError::Problems(problems));
    }
    for pick in &options.picked {
        if !columns.iter().any(|c| c.name == *pick) {
            let known: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
            return Err(PlanError::UnknownPick(pick.clone(), known.join(", ")));
        }
    }
    columns.retain(|c| options.picked.is_empty() || options.picked.contains(&c.name));
    for column in &mut columns {
        column.platforms = narrowed(&column.platforms, &options.platforms);
    }
    Ok(columns)
}

/// A column's platforms within the selected ones (all of them when none is selected); empty:
/// the column has nothing to run.
fn narrowed(own: &[Platform], selected: &[Platform]) -> Vec<Platform> {
    own.iter()
        .copied()
        .filter(|p| selected.is_empty() || selected.contains(p))
        .collect()
}
