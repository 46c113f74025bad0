//! Where a redirect fault points.

use crate::respond::fault::RedirectTo;
use crate::routing::url_grammar::HOP_PARAM;

/// What a redirect needs to know about the request.
pub struct RedirectRequest<'a> {
    /// `http` or `https`.
    pub scheme: &'a str,
    /// Host header (host and port).
    pub authority: &'a str,
    /// Path, without the query.
    pub path: &'a str,
    /// Query without `?` (may be empty).
    pub query: &'a str,
    /// Port of the HTTPS listener (for `to: https`).
    pub https_port: u16,
}

fn split_host(authority: &str) -> (&str, Option<&str>) {
    // Bracketed IPv6 literals carry colons of their own.
    if let Some(end) = authority.find(']') {
        let host = &authority[..=end];
        let port = authority[end + 1..].strip_prefix(':');
        return (host, port);
    }
    match authority.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (authority, None),
    }
}

/// The query with the hop counter set to `hop`.
pub fn with_hop(query: &str, hop: u32) -> String {
    let mut parts: Vec<String> = query
        .split('&')
        .filter(|p| !p.is_empty() && p.split('=').next() != Some(HOP_PARAM))
        .map(str::to_string)
        .collect();
    parts.push(format!("{HOP_PARAM}={hop}"));
    parts.join("&")
}

/// The `Location` value for the next hop.
pub fn location(to: RedirectTo, req: &RedirectRequest<'_>, next_hop: u32) -> String {
    let (host, port) = split_host(req.authority);
    let port_part = port.map(|p| format!(":{p}")).unwrap_or_default();
    let query = with_hop(req.query, next_hop);
    match to {
        RedirectTo::SameHost => format!("{}://{}{}?{}", req.scheme, req.authority, req.path, query),
        RedirectTo::CrossHost => {
            let other = if host.eq_ignore_ascii_case("localhost") {
                "127.0.0.1"
            } else {
                "localhost"
            };
            format!("{}://{other}{port_part}{}?{}", req.scheme, req.path, query)
        }
        RedirectTo::Https => format!("https://{host}:{}{}?{}", req.https_port, req.path, query),
        RedirectTo::Loop => {
            if req.query.is_empty() {
                format!("{}://{}{}", req.scheme, req.authority, req.path)
            } else {
                format!(
                    "{}://{}{}?{}",
                    req.scheme, req.authority, req.path, req.query
                )
            }
        }
        RedirectTo::Relative => {
            let last = req.path.rsplit('/').next().unwrap_or("");
            if last.is_empty() {
                format!("{}?{}", req.path, query)
            } else {
                format!("{last}?{query}")
            }
        }
        RedirectTo::Invalid => "http://[::1:not a url/%zz".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req<'a>(authority: &'a str, query: &'a str) -> RedirectRequest<'a> {
        RedirectRequest {
            scheme: "http",
            authority,
            path: "/c/k/a.bin",
            query,
            https_port: 8443,
        }
    }

    #[test]
    fn locations() {
        let r = req("127.0.0.1:8080", "x=1&_hop=1");
        assert_eq!(
            location(RedirectTo::SameHost, &r, 2),
            "http://127.0.0.1:8080/c/k/a.bin?x=1&_hop=2"
        );
        assert_eq!(
            location(RedirectTo::CrossHost, &r, 2),
            "http://localhost:8080/c/k/a.bin?x=1&_hop=2"
        );
        assert_eq!(
            location(RedirectTo::Https, &r, 1),
            "https://127.0.0.1:8443/c/k/a.bin?x=1&_hop=1"
        );
        assert_eq!(
            location(RedirectTo::Loop, &r, 9),
            "http://127.0.0.1:8080/c/k/a.bin?x=1&_hop=1"
        );
        assert_eq!(location(RedirectTo::Relative, &r, 2), "a.bin?x=1&_hop=2");
        let l = req("localhost:1", "");
        assert_eq!(
            location(RedirectTo::CrossHost, &l, 1),
            "http://127.0.0.1:1/c/k/a.bin?_hop=1"
        );
        assert_eq!(split_host("[::1]:80"), ("[::1]", Some("80")));
    }
}
