//! `dlconform run` writes its files whole or not at all, and refuses an unwritable `--out`
//! before the first case runs.

mod cli_support;
#[path = "../needs.rs"]
mod needs;

use std::process::Command;

use cli_support::{dlconform, text, workspace};

/// One quick case: enough to write results and reports.
const CASE: &str = "douyin/download/status/404";

#[test]
fn an_unwritable_out_is_refused_before_any_case_runs() {
    let dir = tempfile::tempdir().unwrap();
    // A file where the folder should be: no user, root included, can create files under it.
    let taken = dir.path().join("taken");
    std::fs::write(&taken, b"").unwrap();
    let specs = workspace().join("specs");
    let out = dlconform(
        dir.path(),
        &[
            "run".as_ref(),
            "--specs".as_ref(),
            specs.as_os_str(),
            "--case".as_ref(),
            CASE.as_ref(),
            "--out".as_ref(),
            taken.join("out").as_os_str(),
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot write to"), "{}", text(&out));
    assert!(!stderr.contains("running 1 case"), "{}", text(&out));
}

/// On a full disk the previous results.json stays whole and the message says so, with the path.
/// A 64 KiB tmpfs in a private mount namespace (an unprivileged user namespace when not root)
/// plays the full disk.
#[test]
#[cfg_attr(skip_unshare, ignore = "needs unshare")]
fn a_full_disk_keeps_the_previous_results() {
    needs::require(&["unshare"]);
    let probe = Command::new("unshare")
        .args(["--user", "--map-root-user", "--mount", "true"])
        .output();
    assert!(
        probe.is_ok_and(|o| o.status.success()),
        "this test needs `unshare` (util-linux) and user namespaces enabled"
    );
    let dir = tempfile::tempdir().unwrap();
    let mnt = dir.path().join("full");
    std::fs::create_dir(&mnt).unwrap();
    let specs = workspace().join("specs");
    let script = format!(
        "set -e; mount -t tmpfs -o size=64k tmpfs '{mnt}'; \
         mkdir '{mnt}/out'; printf 'previous' > '{mnt}/out/results.json'; \
         head -c 61440 /dev/zero > '{mnt}/filler'; \
         code=0; '{bin}' run --specs '{specs}' --case '{CASE}' --out '{mnt}/out' || code=$?; \
         echo \"exit=$code\"; echo \"kept=$(cat '{mnt}/out/results.json')\"; \
         ls -a '{mnt}/out'",
        mnt = mnt.display(),
        bin = env!("CARGO_BIN_EXE_dlconform"),
        specs = specs.display(),
    );
    let out = Command::new("unshare")
        .args(["--user", "--map-root-user", "--mount", "sh", "-c", &script])
        .current_dir(dir.path())
        .output()
        .expect("unshare runs");
    let all = text(&out);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("exit=2"), "{all}");
    assert!(stdout.contains("kept=previous"), "{all}");
    assert!(
        !stdout.contains(".tmp"),
        "a temporary file was left behind: {all}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("No space left"), "{all}");
    assert!(stderr.contains("results.json"), "{all}");
}
