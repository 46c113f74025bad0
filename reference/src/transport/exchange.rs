//! HTTP/1.1 exchange over one connection per hop, following redirects.

use bytes::Bytes;
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::{Method, StatusCode};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Empty};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use url::Url;

use super::error::{TransferError, chain_text, has_io_kind};
use super::{Phase, PhaseCell, Policy, connect, head_tap, url_check};

/// A request body (streamed).
pub type ReqBody = BoxBody<Bytes, std::io::Error>;

/// A request to send.
pub struct Request {
    /// Method.
    pub method: Method,
    /// Absolute URL.
    pub url: Url,
    /// Headers, already filtered by the platform (no Host, no framing headers).
    pub headers: HeaderMap,
    /// Body; `None` sends an empty one. A request with a body does not follow redirects.
    pub body: Option<ReqBody>,
}

/// A response head, with its body still to read.
pub struct Response {
    /// Status code.
    pub status: StatusCode,
    /// Response headers.
    pub headers: HeaderMap,
    /// The URL that answered (after redirects).
    pub url: Url,
    /// Redirects followed.
    pub redirects: u32,
    /// The body.
    pub body: Incoming,
    /// Keeps the connection task alive while the body is read; aborts it on drop.
    _conn: ConnTask,
}

/// The connection driver; aborted when the response is dropped, so a stalled server cannot keep it.
struct ConnTask(tokio::task::JoinHandle<()>);

impl Drop for ConnTask {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Headers a caller may never set: the engine owns framing and the Host.
const ENGINE_HEADERS: [HeaderName; 5] = [
    header::HOST,
    header::CONTENT_LENGTH,
    header::TRANSFER_ENCODING,
    header::CONNECTION,
    header::UPGRADE,
];

/// Send `req`, following redirects up to the policy's limit.
pub async fn send(
    req: Request,
    policy: &Policy,
    phase: &PhaseCell,
) -> Result<Response, TransferError> {
    let Request {
        mut method,
        mut url,
        mut headers,
        mut body,
    } = req;
    for h in &ENGINE_HEADERS {
        headers.remove(h);
    }
    let mut redirects = 0u32;
    loop {
        url_check::check_scheme(&url, &policy.schemes)?;
        url_check::check_domain(&url, policy.domains.as_deref())?;
        let follow = body.is_none() && policy.follow_redirects;
        let this_body = body.take().unwrap_or_else(empty_body);
        let resp = exchange(&method, &url, &headers, this_body, policy, phase, redirects).await?;
        let location = resp.headers.get(header::LOCATION).cloned();
        if !follow || !resp.status.is_redirection() || resp.status == StatusCode::NOT_MODIFIED {
            return Ok(resp);
        }
        let Some(location) = location else {
            return Ok(resp);
        };
        let next = resolve_location(&url, &location)?;
        redirects += 1;
        if redirects > policy.max_redirects {
            return Err(TransferError::TooManyRedirects {
                limit: policy.max_redirects,
            });
        }
        if resp.status == StatusCode::SEE_OTHER && method != Method::HEAD {
            method = Method::GET;
        }
        if next.host_str() != url.host_str() {
            // Credentials stay with the host they were meant for.
            headers.remove(header::AUTHORIZATION);
            headers.remove(header::COOKIE);
        }
        url = next;
    }
}

/// The URL a Location header points to, relative ones resolved against `base`.
pub fn resolve_location(base: &Url, location: &HeaderValue) -> Result<Url, TransferError> {
    let text = location.to_str().unwrap_or_default().trim();
    let invalid = || TransferError::InvalidRedirect {
        location: String::from_utf8_lossy(location.as_bytes()).into_owned(),
    };
    if text.is_empty() {
        return Err(invalid());
    }
    let next = base.join(text).map_err(|_| invalid())?;
    if !matches!(next.scheme(), "http" | "https") || next.host_str().is_none_or(str::is_empty) {
        return Err(invalid());
    }
    Ok(next)
}

fn empty_body() -> ReqBody {
    Empty::<Bytes>::new()
        .map_err(|never| match never {})
        .boxed()
}

async fn exchange(
    method: &Method,
    url: &Url,
    headers: &HeaderMap,
    body: ReqBody,
    policy: &Policy,
    phase: &PhaseCell,
    redirects: u32,
) -> Result<Response, TransferError> {
    let tls = if policy.http2 {
        super::tls::offering_h2(&policy.tls)
    } else {
        policy.tls.clone()
    };
    let connection = connect::open(url, &tls, phase).await?;
    let http2 = connection.http2;
    // HTTP/2 names are lower case on the wire: only an HTTP/1.1 head can be tapped.
    let (stream, head): (Box<dyn connect::Stream>, _) = if policy.case_sensitive_headers && !http2 {
        let (tap, head) = head_tap::HeadTap::new(connection.stream);
        (Box::new(tap), Some(head))
    } else {
        (connection.stream, None)
    };
    phase.set(Phase::Headers);
    let handshake_error = |e: hyper::Error| TransferError::HeadersInterrupted {
        detail: chain_text(&e),
    };
    let (mut sender, conn) = if http2 {
        let (sender, conn) = hyper::client::conn::http2::handshake::<_, _, ReqBody>(
            hyper_util::rt::TokioExecutor::new(),
            TokioIo::new(stream),
        )
        .await
        .map_err(handshake_error)?;
        let task = tokio::spawn(async move {
            let _ = conn.await;
        });
        (Sender::Http2(sender), task)
    } else {
        let (sender, conn) =
            hyper::client::conn::http1::handshake::<_, ReqBody>(TokioIo::new(stream))
                .await
                .map_err(handshake_error)?;
        let task = tokio::spawn(async move {
            let _ = conn.await;
        });
        (Sender::Http1(sender), task)
    };
    let conn = ConnTask(conn);
    // HTTP/2 takes the authority from the URI (`:authority`), HTTP/1.1 from the Host header.
    let target = if http2 {
        absolute_form(url)
    } else {
        origin_form(url)
    };
    let mut request = http::Request::builder().method(method.clone()).uri(target);
    if let Some(h) = request.headers_mut() {
        h.extend(headers.iter().map(|(k, v)| (k.clone(), v.clone())));
        if !http2 && let Ok(host) = HeaderValue::from_str(&host_header(url)) {
            h.insert(header::HOST, host);
        }
    }
    let request = request
        .body(body)
        .map_err(|e| TransferError::BadArgument(e.to_string()))?;
    let resp = sender
        .send_request(request)
        .await
        .map_err(|e| classify_head_error(&e))?;
    let (mut parts, body) = resp.into_parts();
    if let Some(head) = head {
        let wire = head_tap::wire_names(&head.lock().unwrap_or_else(|e| e.into_inner()));
        let names: Vec<HeaderName> = parts.headers.keys().cloned().collect();
        for name in names {
            let canonical = crate::platform::canonical_case(name.as_str());
            if !wire.contains(&canonical) {
                parts.headers.remove(&name);
            }
        }
    }
    Ok(Response {
        status: parts.status,
        headers: parts.headers,
        url: url.clone(),
        redirects,
        body,
        _conn: conn,
    })
}

/// The two request senders a connection may have.
enum Sender {
    Http1(hyper::client::conn::http1::SendRequest<ReqBody>),
    Http2(hyper::client::conn::http2::SendRequest<ReqBody>),
}

impl Sender {
    async fn send_request(
        &mut self,
        request: http::Request<ReqBody>,
    ) -> hyper::Result<http::Response<hyper::body::Incoming>> {
        match self {
            Sender::Http1(s) => s.send_request(request).await,
            Sender::Http2(s) => s.send_request(request).await,
        }
    }
}

/// The whole URL without its fragment, as HTTP/2's `:scheme`, `:authority` and `:path` want it.
fn absolute_form(url: &Url) -> String {
    let mut url = url.clone();
    url.set_fragment(None);
    url.to_string()
}

/// Path and query, as an HTTP/1.1 request line wants them.
fn origin_form(url: &Url) -> String {
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    }
}

fn host_header(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    }
}

/// A failure before the response head arrived: broken connection or unparseable head.
fn classify_head_error(e: &hyper::Error) -> TransferError {
    let detail = chain_text(e);
    if e.is_parse() || e.is_parse_status() || e.is_parse_too_large() {
        TransferError::MalformedResponse { detail }
    } else {
        TransferError::HeadersInterrupted { detail }
    }
}

/// Whether a hyper error means the peer reset the connection.
pub fn is_reset(e: &hyper::Error) -> bool {
    use std::io::ErrorKind::*;
    has_io_kind(e, &[ConnectionReset, ConnectionAborted, BrokenPipe])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_resolve_relative_and_refuse_garbage() {
        let base = Url::parse("http://127.0.0.1:8080/c/k/a/file.bin").unwrap();
        let rel = resolve_location(&base, &HeaderValue::from_static("../b/x.bin")).unwrap();
        assert_eq!(rel.as_str(), "http://127.0.0.1:8080/c/k/b/x.bin");
        let abs =
            resolve_location(&base, &HeaderValue::from_static("https://localhost:9/y")).unwrap();
        assert_eq!(abs.as_str(), "https://localhost:9/y");
        assert!(resolve_location(&base, &HeaderValue::from_static("")).is_err());
        assert!(resolve_location(&base, &HeaderValue::from_static("http://[::1")).is_err());
        assert!(resolve_location(&base, &HeaderValue::from_static("ftp://x/y")).is_err());
    }

    #[test]
    fn request_line_and_host() {
        let u = Url::parse("https://localhost:8443/a%20b?x=1").unwrap();
        assert_eq!(origin_form(&u), "/a%20b?x=1");
        assert_eq!(host_header(&u), "localhost:8443");
        assert_eq!(host_header(&Url::parse("https://h/").unwrap()), "h");
    }
}
