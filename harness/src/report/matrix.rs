//! The summary matrix, platform x candidate, as wpt.fyi shows browsers: per cell the cases
//! passed of those that ran, required and recommended apart, the cases not run counted apart,
//! and the cases that did not pass with their failed checks. report.html and report.md draw it.

use super::MergedResults;
use crate::results::CaseResult;
use crate::spec::model::Tier;
use crate::verdict::Status;

/// Passed of ran, for one tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rate {
    /// Cases that passed (PASS, or XPASS: it passed though listed as failing).
    pub passed: usize,
    /// Cases that ran.
    pub ran: usize,
}

impl Rate {
    /// `passed/ran`.
    pub fn fraction(&self) -> String {
        format!("{}/{}", self.passed, self.ran)
    }
}

/// A case of a cell that did not pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedCase {
    /// Full case id.
    pub id: String,
    /// Its status (FAIL, XFAIL, TIMEOUT, ...).
    pub status: Status,
    /// Its tier.
    pub tier: Tier,
    /// Whether it departs from the expectations (fails the run when required).
    pub unexpected: bool,
    /// Failed checks, each once: `check`, `check ×N` when it failed N times, `(recommended)`
    /// after a recommended one.
    pub checks: Vec<String>,
}

/// One cell: one candidate's cases on one platform.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Cell {
    /// Cases of tier required.
    pub required: Rate,
    /// Cases of tier recommended.
    pub recommended: Rate,
    /// UNSUPPORTED: the candidate does not implement the platform or API.
    pub unsupported: usize,
    /// N/A: the case needs a capability the candidate declared missing.
    pub not_applicable: usize,
    /// SKIP: not run (a spec skip).
    pub skipped: usize,
    /// Cases not as expected that count as required (they fail the run).
    pub required_unexpected: usize,
    /// Cases not as expected through recommended checks only.
    pub recommended_unexpected: usize,
    /// Cases that ran and did not pass, in run order.
    pub failed: Vec<FailedCase>,
}

impl Cell {
    /// Passed and ran over both tiers.
    pub fn total(&self) -> Rate {
        Rate {
            passed: self.required.passed + self.recommended.passed,
            ran: self.required.ran + self.recommended.ran,
        }
    }

    /// Whole percent passed of ran; `None` when nothing ran.
    pub fn percent(&self) -> Option<usize> {
        let total = self.total();
        (total.passed * 100).checked_div(total.ran)
    }

    /// Whether the candidate has no case on this platform at all.
    pub fn is_empty(&self) -> bool {
        self.total().ran == 0 && self.not_run() == 0
    }

    /// Cases that did not run: UNSUPPORTED, N/A and SKIP.
    pub fn not_run(&self) -> usize {
        self.unsupported + self.not_applicable + self.skipped
    }

    /// One cell of every case given.
    pub fn of<'a>(cases: impl IntoIterator<Item = &'a CaseResult>) -> Cell {
        let mut cell = Cell::default();
        for case in cases {
            cell.add(case);
        }
        cell
    }

    fn add(&mut self, case: &CaseResult) {
        let Some(passed) = passed(case.status) else {
            match case.status {
                Status::Unsupported => self.unsupported += 1,
                Status::NotApplicable => self.not_applicable += 1,
                _ => self.skipped += 1,
            }
            return self.count_unexpected(case);
        };
        let rate = match case.tier {
            Tier::Required => &mut self.required,
            Tier::Recommended => &mut self.recommended,
        };
        rate.ran += 1;
        if passed {
            rate.passed += 1;
        } else {
            self.failed.push(FailedCase {
                id: case.id.clone(),
                status: case.status,
                tier: case.tier,
                unexpected: case.unexpected(),
                checks: super::grouped::group(&case.failures)
                    .iter()
                    .map(super::grouped::GroupedFailure::label)
                    .collect(),
            });
        }
        self.count_unexpected(case);
    }

    fn count_unexpected(&mut self, case: &CaseResult) {
        if case.unexpected() {
            match case.counted_tier() {
                Tier::Required => self.required_unexpected += 1,
                Tier::Recommended => self.recommended_unexpected += 1,
            }
        }
    }
}

/// Whether a case with this status passed; `None` when it did not run (UNSUPPORTED, N/A, SKIP).
pub fn passed(status: Status) -> Option<bool> {
    // Every status named, so a new one must be placed here before it builds.
    match status {
        Status::Pass | Status::Xpass | Status::Flaky => Some(true),
        Status::Fail | Status::Timeout | Status::Crash | Status::Error | Status::Xfail => {
            Some(false)
        }
        Status::Unsupported | Status::NotApplicable | Status::Skip => None,
    }
}

/// Rows per platform (in the order platforms first appear), one cell per candidate.
pub fn cells(results: &MergedResults) -> Vec<(String, Vec<Cell>)> {
    let mut rows: Vec<(String, Vec<Cell>)> = Vec::new();
    for (ci, candidate) in results.candidates.iter().enumerate() {
        for case in &candidate.results.cases {
            let index = match rows.iter().position(|(p, _)| *p == case.platform) {
                Some(index) => index,
                None => {
                    rows.push((
                        case.platform.clone(),
                        vec![Cell::default(); results.candidates.len()],
                    ));
                    rows.len() - 1
                }
            };
            rows[index].1[ci].add(case);
        }
    }
    rows
}
