//! The merged results format and `report merge`: partitions of one candidate's run become one
//! run (the union of their cases), several candidates become the columns of one matrix.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::results::{CaseResult, RESULTS_FORMAT, ResultsError, RunResults, SpecFileInfo, Summary};

/// Version of the merged results format.
pub const MERGED_FORMAT: u32 = 1;

/// The `kind` of a merged results file; a single run's `results.json` has no `kind`.
pub const MERGED_KIND: &str = "dlconform-merged-results";

/// Runs of one or more candidates: the columns of the report matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MergedResults {
    /// Always [`MERGED_KIND`]; tells a merged file from a single run's results.json.
    pub kind: String,
    /// Format version ([`MERGED_FORMAT`]).
    pub format: u32,
    /// One entry per candidate, in the order first given.
    pub candidates: Vec<CandidateRun>,
}

/// One candidate's run, joined from its partitions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CandidateRun {
    /// Column label: the candidate's name and version.
    pub label: String,
    /// The results files it was joined from.
    pub sources: Vec<SourceRun>,
    /// The joined run: union of the cases, summary recounted.
    pub results: RunResults,
}

/// One results file that went into a merge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceRun {
    /// Path as given (empty when the run did not come from a file).
    pub path: String,
    /// Its run id.
    pub run_id: String,
    /// Its `k/n` partition, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition: Option<String>,
    /// Cases it held.
    pub cases: usize,
}

impl From<RunResults> for MergedResults {
    fn from(run: RunResults) -> Self {
        MergedResults::single(run, "")
    }
}

impl MergedResults {
    /// One run as a one-column matrix; `path` is where it was read from.
    pub fn single(run: RunResults, path: &str) -> MergedResults {
        MergedResults {
            kind: MERGED_KIND.to_string(),
            format: MERGED_FORMAT,
            candidates: vec![CandidateRun {
                label: super::candidate_label(&run.run.candidate),
                sources: vec![SourceRun {
                    path: path.to_string(),
                    run_id: run.run.id.clone(),
                    partition: run.run.partition.clone(),
                    cases: run.cases.len(),
                }],
                results: run,
            }],
        }
    }

    /// Whether every candidate ran every required case as expected.
    pub fn ok(&self) -> bool {
        self.candidates.iter().all(|c| c.results.summary.ok)
    }

    /// Write as `results.json` into `dir` (created if needed); returns the file path.
    pub fn write_to(&self, dir: &Path) -> Result<PathBuf, ResultsError> {
        crate::results::write_results_json(self, dir)
    }
}

/// Merging or reading results failed.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// A file could not be read or parsed.
    #[error(transparent)]
    Read(#[from] ResultsError),
    /// A file has a format version this build does not read.
    #[error("{path}: results format {found} is not supported (this dlconform reads {supported})")]
    Format {
        /// The file.
        path: String,
        /// Its version.
        found: u32,
        /// The version read.
        supported: u32,
    },
    /// The same case of the same candidate appears twice with different results.
    #[error(
        "case {case} of {candidate} appears in {first} and {second} with different results ({difference})"
    )]
    Conflict {
        /// The candidate's label.
        candidate: String,
        /// Full case id.
        case: String,
        /// First file holding it.
        first: String,
        /// Second file holding it.
        second: String,
        /// What differs, briefly.
        difference: String,
    },
    /// Nothing to merge.
    #[error("no results files given")]
    Empty,
}

/// Read a results file: a single run's `results.json` or a merged one.
pub fn load_results(path: &Path) -> Result<MergedResults, MergeError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| ResultsError::Io {
        path: shown.clone(),
        source,
    })?;
    let json_error = |source| ResultsError::Json {
        path: shown.clone(),
        source,
    };
    let value: serde_json::Value = serde_json::from_str(&text).map_err(json_error)?;
    let is_merged = value.get("kind").and_then(|k| k.as_str()) == Some(MERGED_KIND);
    let format = value
        .get("format")
        .and_then(|f| f.as_u64())
        .unwrap_or_default();
    let supported = if is_merged {
        MERGED_FORMAT
    } else {
        RESULTS_FORMAT
    };
    if format != u64::from(supported) {
        return Err(MergeError::Format {
            path: shown,
            found: u32::try_from(format).unwrap_or(u32::MAX),
            supported,
        });
    }
    if is_merged {
        Ok(serde_json::from_value(value).map_err(json_error)?)
    } else {
        let run: RunResults = serde_json::from_value(value).map_err(json_error)?;
        Ok(MergedResults::single(run, &shown))
    }
}

/// What a merge made, and what it noticed without failing.
#[derive(Debug, Clone, PartialEq)]
pub struct MergeOutcome {
    /// The merged results.
    pub merged: MergedResults,
    /// Things worth saying (missing partitions, differing harness versions).
    pub warnings: Vec<String>,
}

/// Join results: runs of the same candidate (name and version) become one run with the union
/// of their cases; different candidates become separate columns, in the order first given.
pub fn merge(inputs: Vec<MergedResults>) -> Result<MergeOutcome, MergeError> {
    let mut groups: Vec<(String, Vec<CandidateRun>)> = Vec::new();
    for run in inputs.into_iter().flat_map(|m| m.candidates) {
        let key = candidate_key(&run.results);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, runs)) => runs.push(run),
            None => groups.push((key, vec![run])),
        }
    }
    if groups.is_empty() {
        return Err(MergeError::Empty);
    }
    let mut warnings = Vec::new();
    let mut candidates = Vec::new();
    for (_, runs) in groups {
        candidates.push(join_candidate(runs, &mut warnings)?);
    }
    Ok(MergeOutcome {
        merged: MergedResults {
            kind: MERGED_KIND.to_string(),
            format: MERGED_FORMAT,
            candidates,
        },
        warnings,
    })
}

/// Runs of the same name and version are parts of the same candidate's run.
fn candidate_key(run: &RunResults) -> String {
    let c = &run.run.candidate;
    format!("{}\u{0}{}", c.name, c.version)
}

fn partition_index(partition: Option<&str>) -> usize {
    partition
        .and_then(|p| p.split_once('/'))
        .and_then(|(k, _)| k.trim().parse().ok())
        .unwrap_or(0)
}

/// Join the parts of one candidate's run.
fn join_candidate(
    mut runs: Vec<CandidateRun>,
    warnings: &mut Vec<String>,
) -> Result<CandidateRun, MergeError> {
    runs.sort_by_key(|r| partition_index(r.results.run.partition.as_deref()));
    let mut parts = runs.into_iter();
    let Some(first) = parts.next() else {
        return Err(MergeError::Empty);
    };
    let label = first.label.clone();
    let mut sources = first.sources.clone();
    let mut info = first.results.run.clone();
    let mut cases = first.results.cases.clone();
    // The entries behind known failures, by location, and the stale lines, from every part.
    let mut known: BTreeMap<String, crate::results::KnownBy> = BTreeMap::new();
    let mut stale: Vec<String> = Vec::new();
    let mut keep_known = |run: &RunResults, stale: &mut Vec<String>| {
        for defect in &run.defects {
            if let Some(by) = &defect.known {
                known.entry(by.at.clone()).or_insert_with(|| by.clone());
            }
        }
        for line in &run.stale {
            if !stale.contains(line) {
                stale.push(line.clone());
            }
        }
    };
    keep_known(&first.results, &mut stale);
    // Where each case came from, to name both files in a conflict.
    let mut origin: BTreeMap<String, (usize, String)> = BTreeMap::new();
    let first_path = source_name(&first.sources);
    for (i, case) in cases.iter().enumerate() {
        origin.insert(case.id.clone(), (i, first_path.clone()));
    }
    let mut partitioned = info.partition.is_some();
    for part in parts {
        let path = source_name(&part.sources);
        let run = part.results;
        keep_known(&run, &mut stale);
        partitioned |= run.run.partition.is_some();
        if run.run.harness_version != info.harness_version {
            warnings.push(format!(
                "{label}: {path} was made by dlconform {} and another part by {}",
                run.run.harness_version, info.harness_version
            ));
        }
        for case in run.cases {
            match origin.get(&case.id) {
                Some((index, first)) => {
                    if cases[*index] != case {
                        return Err(MergeError::Conflict {
                            candidate: label.clone(),
                            case: case.id.clone(),
                            first: first.clone(),
                            second: path.clone(),
                            difference: difference(&cases[*index], &case),
                        });
                    }
                }
                None => {
                    origin.insert(case.id.clone(), (cases.len(), path.clone()));
                    cases.push(case);
                }
            }
        }
        join_info(&mut info, run.run);
        for source in part.sources {
            if !sources
                .iter()
                .any(|s| s.run_id == source.run_id && s.partition == source.partition)
            {
                sources.push(source);
            }
        }
    }
    if partitioned {
        // A partitioned run runs its slice in id order; the union keeps that order.
        cases.sort_by(|a, b| a.id.cmp(&b.id));
        warnings.extend(missing_partitions(&label, &sources));
    }
    if sources.len() > 1 {
        info.partition = None;
    }
    let defects = crate::defects::group(&cases, |at| known.get(at).cloned());
    Ok(CandidateRun {
        label,
        sources,
        results: RunResults {
            format: RESULTS_FORMAT,
            summary: Summary::of(&cases),
            run: info,
            cases,
            defects,
            stale,
        },
    })
}

fn source_name(sources: &[SourceRun]) -> String {
    match sources.first() {
        Some(s) if !s.path.is_empty() => s.path.clone(),
        Some(s) => format!("run {}", s.run_id),
        None => "(unknown)".to_string(),
    }
}

/// Widen the first part's run info by another part's.
fn join_info(info: &mut crate::results::RunInfo, other: crate::results::RunInfo) {
    if other.started_at < info.started_at {
        info.started_at = other.started_at;
        info.id = other.id;
    }
    if other.finished_at > info.finished_at {
        info.finished_at = other.finished_at;
    }
    for spec in other.spec_files {
        if !info.spec_files.iter().any(|s| same_spec(s, &spec)) {
            info.spec_files.push(spec);
        }
    }
    union_into(&mut info.platforms, other.platforms);
    union_into(&mut info.candidate.platforms, other.candidate.platforms);
    union_into(&mut info.candidate.apis, other.candidate.apis);
    union_into(&mut info.candidate.lacks, other.candidate.lacks);
    if info.candidate.library.is_none() {
        info.candidate.library = other.candidate.library;
    }
    if info.candidate.runtime.is_none() {
        info.candidate.runtime = other.candidate.runtime;
    }
    info.candidate.starts += other.candidate.starts;
    info.jobs = info.jobs.max(other.jobs);
}

fn same_spec(a: &SpecFileInfo, b: &SpecFileInfo) -> bool {
    a.path == b.path && a.sha256 == b.sha256
}

fn union_into(into: &mut Vec<String>, more: Vec<String>) {
    for item in more {
        if !into.contains(&item) {
            into.push(item);
        }
    }
}

/// Partitions `k/n` absent from the sources, as warnings.
fn missing_partitions(label: &str, sources: &[SourceRun]) -> Vec<String> {
    let mut totals: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for source in sources {
        if let Some((k, n)) = source.partition.as_deref().and_then(|p| p.split_once('/')) {
            if let (Ok(k), Ok(n)) = (k.trim().parse::<usize>(), n.trim().parse::<usize>()) {
                totals.entry(n).or_default().push(k);
            }
        }
    }
    let mut warnings = Vec::new();
    for (n, present) in totals {
        let missing: Vec<String> = (1..=n)
            .filter(|k| !present.contains(k))
            .map(|k| format!("{k}/{n}"))
            .collect();
        if !missing.is_empty() {
            warnings.push(format!(
                "{label}: partition(s) {} missing; the merged run is incomplete",
                missing.join(", ")
            ));
        }
    }
    warnings
}

/// What differs between two results of the same case, briefly.
fn difference(a: &CaseResult, b: &CaseResult) -> String {
    if a.status != b.status {
        return format!("status {} vs {}", a.status.name(), b.status.name());
    }
    if a.expected != b.expected {
        return format!("expected {} vs {}", a.expected.name(), b.expected.name());
    }
    if a.failures != b.failures {
        return format!(
            "{} vs {} failed check(s)",
            a.failures.len(),
            b.failures.len()
        );
    }
    if a.observation != b.observation {
        return "observations differ".to_string();
    }
    if a.duration_ms != b.duration_ms {
        return format!("duration {} ms vs {} ms", a.duration_ms, b.duration_ms);
    }
    "case details differ".to_string()
}
