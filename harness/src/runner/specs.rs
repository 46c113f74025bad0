//! Finding and loading the spec files of a run.

use std::path::PathBuf;

use sha2::{Digest, Sha256};

use crate::spec::Spec;
use crate::spec::suite::{LoadedSpec, check_specs, load_specs};

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

/// Load the specs named by `--specs` (files, or folders of `*.yaml`). With `lint`, any lint
/// problem fails; without, only files that do not parse do (lint problems are counted on stderr).
pub fn load(paths: &[PathBuf], lint: bool) -> Result<Vec<SpecFile>, SpecLoadError> {
    let loaded = if lint {
        load_specs(paths).map_err(|errors| SpecLoadError(vec![errors.to_string()]))?
    } else {
        parse_only(paths)?
    };
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

fn parse_only(paths: &[PathBuf]) -> Result<Vec<LoadedSpec>, SpecLoadError> {
    let (parsed, problems) = check_specs(paths);
    let parse_errors: Vec<String> = problems
        .iter()
        .filter(|d| !parsed.iter().any(|p| p.path == d.path))
        .map(|d| d.to_string())
        .collect();
    if !parse_errors.is_empty() {
        return Err(SpecLoadError(parse_errors));
    }
    if !problems.is_empty() {
        eprintln!(
            "warning: {} spec lint problem(s) ignored (--no-lint)",
            problems.len()
        );
    }
    Ok(parsed
        .into_iter()
        .map(|p| LoadedSpec {
            path: p.path,
            spec: p.spec,
        })
        .collect())
}
