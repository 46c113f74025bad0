//! Merging results: partitions of one candidate become the union of their cases, a case present
//! twice must be identical, several candidates become the columns of the matrix.

mod report_support;

use dlconform::report::merge::{MERGED_KIND, MergeError};
use dlconform::report::{MergedResults, load_results, merge};
use dlconform::results::{RunResults, Summary};
use dlconform::verdict::Status;
use report_support::{run_of, sample_cases, sample_run, write_run};

/// Slice `k` of `n` of the sample run, as `dlconform run --partition k/n` would write it.
fn partition(k: usize, n: usize) -> RunResults {
    let cases = sample_cases()
        .into_iter()
        .enumerate()
        .filter(|(i, _)| i % n == k - 1)
        .map(|(_, c)| c)
        .collect();
    let mut run = run_of("fixture", "1.0.0", cases);
    run.run.partition = Some(format!("{k}/{n}"));
    run.run.id = format!("2025010{k}T120000Z");
    run
}

#[test]
fn report_merge_partitions_give_the_union() {
    let outcome = merge(vec![partition(2, 2).into(), partition(1, 2).into()]).expect("merged");
    assert!(outcome.warnings.is_empty(), "{:?}", outcome.warnings);
    let merged = outcome.merged;
    assert_eq!(merged.candidates.len(), 1);
    let run = &merged.candidates[0].results;
    let mut ids: Vec<&str> = run.cases.iter().map(|c| c.id.as_str()).collect();
    let sorted = {
        let mut s = ids.clone();
        s.sort();
        s
    };
    assert_eq!(ids, sorted, "a partitioned union is in id order");
    ids.dedup();
    assert_eq!(ids.len(), sample_cases().len());
    assert_eq!(run.summary, Summary::of(&run.cases));
    assert_eq!(run.summary.total, 9);
    assert_eq!(run.run.partition, None);
    let partitions: Vec<Option<&str>> = merged.candidates[0]
        .sources
        .iter()
        .map(|s| s.partition.as_deref())
        .collect();
    assert_eq!(partitions, [Some("1/2"), Some("2/2")]);
    assert_eq!(run.run.id, "20250101T120000Z");
}

#[test]
fn report_merge_warns_about_a_missing_partition() {
    let outcome = merge(vec![partition(1, 3).into(), partition(3, 3).into()]).expect("merged");
    assert_eq!(outcome.warnings.len(), 1, "{:?}", outcome.warnings);
    assert!(
        outcome.warnings[0].contains("2/3"),
        "{:?}",
        outcome.warnings
    );
}

#[test]
fn report_merge_conflicting_duplicate_case_is_an_error() {
    let first = partition(1, 2);
    let mut second = partition(2, 2);
    let mut changed = first.cases[0].clone();
    changed.status = Status::Fail;
    second.cases.push(changed);
    let err = merge(vec![first.into(), second.into()]).expect_err("conflict");
    match &err {
        MergeError::Conflict {
            case, difference, ..
        } => {
            assert_eq!(case, "douyin/download/ok/temp-file");
            assert_eq!(difference, "status PASS vs FAIL");
        }
        other => panic!("not a conflict: {other}"),
    }
}

#[test]
fn report_merge_identical_duplicate_case_is_kept_once() {
    let first = partition(1, 2);
    let mut second = partition(2, 2);
    second.cases.push(first.cases[0].clone());
    let merged = merge(vec![first.into(), second.into()]).expect("merged");
    assert_eq!(merged.merged.candidates[0].results.cases.len(), 9);
}

#[test]
fn report_merge_two_candidates_give_two_columns() {
    let mut other = sample_cases();
    other.truncate(4);
    let outcome = merge(vec![
        MergedResults::from(sample_run()),
        MergedResults::from(run_of("other", "2.0.0", other)),
    ])
    .expect("merged");
    let labels: Vec<&str> = outcome
        .merged
        .candidates
        .iter()
        .map(|c| c.label.as_str())
        .collect();
    assert_eq!(labels, ["fixture 1.0.0", "other 2.0.0"]);
    assert_eq!(outcome.merged.candidates[1].results.cases.len(), 4);
    // Merging a merged file with a new partition of one candidate keeps both columns.
    let again = merge(vec![outcome.merged.clone(), partition(1, 2).into()]).expect("merged again");
    assert_eq!(again.merged.candidates.len(), 2);
    assert_eq!(again.merged.candidates[0].results.cases.len(), 9);
}

#[test]
fn report_merge_file_round_trips_and_single_runs_load() {
    let dir = tempfile::tempdir().expect("tempdir");
    let single = write_run(&sample_run(), &dir.path().join("single"));
    let loaded = load_results(&single).expect("single run loads");
    assert_eq!(loaded.candidates.len(), 1);
    assert_eq!(loaded.candidates[0].results, sample_run());
    assert_eq!(
        loaded.candidates[0].sources[0].path,
        single.display().to_string()
    );

    let merged = merge(vec![loaded, partition(1, 2).into()])
        .expect("merged")
        .merged;
    let path = merged
        .write_to(&dir.path().join("merged"))
        .expect("written");
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(
        text.contains(&format!("\"kind\": \"{MERGED_KIND}\"")),
        "{text}"
    );
    assert_eq!(load_results(&path).expect("merged loads"), merged);
}

#[test]
fn report_merge_rejects_unknown_format() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut run = sample_run();
    run.format = 99;
    let path = write_run(&run, dir.path());
    let err = load_results(&path).expect_err("format 99");
    assert!(matches!(err, MergeError::Format { found: 99, .. }), "{err}");
}

#[test]
fn report_merge_keeps_each_candidates_declared_capabilities() {
    let lacking = report_support::lacking_run();
    // Two partitions of the lacking candidate, the second without library and runtime (an
    // older adapter's file), and another candidate that declared nothing.
    let mut first = lacking.clone();
    first.cases.truncate(1);
    first.run.partition = Some("1/2".into());
    let mut second = lacking.clone();
    second.cases.drain(..1);
    second.run.partition = Some("2/2".into());
    second.run.candidate.library = None;
    second.run.candidate.runtime = None;
    second.run.candidate.lacks = vec!["files".into()];
    let merged = merge(vec![
        MergedResults::from(second),
        MergedResults::from(first),
        MergedResults::from(sample_run()),
    ])
    .expect("merged")
    .merged;
    assert_eq!(merged.candidates.len(), 2);
    let joined = &merged.candidates[0].results;
    assert_eq!(joined.cases.len(), 3);
    let info = &joined.run.candidate;
    assert_eq!(
        info.lacks,
        vec!["files".to_string(), "host-events".to_string()]
    );
    assert_eq!(
        info.library
            .as_ref()
            .map(|l| (l.name.as_str(), l.version.as_str())),
        Some(("fixture-lib", "1.2.3"))
    );
    assert_eq!(
        info.runtime.as_ref().map(|r| r.name.as_str()),
        Some("chromium")
    );
    let plain = &merged.candidates[1].results.run.candidate;
    assert!(plain.lacks.is_empty() && plain.library.is_none() && plain.runtime.is_none());
    // The N/A case and the not-applicable checks survive the merge.
    let na = joined
        .cases
        .iter()
        .find(|c| c.status == Status::NotApplicable)
        .expect("N/A case kept");
    assert_eq!(na.not_applicable.len(), 1);
    assert_eq!(joined.summary.by_status.get("N/A"), Some(&1));
}
