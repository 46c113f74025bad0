//! What the server saw: request count, method, headers, concurrency, the multipart upload.
//!
//! Header rules: `headers_present`/`headers_equal` hold when at least one request satisfies them
//! (a token request or a redirect hop may lack them); `headers_absent`/`headers_not_equal` must
//! hold on every request.

use serde_json::Value;

use crate::check::{CheckInput, Verdicts, failure};
use crate::runner::sandbox::platform_relative;
use crate::spec::model::{ServerCheck, UploadCheck};
use mock_server::RequestRecord;

/// Run the server checks (case level, not per call).
pub fn check(input: &CheckInput<'_>, verdicts: &mut Verdicts) {
    let Some(expect) = &input.expect.server else {
        return;
    };
    let journal = &input.observation.server;
    let requests = &journal.requests;
    if let Some(n) = expect.requests {
        verdicts.judge("server.requests");
        if requests.len() as u64 != n {
            verdicts.fail(failure(
                "server.requests",
                None,
                n,
                requests.len(),
                format!("the server saw {} request(s), expected {n}", requests.len()),
            ));
        }
    }
    if let Some(method) = &expect.method {
        let wrong: Vec<Value> = requests
            .iter()
            .filter(|r| !r.method.eq_ignore_ascii_case(method))
            .map(|r| Value::String(format!("{} {}", r.method, r.path)))
            .collect();
        verdicts.judge("server.method");
        if !wrong.is_empty() || requests.is_empty() {
            verdicts.fail(failure(
                "server.method",
                None,
                method.as_str(),
                Value::Array(wrong),
                "wrong request method",
            ));
        }
    }
    if let Some(version) = &expect.http_version {
        let wrong: Vec<Value> = requests
            .iter()
            .filter(|r| &r.version != version)
            .map(|r| Value::String(format!("{} {} {}", r.version, r.method, r.path)))
            .collect();
        verdicts.judge("server.http-version");
        if !wrong.is_empty() || requests.is_empty() {
            verdicts.fail(failure(
                "server.http-version",
                None,
                version.as_str(),
                Value::Array(wrong),
                format!("a request did not use {version}"),
            ));
        }
    }
    check_headers(expect, requests, verdicts);
    if let Some(max) = expect.max_in_flight {
        verdicts.judge("server.max-in-flight");
        if journal.max_in_flight > max {
            verdicts.fail(failure(
                "server.max-in-flight",
                None,
                format!("<= {max}"),
                journal.max_in_flight,
                "too many requests in flight at once",
            ));
        }
    }
    if let Some(min) = expect.min_in_flight {
        verdicts.judge("server.min-in-flight");
        if journal.max_in_flight < min {
            verdicts.fail(failure(
                "server.min-in-flight",
                None,
                format!(">= {min}"),
                journal.max_in_flight,
                "requests did not run in parallel",
            ));
        }
    }
    if let Some(upload) = &expect.upload {
        check_upload(input, upload, requests, verdicts);
    }
}

fn header<'r>(request: &'r RequestRecord, name: &str) -> Option<&'r str> {
    request
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn check_headers(expect: &ServerCheck, requests: &[RequestRecord], verdicts: &mut Verdicts) {
    let seen = |name: &str| -> Value {
        Value::Array(
            requests
                .iter()
                .map(|r| header(r, name).map(Value::from).unwrap_or(Value::Null))
                .collect(),
        )
    };
    for name in &expect.headers_present {
        verdicts.judge("server.headers-present");
        if !requests.iter().any(|r| header(r, name).is_some()) {
            verdicts.fail(failure(
                "server.headers-present",
                None,
                name.as_str(),
                seen(name),
                format!("no request carried {name}"),
            ));
        }
    }
    for name in &expect.headers_absent {
        verdicts.judge("server.headers-absent");
        if requests.iter().any(|r| header(r, name).is_some()) {
            verdicts.fail(failure(
                "server.headers-absent",
                None,
                format!("no {name}"),
                seen(name),
                format!("a request carried {name}"),
            ));
        }
    }
    for (name, value) in &expect.headers_equal {
        verdicts.judge("server.headers-equal");
        if !requests
            .iter()
            .any(|r| header(r, name) == Some(value.as_str()))
        {
            verdicts.fail(failure(
                "server.headers-equal",
                None,
                format!("{name}: {value}"),
                seen(name),
                format!("no request had {name}: {value}"),
            ));
        }
    }
    for (name, value) in &expect.headers_not_equal {
        verdicts.judge("server.headers-not-equal");
        if requests
            .iter()
            .any(|r| header(r, name) == Some(value.as_str()))
        {
            verdicts.fail(failure(
                "server.headers-not-equal",
                None,
                format!("{name} other than {value}"),
                seen(name),
                format!("a request had {name}: {value}"),
            ));
        }
    }
}

fn check_upload(
    input: &CheckInput<'_>,
    expect: &UploadCheck,
    requests: &[RequestRecord],
    verdicts: &mut Verdicts,
) {
    verdicts.judge("server.upload");
    let Some(record) = requests.iter().rev().find_map(|r| r.upload.as_ref()) else {
        verdicts.fail(failure(
            "server.upload",
            None,
            "a multipart upload",
            Value::Null,
            "the server received no upload",
        ));
        return;
    };
    if let Some(field) = &expect.file_field {
        verdicts.judge("server.upload.file-field");
        if record.file_field.as_deref() != Some(field.as_str()) {
            verdicts.fail(failure(
                "server.upload.file-field",
                None,
                field.as_str(),
                record
                    .file_field
                    .clone()
                    .map(Value::from)
                    .unwrap_or(Value::Null),
                "the file part has the wrong field name",
            ));
        }
    }
    if expect.matches_file {
        verdicts.judge("server.upload.matches-file");
        let t = input.templates;
        let source = input
            .args
            .get("filePath")
            .and_then(Value::as_str)
            .and_then(|p| platform_relative(p, &t.temp, &t.user))
            .and_then(|rel| input.observation.files.iter().find(|f| f.path == rel));
        match source {
            None => verdicts.fail(failure(
                "server.upload.matches-file",
                None,
                "the sandbox file named by filePath",
                Value::Null,
                "the upload's source file is not in the sandbox",
            )),
            Some(file) => {
                let sha = record.file_sha256.clone().unwrap_or_default();
                if file.size != record.file_size || file.sha256 != sha {
                    verdicts.fail(failure(
                        "server.upload.matches-file",
                        None,
                        serde_json::json!({"size": file.size, "sha256": file.sha256}),
                        serde_json::json!({"size": record.file_size, "sha256": sha}),
                        "the uploaded file differs from the sandbox file",
                    ));
                }
            }
        }
    }
    for (name, value) in &expect.form_data {
        let got = record
            .form_data
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone());
        verdicts.judge("server.upload.form-data");
        if got.as_deref() != Some(value.as_str()) {
            verdicts.fail(failure(
                "server.upload.form-data",
                None,
                format!("{name}={value}"),
                got.map(|g| Value::String(format!("{name}={g}")))
                    .unwrap_or(Value::Null),
                format!("formData {name} is wrong or missing"),
            ));
        }
    }
}
