//! Judging an actual status against the expected one.

use crate::verdict::Status;

/// The final status of a case and whether it departs from expectations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Judged {
    /// Status to report (XFAIL/XPASS when the expectation was a failure).
    pub status: Status,
    /// True when the result should fail the run.
    pub unexpected: bool,
}

/// Whether a status is one of the failure kinds an expectation may name.
pub fn is_failure_kind(status: Status) -> bool {
    matches!(
        status,
        Status::Fail | Status::Timeout | Status::Crash | Status::Error | Status::Unsupported
    )
}

/// Combine an expected and an actual status into the final one and whether it is unexpected.
pub fn judge(expected: Status, actual: Status) -> Judged {
    let ok = |status| Judged {
        status,
        unexpected: false,
    };
    let unexpected = |status| Judged {
        status,
        unexpected: true,
    };
    // Not applicable is the candidate's declared lack, never a departure, whatever was expected.
    if actual == Status::NotApplicable {
        return ok(Status::NotApplicable);
    }
    match expected {
        Status::Skip => match actual {
            Status::Skip => ok(Status::Skip),
            // A case expected to be skipped that ran and passed is no harm.
            Status::Pass => ok(Status::Pass),
            other => unexpected(other),
        },
        kind if is_failure_kind(kind) => match actual {
            same if same == kind => ok(Status::Xfail),
            // The file cannot go stale: a known failure that passes fails the run.
            Status::Pass => unexpected(Status::Xpass),
            // A known failure that was not run is reported as skipped, not as a pass or failure.
            Status::Skip => ok(Status::Skip),
            // A known failure that changed nature must be looked at.
            other => unexpected(other),
        },
        // Expected PASS (and the result-only XFAIL/XPASS, which never come from a file).
        _ => match actual {
            Status::Pass => ok(Status::Pass),
            Status::Skip => ok(Status::Skip),
            other => unexpected(other),
        },
    }
}
