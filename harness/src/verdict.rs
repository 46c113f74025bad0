//! Verdicts: the status of a case and the checks that failed.

use serde::{Deserialize, Serialize};

use crate::spec::model::Tier;

/// Status of one case for one candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    /// Every check held.
    Pass,
    /// A check did not hold.
    Fail,
    /// The call did not end before its deadline.
    Timeout,
    /// The candidate died during the case.
    Crash,
    /// The candidate broke the protocol or could not invoke the call.
    Error,
    /// The candidate does not support the platform or API.
    Unsupported,
    /// Failed, as the expectations file says it would.
    Xfail,
    /// Passed, though the expectations file says it would fail.
    Xpass,
    /// Not as expected at first, as expected on a retry (`--retries`); fatal only with `--strict`.
    Flaky,
    /// Not run (spec skip, or filtered by condition).
    Skip,
    /// Every check that matters needs a capability the candidate declared missing.
    #[serde(rename = "N/A")]
    NotApplicable,
}

impl Status {
    /// Every status, in the order reports list them.
    pub const ALL: [Status; 11] = [
        Status::Pass,
        Status::Fail,
        Status::Timeout,
        Status::Crash,
        Status::Error,
        Status::Unsupported,
        Status::Xfail,
        Status::Xpass,
        Status::Flaky,
        Status::Skip,
        Status::NotApplicable,
    ];

    /// Upper-case name as in reports.
    pub fn name(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::Timeout => "TIMEOUT",
            Status::Crash => "CRASH",
            Status::Error => "ERROR",
            Status::Unsupported => "UNSUPPORTED",
            Status::Xfail => "XFAIL",
            Status::Xpass => "XPASS",
            Status::Flaky => "FLAKY",
            Status::Skip => "SKIP",
            Status::NotApplicable => "N/A",
        }
    }
}

/// One check that did not hold, with expected and actual kept apart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckFailure {
    /// Check name, e.g. `callback-order`, `errno`, `file.sha256`.
    pub check: String,
    /// Which call of the case (index), when the case has several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call: Option<usize>,
    /// What was expected.
    pub expected: serde_json::Value,
    /// What was seen.
    pub actual: serde_json::Value,
    /// One line for people.
    pub message: String,
    /// Tier of the expectation that failed (the case's, unless its `expect.recommended` lowers it).
    #[serde(default = "required")]
    pub tier: Tier,
    /// The expectations entry that names this check as a known failure (`file:line:column`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known: Option<String>,
}

fn required() -> Tier {
    Tier::Required
}

/// A check not judged because it needs a capability the candidate declared missing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotApplicable {
    /// Check id (`file.sha256`, `fields.tempFilePath`), or `case` when the case's premise needs it.
    pub check: String,
    /// The capability, as `lacks` names it.
    pub capability: String,
    /// Why the check needs it.
    pub reason: String,
}
