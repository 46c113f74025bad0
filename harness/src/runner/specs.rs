//! Finding and loading the spec files of a run.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::spec::{Spec, load_spec_file};

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

/// Expand `--specs` arguments (files, or folders whose `*.yaml` files are taken) and load them all.
pub fn load(paths: &[PathBuf]) -> Result<Vec<SpecFile>, SpecLoadError> {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        if path.is_dir() {
            match yaml_files_in(path) {
                Ok(found) if found.is_empty() => {
                    errors.push(format!("{}: no *.yaml spec files", path.display()))
                }
                Ok(found) => files.extend(found),
                Err(err) => errors.push(format!("{}: cannot list: {err}", path.display())),
            }
        } else if path.is_file() {
            files.push(path.clone());
        } else {
            errors.push(format!("{}: no such spec file or folder", path.display()));
        }
    }
    let mut specs = Vec::new();
    for path in files {
        match load_one(&path) {
            Ok(spec) => specs.push(spec),
            Err(err) => errors.push(err),
        }
    }
    if errors.is_empty() {
        Ok(specs)
    } else {
        Err(SpecLoadError(errors))
    }
}

fn yaml_files_in(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let is_yaml = path.extension().is_some_and(|e| e == "yaml" || e == "yml");
        if is_yaml && path.is_file() {
            found.push(path);
        }
    }
    found.sort();
    Ok(found)
}

// The single place that turns a path into a spec, so a stricter loader (lint) can replace it.
fn load_one(path: &Path) -> Result<SpecFile, String> {
    let bytes =
        std::fs::read(path).map_err(|err| format!("{}: cannot read: {err}", path.display()))?;
    let spec = load_spec_file(path).map_err(|err| err.to_string())?;
    Ok(SpecFile {
        path: path.to_path_buf(),
        sha256: hex::encode(Sha256::digest(&bytes)),
        spec,
    })
}
