//! Snapshots: each case's observation normalized and redacted ([`normalize`]), stored one YAML
//! file per case ([`SnapshotStore`]), and compared on later runs ([`SnapshotMode`]), so a changed
//! behaviour reads as a diff and accepting it is one command. A snapshot that differs is left
//! pending next to the stored one ([`find_pending`]) for `dlconform snapshot review` ([`review`]);
//! snapshots of cases no spec has any more are found by [`find_orphans`].

mod check;
mod diff;
mod normalize;
mod orphans;
mod pending;
mod redact;
mod review;
mod store;
mod timing;

pub use check::{SnapshotMode, SnapshotOutcome, SnapshotTally, apply};
pub use diff::unified_diff;
pub use normalize::{normalize, sort_keys};
pub use orphans::{case_id_of, find_orphans};
pub use pending::{Pending, find_pending};
pub use redact::{Redactor, key_id};
pub use review::{ReviewTally, review};
pub use store::{
    Comparison, PENDING_SUFFIX, SnapshotError, SnapshotStore, folder_name, pending_of, to_text,
};
pub use timing::{TIMING_DEPENDENT, timing_dependent};

/// Check name of a failure raised by a changed snapshot.
pub const CHECK_NAME: &str = "snapshot";
