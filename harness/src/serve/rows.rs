//! One row per spec case: register its scenario on the server and say how to reach it.

use mock_server::respond::plan::Plan;
use mock_server::respond::serve::listener_name;
use mock_server::{Fault, IndexRow, MockServer, Scenario};
use serde::Serialize;
use serde_json::{Map, Value};

use super::behaviour;
use super::curl::{Curl, Request, seconds};
use super::{snippet, steps};
use crate::runner::case::case_key;
use crate::runner::plan::PlannedCase;
use crate::runner::templates::{Templates, base_of, origin_of};
use crate::spec::model::{Outcome, Platform, TextMatch};

/// `--max-time` for scenarios that never finish on their own and whose case gives no timeout.
pub const STALL_MAX_TIME_MS: u64 = 5_000;

/// How QA reaches one case's scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServeRow {
    /// Platform name, e.g. `douyin`.
    pub platform: String,
    /// Case id within the platform's spec.
    pub case_id: String,
    /// What the platform should do: `fail <errno>`, `success <statusCode>`.
    pub behaviour: String,
    /// The errno the case expects, if any (for ordering by errno).
    pub errno: Option<i64>,
    /// The errMsg the platform should give: the case's own, else the error table's for the errno.
    pub err_msg: Option<String>,
    /// How `err_msg` is matched: `equals`, `prefix`, `contains`, or `documented` (the error
    /// table's text for the errno; the case does not pin the message).
    pub err_msg_match: Option<String>,
    /// The API as called on the device: `tt.downloadFile`, `wx.downloadFile`, `im.v1.file.get`.
    pub api: String,
    /// The call's arguments, templates expanded, `url` included.
    pub args: Map<String, Value>,
    /// The call to copy: JS for a mini-program API, the curl command for a server API.
    pub snippet: String,
    /// What to do on the device during the call.
    pub steps: Vec<String>,
    /// Target listener or network failure, e.g. `https`, `dns-failure`.
    pub target: String,
    /// The listener serving it (`https`, `expired`, ...), none for network failures.
    pub listener: Option<String>,
    /// The URL that reproduces the case.
    pub url: String,
    /// The curl command that shows it on the wire.
    pub curl: String,
    /// Key the scenario is registered under (`/c/<key>/...`); none for targets with no server.
    pub key: Option<String>,
    /// Why the scenario could not be registered, if it could not.
    pub problem: Option<String>,
}

impl ServeRow {
    /// The row as the index page and `scenarios.json` show it.
    pub fn index_row(&self) -> IndexRow {
        IndexRow {
            platform: self.platform.clone(),
            case: self.case_id.clone(),
            behaviour: self.behaviour.clone(),
            errno: self.errno,
            err_msg: self.err_msg.clone(),
            err_msg_match: self.err_msg_match.clone(),
            url: self.url.clone(),
            api: self.api.clone(),
            args: self.args.clone(),
            snippet: self.snippet.clone(),
            steps: self.steps.clone(),
            key: self.key.clone(),
            listener: self.listener.clone(),
            curl: self.curl.clone(),
        }
    }
}

/// Index rows per platform, then outcome and errno, then case id.
pub fn index_rows(rows: &[ServeRow]) -> Vec<IndexRow> {
    let mut sorted: Vec<&ServeRow> = rows.iter().collect();
    sorted.sort_by(|a, b| {
        (
            &a.platform,
            a.errno.is_none(),
            a.errno,
            &a.behaviour,
            &a.case_id,
        )
            .cmp(&(
                &b.platform,
                b.errno.is_none(),
                b.errno,
                &b.behaviour,
                &b.case_id,
            ))
    });
    sorted.into_iter().map(ServeRow::index_row).collect()
}

/// Whether the URL grammar writes `scenario` exactly (Feishu fixtures it cannot).
pub fn grammar_expresses(scenario: &Scenario) -> bool {
    scenario.feishu.is_none()
        && Scenario::from_query(&scenario.to_query()).is_ok_and(|back| back == *scenario)
}

/// Register every case's scenario on `server` (targets with a listener) and build its row.
pub fn build(server: &MockServer, cases: &[PlannedCase]) -> Vec<ServeRow> {
    cases
        .iter()
        .enumerate()
        .map(|(index, planned)| row(server, index, planned))
        .collect()
}

fn row(server: &MockServer, index: usize, planned: &PlannedCase) -> ServeRow {
    let case = &planned.case;
    let scenario = &case.server;
    let key = case_key(index, &planned.full_id);
    let file_name = format!("{}.bin", case.id.rsplit('/').next().unwrap_or("file"));
    let listener = scenario.target.listener();
    let problem = match listener {
        Some(_) => server.try_register(&key, scenario.clone()).err(),
        None => None,
    };
    let case_url = server.case_url(&key, scenario.target, &file_name);
    let scenario_url = match listener {
        // `key=` files the grammar URL's requests under the case, for the live view.
        Some(l) if grammar_expresses(scenario) => {
            let url = server.grammar_url(l, scenario, &file_name);
            let sep = if url.contains('?') { '&' } else { '?' };
            format!("{url}{sep}key={key}")
        }
        _ => case_url.clone(),
    };
    let paths = planned.paths();
    let templates = Templates {
        origin: origin_of(&scenario_url),
        // Server APIs (Feishu's) live under the registered case root.
        base: base_of(&case_url),
        // Serve opens no per-case listeners: a case's origin is its registered root, which
        // curl and a device reach as well.
        case_origin: base_of(&case_url),
        url: scenario_url.clone(),
        temp: paths.temp.clone(),
        user: paths.user.clone(),
    };
    let args = match templates.expand(&Value::Object(case.call.args.clone())) {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    let (url, request) = if planned.platform == Platform::FeishuOpenapi {
        feishu_request(&args, &templates.base)
    } else if case.api.to_ascii_lowercase().contains("upload") {
        (
            arg_str(&args, "url").unwrap_or(scenario_url),
            upload_request(planned, &args),
        )
    } else {
        (arg_str(&args, "url").unwrap_or(scenario_url), Request::Get)
    };
    let mut call_args = args.clone();
    if planned.platform != Platform::FeishuOpenapi && !call_args.contains_key("url") {
        call_args.insert("url".into(), Value::String(url.clone()));
    }
    let curl = Curl {
        ca: server.ca_cert_path().display().to_string(),
        url: url.clone(),
        max_time: max_time(scenario, &args),
        follow: scenario
            .faults
            .iter()
            .any(|f| matches!(f, Fault::Redirect { .. })),
        http1: needs_http1(scenario),
        headers: headers(&args),
        request,
    };
    let errno = match case.expect.outcome {
        Outcome::Fail => case.expect.errno,
        Outcome::Success => None,
    };
    let (err_msg, err_msg_match) = err_msg(planned, errno);
    let curl = curl.command();
    // Server APIs are called from a server, not a device: their snippet is the curl command.
    let snippet = if planned.platform == Platform::FeishuOpenapi {
        curl.clone()
    } else {
        snippet::js(
            planned.platform,
            &case.api,
            &call_args,
            &case.call.actions,
            case.call.count,
        )
    };
    ServeRow {
        platform: planned.platform.name().to_string(),
        case_id: case.id.clone(),
        behaviour: behaviour::describe(&case.expect),
        errno,
        err_msg,
        err_msg_match,
        api: snippet::api_name(planned.platform, &case.api),
        args: call_args,
        snippet,
        steps: steps::steps(planned, server.host()),
        target: scenario.target.name().to_string(),
        listener: listener.map(|l| listener_name(l).to_string()),
        url,
        curl,
        key: listener.map(|_| key),
        problem,
    }
}

/// The errMsg to expect and how it is matched: the case's own text (`equals`, `prefix`,
/// `contains`); else the error table's text for the errno (`documented`: the case does not pin
/// the message, the documents list this text for the code); else the platform's ok or fail
/// prefix (`prefix`).
fn err_msg(planned: &PlannedCase, errno: Option<i64>) -> (Option<String>, Option<String>) {
    let pinned = |t: &String, how: &str| (Some(t.clone()), Some(how.to_string()));
    match &planned.case.expect.err_msg {
        Some(TextMatch::Equals(t)) => return pinned(t, "equals"),
        Some(TextMatch::Prefix(t)) => return pinned(t, "prefix"),
        Some(TextMatch::Contains(t)) => return pinned(t, "contains"),
        None => {}
    }
    let errors = planned.api().map(|a| a.errors.as_slice()).unwrap_or(&[]);
    let of_code = || errors.iter().filter(move |e| Some(e.code) == errno);
    let documented = of_code()
        .find(|e| e.variant == Some(planned.platform))
        .or_else(|| of_code().find(|e| e.variant.is_none()));
    if let Some(e) = documented {
        return pinned(&e.err_msg, "documented");
    }
    let shapes = planned.result_shapes();
    let prefix = match planned.case.expect.outcome {
        Outcome::Success => shapes.and_then(|s| s.ok_msg.as_ref()),
        Outcome::Fail => shapes.and_then(|s| s.fail_msg_prefix.as_ref()),
    };
    match prefix {
        Some(p) => pinned(p, "prefix"),
        None => (None, None),
    }
}

/// Faults that only exist on HTTP/1.1 over TLS (curl would negotiate HTTP/2 there).
fn needs_http1(scenario: &Scenario) -> bool {
    let tls = scenario.target.listener().is_some_and(|l| l.is_tls());
    let raw = Plan::from_scenario(scenario).is_ok_and(|p| p.needs_raw());
    // An early 413 or an upload reset cuts the connection mid-request, which HTTP/2 reports as a
    // stream error rather than the status or reset a client sees on HTTP/1.1.
    let upload_cut = scenario
        .faults
        .iter()
        .any(|f| matches!(f, Fault::UploadEarly413 | Fault::UploadResetAfter(_)));
    tls && (raw || upload_cut)
}

fn arg_str(args: &Map<String, Value>, name: &str) -> Option<String> {
    args.get(name).and_then(Value::as_str).map(str::to_string)
}

/// A stall never ends by itself: the case's own `timeout`, else a few seconds.
fn max_time(scenario: &Scenario, args: &Map<String, Value>) -> Option<String> {
    if let Some(ms) = args.get("timeout").and_then(Value::as_u64) {
        return Some(seconds(ms));
    }
    let stalls = scenario
        .faults
        .iter()
        .any(|f| matches!(f, Fault::Stall | Fault::StallAfter(_)));
    stalls.then(|| seconds(STALL_MAX_TIME_MS))
}

fn headers(args: &Map<String, Value>) -> Vec<(String, String)> {
    match args.get("header") {
        Some(Value::Object(map)) => map
            .iter()
            .map(|(k, v)| {
                let v = v
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| v.to_string());
                (k.clone(), v)
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn upload_request(planned: &PlannedCase, args: &Map<String, Value>) -> Request {
    let file_path = arg_str(args, "filePath").unwrap_or_default();
    let size = planned
        .case
        .env
        .files
        .iter()
        .find(|f| f.path == file_path)
        .or(planned.case.env.files.first())
        .map(|f| f.size)
        .unwrap_or(0);
    let file_name = file_path
        .rsplit('/')
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or("upload.bin")
        .to_string();
    let form = match args.get("formData") {
        Some(Value::Object(map)) => map
            .iter()
            .map(|(k, v)| {
                let v = v
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| v.to_string());
                (k.clone(), v)
            })
            .collect(),
        _ => Vec::new(),
    };
    Request::Upload {
        field: arg_str(args, "name").unwrap_or_else(|| "file".into()),
        file_name,
        size,
        form,
    }
}

fn feishu_request(args: &Map<String, Value>, case_base: &str) -> (String, Request) {
    let base = arg_str(args, "base_url").unwrap_or_else(|| case_base.to_string());
    let base = base.trim_end_matches('/');
    let file_key = arg_str(args, "file_key").unwrap_or_default();
    let file_key =
        percent_encoding::utf8_percent_encode(&file_key, percent_encoding::NON_ALPHANUMERIC)
            .to_string()
            .replace("%2D", "-")
            .replace("%5F", "_")
            .replace("%2E", ".");
    let url = format!("{base}/open-apis/im/v1/files/{file_key}");
    let request = Request::FeishuFileGet {
        token_url: format!("{base}/open-apis/auth/v3/tenant_access_token/internal"),
        app_id: arg_str(args, "app_id").unwrap_or_default(),
        app_secret: arg_str(args, "app_secret").unwrap_or_default(),
        token: arg_str(args, "tenant_access_token"),
        content_type_json: args
            .get("content_type_json")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    };
    (url, request)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grammar_expresses_plain_faults_not_feishu_fixtures() {
        let plain = Scenario::from_query("status=404&body=1k&seed=3&stall").unwrap();
        assert!(grammar_expresses(&plain));
        let feishu = Scenario {
            feishu: Some(Default::default()),
            ..plain
        };
        assert!(!grammar_expresses(&feishu));
    }

    #[test]
    fn stalls_get_a_max_time_and_timeouts_win() {
        let stall = Scenario::from_query("stall").unwrap();
        assert_eq!(max_time(&stall, &Map::new()).as_deref(), Some("5"));
        let mut args = Map::new();
        args.insert("timeout".into(), Value::from(1500));
        assert_eq!(max_time(&stall, &args).as_deref(), Some("1.5"));
        let plain = Scenario::from_query("body=1k").unwrap();
        assert_eq!(max_time(&plain, &Map::new()), None);
    }
}
