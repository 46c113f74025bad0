//! `dlconform run --bind/--advertise/--state-dir`: a run whose runtime sits on a device gets
//! case URLs that name the advertised host, and a CA that stays the same from run to run.

mod cli_support;

use cli_support::{dlconform, text, workspace};

fn run(dir: &std::path::Path, state: &std::path::Path, out: &str) -> serde_json::Value {
    let specs = workspace().join("specs");
    let output = dlconform(
        dir,
        &[
            "run".as_ref(),
            "--specs".as_ref(),
            specs.as_os_str(),
            "--case".as_ref(),
            "douyin/download/status/404".as_ref(),
            "--bind".as_ref(),
            "127.0.0.2".as_ref(),
            "--advertise".as_ref(),
            "127.0.0.2".as_ref(),
            "--state-dir".as_ref(),
            state.as_os_str(),
            "--out".as_ref(),
            dir.join(out).as_os_str(),
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let results = std::fs::read_to_string(dir.join(out).join("results.json")).expect("results");
    serde_json::from_str(&results).expect("results.json is JSON")
}

#[test]
fn case_urls_name_the_advertised_host_and_the_ca_is_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state");
    let first = run(dir.path(), &state, "one");
    let url = first["cases"][0]["observation"]["url"]
        .as_str()
        .expect("the case URL");
    assert!(url.starts_with("https://127.0.0.2:"), "{url}");
    let ca = std::fs::read(state.join("ca.pem")).expect("the CA is kept in --state-dir");
    run(dir.path(), &state, "two");
    assert_eq!(
        std::fs::read(state.join("ca.pem")).expect("CA"),
        ca,
        "the second run reuses the CA"
    );
}
