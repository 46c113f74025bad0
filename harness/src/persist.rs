//! Writing output files whole or not at all: results.json, reports, snapshots, expectations.
//!
//! The bytes go to a temporary file in the same folder, are flushed to disk, and the file is
//! renamed over the old one. A reader never sees half a file, and when the disk is full the
//! previous file stays as it was.

use std::io::Write;
use std::path::Path;

/// Write `bytes` to `path` whole (see the module docs). The folder must exist.
pub fn write_whole(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    // A temporary file is private (0600); the file it becomes is a report others read.
    let mut tmp = tempfile::Builder::new()
        .prefix(".dlconform-")
        .suffix(".tmp")
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644))
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Whether files can be created in `dir` (created if missing): checked before a run's first
/// case, so an unwritable `--out` costs nothing.
pub fn check_writable(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    tempfile::Builder::new()
        .prefix(".dlconform-probe-")
        .tempfile_in(dir)
        .map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_old_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("results.json");
        write_whole(&path, b"old").unwrap();
        write_whole(&path, b"new").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("results.json")]);
    }

    #[test]
    fn the_written_file_is_readable_by_others_like_any_report() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.html");
        write_whole(&path, b"<html>").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode & 0o044, 0o044, "mode {mode:o}");
    }

    #[test]
    fn a_missing_folder_is_an_error_not_a_partial_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("absent/results.json");
        assert!(write_whole(&path, b"x").is_err());
        assert!(!path.exists());
    }

    #[test]
    fn a_file_in_place_of_the_folder_is_not_writable() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("taken");
        std::fs::write(&file, b"").unwrap();
        assert!(check_writable(&file).is_err());
        assert!(check_writable(&dir.path().join("new/out")).is_ok());
    }
}
