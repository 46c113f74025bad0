//! The downloadFile flow shared by the mini-program platforms: validate, queue, transfer with
//! deadline, abort and host events racing it, write the file, answer in the platform's shape.

use std::time::Duration;

use http::header::{HeaderMap, HeaderName, HeaderValue};
use http::{Method, header};
use serde_json::{Map, Value, json};
use tokio::io::AsyncWriteExt;

use super::platform::{DownloadPlatform, Downloaded, Profile, header_object};
use super::sandbox::{Area, Resolved, Sandbox, SandboxError};
use super::transport::body::{BodyReader, announced_length};
use super::transport::progress::Throttle;
use super::transport::{Phase, PhaseCell, Policy, TransferError, exchange, now_ms, url_check};
use super::{CallCtx, Defect};
use dlconform_protocol::{CallEnv, EventKind};

/// Run one downloadFile call to its end (success or fail, then complete).
pub async fn run(mut ctx: CallCtx, platform: &'static dyn DownloadPlatform) {
    let mut timer = None;
    let result = execute(&mut ctx, platform, &mut timer).await;
    let defect = ctx.shared.defect;
    let result = match result {
        Err(TransferError::Certificate { detail, .. }) if defect == Defect::CertAsNetworkError => {
            Err(TransferError::Connect { detail })
        }
        other => other,
    };
    let aborted = matches!(result, Err(TransferError::Aborted));
    let data = match result {
        Ok(done) => {
            let mut data = platform.success(&ctx.env, &ctx.args, &done);
            if defect == Defect::StatusCodeWrongType {
                flip_status_code_type(&mut data);
            }
            if defect == Defect::UnnamedScratchFile {
                leave_unnamed_scratch(&mut data, &done, &ctx.env).await;
            }
            Ok(data)
        }
        Err(err) => {
            let mut data = platform.fail(&ctx.env, &err);
            if defect == Defect::TimeoutErrMsg && matches!(err, TransferError::Timeout { .. }) {
                data["errMsg"] = json!("downloadFile:fail ETIMEDOUT");
            }
            Err(data)
        }
    };
    if aborted && defect == Defect::NoCompleteAfterAbort {
        if let Err(data) = data {
            ctx.emitter.event(EventKind::Fail, data).await;
        }
        return;
    }
    ctx.emitter.finish(data).await;
    if defect == Defect::LateAbortFires
        && ctx
            .signals
            .abort_within(crate::control::LATE_ABORT_LISTEN)
            .await
    {
        // abort() on the finished task fails the call once more.
        let again = platform.fail(&ctx.env, &TransferError::Aborted);
        ctx.emitter.finish(Err(again)).await;
        return;
    }
    if defect == Defect::LateTimer
        && let Some(expiry) = timer
    {
        // The timer nobody cancelled: it fails the call that has already ended.
        tokio::time::sleep_until(expiry).await;
        let err = TransferError::Timeout { phase: Phase::Body };
        ctx.emitter.finish(Err(platform.fail(&ctx.env, &err))).await;
    }
}

/// The `UnnamedScratchFile` defect: drop every path field and leave bytes that are not the
/// body next to the file, so only a check that judges every new file can tell.
async fn leave_unnamed_scratch(data: &mut Value, done: &Downloaded, env: &CallEnv) {
    if let Some(object) = data.as_object_mut() {
        for field in ["tempFilePath", "filePath", "apFilePath"] {
            object.remove(field);
        }
    }
    let scratch = done.path.fs_path.with_extension("scratch");
    // A mutant's side file: failing to write it only weakens the mutant.
    let _ = Sandbox::from_env(&env.fs)
        .write_file(&scratch, b"scratch bytes, not the body")
        .await;
}

/// The `WriteOutside` defect: a file five levels above the sandbox root (the temp folder's
/// parent), outside every folder the call may write.
async fn write_outside(sandbox: &Sandbox) -> Result<(), SandboxError> {
    let temp = sandbox.temp_dir();
    let root = temp.parent().unwrap_or(temp);
    let path = root.join("../../../../../write-outside");
    sandbox
        .write_file(&path, b"written outside the sandbox")
        .await
}

/// `timer` is set to when the call's timer would expire, for a call it did not end.
async fn execute(
    ctx: &mut CallCtx,
    p: &'static dyn DownloadPlatform,
    timer: &mut Option<tokio::time::Instant>,
) -> Result<Downloaded, TransferError> {
    let invoke_start = now_ms();
    let env = &ctx.env;
    let url = url_check::parse(url_arg(&ctx.args)?)?;
    let defect = ctx.shared.defect;
    let schemes = match defect {
        Defect::HttpInRelease => vec!["https".into(), "http".into()],
        _ => p.schemes(env),
    };
    let domains = match defect {
        Defect::DomainListIgnored => None,
        _ => env.domains.clone(),
    };
    url_check::check_scheme(&url, &schemes)?;
    url_check::check_domain(&url, domains.as_deref())?;
    let sandbox = Sandbox::from_env(&env.fs);
    if defect == Defect::WriteOutside {
        write_outside(&sandbox).await.map_err(file_error)?;
    }
    let file_path_arg = if p.accepts_file_path(env) {
        string_arg(&ctx.args, "filePath")?
    } else {
        None
    };
    let target = match &file_path_arg {
        Some(fp) if defect == Defect::SandboxEscape => Some(
            sandbox
                .resolve_unchecked(fp)
                .map_err(|e| path_error(fp, e))?,
        ),
        Some(fp) => Some(resolve_target(&sandbox, p, fp).await?),
        None => None,
    };
    let headers = request_headers(p, env, ctx.args.get("header"), defect);
    let policy = Policy {
        schemes,
        domains,
        max_redirects: p.max_redirects(),
        follow_redirects: defect != Defect::RedirectsNotFollowed,
        tls: ctx.shared.tls.for_call(&env.ca_cert, defect)?,
        case_sensitive_headers: defect == Defect::HeaderCaseSensitive,
        http2: p.http2(env, &ctx.args),
    };
    let react = |e| p.on_host_event(e);

    let queue_start = now_ms();
    let _permit = match ctx.shared.slot(env.app.as_deref(), p.name()) {
        Some(slots) => tokio::select! {
            permit = slots.acquire_owned() => permit.ok(),
            err = ctx.signals.interrupted(react) => return Err(err),
        },
        None => None,
    };
    let mut profile = Profile {
        invoke_start,
        queue_start,
        queue_end: now_ms(),
        ..Profile::default()
    };
    profile.fetch_start = profile.queue_end;

    let phase = PhaseCell::new();
    let job = Job {
        p,
        env,
        url,
        headers,
        policy: &policy,
        phase: &phase,
        target,
        sandbox: &sandbox,
        emitter: &ctx.emitter,
        defect,
    };
    let timeout = match defect {
        Defect::TimeoutIgnored => None,
        _ => p.timeout(env, &ctx.args),
    };
    if defect == Defect::LateTimer {
        // A wrapper's own timer, kept for the `timeout` argument on every platform.
        *timer = crate::platform::timeout_arg(&ctx.args, None)
            .or(timeout)
            .map(|t| tokio::time::Instant::now() + t);
    }
    let outcome = tokio::select! {
        r = job.transfer(&mut profile) => r,
        err = ctx.signals.interrupted(react) => Err(err),
        _ = sleep_opt(timeout) => {
            *timer = None;
            Err(TransferError::Timeout { phase: phase.get() })
        }
    };
    let (status, headers, path, size) = outcome?;
    fill_profile(&mut profile, &phase);
    Ok(Downloaded {
        status,
        headers,
        path,
        file_path_arg,
        size,
        profile,
    })
}

/// One transfer's inputs.
struct Job<'a> {
    p: &'static dyn DownloadPlatform,
    env: &'a CallEnv,
    url: url::Url,
    headers: HeaderMap,
    policy: &'a Policy,
    phase: &'a PhaseCell,
    target: Option<Resolved>,
    sandbox: &'a Sandbox,
    emitter: &'a super::control::Emitter,
    defect: Defect,
}

impl Job<'_> {
    async fn transfer(
        self,
        profile: &mut Profile,
    ) -> Result<(u16, HeaderMap, Resolved, u64), TransferError> {
        let Job {
            p,
            env,
            url,
            headers,
            policy,
            phase,
            target,
            sandbox,
            emitter,
            defect,
        } = self;
        let request = exchange::Request {
            method: Method::GET,
            url,
            headers,
            body: None,
        };
        let mut resp = exchange::send(request, policy, phase).await?;
        profile.response_start = now_ms();
        profile.redirects = resp.redirects;
        profile.port = resp.url.port_or_known_default().unwrap_or(0);
        if defect == Defect::FailOnHttpError && resp.status.as_u16() >= 400 {
            return Err(TransferError::Body {
                detail: format!("HTTP {}", resp.status.as_u16()),
            });
        }
        if p.sends_headers_received(env) {
            emitter
                .event(
                    EventKind::HeadersReceived,
                    json!({"header": header_object(&resp.headers)}),
                )
                .await;
        }
        let expected = announced_length(&resp.headers);
        if expected.is_none() && p.requires_length(env) {
            return Err(TransferError::UnknownLength);
        }
        let max = match defect {
            Defect::NoSizeLimit => None,
            Defect::SizeLimitIgnoresVersion => p.max_body(&CallEnv {
                // A base library newer than any the specs name.
                sdk_version: "99.0.0".into(),
                ..env.clone()
            }),
            _ => p.max_body(env),
        };
        if let (Some(len), Some(limit)) = (expected, max)
            && len > limit
        {
            return Err(TransferError::TooLarge {
                limit,
                declared: true,
            });
        }
        let target = match target {
            Some(t) => t,
            None => sandbox.new_temp_file(temp_extension(&resp.headers, &resp.url).as_deref()),
        };
        let space_left = match target.area {
            Area::User => sandbox.user_space_left().await.map_err(file_error)?,
            Area::Temp => None,
        };
        if let (Some(len), Some(left)) = (expected, space_left)
            && len > left
        {
            return Err(TransferError::QuotaExceeded);
        }
        let (mut partial, mut file) = sandbox
            .create_partial(&target.fs_path)
            .await
            .map_err(file_error)?;
        if defect == Defect::PartialFileKept {
            partial.keep_on_failure();
        }
        phase.set(Phase::Body);
        let progress = p.sends_progress(env);
        let mut throttle = Throttle::new(expected);
        let mut reader = BodyReader::new(&mut resp.body, expected, max);
        let mut held = None;
        while let Some(chunk) = reader.next_chunk().await? {
            if let Some(left) = space_left
                && reader.received() > left
            {
                return Err(TransferError::QuotaExceeded);
            }
            file.write_all(&chunk)
                .await
                .map_err(|e| TransferError::FileWrite {
                    detail: e.to_string(),
                })?;
            if progress && let Some(ev) = throttle.update(reader.received()) {
                if defect == Defect::ProgressOutOfOrder && held.is_none() {
                    // Sent after the next one.
                    held = Some(ev);
                    continue;
                }
                emitter.event(EventKind::Progress, p.progress(ev)).await;
                if let Some(ev) = held.take() {
                    emitter.event(EventKind::Progress, p.progress(ev)).await;
                }
            }
        }
        let size = reader.received();
        file.flush().await.map_err(|e| TransferError::FileWrite {
            detail: e.to_string(),
        })?;
        drop(file);
        phase.set(Phase::Finish);
        profile.response_end = now_ms();
        profile.received = size;
        if size == 0 && p.empty_body_fails() {
            return Err(TransferError::EmptyBody);
        }
        if let Some(ev) = held {
            emitter.event(EventKind::Progress, p.progress(ev)).await;
        }
        if progress && defect != Defect::ProgressShortOf100 {
            emitter
                .event(EventKind::Progress, p.progress(throttle.finish(size)))
                .await;
        }
        partial.commit().await.map_err(file_error)?;
        Ok((resp.status.as_u16(), resp.headers, target, size))
    }
}

fn fill_profile(profile: &mut Profile, phase: &PhaseCell) {
    profile.dns_start = phase.entered(Phase::Dns);
    profile.connect_start = phase.entered(Phase::Connect);
    profile.dns_end = profile.connect_start;
    profile.ssl_start = phase.entered(Phase::Tls);
    profile.request_start = phase.entered(Phase::Headers);
    profile.connect_end = profile.request_start;
    profile.ssl_end = if profile.ssl_start > 0 {
        profile.request_start
    } else {
        0
    };
}

async fn sleep_opt(d: Option<Duration>) {
    match d {
        Some(d) => tokio::time::sleep(d).await,
        None => std::future::pending().await,
    }
}

/// `statusCode` as the other JSON type: a string becomes a number and a number a string.
fn flip_status_code_type(data: &mut Value) {
    if let Some(code) = data.get_mut("statusCode") {
        *code = match code.take() {
            Value::String(s) => s
                .parse::<u64>()
                .map(Value::from)
                .unwrap_or(Value::String(s)),
            Value::Number(n) => Value::String(n.to_string()),
            other => other,
        };
    }
}

/// The `url` argument, which must be a string.
pub fn url_arg(args: &Map<String, Value>) -> Result<&str, TransferError> {
    match args.get("url") {
        Some(Value::String(s)) => Ok(s),
        other => Err(TransferError::BadArgument(format!(
            "parameter.url should be String instead of {}",
            type_name(other)
        ))),
    }
}

/// An optional string argument; present but not a string is an argument error.
pub fn string_arg(args: &Map<String, Value>, name: &str) -> Result<Option<String>, TransferError> {
    match args.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        other => Err(TransferError::BadArgument(format!(
            "parameter.{name} should be String instead of {}",
            type_name(other)
        ))),
    }
}

/// JavaScript's name for a JSON value's type, as parameter errors spell it.
pub fn type_name(v: Option<&Value>) -> &'static str {
    match v {
        None => "Undefined",
        Some(Value::Null) => "Null",
        Some(Value::Bool(_)) => "Boolean",
        Some(Value::Number(_)) => "Number",
        Some(Value::String(_)) => "String",
        Some(Value::Array(_)) => "Array",
        Some(Value::Object(_)) => "Object",
    }
}

/// Resolve a filePath argument for writing, sorting refusals into the platform's categories.
pub async fn resolve_target(
    sandbox: &Sandbox,
    p: &dyn DownloadPlatform,
    file_path: &str,
) -> Result<Resolved, TransferError> {
    let r = sandbox
        .resolve_for_write(file_path)
        .await
        .map_err(|e| path_error(file_path, e))?;
    if !p.writable(r.area) {
        return Err(TransferError::FilePath {
            path: file_path.into(),
            detail: "read-only folder".into(),
            denied: true,
        });
    }
    Ok(r)
}

/// A sandbox refusal as a transfer error.
pub fn path_error(path: &str, e: SandboxError) -> TransferError {
    match e {
        SandboxError::Traversal(_) => TransferError::FilePath {
            path: path.into(),
            detail: e.to_string(),
            denied: true,
        },
        SandboxError::Outside(_) | SandboxError::IsDirectory(_) => TransferError::FilePath {
            path: path.into(),
            detail: e.to_string(),
            denied: false,
        },
        SandboxError::MissingParent(_) | SandboxError::NotFound(_) => {
            TransferError::NoSuchFile { path: path.into() }
        }
        other => file_error(other),
    }
}

/// A file system failure while writing.
pub fn file_error(e: SandboxError) -> TransferError {
    match e {
        SandboxError::QuotaExceeded { .. } => TransferError::QuotaExceeded,
        other => TransferError::FileWrite {
            detail: other.to_string(),
        },
    }
}

/// The request headers: the caller's, minus the engine's and the platform's forbidden ones, plus
/// the platform's own. Values that are not valid header text are dropped.
pub fn request_headers(
    p: &dyn DownloadPlatform,
    env: &CallEnv,
    arg: Option<&Value>,
    defect: Defect,
) -> HeaderMap {
    let forbidden = match defect {
        Defect::ForbiddenHeadersPassed => &[],
        _ => p.forbidden_headers(),
    };
    merge_headers(arg, forbidden, p.own_headers(env))
}

/// Caller headers without `forbidden`, then `own` where the caller set nothing.
pub fn merge_headers(
    arg: Option<&Value>,
    forbidden: &[&str],
    own: Vec<(&'static str, String)>,
) -> HeaderMap {
    let mut map = HeaderMap::new();
    if let Some(Value::Object(obj)) = arg {
        for (k, v) in obj {
            let name = k.to_ascii_lowercase();
            if forbidden.contains(&name.as_str()) {
                continue;
            }
            let text = match v {
                Value::String(s) => s.clone(),
                Value::Null => continue,
                other => other.to_string(),
            };
            if let (Ok(n), Ok(v)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(&text),
            ) {
                map.append(n, v);
            }
        }
    }
    for (name, value) in own {
        if !map.contains_key(name)
            && let Ok(v) = HeaderValue::from_str(&value)
        {
            map.insert(HeaderName::from_static(name), v);
        }
    }
    map
}

/// Extension for a temp file: from Content-Disposition's file name, else the URL's last segment.
pub fn temp_extension(headers: &HeaderMap, url: &url::Url) -> Option<String> {
    headers
        .get(header::CONTENT_DISPOSITION)
        .and_then(|v| disposition_filename(&String::from_utf8_lossy(v.as_bytes())))
        .and_then(|name| name.rsplit_once('.').map(|(_, e)| e.to_string()))
        .or_else(|| url_check::extension(url))
}

/// The file name of a Content-Disposition value; `filename*` (RFC 5987) wins over `filename`.
pub fn disposition_filename(value: &str) -> Option<String> {
    let mut plain = None;
    for part in value.split(';').map(str::trim) {
        let Some((key, val)) = part.split_once('=') else {
            continue;
        };
        match key.trim().to_ascii_lowercase().as_str() {
            "filename*" => {
                let val = val.trim().trim_matches('"');
                let encoded = val.splitn(3, '\'').nth(2).unwrap_or(val);
                return Some(
                    percent_encoding::percent_decode_str(encoded)
                        .decode_utf8_lossy()
                        .into_owned(),
                );
            }
            "filename" => plain = Some(val.trim().trim_matches('"').to_string()),
            _ => {}
        }
    }
    plain
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disposition_names() {
        assert_eq!(
            disposition_filename("attachment; filename=\"a.pdf\"").as_deref(),
            Some("a.pdf")
        );
        assert_eq!(
            disposition_filename("attachment; filename=\"x.bin\"; filename*=UTF-8''%E6%96%87.txt")
                .as_deref(),
            Some("文.txt")
        );
        assert_eq!(disposition_filename("inline"), None);
    }

    #[test]
    fn forbidden_headers_are_replaced() {
        let arg =
            json!({"Referer": "https://forged", "X-Probe": "1", "User-Agent": "mine", "n": 5});
        let h = merge_headers(
            Some(&arg),
            &["referer"],
            vec![
                ("referer", "https://own".into()),
                ("user-agent", "ua".into()),
            ],
        );
        assert_eq!(h["referer"], "https://own");
        assert_eq!(h["user-agent"], "mine");
        assert_eq!(h["x-probe"], "1");
        assert_eq!(h["n"], "5");
    }

    #[test]
    fn url_must_be_a_string() {
        let mut args = Map::new();
        args.insert("url".into(), json!(12345));
        assert_eq!(
            url_arg(&args),
            Err(TransferError::BadArgument(
                "parameter.url should be String instead of Number".into()
            ))
        );
    }
}
