//! `dlconform run` carries each case's source URL from the spec's `sources` into results.json,
//! and leaves it out where the source names no page.

mod cli_support;

use cli_support::{dlconform, text, workspace};
use dlconform::results::RunResults;
use dlconform::spec::load::load_spec_file;

/// Run `case` and return its result from results.json.
fn run_one(case: &str) -> dlconform::results::CaseResult {
    let dir = tempfile::tempdir().expect("tempdir");
    let specs = workspace().join("specs");
    let out = dir.path().join("out");
    let output = dlconform(
        dir.path(),
        &[
            "run".as_ref(),
            "--specs".as_ref(),
            specs.as_os_str(),
            "--case".as_ref(),
            case.as_ref(),
            "--out".as_ref(),
            out.as_os_str(),
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let results = RunResults::read(&out.join("results.json")).expect("results.json read");
    results
        .cases
        .into_iter()
        .find(|c| c.id == case)
        .unwrap_or_else(|| panic!("{case} not in results"))
}

#[test]
fn results_carry_the_source_url_from_the_spec() {
    let case = run_one("feishu-gadget/download/ok/temp-file");
    let spec = load_spec_file(&workspace().join("specs/feishu-gadget.yaml")).expect("spec");
    let id = case.source.split('#').next().unwrap_or_default();
    let url = spec.sources.get(id).and_then(|s| s.url.clone());
    assert!(url.is_some(), "source {id} of the spec has a url");
    assert_eq!(case.source_url, url);
}

#[test]
fn results_have_no_source_url_where_the_source_names_no_page() {
    let case = run_one("douyin/download/status/404");
    let spec = load_spec_file(&workspace().join("specs/douyin.yaml")).expect("spec");
    let id = case.source.split('#').next().unwrap_or_default();
    let source = spec
        .sources
        .get(id)
        .expect("the case's source is in the spec");
    assert_eq!(source.url, None, "the Douyin seed names no page");
    assert_eq!(case.source_url, None);
}
