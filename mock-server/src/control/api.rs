//! The JSON control API on the plain listener: register scenarios, read journals.
//!
//! - `PUT /_control/scenarios/<key>` with a Scenario as JSON: register (204)
//! - `GET /_control/scenarios/<key>`: the scenario (404 if none)
//! - `DELETE /_control/scenarios/<key>`: remove the scenario and its journal
//! - `GET /_control/journal/<key>`: the journal; `DELETE` clears it
//! - `POST /_control/origins/<key>`: open the key's own origins (plain and TLS listeners where
//!   every request belongs to the key, no `/c/<key>` prefix needed) and answer
//!   `{"http": "http://127.0.0.1:PORT", "https": "https://127.0.0.1:PORT"}`; `DELETE` closes them
//! - `GET /_control/stats`: how many keys have a journal, and how many were dropped to keep
//!   the store within its key budget (least recently used first)
//! - `GET /_control/info`: listeners, CA path and fingerprint, TLS handshake failures
//!
//! When the server is bound beyond 127.0.0.1 every request needs `Authorization: Bearer <token>`
//! (the token printed at start); journals leave the process with credentials redacted.

use http::{Method, Request, Response};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;

use crate::control::{record, token};
use crate::respond::fault::Scenario;
use crate::respond::hyper_body::{RespBody, full};
use crate::respond::plan::Plan;
use crate::respond::serve::{listener_name, response, text};
use crate::state::{Shared, valid_key};

/// Largest scenario document accepted.
const MAX_BODY: usize = 1 << 20;

fn json(status: u16, value: &impl serde::Serialize) -> Response<RespBody> {
    let body = serde_json::to_vec_pretty(value).unwrap_or_default();
    response(
        status,
        &[("Content-Type".into(), "application/json".into())],
        full(body),
    )
}

/// Answer `/_control/<rest>`.
pub async fn handle(shared: &Shared, rest: &str, req: Request<Incoming>) -> Response<RespBody> {
    if let Some(expected) = &shared.control_token
        && !token::presented(req.headers(), expected)
    {
        return response(
            401,
            &[
                ("Content-Type".into(), "text/plain; charset=utf-8".into()),
                ("WWW-Authenticate".into(), "Bearer".into()),
            ],
            full("the control API needs `Authorization: Bearer <token>` (printed at start)\n"),
        );
    }
    let (what, key) = rest.split_once('/').unwrap_or((rest, ""));
    if what == "info" {
        return json(200, &info(shared));
    }
    if what == "stats" {
        return json(
            200,
            &serde_json::json!({
                "journal_keys": shared.journal.key_count(),
                "dropped_journal_keys": shared.journal.dropped_keys(),
                "open_origins": shared.origins.open_count(),
            }),
        );
    }
    if !valid_key(key) {
        return text(400, "key must be [A-Za-z0-9._-]+");
    }
    match (what, req.method().clone()) {
        ("scenarios", Method::PUT) | ("scenarios", Method::POST) => {
            let body = match Limited::new(req.into_body(), MAX_BODY).collect().await {
                Ok(b) => b.to_bytes(),
                Err(e) => return text(400, format!("cannot read body: {e}")),
            };
            let scenario: Scenario = match serde_json::from_slice(&body) {
                Ok(s) => s,
                Err(e) => return text(400, format!("not a scenario: {e}")),
            };
            if let Err(e) = Plan::from_scenario(&scenario).and_then(|_| {
                crate::respond::plan::check_body_size(&scenario, shared.max_body_bytes)
            }) {
                return text(400, e.to_string());
            }
            shared.register(key, scenario);
            response(204, &[], full(""))
        }
        ("scenarios", Method::GET) => match shared.scenario(key) {
            Some(s) => json(200, &*s),
            None => text(404, format!("no scenario `{key}`")),
        },
        ("scenarios", Method::DELETE) => {
            shared.unregister(key);
            response(204, &[], full(""))
        }
        ("origins", Method::POST) => match shared.origins.open(key) {
            Ok(origin) => json(200, &origin),
            Err(e) => text(500, e.to_string()),
        },
        ("origins", Method::DELETE) => {
            shared.origins.close(key);
            response(204, &[], full(""))
        }
        ("journal", Method::GET) => json(200, &record::redacted(shared.journal.get(key))),
        ("journal", Method::DELETE) => {
            shared.journal.forget(key);
            response(204, &[], full(""))
        }
        _ => text(404, "unknown control request"),
    }
}

fn info(shared: &Shared) -> serde_json::Value {
    let listeners = crate::respond::serve::listener_urls(&shared.endpoints);
    let failures: serde_json::Map<String, serde_json::Value> = shared
        .handshake_failures
        .lock()
        .map(|m| {
            m.iter()
                .map(|(l, n)| (listener_name(*l).to_string(), (*n).into()))
                .collect()
        })
        .unwrap_or_default();
    serde_json::json!({
        "listeners": listeners,
        "ca_cert": shared.ca_cert_path.display().to_string(),
        "ca_sha256": shared.ca.fingerprint,
        "refused_port": shared.endpoints.refused_port,
        "tls_handshake_failures": failures,
    })
}
