//! Rules about error tables.
//!
//! A case listed under an error code must exist, be a case of that api, expect outcome fail
//! and, when the api has an `errno_field`, expect exactly that errno. For apis without an
//! errno field (errors told apart by message only) failing is enough.

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
                if case.api != key {
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
                } else if api.result.errno_field.is_some() && case.expect.errno != Some(code) {
                    let got = case
                        .expect
                        .errno
                        .map_or("no errno".to_string(), |e| format!("errno {e}"));
                    report.value(
                        &path,
                        format!("error {code} lists case `{id}`, which expects {got}"),
                    );
                }
            }
        }
    }
}
