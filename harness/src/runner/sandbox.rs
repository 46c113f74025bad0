//! The folder a case's calls may write to: `temp/` and `user/` behind the platform's path
//! prefixes, nested a few levels deep so that writes escaping it are still seen by the scan.

use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::observation::FileRecord;
use crate::spec::model::{Paths, SandboxFile};

/// Levels between the scanned case folder and the sandbox root; escapes up to this deep are seen.
const NESTING: [&str; 3] = ["outside-1", "outside-2", "sandbox"];

/// One case's sandbox.
#[derive(Debug, Clone)]
pub struct Sandbox {
    /// The folder scanned after the case (contains the root, a few levels down).
    pub case_dir: PathBuf,
    /// The sandbox root: holds `temp/` and `user/`.
    pub root: PathBuf,
    /// Absolute folder behind the temp prefix.
    pub temp: PathBuf,
    /// Absolute folder behind the user prefix.
    pub user: PathBuf,
    /// The platform's temp prefix.
    pub temp_prefix: String,
    /// The platform's user prefix.
    pub user_prefix: String,
    preexisting: Vec<String>,
}

impl Sandbox {
    /// Create `<base>/<key>/.../sandbox/{temp,user}`.
    pub fn create(base: &Path, key: &str, paths: &Paths) -> std::io::Result<Sandbox> {
        let case_dir = base.join(key);
        let root = NESTING
            .iter()
            .fold(case_dir.clone(), |p, part| p.join(part));
        let temp = root.join("temp");
        let user = root.join("user");
        std::fs::create_dir_all(&temp)?;
        std::fs::create_dir_all(&user)?;
        Ok(Sandbox {
            case_dir,
            root,
            temp,
            user,
            temp_prefix: paths.temp.clone(),
            user_prefix: paths.user.clone(),
            preexisting: Vec::new(),
        })
    }

    /// The path relative to the root (`user/a.bin`) behind a platform path, or `None` when the
    /// path has neither prefix or leaves its folder.
    pub fn relative(&self, platform_path: &str) -> Option<String> {
        platform_relative(platform_path, &self.temp_prefix, &self.user_prefix)
    }

    /// Absolute path behind a platform path (see [`Sandbox::relative`]).
    pub fn resolve(&self, platform_path: &str) -> Option<PathBuf> {
        self.relative(platform_path).map(|rel| self.root.join(rel))
    }

    /// Write the case's `env.files` with generated content.
    pub fn place_files(&mut self, files: &[SandboxFile]) -> Result<(), String> {
        for file in files {
            let rel = self.relative(&file.path).ok_or_else(|| {
                format!(
                    "env.files path '{}' is not under {} or {}",
                    file.path, self.temp_prefix, self.user_prefix
                )
            })?;
            let path = self.root.join(&rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)
                    .map_err(|e| format!("{}: {e}", parent.display()))?;
            }
            write_generated(&path, file.seed, file.size)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            self.preexisting.push(rel);
        }
        Ok(())
    }

    /// Every file under the case folder, paths relative to the root (`../x` when outside it).
    pub fn scan(&self) -> Vec<FileRecord> {
        let mut records = Vec::new();
        let mut stack = vec![self.case_dir.clone()];
        while let Some(dir) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                let Ok(meta) = std::fs::symlink_metadata(&path) else {
                    continue;
                };
                if meta.is_dir() {
                    stack.push(path);
                    continue;
                }
                let rel = relative_to(&self.root, &path);
                let inside = rel.starts_with("temp/") || rel.starts_with("user/");
                let (size, sha256) = if meta.is_file() {
                    digest(&path).unwrap_or((meta.len(), String::new()))
                } else {
                    (0, String::new())
                };
                records.push(FileRecord {
                    preexisting: self.preexisting.contains(&rel),
                    path: rel,
                    size,
                    sha256,
                    inside,
                });
            }
        }
        records.sort_by(|a, b| a.path.cmp(&b.path));
        records
    }
}

/// The sandbox-relative path (`user/a.bin`) behind a platform path, or `None` when the path has
/// neither prefix or leaves its folder.
pub fn platform_relative(
    platform_path: &str,
    temp_prefix: &str,
    user_prefix: &str,
) -> Option<String> {
    let (folder, rest) = if let Some(rest) = platform_path.strip_prefix(user_prefix) {
        ("user", rest)
    } else if let Some(rest) = platform_path.strip_prefix(temp_prefix) {
        ("temp", rest)
    } else {
        return None;
    };
    let mut parts: Vec<&str> = Vec::new();
    for component in Path::new(rest).components() {
        match component {
            Component::Normal(part) => parts.push(part.to_str()?),
            Component::CurDir => {}
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    if parts.is_empty() {
        return None;
    }
    Some(format!("{folder}/{}", parts.join("/")))
}

/// `path` relative to `root`, with `..` for each level above it.
fn relative_to(root: &Path, path: &Path) -> String {
    if let Ok(rest) = path.strip_prefix(root) {
        return rest.to_string_lossy().replace('\\', "/");
    }
    let mut up = 0;
    let mut base = root.to_path_buf();
    while let Some(parent) = base.parent().map(Path::to_path_buf) {
        up += 1;
        base = parent;
        if let Ok(rest) = path.strip_prefix(&base) {
            return format!("{}{}", "../".repeat(up), rest.to_string_lossy());
        }
    }
    path.to_string_lossy().into_owned()
}

/// Size and SHA-256 (hex) of a file, streamed.
pub fn digest(path: &Path) -> std::io::Result<(u64, String)> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buf[..n]);
    }
    Ok((size, hex::encode(hasher.finalize())))
}

fn write_generated(path: &Path, seed: u64, size: u64) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    // The mock server's generator: a (seed, size) file equals the body the server would send.
    let mut generator = mock_server::respond::body::BodyGenerator::new(seed);
    let mut buf = vec![0u8; 64 * 1024];
    let mut left = size;
    while left > 0 {
        let n = left.min(buf.len() as u64) as usize;
        generator.fill(&mut buf[..n]);
        out.write_all(&buf[..n])?;
        left -= n as u64;
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths() -> Paths {
        Paths {
            temp: "ttfile://temp/".into(),
            user: "ttfile://user/".into(),
            source: "test".into(),
            tier_reason: None,
        }
    }

    #[test]
    fn platform_paths_map_and_escapes_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let sandbox = Sandbox::create(dir.path(), "k", &paths()).expect("sandbox");
        assert_eq!(
            sandbox.relative("ttfile://user/a/b.bin").as_deref(),
            Some("user/a/b.bin")
        );
        assert_eq!(
            sandbox.relative("ttfile://temp/./x").as_deref(),
            Some("temp/x")
        );
        assert_eq!(sandbox.relative("ttfile://user/../../x"), None);
        assert_eq!(sandbox.relative("/etc/passwd"), None);
    }

    #[test]
    fn scan_sees_files_outside_and_preexisting() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut sandbox = Sandbox::create(dir.path(), "k", &paths()).expect("sandbox");
        sandbox
            .place_files(&[SandboxFile {
                path: "ttfile://temp/up.bin".into(),
                size: 1000,
                seed: 3,
            }])
            .expect("placed");
        std::fs::write(sandbox.user.join("new.txt"), b"hi").expect("write");
        std::fs::write(sandbox.root.join("../escaped"), b"x").expect("write");
        let files = sandbox.scan();
        let paths: Vec<_> = files
            .iter()
            .map(|f| (f.path.as_str(), f.inside, f.preexisting))
            .collect();
        assert_eq!(
            paths,
            vec![
                ("../escaped", false, false),
                ("temp/up.bin", true, true),
                ("user/new.txt", true, false)
            ]
        );
        assert_eq!(files[1].size, 1000);
    }
}
