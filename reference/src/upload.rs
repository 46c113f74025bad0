//! `swan.uploadFile`: a multipart/form-data POST streamed from the sandbox file, with upload
//! progress, the 25 MB limit, abort, and `{data, statusCode}` on success.

use std::time::Duration;

use http::Method;
use http::header::{CONTENT_TYPE, HeaderValue};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tokio::sync::watch;

use super::download::{merge_headers, path_error, string_arg, url_arg};
use super::multipart::{Layout, MultipartBody};
use super::platform::baidu::{self, MAX_UPLOAD};
use super::sandbox::Sandbox;
use super::transport::body::read_all;
use super::transport::progress::{Progress, Throttle};
use super::transport::{PhaseCell, Policy, TransferError, exchange, url_check};
use super::{CallCtx, Defect};
use crate::control::Reaction;
use dlconform_protocol::EventKind;
use dlconform_protocol::HostEvent;

/// Largest response body kept as `data`.
const MAX_RESPONSE: u64 = 16 * 1024 * 1024;
/// No timeout is documented for swan.uploadFile; this bounds a server that never answers.
const TIMEOUT: Duration = Duration::from_secs(60);

/// Run one swan.uploadFile call to its end.
pub async fn run(mut ctx: CallCtx) {
    let result = execute(&mut ctx).await;
    let os = ctx.env.os;
    let data = result.map_err(|err| {
        let (code, msg) = baidu::upload_err(os, &err);
        json!({"errCode": code, "errMsg": msg})
    });
    ctx.emitter.finish(data).await;
    if ctx.shared.defect == Defect::LateAbortFires
        && ctx
            .signals
            .abort_within(crate::control::LATE_ABORT_LISTEN)
            .await
    {
        // abort() on the finished task fails the call once more.
        let (code, msg) = baidu::upload_err(os, &TransferError::Aborted);
        ctx.emitter
            .finish(Err(json!({"errCode": code, "errMsg": msg})))
            .await;
    }
}

async fn execute(ctx: &mut CallCtx) -> Result<Value, TransferError> {
    let env = &ctx.env;
    let url = url_arg(&ctx.args)?.to_string();
    let file_path = string_arg(&ctx.args, "filePath")?
        .ok_or_else(|| TransferError::BadArgument("parameter.filePath is required".into()))?;
    let name = string_arg(&ctx.args, "name")?
        .filter(|n| !n.is_empty())
        .ok_or_else(|| TransferError::BadArgument("parameter.name is required".into()))?;
    let defect = ctx.shared.defect;
    let fields = match defect {
        Defect::FormDataDropped => Vec::new(),
        _ => form_fields(ctx.args.get("formData")),
    };
    let url = url_check::parse(&url)?;
    let schemes: Vec<String> = if env.release && defect != Defect::HttpInRelease {
        vec!["https".into()]
    } else {
        vec!["https".into(), "http".into()]
    };
    url_check::check_scheme(&url, &schemes)?;
    let domains = match defect {
        Defect::DomainListIgnored => None,
        _ => env.domains.clone(),
    };
    url_check::check_domain(&url, domains.as_deref())?;

    let sandbox = Sandbox::from_env(&env.fs);
    let (source, len) = sandbox
        .resolve_for_read(&file_path)
        .await
        .map_err(|e| path_error(&file_path, e))?;
    if len > MAX_UPLOAD && defect != Defect::NoSizeLimit {
        return Err(TransferError::TooLarge {
            limit: MAX_UPLOAD,
            declared: true,
        });
    }
    let file_name = source
        .fs_path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".into());
    let layout = Layout::new(&boundary(), &fields, &name, &file_name, len);
    let total = layout.len();

    let mut headers = merge_headers(
        ctx.args.get("header"),
        if defect == Defect::ForbiddenHeadersPassed {
            &[]
        } else {
            &["referer"]
        },
        baidu::own_headers(env),
    );
    // The body is multipart whatever the caller's content-type says.
    if let Ok(v) = HeaderValue::from_str(&layout.content_type()) {
        headers.insert(CONTENT_TYPE, v);
    }
    let file =
        tokio::fs::File::open(&source.fs_path)
            .await
            .map_err(|e| TransferError::NoSuchFile {
                path: format!("{file_path}: {e}"),
            })?;
    let (progress_tx, mut progress_rx) = watch::channel(0u64);
    let body = MultipartBody::new(layout, file, progress_tx).boxed();
    let policy = Policy {
        schemes,
        domains,
        max_redirects: 0,
        follow_redirects: true,
        tls: ctx.shared.tls.for_call(&env.ca_cert, defect)?,
        http2: false,
        case_sensitive_headers: defect == Defect::HeaderCaseSensitive,
    };
    let phase = PhaseCell::new();
    let emitter = ctx.emitter.clone();
    let request = exchange::Request {
        method: Method::POST,
        url,
        headers,
        body: Some(body),
    };
    let transfer = async {
        let mut resp = exchange::send(request, &policy, &phase).await?;
        let text = read_all(&mut resp.body, MAX_RESPONSE).await?;
        Ok::<_, TransferError>((
            resp.status.as_u16(),
            String::from_utf8_lossy(&text).into_owned(),
        ))
    };
    let progress = async {
        let mut throttle = Throttle::new(Some(total));
        while progress_rx.changed().await.is_ok() {
            let sent = *progress_rx.borrow_and_update();
            if let Some(p) = throttle.update(sent) {
                emitter.event(EventKind::Progress, progress_data(p)).await;
            }
        }
        std::future::pending::<()>().await;
    };
    let react = |e: HostEvent| match e {
        HostEvent::Offline | HostEvent::NetworkChange => Reaction::FailNow,
        HostEvent::Background => Reaction::Ignore,
    };
    let (status, data) = tokio::select! {
        r = transfer => r?,
        // Never taken: the progress loop does not end.
        _ = progress => return Err(TransferError::Internal { detail: "progress loop ended".into() }),
        err = ctx.signals.interrupted(react) => return Err(err),
        _ = tokio::time::sleep(TIMEOUT) => return Err(TransferError::Timeout { phase: phase.get() }),
    };
    let mut last = Throttle::new(Some(total));
    emitter
        .event(EventKind::Progress, progress_data(last.finish(total)))
        .await;
    Ok(json!({"data": data, "statusCode": status}))
}

fn progress_data(p: Progress) -> Value {
    json!({"progress": p.percent, "totalBytesSent": p.done, "totalBytesExpectedToSend": p.expected})
}

/// formData as (name, text) pairs; non-string values in their JSON text.
fn form_fields(v: Option<&Value>) -> Vec<(String, String)> {
    let Some(Value::Object(obj)) = v else {
        return Vec::new();
    };
    obj.iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| {
            (
                k.clone(),
                v.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| v.to_string()),
            )
        })
        .collect()
}

fn boundary() -> String {
    use sha2::{Digest, Sha256};
    let d = Sha256::digest(super::transport::now_ms().to_le_bytes());
    format!("----dlconformBoundary{}", hex::encode(&d[..8]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_fields_keep_strings_and_stringify_the_rest() {
        let v = json!({"user": "test", "n": 3, "skip": null});
        assert_eq!(
            form_fields(Some(&v)),
            vec![("user".into(), "test".into()), ("n".into(), "3".into())]
        );
        assert!(form_fields(Some(&json!("x"))).is_empty());
    }
}
