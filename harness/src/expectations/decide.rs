//! Deciding one case against the file: whole-case entries give a status, per-check entries name
//! the checks known to fail, and a failed check that no entry names makes the case unexpected.

use super::Expectations;
use super::judge::judge;
use crate::spec::model::{Os, Platform};
use crate::verdict::Status;

/// What the file makes of one case's actual status and failed checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// What the file expected (PASS when no entry applies, FAIL when per-check entries do).
    pub expected: Status,
    /// The status to report (XFAIL/XPASS where the file expected a failure).
    pub status: Status,
    /// Whether the result departs from the file.
    pub unexpected: bool,
    /// For each failed check, in the order given: the entry that names it, if one does.
    pub known: Vec<Option<usize>>,
    /// Failed check ids no entry names, each once, in the order first seen.
    pub unexplained: Vec<String>,
    /// The whole-case entry that decided the case, if one did.
    pub whole: Option<usize>,
    /// Per-check entries that apply to the case, in file order.
    pub per_check: Vec<usize>,
}

impl Expectations {
    /// Decide a case: `actual` is its status from the checks, `failed` the ids of its failed checks.
    ///
    /// The first whole-case entry that applies decides any status but FAIL. A FAIL is as expected
    /// when a whole-case FAIL entry applies, or when every failed check is named by a per-check
    /// entry that applies; otherwise it is unexpected and `unexplained` lists what no entry names.
    pub fn decide(
        &self,
        case_id: &str,
        platform: Platform,
        os: Os,
        actual: Status,
        failed: &[&str],
    ) -> Decision {
        let applying = |per_check: bool| {
            self.entries
                .iter()
                .enumerate()
                .filter(move |(_, e)| e.is_per_check() == per_check)
                .filter(move |(_, e)| e.applies(case_id, platform, os))
                .map(|(i, _)| i)
        };
        let per_check: Vec<usize> = applying(true).collect();
        let whole = applying(false).next();
        let whole_status = whole.map(|i| self.entries[i].status);
        let mut decision = Decision {
            expected: Status::Pass,
            status: actual,
            unexpected: false,
            known: vec![None; failed.len()],
            unexplained: Vec::new(),
            whole: None,
            per_check,
        };
        if actual == Status::Fail && whole_status == Some(Status::Fail) {
            decision.expected = Status::Fail;
            decision.status = Status::Xfail;
            decision.known = vec![whole; failed.len()];
            decision.whole = whole;
            return decision;
        }
        if actual == Status::Fail && !decision.per_check.is_empty() {
            for (slot, check) in decision.known.iter_mut().zip(failed) {
                *slot = decision
                    .per_check
                    .iter()
                    .copied()
                    .find(|&i| self.entries[i].names_check(check).is_some());
            }
            decision.unexplained = unnamed(failed, &decision.known);
            decision.expected = Status::Fail;
            if decision.unexplained.is_empty() {
                decision.status = Status::Xfail;
            } else {
                decision.unexpected = true;
            }
            return decision;
        }
        // Any other status: the whole-case entry, else FAIL when per-check entries expect one. A
        // pass under per-check entries stays PASS here; the run's end tells whether the entries
        // still fail anywhere (XPASS when they do not, see `harness/EXPECTATIONS.md`).
        let expected = match (whole_status, actual) {
            (Some(status), _) => status,
            (None, Status::Pass) => Status::Pass,
            (None, _) if !decision.per_check.is_empty() => Status::Fail,
            (None, _) => Status::Pass,
        };
        let judged = judge(expected, actual);
        decision.expected = expected;
        decision.status = judged.status;
        decision.unexpected = judged.unexpected;
        decision.whole = whole;
        if actual == Status::Fail {
            decision.unexplained = unnamed(failed, &decision.known);
        }
        decision
    }
}

/// The failed checks with no naming entry, each once.
fn unnamed(failed: &[&str], known: &[Option<usize>]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (check, entry) in failed.iter().zip(known) {
        if entry.is_none() && !out.iter().any(|c| c == check) {
            out.push(check.to_string());
        }
    }
    out
}
