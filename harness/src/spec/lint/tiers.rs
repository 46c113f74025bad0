//! Rules about tiers: what `expect.recommended` may name, where a `tier_reason` is needed.
//!
//! The tier rule: a case is required when a document states its outcome; the parts a document
//! leaves open (which errno, which text) are listed in `expect.recommended`. A case stays
//! recommended only when its outcome itself is inferred, and its `tier_reason` says why.

use super::{Report, SpecFile, case_path, listing};
use crate::spec::model::{Case, ExpectKey, SourceKind, Spec, Tier};

/// Every expectation key, for messages and the "all lowered" check.
const ALL_KEYS: [ExpectKey; 9] = [
    ExpectKey::Outcome,
    ExpectKey::Errno,
    ExpectKey::ErrMsg,
    ExpectKey::Fields,
    ExpectKey::File,
    ExpectKey::Progress,
    ExpectKey::HeadersReceived,
    ExpectKey::Server,
    ExpectKey::Timing,
];

pub(super) fn expect_tiers(report: &mut Report<'_>, file: &SpecFile<'_>) {
    for (i, case) in file.spec.cases.iter().enumerate() {
        let listed = &case.expect.recommended;
        if listed.is_empty() {
            continue;
        }
        let path = case_path(i).key("expect").key("recommended");
        if case.tier == Tier::Recommended {
            report.key(
                &path,
                format!(
                    "case `{}` is recommended already; `expect.recommended` can only lower parts of a required case",
                    case.id
                ),
            );
            continue;
        }
        for (k, key) in listed.iter().enumerate() {
            if listed[..k].contains(key) {
                report.value(
                    &path.index(k),
                    format!("case `{}`: `{}` is listed twice", case.id, key.name()),
                );
            } else if !case.expect.has(*key) {
                let set: Vec<&str> = ALL_KEYS
                    .iter()
                    .filter(|k| case.expect.has(**k))
                    .map(|k| k.name())
                    .collect();
                report.value(
                    &path.index(k),
                    format!(
                        "case `{}`: `{}` is not set in its expect (set: {})",
                        case.id,
                        key.name(),
                        listing(set)
                    ),
                );
            }
        }
        if ALL_KEYS
            .iter()
            .filter(|k| case.expect.has(**k))
            .all(|k| listed.contains(k))
        {
            report.key(
                &path,
                format!(
                    "case `{}`: every expectation is recommended; make the case `tier: recommended` instead",
                    case.id
                ),
            );
        }
    }
}

pub(super) fn tier_reason(report: &mut Report<'_>, file: &SpecFile<'_>) {
    for (i, case) in file.spec.cases.iter().enumerate() {
        let path = case_path(i);
        let given = case.tier_reason.as_deref().map(str::trim);
        if given == Some("") {
            report.value(
                &path.key("tier_reason"),
                format!("case `{}`: `tier_reason` is empty", case.id),
            );
            continue;
        }
        if given.is_some() {
            continue;
        }
        if case.tier == Tier::Recommended {
            report.value(
                &path.key("tier"),
                format!(
                    "case `{}` is recommended without a `tier_reason` (which part no document states)",
                    case.id
                ),
            );
        } else if !case.expect.recommended.is_empty() {
            report.key(
                &path.key("expect").key("recommended"),
                format!(
                    "case `{}` lowers {} to recommended without a `tier_reason`",
                    case.id,
                    listing(case.expect.recommended.iter().map(|k| k.name()))
                ),
            );
        }
    }
}

pub(super) fn tier_source(report: &mut Report<'_>, file: &SpecFile<'_>) {
    let spec = file.spec;
    for (i, case) in spec.cases.iter().enumerate() {
        if case.tier != Tier::Required || case.tier_reason.is_some() {
            continue;
        }
        let Some(kind) = source_kind(spec, case).filter(|k| !k.is_document()) else {
            continue;
        };
        let what = match kind {
            SourceKind::Convention => "a project convention",
            _ => "a community text",
        };
        report.value(
            &case_path(i).key("source"),
            format!(
                "case `{}` is required, but its only source `{}` is {what}; lower the uncertain parts (`expect.recommended`) and say in `tier_reason` why the rest is certain",
                case.id, case.source
            ),
        );
    }
}

/// The kind of the source a case names (before any `#fragment`).
fn source_kind(spec: &Spec, case: &Case) -> Option<SourceKind> {
    let id = case.source.split('#').next().unwrap_or_default();
    spec.sources.get(id).map(|s| s.kind)
}
