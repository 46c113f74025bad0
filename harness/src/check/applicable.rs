//! Not applicable: which checks and cases need a platform capability (the `lacks` vocabulary of
//! harness/PROTOCOL.md), so that a candidate whose runtime declared it missing is judged on the
//! rest. What needs a missing capability is listed, never dropped and never passed.

use crate::check::file::PATH_FIELDS;
use crate::check::{CheckInput, Verdicts};
use crate::protocol::Capability;
use serde_json::Value;

use crate::spec::model::{
    ActionKind, ApiSpec, Case, FieldCheck, Outcome, ResultShapes, TaskMethod,
};
use crate::spec::version::DottedVersion;
use crate::verdict::{CheckFailure, NotApplicable};

/// Hosts of the mock server: a domain list naming neither refuses every case URL.
const SERVER_HOSTS: [&str; 2] = ["127.0.0.1", "localhost"];

/// The capability a check id needs whatever it compares, if any: the file checks (but
/// `file.outside`, which holds for any runtime).
pub fn needs(check: &str) -> Option<Capability> {
    (check.starts_with("file.") && check != "file.outside").then_some(Capability::Files)
}

/// Whether a failed check needs files: a file check, or the value of a result field naming a
/// platform path (its prefix or value; its presence and type hold for any runtime).
fn needs_files(input: &CheckInput<'_>, failure: &CheckFailure) -> bool {
    if needs(&failure.check).is_some() {
        return true;
    }
    let Some(expected) = path_field(input, &failure.check) else {
        return false;
    };
    let prefix = expected
        .prefix
        .as_ref()
        .map(|p| Value::String(format!("{}...", input.templates.expand_str(p))));
    let equals = expected.equals.as_ref().map(|e| input.templates.expand(e));
    Some(&failure.expected) == prefix.as_ref() || Some(&failure.expected) == equals.as_ref()
}

/// The expectation of a path field (`fields.tempFilePath`...) that compares its value.
fn path_field<'i>(input: &CheckInput<'i>, check: &str) -> Option<&'i FieldCheck> {
    let name = check.strip_prefix("fields.")?;
    let expected = input.expect.fields.get(name)?;
    (PATH_FIELDS.contains(&name) && (expected.prefix.is_some() || expected.equals.is_some()))
        .then_some(expected)
}

fn entry(check: &str, capability: Capability, reason: impl Into<String>) -> NotApplicable {
    NotApplicable {
        check: check.to_string(),
        capability: capability.name().to_string(),
        reason: reason.into(),
    }
}

/// Take out of `verdicts` the checks that need a capability in `lacks`, and list as not
/// applicable every expectation of the case that needs one, failed or not. A check taken out is
/// no longer judged, unless a failure kept still carries its id (a path field of the wrong type).
pub fn split(
    input: &CheckInput<'_>,
    verdicts: Verdicts,
    lacks: &[Capability],
) -> (Verdicts, Vec<NotApplicable>) {
    let (judged, failures) = verdicts.into_parts();
    let mut kept = Vec::new();
    let mut not_applicable = Vec::new();
    let lacks_files = lacks.contains(&Capability::Files);
    for failure in failures {
        match (lacks_files && needs_files(input, &failure)).then_some(Capability::Files) {
            Some(capability) => not_applicable.push(entry(
                &failure.check,
                capability,
                format!(
                    "needs {}; the candidate lacks `{}` (would have failed: {})",
                    what(capability),
                    capability.name(),
                    failure.message
                ),
            )),
            None => kept.push(failure),
        }
    }
    if lacks_files {
        let listed = |id: &str| not_applicable.iter().any(|n: &NotApplicable| n.check == id);
        let mut unjudged = Vec::new();
        if input.expect.file.is_some()
            && !not_applicable.iter().any(|n| n.check.starts_with("file."))
        {
            unjudged.push("file".to_string());
        }
        for name in input.expect.fields.keys() {
            let id = format!("fields.{name}");
            if path_field(input, &id).is_some() && !listed(&id) {
                unjudged.push(id);
            }
        }
        for id in unjudged {
            not_applicable.push(entry(
                &id,
                Capability::Files,
                format!(
                    "not judged: needs {}; the candidate lacks `files`",
                    what(Capability::Files)
                ),
            ));
        }
    }
    let made_not_applicable = |id: &str| {
        needs(id).is_some_and(|c| lacks.contains(&c))
            || not_applicable.iter().any(|n| n.check == id)
    };
    let judged = judged
        .into_iter()
        .filter(|id| !made_not_applicable(id) || kept.iter().any(|f| f.check == *id))
        .collect();
    let verdicts = Verdicts {
        judged,
        failures: kept,
    };
    (verdicts, not_applicable)
}

fn what(capability: Capability) -> &'static str {
    match capability {
        Capability::Files => "a file written to a platform path",
        Capability::DomainList => "a runtime that enforces the domain list",
        Capability::SdkVersion => "behaviour gated by base-library version",
        Capability::HostEvents => "host events delivered to the runtime",
        Capability::HostEventOffline => "the offline host event delivered to the runtime",
        Capability::HostEventNetworkChange => {
            "the network-change host event delivered to the runtime"
        }
        Capability::HostEventBackground => "the background host event delivered to the runtime",
        Capability::OffProgressUpdate => "the task's offProgressUpdate",
        Capability::OffHeadersReceived => "the task's offHeadersReceived",
    }
}

/// What the case is about besides the call itself, for [`premise`].
#[derive(Debug, Clone, Copy)]
pub struct Premise<'a> {
    /// The case.
    pub case: &'a Case,
    /// Its API.
    pub api: Option<&'a ApiSpec>,
    /// The result shapes it is judged with.
    pub shapes: Option<&'a ResultShapes>,
    /// The base-library version it runs as.
    pub sdk_version: &'a str,
    /// It runs as a variant (Alipay in the WeChat spec), whose versions are not the ones the
    /// spec's parameters and limits are versioned by.
    pub variant: bool,
}

/// The capabilities in `lacks` the case's premise needs (it exists to test a domain refusal,
/// a version gate, a host event, or files in the sandbox); non-empty: the case is `N/A`.
pub fn premise(premise: &Premise<'_>, lacks: &[Capability]) -> Vec<NotApplicable> {
    let mut out = Vec::new();
    for capability in lacks {
        if let Some(reason) = needed_by_case(premise, *capability) {
            out.push(entry(
                "case",
                *capability,
                format!("{reason}, which needs {}", what(*capability)),
            ));
        }
    }
    out
}

fn needed_by_case(premise: &Premise<'_>, capability: Capability) -> Option<String> {
    let case = premise.case;
    match capability {
        // A filePath the case expects refused (leaving the sandbox, a missing folder, a full
        // quota) must fail on any runtime: such a case runs, and only its file checks are N/A.
        Capability::Files => {
            if !case.env.files.is_empty() {
                return Some("the call reads files placed in the sandbox".into());
            }
            (case.env.user_quota_bytes.is_some() && case.expect.outcome != Outcome::Fail)
                .then(|| "the case limits the user folder's quota".into())
        }
        Capability::DomainList => {
            let list = case.env.domains.as_ref()?;
            let refused = !list.iter().any(|d| SERVER_HOSTS.contains(&d.as_str()));
            (refused && case.expect.outcome == Outcome::Fail)
                .then(|| format!("the case expects a refusal by the domain list {list:?}"))
        }
        Capability::SdkVersion => version_gate(premise),
        Capability::HostEvents
        | Capability::HostEventOffline
        | Capability::HostEventNetworkChange
        | Capability::HostEventBackground => case
            .call
            .actions
            .iter()
            .find_map(|a| match &a.what {
                ActionKind::Inject(event) if capability.covers_host_event(*event) => Some(event),
                _ => None,
            })
            .map(|event| {
                let name = serde_json::to_value(event)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                format!("the case injects the host event `{name}`")
            }),
        Capability::OffProgressUpdate | Capability::OffHeadersReceived => case
            .call
            .actions
            .iter()
            .find_map(|a| {
                a.what
                    .off_event()
                    .filter(|e| Capability::off(*e) == capability)
            })
            .map(|event| {
                format!(
                    "the case removes its {} listener with {}()",
                    event.name(),
                    event.off_method()
                )
            }),
    }
}

/// Why a case that sets its own base-library version depends on that version being older than
/// something the spec versions: a parameter it passes, a body limit's range (neither for a
/// variant), a field it expects absent.
fn version_gate(premise: &Premise<'_>) -> Option<String> {
    let case = premise.case;
    case.env.sdk_version.as_ref()?;
    let runs_as = DottedVersion::parse(premise.sdk_version)?;
    let newer = |v: &crate::spec::model::Version| v.parsed().is_some_and(|v| v > runs_as);
    let api = premise.api?;
    if premise.variant {
        return version_gate_fields(premise, &runs_as);
    }
    if let Some(method) = gated_method(case, api, &newer) {
        return Some(format!(
            "the task's `{}` is there since {}; the case runs as {}",
            method.name,
            method
                .since
                .as_ref()
                .map(|v| v.0.as_str())
                .unwrap_or_default(),
            premise.sdk_version
        ));
    }
    if let Some(param) = api
        .params
        .iter()
        .find(|p| case.call.args.contains_key(&p.name) && p.since.as_ref().is_some_and(newer))
    {
        return Some(format!(
            "`{}` is accepted since {}; the case runs as {}",
            param.name,
            param
                .since
                .as_ref()
                .map(|v| v.0.as_str())
                .unwrap_or_default(),
            premise.sdk_version
        ));
    }
    if let Some(limit) = api
        .limits
        .max_body_bytes
        .iter()
        .find(|l| l.until.as_ref().is_some_and(newer))
    {
        return Some(format!(
            "the body limit of {} bytes holds before {}; the case runs as {}",
            limit.bytes,
            limit
                .until
                .as_ref()
                .map(|v| v.0.as_str())
                .unwrap_or_default(),
            premise.sdk_version
        ));
    }
    version_gate_fields(premise, &runs_as)
}

/// A task method the case uses or expects (an `abort` or `off` action, the progress or
/// headersReceived events it judges) that the spec gives only from a later version.
fn gated_method<'a>(
    case: &Case,
    api: &'a ApiSpec,
    newer: &dyn Fn(&crate::spec::model::Version) -> bool,
) -> Option<&'a TaskMethod> {
    let task = api.task.as_ref()?;
    let mut used = Vec::new();
    if case.expect.headers_received.is_some() {
        used.push("onHeadersReceived");
    }
    if case.expect.progress.is_some() {
        used.push("onProgressUpdate");
    }
    used.extend(
        case.call
            .actions
            .iter()
            .filter_map(|a| a.what.task_method()),
    );
    task.methods
        .iter()
        .find(|m| used.contains(&m.name.as_str()) && m.since.as_ref().is_some_and(newer))
}

/// A result field the case expects absent that its result shapes give only from a later
/// version: the shapes are the variant's own, so this holds for variants too.
fn version_gate_fields(premise: &Premise<'_>, runs_as: &DottedVersion) -> Option<String> {
    let case = premise.case;
    let newer = |v: &crate::spec::model::Version| v.parsed().is_some_and(|v| v > *runs_as);
    let shapes = premise.shapes?;
    let absent = |name: &str| {
        case.expect
            .fields
            .get(name)
            .is_some_and(|f| f.absent == Some(true))
    };
    shapes
        .success
        .iter()
        .chain(&shapes.fail)
        .find(|f| absent(&f.name) && f.since.as_ref().is_some_and(newer))
        .map(|f| {
            format!(
                "`{}` is there since {}; the case runs as {} and expects it absent",
                f.name,
                f.since.as_ref().map(|v| v.0.as_str()).unwrap_or_default(),
                premise.sdk_version
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_checks_need_files_but_outside() {
        assert_eq!(needs("file.matches-body"), Some(Capability::Files));
        assert_eq!(needs("file.at"), Some(Capability::Files));
        assert_eq!(needs("file.outside"), None);
        assert_eq!(needs("fields.tempFilePath"), None);
        assert_eq!(needs("outcome"), None);
        assert_eq!(needs("task.threw"), None);
    }
}
