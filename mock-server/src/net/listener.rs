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

use crate::net::backoff::{self, Backoff};
use crate::net::conn::{Conn, HyperIo, Stream};
use crate::net::idle::{self, Streams};
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
    let mut backoff = Backoff::default();
    let name = crate::respond::serve::listener_name(kind);
    loop {
        while conns.try_join_next().is_some() {}
        tokio::select! {
            accepted = listener.accept() => {
                let (tcp, peer) = match accepted {
                    Ok(accepted) => accepted,
                    // Out of descriptors the error stays until connections close: trying
                    // again at once would spin a core.
                    Err(e) if backoff::is_exhaustion(&e) => {
                        let wait = backoff.failed(name, &e);
                        tokio::select! {
                            _ = tokio::time::sleep(wait) => continue,
                            _ = stop.changed() => break,
                        }
                    }
                    Err(_) => continue,
                };
                backoff.succeeded(name);
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
    let streams = Streams::default();
    let counted = streams.clone();
    let service = service_fn(move |req| {
        let guard = counted.enter();
        let handled = router::handle(shared.clone(), cx.clone(), req);
        async move {
            let response = handled.await?;
            Ok::<_, std::convert::Infallible>(response.map(|body| idle::guarded(body, guard)))
        }
    });
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
    tokio::pin!(served);
    // HTTP/1.1 idle connections end on hyper's header read timeout; h2 ones here, with a
    // GOAWAY once no stream has been open for as long.
    let idle = async {
        if h2 {
            streams.idle_for(idle::IDLE_LIMIT).await
        } else {
            std::future::pending().await
        }
    };
    tokio::pin!(idle);
    let mut closing = false;
    loop {
        tokio::select! {
            res = served.as_mut() => {
                if let Err(e) = res {
                    tracing::trace!(%peer, error = %e, "connection ended with an error");
                }
                return;
            }
            _ = idle.as_mut(), if !closing => {
                tracing::debug!(%peer, "closing an idle HTTP/2 connection");
                closing = true;
                served.as_mut().graceful_shutdown();
            }
            _ = stop.changed() => return,
        }
    }
}
