//! The Feishu server API client for `im.v1.file.get`: fetch a tenant token, GET
//! `/open-apis/im/v1/files/:file_key`, stream the binary body into the sandbox; error answers
//! become `{code, msg, httpStatus}` from the server's JSON, transport failures code -1.

use http::Method;
use http::header::{AUTHORIZATION, CONTENT_DISPOSITION, CONTENT_TYPE, HeaderMap, HeaderValue};
use http_body_util::{BodyExt, Full};
use serde_json::{Map, Value, json};
use tokio::io::AsyncWriteExt;

use super::download::{path_error, string_arg};
use super::sandbox::Sandbox;
use super::transport::body::{BodyReader, read_all};
use super::transport::{PhaseCell, Policy, TransferError, exchange, url_check};
use super::{CallCtx, Defect, Shared};
use crate::control::Reaction;
use dlconform_protocol::CallEnv;

/// Largest error body read.
const MAX_ERROR_BODY: u64 = 1024 * 1024;
/// Retries of a rate-limited GET: the documents state the limits and the reset header, not a
/// retry, so a few bounded ones are a client's choice; past them the 429 is the call's failure.
const RATE_LIMIT_RETRIES: u32 = 2;
/// Longest wait honoured from `x-ogw-ratelimit-reset`, in seconds.
const MAX_RESET_WAIT_SECS: u64 = 5;

/// A failed call: the server's answer or a transport error.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The server answered with an error.
    Server {
        /// The server's `code` (or -1 when its body was not the documented JSON).
        code: i64,
        /// The server's `msg`.
        msg: String,
        /// HTTP status.
        status: u16,
    },
    /// No usable answer.
    Transport(TransferError),
}

impl From<TransferError> for ApiError {
    fn from(e: TransferError) -> Self {
        ApiError::Transport(e)
    }
}

impl ApiError {
    /// The fail object.
    pub fn to_value(&self) -> Value {
        match self {
            ApiError::Server { code, msg, status } => {
                json!({"code": code, "msg": msg, "httpStatus": status})
            }
            ApiError::Transport(e) => json!({"code": -1, "msg": e.to_string(), "httpStatus": 0}),
        }
    }
}

/// Run one im.v1.file.get call to its end.
pub async fn run(ctx: CallCtx) {
    let CallCtx {
        env,
        args,
        emitter,
        mut signals,
        shared,
    } = ctx;
    let result = tokio::select! {
        r = execute(&args, &env, &shared) => r,
        err = signals.interrupted(|_| Reaction::FailNow) => Err(ApiError::Transport(err)),
    };
    emitter.finish(result.map_err(|e| e.to_value())).await;
}

fn required(args: &Map<String, Value>, name: &str) -> Result<String, TransferError> {
    string_arg(args, name)?.ok_or_else(|| TransferError::BadArgument(format!("{name} is required")))
}

async fn execute(
    args: &Map<String, Value>,
    env: &CallEnv,
    shared: &Shared,
) -> Result<Value, ApiError> {
    let base_url = required(args, "base_url")?;
    let file_key = required(args, "file_key")?;
    let file_path = required(args, "file_path")?;
    let content_type_json = args
        .get("content_type_json")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let base = url_check::parse(&base_url)?;

    let sandbox = Sandbox::from_env(&env.fs);
    let target = match shared.defect {
        Defect::SandboxEscape => sandbox.resolve_unchecked(&file_path),
        _ => sandbox.resolve_for_write(&file_path).await,
    }
    .map_err(|e| path_error(&file_path, e))?;
    let policy = Policy {
        schemes: vec!["https".into(), "http".into()],
        domains: None,
        max_redirects: 5,
        follow_redirects: shared.defect != Defect::RedirectsNotFollowed,
        tls: match shared.defect {
            Defect::ServerApiIgnoresCa => {
                std::sync::Arc::new(crate::transport::tls::trusting_nothing()?)
            }
            defect => shared.tls.for_call(&env.ca_cert, defect)?,
        },
        http2: false,
        case_sensitive_headers: shared.defect == Defect::HeaderCaseSensitive,
    };
    let phase = PhaseCell::new();

    let token = match string_arg(args, "tenant_access_token")? {
        Some(t) => t,
        None => {
            fetch_token(
                &base,
                &required(args, "app_id")?,
                &required(args, "app_secret")?,
                &policy,
                &phase,
            )
            .await?
        }
    };

    let mut url = base.clone();
    url.path_segments_mut()
        .map_err(|_| TransferError::InvalidUrl {
            url: base_url.clone(),
        })?
        .pop_if_empty()
        .extend(["open-apis", "im", "v1", "files", file_key.as_str()]);
    let mut headers = HeaderMap::new();
    if !token.is_empty()
        && shared.defect != Defect::TokenNotSent
        && let Ok(v) = HeaderValue::from_str(&format!("Bearer {token}"))
    {
        headers.insert(AUTHORIZATION, v);
    }
    if content_type_json {
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
    }
    let mut retries = 0;
    let mut resp = loop {
        let resp = exchange::send(
            exchange::Request {
                method: Method::GET,
                url: url.clone(),
                headers: headers.clone(),
                body: None,
            },
            &policy,
            &phase,
        )
        .await?;
        match retry_wait(&resp.headers, resp.status.as_u16()) {
            Some(wait)
                if retries < RATE_LIMIT_RETRIES && shared.defect != Defect::NoRateLimitRetry =>
            {
                retries += 1;
                tokio::time::sleep(wait).await;
            }
            _ => break resp,
        }
    };
    let status = resp.status.as_u16();
    // The seeded defect only looks at the body: anything but JSON is taken for the file.
    let non_json_is_file = shared.defect == Defect::NonJsonErrorAsSuccess
        && resp
            .headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| !t.contains("json"));
    if status != 200 && !non_json_is_file {
        let body = read_all(&mut resp.body, MAX_ERROR_BODY).await?;
        return Err(server_error(status, &body));
    }
    let disposition = resp
        .headers
        .get(CONTENT_DISPOSITION)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let expected = super::transport::body::announced_length(&resp.headers);
    let space_left = match target.area {
        super::sandbox::Area::User => sandbox
            .user_space_left()
            .await
            .map_err(super::download::file_error)?,
        super::sandbox::Area::Temp => None,
    };
    let (partial, mut file) = sandbox
        .create_partial(&target.fs_path)
        .await
        .map_err(super::download::file_error)?;
    let mut reader = BodyReader::new(&mut resp.body, expected, None);
    while let Some(chunk) = reader.next_chunk().await? {
        if space_left.is_some_and(|left| reader.received() > left) {
            return Err(TransferError::QuotaExceeded.into());
        }
        file.write_all(&chunk)
            .await
            .map_err(|e| TransferError::FileWrite {
                detail: e.to_string(),
            })?;
    }
    let size = reader.received();
    file.flush().await.map_err(|e| TransferError::FileWrite {
        detail: e.to_string(),
    })?;
    drop(file);
    partial
        .commit()
        .await
        .map_err(super::download::file_error)?;
    let mut out = json!({"code": 0, "filePath": file_path, "size": size});
    if let (Some(d), Some(o)) = (disposition, out.as_object_mut()) {
        let naive = shared.defect == Defect::FileNameNaive;
        if let Some(name) = super::disposition::file_name(&d, naive) {
            o.insert("fileName".into(), json!(name));
        }
        o.insert("contentDisposition".into(), json!(d));
    }
    Ok(out)
}

/// How long to wait before retrying a 429 that says when its window reopens.
fn retry_wait(headers: &HeaderMap, status: u16) -> Option<std::time::Duration> {
    if status != 429 {
        return None;
    }
    let secs: u64 = headers
        .get("x-ogw-ratelimit-reset")?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(std::time::Duration::from_secs(
        secs.min(MAX_RESET_WAIT_SECS),
    ))
}

/// POST the token endpoint; a non-zero `code` is the call's failure.
async fn fetch_token(
    base: &url::Url,
    app_id: &str,
    app_secret: &str,
    policy: &Policy,
    phase: &PhaseCell,
) -> Result<String, ApiError> {
    // Appended, not joined: a base URL may carry a path prefix (a gateway, or the mock server's case root).
    let mut url = base.clone();
    url.path_segments_mut()
        .map_err(|_| TransferError::InvalidUrl {
            url: base.to_string(),
        })?
        .pop_if_empty()
        .extend(["open-apis", "auth", "v3", "tenant_access_token", "internal"]);
    let payload = json!({"app_id": app_id, "app_secret": app_secret}).to_string();
    let mut headers = HeaderMap::new();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    let body = Full::new(bytes::Bytes::from(payload))
        .map_err(|never| match never {})
        .boxed();
    let mut resp = exchange::send(
        exchange::Request {
            method: Method::POST,
            url,
            headers,
            body: Some(body),
        },
        policy,
        phase,
    )
    .await?;
    let status = resp.status.as_u16();
    let text = read_all(&mut resp.body, MAX_ERROR_BODY).await?;
    let parsed: Option<Value> = serde_json::from_slice(&text).ok();
    let code = parsed
        .as_ref()
        .and_then(|v| v.get("code"))
        .and_then(Value::as_i64);
    let token = parsed
        .as_ref()
        .and_then(|v| v.get("tenant_access_token"))
        .and_then(Value::as_str);
    match (code, token) {
        (Some(0), Some(t)) if status == 200 => Ok(t.to_string()),
        _ => Err(server_error(status, &text)),
    }
}

/// The server's `{code, msg}`, or code -1 with the raw text when the body is not that JSON.
pub fn server_error(status: u16, body: &[u8]) -> ApiError {
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    let code = parsed
        .as_ref()
        .and_then(|v| v.get("code"))
        .and_then(Value::as_i64);
    let msg = parsed
        .as_ref()
        .and_then(|v| v.get("msg"))
        .and_then(Value::as_str)
        .map(str::to_string);
    match code {
        Some(code) if code != 0 => ApiError::Server {
            code,
            msg: msg.unwrap_or_default(),
            status,
        },
        _ => ApiError::Server {
            code: -1,
            msg: format!(
                "HTTP {status}: {}",
                String::from_utf8_lossy(&body[..body.len().min(200)])
            ),
            status,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_errors_from_json() {
        let e = server_error(
            400,
            br#"{"code":234037,"msg":"Downloaded file size exceeds limit."}"#,
        );
        assert_eq!(
            e.to_value(),
            json!({"code": 234037, "msg": "Downloaded file size exceeds limit.", "httpStatus": 400})
        );
        let e = server_error(502, b"<html>bad gateway</html>");
        assert_eq!(e.to_value()["code"], json!(-1));
        assert_eq!(e.to_value()["httpStatus"], json!(502));
        let t = ApiError::Transport(TransferError::ConnectRefused { detail: "x".into() });
        assert_eq!(t.to_value()["code"], json!(-1));
        assert_eq!(t.to_value()["httpStatus"], json!(0));
    }

    #[test]
    fn retry_waits_only_for_a_429_with_a_reset_and_caps_the_wait() {
        let mut h = HeaderMap::new();
        assert_eq!(retry_wait(&h, 429), None);
        h.insert("x-ogw-ratelimit-reset", HeaderValue::from_static("1"));
        assert_eq!(retry_wait(&h, 429), Some(std::time::Duration::from_secs(1)));
        assert_eq!(retry_wait(&h, 400), None);
        h.insert("x-ogw-ratelimit-reset", HeaderValue::from_static("3600"));
        assert_eq!(
            retry_wait(&h, 429),
            Some(std::time::Duration::from_secs(MAX_RESET_WAIT_SECS))
        );
        h.insert("x-ogw-ratelimit-reset", HeaderValue::from_static("soon"));
        assert_eq!(retry_wait(&h, 429), None);
    }
}
