//! A manifest's `lacks`: the platform capabilities a candidate's runtime does not have, each with
//! the evidence that it does not (what the runtime did, and the document or property of the
//! runtime that says so), so that a lack is a claim the matrix can check, not a candidate's word.

use serde::Deserialize;
use serde_saphyr::{Location, Spanned};

use crate::expectations::{Evidence, Problem};
use crate::protocol::Capability;

/// One capability the candidate lacks, with why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lack {
    /// The capability, as the hello's `lacks` names it.
    pub capability: Capability,
    /// What shows the runtime does not have it.
    pub evidence: Evidence,
}

/// A `lacks` item as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLack {
    capability: Spanned<String>,
    #[serde(default)]
    evidence: Option<Spanned<RawEvidence>>,
}

/// A lack's `evidence` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEvidence {
    #[serde(default)]
    observed: Option<Spanned<String>>,
    #[serde(default)]
    document: Option<Spanned<String>>,
}

/// Check the written `lacks`: known capabilities, none twice, each with both halves of its
/// evidence. `problem` makes a problem at a place of the manifest.
pub(super) fn check(
    raw: &[Spanned<RawLack>],
    at_list: Location,
    problem: &dyn Fn(Location, String) -> Problem,
) -> (Vec<Lack>, Vec<Problem>) {
    let mut lacks: Vec<Lack> = Vec::new();
    let mut problems = Vec::new();
    let mut seen = Vec::new();
    let place = |location: Location| {
        if location.line() == 0 {
            at_list
        } else {
            location
        }
    };
    for item in raw {
        let at = place(item.referenced);
        let name = item.value.capability.value.trim();
        let Some(capability) = Capability::from_name(name) else {
            let known: Vec<&str> = Capability::ALL.iter().map(|c| c.name()).collect();
            problems.push(problem(
                place(item.value.capability.referenced),
                format!(
                    "unknown capability `{name}` in `lacks`; known: {}",
                    known.join(", ")
                ),
            ));
            continue;
        };
        if seen.contains(&capability) {
            problems.push(problem(at, format!("`{name}` is listed twice in `lacks`")));
            continue;
        }
        seen.push(capability);
        let text = |half: &Option<Spanned<String>>| {
            half.as_ref()
                .map(|s| s.value.trim().to_string())
                .filter(|s| !s.is_empty())
        };
        let evidence = item.value.evidence.as_ref().map(|e| &e.value);
        let observed = evidence.and_then(|e| text(&e.observed));
        let document = evidence.and_then(|e| text(&e.document));
        match (observed, document) {
            (Some(observed), Some(document)) => lacks.push(Lack {
                capability,
                evidence: Evidence { observed, document },
            }),
            (observed, _) => problems.push(problem(
                at,
                format!(
                    "`lacks` `{name}` has no {}: a lack names what the runtime did (`evidence.observed`) \
                     and the document or property of the runtime that shows it cannot (`evidence.document`)",
                    if observed.is_none() {
                        "`evidence.observed`"
                    } else {
                        "`evidence.document`"
                    }
                ),
            )),
        }
    }
    lacks.sort_by_key(|l| l.capability);
    (lacks, problems)
}

/// Why a candidate's hello does not agree with its manifest's `lacks`, if it does not: the
/// hello decides what is judged, so a difference either side would change the verdict.
pub fn disagreement(declared: &[Capability], hello: &[Capability]) -> Option<String> {
    let names = |list: Vec<Capability>| {
        list.iter()
            .map(|c| format!("`{}`", c.name()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let undeclared: Vec<Capability> = hello
        .iter()
        .filter(|c| !declared.contains(c))
        .copied()
        .collect();
    let unclaimed: Vec<Capability> = declared
        .iter()
        .filter(|c| !hello.contains(c))
        .copied()
        .collect();
    let mut parts = Vec::new();
    if !undeclared.is_empty() {
        parts.push(format!(
            "its hello lacks {} that its candidate.yaml does not list with evidence",
            names(undeclared)
        ));
    }
    if !unclaimed.is_empty() {
        parts.push(format!(
            "its candidate.yaml lists {} that its hello does not lack",
            names(unclaimed)
        ));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agreement_is_both_ways() {
        use Capability::*;
        assert_eq!(disagreement(&[Files], &[Files]), None);
        assert_eq!(disagreement(&[], &[]), None);
        let extra = disagreement(&[], &[HostEvents]).expect("differs");
        assert!(extra.contains("its hello lacks `host-events`"), "{extra}");
        let missing = disagreement(&[Files, SdkVersion], &[Files]).expect("differs");
        assert!(
            missing.contains("candidate.yaml lists `sdk-version` that its hello does not lack"),
            "{missing}"
        );
    }
}
