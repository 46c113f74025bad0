//! Every spec in `specs/` loads and lints clean, and so does the valid fixture.

use std::path::{Path, PathBuf};

use dlconform::spec::load_specs;
use dlconform::spec::summary::Summary;

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The repository's `specs/` folder.
fn specs_dir() -> PathBuf {
    let manifest = manifest_dir();
    manifest.parent().unwrap_or(manifest).join("specs")
}

/// `specs/*.yaml` of the repository; there must be some, or these tests would assert nothing.
fn spec_paths() -> Vec<PathBuf> {
    let entries = std::fs::read_dir(specs_dir())
        .unwrap_or_else(|err| panic!("cannot read {}: {err}", specs_dir().display()));
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no *.yaml in {}", specs_dir().display());
    paths
}

#[test]
fn each_spec_loads_and_lints_clean() {
    let paths = spec_paths();
    let failures: Vec<String> = paths
        .iter()
        .filter_map(|path| load_specs(std::slice::from_ref(path)).err())
        .map(|errors| errors.to_string())
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} specs have problems:\n{}",
        failures.len(),
        paths.len(),
        failures.join("\n")
    );
}

#[test]
fn all_specs_together_lint_clean() {
    let paths = spec_paths();
    match load_specs(&[specs_dir()]) {
        Ok(specs) => assert_eq!(specs.len(), paths.len()),
        Err(errors) => panic!("specs/ as a set has problems:\n{errors}"),
    }
}

#[test]
fn valid_fixture_loads_with_its_counts() {
    let path = manifest_dir().join("tests/fixtures/specs/valid.yaml");
    let specs = load_specs(std::slice::from_ref(&path)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(specs.len(), 1);
    assert_eq!(specs[0].path, path);
    let summary = Summary::of(specs.iter().map(|s| &s.spec));
    assert_eq!(
        summary.to_string(),
        "1 spec ok: platforms wechat alipay; 5 cases (3 required, 0 of them with recommended parts, 2 recommended, \
         1 skipped); 3 error codes (2 pinned by a case, 0 with cases that pin no code, 1 untestable)"
    );
}
