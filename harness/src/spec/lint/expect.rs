//! Rules about what cases expect.
//!
//! A case of a variant sees the variant's own result shapes for its api when the variant
//! declares them, and the error entries marked with its `variant` when there are any (else
//! the spec's own entries); other cases see the api's shapes and the unmarked entries.

use super::{Report, SpecFile, case_path, case_platform, case_shapes, listing};
use crate::spec::model::{Case, ErrorCode, Os, Outcome, Spec};

pub(super) fn errno_allowed(report: &mut Report<'_>, file: &SpecFile<'_>) {
    for (i, case) in file.spec.cases.iter().enumerate() {
        if case.expect.errno.is_none() {
            continue;
        }
        let path = case_path(i).key("expect").key("errno");
        if case.expect.outcome != Outcome::Fail {
            report.key(
                &path,
                format!("case `{}`: expect.errno needs outcome fail", case.id),
            );
        }
        if let Some(shapes) = case_shapes(file.spec, case)
            && shapes.errno_field.is_none()
        {
            report.key(
                &path,
                format!(
                    "case `{}`: the fail result of api `{}` on `{}` has no errno_field, so there is no errno to expect; check err_msg instead",
                    case.id,
                    case.api,
                    case_platform(file.spec, case)
                ),
            );
        }
    }
}

/// The OS a case runs on, if the case or the spec's defaults say.
fn case_os(spec: &Spec, case: &Case) -> Option<Os> {
    case.env.os.or(spec.defaults.os)
}

/// The error entries a case of this api sees (see the module comment).
pub(super) fn entries_for<'s>(errors: &'s [ErrorCode], case: &Case) -> Vec<&'s ErrorCode> {
    let own: Vec<&ErrorCode> = errors
        .iter()
        .filter(|e| e.variant.is_some() && e.variant == case.variant)
        .collect();
    if !own.is_empty() {
        return own;
    }
    errors.iter().filter(|e| e.variant.is_none()).collect()
}

pub(super) fn errno_known(report: &mut Report<'_>, file: &SpecFile<'_>) {
    let spec = file.spec;
    for (i, case) in spec.cases.iter().enumerate() {
        let (Some(errno), Some(api)) = (case.expect.errno, spec.apis.get(&case.api)) else {
            continue;
        };
        let path = case_path(i).key("expect").key("errno");
        let platform = case_platform(spec, case);
        let seen = entries_for(&api.errors, case);
        let same_code: Vec<&&ErrorCode> = seen.iter().filter(|e| e.code == errno).collect();
        if same_code.is_empty() {
            let elsewhere: Vec<String> = api
                .errors
                .iter()
                .filter(|e| e.code == errno)
                .map(|e| {
                    e.variant
                        .map_or(spec.platform.to_string(), |v| v.to_string())
                })
                .collect();
            let message = if elsewhere.is_empty() {
                let mut codes: Vec<i64> = seen.iter().map(|e| e.code).collect();
                codes.sort_unstable();
                codes.dedup();
                format!(
                    "case `{}`: errno {errno} is not in the error table of api `{}` (codes on `{platform}`: {})",
                    case.id,
                    case.api,
                    listing(codes)
                )
            } else {
                format!(
                    "case `{}`: errno {errno} of api `{}` is listed for {}, but the case runs as `{platform}`",
                    case.id,
                    case.api,
                    listing(elsewhere)
                )
            };
            report.value(&path, message);
            continue;
        }
        if let Some(os) = case_os(spec, case).filter(|os| *os != Os::Any)
            && !same_code.iter().any(|e| e.os == Os::Any || e.os == os)
        {
            let listed: Vec<&str> = same_code.iter().map(|e| os_name(e.os)).collect();
            report.value(
                &path,
                format!(
                    "case `{}`: errno {errno} is listed only for os {}, but the case runs on `{}`",
                    case.id,
                    listing(listed),
                    os_name(os)
                ),
            );
        }
    }
}

fn os_name(os: Os) -> &'static str {
    match os {
        Os::Any => "any",
        Os::Android => "android",
        Os::Ios => "ios",
        Os::Pc => "pc",
    }
}

pub(super) fn fields_known(report: &mut Report<'_>, file: &SpecFile<'_>) {
    let spec = file.spec;
    for (i, case) in spec.cases.iter().enumerate() {
        let (Some(api), Some(shapes)) = (spec.apis.get(&case.api), case_shapes(spec, case)) else {
            continue;
        };
        let outcome = case.expect.outcome;
        let pick = |r: &'_ crate::spec::model::ResultShapes| match outcome {
            Outcome::Success => r.success.clone(),
            Outcome::Fail => r.fail.clone(),
        };
        let shape_name = match outcome {
            Outcome::Success => "success",
            Outcome::Fail => "fail",
        };
        let shape = pick(shapes);
        // Absence may be checked for any field the api has somewhere (the base shape or a variant's).
        let mut anywhere = pick(&api.result);
        for v in &spec.variants {
            if let Some(r) = v.results.get(&case.api) {
                anywhere.extend(pick(r));
            }
        }
        let platform = case_platform(spec, case);
        for (name, check) in &case.expect.fields {
            let path = case_path(i).key("expect").key("fields").key(name);
            let absent = check.absent == Some(true);
            match shape.iter().find(|f| &f.name == name) {
                None if absent && anywhere.iter().any(|f| &f.name == name) => {}
                None => report.key(
                    &path,
                    format!(
                        "case `{}`: `{name}` is not a field of the {shape_name} result of api `{}` on `{platform}` (fields: {})",
                        case.id,
                        case.api,
                        listing(shape.iter().map(|f| &f.name))
                    ),
                ),
                Some(field) if field.unsupported_on.contains(&platform) && !absent => report.key(
                    &path,
                    format!(
                        "case `{}`: field `{name}` is unsupported on `{platform}`; only `absent: true` can be checked",
                        case.id
                    ),
                ),
                Some(_) => {}
            }
        }
    }
}
