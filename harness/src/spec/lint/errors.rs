//! Rules about error tables.
//!
//! A case listed under an error code exercises it: the case must exist, be a case of that
//! api (and of the error's `variant`, if it has one) and expect outcome fail; if it asserts
//! an errno, that errno must be the code. It must pin the code (`expect.errno`), so coverage
//! is something a run can check; where the documents leave open which code a failure gives,
//! the entry's `unpinned` says why its cases check the message only.

use super::cases::apis;
use super::{Report, SpecFile, listing};
use crate::spec::model::Outcome;

pub(super) fn coverage(report: &mut Report<'_>, file: &SpecFile<'_>) {
    let spec = file.spec;
    for (key, api, api_path) in apis(spec) {
        for (j, error) in api.errors.iter().enumerate() {
            let path = api_path.key("errors").index(j);
            let code = error.code;
            match (&error.untestable, error.cases.is_empty()) {
                (Some(reason), _) if reason.trim().is_empty() => report.value(
                    &path.key("untestable"),
                    format!("error {code}: `untestable` needs a reason"),
                ),
                (Some(_), false) => report.key(
                    &path.key("untestable"),
                    format!("error {code}: lists cases and is marked untestable; keep one"),
                ),
                (None, true) => {
                    let expecting: Vec<&str> = spec
                        .cases
                        .iter()
                        .filter(|c| c.api == key && c.expect.errno == Some(code))
                        .map(|c| c.id.as_str())
                        .collect();
                    let hint = if expecting.is_empty() {
                        String::new()
                    } else {
                        format!(" (cases expecting it: {})", listing(expecting))
                    };
                    report.value(
                        &path,
                        format!(
                            "error {code} of api `{key}` has no `cases` and no `untestable` reason{hint}"
                        ),
                    );
                }
                _ => {}
            }
        }
    }
}

pub(super) fn case_refs(report: &mut Report<'_>, file: &SpecFile<'_>) {
    let spec = file.spec;
    for (key, api, api_path) in apis(spec) {
        for (j, error) in api.errors.iter().enumerate() {
            let code = error.code;
            for (k, id) in error.cases.iter().enumerate() {
                let path = api_path.key("errors").index(j).key("cases").index(k);
                let Some(case) = spec.cases.iter().find(|c| &c.id == id) else {
                    let stripped = id.strip_prefix(&format!("{}/", spec.platform));
                    let hint = match stripped {
                        Some(rest) => format!(" (case ids here go without the platform: `{rest}`)"),
                        None => String::new(),
                    };
                    report.value(
                        &path,
                        format!("error {code} lists case `{id}`, which does not exist{hint}"),
                    );
                    continue;
                };
                if let Some(v) = error.variant
                    && case.variant != Some(v)
                {
                    report.value(
                        &path,
                        format!(
                            "error {code} of variant `{v}` lists case `{id}`, which runs as `{}`",
                            case.variant.unwrap_or(spec.platform)
                        ),
                    );
                } else if case.api != key {
                    report.value(
                        &path,
                        format!(
                            "error {code} of api `{key}` lists case `{id}`, which calls api `{}`",
                            case.api
                        ),
                    );
                } else if case.expect.outcome != Outcome::Fail {
                    report.value(
                        &path,
                        format!("error {code} lists case `{id}`, which expects success"),
                    );
                } else if let Some(other) = case.expect.errno.filter(|e| *e != code) {
                    report.value(
                        &path,
                        format!("error {code} lists case `{id}`, which expects errno {other}"),
                    );
                }
            }
        }
    }
}

pub(super) fn pinned(report: &mut Report<'_>, file: &SpecFile<'_>) {
    let spec = file.spec;
    for (_, api, api_path) in apis(spec) {
        for (j, error) in api.errors.iter().enumerate() {
            let code = error.code;
            let path = api_path.key("errors").index(j);
            let listed: Vec<(usize, &crate::spec::model::Case)> = error
                .cases
                .iter()
                .enumerate()
                .filter_map(|(k, id)| spec.cases.iter().find(|c| &c.id == id).map(|c| (k, c)))
                .collect();
            match error.unpinned.as_deref().map(str::trim) {
                Some("") => report.value(
                    &path.key("unpinned"),
                    format!("error {code}: `unpinned` needs a reason"),
                ),
                Some(_)
                    if !listed.is_empty()
                        && listed.iter().all(|(_, c)| c.expect.errno == Some(code)) =>
                {
                    report.key(
                        &path.key("unpinned"),
                        format!("error {code}: every listed case pins the code; drop `unpinned`"),
                    )
                }
                Some(_) => {}
                None => {
                    // A case that expects success is `error-case-ref`'s to report.
                    let unpinned = listed.iter().filter(|(_, c)| {
                        c.expect.outcome == Outcome::Fail && c.expect.errno.is_none()
                    });
                    for (k, case) in unpinned {
                        report.value(
                            &path.key("cases").index(*k),
                            format!(
                                "error {code} lists case `{}`, which pins no errno; pin {code} in its expect or say in `unpinned` why not",
                                case.id
                            ),
                        );
                    }
                }
            }
        }
    }
}
