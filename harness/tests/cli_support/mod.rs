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

/// The Python interpreter for the scripted fixture candidates (see [`require_tool`]).
pub fn python() -> &'static str {
    require_tool("python3")
}

/// `tool`, which must be on PATH: a test that needs it panics naming what to install.
///
/// Outside CI, `harness/build.rs` marks a missing tool so its tests carry
/// `#[cfg_attr(skip_<tool>, ignore = ...)]` and count as ignored; under `CI` they run and fail here.
pub fn require_tool(tool: &'static str) -> &'static str {
    let found = Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "`{tool}` is not on PATH: install it (apt-get install -y {}), or run outside CI where its tests are ignored",
        package_of(tool)
    );
    tool
}

/// The Debian package that provides `tool`.
fn package_of(tool: &str) -> &str {
    match tool {
        "node" => "nodejs",
        other => other,
    }
}
