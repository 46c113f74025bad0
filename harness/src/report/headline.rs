//! The line every report starts with, per candidate: what was measured (cases that pass of those
//! that ran, defects known and unexpected) and only then whether that was expected, for the
//! library and runtime the candidate declared.

use super::matrix::Cell;
use crate::protocol::Component;
use crate::results::{CandidateInfo, RunResults};

/// What one candidate's run measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Measured {
    /// Cases that passed (PASS, XPASS, FLAKY).
    pub passed: usize,
    /// Cases that ran (everything but UNSUPPORTED, N/A and SKIP).
    pub ran: usize,
    /// N/A cases: they need a capability the candidate lacks.
    pub not_applicable: usize,
    /// UNSUPPORTED cases.
    pub unsupported: usize,
    /// Defects an expectations entry names.
    pub known: usize,
    /// Defects no entry names: news.
    pub unexpected: usize,
    /// Cases not as expected that fail the run.
    pub unexpected_required: usize,
    /// Cases not as expected through recommended checks only.
    pub unexpected_recommended: usize,
}

impl Measured {
    /// Count a run.
    pub fn of(run: &RunResults) -> Measured {
        let cell = Cell::of(&run.cases);
        let total = cell.total();
        let known = run.defects.iter().filter(|d| d.known.is_some()).count();
        Measured {
            passed: total.passed,
            ran: total.ran,
            not_applicable: cell.not_applicable,
            unsupported: cell.unsupported,
            known,
            unexpected: run.defects.len() - known,
            unexpected_required: run.summary.unexpected_required.len(),
            unexpected_recommended: run.summary.unexpected_recommended.len(),
        }
    }
}

/// How a declared component reads: `name version`.
pub fn component(c: &Component) -> String {
    if c.version.is_empty() {
        c.name.clone()
    } else {
        format!("{} {}", c.name, c.version)
    }
}

/// What was measured: the candidate's name with the library and runtime from its hello,
/// `taro-h5 (@tarojs/taro-h5 4.2.1, chromium 131)`; `reference 0.1.0` when it declared neither.
pub fn subject(candidate: &CandidateInfo) -> String {
    let parts: Vec<String> = [&candidate.library, &candidate.runtime]
        .into_iter()
        .flatten()
        .map(component)
        .collect();
    if parts.is_empty() {
        super::candidate_label(candidate)
    } else {
        format!("{} ({})", candidate.name, parts.join(", "))
    }
}

/// A matrix column's name: the library and its version when the hello declares one, else the
/// candidate's; and, secondary, the adapter that ran it (`taro-h5 0.1.0`).
pub fn column(candidate: &CandidateInfo) -> (String, Option<String>) {
    match &candidate.library {
        Some(library) => (
            component(library),
            Some(format!("adapter {}", super::candidate_label(candidate))),
        ),
        None => (super::candidate_label(candidate), None),
    }
}

/// [`column`] on one line: `@tarojs/taro-h5 4.2.1 (adapter taro-h5 0.1.0)`.
pub fn column_text(candidate: &CandidateInfo) -> String {
    match column(candidate) {
        (library, Some(adapter)) => format!("{library} ({adapter})"),
        (label, None) => label,
    }
}

/// [`column`] as an HTML header's content: the library, the adapter under it.
pub fn column_html(candidate: &CandidateInfo) -> String {
    let (name, adapter) = column(candidate);
    let adapter = adapter
        .map(|a| format!("<div class=\"adapter\">{}</div>", super::escape_text(&a)))
        .unwrap_or_default();
    format!("{}{adapter}", super::escape_text(&name))
}

/// The figures alone: `2 of 48 cases pass (11 N/A: not run), 12 defects known, 0 unexpected; every
/// required case as expected`.
pub fn figures(run: &RunResults) -> String {
    let m = Measured::of(run);
    let mut apart = Vec::new();
    if m.not_applicable > 0 {
        apart.push(format!("{} N/A", m.not_applicable));
    }
    if m.unsupported > 0 {
        apart.push(format!("{} unsupported", m.unsupported));
    }
    let apart = if apart.is_empty() {
        String::new()
    } else {
        format!(" ({}: not run)", apart.join(", "))
    };
    let verdict = match (&run.run.interrupted, m.unexpected_required) {
        (Some(signal), _) => format!("interrupted by {signal}, no verdict"),
        (None, 0) if m.unexpected_recommended == 0 => "every required case as expected".to_string(),
        (None, 0) => format!(
            "every required case as expected, {} recommended not as expected",
            m.unexpected_recommended
        ),
        (None, req) => format!("{req} required not as expected: the run fails"),
    };
    format!(
        "{} of {} {} pass{apart}, {} {} known, {} unexpected; {verdict}",
        m.passed,
        m.ran,
        plural(m.ran, "case", "cases"),
        m.known,
        plural(m.known, "defect", "defects"),
        m.unexpected,
    )
}

/// The whole headline of one candidate: [`subject`], then [`figures`].
pub fn line(run: &RunResults) -> String {
    format!("{}: {}", subject(&run.run.candidate), figures(run))
}

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}
