//! Snapshots: each case's observation normalized and redacted ([`normalize`]), stored one YAML
//! file per case ([`SnapshotStore`]), and compared on later runs ([`SnapshotMode`]), so a changed
//! behaviour reads as a diff and accepting it is one command.

mod check;
mod diff;
mod normalize;
mod redact;
mod store;

pub use check::{SnapshotMode, SnapshotOutcome, SnapshotTally, apply};
pub use diff::unified_diff;
pub use normalize::{normalize, sort_keys};
pub use redact::{Redactor, key_id};
pub use store::{Comparison, SnapshotError, SnapshotStore, folder_name, to_text};

/// Check name of a failure raised by a changed snapshot.
pub const CHECK_NAME: &str = "snapshot";
