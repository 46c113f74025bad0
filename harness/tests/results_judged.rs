//! `judged` of every case over real runs: the reference over the wechat spec, and a candidate
//! lacking files (`fixtures/candidates/lacking.py`). A PASS case judged something, every failure's
//! check is judged, no not-applicable check is, and a case the checks never ran on judged nothing.

use std::path::{Path, PathBuf};
use std::time::Duration;

mod cli_support;
#[path = "../needs.rs"]
mod needs;

use dlconform::candidate::CandidateSpec;
use dlconform::results::{CaseResult, RunResults};
use dlconform::runner::plan::Selection;
use dlconform::runner::report::Reporter;
use dlconform::runner::{RunOptions, run};
use dlconform::spec::model::Platform;
use dlconform::verdict::Status;

struct Quiet;

impl Reporter for Quiet {
    fn start(&self, _total: usize) {}
    fn case_done(&self, _case: &CaseResult) {}
    fn finish(&self) {}
}

fn specs() -> PathBuf {
    cli_support::workspace().join("specs/wechat.yaml")
}

fn run_with(candidate: CandidateSpec, selection: Selection) -> RunResults {
    let options = RunOptions {
        jobs: 2,
        linger: Duration::from_millis(50),
        run_id: "judged".into(),
        selection,
        ..RunOptions::new(candidate, vec![specs()])
    };
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime
        .block_on(run(options, &Quiet))
        .expect("the run happens")
}

/// The invariants of `judged` over every case of a run.
fn assert_judged_invariants(results: &RunResults) {
    for case in &results.cases {
        let judged = &case.judged;
        if case.status == Status::Pass {
            assert!(!judged.is_empty(), "{} passed and judged nothing", case.id);
        }
        for failure in &case.failures {
            assert!(
                judged.contains(&failure.check),
                "{}: {} failed and is not judged: {judged:?}",
                case.id,
                failure.check
            );
        }
        for entry in &case.not_applicable {
            assert!(
                !judged.contains(&entry.check),
                "{}: {} is not applicable and judged: {judged:?}",
                case.id,
                entry.check
            );
        }
        for (i, id) in judged.iter().enumerate() {
            assert!(!judged[..i].contains(id), "{}: {id} judged twice", case.id);
        }
        if matches!(
            case.status,
            Status::Skip | Status::NotApplicable | Status::Unsupported
        ) {
            assert!(judged.is_empty(), "{} judged {judged:?}", case.id);
        }
    }
}

#[test]
fn judged_reference_over_wechat() {
    let results = run_with(
        CandidateSpec::Builtin("reference".into()),
        Selection {
            platforms: vec![Platform::Wechat],
            ..Selection::default()
        },
    );
    assert!(results.cases.len() > 20, "{} cases", results.cases.len());
    let passed = results
        .cases
        .iter()
        .filter(|c| c.status == Status::Pass)
        .count();
    assert!(passed > 20, "only {passed} cases passed");
    assert_judged_invariants(&results);
    // The callback order is judged on every case whose calls all completed.
    assert!(
        results
            .cases
            .iter()
            .filter(|c| c.status == Status::Pass)
            .all(|c| c.judged.iter().any(|j| j == "callback-order.result")),
        "a PASS case without callback-order.result"
    );
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn judged_lacking_files_leaves_out_the_file_checks() {
    needs::require(&["python3"]);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/candidates/lacking.py");
    let command = format!("{} {} files blob", cli_support::python(), script.display());
    let case_id = "wechat/download/success/temp-file";
    let results = run_with(
        CandidateSpec::Command(command),
        Selection {
            cases: vec![case_id.to_string()],
            ..Selection::default()
        },
    );
    assert_judged_invariants(&results);
    let case = results
        .cases
        .iter()
        .find(|c| c.id == case_id)
        .unwrap_or_else(|| panic!("{case_id} not in the results"));
    assert_eq!(case.status, Status::Pass, "{case:#?}");
    assert!(!case.not_applicable.is_empty(), "{case:#?}");
    assert!(
        !case
            .judged
            .iter()
            .any(|j| j.starts_with("file.") && j != "file.outside"),
        "{:?}",
        case.judged
    );
    assert!(
        case.judged.iter().any(|j| j == "outcome"),
        "{:?}",
        case.judged
    );
}
