//! Writing an expectations file from a run's results (`dlconform expectations write`,
//! `dlconform run --update-expectations`): per-check entries for failed checks, whole-case
//! entries for the other failure kinds, keeping what earlier entries said where they still apply.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::Expectations;
use super::entry::Entry;
use super::judge::is_failure_kind;
use crate::results::CaseResult;
use crate::spec::model::Platform;
use crate::verdict::Status;

/// Reason written for a failure that no previous entry explains; it parses, and reads as a to-do.
pub const UNEXPLAINED_REASON: &str = "TODO: recorded from a run's results; say why or link a bug";

/// The header written when the previous file has none of its own.
pub const DEFAULT_HEADER: &str = "# Expectations for dlconform: what this candidate is known not to pass, per check.\n\
     # Written by `dlconform expectations write` from a run's results; replace each TODO reason\n\
     # with why (and `evidence`), or with a `bug:` link. Format: harness/EXPECTATIONS.md\n";

/// Longest message put in a new entry's comment.
const COMMENT_CHARS: usize = 160;

/// What a case of the run needs from the file: the failure kind it ended with (as the
/// expectations would name it) and, for FAIL, the ids of its failed checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failing {
    /// Full case id.
    pub id: String,
    /// FAIL, TIMEOUT, CRASH, ERROR or UNSUPPORTED.
    pub status: Status,
    /// Failed check ids, each once, sorted (FAIL only).
    pub checks: BTreeSet<String>,
    /// The first message of each failed check, for the comment of a new entry.
    pub messages: BTreeMap<String, String>,
}

impl Failing {
    /// What a judged case needs, or `None` when it needs no entry (it passed, was skipped or
    /// not applicable). A FLAKY case counts by its last try; an XFAIL by the kind expected.
    pub fn of(case: &CaseResult) -> Option<Failing> {
        let last = match (case.status, case.attempts.last()) {
            (Status::Flaky, Some(last)) => last.status,
            (status, _) => status,
        };
        let status = match last {
            Status::Xfail if is_failure_kind(case.expected) => case.expected,
            Status::Xfail => Status::Fail,
            kind if is_failure_kind(kind) => kind,
            _ => return None,
        };
        let mut checks = BTreeSet::new();
        let mut messages = BTreeMap::new();
        if status == Status::Fail {
            // A snapshot that differs is settled with `dlconform snapshot`, not listed as known.
            for failure in case
                .failures
                .iter()
                .filter(|f| f.check != crate::snapshot::CHECK_NAME)
            {
                checks.insert(failure.check.clone());
                messages
                    .entry(failure.check.clone())
                    .or_insert_with(|| failure.message.clone());
            }
        }
        Some(Failing {
            id: case.id.clone(),
            status,
            checks,
            messages,
        })
    }
}

/// One entry to write.
struct Written<'a> {
    cases: Vec<String>,
    status: Status,
    checks: Vec<String>,
    from: Option<&'a Entry>,
    comment: Option<String>,
}

/// YAML for the failures of a run. `all_ids` are every case id of the run (passing ones too), so
/// that an earlier entry's patterns are kept only when every case they match still fails as the
/// entry says; otherwise the entry is narrowed to exact case ids. `header` is the comment block
/// to put first (the previous file's own, or [`DEFAULT_HEADER`]).
pub fn write_from(
    failing: &[Failing],
    all_ids: &[String],
    previous: &Expectations,
    header: &str,
) -> String {
    let mut failing: Vec<&Failing> = failing.iter().collect();
    failing.sort_by(|a, b| a.id.cmp(&b.id));
    failing.dedup_by(|a, b| a.id == b.id);
    // (case, check) pairs of FAIL cases not yet covered by an entry.
    let mut open: BTreeSet<(&str, &str)> = failing
        .iter()
        .filter(|f| f.status == Status::Fail)
        .flat_map(|f| f.checks.iter().map(move |c| (f.id.as_str(), c.as_str())))
        .collect();
    let mut whole_done: BTreeSet<&str> = BTreeSet::new();
    let mut out: Vec<Written> = Vec::new();

    // A whole-case FAIL entry decides before any per-check entry (harness/EXPECTATIONS.md).
    for entry in previous.entries().iter().filter(|e| !e.is_per_check()) {
        let cases: Vec<&str> = failing
            .iter()
            .filter(|f| !whole_done.contains(f.id.as_str()) && applies(entry, &f.id))
            .filter(|f| f.status == entry.status())
            .map(|f| f.id.as_str())
            .collect();
        if cases.is_empty() {
            continue;
        }
        whole_done.extend(cases.iter().copied());
        open.retain(|(case, _)| !cases.contains(case));
        out.push(Written {
            cases: narrowed(entry, &cases, all_ids),
            status: entry.status(),
            checks: Vec::new(),
            from: Some(entry),
            comment: None,
        });
    }
    for entry in previous.entries().iter().filter(|e| e.is_per_check()) {
        let covered: Vec<(&str, &str)> = open
            .iter()
            .copied()
            .filter(|(case, check)| applies(entry, case) && entry.names_check(check).is_some())
            .collect();
        if covered.is_empty() {
            continue;
        }
        let cases: Vec<&str> = covered
            .iter()
            .map(|(case, _)| *case)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let checks = entry
            .checks()
            .iter()
            .filter(|p| covered.iter().any(|(_, check)| p.matches(check)))
            .map(|p| p.written().to_string())
            .collect();
        for pair in &covered {
            open.remove(pair);
        }
        out.push(Written {
            cases: narrowed(entry, &cases, all_ids),
            status: Status::Fail,
            checks,
            from: Some(entry),
            comment: None,
        });
    }
    // New failures: one entry per check id, over every case it failed in.
    let mut by_check: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (case, check) in &open {
        by_check.entry(check).or_default().push(case);
    }
    for (check, cases) in by_check {
        let message = failing
            .iter()
            .find(|f| f.id == cases[0])
            .and_then(|f| f.messages.get(check))
            .map(|m| format!("{check}: {m}"));
        out.push(Written {
            cases: cases.iter().map(|c| c.to_string()).collect(),
            status: Status::Fail,
            checks: vec![check.to_string()],
            from: None,
            comment: message,
        });
    }
    // Other failure kinds no earlier entry explains: one entry per case.
    for f in failing
        .iter()
        .filter(|f| f.status != Status::Fail && !whole_done.contains(f.id.as_str()))
    {
        out.push(Written {
            cases: vec![f.id.clone()],
            status: f.status,
            checks: Vec::new(),
            from: None,
            comment: None,
        });
    }
    render(&out, header)
}

/// The entry's own patterns when every case of the run they match is among `cases`; else the
/// exact ids, so that no written entry covers a case whose failures it does not name.
fn narrowed(entry: &Entry, cases: &[&str], all_ids: &[String]) -> Vec<String> {
    let matched_all = all_ids
        .iter()
        .filter(|id| applies(entry, id))
        .all(|id| cases.contains(&id.as_str()));
    if matched_all {
        entry.patterns().to_vec()
    } else {
        cases.iter().map(|c| c.to_string()).collect()
    }
}

/// Whether an entry's patterns and platform condition fit a case id (its OS is not known here).
fn applies(entry: &Entry, id: &str) -> bool {
    let platform = id.split('/').next().and_then(Platform::from_name);
    let platform_ok = entry.when().platforms.is_empty()
        || platform.is_some_and(|p| entry.when().platforms.contains(&p));
    platform_ok && entry.matches_id(id)
}

fn render(entries: &[Written], header: &str) -> String {
    let mut out = header.to_string();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    if entries.is_empty() {
        out.push_str("expectations: []\n");
        return out;
    }
    out.push_str("expectations:\n");
    for (n, entry) in entries.iter().enumerate() {
        if n > 0 {
            out.push('\n');
        }
        for line in entry.from.map(Entry::comment).unwrap_or_default() {
            let _ = writeln!(out, "  #{}{line}", if line.is_empty() { "" } else { " " });
        }
        if let Some(comment) = &entry.comment {
            let line: String = comment
                .replace('\n', " ")
                .chars()
                .take(COMMENT_CHARS)
                .collect();
            let _ = writeln!(out, "  # {line}");
        }
        write_list(&mut out, "  - cases", &entry.cases);
        if !entry.checks.is_empty() {
            let checks: Vec<String> = entry.checks.iter().map(|c| quote(c)).collect();
            let _ = writeln!(out, "    checks: [{}]", checks.join(", "));
        }
        let _ = writeln!(out, "    status: {}", entry.status.name());
        let from = entry.from;
        if let Some(why) = from.and_then(Entry::whole_case) {
            let _ = writeln!(out, "    whole_case: {}", quote(why));
        }
        let reason = from.and_then(Entry::reason);
        let bug = from.and_then(Entry::bug);
        if reason.is_none() && bug.is_none() {
            let _ = writeln!(out, "    reason: {}", quote(UNEXPLAINED_REASON));
        }
        if let Some(reason) = reason {
            let _ = writeln!(out, "    reason: {}", quote(reason));
        }
        if let Some(bug) = bug {
            let _ = writeln!(out, "    bug: {}", quote(bug));
        }
        if let Some(platforms) = from.map(|e| &e.when().platforms).filter(|p| !p.is_empty()) {
            let names: Vec<String> = platforms.iter().map(|p| p.name().to_string()).collect();
            let _ = writeln!(out, "    when: {{platform: [{}]}}", names.join(", "));
        }
        if let Some(evidence) = from.and_then(Entry::evidence) {
            let _ = writeln!(out, "    evidence:");
            let _ = writeln!(out, "      observed: {}", quote(&evidence.observed));
            let _ = writeln!(out, "      document: {}", quote(&evidence.document));
        }
    }
    out
}

/// `key: "one"` for one item, else a block list at the entry's inner indent (case ids are long).
fn write_list(out: &mut String, key: &str, items: &[String]) {
    if let [one] = items {
        let _ = writeln!(out, "{key}: {}", quote(one));
        return;
    }
    let _ = writeln!(out, "{key}:");
    for item in items {
        let _ = writeln!(out, "      - {}", quote(item));
    }
}

/// A YAML double-quoted scalar; JSON string escapes are a subset of YAML's.
fn quote(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| format!("\"{}\"", text.escape_default()))
}
