//! Fixed ports for a device: one base, each listener at a fixed offset, so URLs survive restarts.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use crate::respond::fault::ListenerKind;
use crate::respond::serve::listener_name;

/// Ports taken from `--port-base N`: one per listener in [`ListenerKind::ALL`] order, then the
/// connection-refused port.
pub const PORTS_PER_BASE: u16 = ListenerKind::ALL.len() as u16 + 1;

/// Fixed ports from a base: listeners at `base`, `base + 1`, ... in [`ListenerKind::ALL`] order,
/// and the refused port after them.
pub fn from_base(base: u16) -> Result<(HashMap<ListenerKind, u16>, u16), String> {
    if base == 0 || base.checked_add(PORTS_PER_BASE - 1).is_none() {
        return Err(format!(
            "port base {base}: needs {PORTS_PER_BASE} ports from 1 to 65535"
        ));
    }
    let ports = ListenerKind::ALL
        .iter()
        .zip(base..)
        .map(|(l, p)| (*l, p))
        .collect();
    Ok((ports, base + PORTS_PER_BASE - 1))
}

/// The listener a `--port` name means (`https`, `wrong-host`, ...).
pub fn listener_by_name(name: &str) -> Option<ListenerKind> {
    ListenerKind::ALL
        .into_iter()
        .find(|l| listener_name(*l) == name)
}

/// Parse `NAME=PORT` (`https=8443`), the per-listener port flag.
pub fn parse_listener_port(arg: &str) -> Result<(ListenerKind, u16), String> {
    let (name, port) = arg
        .split_once('=')
        .ok_or_else(|| format!("`{arg}`: expected LISTENER=PORT, e.g. https=8443"))?;
    let kind = listener_by_name(name.trim()).ok_or_else(|| {
        let names: Vec<&str> = ListenerKind::ALL
            .iter()
            .map(|l| listener_name(*l))
            .collect();
        format!("`{name}`: not a listener; one of {}", names.join(", "))
    })?;
    let port = port
        .trim()
        .parse::<u16>()
        .map_err(|e| format!("`{port}`: not a port ({e})"))?;
    Ok((kind, port))
}

/// The fixed ports asked for: `--port-base` first, then `--port NAME=PORT` over it.
pub fn fixed(
    base: Option<u16>,
    per_listener: &[(ListenerKind, u16)],
) -> Result<(HashMap<ListenerKind, u16>, Option<u16>), String> {
    let (mut ports, refused) = match base {
        Some(b) => {
            let (p, r) = from_base(b)?;
            (p, Some(r))
        }
        None => (HashMap::new(), None),
    };
    for (l, p) in per_listener {
        ports.insert(*l, *p);
    }
    Ok((ports, refused))
}

/// A host as URLs write it: IPv6 addresses in brackets, names and IPv4 as given.
pub fn url_host_name(host: &str) -> String {
    match host.parse::<Ipv6Addr>() {
        Ok(v6) => format!("[{v6}]"),
        Err(_) => host.to_string(),
    }
}

/// A port nothing listens on: `fixed` if it is free now, else one bound and released.
pub fn refused_port(bind: IpAddr, fixed: Option<u16>) -> std::io::Result<u16> {
    let probe = if bind.is_unspecified() {
        IpAddr::V4(Ipv4Addr::LOCALHOST)
    } else {
        bind
    };
    let l = std::net::TcpListener::bind(SocketAddr::new(probe, fixed.unwrap_or(0)))?;
    l.local_addr().map(|a| a.port())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_base_gives_every_listener_a_port_in_order_then_the_refused_port() {
        let (ports, refused) = from_base(18000).unwrap();
        assert_eq!(ports[&ListenerKind::Http], 18000);
        assert_eq!(ports[&ListenerKind::Https], 18001);
        assert_eq!(ports.len(), ListenerKind::ALL.len());
        assert_eq!(refused, 18000 + ListenerKind::ALL.len() as u16);
        assert!(from_base(65530).is_err());
        assert!(from_base(0).is_err());
    }

    #[test]
    fn names_and_hosts() {
        assert_eq!(
            listener_by_name("wrong-host"),
            Some(ListenerKind::WrongHost)
        );
        assert_eq!(listener_by_name("nope"), None);
        assert_eq!(url_host_name("fe80::1"), "[fe80::1]");
        assert_eq!(url_host_name("192.168.1.5"), "192.168.1.5");
        assert_eq!(url_host_name("qa.local"), "qa.local");
    }

    #[test]
    fn per_listener_ports_override_the_base() {
        assert_eq!(
            parse_listener_port("https=8443"),
            Ok((ListenerKind::Https, 8443))
        );
        assert!(parse_listener_port("https").is_err());
        assert!(parse_listener_port("ftp=21").is_err());
        assert!(parse_listener_port("https=99999").is_err());
        let (ports, refused) = fixed(Some(18000), &[(ListenerKind::Https, 8443)]).unwrap();
        assert_eq!(ports[&ListenerKind::Https], 8443);
        assert_eq!(ports[&ListenerKind::Http], 18000);
        assert_eq!(refused, Some(18007));
    }
}
