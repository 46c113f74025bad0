//! Rules about tiers: what `expect.recommended` may name, where a `tier_reason` is needed.
//!
//! The tier rule: a case is required when a document states its outcome; the parts a document
//! leaves open (which errno, which text) are listed in `expect.recommended`. A case stays
//! recommended only when its outcome itself is inferred, and its `tier_reason` says why.

use super::{Report, SpecFile, case_path, listing};
use crate::spec::model::{ExpectKey, SourceKind, Tier};
use crate::spec::provenance;

/// Every expectation key, for messages and the "all lowered" check.
const ALL_KEYS: [ExpectKey; 9] = ExpectKey::ALL;

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
        let Some(kind) = spec.source_kind(&case.source).filter(|k| !k.is_document()) else {
            continue;
        };
        report.value(
            &case_path(i).key("source"),
            format!(
                "case `{}` is required, but its only source `{}` is {}; lower the uncertain parts (`expect.recommended`) and say in `tier_reason` why the rest is certain",
                case.id,
                case.source,
                kind.describe()
            ),
        );
    }
}

pub(super) fn fact_tier_reason(report: &mut Report<'_>, file: &SpecFile<'_>) {
    let spec = file.spec;
    for fact in provenance::facts(spec) {
        let Some(reason) = fact.tier_reason else {
            continue;
        };
        if reason.trim().is_empty() {
            report.value(
                &fact.reason_path,
                format!("{}: `tier_reason` is empty", fact.what),
            );
        } else if spec.source_kind(fact.source) == Some(SourceKind::Document) {
            report.key(
                &fact.reason_path,
                format!(
                    "{}: `tier_reason` is only for a source that is no platform document, and `{}` is one",
                    fact.what, fact.source
                ),
            );
        }
    }
}

pub(super) fn msg_source(report: &mut Report<'_>, file: &SpecFile<'_>) {
    for (shapes, at, what, _) in provenance::result_shapes(file.spec) {
        if (shapes.ok_msg.is_some() || shapes.fail_msg_prefix.is_some())
            && shapes.msg_source.is_none()
        {
            report.key(
                &at.key(if shapes.fail_msg_prefix.is_some() {
                    "fail_msg_prefix"
                } else {
                    "ok_msg"
                }),
                format!(
                    "{what}: the message form has no `msg_source` (where the prefix comes from)"
                ),
            );
        }
    }
}
