//! `dlconform lint` reports every problem of a file in one pass, type errors included, sorted
//! by line and column as a compiler does.

use std::path::Path;
use std::process::{Command, Output};

fn lint(path: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dlconform"))
        .arg("lint")
        .arg(path)
        .output()
        .unwrap_or_else(|e| panic!("cannot run dlconform: {e}"))
}

/// The valid fixture with these (line, from, to) replacements, written to a temporary folder.
fn broken(edits: &[(usize, &str, &str)]) -> (tempfile::TempDir, std::path::PathBuf) {
    let valid = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/specs/valid.yaml");
    let text = std::fs::read_to_string(valid).unwrap_or_else(|e| panic!("{e}"));
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for (line, from, to) in edits {
        let at = &mut lines[line - 1];
        assert!(at.contains(from), "line {line} is `{at}`, not `{from}`");
        *at = at.replace(from, to);
    }
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("broken.yaml");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap_or_else(|e| panic!("{e}"));
    (dir, path)
}

#[test]
fn two_type_errors_and_an_unknown_errno_are_all_reported_with_positions() {
    let (_dir, path) = broken(&[
        (191, "outcome: success", "outcome: sucess"),
        (226, "errno: 12", "errno: 13"),
        (245, "outcome: fail", "outcome: failed"),
    ]);
    let out = lint(&path);
    let file = path.display();
    assert_eq!(out.status.code(), Some(2));
    let expected = [
        format!(
            "{file}:146:17: error-case-ref: error 12 lists case `download/status/alipay-404`, which expects errno 13"
        ),
        format!(
            "{file}:191:16: parse: `cases[0].expect.outcome`: unknown variant `sucess`, expected one of success, fail"
        ),
        format!(
            "{file}:226:14: errno-known: case `download/status/alipay-404`: errno 13 is not in the error table of api `downloadFile` (codes on `alipay`: `12`)"
        ),
        format!(
            "{file}:245:16: parse: `cases[3].expect.outcome`: unknown variant `failed`, expected one of success, fail"
        ),
    ];
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        expected.join("\n") + "\n"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("4 problems"));
}

#[test]
fn a_misspelt_key_does_not_hide_the_errors_after_it() {
    let (_dir, path) = broken(&[
        (210, "outcome: fail", "outcom: fail"),
        (245, "outcome: fail", "outcome: failed"),
    ]);
    let out = lint(&path);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(
        lines[0].ends_with(":210:7: parse: `cases[1].expect.outcom`: unknown field `outcom`, expected one of outcome, errno, err_msg, fields, file, progress, headers_received, server, timing, recommended"),
        "{stdout}"
    );
    assert!(
        lines[1].contains(":245:16: parse: `cases[3].expect.outcome`: unknown variant `failed`")
    );
}

#[test]
fn a_bad_optional_value_is_left_out_and_reading_goes_on() {
    let (_dir, path) = broken(&[
        (206, "release: false", "release: perhaps"),
        (239, "count: 2", "count: many"),
        (245, "outcome: fail", "outcome: failed"),
    ]);
    let out = lint(&path);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert!(
        lines[0].ends_with(":206:16: parse: `cases[1].env.release`: invalid boolean"),
        "{stdout}"
    );
    assert!(lines[1].contains(":239:"), "{stdout}");
    assert!(lines[1].contains("`cases[3].call.count`"), "{stdout}");
    assert!(
        lines[2].contains(":245:16: parse: `cases[3].expect.outcome`: unknown variant `failed`")
    );
}

#[test]
fn a_bad_required_value_is_reported_once_without_a_made_up_missing_field() {
    // `outcome` is required: without it nothing after can be read for certain, and its
    // removal must not show up as a second, made-up `missing field` problem.
    let (_dir, path) = broken(&[(245, "outcome: fail", "outcome: [fail]")]);
    let out = lint(&path);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.contains("`cases[3].expect.outcome`"), "{stdout}");
    assert!(!stdout.contains("missing field"), "{stdout}");
}

#[test]
fn problems_inside_a_patched_case_are_not_reported_twice() {
    // Case 1 expects errno 600001 with outcome fail; patching its misspelt outcome to the first
    // known value (`success`) would make lint complain about the errno, which is not in the file.
    let (_dir, path) = broken(&[(210, "outcome: fail", "outcome: fial")]);
    let out = lint(&path);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.contains(":210:16: parse: `cases[1].expect.outcome`: unknown variant `fial`"));
}

#[test]
fn a_syntax_error_is_reported_alone() {
    let (_dir, path) = broken(&[(191, "outcome: success", "outcome: [success")]);
    let out = lint(&path);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.contains(": parse: "), "{stdout}");
}
