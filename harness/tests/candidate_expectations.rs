//! Every `candidates/*/expectations.yaml` parses, and every entry of a real candidate's (each
//! folder with a candidate.yaml but example-node) names its evidence: what the library did and
//! the document that says otherwise. Problems are listed as `file:line:column: evidence: ...`.

mod cli_support;
use cli_support::workspace;

use std::path::{Path, PathBuf};

use dlconform::compat::{MANIFEST_FILE, evidence, manifest};
use dlconform::expectations::Expectations;

#[test]
fn every_real_candidate_expectation_names_its_evidence() {
    let root = workspace();
    let (folders, problems, real_entries) = check(&root);
    assert!(
        folders.iter().any(|f| f.ends_with("example-node")),
        "candidates/example-node is missing: {folders:?}"
    );
    assert!(
        problems.is_empty(),
        "{} problem(s) in candidates/*/expectations.yaml:\n{}",
        problems.len(),
        problems.join("\n")
    );
    eprintln!(
        "{} candidate folders; {real_entries} entries of real candidates, each with evidence",
        folders.len()
    );
}

#[test]
fn the_evidence_check_names_a_bare_entry_of_a_real_candidate_and_spares_the_example() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bare = "expectations:\n  - cases: \"wechat/download/body/empty\"\n    checks: [outcome]\n    status: FAIL\n    reason: \"r\"\n";
    for name in ["real-lib", "example-node"] {
        let folder = dir.path().join("candidates").join(name);
        std::fs::create_dir_all(&folder).expect("folder");
        std::fs::write(
            folder.join(MANIFEST_FILE),
            format!("name: {name}\ndescription: d\ncandidate: reference\nplatforms: [wechat]\nexpectations: expectations.yaml\n"),
        )
        .expect("manifest");
        std::fs::write(folder.join("expectations.yaml"), bare).expect("expectations");
    }
    // A folder without a manifest is no candidate of the matrix: its entries are only parsed.
    let loose = dir.path().join("candidates/loose");
    std::fs::create_dir_all(&loose).expect("folder");
    std::fs::write(loose.join("expectations.yaml"), bare).expect("expectations");
    let (_, problems, real_entries) = check(dir.path());
    assert_eq!(real_entries, 1);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with(
            "candidates/real-lib/expectations.yaml:2:5: evidence: entry `wechat/download/body/empty` has no `evidence`"
        ),
        "{problems:?}"
    );
}

/// The candidate folders under `root/candidates`, the problems of their expectations files
/// (paths relative to `root`), and how many entries of real candidates were checked.
fn check(root: &Path) -> (Vec<PathBuf>, Vec<String>, usize) {
    let candidates = root.join("candidates");
    let mut folders: Vec<_> = std::fs::read_dir(&candidates)
        .expect("candidates/ is readable")
        .map(|entry| entry.expect("folder entry").path())
        .filter(|path| path.is_dir())
        .collect();
    folders.sort();
    let mut problems = Vec::new();
    let mut real_entries = 0;
    for folder in &folders {
        let name = folder
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let manifest_file = folder.join(MANIFEST_FILE);
        // The manifest names the file; a folder without one may still hold the default name.
        let file = if manifest_file.is_file() {
            match manifest::load(&manifest_file) {
                Ok(manifest) => manifest.expectations,
                Err(err) => {
                    problems.push(err.to_string());
                    continue;
                }
            }
        } else {
            folder.join("expectations.yaml")
        };
        if !file.is_file() {
            continue;
        }
        let shown = file.strip_prefix(root).unwrap_or(&file).to_path_buf();
        let text = std::fs::read_to_string(&file).expect("expectations readable");
        let expectations = match Expectations::parse(&shown, &text) {
            Ok(expectations) => expectations,
            Err(err) => {
                problems.push(err.to_string());
                continue;
            }
        };
        if manifest_file.is_file() && evidence::is_real(&name) {
            real_entries += expectations.len();
            problems.extend(
                evidence::missing_evidence(&expectations)
                    .iter()
                    .map(ToString::to_string),
            );
        }
    }
    (folders, problems, real_entries)
}
