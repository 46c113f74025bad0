//! Writing an expectations file from a run's actual statuses (`--update-expectations`).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::Expectations;
use super::entry::Entry;
use super::judge::is_failure_kind;
use crate::spec::model::Platform;
use crate::verdict::Status;

/// Reason written for a failure that no previous entry explains; it parses, and reads as a to-do.
pub const UNEXPLAINED_REASON: &str =
    "TODO: recorded by --update-expectations; say why or link a bug";

/// YAML for `--update-expectations`: one entry per case whose actual status is not PASS or SKIP.
///
/// Entries are sorted by case id and name the exact id. The reason and bug of the first previous
/// entry matching the id (pattern and platform condition; the OS condition is not known here) are
/// kept. A case listed twice is written once, from its first listing.
pub fn write_updated(cases: &[(String, Status)], previous: &Expectations) -> String {
    let mut by_id: BTreeMap<&str, Status> = BTreeMap::new();
    for (id, status) in cases {
        by_id.entry(id.as_str()).or_insert(*status);
    }
    let mut out = String::from(
        "# Expectations for dlconform: cases this candidate is known not to pass.\n\
         # Written by `dlconform run --update-expectations` from the last run, one entry per case\n\
         # that did not pass; replace each TODO reason with why, or with a `bug:` link.\n\
         # Format: harness/EXPECTATIONS.md\n",
    );
    let mut written = 0;
    for (id, actual) in by_id {
        let earlier = previous_entry(previous, id);
        let Some(status) = status_to_write(actual, earlier) else {
            continue;
        };
        if written == 0 {
            out.push_str("expectations:\n");
        }
        written += 1;
        let _ = writeln!(out, "  - cases: {}", quote(id));
        let _ = writeln!(out, "    status: {}", status.name());
        let reason = earlier.and_then(Entry::reason);
        let bug = earlier.and_then(Entry::bug);
        match (reason, bug) {
            (None, None) => {
                let _ = writeln!(out, "    reason: {}", quote(UNEXPLAINED_REASON));
            }
            (reason, bug) => {
                if let Some(reason) = reason {
                    let _ = writeln!(out, "    reason: {}", quote(reason));
                }
                if let Some(bug) = bug {
                    let _ = writeln!(out, "    bug: {}", quote(bug));
                }
            }
        }
        if let Some(evidence) = earlier.and_then(Entry::evidence) {
            let _ = writeln!(out, "    evidence:");
            let _ = writeln!(out, "      observed: {}", quote(&evidence.observed));
            let _ = writeln!(out, "      document: {}", quote(&evidence.document));
        }
    }
    if written == 0 {
        out.push_str("expectations: []\n");
    }
    out
}

/// The status an entry should record, or `None` when the case needs no entry.
fn status_to_write(actual: Status, earlier: Option<&Entry>) -> Option<Status> {
    match actual {
        // N/A is the candidate's declared lack, judged alike whatever a file says.
        Status::Pass | Status::Skip | Status::Xpass | Status::NotApplicable => None,
        // XFAIL is a judged status: the failure kind is the one the previous file named.
        Status::Xfail => Some(
            earlier
                .map(Entry::status)
                .filter(|s| is_failure_kind(*s))
                .unwrap_or(Status::Fail),
        ),
        kind => Some(kind),
    }
}

/// The first previous entry whose patterns and platform condition fit the id.
fn previous_entry<'a>(previous: &'a Expectations, id: &str) -> Option<&'a Entry> {
    let platform = id.split('/').next().and_then(Platform::from_name);
    previous.entries().iter().find(|entry| {
        let platform_ok = entry.when().platforms.is_empty()
            || platform.is_some_and(|p| entry.when().platforms.contains(&p));
        platform_ok && entry.matches_id(id)
    })
}

/// A YAML double-quoted scalar; JSON string escapes are a subset of YAML's.
fn quote(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| format!("\"{}\"", text.escape_default()))
}
