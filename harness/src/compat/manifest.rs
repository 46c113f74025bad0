//! Candidate manifests: `candidates/<name>/candidate.yaml`, read and checked with positions, so
//! that adding a candidate to the compatibility matrix is one file.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_saphyr::{Location, Spanned};

use crate::candidate::CandidateSpec;
use crate::expectations::Problem;
use crate::spec::model::Platform;

use super::lacks::{self, Lack, RawLack};

/// File name of a manifest inside its candidate's folder.
pub const MANIFEST_FILE: &str = "candidate.yaml";

/// A checked manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// The manifest file.
    pub file: PathBuf,
    /// The candidate's folder (where `install` runs).
    pub dir: PathBuf,
    /// The candidate's name: its folder's name, and its snapshot folder's.
    pub name: String,
    /// One line saying what it is.
    pub description: String,
    /// Shell command run with `sh -c` in the folder to install its pinned dependencies; `None`:
    /// nothing to install.
    pub install: Option<String>,
    /// The `--candidate` value, as written (a command line runs from the repository root).
    pub candidate: String,
    /// Platforms it is run over, in the order written.
    pub platforms: Vec<Platform>,
    /// Its expectations file (the manifest's path joined to the folder).
    pub expectations: PathBuf,
    /// Capabilities its runtime lacks, each with evidence; its hello must lack exactly these.
    pub lacks: Vec<Lack>,
}

impl Manifest {
    /// The candidate to start.
    pub fn spec(&self) -> Result<CandidateSpec, crate::candidate::StartError> {
        CandidateSpec::parse(&self.candidate)
    }
}

/// A manifest that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// The folder or the file could not be read.
    #[error("{path}: cannot read: {source}")]
    Read {
        /// File or folder.
        path: PathBuf,
        /// OS error.
        source: std::io::Error,
    },
    /// Malformed YAML, unknown or missing keys, bad values: every problem found, in file order.
    #[error("{}", .0.iter().map(Problem::to_string).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<Problem>),
}

/// The manifest as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    name: Spanned<String>,
    description: Spanned<String>,
    #[serde(default)]
    install: Option<Spanned<String>>,
    candidate: Spanned<String>,
    platforms: Spanned<Vec<Spanned<String>>>,
    expectations: Spanned<String>,
    #[serde(default)]
    lacks: Option<Spanned<Vec<Spanned<RawLack>>>>,
}

/// Every manifest under `candidates_dir` (`<dir>/*/candidate.yaml`), sorted by folder name.
/// Problems of all of them are gathered before failing.
pub fn discover(candidates_dir: &Path) -> Result<Vec<Manifest>, ManifestError> {
    let read_error = |source| ManifestError::Read {
        path: candidates_dir.to_path_buf(),
        source,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(candidates_dir).map_err(read_error)? {
        let file = entry.map_err(read_error)?.path().join(MANIFEST_FILE);
        if file.is_file() {
            files.push(file);
        }
    }
    files.sort();
    let mut manifests = Vec::new();
    let mut problems = Vec::new();
    for file in files {
        match load(&file) {
            Ok(manifest) => manifests.push(manifest),
            Err(ManifestError::Invalid(found)) => problems.extend(found),
            Err(other) => return Err(other),
        }
    }
    if problems.is_empty() {
        Ok(manifests)
    } else {
        Err(ManifestError::Invalid(problems))
    }
}

/// Read and check one manifest file.
pub fn load(file: &Path) -> Result<Manifest, ManifestError> {
    let text = std::fs::read_to_string(file).map_err(|source| ManifestError::Read {
        path: file.to_path_buf(),
        source,
    })?;
    parse(file, &text)
}

/// Parse and check manifest text; `file` names it in problems and locates its folder.
pub fn parse(file: &Path, text: &str) -> Result<Manifest, ManifestError> {
    let problem = |at: Location, message: String| Problem {
        path: file.to_path_buf(),
        line: at.line(),
        column: at.column(),
        message,
    };
    let options = serde_saphyr::options! {
        duplicate_keys: serde_saphyr::options::DuplicateKeyPolicy::Error,
    };
    let raw: RawManifest = serde_saphyr::from_str_with_options(text, options).map_err(|err| {
        let at = err.location().unwrap_or(Location::UNKNOWN);
        let message = crate::expectations::load::plain_message(&err.to_string());
        ManifestError::Invalid(vec![problem(at, message)])
    })?;
    let dir = file
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let folder = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut problems = Vec::new();
    let mut text_of = |field: &Spanned<String>, key: &str| {
        let value = field.value.trim().to_string();
        if value.is_empty() {
            problems.push(problem(field.referenced, format!("`{key}` is empty")));
        }
        value
    };
    let name = text_of(&raw.name, "name");
    let description = text_of(&raw.description, "description");
    let candidate = text_of(&raw.candidate, "candidate");
    let expectations = text_of(&raw.expectations, "expectations");
    let install = raw.install.as_ref().map(|i| text_of(i, "install"));
    if name == super::REFERENCE {
        problems.push(problem(
            raw.name.referenced,
            format!("`{name}` is the built-in reference's column and snapshot folder: name the candidate otherwise"),
        ));
    } else if !name.is_empty() && name != folder {
        problems.push(problem(
            raw.name.referenced,
            format!("`name` is `{name}` but the folder is `{folder}`: a candidate is named by its folder"),
        ));
    }
    if !candidate.is_empty()
        && let Err(err) = CandidateSpec::parse(&candidate)
    {
        problems.push(problem(
            raw.candidate.referenced,
            format!("`candidate`: {err}"),
        ));
    }
    let mut platforms = Vec::new();
    if raw.platforms.value.is_empty() {
        problems.push(problem(
            raw.platforms.referenced,
            "`platforms` lists no platform".to_string(),
        ));
    }
    for item in &raw.platforms.value {
        let at = if item.referenced.line() == 0 {
            raw.platforms.referenced
        } else {
            item.referenced
        };
        match Platform::from_name(item.value.trim()) {
            Some(platform) if platforms.contains(&platform) => problems.push(problem(
                at,
                format!("platform `{}` is listed twice", item.value),
            )),
            Some(platform) => platforms.push(platform),
            None => problems.push(problem(
                at,
                format!(
                    "unknown platform `{}`; expected one of {}",
                    item.value,
                    Platform::ALL.map(Platform::name).join(", ")
                ),
            )),
        }
    }
    let expectations_path = dir.join(&expectations);
    if !expectations.is_empty() {
        let relative = Path::new(&expectations);
        let leaves = relative.is_absolute()
            || relative
                .components()
                .any(|c| matches!(c, std::path::Component::ParentDir));
        if leaves {
            problems.push(problem(
                raw.expectations.referenced,
                format!("`expectations` must be a path inside the candidate's folder, not `{expectations}`"),
            ));
        } else if !expectations_path.is_file() {
            problems.push(problem(
                raw.expectations.referenced,
                format!("no expectations file at {}", expectations_path.display()),
            ));
        }
    }
    let lacks = match &raw.lacks {
        Some(list) => {
            let (lacks, found) = lacks::check(&list.value, list.referenced, &problem);
            problems.extend(found);
            lacks
        }
        None => Vec::new(),
    };
    if !problems.is_empty() {
        return Err(ManifestError::Invalid(problems));
    }
    Ok(Manifest {
        file: file.to_path_buf(),
        dir,
        name,
        description,
        install,
        candidate,
        platforms,
        expectations: expectations_path,
        lacks,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A candidate folder `<tmp>/<name>/` with an expectations file; returns the manifest path.
    fn folder(dir: &Path, name: &str) -> PathBuf {
        let folder = dir.join(name);
        std::fs::create_dir_all(&folder).expect("folder");
        std::fs::write(folder.join("expectations.yaml"), "").expect("expectations");
        folder.join(MANIFEST_FILE)
    }

    fn problems(file: &Path, text: &str) -> Vec<String> {
        match parse(file, text) {
            Ok(manifest) => panic!("accepted: {manifest:?}"),
            Err(ManifestError::Invalid(problems)) => {
                problems.iter().map(ToString::to_string).collect()
            }
            Err(other) => panic!("{other}"),
        }
    }

    #[test]
    fn a_good_manifest_resolves_its_folder_and_expectations() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = folder(dir.path(), "lib");
        let manifest = parse(
            &file,
            "name: lib\ndescription: \"a lib\"\ninstall: \"./install.sh\"\ncandidate: \"cmd:node a.js\"\nplatforms: [wechat, douyin]\nexpectations: expectations.yaml\n",
        )
        .expect("valid");
        assert_eq!(manifest.dir, dir.path().join("lib"));
        assert_eq!(
            manifest.expectations,
            dir.path().join("lib/expectations.yaml")
        );
        assert_eq!(manifest.platforms, [Platform::Wechat, Platform::Douyin]);
        assert_eq!(manifest.install.as_deref(), Some("./install.sh"));
        assert!(matches!(manifest.spec(), Ok(CandidateSpec::Command(c)) if c == "node a.js"));
    }

    /// `found` is exactly the `expected` problems, each matched by its start.
    fn assert_problems(found: &[String], expected: &[String]) {
        for expected in expected {
            assert!(
                found.iter().any(|p| p.starts_with(expected.as_str())),
                "no `{expected}` in {found:#?}"
            );
        }
        assert_eq!(found.len(), expected.len(), "{found:#?}");
    }

    #[test]
    fn every_value_problem_is_reported_at_its_place() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = folder(dir.path(), "lib");
        let found = problems(
            &file,
            "name: lib\ndescription: \"\"\ncandidate: \"cmd:\"\nplatforms:\n  - wechat\n  - wechat\nexpectations: ../elsewhere.yaml\n",
        );
        let shown = file.display().to_string();
        assert_problems(
            &found,
            &[
                format!("{shown}:2:14: `description` is empty"),
                format!("{shown}:3:12: `candidate`: unknown candidate 'cmd:': empty command line"),
                format!("{shown}:6:5: platform `wechat` is listed twice"),
                format!(
                    "{shown}:7:15: `expectations` must be a path inside the candidate's folder"
                ),
            ],
        );
    }

    #[test]
    fn a_missing_expectations_file_and_an_empty_platform_list_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = folder(dir.path(), "lib");
        let found = problems(
            &file,
            "name: lib\ndescription: d\ncandidate: reference\nplatforms: []\nexpectations: missing.yaml\n",
        );
        assert!(
            found
                .iter()
                .any(|p| p.contains("`platforms` lists no platform")),
            "{found:#?}"
        );
        assert!(
            found.iter().any(|p| p.contains("no expectations file at")),
            "{found:#?}"
        );
    }

    #[test]
    fn lacks_carry_their_evidence() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = folder(dir.path(), "lib");
        let manifest = parse(
            &file,
            "name: lib\ndescription: d\ncandidate: reference\nplatforms: [wechat]\nexpectations: expectations.yaml\nlacks:\n  - capability: sdk-version\n    evidence: {observed: \"o\", document: \"d\"}\n  - capability: files\n    evidence: {observed: \"blob: URLs\", document: \"no file system\"}\n",
        )
        .expect("valid");
        let names: Vec<&str> = manifest.lacks.iter().map(|l| l.capability.name()).collect();
        assert_eq!(names, ["files", "sdk-version"]);
        assert_eq!(manifest.lacks[0].evidence.observed, "blob: URLs");
    }

    #[test]
    fn a_lack_without_evidence_unknown_or_twice_is_refused_at_its_place() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = folder(dir.path(), "lib");
        let found = problems(
            &file,
            "name: lib\ndescription: d\ncandidate: reference\nplatforms: [wechat]\nexpectations: expectations.yaml\nlacks:\n  - capability: files\n  - capability: host-events\n    evidence: {observed: \"o\"}\n  - capability: teleport\n    evidence: {observed: \"o\", document: \"d\"}\n  - capability: files\n    evidence: {observed: \"o\", document: \"d\"}\n",
        );
        let shown = file.display().to_string();
        assert_problems(
            &found,
            &[
                format!("{shown}:7:5: `lacks` `files` has no `evidence.observed`"),
                format!("{shown}:8:5: `lacks` `host-events` has no `evidence.document`"),
                format!("{shown}:10:17: unknown capability `teleport` in `lacks`"),
                format!("{shown}:12:5: `files` is listed twice in `lacks`"),
            ],
        );
    }

    #[test]
    fn discover_reads_every_folder_with_a_manifest_in_name_order() {
        let dir = tempfile::tempdir().expect("tempdir");
        for name in ["b-lib", "a-lib"] {
            let file = folder(dir.path(), name);
            std::fs::write(
                file,
                format!("name: {name}\ndescription: d\ncandidate: reference\nplatforms: [baidu]\nexpectations: expectations.yaml\n"),
            )
            .expect("manifest");
        }
        std::fs::create_dir_all(dir.path().join("no-manifest")).expect("folder");
        let names: Vec<String> = discover(dir.path())
            .expect("valid")
            .into_iter()
            .map(|m| m.name)
            .collect();
        assert_eq!(names, ["a-lib", "b-lib"]);
    }
}
