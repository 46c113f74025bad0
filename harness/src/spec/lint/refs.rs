//! Rules found by walking the whole spec as data: `source` references and version strings,
//! wherever they appear, so fields added to the model later are covered without new code.

use serde_json::Value;

use super::{Report, SpecFile, listing};
use crate::spec::locate::YamlPath;
use crate::spec::version::DottedVersion;

/// Keys whose string values are versions.
const VERSION_KEYS: [&str; 3] = ["since", "until", "sdk_version"];

/// Every string under `key` anywhere in the spec (a `sources` list yields each element),
/// outside free-form parts (call args, field expectations) and the `sources` table itself.
fn strings_under<'v>(root: &'v Value, keys: &[&str]) -> Vec<(YamlPath, &'v str)> {
    let mut out = Vec::new();
    walk(root, &YamlPath::root(), 0, keys, &mut out);
    out
}

fn walk<'v>(
    value: &'v Value,
    path: &YamlPath,
    depth: usize,
    keys: &[&str],
    out: &mut Vec<(YamlPath, &'v str)>,
) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let child = path.key(k);
                if is_free_form(k, depth) {
                    continue;
                }
                if keys.contains(&k.as_str()) {
                    match v {
                        Value::String(s) => out.push((child.clone(), s)),
                        Value::Array(items) => {
                            for (i, item) in items.iter().enumerate() {
                                if let Value::String(s) = item {
                                    out.push((child.index(i), s));
                                }
                            }
                        }
                        _ => {}
                    }
                }
                walk(v, &child, depth + 1, keys, out);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(item, &path.index(i), depth + 1, keys, out);
            }
        }
        _ => {}
    }
}

/// Parts whose keys are data, not model fields.
fn is_free_form(key: &str, depth: usize) -> bool {
    (key == "sources" && depth == 0)
        || key == "args"
        || key == "fields"
        || key == "default"
        || key == "equals"
}

fn as_value(file: &SpecFile<'_>) -> Option<Value> {
    serde_json::to_value(file.spec).ok()
}

pub(super) fn source_ref(report: &mut Report<'_>, file: &SpecFile<'_>) {
    let Some(root) = as_value(file) else { return };
    let known = &file.spec.sources;
    for (path, text) in strings_under(&root, &["source", "sources", "msg_source"]) {
        let id = text.split_once('#').map_or(text, |(id, _)| id);
        if !known.contains_key(id) {
            report.value(
                &path,
                format!(
                    "source `{id}` is not in `sources` (known: {})",
                    listing(known.keys())
                ),
            );
        }
    }
}

pub(super) fn version_format(report: &mut Report<'_>, file: &SpecFile<'_>) {
    let Some(root) = as_value(file) else { return };
    for (path, text) in strings_under(&root, &VERSION_KEYS) {
        if DottedVersion::parse(text).is_none() {
            report.value(
                &path,
                format!("version `{text}` is not dotted numbers (like `2.42.0`)"),
            );
        }
    }
}
