//! Partitions 1/2 and 2/2 of a real run, merged, give the same verdicts as the whole run.

mod cli_support;
use cli_support::{dlconform, workspace};

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use dlconform::report::load_results;

/// Run `dlconform run` on the Feishu gadget spec with extra arguments; returns results.json's path.
fn run(out: &Path, extra: &[&str]) -> PathBuf {
    let spec = workspace().join("specs/feishu-gadget.yaml");
    let mut args = vec![
        OsString::from("run"),
        "--specs".into(),
        spec.into(),
        "--out".into(),
        out.into(),
    ];
    args.extend(extra.iter().map(OsString::from));
    let output = dlconform(&workspace(), &args);
    assert!(
        output.status.code() == Some(0),
        "run {extra:?} failed: {}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    out.join("results.json")
}

fn verdicts(path: &Path) -> BTreeMap<String, String> {
    let merged = load_results(path).expect("results load");
    merged
        .candidates
        .iter()
        .flat_map(|c| c.results.cases.iter())
        .map(|case| (case.id.clone(), case.status.name().to_string()))
        .collect()
}

#[test]
fn merged_partitions_equal_the_whole_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let whole = run(&dir.path().join("whole"), &[]);
    let first = run(&dir.path().join("p1"), &["--partition", "1/2"]);
    let second = run(&dir.path().join("p2"), &["--partition", "2/2"]);

    let (one, two) = (verdicts(&first), verdicts(&second));
    assert!(!one.is_empty() && !two.is_empty(), "a partition is empty");
    assert!(
        one.keys().all(|id| !two.contains_key(id)),
        "a case ran in both partitions"
    );

    let merged_dir = dir.path().join("merged");
    let args = [
        OsString::from("report"),
        "merge".into(),
        first.into(),
        second.into(),
        "--out".into(),
        merged_dir.clone().into_os_string(),
    ];
    let output = dlconform(&workspace(), &args);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let merged = load_results(&merged_dir.join("results.json")).expect("merged loads");
    assert_eq!(merged.candidates.len(), 1, "one candidate, one column");
    assert_eq!(verdicts(&merged_dir.join("results.json")), verdicts(&whole));
}
