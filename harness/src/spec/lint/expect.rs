//! Rules about what cases expect.

use super::{Report, SpecFile, case_path, case_platform, listing};
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
        if let Some(api) = file.spec.apis.get(&case.api)
            && api.result.errno_field.is_none()
        {
            report.key(
                &path,
                format!(
                    "case `{}`: api `{}` has no errno_field, so there is no errno to expect; check err_msg instead",
                    case.id, case.api
                ),
            );
        }
    }
}

/// The OS a case runs on, if the case or the spec's defaults say.
fn case_os(spec: &Spec, case: &Case) -> Option<Os> {
    case.env.os.or(spec.defaults.os)
}

pub(super) fn errno_known(report: &mut Report<'_>, file: &SpecFile<'_>) {
    let spec = file.spec;
    for (i, case) in spec.cases.iter().enumerate() {
        let (Some(errno), Some(api)) = (case.expect.errno, spec.apis.get(&case.api)) else {
            continue;
        };
        let path = case_path(i).key("expect").key("errno");
        let platform = case_platform(spec, case);
        let same_code: Vec<&ErrorCode> = api.errors.iter().filter(|e| e.code == errno).collect();
        if same_code.is_empty() {
            let mut codes: Vec<i64> = api.errors.iter().map(|e| e.code).collect();
            codes.sort_unstable();
            codes.dedup();
            report.value(
                &path,
                format!(
                    "case `{}`: errno {errno} is not in the error table of api `{}` (codes: {})",
                    case.id,
                    case.api,
                    listing(codes)
                ),
            );
            continue;
        }
        let on_platform: Vec<&&ErrorCode> = same_code
            .iter()
            .filter(|e| e.only_on.is_empty() || e.only_on.contains(&platform))
            .collect();
        if on_platform.is_empty() {
            let listed: Vec<_> = same_code.iter().flat_map(|e| e.only_on.iter()).collect();
            report.value(
                &path,
                format!(
                    "case `{}`: errno {errno} of api `{}` is listed only for {}, but the case runs as `{platform}`",
                    case.id,
                    case.api,
                    listing(listed)
                ),
            );
            continue;
        }
        if let Some(os) = case_os(spec, case).filter(|os| *os != Os::Any)
            && !on_platform.iter().any(|e| e.os == Os::Any || e.os == os)
        {
            let listed: Vec<&str> = on_platform.iter().map(|e| os_name(e.os)).collect();
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
        let Some(api) = spec.apis.get(&case.api) else {
            continue;
        };
        let (shape_name, shape) = match case.expect.outcome {
            Outcome::Success => ("success", &api.result.success),
            Outcome::Fail => ("fail", &api.result.fail),
        };
        let platform = case_platform(spec, case);
        for (name, check) in &case.expect.fields {
            let path = case_path(i).key("expect").key("fields").key(name);
            match shape.iter().find(|f| &f.name == name) {
                None => report.key(
                    &path,
                    format!(
                        "case `{}`: `{name}` is not a field of the {shape_name} result of api `{}` (fields: {})",
                        case.id,
                        case.api,
                        listing(shape.iter().map(|f| &f.name))
                    ),
                ),
                Some(field)
                    if field.unsupported_on.contains(&platform) && check.absent != Some(true) =>
                {
                    report.key(
                        &path,
                        format!(
                            "case `{}`: field `{name}` is unsupported on `{platform}`; only `absent: true` can be checked",
                            case.id
                        ),
                    )
                }
                Some(_) => {}
            }
        }
    }
}
