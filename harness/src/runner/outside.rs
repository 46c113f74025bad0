//! Writes outside a case's folders that the case's own scan cannot see: refusals the candidate
//! reports (a Landlock refusal is an EACCES in the candidate, which the harness sees only when
//! the candidate names it), and files the run-wide scan finds above the case folders, beside
//! them, or (in `detect` mode) new in the working folder. Each becomes a [`FileRecord`] outside
//! temp/ and user/, so the `file.outside` check names it; the path carries how it was found.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::SystemTime;

use serde_json::Value;

use super::sandbox::Sandbox;
use crate::candidate::sandbox::SandboxMode;
use crate::observation::{CallEnd, CallObservation, FileRecord};

/// Where a refused write leaves nothing on disk: not reported.
const PSEUDO_FILESYSTEMS: [&str; 2] = ["/proc", "/sys"];

/// Most paths one scan reports: a candidate spraying files is named, not listed whole.
const MAX_FOUND: usize = 100;

/// The run-wide scan: knows the run's folders and which cases are in flight.
pub struct OutsideWatch {
    mode: SandboxMode,
    /// The run's folder (holds `cases`, the TMPDIR and the server's state).
    work: PathBuf,
    /// Folders inside `work` that are not the candidate's to write: each case's is scanned on
    /// its own, TMPDIR is its to use, the server's state is the harness's.
    skip: Vec<PathBuf>,
    /// The folder holding every case folder.
    cases: PathBuf,
    /// The working folder and its top-level files at the start (`detect` mode only).
    cwd: Option<(PathBuf, HashMap<OsString, Option<SystemTime>>)>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Case folder names the harness made.
    known: HashSet<OsString>,
    /// Paths already reported.
    seen: HashSet<PathBuf>,
    /// Cases in flight by key: their id and what was found while they ran.
    in_flight: BTreeMap<String, (String, Vec<String>)>,
}

impl OutsideWatch {
    /// A watch over `work` (holding `cases` and the folders in `skip`); in `detect` mode it
    /// also notes the top-level files of `cwd` (the candidate's working folder) now, to tell
    /// new or changed ones later.
    pub fn new(
        mode: SandboxMode,
        work: &Path,
        cases: &Path,
        skip: &[PathBuf],
        cwd: Option<&Path>,
    ) -> OutsideWatch {
        let cwd = cwd
            .filter(|_| mode == SandboxMode::Detect)
            .map(|dir| (dir.to_path_buf(), top_level_files(dir)));
        let mut skip = skip.to_vec();
        skip.push(cases.to_path_buf());
        OutsideWatch {
            mode,
            work: work.to_path_buf(),
            skip,
            cases: cases.to_path_buf(),
            cwd,
            state: Mutex::new(State::default()),
        }
    }

    /// A case starts: its folder is the harness's, and what is found from now on is its too.
    pub fn enter(&self, key: &str, id: &str) {
        if let Ok(mut state) = self.state.lock() {
            state.known.insert(OsString::from(key));
            state
                .in_flight
                .insert(key.to_string(), (id.to_string(), Vec::new()));
        }
    }

    /// A case's calls ended: scan, hand what is new to every case in flight, and return what
    /// was found while this one ran (blocking: file system walks).
    pub fn leave(&self, key: &str) -> Vec<FileRecord> {
        if self.mode == SandboxMode::Off {
            return Vec::new();
        }
        let known = match self.state.lock() {
            Ok(state) => state.known.clone(),
            Err(_) => return Vec::new(),
        };
        let found = self.scan(&known);
        let Ok(mut state) = self.state.lock() else {
            return Vec::new();
        };
        // A case that entered while the scan ran made its folder after the snapshot of `known`.
        let new: Vec<PathBuf> = found
            .into_iter()
            .filter(|(case, _)| !case.as_ref().is_some_and(|c| state.known.contains(c)))
            .map(|(_, p)| p)
            .filter(|p| !state.seen.contains(p))
            .collect();
        if !new.is_empty() {
            let ids: Vec<String> = state.in_flight.values().map(|(id, _)| id.clone()).collect();
            let how = if ids.len() <= 1 {
                "found outside the case folders by the run-wide scan".to_string()
            } else {
                format!(
                    "found outside the case folders by the run-wide scan while {} cases ran ({}); \
                     which one wrote it cannot be told",
                    ids.len(),
                    ids.join(", ")
                )
            };
            for path in &new {
                state.seen.insert(path.clone());
                let noted = format!("{} ({how})", path.display());
                for (_, pending) in state.in_flight.values_mut() {
                    pending.push(noted.clone());
                }
            }
        }
        let pending = state
            .in_flight
            .remove(key)
            .map(|(_, pending)| pending)
            .unwrap_or_default();
        pending.into_iter().map(outside_record).collect()
    }

    /// Every entry the candidate may have written outside the case folders, with the name of
    /// the entry of `cases` it lies in, if any (`known` skips the case folders known already).
    fn scan(&self, known: &HashSet<OsString>) -> Vec<(Option<OsString>, PathBuf)> {
        let mut found = Vec::new();
        if let Ok(entries) = std::fs::read_dir(&self.cases) {
            for entry in entries.flatten() {
                let name = entry.file_name();
                if !known.contains(&name) {
                    for path in entries_below(&entry.path(), &[]) {
                        found.push((Some(name.clone()), path));
                    }
                }
            }
        }
        found.extend(
            entries_below(&self.work, &self.skip)
                .into_iter()
                .map(|p| (None, p)),
        );
        if let Some((dir, before)) = &self.cwd {
            for (name, modified) in top_level_files(dir) {
                if before.get(&name) != Some(&modified) {
                    found.push((None, dir.join(name)));
                }
            }
        }
        found.truncate(MAX_FOUND);
        found
    }
}

/// Say what the candidate left in its temp space once it stopped: allowed, but nobody's to
/// clean up; the run's folder goes with it.
pub fn warn_leftovers(tmpdir: &Path) {
    let left = entries_below(tmpdir, &[]);
    if left.is_empty() {
        return;
    }
    let shown: Vec<String> = left
        .iter()
        .take(3)
        .map(|p| p.display().to_string())
        .collect();
    eprintln!(
        "warning: the candidate left {}{} entries in its TMPDIR ({}{}); they are removed with the run's folder",
        left.len(),
        if left.len() >= MAX_FOUND { "+" } else { "" },
        shown.join(", "),
        if left.len() > shown.len() {
            ", ..."
        } else {
            ""
        }
    );
}

/// The regular files directly in `dir`, with their modification times.
fn top_level_files(dir: &Path) -> HashMap<OsString, Option<SystemTime>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return HashMap::new();
    };
    entries
        .flatten()
        .filter_map(|e| {
            let meta = e.metadata().ok()?;
            meta.is_file()
                .then(|| (e.file_name(), meta.modified().ok()))
        })
        .collect()
}

/// `path` itself when it is not a folder; else what lies below it, but `skip`: every entry that
/// is not a folder, and every empty folder.
fn entries_below(path: &Path, skip: &[PathBuf]) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let is_dir = std::fs::symlink_metadata(&dir).is_ok_and(|m| m.is_dir());
        if !is_dir {
            found.push(dir);
            continue;
        }
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut empty = true;
        for entry in entries.flatten() {
            empty = false;
            let p = entry.path();
            if !skip.contains(&p) {
                stack.push(p);
            }
        }
        if empty && dir != path {
            found.push(dir);
        }
        if found.len() >= MAX_FOUND {
            break;
        }
    }
    found
}

/// A record `file.outside` reports: `path` carries how it was found.
fn outside_record(path: String) -> FileRecord {
    FileRecord {
        path,
        size: 0,
        sha256: String::new(),
        inside: false,
        preexisting: false,
    }
}

/// Writes outside the case's folders that the candidate reported refused: an EACCES ("permission
/// denied", "errno 13") naming a quoted absolute path beyond the case's temp and user folders,
/// in what a call sent (event data, error and unsupported messages) or in the candidate's stderr
/// while the case ran; `/proc` and `/sys` aside. Off in `off` mode.
pub fn refused(
    mode: SandboxMode,
    calls: &[CallObservation],
    log: &str,
    sandbox: &Sandbox,
) -> Vec<FileRecord> {
    if mode == SandboxMode::Off {
        return Vec::new();
    }
    let mut texts: Vec<&str> = Vec::new();
    for call in calls {
        for event in &call.events {
            strings(&event.data, &mut texts);
        }
        match &call.end {
            CallEnd::Error(t) | CallEnd::Unsupported(t) | CallEnd::ProtocolViolation(t) => {
                texts.push(t)
            }
            _ => {}
        }
    }
    let mut paths: Vec<String> = Vec::new();
    let mut note = |path: PathBuf, how: &str| {
        // Kernel pseudo-files hold nothing on disk (Chromium adjusting its OOM score).
        let pseudo = PSEUDO_FILESYSTEMS.iter().any(|p| path.starts_with(p));
        let inside = pseudo || path.starts_with(&sandbox.temp) || path.starts_with(&sandbox.user);
        let noted = format!("{} ({how})", path.display());
        if !inside && !paths.contains(&noted) {
            paths.push(noted);
        }
    };
    for text in texts {
        for path in refused_paths(text) {
            note(
                path,
                "write refused by the sandbox, as the candidate reported",
            );
        }
    }
    for line in log.lines() {
        for path in refused_paths(line) {
            note(
                path,
                "write refused by the sandbox, in the candidate's stderr while this case ran",
            );
        }
    }
    paths.into_iter().map(outside_record).collect()
}

/// Every string inside a JSON value.
fn strings<'v>(value: &'v Value, out: &mut Vec<&'v str>) {
    match value {
        Value::String(s) => out.push(s),
        Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        Value::Object(map) => map.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

/// The quoted absolute paths of a text that reports a permission refusal (Node's
/// `EACCES: permission denied, open '/x'`, Python's `[Errno 13] Permission denied: '/x'`),
/// `..` resolved.
pub fn refused_paths(text: &str) -> Vec<PathBuf> {
    static REFUSAL: OnceLock<Option<(regex::Regex, regex::Regex)>> = OnceLock::new();
    let Some((refusal, quoted)) = REFUSAL
        .get_or_init(|| {
            let refusal = regex::Regex::new(r"(?i)eacces|permission denied|errno 13").ok()?;
            let quoted = regex::Regex::new(r#"['"](/[^'"\n]+)['"]"#).ok()?;
            Some((refusal, quoted))
        })
        .as_ref()
    else {
        return Vec::new();
    };
    if !refusal.is_match(text) {
        return Vec::new();
    }
    quoted
        .captures_iter(text)
        .filter_map(|c| c.get(1))
        .map(|m| normalise(Path::new(m.as_str())))
        .collect()
}

/// `path` with `.` and `..` resolved without the file system (the file need not exist).
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_name_their_paths() {
        assert_eq!(
            refused_paths("EACCES: permission denied, open '/a/b/../x'"),
            vec![PathBuf::from("/a/x")]
        );
        assert_eq!(
            refused_paths("PermissionError: [Errno 13] Permission denied: '/t/y'"),
            vec![PathBuf::from("/t/y")]
        );
        assert!(refused_paths("ENOENT: no such file, open '/a/x'").is_empty());
    }

    #[test]
    fn the_scan_sees_files_beside_and_above_case_folders() {
        let dir = tempfile::tempdir().expect("tempdir");
        let work = dir.path();
        let cases = work.join("cases");
        let tmp = work.join("tmp");
        std::fs::create_dir_all(cases.join("0001-a")).expect("mkdir");
        std::fs::create_dir_all(&tmp).expect("mkdir");
        let watch = OutsideWatch::new(
            SandboxMode::Landlock,
            work,
            &cases,
            std::slice::from_ref(&tmp),
            Some(work),
        );
        watch.enter("0001-a", "douyin/a");
        watch.enter("0002-b", "douyin/b");
        std::fs::write(cases.join("stray"), b"x").expect("write");
        std::fs::write(work.join("above"), b"x").expect("write");
        std::fs::write(tmp.join("allowed"), b"x").expect("write");
        std::fs::write(cases.join("0001-a").join("own"), b"x").expect("write");
        let a: Vec<String> = watch.leave("0001-a").into_iter().map(|r| r.path).collect();
        assert_eq!(a.len(), 2, "{a:?}");
        assert!(a.iter().all(|p| p.contains("2 cases ran")), "{a:?}");
        assert!(
            a.iter()
                .any(|p| p.starts_with(&format!("{}", cases.join("stray").display())))
        );
        // The other case in flight gets them too; nothing is reported twice.
        assert_eq!(watch.leave("0002-b").len(), 2);
        watch.enter("0003-c", "douyin/c");
        assert!(watch.leave("0003-c").is_empty());
    }

    #[test]
    fn detect_sees_new_and_changed_files_in_the_working_folder() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (work, cwd) = (dir.path().join("work"), dir.path().join("cwd"));
        let cases = work.join("cases");
        std::fs::create_dir_all(&cases).expect("mkdir");
        std::fs::create_dir_all(cwd.join("sub")).expect("mkdir");
        std::fs::write(cwd.join("old"), b"x").expect("write");
        std::fs::write(cwd.join("kept"), b"x").expect("write");
        let watch = OutsideWatch::new(SandboxMode::Detect, &work, &cases, &[], Some(&cwd));
        let landlock = OutsideWatch::new(SandboxMode::Landlock, &work, &cases, &[], Some(&cwd));
        watch.enter("0001-a", "wechat/a");
        landlock.enter("0001-a", "wechat/a");
        std::fs::write(cwd.join("new"), b"x").expect("write");
        let old = std::fs::File::options()
            .write(true)
            .open(cwd.join("old"))
            .expect("open");
        old.set_modified(SystemTime::UNIX_EPOCH).expect("mtime");
        let mut found: Vec<String> = watch.leave("0001-a").into_iter().map(|r| r.path).collect();
        found.sort();
        let named = |name: &str| format!("{} (found", cwd.join(name).display());
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].starts_with(&named("new")), "{found:?}");
        assert!(found[1].starts_with(&named("old")), "{found:?}");
        // Landlock refuses writes there: its watch does not look.
        assert!(landlock.leave("0001-a").is_empty());
    }
}
