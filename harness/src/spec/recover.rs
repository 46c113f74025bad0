//! Reading past type errors, so that lint reports every problem of a file in one pass.
//!
//! The strict parse stops at its first error. To find the next one, the document is read as a
//! plain YAML value, the bad value is patched (an unknown enum value becomes a known one, an
//! unknown key goes), the document is written back as YAML and parsed again, until it parses
//! or an error cannot be patched. Each error is reported at its place in the original text; the
//! spec that finally parses is linted, with problems inside patched cases left out (they would
//! be about the patch, not the file).

use std::path::Path;

use serde_json::Value;

use super::diagnostic::Diagnostic;
use super::load::{LoadError, parse_spec};
use super::locate::{LocationIndex, Pos, YamlPath};
use super::model::Spec;

/// At most this many errors are collected from one file.
const MAX_ERRORS: usize = 50;

/// What could be read past the first error.
#[derive(Debug, Default)]
pub struct Recovered {
    /// Every parse error found, the first one included, in the order found.
    pub errors: Vec<Diagnostic>,
    /// The spec as parsed once every error was patched, if all could be.
    pub spec: Option<Spec>,
    /// Where the original text was patched.
    pub patched: Vec<YamlPath>,
}

/// Collect the parse errors of `text`, whose strict parse failed with `first`.
pub fn recover(path: &Path, text: &str, first: &LoadError) -> Recovered {
    let mut out = Recovered {
        errors: vec![first.to_diagnostic()],
        ..Recovered::default()
    };
    let original = LocationIndex::build(text);
    // Syntax errors and duplicate keys leave no document to patch.
    let Ok(mut doc) = serde_saphyr::from_str::<Value>(text) else {
        return out;
    };
    let mut error = first_parse_error(first);
    let mut current = text.to_string();
    let mut removed: Vec<YamlPath> = Vec::new();
    while let Some((line, column, message)) = error {
        let index = LocationIndex::build(&current);
        let Some(at) = path_at(&index, line, column, &message) else {
            break;
        };
        if out.patched.contains(&at) {
            break;
        }
        // A required field missing because its bad value was removed: already reported.
        let follows =
            message.starts_with("missing field") && removed.iter().any(|gone| prefix_of(&at, gone));
        if !out.patched.is_empty() && !follows {
            // Errors after the first are found in the patched text: point at the original,
            // where the parser would (an unknown key at the key, anything else at the value).
            let pos = if message.starts_with("unknown field") {
                original.key(&at)
            } else {
                original.value(&at)
            };
            let diagnostic = LoadError::Parse {
                path: path.to_path_buf(),
                rule: "parse",
                line: pos.line as u64,
                column: pos.column as u64,
                message: format!("`{at}`: {message}"),
            }
            .to_diagnostic();
            out.errors.push(diagnostic);
        }
        match patch(&mut doc, &at, &message) {
            None => break,
            Some(Patch::Removed) => removed.push(at.clone()),
            Some(Patch::Changed) => {}
        }
        out.patched.push(at);
        if out.errors.len() >= MAX_ERRORS {
            break;
        }
        let Ok(next) = serde_saphyr::to_string(&doc) else {
            break;
        };
        current = next;
        match parse_spec(path, &current) {
            Ok(spec) => {
                out.spec = Some(spec);
                break;
            }
            Err(err) => error = first_parse_error(&err),
        }
    }
    out
}

/// Whether a lint problem is about a patched case: it lies inside one, or names one's id.
pub fn about_patched_case(
    spec: &Spec,
    index: &LocationIndex,
    patched: &[YamlPath],
    problem: &Diagnostic,
) -> bool {
    let pos = Pos {
        line: problem.line,
        column: problem.column,
    };
    patched.iter().filter_map(case_number).any(|i| {
        spec.cases
            .get(i)
            .is_some_and(|case| problem.message.contains(&format!("`{}`", case.id)))
    }) || in_patched_case(index, patched, pos)
}

/// Whether a position lies inside a case that was patched.
fn in_patched_case(index: &LocationIndex, patched: &[YamlPath], pos: Pos) -> bool {
    let cases = YamlPath::root().key("cases");
    patched.iter().any(|path| {
        let Some(i) = case_number(path) else {
            return false;
        };
        let start = index.value(&cases.index(i));
        let next = cases.index(i + 1);
        // The last case runs to the end of the file.
        let before_next = !index.contains(&next) || pos < index.value(&next);
        start <= pos && before_next
    })
}

/// `3` for `cases[3]...`.
fn case_number(path: &YamlPath) -> Option<usize> {
    let rest = path.as_str().strip_prefix("cases[")?;
    rest.split(']').next()?.parse().ok()
}

/// The position and message of a type error (`None` for other errors: nothing to patch).
fn first_parse_error(err: &LoadError) -> Option<(u64, u64, String)> {
    match err {
        LoadError::Parse {
            rule: "parse",
            line,
            column,
            message,
            ..
        } if *line > 0 => {
            // The message may carry the `path`: prefix explain() adds; keep the parser's words.
            let bare = message
                .split_once("`: ")
                .filter(|(head, _)| head.starts_with('`'))
                .map_or(message.as_str(), |(_, tail)| tail);
            Some((*line, *column, bare.to_string()))
        }
        _ => None,
    }
}

/// The path the error is about: for an unknown key the entry whose key is there, else the
/// value that starts there (a mapping rather than its first key).
fn path_at(index: &LocationIndex, line: u64, column: u64, message: &str) -> Option<YamlPath> {
    let pos = Pos {
        line: usize::try_from(line).ok()?,
        column: usize::try_from(column).ok()?,
    };
    if message.starts_with("unknown field") {
        return index.path_at(pos);
    }
    index.value_path_at(pos).or_else(|| index.path_at(pos))
}

/// How a bad value was patched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Patch {
    /// Replaced, or its key renamed: the field is still there.
    Changed,
    /// The mapping entry was removed.
    Removed,
}

/// Patch the value at `at` for this error; `None` when it cannot be (a missing field, a bad
/// sequence item).
fn patch(doc: &mut Value, at: &YamlPath, message: &str) -> Option<Patch> {
    let root = YamlPath::root();
    let changed = |done: bool| done.then_some(Patch::Changed);
    if let Some(known) = first_expected_variant(message) {
        return changed(replace(doc, &root, at, Value::String(known)));
    }
    if let Some((unknown, expected)) = unknown_field(message) {
        // A misspelt key keeps its value under the name it was meant to have, so that the
        // field it stands for is not reported missing next.
        let meant = expected
            .iter()
            .filter(|name| edit_distance(unknown, name) <= 2)
            .min_by_key(|name| edit_distance(unknown, name));
        if let Some(name) = meant {
            return changed(rename(doc, &root, at, name));
        }
    } else if message.starts_with("missing field") {
        return None;
    }
    // Any other bad value of a mapping entry: read on without it (an optional field then
    // takes its default; a required one is reported missing, and reading stops there).
    remove(doc, &root, at).then_some(Patch::Removed)
}

/// `x` and `[a, b]` from "unknown field `x`, expected one of a, b" (or "expected a").
fn unknown_field(message: &str) -> Option<(&str, Vec<&str>)> {
    let rest = message.strip_prefix("unknown field `")?;
    let (name, rest) = rest.split_once('`')?;
    let expected = rest.split_once("expected ").map_or("", |(_, e)| e);
    let expected = expected.strip_prefix("one of ").unwrap_or(expected);
    let names = expected
        .split([',', ' '])
        .map(|n| n.trim_matches('`'))
        .filter(|n| !n.is_empty() && *n != "or")
        .collect();
    Some((name, names))
}

/// Levenshtein distance, for short key names.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

/// Rename the mapping entry at `target` to `name`, unless `name` is already there.
fn rename(node: &mut Value, here: &YamlPath, target: &YamlPath, name: &str) -> bool {
    match node {
        Value::Object(map) => {
            if let Some(key) = map.keys().find(|k| &here.key(k) == target).cloned() {
                if map.contains_key(name) {
                    map.shift_remove(&key);
                    return true;
                }
                let entries: Vec<(String, Value)> = std::mem::take(map).into_iter().collect();
                for (k, v) in entries {
                    map.insert(if k == key { name.to_string() } else { k }, v);
                }
                return true;
            }
            map.iter_mut().any(|(k, v)| {
                prefix_of(&here.key(k), target) && rename(v, &here.key(k), target, name)
            })
        }
        Value::Array(items) => items.iter_mut().enumerate().any(|(i, v)| {
            prefix_of(&here.index(i), target) && rename(v, &here.index(i), target, name)
        }),
        _ => false,
    }
}

/// `a` from "unknown variant `x`, expected one of a, b" (names with or without backticks) or
/// "... expected a or b".
fn first_expected_variant(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown variant `")?;
    let expected = rest.split_once("expected ")?.1;
    let expected = expected.strip_prefix("one of ").unwrap_or(expected);
    let first = expected.split([',', ' ']).next()?.trim_matches('`');
    (!first.is_empty()).then(|| first.to_string())
}

fn replace(node: &mut Value, here: &YamlPath, target: &YamlPath, with: Value) -> bool {
    if here == target {
        *node = with;
        return true;
    }
    match node {
        Value::Object(map) => map.iter_mut().any(|(k, v)| {
            prefix_of(&here.key(k), target) && replace(v, &here.key(k), target, with.clone())
        }),
        Value::Array(items) => items.iter_mut().enumerate().any(|(i, v)| {
            prefix_of(&here.index(i), target) && replace(v, &here.index(i), target, with.clone())
        }),
        _ => false,
    }
}

/// Remove the mapping entry at `target`.
fn remove(node: &mut Value, here: &YamlPath, target: &YamlPath) -> bool {
    match node {
        Value::Object(map) => {
            if let Some(key) = map.keys().find(|k| &here.key(k) == target).cloned() {
                map.shift_remove(&key);
                return true;
            }
            map.iter_mut()
                .any(|(k, v)| prefix_of(&here.key(k), target) && remove(v, &here.key(k), target))
        }
        Value::Array(items) => items
            .iter_mut()
            .enumerate()
            .any(|(i, v)| prefix_of(&here.index(i), target) && remove(v, &here.index(i), target)),
        _ => false,
    }
}

/// Whether `path` is `target` or one of its ancestors.
fn prefix_of(path: &YamlPath, target: &YamlPath) -> bool {
    let (p, t) = (path.as_str(), target.as_str());
    t == p || (t.starts_with(p) && matches!(t.as_bytes().get(p.len()), Some(b'.' | b'[')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_what_to_patch() {
        let m = "unknown variant `sucess`, expected one of success, fail";
        assert_eq!(first_expected_variant(m).as_deref(), Some("success"));
        let m = "unknown variant `x`, expected `a` or `b`";
        assert_eq!(first_expected_variant(m).as_deref(), Some("a"));
        assert_eq!(first_expected_variant("invalid u32"), None);
        let m = "unknown field `outcom`, expected one of outcome, errno";
        assert_eq!(unknown_field(m), Some(("outcom", vec!["outcome", "errno"])));
        assert_eq!(edit_distance("outcom", "outcome"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn patches_reach_nested_values_only() {
        let mut doc: Value = serde_json::json!({"cases": [{"a": 1}, {"outcom": 2, "b": 3}]});
        let case = YamlPath::root().key("cases").index(1);
        assert!(rename(
            &mut doc,
            &YamlPath::root(),
            &case.key("outcom"),
            "outcome"
        ));
        assert_eq!(
            doc,
            serde_json::json!({"cases": [{"a": 1}, {"outcome": 2, "b": 3}]})
        );
        assert!(replace(
            &mut doc,
            &YamlPath::root(),
            &case.key("b"),
            Value::from("x")
        ));
        assert!(remove(&mut doc, &YamlPath::root(), &case.key("outcome")));
        assert_eq!(doc, serde_json::json!({"cases": [{"a": 1}, {"b": "x"}]}));
        assert!(!remove(&mut doc, &YamlPath::root(), &case.key("missing")));
        let path = YamlPath::root().key("cases");
        assert!(prefix_of(&path, &case));
        assert!(!prefix_of(&YamlPath::root().key("case"), &case));
    }
}
