//! Reports made from results: `report.md` (a pull-request comment), `report.html` (the matrix
//! of platforms x cases x candidates, self-contained) and `junit.xml`; and the merge of several
//! results files (partitions of a run, several candidates) into one; `diff` compares two runs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub mod behaviours;
pub mod diff;
pub mod grouped;
pub mod headline;
pub mod html;
pub mod junit;
pub mod markdown;
pub mod matrix;
pub mod merge;

pub use merge::{CandidateRun, MergeError, MergedResults, SourceRun, load_results, merge};

use crate::results::{CandidateInfo, ResultsError, RunResults};
use crate::verdict::Status;

/// Every status, in the order reports list them.
pub const STATUS_ORDER: [Status; Status::ALL.len()] = Status::ALL;

/// How reports name a candidate: `name version`.
pub fn candidate_label(candidate: &CandidateInfo) -> String {
    if candidate.version.is_empty() {
        candidate.name.clone()
    } else {
        format!("{} {}", candidate.name, candidate.version)
    }
}

/// What a candidate declared about itself beyond its name: library, runtime and the
/// capabilities it lacks (`library @tarojs/taro-h5 4.2.1 · runtime chromium 131 · lacks files`);
/// `None` when it declared none of them.
pub fn capabilities_text(candidate: &CandidateInfo) -> Option<String> {
    let component = headline::component;
    let mut parts = Vec::new();
    if let Some(library) = &candidate.library {
        parts.push(format!("library {}", component(library)));
    }
    if let Some(runtime) = &candidate.runtime {
        parts.push(format!("runtime {}", component(runtime)));
    }
    if !candidate.lacks.is_empty() {
        parts.push(format!(
            "lacks {} (checks needing them are not applicable)",
            candidate.lacks.join(", ")
        ));
    }
    (!parts.is_empty()).then(|| parts.join(" · "))
}

/// A run's N/A cases and not-applicable checks of judged cases, per capability.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NotApplicableCounts {
    /// N/A cases per the capability their premise needs first.
    pub cases: BTreeMap<String, usize>,
    /// Not-applicable checks of cases that were judged, per capability.
    pub checks: BTreeMap<String, usize>,
}

impl NotApplicableCounts {
    /// Count a run.
    pub fn of(run: &RunResults) -> NotApplicableCounts {
        let mut counts = NotApplicableCounts::default();
        for case in &run.cases {
            if case.status == Status::NotApplicable {
                let capability = case
                    .not_applicable
                    .first()
                    .map_or("?", |n| n.capability.as_str());
                *counts.cases.entry(capability.to_string()).or_default() += 1;
            } else {
                for entry in &case.not_applicable {
                    *counts.checks.entry(entry.capability.clone()).or_default() += 1;
                }
            }
        }
        counts
    }
}

/// A run's defects in the order reports list them: unexpected before known, required before
/// recommended, most cases first.
pub fn defects_in_order(run: &RunResults) -> Vec<&crate::results::Defect> {
    let mut defects: Vec<&crate::results::Defect> = run.defects.iter().collect();
    defects.sort_by_key(|d| {
        (
            d.known.is_some(),
            d.tier != crate::spec::model::Tier::Required,
            std::cmp::Reverse(d.cases.len()),
        )
    });
    defects
}

/// Text for HTML element content and attribute values.
pub fn escape_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The files [`write_reports`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenReports {
    /// `report.md`.
    pub markdown: PathBuf,
    /// `report.html`.
    pub html: PathBuf,
    /// `junit.xml`.
    pub junit: PathBuf,
}

impl WrittenReports {
    /// The three paths, in the order they are listed to people.
    pub fn paths(&self) -> [&Path; 3] {
        [&self.markdown, &self.html, &self.junit]
    }
}

/// Making or writing a report failed.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// File system error.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: String,
        /// The error.
        source: std::io::Error,
    },
    /// The results could not be turned into JSON for the HTML page.
    #[error("cannot embed results in report.html: {0}")]
    Json(#[from] serde_json::Error),
    /// quick-junit could not write the XML.
    #[error("cannot write junit.xml: {0}")]
    Junit(#[from] quick_junit::SerializeError),
    /// Reading results failed.
    #[error(transparent)]
    Results(#[from] ResultsError),
}

/// Write `report.md`, `report.html` and `junit.xml` into `out_dir` (created if needed).
///
/// A single run is passed as `&MergedResults::from(run)`.
pub fn write_reports(
    results: &MergedResults,
    out_dir: &Path,
) -> Result<WrittenReports, ReportError> {
    std::fs::create_dir_all(out_dir).map_err(|source| ReportError::Io {
        path: out_dir.display().to_string(),
        source,
    })?;
    let written = WrittenReports {
        markdown: out_dir.join("report.md"),
        html: out_dir.join("report.html"),
        junit: out_dir.join("junit.xml"),
    };
    write_file(&written.markdown, &markdown::render(results))?;
    write_file(&written.html, &html::render(results)?)?;
    write_file(&written.junit, &junit::render(results)?)?;
    Ok(written)
}

fn write_file(path: &Path, text: &str) -> Result<(), ReportError> {
    crate::persist::write_whole(path, text.as_bytes()).map_err(|source| ReportError::Io {
        path: path.display().to_string(),
        source,
    })
}
