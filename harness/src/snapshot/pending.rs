//! Pending snapshots: observed texts left next to the stored ones (`<case>.yaml.new`) by
//! `--snapshots check`, until they are accepted (moved over the stored file) or rejected.

use std::path::{Path, PathBuf};

use super::diff::unified_diff;
use super::store::{PENDING_SUFFIX, SnapshotError, remove_if_there};

/// One pending snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    /// The stored file it would replace (may not exist yet).
    pub stored: PathBuf,
    /// The `.new` file.
    pub pending: PathBuf,
    /// The case, from the file's first line (`# dlconform snapshot of <id>`), else the path.
    pub case_id: String,
}

impl Pending {
    /// A unified diff from the stored text (empty when none is stored) to the pending one.
    pub fn diff(&self) -> Result<String, SnapshotError> {
        let stored = read_or_empty(&self.stored)?;
        let pending = read_or_empty(&self.pending)?;
        Ok(unified_diff(&stored, &pending))
    }

    /// Whether nothing is stored yet.
    pub fn is_new(&self) -> bool {
        !self.stored.exists()
    }

    /// Make the pending text the stored one.
    pub fn accept(&self) -> Result<(), SnapshotError> {
        std::fs::rename(&self.pending, &self.stored).map_err(|source| SnapshotError::Io {
            path: self.pending.clone(),
            source,
        })
    }

    /// Drop the pending text; the stored one stays.
    pub fn reject(&self) -> Result<(), SnapshotError> {
        remove_if_there(&self.pending)
    }
}

fn read_or_empty(path: &Path) -> Result<String, SnapshotError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(text),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(source) => Err(SnapshotError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Every pending snapshot under `dir`, sorted by path; a missing folder has none.
pub fn find_pending(dir: &Path) -> Result<Vec<Pending>, SnapshotError> {
    let mut found = Vec::new();
    for path in files_under(dir)? {
        let Some(stored) = path
            .to_str()
            .and_then(|p| p.strip_suffix(PENDING_SUFFIX))
            .filter(|p| p.ends_with(".yaml"))
            .map(PathBuf::from)
        else {
            continue;
        };
        let case_id = read_or_empty(&path)?
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# dlconform snapshot of "))
            .map_or_else(|| stored.display().to_string(), str::to_string);
        found.push(Pending {
            stored,
            pending: path,
            case_id,
        });
    }
    Ok(found)
}

/// Every file under `dir`, recursively, sorted; a missing folder has none.
pub fn files_under(dir: &Path) -> Result<Vec<PathBuf>, SnapshotError> {
    let mut files = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let entries = match std::fs::read_dir(&folder) {
            Ok(entries) => entries,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => continue,
            Err(source) => {
                return Err(SnapshotError::Io {
                    path: folder,
                    source,
                });
            }
        };
        for entry in entries {
            let entry = entry.map_err(|source| SnapshotError::Io {
                path: folder.clone(),
                source,
            })?;
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}
