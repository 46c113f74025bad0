//! Accept loops: one per listener, TLS where the listener speaks it, hyper on top.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

use crate::net::conn::{Conn, HyperIo, Stream};
use crate::respond::fault::ListenerKind;
use crate::routing::router;
use crate::state::{ConnCtx, Shared};

/// How long a client has to finish the TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Accept connections on `listener` until `stop` flips; open connections are dropped then.
pub async fn run(
    listener: TcpListener,
    kind: ListenerKind,
    tls: Option<TlsAcceptor>,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) {
    let mut conns = JoinSet::new();
    loop {
        while conns.try_join_next().is_some() {}
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((tcp, peer)) = accepted else { continue };
                let tls = tls.clone();
                let shared = shared.clone();
                let stop = stop.clone();
                conns.spawn(connection(tcp, peer, kind, tls, shared, stop));
            }
            _ = stop.changed() => break,
        }
    }
    conns.shutdown().await;
}

async fn connection(
    tcp: TcpStream,
    peer: SocketAddr,
    kind: ListenerKind,
    tls: Option<TlsAcceptor>,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) {
    let _ = tcp.set_nodelay(true);
    let (stream, h2) = match tls {
        None => (Stream::Plain(tcp), false),
        Some(acceptor) => match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await
        {
            Ok(Ok(s)) => {
                let h2 = s.get_ref().1.alpn_protocol() == Some(b"h2");
                (Stream::Tls(Box::new(s)), h2)
            }
            Ok(Err(e)) => {
                tracing::debug!(%peer, ?kind, error = %e, "TLS handshake failed");
                shared.handshake_failed(kind);
                return;
            }
            Err(_) => {
                shared.handshake_failed(kind);
                return;
            }
        },
    };
    let conn = Conn::new(stream, kind, h2);
    let cx = ConnCtx::new(conn.clone());
    let service = service_fn(move |req| router::handle(shared.clone(), cx.clone(), req));
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .title_case_headers(true)
        .keep_alive(true)
        .timer(TokioTimer::new());
    builder.http2().timer(TokioTimer::new());
    let builder = if h2 {
        builder.http2_only()
    } else {
        builder.http1_only()
    };
    let served = builder.serve_connection(TokioIo::new(HyperIo { conn }), service);
    tokio::select! {
        res = served => {
            if let Err(e) = res {
                tracing::trace!(%peer, error = %e, "connection ended with an error");
            }
        }
        _ = stop.changed() => {}
    }
}
