//! Finding and loading the spec files of a run.

use std::path::PathBuf;

use sha2::{Digest, Sha256};

use crate::spec::Spec;
use crate::spec::suite::{LoadedSpec, load_specs};

/// A spec with the file it came from.
#[derive(Debug, Clone)]
pub struct SpecFile {
    /// Path as found.
    pub path: PathBuf,
    /// SHA-256 of the file's bytes, hex.
    pub sha256: String,
    /// The parsed spec.
    pub spec: Spec,
}

/// Spec files that could not be found or loaded.
#[derive(Debug, thiserror::Error)]
#[error("{}", .0.join("\n"))]
pub struct SpecLoadError(pub Vec<String>);

/// Load and lint the specs named by `--specs` (files, or folders of `*.yaml`); any problem fails.
pub fn load(paths: &[PathBuf]) -> Result<Vec<SpecFile>, SpecLoadError> {
    let loaded = load_specs(paths).map_err(|errors| SpecLoadError(vec![errors.to_string()]))?;
    let mut specs = Vec::new();
    let mut errors = Vec::new();
    for LoadedSpec { path, spec } in loaded {
        match std::fs::read(&path) {
            Ok(bytes) => specs.push(SpecFile {
                sha256: hex::encode(Sha256::digest(&bytes)),
                path,
                spec,
            }),
            Err(err) => errors.push(format!("{}: cannot read: {err}", path.display())),
        }
    }
    if errors.is_empty() {
        Ok(specs)
    } else {
        Err(SpecLoadError(errors))
    }
}
