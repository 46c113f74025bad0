//! The one-line summary `dlconform lint` prints when every spec is clean.

use std::collections::BTreeSet;

use super::model::{Platform, Spec, Tier};

/// Counts over a set of specs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Spec files.
    pub specs: usize,
    /// Platforms, including variants, in catalog order.
    pub platforms: BTreeSet<Platform>,
    /// Cases.
    pub cases: usize,
    /// Required cases.
    pub required: usize,
    /// Required cases with recommended parts (`expect.recommended`).
    pub partly_recommended: usize,
    /// Recommended cases.
    pub recommended: usize,
    /// Cases with a `skip`.
    pub skipped: usize,
    /// Error table entries.
    pub error_codes: usize,
    /// Entries at least one listed case pins (`expect.errno` is the code).
    pub pinned: usize,
    /// Entries with cases, none of which pins the code (the entry's `unpinned` says why).
    pub unpinned: usize,
    /// Entries marked untestable.
    pub untestable: usize,
}

impl Summary {
    /// Count over `specs`.
    pub fn of<'a>(specs: impl IntoIterator<Item = &'a Spec>) -> Summary {
        let mut s = Summary::default();
        for spec in specs {
            s.specs += 1;
            s.platforms.insert(spec.platform);
            s.platforms.extend(spec.variants.iter().map(|v| v.platform));
            for case in &spec.cases {
                s.cases += 1;
                match case.tier {
                    Tier::Required => {
                        s.required += 1;
                        s.partly_recommended += usize::from(!case.expect.recommended.is_empty());
                    }
                    Tier::Recommended => s.recommended += 1,
                }
                s.skipped += usize::from(case.skip.is_some());
            }
            for error in spec.apis.values().flat_map(|a| &a.errors) {
                s.error_codes += 1;
                let pins = error.cases.iter().any(|id| {
                    spec.cases
                        .iter()
                        .any(|c| &c.id == id && c.expect.errno == Some(error.code))
                });
                s.pinned += usize::from(pins);
                s.unpinned += usize::from(!pins && !error.cases.is_empty());
                s.untestable += usize::from(error.untestable.is_some());
            }
        }
        s
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let platforms: Vec<&str> = self.platforms.iter().map(|p| p.name()).collect();
        let skipped = if self.skipped > 0 {
            format!(", {} skipped", self.skipped)
        } else {
            String::new()
        };
        write!(
            f,
            "{} spec{} ok: platforms {}; {} cases ({} required, {} of them with recommended parts, {} recommended{skipped}); {} error codes ({} pinned by a case, {} with cases that pin no code, {} untestable)",
            self.specs,
            if self.specs == 1 { "" } else { "s" },
            platforms.join(" "),
            self.cases,
            self.required,
            self.partly_recommended,
            self.recommended,
            self.error_codes,
            self.pinned,
            self.unpinned,
            self.untestable
        )
    }
}
