//! Self-test: run the reference and every mutant over the same cases and tell which mutants
//! the cases catch (a mutant is caught when at least one case does not PASS or SKIP), the
//! mutation score, and the cases no mutant can fail.
//!
//! A case the reference itself does not pass proves nothing about a mutant, so it catches none;
//! the reference failing makes the self-test fail anyway.
//!
//! Mutants run one after the other, each over the whole selection with cases in parallel; no
//! report is written for them, only statuses are kept.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures_util::{StreamExt, TryStreamExt, stream};
use serde::{Deserialize, Serialize};

use crate::candidate::CandidateSpec;
use crate::candidate::mutants::Mutant;
use crate::results::{CaseResult, RunResults};
use crate::runner::plan::Selection;
use crate::runner::report::Reporter;
use crate::runner::schedule::Durations;
use crate::runner::{self, RunError, RunOptions};
use crate::verdict::Status;

/// Version of the JSON written by `selftest --json`.
pub const SELFTEST_FORMAT: u32 = 1;

/// What a self-test runs.
#[derive(Debug, Clone)]
pub struct SelftestPlan {
    /// Spec files or folders.
    pub specs: Vec<PathBuf>,
    /// Which cases.
    pub selection: Selection,
    /// Cases run at once within one candidate's run.
    pub jobs: usize,
    /// Mutants run at once after the reference, each with `jobs` cases at once (most cases
    /// wait on timers, so several mutants share the machine well); above 1 the progress is
    /// told per mutant only, not per case.
    pub at_once: usize,
    /// The mutants to run.
    pub mutants: Vec<&'static Mutant>,
    /// Refuse specs with lint problems.
    pub lint: bool,
}

/// One case that did not pass, as a self-test keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseStatus {
    /// Full case id.
    pub id: String,
    /// Its status (FAIL, TIMEOUT, ...).
    pub status: String,
    /// The first check that did not hold, or the reason of a non-FAIL status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

/// The run of one candidate (the reference or a mutant), reduced to what a self-test needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CandidateRun {
    /// `reference` or the mutant's name.
    pub name: String,
    /// What the mutant gets wrong (empty for the reference).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Cases run.
    pub total: usize,
    /// Cases skipped.
    pub skipped: usize,
    /// Cases that did not PASS or SKIP, in case order.
    pub failing: Vec<CaseStatus>,
    /// How long the run took.
    pub duration_ms: u64,
}

impl CandidateRun {
    /// Reduce a run's results.
    pub fn from_results(
        name: &str,
        description: &str,
        results: &RunResults,
        took: Duration,
    ) -> CandidateRun {
        CandidateRun {
            name: name.to_string(),
            description: description.to_string(),
            total: results.cases.len(),
            skipped: results
                .cases
                .iter()
                .filter(|c| c.status == Status::Skip)
                .count(),
            failing: results
                .cases
                .iter()
                .filter(|c| !passes(c))
                .map(case_status)
                .collect(),
            duration_ms: took.as_millis() as u64,
        }
    }

    /// For a mutant: some case failed. For the reference: the opposite of what it must be.
    pub fn caught(&self) -> bool {
        !self.failing.is_empty()
    }
}

/// Whether a case counts as passing: PASS or SKIP.
pub fn passes(case: &CaseResult) -> bool {
    matches!(case.status, Status::Pass | Status::Skip)
}

fn case_status(case: &CaseResult) -> CaseStatus {
    let why = case
        .failures
        .first()
        .map(|f| f.check.clone())
        .or_else(|| case.reason.clone())
        .map(|w| first_line(&w, 120));
    CaseStatus {
        id: case.id.clone(),
        status: case.status.name().to_string(),
        why,
    }
}

fn first_line(text: &str, max: usize) -> String {
    let line = text.lines().next().unwrap_or_default();
    match line.char_indices().nth(max) {
        Some((end, _)) => format!("{}...", &line[..end]),
        None => line.to_string(),
    }
}

/// Which mutants make one case fail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseCoverage {
    /// Full case id.
    pub id: String,
    /// Names of the mutants it catches.
    pub caught: Vec<String>,
}

/// Mutants caught out of those run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    /// Mutants caught.
    pub caught: usize,
    /// Mutants run.
    pub total: usize,
}

impl Score {
    /// Whole percent, rounded down (100 when no mutant ran).
    pub fn percent(&self) -> usize {
        (self.caught * 100).checked_div(self.total).unwrap_or(100)
    }
}

impl std::fmt::Display for Score {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{} ({}%)", self.caught, self.total, self.percent())
    }
}

/// Everything a self-test found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SelftestReport {
    /// [`SELFTEST_FORMAT`].
    pub format: u32,
    /// The reference's run: it must have no failing case.
    pub reference: CandidateRun,
    /// Each mutant's run.
    pub mutants: Vec<CandidateRun>,
    /// Mutants caught.
    pub score: Score,
    /// Per case (not skipped by the reference): the mutants it catches.
    pub cases: Vec<CaseCoverage>,
    /// Cases no mutant makes fail (skipped cases excluded).
    pub uncovered: Vec<String>,
    /// Mutants that make most cases fail (a broken callback order shows in every case).
    pub broad: Vec<String>,
    /// Cases only broad mutants make fail: no check of their own catches anything.
    pub weakly_covered: Vec<String>,
    /// Cases the reference skips (they cannot catch anything).
    pub skipped: Vec<String>,
    /// How long the whole self-test took.
    pub duration_ms: u64,
}

impl SelftestReport {
    /// Put the runs together: score, coverage per case, uncovered cases.
    pub fn assemble(
        reference: CandidateRun,
        reference_cases: &[CaseResult],
        mutants: Vec<CandidateRun>,
        took: Duration,
    ) -> SelftestReport {
        let reference_failing: BTreeSet<&str> =
            reference.failing.iter().map(|c| c.id.as_str()).collect();
        let mut mutants = mutants;
        for run in &mut mutants {
            run.failing
                .retain(|c| !reference_failing.contains(c.id.as_str()));
        }
        let mut catches: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for run in &mutants {
            for case in &run.failing {
                catches
                    .entry(case.id.as_str())
                    .or_default()
                    .push(run.name.clone());
            }
        }
        let judged = reference_cases
            .iter()
            .filter(|c| c.status != Status::Skip && !reference_failing.contains(c.id.as_str()))
            .count();
        let broad: Vec<String> = mutants
            .iter()
            .filter(|m| m.failing.len() * 2 > judged)
            .map(|m| m.name.clone())
            .collect();
        let mut weakly_covered = Vec::new();
        let mut cases = Vec::new();
        let mut uncovered = Vec::new();
        let mut skipped = Vec::new();
        for case in reference_cases {
            if case.status == Status::Skip {
                skipped.push(case.id.clone());
                continue;
            }
            let caught = catches.get(case.id.as_str()).cloned().unwrap_or_default();
            if caught.is_empty() {
                uncovered.push(case.id.clone());
            } else if caught.iter().all(|m| broad.contains(m)) {
                weakly_covered.push(case.id.clone());
            }
            cases.push(CaseCoverage {
                id: case.id.clone(),
                caught,
            });
        }
        let score = Score {
            caught: mutants.iter().filter(|m| m.caught()).count(),
            total: mutants.len(),
        };
        SelftestReport {
            format: SELFTEST_FORMAT,
            reference,
            mutants,
            score,
            cases,
            uncovered,
            broad,
            weakly_covered,
            skipped,
            duration_ms: took.as_millis() as u64,
        }
    }

    /// The reference passes and every mutant is caught.
    pub fn ok(&self) -> bool {
        !self.reference.caught() && self.score.caught == self.score.total
    }
}

/// Told about each candidate as it starts and ends.
pub trait SelftestProgress: Send + Sync {
    /// A candidate's run begins (`index` of `total`, the reference being 0).
    fn started(&self, name: &str, index: usize, total: usize);
    /// A candidate's run ended.
    fn finished(&self, run: &CandidateRun);
    /// Within the running candidate, `done` of `total` cases have finished, `case` the latest.
    fn case_done(&self, _done: usize, _total: usize, _case: &CaseResult) {}
}

/// Progress that says nothing.
pub struct Silent;

impl SelftestProgress for Silent {
    fn started(&self, _name: &str, _index: usize, _total: usize) {}
    fn finished(&self, _run: &CandidateRun) {}
}

/// A runner reporter that counts a candidate's cases and tells the self-test's progress.
struct CaseCount<'a> {
    progress: &'a dyn SelftestProgress,
    total: AtomicUsize,
    done: AtomicUsize,
}

impl Reporter for CaseCount<'_> {
    fn start(&self, total: usize) {
        self.total.store(total, Ordering::SeqCst);
    }
    fn case_done(&self, case: &CaseResult) {
        let done = self.done.fetch_add(1, Ordering::SeqCst) + 1;
        self.progress
            .case_done(done, self.total.load(Ordering::SeqCst), case);
    }
    fn finish(&self) {}
}

/// Run the reference, then the mutants (`at_once` of them at a time), over the plan's cases.
pub async fn run(
    plan: &SelftestPlan,
    progress: &dyn SelftestProgress,
) -> Result<SelftestReport, RunError> {
    let began = Instant::now();
    let total = plan.mutants.len() + 1;
    progress.started("reference", 0, total);
    let (reference_results, took) = run_one(
        plan,
        CandidateSpec::Builtin("reference".into()),
        Durations::default(),
        progress,
    )
    .await?;
    let reference = CandidateRun::from_results("reference", "", &reference_results, took);
    progress.finished(&reference);
    let at_once = plan.at_once.clamp(1, plan.mutants.len().max(1));
    let durations = Durations::from_run(&reference_results);
    let cases_told: &dyn SelftestProgress = if at_once > 1 { &Silent } else { progress };
    let mut mutants: Vec<(usize, CandidateRun)> = stream::iter(plan.mutants.iter().enumerate())
        .map(|(i, mutant)| {
            let durations = durations.clone();
            async move {
                progress.started(mutant.name, i + 1, total);
                let spec = CandidateSpec::Builtin(format!("mutant:{}", mutant.name));
                let (results, took) = run_one(plan, spec, durations, cases_told).await?;
                let run =
                    CandidateRun::from_results(mutant.name, mutant.description, &results, took);
                progress.finished(&run);
                Ok::<_, RunError>((i, run))
            }
        })
        .buffer_unordered(at_once)
        .try_collect()
        .await?;
    mutants.sort_by_key(|(i, _)| *i);
    let mutants = mutants.into_iter().map(|(_, run)| run).collect();
    Ok(SelftestReport::assemble(
        reference,
        &reference_results.cases,
        mutants,
        began.elapsed(),
    ))
}

async fn run_one(
    plan: &SelftestPlan,
    candidate: CandidateSpec,
    durations: Durations,
    progress: &dyn SelftestProgress,
) -> Result<(RunResults, Duration), RunError> {
    let began = Instant::now();
    let options = RunOptions {
        command_line: vec!["dlconform".into(), "selftest".into(), candidate.label()],
        selection: plan.selection.clone(),
        jobs: plan.jobs.max(1),
        lint: plan.lint,
        durations,
        ..RunOptions::new(candidate, plan.specs.clone())
    };
    let counter = CaseCount {
        progress,
        total: AtomicUsize::new(0),
        done: AtomicUsize::new(0),
    };
    let results = runner::run(options, &counter).await?;
    Ok((results, began.elapsed()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::model::Tier;

    fn case(id: &str, status: Status) -> CaseResult {
        CaseResult {
            id: id.into(),
            platform: id.split('/').next().unwrap_or_default().into(),
            api: "downloadFile".into(),
            tier: Tier::Required,
            summary: String::new(),
            source: String::new(),
            source_url: None,
            spec: String::new(),
            expected: Status::Pass,
            status,
            reason: Some("why\nmore".into()),
            judged: Vec::new(),
            failures: Vec::new(),
            not_applicable: Vec::new(),
            unexplained: Vec::new(),
            decided_by: None,
            observation: None,
            duration_ms: 1,
            attempts: Vec::new(),
        }
    }

    fn run(name: &str, cases: &[CaseResult]) -> CandidateRun {
        CandidateRun {
            name: name.into(),
            description: String::new(),
            total: cases.len(),
            skipped: cases.iter().filter(|c| c.status == Status::Skip).count(),
            failing: cases
                .iter()
                .filter(|c| !passes(c))
                .map(case_status)
                .collect(),
            duration_ms: 0,
        }
    }

    fn outcome(ids: &[&str], failing: &[&str]) -> Vec<CaseResult> {
        ids.iter()
            .map(|id| {
                let status = if failing.contains(id) {
                    Status::Fail
                } else if id.ends_with("skip") {
                    Status::Skip
                } else {
                    Status::Pass
                };
                case(id, status)
            })
            .collect()
    }

    const IDS: [&str; 6] = ["d/a", "d/b", "d/skip", "w/d", "w/e", "w/f"];

    #[test]
    fn score_coverage_and_uncovered_cases() {
        let reference = outcome(&IDS, &[]);
        let m1 = run("m1", &outcome(&IDS, &["d/a", "d/b"]));
        let m2 = run("m2", &outcome(&IDS, &[]));
        let every = run("every", &outcome(&IDS, &["d/a", "d/b", "w/d", "w/e"]));
        assert_eq!(m1.failing[0].why.as_deref(), Some("why"));
        let report = SelftestReport::assemble(
            run("reference", &reference),
            &reference,
            vec![m1, m2, every],
            Duration::ZERO,
        );
        assert_eq!(
            report.score,
            Score {
                caught: 2,
                total: 3
            }
        );
        assert_eq!(report.score.to_string(), "2/3 (66%)");
        assert_eq!(report.uncovered, vec!["w/f".to_string()]);
        assert_eq!(report.skipped, vec!["d/skip".to_string()]);
        assert_eq!(report.broad, vec!["every".to_string()]);
        assert_eq!(
            report.weakly_covered,
            vec!["w/d".to_string(), "w/e".to_string()]
        );
        assert_eq!(
            report.cases[0].caught,
            vec!["m1".to_string(), "every".to_string()]
        );
        assert!(!report.ok());
    }

    #[test]
    fn a_failing_reference_fails_the_selftest_and_its_cases_catch_nothing() {
        let reference = outcome(&IDS, &["d/a"]);
        let m = run("m", &outcome(&IDS, &["d/a"]));
        let report = SelftestReport::assemble(
            run("reference", &reference),
            &reference,
            vec![m],
            Duration::ZERO,
        );
        assert_eq!(report.score.caught, 0);
        assert!(!report.ok());
        let reference = outcome(&IDS, &[]);
        let mut crashed = outcome(&IDS, &[]);
        crashed[0].status = Status::Crash;
        let report = SelftestReport::assemble(
            run("reference", &reference),
            &reference,
            vec![run("m", &crashed)],
            Duration::ZERO,
        );
        assert!(report.ok());
        assert_eq!(report.score.percent(), 100);
    }
}
