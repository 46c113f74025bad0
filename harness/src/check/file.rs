//! Files on disk: the downloaded file where the result says, with the body's size and digest;
//! nothing left by a failed call; nothing ever written outside temp/ and user/.

use serde_json::Value;

use crate::check::{CheckInput, call_index, failure, result_event};
use crate::observation::FileRecord;
use crate::protocol::EventKind;
use crate::runner::sandbox::platform_relative;
use crate::spec::model::Outcome;
use crate::verdict::CheckFailure;

/// Result fields that name the file a download wrote, in order of preference.
const PATH_FIELDS: [&str; 3] = ["filePath", "tempFilePath", "apFilePath"];

/// Run the file checks.
pub fn check(input: &CheckInput<'_>) -> Vec<CheckFailure> {
    let obs = input.observation;
    let mut failures = Vec::new();
    let outside: Vec<Value> = obs
        .files
        .iter()
        .filter(|f| !f.inside)
        .map(|f| Value::String(f.path.clone()))
        .collect();
    if !outside.is_empty() {
        failures.push(failure(
            "file.outside",
            None,
            Value::Array(Vec::new()),
            Value::Array(outside),
            "files were written outside the temp and user folders",
        ));
    }
    let new_files: Vec<&FileRecord> = obs
        .files
        .iter()
        .filter(|f| f.inside && !f.preexisting)
        .collect();
    let all_failed = !obs.calls.is_empty()
        && obs
            .calls
            .iter()
            .all(|c| result_event(c).is_some_and(|e| e.event == EventKind::Fail));
    let Some(expect) = &input.expect.file else {
        if input.expect.outcome == Outcome::Fail && all_failed && !new_files.is_empty() {
            failures.push(failure(
                "file.none-after-fail",
                None,
                Value::Array(Vec::new()),
                paths(&new_files),
                "a failed call left a file behind",
            ));
        }
        return failures;
    };
    if !expect.written {
        if !new_files.is_empty() {
            failures.push(failure(
                "file.written",
                None,
                "no file",
                paths(&new_files),
                "a file was written",
            ));
        }
        return failures;
    }
    for (index, call) in obs.calls.iter().enumerate() {
        let at = call_index(input, index);
        let Some(record) = find_file(
            input,
            expect.at.as_deref(),
            call,
            &new_files,
            at,
            &mut failures,
        ) else {
            continue;
        };
        if let Some(size) = expect.size {
            if record.size != size {
                failures.push(failure(
                    "file.size",
                    at,
                    size,
                    record.size,
                    format!("{} has the wrong size", record.path),
                ));
            }
        }
        if expect.matches_body {
            let body = obs
                .server
                .requests
                .iter()
                .rev()
                .find(|r| r.body_sha256.is_some());
            match body {
                None => failures.push(failure(
                    "file.matches-body",
                    at,
                    "the body the server sent",
                    Value::Null,
                    "the server recorded no body digest",
                )),
                Some(request) => {
                    let expected_size = request.body_len.unwrap_or(request.bytes_sent);
                    let expected_sha = request.body_sha256.clone().unwrap_or_default();
                    if record.size != expected_size || record.sha256 != expected_sha {
                        failures.push(failure(
                            "file.matches-body",
                            at,
                            serde_json::json!({"size": expected_size, "sha256": expected_sha}),
                            serde_json::json!({"size": record.size, "sha256": record.sha256}),
                            format!("{} is not the body the server sent", record.path),
                        ));
                    }
                }
            }
        }
    }
    failures
}

/// The file a call wrote: `at` if given, else the path its result names, else the only new file.
fn find_file<'f>(
    input: &CheckInput<'_>,
    expected_at: Option<&str>,
    call: &crate::observation::CallObservation,
    new_files: &[&'f FileRecord],
    at: Option<usize>,
    failures: &mut Vec<crate::verdict::CheckFailure>,
) -> Option<&'f FileRecord> {
    let t = input.templates;
    let relative = |p: &str| platform_relative(p, &t.temp, &t.user);
    if let Some(expected) = expected_at {
        let expected = t.expand_str(expected);
        let found =
            relative(&expected).and_then(|rel| new_files.iter().copied().find(|f| f.path == rel));
        if found.is_none() {
            failures.push(failure(
                "file.at",
                at,
                expected.clone(),
                paths(new_files),
                format!("no file at {expected}"),
            ));
        }
        return found;
    }
    let named = result_event(call).and_then(|e| {
        PATH_FIELDS
            .iter()
            .find_map(|f| e.data.get(*f).and_then(Value::as_str).map(str::to_string))
    });
    if let Some(named) = named {
        let found =
            relative(&named).and_then(|rel| new_files.iter().copied().find(|f| f.path == rel));
        if found.is_none() {
            failures.push(failure(
                "file.at",
                at,
                named.clone(),
                paths(new_files),
                format!("the result names {named}, which is not in the sandbox"),
            ));
        }
        return found;
    }
    match new_files {
        [only] => Some(*only),
        [] => {
            failures.push(failure(
                "file.written",
                at,
                "a file",
                Value::Array(Vec::new()),
                "no file was written",
            ));
            None
        }
        _ => None,
    }
}

fn paths(files: &[&FileRecord]) -> Value {
    Value::Array(
        files
            .iter()
            .map(|f| Value::String(f.path.clone()))
            .collect(),
    )
}
