//! The reference candidate's normalized observation of every spec case, as insta snapshots
//! (`tests/snapshots/`): a change of the reference's behaviour shows up as a diff.
//!
//! Left out: cases with bodies over 10 MB (slow in debug builds, and their deadlines are tight
//! when the machine is busy), and the cases whose observation depends on timing
//! (`dlconform::snapshot::TIMING_DEPENDENT`, which runs leave out too).

use std::path::PathBuf;
use std::sync::Arc;

use dlconform::candidate::CandidateSpec;
use dlconform::results::CaseResult;
use dlconform::runner::plan::{self, Selection};
use dlconform::runner::report::Reporter;
use dlconform::runner::{RunOptions, run, specs};
use dlconform::snapshot::{TIMING_DEPENDENT, normalize};
use serde_json::Value;

/// Bodies (and upload files) above this are left out.
const MAX_BODY: u64 = 10 * 1000 * 1000;

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

/// The largest `size` anywhere in the case (body faults, files placed in the sandbox).
fn largest_size(value: &Value) -> u64 {
    match value {
        Value::Object(map) => map
            .iter()
            .map(|(key, v)| match (key.as_str(), v.as_u64()) {
                ("size", Some(n)) => n,
                _ => largest_size(v),
            })
            .max()
            .unwrap_or(0),
        Value::Array(items) => items.iter().map(largest_size).max().unwrap_or(0),
        _ => 0,
    }
}

fn selected_ids() -> Vec<String> {
    let loaded: Vec<Arc<specs::SpecFile>> = specs::load(&[specs_dir()], false)
        .expect("specs load")
        .into_iter()
        .map(Arc::new)
        .collect();
    plan::expand(&loaded)
        .into_iter()
        .filter(|c| c.case.skip.is_none())
        .filter(|c| !TIMING_DEPENDENT.iter().any(|(id, _)| *id == c.full_id))
        .filter(|c| largest_size(&serde_json::to_value(&c.case).unwrap_or(Value::Null)) <= MAX_BODY)
        .map(|c| c.full_id)
        .collect()
}

#[test]
fn snapshot_reference_every_case() {
    let ids = selected_ids();
    assert!(ids.len() > 100, "only {} cases selected", ids.len());
    let options = RunOptions {
        selection: Selection {
            cases: ids.clone(),
            ..Selection::default()
        },
        jobs: 8,
        run_id: "snapshot-reference".into(),
        lint: false,
        ..RunOptions::new(
            CandidateSpec::Builtin("reference".into()),
            vec![specs_dir()],
        )
    };
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let results = runtime
        .block_on(run(options, &Quiet))
        .expect("the run happens");
    assert_eq!(results.cases.len(), ids.len());
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        for case in &results.cases {
            let observation = case
                .observation
                .as_ref()
                .unwrap_or_else(|| panic!("{} has no observation: {:?}", case.id, case.reason));
            let name = case.id.replace('/', "__");
            insta::assert_yaml_snapshot!(name, normalize(&case.id, observation));
        }
    });
}
