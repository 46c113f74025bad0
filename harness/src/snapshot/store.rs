//! Stored snapshots: one YAML file per case under
//! `<root>/<candidate>/<platform>/<case id with / as __>.yaml`.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::diff::unified_diff;

/// Reading or writing a stored snapshot failed.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// File system error.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The snapshot could not be written as YAML.
    #[error("cannot write the snapshot of {case} as YAML: {message}")]
    Yaml {
        /// Full case id.
        case: String,
        /// What went wrong.
        message: String,
    },
}

/// How an observed snapshot compares with the stored one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Comparison {
    /// The same text.
    Same,
    /// Nothing stored yet.
    New,
    /// Different: a unified diff from stored to observed.
    Changed(String),
}

/// The snapshots of one candidate.
#[derive(Debug, Clone)]
pub struct SnapshotStore {
    dir: PathBuf,
}

impl SnapshotStore {
    /// Snapshots of `candidate` under `root` (usually `snapshots/`).
    pub fn new(root: &Path, candidate: &str) -> SnapshotStore {
        SnapshotStore {
            dir: root.join(folder_name(candidate)),
        }
    }

    /// The candidate's folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file of a case: `<platform>/<rest of the id, / as __>.yaml`.
    pub fn path_for(&self, case_id: &str) -> PathBuf {
        let (platform, rest) = case_id.split_once('/').unwrap_or(("unknown", case_id));
        self.dir
            .join(folder_name(platform))
            .join(format!("{}.yaml", rest.replace('/', "__")))
    }

    /// The stored text of a case, if any.
    pub fn read(&self, case_id: &str) -> Result<Option<String>, SnapshotError> {
        let path = self.path_for(case_id);
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(Some(text)),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(SnapshotError::Io { path, source }),
        }
    }

    /// Compare an observed snapshot text with the stored one.
    pub fn compare(&self, case_id: &str, text: &str) -> Result<Comparison, SnapshotError> {
        Ok(match self.read(case_id)? {
            None => Comparison::New,
            Some(stored) if stored == text => Comparison::Same,
            Some(stored) => Comparison::Changed(unified_diff(&stored, text)),
        })
    }

    /// Store a snapshot text; returns whether the file changed.
    pub fn write(&self, case_id: &str, text: &str) -> Result<bool, SnapshotError> {
        if self.read(case_id)?.as_deref() == Some(text) {
            return Ok(false);
        }
        let path = self.path_for(case_id);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| SnapshotError::Io {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        crate::persist::write_whole(&path, text.as_bytes())
            .map_err(|source| SnapshotError::Io { path, source })?;
        Ok(true)
    }
}

/// Suffix of a pending snapshot: the observed text waiting next to the stored one until it is
/// accepted or rejected (`<case>.yaml.new`).
pub const PENDING_SUFFIX: &str = ".new";

impl SnapshotStore {
    /// The pending file of a case: its stored file with `.new` appended.
    pub fn pending_path_for(&self, case_id: &str) -> PathBuf {
        pending_of(&self.path_for(case_id))
    }

    /// Leave an observed text that differs from the stored one (or has none) for review.
    pub fn write_pending(&self, case_id: &str, text: &str) -> Result<(), SnapshotError> {
        let path = self.pending_path_for(case_id);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| SnapshotError::Io {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        crate::persist::write_whole(&path, text.as_bytes())
            .map_err(|source| SnapshotError::Io { path, source })
    }

    /// Drop a case's pending file, if there is one (its observation matches the stored one again).
    pub fn remove_pending(&self, case_id: &str) -> Result<(), SnapshotError> {
        remove_if_there(&self.pending_path_for(case_id))
    }
}

/// `x.yaml.new` for `x.yaml`.
pub fn pending_of(stored: &Path) -> PathBuf {
    let mut name = stored.as_os_str().to_owned();
    name.push(PENDING_SUFFIX);
    PathBuf::from(name)
}

/// Remove a file; one that is not there is fine.
pub fn remove_if_there(path: &Path) -> Result<(), SnapshotError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(SnapshotError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// The YAML text of a normalized snapshot, with a first line naming the case.
pub fn to_text(case_id: &str, snapshot: &Value) -> Result<String, SnapshotError> {
    let yaml = serde_saphyr::to_string(snapshot).map_err(|err| SnapshotError::Yaml {
        case: case_id.to_string(),
        message: err.to_string(),
    })?;
    let mut text = format!("# dlconform snapshot of {case_id}\n{yaml}");
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

/// A name safe as one folder: `[A-Za-z0-9._-]`, anything else as `-`.
pub fn folder_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect();
    match cleaned.trim_matches('.') {
        "" => "unnamed".to_string(),
        trimmed => trimmed.to_string(),
    }
}
