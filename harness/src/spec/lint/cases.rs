//! Rules about the case table.

use std::collections::HashMap;

use mock_server::Fault;

use super::{Report, SpecFile, case_path, listing};
use crate::spec::locate::YamlPath;
use crate::spec::model::{ApiSpec, Platform, Spec, Trigger};

/// First segment of a case id: the API area.
const AREAS: [&str; 3] = ["download", "upload", "file-get"];

/// Templates call args and expectations may use.
const TEMPLATES: [&str; 6] = ["url", "origin", "base", "case_origin", "temp", "user"];

pub(super) fn id_unique(report: &mut Report<'_>, file: &SpecFile<'_>) {
    let mut first: HashMap<&str, usize> = HashMap::new();
    for (i, case) in file.spec.cases.iter().enumerate() {
        if let Some(&j) = first.get(case.id.as_str()) {
            let line = file.index.value(&case_path(j).key("id")).line;
            report.value(
                &case_path(i).key("id"),
                format!(
                    "case id `{}` is already used by cases[{j}] (line {line})",
                    case.id
                ),
            );
        } else {
            first.insert(&case.id, i);
        }
    }
}

pub(super) fn id_format(report: &mut Report<'_>, file: &SpecFile<'_>) {
    for (i, case) in file.spec.cases.iter().enumerate() {
        let id = case.id.as_str();
        let path = case_path(i).key("id");
        if let Some(bad) = id.split('/').find(|s| !is_kebab(s)) {
            report.value(
                &path,
                format!(
                    "case id `{id}`: segment `{bad}` is not kebab-case (lower-case letters and digits joined by single `-`, segments joined by `/`)"
                ),
            );
            continue;
        }
        let area = id.split('/').next().unwrap_or("");
        if !AREAS.contains(&area) {
            let hint = if Platform::from_name(area).is_some() {
                " (drop the platform prefix: the full id adds it)"
            } else {
                ""
            };
            report.value(
                &path,
                format!(
                    "case id `{id}` must start with an API area: {}{hint}",
                    listing(AREAS)
                ),
            );
        } else if !id.contains('/') {
            report.value(
                &path,
                format!("case id `{id}` needs a segment after the area"),
            );
        }
    }
}

fn is_kebab(segment: &str) -> bool {
    !segment.is_empty()
        && segment.split('-').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

pub(super) fn api_exists(report: &mut Report<'_>, file: &SpecFile<'_>) {
    for (i, case) in file.spec.cases.iter().enumerate() {
        if !file.spec.apis.contains_key(&case.api) {
            report.value(
                &case_path(i).key("api"),
                format!(
                    "case `{}`: api `{}` is not in `apis` (known: {})",
                    case.id,
                    case.api,
                    listing(file.spec.apis.keys())
                ),
            );
        }
    }
}

pub(super) fn variant_declared(report: &mut Report<'_>, file: &SpecFile<'_>) {
    let spec = file.spec;
    let declared: Vec<Platform> = spec.variants.iter().map(|v| v.platform).collect();
    for (i, case) in spec.cases.iter().enumerate() {
        if let Some(v) = case.variant
            && !declared.contains(&v)
        {
            report.value(
                &case_path(i).key("variant"),
                format!(
                    "case `{}`: variant `{v}` is not declared in `variants` (declared: {})",
                    case.id,
                    listing(&declared)
                ),
            );
        }
    }
    let known = |p: &Platform| *p == spec.platform || declared.contains(p);
    for (_, api, path) in apis(spec) {
        let mut lists: Vec<(YamlPath, &[Platform])> = Vec::new();
        for (j, p) in api.params.iter().enumerate() {
            lists.push((
                path.key("params").index(j).key("unsupported_on"),
                &p.unsupported_on,
            ));
        }
        for (shape, fields) in [("success", &api.result.success), ("fail", &api.result.fail)] {
            for (j, f) in fields.iter().enumerate() {
                lists.push((
                    path.key("result").key(shape).index(j).key("unsupported_on"),
                    &f.unsupported_on,
                ));
            }
        }
        for (list_path, platforms) in lists {
            for (k, p) in platforms.iter().enumerate() {
                if !known(p) {
                    report.value(
                        &list_path.index(k),
                        format!(
                            "platform `{p}` is neither this spec's platform `{}` nor a declared variant",
                            spec.platform
                        ),
                    );
                }
            }
        }
        for (j, e) in api.errors.iter().enumerate() {
            if let Some(v) = e.variant
                && !declared.contains(&v)
            {
                report.value(
                    &path.key("errors").index(j).key("variant"),
                    format!(
                        "error {}: variant `{v}` is not declared in `variants` (declared: {})",
                        e.code,
                        listing(&declared)
                    ),
                );
            }
        }
    }
    for (i, variant) in spec.variants.iter().enumerate() {
        for key in variant.results.keys() {
            if !spec.apis.contains_key(key) {
                report.key(
                    &YamlPath::root()
                        .key("variants")
                        .index(i)
                        .key("results")
                        .key(key),
                    format!(
                        "variant `{}`: results for api `{key}`, which is not in `apis` (known: {})",
                        variant.platform,
                        listing(spec.apis.keys())
                    ),
                );
            }
        }
    }
}

pub(super) fn call_count(report: &mut Report<'_>, file: &SpecFile<'_>) {
    for (i, case) in file.spec.cases.iter().enumerate() {
        if case.call.count < 1 {
            report.value(
                &case_path(i).key("call").key("count"),
                format!("case `{}`: call.count must be at least 1", case.id),
            );
        }
    }
}

pub(super) fn call_omit(report: &mut Report<'_>, file: &SpecFile<'_>) {
    for (i, case) in file.spec.cases.iter().enumerate() {
        let Some(api) = file.spec.apis.get(&case.api) else {
            continue;
        };
        for (k, name) in case.call.omit.iter().enumerate() {
            let path = case_path(i).key("call").key("omit").index(k);
            if !api.params.iter().any(|p| &p.name == name) {
                report.value(
                    &path,
                    format!(
                        "case `{}`: `{name}` is not a parameter of api `{}` (parameters: {})",
                        case.id,
                        case.api,
                        listing(api.params.iter().map(|p| &p.name))
                    ),
                );
            } else if case.call.args.contains_key(name) {
                report.value(
                    &path,
                    format!(
                        "case `{}`: `{name}` is both omitted and given in `call.args`",
                        case.id
                    ),
                );
            }
        }
    }
}

pub(super) fn watch_window(report: &mut Report<'_>, file: &SpecFile<'_>) {
    for (i, case) in file.spec.cases.iter().enumerate() {
        let Some(watch) = case.call.watch_ms else {
            continue;
        };
        // A window that closes before the call's timer fires cannot see that timer.
        let timeout = case
            .call
            .args
            .get("timeout")
            .and_then(serde_json::Value::as_f64);
        if let Some(timeout) = timeout.filter(|t| *t >= watch as f64) {
            report.value(
                &case_path(i).key("call").key("watch_ms"),
                format!(
                    "case `{}`: call.watch_ms ({watch}) must be longer than the call's timeout ({timeout}), with a margin",
                    case.id
                ),
            );
        }
    }
}

/// An action that calls a task method (`abort`, `off`) needs the api's task, when it declares
/// one, to list the method, from a version the case runs on; `at: completed` only calls a task method (a host
/// event after the call ended is ignored by every candidate, so it would test nothing).
pub(super) fn action_method(report: &mut Report<'_>, file: &SpecFile<'_>) {
    let spec = file.spec;
    for (i, case) in spec.cases.iter().enumerate() {
        let task = spec.apis.get(&case.api).and_then(|a| a.task.as_ref());
        let runs_as = case
            .env
            .sdk_version
            .as_ref()
            .or(spec.defaults.sdk_version.as_ref())
            .and_then(|v| v.parsed());
        for (j, action) in case.call.actions.iter().enumerate() {
            let path = case_path(i).key("call").key("actions").index(j);
            let Some(method) = action.what.task_method() else {
                if action.at == Trigger::Completed {
                    report.value(
                        &path.key("at"),
                        format!(
                            "case `{}`: `at: completed` sends the action after the call ended, where only a task method means anything; a host event then is ignored",
                            case.id
                        ),
                    );
                }
                continue;
            };
            // An api that declares no task (a test fixture's bare download) leaves its methods
            // unsaid: only a declared task is held to its list.
            let Some(task) = task else {
                continue;
            };
            let Some(declared) = task.methods.iter().find(|m| m.name == method) else {
                report.value(
                    &path.key("do"),
                    format!(
                        "case `{}`: the action calls `{method}`, which the task of api `{}` does not declare",
                        case.id, case.api
                    ),
                );
                continue;
            };
            // A variant counts its versions otherwise: only the spec's own platform is gated.
            let since = declared.since.as_ref().and_then(|v| v.parsed());
            if let (None, Some(since), Some(runs_as)) = (case.variant, since, runs_as.as_ref()) {
                if *runs_as < since {
                    report.value(
                        &path.key("do"),
                        format!(
                            "case `{}`: `{method}` is there since {}; the case runs as an older version",
                            case.id,
                            declared.since.as_ref().map(|v| v.0.as_str()).unwrap_or_default()
                        ),
                    );
                }
            }
        }
    }
}

pub(super) fn target_faults(report: &mut Report<'_>, file: &SpecFile<'_>) {
    for (i, case) in file.spec.cases.iter().enumerate() {
        let target = case.server.target;
        if target.listener().is_some() {
            continue;
        }
        let server = case_path(i).key("server");
        if !case.server.faults.is_empty() {
            report.value(
                &server.key("faults"),
                format!(
                    "case `{}`: target `{}` reaches no server, so faults cannot apply; remove them",
                    case.id,
                    target.name()
                ),
            );
        }
        if case.server.feishu.is_some() {
            report.key(
                &server.key("feishu"),
                format!(
                    "case `{}`: target `{}` reaches no server, so a feishu fixture cannot apply",
                    case.id,
                    target.name()
                ),
            );
        }
    }
}

/// Whether an api uploads (its requests carry a multipart body).
pub(crate) fn is_upload_api(key: &str, api: &ApiSpec) -> bool {
    key == "uploadFile"
        || api.name.ends_with(".uploadFile")
        || api.task.as_ref().is_some_and(|t| t.name == "UploadTask")
}

pub(super) fn upload_only(report: &mut Report<'_>, file: &SpecFile<'_>) {
    for (i, case) in file.spec.cases.iter().enumerate() {
        let Some(api) = file.spec.apis.get(&case.api) else {
            continue;
        };
        if is_upload_api(&case.api, api) {
            continue;
        }
        let path = case_path(i);
        if case
            .expect
            .server
            .as_ref()
            .is_some_and(|s| s.upload.is_some())
        {
            report.key(
                &path.key("expect").key("server").key("upload"),
                format!(
                    "case `{}`: expect.server.upload needs an upload api; `{}` does not upload",
                    case.id, case.api
                ),
            );
        }
        for (j, fault) in case.server.faults.iter().enumerate() {
            if matches!(
                fault,
                Fault::UploadResetAfter(_) | Fault::UploadEarly413 | Fault::UploadReadBps(_)
            ) {
                report.value(
                    &path.key("server").key("faults").index(j),
                    format!(
                        "case `{}`: fault `{}` acts on uploads; `{}` does not upload",
                        case.id,
                        fault.name(),
                        case.api
                    ),
                );
            }
        }
    }
}

pub(super) fn templates(report: &mut Report<'_>, file: &SpecFile<'_>) {
    for (i, case) in file.spec.cases.iter().enumerate() {
        let path = case_path(i);
        let mut strings: Vec<(YamlPath, &str)> = Vec::new();
        for (k, v) in &case.call.args {
            collect_strings(path.key("call").key("args").key(k), v, &mut strings);
        }
        for (k, check) in &case.expect.fields {
            let field = path.key("expect").key("fields").key(k);
            if let Some(v) = &check.equals {
                collect_strings(field.key("equals"), v, &mut strings);
            }
            if let Some(p) = &check.prefix {
                strings.push((field.key("prefix"), p));
            }
        }
        if let Some(at) = case.expect.file.as_ref().and_then(|f| f.at.as_deref()) {
            strings.push((path.key("expect").key("file").key("at"), at));
        }
        for (j, f) in case.env.files.iter().enumerate() {
            strings.push((path.key("env").key("files").index(j).key("path"), &f.path));
        }
        for (at, text) in strings {
            for name in template_names(text) {
                if !TEMPLATES.contains(&name) {
                    report.value(
                        &at,
                        format!(
                            "case `{}`: unknown template `{{{{{name}}}}}`; known: {}",
                            case.id,
                            TEMPLATES.map(|t| format!("{{{{{t}}}}}")).join(", ")
                        ),
                    );
                }
            }
        }
    }
}

fn collect_strings<'a>(
    path: YamlPath,
    value: &'a serde_json::Value,
    out: &mut Vec<(YamlPath, &'a str)>,
) {
    match value {
        serde_json::Value::String(s) => out.push((path, s)),
        serde_json::Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                collect_strings(path.index(i), v, out);
            }
        }
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                collect_strings(path.key(k), v, out);
            }
        }
        _ => {}
    }
}

/// Names between `{{` and `}}`, trimmed.
fn template_names(text: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        names.push(after[..end].trim());
        rest = &after[end + 2..];
    }
    names
}

pub(super) fn skip_reason(report: &mut Report<'_>, file: &SpecFile<'_>) {
    for (i, case) in file.spec.cases.iter().enumerate() {
        if case.skip.as_deref().is_some_and(|s| s.trim().is_empty()) {
            report.value(
                &case_path(i).key("skip"),
                format!(
                    "case `{}`: skip needs a reason (why the case cannot run)",
                    case.id
                ),
            );
        }
    }
}

/// Every api with its key and path.
pub(super) fn apis(spec: &Spec) -> impl Iterator<Item = (&str, &ApiSpec, YamlPath)> {
    spec.apis
        .iter()
        .map(|(k, api)| (k.as_str(), api, YamlPath::root().key("apis").key(k)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kebab_segments() {
        for ok in ["download", "a-b", "x1", "404-not-found"] {
            assert!(is_kebab(ok), "{ok}");
        }
        for bad in ["", "A", "a--b", "-a", "a-", "a_b", "a b"] {
            assert!(!is_kebab(bad), "{bad}");
        }
    }

    #[test]
    fn finds_template_names() {
        assert_eq!(template_names("{{url}}?x={{ temp }}"), vec!["url", "temp"]);
        assert!(template_names("{{url").is_empty());
    }
}
