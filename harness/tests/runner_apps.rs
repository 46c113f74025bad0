//! `env.app`: a candidate whose hello lists the feature `apps` gets one app per case (its server
//! key), so the runner need not hold platform slots for it; any other candidate gets none.

use std::path::Path;
use std::time::Duration;

mod cli_support;
#[path = "../needs.rs"]
mod needs;

use dlconform::candidate::CandidateSpec;
use dlconform::results::{CaseResult, RunResults};
use dlconform::runner::plan::Selection;
use dlconform::runner::report::Reporter;
use dlconform::runner::{RunOptions, run};

struct Quiet;

impl Reporter for Quiet {
    fn start(&self, _total: usize) {}
    fn case_done(&self, _case: &CaseResult) {}
    fn finish(&self) {}
}

const CASES: [&str; 2] = [
    "wechat/download/success/temp-file",
    "wechat/download/status/404",
];

fn run_apps(features: &str) -> RunResults {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/candidates/apps.py");
    let command = format!("{} {} {features}", cli_support::python(), script.display());
    let options = RunOptions {
        jobs: 2,
        linger: Duration::from_millis(50),
        run_id: "test".into(),
        selection: Selection {
            cases: CASES.iter().map(|c| c.to_string()).collect(),
            ..Selection::default()
        },
        ..RunOptions::new(
            CandidateSpec::Command(command),
            vec![cli_support::workspace().join("specs/wechat.yaml")],
        )
    };
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime
        .block_on(run(options, &Quiet))
        .expect("the run happens")
}

/// Per case: the call id and the app the candidate says it was given.
fn apps(results: &RunResults) -> Vec<(String, String)> {
    results
        .cases
        .iter()
        .map(|case| {
            let call = &case.observation.as_ref().expect("observed").calls[0];
            let message = call.events[0].data["errMsg"].as_str().unwrap_or_default();
            let app = message
                .strip_prefix("downloadFile:fail app=")
                .unwrap_or(message);
            (call.call.clone(), app.to_string())
        })
        .collect()
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn a_candidate_with_apps_gets_each_case_as_an_app_of_its_own() {
    needs::require(&["python3"]);
    let seen = apps(&run_apps("apps"));
    assert_eq!(seen.len(), 2, "{seen:?}");
    for (call, app) in &seen {
        // The app is the case's server key, which the call id extends.
        assert!(call.starts_with(&format!("{app}.")), "{call} / {app}");
    }
    assert_ne!(seen[0].1, seen[1].1, "{seen:?}");
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn a_candidate_without_apps_gets_none() {
    needs::require(&["python3"]);
    let seen = apps(&run_apps("-"));
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert!(seen.iter().all(|(_, app)| app == "-"), "{seen:?}");
}
