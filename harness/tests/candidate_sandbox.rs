//! Process candidates are held to their folders: under Landlock a write five levels above the
//! sandbox or to an absolute path is refused and the case FAILs with `file.outside` naming the
//! path; `detect` finds the escape it can see; `off` keeps the behaviour from before (the
//! write lands, the case passes). The reference is held to the same rule in-process.

use std::path::{Path, PathBuf};
use std::time::Duration;

mod cli_support;
#[path = "../needs.rs"]
mod needs;

use dlconform::candidate::CandidateSpec;
use dlconform::candidate::sandbox::SandboxMode;
use dlconform::results::{CaseResult, RunResults};
use dlconform::runner::plan::Selection;
use dlconform::runner::report::Reporter;
use dlconform::runner::{RunOptions, run};
use dlconform::verdict::Status;

struct Quiet;

impl Reporter for Quiet {
    fn start(&self, _total: usize) {}
    fn case_done(&self, _case: &CaseResult) {}
    fn finish(&self) {}
}

fn harness_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn fixtures() -> PathBuf {
    harness_dir().join("tests/fixtures")
}

fn run_with(
    candidate: CandidateSpec,
    specs: PathBuf,
    cases: &str,
    mode: SandboxMode,
) -> RunResults {
    let options = RunOptions {
        jobs: 1,
        linger: Duration::from_millis(50),
        run_id: "test".into(),
        sandbox: mode,
        selection: Selection {
            cases: vec![cases.into()],
            ..Selection::default()
        },
        ..RunOptions::new(candidate, vec![specs])
    };
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime
        .block_on(run(options, &Quiet))
        .expect("the run happens")
}

/// The outside.py fixture over the runner fixture's first case, writing into `absolute`.
fn outside_run(absolute: &Path, mode: SandboxMode) -> RunResults {
    let python = cli_support::python();
    let script = fixtures().join("candidates/outside.py");
    run_with(
        CandidateSpec::Command(format!(
            "{python} {} {}",
            script.display(),
            absolute.display()
        )),
        fixtures().join("specs/runner.yaml"),
        "download/first",
        mode,
    )
}

/// The paths `file.outside` names in a case, if it failed that check.
fn outside_paths(case: &CaseResult) -> Vec<String> {
    case.failures
        .iter()
        .filter(|f| f.check == "file.outside")
        .flat_map(|f| f.actual.as_array().cloned().unwrap_or_default())
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

fn only_case(results: &RunResults) -> &CaseResult {
    assert_eq!(results.cases.len(), 1, "{:#?}", results.cases);
    &results.cases[0]
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .expect("read dir")
        .flatten()
        .map(|e| e.path())
        .collect()
}

#[test]
#[cfg_attr(any(skip_python3, skip_landlock), ignore = "needs python3, landlock")]
fn landlock_refuses_writes_outside_and_file_outside_names_them() {
    needs::require(&["python3", "landlock"]);
    let owned = tempfile::tempdir().expect("tempdir");
    let results = outside_run(owned.path(), SandboxMode::Landlock);
    let case = only_case(&results);
    assert_eq!(
        files_in(owned.path()),
        Vec::<PathBuf>::new(),
        "the absolute write landed"
    );
    assert_eq!(case.status, Status::Fail, "{case:#?}");
    let paths = outside_paths(case);
    let absolute = owned.path().display().to_string();
    assert!(
        paths
            .iter()
            .any(|p| p.starts_with(&absolute) && p.contains("refused by the sandbox")),
        "no refusal of {absolute}: {paths:?}"
    );
    // Five levels above the sandbox root is the run's own folder, beside `cases`.
    assert!(
        paths
            .iter()
            .any(|p| p.contains("/dlconform-run-") && p.contains("/x (write refused")),
        "no refusal of the relative escape: {paths:?}"
    );
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn sandbox_off_keeps_the_old_behaviour() {
    needs::require(&["python3"]);
    let owned = tempfile::tempdir().expect("tempdir");
    let results = outside_run(owned.path(), SandboxMode::Off);
    let case = only_case(&results);
    // Documented: `off` confines nothing and scans only the case folder.
    assert_eq!(case.status, Status::Pass, "{case:#?}");
    assert_eq!(
        files_in(owned.path()).len(),
        1,
        "the absolute write did not land"
    );
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn detect_finds_the_escape_above_the_case_folder() {
    needs::require(&["python3"]);
    let owned = tempfile::tempdir().expect("tempdir");
    let results = outside_run(owned.path(), SandboxMode::Detect);
    let case = only_case(&results);
    assert_eq!(case.status, Status::Fail, "{case:#?}");
    let paths = outside_paths(case);
    assert!(
        paths
            .iter()
            .any(|p| p.contains("/dlconform-run-") && p.contains("/x (found outside")),
        "{paths:?}"
    );
    // Documented limit: an absolute path elsewhere is not seen without Landlock.
    assert_eq!(files_in(owned.path()).len(), 1);
}

#[test]
#[cfg_attr(any(skip_python3, skip_landlock), ignore = "needs python3, landlock")]
fn python_fixture_passes_under_landlock() {
    needs::require(&["python3", "landlock"]);
    let python = cli_support::python();
    let script = fixtures().join("candidates/scripted.py");
    let results = run_with(
        CandidateSpec::Command(format!("{python} {} ok", script.display())),
        fixtures().join("specs/runner.yaml"),
        "**",
        SandboxMode::Landlock,
    );
    assert!(results.cases.len() > 1);
    for case in &results.cases {
        assert_eq!(case.status, Status::Pass, "{case:#?}");
    }
}

#[test]
#[cfg_attr(any(skip_node, skip_landlock), ignore = "needs node, landlock")]
fn example_node_passes_under_landlock() {
    needs::require(&["node", "landlock"]);
    let node = "node";
    let repo = harness_dir().join("..");
    let adapter = repo.join("candidates/example-node/adapter.js");
    let results = run_with(
        CandidateSpec::Command(format!("{node} {}", adapter.display())),
        repo.join("specs/wechat.yaml"),
        "wechat/download/success/**",
        SandboxMode::Landlock,
    );
    assert!(!results.cases.is_empty());
    // Node's https speaks HTTP/1.1 only: its expectations list enable-http2, run here without them.
    for case in results
        .cases
        .iter()
        .filter(|c| !c.id.ends_with("/enable-http2"))
    {
        assert_eq!(case.status, Status::Pass, "{case:#?}");
    }
}

/// The `write-outside` mutant over one plain download case.
fn mutant_run(candidate: CandidateSpec, mode: SandboxMode) -> RunResults {
    run_with(
        candidate,
        harness_dir().join("../specs/douyin.yaml"),
        "douyin/download/ok/temp-file",
        mode,
    )
}

#[test]
fn reference_in_process_refuses_and_reports_a_write_outside() {
    let results = mutant_run(
        CandidateSpec::Builtin("mutant:write-outside".into()),
        SandboxMode::Landlock,
    );
    let case = only_case(&results);
    assert_eq!(case.status, Status::Fail, "{case:#?}");
    let paths = outside_paths(case);
    assert!(
        paths
            .iter()
            .any(|p| p.contains("/write-outside (write refused by the sandbox")),
        "{paths:?}"
    );
    let reference = mutant_run(
        CandidateSpec::Builtin("reference".into()),
        SandboxMode::Landlock,
    );
    assert_eq!(only_case(&reference).status, Status::Pass);
}

#[test]
#[cfg_attr(skip_landlock, ignore = "needs landlock")]
fn reference_as_a_process_is_refused_by_landlock() {
    needs::require(&["landlock"]);
    let binary = env!("CARGO_BIN_EXE_dlconform");
    let results = mutant_run(
        CandidateSpec::Command(format!("{binary} candidate-stdio mutant:write-outside")),
        SandboxMode::Landlock,
    );
    let case = only_case(&results);
    assert_eq!(case.status, Status::Fail, "{case:#?}");
    assert!(
        outside_paths(case)
            .iter()
            .any(|p| p.contains("/write-outside (write refused by the sandbox")),
        "{case:#?}"
    );
    // The OS refused it (EACCES), not the reference's own check.
    let text = serde_json::to_string(&case.observation).expect("json");
    assert!(text.contains("Permission denied (os error 13)"), "{text}");
}

#[test]
#[cfg_attr(
    any(skip_python3, skip_chromium, skip_landlock),
    ignore = "needs python3, chromium, landlock"
)]
fn chromium_renders_under_landlock_with_its_profile_and_home_in_tmpdir() {
    needs::require(&["python3", "chromium", "landlock"]);
    let python = cli_support::python();
    let script = fixtures().join("candidates/chromium.py");
    let options = RunOptions {
        // Chromium's first start takes seconds on a loaded machine.
        hello_timeout: Duration::from_secs(90),
        sandbox: SandboxMode::Landlock,
        selection: Selection {
            cases: vec!["download/first".into()],
            ..Selection::default()
        },
        ..RunOptions::new(
            CandidateSpec::Command(format!("{python} {}", script.display())),
            vec![fixtures().join("specs/runner.yaml")],
        )
    };
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let results = runtime
        .block_on(run(options, &Quiet))
        .unwrap_or_else(|err| panic!("chromium did not start under Landlock: {err}"));
    assert_eq!(only_case(&results).status, Status::Pass);
}
