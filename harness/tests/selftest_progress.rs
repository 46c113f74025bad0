//! `dlconform selftest` shows progress inside each candidate's run (cases done / total), not
//! only one line per candidate.

mod cli_support;
use cli_support::{dlconform, text, workspace};

use std::sync::Mutex;

use dlconform::candidate::mutants;
use dlconform::results::CaseResult;
use dlconform::runner::plan::Selection;
use dlconform::selftest::{self, CandidateRun, SelftestPlan, SelftestProgress};

/// Every progress call, as text.
#[derive(Default)]
struct Recorder(Mutex<Vec<String>>);

impl Recorder {
    fn push(&self, line: String) {
        self.0.lock().expect("lock").push(line);
    }
}

impl SelftestProgress for Recorder {
    fn started(&self, name: &str, index: usize, total: usize) {
        self.push(format!("start {name} {index}/{total}"));
    }
    fn case_done(&self, done: usize, total: usize, case: &CaseResult) {
        self.push(format!("case {done}/{total} {}", case.id));
    }
    fn finished(&self, run: &CandidateRun) {
        self.push(format!("end {}", run.name));
    }
}

const CASES: [&str; 3] = [
    "douyin/download/ok/temp-file",
    "douyin/download/status/404",
    "douyin/download/status/500",
];

#[test]
fn progress_counts_cases_within_each_candidate() {
    let mutant = mutants::find("fail-on-http-error").expect("mutant exists");
    let plan = SelftestPlan {
        specs: vec![workspace().join("specs")],
        selection: Selection {
            cases: CASES.iter().map(|c| c.to_string()).collect(),
            ..Selection::default()
        },
        jobs: 4,
        at_once: 1,
        mutants: vec![mutant],
        lint: false,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let recorder = Recorder::default();
    runtime
        .block_on(selftest::run(&plan, &recorder))
        .expect("selftest runs");
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    let lines = recorder.0.into_inner().expect("lock");
    // Per candidate: start, three cases counted 1/3, 2/3, 3/3 (in finishing order), end.
    assert_eq!(lines.len(), 10, "{lines:#?}");
    for (block, name) in lines.chunks(5).zip(["reference", "fail-on-http-error"]) {
        assert!(block[0].starts_with(&format!("start {name} ")), "{block:?}");
        for (n, line) in block[1..4].iter().enumerate() {
            assert!(line.starts_with(&format!("case {}/3 ", n + 1)), "{block:?}");
            assert!(CASES.iter().any(|c| line.ends_with(c)), "{line}");
        }
        assert_eq!(block[4], format!("end {name}"));
    }
}

#[test]
fn selftest_prints_cases_done_of_total_while_a_mutant_runs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let specs = workspace().join("specs").display().to_string();
    let mut args = vec![
        "selftest",
        "--no-lint",
        "--specs",
        &specs,
        "--mutant",
        "fail-on-http-error",
    ];
    for case in CASES {
        args.extend(["--case", case]);
    }
    let output = dlconform(dir.path(), &args);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    // Not a terminal: one line per tenth of the cases, so with three cases one per case.
    let counted: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| l.contains("/3 cases ("))
        .collect();
    assert_eq!(counted.len(), 6, "{stderr}");
    assert!(counted[2].starts_with("3/3 cases") && counted[5].starts_with("3/3 cases"));
}

#[test]
fn selftest_takes_the_same_filter_as_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let specs = workspace().join("specs").display().to_string();
    let output = dlconform(
        dir.path(),
        &[
            "selftest",
            "--no-lint",
            "--specs",
            &specs,
            "--mutant",
            "fail-on-http-error",
            "--filter",
            "platform(douyin) and id(download/status/*) and not id(**/500) and not id(**/502-html)",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("reference: PASS (1 case(s), 0 skipped)"),
        "{stdout}"
    );
    let bad = dlconform(dir.path(), &["selftest", "--filter", "platform(douyin"]);
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("bad --filter at column 16"));
}
