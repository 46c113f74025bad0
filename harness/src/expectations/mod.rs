//! Expectations files: which cases a candidate is known not to pass, and judging a run against them.
//!
//! Format and judging table: `harness/EXPECTATIONS.md`.

mod decide;
mod entry;
mod error;
mod file;
mod judge;
pub(crate) mod load;
mod write;

use std::path::{Path, PathBuf};

use crate::spec::model::{Os, Platform};
use crate::verdict::Status;

pub use decide::Decision;
pub use entry::{CheckPattern, Condition, Entry, Evidence};
pub use error::{ExpectationsError, Problem};
pub use judge::{Judged, is_failure_kind, judge};
pub use write::{DEFAULT_HEADER, Failing, UNEXPLAINED_REASON, write_from};

/// The entries of one expectations file, in file order.
#[derive(Debug, Clone, Default)]
pub struct Expectations {
    path: Option<PathBuf>,
    entries: Vec<Entry>,
}

/// What is expected of one case, and the entry that said so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    /// Expected status (PASS when no entry applies).
    pub status: Status,
    /// The entry's reason.
    pub reason: Option<String>,
    /// The entry's bug link.
    pub bug: Option<String>,
    /// Index of the entry in file order, when one applies.
    pub entry: Option<usize>,
}

impl Expectations {
    /// Read and check an expectations file.
    pub fn load(path: &Path) -> Result<Expectations, ExpectationsError> {
        let text = std::fs::read_to_string(path).map_err(|source| ExpectationsError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(path, &text)
    }

    /// Parse and check expectations text; `path` names the source in errors.
    pub fn parse(path: &Path, text: &str) -> Result<Expectations, ExpectationsError> {
        Ok(Expectations {
            path: Some(path.to_path_buf()),
            entries: load::parse_entries(path, text)?,
        })
    }

    /// No entries: every case is expected to pass.
    pub fn empty() -> Expectations {
        Expectations::default()
    }

    /// The file the entries came from, if any.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Entries in file order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The expected status for a case and the entry that set it (first matching entry wins).
    pub fn expected_for(&self, case_id: &str, platform: Platform, os: Os) -> Expected {
        match self.deciding_entry(case_id, platform, os) {
            Some(index) => {
                let entry = &self.entries[index];
                Expected {
                    status: entry.status,
                    reason: entry.reason.clone(),
                    bug: entry.bug.clone(),
                    entry: Some(index),
                }
            }
            None => Expected {
                status: Status::Pass,
                reason: None,
                bug: None,
                entry: None,
            },
        }
    }

    /// Entries that matched no case in the run (stale): reported as warnings.
    ///
    /// An entry counts as used only when it decided some case, so an entry wholly shadowed by
    /// earlier ones is reported too.
    pub fn unused(&self, seen_case_ids: &[(String, Platform, Os)]) -> Vec<usize> {
        let mut used = vec![false; self.entries.len()];
        for (id, platform, os) in seen_case_ids {
            if let Some(index) = self.deciding_entry(id, *platform, *os) {
                used[index] = true;
            }
        }
        (0..self.entries.len()).filter(|i| !used[*i]).collect()
    }

    /// `file:line:column` of an entry, for warnings.
    pub fn location(&self, index: usize) -> Option<String> {
        let entry = self.entries.get(index)?;
        let file = self
            .path
            .as_deref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "<expectations>".to_string());
        Some(format!("{file}:{}:{}", entry.line, entry.column))
    }

    fn deciding_entry(&self, case_id: &str, platform: Platform, os: Os) -> Option<usize> {
        self.entries
            .iter()
            .position(|entry| entry.applies(case_id, platform, os))
    }
}
