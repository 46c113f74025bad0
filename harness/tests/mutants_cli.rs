//! `dlconform candidates`, `--candidate mutant:NAME` and `dlconform selftest` from the command line.

mod cli_support;
use cli_support::{text, workspace};

use std::process::Output;

fn dlconform(args: &[&str]) -> Output {
    cli_support::dlconform(&workspace(), args)
}

#[test]
fn candidates_lists_the_reference_mutants_and_cmd() {
    let output = dlconform(&["candidates"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mutants: Vec<&str> = stdout
        .lines()
        .filter(|l| l.trim_start().starts_with("mutant:"))
        .collect();
    assert!(mutants.len() >= 15, "{} mutants:\n{stdout}", mutants.len());
    // Each with a description after its name.
    assert!(
        mutants.iter().all(|l| l.split_whitespace().count() > 2),
        "{stdout}"
    );
    assert!(stdout.contains("mutant:sandbox-escape"), "{stdout}");
    assert!(
        stdout
            .lines()
            .any(|l| l.trim_start().starts_with("reference")),
        "{stdout}"
    );
    assert!(stdout.contains("cmd:"), "{stdout}");
}

#[test]
fn unknown_mutant_is_a_clear_error_with_the_names() {
    let out = tempfile::tempdir().expect("tempdir");
    let out = out.path().display().to_string();
    let output = dlconform(&["run", "--candidate", "mutant:nope", "--out", &out]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no mutant named 'nope'"), "{stderr}");
    assert!(
        stderr.contains("status-code-type") && stderr.contains("partial-file-kept"),
        "{stderr}"
    );

    let output = dlconform(&["selftest", "--mutant", "nope"]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("abort-ignored"),
        "{}",
        text(&output)
    );
}

#[test]
fn selftest_exit_code_follows_the_score() {
    let dir = tempfile::tempdir().expect("tempdir");
    let json = dir.path().join("selftest.json");
    let json_arg = json.display().to_string();
    let caught = dlconform(&[
        "selftest",
        "--case",
        "douyin/download/status/404",
        "--mutant",
        "fail-on-http-error",
        "--json",
        &json_arg,
    ]);
    assert_eq!(caught.status.code(), Some(0), "{}", text(&caught));
    let stdout = String::from_utf8_lossy(&caught.stdout);
    assert!(stdout.contains("mutation score: 1/1 (100%)"), "{stdout}");
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("json written"))
            .expect("json parses");
    assert_eq!(written["score"]["caught"], 1);
    assert_eq!(
        written["mutants"][0]["failing"][0]["id"],
        "douyin/download/status/404"
    );
    assert_eq!(written["uncovered"].as_array().map(Vec::len), Some(0));

    // A mutant the selected case cannot see is missed: exit 1, and the case is uncovered.
    let missed = dlconform(&[
        "selftest",
        "--case",
        "douyin/download/status/404",
        "--mutant",
        "token-not-sent",
    ]);
    assert_eq!(missed.status.code(), Some(1), "{}", text(&missed));
    let stdout = String::from_utf8_lossy(&missed.stdout);
    assert!(stdout.contains("MISSED"), "{stdout}");
    assert!(stdout.contains("mutation score: 0/1 (0%)"), "{stdout}");
    assert!(
        stdout.contains("uncovered cases (no mutant makes them fail): 1 of 1"),
        "{stdout}"
    );
}
