//! A checked entry: compiled patterns, expected status, reason or bug, condition.

use globset::{GlobMatcher, GlobSet};

use crate::spec::model::{Os, Platform};
use crate::verdict::Status;

/// One entry of an expectations file, checked and compiled.
#[derive(Debug, Clone)]
pub struct Entry {
    pub(super) patterns: Vec<String>,
    pub(super) matcher: GlobSet,
    pub(super) status: Status,
    pub(super) checks: Vec<CheckPattern>,
    pub(super) whole_case: Option<String>,
    pub(super) reason: Option<String>,
    pub(super) bug: Option<String>,
    pub(super) when: Condition,
    pub(super) evidence: Option<Evidence>,
    pub(super) comment: Vec<String>,
    pub(super) line: u64,
    pub(super) column: u64,
}

/// One check id pattern of an entry, as written and compiled.
#[derive(Debug, Clone)]
pub struct CheckPattern {
    pub(super) written: String,
    pub(super) matcher: GlobMatcher,
}

impl CheckPattern {
    /// The pattern as written.
    pub fn written(&self) -> &str {
        &self.written
    }

    /// Whether the pattern names a check id.
    pub fn matches(&self, check: &str) -> bool {
        self.matcher.is_match(check)
    }
}

/// What shows a deviation: what the implementation did, and the document that says otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    /// What the implementation did, as observed.
    pub observed: String,
    /// The document that says otherwise.
    pub document: String,
}

/// When an entry applies; an empty list means any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Condition {
    /// Platforms the entry applies to (empty: all).
    pub platforms: Vec<Platform>,
    /// Operating systems the entry applies to (empty: all).
    pub os: Vec<Os>,
}

impl Condition {
    /// Whether a case run on this platform and OS meets the condition.
    pub fn holds(&self, platform: Platform, os: Os) -> bool {
        (self.platforms.is_empty() || self.platforms.contains(&platform))
            && (self.os.is_empty() || self.os.contains(&os))
    }
}

impl Entry {
    /// Case id patterns as written.
    pub fn patterns(&self) -> &[String] {
        &self.patterns
    }

    /// Expected status.
    pub fn status(&self) -> Status {
        self.status
    }

    /// Check id patterns whose failure is known; empty for a whole-case entry.
    pub fn checks(&self) -> &[CheckPattern] {
        &self.checks
    }

    /// Whether the entry names checks (a per-check entry) rather than a whole case's status.
    pub fn is_per_check(&self) -> bool {
        !self.checks.is_empty()
    }

    /// Why a FAIL entry covers the whole case instead of naming checks.
    pub fn whole_case(&self) -> Option<&str> {
        self.whole_case.as_deref()
    }

    /// The index of the first of the entry's check patterns that names `check`.
    pub fn names_check(&self, check: &str) -> Option<usize> {
        self.checks.iter().position(|p| p.matches(check))
    }

    /// Why, when given.
    pub fn reason(&self) -> Option<&str> {
        self.reason.as_deref()
    }

    /// Bug link, when given.
    pub fn bug(&self) -> Option<&str> {
        self.bug.as_deref()
    }

    /// The comment lines written just above the entry, without their `#`.
    pub fn comment(&self) -> &[String] {
        &self.comment
    }

    /// The evidence of the deviation, when given.
    pub fn evidence(&self) -> Option<&Evidence> {
        self.evidence.as_ref()
    }

    /// Condition under which the entry applies.
    pub fn when(&self) -> &Condition {
        &self.when
    }

    /// 1-based line of the entry in its file.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// 1-based column of the entry in its file.
    pub fn column(&self) -> u64 {
        self.column
    }

    /// Whether any of the entry's patterns matches a full case id.
    pub fn matches_id(&self, case_id: &str) -> bool {
        self.matcher.is_match(case_id)
    }

    /// Whether the entry applies to a case run on this platform and OS.
    pub fn applies(&self, case_id: &str, platform: Platform, os: Os) -> bool {
        self.when.holds(platform, os) && self.matches_id(case_id)
    }
}
