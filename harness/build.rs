//! Marks what the tests need that this machine or tree lacks (harness/needs.rs), so those tests
//! are reported as ignored (never as passed). With `CI` set nothing is marked: a missing need
//! fails its tests, which name what installs it.

include!("needs.rs");

fn main() {
    emit_build_script_lines(&repo_root(), true);
}
