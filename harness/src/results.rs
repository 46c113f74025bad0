//! `results.json`: the record of one run, from which every report is made.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::observation::Observation;
use crate::protocol::Component;
use crate::spec::model::Tier;
use crate::verdict::{CheckFailure, NotApplicable, Status};

/// Version of the results.json format.
pub const RESULTS_FORMAT: u32 = 1;

/// One run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunResults {
    /// Format version ([`RESULTS_FORMAT`]).
    pub format: u32,
    /// What ran, with what, when.
    pub run: RunInfo,
    /// Counts and the verdict of the run.
    pub summary: Summary,
    /// Every selected case, in run order.
    pub cases: Vec<CaseResult>,
    /// Failures grouped into defects: one failing check with one shape of message, across cases.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub defects: Vec<Defect>,
    /// Expectations that no longer hold as written (stale entries and checks), one line each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stale: Vec<String>,
}

/// One behaviour that fails: a check id with the normalised shape of its message, and every case
/// of the run where it failed so.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Defect {
    /// Check id (`shape.type`, `callback-order.result`).
    pub check: String,
    /// The message with what varies by case (numbers, ports, paths, ids) normalised away.
    pub message: String,
    /// Required when any occurrence is required.
    pub tier: Tier,
    /// Full ids of the cases where it failed, in run order.
    pub cases: Vec<String>,
    /// The expectations entry that names it, when one does; absent: the defect is news.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known: Option<KnownBy>,
}

/// The expectations entry that names a failing check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KnownBy {
    /// `file:line:column` of the entry.
    pub at: String,
    /// The entry's reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The entry's bug link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bug: Option<String>,
    /// The entry's evidence: what was observed, and the document it departs from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<EvidenceInfo>,
}

/// Evidence of a deviation, as results.json keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceInfo {
    /// What the implementation did.
    pub observed: String,
    /// The document that says otherwise.
    pub document: String,
}

/// What ran, with what, when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunInfo {
    /// Run id (UTC timestamp, also the default report folder name).
    pub id: String,
    /// dlconform version.
    pub harness_version: String,
    /// Candidate protocol version.
    pub protocol: u32,
    /// The candidate.
    pub candidate: CandidateInfo,
    /// Spec files read.
    pub spec_files: Vec<SpecFileInfo>,
    /// Platforms of the selected cases.
    pub platforms: Vec<String>,
    /// `--platform` and `--case` as given.
    pub selection: SelectionInfo,
    /// `k/n` when the run is one slice of several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition: Option<String>,
    /// Cases run at once.
    pub jobs: usize,
    /// Start, RFC 3339.
    pub started_at: String,
    /// End, RFC 3339.
    pub finished_at: String,
    /// The command line.
    pub command_line: Vec<String>,
    /// The signal that interrupted the run (`SIGINT`, `SIGTERM`); the cases are those finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interrupted: Option<String>,
}

/// The candidate of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CandidateInfo {
    /// As given to `--candidate`.
    pub spec: String,
    /// Name from its hello.
    pub name: String,
    /// Version from its hello.
    pub version: String,
    /// Platforms from its hello.
    pub platforms: Vec<String>,
    /// APIs from its hello.
    pub apis: Vec<String>,
    /// How many times it was started (more than 1: it died and was restarted).
    pub starts: u32,
    /// Capabilities it declared missing in its hello (`lacks`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lacks: Vec<String>,
    /// The implementation under test, from its hello.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub library: Option<Component>,
    /// What it runs in, from its hello.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime: Option<Component>,
}

/// A spec file read by the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpecFileInfo {
    /// Path as given.
    pub path: String,
    /// SHA-256 of its bytes, hex.
    pub sha256: String,
    /// The platform it describes.
    pub platform: String,
}

/// `--platform` and `--case` as given.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SelectionInfo {
    /// Platforms; empty: all.
    pub platforms: Vec<String>,
    /// Case patterns; empty: all.
    pub cases: Vec<String>,
}

/// The result of one case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseResult {
    /// Full id, `<platform>/<case id>`.
    pub id: String,
    /// Platform it ran as.
    pub platform: String,
    /// API called.
    pub api: String,
    /// Required or recommended.
    pub tier: Tier,
    /// What the case checks.
    pub summary: String,
    /// Where the expected behaviour comes from.
    pub source: String,
    /// The public page of that source's document, when the spec's `sources` names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_url: Option<String>,
    /// Spec file it comes from.
    pub spec: String,
    /// Status the run expected.
    pub expected: Status,
    /// Status it got.
    pub status: Status,
    /// Why, when the status is not PASS/FAIL (skip reason, crash, timeout, unsupported...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Check ids judged in this case (held or failed), each once, in the order first judged; not-applicable checks are not among them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub judged: Vec<String>,
    /// Checks that did not hold.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failures: Vec<CheckFailure>,
    /// Checks not judged: they need a capability the candidate declared missing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_applicable: Vec<NotApplicable>,
    /// Failed checks that no expectations entry names: what makes an expected failure unexpected.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unexplained: Vec<String>,
    /// The whole-case expectations entry that decided the status (`file:line:column`), if one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<String>,
    /// What was observed (absent for skipped cases).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observation: Option<Observation>,
    /// Milliseconds the case took.
    pub duration_ms: u64,
    /// Every try, first to last, when the case was run more than once (`--retries`); the case's
    /// own fields are the last try's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attempts: Vec<Attempt>,
}

/// One try of a case that was run again (`--retries`): its verdict, without the observation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attempt {
    /// Status of the try, judged against the expectations.
    pub status: Status,
    /// Why, when not PASS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Checks that did not hold.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failures: Vec<CheckFailure>,
    /// Milliseconds the try took.
    pub duration_ms: u64,
}

impl Attempt {
    /// The verdict of a case as it stands after one try.
    pub fn of(case: &CaseResult) -> Attempt {
        Attempt {
            status: case.status,
            reason: case.reason.clone(),
            failures: case.failures.clone(),
            duration_ms: case.duration_ms,
        }
    }
}

impl CaseResult {
    /// Whether the status departs from the expected one (judged as in `harness/EXPECTATIONS.md`:
    /// XPASS is unexpected, XFAIL is not, SKIP never is).
    pub fn unexpected(&self) -> bool {
        match self.status {
            // As expected on a retry: reported, fatal only with `--strict`.
            Status::Xfail | Status::Flaky => false,
            Status::Xpass => true,
            // A failed check that no expectation names is news, whatever else was expected.
            Status::Fail if !self.unexplained.is_empty() => true,
            actual => crate::expectations::judge(self.expected, actual).unexpected,
        }
    }

    /// The tier an unexpected status counts under: a FAIL whose every unexpected failed check
    /// (every failed check when none is named as known) is recommended counts as recommended; any
    /// other status takes the case's tier.
    pub fn counted_tier(&self) -> Tier {
        let counted = self
            .failures
            .iter()
            .filter(|f| self.unexplained.is_empty() || self.unexplained.contains(&f.check));
        let mut counted = counted.peekable();
        let only_recommended =
            counted.peek().is_some() && counted.all(|f| f.tier == Tier::Recommended);
        if self.status == Status::Fail && only_recommended {
            Tier::Recommended
        } else {
            self.tier
        }
    }
}

/// Counts and the verdict of a run.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Summary {
    /// Cases selected.
    pub total: usize,
    /// Cases per status name.
    pub by_status: BTreeMap<String, usize>,
    /// Per platform: cases per status name.
    pub per_platform: BTreeMap<String, BTreeMap<String, usize>>,
    /// Cases whose status is not the expected one through a required check (or, for a status
    /// other than FAIL, a required case): these fail the run.
    pub unexpected_required: Vec<String>,
    /// Cases not as expected through recommended checks only: reported, not fatal.
    pub unexpected_recommended: Vec<String>,
    /// Cases not as expected at first and as expected on a retry: fatal only with `--strict`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flaky: Vec<String>,
    /// No required case is unexpected.
    pub ok: bool,
}

impl Summary {
    /// Count a run's cases.
    pub fn of(cases: &[CaseResult]) -> Summary {
        let mut summary = Summary {
            total: cases.len(),
            ..Summary::default()
        };
        for case in cases {
            let name = case.status.name().to_string();
            *summary.by_status.entry(name.clone()).or_default() += 1;
            *summary
                .per_platform
                .entry(case.platform.clone())
                .or_default()
                .entry(name)
                .or_default() += 1;
            if case.status == Status::Flaky {
                summary.flaky.push(case.id.clone());
            }
            if case.unexpected() {
                match case.counted_tier() {
                    Tier::Required => summary.unexpected_required.push(case.id.clone()),
                    Tier::Recommended => summary.unexpected_recommended.push(case.id.clone()),
                }
            }
        }
        summary.ok = summary.unexpected_required.is_empty();
        summary
    }
}

/// Reading or writing results failed.
#[derive(Debug, thiserror::Error)]
pub enum ResultsError {
    /// File system error.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The error.
        source: std::io::Error,
    },
    /// Not valid results JSON.
    #[error("{path}: {source}")]
    Json {
        /// The file.
        path: String,
        /// The error.
        source: serde_json::Error,
    },
}

impl RunResults {
    /// Write `results.json` into `dir` (created if needed); returns the file path.
    pub fn write_to(&self, dir: &Path) -> Result<std::path::PathBuf, ResultsError> {
        write_results_json(self, dir)
    }

    /// Read a `results.json`.
    pub fn read(path: &Path) -> Result<RunResults, ResultsError> {
        let text = std::fs::read_to_string(path).map_err(|source| ResultsError::Io {
            path: path.display().to_string(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|source| ResultsError::Json {
            path: path.display().to_string(),
            source,
        })
    }
}

/// Write any results document as pretty `results.json` into `dir` (created if needed).
pub fn write_results_json<T: Serialize>(
    value: &T,
    dir: &Path,
) -> Result<std::path::PathBuf, ResultsError> {
    std::fs::create_dir_all(dir).map_err(|source| ResultsError::Io {
        path: dir.display().to_string(),
        source,
    })?;
    let path = dir.join("results.json");
    let text = serde_json::to_string_pretty(value).map_err(|source| ResultsError::Json {
        path: path.display().to_string(),
        source,
    })?;
    crate::persist::write_whole(&path, (text + "\n").as_bytes()).map_err(|source| {
        ResultsError::Io {
            path: path.display().to_string(),
            source,
        }
    })?;
    Ok(path)
}
