//! The control token: a server reachable beyond 127.0.0.1 lets no one register scenarios or read
//! journals without it; scenario URLs stay open because a device must reach them.

use std::net::IpAddr;

use http::HeaderMap;
use ring::rand::{SecureRandom, SystemRandom};

/// Whether a server bound to `bind` needs a token: anything but 127.0.0.1 and ::1 (other
/// loopback addresses such as 127.0.0.2 count as beyond, so tests can prove the guard).
pub fn required(bind: IpAddr) -> bool {
    bind != IpAddr::from([127, 0, 0, 1]) && bind != IpAddr::from([0u16, 0, 0, 0, 0, 0, 0, 1])
}

/// A new random token, 32 hex digits.
pub fn make() -> std::io::Result<String> {
    let mut bytes = [0u8; 16];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| std::io::Error::other("no system randomness for the control token"))?;
    Ok(hex::encode(bytes))
}

/// Whether `headers` carry `Authorization: Bearer <expected>`.
pub fn presented(headers: &HeaderMap, expected: &str) -> bool {
    headers
        .get_all(http::header::AUTHORIZATION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.strip_prefix("Bearer "))
        .any(|t| constant_time_eq(t.trim().as_bytes(), expected.as_bytes()))
}

/// Compare without leaking, through timing, how much of a guess was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_default_loopback_addresses_go_without_a_token() {
        assert!(!required("127.0.0.1".parse().unwrap()));
        assert!(!required("::1".parse().unwrap()));
        assert!(required("127.0.0.2".parse().unwrap()));
        assert!(required("0.0.0.0".parse().unwrap()));
        assert!(required("192.168.1.5".parse().unwrap()));
    }

    #[test]
    fn a_bearer_token_must_match_exactly() {
        let token = make().unwrap();
        assert_eq!(token.len(), 32);
        let mut h = HeaderMap::new();
        assert!(!presented(&h, &token));
        h.insert("authorization", format!("Bearer {token}x").parse().unwrap());
        assert!(!presented(&h, &token));
        h.insert("authorization", format!("Bearer {token}").parse().unwrap());
        assert!(presented(&h, &token));
    }
}
