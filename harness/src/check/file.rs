//! Files on disk: the downloaded file where the result says, with the body's size and digest;
//! nothing left by a failed call; nothing ever written outside temp/ and user/ (found on disk,
//! or refused by the sandbox and reported: `runner::outside`). When results name no path, every
//! new file is judged (several calls), or `file.which` fails: never silence.

use serde_json::Value;

use crate::check::{CheckInput, Verdicts, call_index, failure, result_event};
use crate::observation::FileRecord;
use crate::protocol::EventKind;
use crate::runner::sandbox::platform_relative;
use crate::spec::model::Outcome;

/// Result fields that name the file a download wrote, in order of preference.
pub const PATH_FIELDS: [&str; 3] = ["filePath", "tempFilePath", "apFilePath"];

/// Run the file checks.
pub fn check(input: &CheckInput<'_>, verdicts: &mut Verdicts) {
    let obs = input.observation;
    let outside: Vec<Value> = obs
        .files
        .iter()
        .filter(|f| !f.inside)
        .map(|f| Value::String(f.path.clone()))
        .collect();
    verdicts.judge("file.outside");
    if !outside.is_empty() {
        verdicts.fail(failure(
            "file.outside",
            None,
            Value::Array(Vec::new()),
            Value::Array(outside),
            "files were written outside the temp and user folders, or refused there by the sandbox",
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
        if input.expect.outcome == Outcome::Fail && all_failed {
            verdicts.judge("file.none-after-fail");
            if !new_files.is_empty() {
                verdicts.fail(failure(
                    "file.none-after-fail",
                    None,
                    Value::Array(Vec::new()),
                    paths(&new_files),
                    "a failed call left a file behind",
                ));
            }
        }
        return;
    };
    if !expect.written {
        verdicts.judge("file.written");
        if !new_files.is_empty() {
            verdicts.fail(failure(
                "file.written",
                None,
                "no file",
                paths(&new_files),
                "a file was written",
            ));
        }
        return;
    }
    let mut judged: Vec<(Option<usize>, &FileRecord)> = Vec::new();
    let mut unnamed: Vec<Option<usize>> = Vec::new();
    for (index, call) in obs.calls.iter().enumerate() {
        let at = call_index(input, index);
        match find_file(input, expect.at.as_deref(), call, &new_files, at, verdicts) {
            Found::File(record) => judged.push((at, record)),
            Found::Missing => {}
            Found::Unnamed => unnamed.push(at),
        }
    }
    judged.extend(unnamed_files(&unnamed, &new_files, &judged, verdicts));
    for (at, record) in judged {
        judge_file(input, expect, at, record, verdicts);
    }
}

/// Size and content of one file a call wrote.
fn judge_file(
    input: &CheckInput<'_>,
    expect: &crate::spec::model::FileCheck,
    at: Option<usize>,
    record: &FileRecord,
    verdicts: &mut Verdicts,
) {
    if let Some(size) = expect.size {
        verdicts.judge("file.size");
        if record.size != size {
            verdicts.fail(failure(
                "file.size",
                at,
                size,
                record.size,
                format!("{} has the wrong size", record.path),
            ));
        }
    }
    if !expect.matches_body {
        return;
    }
    verdicts.judge("file.matches-body");
    let body = input
        .observation
        .server
        .requests
        .iter()
        .rev()
        .find(|r| r.body_sha256.is_some());
    match body {
        None => verdicts.fail(failure(
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
                verdicts.fail(failure(
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

/// What `find_file` found for one call.
enum Found<'f> {
    /// The call's file.
    File(&'f FileRecord),
    /// Nothing where the call's result or the spec says (a failure is recorded).
    Missing,
    /// The result names no path and the spec gives none: decided over every such call.
    Unnamed,
}

/// The files of calls whose result names no path: the only new file of a single call; every
/// new file no named call claimed when several calls wrote; never none without a failure.
fn unnamed_files<'f>(
    unnamed: &[Option<usize>],
    new_files: &[&'f FileRecord],
    named: &[(Option<usize>, &FileRecord)],
    verdicts: &mut Verdicts,
) -> Vec<(Option<usize>, &'f FileRecord)> {
    let Some(first) = unnamed.first() else {
        return Vec::new();
    };
    verdicts.judge("file.written");
    let unclaimed: Vec<&FileRecord> = new_files
        .iter()
        .copied()
        .filter(|f| !named.iter().any(|(_, n)| n.path == f.path))
        .collect();
    match (unnamed, unclaimed.as_slice()) {
        (_, []) => {
            verdicts.fail(failure(
                "file.written",
                *first,
                "a file",
                Value::Array(Vec::new()),
                "no file was written",
            ));
            Vec::new()
        }
        ([at], [only]) => {
            verdicts.judge("file.which");
            vec![(*at, *only)]
        }
        ([at], several) => {
            verdicts.fail(failure(
                "file.which",
                *at,
                "one new file, or a result that names its path",
                paths(several),
                format!(
                    "cannot tell which file is the result: the result names no path and {} new files exist",
                    several.len()
                ),
            ));
            Vec::new()
        }
        // Several calls wrote without naming their files: every new file must be a good one.
        (_, several) => several.iter().map(|f| (None, *f)).collect(),
    }
}

/// The file a call wrote: `at` if given, else the path its result names, else undecided.
fn find_file<'f>(
    input: &CheckInput<'_>,
    expected_at: Option<&str>,
    call: &crate::observation::CallObservation,
    new_files: &[&'f FileRecord],
    at: Option<usize>,
    verdicts: &mut Verdicts,
) -> Found<'f> {
    let t = input.templates;
    let relative = |p: &str| platform_relative(p, &t.temp, &t.user);
    if let Some(expected) = expected_at {
        let expected = t.expand_str(expected);
        let found =
            relative(&expected).and_then(|rel| new_files.iter().copied().find(|f| f.path == rel));
        verdicts.judge("file.at");
        if found.is_none() {
            verdicts.fail(failure(
                "file.at",
                at,
                expected.clone(),
                paths(new_files),
                format!("no file at {expected}"),
            ));
        }
        return found.map_or(Found::Missing, Found::File);
    }
    let named = result_event(call).and_then(|e| {
        PATH_FIELDS
            .iter()
            .find_map(|f| e.data.get(*f).and_then(Value::as_str).map(str::to_string))
    });
    if let Some(named) = named {
        let found =
            relative(&named).and_then(|rel| new_files.iter().copied().find(|f| f.path == rel));
        verdicts.judge("file.at");
        if found.is_none() {
            verdicts.fail(failure(
                "file.at",
                at,
                named.clone(),
                paths(new_files),
                format!("the result names {named}, which is not in the sandbox"),
            ));
        }
        return found.map_or(Found::Missing, Found::File);
    }
    Found::Unnamed
}

fn paths(files: &[&FileRecord]) -> Value {
    Value::Array(
        files
            .iter()
            .map(|f| Value::String(f.path.clone()))
            .collect(),
    )
}
