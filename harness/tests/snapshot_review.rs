//! `--snapshots check` leaves what differs pending as `<case>.yaml.new`; `dlconform snapshot
//! review`, driven in a pseudo-terminal, accepts, rejects and skips them one at a time; stale
//! snapshots of cases no spec has are listed, and removed with `--prune`.

mod cli_support;
#[path = "../needs.rs"]
mod needs;
use cli_support::{dlconform, python, text, workspace};

use std::path::{Path, PathBuf};
use std::process::Command;

const PROMPT: &str = "[q]uit (skip the rest) > ";

fn run_wechat_success(cwd: &Path, out: &str, mode: &str) -> std::process::Output {
    let specs = workspace().join("specs").display().to_string();
    dlconform(
        cwd,
        &[
            "run",
            "--no-lint",
            "--specs",
            &specs,
            "--platform",
            "wechat",
            "--case",
            "download/success/*",
            "--out",
            out,
            "--snapshots",
            mode,
        ],
    )
}

fn read(path: &Path) -> Option<String> {
    std::fs::read_to_string(path).ok()
}

fn pending(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".new");
    PathBuf::from(name)
}

#[test]
#[cfg_attr(skip_python3, ignore = "needs python3")]
fn review_in_a_terminal_accepts_rejects_and_skips_and_prune_removes_stale() {
    needs::require(&["python3"]);
    // python3 drives the pseudo-terminal.
    let python = python();
    let dir = tempfile::tempdir().expect("tempdir");
    let cwd = dir.path();
    let output = run_wechat_success(cwd, "o1", "update");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let folder = cwd.join("snapshots/reference/wechat");
    let mut stored: Vec<PathBuf> = std::fs::read_dir(&folder)
        .expect("snapshots written")
        .map(|e| e.expect("entry").path())
        .collect();
    stored.sort();
    assert!(stored.len() >= 3, "{stored:?}");
    let stored = &stored[..3];
    let observed: Vec<String> = stored.iter().map(|p| read(p).expect("read")).collect();
    // Three stored snapshots that say otherwise, and one of a case that is gone.
    for (path, text) in stored.iter().zip(&observed) {
        std::fs::write(path, format!("{text}tampered: true\n")).expect("write");
    }
    let gone = folder.join("download__no-longer-a-case.yaml");
    std::fs::write(
        &gone,
        "# dlconform snapshot of wechat/download/no-longer-a-case\n",
    )
    .expect("write");

    let output = run_wechat_success(cwd, "o2", "check");
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("snapshot review"));
    for (path, text) in stored.iter().zip(&observed) {
        assert_eq!(
            read(&pending(path)).as_ref(),
            Some(text),
            "{}",
            path.display()
        );
    }

    let script = workspace().join("harness/tests/fixtures/pty_drive.py");
    let review = Command::new(python)
        .current_dir(cwd)
        .arg(&script)
        .arg(PROMPT)
        .arg("a,r,s")
        .arg(env!("CARGO_BIN_EXE_dlconform"))
        .args(["snapshot", "review", "--specs"])
        .arg(workspace().join("specs"))
        .output()
        .expect("pty driver runs");
    let shown = String::from_utf8_lossy(&review.stdout);
    assert_eq!(review.status.code(), Some(0), "{}", text(&review));
    assert!(
        shown.contains("snapshot 1/3: wechat/download/success"),
        "{shown}"
    );
    assert!(shown.contains("snapshot 3/3"), "{shown}");
    // On a terminal the diff is in colour: the removed line red.
    assert!(shown.contains("\x1b[31m-tampered: true\x1b[0m"), "{shown}");
    assert!(
        shown.contains("1 accepted, 1 rejected, 1 skipped"),
        "{shown}"
    );
    assert!(shown.contains("stale (no such case):"), "{shown}");
    assert!(shown.contains("download__no-longer-a-case.yaml"), "{shown}");

    // Accepted: the observed text is stored, nothing pending.
    assert_eq!(read(&stored[0]).as_ref(), Some(&observed[0]));
    assert!(!pending(&stored[0]).exists());
    // Rejected: the stored text stays, nothing pending.
    assert_eq!(
        read(&stored[1]),
        Some(format!("{}tampered: true\n", observed[1]))
    );
    assert!(!pending(&stored[1]).exists());
    // Skipped: both stay.
    assert_eq!(
        read(&stored[2]),
        Some(format!("{}tampered: true\n", observed[2]))
    );
    assert_eq!(read(&pending(&stored[2])).as_ref(), Some(&observed[2]));
    assert!(gone.exists(), "listing does not remove");

    // --prune removes the stale one; the end of input skips what is pending.
    let specs = workspace().join("specs").display().to_string();
    let output = dlconform(cwd, &["snapshot", "review", "--prune", "--specs", &specs]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(!gone.exists());
    assert!(pending(&stored[2]).exists());
    assert!(stored.iter().all(|p| p.exists()));

    // `snapshot accept` consumes what is pending for the cases it stores.
    let output = dlconform(cwd, &["snapshot", "accept", "--results", "o2/results.json"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(!pending(&stored[2]).exists());
    assert_eq!(read(&stored[2]).as_ref(), Some(&observed[2]));
    // And a check that agrees leaves nothing pending.
    let output = run_wechat_success(cwd, "o3", "check");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let left: Vec<PathBuf> = std::fs::read_dir(&folder)
        .expect("folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.to_string_lossy().ends_with(".new"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}
