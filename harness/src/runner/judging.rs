//! After a case has run: compare or store its snapshot, then judge its status against the
//! expectations file (XFAIL/XPASS).

use std::path::PathBuf;

use crate::expectations::{Expectations, judge};
use crate::results::CaseResult;
use crate::snapshot::{self, SnapshotMode, SnapshotOutcome, SnapshotStore, SnapshotTally};
use crate::spec::model::{Os, Platform};

/// What a run does with each finished case besides its checks.
#[derive(Debug, Clone, Default)]
pub struct Judging {
    /// Expected statuses (empty: every case is expected to pass).
    pub expectations: Expectations,
    /// `--snapshots`.
    pub snapshots: SnapshotMode,
    /// Root of the snapshot folders (`snapshots/`).
    pub snapshot_root: PathBuf,
    /// Folder name of the candidate under the root; `None`: the name from its hello.
    pub candidate_name: Option<String>,
}

/// Judging one run's cases, counting as it goes.
pub struct CaseJudge<'a> {
    judging: &'a Judging,
    store: SnapshotStore,
    // Snapshot outcome of each case, by id, in the order judged; a case judged again replaces its own.
    outcomes: Vec<(String, SnapshotOutcome)>,
    /// Every case seen, for stale expectations.
    pub seen: Vec<(String, Platform, Os)>,
}

impl<'a> CaseJudge<'a> {
    /// Start judging; `hello_name` names the snapshot folder unless a name was given.
    pub fn new(judging: &'a Judging, hello_name: &str) -> CaseJudge<'a> {
        let name = judging.candidate_name.as_deref().unwrap_or(hello_name);
        CaseJudge {
            judging,
            store: SnapshotStore::new(&judging.snapshot_root, name),
            outcomes: Vec::new(),
            seen: Vec::new(),
        }
    }

    /// Put what was recorded per case into the order of `ids` (the plan's), whatever order the
    /// cases finished in.
    pub fn reorder<'i>(&mut self, ids: impl IntoIterator<Item = &'i str>) {
        let position: std::collections::HashMap<&str, usize> =
            ids.into_iter().enumerate().map(|(i, id)| (id, i)).collect();
        let at = |id: &str| position.get(id).copied().unwrap_or(usize::MAX);
        self.outcomes.sort_by_key(|(id, _)| at(id));
        self.seen.sort_by_key(|(id, _, _)| at(id));
    }

    /// Snapshot outcomes so far.
    pub fn tally(&self) -> SnapshotTally {
        let mut tally = SnapshotTally::default();
        for (id, outcome) in &self.outcomes {
            tally.add(id, outcome);
        }
        tally
    }

    /// Snapshot, then expectations, for one finished case run on `os`. A case judged again
    /// (late events) is applied again: its earlier outcome is replaced, not counted twice.
    pub fn apply(&mut self, case: &mut CaseResult, os: Os) {
        let outcome = snapshot::apply(self.judging.snapshots, &self.store, case);
        self.outcomes.retain(|(id, _)| *id != case.id);
        self.outcomes.push((case.id.clone(), outcome));
        let Some(platform) = Platform::from_name(&case.platform) else {
            return;
        };
        self.seen.retain(|(id, _, _)| *id != case.id);
        self.seen.push((case.id.clone(), platform, os));
        let expected = self
            .judging
            .expectations
            .expected_for(&case.id, platform, os);
        let Some(entry) = expected.entry else {
            // No entry: the runner's own expectation (PASS, or SKIP for a spec skip) stands.
            return;
        };
        let actual = case.status;
        let judged = judge(expected.status, actual);
        case.expected = expected.status;
        case.status = judged.status;
        let why = [expected.reason.as_deref(), expected.bug.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("; ");
        let location = self
            .judging
            .expectations
            .location(entry)
            .unwrap_or_default();
        let note = match judged.status {
            crate::verdict::Status::Xfail => Some(format!(
                "known {}: {why} ({location})",
                expected.status.name()
            )),
            crate::verdict::Status::Xpass => Some(format!(
                "passed, though expected {}: {why}; remove or narrow the entry at {location}",
                expected.status.name()
            )),
            _ if judged.unexpected && expected.status != actual => Some(format!(
                "expected {} ({why}, {location}), got {}",
                expected.status.name(),
                actual.name()
            )),
            _ => None,
        };
        if let Some(note) = note {
            case.reason = Some(match case.reason.take() {
                Some(reason) => format!("{note}; {reason}"),
                None => note,
            });
        }
    }

    /// Expectation entries that decided no case of the run, as `file:line:column` warnings.
    pub fn stale(&self) -> Vec<String> {
        let expectations = &self.judging.expectations;
        expectations
            .unused(&self.seen)
            .into_iter()
            .map(|index| {
                let location = expectations.location(index).unwrap_or_default();
                let patterns = expectations
                    .entries()
                    .get(index)
                    .map(|e| e.patterns().join(", "))
                    .unwrap_or_default();
                format!("{location}: entry `{patterns}` matched no case of this run")
            })
            .collect()
    }
}
