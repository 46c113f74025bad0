//! Stale snapshots: stored (or pending) files of cases that no spec has any more.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::pending::files_under;
use super::store::{PENDING_SUFFIX, SnapshotError};

/// The case id a snapshot file stands for: `<platform>/<file stem, __ as />`, from a path
/// `<root>/<candidate>/<platform>/<stem>.yaml[.new]`; `None` for files that are no snapshot.
pub fn case_id_of(file: &Path) -> Option<String> {
    let name = file.file_name()?.to_str()?;
    let name = name.strip_suffix(PENDING_SUFFIX).unwrap_or(name);
    let stem = name.strip_suffix(".yaml")?;
    let platform = file.parent()?.file_name()?.to_str()?;
    Some(format!("{platform}/{}", stem.replace("__", "/")))
}

/// Snapshot files under `dir` (one candidate's folder, or the root of all) whose case is not
/// in `known` (full case ids), sorted.
pub fn find_orphans(dir: &Path, known: &HashSet<String>) -> Result<Vec<PathBuf>, SnapshotError> {
    Ok(files_under(dir)?
        .into_iter()
        .filter(|file| case_id_of(file).is_some_and(|id| !known.contains(&id)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_map_back_to_case_ids() {
        let file = Path::new("snapshots/reference/wechat/download__success__basic.yaml");
        assert_eq!(
            case_id_of(file).as_deref(),
            Some("wechat/download/success/basic")
        );
        let pending = Path::new("snapshots/reference/baidu/upload__ok.yaml.new");
        assert_eq!(case_id_of(pending).as_deref(), Some("baidu/upload/ok"));
        assert_eq!(
            case_id_of(Path::new("snapshots/reference/wechat/notes.txt")),
            None
        );
    }
}
