//! Per-check tiers: which expectation of `expect` a failed check belongs to, and so its tier;
//! and the tier a declared fact's source allows.
//!
//! A check that belongs to no expectation key (callback order, files outside the sandbox, a
//! file left by a failed call, the platform's message prefix, result shapes) takes the case's
//! tier, unless the fact it rests on (a field's type or promise, a message prefix, a path
//! prefix) comes from a source that is not a platform document: then the family lowers it to
//! recommended ([`of_source`]), and [`assign`] keeps that.

use std::collections::BTreeMap;

use crate::spec::model::{Expect, ExpectKey, Source, SourceKind, Tier, source_kind};
use crate::verdict::CheckFailure;

/// The tier a fact resting on `reference` may have: required only when it names a platform's
/// own document, or when `tier_reason` says why another kind is enough. An unknown source
/// (lint reports it) allows recommended only.
pub fn of_source(
    sources: &BTreeMap<String, Source>,
    reference: &str,
    tier_reason: Option<&str>,
) -> Tier {
    match source_kind(sources, reference) {
        Some(SourceKind::Document) => Tier::Required,
        Some(_) if tier_reason.is_some_and(|r| !r.trim().is_empty()) => Tier::Required,
        _ => Tier::Recommended,
    }
}

/// The lower of two tiers.
pub fn lower(a: Tier, b: Tier) -> Tier {
    a.max(b)
}

/// How a check id is matched: the whole id, or the family before a `.`.
enum Pattern {
    Exact(&'static str),
    Family(&'static str),
}

/// Check ids per expectation key. Ids not listed keep the case's tier.
const KEYS: &[(Pattern, ExpectKey)] = &[
    (Pattern::Exact("outcome"), ExpectKey::Outcome),
    (Pattern::Exact("errno"), ExpectKey::Errno),
    (Pattern::Exact("outcome.errno"), ExpectKey::Errno),
    (Pattern::Exact("errMsg"), ExpectKey::ErrMsg),
    (Pattern::Exact("err-msg"), ExpectKey::ErrMsg),
    (Pattern::Exact("outcome.err-msg"), ExpectKey::ErrMsg),
    (Pattern::Family("fields"), ExpectKey::Fields),
    (Pattern::Exact("file.written"), ExpectKey::File),
    (Pattern::Exact("file.at"), ExpectKey::File),
    (Pattern::Exact("file.size"), ExpectKey::File),
    (Pattern::Exact("file.matches-body"), ExpectKey::File),
    (Pattern::Exact("file.which"), ExpectKey::File),
    (Pattern::Family("progress"), ExpectKey::Progress),
    (
        Pattern::Exact("headers-received"),
        ExpectKey::HeadersReceived,
    ),
    (
        Pattern::Family("headers-received"),
        ExpectKey::HeadersReceived,
    ),
    (Pattern::Family("server"), ExpectKey::Server),
    (Pattern::Family("timing"), ExpectKey::Timing),
];

/// The expectation key a check id belongs to, if any.
pub fn expect_key(check: &str) -> Option<ExpectKey> {
    KEYS.iter()
        .find(|(pattern, _)| match pattern {
            Pattern::Exact(id) => check == *id,
            Pattern::Family(family) => check
                .strip_prefix(family)
                .is_some_and(|rest| rest.starts_with('.')),
        })
        .map(|(_, key)| *key)
}

/// The tier of one failed check in a case of tier `case_tier`.
pub fn tier_of(expect: &Expect, case_tier: Tier, check: &str) -> Tier {
    match expect_key(check) {
        Some(key) => expect.tier_of(key, case_tier),
        None => case_tier,
    }
}

/// Give every failure its tier; call once, after every check family has run. A family may
/// have lowered a check to recommended already (`task.threw` of a method the spec does not
/// declare): that stays.
pub fn assign(
    expect: &Expect,
    case_tier: Tier,
    mut failures: Vec<CheckFailure>,
) -> Vec<CheckFailure> {
    for failure in &mut failures {
        if failure.tier != Tier::Recommended {
            failure.tier = tier_of(expect, case_tier, &failure.check);
        }
    }
    failures
}
