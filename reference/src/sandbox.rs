//! The call's file system: platform paths (`ttfile://user/a.bin`) mapped onto the case's
//! folders, traversal refused before anything is written, the user quota, and partial files
//! that vanish when a transfer fails. Every file the reference writes goes through
//! [`Sandbox::create_partial`] or [`Sandbox::write_file`], which refuse a path outside the
//! call's folders the way the harness's Landlock sandbox refuses a process candidate.

use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

use dlconform_protocol::FsEnv;

/// Which of the two sandbox folders a path lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    /// Temporary files (`env.fs.temp`).
    Temp,
    /// User files (`env.fs.user`), counted against the quota.
    User,
}

/// Why a platform path cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// The path does not start with the temp or user prefix.
    #[error("path is outside the sandbox: {0}")]
    Outside(String),
    /// The path climbs out of its folder with `..`.
    #[error("path escapes its folder: {0}")]
    Traversal(String),
    /// The path names a folder, not a file.
    #[error("path is a directory: {0}")]
    IsDirectory(String),
    /// The folder the file would go in does not exist.
    #[error("no such file or directory: {0}")]
    MissingParent(String),
    /// The file to read does not exist.
    #[error("no such file or directory: {0}")]
    NotFound(String),
    /// Writing would exceed the user folder's quota.
    #[error("user dir saved file size limit exceeded ({used} + {incoming} > {quota})")]
    QuotaExceeded {
        /// Bytes already in the user folder.
        used: u64,
        /// Bytes the transfer brings.
        incoming: u64,
        /// The quota.
        quota: u64,
    },
    /// The path to write lies outside the call's folders (refused, as Landlock would).
    #[error(
        "permission denied, open '{0}': not under the call's folders (env.fs.temp, env.fs.user)"
    )]
    Refused(String),
    /// The file to write could not be opened (a refusal by the OS sandbox lands here).
    #[error("cannot open '{path}': {source}")]
    Open {
        /// The path, as it was to be opened.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// Any other file system failure.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Set when the process runs under the harness's OS sandbox: the check is left to it.
static OS_SANDBOX: AtomicBool = AtomicBool::new(false);

/// Leave refusing writes outside the call's folders to the OS sandbox the process runs in
/// (`dlconform candidate-stdio` under `--sandbox landlock`), so that the refusal is the OS's.
pub fn leave_writes_to_os_sandbox() {
    OS_SANDBOX.store(true, Ordering::Relaxed);
}

/// A platform path resolved to a place on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// Temp or user.
    pub area: Area,
    /// Absolute path on disk.
    pub fs_path: PathBuf,
    /// The path as the platform spells it (normalised).
    pub platform_path: String,
}

/// The folders and prefixes of one call.
#[derive(Debug, Clone)]
pub struct Sandbox {
    temp_dir: PathBuf,
    user_dir: PathBuf,
    temp_prefix: String,
    user_prefix: String,
    user_quota: Option<u64>,
}

impl Sandbox {
    /// The sandbox the harness describes in `env.fs`.
    pub fn from_env(fs: &FsEnv) -> Sandbox {
        Sandbox {
            temp_dir: PathBuf::from(&fs.temp),
            user_dir: PathBuf::from(&fs.user),
            temp_prefix: fs.temp_prefix.clone(),
            user_prefix: fs.user_prefix.clone(),
            user_quota: fs.user_quota_bytes,
        }
    }

    /// Map a platform path to disk, refusing anything that leaves its folder.
    pub fn resolve(&self, platform_path: &str) -> Result<Resolved, SandboxError> {
        let (area, rest) = self.split_prefix(platform_path)?;
        let segments =
            normalise(rest).ok_or_else(|| SandboxError::Traversal(platform_path.into()))?;
        if segments.is_empty() {
            return Err(SandboxError::IsDirectory(platform_path.into()));
        }
        let (root, prefix) = match area {
            Area::Temp => (&self.temp_dir, &self.temp_prefix),
            Area::User => (&self.user_dir, &self.user_prefix),
        };
        let mut fs_path = root.clone();
        for s in &segments {
            fs_path.push(s);
        }
        Ok(Resolved {
            area,
            fs_path,
            platform_path: format!("{prefix}{}", segments.join("/")),
        })
    }

    /// The careless mapping the `sandbox-escape` mutant uses: the rest of the path joined to
    /// its folder as given, `..` and all.
    pub fn resolve_unchecked(&self, platform_path: &str) -> Result<Resolved, SandboxError> {
        let (area, rest) = self.split_prefix(platform_path)?;
        let root = match area {
            Area::Temp => &self.temp_dir,
            Area::User => &self.user_dir,
        };
        Ok(Resolved {
            area,
            fs_path: root.join(rest),
            platform_path: platform_path.into(),
        })
    }

    /// The folder behind the temp prefix.
    pub fn temp_dir(&self) -> &Path {
        &self.temp_dir
    }

    /// Whether `path` (`..` resolved without the file system) lies in the temp or user folder.
    pub fn holds(&self, path: &Path) -> bool {
        let path = lexical(path);
        path.starts_with(lexical(&self.temp_dir)) || path.starts_with(lexical(&self.user_dir))
    }

    /// Refuse a write outside the call's folders, unless the OS sandbox does it.
    fn guard(&self, path: &Path) -> Result<(), SandboxError> {
        if OS_SANDBOX.load(Ordering::Relaxed) || self.holds(path) {
            return Ok(());
        }
        Err(SandboxError::Refused(path.display().to_string()))
    }

    /// The partial file a transfer writes `target` through: refused outside the call's folders.
    pub async fn create_partial(
        &self,
        target: &Path,
    ) -> Result<(PartialFile, tokio::fs::File), SandboxError> {
        self.guard(target)?;
        PartialFile::create(target).await.map_err(|e| match e {
            SandboxError::Io(source) => SandboxError::Open {
                path: target.display().to_string(),
                source,
            },
            other => other,
        })
    }

    /// Write a whole file at `path`: refused outside the call's folders.
    pub async fn write_file(&self, path: &Path, bytes: &[u8]) -> Result<(), SandboxError> {
        self.guard(path)?;
        tokio::fs::write(path, bytes)
            .await
            .map_err(|source| SandboxError::Open {
                path: path.display().to_string(),
                source,
            })
    }

    /// Resolve a path a transfer will write: its folder must exist and it must not be a folder.
    pub async fn resolve_for_write(&self, platform_path: &str) -> Result<Resolved, SandboxError> {
        let r = self.resolve(platform_path)?;
        let parent_ok = match r.fs_path.parent() {
            Some(p) => tokio::fs::metadata(p)
                .await
                .map(|m| m.is_dir())
                .unwrap_or(false),
            None => false,
        };
        if !parent_ok {
            return Err(SandboxError::MissingParent(platform_path.into()));
        }
        if let Ok(m) = tokio::fs::metadata(&r.fs_path).await
            && m.is_dir()
        {
            return Err(SandboxError::IsDirectory(platform_path.into()));
        }
        Ok(r)
    }

    /// Resolve a file a transfer will read (upload source): it must exist and be a file.
    pub async fn resolve_for_read(
        &self,
        platform_path: &str,
    ) -> Result<(Resolved, u64), SandboxError> {
        let r = self.resolve(platform_path)?;
        match tokio::fs::metadata(&r.fs_path).await {
            Ok(m) if m.is_file() => {
                let len = m.len();
                Ok((r, len))
            }
            Ok(_) => Err(SandboxError::IsDirectory(platform_path.into())),
            Err(_) => Err(SandboxError::NotFound(platform_path.into())),
        }
    }

    /// A fresh temp file name, keeping `extension` (without the dot) when it is a plain one.
    pub fn new_temp_file(&self, extension: Option<&str>) -> Resolved {
        let mut name = random_name();
        if let Some(ext) = extension.filter(|e| is_plain_extension(e)) {
            name.push('.');
            name.push_str(&ext.to_ascii_lowercase());
        }
        Resolved {
            area: Area::Temp,
            fs_path: self.temp_dir.join(&name),
            platform_path: format!("{}{name}", self.temp_prefix),
        }
    }

    /// Bytes the user folder may still take, or `None` without a quota.
    pub async fn user_space_left(&self) -> Result<Option<u64>, SandboxError> {
        let Some(quota) = self.user_quota else {
            return Ok(None);
        };
        let used = dir_usage(&self.user_dir).await?;
        Ok(Some(quota.saturating_sub(used)))
    }

    /// Fail with [`SandboxError::QuotaExceeded`] when `incoming` more bytes do not fit.
    pub async fn check_quota(&self, area: Area, incoming: u64) -> Result<(), SandboxError> {
        let (Area::User, Some(quota)) = (area, self.user_quota) else {
            return Ok(());
        };
        let used = dir_usage(&self.user_dir).await?;
        if used.saturating_add(incoming) > quota {
            return Err(SandboxError::QuotaExceeded {
                used,
                incoming,
                quota,
            });
        }
        Ok(())
    }

    /// The quota of the user folder, if any.
    pub fn user_quota(&self) -> Option<u64> {
        self.user_quota
    }

    fn split_prefix<'a>(&self, path: &'a str) -> Result<(Area, &'a str), SandboxError> {
        // The longer prefix first, in case one prefix is a prefix of the other.
        let mut prefixes = [
            (Area::Temp, &self.temp_prefix),
            (Area::User, &self.user_prefix),
        ];
        prefixes.sort_by_key(|(_, p)| std::cmp::Reverse(p.len()));
        for (area, prefix) in prefixes {
            if let Some(rest) = path.strip_prefix(prefix.as_str()) {
                return Ok((area, rest));
            }
            if !prefix.ends_with('/') {
                continue;
            }
            if path == prefix.trim_end_matches('/') {
                return Err(SandboxError::IsDirectory(path.into()));
            }
        }
        Err(SandboxError::Outside(path.into()))
    }
}

/// Segments of a relative path after removing `.` and resolving `..`; `None` when it climbs
/// above its root or holds characters no platform path may hold.
pub fn normalise(rest: &str) -> Option<Vec<String>> {
    if rest.contains('\0') {
        return None;
    }
    let mut out: Vec<String> = Vec::new();
    // Backslashes count as separators: a path must not sneak `..\` past the check.
    for seg in rest.split(['/', '\\']) {
        match seg {
            "" | "." => {}
            ".." => {
                out.pop()?;
            }
            s => out.push(s.to_string()),
        }
    }
    Some(out)
}

/// A file being written next to its final place; removed on drop unless committed.
#[derive(Debug)]
pub struct PartialFile {
    partial: PathBuf,
    target: PathBuf,
    committed: bool,
    keep: bool,
}

impl PartialFile {
    /// Create the partial file for `target` in the same folder (through
    /// [`Sandbox::create_partial`], which checks the folder).
    async fn create(target: &Path) -> Result<(PartialFile, tokio::fs::File), SandboxError> {
        let dir = target
            .parent()
            .ok_or_else(|| SandboxError::MissingParent(target.display().to_string()))?;
        let partial = dir.join(format!(".{}.partial", random_name()));
        // Opened without an await point before the guard exists: a transfer cancelled here (abort,
        // host event) must not leave a file that a background open created after the cancel.
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&partial)?;
        let file = tokio::fs::File::from_std(file);
        Ok((
            PartialFile {
                partial,
                target: target.to_path_buf(),
                committed: false,
                keep: false,
            },
            file,
        ))
    }

    /// Leave the partial file behind if the transfer fails (the `partial-file-kept` mutant).
    pub fn keep_on_failure(&mut self) {
        self.keep = true;
    }

    /// Move the partial file to its final place.
    pub async fn commit(mut self) -> Result<(), SandboxError> {
        // Synchronous for the same reason as `create`: a cancelled rename must not finish later.
        std::fs::rename(&self.partial, &self.target)?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for PartialFile {
    fn drop(&mut self) {
        if !self.committed && !self.keep {
            // Failed or cancelled transfers leave nothing behind.
            let _ = std::fs::remove_file(&self.partial);
        }
    }
}

/// `path` with `.` and `..` resolved without the file system (the file need not exist).
fn lexical(path: &Path) -> PathBuf {
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

/// Whether a file name belongs to a transfer in progress (not counted, not listed).
fn is_partial(name: &str) -> bool {
    name.starts_with('.') && name.ends_with(".partial")
}

/// Total size of the files under `dir`, partial files excluded.
async fn dir_usage(dir: &Path) -> Result<u64, SandboxError> {
    let mut total = 0u64;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let mut entries = match tokio::fs::read_dir(&d).await {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e.into()),
        };
        while let Some(entry) = entries.next_entry().await? {
            let meta = entry.metadata().await?;
            if meta.is_dir() {
                stack.push(entry.path());
            } else if !is_partial(&entry.file_name().to_string_lossy()) {
                total = total.saturating_add(meta.len());
            }
        }
    }
    Ok(total)
}

fn is_plain_extension(ext: &str) -> bool {
    !ext.is_empty() && ext.len() <= 10 && ext.chars().all(|c| c.is_ascii_alphanumeric())
}

/// A name no other call will pick: counter, time and process id hashed.
fn random_name() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let digest = Sha256::new()
        .chain_update(n.to_le_bytes())
        .chain_update(nanos.to_le_bytes())
        .chain_update(std::process::id().to_le_bytes())
        .finalize();
    hex::encode(&digest[..8])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sandbox(root: &Path, quota: Option<u64>) -> Sandbox {
        std::fs::create_dir_all(root.join("temp")).unwrap();
        std::fs::create_dir_all(root.join("user")).unwrap();
        Sandbox::from_env(&FsEnv {
            temp: root.join("temp").display().to_string(),
            user: root.join("user").display().to_string(),
            temp_prefix: "ttfile://temp/".into(),
            user_prefix: "ttfile://user/".into(),
            user_quota_bytes: quota,
        })
    }

    #[test]
    fn maps_prefixes_to_folders() {
        let dir = tempfile::tempdir().unwrap();
        let sb = sandbox(dir.path(), None);
        let r = sb.resolve("ttfile://user/a/./b.bin").unwrap();
        assert_eq!(r.area, Area::User);
        assert_eq!(r.fs_path, dir.path().join("user").join("a").join("b.bin"));
        assert_eq!(r.platform_path, "ttfile://user/a/b.bin");
        let t = sb.resolve("ttfile://temp/x.png").unwrap();
        assert_eq!(t.area, Area::Temp);
        assert_eq!(t.fs_path, dir.path().join("temp").join("x.png"));
    }

    #[test]
    fn refuses_traversal_and_foreign_paths() {
        let dir = tempfile::tempdir().unwrap();
        let sb = sandbox(dir.path(), None);
        assert!(matches!(
            sb.resolve("ttfile://user/../../x"),
            Err(SandboxError::Traversal(_))
        ));
        assert!(matches!(
            sb.resolve("ttfile://user/a/../../x"),
            Err(SandboxError::Traversal(_))
        ));
        assert!(matches!(
            sb.resolve("ttfile://user/..\\x"),
            Err(SandboxError::Traversal(_))
        ));
        assert!(matches!(
            sb.resolve("/etc/passwd"),
            Err(SandboxError::Outside(_))
        ));
        assert!(matches!(
            sb.resolve("ttfile://user/"),
            Err(SandboxError::IsDirectory(_))
        ));
        assert!(matches!(
            sb.resolve("ttfile://user"),
            Err(SandboxError::IsDirectory(_))
        ));
        // Climbing down and back up inside the folder is fine.
        assert!(sb.resolve("ttfile://user/a/../b").is_ok());
    }

    #[tokio::test]
    async fn write_needs_existing_parent() {
        let dir = tempfile::tempdir().unwrap();
        let sb = sandbox(dir.path(), None);
        assert!(matches!(
            sb.resolve_for_write("ttfile://user/nope/a.bin").await,
            Err(SandboxError::MissingParent(_))
        ));
        std::fs::create_dir(dir.path().join("user/sub")).unwrap();
        assert!(
            sb.resolve_for_write("ttfile://user/sub/a.bin")
                .await
                .is_ok()
        );
        assert!(matches!(
            sb.resolve_for_write("ttfile://user/sub").await,
            Err(SandboxError::IsDirectory(_))
        ));
    }

    #[tokio::test]
    async fn quota_counts_existing_user_files() {
        let dir = tempfile::tempdir().unwrap();
        let sb = sandbox(dir.path(), Some(100));
        std::fs::write(dir.path().join("user/old.bin"), [0u8; 60]).unwrap();
        assert!(sb.check_quota(Area::User, 40).await.is_ok());
        assert!(matches!(
            sb.check_quota(Area::User, 41).await,
            Err(SandboxError::QuotaExceeded { used: 60, .. })
        ));
        assert!(sb.check_quota(Area::Temp, 1000).await.is_ok());
        assert_eq!(sb.user_space_left().await.unwrap(), Some(40));
    }

    #[tokio::test]
    async fn partial_file_vanishes_unless_committed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.bin");
        let (p, _f) = PartialFile::create(&target).await.unwrap();
        drop(p);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        let (p, f) = PartialFile::create(&target).await.unwrap();
        drop(f);
        p.commit().await.unwrap();
        assert!(target.exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[tokio::test]
    async fn writes_outside_the_folders_are_refused_naming_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let sb = sandbox(&dir.path().join("s"), None);
        let above = dir.path().join("s/temp/../../x");
        let err = sb.write_file(&above, b"x").await.unwrap_err();
        assert!(matches!(err, SandboxError::Refused(_)), "{err}");
        assert!(
            err.to_string().contains("permission denied, open '"),
            "{err}"
        );
        assert!(!dir.path().join("x").exists());
        assert!(sb.create_partial(&above).await.is_err());
        sb.write_file(&dir.path().join("s/user/ok"), b"x")
            .await
            .unwrap();
        let (p, _f) = sb
            .create_partial(&dir.path().join("s/temp/a.bin"))
            .await
            .unwrap();
        drop(p);
    }

    #[test]
    fn prefixes_without_slash_are_plain_prefixes() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("t")).unwrap();
        let sb = Sandbox::from_env(&FsEnv {
            temp: dir.path().join("t").display().to_string(),
            user: dir.path().join("u").display().to_string(),
            temp_prefix: "wxfile://tmp_".into(),
            user_prefix: "wxfile://usr/".into(),
            user_quota_bytes: None,
        });
        let r = sb.resolve("wxfile://tmp_abc.png").unwrap();
        assert_eq!(
            (r.area, r.fs_path),
            (Area::Temp, dir.path().join("t").join("abc.png"))
        );
        assert!(
            sb.new_temp_file(Some("png"))
                .platform_path
                .starts_with("wxfile://tmp_")
        );
        assert!(matches!(
            sb.resolve("wxfile://tmp_../x"),
            Err(SandboxError::Traversal(_))
        ));
    }

    #[test]
    fn temp_names_keep_plain_extensions_only() {
        let dir = tempfile::tempdir().unwrap();
        let sb = sandbox(dir.path(), None);
        let a = sb.new_temp_file(Some("PNG"));
        assert!(a.platform_path.starts_with("ttfile://temp/") && a.platform_path.ends_with(".png"));
        let b = sb.new_temp_file(Some("../x"));
        assert!(!b.platform_path.contains(".."));
        assert_ne!(a.platform_path, sb.new_temp_file(Some("png")).platform_path);
    }
}
