//! Which handler a request goes to: index, control API, URL grammar, registered case, Feishu emulation.

use std::convert::Infallible;
use std::sync::Arc;

use http::{Method, Request, Response};
use hyper::body::Incoming;

use crate::control::api as control;
use crate::control::journal::ConnectionEnd;
use crate::control::{device, index};
use crate::respond::fault::{ListenerKind, Scenario};
use crate::respond::hyper_body::{RespBody, TrackedBody};
use crate::respond::serve::{record_of, serve, text};
use crate::routing::url_grammar::{HOP_PARAM, parse_query};
use crate::state::{ConnCtx, Shared, valid_key};

/// Journal key for requests made through the URL grammar without `key=`.
pub const URL_KEY: &str = "url";

/// Answer one request.
pub async fn handle(
    shared: Arc<Shared>,
    cx: Arc<ConnCtx>,
    mut req: Request<Incoming>,
) -> Result<Response<RespBody>, Infallible> {
    // On a case's own origin every request is that case's, as if it came through `/c/<key>`.
    if let Some(key) = cx.local_port.and_then(|p| shared.origins.key_of_port(p))
        && let Some(uri) = crate::net::origins::prefixed(req.uri(), &key)
    {
        *req.uri_mut() = uri;
    }
    let path = req.uri().path().to_string();
    let resp = if path == "/" && is_get(&req) {
        index::html(&shared)
    } else if path == "/scenarios.json" && is_get(&req) {
        index::json(&shared)
    } else if let Some(resp) = device::handle(&shared, req.uri(), is_get(&req)) {
        resp
    } else if let Some(rest) = path.strip_prefix("/_control/") {
        if cx.conn.listener == ListenerKind::Http {
            control::handle(&shared, rest, req).await
        } else {
            text(404, "the control API is served on the plain HTTP listener")
        }
    } else if path.starts_with("/f/") {
        match parse_query(req.uri().query().unwrap_or("")) {
            Ok(parsed) => {
                let key = parsed.key.clone().unwrap_or_else(|| URL_KEY.to_string());
                if !valid_key(&key) {
                    text(400, "key must be [A-Za-z0-9._-]+")
                } else {
                    serve(shared, cx, req, key, Arc::new(parsed.scenario), parsed.hop).await
                }
            }
            Err(e) => text(400, e.to_string()),
        }
    } else if let Some(rest) = path.strip_prefix("/c/") {
        let (key, tail) = rest.split_once('/').unwrap_or((rest, ""));
        let tail = format!("/{tail}");
        match shared.scenario(key) {
            None => text(404, format!("no scenario registered under `{key}`")),
            Some(scenario) if scenario.feishu.is_some() && tail.starts_with("/open-apis/") => {
                feishu(shared.clone(), cx, req, key.to_string(), scenario, &tail).await
            }
            Some(scenario) => {
                let hop = hop_of(req.uri().query().unwrap_or(""));
                serve(shared, cx, req, key.to_string(), scenario, hop).await
            }
        }
    } else {
        text(404, "not found: see / for the catalog")
    };
    Ok(resp)
}

fn is_get(req: &Request<Incoming>) -> bool {
    req.method() == Method::GET || req.method() == Method::HEAD
}

fn hop_of(query: &str) -> u32 {
    query
        .split('&')
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| *k == HOP_PARAM)
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0)
}

/// Hand a request to the Feishu emulation with the `/c/<key>` prefix taken off its path.
async fn feishu(
    shared: Arc<Shared>,
    cx: Arc<ConnCtx>,
    mut req: Request<Incoming>,
    key: String,
    scenario: Arc<Scenario>,
    tail: &str,
) -> Response<RespBody> {
    cx.count_for(&key, &shared);
    let guard = shared.journal.begin(
        &key,
        record_of(&req, cx.conn.listener, shared.journal.now_ms()),
    );
    let path_and_query = match req.uri().query() {
        Some(q) => format!("{tail}?{q}"),
        None => tail.to_string(),
    };
    if let Ok(pq) = path_and_query.parse::<http::uri::PathAndQuery>() {
        let mut parts = req.uri().clone().into_parts();
        parts.path_and_query = Some(pq);
        if let Ok(uri) = http::Uri::from_parts(parts) {
            *req.uri_mut() = uri;
        }
    }
    let Some(fixture) = scenario.feishu.as_ref() else {
        let mut guard = guard;
        guard.finish(ConnectionEnd::Complete);
        return text(500, "no Feishu fixture");
    };
    let resp = crate::feishu::handle(&shared.feishu, &key, fixture, req).await;
    guard.status(resp.status().as_u16());
    // A served file's bytes are the generator's: announce them so clients' files can be checked.
    if resp.status() == http::StatusCode::OK
        && let Some(file_key) = tail.strip_prefix("/open-apis/im/v1/files/")
        && let Some(file) = fixture.files.iter().find(|f| f.file_key == file_key)
    {
        guard.body(
            Some(file.size),
            Some(crate::respond::body::generated_sha256(file.seed, file.size)),
        );
    }
    let (mut parts, body) = resp.into_parts();
    parts
        .headers
        .entry(http::header::SERVER)
        .or_insert(http::HeaderValue::from_static(
            crate::respond::headers::SERVER,
        ));
    if fixture.lowercase_headers && !cx.conn.h2 {
        let io = cx.conn.hijack();
        crate::respond::raw::relay_lowercase(io, Response::from_parts(parts, body), guard).await;
        // hyper writes this placeholder into the hijacked connection, where it goes nowhere.
        return Response::new(crate::respond::hyper_body::empty());
    }
    Response::from_parts(parts, TrackedBody::boxed(body, guard))
}
