//! Parsing and checking an expectations file.

use std::path::Path;

use globset::{GlobBuilder, GlobSetBuilder};
use serde_saphyr::{Location, Spanned};

use super::entry::{CheckPattern, Condition, Entry, Evidence};
use super::error::{ExpectationsError, Problem};
use super::file::{OneOrMany, RawEntry, RawFile, RawWhen};
use crate::spec::model::{Os, Platform};
use crate::verdict::Status;

/// Statuses an entry may name, in the order error messages list them.
const EXPECTABLE: [Status; 7] = [
    Status::Pass,
    Status::Fail,
    Status::Timeout,
    Status::Crash,
    Status::Error,
    Status::Unsupported,
    Status::Skip,
];

/// Operating systems a condition may name.
const CONDITION_OS: [(&str, Os); 3] = [("android", Os::Android), ("ios", Os::Ios), ("pc", Os::Pc)];

/// Parse the YAML and check every entry; all entry problems are reported together.
pub(super) fn parse_entries(path: &Path, text: &str) -> Result<Vec<Entry>, ExpectationsError> {
    let raw = parse_yaml(path, text)?;
    let mut problems = Vec::new();
    let mut entries = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    for raw_entry in raw.expectations.iter().flatten() {
        let mut checker = Checker {
            path,
            problems: &mut problems,
        };
        if let Some(mut entry) = checker.entry(raw_entry) {
            entry.comment = comment_above(&lines, entry.line);
            entries.push(entry);
        }
    }
    if problems.is_empty() {
        Ok(entries)
    } else {
        Err(ExpectationsError::Invalid(problems))
    }
}

/// The block of `#` lines right above 1-based `line`, so that a rewrite keeps it.
fn comment_above(lines: &[&str], line: u64) -> Vec<String> {
    let end = usize::try_from(line)
        .unwrap_or(0)
        .saturating_sub(1)
        .min(lines.len());
    let start = lines[..end]
        .iter()
        .rposition(|l| !l.trim_start().starts_with('#'))
        .map_or(0, |i| i + 1);
    lines[start..end]
        .iter()
        .map(|l| {
            let text = l.trim_start().trim_start_matches('#');
            text.strip_prefix(' ').unwrap_or(text).to_string()
        })
        .collect()
}

/// YAML to the raw shape; duplicate keys are errors.
fn parse_yaml(path: &Path, text: &str) -> Result<RawFile, ExpectationsError> {
    // A file of only comments (or nothing) holds no entries.
    if text
        .lines()
        .all(|line| line.trim().is_empty() || line.trim_start().starts_with('#'))
    {
        return Ok(RawFile { expectations: None });
    }
    let options = serde_saphyr::options! {
        duplicate_keys: serde_saphyr::options::DuplicateKeyPolicy::Error,
    };
    serde_saphyr::from_str_with_options(text, options).map_err(|err| {
        let (line, column) = err
            .location()
            .map(|loc| (loc.line(), loc.column()))
            .unwrap_or((0, 0));
        ExpectationsError::Parse(Problem {
            path: path.to_path_buf(),
            line,
            column,
            message: plain_message(&err.to_string()),
        })
    })
}

/// serde-saphyr's message without what the problem already says apart: the source excerpt after
/// the first line, the `error: line L column C:` prefix, and advice about its own options.
pub(crate) fn plain_message(message: &str) -> String {
    let first = message.lines().next().unwrap_or("").trim();
    let first = first.strip_prefix("error: ").unwrap_or(first);
    let first = match first
        .strip_prefix("line ")
        .and_then(|rest| rest.split_once(": "))
    {
        Some((position, rest)) if position.contains(" column ") => rest,
        _ => first,
    };
    let first = first
        .split_once(", set DuplicateKeyPolicy")
        .map_or(first, |(head, _)| head);
    first.to_string()
}

/// Collects problems while turning raw entries into checked ones.
struct Checker<'a> {
    path: &'a Path,
    problems: &'a mut Vec<Problem>,
}

impl Checker<'_> {
    fn report(&mut self, at: Location, message: String) {
        self.problems.push(Problem {
            path: self.path.to_path_buf(),
            line: at.line(),
            column: at.column(),
            message,
        });
    }

    /// One entry; `None` when it has problems (already reported).
    fn entry(&mut self, raw: &Spanned<RawEntry>) -> Option<Entry> {
        let before = self.problems.len();
        let at = raw.referenced;
        let entry = &raw.value;
        let (patterns, matcher) = self.patterns(&entry.cases);
        let status = self.status(&entry.status);
        let checks = entry
            .checks
            .as_ref()
            .map(|checks| self.check_patterns(checks))
            .unwrap_or_default();
        let whole_case = self.text(entry.whole_case.as_ref(), "whole_case");
        self.check_scope(entry, status, whole_case.is_some());
        let reason = self.text(entry.reason.as_ref(), "reason");
        let bug = self.text(entry.bug.as_ref(), "bug");
        if entry.reason.is_none() && entry.bug.is_none() {
            self.report(
                at,
                "entry needs a `reason` or a `bug` link (or both)".to_string(),
            );
        }
        let when = entry
            .when
            .as_ref()
            .map(|when| self.condition(when))
            .unwrap_or_default();
        let evidence = entry.evidence.as_ref().and_then(|evidence| {
            let observed = self.text(Some(&evidence.value.observed), "evidence.observed");
            let document = self.text(Some(&evidence.value.document), "evidence.document");
            Some(Evidence {
                observed: observed?,
                document: document?,
            })
        });
        if self.problems.len() > before {
            return None;
        }
        Some(Entry {
            patterns,
            matcher: matcher?,
            status: status?,
            checks,
            whole_case,
            reason,
            bug,
            when,
            evidence,
            comment: Vec::new(),
            line: at.line(),
            column: at.column(),
        })
    }

    /// Compile the case id patterns; `*` stays within one `/`-separated segment.
    fn patterns(&mut self, cases: &Spanned<OneOrMany>) -> (Vec<String>, Option<globset::GlobSet>) {
        let mut written = Vec::new();
        let mut set = GlobSetBuilder::new();
        if cases.value.0.is_empty() {
            self.report(cases.referenced, "`cases` lists no pattern".to_string());
        }
        for (pattern, at) in OneOrMany::items(cases) {
            written.push(pattern.to_string());
            if pattern.is_empty() {
                self.report(at, "empty case id pattern".to_string());
                continue;
            }
            let first = pattern.split('/').next().unwrap_or("");
            let has_glob = first.contains(['*', '?', '[', '{']);
            if !has_glob && Platform::from_name(first).is_none() {
                self.report(
                    at,
                    format!(
                        "pattern `{pattern}` must start with a platform ({}) or a wildcard: full case ids are `<platform>/<case id>`",
                        platform_names()
                    ),
                );
                continue;
            }
            match GlobBuilder::new(pattern).literal_separator(true).build() {
                Ok(glob) => {
                    set.add(glob);
                }
                Err(err) => self.report(
                    at,
                    format!("pattern `{pattern}` does not compile: {}", err.kind()),
                ),
            }
        }
        match set.build() {
            Ok(set) => (written, Some(set)),
            Err(err) => {
                self.report(cases.referenced, format!("patterns do not compile: {err}"));
                (written, None)
            }
        }
    }

    /// Compile the check id patterns; a pattern that names every check is refused, since it would
    /// let any new failure pass as known.
    fn check_patterns(&mut self, checks: &Spanned<OneOrMany>) -> Vec<CheckPattern> {
        if checks.value.0.is_empty() {
            self.report(checks.referenced, "`checks` lists no check".to_string());
        }
        let mut compiled = Vec::new();
        for (pattern, at) in OneOrMany::items(checks) {
            if pattern.trim().is_empty() {
                self.report(at, "empty check pattern".to_string());
                continue;
            }
            if pattern.chars().all(|c| c == '*' || c == '.') {
                self.report(
                    at,
                    format!(
                        "check pattern `{pattern}` names every check, so a new failure would pass as known; name the checks, or use `whole_case` with why they cannot be named"
                    ),
                );
                continue;
            }
            match GlobBuilder::new(pattern).build() {
                Ok(glob) => compiled.push(CheckPattern {
                    written: pattern.to_string(),
                    matcher: glob.compile_matcher(),
                }),
                Err(err) => self.report(
                    at,
                    format!("check pattern `{pattern}` does not compile: {}", err.kind()),
                ),
            }
        }
        compiled
    }

    /// `checks` and `whole_case` go with FAIL only, and a FAIL entry has one of them.
    fn check_scope(&mut self, entry: &RawEntry, status: Option<Status>, whole_case: bool) {
        let Some(status) = status else {
            return;
        };
        let at = entry.status.referenced;
        if status != Status::Fail {
            if let Some(checks) = &entry.checks {
                self.report(
                    checks.referenced,
                    format!(
                        "`checks` name failing checks, so they go with status FAIL, not {}",
                        status.name()
                    ),
                );
            }
            if let Some(why) = &entry.whole_case {
                self.report(
                    why.referenced,
                    format!(
                        "`whole_case` says why a FAIL names no checks; a {} entry always covers the whole case",
                        status.name()
                    ),
                );
            }
            return;
        }
        match (entry.checks.is_some(), whole_case) {
            (true, true) => self.report(
                at,
                "an entry names `checks` or covers the `whole_case`, not both".to_string(),
            ),
            (false, false) => self.report(
                at,
                "a FAIL entry names the checks it expects to fail (`checks: [shape.type]`), or says in `whole_case` why they cannot be named".to_string(),
            ),
            _ => {}
        }
    }

    fn status(&mut self, status: &Spanned<String>) -> Option<Status> {
        let name = status.value.as_str();
        if let Some(found) = EXPECTABLE.into_iter().find(|s| s.name() == name) {
            return Some(found);
        }
        let names = EXPECTABLE.map(Status::name).join(", ");
        let message = match name {
            "XFAIL" | "XPASS" => format!(
                "status `{name}` is a result, not an expectation; name the failure expected ({names})"
            ),
            _ => format!("unknown status `{name}`; expected one of {names}"),
        };
        self.report(status.referenced, message);
        None
    }

    /// A free-text field; present but blank is a problem.
    fn text(&mut self, field: Option<&Spanned<String>>, name: &str) -> Option<String> {
        let field = field?;
        let value = field.value.trim();
        if value.is_empty() {
            self.report(field.referenced, format!("`{name}` is empty"));
            return None;
        }
        Some(value.to_string())
    }

    fn condition(&mut self, when: &Spanned<RawWhen>) -> Condition {
        let mut condition = Condition::default();
        if let Some(platforms) = &when.value.platform {
            for (name, at) in OneOrMany::items(platforms) {
                match Platform::from_name(name) {
                    Some(platform) => condition.platforms.push(platform),
                    None => self.report(
                        at,
                        format!(
                            "unknown platform `{name}` in `when`; expected one of {}",
                            platform_names()
                        ),
                    ),
                }
            }
        }
        if let Some(oses) = &when.value.os {
            for (name, at) in OneOrMany::items(oses) {
                match CONDITION_OS.iter().find(|(n, _)| *n == name) {
                    Some((_, os)) => condition.os.push(*os),
                    None => self.report(
                        at,
                        format!("unknown os `{name}` in `when`; expected one of android, ios, pc (leave `os` out to match any)"),
                    ),
                }
            }
        }
        if when.value.platform.is_none() && when.value.os.is_none() {
            self.report(
                when.referenced,
                "`when` names neither `platform` nor `os`".to_string(),
            );
        }
        condition
    }
}

/// Every platform name, comma-separated, for messages.
fn platform_names() -> String {
    Platform::ALL.map(Platform::name).join(", ")
}
