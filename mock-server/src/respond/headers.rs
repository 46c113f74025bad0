//! Headers every response carries: Server and CORS.

/// The `Server` header value.
pub const SERVER: &str = "dlconform-mock/0.1";

/// The name of the `Server` header, as [`expose_all`] lists it.
pub const SERVER_NAME: &str = "Server";

/// Headers hyper adds to a response by itself (so they are not in the list handed to it).
pub const ADDED_BY_HYPER: [&str; 2] = [SERVER_NAME, "Date"];

/// Response headers a browser needs to read the response cross-origin (none without an Origin).
/// Which headers the page may read is added once the whole response is known ([`expose_all`]).
pub fn cors(origin: Option<&str>) -> Vec<(String, String)> {
    match origin {
        Some(o) => vec![
            (ALLOW_ORIGIN.into(), o.to_string()),
            ("Access-Control-Allow-Credentials".into(), "true".into()),
            ("Vary".into(), "Origin".into()),
        ],
        None => Vec::new(),
    }
}

const ALLOW_ORIGIN: &str = "Access-Control-Allow-Origin";

/// On a cross-origin answer (one with `Access-Control-Allow-Origin`), add
/// `Access-Control-Expose-Headers` naming every header the response sets (`headers` plus
/// `also`), so a page can read each header a case sets, not a fixed few. The CORS headers
/// themselves are left out; names are listed once, in the order they come.
pub fn expose_all(headers: &mut Vec<(String, String)>, also: &[&str]) {
    if !headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case(ALLOW_ORIGIN))
    {
        return;
    }
    let mut names: Vec<&str> = Vec::new();
    for name in also
        .iter()
        .copied()
        .chain(headers.iter().map(|(n, _)| n.as_str()))
    {
        let cors_own = name
            .get(..15)
            .is_some_and(|p| p.eq_ignore_ascii_case("access-control-"));
        if !cors_own && !names.iter().any(|k| k.eq_ignore_ascii_case(name)) {
            names.push(name);
        }
    }
    let list = names.join(", ");
    headers.push(("Access-Control-Expose-Headers".into(), list));
}

/// Extra headers answering a CORS preflight.
pub fn preflight(request_headers: Option<&str>) -> Vec<(String, String)> {
    let mut h = vec![
        (
            "Access-Control-Allow-Methods".into(),
            "GET, HEAD, POST, PUT, DELETE, OPTIONS".into(),
        ),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(names: &[&str]) -> Vec<(String, String)> {
        names.iter().map(|n| (n.to_string(), "v".into())).collect()
    }

    #[test]
    fn every_header_set_is_exposed_once_and_cors_headers_are_not() {
        let mut h = cors(Some("http://page.example"));
        h.extend(pairs(&[
            "Content-Type",
            "X-Case",
            "x-case",
            "Content-Disposition",
        ]));
        expose_all(&mut h, &ADDED_BY_HYPER);
        let exposed = &h.last().unwrap();
        assert_eq!(exposed.0, "Access-Control-Expose-Headers");
        assert_eq!(
            exposed.1,
            "Server, Date, Vary, Content-Type, X-Case, Content-Disposition"
        );
    }

    #[test]
    fn nothing_is_exposed_without_an_origin() {
        let mut h = cors(None);
        h.extend(pairs(&["X-Case"]));
        expose_all(&mut h, &ADDED_BY_HYPER);
        assert_eq!(h, pairs(&["X-Case"]));
    }
}
