//! `dlconform candidate-stdio reference` as a process candidate gives every case the same status
//! as the in-process reference; bad input lines are skipped, EOF lets running calls finish.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use dlconform::candidate::CandidateSpec;
use dlconform::results::{CaseResult, RunResults};
use dlconform::runner::plan::{self, Selection};
use dlconform::runner::report::Reporter;
use dlconform::runner::{RunOptions, run, specs};
use dlconform::spec::model::Platform;

struct Quiet;

impl Reporter for Quiet {
    fn start(&self, _total: usize) {}
    fn case_done(&self, _case: &CaseResult) {}
    fn finish(&self) {}
}

fn specs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(|p| p.join("specs"))
        .expect("workspace")
}

/// The largest `size` anywhere in a case (body faults, files placed in the sandbox).
fn largest_size(value: &serde_json::Value) -> u64 {
    match value {
        serde_json::Value::Object(map) => map
            .iter()
            .map(|(key, v)| match (key.as_str(), v.as_u64()) {
                ("size", Some(n)) => n,
                _ => largest_size(v),
            })
            .max()
            .unwrap_or(0),
        serde_json::Value::Array(items) => items.iter().map(largest_size).max().unwrap_or(0),
        _ => 0,
    }
}

/// Every wechat and feishu-openapi case and the baidu uploads, bodies up to 10 MB (larger ones
/// can miss their deadline on a busy machine, whichever way the candidate runs).
fn selected_ids() -> Vec<String> {
    let loaded: Vec<std::sync::Arc<specs::SpecFile>> = specs::load(&[specs_dir()], false)
        .expect("specs load")
        .into_iter()
        .map(std::sync::Arc::new)
        .collect();
    plan::expand(&loaded)
        .into_iter()
        .filter(|c| {
            matches!(c.platform, Platform::Wechat | Platform::FeishuOpenapi)
                || (c.platform == Platform::Baidu && c.case.id.starts_with("upload/"))
        })
        .filter(|c| largest_size(&serde_json::to_value(&c.case).unwrap_or_default()) <= 10_000_000)
        .map(|c| c.full_id)
        .collect()
}

fn run_with(candidate: CandidateSpec) -> RunResults {
    let options = RunOptions {
        selection: Selection {
            cases: selected_ids(),
            ..Selection::default()
        },
        jobs: 8,
        run_id: "stdio".into(),
        lint: false,
        ..RunOptions::new(candidate, vec![specs_dir()])
    };
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime
        .block_on(run(options, &Quiet))
        .expect("the run happens")
}

/// Cases whose outcome in the reference itself depends on timing (the 413 may arrive before or
/// after the body is written): compared by neither run.
const TIMING_DEPENDENT: &[&str] = &["baidu/upload/server/early-413"];

fn statuses(results: &RunResults) -> BTreeMap<String, String> {
    results
        .cases
        .iter()
        .filter(|c| !TIMING_DEPENDENT.contains(&c.id.as_str()))
        .map(|c| (c.id.clone(), c.status.name().to_string()))
        .collect()
}

#[test]
fn wiring_candidate_stdio_matches_the_in_process_reference() {
    let in_process = run_with(CandidateSpec::Builtin("reference".into()));
    let command = format!(
        "{} candidate-stdio reference",
        env!("CARGO_BIN_EXE_dlconform")
    );
    let over_stdio = run_with(CandidateSpec::Command(command));
    assert!(in_process.cases.len() > 80, "{}", in_process.cases.len());
    assert_eq!(over_stdio.run.candidate.name, "reference");
    assert_eq!(
        over_stdio.run.candidate.starts, 1,
        "the process never restarted"
    );
    assert_eq!(statuses(&over_stdio), statuses(&in_process));
}

#[test]
fn wiring_candidate_stdio_skips_bad_lines_and_answers_hello() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dlconform"))
        .args(["candidate-stdio", "reference"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    {
        let mut stdin = child.stdin.take().expect("stdin");
        stdin
            .write_all(b"this is not json\n{\"type\":\"hello\",\"protocol\":1}\n")
            .expect("write");
        // EOF with no call running: the process ends by itself.
    }
    let output = child.wait_with_output().expect("wait");
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{stdout}");
    let hello: serde_json::Value = serde_json::from_str(lines[0]).expect("json");
    assert_eq!(hello["type"], "hello");
    assert_eq!(hello["name"], "reference");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("this is not json"), "{stderr}");
}

#[test]
fn wiring_candidate_stdio_unknown_name_cannot_run() {
    let output = Command::new(env!("CARGO_BIN_EXE_dlconform"))
        .args(["candidate-stdio", "nope"])
        .stdin(Stdio::null())
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown candidate"));
}
