//! What a device fetches besides scenarios: the test CA (`/ca.pem`, `/ca.crt`), the page that
//! says how to install it (`/ca`), what the server saw per case (`/live/<key>.json`) and QR
//! codes (`/qr.svg?text=...`, loaded by the index only when a QR code is opened).

use crate::control::{qr, record};
use crate::respond::fault::ListenerKind;
use crate::respond::hyper_body::{RespBody, full};
use crate::respond::serve::{listener_name, response, text as text_response};
use crate::state::{Shared, valid_key};

/// Answer a device path, or `None` when `path` is not one.
pub fn handle(shared: &Shared, uri: &http::Uri, get: bool) -> Option<http::Response<RespBody>> {
    if !get {
        return None;
    }
    match uri.path() {
        "/qr.svg" => Some(qr_svg(uri.query().unwrap_or(""))),
        "/ca.pem" => Some(response(
            200,
            &[
                ("Content-Type".into(), "application/x-pem-file".into()),
                (
                    "Content-Disposition".into(),
                    "attachment; filename=\"dlconform-ca.pem\"".into(),
                ),
            ],
            full(shared.ca.pem.clone()),
        )),
        // DER with the CA MIME type: what Android's installer and iOS's profile download expect.
        "/ca.crt" => Some(response(
            200,
            &[
                ("Content-Type".into(), "application/x-x509-ca-cert".into()),
                (
                    "Content-Disposition".into(),
                    "attachment; filename=\"dlconform-ca.crt\"".into(),
                ),
            ],
            full(shared.ca.der.clone()),
        )),
        "/ca" => Some(response(
            200,
            &[("Content-Type".into(), "text/html; charset=utf-8".into())],
            full(install_page(&shared.ca.fingerprint)),
        )),
        path => {
            let key = path.strip_prefix("/live/")?.strip_suffix(".json")?;
            Some(if valid_key(key) {
                live(shared, key)
            } else {
                text_response(400, "key must be [A-Za-z0-9._-]+")
            })
        }
    }
}

/// Longest text `/qr.svg` encodes (a QR code holds at most 2953 bytes).
const QR_MAX_TEXT: usize = 2048;

/// `GET /qr.svg?text=<percent-encoded>`: the QR code of the text.
fn qr_svg(query: &str) -> http::Response<RespBody> {
    let text = query
        .split('&')
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| *k == "text")
        .map(|(_, v)| {
            percent_encoding::percent_decode_str(&v.replace('+', " "))
                .decode_utf8_lossy()
                .into_owned()
        });
    let Some(text) = text.filter(|t| !t.is_empty() && t.len() <= QR_MAX_TEXT) else {
        return text_response(
            400,
            "expected text=<percent-encoded text>, at most 2048 bytes",
        );
    };
    match qr::svg(&text) {
        Some(svg) => response(
            200,
            &[
                ("Content-Type".into(), "image/svg+xml".into()),
                ("Cache-Control".into(), "max-age=3600".into()),
            ],
            full(svg),
        ),
        None => text_response(400, "text too long for a QR code"),
    }
}

/// The journal of `key`, credentials redacted, and the TLS handshakes each listener refused
/// (a bad-certificate scenario never reaches a key: the handshake fails first).
fn live(shared: &Shared, key: &str) -> http::Response<RespBody> {
    let failures: serde_json::Map<String, serde_json::Value> = shared
        .handshake_failures
        .lock()
        .map(|m| {
            ListenerKind::ALL
                .iter()
                .filter_map(|l| {
                    m.get(l)
                        .map(|n| (listener_name(*l).to_string(), (*n).into()))
                })
                .collect()
        })
        .unwrap_or_default();
    let doc = serde_json::json!({
        "key": key,
        "journal": record::redacted(shared.journal.get(key)),
        "tls_handshake_failures": failures,
    });
    response(
        200,
        &[
            ("Content-Type".into(), "application/json".into()),
            ("Cache-Control".into(), "no-store".into()),
        ],
        full(serde_json::to_vec(&doc).unwrap_or_default()),
    )
}

/// Installing the test CA on a phone, in plain words.
fn install_page(fingerprint: &str) -> String {
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>Install the dlconform test CA</title>\
<style>body{{font-family:sans-serif;margin:1em;max-width:46em;line-height:1.4}}code{{word-break:break-all}}</style>\
</head><body><h1>Install the test CA</h1>\
<p>The HTTPS scenarios are signed by this server's own test CA. A phone trusts them only once the CA\
 is installed. The CA is kept in the server's state folder, so it stays the same across restarts:\
 install it once.</p>\
<p>Download: <a href=\"/ca.crt\">ca.crt</a> (DER, for phones) · <a href=\"/ca.pem\">ca.pem</a> (PEM, for curl and desktops)</p>\
<p>SHA-256 fingerprint, to compare with what the phone shows:<br><code>{fingerprint}</code></p>\
<h2>Android</h2><ol>\
<li>Open this page on the phone and tap <a href=\"/ca.crt\">ca.crt</a> to download it.</li>\
<li>Open Settings, then Security (on some phones: Security &amp; privacy, More security settings),\
 then Encryption &amp; credentials, Install a certificate, CA certificate.</li>\
<li>Accept the warning, pick the downloaded <code>dlconform-ca.crt</code>, and confirm with the screen lock.</li>\
<li>Check it under Trusted credentials, tab User.</li></ol>\
<p><b>Which CAs a mini-program runtime trusts.</b> Since Android 7, an app trusts CAs a user installed only\
 if the app itself opts in (its network security configuration); by default it trusts the system CAs\
 alone. The platform documents do not say whether the WeChat, Douyin, Feishu or Baidu app opts in for its\
 mini-program runtime. Find out on the device: open the index page's <code>https</code> success scenario in\
 the app. If it fails with a certificate error although the CA is installed, that app trusts system CAs\
 only; use a debug build or the platform's developer tool (which can skip certificate checks), or an\
 emulator or rooted test phone where the CA can go into the system store. The bad-certificate scenarios\
 (self-signed, expired, not yet valid, wrong host, untrusted CA) must fail either way.</p>\
<h2>iOS</h2><ol>\
<li>Open this page in Safari (other browsers cannot install profiles) and tap <a href=\"/ca.crt\">ca.crt</a>;\
 allow the download. iOS says Profile Downloaded.</li>\
<li>Open Settings, General, VPN &amp; Device Management (older iOS: Profiles), tap the\
 <i>dlconform test CA</i> profile and Install; enter the passcode.</li>\
<li>Turn on full trust: Settings, General, About, Certificate Trust Settings, switch on\
 <i>dlconform test CA</i> under Enable full trust for root certificates. Without this step the\
 profile is installed but TLS still fails.</li></ol>\
<p>Remove the CA when you are done testing: on Android under Trusted credentials, User; on iOS under VPN &amp;\
 Device Management.</p>\
<p><a href=\"/\">Back to the scenarios</a></p></body></html>\n"
    )
}
