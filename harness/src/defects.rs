//! Defects: a run's failures grouped by behaviour. One defect is one failing check with one shape
//! of message (what varies from case to case normalised away), across every case it fails in.

use std::collections::BTreeMap;

use crate::expectations::Expectations;
use crate::results::{CaseResult, Defect, EvidenceInfo, KnownBy};
use crate::spec::model::Tier;
use crate::verdict::Status;

/// Group the failures of `cases` into defects, in order of first appearance; `known` gives the
/// entry behind a failure's `known` location. A case that ended TIMEOUT, CRASH or ERROR without
/// a failed check is a defect of its own kind (`timeout`, `crash`, `error`), known when the
/// whole-case entry that decided it expected it.
pub fn group(cases: &[CaseResult], known: impl Fn(&str) -> Option<KnownBy>) -> Vec<Defect> {
    // Per defect: whether every occurrence is named by an entry (one unnamed one is news), and
    // the first naming entry.
    let mut found: Vec<(Defect, bool, Option<String>)> = Vec::new();
    let mut index: BTreeMap<(String, String), usize> = BTreeMap::new();
    for case in cases {
        let occurrences: Vec<(String, String, Tier, Option<String>)> = match ended(case) {
            Some((check, message)) => vec![(
                check.to_string(),
                message.to_string(),
                case.tier,
                case.decided_by.clone().filter(|_| !case.unexpected()),
            )],
            None => case
                .failures
                .iter()
                .map(|f| {
                    let message = normalize(&f.message);
                    (f.check.clone(), message, f.tier, f.known.clone())
                })
                .collect(),
        };
        for (check, message, tier, by) in occurrences {
            let key = (check, message);
            let at = *index.entry(key.clone()).or_insert_with(|| {
                found.push((
                    Defect {
                        check: key.0,
                        message: key.1,
                        tier,
                        cases: Vec::new(),
                        known: None,
                    },
                    true,
                    None,
                ));
                found.len() - 1
            });
            let (defect, all_known, first) = &mut found[at];
            if tier == Tier::Required {
                defect.tier = Tier::Required;
            }
            if !defect.cases.contains(&case.id) {
                defect.cases.push(case.id.clone());
            }
            *all_known &= by.is_some();
            if first.is_none() {
                *first = by;
            }
        }
    }
    found
        .into_iter()
        .map(|(mut defect, all_known, first)| {
            defect.known = first.filter(|_| all_known).and_then(|at| known(&at));
            defect
        })
        .collect()
}

/// For a case that ended TIMEOUT, CRASH or ERROR (as it is, or as an XFAIL expecting it) with no
/// failed check: the defect's check id and message.
fn ended(case: &CaseResult) -> Option<(&'static str, &'static str)> {
    if !case.failures.is_empty() {
        return None;
    }
    let kind = match case.status {
        Status::Xfail => case.expected,
        other => other,
    };
    match kind {
        Status::Timeout => Some(("timeout", "the call did not end before its deadline")),
        Status::Crash => Some(("crash", "the candidate died during the case")),
        Status::Error => Some((
            "error",
            "the candidate broke the protocol or could not invoke the call",
        )),
        _ => None,
    }
}

/// The entry at a `file:line:column` location of `expectations`, as results.json keeps it.
pub fn known_by(expectations: &Expectations, at: &str) -> Option<KnownBy> {
    let index =
        (0..expectations.len()).find(|&i| expectations.location(i).as_deref() == Some(at))?;
    let entry = expectations.entries().get(index)?;
    Some(KnownBy {
        at: at.to_string(),
        reason: entry.reason().or(entry.whole_case()).map(str::to_string),
        bug: entry.bug().map(str::to_string),
        evidence: entry.evidence().map(|e| EvidenceInfo {
            observed: e.observed.clone(),
            document: e.document.clone(),
        }),
    })
}

/// A message with what varies by case taken out: list indexes, durations, byte counts, ports,
/// UUIDs and long hex digests. Errnos, status codes and counts of callbacks stay: they tell
/// defects apart.
pub fn normalize(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let chars: Vec<char> = message.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        // `[12]` -> `[*]`
        if c == '[' {
            let digits = run_of(&chars, i + 1, |c| c.is_ascii_digit());
            if digits > 0 && chars.get(i + 1 + digits) == Some(&']') {
                out.push_str("[*]");
                i += digits + 2;
                continue;
            }
        }
        // `:36565` after a host -> `:PORT`
        if c == ':' && out.ends_with(|p: char| p.is_ascii_alphanumeric()) {
            let digits = run_of(&chars, i + 1, |c| c.is_ascii_digit());
            if digits >= 2 && !chars.get(i + 1 + digits).is_some_and(char::is_ascii_digit) {
                out.push_str(":PORT");
                i += digits + 1;
                continue;
            }
        }
        // A run of hex (and dashes) of 16 or more: a UUID or a digest.
        if c.is_ascii_hexdigit() && !out.ends_with(|p: char| p.is_ascii_alphanumeric()) {
            let run = run_of(&chars, i, |c| c.is_ascii_hexdigit() || c == '-');
            let has_digit = chars[i..i + run].iter().any(char::is_ascii_digit);
            if run >= 16 && has_digit {
                out.push_str("<hex>");
                i += run;
                continue;
            }
        }
        // A number followed by a unit of time or size.
        if c.is_ascii_digit() && !out.ends_with(|p: char| p.is_ascii_alphanumeric() || p == '.') {
            let digits = run_of(&chars, i, |c| c.is_ascii_digit() || c == '.');
            let rest: String = chars[i + digits..].iter().take(7).collect();
            let unit = ["ms", " ms", " s", "s ", " bytes", " byte", " KiB", " MiB"]
                .into_iter()
                .find(|u| rest.starts_with(u) && !rest[u.len()..].starts_with(char::is_alphabetic));
            if let Some(unit) = unit {
                out.push('N');
                out.push_str(unit);
                i += digits + unit.chars().count();
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

fn run_of(chars: &[char], from: usize, pick: impl Fn(char) -> bool) -> usize {
    chars
        .get(from..)
        .map_or(0, |rest| rest.iter().take_while(|c| pick(**c)).count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_ports_hex_and_measures_are_normalised_and_codes_kept() {
        assert_eq!(
            normalize("progress[123].progress is not a finite number"),
            "progress[*].progress is not a finite number"
        );
        assert_eq!(
            normalize("tempFilePath blob:http://127.0.0.1:36565/c452989f-839f-4363-9334-eab3369aa"),
            "tempFilePath blob:http://127.0.0.1:PORT/<hex>"
        );
        assert_eq!(
            normalize("success after 1850 ms, expected within 1400 ms"),
            "success after N ms, expected within N ms"
        );
        assert_eq!(normalize("read 209715201 bytes"), "read N bytes");
        assert_eq!(
            normalize("errno is null, expected 600008"),
            "errno is null, expected 600008"
        );
        assert_eq!(normalize("2 complete callbacks"), "2 complete callbacks");
        assert_eq!(normalize("sha256 abc"), "sha256 abc");
    }
}
