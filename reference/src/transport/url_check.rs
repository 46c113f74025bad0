//! URL checks done before any network use: parse, scheme by build, domain list.

use url::Url;

use super::error::TransferError;

/// Parse a URL a caller passed; only absolute http(s) URLs with a host count as valid.
pub fn parse(raw: &str) -> Result<Url, TransferError> {
    let url = Url::parse(raw.trim()).map_err(|_| TransferError::InvalidUrl {
        url: raw.to_string(),
    })?;
    match url.scheme() {
        "http" | "https" => {}
        other => {
            return Err(TransferError::SchemeNotAllowed {
                url: raw.to_string(),
                scheme: other.to_string(),
                allowed: vec!["https".into(), "http".into()],
            });
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(TransferError::InvalidUrl {
            url: raw.to_string(),
        });
    }
    Ok(url)
}

/// Refuse a scheme not in `allowed`.
pub fn check_scheme(url: &Url, allowed: &[String]) -> Result<(), TransferError> {
    if allowed.iter().any(|s| s.eq_ignore_ascii_case(url.scheme())) {
        Ok(())
    } else {
        Err(TransferError::SchemeNotAllowed {
            url: url.to_string(),
            scheme: url.scheme().to_string(),
            allowed: allowed.to_vec(),
        })
    }
}

/// Refuse a host not in the domain list; entries are `host` or `host:port` (the port must then
/// match exactly); `None` turns the check off.
pub fn check_domain(url: &Url, domains: Option<&[String]>) -> Result<(), TransferError> {
    let Some(domains) = domains else {
        return Ok(());
    };
    let host = url
        .host_str()
        .unwrap_or_default()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    let port = url.port_or_known_default();
    let allowed = domains.iter().any(|entry| {
        let entry = entry.trim().to_ascii_lowercase();
        let entry = entry
            .trim_start_matches("https://")
            .trim_start_matches("http://")
            .trim_end_matches('/');
        match split_host_port(entry) {
            (h, Some(p)) => h == host && Some(p) == port,
            (h, None) => h == host,
        }
    });
    if allowed {
        Ok(())
    } else {
        Err(TransferError::DomainNotAllowed {
            url: url.to_string(),
        })
    }
}

/// `host:port` into its parts; bracketed IPv6 hosts keep their colons.
fn split_host_port(entry: &str) -> (&str, Option<u16>) {
    if let Some(rest) = entry.strip_prefix('[') {
        return match rest.split_once(']') {
            Some((h, tail)) => (h, tail.strip_prefix(':').and_then(|p| p.parse().ok())),
            None => (rest, None),
        };
    }
    match entry.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => match p.parse() {
            Ok(port) => (h, Some(port)),
            Err(_) => (entry, None),
        },
        _ => (entry, None),
    }
}

/// The file extension of the URL's last path segment, if it has a plain one.
pub fn extension(url: &Url) -> Option<String> {
    let last = url.path_segments()?.next_back()?;
    let decoded = percent_encoding::percent_decode_str(last).decode_utf8_lossy();
    let (_, ext) = decoded.rsplit_once('.')?;
    Some(ext.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_rejects_garbage_and_foreign_schemes() {
        assert!(matches!(
            parse("not a url"),
            Err(TransferError::InvalidUrl { .. })
        ));
        assert!(matches!(
            parse("ftp://a/b"),
            Err(TransferError::SchemeNotAllowed { .. })
        ));
        assert!(matches!(
            parse("http://"),
            Err(TransferError::InvalidUrl { .. })
        ));
        assert!(parse("https://127.0.0.1:8443/a.bin").is_ok());
    }

    #[test]
    fn scheme_by_build() {
        let http = parse("http://localhost/a").unwrap();
        assert!(check_scheme(&http, &["https".into()]).is_err());
        assert!(check_scheme(&http, &["https".into(), "http".into()]).is_ok());
    }

    #[test]
    fn domain_list_with_and_without_port() {
        let u = parse("https://LocalHost:8443/a").unwrap();
        assert!(check_domain(&u, None).is_ok());
        assert!(check_domain(&u, Some(&["localhost".into()])).is_ok());
        assert!(check_domain(&u, Some(&["localhost:8443".into()])).is_ok());
        assert!(check_domain(&u, Some(&["localhost:9443".into()])).is_err());
        assert!(check_domain(&u, Some(&["127.0.0.1".into()])).is_err());
        assert!(check_domain(&u, Some(&[])).is_err());
        let v6 = parse("http://[::1]:80/").unwrap();
        assert!(check_domain(&v6, Some(&["[::1]:80".into()])).is_ok());
    }

    #[test]
    fn extension_from_last_segment() {
        assert_eq!(
            extension(&parse("https://h/a/b.PNG?x=1").unwrap()).as_deref(),
            Some("PNG")
        );
        assert_eq!(extension(&parse("https://h/a/b").unwrap()), None);
    }
}
