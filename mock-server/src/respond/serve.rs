//! Serving one request for a scenario: journal, CORS, redirects, uploads, then the response.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request, Response};
use hyper::body::Incoming;
use sha2::{Digest, Sha256};

use crate::control::journal::{ConnectionEnd, RequestRecord};
use crate::respond::fault::{ListenerKind, Scenario};
use crate::respond::headers::{ADDED_BY_HYPER, SERVER, cors, expose_all, preflight};
use crate::respond::hyper_body::{RespBody, TrackedBody, empty, full, pumped};
use crate::respond::plan::{BodySource, Plan};
use crate::respond::pump::Pump;
use crate::respond::raw;
use crate::respond::redirect::{RedirectRequest, location};
use crate::respond::upload::{self, UploadEnd};
use crate::state::{ConnCtx, Shared};

/// Generated bodies up to this size are hashed before the head when the digest is not cached yet.
const HASH_BEFORE_HEAD: u64 = 64 << 20;

/// Build a response; headers HTTP refuses are left out (plans are validated before).
pub fn response(status: u16, headers: &[(String, String)], body: RespBody) -> Response<RespBody> {
    let mut resp = Response::new(body);
    *resp.status_mut() =
        http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    let map = resp.headers_mut();
    map.insert(http::header::SERVER, http::HeaderValue::from_static(SERVER));
    let mut headers = headers.to_vec();
    expose_all(&mut headers, &ADDED_BY_HYPER);
    for (n, v) in &headers {
        if let (Ok(n), Ok(v)) = (
            http::HeaderName::from_bytes(n.as_bytes()),
            http::HeaderValue::from_bytes(v.as_bytes()),
        ) {
            map.append(n, v);
        }
    }
    resp
}

/// A short text response.
pub fn text(status: u16, msg: impl Into<String>) -> Response<RespBody> {
    let msg = msg.into() + "\n";
    response(
        status,
        &[("Content-Type".into(), "text/plain; charset=utf-8".into())],
        full(msg),
    )
}

fn header(req: &Request<Incoming>, name: http::header::HeaderName) -> Option<&str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

/// A CORS preflight: the `OPTIONS` a browser sends by itself, naming the method to come.
fn is_preflight(req: &Request<Incoming>) -> bool {
    req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(http::header::ACCESS_CONTROL_REQUEST_METHOD)
}

/// The journal record for a request that just arrived.
pub fn record_of(req: &Request<Incoming>, listener: ListenerKind, at_ms: u64) -> RequestRecord {
    RequestRecord {
        method: req.method().to_string(),
        path: req
            .uri()
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| req.uri().path().to_string()),
        listener: listener_name(listener).to_string(),
        version: format!("{:?}", req.version()),
        headers: req
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        status: 0,
        body_len: None,
        body_sha256: None,
        bytes_sent: 0,
        end: ConnectionEnd::Open,
        upload: None,
        at_ms,
        duration_ms: 0,
    }
}

/// Every listener's base URL by name, as the index, the control API and the ready file list them.
pub fn listener_urls(
    endpoints: &crate::state::Endpoints,
) -> serde_json::Map<String, serde_json::Value> {
    ListenerKind::ALL
        .iter()
        .map(|l| (listener_name(*l).to_string(), endpoints.base_url(*l).into()))
        .collect()
}

/// The kebab-case name of a listener.
pub fn listener_name(l: ListenerKind) -> &'static str {
    match l {
        ListenerKind::Http => "http",
        ListenerKind::Https => "https",
        ListenerKind::SelfSigned => "self-signed",
        ListenerKind::Expired => "expired",
        ListenerKind::NotYetValid => "not-yet-valid",
        ListenerKind::WrongHost => "wrong-host",
        ListenerKind::UntrustedCa => "untrusted-ca",
    }
}

/// Serve `req` for `scenario`, recording it under `key`; `hop` is the redirect hop already followed.
pub async fn serve(
    shared: Arc<Shared>,
    cx: Arc<ConnCtx>,
    req: Request<Incoming>,
    key: String,
    scenario: Arc<Scenario>,
    hop: u32,
) -> Response<RespBody> {
    cx.count_for(&key, &shared);
    let record = record_of(&req, cx.conn.listener, shared.journal.now_ms());
    let mut guard = if is_preflight(&req) {
        shared.journal.begin_preflight(&key, record)
    } else {
        shared.journal.begin(&key, record)
    };
    let extra = cors(header(&req, http::header::ORIGIN));

    if req.method() == Method::OPTIONS {
        let mut h = extra.clone();
        h.extend(preflight(header(
            &req,
            http::header::ACCESS_CONTROL_REQUEST_HEADERS,
        )));
        h.push(("Content-Length".into(), "0".into()));
        guard.status(204);
        return response(204, &h, TrackedBody::boxed(empty(), guard));
    }

    let checked = crate::respond::plan::check_body_size(&scenario, shared.max_body_bytes)
        .and_then(|()| Plan::from_scenario(&scenario));
    let mut plan = match checked {
        Ok(p) => p,
        Err(e) => {
            guard.status(400);
            return response(
                400,
                &extra,
                TrackedBody::boxed(full(format!("{e}\n")), guard),
            );
        }
    };

    if let Some((status, to, hops)) = plan.redirect {
        if to == crate::respond::fault::RedirectTo::Loop || hop < hops {
            let authority = header(&req, http::header::HOST)
                .map(str::to_string)
                .or_else(|| req.uri().authority().map(|a| a.to_string()))
                .unwrap_or_else(|| {
                    format!(
                        "{}:{}",
                        shared.endpoints.host,
                        shared
                            .endpoints
                            .ports
                            .get(&cx.conn.listener)
                            .copied()
                            .unwrap_or(0)
                    )
                });
            let rr = RedirectRequest {
                scheme: if cx.conn.listener.is_tls() {
                    "https"
                } else {
                    "http"
                },
                authority: &authority,
                path: req.uri().path(),
                query: req.uri().query().unwrap_or(""),
                https_port: shared
                    .endpoints
                    .ports
                    .get(&ListenerKind::Https)
                    .copied()
                    .unwrap_or(0),
            };
            let mut h = extra.clone();
            h.push(("Location".into(), location(to, &rr, hop + 1)));
            h.push(("Content-Type".into(), "text/plain; charset=utf-8".into()));
            guard.status(status);
            return response(status, &h, TrackedBody::boxed(full("redirecting\n"), guard));
        }
    }

    let head_only = req.method() == Method::HEAD;
    let is_upload = matches!(*req.method(), Method::POST | Method::PUT | Method::PATCH);
    if is_upload {
        if plan.upload.early_413 {
            let mut h = extra.clone();
            h.push(("Connection".into(), "close".into()));
            h.push(("Content-Type".into(), "text/plain; charset=utf-8".into()));
            guard.status(413);
            // Answer at once, but keep reading (and discarding) what the client is still sending,
            // as servers with a lingering close do: closing on a client that is mid-write makes
            // its kernel see a reset, and it may never read the 413.
            let body = req.into_body();
            tokio::spawn(async move {
                use http_body_util::BodyExt;
                let drain = async {
                    let mut body = body;
                    while let Some(Ok(_)) = body.frame().await {}
                };
                let _ = tokio::time::timeout(std::time::Duration::from_secs(10), drain).await;
            });
            return response(
                413,
                &h,
                TrackedBody::boxed(full("payload too large\n"), guard),
            );
        }
        let ct = header(&req, http::header::CONTENT_TYPE).map(str::to_string);
        let (record, end) =
            upload::receive(req.into_body(), ct.as_deref(), plan.upload, cx.conn.clone()).await;
        guard.upload(record.clone());
        match end {
            UploadEnd::Reset => {
                guard.finish(ConnectionEnd::ServerReset);
                return response(200, &[], empty());
            }
            UploadEnd::Failed(e) => {
                if cx.conn.is_gone() {
                    guard.finish(ConnectionEnd::ClientAbort);
                    return response(200, &[], empty());
                }
                guard.status(400);
                return response(
                    400,
                    &extra,
                    TrackedBody::boxed(full(format!("upload not readable: {e}\n")), guard),
                );
            }
            UploadEnd::Done => {
                if !plan.body_chosen {
                    let summary = serde_json::to_vec(&record).unwrap_or_default();
                    plan.body = BodySource::Fixed(Bytes::from(summary));
                    plan.content_type = "application/json".into();
                }
            }
        }
    }

    if let Some((arrivals, max_ms)) = plan.hold_until {
        shared
            .gates
            .hold(&key, arrivals, Duration::from_millis(max_ms))
            .await;
    }
    if plan.delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(plan.delay_ms)).await;
    }
    let sha = match &plan.body {
        BodySource::Generated { seed, size } => {
            let (seed, size) = (*seed, *size);
            match crate::respond::body::cached_sha256(seed, size) {
                Some(hit) => Some(hit),
                None if size <= HASH_BEFORE_HEAD => tokio::task::spawn_blocking(move || {
                    crate::respond::body::generated_sha256(seed, size)
                })
                .await
                .ok(),
                // Hashing a huge body first would delay the head by seconds: it is hashed as it
                // streams, and the digest reaches the journal when the last byte has been made.
                None => None,
            }
        }
        BodySource::Fixed(b) => Some(hex::encode(Sha256::digest(b))),
    };
    guard.body(Some(plan.body.len()), sha);

    if !cx.conn.h2 && plan.needs_raw() {
        let io = cx.conn.hijack();
        raw::respond(io, &plan, &extra, head_only, guard).await;
        // hyper writes this placeholder into the hijacked connection, where it goes nowhere.
        return response(200, &[], empty());
    }
    if plan.stall {
        // The guard records `client_abort` (or `open` at shutdown) when hyper drops this future.
        std::future::pending::<()>().await;
    }

    let mut h = extra;
    h.push(("Content-Type".into(), plan.content_type.clone()));
    if plan.gzip {
        h.push(("Content-Encoding".into(), "gzip".into()));
    }
    let mut limit = if head_only { 0 } else { u64::MAX };
    if !plan.is_chunked() {
        h.push(("Content-Length".into(), plan.announced_len().to_string()));
        limit = limit.min(plan.announced_len());
    }
    if let Some(cut) = plan.cut {
        limit = limit.min(cut.at());
    }
    h.extend(plan.headers.iter().cloned());
    guard.status(plan.status);
    if head_only {
        return response(plan.status, &h, TrackedBody::boxed(empty(), guard));
    }
    let handle = guard.handle();
    let pump = Pump::new(&plan, limit).digest_to(move |sha| handle.body_sha256(sha));
    let body = pumped(pump, plan.cut, cx.conn.clone());
    let tracked = match (plan.is_chunked(), plan.cut) {
        (false, None) => TrackedBody::with_len(body, guard, limit),
        _ => TrackedBody::boxed(body, guard),
    };
    response(plan.status, &h, tracked)
}
