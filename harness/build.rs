//! Marks what the tests need that this machine or tree lacks (harness/needs.rs), so those tests
//! are reported as ignored (never as passed). With `CI` set nothing is marked: a missing need
//! fails its tests, which name what installs it.

include!("needs.rs");

fn main() {
    // Read when the script runs, not when it is compiled: cargo reuses a compiled build script
    // for a copy of the tree in the same target folder, whose own folders are what count.
    let manifest = std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
    );
    emit_build_script_lines(manifest.parent().expect("the repository root"), true);
}
