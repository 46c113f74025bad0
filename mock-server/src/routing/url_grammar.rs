//! The URL grammar: a scenario written as a query string a person can type,
//! e.g. `/f/a.bin?body=1m&seed=7&trickle=1024:50&reset_after=65536`.
//!
//! One key per catalog fault, applied in the order written. Values are
//! percent-decoded (`+` is kept literally, so `cl_delta=+10` works); compound
//! values are split on `:` (or `;` between Content-Disposition parameters)
//! before decoding, so a literal `:` or `;` inside a part is written `%3A`/`%3B`.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

use crate::respond::fault::{Fault, RedirectTo, Scenario, Target};

/// Characters escaped when writing a query value part.
const PART: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

/// Query keys that are not faults.
pub const KEY_PARAM: &str = "key";
/// Redirect hop counter carried in redirect URLs.
pub const HOP_PARAM: &str = "_hop";

/// A query string that does not follow the grammar.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GrammarError {
    /// A key that names no fault.
    #[error("unknown query key `{0}` (see GET / for the catalog)")]
    UnknownKey(String),
    /// A value that does not parse.
    #[error("bad value for `{key}`: `{value}` ({why})")]
    BadValue {
        /// The key.
        key: String,
        /// The raw value.
        value: String,
        /// What was expected.
        why: &'static str,
    },
}

/// A parsed query: the scenario plus the non-fault parameters.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ParsedQuery {
    /// The scenario the query describes.
    pub scenario: Scenario,
    /// `key=`: journal key to record under (default `url`).
    pub key: Option<String>,
    /// `_hop=`: how many redirects were already followed.
    pub hop: u32,
}

fn enc(s: &str) -> String {
    utf8_percent_encode(s, PART).to_string()
}

fn dec(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

fn bad(key: &str, value: &str, why: &'static str) -> GrammarError {
    GrammarError::BadValue {
        key: key.to_string(),
        value: value.to_string(),
        why,
    }
}

/// A byte count: digits with an optional `k`, `m` or `g` suffix (powers of 1024).
pub fn parse_size(key: &str, raw: &str) -> Result<u64, GrammarError> {
    let v = dec(raw);
    let v = v.trim();
    let (digits, mult) = match v.chars().last().map(|c| c.to_ascii_lowercase()) {
        Some('k') => (&v[..v.len() - 1], 1u64 << 10),
        Some('m') => (&v[..v.len() - 1], 1u64 << 20),
        Some('g') => (&v[..v.len() - 1], 1u64 << 30),
        _ => (v, 1),
    };
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .ok_or_else(|| bad(key, raw, "a number, optionally with k, m or g"))
}

fn parse_pair(key: &str, raw: &str) -> Result<(u64, u64), GrammarError> {
    let (a, b) = raw
        .split_once(':')
        .ok_or_else(|| bad(key, raw, "BYTES:MS"))?;
    Ok((parse_size(key, a)?, parse_size(key, b)?))
}

fn parse_flag(key: &str, raw: &str) -> Result<(), GrammarError> {
    match dec(raw).as_str() {
        "" | "1" | "true" | "yes" => Ok(()),
        _ => Err(bad(key, raw, "no value, 1 or true")),
    }
}

fn redirect_name(to: RedirectTo) -> &'static str {
    match to {
        RedirectTo::SameHost => "same-host",
        RedirectTo::CrossHost => "cross-host",
        RedirectTo::Https => "https",
        RedirectTo::Loop => "loop",
        RedirectTo::Relative => "relative",
        RedirectTo::Invalid => "invalid",
    }
}

fn parse_redirect_to(key: &str, raw: &str) -> Result<RedirectTo, GrammarError> {
    Ok(match dec(raw).as_str() {
        "same-host" => RedirectTo::SameHost,
        "cross-host" => RedirectTo::CrossHost,
        "https" => RedirectTo::Https,
        "loop" => RedirectTo::Loop,
        "relative" => RedirectTo::Relative,
        "invalid" => RedirectTo::Invalid,
        _ => {
            return Err(bad(
                key,
                raw,
                "same-host, cross-host, https, loop, relative or invalid",
            ));
        }
    })
}

fn parse_target(key: &str, raw: &str) -> Result<Target, GrammarError> {
    let v = dec(raw);
    Target::ALL
        .into_iter()
        .find(|t| t.name() == v)
        .ok_or_else(|| bad(key, raw, "a target name such as http or https"))
}

fn parse_u64(key: &str, raw: &str) -> Result<u64, GrammarError> {
    parse_size(key, raw)
}

/// Parse one `key=value` pair into the scenario being built.
fn apply(out: &mut ParsedQuery, key: &str, raw: &str) -> Result<(), GrammarError> {
    let faults = &mut out.scenario.faults;
    let fault = match key {
        KEY_PARAM => {
            out.key = Some(dec(raw));
            return Ok(());
        }
        HOP_PARAM => {
            out.hop = dec(raw).parse().map_err(|_| bad(key, raw, "a hop count"))?;
            return Ok(());
        }
        "target" => {
            out.scenario.target = parse_target(key, raw)?;
            return Ok(());
        }
        "seed" => {
            let seed = dec(raw)
                .parse::<u64>()
                .map_err(|_| bad(key, raw, "a number"))?;
            // The seed belongs to the body written just before it (`body=1m&seed=7`).
            match faults
                .iter_mut()
                .rev()
                .find(|f| matches!(f, Fault::Body { .. }))
            {
                Some(Fault::Body { seed: s, .. }) => *s = seed,
                _ => return Err(bad(key, raw, "`seed` must follow a `body`")),
            }
            return Ok(());
        }
        "status" => Fault::Status(
            dec(raw)
                .parse::<u16>()
                .ok()
                .filter(|s| (100..=999).contains(s))
                .ok_or_else(|| bad(key, raw, "a status code 100-999"))?,
        ),
        "body" => match raw.split_once(':') {
            Some((size, seed)) => Fault::Body {
                size: parse_size(key, size)?,
                seed: dec(seed)
                    .parse()
                    .map_err(|_| bad(key, raw, "SIZE or SIZE:SEED"))?,
            },
            None => Fault::Body {
                size: parse_size(key, raw)?,
                seed: 0,
            },
        },
        "text" => Fault::Text(dec(raw)),
        "content_type" | "ct" => Fault::ContentType(dec(raw)),
        "delay_ms" | "delay" => Fault::DelayMs(parse_u64(key, raw)?),
        "hold_until" => {
            let (arrivals, max_ms) = raw
                .split_once(':')
                .ok_or_else(|| bad(key, raw, "ARRIVALS:MS"))?;
            Fault::HoldUntil {
                arrivals: parse_u64(key, arrivals)?,
                max_ms: parse_u64(key, max_ms)?,
            }
        }
        "stall" => {
            parse_flag(key, raw)?;
            Fault::Stall
        }
        "stall_after" => Fault::StallAfter(parse_size(key, raw)?),
        "trickle" => {
            let (bytes, every_ms) = parse_pair(key, raw)?;
            Fault::Trickle { bytes, every_ms }
        }
        "bandwidth_bps" | "bps" => Fault::BandwidthBps(parse_size(key, raw)?),
        "content_length_delta" | "cl_delta" => {
            let v = dec(raw);
            let v = v.strip_prefix('+').unwrap_or(&v);
            Fault::ContentLengthDelta(v.parse().map_err(|_| bad(key, raw, "+N or -N"))?)
        }
        "chunked" => {
            parse_flag(key, raw)?;
            Fault::Chunked
        }
        "close_after" => Fault::CloseAfter(parse_size(key, raw)?),
        "reset_after" => Fault::ResetAfter(parse_size(key, raw)?),
        "redirect" => {
            let mut parts = raw.split(':');
            let status = parts
                .next()
                .and_then(|s| dec(s).parse::<u16>().ok())
                .filter(|s| matches!(s, 301 | 302 | 303 | 307 | 308))
                .ok_or_else(|| bad(key, raw, "STATUS:TO[:HOPS], status 301/302/303/307/308"))?;
            let to = parse_redirect_to(key, parts.next().unwrap_or("same-host"))?;
            let hops = match parts.next() {
                Some(h) => dec(h)
                    .parse::<u32>()
                    .ok()
                    .filter(|h| *h >= 1)
                    .ok_or_else(|| bad(key, raw, "hops >= 1"))?,
                None => 1,
            };
            if parts.next().is_some() {
                return Err(bad(key, raw, "STATUS:TO[:HOPS]"));
            }
            Fault::Redirect { status, to, hops }
        }
        "content_disposition" | "cd" => {
            let (mut filename, mut filename_star) = (None, None);
            for part in raw.split(';').filter(|p| !p.is_empty()) {
                let (name, value) = part
                    .split_once(':')
                    .ok_or_else(|| bad(key, raw, "filename:NAME;filename*:NAME"))?;
                match dec(name).as_str() {
                    "filename" => filename = Some(dec(value)),
                    "filename*" => filename_star = Some(dec(value)),
                    _ => return Err(bad(key, raw, "parameters filename and filename*")),
                }
            }
            Fault::ContentDisposition {
                filename,
                filename_star,
            }
        }
        "gzip" => {
            parse_flag(key, raw)?;
            Fault::Gzip
        }
        "slow_headers" => {
            let (bytes, every_ms) = parse_pair(key, raw)?;
            Fault::SlowHeaders { bytes, every_ms }
        }
        "raw" => Fault::Raw(dec(raw)),
        "header" => {
            let (name, value) = raw
                .split_once(':')
                .ok_or_else(|| bad(key, raw, "NAME:VALUE"))?;
            Fault::Header {
                name: dec(name),
                value: dec(value),
            }
        }
        "lowercase_headers" => {
            parse_flag(key, raw)?;
            Fault::LowercaseHeaders
        }
        "upload_reset_after" => Fault::UploadResetAfter(parse_size(key, raw)?),
        "upload_early_413" => {
            parse_flag(key, raw)?;
            Fault::UploadEarly413
        }
        "upload_read_bps" => Fault::UploadReadBps(parse_size(key, raw)?),
        _ => return Err(GrammarError::UnknownKey(key.to_string())),
    };
    faults.push(fault);
    Ok(())
}

/// Parse a query string (without the `?`) into a scenario and the non-fault parameters.
pub fn parse_query(query: &str) -> Result<ParsedQuery, GrammarError> {
    let mut out = ParsedQuery::default();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, raw) = pair.split_once('=').unwrap_or((pair, ""));
        apply(&mut out, &dec(key), raw)?;
    }
    Ok(out)
}

fn fault_query(f: &Fault) -> String {
    match f {
        Fault::Status(s) => format!("status={s}"),
        Fault::Body { size, seed: 0 } => format!("body={size}"),
        Fault::Body { size, seed } => format!("body={size}&seed={seed}"),
        Fault::Text(t) => format!("text={}", enc(t)),
        Fault::ContentType(t) => format!("content_type={}", enc(t)),
        Fault::DelayMs(ms) => format!("delay_ms={ms}"),
        Fault::HoldUntil { arrivals, max_ms } => format!("hold_until={arrivals}:{max_ms}"),
        Fault::Stall => "stall".into(),
        Fault::StallAfter(n) => format!("stall_after={n}"),
        Fault::Trickle { bytes, every_ms } => format!("trickle={bytes}:{every_ms}"),
        Fault::BandwidthBps(n) => format!("bandwidth_bps={n}"),
        Fault::ContentLengthDelta(d) => format!("content_length_delta={d:+}"),
        Fault::Chunked => "chunked".into(),
        Fault::CloseAfter(n) => format!("close_after={n}"),
        Fault::ResetAfter(n) => format!("reset_after={n}"),
        Fault::Redirect { status, to, hops } => {
            format!("redirect={status}:{}:{hops}", redirect_name(*to))
        }
        Fault::ContentDisposition {
            filename,
            filename_star,
        } => {
            let mut parts = Vec::new();
            if let Some(f) = filename {
                parts.push(format!("filename:{}", enc(f)));
            }
            if let Some(f) = filename_star {
                parts.push(format!("filename*:{}", enc(f)));
            }
            format!("content_disposition={}", parts.join(";"))
        }
        Fault::Gzip => "gzip".into(),
        Fault::SlowHeaders { bytes, every_ms } => format!("slow_headers={bytes}:{every_ms}"),
        Fault::Raw(r) => format!("raw={}", enc(r)),
        Fault::Header { name, value } => format!("header={}:{}", enc(name), enc(value)),
        Fault::LowercaseHeaders => "lowercase_headers".into(),
        Fault::UploadResetAfter(n) => format!("upload_reset_after={n}"),
        Fault::UploadEarly413 => "upload_early_413".into(),
        Fault::UploadReadBps(n) => format!("upload_read_bps={n}"),
    }
}

impl Scenario {
    /// The scenario as a URL-grammar query string (without `?`); the Feishu fixture is not representable and left out.
    pub fn to_query(&self) -> String {
        let mut parts = Vec::new();
        if self.target != Target::default() {
            parts.push(format!("target={}", self.target.name()));
        }
        parts.extend(self.faults.iter().map(fault_query));
        parts.join("&")
    }

    /// Parse a URL-grammar query string (without `?`); `key` and `_hop` are accepted and ignored.
    pub fn from_query(query: &str) -> Result<Scenario, GrammarError> {
        parse_query(query).map(|p| p.scenario)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readme_example_parses() {
        let s = Scenario::from_query(
            "status=404&body=1m&seed=7&delay_ms=2000&trickle=1024:50&reset_after=65536&cl_delta=+10&chunked&redirect=302:cross-host:2&cd=filename:a.txt&gzip",
        )
        .unwrap();
        assert_eq!(
            s.faults,
            vec![
                Fault::Status(404),
                Fault::Body {
                    size: 1 << 20,
                    seed: 7
                },
                Fault::DelayMs(2000),
                Fault::Trickle {
                    bytes: 1024,
                    every_ms: 50
                },
                Fault::ResetAfter(65536),
                Fault::ContentLengthDelta(10),
                Fault::Chunked,
                Fault::Redirect {
                    status: 302,
                    to: RedirectTo::CrossHost,
                    hops: 2
                },
                Fault::ContentDisposition {
                    filename: Some("a.txt".into()),
                    filename_star: None
                },
                Fault::Gzip,
            ]
        );
    }

    #[test]
    fn errors_name_the_key() {
        assert_eq!(
            Scenario::from_query("nope=1"),
            Err(GrammarError::UnknownKey("nope".into()))
        );
        assert!(matches!(
            Scenario::from_query("status=abc"),
            Err(GrammarError::BadValue { .. })
        ));
        assert!(matches!(
            Scenario::from_query("seed=3"),
            Err(GrammarError::BadValue { .. })
        ));
        assert!(matches!(
            Scenario::from_query("redirect=200:loop"),
            Err(GrammarError::BadValue { .. })
        ));
    }

    #[test]
    fn extras_are_separate() {
        let p = parse_query("key=abc&_hop=2&stall").unwrap();
        assert_eq!(p.key.as_deref(), Some("abc"));
        assert_eq!(p.hop, 2);
        assert_eq!(p.scenario.faults, vec![Fault::Stall]);
    }
}
