//! Applying snapshots to a case result during a run: compare (and fail on a change), or store.

use std::str::FromStr;

use super::CHECK_NAME;
use super::normalize::normalize;
use super::store::{Comparison, SnapshotStore, to_text};
use crate::results::CaseResult;
use crate::verdict::{CheckFailure, Status};

/// What `--snapshots` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SnapshotMode {
    /// No snapshots.
    #[default]
    Off,
    /// Compare; a changed snapshot fails the case, a missing one is reported as new.
    Check,
    /// Compare; a missing snapshot fails the case too.
    CheckStrict,
    /// Write every case's snapshot.
    Update,
}

impl FromStr for SnapshotMode {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "off" => Ok(SnapshotMode::Off),
            "check" => Ok(SnapshotMode::Check),
            "check-strict" => Ok(SnapshotMode::CheckStrict),
            "update" => Ok(SnapshotMode::Update),
            other => Err(format!(
                "unknown snapshot mode '{other}'; expected off, check, check-strict or update"
            )),
        }
    }
}

/// What happened to one case's snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnapshotOutcome {
    /// Snapshots off, the case has no observation (skipped), or its observation depends on
    /// timing ([`super::TIMING_DEPENDENT`]).
    None,
    /// As stored.
    Same,
    /// Nothing stored yet.
    New,
    /// Differs from the stored one (the case failed with check `snapshot`).
    Changed,
    /// Written (update mode; `false`: it was already the same).
    Written(bool),
    /// Reading or writing failed (the case failed with check `snapshot`).
    Error(String),
}

/// Counts of snapshot outcomes in a run, and the new and changed case ids.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SnapshotTally {
    /// Same as stored.
    pub same: usize,
    /// Cases without a stored snapshot.
    pub new: Vec<String>,
    /// Cases whose snapshot changed.
    pub changed: Vec<String>,
    /// Files written (update).
    pub written: usize,
    /// Files already up to date (update).
    pub unchanged: usize,
    /// Cases where reading or writing failed.
    pub errors: Vec<String>,
}

impl SnapshotTally {
    /// Count one case's outcome.
    pub fn add(&mut self, case_id: &str, outcome: &SnapshotOutcome) {
        match outcome {
            SnapshotOutcome::None => {}
            SnapshotOutcome::Same => self.same += 1,
            SnapshotOutcome::New => self.new.push(case_id.to_string()),
            SnapshotOutcome::Changed => self.changed.push(case_id.to_string()),
            SnapshotOutcome::Written(true) => self.written += 1,
            SnapshotOutcome::Written(false) => self.unchanged += 1,
            SnapshotOutcome::Error(message) => self.errors.push(format!("{case_id}: {message}")),
        }
    }

    /// Whether any case had a snapshot handled.
    pub fn is_empty(&self) -> bool {
        *self == SnapshotTally::default()
    }
}

/// Compare or store the snapshot of a finished case; a change (or, in `check-strict`, a missing
/// snapshot) adds a `snapshot` failure and turns a PASS into a FAIL.
pub fn apply(mode: SnapshotMode, store: &SnapshotStore, case: &mut CaseResult) -> SnapshotOutcome {
    if mode == SnapshotMode::Off {
        return SnapshotOutcome::None;
    }
    let Some(observation) = &case.observation else {
        return SnapshotOutcome::None;
    };
    if super::timing_dependent(&case.id).is_some() {
        return SnapshotOutcome::None;
    }
    let text = match to_text(&case.id, &normalize(&case.id, observation)) {
        Ok(text) => text,
        Err(err) => {
            return fail(
                case,
                err.to_string(),
                SnapshotOutcome::Error(err.to_string()),
            );
        }
    };
    if mode == SnapshotMode::Update {
        // Written over: whatever was pending for the case is settled.
        if let Err(err) = store.remove_pending(&case.id) {
            return fail(
                case,
                err.to_string(),
                SnapshotOutcome::Error(err.to_string()),
            );
        }
        return match store.write(&case.id, &text) {
            Ok(changed) => SnapshotOutcome::Written(changed),
            Err(err) => fail(
                case,
                err.to_string(),
                SnapshotOutcome::Error(err.to_string()),
            ),
        };
    }
    let comparison = store.compare(&case.id, &text);
    // What differs waits next to the stored file for `dlconform snapshot review`; what agrees
    // again leaves nothing pending.
    let pending = match &comparison {
        Ok(Comparison::Same) => store.remove_pending(&case.id),
        Ok(_) => store.write_pending(&case.id, &text),
        Err(_) => Ok(()),
    };
    if let Err(err) = pending {
        return fail(
            case,
            err.to_string(),
            SnapshotOutcome::Error(err.to_string()),
        );
    }
    match comparison {
        Ok(Comparison::Same) => {
            judge(case);
            SnapshotOutcome::Same
        }
        Ok(Comparison::New) if mode == SnapshotMode::CheckStrict => {
            let message = format!(
                "no stored snapshot at {} (review with `dlconform snapshot review`)",
                store.path_for(&case.id).display()
            );
            fail(case, message, SnapshotOutcome::New)
        }
        Ok(Comparison::New) => SnapshotOutcome::New,
        Ok(Comparison::Changed(diff)) => {
            let message = format!(
                "observation differs from {}:\n{diff}",
                store.path_for(&case.id).display()
            );
            fail(case, message, SnapshotOutcome::Changed)
        }
        Err(err) => fail(
            case,
            err.to_string(),
            SnapshotOutcome::Error(err.to_string()),
        ),
    }
}

/// Record the snapshot check as judged in the case (once).
fn judge(case: &mut CaseResult) {
    if !case.judged.iter().any(|j| j == CHECK_NAME) {
        case.judged.push(CHECK_NAME.to_string());
    }
}

fn fail(case: &mut CaseResult, message: String, outcome: SnapshotOutcome) -> SnapshotOutcome {
    judge(case);
    case.failures.push(CheckFailure {
        check: CHECK_NAME.to_string(),
        call: None,
        expected: serde_json::Value::String("the stored snapshot".into()),
        actual: serde_json::Value::String("the observed snapshot".into()),
        message,
        tier: case.tier,
        known: None,
    });
    if case.status == Status::Pass {
        case.status = Status::Fail;
    }
    outcome
}
