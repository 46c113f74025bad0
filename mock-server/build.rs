//! Marks what the tests need that this machine lacks (curl; the one list is harness/needs.rs),
//! so those tests are reported as ignored; with `CI` set they fail instead. harness/build.rs
//! prints the warnings, once for the workspace.

include!("../harness/needs.rs");

fn main() {
    emit_build_script_lines(&repo_root(), false);
}
