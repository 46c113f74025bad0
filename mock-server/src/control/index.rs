//! The index page (`GET /`) and its JSON twin (`GET /scenarios.json`): the
//! catalog with an example URL and curl command per fault, plus extra rows
//! (platform, behaviour) a caller adds.

use serde::Serialize;

use crate::control::console;
use crate::control::escape::esc;
use crate::control::examples::EXAMPLES;
pub use crate::control::index_row::IndexRow;
use crate::respond::fault::{CATALOG, ListenerKind};
use crate::respond::hyper_body::{RespBody, full};
use crate::respond::serve::{listener_name, response};
use crate::state::Shared;

/// One catalog row as served.
#[derive(Debug, Clone, Serialize)]
struct CatalogRow {
    fault: &'static str,
    doc: &'static str,
    url: String,
    curl: String,
    expect: &'static str,
}

fn catalog_rows(shared: &Shared) -> Vec<CatalogRow> {
    let base = shared.endpoints.base_url(ListenerKind::Http);
    CATALOG
        .iter()
        .map(|f| {
            let ex = EXAMPLES.iter().find(|e| e.fault == f.name);
            let url = ex.map(|e| format!("{base}{}", e.path)).unwrap_or_default();
            let args = ex.map(|e| e.curl_args).unwrap_or("");
            let curl = if args.is_empty() {
                format!("curl -sS -o out.bin '{url}'")
            } else {
                format!("curl -sS -o out.bin {args} '{url}'")
            };
            CatalogRow {
                fault: f.name,
                doc: f.doc,
                url,
                curl,
                expect: ex.map(|e| e.expect).unwrap_or(""),
            }
        })
        .collect()
}

fn document(shared: &Shared) -> serde_json::Value {
    let listeners = crate::respond::serve::listener_urls(&shared.endpoints);
    let rows = shared
        .index_rows
        .read()
        .map(|r| r.clone())
        .unwrap_or_default();
    serde_json::json!({
        "listeners": listeners,
        "ca_cert": shared.ca_cert_path.display().to_string(),
        "ca_pem": format!("{}/ca.pem", shared.endpoints.base_url(ListenerKind::Http)),
        "ca_crt": format!("{}/ca.crt", shared.endpoints.base_url(ListenerKind::Http)),
        "ca_sha256": shared.ca.fingerprint,
        "catalog": catalog_rows(shared),
        "platform_rows": rows,
    })
}

/// `GET /scenarios.json`.
pub fn json(shared: &Shared) -> http::Response<RespBody> {
    let body = serde_json::to_vec_pretty(&document(shared)).unwrap_or_default();
    response(
        200,
        &[("Content-Type".into(), "application/json".into())],
        full(body),
    )
}

/// `GET /`.
pub fn html(shared: &Shared) -> http::Response<RespBody> {
    let mut out = String::from(
        "<!doctype html><html><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>dlconform mock server</title>\
         <style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}code{font-size:90%}</style>\
         </head><body><h1>dlconform mock server</h1>",
    );
    out.push_str("<h2>Listeners</h2><table><tr><th>listener</th><th>base URL</th></tr>");
    for l in ListenerKind::ALL {
        out.push_str(&format!(
            "<tr><td>{}</td><td><code>{}</code></td></tr>",
            listener_name(l),
            esc(&shared.endpoints.base_url(l))
        ));
    }
    out.push_str(&format!(
        "</table><p>Test CA: <a href=\"/ca.crt\">ca.crt</a> (DER) · <a href=\"/ca.pem\">ca.pem</a> (PEM) · \
         <a href=\"/ca\"><b>how to install it on a phone</b></a> · SHA-256 <code>{}</code><br>\
         On this machine: <code>{}</code> (pass it to curl with <code>--cacert</code>).</p>",
        esc(&shared.ca.fingerprint),
        esc(&shared.ca_cert_path.display().to_string())
    ));
    let rows = shared
        .index_rows
        .read()
        .map(|r| r.clone())
        .unwrap_or_default();
    if !rows.is_empty() {
        out.push_str(&console::section(&rows, &shared.endpoints.host));
    }
    out.push_str("<h2>Fault catalog</h2><p>Combine faults with <code>&amp;</code>; see the README for the grammar.</p><table><tr><th>fault</th><th>what</th><th>example</th><th>curl</th><th>expect</th></tr>");
    for r in catalog_rows(shared) {
        out.push_str(&format!(
            "<tr><td><code>{}</code></td><td>{}</td><td><a href=\"{u}\"><code>{u}</code></a></td><td><code>{}</code></td><td>{}</td></tr>",
            r.fault,
            esc(r.doc),
            esc(&r.curl),
            esc(r.expect),
            u = esc(&r.url)
        ));
    }
    out.push_str("</table></body></html>\n");
    response(
        200,
        &[("Content-Type".into(), "text/html; charset=utf-8".into())],
        full(out),
    )
}
