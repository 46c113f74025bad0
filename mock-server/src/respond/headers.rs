//! Headers every response carries: Server and CORS.

/// The `Server` header value.
pub const SERVER: &str = "dlconform-mock/0.1";

/// Response headers a browser needs to read the response cross-origin (none without an Origin).
pub fn cors(origin: Option<&str>) -> Vec<(String, String)> {
    match origin {
        Some(o) => vec![
            ("Access-Control-Allow-Origin".into(), o.to_string()),
            ("Access-Control-Allow-Credentials".into(), "true".into()),
            (
                "Access-Control-Expose-Headers".into(),
                "Content-Length, Content-Type, Content-Disposition, Content-Encoding, Date, Server, Location".into(),
            ),
            ("Vary".into(), "Origin".into()),
        ],
        None => Vec::new(),
    }
}

/// Extra headers answering a CORS preflight.
pub fn preflight(request_headers: Option<&str>) -> Vec<(String, String)> {
    let mut h = vec![
        ("Access-Control-Allow-Methods".into(), "GET, HEAD, POST, PUT, DELETE, OPTIONS".into()),
        ("Access-Control-Max-Age".into(), "600".into()),
    ];
    if let Some(r) = request_headers {
        h.push(("Access-Control-Allow-Headers".into(), r.to_string()));
    }
    h
}

/// A header name in the case common servers send (`content-type` -> `Content-Type`).
pub fn canonical(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = true;
    for c in name.chars() {
        out.push(if upper { c.to_ascii_uppercase() } else { c });
        upper = c == '-';
    }
    out
}
