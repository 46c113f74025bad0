//! Scaffolding shared by the tests that drive the `dlconform` binary.
#![allow(dead_code)] // each test file uses only some of these

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (where `specs/` lives).
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// Run the `dlconform` binary in `cwd` and collect its output.
pub fn dlconform<S: AsRef<OsStr>>(cwd: &Path, args: &[S]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dlconform"))
        .current_dir(cwd)
        .args(args)
        .output()
        .expect("dlconform runs")
}

/// Exit status, stdout and stderr, for assertion messages.
pub fn text(output: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The Python interpreter for the scripted fixture candidates; a test that runs one names the
/// `python3` need (harness/needs.rs).
pub fn python() -> &'static str {
    "python3"
}
