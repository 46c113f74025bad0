//! `dlconform lint` and `dlconform schema` through the real binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn dlconform(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dlconform"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap_or_else(|e| panic!("cannot run dlconform: {e}"))
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A copy of the valid fixture with one replacement, in a temporary folder.
fn broken(replace: &str, with: &str) -> (tempfile::TempDir, PathBuf) {
    let valid = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/specs/valid.yaml");
    let text = std::fs::read_to_string(valid).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        text.matches(replace).count(),
        1,
        "`{replace}` must occur once"
    );
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("broken.yaml");
    std::fs::write(&path, text.replace(replace, with)).unwrap_or_else(|e| panic!("{e}"));
    (dir, path)
}

/// Lint the broken copy: exit 2 and exactly these problems (each given after `file:`).
fn assert_fails_at(replace: &str, with: &str, expected_after_path: &[&str]) {
    let (_dir, path) = broken(replace, with);
    let file = path.to_string_lossy().into_owned();
    let out = dlconform(&["lint", &file]);
    assert_eq!(out.status.code(), Some(2), "stdout: {}", stdout(&out));
    let expected: String = expected_after_path
        .iter()
        .map(|rest| format!("{file}:{rest}\n"))
        .collect();
    assert_eq!(stdout(&out), expected);
}

#[test]
fn type_error_points_at_the_value() {
    assert_fails_at(
        "      release: false",
        "      release: perhaps",
        &["206:16: parse: `cases[1].env.release`: invalid boolean"],
    );
}

#[test]
fn duplicate_key_points_at_the_second_key() {
    assert_fails_at(
        "  os: android\n",
        "  os: android\n  os: ios\n",
        &["18:3: parse: duplicate key `os`"],
    );
}

#[test]
fn unknown_fault_lists_the_catalog() {
    let (_dir, path) = broken("        - status: 404", "        - status_code: 404");
    let file = path.to_string_lossy().into_owned();
    let out = dlconform(&["lint", &file]);
    assert_eq!(out.status.code(), Some(2));
    let text = stdout(&out);
    let expected = format!(
        "{file}:223:11: unknown-fault: unknown fault `status_code`; known faults: status, body,"
    );
    assert!(text.starts_with(&expected), "{text}");
    for name in mock_server::CATALOG.iter().map(|f| f.name.replace('_', "")) {
        assert!(
            text.replace('_', "").contains(&name),
            "{name} missing from {text}"
        );
    }
}

#[test]
fn unknown_errno_points_at_the_errno() {
    assert_fails_at(
        "      errno: 12\n",
        "      errno: 13\n",
        &[
            "146:17: error-case-ref: error 12 lists case `download/status/alipay-404`, which expects \
             errno 13",
            "226:14: errno-known: case `download/status/alipay-404`: errno 13 is not in the error table \
             of api `downloadFile` (codes on `alipay`: `12`)",
        ],
    );
}

#[test]
fn clean_spec_prints_one_summary_line() {
    let out = dlconform(&["lint", "tests/fixtures/specs/valid.yaml"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        stdout(&out),
        "1 spec ok: platforms wechat alipay; 5 cases (3 required, 0 of them with recommended parts, 2 recommended, \
         1 skipped); 3 error codes (2 pinned by a case, 0 with cases that pin no code, 1 untestable)\n"
    );
}

#[test]
fn help_teaches_with_an_example() {
    let out = dlconform(&["lint", "--help"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.contains("dlconform lint specs/douyin.yaml"), "{text}");
    assert!(text.contains("file:line:column: rule: message"), "{text}");
}

#[test]
fn rules_are_listed() {
    let out = dlconform(&["lint", "--rules"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    for rule in dlconform::spec::lint::rules() {
        assert!(text.contains(rule.name), "{} missing", rule.name);
    }
}

#[test]
fn schema_subcommand_prints_the_generated_schema() {
    let out = dlconform(&["schema"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out), dlconform::spec::schema::schema_json());
}
