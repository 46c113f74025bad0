//! Marks what the tests need that this machine or tree lacks (harness/needs.rs), so those tests
//! are reported as ignored (never as passed). With `CI` set nothing is marked: a missing need
//! fails its tests, which name what installs it.

include!("needs.rs");

fn main() {
    let manifest = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    emit_build_script_lines(manifest.parent().expect("the repository root"), true);
}
