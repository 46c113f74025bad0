//! Marks what the tests need that this machine lacks (curl; the one list is harness/needs.rs),
//! so those tests are reported as ignored; with `CI` set they fail instead. harness/build.rs
//! prints the warnings, once for the workspace.

include!("../harness/needs.rs");

fn main() {
    // Read when the script runs, not when it is compiled: cargo reuses a compiled build script
    // for a copy of the tree in the same target folder, whose own folders are what count.
    let manifest = std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
    );
    emit_build_script_lines(manifest.parent().expect("the repository root"), false);
}
