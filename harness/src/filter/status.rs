//! The `status(...)` predicate's data: each case's status in a previous results file.

use std::collections::HashMap;
use std::path::Path;

use crate::results::RunResults;
use crate::verdict::Status;

/// What a `status(...)` argument asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wanted {
    /// Exactly this status.
    Is(Status),
    /// Not as expected (the cases `--rerun-failed` reruns).
    Unexpected,
    /// As expected.
    Expected,
    /// Not in the results file (new cases, or not selected then).
    Missing,
}

impl Wanted {
    /// Every argument `status(...)` accepts.
    pub const NAMES: [&'static str; 14] = [
        "pass",
        "fail",
        "timeout",
        "crash",
        "error",
        "unsupported",
        "xfail",
        "xpass",
        "flaky",
        "skip",
        "n/a",
        "unexpected",
        "expected",
        "missing",
    ];

    /// A status name (any case), `unexpected`, `expected` or `missing`.
    pub fn parse(name: &str) -> Option<Wanted> {
        let lower = name.to_ascii_lowercase();
        match lower.as_str() {
            "unexpected" => Some(Wanted::Unexpected),
            "expected" => Some(Wanted::Expected),
            "missing" => Some(Wanted::Missing),
            _ => Status::ALL
                .into_iter()
                .find(|s| s.name().eq_ignore_ascii_case(&lower))
                .map(Wanted::Is),
        }
    }
}

/// Each case's status and whether it was as expected, by full case id.
#[derive(Debug, Clone, Default)]
pub struct StatusTable {
    cases: HashMap<String, (Status, bool)>,
}

impl StatusTable {
    /// Read a results.json; the error says which file and why.
    pub fn read(path: &Path) -> Result<StatusTable, String> {
        let results =
            RunResults::read(path).map_err(|err| format!("cannot read results: {err}"))?;
        Ok(StatusTable::of(&results))
    }

    /// The statuses of a run.
    pub fn of(results: &RunResults) -> StatusTable {
        StatusTable {
            cases: results
                .cases
                .iter()
                .map(|c| (c.id.clone(), (c.status, c.unexpected())))
                .collect(),
        }
    }

    /// Whether case `id` is what `wanted` asks for.
    pub fn has(&self, id: &str, wanted: Wanted) -> bool {
        let entry = self.cases.get(id);
        match wanted {
            Wanted::Missing => entry.is_none(),
            Wanted::Is(status) => entry.is_some_and(|(s, _)| *s == status),
            Wanted::Unexpected => entry.is_some_and(|(_, unexpected)| *unexpected),
            Wanted::Expected => entry.is_some_and(|(_, unexpected)| !unexpected),
        }
    }

    /// How many cases were not as expected.
    pub fn unexpected_count(&self) -> usize {
        self.cases.values().filter(|(_, u)| *u).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_is_a_name_status_accepts() {
        for status in Status::ALL {
            let lower = status.name().to_ascii_lowercase();
            assert!(Wanted::NAMES.contains(&lower.as_str()), "{lower}");
            assert_eq!(Wanted::parse(&lower), Some(Wanted::Is(status)));
        }
        assert_eq!(
            Wanted::parse("N/A"),
            Some(Wanted::Is(Status::NotApplicable))
        );
    }
}
