//! Rules about the payload fields of result shapes and tasks.

use super::{Report, SpecFile};
use crate::spec::locate::YamlPath;
use crate::spec::model::{Field, ResultShapes, ValueType};

/// Every declared payload field list with its path: api results, variant results, task events.
fn field_lists<'s>(file: &SpecFile<'s>) -> Vec<(YamlPath, &'s [Field])> {
    let mut out = Vec::new();
    let mut shapes = |path: YamlPath, r: &'s ResultShapes| {
        out.push((path.key("success"), &r.success[..]));
        out.push((path.key("fail"), &r.fail[..]));
    };
    let spec = file.spec;
    for (name, api) in &spec.apis {
        shapes(
            YamlPath::root().key("apis").key(name).key("result"),
            &api.result,
        );
    }
    for (i, variant) in spec.variants.iter().enumerate() {
        for (name, r) in &variant.results {
            shapes(
                YamlPath::root()
                    .key("variants")
                    .index(i)
                    .key("results")
                    .key(name),
                r,
            );
        }
    }
    for (name, api) in &spec.apis {
        if let Some(task) = &api.task {
            let path = YamlPath::root().key("apis").key(name).key("task");
            out.push((path.key("progress_fields"), &task.progress_fields[..]));
            out.push((
                path.key("headers_received_fields"),
                &task.headers_received_fields[..],
            ));
        }
    }
    out
}

pub(super) fn always_unconditional(report: &mut Report<'_>, file: &SpecFile<'_>) {
    for (path, fields) in field_lists(file) {
        for (i, field) in fields.iter().enumerate() {
            let Some(_) = &field.always else { continue };
            let at = path.index(i).key("always");
            if let Some(when) = &field.when {
                report.key(
                    &at,
                    format!(
                        "field `{}` is promised on every payload (`always`) but only present `when: {when}`; drop one",
                        field.name
                    ),
                );
            }
            if field.ty == ValueType::Function {
                report.key(
                    &at,
                    format!(
                        "field `{}` is a function, which never crosses the candidate protocol",
                        field.name
                    ),
                );
            }
        }
    }
}
