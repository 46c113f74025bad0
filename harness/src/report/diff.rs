//! `report diff`: what changed between two runs, per case: new failures, new passes, cases
//! added or removed, other status changes and changed failed checks; as a table, Markdown
//! (`diff.md`) and a self-contained page (`diff.html`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use comfy_table::{Table, presets};

use super::MergedResults;
use super::escape_text;
use crate::results::CaseResult;
use crate::verdict::Status;

/// How one case changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    /// As expected before, not as expected now.
    NewFail,
    /// Not as expected before, as expected now.
    NewPass,
    /// Only in the new run.
    Added,
    /// Only in the old run.
    Removed,
    /// Another status, as expected (or not) in both runs.
    StatusChanged,
    /// Same status, other checks failed.
    FailuresChanged,
}

impl ChangeKind {
    /// How reports name it.
    pub fn name(self) -> &'static str {
        match self {
            ChangeKind::NewFail => "new fail",
            ChangeKind::NewPass => "new pass",
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::StatusChanged => "status changed",
            ChangeKind::FailuresChanged => "failures changed",
        }
    }
}

/// One case that changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The case id (prefixed with the candidate label when a file holds several candidates).
    pub case: String,
    /// How it changed.
    pub kind: ChangeKind,
    /// Status in the old run.
    pub old: Option<Status>,
    /// Status in the new run.
    pub new: Option<Status>,
    /// Failed checks that appeared (`+name`) and went (`-name`).
    pub checks: Vec<String>,
}

/// Every change between two runs, new failures first.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RunDiff {
    /// Changes, sorted by kind then case.
    pub changes: Vec<Change>,
    /// Cases in both runs with nothing changed.
    pub unchanged: usize,
}

impl RunDiff {
    /// How many changes of `kind`.
    pub fn count(&self, kind: ChangeKind) -> usize {
        self.changes.iter().filter(|c| c.kind == kind).count()
    }
}

/// Cases by key: the case id, or `label: id` when the file holds several candidates (a single
/// run's key leaves the label out, so a new version of one candidate compares with the old).
fn keyed(results: &MergedResults) -> BTreeMap<String, &CaseResult> {
    let several = results.candidates.len() > 1;
    let mut cases = BTreeMap::new();
    for candidate in &results.candidates {
        for case in &candidate.results.cases {
            let key = if several {
                format!("{}: {}", candidate.label, case.id)
            } else {
                case.id.clone()
            };
            cases.insert(key, case);
        }
    }
    cases
}

fn failed_checks(case: &CaseResult) -> BTreeSet<&str> {
    case.failures.iter().map(|f| f.check.as_str()).collect()
}

/// Compare two runs.
pub fn diff(old: &MergedResults, new: &MergedResults) -> RunDiff {
    let old_cases = keyed(old);
    let new_cases = keyed(new);
    let mut result = RunDiff::default();
    for (key, before) in &old_cases {
        if !new_cases.contains_key(key) {
            result.changes.push(Change {
                case: key.clone(),
                kind: ChangeKind::Removed,
                old: Some(before.status),
                new: None,
                checks: Vec::new(),
            });
        }
    }
    for (key, after) in &new_cases {
        let Some(before) = old_cases.get(key) else {
            result.changes.push(Change {
                case: key.clone(),
                kind: ChangeKind::Added,
                old: None,
                new: Some(after.status),
                checks: Vec::new(),
            });
            continue;
        };
        let (was_bad, is_bad) = (before.unexpected(), after.unexpected());
        let (old_checks, new_checks) = (failed_checks(before), failed_checks(after));
        let checks: Vec<String> = new_checks
            .difference(&old_checks)
            .map(|c| format!("+{c}"))
            .chain(old_checks.difference(&new_checks).map(|c| format!("-{c}")))
            .collect();
        let kind = if !was_bad && is_bad {
            ChangeKind::NewFail
        } else if was_bad && !is_bad {
            ChangeKind::NewPass
        } else if before.status != after.status {
            ChangeKind::StatusChanged
        } else if !checks.is_empty() {
            ChangeKind::FailuresChanged
        } else {
            result.unchanged += 1;
            continue;
        };
        result.changes.push(Change {
            case: key.clone(),
            kind,
            old: Some(before.status),
            new: Some(after.status),
            checks,
        });
    }
    result
        .changes
        .sort_by(|a, b| (a.kind, &a.case).cmp(&(b.kind, &b.case)));
    result
}

const KINDS: [ChangeKind; 6] = [
    ChangeKind::NewFail,
    ChangeKind::NewPass,
    ChangeKind::Added,
    ChangeKind::Removed,
    ChangeKind::StatusChanged,
    ChangeKind::FailuresChanged,
];

fn status_text(status: Option<Status>) -> &'static str {
    status.map(Status::name).unwrap_or("-")
}

/// One line of counts, e.g. `2 new fail, 1 added, 40 unchanged`.
pub fn counts_line(diff: &RunDiff) -> String {
    let mut parts: Vec<String> = KINDS
        .iter()
        .filter(|k| diff.count(**k) > 0)
        .map(|k| format!("{} {}", diff.count(*k), k.name()))
        .collect();
    parts.push(format!("{} unchanged", diff.unchanged));
    parts.join(", ")
}

/// The changes as a terminal table.
pub fn table(diff: &RunDiff) -> Table {
    let mut table = Table::new();
    table.load_preset(presets::ASCII_FULL_CONDENSED);
    table.set_header(["change", "case", "old", "new", "checks"]);
    for change in &diff.changes {
        table.add_row([
            change.kind.name(),
            change.case.as_str(),
            status_text(change.old),
            status_text(change.new),
            change.checks.join(" ").as_str(),
        ]);
    }
    table
}

/// `diff.md`.
pub fn markdown(diff: &RunDiff, old_name: &str, new_name: &str) -> String {
    let mut text = format!(
        "# dlconform diff\n\n`{old_name}` → `{new_name}`: {}\n",
        counts_line(diff)
    );
    if diff.changes.is_empty() {
        text.push_str("\nNo case changed.\n");
        return text;
    }
    text.push_str("\n| change | case | old | new | checks |\n|---|---|---|---|---|\n");
    for change in &diff.changes {
        let _ = writeln!(
            text,
            "| {} | `{}` | {} | {} | {} |",
            change.kind.name(),
            change.case.replace('|', "\\|"),
            status_text(change.old),
            status_text(change.new),
            change.checks.join(" ").replace('|', "\\|")
        );
    }
    text
}

/// `diff.html`: one self-contained page, no scripts.
pub fn html(diff: &RunDiff, old_name: &str, new_name: &str) -> String {
    let mut rows = String::new();
    for change in &diff.changes {
        let _ = writeln!(
            rows,
            "<tr class=\"{}\"><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            change.kind.name().replace(' ', "-"),
            change.kind.name(),
            escape_text(&change.case),
            status_text(change.old),
            status_text(change.new),
            escape_text(&change.checks.join(" "))
        );
    }
    let body = if diff.changes.is_empty() {
        "<p>No case changed.</p>".to_string()
    } else {
        format!(
            "<table><thead><tr><th>change</th><th>case</th><th>old</th><th>new</th><th>checks</th></tr></thead>\n<tbody>\n{rows}</tbody></table>"
        )
    };
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>dlconform diff</title>
<style>
body {{ font-family: sans-serif; margin: 1.5em; }}
table {{ border-collapse: collapse; }}
th, td {{ border: 1px solid #ccc; padding: .25em .6em; text-align: left; }}
tr.new-fail td:first-child {{ background: #f8d0d0; font-weight: bold; }}
tr.new-pass td:first-child {{ background: #d4f0d4; }}
tr.removed td:first-child, tr.added td:first-child {{ background: #eee; }}
</style>
</head>
<body>
<h1>dlconform diff</h1>
<p><code>{old}</code> → <code>{new}</code>: <span id="counts">{counts}</span></p>
{body}
</body>
</html>
"#,
        old = escape_text(old_name),
        new = escape_text(new_name),
        counts = escape_text(&counts_line(diff)),
    )
}
