//! DNS, TCP and TLS: from a URL to a byte stream, each failure in its own phase.

use std::net::SocketAddr;
use std::sync::Arc;

use rustls::ClientConfig;
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use url::{Host, Url};

use super::error::TransferError;
use super::{Phase, PhaseCell, tls};

/// A connected byte stream, plain or TLS.
pub trait Stream: AsyncRead + AsyncWrite + Unpin + Send + 'static {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + 'static> Stream for T {}

/// A connection, and whether TLS settled on HTTP/2 (ALPN `h2`).
pub struct Connection {
    /// The byte stream.
    pub stream: Box<dyn Stream>,
    /// The server took `h2`.
    pub http2: bool,
}

/// Open a connection to the URL's host and port, with TLS for https.
pub async fn open(
    url: &Url,
    tls_config: &Arc<ClientConfig>,
    phase: &PhaseCell,
) -> Result<Connection, TransferError> {
    let port = url
        .port_or_known_default()
        .ok_or_else(|| TransferError::InvalidUrl {
            url: url.to_string(),
        })?;
    let host = url.host().ok_or_else(|| TransferError::InvalidUrl {
        url: url.to_string(),
    })?;
    phase.set(Phase::Dns);
    let addrs: Vec<SocketAddr> = match &host {
        Host::Ipv4(ip) => vec![SocketAddr::new((*ip).into(), port)],
        Host::Ipv6(ip) => vec![SocketAddr::new((*ip).into(), port)],
        Host::Domain(name) => resolve(name, port).await?,
    };
    phase.set(Phase::Connect);
    let tcp = connect_any(&addrs).await?;
    let _ = tcp.set_nodelay(true);
    if url.scheme() != "https" {
        return Ok(Connection {
            stream: Box::new(tcp),
            http2: false,
        });
    }
    phase.set(Phase::Tls);
    let server_name = match host {
        Host::Ipv4(ip) => ServerName::IpAddress(std::net::IpAddr::from(ip).into()),
        Host::Ipv6(ip) => ServerName::IpAddress(std::net::IpAddr::from(ip).into()),
        Host::Domain(name) => {
            ServerName::try_from(name.to_string()).map_err(|_| TransferError::InvalidUrl {
                url: url.to_string(),
            })?
        }
    };
    let connector = tokio_rustls::TlsConnector::from(tls_config.clone());
    let stream = connector
        .connect(server_name, tcp)
        .await
        .map_err(|e| tls::classify_handshake_error(&e))?;
    let http2 = stream.get_ref().1.alpn_protocol() == Some(b"h2");
    Ok(Connection {
        stream: Box::new(stream),
        http2,
    })
}

async fn resolve(name: &str, port: u16) -> Result<Vec<SocketAddr>, TransferError> {
    match tokio::net::lookup_host((name, port)).await {
        Ok(addrs) => {
            let addrs: Vec<SocketAddr> = addrs.collect();
            if addrs.is_empty() {
                Err(TransferError::Dns {
                    detail: format!("{name}: no addresses"),
                })
            } else {
                Ok(addrs)
            }
        }
        Err(e) => Err(TransferError::Dns {
            detail: format!("{name}: {e}"),
        }),
    }
}

/// Try each address in turn; refused only when every address refused.
async fn connect_any(addrs: &[SocketAddr]) -> Result<TcpStream, TransferError> {
    let mut last = None;
    let mut all_refused = true;
    for addr in addrs {
        match TcpStream::connect(addr).await {
            Ok(s) => return Ok(s),
            Err(e) => {
                all_refused &= e.kind() == std::io::ErrorKind::ConnectionRefused;
                last = Some(format!("{addr}: {e}"));
            }
        }
    }
    let detail = last.unwrap_or_else(|| "no address".into());
    if all_refused {
        Err(TransferError::ConnectRefused { detail })
    } else {
        Err(TransferError::Connect { detail })
    }
}
