//! After a case has run: compare or store its snapshot, then judge its status against the
//! expectations file (XFAIL/XPASS).

use std::path::PathBuf;

use std::collections::BTreeMap;

use crate::expectations::{Decision, Expectations};
use crate::results::CaseResult;
use crate::snapshot::{self, SnapshotMode, SnapshotOutcome, SnapshotStore, SnapshotTally};
use crate::spec::model::{Os, Platform};
use crate::verdict::Status;

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
    /// Every case seen, with its platform and OS.
    pub seen: Vec<(String, Platform, Os)>,
    // How each case used the expectations, by case id; a case judged again replaces its own.
    uses: BTreeMap<String, CaseUse>,
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
            uses: BTreeMap::new(),
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
        let expectations = &self.judging.expectations;
        let failed: Vec<&str> = case.failures.iter().map(|f| f.check.as_str()).collect();
        let decision = expectations.decide(&case.id, platform, os, case.status, &failed);
        self.uses
            .insert(case.id.clone(), use_of(expectations, &decision, case));
        for (failure, entry) in case.failures.iter_mut().zip(&decision.known) {
            failure.known = entry.and_then(|i| expectations.location(i));
        }
        case.unexplained = decision.unexplained.clone();
        case.decided_by = decision.whole.and_then(|i| expectations.location(i));
        let actual = case.status;
        case.expected = decision.expected;
        case.status = decision.status;
        if let Some(note) = note(expectations, &decision, actual, case) {
            case.reason = Some(match case.reason.take() {
                Some(reason) => format!("{note}; {reason}"),
                None => note,
            });
        }
    }

    /// Once every case is judged: a per-check entry none of whose checks failed in any case it
    /// matches makes its passing cases XPASS. Returns every stale entry and check as a
    /// `file:line:column: ...` line.
    pub fn finish(&self, cases: &mut [CaseResult]) -> Vec<String> {
        let expectations = &self.judging.expectations;
        let mut stale = Vec::new();
        for (index, entry) in expectations.entries().iter().enumerate() {
            let location = expectations.location(index).unwrap_or_default();
            let patterns = entry.patterns().join(", ");
            if !entry.is_per_check() {
                if !self.uses.values().any(|u| u.decided == Some(index)) {
                    stale.push(format!(
                        "{location}: entry `{patterns}` matched no case of this run"
                    ));
                }
                continue;
            }
            let matched: Vec<(&String, &CaseUse)> = self
                .uses
                .iter()
                .filter(|(_, u)| u.per_check.iter().any(|(i, _)| *i == index))
                .collect();
            if matched.is_empty() {
                stale.push(format!(
                    "{location}: entry `{patterns}` matched no case of this run"
                ));
                continue;
            }
            let hits = |id: &str| -> Vec<usize> {
                self.uses
                    .get(id)
                    .and_then(|u| u.per_check.iter().find(|(i, _)| *i == index))
                    .map(|(_, hit)| hit.clone())
                    .unwrap_or_default()
            };
            let checks: Vec<&str> = entry.checks().iter().map(|c| c.written()).collect();
            let unhit: Vec<&str> = matched
                .iter()
                .filter(|(id, _)| hits(id).is_empty())
                .map(|(id, _)| id.as_str())
                .collect();
            if unhit.len() == matched.len() {
                stale.push(format!(
                    "{location}: XPASS: none of the checks [{}] failed in the {} case(s) the entry matches; remove it",
                    checks.join(", "),
                    matched.len()
                ));
                for case in cases.iter_mut().filter(|c| unhit.contains(&c.id.as_str())) {
                    if case.status == Status::Pass {
                        case.expected = Status::Fail;
                        case.status = Status::Xpass;
                        let note = format!(
                            "passed, though the entry at {location} expects [{}] to fail; remove the entry",
                            checks.join(", ")
                        );
                        case.reason = Some(match case.reason.take() {
                            Some(reason) => format!("{note}; {reason}"),
                            None => note,
                        });
                    }
                }
                continue;
            }
            if !unhit.is_empty() {
                stale.push(format!(
                    "{location}: entry `{patterns}` matches {} case(s) where none of [{}] failed: {}; narrow `cases`",
                    unhit.len(),
                    checks.join(", "),
                    unhit.join(", ")
                ));
            }
            for (k, check) in checks.iter().enumerate() {
                if !matched.iter().any(|(id, _)| hits(id).contains(&k)) {
                    stale.push(format!(
                        "{location}: check `{check}` of entry `{patterns}` failed in none of its {} case(s); take it out",
                        matched.len()
                    ));
                }
            }
        }
        stale
    }
}

/// How the expectations were used by one case, kept until the run ends.
#[derive(Debug, Clone, Default)]
struct CaseUse {
    /// The whole-case entry that decided the case.
    decided: Option<usize>,
    /// Each per-check entry that applies, with the indexes of its check patterns that named a
    /// failure of the case.
    per_check: Vec<(usize, Vec<usize>)>,
}

fn use_of(expectations: &Expectations, decision: &Decision, case: &CaseResult) -> CaseUse {
    let per_check = decision
        .per_check
        .iter()
        .map(|&index| {
            let entry = &expectations.entries()[index];
            let mut hit: Vec<usize> = case
                .failures
                .iter()
                .filter_map(|f| entry.names_check(&f.check))
                .collect();
            hit.sort_unstable();
            hit.dedup();
            (index, hit)
        })
        .collect();
    CaseUse {
        decided: decision.whole,
        per_check,
    }
}

/// The line a case's reason gets from its decision, if any.
fn note(
    expectations: &Expectations,
    decision: &Decision,
    actual: Status,
    case: &CaseResult,
) -> Option<String> {
    let why = |index: usize| {
        let entry = &expectations.entries()[index];
        let why = [entry.reason(), entry.whole_case(), entry.bug()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("; ");
        let location = expectations.location(index).unwrap_or_default();
        format!("{why} ({location})")
    };
    // Each naming entry once, with the checks it names in this case.
    let mut named: Vec<(usize, Vec<&str>)> = Vec::new();
    for (failure, entry) in case.failures.iter().zip(&decision.known) {
        if let Some(index) = *entry {
            match named.iter_mut().find(|(i, _)| *i == index) {
                Some((_, checks)) if !checks.contains(&failure.check.as_str()) => {
                    checks.push(&failure.check)
                }
                Some(_) => {}
                None => named.push((index, vec![&failure.check])),
            }
        }
    }
    let known = named
        .iter()
        .map(|(index, checks)| format!("known {}: {}", checks.join(", "), why(*index)))
        .collect::<Vec<_>>()
        .join("; ");
    match (decision.status, decision.whole) {
        (Status::Xfail, Some(index)) => Some(format!(
            "known {} (whole case): {}",
            decision.expected.name(),
            why(index)
        )),
        (Status::Xfail, None) => Some(known),
        (Status::Xpass, Some(index)) => Some(format!(
            "passed, though expected {}: {}; remove or narrow the entry",
            decision.expected.name(),
            why(index)
        )),
        (Status::Fail, _) if !decision.unexplained.is_empty() && !decision.per_check.is_empty() => {
            let unnamed = format!(
                "check(s) that no expectation names failed: {}",
                decision.unexplained.join(", ")
            );
            Some(if known.is_empty() {
                unnamed
            } else {
                format!("{unnamed}; {known}")
            })
        }
        _ if decision.unexpected
            && decision.expected != actual
            && (decision.whole.is_some() || !decision.per_check.is_empty()) =>
        {
            let by = decision
                .whole
                .map(why)
                .unwrap_or_else(|| "per-check entries".to_string());
            Some(format!(
                "expected {} ({by}), got {}",
                decision.expected.name(),
                actual.name()
            ))
        }
        _ => None,
    }
}
