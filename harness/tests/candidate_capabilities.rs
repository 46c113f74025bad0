//! Capabilities a candidate declares missing (`lacks`), `log` and `threw`, against a candidate
//! like a browser runtime (`fixtures/candidates/lacking.py`: a real GET, then a `blob:` URL)
//! over the real wechat spec.

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
use dlconform::spec::model::Tier;
use dlconform::verdict::Status;

struct Quiet;

impl Reporter for Quiet {
    fn start(&self, _total: usize) {}
    fn case_done(&self, _case: &CaseResult) {}
    fn finish(&self) {}
}

const TEMP_FILE: &str = "wechat/download/success/temp-file";

fn specs() -> PathBuf {
    cli_support::workspace().join("specs/wechat.yaml")
}

fn lacking(lacks: &str, mode: &str) -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/candidates/lacking.py");
    format!(
        "{} {} {lacks} {mode}",
        cli_support::python(),
        script.display()
    )
}

fn run_cases(candidate: CandidateSpec, cases: &[&str], jobs: usize) -> RunResults {
    let options = RunOptions {
        jobs,
        linger: Duration::from_millis(50),
        run_id: "test".into(),
        selection: Selection {
            cases: cases.iter().map(|c| c.to_string()).collect(),
            ..Selection::default()
        },
        ..RunOptions::new(candidate, vec![specs()])
    };
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime
        .block_on(run(options, &Quiet))
        .expect("the run happens")
}

fn run_lacking(lacks: &str, mode: &str, cases: &[&str]) -> RunResults {
    run_cases(CandidateSpec::Command(lacking(lacks, mode)), cases, 4)
}

fn case<'a>(results: &'a RunResults, id: &str) -> &'a CaseResult {
    results
        .cases
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("{id} not in the results"))
}

fn checks(case: &CaseResult) -> Vec<&str> {
    case.failures.iter().map(|f| f.check.as_str()).collect()
}

fn not_applicable(case: &CaseResult) -> Vec<(&str, &str)> {
    case.not_applicable
        .iter()
        .map(|n| (n.check.as_str(), n.capability.as_str()))
        .collect()
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn capabilities_lacking_files_makes_file_checks_not_applicable_and_judges_the_rest() {
    needs::require(&["python3"]);
    let results = run_lacking("files", "blob", &[TEMP_FILE]);
    let judged = case(&results, TEMP_FILE);
    // Judged on the rest (outcome, statusCode, filePath absent, the server's one GET): PASS.
    assert_eq!(judged.status, Status::Pass, "{judged:#?}");
    assert!(judged.failures.is_empty(), "{:?}", checks(judged));
    let listed = not_applicable(judged);
    assert!(
        listed.contains(&("fields.tempFilePath", "files")),
        "{listed:?}"
    );
    assert!(
        listed
            .iter()
            .any(|(check, cap)| check.starts_with("file.") && *cap == "files"),
        "{listed:?}"
    );
    assert!(
        judged
            .not_applicable
            .iter()
            .all(|n| n.reason.contains("the candidate lacks `files`")),
        "{:?}",
        judged.not_applicable
    );
    // The candidate record keeps what it declared.
    let candidate = &results.run.candidate;
    assert_eq!(candidate.lacks, vec!["files".to_string()]);
    assert_eq!(
        candidate.library.as_ref().map(|l| l.name.as_str()),
        Some("fixture-lib")
    );
    assert_eq!(
        candidate.runtime.as_ref().map(|r| r.name.as_str()),
        Some("python")
    );
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn capabilities_without_lacks_the_same_answers_fail_the_file_checks() {
    needs::require(&["python3"]);
    // The same candidate declaring nothing: its blob: URL fails the file checks, so the PASS
    // above comes from `lacks`, not from checks that cannot fail.
    let results = run_lacking("-", "blob", &[TEMP_FILE]);
    let judged = case(&results, TEMP_FILE);
    assert_eq!(judged.status, Status::Fail);
    let failed = checks(judged);
    assert!(failed.contains(&"fields.tempFilePath"), "{failed:?}");
    assert!(failed.iter().any(|c| c.starts_with("file.")), "{failed:?}");
    assert!(judged.not_applicable.is_empty());
    assert!(results.run.candidate.lacks.is_empty());
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn capabilities_a_non_file_check_still_fails_a_case_lacking_files() {
    needs::require(&["python3"]);
    let results = run_lacking("files", "string-code", &[TEMP_FILE]);
    let judged = case(&results, TEMP_FILE);
    assert_eq!(judged.status, Status::Fail);
    let failed = checks(judged);
    assert!(failed.contains(&"fields.statusCode"), "{failed:?}");
    assert!(failed.iter().all(|c| !c.starts_with("file.")), "{failed:?}");
    assert!(!judged.not_applicable.is_empty());
    assert!(
        results
            .summary
            .unexpected_required
            .contains(&TEMP_FILE.to_string())
    );
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn capabilities_a_traversal_that_succeeds_fails_on_its_outcome_though_files_are_lacking() {
    needs::require(&["python3"]);
    const TRAVERSAL: &str = "wechat/download/file-path/traversal";
    let results = run_lacking("files", "blob", &[TRAVERSAL]);
    let judged = case(&results, TRAVERSAL);
    // Run, not N/A: a path leaving the sandbox must be refused whatever the file system is.
    assert_eq!(judged.status, Status::Fail, "{judged:#?}");
    assert!(judged.observation.is_some(), "{TRAVERSAL} was run");
    assert!(checks(judged).contains(&"outcome"), "{:?}", checks(judged));
    assert!(judged.unexpected(), "a required outcome failed");
    // What it wrote (or not) is not judged: the runtime has no platform path.
    let listed = not_applicable(judged);
    assert!(
        listed
            .iter()
            .any(|(check, cap)| check.starts_with("file") && *cap == "files"),
        "{listed:?}"
    );
    assert!(!results.summary.ok);
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn capabilities_a_task_method_newer_than_the_case_is_na_without_sdk_version() {
    needs::require(&["python3"]);
    const BEFORE: &str = "wechat/download/headers-received/before-2-1-0";
    let results = run_lacking("sdk-version", "blob", &[BEFORE]);
    let na = case(&results, BEFORE);
    assert_eq!(na.status, Status::NotApplicable, "{na:#?}");
    assert_eq!(not_applicable(na), vec![("case", "sdk-version")]);
    let reason = na.reason.clone().unwrap_or_default();
    assert!(
        reason.contains("`onHeadersReceived` is there since 2.1.0"),
        "{reason}"
    );
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn capabilities_cases_whose_premise_is_missing_are_na() {
    needs::require(&["python3"]);
    let premises = [
        ("wechat/download/domain/not-in-list", "domain-list"),
        ("wechat/download/host/background", "host-events"),
        ("alipay/download/success/alipay-shape", "sdk-version"),
    ];
    let ids: Vec<&str> = premises.iter().map(|(id, _)| *id).collect();
    let results = run_lacking("domain-list,sdk-version,host-events", "blob", &ids);
    for (id, capability) in premises {
        let na = case(&results, id);
        assert_eq!(na.status, Status::NotApplicable, "{id}: {na:#?}");
        assert_eq!(not_applicable(na), vec![("case", capability)], "{id}");
        let reason = na.reason.clone().unwrap_or_default();
        assert!(
            reason.contains(&format!("lacks `{capability}`")),
            "{id}: {reason}"
        );
        assert!(na.observation.is_none(), "{id} was not run");
        assert!(!na.unexpected(), "{id}");
    }
    assert!(results.summary.ok);
    assert_eq!(results.summary.by_status.get("N/A"), Some(&3));
    // The same cases judged for a candidate that lacks nothing: none is N/A.
    let full = run_lacking("-", "blob", &ids);
    assert!(
        full.cases.iter().all(|c| c.status != Status::NotApplicable),
        "{:?}",
        full.cases.iter().map(|c| c.status).collect::<Vec<_>>()
    );
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn capabilities_unknown_name_is_refused_at_hello() {
    needs::require(&["python3"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let candidate = format!("cmd:{}", lacking("files,teleport", "blob"));
    let specs = specs();
    let output = cli_support::dlconform(
        dir.path(),
        &[
            "run".as_ref(),
            "--specs".as_ref(),
            specs.as_os_str(),
            "--case".as_ref(),
            TEMP_FILE.as_ref(),
            "--candidate".as_ref(),
            candidate.as_ref(),
            "--out".as_ref(),
            dir.path().join("out").as_os_str(),
        ],
    );
    assert_eq!(
        output.status.code(),
        Some(2),
        "{}",
        cli_support::text(&output)
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "candidate would not start: unknown capability `teleport` in lacks; known: files, \
             domain-list, sdk-version, host-events"
        ),
        "{stderr}"
    );
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn capabilities_log_lines_land_in_their_own_case_when_calls_overlap() {
    needs::require(&["python3"]);
    let other = "wechat/download/success/profile";
    // Two cases at once; each call logs, pauses 400 ms, logs again, so their lines interleave.
    let results = run_cases(
        CandidateSpec::Command(lacking("files", "slow-log")),
        &[TEMP_FILE, other],
        2,
    );
    for (id, not_id) in [(TEMP_FILE, other), (other, TEMP_FILE)] {
        let judged = case(&results, id);
        let observation = judged.observation.as_ref().expect("observed");
        let call = &observation.calls[0].call;
        let log = &observation.log;
        assert!(
            log.contains(&format!("[{call}] start {id}\n")),
            "{id}: {log}"
        );
        assert!(log.contains(&format!("[{call}] end {id}\n")), "{id}: {log}");
        assert!(
            !log.contains(not_id),
            "{id} holds the other case's lines: {log}"
        );
    }
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn capabilities_a_task_method_that_threw_fails_task_threw() {
    needs::require(&["python3"]);
    let results = run_lacking("files", "threw", &[TEMP_FILE]);
    let judged = case(&results, TEMP_FILE);
    assert_eq!(judged.status, Status::Fail);
    assert_eq!(checks(judged), vec!["task.threw"]);
    let failure = &judged.failures[0];
    assert!(
        failure.message.contains("`onProgressUpdate` threw")
            && failure.message.contains("is not a function"),
        "{}",
        failure.message
    );
    // wechat's DownloadTask declares onProgressUpdate: the document promises it.
    assert_eq!(failure.tier, Tier::Required);
    let threw = &judged.observation.as_ref().expect("observed").calls[0].threw;
    assert_eq!(threw.len(), 1);
    assert_eq!(threw[0].method, "onProgressUpdate");
}

#[test]
fn capabilities_the_abort_throws_mutant_fails_task_threw_only() {
    let case_id = "douyin/download/abort/before-headers";
    let options = RunOptions {
        jobs: 1,
        run_id: "test".into(),
        selection: Selection {
            cases: vec![case_id.to_string()],
            ..Selection::default()
        },
        ..RunOptions::new(
            CandidateSpec::Builtin("mutant:abort-throws".into()),
            vec![cli_support::workspace().join("specs/douyin.yaml")],
        )
    };
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let results = runtime
        .block_on(run(options, &Quiet))
        .expect("the run happens");
    let judged = case(&results, case_id);
    assert_eq!(judged.status, Status::Fail, "{judged:#?}");
    assert_eq!(checks(judged), vec!["task.threw"]);
    assert!(judged.failures[0].message.contains("`abort` threw"));
}
